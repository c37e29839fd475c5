//! The demo's item seeder: the demo users act through the real services on a clock moved
//! through the past weeks, so that every item they touch has a true history.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use luodi_domain::item::Action;
use luodi_domain::{Clock, FixedClock};
use luodi_service::items::{self, ItemDetail, ItemInput};
use luodi_service::{Actor, Services};
use std::sync::Arc;

/// A tiny valid PDF, the evidence of the demo's close-outs.
const EVIDENCE: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The seeding day, the clock moved to the day an item is touched, and the services on it.
pub(super) struct Seeder {
    pub(super) base: Services,
    pub(super) clock: Arc<FixedClock>,
    pub(super) svc: Services,
    pub(super) campaign: i64,
    pub(super) today: DateTime<Utc>,
}

impl Seeder {
    pub(super) fn day(&self, offset: i64) -> DateTime<Utc> {
        self.today + Duration::days(offset)
    }
    pub(super) fn date(&self, offset: i64) -> NaiveDate {
        (self.today + Duration::days(offset)).date_naive()
    }
    pub(super) fn at(&self, offset: i64) {
        self.clock.set(self.day(offset));
    }

    pub(super) async fn actor(&self, username: &str) -> anyhow::Result<Actor> {
        super::actor(&self.base, username).await
    }

    pub(super) async fn org(&self, code: &str) -> anyhow::Result<i64> {
        Ok(super::org(&self.base, code).await?.id)
    }

    pub(super) async fn user(&self, username: &str) -> anyhow::Result<Option<i64>> {
        let mut c = self.base.db().read().await?;
        Ok(luodi_store::users::get_by_username(c.conn(), username)
            .await?
            .map(|u| u.id))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn record(
        &self,
        by: &str,
        kind: &str,
        title: &str,
        (phase, source, item_type): (&str, &str, &str),
        lead: &str,
        (person, user): (&str, Option<&str>),
        due_in: i64,
        measures: &[&str],
        category: &str,
        parent: Option<i64>,
        area: Option<i64>,
    ) -> anyhow::Result<ItemDetail> {
        let actor = self.actor(by).await?;
        let responsible_user_id = match user {
            Some(u) => self.user(u).await?,
            None => None,
        };
        let input = ItemInput {
            campaign_id: self.campaign,
            kind: kind.into(),
            parent_id: parent,
            title: title.into(),
            description: String::new(),
            phase: phase.into(),
            source: source.into(),
            category: category.into(),
            item_type: item_type.into(),
            lead_org_id: self.org(lead).await?,
            co_org_ids: Vec::new(),
            responsible_user_id,
            responsible_person: person.into(),
            // Relative to the (moved) clock: the day the item is recorded.
            due_on: (self.clock.now() + Duration::days(due_in)).date_naive(),
            goal_id: None,
            measures: measures.iter().map(|m| (*m).to_owned()).collect(),
            milestones: Vec::new(),
            weight: None,
            programme_area_id: area,
            issue: true,
        };
        Ok(items::create(&self.svc, &actor, input).await?)
    }

    pub(super) async fn step(
        &self,
        by: &str,
        d: &ItemDetail,
        action: Action,
    ) -> anyhow::Result<ItemDetail> {
        let actor = self.actor(by).await?;
        Ok(items::transition(
            &self.svc,
            &actor,
            d.item.item.id,
            action,
            d.item.item.version,
        )
        .await?)
    }

    pub(super) async fn note(
        &self,
        by: &str,
        d: &ItemDetail,
        text: &str,
        progress: i64,
    ) -> anyhow::Result<ItemDetail> {
        let actor = self.actor(by).await?;
        Ok(items::add_note(
            &self.svc,
            &actor,
            d.item.item.id,
            text,
            Some(progress),
            d.item.item.version,
        )
        .await?)
    }

    pub(super) async fn evidence(
        &self,
        by: &str,
        d: &ItemDetail,
        name: &str,
    ) -> anyhow::Result<ItemDetail> {
        let actor = self.actor(by).await?;
        items::add_evidence(&self.svc, &actor, d.item.item.id, EVIDENCE, name).await?;
        Ok(items::get(&self.svc, &actor, d.item.item.id).await?)
    }

    /// Signs off, reports progress, uploads evidence and requests close-out, as the unit.
    pub(super) async fn deliver(
        &self,
        unit: &str,
        d: ItemDetail,
        note: &str,
    ) -> anyhow::Result<ItemDetail> {
        let mut d = d;
        if d.item.item.status == "assigned" {
            d = self.step(unit, &d, Action::SignOff).await?;
        }
        d = self.note(unit, &d, note, 100).await?;
        d = self.evidence(unit, &d, "整改完成情况报告.pdf").await?;
        self.step(
            unit,
            &d,
            Action::RequestCloseOut {
                statement: String::new(),
            },
        )
        .await
    }
}

pub(super) fn reason(s: &str) -> String {
    s.to_owned()
}
