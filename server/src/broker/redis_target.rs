//! Which Redis to talk to: one server named by a URL, or the master that
//! Redis Sentinel names (`--redis-sentinels`), found again after a failover.
//!
//! [`RedisCommands`] is the command connection everything Redis-backed
//! shares (the broker, presence, limits, throttles). It is a handle on a
//! reconnecting connection to the current master; with Sentinel, when Redis
//! stops answering, the health prober asks the sentinels for the master and,
//! if it moved, swaps a connection to the new one in for every holder at
//! once ([`RedisTarget::follow`]).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{Cmd, ConnectionAddr, Pipeline, RedisFuture, RedisResult, Value};

/// A Redis server, or the master of a Sentinel-watched set.
pub enum RedisTarget {
    Url(redis::Client),
    Sentinel {
        sentinels: tokio::sync::Mutex<SentinelClient>,
        /// The master's address when last found.
        master: std::sync::Mutex<Option<String>>,
    },
}

impl RedisTarget {
    /// One server: `redis://` or `rediss://` (trusting `ca_file`'s CA, if given).
    pub fn url(url: &str, ca_file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let client = match ca_file {
            Some(path) => {
                let root_cert = std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
                let certs = redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(root_cert),
                };
                redis::Client::build_with_tls(url, certs)?
            }
            None => redis::Client::open(url)?,
        };
        Ok(RedisTarget::Url(client))
    }

    /// With Sentinel: `sentinels` as `HOST:PORT`, the master's `name`, and
    /// the password of the Redis servers (if any).
    pub fn sentinel(sentinels: &[String], name: &str, password: Option<&str>) -> RedisResult<Self> {
        let addrs = sentinels.iter().filter_map(|s| {
            let (host, port) = s.rsplit_once(':')?;
            Some(ConnectionAddr::Tcp(host.to_string(), port.parse().ok()?))
        });
        let mut builder =
            SentinelClientBuilder::new(addrs, name.to_string(), SentinelServerType::Master)?;
        if let Some(password) = password {
            builder = builder.set_client_to_redis_password(password.to_string());
        }
        Ok(RedisTarget::Sentinel {
            sentinels: tokio::sync::Mutex::new(builder.build()?),
            master: Default::default(),
        })
    }

    /// A client for the server to use now (asking the sentinels, with Sentinel).
    pub async fn client(&self) -> RedisResult<redis::Client> {
        match self {
            RedisTarget::Url(client) => Ok(client.clone()),
            RedisTarget::Sentinel { sentinels, master } => {
                let client = sentinels.lock().await.async_get_client().await?;
                let addr = client.get_connection_info().addr.to_string();
                let mut known = master.lock().unwrap();
                if known.as_deref() != Some(addr.as_str()) {
                    tracing::info!(master = addr, "redis master found through sentinel");
                    *known = Some(addr);
                }
                Ok(client)
            }
        }
    }

    /// A command connection to the current server.
    pub async fn connect(&self, config: &ConnectionManagerConfig) -> RedisResult<RedisCommands> {
        let client = self.client().await?;
        let addr = client.get_connection_info().addr.to_string();
        let manager = client
            .get_connection_manager_with_config(config.clone())
            .await?;
        Ok(RedisCommands(Arc::new(RwLock::new((manager, addr)))))
    }

    /// With Sentinel: points `commands` at the master the sentinels name now,
    /// if that is not where it points. True if it moved.
    pub async fn follow(&self, commands: &RedisCommands, config: &ConnectionManagerConfig) -> bool {
        if matches!(self, RedisTarget::Url(_)) {
            return false;
        }
        let Ok(client) = self.client().await else {
            return false;
        };
        let addr = client.get_connection_info().addr.to_string();
        if commands.0.read().unwrap().1 == addr {
            return false;
        }
        let connect = client.get_connection_manager_with_config(config.clone());
        match tokio::time::timeout(Duration::from_secs(2), connect).await {
            Ok(Ok(manager)) => {
                *commands.0.write().unwrap() = (manager, addr);
                true
            }
            _ => false,
        }
    }
}

/// The shared command connection (see the module docs), and the address it
/// goes to. Clones share it.
#[derive(Clone)]
pub struct RedisCommands(Arc<RwLock<(ConnectionManager, String)>>);

impl RedisCommands {
    fn current(&self) -> ConnectionManager {
        self.0.read().unwrap().0.clone()
    }
}

impl ConnectionLike for RedisCommands {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        let mut conn = self.current();
        Box::pin(async move { conn.req_packed_command(cmd).await })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        let mut conn = self.current();
        Box::pin(async move { conn.req_packed_commands(cmd, offset, count).await })
    }

    fn get_db(&self) -> i64 {
        self.current().get_db()
    }
}
