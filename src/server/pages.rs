//! The web UI's pages: server-rendered HTML from the askama templates in
//! `templates/` (every value HTML-escaped), with a little hand-written
//! script (`assets/ui/app.js`) for live updates over server-sent events.
//! There is no JavaScript build step.
//!
//! Pages hold no business logic: they call the functions the JSON API
//! calls ([`super::api`]) and shape the answers for reading. A status is
//! always a word and a symbol (✓ ✗ ⧗), never colour alone. Every
//! state-changing form carries the session's CSRF token as
//! `<input type="hidden" name="csrf" value="…">`; [`super::guard`] checks
//! it before a handler here runs.

use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::api::{self, ApproveRequest};
use super::identity::{Identity, Role};
use super::ui::redirect;
use super::{ApiError, App, Perm};
use crate::commands;
use crate::delivery::controller::Command;
use crate::gates::eval::{GateReport, GateStatus, ItemResult};
use crate::ledger::Actor;

/// Audit events per page.
const AUDIT_PAGE: u64 = 50;
/// Runs listed on the runs page.
const RUNS_SHOWN: usize = 200;
/// Findings listed per compliance control.
const FINDINGS_SHOWN: usize = 5;

// ---- the frame every page shares ---------------------------------------------

/// A refusal or error shown at the top of a page (`role="alert"`).
struct Alert {
    message: String,
    hint: Option<String>,
}

impl From<ApiError> for Alert {
    fn from(e: ApiError) -> Self {
        Alert {
            message: e.message,
            hint: e.hint,
        }
    }
}

/// What `base.html` needs: title, navigation, who is signed in, the CSRF
/// token for the sign-out form, and a message to show.
struct Layout {
    title: String,
    nav: &'static str,
    project: String,
    signed_in: bool,
    actor: String,
    role: &'static str,
    csrf: String,
    alert: Option<Alert>,
    notice: Option<String>,
}

impl Layout {
    fn new(app: &App, id: &Identity, headers: &HeaderMap, title: impl Into<String>, nav: &'static str) -> Layout {
        // A page fetched with a bearer token has no session, hence no
        // CSRF token: its forms are refused, which is right.
        let csrf = super::request_session(app, headers)
            .map(|(_, s)| s.csrf)
            .unwrap_or_default();
        Layout {
            title: title.into(),
            nav,
            project: app.spec.project.value.to_string(),
            signed_in: true,
            actor: id.actor.clone(),
            role: id.role.as_str(),
            csrf,
            alert: None,
            notice: None,
        }
    }

    fn anonymous(title: &str) -> Layout {
        Layout {
            title: title.into(),
            nav: "",
            project: String::new(),
            signed_in: false,
            actor: String::new(),
            role: "",
            csrf: String::new(),
            alert: None,
            notice: None,
        }
    }
}

/// A status as the pages show it: a symbol (hidden from screen readers),
/// a word, and a CSS class that only adds colour.
struct St {
    sym: &'static str,
    word: String,
    cls: &'static str,
}

fn st(sym: &'static str, word: impl Into<String>, cls: &'static str) -> St {
    St {
        sym,
        word: word.into(),
        cls,
    }
}

fn gate_st(s: GateStatus) -> St {
    match s {
        GateStatus::Open => st("✓", "OPEN", "st-ok"),
        GateStatus::Failed => st("✗", "FAILED", "st-bad"),
        GateStatus::Waiting => st("⧗", "WAITING", "st-wait"),
        GateStatus::Blocked => st("⊘", "BLOCKED", "st-bad"),
    }
}

fn gate_st_named(s: &str) -> St {
    match s {
        "open" => gate_st(GateStatus::Open),
        "failed" => gate_st(GateStatus::Failed),
        "waiting" => gate_st(GateStatus::Waiting),
        "blocked" => gate_st(GateStatus::Blocked),
        other => st("?", other.to_uppercase(), "st-none"),
    }
}

fn item_st(r: ItemResult) -> St {
    match r {
        ItemResult::Pass => st("✓", "pass", "st-ok"),
        ItemResult::Warning => st("!", "warning", "st-warn"),
        ItemResult::Fail => st("✗", "fail", "st-bad"),
        ItemResult::Waiting => st("⧗", "waiting", "st-wait"),
    }
}

fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            eprintln!("lockgate serve: internal error: rendering a page: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(
                    "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Error · lockgate</title>\
                     <main><h1>This page could not be shown</h1><p>The server's log has the details.</p></main></html>"
                        .to_string(),
                ),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: &'static str,
}

/// A page that could not be built: the error, with its status.
fn error_page(mut l: Layout, e: ApiError) -> Response {
    let status = e.status;
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        s if s.is_client_error() => "Refused",
        _ => "Something went wrong",
    };
    l.title = heading.into();
    l.alert = Some(e.into());
    render(status, &ErrorPage { l, heading })
}

