//! Attacks on the HTTP listener from outside, against a real server process:
//! half-sent request heads that held a shutdown open, idle and pending
//! connections, and the metrics address.

use std::net::{IpAddr, Ipv4Addr};

use crate::common::{client_from, TestServer};
use reqwest::StatusCode;

/// A raw TCP connection to the server from `127.0.0.N`.
async fn raw_from(server: &TestServer, n: u8) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(std::net::SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)),
            0,
        ))
        .unwrap();
    socket.connect(server.addr.parse().unwrap()).await.unwrap()
}

/// Whether the server closes `stream` (or answers and closes) within `within`.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // a 408 before the close
        }
    }
}

const HALF_A_HEAD: &[u8] = b"GET /api/rooms HTTP/1.1\r\nHost: x\r\nX-Slow: ";

#[tokio::test]
async fn half_sent_requests_cannot_hold_the_server_open_past_its_grace_period() {
    use tokio::io::AsyncWriteExt;
    // A header timeout longer than the grace: only the shutdown's own
    // deadline can end these.
    let mut server = TestServer::start(&[
        "--shutdown-grace-secs",
        "2",
        "--http-header-timeout-secs",
        "60",
    ]);
    let mut held = Vec::new();
    for i in 0..20u8 {
        let mut stream = raw_from(&server, 30 + i).await;
        stream.write_all(HALF_A_HEAD).await.unwrap();
        held.push(stream);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    assert!(server.terminate(), "a clean exit");
    let took = started.elapsed();
    println!("SIGTERM with 20 half-sent requests: exited after {took:?}");
    assert!(took < std::time::Duration::from_secs(6), "{took:?}");
}

#[tokio::test]
async fn a_request_head_must_come_whole_in_time() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start(&["--http-header-timeout-secs", "1"]);
    let mut slow = raw_from(&server, 2).await;
    slow.write_all(HALF_A_HEAD).await.unwrap();
    assert!(
        closed_within(&mut slow, std::time::Duration::from_secs(10)).await,
        "the server closed the half-sent request"
    );
    // An idle keep-alive connection is closed the same way.
    let mut idle = raw_from(&server, 3).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut idle, std::time::Duration::from_secs(10)).await);
    // Everyone else is served as usual.
    assert_eq!(
        reqwest::get(server.http("/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn one_address_may_hold_only_so_many_connections_without_a_request() {
    let server = TestServer::start(&["--max-pending-conns-per-address", "5"]);
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(raw_from(&server, 4).await);
    }
    // Let the server accept them all before the one over the limit.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut over = raw_from(&server, 4).await;
    assert!(
        closed_within(&mut over, std::time::Duration::from_secs(5)).await,
        "the sixth is closed at once"
    );
    // Other addresses are not affected.
    let other = client_from(5)
        .get(server.http("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    // Places come back as the held connections go.
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let again = client_from(4)
        .get(server.http("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn metrics_can_have_an_address_of_their_own() {
    let port = crate::common::free_port();
    let server = TestServer::start(&["--metrics-listen", &format!("127.0.0.1:{port}")]);
    let public = reqwest::get(server.http("/metrics")).await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND, "not beside the app");
    let mut private = None;
    for _ in 0..50 {
        match reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await {
            Ok(response) => {
                private = Some(response);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let private = private.expect("the metrics address answers");
    assert_eq!(private.status(), StatusCode::OK);
    assert!(private.text().await.unwrap().contains("confab_"));
}
