//! A two-instance cluster for tests — two `confab` processes sharing a fresh
//! PostgreSQL database and a private `redis-server` — and a harness for members
//! that send and read at once, for the chaos tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientEnvelope, ClientFrame, ServerFrame, Since};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use super::postgres::TestDatabase;
use super::redis::RedisServer;
use super::{Client, TestServer};

/// Fields drop in order: the instances, then Redis, then the database.
pub struct Cluster {
    pub a: TestServer,
    pub b: TestServer,
    pub redis: RedisServer,
    _db: TestDatabase,
}

pub async fn cluster() -> Cluster {
    cluster_with(&[]).await
}

pub async fn cluster_with(extra: &[&str]) -> Cluster {
    cluster_on(RedisServer::start(), extra).await
}

pub async fn cluster_on(redis: RedisServer, extra: &[&str]) -> Cluster {
    let ca: Vec<String> = redis
        .ca_file()
        .map(|f| vec!["--redis-ca-file".to_string(), f])
        .unwrap_or_default();
    let url = redis.url();
    let extra: Vec<&str> = extra
        .iter()
        .copied()
        .chain(ca.iter().map(String::as_str))
        .collect();
    let (a, b, db) = two_instances(&url, &extra).await;
    Cluster {
        a,
        b,
        redis,
        _db: db,
    }
}

/// Two instances on a fresh PostgreSQL database and the Redis at `redis_url`
/// (unless `extra` names Redis otherwise: `--redis-sentinels`,
/// `--redis-cluster`), with a key prefix of their own and `extra` flags.
pub async fn two_instances(
    redis_url: &str,
    extra: &[&str],
) -> (TestServer, TestServer, TestDatabase) {
    let db = TestDatabase::create().await;
    let prefix = format!("t{}", Uuid::new_v4().simple());
    let base = [
        "--database-url",
        &db.url,
        "--redis-url",
        redis_url,
        "--redis-prefix",
        &prefix,
        "--jwt-secret",
        "cluster-test-secret-0123456789abcdef",
        "--catch-up-secs",
        "1",
        // Chaos tests send fast; tests of the limits set their own.
        "--rate-per-sec",
        "10000",
        "--rate-burst",
        "10000",
        "--user-rate-per-sec",
        "10000",
        "--user-rate-burst",
        "10000",
    ];
    // Through Sentinel or a cluster, the servers are found, not named.
    let found = extra.contains(&"--redis-sentinels") || extra.contains(&"--redis-cluster");
    let overridden = |flag: &str| extra.contains(&flag) || (flag == "--redis-url" && found);
    let args: Vec<&str> = base
        .chunks(2)
        .filter(|pair| !overridden(pair[0]))
        .flatten()
        .copied()
        .chain(extra.iter().copied())
        .collect();
    let a = TestServer::start(&args);
    let b = TestServer::start(&args);
    (a, b, db)
}

/// What one member saw and had acknowledged.
#[derive(Default)]
pub struct Log {
    /// seq of every `message` frame, in arrival order.
    pub seqs: Vec<u64>,
    /// client_msg_id → seq of every `ack`.
    pub acks: HashMap<Uuid, u64>,
    pub last_epoch: Option<String>,
}

impl Log {
    pub fn since(&self) -> Option<Since> {
        Some(Since {
            epoch: self.last_epoch.clone()?,
            seq: *self.seqs.last()?,
        })
    }
}

/// Runs a joined member: sends `bodies` (one every `pace`) while reading
/// everything, until it has seen `expected` messages (once known) or the
/// connection drops. Returns what it saw, and the sends not yet acknowledged.
pub async fn run_member(
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
                    frame: ClientFrame::Send { room: "general".into(), client_msg_id: id, body: body.clone(), thread: None, attachments: Vec::new() },
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

pub async fn readyz(server: &TestServer) -> u16 {
    reqwest::get(server.http("/readyz"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits (bounded by `within`) until `server` answers `/readyz` with 200.
pub async fn wait_ready(server: &TestServer, within: Duration, what: &str) {
    let started = Instant::now();
    while readyz(server).await != 200 {
        assert!(started.elapsed() < within, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (bounded by 2 s) until `server` answers `/readyz` with 503: the
/// gap a failover leaves.
pub async fn wait_unready(server: &TestServer, what: &str) {
    for _ in 0..20 {
        if readyz(server).await == 503 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}");
}

/// Registers a member on each of `servers`, joins them all to `general`, and
/// only then starts them sending `per_member` messages each (a join without
/// `since` starts live, so nobody may send before everyone has joined).
pub async fn start_members(
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

/// A running member (see [`run_member`]): what it saw, what it had not
/// seen acknowledged, and whether its connection dropped.
pub type Member = tokio::task::JoinHandle<(Log, Vec<(Uuid, String)>, bool)>;

/// Once `total` sends are acknowledged, lets the members finish and asserts
/// each saw every message once, in order, and had nothing left unacknowledged.
pub async fn finish_members(
    members: Vec<Member>,
    acked: &AtomicU64,
    expected: &AtomicU64,
    total: u64,
) {
    wait_acked(acked, total).await;
    expected.store(total, Ordering::Release);
    let mut logs = Vec::new();
    for member in members {
        let (log, unacked, dropped) = member.await.unwrap();
        assert!(unacked.is_empty() && !dropped);
        logs.push(log);
    }
    assert_exactly_once(&logs.iter().collect::<Vec<_>>(), total);
}

/// Waits (bounded) until at least `n` sends are acknowledged.
pub async fn wait_acked(acked: &AtomicU64, n: u64) {
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

pub fn bodies(tag: &str, n: usize) -> Vec<(Uuid, String)> {
    (0..n)
        .map(|i| (Uuid::new_v4(), format!("{tag}-{i}")))
        .collect()
}

/// Asserts each log saw exactly 1..=total, in order, once, and that every
/// acknowledged seq is among them.
pub fn assert_exactly_once(logs: &[&Log], total: u64) {
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
