//! `lockgate monitoring export`: the rules pass `promtool check rules`,
//! the burn-rate and delivery alerts fire (and stay quiet) as
//! `promtool test rules` feeds them series, the Grafana dashboard has the
//! structure Grafana imports, and the output is deterministic.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::{assert_no_panic, lockgate, stderr, stdout};

const SPEC: &str = r#"version: 1
project: shop
environments:
  staging: {}
  production: { promote_from: staging }
services:
  web:
    run: sleep 100
    slo:
      availability: 99.9%
      latency: { threshold: 300ms, percentile: 99% }
  api:
    run: sleep 100
    slo:
      latency: { threshold: 1s }
      window: 28d
  worker:
    run: sleep 100
"#;

const FILES: &[&str] = &[
    "prometheus/recording-rules.yml",
    "prometheus/alerting-rules.yml",
    "alertmanager/route.example.yml",
    "grafana/lockgate-dashboard.json",
    "README.md",
];

/// A project with `spec` exported into `DIR/out`.
fn export(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), spec).unwrap();
    let out = lockgate(dir.path())
        .args(["monitoring", "export", "--out", "out"])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    for f in FILES {
        assert!(
            dir.path().join("out").join(f).is_file(),
            "{f} missing:\n{}",
            stdout(&out)
        );
    }
    dir
}

/// A tool, or `None` (with a note) when it is missing and not required.
fn tool(name: &str, package: &str, required: bool) -> Option<&'static str> {
    let found = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(name.to_string().leak());
    }
    if required && std::env::var("LOCKGATE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{name} is missing and LOCKGATE_REQUIRE_TOOLS=1 (install the Debian package {package})");
    }
    eprintln!("SKIPPED: {name} is missing (install the Debian package {package}); not checked");
    None
}

