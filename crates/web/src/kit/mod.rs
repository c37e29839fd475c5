//! The web layer's toolkit: what the JSON API (`api/`) and the pages (`ui/`) share, so that
//! neither imports the other. The page frame and rendering ([`Ctx`], [`render`], the error
//! page), forms and their errors, refusals shown on their page, lists and pagers, query strings and links, uploads, and files
//! handed out as downloads.

mod batch;
mod download;
mod export;
mod form;
mod ledger_query;
mod links;
mod list;
mod notice;
mod page;
mod refusal;
mod upload;

pub use batch::{batch_answer, BatchAnswer, BatchItemResult};
pub use download::{attachment_response, inline_response, photo_response, viewable};
pub use export::{export_href, export_page, xlsx_list, Cell, XLSX};
pub use form::{
    kind_options, parse_version, render_status, see_other, see_refused, see_refused_code,
    validation, FormErrors,
};
pub use ledger_query::{item_query, ItemListParams};
pub use links::{drill, href, Drill, OrgDrill, PeriodDrill, PhaseDrill, WeekDrill};
pub use list::{fmt_time, opt_id, pager_info, query_base, ListQuery, Pager};
pub use notice::{notice_link, notice_text};
pub use page::{error_page, render, Ctx, Nav, ScopeOption, UserCtx};
pub use refusal::{reshow, shown_on_page};
pub use upload::{read_upload, read_uploads};
