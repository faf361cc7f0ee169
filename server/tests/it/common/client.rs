//! A WebSocket client as the tests use it: frames in and out, joins and
//! sends, close codes, and arrivals timed in the background.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientEnvelope, ClientFrame, ServerFrame};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::FRAME_TIMEOUT;

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

    /// Sends a frame and answers the `done` (its seq) or `error` (its
    /// code) it gets.
    pub async fn ask(&mut self, frame: ClientFrame) -> Result<u64, protocol::ErrorCode> {
        self.send_frame(frame, Some("ask")).await;
        match self
            .next_matching(|f| {
                matches!(f, ServerFrame::Done { reference: Some(r), .. }
                    | ServerFrame::Error { reference: Some(r), .. } if r == "ask")
            })
            .await
        {
            ServerFrame::Done { seq, .. } => Ok(seq),
            ServerFrame::Error { code, .. } => Err(code),
            _ => unreachable!(),
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
    pub async fn join(&mut self, room: &str, since: Option<protocol::Since>) -> ServerFrame {
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

    /// Sends `body` to `room` and answers its seq, from its ack (other
    /// frames before it are skipped).
    pub async fn say(&mut self, room: &str, body: &str) -> u64 {
        self.send_text(room, body).await;
        match self
            .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
            .await
        {
            ServerFrame::Ack { seq, .. } => seq,
            _ => unreachable!("next_matching answers an ack"),
        }
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

    /// Pings and waits for the `pong`: the connection is open and served.
    pub async fn ping(&mut self) {
        self.send_frame(ClientFrame::Ping, Some("ping")).await;
        self.next_matching(|f| matches!(f, ServerFrame::Pong { .. }))
            .await;
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

/// The code of a close frame, if there was one.
pub fn close_code_of(frame: &Option<CloseFrame>) -> Option<u16> {
    frame.as_ref().map(|f| u16::from(f.code))
}
