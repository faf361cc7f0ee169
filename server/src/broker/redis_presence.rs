//! Keeping presence honest when an instance dies.
//!
//! Each instance records its share of every room's presence counts under its own
//! key and heartbeats into a sorted set. Every instance also reaps: an instance
//! silent for three heartbeats has its share subtracted from the rooms' counts, and
//! its users that drop to zero are announced offline. Removing the dead instance
//! from the set first (ZREM answers 1 to one caller only) makes sure it is reaped
//! once. The same share lists the instance's connection counts per user
//! (`limits::user_redis`), which the reaper gives back too.

use crate::broker::redis_target::RedisCommands;
use protocol::{PresenceStatus, UserRef};
use redis::AsyncCommands;
use uuid::Uuid;

use super::redis_broker::HEARTBEAT;
use super::redis_wire::{Envelope, Keys, WireEvent};

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Heartbeats for `node` and reaps dead instances, forever.
pub async fn run_heartbeat(mut conn: RedisCommands, keys: Keys, node: Uuid) {
    let nodes = keys.nodes();
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tick.tick().await;
        let now = now_ms();
        let beat: redis::RedisResult<()> = conn.zadd(&nodes, node.to_string(), now).await;
        if beat.is_err() {
            continue; // Redis is down; try again next beat
        }
        let cutoff = now - 3 * HEARTBEAT.as_millis() as i64;
        let dead: Vec<String> = conn
            .zrangebyscore(&nodes, "-inf", cutoff)
            .await
            .unwrap_or_default();
        for dead_node in dead {
            let removed: i64 = conn.zrem(&nodes, &dead_node).await.unwrap_or(0);
            if removed == 1 {
                if let Err(e) = reap(&mut conn, &keys, &dead_node).await {
                    tracing::warn!(error = %e, node = dead_node, "reaping a dead instance failed");
                }
            }
        }
    }
}

/// Takes a dead instance's share out of every room's presence counts, and
/// announces its users whose count drops to zero offline.
pub async fn reap(conn: &mut RedisCommands, keys: &Keys, dead: &str) -> redis::RedisResult<()> {
    let share_key = keys.node_share(dead);
    let share: Vec<(String, i64)> = conn.hgetall(&share_key).await?;
    let origin = Uuid::parse_str(dead).unwrap_or_else(|_| Uuid::nil());
    for (field, count) in share {
        let Some((room, user)) = Keys::parse_share_field(&field) else {
            // A user's connections on the dead instance: no longer open.
            if let Ok(user) = Uuid::parse_str(&field) {
                let fields = [dead.to_string(), crate::limits::hidden_field(dead)];
                let _: () = conn.hdel(keys.connections(user), &fields[..]).await?;
            }
            continue;
        };
        if count <= 0 {
            continue;
        }
        let key = keys.presence(room);
        let left: i64 = conn.hincr(&key, user, -count).await?;
        if left <= 0 {
            let _: () = conn.hdel(&key, user).await?;
            let name: Option<String> = conn.hget(keys.names(), user).await?;
            if let (Ok(id), Some(name)) = (Uuid::parse_str(user), name) {
                announce_offline(conn, keys, room, origin, UserRef { id, name }).await?;
            }
        }
    }
    let _: () = conn.del(&share_key).await?;
    tracing::info!(node = dead, "reaped a dead instance's presence");
    Ok(())
}

/// Publishes an offline event in the dead instance's name, so every live instance
/// (this one included) tells its members.
async fn announce_offline(
    conn: &mut RedisCommands,
    keys: &Keys,
    room: &str,
    origin: Uuid,
    user: UserRef,
) -> redis::RedisResult<()> {
    let envelope = Envelope {
        origin,
        event: WireEvent::Presence {
            user,
            status: PresenceStatus::Offline,
        },
    };
    keys.publish(&keys.channel(room), &envelope.encode())
        .query_async(conn)
        .await
}
