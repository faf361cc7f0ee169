//! A private `redis-server` on a free loopback port, which a test may kill and
//! restart (the machine's shared Redis is never touched).

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
    /// With TLS: the directory holding the test CA and the server's certificate.
    tls: Option<tempfile::TempDir>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let port = super::free_port();
        RedisServer {
            child: spawn(port, None, &[]),
            port,
            tls: None,
        }
    }

    /// A replica of `master` (for Sentinel tests); over TLS if it is.
    pub fn start_replica_of(master: &RedisServer) -> RedisServer {
        let port = super::free_port();
        let tls = master.tls.as_ref().map(|d| d.path());
        let child = spawn(
            port,
            tls,
            &["--replicaof", "127.0.0.1", &master.port.to_string()],
        );
        let dir = tls.map(|_| {
            // The replica shares the master's certificates (one CA).
            let dir = tempfile::tempdir().unwrap();
            for file in ["ca.pem", "server.pem", "server.key"] {
                std::fs::copy(tls.unwrap().join(file), dir.path().join(file)).unwrap();
            }
            dir
        });
        RedisServer {
            child,
            port,
            tls: dir,
        }
    }

    /// What `redis-cli` prints for `args` against this server.
    pub fn cli(&self, args: &[&str]) -> String {
        cli(self.port, self.ca_file().as_deref(), args)
    }

    /// A Redis that speaks only TLS, with a certificate for 127.0.0.1 signed by a
    /// CA made for this test (see [`RedisServer::ca_file`]).
    pub fn start_tls() -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        super::tls::make_certificates(dir.path());
        let port = super::free_port();
        RedisServer {
            child: spawn(port, Some(dir.path()), &[]),
            port,
            tls: Some(dir),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The test CA's certificate (TLS only).
    pub fn ca_file(&self) -> Option<String> {
        let dir = self.tls.as_ref()?;
        Some(dir.path().join("ca.pem").display().to_string())
    }

    /// SIGSTOP (`true`) or SIGCONT: Redis stops answering, its connections
    /// open, as on a machine too busy to run it, and then goes on.
    pub fn pause(&self, paused: bool) {
        let signal = if paused { "-STOP" } else { "-CONT" };
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {signal} redis-server");
    }

    /// SIGKILL: Redis vanishes mid-flight, its pub/sub connections with it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again on the same port (empty: it keeps nothing on disk).
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn(self.port, self.tls.as_ref().map(|d| d.path()), &[]);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(port: u16, tls: Option<&Path>, extra: &[&str]) -> Child {
    let mut command = Command::new("redis-server");
    command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
    command.args(extra);
    match tls {
        None => command.args(["--port", &port.to_string()]),
        Some(dir) => command
            .args(["--port", "0", "--tls-port", &port.to_string()])
            .arg("--tls-cert-file")
            .arg(dir.join("server.pem"))
            .arg("--tls-key-file")
            .arg(dir.join("server.key"))
            .arg("--tls-ca-cert-file")
            .arg(dir.join("ca.pem"))
            .args(["--tls-auth-clients", "no", "--tls-replication", "yes"]),
    };
    let mut child = command
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server on PATH (make test installs it)");
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("redis-server did not listen on {port}");
}

/// What `redis-cli` prints for `args` against the server on `port`.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    cli(port, None, args)
}

/// As [`redis_cli`], over TLS trusting `ca` when given.
pub fn cli(port: u16, ca: Option<&str>, args: &[&str]) -> String {
    let mut command = Command::new("redis-cli");
    command.args(["-h", "127.0.0.1", "-p", &port.to_string()]);
    if let Some(ca) = ca {
        command.args(["--tls", "--cacert", ca]);
    }
    let out = command.args(args).output().expect("redis-cli on PATH");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Waits (bounded) until `ready` says so.
pub fn wait_for(what: &str, within: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
