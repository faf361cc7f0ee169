//! The timeline's rules, natively.

use super::*;
use crate::protocol::{Deleted, Edited, Reaction, UserRef};

const ME: Uuid = Uuid::from_u128(9);

fn message(seq: Seq, cmid: u128) -> Message {
    Message {
        room: "general".into(),
        seq,
        epoch: "e".into(),
        id: Uuid::from_u128(1000 + seq as u128),
        client_msg_id: Uuid::from_u128(cmid),
        author: UserRef {
            id: Uuid::from_u128(1),
            name: "a".into(),
        },
        body: format!("m{seq}"),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        ..Default::default()
    }
}

fn msg(seq: Seq, cmid: u128) -> Entry {
    Entry::Message(message(seq, cmid))
}

fn seqs(t: &Timeline) -> Vec<Seq> {
    t.messages.keys().copied().collect()
}

#[test]
fn first_join_loads_the_latest_page() {
    let mut t = Timeline::new("general".into(), ME);
    assert_eq!(t.since(), None);
    assert_eq!(
        t.joined("e", false),
        Some(HistoryRequest {
            before: None,
            limit: PAGE,
            ..Default::default()
        })
    );
    t.history(vec![msg(1, 1), msg(2, 2)], 0, Some(PAGE));
    assert_eq!(seqs(&t), vec![1, 2]);
    assert!(!t.has_older, "a short page means the start was reached");
    assert_eq!(
        t.since(),
        Some(Since {
            epoch: "e".into(),
            seq: 2
        })
    );
}

#[test]
fn duplicates_and_late_arrivals_land_once_in_order() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.history(vec![msg(1, 1)], 0, Some(PAGE));
    assert_eq!(t.entry(msg(2, 2)), None);
    assert_eq!(t.entry(msg(2, 2)), None, "duplicate ignored");
    assert_eq!(
        t.entry(msg(5, 5)),
        Some(HistoryRequest {
            before: Some(5),
            limit: 2,
            ..Default::default()
        }),
        "gap 3..4 is asked for"
    );
    t.history(vec![msg(3, 3), msg(4, 4)], 0, None);
    assert_eq!(seqs(&t), vec![1, 2, 3, 4, 5]);
}

#[test]
fn recovered_join_keeps_the_view_and_a_new_epoch_clears_it() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.history(vec![msg(1, 1), msg(2, 2)], 0, Some(PAGE));
    assert_eq!(t.joined("e", true), None);
    assert_eq!(seqs(&t), vec![1, 2]);
    assert!(t.joined("e2", true).is_some(), "another epoch reloads");
    assert!(t.messages.is_empty());
}

#[test]
fn pending_messages_clear_when_their_echo_arrives() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.add_pending(Uuid::from_u128(77), "hello".into(), Vec::new());
    t.add_pending(Uuid::from_u128(78), "again".into(), Vec::new());
    t.entry(msg(1, 77));
    assert_eq!(t.pending.len(), 1);
    assert_eq!(t.pending[0].body, "again");
}

#[test]
fn older_pages_stop_at_the_start() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    let page: Vec<Entry> = (51..=100).map(|s| msg(s, s as u128)).collect();
    t.history(page, 0, Some(PAGE));
    assert!(t.has_older);
    assert_eq!(
        t.older_page(),
        Some(HistoryRequest {
            before: Some(51),
            limit: PAGE,
            ..Default::default()
        })
    );
    assert_eq!(t.older_page(), None, "one request at a time");
    t.history((1..=50).map(|s| msg(s, s as u128)).collect(), 0, Some(PAGE));
    assert_eq!(t.older_page(), None, "seq 1 is held");
    assert_eq!(t.messages.len(), 100);
}

fn user(n: u128) -> UserRef {
    UserRef {
        id: Uuid::from_u128(n),
        name: format!("u{n}"),
    }
}

fn reaction(seq: Seq, on_seq: Seq, who: u128, on: bool) -> Entry {
    Entry::Reaction(Reaction {
        room: "general".into(),
        seq,
        epoch: "e".into(),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        id: Uuid::from_u128(1000 + on_seq as u128),
        emoji: "👍".into(),
        user: user(who),
        on,
    })
}

