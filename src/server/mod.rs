//! The server surface of `lockgate serve`: the HTTP API under `/api/v1/`,
//! the web UI, `/metrics`, health probes and the OpenAPI document.
//!
//! Authentication and authorization happen in one place, [`guard`], from
//! the route table [`api::ROUTES`]: a route missing from the table is
//! refused (fail closed). Handlers hold no business logic: they call the
//! same engine functions as the CLI, as the authenticated identity.

pub mod api;
pub mod identity;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod ui;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::watch;

use crate::cli::GlobalArgs;
use crate::delivery::controller::{Shared, UnitHandle};

use crate::exit::{Exit, UserError};
use crate::ledger::projection::Projected;
use crate::ledger::{Actor, Ledger, NewEvent};
use crate::spec::Spec;
use identity::{Identities, Identity, Role};

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Perm {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in identity.
    Signed,
    /// viewer and up.
    Read,
    /// operator, admin.
    Operate,
    /// approver (within its scope), admin.
    Approve,
    /// admin.
    Admin,
}

/// The role table: which roles a permission admits.
pub fn allows(role: Role, perm: Perm) -> bool {
    match perm {
        Perm::Public | Perm::Signed | Perm::Read => true,
        Perm::Operate => matches!(role, Role::Operator | Role::Admin),
        Perm::Approve => matches!(role, Role::Approver | Role::Admin),
        Perm::Admin => role == Role::Admin,
    }
}

/// How the server listens.
#[derive(Debug, Clone)]
pub struct Options {
    pub tls: Option<(PathBuf, PathBuf)>,
    pub insecure: bool,
    pub log_json: bool,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// `user:NAME` (a web user) or `token:ID` (signed in with an API token).
    pub principal: String,
    pub csrf: String,
    pub created: Instant,
    pub last: Instant,
}

const SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
const SESSION_MAX: Duration = Duration::from_secs(12 * 3600);
pub const SESSION_COOKIE: &str = "lockgate_session";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Everything the handlers share.
pub struct Ctx {
    /// Global arguments pointing at this project, for the engine functions.
    pub g: GlobalArgs,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub spec: Spec,
    pub units: Arc<BTreeMap<(String, String), UnitHandle>>,
    /// The controller's ledger writer; taken away at shutdown.
    appender: std::sync::RwLock<Option<crate::ledger::committer::Appender>>,
    pub stop: watch::Sender<bool>,
    /// The controller's own token from `serve.json`: the project owner's CLI.
    pub local_token: String,
    pub tls: bool,
    pub log_json: bool,
    read: Mutex<Option<Ledger>>,
    identities: Mutex<Projected<Identities>>,
    pub sessions: Mutex<HashMap<String, Session>>,
    /// Failed sign-ins by client address and by user name.
    logins: Mutex<HashMap<String, Vec<Instant>>>,
    /// Last second a denial of (who, route, reason) was recorded, and how
    /// many were not recorded since.
    denials: Mutex<HashMap<String, (u64, u64)>>,
    pub metrics: metrics::Metrics,
    pub ready: std::sync::atomic::AtomicBool,
    /// Password checks in flight (Argon2 is deliberately expensive).
    pub argon: tokio::sync::Semaphore,
}

pub type App = Arc<Ctx>;

