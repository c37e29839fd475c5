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

mod items;
mod records;
pub mod text;
mod tree;

pub use tree::{province, GenOrg};

use crate::tools::gen::text as t;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use luodi_domain::cadence::Cadence;
use luodi_domain::org::OrgKind;
use luodi_domain::search::index_terms;
use luodi_domain::FixedClock;
use luodi_service::campaigns::{CampaignInput, GoalInput, PhaseEntry};
use luodi_service::items::{item_rules, ItemRules};
use luodi_service::reports::WorkRule;
use luodi_service::{Actor, Services};
use luodi_store::bulk;
use luodi_store::sql::Arg;
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

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    // Office hours in Beijing time (UTC+8), stored in UTC.
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    Utc.from_utc_datetime(&local) - Duration::hours(8)
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

/// A generation under way: what it was asked for, the random stream, the tree, and what was
/// made so far. Each part of the province is a step of its own, run in order by [`generate`].
struct Gen<'a> {
    svc: &'a Services,
    opts: &'a GenOptions,
    progress: Progress<'a>,
    rng: Rng,
    actor: Actor,
    /// The campaign's first and last day.
    start: NaiveDate,
    end: NaiveDate,
    /// Office hours on the day the province is generated as of.
    now: DateTime<Utc>,
    orgs: Arc<Vec<GenOrg>>,
    /// The last search document's id: reports and activities number theirs after the items'.
    doc_id: i64,
    out: Generated,
}

/// The campaign as the services set it up, which the bulk rows hang from.
struct Setup {
    campaign_id: i64,
    goals: Vec<i64>,
    rule: WorkRule,
    rules: ItemRules,
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
    let t0 = Instant::now();
    let mut rng = Rng::new(opts.seed);
    let orgs = Arc::new(province(opts.orgs, &mut rng));
    let mut g = Gen {
        svc,
        opts,
        progress,
        rng,
        actor: Actor::cli(),
        start: opts.today - Duration::days((i64::from(opts.weeks) * 7 + 14).max(120)),
        end: opts.today + Duration::days(180),
        now: at(opts.today, 10, 0),
        orgs,
        doc_id: opts.items as i64,
        out: Generated::default(),
    };
    g.tree().await?;
    g.timed("orgs", t0);
    let t0 = Instant::now();
    g.accounts().await?;
    g.timed("users", t0);
    let t0 = Instant::now();
    let setup = g.campaign(clock).await?;
    g.timed("campaign", t0);
    let t0 = Instant::now();
    let indexes = g.items(&setup).await?;
    g.timed("items", t0);
    let t0 = Instant::now();
    g.reports(&setup).await?;
    g.timed("reports", t0);
    let t0 = Instant::now();
    g.activities(&setup).await?;
    g.timed("activities", t0);
    let t0 = Instant::now();
    g.indexes(&indexes).await?;
    g.timed("indexes", t0);
    let t0 = Instant::now();
    g.key_works(&setup).await?;
    g.timed("key works", t0);
    let t0 = Instant::now();
    g.analyze(begun).await?;
    g.timed("analyze", t0);
    Ok(g.out)
}

