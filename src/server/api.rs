//! The route table and the JSON API handlers. Each handler calls the
//! engine function the CLI calls, as the authenticated identity.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::identity::{self, Identity, Role};
use super::{ApiError, App, Perm};
use crate::commands::{self, gate};
use crate::delivery::controller::Command;
use crate::ledger::Actor;

/// The response a route gives, for the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resp {
    /// JSON; the name of its schema in `components.schemas`.
    Json(&'static str),
    Text,
    /// Text, or server-sent events when asked to follow.
    TextOrEvents,
    Html,
    /// Server-sent events.
    Events,
    Tar,
    Metrics,
    /// A redirect (303) after a form post.
    Redirect,
}

/// A request body, for the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    None,
    Json(&'static str),
    Form(&'static str),
}

/// One route: method, path, who may call it, and what it takes and gives.
#[derive(Debug, Clone, Copy)]
pub struct RouteDef {
    pub method: &'static str,
    pub path: &'static str,
    pub perm: Perm,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Query parameters: (name, type, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
    pub body: Req,
    pub resp: Resp,
    /// Part of the public API document (UI pages and forms are not).
    pub api: bool,
}

const fn r(
    method: &'static str,
    path: &'static str,
    perm: Perm,
    tag: &'static str,
    summary: &'static str,
    resp: Resp,
) -> RouteDef {
    RouteDef {
        method,
        path,
        perm,
        tag,
        summary,
        query: &[],
        body: Req::None,
        resp,
        api: true,
    }
}

const fn q(mut d: RouteDef, query: &'static [(&'static str, &'static str, &'static str)]) -> RouteDef {
    d.query = query;
    d
}

const fn b(mut d: RouteDef, body: Req) -> RouteDef {
    d.body = body;
    d
}

const fn page(mut d: RouteDef) -> RouteDef {
    d.api = false;
    d
}

const PAGE: &[(&str, &str, &str)] = &[
    ("limit", "integer", "At most this many items (1–500, default 50)"),
    ("offset", "integer", "Skip this many items"),
];