impl Ctx {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        g: GlobalArgs,
        root: PathBuf,
        state_dir: PathBuf,
        spec: Spec,
        units: Arc<BTreeMap<(String, String), UnitHandle>>,
        sh: Shared,
        stop: watch::Sender<bool>,
        local_token: String,
        opts: &Options,
    ) -> Ctx {
        Ctx {
            g,
            root,
            state_dir,
            spec,
            units,
            appender: std::sync::RwLock::new(Some(sh.appender)),
            stop,
            local_token,
            tls: opts.tls.is_some(),
            log_json: opts.log_json,
            read: Mutex::new(None),
            identities: Mutex::new(Projected::default()),
            sessions: Mutex::default(),
            logins: Mutex::default(),
            denials: Mutex::default(),
            metrics: metrics::Metrics::default(),
            ready: std::sync::atomic::AtomicBool::new(false),
            argon: tokio::sync::Semaphore::new(2),
        }
    }

    /// Lets go of the ledger writer, so the controller can close the ledger.
    pub fn close(&self) {
        *self.appender.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Runs `f` with the identities as the ledger says they are now.
    pub fn with_identities<T>(&self, f: impl FnOnce(&Identities) -> T) -> Result<T> {
        let mut read = lock(&self.read);
        if read.is_none() {
            *read = Some(crate::commands::open_ledger_read(&self.g)?);
        }
        let mut ids = lock(&self.identities);
        if let Some(l) = read.as_ref() {
            ids.catch_up(l)?;
        }
        Ok(f(&ids.state))
    }

    /// Appends events through the controller's committer.
    pub fn record(&self, events: Vec<NewEvent>) -> Result<Vec<u64>> {
        let started = Instant::now();
        let appender = self.appender.read().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(appender) = appender else {
            anyhow::bail!("the server is stopping");
        };
        let r = if tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
        {
            tokio::task::block_in_place(|| appender.append(events))
        } else {
            appender.append(events)
        };
        self.metrics.ledger_append(started.elapsed());
        Ok(r?)
    }

    /// Records a denial: at most once a second per (who, route, reason),
    /// with the count of the ones in between, so nobody can flood the ledger.
    pub fn record_denial(&self, who: &str, method: &Method, route: &str, reason: &str, ip: Option<IpAddr>) {
        self.metrics.denied(reason);
        let key = format!("{who} {method} {route} {reason}");
        let now = jiff::Timestamp::now().as_second().max(0) as u64;
        let suppressed = {
            let mut d = lock(&self.denials);
            if d.len() > 10_000 {
                d.clear();
            }
            let e = d.entry(key).or_insert((0, 0));
            if e.0 == now {
                e.1 += 1;
                None
            } else {
                let n = e.1;
                *e = (now, 0);
                Some(n)
            }
        };
        if let Some(n) = suppressed {
            let actor = if who == "anonymous" {
                Actor::system()
            } else {
                Actor::parse(who)
            };
            let _ = self.record(vec![NewEvent::json(
                actor,
                "api.denied",
                format!("api {route}"),
                json!({ "identity": who, "method": method.as_str(), "route": route, "reason": reason,
                        "client": ip.map(|i| i.to_string()), "also_denied_since_last": n }),
            )]);
        }
    }

    /// A sign-in failure for `keys` (client address, user name); true when
    /// any of them is over the limit (5 failures in 5 minutes).
    pub fn login_limited(&self, keys: &[String], failed: bool) -> bool {
        let mut m = lock(&self.logins);
        let now = Instant::now();
        let window = Duration::from_secs(300);
        let mut over = false;
        for k in keys {
            let v = m.entry(k.clone()).or_default();
            v.retain(|t| now.duration_since(*t) < window);
            if failed {
                v.push(now);
            }
            over |= v.len() >= 5;
        }
        if m.len() > 10_000 {
            m.retain(|_, v| !v.is_empty());
        }
        over
    }

    pub fn new_session(&self, principal: String) -> Result<(String, Session)> {
        let id = identity::random_hex(32)?;
        let s = Session {
            principal,
            csrf: identity::random_hex(24)?,
            created: Instant::now(),
            last: Instant::now(),
        };
        let mut m = lock(&self.sessions);
        m.retain(|_, s| s.last.elapsed() < SESSION_IDLE && s.created.elapsed() < SESSION_MAX);
        m.insert(id.clone(), s.clone());
        Ok((id, s))
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        let mut m = lock(&self.sessions);
        let s = m.get_mut(id)?;
        if s.last.elapsed() >= SESSION_IDLE || s.created.elapsed() >= SESSION_MAX {
            m.remove(id);
            return None;
        }
        s.last = Instant::now();
        Some(s.clone())
    }

    pub fn end_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    /// The identity behind a session, re-checked against the ledger on
    /// every request (a removed user or revoked token is out at once).
    fn session_identity(&self, s: &Session) -> Option<Identity> {
        let now = crate::ledger::now();
        self.with_identities(|ids| {
            if let Some(name) = s.principal.strip_prefix("user:") {
                ids.by_user(name)
            } else if let Some(id) = s.principal.strip_prefix("token:") {
                let t = ids.tokens.get(id)?;
                let live = !t.revoked
                    && t.expires
                        .as_deref()
                        .is_none_or(|e| e.parse::<jiff::Timestamp>().is_ok_and(|e| e > now));
                live.then(|| Identity {
                    actor: t.actor.clone(),
                    role: t.role,
                    environments: t.environments.clone(),
                    gates: t.gates.clone(),
                    via: "session".into(),
                    token: Some(t.id.clone()),
                })
            } else {
                None
            }
        })
        .ok()
        .flatten()
    }

    /// The environment a gate guards, if any.
    pub fn gate_environment(&self, gate: &str) -> Option<String> {
        self.spec
            .gates
            .get(gate)
            .and_then(|g| g.0.environment.as_ref().map(|e| e.value.to_string()))
    }
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---- errors -----------------------------------------------------------------

/// The one error shape of the API:
/// `{"error": message, "code": word, "hint": text|null, "exit": n}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub exit: u8,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            hint: None,
            exit: match status {
                StatusCode::CONFLICT => 5,
                StatusCode::FORBIDDEN => 4,
                s if s.is_client_error() => 2,
                _ => 1,
            },
        }
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }

    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", m)
    }

    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", m)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        if let Some(u) = e.chain().find_map(|c| c.downcast_ref::<UserError>()) {
            let (status, code) = match u.exit {
                Exit::Usage if u.message.starts_with("unknown ") || u.message.starts_with("no ") => {
                    (StatusCode::NOT_FOUND, "not_found")
                }
                Exit::Usage => (StatusCode::BAD_REQUEST, "bad_request"),
                Exit::Blocked => (StatusCode::FORBIDDEN, "blocked"),
                Exit::GateFailed => (StatusCode::FORBIDDEN, "gate_failed"),
                Exit::Conflict => (StatusCode::CONFLICT, "conflict"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "failed"),
            };
            return ApiError {
                status,
                code,
                message: u.message.clone(),
                hint: u.hint.clone(),
                exit: u.exit.code(),
            };
        }
        // Internal errors: the detail goes to the server's log, never to the caller.
        eprintln!("lockgate serve: internal error: {e:#}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            .hint("the server's log has the details")
    }
}

