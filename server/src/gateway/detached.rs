//! A connection without a socket: text frames go through exactly the checks and
//! handlers a live connection's frames go through, and what the server would
//! send is collected instead of written. The fuzzer (`fuzz/`) and the corpus
//! regression test drive the gateway this way.

use protocol::UserRef;

use super::connection::{on_text, Conn};
use crate::auth::Claims;
use crate::engine::outbox::{Outbox, Queue};
use crate::limits::ConnectionSlot;
use crate::state::AppState;

/// A signed-in user's claims (a session's, not a token's: no scope).
fn claims_of(user: UserRef) -> Claims {
    Claims {
        sub: user.id,
        name: user.name,
        exp: crate::auth::unix_now() + 3600,
        iat: 0,
        jti: String::new(),
        sid: uuid::Uuid::nil(),
        scope: Default::default(),
    }
}

pub struct DetachedConnection {
    conn: Conn,
    queue: Queue,
}

impl DetachedConnection {
    /// A connection of `user`, as if its upgrade had just been accepted
    /// (`None` when the user is at their connection limit).
    pub async fn open(state: AppState, user: UserRef) -> Option<Self> {
        let slot = ConnectionSlot::take(&state.user_limits, user.id).await?;
        let id = state.next_conn_id();
        let (outbox, queue) = Outbox::bounded(
            state.config.outbound_queue,
            state.config.outbound_queue_bytes,
        );
        Some(DetachedConnection {
            conn: Conn::new(id, &claims_of(user), state, outbox, slot),
            queue,
        })
    }

    /// Handles one text frame. Answers the close code if the server would close
    /// the connection because of it.
    pub async fn receive(&mut self, text: &str) -> Option<u16> {
        on_text(&mut self.conn, text).await
    }

    /// The frames queued for the client so far, as the text that would be sent.
    pub fn sent(&mut self) -> Vec<String> {
        let mut sent = Vec::new();
        while let Ok(frame) = self.queue.try_recv() {
            sent.push(frame.as_str().to_string());
        }
        sent
    }

    /// Leaves every joined room, as a closing connection does.
    pub async fn close(mut self) {
        self.conn.leave_all().await;
    }
}

/// The configuration [`exercise`] runs under: SQLite and its files under
/// `data_dir`, fan-out in process, and the rate limits lifted (a fuzzer is one
/// user sending as fast as it can; what it must find is not a rate limit).
pub fn exercise_config(data_dir: &std::path::Path) -> crate::config::Config {
    use clap::Parser;
    let dir = data_dir.to_string_lossy();
    crate::config::Config::parse_from([
        "confab",
        "--data-dir",
        &*dir,
        "--rate-per-sec",
        "1000000",
        "--rate-burst",
        "1000000",
        "--user-rate-per-sec",
        "1000000",
        "--user-rate-burst",
        "1000000",
    ])
}

/// Most frames one [`exercise`] input is cut into.
const MAX_FRAMES: usize = 64;

/// The fuzz target's body, shared with the corpus regression test: `input` is cut
/// at newlines into text frames, which a fresh connection of the user `fuzz`
/// sends in order. Panics if the server queues anything that is not a valid
/// server frame, or closes with a code the contract does not have.
///
/// The first call sets up what inputs can reach: the users `fuzz` and `owner`,
/// and `owner`'s private room `secret` (refused to `fuzz`).
pub async fn exercise(state: &AppState, input: &[u8]) {
    use protocol::{close_code, RoomKind, ServerFrame};
    let user = match state.store.user_by_name("fuzz").await {
        Ok(Some(record)) => record.user,
        _ => {
            let owner = state.store.create_user("owner", "-").await.expect("owner");
            state
                .store
                .create_room("secret", RoomKind::Private, owner.id)
                .await
                .expect("secret room");
            state
                .store
                .create_user("fuzz", "-")
                .await
                .expect("fuzz user")
        }
    };
    let mut connection = DetachedConnection::open(state.clone(), user)
        .await
        .expect("one connection is under any limit");
    let check = |connection: &mut DetachedConnection| {
        for text in connection.sent() {
            if let Err(e) = ServerFrame::parse(&text) {
                panic!("the server queued a frame outside the contract: {e}: {text}");
            }
        }
    };
    for chunk in input.split(|b| *b == b'\n').take(MAX_FRAMES) {
        let text = String::from_utf8_lossy(chunk);
        let closed = connection.receive(&text).await;
        check(&mut connection);
        if let Some(code) = closed {
            let known = [
                close_code::GOING_AWAY,
                close_code::POLICY,
                close_code::TOO_LARGE,
                close_code::TOKEN_EXPIRED,
            ];
            assert!(known.contains(&code), "closed with unknown code {code}");
            break;
        }
    }
    // Every send is committed (or refused) and answered.
    state.node.settle_commits().await;
    check(&mut connection);
    connection.close().await;
    // Whatever came in, the room's log has no holes: its counter is its
    // newest entry's seq.
    let room = state
        .store
        .room("general")
        .await
        .expect("store")
        .expect("room");
    let newest = state
        .store
        .entries_after("general", room.last_seq.saturating_sub(1), 1)
        .await
        .expect("store");
    assert_eq!(
        room.last_seq,
        newest.last().map_or(0, |e| e.seq()),
        "seq counter and stored entries disagree"
    );
}
