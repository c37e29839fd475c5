//! Indicators of key work (指标): a measured quantity with a baseline, a target, a direction and
//! a trajectory (the value planned for each week). Actuals are entered once a week. How an
//! indicator stands is computed here: the planned value of a week, progress from baseline to
//! target, and whether the latest actual is on its trajectory. The confidence rating people give
//! is kept apart and never derived from these.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::dashboard::monday_of;

/// Whether more is better (`Increase`: matters brought to "at most one trip") or less
/// (`Decrease`: days to approve a permit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim() {
            "increase" => Some(Direction::Increase),
            "decrease" => Some(Direction::Decrease),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
        }
    }
}

/// The confidence rating (信心), given by people, apart from the status.
pub const CONFIDENCE: [&str; 3] = ["high", "medium", "low"];

/// A straight trajectory from `baseline` in the week of `start` to `target` in the week of
/// `end`: one planned value per ISO week (by its Monday), rounded to two decimals.
pub fn linear_plan(
    baseline: f64,
    target: f64,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<(NaiveDate, f64)> {
    let first = monday_of(start);
    let last = monday_of(end.max(start));
    let weeks = (last - first).num_weeks();
    (0..=weeks)
        .map(|i| {
            let share = if weeks == 0 {
                1.0
            } else {
                i as f64 / weeks as f64
            };
            let v = baseline + (target - baseline) * share;
            (first + Duration::weeks(i), (v * 100.0).round() / 100.0)
        })
        .collect()
}

/// The value planned for the week of `day`: the plan's value of that week, or of the last
/// planned week before it (after the end the target holds); none before the plan starts.
pub fn planned_at(plan: &[(NaiveDate, f64)], day: NaiveDate) -> Option<f64> {
    let week = monday_of(day);
    plan.iter()
        .filter(|(w, _)| *w <= week)
        .max_by_key(|(w, _)| *w)
        .map(|(_, v)| *v)
}

/// Share of the way from baseline to target that `actual` has come (may pass 1 or fall below 0).
pub fn progress(baseline: f64, target: f64, actual: f64) -> Option<f64> {
    let span = target - baseline;
    (span.abs() > f64::EPSILON).then(|| (actual - baseline) / span)
}

/// Whether `actual` is at or ahead of `planned` in the indicator's direction.
pub fn on_track(direction: Direction, planned: f64, actual: f64) -> bool {
    match direction {
        Direction::Increase => actual + 1e-9 >= planned,
        Direction::Decrease => actual <= planned + 1e-9,
    }
}

/// Where an indicator stands on a day: its latest actual (at or before that day's week) against
/// the plan of the same week, and the plan of the day's week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The plan for the current week.
    pub planned_now: Option<f64>,
    /// The latest week with an actual, and the actual.
    pub latest_week: Option<NaiveDate>,
    pub latest: Option<f64>,
    /// The plan for the latest actual's week.
    pub planned_then: Option<f64>,
    /// Share of the way from baseline to target (latest actual).
    pub progress: Option<f64>,
    /// The latest actual is at or ahead of its week's plan; none without an actual.
    pub on_track: Option<bool>,
}

pub fn standing(
    direction: Direction,
    baseline: f64,
    target: f64,
    plan: &[(NaiveDate, f64)],
    actuals: &[(NaiveDate, f64)],
    today: NaiveDate,
) -> Standing {
    let week = monday_of(today);
    let latest = actuals
        .iter()
        .filter(|(w, _)| *w <= week)
        .max_by_key(|(w, _)| *w)
        .copied();
    let planned_then = latest.and_then(|(w, _)| planned_at(plan, w));
    Standing {
        planned_now: planned_at(plan, today),
        latest_week: latest.map(|l| l.0),
        latest: latest.map(|l| l.1),
        planned_then,
        progress: latest.and_then(|(_, v)| progress(baseline, target, v)),
        on_track: match (latest, planned_then) {
            (Some((_, v)), Some(p)) => Some(on_track(direction, p, v)),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_linear_plan_runs_week_by_week_from_baseline_to_target() {
        let plan = linear_plan(0.0, 100.0, d("2026-11-04"), d("2026-12-02"));
        assert_eq!(plan.len(), 5);
        assert_eq!(plan[0], (d("2026-11-02"), 0.0));
        assert_eq!(plan[1], (d("2026-11-09"), 25.0));
        assert_eq!(plan[4], (d("2026-11-30"), 100.0));
        let one = linear_plan(3.0, 7.0, d("2026-11-04"), d("2026-11-05"));
        assert_eq!(one, vec![(d("2026-11-02"), 7.0)]);
        // Thirds round to two decimals.
        let thirds = linear_plan(0.0, 1.0, d("2026-11-02"), d("2026-11-23"));
        assert_eq!(thirds[1].1, 0.33);
    }

    #[test]
    fn the_planned_value_holds_between_weeks_and_after_the_end() {
        let plan = linear_plan(0.0, 100.0, d("2026-11-02"), d("2026-11-30"));
        assert_eq!(planned_at(&plan, d("2026-11-12")), Some(25.0));
        assert_eq!(planned_at(&plan, d("2027-01-15")), Some(100.0));
        assert_eq!(planned_at(&plan, d("2026-10-30")), None);
    }

    #[test]
    fn standing_compares_the_latest_actual_with_its_weeks_plan() {
        let plan = linear_plan(0.0, 100.0, d("2026-11-02"), d("2026-11-30"));
        let actuals = [
            (d("2026-11-02"), 5.0),
            (d("2026-11-16"), 45.0),
            (d("2026-12-07"), 99.0),
        ];
        let s = standing(
            Direction::Increase,
            0.0,
            100.0,
            &plan,
            &actuals,
            d("2026-11-25"),
        );
        assert_eq!(s.planned_now, Some(75.0));
        assert_eq!(
            (s.latest_week, s.latest),
            (Some(d("2026-11-16")), Some(45.0))
        );
        assert_eq!(s.planned_then, Some(50.0));
        assert_eq!(s.on_track, Some(false));
        assert_eq!(s.progress, Some(0.45));
        let none = standing(Direction::Increase, 0.0, 100.0, &plan, &[], d("2026-11-25"));
        assert_eq!((none.on_track, none.progress), (None, None));
    }

    #[test]
    fn progress_and_on_track_follow_the_direction() {
        assert_eq!(progress(0.0, 100.0, 40.0), Some(0.4));
        assert_eq!(progress(20.0, 5.0, 10.0), Some(2.0 / 3.0));
        assert_eq!(progress(5.0, 5.0, 5.0), None);
        assert!(on_track(Direction::Increase, 50.0, 50.0));
        assert!(!on_track(Direction::Increase, 50.0, 49.0));
        assert!(on_track(Direction::Decrease, 10.0, 8.0));
        assert!(!on_track(Direction::Decrease, 10.0, 12.0));
        assert_eq!(Direction::parse("decrease"), Some(Direction::Decrease));
        assert_eq!(Direction::parse("up"), None);
    }
}
