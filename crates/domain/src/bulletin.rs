//! The weekly bulletin's rules (每周一通报): how a report stands against its cut-off, report
//! punctuality, the score of an org from scoring rules that are data (with a version, recorded in
//! every bulletin), ranking, and the rules that propose accountability interviews (约谈).

use chrono::{DateTime, Utc};
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
    }
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.items_due > 0).then(|| self.closed_on_time as f64 / self.items_due as f64)
    }
    pub fn punctuality(&self) -> Option<f64> {
        punctuality(self.reports_on_time, self.reports_due)
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
    RedItems { count: i64 },
    LowPunctuality { rate: f64 },
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
            out.push(InterviewReason::LowPunctuality { rate });
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
            vec![InterviewReason::LowPunctuality { rate: 0.75 }]
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
