//! `lockgate audit …`: the ledger for operators and auditors.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde_json::json;

use crate::cli::{AuditCommand, AuditLogArgs, GlobalArgs};
use crate::diag::sanitize;
use crate::exit::{Exit, UserError};
use crate::ledger::note::VerifierKey;
use crate::ledger::projection::{Projected, Summary};
use crate::ledger::store::Filter;
use crate::ledger::{self, Actor, Event, Ledger, NewEvent, Note, bundle, committer};

pub fn run(g: &GlobalArgs, cmd: AuditCommand) -> Result<Exit> {
    match cmd {
        AuditCommand::Note { message, subject } => note(g, &message, &subject),
        AuditCommand::Log(a) => log(g, a),
        AuditCommand::Show { seq, json } => show(g, seq, json),
        AuditCommand::Verify { pubkey, bundle, json } => verify(g, pubkey, bundle, json),
        AuditCommand::Proof { seq, size } => proof(g, seq, size),
        AuditCommand::Consistency { from, to } => consistency(g, from, to),
        AuditCommand::Checkpoint => checkpoint(g),
        AuditCommand::Pubkey => pubkey(g),
        AuditCommand::Export { out } => export(g, &out),
        AuditCommand::Erase { seq, field, reason } => erase(g, seq, &field, &reason),
        AuditCommand::BenchAppend {
            count,
            batch,
            threads,
            print_acks,
        } => bench_append(g, count, batch, threads, print_acks),
    }
}

fn note(g: &GlobalArgs, message: &str, subject: &str) -> Result<Exit> {
    if message.trim().is_empty() {
        return Err(UserError::usage("the note is empty")
            .with_hint("write what happened, e.g. \"maintenance window started\"")
            .into());
    }
    let mut ledger = super::open_ledger(g)?;
    let ev = ledger.append(NewEvent::new(
        Actor::local(),
        subject,
        &Note {
            message: message.to_string(),
        },
    ))?;
    if !g.quiet {
        writeln!(std::io::stdout(), "recorded event {} by {}", ev.seq(), ev.body.actor)?;
    }
    Ok(Exit::Ok)
}

/// `7d` (ago), `2026-11-01`, or an RFC 3339 time → microseconds since the epoch.
pub(crate) fn parse_when(s: &str, flag: &str) -> Result<i64> {
    let now = ledger::now();
    if let Ok(d) = crate::spec::Duration::parse(s) {
        let span = jiff::SignedDuration::try_from(d.as_std()).unwrap_or(jiff::SignedDuration::MAX);
        return Ok(now.checked_sub(span).unwrap_or(jiff::Timestamp::MIN).as_microsecond());
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t.as_microsecond());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp().as_microsecond());
    }
    Err(UserError::usage(format!("`{s}` is not a time for {flag}"))
        .with_hint("write an age such as 7d or 2h, a date such as 2026-11-01, or 2026-11-01T08:00:00Z")
        .into())
}

#[derive(Serialize)]
pub(crate) struct EventJson<'a> {
    seq: u64,
    time: String,
    actor: String,
    kind: &'a str,
    v: u32,
    subject: &'a str,
    payload: &'a serde_json::Value,
    hash: String,
    prev: &'a str,
}

pub(crate) fn event_json(e: &Event) -> EventJson<'_> {
    EventJson {
        seq: e.seq(),
        time: e.body.time.to_string(),
        actor: e.body.actor.to_string(),
        kind: &e.body.kind,
        v: e.body.v,
        subject: &e.body.subject,
        payload: &e.body.payload,
        hash: hex::encode(e.hash),
        prev: &e.body.prev,
    }
}

