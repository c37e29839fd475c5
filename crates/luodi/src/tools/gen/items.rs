//! Tasks and rectification items in every state, with their measures, history, extensions,
//! close-outs, search documents and roll-up counters, made in batches on a thread of their own.

use super::*;
use luodi_domain::org::ancestor_ids;
use luodi_service::items::derive;
use luodi_store::items::{item_row, Item, EVENT_COLUMNS, ITEM_COLUMNS};
use luodi_store::Backend;

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

/// Roll-up counters, summed in memory: (org, kind, phase, status, light, timeliness, due so far).
type CounterKey = (i64, String, String, String, String, String, bool);

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

impl Gen<'_> {
    /// Items, a batch per transaction, into tables whose secondary indexes are dropped first;
    /// returns the statements that build them again once every bulk row is in.
    pub(super) async fn items(&mut self, setup: &Setup) -> anyhow::Result<Vec<String>> {
        let svc = self.svc;
        let mut tx = svc.db().begin().await?;
        let mut indexes = bulk::drop_indexes(tx.conn(), LOADED).await?;
        indexes.extend(bulk::defer_search_index(tx.conn()).await?);
        tx.commit().await?;
        let cx = ItemContext {
            orgs: self.orgs.clone(),
            leads: Leads::of(&self.orgs),
            campaign_id: setup.campaign_id,
            goals: setup.goals.clone(),
            start: self.start,
            today: self.opts.today,
            now: self.now,
            rules: setup.rules.clone(),
            terms: Terms::new(),
        };
        // Batches are made (and their statements written) on a thread of their own while the
        // database takes the previous ones: the two cores work at once.
        const BATCH: usize = 10_000;
        let backend = svc.db().backend();
        let n_items = self.opts.items;
        let mut rng = std::mem::replace(&mut self.rng, Rng::new(0));
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
            (self.progress)("items", made as u64, n_items as u64);
        }
        let (rng, counters, n_measures, n_events) = maker.await??;
        self.rng = rng;
        let n_counters = counters.len() as u64;
        self.counters(setup.campaign_id, counters).await?;
        self.out.counts.extend([
            ("items", n_items as u64),
            ("measures", n_measures),
            ("item events", n_events),
            ("roll-up counters", n_counters),
        ]);
        Ok(indexes)
    }

    /// The roll-up counters summed while the items were made.
    async fn counters(
        &mut self,
        campaign_id: i64,
        counters: HashMap<CounterKey, (i64, i64)>,
    ) -> anyhow::Result<()> {
        // In key order: the counters' primary key is then built left to right, not at random.
        let mut counters: Vec<_> = counters.into_iter().collect();
        counters.sort_unstable();
        let rows: Vec<Vec<Arg>> = counters
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
        let mut tx = self.svc.db().begin().await?;
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
            rows,
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
        Ok(())
    }
}

impl Leads {
    fn of(orgs: &[GenOrg]) -> Leads {
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
        leads
    }
}
