//! People (v3): profiles reaching other instances live, avatars re-encoded
//! (and bombs refused), the directory on both stores.

use std::time::Duration;

use protocol::ServerFrame;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::cluster;
use crate::common::postgres::TestDatabase;
use crate::common::uploads::{claimed_png, png};
use crate::common::TestServer;
use crate::common::{get, post, send_bytes};

/// A request with a JSON body (or none) and a bearer token: status and body.
async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn patch_me(server: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    send(
        server,
        reqwest::Method::PATCH,
        "/api/users/me",
        token,
        Some(body),
    )
    .await
}

async fn put_avatar(server: &TestServer, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let path = "/api/users/me/avatar";
    send_bytes(reqwest::Method::PUT, server, path, token, bytes).await
}

#[tokio::test]
async fn a_profile_change_reaches_a_client_on_the_other_instance() {
    let cluster = cluster().await;
    let alice = cluster.a.register("alice").await;
    let bob = cluster.b.register("bob").await;
    let mut bobs = cluster.b.connect(&bob.token).await;
    bobs.ping().await;
    let until = (time::OffsetDateTime::now_utc() + Duration::from_secs(3600))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, body) = patch_me(
        &cluster.a,
        &alice.token,
        json!({
            "display_name": "  Alice Liddell ",
            "title": "Head of Wonder",
            "timezone": "Europe/Berlin",
            "status": {"text": "In a meeting", "emoji": "📅", "until": until},
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "Alice Liddell", "trimmed");
    assert_eq!(body["status"]["text"], "In a meeting");
    let frame = tokio::time::timeout(
        Duration::from_secs(5),
        bobs.next_matching(|f| matches!(f, ServerFrame::UserUpdated { .. })),
    )
    .await
    .expect("user_updated on the other instance");
    let ServerFrame::UserUpdated { user } = frame else {
        unreachable!()
    };
    assert_eq!(user.id, alice.user.id);
    assert_eq!(user.display_name.as_deref(), Some("Alice Liddell"));
    assert_eq!(user.title.as_deref(), Some("Head of Wonder"));
    assert_eq!(user.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(user.status.unwrap().emoji.as_deref(), Some("📅"));

    // The other instance reads the same profile, by name or id.
    let (status, body) = get(&cluster.b, "/api/users/alice", &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["display_name"], "Alice Liddell");
    assert_eq!(body["bot"], false);
    assert_eq!(body["deactivated"], false);
    // null clears a field; absent ones stay.
    let (_, body) = patch_me(&cluster.a, &alice.token, json!({"title": null})).await;
    assert!(body.get("title").is_none(), "{body}");
    assert_eq!(body["display_name"], "Alice Liddell");
}

#[tokio::test]
async fn profile_fields_keep_their_rules() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let past = "2001-01-01T00:00:00Z";
    for (body, why) in [
        (json!({"display_name": "x".repeat(65)}), "65 characters"),
        (json!({"display_name": "a\u{202E}b"}), "a control character"),
        (
            json!({"timezone": "Mars/Olympus_Mons"}),
            "no such time zone",
        ),
        (json!({"title": "t".repeat(101)}), "a long title"),
        (
            json!({"status": {"text": "away", "until": past}}),
            "an until in the past",
        ),
        (
            json!({"status": {"text": "away", "emoji": "not one"}}),
            "an emoji that is not one",
        ),
    ] {
        let (status, answer) = patch_me(&server, &alice.token, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {answer}");
    }
    let (_, me) = get(&server, "/api/users/me", &alice.token).await;
    assert!(me.get("display_name").is_none(), "nothing was stored: {me}");
    // A read-only token changes nothing others see.
    let (status, token) = post(
        &server,
        "/api/tokens",
        Some(&alice.token),
        json!({"name": "reader", "read_only": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["token"].as_str().unwrap();
    let (status, _) = patch_me(&server, secret, json!({"display_name": "Eve"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_avatar_is_re_encoded_and_bombs_and_non_images_are_refused() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    // A picture with something hidden after its end.
    let mut upload = png(400, 300);
    upload.extend_from_slice(b"secret coordinates 48.8584,2.2945");
    let (status, body) = put_avatar(&server, &alice.token, upload.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let large = body["avatar_url"].as_str().unwrap().to_string();
    let small = body["avatar_small_url"].as_str().unwrap().to_string();
    let (_, profile) = get(&server, "/api/users/alice", &bob.token).await;
    assert_eq!(profile["avatar_url"], large.as_str());

    for (url, side) in [(&large, 256), (&small, 64)] {
        let response = reqwest::Client::new()
            .get(server.http(url))
            .bearer_auth(&bob.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        let etag = headers["etag"].to_str().unwrap().to_string();
        let bytes = response.bytes().await.unwrap();
        let image = image::load_from_memory(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), (side, side), "square");
        assert!(
            !bytes.windows(6).any(|w| w == b"secret"),
            "nothing of the upload is served"
        );
        // Asked again with the tag it has: 304, no body.
        let again = reqwest::Client::new()
            .get(server.http(url))
            .bearer_auth(&bob.token)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }

    let (status, body) = put_avatar(&server, &alice.token, claimed_png(100_000, 100_000)).await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a decompression bomb: {body}"
    );
    let (status, body) = put_avatar(&server, &alice.token, b"<svg onload=alert(1)>".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not an image: {body}");
    let (_, profile) = get(&server, "/api/users/me", &alice.token).await;
    assert_eq!(
        profile["avatar_url"],
        large.as_str(),
        "the refusals kept the avatar"
    );

    // Removed: the thumbnails are no longer served.
    let (status, _) = send(
        &server,
        reqwest::Method::DELETE,
        "/api/users/me/avatar",
        &alice.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&server, &large, &bob.token).await.0,
        StatusCode::NOT_FOUND
    );
}

/// The directory's answer to `q`.
async fn find(server: &TestServer, token: &str, q: &str) -> Value {
    get(server, &format!("/api/users?q={q}"), token).await.1
}

/// The directory's searches, on one store.
async fn directory_searches(args: &[&str]) {
    // `--admins root` makes root an admin when the server starts.
    let mut server = TestServer::start(&[&["--admins", "root"], args].concat());
    server.register("root").await;
    server.restart();
    let server = &server;
    let (status, root) = post(
        server,
        "/api/auth/login",
        None,
        json!({"username": "root", "password": "password-123"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{root}");
    let root_token = root["token"].as_str().unwrap().to_string();
    let alice = server.register("alice").await;
    server.register("Albert").await;
    server.register("bob").await;
    let mallory = server.register("mallory").await;
    let (status, _) = patch_me(server, &alice.token, json!({"display_name": "Zoë Adams"})).await;
    assert_eq!(status, StatusCode::OK);
    let names = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&find(server, &alice.token, "al").await),
        ["Albert", "alice"],
        "case-blind, by name"
    );
    assert_eq!(
        names(&find(server, &alice.token, "ZO%C3%8B").await),
        ["alice"],
        "display names, any case"
    );
    assert_eq!(names(&find(server, &alice.token, "zo").await), ["alice"]);
    assert_eq!(
        names(&find(server, &alice.token, "%40bo").await),
        ["bob"],
        "a leading @ is ignored"
    );
    assert_eq!(
        names(&find(server, &alice.token, "nobody").await),
        Vec::<String>::new()
    );
    let (_, everyone) = get(server, "/api/users?limit=2", &alice.token).await;
    assert_eq!(names(&everyone), ["Albert", "alice"], "limit");
    assert_eq!(
        get(server, "/api/users?limit=0", &alice.token).await.0,
        StatusCode::BAD_REQUEST
    );

    // Deactivated people leave the directory, unless asked for.
    let (status, _) = post(
        server,
        &format!("/api/admin/users/{}/disable", mallory.user.id),
        Some(&root_token),
        json!({}),
    )
    .await;
    assert!(status.is_success(), "{status}");
    assert!(names(&find(server, &alice.token, "mal").await).is_empty());
    let (_, found) = get(server, "/api/users?q=mal&deactivated=true", &alice.token).await;
    assert_eq!(names(&found), ["mallory"]);
    assert_eq!(found["users"][0]["deactivated"], true);

    // Profiles by id, for a client filling in the people on its screen.
    let ids = format!("{},{}", alice.user.id, mallory.user.id);
    let (_, listed) = get(server, &format!("/api/users?ids={ids}"), &alice.token).await;
    assert_eq!(listed["users"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(server, "/api/users?ids=not-an-id", &alice.token)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_directory_finds_people_by_name_or_display_name_on_both_stores() {
    directory_searches(&[]).await;
    let db = TestDatabase::create().await;
    directory_searches(&["--database-url", &db.url]).await;
}