/// One line describing the payload, for tables: a note's message, or the
/// well-known fields of lockgate's own events, or compact JSON.
/// One line for a rollout or instance event: what an on-call engineer reads.
fn delivery_summary(kind: &str, p: &serde_json::Value) -> Option<String> {
    let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("-").to_string();
    let n = |k: &str| p.get(k).map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    Some(match kind {
        "rollout.started" => format!(
            "{} {} → {}",
            s("strategy"),
            p.get("from").and_then(|v| v.as_str()).unwrap_or("nothing"),
            s("to")
        ),
        "rollout.step" if p.get("pause").is_some() => {
            format!("step {}: pause {}", p["step"].as_u64().unwrap_or(0) + 1, p["pause"])
        }
        "rollout.step" if p.get("preview") == Some(&serde_json::Value::Bool(true)) => {
            format!("step {}: preview", p["step"].as_u64().unwrap_or(0) + 1)
        }
        "rollout.step" => format!(
            "step {}: {}% to the new version",
            p["step"].as_u64().unwrap_or(0) + 1,
            p["weight"].as_f64().unwrap_or(0.0)
        ),
        "rollout.analysis" => format!(
            "{}{}: {}",
            s("outcome"),
            if p["dry_run"] == true { " (dry run)" } else { "" },
            crate::delivery::analysis::observed_line(&p["observed"])
        ),
        "rollout.completed" => format!("{} is stable", s("version")),
        "rollout.rolled_back" => format!(
            "{} → {}{}",
            s("from"),
            s("to"),
            if p["instant"] == true {
                " (instant: it was warm)"
            } else {
                " (redeployed)"
            }
        ),
        "rollout.aborted" | "rollout.paused" | "deploy.refused" => format!("reason: {}", s("reason")),
        "instance.started" => format!("{} {} pid {} port {}", s("version"), s("instance"), n("pid"), n("port")),
        "instance.exited" => format!("{} {} exit {}: {}", s("version"), s("instance"), n("code"), s("reason")),
        "instance.ready" => format!("{} {}", s("version"), s("instance")),
        "instance.stopped" => format!("{} {}: {}", s("version"), s("instance"), s("reason")),
        _ => return None,
    })
}

