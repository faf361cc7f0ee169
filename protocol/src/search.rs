//! v2 search: `GET /api/search` and its answer (`docs/PROTOCOL.md`, *Search*).

use serde::{Deserialize, Serialize};

use super::Message;

/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Most words one search may hold.
pub const MAX_SEARCH_WORDS: usize = 10;
/// Results per page when the caller names no `limit`.
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
/// Most results one page returns.
pub const MAX_SEARCH_LIMIT: u32 = 100;

/// One piece of a found message's body: the body is the pieces in order,
/// and `mark` says the piece is a word the search matched. Plain text, to be
/// shown as text (never as HTML), so highlighting cannot inject markup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Highlight {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mark: bool,
}

/// A found message, in its current state, with its body in [`Highlight`]s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    #[serde(flatten)]
    pub message: Message,
    pub highlight: Vec<Highlight>,
}

/// Answer to `GET /api/search`: newest first. For the next page, ask again
/// with `before` set to the last result's `id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub results: Vec<SearchHit>,
}

/// The words of a text as search sees them: runs of letters and digits,
/// lower-cased. Both stores index bodies this way.
pub fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// `body` cut into pieces, the words among `words` (lower-case) marked.
pub fn highlight(body: &str, words: &[String]) -> Vec<Highlight> {
    let mut pieces: Vec<Highlight> = Vec::new();
    let mut push = |text: &str, mark: bool| match pieces.last_mut() {
        Some(last) if last.mark == mark => last.text.push_str(text),
        _ => pieces.push(Highlight {
            text: text.to_string(),
            mark,
        }),
    };
    let mut rest = body;
    while let Some(first) = rest.chars().next() {
        let word = first.is_alphanumeric();
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_alphanumeric() != word)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, after) = rest.split_at(end);
        push(piece, word && words.contains(&piece.to_lowercase()));
        rest = after;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Highlight]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.mark {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn words_are_letter_and_digit_runs_lower_cased() {
        let words: Vec<String> = search_words("Deploy-v2 of <b>Café</b>, 12ab!").collect();
        assert_eq!(words, ["deploy", "v2", "of", "b", "café", "b", "12ab"]);
    }

    #[test]
    fn highlight_marks_whole_words_case_blind_and_keeps_every_character() {
        let words = vec!["deploy".to_string(), "café".to_string()];
        let body = "DEPLOY <img onerror=x> deployed, Café-deploy";
        let pieces = highlight(body, &words);
        assert_eq!(
            shown(&pieces),
            "[DEPLOY] <img onerror=x> deployed, [Café]-[deploy]"
        );
        let whole: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(whole, body);
        assert!(highlight("", &words).is_empty());
    }
}
