//! The seeding day, and the services on a clock set back to the day a record was made: what the
//! seeds of records and key works share.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use luodi_domain::dashboard::monday_of;
use luodi_domain::FixedClock;
use luodi_service::Services;
use std::sync::Arc;

pub(super) struct Past<'a> {
    pub(super) svc: &'a Services,
    /// The services on the moved clock: records made through them bear the day it shows.
    pub(super) past: Services,
    clock: Arc<FixedClock>,
    now: DateTime<Utc>,
    pub(super) today: NaiveDate,
    pub(super) monday: NaiveDate,
    pub(super) campaign: i64,
}

impl<'a> Past<'a> {
    /// As of now, for the demo campaign `campaign`.
    pub(super) fn new(svc: &'a Services, campaign: i64) -> Past<'a> {
        let now = svc.now();
        let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let clock = Arc::new(FixedClock::new(now));
        Past {
            svc,
            past: svc.with_clock(clock.clone()),
            clock,
            now,
            today,
            monday: monday_of(today),
            campaign,
        }
    }
    /// The `weekday` (0 for Monday) of the week `weeks_ago` weeks before this one.
    pub(super) fn day(&self, weeks_ago: i64, weekday: i64) -> NaiveDate {
        self.monday - Duration::weeks(weeks_ago) + Duration::days(weekday)
    }
    /// Sets the clock to `d`.
    pub(super) fn at(&self, d: NaiveDate) {
        self.clock
            .set(self.now - Duration::days((self.today - d).num_days().max(0)));
    }
    /// Puts the clock back to now.
    pub(super) fn done(&self) {
        self.clock.set(self.now);
    }
}
