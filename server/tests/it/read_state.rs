//! Every room at once, across two instances: `activity` for rooms a connection
//! has not joined, read markers echoed to the user's other connections,
//! `room_added` / `room_removed` live, and the unread and mention counts of
//! `GET /api/rooms` (right after a reconnect too).

use protocol::{ClientFrame, RoomInfo, RoomKind, ServerFrame};
use serde_json::json;

use crate::common::cluster::cluster;
use crate::common::{add_member, create_room, delete, get, post, Client, TestServer};

async fn rooms(server: &TestServer, token: &str) -> Vec<RoomInfo> {
    let (status, body) = get(server, "/api/rooms", token).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn room(server: &TestServer, token: &str, id: &str) -> RoomInfo {
    rooms(server, token)
        .await
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the room list"))
}

/// The next frame that is about the user's rooms (not a reply or presence).
async fn next_news(client: &mut Client) -> ServerFrame {
    client
        .next_matching(|f| {
            matches!(
                f,
                ServerFrame::Activity { .. }
                    | ServerFrame::Read { .. }
                    | ServerFrame::RoomAdded { .. }
                    | ServerFrame::RoomRemoved { .. }
            )
        })
        .await
}

async fn acked(client: &mut Client, room: &str, body: &str) -> u64 {
    client.send_text(room, body).await;
    match client
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
        .await
    {
        ServerFrame::Ack { seq, .. } => seq,
        other => panic!("send refused: {other:?}"),
    }
}

#[tokio::test]
async fn activity_and_read_markers_reach_every_connection_on_every_instance() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.b.register("carol").await;
    create_room(&c.a, &alice.token, "team", "public").await;
    // bob and carol become members by joining, on instance B.
    let mut bob_ws = c.b.connect(&bob.token).await;
    let mut carol_ws = c.b.connect(&carol.token).await;
    bob_ws.join("team", None).await;
    carol_ws.join("team", None).await;

    // alice's laptop (A) and phone (B) have joined nothing.
    let mut laptop = c.a.connect(&alice.token).await;
    let mut phone = c.b.connect(&alice.token).await;
    let first = acked(&mut bob_ws, "team", "standup in 5").await;
    for device in [&mut laptop, &mut phone] {
        assert_eq!(
            next_news(device).await,
            ServerFrame::Activity {
                room: "team".into(),
                seq: first,
                mention: false,
                thread: None,
                notify: false,
            }
        );
    }
    let mentioned = acked(&mut bob_ws, "team", "@alice can you take notes?").await;
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::Activity {
            room: "team".into(),
            seq: mentioned,
            mention: true,
            thread: None,
            notify: true,
        }
    );
    let team = room(&c.a, &alice.token, "team").await;
    assert_eq!(
        (team.unread, team.mentions, team.latest_seq),
        (2, 1, mentioned)
    );
    // Mentions count only the mentioned; one's own messages are never unread.
    let for_carol = room(&c.b, &carol.token, "team").await;
    assert_eq!((for_carol.unread, for_carol.mentions), (2, 0));
    assert_eq!(room(&c.b, &bob.token, "team").await.unread, 0);

    // Read on the phone (B): the laptop (A) hears it, the counts clear.
    phone
        .send_frame(
            ClientFrame::Read {
                room: "team".into(),
                seq: mentioned,
            },
            None,
        )
        .await;
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::Read {
            room: "team".into(),
            seq: mentioned
        }
    );
    let team = room(&c.a, &alice.token, "team").await;
    assert_eq!(
        (team.unread, team.mentions, team.last_read_seq),
        (0, 0, mentioned)
    );
    // Never back, never past the end.
    phone
        .send_frame(
            ClientFrame::Read {
                room: "team".into(),
                seq: 1,
            },
            None,
        )
        .await;
    phone
        .send_frame(
            ClientFrame::Read {
                room: "team".into(),
                seq: 1_000_000,
            },
            None,
        )
        .await;
    phone.send_frame(ClientFrame::Ping, Some("p")).await;
    phone
        .next_matching(|f| matches!(f, ServerFrame::Pong { .. }))
        .await;
    let (status, _) = post(
        &c.a,
        "/api/rooms/team/read",
        Some(&alice.token),
        json!({"seq": 1}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        room(&c.a, &alice.token, "team").await.last_read_seq,
        mentioned
    );

    // A connection that joined the room gets the message, not `activity`.
    laptop.join("team", None).await;
    let third = acked(&mut bob_ws, "team", "notes are in the doc").await;
    laptop
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.seq == third))
        .await;
    assert_eq!(
        next_news(&mut phone).await,
        ServerFrame::Activity {
            room: "team".into(),
            seq: third,
            mention: false,
            thread: None,
            notify: false,
        }
    );

    // Counts are right after a reconnect: what came while away is counted once.
    drop(laptop);
    drop(phone);
    acked(&mut bob_ws, "team", "one").await;
    acked(&mut bob_ws, "team", "two @alice").await;
    let mut laptop = c.a.connect(&alice.token).await;
    let team = room(&c.a, &alice.token, "team").await;
    assert_eq!((team.unread, team.mentions), (3, 1));
    let last = acked(&mut carol_ws, "team", "three").await;
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::Activity {
            room: "team".into(),
            seq: last,
            mention: false,
            thread: None,
            notify: false,
        }
    );
    assert_eq!(room(&c.b, &alice.token, "team").await.unread, 4);
}

