//! The security review of the v2 surface, attacked from outside: each test
//! is one way in (or a way to stay in after being put out) that the review
//! found, tried against real server processes. Webhooks and deactivation are
//! in `review_webhooks.rs`, the refresh token replayed inside its grace
//! period in `tokens.rs`, the SSO ones (linking with a token, the failure
//! page's words) against a real provider in `end2end/tests/oidc.spec.ts`.

use protocol::{ErrorCode, ServerFrame};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::uploads::{png, upload};
use crate::common::{add_member, create_room, delete, error_code, get, post, TestServer};

/// Starts a server whose admin is `root`, signed in.
async fn with_admin(args: &[&str]) -> (TestServer, protocol::AuthResponse) {
    let args: Vec<&str> = ["--admins", "root"].iter().chain(args).copied().collect();
    let mut server = TestServer::start(&args);
    let root = server.register("root").await;
    // --admins names accounts that exist when the server starts.
    server.restart();
    (server, root)
}

#[tokio::test]
async fn a_direct_room_answers_outsiders_exactly_as_a_missing_room_does() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    server.register("bob").await;
    let carol = server.register("carol").await;
    let mallory = server.register("mallory").await;
    let (status, dm) = post(
        &server,
        "/api/dms",
        Some(&alice.token),
        json!({"user": "bob"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let real = dm["id"].as_str().unwrap().to_string();
    // The id of a pair that never talked, made the way the real one is.
    let (_, never) = post(
        &server,
        "/api/dms",
        Some(&carol.token),
        json!({"user": "mallory"}),
    )
    .await;
    let absent = never["id"].as_str().unwrap().replace(
        &carol.user.id.to_string(),
        &uuid::Uuid::new_v4().to_string(),
    );

    let answer = |room: String| {
        let server = &server;
        let token = mallory.token.clone();
        async move {
            let (history, body) = get(server, &format!("/api/rooms/{room}/messages"), &token).await;
            let message = body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .replace(&room, "ROOM");
            let (members, _) = get(server, &format!("/api/rooms/{room}/members"), &token).await;
            let (sent, _) = post(
                server,
                &format!("/api/rooms/{room}/messages"),
                Some(&token),
                json!({"body": "hello?"}),
            )
            .await;
            let (read, _) = post(
                server,
                &format!("/api/rooms/{room}/read"),
                Some(&token),
                json!({"seq": 1}),
            )
            .await;
            let mut socket = server.connect(&token).await;
            let joined = match socket.join(&room, None).await {
                ServerFrame::Error { code, message, .. } => (code, message.replace(&room, "ROOM")),
                other => panic!("joined {other:?}"),
            };
            (history, message, members, sent, read, joined)
        }
    };
    let for_real = answer(real).await;
    assert_eq!(
        for_real,
        answer(absent).await,
        "nothing tells the two apart"
    );
    assert_eq!(for_real.0, StatusCode::NOT_FOUND);
    assert_eq!(for_real.5 .0, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_member_removed_while_joining_is_never_left_listening() {
    // Each join waits 500 ms between its access check and its subscription
    // (a debug build's test hook), so the removal lands in that window.
    let server = TestServer::start(&["--debug-join-pause-ms", "500"]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    create_room(&server, &alice.token, "ops", "private").await;
    add_member(&server, &alice.token, "ops", "bob").await;
    let mut owner = server.connect(&alice.token).await;
    owner.join("ops", None).await;
    let mut bob_socket = server.connect(&bob.token).await;
    let remove = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        delete(&server, "/api/rooms/ops/members/bob", &alice.token).await
    };
    let (joined, (removed, _)) = tokio::join!(bob_socket.join("ops", None), remove);
    assert_eq!(removed, StatusCode::NO_CONTENT);
    assert!(
        matches!(
            joined,
            ServerFrame::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "removed while joining: {joined:?}"
    );
    owner.send_text("ops", "after bob left").await;
    // Bob hears nothing said after his removal: a ping's pong comes after
    // anything queued before it.
    bob_socket
        .send_frame(protocol::ClientFrame::Ping, Some("end"))
        .await;
    loop {
        match bob_socket.next().await {
            ServerFrame::Pong { .. } => break,
            ServerFrame::Message(m) => panic!("bob heard {:?}", m.body),
            _ => {}
        }
    }
}

#[tokio::test]
async fn file_names_lose_bidi_overrides() {
    let server = TestServer::start(&[]);
    let (alice, _socket) = server.user_in_general("alice").await;
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "invoice%E2%80%AEgpj.exe",
        "application/octet-stream",
        b"MZ not really".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["name"], "invoicegpj.exe",
        "shown as it is, not as exe.jpg"
    );
}

/// A real PNG of `side`×`side` blank pixels, compressed as well as it gets.
fn blank_png(side: u32) -> Vec<u8> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    let pixels = vec![0u8; (side * side) as usize];
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, FilterType::NoFilter)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .unwrap();
    bytes
}

#[tokio::test]
async fn images_too_dense_for_their_size_are_refused_unread_and_others_are_not_held_up() {
    let server = TestServer::start(&[]);
    let (mallory, _m) = server.user_in_general("mallory").await;
    let (bob, _b) = server.user_in_general("bob").await;
    // 9 million pixels, under --max-image-pixels (40 million), in a few
    // kilobytes: hundreds of megabytes and seconds of decoding for nothing.
    let bomb = blank_png(3000);
    assert!(bomb.len() < 30_000, "{} bytes", bomb.len());
    let names: Vec<String> = (0..4).map(|n| format!("bomb{n}.png")).collect();
    let bombs = names.iter().map(|name| {
        upload(
            &server,
            &mallory.token,
            "general",
            name,
            "image/png",
            bomb.clone(),
        )
    });
    let ordinary = upload(
        &server,
        &bob.token,
        "general",
        "photo.png",
        "image/png",
        png(640, 480),
    );
    let (answers, (status, body)) = tokio::join!(futures_util::future::join_all(bombs), ordinary);
    assert_eq!(status, 201, "bob's upload goes through: {body}");
    for (status, body) in answers {
        assert_eq!((status, error_code(&body)), (413, "too_large"), "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("3000×3000"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn only_those_who_manage_a_room_put_others_in_it() {
    let (server, root) = with_admin(&[]).await;
    let alice = server.register("alice").await;
    let mallory = server.register("mallory").await;
    let path = "/api/rooms/general/members";
    // Forcing someone into a public room, to mention them there: refused.
    let (status, body) = post(
        &server,
        path,
        Some(&mallory.token),
        json!({"user": "alice"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, members) = get(&server, path, &alice.token).await;
    assert!(!members.to_string().contains("\"alice\""), "{members}");
    // Joining oneself is anyone's.
    let (status, _) = post(
        &server,
        path,
        Some(&mallory.token),
        json!({"user": "mallory"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // A room's owner, and an admin, add others.
    create_room(&server, &alice.token, "design", "public").await;
    add_member(&server, &alice.token, "design", "mallory").await;
    let (status, body) = post(&server, path, Some(&root.token), json!({"user": "alice"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A member of a private room is no manager of it.
    create_room(&server, &alice.token, "ops", "private").await;
    add_member(&server, &alice.token, "ops", "mallory").await;
    let (status, _) = post(
        &server,
        "/api/rooms/ops/members",
        Some(&mallory.token),
        json!({"user": "root"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn metrics_are_for_this_machine_unless_given_an_address() {
    let server = TestServer::start(&[]);
    let local = reqwest::get(server.http("/metrics")).await.unwrap();
    assert_eq!(local.status(), StatusCode::OK);
    // Through a proxy (which says whom it forwards), nothing.
    for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
        let proxied = reqwest::Client::new()
            .get(server.http("/metrics"))
            .header(header, "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(proxied.status(), StatusCode::NOT_FOUND, "{header}");
    }
}