/// Query parameters of a page; anything unreadable counts as absent.
fn query<T: DeserializeOwned + Default>(q: &Option<String>) -> T {
    q.as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// A URL path segment, percent-encoded.
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link target from recorded data: only http(s), never `javascript:`.
fn safe_link(s: &str) -> Option<String> {
    let l = s.trim();
    (l.starts_with("https://") || l.starts_with("http://")).then(|| l.to_string())
}

/// Where an event is shown in the audit log.
fn event_link(seq: u64) -> String {
    format!("/audit?after={}#event-{seq}", seq.saturating_sub(1))
}

fn pct(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn duration_ms(ms: u64) -> String {
    match ms {
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

fn when(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn short(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn str_of(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn can(id: &Identity, perm: Perm) -> bool {
    super::allows(id.role, perm)
}

// ---- sign-in ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
}

/// The sign-in page, with an error when the last attempt failed.
pub fn login(error: Option<&str>, next: &str, status: StatusCode) -> Response {
    let mut l = Layout::anonymous("Sign in");
    l.alert = error.map(|m| Alert {
        message: m.to_string(),
        hint: None,
    });
    render(
        status,
        &LoginPage {
            l,
            next: next.to_string(),
        },
    )
}

// ---- overview ---------------------------------------------------------------

struct UnitCell {
    url: String,
    env: String,
    version: String,
    health: St,
    rollout: Option<St>,
}

struct ServiceRow {
    service: String,
    cells: Vec<Option<UnitCell>>,
}

struct GateRow {
    url: String,
    gate: String,
    title: String,
    environment: Option<String>,
    st: St,
    question: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    l: Layout,
    envs: Vec<String>,
    rows: Vec<ServiceRow>,
    gates: Vec<GateRow>,
}

/// Health of a unit from its instances.
fn health(u: &Value) -> St {
    if u["listen_error"].is_string() {
        return st("✗", "not serving", "st-bad");
    }
    let inst = u["instances"].as_array().map(Vec::as_slice).unwrap_or_default();
    let ready = inst.iter().filter(|i| i["state"] == "ready").count();
    let total = inst.len();
    match (ready, total) {
        (_, 0) => st("○", "no instances", "st-none"),
        (r, t) if r == t => st("✓", format!("healthy: {r} of {t} ready"), "st-ok"),
        (0, _) => st("⧗", "starting", "st-wait"),
        (r, t) => st("!", format!("{r} of {t} ready"), "st-warn"),
    }
}

/// A rollout in one line.
fn rollout_line(r: &Value) -> Option<St> {
    if !r.is_object() {
        return None;
    }
    let to = r["to"].as_str().unwrap_or("?");
    let w = pct(r["weight"].as_f64().unwrap_or(0.0));
    Some(match r["phase"].as_str().unwrap_or("") {
        "progressing" => st("⧗", format!("rolling out {to}: {w}%"), "st-wait"),
        "paused" => st("‖", format!("paused at {w}% of {to}"), "st-warn"),
        "aborted" => st("✗", format!("rollout of {to} aborted"), "st-bad"),
        "completed" => st("✓", format!("{to} rolled out"), "st-ok"),
        other => st("?", format!("{other} {to}"), "st-none"),
    })
}

pub async fn overview(State(app): State<App>, Extension(id): Extension<Identity>, headers: HeaderMap) -> Response {
    let l = Layout::new(&app, &id, &headers, "Overview", "overview");
    let v = match api::project_view(&app).await {
        Ok(v) => v,
        Err(e) => return error_page(l, e),
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(str_of).collect())
            .unwrap_or_default()
    };
    let envs = strings(&v["environments"]);
    let units = v["units"].as_array().cloned().unwrap_or_default();
    let rows = strings(&v["services"])
        .into_iter()
        .map(|service| {
            let cells = envs
                .iter()
                .map(|env| {
                    units
                        .iter()
                        .find(|u| u["service"] == service.as_str() && u["env"] == env.as_str())
                        .map(|u| UnitCell {
                            url: format!("/rollouts/{}/{}", seg(&service), seg(env)),
                            env: env.clone(),
                            version: str_of(&u["stable"]).unwrap_or_else(|| "none yet".into()),
                            health: health(u),
                            rollout: rollout_line(&u["rollout"]),
                        })
                })
                .collect();
            ServiceRow { service, cells }
        })
        .collect();
    let gates = v["gates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            let gate = str_of(&g["gate"]).unwrap_or_default();
            GateRow {
                url: format!("/gates/{}", seg(&gate)),
                title: str_of(&g["title"]).unwrap_or_else(|| gate.clone()),
                environment: str_of(&g["environment"]),
                st: gate_st_named(g["status"].as_str().unwrap_or("")),
                question: str_of(&g["question"]).unwrap_or_default(),
                gate,
            }
        })
        .collect();
    render(StatusCode::OK, &OverviewPage { l, envs, rows, gates })
}

// ---- gates ------------------------------------------------------------------

struct ItemView {
    st: St,
    id: String,
    title: String,
    kind: &'static str,
    key: bool,
    expects: String,
    observed: Vec<String>,
    evidence: Vec<(u64, String)>,
    link: Option<String>,
}

struct ApprovalsView {
    st: St,
    valid: Vec<String>,
    rejected_by: Vec<String>,
    expired: Vec<String>,
    problems: Vec<String>,
    break_glass: Option<String>,
}

struct SuggestionView {
    text: String,
    command: String,
}

#[derive(Template)]
#[template(path = "gate.html")]
struct GatePage {
    l: Layout,
    gate: String,
    title: String,
    environment: Option<String>,
    st: St,
    change: String,
    run_url: Option<String>,
    score: Option<String>,
    frozen_until: Option<String>,
    question: String,
    reasons: Vec<String>,
    waiting_on: Vec<(String, String)>,
    suggestions: Vec<SuggestionView>,
    items: Vec<ItemView>,
    approvals: Option<ApprovalsView>,
    can_decide: bool,
    approve_url: String,
    reject_url: String,
    artifact: Option<String>,
    approve_comment: String,
    reject_comment: String,
}

/// Comments typed into a refused form, shown again.
#[derive(Default)]
struct Typed {
    approve: String,
    reject: String,
}

/// May `id` decide on `gate`? The same rule as the guard's, to show the
/// forms only to those whose decision would be accepted.
fn may_decide(app: &App, id: &Identity, gate: &str) -> bool {
    match id.role {
        Role::Admin => true,
        Role::Approver => {
            let in_gates = id.gates.is_empty() || id.gates.iter().any(|g| g == gate);
            let in_envs =
                id.environments.is_empty() || app.gate_environment(gate).is_some_and(|e| id.environments.contains(&e));
            in_gates && in_envs
        }
        _ => false,
    }
}

fn gate_view(app: &App, id: &Identity, l: Layout, r: GateReport, typed: Typed) -> GatePage {
    let change = match (r.run, &r.commit) {
        (Some(run), c) => {
            let mut s = format!("run {run}");
            if let Some(c) = c {
                s.push_str(&format!(" on commit {}", short(c, 12)));
            }
            if let Some(a) = &r.artifact {
                s.push_str(&format!(", artifact {}", short(a, 19)));
            }
            s
        }
        (None, _) => "no pipeline run yet".to_string(),
    };
    let items = r
        .items
        .iter()
        .map(|i| ItemView {
            st: item_st(i.result),
            id: i.id.clone(),
            title: i.title.clone(),
            kind: i.kind,
            key: i.key,
            expects: i.expects.clone(),
            observed: i.observed.clone(),
            evidence: i.evidence.iter().map(|&s| (s, event_link(s))).collect(),
            link: i.link.as_deref().and_then(safe_link),
        })
        .collect();
    let approvals = r.approvals.as_ref().map(|a| {
        let enough = a.valid.len() >= a.required as usize && a.problems.is_empty();
        let roles = if a.roles.is_empty() {
            String::new()
        } else {
            format!(" from {}", a.roles.join(" or "))
        };
        let summary = format!(
            "{} of {} approvals{roles}",
            a.valid.len().min(a.required as usize),
            a.required
        );
        ApprovalsView {
            st: if !a.rejected_by.is_empty() {
                st("✗", summary, "st-bad")
            } else if enough {
                st("✓", summary, "st-ok")
            } else {
                st("⧗", summary, "st-wait")
            },
            valid: a.valid.clone(),
            rejected_by: a.rejected_by.clone(),
            expired: a.expired.clone(),
            problems: a.problems.clone(),
            break_glass: a.break_glass.clone(),
        }
    });
    let gate = r.gate.clone();
    GatePage {
        can_decide: may_decide(app, id, &gate),
        approve_url: format!("/gates/{}/approve", seg(&gate)),
        reject_url: format!("/gates/{}/reject", seg(&gate)),
        st: gate_st(r.status),
        run_url: r.run.map(|n| format!("/runs/{n}")),
        score: r.score.map(|s| format!("{}%", pct(s))),
        frozen_until: r.frozen_until.map(when),
        waiting_on: r
            .waiting_on_gates
            .iter()
            .map(|g| (g.clone(), format!("/gates/{}", seg(g))))
            .collect(),
        suggestions: r
            .suggestions
            .iter()
            .map(|s| SuggestionView {
                text: s.text.clone(),
                command: s.command.clone(),
            })
            .collect(),
        l,
        gate,
        title: r.title,
        environment: r.environment,
        change,
        question: r.question,
        reasons: r.reasons,
        items,
        approvals,
        artifact: r.artifact,
        approve_comment: typed.approve,
        reject_comment: typed.reject,
    }
}

async fn gate_page(app: &App, id: &Identity, mut l: Layout, gate: &str, status: StatusCode, typed: Typed) -> Response {
    let g = app.g.clone();
    let name = gate.to_string();
    let r = match api::blocking(move || commands::gate::report(&g, &name)).await {
        Ok(r) => r,
        Err(e) => return error_page(l, e),
    };
    l.title = format!("Gate {}", r.title);
    render(status, &gate_view(app, id, l, r, typed))
}

#[derive(Deserialize, Default)]
struct DoneQ {
    done: Option<String>,
}

pub async fn gate(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath(gate): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let mut l = Layout::new(&app, &id, &headers, "Gate", "overview");
    l.notice = match query::<DoneQ>(&q).done.as_deref() {
        Some("approved") => Some("Your approval is recorded.".into()),
        Some("rejected") => Some("Your rejection is recorded.".into()),
        _ => None,
    };
    gate_page(&app, &id, l, &gate, StatusCode::OK, Typed::default()).await
}

/// The approve and reject forms (the guard has checked `csrf`).
#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    comment: String,
    /// The artifact the page showed: approving binds to it, so a page
    /// left open while a new run replaced the change is refused.
    artifact: Option<String>,
}

/// Shows the gate page again with the refusal.
async fn refused(app: &App, id: &Identity, headers: &HeaderMap, gate: &str, e: ApiError, typed: Typed) -> Response {
    let mut l = Layout::new(app, id, headers, "Gate", "overview");
    let status = e.status;
    l.alert = Some(e.into());
    gate_page(app, id, l, gate, status, typed).await
}

pub async fn approve(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath(gate): UrlPath<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let comment = f.comment.trim();
    let req = ApproveRequest {
        comment: (!comment.is_empty()).then(|| comment.to_string()),
        artifact: f.artifact.filter(|a| !a.is_empty()),
        ..ApproveRequest::default()
    };
    match api::approve(&app, id.clone(), gate.clone(), req).await {
        Ok(_) => redirect(&format!("/gates/{}?done=approved", seg(&gate))),
        Err(e) => {
            let typed = Typed {
                approve: f.comment,
                ..Typed::default()
            };
            refused(&app, &id, &headers, &gate, e, typed).await
        }
    }
}

pub async fn reject(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath(gate): UrlPath<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    match api::reject(&app, id.clone(), gate.clone(), f.comment.trim().to_string()).await {
        Ok(_) => redirect(&format!("/gates/{}?done=rejected", seg(&gate))),
        Err(e) => {
            let typed = Typed {
                reject: f.comment,
                ..Typed::default()
            };
            refused(&app, &id, &headers, &gate, e, typed).await
        }
    }
}

// ---- rollouts ---------------------------------------------------------------

struct StepView {
    label: String,
    state: &'static str,
    sym: &'static str,
}

struct AnalysisView {
    interval: String,
    conditions: Vec<String>,
    dry_run: bool,
    failure_limit: u64,
    successful: u64,
    failed: u64,
    inconclusive: u64,
    errors: u64,
}

struct RolloutView {
    st: St,
    strategy: String,
    from: Option<String>,
    to: String,
    started: String,
    actor: String,
    reason: Option<String>,
    weight: String,
    stable_weight: String,
    steps: Vec<StepView>,
    next_step_in: Option<String>,
    analysis: Option<AnalysisView>,
}

struct InstanceView {
    id: String,
    version: String,
    st: St,
    port: String,
    inflight: String,
}

struct TrafficView {
    version: String,
    requests: String,
    errors: String,
    error_rate: String,
    p99: String,
}

struct MeasurementView {
    time: String,
    outcome: String,
    observed: String,
}

struct ActionView {
    name: &'static str,
    label: &'static str,
    url: String,
    danger: bool,
    confirm: bool,
}

#[derive(Template)]
#[template(path = "rollout.html")]
struct RolloutPage {
    l: Layout,
    service: String,
    env: String,
    events_url: String,
    status_json: String,
    stable: String,
    health: St,
    listen: Option<String>,
    listen_error: Option<String>,
    preview: Option<String>,
    rollout: Option<RolloutView>,
    canary_error_rate: String,
    measurements: Vec<MeasurementView>,
    instances: Vec<InstanceView>,
    traffic: Vec<TrafficView>,
    can_operate: bool,
    actions: Vec<ActionView>,
}

fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        _ => "–".into(),
    }
}

fn rate(v: &Value) -> String {
    v.as_f64()
        .map(|r| format!("{r:.2}%"))
        .unwrap_or_else(|| "no requests yet".into())
}

fn outcome_word(o: &str) -> String {
    let sym = match o {
        "successful" => "✓",
        "failed" => "✗",
        "inconclusive" => "?",
        _ => "!",
    };
    format!("{sym} {o}")
}

fn observed_line(observed: &Value) -> String {
    observed
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let pass = match o["pass"].as_bool() {
                Some(true) => " ✓",
                Some(false) => " ✗",
                None => "",
            };
            format!(
                "{} = {}{pass}",
                o["condition"].as_str().unwrap_or(""),
                o["value"].as_str().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rollout_view(r: &Value) -> Option<RolloutView> {
    if !r.is_object() {
        return None;
    }
    let phase = r["phase"].as_str().unwrap_or("");
    let weight = r["weight"].as_f64().unwrap_or(0.0).clamp(0.0, 100.0);
    let step = r["step"].as_u64().unwrap_or(0) as usize;
    let active = matches!(phase, "progressing" | "paused");
    let steps = r["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| {
            let (state, sym) = if phase == "completed" || i < step {
                ("done", "✓")
            } else if i == step && active {
                ("current", "→")
            } else {
                ("to come", "·")
            };
            StepView {
                label: s.as_str().unwrap_or("").to_string(),
                state,
                sym,
            }
        })
        .collect();
    let st = match phase {
        "progressing" => st("⧗", "progressing", "st-wait"),
        "paused" => st("‖", "paused", "st-warn"),
        "aborted" => st("✗", "aborted", "st-bad"),
        "completed" => st("✓", "completed", "st-ok"),
        other => st("?", other, "st-none"),
    };
    let a = &r["analysis"];
    let analysis = a.is_object().then(|| {
        let t = &a["tally"];
        AnalysisView {
            interval: a["interval"].as_str().unwrap_or("").to_string(),
            conditions: a["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(str_of)
                .collect(),
            dry_run: a["dry_run"].as_bool().unwrap_or(false),
            failure_limit: a["failure_limit"].as_u64().unwrap_or(0),
            successful: t["successful"].as_u64().unwrap_or(0),
            failed: t["failed"].as_u64().unwrap_or(0),
            inconclusive: t["inconclusive"].as_u64().unwrap_or(0),
            errors: t["errors"].as_u64().unwrap_or(0),
        }
    });
    Some(RolloutView {
        st,
        strategy: r["strategy"].as_str().unwrap_or("").to_string(),
        from: str_of(&r["from"]),
        to: r["to"].as_str().unwrap_or("").to_string(),
        started: r["started"]
            .as_str()
            .map(|s| short(s, 19).replace('T', " "))
            .unwrap_or_default(),
        actor: r["actor"].as_str().unwrap_or("").to_string(),
        reason: str_of(&r["reason"]),
        weight: pct(weight),
        stable_weight: pct(100.0 - weight),
        steps,
        next_step_in: r["next_step_in_ms"].as_u64().map(duration_ms),
        analysis,
    })
}

fn actions(service: &str, env: &str, phase: Option<&str>) -> Vec<ActionView> {
    let mut names: Vec<&'static str> = match phase {
        Some("progressing") => vec!["promote", "pause", "abort"],
        Some("paused") => vec!["resume", "promote", "abort"],
        Some("aborted") => vec!["retry"],
        _ => vec![],
    };
    names.push("rollback");
    names
        .into_iter()
        .map(|name| ActionView {
            name,
            label: action_label(name),
            url: format!("/rollouts/{}/{}/{name}", seg(service), seg(env)),
            danger: matches!(name, "abort" | "rollback"),
            confirm: matches!(name, "abort" | "rollback"),
        })
        .collect()
}

fn action_label(name: &str) -> &'static str {
    match name {
        "promote" => "Promote to the next step",
        "pause" => "Pause",
        "resume" => "Resume",
        "abort" => "Abort",
        "retry" => "Retry",
        "rollback" => "Roll back",
        _ => "",
    }
}

async fn rollout_page(
    app: &App,
    id: &Identity,
    mut l: Layout,
    service: &str,
    env: &str,
    status: StatusCode,
) -> Response {
    let Some(h) = app.units.get(&(service.to_string(), env.to_string())) else {
        let e = ApiError::not_found(format!(
            "no service `{}` in environment `{}`",
            crate::diag::sanitize(service),
            crate::diag::sanitize(env)
        ))
        .hint("the overview lists every service in every environment");
        return error_page(l, e);
    };
    let v = match h.call(Command::Status, Actor::system()).await {
        Ok(v) => v,
        Err(r) => return error_page(l, r.into()),
    };
    l.title = format!("{service} in {env}");
    let r = &v["rollout"];
    let rollout = rollout_view(r);
    let to = r["to"].as_str().unwrap_or("");
    let measurements = r["analysis"]["last"]
        .as_object()
        .map(|m| MeasurementView {
            time: "before this page loaded".into(),
            outcome: outcome_word(m.get("outcome").and_then(Value::as_str).unwrap_or("")),
            observed: observed_line(m.get("observed").unwrap_or(&Value::Null)),
        })
        .into_iter()
        .collect();
    let instances = v["instances"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let state = i["state"].as_str().unwrap_or("");
            InstanceView {
                id: i["id"].as_str().unwrap_or("").to_string(),
                version: i["version"].as_str().unwrap_or("").to_string(),
                st: match state {
                    "ready" => st("✓", "ready", "st-ok"),
                    "starting" => st("⧗", "starting", "st-wait"),
                    other => st("↓", other, "st-none"),
                },
                port: num(&i["port"]),
                inflight: num(&i["inflight"]),
            }
        })
        .collect();
    let traffic = v["traffic"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(version, t)| TrafficView {
            version: version.clone(),
            requests: num(&t["requests"]),
            errors: num(&t["errors"]),
            error_rate: rate(&t["error_rate"]),
            p99: t["p99_ms"]
                .as_f64()
                .map(|ms| format!("{ms:.1} ms"))
                .unwrap_or_else(|| "–".into()),
        })
        .collect();
    let page = RolloutPage {
        events_url: format!("/api/v1/rollouts/{}/{}/events", seg(service), seg(env)),
        status_json: v.to_string(),
        stable: str_of(&v["stable"]).unwrap_or_else(|| "none yet".into()),
        health: health(&v),
        listen: str_of(&v["listen"]),
        listen_error: str_of(&v["listen_error"]),
        preview: str_of(&v["preview"]),
        canary_error_rate: rate(&v["traffic"][to]["error_rate"]),
        can_operate: can(id, Perm::Operate),
        actions: actions(service, env, r["phase"].as_str()),
        rollout,
        measurements,
        instances,
        traffic,
        l,
        service: service.to_string(),
        env: env.to_string(),
    };
    render(status, &page)
}

