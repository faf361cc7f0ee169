//! Tests of [`super::Watchers`].

use super::*;
use crate::engine::outbox::Outbox;

fn rooms(names: &[&str]) -> Vec<RoomNotice> {
    names
        .iter()
        .map(|room| RoomNotice {
            room: room.to_string(),
            level: NotificationLevel::Mentions,
            muted: false,
        })
        .collect()
}

fn noted(room: &str, author: Uuid, mentions: Vec<Uuid>) -> Noted {
    Noted {
        room: room.into(),
        seq: 1,
        author,
        mentions,
        everyone: false,
        thread: None,
        followers: Vec::new(),
    }
}

/// Notes `messages` and sends the activity batch at once (the node sends it
/// `ACTIVITY_GATHER` later).
fn note(watchers: &Watchers, messages: &[Noted]) {
    watchers.note(messages);
    crate::engine::activity_batch::send_all(watchers.take_activity());
}

#[test]
fn members_not_joined_hear_activity_and_the_author_does_not() {
    let watchers = Watchers::default();
    let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let (ann_box, mut ann_q) = Outbox::new(8);
    let (bob_box, mut bob_q) = Outbox::new(8);
    let (bob_joined_box, mut bob_joined_q) = Outbox::new(8);
    assert!(watchers.add(ann, 1, &ann_box));
    watchers.loaded(ann, rooms(&["ops"]), QuietRule::default());
    assert!(watchers.add(bob, 2, &bob_box));
    watchers.loaded(bob, rooms(&["ops"]), QuietRule::default());
    assert!(!watchers.add(bob, 3, &bob_joined_box), "known already");
    watchers.set_joined(bob, 3, "ops", true);
    note(&watchers, &[noted("ops", ann, vec![bob])]);
    assert!(ann_q.try_recv().is_err());
    assert_eq!(
        bob_q.try_recv().unwrap().as_str(),
        r#"{"type":"activity","room":"ops","seq":1,"mention":true,"notify":true}"#
    );
    assert!(bob_joined_q.try_recv().is_err());
}

#[test]
fn a_removed_room_is_heard_no_more_and_the_last_connection_forgets_the_user() {
    let watchers = Watchers::default();
    let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let (bob_box, mut bob_q) = Outbox::new(8);
    watchers.add(bob, 2, &bob_box);
    watchers.loaded(bob, rooms(&["ops"]), QuietRule::default());
    watchers.tell(bob, &ServerFrame::RoomRemoved { room: "ops".into() }, None);
    assert!(bob_q.try_recv().is_ok()); // the room_removed frame itself
    note(&watchers, &[noted("ops", ann, vec![])]);
    assert!(bob_q.try_recv().is_err());
    watchers.remove(bob, 2);
    assert!(watchers.inner.lock().unwrap().rooms.is_empty());
    assert!(watchers.inner.lock().unwrap().users.is_empty());
}

#[test]
fn rooms_added_or_removed_while_the_store_is_read_are_not_lost() {
    let watchers = Watchers::default();
    let bob = Uuid::from_u128(2);
    let (bob_box, _bob_q) = Outbox::new(8);
    assert!(watchers.add(bob, 2, &bob_box));
    let added = ServerFrame::RoomAdded {
        room: protocol::RoomInfo {
            id: "new".into(),
            ..Default::default()
        },
    };
    watchers.tell(bob, &added, None);
    watchers.tell(bob, &ServerFrame::RoomRemoved { room: "old".into() }, None);
    // The read started before both: it lists the old room, not the new.
    watchers.loaded(bob, rooms(&["old", "ops"]), QuietRule::default());
    let index = watchers.inner.lock().unwrap();
    let mut rooms: Vec<&String> = index.users[&bob].rooms.keys().collect();
    rooms.sort();
    assert_eq!(rooms, ["new", "ops"]);
}

#[test]
fn levels_mute_and_quiet_decide_what_notifies_and_activity_always_comes() {
    let watchers = Watchers::default();
    let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let (bob_box, mut bob_q) = Outbox::new(8);
    watchers.add(bob, 2, &bob_box);
    watchers.loaded(bob, rooms(&["ops"]), QuietRule::default());
    let activity =
        |q: &mut crate::engine::outbox::Queue| q.try_recv().unwrap().as_str().to_string();
    note(&watchers, &[noted("ops", ann, vec![])]);
    assert!(activity(&mut bob_q).ends_with(r#""mention":false,"notify":false}"#));
    let level = |level, muted| {
        ServerFrame::Notifications(protocol::RoomNotifications {
            room: "ops".into(),
            level,
            muted,
        })
    };
    watchers.tell(bob, &level(NotificationLevel::All, false), Some(2));
    note(&watchers, &[noted("ops", ann, vec![])]);
    assert!(activity(&mut bob_q).ends_with(r#""notify":true}"#));
    let mut reply = noted("ops", ann, vec![]);
    reply.thread = Some(Uuid::from_u128(9));
    reply.followers = vec![bob];
    watchers.tell(bob, &level(NotificationLevel::Mentions, false), Some(2));
    note(&watchers, &[reply.clone()]);
    let heard = activity(&mut bob_q);
    assert!(
        heard.contains(r#""thread":"00000000-0000-0000-0000-000000000009""#),
        "{heard}"
    );
    assert!(
        heard.ends_with(r#""notify":true}"#),
        "a followed thread notifies at mentions"
    );
    watchers.tell(bob, &level(NotificationLevel::All, true), Some(2));
    note(&watchers, &[noted("ops", ann, vec![bob])]);
    assert!(
        activity(&mut bob_q).ends_with(r#""mention":true,"notify":false}"#),
        "muted"
    );
    watchers.tell(bob, &level(NotificationLevel::All, false), Some(2));
    let paused = QuietRule {
        until: Some(OffsetDateTime::now_utc() + time::Duration::hours(1)),
        ..Default::default()
    };
    let now = OffsetDateTime::now_utc();
    watchers.tell(bob, &ServerFrame::Dnd(paused.to_wire(now)), Some(2));
    let mut everyone = noted("ops", ann, vec![]);
    everyone.everyone = true;
    note(&watchers, &[everyone]);
    assert!(
        activity(&mut bob_q).ends_with(r#""mention":true,"notify":false}"#),
        "quiet"
    );
}
