//! The Origin allow-list, for the WebSocket upgrade and cookie-authenticated writes.
//!
//! A browser always sends `Origin` on a WebSocket upgrade and on a cross-site POST,
//! so checking it stops another site from using a visitor's session cookie. Clients
//! that are not browsers send no Origin and authenticate with a bearer token.

use axum::http::{header, HeaderMap};

use crate::config::Config;

/// Whether the request's Origin (if any) may act with this server's credentials.
/// With no configured list, only the server's own origin (matching `Host`) is.
pub fn origin_allowed(headers: &HeaderMap, config: &Config) -> bool {
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
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
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
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000"), &c));
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &c
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "127.0.0.1:3000"),
            &c
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "127.0.0.1:3000"),
            &c
        ));
    }

    #[test]
    fn a_configured_list_replaces_the_default() {
        let c = Config::try_parse_from(["confab", "--allowed-origins", "https://chat.example"])
            .unwrap();
        assert!(origin_allowed(
            &headers(Some("https://chat.example"), "10.0.0.1:3000"),
            &c
        ));
        assert!(!origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &c
        ));
    }
}
