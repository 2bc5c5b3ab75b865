//! Where events live. The [`Store`] trait is all the ledger needs; SQLite
//! (embedded, the default) implements it here, and a PostgreSQL store for
//! several server instances adds one file implementing the same trait.
//!
//! Rules every store keeps:
//! - appends happen inside one exclusive write transaction ([`Store::write`]),
//!   which reads the head, inserts events and tree nodes, and commits durably
//!   (so concurrent writers produce one linear history: no gaps, duplicates
//!   or forks);
//! - level-0 tree nodes are the events' leaf hashes; higher perfect-subtree
//!   nodes are stored as they complete.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::merkle::Hash;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the ledger at {path} is locked by another process (waited {waited:?})")]
    Busy { path: String, waited: Duration },
    #[error("ledger database error at {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot open the ledger at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("unsupported ledger store `{0}`")]
    Unsupported(String),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One stored event: the authoritative entry bytes plus indexed columns.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub seq: u64,
    pub entry: Vec<u8>,
    pub leaf: Hash,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    /// Microseconds since the Unix epoch (for `--since`).
    pub time_us: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    pub note: String,
}

/// Filters of `lockgate audit log`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    /// Exact kind, or a prefix when it ends with `.` or `*` (`gate.*`).
    pub kind: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub after_seq: Option<u64>,
    pub limit: Option<usize>,
    /// Newest first.
    pub newest_first: bool,
}

/// Operations available inside one write transaction.
pub trait WriteTx {
    fn size(&self) -> Result<u64>;
    fn last_leaf(&self) -> Result<Option<Hash>>;
    fn node(&self, level: u32, index: u64) -> Result<Option<Hash>>;
    fn insert_event(&mut self, e: &StoredEvent) -> Result<()>;
    fn insert_node(&mut self, level: u32, index: u64, hash: &Hash) -> Result<()>;
    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    fn insert_checkpoint(&mut self, c: &StoredCheckpoint) -> Result<()>;
    fn insert_private(&mut self, seq: u64, name: &str, salt: &[u8], value: &str) -> Result<()>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<()>;
}

/// A ledger store.
pub trait Store: Send {
    /// A description for messages (a path or URL without credentials).
    fn describe(&self) -> String;
    /// Runs `f` inside one exclusive, durable write transaction; commits
    /// when `f` returns `Ok`, rolls back otherwise.
    fn write(&mut self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<()>) -> Result<()>;
    fn size(&self) -> Result<u64>;
    fn event(&self, seq: u64) -> Result<Option<StoredEvent>>;
    /// Calls `f` for every event with `seq >= from`, in order, until it returns false.
    fn scan(&self, from: u64, f: &mut dyn FnMut(StoredEvent) -> Result<bool>) -> Result<()>;
    fn query(&self, filter: &Filter) -> Result<Vec<StoredEvent>>;
    fn node(&self, level: u32, index: u64) -> Result<Option<Hash>>;
    /// Every stored node above level 0, in any order, as (level, index, hash).
    fn all_nodes(&self, f: &mut dyn FnMut(u32, u64, Hash) -> Result<()>) -> Result<()>;
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;
    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    fn private_fields(&self, seq: u64) -> Result<Vec<(String, Vec<u8>, String)>>;
    /// Deletes a private field's value and salt; true when it existed.
    fn erase_private(&mut self, seq: u64, name: &str) -> Result<bool>;
    fn meta(&self, key: &str) -> Result<Option<String>>;
}

/// The database file of a SQLite store URL, resolved against `base`;
/// `None` for other stores.
pub fn sqlite_path(url: &str, base: &Path) -> Option<PathBuf> {
    let p = match url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        Some(p) => PathBuf::from(p),
        None if url.contains("://") => return None,
        None => PathBuf::from(url),
    };
    Some(if p.is_relative() { base.join(p) } else { p })
}

/// Parses a store URL: `sqlite:PATH`, `sqlite://PATH` or a path.
pub fn open_url(url: &str, base: &Path) -> Result<Box<dyn Store>> {
    let path = if let Some(p) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        PathBuf::from(p)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(StoreError::Unsupported(
            "PostgreSQL stores are not available in this build; use `sqlite:PATH`".into(),
        ));
    } else if url.contains("://") {
        return Err(StoreError::Unsupported(format!(
            "{} (use `sqlite:PATH`)",
            redact_url(url)
        )));
    } else {
        PathBuf::from(url)
    };
    let path = if path.is_relative() { base.join(path) } else { path };
    Ok(Box::new(SqliteStore::open(&path)?))
}

/// Removes a password from `scheme://user:pass@host` for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The embedded SQLite store (WAL, `synchronous=FULL`).
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq     INTEGER PRIMARY KEY,
    entry   BLOB NOT NULL,
    leaf    BLOB NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    actor   TEXT NOT NULL,
    time_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind, seq);
