//! Account lockout (等保 level 3: 登录失败处理): after a number of failed sign-ins in a row an
//! account is locked for a while, whatever password is offered meanwhile. A sign-in that
//! succeeds clears the count.

use chrono::{DateTime, Duration, Utc};

/// How many failures in a row lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub attempts: u32,
    pub duration: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            duration: Duration::minutes(30),
        }
    }
}

/// Where an account stands: its failures in a row and the end of its lock, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginState {
    pub failed: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginState {
    /// Whether a sign-in at `now` is refused before the password is even looked at.
    pub fn locked_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// The state after a wrong password at `now`. A running lock is neither extended nor
    /// ended; a lock that has run out starts the count afresh; reaching the policy's number of
    /// attempts locks the account.
    pub fn after_failure(&self, now: DateTime<Utc>, policy: LockoutPolicy) -> LoginState {
        if self.locked_at(now) {
            return *self;
        }
        let failed = match self.locked_until {
            Some(t) if now >= t => 1,
            _ => self.failed.saturating_add(1),
        };
        if policy.attempts > 0 && failed >= policy.attempts {
            LoginState {
                failed,
                locked_until: Some(now + policy.duration),
            }
        } else {
            LoginState {
                failed,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
            .single()
            .expect("t")
            + Duration::minutes(min)
    }

    #[test]
    fn the_fifth_failure_locks_for_thirty_minutes() {
        let p = LockoutPolicy::default();
        let mut s = LoginState::default();
        for i in 1..5 {
            s = s.after_failure(t(0), p);
            assert_eq!(s.failed, i);
            assert!(!s.locked_at(t(0)), "not locked after {i}");
        }
        s = s.after_failure(t(1), p);
        assert_eq!(s.locked_until, Some(t(31)));
        assert!(s.locked_at(t(30)));
        assert!(!s.locked_at(t(31)), "the lock ends on time");
    }

    #[test]
    fn a_failure_after_the_lock_ran_out_counts_from_one() {
        let p = LockoutPolicy::default();
        let locked = LoginState {
            failed: 5,
            locked_until: Some(t(30)),
        };
        let s = locked.after_failure(t(31), p);
        assert_eq!(
            s,
            LoginState {
                failed: 1,
                locked_until: None
            }
        );
        // A failure while still locked neither extends nor ends the lock.
        assert_eq!(locked.after_failure(t(10), p), locked);
    }

    #[test]
    fn zero_attempts_never_locks() {
        let p = LockoutPolicy {
            attempts: 0,
            duration: Duration::minutes(30),
        };
        let mut s = LoginState::default();
        for _ in 0..50 {
            s = s.after_failure(t(0), p);
        }
        assert!(!s.locked_at(t(0)));
    }
}

/// Failed sign-ins per client address (等保: 限制非法登录次数), so that one address trying many
/// accounts is slowed as one account is: after `attempts` failures within `window`, sign-ins
/// from the address are refused until the window that began with its first failure ends.
/// Kept in memory by each instance; the map is pruned as it grows.
#[derive(Debug, Default)]
pub struct AddressThrottle {
    seen: std::collections::HashMap<String, (DateTime<Utc>, u32)>,
}

impl AddressThrottle {
    /// Whether sign-ins from `addr` are refused at `now`.
    pub fn blocked(&self, addr: &str, now: DateTime<Utc>, policy: LockoutPolicy) -> bool {
        policy.attempts > 0
            && self
                .seen
                .get(addr)
                .is_some_and(|(since, n)| now < *since + policy.duration && *n >= policy.attempts)
    }

    /// Counts a failed sign-in from `addr` at `now`.
    pub fn failure(&mut self, addr: &str, now: DateTime<Utc>, policy: LockoutPolicy) {
        if self.seen.len() >= 100_000 {
            self.seen
                .retain(|_, (since, _)| now < *since + policy.duration);
        }
        let e = self.seen.entry(addr.to_owned()).or_insert((now, 0));
        if now >= e.0 + policy.duration {
            *e = (now, 0);
        }
        e.1 = e.1.saturating_add(1);
    }
}

#[cfg(test)]
mod throttle_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_address_is_refused_for_the_rest_of_its_window() {
        let p = LockoutPolicy {
            attempts: 3,
            duration: Duration::minutes(10),
        };
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
            .single()
            .expect("t");
        let mut th = AddressThrottle::default();
        for i in 0..3 {
            assert!(!th.blocked("10.0.0.1", t0, p), "{i}");
            th.failure("10.0.0.1", t0 + Duration::minutes(i), p);
        }
        assert!(th.blocked("10.0.0.1", t0 + Duration::minutes(9), p));
        assert!(
            !th.blocked("10.0.0.2", t0, p),
            "other addresses are not touched"
        );
        assert!(
            !th.blocked("10.0.0.1", t0 + Duration::minutes(10), p),
            "the window ends"
        );
        th.failure("10.0.0.1", t0 + Duration::minutes(10), p);
        assert!(
            !th.blocked("10.0.0.1", t0 + Duration::minutes(10), p),
            "a new window counts from one"
        );
    }
}

/// Failed sign-ins under names that are no account, counted as an account's would be, so that
/// "locked" answers the same for a name that exists and one that does not: the answers do not
/// tell which usernames are real. Kept in memory by each instance, pruned as it grows.
#[derive(Debug, Default)]
pub struct UnknownNames {
    seen: std::collections::HashMap<String, LoginState>,
}

impl UnknownNames {
    /// Most names remembered before those whose lock has run out are forgotten.
    const MAX: usize = 100_000;

    /// Where `name` stands, as an account's state.
    pub fn state(&self, name: &str) -> LoginState {
        self.seen.get(name).copied().unwrap_or_default()
    }

    /// Counts a failed sign-in under `name`; returns the new state.
    pub fn failure(&mut self, name: &str, now: DateTime<Utc>, policy: LockoutPolicy) -> LoginState {
        if self.seen.len() >= Self::MAX {
            self.seen.retain(|_, s| s.locked_at(now));
        }
        let after = self.state(name).after_failure(now, policy);
        self.seen.insert(name.to_owned(), after);
        after
    }
}

#[cfg(test)]
mod unknown_name_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_unknown_name_locks_like_an_account() {
        let p = LockoutPolicy::default();
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
            .single()
            .expect("t");
        let mut names = UnknownNames::default();
        let mut account = LoginState::default();
        for i in 0..5 {
            let s = names.failure("ghost", t0 + Duration::minutes(i), p);
            account = account.after_failure(t0 + Duration::minutes(i), p);
            assert_eq!(s, account, "{i}");
        }
        assert!(names.state("ghost").locked_at(t0 + Duration::minutes(10)));
        assert!(!names.state("other").locked_at(t0));
    }
}