/// Every route of the server, and who may call it.
pub static ROUTES: &[RouteDef] = &[
    // Open to anyone.
    r(
        "GET",
        "/healthz",
        Perm::Public,
        "server",
        "Liveness: the process answers",
        Resp::Json("Health"),
    ),
    r(
        "GET",
        "/readyz",
        Perm::Public,
        "server",
        "Readiness: the controller and the ledger are up",
        Resp::Json("Health"),
    ),
    r(
        "GET",
        "/metrics",
        Perm::Public,
        "server",
        "Prometheus metrics of lockgate itself",
        Resp::Metrics,
    ),
    r(
        "GET",
        "/openapi.json",
        Perm::Public,
        "server",
        "This document",
        Resp::Json("Object"),
    ),
    page(q(
        r("GET", "/login", Perm::Public, "ui", "Sign-in page", Resp::Html),
        &[("next", "string", "Where to go after signing in")],
    )),
    page(b(
        r(
            "POST",
            "/login",
            Perm::Public,
            "ui",
            "Sign in with a user name and password, or an API token",
            Resp::Redirect,
        ),
        Req::Form("Login"),
    )),
    page(r(
        "GET",
        "/static/app.js",
        Perm::Public,
        "ui",
        "The UI's script",
        Resp::Text,
    )),
    page(r(
        "GET",
        "/static/app.css",
        Perm::Public,
        "ui",
        "The UI's style sheet",
        Resp::Text,
    )),
    // Any signed-in identity.
    r(
        "GET",
        "/api/v1/whoami",
        Perm::Signed,
        "server",
        "The caller's identity and role",
        Resp::Json("Identity"),
    ),
    page(b(
        r("POST", "/logout", Perm::Signed, "ui", "Sign out", Resp::Redirect),
        Req::Form("Csrf"),
    )),
    // Reading.
    r(
        "GET",
        "/api/v1/project",
        Perm::Read,
        "project",
        "Project, environments, services and gates at a glance",
        Resp::Json("Project"),
    ),
    q(
        r(
            "GET",
            "/api/v1/runs",
            Perm::Read,
            "runs",
            "Pipeline runs, newest first",
            Resp::Json("RunPage"),
        ),
        PAGE,
    ),
    r(
        "GET",
        "/api/v1/runs/{run}",
        Perm::Read,
        "runs",
        "One pipeline run with its jobs",
        Resp::Json("Run"),
    ),
    r(
        "GET",
        "/api/v1/runs/{run}/evidence",
        Perm::Read,
        "runs",
        "Evidence recorded from a run's reports",
        Resp::Json("Evidence"),
    ),
    q(
        r(
            "GET",
            "/api/v1/runs/{run}/jobs/{job}/log",
            Perm::Read,
            "runs",
            "A job's log (secrets masked); `follow=true` streams it as server-sent events",
            Resp::TextOrEvents,
        ),
        &[(
            "follow",
            "boolean",
            "Stream new lines as server-sent events until the run ends",
        )],
    ),
    r(
        "GET",
        "/api/v1/gates",
        Perm::Read,
        "gates",
        "Every gate's status",
        Resp::Json("GateList"),
    ),
    r(
        "GET",
        "/api/v1/gates/{gate}",
        Perm::Read,
        "gates",
        "A gate's checklist, the question it waits on and the suggested next actions",
        Resp::Json("Gate"),
    ),
    r(
        "GET",
        "/api/v1/rollouts",
        Perm::Read,
        "rollouts",
        "Every service × environment: version, health, rollout",
        Resp::Json("RolloutList"),
    ),
    r(
        "GET",
        "/api/v1/rollouts/{service}/{env}",
        Perm::Read,
        "rollouts",
        "One service in one environment",
        Resp::Json("Unit"),
    ),
    r(
        "GET",
        "/api/v1/rollouts/{service}/{env}/events",
        Perm::Read,
        "rollouts",
        "Live status as server-sent events (one `status` event per change)",
        Resp::Events,
    ),
    r(
        "GET",
        "/api/v1/scan",
        Perm::Read,
        "policy",
        "Scan the project with its policy settings",
        Resp::Json("Scan"),
    ),
    q(
        r(
            "GET",
            "/api/v1/compliance",
            Perm::Read,
            "policy",
            "A compliance report of the project",
            Resp::Json("Compliance"),
        ),
        &[("framework", "string", "Framework id (default soc2)")],
    ),
    q(
        r(
            "GET",
            "/api/v1/audit",
            Perm::Read,
            "audit",
            "Ledger events, oldest first, with filters",
            Resp::Json("AuditPage"),
        ),
        &[
            ("kind", "string", "Exact kind, or a prefix ending in `.` or `*`"),
            ("actor", "string", "e.g. user:alice@example.com"),
            ("subject", "string", "Exact subject"),
            ("since", "string", "An age (7d), a date or an RFC 3339 time"),
            ("until", "string", "An age (7d), a date or an RFC 3339 time"),
            (
                "after",
                "integer",
                "Only events after this sequence number (the previous page's `next`)",
            ),
            ("limit", "integer", "At most this many events (1–1000, default 100)"),
        ],
    ),
    r(
        "GET",
        "/api/v1/audit/events/{seq}",
        Perm::Read,
        "audit",
        "One event",
        Resp::Json("AuditEvent"),
    ),
    r(
        "GET",
        "/api/v1/audit/events/{seq}/proof",
        Perm::Read,
        "audit",
        "Inclusion proof of an event in the latest signed checkpoint",
        Resp::Json("Proof"),
    ),
    r(
        "GET",
        "/api/v1/audit/checkpoint",
        Perm::Read,
        "audit",
        "The latest signed checkpoint",
        Resp::Json("Checkpoint"),
    ),
    r(
        "GET",
        "/api/v1/audit/verify",
        Perm::Read,
        "audit",
        "Re-verify the whole ledger against the pinned key",
        Resp::Json("Verification"),
    ),
    r(
        "GET",
        "/api/v1/audit/export",
        Perm::Read,
        "audit",
        "A verifiable export bundle (tar) of the whole ledger, sealed first",
        Resp::Tar,
    ),
    page(r("GET", "/", Perm::Read, "ui", "Overview", Resp::Html)),
    page(r("GET", "/gates/{gate}", Perm::Read, "ui", "Gate page", Resp::Html)),
    page(r(
        "GET",
        "/rollouts/{service}/{env}",
        Perm::Read,
        "ui",
        "Rollout page",
        Resp::Html,
    )),
    page(r("GET", "/runs", Perm::Read, "ui", "Pipeline runs", Resp::Html)),
    page(q(
        r(
            "GET",
            "/runs/{run}",
            Perm::Read,
            "ui",
            "One run with its logs",
            Resp::Html,
        ),
        &[("job", "string", "The job whose log to show")],
    )),
    page(q(
        r("GET", "/audit", Perm::Read, "ui", "Audit log", Resp::Html),
        &[("after", "integer", "Page cursor")],
    )),
    page(q(
        r("GET", "/compliance", Perm::Read, "ui", "Compliance report", Resp::Html),
        &[("framework", "string", "Framework id")],
    )),
    // Operating.
    b(
        r(
            "POST",
            "/api/v1/runs",
            Perm::Operate,
            "runs",
            "Start a pipeline run (in the background)",
            Resp::Json("Accepted"),
        ),
        Req::Json("RunRequest"),
    ),
    r(
        "POST",
        "/api/v1/gates/{gate}/evaluate",
        Perm::Operate,
        "gates",
        "Evaluate a gate and record the evaluation",
        Resp::Json("Gate"),
    ),
    r(
        "POST",
        "/api/v1/environments/{env}/promote",
        Perm::Operate,
        "gates",
        "Promote the change under review to an environment if its gates are open",
        Resp::Json("Promoted"),
    ),
    b(
        r(
            "POST",
            "/api/v1/rollouts/{service}/{env}/deploy",
            Perm::Operate,
            "rollouts",
            "Roll out a version (the environment's gates must be open)",
            Resp::Json("Object"),
        ),
        Req::Json("DeployRequest"),
    ),
    b(
        r(
            "POST",
            "/api/v1/rollouts/{service}/{env}/promote",
            Perm::Operate,
            "rollouts",
            "Skip to the rollout's next step (`full`: to 100 %)",
            Resp::Json("Object"),
        ),
        Req::Json("PromoteRequest"),
    ),
    r(
        "POST",
        "/api/v1/rollouts/{service}/{env}/abort",
        Perm::Operate,
        "rollouts",
        "Abort the rollout: all traffic back to the stable version",
        Resp::Json("Object"),
    ),
    r(
        "POST",
        "/api/v1/rollouts/{service}/{env}/pause",
        Perm::Operate,
        "rollouts",
        "Pause the rollout",
        Resp::Json("Object"),
    ),
    r(
        "POST",
        "/api/v1/rollouts/{service}/{env}/resume",
        Perm::Operate,
        "rollouts",
        "Resume a paused rollout",
        Resp::Json("Object"),
    ),
    r(
        "POST",
        "/api/v1/rollouts/{service}/{env}/retry",
        Perm::Operate,
        "rollouts",
        "Retry an aborted rollout",
        Resp::Json("Object"),
    ),
    r(
        "POST",
        "/api/v1/rollouts/{service}/{env}/rollback",
        Perm::Operate,
        "rollouts",
        "Roll back to the previous stable version",
        Resp::Json("Object"),
    ),
    page(b(
        r(
            "POST",
            "/rollouts/{service}/{env}/{action}",
            Perm::Operate,
            "ui",
            "Rollout action from the UI",
            Resp::Redirect,
        ),
        Req::Form("Csrf"),
    )),
    b(
        r(
            "POST",
            "/api/v1/incidents/alertmanager",
            Perm::Operate,
            "incidents",
            "Alertmanager webhook: firing alerts with `service` and `env` labels open incidents, resolved ones resolve them",
            Resp::Json("IncidentResult"),
        ),
        Req::Json("AlertmanagerWebhook"),
    ),
    // Deciding.
    b(
        r(
            "POST",
            "/api/v1/gates/{gate}/approve",
            Perm::Approve,
            "gates",
            "Approve the change under review at a gate",
            Resp::Json("Decision"),
        ),
        Req::Json("ApproveRequest"),
    ),
    b(
        r(
            "POST",
            "/api/v1/gates/{gate}/reject",
            Perm::Approve,
            "gates",
            "Reject the change under review at a gate",
            Resp::Json("Decision"),
        ),
        Req::Json("RejectRequest"),
    ),
    b(
        r(
            "POST",
            "/api/v1/gates/{gate}/attest",
            Perm::Approve,
            "gates",
            "Attest a manual item of a gate",
            Resp::Json("Decision"),
        ),
        Req::Json("AttestRequest"),
    ),
    page(b(
        r(
            "POST",
            "/gates/{gate}/approve",
            Perm::Approve,
            "ui",
            "Approve from the UI",
            Resp::Redirect,
        ),
        Req::Form("Decide"),
    )),
    page(b(
        r(
            "POST",
            "/gates/{gate}/reject",
            Perm::Approve,
            "ui",
            "Reject from the UI",
            Resp::Redirect,
        ),
        Req::Form("Decide"),
    )),
    // The MCP endpoint (streamable HTTP); each tool checks the role itself.
    page(r(
        "POST",
        "/mcp",
        Perm::Signed,
        "mcp",
        "Model Context Protocol messages",
        Resp::Json("Object"),
    )),
    page(r(
        "GET",
        "/mcp",
        Perm::Signed,
        "mcp",
        "Model Context Protocol event stream",
        Resp::Events,
    )),
    page(r(
        "DELETE",
        "/mcp",
        Perm::Signed,
        "mcp",
        "End a Model Context Protocol session",
        Resp::Json("Object"),
    )),
    // Administering.
    r(
        "GET",
        "/api/v1/tokens",
        Perm::Admin,
        "admin",
        "API tokens (never their secrets)",
        Resp::Json("TokenList"),
    ),
    b(
        r(
            "POST",
            "/api/v1/tokens",
            Perm::Admin,
            "admin",
            "Create an API token (its secret is in this answer only)",
            Resp::Json("NewToken"),
        ),
        Req::Json("TokenRequest"),
    ),
    r(
        "DELETE",
        "/api/v1/tokens/{id}",
        Perm::Admin,
        "admin",
        "Revoke an API token (effective at once)",
        Resp::Json("Object"),
    ),
    r(
        "POST",
        "/api/v1/audit/checkpoint",
        Perm::Admin,
        "audit",
        "Sign a checkpoint over every event now",
        Resp::Json("Checkpoint"),
    ),
    r(
        "POST",
        "/api/v1/shutdown",
        Perm::Admin,
        "server",
        "Stop the controller (services are stopped, rollouts persisted)",
        Resp::Json("Object"),
    ),
];