CREATE INDEX IF NOT EXISTS events_subject ON events(subject, seq);
CREATE INDEX IF NOT EXISTS events_actor ON events(actor, seq);
CREATE TABLE IF NOT EXISTS nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS private_fields (
    seq   INTEGER NOT NULL,
    name  TEXT NOT NULL,
    salt  BLOB NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (seq, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self> {
        let describe = path.display().to_string();
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: describe.clone(),
                reason: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: describe.clone(),
            reason: e.to_string(),
        })?;
        let s = SqliteStore {
            conn,
            path: path.to_owned(),
        };
        s.conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| s.err(e))?;
        // Switching a new database to WAL and creating its tables can fail
        // with SQLITE_BUSY at once (without the busy handler) when several
        // processes create the same ledger together; retry for the same
        // budget the busy handler would have waited.
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            // WAL lets readers run beside the writer; FULL makes every commit
            // durable (fsync of the WAL) before an append is acknowledged;
            // secure_delete overwrites erased personal data instead of leaving
            // it in free pages.
            let init = s
                .conn
                .execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; \
                     PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=8192;",
                )
                .and_then(|_| s.conn.execute_batch(SCHEMA));
            match init.map_err(|e| s.err(e)) {
                Ok(()) => break,
                Err(StoreError::Busy { .. }) if started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(s)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        self_err(&self.path, e)
    }
}

fn to_hash(v: Vec<u8>) -> Hash {
    let mut h = [0u8; 32];
    if v.len() == 32 {
        h.copy_from_slice(&v);
    }
    h
}

fn row_event(r: &rusqlite::Row) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.get::<_, i64>(0)? as u64,
        entry: r.get(1)?,
        leaf: to_hash(r.get(2)?),
        kind: r.get(3)?,
        subject: r.get(4)?,
        actor: r.get(5)?,
        time_us: r.get(6)?,
    })
}

const EVENT_COLS: &str = "seq, entry, leaf, kind, subject, actor, time_us";

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    store_path: &'a Path,
}

impl SqliteTx<'_> {
    fn err(&self, e: rusqlite::Error) -> StoreError {
        self_err(self.store_path, e)
    }
}

