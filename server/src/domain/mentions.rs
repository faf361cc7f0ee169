//! Who a body mentions, resolved when the message is stored (or edited):
//! `@name` of a user who can read the room; `@group`, the group's members who
//! can read it; `@here`, the room's members with a connection open on any
//! instance; `@channel` and `@all`, every member (kept as one flag, not a
//! list: a room may have thousands). In a room of more than
//! [`BROAD_MENTION_MEMBERS`] members the last three are its moderators',
//! owners' and admins' only (`access::require_broad_mention`). The author is
//! never mentioned by their own message.

use protocol::{mentioned_names, Broad};
use uuid::Uuid;

use super::{access, Caller, DomainResult};
use crate::state::AppState;

#[cfg(doc)]
use protocol::BROAD_MENTION_MEMBERS;

/// Who a message mentions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// By name (in order of first mention), then by group, then by `@here`.
    pub users: Vec<Uuid>,
    /// `@channel` or `@all`: every member.
    pub everyone: bool,
}

/// The mentions of `body`, sent by the caller in `room`.
pub async fn resolve(
    state: &AppState,
    caller: &Caller,
    room: &str,
    body: &str,
) -> DomainResult<Mentions> {
    let mut mentions = Mentions::default();
    let names = mentioned_names(body);
    if names.is_empty() {
        return Ok(mentions);
    }
    let broad: Vec<Broad> = names.iter().filter_map(|n| Broad::of(n)).collect();
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| Broad::of(n).is_none())
        .collect();
    if !broad.is_empty() {
        access::require_broad_mention(state, caller, room).await?;
        mentions.everyone = broad.contains(&Broad::Everyone);
    }
    if !names.is_empty() {
        let readers = state.store.readers_named(room, &names).await?;
        let unmatched: Vec<String> = names
            .iter()
            .filter(|name| !readers.iter().any(|u| u.name.eq_ignore_ascii_case(name)))
            .cloned()
            .collect();
        for name in &names {
            if let Some(user) = readers.iter().find(|u| u.name.eq_ignore_ascii_case(name)) {
                mentions.users.push(user.id);
            }
        }
        mentions
            .users
            .extend(state.store.group_readers(room, &unmatched).await?);
    }
    if broad.contains(&Broad::Here) && !mentions.everyone {
        let members = state.store.member_ids(room).await?;
        mentions
            .users
            .extend(state.user_limits.connected(&members).await);
    }
    let mut seen = std::collections::HashSet::new();
    mentions
        .users
        .retain(|u| *u != caller.user.id && seen.insert(*u));
    Ok(mentions)
}
