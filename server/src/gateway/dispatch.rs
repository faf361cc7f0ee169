//! What the gateway does with each decoded client frame: hand it to its
//! operation in [`crate::domain`] and queue the answer. Nothing here decides
//! who may do what. A refused frame gets an `error` and the next frame is read
//! as usual; only abuse closes the connection.

use protocol::{close_code, ClientEnvelope, ClientFrame, ErrorCode, ServerFrame, Since};

use super::connection::Conn;
use crate::domain::send::SendRequest;
use crate::domain::{
    self, delete, edit, history, join, react, read, send, topic, typing, DomainError, DomainResult,
};
use crate::engine::outbox::frame;
use crate::store::{NewEntry, Outcome};

/// Most rooms one connection may have joined at once.
pub const MAX_ROOMS_PER_CONN: usize = 200;

/// Handles one frame; returns a close code if the connection must end.
pub async fn handle(conn: &mut Conn, envelope: ClientEnvelope) -> Option<u16> {
    let reference = envelope.reference;
    let state = conn.state.clone();
    let caller = &conn.caller;
    let prepared = match envelope.frame {
        ClientFrame::Join { room, since } => {
            join_room(conn, room, since, reference).await;
            return None;
        }
        ClientFrame::Leave { room } => {
            if conn.rooms.remove(&room) {
                join::leave(&state, caller, &room).await;
            }
            return None;
        }
        ClientFrame::History {
            room,
            before,
            after,
            around,
            limit,
        } => {
            let at = history::at(before, after, around);
            match history::page(&state, caller, &room, at, limit).await {
                Ok(page) => conn.reply(&ServerFrame::History {
                    room,
                    messages: page.entries,
                    seq: page.seq,
                    reference,
                }),
                Err(e) => return refuse(conn, e, reference),
            }
            return None;
        }
        ClientFrame::Typing { room } => {
            if let Err(e) = typing::typing(&state, caller, &room).await {
                return refuse(conn, e, reference);
            }
            return None;
        }
        ClientFrame::Topic { room, topic } => topic::prepare(&state, caller, room, topic)
            .await
            .map(|e| (e, Answer::Done)),
        ClientFrame::Read { room, seq } => {
            // No reply, as the contract says; a failure is only logged.
            if let Err(e) = read::read(&state, caller, &room, seq).await {
                tracing::debug!(room, error = %e, "read not recorded");
            }
            return None;
        }
        ClientFrame::Ping => {
            conn.reply(&ServerFrame::Pong { reference });
            return None;
        }
        ClientFrame::Visible { visible } => {
            conn.slot.set_visible(visible).await;
            return None;
        }
        ClientFrame::PresenceInterest { users } => {
            let declared =
                domain::presence::declare(&state, caller, &users, &conn.rooms, &conn.outbox).await;
            if let Err(e) = declared {
                return refuse(conn, e, reference);
            }
            return None;
        }
        ClientFrame::Send {
            room,
            client_msg_id,
            body,
            thread,
            attachments,
        } => {
            let request = SendRequest {
                room,
                client_msg_id,
                body,
                thread,
                attachments,
                cards: Vec::new(),
            };
            send::prepare(&state, caller, request)
                .await
                .map(|e| (e, Answer::Ack))
        }
        ClientFrame::Edit { room, id, body } => edit::prepare(&state, caller, room, id, body)
            .await
            .map(|e| (e, Answer::Done)),
        ClientFrame::Delete { room, id } => delete::prepare(&state, caller, room, id)
            .await
            .map(|e| (e, Answer::Done)),
        ClientFrame::React {
            room,
            id,
            emoji,
            on,
        } => react::prepare(&state, caller, room, id, emoji, on)
            .await
            .map(|e| (e, Answer::Done)),
    };
    match prepared {
        Ok((entry, answer)) => submit(conn, entry, answer, reference).await,
        Err(e) => refuse(conn, e, reference),
    }
}

/// How a stored entry is answered: `ack` for a send, `done` for the rest.
#[derive(Clone, Copy)]
enum Answer {
    Ack,
    Done,
}

impl Answer {
    fn frame(
        self,
        room: String,
        outcome: DomainResult<Outcome>,
        reference: Option<String>,
    ) -> ServerFrame {
        let answered = match self {
            Answer::Ack => send::stored(outcome).map(|m| ServerFrame::Ack {
                room: room.clone(),
                client_msg_id: m.client_msg_id,
                seq: m.seq,
                ts: m.ts,
                reference: reference.clone(),
            }),
            Answer::Done => domain::done_seq(outcome).map(|seq| ServerFrame::Done {
                room: room.clone(),
                seq,
                reference: reference.clone(),
            }),
        };
        answered.unwrap_or_else(|e| error_frame(&e, reference))
    }
}

/// Hands a checked entry to the group commit. The answer (or the error) is
/// queued once it is stored; the connection reads its next frame meanwhile,
/// up to its in-flight limit.
async fn submit(
    conn: &mut Conn,
    entry: NewEntry,
    answer: Answer,
    reference: Option<String>,
) -> Option<u16> {
    let Ok(permit) = conn.in_flight.clone().acquire_owned().await else {
        return None; // never closed
    };
    let outbox = conn.outbox.clone();
    let room = entry.room().to_string();
    domain::submit(&conn.state, entry, move |outcome| {
        outbox.push(frame(&answer.frame(room, outcome, reference)));
        drop(permit);
    });
    None
}

fn error_frame(e: &DomainError, reference: Option<String>) -> ServerFrame {
    let code = e.code();
    metrics::counter!("confab_errors_total", "code" => code.as_str()).increment(1);
    ServerFrame::Error {
        code,
        message: e.to_string(),
        reference,
    }
}

/// Answers a refused frame; a bad request counts against the connection's
/// allowance for abuse.
fn refuse(conn: &mut Conn, e: DomainError, reference: Option<String>) -> Option<u16> {
    conn.reply(&error_frame(&e, reference));
    (e.is_bad_request() && conn.abused()).then_some(close_code::POLICY)
}

async fn join_room(conn: &mut Conn, room: String, since: Option<Since>, reference: Option<String>) {
    if !conn.rooms.contains(&room) && conn.rooms.len() >= MAX_ROOMS_PER_CONN {
        return conn.error(
            ErrorCode::Invalid,
            format!("a connection may join at most {MAX_ROOMS_PER_CONN} rooms"),
            reference,
        );
    }
    let state = conn.state.clone();
    match join::join(
        &state,
        &conn.caller,
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
        Err(e) => {
            conn.reply(&error_frame(&e, reference));
        }
    }
}
