//! The MCP server with a real client: the official MCP Python SDK
//! (`tests/mcp/client.py`) over stdio (`lockgate mcp`) and over streamable
//! HTTP (`/mcp` under `lockgate serve`).
//!
//! The client runs in the virtualenv `scripts/test` keeps at
//! `target/test-tools` (or `$LOCKGATE_TOOLS_DIR`). Without it these tests
//! say so and pass, unless `LOCKGATE_REQUIRE_TOOLS` is set.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{SPEC, Server, free_port};
use super::{stderr, stdout};

/// The virtualenv's Python, when it can `import mcp`.
fn python() -> Option<PathBuf> {
    let tools = std::env::var_os("LOCKGATE_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools"));
    let py = tools.join("bin/python");
    let ok = py.is_file()
        && Command::new(&py)
            .args(["-c", "import mcp, jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("LOCKGATE_REQUIRE_TOOLS").is_none(),
        "the MCP Python SDK is required (LOCKGATE_REQUIRE_TOOLS is set) but {} cannot `import mcp`; scripts/test installs it",
        py.display()
    );
    eprintln!(
        "skipping the real MCP client test: {} cannot `import mcp` (scripts/test installs the MCP Python SDK)",
        py.display()
    );
    None
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py")
}

enum Transport<'a> {
    /// `lockgate mcp --agent claude`.
    Stdio,
    /// `lockgate mcp` with `LOCKGATE_TOKEN` set to this token.
    StdioToken(&'a str),
    /// `/mcp` with this bearer token.
    Http(&'a str),
}

/// One run of `client.py`, its output in files (no pipe can fill up).
struct Client {
    child: Child,
    dir: tempfile::TempDir,
    what: String,
}

/// A test that fails half way leaves no client behind (the stdio server
/// under it ends at end of input).
impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What a finished client run printed.
struct Finished {
    ok: bool,
    summary: Value,
    log: String,
}

impl Client {
    fn start(py: &Path, s: &Server, command: &str, transport: &Transport, extra: &[&str]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sync")).unwrap();
        let mut cmd = Command::new(py);
        cmd.arg(script())
            .arg(command)
            .arg("--lockgate")
            .arg(assert_cmd::cargo::cargo_bin("lockgate"))
            .arg("--project")
            .arg(s.path())
            .arg("--server-log")
            .arg(dir.path().join("server.log"));
        let url = format!("http://{}/mcp", s.api);
        match transport {
            Transport::Stdio => {
                cmd.args(["--transport", "stdio"]);
            }
            Transport::StdioToken(token) => {
                cmd.args(["--transport", "stdio", "--token", token]);
            }
            Transport::Http(token) => {
                cmd.args(["--transport", "http", "--url", &url, "--token", token]);
            }
        }
        if command == "flow" {
            cmd.arg("--sync-dir").arg(dir.path().join("sync"));
        }
        cmd.args(extra)
            .current_dir(s.path())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("NO_COLOR", "1")
            .env_remove("LOCKGATE_TOKEN")
            .env_remove("LOCKGATE_USER")
            .env_remove("LOCKGATE_CONFIG")
            .env_remove("LOCKGATE_STORE")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap());
        let child = cmd.spawn().expect("python runs");
        Client {
            child,
            what: format!(
                "client.py {command} ({})",
                match transport {
                    Transport::Stdio | Transport::StdioToken(_) => "stdio",
                    Transport::Http(_) => "http",
                }
            ),
            dir,
        }
    }

    fn sync(&self, name: &str) -> PathBuf {
        self.dir.path().join("sync").join(name)
    }

    /// Everything the client and (over stdio) the server wrote so far.
    fn log(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.dir.path().join(n)).unwrap_or_default();
        format!(
            "--- {} stdout ---\n{}\n--- stderr ---\n{}\n--- server stderr (stdio) ---\n{}",
            self.what,
            read("stdout"),
            read("stderr"),
            read("server.log")
        )
    }

    /// Waits until `file` appears in the sync directory; panics when the
    /// client ends first or the deadline passes.
    fn wait_for_file(&mut self, file: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.sync(file).exists() {
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!("{} ended ({st}) before writing {file}:\n{}", self.what, self.log());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{} did not write {file} within {within:?}:\n{}", self.what, self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn finish(mut self, within: Duration) -> Finished {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{} did not finish within {within:?}:\n{}", self.what, self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let out = std::fs::read_to_string(self.dir.path().join("stdout")).unwrap_or_default();
        let summary = serde_json::from_str(&out).unwrap_or(Value::Null);
        Finished {
            ok: status.success() && summary["ok"] == true,
            summary,
            log: self.log(),
        }
    }

    /// Runs to the end and panics with everything it printed unless every
    /// check held.
    fn passes(self, within: Duration) -> Value {
        let f = self.finish(within);
        assert!(f.ok, "{}", f.log);
        eprintln!("{}", f.log);
        f.summary
    }
}

