//! A private `redis-server` on a free loopback port, which a test may kill and
//! restart (the machine's shared Redis is never touched).

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
            child: spawn(port, None),
            port,
            tls: None,
        }
    }

    /// A replica of the Redis on `master` (for Sentinel tests).
    pub fn start_replica_of(master: u16) -> RedisServer {
        let port = super::free_port();
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &port.to_string()])
            .args(["--replicaof", "127.0.0.1", &master.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("redis-server exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisServer {
            child,
            port,
            tls: None,
        }
    }

    /// A Redis that speaks only TLS, with a certificate for 127.0.0.1 signed by a
    /// CA made for this test (see [`RedisServer::ca_file`]).
    pub fn start_tls() -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        super::tls::make_certificates(dir.path());
        let port = super::free_port();
        RedisServer {
            child: spawn(port, Some(dir.path())),
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

    /// SIGKILL: Redis vanishes mid-flight, its pub/sub connections with it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again on the same port (empty: it keeps nothing on disk).
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn(self.port, self.tls.as_ref().map(|d| d.path()));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(port: u16, tls: Option<&Path>) -> Child {
    let mut command = Command::new("redis-server");
    command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
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
            .args(["--tls-auth-clients", "no"]),
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
