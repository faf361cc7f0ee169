//! Pins (v3): a log entry that crosses instances in order, is replayed
//! exactly once to a client that comes back with `since`, shows in history
//! and in the room's pinned list, and is for the room's members.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::cluster::cluster;
use crate::common::{add_member, create_room, delete, get, put, Client};
use protocol::{Entry, ServerFrame, Since};
use uuid::Uuid;

/// The ids of the room's pinned messages, as `token` lists them.
async fn pinned(server: &crate::common::TestServer, token: &str, room: &str) -> Vec<String> {
    let (status, body) = get(server, &format!("/api/rooms/{room}/pins"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `pinned` entries `client` is sent until `seq`.
async fn pins_until(client: &mut Client, seq: u64) -> Vec<protocol::Pinned> {
    let mut got = Vec::new();
    loop {
        match client.next().await {
            ServerFrame::Pinned(p) => {
                let last = p.seq >= seq;
                got.push(p);
                if last {
                    return got;
                }
            }
            ServerFrame::Message(m) if m.seq >= seq => return got,
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_pin_is_an_entry_replayed_once_and_listed_for_members() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mallory = c.b.register("mallory").await;
    create_room(&c.a, &alice.token, "ops", "private").await;
    add_member(&c.a, &alice.token, "ops", "bob").await;
    let mut a = c.a.connect(&alice.token).await;
    let epoch = match a.join("ops", None).await {
        ServerFrame::Joined { epoch, .. } => epoch,
        other => panic!("{other:?}"),
    };
    a.send_acked("ops", "the runbook is at /docs/runbook", 1)
        .await;
    let page = c.a.history(&alice.token, "ops").await;
    let runbook = page
        .messages
        .iter()
        .find_map(|e| match e {
            Entry::Message(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    let mut b = c.b.connect(&bob.token).await;
    b.join("ops", None).await;

    // Alice pins it on A; Bob hears it on B.
    let path = format!("/api/rooms/ops/pins/{}", runbook.id);
    let (status, body) = put(&c.a, &path, &alice.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pin_seq = body["seq"].as_u64().unwrap();
    let heard = pins_until(&mut b, pin_seq).await;
    assert_eq!(heard.len(), 1);
    assert!(heard[0].on && heard[0].id == runbook.id && heard[0].by.name == "alice");
    // Pinning again changes nothing.
    let (_, again) = put(&c.b, &path, &bob.token, json!({})).await;
    assert_eq!(again["seq"].as_u64(), Some(pin_seq));
    assert_eq!(
        pinned(&c.b, &bob.token, "ops").await,
        [runbook.id.to_string()]
    );
    let shown = c.b.history(&bob.token, "ops").await;
    assert!(shown
        .messages
        .iter()
        .any(|e| matches!(e, Entry::Message(m) if m.id == runbook.id && m.pinned)));

    // Bob comes back on the other instance from before the pin: he gets it
    // exactly once.
    drop(b);
    let mut back = c.a.connect(&bob.token).await;
    let since = Since {
        epoch,
        seq: runbook.seq,
    };
    back.join("ops", Some(since)).await;
    a.send_acked("ops", "after the pin", 2).await;
    let replayed = pins_until(&mut back, pin_seq + 1).await;
    assert_eq!(
        replayed.iter().map(|p| p.seq).collect::<Vec<_>>(),
        [pin_seq]
    );

    // Not for outsiders; a missing message is refused.
    assert_eq!(
        get(&c.a, "/api/rooms/ops/pins", &mallory.token).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(&c.a, &path, &mallory.token, json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    let missing = format!("/api/rooms/ops/pins/{}", Uuid::new_v4());
    assert_eq!(
        put(&c.a, &missing, &alice.token, json!({})).await.0,
        StatusCode::NOT_FOUND
    );

    // Unpinned, it leaves the list.
    let (status, _) = delete(&c.b, &path, &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pinned(&c.a, &alice.token, "ops").await.is_empty());
}

#[tokio::test]
async fn pins_on_sqlite_are_capped_and_a_deleted_message_leaves_the_list() {
    let server = crate::common::TestServer::start(&["--user-rate-burst", "200"]);
    let alice = server.register("alice").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    a.send_acked("general", "pin me", protocol::MAX_PINS_PER_ROOM + 1)
        .await;
    let (_, page) = get(
        &server,
        "/api/rooms/general/messages?limit=200",
        &alice.token,
    )
    .await;
    let page: protocol::MessagesPage = serde_json::from_value(page).unwrap();
    let ids: Vec<Uuid> = page
        .messages
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), protocol::MAX_PINS_PER_ROOM + 1);
    for id in &ids[..protocol::MAX_PINS_PER_ROOM] {
        let path = format!("/api/rooms/general/pins/{id}");
        assert_eq!(
            put(&server, &path, &alice.token, json!({})).await.0,
            StatusCode::OK
        );
    }
    let one_more = format!(
        "/api/rooms/general/pins/{}",
        ids[protocol::MAX_PINS_PER_ROOM]
    );
    assert_eq!(
        put(&server, &one_more, &alice.token, json!({})).await.0,
        StatusCode::BAD_REQUEST,
        "at most {} pins",
        protocol::MAX_PINS_PER_ROOM
    );
    // Deleting a pinned message unpins it.
    let deleted = a
        .ask(protocol::ClientFrame::Delete {
            room: "general".into(),
            id: ids[0],
        })
        .await;
    assert!(deleted.is_ok());
    let listed = pinned(&server, &alice.token, "general").await;
    assert_eq!(listed.len(), protocol::MAX_PINS_PER_ROOM - 1);
    assert!(!listed.contains(&ids[0].to_string()));
}