/// The table entry for a matched route.
pub fn route(method: &Method, path: &str) -> Option<&'static RouteDef> {
    let m = if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES.iter().find(|d| d.method == m && d.path == path)
}

/// The API and UI routes; `super::guard` decides access for all of them.
pub fn router(app: App) -> Router {
    use axum::routing::{delete, get, post};
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/api/v1/whoami", get(whoami))
        .route("/api/v1/project", get(project))
        .route("/api/v1/runs", get(runs).post(start_run))
        .route("/api/v1/runs/{run}", get(run_one))
        .route("/api/v1/runs/{run}/evidence", get(run_evidence))
        .route("/api/v1/runs/{run}/jobs/{job}/log", get(job_log))
        .route("/api/v1/gates", get(gates))
        .route("/api/v1/gates/{gate}", get(gate_one))
        .route("/api/v1/gates/{gate}/evaluate", post(gate_evaluate))
        .route("/api/v1/gates/{gate}/approve", post(gate_approve))
        .route("/api/v1/gates/{gate}/reject", post(gate_reject))
        .route("/api/v1/gates/{gate}/attest", post(gate_attest))
        .route("/api/v1/environments/{env}/promote", post(env_promote))
        .route("/api/v1/rollouts", get(rollouts))
        .route("/api/v1/rollouts/{service}/{env}", get(rollout_one))
        .route("/api/v1/rollouts/{service}/{env}/events", get(rollout_events))
        .route("/api/v1/rollouts/{service}/{env}/deploy", post(rollout_deploy))
        .route("/api/v1/rollouts/{service}/{env}/promote", post(rollout_promote))
        .route("/api/v1/rollouts/{service}/{env}/abort", post(rollout_abort))
        .route("/api/v1/rollouts/{service}/{env}/pause", post(rollout_pause))
        .route("/api/v1/rollouts/{service}/{env}/resume", post(rollout_resume))
        .route("/api/v1/rollouts/{service}/{env}/retry", post(rollout_retry))
        .route("/api/v1/rollouts/{service}/{env}/rollback", post(rollout_rollback))
        .route("/api/v1/scan", get(scan))
        .route("/api/v1/compliance", get(compliance))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/audit/events/{seq}", get(audit_event))
        .route("/api/v1/audit/events/{seq}/proof", get(audit_proof))
        .route("/api/v1/audit/checkpoint", get(audit_checkpoint).post(audit_seal))
        .route("/api/v1/audit/verify", get(audit_verify))
        .route("/api/v1/audit/export", get(audit_export))
        .route("/api/v1/tokens", get(tokens).post(token_create))
        .route("/api/v1/tokens/{id}", delete(token_revoke))
        .route("/api/v1/shutdown", post(shutdown))
        .route("/api/v1/incidents/alertmanager", post(alertmanager))
        .route_service("/mcp", crate::mcp::http_service(app.clone()));
    super::ui::routes(api)
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), super::guard))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(super::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(app.clone(), super::envelope))
        .with_state(app)
}

async fn not_found() -> Response {
    ApiError::not_found("no such route")
        .hint("the API is described at /openapi.json")
        .into_response()
}

/// Runs blocking engine work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(ApiError::from(anyhow::anyhow!("a worker task failed"))),
    }
}

type ApiResult = Result<Response, ApiError>;

fn ok(v: impl serde::Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

/// A JSON body, or a clear 400 naming what is wrong with it.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(T::default()));
        }
        serde_json::from_slice(&bytes).map(Body).map_err(|e| {
            ApiError::bad_request(format!("the request body is not valid: {e}"))
                .hint("send a JSON object as described in /openapi.json")
        })
    }
}

/// Query parameters, or a clear 400.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(q)
            .map(Q)
            .map_err(|e| ApiError::bad_request(format!("bad query parameters: {e}")))
    }
}

/// A numeric path segment, or a clear 400.
fn number(s: &str, what: &str) -> Result<u64, ApiError> {
    s.parse()
        .map_err(|_| ApiError::bad_request(format!("`{s}` is not a {what} number")))
}

// ---- server ---------------------------------------------------------------

