//! The weekly bulletin's rules (每周一通报): how a report stands against its cut-off, report
//! punctuality, when a bulletin's week is closed (its reports all past their deadline), the score
//! of an org from scoring rules that are data (with a version, recorded in every bulletin),
//! ranking, and the rules that propose accountability interviews (约谈).

use crate::cadence::{iso_week, week_bounds, Cadence};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How a situation report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Not yet due, not yet submitted.
    Open,
    SubmittedOnTime,
    SubmittedLate,
    /// Past its cut-off and not submitted.
    Missing,
}

pub fn report_state(
    due_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ReportState {
    match submitted_at {
        Some(s) if s <= due_at => ReportState::SubmittedOnTime,
        Some(_) => ReportState::SubmittedLate,
        None if now > due_at => ReportState::Missing,
        None => ReportState::Open,
    }
}

/// 报送及时率: reports submitted on time among those due.
pub fn punctuality(on_time: i64, due: i64) -> Option<f64> {
    (due > 0).then(|| on_time as f64 / due as f64)
}

/// A rate as a bulletin prints it: a whole percentage, or one decimal when not whole; "—" with
/// nothing to count. The page, the documents and an interview's reason all write rates this way,
/// so that a reason quotes the figure of its row as the row shows it.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => {
            let p = r * 100.0;
            if (p - p.round()).abs() < 0.05 {
                format!("{}%", p.round() as i64)
            } else {
                format!("{p:.1}%")
            }
        }
        None => "\u{2014}".to_owned(),
    }
}

/// The instant a bulletin's week `[start, end)` has all its reports in: the last deadline of the
/// reporting `cadences` that falls inside the week, or the week's end when none does.
pub fn report_deadline(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cadences: &[Cadence],
    tz: Tz,
) -> DateTime<Utc> {
    // Dues in [start, end): cadences run to the minute, so a second either side is exact.
    let (from, to) = (start - Duration::seconds(1), end - Duration::seconds(1));
    cadences
        .iter()
        .filter_map(|c| c.dues_between(from, to, tz, 7 * 24 * 60).last().copied())
        .max()
        .unwrap_or(end)
}

/// Whether the week `[start, end)` is closed at `now`: its report deadline has passed (a report
/// handed in at the deadline itself is on time, so the week closes just after it), or the week
/// is over. A bulletin of a week that is not closed is provisional.
pub fn week_closed(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cadences: &[Cadence],
    tz: Tz,
    now: DateTime<Utc>,
) -> bool {
    now >= end || now > report_deadline(start, end, cadences, tz)
}

/// The last closed ISO week at `now` in the zone `tz`: this week once its reports are all past
/// their deadline, else the week before (which is over).
pub fn last_closed_week(now: DateTime<Utc>, cadences: &[Cadence], tz: Tz) -> String {
    let mut day = now.with_timezone(&tz).date_naive();
    for _ in 0..3 {
        let week = iso_week(day);
        if let Some((start, end)) = week_bounds(&week, tz) {
            if week_closed(start, end, cadences, tz, now) {
                return week;
            }
        }
        day -= Duration::weeks(1);
    }
    iso_week(day)
}

/// What a bulletin knows of one org for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Figures {
    pub items_due: i64,
    pub closed_on_time: i64,
    pub overdue: i64,
    pub red: i64,
    pub yellow: i64,
    pub green: i64,
    pub extended: i64,
    pub sent_back: i64,
    pub reports_due: i64,
    pub reports_on_time: i64,
    pub reports_late: i64,
    pub reports_missing: i64,
    pub submissions_adopted: i64,
    pub days_to_close_sum: i64,
    pub closed_count: i64,
    /// Information submissions (信息报送) this period.
    pub submissions: i64,
    /// Commitments made at accountability interviews, and how they stand now.
    pub commitments: i64,
    pub commitments_done: i64,
    pub commitments_overdue: i64,
    /// Reports due over the interview window (the weeks ending with this one), and those in by
    /// their deadline: the punctuality the interview rule judges.
    pub window_weeks: i64,
    pub window_reports_due: i64,
    pub window_reports_on_time: i64,
}