pub async fn rollout(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath((service, env)): UrlPath<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    let mut l = Layout::new(&app, &id, &headers, "Rollout", "overview");
    l.notice = query::<DoneQ>(&q)
        .done
        .as_deref()
        .map(action_label)
        .filter(|a| !a.is_empty())
        .map(|a| format!("{a}: done."));
    rollout_page(&app, &id, l, &service, &env, StatusCode::OK).await
}

/// A rollout action from the page's buttons (the guard has checked
/// `csrf` and the operator role). The action is recorded as the signed-in
/// identity: a page can claim no other.
/// A rollout action's form: the CSRF token (checked by the guard), and
/// for a deploy the version, for a promote whether to go to 100 %.
#[derive(serde::Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    full: Option<String>,
}

pub async fn rollout_action(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath((service, env, action)): UrlPath<(String, String, String)>,
    axum::extract::Form(form): axum::extract::Form<ActionForm>,
) -> Response {
    let result = if action == "deploy" {
        let version = form
            .version
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_string());
        let req = api::DeployRequest {
            version,
            ..Default::default()
        };
        api::deploy(&app, &id, &service, &env, req).await
    } else {
        api::rollout_action(&app, &id, &service, &env, &action, form.full.is_some(), None).await
    };
    match result {
        Ok(_) => redirect(&format!(
            "/rollouts/{}/{}?done={}",
            seg(&service),
            seg(&env),
            seg(&action)
        )),
        Err(e) => {
            let mut l = Layout::new(&app, &id, &headers, "Rollout", "overview");
            let status = e.status;
            l.alert = Some(e.into());
            rollout_page(&app, &id, l, &service, &env, status).await
        }
    }
}

