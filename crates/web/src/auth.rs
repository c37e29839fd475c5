//! Who is asking: the session cookie or an API token, resolved once per request by the
//! `Signed` extractor. Also the language of the request and the cross-site request guard.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use luodi_service::auth::{self, SignedIn};
use luodi_service::ServiceError;

pub use crate::request::{
    address, bearer_token, client_ip, cookie, lang_of, ClientAddr, ClientIp, LANG_COOKIE,
    SESSION_COOKIE,
};

/// `Set-Cookie` for the session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn lang_cookie(lang: Lang, secure: bool) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.code(),
        if secure { "; Secure" } else { "" }
    )
}

/// Routes a session waiting for its second factor may use.
fn allowed_before_second_factor(path: &str) -> bool {
    matches!(path, "/login/totp" | "/logout" | "/lang") || path.starts_with("/assets/")
}

/// Routes an account that must set up a second factor may use until it has.
fn allowed_before_enrolment(path: &str) -> bool {
    matches!(
        path,
        "/account/totp" | "/account/totp/begin" | "/account/totp/confirm" | "/api/v1/me"
    ) || allowed_before_password_change(path)
}

/// Routes a signed-in user may use while their password must still be changed.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/password" | "/logout" | "/lang" | "/api/v1/me" | "/api/v1/me/password"
    ) || path.starts_with("/assets/")
}

/// A signed-in request (session cookie or `Authorization: Bearer` token).
pub struct Signed(pub SignedIn);

impl FromRequestParts<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<SignedIn>() {
            return Ok(Signed(s.clone()));
        }
        let ip = client_ip(parts);
        let signed = if let Some(token) = bearer_token(&parts.headers) {
            auth::api_token(&state.svc, token, ip.as_deref()).await?
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            auth::session(&state.svc, token, ip.as_deref()).await?
        } else {
            None
        };
        let Some(signed) = signed else {
            return Err(ServiceError::Unauthenticated.into());
        };
        // Nested routers see their path without the prefix; judge by the path as requested.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_owned())
            .unwrap_or_else(|| parts.uri.path().to_owned());
        // The pending states come in order: the second factor first (it decides who this is),
        // then a required password change, then setting up a second factor. Each later state
        // is only judged once the earlier one is over, so their pages never send a browser
        // back and forth between them.
        if signed.pending_totp {
            if !allowed_before_second_factor(&path) {
                return Err(ServiceError::SecondFactorRequired.into());
            }
        } else if signed.user.must_change_password && !allowed_before_password_change(&path) {
            return Err(ServiceError::PasswordChangeRequired.into());
        } else if signed.must_enroll_totp && !allowed_before_enrolment(&path) {
            return Err(ServiceError::SecondFactorSetupRequired.into());
        }
        parts.extensions.insert(signed.clone());
        Ok(Signed(signed))
    }
}

/// Refuses state-changing requests that a browser sent from another site. A script that signs
/// in with a valid API token and sends no session cookie carries no ambient credentials, so it
/// passes; any other `Authorization` header (browsers add `Basic …` by themselves behind an
/// authenticating proxy) does not turn the check off.
pub async fn csrf_guard(
    State(state): State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if cookie(req.headers(), SESSION_COOKIE).is_none() {
        if let Some(token) = bearer_token(req.headers()) {
            let ip = address(req.extensions());
            if let Ok(Some(_)) = auth::api_token(&state.svc, token, ip.as_deref()).await {
                return next.run(req).await;
            }
        }
    }
    let h = req.headers();
    let site_ok = match h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(v) => matches!(v, "same-origin" | "none"),
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some(origin), Some(host)) => origin.split("://").nth(1).is_some_and(|o| o == host),
            // No Origin at all: not a browser's cross-site form post.
            (None, _) => true,
            (Some(_), None) => false,
        },
    };
    if site_ok {
        next.run(req).await
    } else {
        ApiError::new(StatusCode::FORBIDDEN, "cross_site_request").into_response()
    }
}
