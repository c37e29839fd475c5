//! The frame of every page: its context (language, the signed-in user, what the navigation may
//! show, the scope the user stands in and the switcher), rendering with a status, and the error
//! page.

use crate::auth;
use crate::error::{ApiError, Explained};
use crate::i18n::{I18n, Lang};
use crate::AppState;
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use luodi_domain::role::{Permission, Role};
use luodi_service::auth::SignedIn;
use luodi_service::orgs::Org;
use std::sync::Arc;

/// What the side navigation may show.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub items: bool,
    pub orgs: bool,
    pub manage_orgs: bool,
    pub campaigns: bool,
    pub users: bool,
    pub audit: bool,
    /// The record of e-mail and robot notices.
    pub deliveries: bool,
    /// Requests to reset an administrator's credentials.
    pub resets: bool,
    /// 账号申请: the office that asks, the administrators who create and grant.
    pub onboarding: bool,
}

#[derive(Debug, Clone)]
pub struct UserCtx {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

/// An option in the scope switcher.
#[derive(Debug, Clone)]
pub struct ScopeOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

/// The context every page template receives.
pub struct Ctx {
    pub i18n: Arc<I18n>,
    pub lang: Lang,
    pub title: String,
    pub active: &'static str,
    pub user: Option<UserCtx>,
    pub nav: Nav,
    /// The org the user stands in, if any (whole-tree users may stand nowhere).
    pub scope: Option<Org>,
    pub scope_options: Vec<ScopeOption>,
    pub crumbs: Vec<(String, String)>,
    pub flash: Option<String>,
    /// Why the last action was refused (after a redirect), in the reader's language.
    pub refusal: Option<String>,
    pub back: String,
    /// The list's "导出Excel" link with the page's filters ([`crate::kit::export_href`]); empty
    /// on pages that export nothing.
    pub export: String,
    /// How much waits on the user (the to-do count in the top bar) and how many notices are
    /// unread.
    pub waiting: i64,
    pub unread: i64,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(self.lang, key)
    }
    /// A picker's (code, label) pairs: each code labelled by the text of `prefix` + code.
    pub fn options<S: AsRef<str>>(&self, prefix: &str, codes: &[S]) -> Vec<(String, String)> {
        codes
            .iter()
            .map(|c| {
                let c = c.as_ref();
                (c.to_owned(), self.t(&format!("{prefix}{c}")))
            })
            .collect()
    }
    pub fn tr(&self, key: &str, args: &[(&str, String)]) -> String {
        self.i18n.tr(self.lang, key, args)
    }
    pub fn kind(&self, kind: &str) -> String {
        self.t(&format!("kind-{kind}"))
    }
    pub fn role(&self, role: &str) -> String {
        self.t(&format!("role-{role}"))
    }
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// A context for pages seen before signing in.
    pub fn anonymous(state: &AppState, headers: &HeaderMap, title_key: &str) -> Ctx {
        let lang = auth::lang_of(headers);
        Ctx {
            title: state.i18n.t(lang, title_key),
            i18n: state.i18n.clone(),
            lang,
            active: "",
            user: None,
            nav: Nav::default(),
            scope: None,
            scope_options: Vec::new(),
            crumbs: Vec::new(),
            flash: None,
            refusal: None,
            back: "/".into(),
            export: String::new(),
            waiting: 0,
            unread: 0,
        }
    }