// ---- runs -------------------------------------------------------------------

fn run_st(status: &str) -> St {
    match status {
        "succeeded" => st("✓", "succeeded", "st-ok"),
        "failed" => st("✗", "failed", "st-bad"),
        "cancelled" => st("⊘", "cancelled", "st-bad"),
        "unfinished" => st("⧗", "unfinished", "st-wait"),
        other => st("?", other, "st-none"),
    }
}

fn job_st(j: Option<&crate::pipeline::history::JobInfo>) -> St {
    let Some(j) = j else {
        return st("⧗", "not finished", "st-wait");
    };
    let cached = if j.cached { " (cached)" } else { "" };
    match (j.outcome.as_str(), j.conclusion.as_str()) {
        ("failure", "success") => st("!", "failed (allowed)", "st-warn"),
        (_, "success") => st("✓", format!("success{cached}"), "st-ok"),
        (_, "failure") => st("✗", "failure", "st-bad"),
        (_, "cancelled") => st("⊘", "cancelled", "st-bad"),
        (_, "skipped") => st("–", "skipped", "st-none"),
        (_, other) => st("?", other.to_string(), "st-none"),
    }
}

struct RunRow {
    url: String,
    run: u64,
    st: St,
    started: String,
    trigger: String,
    commit: String,
    branch: Option<String>,
    dirty: bool,
    duration: String,
    jobs: usize,
}

