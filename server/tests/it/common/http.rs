//! The JSON API as the tests call it: requests with a bearer token, and the
//! room setup most tests start with.

use serde_json::Value;

use super::TestServer;

/// POSTs JSON (with a bearer token, if given); answers the status and JSON body.
pub async fn post(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut request = reqwest::Client::new().post(server.http(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// PUTs JSON with a bearer token: the status and JSON body.
pub async fn put(
    server: &TestServer,
    path: &str,
    token: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    with_body(reqwest::Method::PUT, server, path, token, body).await
}

/// PATCHes JSON with a bearer token: the status and JSON body.
pub async fn patch(
    server: &TestServer,
    path: &str,
    token: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    with_body(reqwest::Method::PATCH, server, path, token, body).await
}

/// Sends bytes (`application/octet-stream`) with a bearer token: the
/// status and JSON body.
pub async fn send_bytes(
    method: reqwest::Method,
    server: &TestServer,
    path: &str,
    token: &str,
    bytes: Vec<u8>,
) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token)
        .header("Content-Type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn with_body(
    method: reqwest::Method,
    server: &TestServer,
    path: &str,
    token: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get(
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    bodyless(reqwest::Method::GET, server, path, token).await
}

pub async fn delete(
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    bodyless(reqwest::Method::DELETE, server, path, token).await
}

/// A request without a body, with a bearer token: the status and JSON body.
async fn bodyless(
    method: reqwest::Method,
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// Creates a room (the caller owns it).
pub async fn create_room(server: &TestServer, token: &str, name: &str, kind: &str) {
    let (status, body) = post(
        server,
        "/api/rooms",
        Some(token),
        serde_json::json!({"name": name, "kind": kind}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// Adds `user` to `room` as `token`'s user.
pub async fn add_member(server: &TestServer, token: &str, room: &str, user: &str) {
    let path = format!("/api/rooms/{room}/members");
    let (status, body) = post(
        server,
        &path,
        Some(token),
        serde_json::json!({ "user": user }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// JSON of an HTTP error body's `code`.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}
