//! The web UI: every page over raw HTTP with a session (always runs), and
//! the approval flow in a real browser — headless Chromium driven over
//! WebDriver (fantoccini → chromedriver).
//!
//! The browser test needs Debian's `chromium` and `chromium-driver`
//! (`scripts/test` installs them). Without them it says so on stderr and
//! passes, unless `LOCKGATE_REQUIRE_TOOLS=1`, where it fails.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{Answer, Server, csrf_in, free_port, http, session_cookie, sign_in};

const ALICE: &str = "alice@example.com";
const ALICE_PASSWORD: &str = "correct horse battery staple";

/// A GET with a session cookie.
fn get(api: SocketAddr, path: &str, cookie: &str) -> Answer {
    http(api, "GET", path, &[("Cookie", cookie)], b"")
}

/// A form POST with a session cookie.
fn post_form(api: SocketAddr, path: &str, cookie: &str, form: &[(&str, &str)]) -> Answer {
    let body = serde_urlencoded::to_string(form).unwrap();
    http(
        api,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

fn signed_in(s: &Server, form: &str) -> String {
    let a = sign_in(s, form, None);
    assert_eq!(a.status, 303, "sign-in failed: {}", a.text());
    session_cookie(&a).expect("a session cookie")
}

/// Every `<form …>…</form>` of a page, with its opening tag.
fn forms(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<form") {
        let end = rest[i..].find("</form>").map_or(rest.len(), |e| i + e);
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// What every page must be: a complete, accessible document whose
/// state-changing forms carry the session's CSRF token, and that never
/// shows a secret.
fn check_page(path: &str, a: &Answer, csrf: &str, secrets: &[&str]) {
    assert_eq!(a.status, 200, "GET {path}: {}", a.text());
    assert!(
        a.header("content-type").is_some_and(|c| c.starts_with("text/html")),
        "GET {path}: {:?}",
        a.header("content-type")
    );
    let html = a.text();
    assert!(html.starts_with("<!doctype html>"), "GET {path}");
    assert!(html.contains("<html lang=\"en\">"), "GET {path}: no <html lang=");
    assert!(html.contains("<main"), "GET {path}: no <main>");
    assert!(html.contains("name=\"viewport\""), "GET {path}: no viewport meta");
    assert!(html.contains("href=\"#main\""), "GET {path}: no skip link");
    let field = format!("<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">");
    let all = forms(&html);
    assert!(!all.is_empty(), "GET {path}: not even the sign-out form");
    for f in all {
        if f.contains("method=\"post\"") {
            assert_eq!(
                f.matches(&field).count(),
                1,
                "GET {path}: a form without its CSRF field:\n{f}"
            );
        } else {
            // A GET form puts its fields in the URL: never the CSRF token.
            assert!(
                !f.contains("name=\"csrf\""),
                "GET {path}: CSRF token in a GET form:\n{f}"
            );
        }
    }
    for secret in secrets {
        assert!(!html.contains(secret), "GET {path} shows a secret");
    }
}

#[test]
fn every_page_renders_for_a_session_with_csrf_fields_and_no_secrets() {
    let s = Server::start();
    s.promote_staging();
    s.user(ALICE, "approver", ALICE_PASSWORD);
    let viewer = s.token("viewer@example.com", "viewer", &[]);
    let a = s.call(
        "POST",
        "/api/v1/rollouts/web/staging/deploy",
        Some(&s.local),
        Some(json!({ "version": "v1" })),
    );
    // 409 if promoting to staging has started a rollout already.
    assert!(matches!(a.status, 200 | 409), "{}", a.text());
    let run = s.call("GET", "/api/v1/runs", Some(&s.local), None).json()["items"][0]["run"]
        .as_u64()
        .expect("a run");
    let secrets = [s.local.as_str(), viewer.as_str(), ALICE_PASSWORD];

    // Not signed in: pages send the browser to the sign-in page.
    let anon = http(s.api, "GET", "/gates/release", &[], b"");
    assert_eq!(anon.status, 303);
    assert_eq!(anon.header("location"), Some("/login?next=%2Fgates%2Frelease"));
    let login = http(s.api, "GET", "/login?next=/gates/release", &[], b"");
    assert_eq!(login.status, 200);
    let html = login.text();
    for id in ["user", "password", "token", "sign-in"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id} on the sign-in page");
    }
    assert!(html.contains("name=\"next\" value=\"/gates/release\""));
    assert!(html.contains("<label for=\"user\">"));

    let alice = signed_in(&s, &format!("user={ALICE}&password=correct+horse+battery+staple"));
    let pages = [
        "/".to_string(),
        "/gates/release".into(),
        "/rollouts/web/staging".into(),
        "/rollouts/web/production".into(),
        "/runs".into(),
        format!("/runs/{run}"),
        format!("/runs/{run}?job=test"),
        "/audit".into(),
        "/audit?after=0".into(),
        "/compliance".into(),
        "/compliance?framework=gdpr".into(),
    ];
    let csrf = csrf_in(&get(s.api, "/", &alice).text()).expect("a CSRF field");
    assert!(csrf.len() >= 32, "{csrf}");
    for p in &pages {
        check_page(p, &get(s.api, p, &alice), &csrf, &secrets);
    }

    // What the pages say.
    let overview = get(s.api, "/", &alice).text();
    assert!(overview.contains("href=\"/rollouts/web/staging\""), "{overview}");
    assert!(overview.contains("href=\"/gates/release\""), "{overview}");
    assert!(overview.contains("Signed in as <strong>user:alice@example.com</strong>"));
    let gate = get(s.api, "/gates/release", &alice).text();
    assert!(gate.contains("id=\"gate-status\""), "{gate}");
    assert!(gate.contains("WAITING"), "{gate}");
    assert!(gate.contains("tests.failed == 0"), "{gate}");
    for id in ["approve", "approve-comment", "reject", "reject-comment"] {
        assert!(gate.contains(&format!("id=\"{id}\"")), "no #{id} for an approver");
    }
    assert!(gate.contains("<label for=\"approve-comment\">"));
    let rollout = get(s.api, "/rollouts/web/staging", &alice).text();
    assert!(
        rollout.contains("data-events=\"/api/v1/rollouts/web/staging/events\""),
        "{rollout}"
    );
    assert!(rollout.contains("<svg"), "{rollout}");
    assert!(!rollout.contains("id=\"action-"), "an approver sees no rollout actions");
    let run_page = get(s.api, &format!("/runs/{run}"), &alice).text();
    assert!(run_page.contains("<pre id=\"log\""), "{run_page}");
    assert!(run_page.contains("Log of test"), "{run_page}");
    let audit = get(s.api, "/audit", &alice).text();
    assert!(audit.contains("verified ✓"), "{audit}");
    assert!(audit.contains("href=\"/api/v1/audit/export\""));
    assert!(audit.contains("gate.") || audit.contains("run.started"), "{audit}");
    let compliance = get(s.api, "/compliance", &alice).text();
    assert!(compliance.contains("<label for=\"framework\">"), "{compliance}");
    assert!(compliance.contains("<option value=\"soc2\" selected>"), "{compliance}");

    // Unknown things are 404 pages, not crashes.
    let a = get(s.api, "/rollouts/nope/staging", &alice);
    assert_eq!(a.status, 404);
    assert!(a.text().contains("role=\"alert\""));
    let a = get(s.api, "/compliance?framework=nope", &alice);
    assert_eq!(a.status, 404);
    assert!(a.text().contains("role=\"alert\""));
    assert_eq!(get(s.api, "/gates/nope", &alice).status, 404);
    assert_eq!(get(s.api, "/runs/999999", &alice).status, 404);

    // A form without the session's CSRF token is refused by the guard.
    let a = post_form(
        s.api,
        "/gates/release/approve",
        &alice,
        &[("csrf", "wrong"), ("comment", "x")],
    );
    assert_eq!(a.status, 403, "{}", a.text());
    // A refusal shows the gate page again with the reason, the comment kept.
    let a = post_form(
        s.api,
        "/gates/release/reject",
        &alice,
        &[("csrf", &csrf), ("comment", "  ")],
    );
    assert_eq!(a.status, 400, "{}", a.text());
    let html = a.text();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("a rejection needs a comment"), "{html}");
    assert!(html.contains("id=\"gate-status\""), "{html}");

    // Approving through the form opens the gate, as alice.
    let a = post_form(
        s.api,
        "/gates/release/approve",
        &alice,
        &[("csrf", &csrf), ("comment", "<b>looks good</b>")],
    );
    assert_eq!(a.status, 303, "{}", a.text());
    assert_eq!(a.header("location"), Some("/gates/release?done=approved"));
    let gate = get(s.api, "/gates/release?done=approved", &alice).text();
    assert!(gate.contains("OPEN"), "{gate}");
    assert!(gate.contains("role=\"status\""), "{gate}");
    let approved = s.events("gate.approved");
    assert_eq!(approved.last().unwrap()["actor"], "user:alice@example.com");
    // The comment is escaped wherever it is shown.
    let audit = get(s.api, "/audit", &alice).text();
    assert!(!audit.contains("<b>looks good</b>"));

    // A viewer (signed in with a token) reads every page, decides nothing.
    let v = signed_in(&s, &format!("token={viewer}"));
    let vcsrf = csrf_in(&get(s.api, "/", &v).text()).expect("a CSRF field");
    for p in &pages {
        check_page(p, &get(s.api, p, &v), &vcsrf, &secrets);
    }
    let gate = get(s.api, "/gates/release", &v).text();
    assert!(!gate.contains("id=\"approve\""), "a viewer sees no approve button");
    let a = post_form(s.api, "/rollouts/web/staging/pause", &v, &[("csrf", &vcsrf)]);
    assert_eq!(a.status, 403, "{}", a.text());

    // The owner (admin) operates rollouts from the page.
    s.user("owner@example.com", "admin", "owner's long password");
    let o = signed_in(&s, "user=owner%40example.com&password=owner%27s+long+password");
    let ocsrf = csrf_in(&get(s.api, "/", &o).text()).expect("a CSRF field");
    let page = get(s.api, "/rollouts/web/staging", &o).text();
    assert!(page.contains("id=\"action-rollback\""), "{page}");
    let a = post_form(s.api, "/rollouts/web/staging/rollback", &o, &[("csrf", &ocsrf)]);
    // Refused or done, the answer is a page or a redirect, never JSON.
    if a.status == 303 {
        assert_eq!(a.header("location"), Some("/rollouts/web/staging?done=rollback"));
    } else {
        assert!((400..500).contains(&a.status), "{}", a.status);
        assert!(a.text().contains("role=\"alert\""), "{}", a.text());
    }
}

// ---- the browser ----------------------------------------------------------------

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// `chromedriver`, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(path: &PathBuf) -> Driver {
        let port = free_port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it holds, for at most `limit`.
async fn until<F, Fut>(what: &str, limit: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await.unwrap_or(false) {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{what}: not within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn text_of(c: &fantoccini::Client, id: &str) -> anyhow::Result<String> {
    Ok(c.find(fantoccini::Locator::Id(id)).await?.text().await?)
}

/// Where the browser is and what it shows, for a failure message.
async fn shown(c: &fantoccini::Client) -> String {
    let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
    let body = match c.find(fantoccini::Locator::Css("body")).await {
        Ok(b) => b.text().await.unwrap_or_default(),
        Err(e) => format!("(no body: {e})"),
    };
    format!("{url}:\n{body}")
}

/// Signs in, approves the waiting gate, watches it open; screenshots it.
async fn drive(c: &fantoccini::Client, s: &Server) -> anyhow::Result<()> {
    use fantoccini::Locator;
    let base = format!("http://{}", s.api);
    let wait = Duration::from_secs(30);

    // A page while signed out: the sign-in page, which brings us back.
    c.goto(&format!("{base}/gates/release")).await?;
    let url = c.current_url().await?;
    anyhow::ensure!(url.path() == "/login", "expected the sign-in page, got {url}");
    c.find(Locator::Id("user")).await?.send_keys(ALICE).await?;
    c.find(Locator::Id("password")).await?.send_keys(ALICE_PASSWORD).await?;
    c.find(Locator::Id("sign-in")).await?.click().await?;
    if let Err(e) = c.wait().at_most(wait).for_element(Locator::Id("gate-status")).await {
        anyhow::bail!(
            "no #gate-status after signing in ({e}); the browser shows {}",
            shown(c).await
        );
    }
    let url = c.current_url().await?;
    anyhow::ensure!(url.path() == "/gates/release", "after signing in: {url}");
    let status = text_of(c, "gate-status").await?;
    anyhow::ensure!(status.contains("WAITING"), "the gate before approval: {status}");

    // Approve with a comment; the page comes back with the gate open.
    c.find(Locator::Id("approve-comment"))
        .await?
        .send_keys("Checked in the browser")
        .await?;
    c.find(Locator::Id("approve")).await?.click().await?;
    until("the gate opens", wait, || async {
        Ok(text_of(c, "gate-status").await?.contains("OPEN"))
    })
    .await?;
    snap(c, "gate-approved").await?;

    // The overview lists the gate as open and links the services.
    c.goto(&format!("{base}/")).await?;
    let main = c.find(Locator::Css("main")).await?.text().await?;
    anyhow::ensure!(main.contains("Services by environment"), "overview: {main}");
    anyhow::ensure!(main.contains("OPEN"), "overview: {main}");
    c.find(Locator::Css("a[href='/rollouts/web/staging']"))
        .await?
        .click()
        .await?;

    // The rollout page follows the controller live (server-sent events
    // with the session cookie): a deployment started elsewhere shows up
    // without a reload.
    until("the rollout page goes live", wait, || async {
        Ok(text_of(c, "live-state").await?.starts_with("Live"))
    })
    .await?;
    let a = s.call(
        "POST",
        "/api/v1/rollouts/web/staging/deploy",
        Some(&s.local),
        Some(json!({ "version": "v1" })),
    );
    anyhow::ensure!(a.status == 200, "deploy: {} {}", a.status, a.text());
    until(
        "v1 becomes stable and healthy on the open page",
        Duration::from_secs(60),
        || async { Ok(text_of(c, "stable-version").await? == "v1" && text_of(c, "health").await?.contains("healthy")) },
    )
    .await?;
    snap(c, "rollout-live").await?;
    // Reloaded, the server draws the finished rollout: all traffic on v1.
    c.refresh().await?;
    let canary = text_of(c, "weight-canary").await?;
    anyhow::ensure!(canary == "100", "the new version's weight after the rollout: {canary}");
    snap(c, "rollout-completed").await?;

    // The run with its log.
    c.goto(&format!("{base}/runs")).await?;
    c.find(Locator::Css("tbody th a")).await?.click().await?;
    let log = text_of(c, "log").await?;
    anyhow::ensure!(!log.is_empty(), "an empty log on {}", shown(c).await);
    snap(c, "run").await?;

    // The audit log, with a signed checkpoint, says how far it is verified.
    let out = s.lg("owner@example.com", &["audit", "checkpoint"]);
    anyhow::ensure!(out.status.success(), "audit checkpoint: {}", super::stderr(&out));
    c.goto(&format!("{base}/audit")).await?;
    let badge = text_of(c, "audit-badge").await?;
    anyhow::ensure!(badge.contains("verified ✓ up to checkpoint"), "audit badge: {badge}");
    snap(c, "audit").await?;

    // The compliance report, another framework picked with the keyboard's form.
    c.goto(&format!("{base}/compliance")).await?;
    c.find(Locator::Css("#framework option[value='gdpr']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("form[action='/compliance'] button"))
        .await?
        .click()
        .await?;
    until("the GDPR report", wait, || async {
        Ok(c.current_url().await?.query() == Some("framework=gdpr"))
    })
    .await?;
    snap(c, "compliance").await?;
    Ok(())
}

/// A screenshot into `target/test-artifacts/NAME.png`.
async fn snap(c: &fantoccini::Client, name: &str) -> anyhow::Result<()> {
    let png = c.screenshot().await?;
    anyhow::ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), &png)?;
    Ok(())
}

#[test]
fn browser_signs_in_approves_a_waiting_gate_and_sees_it_open() {
    let require = std::env::var("LOCKGATE_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    let (Some(driver), Some(chromium)) = (on_path("chromedriver"), on_path("chromium")) else {
        assert!(
            !require,
            "chromedriver and chromium are required (LOCKGATE_REQUIRE_TOOLS=1): scripts/test installs them"
        );
        eprintln!(
            "skipping: the browser test needs `chromium` and `chromedriver` on PATH (Debian: apt-get install chromium chromium-driver)"
        );
        return;
    };
    let s = Server::start();
    s.promote_staging();
    s.user(ALICE, "approver", ALICE_PASSWORD);
    let d = Driver::start(&driver);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result: anyhow::Result<()> = rt.block_on(async {
        let caps: Value = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=390,900", "--no-first-run", "--no-default-browser-check"],
            },
            "timeouts": { "pageLoad": 60_000, "script": 30_000, "implicit": 0 },
        });
        let caps = caps.as_object().unwrap().clone();
        let connect = fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", d.port))
            .await;
        let c = match connect {
            Ok(c) => c,
            Err(e) => anyhow::bail!("could not start a Chromium session: {e}"),
        };
        let r = tokio::time::timeout(Duration::from_secs(240), drive(&c, &s))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the browser test took longer than 4 minutes")));
        // Always end the session, so no Chromium is left behind.
        let _ = tokio::time::timeout(Duration::from_secs(30), c.close()).await;
        r
    });
    drop(d);
    if let Err(e) = result {
        panic!("{e:#}");
    }

    // The ledger has the approval, by alice, through the browser session.
    let approved = s.events("gate.approved");
    assert_eq!(approved.len(), 1, "{approved:?}");
    assert_eq!(approved[0]["actor"], "user:alice@example.com");
    assert_eq!(approved[0]["payload"]["comment"], "Checked in the browser");
}
