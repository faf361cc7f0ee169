//! Link previews (v3): a page served on loopback, allow-listed by the
//! operator, yields one `unfurled` entry, delivered on every instance and
//! shown in history; the same page through a host name that resolves to a
//! loopback address, or a redirect to one, is never fetched. The author
//! removes the previews; nobody else may.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get as route;
use axum::Router;
use serde_json::json;

use crate::common::cluster::cluster_with;
use crate::common::{delete, post};
use protocol::{Entry, ServerFrame};

/// Requests the page server got, by `via`.
type Seen = Arc<Mutex<HashMap<String, u32>>>;

async fn page(State(seen): State<Seen>, Query(q): Query<HashMap<String, String>>) -> Response {
    let via = q.get("via").cloned().unwrap_or_default();
    *seen.lock().unwrap().entry(via).or_default() += 1;
    let html = r#"<!doctype html><html><head><title>Deploy guide</title>
        <meta property="og:description" content="How we ship, step by step.">
        <meta property="og:site_name" content="Handbook">
        <meta property="og:image" content="/cover.png"></head><body>…</body></html>"#;
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// A page server on loopback: `/page`, `/to-localhost` (a redirect to the
/// same page by the name `localhost`) and `/file` (not HTML).
async fn page_server() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new()
        .route("/page", route(page))
        .route(
            "/to-localhost",
            route(move || async move {
                Redirect::temporary(&format!("http://localhost:{port}/page?via=redirect"))
            }),
        )
        .route(
            "/file",
            route(|| async { ([(header::CONTENT_TYPE, "application/pdf")], "%PDF") }),
        )
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("127.0.0.1:{port}"), seen)
}

#[tokio::test]
async fn an_allow_listed_page_is_previewed_once_and_loopback_names_never_are() {
    let (host, seen) = page_server().await;
    let c = cluster_with(&[
        "--unfurl-allow-hosts",
        "127.0.0.1",
        "--user-rate-per-sec",
        "1000",
        "--user-rate-burst",
        "1000",
    ])
    .await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut watcher = c.b.connect(&bob.token).await;
    watcher.join("general", None).await;
    let port = host.split(':').nth(1).unwrap();
    let say = |body: String| {
        let server = &c.a;
        let token = alice.token.clone();
        async move {
            let (status, m) = post(
                server,
                "/api/rooms/general/messages",
                Some(&token),
                json!({ "body": body }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{m}");
            m["id"].as_str().unwrap().to_string()
        }
    };
    // Refused: a name that resolves to loopback, a redirect to one, and a
    // page that is no HTML. Then the allow-listed page.
    let by_name = say(format!("via name http://localhost:{port}/page?via=name")).await;
    let redirected = say(format!("see http://{host}/to-localhost")).await;
    let file = say(format!("a file http://{host}/file")).await;
    let good = say(format!("read http://{host}/page?via=allowed (it is short)")).await;

    let unfurled = match watcher
        .next_matching(|f| matches!(f, ServerFrame::Unfurled(_)))
        .await
    {
        ServerFrame::Unfurled(u) => u,
        _ => unreachable!(),
    };
    assert_eq!(unfurled.id.to_string(), good);
    assert_eq!(unfurled.by.name, "alice");
    let preview = &unfurled.previews[0];
    assert_eq!(preview.url, format!("http://{host}/page?via=allowed"));
    assert_eq!(preview.title.as_deref(), Some("Deploy guide"));
    assert_eq!(
        preview.description.as_deref(),
        Some("How we ship, step by step.")
    );
    assert_eq!(preview.site_name.as_deref(), Some("Handbook"));
    assert_eq!(preview.image_url, Some(format!("http://{host}/cover.png")));

    // The refused fetches never reached the page (they fail before
    // connecting, sooner than the good one's round trip; bounded wait).
    let mut history = Vec::new();
    for _ in 0..20 {
        history = c.b.history(&bob.token, "general").await.messages;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.get("allowed"), Some(&1));
        assert_eq!(seen.get("name"), None, "a name resolving to loopback");
        assert_eq!(seen.get("redirect"), None, "a redirect to loopback");
    }
    let unfurls: Vec<String> = history
        .iter()
        .filter_map(|e| match e {
            Entry::Unfurled(u) => Some(u.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        unfurls,
        std::slice::from_ref(&good),
        "one entry, for the allowed page only"
    );
    for refused in [&by_name, &redirected, &file] {
        let message = history.iter().find_map(|e| match e {
            Entry::Message(m) if m.id.to_string() == *refused => Some(m),
            _ => None,
        });
        assert!(message.unwrap().previews.is_empty());
    }
    let shown = history.iter().find_map(|e| match e {
        Entry::Message(m) if m.id.to_string() == good => Some(m),
        _ => None,
    });
    assert_eq!(shown.unwrap().previews.len(), 1, "history shows them");

    // Only its author (or a moderator) removes them.
    let path = format!("/api/rooms/general/messages/{good}/previews");
    let (status, _) = delete(&c.b, &path, &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = delete(&c.b, &path, &alice.token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    match watcher
        .next_matching(|f| matches!(f, ServerFrame::Unfurled(_)))
        .await
    {
        ServerFrame::Unfurled(u) => assert!(u.previews.is_empty()),
        _ => unreachable!(),
    }
    let history = c.a.history(&alice.token, "general").await.messages;
    let shown = history.iter().find_map(|e| match e {
        Entry::Message(m) if m.id.to_string() == good => Some(m),
        _ => None,
    });
    assert!(shown.unwrap().previews.is_empty());
}
