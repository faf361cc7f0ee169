//! [`UserLimits`] counted in Redis, so they hold across instances.
//!
//! - **Connections**: a hash per user, one field per instance with its count.
//!   Admission sums the fields and increments this instance's in one script
//!   on that one key (so it runs on a Redis Cluster too), so two instances
//!   can't both admit the last slot. Each instance also counts its users'
//!   connections in its own share (`redis_wire`), so that when it dies the
//!   presence reaper removes its fields from those users' hashes.
//! - **Hidden connections**: the field `NODE:hidden` of the same hash counts
//!   those of the user's connections there whose page is not in front; the
//!   user is looking while their connections outnumber their hidden ones.
//!   The reaper removes it with the instance's count.
//! - **Messages**: GCRA (a token bucket kept as one timestamp) per user, in one
//!   script on Redis' clock. An instance takes a tenth of the burst at a time
//!   and spends it locally for up to [`LEASE_LIFE`], so a busy user costs one
//!   round trip per lease, not per message. At worst, tokens leased and not
//!   spent on one instance are missing on another for that long.
//!
//! If Redis does not answer quickly, the check is made on this instance alone,
//! and while Redis is down ([`RedisHealth`]) every check is, without asking it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::broker::redis_target::RedisCommands;
use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use uuid::Uuid;

use super::{MemoryUserLimits, UserLimitConfig, UserLimits};
use crate::broker::redis_health::RedisHealth;
use crate::broker::redis_wire::Keys;

/// How long a check may wait for Redis before it is made locally instead.
/// Only that check: a slow answer is not a dead Redis (`RedisHealth::run_within`);
/// failing to reach it marks it down until it answers a probe.
const CHECK_TIMEOUT: Duration = Duration::from_millis(100);

/// Sums the connection fields (not the `NODE:hidden` ones) of KEYS[1].
const ADMIT: &str = r"
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if not string.find(fields[i], ':hidden', 1, true) then total = total + tonumber(fields[i + 1]) end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1
";

const RELEASE: &str = r"
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left
";

/// GCRA, taking up to ARGV[3] tokens at once: ARGV[1] is the emission
/// interval and ARGV[2] the burst allowance, in ms. Answers how many it took.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local room = math.floor((tonumber(ARGV[2]) - (tat - now)) / interval)
local n = math.min(tonumber(ARGV[3]), room)
if n < 1 then return 0 end
local next_tat = tat + n * interval
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now) + 1000)
return n
";

/// The suffix of an instance's hidden-connection field in a user's hash.
const HIDDEN: &str = ":hidden";

/// The field counting `node`'s hidden connections of a user.
pub fn hidden_field(node: &str) -> String {
    format!("{node}{HIDDEN}")
}

/// How long leased message tokens may be spent before they lapse.
const LEASE_LIFE: Duration = Duration::from_secs(1);

pub struct RedisUserLimits {
    commands: RedisCommands,
    health: Arc<RedisHealth>,
    keys: Keys,
    /// This instance's id: its field in each user's connection hash.
    node: String,
    /// This instance's share key (`redis_wire`), which lists its users'
    /// connections for whoever reaps it.
    share: String,
    local: MemoryUserLimits,
    /// user → message tokens leased from Redis and not spent, and until when.
    leases: std::sync::Mutex<std::collections::HashMap<Uuid, (u64, std::time::Instant)>>,
    admit: Script,
    release: Script,
    take: Script,
}

impl RedisUserLimits {
    pub fn new(
        commands: RedisCommands,
        health: Arc<RedisHealth>,
        keys: Keys,
        node: Uuid,
        config: UserLimitConfig,
    ) -> Self {
        RedisUserLimits {
            commands,
            health,
            share: keys.node_share(&node.to_string()),
            node: node.to_string(),
            keys,
            local: MemoryUserLimits::new(config),
            leases: Default::default(),
            admit: Script::new(ADMIT),
            release: Script::new(RELEASE),
            take: Script::new(TAKE),
        }
    }

