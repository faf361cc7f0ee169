//! Many instances acting as one: two real `confab` processes sharing a real
//! PostgreSQL database and a private real `redis-server`, with real WebSocket
//! clients — and Redis and instances killed mid-flight.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::protocol::{ClientEnvelope, ClientFrame, PresenceStatus, ServerFrame, Since};
use common::postgres::TestDatabase;
use common::redis::RedisServer;
use common::{worst_delay, Arrivals, Client, Event, TestServer};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

/// Fields drop in order: the instances, then Redis, then the database.
struct Cluster {
    a: TestServer,
    b: TestServer,
    redis: RedisServer,
    _db: TestDatabase,
}

async fn cluster() -> Cluster {
    cluster_with(&[]).await
}

async fn cluster_with(extra: &[&str]) -> Cluster {
    cluster_on(RedisServer::start(), extra).await
}

async fn cluster_on(redis: RedisServer, extra: &[&str]) -> Cluster {
    let db = TestDatabase::create().await;
    let ca: Vec<String> = redis
        .ca_file()
        .map(|f| vec!["--redis-ca-file".to_string(), f])
        .unwrap_or_default();
    let prefix = format!("t{}", Uuid::new_v4().simple());
    let args: Vec<String> = [
        "--database-url",
        &db.url,
        "--redis-url",
        &redis.url(),
        "--redis-prefix",
        &prefix,
        "--jwt-secret",
        "cluster-test-secret-0123456789abcdef",
        "--catch-up-secs",
        "1",
        "--rate-per-sec",
        "10000",
        "--rate-burst",
        "10000",
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .chain(ca)
    .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let a = TestServer::start(&args);
    let b = TestServer::start(&args);
    Cluster {
        a,
        b,
        redis,
        _db: db,
    }
}

#[tokio::test]
async fn users_on_two_instances_chat_and_see_one_order() {
    two_instances_one_order(cluster().await).await;
}

#[tokio::test]
async fn instances_fan_out_through_redis_over_tls() {
    two_instances_one_order(cluster_on(RedisServer::start_tls(), &[]).await).await;
}

async fn two_instances_one_order(c: Cluster) {
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut on_a = c.a.connect(&alice.token).await;
    let mut on_b = c.b.connect(&bob.token).await;
    on_a.join("general", None).await;
    on_b.join("general", None).await;
    for i in 0..20 {
        on_a.send_text("general", &format!("a{i}")).await;
        on_b.send_text("general", &format!("b{i}")).await;
    }
    let mut seen = Vec::new();
    for client in [&mut on_a, &mut on_b] {
        let mut got = Vec::new();
        while got.len() < 40 {
            if let ServerFrame::Message(m) = client.next().await {
                got.push((m.seq, m.id, m.body));
            }
        }
        seen.push(got);
    }
    assert_eq!(
        seen[0], seen[1],
        "both instances deliver one identical order"
    );
    let seqs: Vec<u64> = seen[0].iter().map(|m| m.0).collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
}

/// What one member saw and had acknowledged.
#[derive(Default)]
struct Log {
    /// seq of every `message` frame, in arrival order.
    seqs: Vec<u64>,
    /// client_msg_id → seq of every `ack`.
    acks: HashMap<Uuid, u64>,
    last_epoch: Option<String>,
}

impl Log {
    fn since(&self) -> Option<Since> {
        Some(Since {
            epoch: self.last_epoch.clone()?,
            seq: *self.seqs.last()?,
        })
    }
}

/// Runs a joined member: sends `bodies` (one every `pace`) while reading
/// everything, until it has seen `expected` messages (once known) or the
/// connection drops. Returns what it saw, and the sends not yet acknowledged.
async fn run_member(
    client: Client,
    mut log: Log,
    mut to_send: Vec<(Uuid, String)>,
    pace: Duration,
    expected: Arc<AtomicU64>,
    acked_total: Arc<AtomicU64>,
) -> (Log, Vec<(Uuid, String)>, bool) {
    let (mut sink, mut stream) = client.ws.split();
    to_send.reverse();
    let mut in_flight: Vec<(Uuid, String)> = Vec::new();
    let mut ticker = tokio::time::interval(pace);
    let deadline = Instant::now() + Duration::from_secs(60);
    let dropped = loop {
        let want = expected.load(Ordering::Acquire);
        if want > 0 && log.seqs.len() as u64 >= want && in_flight.is_empty() && to_send.is_empty() {
            break false;
        }
        if Instant::now() > deadline {
            let missing: Vec<u64> = (1..=want)
                .filter(|s| !log.seqs.contains(s))
                .take(20)
                .collect();
            panic!(
                "member stuck: saw {} of {want}; missing {missing:?}",
                log.seqs.len()
            );
        }
        tokio::select! {
            _ = ticker.tick(), if !to_send.is_empty() => {
                let (id, body) = to_send.pop().unwrap();
                let frame = ClientEnvelope {
                    reference: None,
                    frame: ClientFrame::Send { room: "general".into(), client_msg_id: id, body: body.clone() },
                };
                in_flight.push((id, body));
                if sink.send(WsMessage::Text(serde_json::to_string(&frame).unwrap().into())).await.is_err() {
                    break true;
                }
            }
            frame = tokio::time::timeout(Duration::from_secs(1), stream.next()) => {
                match frame {
                    Err(_) => continue, // idle: check the exit condition again
                    Ok(Some(Ok(WsMessage::Text(text)))) => match ServerFrame::parse(text.as_str()).unwrap() {
                        ServerFrame::Message(m) => {
                            log.last_epoch = Some(m.epoch);
                            log.seqs.push(m.seq);
                        }
                        ServerFrame::Ack { client_msg_id, seq, .. } => {
                            in_flight.retain(|(id, _)| *id != client_msg_id);
                            if log.acks.insert(client_msg_id, seq).is_none() {
                                acked_total.fetch_add(1, Ordering::AcqRel);
                            }
                        }
                        ServerFrame::Error { code, message, .. } => panic!("error frame: {code:?} {message}"),
                        _ => {}
                    },
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(_)) | None) => break true,
                }
            }
        }
    };
    // Whatever was sent but not acknowledged goes out again, same client_msg_id.
    in_flight.extend(to_send.into_iter().rev());
    (log, in_flight, dropped)
}

