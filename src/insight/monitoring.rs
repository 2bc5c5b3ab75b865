//! Monitoring artifacts for lockgate's `/metrics`: Prometheus recording
//! and alerting rules (multi-window, multi-burn-rate SLO alerts for each
//! service's `slo:`, plus alerts on failed rollouts, stuck gates, the
//! ledger and lockgate itself), an Alertmanager route example and a
//! Grafana dashboard.
//!
//! Pure functions of the spec: the same `lockgate.yaml` gives
//! byte-identical files. Every query uses only families that
//! `src/server/metrics.rs` exports (the integration test checks it).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::spec::{Located, Percent, Service, Slo, Spec};

/// Upper bounds (seconds) of `lockgate_proxy_request_duration_seconds`:
/// the same constant `/metrics` exports them with.
pub const PROXY_BUCKETS: &[f64] = crate::server::metrics::REQUEST_BOUNDS;

/// Rate windows the recording rules compute: every window a burn-rate
/// alert reads.
const WINDOWS: &[&str] = &["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// One multi-window burn-rate condition (Google SRE workbook, ch. 5): it
/// holds when `budget_share` of a `window`'s error budget burns within
/// `long` and is still burning over `short`.
struct Burn {
    long: &'static str,
    long_secs: f64,
    short: &'static str,
    budget_share: f64,
    severity: &'static str,
}

/// For a 30-day window: 14.4× (1h/5m) and 6× (6h/30m) page, 3× (1d/2h)
/// and 1× (3d/6h) make a ticket.
const BURNS: &[Burn] = &[
    Burn {
        long: "1h",
        long_secs: 3_600.0,
        short: "5m",
        budget_share: 0.02,
        severity: "page",
    },
    Burn {
        long: "6h",
        long_secs: 21_600.0,
        short: "30m",
        budget_share: 0.05,
        severity: "page",
    },
    Burn {
        long: "1d",
        long_secs: 86_400.0,
        short: "2h",
        budget_share: 0.10,
        severity: "ticket",
    },
    Burn {
        long: "3d",
        long_secs: 259_200.0,
        short: "6h",
        budget_share: 0.10,
        severity: "ticket",
    },
];

/// How long a gate may wait (after a `waiting` evaluation, with no other
/// evaluation and no decision) before `LockgateGateStuck` fires.
const STUCK_AFTER: &str = "1d";
/// The window in which an aborted or rolled-back rollout alerts.
const ROLLOUT_WINDOW: &str = "15m";

/// A file of the export, relative to the output directory.
pub struct Artifact {
    pub path: &'static str,
    pub text: String,
}

/// Every artifact, in a fixed order.
pub fn export(spec: &Spec) -> Vec<Artifact> {
    vec![
        Artifact {
            path: "prometheus/recording-rules.yml",
            text: recording_rules(spec),
        },
        Artifact {
            path: "prometheus/alerting-rules.yml",
            text: alerting_rules(spec),
        },
        Artifact {
            path: "alertmanager/route.example.yml",
            text: alertmanager_route(spec),
        },
        Artifact {
            path: "grafana/lockgate-dashboard.json",
            text: {
                let mut s = serde_json::to_string_pretty(&dashboard(spec)).expect("a JSON value serializes");
                s.push('\n');
                s
            },
        },
        Artifact {
            path: "README.md",
            text: readme(spec),
        },
    ]
}

// ---- numbers and strings ---------------------------------------------------

/// `v` with at most `digits` decimals, trailing zeros cut: `0.001`, `14.4`, `6`.
fn num(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The error budget of an objective as a ratio: 99.9 % → `0.001`.
fn budget(p: Percent) -> String {
    num((100.0 - p.0) / 100.0, 10)
}

/// A PromQL string literal.
fn prom_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML scalar: JSON's double-quoted form is valid YAML.
fn yq(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `key: value` at `indent`, the value quoted, or as a literal block when
/// it spans lines.
fn yfield(out: &mut String, indent: usize, key: &str, value: &str) {
    let pad = " ".repeat(indent);
    if value.contains('\n') {
        let _ = writeln!(out, "{pad}{key}: |-");
        for line in value.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{pad}  {line}");
            }
        }
    } else {
        let _ = writeln!(out, "{pad}{key}: {}", yq(value));
    }
}

/// The `le` label of the proxy histogram's bucket that measures
/// `threshold` (the first bound at or above it) and whether it had to be
/// rounded up. Prometheus 3 stores integer bounds as `1.0`, Prometheus 2
/// as lockgate writes them (`1`): a regex matches both.
fn bucket_for(threshold: std::time::Duration) -> (f64, String, bool) {
    let t = threshold.as_secs_f64();
    let b = PROXY_BUCKETS
        .iter()
        .copied()
        .find(|b| *b >= t - 1e-9)
        .unwrap_or(*PROXY_BUCKETS.last().expect("bounds"));
    let text = format!("{b}");
    let matcher = if text.contains('.') {
        format!("le={}", prom_str(&text))
    } else {
        format!("le=~{}", prom_str(&format!("{text}|{text}.0")))
    };
    (b, matcher, (b - t).abs() > 1e-9)
}

/// Services with an objective, in file order.
fn slos(spec: &Spec) -> impl Iterator<Item = (&str, &Service, &Slo)> {
    spec.services
        .iter()
        .filter_map(|(name, svc)| svc.slo.as_ref().map(|s| (name, svc, s)))
}

fn header(spec: &Spec, what: &str) -> String {
    format!(
        "# {what} for lockgate project {}.\n# Generated by `lockgate monitoring export` from lockgate.yaml: edit the spec and export again.\n",
        spec.project.value.as_str().replace('\n', " ")
    )
}

// ---- recording rules -------------------------------------------------------

fn recording_rules(spec: &Spec) -> String {
    let mut out = header(spec, "Prometheus recording rules");
    out.push_str("groups:\n");
    out.push_str(
        "  # Proxy traffic and error ratio per service and environment, over every window a burn-rate alert reads.\n",
    );
    out.push_str("  - name: lockgate-proxy\n    rules:\n");
    for w in WINDOWS {
        out.push_str(&format!("      - record: lockgate:proxy_requests:rate{w}\n"));
        yfield(
            &mut out,
            8,
            "expr",
            &format!("sum by (service, env) (rate(lockgate_proxy_requests_total[{w}]))"),
        );
        out.push_str(&format!("      - record: lockgate:proxy_error_ratio:rate{w}\n"));
        yfield(
            &mut out,
            8,
            "expr",
            &format!(
                "sum by (service, env) (rate(lockgate_proxy_errors_total[{w}]))\n/\nsum by (service, env) (rate(lockgate_proxy_requests_total[{w}]))"
            ),
        );
    }
    let latency: Vec<_> = slos(spec)
        .filter_map(|(name, _, s)| s.latency.as_ref().map(|l| (name, l)))
        .collect();
    if !latency.is_empty() {
        out.push_str("  # Share of proxied requests slower than each service's latency threshold.\n");
        out.push_str("  - name: lockgate-proxy-latency\n    rules:\n");
        for (name, l) in latency {
            let (b, le, rounded) = bucket_for(l.threshold.value.as_std());
            let svc = format!("service={}", prom_str(name));
            for w in WINDOWS {
                let _ = writeln!(
                    out,
                    "      # {name}: slower than {}{}",
                    l.threshold.value,
                    if rounded {
                        format!(" (measured at the next bucket bound, {b}s)")
                    } else {
                        String::new()
                    }
                );
                let _ = writeln!(out, "      - record: lockgate:proxy_slow_ratio:rate{w}");
                // A static label per service keeps the rules distinct (promtool's lint).
                let _ = writeln!(out, "        labels:\n          service: {}", yq(name));
                yfield(
                    &mut out,
                    8,
                    "expr",
                    &format!(
                        "1 - (\n  sum by (service, env) (rate(lockgate_proxy_request_duration_seconds_bucket{{{svc},{le}}}[{w}]))\n/\n  sum by (service, env) (rate(lockgate_proxy_request_duration_seconds_count{{{svc}}}[{w}]))\n)"
                    ),
                );
            }
        }
    }
    out
}

// ---- alerting rules ----------------------------------------------------------

/// The burn-rate factor of `b` for an SLO window of `window_secs`: the
/// multiple of the sustainable error rate that burns `budget_share` of
/// the budget within `long`.
fn factor(b: &Burn, window_secs: f64) -> String {
    num(b.budget_share * window_secs / b.long_secs, 4)
}

/// The two burn-rate alerts (page and ticket) of one objective.
fn burn_alerts(out: &mut String, name: &str, slo: &Slo, kind: &str, objective: &Located<Percent>, note: &str) {
    let window_secs = slo.window.value.as_std().as_secs_f64();
    let budget = budget(objective.value);
    let series = if kind == "availability" {
        "lockgate:proxy_error_ratio"
    } else {
        "lockgate:proxy_slow_ratio"
    };
    let alert = if kind == "availability" {
        "LockgateAvailabilityBudgetBurn"
    } else {
        "LockgateLatencyBudgetBurn"
    };
    let sel = format!("{{service={}}}", prom_str(name));
    for (severity, for_, speed) in [("page", "2m", "fast"), ("ticket", "15m", "slowly")] {
        let parts: Vec<String> = BURNS
            .iter()
            .filter(|b| b.severity == severity)
            .map(|b| {
                let f = factor(b, window_secs);
                format!(
                    "(\n  {series}:rate{long}{sel} > ({f} * {budget})\nand\n  {series}:rate{short}{sel} > ({f} * {budget})\n)",
                    long = b.long,
                    short = b.short
                )
            })
            .collect();
        let windows: Vec<String> = BURNS
            .iter()
            .filter(|b| b.severity == severity)
            .map(|b| format!("{}× over {} and {}", factor(b, window_secs), b.long, b.short))
            .collect();
        let _ = writeln!(out, "      - alert: {alert}");
        yfield(out, 8, "expr", &parts.join("\nor\n"));
        let _ = writeln!(out, "        for: {for_}");
        out.push_str("        labels:\n");
        let _ = writeln!(out, "          severity: {severity}");
        let _ = writeln!(out, "          service: {}", yq(name));
        let _ = writeln!(out, "          slo: {kind}");
        out.push_str("        annotations:\n");
        yfield(
            out,
            10,
            "summary",
            &format!(
                "{name} in {{{{ $labels.env }}}} is burning its {kind} error budget {speed} ({} over {})",
                objective.value, slo.window.value
            ),
        );
        yfield(
            out,
            10,
            "description",
            &format!(
                "The {kind} objective of {name} is {} of requests over {} (error budget {budget}). Burn rate above {}, measured at lockgate's proxy.{note}",
                objective.value,
                slo.window.value,
                windows.join(", or ")
            ),
        );
    }
}

fn alerting_rules(spec: &Spec) -> String {
    let mut out = header(spec, "Prometheus alerting rules");
    out.push_str(
        "# Severity `page` wants a person now; `ticket` can wait for working hours.\n# The SLO alerts read the recording rules in recording-rules.yml: load both files.\ngroups:\n",
    );
    let mut any = false;
    for (name, _, slo) in slos(spec) {
        if !any {
            out.push_str(
                "  # Multi-window, multi-burn-rate alerts (Google SRE workbook) for each service's `slo:`.\n  - name: lockgate-slo\n    rules:\n",
            );
            any = true;
        }
        if let Some(a) = &slo.availability {
            burn_alerts(&mut out, name, slo, "availability", a, "");
        }
        if let Some(l) = &slo.latency {
            let (b, _, rounded) = bucket_for(l.threshold.value.as_std());
            let note = if rounded {
                format!(
                    " Fast means within {}; the proxy's histogram has no bound there, so it is checked at the next larger bound, {b}s: requests up to {b}s count as fast.",
                    l.threshold.value
                )
            } else {
                format!(" Fast means within {}.", l.threshold.value)
            };
            burn_alerts(&mut out, name, slo, "latency", &l.percentile, &note);
        }
    }
    let failed = "lockgate_rollouts_total{outcome=~\"aborted|rolled_back\"}";
    let w = ROLLOUT_WINDOW;
    let waiting = "lockgate_gate_evaluations_total{status=\"waiting\"}";
    let moved = "lockgate_gate_evaluations_total{status!=\"waiting\"}";
    let decided = "lockgate_gate_decisions_total";
    let s = STUCK_AFTER;
    out.push_str("  # Delivery: rollouts and gates, from the counters lockgate folds from its ledger.\n");
    out.push_str("  - name: lockgate-delivery\n    rules:\n");
    // A counter series appears with its first event: `increase` cannot see
    // that one, so a series that is new within the window (while lockgate
    // was already scraped) counts too.
    out.push_str("      - alert: LockgateRolloutFailed\n");
    yfield(
        &mut out,
        8,
        "expr",
        &format!(
            "(increase({failed}[{w}]) > 0)\nor\n(\n  ({failed} unless {failed} offset {w})\n  and on (instance, job) (lockgate_ledger_events offset {w})\n)"
        ),
    );
    out.push_str("        labels:\n          severity: ticket\n        annotations:\n");
    yfield(
        &mut out,
        10,
        "summary",
        "A rollout of {{ $labels.service }} in {{ $labels.env }} ended {{ $labels.outcome }}",
    );
    yfield(
        &mut out,
        10,
        "description",
        &format!(
            "lockgate recorded an aborted or rolled-back rollout of {{{{ $labels.service }}}} in {{{{ $labels.env }}}} in the last {w}. See `lockgate audit log` and the rollout's analysis."
        ),
    );
    out.push_str("      - alert: LockgateGateStuck\n");
    yfield(
        &mut out,
        8,
        "expr",
        &format!(
            "(\n  (increase({waiting}[{s}] offset {s}) > 0)\n  or\n  (\n    ({waiting} offset {s} unless {waiting} offset 2d)\n    and on (instance, job) (lockgate_ledger_events offset 2d)\n  )\n)\nunless on (gate)\n(\n  (increase({moved}[2d]) > 0)\n  or ({moved} unless {moved} offset 2d)\n)\nunless on (gate)\n(\n  (increase({decided}[2d]) > 0)\n  or ({decided} unless {decided} offset 2d)\n)"
        ),
    );
    out.push_str("        labels:\n          severity: ticket\n        annotations:\n");
    yfield(
        &mut out,
        10,
        "summary",
        &format!("Gate {{{{ $labels.gate }}}} has been waiting for more than {s}"),
    );
    yfield(
        &mut out,
        10,
        "description",
        &format!(
            "Gate {{{{ $labels.gate }}}} was evaluated `waiting` {s} to 2d ago, and since then it was neither evaluated otherwise nor approved or rejected. It needs approvals or attestations: see `lockgate gate status {{{{ $labels.gate }}}}`. The alert resolves by itself a day later unless the gate is evaluated `waiting` again."
        ),
    );
    out.push_str("  # lockgate itself and its ledger.\n");
    out.push_str("  - name: lockgate-server\n    rules:\n");
    for (alert, expr, for_, severity, summary, description) in [
        (
            "LockgateLedgerVerificationFailed",
            "lockgate_ledger_verified == 0",
            "2m",
            "page",
            "lockgate's audit ledger does not verify",
            "The ledger did not verify against its pinned key (checked once a minute): events or checkpoints may have been altered. Run `lockgate audit verify` and treat it as a security incident until explained.",
        ),
        (
            "LockgateLedgerUnreadable",
            "lockgate_ledger_readable == 0",
            "5m",
            "page",
            "lockgate cannot read its ledger",
            "Scrapes of /metrics could not read the ledger for 5 minutes; the delivery families are missing. Check the server's log and the ledger store.",
        ),
        (
            "LockgateDown",
            "up{job=\"lockgate\"} == 0",
            "5m",
            "page",
            "lockgate's /metrics cannot be scraped",
            "Prometheus could not scrape the `lockgate` job for 5 minutes: the server is down or unreachable, and no SLO or delivery alert can fire meanwhile.",
        ),
        (
            "LockgateNotReady",
            "lockgate_ready == 0",
            "10m",
            "ticket",
            "lockgate has not been ready for 10 minutes",
            "lockgate serve answers but reports not ready (as /readyz): it is starting, stopping or cannot reach the ledger.",
        ),
    ] {
        let _ = writeln!(out, "      - alert: {alert}");
        yfield(&mut out, 8, "expr", expr);
        let _ = writeln!(out, "        for: {for_}");
        let _ = writeln!(
            out,
            "        labels:\n          severity: {severity}\n        annotations:"
        );
        yfield(&mut out, 10, "summary", summary);
        yfield(&mut out, 10, "description", description);
    }
    out
}

// ---- Alertmanager --------------------------------------------------------------

/// Environments nothing is promoted from: where a page should wake someone.
fn final_envs(spec: &Spec) -> Vec<String> {
    let from: Vec<&str> = spec
        .environments
        .iter()
        .filter_map(|(_, e)| e.promote_from.as_ref().map(|f| f.value.as_str()))
        .collect();
    crate::spec::promotion_order(spec)
        .into_iter()
        .filter(|e| !from.contains(&e.as_str()))
        .collect()
}

fn alertmanager_route(spec: &Spec) -> String {
    let mut out = header(spec, "An example Alertmanager configuration");
    out.push_str(
        "# Replace the receivers' URLs with your pager and ticket integrations (PagerDuty, Opsgenie, Slack, …),\n# or copy the `routes` under your own route tree. Check it with `amtool check-config`.\n",
    );
    out.push_str("route:\n  receiver: default\n  group_by: [alertname, service, env, gate]\n");
    out.push_str("  group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 4h\n  routes:\n");
    out.push_str(
        "    # Every page is also an incident in lockgate (change failure rate, time to restore);\n    # `continue` lets it reach the pager too.\n",
    );
    out.push_str("    - receiver: lockgate-incidents\n      matchers:\n");
    let _ = writeln!(out, "        - {}", yq("severity=\"page\""));
    out.push_str("      continue: true\n");
    let finals = final_envs(spec);
    let others: Vec<String> = crate::spec::promotion_order(spec)
        .into_iter()
        .filter(|e| !finals.contains(e))
        .collect();
    if !others.is_empty() {
        let re: Vec<String> = others.iter().map(|e| regex_escape(e)).collect();
        out.push_str("    # SLO pages from environments before the last one make tickets instead.\n");
        out.push_str("    - receiver: tickets\n      matchers:\n");
        let _ = writeln!(out, "        - {}", yq("severity=\"page\""));
        let _ = writeln!(out, "        - {}", yq(&format!("env=~\"{}\"", re.join("|"))));
    }
    out.push_str("    - receiver: pager\n      matchers:\n");
    let _ = writeln!(out, "        - {}", yq("severity=\"page\""));
    out.push_str("    - receiver: tickets\n      matchers:\n");
    let _ = writeln!(out, "        - {}", yq("severity=\"ticket\""));
    out.push_str("      repeat_interval: 24h\n");
    out.push_str("inhibit_rules:\n");
    out.push_str("  # A page for an SLO silences the ticket for the same burn.\n");
    out.push_str("  - source_matchers:\n");
    let _ = writeln!(out, "      - {}", yq("severity=\"page\""));
    out.push_str("    target_matchers:\n");
    let _ = writeln!(out, "      - {}", yq("severity=\"ticket\""));
    out.push_str("    equal: [alertname, service, env]\n");
    out.push_str("  # While lockgate cannot be scraped, its other alerts say nothing new.\n");
    out.push_str("  - source_matchers:\n");
    let _ = writeln!(out, "      - {}", yq("alertname=\"LockgateDown\""));
    out.push_str("    target_matchers:\n");
    let _ = writeln!(
        out,
        "      - {}",
        yq("alertname=~\"LockgateNotReady|LockgateLedgerUnreadable\"")
    );
    out.push_str("receivers:\n  - name: default\n");
    out.push_str("  # lockgate's incident webhook; the file holds an operator token (`lockgate token create --name alertmanager --role operator`).\n");
    out.push_str("  - name: lockgate-incidents\n    webhook_configs:\n      - url: http://127.0.0.1:8080/api/v1/incidents/alertmanager\n        send_resolved: true\n        http_config:\n          authorization:\n            credentials_file: /etc/alertmanager/lockgate-token\n");
    out.push_str("  - name: pager\n    webhook_configs:\n      - url: http://127.0.0.1:9095/page\n");
    out.push_str("  - name: tickets\n    webhook_configs:\n      - url: http://127.0.0.1:9095/ticket\n");
    out
}

/// A name as a literal in an RE2 regex (names hold letters, digits, `-`, `_`, `.`).
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() && c != '_' && c != '-' {
            out.push('\\');
            if c == '.' {
                // In a PromQL/Alertmanager string, the backslash itself is escaped.
                out.push('\\');
            }
        }
        out.push(c);
    }
    out
}

