//! Search filters (v3): `from:`, `in:`, `has:file`, `has:link`, `before:`,
//! `after:` and `is:thread` each narrow the results and never widen them:
//! `in:` a room one cannot read finds nothing, exactly as a room that does
//! not exist. Files are found by their names. On two instances over
//! PostgreSQL and on one over SQLite.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::cluster_with;
use crate::common::uploads::upload;
use crate::common::{add_member, create_room, get, post, TestServer};
use protocol::AuthResponse;

const FAST: [&str; 4] = ["--user-rate-per-sec", "10000", "--user-rate-burst", "10000"];

async fn say(server: &TestServer, who: &AuthResponse, room: &str, body: Value) -> Value {
    let (status, message) = post(
        server,
        &format!("/api/rooms/{room}/messages"),
        Some(&who.token),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message
}

/// The bodies `who` finds for `q`, newest first.
async fn found(server: &TestServer, who: &AuthResponse, q: &str) -> Vec<String> {
    let path = format!("/api/search?q={}", urlencode(q));
    let (status, body) = get(server, &path, &who.token).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn day(offset: i64) -> String {
    let date = time::OffsetDateTime::now_utc().date() + time::Duration::days(offset);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

async fn filters_narrow(a: &TestServer, b: &TestServer) {
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = a.register("carol").await;
    create_room(a, &alice.token, "ops", "private").await;
    add_member(a, &alice.token, "ops", "carol").await;
    for who in [&alice, &bob] {
        add_member(a, &who.token, "general", &who.user.name).await;
    }
    let (status, file) = upload(
        a,
        &alice.token,
        "general",
        "q3-budget.pdf",
        "application/pdf",
        b"%PDF-1.4 budget".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    let report = say(
        a,
        &alice,
        "general",
        json!({"body": "deploy report attached", "attachments": [file["id"]]}),
    )
    .await;
    say(
        b,
        &bob,
        "general",
        json!({"body": "deploy went fine https://ci.example.com/run/1"}),
    )
    .await;
    say(a, &alice, "ops", json!({"body": "deploy the secret plan"})).await;
    say(
        b,
        &bob,
        "general",
        json!({"body": "deploy looks good", "thread": report["id"]}),
    )
    .await;

    assert_eq!(found(b, &bob, "deploy").await.len(), 3, "not #ops");
    assert_eq!(
        found(b, &bob, "deploy from:alice").await,
        ["deploy report attached"]
    );
    assert_eq!(found(a, &bob, "from:@bob").await.len(), 2, "filters alone");
    assert_eq!(found(b, &bob, "has:file").await, ["deploy report attached"]);
    assert_eq!(
        found(b, &bob, "deploy has:link").await,
        ["deploy went fine https://ci.example.com/run/1"]
    );
    assert_eq!(found(a, &bob, "is:thread").await, ["deploy looks good"]);
    assert_eq!(
        found(a, &bob, "budget").await,
        ["deploy report attached"],
        "a file's name"
    );
    // in: narrows; a room one cannot read is as one that does not exist.
    assert_eq!(
        found(a, &carol, "in:ops deploy").await,
        ["deploy the secret plan"]
    );
    assert_eq!(found(a, &carol, "in:#general has:link").await.len(), 1);
    assert!(found(b, &bob, "in:ops deploy").await.is_empty());
    assert!(found(b, &bob, "in:ops").await.is_empty());
    assert!(found(b, &bob, "in:nowhere deploy").await.is_empty());
    assert!(found(b, &bob, "from:nobody deploy").await.is_empty());
    // Dates are UTC days, both exclusive.
    assert_eq!(
        found(a, &bob, &format!("deploy after:{}", day(-1)))
            .await
            .len(),
        3
    );
    assert!(found(a, &bob, &format!("deploy after:{}", day(0)))
        .await
        .is_empty());
    assert!(found(a, &bob, &format!("deploy before:{}", day(0)))
        .await
        .is_empty());
    assert_eq!(
        found(a, &bob, &format!("deploy before:{}", day(1)))
            .await
            .len(),
        3
    );
    let (status, body) = get(a, "/api/search?q=before%3Asoon", &bob.token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = get(a, "/api/search?q=has%3Acake", &bob.token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_filters_narrow_on_postgres() {
    let c = cluster_with(&FAST).await;
    filters_narrow(&c.a, &c.b).await;
}

#[tokio::test]
async fn search_filters_narrow_on_sqlite() {
    let server = TestServer::start(&FAST);
    filters_narrow(&server, &server).await;
}