fn run_tool(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str::<Value>(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The metric families `/metrics` exports: the names in src/server/metrics.rs
/// (its unit tests' made-up names left out).
fn families() -> BTreeSet<String> {
    let src = include_str!("../../src/server/metrics.rs");
    let src = &src[..src.find("#[cfg(test)]").unwrap_or(src.len())];
    src.split('"')
        .filter(|s| {
            s.starts_with("lockgate_")
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// Every `lockgate_…` name in `expr` is an exported family (or its
/// histogram's `_bucket`, `_count`, `_sum`).
fn assert_known_families(expr: &str, families: &BTreeSet<String>) {
    let mut rest = expr;
    while let Some(i) = rest.find("lockgate_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[i + name.len()..];
        let base = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|b| families.contains(*b));
        assert!(
            families.contains(&name) || base.is_some(),
            "`{name}` is not a family lockgate exports (in {expr})"
        );
    }
}

#[test]
fn rules_pass_promtool_and_the_alerts_fire() {
    let dir = export(SPEC);
    let out = dir.path().join("out");
    let families = families();
    assert!(families.contains("lockgate_proxy_errors_total"), "{families:?}");
    // Every expression reads only what lockgate exports.
    let mut alerts = Vec::new();
    for f in ["recording-rules.yml", "alerting-rules.yml"] {
        let doc = yaml(&out.join("prometheus").join(f));
        for group in doc["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                assert_known_families(rule["expr"].as_str().unwrap(), &families);
                if rule.get("alert").is_some() {
                    alerts.push(rule.clone());
                }
            }
        }
    }
    let names: BTreeSet<&str> = alerts.iter().map(|a| a["alert"].as_str().unwrap()).collect();
    for a in [
        "LockgateAvailabilityBudgetBurn",
        "LockgateLatencyBudgetBurn",
        "LockgateRolloutFailed",
        "LockgateGateStuck",
        "LockgateLedgerVerificationFailed",
        "LockgateDown",
    ] {
        assert!(names.contains(a), "no {a} in {names:?}");
    }
    // The latency threshold between two bounds says where it is checked.
    let rules = std::fs::read_to_string(out.join("prometheus/alerting-rules.yml")).unwrap();
    assert!(rules.contains("checked at the next larger bound, 0.5s"), "{rules}");
    assert!(rules.contains("(14.4 * 0.001)"), "{rules}");
    // A 28-day window scales the burn rates: 14.4 × 28/30.
    assert!(rules.contains("(13.44 * 0.01)"), "{rules}");
    assert!(!rules.contains("\"worker\""), "worker has no slo:\n{rules}");

    let Some(promtool) = tool("promtool", "prometheus", true) else {
        return;
    };
    run_tool(
        &out,
        promtool,
        &[
            "check",
            "rules",
            "prometheus/recording-rules.yml",
            "prometheus/alerting-rules.yml",
        ],
    );

    // What the alert says, with the labels promtool fills in.
    let expect = |alert: &str, labels: Value| -> Value {
        let severity = labels["severity"].as_str().unwrap();
        let rule = alerts
            .iter()
            .find(|r| {
                r["alert"] == alert
                    && r["labels"]["severity"] == severity
                    && labels
                        .get("service")
                        .is_none_or(|s| r["labels"].get("service").is_none_or(|rs| rs == s))
            })
            .unwrap_or_else(|| panic!("no {alert} ({severity})"));
        let mut annotations = rule["annotations"].clone();
        for v in annotations.as_object_mut().unwrap().values_mut() {
            let mut s = v.as_str().unwrap().to_string();
            for (k, l) in labels.as_object().unwrap() {
                s = s.replace(&format!("{{{{ $labels.{k} }}}}"), l.as_str().unwrap());
            }
            assert!(!s.contains("{{"), "unfilled template in {s}");
            *v = Value::String(s);
        }
        json!({ "exp_labels": labels, "exp_annotations": annotations })
    };
    let target = r#"job="lockgate",instance="127.0.0.1:8470""#;
    let series = |name: &str, labels: &str, values: &str| {
        let labels = if labels.is_empty() {
            target.to_string()
        } else {
            format!("{labels},{target}")
        };
        json!({ "series": format!("{name}{{{labels}}}"), "values": values })
    };
    let proxy = |svc: &str, env: &str| format!(r#"service="{svc}",env="{env}",version="v2""#);
    let web = proxy("web", "production");
    let staging = proxy("web", "staging");
    let api = proxy("api", "production");
    let slo_labels = |slo: &str, svc: &str, env: &str, severity: &str| json!({ "severity": severity, "slo": slo, "service": svc, "env": env });
    let t = json!({
        "rule_files": ["prometheus/recording-rules.yml", "prometheus/alerting-rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                // 100 requests a second. Production: 10 % fail, 20 % are
                // slower than 0.5s. Staging: 0.05 % fail (half the budget).
                // api: 80 % within 1s against 99 % (an integer bound: le="1").
                "interval": "1m",
                "input_series": [
                    series("lockgate_proxy_requests_total", &web, "0+6000x120"),
                    series("lockgate_proxy_errors_total", &web, "0+600x120"),
                    series("lockgate_proxy_request_duration_seconds_bucket", &format!(r#"{web},le="0.25""#), "0+3000x120"),
                    series("lockgate_proxy_request_duration_seconds_bucket", &format!(r#"{web},le="0.5""#), "0+4800x120"),
                    series("lockgate_proxy_request_duration_seconds_bucket", &format!(r#"{web},le="+Inf""#), "0+6000x120"),
                    series("lockgate_proxy_request_duration_seconds_count", &web, "0+6000x120"),
                    series("lockgate_proxy_requests_total", &staging, "0+6000x120"),
                    series("lockgate_proxy_errors_total", &staging, "0+3x120"),
                    series("lockgate_proxy_request_duration_seconds_bucket", &format!(r#"{staging},le="0.5""#), "0+6000x120"),
                    series("lockgate_proxy_request_duration_seconds_count", &staging, "0+6000x120"),
                    series("lockgate_proxy_request_duration_seconds_bucket", &format!(r#"{api},le="1""#), "0+4800x120"),
                    series("lockgate_proxy_request_duration_seconds_count", &api, "0+6000x120"),
                ],
                "alert_rule_test": [
                    // Not yet: the page waits 2 minutes.
                    { "eval_time": "1m", "alertname": "LockgateAvailabilityBudgetBurn", "exp_alerts": [] },
                    {
                        "eval_time": "70m",
                        "alertname": "LockgateAvailabilityBudgetBurn",
                        "exp_alerts": [
                            expect("LockgateAvailabilityBudgetBurn", slo_labels("availability", "web", "production", "page")),
                            expect("LockgateAvailabilityBudgetBurn", slo_labels("availability", "web", "production", "ticket")),
                        ],
                    },
                    {
                        "eval_time": "70m",
                        "alertname": "LockgateLatencyBudgetBurn",
                        "exp_alerts": [
                            expect("LockgateLatencyBudgetBurn", slo_labels("latency", "web", "production", "page")),
                            expect("LockgateLatencyBudgetBurn", slo_labels("latency", "web", "production", "ticket")),
                            expect("LockgateLatencyBudgetBurn", slo_labels("latency", "api", "production", "page")),
                            expect("LockgateLatencyBudgetBurn", slo_labels("latency", "api", "production", "ticket")),
                        ],
                    },
                ],
            },
            {
                // A rollout rolled back (the series' first sample) and one
                // aborted (a counter that grows) while lockgate was scraped.
                "interval": "1m",
                "input_series": [
                    series("lockgate_ledger_events", "", "10+1x120"),
                    series("lockgate_rollouts_total", r#"service="web",env="production",outcome="rolled_back""#, "_x30 1x90"),
                    series("lockgate_rollouts_total", r#"service="web",env="staging",outcome="aborted""#, "1x40 2x80"),
                    series("lockgate_rollouts_total", r#"service="web",env="staging",outcome="completed""#, "1x10 2x110"),
                    series("lockgate_ledger_verified", "", "1x20 0x100"),
                    series("up", "", "1x30 0x90"),
                ],
                "alert_rule_test": [
                    { "eval_time": "20m", "alertname": "LockgateRolloutFailed", "exp_alerts": [] },
                    {
                        "eval_time": "42m",
                        "alertname": "LockgateRolloutFailed",
                        "exp_alerts": [
                            with_target(expect("LockgateRolloutFailed", json!({ "severity": "ticket", "service": "web", "env": "production", "outcome": "rolled_back" }))),
                            with_target(expect("LockgateRolloutFailed", json!({ "severity": "ticket", "service": "web", "env": "staging", "outcome": "aborted" }))),
                        ],
                    },
                    { "eval_time": "80m", "alertname": "LockgateRolloutFailed", "exp_alerts": [] },
                    { "eval_time": "21m", "alertname": "LockgateLedgerVerificationFailed", "exp_alerts": [] },
                    {
                        "eval_time": "25m",
                        "alertname": "LockgateLedgerVerificationFailed",
                        "exp_alerts": [with_target(expect("LockgateLedgerVerificationFailed", json!({ "severity": "page" })))],
                    },
                    {
                        "eval_time": "40m",
                        "alertname": "LockgateDown",
                        "exp_alerts": [with_target(expect("LockgateDown", json!({ "severity": "page" })))],
                    },
                ],
            },
            {
                // Two gates evaluated `waiting` on day 3 (lockgate scraped
                // since day 1): `release` hears nothing more, `design` is
                // approved a few hours later.
                "interval": "10m",
                "input_series": [
                    series("lockgate_ledger_events", "", "10+0x600"),
                    series("lockgate_gate_evaluations_total", r#"gate="release",status="waiting""#, "_x300 1x300"),
                    series("lockgate_gate_evaluations_total", r#"gate="design",status="waiting""#, "_x300 1x300"),
                    series("lockgate_gate_decisions_total", r#"gate="design",decision="approved""#, "_x330 1x270"),
                ],
                "alert_rule_test": [
                    { "eval_time": "70h", "alertname": "LockgateGateStuck", "exp_alerts": [] },
                    {
                        "eval_time": "75h",
                        "alertname": "LockgateGateStuck",
                        "exp_alerts": [with_target(expect("LockgateGateStuck", json!({ "severity": "ticket", "gate": "release", "status": "waiting" })))],
                    },
                ],
            },
        ],
    });
    std::fs::write(out.join("unit-tests.yml"), serde_json::to_string_pretty(&t).unwrap()).unwrap();
    run_tool(&out, promtool, &["test", "rules", "unit-tests.yml"]);
}

/// `e` expecting the scrape target's labels too (alerts on raw series keep them).
fn with_target(mut e: Value) -> Value {
    e["exp_labels"]["job"] = json!("lockgate");
    e["exp_labels"]["instance"] = json!("127.0.0.1:8470");
    e
}

#[test]
fn the_grafana_dashboard_has_the_structure_grafana_imports() {
    let dir = export(SPEC);
    let text = std::fs::read_to_string(dir.path().join("out/grafana/lockgate-dashboard.json")).unwrap();
    let d: Value = serde_json::from_str(&text).unwrap();
    let families = families();
    assert_eq!(d["uid"], "lockgate-shop");
    assert!(d["uid"].as_str().unwrap().len() <= 40);
    assert!(d["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        d["schemaVersion"].as_u64().is_some_and(|v| v >= 36),
        "{}",
        d["schemaVersion"]
    );
    assert!(
        d.get("id").is_none_or(Value::is_null),
        "an exported dashboard carries no database id"
    );

    let vars = d["templating"]["list"].as_array().unwrap();
    let var = |n: &str| {
        vars.iter()
            .find(|v| v["name"] == n)
            .unwrap_or_else(|| panic!("no ${n}"))
    };
    assert_eq!(var("datasource")["type"], "datasource");
    assert_eq!(var("datasource")["query"], "prometheus");
    for n in ["service", "env"] {
        let v = var(n);
        assert_eq!(v["type"], "query");
        assert_eq!(v["datasource"]["uid"], "${datasource}");
        let q = v["definition"].as_str().unwrap();
        assert!(q.starts_with("label_values("), "{q}");
        assert_known_families(q, &families);
    }

    let panels = d["panels"].as_array().unwrap();
    assert!(panels.len() >= 10, "{} panels", panels.len());
    let mut ids = BTreeSet::new();
    let mut cells = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let mut all_exprs = String::new();
    for p in panels {
        let id = p["id"].as_u64().unwrap_or_else(|| panic!("panel without id: {p}"));
        assert!(ids.insert(id), "duplicate panel id {id}");
        let kind = p["type"].as_str().unwrap();
        kinds.insert(kind.to_string());
        let title = p["title"].as_str().unwrap();
        assert!(!title.is_empty());
        let g = &p["gridPos"];
        let [h, w, x, y] = ["h", "w", "x", "y"].map(|k| {
            g[k].as_u64()
                .unwrap_or_else(|| panic!("panel {title}: gridPos.{k} missing"))
        });
        assert!(h > 0 && w > 0 && x + w <= 24, "panel {title}: {g}");
        // No two panels share a grid cell.
        for cx in x..x + w {
            for cy in y..y + h {
                assert!(cells.insert((cx, cy)), "panel {title} overlaps another at ({cx}, {cy})");
            }
        }
        if kind == "row" {
            continue;
        }
        assert!(["timeseries", "stat"].contains(&kind), "panel {title}: type {kind}");
        assert_eq!(p["datasource"]["uid"], "${datasource}", "panel {title}");
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "panel {title} has no target");
        for t in targets {
            let expr = t["expr"].as_str().unwrap();
            assert!(!expr.trim().is_empty(), "panel {title}: empty expr");
            assert!(t["refId"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(expr.contains("lockgate_"), "panel {title}: {expr}");
            assert_known_families(expr, &families);
            all_exprs.push_str(expr);
        }
    }
    assert!(kinds.contains("stat") && kinds.contains("timeseries"), "{kinds:?}");
    // The issue's panels: DORA keys, rollouts, gates, proxy errors and latency per version.
    for needle in [
        "lockgate_rollouts_total{outcome=\"completed\"",
        "lockgate_gate_evaluations_total",
        "lockgate_proxy_errors_total",
        "lockgate_proxy_request_duration_seconds_bucket",
        "version",
    ] {
        assert!(all_exprs.contains(needle), "no panel queries {needle}");
    }
    let titles: Vec<&str> = panels.iter().filter_map(|p| p["title"].as_str()).collect();
    for t in [
        "Change failure rate",
        "Deployments per day",
        "web: availability over 30d (objective 99.9%)",
    ] {
        assert!(titles.contains(&t), "no panel {t:?} in {titles:?}");
    }
}

#[test]
fn export_is_deterministic_and_keeps_other_files() {
    let dir = export(SPEC);
    let out = dir.path().join("out");
    std::fs::write(out.join("prometheus/mine.yml"), "keep me\n").unwrap();
    let first: Vec<Vec<u8>> = FILES.iter().map(|f| std::fs::read(out.join(f)).unwrap()).collect();
    lockgate(dir.path())
        .args(["monitoring", "export", "--out", "out"])
        .assert()
        .code(0);
    for (f, before) in FILES.iter().zip(&first) {
        assert!(
            std::fs::read(out.join(f)).unwrap() == *before,
            "{f} changed between two exports"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("prometheus/mine.yml")).unwrap(),
        "keep me\n"
    );
    // Another directory, another run: the same bytes.
    let again = lockgate(dir.path())
        .args(["-q", "monitoring", "export", "--out", "again"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).is_empty(), "-q prints nothing: {}", stdout(&again));
    for (f, before) in FILES.iter().zip(&first) {
        assert!(
            std::fs::read(dir.path().join("again").join(f)).unwrap() == *before,
            "{f} differs"
        );
    }
    // --out naming a file is a usage error.
    let bad = lockgate(dir.path())
        .args(["monitoring", "export", "--out", "lockgate.yaml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("not a directory"), "{}", stderr(&bad));
}

#[test]
fn the_demo_and_a_spec_without_slos_export_valid_rules() {
    let demo = export(lockgate::commands::DEMO_SPEC);
    let bare = export("version: 1\nproject: bare\nservices:\n  web: { run: sleep 100 }\n");
    let note = lockgate(bare.path())
        .args(["monitoring", "export", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        stdout(&note).contains("no service declares `slo:`"),
        "{}",
        stdout(&note)
    );
    let rules = std::fs::read_to_string(demo.path().join("out/prometheus/alerting-rules.yml")).unwrap();
    assert!(
        rules.contains("LockgateAvailabilityBudgetBurn"),
        "the demo declares an slo"
    );
    // The Alertmanager example routes to receivers it defines.
    for dir in [&demo, &bare] {
        let am = yaml(&dir.path().join("out/alertmanager/route.example.yml"));
        let receivers: BTreeSet<&str> = am["receivers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(receivers.contains(am["route"]["receiver"].as_str().unwrap()));
        for r in am["route"]["routes"].as_array().unwrap() {
            assert!(receivers.contains(r["receiver"].as_str().unwrap()), "{r}");
        }
    }
    let Some(promtool) = tool("promtool", "prometheus", true) else {
        return;
    };
    for dir in [&demo, &bare] {
        run_tool(
            &dir.path().join("out"),
            promtool,
            &[
                "check",
                "rules",
                "prometheus/recording-rules.yml",
                "prometheus/alerting-rules.yml",
            ],
        );
    }
    // amtool is checked only where it is installed (Debian prometheus-alertmanager).
    if let Some(amtool) = tool("amtool", "prometheus-alertmanager", false) {
        for dir in [&demo, &bare] {
            run_tool(
                &dir.path().join("out"),
                amtool,
                &["check-config", "alertmanager/route.example.yml"],
            );
        }
    }
}

#[test]
fn slo_values_are_validated_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "version: 1\nproject: p\nservices:\n  web:\n    run: sleep 1\n    slo:\n      availability: 100%\n      latency: { threshold: 20s }\n      window: 1d\n  api:\n    run: sleep 1\n    slo: {}\n";
    std::fs::write(dir.path().join("lockgate.yaml"), spec).unwrap();
    let out = lockgate(dir.path()).arg("validate").output().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for needle in [
        "lockgate.yaml:7:",
        "availability objective 100% of service `web` is not strictly between 0% and 100%",
        "lockgate.yaml:8:",
        "above the proxy's largest latency bucket",
        "lockgate.yaml:9:",
        "slo window 1d of service `web` is shorter than 7d",
        "the slo of service `api` sets no objective",
    ] {
        assert!(err.contains(needle), "no {needle:?} in:\n{err}");
    }
    // An unknown key is refused.
    std::fs::write(
        dir.path().join("lockgate.yaml"),
        "version: 1\nproject: p\nservices:\n  web:\n    run: sleep 1\n    slo: { availabilty: 99% }\n",
    )
    .unwrap();
    let out = lockgate(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("availabilty"), "{}", stderr(&out));
    // A budget too small for the fast page is a warning, not an error.
    std::fs::write(
        dir.path().join("lockgate.yaml"),
        "version: 1\nproject: p\nservices:\n  web:\n    run: sleep 1\n    slo: { availability: 90% }\n",
    )
    .unwrap();
    let out = lockgate(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the fast-burn page can never fire"),
        "{}",
        stderr(&out)
    );
}