impl From<crate::delivery::controller::Refusal> for ApiError {
    fn from(r: crate::delivery::controller::Refusal) -> Self {
        let (status, code) = match r.exit {
            Exit::Conflict => (StatusCode::CONFLICT, "conflict"),
            Exit::Usage => (StatusCode::BAD_REQUEST, "bad_request"),
            Exit::Blocked | Exit::GateFailed => (StatusCode::FORBIDDEN, "blocked"),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "failed"),
        };
        ApiError {
            status,
            code,
            message: r.message,
            hint: Some(r.hint).filter(|h| !h.is_empty()),
            exit: r.exit.code(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({ "error": self.message, "code": self.code, "hint": self.hint, "exit": self.exit })),
        )
            .into_response()
    }
}

// ---- the guard ---------------------------------------------------------------

pub use crate::delivery::proxy::cookie;

/// The session a request carries, with its id.
pub fn request_session(app: &Ctx, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, SESSION_COOKIE)?;
    app.session(id).map(|s| (id.to_string(), s))
}

fn is_browser_page(path: &str) -> bool {
    !path.starts_with("/api/")
}

/// Authenticates the caller and checks the route's permission: the one
/// place where access is decided. Denials are recorded in the ledger.
pub async fn guard(State(app): State<App>, params: RawPathParams, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let Some(def) = api::route(&method, &route) else {
        let allow: Vec<&str> = api::ROUTES
            .iter()
            .filter(|d| d.path == route)
            .map(|d| d.method)
            .collect();
        if !allow.is_empty() {
            let mut r = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{route} answers {}", allow.join(", ")),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            return r;
        }
        // Not in the table: nobody may call it.
        app.record_denial("anonymous", &method, &route, "route not in the access table", ip);
        return ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this route is not open to anyone").into_response();
    };
    if def.perm == Perm::Public {
        return next.run(req).await;
    }
    // Who is calling?
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let mut session_csrf = None;
    let mut claimed = None;
    let who: Result<Identity, &'static str> = if let Some(tok) = bearer {
        if identity::constant_time_eq(tok.as_bytes(), app.local_token.as_bytes()) {
            Ok(Identity {
                actor: Actor::local().to_string(),
                role: Role::Admin,
                environments: vec![],
                gates: vec![],
                via: "local".into(),
                token: None,
            })
        } else {
            let now = crate::ledger::now();
            let read = || app.with_identities(|ids| ids.by_token(tok, now).map_err(|r| (r, ids.token_owner(tok))));
            match tokio::task::block_in_place(read) {
                Ok(Ok(i)) => Ok(i),
                Ok(Err((r, owner))) => {
                    claimed = owner;
                    Err(r.as_str())
                }
                Err(_) => Err("identity store unavailable"),
            }
        }
    } else if let Some((_, s)) = request_session(&app, headers) {
        session_csrf = Some(s.csrf.clone());
        app.session_identity(&s)
            .ok_or("session of a removed user or revoked token")
    } else {
        Err("not signed in")
    };
    let id = match who {
        Ok(i) => i,
        Err(reason) => {
            app.record_denial(claimed.as_deref().unwrap_or("anonymous"), &method, &route, reason, ip);
            if is_browser_page(&route) && method == Method::GET {
                let next_url = req.uri().path().to_string();
                return ui::redirect_to_login(&next_url);
            }
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in first: send `Authorization: Bearer <token>`",
            )
            .hint("create a token with `lockgate token create --name NAME --role ROLE`")
            .into_response();
        }
    };
    // May this role call this route, within its scope?
    let mut denied = None;
    if !allows(id.role, def.perm) {
        denied = Some(format!("role {} may not call {} {}", id.role, method, def.path));
    } else if def.perm == Perm::Approve && id.role == Role::Approver {
        let gate = params.iter().find(|(k, _)| *k == "gate").map(|(_, v)| v.to_string());
        if let Some(gate) = gate {
            denied = scope_refusal(&id, &gate, app.gate_environment(&gate).as_deref()).err();
        }
    }
    if let Some(reason) = denied {
        app.record_denial(&id.actor, &method, &route, &reason, ip);
        return ApiError::new(StatusCode::FORBIDDEN, "forbidden", reason)
            .hint("ask an administrator for a role that allows it")
            .into_response();
    }
    // A browser session changing state must prove it came from our own page.
    if let Some(csrf) = session_csrf
        && !matches!(method, Method::GET | Method::HEAD)
    {
        let (ok, rebuilt) = csrf_ok(req, &csrf).await;
        req = rebuilt;
        if !ok {
            app.record_denial(&id.actor, &method, &route, "missing or wrong CSRF token", ip);
            return ApiError::new(StatusCode::FORBIDDEN, "csrf", "missing or wrong CSRF token")
                .hint("reload the page and try again")
                .into_response();
        }
    }
    req.extensions_mut().insert(id);
    next.run(req).await
}