async fn healthz() -> ApiResult {
    ok(json!({ "status": "ok" }))
}

async fn readyz(State(app): State<App>) -> ApiResult {
    let ready = app.ready.load(std::sync::atomic::Ordering::Relaxed) && !*app.stop.borrow();
    let ledger_ok = tokio::task::block_in_place(|| app.with_identities(|_| ())).is_ok();
    if ready && ledger_ok {
        ok(json!({ "status": "ok" }))
    } else {
        Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": if ready { "ledger unavailable" } else { "starting or stopping" } })),
        )
            .into_response())
    }
}

async fn metrics(State(app): State<App>) -> ApiResult {
    let a = app.clone();
    let text = blocking(move || a.metrics.render(&a)).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

async fn openapi() -> ApiResult {
    Ok(([(header::CONTENT_TYPE, "application/json")], super::openapi::document()).into_response())
}

async fn whoami(Extension(id): Extension<Identity>) -> ApiResult {
    ok(id)
}

async fn shutdown(State(app): State<App>, Extension(id): Extension<Identity>) -> ApiResult {
    let _ = app.record(vec![crate::ledger::NewEvent::json(
        id.actor(),
        "api.shutdown",
        "serve",
        json!({ "via": id.via }),
    )]);
    let _ = app.stop.send(true);
    ok(json!({ "stopping": true }))
}

// ---- project, runs --------------------------------------------------------

/// Project overview: what the overview page shows.
pub async fn project_view(app: &App) -> Result<Value, ApiError> {
    let g = app.g.clone();
    let gates = blocking(move || gate::reports(&g)).await?;
    let mut units = Vec::new();
    for h in app.units.values() {
        if let Ok(v) = h.call(Command::Status, Actor::system()).await {
            units.push(v);
        }
    }
    let spec = &app.spec;
    Ok(json!({
        "project": spec.project.value.to_string(),
        "environments": spec.environments.names().collect::<Vec<_>>(),
        "services": spec.services.names().collect::<Vec<_>>(),
        "units": units,
        "gates": gates.iter().map(|r| json!({
            "gate": r.gate, "title": r.title, "environment": r.environment, "status": r.status, "question": r.question,
        })).collect::<Vec<_>>(),
    }))
}

async fn project(State(app): State<App>) -> ApiResult {
    ok(project_view(&app).await?)
}

#[derive(Deserialize)]
struct PageQ {
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn runs(State(app): State<App>, Q(p): Q<PageQ>) -> ApiResult {
    let limit = p.limit.unwrap_or(50).clamp(1, 500);
    let offset = p.offset.unwrap_or(0);
    let g = app.g.clone();
    let h = blocking(move || commands::runs::history(&g)).await?;
    let total = h.runs.len();
    let items: Vec<&crate::pipeline::history::RunInfo> = h.runs.values().rev().skip(offset).take(limit).collect();
    let next = (offset + items.len() < total).then_some(offset + items.len());
    ok(json!({ "items": items, "total": total, "next_offset": next }))
}

async fn run_info(app: &App, run: &str) -> Result<crate::pipeline::history::RunInfo, ApiError> {
    let n = number(run, "run")?;
    let g = app.g.clone();
    let mut h = blocking(move || commands::runs::history(&g)).await?;
    h.runs
        .remove(&n)
        .ok_or_else(|| ApiError::not_found(format!("no run {n}")).hint("GET /api/v1/runs lists them"))
}

async fn run_one(State(app): State<App>, UrlPath(run): UrlPath<String>) -> ApiResult {
    ok(run_info(&app, &run).await?)
}

async fn run_evidence(State(app): State<App>, UrlPath(run): UrlPath<String>) -> ApiResult {
    let r = run_info(&app, &run).await?;
    ok(json!({ "run": r.run, "evidence": r.evidence }))
}

#[derive(Deserialize)]
struct FollowQ {
    follow: Option<bool>,
}

async fn job_log(
    State(app): State<App>,
    UrlPath((run, job)): UrlPath<(String, String)>,
    Q(f): Q<FollowQ>,
) -> ApiResult {
    let r = run_info(&app, &run).await?;
    if !r.jobs.contains(&job) {
        return Err(ApiError::not_found(format!("run {} has no job `{job}`", r.run))
            .hint(format!("its jobs: {}", r.jobs.join(", "))));
    }
    if f.follow == Some(true) {
        let path = commands::logs::log_path(&app.g, r.run, &job)?;
        return Ok(follow_log(app.clone(), path, r.run).into_response());
    }
    let g = app.g.clone();
    let log = blocking(move || commands::logs::job_log(&g, &r, &job)).await?;
    let bytes = match log {
        commands::logs::JobLog::Log(b) | commands::logs::JobLog::Cached(Some(b)) => b,
        commands::logs::JobLog::Cached(None) => b"(cached; its original log is no longer in the cache)\n".to_vec(),
        commands::logs::JobLog::None(why) => format!("(no log: {why})\n").into_bytes(),
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], bytes).into_response())
}

