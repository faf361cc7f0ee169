//! What the link fetcher may connect to: public addresses only, checked on
//! every DNS answer (a name that resolves to a loopback or private address
//! is refused, whatever else it resolves to) and every redirect, unless the
//! operator listed the host (`--unfurl-allow-hosts`, for pages served
//! inside the network: the tests' loopback server).

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// Whether `ip` is an address on the public Internet (not loopback,
/// private, link-local, shared, multicast, documentation, benchmarking or
/// otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            // IPv4-mapped, -compatible and NAT64 addresses: their IPv4 part.
            let s = v6.segments();
            if s[..5] == [0; 5]
                && (s[5] == 0xffff || s[5] == 0)
                && !v6.is_loopback()
                && !v6.is_unspecified()
            {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            is_public_v6(v6)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.segments()[..4] == [0x0100, 0, 0, 0]) // discard
}

/// The hosts the operator allows at any address, lower-case.
#[derive(Clone, Debug, Default)]
pub struct Allowed(Arc<HashSet<String>>);

impl Allowed {
    pub fn new(hosts: &[String]) -> Self {
        Allowed(Arc::new(
            hosts
                .iter()
                .map(|h| {
                    h.trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .to_ascii_lowercase()
                })
                .filter(|h| !h.is_empty())
                .collect(),
        ))
    }

    pub fn contains(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.0.contains(&host.to_ascii_lowercase())
    }

    /// Whether `url` may be fetched as far as it can be told before a DNS
    /// answer: `http` or `https`, and a literal address must be public
    /// (names are checked when they resolve, by [`PublicResolver`]).
    pub fn may_fetch(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{} is no web address", url.scheme()));
        }
        let Some(host) = url.host_str() else {
            return Err("no host".into());
        };
        if self.contains(host) {
            return Ok(());
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
                Err(format!("{ip} is not a public address"))
            }
            Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
                Err(format!("{ip} is not a public address"))
            }
            _ => Ok(()),
        }
    }

    /// A redirect policy that checks every hop as [`Allowed::may_fetch`].
    pub fn redirects(&self) -> reqwest::redirect::Policy {
        let allowed = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error("too many redirects");
            }
            match allowed.may_fetch(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        })
    }
}

/// Resolves names, refusing those with any non-public address.
pub struct PublicResolver {
    pub allowed: Allowed,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allowed = self.allowed.contains(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if !allowed && found.iter().any(|a| !is_public(a.ip())) {
                return Err(format!("{host} resolves to an address that is not public").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn literal_addresses_are_checked_and_listed_hosts_pass() {
        let allowed = Allowed::new(&["127.0.0.1".into(), "Intranet.example".into()]);
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(allowed.may_fetch(&url("http://127.0.0.1:8080/x")).is_ok());
        assert!(allowed.may_fetch(&url("http://127.0.0.2/x")).is_err());
        assert!(allowed.may_fetch(&url("http://[::1]/x")).is_err());
        assert!(allowed.may_fetch(&url("ftp://example.com/x")).is_err());
        assert!(
            allowed.may_fetch(&url("https://example.com/x")).is_ok(),
            "names: at DNS"
        );
        assert!(allowed.contains("intranet.example"));
    }
}