/// Whether an approver's scope (gates, environments) reaches `gate`,
/// which guards `env`: the one rule for the API, the UI and MCP.
pub fn scope_refusal(id: &Identity, gate: &str, env: Option<&str>) -> Result<(), String> {
    if id.role != Role::Approver {
        return Ok(());
    }
    if !id.gates.is_empty() && !id.gates.iter().any(|g| g == gate) {
        return Err(format!("{} may decide only on gates {}", id.actor, id.gates.join(", ")));
    }
    if !id.environments.is_empty() && env.is_none_or(|e| !id.environments.iter().any(|x| x == e)) {
        return Err(format!(
            "{} may decide only for environments {}",
            id.actor,
            id.environments.join(", ")
        ));
    }
    Ok(())
}

/// Checks the CSRF token of a state-changing browser request: the
/// `X-CSRF-Token` header, or the `csrf` field of a form. The body is read
/// (within the body limit) and handed on unchanged.
async fn csrf_ok(req: Request, expected: &str) -> (bool, Request) {
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let ok = identity::constant_time_eq(h.as_bytes(), expected.as_bytes());
        return (ok, req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let ok = is_form
        && form_urlencoded_field(&bytes, "csrf")
            .is_some_and(|v| identity::constant_time_eq(v.as_bytes(), expected.as_bytes()));
    (ok, Request::from_parts(parts, Body::from(bytes)))
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Request ids, timeouts, security headers, metrics and the access log.
pub async fn envelope(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| identity::random_hex(8).unwrap_or_default());
    let mut resp = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took too long")
            .hint("try again; long work continues in the background")
            .into_response(),
    };
    let status = resp.status().as_u16();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        h.insert("x-request-id", v);
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let elapsed = started.elapsed();
    app.metrics.http(method.as_str(), &route, status, elapsed);
    if app.log_json {
        eprintln!(
            "{}",
            json!({ "time": jiff::Timestamp::now().to_string(), "level": "info", "msg": "request",
                    "request_id": rid, "method": method.as_str(), "path": path, "route": route,
                    "status": status, "ms": elapsed.as_secs_f64() * 1000.0 })
        );
    }
    resp
}

