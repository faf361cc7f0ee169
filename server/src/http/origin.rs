//! The Origin allow-list, for the WebSocket upgrade and cookie-authenticated writes.
//!
//! A browser always sends `Origin` on a WebSocket upgrade and on a cross-site POST,
//! so checking it stops another site from using a visitor's session cookie. Clients
//! that are not browsers send no Origin and authenticate with a bearer token.

use axum::http::{header, HeaderMap, Uri};

use crate::config::Config;

/// Whether the request's Origin (if any) may act with this server's credentials.
/// With no configured list, only the server's own origin is: the one the
/// request was addressed to, `Host` in HTTP/1 and `:authority` in HTTP/2
/// (which has no `Host`; hyper gives it as the URI's authority).
pub fn origin_allowed(headers: &HeaderMap, uri: &Uri, config: &Config) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if !config.allowed_origins.is_empty() {
        return config
            .allowed_origins
            .iter()
            .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin));
    }
    let authority = uri.authority().map(|a| a.as_str());
    let host = authority
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn allowed(headers: &HeaderMap, c: &Config) -> bool {
        origin_allowed(headers, &Uri::from_static("/api/rooms"), c)
    }

    #[test]
    fn http2_requests_are_checked_against_their_authority() {
        let c = Config::try_parse_from(["confab"]).unwrap();
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, "https://chat.example:8443".parse().unwrap());
        let h2 = |authority: &str| {
            format!("https://{authority}/api/rooms")
                .parse::<Uri>()
                .unwrap()
        };
        assert!(origin_allowed(&h, &h2("chat.example:8443"), &c));
        assert!(!origin_allowed(&h, &h2("other.example:8443"), &c));
        assert!(!allowed(&h, &c), "no Host and no authority: refused");
    }

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_by_default() {
        let c = Config::try_parse_from(["confab"]).unwrap();
        assert!(allowed(&headers(None, "127.0.0.1:3000"), &c));
        assert!(allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &c
        ));
        assert!(!allowed(
            &headers(Some("http://evil.example"), "127.0.0.1:3000"),
            &c
        ));
        assert!(!allowed(&headers(Some("null"), "127.0.0.1:3000"), &c));
    }

    #[test]
    fn a_configured_list_replaces_the_default() {
        let c = Config::try_parse_from(["confab", "--allowed-origins", "https://chat.example"])
            .unwrap();
        assert!(allowed(
            &headers(Some("https://chat.example"), "10.0.0.1:3000"),
            &c
        ));
        assert!(!allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &c
        ));
    }
}
