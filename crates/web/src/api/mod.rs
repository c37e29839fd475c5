//! The JSON API under `/api/v1`. Each handler is annotated for OpenAPI; the document is served
//! at `/api/openapi.json` and browsed with the embedded Swagger UI at `/api/docs/`.

pub mod audit;
pub mod briefings;
pub mod bulletins;
pub mod campaigns;
pub mod dashboard;
pub mod interviews;
pub mod items;
pub mod jobs;
pub mod ledger;
pub mod me;
pub mod notices;
pub mod onboarding;
pub mod orgs;
pub mod programmes;
pub mod records;
pub mod reports;
pub mod resets;
pub mod search;
pub mod users;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(orgs::list).post(orgs::create))
        .route("/orgs/import", post(orgs::import))
        .route("/orgs/lookup", get(orgs::lookup))
        .route("/orgs/{id}", get(orgs::get).patch(orgs::update))
        .route("/orgs/{id}/children", get(orgs::children))
        .route("/orgs/{id}/move", post(orgs::move_org))
        .route("/users", get(users::list).post(users::create))
        .route("/users/lookup", get(users::lookup))
        .route("/users/{id}", get(users::get))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/users/{id}/totp/reset", post(users::reset_totp))
        .route("/credential-resets", get(resets::list))
        .route("/credential-resets/{id}/approve", post(resets::approve))
        .route("/credential-resets/{id}/refuse", post(resets::refuse))
        .route("/credential-resets/{id}/collect", post(resets::collect))
        .route(
            "/account-requests",
            get(onboarding::list).post(onboarding::request),
        )
        .route("/account-requests/{id}/create", post(onboarding::create))
        .route("/account-requests/{id}/grant", post(onboarding::grant))
        .route("/account-requests/{id}/refuse", post(onboarding::refuse))
        .route("/users/{id}/roles", post(users::grant))
        .route("/roles/{id}", axum::routing::delete(users::revoke))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route(
            "/campaigns/{id}",
            get(campaigns::get).put(campaigns::update),
        )
        .route("/items", get(items::list).post(items::create))
        .route("/items/batch", post(items::batch))
        .route("/items/export.xlsx", get(ledger::export))
        .route("/items/template.xlsx", get(ledger::template))
        .route("/items/import", post(ledger::import))
        .route("/items/{id}", get(items::get).patch(items::update))
        .route("/items/{id}/transitions", post(items::transition))
        .route("/items/{id}/notes", post(items::add_note))
        .route("/items/{id}/evidence", post(items::upload_evidence))
        .route("/attachments/{id}", get(items::download))
        .route("/orgs/{id}/rollup", get(items::rollup))
        .route(
            "/programmes",
            get(programmes::list).post(programmes::create),
        )
        .route("/programmes/{id}", get(programmes::get))
        .route("/jobs/{id}", get(jobs::get))
        .route(
            "/work-rules",
            get(reports::rules).post(reports::create_rule),
        )
        .route("/reports", get(reports::list))
        .route("/reports/{id}", get(reports::get).put(reports::write))
        .route("/reports/{id}/review", post(reports::review))
        .route("/bulletins", get(bulletins::list).post(bulletins::compute))
        .route("/bulletins/{id}", get(bulletins::get))
        .route("/bulletins/{id}/publish", post(bulletins::publish))
        .route("/interviews", get(interviews::list))
        .route("/interviews/{id}", get(interviews::get))
        .route("/interviews/{id}/decide", post(interviews::decide))
        .route("/interviews/{id}/record", post(interviews::record))
        .route("/bulletins/{id}/export.{format}", get(bulletins::export))
        .route(
            "/campaigns/{id}/scoring",
            get(bulletins::scoring).put(bulletins::set_scoring),
        )
        .route("/submissions", get(briefings::list).post(briefings::create))
        .route(
            "/submissions/{id}",
            get(briefings::get).put(briefings::update),
        )
        .route("/submissions/{id}/submit", post(briefings::submit))
        .route("/submissions/{id}/photos", post(briefings::add_photo))
        .route("/submissions/{id}/adopt", post(briefings::adopt))
        .route("/submissions/{id}/unadopt", post(briefings::unadopt))
        .route("/photos/{id}", get(briefings::photo))
        .route(
            "/briefings",
            get(briefings::list_briefings).post(briefings::create_briefing),
        )
        .route("/briefings/{id}", get(briefings::get_briefing))
        .route("/briefings/{id}/publish", post(briefings::publish_briefing))
        .route("/briefings/{id}/export.docx", get(briefings::export))
        .route("/search", get(search::find))
        .route("/dashboard", get(dashboard::get))
        .route(
            "/campaigns/{id}/metrics",
            get(campaigns::metrics).put(campaigns::set_metrics),
        )
        .route(
            "/meetings",
            get(records::list_meetings).post(records::create_meeting),
        )
        .route("/meetings/{id}", get(records::get_meeting))
        .route(
            "/research",
            get(records::list_topics).post(records::create_topic),
        )
        .route("/research/{id}", get(records::get_topic))
        .route("/research/{id}/visits", post(records::add_visit))
        .route("/research/{id}/findings", post(records::add_finding))
        .route("/research/{id}/report", post(records::report))
        .route("/findings/{id}/problem", post(records::raise_problem))
        .route(
            "/activities",
            get(records::list_activities).post(records::create_activity),
        )
        .route("/activities/{id}", get(records::get_activity))
        .route(
            "/key-works",
            get(records::list_key_works).post(records::create_key_work),
        )
        .route("/key-works/{id}", get(records::get_key_work))
        .route("/key-works/{id}/indicators", post(records::add_indicator))
        .route("/key-works/{id}/tasks", post(records::link_task))
        .route("/indicators/{id}/actuals", post(records::record_actual))
        .route("/indicators/{id}/confidence", post(records::set_confidence))
        .route("/orgs/{id}/organisation", get(records::get_organisation))
        .route("/orgs/{id}/plan", post(records::save_plan))
        .route("/orgs/{id}/plan/attachments", post(records::attach))
        .route("/plan-attachments/{id}", get(records::plan_attachment))
        .route(
            "/orgs/{id}/leading-group",
            axum::routing::put(records::set_group),
        )
        .route("/orgs/{id}/working-bodies", post(records::add_body))
        .route("/working-bodies/{id}/watch", post(records::watch))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route("/audit/purges", get(audit::purges).post(audit::purge))
        .route("/audit/purges/{id}/archive", get(audit::archive))
        .route("/me", get(me::get))
        .route("/me/password", post(me::change_password))
        .route("/me/email", axum::routing::put(me::set_email))
        .route("/users/{id}/email", axum::routing::put(users::set_email))
        .route(
            "/users/{id}/contact",
            axum::routing::put(users::set_contact),
        )
        .route("/me/todo", get(me::todo))
        .route("/me/inbox", get(me::inbox))
        .route("/me/inbox/{id}/read", post(me::read_notice))
        .route("/items/{id}/urge", post(items::urge))
        .route("/me/tokens", get(me::tokens).post(me::create_token))
        .route("/me/tokens/{id}", axum::routing::delete(me::revoke_token))
        .route(
            "/orgs/{id}/webhooks",
            get(notices::list_webhooks).post(notices::create_webhook),
        )
        .route(
            "/orgs/{id}/webhooks/{webhook_id}",
            axum::routing::patch(notices::update_webhook).delete(notices::delete_webhook),
        )
        .route(
            "/orgs/{id}/webhooks/{webhook_id}/test",
            post(notices::test_webhook),
        )
        .route("/orgs/{id}/urge", post(notices::urge_org))
        .route("/deliveries", get(notices::deliveries))
        .route("/deliveries/{id}/retry", post(notices::retry))
        .fallback(|| async {
            let mut e = ApiError::not_found();
            e.args.push(("what", "page".to_owned()));
            e
        })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "luodi API", description = "落地: campaign supervision. Every list is paged on the server; every change is audited; changes carry the version they read (If-Match or `version`)."),
    paths(
        orgs::list, orgs::create, orgs::lookup, orgs::get, orgs::update, orgs::children, orgs::move_org, orgs::import,
        users::list, users::create, users::lookup, users::get, users::disable, users::enable, users::reset_password, users::reset_totp, users::grant, users::revoke,
        resets::list, resets::approve, resets::refuse, resets::collect,
        onboarding::list, onboarding::request, onboarding::create, onboarding::grant, onboarding::refuse,
        campaigns::list, campaigns::create, campaigns::get, campaigns::update,
        items::list, items::create, items::get, items::update, items::transition, items::batch, items::add_note, items::rollup, items::upload_evidence, items::download, ledger::export, ledger::template, ledger::import,
        programmes::list, programmes::create, programmes::get,
        jobs::get,
        bulletins::compute, bulletins::list, bulletins::get, bulletins::publish, bulletins::scoring, bulletins::set_scoring, bulletins::export, interviews::list, interviews::get, interviews::decide, interviews::record,
        reports::rules, reports::create_rule, reports::list, reports::get, reports::write, reports::review,
        briefings::list, briefings::create, briefings::get, briefings::update, briefings::submit, briefings::add_photo, briefings::photo, briefings::adopt, briefings::unadopt,
        briefings::list_briefings, briefings::create_briefing, briefings::get_briefing, briefings::publish_briefing, briefings::export,
        search::find,
        dashboard::get, campaigns::metrics, campaigns::set_metrics,
        records::list_meetings, records::create_meeting, records::get_meeting,
        records::list_topics, records::create_topic, records::get_topic, records::add_visit, records::add_finding, records::report, records::raise_problem,
        records::list_activities, records::create_activity, records::get_activity,
        records::list_key_works, records::create_key_work, records::get_key_work, records::add_indicator, records::link_task, records::record_actual, records::set_confidence,
        records::get_organisation, records::save_plan, records::attach, records::plan_attachment, records::set_group, records::add_body, records::watch,
        audit::list, audit::verify, audit::purges, audit::purge, audit::archive,
        me::get, me::change_password, me::set_email, users::set_email, users::set_contact, me::todo, me::inbox, me::read_notice, items::urge, me::tokens, me::create_token, me::revoke_token,
        notices::list_webhooks, notices::create_webhook, notices::update_webhook, notices::delete_webhook, notices::test_webhook, notices::urge_org, notices::deliveries, notices::retry,
    ),
    components(schemas(ErrorBody, search::SearchAnswer, search::SearchHit, dashboard::DashboardAnswer, crate::kit::Drill)),
    modifiers(&Security),
    tags((name = "orgs"), (name = "users"), (name = "campaigns"), (name = "items"), (name = "programmes"), (name = "reports"), (name = "bulletins"), (name = "briefings"), (name = "search"), (name = "dashboard"), (name = "meetings"), (name = "research"), (name = "activities"), (name = "key_works"), (name = "organisation"), (name = "audit"), (name = "me"), (name = "notices"))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

