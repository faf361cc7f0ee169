//! v3 attention: link previews. After a message with a link is stored, the
//! server may fetch the page and add an [`Unfurled`] entry to the room's log
//! with what it found; its author (or the room's moderators) can remove the
//! previews (`DELETE /api/rooms/{id}/messages/{message}/previews`, another
//! `unfurled` entry with none).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{RoomId, Seq, UserRef};

/// Most links of one message the server previews.
pub const MAX_PREVIEWS: usize = 3;
/// Longest title kept, in characters (longer ones are cut).
pub const MAX_PREVIEW_TITLE_CHARS: usize = 200;
/// Longest description kept, in characters.
pub const MAX_PREVIEW_DESCRIPTION_CHARS: usize = 500;

/// What a linked page says of itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkPreview {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
}

/// A message's previews were set (a room log entry): `previews` replaces
/// what the message had; empty removes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unfurled {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    /// The message.
    pub id: Uuid,
    pub previews: Vec<LinkPreview>,
    /// The message's author (the server fetched for them), or who removed
    /// the previews.
    pub by: UserRef,
}

/// The `http://` and `https://` links of a body, each once, in order, at
/// most [`MAX_PREVIEWS`]; a link ends at white space or `<>"'`, and closing
/// punctuation at its end is left out (`(see https://a.example/x).`).
pub fn links(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("http") {
        let candidate = &rest[start..];
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|s| candidate.len() > s.len() && candidate[..s.len()].eq_ignore_ascii_case(s));
        let preceded = rest[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(candidate.len());
        if let (Some(_), false) = (scheme, preceded) {
            let link = candidate[..end].trim_end_matches(['.', ',', ')', ']', '!', '?', ';', ':']);
            if !found.iter().any(|l| l == link) {
                found.push(link.to_string());
            }
            if found.len() == MAX_PREVIEWS {
                break;
            }
        }
        rest = &candidate[end.max(4)..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::links;

    #[test]
    fn links_are_found_once_without_trailing_punctuation() {
        assert_eq!(
            links(
                "see https://a.example/x?y=1. and (http://b.example/) or https://a.example/x?y=1"
            ),
            ["https://a.example/x?y=1", "http://b.example/"]
        );
        assert!(links("no links, httpx://nope, xhttps://nope.example").is_empty());
        assert_eq!(
            links("https://1.example https://2.example https://3.example https://4.example").len(),
            3
        );
        assert!(links("https://").is_empty());
    }
}
