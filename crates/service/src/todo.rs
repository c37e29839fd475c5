//! 待办 (to-do): what waits on a person now, from their roles and scopes, in groups that each
//! count their entries and lead to the page where the work is done. Every count is one indexed
//! read (the roll-up counters, or a partial index of the few rows that wait), never a scan of a
//! province's items.

use crate::reminders::record_scopes;
use crate::{Actor, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::role::{Permission, Role};
use luodi_store::deliveries::{self, DeliveryFilter};
use luodi_store::items::{self, ItemFilter, ItemSort};
use luodi_store::reports::{self, ReportFilter};
use luodi_store::{audit, interviews, resets, Conn, Page};
use serde::Serialize;

/// One kind of work waiting, with how much there is and where it is done.
#[derive(Debug, Clone, Serialize)]
pub struct TodoGroup {
    /// sign_off, overdue, due_soon, reports_to_write, assign, close_out, extension,
    /// reports_to_review, interviews, red, notices, resets_to_decide, resets_to_hand_out,
    /// onboarding_to_create, onboarding_to_grant, deliveries_failed or audit_unsealed.
    pub kind: &'static str,
    pub count: i64,
    /// The page where the work is done, filtered to exactly these entries.
    pub path: String,
    /// Past a deadline or otherwise pressing.
    pub urgent: bool,
    /// The first few entries (on the to-do page; none for the count in the top bar).
    pub entries: Vec<TodoEntry>,
}

/// One entry of a group, linked to where it is done.
#[derive(Debug, Clone, Serialize)]
pub struct TodoEntry {
    pub title: String,
    /// The org it concerns.
    pub org: String,
    pub due_on: Option<NaiveDate>,
    /// red, yellow or green, for items.
    pub light: Option<String>,
    pub path: String,
}

/// What waits on a person: the groups that have something in them, most pressing first.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    pub groups: Vec<TodoGroup>,
    /// All entries of all groups.
    pub total: i64,
}

/// An item group's filter: `deliver` items of the actor's unit (a liaison: the whole unit; a
/// responsible person: their own), or `supervise` items under the actor's supervision.
struct ItemGroup {
    kind: &'static str,
    filter: ItemFilter,
    path: String,
    urgent: bool,
}

const OPEN: [&str; 5] = [
    "assigned",
    "returned",
    "in_progress",
    "close_out_requested",
    "under_review",
];
const TO_WRITE: [&str; 3] = ["open", "draft", "sent_back"];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn item_groups(actor: &Actor) -> Vec<ItemGroup> {
    let mut out = Vec::new();
    let roles = actor.roles();
    let deliver = actor.scopes(Permission::DeliverItems);
    if !deliver.is_empty() {
        // A liaison answers for the whole unit; a responsible person for what bears their name.
        let unit_wide = roles.contains(&Role::UnitLiaison);
        let mine = if unit_wide { None } else { actor.user_id };
        if unit_wide || mine.is_some() {
            let base = ItemFilter {
                scopes: deliver.clone(),
                responsible_user_id: mine,
                ..Default::default()
            };
            let suffix = if mine.is_some() { "&mine=1" } else { "" };
            out.push(ItemGroup {
                kind: "sign_off",
                filter: ItemFilter {
                    statuses: strings(&["assigned"]),
                    ..base.clone()
                },
                path: format!("/ledger?status=assigned{suffix}"),
                urgent: false,
            });
            out.push(ItemGroup {
                kind: "overdue",
                filter: ItemFilter {
                    statuses: strings(&OPEN),
                    timeliness: Some("overdue".into()),
                    ..base.clone()
                },
                path: format!("/ledger?status=open&timeliness=overdue{suffix}"),
                urgent: true,
            });
            out.push(ItemGroup {
                kind: "due_soon",
                filter: ItemFilter {
                    statuses: strings(&OPEN),
                    timeliness: Some("due_soon".into()),
                    ..base
                },
                path: format!("/ledger?status=open&timeliness=due_soon{suffix}"),
                urgent: false,
            });
        }
    }
    let supervise = actor.scopes(Permission::SuperviseItems);
    if !supervise.is_empty() {
        let base = ItemFilter {
            scopes: supervise,
            ..Default::default()
        };
        out.push(ItemGroup {
            kind: "assign",
            filter: ItemFilter {
                statuses: strings(&["draft", "returned"]),
                ..base.clone()
            },
            path: "/ledger?status=draft,returned".into(),
            urgent: false,
        });
        out.push(ItemGroup {
            kind: "close_out",
            filter: ItemFilter {
                statuses: strings(&["close_out_requested", "under_review"]),
                ..base.clone()
            },
            path: "/ledger?status=close_out_requested,under_review".into(),
            urgent: false,
        });
        out.push(ItemGroup {
            kind: "extension",
            filter: ItemFilter {
                pending_extension: true,
                ..base
            },
            path: "/ledger?extension=pending".into(),
            urgent: false,
        });
    }
    // Who only reads (a leader) is shown what is red under them.
    if deliver_or_supervise(actor).is_none() {
        let read = actor.scopes(Permission::ReadItems);
        if !read.is_empty() {
            out.push(ItemGroup {
                kind: "red",
                filter: ItemFilter {
                    scopes: read,
                    statuses: strings(&OPEN),
                    light: Some("red".into()),
                    ..Default::default()
                },
                path: "/ledger?status=open&light=red".into(),
                urgent: true,
            });
        }
    }
    out
}

