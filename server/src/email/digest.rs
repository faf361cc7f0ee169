//! One user's digest: what they missed, grouped by room, in plain text and
//! HTML, each with a link to the message, and the links that stop the
//! mails (in the text, and as `List-Unsubscribe`, one-click per RFC 8058).

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use protocol::RoomKind;

use crate::store::Missed;

/// Longest excerpt of a message in a mail, in characters.
const EXCERPT_CHARS: usize = 300;

fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(EXCERPT_CHARS).collect();
    if body.chars().count() > EXCERPT_CHARS {
        text.push('…');
    }
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where a room is called what in a mail.
fn place(missed: &Missed) -> String {
    match missed.kind {
        RoomKind::Direct => format!("a direct message from {}", missed.author),
        _ => format!("#{}", missed.room_name),
    }
}

/// The link to one message.
fn link(base: &str, missed: &Missed) -> String {
    let room: String = url::form_urlencoded::byte_serialize(missed.room.as_bytes()).collect();
    format!("{base}/?at={}&msg={}#{room}", missed.seq, missed.message)
}

/// The digest of `missed` (at least one) for `to`.
pub fn compose(
    from: &Mailbox,
    to: &str,
    base: &str,
    unsubscribe: &str,
    missed: &[&Missed],
) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|_| "the user's address is unusable")?;
    let subject = match missed {
        [one] if one.kind == RoomKind::Direct => format!("{} wrote to you on Confab", one.author),
        [one] => format!("{} mentioned you in #{}", one.author, one.room_name),
        many => format!("You missed {} messages on Confab", many.len()),
    };
    let mut text = String::from("While you were away:\n");
    let mut html = String::from("<p>While you were away:</p>\n");
    let mut last_place = String::new();
    for m in missed {
        let here = place(m);
        if here != last_place {
            text.push_str(&format!("\nIn {here}:\n"));
            html.push_str(&format!("<h3>In {}</h3>\n", escape(&here)));
            last_place = here;
        }
        let url = link(base, m);
        let body = excerpt(&m.body);
        text.push_str(&format!("  {}: {body}\n  {url}\n", m.author));
        html.push_str(&format!(
            "<p><strong>{}</strong>: {}<br><a href=\"{}\">Open it in Confab</a></p>\n",
            escape(&m.author),
            escape(&body),
            escape(&url)
        ));
    }
    text.push_str(&format!(
        "\nYou get this because these stayed unread. Stop these mails: {unsubscribe}\n"
    ));
    html.push_str(&format!(
        "<p>You get this because these stayed unread. <a href=\"{}\">Stop these mails</a>.</p>\n",
        escape(unsubscribe)
    ));
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())
}
