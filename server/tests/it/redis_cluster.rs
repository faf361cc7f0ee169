//! Redis Cluster: room channels are sharded, so a room's traffic goes to the
//! one shard owning its channel; presence, per-user limits and sign-out work
//! across instances as on one Redis; and when the shard owning the busy
//! room's channel is SIGKILLed, its replica is promoted and the instances
//! follow it without a restart — every acknowledged message reaches every
//! member exactly once, in `seq` order. A room's channel whose slot migrates
//! to another shard is subscribed there.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use protocol::{close_code, ServerFrame};
use uuid::Uuid;

use crate::common::cluster::{
    finish_members, start_members, two_instances, wait_acked, wait_ready, wait_unready,
};
use crate::common::redis_cluster::{redis_cli, RedisCluster};
use crate::common::TestServer;

/// Two instances on the cluster, with a key prefix the test knows.
async fn instances_on(
    cluster: &RedisCluster,
    extra: &[&str],
) -> (
    TestServer,
    TestServer,
    crate::common::postgres::TestDatabase,
    String,
) {
    let prefix = format!("t{}", Uuid::new_v4().simple());
    let addrs = cluster.addrs();
    let mut args = vec!["--redis-cluster", &addrs, "--redis-prefix", &prefix];
    args.extend_from_slice(extra);
    let (a, b, db) = two_instances("", &args).await;
    (a, b, db, prefix)
}

/// How many times the node on `port` ran `command` (INFO commandstats).
fn calls(port: u16, command: &str) -> u64 {
    let stats = redis_cli(port, &["info", "commandstats"]);
    stats
        .lines()
        .find_map(|l| l.strip_prefix(&format!("cmdstat_{command}:calls=")))
        .and_then(|rest| rest.split(',').next()?.parse().ok())
        .unwrap_or(0)
}

fn shard_subscribers(port: u16, channel: &str) -> String {
    redis_cli(port, &["pubsub", "shardnumsub", channel])
        .lines()
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_rooms_traffic_goes_only_to_its_shard_and_presence_limits_and_sign_out_still_work() {
    let cluster = RedisCluster::start();
    let (a, b, _db, prefix) = instances_on(&cluster, &["--max-conns-per-user", "2"]).await;
    let general = format!("{prefix}:room:general");
    let owner = cluster.master_of(&general);
    let everyone = cluster.master_of(&format!("{prefix}:room:*"));

    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let mut alice_ws = a.connect(&alice.token).await;
    alice_ws.join("general", None).await;
    let mut bob_ws = b.connect(&bob.token).await;
    bob_ws.join("general", None).await;
    // Presence crosses instances: alice hears bob come online.
    alice_ws
        .next_matching(|f| matches!(f, ServerFrame::Presence { user, .. } if user.name == "bob"))
        .await;

    // Both instances subscribe to general on its shard, and only there.
    for master in cluster.masters() {
        let expected = if master == owner { "2" } else { "0" };
        assert_eq!(
            shard_subscribers(master, &general),
            expected,
            "subscribers of {general} on {master} (owner {owner})"
        );
    }
    let before: Vec<(u16, u64)> = cluster
        .masters()
        .into_iter()
        .map(|m| (m, calls(m, "spublish")))
        .collect();
    for i in 0..40 {
        alice_ws
            .send_acked("general", &format!("hello {i}"), 1)
            .await;
    }
    let mut heard = 0;
    while heard < 40 {
        if let ServerFrame::Message(m) = bob_ws.next().await {
            assert_eq!(m.body, format!("hello {heard}"));
            heard += 1;
        }
    }
    for (master, was) in before {
        let published = calls(master, "spublish") - was;
        if master == owner {
            assert!(published >= 40, "the owner got {published} of 40 publishes");
        } else if master != everyone {
            assert_eq!(
                published, 0,
                "{master} owns neither channel yet got publishes"
            );
        }
        assert_eq!(
            calls(master, "publish"),
            0,
            "no classic (broadcast) PUBLISH"
        );
    }

    // Per-user connection limits count across instances.
    let _second = b.connect(&alice.token).await;
    assert_eq!(a.try_connect(&alice.token).await.err(), Some(429));

    // Signing out on B closes alice's socket on A (an event on the `*` channel).
    assert!(b.logout(&alice.token).await.is_success());
    assert_eq!(alice_ws.close_code().await, Some(close_code::TOKEN_EXPIRED));
}

#[tokio::test]
async fn a_channel_whose_slot_migrates_is_subscribed_on_its_new_shard() {
    let cluster = RedisCluster::start();
    let (a, b, _db, prefix) = instances_on(&cluster, &[]).await;
    let general = format!("{prefix}:room:general");
    let (_, mut alice_ws) = a.user_in_general("alice").await;
    let (_, mut bob_ws) = b.user_in_general("bob").await;
    let owner = cluster.master_of(&general);
    let to = cluster.masters().into_iter().find(|m| *m != owner).unwrap();
    cluster.migrate_slot_of(&general, to);
    assert_eq!(cluster.master_of(&general), to);
    // The old owner ended both subscriptions (sunsubscribe); the instances
    // make them again on the new one.
    let mut moved = false;
    for _ in 0..50 {
        if shard_subscribers(to, &general) == "2" {
            moved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(moved, "subscribed on the new owner of {general}'s slot");
    assert_eq!(shard_subscribers(owner, &general), "0");
    alice_ws.send_acked("general", "after the move", 1).await;
    bob_ws
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "after the move"))
        .await;
}

#[tokio::test]
async fn instances_follow_a_shard_failover_and_lose_nothing() {
    let mut cluster = RedisCluster::start();
    let (a, b, _db, prefix) = instances_on(&cluster, &[]).await;
    let general = format!("{prefix}:room:general");
    let expected = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let servers = [&a, &a, &b, &b];
    let (_, members) =
        start_members(&servers, 200, Duration::from_millis(10), &expected, &acked).await;
    wait_acked(&acked, 150).await;

    let owner = cluster.master_of(&general);
    let replica = cluster.replica_of(owner);
    cluster.kill(owner);
    // The cluster takes a node timeout (1 s) to call the master failed.
    wait_unready(&a, "not ready while a shard has no master").await;
    cluster.wait_promoted(replica);
    for server in [&a, &b] {
        wait_ready(
            server,
            Duration::from_secs(20),
            "never ready after the failover",
        )
        .await;
    }
    assert_eq!(
        shard_subscribers(replica, &general),
        "2",
        "both instances subscribed on the promoted replica"
    );
    finish_members(members, &acked, &expected, 800).await;
}