fn deliver_or_supervise(actor: &Actor) -> Option<()> {
    (actor.can_somewhere(Permission::DeliverItems)
        || actor.can_somewhere(Permission::SuperviseItems))
    .then_some(())
}

/// What waits on `actor` now; with `preview`, the first entries of each group as well.
pub async fn todo(svc: &Services, actor: &Actor, preview: i64) -> ServiceResult<Todo> {
    crate::items::refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let mut groups = Vec::new();
    for g in item_groups(actor) {
        let (count, entries) = if preview > 0 {
            let page =
                items::list(c.conn(), &g.filter, ItemSort::DueOn, Page::new(1, preview)).await?;
            let entries = page
                .items
                .into_iter()
                .map(|r| TodoEntry {
                    path: format!("/items/{}", r.item.id),
                    title: r.item.title,
                    org: r.lead_org_name,
                    due_on: Some(match r.item.pending_extension_on {
                        Some(d) if g.kind == "extension" => d,
                        _ => r.item.due_on,
                    }),
                    light: Some(r.item.light),
                })
                .collect();
            (page.total, entries)
        } else {
            (items::count(c.conn(), &g.filter).await?, Vec::new())
        };
        groups.push(TodoGroup {
            kind: g.kind,
            count,
            path: g.path,
            urgent: g.urgent,
            entries,
        });
    }
    report_groups(c.conn(), actor, preview, &mut groups).await?;
    interview_group(c.conn(), actor, &mut groups).await?;
    admin_groups(c.conn(), actor, svc.now(), &mut groups).await?;
    if let Some(uid) = actor.user_id {
        let unread = deliveries::unread(c.conn(), uid).await?;
        groups.push(TodoGroup {
            kind: "notices",
            count: unread,
            path: "/inbox".into(),
            urgent: false,
            entries: Vec::new(),
        });
    }
    groups.retain(|g| g.count > 0);
    // Pressing first, then as listed.
    groups.sort_by_key(|g| !g.urgent);
    let total = groups.iter().map(|g| g.count).sum();
    Ok(Todo { groups, total })
}

