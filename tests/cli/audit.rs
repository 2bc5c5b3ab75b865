//! The audit ledger through the real binary: notes, log, proofs, tamper
//! detection, offline bundles, erasure, concurrent writers and crashes.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use lockgate::ledger::merkle::{verify_consistency, verify_inclusion};
use lockgate::ledger::note::{Checkpoint, SignerKey};
use serde_json::Value;

use super::{assert_no_panic, lockgate, stderr, stdout};

/// A project directory with a ledger holding `notes` notes (plus `ledger.created`).
fn project(notes: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), "project: shop\n").unwrap();
    for i in 0..notes {
        lockgate(dir.path())
            .args(["audit", "note", &format!("note {i}")])
            .env("LOCKGATE_USER", "alice@example.com")
            .assert()
            .code(0);
    }
    dir
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(".lockgate/ledger.db")).unwrap()
}

fn verify(dir: &Path) -> (i32, String) {
    let out = lockgate(dir).args(["audit", "verify"]).output().unwrap();
    assert_no_panic(&out);
    (out.status.code().unwrap(), stdout(&out))
}

fn verify_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = lockgate(dir)
        .args(["audit", "verify", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert_no_panic(&out);
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap(), v)
}

#[test]
fn notes_are_logged_with_actor_and_verify() {
    let dir = project(3);
    lockgate(dir.path())
        .args(["audit", "note", "failover drill", "--subject", "env/production"])
        .env("LOCKGATE_USER", "bob@example.com")
        .assert()
        .code(0);
    let out = lockgate(dir.path()).args(["audit", "log", "--json"]).output().unwrap();
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0]["kind"], "ledger.created");
    assert_eq!(events[4]["actor"], "user:bob@example.com");
    assert_eq!(events[4]["subject"], "env/production");
    assert_eq!(events[4]["payload"]["message"], "failover drill");
    // Each event chains to the previous one.
    for w in events.windows(2) {
        assert_eq!(w[1]["prev"], w[0]["hash"]);
    }
    // Filters.
    let by_actor = lockgate(dir.path())
        .args(["audit", "log", "--json", "--actor", "bob@example.com"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&by_actor.stdout).unwrap().len(), 1);
    let by_kind = lockgate(dir.path())
        .args(["audit", "log", "--json", "--kind", "audit.*"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&by_kind.stdout).unwrap().len(), 4);
    let by_subject = lockgate(dir.path())
        .args(["audit", "log", "--json", "--subject", "env"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<Value>>(&by_subject.stdout).unwrap().len(),
        1
    );
    let future = lockgate(dir.path())
        .args(["audit", "log", "--json", "--since", "2999-01-01"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&future.stdout).unwrap().len(), 0);
    let recent = lockgate(dir.path())
        .args(["audit", "log", "--json", "--since", "1h"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&recent.stdout).unwrap().len(), 5);
    let bad = lockgate(dir.path())
        .args(["audit", "log", "--since", "yesterday-ish"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let (code, text) = verify(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("5 events re-hashed"), "{text}");
}

#[test]
fn proofs_from_the_cli_verify_independently() {
    let dir = project(6);
    for seq in 1..=7u64 {
        let out = lockgate(dir.path())
            .args(["audit", "proof", &seq.to_string()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let p: Value = serde_json::from_slice(&out.stdout).unwrap();
        let size = p["treeSize"].as_u64().unwrap();
        assert_eq!(size, 7);
        let proof: Vec<Vec<u8>> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| B64.decode(h.as_str().unwrap()).unwrap())
            .collect();
        assert!(proof.len() <= 3, "⌈log2 7⌉ = 3 hashes at most");
        let root = B64.decode(p["root"].as_str().unwrap()).unwrap();
        let leaf = B64.decode(p["leafHash"].as_str().unwrap()).unwrap();
        verify_inclusion(seq - 1, size, &leaf, &proof, &root).unwrap();
        // The root is the signed one.
        let cp = Checkpoint::parse(p["checkpoint"].as_str().unwrap()).unwrap();
        assert_eq!(cp.root.to_vec(), root);
    }
    let out = lockgate(dir.path())
        .args(["audit", "consistency", "3", "7"])
        .output()
        .unwrap();
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = |k: &str| B64.decode(c[k].as_str().unwrap()).unwrap();
    let proof: Vec<Vec<u8>> = c["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| B64.decode(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency(3, 7, &d("root1"), &d("root2"), &proof).unwrap();
    let missing = lockgate(dir.path()).args(["audit", "show", "99"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("there is no event 99"));
}

#[test]
fn tampering_flip_a_byte_is_found_at_its_event() {
    let dir = project(5);
    db(dir.path())
        .execute(
            "UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), 'note 2', 'note X') AS BLOB) WHERE seq = 4",
            [],
        )
        .unwrap();
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("first bad event: 4"), "{text}");
    assert!(text.contains("event 4 was changed after it was recorded"), "{text}");
}

#[test]
fn tampering_flip_a_byte_and_its_stored_hash_is_still_found() {
    let dir = project(5);
    let conn = db(dir.path());
    let entry: Vec<u8> = conn
        .query_row("SELECT entry FROM events WHERE seq = 3", [], |r| r.get(0))
        .unwrap();
    let forged = String::from_utf8(entry)
        .unwrap()
        .replace("note 1", "note Z")
        .into_bytes();
    let leaf = lockgate::ledger::merkle::leaf_hash(&forged);
    conn.execute(
        "UPDATE events SET entry = ?1, leaf = ?2 WHERE seq = 3",
        rusqlite::params![forged, leaf.to_vec()],
    )
    .unwrap();
    let (code, v) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        v["problems"][0]["seq"], 4,
        "the next event's chain link names it: {v:#}"
    );
    assert!(v["problems"].as_array().unwrap().iter().any(|p| {
        p["message"]
            .as_str()
            .unwrap()
            .contains("do not hash to the signed root")
    }));
}

#[test]
fn tampering_deleting_an_event_is_found() {
    let dir = project(5);
    db(dir.path()).execute("DELETE FROM events WHERE seq = 3", []).unwrap();
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1);
    assert!(text.contains("first bad event: 3"), "{text}");
    assert!(text.contains("event 3 is missing"), "{text}");
}

#[test]
fn tampering_reordering_two_events_is_found() {
    let dir = project(5);
    let conn = db(dir.path());
    conn.execute_batch(
        "UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = -1;",
    )
    .unwrap();
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1);
    assert!(text.contains("first bad event: 3"), "{text}");
    assert!(text.contains("says it is event 4"), "{text}");
}

#[test]
fn tampering_truncating_the_log_is_found() {
    let dir = project(5);
    db(dir.path()).execute("DELETE FROM events WHERE seq > 3", []).unwrap();
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1);
    assert!(text.contains("first bad event: 4"), "{text}");
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn tampering_replacing_the_checkpoint_key_is_found_and_verification_is_pinned() {
    let dir = project(3);
    let rogue = SignerKey::generate("lockgate/shop").unwrap();
    let conn = db(dir.path());
    let notes: Vec<(i64, String)> = conn
        .prepare("SELECT size, note FROM checkpoints")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (size, note) in notes {
        let cp = Checkpoint::parse(&note).unwrap();
        let forged = rogue.sign_checkpoint("lockgate/shop", cp.size, &cp.root);
        conn.execute(
            "UPDATE checkpoints SET note = ?1 WHERE size = ?2",
            rusqlite::params![forged, size],
        )
        .unwrap();
    }
    // The attacker also swaps the signing key file; the pinned key stays.
    std::fs::write(dir.path().join(".lockgate/ledger.key"), format!("{}\n", rogue.encode())).unwrap();
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("first bad checkpoint"), "{text}");
    assert!(text.contains("carries no signature by key"), "{text}");
    // Verifying with the rogue key (as if the auditor were handed it) passes:
    // which is why the key must be one the verifier pinned.
    let rogue_pub = dir.path().join("rogue.pub");
    std::fs::write(&rogue_pub, rogue.verifier().encode()).unwrap();
    let out = lockgate(dir.path())
        .args(["audit", "verify", "--pubkey"])
        .arg(&rogue_pub)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn export_bundle_verifies_after_moving_and_detects_edits() {
    let dir = project(4);
    let out_dir = dir.path().join("bundle");
    lockgate(dir.path())
        .args(["audit", "export", "--out"])
        .arg(&out_dir)
        .assert()
        .code(0);
    let pubkey = lockgate(dir.path()).args(["audit", "pubkey"]).output().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("audit-2026");
    std::fs::rename(&out_dir, &moved).unwrap();
    let key_file = elsewhere.path().join("pinned.pub");
    std::fs::write(&key_file, &pubkey.stdout).unwrap();
    // No project here: the verifier must supply the key.
    let no_key = lockgate(elsewhere.path())
        .args(["audit", "verify", "--bundle"])
        .arg(&moved)
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2));
    assert!(stderr(&no_key).contains("needs a key you trust"), "{}", stderr(&no_key));
    let ok = lockgate(elsewhere.path())
        .args(["audit", "verify", "--bundle"])
        .arg(&moved)
        .arg("--pubkey")
        .arg(&key_file)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("5 events re-hashed"), "{}", stdout(&ok));
    // Edit one line of the bundle.
    let events = moved.join("events.jsonl");
    let text = std::fs::read_to_string(&events).unwrap().replace("note 2", "note 9");
    std::fs::write(&events, text).unwrap();
    let bad = lockgate(elsewhere.path())
        .args(["audit", "verify", "--bundle"])
        .arg(&moved)
        .arg("--pubkey")
        .arg(&key_file)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("first bad event: 5"), "{}", stdout(&bad));
}

