//! Search (`GET /api/search`): messages whose body holds every word asked
//! for, whole and case-blind, in the rooms the caller can read now, newest
//! first, each with its matched words marked (`docs/PROTOCOL.md`, *Search*).

use protocol::{
    highlight, search_words, SearchHit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_CHARS, MAX_SEARCH_LIMIT,
    MAX_SEARCH_WORDS,
};
use uuid::Uuid;

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::SearchQuery;

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

/// The distinct words of a search text, checked against the limits.
fn words(text: &str) -> DomainResult<Vec<String>> {
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
    let words = words(&request.text)?;
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
    let found = state
        .store
        .search(&SearchQuery {
            viewer: caller.user.id,
            words: words.clone(),
            room,
            before: request.before,
            limit,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct_and_bounded() {
        assert_eq!(
            words("Deploy, deploy FAILED!").unwrap(),
            ["deploy", "failed"]
        );
        assert!(matches!(words(" -- "), Err(DomainError::Invalid(_))));
        assert!(matches!(
            words("a b c d e f g h i j k"),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            words(&"x".repeat(201)),
            Err(DomainError::Invalid(_))
        ));
    }
}
