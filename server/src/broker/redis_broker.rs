//! The Redis broker: many instances act as one.
//!
//! - **Publish**: a dedicated task takes events from a bounded queue and PUBLISHes
//!   them, pipelined, on a reconnecting [`RedisCommands`]. A send never waits
//!   for Redis; if Redis is down the event is dropped, and the store (the truth)
//!   fills the gap on the other instances when it is back.
//!   On a Redis Cluster, room channels are sharded (`SPUBLISH`), and one
//!   pipeline goes to each slot's shard.
//! - **Subscribe**: one pub/sub connection per instance (`redis_subscriber`),
//!   or on a cluster the sharded subscriptions (`redis_sharded`), owned by a
//!   task that resubscribes to every room with local members after a loss, and
//!   then reports [`Incoming::Resubscribed`] so the node reads what it missed.
//!   A room's channel is subscribed when its first local member joins.
//! - **Presence**: per-room counts of connections per user in Redis hashes, with
//!   each instance's share recorded under its own key; an instance that stops
//!   heartbeating has its share removed by the others.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use protocol::UserRef;
use redis::aio::ConnectionManagerConfig;
use redis::AsyncCommands;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::redis_health::RedisHealth;
use super::redis_subscriber::Control;
use super::redis_target::{RedisCommands, RedisTarget};
use super::redis_wire::{Envelope, Keys};
use super::{Broker, BrokerError, BrokerEvent, Incoming};

/// Events waiting to be published; beyond this they are dropped (the store has them).
const PUBLISH_QUEUE: usize = 8192;
/// Most events sent in one pipeline.
const PUBLISH_BATCH: usize = 256;
/// How long a command may take before Redis counts as unreachable.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an instance proves it is alive; three missed beats and its presence
/// share is removed.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// An event waiting to be published: its channel, its bytes, and whether it
/// must arrive ([`BrokerEvent::must_arrive`]).
type Publish = (String, Vec<u8>, bool);

/// Events that must arrive kept while Redis is down; past this the oldest go
/// (a lost eviction still heals at the next resubscription: `Node::recheck_members`).
const KEPT_WHILE_DOWN: usize = 10_000;

pub struct RedisBroker {
    node: Uuid,
    /// This instance's presence share key (`redis_wire`).
    share: String,
    keys: Keys,
    commands: RedisCommands,
    /// Whether Redis answers: commands are skipped while it does not.
    health: Arc<RedisHealth>,
    publish: mpsc::Sender<Publish>,
    control: mpsc::UnboundedSender<Control>,
    /// Whether the pub/sub connection is up.
    subscribed: Arc<AtomicBool>,
}

fn unavailable(e: impl std::fmt::Display) -> BrokerError {
    BrokerError(e.to_string())
}

