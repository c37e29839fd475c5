//! Roll-ups for any org scope, built from per-item buckets. An item's bucket (status, light,
//! timeliness, whether it is due so far) changes only when the item changes or when the calendar
//! crosses one of its dates; [`next_change`] gives that date, so storage can keep buckets and
//! per-ancestor counters current without rescanning items, and a scope's roll-up is a sum of
//! counters rather than a scan.

use crate::item::Status;
use crate::light::{light, timeliness, Facts, Light, LightRule, Timeliness};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// What an item counts as on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Bucket {
    pub status: Status,
    pub light: Option<Light>,
    pub timeliness: Option<Timeliness>,
    /// Its original deadline has passed, or it is done: it counts in the on-time rate.
    pub due_so_far: bool,
}

pub fn bucket(f: &Facts, today: NaiveDate, rule: &LightRule) -> Bucket {
    let t = timeliness(f, today, rule);
    Bucket {
        status: f.status,
        light: light(f, today, rule),
        timeliness: t,
        due_so_far: !f.status.is_out_of_play() && (f.status.is_done() || today > f.original_due_on),
    }
}

/// The first day after `today` on which the item's bucket changes by the calendar alone, if any.
pub fn next_change(f: &Facts, today: NaiveDate, rule: &LightRule) -> Option<NaiveDate> {
    if f.status.is_out_of_play() || f.status.is_done() {
        return None;
    }
    let day = chrono::Duration::days(1);
    let mut candidates = vec![
        f.due_on - chrono::Duration::days(rule.due_soon_days),
        f.due_on + day,
        f.original_due_on + day,
    ];
    if let Some(start) = f.start_on {
        if f.due_on > start {
            candidates.push(
                start + chrono::Duration::days(rule.lagging_after((f.due_on - start).num_days())),
            );
        }
    }
    candidates.sort();
    let now = bucket(f, today, rule);
    candidates
        .into_iter()
        .filter(|d| *d > today)
        .find(|d| bucket(f, *d, rule) != now)
}

/// Figures of a scope, from bucket counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollup {
    pub total: i64,
    pub by_status: BTreeMap<&'static str, i64>,
    pub by_light: BTreeMap<&'static str, i64>,
    pub overdue: i64,
    pub due_soon: i64,
    /// Items due so far (the denominator of the on-time rate).
    pub due_so_far: i64,
    pub closed_on_time: i64,
    pub closed_late: i64,
    /// Sum and count of days from issue to close-out, for the average.
    pub days_to_close_sum: i64,
    pub closed_count: i64,
}

impl Rollup {
    /// Adds `n` items of bucket `b`, whose closed ones took `days_to_close` days in all.
    pub fn add(&mut self, b: &Bucket, n: i64, days_to_close: i64) {
        if n == 0 {
            return;
        }
        if b.status != Status::Withdrawn {
            self.total += n;
        }
        *self.by_status.entry(b.status.as_str()).or_default() += n;
        if let Some(l) = b.light {
            *self.by_light.entry(l.as_str()).or_default() += n;
        }
        match b.timeliness {
            Some(Timeliness::Overdue) => self.overdue += n,
            Some(Timeliness::DueSoon) => self.due_soon += n,
            Some(Timeliness::ClosedOnTime) => self.closed_on_time += n,
            Some(Timeliness::ClosedLate) => self.closed_late += n,
            _ => {}
        }
        if b.due_so_far {
            self.due_so_far += n;
        }
        if b.status.is_done() {
            self.closed_count += n;
            self.days_to_close_sum += days_to_close;
        }
    }

    pub fn merge(&mut self, other: &Rollup) {
        self.total += other.total;
        for (k, v) in &other.by_status {
            *self.by_status.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_light {
            *self.by_light.entry(k).or_default() += v;
        }
        self.overdue += other.overdue;
        self.due_soon += other.due_soon;
        self.due_so_far += other.due_so_far;
        self.closed_on_time += other.closed_on_time;
        self.closed_late += other.closed_late;
        self.days_to_close_sum += other.days_to_close_sum;
        self.closed_count += other.closed_count;
    }

    /// 按期办结率: items closed by their original deadline among those due so far.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due_so_far > 0).then(|| self.closed_on_time as f64 / self.due_so_far as f64)
    }

    pub fn average_days_to_close(&self) -> Option<f64> {
        (self.closed_count > 0).then(|| self.days_to_close_sum as f64 / self.closed_count as f64)
    }

    pub fn light(&self, l: Light) -> i64 {
        self.by_light.get(l.as_str()).copied().unwrap_or(0)
    }
}

/// How a task's progress follows from its subtasks (per campaign).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProgressRule {
    /// Share of subtasks done.
    ByCount,
    /// Subtask progress weighted by each subtask's weight.
    Weighted,
    /// Entered by hand on the task.
    Manual,
}

/// One subtask as progress sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubProgress {
    pub done: bool,
    pub percent: i64,
    pub weight: i64,
}

