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
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            break;
        };
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
        let dir = tempfile::tempdir().unwrap();
        let spec = SPEC.replace("PORT_WEB", &free_port().to_string());
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

#[test]
fn placeholder_server_starts_and_answers_health() {
    let s = Server::start();
    let a = s.call("GET", "/healthz", None, None);
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({ "status": "ok" }));
}
