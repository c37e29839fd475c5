//! Delivery of notices on outside channels (e-mail, group robots): when to try again after a
//! failure, and when to give up and record the notice as failed.

use chrono::Duration;

/// The channels a notice can go out on.
pub const CHANNELS: [&str; 4] = ["inbox", "email", "dingtalk", "wecom"];

/// The group-robot kinds an org can register.
pub const ROBOT_KINDS: [&str; 2] = ["dingtalk", "wecom"];

/// What a robot's numeric error code means, in our words (what the robot's server wrote is
/// never kept: a webhook may lead to any service). Codes from DingTalk's and WeCom's manuals.
pub fn robot_error(code: i64) -> &'static str {
    match code {
        310000 => "the robot refused the message: signature, keyword or address check failed",
        300001 | 40014 | 93000 | 400013 => "the robot's address or token is not valid",
        130101 | 45009 | 45033 => "the robot is sending too fast; it will be tried again",
        400005 | 410100 => "the robot is switched off or removed in its group",
        _ => "the robot refused the message",
    }
}

/// Days before a deadline on which a reminder goes out, unless a campaign says otherwise.
pub const DEFAULT_OFFSETS: [i64; 2] = [3, 1];

/// Offsets are whole days from 0 (the deadline itself) to 30, at most five of them.
pub fn offsets_ok(offsets: &[i64]) -> bool {
    offsets.len() <= 5 && offsets.iter().all(|d| (0..=30).contains(d))
}

/// "3,1" → [3, 1]; what does not parse is left out.
pub fn parse_offsets(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|p| p.trim().parse().ok()).collect()
}

/// [1, 3, 3] → "3,1": largest first, once each.
pub fn format_offsets(offsets: &[i64]) -> String {
    let mut v = offsets.to_vec();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Why an open item is in today's reminder, if it is: its deadline is `offsets` days away, or it
/// has passed (an overdue item is reminded of every day until it is dealt with).
pub fn remind_today(
    due_on: chrono::NaiveDate,
    today: chrono::NaiveDate,
    offsets: &[i64],
) -> Option<Reminder> {
    let left = (due_on - today).num_days();
    if left < 0 {
        Some(Reminder::Overdue { days: -left })
    } else if offsets.contains(&left) {
        Some(Reminder::DueIn { days: left })
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reminder {
    DueIn { days: i64 },
    Overdue { days: i64 },
}

/// Waits after the 1st, 2nd, … failed attempt; after the last one the notice is given up.
const WAITS_MINUTES: [i64; 7] = [1, 5, 15, 60, 180, 360, 720];

/// How long to wait before attempt `failed + 1`, given `failed` attempts have failed; `None` when
/// the notice should be given up.
pub fn retry_after(failed: u32) -> Option<Duration> {
    let i = usize::try_from(failed).ok()?.checked_sub(1)?;
    WAITS_MINUTES.get(i).map(|m| Duration::minutes(*m))
}

/// The most attempts a notice gets.
pub fn max_attempts() -> u32 {
    WAITS_MINUTES.len() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    use chrono::NaiveDate;

    #[test]
    fn reminders_fall_on_the_offsets_and_every_overdue_day() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 10).expect("date");
        let on = |d: u32| {
            remind_today(
                due,
                NaiveDate::from_ymd_opt(2026, 12, d).expect("date"),
                &[3, 1],
            )
        };
        assert_eq!(on(6), None, "four days before: not an offset");
        assert_eq!(on(7), Some(Reminder::DueIn { days: 3 }));
        assert_eq!(on(8), None);
        assert_eq!(on(9), Some(Reminder::DueIn { days: 1 }));
        assert_eq!(on(10), None, "the deadline itself is not an offset here");
        assert_eq!(on(11), Some(Reminder::Overdue { days: 1 }));
        assert_eq!(on(12), Some(Reminder::Overdue { days: 2 }));
        assert_eq!(
            remind_today(due, due, &[0]),
            Some(Reminder::DueIn { days: 0 })
        );
    }

    #[test]
    fn offsets_round_trip_and_are_bounded() {
        assert_eq!(parse_offsets(" 3, 1"), vec![3, 1]);
        assert_eq!(format_offsets(&[1, 3, 3]), "3,1");
        assert_eq!(
            parse_offsets(&format_offsets(&DEFAULT_OFFSETS)),
            DEFAULT_OFFSETS
        );
        assert!(offsets_ok(&[7, 3, 1]));
        assert!(!offsets_ok(&[31]));
        assert!(!offsets_ok(&[-1]));
        assert!(!offsets_ok(&[1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn waits_grow_then_give_up() {
        assert_eq!(
            retry_after(0),
            None,
            "nothing failed yet, nothing to wait for"
        );
        assert_eq!(retry_after(1), Some(Duration::minutes(1)));
        assert_eq!(retry_after(2), Some(Duration::minutes(5)));
        let mut last = Duration::zero();
        for n in 1..max_attempts() {
            let w = retry_after(n).expect("retried");
            assert!(w > last, "attempt {n} waits longer than the one before");
            last = w;
        }
        assert_eq!(retry_after(max_attempts()), None);
        assert_eq!(max_attempts(), 8);
    }
}
