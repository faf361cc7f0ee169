//! `@name` in a body mentions that user if they can read the room: resolved
//! into user ids when the message is stored (or edited).

use protocol::mentioned_names;
use uuid::Uuid;

use super::DomainResult;
use crate::state::AppState;

/// The ids of the users `body` mentions who can read `room`, in order of
/// first mention.
pub async fn resolve(state: &AppState, room: &str, body: &str) -> DomainResult<Vec<Uuid>> {
    let names = mentioned_names(body);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let readers = state.store.readers_named(room, &names).await?;
    Ok(names
        .iter()
        .filter_map(|name| {
            readers
                .iter()
                .find(|u| u.name.eq_ignore_ascii_case(name))
                .map(|u| u.id)
        })
        .collect())
}
