//! Redis dies and stays dead: every instance goes on acknowledging sends as
//! fast as before (limits count locally, publishes are dropped, presence
//! degrades), members on the sender's instance still get every message at
//! once, and clients still connect and join.

use std::time::{Duration, Instant};

use app::protocol::ServerFrame;

use crate::common::cluster::{cluster, readyz};
use crate::common::{Client, TestServer};

/// How long Redis stays dead while everyone keeps sending.
const OUTAGE: Duration = Duration::from_secs(30);
/// One send each this often, per instance.
const PACE: Duration = Duration::from_millis(50);

/// Sends one message every [`PACE`] until `until`, each waiting for its ack;
/// answers every send's time to its ack.
async fn send_until(mut client: Client, tag: String, until: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut tick = tokio::time::interval(PACE);
    let mut n = 0;
    while Instant::now() < until {
        tick.tick().await;
        n += 1;
        let started = Instant::now();
        client.send_text("general", &format!("{tag}-{n}")).await;
        match client
            .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
            .await
        {
            ServerFrame::Ack { .. } => latencies.push(started.elapsed()),
            other => panic!("{tag}-{n} refused: {other:?}"),
        }
    }
    latencies
}

/// Reads until `count` messages from `tag` arrived (bounded); answers how
/// many did.
async fn read_from(client: &mut Client, tag: &str, count: usize) -> usize {
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen < count && Instant::now() < deadline {
        if let Ok(ServerFrame::Message(m)) =
            tokio::time::timeout(Duration::from_millis(500), client.next()).await
        {
            if m.body.starts_with(&format!("{tag}-")) {
                seen += 1;
            }
        }
    }
    seen
}

fn p99(latencies: &mut [Duration]) -> Duration {
    latencies.sort();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

async fn joins(server: &TestServer, name: &str) {
    let user = server.register(name).await;
    let mut client = server.connect(&user.token).await;
    assert!(
        matches!(
            client.join("general", None).await,
            ServerFrame::Joined { .. }
        ),
        "{name} joins while Redis is down"
    );
}

#[tokio::test]
async fn sends_stay_fast_while_redis_is_dead() {
    let mut c = cluster().await;
    let (alice, bob) = (c.a.register("alice").await, c.b.register("bob").await);
    let (carol, dave) = (c.a.register("carol").await, c.b.register("dave").await);
    let mut carol_ws = c.a.connect(&carol.token).await;
    carol_ws.join("general", None).await;
    let mut dave_ws = c.b.connect(&dave.token).await;
    dave_ws.join("general", None).await;
    let until = Instant::now() + Duration::from_secs(3) + OUTAGE;
    let senders = [
        tokio::spawn(send_until(
            c.a.connect(&alice.token).await,
            "a".into(),
            until,
        )),
        tokio::spawn(send_until(c.b.connect(&bob.token).await, "b".into(), until)),
    ];
    tokio::time::sleep(Duration::from_secs(3)).await;
    c.redis.kill();
    assert_eq!(readyz(&c.a).await, 503, "not ready without Redis");

    // Halfway through the outage, new clients connect and join on both.
    tokio::time::sleep(OUTAGE / 2).await;
    joins(&c.a, "erin").await;
    joins(&c.b, "frank").await;

    let mut sent = Vec::new();
    for (sender, tag) in senders.into_iter().zip(["a", "b"]) {
        let mut latencies = sender.await.unwrap();
        let slowest = p99(&mut latencies);
        assert!(
            slowest < Duration::from_millis(100),
            "{tag}: p99 from send to ack {slowest:?} over {} sends",
            latencies.len()
        );
        sent.push(latencies.len());
    }
    // Each member heard every message sent on its own instance.
    assert_eq!(read_from(&mut carol_ws, "a", sent[0]).await, sent[0]);
    assert_eq!(read_from(&mut dave_ws, "b", sent[1]).await, sent[1]);
}
