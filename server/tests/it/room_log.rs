//! The room log (v2) against real server processes: edits, deletions,
//! reactions and thread replies take seqs, cross instances in order, are
//! replayed to a client that was away, and show in history as current state;
//! the rights to make them are enforced; a deleted body leaves the database.

use crate::common::cluster::cluster;
use crate::common::{get, post, Client, TestServer};
use protocol::{
    ClientFrame, Entry, ErrorCode, Message, MessagesPage, ServerFrame, Since, ThreadPage,
};
use uuid::Uuid;

/// The message this client sees next whose body is `body`.
async fn message(client: &mut Client, body: &str) -> Message {
    match client
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == body))
        .await
    {
        ServerFrame::Message(m) => m,
        _ => unreachable!(),
    }
}

/// Sends a frame and answers the `done` (its seq) or `error` (its code) it gets.
async fn ask(client: &mut Client, frame: ClientFrame) -> Result<u64, ErrorCode> {
    client.ask(frame).await
}

fn edit(id: Uuid, body: &str) -> ClientFrame {
    ClientFrame::Edit {
        room: "general".into(),
        id,
        body: body.into(),
    }
}

fn react(room: &str, id: Uuid, emoji: &str, on: bool) -> ClientFrame {
    ClientFrame::React {
        room: room.into(),
        id,
        emoji: emoji.into(),
        on,
    }
}

fn reply(root: Uuid, body: &str) -> ClientFrame {
    ClientFrame::Send {
        room: "general".into(),
        client_msg_id: Uuid::new_v4(),
        body: body.into(),
        thread: Some(root),
        attachments: Vec::new(),
    }
}

/// Entry frames (of any kind) after `after`, until `last` has arrived.
async fn entries_until(client: &mut Client, after: u64, last: u64) -> Vec<Entry> {
    let mut got = Vec::new();
    while got.last().map(Entry::seq) != Some(last) {
        let entry = match client.next().await {
            ServerFrame::Message(m) => Entry::Message(m),
            ServerFrame::Edited(e) => Entry::Edited(e),
            ServerFrame::Deleted(d) => Entry::Deleted(d),
            ServerFrame::Reaction(r) => Entry::Reaction(r),
            _ => continue,
        };
        if entry.seq() > after {
            got.push(entry);
        }
    }
    got
}

fn kinds(entries: &[Entry]) -> Vec<(u64, &'static str)> {
    entries
        .iter()
        .map(|e| {
            let kind = match e {
                Entry::Message(_) => "message",
                Entry::Edited(_) => "edited",
                Entry::Deleted(_) => "deleted",
                Entry::Reaction(_) => "reaction",
                Entry::Topic(_) => "topic",
                Entry::RoomChanged(_) => "room_changed",
                Entry::Pinned(_) => "pinned",
                Entry::Unfurled(_) => "unfurled",
            };
            (e.seq(), kind)
        })
        .collect()
}

