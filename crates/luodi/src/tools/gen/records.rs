//! The weekly reports, study activities and key works of the synthetic province.

use super::*;

/// How punctual an org is: on time, late, or missing, in these proportions.
const PUNCTUALITY: [u32; 3] = [80, 12, 8];

/// The columns of the reports table, in the order [`Gen::report_row`] fills them.
const REPORT_COLUMNS: &[&str] = &[
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
];

/// One week's report of one org, as it was handled.
struct Handled {
    submitted: Option<DateTime<Utc>>,
    reviewed: Option<DateTime<Utc>>,
    status: &'static str,
    /// The texts drawn: done, problems, plans.
    texts: (usize, usize, usize),
}

/// The report texts' search terms, segmented once.
struct ReportTerms {
    orgs: Vec<String>,
    done: Vec<String>,
    problems: Vec<String>,
    plans: Vec<String>,
}

impl Gen<'_> {
    /// W weeks of reports from every org: most on time, some late, a few missing, the last
    /// week's still waiting for review; then the current week's open reports.
    pub(super) async fn reports(&mut self, setup: &Setup) -> anyhow::Result<()> {
        let cadence = weekly();
        let tz = chrono_tz::Asia::Shanghai;
        let dues = cadence.dues_between(setup.rule.created_at, self.now, tz, 100_000);
        let dues: Vec<DateTime<Utc>> = dues
            .iter()
            .rev()
            .take(self.opts.weeks as usize)
            .rev()
            .copied()
            .collect();
        let of = |xs: &[&str]| xs.iter().map(|x| index_terms(&[x])).collect::<Vec<_>>();
        let terms = ReportTerms {
            orgs: self.orgs.iter().map(|o| index_terms(&[&o.name])).collect(),
            done: of(&t::REPORT_DONE),
            problems: of(&t::REPORT_PROBLEMS),
            plans: of(&t::REPORT_PLANS),
        };
        let mut report_id = 0i64;
        // How punctual each org is, fixed per org so that rankings are stable from week to week.
        let diligence: Vec<u8> = self
            .orgs
            .iter()
            .map(|_| self.rng.weighted(&PUNCTUALITY) as u8)
            .collect();
        let orgs = self.orgs.clone();
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
                    let h = self.handle(*due, diligence[(o.id - 1) as usize], last);
                    rows.push(report_row(report_id, setup.rule.id, o, &key, *due, &h));
                    let Some(submitted) = h.submitted else {
                        continue;
                    };
                    let (d, p, l) = h.texts;
                    self.doc_id += 1;
                    docs.push(vec![
                        Arg::from(self.doc_id),
                        Arg::from("report"),
                        Arg::from(report_id),
                        Arg::from(setup.campaign_id),
                        Arg::from(o.id),
                        Arg::from(o.path.as_str()),
                        Arg::from(title.as_str()),
                        Arg::from(snippet(t::REPORT_DONE[d])),
                        Arg::from(title_terms.as_str()),
                        Arg::from(join_terms(&[
                            &terms.done[d],
                            &terms.problems[p],
                            &terms.plans[l],
                            &terms.orgs[(o.id - 1) as usize],
                        ])),
                        Arg::from(h.reviewed.unwrap_or(submitted)),
                    ]);
                }
                let mut tx = self.svc.db().begin().await?;
                bulk::insert(tx.conn(), "reports", REPORT_COLUMNS, rows).await?;
                bulk::insert(tx.conn(), "search_docs", SEARCH_COLUMNS, docs).await?;
                tx.commit().await?;
            }
            (self.progress)("reports", (w + 1) as u64, dues.len() as u64);
        }
        let mut tx = self.svc.db().begin().await?;
        bulk::reset_ids(tx.conn(), &["reports"]).await?;
        tx.commit().await?;
        let opened = luodi_service::reports::open_periods(self.svc).await?;
        self.out.counts.push(("reports", report_id as u64 + opened));
        Ok(())
    }

    /// How an org with the habit `habit` handled the report due at `due`; the `last` week's
    /// are still waiting for review.
    fn handle(&mut self, due: DateTime<Utc>, habit: u8, last: bool) -> Handled {
        let rng = &mut self.rng;
        let behaviour = if rng.chance(0.8) {
            habit
        } else {
            rng.weighted(&PUNCTUALITY) as u8
        };
        let (submitted, status) = match behaviour {
            0 => (
                Some(due - Duration::minutes(rng.range(10, 3 * 24 * 60))),
                "accepted",
            ),
            1 => (
                Some(due + Duration::minutes(rng.range(30, 2 * 24 * 60))),
                "accepted",
            ),
            _ => (None, "open"),
        };
        let status = match (submitted, last) {
            (Some(_), true) => "submitted",
            (Some(_), false) if rng.chance(0.02) => "sent_back",
            _ => status,
        };
        let texts = (
            rng.below(t::REPORT_DONE.len() as u64) as usize,
            rng.below(t::REPORT_PROBLEMS.len() as u64) as usize,
            rng.below(t::REPORT_PLANS.len() as u64) as usize,
        );
        let reviewed = (status == "accepted")
            .then(|| submitted.map(|s| s + Duration::hours(20)))
            .flatten();
        Handled {
            submitted,
            reviewed,
            status,
            texts,
        }
    }

    /// Study activities: about one org in three holds one in a given fortnight.
    pub(super) async fn activities(&mut self, setup: &Setup) -> anyhow::Result<()> {
        let mut rows = Vec::new();
        let mut docs = Vec::new();
        let activity_terms: Vec<String> = t::ACTIVITIES
            .iter()
            .map(|(_, x)| index_terms(&[x]))
            .collect();
        let days = (self.opts.today - self.start).num_days().max(1);
        let orgs = self.orgs.clone();
        let n_activities = orgs.len() * (self.opts.weeks as usize).max(1) / 6;
        for i in 0..n_activities {
            let rng = &mut self.rng;
            let o = &orgs[rng.below(orgs.len() as u64) as usize];
            let a = rng.below(t::ACTIVITIES.len() as u64) as usize;
            let (kind, title) = t::ACTIVITIES[a];
            let held = self.start + Duration::days(rng.below(days as u64) as i64);
            let id = i as i64 + 1;
            rows.push(vec![
                Arg::from(id),
                Arg::from(setup.campaign_id),
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
            self.doc_id += 1;
            docs.push(vec![
                Arg::from(self.doc_id),
                Arg::from("activity"),
                Arg::from(id),
                Arg::from(setup.campaign_id),
                Arg::from(o.id),
                Arg::from(o.path.as_str()),
                Arg::from(title),
                Arg::from("会议室"),
                Arg::from(activity_terms[a].as_str()),
                Arg::from("会议室 党支部"),
                Arg::from(at(held, 15, 0)),
            ]);
        }
        let mut tx = self.svc.db().begin().await?;
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
        self.out.counts.push(("activities", n_activities as u64));
        self.out
            .counts
            .push(("search documents", self.doc_id as u64));
        Ok(())
    }

    /// Key works of the province, cities and counties, each with an indicator and its weekly
    /// actuals so far, through the services.
    pub(super) async fn key_works(&mut self, setup: &Setup) -> anyhow::Result<()> {
        let mut n_actuals = 0u64;
        let mut n_key_works = 0u64;
        let orgs = self.orgs.clone();
        for o in orgs
            .iter()
            .filter(|o| matches!(o.kind, OrgKind::Province | OrgKind::City | OrgKind::County))
        {
            n_actuals += self.key_work(setup.campaign_id, o).await?;
            n_key_works += 1;
        }
        self.out.counts.push(("key works", n_key_works));
        self.out.counts.push(("indicator actuals", n_actuals));
        Ok(())
    }

    /// A key work of `o` with one indicator and its actuals week by week; returns how many.
    async fn key_work(&mut self, campaign_id: i64, o: &GenOrg) -> anyhow::Result<u64> {
        let (svc, actor) = (self.svc, &self.actor);
        let (start, end, today) = (self.start, self.end, self.opts.today);
        let (title, indicator, unit, baseline, target) = *self.rng.pick(&t::KEY_WORKS);
        let kw = luodi_service::keyworks::create(
            svc,
            actor,
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
            actor,
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
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let mut week = this_monday - Duration::days(7 * i64::from(self.opts.weeks));
        let per_day = (target - baseline) / (end - start).num_days().max(1) as f64;
        let mut n = 0;
        while week < this_monday {
            let planned = baseline + per_day * (week - start).num_days() as f64;
            let value = (planned * (0.8 + 0.3 * self.rng.below(100) as f64 / 100.0))
                .max(0.0)
                .round();
            luodi_service::keyworks::record_actual(
                svc,
                actor,
                indicator_id,
                luodi_service::keyworks::ActualInput {
                    week_on: week,
                    value,
                },
            )
            .await?;
            n += 1;
            week += Duration::days(7);
        }
        Ok(n)
    }
}

/// The row of report `id` of `o` for the period `key`.
fn report_row(
    id: i64,
    rule_id: i64,
    o: &GenOrg,
    key: &str,
    due: DateTime<Utc>,
    h: &Handled,
) -> Vec<Arg> {
    let written = h.submitted.is_some();
    let text = |s: &'static str| if written { s } else { "" };
    let (d, p, l) = h.texts;
    vec![
        Arg::from(id),
        Arg::from(rule_id),
        Arg::from(o.id),
        Arg::from(o.path.as_str()),
        Arg::from(key),
        Arg::from(due),
        Arg::from(h.status),
        Arg::from(if written {
            "{\"generated\":true}"
        } else {
            "{}"
        }),
        Arg::from(text(t::REPORT_DONE[d])),
        Arg::from(text(t::REPORT_PROBLEMS[p])),
        Arg::from(text(t::REPORT_PLANS[l])),
        Arg::from(h.submitted),
        Arg::from(h.submitted.map(|_| "gen".to_owned())),
        Arg::from(h.reviewed),
        Arg::from(h.reviewed.map(|_| "省委主题教育办公室".to_owned())),
        Arg::from(if h.status == "sent_back" {
            "请补充具体数据"
        } else {
            ""
        }),
        Arg::from(1i64),
        Arg::from(due - Duration::days(7)),
    ]
}
