//! Redis Sentinel on loopback for a test: a replica of a given master and
//! three sentinels watching it (quorum 2, down after 1 s), all private
//! processes, stopped with this value. With a TLS master, everything speaks
//! TLS only (one test CA).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::redis::{cli, wait_for, RedisServer};

pub struct Sentinels {
    pub replica: RedisServer,
    sentinels: Vec<Child>,
    ports: Vec<u16>,
    /// The test CA, with TLS.
    ca: Option<String>,
    _dir: tempfile::TempDir,
}

impl Sentinels {
    pub fn start(master: &RedisServer) -> Sentinels {
        let replica = RedisServer::start_replica_of(master);
        wait_for(
            "the replica's link to the master",
            Duration::from_secs(10),
            || {
                replica
                    .cli(&["info", "replication"])
                    .contains("master_link_status:up")
            },
        );
        let ca = master.ca_file();
        let tls = match &ca {
            // The sentinels speak TLS only, and to the servers too.
            Some(ca_file) => {
                let certs = std::path::Path::new(ca_file).parent().unwrap();
                format!(
                    "port 0\ntls-port {{port}}\ntls-cert-file {0}/server.pem\n\
                     tls-key-file {0}/server.key\ntls-ca-cert-file {ca_file}\n\
                     tls-replication yes\ntls-auth-clients no\n",
                    certs.display()
                )
            }
            None => "port {port}\n".to_string(),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut sentinels = Vec::new();
        let mut ports = Vec::new();
        for i in 0..3 {
            let port = super::free_port();
            let conf = dir.path().join(format!("sentinel-{i}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "{}bind 127.0.0.1\n\
                     sentinel monitor mymaster 127.0.0.1 {} 2\n\
                     sentinel down-after-milliseconds mymaster 1000\n\
                     sentinel failover-timeout mymaster 5000\n\
                     sentinel parallel-syncs mymaster 1\n",
                    tls.replace("{port}", &port.to_string()),
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
                || cli(port, ca.as_deref(), &["sentinel", "replicas", "mymaster"]).contains("ip"),
            );
        }
        Sentinels {
            replica,
            sentinels,
            ports,
            ca,
            _dir: dir,
        }
    }

    /// `HOST:PORT,…` for `--redis-sentinels` (`rediss://HOST:PORT,…` with TLS).
    pub fn addrs(&self) -> String {
        let scheme = if self.ca.is_some() { "rediss://" } else { "" };
        self.ports
            .iter()
            .map(|p| format!("{scheme}127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Waits (bounded) until the sentinels name the replica as the master.
    pub fn wait_promoted(&self) {
        let replica = self.replica.port.to_string();
        wait_for("the replica promoted", Duration::from_secs(20), || {
            cli(
                self.ports[0],
                self.ca.as_deref(),
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
