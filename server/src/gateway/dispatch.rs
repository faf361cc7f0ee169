//! What the gateway does with each decoded client frame.
//!
//! Each handler checks the frame against the limits and the caller's rights, then
//! asks the engine or the store, and queues the reply. Nothing here can fail the
//! connection except abuse: a refused frame gets an `error` and the next frame is
//! read as usual.

use app::protocol::{
    close_code, ClientEnvelope, ClientFrame, ErrorCode, RoomKind, ServerFrame, Since,
};
use uuid::Uuid;

use super::connection::Conn;
use crate::engine::outbox::frame;
use crate::http::api::history_limit;
use crate::store::{NewMessage, StoreError};

/// Most rooms one connection may have joined at once.
pub const MAX_ROOMS_PER_CONN: usize = 200;

/// Handles one frame; returns a close code if the connection must end.
pub async fn handle(conn: &mut Conn, envelope: ClientEnvelope) -> Option<u16> {
    let reference = envelope.reference;
    match envelope.frame {
        ClientFrame::Join { room, since } => join(conn, room, since, reference).await,
        ClientFrame::Leave { room } => {
            if conn.rooms.remove(&room) {
                conn.state.node.leave(conn.id, &room).await;
            }
        }
        ClientFrame::Send {
            room,
            client_msg_id,
            body,
        } => return send(conn, room, client_msg_id, body, reference).await,
        ClientFrame::History {
            room,
            before,
            limit,
        } => history(conn, room, before, limit, reference).await,
        ClientFrame::Typing { room } => {
            if !conn.state.node.is_subscribed(conn.id, &room).await {
                conn.error(ErrorCode::Forbidden, "join the room first", reference);
            } else if user_rate_allows(conn, &reference).await {
                conn.state.node.typing(&room, &conn.user).await;
            }
        }
        ClientFrame::Ping => conn.reply(&ServerFrame::Pong { reference }),
    }
    None
}

/// Takes one message from the user's allowance (shared by all of their
/// connections, on every instance); if it is spent, says so and answers false.
async fn user_rate_allows(conn: &Conn, reference: &Option<String>) -> bool {
    if conn.state.user_limits.take_message(conn.user.id).await {
        return true;
    }
    let rate = conn.state.config.user_rate_per_sec;
    conn.error(
        ErrorCode::RateLimited,
        format!(
            "you are sending more than {rate} messages a second across your connections; slow down"
        ),
        reference.clone(),
    );
    false
}

/// Why a room may not be used.
enum Refusal {
    NotFound,
    Forbidden,
    Unavailable,
}

/// Checks that the caller may use `room`: any public room, or a room they belong
/// to. Joining a public room makes them a member.
async fn check_room(conn: &Conn, room: &str, joining: bool) -> Result<(), Refusal> {
    let store = &conn.state.store;
    let user = conn.user.id;
    if conn.state.node.known_public_member(room, user) {
        return Ok(());
    }
    let record = match store.room(room).await {
        Ok(Some(record)) => record,
        Ok(None) => return Err(Refusal::NotFound),
        Err(_) => return Err(Refusal::Unavailable),
    };
    let member = store
        .is_member(room, user)
        .await
        .map_err(|_| Refusal::Unavailable)?;
    match record.kind {
        RoomKind::Public if member => {
            conn.state.node.remember_public_member(room, user);
            Ok(())
        }
        _ if member => Ok(()),
        RoomKind::Public if joining => {
            store
                .add_member(room, user)
                .await
                .map_err(|_| Refusal::Unavailable)?;
            conn.state.node.remember_public_member(room, user);
            Ok(())
        }
        RoomKind::Public => Ok(()),
        RoomKind::Private | RoomKind::Direct => Err(Refusal::Forbidden),
    }
}

fn refuse(conn: &Conn, refusal: Refusal, room: &str, reference: Option<String>) {
    match refusal {
        Refusal::NotFound => {
            conn.error(ErrorCode::NotFound, format!("no room {room:?}"), reference)
        }
        Refusal::Forbidden => conn.error(
            ErrorCode::Forbidden,
            format!("not a member of {room:?}"),
            reference,
        ),
        Refusal::Unavailable => conn.error(
            ErrorCode::Unavailable,
            "the store is unavailable; retry later",
            reference,
        ),
    }
}

