use protocol::{Message, NotificationLevel, RoomKind, UserRef};
use time::OffsetDateTime;
use uuid::Uuid;

use super::payload;
use crate::store::{DndRecord, PushSubscription, PushTarget};

fn target(kind: RoomKind, unread: u32) -> PushTarget {
    PushTarget {
        subscription: PushSubscription {
            endpoint: "https://push.example/1".into(),
            user: Uuid::from_u128(2),
            p256dh: String::new(),
            auth: String::new(),
            agent: None,
            created: OffsetDateTime::UNIX_EPOCH,
        },
        level: NotificationLevel::default_for(kind),
        muted: false,
        dnd: DndRecord::default(),
        kind,
        room_name: "general".into(),
        unread,
    }
}

fn message(body: &str) -> Message {
    Message {
        room: "general".into(),
        seq: 7,
        author: UserRef {
            id: Uuid::from_u128(1),
            name: "bob".into(),
        },
        body: body.into(),
        ..Message::default()
    }
}

#[test]
fn one_message_is_named_by_who_wrote_it_where() {
    let m = message("lunch?");
    let direct = payload(&m, &target(RoomKind::Direct, 1), false, false);
    assert_eq!(direct.title, "bob");
    assert_eq!(direct.body.as_deref(), Some("lunch?"));
    assert_eq!(
        (direct.room.as_str(), direct.seq, direct.count),
        ("general", 7, 1)
    );
    assert_eq!(direct.tag, "room:general");
    assert!(direct.url.starts_with("/?at=7&msg="), "{}", direct.url);
    assert!(direct.url.ends_with("#general"));
    let mention = payload(&m, &target(RoomKind::Public, 1), true, false);
    assert_eq!(mention.title, "bob mentioned you in #general");
}

#[test]
fn several_unread_are_counted_and_previews_can_be_hidden() {
    let m = message(&"x".repeat(500));
    let several = payload(&m, &target(RoomKind::Public, 3), true, false);
    assert_eq!(several.title, "3 new messages in #general");
    let body = several.body.unwrap();
    assert!(
        body.starts_with("bob: xxx") && body.ends_with('…'),
        "{body}"
    );
    assert_eq!(body.chars().count(), "bob: ".len() + 140 + 1);
    let hidden = payload(&m, &target(RoomKind::Direct, 2), false, true);
    assert_eq!(hidden.title, "2 new messages from bob");
    assert_eq!(hidden.body, None, "the operator hides previews");
}
