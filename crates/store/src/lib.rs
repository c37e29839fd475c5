//! Storage for luodi: one `Db` over SQLite or PostgreSQL, chosen by URL. Queries are written once
//! with `$N` placeholders (both drivers accept them) through [`sql::Sql`], and bound for each
//! backend in [`db`]. What differs between the backends lives in one module per concern:
//! connections, binding and schema introspection in `db`, the schema in the two migration
//! folders, full-text matching in `search`, bulk loading (for `luodi gen`) in `bulk`, and the
//! few fragments of ordinary queries that differ (planner hints, row locks, counter shards, the
//! audit sealer's snapshot horizon) in `dialect`. No other module names a backend; a test in
//! `dialect` keeps it so.

pub mod account_requests;
pub mod activities;
pub mod audit;
pub mod briefings;
pub mod bulk;
pub mod bulletins;
pub mod campaigns;
pub mod dashboard;
pub mod db;
pub mod deliveries;
mod dialect;
pub mod error;
pub mod files;
pub mod interviews;
pub mod items;
pub mod keyworks;
pub mod meetings;
pub mod organisation;
pub mod orgs;
pub mod programmes;
pub mod reports;
pub mod research;
pub mod resets;
pub mod scheduler;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod sql;
pub mod users;
pub mod webhooks;
pub mod writer;

pub use db::{Backend, Conn, Db, Tx};
pub use error::{StoreError, StoreResult};
pub use sql::Sql;

/// A page request: 1-based page number and rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub const MAX_PER_PAGE: i64 = 500;
    /// Far past any list's end, and small enough that the offset cannot overflow.
    pub const MAX_PAGE: i64 = 10_000_000;

    pub fn new(page: i64, per_page: i64) -> Self {
        Self {
            page: page.clamp(1, Self::MAX_PAGE),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }
    /// Most rows a list exported as a spreadsheet holds: one query, however large the page.
    pub const EXPORT_ROWS: i64 = 10_000;

    /// The first [`Self::EXPORT_ROWS`] rows of a list, for its spreadsheet (past the pages'
    /// [`Self::MAX_PER_PAGE`], which bounds what one page of HTML shows).
    pub fn export() -> Self {
        Self {
            page: 1,
            per_page: Self::EXPORT_ROWS,
        }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 50,
        }
    }
}

/// One page of rows and the total count behind it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}
