//! Personal access tokens, bot accounts and incoming webhooks against real
//! servers: what a token's scope allows on HTTP and on the socket, revoking
//! one (refused everywhere, its sockets closed with 4001 on the other
//! instance too), and a webhook post stored once and delivered once on both
//! instances even when retried with the same key on each.

use protocol::{close_code, ClientFrame, ErrorCode, ServerFrame};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::two_instances;
use crate::common::{add_member, create_room, delete, error_code, get, post, Client, TestServer};

/// Makes a token as `jwt`'s user; answers the secret and the listed fields.
async fn make_token(server: &TestServer, jwt: &str, request: Value) -> (String, Value) {
    let (status, body) = post(server, "/api/tokens", Some(jwt), request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["token"].as_str().unwrap().to_string();
    (secret, body)
}

/// A message posted over HTTP: the status and the body.
async fn post_message(
    server: &TestServer,
    token: &str,
    room: &str,
    body: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/rooms/{room}/messages");
    post(server, &path, Some(token), json!({ "body": body })).await
}

fn bodies(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_read_only_token_reads_history_but_cannot_send() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let (status, _) = post_message(&server, &alice.token, "general", "hello from alice").await;
    assert_eq!(status, StatusCode::CREATED);

    let (reader, created) = make_token(
        &server,
        &alice.token,
        json!({"name": "dashboard", "read_only": true}),
    )
    .await;
    assert!(reader.starts_with("cfb_") && reader.len() == 68, "{reader}");
    assert_eq!(created["read_only"], true);
    assert_eq!(created["user"]["name"], "alice");

    // HTTP: reads, does not write.
    let (status, page) = get(&server, "/api/rooms/general/messages", &reader).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(bodies(&page), ["hello from alice"]);
    let (status, body) = post_message(&server, &reader, "general", "from the reader").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&reader),
        json!({"name": "x", "kind": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token does not make or list tokens.
    let (status, _) = get(&server, "/api/tokens", &reader).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The socket: joins and reads history; a send is refused, nothing stored.
    let mut socket = server.connect(&reader).await;
    assert!(matches!(
        socket.join("general", None).await,
        ServerFrame::Joined { .. }
    ));
    socket
        .send_frame(
            ClientFrame::History {
                room: "general".into(),
                before: None,
                after: None,
                around: None,
                limit: None,
            },
            Some("h"),
        )
        .await;
    let history = socket
        .next_matching(|f| matches!(f, ServerFrame::History { .. }))
        .await;
    let ServerFrame::History { messages, .. } = history else {
        unreachable!()
    };
    assert_eq!(messages.len(), 1);
    socket.send_text("general", "sneaky").await;
    let refused = socket
        .next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    assert!(
        matches!(
            refused,
            ServerFrame::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{refused:?}"
    );
    let (_, page) = get(&server, "/api/rooms/general/messages", &alice.token).await;
    assert_eq!(bodies(&page), ["hello from alice"], "nothing stored");

    // The list shows it, without its secret.
    let (status, list) = get(&server, "/api/tokens", &alice.token).await;
    assert_eq!(status, StatusCode::OK);
    let listed = &list["tokens"][0];
    assert_eq!(listed["name"], "dashboard");
    assert!(reader.starts_with(listed["prefix"].as_str().unwrap()));
    assert!(
        !list.to_string().contains(&reader),
        "the secret is never listed"
    );
    assert!(
        listed["last_used_ts"].is_string(),
        "its use is recorded: {listed}"
    );

    // A full token writes, and a resent client_msg_id is stored once.
    let (writer, _) = make_token(&server, &alice.token, json!({"name": "script"})).await;
    let id = uuid::Uuid::new_v4();
    let send = json!({"body": "from the script", "client_msg_id": id});
    let (first, one) = post(
        &server,
        "/api/rooms/general/messages",
        Some(&writer),
        send.clone(),
    )
    .await;
    let (again, two) = post(&server, "/api/rooms/general/messages", Some(&writer), send).await;
    assert_eq!((first, again), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(one["seq"], two["seq"]);
    assert_eq!(one["author"]["name"], "alice");
}

#[tokio::test]
async fn a_one_room_token_reaches_only_its_room() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    create_room(&server, &alice.token, "builds", "private").await;
    let (token, _) = make_token(
        &server,
        &alice.token,
        json!({"name": "ci", "room": "builds"}),
    )
    .await;

    let (_, rooms) = get(&server, "/api/rooms", &token).await;
    let names: Vec<&str> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["builds"]);
    let (status, _) = post_message(&server, &token, "builds", "green").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = get(&server, "/api/rooms/general/messages", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post_message(&server, &token, "general", "elsewhere").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut socket = server.connect(&token).await;
    assert!(matches!(
        socket.join("general", None).await,
        ServerFrame::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    assert!(matches!(
        socket.join("builds", None).await,
        ServerFrame::Joined { .. }
    ));
    // Its socket hears nothing of the user's other rooms: news from general
    // (where a sign-in of hers is a member) never reaches it, builds' does.
    let mut session = server.connect(&alice.token).await;
    session.join("general", None).await;
    let (status, _) = post_message(&server, &alice.token, "general", "elsewhere").await;
    assert_eq!(status, StatusCode::CREATED);
    session
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "elsewhere"))
        .await;
    let (status, _) = post_message(&server, &token, "builds", "here").await;
    assert_eq!(status, StatusCode::CREATED);
    let next = socket
        .next_matching(|f| !matches!(f, ServerFrame::Online { .. } | ServerFrame::Presence { .. }))
        .await;
    assert!(
        matches!(&next, ServerFrame::Message(m) if m.body == "here"),
        "{next:?}"
    );

    // A token for a room its user cannot read is not made.
    let bob = server.register("bob").await;
    let (status, _) = post(
        &server,
        "/api/tokens",
        Some(&bob.token),
        json!({"name": "x", "room": "builds"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_its_sockets_close_on_every_instance() {
    let (a, b, _db) = two_instances("redis://127.0.0.1:6379", &[]).await;
    let alice = a.register("alice").await;
    let (token, created) = make_token(&a, &alice.token, json!({"name": "bridge"})).await;
    let mut on_b = b.connect(&token).await;
    on_b.join("general", None).await;
    let mut on_a = a.connect(&token).await;
    on_a.join("general", None).await;
    // Another sign-in of the same user is not touched.
    let mut session = b.connect(&alice.token).await;
    session.join("general", None).await;

    let path = format!("/api/tokens/{}", created["id"].as_str().unwrap());
    let (status, _) = delete(&a, &path, &alice.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    assert_eq!(on_b.close_code().await, Some(close_code::TOKEN_EXPIRED));
    assert_eq!(on_a.close_code().await, Some(close_code::TOKEN_EXPIRED));
    for server in [&a, &b] {
        let (status, body) = get(server, "/api/auth/me", &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(server.try_connect(&token).await.err(), Some(401));
    }
    let (_, list) = get(&a, "/api/tokens", &alice.token).await;
    assert_eq!(list["tokens"], json!([]));
    let (status, _) = delete(&a, &path, &alice.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "revoked once");
    session.ping().await;
}

#[tokio::test]
async fn bots_speak_through_their_owners_tokens_and_stop_when_deleted() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let (status, bot) = post(
        &server,
        "/api/bots",
        Some(&alice.token),
        json!({"name": "helper"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    let (status, _) = post(
        &server,
        "/api/bots",
        Some(&alice.token),
        json!({"name": "alice"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A bot has no password to sign in with.
    let (status, _) = post(
        &server,
        "/api/auth/login",
        None,
        json!({"username": "helper", "password": "!"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Only its owner makes its tokens.
    let bob = server.register("bob").await;
    let (status, _) = post(
        &server,
        "/api/tokens",
        Some(&bob.token),
        json!({"name": "x", "bot": "helper"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (token, created) = make_token(
        &server,
        &alice.token,
        json!({"name": "helper's", "bot": "helper"}),
    )
    .await;
    assert_eq!(created["user"]["name"], "helper");
    let (status, message) = post_message(&server, &token, "general", "beep").await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["author"]["name"], "helper");
    let (_, bots) = get(&server, "/api/bots", &alice.token).await;
    assert_eq!(bots["bots"][0]["name"], "helper");

    let (status, _) = delete(&server, "/api/bots/helper", &alice.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&server, "/api/rooms", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, bots) = get(&server, "/api/bots", &alice.token).await;
    assert_eq!(bots["bots"], json!([]));
}

/// Posts to a webhook URL with an optional `Idempotency-Key`.
async fn hook(
    server: &TestServer,
    url: &str,
    body: Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(server.http(url)).json(&body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The bodies of the `message` frames a client receives until `last` arrives.
async fn messages_until(client: &mut Client, last: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        if let ServerFrame::Message(m) = client.next().await {
            seen.push(m.body.clone());
            if m.body == last {
                return seen;
            }
        }
    }
}

#[tokio::test]
async fn a_webhook_post_appears_once_on_both_instances_even_when_retried() {
    let (a, b, _db) = two_instances("redis://127.0.0.1:6379", &[]).await;
    let alice = a.register("alice").await;
    // Webhooks are made by a room's members.
    add_member(&a, &alice.token, "general", "alice").await;
    let (status, created) = post(
        &a,
        "/api/rooms/general/webhooks",
        Some(&alice.token),
        json!({"name": "ci"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let url = created["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/api/hooks/cfh_"), "{url}");

    let bob = b.register("bob").await;
    let mut on_b = b.connect(&bob.token).await;
    on_b.join("general", None).await;
    let mut on_a = a.connect(&alice.token).await;
    on_a.join("general", None).await;

    // Slack's shape, retried with the same key on each instance.
    let slack = json!({"text": "build 41 passed", "username": "Jenkins", "icon_emoji": ":tada:"});
    let (s1, first) = hook(&a, &url, slack.clone(), Some("build-41")).await;
    let (s2, second) = hook(&b, &url, slack.clone(), Some("build-41")).await;
    let (s3, third) = hook(&a, &url, slack, Some("build-41")).await;
    assert_eq!(
        (s1, s2, s3),
        (StatusCode::OK, StatusCode::OK, StatusCode::OK),
        "{first} {second}"
    );
    assert_eq!(first["ok"], true);
    assert_eq!(first["seq"], second["seq"]);
    assert_eq!(first["id"], third["id"]);
    // Without a key, each post is new; in order after the first.
    let (status, next) = hook(&b, &url, json!({"text": "build 42 passed"}), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(next["seq"].as_u64(), first["seq"].as_u64().map(|s| s + 1));

    for client in [&mut on_a, &mut on_b] {
        assert_eq!(
            messages_until(client, "build 42 passed").await,
            ["build 41 passed", "build 42 passed"],
            "each once, in order"
        );
    }
    let (_, page) = get(&a, "/api/rooms/general/messages", &alice.token).await;
    let posted: Vec<&Value> = page["messages"].as_array().unwrap().iter().collect();
    assert_eq!(posted.len(), 2);
    assert!(posted.iter().all(|m| m["author"]["name"] == "ci"), "{page}");

    // Its bot is the webhook's: not among its maker's bots, no tokens for it.
    let (_, bots) = get(&a, "/api/bots", &alice.token).await;
    assert_eq!(bots["bots"], json!([]));
    let ci_token = json!({"name": "x", "bot": "ci"});
    let (status, _) = post(&a, "/api/tokens", Some(&alice.token), ci_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Members list the webhook (no URL); a bad secret or body is refused.
    let (_, list) = get(&b, "/api/rooms/general/webhooks", &bob.token).await;
    assert_eq!(list["webhooks"][0]["name"], "ci");
    assert!(!list.to_string().contains(&url));
    let (status, _) = hook(&a, "/api/hooks/cfh_nope", json!({"text": "x"}), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = hook(&a, &url, json!({"blocks": []}), None).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(error_code(&body), "invalid");

    // Bob did not make it and does not own the room: he cannot delete it.
    let hook_path = format!(
        "/api/rooms/general/webhooks/{}",
        created["id"].as_str().unwrap()
    );
    let (status, _) = delete(&b, &hook_path, &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = delete(&b, &hook_path, &alice.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = hook(&a, &url, json!({"text": "after"}), Some("k")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
