//! Who stored messages are pushed to, and what the push says. A member is
//! pushed to when a message notifies them (`protocol::notifies`, the rule
//! `activity` follows: their level, muting and do-not-disturb, a mention or
//! a followed thread) and none of their connections is visible, on any
//! instance.

use std::collections::HashMap;

use protocol::{notifies, Message, PushPayload, RoomKind};
use time::OffsetDateTime;
use uuid::Uuid;

use super::batch::RoomBatch;
use super::deliver::Push;
use crate::engine::quiet::QuietRule;
use crate::state::AppState;
use crate::store::PushTarget;

/// Longest preview of a message's text, in characters.
const PREVIEW_CHARS: usize = 140;

/// Pushes a room's messages of a batch to whom they notify: each member
/// is pushed the newest message that notifies them (the deliverer would
/// let it replace the older ones anyway), counting what is unread.
pub(super) async fn push(state: &AppState, batch: &RoomBatch<'_>) {
    let room = batch.room;
    let mut roots: Vec<Uuid> = batch.messages.iter().filter_map(|m| m.thread).collect();
    roots.sort();
    roots.dedup();
    let mut followers: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for root in roots {
        let following = state.store.followers(room, root).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a thread's followers unavailable for pushes");
            Vec::new()
        });
        followers.insert(root, following);
    }
    let named = batch.named(followers.values().flatten().copied());
    let targets = state
        .store
        .push_targets(
            room,
            batch.newest(),
            batch.author(),
            &named,
            batch.everyone(),
        )
        .await;
    let targets = match targets {
        Ok(targets) => targets,
        Err(e) => {
            tracing::warn!(error = %e, "push targets unavailable");
            return;
        }
    };
    let now = OffsetDateTime::now_utc();
    let chosen: Vec<(PushTarget, &Message, bool)> = targets
        .into_iter()
        .filter_map(|target| {
            let user = target.subscription.user;
            let quiet = QuietRule::from(target.dnd.clone()).quiet(now);
            let (message, mention) = batch.messages.iter().rev().find_map(|message| {
                if message.author.id == user {
                    return None;
                }
                let mention = message.everyone || message.mentions.contains(&user);
                let followed = message
                    .thread
                    .and_then(|root| followers.get(&root))
                    .is_some_and(|following| following.contains(&user));
                notifies(target.level, target.muted, quiet, mention, followed)
                    .then_some((*message, mention))
            })?;
            Some((target, message, mention))
        })
        .collect();
    if chosen.is_empty() {
        return;
    }
    let mut users: Vec<Uuid> = chosen.iter().map(|(t, _, _)| t.subscription.user).collect();
    users.sort();
    users.dedup();
    let looking = state.user_limits.looking(&users).await;
    let hide = state.pusher.args.push_hide_preview;
    for (target, message, mention) in chosen {
        if looking.contains(&target.subscription.user) {
            continue;
        }
        let payload = payload(message, &target, mention, hide);
        let push = Push {
            payload: serde_json::to_vec(&payload).unwrap_or_default(),
            room: message.room.clone(),
            urgency: if mention || target.kind == RoomKind::Direct {
                "high"
            } else {
                "normal"
            },
            subscription: target.subscription,
        };
        state.pusher.deliver.enqueue(state, push);
    }
}

/// What the push of `message` to `target` says.
pub(super) fn payload(
    message: &Message,
    target: &PushTarget,
    mention: bool,
    hide_preview: bool,
) -> PushPayload {
    let author = &message.author.name;
    let room = format!("#{}", target.room_name);
    let count = target.unread.max(1);
    let title = match (target.kind, count, mention, message.thread) {
        (RoomKind::Direct, 1, _, _) => author.clone(),
        (RoomKind::Direct, n, _, _) => format!("{n} new messages from {author}"),
        (_, 1, true, _) => format!("{author} mentioned you in {room}"),
        (_, 1, false, Some(_)) => format!("{author} replied in a thread in {room}"),
        (_, 1, false, None) => format!("{author} in {room}"),
        (_, n, _, _) => format!("{n} new messages in {room}"),
    };
    let body = (!hide_preview).then(|| preview(message, count > 1));
    PushPayload {
        room: message.room.clone(),
        seq: message.seq,
        id: message.id,
        thread: message.thread,
        count,
        title,
        body,
        url: format!(
            "/?at={}&msg={}#{}",
            message.seq,
            message.id,
            url::form_urlencoded::byte_serialize(message.room.as_bytes()).collect::<String>()
        ),
        tag: format!("room:{}", message.room),
    }
}

/// The message's text, shortened (named by its author when the push
/// stands for several).
fn preview(message: &Message, several: bool) -> String {
    let text: String = if message.body.trim().is_empty() && !message.attachments.is_empty() {
        "sent a file".into()
    } else {
        let mut text: String = message.body.chars().take(PREVIEW_CHARS).collect();
        if message.body.chars().count() > PREVIEW_CHARS {
            text.push('…');
        }
        text
    };
    if several {
        format!("{}: {text}", message.author.name)
    } else {
        text
    }
}

#[cfg(test)]
#[path = "recipients_tests.rs"]
mod tests;
