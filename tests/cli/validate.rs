//! `lockgate validate` on good and bad files: exit codes and the exact
//! diagnostics (file, line, column, excerpt, hint) as snapshots.

use std::path::Path;

use super::{assert_no_panic, lockgate, stderr, stdout};

fn validate_text(text: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), text).unwrap();
    let out = lockgate(dir.path()).arg("validate").output().unwrap();
    assert_no_panic(&out);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

const GOOD: &str = "\
project: shop
environments:
  staging: {}
  production:
    promote_from: staging
    approvals: { required: 2, roles: [release-manager] }
    freeze: [\"Fri 16:00 - Mon 08:00 Europe/Berlin\"]
services:
  api:
    run: ./api --port ${PORT}
    health: /healthz
    port: 8080
    strategy:
      canary:
        steps: [10, 25, pause, 50, 100]
        interval: 30s
        analysis: [\"error_rate < 1%\", \"p99_latency < 300ms\"]
pipeline:
  build: { run: cargo build --release, inputs: [\"src/**\", Cargo.lock] }
  test: { run: cargo nextest run --profile ci, needs: [build], reports: { junit: target/nextest/ci/junit.xml } }
gates:
  pipeline-and-deployment:
    environment: production
    items:
      - tests.failed == 0
      - { id: coverage, check: \"coverage.lines >= 80%\" }
      - { id: rollback, attest: sre }
";

#[test]
fn a_good_file_is_valid() {
    let (code, out, err) = validate_text(GOOD.as_bytes());
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(
        out,
        "✓ lockgate.yaml is valid: project `shop`, 2 environment(s), 1 service(s), 2 job(s), 1 gate(s)\n"
    );
}

#[test]
fn bad_files_get_one_located_diagnostic_and_exit_2() {
    let cases: &[(&str, &[u8])] = &[
        ("malformed_yaml", b"project: shop\npipeline:\n  build: {run: make\n"),
        ("bad_indentation", b"project: shop\n  pipeline: {}\n"),
        ("wrong_type", b"project: shop\npipeline:\n  build:\n    run: [make, all]\n"),
        ("unknown_key", b"project: shop\npipeline:\n  build:\n    run: make\n    neds: [test]\n"),
        ("unknown_top_level_key", b"project: shop\npipelines: {}\n"),
        ("missing_project", b"pipeline:\n  build: { run: make }\n"),
        ("bad_duration", b"project: shop\npipeline:\n  build:\n    run: make\n    timeout: 10\n"),
        ("bad_percentage", b"project: shop\nservices:\n  web:\n    run: x\n    strategy: { canary: { steps: [10, 150] } }\n"),
        ("bad_freeze_zone", b"project: shop\nenvironments:\n  prod:\n    freeze: [\"Fri 16:00 - Mon 08:00 Mars/Olympus\"]\n"),
        ("unset_variable", b"project: ${LOCKGATE_TEST_SURELY_UNSET}\n"),
        ("required_variable_message", b"project: shop\nledger:\n  store: ${LOCKGATE_TEST_UNSET_STORE:?set the ledger URL}\n"),
        ("empty_file", b"\n"),
        ("not_utf8", b"project: sh\xffop\n"),
        ("unknown_needs", b"project: shop\npipeline:\n  build: { run: make }\n  test: { run: make test, needs: [biuld] }\n"),
        ("cycle", b"project: shop\npipeline:\n  a: { run: x, needs: [c] }\n  b: { run: x, needs: [a] }\n  c: { run: x, needs: [b] }\n"),
        ("gate_unknown_environment", b"project: shop\nenvironments:\n  production: {}\ngates:\n  release: { environment: prod, items: [\"tests.failed == 0\"] }\n"),
        ("promotion_unknown", b"project: shop\nenvironments:\n  staging: {}\n  production: { promote_from: stagin }\n"),
        ("item_without_check_or_attest", b"project: shop\ngates:\n  g:\n    items:\n      - { id: x, title: Something }\n"),
        ("port_conflict", b"project: shop\nservices:\n  a: { run: x, port: 8080 }\n  b: { run: y, port: 8080 }\n"),
        ("unknown_secret", b"project: shop\nsecrets:\n  TOKEN: { env: CI_TOKEN }\npipeline:\n  deploy: { run: x, secrets: [TOKN] }\n"),
    ];
    let mut failures = Vec::new();
    for (name, text) in cases {
        let (code, out, err) = validate_text(text);
        if code != 2 {
            failures.push(format!("{name}: exit {code}, stdout {out}"));
        }
        assert!(
            out.is_empty(),
            "{name}: nothing on stdout for an invalid file, got {out}"
        );
        insta::assert_snapshot!(format!("validate_{name}"), err);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn several_validation_errors_are_reported_together() {
    let (code, _, err) = validate_text(
        b"project: shop\npipeline:\n  a: { run: x, needs: [nope] }\ngates:\n  g: { environment: nowhere, items: [\"tests.failed == 0\"] }\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("lockgate.yaml:3:24"), "{err}");
    assert!(err.contains("lockgate.yaml:5:21"), "{err}");
    assert!(err.ends_with("2 errors found; nothing was run\n"), "{err}");
}

#[test]
fn json_output_lists_errors_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lockgate.yaml"),
        "project: shop\npipeline:\n  t: { run: x, needs: [b] }\n",
    )
    .unwrap();
    let out = lockgate(dir.path()).args(["validate", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let e = &v["errors"][0];
    assert_eq!(e["file"], "lockgate.yaml");
    assert_eq!((e["line"].as_u64(), e["column"].as_u64()), (Some(3), Some(24)));
    assert_eq!(e["message"], "unknown job `b`");

    std::fs::write(dir.path().join("lockgate.yaml"), GOOD).unwrap();
    let out = lockgate(dir.path()).args(["validate", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["summary"]["jobs"], 2);
}

#[test]
fn config_is_found_in_a_parent_directory_or_given_with_f() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), GOOD).unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    lockgate(&sub).arg("validate").assert().code(0);
    let other = tempfile::tempdir().unwrap();
    lockgate(other.path())
        .args(["-f"])
        .arg(dir.path().join("lockgate.yaml"))
        .arg("validate")
        .assert()
        .code(0);
    lockgate(other.path())
        .arg("validate")
        .env("LOCKGATE_CONFIG", dir.path().join("lockgate.yaml"))
        .assert()
        .code(0);
}

#[test]
fn missing_file_and_missing_config_exit_2_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).args(["validate", "nope.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot read nope.yaml: No such file or directory\n  hint: check the path, or run `lockgate init` to create lockgate.yaml\n"
    );
    let out = lockgate(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no lockgate.yaml in"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint: run `lockgate init`"));
    // A directory given as the file.
    let out = lockgate(dir.path()).args(["validate", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("it is a directory"), "{}", stderr(&out));
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn unreadable_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("lockgate.yaml"), GOOD).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("lockgate");
    let out = if is_root() {
        // Root ignores permissions: run the binary as `nobody` instead.
        if std::process::Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("SKIP unreadable_directory_is_a_clear_error: running as root without setpriv");
            return;
        }
        // `nobody` must be able to reach the binary and the temp dir.
        if !Path::new(&bin).ancestors().skip(1).all(|p| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o001 != 0)
                .unwrap_or(false)
        }) {
            eprintln!("SKIP unreadable_directory_is_a_clear_error: the binary is not reachable for `nobody`");
            return;
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(["validate"])
            .arg(locked.join("lockgate.yaml"))
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .output()
            .unwrap()
    } else {
        lockgate(dir.path())
            .arg("validate")
            .arg(locked.join("lockgate.yaml"))
            .output()
            .unwrap()
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Permission denied"), "{err}");
    assert!(err.contains("hint: check the file's permissions"), "{err}");
}

#[test]
fn gate_checks_are_type_checked_with_positions() {
    let (code, _, err) = validate_text(
        b"project: shop\ngates:\n  g:\n    items:\n      - \"coverage.lines >= \\\"high\\\"\"\n      - { id: t, check: \"tests.faild == 0\" }\n",
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!("validate_gate_check_errors", err);
}
