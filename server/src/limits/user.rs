//! Per-user limits: how many connections a user may hold open, and how many
//! messages (`send` and `typing` frames) they may send a second, across all of
//! their connections.
//!
//! [`MemoryUserLimits`] counts on one instance. [`super::RedisUserLimits`] counts
//! in Redis, so that a user who spreads over several instances gets the same
//! allowance as on one; when Redis cannot answer it falls back to counting here,
//! so the limits still hold per instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use uuid::Uuid;

use super::TokenBucket;

/// The numbers, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct UserLimitConfig {
    /// Most connections open at once per user.
    pub max_connections: usize,
    /// Messages per second per user, sustained.
    pub rate_per_sec: f64,
    /// Messages per user in a burst above the sustained rate.
    pub burst: f64,
}

#[async_trait]
pub trait UserLimits: Send + Sync + 'static {
    /// Counts one more connection of `user`, unless they are at the limit.
    /// `Some(shared)` admits it (`shared`: counted across instances), `None`
    /// refuses it.
    async fn open_connection(&self, user: Uuid) -> Option<bool>;
    /// Counts one connection fewer (`shared` as `open_connection` answered).
    fn close_connection(&self, user: Uuid, shared: bool);
    /// Takes one message from `user`'s allowance; false when it is spent.
    async fn take_message(&self, user: Uuid) -> bool;
    /// Those of `users` with a connection open, on any instance (`@here`).
    async fn connected(&self, users: &[Uuid]) -> Vec<Uuid>;
    /// Counts one hidden connection of `user` more (`hidden`) or fewer
    /// (`shared` as `open_connection` answered). A connection is visible
    /// unless counted hidden.
    async fn count_hidden(&self, user: Uuid, shared: bool, hidden: bool);
    /// Those of `users` with a visible connection, on any instance: whom
    /// pushes leave alone.
    async fn looking(&self, users: &[Uuid]) -> Vec<Uuid>;
}

/// An admitted connection's place in its user's count, given back when dropped
/// (however the connection ends).
pub struct ConnectionSlot {
    limits: Arc<dyn UserLimits>,
    user: Uuid,
    shared: bool,
    /// Its page is not in front (the client said so).
    hidden: bool,
}

impl ConnectionSlot {
    /// Takes a slot for one more connection of `user`; `None` at the limit.
    pub async fn take(limits: &Arc<dyn UserLimits>, user: Uuid) -> Option<Self> {
        let shared = limits.open_connection(user).await?;
        Some(ConnectionSlot {
            limits: limits.clone(),
            user,
            shared,
            hidden: false,
        })
    }

    /// The client says whether its page is in front.
    pub async fn set_visible(&mut self, visible: bool) {
        if self.hidden != visible {
            return;
        }
        self.hidden = !visible;
        self.limits
            .count_hidden(self.user, self.shared, self.hidden)
            .await;
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if self.hidden {
            let (limits, user, shared) = (self.limits.clone(), self.user, self.shared);
            tokio::spawn(async move { limits.count_hidden(user, shared, false).await });
        }
        self.limits.close_connection(self.user, self.shared);
    }
}

/// The limits counted on this instance alone.
pub struct MemoryUserLimits {
    config: UserLimitConfig,
    connections: Mutex<HashMap<Uuid, usize>>,
    /// Of those, the ones whose page is hidden.
    hidden: Mutex<HashMap<Uuid, usize>>,
    messages: Mutex<HashMap<Uuid, TokenBucket>>,
}

/// Above this many users' buckets, idle (full) ones are dropped.
const MAX_IDLE_BUCKETS: usize = 10_000;

impl MemoryUserLimits {
    pub fn new(config: UserLimitConfig) -> Self {
        MemoryUserLimits {
            config,
            connections: Mutex::default(),
            hidden: Mutex::default(),
            messages: Mutex::default(),
        }
    }

    pub fn config(&self) -> UserLimitConfig {
        self.config
    }

    /// The synchronous core of [`UserLimits::open_connection`].
    pub fn open(&self, user: Uuid) -> bool {
        let mut connections = self.connections.lock().unwrap();
        let open = connections.entry(user).or_insert(0);
        if *open >= self.config.max_connections {
            return false;
        }
        *open += 1;
        true
    }

