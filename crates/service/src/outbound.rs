//! Where luodi's own requests may go. A robot's webhook URL is typed by an org's manager, so it
//! could name this server or the intranet behind it (`http://127.0.0.1:…/internal`, the cloud
//! metadata address): a request forged on their behalf. Addresses of this machine and of
//! internal networks (loopback, private, link-local, unique-local, shared) are refused unless
//! the operator lists them in `outbound_allow` (an intranet DingTalk or WeCom gateway is a
//! real case). The check runs when a robot is saved and again at every send, on the addresses
//! the name resolves to then, at the moment of connecting (so a name that changes its answer
//! between the two cannot slip through); redirects are never followed.

use luodi_domain::net::{internal_kind, Cidr};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The operator's exceptions to the rule.
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    pub allow: Vec<Cidr>,
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{addr} is an internal address ({kind}); list it in outbound_allow to allow it")]
    Internal { addr: IpAddr, kind: &'static str },
    #[error("the URL names no host")]
    NoHost,
}

impl OutboundPolicy {
    /// Whether a request may go to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        match internal_kind(ip) {
            Some(_) if self.allow.iter().any(|c| c.contains(ip)) => Ok(()),
            Some(kind) => Err(Refusal::Internal { addr: ip, kind }),
            None => Ok(()),
        }
    }

    /// Checks the host of `url`: an address as written, or every address its name resolves
    /// to now. A name that does not resolve passes here (it fails when sent).
    pub async fn check_url(&self, url: &reqwest::Url) -> Result<(), Refusal> {
        let host = url.host_str().ok_or(Refusal::NoHost)?;
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return self.check(ip);
        }
        let port = url.port_or_known_default().unwrap_or(443);
        match tokio::net::lookup_host((host, port)).await {
            Ok(mut addrs) => addrs.try_for_each(|a| self.check(a.ip())),
            Err(_) => Ok(()),
        }
    }

    /// An HTTP client for outside targets: names resolve through this policy, no redirect is
    /// followed, no proxy from the environment is used, and every request has `timeout`.
    pub fn client(&self, timeout: std::time::Duration) -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(Guarded(self.clone())))
            .build()
    }
}

/// Resolves names and refuses the lot when any address the name has is refused.
struct Guarded(OutboundPolicy);

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for a in &addrs {
                policy.check(a.ip())?;
            }
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).expect("url")
    }

    #[tokio::test]
    async fn internal_targets_are_refused_unless_allowed() {
        let none = OutboundPolicy::default();
        for u in [
            "http://127.0.0.1:8080/internal",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.8/hook",
            "http://localhost:9000/",
            "http://0.0.0.0:80/",
        ] {
            assert!(none.check_url(&url(u)).await.is_err(), "{u}");
        }
        assert_eq!(
            none.check_url(&url("https://203.0.113.7/robot/send")).await,
            Ok(())
        );
        let gateway = OutboundPolicy {
            allow: vec![Cidr::parse("10.0.0.0/24").expect("cidr")],
        };
        assert_eq!(
            gateway.check_url(&url("http://10.0.0.8/hook")).await,
            Ok(())
        );
        assert!(gateway
            .check_url(&url("http://10.0.1.8/hook"))
            .await
            .is_err());
    }
}
