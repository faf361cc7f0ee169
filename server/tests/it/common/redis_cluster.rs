//! A Redis Cluster on loopback for a test: three masters and three replicas
//! (`redis-cli --cluster create`, node timeout 1 s), all private processes,
//! stopped with this value.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub use super::redis::{redis_cli, wait_for};

pub struct RedisCluster {
    /// port → process (None once killed).
    nodes: Vec<(u16, Option<Child>)>,
    _dir: tempfile::TempDir,
}

/// A free port whose cluster bus port (port + 10000) is free too.
fn cluster_port() -> u16 {
    loop {
        let port = super::free_port();
        if port <= 55535 && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() {
            return port;
        }
    }
}

/// Starts one node on a free port and waits until it answers. Between
/// choosing a port and the node binding it, another test's process may take
/// it (or its bus port): a node that exits is started again elsewhere.
fn start_node(dir: &std::path::Path) -> (u16, Child) {
    for _ in 0..5 {
        let port = cluster_port();
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &port.to_string()])
            .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
            .arg("--cluster-config-file")
            .arg(dir.join(format!("nodes-{port}.conf")))
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let mut exited = false;
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if redis_cli(port, &["ping"]).contains("PONG") {
                return (port, child);
            }
            if child.try_wait().ok().flatten().is_some() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(exited, "a cluster node listening on {port}: not within 5s");
    }
    panic!("no cluster node could bind a port in 5 tries");
}

impl RedisCluster {
    pub fn start() -> RedisCluster {
        // Owned from the first node on, so a failed start stops them all.
        let mut cluster = RedisCluster {
            nodes: Vec::new(),
            _dir: tempfile::tempdir().unwrap(),
        };
        for _ in 0..6 {
            let (port, child) = start_node(cluster._dir.path());
            cluster.nodes.push((port, Some(child)));
        }
        let addrs: Vec<String> = cluster
            .nodes
            .iter()
            .map(|(p, _)| format!("127.0.0.1:{p}"))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            created.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        for (port, _) in &cluster.nodes {
            wait_for(
                "cluster_state:ok everywhere",
                Duration::from_secs(20),
                || redis_cli(*port, &["cluster", "info"]).contains("cluster_state:ok"),
            );
        }
        // A replica can be elected only once its link to its master is up.
        for (port, _) in &cluster.nodes {
            wait_for("every replica linked", Duration::from_secs(20), || {
                let info = redis_cli(*port, &["info", "replication"]);
                info.contains("role:master") || info.contains("master_link_status:up")
            });
        }
        cluster
    }

    /// `HOST:PORT,…` of every node, for `--redis-cluster`.
    pub fn addrs(&self) -> String {
        self.nodes
            .iter()
            .map(|(p, _)| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The ports of the nodes still running that are masters now.
    pub fn masters(&self) -> Vec<u16> {
        self.live()
            .filter(|p| redis_cli(*p, &["info", "replication"]).contains("role:master"))
            .collect()
    }

    fn live(&self) -> impl Iterator<Item = u16> + '_ {
        self.nodes
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(p, _)| *p)
    }

    /// The master serving `key`'s slot now (asked of a live node).
    pub fn master_of(&self, key: &str) -> u16 {
        let slot: u16 = redis_cli(self.live().next().unwrap(), &["cluster", "keyslot", key])
            .trim()
            .parse()
            .expect("CLUSTER KEYSLOT answers a number");
        self.masters()
            .into_iter()
            .find(|p| owns(*p, slot))
            .expect("a master owns every slot")
    }

    /// The replica of the master on `port`.
    pub fn replica_of(&self, port: u16) -> u16 {
        self.live()
            .find(|p| {
                redis_cli(*p, &["info", "replication"]).contains(&format!("master_port:{port}"))
            })
            .expect("every master has a replica")
    }

    /// Moves `key`'s slot (and any keys in it) from its master to the master
    /// on `to`, as `redis-cli --cluster reshard` does for each slot.
    pub fn migrate_slot_of(&self, key: &str, to: u16) {
        let from = self.master_of(key);
        let slot = redis_cli(from, &["cluster", "keyslot", key])
            .trim()
            .to_string();
        let id = |port: u16| redis_cli(port, &["cluster", "myid"]).trim().to_string();
        let (from_id, to_id) = (id(from), id(to));
        redis_cli(to, &["cluster", "setslot", &slot, "importing", &from_id]);
        redis_cli(from, &["cluster", "setslot", &slot, "migrating", &to_id]);
        loop {
            let keys = redis_cli(from, &["cluster", "getkeysinslot", &slot, "100"]);
            let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            let to_port = to.to_string();
            let mut args = vec!["migrate", "127.0.0.1", &to_port, "", "0", "5000", "keys"];
            args.extend(keys);
            redis_cli(from, &args);
        }
        for port in [to, from] {
            redis_cli(port, &["cluster", "setslot", &slot, "node", &to_id]);
        }
        for port in self.masters() {
            redis_cli(port, &["cluster", "setslot", &slot, "node", &to_id]);
        }
    }

    /// SIGKILL of the node on `port`.
    pub fn kill(&mut self, port: u16) {
        for (p, child) in &mut self.nodes {
            if *p == port {
                if let Some(mut child) = child.take() {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
    }

    /// Waits (bounded) until the node on `port` is a master and every live
    /// node sees the cluster whole again.
    pub fn wait_promoted(&self, port: u16) {
        wait_for("the replica promoted", Duration::from_secs(20), || {
            redis_cli(port, &["info", "replication"]).contains("role:master")
        });
        for p in self.live() {
            wait_for("cluster_state:ok again", Duration::from_secs(20), || {
                redis_cli(p, &["cluster", "info"]).contains("cluster_state:ok")
            });
        }
    }
}

/// Whether the node on `port` serves `slot` as master (from its own view).
fn owns(port: u16, slot: u16) -> bool {
    let nodes = redis_cli(port, &["cluster", "nodes"]);
    nodes.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 8
            && fields[2].contains("myself")
            && fields[2].contains("master")
            && fields[8..].iter().any(|range| {
                let (lo, hi) = range.split_once('-').unwrap_or((range, range));
                match (lo.parse::<u16>(), hi.parse::<u16>()) {
                    (Ok(lo), Ok(hi)) => (lo..=hi).contains(&slot),
                    _ => false,
                }
            })
    })
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.nodes {
            if let Some(child) = child {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
