//! Redis Sentinel: two instances on PostgreSQL find the master through three
//! sentinels; the master is SIGKILLed under load, the sentinels promote the
//! replica, and the instances follow it without a restart — every
//! acknowledged message reaches every member exactly once, in `seq` order,
//! and `/readyz` says 503 in the gap and 200 after.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use crate::common::cluster::{
    cluster_on, finish_members, start_members, wait_acked, wait_ready, wait_unready,
};
use protocol::ServerFrame;

use crate::common::redis::{redis_cli, RedisServer};
use crate::common::sentinel::Sentinels;

#[tokio::test]
async fn instances_follow_a_sentinel_failover_and_lose_nothing() {
    let master = RedisServer::start();
    let sentinels = Sentinels::start(&master);
    let addrs = sentinels.addrs();
    let mut c = cluster_on(master, &["--redis-sentinels", &addrs]).await;
    let expected = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let servers = [&c.a, &c.a, &c.b, &c.b];
    let (_, members) =
        start_members(&servers, 200, Duration::from_millis(10), &expected, &acked).await;
    wait_acked(&acked, 150).await;
    c.redis.kill();
    // Sentinel waits a second before it calls the master down: the gap.
    wait_unready(&c.a, "not ready while there is no master").await;
    sentinels.wait_promoted();
    for server in [&c.a, &c.b] {
        wait_ready(
            server,
            Duration::from_secs(20),
            "never ready on the new master",
        )
        .await;
    }
    // The instances' fan-out now goes through the promoted replica.
    let channels = redis_cli(sentinels.replica.port, &["pubsub", "channels"]);
    assert!(
        channels.lines().any(|c| c.ends_with("general")),
        "subscribed on the new master: {channels:?}"
    );
    finish_members(members, &acked, &expected, 800).await;
}

/// Sentinel over TLS (`rediss://` sentinels, the test CA by
/// `--redis-ca-file`): the instances find the master through the sentinels and
/// fan out through it, every hop encrypted (the servers speak TLS only).
#[tokio::test]
async fn instances_find_the_master_through_sentinels_over_tls() {
    let master = RedisServer::start_tls();
    let sentinels = Sentinels::start(&master);
    let addrs = sentinels.addrs();
    assert!(addrs.starts_with("rediss://"));
    let c = cluster_on(master, &["--redis-sentinels", &addrs]).await;
    for server in [&c.a, &c.b] {
        wait_ready(
            server,
            Duration::from_secs(10),
            "Redis over TLS never ready",
        )
        .await;
    }
    let (_, mut alice) = c.a.user_in_general("alice").await;
    let (_, mut bob) = c.b.user_in_general("bob").await;
    alice.send_acked("general", "over tls", 1).await;
    bob.next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "over tls"))
        .await;
}
