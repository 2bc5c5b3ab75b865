//! The web UI's pages (server-rendered HTML).

use axum::Extension;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::App;
use super::identity::Identity;

pub fn login(error: Option<&str>, next: &str, status: StatusCode) -> Response {
    let _ = (error, next);
    (status, Html("<form method=post action=/login></form>".to_string())).into_response()
}

pub async fn overview(State(_app): State<App>, Extension(_id): Extension<Identity>) -> Response {
    Html("overview").into_response()
}
pub async fn gate(UrlPath(_g): UrlPath<String>) -> Response {
    Html("gate").into_response()
}
pub async fn approve(UrlPath(_g): UrlPath<String>) -> Response {
    Html("gate").into_response()
}
pub async fn reject(UrlPath(_g): UrlPath<String>) -> Response {
    Html("gate").into_response()
}
pub async fn rollout(UrlPath(_g): UrlPath<(String, String)>) -> Response {
    Html("r").into_response()
}
pub async fn rollout_action(UrlPath(_g): UrlPath<(String, String, String)>) -> Response {
    Html("r").into_response()
}
pub async fn runs() -> Response {
    Html("r").into_response()
}
pub async fn run(UrlPath(_g): UrlPath<String>) -> Response {
    Html("r").into_response()
}
pub async fn audit() -> Response {
    Html("r").into_response()
}
pub async fn compliance() -> Response {
    Html("r").into_response()
}
