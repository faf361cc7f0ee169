//! The HTTP API against the real server: accounts, rooms, history, health.

mod common;

use app::protocol::{MessagesPage, RoomInfo, ServerFrame};
use common::{error_code, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(server.http(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(server: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(server.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

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
    assert!(
        rooms.iter().any(|r| r.id == "general"),
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
        json!({"id": "ops", "name": "ops", "kind": "private", "member": true})
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
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (16..=25).collect::<Vec<_>>()
    );
    let (_, page) = get(
        &server,
        "/api/rooms/ops/messages?before=16&limit=10",
        &bob.token,
    )
    .await;
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    assert_eq!(page.messages.first().map(|m| m.seq), Some(6));
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
async fn cookie_writes_from_another_origin_are_refused() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let cookie = format!("confab_session={}", alice.token);
    let attempt = |origin: &'static str| {
        reqwest::Client::new()
            .post(server.http("/api/rooms"))
            .header("Cookie", cookie.clone())
            .header("Origin", origin)
            .json(&json!({"name": "csrf", "kind": "public"}))
            .send()
    };
    assert_eq!(attempt("http://evil.example").await.unwrap().status(), 403);
    let own = Box::leak(format!("http://{}", server.addr).into_boxed_str());
    assert_eq!(attempt(own).await.unwrap().status(), 201);
}

#[tokio::test]
async fn security_headers_on_every_response_and_a_nonce_csp_on_the_page() {
    let server = TestServer::start(&[]);
    for path in ["/healthz", "/api/rooms", "/api/auth/me", "/no-such-page"] {
        let response = reqwest::get(server.http(path)).await.unwrap();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    let page = reqwest::get(server.http("/")).await.unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's CSP carries a nonce");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the CSP's nonce"
    );
    // Every response gets a fresh nonce.
    let again = reqwest::get(server.http("/")).await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(nonce));
}

#[tokio::test]
async fn failed_logins_are_throttled_per_name_and_per_address() {
    let server = TestServer::start(&[]);
    server.register("alice").await;
    server.register("bob").await;
    let login = |name: &str, password: &str| {
        post(
            &server,
            "/api/auth/login",
            None,
            json!({"username": name, "password": password}),
        )
    };
    for _ in 0..5 {
        assert_eq!(
            login("alice", "wrong-password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = login("alice", "password-123").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "even the right password, once the name is locked"
    );
    assert_eq!(
        login("bob", "password-123").await.0,
        StatusCode::OK,
        "other names are not"
    );
    // Spread over many names, failures lock the address (20 in all).
    for i in 0..15 {
        login(&format!("nobody{i}"), "wrong-password").await;
    }
    let (status, _) = login("bob", "password-123").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked"
    );
}

#[tokio::test]
async fn logout_revokes_that_token_and_closes_its_sockets_only() {
    let server = TestServer::start(&[]);
    let first = server.register("alice").await;
    let (_, second) = post(
        &server,
        "/api/auth/login",
        None,
        json!({"username": "alice", "password": "password-123"}),
    )
    .await;
    let second = second["token"].as_str().unwrap().to_string();
    let mut first_socket = server.connect(&first.token).await;
    let mut second_socket = server.connect(&second).await;
    let response = reqwest::Client::new()
        .post(server.http("/api/auth/logout"))
        .bearer_auth(&first.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        first_socket.close_code().await,
        Some(app::protocol::close_code::TOKEN_EXPIRED)
    );
    assert_eq!(
        get(&server, "/api/rooms", &first.token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&server, "/api/rooms", &second).await.0,
        StatusCode::OK,
        "other sessions live on"
    );
    second_socket
        .send_frame(app::protocol::ClientFrame::Ping, None)
        .await;
    second_socket
        .next_matching(|f| matches!(f, ServerFrame::Pong { .. }))
        .await;
    // A revoked token cannot open a socket either.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            server.ws_url(),
        )
        .unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", first.token).parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn admins_disable_accounts_which_closes_their_sockets_and_refuses_them() {
    let server = TestServer::start(&["--admins", "root"]);
    let root = server.register("root").await;
    let mallory = server.register("mallory").await;
    let mut socket = server.connect(&mallory.token).await;
    let (status, _) = post(
        &server,
        "/api/admin/users/root/disable",
        Some(&mallory.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
    let (status, _) = post(
        &server,
        "/api/admin/users/mallory/disable",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        socket.close_code().await,
        Some(app::protocol::close_code::TOKEN_EXPIRED)
    );
    assert_eq!(
        get(&server, "/api/rooms", &mallory.token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let creds = json!({"username": "mallory", "password": "password-123"});
    let (status, body) = post(&server, "/api/auth/login", None, creds.clone()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _) = post(
        &server,
        "/api/admin/users/mallory/enable",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        post(&server, "/api/auth/login", None, creds).await.0,
        StatusCode::OK
    );
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
                .filter(|r| r.kind == app::protocol::RoomKind::Direct)
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

    // Carol: every path is refused.
    let mut c = server.connect(&carol.token).await;
    let forbidden = |f: &ServerFrame| {
        matches!(
            f,
            ServerFrame::Error {
                code: app::protocol::ErrorCode::Forbidden,
                ..
            }
        )
    };
    assert!(forbidden(&c.join(&id, None).await));
    c.send_text(&id, "hi?").await;
    c.next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    c.send_frame(
        app::protocol::ClientFrame::Typing { room: id.clone() },
        None,
    )
    .await;
    assert!(forbidden(
        &c.next_matching(|f| matches!(f, ServerFrame::Error { .. }))
            .await
    ));
    c.send_frame(
        app::protocol::ClientFrame::History {
            room: id.clone(),
            before: None,
            limit: None,
        },
        None,
    )
    .await;
    assert!(forbidden(
        &c.next_matching(|f| matches!(f, ServerFrame::Error { .. } | ServerFrame::History { .. }))
            .await
    ));
    let (status, _) = get(&server, &format!("/api/rooms/{id}/messages"), &carol.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &server,
        &format!("/api/rooms/{id}/members"),
        Some(&carol.token),
        json!({"user": "carol"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bob's history has the message; nothing reached carol.
    assert_eq!(server.history(&bob.token, &id).await.messages.len(), 1);
    c.send_frame(app::protocol::ClientFrame::Ping, Some("end"))
        .await;
    loop {
        match c.next().await {
            ServerFrame::Pong { .. } => break,
            ServerFrame::Message(m) => panic!("carol received {}", m.body),
            _ => {}
        }
    }
}

#[tokio::test]
async fn invite_only_registration_takes_single_use_codes_from_admins() {
    // The admin registers while registration is open; then the same database
    // is served invite-only.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("shared.db").display());
    let common = ["--admins", "root", "--database-url", &db];
    let open = TestServer::start(&common);
    open.register("root").await;
    drop(open);
    let server = TestServer::start(&[&common[..], &["--registration", "invite"]].concat());
    let register = |body: Value| post(&server, "/api/auth/register", None, body);
    let (status, body) = register(json!({"username": "carol", "password": "password-123"})).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "no code"
    );
    let (status, _) =
        register(json!({"username": "carol", "password": "password-123", "invite": "made-up"}))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "unknown code");

    let login = |name: &'static str| {
        post(
            &server,
            "/api/auth/login",
            None,
            json!({"username": name, "password": "password-123"}),
        )
    };
    let root = login("root").await.1["token"].as_str().unwrap().to_string();
    let (status, made) = post(&server, "/api/admin/invites", Some(&root), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let code = made["code"].as_str().unwrap().to_string();
    let (status, _) =
        register(json!({"username": "root", "password": "password-123", "invite": code})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a failed registration...");
    let (status, _) =
        register(json!({"username": "carol", "password": "password-123", "invite": code})).await;
    assert_eq!(status, StatusCode::CREATED, "...does not use the code up");
    let (status, _) =
        register(json!({"username": "dave", "password": "password-123", "invite": code})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "single use");
    let carol = login("carol").await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = post(&server, "/api/admin/invites", Some(&carol), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
}
