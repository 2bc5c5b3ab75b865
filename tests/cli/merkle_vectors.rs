//! Conformance with the language-neutral RFC 6962 test vectors of
//! transparency-dev/merkle, read from `../shared/testdata/merkle` (never
//! copied into this repository). Skipped with a message when the folder is
//! absent, unless LOCKGATE_REQUIRE_SHARED=1 (set by .ci/run) makes it mandatory.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use lockgate::ledger::merkle::{verify_consistency, verify_inclusion};
use serde_json::Value;

fn vectors_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/merkle");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LOCKGATE_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("LOCKGATE_REQUIRE_SHARED=1 but {} is missing", dir.display());
    }
    eprintln!(
        "SKIP shared_merkle_vectors: {} not found (the shared folder is not beside the project)",
        dir.display()
    );
    None
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn bytes(v: &Value) -> Vec<u8> {
    // Some vectors hold deliberately malformed (non-base64) values.
    v.as_str()
        .map(|s| B64.decode(s).unwrap_or_else(|_| s.as_bytes().to_vec()))
        .unwrap_or_default()
}

fn proof(v: &Value) -> Vec<Vec<u8>> {
    v.as_array().map(|a| a.iter().map(bytes).collect()).unwrap_or_default()
}

#[test]
fn shared_merkle_vectors_inclusion_and_consistency() {
    let Some(dir) = vectors_dir() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    let (mut inclusion, mut consistency, mut rejected) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in &all {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let want_err = v["wantErr"].as_bool().unwrap_or(false);
        let result = if v.get("leafIdx").is_some() {
            inclusion += 1;
            verify_inclusion(
                v["leafIdx"].as_u64().unwrap(),
                v["treeSize"].as_u64().unwrap(),
                &bytes(&v["leafHash"]),
                &proof(&v["proof"]),
                &bytes(&v["root"]),
            )
        } else {
            consistency += 1;
            verify_consistency(
                v["size1"].as_u64().unwrap(),
                v["size2"].as_u64().unwrap(),
                &bytes(&v["root1"]),
                &bytes(&v["root2"]),
                &proof(&v["proof"]),
            )
        };
        if want_err {
            rejected += 1;
        }
        if result.is_err() != want_err {
            failures.push(format!(
                "{}: wantErr={want_err}, got {result:?}",
                path.strip_prefix(&dir).unwrap().display()
            ));
        }
    }
    eprintln!(
        "shared merkle vectors: {inclusion} inclusion, {consistency} consistency, {rejected} that must be rejected"
    );
    assert!(
        inclusion > 50 && consistency > 50,
        "too few vectors found: {inclusion} / {consistency}"
    );
    assert!(
        failures.is_empty(),
        "{} vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
