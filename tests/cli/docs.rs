//! `lockgate docs` and `lockgate handover`: golden files on a fixed
//! project, determinism, `--check`, and every Mermaid diagram through the
//! checker; the demo's documents carry its real state.

use std::path::Path;

use serde_json::Value;

use super::{assert_no_panic, lockgate, stderr, stdout};

const SPEC: &str = "project: shop
description: A small shop.
environments:
  staging: { target: local }
  production:
    target: local
    promote_from: staging
    approvals: { required: 1, roles: [release-manager], not_author: true }
people:
  alice@example.com: { roles: [release-manager] }
services:
  web:
    run: ./web --port ${PORT}
    health: /healthz
    port: 18080
    strategy:
      canary:
        steps: [10, 50, 100]
        interval: 30s
        analysis: { conditions: [\"error_rate < 1%\", \"p99_latency < 300ms\"] }
pipeline:
  build: { run: 'true' }
  test: { run: 'true', needs: [build] }
gates:
  security:
    items:
      - { id: tests, check: \"tests.failed == 0\" }
  release:
    environment: production
    after: [security]
    items:
      - { id: tests, check: \"tests.failed == 0\", key: true }
";

const NOW: &str = "2026-11-24T12:00:00Z";

fn lg(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = lockgate(dir)
        .args(args)
        .env("LOCKGATE_USER", "dev@example.com")
        .env("LOCKGATE_NOW", NOW)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

/// A project without git (so no commit hashes) and a fixed clock: its
/// documents are the same on every machine.
fn fixed_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), SPEC).unwrap();
    let out = lg(dir.path(), &["run", "--progress", "plain"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let out = lg(
        dir.path(),
        &[
            "audit",
            "note",
            "restore drill: ledger restored from export",
            "--subject",
            "dr",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn check_diagrams(text: &str, at_least: usize) {
    let blocks = lockgate::insight::mermaid::blocks(text);
    assert!(blocks.len() >= at_least, "{} diagram(s) in:\n{text}", blocks.len());
    for b in blocks {
        lockgate::insight::mermaid::check(&b).unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
}

#[test]
fn documents_are_golden_deterministic_and_checked() {
    let p = fixed_project();
    let out = lg(p.path(), &["docs", "--out", "plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let infra = std::fs::read_to_string(p.path().join("plan/infrastructure.md")).unwrap();
    let deploy = std::fs::read_to_string(p.path().join("plan/deployment.md")).unwrap();
    for section in [
        "## Infrastructure Architecture",
        "## Environment Configuration",
        "## Security Controls",
        "## Monitoring Setup",
        "## Scaling Strategy",
        "## Disaster Recovery",
    ] {
        assert!(infra.contains(section), "{section} missing");
    }
    for section in [
        "## Deployment Pipelines",
        "## Environment Configuration",
        "## Operations Guide",
    ] {
        assert!(deploy.contains(section), "{section} missing");
    }
    check_diagrams(&infra, 1);
    check_diagrams(&deploy, 3);
    assert!(
        infra.contains("restore drill: ledger restored from export"),
        "the last DR drill: {infra}"
    );
    insta::assert_snapshot!("infrastructure_md", infra);
    insta::assert_snapshot!("deployment_md", deploy);
    // Same input, same bytes; --check agrees, then notices an edit.
    let out = lg(p.path(), &["docs", "--out", "plan"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(p.path().join("plan/infrastructure.md")).unwrap(),
        infra
    );
    let out = lg(p.path(), &["docs", "--out", "plan", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(p.path().join("plan/deployment.md"), deploy.replace("Operations", "Ops")).unwrap();
    let out = lg(p.path(), &["docs", "--out", "plan", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("deployment.md"), "{}", stderr(&out));
    // A new ledger event that the documents show makes them stale.
    lg(p.path(), &["docs", "--out", "plan"]);
    lg(p.path(), &["audit", "note", "failover drill passed", "--subject", "dr"]);
    let out = lg(p.path(), &["docs", "--out", "plan", "--check"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn handover_is_golden_in_markdown_and_json() {
    let p = fixed_project();
    let out = lg(
        p.path(),
        &[
            "handover",
            "--to",
            "security",
            "--task",
            "review the production IAM changes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    for section in [
        "## Infrastructure state",
        "## Operational context",
        "## Success criteria",
        "## Dependencies and integration",
        "## Risk factors",
    ] {
        assert!(md.contains(section), "{section} missing:\n{md}");
    }
    insta::assert_snapshot!("handover_security_md", md);
    let out = lg(p.path(), &["handover", "--to", "compliance", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["to"], "compliance");
    assert!(
        v["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("release"))
    );
    insta::assert_json_snapshot!("handover_compliance_json", v);
    let out = lg(p.path(), &["handover", "--to", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demos_documents_show_its_rollouts() {
    let dir = tempfile::tempdir().unwrap();
    lockgate(dir.path()).args(["demo", "--keep", "demo"]).assert().code(0);
    let demo = dir.path().join("demo");
    let out = lockgate(&demo).args(["docs", "--out", "plan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let infra = std::fs::read_to_string(demo.join("plan/infrastructure.md")).unwrap();
    let deploy = std::fs::read_to_string(demo.join("plan/deployment.md")).unwrap();
    check_diagrams(&infra, 1);
    check_diagrams(&deploy, 3);
    // The demo rolled v1 and v2 out to production; v3 was aborted.
    assert!(infra.contains("web v2"), "production's stable version: {infra}");
    let out = lockgate(&demo)
        .args(["handover", "--to", "performance"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("was aborted"),
        "the aborted v3 is a risk: {}",
        stdout(&out)
    );
}