impl Figures {
    /// Adds another org's figures (for a scope's totals).
    pub fn add(&mut self, o: &Figures) {
        self.items_due += o.items_due;
        self.closed_on_time += o.closed_on_time;
        self.overdue += o.overdue;
        self.red += o.red;
        self.yellow += o.yellow;
        self.green += o.green;
        self.extended += o.extended;
        self.sent_back += o.sent_back;
        self.reports_due += o.reports_due;
        self.reports_on_time += o.reports_on_time;
        self.reports_late += o.reports_late;
        self.reports_missing += o.reports_missing;
        self.submissions_adopted += o.submissions_adopted;
        self.days_to_close_sum += o.days_to_close_sum;
        self.closed_count += o.closed_count;
        self.submissions += o.submissions;
        self.commitments += o.commitments;
        self.commitments_done += o.commitments_done;
        self.commitments_overdue += o.commitments_overdue;
        self.window_weeks = self.window_weeks.max(o.window_weeks);
        self.window_reports_due += o.window_reports_due;
        self.window_reports_on_time += o.window_reports_on_time;
    }
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.items_due > 0).then(|| self.closed_on_time as f64 / self.items_due as f64)
    }
    pub fn punctuality(&self) -> Option<f64> {
        punctuality(self.reports_on_time, self.reports_due)
    }
    /// Report punctuality over the interview window.
    pub fn window_punctuality(&self) -> Option<f64> {
        punctuality(self.window_reports_on_time, self.window_reports_due)
    }
    pub fn average_days_to_close(&self) -> Option<f64> {
        (self.closed_count > 0).then(|| self.days_to_close_sum as f64 / self.closed_count as f64)
    }
    pub fn extension_share(&self) -> Option<f64> {
        let all = self.red + self.yellow + self.green;
        (all > 0).then(|| self.extended as f64 / all as f64)
    }
}

/// Scoring rules: data, not code. A weight of zero switches a measure off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringRules {
    pub version: i64,
    pub base: f64,
    pub per_on_time_item: f64,
    pub per_overdue_item: f64,
    pub per_red_item: f64,
    pub per_sent_back_item: f64,
    pub per_late_report: f64,
    pub per_missing_report: f64,
    pub per_adopted_submission: f64,
    /// When interviews are proposed after a bulletin.
    #[serde(default)]
    pub interview: InterviewRule,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            version: 1,
            base: 100.0,
            per_on_time_item: 2.0,
            per_overdue_item: -5.0,
            per_red_item: -3.0,
            per_sent_back_item: -1.0,
            per_late_report: -2.0,
            per_missing_report: -5.0,
            per_adopted_submission: 1.0,
            interview: InterviewRule::default(),
        }
    }
}

impl ScoringRules {
    /// Weights stay within ±100 points, the base within 0–1000, thresholds within sense.
    pub fn check(&self) -> crate::Validation {
        let mut v = crate::Validation::new();
        let weights = [
            ("per_on_time_item", self.per_on_time_item),
            ("per_overdue_item", self.per_overdue_item),
            ("per_red_item", self.per_red_item),
            ("per_sent_back_item", self.per_sent_back_item),
            ("per_late_report", self.per_late_report),
            ("per_missing_report", self.per_missing_report),
            ("per_adopted_submission", self.per_adopted_submission),
        ];
        for (field, w) in weights {
            if !(-100.0..=100.0).contains(&w) {
                v.add(field, "out_of_range");
            }
        }
        if !(0.0..=1000.0).contains(&self.base) {
            v.add("base", "out_of_range");
        }
        let i = &self.interview;
        if !(1..=1000).contains(&i.min_red_items) {
            v.add("interview.min_red_items", "out_of_range");
        }
        if !(0.0..=1.0).contains(&i.min_punctuality) {
            v.add("interview.min_punctuality", "out_of_range");
        }
        if !(1..=52).contains(&i.window_weeks) {
            v.add("interview.window_weeks", "out_of_range");
        }
        if !(1..=104).contains(&i.escalation_weeks) {
            v.add("interview.escalation_weeks", "out_of_range");
        }
        v
    }
}