// ---- Grafana ---------------------------------------------------------------------

/// Lays panels out left to right, wrapping at Grafana's 24 columns.
struct Layout {
    panels: Vec<Value>,
    x: u32,
    y: u32,
    row_h: u32,
}

impl Layout {
    fn row(&mut self, title: &str) {
        self.newline();
        let id = self.panels.len() + 1;
        self.panels.push(json!({
            "id": id,
            "type": "row",
            "title": title,
            "collapsed": false,
            "gridPos": { "h": 1, "w": 24, "x": 0, "y": self.y },
            "panels": [],
        }));
        self.y += 1;
    }

    fn newline(&mut self) {
        if self.x > 0 {
            self.y += self.row_h;
            self.x = 0;
            self.row_h = 0;
        }
    }

    fn add(&mut self, w: u32, h: u32, mut panel: Value) {
        if self.x + w > 24 {
            self.newline();
        }
        let id = self.panels.len() + 1;
        panel["id"] = json!(id);
        panel["gridPos"] = json!({ "h": h, "w": w, "x": self.x, "y": self.y });
        self.x += w;
        self.row_h = self.row_h.max(h);
        self.panels.push(panel);
    }
}

fn ds() -> Value {
    json!({ "type": "prometheus", "uid": "${datasource}" })
}