/// A task's progress in percent (0–100); without subtasks, the manual figure.
pub fn task_progress(rule: ProgressRule, manual: Option<i64>, subs: &[SubProgress]) -> i64 {
    let clamp = |v: i64| v.clamp(0, 100);
    if subs.is_empty() || rule == ProgressRule::Manual {
        return clamp(manual.unwrap_or(0));
    }
    match rule {
        ProgressRule::ByCount => {
            clamp(subs.iter().filter(|s| s.done).count() as i64 * 100 / subs.len() as i64)
        }
        ProgressRule::Weighted => {
            let total: i64 = subs.iter().map(|s| s.weight.max(0)).sum();
            if total == 0 {
                return 0;
            }
            let done: i64 = subs
                .iter()
                .map(|s| s.weight.max(0) * if s.done { 100 } else { clamp(s.percent) })
                .sum();
            clamp(done / total)
        }
        ProgressRule::Manual => clamp(manual.unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn facts(status: Status, due: NaiveDate) -> Facts {
        Facts {
            status,
            start_on: Some(d(9, 1)),
            original_due_on: due,
            due_on: due,
            closed_on: None,
            progress_percent: Some(80),
            has_responsible_person: true,
        }
    }

    #[test]
    fn next_change_finds_every_calendar_edge() {
        let r = LightRule::default();
        let f = facts(Status::InProgress, d(10, 31));
        assert_eq!(
            next_change(&f, d(10, 1), &r),
            Some(d(10, 28)),
            "turns yellow three days before"
        );
        assert_eq!(
            next_change(&f, d(10, 28), &r),
            Some(d(11, 1)),
            "turns red, and due so far, the day after"
        );
        assert_eq!(
            next_change(&f, d(11, 1), &r),
            None,
            "red stays red until someone acts"
        );
        let mut lagging = f;
        lagging.progress_percent = Some(10);
        assert_eq!(
            next_change(&lagging, d(9, 2), &r),
            Some(d(10, 11)),
            "little progress at 2/3 of the time"
        );
        // Walking day by day agrees with next_change everywhere.
        for f in [f, lagging] {
            let mut day = d(9, 1);
            while day < d(12, 1) {
                let next = next_change(&f, day, &r);
                let mut probe = day + chrono::Duration::days(1);
                while probe < d(12, 1) && bucket(&f, probe, &r) == bucket(&f, day, &r) {
                    probe += chrono::Duration::days(1);
                }
                let expected = (probe < d(12, 1)).then_some(probe);
                assert_eq!(next, expected, "from {day}");
                day += chrono::Duration::days(1);
            }
        }
        assert_eq!(
            next_change(&facts(Status::Closed, d(10, 31)), d(10, 1), &r),
            None
        );
    }

    #[test]
    fn rollup_figures_match_a_hand_count() {
        let r = LightRule::default();
        let today = d(11, 10);
        let mut closed_on_time = facts(Status::Closed, d(10, 31));
        closed_on_time.closed_on = Some(d(10, 20));
        let mut closed_late = facts(Status::Verified, d(10, 31));
        closed_late.closed_on = Some(d(11, 5));
        closed_late.due_on = d(11, 30);
        let overdue = facts(Status::InProgress, d(11, 1));
        let due_soon = facts(Status::Assigned, d(11, 12));
        let later = facts(Status::InProgress, d(12, 31));
        let withdrawn = facts(Status::Withdrawn, d(10, 1));
        let mut roll = Rollup::default();
        roll.add(&bucket(&closed_on_time, today, &r), 1, 49);
        roll.add(&bucket(&closed_late, today, &r), 1, 65);
        roll.add(&bucket(&overdue, today, &r), 2, 0);
        roll.add(&bucket(&due_soon, today, &r), 1, 0);
        roll.add(&bucket(&later, today, &r), 3, 0);
        roll.add(&bucket(&withdrawn, today, &r), 1, 0);
        assert_eq!(roll.total, 8);
        assert_eq!(
            (
                roll.light(Light::Green),
                roll.light(Light::Yellow),
                roll.light(Light::Red)
            ),
            (5, 1, 2)
        );
        assert_eq!((roll.overdue, roll.due_soon), (2, 1));
        // Due so far: both closed, and the two overdue ones.
        assert_eq!(roll.due_so_far, 4);
        assert_eq!(roll.on_time_rate(), Some(0.25));
        assert_eq!(roll.average_days_to_close(), Some(57.0));
        let mut twice = roll.clone();
        twice.merge(&roll);
        assert_eq!(
            (twice.total, twice.due_so_far, twice.on_time_rate()),
            (16, 8, Some(0.25))
        );
        assert_eq!(
            Rollup::default().on_time_rate(),
            None,
            "no rate without items due"
        );
    }

    #[test]
    fn task_progress_rules() {
        let subs = [
            SubProgress {
                done: true,
                percent: 100,
                weight: 1,
            },
            SubProgress {
                done: false,
                percent: 50,
                weight: 3,
            },
            SubProgress {
                done: false,
                percent: 0,
                weight: 0,
            },
            SubProgress {
                done: false,
                percent: 0,
                weight: 1,
            },
        ];
        assert_eq!(task_progress(ProgressRule::ByCount, None, &subs), 25);
        assert_eq!(task_progress(ProgressRule::Weighted, None, &subs), 50);
        assert_eq!(task_progress(ProgressRule::Manual, Some(70), &subs), 70);
        assert_eq!(task_progress(ProgressRule::ByCount, Some(140), &[]), 100);
    }
}
