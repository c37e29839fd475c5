//! The web layer: a JSON API under `/api/v1` (documented by OpenAPI generated from the code),
//! server-rendered pages, sign-in, i18n and embedded assets. Handlers are thin: they parse,
//! call a service, and render.

pub mod api;
pub mod assets;
pub mod auth;
pub mod client_addr;
pub mod error;
pub mod i18n;
pub mod input;
pub mod kit;
pub mod local_path;
pub mod metrics;
pub mod notices;
pub mod request;
pub mod serve;
pub mod trail;
pub mod ui;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use luodi_service::Services;
use std::sync::Arc;

/// Web settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` and send HSTS (set when luodi is served over TLS).
    pub secure_cookies: bool,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none: the peer is the client).
    pub trusted_proxies: Vec<client_addr::Cidr>,
    /// Client addresses that may read `/metrics`.
    pub metrics_allow: Vec<client_addr::Cidr>,
    /// A bearer token that opens `/metrics` from anywhere.
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_upload_bytes: 50 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            metrics_allow: ["127.0.0.0/8", "::1"]
                .iter()
                .filter_map(|c| client_addr::Cidr::parse(c))
                .collect(),
            metrics_token: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub svc: Services,
    pub i18n: Arc<i18n::I18n>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(svc: Services, config: WebConfig) -> Self {
        Self {
            svc,
            i18n: Arc::new(i18n::I18n::load()),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
        }
    }
}

/// Builds the whole application: pages, API, docs, assets, health and metrics.
pub fn app(state: AppState) -> Router {
    let limit = state.config.max_upload_bytes as usize + 64 * 1024;
    Router::new()
        .merge(ui::routes())
        .nest("/api/v1", api::routes())
        .merge(api::docs())
        .merge(assets::routes())
        .merge(metrics::routes())
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            input::refuse_control_characters,
        ))
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), trail::record))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            resolve_client,
        ))
        .with_state(state)
}

/// A handler that panics answers 500 (counted, with the usual headers) instead of dropping the
/// connection without a word.
async fn catch_panic(req: Request<axum::body::Body>, next: Next) -> Response {
    use std::future::Future;
    use std::task::Poll;
    let what = format!("{} {}", req.method(), req.uri().path());
    let mut fut = Box::pin(next.run(req));
    let caught = std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(r)) => Poll::Ready(Ok(r)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(e) => Poll::Ready(Err(e)),
        }
    })
    .await;
    match caught {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(request = %what, panic = %msg, "a handler panicked");
            axum::response::IntoResponse::into_response(error::ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ))
        }
    }
}

/// The client's address, resolved once per request (see [`client_addr`]) for the audit trail,
/// sessions and the sign-in throttle.
async fn resolve_client(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let ip = client_addr::client_address(peer, forwarded, &state.config.trusted_proxies);
        req.extensions_mut().insert(auth::ClientAddr(ip));
    }
    next.run(req).await
}

/// Headers every response carries. Swagger UI gets inline styles; nothing gets inline script.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = if docs {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
    } else {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    };
    // A file shown inline brings its own, stricter policy (a sandbox): keep it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}
