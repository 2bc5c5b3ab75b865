//! `lockgate metrics` and `lockgate incident` on real ledgers: the demo's
//! rollouts, incidents opened and resolved from the CLI, usage errors.

use std::path::Path;

use serde_json::Value;

use super::{assert_no_panic, lockgate, stderr, stdout};

const PROJECT: &str = "version: 1\nproject: shop\nenvironments:\n  staging: { target: local }\n  production: { target: local }\nservices:\n  web:\n    run: lockgate demo-service --port ${PORT} --version ${VERSION}\n    health: /healthz\n    port: 18080\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), PROJECT).unwrap();
    dir
}

fn lg(dir: &Path, now: &str, args: &[&str]) -> std::process::Output {
    let out = lockgate(dir)
        .env("LOCKGATE_USER", "sam@shop.example")
        .env("LOCKGATE_NOW", now)
        .args(args)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

fn json(out: &std::process::Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn metrics_after_the_demo_show_its_rollouts_and_the_rolled_back_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    let out = lockgate(tmp.path())
        .args(["demo", "-q", "--keep"])
        .arg(&dir)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // The demo's clock is 2026-11-24T09:00Z; measure the day after.
    let now = "2026-11-25T00:00:00Z";
    let r = json(&lg(&dir, now, &["metrics", "--json"]));
    assert_eq!(r["bands"], "DORA 2023");
    assert_eq!(r["env"], "production");
    assert_eq!(r["deployment_frequency"]["deployments"], 2, "{r:#}");
    let cfr = &r["change_failure_rate"];
    assert_eq!(
        (cfr["changes"].as_u64(), cfr["failed"].as_u64()),
        (Some(3), Some(1)),
        "{cfr:#}"
    );
    assert!(cfr["rate"]["value"].as_f64().unwrap() > 0.0);
    assert_eq!(cfr["aborted"], 1);
    let outcomes: Vec<&str> = r["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["completed", "completed", "aborted"]);
    assert_eq!(r["lead_time"]["measured"], 2);
    assert_eq!(r["success"]["rollback_count"], 1);
    assert!(r["time_to_restore"]["median"]["value"].is_number());
    let text = stdout(&lg(&dir, now, &["metrics"]));
    assert!(text.contains("change failure rate") && text.contains("33.3%"), "{text}");
    assert!(text.contains("aborted: "), "{text}");
}

#[test]
fn incident_reopened_while_open_is_an_update_and_counts_once() {
    let dir = project();
    let p = dir.path();
    let t0 = "2026-03-02T10:00:00Z";
    let first = json(&lg(
        p,
        t0,
        &[
            "incident",
            "open",
            "--service",
            "web",
            "--env",
            "production",
            "--caused-by",
            "v1",
            "--title",
            "5xx",
            "--json",
        ],
    ));
    assert_eq!(first["updated"], false);
    let id = first["incident"].as_u64().unwrap();
    let out = lg(
        p,
        "2026-03-02T10:05:00Z",
        &["incident", "open", "--service", "web", "--env", "production"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("already open: updated"), "{}", stdout(&out));
    let list = json(&lg(p, t0, &["incident", "list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["updates"], 1);
    let resolved = json(&lg(
        p,
        "2026-03-02T10:45:00Z",
        &[
            "incident",
            "resolve",
            "--service",
            "web",
            "--env",
            "production",
            "--json",
        ],
    ));
    assert_eq!(resolved["incident"].as_u64(), Some(id));
    assert_eq!(resolved["restore_s"], 2_700);
    // Resolving it again is a usage error, and so is an unknown id.
    let again = lg(p, "2026-03-02T11:00:00Z", &["incident", "resolve", &id.to_string()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already resolved"), "{}", stderr(&again));
    assert_eq!(lg(p, t0, &["incident", "resolve", "999"]).status.code(), Some(2));
    let r = json(&lg(p, "2026-03-05T00:00:00Z", &["metrics", "--json"]));
    assert_eq!(r["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(r["time_to_restore"]["restored"], 1);
    assert_eq!(r["time_to_restore"]["median"]["value"], 2_700.0);
    assert_eq!(r["time_to_restore"]["median"]["band"], "elite");
    let text = stdout(&lg(p, t0, &["incident", "list"]));
    assert!(text.contains("resolved") && text.contains("45m"), "{text}");
}

#[test]
fn metrics_on_an_empty_ledger_are_null_with_reasons() {
    let dir = project();
    let r = json(&lg(
        dir.path(),
        "2026-03-05T00:00:00Z",
        &["metrics", "--json", "--since", "2w"],
    ));
    assert_eq!(r["deployment_frequency"]["deployments"], 0);
    assert!(r["change_failure_rate"]["rate"]["value"].is_null());
    assert_eq!(
        r["change_failure_rate"]["rate"]["reason"],
        "no changes reached the environment in the period"
    );
    assert_eq!(r["period"]["days"], 14.0);
    let out = lg(dir.path(), "2026-03-05T00:00:00Z", &["metrics", "--env", "staging"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("DORA metrics for staging"), "{}", stdout(&out));
}

#[test]
fn metrics_usage_errors_exit_2_with_a_hint() {
    let dir = project();
    let p = dir.path();
    let now = "2026-03-05T00:00:00Z";
    for (args, says) in [
        (&["metrics", "--env", "prod"][..], "unknown environment `prod`"),
        (&["metrics", "--since", "thirty"][..], "--since thirty"),
        (&["metrics", "--since", "0d"][..], "longer than 0"),
        (&["metrics", "--service", "api"][..], "unknown service `api`"),
        (
            &["incident", "open", "--service", "web", "--env", "qa"][..],
            "unknown environment `qa`",
        ),
        (&["incident", "resolve"][..], "which incident?"),
    ] {
        let out = lg(p, now, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(says) && err.contains("hint:"), "{args:?}: {err}");
    }
}
