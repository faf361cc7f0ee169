//! A Slack-shaped post as a message (docs/PROTOCOL.md, "Records"): its
//! `text` as the body, its `blocks` as a card shown in place of the text
//! (as Slack shows them), its legacy `attachments` as cards under it. What
//! a card cannot show is skipped: images, buttons, menus, `rich_text`
//! blocks (they repeat the text). A post with no `text` gets one from its
//! cards, so notifications and search have words.

use protocol::{Card, CardField, CardKind, MAX_CARDS, MAX_CARDS_BYTES, MAX_CARD_FIELDS};
use serde_json::Value;

use super::mrkdwn::{to_markdown, Names};

/// A post, as a message's body and cards.
#[derive(Debug, PartialEq, Eq)]
pub struct Converted {
    pub body: String,
    pub cards: Vec<Card>,
}

/// Why a post cannot be a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Nothing to show.
    Empty,
    /// Cards over [`MAX_CARDS_BYTES`].
    TooLarge,
}

/// Converts a post's `text`, `blocks` and `attachments`.
pub fn convert(
    text: &str,
    blocks: Option<&Value>,
    attachments: Option<&Value>,
    names: &dyn Names,
) -> Result<Converted, Refused> {
    let mut cards = blocks.map(|b| block_cards(b, names)).unwrap_or_default();
    for attachment in list(attachments) {
        if let Some(card) = attachment_card(attachment, names) {
            cards.push(card);
        }
    }
    cards.truncate(MAX_CARDS);
    let mut body = to_markdown(text.trim(), names);
    if body.is_empty() {
        body = summary(attachments, &cards, names);
    }
    if body.trim().is_empty() && cards.is_empty() {
        return Err(Refused::Empty);
    }
    let bytes = serde_json::to_string(&cards).map_or(usize::MAX, |json| json.len());
    if bytes > MAX_CARDS_BYTES {
        return Err(Refused::TooLarge);
    }
    Ok(Converted { body, cards })
}

fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn string<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A text object (`{"type":"mrkdwn"|"plain_text","text"}`) as Markdown.
fn text_object(value: Option<&Value>, names: &dyn Names) -> Option<String> {
    let value = value?;
    let text = string(value, "text")?;
    Some(match value.get("type").and_then(Value::as_str) {
        Some("plain_text") => plain(text),
        _ => to_markdown(text, names),
    })
}

/// Plain text as Markdown that shows it as it is.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '~' | '`' | '[' | ']' | '<' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The blocks as cards: one, or one between each pair of dividers.
fn block_cards(blocks: &Value, names: &dyn Names) -> Vec<Card> {
    let mut cards = Vec::new();
    let mut card = Card {
        kind: CardKind::Blocks,
        ..Default::default()
    };
    for block in list(Some(blocks)) {
        match block.get("type").and_then(Value::as_str) {
            // A header is plain text: the card's title, or a bold line
            // after text.
            Some("header") => {
                if let Some(title) = block.get("text").and_then(|t| string(t, "text")) {
                    if card.title.is_none() && card.text.is_empty() {
                        card.title = Some(title.to_string());
                    } else {
                        paragraph(&mut card.text, &format!("**{}**", plain(title)));
                    }
                }
            }
            Some("section") => {
                if let Some(text) = text_object(block.get("text"), names) {
                    paragraph(&mut card.text, &text);
                }
                for field in list(block.get("fields")) {
                    if let Some(value) = text_object(Some(field), names) {
                        card.fields.push(CardField {
                            title: String::new(),
                            value,
                            short: true,
                        });
                    }
                }
            }
            Some("context") => {
                let words: Vec<String> = list(block.get("elements"))
                    .iter()
                    .filter_map(|e| text_object(Some(e), names))
                    .collect();
                if !words.is_empty() {
                    let footer = card.footer.get_or_insert_with(String::new);
                    if !footer.is_empty() {
                        footer.push_str(" · ");
                    }
                    footer.push_str(&words.join(" · "));
                }
            }
            Some("divider") => finish(&mut cards, &mut card, CardKind::Blocks),
            _ => {}
        }
    }
    finish(&mut cards, &mut card, CardKind::Blocks);
    cards
}