impl WriteTx for SqliteTx<'_> {
    fn size(&self) -> Result<u64> {
        self.tx
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(|e| self.err(e))
    }

    fn last_leaf(&self) -> Result<Option<Hash>> {
        self.tx
            .query_row("SELECT leaf FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .optional()
            .map(|o| o.map(to_hash))
            .map_err(|e| self.err(e))
    }

    fn node(&self, level: u32, index: u64) -> Result<Option<Hash>> {
        let r = if level == 0 {
            self.tx
                .prepare_cached("SELECT leaf FROM events WHERE seq = ?1")
                .and_then(|mut s| {
                    s.query_row(params![index as i64 + 1], |r| r.get::<_, Vec<u8>>(0))
                        .optional()
                })
        } else {
            self.tx
                .prepare_cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2")
                .and_then(|mut s| {
                    s.query_row(params![level, index as i64], |r| r.get::<_, Vec<u8>>(0))
                        .optional()
                })
        };
        r.map(|o| o.map(to_hash)).map_err(|e| self.err(e))
    }

    fn insert_event(&mut self, e: &StoredEvent) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO events (seq, entry, leaf, kind, subject, actor, time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![e.seq as i64, e.entry, e.leaf.as_slice(), e.kind, e.subject, e.actor, e.time_us])
            })
            .map(|_| ())
            .map_err(|err| self.err(err))
    }

    fn insert_node(&mut self, level: u32, index: u64, hash: &Hash) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![level, index as i64, hash.as_slice()]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        latest_checkpoint(self.tx).map_err(|e| self.err(e))
    }

    fn insert_checkpoint(&mut self, c: &StoredCheckpoint) -> Result<()> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO checkpoints (size, root, note) VALUES (?1, ?2, ?3)",
                params![c.size as i64, c.root.as_slice(), c.note],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn insert_private(&mut self, seq: u64, name: &str, salt: &[u8], value: &str) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO private_fields (seq, name, salt, value) VALUES (?1, ?2, ?3, ?4)",
                params![seq as i64, name, salt, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

fn latest_checkpoint(conn: &Connection) -> rusqlite::Result<Option<StoredCheckpoint>> {
    conn.query_row(
        "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1",
        [],
        |r| {
            Ok(StoredCheckpoint {
                size: r.get::<_, i64>(0)? as u64,
                root: to_hash(r.get(1)?),
                note: r.get(2)?,
            })
        },
    )
    .optional()
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn write(&mut self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<()>) -> Result<()> {
        // IMMEDIATE takes the write lock up front, so the head we read cannot
        // move under us: concurrent writers queue instead of forking.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self_err(&self.path, e))?;
        {
            let mut w = SqliteTx {
                tx: &tx,
                store_path: &self.path,
            };
            f(&mut w)?;
        }
        tx.commit().map_err(|e| self_err(&self.path, e))
    }

    fn size(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(|e| self.err(e))
    }

    fn event(&self, seq: u64) -> Result<Option<StoredEvent>> {
        self.conn
            .query_row(
                &format!("SELECT {EVENT_COLS} FROM events WHERE seq = ?1"),
                params![seq as i64],
                row_event,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn scan(&self, from: u64, f: &mut dyn FnMut(StoredEvent) -> Result<bool>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {EVENT_COLS} FROM events WHERE seq >= ?1 ORDER BY seq"))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![from as i64]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let ev = row_event(row).map_err(|e| self.err(e))?;
            if !f(ev)? {
                break;
            }
        }
        Ok(())
    }

    fn query(&self, filter: &Filter) -> Result<Vec<StoredEvent>> {
        let mut sql = format!("SELECT {EVENT_COLS} FROM events WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        // `$` in a clause stands for the placeholder of the value just bound.
        fn bind(sql: &mut String, args: &mut Vec<rusqlite::types::Value>, clause: &str, v: rusqlite::types::Value) {
            args.push(v);
            sql.push_str(&clause.replace('$', &format!("?{}", args.len())));
        }
        if let Some(t) = filter.since_us {
            bind(&mut sql, &mut args, " AND time_us >= $", t.into());
        }
        if let Some(t) = filter.until_us {
            bind(&mut sql, &mut args, " AND time_us < $", t.into());
        }
        if let Some(k) = &filter.kind {
            let prefix = k
                .strip_suffix('*')
                .map(str::to_string)
                .or_else(|| k.ends_with('.').then(|| k.clone()));
            match prefix {
                Some(p) => bind(&mut sql, &mut args, " AND substr(kind, 1, length($)) = $", p.into()),
                None => bind(&mut sql, &mut args, " AND kind = $", k.clone().into()),
            }
        }
        if let Some(a) = &filter.actor {
            bind(&mut sql, &mut args, " AND actor = $", a.clone().into());
        }
        if let Some(subject) = &filter.subject {
            // `run/42` also matches `run/42/job/build`.
            bind(
                &mut sql,
                &mut args,
                " AND (subject = $ OR substr(subject, 1, length($) + 1) = $ || '/')",
                subject.clone().into(),
            );
        }
        if let Some(after) = filter.after_seq {
            bind(&mut sql, &mut args, " AND seq > $", (after as i64).into());
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY seq DESC"
        } else {
            " ORDER BY seq"
        });
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), row_event)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    fn node(&self, level: u32, index: u64) -> Result<Option<Hash>> {
        let r = if level == 0 {
            self.conn
                .prepare_cached("SELECT leaf FROM events WHERE seq = ?1")
                .and_then(|mut s| {
                    s.query_row(params![index as i64 + 1], |r| r.get::<_, Vec<u8>>(0))
                        .optional()
                })
        } else {
            self.conn
                .prepare_cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2")
                .and_then(|mut s| {
                    s.query_row(params![level, index as i64], |r| r.get::<_, Vec<u8>>(0))
                        .optional()
                })
        };
        r.map(|o| o.map(to_hash)).map_err(|e| self.err(e))
    }

    fn all_nodes(&self, f: &mut dyn FnMut(u32, u64, Hash) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT level, idx, hash FROM nodes")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let level: u32 = r.get(0).map_err(|e| self.err(e))?;
            let idx: i64 = r.get(1).map_err(|e| self.err(e))?;
            let hash: Vec<u8> = r.get(2).map_err(|e| self.err(e))?;
            f(level, idx as u64, to_hash(hash))?;
        }
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let mut stmt = self
            .conn
            .prepare("SELECT size, root, note FROM checkpoints ORDER BY size")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredCheckpoint {
                    size: r.get::<_, i64>(0)? as u64,
                    root: to_hash(r.get(1)?),
                    note: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        latest_checkpoint(&self.conn).map_err(|e| self.err(e))
    }

    fn private_fields(&self, seq: u64) -> Result<Vec<(String, Vec<u8>, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, salt, value FROM private_fields WHERE seq = ?1 ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![seq as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    fn erase_private(&mut self, seq: u64, name: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM private_fields WHERE seq = ?1 AND name = ?2",
                params![seq as i64, name],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }
}

fn self_err(path: &Path, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    {
        return StoreError::Busy {
            path: path.display().to_string(),
            waited: BUSY_TIMEOUT,
        };
    }
    StoreError::Sqlite {
        path: path.display().to_string(),
        source: e,
    }
}
