//! Running a room (v3): roles (owner, moderator, member) and what each may
//! do; renaming; archiving (read-only on every instance at once); on both
//! stores and across two instances over Redis.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::cluster::cluster;
use crate::common::postgres::TestDatabase;
use crate::common::{add_member, create_room, delete, get, patch, post, put, TestServer};
use protocol::{ClientFrame, Entry, ErrorCode, RoomRole, ServerFrame};
use uuid::Uuid;

/// Each member's role, by name.
async fn roles(server: &TestServer, token: &str, room: &str) -> Vec<(String, String)> {
    let (status, body) = get(server, &format!("/api/rooms/{room}/members"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap().to_string();
            (name, m["role"].as_str().unwrap().to_string())
        })
        .collect()
}

fn delete_frame(room: &str, id: Uuid) -> ClientFrame {
    ClientFrame::Delete {
        room: room.into(),
        id,
    }
}

async fn set_role(
    server: &TestServer,
    token: &str,
    room: &str,
    user: &str,
    role: &str,
) -> StatusCode {
    let path = format!("/api/rooms/{room}/members/{user}");
    put(server, &path, token, json!({"role": role})).await.0
}

async fn moderation(args: &[&str]) {
    let server = TestServer::start(args);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let carol = server.register("carol").await;
    server.register("dave").await;
    create_room(&server, &alice.token, "team", "private").await;
    add_member(&server, &alice.token, "team", "bob").await;
    add_member(&server, &alice.token, "team", "carol").await;
    assert_eq!(
        roles(&server, &bob.token, "team").await,
        [
            ("alice".into(), "owner".into()),
            ("bob".into(), "member".into()),
            ("carol".into(), "member".into())
        ]
    );
    let (_, rooms) = get(&server, "/api/rooms", &alice.token).await;
    assert_eq!(rooms[0]["role"], "owner");

    // A member adds nobody, deletes nobody's message, sets no role.
    let (status, _) = post(
        &server,
        "/api/rooms/team/members",
        Some(&bob.token),
        json!({"user": "dave"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut c = server.connect(&carol.token).await;
    c.join("team", None).await;
    let mut b = server.connect(&bob.token).await;
    b.join("team", None).await;
    let id = c.send_text("team", "spam spam spam").await;
    let seq = c
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    let ServerFrame::Ack { seq, .. } = seq else {
        unreachable!()
    };
    let spam = server
        .history(&bob.token, "team")
        .await
        .messages
        .into_iter()
        .find_map(|e| match e {
            Entry::Message(m) if m.client_msg_id == id => Some(m),
            _ => None,
        });
    let spam = spam.expect("the message is stored");
    assert_eq!(spam.seq, seq);
    assert_eq!(
        b.ask(delete_frame("team", spam.id)).await,
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(
        set_role(&server, &bob.token, "team", "bob", "owner").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete(&server, "/api/rooms/team/members/carol", &bob.token)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // The owner appoints Bob moderator; he hears it, and so does everyone
    // in the room.
    assert_eq!(
        set_role(&server, &alice.token, "team", "bob", "moderator").await,
        StatusCode::NO_CONTENT
    );
    match b
        .next_matching(|f| matches!(f, ServerFrame::RoleChanged { .. }))
        .await
    {
        ServerFrame::RoleChanged {
            room,
            user,
            role,
            by,
        } => {
            assert_eq!(
                (room.as_str(), user.name.as_str(), role, by.name.as_str()),
                ("team", "bob", RoomRole::Moderator, "alice")
            );
        }
        _ => unreachable!(),
    }
    let told = c
        .next_matching(|f| matches!(f, ServerFrame::RoleChanged { .. }))
        .await;
    assert!(matches!(
        told,
        ServerFrame::RoleChanged {
            role: RoomRole::Moderator,
            ..
        }
    ));
    assert_eq!(
        set_role(&server, &alice.token, "team", "bob", "boss").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        set_role(&server, &alice.token, "team", "dave", "member").await,
        StatusCode::NOT_FOUND
    );

    // The moderator deletes Carol's message: the row says who did.
    b.ask(delete_frame("team", spam.id))
        .await
        .expect("a moderator deletes");
    let deleted = c
        .next_matching(|f| matches!(f, ServerFrame::Deleted(_)))
        .await;
    let ServerFrame::Deleted(deleted) = deleted else {
        unreachable!()
    };
    assert_eq!(deleted.by.name, "bob");
    let page = server.history(&carol.token, "team").await;
    let shown = page.messages.iter().find_map(|e| match e {
        Entry::Message(m) if m.id == spam.id => Some(m.clone()),
        _ => None,
    });
    let shown = shown.unwrap();
    assert!(shown.deleted && shown.body.is_empty());
    assert_eq!(shown.deleted_by, Some(bob.user.id));
    // He adds and removes members, but not the owner, and sets no roles.
    let (status, _) = post(
        &server,
        "/api/rooms/team/members",
        Some(&bob.token),
        json!({"user": "dave"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        delete(&server, "/api/rooms/team/members/dave", &bob.token)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&server, "/api/rooms/team/members/alice", &bob.token)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set_role(&server, &bob.token, "team", "carol", "moderator").await,
        StatusCode::FORBIDDEN
    );
    let (status, _) = patch(
        &server,
        "/api/rooms/team",
        &bob.token,
        json!({"name": "bobs"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The room keeps an owner.
    assert_eq!(
        set_role(&server, &alice.token, "team", "alice", "member").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        delete(&server, "/api/rooms/team/members/alice", &alice.token)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    // Renaming: the id stays, the name is everyone's at once, and unique.
    let (status, body) = patch(
        &server,
        "/api/rooms/team",
        &alice.token,
        json!({"name": "crew"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed = c
        .next_matching(|f| matches!(f, ServerFrame::RoomChanged(_)))
        .await;
    let ServerFrame::RoomChanged(changed) = changed else {
        unreachable!()
    };
    assert_eq!(
        (changed.name.as_str(), changed.archived, changed.seq),
        ("crew", false, body["seq"].as_u64().unwrap())
    );
    let (_, rooms) = get(&server, "/api/rooms", &carol.token).await;
    let team = rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "team")
        .unwrap()
        .clone();
    assert_eq!(team["name"], "crew");
    let (status, _) = patch(
        &server,
        "/api/rooms/team",
        &alice.token,
        json!({"name": "general"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = patch(
        &server,
        "/api/rooms/team",
        &alice.token,
        json!({"name": "Not A Name!"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&carol.token),
        json!({"name": "crew", "kind": "public"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a renamed room's name is taken"
    );
    // The log replays the rename to whoever joins later.
    let entries = server.history(&carol.token, "team").await.messages;
    assert!(entries
        .iter()
        .any(|e| matches!(e, Entry::RoomChanged(c) if c.name == "crew")));
}

#[tokio::test]
async fn moderators_delete_and_remove_owners_run_the_room_on_both_stores() {
    moderation(&[]).await;
    let db = TestDatabase::create().await;
    moderation(&["--database-url", &db.url]).await;
}

/// The code of the error `client` gets for sending `body` to `room`.
async fn send_refusal(
    client: &mut crate::common::Client,
    room: &str,
    body: &str,
) -> Option<ErrorCode> {
    client.send_text(room, body).await;
    match client
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
        .await
    {
        ServerFrame::Error { code, .. } => Some(code),
        _ => None,
    }
}

#[tokio::test]
async fn an_archived_room_is_read_only_on_every_instance() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.a.register("bob").await;
    c.a.register("carol").await;
    create_room(&c.a, &alice.token, "old-project", "public").await;
    add_member(&c.a, &bob.token, "old-project", "bob").await;
    let mut on_a = c.a.connect(&alice.token).await;
    on_a.join("old-project", None).await;
    let mut on_b = c.b.connect(&bob.token).await;
    on_b.join("old-project", None).await;
    assert_eq!(send_refusal(&mut on_b, "old-project", "before").await, None);
    // A member is not an owner.
    assert_eq!(
        post(
            &c.b,
            "/api/rooms/old-project/archive",
            Some(&bob.token),
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (status, body) = post(
        &c.a,
        "/api/rooms/old-project/archive",
        Some(&alice.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed = on_b
        .next_matching(|f| matches!(f, ServerFrame::RoomChanged(_)))
        .await;
    let ServerFrame::RoomChanged(changed) = changed else {
        unreachable!()
    };
    assert!(changed.archived);
    // Writes fail `forbidden` on both instances, over the socket and HTTP.
    assert_eq!(
        send_refusal(&mut on_b, "old-project", "after").await,
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        send_refusal(&mut on_a, "old-project", "after").await,
        Some(ErrorCode::Forbidden)
    );
    let topic = ClientFrame::Topic {
        room: "old-project".into(),
        topic: "still here".into(),
    };
    assert_eq!(on_b.ask(topic).await, Err(ErrorCode::Forbidden));
    for (server, token) in [(&c.a, &alice.token), (&c.b, &bob.token)] {
        let (status, _) = post(
            server,
            "/api/rooms/old-project/messages",
            Some(token),
            json!({"body": "http"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let upload = reqwest::Client::new()
            .post(server.http("/api/rooms/old-project/files?name=a.txt"))
            .bearer_auth(token)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(upload.status(), StatusCode::FORBIDDEN);
    }
    let (status, _) = post(
        &c.b,
        "/api/rooms/old-project/members",
        Some(&alice.token),
        json!({"user": "carol"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "nobody new joins an archived room"
    );
    // Members still read it; it is marked in their list, and out of the directory.
    let page = c.b.history(&bob.token, "old-project").await;
    assert!(page
        .messages
        .iter()
        .any(|e| matches!(e, Entry::Message(m) if m.body == "before")));
    let (_, rooms) = get(&c.b, "/api/rooms", &bob.token).await;
    let listed = rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "old-project")
        .unwrap()
        .clone();
    assert_eq!(listed["archived"], true);
    let (_, found) = get(&c.b, "/api/rooms/directory?q=old", &bob.token).await;
    assert_eq!(found["rooms"], json!([]));

    // Unarchived, it takes messages again.
    let (status, _) = post(
        &c.b,
        "/api/rooms/old-project/unarchive",
        Some(&alice.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    on_a.next_matching(|f| matches!(f, ServerFrame::RoomChanged(c) if !c.archived))
        .await;
    assert_eq!(send_refusal(&mut on_a, "old-project", "back").await, None);
    let (_, found) = get(&c.a, "/api/rooms/directory?q=old", &bob.token).await;
    assert_eq!(found["rooms"].as_array().map(Vec::len), Some(1));
}