/// Keeps `card` if it says something, and starts another.
fn finish(cards: &mut Vec<Card>, card: &mut Card, kind: CardKind) {
    let done = std::mem::replace(
        card,
        Card {
            kind,
            ..Default::default()
        },
    );
    if says_something(&done) {
        cards.push(cleaned(done));
    }
}

fn says_something(card: &Card) -> bool {
    card.title.is_some()
        || !card.text.is_empty()
        || !card.fields.is_empty()
        || card.footer.is_some()
        || card.pretext.is_some()
}

fn cleaned(mut card: Card) -> Card {
    card.fields.truncate(MAX_CARD_FIELDS);
    card
}

fn paragraph(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(more);
}

/// A legacy attachment as a card (its own `blocks`, if any, join its text).
fn attachment_card(attachment: &Value, names: &dyn Names) -> Option<Card> {
    let mut card = Card {
        kind: CardKind::Attachment,
        color: string(attachment, "color").and_then(color),
        pretext: string(attachment, "pretext").map(|t| to_markdown(t, names)),
        title: string(attachment, "title").map(str::to_string),
        title_link: string(attachment, "title_link")
            .filter(|link| link.starts_with("https://") || link.starts_with("http://"))
            .map(str::to_string),
        text: string(attachment, "text")
            .map(|t| to_markdown(t, names))
            .unwrap_or_default(),
        ..Default::default()
    };
    for block in block_cards(attachment.get("blocks").unwrap_or(&Value::Null), names) {
        if let Some(title) = block.title {
            paragraph(&mut card.text, &format!("**{}**", plain(&title)));
        }
        paragraph(&mut card.text, &block.text);
        card.fields.extend(block.fields);
    }
    for field in list(attachment.get("fields")) {
        let value = string(field, "value").map(|v| to_markdown(v, names));
        let title = string(field, "title").unwrap_or("").to_string();
        if value.is_some() || !title.is_empty() {
            card.fields.push(CardField {
                title,
                value: value.unwrap_or_default(),
                short: field.get("short").and_then(Value::as_bool).unwrap_or(false),
            });
        }
    }
    let footer: Vec<String> = ["author_name", "footer"]
        .iter()
        .filter_map(|key| string(attachment, key))
        .map(|t| to_markdown(t, names))
        .collect();
    if !footer.is_empty() {
        card.footer = Some(footer.join(" · "));
    }
    says_something(&card).then(|| cleaned(card))
}

/// Slack's named colours and `#rrggbb` (with or without `#`).
fn color(value: &str) -> Option<String> {
    let named = match value {
        "good" => Some("#2eb886"),
        "warning" => Some("#daa038"),
        "danger" => Some("#a30200"),
        _ => None,
    };
    if let Some(named) = named {
        return Some(named.into());
    }
    let hex = value.trim_start_matches('#');
    (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// Words for a post with no `text`: its attachments' `fallback`s, else what
/// its cards say first.
fn summary(attachments: Option<&Value>, cards: &[Card], names: &dyn Names) -> String {
    let fallbacks: Vec<String> = list(attachments)
        .iter()
        .filter_map(|a| string(a, "fallback"))
        .map(|t| to_markdown(t, names))
        .collect();
    if !fallbacks.is_empty() {
        return fallbacks.join("\n");
    }
    cards
        .iter()
        .find_map(|card| {
            card.title
                .as_deref()
                .map(plain)
                .or_else(|| card.pretext.clone())
                .or_else(|| (!card.text.is_empty()).then(|| card.text.clone()))
                .or_else(|| card.fields.first().map(|f| f.value.clone()))
        })
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
