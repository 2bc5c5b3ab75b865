//! The ledger: an append-only, hash-chained RFC 6962 Merkle log of every
//! state change, with signed checkpoints. State is a projection of it.
//!
//! - [`event`]: what an event is and its canonical bytes;
//! - [`merkle`]: tree hashing, proofs and their verification;
//! - [`note`]: signed checkpoints (C2SP signed note) and keys;
//! - [`store`]: the storage trait and the embedded SQLite store;
//! - [`verify`]: full verification of a ledger or an exported bundle;
//! - [`projection`]: folding events into state with incremental catch-up;
//! - [`committer`]: group commit for many concurrent appenders in one process.
//!
//! See `docs/ledger.md` for the formats and guarantees.

pub mod bundle;
pub mod committer;
pub mod event;
pub mod merkle;
pub mod note;
pub mod projection;
pub mod store;
pub mod verify;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use event::{Actor, ActorKind, Event, NewEvent, Note, Payload};
pub use merkle::Hash;
use note::{SignerKey, VerifierKey};
use store::{Store, StoreError, StoredCheckpoint, StoredEvent, WriteTx};

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("ledger key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("no event {0} in the ledger")]
    NoSuchEvent(u64),
    #[error("event {seq} is not a valid event: {reason}")]
    Corrupt { seq: u64, reason: String },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// Where a ledger lives and how it is signed.
#[derive(Clone, Debug)]
pub struct Config {
    /// Store URL: `sqlite:PATH` or a path.
    pub store: String,
    /// Directory relative paths are resolved against.
    pub base: PathBuf,
    /// The signer key file (created on first use, mode 0600).
    pub key: PathBuf,
    /// The verifier key pinned when the ledger was created; verification
    /// uses it (or one the verifier supplies), never a key the log holds.
    pub trusted: PathBuf,
    /// Checkpoint origin line and key name, e.g. `lockgate/shop`.
    pub origin: String,
}

impl Config {
    /// The defaults for a project whose state directory is `state_dir`
    /// (normally `<project>/.lockgate`).
    pub fn in_dir(state_dir: &Path, origin: &str) -> Self {
        Config {
            store: format!("sqlite:{}", state_dir.join("ledger.db").display()),
            base: state_dir.to_owned(),
            key: state_dir.join("ledger.key"),
            trusted: state_dir.join("ledger.pub"),
            origin: origin.to_string(),
        }
    }
}

/// A clock that tests can set with `LOCKGATE_NOW` (RFC 3339).
pub fn now() -> jiff::Timestamp {
    std::env::var("LOCKGATE_NOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// An open ledger.
pub struct Ledger {
    store: Box<dyn Store>,
    config: Config,
    signer: Option<SignerKey>,
    secrets: Vec<String>,
    last_seal: Option<Instant>,
}

impl Ledger {
    /// Opens the ledger for reading and appending; creates it (and its key)
    /// when it does not exist yet.
    pub fn open(config: Config) -> Result<Self> {
        let store = store::open_url(&config.store, &config.base)?;
        let mut ledger = Ledger {
            store,
            config,
            signer: None,
            secrets: Vec::new(),
            last_seal: None,
        };
        let fresh = ledger.store.size()? == 0;
        ledger.signer = Some(load_or_create_key(&ledger.config, fresh)?);
        if fresh {
            ledger.create()?;
        }
        Ok(ledger)
    }

    /// Opens an existing ledger read-only (no key needed).
    pub fn open_read(config: Config) -> Result<Self> {
        let store = store::open_url(&config.store, &config.base)?;
        Ok(Ledger {
            store,
            config,
            signer: None,
            secrets: Vec::new(),
            last_seal: None,
        })
    }

    /// Strings that must never be written: they are replaced by `***`.
    pub fn set_secrets(&mut self, secrets: Vec<String>) {
        self.secrets = secrets.into_iter().filter(|s| s.len() >= 3).collect();
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn describe(&self) -> String {
        self.store.describe()
    }

    fn create(&mut self) -> Result<()> {
        let key = self.signer.as_ref().map(|s| s.verifier().encode()).unwrap_or_default();
        let created = event::Created {
            origin: self.config.origin.clone(),
            key,
            lockgate_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        let ev = NewEvent::new(Actor::system(), "ledger", &created);
        // Several processes may open a new ledger at once: only the one whose
        // transaction finds it empty writes `ledger.created`.
        self.append_inner(vec![ev], true, true)?;
        Ok(())
    }

    /// Appends one event and signs a checkpoint covering it.
    pub fn append(&mut self, event: NewEvent) -> Result<Event> {
        let mut out = self.append_batch(vec![event], true)?;
        out.pop().ok_or_else(|| LedgerError::Invalid("nothing appended".into()))
    }

    /// Appends `events` in one durable transaction (group commit). With
    /// `seal`, or when the last checkpoint is over a second old, a new
    /// checkpoint is signed in the same transaction.
    pub fn append_batch(&mut self, events: Vec<NewEvent>, seal: bool) -> Result<Vec<Event>> {
        self.append_inner(events, seal, false)
    }

    fn append_inner(&mut self, events: Vec<NewEvent>, seal: bool, only_if_empty: bool) -> Result<Vec<Event>> {
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| LedgerError::Invalid("the ledger was opened read-only".into()))?;
        let origin = self.config.origin.clone();
        let secrets = self.secrets.clone();
        let seal = seal || self.last_seal.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        let mut appended = Vec::with_capacity(events.len());
        let mut events = Some(events);
        self.store.write(&mut |tx| {
            appended.clear();
            // `write` runs this closure exactly once.
            let batch = events.take().unwrap_or_default();
            let mut size = tx.size()?;
            if only_if_empty && size > 0 {
                return Ok(());
            }
            if size == 0 {
                tx.set_meta("origin", &origin)?;
            }
            let mut prev = tx.last_leaf()?.unwrap_or([0u8; 32]);
            let time = now();
            for mut ev in batch {
                event::scrub(&mut ev.payload, &secrets);
                let mut subject = serde_json::Value::String(ev.subject.clone());
                event::scrub(&mut subject, &secrets);
                let mut private_rows = Vec::new();
                if !ev.private.is_empty() {
                    let mut commitments = serde_json::Map::new();
                    for (name, value) in &ev.private {
                        let mut salt = [0u8; 16];
                        getrandom::fill(&mut salt).map_err(|e| StoreError::Other(format!("no randomness: {e}")))?;
                        commitments.insert(name.clone(), serde_json::Value::String(commit(&salt, value)));
                        private_rows.push((name.clone(), salt, value.clone()));
                    }
                    if let serde_json::Value::Object(map) = &mut ev.payload {
                        map.insert("private".into(), serde_json::Value::Object(commitments));
                    } else {
                        ev.payload = serde_json::json!({ "value": ev.payload, "private": commitments });
                    }
                }
                let body = event::Body {
                    seq: size + 1,
                    time,
                    actor: ev.actor,
                    kind: ev.kind,
                    v: ev.v,
                    subject: subject.as_str().unwrap_or_default().to_string(),
                    payload: ev.payload,
                    prev: hex::encode(prev),
                };
                let value = serde_json::to_value(&body).map_err(|e| StoreError::Other(e.to_string()))?;
                let entry = event::canonical_json(&value);
                let leaf = merkle::leaf_hash(&entry);
                tx.insert_event(&StoredEvent {
                    seq: body.seq,
                    entry: entry.clone(),
                    leaf,
                    kind: body.kind.clone(),
                    subject: body.subject.clone(),
                    actor: body.actor.to_string(),
                    time_us: time.as_microsecond(),
                })?;
                for (name, salt, value) in &private_rows {
                    tx.insert_private(body.seq, name, salt, value)?;
                }
                add_nodes(tx, size, leaf, prev)?;
                size += 1;
                prev = leaf;
                appended.push(Event {
                    body,
                    entry,
                    hash: leaf,
                });
            }
            if seal && size > 0 {
                let root = merkle::root(&TxNodes(tx), size)?;
                let note = signer.sign_checkpoint(&origin, size, &root);
                tx.insert_checkpoint(&StoredCheckpoint { size, root, note })?;
            }
            Ok(())
        })?;
        if seal {
            self.last_seal = Some(Instant::now());
        }
        Ok(appended)
    }

    /// Signs a checkpoint for the current size if the latest one is behind.
    /// Returns the latest checkpoint's text.
    pub fn seal(&mut self) -> Result<String> {
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| LedgerError::Invalid("the ledger was opened read-only".into()))?;
        let origin = self.config.origin.clone();
        let mut text = String::new();
        self.store.write(&mut |tx| {
            let size = tx.size()?;
            let latest = tx.latest_checkpoint()?;
            match latest {
                Some(c) if c.size == size => text = c.note,
                _ => {
                    let root = merkle::root(&TxNodes(tx), size)?;
                    let note = signer.sign_checkpoint(&origin, size, &root);
                    tx.insert_checkpoint(&StoredCheckpoint {
                        size,
                        root,
                        note: note.clone(),
                    })?;
                    text = note;
                }
            }
            Ok(())
        })?;
        self.last_seal = Some(Instant::now());
        Ok(text)
    }

    pub fn size(&self) -> Result<u64> {
        Ok(self.store.size()?)
    }

    /// The event at `seq` (1-based), parsed.
    pub fn event(&self, seq: u64) -> Result<Event> {
        let stored = self.store.event(seq)?.ok_or(LedgerError::NoSuchEvent(seq))?;
        parse_stored(stored)
    }

    pub fn query(&self, filter: &store::Filter) -> Result<Vec<Event>> {
        self.store.query(filter)?.into_iter().map(parse_stored).collect()
    }

    /// Calls `f` with every event from `from` (1-based) on, in order.
    pub fn scan(&self, from: u64, f: &mut dyn FnMut(Event) -> Result<bool>) -> Result<()> {
        let mut inner: Option<LedgerError> = None;
        self.store.scan(
            from.max(1),
            &mut |stored| match parse_stored(stored).and_then(&mut *f) {
                Ok(go) => Ok(go),
                Err(e) => {
                    inner = Some(e);
                    Ok(false)
                }
            },
        )?;
        inner.map_or(Ok(()), Err)
    }

    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        Ok(self.store.checkpoints()?)
    }

    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        Ok(self.store.latest_checkpoint()?)
    }

    /// Root of the first `size` events, from stored nodes.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        Ok(merkle::root(&StoreNodes(self.store.as_ref()), size)?)
    }

    /// Inclusion proof of event `seq` in the tree of `size` events.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<Hash>> {
        if seq == 0 || seq > size {
            return Err(LedgerError::Invalid(format!(
                "event {seq} is not in a tree of {size} events"
            )));
        }
        Ok(merkle::inclusion_proof(
            &StoreNodes(self.store.as_ref()),
            seq - 1,
            size,
        )?)
    }

    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>> {
        Ok(merkle::consistency_proof(
            &StoreNodes(self.store.as_ref()),
            size1,
            size2,
        )?)
    }

    /// Private fields of an event still held off-log: (name, value).
    pub fn private_fields(&self, seq: u64) -> Result<Vec<(String, String)>> {
        Ok(self
            .store
            .private_fields(seq)?
            .into_iter()
            .map(|(n, _, v)| (n, v))
            .collect())
    }

    /// Erases a private field (GDPR Art. 17): deletes its value and salt and
    /// records the erasure. The log still verifies: it only held a salted hash.
    pub fn erase_private(&mut self, seq: u64, field: &str, reason: &str, actor: Actor) -> Result<Event> {
        self.event(seq)?;
        if !self.store.erase_private(seq, field)? {
            return Err(LedgerError::Invalid(format!(
                "event {seq} has no private field `{field}` held off-log"
            )));
        }
        let erased = event::Erased {
            seq,
            field: field.to_string(),
            reason: reason.to_string(),
        };
        self.append(NewEvent::new(actor, format!("event/{seq}"), &erased))
    }

    /// Verifies the whole ledger against `key` (the pinned verifier key).
    pub fn verify(&self, key: &VerifierKey) -> Result<verify::Report> {
        verify::verify_store(self.store.as_ref(), key)
    }

    /// The verifier key pinned for this ledger (written when it was created).
    pub fn trusted_key(&self) -> Result<VerifierKey> {
        read_verifier(&self.config.trusted)
    }

    /// The public key of this ledger's signer (from the local key file).
    pub fn signer_verifier(&self) -> Option<VerifierKey> {
        self.signer.as_ref().map(|s| s.verifier())
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}

