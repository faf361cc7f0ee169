//! `send`: a new message, or a reply in a thread.
//!
//! The body must not be blank (unless files are attached) and is at most
//! `--max-body-chars` characters; a send takes one of the user's messages per
//! second; the caller must be able to read the room; a reply's root must be a
//! top-level message of the room; attached files are claimed for the message
//! ([`super::files::attach`]). `@name`s are resolved into `mentions` here.

use protocol::{Message, RoomId};
use uuid::Uuid;

use super::{access, check_body, mentions, take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{NewEntry, NewMessage, Outcome};

pub struct SendRequest {
    pub room: RoomId,
    pub client_msg_id: Uuid,
    pub body: String,
    pub thread: Option<Uuid>,
    /// Files uploaded to the room, to carry.
    pub attachments: Vec<Uuid>,
    /// Cards (a webhook's Slack-shaped post; checked by `crate::slack`).
    pub cards: Vec<protocol::Card>,
}

/// Checks a send and makes the entry to submit.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    request: SendRequest,
) -> DomainResult<NewEntry> {
    access::require_write(caller, Some(&request.room))?;
    if (request.attachments.is_empty() && request.cards.is_empty()) || !request.body.is_empty() {
        check_body(state, &request.body)?;
    }
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, &request.room).await?;
    if let Some(root) = request.thread {
        let record = access::live_message(state, &request.room, root)
            .await
            .map_err(|_| {
                DomainError::Invalid(format!("no message {root} to reply to in this room"))
            })?;
        if record.thread.is_some() {
            return Err(DomainError::Invalid(
                "a reply's root must be a top-level message of the room".into(),
            ));
        }
    }
    let mentions = mentions::resolve(state, caller, &request.room, &request.body).await?;
    let attachments = super::files::attach(
        state,
        caller,
        &request.room,
        request.client_msg_id,
        &request.attachments,
    )
    .await?;
    Ok(NewEntry::Message(NewMessage {
        room: request.room,
        author: caller.user.clone(),
        client_msg_id: request.client_msg_id,
        body: request.body,
        thread: request.thread,
        mentions: mentions.users,
        everyone: mentions.everyone,
        attachments,
        cards: request.cards,
        imported: None,
    }))
}

/// Sends and waits until the message is stored (HTTP and webhooks): the
/// message, and whether this call stored it (false: a resend of a
/// `client_msg_id` stored before, answered with the first copy).
pub async fn send_and_wait(
    state: &AppState,
    caller: &Caller,
    request: SendRequest,
) -> DomainResult<(Message, bool)> {
    let entry = prepare(state, caller, request).await?;
    let outcome = super::submit_and_wait(state, entry).await;
    let fresh = outcome.as_ref().is_ok_and(Outcome::is_fresh);
    Ok((stored(outcome)?, fresh))
}

/// Longest `Idempotency-Key`, in bytes.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The id a message sent over HTTP gets: the body's `client_msg_id` if it
/// names one, else one made from the client's own key (`Idempotency-Key`),
/// else a fresh one. A resend with the same id or key is the same message.
pub fn message_id(
    sender: Uuid,
    client_msg_id: Option<Uuid>,
    key: Option<&str>,
) -> DomainResult<Uuid> {
    match (client_msg_id, key) {
        (Some(id), _) => Ok(id),
        (None, Some(key)) => id_from_key(sender, key),
        (None, None) => Ok(Uuid::now_v7()),
    }
}

/// A `client_msg_id` from a client's own key (1-255 bytes): the same key
/// from the same sender names the same message, whatever instance it reaches.
fn id_from_key(sender: Uuid, key: &str) -> DomainResult<Uuid> {
    use sha2::Digest;
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(DomainError::Invalid(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} bytes"
        )));
    }
    let digest = sha2::Sha256::new()
        .chain_update(sender.as_bytes())
        .chain_update(key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Ok(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// The stored message a send's outcome names (for its `ack`).
pub fn stored(outcome: DomainResult<Outcome>) -> DomainResult<Message> {
    match outcome? {
        Outcome::Stored {
            entry: protocol::Entry::Message(message),
            ..
        } => Ok(message),
        _ => Err(DomainError::Invalid("nothing was stored".into())),
    }
}
