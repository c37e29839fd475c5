//! The outside channels of notices: e-mail over SMTP, and the group robots of DingTalk (signed)
//! and WeCom. Requests only queue deliveries; the `deliver_notices` job sends what is due, each
//! channel on its own task with its own timeout, so a failing channel never holds up another.
//! A failure is recorded with its reason and retried with growing waits, then given up.

use crate::{ServiceResult, Services};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use luodi_domain::delivery::retry_after;
use luodi_store::deliveries::{self, Delivery};
use luodi_store::webhooks;
use std::collections::HashMap;
use std::time::Duration;

/// Renders a notice's structured body for a reader: a subject line and plain text. The web layer
/// supplies one from its translations; the default shows the raw body.
pub trait NoticeText: Send + Sync {
    fn render(&self, locale: &str, kind: &str, body: &serde_json::Value) -> (String, String);
}

/// The fallback renderer, for tools that run without the web layer.
pub struct RawNotice;

impl NoticeText for RawNotice {
    fn render(&self, _locale: &str, kind: &str, body: &serde_json::Value) -> (String, String) {
        (format!("luodi: {kind}"), body.to_string())
    }
}

/// How to reach the outside channels.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`; none turns
    /// e-mail off.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `落地 <luodi@example.gov.cn>`.
    pub mail_from: String,
    /// The longest one send may take.
    pub timeout: Duration,
    /// Internal addresses a robot's webhook may reach all the same (see [`crate::outbound`]).
    pub outbound: crate::outbound::OutboundPolicy,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "luodi <luodi@localhost>".into(),
            timeout: Duration::from_secs(15),
            outbound: Default::default(),
        }
    }
}

pub struct Channels {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    http: reqwest::Client,
    outbound: crate::outbound::OutboundPolicy,
}

impl Channels {
    pub fn new(cfg: &ChannelConfig) -> Result<Channels, String> {
        let smtp = match cfg.smtp_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("smtp_url: {e}"))?
                    .timeout(Some(cfg.timeout))
                    .build();
                let from: Mailbox = cfg
                    .mail_from
                    .parse()
                    .map_err(|e| format!("mail_from {:?}: {e}", cfg.mail_from))?;
                Some((transport, from))
            }
        };
        let http = cfg
            .outbound
            .client(cfg.timeout)
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Channels {
            smtp,
            http,
            outbound: cfg.outbound.clone(),
        })
    }

    /// No e-mail; robots still work (their addresses are in the database), to public
    /// addresses only.
    pub fn without_mail() -> Channels {
        let outbound = crate::outbound::OutboundPolicy::default();
        Channels {
            smtp: None,
            http: outbound
                .client(ChannelConfig::default().timeout)
                .unwrap_or_default(),
            outbound,
        }
    }

    /// Where robots may send to.
    pub fn outbound(&self) -> &crate::outbound::OutboundPolicy {
        &self.outbound
    }

    pub fn mail_enabled(&self) -> bool {
        self.smtp.is_some()
    }

    pub async fn send_mail(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err("e-mail is not configured (smtp_url)".into());
        };
        let to: Mailbox = to.parse().map_err(|e| format!("address {to:?}: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|e| e.to_string())?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }

    /// Posts a text message to a group robot; `secret` signs DingTalk requests when set.
    pub async fn post_robot(
        &self,
        kind: &str,
        url: &str,
        secret: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let mut url = reqwest::Url::parse(url).map_err(|e| format!("robot URL: {e}"))?;
        if kind == "dingtalk" && !secret.is_empty() {
            let ts = now.timestamp_millis();
            url.query_pairs_mut()
                .append_pair("timestamp", &ts.to_string())
                .append_pair("sign", &dingtalk_sign(secret, ts));
        }
        // An address as written never goes through the resolver: check it here. Names are
        // checked by the client's resolver as it connects.
        self.outbound
            .check_url(&url)
            .await
            .map_err(|e| format!("refused: {e}"))?;
        let body = serde_json::json!({ "msgtype": "text", "text": { "content": text } });
        let resp = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("HTTP: {}", without_url(&e)))?;
        let status = resp.status();
        // What a target answers is never kept or shown: it may be any service's page. Only
        // the status, and a robot's numeric error code, are recorded.
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let answer = read_at_most(resp, 64 * 1024).await;
        // Both robots answer 200 with an error code when they refuse a message.
        let parsed: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
        match parsed["errcode"].as_i64() {
            Some(0) | None => Ok(()),
            Some(code) => Err(format!(
                "{} (errcode {code})",
                luodi_domain::delivery::robot_error(code)
            )),
        }
    }
}

