//! Which Redis to talk to: one server named by a URL, the master that Redis
//! Sentinel names (`--redis-sentinels`), found again after a failover, or a
//! Redis Cluster (`--redis-cluster`).
//!
//! [`RedisCommands`] is the command connection everything Redis-backed
//! shares (the broker, presence, limits, throttles). It is a handle on a
//! reconnecting connection to the current master; with Sentinel, when Redis
//! stops answering, the health prober asks the sentinels for the master and,
//! if it moved, swaps a connection to the new one in for every holder at
//! once ([`RedisTarget::follow`]). With a cluster it is the `redis` crate's
//! cluster connection, which routes each command to the shard owning its key
//! and follows `MOVED`, `ASK` and failovers itself; so that it can, every
//! script and pipeline Confab sends touches keys of one slot only
//! (`redis_wire`).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{AsyncPushSender, ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{Cmd, ConnectionAddr, Pipeline, RedisFuture, RedisResult, Value};

/// How long a connection (to a new master, to a cluster's nodes) may take,
/// and a cluster node to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis server, or the master of a Sentinel-watched set.
pub enum RedisTarget {
    Url(redis::Client),
    Sentinel {
        sentinels: tokio::sync::Mutex<SentinelClient>,
        /// The master's address when last found.
        master: std::sync::Mutex<Option<String>>,
    },
    Cluster(ClusterNodes),
}

/// Where a Redis Cluster can be reached: some of its nodes (the rest are
/// found from them), and how to log in.
pub struct ClusterNodes {
    nodes: Vec<String>,
    password: Option<String>,
    certs: Option<redis::TlsCertificates>,
}

/// Trusting the CA in `ca_file`, if given (else the system's trust store).
fn trusting(ca_file: Option<&std::path::Path>) -> anyhow::Result<Option<redis::TlsCertificates>> {
    let Some(path) = ca_file else {
        return Ok(None);
    };
    let root_cert =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    Ok(Some(redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(root_cert),
    }))
}

impl RedisTarget {
    /// One server: `redis://` or `rediss://` (trusting `ca_file`'s CA, if given).
    pub fn url(url: &str, ca_file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let client = match trusting(ca_file)? {
            Some(certs) => redis::Client::build_with_tls(url, certs)?,
            None => redis::Client::open(url)?,
        };
        Ok(RedisTarget::Url(client))
    }

    /// With Sentinel: `sentinels` as `HOST:PORT` (or `rediss://HOST:PORT`:
    /// then the sentinels and the servers are spoken to over TLS, trusting
    /// `ca_file`'s CA if given), the master's `name`, and the password of the
    /// Redis servers (if any).
    pub fn sentinel(
        sentinels: &[String],
        name: &str,
        password: Option<&str>,
        ca_file: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let tls = sentinels.iter().any(|s| s.starts_with("rediss://"));
        let addrs = sentinels.iter().filter_map(|s| {
            let s = s
                .trim_start_matches("rediss://")
                .trim_start_matches("redis://");
            let (host, port) = s.rsplit_once(':')?;
            let (host, port) = (host.to_string(), port.trim_end_matches('/').parse().ok()?);
            Some(match tls {
                true => ConnectionAddr::TcpTls {
                    host,
                    port,
                    insecure: false,
                    tls_params: None,
                },
                false => ConnectionAddr::Tcp(host, port),
            })
        });
        let mut builder =
            SentinelClientBuilder::new(addrs, name.to_string(), SentinelServerType::Master)?;
        if let Some(password) = password {
            builder = builder.set_client_to_redis_password(password.to_string());
        }
        if tls {
            builder = builder
                .set_client_to_sentinel_tls_mode(redis::TlsMode::Secure)
                .set_client_to_redis_tls_mode(redis::TlsMode::Secure);
            if let Some(certs) = trusting(ca_file)? {
                builder = builder
                    .set_client_to_sentinel_certificates(certs.clone())
                    .set_client_to_redis_certificates(certs);
            }
        }
        Ok(RedisTarget::Sentinel {
            sentinels: tokio::sync::Mutex::new(builder.build()?),
            master: Default::default(),
        })
    }

