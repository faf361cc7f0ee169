//! Cards under a message (v3, Confab's choice; docs/PROTOCOL.md, "Records"):
//! what a Slack-shaped post says beyond its text, from its `blocks` or its
//! legacy `attachments`, in a shape every client can draw.

use serde::{Deserialize, Serialize};

/// Most cards a message carries.
pub const MAX_CARDS: usize = 20;
/// Most fields a card carries.
pub const MAX_CARD_FIELDS: usize = 20;
/// Most bytes a message's cards take, as JSON.
pub const MAX_CARDS_BYTES: usize = 16 * 1024;

/// What a card stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    /// The post's `blocks`: shown in place of the message's text, which is
    /// the post's `text` (for notifications, search and clients that draw
    /// no cards), as Slack shows it.
    Blocks,
    /// One of its legacy `attachments`: shown under the text.
    #[default]
    Attachment,
}

/// One card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    pub kind: CardKind,
    /// The colour of its bar, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Markdown shown above the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretext: Option<String>,
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the title leads (`http`/`https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_link: Option<String>,
    /// Markdown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<CardField>,
    /// Markdown, small, under the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

/// A field of a card: a title over its value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardField {
    /// Plain text (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Markdown.
    pub value: String,
    /// Short enough to sit beside another.
    #[serde(default)]
    pub short: bool,
}