fn summarize(e: &Event) -> String {
    let p = &e.body.payload;
    let get = |k: &str| {
        p.get(k).and_then(|v| {
            if v.is_string() {
                v.as_str().map(str::to_string)
            } else if v.is_null() {
                None
            } else {
                Some(v.to_string())
            }
        })
    };
    let text = if let Some(t) = delivery_summary(&e.body.kind, p) {
        t
    } else if let Some(m) = get("message") {
        m
    } else {
        let mut parts: Vec<String> = Vec::new();
        for k in [
            "status",
            "action",
            "outcome",
            "conclusion",
            "gate",
            "item",
            "environment",
            "job",
            "kind",
            "path",
        ] {
            if let Some(v) = get(k) {
                parts.push(format!("{k}={v}"));
            }
        }
        for k in ["reason", "comment"] {
            if let Some(v) = get(k) {
                parts.push(format!("{k}: {v}"));
            }
        }
        if parts.is_empty() {
            match p {
                serde_json::Value::Object(map) if map.is_empty() => String::new(),
                other => other.to_string(),
            }
        } else {
            parts.join(" ")
        }
    };
    let text = sanitize(&text).replace('\n', " ");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

fn log(g: &GlobalArgs, a: AuditLogArgs) -> Result<Exit> {
    let ledger = super::open_ledger_read(g)?;
    let filter = Filter {
        since_us: a.since.as_deref().map(|s| parse_when(s, "--since")).transpose()?,
        until_us: a.until.as_deref().map(|s| parse_when(s, "--until")).transpose()?,
        kind: a.kind.clone(),
        actor: a.actor.as_deref().map(|s| Actor::parse(s).to_string()),
        subject: a.subject.clone(),
        after_seq: None,
        limit: a.limit,
        newest_first: a.limit.is_some(),
    };
    let mut events = ledger.query(&filter)?;
    events.sort_by_key(|e| e.seq());
    if a.summary {
        let mut p: Projected<Summary> = Projected::default();
        for e in &events {
            crate::ledger::projection::Projection::apply(&mut p.state, e);
        }
        if a.json {
            super::print_json(&p.state)?;
        } else {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{} events", events.len())?;
            for (k, n) in &p.state.by_kind {
                writeln!(out, "  {n:>7}  {k}")?;
            }
            writeln!(out, "by actor:")?;
            for (k, n) in &p.state.by_actor {
                writeln!(out, "  {n:>7}  {k}")?;
            }
        }
        return Ok(Exit::Ok);
    }
    if a.json {
        let items: Vec<EventJson> = events.iter().map(event_json).collect();
        super::print_json(&items)?;
        return Ok(Exit::Ok);
    }
    let mut out = anstream::stdout().lock();
    if events.is_empty() {
        writeln!(out, "no events match")?;
        return Ok(Exit::Ok);
    }
    let dim = anstyle::Style::new().dimmed();
    let bold = anstyle::Style::new().bold();
    writeln!(
        out,
        "{bold}{:>6}  {:<20}  {:<28}  {:<18}  {:<22}  DETAIL{bold:#}",
        "SEQ", "TIME (UTC)", "ACTOR", "KIND", "SUBJECT"
    )?;
    for e in &events {
        let time = e.body.time.strftime("%Y-%m-%d %H:%M:%S").to_string();
        writeln!(
            out,
            "{:>6}  {dim}{time:<20}{dim:#}  {:<28}  {:<18}  {:<22}  {}",
            e.seq(),
            sanitize(&e.body.actor.to_string()),
            sanitize(&e.body.kind),
            sanitize(&e.body.subject),
            summarize(e)
        )?;
    }
    Ok(Exit::Ok)
}

fn show(g: &GlobalArgs, seq: u64, as_json: bool) -> Result<Exit> {
    let ledger = super::open_ledger_read(g)?;
    let e = ledger.event(seq).map_err(no_such_event)?;
    let private = ledger.private_fields(seq)?;
    // Is it covered by a signed checkpoint, and does its proof verify?
    let latest = ledger.latest_checkpoint()?;
    let covered = match &latest {
        Some(c) if c.size >= seq => {
            let proof: Vec<Vec<u8>> = ledger
                .inclusion_proof(seq, c.size)?
                .iter()
                .map(|h| h.to_vec())
                .collect();
            Some((
                c.size,
                ledger::merkle::verify_inclusion(seq - 1, c.size, &e.hash, &proof, &c.root).is_ok(),
            ))
        }
        _ => None,
    };
    if as_json {
        let mut v = serde_json::to_value(event_json(&e))?;
        v["private"] = json!(
            private
                .iter()
                .map(|(k, val)| (k.clone(), json!(val)))
                .collect::<serde_json::Map<_, _>>()
        );
        v["checkpoint"] = match covered {
            Some((size, ok)) => json!({ "size": size, "inclusion_verified": ok }),
            None => serde_json::Value::Null,
        };
        super::print_json(&v)?;
        return Ok(Exit::Ok);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "event    {}", e.seq())?;
    writeln!(out, "time     {}", e.body.time)?;
    writeln!(out, "actor    {}", sanitize(&e.body.actor.to_string()))?;
    writeln!(out, "kind     {} (v{})", sanitize(&e.body.kind), e.body.v)?;
    writeln!(out, "subject  {}", sanitize(&e.body.subject))?;
    writeln!(out, "hash     {}", hex::encode(e.hash))?;
    writeln!(out, "prev     {}", e.body.prev)?;
    match covered {
        Some((size, true)) => writeln!(out, "proof    included in signed checkpoint of size {size} ✓")?,
        Some((size, false)) => writeln!(
            out,
            "proof    NOT provable against checkpoint of size {size} — run `lockgate audit verify`"
        )?,
        None => writeln!(
            out,
            "proof    not yet covered by a signed checkpoint (run `lockgate audit checkpoint`)"
        )?,
    }
    writeln!(
        out,
        "payload  {}",
        sanitize(&serde_json::to_string_pretty(&e.body.payload)?).replace('\n', "\n         ")
    )?;
    if let Some(commitments) = e.body.payload.get("private").and_then(|p| p.as_object()) {
        for name in commitments.keys() {
            match private.iter().find(|(k, _)| k == name) {
                Some((_, v)) => writeln!(out, "private  {name} = {} (held off-log)", sanitize(v))?,
                None => writeln!(out, "private  {name} = [erased]")?,
            }
        }
    }
    Ok(Exit::Ok)
}

fn no_such_event(e: ledger::LedgerError) -> anyhow::Error {
    match e {
        ledger::LedgerError::NoSuchEvent(seq) => UserError::usage(format!("there is no event {seq}"))
            .with_hint("`lockgate audit log` lists the events")
            .into(),
        other => other.into(),
    }
}

/// The key verification is pinned to: `--pubkey`, else the key stored when
/// the ledger was created. Never a key taken from the log or the bundle.
fn pinned_key(g: &GlobalArgs, pubkey: Option<PathBuf>) -> Result<VerifierKey> {
    let path = match pubkey {
        Some(p) => p,
        None => {
            let cfg = super::ledger_config(g)?;
            if !cfg.trusted.exists() {
                return Err(UserError::usage(format!("no pinned verifier key at {}", cfg.trusted.display()))
                    .with_hint("pass --pubkey FILE with the key you trust (from `lockgate audit pubkey` on the ledger's host)")
                    .into());
            }
            cfg.trusted
        }
    };
    ledger::read_verifier(&path).map_err(|e| {
        UserError::usage(e.to_string())
            .with_hint("a verifier key file holds one line `name+hash+base64`, as printed by `lockgate audit pubkey`")
            .into()
    })
}

fn verify(g: &GlobalArgs, pubkey: Option<PathBuf>, bundle_dir: Option<PathBuf>, as_json: bool) -> Result<Exit> {
    let (report, what) = match &bundle_dir {
        Some(dir) => {
            let key = match pubkey {
                Some(p) => pinned_key(g, Some(p))?,
                None => match super::ledger_config(g).ok().filter(|c| c.trusted.exists()) {
                    Some(c) => pinned_key(g, Some(c.trusted))?,
                    None => {
                        return Err(UserError::usage("verifying a bundle needs a key you trust")
                            .with_hint(format!(
                                "pass --pubkey FILE; the bundle's own {}/ledger.pub proves nothing until you compare it with a key you pinned",
                                dir.display()
                            ))
                            .into());
                    }
                },
            };
            (
                bundle::verify(dir, &key).map_err(|e| UserError::usage(e.to_string()))?,
                format!("bundle {}", dir.display()),
            )
        }
        None => {
            let key = pinned_key(g, pubkey)?;
            let ledger = super::open_ledger_read(g)?;
            let what = ledger.describe();
            (ledger.verify(&key)?, what)
        }
    };
    if as_json {
        super::print_json(&report)?;
    } else {
        let mut out = anstream::stdout().lock();
        if report.ok() {
            let green = anstyle::AnsiColor::Green.on_default().bold();
            writeln!(out, "{green}✓ verified{green:#} {what}")?;
            writeln!(
                out,
                "  {} events re-hashed; hash chain and sequence intact",
                report.events
            )?;
            writeln!(out, "  root {}", report.root)?;
            match report.verified_up_to {
                Some(n) => writeln!(
                    out,
                    "  {} signed checkpoint(s) verified up to {n} with key {}",
                    report.checkpoints,
                    report.key.split('+').take(2).collect::<Vec<_>>().join("+")
                )?,
                None => writeln!(out, "  no signed checkpoints yet")?,
            }
            if report.unsigned_tail > 0 {
                writeln!(
                    out,
                    "  {} newest event(s) not yet covered by a checkpoint (`lockgate audit checkpoint` signs them)",
                    report.unsigned_tail
                )?;
            }
        } else {
            let red = anstyle::AnsiColor::Red.on_default().bold();
            let first = &report.problems[0];
            writeln!(out, "{red}✗ verification failed{red:#} for {what}")?;
            match (first.seq, first.checkpoint) {
                (Some(seq), _) => writeln!(out, "  first bad event: {seq}")?,
                (None, Some(cp)) => writeln!(out, "  first bad checkpoint: size {cp}")?,
                _ => {}
            }
            for p in &report.problems {
                writeln!(out, "  - {}", sanitize(&p.message))?;
            }
        }
    }
    Ok(if report.ok() { Exit::Ok } else { Exit::Failed })
}

fn latest_size(ledger: &Ledger) -> Result<u64> {
    Ok(match ledger.latest_checkpoint()? {
        Some(c) => c.size,
        None => ledger.size()?,
    })
}

fn b64(h: &[u8]) -> String {
    B64.encode(h)
}

fn proof(g: &GlobalArgs, seq: u64, size: Option<u64>) -> Result<Exit> {
    let ledger = super::open_ledger_read(g)?;
    let e = ledger.event(seq).map_err(no_such_event)?;
    let latest = ledger.latest_checkpoint()?;
    let size = match size {
        Some(s) => s,
        None => match &latest {
            Some(c) if c.size >= seq => c.size,
            _ => ledger.size()?,
        },
    };
    if size < seq || size > ledger.size()? {
        return Err(UserError::usage(format!("event {seq} is not in a tree of size {size}"))
            .with_hint(format!("choose --size between {seq} and {}", ledger.size()?))
            .into());
    }
    let path = ledger.inclusion_proof(seq, size)?;
    let root = ledger.root_at(size)?;
    let checkpoint = ledger
        .checkpoints()?
        .into_iter()
        .find(|c| c.size == size)
        .map(|c| c.note);
    super::print_json(&json!({
        "seq": seq,
        "leafIdx": seq - 1,
        "treeSize": size,
        "leafHash": b64(&e.hash),
        "root": b64(&root),
        "proof": path.iter().map(|h| b64(h)).collect::<Vec<_>>(),
        "checkpoint": checkpoint,
        "note": "RFC 6962: leaf hash = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)",
    }))?;
    Ok(Exit::Ok)
}

fn consistency(g: &GlobalArgs, from: u64, to: Option<u64>) -> Result<Exit> {
    let ledger = super::open_ledger_read(g)?;
    let to = match to {
        Some(t) => t,
        None => latest_size(&ledger)?,
    };
    if from > to || to > ledger.size()? {
        return Err(UserError::usage(format!(
            "cannot prove {from} → {to} in a log of {} events",
            ledger.size()?
        ))
        .with_hint("the first size must not exceed the second, and neither the log's size")
        .into());
    }
    let path = ledger.consistency_proof(from, to)?;
    super::print_json(&json!({
        "size1": from,
        "size2": to,
        "root1": b64(&ledger.root_at(from)?),
        "root2": b64(&ledger.root_at(to)?),
        "proof": path.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    }))?;
    Ok(Exit::Ok)
}

fn checkpoint(g: &GlobalArgs) -> Result<Exit> {
    let mut ledger = super::open_ledger(g)?;
    let text = ledger.seal()?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Ok)
}