/// The first `max` bytes of an answer's body (the rest is not read).
async fn read_at_most(mut resp: reqwest::Response, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        out.extend_from_slice(&chunk);
        if out.len() >= max {
            out.truncate(max);
            break;
        }
    }
    out
}

/// DingTalk's robot signature: base64 of HMAC-SHA256 over "timestamp\nsecret", keyed by secret.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A robot URL carries its access token; errors must not.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "(robot)");
    }
    s
}

/// What one run of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends every delivery that is due on an outside channel and records each outcome.
pub async fn deliver_due(svc: &Services) -> ServiceResult<Sent> {
    let mut total = Sent::default();
    loop {
        let now = svc.now();
        let due = {
            let mut c = svc.db.read().await?;
            deliveries::due(c.conn(), now, 200).await?
        };
        if due.is_empty() {
            break;
        }
        let n = due.len();
        let robots: HashMap<i64, webhooks::Webhook> = {
            let ids: Vec<i64> = due
                .iter()
                .filter(|d| d.channel != "email")
                .filter_map(|d| d.address.parse().ok())
                .collect();
            let mut c = svc.db.read().await?;
            webhooks::many(c.conn(), &ids)
                .await?
                .into_iter()
                .map(|w| (w.id, w))
                .collect()
        };
        // One task per channel: a slow or failing channel does not hold up the others.
        let mut by_channel: HashMap<String, Vec<Delivery>> = HashMap::new();
        for d in due {
            by_channel.entry(d.channel.clone()).or_default().push(d);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (_, batch) in by_channel {
            let svc = svc.clone();
            let robots: HashMap<i64, webhooks::Webhook> = batch
                .iter()
                .filter_map(|d| d.address.parse::<i64>().ok())
                .filter_map(|id| robots.get(&id).map(|w| (id, w.clone())))
                .collect();
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(batch.len());
                for d in batch {
                    let r = send_one(&svc, &d, &robots).await;
                    out.push((d, r));
                }
                out
            });
        }
        let mut results = Vec::with_capacity(n);
        while let Some(r) = tasks.join_next().await {
            results.extend(r.map_err(|e| crate::ServiceError::Internal(e.to_string()))?);
        }
        let now = svc.now();
        let mut tx = svc.db.begin().await?;
        for (d, r) in results {
            let failed = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
            let (status, error, next) = match r {
                Ok(()) => {
                    total.sent += 1;
                    ("sent", String::new(), now)
                }
                Err(e) => match retry_after(failed) {
                    Some(wait) => {
                        total.retrying += 1;
                        ("queued", e, now + wait)
                    }
                    None => {
                        total.failed += 1;
                        ("failed", e, now)
                    }
                },
            };
            if status != "sent" {
                tracing::warn!(delivery = d.id, channel = %d.channel, error = %error, status, "notice not delivered");
            }
            deliveries::record_attempt(tx.conn(), d.id, status, &error, next, now).await?;
        }
        tx.commit().await?;
        if n < 200 {
            break;
        }
    }
    Ok(total)
}

async fn send_one(
    svc: &Services,
    d: &Delivery,
    robots: &HashMap<i64, webhooks::Webhook>,
) -> Result<(), String> {
    match d.channel.as_str() {
        "email" => {
            svc.channels
                .send_mail(&d.address, &d.subject, &d.body)
                .await
        }
        "dingtalk" | "wecom" => {
            let robot = d
                .address
                .parse::<i64>()
                .ok()
                .and_then(|id| robots.get(&id))
                .ok_or("the robot was removed")?;
            if !robot.enabled {
                return Err("the robot is switched off".into());
            }
            let text = format!("{}\n{}", d.subject, d.body);
            svc.channels
                .post_robot(&robot.kind, &robot.url, &robot.secret, &text, svc.now())
                .await
        }
        other => Err(format!("unknown channel {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_a_reference() {
        // Computed independently: printf '1700000000000\nSECexample' | openssl dgst -sha256 -hmac SECexample -binary | base64
        assert_eq!(
            dingtalk_sign("SECexample", 1_700_000_000_000),
            "uroalHrWHORz59talE1o26b8HuX2kOp8WlAN91F9Pj0="
        );
    }
}
