//! `luodi gen`: a synthetic province at the scale luodi is built for, to measure it on. Six
//! levels shaped like a real province (14 cities, ~100 counties, provincial, city and county
//! departments, units, Party branches), a campaign with its phases, a weekly reporting rule,
//! tasks and rectification items in every state with their measures, history, extensions and
//! close-outs, W weeks of reports, study activities and key-work indicators with weekly actuals.
//!
//! The small things (campaign, work rule, key works) go through the services like any user's;
//! the millions of rows go in through [`luodi_store::bulk`], with every derived column computed
//! by the same domain rules the services use (lights, buckets, roll-up counters, search terms),
//! so the result is indistinguishable from a database luodi filled itself. The same seed and
//! day give the same province.

use crate::gen_text as t;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use luodi_domain::cadence::Cadence;
use luodi_domain::org::{ancestor_ids, OrgKind};
use luodi_domain::search::index_terms;
use luodi_domain::FixedClock;
use luodi_service::campaigns::{CampaignInput, GoalInput, PhaseEntry};
use luodi_service::items::{derive, item_rules, ItemRules};
use luodi_service::{Actor, Services};
use luodi_store::items::{item_row, Item, EVENT_COLUMNS, ITEM_COLUMNS};
use luodi_store::sql::Arg;
use luodi_store::{bulk, Backend};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub orgs: usize,
    pub items: usize,
    pub weeks: u32,
    pub seed: u64,
    /// The day the province is generated as of (deadlines fall before and after it).
    pub today: NaiveDate,
}

/// An account the generator made (every password is the demo password).
#[derive(Debug, Clone)]
pub struct GenLogin {
    pub username: String,
    pub role: &'static str,
    pub org_code: Option<String>,
}

/// What was generated, and how long each part took.
#[derive(Debug, Default)]
pub struct Generated {
    pub campaign_id: i64,
    pub counts: Vec<(&'static str, u64)>,
    pub timings: Vec<(&'static str, std::time::Duration)>,
    pub logins: Vec<GenLogin>,
}

/// Progress: the part, how far, out of how much.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// A small deterministic generator (SplitMix64): the same seed gives the same province on
/// every machine, without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// An index chosen by `weights`.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| *w as u64).sum();
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w as u64 {
                return i;
            }
            r -= *w as u64;
        }
        weights.len() - 1
    }
}

/// An org of the synthetic tree; ids are positions + 1, parents come first.
#[derive(Debug, Clone)]
pub struct GenOrg {
    pub id: i64,
    pub parent: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub path: String,
    pub depth: i64,
}

#[derive(Default)]
struct TreeBuilder {
    orgs: Vec<GenOrg>,
    children: Vec<u32>,
    limit: usize,
}

impl TreeBuilder {
    fn full(&self) -> bool {
        self.orgs.len() >= self.limit
    }
    /// Adds a child of `parent` (an id), named by `name`; its code is the parent's plus `tag`
    /// and the child's ordinal. Returns the new id, or None when the tree is full.
    fn push(&mut self, parent: Option<i64>, kind: OrgKind, tag: &str, name: String) -> Option<i64> {
        if self.full() {
            return None;
        }
        let id = self.orgs.len() as i64 + 1;
        let (code, path, depth) = match parent {
            None => ("LN".to_owned(), format!("/{id}/"), 1),
            Some(p) => {
                let pi = (p - 1) as usize;
                self.children[pi] += 1;
                let n = self.children[pi];
                let parent = &self.orgs[pi];
                let width = if matches!(kind, OrgKind::Unit) { 3 } else { 2 };
                (
                    format!("{}{tag}{n:0width$}", parent.code),
                    format!("{}{id}/", parent.path),
                    parent.depth + 1,
                )
            }
        };
        self.orgs.push(GenOrg {
            id,
            parent,
            code,
            name,
            kind,
            path,
            depth,
        });
        self.children.push(0);
        Some(id)
    }
    fn name(&self, id: i64) -> String {
        self.orgs[(id - 1) as usize].name.clone()
    }
}

