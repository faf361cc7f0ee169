//! Test harness: runs the real `confab` binary on a loopback port with its own data
//! directory, and talks to it over real HTTP and WebSocket connections.

pub mod cluster;
pub mod postgres;
pub mod redis;
pub mod sentinel;
pub mod tls;

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

use app::protocol::{AuthResponse, ClientEnvelope, ClientFrame, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

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
    pub async fn history(&self, token: &str, room: &str) -> app::protocol::MessagesPage {
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
        let mut request = self.ws_url().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => Ok(Client { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("upgrade failed: {e}"),
        }
    }

    /// Connects as a real client reconnecting does: a connection the server
    /// drops before the upgrade (a burst of reconnects from one address
    /// meets its per-address limit) is tried again, with backoff, bounded.
    pub async fn reconnect(&self, token: &str) -> Client {
        for attempt in 1..=40u64 {
            let mut request = self.ws_url().into_client_request().unwrap();
            request
                .headers_mut()
                .insert("Authorization", format!("Bearer {token}").parse().unwrap());
            match tokio_tungstenite::connect_async(request).await {
                Ok((ws, _)) => return Client { ws },
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                    panic!("upgrade refused with {}", response.status())
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50 * attempt.min(10))).await,
            }
        }
        panic!("could not reconnect in 40 attempts");
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

fn spawn(data: &tempfile::TempDir, args: &[String], listen: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
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

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(WsMessage::Text(text.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_frame(&mut self, frame: ClientFrame, reference: Option<&str>) {
        let text = serde_json::to_string(&ClientEnvelope {
            reference: reference.map(str::to_string),
            frame,
        })
        .unwrap();
        self.send_raw(&text).await;
    }

    /// The next server frame; panics on close or timeout.
    pub async fn next(&mut self) -> ServerFrame {
        match self.next_event().await {
            Event::Frame(f) => f,
            Event::Closed(c) => panic!("connection closed: {c:?}"),
        }
    }

    /// The next frame or the close (with its code).
    pub async fn next_event(&mut self) -> Event {
        loop {
            let msg = tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .expect("timed out waiting for a frame");
            match msg {
                Some(Ok(WsMessage::Text(t))) => {
                    return Event::Frame(
                        ServerFrame::parse(t.as_str()).expect("server frame parses"),
                    )
                }
                Some(Ok(WsMessage::Close(frame))) => return Event::Closed(frame),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Event::Closed(None),
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn next_matching(&mut self, mut f: impl FnMut(&ServerFrame) -> bool) -> ServerFrame {
        loop {
            let frame = self.next().await;
            if f(&frame) {
                return frame;
            }
        }
    }

    /// Joins and returns the `joined` frame.
    pub async fn join(&mut self, room: &str, since: Option<app::protocol::Since>) -> ServerFrame {
        self.send_frame(
            ClientFrame::Join {
                room: room.into(),
                since,
            },
            Some("join"),
        )
        .await;
        self.next_matching(|f| matches!(f, ServerFrame::Joined { .. } | ServerFrame::Error { .. }))
            .await
    }

    pub async fn send_text(&mut self, room: &str, body: &str) -> uuid::Uuid {
        let id = uuid::Uuid::new_v4();
        self.send_frame(
            ClientFrame::Send {
                room: room.into(),
                client_msg_id: id,
                body: body.into(),
                thread: None,
                attachments: Vec::new(),
            },
            None,
        )
        .await;
        id
    }

    /// Sends `n` copies of `body` to `room`, then waits for their `n` acks (frames
    /// other than acks are skipped: a client that sends this must not have joined).
    /// Answers when each acknowledged seq's ack arrived.
    pub async fn send_acked(
        &mut self,
        room: &str,
        body: &str,
        n: usize,
    ) -> Vec<(u64, std::time::Instant)> {
        for _ in 0..n {
            self.send_text(room, body).await;
        }
        let mut acked = Vec::with_capacity(n);
        while acked.len() < n {
            if let ServerFrame::Ack { seq, .. } = self.next().await {
                acked.push((seq, std::time::Instant::now()));
            }
        }
        acked
    }

    /// Reads until the close frame and returns its code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            if let Event::Closed(frame) = self.next_event().await {
                return frame.map(|f| u16::from(f.code));
            }
        }
    }
}

/// Reads a client in the background, noting when each `message` frame arrives,
/// so a test can measure delivery latency while it is busy sending.
pub struct Arrivals {
    seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<u64, std::time::Instant>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<Client>,
}

impl Arrivals {
    pub fn watch(mut client: Client) -> Arrivals {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let task = tokio::spawn({
            let (seen, stop) = (seen.clone(), stop.clone());
            async move {
                while !stop.load(std::sync::atomic::Ordering::Acquire) {
                    let next = tokio::time::timeout(Duration::from_millis(100), client.ws.next());
                    if let Ok(Some(Ok(WsMessage::Text(text)))) = next.await {
                        if let Ok(ServerFrame::Message(m)) = ServerFrame::parse(text.as_str()) {
                            seen.lock()
                                .unwrap()
                                .insert(m.seq, std::time::Instant::now());
                        }
                    }
                }
                client
            }
        });
        Arrivals { seen, stop, task }
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Stops watching; answers when each seq arrived, and the client.
    pub async fn finish(self) -> (std::collections::HashMap<u64, std::time::Instant>, Client) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        let client = self.task.await.unwrap();
        let seen = std::mem::take(&mut *self.seen.lock().unwrap());
        (seen, client)
    }
}

/// The longest a message took to reach a member after its sender had the ack
/// (the server acks once the message is stored and fanned out locally).
pub fn worst_delay(
    acked_at: &std::collections::HashMap<u64, std::time::Instant>,
    arrived: &std::collections::HashMap<u64, std::time::Instant>,
) -> Duration {
    acked_at
        .iter()
        .map(|(seq, acked)| arrived[seq].saturating_duration_since(*acked))
        .max()
        .unwrap_or_default()
}

// A test reads one at a time: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    Frame(ServerFrame),
    Closed(Option<CloseFrame>),
}

/// POSTs JSON (with a bearer token, if given); answers the status and JSON body.
pub async fn post(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut request = reqwest::Client::new().post(server.http(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

pub async fn get(
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    bodyless(reqwest::Method::GET, server, path, token).await
}

pub async fn delete(
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    bodyless(reqwest::Method::DELETE, server, path, token).await
}

/// A request without a body, with a bearer token: the status and JSON body.
async fn bodyless(
    method: reqwest::Method,
    server: &TestServer,
    path: &str,
    token: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// Creates a room (the caller owns it).
pub async fn create_room(server: &TestServer, token: &str, name: &str, kind: &str) {
    let (status, body) = post(
        server,
        "/api/rooms",
        Some(token),
        serde_json::json!({"name": name, "kind": kind}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// Adds `user` to `room` as `token`'s user.
pub async fn add_member(server: &TestServer, token: &str, room: &str, user: &str) {
    let path = format!("/api/rooms/{room}/members");
    let (status, body) = post(
        server,
        &path,
        Some(token),
        serde_json::json!({ "user": user }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// The code of a close frame, if there was one.
pub fn close_code_of(frame: &Option<CloseFrame>) -> Option<u16> {
    frame.as_ref().map(|f| u16::from(f.code))
}

/// JSON of an HTTP error body's `code`.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}
