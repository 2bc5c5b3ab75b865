//! The web UI's sign-in, sign-out and static files; the pages themselves
//! are in [`super::pages`].
//!
//! Sessions: a fresh random id at every sign-in (no fixation), cookie
//! `HttpOnly; SameSite=Strict` (and `Secure` under TLS); every
//! state-changing form carries the session's CSRF token, checked by
//! [`super::guard`]. Failed sign-ins are rate limited per client address
//! and per user name, and recorded.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::identity;
use super::pages;
use super::{App, SESSION_COOKIE};
use crate::ledger::{Actor, NewEvent};

pub fn routes(r: Router<App>) -> Router<App> {
    use axum::routing::{get, post};
    r.route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/static/app.js", get(js))
        .route("/static/app.css", get(css))
        .route("/", get(pages::overview))
        .route("/gates/{gate}", get(pages::gate))
        .route("/gates/{gate}/approve", post(pages::approve))
        .route("/gates/{gate}/reject", post(pages::reject))
        .route("/rollouts/{service}/{env}", get(pages::rollout))
        .route("/rollouts/{service}/{env}/{action}", post(pages::rollout_action))
        .route("/runs", get(pages::runs))
        .route("/runs/{run}", get(pages::run))
        .route("/audit", get(pages::audit))
        .route("/compliance", get(pages::compliance))
}

/// Only local paths: never an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() < 512
                && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub fn redirect_to_login(next: &str) -> Response {
    let q = serde_urlencoded::to_string([("next", safe_next(Some(next)))]).unwrap_or_default();
    redirect(&format!("/login?{q}"))
}

#[derive(Deserialize)]
pub struct LoginQ {
    next: Option<String>,
}

async fn login_page(axum::extract::Query(q): axum::extract::Query<LoginQ>) -> Response {
    pages::login(None, &safe_next(q.next.as_deref()), StatusCode::OK)
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
    next: Option<String>,
}

/// A form posted from another site: its Origin is not ours.
fn foreign_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn session_cookie(app: &App, id: &str, max_age: u64) -> HeaderValue {
    let secure = if app.tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let method = axum::http::Method::POST;
    if foreign_origin(&headers) {
        app.record_denial(
            "anonymous",
            &method,
            "/login",
            "sign-in posted from another origin",
            Some(peer.ip()),
        );
        return pages::login(
            Some("This sign-in did not come from lockgate's own page."),
            &next,
            StatusCode::FORBIDDEN,
        );
    }
    // A user name is short; anything longer is refused unread (and never
    // recorded: people type passwords into the wrong field).
    let user: String = f.user.trim().chars().take(129).collect();
    let user = if user.len() > 128 { String::new() } else { user };
    let mut keys = vec![format!("ip:{}", peer.ip())];
    if !user.is_empty() {
        keys.push(format!("user:{user}"));
    }
    if app.login_limited(&keys, false) {
        app.record_denial(
            "anonymous",
            &method,
            "/login",
            "too many failed sign-ins",
            Some(peer.ip()),
        );
        let mut r = pages::login(
            Some("Too many failed sign-ins. Wait a few minutes and try again."),
            &next,
            StatusCode::TOO_MANY_REQUESTS,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("300"));
        return r;
    }
    // Who is it? A token, or a user and password.
    let principal = if !f.token.trim().is_empty() {
        let tok = f.token.trim().to_string();
        let now = crate::ledger::now();
        tokio::task::block_in_place(|| app.with_identities(|ids| ids.by_token(&tok, now).ok()))
            .ok()
            .flatten()
            .and_then(|i| i.token.map(|t| (format!("token:{t}"), i.actor)))
    } else if !user.is_empty() && !f.password.is_empty() && f.password.len() <= 1024 {
        let a = app.clone();
        let (u, pw) = (user.clone(), f.password.clone());
        // At most two Argon2 checks at a time (each takes ~19 MiB and real
        // CPU): a flood of sign-ins queues instead of exhausting the server.
        let Ok(_permit) = app.argon.acquire().await else {
            return pages::login(Some("The server is stopping."), &next, StatusCode::SERVICE_UNAVAILABLE);
        };
        tokio::task::spawn_blocking(move || {
            let known = a.with_identities(|ids| ids.by_user(&u)).ok().flatten();
            let hash = identity::read_passwords(&a.state_dir).get(&u).cloned();
            match (known, hash) {
                (Some(id), Some(h)) if identity::verify_password(&pw, &h) => Some((format!("user:{u}"), id.actor)),
                _ => {
                    identity::burn_password_check(&pw);
                    None
                }
            }
        })
        .await
        .ok()
        .flatten()
    } else {
        None
    };
    let Some((principal, actor)) = principal else {
        app.login_limited(&keys, true);
        // Only a known user's name is recorded: an unknown one may be a
        // password typed into the wrong field.
        let known = !user.is_empty()
            && tokio::task::block_in_place(|| app.with_identities(|ids| ids.users.contains_key(&user)))
                .unwrap_or(false);
        app.record_denial(
            &if known {
                format!("user:{user}")
            } else {
                "anonymous".to_string()
            },
            &method,
            "/login",
            "wrong user name, password or token",
            Some(peer.ip()),
        );
        return pages::login(
            Some("Wrong user name, password or token."),
            &next,
            StatusCode::UNAUTHORIZED,
        );
    };
    // A fresh session: whatever id the browser brought is dropped.
    if let Some(old) = super::cookie(&headers, SESSION_COOKIE) {
        app.end_session(old);
    }
    let Ok((sid, _)) = app.new_session(principal.clone()) else {
        return pages::login(
            Some("The server could not start a session."),
            &next,
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    };
    let _ = app.record(vec![NewEvent::json(
        Actor::parse(&actor),
        "auth.signed_in",
        "serve",
        json!({ "with": if principal.starts_with("token:") { "token" } else { "password" }, "client": peer.ip().to_string() }),
    )]);
    let mut r = redirect(&next);
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&app, &sid, 12 * 3600));
    r
}

async fn logout(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Some(id) = super::cookie(&headers, SESSION_COOKIE) {
        app.end_session(id);
    }
    let mut r = redirect("/login");
    r.headers_mut().insert(header::SET_COOKIE, session_cookie(&app, "", 0));
    r
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("../../assets/ui/app.js"),
    )
        .into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("../../assets/ui/app.css"),
    )
        .into_response()
}