/// The org tree of a province of `n` orgs (exactly `n` when `n` ≥ 2): the province, its cities
/// and counties, departments at each of the three levels (a few provincial ones are
/// enterprises), then units under departments and Party branches under units, which take what
/// is left. At 10^5 orgs it has six levels.
pub fn province(n: usize, rng: &mut Rng) -> Vec<GenOrg> {
    let n = n.max(1);
    let mut b = TreeBuilder {
        limit: n,
        ..Default::default()
    };
    let Some(root) = b.push(None, OrgKind::Province, "", t::PROVINCE.to_owned()) else {
        return b.orgs;
    };
    let cities: Vec<i64> = t::CITIES
        .iter()
        .filter_map(|c| b.push(Some(root), OrgKind::City, "", (*c).to_owned()))
        .collect();
    let mut departments = Vec::new();
    let prov_depts = (n / 2500).clamp(1, 40);
    for i in 0..prov_depts {
        let (kind, name) = if i % 5 == 4 {
            (
                OrgKind::Enterprise,
                format!("辽宁{}", t::ENTERPRISES[(i / 5) % t::ENTERPRISES.len()]),
            )
        } else {
            (
                OrgKind::Department,
                format!(
                    "{}{}",
                    t::PROVINCE,
                    t::DEPARTMENTS[i % t::DEPARTMENTS.len()]
                ),
            )
        };
        let tag = if kind == OrgKind::Enterprise {
            "E"
        } else {
            "D"
        };
        departments.extend(b.push(Some(root), kind, tag, name));
    }
    let mut counties = Vec::new();
    if !cities.is_empty() {
        for i in 0..(n / 20).min(100) {
            let city = cities[i % cities.len()];
            let name = format!(
                "{}{}{}",
                b.name(city),
                t::COUNTY_STEMS[i % t::COUNTY_STEMS.len()],
                t::COUNTY_SUFFIXES[(i / t::COUNTY_STEMS.len() + i) % 3]
            );
            counties.extend(b.push(Some(city), OrgKind::County, "", name));
        }
    }
    for (per, parents) in [
        ((n / 4000).clamp(1, 25), &cities),
        ((n / 5000).clamp(1, 20), &counties),
    ] {
        for p in parents.iter() {
            for i in 0..per {
                let name = format!("{}{}", b.name(*p), t::DEPARTMENTS[i % t::DEPARTMENTS.len()]);
                departments.extend(b.push(Some(*p), OrgKind::Department, "D", name));
            }
        }
    }
    // What is left: about three in ten are units (under departments), the rest Party branches
    // (under units), so that a department has a dozen units and a unit two or three branches.
    let left = n.saturating_sub(b.orgs.len());
    let mut units = Vec::new();
    if !departments.is_empty() {
        let n_units = (left * 3 / 10).max(left.min(1));
        let mut per_dept = vec![0usize; departments.len()];
        for _ in 0..n_units {
            let d = rng.below(departments.len() as u64) as usize;
            per_dept[d] += 1;
        }
        for (d, count) in departments.iter().zip(per_dept) {
            for k in 0..count {
                let suffix = t::UNITS[k % t::UNITS.len()];
                let name = if k < t::UNITS.len() {
                    format!("{}{suffix}", b.name(*d))
                } else {
                    format!("{}{suffix}{}", b.name(*d), k / t::UNITS.len() + 1)
                };
                units.extend(b.push(Some(*d), OrgKind::Unit, "U", name));
            }
        }
    }
    if !units.is_empty() {
        let left = n.saturating_sub(b.orgs.len());
        let mut per_unit = vec![0usize; units.len()];
        for _ in 0..left {
            per_unit[rng.below(units.len() as u64) as usize] += 1;
        }
        for (u, count) in units.iter().zip(per_unit) {
            for k in 0..count {
                let name = format!("{}第{}党支部", b.name(*u), k + 1);
                b.push(Some(*u), OrgKind::Branch, "B", name);
            }
        }
    }
    b.orgs
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    // Office hours in Beijing time (UTC+8), stored in UTC.
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    Utc.from_utc_datetime(&local) - Duration::hours(8)
}

/// Search terms of the pools' texts, segmented once.
struct Terms {
    tasks: Vec<String>,
    problems: Vec<String>,
    descriptions: Vec<String>,
    measures: Vec<String>,
    people: Vec<String>,
}

impl Terms {
    fn new() -> Terms {
        let of = |xs: &[&str]| xs.iter().map(|x| index_terms(&[x])).collect::<Vec<_>>();
        Terms {
            tasks: of(&t::TASKS),
            problems: of(&t::PROBLEMS),
            descriptions: of(&t::DESCRIPTIONS),
            measures: of(&t::MEASURES),
            people: (0..t::SURNAMES.len() * t::GIVEN.len())
                .map(|i| index_terms(&[&person(i)]))
                .collect(),
        }
    }
}

fn person(i: usize) -> String {
    format!(
        "{}{}",
        t::SURNAMES[i % t::SURNAMES.len()],
        t::GIVEN[(i / t::SURNAMES.len()) % t::GIVEN.len()]
    )
}

fn join_terms(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(160).collect();
    if text.chars().count() > 160 {
        s.push('…');
    }
    s
}

/// Roll-up counters, summed in memory: (org, kind, phase, status, light, timeliness, due so far).
type CounterKey = (i64, String, String, String, String, String, bool);

/// The tables the bulk of the rows go into.
const LOADED: &[&str] = &[
    "items",
    "measures",
    "item_events",
    "deadline_revisions",
    "extension_requests",
    "search_docs",
    "reports",
    "activities",
];

const SEARCH_COLUMNS: &[&str] = &[
    "id",
    "doc_kind",
    "doc_id",
    "campaign_id",
    "org_id",
    "org_path",
    "title",
    "snippet",
    "title_terms",
    "body_terms",
    "updated_at",
];
/// Rows of one batch of items and what hangs off them.
#[derive(Default)]
struct ItemBatch {
    items: Vec<Vec<Arg>>,
    measures: Vec<Vec<Arg>>,
    events: Vec<Vec<Arg>>,
    revisions: Vec<Vec<Arg>>,
    requests: Vec<Vec<Arg>>,
    docs: Vec<Vec<Arg>>,
}

/// Where an item's lead org is drawn from: units and branches carry most of the work.
struct Leads {
    bottom: Vec<usize>,
    middle: Vec<usize>,
    top: Vec<usize>,
}

struct ItemContext {
    orgs: Arc<Vec<GenOrg>>,
    leads: Leads,
    campaign_id: i64,
    goals: Vec<i64>,
    start: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
    rules: ItemRules,
    terms: Terms,
}

