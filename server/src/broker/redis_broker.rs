//! The Redis broker: many instances act as one.
//!
//! - **Publish**: a dedicated task takes events from a bounded queue and PUBLISHes
//!   them, pipelined, on a reconnecting [`RedisCommands`]. A send never waits
//!   for Redis; if Redis is down the event is dropped, and the store (the truth)
//!   fills the gap on the other instances when it is back.
//! - **Subscribe**: one pub/sub connection per instance, owned by a task that
//!   reconnects with backoff, resubscribes to every room with local members, and
//!   then reports [`Incoming::Resubscribed`] so the node reads what it missed.
//!   A room's channel is subscribed when its first local member joins.
//! - **Presence**: per-room counts of connections per user in Redis hashes, with
//!   each instance's share recorded under its own key; an instance that stops
//!   heartbeating has its share removed by the others.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::protocol::UserRef;
use async_trait::async_trait;
use futures_util::StreamExt;
use redis::aio::ConnectionManagerConfig;
use redis::AsyncCommands;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::redis_health::RedisHealth;
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
/// (a lost eviction still heals at the next resubscription: `Node::recheck_access`).
const KEPT_WHILE_DOWN: usize = 10_000;

enum Control {
    Subscribe(String, oneshot::Sender<Result<(), BrokerError>>),
    Unsubscribe(String),
}

pub struct RedisBroker {
    node: Uuid,
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
        let keys = Keys::new(prefix);
        let node = Uuid::new_v4();
        let (publish, publish_rx) = mpsc::channel(PUBLISH_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let health = RedisHealth::start(commands.clone(), target.clone(), config);
        let broker = Arc::new(RedisBroker {
            node,
            keys: keys.clone(),
            commands: commands.clone(),
            health: health.clone(),
            publish,
            control,
            subscribed: Arc::default(),
        });
        tokio::spawn(run_publisher(commands.clone(), health, publish_rx));
        tokio::spawn(run_subscriber(
            target,
            keys.clone(),
            node,
            control_rx,
            incoming,
            broker.subscribed.clone(),
        ));
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
        let key = self.keys.presence(room);
        let share = self.keys.node_share(&self.node.to_string());
        let field = Keys::share_field(room, user.id);
        let id = user.id.to_string();
        let (count,): (i64,) = self
            .timed(
                redis::pipe()
                    .atomic()
                    .hincr(&key, &id, 1)
                    .hset(self.keys.names(), &id, &user.name)
                    .ignore()
                    .hincr(&share, &field, 1)
                    .ignore()
                    .query_async(&mut conn),
            )
            .await?;
        Ok(count == 1)
    }

    async fn presence_leave(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError> {
        let mut conn = self.commands.clone();
        let key = self.keys.presence(room);
        let share = self.keys.node_share(&self.node.to_string());
        let field = Keys::share_field(room, user.id);
        let id = user.id.to_string();
        let (count, _): (i64, i64) = self
            .timed(
                redis::pipe()
                    .atomic()
                    .hincr(&key, &id, -1)
                    .hincr(&share, &field, -1)
                    .query_async(&mut conn),
            )
            .await?;
        if count <= 0 {
            let _: Result<(), _> = self.timed(conn.hdel(&key, &id)).await;
            let _: Result<(), _> = self.timed(conn.hdel(&share, &field)).await;
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
    mut conn: RedisCommands,
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
        let mut pipe = redis::pipe();
        for (channel, payload, _) in kept.iter().chain(&batch) {
            pipe.publish(channel, payload).ignore();
        }
        let sent: Result<(), _> = health
            .run(COMMAND_TIMEOUT, pipe.query_async(&mut conn))
            .await;
        match sent {
            Ok(()) => kept.clear(),
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

/// Owns the pub/sub connection: connects, (re)subscribes, forwards messages.
async fn run_subscriber(
    target: Arc<RedisTarget>,
    keys: Keys,
    node: Uuid,
    mut control: mpsc::UnboundedReceiver<Control>,
    incoming: mpsc::Sender<Incoming>,
    up: Arc<AtomicBool>,
) {
    // Every instance always listens to the channel for user-wide events.
    let wanted: Mutex<HashSet<String>> = Mutex::new(HashSet::from([super::ALL_ROOMS.to_string()]));
    let mut backoff = Duration::from_millis(100);
    loop {
        // With Sentinel, each (re)connection goes to the master it names now.
        let pubsub = match async { target.client().await?.get_async_pubsub().await }.await {
            Ok(pubsub) => pubsub,
            Err(e) => {
                tracing::warn!(error = %e, "redis pub/sub unreachable; retrying in {backoff:?}");
                // Answer subscribe requests meanwhile: wanted, subscribed later.
                let deadline = tokio::time::sleep(backoff);
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        _ = &mut deadline => break,
                        Some(c) = control.recv() => note_wanted(&wanted, c, false),
                    }
                }
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue;
            }
        };
        let (mut sink, mut stream) = pubsub.split();
        let rooms: Vec<String> = wanted.lock().unwrap().iter().cloned().collect();
        let mut ok = true;
        for room in &rooms {
            if sink.subscribe(keys.channel(room)).await.is_err() {
                ok = false;
                break;
            }
        }
        if !ok {
            continue;
        }
        backoff = Duration::from_millis(100);
        up.store(true, Ordering::Release);
        tracing::info!(rooms = rooms.len(), "redis pub/sub subscribed");
        let _ = incoming.send(Incoming::Resubscribed).await;
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else { break };
                    let Some(room) = keys.room_of(message.get_channel_name()) else { continue };
                    match Envelope::decode(message.get_payload_bytes()) {
                        Some(envelope) if envelope.origin == node => {}
                        Some(envelope) => {
                            let event = Incoming::Event(room.to_string(), envelope.event.into());
                            if incoming.send(event).await.is_err() {
                                return;
                            }
                        }
                        None => tracing::warn!(room, "unreadable broker message; the store fills in"),
                    }
                }
                command = control.recv() => {
                    let Some(command) = command else { return };
                    let result = match &command {
                        Control::Subscribe(room, _) => sink.subscribe(keys.channel(room)).await,
                        Control::Unsubscribe(room) => sink.unsubscribe(keys.channel(room)).await,
                    };
                    let failed = result.is_err();
                    note_wanted(&wanted, command, !failed);
                    if failed { break; }
                }
            }
        }
        up.store(false, Ordering::Release);
        tracing::warn!("redis pub/sub connection lost; reconnecting");
    }
}

/// Records what the node wants subscribed, and answers a subscribe request.
fn note_wanted(wanted: &Mutex<HashSet<String>>, command: Control, done: bool) {
    match command {
        Control::Subscribe(room, answer) => {
            wanted.lock().unwrap().insert(room);
            let _ = answer.send(if done {
                Ok(())
            } else {
                Err(BrokerError(
                    "redis pub/sub is down; will subscribe on reconnect".into(),
                ))
            });
        }
        Control::Unsubscribe(room) => {
            wanted.lock().unwrap().remove(&room);
        }
    }
}