/// Reports to write (the unit's) and to review (under supervision).
async fn report_groups(
    mut c: Conn<'_>,
    actor: &Actor,
    preview: i64,
    groups: &mut Vec<TodoGroup>,
) -> ServiceResult<()> {
    let deliver = actor.scopes(Permission::DeliverItems);
    let supervise = actor.scopes(Permission::SuperviseItems);
    let write = (!deliver.is_empty()).then(|| ReportFilter {
        scopes: deliver,
        statuses: strings(&TO_WRITE),
        ..Default::default()
    });
    let review = (!supervise.is_empty()).then(|| ReportFilter {
        scopes: supervise,
        awaiting_review: true,
        ..Default::default()
    });
    for (kind, f, path) in [
        ("reports_to_write", write, "/reports?status=to_write"),
        ("reports_to_review", review, "/reports?status=submitted"),
    ] {
        let Some(f) = f else { continue };
        // A province's reports awaiting review are many: counted, not listed (sorting them all
        // for five would cost more than the rest of the page).
        let (count, entries) = if preview > 0 && !f.awaiting_review {
            let page = reports::list(c.re(), &f, Page::new(1, preview)).await?;
            let entries = page
                .items
                .into_iter()
                .map(|r| TodoEntry {
                    path: format!("/reports/{}", r.id),
                    title: format!("{} {}", r.rule_name, r.period_key),
                    org: r.org_name,
                    due_on: Some(
                        r.due_at
                            .with_timezone(&chrono_tz::Asia::Shanghai)
                            .date_naive(),
                    ),
                    light: None,
                })
                .collect();
            (page.total, entries)
        } else {
            (reports::count(c.re(), &f).await?, Vec::new())
        };
        groups.push(TodoGroup {
            kind,
            count,
            path: path.into(),
            urgent: false,
            entries,
        });
    }
    Ok(())
}

/// Interview proposals for the office to confirm or dismiss.
async fn interview_group(
    c: Conn<'_>,
    actor: &Actor,
    groups: &mut Vec<TodoGroup>,
) -> ServiceResult<()> {
    let scopes = actor.scopes(Permission::SuperviseItems);
    if scopes.is_empty() {
        return Ok(());
    }
    groups.push(TodoGroup {
        kind: "interviews",
        count: interviews::count(c, &scopes, "proposed").await?,
        path: "/interviews".into(),
        urgent: false,
        entries: Vec::new(),
    });
    Ok(())
}

/// The administrators' own: credential resets to decide or hand out, account requests to
/// create or grant, deliveries given up, the audit chain behind.
async fn admin_groups(
    mut c: Conn<'_>,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    groups: &mut Vec<TodoGroup>,
) -> ServiceResult<()> {
    if actor.can_somewhere(Permission::ApproveResets)
        || actor.can_somewhere(Permission::ManageAccounts)
    {
        let list = resets::list(c.re(), None, 200).await?;
        let decide = list
            .iter()
            .filter(|r| crate::resets::may_decide(actor, r))
            .count();
        let hand_out = list
            .iter()
            .filter(|r| crate::resets::may_collect(actor, r))
            .count();
        for (kind, n) in [
            ("resets_to_decide", decide),
            ("resets_to_hand_out", hand_out),
        ] {
            groups.push(TodoGroup {
                kind,
                count: n as i64,
                path: "/admin/resets".into(),
                urgent: false,
                entries: Vec::new(),
            });
        }
    }
    if actor.can_somewhere(Permission::ManageAccounts)
        || actor.can_somewhere(Permission::ManageRoles)
    {
        let (to_create, to_grant) = crate::onboarding::waiting(c.re(), actor).await?;
        for (kind, n) in [
            ("onboarding_to_create", to_create),
            ("onboarding_to_grant", to_grant),
        ] {
            groups.push(TodoGroup {
                kind,
                count: n,
                path: "/onboarding".into(),
                urgent: false,
                entries: Vec::new(),
            });
        }
    }
    let scopes = record_scopes(actor);
    if !scopes.is_empty() {
        let f = DeliveryFilter {
            include_orgless: scopes.iter().any(|s| s == "/"),
            scopes,
            status: Some("failed".into()),
            channel: None,
        };
        groups.push(TodoGroup {
            kind: "deliveries_failed",
            count: deliveries::count(c.re(), &f).await?,
            path: "/deliveries?status=failed".into(),
            urgent: true,
            entries: Vec::new(),
        });
    }
    if actor.can_somewhere(Permission::ReadAudit) {
        // The sealer runs every few seconds: records older than a few minutes mean it is behind.
        let before = now - chrono::Duration::minutes(5);
        groups.push(TodoGroup {
            kind: "audit_unsealed",
            count: audit::unsealed_count(c.re(), before).await?,
            path: "/audit/chain".into(),
            urgent: false,
            entries: Vec::new(),
        });
    }
    Ok(())
}

/// How much waits on `actor`: the count in the top bar of every page.
pub async fn count(svc: &Services, actor: &Actor) -> ServiceResult<i64> {
    Ok(todo(svc, actor, 0).await?.total)
}
