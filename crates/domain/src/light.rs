//! Derived state, computed from the rules and the clock, never typed by hand: timeliness and the
//! traffic light (红黄绿灯). On-time is judged against the original deadline, so an item closed
//! after it counts as late even when an extension was approved.

use crate::item::Status;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How an item stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Normal,
    DueSoon,
    Overdue,
    ClosedOnTime,
    ClosedLate,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::Normal => "normal",
            Timeliness::DueSoon => "due_soon",
            Timeliness::Overdue => "overdue",
            Timeliness::ClosedOnTime => "closed_on_time",
            Timeliness::ClosedLate => "closed_late",
        }
    }
}

/// 红黄绿灯.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub const ALL: [Light; 3] = [Light::Green, Light::Yellow, Light::Red];
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
    pub fn parse(s: &str) -> Option<Light> {
        Light::ALL.iter().copied().find(|l| l.as_str() == s)
    }
}

/// The light rule of a campaign (DOMAIN.md defaults): yellow within `due_soon_days` of the
/// deadline, or past `elapsed` (a fraction, 2/3 by default) of the allowed time with less than
/// `little_progress_percent` done; red when overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightRule {
    pub due_soon_days: i64,
    /// Numerator and denominator of the share of the allowed time.
    pub elapsed: (i64, i64),
    pub little_progress_percent: i64,
}

impl Default for LightRule {
    fn default() -> Self {
        Self {
            due_soon_days: 3,
            elapsed: (2, 3),
            little_progress_percent: 50,
        }
    }
}

impl LightRule {
    /// Days after the start on which the lagging threshold is reached: ⌈allowed × share⌉.
    pub fn lagging_after(&self, allowed_days: i64) -> i64 {
        let (n, d) = self.elapsed;
        let d = d.max(1);
        (allowed_days * n + d - 1) / d
    }
}

/// What the light depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    /// When the item was issued (assigned), which starts the allowed time.
    pub start_on: Option<NaiveDate>,
    pub original_due_on: NaiveDate,
    /// The deadline in force.
    pub due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    /// Progress 0–100, if known.
    pub progress_percent: Option<i64>,
    /// A responsible person is named.
    pub has_responsible_person: bool,
}

/// Timeliness on `today`; `None` for items out of play (draft, suspended, withdrawn).
pub fn timeliness(f: &Facts, today: NaiveDate, rule: &LightRule) -> Option<Timeliness> {
    if f.status.is_out_of_play() {
        return None;
    }
    if f.status.is_done() {
        let closed = f.closed_on?;
        return Some(if closed <= f.original_due_on {
            Timeliness::ClosedOnTime
        } else {
            Timeliness::ClosedLate
        });
    }
    Some(if today > f.due_on {
        Timeliness::Overdue
    } else if (f.due_on - today).num_days() <= rule.due_soon_days {
        Timeliness::DueSoon
    } else {
        Timeliness::Normal
    })
}

/// The light on `today`; `None` for items out of play. Missing data counts as red, not green.
pub fn light(f: &Facts, today: NaiveDate, rule: &LightRule) -> Option<Light> {
    let t = timeliness(f, today, rule)?;
    if f.status.is_done() {
        return Some(Light::Green);
    }
    if !f.has_responsible_person {
        return Some(Light::Red);
    }
    Some(match t {
        Timeliness::Overdue => Light::Red,
        Timeliness::DueSoon => Light::Yellow,
        _ => {
            let lagging = match (f.start_on, f.progress_percent) {
                (Some(start), progress) if f.due_on > start => {
                    let elapsed = (today - start).num_days().max(0);
                    elapsed >= rule.lagging_after((f.due_on - start).num_days())
                        && progress.unwrap_or(0) < rule.little_progress_percent
                }
                _ => false,
            };
            if lagging {
                Light::Yellow
            } else {
                Light::Green
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn facts() -> Facts {
        Facts {
            status: Status::InProgress,
            start_on: Some(d(9, 1)),
            original_due_on: d(10, 31),
            due_on: d(10, 31),
            closed_on: None,
            progress_percent: Some(60),
            has_responsible_person: true,
        }
    }

    #[test]
    fn lights_at_chosen_instants() {
        let r = LightRule::default();
        let f = facts();
        assert_eq!(
            (timeliness(&f, d(9, 10), &r), light(&f, d(9, 10), &r)),
            (Some(Timeliness::Normal), Some(Light::Green))
        );
        // Three days before the deadline: due soon, yellow.
        assert_eq!(
            (timeliness(&f, d(10, 28), &r), light(&f, d(10, 28), &r)),
            (Some(Timeliness::DueSoon), Some(Light::Yellow))
        );
        assert_eq!(light(&f, d(10, 27), &r), Some(Light::Green));
        // On the deadline day it is due, not overdue; the day after, red.
        assert_eq!(timeliness(&f, d(10, 31), &r), Some(Timeliness::DueSoon));
        assert_eq!(
            (timeliness(&f, d(11, 1), &r), light(&f, d(11, 1), &r)),
            (Some(Timeliness::Overdue), Some(Light::Red))
        );
    }

    #[test]
    fn little_progress_late_in_the_allowed_time_is_yellow() {
        let r = LightRule::default();
        let mut f = facts();
        f.progress_percent = Some(20);
        // 60 days allowed; 2/3 elapsed on day 40 (Oct 11).
        assert_eq!(light(&f, d(10, 10), &r), Some(Light::Green));
        assert_eq!(light(&f, d(10, 11), &r), Some(Light::Yellow));
        f.progress_percent = None;
        assert_eq!(
            light(&f, d(10, 11), &r),
            Some(Light::Yellow),
            "unknown progress is little progress"
        );
        f.progress_percent = Some(80);
        assert_eq!(light(&f, d(10, 11), &r), Some(Light::Green));
    }

    #[test]
    fn missing_data_is_red() {
        let r = LightRule::default();
        let mut f = facts();
        f.has_responsible_person = false;
        assert_eq!(light(&f, d(9, 2), &r), Some(Light::Red));
    }

    #[test]
    fn extension_moves_the_deadline_but_not_on_time() {
        let r = LightRule::default();
        let mut f = facts();
        f.due_on = d(11, 30);
        assert_eq!(
            light(&f, d(11, 5), &r),
            Some(Light::Green),
            "extended: not overdue"
        );
        f.status = Status::Closed;
        f.closed_on = Some(d(11, 20));
        assert_eq!(
            timeliness(&f, d(11, 21), &r),
            Some(Timeliness::ClosedLate),
            "late against the original deadline"
        );
        assert_eq!(light(&f, d(11, 21), &r), Some(Light::Green));
        f.closed_on = Some(d(10, 31));
        assert_eq!(
            timeliness(&f, d(11, 21), &r),
            Some(Timeliness::ClosedOnTime)
        );
    }

    #[test]
    fn out_of_play_items_have_no_light() {
        let r = LightRule::default();
        for s in [Status::Draft, Status::Suspended, Status::Withdrawn] {
            let mut f = facts();
            f.status = s;
            assert_eq!(
                (timeliness(&f, d(12, 1), &r), light(&f, d(12, 1), &r)),
                (None, None)
            );
        }
        let rule = LightRule {
            due_soon_days: 7,
            ..Default::default()
        };
        assert_eq!(
            light(&facts(), d(10, 24), &rule),
            Some(Light::Yellow),
            "thresholds are per campaign"
        );
    }
}
