//! The client's address. Behind a reverse proxy the connection comes from the proxy, and the
//! client is in `X-Forwarded-For`; that header is believed only from the proxies configured as
//! trusted (`trusted_proxies`), since anyone can send it.

use std::net::IpAddr;

pub use luodi_domain::net::Cidr;

/// The client of a request that arrived from `peer` with `forwarded_for` (the header's value):
/// the right-most address in the header that is not a trusted proxy, when `peer` is one.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or("")
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(**ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let trusted = [Cidr::parse("127.0.0.1").expect("cidr")];
        // Straight from a client: its own address, whatever it claims.
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // Through the proxy: the address the proxy saw (the right-most untrusted one), not
        // what the client put in front of it.
        assert_eq!(
            client_address(ip("127.0.0.1"), Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // Through the proxy without a usable header: the proxy.
        assert_eq!(
            client_address(ip("127.0.0.1"), Some("garbage"), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(client_address(ip("127.0.0.1"), None, &[]), ip("127.0.0.1"));
    }
}