fn targets(queries: &[(&str, &str)]) -> Value {
    Value::Array(
        queries
            .iter()
            .enumerate()
            .map(|(i, (expr, legend))| {
                let ref_id = char::from(b'A' + u8::try_from(i).unwrap_or(25).min(25)).to_string();
                json!({
                    "datasource": ds(),
                    "refId": ref_id,
                    "expr": expr,
                    "legendFormat": legend,
                    "range": true,
                })
            })
            .collect(),
    )
}

fn timeseries(title: &str, description: &str, unit: &str, queries: &[(&str, &str)]) -> Value {
    json!({
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": ds(),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": { "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never" },
            },
            "overrides": [],
        },
        "options": {
            "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true },
            "tooltip": { "mode": "multi", "sort": "desc" },
        },
        "targets": targets(queries),
    })
}

/// A stat; `steps` colour the value: `(from, colour)`, the first from null.
fn stat(title: &str, description: &str, unit: &str, steps: &[(Option<f64>, &str)], queries: &[(&str, &str)]) -> Value {
    let steps: Vec<Value> = steps.iter().map(|(v, c)| json!({ "color": c, "value": v })).collect();
    json!({
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": ds(),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "thresholds": { "mode": "absolute", "steps": steps },
            },
            "overrides": [],
        },
        "options": {
            "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false },
            "colorMode": "value",
            "graphMode": "area",
            "justifyMode": "auto",
            "orientation": "auto",
            "textMode": "auto",
        },
        "targets": targets(queries),
    })
}

