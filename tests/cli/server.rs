//! The server (`lockgate serve`) over real sockets: authentication, the
//! role × route matrix, sessions and CSRF, token revocation, TLS.
//!
//! [`Server`] is shared with the browser, metrics and API-fuzzing tests.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use super::{assert_no_panic, git, lockgate, stderr, stdout};

/// A project whose `release` gate guards production and needs one
/// approval from a release manager who is not the author; the pipeline
/// has run (triggered by dev@example.com) and the controller is running.
pub const SPEC: &str = "project: shop
environments:
  staging: { target: local }
  production:
    target: local
    promote_from: staging
    approvals: { required: 1, roles: [release-manager], not_author: true }
people:
  alice@example.com: { roles: [release-manager], team: platform }
  bob@example.com: { roles: [release-manager], team: payments }
services:
  web:
    run: lockgate demo-service --port ${PORT} --version ${VERSION}
    health: /healthz
    port: PORT_WEB
    stop_grace: 2s
    strategy:
      canary: { steps: [50, 100], interval: 1s }
pipeline:
  test: { run: cp results.xml junit.xml, reports: { junit: junit.xml } }
gates:
  release:
    environment: production
    items:
      - { id: tests, check: \"tests.failed == 0\", key: true }
";

pub struct Server {
    pub dir: tempfile::TempDir,
    pub api: SocketAddr,
    /// The project owner's token from `.lockgate/serve.json` (admin).
    pub local: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_answer(&raw)
}

fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines.next().unwrap()[9..12].parse().unwrap();
    let mut headers = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            // Several Set-Cookie headers: keep them all, joined by "\n".
            headers
                .entry(k)
                .and_modify(|old: &mut String| {
                    old.push('\n');
                    old.push_str(v.trim());
                })
                .or_insert_with(|| v.trim().to_string());
        }
    }
    if headers.get("transfer-encoding").is_some_and(|t| t == "chunked") {
        body = dechunk(&body);
    }
    Answer { status, headers, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..nl]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
    out
}

impl Server {
    /// Writes the project, runs the pipeline (as dev@example.com, the
    /// author) and starts the controller.
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    pub fn start_with(serve_args: &[&str]) -> Server {
        Self::start_spec(&SPEC.replace("PORT_WEB", &free_port().to_string()), serve_args)
    }