/// Streams a log file as it grows, one `line` event per line, and an
/// `end` event once the run has finished and the file is read out.
fn follow_log(
    app: App,
    path: std::path::PathBuf,
    run: u64,
) -> Sse<impl futures_core::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = async_stream(move |tx| async move {
        let mut pos = 0usize;
        let mut partial = String::new();
        loop {
            let data = tokio::fs::read(&path).await.unwrap_or_default();
            if data.len() > pos {
                partial.push_str(&String::from_utf8_lossy(&data[pos..]));
                pos = data.len();
                while let Some(i) = partial.find('\n') {
                    let line: String = partial.drain(..=i).collect();
                    if tx
                        .send(SseEvent::default().event("line").data(line.trim_end_matches('\n')))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
            let g = app.g.clone();
            let done = tokio::task::spawn_blocking(move || {
                commands::runs::history(&g)
                    .ok()
                    .and_then(|h| h.runs.get(&run).map(|r| r.status != "unfinished"))
                    .unwrap_or(true)
            })
            .await
            .unwrap_or(true);
            if done && tokio::fs::metadata(&path).await.map(|m| m.len() as usize).unwrap_or(0) <= pos {
                if !partial.is_empty() {
                    let _ = tx.send(SseEvent::default().event("line").data(partial.clone())).await;
                }
                let _ = tx.send(SseEvent::default().event("end").data("finished")).await;
                return;
            }
            if *app.stop.borrow() || tx.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A stream fed by a task through a channel.
pub fn async_stream<F, Fut>(f: F) -> impl futures_core::Stream<Item = Result<SseEvent, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<SseEvent>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(f(tx));
    ReceiverStream(rx)
}

pub struct ReceiverStream(tokio::sync::mpsc::Receiver<SseEvent>);

impl futures_core::Stream for ReceiverStream {
    type Item = Result<SseEvent, Infallible>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|o| o.map(Ok))
    }
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Jobs to run with what they need (default: the whole pipeline).
    #[serde(default)]
    pub jobs: Vec<String>,
}

async fn start_run(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    Body(req): Body<RunRequest>,
) -> ApiResult {
    for j in &req.jobs {
        if app.spec.pipeline.get(j).is_none() {
            let names: Vec<&str> = app.spec.pipeline.names().collect();
            return Err(ApiError::bad_request(format!("no job `{j}` in the pipeline"))
                .hint(format!("jobs: {}", names.join(", "))));
        }
    }
    let a = app.clone();
    let pid = blocking(move || start_pipeline(&a, &id, &req.jobs)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": true, "pid": pid, "runs": "/api/v1/runs" })),
    )
        .into_response())
}

/// Starts `lockgate run` in the background as `id`: the same runner as
/// the CLI, its log in `.lockgate/api-runs.log`.
pub fn start_pipeline(app: &App, id: &Identity, jobs: &[String]) -> anyhow::Result<u32> {
    start_pipeline_in(&app.g, &app.root, &app.state_dir, &id.actor, jobs)
}

/// Starts `lockgate run` for the project at `root` in the background as
/// `actor`; its output goes to `.lockgate/api-runs.log`.
pub fn start_pipeline_in(
    g: &crate::cli::GlobalArgs,
    root: &std::path::Path,
    state_dir: &std::path::Path,
    actor: &str,
    jobs: &[String],
) -> anyhow::Result<u32> {
    std::fs::create_dir_all(state_dir)?;
    let log_path = state_dir.join("api-runs.log");
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("-f").arg(commands::spec_path(g)?);
    if let Some(s) = &g.store {
        cmd.arg("--store").arg(s);
    }
    cmd.arg("run").arg("--progress").arg("plain").args(jobs);
    let child = cmd
        .current_dir(root)
        .env("LOCKGATE_USER", actor)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let pid = child.id();
    // Reap it when it ends.
    std::thread::spawn(move || {
        let mut child = child;
        let _ = child.wait();
    });
    Ok(pid)
}

// ---- gates ----------------------------------------------------------------

async fn gates(State(app): State<App>) -> ApiResult {
    let g = app.g.clone();
    ok(json!({ "items": blocking(move || gate::reports(&g)).await? }))
}

async fn gate_one(State(app): State<App>, UrlPath(name): UrlPath<String>) -> ApiResult {
    let g = app.g.clone();
    ok(blocking(move || gate::report(&g, &name)).await?)
}

async fn gate_evaluate(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(name): UrlPath<String>,
) -> ApiResult {
    let g = app.g.clone();
    let (r, event) = blocking(move || gate::evaluate_as(&g, &id.actor(), &name)).await?;
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["event"] = json!(event);
    ok(v)
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub comment: Option<String>,
    /// Approve only if this is still the artifact under review.
    pub artifact: Option<String>,
    /// A break-glass override (needs a role allowed to override, and a reason).
    #[serde(default)]
    pub break_glass: bool,
    pub reason: Option<String>,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// What must change (required).
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestRequest {
    /// The item's id.
    #[serde(default)]
    pub item: String,
    pub link: Option<String>,
    pub comment: Option<String>,
}

fn check_text(what: &str, s: &Option<String>, max: usize) -> Result<(), ApiError> {
    if s.as_ref().is_some_and(|s| s.len() > max) {
        return Err(ApiError::bad_request(format!("{what} is longer than {max} bytes")));
    }
    Ok(())
}

/// Approves as `id` (the API and the UI's form both come here).
pub async fn approve(app: &App, id: Identity, name: String, req: ApproveRequest) -> Result<gate::Decided, ApiError> {
    check_text("comment", &req.comment, 4096)?;
    check_text("reason", &req.reason, 4096)?;
    let g = app.g.clone();
    blocking(move || {
        gate::approve_as(
            &g,
            &id.actor(),
            &name,
            req.comment,
            req.artifact,
            req.break_glass,
            req.reason,
        )
    })
    .await
}

pub async fn reject(app: &App, id: Identity, name: String, comment: String) -> Result<gate::Decided, ApiError> {
    check_text("comment", &Some(comment.clone()), 4096)?;
    let g = app.g.clone();
    blocking(move || gate::reject_as(&g, &id.actor(), &name, &comment)).await
}

async fn gate_approve(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(name): UrlPath<String>,
    Body(req): Body<ApproveRequest>,
) -> ApiResult {
    ok(approve(&app, id, name, req).await?)
}

async fn gate_reject(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(name): UrlPath<String>,
    Body(req): Body<RejectRequest>,
) -> ApiResult {
    ok(reject(&app, id, name, req.comment).await?)
}

async fn gate_attest(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(name): UrlPath<String>,
    Body(req): Body<AttestRequest>,
) -> ApiResult {
    check_text("comment", &req.comment, 4096)?;
    check_text("link", &req.link, 2048)?;
    let g = app.g.clone();
    ok(blocking(move || gate::attest_as(&g, &id.actor(), &name, &req.item, req.link, req.comment)).await?)
}

async fn env_promote(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(env): UrlPath<String>,
) -> ApiResult {
    let g = app.g.clone();
    let mut blocking_gates = Vec::new();
    let result = tokio::task::spawn_blocking(move || {
        let r = gate::promote_as(&g, &id.actor(), &env, false, &mut |r| blocking_gates = r.to_vec());
        (r, blocking_gates)
    })
    .await
    .map_err(|_| ApiError::from(anyhow::anyhow!("a worker task failed")))?;
    match result {
        (Ok(p), _) => ok(p),
        (Err(e), gates) => {
            let mut err = ApiError::from(e);
            if !gates.is_empty() {
                let names: Vec<&str> = gates.iter().map(|r| r.gate.as_str()).collect();
                err = err.hint(format!(
                    "not open: {}; GET /api/v1/gates/{{gate}} says what each waits on",
                    names.join(", ")
                ));
            }
            Err(err)
        }
    }
}

// ---- rollouts -------------------------------------------------------------

fn unit<'a>(app: &'a App, service: &str, env: &str) -> Result<&'a crate::delivery::controller::UnitHandle, ApiError> {
    app.units.get(&(service.to_string(), env.to_string())).ok_or_else(|| {
        let known: Vec<String> = app.units.keys().map(|(s, e)| format!("{s}/{e}")).collect();
        ApiError::not_found(format!("no service `{service}` in environment `{env}`"))
            .hint(format!("known: {}", known.join(", ")))
    })
}

