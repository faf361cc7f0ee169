//! Whether Redis answers, shared by everything that talks to it (the broker,
//! presence, the per-user limits), so that a dead Redis costs no one a wait.
//!
//! Contract: a command runs only while Redis counts as up; a connection
//! failure or a timeout marks it down at once (but a deadline of the caller's
//! own, [`RedisHealth::run_within`], fails only that call), and from then on every caller
//! gets an error immediately and does without (limits count locally,
//! publishes are dropped — the store is the truth —, presence degrades) until
//! the prober's PING, every [`PROBE_EVERY`], is answered again. So at most
//! the commands already in flight when Redis died wait, each for its own
//! timeout; nothing on the send path waits after that.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManagerConfig;

use super::redis_target::{RedisCommands, RedisTarget};

use super::BrokerError;

/// How often a down Redis is asked whether it is back.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// How long the prober's PING may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

pub struct RedisHealth {
    up: AtomicBool,
}

impl RedisHealth {
    /// Starts up (the broker connected before making it) with its prober,
    /// which with Sentinel also moves `conn` to a new master.
    pub fn start(
        conn: RedisCommands,
        target: Arc<RedisTarget>,
        config: ConnectionManagerConfig,
    ) -> Arc<RedisHealth> {
        let health = Arc::new(RedisHealth {
            up: AtomicBool::new(true),
        });
        tokio::spawn(probe(Arc::downgrade(&health), conn, target, config));
        health
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Runs `command` within `timeout` if Redis is up; fails at once if not.
    pub async fn run<T>(
        &self,
        timeout: Duration,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, BrokerError> {
        self.attempt(timeout, command, true).await
    }

    /// Runs `command` if Redis is up, giving up after `deadline`: the
    /// caller's own budget (a connect's admission check), whose expiry fails
    /// this call only. Slow is not dead: on a machine too busy to answer
    /// within it, marking Redis down would make every presence join of the
    /// next moments go unrecorded for good. Failing to reach Redis still
    /// marks it down, and so does a command past its own timeout (`run`).
    pub async fn run_within<T>(
        &self,
        deadline: Duration,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, BrokerError> {
        self.attempt(deadline, command, false).await
    }

    async fn attempt<T>(
        &self,
        timeout: Duration,
        command: impl Future<Output = redis::RedisResult<T>>,
        expiry_is_down: bool,
    ) -> Result<T, BrokerError> {
        if !self.is_up() {
            return Err(BrokerError("redis is unreachable".into()));
        }
        match tokio::time::timeout(timeout, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                if e.is_io_error()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                    || e.is_timeout()
                {
                    self.down(&e.to_string());
                }
                Err(BrokerError(e.to_string()))
            }
            Err(_) => {
                if expiry_is_down {
                    self.down("timed out");
                }
                Err(BrokerError("redis timed out".into()))
            }
        }
    }

    fn down(&self, why: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(
                why,
                "redis unreachable: going on without it until it answers"
            );
            metrics::gauge!("confab_redis_up").set(0.0);
        }
    }
}

/// While Redis is down, PINGs it (with Sentinel, first moving to the master
/// the sentinels name now); the first answer brings it back.
async fn probe(
    health: std::sync::Weak<RedisHealth>,
    mut conn: RedisCommands,
    target: Arc<RedisTarget>,
    config: ConnectionManagerConfig,
) {
    metrics::gauge!("confab_redis_up").set(1.0);
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        let Some(health) = health.upgrade() else {
            return;
        };
        if health.is_up() {
            continue;
        }
        if target.follow(&conn, &config).await {
            tracing::info!("redis commands moved to the new master");
        }
        let ping = redis::cmd("PING");
        let answer = ping.query_async::<String>(&mut conn);
        if let Ok(Ok(_)) = tokio::time::timeout(PROBE_TIMEOUT, answer).await {
            health.up.store(true, Ordering::Release);
            metrics::gauge!("confab_redis_up").set(1.0);
            tracing::info!("redis answers again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up() -> RedisHealth {
        RedisHealth {
            up: AtomicBool::new(true),
        }
    }

    #[tokio::test]
    async fn a_callers_own_deadline_fails_that_call_only() {
        let health = up();
        let never = std::future::pending::<redis::RedisResult<()>>();
        assert!(health
            .run_within(Duration::from_millis(10), never)
            .await
            .is_err());
        assert!(health.is_up(), "one slow answer is not a dead Redis");
        let never = std::future::pending::<redis::RedisResult<()>>();
        assert!(health.run(Duration::from_millis(10), never).await.is_err());
        assert!(
            !health.is_up(),
            "a command past its own timeout marks it down"
        );
    }

    #[tokio::test]
    async fn failing_to_reach_redis_marks_it_down_whatever_the_deadline() {
        let health = up();
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let refused = async { Err::<(), _>(redis::RedisError::from(refused)) };
        assert!(health
            .run_within(Duration::from_secs(1), refused)
            .await
            .is_err());
        assert!(!health.is_up());
    }
}
