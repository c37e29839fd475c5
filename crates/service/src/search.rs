//! One search box over what units record: items (tasks, rectification items, and the problems
//! they carry), situation reports, meetings, research topics and study activities. Chinese text is segmented
//! with jieba; results are ranked by the database's full-text index and cut to the reader's
//! scope in the same query, so nobody ever finds what they may not read.

use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::Permission;
use luodi_domain::search::query_terms;
use luodi_store::search::{self, Hit, Query};
use luodi_store::{Page, Paged};
use serde::Serialize;

/// The kinds of record the index holds.
pub const KINDS: [&str; 5] = ["item", "report", "meeting", "research", "activity"];

/// A page of results and the words that were matched (for highlighting).
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub terms: Vec<String>,
    #[serde(flatten)]
    pub hits: Paged<Hit>,
}

/// Looks for every word of `q` within the actor's scope.
pub async fn find(
    svc: &Services,
    actor: &Actor,
    q: &str,
    kind: Option<&str>,
    campaign_id: Option<i64>,
    page: Page,
) -> ServiceResult<Results> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let kind = kind.map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = kind {
        if !KINDS.contains(&k) {
            return Err(invalid("kind", "unknown_value"));
        }
    }
    let terms = query_terms(q);
    let mut c = svc.db.read().await?;
    let hits = search::find(
        c.conn(),
        &Query {
            terms: terms.clone(),
            scopes: actor.scopes(Permission::ReadItems),
            kind: kind.map(str::to_owned),
            campaign_id,
        },
        page,
    )
    .await?;
    Ok(Results { terms, hits })
}

/// Rebuilds the index of every record, a batch per transaction; returns how many
/// records were indexed. For databases written before the index existed, and for repairs.
pub async fn reindex(svc: &Services) -> ServiceResult<usize> {
    const BATCH: i64 = 500;
    let mut n = 0;
    for kind in KINDS {
        let mut after = 0;
        loop {
            let ids = {
                let mut c = svc.db.read().await?;
                search::ids_after(c.conn(), kind, after, BATCH).await?
            };
            let Some(last) = ids.last().copied() else {
                break;
            };
            let mut tx = svc.db.begin().await?;
            for id in &ids {
                let c = tx.conn();
                match kind {
                    "report" => luodi_store::reports::reindex(c, *id).await?,
                    "meeting" => luodi_store::meetings::reindex(c, *id).await?,
                    "research" => luodi_store::research::reindex(c, *id).await?,
                    "activity" => luodi_store::activities::reindex(c, *id).await?,
                    _ => luodi_store::items::reindex(c, *id).await?,
                }
            }
            tx.commit().await?;
            n += ids.len();
            after = last;
        }
    }
    Ok(n)
}

/// Builds the index at start-up when it is empty but there is something to index (a database
/// from before the index existed).
pub async fn reindex_if_empty(svc: &Services) -> ServiceResult<Option<usize>> {
    let (indexed, any) = {
        let mut c = svc.db.read().await?;
        let indexed = search::count(c.conn()).await?;
        let any = !search::ids_after(c.conn(), "item", 0, 1).await?.is_empty();
        (indexed, any)
    };
    if indexed > 0 || !any {
        return Ok(None);
    }
    Ok(Some(reindex(svc).await?))
}
