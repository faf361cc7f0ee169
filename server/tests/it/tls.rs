//! The server terminating TLS itself: HTTPS and wss:// end to end, with clients
//! that trust only a CA made for the test.

use crate::common;

use std::sync::Arc;

use crate::common::{Client, TestServer};
use protocol::{AuthResponse, ServerFrame};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn https_and_wss_work_end_to_end_with_a_test_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = tempfile::tempdir().unwrap();
    common::tls::make_certificates(certs.path());
    let path = |name: &str| certs.path().join(name).display().to_string();
    let server = TestServer::start(&[
        "--tls-cert",
        &path("server.pem"),
        "--tls-key",
        &path("server.key"),
    ]);

    // HTTPS, trusting the test CA only.
    let ca = std::fs::read(path("ca.pem")).unwrap();
    let https = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let base = format!("https://{}", server.addr);
    let response = https
        .post(format!("{base}/api/auth/register"))
        .json(&serde_json::json!({"username": "alice", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("; Secure"),
        "cookies are Secure under TLS: {cookie}"
    );
    let auth: AuthResponse = response.json().await.unwrap();
    // Browsers speak HTTP/2 here: a cookie write from the page's own origin
    // is checked against :authority (there is no Host) and goes through;
    // another origin's is refused.
    let session = cookie.split(';').next().unwrap().to_string();
    for (origin, expected) in [(base.clone(), 201), ("https://evil.example".into(), 403)] {
        let write = https
            .post(format!("{base}/api/rooms"))
            .header("Cookie", &session)
            .header("Origin", origin)
            .json(&serde_json::json!({"name": format!("h2-{expected}"), "kind": "public"}))
            .send()
            .await
            .unwrap();
        assert_eq!(write.version(), reqwest::Version::HTTP_2);
        assert_eq!(write.status(), expected);
    }
    // Plain HTTP to the TLS port gets nothing useful.
    assert!(reqwest::get(format!("http://{}/healthz", server.addr))
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true));

    // wss://, with the same trust.
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path("ca.pem")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut request = format!("wss://{}/ws", server.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", auth.token).parse().unwrap(),
    );
    let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(
        request,
        None,
        false,
        Some(tokio_tungstenite::Connector::Rustls(Arc::new(config))),
    )
    .await
    .expect("wss:// upgrade");
    let mut client = Client { ws };
    assert!(matches!(
        client.join("general", None).await,
        ServerFrame::Joined { .. }
    ));
    client.send_text("general", "over TLS").await;
    client
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "over TLS"))
        .await;
    client
        .next_matching(|f| matches!(f, ServerFrame::Ack { seq: 1, .. }))
        .await;
}
