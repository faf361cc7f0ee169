//! Many instances acting as one: two real `confab` processes sharing a real
//! PostgreSQL database and a private real `redis-server`, with real WebSocket
//! clients — and Redis and instances killed mid-flight.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::cluster::*;
use crate::common::redis::RedisServer;
use crate::common::{worst_delay, Arrivals, Event};
use protocol::{ClientFrame, PresenceStatus, ServerFrame, Since};

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
        wait_ready(server, Duration::from_secs(15), "never ready again").await;
    }
    finish_members(members, &acked, &expected, 1000).await;
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
    // Alice already sees bob online, from the join's one `online` frame.
    on_a.next_matching(
        |f| matches!(f, ServerFrame::Online { users, .. } if users.iter().any(|u| u.name == "bob")),
    )
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
    assert_eq!(code, Some(protocol::close_code::POLICY));
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
                        after: None,
                        around: None,
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
            before = messages[0].seq();
            have.splice(0..0, messages.iter().map(|m| m.seq()).filter(|s| *s > seq));
        }
    }
    assert_eq!(
        have,
        (seq + 1..=latest).collect::<Vec<_>>(),
        "recovered everything it missed, once"
    );
}