impl Gen<'_> {
    fn timed(&mut self, part: &'static str, since: Instant) {
        self.out.timings.push((part, since.elapsed()));
    }

    /// The tree, in chunks, parents first.
    async fn tree(&mut self) -> anyhow::Result<()> {
        let orgs = &self.orgs;
        let total = orgs.len() as u64;
        let created = at(self.start, 8, 0);
        let mut tx = self.svc.db().begin().await?;
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
                        Arg::from(created),
                        Arg::from(created),
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
            (self.progress)("orgs", ((i + 1) * 20_000).min(orgs.len()) as u64, total);
        }
        bulk::reset_ids(tx.conn(), &["orgs"]).await?;
        tx.commit().await?;
        self.out.counts.push(("orgs", total));
        Ok(())
    }

    /// The accounts of [`logins`], all with the demo password.
    async fn accounts(&mut self) -> anyhow::Result<()> {
        let hash = luodi_service::auth::hash_password(crate::tools::demo::data::DEMO_PASSWORD)?;
        let logins = logins(&self.orgs);
        let by_code: HashMap<&str, &GenOrg> =
            self.orgs.iter().map(|o| (o.code.as_str(), o)).collect();
        let now = self.now;
        let mut users = Vec::new();
        let mut bindings = Vec::new();
        for (i, l) in logins.iter().enumerate() {
            let id = i as i64 + 1;
            let org = l.org_code.as_deref().and_then(|c| by_code.get(c));
            let display = match org {
                Some(o) => format!("{}（{}）", person(i), o.name),
                None => person(i),
            };
            let org = org.map(|o| o.id);
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
        let mut tx = self.svc.db().begin().await?;
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
        self.out.counts.push(("users", logins.len() as u64));
        self.out.logins = logins;
        Ok(())
    }

    /// The campaign and its weekly reporting rule, set up at the start through the services.
    async fn campaign(&mut self, clock: &Arc<FixedClock>) -> anyhow::Result<Setup> {
        let (start, end) = (self.start, self.end);
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
            self.svc,
            &self.actor,
            CampaignInput {
                owner_org_id: 1,
                name: "学习贯彻习近平新时代中国特色社会主义思想主题教育".into(),
                requirements: "学思想、强党性、重实践、建新功".into(),
                fundamental_task: "深入学习贯彻习近平新时代中国特色社会主义思想，推动高质量发展"
                    .into(),
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
        self.out.campaign_id = campaign_id;
        let rule = luodi_service::reports::create_rule(
            self.svc,
            &self.actor,
            luodi_service::reports::RuleInput {
                campaign_id,
                owner_org_id: 1,
                kind: "reporting".into(),
                name: "每周工作进展报送".into(),
                cadence: weekly(),
                scope_org_id: 1,
                target_kinds: Vec::new(),
            },
        )
        .await?;
        clock.set(self.now);
        let rules = {
            let mut c = self.svc.db().read().await?;
            item_rules(c.conn(), campaign_id).await?
        };
        Ok(Setup {
            campaign_id,
            goals: campaign.goals.iter().map(|g| g.id).collect(),
            rule,
            rules,
        })
    }

    /// The secondary indexes dropped for the load, built once the rows are in.
    async fn indexes(&mut self, indexes: &[String]) -> anyhow::Result<()> {
        (self.progress)("indexes", 0, 1);
        let mut tx = self.svc.db().begin().await?;
        bulk::create_indexes(tx.conn(), indexes).await?;
        tx.commit().await?;
        (self.progress)("indexes", 1, 1);
        Ok(())
    }

    /// The planner's statistics, and what was generated, for `luodi bench` to report beside
    /// its figures.
    async fn analyze(&mut self, begun: Instant) -> anyhow::Result<()> {
        (self.progress)("analyze", 0, 1);
        bulk::analyze(self.svc.db()).await?;
        let opts = self.opts;
        let summary = serde_json::json!({
            "orgs": opts.orgs, "items": opts.items, "weeks": opts.weeks, "seed": opts.seed,
            "today": opts.today, "seconds": begun.elapsed().as_secs_f64(),
            "counts": self.out.counts.iter().map(|(k, v)| (k.to_string(), *v)).collect::<HashMap<_, _>>(),
        });
        let mut tx = self.svc.db().begin().await?;
        luodi_store::settings::set(tx.conn(), "gen.summary", &summary.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The weekly reporting rule's cadence: Fridays at five.
fn weekly() -> Cadence {
    Cadence::Weekly {
        weekday: 5,
        time: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
    }
}

/// The accounts to make: the three administrators, the province's office and supervisor, an
/// office per city and county, and a liaison for each of the first hundred units.
fn logins(orgs: &[GenOrg]) -> Vec<GenLogin> {
    let login = |username: &str, role, org_code: Option<&str>| GenLogin {
        username: username.into(),
        role,
        org_code: org_code.map(Into::into),
    };
    let mut logins = vec![
        login("sysadmin", "system_admin", None),
        login("secadmin", "security_admin", None),
        login("auditor", "audit_admin", None),
        login("office", "campaign_office", Some("LN")),
        login("supervisor", "supervisor", Some("LN")),
    ];
    let (mut n_city, mut n_county, mut n_unit) = (0, 0, 0);
    for o in orgs {
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
        logins.push(login(&name, role, Some(&o.code)));
    }
    logins
}