fn pubkey(g: &GlobalArgs) -> Result<Exit> {
    let cfg = super::ledger_config(g)?;
    let key = if cfg.trusted.exists() {
        ledger::read_verifier(&cfg.trusted)?
    } else {
        // Creating the ledger creates its key and pins it.
        let ledger = super::open_ledger(g)?;
        ledger.trusted_key()?
    };
    writeln!(std::io::stdout(), "{}", key.encode())?;
    Ok(Exit::Ok)
}

fn export(g: &GlobalArgs, out: &std::path::Path) -> Result<Exit> {
    let mut ledger = super::open_ledger(g)?;
    // Cover every event with a signature before handing the trail over.
    ledger.seal()?;
    let done = bundle::export(&ledger, out)
        .map_err(|e| UserError::usage(e.to_string()).with_hint("choose a new, empty directory"))?;
    if !g.quiet {
        writeln!(
            std::io::stdout(),
            "exported {} events and {} signed checkpoints to {}\nverify anywhere with: lockgate audit verify --bundle {} --pubkey <key you trust>",
            done.events,
            done.checkpoints,
            done.dir,
            done.dir
        )?;
    }
    Ok(Exit::Ok)
}

fn erase(g: &GlobalArgs, seq: u64, field: &str, reason: &str) -> Result<Exit> {
    if reason.trim().is_empty() {
        return Err(UserError::usage("an erasure needs a reason")
            .with_hint("e.g. --reason \"erasure request #123\"")
            .into());
    }
    let mut ledger = super::open_ledger(g)?;
    let ev = ledger
        .erase_private(seq, field, reason, Actor::local())
        .map_err(|e| match e {
            ledger::LedgerError::Invalid(m) => UserError::usage(m)
                .with_hint("`lockgate audit show SEQ` lists an event's private fields")
                .into(),
            other => no_such_event(other),
        })?;
    if !g.quiet {
        writeln!(
            std::io::stdout(),
            "erased `{field}` of event {seq}; recorded as event {}",
            ev.seq()
        )?;
    }
    Ok(Exit::Ok)
}