impl RedisBroker {
    /// Connects (retrying for a while if Redis is not up yet) and starts the
    /// publisher, subscriber and heartbeat tasks. Events from other instances go
    /// to `incoming`.
    pub async fn connect(
        target: RedisTarget,
        prefix: &str,
        incoming: mpsc::Sender<Incoming>,
    ) -> anyhow::Result<Arc<Self>> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(COMMAND_TIMEOUT)
            .set_response_timeout(COMMAND_TIMEOUT)
            .set_max_delay(2_000);
        let mut attempt = 0;
        let commands = loop {
            match target.connect(&config).await {
                Ok(commands) => break commands,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    tracing::warn!(error = %e, "redis not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let target = Arc::new(target);
        let keys = Keys::new(prefix, target.is_cluster());
        let node = Uuid::new_v4();
        let (publish, publish_rx) = mpsc::channel(PUBLISH_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let health = RedisHealth::start(commands.clone(), target.clone(), config);
        let broker = Arc::new(RedisBroker {
            node,
            share: keys.node_share(&node.to_string()),
            keys: keys.clone(),
            commands: commands.clone(),
            health: health.clone(),
            publish,
            control,
            subscribed: Arc::default(),
        });
        tokio::spawn(run_publisher(
            commands.clone(),
            keys.clone(),
            health,
            publish_rx,
        ));
        let is_cluster = target.is_cluster();
        let subscriber = super::redis_subscriber::Subscriber {
            target,
            keys: keys.clone(),
            node,
            control: control_rx,
            incoming,
            up: broker.subscribed.clone(),
        };
        if is_cluster {
            tokio::spawn(super::redis_sharded::run_sharded_subscriber(subscriber));
        } else {
            tokio::spawn(super::redis_subscriber::run_subscriber(subscriber));
        }
        tokio::spawn(super::redis_presence::run_heartbeat(
            commands,
            keys.clone(),
            node,
        ));
        tracing::info!(%node, "redis broker connected");
        Ok(broker)
    }

    /// The key names this broker uses, for other Redis-backed state.
    pub fn keys(&self) -> Keys {
        self.keys.clone()
    }

    /// The command connection, for other Redis-backed state (login throttling,
    /// user limits).
    pub fn commands(&self) -> RedisCommands {
        self.commands.clone()
    }

    /// Whether Redis answers, for other Redis-backed state to skip it too.
    pub fn health(&self) -> Arc<RedisHealth> {
        self.health.clone()
    }

    /// Runs a command unless Redis is known to be down (see [`RedisHealth`]).
    async fn timed<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, BrokerError> {
        self.health.run(COMMAND_TIMEOUT, f).await
    }

    /// This instance's id in Redis (its heartbeat and presence share).
    pub fn node(&self) -> Uuid {
        self.node
    }
}

#[async_trait]
impl Broker for RedisBroker {
    async fn publish(&self, room: &str, event: BrokerEvent) -> Result<(), BrokerError> {
        let must_arrive = event.must_arrive();
        let envelope = Envelope {
            origin: self.node,
            event: event.into(),
        };
        let payload = envelope.encode();
        self.publish
            .try_send((self.keys.channel(room), payload, must_arrive))
            .map_err(|_| BrokerError("publish queue full".into()))
    }

    async fn subscribe(&self, room: &str) -> Result<(), BrokerError> {
        let (done, answer) = oneshot::channel();
        self.control
            .send(Control::Subscribe(room.to_string(), done))
            .map_err(unavailable)?;
        match tokio::time::timeout(COMMAND_TIMEOUT, answer).await {
            Ok(Ok(result)) => result,
            _ => Err(BrokerError("subscribe timed out".into())),
        }
    }

    async fn unsubscribe(&self, room: &str) -> Result<(), BrokerError> {
        self.control
            .send(Control::Unsubscribe(room.to_string()))
            .map_err(unavailable)
    }

    async fn presence_join(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError> {
        let mut conn = self.commands.clone();
        let (key, share) = (self.keys.presence(room), &self.share);
        let field = Keys::share_field(room, user.id);
        let id = user.id.to_string();
        // The share first, so that it never holds less than the reaper must
        // give back. One server runs them in the order sent: one round trip.
        if self.commands.runs_in_order() {
            let mut all = redis::pipe();
            all.hincr(share, &field, 1)
                .ignore()
                .hincr(&key, &id, 1)
                .hset(self.keys.names(), &id, &user.name)
                .ignore();
            let (count,): (i64,) = self.timed(all.query_async(&mut conn)).await?;
            return Ok(count == 1);
        }
        // Three keys, perhaps on three shards: separate commands.
        self.timed(conn.hincr::<_, _, _, ()>(share, &field, 1))
            .await?;
        let mut names = conn.clone();
        let (count, ()) = self
            .timed(async {
                tokio::try_join!(
                    conn.hincr::<_, _, _, i64>(&key, &id, 1),
                    names.hset::<_, _, _, ()>(self.keys.names(), &id, &user.name),
                )
            })
            .await?;
        Ok(count == 1)
    }

    async fn presence_leave(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError> {
        let mut conn = self.commands.clone();
        let (key, share) = (self.keys.presence(room), &self.share);
        let field = Keys::share_field(room, user.id);
        let id = user.id.to_string();
        // The count first, the share after (see presence_join).
        let (count, mine_left): (i64, i64) = if self.commands.runs_in_order() {
            let mut both = redis::pipe();
            both.hincr(&key, &id, -1).hincr(share, &field, -1);
            self.timed(both.query_async(&mut conn)).await?
        } else {
            let count = self.timed(conn.hincr(&key, &id, -1)).await?;
            (count, self.timed(conn.hincr(share, &field, -1)).await?)
        };
        if count <= 0 {
            let _: Result<(), _> = self.timed(conn.hdel(&key, &id)).await;
        }
        if mine_left <= 0 {
            let _: Result<(), _> = self.timed(conn.hdel(share, &field)).await;
        }
        Ok(count == 0)
    }

    async fn presence_list(&self, room: &str) -> Result<Vec<UserRef>, BrokerError> {
        let mut conn = self.commands.clone();
        let counts: Vec<(String, i64)> = self.timed(conn.hgetall(self.keys.presence(room))).await?;
        let ids: Vec<String> = counts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(id, _)| id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<Option<String>> = self
            .timed(
                redis::cmd("HMGET")
                    .arg(self.keys.names())
                    .arg(&ids)
                    .query_async(&mut conn),
            )
            .await?;
        let mut users: Vec<UserRef> = ids
            .iter()
            .zip(names)
            .filter_map(|(id, name)| {
                Some(UserRef {
                    id: Uuid::parse_str(id).ok()?,
                    name: name?,
                })
            })
            .collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    async fn ready(&self) -> bool {
        let mut conn = self.commands.clone();
        let ping: Result<String, _> = self.timed(redis::cmd("PING").query_async(&mut conn)).await;
        ping.is_ok() && self.subscribed.load(Ordering::Acquire)
    }
}

/// Publishes queued events, as many per round trip as are waiting. While
/// Redis is down it drops them at once (the queue never fills), but keeps
/// those that must arrive and publishes them first when Redis is back.
async fn run_publisher(
    conn: RedisCommands,
    keys: Keys,
    health: Arc<RedisHealth>,
    mut queue: mpsc::Receiver<Publish>,
) {
    let mut batch: Vec<Publish> = Vec::with_capacity(PUBLISH_BATCH);
    let mut kept: std::collections::VecDeque<Publish> = Default::default();
    loop {
        tokio::select! {
            n = queue.recv_many(&mut batch, PUBLISH_BATCH) => if n == 0 { return },
            // Kept events go out soon after Redis is back, even if nothing new comes.
            _ = tokio::time::sleep(super::redis_health::PROBE_EVERY), if !kept.is_empty() => {}
        }
        if !health.is_up() {
            metrics::counter!("confab_publishes_dropped_total").increment(batch.len() as u64);
            keep_must_arrive(&mut kept, batch.drain(..));
            continue;
        }
        let pipes = pipelines(&keys, kept.iter().chain(&batch));
        let sends = pipes.values().map(|pipe| {
            let mut conn = conn.clone();
            async move { pipe.query_async::<()>(&mut conn).await }
        });
        let sent = health
            .run(COMMAND_TIMEOUT, futures_util::future::try_join_all(sends))
            .await;
        match sent {
            Ok(_) => kept.clear(),
            Err(e) => {
                // Dropped, but what must arrive: subscribers fill the gap
                // from the store on reconnect or at their next periodic check.
                tracing::warn!(error = %e, "publish failed");
                keep_must_arrive(&mut kept, batch.drain(..));
            }
        }
        batch.clear();
    }
}

/// The publishes of `events`, in order, in one pipeline — or on a cluster,
/// one per slot (a pipeline goes to one shard).
fn pipelines<'a>(
    keys: &Keys,
    events: impl Iterator<Item = &'a Publish>,
) -> BTreeMap<u16, redis::Pipeline> {
    let mut pipes: BTreeMap<u16, redis::Pipeline> = BTreeMap::new();
    for (channel, payload, _) in events {
        let slot = match keys.sharded() {
            true => super::redis_wire::slot(channel.as_bytes()),
            false => 0,
        };
        let pipe = pipes.entry(slot).or_default();
        pipe.add_command(keys.publish(channel, payload)).ignore();
    }
    pipes
}

/// Keeps, of `events`, those that must arrive, at most [`KEPT_WHILE_DOWN`]
/// (the oldest go first).
fn keep_must_arrive(
    kept: &mut std::collections::VecDeque<Publish>,
    events: impl Iterator<Item = Publish>,
) {
    for event in events.filter(|(_, _, keep)| *keep) {
        if kept.len() >= KEPT_WHILE_DOWN {
            kept.pop_front();
            tracing::warn!("too many events kept while redis is down: the oldest went");
        }
        kept.push_back(event);
    }
}