    /// A context for a signed-in page: loads the scope the user stands in and the switcher.
    pub async fn signed(
        state: &AppState,
        headers: &HeaderMap,
        signed: &SignedIn,
        active: &'static str,
        title_key: &str,
    ) -> Result<Ctx, ApiError> {
        let mut ctx = Ctx::anonymous(state, headers, title_key);
        ctx.active = active;
        let a = &signed.actor;
        ctx.user = Some(UserCtx {
            id: signed.user.id,
            username: signed.user.username.clone(),
            display_name: signed.user.display_name.clone(),
            roles: a
                .roles()
                .iter()
                .map(|r: &Role| ctx.t(&format!("role-{}", r.as_str())))
                .collect(),
        });
        ctx.nav = Nav {
            items: a.can_somewhere(Permission::ReadItems),
            orgs: a.can_somewhere(Permission::ReadOrgs),
            manage_orgs: a.can_somewhere(Permission::ManageOrgs),
            campaigns: a.can_somewhere(Permission::ReadCampaigns),
            users: a.can_somewhere(Permission::ReadUsers),
            audit: a.can_somewhere(Permission::ReadAudit),
            deliveries: a.can_somewhere(Permission::ReadAudit)
                || a.can_somewhere(Permission::ManageOrgs),
            resets: a.can_somewhere(Permission::ApproveResets)
                || a.can_somewhere(Permission::ManageAccounts),
            onboarding: luodi_service::onboarding::may_list(a),
        };
        ctx.waiting = luodi_service::todo::count(&state.svc, a)
            .await
            .map_err(ApiError::from)?;
        ctx.unread = luodi_service::reminders::unread(&state.svc, signed.user.id)
            .await
            .map_err(ApiError::from)?;
        let roots = luodi_service::orgs::children(&state.svc, a, None, false)
            .await
            .map_err(ApiError::from)?;
        let chosen = match signed.scope_org_id {
            Some(id) => luodi_service::orgs::get(&state.svc, a, id).await.ok(),
            None => None,
        };
        // Standing nowhere chosen: a user with one scope root stands there.
        ctx.scope = chosen.or_else(|| {
            if roots.len() == 1 {
                roots.first().map(|n| n.org.clone())
            } else {
                None
            }
        });
        let mut options: Vec<ScopeOption> = Vec::new();
        let whole_tree = a.scopes(Permission::ReadOrgs).iter().any(|s| s == "/");
        if whole_tree {
            options.push(ScopeOption {
                id: 0,
                label: ctx.t("scope-all"),
                selected: ctx.scope.is_none(),
            });
        }
        for n in &roots {
            options.push(ScopeOption {
                id: n.org.id,
                label: n.org.name.clone(),
                selected: false,
            });
        }
        if let Some(s) = &ctx.scope {
            let detail = luodi_service::orgs::detail(&state.svc, a, s.id)
                .await
                .map_err(ApiError::from)?;
            for anc in detail.ancestors {
                if !options.iter().any(|o| o.id == anc.id) {
                    options.push(ScopeOption {
                        id: anc.id,
                        label: format!("↑ {}", anc.name),
                        selected: false,
                    });
                }
            }
            if !options.iter().any(|o| o.id == s.id) {
                options.push(ScopeOption {
                    id: s.id,
                    label: s.name.clone(),
                    selected: false,
                });
            }
            let kids = luodi_service::orgs::children(&state.svc, a, Some(s.id), false)
                .await
                .map_err(ApiError::from)?;
            for k in kids.into_iter().take(100) {
                options.push(ScopeOption {
                    id: k.org.id,
                    label: format!("↳ {}", k.org.name),
                    selected: false,
                });
            }
            for o in options.iter_mut() {
                o.selected = o.id == s.id;
            }
        }
        ctx.scope_options = options;
        Ok(ctx)
    }

    /// Shows `flash-<key>` from the `ok` query parameter after a redirect, if it is a known key.
    pub fn with_flash(mut self, ok: Option<&str>) -> Self {
        if let Some(k) = ok.filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
            let key = format!("flash-{k}");
            if self.i18n.has(self.lang, &key) {
                self.flash = Some(self.t(&key));
            }
        }
        self
    }

    /// Shows why an action was refused: `code` is an error code (`err-{code}`).
    pub fn with_refusal(mut self, code: Option<&str>) -> Self {
        if let Some(k) = code.filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
            let key = format!("err-{k}");
            if self.i18n.has(self.lang, &key) {
                self.refusal = Some(self.t(&key));
            }
        }
        self
    }

    pub fn crumb(mut self, label: String, href: &str) -> Self {
        self.crumbs.push((label, href.to_owned()));
        self
    }
}

/// Renders a template into a response; a template error is a 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: Ctx,
    status: u16,
    x: &'a Explained,
}

/// The page shown for an error in the UI.
pub fn error_page(state: &AppState, lang: Lang, status: StatusCode, x: &Explained) -> String {
    let mut ctx = Ctx::anonymous(state, &HeaderMap::new(), "error-title");
    ctx.lang = lang;
    ctx.title = state.i18n.t(lang, "error-title");
    ErrorPage {
        ctx,
        status: status.as_u16(),
        x,
    }
    .render()
    .unwrap_or_else(|_| x.message.clone())
}