#[tokio::test]
async fn rooms_added_and_removed_arrive_live_and_a_removed_room_goes_quiet() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.b.register("carol").await;
    let mut laptop = c.a.connect(&alice.token).await;
    let mut bob_ws = c.b.connect(&bob.token).await;

    // A private room alice is added to (on the other instance).
    create_room(&c.b, &bob.token, "secret", "private").await;
    add_member(&c.b, &bob.token, "secret", "alice").await;
    match next_news(&mut laptop).await {
        ServerFrame::RoomAdded { room } => {
            assert_eq!(
                (room.id.as_str(), room.kind, room.member),
                ("secret", RoomKind::Private, true)
            )
        }
        other => panic!("expected room_added, got {other:?}"),
    }
    let seq = acked(&mut bob_ws, "secret", "welcome").await;
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::Activity {
            room: "secret".into(),
            seq,
            mention: false,
            thread: None,
            notify: false,
        }
    );

    // A direct room bob opens appears at once, named after him.
    let (status, dm) = post(&c.b, "/api/dms", Some(&bob.token), json!({"user":"alice"})).await;
    assert_eq!(status, 200, "{dm}");
    match next_news(&mut laptop).await {
        ServerFrame::RoomAdded { room } => {
            assert_eq!(room.id, dm["id"].as_str().unwrap());
            assert_eq!((room.name.as_str(), room.kind), ("bob", RoomKind::Direct));
        }
        other => panic!("expected room_added, got {other:?}"),
    }

    // Removed: room_removed, then nothing more of the room arrives.
    let (status, _) = delete(&c.b, "/api/rooms/secret/members/alice", &bob.token).await;
    assert_eq!(status, 204);
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::RoomRemoved {
            room: "secret".into()
        }
    );
    acked(&mut bob_ws, "secret", "after she left").await;
    let dm_id = dm["id"].as_str().unwrap().to_string();
    let in_dm = acked(&mut bob_ws, &dm_id, "you there?").await;
    assert_eq!(
        next_news(&mut laptop).await,
        ServerFrame::Activity {
            room: dm_id.clone(),
            seq: in_dm,
            mention: false,
            thread: None,
            notify: true,
        },
        "the removed room's message must not arrive"
    );
    assert!(rooms(&c.a, &alice.token)
        .await
        .iter()
        .all(|r| r.id != "secret"));

    // A group direct room: everyone in it hears of it, named after the others.
    let mut carol_ws = c.b.connect(&carol.token).await;
    let (status, group) = post(
        &c.a,
        "/api/dms",
        Some(&alice.token),
        json!({"users":["bob","carol"]}),
    )
    .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["name"], "bob, carol");
    match next_news(&mut carol_ws).await {
        ServerFrame::RoomAdded { room } => {
            assert_eq!(
                (room.name.as_str(), room.kind),
                ("alice, bob", RoomKind::Direct)
            )
        }
        other => panic!("expected room_added, got {other:?}"),
    }
    let (status, again) = post(
        &c.b,
        "/api/dms",
        Some(&bob.token),
        json!({"users":["carol","alice"]}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), &again["id"]),
        (200, &group["id"]),
        "the same three, the same room"
    );
    let (status, err) = post(
        &c.a,
        "/api/dms",
        Some(&alice.token),
        json!({"users":["bob","bob","carol","x1","x2","x3","x4","x5","x6"]}),
    )
    .await;
    assert_eq!(status, 400, "{err}");
}