#[test]
fn edits_and_deletions_change_the_message_and_count_as_seqs() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.history(vec![msg(1, 1)], 1, Some(PAGE));
    let edit = Entry::Edited(Edited {
        room: "general".into(),
        seq: 2,
        epoch: "e".into(),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        id: Uuid::from_u128(1001),
        body: "fixed".into(),
        by: user(1),
        mentions: vec![ME],
        everyone: true,
    });
    assert_eq!(t.entry(edit), None);
    let m = t.message(Uuid::from_u128(1001)).unwrap();
    assert_eq!((m.body.as_str(), m.edited_ts.is_some()), ("fixed", true));
    assert_eq!((m.mentions.clone(), m.everyone), (vec![ME], true));
    let delete = Entry::Deleted(Deleted {
        room: "general".into(),
        seq: 4,
        epoch: "e".into(),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        id: Uuid::from_u128(1001),
        by: user(1),
    });
    assert_eq!(
        t.entry(delete),
        Some(HistoryRequest {
            before: Some(4),
            limit: 1,
            ..Default::default()
        }),
        "seq 3 is missing, whatever kind of entry it is"
    );
    let m = t.message(Uuid::from_u128(1001)).unwrap();
    assert!(m.deleted && m.body.is_empty());
    assert_eq!(t.last_seq(), Some(4));
}

#[test]
fn reactions_count_once_whichever_way_they_arrive() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    // Seq 1 is delivered live: its reactions come as entries.
    t.entry(msg(1, 1));
    t.entry(reaction(2, 1, 5, true));
    t.entry(reaction(2, 1, 5, true)); // a duplicate
    t.entry(reaction(3, 1, 9, true)); // mine
    let r = &t.message(Uuid::from_u128(1001)).unwrap().reactions;
    assert_eq!((r[0].count, r[0].me), (2, true));
    t.entry(reaction(4, 1, 9, false));
    let r = &t.message(Uuid::from_u128(1001)).unwrap().reactions;
    assert_eq!((r[0].count, r[0].me), (1, false));

    // Seq 10 comes in a page read at seq 12 whose state counts 11 already;
    // the entries 11 and 12 arriving live after it change nothing more.
    let mut snapshot = message(10, 10);
    snapshot.reactions = vec![ReactionCount {
        emoji: "👍".into(),
        count: 1,
        me: false,
    }];
    t.history(
        vec![Entry::Message(snapshot), reaction(11, 10, 5, true)],
        12,
        None,
    );
    t.entry(reaction(12, 10, 6, true));
    let r = &t.message(Uuid::from_u128(1010)).unwrap().reactions;
    assert_eq!(r[0].count, 1, "both were in the page's state");
    t.entry(reaction(13, 10, 7, true));
    let r = &t.message(Uuid::from_u128(1010)).unwrap().reactions;
    assert_eq!(r[0].count, 2, "a later one counts");
}

#[test]
fn replies_count_on_their_root() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.entry(msg(1, 1));
    let mut reply = message(2, 2);
    reply.thread = Some(Uuid::from_u128(1001));
    t.entry(Entry::Message(reply.clone()));
    t.entry(Entry::Message(reply));
    let root = t.message(Uuid::from_u128(1001)).unwrap();
    assert_eq!(root.reply_count, 1);
    t.entry(Entry::Deleted(Deleted {
        room: "general".into(),
        seq: 3,
        epoch: "e".into(),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        id: Uuid::from_u128(1002),
        by: user(1),
    }));
    assert_eq!(t.message(Uuid::from_u128(1001)).unwrap().reply_count, 0);
}

