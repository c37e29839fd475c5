//! The cadence of a work rule (工作制度): weekly on a weekday and time, monthly on a day and time,
//! or a cron expression. Each cadence cuts time into periods, each with the instant a report (or
//! a bulletin) falls due, computed in the campaign's time zone.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// When something recurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cadence {
    /// Every week, due on `weekday` (1 = Monday … 7 = Sunday) at `time`.
    Weekly { weekday: u32, time: NaiveTime },
    /// Every month, due on day `day` (clamped to the month's last day) at `time`.
    Monthly { day: u32, time: NaiveTime },
    /// A five-field cron expression (minute hour day-of-month month day-of-week).
    Cron { expr: String },
}

/// Why a cadence is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CadenceError {
    #[error("weekday must be 1 (Monday) to 7 (Sunday)")]
    BadWeekday,
    #[error("day of month must be 1 to 31")]
    BadDay,
    #[error("bad cron expression: {0}")]
    BadCron(String),
}

impl Cadence {
    pub fn validate(&self) -> Result<(), CadenceError> {
        match self {
            Cadence::Weekly { weekday, .. } if !(1..=7).contains(weekday) => {
                Err(CadenceError::BadWeekday)
            }
            Cadence::Monthly { day, .. } if !(1..=31).contains(day) => Err(CadenceError::BadDay),
            Cadence::Cron { expr } => Cron::parse(expr).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The first due instant strictly after `after`.
    pub fn next_due(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&tz).naive_local();
        match self {
            Cadence::Weekly { weekday, time } => {
                let wd = Weekday::try_from(u8::try_from(weekday.checked_sub(1)?).ok()?).ok()?;
                let mut day = local.date();
                for _ in 0..8 {
                    if day.weekday() == wd {
                        if let Some(t) = at(tz, day, *time).filter(|t| *t > after) {
                            return Some(t);
                        }
                    }
                    day = day.succ_opt()?;
                }
                None
            }
            Cadence::Monthly { day, time } => {
                let (mut y, mut m) = (local.year(), local.month());
                for _ in 0..3 {
                    let d = clamp_day(y, m, *day)?;
                    if let Some(t) = at(tz, d, *time).filter(|t| *t > after) {
                        return Some(t);
                    }
                    (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                }
                None
            }
            Cadence::Cron { expr } => Cron::parse(expr)
                .ok()?
                .next_after(local)
                .and_then(|n| tz.from_local_datetime(&n).earliest())
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    /// Every due instant in `(from, to]`, in order: the periods that closed in that span. A
    /// scheduler that was down runs the span once and learns every period it missed.
    pub fn dues_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
        limit: usize,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut t = from;
        while out.len() < limit {
            match self.next_due(t, tz) {
                Some(n) if n <= to => {
                    out.push(n);
                    t = n;
                }
                _ => break,
            }
        }
        out
    }
}

fn at(tz: Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&NaiveDateTime::new(day, time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn clamp_day(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    let last = (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(y, m, *d).is_some())?;
    NaiveDate::from_ymd_opt(y, m, day.min(last))
}

/// The ISO week label of a date, as bulletins are numbered: `2026-W48`.
pub fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of an ISO week label (`YYYY-Www`).
pub fn parse_iso_week(s: &str) -> Option<NaiveDate> {
    let (y, w) = s.trim().split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, Weekday::Mon)
}

/// The ISO week `week` (`2026-W49`) in the zone `tz`: from its Monday 00:00 to the next Monday
/// 00:00 (the end of its Sunday). `None` for a label that names no ISO week.
pub fn week_bounds(week: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let monday = parse_iso_week(week)?;
    let start = tz
        .from_local_datetime(&monday.and_hms_opt(0, 0, 0)?)
        .earliest()?
        .with_timezone(&Utc);
    let next = tz
        .from_local_datetime(&(monday + Duration::weeks(1)).and_hms_opt(0, 0, 0)?)
        .earliest()?
        .with_timezone(&Utc);
    Some((start, next))
}

/// A parsed five-field cron expression: each field a set of allowed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<u32>,
    hours: Vec<u32>,
    days: Vec<u32>,
    months: Vec<u32>,
    weekdays: Vec<u32>,
    any_day: bool,
    any_weekday: bool,
}

fn field(spec: &str, lo: u32, hi: u32) -> Result<Vec<u32>, CadenceError> {
    let bad = || CadenceError::BadCron(spec.to_owned());
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| bad())?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(bad());
        }
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?)
        } else {
            let v: u32 = range.parse().map_err(|_| bad())?;
            (v, if part.contains('/') { hi } else { v })
        };
        if a < lo || b > hi || a > b {
            return Err(bad());
        }
        out.extend((a..=b).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl Cron {
    pub fn parse(expr: &str) -> Result<Cron, CadenceError> {
        let f: Vec<&str> = expr.split_whitespace().collect();
        if f.len() != 5 {
            return Err(CadenceError::BadCron(format!(
                "{expr} (five fields expected)"
            )));
        }
        // Day of week 0 and 7 are both Sunday.
        let mut weekdays: Vec<u32> = field(f[4], 0, 7)?.into_iter().map(|d| d % 7).collect();
        weekdays.sort_unstable();
        weekdays.dedup();
        Ok(Cron {
            minutes: field(f[0], 0, 59)?,
            hours: field(f[1], 0, 23)?,
            days: field(f[2], 1, 31)?,
            months: field(f[3], 1, 12)?,
            weekdays,
            any_day: f[2] == "*",
            any_weekday: f[4] == "*",
        })
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        let dom = self.days.contains(&d.day());
        let dow = self.weekdays.contains(&d.weekday().num_days_from_sunday());
        // As in cron: when both are restricted, either may match.
        match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The first local time strictly after `t` that matches, within the next five years.
    pub fn next_after(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let start = t + Duration::minutes(1);
        let mut day = start.date();
        for _ in 0..(366 * 5) {
            if self.months.contains(&day.month()) && self.day_matches(day) {
                for h in &self.hours {
                    for m in &self.minutes {
                        let cand = NaiveDateTime::new(day, NaiveTime::from_hms_opt(*h, *m, 0)?);
                        if cand >= start.with_second(0)? {
                            return Some(cand);
                        }
                    }
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

use chrono::Timelike;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn weekly_friday_four_pm_in_shanghai() {
        let c = Cadence::Weekly {
            weekday: 5,
            time: t(16, 0),
        };
        // Thursday 2026-11-26 10:00 Shanghai → Friday 27th 16:00 Shanghai = 08:00 UTC.
        assert_eq!(
            c.next_due(utc(2026, 11, 26, 2, 0), Shanghai),
            Some(utc(2026, 11, 27, 8, 0))
        );
        // Exactly at the cut-off: the next one is a week later.
        assert_eq!(
            c.next_due(utc(2026, 11, 27, 8, 0), Shanghai),
            Some(utc(2026, 12, 4, 8, 0))
        );
        // Down for three weeks: three periods closed, each once.
        let missed = c.dues_between(
            utc(2026, 11, 1, 0, 0),
            utc(2026, 11, 22, 0, 0),
            Shanghai,
            100,
        );
        assert_eq!(
            missed,
            vec![
                utc(2026, 11, 6, 8, 0),
                utc(2026, 11, 13, 8, 0),
                utc(2026, 11, 20, 8, 0)
            ]
        );
        assert_eq!(
            Cadence::Weekly {
                weekday: 8,
                time: t(1, 0)
            }
            .validate(),
            Err(CadenceError::BadWeekday)
        );
    }

    #[test]
    fn monthly_clamps_to_the_last_day() {
        let c = Cadence::Monthly {
            day: 31,
            time: t(9, 0),
        };
        assert_eq!(
            c.next_due(utc(2027, 2, 1, 0, 0), Shanghai),
            Some(utc(2027, 2, 28, 1, 0))
        );
        assert_eq!(
            c.next_due(utc(2027, 2, 28, 1, 0), Shanghai),
            Some(utc(2027, 3, 31, 1, 0))
        );
    }

    #[test]
    fn cron_expressions() {
        let c = Cadence::Cron {
            expr: "30 8 * * 1".into(),
        };
        c.validate().expect("valid");
        // Mondays 08:30 Shanghai = 00:30 UTC.
        assert_eq!(
            c.next_due(utc(2026, 11, 26, 0, 0), Shanghai),
            Some(utc(2026, 11, 30, 0, 30))
        );
        let every_15 = Cron::parse("*/15 9-10 * * *").expect("cron");
        let n = every_15.next_after(NaiveDateTime::new(
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"),
            t(9, 50),
        ));
        assert_eq!(n.map(|x| x.time()), Some(t(10, 0)));
        assert_eq!(
            Cron::parse("0 12 1,15 * *")
                .expect("cron")
                .next_after(NaiveDateTime::new(
                    NaiveDate::from_ymd_opt(2026, 1, 2).expect("d"),
                    t(0, 0)
                ))
                .map(|x| x.date().day()),
            Some(15)
        );
        for bad in [
            "* * *",
            "61 * * * *",
            "* 24 * * *",
            "*/0 * * * *",
            "a b c d e",
        ] {
            assert!(Cron::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Cron::parse("0 0 * * 7").expect("sunday").weekdays, vec![0]);
    }

    #[test]
    fn iso_weeks() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).expect("d");
        assert_eq!(iso_week(d), "2026-W48");
        assert_eq!(
            parse_iso_week("2026-W48"),
            NaiveDate::from_ymd_opt(2026, 11, 23)
        );
        assert_eq!(
            iso_week(NaiveDate::from_ymd_opt(2027, 1, 1).expect("d")),
            "2026-W53"
        );
        assert_eq!(parse_iso_week("2026-W99"), None);
    }

    #[test]
    fn a_week_runs_from_its_local_monday_midnight_to_the_next() {
        // 2026-W48 is Monday 23 to Sunday 29 November; Shanghai is UTC+8.
        assert_eq!(
            week_bounds("2026-W48", Shanghai),
            Some((utc(2026, 11, 22, 16, 0), utc(2026, 11, 29, 16, 0)))
        );
        assert_eq!(
            week_bounds(" 2026-W53 ", chrono_tz::UTC),
            Some((utc(2026, 12, 28, 0, 0), utc(2027, 1, 4, 0, 0)))
        );
        assert_eq!(week_bounds("2025-W53", Shanghai), None);
    }
}