    /// The synchronous core of [`UserLimits::close_connection`].
    pub fn close(&self, user: Uuid) {
        let mut connections = self.connections.lock().unwrap();
        if let Some(open) = connections.get_mut(&user) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                connections.remove(&user);
            }
        }
    }

    /// The synchronous core of [`UserLimits::connected`]: those of `users`
    /// with a connection open here.
    pub fn connected_here(&self, users: &[Uuid]) -> Vec<Uuid> {
        let connections = self.connections.lock().unwrap();
        users
            .iter()
            .filter(|u| connections.contains_key(u))
            .copied()
            .collect()
    }

    /// The synchronous core of [`UserLimits::count_hidden`].
    pub fn hide(&self, user: Uuid, hidden: bool) {
        let mut counts = self.hidden.lock().unwrap();
        let count = counts.entry(user).or_insert(0);
        if hidden {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&user);
            }
        }
    }

    /// The synchronous core of [`UserLimits::looking`]: those of `users`
    /// with more connections here than hidden ones.
    pub fn looking_here(&self, users: &[Uuid]) -> Vec<Uuid> {
        let connections = self.connections.lock().unwrap();
        let hidden = self.hidden.lock().unwrap();
        users
            .iter()
            .filter(|u| {
                connections.get(u).copied().unwrap_or(0) > hidden.get(u).copied().unwrap_or(0)
            })
            .copied()
            .collect()
    }

    /// The synchronous core of [`UserLimits::take_message`].
    pub fn take(&self, user: Uuid) -> bool {
        let mut messages = self.messages.lock().unwrap();
        if messages.len() > MAX_IDLE_BUCKETS {
            messages.retain(|_, bucket| !bucket.is_full());
        }
        messages
            .entry(user)
            .or_insert_with(|| TokenBucket::new(self.config.rate_per_sec, self.config.burst))
            .try_take()
    }
}

#[async_trait]
impl UserLimits for MemoryUserLimits {
    async fn open_connection(&self, user: Uuid) -> Option<bool> {
        self.open(user).then_some(false)
    }

    fn close_connection(&self, user: Uuid, _shared: bool) {
        self.close(user)
    }

    async fn take_message(&self, user: Uuid) -> bool {
        self.take(user)
    }

    async fn connected(&self, users: &[Uuid]) -> Vec<Uuid> {
        self.connected_here(users)
    }

    async fn count_hidden(&self, user: Uuid, _shared: bool, hidden: bool) {
        self.hide(user, hidden)
    }

    async fn looking(&self, users: &[Uuid]) -> Vec<Uuid> {
        self.looking_here(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Arc<dyn UserLimits> {
        Arc::new(MemoryUserLimits::new(UserLimitConfig {
            max_connections: 2,
            rate_per_sec: 0.0,
            burst: 3.0,
        }))
    }

    #[tokio::test]
    async fn connections_are_counted_per_user_and_given_back_on_drop() {
        let limits = limits();
        let (alice, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let first = ConnectionSlot::take(&limits, alice).await.unwrap();
        let _second = ConnectionSlot::take(&limits, alice).await.unwrap();
        assert!(ConnectionSlot::take(&limits, alice).await.is_none());
        assert!(ConnectionSlot::take(&limits, bob).await.is_some());
        drop(first);
        assert!(ConnectionSlot::take(&limits, alice).await.is_some());
    }

    #[tokio::test]
    async fn a_user_looks_while_any_connection_is_visible() {
        let limits = limits();
        let alice = Uuid::from_u128(1);
        assert!(limits.looking(&[alice]).await.is_empty(), "not connected");
        let mut first = ConnectionSlot::take(&limits, alice).await.unwrap();
        let mut second = ConnectionSlot::take(&limits, alice).await.unwrap();
        assert_eq!(limits.looking(&[alice]).await, vec![alice]);
        first.set_visible(false).await;
        first.set_visible(false).await;
        assert_eq!(limits.looking(&[alice]).await, vec![alice], "one in front");
        second.set_visible(false).await;
        assert!(limits.looking(&[alice]).await.is_empty(), "both hidden");
        second.set_visible(true).await;
        assert_eq!(limits.looking(&[alice]).await, vec![alice]);
        drop(second);
        assert!(
            limits.looking(&[alice]).await.is_empty(),
            "the hidden one left"
        );
        drop(first);
        tokio::task::yield_now().await;
        let third = ConnectionSlot::take(&limits, alice).await.unwrap();
        assert_eq!(
            limits.looking(&[alice]).await,
            vec![alice],
            "nothing left hidden"
        );
        drop(third);
    }

    #[tokio::test]
    async fn messages_are_counted_per_user() {
        let limits = limits();
        let (alice, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
        for _ in 0..3 {
            assert!(limits.take_message(alice).await);
        }
        assert!(!limits.take_message(alice).await, "burst spent, no refill");
        assert!(limits.take_message(bob).await);
    }
}
