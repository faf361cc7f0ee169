//! Test harness: runs the real `confab` binary on a loopback port with its own data
//! directory, and talks to it over real HTTP and WebSocket connections.

mod client;
pub mod cluster;
mod http;
pub mod postgres;
pub mod python;
pub mod redis;
pub mod redis_cluster;
pub mod sentinel;
pub mod tls;
pub mod uploads;

/// An HTTP client whose connections come from `127.0.0.N`.
pub fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use protocol::AuthResponse;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// How long any single expected frame may take before a test fails.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

pub struct TestServer {
    child: Child,
    pub addr: String,
    pub data: tempfile::TempDir,
    args: Vec<String>,
}

impl TestServer {
    /// Starts a server with a fresh data directory and extra flags.
    pub fn start(args: &[&str]) -> TestServer {
        let data = tempfile::tempdir().expect("temp dir");
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (child, addr) = spawn(&data, &args, "127.0.0.1:0");
        TestServer {
            child,
            addr,
            data,
            args,
        }
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status's success.
    pub fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not stop within 10 s of SIGTERM");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) for the process to exit; true if it did, cleanly.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// SIGKILL: the instance dies without closing anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same address and data.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, addr) = spawn(&self.data, &self.args, &self.addr.clone());
        self.child = child;
        self.addr = addr;
    }

    pub async fn register(&self, name: &str) -> AuthResponse {
        let response = reqwest::Client::new()
            .post(self.http("/api/auth/register"))
            .json(&serde_json::json!({"username": name, "password": "password-123"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "registering {name}");
        response.json().await.unwrap()
    }

    /// Logs the session of `token` out; answers the status.
    pub async fn logout(&self, token: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(self.http("/api/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The newest page of a room's history, over HTTP.
    pub async fn history(&self, token: &str, room: &str) -> protocol::MessagesPage {
        reqwest::Client::new()
            .get(self.http(&format!("/api/rooms/{room}/messages")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn connect(&self, token: &str) -> Client {
        match self.try_connect(token).await {
            Ok(client) => client,
            Err(status) => panic!("upgrade refused with {status}"),
        }
    }

    /// Opens a socket with a bearer token; a refused upgrade answers its status.
    pub async fn try_connect(&self, token: &str) -> Result<Client, u16> {
        self.upgrade(token)
            .await
            .unwrap_or_else(|e| panic!("upgrade failed: {e}"))
    }

    /// Connects as a real client reconnecting does: a connection the server
    /// drops before the upgrade (a burst of reconnects from one address
    /// meets its per-address limit) is tried again, with backoff, bounded.
    pub async fn reconnect(&self, token: &str) -> Client {
        for attempt in 1..=40u64 {
            match self.upgrade(token).await {
                Ok(Ok(client)) => return client,
                Ok(Err(status)) => panic!("upgrade refused with {status}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50 * attempt.min(10))).await,
            }
        }
        panic!("could not reconnect in 40 attempts");
    }

    /// One upgrade attempt: the socket, the status of a refusal, or the
    /// error of a connection that ended before either.
    async fn upgrade(
        &self,
        token: &str,
    ) -> Result<Result<Client, u16>, tokio_tungstenite::tungstenite::Error> {
        let mut request = self.ws_url().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => Ok(Ok(Client { ws })),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Ok(Err(response.status().as_u16()))
            }
            Err(e) => Err(e),
        }
    }

    /// A user, registered and connected, joined to `general`.
    pub async fn user_in_general(&self, name: &str) -> (AuthResponse, Client) {
        let auth = self.register(name).await;
        let mut client = self.connect(&auth.token).await;
        client.join("general", None).await;
        (auth, client)
    }

    pub async fn metric(&self, name: &str) -> f64 {
        let text = reqwest::get(self.http("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary the tests run: this build's, or `CONFAB_TEST_BIN` (to
/// run the same attacks against another build, e.g. the one before a fix).
pub fn server_binary() -> String {
    std::env::var("CONFAB_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_confab").into())
}

fn spawn(data: &tempfile::TempDir, args: &[String], listen: &str) -> (Child, String) {
    let mut child = Command::new(server_binary())
        .args(["--listen", listen, "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting confab");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on http").nth(1) {
            break rest
                .trim_start_matches('s')
                .trim_start_matches("://")
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                .collect::<String>();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe; with
    // CONFAB_TEST_LOGS set, show it.
    let show = std::env::var_os("CONFAB_TEST_LOGS").is_some();
    std::thread::spawn(move || {
        for line in lines.by_ref().map_while(Result::ok) {
            if show {
                eprintln!("[server] {line}");
            }
        }
    });
    (child, addr)
}

pub use client::{close_code_of, worst_delay, Arrivals, Client, Event};
pub use http::{add_member, create_room, delete, error_code, get, patch, post, put, send_bytes};
