//! Tokens against the real server: every kind of bad access token is refused at
//! the upgrade and over HTTP; refresh tokens rotate, and one used twice ends its
//! session everywhere; sockets close with 4001 when their token expires.

use crate::common::{get, post, TestServer};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use protocol::close_code;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The claims of a token the server issued (its payload, not verified here).
fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn sign(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// Whether `token` gets in: over HTTP, and at the upgrade.
async fn accepted(server: &TestServer, token: &str) -> (bool, bool) {
    let http = get(server, "/api/rooms", token).await.0;
    let upgrade = server.try_connect(token).await;
    assert!(
        matches!(http, StatusCode::OK | StatusCode::UNAUTHORIZED),
        "{http}"
    );
    if let Err(status) = &upgrade {
        assert_eq!(*status, 401);
    }
    (http == StatusCode::OK, upgrade.is_ok())
}

#[tokio::test]
async fn expired_forged_wrong_algorithm_unsigned_and_revoked_tokens_are_refused_everywhere() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let secret = std::fs::read_to_string(server.data.path().join("jwt-secret")).unwrap();
    let secret = secret.trim().as_bytes();
    let claims = claims_of(&alice.token);
    assert_eq!(
        accepted(&server, &alice.token).await,
        (true, true),
        "the real token"
    );
    assert_eq!(
        accepted(&server, &sign(&claims, Algorithm::HS256, secret)).await,
        (true, true),
        "the same claims, signed the same way"
    );

    let mut expired = claims.clone();
    expired["exp"] = json!(expired["iat"].as_u64().unwrap() - 60);
    let unsigned = {
        use base64::Engine;
        let b64 = |v: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&claims)
        )
    };
    let mut other_session = claims.clone();
    other_session["sid"] = json!(uuid::Uuid::new_v4());
    let bad = [
        ("expired", sign(&expired, Algorithm::HS256, secret)),
        (
            "forged",
            sign(
                &claims,
                Algorithm::HS256,
                b"not-the-servers-secret-not-the-servers",
            ),
        ),
        ("HS512", sign(&claims, Algorithm::HS512, secret)),
        ("HS384", sign(&claims, Algorithm::HS384, secret)),
        ("alg none", unsigned),
        (
            "a session that never existed",
            sign(&other_session, Algorithm::HS256, secret),
        ),
        ("garbage", "not.a.token".to_string()),
    ];
    for (what, token) in &bad {
        assert_eq!(accepted(&server, token).await, (false, false), "{what}");
    }

    // Revoked: logout ends the session; its token is refused from then on.
    assert_eq!(server.logout(&alice.token).await, 204);
    assert_eq!(
        accepted(&server, &alice.token).await,
        (false, false),
        "revoked"
    );
}