#[tokio::test]
async fn members_mute_and_leaving_a_public_room() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    create_room(&c.a, &alice.token, "lobby", "public").await;
    let mut bob_ws = c.b.connect(&bob.token).await;
    bob_ws.join("lobby", None).await;
    bob_ws
        .next_matching(|f| matches!(f, ServerFrame::Online { .. }))
        .await;
    let mut bob_phone = c.a.connect(&bob.token).await;

    // The member list, with who is online in the room now.
    let (status, page) = get(&c.a, "/api/rooms/lobby/members", &alice.token).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["members"],
        json!([
            {"id": alice.user.id, "name": "alice", "online": false, "role": "owner"},
            {"id": bob.user.id, "name": "bob", "online": true, "role": "member"},
        ])
    );

    // Mute is remembered per member.
    let put = |path: &str, token: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .put(c.a.http(path))
            .bearer_auth(token.to_string())
            .json(&body)
    };
    let muted = put("/api/rooms/lobby/mute", &bob.token, json!({"muted": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(muted.status(), 204);
    assert!(room(&c.b, &bob.token, "lobby").await.muted);
    assert!(!room(&c.a, &alice.token, "lobby").await.muted);
    let not_member = put(
        "/api/rooms/general/mute",
        &bob.token,
        json!({"muted": true}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(not_member.status(), 404);

    // bob leaves: his connections hear it.
    let (status, _) = delete(
        &c.b,
        &format!("/api/rooms/lobby/members/{}", bob.user.id),
        &bob.token,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        next_news(&mut bob_phone).await,
        ServerFrame::RoomRemoved {
            room: "lobby".into()
        }
    );
    // The connection that had joined it is not told it as an error.
    assert_eq!(
        bob_ws
            .next_matching(|f| matches!(
                f,
                ServerFrame::Error { .. } | ServerFrame::RoomRemoved { .. }
            ))
            .await,
        ServerFrame::RoomRemoved {
            room: "lobby".into()
        }
    );
    // It leaves his room list (v3: the list holds one's own rooms) and
    // stays in the directory, not joined.
    assert!(!rooms(&c.b, &bob.token)
        .await
        .iter()
        .any(|r| r.id == "lobby"));
    let (_, directory) = get(&c.b, "/api/rooms/directory?q=lobby", &bob.token).await;
    assert_eq!(directory["rooms"][0]["joined"], false);
    // A member shows nobody the door (v3: moderators and owners do).
    add_member(&c.b, &bob.token, "lobby", "bob").await;
    let (status, _) = delete(
        &c.b,
        &format!("/api/rooms/lobby/members/{}", alice.user.id),
        &bob.token,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_topic_is_a_log_entry_every_member_sees_on_every_instance() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mallory = c.b.register("mallory").await;
    create_room(&c.a, &alice.token, "ops", "private").await;
    add_member(&c.a, &alice.token, "ops", "bob").await;
    let mut bob_ws = c.b.connect(&bob.token).await;
    bob_ws.join("ops", None).await;
    let mut alice_ws = c.a.connect(&alice.token).await;
    alice_ws.join("ops", None).await;

    alice_ws
        .send_frame(
            ClientFrame::Topic {
                room: "ops".into(),
                topic: "  incident room  ".into(),
            },
            Some("t"),
        )
        .await;
    let seq = match alice_ws
        .next_matching(|f| matches!(f, ServerFrame::Done { .. } | ServerFrame::Error { .. }))
        .await
    {
        ServerFrame::Done { seq, .. } => seq,
        other => panic!("topic refused: {other:?}"),
    };
    match bob_ws
        .next_matching(|f| matches!(f, ServerFrame::Topic(_)))
        .await
    {
        ServerFrame::Topic(t) => {
            assert_eq!(
                (t.seq, t.topic.as_str(), t.by.name.as_str()),
                (seq, "incident room", "alice")
            )
        }
        _ => unreachable!(),
    }
    assert_eq!(room(&c.b, &bob.token, "ops").await.topic, "incident room");
    // In the log: history shows it in its place.
    let page = c.b.history(&bob.token, "ops").await;
    assert!(page
        .messages
        .iter()
        .any(|e| matches!(e, protocol::Entry::Topic(t) if t.seq == seq)));

    // Over HTTP too; the same topic again stores nothing.
    let put = |token: &str, topic: &str| {
        reqwest::Client::new()
            .put(c.b.http("/api/rooms/ops/topic"))
            .bearer_auth(token.to_string())
            .json(&json!({ "topic": topic }))
            .send()
    };
    let same = put(&bob.token, "incident room").await.unwrap();
    assert_eq!(same.status(), 200);
    assert_eq!(same.json::<serde_json::Value>().await.unwrap()["seq"], seq);
    assert_eq!(put(&mallory.token, "pwned").await.unwrap().status(), 403);
    assert_eq!(
        put(&bob.token, &"x".repeat(251)).await.unwrap().status(),
        413
    );
    assert_eq!(put(&bob.token, "line\nbreak").await.unwrap().status(), 400);
    assert_eq!(room(&c.a, &alice.token, "ops").await.topic, "incident room");
    // A member added later hears of the room with its topic.
    let mut mallory_ws = c.b.connect(&mallory.token).await;
    add_member(&c.a, &alice.token, "ops", "mallory").await;
    match next_news(&mut mallory_ws).await {
        ServerFrame::RoomAdded { room } => assert_eq!(room.topic, "incident room"),
        other => panic!("expected room_added, got {other:?}"),
    }
}