fn bench_append(g: &GlobalArgs, count: u64, batch: usize, threads: usize, print_acks: bool) -> Result<Exit> {
    let ledger = super::open_ledger(g)?;
    let committer = committer::Committer::start(ledger, 4096);
    let threads = threads.max(1);
    let batch = batch.max(1);
    let stdout = std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let appender = committer.appender();
            let stdout = stdout.clone();
            let mine = count / threads as u64 + u64::from((t as u64) < count % threads as u64);
            std::thread::spawn(move || -> Result<()> {
                let mut done = 0u64;
                while done < mine {
                    let n = (mine - done).min(batch as u64);
                    let events: Vec<NewEvent> = (0..n)
                        .map(|i| {
                            NewEvent::new(
                                Actor::system(),
                                format!("bench/{t}"),
                                &Note {
                                    message: format!("synthetic event {} of thread {t}", done + i),
                                },
                            )
                        })
                        .collect();
                    let seqs = appender.append(events)?;
                    if print_acks {
                        let mut out = stdout.lock().map_err(|_| anyhow::anyhow!("stdout lock poisoned"))?;
                        for s in seqs {
                            writeln!(out, "{s}")?;
                        }
                        out.flush()?;
                    }
                    done += n;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("an appending thread panicked"))?
            .context("appending")?;
    }
    committer.shutdown()?;
    Ok(Exit::Ok)
}
