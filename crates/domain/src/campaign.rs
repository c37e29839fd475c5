//! Campaigns: requirements, fundamental task, goals and phases. The four phases run in parallel
//! through the whole campaign; dates are calendar dates in the campaign's time zone.

use crate::validate::Validation;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The four strands of a campaign: 学习教育, 调查研究, 检视问题, 整改落实.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    Study,
    Research,
    Review,
    Rectification,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 4] = [
        PhaseKind::Study,
        PhaseKind::Research,
        PhaseKind::Review,
        PhaseKind::Rectification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::Study => "study",
            PhaseKind::Research => "research",
            PhaseKind::Review => "review",
            PhaseKind::Rectification => "rectification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn default_name_zh(self) -> &'static str {
        match self {
            PhaseKind::Study => "学习教育",
            PhaseKind::Research => "调查研究",
            PhaseKind::Review => "检视问题",
            PhaseKind::Rectification => "整改落实",
        }
    }
}

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const CAMPAIGN_NAME_MAX: usize = 200;
pub const LONG_TEXT_MAX: usize = 4000;
pub const GOAL_TITLE_MAX: usize = 200;

/// A phase as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseInput {
    pub kind: PhaseKind,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The four phases spanning the whole campaign, as the article has them run.
pub fn default_phases(starts_on: NaiveDate, ends_on: NaiveDate) -> Vec<PhaseInput> {
    PhaseKind::ALL
        .iter()
        .map(|k| PhaseInput {
            kind: *k,
            name: k.default_name_zh().to_owned(),
            starts_on,
            ends_on,
        })
        .collect()
}

/// Whether a time zone name is known (IANA, e.g. `Asia/Shanghai`).
pub fn valid_time_zone(tz: &str) -> bool {
    tz.parse::<chrono_tz::Tz>().is_ok()
}

/// Checks the campaign's dates, time zone and phases.
pub fn validate_schedule(
    v: &mut Validation,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    time_zone: &str,
    phases: &[PhaseInput],
) {
    if ends_on < starts_on {
        v.add("ends_on", "ends_before_start");
    }
    if !valid_time_zone(time_zone) {
        v.add("time_zone", "unknown_time_zone");
    }
    for (i, p) in phases.iter().enumerate() {
        let f = format!("phases[{i}]");
        v.text(&format!("{f}.name"), &p.name, 50);
        if p.ends_on < p.starts_on {
            v.add(&format!("{f}.ends_on"), "ends_before_start");
        }
        if p.starts_on < starts_on || p.ends_on > ends_on {
            v.add(&format!("{f}.starts_on"), "outside_campaign");
        }
    }
}

/// The metrics of dashboards and lists that a campaign can switch off (burden reduction:
/// "every metric in bulletins and dashboards can be switched off per campaign"). Bulletin figures
/// are switched off by giving them no weight in the scoring rules.
pub const METRICS: [&str; 7] = [
    "lights",
    "phase_progress",
    "overdue_ranking",
    "indicators",
    "on_time_weekly",
    "report_punctuality",
    "activity_counts",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn defaults_span_campaign() {
        let ps = default_phases(d(2026, 9, 1), d(2027, 2, 28));
        assert_eq!(ps.len(), 4);
        assert_eq!(ps[3].name, "整改落实");
        let mut v = Validation::new();
        validate_schedule(
            &mut v,
            d(2026, 9, 1),
            d(2027, 2, 28),
            DEFAULT_TIME_ZONE,
            &ps,
        );
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn bad_schedules() {
        let mut ps = default_phases(d(2026, 9, 1), d(2027, 2, 28));
        ps[1].ends_on = d(2027, 3, 31);
        ps[2].ends_on = d(2026, 8, 1);
        let mut v = Validation::new();
        validate_schedule(&mut v, d(2026, 9, 1), d(2026, 8, 1), "Mars/Base", &ps);
        let fields: Vec<_> = v.errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"ends_on"));
        assert!(fields.contains(&"time_zone"));
        assert!(fields.contains(&"phases[1].starts_on"));
        assert!(fields.contains(&"phases[2].ends_on"));
    }
}