/// Alice's own token with its expiry moved to `exp` (Unix seconds), signed
/// with the server's key: time is controlled by the token, not by waiting.
fn expiring_at(server: &TestServer, token: &str, exp: u64) -> String {
    let secret = std::fs::read_to_string(server.data.path().join("jwt-secret")).unwrap();
    let mut claims = claims_of(token);
    claims["exp"] = json!(exp);
    sign(&claims, Algorithm::HS256, secret.trim().as_bytes())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn a_live_socket_is_closed_with_4001_when_its_token_expires() {
    let server = TestServer::start(&["--access-ttl-secs", "60"]);
    let alice = server.register("alice").await;
    assert_eq!(alice.expires_in, 60);
    let exp = claims_of(&alice.token)["exp"].as_u64().unwrap();
    assert!((unix_now() + 58..=unix_now() + 61).contains(&exp), "{exp}");
    // A token with a second left: the socket must close at its expiry.
    let token = expiring_at(&server, &alice.token, unix_now() + 1);
    let mut socket = server.connect(&token).await;
    socket.join("general", None).await;
    let opened = std::time::Instant::now();
    assert_eq!(socket.close_code().await, Some(close_code::TOKEN_EXPIRED));
    let lived = opened.elapsed();
    assert!(
        lived < std::time::Duration::from_secs(3),
        "closed at expiry, not later: {lived:?}"
    );
    // The real token, a minute from expiry, keeps its socket open.
    let mut other = server.connect(&alice.token).await;
    other.join("general", None).await;
    other.ping().await;
}

async fn refresh(server: &TestServer, token: &str) -> (StatusCode, Value) {
    post(
        server,
        "/api/auth/refresh",
        None,
        json!({ "refresh_token": token }),
    )
    .await
}

/// A refresh refused because its token was used already (its session ended).
fn assert_told_reused((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("used already"), "{body}");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_one_used_twice_ends_the_session() {
    let server = TestServer::start(&["--refresh-reuse-grace-secs", "0"]);
    let alice = server.register("alice").await;
    let first = alice
        .refresh_token
        .clone()
        .expect("a bearer client gets it");
    let mut socket = server.connect(&alice.token).await;

    let (status, renewed) = refresh(&server, &first).await;
    assert_eq!(status, StatusCode::OK);
    let second = renewed["refresh_token"].as_str().unwrap().to_string();
    let access = renewed["token"].as_str().unwrap().to_string();
    assert_ne!(second, first, "rotated");
    assert_eq!(renewed["user"]["name"], "alice");
    assert_eq!(get(&server, "/api/rooms", &access).await.0, StatusCode::OK);
    assert_eq!(
        claims_of(&access)["sid"],
        claims_of(&alice.token)["sid"],
        "same session"
    );

    // The first token again: someone has a copy. The whole session ends.
    assert_told_reused(refresh(&server, &first).await);
    assert_eq!(socket.close_code().await, Some(close_code::TOKEN_EXPIRED));
    assert_eq!(
        get(&server, "/api/rooms", &access).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&server, &second).await.0,
        StatusCode::UNAUTHORIZED,
        "the newer token of the family is revoked too"
    );
    assert_eq!(
        refresh(&server, "made-up").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Other sessions of the same user are untouched.
    let (status, again) = post(
        &server,
        "/api/auth/login",
        None,
        json!({"username": "alice", "password": "password-123"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let token = again["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(&server, token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_are_both_answered_and_the_session_does_not_fork() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let token = alice.refresh_token.unwrap();
    let (a, b) = tokio::join!(refresh(&server, &token), refresh(&server, &token));
    assert_eq!(
        (a.0, b.0),
        (StatusCode::OK, StatusCode::OK),
        "within the reuse grace period"
    );
    // The session did not fork: of the two successors only the one issued
    // last goes on (a browser's cookie jar keeps the last one it was given).
    // The other one is superseded: if it ever came back, a copy of the
    // first token would be in other hands, so it would end the session
    // (`a_superseded_refresh_token_coming_back_ends_the_session`).
    let successor = |answer: &Value| answer["refresh_token"].as_str().unwrap().to_string();
    let (next_a, next_b) = (successor(&a.1), successor(&b.1));
    let (on_a, on_b) = (
        refresh(&server, &next_a).await,
        refresh(&server, &next_b).await,
    );
    let statuses = [on_a.0, on_b.0];
    assert!(
        statuses.contains(&StatusCode::UNAUTHORIZED),
        "at most one line goes on: {statuses:?}"
    );
    // Inside the grace period, a copy of the first token after its line
    // moved on is refused.
    assert_eq!(refresh(&server, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_superseded_refresh_token_coming_back_ends_the_session() {
    // The owner refreshes; a thief with a copy of the same token replays it
    // inside the grace period and gets a pair. When the owner's (now
    // superseded) token comes back, the theft shows: the session ends, and
    // the thief's pair with it, on the socket too.
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let stolen = alice.refresh_token.clone().unwrap();
    let (status, owner) = refresh(&server, &stolen).await;
    assert_eq!(status, StatusCode::OK);
    let (status, thief) = refresh(&server, &stolen).await;
    assert_eq!(status, StatusCode::OK, "inside the grace period");
    let thief_access = thief["token"].as_str().unwrap().to_string();
    let mut thief_socket = server.connect(&thief_access).await;

    // Told as a reuse, not as an invalid token.
    assert_told_reused(refresh(&server, owner["refresh_token"].as_str().unwrap()).await);
    assert_eq!(
        thief_socket.close_code().await,
        Some(close_code::TOKEN_EXPIRED)
    );
    assert_eq!(
        get(&server, "/api/rooms", &thief_access).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&server, thief["refresh_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "the thief's refresh token dies with the session"
    );
}

#[tokio::test]
async fn browsers_keep_the_refresh_token_in_an_http_only_cookie() {
    let server = TestServer::start(&[]);
    let origin = format!("http://{}", server.addr);
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let registered = browser
        .post(server.http("/api/auth/register"))
        .header("Origin", &origin)
        .json(&json!({"username": "alice", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let cookies: Vec<String> = registered
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let refresh_cookie = cookies
        .iter()
        .find(|c| c.starts_with("confab_refresh="))
        .expect("a refresh cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/auth"] {
        assert!(refresh_cookie.contains(attribute), "{refresh_cookie}");
    }
    let body: Value = registered.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "not readable by scripts: {body}"
    );

    // Once the access cookie is gone, the refresh cookie renews the session...
    let refreshed = browser
        .post(server.http("/api/auth/refresh"))
        .header("Origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    let me = browser
        .get(server.http("/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // ...but not for another site.
    let cross = browser
        .post(server.http("/api/auth/refresh"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    // Logging out clears both cookies and ends the session.
    let logout = browser
        .post(server.http("/api/auth/logout"))
        .header("Origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let cleared = logout.headers().get_all("set-cookie").iter().count();
    assert_eq!(cleared, 2);
    let again = browser
        .post(server.http("/api/auth/refresh"))
        .header("Origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn logging_out_with_an_expired_access_token_still_ends_the_session() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    // Her token, expired a minute ago (past the two seconds of skew allowed).
    let expired = expiring_at(&server, &alice.token, unix_now() - 60);
    assert_eq!(
        get(&server, "/api/rooms", &expired).await.0,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    assert_eq!(server.logout(&expired).await, 204);
    assert_eq!(
        refresh(&server, alice.refresh_token.as_deref().unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}
