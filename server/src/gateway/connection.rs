//! One WebSocket connection: a single task that reads the client's frames, writes
//! what its outbound queue holds, and closes with the right code.
//!
//! Everything the client is sent (replies, room messages, presence) goes through the
//! one bounded queue, so the client sees it in the order it was queued. The task
//! writes whatever is queued in one batch (feed, feed, …, flush). If the client stops
//! reading, the queue fills, the engine asks this task to close with 1008, and the
//! rest of the room never waits for it.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;
use protocol::{close_code, ClientEnvelope, ErrorCode, RoomId, ServerFrame};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::{sleep_until, timeout, Instant};
use tracing::Instrument;

use crate::auth::{unix_now, Claims};
use crate::domain::{access, Caller};
use crate::engine::outbox::{frame, ConnId, Frame, Outbox, Queue};
use crate::limits::{ConnectionSlot, TokenBucket};
use crate::state::AppState;

/// Most frames written per flush.
/// (The codec keeps a write buffer as large as the largest batch, for as long as
/// the connection lives.)
const WRITE_BATCH: usize = 16;
/// How long a close frame may take to leave before the socket is just dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How many bad or rate-limited frames in a row (refilling 1 per second) a
/// connection may send before it is closed for abuse.
const ABUSE_BURST: f64 = 20.0;

/// A connection's own state, as seen by the frame handlers in `dispatch`.
pub struct Conn {
    /// The connection's user and id, as every operation sees them.
    pub caller: Caller,
    pub state: AppState,
    pub outbox: Outbox,
    /// Rooms this connection has joined.
    pub rooms: HashSet<RoomId>,
    /// Sends this connection may have in flight (stored but not yet answered).
    /// Past it, the connection stops reading until answers come back, so its
    /// answers can never overflow its own queue.
    pub in_flight: Arc<Semaphore>,
    /// Its place in the user's connection count, and whether it is hidden.
    pub slot: ConnectionSlot,
    rate: TokenBucket,
    abuse: TokenBucket,
}

impl Conn {
    /// A connection's state before it has joined anything, with the
    /// configured rate limits.
    pub fn new(
        id: ConnId,
        claims: &Claims,
        state: AppState,
        outbox: Outbox,
        slot: ConnectionSlot,
    ) -> Self {
        let in_flight = (outbox.capacity() / 4).clamp(1, crate::engine::MAX_BATCH);
        Conn {
            in_flight: Arc::new(Semaphore::new(in_flight)),
            slot,
            caller: Caller::new(claims, Some(id)),
            rate: TokenBucket::new(state.config.rate_per_sec, state.config.rate_burst),
            abuse: TokenBucket::new(1.0, ABUSE_BURST),
            state,
            outbox,
            rooms: HashSet::new(),
        }
    }

    /// Leaves every room this connection joined (it is going away).
    pub async fn leave_all(&mut self) {
        for room in std::mem::take(&mut self.rooms) {
            crate::domain::join::leave(&self.state, &self.caller, &room).await;
        }
    }

    /// Queues a reply frame for this client.
    pub fn reply(&self, server_frame: &ServerFrame) {
        self.outbox.push(frame(server_frame));
    }

    /// Queues an `error` frame.
    pub fn error(&self, code: ErrorCode, message: impl Into<String>, reference: Option<String>) {
        metrics::counter!("confab_errors_total", "code" => code.as_str()).increment(1);
        self.reply(&ServerFrame::Error {
            code,
            message: message.into(),
            reference,
        });
    }

    /// Counts a bad frame against the abuse allowance; true once it is spent.
    pub fn abused(&mut self) -> bool {
        !self.abuse.try_take()
    }
}

/// Serves one upgraded connection until it closes. The connection holds `slot`
/// (its place in the user's connection count) until then.
pub async fn run(socket: WebSocket, state: AppState, claims: Claims, slot: ConnectionSlot) {
    let id = state.next_conn_id();
    let span = tracing::info_span!("ws", conn = id, user = %claims.name);
    async move {
        metrics::gauge!("confab_connections_open").increment(1.0);
        tracing::debug!("connected");
        let (outbox, queue) = Outbox::bounded(
            state.config.outbound_queue,
            state.config.outbound_queue_bytes,
        );
        let mut conn = Conn::new(id, &claims, state, outbox, slot);
        let expires = Instant::now() + Duration::from_secs(claims.exp.saturating_sub(unix_now()));
        conn.state
            .sessions
            .opened(claims.sub, id, claims.sid, &conn.outbox);
        let watched = access::hears_all_rooms(&conn.caller);
        if watched {
            conn.state
                .node
                .watch(&conn.caller.user, id, &conn.outbox)
                .await;
        }
        let code = serve(&mut conn, socket, queue, expires).await;
        if watched {
            conn.state.node.unwatch(claims.sub, id);
        }
        conn.state.sessions.closed(claims.sub, id);
        conn.leave_all().await;
        conn.state.node.presence_forget(id);
        drop(conn);
        metrics::gauge!("confab_connections_open").decrement(1.0);
        tracing::debug!(close = ?code, "disconnected");
    }
    .instrument(span)
    .await
}

