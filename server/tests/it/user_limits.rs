//! Per-user limits on one instance: connections, messages a second across a
//! user's connections, and rooms owned. (Across two instances: cluster_access.rs.)

use crate::common::{error_code, post, TestServer};
use protocol::{ErrorCode, ServerFrame};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_user_may_hold_only_so_many_connections() {
    let server = TestServer::start(&["--max-conns-per-user", "2"]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let first = server.connect(&alice.token).await;
    let _second = server.connect(&alice.token).await;
    assert_eq!(server.try_connect(&alice.token).await.err(), Some(429));
    assert!(
        server.try_connect(&bob.token).await.is_ok(),
        "others are not limited by her"
    );
    drop(first);
    // The slot comes back once the server has seen the socket go.
    let mut admitted = false;
    for _ in 0..50 {
        if server.try_connect(&alice.token).await.is_ok() {
            admitted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(admitted, "a closed connection frees its slot");
}

#[tokio::test]
async fn messages_are_limited_per_user_across_their_connections() {
    let server = TestServer::start(&["--user-rate-per-sec", "0.1", "--user-rate-burst", "4"]);
    let alice = server.register("alice").await;
    let mut tabs = Vec::new();
    for _ in 0..2 {
        let mut tab = server.connect(&alice.token).await;
        tab.join("general", None).await;
        tabs.push(tab);
    }
    // Two each from two tabs: the burst of four, shared.
    for i in 0..4 {
        tabs[i % 2].send_acked("general", &format!("m{i}"), 1).await;
    }
    for tab in &mut tabs {
        tab.send_text("general", "one too many").await;
        tab.next_matching(|f| {
            matches!(
                f,
                ServerFrame::Error {
                    code: ErrorCode::RateLimited,
                    ..
                }
            )
        })
        .await;
    }
    let history = server.history(&alice.token, "general").await;
    assert_eq!(history.messages.len(), 4, "nothing over the limit stored");
    // Another user has an allowance of their own.
    let (_, mut bob) = server.user_in_general("bob").await;
    bob.send_acked("general", "bob is fine", 1).await;
}

#[tokio::test]
async fn a_user_may_own_only_so_many_rooms() {
    let server = TestServer::start(&["--max-rooms-per-user", "2"]);
    let alice = server.register("alice").await;
    for name in ["one", "two"] {
        let (status, _) = post(
            &server,
            "/api/rooms",
            Some(&alice.token),
            json!({"name": name, "kind": "private"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = post(
        &server,
        "/api/rooms",
        Some(&alice.token),
        json!({"name": "three", "kind": "public"}),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{body}"
    );
    let bob = server.register("bob").await;
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&bob.token),
        json!({"name": "three", "kind": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}
