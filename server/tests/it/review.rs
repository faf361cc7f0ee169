//! The security review of the v2 surface, attacked from outside: each test
//! is one way in (or a way to stay in after being put out) that the review
//! found, tried against real server processes. The refresh token replayed
//! inside its grace period is in `tokens.rs`, the SSO ones (linking with a
//! token, the failure page's words) against a real provider in
//! `end2end/tests/oidc.spec.ts`.

use app::protocol::{close_code, ErrorCode, ServerFrame};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::cluster_with;
use crate::common::uploads::{png, upload};
use crate::common::{add_member, create_room, delete, error_code, get, post, TestServer};

/// Makes a webhook in `room` as `token`'s user; answers the status and body.
async fn make_webhook(
    server: &TestServer,
    token: &str,
    room: &str,
    name: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/rooms/{room}/webhooks");
    post(server, &path, Some(token), json!({ "name": name })).await
}

/// A webhook's URL, made by `token`'s user in `room`.
async fn webhook_url(server: &TestServer, token: &str, room: &str, name: &str) -> String {
    let (status, body) = make_webhook(server, token, room, name).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["url"].as_str().unwrap().to_string()
}

/// Posts `text` through the webhook at `url`.
async fn hook(server: &TestServer, url: &str, text: &str) -> (StatusCode, Value) {
    post(server, url, None, json!({ "text": text })).await
}

/// Starts a server whose admin is `root`, signed in.
async fn with_admin(args: &[&str]) -> (TestServer, app::protocol::AuthResponse) {
    let args: Vec<&str> = ["--admins", "root"].iter().chain(args).copied().collect();
    let mut server = TestServer::start(&args);
    let root = server.register("root").await;
    // --admins names accounts that exist when the server starts.
    server.restart();
    (server, root)
}

#[tokio::test]
async fn a_webhook_stops_when_its_maker_leaves_or_is_removed_from_the_room() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    create_room(&server, &alice.token, "ops", "private").await;
    add_member(&server, &alice.token, "ops", "bob").await;
    let ops_hook = webhook_url(&server, &bob.token, "ops", "bobs-ci").await;
    assert_eq!(
        hook(&server, &ops_hook, "while a member").await.0,
        StatusCode::OK
    );

    // Removed from the room, bob can no longer write there through it.
    let (status, _) = delete(&server, "/api/rooms/ops/members/bob", &alice.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = hook(&server, &ops_hook, "@alice still here").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let page = server.history(&alice.token, "ops").await;
    assert_eq!(page.messages.len(), 1, "nothing stored after the removal");

    // Leaving a public room silences his webhook there too.
    let mut socket = server.connect(&bob.token).await;
    socket.join("general", None).await;
    let general_hook = webhook_url(&server, &bob.token, "general", "bobs-feed").await;
    assert_eq!(hook(&server, &general_hook, "news").await.0, StatusCode::OK);
    let (status, _) = delete(&server, "/api/rooms/general/members/bob", &bob.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        hook(&server, &general_hook, "still news").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn deactivating_a_user_ends_their_bots_tokens_and_webhooks_on_every_instance() {
    let mut c = cluster_with(&["--admins", "root"]).await;
    let root = c.a.register("root").await;
    let mallory = c.a.register("mallory").await;
    c.a.restart();
    let (status, _) = post(
        &c.a,
        "/api/bots",
        Some(&mallory.token),
        json!({"name": "imp"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, made) = post(
        &c.a,
        "/api/tokens",
        Some(&mallory.token),
        json!({"name": "imp's", "bot": "imp"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let bot_token = made["token"].as_str().unwrap().to_string();
    let mut bot_socket = c.b.connect(&bot_token).await;
    bot_socket.join("general", None).await;
    let mut socket = c.a.connect(&mallory.token).await;
    socket.join("general", None).await;
    let url = webhook_url(&c.a, &mallory.token, "general", "mallorys").await;
    assert_eq!(hook(&c.b, &url, "before").await.0, StatusCode::OK);

    let (status, _) = post(
        &c.a,
        "/api/admin/users/mallory/disable",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        bot_socket.close_code().await,
        Some(close_code::TOKEN_EXPIRED)
    );
    for server in [&c.a, &c.b] {
        assert_eq!(
            get(server, "/api/rooms", &bot_token).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(hook(server, &url, "after").await.0, StatusCode::FORBIDDEN);
    }

    // Enabling gives back the account, not those.
    let (status, _) = post(
        &c.a,
        "/api/admin/users/mallory/enable",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&c.b, "/api/rooms", &bot_token).await.0,
        StatusCode::UNAUTHORIZED
    );
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
async fn webhooks_are_for_members_few_per_maker_and_slow_and_their_names_come_back() {
    let server = TestServer::start(&["--user-rate-burst", "40", "--user-rate-per-sec", "0.01"]);
    let alice = server.register("alice").await;
    // Reading a public room is not belonging to it.
    let (status, body) = make_webhook(&server, &alice.token, "general", "early").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = get(&server, "/api/rooms/general/webhooks", &alice.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor is listing its webhooks");
    let mut socket = server.connect(&alice.token).await;
    socket.join("general", None).await;

    // A webhook's own allowance is far below a person's.
    let url = webhook_url(&server, &alice.token, "general", "noisy").await;
    let mut refused = None;
    for n in 0..40 {
        let (status, _) = hook(&server, &url, &format!("post {n}")).await;
        if status != StatusCode::OK {
            refused = Some((n, status));
            break;
        }
    }
    assert_eq!(
        refused,
        Some((30, StatusCode::TOO_MANY_REQUESTS)),
        "30 a minute"
    );
    // And every post took the maker's allowance too: 40 less 30 is 10 left.
    let mut left = 0;
    loop {
        let (status, _) = post(
            &server,
            "/api/rooms/general/messages",
            Some(&alice.token),
            json!({"body": format!("mine {left}")}),
        )
        .await;
        if status != StatusCode::CREATED {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            break;
        }
        left += 1;
        assert!(left <= 40, "the webhook's posts cost alice nothing");
    }
    assert!(
        left <= 10,
        "alice had {left} messages left after her webhook's 30"
    );

    // At most ten per maker, however many rooms.
    for n in 1..10 {
        webhook_url(&server, &alice.token, "general", &format!("hook{n}")).await;
    }
    let (status, body) = make_webhook(&server, &alice.token, "general", "eleventh").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A deleted webhook's name is free again.
    let (_, list) = get(&server, "/api/rooms/general/webhooks", &alice.token).await;
    let noisy = list["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "noisy")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = delete(
        &server,
        &format!("/api/rooms/general/webhooks/{noisy}"),
        &alice.token,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = make_webhook(&server, &alice.token, "general", "noisy").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
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
        .send_frame(app::protocol::ClientFrame::Ping, Some("end"))
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
