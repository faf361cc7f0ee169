//! Redis Sentinel on loopback for a test: a replica of a given master and
//! three sentinels watching it (quorum 2, down after 1 s), all private
//! processes, stopped with this value.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::redis::RedisServer;

pub struct Sentinels {
    pub replica: RedisServer,
    sentinels: Vec<Child>,
    ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli on PATH");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Waits (bounded) until `ready` says so.
fn wait_for(what: &str, within: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Sentinels {
    pub fn start(master: &RedisServer) -> Sentinels {
        let replica = RedisServer::start_replica_of(master.port);
        wait_for(
            "the replica's link to the master",
            Duration::from_secs(10),
            || redis_cli(replica.port, &["info", "replication"]).contains("master_link_status:up"),
        );
        let dir = tempfile::tempdir().unwrap();
        let mut sentinels = Vec::new();
        let mut ports = Vec::new();
        for i in 0..3 {
            let port = super::free_port();
            let conf = dir.path().join(format!("sentinel-{i}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\n\
                     sentinel monitor mymaster 127.0.0.1 {} 2\n\
                     sentinel down-after-milliseconds mymaster 1000\n\
                     sentinel failover-timeout mymaster 5000\n\
                     sentinel parallel-syncs mymaster 1\n",
                    master.port
                ),
            )
            .unwrap();
            let child = Command::new("redis-server")
                .arg(&conf)
                .arg("--sentinel")
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server --sentinel");
            sentinels.push(child);
            ports.push(port);
        }
        for &port in &ports {
            wait_for(
                "a sentinel that knows the replica",
                Duration::from_secs(15),
                || redis_cli(port, &["sentinel", "replicas", "mymaster"]).contains("ip"),
            );
        }
        Sentinels {
            replica,
            sentinels,
            ports,
            _dir: dir,
        }
    }

    /// `HOST:PORT,…` for `--redis-sentinels`.
    pub fn addrs(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Waits (bounded) until the sentinels name the replica as the master.
    pub fn wait_promoted(&self) {
        let replica = self.replica.port.to_string();
        wait_for("the replica promoted", Duration::from_secs(20), || {
            redis_cli(
                self.ports[0],
                &["sentinel", "get-master-addr-by-name", "mymaster"],
            )
            .contains(&replica)
        });
    }
}

impl Drop for Sentinels {
    fn drop(&mut self) {
        for child in &mut self.sentinels {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