#[derive(Template)]
#[template(path = "runs.html")]
struct RunsPage {
    l: Layout,
    runs: Vec<RunRow>,
    total: usize,
}

pub async fn runs(State(app): State<App>, Extension(id): Extension<Identity>, headers: HeaderMap) -> Response {
    let l = Layout::new(&app, &id, &headers, "Runs", "runs");
    let g = app.g.clone();
    let h = match api::blocking(move || commands::runs::history(&g)).await {
        Ok(h) => h,
        Err(e) => return error_page(l, e),
    };
    let total = h.runs.len();
    let runs = h
        .runs
        .values()
        .rev()
        .take(RUNS_SHOWN)
        .map(|r| RunRow {
            url: format!("/runs/{}", r.run),
            run: r.run,
            st: run_st(&r.status),
            started: when(r.started),
            trigger: r.trigger.clone(),
            commit: r
                .commit
                .as_deref()
                .map(|c| short(c, 12).to_string())
                .unwrap_or_else(|| "–".into()),
            branch: r.branch.clone(),
            dirty: r.dirty,
            duration: r.duration_ms.map(duration_ms).unwrap_or_else(|| "–".into()),
            jobs: r.jobs.len(),
        })
        .collect();
    render(StatusCode::OK, &RunsPage { l, runs, total })
}