async fn join(conn: &mut Conn, room: String, since: Option<Since>, reference: Option<String>) {
    if !conn.rooms.contains(&room) && conn.rooms.len() >= MAX_ROOMS_PER_CONN {
        return conn.error(
            ErrorCode::Invalid,
            format!("a connection may join at most {MAX_ROOMS_PER_CONN} rooms"),
            reference,
        );
    }
    if let Err(refusal) = check_room(conn, &room, true).await {
        return refuse(conn, refusal, &room, reference);
    }
    let node = conn.state.node.clone();
    match node
        .join(
            conn.id,
            &conn.user,
            &conn.outbox,
            &room,
            since,
            reference.clone(),
        )
        .await
    {
        Ok(joined) => {
            tracing::debug!(
                room,
                recovered = joined.recovered,
                replayed = joined.replayed,
                "joined"
            );
            conn.rooms.insert(room);
        }
        Err(StoreError::NotFound) => refuse(conn, Refusal::NotFound, &room, reference),
        Err(e) => {
            tracing::warn!(room, error = %e, "join failed");
            refuse(conn, Refusal::Unavailable, &room, reference)
        }
    }
}

async fn send(
    conn: &mut Conn,
    room: String,
    client_msg_id: Uuid,
    body: String,
    reference: Option<String>,
) -> Option<u16> {
    if body.trim().is_empty() {
        conn.error(ErrorCode::Invalid, "body is empty", reference);
        return conn.abused().then_some(close_code::POLICY);
    }
    let max = conn.state.config.max_body_chars;
    if body.chars().count() > max {
        conn.error(
            ErrorCode::TooLarge,
            format!("body is longer than {max} characters"),
            reference,
        );
        return conn.abused().then_some(close_code::POLICY);
    }
    if !user_rate_allows(conn, &reference).await {
        return None;
    }
    // Rooms this connection is subscribed to were checked at the join (and an
    // eviction unsubscribes it).
    if !conn.state.node.is_subscribed(conn.id, &room).await {
        if let Err(refusal) = check_room(conn, &room, false).await {
            refuse(conn, refusal, &room, reference);
            return None;
        }
    }
    let message = NewMessage {
        room: room.clone(),
        author: conn.user.clone(),
        client_msg_id,
        body,
    };
    // The ack (or the error) is queued when the room's commit is done; the
    // connection reads its next frame meanwhile, up to its in-flight limit.
    let Ok(permit) = conn.in_flight.clone().acquire_owned().await else {
        return None; // never closed
    };
    let outbox = conn.outbox.clone();
    conn.state.node.submit(
        message,
        Box::new(move |outcome| {
            let reply = match outcome {
                Ok(appended) => ServerFrame::Ack {
                    room,
                    client_msg_id,
                    seq: appended.message.seq,
                    ts: appended.message.ts,
                    reference,
                },
                Err(e) => {
                    let (code, message) = match e {
                        StoreError::NotFound => (ErrorCode::NotFound, format!("no room {room:?}")),
                        _ => (
                            ErrorCode::Unavailable,
                            "the store is unavailable; nothing was stored, retry later".into(),
                        ),
                    };
                    metrics::counter!("confab_errors_total", "code" => code.as_str()).increment(1);
                    ServerFrame::Error {
                        code,
                        message,
                        reference,
                    }
                }
            };
            outbox.push(frame(&reply));
            drop(permit);
        }),
    );
    None
}

async fn history(
    conn: &mut Conn,
    room: String,
    before: Option<u64>,
    limit: Option<u32>,
    reference: Option<String>,
) {
    let limit = match history_limit(limit) {
        Ok(limit) => limit,
        Err(message) => return conn.error(ErrorCode::Invalid, message, reference),
    };
    if !conn.state.node.is_subscribed(conn.id, &room).await {
        if let Err(refusal) = check_room(conn, &room, false).await {
            return refuse(conn, refusal, &room, reference);
        }
    }
    match conn.state.store.messages_before(&room, before, limit).await {
        Ok(messages) => conn.reply(&ServerFrame::History {
            room,
            messages,
            reference,
        }),
        Err(e) => {
            tracing::warn!(room, error = %e, "history failed");
            refuse(conn, Refusal::Unavailable, &room, reference)
        }
    }
}
