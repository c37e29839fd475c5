//! The group robots of an org (DingTalk, WeCom): its managers register them, switch them on and
//! off, and send a test message. A robot's URL carries its access token and its secret signs
//! messages, so neither is shown again once stored.

use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use luodi_domain::delivery::ROBOT_KINDS;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::deliveries::{self, NewDelivery};
use luodi_store::orgs::{self, Org};
use luodi_store::webhooks::{self, NewWebhook, Webhook};
use luodi_store::Conn;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct WebhookInput {
    /// dingtalk or wecom
    pub kind: String,
    pub name: String,
    pub url: String,
    /// DingTalk's signing secret (加签), if the robot uses one.
    #[serde(default)]
    pub secret: String,
}

/// A robot as shown: the URL with its token masked, and whether a secret is set.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookView {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub url: String,
    pub has_secret: bool,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// `https://oapi.dingtalk.com/robot/send?access_token=abc` → `…?access_token=***`.
pub fn mask_url(url: &str) -> String {
    match url.split_once('?') {
        None => url.to_owned(),
        Some((base, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) => format!("{k}=***"),
                    None => kv.to_owned(),
                })
                .collect();
            format!("{base}?{}", masked.join("&"))
        }
    }
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id,
            org_id: w.org_id,
            kind: w.kind,
            name: w.name,
            url: mask_url(&w.url),
            has_secret: !w.secret.is_empty(),
            enabled: w.enabled,
            created_at: w.created_at,
        }
    }
}

async fn managed_org(c: Conn<'_>, actor: &Actor, org_id: i64) -> ServiceResult<Org> {
    let org = orgs::get(c, org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
        .ok_or(ServiceError::NotFound("org"))?;
    if !actor.can(Permission::ManageOrgs, &org.path) {
        return Err(ServiceError::Forbidden);
    }
    Ok(org)
}

pub async fn list(svc: &Services, actor: &Actor, org_id: i64) -> ServiceResult<Vec<WebhookView>> {
    let mut c = svc.db.read().await?;
    managed_org(c.conn(), actor, org_id).await?;
    Ok(webhooks::of_org(c.conn(), org_id)
        .await?
        .into_iter()
        .map(WebhookView::from)
        .collect())
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    org_id: i64,
    input: WebhookInput,
) -> ServiceResult<WebhookView> {
    let mut v = Validation::new();
    if !ROBOT_KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "unknown_value");
    }
    v.text("name", &input.name, 100);
    v.text("url", &input.url, 1000);
    let url = input.url.trim();
    if !url.is_empty() {
        match reqwest::Url::parse(url) {
            Ok(u) if u.scheme() == "https" || u.scheme() == "http" => {}
            _ => v.add("url", "bad_url"),
        }
    }
    v.max_len("secret", &input.secret, 200);
    if let Ok(u) = reqwest::Url::parse(url) {
        if let Err(refusal) = svc.channels.outbound().check_url(&u).await {
            tracing::info!(url = %mask_url(url), %refusal, "robot URL refused");
            v.add("url", "url_internal");
        }
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = managed_org(tx.conn(), actor, org_id).await?;
    let id = webhooks::create(
        tx.conn(),
        &NewWebhook {
            org_id: org.id,
            kind: &input.kind,
            name: input.name.trim(),
            url,
            secret: input.secret.trim(),
        },
        svc.now(),
    )
    .await?;
    let w = webhooks::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("webhook"))?;
    let view = WebhookView::from(w);
    audit::record::<(), WebhookView>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "webhook.create",
            object_type: "webhook",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&view),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

async fn of_managed_org(
    c: Conn<'_>,
    actor: &Actor,
    org_id: i64,
    id: i64,
) -> ServiceResult<(Org, Webhook)> {
    let mut c = c;
    let org = managed_org(c.re(), actor, org_id).await?;
    let w = webhooks::get(c, id)
        .await?
        .filter(|w| w.org_id == org.id)
        .ok_or(ServiceError::NotFound("webhook"))?;
    Ok((org, w))
}

pub async fn set_enabled(
    svc: &Services,
    actor: &Actor,
    org_id: i64,
    id: i64,
    enabled: bool,
) -> ServiceResult<WebhookView> {
    let mut tx = svc.db.begin().await?;
    let (org, before) = of_managed_org(tx.conn(), actor, org_id, id).await?;
    webhooks::set_enabled(tx.conn(), id, enabled).await?;
    let after = webhooks::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("webhook"))?;
    let (before, after) = (WebhookView::from(before), WebhookView::from(after));
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "webhook.update",
            object_type: "webhook",
            object_id: Some(id.to_string()),
            org_path: Some(org.path),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(svc: &Services, actor: &Actor, org_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    let (org, before) = of_managed_org(tx.conn(), actor, org_id, id).await?;
    webhooks::delete(tx.conn(), id).await?;
    let before = WebhookView::from(before);
    audit::record::<WebhookView, ()>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "webhook.delete",
            object_type: "webhook",
            object_id: Some(id.to_string()),
            org_path: Some(org.path),
            before: Some(&before),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a test message to the robot; the delivery record shows whether it arrived. At most
/// one a minute per robot, across instances (the minute is in the delivery's dedupe key).
pub async fn test(svc: &Services, actor: &Actor, org_id: i64, id: i64) -> ServiceResult<()> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let (org, w) = of_managed_org(tx.conn(), actor, org_id, id).await?;
    let body = serde_json::json!({ "kind": "test", "org": org.name, "by": actor.name });
    let (subject, text) = svc.notices.render("zh-CN", "test", &body);
    let queued = deliveries::enqueue(
        tx.conn(),
        &NewDelivery {
            channel: &w.kind,
            user_id: None,
            item_id: None,
            org_id: Some(org.id),
            address: &w.id.to_string(),
            subject: &subject,
            body: &text,
            dedupe_key: &format!("test:{}:{}", w.id, now.timestamp().div_euclid(60)),
        },
        now,
    )
    .await?;
    if !queued {
        return Err(ServiceError::TooSoon("robot_test_too_soon"));
    }
    tx.commit().await?;
    Ok(())
}

/// Rejects a robot kind outside the known ones (for filters).
pub fn check_kind(kind: &str) -> ServiceResult<()> {
    if ROBOT_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(invalid("kind", "unknown_value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked() {
        assert_eq!(
            mask_url("https://oapi.dingtalk.com/robot/send?access_token=abc123"),
            "https://oapi.dingtalk.com/robot/send?access_token=***"
        );
        assert_eq!(
            mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k&debug"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***&debug"
        );
        assert_eq!(mask_url("http://10.1.1.1/hook"), "http://10.1.1.1/hook");
    }
}
