//! The WebSocket contract, against the real server: authentication at the upgrade,
//! ordering, idempotent sends, recovery, bad input, limits and slow consumers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::common::{worst_delay, Arrivals, Client, Event, TestServer};
use futures_util::{SinkExt, StreamExt};
use protocol::{close_code, ClientFrame, ErrorCode, Message, PresenceStatus, ServerFrame, Since};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderName;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn upgrade_status(server: &TestServer, headers: &[(&str, &str)]) -> u16 {
    let mut request = server.ws_url().into_client_request().unwrap();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => 101,
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("unexpected upgrade error: {e}"),
    }
}

#[tokio::test]
async fn the_upgrade_needs_a_valid_token_and_an_allowed_origin() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bearer = format!("Bearer {}", alice.token);
    assert_eq!(upgrade_status(&server, &[]).await, 401, "no token");
    assert_eq!(
        upgrade_status(&server, &[("Authorization", "Bearer not-a-jwt")]).await,
        401
    );
    let mut forged = alice.token.clone();
    forged.pop();
    forged.push(if alice.token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(
        upgrade_status(&server, &[("Authorization", &format!("Bearer {forged}"))]).await,
        401,
        "bad signature"
    );
    assert_eq!(
        upgrade_status(&server, &[("Cookie", "confab_session=garbage")]).await,
        401
    );
    assert_eq!(
        upgrade_status(
            &server,
            &[
                ("Authorization", &bearer),
                ("Origin", "http://evil.example")
            ]
        )
        .await,
        403
    );
    let own_origin = format!("http://{}", server.addr);
    assert_eq!(
        upgrade_status(
            &server,
            &[
                ("Cookie", &format!("confab_session={}", alice.token)),
                ("Origin", &own_origin)
            ]
        )
        .await,
        101,
        "a browser on the server's own origin, with the cookie"
    );
    assert_eq!(
        upgrade_status(&server, &[("Authorization", &bearer)]).await,
        101
    );
}

/// Reads frames until `n` messages have arrived; returns them.
async fn read_messages(client: &mut Client, n: usize) -> Vec<Message> {
    let mut got = Vec::new();
    while got.len() < n {
        if let ServerFrame::Message(m) = client.next().await {
            got.push(m);
        }
    }
    got
}