pub fn docs() -> Router<AppState> {
    let swagger: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", ApiDoc::openapi())
        .into();
    swagger
}

/// The error body of every refusal.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code, e.g. `validation_failed`, `not_found`, `stale_version`.
    pub code: String,
    /// What went wrong, in the language of the request.
    pub message: String,
    /// `fields` (field, code, message), `rows` (row, column, header, code, message) or `reason`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Paging parameters of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page number.
    pub page: Option<i64>,
    /// Rows per page (1–500, default 50).
    pub per_page: Option<i64>,
}

impl Paging {
    pub fn page(&self) -> luodi_service::Page {
        luodi_service::Page::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T: ToSchema> PageOf<T> {
    pub fn from<S>(p: luodi_service::Paged<S>, f: impl Fn(S) -> T) -> Self {
        PageOf {
            items: p.items.into_iter().map(f).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// JSON bodies, with rejections turned into our error shape (malformed JSON, unknown fields,
/// missing fields, wrong content type).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> ApiError {
    let text = without_position(&rej.body_text());
    if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    }
    match rej {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request("malformed_json", text),
        JsonRejection::JsonDataError(_) if text.contains("unknown field") => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_field").with_text(text)
        }
        JsonRejection::JsonDataError(_) if text.contains("missing field") => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_field").with_text(text)
        }
        JsonRejection::JsonDataError(_) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_request").with_text(text)
        }
        _ => ApiError::bad_request("bad_request", text),
    }
}

