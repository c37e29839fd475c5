//! How many refusals of one account (or one address) go into the audit trail one by one: a
//! scan of a thousand foreign URLs must not flood the trail, and must not go unrecorded either.
//! Within a window the first `per_window` refusals are written; the rest are counted, and the
//! count is written once the window has ended.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Refusals written one by one per key and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    pub per_window: u32,
    pub window: Duration,
}

impl Default for Cap {
    /// 30 a minute.
    fn default() -> Self {
        Cap {
            per_window: 30,
            window: Duration::minutes(1),
        }
    }
}

/// What to do with a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Write it.
    Write,
    /// Count it only.
    Count,
}

/// Refusals counted but not written, of one key's ended window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritten<K> {
    pub key: K,
    pub since: DateTime<Utc>,
    pub count: u64,
}

#[derive(Debug, Clone)]
struct Window {
    since: DateTime<Utc>,
    written: u32,
    counted: u64,
}

/// The windows of every key seen lately.
#[derive(Debug, Clone)]
pub struct RefusalBudget<K> {
    cap: Cap,
    windows: HashMap<K, Window>,
}

impl<K: std::hash::Hash + Eq + Clone> RefusalBudget<K> {
    pub fn new(cap: Cap) -> Self {
        RefusalBudget {
            cap,
            windows: HashMap::new(),
        }
    }

    /// A refusal of `key` at `now`. A window that has ended starts afresh (its count, if any,
    /// is left for [`Self::ended`] to hand out first).
    pub fn admit(&mut self, key: &K, now: DateTime<Utc>) -> Admit {
        let cap = self.cap;
        let w = self.windows.entry(key.clone()).or_insert(Window {
            since: now,
            written: 0,
            counted: 0,
        });
        if now >= w.since + cap.window && w.counted == 0 {
            *w = Window {
                since: now,
                written: 0,
                counted: 0,
            };
        }
        if w.written < cap.per_window && now < w.since + cap.window {
            w.written += 1;
            Admit::Write
        } else {
            w.counted += 1;
            Admit::Count
        }
    }

    /// The counts of windows that have ended at `now`, taken out (each is written once).
    pub fn ended(&mut self, now: DateTime<Utc>) -> Vec<Unwritten<K>> {
        let window = self.cap.window;
        let mut out = Vec::new();
        self.windows.retain(|key, w| {
            if now < w.since + window {
                return true;
            }
            if w.counted > 0 {
                out.push(Unwritten {
                    key: key.clone(),
                    since: w.since,
                    count: w.counted,
                });
            }
            false
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0)
            .single()
            .expect("t")
            + Duration::seconds(s)
    }

    #[test]
    fn a_scan_writes_the_first_few_and_counts_the_rest() {
        let mut b = RefusalBudget::new(Cap {
            per_window: 3,
            window: Duration::minutes(1),
        });
        let admitted: Vec<Admit> = (0..10).map(|i| b.admit(&"u7", t(i))).collect();
        assert_eq!(admitted.iter().filter(|a| **a == Admit::Write).count(), 3);
        assert_eq!(b.admit(&"u8", t(5)), Admit::Write, "keys are apart");
        assert!(b.ended(t(59)).is_empty(), "the window is still open");
        assert_eq!(
            b.ended(t(60)),
            vec![Unwritten {
                key: "u7",
                since: t(0),
                count: 7
            }]
        );
        assert!(b.ended(t(61)).is_empty(), "handed out once");
        assert_eq!(b.admit(&"u7", t(61)), Admit::Write, "a new window");
    }

    #[test]
    fn a_late_refusal_before_the_flush_is_counted_with_its_window() {
        let mut b = RefusalBudget::new(Cap {
            per_window: 1,
            window: Duration::minutes(1),
        });
        assert_eq!(b.admit(&1, t(0)), Admit::Write);
        assert_eq!(b.admit(&1, t(1)), Admit::Count);
        // The window ended but its count was not handed out yet: this one joins it.
        assert_eq!(b.admit(&1, t(70)), Admit::Count);
        assert_eq!(b.ended(t(70))[0].count, 2);
    }
}
