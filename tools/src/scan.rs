//! Reading server frames cheaply. The load generator shares the machine with
//! the servers it measures, so it does not parse every frame as JSON: Confab's
//! frames have a fixed field order (`"type"` first), and the few fields a
//! delivery needs are found by scanning.

/// What a server frame is, as far as the load generator cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen<'a> {
    /// A `message` frame: its room's `seq`, and its body.
    Message {
        seq: u64,
        body: &'a str,
    },
    Joined {
        seq: u64,
    },
    Ack,
    Error(&'a str),
    Other,
}

pub fn number_after(text: &str, key: &str) -> Option<u64> {
    let start = text.find(key)? + key.len();
    let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
    text[start..start + digits].parse().ok()
}

pub fn string_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = text.find(key)? + key.len();
    let end = text[start..].find('"')?;
    Some(&text[start..start + end])
}

pub fn scan(text: &str) -> Seen<'_> {
    if text.starts_with(r#"{"type":"message""#) {
        match (
            number_after(text, r#""seq":"#),
            string_after(text, r#""body":""#),
        ) {
            (Some(seq), Some(body)) => Seen::Message { seq, body },
            _ => Seen::Other,
        }
    } else if text.starts_with(r#"{"type":"ack""#) {
        Seen::Ack
    } else if text.starts_with(r#"{"type":"joined""#) {
        number_after(text, r#""seq":"#).map_or(Seen::Other, |seq| Seen::Joined { seq })
    } else if text.starts_with(r#"{"type":"error""#) {
        Seen::Error(text)
    } else {
        Seen::Other
    }
}

/// A load message's body: `lg:<id>:<sent, ns since the run's start>:<counted>`
/// and padding.
pub fn body(id: u64, sent_ns: u64, counted: bool, padding: &str) -> String {
    format!("lg:{id}:{sent_ns}:{}{padding}", counted as u8)
}

/// The id, send time and whether it counts, of a load message's body.
pub fn parse_body(body: &str) -> Option<(u64, u64, bool)> {
    let mut parts = body.strip_prefix("lg:")?.splitn(3, ':');
    let id = parts.next()?.parse().ok()?;
    let sent_ns = parts.next()?.parse().ok()?;
    let counted = parts.next()?.starts_with('1');
    Some((id, sent_ns, counted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Message, ServerFrame, UserRef};

    #[test]
    fn reads_the_servers_own_frames() {
        let message = ServerFrame::Message(Message {
            room: "load-0".into(),
            seq: 42,
            epoch: "e".into(),
            id: uuid::Uuid::nil(),
            client_msg_id: uuid::Uuid::nil(),
            author: UserRef {
                id: uuid::Uuid::nil(),
                name: "load0".into(),
            },
            body: body(7, 123, true, "xx"),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            ..Default::default()
        });
        let text = message.to_json();
        let Seen::Message { seq, body } = scan(&text) else {
            panic!("{text}")
        };
        assert_eq!(seq, 42);
        assert_eq!(parse_body(body), Some((7, 123, true)));
        let joined = ServerFrame::Joined {
            room: "r".into(),
            epoch: "e".into(),
            seq: 9,
            recovered: false,
            reference: None,
        };
        assert_eq!(scan(&joined.to_json()), Seen::Joined { seq: 9 });
        assert_eq!(scan(r#"{"type":"pong"}"#), Seen::Other);
    }
}
