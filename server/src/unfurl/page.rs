//! One link's preview: the page fetched (HTML only, at most so many bytes,
//! within the time allowed, no cookies, every hop checked by `guard`) and
//! what it says of itself read from its `<head>`: Open Graph first, then
//! `<title>` and `<meta name="description">`.

use std::time::Duration;

use protocol::{LinkPreview, MAX_PREVIEW_DESCRIPTION_CHARS, MAX_PREVIEW_TITLE_CHARS};
use reqwest::Url;
use scraper::{Html, Selector};

use super::guard::{Allowed, PublicResolver};

/// Fetches pages for previews.
pub struct Fetcher {
    client: reqwest::Client,
    allowed: Allowed,
    max_bytes: usize,
}

impl Fetcher {
    pub fn new(allowed: Allowed, timeout: Duration, max_bytes: usize) -> reqwest::Result<Self> {
        let client = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(PublicResolver {
                allowed: allowed.clone(),
            }))
            .redirect(allowed.redirects())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!(
                "Confab/",
                env!("CARGO_PKG_VERSION"),
                " (link preview)"
            ))
            .build()?;
        Ok(Fetcher {
            client,
            allowed,
            max_bytes,
        })
    }

    /// The preview of `link`, or why there is none.
    pub async fn preview(&self, link: &str) -> Result<LinkPreview, String> {
        let url = Url::parse(link).map_err(|e| format!("not a URL: {e}"))?;
        self.allowed.may_fetch(&url)?;
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "text/html")
            .send()
            .await
            .map_err(|e| format!("fetch failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("the page answered {}", response.status()));
        }
        let html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("text/html"));
        if !html {
            return Err("not an HTML page".into());
        }
        let page_url = response.url().clone();
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("read failed: {e}"))?
        {
            let room = self.max_bytes - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= self.max_bytes {
                break; // the head is at the start: the rest is not needed
            }
        }
        read_page(link, &page_url, &String::from_utf8_lossy(&body))
            .ok_or_else(|| "the page says nothing of itself".into())
    }
}

/// What `html` (fetched from `page_url` for `link`) says of itself; `None`
/// when it has neither a title nor a description.
pub fn read_page(link: &str, page_url: &Url, html: &str) -> Option<LinkPreview> {
    let document = Html::parse_document(html);
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|key| {
            let selector =
                Selector::parse(&format!("meta[property=\"{key}\"], meta[name=\"{key}\"]")).ok()?;
            document
                .select(&selector)
                .filter_map(|e| e.value().attr("content"))
                .map(clean)
                .find(|c| !c.is_empty())
        })
    };
    let title_tag = Selector::parse("title").ok().and_then(|s| {
        document
            .select(&s)
            .next()
            .map(|t| clean(&t.text().collect::<String>()))
    });
    let title = meta(&["og:title", "twitter:title"])
        .or(title_tag.filter(|t| !t.is_empty()))
        .map(|t| cut(&t, MAX_PREVIEW_TITLE_CHARS));
    let description = meta(&["og:description", "twitter:description", "description"])
        .map(|d| cut(&d, MAX_PREVIEW_DESCRIPTION_CHARS));
    if title.is_none() && description.is_none() {
        return None;
    }
    let image_url = meta(&["og:image", "og:image:url", "twitter:image"])
        .and_then(|src| page_url.join(&src).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from);
    Some(LinkPreview {
        url: link.to_string(),
        title,
        description,
        image_url,
        site_name: meta(&["og:site_name"]).map(|s| cut(&s, MAX_PREVIEW_TITLE_CHARS)),
    })
}

/// White space folded, control characters gone.
fn clean(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !protocol::is_hidden_control(*c))
        .collect()
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_graph_first_then_the_title_and_description() {
        let page = Url::parse("https://news.example/a/b").unwrap();
        let html = r#"<html><head><title> Plain   title </title>
            <meta name="description" content="Plain description">
            <meta property="og:title" content="OG title">
            <meta property="og:image" content="/img/cover.png">
            <meta property="og:site_name" content="News">
            </head><body><script>alert(1)</script></body></html>"#;
        let p = read_page("https://news.example/a/b", &page, html).unwrap();
        assert_eq!(p.title.as_deref(), Some("OG title"));
        assert_eq!(p.description.as_deref(), Some("Plain description"));
        assert_eq!(
            p.image_url.as_deref(),
            Some("https://news.example/img/cover.png")
        );
        assert_eq!(p.site_name.as_deref(), Some("News"));
        let bare = read_page("https://x.example", &page, "<title>Only a title</title>").unwrap();
        assert_eq!(bare.title.as_deref(), Some("Only a title"));
        assert!(read_page("https://x.example", &page, "<p>nothing</p>").is_none());
        let javascript =
            r#"<title>t</title><meta property="og:image" content="javascript:alert(1)">"#;
        assert_eq!(
            read_page("https://x.example", &page, javascript)
                .unwrap()
                .image_url,
            None
        );
        let long = format!("<title>{}</title>", "x".repeat(500));
        assert_eq!(
            read_page("https://x.example", &page, &long)
                .unwrap()
                .title
                .unwrap()
                .chars()
                .count(),
            200
        );
    }
}