    /// Runs a check in Redis unless it is known to be down; `None` means
    /// check locally.
    async fn timed<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        match self.health.run_within(CHECK_TIMEOUT, f).await {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::debug!(error = %e, "redis limit check failed; checking locally");
                None
            }
        }
    }

    /// One connection fewer under `field` of the hash `key` (in the
    /// background: nobody waits for it).
    fn release(&self, key: String, field: String) {
        tokio::spawn(self.releasing(key, field));
    }

    /// What [`Self::release`] runs, to run later.
    fn releasing(&self, key: String, field: String) -> impl Future<Output = ()> + Send + 'static {
        let mut conn = self.commands.clone();
        let (release, health) = (self.release.clone(), self.health.clone());
        async move {
            let mut invocation = release.key(key);
            invocation.arg(field);
            let _ = health
                .run_within(CHECK_TIMEOUT, invocation.invoke_async::<i64>(&mut conn))
                .await;
        }
    }

    /// Records a connection of `user` in this instance's share, then asks
    /// the admission script (1: admitted, 0: refused).
    fn asking_admission(
        &self,
        user: Uuid,
    ) -> impl Future<Output = redis::RedisResult<i64>> + Send + 'static {
        let mut conn = self.commands.clone();
        let in_order = self.commands.runs_in_order();
        let (share, admit) = (self.share.clone(), self.admit.clone());
        let (key, node) = (self.keys.connections(user), self.node.clone());
        let max = self.local.config().max_connections;
        async move {
            // The share first, so that whatever the admission leaves
            // counted, the reaper of a dead instance finds it (a share
            // naming a user with nothing counted is harmless).
            let mut admission = admit.key(key);
            admission.arg(node).arg(max);
            if !in_order {
                // A cluster may hold the two keys on two shards: one at a time.
                conn.hincr::<_, _, _, ()>(&share, user.to_string(), 1)
                    .await?;
                return admission.invoke_async(&mut conn).await;
            }
            // One server runs a connection's commands in the order sent:
            // both in one round trip, the share still first.
            let mut both = redis::pipe();
            both.hincr(&share, user.to_string(), 1)
                .ignore()
                .invoke_script(&admission);
            match both.query_async::<(i64,)>(&mut conn).await {
                Ok((admitted,)) => Ok(admitted),
                // The share is recorded; the server did not know the script
                // yet (new, or restarted): load it and admit.
                Err(e) if e.kind() == redis::ErrorKind::NoScriptError => {
                    admission.invoke_async(&mut conn).await
                }
                Err(e) => Err(e),
            }
        }
    }
}

#[async_trait]
impl UserLimits for RedisUserLimits {
    async fn open_connection(&self, user: Uuid) -> Option<bool> {
        // While Redis is down, not asked at all: the task below would run
        // whatever `timed` answers.
        if !self.health.is_up() {
            return self.local.open(user).then_some(false);
        }
        // Asked in a task of its own: an answer later than the check's
        // deadline (the connection is counted here meanwhile) is still
        // heard, and what it recorded given back, so that a slow Redis
        // leaves no connection counted twice.
        let mut asking = tokio::spawn(self.asking_admission(user));
        let mut heard = false;
        let answer = self
            .timed(async {
                let answer = (&mut asking).await;
                heard = true;
                answer.unwrap_or_else(|_| {
                    Err((redis::ErrorKind::ClientError, "the admission task ended").into())
                })
            })
            .await;
        match answer {
            Some(1) => Some(true),
            Some(_) => {
                self.release(self.share.clone(), user.to_string());
                None
            }
            None if heard => self.local.open(user).then_some(false),
            None => {
                let share_back = self.releasing(self.share.clone(), user.to_string());
                let admitted_back = self.releasing(self.keys.connections(user), self.node.clone());
                tokio::spawn(async move {
                    if let Ok(Ok(admitted)) = asking.await {
                        share_back.await;
                        if admitted == 1 {
                            admitted_back.await;
                        }
                    }
                });
                self.local.open(user).then_some(false)
            }
        }
    }