#[tokio::test]
async fn the_log_crosses_instances_in_order_and_replays_to_who_was_away() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.b.register("carol").await;
    let mut a = c.a.connect(&alice.token).await;
    a.join("general", None).await;
    let mut b = c.b.connect(&bob.token).await;
    b.join("general", None).await;
    // Connections that only watch, one per instance (the actors' own skip
    // entries while they wait for their answers).
    let mut watch_a = c.a.connect(&alice.token).await;
    watch_a.join("general", None).await;
    let mut watch_b = c.b.connect(&bob.token).await;
    watch_b.join("general", None).await;
    let mut away = c.b.connect(&carol.token).await;
    let ServerFrame::Joined { epoch, .. } = away.join("general", None).await else {
        panic!("carol joins");
    };

    a.send_text("general", "helo wrold").await;
    let m1 = message(&mut a, "helo wrold").await;
    a.send_text("general", "a typo to delete").await;
    let m2 = message(&mut a, "a typo to delete").await;
    message(&mut b, "a typo to delete").await;
    message(&mut away, "a typo to delete").await;
    drop(away); // carol is away for what follows

    let s3 = ask(&mut a, edit(m1.id, "hello world")).await.unwrap();
    assert_eq!(s3, m2.seq + 1, "an edit takes the next seq");
    let s4 = ask(&mut b, react("general", m1.id, "👍", true))
        .await
        .unwrap();
    b.send_frame(reply(m1.id, "agreed @alice"), Some("reply"))
        .await;
    let s5 = match b
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await
    {
        ServerFrame::Ack { seq, .. } => seq,
        _ => unreachable!(),
    };
    let s6 = ask(
        &mut a,
        ClientFrame::Delete {
            room: "general".into(),
            id: m2.id,
        },
    )
    .await
    .unwrap();
    let s7 = ask(&mut b, react("general", m1.id, "🎉", true))
        .await
        .unwrap();
    let s8 = ask(&mut b, react("general", m1.id, "🎉", false))
        .await
        .unwrap();
    // Setting what is set already stores nothing and answers the latest seq.
    assert_eq!(
        ask(&mut b, react("general", m1.id, "🎉", false)).await,
        Ok(s8)
    );
    assert_eq!(
        ask(
            &mut a,
            ClientFrame::Delete {
                room: "general".into(),
                id: m2.id
            }
        )
        .await,
        Ok(s8),
        "deleting twice changes nothing"
    );

    // Each instance delivered every entry in seq order, once.
    let on_b = entries_until(&mut watch_b, m2.seq, s8).await;
    let expected = vec![
        (s3, "edited"),
        (s4, "reaction"),
        (s5, "message"),
        (s6, "deleted"),
        (s7, "reaction"),
        (s8, "reaction"),
    ];
    assert_eq!(kinds(&on_b), expected);
    assert_eq!(
        (s3..=s8).collect::<Vec<_>>(),
        on_b.iter().map(Entry::seq).collect::<Vec<_>>(),
        "no holes"
    );
    match &on_b[2] {
        Entry::Message(r) => {
            assert_eq!(r.thread, Some(m1.id));
            assert_eq!(r.mentions, vec![alice.user.id], "@alice resolved to her id");
        }
        other => panic!("expected the reply, got {other:?}"),
    }
    assert_eq!(
        kinds(&entries_until(&mut watch_a, m2.seq, s8).await),
        expected
    );

    // Carol comes back with `since` on the other instance and gets exactly
    // what she missed.
    let mut back = c.a.connect(&carol.token).await;
    let since = Since { epoch, seq: m2.seq };
    match back.join("general", Some(since)).await {
        ServerFrame::Joined { recovered, seq, .. } => assert!(recovered && seq == s8),
        other => panic!("expected joined, got {other:?}"),
    }
    let replayed = entries_until(&mut back, m2.seq, s8).await;
    assert_eq!(kinds(&replayed), expected);
    match &replayed[3] {
        Entry::Deleted(d) => assert_eq!((d.id, d.by.id), (m2.id, alice.user.id)),
        other => panic!("expected the deletion, got {other:?}"),
    }

    // History shows each message's current state, as the reader sees it.
    let (status, page) = get(&c.b, "/api/rooms/general/messages", &bob.token).await;
    assert_eq!(status, 200);
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    assert_eq!(page.seq, s8);
    let state = |id: Uuid| {
        page.messages
            .iter()
            .find_map(|e| match e {
                Entry::Message(m) if m.id == id => Some(m.clone()),
                _ => None,
            })
            .expect("in the page")
    };
    let first = state(m1.id);
    assert_eq!(first.body, "hello world");
    assert!(first.edited_ts.is_some());
    assert_eq!(first.reply_count, 1);
    assert!(first.last_reply_ts.is_some());
    assert_eq!(first.reactions.len(), 1, "🎉 came and went");
    assert_eq!(
        (
            first.reactions[0].emoji.as_str(),
            first.reactions[0].count,
            first.reactions[0].me
        ),
        ("👍", 1, true)
    );
    let second = state(m2.id);
    assert!(second.deleted && second.body.is_empty());
    let raw = serde_json::to_value(&second).unwrap();
    assert!(raw.get("body").is_none(), "a deleted message has no body");
    // Alice did not react: not "me" for her.
    let (_, page) = get(&c.a, "/api/rooms/general/messages", &alice.token).await;
    let page: MessagesPage = serde_json::from_value(page).unwrap();
    let mine = page.messages.iter().find_map(|e| match e {
        Entry::Message(m) if m.id == m1.id => Some(m.reactions[0].me),
        _ => None,
    });
    assert_eq!(mine, Some(false));

    // The thread lists its replies.
    let (status, thread) = get(
        &c.a,
        &format!("/api/rooms/general/threads/{}", m1.id),
        &alice.token,
    )
    .await;
    assert_eq!(status, 200);
    let thread: ThreadPage = serde_json::from_value(thread).unwrap();
    assert_eq!(thread.root.id, m1.id);
    assert_eq!(
        thread
            .replies
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        vec!["agreed @alice"]
    );
}

