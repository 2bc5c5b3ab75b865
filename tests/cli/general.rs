//! Behaviour every command shares: help with examples, version, exit
//! codes, colours, closed pipes, completions.

use std::io::Read as _;
use std::process::Stdio;

use super::{assert_no_panic, lockgate, stderr, stdout};

const SUBCOMMANDS: &[&str] = &["init", "validate", "schema", "demo", "completions"];

#[test]
fn help_lists_examples_and_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains(lockgate::exit::EXIT_CODE_TABLE), "{text}");
    assert!(text.contains("Examples:"));
    for sub in SUBCOMMANDS {
        assert!(text.contains(sub), "{sub} missing from help");
        let out = lockgate(dir.path()).args([sub, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{sub} --help");
        assert!(stdout(&out).contains("Examples:"), "{sub} --help has no examples");
    }
}

#[test]
fn version_prints_the_crate_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).arg("--version").output().unwrap();
    assert_eq!(stdout(&out), format!("lockgate {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["validate", "--nope"],
        &["--color", "sometimes", "demo"],
        &[],
    ] {
        let out = lockgate(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_no_panic(&out);
    }
}

#[test]
fn colour_follows_flag_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lockgate.yaml"),
        "project: x\npipeline:\n  a: { run: y, needs: [b] }\n",
    )
    .unwrap();
    let has_escape = |o: &std::process::Output| o.stderr.contains(&0x1b);
    let always = lockgate(dir.path())
        .args(["--color", "always", "validate"])
        .output()
        .unwrap();
    assert!(has_escape(&always), "--color always must colour");
    let never = lockgate(dir.path())
        .args(["--color", "never", "validate"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(!has_escape(&never), "--color never must not colour");
    let forced = lockgate(dir.path())
        .arg("validate")
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(has_escape(&forced), "auto colours when forced by CLICOLOR_FORCE");
    let no_color = lockgate(dir.path())
        .arg("validate")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!has_escape(&no_color), "NO_COLOR wins in auto mode");
    assert_eq!(
        stderr(&no_color),
        anstream::adapter::strip_str(&stderr(&always)).to_string()
    );
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["schema"][..], &["demo"], &["completions", "bash"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close our end of stdout before the child writes (or while it does).
        drop(child.stdout.take());
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = lockgate(dir.path()).args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(
            stdout(&out).contains("validate"),
            "{shell} completions mention subcommands"
        );
    }
}

#[test]
fn demo_runs_on_a_fresh_machine_and_explains_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).arg("demo").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "dev → staging → production",
        "stage 2: test, coverage, scan",
        "Production readiness",
        "10% → 25% → 50% → 100%",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The live tour: a waiting gate, a refused self-approval, two approvals
    // opening it, promotion, and the audit trail verified.
    for needle in [
        "Status: WAITING",
        "segregation of duties: user:dev@shop.example ran the pipeline for this change",
        "gate `pipeline-and-deployment` is now OPEN",
        "to production; recorded as event",
        "gate.refused",
        "✓ verified",
        // Delivery: a healthy canary to 100 %, a faulty one aborted automatically.
        "web v2 is stable in production",
        "was aborted: analysis failed",
        "0 lost to a switch",
        "rollout.aborted",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let json = lockgate(dir.path()).args(["demo", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["project"], "shop");
    assert_eq!(v["gates"].as_array().unwrap().len(), 4);
    let tour = v["tour"].as_array().unwrap();
    assert_eq!(tour.len(), 21);
    assert!(
        tour.iter()
            .any(|s| s["exit"] == 4 && s["command"].as_str().unwrap().starts_with("lockgate approve"))
    );
}

#[test]
fn demo_keep_leaves_a_valid_project_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    lockgate(dir.path()).args(["demo", "--keep", "demo"]).assert().code(0);
    lockgate(&dir.path().join("demo")).arg("validate").assert().code(0);
    // The kept project holds the tour's ledger, which verifies.
    lockgate(&dir.path().join("demo"))
        .args(["audit", "verify"])
        .assert()
        .code(0);
    let runs = lockgate(&dir.path().join("demo"))
        .args(["runs", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&runs.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let again = lockgate(dir.path()).args(["demo", "--keep", "demo"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn readme_publishes_the_exit_codes_and_ci_runs_its_test_command() {
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(lockgate::exit::EXIT_CODE_TABLE),
        "README's exit-code table differs from `lockgate --help`"
    );
    let first_block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let commands: Vec<&str> = first_block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .collect();
    assert_eq!(commands, ["cargo run --release -- demo", "scripts/test"]);
    let ci = include_str!("../../.ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "exec scripts/test"),
        ".ci/run must call the README's test command"
    );
}