// ---- serving ----------------------------------------------------------------

/// Refuses a non-loopback address without TLS unless told `--insecure`.
pub fn check_listen(addr: SocketAddr, opts: &Options) -> Result<()> {
    if !addr.ip().is_loopback() && opts.tls.is_none() && !opts.insecure {
        return Err(UserError::usage(format!(
            "refusing to serve {addr} without TLS: tokens and passwords would cross the network in clear"
        ))
        .with_hint("pass --tls-cert FILE --tls-key FILE, or --insecure if a TLS proxy in front of it terminates TLS")
        .into());
    }
    Ok(())
}

pub fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, p: &std::path::Path, e: String| {
        anyhow::Error::from(
            UserError::usage(format!("cannot read the TLS {what} {}: {e}", p.display()))
                .with_hint("pass PEM files: --tls-cert fullchain.pem --tls-key key.pem"),
        )
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("certificate", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("certificate", cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("certificate", cert, "no certificate in the file".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("key", key, e.to_string()))?;
    #[allow(deprecated)] // ring has no post-quantum key exchange; one TLS backend matters more here
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| UserError::usage(format!("the TLS certificate and key do not fit: {e}")))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Serves `app` on `listener` (with TLS when configured) until `stopped`
/// turns true, then lets requests in flight finish (up to 10 s).
pub async fn serve_http(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut stopped: watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::ServiceExt as _;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue; }
            },
            _ = async { stopped.wait_for(|v| *v).await.is_ok() } => break,
        };
        let app = app.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(Body::new))
        });
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(10));
        match &acceptor {
            Some(acc) => {
                let acc = acc.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await else {
                        return;
                    };
                    let conn = builder
                        .serve_connection_with_upgrades(TokioIo::new(tls), svc)
                        .into_owned();
                    let _ = watcher.watch(conn).await;
                });
            }
            None => {
                let conn = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), svc)
                    .into_owned();
                let fut = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = fut.await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
