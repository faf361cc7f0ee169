//! Receiving from a Redis Cluster: room channels are sharded channels
//! (`SSUBSCRIBE`), each subscribed on the shard that owns its slot, through
//! the `redis` crate's cluster connection (RESP3 pushes), which routes each
//! subscription and follows `MOVED` / `ASK`.
//!
//! The contract is the one in `redis_subscriber`. What this module adds is
//! noticing a subscription lost on one shard while the others go on:
//!
//! - a node connection dropped (its master died, say): every wanted channel
//!   is subscribed again — on the shards still up this changes nothing; for
//!   the lost shard's channels it is retried until its slots have a master
//!   again (a promoted replica);
//! - the server ended a subscription itself (its slot migrated to another
//!   shard: Redis sends `sunsubscribe`): that channel is subscribed again,
//!   on the new owner;
//!
//! and in either case, once all are back, [`Incoming::Resubscribed`], so the
//! node fills the gap from the store. `/readyz` says not ready meanwhile.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use super::redis_subscriber::{forward, Control, Subscriber, Wanted};
use super::redis_wire::Keys;
use super::Incoming;

/// Messages received and not yet handed to the node; past this, new ones
/// are dropped (counted in `confab_pubsub_dropped_total`) and the periodic
/// catch-up reads them from the store.
const MESSAGES_QUEUE: usize = 8192;
/// How long one subscription attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);
/// How often lost subscriptions are tried again.
const RETRY_EVERY: Duration = Duration::from_millis(200);

/// What the cluster's connections push that is not a message.
enum Change {
    /// A node connection closed: its subscriptions are gone.
    Disconnected,
    /// A server ended the subscription to this channel.
    Unsubscribed(String),
}

fn text(value: Option<Value>) -> Option<String> {
    match value? {
        Value::BulkString(bytes) => String::from_utf8(bytes).ok(),
        Value::SimpleString(s) => Some(s),
        _ => None,
    }
}

/// Sorts what the servers push: messages to the bounded queue, changes to
/// the other (they are few: one per channel or connection). The push is
/// owned, so a message's bytes move on without a copy.
fn push_sorter(
    messages: mpsc::Sender<(String, Vec<u8>)>,
    changes: mpsc::UnboundedSender<Change>,
) -> impl Fn(PushInfo) -> Result<(), ()> + Send + Sync + 'static {
    move |push: PushInfo| {
        let mut data = push.data.into_iter();
        match push.kind {
            PushKind::SMessage => {
                let (Some(channel), Some(Value::BulkString(payload))) =
                    (text(data.next()), data.next())
                else {
                    return Ok(());
                };
                if messages.try_send((channel, payload)).is_err() {
                    metrics::counter!("confab_pubsub_dropped_total").increment(1);
                }
            }
            PushKind::SUnsubscribe => {
                if let Some(channel) = text(data.next()) {
                    let _ = changes.send(Change::Unsubscribed(channel));
                }
            }
            PushKind::Disconnection => {
                let _ = changes.send(Change::Disconnected);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Subscribes `rooms` at once, each on its shard; answers those it could not.
async fn subscribe_all(
    conn: &ClusterConnection,
    keys: &Keys,
    rooms: impl Iterator<Item = String>,
) -> HashSet<String> {
    let attempts = rooms.map(|room| {
        let mut conn = conn.clone();
        let channel = keys.channel(&room);
        async move {
            match tokio::time::timeout(ATTEMPT_TIMEOUT, conn.ssubscribe(channel)).await {
                Ok(Ok(())) => None,
                _ => Some(room),
            }
        }
    });
    futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Owns the sharded subscriptions: subscribes, notices losses, forwards.
pub async fn run_sharded_subscriber(subscriber: Subscriber) {
    let Subscriber {
        target,
        keys,
        node,
        mut control,
        incoming,
        up,
    } = subscriber;
    let (messages_tx, mut messages) = mpsc::channel(MESSAGES_QUEUE);
    let (changes_tx, mut changes) = mpsc::unbounded_channel();
    let client = match target.cluster_client(Some(push_sorter(messages_tx, changes_tx))) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "redis cluster client: no fan-out from other instances");
            return;
        }
    };
    let wanted = Wanted::new();
    let mut backoff = Duration::from_millis(100);
    let conn = loop {
        match client.get_async_connection().await {
            Ok(conn) => break conn,
            Err(e) => {
                tracing::warn!(error = %e, "redis cluster unreachable; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                while let Ok(c) = control.try_recv() {
                    wanted.note(c, false);
                }
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        }
    };
    // Rooms whose subscription is not (or no longer) in place.
    let mut lost: HashSet<String> = wanted.rooms().into_iter().collect();
    let mut retry = tokio::time::interval(RETRY_EVERY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            Some((channel, payload)) = messages.recv() => {
                if !forward(&keys, node, &channel, &payload, &incoming).await {
                    return;
                }
            }
            Some(change) = changes.recv() => {
                let before = lost.len();
                match change {
                    Change::Disconnected => lost.extend(wanted.rooms()),
                    Change::Unsubscribed(channel) => {
                        if let Some(room) = keys.room_of(&channel).filter(|r| wanted.contains(r)) {
                            lost.insert(room.to_string());
                        }
                    }
                }
                if before == 0 && !lost.is_empty() {
                    up.store(false, Ordering::Release);
                    tracing::warn!(rooms = lost.len(), "sharded subscriptions lost; subscribing again");
                }
            }
            command = control.recv() => {
                let Some(command) = command else { return };
                match &command {
                    Control::Subscribe(room, _) => {
                        let failed = subscribe_all(&conn, &keys, std::iter::once(room.clone())).await;
                        wanted.note(command, failed.is_empty());
                        lost.extend(failed);
                    }
                    Control::Unsubscribe(room) => {
                        let (room, mut c) = (room.clone(), conn.clone());
                        wanted.note(command, true);
                        lost.remove(&room);
                        let channel = keys.channel(&room);
                        let _ = tokio::time::timeout(ATTEMPT_TIMEOUT, c.sunsubscribe(channel)).await;
                    }
                }
            }
            _ = retry.tick(), if !lost.is_empty() => {
                let rooms: Vec<String> = lost.drain().filter(|r| wanted.contains(r)).collect();
                lost = subscribe_all(&conn, &keys, rooms.into_iter()).await;
                if lost.is_empty() {
                    up.store(true, Ordering::Release);
                    tracing::info!("redis sharded pub/sub subscribed");
                    let _ = incoming.send(Incoming::Resubscribed).await;
                }
            }
        }
    }
}