struct JobRow {
    name: String,
    url: String,
    selected: bool,
    st: St,
    attempts: String,
    duration: String,
    note: String,
}

struct EvidenceRow {
    seq: u64,
    url: String,
    kind: String,
    job: String,
    valid: bool,
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    l: Layout,
    run: u64,
    st: St,
    started: String,
    trigger: String,
    commit: String,
    branch: Option<String>,
    dirty: bool,
    duration: String,
    artifact: Option<String>,
    jobs: Vec<JobRow>,
    evidence: Vec<EvidenceRow>,
    job: Option<String>,
    log: String,
    raw_url: String,
    follow_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct JobQ {
    job: Option<String>,
}

/// A log as text for a `<pre>`: terminal colours removed, other control
/// characters made visible.
fn log_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    crate::diag::sanitize(&anstream::adapter::strip_str(&text).to_string())
}

pub async fn run(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    UrlPath(run): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let mut l = Layout::new(&app, &id, &headers, format!("Run {run}"), "runs");
    let Ok(n) = run.parse::<u64>() else {
        return error_page(l, ApiError::not_found("no such run").hint("the runs page lists them"));
    };
    let g = app.g.clone();
    let h = match api::blocking(move || commands::runs::history(&g)).await {
        Ok(h) => h,
        Err(e) => return error_page(l, e),
    };
    let Some(r) = h.runs.get(&n).cloned() else {
        return error_page(
            l,
            ApiError::not_found(format!("no run {n}")).hint("the runs page lists them"),
        );
    };
    let want = query::<JobQ>(&q).job;
    let job = match want {
        Some(j) if r.jobs.contains(&j) => Some(j),
        Some(j) => {
            let e = ApiError::not_found(format!("run {n} has no job `{}`", crate::diag::sanitize(&j)))
                .hint(format!("its jobs: {}", r.jobs.join(", ")));
            l.alert = Some(e.into());
            None
        }
        None => r.jobs.first().cloned(),
    };
    let log = match &job {
        Some(j) => {
            let (g, info, j) = (app.g.clone(), r.clone(), j.clone());
            match api::blocking(move || commands::logs::job_log(&g, &info, &j)).await {
                Ok(commands::logs::JobLog::Log(b)) | Ok(commands::logs::JobLog::Cached(Some(b))) => log_text(&b),
                Ok(commands::logs::JobLog::Cached(None)) => {
                    "(cached result; its original log is no longer in the cache)".into()
                }
                Ok(commands::logs::JobLog::None(why)) => format!("(no log: {why})"),
                Err(e) => format!("(the log could not be read: {})", e.message),
            }
        }
        None => String::new(),
    };
    let unfinished = r.status == "unfinished";
    let jobs = r
        .jobs
        .iter()
        .map(|j| {
            let info = r.results.get(j);
            JobRow {
                name: j.clone(),
                url: format!("/runs/{n}?job={}", seg(j)),
                selected: job.as_deref() == Some(j.as_str()),
                st: job_st(info),
                attempts: info.map(|i| i.attempts.to_string()).unwrap_or_else(|| "–".into()),
                duration: info.map(|i| duration_ms(i.duration_ms)).unwrap_or_else(|| "–".into()),
                note: info.and_then(|i| i.reason.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let evidence = r
        .evidence
        .iter()
        .map(|e| EvidenceRow {
            seq: e.seq,
            url: event_link(e.seq),
            kind: e.kind.clone(),
            job: e.job.clone(),
            valid: e.valid,
        })
        .collect();
    let job_seg = job.as_deref().map(seg).unwrap_or_default();
    let status = if l.alert.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = RunPage {
        raw_url: format!("/api/v1/runs/{n}/jobs/{job_seg}/log"),
        follow_url: (unfinished && job.is_some()).then(|| format!("/api/v1/runs/{n}/jobs/{job_seg}/log?follow=true")),
        l,
        run: n,
        st: run_st(&r.status),
        started: when(r.started),
        trigger: r.trigger.clone(),
        commit: r.commit.clone().unwrap_or_else(|| "–".into()),
        branch: r.branch.clone(),
        dirty: r.dirty,
        duration: r.duration_ms.map(duration_ms).unwrap_or_else(|| "–".into()),
        artifact: r.artifact.clone(),
        jobs,
        evidence,
        job,
        log,
    };
    render(status, &page)
}

// ---- audit ------------------------------------------------------------------

struct EventRow {
    seq: u64,
    url: String,
    time: String,
    time_short: String,
    actor: String,
    kind: String,
    subject: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    badge: St,
    events: u64,
    checkpoint: u64,
    unsigned: u64,
    rows: Vec<EventRow>,
    first: u64,
    last: u64,
    older_url: Option<String>,
    newer_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct AfterQ {
    after: Option<u64>,
}

/// One line about an event's payload: its message, or its well-known
/// fields, or compact JSON; at most 120 characters.
fn payload_summary(p: &Value) -> String {
    let get = |k: &str| match p.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    };
    let text = if let Some(m) = get("message") {
        m
    } else {
        let mut parts: Vec<String> = [
            "status",
            "action",
            "outcome",
            "conclusion",
            "gate",
            "item",
            "environment",
            "job",
            "version",
            "kind",
            "path",
        ]
        .iter()
        .filter_map(|k| get(k).map(|v| format!("{k}={v}")))
        .collect();
        parts.extend(
            ["reason", "comment"]
                .iter()
                .filter_map(|k| get(k).map(|v| format!("{k}: {v}"))),
        );
        if parts.is_empty() {
            match p {
                Value::Object(m) if m.is_empty() => String::new(),
                other => other.to_string(),
            }
        } else {
            parts.join(" ")
        }
    };
    let text = crate::diag::sanitize(&text).replace('\n', " ");
    if text.chars().count() > 120 {
        format!("{}…", short(&text, 119))
    } else {
        text
    }
}

/// The audit badge: what `lockgate audit verify` says.
fn badge(r: &Result<crate::ledger::verify::Report, ApiError>) -> St {
    match r {
        Ok(v) if v.ok() => match v.verified_up_to {
            Some(n) => st("✓", format!("verified ✓ up to checkpoint {n}"), "st-ok"),
            None => st("✓", "chain verified ✓, no signed checkpoint yet", "st-ok"),
        },
        Ok(v) => st(
            "✗",
            format!(
                "✗ verification failed: {}",
                v.problems.first().map(|p| p.message.as_str()).unwrap_or("")
            ),
            "st-bad",
        ),
        Err(e) => st("✗", format!("✗ verification failed: {}", e.message), "st-bad"),
    }
}

pub async fn audit(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let l = Layout::new(&app, &id, &headers, "Audit log", "audit");
    let g = app.g.clone();
    let cp = match api::blocking(move || api::checkpoint_view(&g)).await {
        Ok(v) => v,
        Err(e) => return error_page(l, e),
    };
    let events = cp["events"].as_u64().unwrap_or(0);
    let checkpoint = cp["size"].as_u64().unwrap_or(0);
    // Without a cursor: the newest page.
    let after = query::<AfterQ>(&q)
        .after
        .unwrap_or_else(|| events.saturating_sub(AUDIT_PAGE));
    let g = app.g.clone();
    let page = match api::blocking(move || {
        api::audit_page(
            &g,
            &api::AuditQ {
                after: Some(after),
                limit: Some(AUDIT_PAGE as usize),
                ..api::AuditQ::default()
            },
        )
    })
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(l, e),
    };
    let g = app.g.clone();
    let verified = api::blocking(move || api::verify_view(&g)).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    let seqs: Vec<u64> = items.iter().filter_map(|e| e["seq"].as_u64()).collect();
    let first = seqs.first().copied().unwrap_or(after.saturating_add(1));
    let last = seqs.last().copied().unwrap_or(after);
    let older_url = (first > 1).then(|| format!("/audit?after={}", (first - 1).saturating_sub(AUDIT_PAGE)));
    let newer_url = page["next"].as_u64().map(|n| format!("/audit?after={n}"));
    let rows = items
        .iter()
        .rev()
        .map(|e| {
            let seq = e["seq"].as_u64().unwrap_or(0);
            let time = e["time"].as_str().unwrap_or("").to_string();
            EventRow {
                seq,
                url: format!("/api/v1/audit/events/{seq}"),
                time_short: short(&time, 19).replace('T', " "),
                time,
                actor: e["actor"].as_str().unwrap_or("").to_string(),
                kind: e["kind"].as_str().unwrap_or("").to_string(),
                subject: crate::diag::sanitize(e["subject"].as_str().unwrap_or("")),
                summary: payload_summary(&e["payload"]),
            }
        })
        .collect();
    let unsigned = match &verified {
        Ok(v) => v.unsigned_tail,
        Err(_) => events.saturating_sub(checkpoint),
    };
    render(
        StatusCode::OK,
        &AuditPage {
            badge: badge(&verified),
            l,
            events,
            checkpoint,
            unsigned,
            rows,
            first,
            last,
            older_url,
            newer_url,
        },
    )
}

// ---- compliance -------------------------------------------------------------

struct ControlRow {
    st: St,
    id: String,
    title: String,
    checks: Vec<String>,
    findings: Vec<String>,
    more_findings: usize,
}

struct ReportView {
    title: String,
    url: Option<String>,
    generated: String,
    scanned: String,
    controls: usize,
    passing: usize,
    failing: usize,
    not_evidenced: usize,
    percent_passing: String,
    percent_of_evidenced: String,
    problems: Vec<String>,
    rows: Vec<ControlRow>,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    l: Layout,
    framework: String,
    frameworks: Vec<(String, String)>,
    report: Option<ReportView>,
}

#[derive(Deserialize, Default)]
struct FrameworkQ {
    framework: Option<String>,
}

fn report_view(r: crate::policy::compliance::Report) -> ReportView {
    use crate::policy::compliance::Status;
    let rows = r
        .controls
        .into_iter()
        .map(|c| {
            let mut checks: Vec<String> = c
                .rules
                .iter()
                .map(|x| {
                    format!(
                        "{} {}: checked on {} resources, {} open findings",
                        x.id, x.title, x.checked, x.open_findings
                    )
                })
                .collect();
            checks.extend(c.process.iter().map(|p| {
                let mark = match p.ok {
                    Some(true) => "✓",
                    Some(false) => "✗",
                    None => "?",
                };
                let events = if p.events.is_empty() {
                    String::new()
                } else {
                    let list: Vec<String> = p.events.iter().take(12).map(|e| format!("#{e}")).collect();
                    format!(
                        " (ledger events {}{})",
                        list.join(", "),
                        if p.events.len() > 12 { ", …" } else { "" }
                    )
                };
                format!("{mark} {}: {}{events}", p.description, p.detail)
            }));
            let findings = c
                .findings
                .iter()
                .take(FINDINGS_SHOWN)
                .map(|f| {
                    format!(
                        "{} {} {} ({}:{}): {}",
                        f.severity.as_str(),
                        f.rule,
                        f.resource,
                        f.location.file,
                        f.location.line,
                        f.message
                    )
                })
                .collect();
            ControlRow {
                st: match c.status {
                    Status::Passing => st("✓", "passing", "st-ok"),
                    Status::Failing => st("✗", "failing", "st-bad"),
                    Status::NotEvidenced => st("?", "not evidenced", "st-none"),
                },
                id: c.id,
                title: c.title,
                checks,
                more_findings: c.findings.len().saturating_sub(FINDINGS_SHOWN),
                findings,
            }
        })
        .collect();
    ReportView {
        title: r.title,
        url: r.url.as_deref().and_then(safe_link),
        generated: match &r.provenance.commit {
            Some(c) => format!(
                "{} at commit {}{}",
                r.generated,
                &c[..c.len().min(12)],
                if r.provenance.dirty {
                    " (with uncommitted changes)"
                } else {
                    ""
                }
            ),
            None => r.generated,
        },
        scanned: if r.scanned.is_empty() {
            "nothing".into()
        } else {
            r.scanned.join(", ")
        },
        controls: r.summary.controls,
        passing: r.summary.passing,
        failing: r.summary.failing,
        not_evidenced: r.summary.not_evidenced,
        percent_passing: format!("{}%", pct((r.summary.percent_passing * 10.0).round() / 10.0)),
        percent_of_evidenced: format!("{}%", pct((r.summary.percent_of_evidenced * 10.0).round() / 10.0)),
        problems: r
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.place(), p.message))
            .collect(),
        rows,
    }
}

pub async fn compliance(
    State(app): State<App>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let mut l = Layout::new(&app, &id, &headers, "Compliance", "compliance");
    let frameworks: Vec<(String, String)> = crate::policy::compliance::builtin()
        .into_iter()
        .filter_map(|(_, f)| f.ok().map(|f| (f.id, f.title)))
        .collect();
    let framework = query::<FrameworkQ>(&q)
        .framework
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "soc2".into());
    let (report, status) = match api::compliance_report(&app, Some(framework.clone())).await {
        Ok(r) => (Some(report_view(r)), StatusCode::OK),
        Err(e) => {
            let status = e.status;
            l.alert = Some(e.into());
            (None, status)
        }
    };
    if let Some(r) = &report {
        l.title = format!("Compliance: {}", r.title);
    }
    render(
        status,
        &CompliancePage {
            l,
            framework,
            frameworks,
            report,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(seg("web"), "web");
        assert_eq!(seg("a b/c?d"), "a%20b%2Fc%3Fd");
    }

    #[test]
    fn only_http_links_are_linked() {
        assert_eq!(safe_link(" https://x.example/a "), Some("https://x.example/a".into()));
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,x"), None);
    }

    #[test]
    fn login_page_escapes_next_and_error() {
        let r = login(Some("<b>no</b>"), "/gates/\"x\"", StatusCode::UNAUTHORIZED);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let l = LoginPage {
            l: Layout::anonymous("Sign in"),
            next: "/\"><script>".into(),
        };
        let html = l.render().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("id=\"sign-in\""));
    }

    #[test]
    fn badge_says_how_far_the_ledger_is_verified() {
        let report = |up_to: Option<u64>, problems: Vec<&str>| crate::ledger::verify::Report {
            events: 10,
            checkpoints: 1,
            verified_up_to: up_to,
            unsigned_tail: 0,
            root: String::new(),
            key: String::new(),
            problems: problems
                .into_iter()
                .map(|m| crate::ledger::verify::Problem {
                    seq: None,
                    checkpoint: None,
                    message: m.into(),
                })
                .collect(),
        };
        assert_eq!(
            badge(&Ok(report(Some(7), vec![]))).word,
            "verified ✓ up to checkpoint 7"
        );
        assert_eq!(
            badge(&Ok(report(None, vec![]))).word,
            "chain verified ✓, no signed checkpoint yet"
        );
        assert_eq!(
            badge(&Ok(report(Some(7), vec!["hash mismatch at 3", "x"]))).word,
            "✗ verification failed: hash mismatch at 3"
        );
    }

    #[test]
    fn payload_summary_prefers_message_then_known_fields() {
        assert_eq!(payload_summary(&serde_json::json!({ "message": "hi" })), "hi");
        assert_eq!(
            payload_summary(&serde_json::json!({ "gate": "release", "comment": "ok", "x": 1 })),
            "gate=release comment: ok"
        );
        assert_eq!(payload_summary(&serde_json::json!({})), "");
        assert!(
            payload_summary(&serde_json::json!({ "message": "a".repeat(500) }))
                .chars()
                .count()
                <= 120
        );
    }
}
