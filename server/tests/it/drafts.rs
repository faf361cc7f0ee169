//! Drafts (v3): kept by the server per room and thread, listed, and echoed
//! to the user's other connections on every instance; cleared by an empty
//! body; only in rooms the user can read.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::cluster::cluster;
use crate::common::{create_room, get, put};
use protocol::ServerFrame;

#[tokio::test]
async fn a_draft_follows_the_user_to_their_other_device() {
    let c = cluster().await;
    let bob = c.a.register("bob").await;
    let alice = c.a.register("alice").await;
    create_room(&c.a, &alice.token, "secret", "private").await;
    let mut phone = c.b.connect(&bob.token).await;
    phone.ping().await;

    // Typed on the laptop (instance A), it reaches the phone (instance B).
    let (status, _) = put(
        &c.a,
        "/api/rooms/general/draft",
        &bob.token,
        json!({"body": "half a thought"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    match phone
        .next_matching(|f| matches!(f, ServerFrame::Draft(_)))
        .await
    {
        ServerFrame::Draft(d) => assert_eq!(
            (d.room.as_str(), d.thread, d.body.as_str()),
            ("general", None, "half a thought")
        ),
        _ => unreachable!(),
    }
    // One per thread, apart from the room's.
    let root = uuid::Uuid::new_v4();
    let (status, _) = put(
        &c.b,
        "/api/rooms/general/draft",
        &bob.token,
        json!({"body": "in the thread", "thread": root}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = get(&c.b, "/api/drafts", &bob.token).await;
    let drafts = listed["drafts"].as_array().unwrap();
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts[0]["body"], "in the thread", "newest first");
    assert_eq!(drafts[0]["thread"], root.to_string());
    assert_eq!(drafts[1]["body"], "half a thought");

    // Sent: the client clears it, and the other device hears that.
    put(
        &c.a,
        "/api/rooms/general/draft",
        &bob.token,
        json!({"body": ""}),
    )
    .await;
    match phone
        .next_matching(
            |f| matches!(f, ServerFrame::Draft(d) if d.thread.is_none() && d.body.is_empty()),
        )
        .await
    {
        ServerFrame::Draft(d) => assert_eq!(d.room, "general"),
        _ => unreachable!(),
    }
    let (_, listed) = get(&c.a, "/api/drafts", &bob.token).await;
    assert_eq!(listed["drafts"].as_array().unwrap().len(), 1);

    // Only where the user can read; never longer than a message.
    let (status, _) = put(
        &c.a,
        "/api/rooms/secret/draft",
        &bob.token,
        json!({"body": "peek"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let long = "x".repeat(5_000);
    let (status, _) = put(
        &c.a,
        "/api/rooms/general/draft",
        &bob.token,
        json!({"body": long}),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nobody else sees them.
    let (_, theirs) = get(&c.a, "/api/drafts", &alice.token).await;
    assert_eq!(theirs["drafts"], json!([]));
}