/// The agent's whole session (see `flow` in client.py): it inspects the
/// project, runs the pipeline, asks for the release approval and waits; a
/// human approves through the CLI; the agent deploys to production and
/// reads the audit trail. Then the ledger is checked from the outside.
fn agent_session_through_the_gate(py: &Path, s: &Server, transport: Transport) {
    let mut c = Client::start(py, s, "flow", &transport, &[]);
    c.wait_for_file("approval-requested.json", Duration::from_secs(200));
    let asked: Value =
        serde_json::from_str(&std::fs::read_to_string(c.sync("approval-requested.json")).unwrap()).unwrap();

    // The request is on the ledger as the agent's, before any human acted.
    let requested = s.events("gate.approval_requested");
    assert!(
        requested.iter().any(|e| e["actor"] == "agent:claude"),
        "{requested:#?}\n{}",
        c.log()
    );
    assert!(
        s.events("gate.approved").is_empty(),
        "nothing approved yet: {:#?}",
        s.events("gate.approved")
    );

    let out = s.lg("alice@example.com", &["approve", "release", "--comment", "ok"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}\n{}",
        stdout(&out),
        stderr(&out),
        c.log()
    );
    std::fs::write(c.sync("approved"), "").unwrap();
    let summary = c.passes(Duration::from_secs(240));
    let run = summary["run"].as_u64().expect("the agent's run");
    assert_eq!(asked["run"].as_u64(), Some(run));

    // Seen from the outside: what the agent did, under its own name.
    let out = s.lg(
        "owner@example.com",
        &["audit", "log", "--actor", "agent:claude", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(events.iter().all(|e| e["actor"] == "agent:claude"));
    let called: Vec<&Value> = events.iter().filter(|e| e["kind"] == "mcp.tool_called").collect();
    let text = serde_json::to_string(&called).unwrap();
    for tool in [
        "project_status",
        "validate_config",
        "run_pipeline",
        "run_logs",
        "gate_status",
        "request_approval",
        "deploy",
        "rollout_status",
        "abort",
        "promote",
        "rollback",
        "audit_query",
        "audit_verify",
    ] {
        assert!(
            text.contains(&format!("\"{tool}\"")),
            "no mcp.tool_called for {tool}: {text}"
        );
    }
    // The arguments are recorded (redacted, not dropped).
    assert!(text.contains("production") && text.contains("\"web\""), "{text}");
    let kinds: std::collections::BTreeSet<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(
        kinds.iter().any(|k| k.starts_with("rollout.")),
        "the agent's rollouts are not its own: {kinds:?}"
    );
    assert!(kinds.contains("gate.approval_requested"), "{kinds:?}");
    // Its refused production deploy (before the approval) is on record too.
    assert!(
        s.events("gate.refused")
            .iter()
            .chain(s.events("deploy.refused").iter())
            .any(|e| e["actor"] == "agent:claude"),
        "the agent's refused production deploy is not in the ledger"
    );
    // The pipeline run it started is triggered by it.
    let runs = s.call("GET", "/api/v1/runs?limit=20", Some(&s.local), None).json();
    let mine = runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["run"].as_u64() == Some(run))
        .unwrap_or_else(|| panic!("run {run} not listed: {runs:#}"));
    assert_eq!(mine["trigger"], "agent:claude", "{mine:#}");
    // The only approval is the human's.
    let approved = s.events("gate.approved");
    assert_eq!(approved.len(), 1, "{approved:#?}");
    assert_eq!(approved[0]["actor"], "user:alice@example.com");
    // And the ledger still verifies.
    let out = s.lg("owner@example.com", &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn real_mcp_client_over_stdio_runs_an_agent_session_through_the_release_gate() {
    let Some(py) = python() else { return };
    let s = Server::start();
    agent_session_through_the_gate(&py, &s, Transport::Stdio);
}

#[test]
fn real_mcp_client_over_http_runs_an_agent_session_through_the_release_gate() {
    let Some(py) = python() else { return };
    let s = Server::start();
    let token = s.token("claude", "operator", &["--agent"]);
    agent_session_through_the_gate(&py, &s, Transport::Http(&token));
}

#[test]
fn real_mcp_client_over_stdio_gets_clean_errors_for_bad_input() {
    let Some(py) = python() else { return };
    let s = Server::start();
    Client::start(&py, &s, "conformance", &Transport::Stdio, &[]).passes(Duration::from_secs(200));
    // The stdio server was ended by end of input; the controller still works.
    let out = s.lg("dev@example.com", &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn real_mcp_client_over_http_gets_clean_errors_for_bad_input() {
    let Some(py) = python() else { return };
    let s = Server::start();
    let token = s.token("claude", "operator", &["--agent"]);
    Client::start(&py, &s, "conformance", &Transport::Http(&token), &[]).passes(Duration::from_secs(200));
    // The server is still up for everyone else.
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&token), None).status, 200);
    let denied = s.events("api.denied");
    assert!(
        denied.iter().any(|e| e.to_string().contains("/mcp")),
        "the unauthenticated /mcp calls are not on the audit trail: {denied:#?}"
    );
}

#[test]
fn real_mcp_client_an_agent_with_an_approver_token_can_never_approve_production() {
    let Some(py) = python() else { return };
    let s = Server::start();
    let rogue = s.token("rogue", "approver", &["--agent"]);

    // Through the API: refused, and the refusal is on the ledger under its name.
    let a = s.call(
        "POST",
        "/api/v1/gates/release/approve",
        Some(&rogue),
        Some(json!({ "comment": "lgtm" })),
    );
    assert_eq!(a.status, 403, "{}", a.text());
    let refusals: Vec<Value> = s
        .events("gate.refused")
        .into_iter()
        .chain(s.events("api.denied"))
        .filter(|e| e["actor"] == "agent:rogue" || e.to_string().contains("agent:rogue"))
        .collect();
    assert!(
        !refusals.is_empty(),
        "the agent's refused approval is not in the ledger"
    );

    // Over MCP: no approve tool for a gate guarding production, and calling
    // it anyway changes nothing.
    let summary = Client::start(
        &py,
        &s,
        "probe",
        &Transport::Http(&rogue),
        &["--try-approve", "release"],
    )
    .passes(Duration::from_secs(120));
    assert_eq!(summary["has_approve"], false, "{summary:#}");
    let tried = &summary["approve"];
    assert!(
        tried["is_error"] == true || tried["jsonrpc_error"].is_i64(),
        "calling approve over MCP did not fail: {summary:#}"
    );
    assert_eq!(summary["gate_after"], "waiting", "{summary:#}");
    assert!(s.events("gate.approved").is_empty(), "{:#?}", s.events("gate.approved"));
    // The attempt over MCP is audited as the agent's too.
    let out = s.lg(
        "owner@example.com",
        &["audit", "log", "--actor", "agent:rogue", "--json"],
    );
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        events.iter().any(|e| e["kind"] == "mcp.tool_called"),
        "no mcp.tool_called for agent:rogue: {events:#?}"
    );

    // A human release manager still can.
    let out = s.lg("alice@example.com", &["approve", "release", "--comment", "ok"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

/// Like `Server::start`, with a project whose `smoke` gate guards staging
/// (so an approver's scope can reach a gate that is not production's).
fn start_with_a_staging_gate() -> Server {
    let spec = SPEC.replace("PORT_WEB", &free_port().to_string()).replacen(
        "gates:\n",
        "gates:\n  smoke:\n    environment: staging\n    items:\n      - { id: tests, check: \"tests.failed == 0\" }\n",
        1,
    );
    assert!(spec.contains("smoke:"));
    Server::start_spec(&spec, &[])
}

#[test]
fn real_mcp_client_an_agent_granted_approval_gets_the_tool_but_the_engine_refuses_production() {
    let Some(py) = python() else { return };
    let s = start_with_a_staging_gate();
    // Scoped to the staging gate: offered approve.
    let scoped = s.token("qabot", "approver", &["--agent", "--gate", "smoke"]);
    let summary = Client::start(&py, &s, "probe", &Transport::Http(&scoped), &[]).passes(Duration::from_secs(120));
    assert_eq!(summary["has_approve"], true, "{summary:#}");
    // Unscoped: offered approve too (smoke is in reach), but the gate engine
    // refuses an agent at a gate guarding production, on the record.
    let wide = s.token("widebot", "approver", &["--agent"]);
    let summary = Client::start(&py, &s, "probe", &Transport::Http(&wide), &["--try-approve", "release"])
        .passes(Duration::from_secs(120));
    assert_eq!(summary["has_approve"], true, "{summary:#}");
    let tried = &summary["approve"];
    assert_eq!(tried["is_error"], true, "{summary:#}");
    assert!(
        tried["text"].as_str().unwrap_or_default().contains("production"),
        "the refusal does not say why: {summary:#}"
    );
    assert_eq!(summary["gate_after"], "waiting", "{summary:#}");
    assert!(s.events("gate.approved").is_empty(), "{:#?}", s.events("gate.approved"));
    let refused = s.events("gate.refused");
    assert!(
        refused.iter().any(|e| e["actor"] == "agent:widebot"),
        "the agent's refused approval is not in the ledger: {refused:#?}"
    );
}

/// A viewer agent, over either transport: it reads, but is offered no tool
/// that changes anything, and calling one anyway is refused on the record.
fn a_viewer_agent_reads_but_cannot_change_anything(over_http: bool, name: &str) {
    let Some(py) = python() else { return };
    let s = Server::start();
    let token = s.token(name, "viewer", &["--agent"]);
    let summary = Client::start(
        &py,
        &s,
        "probe",
        &if over_http {
            Transport::Http(&token)
        } else {
            Transport::StdioToken(&token)
        },
        &[
            "--call",
            r#"deploy={"service":"web","environment":"staging","version":"v9"}"#,
            "--call",
            r#"run_pipeline={"jobs":["test"]}"#,
            "--call",
            r#"project_status={}"#,
        ],
    )
    .passes(Duration::from_secs(120));
    let tools: Vec<&str> = summary["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in ["deploy", "promote", "abort", "rollback", "run_pipeline", "approve"] {
        assert!(!tools.contains(&t), "a viewer is offered {t}: {tools:?}");
    }
    for t in ["project_status", "gate_status", "audit_query"] {
        assert!(tools.contains(&t), "a viewer is not offered {t}: {tools:?}");
    }
    let calls = &summary["calls"];
    for t in ["deploy", "run_pipeline"] {
        assert!(
            calls[t]["is_error"] == true || calls[t]["jsonrpc_error"].is_i64(),
            "a viewer's {t} was not refused: {summary:#}"
        );
    }
    assert_eq!(calls["project_status"]["is_error"], false, "{summary:#}");
    // Nothing happened, and the attempts are on the ledger as the agent's.
    assert!(
        s.events("rollout.started").is_empty(),
        "{:#?}",
        s.events("rollout.started")
    );
    let actor = format!("agent:{name}");
    let out = s.lg("owner@example.com", &["audit", "log", "--actor", &actor, "--json"]);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        events.iter().any(|e| e["kind"] == "api.denied"),
        "the viewer's refused calls are not on the ledger: {events:#?}"
    );
    assert!(
        events.iter().any(|e| e["kind"] == "mcp.tool_called"),
        "no mcp.tool_called for {actor}: {events:#?}"
    );
}

#[test]
fn real_mcp_client_over_http_a_viewer_agent_reads_but_cannot_change_anything() {
    a_viewer_agent_reads_but_cannot_change_anything(true, "watcher");
}

#[test]
fn real_mcp_client_over_stdio_with_a_token_acts_as_the_tokens_viewer_agent() {
    a_viewer_agent_reads_but_cannot_change_anything(false, "stdio-watcher");
}