#[test]
fn a_jump_holds_its_page_and_pages_forward_to_live() {
    let mut t = Timeline::new("general".into(), ME);
    let target = Uuid::from_u128(1050);
    assert_eq!(
        t.jump_to(50, target),
        None,
        "not joined: asked for once joined"
    );
    assert_eq!(
        t.joined("e", false),
        Some(HistoryRequest {
            around: Some(50),
            limit: PAGE,
            ..Default::default()
        })
    );
    t.entry(msg(120, 120));
    assert!(
        t.messages.is_empty(),
        "a live entry waits while the page is asked for"
    );
    t.jumped((25..=74).map(|s| msg(s, s as u128)).collect(), 119);
    assert_eq!(t.focus, Some(target));
    assert!(t.has_older && t.has_newer);
    assert_eq!(t.message(target).map(|m| m.seq), Some(50));
    t.entry(msg(121, 121));
    assert_eq!(t.last_seq(), Some(74), "no hole: live entries wait");
    let next = t.newer_page().expect("newer page");
    assert_eq!(next.after, Some(74));
    assert_eq!(t.newer_page(), None, "one at a time");
    t.newer((75..=119).map(|s| msg(s, s as u128)).collect(), 119);
    assert!(t.has_newer, "the live entries 120 and 121 are not held yet");
    t.newer((120..=121).map(|s| msg(s, s as u128)).collect(), 121);
    assert!(!t.has_newer);
    assert_eq!(seqs(&t), (25..=121).collect::<Vec<_>>());
    assert_eq!(t.entry(msg(122, 122)), None);
    assert_eq!(t.last_seq(), Some(122), "live again");
}

#[test]
fn jumping_to_a_held_message_asks_for_nothing() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.history(vec![msg(1, 1), msg(2, 2)], 2, Some(PAGE));
    assert_eq!(t.jump_to(1, Uuid::from_u128(1001)), None);
    assert_eq!(t.focus, Some(Uuid::from_u128(1001)));
    assert_eq!(t.entry(msg(3, 3)), None);
    assert_eq!(t.last_seq(), Some(3));
}

#[test]
fn a_kept_copy_reopens_as_it_was_and_joins_from_where_it_ends() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    t.history(
        (1..=80).map(|s| msg(s, s as u128)).collect(),
        80,
        Some(PAGE),
    );
    let mut reply = message(81, 81);
    reply.thread = Some(Uuid::from_u128(1080));
    t.entry(Entry::Message(reply));
    t.entry(reaction(82, 80, 2, true));
    let json = t.saved().expect("the newest messages are held");
    let saved: SavedRoom = serde_json::from_str(&json).unwrap();
    assert_eq!(saved.messages.len(), SAVED_MESSAGES);
    assert_eq!(saved.last_seq, 82);

    let mut back = Timeline::restored(saved, ME);
    assert_eq!(seqs(&back), (32..=81).collect::<Vec<_>>());
    assert_eq!(
        back.since(),
        Some(Since {
            epoch: "e".into(),
            seq: 82
        })
    );
    let root = back.message(Uuid::from_u128(1080)).unwrap();
    assert_eq!((root.reply_count, root.reactions.len()), (1, 1));
    // Replayed again after the copy was made: nothing counts twice.
    back.history(vec![reaction(82, 80, 2, true)], 82, None);
    assert_eq!(
        back.message(Uuid::from_u128(1080)).unwrap().reactions[0].count,
        1
    );
    assert_eq!(back.entry(msg(83, 83)), None, "live from where it ends");
    assert_eq!(back.last_seq(), Some(83));
    assert!(back.older_page().is_some(), "older pages load as usual");
}

#[test]
fn a_kept_copy_stays_under_its_bytes_and_is_not_made_after_a_jump() {
    let mut t = Timeline::new("general".into(), ME);
    t.joined("e", false);
    let big = |s: Seq| {
        let mut m = message(s, s as u128);
        m.body = "x".repeat(20_000);
        Entry::Message(m)
    };
    t.history((1..=40).map(big).collect(), 40, Some(PAGE));
    let json = t.saved().unwrap();
    assert!(json.len() <= SAVED_ROOM_BYTES, "{} bytes", json.len());
    let saved: SavedRoom = serde_json::from_str(&json).unwrap();
    assert!(!saved.messages.is_empty());
    assert_eq!(
        saved.messages.last().unwrap().seq,
        40,
        "the newest are kept"
    );

    // A search result far back: the newest are not what is held.
    assert!(t.jump_to(500, Uuid::from_u128(1500)).is_some());
    assert_eq!(t.saved(), None);
}