#[tokio::test]
async fn only_the_right_people_change_a_message() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let carol = server.register("carol").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    let mut b = server.connect(&bob.token).await;
    b.join("general", None).await;
    a.send_text("general", "alice's words").await;
    let m = message(&mut a, "alice's words").await;

    assert_eq!(
        ask(&mut b, edit(m.id, "bob's words")).await,
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(
        ask(
            &mut b,
            ClientFrame::Delete {
                room: "general".into(),
                id: m.id
            }
        )
        .await,
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(
        ask(&mut a, edit(m.id, "   ")).await,
        Err(ErrorCode::Invalid)
    );
    assert_eq!(
        ask(&mut a, edit(Uuid::new_v4(), "x")).await,
        Err(ErrorCode::NotFound)
    );
    assert_eq!(
        ask(&mut b, react("general", m.id, "", true)).await,
        Err(ErrorCode::Invalid)
    );
    assert_eq!(
        ask(&mut b, react("general", m.id, "not an emoji", true)).await,
        Err(ErrorCode::Invalid)
    );

    // A reply's root must be a top-level message of the room.
    b.send_frame(reply(m.id, "a reply"), Some("r1")).await;
    b.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    let r1 = message(&mut a, "a reply").await;
    b.send_frame(reply(r1.id, "a reply to a reply"), Some("r2"))
        .await;
    match b
        .next_matching(|f| matches!(f, ServerFrame::Error { reference: Some(r), .. } if r == "r2"))
        .await
    {
        ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::Invalid),
        _ => unreachable!(),
    }

    // A private room: its owner deletes anyone's message; outsiders can't react.
    let (status, _) = post(
        &server,
        "/api/rooms",
        Some(&alice.token),
        serde_json::json!({"name": "ops", "kind": "private"}),
    )
    .await;
    assert_eq!(status, 201);
    post(
        &server,
        "/api/rooms/ops/members",
        Some(&alice.token),
        serde_json::json!({"user": "bob"}),
    )
    .await;
    a.join("ops", None).await;
    b.join("ops", None).await;
    b.send_text("ops", "bob in ops, @alice @carol").await;
    let in_ops = message(&mut a, "bob in ops, @alice @carol").await;
    assert_eq!(
        in_ops.mentions,
        vec![alice.user.id],
        "carol cannot read ops: not mentioned"
    );
    let mut c = server.connect(&carol.token).await;
    assert_eq!(
        ask(&mut c, react("ops", in_ops.id, "👍", true)).await,
        Err(ErrorCode::Forbidden)
    );
    assert!(ask(
        &mut a,
        ClientFrame::Delete {
            room: "ops".into(),
            id: in_ops.id
        }
    )
    .await
    .is_ok());
    assert_eq!(
        ask(&mut b, react("ops", in_ops.id, "👍", true)).await,
        Err(ErrorCode::NotFound),
        "a deleted message takes no reactions"
    );
}

#[tokio::test]
async fn a_deleted_body_leaves_the_database_file() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    let secret = format!("secret-{}", Uuid::new_v4().simple());
    let edited = format!("edited-{secret}");
    a.send_text("general", &secret).await;
    let m = message(&mut a, &secret).await;
    ask(&mut a, edit(m.id, &edited)).await.unwrap();
    let files = || -> Vec<u8> {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(server.data.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                bytes.extend(std::fs::read(path).unwrap());
            }
        }
        bytes
    };
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    let before = files();
    assert!(
        contains(&before, &edited),
        "the body is in the files before"
    );
    ask(
        &mut a,
        ClientFrame::Delete {
            room: "general".into(),
            id: m.id,
        },
    )
    .await
    .unwrap();
    let after = files();
    assert!(
        !contains(&after, &secret),
        "no copy of the body or its edit is left"
    );
    let word = secret.trim_start_matches("secret-");
    assert!(!contains(&after, word), "nor its words in the search index");
}
