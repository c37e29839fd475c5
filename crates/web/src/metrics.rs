//! Prometheus metrics at `/metrics`: requests by route and status, and their durations.

use crate::AppState;
use axum::extract::{MatchedPath, State};
use axum::http::{header, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, (f64, u64)>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut d) = self.durations.lock() {
            let e = d.entry(route.to_owned()).or_default();
            e.0 += secs;
            e.1 += 1;
        }
    }

    pub fn render(&self, db_up: bool, password_checks: u64) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP luodi_build_info Version of the running binary.\n# TYPE luodi_build_info gauge"
        );
        let _ = writeln!(
            out,
            "luodi_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(out, "# HELP luodi_db_up Whether the database answered.\n# TYPE luodi_db_up gauge\nluodi_db_up {}", u8::from(db_up));
        let _ = writeln!(out, "# HELP luodi_password_checks_total Passwords checked at sign-in (unknown names are checked against a stand-in).\n# TYPE luodi_password_checks_total counter\nluodi_password_checks_total {password_checks}");
        let _ = writeln!(out, "# HELP luodi_http_requests_total HTTP requests by route and status.\n# TYPE luodi_http_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(out, "luodi_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        let _ = writeln!(out, "# HELP luodi_http_request_duration_seconds Time spent answering, by route.\n# TYPE luodi_http_request_duration_seconds summary");
        if let Ok(d) = self.durations.lock() {
            for (route, (sum, count)) in d.iter() {
                let _ = writeln!(
                    out,
                    "luodi_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum:.6}"
                );
                let _ = writeln!(
                    out,
                    "luodi_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
                );
            }
        }
        out
    }
}

pub async fn track(
    State(state): State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    // The route pattern, not the raw path, so that ids do not explode the label set.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
}

/// The figures, for a client in `metrics_allow` or one that shows `metrics_token`: they name
/// every route and how busy it is, which is nobody else's business.
async fn metrics(State(state): State<AppState>, parts: axum::http::request::Parts) -> Response {
    let from_allowed = parts
        .extensions
        .get::<crate::auth::ClientAddr>()
        .is_some_and(|a| state.config.metrics_allow.iter().any(|c| c.contains(a.0)));
    let with_token = match (
        &state.config.metrics_token,
        crate::auth::bearer_token(&parts.headers),
    ) {
        (Some(want), Some(got)) => constant_time_eq(want.trim().as_bytes(), got.as_bytes()),
        _ => false,
    };
    if !from_allowed && !with_token {
        return crate::error::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "metrics_not_allowed",
        )
        .into_response();
    }
    let up = state.svc.database_up().await;
    let checks = state
        .svc
        .password_checks
        .load(std::sync::atomic::Ordering::Relaxed);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(up, checks),
    )
        .into_response()
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Liveness and database reachability.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.svc.database_up().await {
        axum::Json(serde_json::json!({ "status": "ok" })).into_response()
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "database unavailable" })),
        )
            .into_response()
    }
}