#[tokio::test]
async fn two_users_chat_and_see_one_order() {
    let server = TestServer::start(&[]);
    let (_, mut alice) = server.user_in_general("alice").await;
    let (_, mut bob) = server.user_in_general("bob").await;
    // Both send at once, interleaving on the server.
    for i in 0..20 {
        alice.send_text("general", &format!("a{i}")).await;
        bob.send_text("general", &format!("b{i}")).await;
    }
    let seen_by_alice = read_messages(&mut alice, 40).await;
    let seen_by_bob = read_messages(&mut bob, 40).await;
    let seqs: Vec<u64> = seen_by_alice.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=40).collect::<Vec<_>>(),
        "seq starts at 1, no holes, in order"
    );
    assert_eq!(seen_by_alice, seen_by_bob, "one identical order for both");
    // Each user's own messages keep their sending order.
    let alices: Vec<&str> = seen_by_alice
        .iter()
        .filter(|m| m.author.name == "alice")
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(alices, (0..20).map(|i| format!("a{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_resent_client_msg_id_is_stored_once_and_acked_with_the_first_seq() {
    let server = TestServer::start(&[]);
    let (auth, mut alice) = server.user_in_general("alice").await;
    let id = uuid::Uuid::new_v4();
    let send = ClientFrame::Send {
        room: "general".into(),
        client_msg_id: id,
        body: "only once".into(),
        thread: None,
        attachments: Vec::new(),
    };
    alice.send_frame(send.clone(), Some("first")).await;
    alice.send_frame(send.clone(), Some("second")).await;
    let mut acks = Vec::new();
    let mut messages = 0;
    while acks.len() < 2 {
        match alice.next().await {
            ServerFrame::Ack {
                seq,
                client_msg_id,
                reference,
                ..
            } => {
                assert_eq!(client_msg_id, id);
                acks.push((seq, reference.unwrap()));
            }
            ServerFrame::Message(_) => messages += 1,
            _ => {}
        }
    }
    assert_eq!(acks, vec![(1, "first".into()), (1, "second".into())]);
    // A resend on a brand-new connection too.
    let mut again = server.connect(&auth.token).await;
    again.send_frame(send, Some("third")).await;
    match again.next().await {
        ServerFrame::Ack { seq, .. } => assert_eq!(seq, 1),
        other => panic!("expected ack, got {other:?}"),
    }
    let page = server.history(&auth.token, "general").await;
    assert_eq!(page.messages.len(), 1, "stored once");
    assert!(messages <= 1, "shown at most once");
}

#[tokio::test]
async fn reconnecting_with_since_gets_exactly_the_missed_messages() {
    let server = TestServer::start(&[]);
    let (alice_auth, mut alice) = server.user_in_general("alice").await;
    let (_, mut bob) = server.user_in_general("bob").await;
    for i in 0..3 {
        bob.send_text("general", &format!("before {i}")).await;
    }
    let before = read_messages(&mut alice, 3).await;
    let last = before.last().unwrap().clone();
    drop(alice); // connection lost
    for i in 0..5 {
        bob.send_text("general", &format!("missed {i}")).await;
    }
    read_messages(&mut bob, 8).await; // all stored
    let mut alice = server.connect(&alice_auth.token).await;
    let joined = alice
        .join(
            "general",
            Some(Since {
                epoch: last.epoch.clone(),
                seq: last.seq,
            }),
        )
        .await;
    assert!(
        matches!(
            joined,
            ServerFrame::Joined {
                recovered: true,
                seq: 8,
                ..
            }
        ),
        "{joined:?}"
    );
    bob.send_text("general", "live").await;
    let after = read_messages(&mut alice, 6).await;
    let bodies: Vec<&str> = after.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["missed 0", "missed 1", "missed 2", "missed 3", "missed 4", "live"]
    );
    assert_eq!(
        after.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (4..=9).collect::<Vec<_>>()
    );
    // A stale epoch is not recovered: the client must reload.
    let mut carol = server.connect(&alice_auth.token).await;
    let joined = carol
        .join(
            "general",
            Some(Since {
                epoch: "not-this-room".into(),
                seq: 2,
            }),
        )
        .await;
    assert!(matches!(
        joined,
        ServerFrame::Joined {
            recovered: false,
            ..
        }
    ));
}

async fn expect_error(client: &mut Client, code: ErrorCode) -> ServerFrame {
    let frame = client
        .next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    match &frame {
        ServerFrame::Error { code: got, .. } => assert_eq!(*got, code, "{frame:?}"),
        _ => unreachable!(),
    }
    frame
}

#[tokio::test]
async fn bad_frames_get_errors_and_the_connection_stays_usable() {
    let server = TestServer::start(&["--max-body-chars", "100"]);
    let (_, mut alice) = server.user_in_general("alice").await;
    alice.send_raw("{this is not json").await;
    expect_error(&mut alice, ErrorCode::Invalid).await;
    alice
        .send_raw(r#"{"type":"shout","room":"general","ref":"r1"}"#)
        .await;
    let frame = expect_error(&mut alice, ErrorCode::Invalid).await;
    assert!(
        matches!(frame, ServerFrame::Error { reference: Some(ref r), ref message, .. } if r == "r1" && message.contains("shout"))
    );
    alice
        .send_raw(r#"{"type":"send","room":"general","body":"no id"}"#)
        .await;
    let frame = expect_error(&mut alice, ErrorCode::Invalid).await;
    assert!(
        matches!(frame, ServerFrame::Error { ref message, .. } if message.contains("client_msg_id"))
    );
    alice.send_text("general", &"x".repeat(101)).await;
    expect_error(&mut alice, ErrorCode::TooLarge).await;
    alice.send_text("general", "   ").await;
    expect_error(&mut alice, ErrorCode::Invalid).await;
    alice.send_text("nowhere", "hello?").await;
    expect_error(&mut alice, ErrorCode::NotFound).await;
    alice
        .send_frame(
            ClientFrame::History {
                room: "general".into(),
                before: None,
                after: None,
                around: None,
                limit: Some(500),
            },
            None,
        )
        .await;
    expect_error(&mut alice, ErrorCode::Invalid).await;
    alice.send_raw(&String::from_utf8_lossy(&[b'"'; 3])).await; // a JSON string, not an object
    expect_error(&mut alice, ErrorCode::Invalid).await;
    // Still usable: ping, and a proper send.
    alice.send_frame(ClientFrame::Ping, Some("p")).await;
    let pong = alice
        .next_matching(|f| matches!(f, ServerFrame::Pong { .. }))
        .await;
    assert_eq!(
        pong,
        ServerFrame::Pong {
            reference: Some("p".into())
        }
    );
    alice.send_text("general", "fine").await;
    alice
        .next_matching(|f| matches!(f, ServerFrame::Ack { seq: 1, .. }))
        .await;
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let server = TestServer::start(&["--max-frame-bytes", "1024"]);
    let (_, mut alice) = server.user_in_general("alice").await;
    alice
        .send_raw(&format!(
            r#"{{"type":"ping","ref":"{}"}}"#,
            "x".repeat(2000)
        ))
        .await;
    assert_eq!(alice.close_code().await, Some(close_code::TOO_LARGE));
    // Up to the codec's bound (4x the limit, at least 1 MiB) the frame is read
    // whole and the close is clean.
    let (_, mut bob) = server.user_in_general("bob").await;
    bob.send_raw(&"y".repeat(512 * 1024)).await;
    assert_eq!(bob.close_code().await, Some(close_code::TOO_LARGE));
    // Beyond it the codec refuses the frame from its header and the server drops
    // the connection while the client is still writing: TCP may reset it before
    // the close frame is read. Either way the connection ends, and nobody else
    // notices.
    let (carol_auth, mut carol) = server.user_in_general("carol").await;
    let _ = carol
        .ws
        .send(WsMessage::Text("z".repeat(8 << 20).into()))
        .await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        // Frames queued before the big one (presence) may still arrive first.
        while let Some(Ok(WsMessage::Text(_))) = carol.ws.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the connection ends");
    let mut again = server.connect(&carol_auth.token).await;
    again.ping().await;
}

#[tokio::test]
async fn flooding_is_rate_limited_then_closed_with_1008() {
    let server = TestServer::start(&["--rate-per-sec", "5", "--rate-burst", "10"]);
    let (_, mut alice) = server.user_in_general("alice").await;
    for _ in 0..15 {
        alice.send_frame(ClientFrame::Ping, None).await;
    }
    let mut pongs = 0;
    let mut limited = 0;
    while pongs + limited < 15 {
        match alice.next().await {
            ServerFrame::Pong { .. } => pongs += 1,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            _ => {}
        }
    }
    // The burst of 10 was opened by the `join`; a token or two may refill meanwhile.
    assert!((9..=11).contains(&pongs), "the burst is served: {pongs}");
    assert!(limited >= 4, "the rest is refused: {limited}");
    // Keeping at it is abuse.
    for _ in 0..100 {
        alice.send_frame(ClientFrame::Ping, None).await;
    }
    assert_eq!(alice.close_code().await, Some(close_code::POLICY));
}

#[tokio::test]
async fn a_client_that_never_reads_is_closed_with_1008_and_others_stay_fast() {
    let server = TestServer::start(&[
        "--outbound-queue",
        "32",
        "--rate-per-sec",
        "100000",
        "--rate-burst",
        "100000",
        "--user-rate-per-sec",
        "100000",
        "--user-rate-burst",
        "100000",
    ]);
    let (_, mut slow) = server.user_in_general("slow").await;
    let (_, fast) = server.user_in_general("fast").await;
    let fast = Arrivals::watch(fast);
    // The sender does not join (it would be a second client that never reads
    // the room); it reads its acks after each batch.
    let sender_auth = server.register("sender").await;
    let mut sender = server.connect(&sender_auth.token).await;
    let body = "z".repeat(3500);
    let started = Instant::now();
    let mut acked_at: HashMap<u64, Instant> = HashMap::new();
    // Send in batches until the server gives up on the slow client (bounded).
    while server.metric("confab_slow_consumers_total").await < 1.0 {
        assert!(acked_at.len() < 20_000, "the slow client was never closed");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "took too long"
        );
        acked_at.extend(sender.send_acked("general", &body, 200).await);
    }
    let sent = acked_at.len();
    while fast.count() < sent {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the fast client fell behind"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (arrived, mut fast) = fast.finish().await;
    let worst = worst_delay(&acked_at, &arrived);
    assert!(
        worst < Duration::from_secs(1),
        "the fast client was held up for {worst:?}"
    );
    println!(
        "slow consumer: {sent} messages sent before the close; others' worst delivery {worst:?}"
    );
    // The slow client, reading at last, finds the close at the end of its stream.
    assert_eq!(slow.close_code().await, Some(close_code::POLICY));
    fast.send_frame(ClientFrame::Ping, Some("still")).await;
    fast.next_matching(|f| matches!(f, ServerFrame::Pong { .. }))
        .await;
}

#[tokio::test]
async fn sigterm_closes_sockets_with_1001_and_exits_cleanly() {
    let mut server = TestServer::start(&[]);
    let (_, mut alice) = server.user_in_general("alice").await;
    alice.send_text("general", "stored before shutdown").await;
    alice
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    let closing = tokio::spawn(async move {
        loop {
            if let Event::Closed(frame) = alice.next_event().await {
                return frame.map(|f| u16::from(f.code));
            }
        }
    });
    let exited_cleanly = tokio::task::spawn_blocking(move || {
        let ok = server.terminate();
        (ok, server)
    })
    .await
    .unwrap();
    assert!(exited_cleanly.0, "exit status 0");
    assert_eq!(closing.await.unwrap(), Some(close_code::GOING_AWAY));
    // And the message survived the restart.
    let mut server = exited_cleanly.1;
    server.restart();
    let bob = server.register("bob").await;
    let page = server.history(&bob.token, "general").await;
    let protocol::Entry::Message(m) = &page.messages[0] else {
        panic!("seq 1 is a message");
    };
    assert_eq!(m.body, "stored before shutdown");
}

#[tokio::test]
async fn typing_and_presence_reach_the_others_in_the_room() {
    let server = TestServer::start(&[]);
    let (_, mut alice) = server.user_in_general("alice").await;
    let (bob_auth, mut bob) = server.user_in_general("bob").await;
    alice
        .next_matching(|f| matches!(f, ServerFrame::Presence { user, status: PresenceStatus::Online, .. } if user.name == "bob"))
        .await;
    bob.send_frame(
        ClientFrame::Typing {
            room: "general".into(),
        },
        None,
    )
    .await;
    let typing = alice
        .next_matching(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    assert!(matches!(typing, ServerFrame::Typing { ref user, .. } if user.id == bob_auth.user.id));
    drop(bob);
    alice
        .next_matching(|f| matches!(f, ServerFrame::Presence { user, status: PresenceStatus::Offline, .. } if user.name == "bob"))
        .await;
    // Typing in a room one has not joined is refused.
    alice
        .send_frame(
            ClientFrame::Typing {
                room: "elsewhere".into(),
            },
            None,
        )
        .await;
    expect_error(&mut alice, ErrorCode::Forbidden).await;
}
