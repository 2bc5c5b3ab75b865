//! Progressive delivery with real processes, sockets and load: the
//! controller (`lockgate serve --detach`), its proxy, the built-in demo
//! service as the application, and a load generator on loopback.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use lockgate::delivery::load::{Load, Report};
use serde_json::Value;

use super::{assert_no_panic, lockgate, stderr, stdout};

/// A project with one service, its controller stopped when dropped.
struct Project {
    dir: tempfile::TempDir,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Project {
    /// `strategy` is the YAML of the service's `strategy:` (indented by 6).
    fn new(strategy: &str, extra: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let yaml = format!(
            "version: 1\nproject: shop\nenvironments:\n  dev: {{ target: local }}\nservices:\n  web:\n    run: lockgate demo-service --port ${{PORT}} --version ${{VERSION}} --error-rate ${{ERROR_RATE:-0}} ${{EXTRA:-}}\n    health: /healthz\n    port: {port}\n    stop_grace: 3s\n{extra}    strategy:\n{strategy}"
        );
        std::fs::write(dir.path().join("lockgate.yaml"), yaml).unwrap();
        Project { dir, port }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn lg(&self, args: &[&str]) -> Output {
        let out = lockgate(self.path())
            .env("LOCKGATE_USER", "sam@shop.example")
            .args(args)
            .timeout(Duration::from_secs(180))
            .output()
            .unwrap();
        assert_no_panic(&out);
        out
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.lg(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        out
    }

    /// `deploy web --env dev --version VERSION --set SET --wait`.
    fn deploy_with(&self, version: &str, set: &str) -> Output {
        self.lg(&[
            "deploy",
            "web",
            "--env",
            "dev",
            "--version",
            version,
            "--set",
            set,
            "--wait",
        ])
    }

    fn serve(&self) {
        self.ok(&["serve", "--detach"]);
    }

    /// Waits until `n` instances of `version` are ready (after a restart,
    /// before putting load on the service).
    fn wait_ready(&self, version: &str, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.status();
            let ready = s["instances"].as_array().map_or(0, |a| {
                a.iter()
                    .filter(|i| i["version"] == version && i["state"] == "ready")
                    .count()
            });
            if ready >= n {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{version} never had {n} ready instances: {s:#}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn status(&self) -> Value {
        let out = self.ok(&["rollout", "status", "web", "--env", "dev", "--json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn proxy(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Events of `kind` in the ledger.
    fn events(&self, kind: &str) -> Vec<Value> {
        let out = self.ok(&["audit", "log", "--kind", kind, "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array().cloned().unwrap_or_default()
    }

    /// Processes of this project running on the machine.
    fn running(&self) -> Vec<String> {
        use lockgate::delivery::target::{Local, Target};
        let project = lockgate::delivery::serve::project_id(self.path());
        let local = Local {
            project: project.clone(),
        };
        let mut ids: Vec<String> = local.discover(&project).into_iter().map(|f| f.instance).collect();
        ids.sort();
        ids
    }

    fn kill_controller(&self) {
        let ep: Value =
            serde_json::from_str(&std::fs::read_to_string(self.path().join(".lockgate/serve.json")).unwrap()).unwrap();
        let pid = ep["pid"].as_i64().unwrap() as i32;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
        while nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls the status until `f` holds (bounded).
    fn wait_for(&self, what: &str, f: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.status();
            if f(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status:\n{s:#}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = lockgate(self.path())
            .arg("stop")
            .timeout(Duration::from_secs(60))
            .output();
    }
}

const CANARY: &str = "      canary:
        steps: [20, 50, 100]
        interval: 1s
        rollback_window: 5m
        analysis:
          conditions: [\"error_rate < 5%\", \"p99_latency < 500ms\"]
          interval: 500ms
          failure_limit: 1
          inconclusive_limit: 10
          min_samples: 10
";

fn load(p: &Project) -> Load {
    Load::start(p.proxy(), 2, Duration::from_millis(2), 200_000)
}

fn assert_nothing_lost(r: &Report) {
    assert!(r.requests > 100, "too little load to mean anything: {r:?}");
    assert_eq!(r.lost(), 0, "requests lost to a switch: {r:?}");
}

#[test]
fn canary_and_blue_green_switch_lose_no_request_under_load() {
    let p = Project::new(CANARY, "    instances: 2\n");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let l = load(&p);
    let out = p.ok(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    assert!(stdout(&out).contains("web v2 is stable in dev"), "{}", stdout(&out));
    let r = l.finish();
    assert_nothing_lost(&r);
    assert_eq!(r.service_errors, 0, "{r:?}");
    assert!(
        r.versions.get("v1").is_some_and(|n| *n > 0) && r.versions.get("v2").is_some_and(|n| *n > 0),
        "{r:?}"
    );
    let s = p.status();
    assert_eq!(s["stable"], "v2");
    assert_eq!(s["warm"]["version"], "v1", "the old stable stays warm for rollback");

    // Instant rollback to the warm version, under load.
    let l = load(&p);
    std::thread::sleep(Duration::from_millis(300));
    let out = p.ok(&["rollback", "web", "--env", "dev"]);
    assert!(stdout(&out).contains("v1 takes all traffic now"), "{}", stdout(&out));
    let before = l.snapshot();
    std::thread::sleep(Duration::from_millis(500));
    let r = l.finish();
    assert_nothing_lost(&r);
    assert_eq!(
        r.versions.get("v2").copied().unwrap_or(0),
        before.versions.get("v2").copied().unwrap_or(0),
        "no request reached v2 after the rollback: {r:?}"
    );
    assert_eq!(p.status()["stable"], "v1");
    assert_eq!(p.events("rollout.rolled_back").len(), 1);

    // The same project switched to blue-green: one switch, nothing lost.
    let yaml = std::fs::read_to_string(p.path().join("lockgate.yaml")).unwrap();
    let i = yaml.find("    strategy:").unwrap();
    let bg = format!(
        "{}    strategy:\n      blue_green:\n        rollback_window: 1m\n        analysis:\n          probes: [{{ path: /, status: 200, body: v3 }}]\n          interval: 200ms\n          count: 2\n",
        &yaml[..i]
    );
    std::fs::write(p.path().join("lockgate.yaml"), bg).unwrap();
    p.ok(&["stop"]);
    p.serve();
    // `stop` stopped the instances; the switch under test starts once the
    // stable version is serving again.
    p.wait_ready("v1", 2);
    let l = load(&p);
    let out = p.ok(&["deploy", "web", "--env", "dev", "--version", "v3", "--wait"]);
    assert!(stdout(&out).contains("web v3 is stable in dev"), "{}", stdout(&out));
    std::thread::sleep(Duration::from_millis(300));
    let r = l.finish();
    assert_nothing_lost(&r);
    assert!(r.versions.contains_key("v3"), "{r:?}");
    let analyses = p.events("rollout.analysis");
    assert!(
        analyses.iter().any(|e| e["payload"]["outcome"] == "successful"),
        "{analyses:?}"
    );
}

#[test]
fn a_bad_canary_is_aborted_after_failure_limit_plus_one_measurements_and_gets_no_more_traffic() {
    let p = Project::new(CANARY, "");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let l = load(&p);
    let out = p.deploy_with("v2", "ERROR_RATE=0.3");
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("analysis failed: 2 failed measurement(s), more than failure_limit 1"),
        "{}",
        stderr(&out)
    );
    // Exactly failure_limit + 1 measurements, all failed: detection within
    // initial_delay + (failure_limit + 1) × interval.
    let analyses = p.events("rollout.analysis");
    let id = p.status()["rollout"]["id"].as_u64().unwrap();
    let mine: Vec<&Value> = analyses.iter().filter(|e| e["payload"]["rollout"] == id).collect();
    assert_eq!(mine.len(), 2, "{mine:#?}");
    assert!(mine.iter().all(|e| e["payload"]["outcome"] == "failed"));
    let at_abort = l.snapshot();
    std::thread::sleep(Duration::from_millis(800));
    let r = l.finish();
    assert_nothing_lost(&r);
    assert_eq!(
        r.versions.get("v2"),
        at_abort.versions.get("v2"),
        "v2 answered after the abort: {r:?} (at abort: {at_abort:?})"
    );
    // The canary drains (a short settle time), then stops.
    let s = p.wait_for("v2 to be stopped", |s| {
        s["instances"].as_array().unwrap().iter().all(|i| i["version"] == "v1")
    });
    assert_eq!(s["stable"], "v1");
    assert_eq!(s["rollout"]["phase"], "aborted");
    // The abort is in the ledger, and retry starts the rollout again.
    assert_eq!(p.events("rollout.aborted").len(), 1);
    let out = p.ok(&["retry", "web", "--env", "dev"]);
    assert!(stdout(&out).contains("started again"));
}

#[test]
fn a_controller_killed_mid_canary_comes_back_consistent() {
    let p = Project::new(
        "      canary:
        steps: [25, pause, 50, 100]
        interval: 500ms
        rollback_window: 0s
        analysis:
          conditions: [\"error_rate < 5%\"]
          interval: 300ms
          inconclusive_limit: 100
          min_samples: 5
",
        "",
    );
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let v1 = p.running();
    assert_eq!(v1.len(), 1);

    // 1: right after the rollout started.
    let l = load(&p);
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v2"]);
    p.kill_controller();
    // The instances outlive the controller and keep their process group.
    p.serve();
    let s = p.wait_for("the rollout to reach its pause", |s| s["rollout"]["phase"] == "paused");
    assert_eq!(s["rollout"]["to"], "v2");
    let ids: Vec<String> = s["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        ids.contains(&v1[0]),
        "v1 was re-adopted, not restarted: {ids:?} vs {v1:?}"
    );

    // 2: while paused at 25 %.
    p.kill_controller();
    p.serve();
    let s = p.wait_for("the pause to be restored", |s| s["rollout"]["phase"] == "paused");
    assert_eq!(s["rollout"]["weight"], 25.0);
    let mut owned: Vec<String> = s["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    owned.sort();
    assert_eq!(owned, p.running(), "every running instance has an owner");

    // 3: promoted, then killed mid-step; it finishes after the restart.
    p.ok(&["promote", "web", "--env", "dev"]);
    p.kill_controller();
    p.serve();
    p.wait_for("the rollout to complete", |s| s["rollout"]["phase"] == "completed");
    let r = l.finish();
    assert!(r.requests > 100, "{r:?}");
    let s = p.wait_for("v1 to be retired", |s| {
        s["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["version"] == "v2" && i["state"] == "ready")
    });
    assert_eq!(s["stable"], "v2");
    let mut owned: Vec<String> = s["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    owned.sort();
    assert_eq!(owned, p.running(), "no orphan process after three kills");
    p.ok(&["audit", "verify"]);
    p.ok(&["stop"]);
    assert!(p.running().is_empty(), "stop leaves no process behind");
}

#[test]
fn unhealthy_and_crash_looping_versions_are_aborted_with_the_reason() {
    let p = Project::new(CANARY, "    ready_timeout: 2s\n");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let out = p.deploy_with("v2", "EXTRA=--unhealthy");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("v2 did not become ready within 2s"),
        "{}",
        stderr(&out)
    );
    let out = p.deploy_with("v3", "EXTRA=--crash 3");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("v3 did not become ready") && err.contains("last exit code 3"),
        "{err}"
    );
    assert!(err.contains(".lockgate/services/web/dev/"), "names the logs: {err}");
    // v1 served throughout.
    let s = p.status();
    assert_eq!(s["stable"], "v1");
    assert!(p.events("instance.exited").iter().any(|e| e["payload"]["code"] == 3));
}

#[test]
fn refusals_say_what_to_do() {
    let p = Project::new(
        "      canary:
        steps: [10, pause, 100]
        interval: 200ms
",
        "",
    );
    // Not running yet.
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lockgate serve --detach"), "{}", stderr(&out));
    // The service's port is taken by someone else.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", p.port)).unwrap();
    p.serve();
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("cannot listen on 127.0.0.1:{}", p.port)),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("change `services.web.port`"), "{}", stderr(&out));
    drop(squatter);
    p.ok(&["stop"]);
    p.serve();
    // Unknown service, unknown environment.
    let out = p.lg(&["deploy", "api", "--env", "dev", "--version", "v1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown service `api`") && stderr(&out).contains("services: web"));
    let out = p.lg(&["deploy", "web", "--env", "prod", "--version", "v1"]);
    assert_eq!(out.status.code(), Some(2));
    // A second rollout while one is under way: lock, exit 5, recorded.
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    assert_eq!(out.status.code(), Some(4), "paused at `pause`: {}", stderr(&out));
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v3"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("already paused"), "{}", stderr(&out));
    assert_eq!(p.events("deploy.refused").len(), 1);
    // A bad version name.
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v 3"]);
    assert_eq!(out.status.code(), Some(2));
    // pause / resume / promote on the paused rollout.
    p.ok(&["promote", "web"]);
    p.wait_for("completion", |s| s["rollout"]["phase"] == "completed");
    let out = p.lg(&["abort", "web"]);
    assert_eq!(out.status.code(), Some(2), "nothing to abort: {}", stderr(&out));
    // The API refuses a caller without the token, and records it.
    let ep: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join(".lockgate/serve.json")).unwrap()).unwrap();
    let mut s = std::net::TcpStream::connect(ep["api"].as_str().unwrap()).unwrap();
    use std::io::{Read as _, Write as _};
    s.write_all(b"POST /api/v1/rollouts/web/dev/abort HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert_eq!(p.events("api.denied").len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(p.path().join(".lockgate/serve.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the token file is private");
    }
}

#[test]
fn rolling_replaces_instances_batch_by_batch_without_losing_requests() {
    let p = Project::new("      rolling:\n        batch: 1\n", "    instances: 3\n");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    assert_eq!(p.running().len(), 3);
    let l = load(&p);
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    std::thread::sleep(Duration::from_millis(300));
    let r = l.finish();
    assert_nothing_lost(&r);
    let s = p.wait_for("three v2 instances only", |s| {
        let i = s["instances"].as_array().unwrap();
        i.len() == 3 && i.iter().all(|x| x["version"] == "v2")
    });
    assert_eq!(s["stable"], "v2");
    // Three batches, each its own step.
    let id = s["rollout"]["id"].as_u64().unwrap();
    let steps = p
        .events("rollout.step")
        .into_iter()
        .filter(|e| e["payload"]["rollout"] == id)
        .count();
    assert_eq!(steps, 3);
}

/// One GET over HTTP/2 with prior knowledge (h2c), the way gRPC clients and
/// service meshes talk.
fn get_h2(addr: SocketAddr) -> (u16, String, Option<String>) {
    use http_body_util::BodyExt as _;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut send, conn) = hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            hyper_util::rt::TokioIo::new(stream),
        )
        .await
        .unwrap();
        tokio::spawn(conn);
        let req = hyper::Request::builder()
            .uri(format!("http://{addr}/"))
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        let resp = send.send_request(req).await.unwrap();
        let status = resp.status().as_u16();
        let party = resp
            .headers()
            .get("x-lockgate-error")
            .map(|v| v.to_str().unwrap().to_string());
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), party)
    })
}

#[test]
fn the_proxy_speaks_http2_and_says_whose_fault_an_error_is() {
    let p = Project::new(CANARY, "");
    p.serve();
    // Nothing deployed yet: the proxy itself answers, and says so.
    let (status, body, party) = get_h2(p.proxy());
    assert_eq!((status, party.as_deref()), (503, Some("proxy")), "{body}");
    assert!(body.contains("no ready instance of `web`"), "{body}");
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let (status, body, party) = get_h2(p.proxy());
    assert_eq!((status, body.trim(), party), (200, "hello from shop v1", None));
}

/// A real Prometheus on loopback scraping itself, stopped when dropped.
struct Prometheus {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Prometheus (scripts/test installs it); `None` with a visible
/// message when it is missing, a failure when LOCKGATE_REQUIRE_TOOLS=1.
fn prometheus() -> Option<Prometheus> {
    let Ok(bin) = which("prometheus") else {
        if std::env::var("LOCKGATE_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("LOCKGATE_REQUIRE_TOOLS=1 but `prometheus` is not on PATH");
        }
        eprintln!("SKIPPED: `prometheus` is not installed (scripts/test installs it)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = dir.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!(
            "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\nscrape_configs:\n  - job_name: self\n    static_configs: [{{ targets: ['127.0.0.1:{port}'] }}]\n"
        ),
    )
    .unwrap();
    let child = std::process::Command::new(bin)
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let p = Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    // Ready, and the first scrape of itself has landed.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if get_raw(port, "/api/v1/query?query=up").contains("\"value\"") {
            return Some(p);
        }
        assert!(Instant::now() < deadline, "Prometheus did not come up");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The whole answer to a plain HTTP/1.1 GET on loopback ("" when refused).
fn get_raw(port: u16, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn canary_analysis_queries_prometheus_and_aborts_on_its_answer_or_its_absence() {
    let Some(prom) = prometheus() else { return };
    let strategy = |conditions: &str, url: &str| {
        format!(
            "      canary:\n        steps: [50, 100]\n        interval: 1s\n        rollback_window: 0s\n        analysis:\n          conditions: [{conditions}]\n          prometheus: {url}\n          interval: 300ms\n          consecutive_error_limit: 1\n"
        )
    };
    // A healthy query: the rollout completes.
    let p = Project::new(&strategy(r#"'metric("sum(up{job=\"self\"})") >= 1'"#, &prom.url), "");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    let analyses = p.events("rollout.analysis");
    assert!(
        analyses.iter().any(|e| e["payload"]["observed"][0]["value"] == "1"),
        "Prometheus' value is recorded: {analyses:#?}"
    );
    // A failing query aborts.
    let yaml = std::fs::read_to_string(p.path().join("lockgate.yaml")).unwrap();
    let i = yaml.find("    strategy:").unwrap();
    let write = |s: String| {
        std::fs::write(
            p.path().join("lockgate.yaml"),
            format!("{}    strategy:\n{s}", &yaml[..i]),
        )
        .unwrap()
    };
    write(strategy(r#"'metric("sum(up{job=\"self\"})") < 1'"#, &prom.url));
    p.ok(&["stop"]);
    p.serve();
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v3", "--wait"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 failed measurement(s)"), "{}", stderr(&out));
    // Prometheus gone: measurement errors, aborted after
    // consecutive_error_limit + 1 of them.
    write(strategy(
        r#"'metric("sum(up)") >= 1'"#,
        &format!("http://127.0.0.1:{}", free_port()),
    ));
    p.ok(&["stop"]);
    p.serve();
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v4", "--wait"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 consecutive measurement errors, more than consecutive_error_limit 1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.status()["stable"], "v2");
}

/// `GET /` with extra header lines; returns the body and any Set-Cookie.
fn get_with(port: u16, headers: &str) -> (String, Option<String>) {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .map(|c| c.split(';').next().unwrap().to_string());
    (body.trim().to_string(), cookie)
}

#[test]
fn a_header_forces_the_canary_and_a_cookie_keeps_a_client_on_its_version() {
    let p = Project::new(
        "      canary:
        steps: [10, 50, 100]
        interval: 10m
        header: \"X-Canary: always\"
        sticky: true
",
        "",
    );
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v2"]);
    p.wait_for("10 % to v2", |s| s["rollout"]["weight"] == 10.0);
    for _ in 0..20 {
        assert_eq!(get_with(p.port, "X-Canary: always\r\n").0, "hello from shop v2");
    }
    // A client that reached a version stays there.
    for _ in 0..5 {
        let (body, cookie) = get_with(p.port, "");
        let cookie = cookie.expect("a sticky proxy sets its cookie");
        let version = body.rsplit(' ').next().unwrap().to_string();
        assert_eq!(cookie, format!("lockgate_web={version}"));
        for _ in 0..10 {
            let (again, set) = get_with(p.port, &format!("Cookie: {cookie}\r\n"));
            assert_eq!(again, body);
            assert_eq!(set, None, "no new cookie for a client that has one");
        }
    }
    // Pause, resume and a full promotion are recorded.
    p.ok(&["pause", "web"]);
    let s = p.status();
    assert_eq!(
        (&s["rollout"]["phase"], &s["rollout"]["reason"]),
        (&"paused".into(), &"paused by user:sam@shop.example".into())
    );
    p.ok(&["pause", "web"]);
    p.ok(&["resume", "web"]);
    assert_eq!(p.status()["rollout"]["phase"], "progressing");
    p.ok(&["promote", "web", "--full"]);
    p.wait_for("completion", |s| s["rollout"]["phase"] == "completed");
    assert_eq!(
        p.events("rollout.paused").len(),
        1,
        "pausing a paused rollout changes nothing"
    );
    assert_eq!(p.events("rollout.resumed").len(), 1);
    assert_eq!(p.events("rollout.promoted")[0]["payload"]["full"], true);
}

#[test]
fn deploy_is_refused_while_the_environments_gate_is_not_open() {
    let p = Project::new(CANARY, "");
    let yaml = std::fs::read_to_string(p.path().join("lockgate.yaml")).unwrap();
    std::fs::write(
        p.path().join("lockgate.yaml"),
        yaml.replace(
            "  dev: { target: local }",
            "  dev: { target: local, approvals: { required: 1 } }",
        ),
    )
    .unwrap();
    p.serve();
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v1"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("no pipeline run"), "{}", stderr(&out));
    assert!(!p.events("gate.refused").is_empty(), "the refusal is audited");
    assert!(p.events("rollout.started").is_empty(), "nothing was deployed");
}

#[test]
fn an_aborted_rollout_fails_a_gate_that_checks_the_deployment() {
    let p = Project::new(CANARY, "");
    let yaml = std::fs::read_to_string(p.path().join("lockgate.yaml")).unwrap();
    std::fs::write(
        p.path().join("lockgate.yaml"),
        format!(
            "{yaml}gates:\n  dev-healthy:\n    - 'deploy(\"dev\").status == succeeded'\n  dev-slo:\n    - 'metric(\"error_rate\", env=\"dev\") < 1%'\n    - 'metric(\"request_count\", env=\"dev\") >= 100'\n"
        ),
    )
    .unwrap();
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let l = load(&p);
    let out = p.deploy_with("v2", "ERROR_RATE=0.5");
    l.finish();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = p.lg(&["gate", "status", "dev-healthy", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = &v["items"][0];
    assert_eq!(item["observed"][0], "deploy(\"dev\").status = failed", "{v:#}");
    assert_eq!(
        (&item["result"], &v["status"]),
        (&"fail".into(), &"failed".into()),
        "{v:#}"
    );
    // The live measurements of the stable version (v1 answered every request
    // without an error) come from the running controller's proxy.
    let out = p.lg(&["gate", "status", "dev-slo", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["items"][0]["observed"][0], "metric(\"error_rate\", env=\"dev\") = 0%",
        "{v:#}"
    );
    assert_eq!(v["status"], "open", "{v:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_aborted_rolling_update_keeps_serving_while_the_old_version_comes_back() {
    let p = Project::new(
        "      rolling:
        batch: 1
        analysis:
          conditions: [\"error_rate < 5%\"]
          interval: 300ms
          min_samples: 5
          inconclusive_limit: 20
",
        "    instances: 2\n",
    );
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let l = load(&p);
    let out = p.deploy_with("v2", "ERROR_RATE=0.5");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = p.wait_for("two v1 instances and nothing else", |s| {
        let i = s["instances"].as_array().unwrap();
        i.len() == 2 && i.iter().all(|x| x["version"] == "v1" && x["state"] == "ready")
    });
    let r = l.finish();
    assert_nothing_lost(&r);
    assert_eq!(s["stable"], "v1");
    // The first batch surged beside the old instances: v1 never dropped below two.
    let stopped_v1 = p
        .events("instance.stopped")
        .iter()
        .filter(|e| e["payload"]["version"] == "v1")
        .count();
    assert_eq!(stopped_v1, 0, "no v1 instance was stopped for a batch that failed");
}

#[test]
fn rollback_after_the_warm_window_redeploys_the_previous_version_with_its_variables() {
    let p = Project::new(
        "      canary:
        steps: [100]
        interval: 200ms
        rollback_window: 0s
",
        "",
    );
    p.serve();
    p.ok(&[
        "deploy",
        "web",
        "--env",
        "dev",
        "--version",
        "v1",
        "--set",
        "ERROR_RATE=0",
        "--wait",
    ]);
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    p.wait_for("v1 stopped (nothing kept warm)", |s| {
        s["warm"].is_null() && s["instances"].as_array().unwrap().iter().all(|i| i["version"] == "v2")
    });
    let out = p.ok(&["rollback", "web", "--env", "dev"]);
    assert!(
        stdout(&out).contains("was not warm; redeploying v1"),
        "{}",
        stdout(&out)
    );
    let s = p.wait_for("v1 stable again", |s| {
        s["stable"] == "v1" && s["rollout"]["phase"] == "completed"
    });
    assert_eq!(s["rollout"]["strategy"], "rollback");
    let started = p.events("rollout.started");
    assert_eq!(
        started.last().unwrap()["payload"]["vars"]["ERROR_RATE"],
        "0",
        "v1's variables came back with it"
    );
}

#[test]
fn too_little_traffic_pauses_for_a_human_and_dry_run_only_records() {
    let analysis = |extra: &str| {
        format!(
            "      canary:\n        steps: [50, 100]\n        interval: 1s\n        analysis:\n          conditions: [\"error_rate < 5%\"]\n          interval: 200ms\n          min_samples: 10\n{extra}"
        )
    };
    // No traffic at all: every measurement is inconclusive; the second one
    // exceeds inconclusive_limit 1 and the rollout waits for a human.
    let p = Project::new(&analysis("          inconclusive_limit: 1\n"), "");
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let out = p.lg(&["deploy", "web", "--env", "dev", "--version", "v2", "--wait"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 inconclusive measurement(s), more than inconclusive_limit 1"),
        "{}",
        stderr(&out)
    );
    p.ok(&["abort", "web"]);
    drop(p);
    // dry_run: a version failing every measurement still goes all the way.
    let p = Project::new(
        &analysis("          inconclusive_limit: 100\n          dry_run: true\n"),
        "",
    );
    p.serve();
    p.ok(&["deploy", "web", "--env", "dev", "--version", "v1", "--wait"]);
    let l = load(&p);
    let out = p.deploy_with("v2", "ERROR_RATE=0.5");
    l.finish();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let analyses = p.events("rollout.analysis");
    assert!(
        analyses
            .iter()
            .any(|e| e["payload"]["outcome"] == "failed" && e["payload"]["dry_run"] == true),
        "{analyses:#?}"
    );
    assert_eq!(p.status()["stable"], "v2");
}
