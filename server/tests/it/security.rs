//! Security against the real server: CSRF, headers and CSP, login throttling,
//! token revocation, disabled accounts, invite-only registration.

use crate::common::{error_code, get, post, TestServer};
use protocol::ServerFrame;
use reqwest::StatusCode;
use serde_json::{json, Value};

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
async fn logout_ends_that_session_and_closes_its_sockets_only() {
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
    assert_eq!(server.logout(&first.token).await, 204);
    assert_eq!(
        first_socket.close_code().await,
        Some(protocol::close_code::TOKEN_EXPIRED)
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
        .send_frame(protocol::ClientFrame::Ping, None)
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
async fn a_name_in_admins_registered_while_the_server_runs_is_no_admin() {
    // The attack: an admin name not taken yet, open sign-up; whoever
    // registers it first must not get an admin's powers.
    let server = TestServer::start(&["--admins", "root,Ops"]);
    for name in ["root", "ops"] {
        let squatter = server.register(name).await;
        let (status, _) = post(
            &server,
            "/api/admin/invites",
            Some(&squatter.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name} is no admin");
        let (status, _) = post(
            &server,
            "/api/admin/users/root/disable",
            Some(&squatter.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn admins_disable_accounts_which_closes_their_sockets_and_refuses_them() {
    let mut server = TestServer::start(&["--admins", "root"]);
    let root = server.register("root").await;
    let mallory = server.register("mallory").await;
    // --admins names accounts that exist when the server starts.
    server.restart();
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
        Some(protocol::close_code::TOKEN_EXPIRED)
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
