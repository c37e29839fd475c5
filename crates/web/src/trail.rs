//! The audit trail of requests (等保: 安全审计): every refusal, and every file that leaves
//! luodi. Handlers mark what they answer (a refusal shown on a page or after a redirect, an
//! export or a download); refusals answered as errors are seen here by their status. Whoever
//! asked is resolved once, here, for both. Refusals are capped per account or address (a scan
//! is counted, not written a thousand times); exports never are, and a file whose record
//! cannot be written is not handed out.

use crate::error::{ApiError, Details};
use crate::AppState;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use luodi_service::auth::{self, SignedIn};

/// A refusal answered with something other than an error (a page shown again, a redirect that
/// says why): its code.
#[derive(Debug, Clone, Copy)]
pub struct Refused(pub &'static str);

/// A file handed out: its name and size.
#[derive(Debug, Clone)]
pub struct Export {
    pub file_name: String,
    pub bytes: u64,
}

/// Marks `res` as a refusal with `code`.
pub fn mark_refused(mut res: Response, code: &'static str) -> Response {
    res.extensions_mut().insert(Refused(code));
    res
}

/// Refusals a service records itself, with more to say (sign-in steps), and the states of a
/// sign-in that are not refusals of anything but a step still to take.
const AUDITED_ELSEWHERE: [&str; 9] = [
    "account_locked",
    "account_disabled",
    "bad_credentials",
    "too_many_sign_in_failures",
    "bad_second_factor",
    "unauthenticated",
    "second_factor_required",
    "password_change_required",
    "second_factor_setup_required",
];

/// Field codes by which an upload is refused for what it holds.
const UPLOAD_REFUSALS: [&str; 3] = [
    "file_type_not_allowed",
    "file_type_mismatch",
    "photo_type_not_allowed",
];

/// The code under which a refusal a page shows itself (rather than as an error) goes to the
/// trail, if it is one the trail records.
pub fn refusal_code(e: &ApiError) -> Option<&'static str> {
    refusal_of(e)
        .filter(|(_, not_found)| !not_found)
        .map(|(code, _)| code)
}

/// The code of a refusal answered as an error that the trail records, and whether it is a
/// "not found" (recorded only for someone signed in: anyone may mistype an address).
fn refusal_of(e: &ApiError) -> Option<(&'static str, bool)> {
    if AUDITED_ELSEWHERE.contains(&e.code) {
        return None;
    }
    match e.status {
        StatusCode::FORBIDDEN
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::TOO_MANY_REQUESTS => Some((e.code, false)),
        StatusCode::NOT_FOUND => Some((e.code, true)),
        StatusCode::UNPROCESSABLE_ENTITY => match &e.details {
            Details::Fields(fs) => fs
                .iter()
                .find(|f| UPLOAD_REFUSALS.contains(&f.code))
                .map(|f| (f.code, false)),
            _ => None,
        },
        _ => None,
    }
}

pub async fn record(
    State(state): State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let bearer = crate::auth::bearer_token(req.headers()).map(str::to_owned);
    let cookie = crate::auth::cookie(req.headers(), crate::auth::SESSION_COOKIE).map(str::to_owned);
    let ip = crate::auth::address(req.extensions());
    let request = format!(
        "{} {}",
        req.method(),
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_else(|| req.uri().path())
    );
    let mut res = next.run(req).await;
    let refusal = match res.extensions().get::<Refused>() {
        Some(r) => Some((r.0, false)),
        None => res.extensions().get::<ApiError>().and_then(refusal_of),
    };
    let export = res.extensions_mut().remove::<Export>();
    if refusal.is_none() && export.is_none() {
        return res;
    }
    let signed = who(&state, bearer, cookie, ip.as_deref()).await;
    let (actor_id, name) = match &signed {
        Some(s) => (Some(s.user.id), s.actor.name.clone()),
        None => (None, "anonymous".to_owned()),
    };
    if let Some((code, not_found)) = refusal {
        if !not_found || signed.is_some() {
            luodi_service::audit::refusal(
                &state.svc,
                actor_id,
                &name,
                ip.as_deref(),
                &request,
                code,
            )
            .await;
        }
    }
    if let Some(x) = export {
        if let Err(e) = luodi_service::audit::export(
            &state.svc,
            actor_id,
            &name,
            ip.as_deref(),
            &request,
            &x.file_name,
            x.bytes,
        )
        .await
        {
            tracing::error!(error = %e, "could not write the audit record of a download");
            return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal").into_response();
        }
    }
    res
}

/// Whoever signed the request, if anyone (resolved principals are cached for a moment).
async fn who(
    state: &AppState,
    bearer: Option<String>,
    cookie: Option<String>,
    ip: Option<&str>,
) -> Option<SignedIn> {
    match (bearer, cookie) {
        (Some(t), _) => auth::api_token(&state.svc, &t, ip).await.ok().flatten(),
        (None, Some(c)) => auth::session(&state.svc, &c, ip).await.ok().flatten(),
        _ => None,
    }
}
