//! Quality gates end to end: evidence from a real pipeline run, approvals
//! by several identities, segregation of duties, superseded artifacts,
//! expiry and freeze windows on an injected clock, break-glass, scoring.

use std::path::Path;

use serde_json::Value;

use super::{assert_no_panic, git, lockgate, stderr, stdout};

const SPEC: &str = "project: shop
environments:
  staging: {}
  production:
    promote_from: staging
    approvals: { required: 2, roles: [release-manager], expires: 1d, break_glass: [incident-commander] }
    freeze: [\"Fri 16:00 - Mon 08:00 UTC\"]
people:
  alice@example.com: { roles: [release-manager], team: platform }
  bob@example.com: { roles: [release-manager], team: payments }
  carol@example.com: { roles: [sre, incident-commander] }
pipeline:
  build: { run: 'mkdir -p dist && cp version dist/app', outputs: [dist/app] }
  test:
    needs: [build]
    run: cp results.xml junit.xml
    reports: { junit: junit.xml }
gates:
  release:
    environment: production
    items:
      - { id: tests, check: \"tests.failed == 0\", key: true }
      - { id: rollback, title: Rollback tested, attest: sre, link: required }
";

const PASSING: &str = r#"<testsuite><testcase classname="c" name="a"/><testcase classname="c" name="b"/></testsuite>"#;
const FAILING: &str = r#"<testsuite><testcase classname="c" name="a"/><testcase classname="c" name="b"><failure/></testcase></testsuite>"#;
/// A Tuesday noon, outside the weekend freeze.
const TUESDAY: &str = "2026-11-24T12:00:00Z";

/// A committed project (authored by dev@example.com) with one pipeline run
/// triggered by dev@example.com.
fn project(spec: &str, version: &str, results: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), spec).unwrap();
    std::fs::write(dir.path().join(".gitignore"), ".lockgate/\ndist/\njunit.xml\n").unwrap();
    std::fs::write(dir.path().join("version"), version).unwrap();
    std::fs::write(dir.path().join("results.xml"), results).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "change"]);
    let out = as_user(dir.path(), "dev@example.com", TUESDAY, &["run", "--progress", "plain"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    dir
}

fn as_user(dir: &Path, user: &str, now: &str, args: &[&str]) -> std::process::Output {
    let out = lockgate(dir)
        .args(args)
        .env("LOCKGATE_USER", user)
        .env("LOCKGATE_NOW", now)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

fn status(dir: &Path, now: &str) -> (i32, Value) {
    let out = as_user(dir, "viewer@example.com", now, &["gate", "status", "release", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap(), v)
}

fn refusals(dir: &Path) -> Vec<Value> {
    let out = lockgate(dir)
        .args(["audit", "log", "--json", "--kind", "gate.refused"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn attest_rollback(dir: &Path) {
    let out = as_user(
        dir,
        "carol@example.com",
        TUESDAY,
        &[
            "attest",
            "release",
            "rollback",
            "--link",
            "https://tickets.example/CHG-1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn two_person_approval_opens_the_gate_and_self_approval_is_refused() {
    let dir = project(SPEC, "v1", PASSING);
    let d = dir.path();
    let (code, v) = status(d, TUESDAY);
    assert_eq!(code, 4);
    assert_eq!(v["status"], "waiting");
    assert_eq!(v["items"][0]["result"], "pass");
    assert_eq!(v["items"][0]["observed"][0], "tests.failed = 0");
    assert!(v["question"].as_str().unwrap().contains("attest"), "{v:#}");
    // The author may not approve their own change.
    let out = as_user(
        d,
        "dev@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "mine"],
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("segregation of duties: user:dev@example.com authored this change"),
        "{}",
        stderr(&out)
    );
    // Someone without the role may not approve.
    let out = as_user(
        d,
        "carol@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("does not hold a role allowed to approve"),
        "{}",
        stderr(&out)
    );
    // A link is required for this attestation.
    let out = as_user(d, "carol@example.com", TUESDAY, &["attest", "release", "rollback"]);
    assert_eq!(out.status.code(), Some(2));
    attest_rollback(d);
    assert_eq!(
        as_user(
            d,
            "alice@example.com",
            TUESDAY,
            &["approve", "release", "--comment", "lgtm"]
        )
        .status
        .code(),
        Some(0)
    );
    // One person counts once.
    let out = as_user(
        d,
        "alice@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "again"],
    );
    assert_eq!(out.status.code(), Some(5));
    let (code, v) = status(d, TUESDAY);
    assert_eq!((code, v["approvals"]["valid"].as_array().unwrap().len()), (4, 1));
    assert!(
        v["suggestions"][0]["command"]
            .as_str()
            .unwrap()
            .starts_with("lockgate approve release"),
        "{v:#}"
    );
    assert_eq!(
        as_user(
            d,
            "bob@example.com",
            TUESDAY,
            &["approve", "release", "--comment", "ok"]
        )
        .status
        .code(),
        Some(0)
    );
    let (code, v) = status(d, TUESDAY);
    assert_eq!((code, v["status"].as_str()), (0, Some("open")), "{v:#}");
    // Promotion goes through staging first.
    let out = as_user(d, "dev@example.com", TUESDAY, &["promote", "production"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("has not reached `staging` yet"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        as_user(d, "dev@example.com", TUESDAY, &["promote", "staging"])
            .status
            .code(),
        Some(0)
    );
    let out = as_user(d, "dev@example.com", TUESDAY, &["promote", "production"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Every refused attempt is in the ledger, with who tried.
    let refused = refusals(d);
    assert_eq!(refused.len(), 4, "{refused:#?}");
    assert!(
        refused
            .iter()
            .any(|r| r["actor"] == "user:dev@example.com" && r["payload"]["action"] == "approve")
    );
    // The audit log explains each step.
    let log = lockgate(d)
        .args(["audit", "log", "--subject", "gate/release"])
        .output()
        .unwrap();
    for needle in ["gate.attested", "gate.approved", "gate.refused", "gate.evaluated"] {
        assert!(stdout(&log).contains(needle), "{needle} missing:\n{}", stdout(&log));
    }
}

#[test]
fn a_new_artifact_invalidates_approvals_and_the_trigger_may_not_approve() {
    let dir = project(SPEC, "v1", PASSING);
    let d = dir.path();
    attest_rollback(d);
    as_user(
        d,
        "alice@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    let (_, v) = status(d, TUESDAY);
    let old = v["artifact"].as_str().unwrap().to_string();
    // A new commit builds a different artifact; alice triggers its run.
    std::fs::write(d.join("version"), "v2").unwrap();
    git(d, &["commit", "-qam", "v2"]);
    as_user(d, "alice@example.com", TUESDAY, &["run", "--progress", "plain"]);
    let (code, v) = status(d, TUESDAY);
    assert_eq!(code, 4);
    assert_ne!(v["artifact"], old.as_str());
    assert_eq!(
        v["approvals"]["valid"].as_array().unwrap().len(),
        0,
        "the old approval must not count: {v:#}"
    );
    let out = as_user(
        d,
        "bob@example.com",
        TUESDAY,
        &["approve", "release", "--artifact", &old, "--comment", "ok"],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("was superseded"), "{}", stderr(&out));
    // alice ran the pipeline for this change: she may not approve it.
    let out = as_user(
        d,
        "alice@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("ran the pipeline for this change"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn approvals_expire() {
    let dir = project(SPEC, "v1", PASSING);
    let d = dir.path();
    attest_rollback(d);
    as_user(
        d,
        "alice@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    as_user(
        d,
        "bob@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    assert_eq!(status(d, TUESDAY).0, 0);
    let (code, v) = status(d, "2026-11-26T12:00:00Z");
    assert_eq!(code, 4, "{v:#}");
    assert_eq!(v["approvals"]["expired"].as_array().unwrap().len(), 2);
}

#[test]
fn a_freeze_window_blocks_then_opens_and_break_glass_is_flagged() {
    let dir = project(SPEC, "v1", PASSING);
    let d = dir.path();
    attest_rollback(d);
    as_user(d, "dev@example.com", TUESDAY, &["promote", "staging"]);
    // Approvals may be given during the freeze (they expire after 1d).
    let saturday = "2026-11-29T10:00:00Z";
    as_user(
        d,
        "alice@example.com",
        saturday,
        &["approve", "release", "--comment", "ok"],
    );
    as_user(
        d,
        "bob@example.com",
        saturday,
        &["approve", "release", "--comment", "ok"],
    );
    let (code, v) = status(d, saturday);
    assert_eq!((code, v["status"].as_str()), (4, Some("blocked")), "{v:#}");
    assert_eq!(v["frozen_until"], "2026-11-30T08:00:00Z");
    let out = as_user(d, "dev@example.com", saturday, &["promote", "production"]);
    assert_eq!(out.status.code(), Some(4));
    // Monday after 08:00 the window is over.
    assert_eq!(status(d, "2026-11-30T08:00:00Z").0, 0);
    // Break-glass: only for its role, only with a reason, and flagged.
    let out = as_user(
        d,
        "alice@example.com",
        saturday,
        &["approve", "release", "--break-glass", "--reason", "SEV1"],
    );
    assert_eq!(out.status.code(), Some(4));
    let out = as_user(
        d,
        "carol@example.com",
        saturday,
        &["approve", "release", "--break-glass"],
    );
    assert_eq!(out.status.code(), Some(2), "a reason is required");
    let out = as_user(
        d,
        "carol@example.com",
        saturday,
        &["approve", "release", "--break-glass", "--reason", "SEV1: checkout down"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("BREAK-GLASS"));
    let (code, v) = status(d, saturday);
    assert_eq!(code, 0);
    assert!(
        v["approvals"]["break_glass"].as_str().unwrap().contains("SEV1"),
        "{v:#}"
    );
    let out = as_user(d, "dev@example.com", saturday, &["promote", "production", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["break_glass"], true);
    let promoted = lockgate(d)
        .args(["audit", "log", "--json", "--kind", "env.promoted"])
        .output()
        .unwrap();
    let promoted: Vec<Value> = serde_json::from_slice(&promoted.stdout).unwrap();
    assert_eq!(promoted.last().unwrap()["payload"]["break_glass"], true);
}

#[test]
fn failing_evidence_and_rejections_fail_the_gate() {
    let dir = project(SPEC, "v1", FAILING);
    let d = dir.path();
    let (code, v) = status(d, TUESDAY);
    assert_eq!((code, v["status"].as_str()), (3, Some("failed")), "{v:#}");
    assert_eq!(v["items"][0]["observed"][0], "tests.failed = 1");
    assert!(
        v["items"][0]["evidence"].as_array().unwrap().len() == 1,
        "the check names the evidence event it used"
    );
    assert!(
        v["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["command"].as_str().unwrap().starts_with("lockgate evidence")),
        "{v:#}"
    );
    let dir = project(SPEC, "v1", PASSING);
    let d = dir.path();
    let out = as_user(d, "bob@example.com", TUESDAY, &["reject", "release", "--comment", "  "]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        as_user(
            d,
            "bob@example.com",
            TUESDAY,
            &["reject", "release", "--comment", "no rollback plan"]
        )
        .status
        .code(),
        Some(0)
    );
    let (code, v) = status(d, TUESDAY);
    assert_eq!(code, 3);
    assert!(v["reasons"][0].as_str().unwrap().contains("no rollback plan"), "{v:#}");
    // `gate evaluate` records the evaluation with every item's value.
    let out = as_user(d, "viewer@example.com", TUESDAY, &["gate", "evaluate", "release"]);
    assert_eq!(out.status.code(), Some(3));
    let ev = lockgate(d)
        .args(["audit", "log", "--json", "--kind", "gate.evaluated"])
        .output()
        .unwrap();
    let ev: Vec<Value> = serde_json::from_slice(&ev.stdout).unwrap();
    let last = &ev.last().unwrap()["payload"];
    assert_eq!(last["status"], "failed");
    assert_eq!(last["items"][0]["observed"][0], "tests.failed = 0");
}

#[test]
fn scoring_weights_warnings_and_key_items() {
    let spec = "project: shop
pipeline:
  test:
    run: \"printf '<testsuite><testcase name=\\\"a\\\"/></testsuite>' > j.xml; printf 'SF:a\\\\nLF:100\\\\nLH:75\\\\nend_of_record\\\\n' > l.info\"
    reports: { junit: j.xml, coverage: l.info }
gates:
  release:
    scoring: { pass: 90%, warning: 60% }
    items:
      - { id: tests, check: \"tests.failed == 0\", key: true, weight: 2 }
      - { id: coverage, check: \"coverage.lines >= 80%\", warning: \"coverage.lines >= 70%\", weight: 2 }
      - { id: branches, check: \"coverage.branches >= 50%\" }
";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), spec).unwrap();
    let out = lockgate(dir.path())
        .args(["run", "--progress", "plain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let out = lockgate(dir.path())
        .args(["gate", "status", "release", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // tests pass (2), coverage warns (2 x 0.5), branches have no evidence (0): 3 of 5 = 60%.
    assert_eq!(v["items"][1]["result"], "warning");
    assert_eq!(v["score"], 60.0);
    assert_eq!(
        v["status"], "waiting",
        "above the warning threshold but evidence is missing: {v:#}"
    );
}

#[test]
fn without_a_run_the_gate_waits_and_suggests_running_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), SPEC).unwrap();
    let out = lockgate(dir.path())
        .args(["gate", "status", "release"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stdout(&out).contains("No pipeline run yet. Run the pipeline?"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("lockgate run"), "{}", stdout(&out));
    let out = lockgate(dir.path())
        .args(["gate", "status", "relase"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `release`?"));
    let list = lockgate(dir.path()).args(["gate", "list", "--json"]).output().unwrap();
    let v: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v.len(), 1);
}

#[test]
fn approvals_from_one_team_do_not_satisfy_distinct_teams() {
    let spec = SPEC
        .replace("expires: 1d,", "expires: 1d, distinct_teams: true,")
        .replace("  bob@example.com: { roles: [release-manager], team: payments }", "  bob@example.com: { roles: [release-manager], team: payments }\n  erin@example.com: { roles: [release-manager], team: platform }");
    let dir = project(&spec, "v1", PASSING);
    let d = dir.path();
    attest_rollback(d);
    as_user(
        d,
        "alice@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    as_user(
        d,
        "erin@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    let (code, v) = status(d, TUESDAY);
    assert_eq!(code, 4, "{v:#}");
    assert_eq!(
        v["approvals"]["problems"][0],
        "approvals must come from two different teams"
    );
    as_user(
        d,
        "bob@example.com",
        TUESDAY,
        &["approve", "release", "--comment", "ok"],
    );
    assert_eq!(status(d, TUESDAY).0, 0);
}

#[test]
fn on_freeze_wait_waits_for_the_window_to_close() {
    let spec = SPEC.replace(
        "    freeze: [\"Fri 16:00 - Mon 08:00 UTC\"]",
        "    freeze: [\"Fri 16:00 - Mon 08:00 UTC\"]\n    on_freeze: wait",
    );
    let dir = project(&spec, "v1", PASSING);
    let d = dir.path();
    attest_rollback(d);
    as_user(d, "dev@example.com", TUESDAY, &["promote", "staging"]);
    // Two seconds before the window closes on Monday morning.
    let monday = "2026-11-30T07:59:58Z";
    as_user(
        d,
        "alice@example.com",
        monday,
        &["approve", "release", "--comment", "ok"],
    );
    as_user(d, "bob@example.com", monday, &["approve", "release", "--comment", "ok"]);
    let out = as_user(d, "dev@example.com", monday, &["promote", "production"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("frozen until 2026-11-30T08:00:00Z; waiting"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("to production"), "{}", stdout(&out));
}

const AUDITED: &str = "project: shop
environments:
  production:
    approvals: { required: 2, not_author: true }
pipeline:
  build: { run: 'mkdir -p dist && cp version dist/app', outputs: [dist/app] }
  test:
    needs: [build]
    run: cp results.xml junit.xml
    reports: { junit: junit.xml }
gates:
  release:
    environment: production
    items:
      - { id: tests, check: \"tests.failed == 0\", key: true }
";

fn sox(dir: &Path) -> Value {
    let out = as_user(
        dir,
        "auditor@example.com",
        TUESDAY,
        &[
            "compliance",
            "report",
            "--framework",
            "sox",
            "--format",
            "json",
            "version",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn process<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["process"].as_array().unwrap())
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id} evidence: {report:#}"))
}

fn seq_of(out: &std::process::Output) -> u64 {
    let text = stderr(out) + &stdout(out);
    let at = text.find("event ").unwrap_or_else(|| panic!("no event in {text}"));
    text[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// SOX change management judged from what the ledger records: the
/// promotion, the two approvals before it, the refused self-approval; a
/// promotion recorded without approvals fails the control and is named.
#[test]
fn a_compliance_report_cites_the_recorded_approvals_promotions_and_refusals() {
    let dir = project(AUDITED, "v1", PASSING);
    let d = dir.path();
    let refused = as_user(d, "dev@example.com", TUESDAY, &["approve", "release"]);
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    let refusal = seq_of(&refused);
    let a1 = seq_of(&as_user(d, "alice@example.com", TUESDAY, &["approve", "release"]));
    let a2 = seq_of(&as_user(d, "bob@example.com", TUESDAY, &["approve", "release"]));
    let promoted = as_user(d, "dev@example.com", TUESDAY, &["promote", "production", "--json"]);
    assert_eq!(promoted.status.code(), Some(0), "{}", stderr(&promoted));
    let promotion = serde_json::from_slice::<Value>(&promoted.stdout).unwrap()["event"]
        .as_u64()
        .unwrap();

    let r = sox(d);
    let change = process(&r, "change-approval");
    assert_eq!(change["ok"], true, "{change:#}");
    assert_eq!(change["events"], serde_json::json!([a1, a2, promotion]), "{change:#}");
    assert!(
        change["detail"].as_str().unwrap().contains("1 promotion recorded"),
        "{change:#}"
    );
    let sod = process(&r, "segregation-of-duties");
    assert_eq!(sod["ok"], true, "{sod:#}");
    assert_eq!(sod["events"], serde_json::json!([refusal, a1, a2]), "{sod:#}");
    assert!(
        sod["detail"]
            .as_str()
            .unwrap()
            .contains("1 approval attempt by the author or trigger refused"),
        "{sod:#}"
    );
    assert_eq!(
        process(&r, "gated-deployments")["events"],
        serde_json::json!([promotion])
    );
    // The report names what it was made from.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(d)
        .output()
        .unwrap();
    let p = &r["provenance"];
    assert_eq!(p["project"], "shop");
    assert_eq!(p["commit"].as_str(), Some(String::from_utf8_lossy(&head.stdout).trim()));
    assert_eq!(p["dirty"], false);
    assert_eq!(p["ledger"]["verified"], true, "{p:#}");
    assert!(p["ledger"]["events"].as_u64().unwrap() >= promotion, "{p:#}");

    // The approvals are dropped, a new version is promoted without any, and
    // the requirement is put back: the ledger shows the promotion that
    // bypassed the control.
    std::fs::write(
        d.join("lockgate.yaml"),
        AUDITED.replace("approvals: { required: 2, not_author: true }", "freeze: []"),
    )
    .unwrap();
    std::fs::write(d.join("version"), "v2").unwrap();
    git(d, &["commit", "-qam", "v2"]);
    assert_eq!(
        as_user(d, "dev@example.com", TUESDAY, &["run", "--progress", "plain"])
            .status
            .code(),
        Some(0)
    );
    let bypass = as_user(d, "dev@example.com", TUESDAY, &["promote", "production", "--json"]);
    assert_eq!(bypass.status.code(), Some(0), "{}", stderr(&bypass));
    let bypass = serde_json::from_slice::<Value>(&bypass.stdout).unwrap()["event"]
        .as_u64()
        .unwrap();
    std::fs::write(d.join("lockgate.yaml"), AUDITED).unwrap();
    let r = sox(d);
    let change = process(&r, "change-approval");
    assert_eq!(change["ok"], false, "{change:#}");
    assert!(
        change["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("#{bypass} to production had 0 of 2")),
        "{change:#}"
    );
    assert!(change["events"].as_array().unwrap().contains(&bypass.into()));
    let itgc = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "itgc-change")
        .unwrap();
    assert_eq!(itgc["status"], "failing", "{itgc:#}");
    assert_eq!(
        r["provenance"]["dirty"], true,
        "lockgate.yaml was changed after the commit"
    );

    // Markdown names the events and how the verdicts were reached.
    let md = stdout(&as_user(
        d,
        "auditor@example.com",
        TUESDAY,
        &["compliance", "report", "--framework", "sox", "version"],
    ));
    for needle in [
        &format!("#{bypass}") as &str,
        "| Project | shop |",
        "with uncommitted changes",
        "## Method",
        "lockgate audit proof N",
    ] {
        assert!(md.contains(needle), "{needle:?} missing:\n{md}");
    }

    // Approvals configured where no gate asks for them fail the control.
    std::fs::write(
        d.join("lockgate.yaml"),
        AUDITED.replace(
            "environments:\n",
            "environments:\n  staging:\n    approvals: { required: 1 }\n",
        ),
    )
    .unwrap();
    let change = process(&sox(d), "change-approval").clone();
    assert_eq!(change["ok"], false, "{change:#}");
    assert!(
        change["detail"]
            .as_str()
            .unwrap()
            .contains("approvals of staging are never asked for"),
        "{change:#}"
    );
    std::fs::write(d.join("lockgate.yaml"), AUDITED).unwrap();

    // Without the pinned key the ledger is not verified, and its records
    // are no evidence: the ledger-based checks cannot be told.
    let key = d.join(".lockgate/ledger.pub");
    std::fs::rename(&key, d.join("ledger.pub.away")).unwrap();
    let r = sox(d);
    assert_eq!(process(&r, "audit-trail")["ok"], false);
    for id in ["change-approval", "segregation-of-duties", "gated-deployments"] {
        let p = process(&r, id);
        assert_eq!(p["ok"], Value::Null, "{p:#}");
        assert!(p["detail"].as_str().unwrap().contains("does not verify"), "{p:#}");
    }
    assert_eq!(r["provenance"]["ledger"]["verified"], false);
    std::fs::rename(d.join("ledger.pub.away"), &key).unwrap();
}
