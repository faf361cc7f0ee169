//! The HTTP API against the real server: accounts, rooms, history, health.

use crate::common::{error_code, get, post, TestServer};
use protocol::{MessagesPage, RoomInfo, ServerFrame};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn register_login_and_logout() {
    let server = TestServer::start(&[]);
    let creds = json!({"username": "Alice", "password": "password-123"});
    let response = reqwest::Client::new()
        .post(server.http("/api/auth/register"))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("confab_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["name"], "Alice");
    assert!(
        cookie.contains(body["token"].as_str().unwrap()),
        "the cookie carries the token"
    );

    // (username, password) → the status and error code a registration gets.
    let refused = [
        ("alice", "password-123", 409, "conflict"), // names are case-insensitive
        ("no spaces", "password-123", 400, "invalid"),
        ("bob", "short", 400, "invalid"),
        ("", "password-123", 400, "invalid"),
    ];
    for (username, password, status, code) in refused {
        let creds = json!({"username": username, "password": password});
        let (got, body) = post(&server, "/api/auth/register", None, creds).await;
        assert_eq!(
            (got.as_u16(), error_code(&body)),
            (status, code),
            "{username:?}"
        );
    }
    let (status, body) = post(&server, "/api/auth/register", None, json!({"user": "x"})).await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (422, "invalid"),
        "missing fields"
    );

    let (status, body) = post(&server, "/api/auth/login", None, creds.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().unwrap().to_string();
    let (wrong_pw, body_pw) = post(
        &server,
        "/api/auth/login",
        None,
        json!({"username": "Alice", "password": "wrong-password"}),
    )
    .await;
    let (unknown, body_unknown) = post(
        &server,
        "/api/auth/login",
        None,
        json!({"username": "nobody", "password": "password-123"}),
    )
    .await;
    assert_eq!(
        (wrong_pw, unknown),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        body_pw, body_unknown,
        "same answer for unknown user and wrong password"
    );

    let (status, me) = get(&server, "/api/auth/me", &token).await;
    assert_eq!(
        (status, me["user"]["name"].as_str()),
        (StatusCode::OK, Some("Alice"))
    );
    let response = reqwest::Client::new()
        .post(server.http("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn closed_registration_answers_403() {
    let server = TestServer::start(&["--registration", "closed"]);
    let (status, body) = post(
        &server,
        "/api/auth/register",
        None,
        json!({"username": "alice", "password": "password-123"}),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
}

#[tokio::test]
async fn rooms_members_and_history() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let (status, body) = get(&server, "/api/rooms", "bad-token").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    let (status, rooms) = get(&server, "/api/rooms", &alice.token).await;
    assert_eq!(status, StatusCode::OK);
    let rooms: Vec<RoomInfo> = serde_json::from_value(rooms).unwrap();
    assert!(rooms.is_empty(), "a new user is in no room yet: {rooms:?}");
    let (_, directory) = get(&server, "/api/rooms/directory", &alice.token).await;
    assert_eq!(
        directory["rooms"][0]["id"], "general",
        "general exists on start"
    );

    let (status, room) = post(
        &server,
        "/api/rooms",
        Some(&alice.token),
        json!({"name": "ops", "kind": "private"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        room,
        json!({"id": "ops", "name": "ops", "kind": "private", "member": true,
               "latest_seq": 0, "last_read_seq": 0, "unread": 0, "mentions": 0, "muted": false,
               "notifications": "mentions", "archived": false, "role": "owner"})
    );
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&bob.token),
        json!({"name": "ops", "kind": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&bob.token),
        json!({"name": "Bad Name", "kind": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Private: invisible and unreadable to bob until the owner adds him.
    let (_, rooms) = get(&server, "/api/rooms", &bob.token).await;
    assert!(!rooms.as_array().unwrap().iter().any(|r| r["id"] == "ops"));
    let (status, _) = get(&server, "/api/rooms/ops/messages", &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &server,
        "/api/rooms/ops/members",
        Some(&bob.token),
        json!({"user": "bob"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "bob cannot add himself");
    let (status, added) = post(
        &server,
        "/api/rooms/ops/members",
        Some(&alice.token),
        json!({"user": "bob"}),
    )
    .await;
    assert_eq!(
        (status, added["user"]["name"].as_str()),
        (StatusCode::CREATED, Some("bob"))
    );
    let (status, _) = post(
        &server,
        "/api/rooms/ops/members",
        Some(&alice.token),
        json!({"user": "nobody"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, rooms) = get(&server, "/api/rooms", &bob.token).await;
    assert!(rooms
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "ops" && r["member"] == true));

    // History pages, oldest first.
    let mut ws = server.connect(&alice.token).await;
    ws.join("ops", None).await;
    for i in 1..=25 {
        ws.send_text("ops", &format!("m{i}")).await;
    }
    ws.next_matching(|f| matches!(f, ServerFrame::Ack { seq: 25, .. }))
        .await;
    let (_, page) = get(&server, "/api/rooms/ops/messages?limit=10", &bob.token).await;
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    assert_eq!(
        page.messages.iter().map(|m| m.seq()).collect::<Vec<_>>(),
        (16..=25).collect::<Vec<_>>()
    );
    let (_, page) = get(
        &server,
        "/api/rooms/ops/messages?before=16&limit=10",
        &bob.token,
    )
    .await;
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    assert_eq!(page.messages.first().map(|m| m.seq()), Some(6));
    // After a seq: the oldest entries after it, to open the room at a message.
    let (_, page) = get(
        &server,
        "/api/rooms/ops/messages?after=12&limit=3",
        &bob.token,
    )
    .await;
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    assert_eq!(
        (
            page.messages.iter().map(|m| m.seq()).collect::<Vec<_>>(),
            page.seq
        ),
        (vec![13, 14, 15], 25)
    );
    let (status, _) = get(
        &server,
        "/api/rooms/ops/messages?before=5&after=1",
        &bob.token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get(&server, "/api/rooms/ops/messages?limit=201", &bob.token).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "invalid")
    );
    let (status, _) = get(&server, "/api/rooms/ops/messages?before=abc", &bob.token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&server, "/api/rooms/nope/messages", &bob.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = TestServer::start(&[]);
    let health = reqwest::get(server.http("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(server.http("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let (_, mut alice) = server.user_in_general("alice").await;
    alice.send_text("general", "count me").await;
    alice
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    assert_eq!(server.metric("confab_connections_open").await, 1.0);
    assert_eq!(server.metric("confab_messages_stored_total").await, 1.0);
    assert!(server.metric("confab_fanout_seconds_count").await >= 1.0);
    let text = reqwest::get(server.http("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in ["confab_frames_in_total", "confab_frames_out_total"] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
}

#[tokio::test]
async fn direct_messages_are_for_their_two_users_only() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let carol = server.register("carol").await;
    let (status, dm) = post(
        &server,
        "/api/dms",
        Some(&alice.token),
        json!({"user": "bob"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (dm["kind"].as_str(), dm["name"].as_str()),
        (Some("direct"), Some("bob"))
    );
    let id = dm["id"].as_str().unwrap().to_string();
    let (_, again) = post(
        &server,
        "/api/dms",
        Some(&bob.token),
        json!({"user": "alice"}),
    )
    .await;
    assert_eq!(again["id"], id, "one room whichever of the two asks");
    let (status, _) = post(
        &server,
        "/api/dms",
        Some(&alice.token),
        json!({"user": "alice"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let listed = |token: String| {
        let server = &server;
        async move {
            let (_, rooms) = get(server, "/api/rooms", &token).await;
            let rooms: Vec<RoomInfo> = serde_json::from_value(rooms).unwrap();
            rooms
                .into_iter()
                .filter(|r| r.kind == protocol::RoomKind::Direct)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(bob.token.clone()).await[0].name,
        "alice",
        "named after the other one"
    );
    assert!(
        listed(carol.token.clone()).await.is_empty(),
        "invisible to a third user"
    );

    let mut a = server.connect(&alice.token).await;
    let mut b = server.connect(&bob.token).await;
    assert!(matches!(
        a.join(&id, None).await,
        ServerFrame::Joined { .. }
    ));
    assert!(matches!(
        b.join(&id, None).await,
        ServerFrame::Joined { .. }
    ));
    a.send_text(&id, "just between us").await;
    b.next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "just between us"))
        .await;

    // Carol: every path is refused, as if there were no such room (whether
    // two people talk privately is nobody else's business).
    let mut c = server.connect(&carol.token).await;
    let refused = |f: &ServerFrame| {
        matches!(
            f,
            ServerFrame::Error {
                code: protocol::ErrorCode::NotFound | protocol::ErrorCode::Forbidden,
                ..
            }
        )
    };
    let missing = |f: &ServerFrame| {
        matches!(
            f,
            ServerFrame::Error {
                code: protocol::ErrorCode::NotFound,
                ..
            }
        )
    };
    assert!(missing(&c.join(&id, None).await));
    c.send_text(&id, "hi?").await;
    c.next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    c.send_frame(protocol::ClientFrame::Typing { room: id.clone() }, None)
        .await;
    assert!(refused(
        &c.next_matching(|f| matches!(f, ServerFrame::Error { .. }))
            .await
    ));
    c.send_frame(
        protocol::ClientFrame::History {
            room: id.clone(),
            before: None,
            after: None,
            around: None,
            limit: None,
        },
        None,
    )
    .await;
    assert!(missing(
        &c.next_matching(|f| matches!(f, ServerFrame::Error { .. } | ServerFrame::History { .. }))
            .await
    ));
    let (status, _) = get(&server, &format!("/api/rooms/{id}/messages"), &carol.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &server,
        &format!("/api/rooms/{id}/members"),
        Some(&carol.token),
        json!({"user": "carol"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bob's history has the message; nothing reached carol.
    assert_eq!(server.history(&bob.token, &id).await.messages.len(), 1);
    c.send_frame(protocol::ClientFrame::Ping, Some("end")).await;
    loop {
        match c.next().await {
            ServerFrame::Pong { .. } => break,
            ServerFrame::Message(m) => panic!("carol received {}", m.body),
            _ => {}
        }
    }
}