    /// A Redis Cluster: some of its nodes as `HOST:PORT` (or `redis://` /
    /// `rediss://` URLs), the password of its nodes, and the CA that signed
    /// their certificates (with `rediss://`).
    pub fn cluster(
        nodes: &[String],
        password: Option<&str>,
        ca_file: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let nodes = nodes
            .iter()
            .map(|n| match n.contains("://") {
                true => n.clone(),
                false => format!("redis://{n}"),
            })
            .collect();
        Ok(RedisTarget::Cluster(ClusterNodes {
            nodes,
            password: password.map(str::to_string),
            certs: trusting(ca_file)?,
        }))
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, RedisTarget::Cluster(_))
    }

    /// A cluster client (cluster only); with `pushes`, its connections speak
    /// RESP3 and hand what the servers push (sharded pub/sub) to it.
    pub fn cluster_client(
        &self,
        pushes: Option<impl AsyncPushSender>,
    ) -> RedisResult<ClusterClient> {
        let RedisTarget::Cluster(cluster) = self else {
            return Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "not a cluster",
            )));
        };
        let mut builder = ClusterClientBuilder::new(cluster.nodes.clone())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(CONNECT_TIMEOUT)
            // A few quick retries: past them the caller goes on without Redis
            // (`RedisHealth`), it does not wait through a failover.
            .retries(3)
            .min_retry_wait(50)
            .max_retry_wait(500);
        if let Some(password) = &cluster.password {
            builder = builder.password(password.clone());
        }
        if let Some(certs) = &cluster.certs {
            builder = builder.certs(certs.clone());
        }
        if let Some(pushes) = pushes {
            builder = builder
                .use_protocol(redis::ProtocolVersion::RESP3)
                .push_sender(pushes);
        }
        builder.build()
    }

    /// A client for the server to use now (asking the sentinels, with
    /// Sentinel). Not for a cluster, whose nodes are reached through
    /// [`RedisTarget::cluster_client`].
    pub async fn client(&self) -> RedisResult<redis::Client> {
        match self {
            RedisTarget::Url(client) => Ok(client.clone()),
            RedisTarget::Cluster(_) => Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "a cluster has no single server",
            ))),
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
        if self.is_cluster() {
            return Ok(RedisCommands::new(
                self.cluster_commands().await?,
                "cluster",
            ));
        }
        let client = self.client().await?;
        let addr = client.get_connection_info().addr.to_string();
        let manager = client
            .get_connection_manager_with_config(config.clone())
            .await?;
        Ok(RedisCommands::new(Conn::Single(manager), &addr))
    }

    /// A fresh cluster connection, which reads the topology from the nodes
    /// that answer.
    async fn cluster_commands(&self) -> RedisResult<Conn> {
        let client = self.cluster_client(None::<tokio::sync::mpsc::UnboundedSender<_>>)?;
        match tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_connection()).await {
            Ok(conn) => Ok(Conn::Cluster(conn?)),
            Err(_) => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
        }
    }

    /// With Sentinel: points `commands` at the master the sentinels name now,
    /// if that is not where it points. True if it moved. With a cluster (whose
    /// PING goes to every master, and a fan-out to a dead master does not make
    /// the connection read the topology again): a fresh cluster connection,
    /// which reads it from the nodes still up; answers false.
    pub async fn follow(&self, commands: &RedisCommands, config: &ConnectionManagerConfig) -> bool {
        match self {
            RedisTarget::Url(_) => false,
            RedisTarget::Cluster(_) => {
                if let Ok(conn) = self.cluster_commands().await {
                    commands.replace(conn, "cluster");
                }
                false
            }
            RedisTarget::Sentinel { .. } => {
                let Ok(client) = self.client().await else {
                    return false;
                };
                let addr = client.get_connection_info().addr.to_string();
                if commands.0.read().unwrap().1 == addr {
                    return false;
                }
                let connect = client.get_connection_manager_with_config(config.clone());
                match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                    Ok(Ok(manager)) => {
                        commands.replace(Conn::Single(manager), &addr);
                        true
                    }
                    _ => false,
                }
            }
        }
    }
}

/// The shared command connection (see the module docs), and the address it
/// goes to. Clones share it.
#[derive(Clone)]
pub struct RedisCommands(Arc<RwLock<(Conn, String)>>);

/// A connection to one server, or to a cluster.
#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl RedisCommands {
    fn new(conn: Conn, addr: &str) -> Self {
        RedisCommands(Arc::new(RwLock::new((conn, addr.to_string()))))
    }

    /// Whether commands sent one after another run in that order: true on
    /// one server (one connection), not on a cluster, where two keys may
    /// live on two shards.
    pub fn runs_in_order(&self) -> bool {
        matches!(self.0.read().unwrap().0, Conn::Single(_))
    }

    fn current(&self) -> Conn {
        self.0.read().unwrap().0.clone()
    }

    /// Every holder uses `conn`, to `addr`, from now on.
    fn replace(&self, conn: Conn, addr: &str) {
        *self.0.write().unwrap() = (conn, addr.to_string());
    }
}

impl Conn {
    fn as_like(&mut self) -> &mut (dyn ConnectionLike + Send) {
        match self {
            Conn::Single(conn) => conn,
            Conn::Cluster(conn) => conn,
        }
    }
}

impl ConnectionLike for RedisCommands {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        let mut conn = self.current();
        Box::pin(async move { conn.as_like().req_packed_command(cmd).await })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        let mut conn = self.current();
        Box::pin(async move { conn.as_like().req_packed_commands(cmd, offset, count).await })
    }

    fn get_db(&self) -> i64 {
        self.current().as_like().get_db()
    }
}
