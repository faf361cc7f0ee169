//! What the house issue changed at the edges, against a real server: the
//! session a page asks for first (never an error status), the limits the
//! server tells its clients, and the rules the API description now states
//! (whole numbers written as floats, the largest `seq`, empty files,
//! passwords counted in characters, parameters a thread page does not take).

use crate::common::uploads::upload;
use crate::common::{get, post, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_session_answers_who_is_signed_in_and_the_servers_limits_without_an_error() {
    let server = TestServer::start(&["--max-body-chars", "1234", "--max-file-bytes", "5678"]);
    let signed_out = reqwest::get(server.http("/api/auth/session"))
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 200, "signed out is an answer");
    let body: serde_json::Value = signed_out.json().await.unwrap();
    assert_eq!(body["user"], serde_json::Value::Null);
    assert_eq!(body["limits"]["max_body_chars"], 1234);
    assert_eq!(body["limits"]["max_file_bytes"], 5678);

    let alice = server.register("alice").await;
    let (status, body) = get(&server, "/api/auth/session", &alice.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["name"], "alice");
    assert_eq!(body["limits"]["max_body_chars"], 1234);
    // A token that is not valid is the same as none.
    let (status, body) = get(&server, "/api/auth/session", "not-a-token").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"], serde_json::Value::Null);
    // /api/auth/me keeps its 401 for clients that want one.
    assert_eq!(
        get(&server, "/api/auth/me", "not-a-token").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_rules_the_api_description_states_hold() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let token = Some(alice.token.as_str());
    let (status, _) = post(
        &server,
        "/api/rooms/general/members",
        token,
        json!({ "user": "alice" }),
    )
    .await;
    assert!(status.is_success(), "{status}");
    // 3.0 is the integer 3 (JSON Schema's reading); 3.5 is not.
    let read = |seq: serde_json::Value| {
        post(
            &server,
            "/api/rooms/general/read",
            token,
            json!({ "seq": seq }),
        )
    };
    assert_eq!(read(json!(3.0)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(read(json!(3.5)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        read(json!(9_223_372_036_854_775_808_u64)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "past the largest seq"
    );
    let (status, body) = post(
        &server,
        "/api/tokens",
        token,
        json!({ "name": "ci", "expires_in_days": 30.0 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = get(
        &server,
        "/api/rooms/general/messages?before=9223372036854775808",
        &alice.token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A thread page takes before and limit, nothing else.
    let (status, _) = get(
        &server,
        "/api/rooms/general/threads/00000000-0000-0000-0000-000000000001?after=1",
        &alice.token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // An empty file is refused; one byte is a file.
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "empty.txt",
        "text/plain",
        Vec::new(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("empty"));
    assert_eq!(
        upload(
            &server,
            &alice.token,
            "general",
            "one.txt",
            "text/plain",
            b"x".to_vec()
        )
        .await
        .0,
        201
    );

    // Passwords are counted in characters: eight of them, of any kind, will do.
    let (status, body) = post(
        &server,
        "/api/auth/register",
        None,
        json!({ "username": "zoe", "password": "ääääääää" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post(
        &server,
        "/api/auth/register",
        None,
        json!({ "username": "yan", "password": "äääää" }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "10 bytes, but 5 characters"
    );
}