async fn readyz(server: &TestServer) -> u16 {
    reqwest::get(server.http("/readyz"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Registers a member on each of `servers`, joins them all to `general`, and
/// only then starts them sending `per_member` messages each (a join without
/// `since` starts live, so nobody may send before everyone has joined).
async fn start_members(
    servers: &[&TestServer],
    per_member: usize,
    pace: Duration,
    expected: &Arc<AtomicU64>,
    acked: &Arc<AtomicU64>,
) -> (
    Vec<String>,
    Vec<tokio::task::JoinHandle<(Log, Vec<(Uuid, String)>, bool)>>,
) {
    let mut tokens = Vec::new();
    let mut clients = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        let auth = server.register(&format!("member{i}")).await;
        let mut client = server.connect(&auth.token).await;
        client.join("general", None).await;
        tokens.push(auth.token);
        clients.push(client);
    }
    let members = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            tokio::spawn(run_member(
                client,
                Log::default(),
                bodies(&format!("m{i}"), per_member),
                pace,
                expected.clone(),
                acked.clone(),
            ))
        })
        .collect();
    (tokens, members)
}

/// Waits (bounded) until at least `n` sends are acknowledged.
async fn wait_acked(acked: &AtomicU64, n: u64) {
    let started = Instant::now();
    while acked.load(Ordering::Acquire) < n {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {} of {n} sends acknowledged",
            acked.load(Ordering::Acquire)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn bodies(tag: &str, n: usize) -> Vec<(Uuid, String)> {
    (0..n)
        .map(|i| (Uuid::new_v4(), format!("{tag}-{i}")))
        .collect()
}

/// Asserts each log saw exactly 1..=total, in order, once, and that every
/// acknowledged seq is among them.
fn assert_exactly_once(logs: &[&Log], total: u64) {
    let acked: BTreeMap<u64, Uuid> = logs
        .iter()
        .flat_map(|l| l.acks.iter().map(|(id, seq)| (*seq, *id)))
        .collect();
    assert_eq!(
        acked.len() as u64,
        total,
        "every send acknowledged with a distinct seq"
    );
    for (i, log) in logs.iter().enumerate() {
        let expected: Vec<u64> = (1..=total).collect();
        let lost = expected.iter().filter(|s| !log.seqs.contains(s)).count();
        let dups = log.seqs.len() as i64
            - log
                .seqs
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len() as i64;
        assert_eq!(
            (lost, dups),
            (0, 0),
            "member {i}: lost and duplicated messages"
        );
        assert_eq!(log.seqs, expected, "member {i}: in seq order");
    }
}

#[tokio::test]
async fn killing_redis_mid_way_loses_and_duplicates_nothing() {
    let mut c = cluster().await;
    let expected = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let servers = [&c.a, &c.a, &c.b, &c.b];
    let pace = Duration::from_millis(4);
    let (_, members) = start_members(&servers, 250, pace, &expected, &acked).await;
    // Kill Redis once 300 messages are acknowledged; bring it back a second later.
    wait_acked(&acked, 300).await;
    c.redis.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        acked.load(Ordering::Acquire) > 300,
        "sends go on while Redis is down"
    );
    for server in [&c.a, &c.b] {
        assert_eq!(readyz(server).await, 503, "not ready without Redis");
    }
    c.redis.restart();
    for server in [&c.a, &c.b] {
        let back = Instant::now();
        while readyz(server).await != 200 {
            assert!(
                back.elapsed() < Duration::from_secs(15),
                "never ready again"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    wait_acked(&acked, 1000).await;
    expected.store(1000, Ordering::Release);
    let mut logs = Vec::new();
    for member in members {
        let (log, unacked, dropped) = member.await.unwrap();
        assert!(unacked.is_empty() && !dropped);
        logs.push(log);
    }
    assert_exactly_once(&logs.iter().collect::<Vec<_>>(), 1000);
    println!("redis chaos: 1000 acknowledged, 4 members x 2 instances, 0 lost, 0 duplicated");
}

#[tokio::test]
async fn clients_of_a_killed_instance_recover_on_the_other() {
    let mut c = cluster().await;
    let expected = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    // Two members on A, one on B; all send.
    let pace = Duration::from_millis(5);
    let (tokens, members) = start_members(&[&c.a, &c.a, &c.b], 200, pace, &expected, &acked).await;
    wait_acked(&acked, 150).await;
    c.a.kill();
    // A's members find their connection dropped; they reconnect to B with
    // `since` and resend what was not acknowledged.
    let mut survivors = Vec::new();
    for (i, member) in members.into_iter().enumerate() {
        if i < 2 {
            let (log, unacked, dropped) = member.await.unwrap();
            assert!(dropped, "member {i} was on the killed instance");
            let mut client = c.b.connect(&tokens[i]).await;
            let joined = client.join("general", log.since()).await;
            assert!(
                matches!(
                    joined,
                    ServerFrame::Joined {
                        recovered: true,
                        ..
                    }
                ),
                "{joined:?}"
            );
            survivors.push(tokio::spawn(run_member(
                client,
                log,
                unacked,
                Duration::from_millis(5),
                expected.clone(),
                acked.clone(),
            )));
        } else {
            survivors.push(member);
        }
    }
    wait_acked(&acked, 600).await;
    expected.store(600, Ordering::Release);
    let mut logs = Vec::new();
    for member in survivors {
        logs.push(member.await.unwrap().0);
    }
    assert_exactly_once(&logs.iter().collect::<Vec<_>>(), 600);
    println!("instance kill: 600 acknowledged, 0 lost, 0 duplicated");
}

#[tokio::test]
async fn presence_crosses_instances() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut on_b = c.b.connect(&bob.token).await;
    on_b.join("general", None).await;
    let mut on_a = c.a.connect(&alice.token).await;
    on_a.join("general", None).await;
    on_b.next_matching(|f| {
        matches!(f, ServerFrame::Presence { user, status: PresenceStatus::Online, .. } if user.name == "alice")
    })
    .await;
    // Alice already sees bob online, from the join's presence list.
    on_a.next_matching(|f| {
        matches!(f, ServerFrame::Presence { user, status: PresenceStatus::Online, .. } if user.name == "bob")
    })
    .await;
    on_a.send_frame(
        ClientFrame::Typing {
            room: "general".into(),
        },
        None,
    )
    .await;
    on_b.next_matching(|f| matches!(f, ServerFrame::Typing { user, .. } if user.name == "alice"))
        .await;
    drop(on_a);
    on_b.next_matching(|f| {
        matches!(f, ServerFrame::Presence { user, status: PresenceStatus::Offline, .. } if user.name == "alice")
    })
    .await;
}

#[tokio::test]
async fn a_slow_consumer_on_one_instance_is_closed_and_recovers_while_others_keep_up() {
    let c = cluster_with(&["--outbound-queue", "32"]).await;
    let slow_auth = c.a.register("slow").await;
    let mut slow = c.a.connect(&slow_auth.token).await;
    slow.join("general", None).await;
    let fast_a = Arrivals::watch(c.a.user_in_general("fast-a").await.1);
    let fast_b = Arrivals::watch(c.b.user_in_general("fast-b").await.1);
    // The sender does not join; it reads its acks after each batch.
    let sender_auth = c.b.register("sender").await;
    let mut sender = c.b.connect(&sender_auth.token).await;
    let body = "z".repeat(3500);
    let mut acked_at: HashMap<u64, Instant> = HashMap::new();
    let started = Instant::now();
    while c.a.metric("confab_slow_consumers_total").await < 1.0 {
        assert!(
            acked_at.len() < 20_000 && started.elapsed() < Duration::from_secs(120),
            "never closed"
        );
        acked_at.extend(sender.send_acked("general", &body, 200).await);
    }
    let sent = acked_at.len() as u64;
    while fast_a.count() < sent as usize || fast_b.count() < sent as usize {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "a fast member fell behind"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut worst = Duration::ZERO;
    for fast in [fast_a, fast_b] {
        worst = worst.max(worst_delay(&acked_at, &fast.finish().await.0));
    }
    assert!(
        worst < Duration::from_secs(1),
        "others were held up for {worst:?}"
    );
    println!(
        "slow consumer: {sent} messages sent before the close; others' worst delivery {worst:?}"
    );
    // The slow client reads at last: what was queued, then the close.
    let mut last_seen = None;
    let code = loop {
        match slow.next_event().await {
            Event::Frame(ServerFrame::Message(m)) => last_seen = Some((m.epoch, m.seq)),
            Event::Frame(_) => {}
            Event::Closed(frame) => break frame.map(|f| u16::from(f.code)),
        }
    };
    assert_eq!(code, Some(app::protocol::close_code::POLICY));
    // It recovers: reconnect (to the other instance, say), join with since; when
    // the gap is too long to replay, load the history it missed.
    let (epoch, seq) = last_seen.expect("it read something before the close");
    let mut again = c.b.connect(&slow_auth.token).await;
    let joined = again.join("general", Some(Since { epoch, seq })).await;
    let ServerFrame::Joined {
        seq: latest,
        recovered,
        ..
    } = joined
    else {
        panic!("{joined:?}")
    };
    assert_eq!(latest, sent);
    let mut have: Vec<u64> = Vec::new();
    if recovered {
        while have.len() as u64 != latest - seq {
            if let ServerFrame::Message(m) = again.next().await {
                have.push(m.seq);
            }
        }
    } else {
        let mut before = latest + 1;
        while before > seq + 1 {
            again
                .send_frame(
                    ClientFrame::History {
                        room: "general".into(),
                        before: Some(before),
                        limit: Some(200),
                    },
                    Some("page"),
                )
                .await;
            let page = again
                .next_matching(|f| matches!(f, ServerFrame::History { .. }))
                .await;
            let ServerFrame::History { messages, .. } = page else {
                unreachable!()
            };
            before = messages[0].seq;
            have.splice(0..0, messages.iter().map(|m| m.seq).filter(|s| *s > seq));
        }
    }
    assert_eq!(
        have,
        (seq + 1..=latest).collect::<Vec<_>>(),
        "recovered everything it missed, once"
    );
}

#[tokio::test]
async fn login_throttling_holds_across_instances() {
    let c = cluster().await;
    c.a.register("alice").await;
    let login = |server: &TestServer, password: &str| {
        let url = server.http("/api/auth/login");
        let body = serde_json::json!({"username": "alice", "password": password});
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for server in [&c.a, &c.b, &c.a, &c.b, &c.a] {
        assert_eq!(login(server, "wrong-password").await, 401);
    }
    assert_eq!(
        login(&c.b, "password-123").await,
        429,
        "five failures over two instances"
    );
}

#[tokio::test]
async fn removing_a_member_stops_delivery_to_all_their_connections() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.a.register("bob").await;
    let http = reqwest::Client::new();
    let created = http
        .post(c.a.http("/api/rooms"))
        .bearer_auth(&alice.token)
        .json(&serde_json::json!({"name": "ops", "kind": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let added = http
        .post(c.a.http("/api/rooms/ops/members"))
        .bearer_auth(&alice.token)
        .json(&serde_json::json!({"user": "bob"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let mut owner = c.a.connect(&alice.token).await;
    owner.join("ops", None).await;
    // Bob has two tabs on A and one on B.
    let mut tabs = Vec::new();
    for server in [&c.a, &c.a, &c.b] {
        let mut tab = server.connect(&bob.token).await;
        assert!(matches!(
            tab.join("ops", None).await,
            ServerFrame::Joined { .. }
        ));
        tabs.push(tab);
    }
    owner.send_text("ops", "before").await;
    for tab in &mut tabs {
        tab.next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "before"))
            .await;
    }
    let removed = http
        .delete(c.b.http("/api/rooms/ops/members/bob"))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    for tab in &mut tabs {
        tab.next_matching(|f| {
            matches!(
                f,
                ServerFrame::Error {
                    code: app::protocol::ErrorCode::Forbidden,
                    ..
                }
            )
        })
        .await;
    }
    for i in 0..3 {
        owner.send_text("ops", &format!("after {i}")).await;
    }
    owner
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "after 2"))
        .await;
    for tab in &mut tabs {
        tab.send_frame(ClientFrame::Ping, Some("check")).await;
        loop {
            match tab.next().await {
                ServerFrame::Pong { .. } => break,
                ServerFrame::Message(m) => panic!("delivered after removal: {}", m.body),
                _ => {}
            }
        }
    }
    // And every way back in is refused.
    let tab = &mut tabs[0];
    tab.send_text("ops", "let me in").await;
    tab.next_matching(|f| {
        matches!(
            f,
            ServerFrame::Error {
                code: app::protocol::ErrorCode::Forbidden,
                ..
            }
        )
    })
    .await;
    let rejoin = tab.join("ops", None).await;
    assert!(
        matches!(
            rejoin,
            ServerFrame::Error {
                code: app::protocol::ErrorCode::Forbidden,
                ..
            }
        ),
        "{rejoin:?}"
    );
    let history = http
        .get(c.b.http("/api/rooms/ops/messages"))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), 403);
}

#[tokio::test]
async fn disabling_a_user_closes_their_sockets_on_every_instance() {
    let c = cluster_with(&["--admins", "root"]).await;
    let root = c.a.register("root").await;
    let mallory = c.a.register("mallory").await;
    let mut on_a = c.a.connect(&mallory.token).await;
    let mut on_b = c.b.connect(&mallory.token).await;
    let disabled = reqwest::Client::new()
        .post(c.a.http("/api/admin/users/mallory/disable"))
        .bearer_auth(&root.token)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 204);
    for socket in [&mut on_a, &mut on_b] {
        assert_eq!(
            socket.close_code().await,
            Some(app::protocol::close_code::TOKEN_EXPIRED)
        );
    }
}