fn dashboard(spec: &Spec) -> Value {
    let sel = "service=~\"$service\",env=~\"$env\"";
    let mut l = Layout {
        panels: Vec::new(),
        x: 0,
        y: 0,
        row_h: 0,
    };
    let green_red = [(None, "red"), (Some(1.0), "green")];

    l.row("lockgate");
    l.add(
        4,
        4,
        stat(
            "Ready",
            "lockgate_ready: 1 when lockgate serve is ready (as /readyz).",
            "none",
            &green_red,
            &[("min(lockgate_ready)", "")],
        ),
    );
    l.add(
        4,
        4,
        stat(
            "Ledger verified",
            "lockgate_ledger_verified: 1 when the ledger verified against its pinned key (checked once a minute). 0 pages (LockgateLedgerVerificationFailed).",
            "none",
            &green_red,
            &[("min(lockgate_ledger_verified)", "")],
        ),
    );
    l.add(
        4,
        4,
        stat(
            "Ledger events",
            "lockgate_ledger_events: events in the audit ledger.",
            "none",
            &[(None, "blue")],
            &[("max(lockgate_ledger_events)", "")],
        ),
    );
    l.add(
        4,
        4,
        stat(
            "Checkpointed events",
            "lockgate_ledger_checkpoint_size: events covered by the latest signed checkpoint.",
            "none",
            &[(None, "blue")],
            &[("max(lockgate_ledger_checkpoint_size)", "")],
        ),
    );
    l.add(
        8,
        4,
        timeseries(
            "Ledger append latency (p99)",
            "p99 of lockgate_ledger_append_duration_seconds: appends through the server's committer.",
            "s",
            &[(
                "histogram_quantile(0.99, sum by (le) (rate(lockgate_ledger_append_duration_seconds_bucket[$__rate_interval])))",
                "p99",
            )],
        ),
    );

    l.row("DORA (from rollout counters)");
    l.add(
        6,
        5,
        stat(
            "Deployments per day",
            "Deployment frequency: rollouts completed in the last day, increase(lockgate_rollouts_total{outcome=\"completed\"}[1d]). Built from the rollout counters; lockgate's own DORA gauges are not used here.",
            "none",
            &[(None, "blue")],
            &[(
                "sum(increase(lockgate_rollouts_total{outcome=\"completed\",service=~\"$service\",env=~\"$env\"}[1d]))",
                "",
            )],
        ),
    );
    l.add(
        6,
        5,
        stat(
            "Change failure rate",
            "Rollouts aborted or rolled back over all rollouts that ended, in the dashboard's time range: increase(lockgate_rollouts_total{outcome=~\"aborted|rolled_back\"}) / increase(lockgate_rollouts_total). Built from the rollout counters.",
            "percentunit",
            &[(None, "green"), (Some(0.15), "orange"), (Some(0.3), "red")],
            &[(
                "sum(increase(lockgate_rollouts_total{outcome=~\"aborted|rolled_back\",service=~\"$service\",env=~\"$env\"}[$__range]))\n/\nsum(increase(lockgate_rollouts_total{service=~\"$service\",env=~\"$env\"}[$__range]))",
                "",
            )],
        ),
    );
    l.add(
        12,
        5,
        timeseries(
            "Deployments per day, by environment",
            "Rollouts completed over the trailing day, by environment: increase(lockgate_rollouts_total{outcome=\"completed\"}[1d]).",
            "none",
            &[(
                "sum by (env) (increase(lockgate_rollouts_total{outcome=\"completed\",service=~\"$service\",env=~\"$env\"}[1d]))",
                "{{env}}",
            )],
        ),
    );

    l.row("DORA keys (last 30 days, lockgate's own computation)");
    l.add(
        6,
        5,
        stat(
            "Lead time for changes (median)",
            "lockgate_dora_lead_time_seconds{quantile=\"0.5\"}: commit (committer time) to completed production rollout, median over the last 30 days. Definitions: docs/metrics.md.",
            "s",
            &[(None, "green"), (Some(86400.0), "orange"), (Some(604800.0), "red")],
            &[("max(lockgate_dora_lead_time_seconds{quantile=\"0.5\"})", "")],
        ),
    );
    l.add(
        6,
        5,
        stat(
            "Change failure rate (30 days)",
            "lockgate_dora_change_failure_ratio: changes aborted, rolled back or followed by an incident, over all changes in the last 30 days.",
            "percentunit",
            &[(None, "green"), (Some(0.15), "orange"), (Some(0.3), "red")],
            &[("max(lockgate_dora_change_failure_ratio)", "")],
        ),
    );
    l.add(
        6,
        5,
        stat(
            "Time to restore (median)",
            "lockgate_dora_time_to_restore_seconds{quantile=\"0.5\"}: failure detected (incident opened, or analysis failed) to healthy again, median over the last 30 days.",
            "s",
            &[(None, "green"), (Some(3600.0), "orange"), (Some(86400.0), "red")],
            &[("max(lockgate_dora_time_to_restore_seconds{quantile=\"0.5\"})", "")],
        ),
    );
    l.add(
        6,
        5,
        stat(
            "Deployment days (30 days)",
            "lockgate_dora_deployment_dates: UTC days with at least one deployment in the last 30 days.",
            "none",
            &[(None, "blue")],
            &[("max(lockgate_dora_deployment_dates)", "")],
        ),
    );

    l.row("Rollouts");
    l.add(
        12,
        8,
        timeseries(
            "Rollouts ended, by outcome",
            "lockgate_rollouts_total by outcome (completed, aborted, rolled_back). Aborted and rolled-back rollouts alert (LockgateRolloutFailed).",
            "none",
            &[(
                &format!("sum by (service, env, outcome) (increase(lockgate_rollouts_total{{{sel}}}[$__rate_interval]))"),
                "{{service}} {{env}} {{outcome}}",
            )],
        ),
    );
    l.add(
        12,
        8,
        timeseries(
            "Rollouts started",
            "lockgate_rollouts_started_total by service and environment.",
            "none",
            &[(
                &format!(
                    "sum by (service, env) (increase(lockgate_rollouts_started_total{{{sel}}}[$__rate_interval]))"
                ),
                "{{service}} {{env}}",
            )],
        ),
    );

    l.row("Gates");
    l.add(
        8,
        8,
        timeseries(
            "Gate evaluations, by status",
            "lockgate_gate_evaluations_total by gate and status (open, failed, waiting, blocked). A gate left waiting for a day alerts (LockgateGateStuck).",
            "none",
            &[(
                "sum by (gate, status) (increase(lockgate_gate_evaluations_total[$__rate_interval]))",
                "{{gate}} {{status}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "Gate decisions",
            "lockgate_gate_decisions_total by gate and decision (approved, break_glass, rejected).",
            "none",
            &[(
                "sum by (gate, decision) (increase(lockgate_gate_decisions_total[$__rate_interval]))",
                "{{gate}} {{decision}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "Refusals",
            "lockgate_refusals_total by kind (gate.refused, deploy.refused, api.denied).",
            "none",
            &[(
                "sum by (kind) (increase(lockgate_refusals_total[$__rate_interval]))",
                "{{kind}}",
            )],
        ),
    );

    l.row("Proxy, per version");
    l.add(
        8,
        8,
        timeseries(
            "Requests per second",
            "rate(lockgate_proxy_requests_total) by service, environment and version: the canary's share shows here.",
            "reqps",
            &[(
                &format!(
                    "sum by (service, env, version) (rate(lockgate_proxy_requests_total{{{sel}}}[$__rate_interval]))"
                ),
                "{{service}} {{env}} {{version}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "Error rate",
            "lockgate_proxy_errors_total / lockgate_proxy_requests_total by version: 5xx answers and attempts without an answer.",
            "percentunit",
            &[(
                &format!(
                    "sum by (service, env, version) (rate(lockgate_proxy_errors_total{{{sel}}}[$__rate_interval]))\n/\nsum by (service, env, version) (rate(lockgate_proxy_requests_total{{{sel}}}[$__rate_interval]))"
                ),
                "{{service}} {{env}} {{version}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "Latency (p50, p99)",
            "Time to response headers through the proxy, from lockgate_proxy_request_duration_seconds (buckets 5ms … 10s).",
            "s",
            &[
                (
                    &format!(
                        "histogram_quantile(0.99, sum by (service, env, version, le) (rate(lockgate_proxy_request_duration_seconds_bucket{{{sel}}}[$__rate_interval])))"
                    ),
                    "p99 {{service}} {{env}} {{version}}",
                ),
                (
                    &format!(
                        "histogram_quantile(0.5, sum by (service, env, version, le) (rate(lockgate_proxy_request_duration_seconds_bucket{{{sel}}}[$__rate_interval])))"
                    ),
                    "p50 {{service}} {{env}} {{version}}",
                ),
            ],
        ),
    );

    let objectives: Vec<_> = slos(spec).collect();
    if !objectives.is_empty() {
        l.row("Service level objectives");
        for (name, _, slo) in objectives {
            let svc = prom_str(name);
            let w = slo.window.value.to_string();
            if let Some(a) = &slo.availability {
                let good = a.value.0 / 100.0;
                l.add(
                    12,
                    6,
                    timeseries(
                        &format!("{name}: availability over {w} (objective {})", a.value),
                        &format!(
                            "1 - errors / requests at the proxy over the SLO window ({w}), by environment. Below {} the error budget is spent; burn-rate alerts: LockgateAvailabilityBudgetBurn.",
                            a.value
                        ),
                        "percentunit",
                        &[(
                            &format!(
                                "1 - (\n  sum by (env) (increase(lockgate_proxy_errors_total{{service={svc},env=~\"$env\"}}[{w}]))\n/\n  sum by (env) (increase(lockgate_proxy_requests_total{{service={svc},env=~\"$env\"}}[{w}]))\n)"
                            ),
                            "{{env}}",
                        )],
                    ),
                );
                let last = l.panels.len() - 1;
                l.panels[last]["fieldConfig"]["defaults"]["thresholds"] = json!({
                    "mode": "absolute",
                    "steps": [{ "color": "red", "value": null }, { "color": "green", "value": good }],
                });
                l.panels[last]["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] = json!({ "mode": "line" });
            }
            if let Some(lat) = &slo.latency {
                let (b, le, rounded) = bucket_for(lat.threshold.value.as_std());
                let good = lat.percentile.value.0 / 100.0;
                l.add(
                    12,
                    6,
                    timeseries(
                        &format!(
                            "{name}: requests within {} over {w} (objective {})",
                            lat.threshold.value, lat.percentile.value
                        ),
                        &format!(
                            "Share of proxied requests answered within {}{} over the SLO window ({w}), by environment; burn-rate alerts: LockgateLatencyBudgetBurn.",
                            lat.threshold.value,
                            if rounded {
                                format!(" (measured at the next histogram bound, {b}s)")
                            } else {
                                String::new()
                            }
                        ),
                        "percentunit",
                        &[(
                            &format!(
                                "sum by (env) (increase(lockgate_proxy_request_duration_seconds_bucket{{service={svc},env=~\"$env\",{le}}}[{w}]))\n/\nsum by (env) (increase(lockgate_proxy_request_duration_seconds_count{{service={svc},env=~\"$env\"}}[{w}]))"
                            ),
                            "{{env}}",
                        )],
                    ),
                );
                let last = l.panels.len() - 1;
                l.panels[last]["fieldConfig"]["defaults"]["thresholds"] = json!({
                    "mode": "absolute",
                    "steps": [{ "color": "red", "value": null }, { "color": "green", "value": good }],
                });
                l.panels[last]["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] = json!({ "mode": "line" });
            }
        }
    }

    l.row("HTTP API and pipeline");
    l.add(
        8,
        8,
        timeseries(
            "API requests, by status",
            "lockgate_http_requests_total by status code.",
            "reqps",
            &[(
                "sum by (status) (rate(lockgate_http_requests_total[$__rate_interval]))",
                "{{status}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "API latency (p99), by route",
            "p99 of lockgate_http_request_duration_seconds by route template.",
            "s",
            &[(
                "histogram_quantile(0.99, sum by (route, le) (rate(lockgate_http_request_duration_seconds_bucket[$__rate_interval])))",
                "{{route}}",
            )],
        ),
    );
    l.add(
        8,
        8,
        timeseries(
            "Pipeline job duration (p90), by job",
            "p90 of lockgate_pipeline_job_duration_seconds by job (jobs that ran; cached ones are left out).",
            "s",
            &[(
                "histogram_quantile(0.9, sum by (job, le) (increase(lockgate_pipeline_job_duration_seconds_bucket[1d])))",
                "{{job}}",
            )],
        ),
    );

    let project = spec.project.value.as_str();
    let mut uid = format!("lockgate-{}", crate::spec::slug_name(project));
    uid.truncate(40);
    let uid = uid.trim_end_matches('-').to_string();
    let variable = |name: &str, label: &str, query: &str| {
        json!({
            "name": name,
            "label": label,
            "type": "query",
            "datasource": ds(),
            "definition": query,
            "query": { "query": query, "refId": format!("{name}-query") },
            "refresh": 2,
            "includeAll": true,
            "multi": true,
            "allValue": ".*",
            "current": { "selected": true, "text": ["All"], "value": ["$__all"] },
            "options": [],
            "regex": "",
            "sort": 1,
            "hide": 0,
        })
    };
    json!({
        "uid": uid,
        "title": format!("lockgate: {project}"),
        "description": "lockgate's /metrics: readiness and the ledger, DORA keys from rollout counters, rollouts, gates, the proxy per version, SLOs. Generated by `lockgate monitoring export`.",
        "tags": ["lockgate"],
        "timezone": "browser",
        "editable": true,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": { "from": "now-24h", "to": "now" },
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "liveNow": false,
        "links": [],
        "annotations": {
            "list": [{
                "builtIn": 1,
                "datasource": { "type": "grafana", "uid": "-- Grafana --" },
                "enable": true,
                "hide": true,
                "iconColor": "rgba(0, 211, 255, 1)",
                "name": "Annotations & Alerts",
                "type": "dashboard",
            }],
        },
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "options": [],
                    "refresh": 1,
                    "regex": "",
                    "hide": 0,
                    "includeAll": false,
                    "multi": false,
                },
                variable("service", "Service", "label_values(lockgate_proxy_requests_total, service)"),
                variable(
                    "env",
                    "Environment",
                    "label_values(lockgate_proxy_requests_total{service=~\"$service\"}, env)",
                ),
            ],
        },
        "panels": l.panels,
    })
}

// ---- README ----------------------------------------------------------------------

fn readme(spec: &Spec) -> String {
    let mut objectives = String::new();
    for (name, _, slo) in slos(spec) {
        let mut parts = Vec::new();
        if let Some(a) = &slo.availability {
            parts.push(format!("availability {}", a.value));
        }
        if let Some(l) = &slo.latency {
            let (b, _, rounded) = bucket_for(l.threshold.value.as_std());
            parts.push(format!(
                "{} of requests within {}{}",
                l.percentile.value,
                l.threshold.value,
                if rounded {
                    format!(" (checked at the proxy histogram's next bound, {b}s)")
                } else {
                    String::new()
                }
            ));
        }
        let _ = writeln!(objectives, "- `{name}`: {} over {}", parts.join(", "), slo.window.value);
    }
    if objectives.is_empty() {
        objectives.push_str(
            "- none: no service declares `slo:` in lockgate.yaml, so there are no burn-rate alerts. Add e.g.\n  `slo: { availability: 99.9%, latency: { threshold: 250ms, percentile: 99% } }` to a service and export again.\n",
        );
    }
    format!(
        "# Monitoring lockgate project {project}

Generated by `lockgate monitoring export` from lockgate.yaml. Edit the
spec, not these files, and export again: the same spec gives the same
bytes. See docs/monitoring.md in lockgate's repository for the details.

| File | What |
|------|------|
| `prometheus/recording-rules.yml` | error and slow-request ratios per service and environment, over 5m … 3d |
| `prometheus/alerting-rules.yml` | SLO burn-rate alerts; failed rollouts, stuck gates, ledger, lockgate down |
| `alertmanager/route.example.yml` | an Alertmanager configuration routing `page` and `ticket` alerts |
| `grafana/lockgate-dashboard.json` | a Grafana dashboard for lockgate's `/metrics` |

Service level objectives:

{objectives}
## Prometheus

Run `lockgate serve --listen 127.0.0.1:8470` (or any address) and scrape it
as job `lockgate` (the `LockgateDown` alert selects `up{{job=\"lockgate\"}}`).
`/metrics` needs no token:

```yaml
scrape_configs:
  - job_name: lockgate
    scrape_interval: 15s
    static_configs:
      - targets: [\"127.0.0.1:8470\"]
rule_files:
  - /etc/prometheus/lockgate/prometheus/recording-rules.yml
  - /etc/prometheus/lockgate/prometheus/alerting-rules.yml
```

Check the rules with `promtool check rules prometheus/*.yml`, then reload
Prometheus (`kill -HUP`, or `POST /-/reload` with `--web.enable-lifecycle`).

## Alertmanager

`alertmanager/route.example.yml` is a complete configuration: replace the
receivers' webhook URLs with your integrations, or copy its `routes` and
`inhibit_rules` into your own. Check it with
`amtool check-config alertmanager/route.example.yml`. Pages from
environments before the last one in promotion order become tickets.

## Grafana

Dashboards → New → Import → upload `grafana/lockgate-dashboard.json`, then
pick a Prometheus data source in the dashboard's `Data source` variable.
Or provision it: put the file in a directory named by a dashboard
provider (`providers[].options.path`).
",
        project = spec.project.value.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_exact() {
        assert_eq!(budget(Percent(99.9)), "0.001");
        assert_eq!(budget(Percent(99.95)), "0.0005");
        assert_eq!(budget(Percent(99.0)), "0.01");
        let month = 30.0 * 86_400.0;
        let f: Vec<String> = BURNS.iter().map(|b| factor(b, month)).collect();
        assert_eq!(f, ["14.4", "6", "3", "1"]);
        assert_eq!(factor(&BURNS[0], 28.0 * 86_400.0), "13.44");
    }

    #[test]
    fn thresholds_pick_the_next_bucket() {
        let ms = std::time::Duration::from_millis;
        assert_eq!(bucket_for(ms(250)), (0.25, "le=\"0.25\"".to_string(), false));
        assert_eq!(bucket_for(ms(300)), (0.5, "le=\"0.5\"".to_string(), true));
        assert_eq!(bucket_for(ms(1000)), (1.0, "le=~\"1|1.0\"".to_string(), false));
        assert_eq!(bucket_for(ms(4000)), (5.0, "le=~\"5|5.0\"".to_string(), true));
    }

    #[test]
    fn yaml_blocks_keep_their_lines() {
        let mut s = String::new();
        yfield(&mut s, 2, "expr", "a\n/\nb");
        assert_eq!(s, "  expr: |-\n    a\n    /\n    b\n");
        let mut s = String::new();
        yfield(&mut s, 0, "summary", "say \"hi\"");
        assert_eq!(s, "summary: \"say \\\"hi\\\"\"\n");
    }
}