/// `sha256:<hex>` of salt ‖ value: the commitment a payload holds instead
/// of personal data.
pub fn commit(salt: &[u8], value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// Completes the perfect subtrees closed by appending leaf number `index`.
fn add_nodes(tx: &mut dyn WriteTx, index: u64, leaf: Hash, prev_leaf: Hash) -> store::Result<()> {
    let mut idx = index;
    let mut level = 0u32;
    let mut hash = leaf;
    while idx & 1 == 1 {
        let left = if level == 0 {
            prev_leaf
        } else {
            tx.node(level, idx - 1)?
                .ok_or_else(|| StoreError::Other(format!("tree node ({level}, {}) is missing", idx - 1)))?
        };
        hash = merkle::node_hash(&left, &hash);
        idx >>= 1;
        level += 1;
        tx.insert_node(level, idx, &hash)?;
    }
    Ok(())
}

struct TxNodes<'a>(&'a dyn WriteTx);

impl merkle::Nodes for TxNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        self.0
            .node(level, index)?
            .ok_or_else(|| StoreError::Other(format!("tree node ({level}, {index}) is missing")))
    }
}

struct StoreNodes<'a>(&'a dyn Store);

impl merkle::Nodes for StoreNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        self.0
            .node(level, index)?
            .ok_or_else(|| StoreError::Other(format!("tree node ({level}, {index}) is missing")))
    }
}