/// An org's score under `rules`, rounded to one decimal.
pub fn score(rules: &ScoringRules, f: &Figures) -> f64 {
    let s = rules.base
        + rules.per_on_time_item * f.closed_on_time as f64
        + rules.per_overdue_item * f.overdue as f64
        + rules.per_red_item * f.red as f64
        + rules.per_sent_back_item * f.sent_back as f64
        + rules.per_late_report * f.reports_late as f64
        + rules.per_missing_report * f.reports_missing as f64
        + rules.per_adopted_submission * f.submissions_adopted as f64;
    (s * 10.0).round() / 10.0
}

/// Ranks by score, highest first; equal scores share a rank (1, 2, 2, 4). Ties keep input order.
pub fn rank<K: Clone>(scores: &[(K, f64)]) -> Vec<(K, f64, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| {
        scores[*b]
            .1
            .partial_cmp(&scores[*a].1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(b))
    });
    let mut out: Vec<(K, f64, usize)> = Vec::with_capacity(scores.len());
    for (pos, i) in order.iter().enumerate() {
        let r = match out.last() {
            Some((_, s, r)) if (*s - scores[*i].1).abs() < f64::EPSILON => *r,
            _ => pos + 1,
        };
        out.push((scores[*i].0.clone(), scores[*i].1, r));
    }
    out
}

/// When an accountability interview is proposed (defaults from DOMAIN.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterviewRule {
    /// This many red items or more…
    pub min_red_items: i64,
    /// …or report punctuality under this share over the window.
    pub min_punctuality: f64,
    pub window_weeks: i64,
    /// Interviews held within this many weeks make the next one more severe.
    pub escalation_weeks: i64,
}

impl Default for InterviewRule {
    fn default() -> Self {
        InterviewRule {
            min_red_items: 2,
            min_punctuality: 0.8,
            window_weeks: 4,
            escalation_weeks: 13,
        }
    }
}

/// Why an org is proposed for an interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum InterviewReason {
    RedItems {
        count: i64,
    },
    /// Punctuality over the window: `on_time` of `due` reports over `weeks` weeks (the counts
    /// are absent from proposals made before they were recorded).
    LowPunctuality {
        rate: f64,
        #[serde(default)]
        on_time: i64,
        #[serde(default)]
        due: i64,
        #[serde(default)]
        weeks: i64,
    },
}

/// The kinds of interview, in rising severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    Reminder,
    Warning,
    Accountability,
}

/// The reasons to propose an interview for an org with `red` red items now and the given reports
/// over the window; empty when none.
pub fn interview_reasons(
    rule: &InterviewRule,
    red: i64,
    reports_due_in_window: i64,
    reports_on_time_in_window: i64,
) -> Vec<InterviewReason> {
    let mut out = Vec::new();
    if red >= rule.min_red_items {
        out.push(InterviewReason::RedItems { count: red });
    }
    if let Some(rate) = punctuality(reports_on_time_in_window, reports_due_in_window) {
        if rate < rule.min_punctuality {
            out.push(InterviewReason::LowPunctuality {
                rate,
                on_time: reports_on_time_in_window,
                due: reports_due_in_window,
                weeks: rule.window_weeks,
            });
        }
    }
    out
}

