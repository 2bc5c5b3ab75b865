//! Audit export bundles: everything needed to verify a ledger offline, in a
//! directory that can be moved anywhere.
//!
//! ```text
//! DIR/events.jsonl          one canonical entry per line, in order (event 1 first)
//! DIR/checkpoints/N.txt     every signed checkpoint, named by tree size
//! DIR/ledger.pub            the log's verifier key (for reference: verify with a key you pinned)
//! DIR/README.txt            how to verify
//! ```
//!
//! Private (personal) fields held off-log are *not* exported; the events
//! carry only their salted commitments.

use std::io::{BufRead as _, BufWriter, Write as _};
use std::path::Path;

use super::note::VerifierKey;
use super::verify::{Report, Verifier};
use super::{Ledger, LedgerError, Result};

fn io_err(path: &Path, e: std::io::Error) -> LedgerError {
    LedgerError::Invalid(format!("{}: {e}", path.display()))
}

/// What was exported.
#[derive(Debug, serde::Serialize)]
pub struct Exported {
    pub events: u64,
    pub checkpoints: usize,
    pub dir: String,
}

/// Writes the bundle of `ledger` to `dir` (created; must be empty or absent).
pub fn export(ledger: &Ledger, dir: &Path) -> Result<Exported> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?.next().is_some() {
        return Err(LedgerError::Invalid(format!(
            "{} is not empty; export into a new directory",
            dir.display()
        )));
    }
    let cps_dir = dir.join("checkpoints");
    std::fs::create_dir_all(&cps_dir).map_err(|e| io_err(&cps_dir, e))?;
    let events_path = dir.join("events.jsonl");
    let file = std::fs::File::create(&events_path).map_err(|e| io_err(&events_path, e))?;
    let mut w = BufWriter::new(file);
    let mut count = 0u64;
    let mut werr: Option<std::io::Error> = None;
    ledger.store().scan(1, &mut |e| {
        count += 1;
        if let Err(err) = w.write_all(&e.entry).and_then(|_| w.write_all(b"\n")) {
            werr = Some(err);
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(e) = werr {
        return Err(io_err(&events_path, e));
    }
    w.flush().map_err(|e| io_err(&events_path, e))?;
    let cps = ledger.checkpoints()?;
    for c in &cps {
        let p = cps_dir.join(format!("{}.txt", c.size));
        std::fs::write(&p, &c.note).map_err(|e| io_err(&p, e))?;
    }
    if let Some(v) = ledger.signer_verifier().or_else(|| ledger.trusted_key().ok()) {
        let p = dir.join("ledger.pub");
        std::fs::write(&p, format!("{}\n", v.encode())).map_err(|e| io_err(&p, e))?;
    }
    let readme = dir.join("README.txt");
    std::fs::write(
        &readme,
        "lockgate audit bundle\n\n\
         events.jsonl       every event's canonical entry, one per line, event 1 first\n\
         checkpoints/N.txt  signed checkpoints (C2SP signed note), N = tree size\n\
         ledger.pub         the log's verifier key as exported; compare it with the key you\n\
         \x20                  pinned earlier (e.g. from `lockgate audit pubkey`) before trusting it\n\n\
         Verify:  lockgate audit verify --bundle . --pubkey PINNED_KEY_FILE\n",
    )
    .map_err(|e| io_err(&readme, e))?;
    Ok(Exported {
        events: count,
        checkpoints: cps.len(),
        dir: dir.display().to_string(),
    })
}

/// Verifies a bundle directory against the pinned `key`.
pub fn verify(dir: &Path, key: &VerifierKey) -> Result<Report> {
    let events_path = dir.join("events.jsonl");
    let file = std::fs::File::open(&events_path).map_err(|e| io_err(&events_path, e))?;
    let mut v = Verifier::new();
    for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| io_err(&events_path, e))?;
        if line.is_empty() {
            continue;
        }
        v.entry(i as u64 + 1, &line, None);
    }
    let cps_dir = dir.join("checkpoints");
    let mut notes = Vec::new();
    if cps_dir.is_dir() {
        for entry in std::fs::read_dir(&cps_dir).map_err(|e| io_err(&cps_dir, e))? {
            let p = entry.map_err(|e| io_err(&cps_dir, e))?.path();
            if p.extension().is_some_and(|x| x == "txt") {
                notes.push(std::fs::read_to_string(&p).map_err(|e| io_err(&p, e))?);
            }
        }
    }
    Ok(v.finish(&notes, key))
}
