//! Search (`GET /api/search`): messages whose body (or a file's name) holds
//! every word asked for, whole and case-blind, in the rooms the caller can
//! read now, newest first, each with its matched words marked
//! (`docs/PROTOCOL.md`, *Search*). Filters in the text (`from:`, `in:`,
//! `has:file`, …: `protocol::SearchFilters`) narrow it, never widen it: an
//! `in:` room the caller cannot read, or that does not exist, finds nothing,
//! exactly as a room with no match does.

use protocol::{
    highlight, search_words, SearchHit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_CHARS, MAX_SEARCH_LIMIT,
    MAX_SEARCH_WORDS,
};
use uuid::Uuid;

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{SearchFilters, SearchQuery};

/// What a caller asked for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub text: String,
    /// Only this room (which the caller must be able to read).
    pub room: Option<String>,
    /// The last result of the previous page.
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

/// The distinct words of a search text, checked against the limits; none
/// is allowed when `filtered`.
fn words(text: &str, filtered: bool) -> DomainResult<Vec<String>> {
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(DomainError::Invalid(format!(
            "search text is longer than {MAX_SEARCH_CHARS} characters"
        )));
    }
    let mut words: Vec<String> = Vec::new();
    for word in search_words(text) {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.len() {
        0 if filtered => Ok(words),
        0 => Err(DomainError::Invalid(
            "search for at least one word (letters or digits)".into(),
        )),
        n if n > MAX_SEARCH_WORDS => Err(DomainError::Invalid(format!(
            "search for at most {MAX_SEARCH_WORDS} words"
        ))),
        _ => Ok(words),
    }
}

pub async fn search(
    state: &AppState,
    caller: &Caller,
    request: Request,
) -> DomainResult<Vec<SearchHit>> {
    if request.text.chars().count() > MAX_SEARCH_CHARS {
        return Err(DomainError::Invalid(format!(
            "search text is longer than {MAX_SEARCH_CHARS} characters"
        )));
    }
    let parsed = protocol::SearchFilters::parse(&request.text).map_err(DomainError::Invalid)?;
    let words = words(&parsed.text, parsed.any())?;
    let limit = match request.limit.unwrap_or(DEFAULT_SEARCH_LIMIT) {
        n @ 1..=MAX_SEARCH_LIMIT => n,
        _ => {
            return Err(DomainError::Invalid(format!(
                "limit must be 1 to {MAX_SEARCH_LIMIT}"
            )))
        }
    };
    // A one-room token searches its room only.
    let room = request.room.or_else(|| caller.scope.room.clone());
    if let Some(room) = &room {
        access::require_readable(state, caller, room).await?;
    }
    let room = match (room, parsed.room) {
        (room, None) => room,
        (None, Some(named)) if readable(state, caller, &named).await => Some(named),
        (Some(room), Some(named)) if room == named => Some(room),
        // Unknown, unreadable, or another room than the one asked for.
        _ => return Ok(Vec::new()),
    };
    let day_ms = |day: time::Date| day.midnight().assume_utc().unix_timestamp() * 1000;
    let filters = SearchFilters {
        from: parsed.from,
        has_file: parsed.has_file,
        has_link: parsed.has_link,
        is_thread: parsed.is_thread,
        before_ms: parsed.before.map(day_ms),
        after_ms: parsed.after.and_then(|day| day.next_day()).map(day_ms),
    };
    let found = state
        .store
        .search(&SearchQuery {
            viewer: caller.user.id,
            words: words.clone(),
            room,
            before: request.before,
            limit,
            filters,
        })
        .await?;
    Ok(found
        .into_iter()
        .map(|message| SearchHit {
            highlight: highlight(&message.body, &words),
            message,
        })
        .collect())
}

/// Whether the caller may read `room` (any failure: no).
async fn readable(state: &AppState, caller: &Caller, room: &str) -> bool {
    access::require_readable(state, caller, room).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct_and_bounded() {
        assert_eq!(
            words("Deploy, deploy FAILED!", false).unwrap(),
            ["deploy", "failed"]
        );
        assert!(matches!(words(" -- ", false), Err(DomainError::Invalid(_))));
        assert!(words(" -- ", true).unwrap().is_empty(), "filters alone");
        assert!(matches!(
            words("a b c d e f g h i j k", false),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            words(&"x".repeat(201), false),
            Err(DomainError::Invalid(_))
        ));
    }
}
