//! Server-rendered pages, one file per page or small family. Every page gets a [`Ctx`]: language,
//! the signed-in user, what the navigation may show, and the scope the user is standing in (the
//! scope switcher). What pages share with the API lives in [`crate::kit`].

pub mod account;
pub mod activities;
pub mod admin;
pub mod audit;
pub mod briefings;
pub mod bulletins;
pub mod campaigns;
pub mod charts;
pub mod dashboard;
pub mod excel;
pub mod forms;
pub mod home;
pub mod inbox;
pub mod interviews;
pub mod item_edit;
pub mod keyworks;
pub mod ledger;
pub mod meetings;
pub mod notices;
pub mod onboarding;
pub mod organisation;
pub mod orgs;
pub mod programmes;
pub mod records;
pub mod reports;
pub mod research;
pub mod resets;
pub mod search;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

// What every page takes from the toolkit, for `use super::…` in the page files.
pub use crate::kit::{
    export_href, export_page, fmt_time, kind_options, opt_id, pager_info, parse_version,
    query_base, render, render_status, see_other, see_refused, validation, xlsx_list, Cell, Ctx,
    FormErrors, ListQuery, Nav, Pager, ScopeOption, UserCtx,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route(
            "/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/lang", post(account::set_lang))
        .route("/scope", post(account::set_scope))
        .route("/account", get(account::account_page))
        .route("/login/totp", get(account::code_page).post(account::code))
        .route("/account/totp", get(account::totp_page))
        .route("/account/totp/begin", post(account::totp_begin))
        .route("/account/totp/confirm", post(account::totp_confirm))
        .route("/account/tokens", post(account::create_token))
        .route("/account/email", post(account::set_email))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .merge(orgs::routes())
        .merge(campaigns::routes())
        .merge(admin::routes())
        .merge(resets::routes())
        .merge(onboarding::routes())
        .merge(audit::routes())
        .merge(ledger::routes())
        .merge(item_edit::routes())
        .merge(excel::routes())
        .merge(programmes::routes())
        .merge(reports::routes())
        .merge(bulletins::routes())
        .merge(notices::routes())
        .merge(inbox::routes())
        .merge(interviews::routes())
        .merge(briefings::routes())
        .merge(search::routes())
        .merge(dashboard::routes())
        .merge(meetings::routes())
        .merge(research::routes())
        .merge(activities::routes())
        .merge(keyworks::routes())
        .merge(organisation::routes())
}