/// Makes item `id` and adds its rows to `batch` and its counts to `counters`.
fn make_item(
    cx: &ItemContext,
    rng: &mut Rng,
    id: i64,
    batch: &mut ItemBatch,
    counters: &mut HashMap<CounterKey, (i64, i64)>,
) {
    use luodi_domain::item::Status;
    let pool = match rng.weighted(&[60, 30, 10]) {
        0 if !cx.leads.bottom.is_empty() => &cx.leads.bottom,
        1 if !cx.leads.middle.is_empty() => &cx.leads.middle,
        _ if !cx.leads.top.is_empty() => &cx.leads.top,
        _ => &cx.leads.bottom,
    };
    let lead = &cx.orgs[*rng.pick(pool)];
    let owner = lead.parent.unwrap_or(lead.id);
    let rectification = rng.chance(0.5);
    let (title, title_terms) = if rectification {
        let i = rng.below(t::PROBLEMS.len() as u64) as usize;
        (t::PROBLEMS[i], &cx.terms.problems[i])
    } else {
        let i = rng.below(t::TASKS.len() as u64) as usize;
        (t::TASKS[i], &cx.terms.tasks[i])
    };
    let desc_i = rng.below(t::DESCRIPTIONS.len() as u64) as usize;
    let person_i = rng.below(cx.terms.people.len() as u64) as usize;
    let person_name = person(person_i);

    let status = [
        Status::Draft,
        Status::Assigned,
        Status::Returned,
        Status::InProgress,
        Status::CloseOutRequested,
        Status::UnderReview,
        Status::Closed,
        Status::Verified,
        Status::Suspended,
        Status::Withdrawn,
    ][rng.weighted(&[3, 5, 1, 36, 3, 3, 35, 10, 2, 2])];
    let span = (cx.today - cx.start).num_days().max(3);
    let done = status.is_done();
    // Done items were issued early enough to have been delivered.
    let created_on = cx.start + Duration::days(rng.below((span - 2) as u64) as i64);
    let original_due = created_on + Duration::days(rng.range(14, 120));
    let mut due = original_due;
    let mut pending = None;
    let extended = rng.chance(0.1) && status != Status::Draft;
    if extended {
        due = original_due + Duration::days(rng.range(15, 45));
    }
    if status.is_open() && rng.chance(0.03) {
        pending = Some(due + Duration::days(30));
    }
    let mut closed_on = None;
    let mut recheck = None;
    let mut final_status = status;
    if done {
        // Most close before their deadline, some after; never in the future.
        let c = due - Duration::days(rng.range(-20, 60));
        let c = c.max(created_on + Duration::days(1)).min(cx.today);
        closed_on = Some(c);
        let r = c + Duration::days(cx.rules.lifecycle.recheck_after_days);
        recheck = Some(r);
        if status == Status::Verified && r > cx.today {
            final_status = Status::Closed;
        }
    }
    let progress = match final_status {
        s if s.is_done() => 100,
        Status::InProgress | Status::Suspended => rng.range(0, 19) * 5,
        Status::CloseOutRequested | Status::UnderReview => 100,
        _ => 0,
    };
    let created_at = at(created_on, 9, rng.below(480) as u32 % 60);
    let updated_at = closed_on.map(|c| at(c, 16, 0)).unwrap_or(created_at);
    let phase = if rectification {
        if rng.chance(0.8) {
            "rectification"
        } else {
            "review"
        }
    } else {
        ["study", "research", "review", "rectification"][rng.weighted(&[30, 25, 15, 30])]
    };
    let mut it = Item {
        id,
        campaign_id: cx.campaign_id,
        kind: if rectification {
            "rectification"
        } else {
            "task"
        }
        .to_owned(),
        parent_id: None,
        title: title.to_owned(),
        description: t::DESCRIPTIONS[desc_i].to_owned(),
        phase: phase.to_owned(),
        source: if rectification {
            [
                "research",
                "self_examination",
                "inspection",
                "public_feedback",
                "superior_instruction",
            ][rng.weighted(&[30, 30, 20, 15, 5])]
        } else {
            "superior_instruction"
        }
        .to_owned(),
        category: rng.pick(&t::CATEGORIES).to_string(),
        item_type: ["immediate", "time_limited", "long_term"][rng.weighted(&[30, 55, 15])]
            .to_owned(),
        owner_org_id: owner,
        lead_org_id: lead.id,
        lead_org_path: lead.path.clone(),
        responsible_user_id: None,
        responsible_person: if final_status == Status::Draft && rng.chance(0.5) {
            String::new()
        } else {
            person_name.clone()
        },
        goal_id: if cx.goals.is_empty() {
            None
        } else {
            Some(*rng.pick(&cx.goals))
        },
        programme_area_id: None,
        weight: rng.range(1, 3),
        progress_percent: progress,
        status: final_status.as_str().to_owned(),
        suspended_from: (final_status == Status::Suspended).then(|| "in_progress".to_owned()),
        original_due_on: original_due,
        due_on: due,
        pending_extension_on: pending,
        start_on: (final_status != Status::Draft).then_some(created_on),
        closed_on,
        recheck_due_on: recheck,
        evidence_count: if done { rng.range(1, 4) } else { 0 },
        reopen_count: i64::from(rng.chance(0.02)),
        light: String::new(),
        timeliness: String::new(),
        due_so_far: false,
        bucket_changes_at: None,
        version: 1,
        created_by: None,
        created_at,
        updated_at,
    };
    derive(&mut it, cx.now, &cx.rules);

    // Measures (rectification items), in the index with the description and the person.
    let mut body: Vec<&str> = vec![&cx.terms.descriptions[desc_i]];
    if rectification {
        for pos in 0..rng.range(1, 3) {
            let m = rng.below(t::MEASURES.len() as u64) as usize;
            batch.measures.push(vec![
                Arg::from(id),
                Arg::from(pos),
                Arg::from(t::MEASURES[m]),
            ]);
            body.push(&cx.terms.measures[m]);
        }
    }
    if !it.responsible_person.is_empty() {
        body.push(&cx.terms.people[person_i]);
    }
    batch.docs.push(vec![
        Arg::from(id),
        Arg::from("item"),
        Arg::from(id),
        Arg::from(cx.campaign_id),
        Arg::from(lead.id),
        Arg::from(lead.path.as_str()),
        Arg::from(title),
        Arg::from(snippet(&it.description)),
        Arg::from(title_terms.as_str()),
        Arg::from(join_terms(&body)),
        Arg::from(it.updated_at),
    ]);

    // History: issued, extended, closed (and re-checked), as the lifecycle records it.
    let event = |at: DateTime<Utc>, action: &str, from: &str, to: &str, reason: &str| {
        vec![
            Arg::from(id),
            Arg::from(at),
            Arg::from(None::<i64>),
            Arg::from("gen"),
            Arg::from(action),
            Arg::from(from),
            Arg::from(to),
            Arg::from(reason),
            Arg::from(None::<String>),
        ]
    };
    let first = if final_status == Status::Draft {
        "draft"
    } else {
        "assigned"
    };
    batch
        .events
        .push(event(created_at, "create", "draft", first, ""));
    if extended {
        let asked = at(original_due - Duration::days(5), 10, 0).max(created_at);
        batch.revisions.push(vec![
            Arg::from(id),
            Arg::from(asked),
            Arg::from(original_due),
            Arg::from(due),
            Arg::from("涉及多部门协调，需延长整改时限"),
            Arg::from(person_name.as_str()),
            Arg::from("省委主题教育办公室"),
        ]);
        batch.requests.push(vec![
            Arg::from(id),
            Arg::from(asked),
            Arg::from(person_name.as_str()),
            Arg::from(due),
            Arg::from("涉及多部门协调，需延长整改时限"),
            Arg::from("approved"),
            Arg::from(Some(asked)),
            Arg::from(Some("省委主题教育办公室")),
            Arg::from(Some("")),
        ]);
        batch.events.push(event(
            asked,
            "approve_extension",
            "in_progress",
            "in_progress",
            "",
        ));
    }
    if let Some(p) = pending {
        let asked = (cx.now - Duration::days(rng.range(1, 6))).max(created_at);
        batch.requests.push(vec![
            Arg::from(id),
            Arg::from(asked),
            Arg::from(person_name.as_str()),
            Arg::from(p),
            Arg::from("客观条件变化，申请延期"),
            Arg::from("pending"),
            Arg::from(None::<DateTime<Utc>>),
            Arg::from(None::<String>),
            Arg::from(None::<String>),
        ]);
    }
    if let Some(c) = closed_on {
        batch
            .events
            .push(event(at(c, 16, 0), "close", "under_review", "closed", ""));
        if final_status == Status::Verified {
            if let Some(r) = recheck {
                batch.events.push(event(
                    at(r, 10, 0),
                    "pass_recheck",
                    "closed",
                    "verified",
                    "",
                ));
            }
        }
    }

    let days = luodi_service::items::days_to_close(&it);
    for org in ancestor_ids(&it.lead_org_path) {
        let e = counters
            .entry((
                org,
                it.kind.clone(),
                it.phase.clone(),
                it.status.clone(),
                it.light.clone(),
                it.timeliness.clone(),
                it.due_so_far,
            ))
            .or_insert((0, 0));
        e.0 += 1;
        e.1 += days;
    }
    batch.items.push(item_row(&it));
}