/// The kind to propose: severity rises with the interviews already held in the window.
pub fn suggested_kind(held_in_window: usize) -> InterviewKind {
    match held_in_window {
        0 => InterviewKind::Reminder,
        1 => InterviewKind::Warning,
        _ => InterviewKind::Accountability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scoring_rules_are_checked_and_older_versions_still_load() {
        assert!(ScoringRules::default().check().is_empty());
        let mut r = ScoringRules {
            per_red_item: -500.0,
            ..Default::default()
        };
        r.interview.min_punctuality = 1.5;
        let v = r.check();
        assert!(v.has("per_red_item") && v.has("interview.min_punctuality"));
        // Version 1 was stored before interview thresholds were data.
        let old = r#"{"version":1,"base":100.0,"per_on_time_item":2.0,"per_overdue_item":-5.0,"per_red_item":-3.0,"per_sent_back_item":-1.0,"per_late_report":-2.0,"per_missing_report":-5.0,"per_adopted_submission":1.0}"#;
        let loaded: ScoringRules = serde_json::from_str(old).expect("old rules");
        assert_eq!(loaded.interview, InterviewRule::default());
        let fig: Figures = serde_json::from_str(r#"{"items_due":3}"#).expect("old figures");
        assert_eq!((fig.items_due, fig.commitments), (3, 0));
    }

    #[test]
    fn report_states_against_the_cut_off() {
        let due = Utc
            .with_ymd_and_hms(2026, 11, 27, 8, 0, 0)
            .single()
            .expect("t");
        let before = due - chrono::Duration::hours(1);
        let after = due + chrono::Duration::hours(1);
        assert_eq!(
            report_state(due, Some(before), after),
            ReportState::SubmittedOnTime
        );
        assert_eq!(
            report_state(due, Some(due), after),
            ReportState::SubmittedOnTime,
            "at the cut-off is on time"
        );
        assert_eq!(
            report_state(due, Some(after), after),
            ReportState::SubmittedLate
        );
        assert_eq!(report_state(due, None, before), ReportState::Open);
        assert_eq!(report_state(due, None, after), ReportState::Missing);
        assert_eq!(punctuality(3, 4), Some(0.75));
        assert_eq!(punctuality(0, 0), None);
    }

    #[test]
    fn scores_follow_the_rules_and_rank_with_ties() {
        let rules = ScoringRules::default();
        let good = Figures {
            closed_on_time: 5,
            ..Default::default()
        };
        let bad = Figures {
            overdue: 2,
            red: 2,
            reports_missing: 1,
            reports_late: 1,
            sent_back: 1,
            ..Default::default()
        };
        assert_eq!(score(&rules, &good), 110.0);
        assert_eq!(score(&rules, &bad), 100.0 - 10.0 - 6.0 - 5.0 - 2.0 - 1.0);
        let off = ScoringRules {
            per_red_item: 0.0,
            ..rules.clone()
        };
        assert_eq!(
            score(&off, &bad),
            82.0,
            "a zero weight switches a measure off"
        );
        let ranked = rank(&[("a", 90.0), ("b", 110.0), ("c", 90.0), ("d", 80.0)]);
        assert_eq!(
            ranked,
            vec![
                ("b", 110.0, 1),
                ("a", 90.0, 2),
                ("c", 90.0, 2),
                ("d", 80.0, 4)
            ]
        );
        let f = Figures {
            items_due: 4,
            closed_on_time: 3,
            reports_due: 4,
            reports_on_time: 2,
            red: 1,
            green: 3,
            extended: 1,
            ..Default::default()
        };
        assert_eq!(
            (f.on_time_rate(), f.punctuality(), f.extension_share()),
            (Some(0.75), Some(0.5), Some(0.25))
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    fn weekly(weekday: u32, h: u32) -> Cadence {
        Cadence::Weekly {
            weekday,
            time: chrono::NaiveTime::from_hms_opt(h, 0, 0).expect("time"),
        }
    }

    #[test]
    fn a_week_closes_when_its_reports_are_past_their_deadline() {
        use chrono_tz::Asia::Shanghai;
        // 2026-W48: Monday 23 to Sunday 29 November; reports due Friday 27th 17:00 Shanghai.
        let (start, end) = week_bounds("2026-W48", Shanghai).expect("week");
        let friday = [weekly(5, 17)];
        assert_eq!(
            report_deadline(start, end, &friday, Shanghai),
            utc("2026-11-27T09:00:00Z")
        );
        let closed = |now: &str| week_closed(start, end, &friday, Shanghai, utc(now));
        assert!(
            !closed("2026-11-23T01:00:00Z"),
            "Monday: reports due Friday"
        );
        assert!(
            !closed("2026-11-27T09:00:00Z"),
            "at the deadline a report is still on time"
        );
        assert!(closed("2026-11-27T09:00:01Z"), "just after the deadline");
        // Without reporting rules, the week closes when it ends.
        assert_eq!(report_deadline(start, end, &[], Shanghai), end);
        assert!(!week_closed(
            start,
            end,
            &[],
            Shanghai,
            end - Duration::seconds(1)
        ));
        assert!(week_closed(start, end, &[], Shanghai, end));
        // Two rules: the later deadline counts; a monthly one outside the week does not.
        let two = [
            weekly(3, 12),
            weekly(5, 17),
            Cadence::Monthly {
                day: 1,
                time: chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("t"),
            },
        ];
        assert_eq!(
            report_deadline(start, end, &two, Shanghai),
            utc("2026-11-27T09:00:00Z")
        );
        // A report due Monday 00:00 belongs to the week it opens.
        assert_eq!(
            report_deadline(start, end, &[weekly(1, 0)], Shanghai),
            start
        );
    }

    #[test]
    fn the_last_closed_week_on_a_monday_is_the_week_before() {
        use chrono_tz::Asia::Shanghai;
        let friday = [weekly(5, 17)];
        // Monday 30 November 2026, 09:00 Shanghai: this week's reports are due Friday.
        assert_eq!(
            last_closed_week(utc("2026-11-30T01:00:00Z"), &friday, Shanghai),
            "2026-W48"
        );
        // Friday 4 December 17:30: this week's reports are past their deadline.
        assert_eq!(
            last_closed_week(utc("2026-12-04T09:30:00Z"), &friday, Shanghai),
            "2026-W49"
        );
        // Friday 4 December 16:00: not yet.
        assert_eq!(
            last_closed_week(utc("2026-12-04T08:00:00Z"), &friday, Shanghai),
            "2026-W48"
        );
        // Without reporting rules: the week before, until this one is over. Sunday 23:30 in
        // Shanghai is still W49 there, while UTC says Sunday afternoon.
        assert_eq!(
            last_closed_week(utc("2026-12-06T15:30:00Z"), &[], Shanghai),
            "2026-W48"
        );
        // Early January: the last ISO week of the old year.
        assert_eq!(
            last_closed_week(utc("2027-01-04T01:00:00Z"), &friday, Shanghai),
            "2026-W53"
        );
    }

    #[test]
    fn rates_print_as_whole_percentages_or_with_one_decimal() {
        assert_eq!(percent(None), "\u{2014}");
        assert_eq!(percent(Some(0.5)), "50%");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(percent(Some(10.0 / 13.0)), "76.9%");
        assert_eq!(percent(Some(1.0 / 13.0)), "7.7%");
        assert_eq!(percent(Some(1.0)), "100%");
    }

    #[test]
    fn interviews_are_proposed_by_the_rules() {
        let r = InterviewRule::default();
        assert_eq!(interview_reasons(&r, 1, 4, 4), vec![]);
        assert_eq!(
            interview_reasons(&r, 2, 4, 4),
            vec![InterviewReason::RedItems { count: 2 }]
        );
        assert_eq!(
            interview_reasons(&r, 0, 4, 3),
            vec![InterviewReason::LowPunctuality {
                rate: 0.75,
                on_time: 3,
                due: 4,
                weeks: 4
            }]
        );
        assert_eq!(
            interview_reasons(&r, 0, 5, 4),
            vec![],
            "80% is not under 80%"
        );
        assert_eq!(
            interview_reasons(&r, 0, 0, 0),
            vec![],
            "no reports due, no punctuality to judge"
        );
        assert_eq!(
            (suggested_kind(0), suggested_kind(1), suggested_kind(3)),
            (
                InterviewKind::Reminder,
                InterviewKind::Warning,
                InterviewKind::Accountability
            )
        );
    }
}