#[test]
fn the_key_is_private_and_the_public_key_pinned() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(1);
    let mode = std::fs::metadata(dir.path().join(".lockgate/ledger.key"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let pinned = std::fs::read_to_string(dir.path().join(".lockgate/ledger.pub")).unwrap();
    let printed = lockgate(dir.path()).args(["audit", "pubkey"]).output().unwrap();
    assert_eq!(stdout(&printed), pinned);
    // A key readable by others is refused, like ssh does.
    std::fs::set_permissions(
        dir.path().join(".lockgate/ledger.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = lockgate(dir.path()).args(["audit", "note", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("readable by others"), "{}", stderr(&out));
}

#[test]
fn personal_data_is_held_off_log_and_can_be_erased_without_breaking_verification() {
    let dir = project(0);
    let cfg = lockgate::ledger::Config::in_dir(&dir.path().join(".lockgate"), "lockgate/shop");
    {
        let mut ledger = lockgate::ledger::Ledger::open(cfg).unwrap();
        let ev = lockgate::ledger::NewEvent::new(
            lockgate::ledger::Actor::system(),
            "user/42",
            &lockgate::ledger::Note {
                message: "access granted".into(),
            },
        )
        .with_private("email", "carol@example.com");
        ledger.append(ev).unwrap();
    }
    let show = lockgate(dir.path()).args(["audit", "show", "2"]).output().unwrap();
    assert!(
        stdout(&show).contains("email = carol@example.com (held off-log)"),
        "{}",
        stdout(&show)
    );
    let entry: Vec<u8> = db(dir.path())
        .query_row("SELECT entry FROM events WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&entry).contains("carol"),
        "personal data must not be in the hashed entry"
    );
    lockgate(dir.path())
        .args(["audit", "erase", "2", "email", "--reason", "erasure request #7"])
        .assert()
        .code(0);
    let show = lockgate(dir.path()).args(["audit", "show", "2"]).output().unwrap();
    assert!(stdout(&show).contains("email = [erased]"), "{}", stdout(&show));
    let (code, text) = verify(dir.path());
    assert_eq!(code, 0, "{text}");
    let file = std::fs::read(dir.path().join(".lockgate/ledger.db")).unwrap();
    assert!(
        !file.windows(5).any(|w| w == b"carol"),
        "erased value must not remain in the database file"
    );
    let again = lockgate(dir.path())
        .args(["audit", "erase", "2", "email", "--reason", "again"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn secrets_never_reach_the_ledger() {
    let dir = project(0);
    let cfg = lockgate::ledger::Config::in_dir(&dir.path().join(".lockgate"), "lockgate/shop");
    let mut ledger = lockgate::ledger::Ledger::open(cfg).unwrap();
    ledger.set_secrets(vec!["s3cr3t-token".into()]);
    let ev = ledger
        .append(lockgate::ledger::NewEvent::new(
            lockgate::ledger::Actor::system(),
            "run/1",
            &lockgate::ledger::Note {
                message: "deploying with s3cr3t-token now".into(),
            },
        ))
        .unwrap();
    assert!(!String::from_utf8_lossy(&ev.entry).contains("s3cr3t"));
    assert_eq!(ev.body.payload["message"], "deploying with *** now");
}

#[test]
fn reading_commands_need_an_existing_ledger_and_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).args(["audit", "log"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no lockgate.yaml"), "{}", stderr(&out));
    std::fs::write(dir.path().join("lockgate.yaml"), "project: shop\n").unwrap();
    let out = lockgate(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = lockgate(dir.path()).args(["audit", "log"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no ledger yet"), "{}", stderr(&out));
    // --store works without a project.
    let bare = tempfile::tempdir().unwrap();
    lockgate(bare.path())
        .args(["--store", "sqlite:state/l.db", "audit", "note", "hi"])
        .assert()
        .code(0);
    lockgate(bare.path())
        .args(["--store", "sqlite:state/l.db", "audit", "verify"])
        .assert()
        .code(0);
    let pg = lockgate(bare.path())
        .args(["--store", "postgres://u:pw@db/x", "audit", "note", "hi"])
        .output()
        .unwrap();
    assert_eq!(pg.status.code(), Some(2));
    assert!(
        !stderr(&pg).contains("pw@"),
        "credentials must not be echoed: {}",
        stderr(&pg)
    );
}

#[test]
fn concurrent_writer_processes_make_one_linear_history() {
    let dir = project(0);
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
                .args([
                    "audit",
                    "bench-append",
                    "--count",
                    "250",
                    "--batch",
                    "5",
                    "--threads",
                    "2",
                ])
                .current_dir(dir.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (code, v) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["events"], 1001);
    assert_eq!(v["unsigned_tail"], 0);
    let created = lockgate(dir.path())
        .args(["audit", "log", "--json", "--kind", "ledger.created"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&created.stdout).unwrap().len(), 1);
}

#[test]
fn concurrent_first_use_creates_one_ledger_and_one_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), "project: shop\n").unwrap();
    let children: Vec<_> = (0..6)
        .map(|i| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
                .args(["audit", "note", &format!("first {i}")])
                .current_dir(dir.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (code, v) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["events"], 7);
}

/// A tiny deterministic generator so the kill moments vary but reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[test]
fn sigkill_while_appending_loses_no_acknowledged_event() {
    let dir = project(0);
    let mut rng = Lcg(0x5eed);
    let mut max_acked = 0u64;
    let mut kills = 0;
    for round in 0..50 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
            .args([
                "audit",
                "bench-append",
                "--count",
                "1000000",
                "--batch",
                "1",
                "--threads",
                "2",
                "--print-acks",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let acked = Arc::new(Mutex::new(0u64));
        let reader = {
            let acked = acked.clone();
            let out = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(seq) = line.trim().parse::<u64>() {
                        let mut a = acked.lock().unwrap();
                        *a = (*a).max(seq);
                    }
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(5 + rng.next(60)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        kills += 1;
        max_acked = max_acked.max(*acked.lock().unwrap());
        if round % 10 == 9 {
            let (code, v) = verify_json(dir.path(), &[]);
            assert_eq!(code, 0, "after {kills} kills: {v:#}");
            assert!(
                v["events"].as_u64().unwrap() >= max_acked,
                "acknowledged event lost: {v:#} < {max_acked}"
            );
        }
    }
    let (code, v) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    let events = v["events"].as_u64().unwrap();
    assert!(
        events >= max_acked && max_acked > 0,
        "events {events}, acked {max_acked}"
    );
    // No gaps: every sequence number up to the size is present.
    let n: i64 = db(dir.path())
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as u64, events);
    eprintln!("{kills} SIGKILLs, {events} events, highest acknowledged {max_acked}");
}