    fn close_connection(&self, user: Uuid, shared: bool) {
        if !shared {
            return self.local.close(user);
        }
        self.release(self.keys.connections(user), self.node.clone());
        self.release(self.share.clone(), user.to_string());
    }

    async fn take_message(&self, user: Uuid) -> bool {
        let now = std::time::Instant::now();
        {
            let mut leases = self.leases.lock().unwrap();
            match leases.get_mut(&user) {
                Some((left, until)) if *left > 0 && now < *until => {
                    *left -= 1;
                    return true;
                }
                Some(_) => {
                    leases.remove(&user);
                }
                None => {}
            }
        }
        let config = self.local.config();
        let interval_ms = 1000.0 / config.rate_per_sec.max(1e-6);
        let lease = (config.burst / 10.0).floor().max(1.0) as u64;
        let mut conn = self.commands.clone();
        let taken: Option<u64> = self
            .timed(
                self.take
                    .key(self.keys.rate(user))
                    .arg(interval_ms)
                    .arg(interval_ms * config.burst.max(1.0))
                    .arg(lease)
                    .invoke_async(&mut conn),
            )
            .await;
        match taken {
            Some(0) => false,
            Some(taken) => {
                if taken > 1 {
                    let mut leases = self.leases.lock().unwrap();
                    if leases.len() >= 100_000 {
                        leases.retain(|_, (_, until)| now < *until);
                    }
                    leases.insert(user, (taken - 1, now + LEASE_LIFE));
                }
                true
            }
            None => self.local.take(user),
        }
    }

    async fn count_hidden(&self, user: Uuid, shared: bool, hidden: bool) {
        if !shared {
            return self.local.hide(user, hidden);
        }
        let field = hidden_field(&self.node);
        if hidden {
            let mut conn = self.commands.clone();
            let counted = conn.hincr::<_, _, _, ()>(self.keys.connections(user), field, 1);
            if self.timed(counted).await.is_none() {
                self.local.hide(user, hidden);
            }
        } else {
            self.local.hide(user, hidden);
            self.release(self.keys.connections(user), field);
        }
    }

    /// One `HGETALL` per user, pipelined; with Redis down, those looking
    /// here.
    async fn looking(&self, users: &[Uuid]) -> Vec<Uuid> {
        let mut pipe = redis::pipe();
        for user in users {
            pipe.hgetall(self.keys.connections(*user));
        }
        let mut conn = self.commands.clone();
        let found: Option<Vec<Vec<(String, i64)>>> = self.timed(pipe.query_async(&mut conn)).await;
        let Some(found) = found else {
            return self.local.looking_here(users);
        };
        users
            .iter()
            .zip(found)
            .filter(|(_, fields)| {
                let (hidden, open): (Vec<_>, Vec<_>) = fields
                    .iter()
                    .partition(|(field, _)| field.ends_with(HIDDEN));
                let sum = |v: Vec<&(String, i64)>| v.iter().map(|(_, n)| *n).sum::<i64>();
                sum(open) > sum(hidden)
            })
            .map(|(user, _)| *user)
            .collect()
    }

    /// One `EXISTS` per user, pipelined (each key on its own: a Cluster
    /// routes them); with Redis down, those connected here (and counted
    /// here alone meanwhile).
    async fn connected(&self, users: &[Uuid]) -> Vec<Uuid> {
        let mut here = self.local.connected_here(users);
        let mut pipe = redis::pipe();
        for user in users {
            pipe.exists(self.keys.connections(*user));
        }
        let mut conn = self.commands.clone();
        let found: Option<Vec<bool>> = self.timed(pipe.query_async(&mut conn)).await;
        if let Some(found) = found {
            here.extend(
                users
                    .iter()
                    .zip(found)
                    .filter(|(_, open)| *open)
                    .map(|(user, _)| *user),
            );
            here.sort();
            here.dedup();
        }
        here
    }
}