/// A batch's statements, made ready off the async thread.
fn prepare_batch(backend: Backend, b: ItemBatch) -> Vec<bulk::Prepared> {
    vec![
        bulk::prepare(backend, "items", ITEM_COLUMNS, b.items),
        bulk::prepare(
            backend,
            "measures",
            &["item_id", "position", "text"],
            b.measures,
        ),
        bulk::prepare(backend, "item_events", EVENT_COLUMNS, b.events),
        bulk::prepare(
            backend,
            "deadline_revisions",
            &[
                "item_id",
                "at",
                "old_due_on",
                "new_due_on",
                "reason",
                "requested_by",
                "approved_by",
            ],
            b.revisions,
        ),
        bulk::prepare(
            backend,
            "extension_requests",
            &[
                "item_id",
                "requested_at",
                "requested_by",
                "new_due_on",
                "reason",
                "status",
                "decided_at",
                "decided_by",
                "decision_reason",
            ],
            b.requests,
        ),
        bulk::prepare(backend, "search_docs", SEARCH_COLUMNS, b.docs),
    ]
}

/// Fills an empty database with a synthetic province. `clock` is the services' clock: the
/// campaign and its rule are set up as of the campaign's start, the rest as of `today`.
pub async fn generate(
    svc: &Services,
    clock: &Arc<FixedClock>,
    opts: &GenOptions,
    progress: Progress<'_>,
) -> anyhow::Result<Generated> {
    {
        let mut c = svc.db().read().await?;
        if luodi_store::orgs::count_all(c.conn()).await? > 0 {
            anyhow::bail!("the database already holds orgs; luodi gen fills an empty database");
        }
    }
    let begun = Instant::now();
    let mut out = Generated::default();
    let mut rng = Rng::new(opts.seed);
    let actor = Actor::cli();
    let now = at(opts.today, 10, 0);
    let start = opts.today - Duration::days((i64::from(opts.weeks) * 7 + 14).max(120));
    let end = opts.today + Duration::days(180);

    // The tree.
    let t0 = Instant::now();
    let orgs = Arc::new(province(opts.orgs, &mut rng));
    let total = orgs.len() as u64;
    let mut tx = svc.db().begin().await?;
    bulk::large_cache(tx.conn()).await?;
    for (i, chunk) in orgs.chunks(20_000).enumerate() {
        let rows = chunk
            .iter()
            .map(|o| {
                vec![
                    Arg::from(o.id),
                    Arg::from(o.parent),
                    Arg::from(o.code.as_str()),
                    Arg::from(o.name.as_str()),
                    Arg::from(o.kind.as_str()),
                    Arg::from(o.path.as_str()),
                    Arg::from(o.depth),
                    Arg::from(false),
                    Arg::from(1i64),
                    Arg::from(at(start, 8, 0)),
                    Arg::from(at(start, 8, 0)),
                ]
            })
            .collect();
        bulk::insert(
            tx.conn(),
            "orgs",
            &[
                "id",
                "parent_id",
                "code",
                "name",
                "kind",
                "path",
                "depth",
                "disabled",
                "version",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .await?;
        progress("orgs", ((i + 1) * 20_000).min(orgs.len()) as u64, total);
    }
    bulk::reset_ids(tx.conn(), &["orgs"]).await?;
    tx.commit().await?;
    out.counts.push(("orgs", total));
    out.timings.push(("orgs", t0.elapsed()));

    // Accounts: the three administrators, the province's office and supervisor, and an office
    // per city and county and a liaison for the first units, all with the demo password.
    let t0 = Instant::now();
    let hash = luodi_service::auth::hash_password(crate::demo_data::DEMO_PASSWORD)?;
    let mut logins: Vec<GenLogin> = vec![
        GenLogin {
            username: "sysadmin".into(),
            role: "system_admin",
            org_code: None,
        },
        GenLogin {
            username: "secadmin".into(),
            role: "security_admin",
            org_code: None,
        },
        GenLogin {
            username: "auditor".into(),
            role: "audit_admin",
            org_code: None,
        },
        GenLogin {
            username: "office".into(),
            role: "campaign_office",
            org_code: Some("LN".into()),
        },
        GenLogin {
            username: "supervisor".into(),
            role: "supervisor",
            org_code: Some("LN".into()),
        },
    ];
    let by_code: HashMap<&str, &GenOrg> = orgs.iter().map(|o| (o.code.as_str(), o)).collect();
    let mut n_city = 0;
    let mut n_county = 0;
    let mut n_unit = 0;
    for o in orgs.iter() {
        let (name, role) = match o.kind {
            OrgKind::City => {
                n_city += 1;
                (format!("city{n_city:02}"), "campaign_office")
            }
            OrgKind::County => {
                n_county += 1;
                (format!("county{n_county:03}"), "campaign_office")
            }
            OrgKind::Unit if n_unit < 100 => {
                n_unit += 1;
                (format!("unit{n_unit:03}"), "unit_liaison")
            }
            _ => continue,
        };
        logins.push(GenLogin {
            username: name,
            role,
            org_code: Some(o.code.clone()),
        });
    }
    let mut users = Vec::new();
    let mut bindings = Vec::new();
    for (i, l) in logins.iter().enumerate() {
        let id = i as i64 + 1;
        let org = l
            .org_code
            .as_deref()
            .and_then(|c| by_code.get(c))
            .map(|o| o.id);
        let display = match &l.org_code {
            Some(code) => format!(
                "{}（{}）",
                person(i),
                by_code
                    .get(code.as_str())
                    .map(|o| o.name.as_str())
                    .unwrap_or("")
            ),
            None => person(i),
        };
        users.push(vec![
            Arg::from(id),
            Arg::from(l.username.as_str()),
            Arg::from(display),
            Arg::from(org),
            Arg::from(hash.as_str()),
            Arg::from(false),
            Arg::from(now),
            Arg::from(false),
            Arg::from("zh-CN"),
            Arg::from(1i64),
            Arg::from(now),
            Arg::from(now),
        ]);
        bindings.push(vec![
            Arg::from(id),
            Arg::from(l.role),
            Arg::from(org),
            Arg::from(None::<i64>),
            Arg::from(now),
        ]);
    }
    let mut tx = svc.db().begin().await?;
    bulk::insert(
        tx.conn(),
        "users",
        &[
            "id",
            "username",
            "display_name",
            "org_id",
            "password_hash",
            "must_change_password",
            "password_changed_at",
            "disabled",
            "locale",
            "version",
            "created_at",
            "updated_at",
        ],
        users,
    )
    .await?;
    bulk::insert(
        tx.conn(),
        "role_bindings",
        &["user_id", "role", "org_id", "granted_by", "created_at"],
        bindings,
    )
    .await?;
    bulk::reset_ids(tx.conn(), &["users", "role_bindings"]).await?;
    tx.commit().await?;
    out.counts.push(("users", logins.len() as u64));
    out.logins = logins;
    out.timings.push(("users", t0.elapsed()));

    // The campaign and its weekly reporting rule, set up at the start through the services.
    let t0 = Instant::now();
    clock.set(at(start, 9, 0));
    let quarter = (end - start).num_days() / 4;
    let phases = ["study", "research", "review", "rectification"]
        .iter()
        .zip(["学习教育", "调查研究", "检视问题", "整改落实"])
        .enumerate()
        .map(|(i, (kind, name))| PhaseEntry {
            kind: (*kind).to_owned(),
            name: name.to_owned(),
            starts_on: start + Duration::days(quarter * i as i64),
            ends_on: if i == 3 {
                end
            } else {
                start + Duration::days(quarter * (i as i64 + 1) - 1)
            },
        })
        .collect();
    let campaign = luodi_service::campaigns::create(
        svc,
        &actor,
        CampaignInput {
            owner_org_id: 1,
            name: "学习贯彻习近平新时代中国特色社会主义思想主题教育".into(),
            requirements: "学思想、强党性、重实践、建新功".into(),
            fundamental_task: "深入学习贯彻习近平新时代中国特色社会主义思想，推动高质量发展".into(),
            time_zone: None,
            starts_on: start,
            ends_on: end,
            goals: [
                "理论学习有收获",
                "思想政治受洗礼",
                "干事创业敢担当",
                "为民服务解难题",
                "清正廉洁作表率",
            ]
            .iter()
            .map(|g| GoalInput {
                title: (*g).into(),
                description: String::new(),
            })
            .collect(),
            phases: Some(phases),
            scope_org_ids: vec![1],
            rules: None,
        },
    )
    .await?;
    let campaign_id = campaign.campaign.id;
    out.campaign_id = campaign_id;
    let rule = luodi_service::reports::create_rule(
        svc,
        &actor,
        luodi_service::reports::RuleInput {
            campaign_id,
            owner_org_id: 1,
            kind: "reporting".into(),
            name: "每周工作进展报送".into(),
            cadence: Cadence::Weekly {
                weekday: 5,
                time: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            },
            scope_org_id: 1,
            target_kinds: Vec::new(),
        },
    )
    .await?;
    clock.set(now);
    let rules = {
        let mut c = svc.db().read().await?;
        item_rules(c.conn(), campaign_id).await?
    };
    out.timings.push(("campaign", t0.elapsed()));

    // Items, a batch per transaction, into tables whose secondary indexes are built once the
    // rows are in.
    let t0 = Instant::now();
    let mut tx = svc.db().begin().await?;
    let mut indexes = bulk::drop_indexes(tx.conn(), LOADED).await?;
    indexes.extend(bulk::defer_search_index(tx.conn()).await?);
    tx.commit().await?;
    let mut leads = Leads {
        bottom: Vec::new(),
        middle: Vec::new(),
        top: Vec::new(),
    };
    for (i, o) in orgs.iter().enumerate() {
        match o.kind {
            OrgKind::Unit | OrgKind::Branch => leads.bottom.push(i),
            OrgKind::Department | OrgKind::Enterprise => leads.middle.push(i),
            _ => leads.top.push(i),
        }
    }
    let cx = ItemContext {
        orgs: orgs.clone(),
        leads,
        campaign_id,
        goals: campaign.goals.iter().map(|g| g.id).collect(),
        start,
        today: opts.today,
        now,
        rules,
        terms: Terms::new(),
    };
    // Batches are made (and their statements written) on a thread of their own while the
    // database takes the previous ones: the two cores work at once.
    const BATCH: usize = 10_000;
    let backend = svc.db().backend();
    let n_items = opts.items;
    let (send, mut batches) = tokio::sync::mpsc::channel::<(usize, Vec<bulk::Prepared>)>(2);
    let maker = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut counters: HashMap<CounterKey, (i64, i64)> = HashMap::new();
        let (mut n_measures, mut n_events) = (0u64, 0u64);
        let mut made = 0usize;
        while made < n_items {
            let mut batch = ItemBatch::default();
            let n = BATCH.min(n_items - made);
            for k in 0..n {
                make_item(
                    &cx,
                    &mut rng,
                    (made + k + 1) as i64,
                    &mut batch,
                    &mut counters,
                );
            }
            n_measures += batch.measures.len() as u64;
            n_events += batch.events.len() as u64;
            made += n;
            if send
                .blocking_send((made, prepare_batch(backend, batch)))
                .is_err()
            {
                break;
            }
        }
        Ok((rng, counters, n_measures, n_events))
    });
    while let Some((made, statements)) = batches.recv().await {
        let mut tx = svc.db().begin().await?;
        for p in statements {
            bulk::run(tx.conn(), p).await?;
        }
        tx.commit().await?;
        progress("items", made as u64, opts.items as u64);
    }
    let (rng_back, counters, n_measures, n_events) = maker.await??;
    rng = rng_back;
    let mut tx = svc.db().begin().await?;
    // In key order: the counters' primary key is then built left to right, not at random.
    let mut counters: Vec<_> = counters.into_iter().collect();
    counters.sort_unstable();
    let counter_rows: Vec<Vec<Arg>> = counters
        .into_iter()
        .map(
            |((org, kind, phase, status, light, timeliness, due_so_far), (n, days))| {
                vec![
                    Arg::from(org),
                    Arg::from(campaign_id),
                    Arg::from(kind),
                    Arg::from(phase),
                    Arg::from(status),
                    Arg::from(light),
                    Arg::from(timeliness),
                    Arg::from(due_so_far),
                    Arg::from(n),
                    Arg::from(days),
                ]
            },
        )
        .collect();
    let n_counters = counter_rows.len() as u64;
    bulk::insert(
        tx.conn(),
        "rollup_counters",
        &[
            "org_id",
            "campaign_id",
            "kind",
            "phase",
            "status",
            "light",
            "timeliness",
            "due_so_far",
            "n",
            "days_to_close_sum",
        ],
        counter_rows,
    )
    .await?;
    bulk::reset_ids(
        tx.conn(),
        &[
            "items",
            "measures",
            "item_events",
            "deadline_revisions",
            "extension_requests",
        ],
    )
    .await?;
    tx.commit().await?;
    out.counts.extend([
        ("items", opts.items as u64),
        ("measures", n_measures),
        ("item events", n_events),
        ("roll-up counters", n_counters),
    ]);
    out.timings.push(("items", t0.elapsed()));

    // W weeks of reports from every org: most on time, some late, a few missing, the last
    // week's still waiting for review; then the current week's open reports.
    let t0 = Instant::now();
    let cadence = Cadence::Weekly {
        weekday: 5,
        time: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
    };
    let tz = chrono_tz::Asia::Shanghai;
    let dues = cadence.dues_between(rule.created_at, now, tz, 100_000);
    let dues: Vec<DateTime<Utc>> = dues
        .iter()
        .rev()
        .take(opts.weeks as usize)
        .rev()
        .copied()
        .collect();
    let org_terms: Vec<String> = orgs.iter().map(|o| index_terms(&[&o.name])).collect();
    let done_terms: Vec<String> = t::REPORT_DONE.iter().map(|x| index_terms(&[x])).collect();
    let problem_terms: Vec<String> = t::REPORT_PROBLEMS
        .iter()
        .map(|x| index_terms(&[x]))
        .collect();
    let plan_terms: Vec<String> = t::REPORT_PLANS.iter().map(|x| index_terms(&[x])).collect();
    let mut report_id = 0i64;
    let mut doc_id = opts.items as i64;
    // How punctual each org is, fixed per org so that rankings are stable from week to week.
    let diligence: Vec<u8> = orgs
        .iter()
        .map(|_| rng.weighted(&[80, 12, 8]) as u8)
        .collect();
    for (w, due) in dues.iter().enumerate() {
        let key = luodi_service::reports::period_key(&cadence, *due, tz);
        let title = format!("每周工作进展报送 · {key}");
        let title_terms = index_terms(&[&title]);
        let last = w + 1 == dues.len();
        for chunk in orgs.chunks(5_000) {
            let mut rows = Vec::with_capacity(chunk.len());
            let mut docs = Vec::with_capacity(chunk.len());
            for o in chunk {
                report_id += 1;
                let habit = diligence[(o.id - 1) as usize];
                let behaviour = if rng.chance(0.8) {
                    habit
                } else {
                    rng.weighted(&[80, 12, 8]) as u8
                };
                let (submitted, status) = match behaviour {
                    0 => (
                        Some(*due - Duration::minutes(rng.range(10, 3 * 24 * 60))),
                        "accepted",
                    ),
                    1 => (
                        Some(*due + Duration::minutes(rng.range(30, 2 * 24 * 60))),
                        "accepted",
                    ),
                    _ => (None, "open"),
                };
                let status = match (submitted, last) {
                    (Some(_), true) => "submitted",
                    (Some(_), false) if rng.chance(0.02) => "sent_back",
                    _ => status,
                };
                let (d, p, l) = (
                    rng.below(t::REPORT_DONE.len() as u64) as usize,
                    rng.below(t::REPORT_PROBLEMS.len() as u64) as usize,
                    rng.below(t::REPORT_PLANS.len() as u64) as usize,
                );
                let written = submitted.is_some();
                let text = |s: &'static str| if written { s } else { "" };
                let reviewed = (status == "accepted")
                    .then(|| submitted.map(|s| s + Duration::hours(20)))
                    .flatten();
                rows.push(vec![
                    Arg::from(report_id),
                    Arg::from(rule.id),
                    Arg::from(o.id),
                    Arg::from(o.path.as_str()),
                    Arg::from(key.as_str()),
                    Arg::from(*due),
                    Arg::from(status),
                    Arg::from(if written {
                        "{\"generated\":true}"
                    } else {
                        "{}"
                    }),
                    Arg::from(text(t::REPORT_DONE[d])),
                    Arg::from(text(t::REPORT_PROBLEMS[p])),
                    Arg::from(text(t::REPORT_PLANS[l])),
                    Arg::from(submitted),
                    Arg::from(submitted.map(|_| "gen".to_owned())),
                    Arg::from(reviewed),
                    Arg::from(reviewed.map(|_| "省委主题教育办公室".to_owned())),
                    Arg::from(if status == "sent_back" {
                        "请补充具体数据"
                    } else {
                        ""
                    }),
                    Arg::from(1i64),
                    Arg::from(*due - Duration::days(7)),
                ]);
                if written {
                    doc_id += 1;
                    docs.push(vec![
                        Arg::from(doc_id),
                        Arg::from("report"),
                        Arg::from(report_id),
                        Arg::from(campaign_id),
                        Arg::from(o.id),
                        Arg::from(o.path.as_str()),
                        Arg::from(title.as_str()),
                        Arg::from(snippet(t::REPORT_DONE[d])),
                        Arg::from(title_terms.as_str()),
                        Arg::from(join_terms(&[
                            &done_terms[d],
                            &problem_terms[p],
                            &plan_terms[l],
                            &org_terms[(o.id - 1) as usize],
                        ])),
                        Arg::from(reviewed.or(submitted).unwrap_or(*due)),
                    ]);
                }
            }
            let mut tx = svc.db().begin().await?;
            bulk::insert(
                tx.conn(),
                "reports",
                &[
                    "id",
                    "rule_id",
                    "org_id",
                    "org_path",
                    "period_key",
                    "due_at",
                    "status",
                    "figures_json",
                    "done_text",
                    "problems_text",
                    "plan_text",
                    "submitted_at",
                    "submitted_by",
                    "reviewed_at",
                    "reviewed_by",
                    "review_comment",
                    "version",
                    "created_at",
                ],
                rows,
            )
            .await?;
            bulk::insert(tx.conn(), "search_docs", SEARCH_COLUMNS, docs).await?;
            tx.commit().await?;
        }
        progress("reports", (w + 1) as u64, dues.len() as u64);
    }
    let mut tx = svc.db().begin().await?;
    bulk::reset_ids(tx.conn(), &["reports"]).await?;
    tx.commit().await?;
    let opened = luodi_service::reports::open_periods(svc).await?;
    out.counts.push(("reports", report_id as u64 + opened));
    out.timings.push(("reports", t0.elapsed()));

    // Study activities: about one org in three holds one in a given fortnight.
    let t0 = Instant::now();
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    let activity_terms: Vec<String> = t::ACTIVITIES
        .iter()
        .map(|(_, x)| index_terms(&[x]))
        .collect();
    let days = (opts.today - start).num_days().max(1);
    let n_activities = orgs.len() * (opts.weeks as usize).max(1) / 6;
    for i in 0..n_activities {
        let o = &orgs[rng.below(orgs.len() as u64) as usize];
        let a = rng.below(t::ACTIVITIES.len() as u64) as usize;
        let (kind, title) = t::ACTIVITIES[a];
        let held = start + Duration::days(rng.below(days as u64) as i64);
        let id = i as i64 + 1;
        rows.push(vec![
            Arg::from(id),
            Arg::from(campaign_id),
            Arg::from(o.id),
            Arg::from(o.path.as_str()),
            Arg::from(kind),
            Arg::from(title),
            Arg::from(held),
            Arg::from("会议室"),
            Arg::from("党支部"),
            Arg::from(rng.range(8, 120)),
            Arg::from(""),
            Arg::from("gen"),
            Arg::from(at(held, 15, 0)),
        ]);
        doc_id += 1;
        docs.push(vec![
            Arg::from(doc_id),
            Arg::from("activity"),
            Arg::from(id),
            Arg::from(campaign_id),
            Arg::from(o.id),
            Arg::from(o.path.as_str()),
            Arg::from(title),
            Arg::from("会议室"),
            Arg::from(activity_terms[a].as_str()),
            Arg::from("会议室 党支部"),
            Arg::from(at(held, 15, 0)),
        ]);
    }
    let mut tx = svc.db().begin().await?;
    bulk::insert(
        tx.conn(),
        "activities",
        &[
            "id",
            "campaign_id",
            "org_id",
            "org_path",
            "kind",
            "title",
            "held_on",
            "place",
            "organiser",
            "participants",
            "materials",
            "created_by",
            "created_at",
        ],
        rows,
    )
    .await?;
    bulk::insert(tx.conn(), "search_docs", SEARCH_COLUMNS, docs).await?;
    bulk::reset_ids(tx.conn(), &["activities", "search_docs"]).await?;
    tx.commit().await?;
    out.counts.push(("activities", n_activities as u64));
    out.counts.push(("search documents", doc_id as u64));
    out.timings.push(("activities", t0.elapsed()));

    let t0 = Instant::now();
    progress("indexes", 0, 1);
    let mut tx = svc.db().begin().await?;
    bulk::create_indexes(tx.conn(), &indexes).await?;
    tx.commit().await?;
    progress("indexes", 1, 1);
    out.timings.push(("indexes", t0.elapsed()));

    // Key works of the province, cities and counties, each with an indicator and its weekly
    // actuals so far, through the services.
    let t0 = Instant::now();
    let mut n_actuals = 0u64;
    let mut n_key_works = 0u64;
    for o in orgs
        .iter()
        .filter(|o| matches!(o.kind, OrgKind::Province | OrgKind::City | OrgKind::County))
    {
        let (title, indicator, unit, baseline, target) = *rng.pick(&t::KEY_WORKS);
        let kw = luodi_service::keyworks::create(
            svc,
            &actor,
            luodi_service::keyworks::KeyWorkInput {
                campaign_id,
                org_id: o.id,
                title: format!("{}{title}", o.name),
                description: String::new(),
            },
        )
        .await?;
        let view = luodi_service::keyworks::add_indicator(
            svc,
            &actor,
            kw.key_work.id,
            luodi_service::keyworks::IndicatorInput {
                name: indicator.to_owned(),
                unit: unit.to_owned(),
                baseline,
                target,
                direction: "increase".into(),
                start_on: start,
                target_on: end,
                plan: None,
            },
        )
        .await?;
        let Some(indicator_id) = view.indicators.last().map(|v| v.indicator.id) else {
            anyhow::bail!(
                "the indicator of key work {} was not stored",
                kw.key_work.id
            );
        };
        n_key_works += 1;
        let mut week = opts.today
            - Duration::days(
                i64::from(opts.today.weekday().num_days_from_monday()) + 7 * i64::from(opts.weeks),
            );
        let per_day = (target - baseline) / (end - start).num_days().max(1) as f64;
        while week
            < opts.today - Duration::days(i64::from(opts.today.weekday().num_days_from_monday()))
        {
            let planned = baseline + per_day * (week - start).num_days() as f64;
            let value = (planned * (0.8 + 0.3 * rng.below(100) as f64 / 100.0))
                .max(0.0)
                .round();
            luodi_service::keyworks::record_actual(
                svc,
                &actor,
                indicator_id,
                luodi_service::keyworks::ActualInput {
                    week_on: week,
                    value,
                },
            )
            .await?;
            n_actuals += 1;
            week += Duration::days(7);
        }
    }
    out.counts.push(("key works", n_key_works));
    out.counts.push(("indicator actuals", n_actuals));
    out.timings.push(("key works", t0.elapsed()));

    let t0 = Instant::now();
    progress("analyze", 0, 1);
    bulk::analyze(svc.db()).await?;
    let mut tx = svc.db().begin().await?;
    // What was generated, for `luodi bench` to report beside its figures.
    let summary = serde_json::json!({
        "orgs": opts.orgs, "items": opts.items, "weeks": opts.weeks, "seed": opts.seed,
        "today": opts.today, "seconds": begun.elapsed().as_secs_f64(),
        "counts": out.counts.iter().map(|(k, v)| (k.to_string(), *v)).collect::<HashMap<_, _>>(),
    });
    luodi_store::settings::set(tx.conn(), "gen.summary", &summary.to_string()).await?;
    tx.commit().await?;
    out.timings.push(("analyze", t0.elapsed()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_has_six_levels_and_exactly_the_orgs_asked_for() {
        let orgs = province(100_000, &mut Rng::new(7));
        assert_eq!(orgs.len(), 100_000);
        assert_eq!(orgs.iter().map(|o| o.depth).max(), Some(6));
        let count = |k: OrgKind| orgs.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(OrgKind::City), 14);
        assert_eq!(count(OrgKind::County), 100);
        assert!(count(OrgKind::Unit) > 20_000 && count(OrgKind::Branch) > 50_000);
        let codes: std::collections::HashSet<&str> = orgs.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes.len(), orgs.len(), "codes are unique");
        for o in &orgs[1..] {
            let p = &orgs[(o.parent.expect("parent") - 1) as usize];
            assert!(p.id < o.id && o.path.starts_with(&p.path) && o.depth == p.depth + 1);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_province_and_small_ones_work() {
        let a = province(5_000, &mut Rng::new(1));
        let b = province(5_000, &mut Rng::new(1));
        let c = province(5_000, &mut Rng::new(2));
        assert_eq!(
            a.iter().map(|o| &o.code).collect::<Vec<_>>(),
            b.iter().map(|o| &o.code).collect::<Vec<_>>()
        );
        assert_ne!(
            a.iter().map(|o| o.parent).collect::<Vec<_>>(),
            c.iter().map(|o| o.parent).collect::<Vec<_>>()
        );
        for n in [1, 2, 10, 50, 300] {
            assert_eq!(province(n, &mut Rng::new(3)).len(), n);
        }
    }
}