    /// [`Server::start_with`] for another lockgate.yaml.
    pub fn start_spec(spec: &str, serve_args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lockgate.yaml"), spec).unwrap();
        std::fs::write(dir.path().join(".gitignore"), ".lockgate/\njunit.xml\n").unwrap();
        std::fs::write(
            dir.path().join("results.xml"),
            r#"<testsuite><testcase classname="c" name="a"/></testsuite>"#,
        )
        .unwrap();
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-qm", "change"]);
        let run = as_user(dir.path(), "dev@example.com", &["run", "--progress", "plain"]);
        assert_eq!(run.status.code(), Some(0), "{}{}", stdout(&run), stderr(&run));
        let mut args = vec!["serve", "--detach"];
        args.extend_from_slice(serve_args);
        let out = as_user(dir.path(), "dev@example.com", &args);
        assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
        let ep: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(".lockgate/serve.json")).unwrap()).unwrap();
        Server {
            api: ep["api"].as_str().unwrap().parse().unwrap(),
            local: ep["token"].as_str().unwrap().to_string(),
            dir,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `lockgate ARGS` in the project as `user`.
    pub fn lg(&self, user: &str, args: &[&str]) -> Output {
        as_user(self.path(), user, args)
    }

    /// A new API token for `name` with `role` (and extra flags).
    pub fn token(&self, name: &str, role: &str, extra: &[&str]) -> String {
        let mut args = vec!["token", "create", "--name", name, "--role", role, "--json"];
        args.extend_from_slice(extra);
        let out = self.lg("owner@example.com", &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["token"].as_str().unwrap().to_string()
    }

    /// A web user with a password.
    pub fn user(&self, name: &str, role: &str, password: &str) {
        let out = lockgate(self.path())
            .env("LOCKGATE_USER", "owner@example.com")
            .args(["user", "add", name, "--role", role, "--password-stdin"])
            .write_stdin(format!("{password}\n"))
            .output()
            .unwrap();
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    /// A request with a bearer token (none: anonymous).
    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        http(self.api, method, path, &headers, body.as_bytes())
    }

    /// Events of `kind` in the ledger.
    pub fn events(&self, kind: &str) -> Vec<Value> {
        let out = self.lg("owner@example.com", &["audit", "log", "--kind", kind, "--json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Promotes the change under review to staging (no gate guards it).
    pub fn promote_staging(&self) {
        let out = self.lg("dev@example.com", &["promote", "staging"]);
        assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = lockgate(self.path())
            .arg("stop")
            .timeout(Duration::from_secs(60))
            .output();
    }
}

pub fn as_user(dir: &Path, user: &str, args: &[&str]) -> Output {
    let out = lockgate(dir)
        .args(args)
        .env("LOCKGATE_USER", user)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

/// Signs in through the login form; returns the session cookie (`name=value`).
pub fn sign_in(s: &Server, form: &str, cookie: Option<&str>) -> Answer {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    http(s.api, "POST", "/login", &headers, form.as_bytes())
}

pub fn session_cookie(a: &Answer) -> Option<String> {
    a.header("set-cookie")?
        .lines()
        .find(|c| c.starts_with("lockgate_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .filter(|c| c != "lockgate_session=")
}

/// The CSRF token embedded in a page (`name="csrf" value="…"`).
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_string())
}

/// Who may call what, written out by hand (not derived from the server's
/// table): `public`, `signed` (any identity), `read`, `operate`,
/// `approve`, `admin`.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/healthz", "public"),
    ("GET", "/readyz", "public"),
    ("GET", "/metrics", "public"),
    ("GET", "/openapi.json", "public"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("GET", "/static/app.js", "public"),
    ("GET", "/static/app.css", "public"),
    ("GET", "/api/v1/whoami", "signed"),
    ("POST", "/logout", "signed"),
    ("GET", "/api/v1/project", "read"),
    ("GET", "/api/v1/runs", "read"),
    ("GET", "/api/v1/runs/{run}", "read"),
    ("GET", "/api/v1/runs/{run}/evidence", "read"),
    ("GET", "/api/v1/runs/{run}/jobs/{job}/log", "read"),
    ("GET", "/api/v1/gates", "read"),
    ("GET", "/api/v1/gates/{gate}", "read"),
    ("GET", "/api/v1/rollouts", "read"),
    ("GET", "/api/v1/rollouts/{service}/{env}", "read"),
    ("GET", "/api/v1/rollouts/{service}/{env}/events", "read"),
    ("GET", "/api/v1/scan", "read"),
    ("GET", "/api/v1/compliance", "read"),
    ("GET", "/api/v1/audit", "read"),
    ("GET", "/api/v1/audit/events/{seq}", "read"),
    ("GET", "/api/v1/audit/events/{seq}/proof", "read"),
    ("GET", "/api/v1/audit/checkpoint", "read"),
    ("GET", "/api/v1/audit/verify", "read"),
    ("GET", "/api/v1/audit/export", "read"),
    ("GET", "/", "read"),
    ("GET", "/gates/{gate}", "read"),
    ("GET", "/rollouts/{service}/{env}", "read"),
    ("GET", "/runs", "read"),
    ("GET", "/runs/{run}", "read"),
    ("GET", "/audit", "read"),
    ("GET", "/compliance", "read"),
    ("POST", "/api/v1/runs", "operate"),
    ("POST", "/api/v1/gates/{gate}/evaluate", "operate"),
    ("POST", "/api/v1/environments/{env}/promote", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/deploy", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/promote", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/abort", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/pause", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/resume", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/retry", "operate"),
    ("POST", "/api/v1/rollouts/{service}/{env}/rollback", "operate"),
    ("POST", "/rollouts/{service}/{env}/{action}", "operate"),
    ("POST", "/api/v1/incidents/alertmanager", "operate"),
    ("POST", "/api/v1/gates/{gate}/approve", "approve"),
    ("POST", "/api/v1/gates/{gate}/reject", "approve"),
    ("POST", "/api/v1/gates/{gate}/attest", "approve"),
    ("POST", "/gates/{gate}/approve", "approve"),
    ("POST", "/gates/{gate}/reject", "approve"),
    ("GET", "/api/v1/tokens", "admin"),
    ("POST", "/api/v1/tokens", "admin"),
    ("DELETE", "/api/v1/tokens/{id}", "admin"),
    ("POST", "/api/v1/audit/checkpoint", "admin"),
    ("POST", "/api/v1/shutdown", "admin"),
    ("POST", "/mcp", "signed"),
    ("GET", "/mcp", "signed"),
    ("DELETE", "/mcp", "signed"),
];

fn allowed(role: &str, need: &str) -> bool {
    match need {
        "public" | "signed" | "read" => true,
        "operate" => matches!(role, "operator" | "admin"),
        "approve" => matches!(role, "approver" | "admin"),
        "admin" => role == "admin",
        _ => unreachable!("{need}"),
    }
}

/// A concrete path for a route template, naming things that do not exist
/// (so an allowed call cannot change anything: it answers 404 or 400).
fn concrete(template: &str) -> String {
    template
        .replace("{run}", "999999")
        .replace("{seq}", "999999")
        .replace("{job}", "nojob")
        .replace("{gate}", "nogate")
        .replace("{service}", "nosvc")
        .replace("{env}", "noenv")
        .replace("{action}", "abort")
        .replace("{id}", "nonexistent")
}

#[test]
fn every_route_with_every_role_and_no_token_matches_the_access_matrix() {
    // The matrix covers exactly the server's routes.
    let served: std::collections::BTreeSet<(String, String)> = lockgate::server::api::ROUTES
        .iter()
        .map(|d| (d.method.to_string(), d.path.to_string()))
        .collect();
    let written: std::collections::BTreeSet<(String, String)> =
        MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(served, written, "a route was added or removed: update MATRIX");

    let s = Server::start();
    let mut tokens = vec![(String::from("none"), None)];
    for role in ["viewer", "operator", "approver", "admin"] {
        tokens.push((
            role.to_string(),
            Some(s.token(&format!("{role}@example.com"), role, &[])),
        ));
    }
    let mut failures = Vec::new();
    // Shutdown last: the admin's call stops the server.
    let mut routes: Vec<&(&str, &str, &str)> = MATRIX.iter().collect();
    routes.sort_by_key(|(_, p, _)| *p == "/api/v1/shutdown");
    for (method, template, need) in routes {
        let path = concrete(template);
        for (role, token) in &tokens {
            if *template == "/api/v1/shutdown" && role == "admin" {
                continue;
            }
            let body = (*method != "GET").then(|| json!({}));
            let a = s.call(method, &path, token.as_deref(), body);
            let ok = match (role.as_str(), *need) {
                (_, "public") => a.status != 401 && a.status != 403,
                ("none", _) => {
                    let page = !template.starts_with("/api/");
                    if page && *method == "GET" {
                        a.status == 303 && a.header("location").is_some_and(|l| l.starts_with("/login"))
                    } else {
                        a.status == 401
                    }
                }
                (r, need) if allowed(r, need) => a.status != 401 && a.status != 403 && a.status < 500,
                _ => a.status == 403 && a.json()["code"] == "forbidden",
            };
            if !ok {
                failures.push(format!("{method} {path} as {role}: {} {}", a.status, a.text()));
            }
        }
    }
    assert!(failures.is_empty(), "access matrix violated:\n{}", failures.join("\n"));
    // Every denial is on the audit trail, with who was refused.
    let denied = s.events("api.denied");
    assert!(
        denied.iter().any(|e| e["payload"]["identity"] == "user:viewer@example.com"
            && e["payload"]["route"] == "/api/v1/tokens"),
        "{denied:#?}"
    );
    assert!(denied.iter().any(|e| e["payload"]["reason"] == "not signed in"));
    // The admin stops the server through the API.
    let a = s.call("POST", "/api/v1/shutdown", tokens[4].1.as_deref(), None);
    assert_eq!(a.status, 200, "{}", a.text());
}

#[test]
fn approvals_through_the_api_act_as_the_token_and_obey_scope_and_segregation_of_duties() {
    let s = Server::start();
    s.promote_staging();
    let author = s.token("dev@example.com", "approver", &[]);
    let staging_only = s.token("bob@example.com", "approver", &["--env", "staging"]);
    let alice = s.token(
        "alice@example.com",
        "approver",
        &["--env", "production", "--gate", "release"],
    );
    let gate = s.call("GET", "/api/v1/gates/release", Some(&alice), None);
    assert_eq!(gate.status, 200, "{}", gate.text());
    assert_eq!(gate.json()["status"], "waiting");
    // Outside the token's scope: refused before the engine is asked.
    let a = s.call(
        "POST",
        "/api/v1/gates/release/approve",
        Some(&staging_only),
        Some(json!({})),
    );
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("staging"), "{}", a.text());
    // The author may not approve their own change (the gate's rule).
    let a = s.call(
        "POST",
        "/api/v1/gates/release/approve",
        Some(&author),
        Some(json!({ "comment": "lgtm" })),
    );
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(
        a.json()["error"].as_str().unwrap().contains("segregation of duties"),
        "{}",
        a.text()
    );
    let refused = s.events("gate.refused");
    assert!(
        refused.iter().any(|e| e["actor"] == "user:dev@example.com"),
        "{refused:#?}"
    );
    // Alice approves; the ledger records her, not the server.
    let a = s.call(
        "POST",
        "/api/v1/gates/release/approve",
        Some(&alice),
        Some(json!({ "comment": "ship it" })),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["gate"]["status"], "open", "{}", a.text());
    let approved = s.events("gate.approved");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["actor"], "user:alice@example.com");
    assert_eq!(approved[0]["payload"]["comment"], "ship it");
    // Bad bodies are clear 400s, never 500s.
    let a = s.call(
        "POST",
        "/api/v1/gates/release/approve",
        Some(&alice),
        Some(json!({ "coment": "typo" })),
    );
    assert_eq!(a.status, 400, "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("coment"), "{}", a.text());
}

#[test]
fn a_revoked_or_expired_token_is_refused_at_once() {
    let s = Server::start();
    let t = s.token("ci@example.com", "operator", &[]);
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&t), None).status, 200);
    let id = t.split('_').nth(1).unwrap().to_string();
    let out = s.lg("owner@example.com", &["token", "revoke", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let a = s.call("GET", "/api/v1/whoami", Some(&t), None);
    assert_eq!(a.status, 401, "{}", a.text());
    assert!(
        s.events("api.denied")
            .iter()
            .any(|e| e["payload"]["reason"] == "revoked token" && e["payload"]["identity"] == "user:ci@example.com")
    );
    // Through the API, by an admin.
    let admin = s.token("root@example.com", "admin", &[]);
    let other = s.token("ops@example.com", "viewer", &[]);
    let other_id = other.split('_').nth(1).unwrap();
    let a = s.call("DELETE", &format!("/api/v1/tokens/{other_id}"), Some(&admin), None);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&other), None).status, 401);
    // A token's secret is never listed or logged.
    let list = s.call("GET", "/api/v1/tokens", Some(&admin), None);
    assert!(!list.text().contains(&t) && !list.text().contains(&other));
    let ledger = std::fs::read(s.path().join(".lockgate/ledger.db")).unwrap();
    assert!(
        !ledger.windows(t.len()).any(|w| w == t.as_bytes()),
        "a token's secret reached the ledger"
    );
    // An expired token.
    let short = s.token("tmp@example.com", "viewer", &["--expires", "1m"]);
    let out = lockgate(s.path())
        .env("LOCKGATE_NOW", "2099-01-01T00:00:00Z")
        .args(["token", "list"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("expired"), "{}", stdout(&out));
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&short), None).status, 200);
}

