//! Receiving from Redis: what the node wants subscribed, and the pub/sub
//! connection of one server (or of the master Sentinel names).
//!
//! Contract shared with the cluster subscriber (`redis_sharded`): the node
//! asks for a room's channel when its first local member joins and drops it
//! with the last; the subscriber keeps what is wanted across reconnections,
//! and after every (re)subscription that may have missed messages it reports
//! [`Incoming::Resubscribed`], so the node reads what it missed from the
//! store. Its own instance's events are ignored.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::redis_target::RedisTarget;
use super::redis_wire::{Envelope, Keys};
use super::{BrokerError, Incoming};

pub enum Control {
    Subscribe(String, oneshot::Sender<Result<(), BrokerError>>),
    Unsubscribe(String),
}

/// The rooms wanted subscribed; every instance always wants the channel of
/// user-wide events.
pub struct Wanted(Mutex<HashSet<String>>);

impl Wanted {
    pub fn new() -> Self {
        Wanted(Mutex::new(HashSet::from([super::ALL_ROOMS.to_string()])))
    }

    pub fn rooms(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().cloned().collect()
    }

    pub fn contains(&self, room: &str) -> bool {
        self.0.lock().unwrap().contains(room)
    }

    /// Records what the node wants subscribed, and answers a subscribe
    /// request (`done`: the subscription is in place).
    pub fn note(&self, command: Control, done: bool) {
        match command {
            Control::Subscribe(room, answer) => {
                self.0.lock().unwrap().insert(room);
                let _ = answer.send(if done {
                    Ok(())
                } else {
                    Err(BrokerError(
                        "redis pub/sub is down; will subscribe on reconnect".into(),
                    ))
                });
            }
            Control::Unsubscribe(room) => {
                self.0.lock().unwrap().remove(&room);
            }
        }
    }
}

/// Hands a message from `channel` to the node, unless this instance sent
/// it. False when the node is gone.
pub async fn forward(
    keys: &Keys,
    node: Uuid,
    channel: &str,
    payload: &[u8],
    incoming: &mpsc::Sender<Incoming>,
) -> bool {
    let Some(room) = keys.room_of(channel) else {
        return true;
    };
    match Envelope::decode(payload) {
        Some(envelope) if envelope.origin == node => true,
        Some(envelope) => {
            let event = Incoming::Event(room.to_string(), envelope.event.into());
            incoming.send(event).await.is_ok()
        }
        None => {
            tracing::warn!(room, "unreadable broker message; the store fills in");
            true
        }
    }
}

/// What a subscriber task owns: where Redis is, whose events to ignore
/// (`node`), requests from the node, where events go, and the flag it keeps
/// true while its subscriptions are in place.
pub struct Subscriber {
    pub target: Arc<RedisTarget>,
    pub keys: Keys,
    pub node: Uuid,
    pub control: mpsc::UnboundedReceiver<Control>,
    pub incoming: mpsc::Sender<Incoming>,
    pub up: Arc<AtomicBool>,
}

/// Owns the pub/sub connection: connects, (re)subscribes, forwards messages.
pub async fn run_subscriber(subscriber: Subscriber) {
    let Subscriber {
        target,
        keys,
        node,
        mut control,
        incoming,
        up,
    } = subscriber;
    let wanted = Wanted::new();
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
                        Some(c) = control.recv() => wanted.note(c, false),
                    }
                }
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue;
            }
        };
        let (mut sink, mut stream) = pubsub.split();
        let rooms = wanted.rooms();
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
                    let channel = message.get_channel_name();
                    if !forward(&keys, node, channel, message.get_payload_bytes(), &incoming).await {
                        return;
                    }
                }
                command = control.recv() => {
                    let Some(command) = command else { return };
                    let result = match &command {
                        Control::Subscribe(room, _) => sink.subscribe(keys.channel(room)).await,
                        Control::Unsubscribe(room) => sink.unsubscribe(keys.channel(room)).await,
                    };
                    let failed = result.is_err();
                    wanted.note(command, !failed);
                    if failed { break; }
                }
            }
        }
        up.store(false, Ordering::Release);
        tracing::warn!("redis pub/sub connection lost; reconnecting");
    }
}