/// The connection's loop. Returns the close code it sent, if any.
async fn serve(
    conn: &mut Conn,
    mut socket: WebSocket,
    mut queue: Queue,
    expires: Instant,
) -> Option<u16> {
    // The reasons to stop, made once and polled on every turn: re-making them
    // each turn would re-register a timer and two waiters, under locks shared
    // by every connection.
    let shutdown = conn.state.shutdown.clone();
    let outbox = conn.outbox.clone();
    // On shutdown each connection goes at its own moment within the drain
    // window (`--drain-secs`), serving meanwhile, so its clients do not all
    // reconnect to the other instances in the same instant.
    let drain = conn
        .state
        .config
        .drain_window()
        .mul_f64(rand::random::<f64>());
    let going_away = async move {
        shutdown.cancelled().await;
        tokio::time::sleep(drain).await;
    };
    let kicked = outbox.closing();
    let expiry = sleep_until(expires);
    tokio::pin!(going_away, kicked, expiry);
    let code = loop {
        tokio::select! {
            biased;
            _ = &mut going_away => break Some(close_code::GOING_AWAY),
            code = &mut kicked => break Some(code),
            _ = &mut expiry => break Some(close_code::TOKEN_EXPIRED),
            Some(first) = queue.recv() => {
                // A client that stops reading blocks this write; the engine's
                // close request (its queue filled meanwhile) still gets through.
                tokio::select! {
                    written = write_batch(&mut socket, first, &mut queue) => {
                        if written.is_err() { break None; }
                    }
                    code = &mut kicked => break Some(code),
                    _ = &mut going_away => break Some(close_code::GOING_AWAY),
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    // Boxed: handling a frame takes a large future, which
                    // would otherwise sit in every idle connection's task.
                    if let Some(code) = Box::pin(on_text(conn, text.as_str())).await {
                        break Some(code);
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    conn.error(ErrorCode::Invalid, "binary frames are not part of the protocol; send JSON text frames", None);
                    if conn.abused() { break Some(close_code::POLICY); }
                }
                Some(Ok(Message::Close(_))) | None => break None,
                Some(Ok(_)) => {} // pings are answered by the codec
                Some(Err(e)) => {
                    // The codec refuses frames far over the limit before reading them.
                    let too_large = e.to_string().contains("Space limit exceeded");
                    tracing::debug!(error = %e, "read failed");
                    break too_large.then_some(close_code::TOO_LARGE);
                }
            }
        }
    };
    // Out of every room before the closing handshake, which can take seconds
    // with a client that does not read: the room should not count it online,
    // nor try to deliver to it, meanwhile.
    conn.leave_all().await;
    if let Some(code) = code {
        let reason = match code {
            close_code::GOING_AWAY => "server going away",
            close_code::POLICY => "policy: slow consumer or abuse",
            close_code::TOO_LARGE => "frame too large",
            close_code::TOKEN_EXPIRED => "token expired or revoked",
            _ => "",
        };
        let close = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        if let Ok(Ok(())) = timeout(CLOSE_TIMEOUT, socket.send(close)).await {
            // The closing handshake: read (and drop) what the client still sends
            // until its Close arrives. Dropping the socket while frames are still
            // coming in would reset the connection and lose our close frame.
            let _ = timeout(CLOSE_TIMEOUT, async {
                while let Some(Ok(message)) = socket.recv().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
    }
    code
}

/// Handles one text frame; returns a close code if the connection must end.
pub(super) async fn on_text(conn: &mut Conn, text: &str) -> Option<u16> {
    metrics::counter!("confab_frames_in_total").increment(1);
    if text.len() > conn.state.config.max_frame_bytes {
        return Some(close_code::TOO_LARGE);
    }
    if !conn.rate.try_take() {
        conn.error(ErrorCode::RateLimited, "too many frames; slow down", None);
        return conn.abused().then_some(close_code::POLICY);
    }
    match ClientEnvelope::parse(text) {
        Ok(envelope) => super::dispatch::handle(conn, envelope).await,
        Err(e) => {
            conn.error(ErrorCode::Invalid, e.message, e.reference);
            conn.abused().then_some(close_code::POLICY)
        }
    }
}

/// Writes `first` and whatever else is queued (up to a batch), then flushes once.
async fn write_batch(
    socket: &mut WebSocket,
    first: Frame,
    queue: &mut Queue,
) -> Result<(), axum::Error> {
    socket.feed(Message::Text(first)).await?;
    let mut written = 1u64;
    while written < WRITE_BATCH as u64 {
        match queue.try_recv() {
            Ok(next) => {
                socket.feed(Message::Text(next)).await?;
                written += 1;
            }
            Err(_) => break,
        }
    }
    metrics::counter!("confab_frames_out_total").increment(written);
    socket.flush().await
}
