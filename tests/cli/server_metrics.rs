//! `/metrics` checked by Prometheus's own promtool.

use std::io::Write as _;
use std::process::{Command, Stdio};

use super::server::{Server, http};
use super::{stderr, stdout};

/// The value of the sample whose line starts with `prefix` (name and
/// labels as written), if any.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.strip_prefix(' ')?.parse().ok())
}

/// The sum of the samples of `name` whose labels contain all of `labels`.
fn total(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let rest = series.strip_prefix(name)?;
            (rest.is_empty() || rest.starts_with('{')).then_some(())?;
            labels
                .iter()
                .all(|x| rest.contains(x))
                .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

/// `promtool`, or `None` (with a note) when it is missing and not required.
fn promtool() -> Option<&'static str> {
    let found = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some("promtool");
    }
    if std::env::var("LOCKGATE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("promtool is missing and LOCKGATE_REQUIRE_TOOLS=1 (install the Debian package prometheus)");
    }
    eprintln!("SKIPPED: promtool is missing (install the Debian package prometheus); the format is not checked");
    None
}

#[test]
fn metrics_pass_promtool_and_count_what_happened() {
    let s = Server::start();
    // API activity: allowed, unauthenticated and forbidden.
    let viewer = s.token("viewer@example.com", "viewer", &[]);
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&viewer), None).status, 200);
    assert_eq!(s.call("GET", "/api/v1/whoami", None, None).status, 401);
    assert_eq!(s.call("GET", "/api/v1/whoami", Some("lg_nope"), None).status, 401);
    let a = s.call("GET", "/api/v1/tokens", Some(&viewer), None);
    assert_eq!(a.status, 403, "{}", a.text());
    assert_eq!(s.call("GET", "/healthz", None, None).status, 200);
    // A gate evaluation (waiting for its approval) and a deployment.
    let out = s.lg("dev@example.com", &["gate", "evaluate", "release"]);
    assert_ne!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    s.promote_staging();
    let out = s.lg(
        "dev@example.com",
        &["deploy", "web", "--env", "staging", "--version", "v1", "--wait"],
    );
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // Requests through the service's proxy.
    let status = s.call("GET", "/api/v1/rollouts/web/staging", Some(&s.local), None);
    assert_eq!(status.status, 200, "{}", status.text());
    let listen: std::net::SocketAddr = status.json()["listen"]
        .as_str()
        .unwrap_or_else(|| panic!("no listen address: {}", status.text()))
        .parse()
        .unwrap();
    for _ in 0..5 {
        let a = http(listen, "GET", "/", &[], b"");
        assert!(a.status < 500, "{} {}", a.status, a.text());
    }

    // /metrics is public.
    let m = s.call("GET", "/metrics", None, None);
    assert_eq!(m.status, 200, "{}", m.text());
    assert!(
        m.header("content-type")
            .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        m.headers
    );
    let text = m.text();

    // What happened is there.
    assert!(
        total(&text, "lockgate_gate_evaluations_total", &["gate=\"release\""]) >= 1.0,
        "{text}"
    );
    assert!(
        total(&text, "lockgate_http_requests_total", &["status=\"401\""]) >= 2.0,
        "{text}"
    );
    assert!(
        total(&text, "lockgate_http_requests_total", &["status=\"403\""]) >= 1.0,
        "{text}"
    );
    assert!(
        total(
            &text,
            "lockgate_http_requests_total",
            &["route=\"/api/v1/whoami\"", "status=\"200\""]
        ) >= 1.0,
        "{text}"
    );
    assert!(
        total(&text, "lockgate_access_denials_total", &["reason=\"not_signed_in\""]) >= 1.0,
        "{text}"
    );
    assert!(
        total(&text, "lockgate_access_denials_total", &["reason=\"role\""]) >= 1.0,
        "{text}"
    );
    assert!(
        total(&text, "lockgate_refusals_total", &["kind=\"api.denied\""]) >= 1.0,
        "{text}"
    );
    assert!(
        sample(&text, "lockgate_ledger_events").is_some_and(|n| n > 0.0),
        "{text}"
    );
    assert!(sample(&text, "lockgate_ledger_checkpoint_size").is_some(), "{text}");
    assert_eq!(sample(&text, "lockgate_ledger_verified"), Some(1.0), "{text}");
    // The DORA keys of production: nothing deployed there yet, so no
    // deployments and no lead time (an undefined value is left out).
    assert_eq!(
        sample(&text, "lockgate_dora_deployments{env=\"production\"}"),
        Some(0.0),
        "{text}"
    );
    assert!(!text.contains("lockgate_dora_lead_time_seconds{"), "{text}");
    assert_eq!(sample(&text, "lockgate_ledger_readable"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "lockgate_ready"), Some(1.0), "{text}");
    assert!(
        sample(&text, "lockgate_ledger_append_duration_seconds_count").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        total(
            &text,
            "lockgate_rollouts_total",
            &["service=\"web\"", "env=\"staging\"", "outcome=\"completed\""]
        ) >= 1.0,
        "{text}"
    );
    assert!(
        total(
            &text,
            "lockgate_pipeline_job_duration_seconds_count",
            &["job=\"test\"", "outcome=\"success\""]
        ) >= 1.0,
        "{text}"
    );
    assert!(
        total(
            &text,
            "lockgate_proxy_requests_total",
            &["service=\"web\"", "env=\"staging\"", "version=\"v1\""]
        ) >= 5.0,
        "{text}"
    );
    assert!(
        sample(
            &text,
            "lockgate_proxy_errors_total{service=\"web\",env=\"staging\",version=\"v1\"}"
        )
        .is_some(),
        "{text}"
    );

    // Prometheus's own linter has nothing to say.
    let Some(promtool) = promtool() else { return };
    let file = s.path().join("metrics.txt");
    std::fs::write(&file, &text).unwrap();
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&file).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {:?}\n{}{}\n--- metrics ---\n{text}",
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
}