async fn rollouts(State(app): State<App>) -> ApiResult {
    let mut out = Vec::new();
    for h in app.units.values() {
        if let Ok(v) = h.call(Command::Status, Actor::system()).await {
            out.push(v);
        }
    }
    ok(json!({ "units": out }))
}

async fn rollout_one(State(app): State<App>, UrlPath((service, env)): UrlPath<(String, String)>) -> ApiResult {
    let h = unit(&app, &service, &env)?;
    ok(h.call(Command::Status, Actor::system()).await?)
}

async fn rollout_events(State(app): State<App>, UrlPath((service, env)): UrlPath<(String, String)>) -> ApiResult {
    let h = unit(&app, &service, &env)?.clone();
    let mut stopped = app.stop.subscribe();
    let stream = async_stream(move |tx| async move {
        let mut last = String::new();
        loop {
            let Ok(v) = h.call(Command::Status, Actor::system()).await else {
                return;
            };
            let text = v.to_string();
            if text != last {
                if tx
                    .send(SseEvent::default().event("status").data(text.clone()))
                    .await
                    .is_err()
                {
                    return;
                }
                last = text;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = async { stopped.wait_for(|v| *v).await.is_ok() } => return,
                _ = tx.closed() => return,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployRequest {
    /// The version to roll out (default: the change under review's commit).
    pub version: Option<String>,
    /// Variables for this version's instances (never secrets).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Only for the project owner's CLI: the local identity it acts for.
    pub actor: Option<String>,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteRequest {
    /// Straight to 100 %.
    #[serde(default)]
    pub full: bool,
    pub actor: Option<String>,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorOnly {
    pub actor: Option<String>,
}

/// The actor an action is recorded under: the authenticated identity;
/// only the owner's local CLI may name the local user it acts for.
fn acting(id: &Identity, claimed: Option<&str>) -> Actor {
    match (id.via.as_str(), claimed) {
        ("local", Some(c)) => Actor::parse(c),
        _ => id.actor(),
    }
}

pub async fn deploy(app: &App, id: &Identity, service: &str, env: &str, req: DeployRequest) -> ApiResult {
    let h = unit(app, service, env)?.clone();
    if req.vars.keys().any(|k| !crate::delivery::controller::valid_var(k)) {
        return Err(ApiError::bad_request("invalid variable name in `vars`")
            .hint("names are letters, digits and `_`; PORT, VERSION and LOCKGATE_* are reserved"));
    }
    if let Some(v) = &req.version
        && !crate::delivery::serve::valid_version(v)
    {
        return Err(
            ApiError::bad_request(format!("`{}` is not a valid version", crate::diag::sanitize(v)))
                .hint("use letters, digits, `.`, `_`, `-` and `+` (at most 64)"),
        );
    }
    let actor = acting(id, req.actor.as_deref());
    // The environment's gates decide, as for `lockgate deploy` (the local
    // CLI has asked them already).
    let default = if id.via == "local" {
        None
    } else {
        let g = app.g.clone();
        let (a, e) = (actor.clone(), env.to_string());
        blocking(move || gate::ensure_deployable_as(&g, &a, &e, &mut |_| {})).await?
    };
    let Some(version) = req.version.or(default) else {
        return Err(ApiError::bad_request("deploy needs a version").hint("send {\"version\": \"v2\"}"));
    };
    ok(h.call(
        Command::Deploy {
            version,
            vars: req.vars,
        },
        actor,
    )
    .await?)
}

async fn rollout_deploy(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath((service, env)): UrlPath<(String, String)>,
    Body(req): Body<DeployRequest>,
) -> ApiResult {
    deploy(&app, &id, &service, &env, req).await
}

/// A rollout action other than deploy.
pub async fn rollout_action(
    app: &App,
    id: &Identity,
    service: &str,
    env: &str,
    action: &str,
    full: bool,
    claimed: Option<&str>,
) -> ApiResult {
    let h = unit(app, service, env)?;
    let cmd = match action {
        "promote" => Command::Promote { full },
        "abort" => Command::Abort,
        "pause" => Command::Pause,
        "resume" => Command::Resume,
        "retry" => Command::Retry,
        "rollback" => Command::Rollback,
        other => {
            return Err(
                ApiError::not_found(format!("unknown action `{}`", crate::diag::sanitize(other)))
                    .hint("actions: deploy, promote, abort, pause, resume, retry, rollback"),
            );
        }
    };
    ok(h.call(cmd, acting(id, claimed)).await?)
}

async fn rollout_promote(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath((service, env)): UrlPath<(String, String)>,
    Body(req): Body<PromoteRequest>,
) -> ApiResult {
    rollout_action(&app, &id, &service, &env, "promote", req.full, req.actor.as_deref()).await
}

macro_rules! action_handler {
    ($name:ident, $action:literal) => {
        async fn $name(
            State(app): State<App>,
            Extension(id): Extension<Identity>,
            UrlPath((service, env)): UrlPath<(String, String)>,
            Body(req): Body<ActorOnly>,
        ) -> ApiResult {
            rollout_action(&app, &id, &service, &env, $action, false, req.actor.as_deref()).await
        }
    };
}
action_handler!(rollout_abort, "abort");
action_handler!(rollout_pause, "pause");
action_handler!(rollout_resume, "resume");
action_handler!(rollout_retry, "retry");
action_handler!(rollout_rollback, "rollback");

// ---- policy ---------------------------------------------------------------

async fn scan(State(app): State<App>) -> ApiResult {
    let g = app.g.clone();
    let root = app.root.clone();
    let skip: Vec<String> = app.spec.policy.skip.iter().map(|s| s.to_string()).collect();
    let report = blocking(move || {
        let opts = commands::compliance::project_scan_options(&g);
        let mut r = crate::policy::scan(&[root], &opts);
        r.findings.retain(|f| !skip.contains(&f.rule.to_string()));
        crate::policy::summarize(&r.findings, &mut r.summary);
        Ok(json!({ "version": 1, "tool": "lockgate", "summary": r.summary, "findings": r.findings }))
    })
    .await?;
    ok(report)
}

#[derive(Deserialize)]
struct ComplianceQ {
    framework: Option<String>,
}

/// The compliance report the API and the UI show.
pub async fn compliance_report(
    app: &App,
    framework: Option<String>,
) -> Result<crate::policy::compliance::Report, ApiError> {
    let fw = framework.unwrap_or_else(|| "soc2".into());
    // Only built-in frameworks: a path would let a caller read files.
    let known = crate::policy::compliance::builtin()
        .into_iter()
        .filter_map(|(_, f)| f.ok())
        .any(|f| f.id.eq_ignore_ascii_case(&fw));
    if !known {
        let ids: Vec<String> = crate::policy::compliance::builtin()
            .into_iter()
            .filter_map(|(_, f)| f.ok().map(|f| f.id))
            .collect();
        return Err(
            ApiError::not_found(format!("no framework `{}`", crate::diag::sanitize(&fw)))
                .hint(format!("built in: {}", ids.join(", "))),
        );
    }
    let g = app.g.clone();
    let root = app.root.clone();
    blocking(move || commands::compliance::evaluate(&g, &fw, &[root])).await
}

async fn compliance(State(app): State<App>, Q(q): Q<ComplianceQ>) -> ApiResult {
    ok(compliance_report(&app, q.framework).await?)
}

// ---- audit ----------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct AuditQ {
    pub kind: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub after: Option<u64>,
    pub limit: Option<usize>,
}

/// A page of events, oldest first, and the cursor of the next page.
pub fn audit_page(g: &crate::cli::GlobalArgs, q: &AuditQ) -> anyhow::Result<Value> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let ledger = commands::open_ledger_read(g)?;
    let filter = crate::ledger::store::Filter {
        since_us: q
            .since
            .as_deref()
            .map(|s| commands::audit::parse_when(s, "since"))
            .transpose()?,
        until_us: q
            .until
            .as_deref()
            .map(|s| commands::audit::parse_when(s, "until"))
            .transpose()?,
        kind: q.kind.clone(),
        actor: q.actor.as_deref().map(|s| Actor::parse(s).to_string()),
        subject: q.subject.clone(),
        after_seq: q.after,
        limit: Some(limit + 1),
        newest_first: false,
    };
    let mut events = ledger.query(&filter)?;
    events.sort_by_key(|e| e.seq());
    let more = events.len() > limit;
    events.truncate(limit);
    let next = if more { events.last().map(|e| e.seq()) } else { None };
    let items: Vec<_> = events.iter().map(commands::audit::event_json).collect();
    Ok(json!({ "items": items, "next": next }))
}

async fn audit(State(app): State<App>, Q(q): Q<AuditQ>) -> ApiResult {
    let g = app.g.clone();
    ok(blocking(move || audit_page(&g, &q)).await?)
}

async fn audit_event(State(app): State<App>, UrlPath(seq): UrlPath<String>) -> ApiResult {
    let seq = number(&seq, "sequence")?;
    let g = app.g.clone();
    ok(blocking(move || {
        let ledger = commands::open_ledger_read(&g)?;
        let e = ledger
            .event(seq)
            .map_err(|_| crate::exit::UserError::usage(format!("no event {seq}")))?;
        Ok(serde_json::to_value(commands::audit::event_json(&e))?)
    })
    .await?)
}

async fn audit_proof(State(app): State<App>, UrlPath(seq): UrlPath<String>) -> ApiResult {
    use base64::Engine as _;
    let seq = number(&seq, "sequence")?;
    let g = app.g.clone();
    ok(blocking(move || {
        let ledger = commands::open_ledger_read(&g)?;
        ledger
            .event(seq)
            .map_err(|_| crate::exit::UserError::usage(format!("no event {seq}")))?;
        let Some(cp) = ledger.latest_checkpoint()? else {
            return Err(crate::exit::UserError::usage("no signed checkpoint yet")
                .with_hint("POST /api/v1/audit/checkpoint signs one")
                .into());
        };
        if seq > cp.size {
            return Err(crate::exit::UserError::usage(format!(
                "no checkpoint covers event {seq} yet (latest covers {})",
                cp.size
            ))
            .with_hint("POST /api/v1/audit/checkpoint signs one")
            .into());
        }
        let proof = ledger.inclusion_proof(seq, cp.size)?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(json!({
            "seq": seq, "tree_size": cp.size, "root": b64.encode(cp.root),
            "proof": proof.iter().map(|h| b64.encode(h)).collect::<Vec<_>>(), "checkpoint": cp.note,
        }))
    })
    .await?)
}

/// The latest checkpoint, `None` before the first.
pub fn checkpoint_view(g: &crate::cli::GlobalArgs) -> anyhow::Result<Value> {
    use base64::Engine as _;
    let ledger = commands::open_ledger_read(g)?;
    let size = ledger.size()?;
    Ok(match ledger.latest_checkpoint()? {
        Some(cp) => json!({
            "size": cp.size, "root": base64::engine::general_purpose::STANDARD.encode(cp.root),
            "note": cp.note, "events": size,
        }),
        None => json!({ "size": 0, "root": null, "note": null, "events": size }),
    })
}

async fn audit_checkpoint(State(app): State<App>) -> ApiResult {
    let g = app.g.clone();
    ok(blocking(move || checkpoint_view(&g)).await?)
}

async fn audit_seal(State(app): State<App>) -> ApiResult {
    let g = app.g.clone();
    ok(blocking(move || {
        commands::open_ledger(&g)?.seal()?;
        checkpoint_view(&g)
    })
    .await?)
}

/// Verifies the ledger against the pinned key.
pub fn verify_view(g: &crate::cli::GlobalArgs) -> anyhow::Result<crate::ledger::verify::Report> {
    let cfg = commands::ledger_config(g)?;
    let key = crate::ledger::read_verifier(&cfg.trusted)?;
    let ledger = commands::open_ledger_read(g)?;
    Ok(ledger.verify(&key)?)
}

async fn audit_verify(State(app): State<App>) -> ApiResult {
    let g = app.g.clone();
    let r = blocking(move || verify_view(&g)).await?;
    let mut v = serde_json::to_value(&r).unwrap_or_default();
    v["ok"] = json!(r.ok());
    ok(v)
}

async fn audit_export(State(app): State<App>, Extension(id): Extension<Identity>) -> ApiResult {
    let g = app.g.clone();
    let dir = app.state_dir.join(format!("export-{}", identity::random_hex(8)?));
    let a = app.clone();
    let bytes = blocking(move || {
        let mut ledger = commands::open_ledger(&g)?;
        ledger.seal()?;
        let done = crate::ledger::bundle::export(&ledger, &dir);
        let out = done.map_err(anyhow::Error::from).and_then(|_| {
            let mut tar = tar::Builder::new(Vec::new());
            tar.mode(tar::HeaderMode::Deterministic);
            tar.append_dir_all("lockgate-audit", &dir)?;
            Ok(tar.into_inner()?)
        });
        let _ = std::fs::remove_dir_all(&dir);
        let bytes = out?;
        let _ = a.record(vec![crate::ledger::NewEvent::json(
            id.actor(),
            "audit.exported",
            "audit",
            json!({ "bytes": bytes.len(), "via": "api" }),
        )]);
        Ok(bytes)
    })
    .await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-tar"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"lockgate-audit.tar\""),
    );
    Ok(resp)
}

// ---- tokens ---------------------------------------------------------------

async fn tokens(State(app): State<App>) -> ApiResult {
    let list =
        tokio::task::block_in_place(|| app.with_identities(|ids| ids.tokens.values().cloned().collect::<Vec<_>>()))?;
    ok(json!({ "items": list }))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The identity: an email or name (a user), or `agent:NAME`.
    #[serde(default)]
    pub name: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub gates: Vec<String>,
    /// `90d`, `12h`, `30m` or `never` (default 90d).
    pub expires: Option<String>,
}

async fn token_create(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    Body(req): Body<TokenRequest>,
) -> ApiResult {
    let actor = identity::actor_of(&req.name, false)?;
    let Some(role) = req.role else {
        return Err(ApiError::bad_request("a token needs a role").hint("viewer, operator, approver or admin"));
    };
    if (!req.environments.is_empty() || !req.gates.is_empty()) && role != Role::Approver {
        return Err(
            ApiError::bad_request("environments and gates narrow an approver's scope")
                .hint("use them with role approver"),
        );
    }
    for e in &req.environments {
        if !app.spec.environments.contains(e) {
            return Err(ApiError::bad_request(format!(
                "unknown environment `{}`",
                crate::diag::sanitize(e)
            )));
        }
    }
    for g in &req.gates {
        if !app.spec.gates.contains(g) {
            return Err(ApiError::bad_request(format!(
                "unknown gate `{}`",
                crate::diag::sanitize(g)
            )));
        }
    }
    let expires = identity::parse_expiry(req.expires.as_deref().unwrap_or("90d"), crate::ledger::now())?;
    let t = identity::new_token(&actor, role, req.environments, req.gates, expires, &id.actor())?;
    app.record(vec![t.event])?;
    Ok((StatusCode::CREATED, Json(json!({ "token": t.token, "info": t.info }))).into_response())
}

async fn token_revoke(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    UrlPath(tid): UrlPath<String>,
) -> ApiResult {
    let known = tokio::task::block_in_place(|| app.with_identities(|ids| ids.tokens.get(&tid).map(|t| t.revoked)))?;
    match known {
        None => Err(
            ApiError::not_found(format!("no token `{}`", crate::diag::sanitize(&tid)))
                .hint("GET /api/v1/tokens lists them"),
        ),
        Some(true) => ok(json!({ "id": tid, "revoked": true, "already": true })),
        Some(false) => {
            let seq = app.record(vec![identity::revoke_event(&tid, &id.actor())])?;
            ok(json!({ "id": tid, "revoked": true, "event": seq.first() }))
        }
    }
}

// ---- incidents --------------------------------------------------------------

/// What Alertmanager posts (only the fields used; the rest is ignored).
#[derive(Deserialize, Default)]
pub struct AlertmanagerWebhook {
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

#[derive(Deserialize, Default)]
pub struct Alert {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Alertmanager's webhook: each firing alert labelled with a known
/// `service` and `env` (or `environment`) opens an incident (or updates the
/// open one), each resolved alert resolves it; `version` names the cause.
async fn alertmanager(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    Body(w): Body<AlertmanagerWebhook>,
) -> ApiResult {
    use crate::insight::dora;
    let mut events = Vec::new();
    let mut ignored = Vec::new();
    let (mut opened, mut resolved) = (0, 0);
    for (i, a) in w.alerts.iter().enumerate().take(1000) {
        let service = a.labels.get("service").map(String::as_str).unwrap_or("");
        let env = a
            .labels
            .get("env")
            .or_else(|| a.labels.get("environment"))
            .map(String::as_str)
            .unwrap_or("");
        let name = a.labels.get("alertname").map(String::as_str).unwrap_or("alert");
        if !app.spec.services.contains(service) || !app.spec.environments.contains(env) {
            ignored.push(json!({ "alert": i, "alertname": name, "reason": "no known `service` and `env` labels" }));
            continue;
        }
        match a.status.as_str() {
            "firing" => {
                let title = a
                    .annotations
                    .get("summary")
                    .cloned()
                    .unwrap_or_else(|| name.to_string());
                let title: String = title.chars().take(200).collect();
                let caused_by = a
                    .labels
                    .get("version")
                    .filter(|v| crate::delivery::serve::valid_version(v));
                events.push(dora::incident_open_event(
                    id.actor(),
                    service,
                    env,
                    caused_by.map(String::as_str),
                    Some(&title),
                    "alertmanager",
                ));
                opened += 1;
            }
            "resolved" => {
                events.push(dora::incident_resolve_event(
                    id.actor(),
                    service,
                    env,
                    None,
                    "alertmanager",
                ));
                resolved += 1;
            }
            _ => ignored
                .push(json!({ "alert": i, "alertname": name, "reason": "status is neither firing nor resolved" })),
        }
    }
    let seqs = if events.is_empty() {
        Vec::new()
    } else {
        app.record(events)?
    };
    ok(json!({ "opened": opened, "resolved": resolved, "ignored": ignored, "events": seqs }))
}