#[test]
fn sessions_are_fresh_at_sign_in_and_forms_need_the_csrf_token() {
    let s = Server::start();
    s.promote_staging();
    s.user("alice@example.com", "approver", "correct horse battery");
    // Session fixation: a cookie chosen before sign-in is never adopted.
    let planted = "lockgate_session=0000000000000000000000000000000000000000000000000000000000000000";
    let a = sign_in(
        &s,
        "user=alice%40example.com&password=correct+horse+battery&next=%2Fgates%2Frelease",
        Some(planted),
    );
    assert_eq!(a.status, 303, "{}", a.text());
    assert_eq!(a.header("location"), Some("/gates/release"));
    let cookie = session_cookie(&a).expect("a session cookie");
    assert_ne!(cookie, planted);
    let set = a.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let planted_page = http(s.api, "GET", "/gates/release", &[("Cookie", planted)], b"");
    assert_eq!(planted_page.status, 303, "the planted id must not be a session");
    // The page carries the CSRF token; a form without it is refused and recorded.
    let page = http(s.api, "GET", "/gates/release", &[("Cookie", &cookie)], b"");
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = csrf_in(&page.text()).expect("a csrf field in the gate page");
    let form = [
        ("Cookie", cookie.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let a = http(s.api, "POST", "/gates/release/approve", &form, b"comment=forged");
    assert_eq!(a.status, 403, "{}", a.text());
    let a = http(
        s.api,
        "POST",
        "/gates/release/approve",
        &form,
        b"comment=forged&csrf=0123",
    );
    assert_eq!(a.status, 403, "{}", a.text());
    // The API refuses a cookie-authenticated change without the header too.
    let a = http(
        s.api,
        "POST",
        "/api/v1/gates/release/approve",
        &[("Cookie", &cookie), ("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(s.events("gate.approved").is_empty());
    assert!(
        s.events("api.denied")
            .iter()
            .any(|e| e["payload"]["reason"] == "missing or wrong CSRF token")
    );
    // With the token it goes through, as alice.
    let body = format!("comment=reviewed&csrf={csrf}");
    let a = http(s.api, "POST", "/gates/release/approve", &form, body.as_bytes());
    assert_eq!(a.status, 303, "{}", a.text());
    let approved = s.events("gate.approved");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["actor"], "user:alice@example.com");
    // Signing out ends the session on the server.
    let a = http(s.api, "POST", "/logout", &form, format!("csrf={csrf}").as_bytes());
    assert_eq!(a.status, 303, "{}", a.text());
    assert_eq!(http(s.api, "GET", "/", &[("Cookie", &cookie)], b"").status, 303);
    // A sign-in posted from another site is refused.
    let a = http(
        s.api,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "https://evil.example"),
        ],
        b"user=alice%40example.com&password=correct+horse+battery",
    );
    assert_eq!(a.status, 403, "{}", a.text());
}

#[test]
fn failed_sign_ins_are_rate_limited_and_recorded() {
    let s = Server::start_with(&["--log-format", "json"]);
    s.user("bob@example.com", "viewer", "a long enough passphrase");
    for _ in 0..5 {
        let a = sign_in(&s, "user=bob%40example.com&password=guess", None);
        assert_eq!(a.status, 401, "{}", a.text());
        assert!(session_cookie(&a).is_none());
    }
    // Even the right password waits now.
    let a = sign_in(&s, "user=bob%40example.com&password=a+long+enough+passphrase", None);
    assert_eq!(a.status, 429, "{}", a.text());
    assert!(!a.text().contains("passphrase"));
    let denied = s.events("api.denied");
    assert!(
        denied
            .iter()
            .any(|e| e["payload"]["reason"] == "wrong user name, password or token")
    );
    // Nothing secret in the ledger.
    let out = s.lg("owner@example.com", &["audit", "log", "--json"]);
    assert!(!stdout(&out).contains("passphrase") && !stdout(&out).contains("guess"));
    // The password is stored only as an Argon2id hash, in a private file.
    let pw = std::fs::read_to_string(s.path().join(".lockgate/passwords.json")).unwrap();
    assert!(pw.contains("$argon2id$") && !pw.contains("passphrase"));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(s.path().join(".lockgate/passwords.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0);
    // The access log: one JSON object per request, with its id; no secrets.
    let log = std::fs::read_to_string(s.path().join(".lockgate/serve.log")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logins: Vec<&Value> = lines.iter().filter(|l| l["route"] == "/login").collect();
    assert_eq!(logins.len(), 6, "{log}");
    assert!(
        logins
            .iter()
            .all(|l| l["request_id"].as_str().is_some_and(|r| !r.is_empty()))
    );
    assert_eq!(logins.last().unwrap()["status"], 429);
    assert!(!log.contains("passphrase") && !log.contains("guess"), "{log}");
}

#[test]
fn the_api_answers_errors_in_one_shape_and_serves_its_document() {
    let s = Server::start();
    let viewer = s.token("v@example.com", "viewer", &[]);
    let a = s.call("GET", "/api/v1/gates/nogate", Some(&viewer), None);
    assert_eq!(a.status, 404);
    let e = a.json();
    assert!(
        e["error"].is_string() && e["code"] == "not_found" && e["exit"].is_number(),
        "{e}"
    );
    assert!(a.header("x-request-id").is_some());
    let a = s.call("GET", "/api/v1/runs/abc", Some(&viewer), None);
    assert_eq!(a.status, 400);
    let a = s.call("GET", "/api/v1/audit?limit=2", Some(&viewer), None);
    let page = a.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_u64().expect("a next page");
    let a = s.call(
        "GET",
        &format!("/api/v1/audit?limit=2&after={next}"),
        Some(&viewer),
        None,
    );
    assert!(a.json()["items"][0]["seq"].as_u64().unwrap() > next);
    let a = s.call("GET", "/nowhere", None, None);
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["code"], "not_found");
    // The document served is the one checked in.
    let doc = s.call("GET", "/openapi.json", None, None);
    assert_eq!(doc.text(), include_str!("../../docs/openapi.json"));
    // A body over the limit is refused cleanly.
    let big = vec![b'x'; 2 * 1024 * 1024];
    let a = http(
        s.api,
        "POST",
        "/api/v1/gates/release/approve",
        &[("Authorization", &format!("Bearer {viewer}"))],
        &big,
    );
    assert!(matches!(a.status, 403 | 413), "{}", a.status);
    // The audit export is a verifiable bundle.
    let a = s.call("GET", "/api/v1/audit/export", Some(&viewer), None);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/x-tar"));
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::write(out_dir.path().join("a.tar"), &a.body).unwrap();
    let untar = std::process::Command::new("tar")
        .args(["-xf", "a.tar"])
        .current_dir(out_dir.path())
        .status()
        .unwrap();
    assert!(untar.success());
    let out = lockgate(s.path())
        .args(["audit", "verify", "--bundle"])
        .arg(out_dir.path().join("lockgate-audit"))
        .args(["--pubkey", ".lockgate/ledger.pub"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_non_loopback_address_needs_tls_and_tls_serves_https() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lockgate.yaml"),
        SPEC.replace("PORT_WEB", &free_port().to_string()),
    )
    .unwrap();
    let out = as_user(dir.path(), "dev@example.com", &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("without TLS"), "{}", stderr(&out));
    // A self-signed certificate for 127.0.0.1.
    let certs = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .current_dir(certs.path())
        .output();
    let Some(made) = made.ok().filter(|m| m.status.success()) else {
        if std::env::var_os("LOCKGATE_REQUIRE_TOOLS").is_some() {
            panic!("openssl is needed to make a test certificate");
        }
        eprintln!("skipping the TLS part: openssl is not installed");
        return;
    };
    drop(made);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let cert = certs.path().join("cert.pem");
    let key = certs.path().join("key.pem");
    let s = Server::start_with(&[
        "--listen",
        &listen,
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    // The CLI still works (its own loopback listener) …
    let out = s.lg(
        "dev@example.com",
        &["rollout", "status", "web", "--env", "staging", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // … and the public address speaks TLS only.
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject as _;
    for c in rustls::pki_types::CertificateDer::pem_file_iter(&cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(cfg), name).unwrap();
    let sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(format!("GET /login HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw);
    let a = parse_answer(&raw);
    assert_eq!(a.status, 200);
    assert!(a.header("strict-transport-security").is_some());
    // Plain HTTP on the TLS port gets no answer.
    let mut plain = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("\"ok\""));
}

/// Finds a tool on PATH; `None` (with a visible message) when it is not
/// installed, unless LOCKGATE_REQUIRE_TOOLS is set.
pub fn tool(name: &str, why: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("LOCKGATE_REQUIRE_TOOLS").is_none(),
            "{name} is required ({why}); scripts/test installs it"
        );
        eprintln!("skipping {why}: {name} is not installed (scripts/test installs it)");
    }
    found
}

#[test]
fn the_api_holds_up_to_schemathesis_fuzzing_against_its_own_document() {
    let Some(st) = tool("schemathesis", "API fuzzing against the OpenAPI document") else {
        return;
    };
    let s = Server::start();
    s.promote_staging();
    let admin = s.token("fuzz@example.com", "admin", &[]);
    let report = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(st)
        .arg("run")
        .arg(format!("http://{}/openapi.json", s.api))
        .args(["-H", &format!("Authorization: Bearer {admin}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        // Stopping the server or revoking the fuzzer's own token ends the run
        // early; a rollout's event stream never ends by design.
        .args([
            "--exclude-path",
            "/api/v1/shutdown",
            "--exclude-path",
            "/api/v1/tokens/{id}",
        ])
        .args(["--exclude-path", "/api/v1/rollouts/{service}/{env}/events"])
        .args([
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "40",
            "--seed",
            "20261206",
        ])
        .args(["--request-timeout", "30", "--no-color", "--report-dir"])
        .arg(report.path())
        .current_dir(report.path())
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "schemathesis found problems:\n{text}");
    assert!(text.contains("passed"), "{text}");
    // The server is still up and the fuzzer's token still works.
    assert_eq!(s.call("GET", "/api/v1/whoami", Some(&admin), None).status, 200);
}

/// Reads a server-sent event stream until `until` holds for the text so far
/// (bounded by `limit` bytes and the socket's timeout).
fn read_stream(addr: SocketAddr, path: &str, token: &str, until: impl Fn(&str) -> bool) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !until(&text) && text.len() < 1 << 20 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    text
}

#[test]
fn an_operator_runs_the_pipeline_and_deploys_through_the_api_while_a_viewer_watches_live() {
    let s = Server::start();
    let ops = s.token("ops@example.com", "operator", &[]);
    let viewer = s.token("watch@example.com", "viewer", &[]);
    // A pipeline run started through the API is triggered by the operator.
    let a = s.call("POST", "/api/v1/runs", Some(&ops), Some(json!({ "jobs": ["test"] })));
    assert_eq!(a.status, 202, "{}", a.text());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let run = loop {
        let runs = s.call("GET", "/api/v1/runs?limit=5", Some(&viewer), None).json();
        let mine = runs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["trigger"] == "user:ops@example.com" && r["status"] != "unfinished")
            .cloned();
        if let Some(r) = mine {
            break r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the API's run never finished: {runs:#}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(run["status"], "succeeded", "{run:#}");
    let id = run["run"].as_u64().unwrap();
    let log = s.call("GET", &format!("/api/v1/runs/{id}/jobs/test/log"), Some(&viewer), None);
    assert_eq!(log.status, 200);
    // Following a finished run's log streams it and ends.
    let streamed = read_stream(
        s.api,
        &format!("/api/v1/runs/{id}/jobs/test/log?follow=true"),
        &viewer,
        |t| t.contains("event: end"),
    );
    assert!(
        streamed.contains("text/event-stream") && streamed.contains("event: end"),
        "{streamed}"
    );
    let ev = s
        .call("GET", &format!("/api/v1/runs/{id}/evidence"), Some(&viewer), None)
        .json();
    assert!(!ev["evidence"].as_array().unwrap().is_empty(), "{ev}");
    // The operator deploys to staging; the viewer sees the rollout live.
    let a = s.call(
        "POST",
        "/api/v1/rollouts/web/staging/deploy",
        Some(&ops),
        Some(json!({ "version": "v1" })),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let live = read_stream(s.api, "/api/v1/rollouts/web/staging/events", &viewer, |t| {
        t.contains("\"phase\":\"completed\"")
    });
    assert!(
        live.contains("event: status") && live.contains("\"phase\":\"completed\""),
        "{live}"
    );
    let started = s.events("rollout.started");
    assert_eq!(started[0]["actor"], "user:ops@example.com", "{started:#?}");
    // Production is guarded: the API asks its gates and refuses, recorded.
    let a = s.call(
        "POST",
        "/api/v1/rollouts/web/production/deploy",
        Some(&ops),
        Some(json!({ "version": "v1" })),
    );
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(
        s.events("gate.refused")
            .iter()
            .any(|e| e["actor"] == "user:ops@example.com")
    );
}

#[test]
fn an_agents_approval_request_reaches_the_webhook_and_the_ledger_with_the_host_only() {
    let s = Server::start();
    // A webhook receiver on loopback.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = l.local_addr().unwrap();
    let receiver = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains("approve_with") {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        String::from_utf8_lossy(&got).into_owned()
    });
    let spec_path = s.path().join("lockgate.yaml");
    let mut spec = std::fs::read_to_string(&spec_path).unwrap();
    spec.push_str("notify:\n  webhook: \"${HOOK_URL:-http://127.0.0.1:9/unset}\"\n");
    std::fs::write(&spec_path, spec).unwrap();
    let url = format!("http://{hook}/secret-path-token");
    let out = lockgate(s.path())
        .env("LOCKGATE_USER", "owner@example.com")
        .env("HOOK_URL", &url)
        .args(["validate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Through the stdio MCP server, as the agent.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
        .args(["mcp", "--agent", "claude"])
        .current_dir(s.path())
        .env("HOOK_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let msgs = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "t", "version": "1" } } }),
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": { "name": "request_approval", "arguments": { "gate": "release", "message": "v2 is ready" } } }),
    ];
    for m in &msgs {
        writeln!(stdin, "{m}").unwrap();
    }
    let child_out = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child_out));
    let answer = loop {
        let line = lines.next().expect("an answer").unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        if v["id"] == 2 {
            break v;
        }
    };
    drop(stdin);
    let _ = child.wait();
    let result = &answer["result"];
    assert_ne!(result["isError"], true, "{answer:#}");
    assert_eq!(result["structuredContent"]["webhook"]["delivered"], true, "{answer:#}");
    let req = receiver.join().unwrap();
    assert!(req.starts_with("POST /secret-path-token HTTP/1.1"), "{req}");
    assert!(
        req.contains("\"requested_by\":\"agent:claude\"") && req.contains("v2 is ready"),
        "{req}"
    );
    // The ledger has the request and the delivery, never the URL's secret part.
    let requested = s.events("gate.approval_requested");
    assert_eq!(requested[0]["actor"], "agent:claude");
    let delivered = s.events("notify.delivered");
    assert_eq!(delivered[0]["payload"]["webhook"]["host"], "127.0.0.1");
    let out = s.lg("owner@example.com", &["audit", "log", "--json"]);
    assert!(!stdout(&out).contains("secret-path-token"));
    let calls = s.events("mcp.tool_called");
    assert_eq!(calls[0]["actor"], "agent:claude");
    assert_eq!(calls[0]["payload"]["arguments"]["message"], "v2 is ready");
}

#[test]
fn alertmanager_opens_and_resolves_incidents_through_the_webhook() {
    let s = Server::start();
    let am = s.token("alertmanager@example.com", "operator", &[]);
    let firing = json!({ "version": "4", "status": "firing", "alerts": [
        { "status": "firing", "labels": { "alertname": "HighErrorRate", "service": "web", "env": "production", "version": "v2" },
          "annotations": { "summary": "5xx above 5%" } },
        { "status": "firing", "labels": { "alertname": "DiskFull", "instance": "db1" } },
    ]});
    let a = s.call(
        "POST",
        "/api/v1/incidents/alertmanager",
        Some(&am),
        Some(firing.clone()),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(
        (v["opened"].as_u64(), v["ignored"].as_array().unwrap().len()),
        (Some(1), 1),
        "{v}"
    );
    // Alertmanager repeats a firing alert: the open incident is updated, not doubled.
    s.call("POST", "/api/v1/incidents/alertmanager", Some(&am), Some(firing));
    let out = s.lg("owner@example.com", &["incident", "list", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stdout(&out)));
    let text = list.to_string();
    assert!(text.contains("5xx above 5%") && text.contains("v2"), "{text}");
    let opened = s.events("incident.opened");
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0]["actor"], "user:alertmanager@example.com");
    let resolved = json!({ "alerts": [{ "status": "resolved", "labels": { "alertname": "HighErrorRate", "service": "web", "env": "production" } }] });
    let a = s.call("POST", "/api/v1/incidents/alertmanager", Some(&am), Some(resolved));
    assert_eq!(a.json()["resolved"], 1);
    assert_eq!(s.events("incident.resolved").len(), 1);
    // Without a token: refused and recorded.
    let a = s.call(
        "POST",
        "/api/v1/incidents/alertmanager",
        None,
        Some(json!({ "alerts": [] })),
    );
    assert_eq!(a.status, 401);
}