/// A deserialiser's message without where in the text it stopped (`at line 1 column 57`):
/// the field and what was wrong are for the caller, positions in our parser are not.
fn without_position(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(at) = out.find(" at line ") {
        let rest = &out[at + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n = digits(rest);
        let tail = &rest[n..];
        let Some(col) = tail.strip_prefix(" column ") else {
            break;
        };
        let m = digits(col);
        if n == 0 || m == 0 {
            break;
        }
        let end = at + " at line ".len() + n + " column ".len() + m;
        out.replace_range(at..end, "");
    }
    out
}

/// The version a change is based on: `If-Match: "N"` or a `version` field. Returns it and
/// whether it came from `If-Match` (a stale one then answers 412 rather than 409).
pub fn expected_version(
    headers: &HeaderMap,
    body_version: Option<i64>,
) -> Result<(i64, bool), ApiError> {
    if let Some(v) = headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let n = v.trim().trim_start_matches("W/").trim_matches('"');
        return n.parse().map(|n| (n, true)).map_err(|_| {
            ApiError::bad_request(
                "bad_request",
                "If-Match must be a version number in quotes, e.g. \"3\"",
            )
        });
    }
    body_version
        .map(|v| (v, false))
        .ok_or_else(|| ApiError::new(StatusCode::PRECONDITION_REQUIRED, "version_required"))
}

/// Maps a stale-version conflict to 412 when the version came from `If-Match`.
pub fn stale_as_412(e: luodi_service::ServiceError, if_match: bool) -> ApiError {
    let mut a = ApiError::from(e);
    if if_match && a.code == "stale_version" {
        a.status = StatusCode::PRECONDITION_FAILED;
    }
    a
}

/// An `ETag` header value for a version.
pub fn etag(version: i64) -> (axum::http::HeaderName, String) {
    (axum::http::header::ETAG, format!("\"{version}\""))
}
