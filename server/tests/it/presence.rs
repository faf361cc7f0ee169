//! Presence when an instance dies: its share of every room's counts is reaped
//! by the others once it has missed three heartbeats, and its users are
//! announced offline to everyone still connected — and the connections it
//! held stop counting against their users' limits.

use std::time::Duration;

use futures_util::StreamExt;
use protocol::{PresenceStatus, ServerFrame};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::common::cluster::cluster_with;

#[tokio::test]
async fn the_users_of_a_killed_instance_go_offline_for_the_others() {
    let mut c = cluster_with(&["--max-conns-per-user", "1"]).await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut on_b = c.b.connect(&bob.token).await;
    on_b.join("general", None).await;
    let mut on_a = c.a.connect(&alice.token).await;
    on_a.join("general", None).await;
    on_a.next_matching(
        |f| matches!(f, ServerFrame::Online { users, .. } if users.iter().any(|u| u.name == "bob")),
    )
    .await;

    // B dies without a word: nobody closes bob's socket cleanly, nobody
    // decrements his count. Only the reaper can.
    c.b.kill();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    let offline = loop {
        let next = tokio::time::timeout_at(deadline, on_a.ws.next()).await;
        let Ok(Some(Ok(WsMessage::Text(text)))) = next else {
            break false;
        };
        if let Ok(ServerFrame::Presence {
            user,
            status: PresenceStatus::Offline,
            ..
        }) = ServerFrame::parse(text.as_str())
        {
            assert_eq!(user.name, "bob", "only the dead instance's user goes");
            break true;
        }
    };
    assert!(offline, "bob was never announced offline after B died");
    // His one connection, on B, was given back when B was reaped.
    assert!(
        c.a.try_connect(&bob.token).await.is_ok(),
        "the dead instance's connection still counts against bob"
    );
    drop(on_b);
}
