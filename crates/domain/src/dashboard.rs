//! Figures of a scope's dashboard that are derived week by week: the on-time rate of the items
//! whose original deadline fell in each week, and the punctuality of the reports due in each
//! period. Storage supplies grouped counts; the weeks, rates and their order are decided here.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// Items whose original deadline is one day, counted by how they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueDay {
    pub day: NaiveDate,
    /// Closed by the original deadline.
    pub on_time: i64,
    /// Closed after it.
    pub late: i64,
    /// Not closed, with the deadline passed (they count against the rate).
    pub overdue: i64,
    /// Not closed and not yet due.
    pub pending: i64,
}

/// The on-time figures of one ISO week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekOnTime {
    /// `2026-W48`.
    pub week: String,
    pub monday: NaiveDate,
    pub sunday: NaiveDate,
    /// Items due so far in the week (the denominator).
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    /// Items of the week not yet due.
    pub pending: i64,
    /// `on_time / due`, none when nothing was due.
    pub rate: Option<f64>,
}

/// The Monday of `day`'s ISO week.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first and last day of the `weeks` ISO weeks that end with `today`'s.
pub fn window(today: NaiveDate, weeks: u32) -> (NaiveDate, NaiveDate) {
    let this = monday_of(today);
    let first = this - Duration::weeks(i64::from(weeks.max(1)) - 1);
    (first, this + Duration::days(6))
}

fn week_label(monday: NaiveDate) -> String {
    let w = monday.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The last `weeks` ISO weeks up to `today`'s, oldest first, each with the items whose original
/// deadline fell in it. Days outside the window are ignored.
pub fn on_time_weeks(days: &[DueDay], today: NaiveDate, weeks: u32) -> Vec<WeekOnTime> {
    let (first, _) = window(today, weeks);
    let mut out: Vec<WeekOnTime> = (0..i64::from(weeks.max(1)))
        .map(|i| {
            let monday = first + Duration::weeks(i);
            WeekOnTime {
                week: week_label(monday),
                monday,
                sunday: monday + Duration::days(6),
                due: 0,
                on_time: 0,
                late: 0,
                overdue: 0,
                pending: 0,
                rate: None,
            }
        })
        .collect();
    for d in days {
        let Some(w) = out
            .iter_mut()
            .find(|w| w.monday <= d.day && d.day <= w.sunday)
        else {
            continue;
        };
        w.on_time += d.on_time;
        w.late += d.late;
        w.overdue += d.overdue;
        w.pending += d.pending;
    }
    for w in &mut out {
        w.due = w.on_time + w.late + w.overdue;
        w.rate = (w.due > 0).then(|| w.on_time as f64 / w.due as f64);
    }
    out
}

/// Reports of one period whose cut-off has passed, by how they came in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodPunctuality {
    pub period_key: String,
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    /// 报送及时率: `on_time / due`.
    pub rate: Option<f64>,
}

impl PeriodPunctuality {
    pub fn new(period_key: String, on_time: i64, late: i64, missing: i64) -> Self {
        let due = on_time + late + missing;
        PeriodPunctuality {
            period_key,
            due,
            on_time,
            late,
            missing,
            rate: (due > 0).then(|| on_time as f64 / due as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_window_is_whole_iso_weeks_ending_with_this_one() {
        // 2026-12-01 is a Tuesday.
        assert_eq!(
            window(d("2026-12-01"), 1),
            (d("2026-11-30"), d("2026-12-06"))
        );
        assert_eq!(
            window(d("2026-12-06"), 4),
            (d("2026-11-09"), d("2026-12-06"))
        );
        assert_eq!(monday_of(d("2026-11-30")), d("2026-11-30"));
    }

    #[test]
    fn weeks_add_up_their_days_and_rate_what_was_due() {
        let days = [
            DueDay {
                day: d("2026-11-17"),
                on_time: 3,
                late: 1,
                overdue: 0,
                pending: 0,
            },
            DueDay {
                day: d("2026-11-20"),
                on_time: 1,
                late: 0,
                overdue: 1,
                pending: 0,
            },
            DueDay {
                day: d("2026-12-03"),
                on_time: 0,
                late: 0,
                overdue: 0,
                pending: 5,
            },
            // Outside the window: ignored.
            DueDay {
                day: d("2026-10-01"),
                on_time: 9,
                late: 9,
                overdue: 9,
                pending: 9,
            },
        ];
        let w = on_time_weeks(&days, d("2026-12-01"), 3);
        assert_eq!(
            w.iter().map(|w| w.week.as_str()).collect::<Vec<_>>(),
            vec!["2026-W47", "2026-W48", "2026-W49"]
        );
        assert_eq!(
            (w[0].due, w[0].on_time, w[0].late, w[0].overdue),
            (6, 4, 1, 1)
        );
        assert_eq!(w[0].rate, Some(4.0 / 6.0));
        assert_eq!((w[1].due, w[1].rate), (0, None));
        assert_eq!((w[2].due, w[2].pending, w[2].rate), (0, 5, None));
    }

    #[test]
    fn punctuality_is_on_time_among_due() {
        let p = PeriodPunctuality::new("2026-W48".into(), 6, 1, 1);
        assert_eq!((p.due, p.rate), (8, Some(0.75)));
        assert_eq!(PeriodPunctuality::new("x".into(), 0, 0, 0).rate, None);
    }
}