fn parse_stored(stored: StoredEvent) -> Result<Event> {
    let body: event::Body = serde_json::from_slice(&stored.entry).map_err(|e| LedgerError::Corrupt {
        seq: stored.seq,
        reason: e.to_string(),
    })?;
    Ok(Event {
        body,
        hash: stored.leaf,
        entry: stored.entry,
    })
}

/// Reads a verifier key file (one line).
pub fn read_verifier(path: &Path) -> Result<VerifierKey> {
    let text = std::fs::read_to_string(path).map_err(|e| LedgerError::Key {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    VerifierKey::decode(text.trim()).map_err(|e| LedgerError::Key {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Writes `content` to `path` atomically and only if `path` does not exist
/// yet: a temporary file is written, synced and hard-linked into place.
/// Returns false when another process published the file first.
fn publish_new(path: &Path, content: &str, mode: u32) -> std::io::Result<bool> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(content.as_bytes())?;
        f.sync_all()?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Pins `key` as the trusted verifier key if none is pinned yet.
fn pin_trusted(config: &Config, key: &SignerKey) -> Result<()> {
    if config.trusted.exists() {
        return Ok(());
    }
    publish_new(&config.trusted, &format!("{}\n", key.verifier().encode()), 0o644)
        .map(|_| ())
        .map_err(|e| LedgerError::Key {
            path: config.trusted.clone(),
            reason: e.to_string(),
        })
}

fn load_or_create_key(config: &Config, fresh: bool) -> Result<SignerKey> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = &config.key;
    let key_err = |reason: String| LedgerError::Key {
        path: path.clone(),
        reason,
    };
    loop {
        match std::fs::metadata(path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(key_err(format!(
                        "the key is readable by others (mode {mode:o}); run `chmod 600 {}`",
                        path.display()
                    )));
                }
                let text = std::fs::read_to_string(path).map_err(|e| key_err(e.to_string()))?;
                let key = SignerKey::decode(&text).map_err(|e| key_err(e.to_string()))?;
                if key.name() != config.origin {
                    return Err(key_err(format!(
                        "the key is named `{}` but this ledger's origin is `{}`",
                        key.name(),
                        config.origin
                    )));
                }
                if fresh {
                    pin_trusted(config, &key)?;
                }
                return Ok(key);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !fresh {
                    return Err(key_err(
                        "the signing key is missing but the ledger already has events; restore the key file \
                         (new checkpoints cannot be signed without it)"
                            .into(),
                    ));
                }
                let key = SignerKey::generate(&config.origin).map_err(|e| key_err(e.to_string()))?;
                if publish_new(path, &format!("{}\n", key.encode()), 0o600).map_err(|e| key_err(e.to_string()))? {
                    pin_trusted(config, &key)?;
                    return Ok(key);
                }
                // Another process created the key first: use theirs.
            }
            Err(e) => return Err(key_err(e.to_string())),
        }
    }
}
