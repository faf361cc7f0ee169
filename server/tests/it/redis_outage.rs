//! Redis dies and stays dead: every instance goes on acknowledging sends as
//! fast as before (limits count locally, publishes are dropped, presence
//! degrades), members on the sender's instance still get every message at
//! once, and clients still connect and join. And access taken away while
//! Redis is away (a member removed, a session ended) reaches the other
//! instances once it is back.

use std::time::{Duration, Instant};

use protocol::{close_code, ErrorCode, ServerFrame};

use crate::common::cluster::{cluster, readyz};
use crate::common::{add_member, create_room, delete, Client, Event, TestServer};

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

/// Waits (bounded) for a frame `pick` accepts; None if none came.
async fn within(
    client: &mut Client,
    secs: u64,
    pick: impl Fn(&ServerFrame) -> bool,
) -> Option<ServerFrame> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), client.next_event()).await
        {
            match event {
                Event::Frame(frame) if pick(&frame) => return Some(frame),
                Event::Frame(_) => {}
                Event::Closed(_) => return None,
            }
        }
    }
    None
}

#[tokio::test]
async fn access_taken_away_while_redis_is_down_reaches_the_other_instance_once_it_returns() {
    let mut c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.b.register("carol").await;
    create_room(&c.a, &alice.token, "ops", "private").await;
    add_member(&c.a, &alice.token, "ops", "bob").await;
    let mut alice_ws = c.a.connect(&alice.token).await;
    alice_ws.join("ops", None).await;
    let mut bob_ws = c.b.connect(&bob.token).await;
    assert!(matches!(
        bob_ws.join("ops", None).await,
        ServerFrame::Joined { .. }
    ));
    let mut carol_ws = c.b.connect(&carol.token).await;
    carol_ws.join("general", None).await;

    c.redis.kill();
    // On A: bob is removed from ops, carol signs out. Neither word can
    // travel to B now.
    let (status, body) = delete(&c.a, "/api/rooms/ops/members/bob", &alice.token).await;
    assert_eq!(status, 204, "{body}");
    assert!(c.a.logout(&carol.token).await.is_success());
    tokio::time::sleep(Duration::from_secs(2)).await;
    c.redis.restart();

    // Once Redis is back, B acts on both without anyone reconnecting.
    let removed = within(&mut bob_ws, 15, |f| {
        matches!(
            f,
            ServerFrame::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        )
    })
    .await;
    assert!(removed.is_some(), "bob is told he was removed");
    assert_eq!(carol_ws.close_code().await, Some(close_code::TOKEN_EXPIRED));
    alice_ws.send_acked("ops", "after the removal", 1).await;
    let leaked = within(
        &mut bob_ws,
        3,
        |f| matches!(f, ServerFrame::Message(m) if m.room == "ops"),
    )
    .await;
    assert!(
        leaked.is_none(),
        "bob hears nothing more of ops: {leaked:?}"
    );
}
