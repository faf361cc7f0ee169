//! The v2 room log: the exact JSON of every new frame and history item.

use super::*;

fn bob() -> UserRef {
    UserRef {
        id: uuid(4),
        name: "bob".into(),
    }
}

const U4: &str = "00000000-0000-0000-0000-000000000004";
const U5: &str = "00000000-0000-0000-0000-000000000005";

#[test]
fn send_in_a_thread_edit_delete_react() {
    assert_eq!(
        client(json!({"type":"send","room":"general","client_msg_id":U3,"body":"re","thread":U2}))
            .frame,
        ClientFrame::Send {
            room: "general".into(),
            client_msg_id: uuid(3),
            body: "re".into(),
            thread: Some(uuid(2)),
            attachments: Vec::new(),
        }
    );
    assert_eq!(
        client(json!({"type":"edit","room":"general","id":U2,"body":"fixed","ref":"e"})),
        ClientEnvelope {
            reference: Some("e".into()),
            frame: ClientFrame::Edit {
                room: "general".into(),
                id: uuid(2),
                body: "fixed".into()
            }
        }
    );
    assert_eq!(
        client(json!({"type":"delete","room":"general","id":U2})).frame,
        ClientFrame::Delete {
            room: "general".into(),
            id: uuid(2)
        }
    );
    assert_eq!(
        client(json!({"type":"react","room":"general","id":U2,"emoji":"🎉"})).frame,
        ClientFrame::React {
            room: "general".into(),
            id: uuid(2),
            emoji: "🎉".into(),
            on: true
        },
        "on defaults to true"
    );
    assert_eq!(
        client(json!({"type":"react","room":"general","id":U2,"emoji":"🎉","on":false})).frame,
        ClientFrame::React {
            room: "general".into(),
            id: uuid(2),
            emoji: "🎉".into(),
            on: false
        }
    );
    // A v1 send (no thread) still serializes exactly as v1.
    let v1 = ClientFrame::Send {
        room: "general".into(),
        client_msg_id: uuid(3),
        body: "hi".into(),
        thread: None,
        attachments: Vec::new(),
    };
    assert_eq!(
        serde_json::to_value(&v1).unwrap(),
        json!({"type":"send","room":"general","client_msg_id":U3,"body":"hi"})
    );
}

#[test]
fn a_reply_with_mentions() {
    let reply = Message {
        thread: Some(uuid(5)),
        mentions: vec![uuid(4)],
        body: "@bob look".into(),
        ..sample_message()
    };
    assert_eq!(
        server_json(ServerFrame::Message(reply)),
        json!({
            "type":"message","room":"general","seq":7,"epoch":"e1","id":U2,
            "client_msg_id":U3,"author":{"id":U1,"name":"alice"},"body":"@bob look","ts":TS,
            "thread":U5,"mentions":[U4]
        })
    );
}

#[test]
fn edited_deleted_reaction_done_frames() {
    assert_eq!(
        server_json(ServerFrame::Edited(Edited {
            room: "general".into(),
            seq: 8,
            epoch: "e1".into(),
            ts: ts(),
            id: uuid(2),
            body: "fixed".into(),
            by: alice(),
            mentions: vec![],
            everyone: false,
        })),
        json!({"type":"edited","room":"general","seq":8,"epoch":"e1","ts":TS,"id":U2,
               "body":"fixed","by":{"id":U1,"name":"alice"},"mentions":[]})
    );
    assert_eq!(
        server_json(ServerFrame::Deleted(Deleted {
            room: "general".into(),
            seq: 9,
            epoch: "e1".into(),
            ts: ts(),
            id: uuid(2),
            by: alice(),
        })),
        json!({"type":"deleted","room":"general","seq":9,"epoch":"e1","ts":TS,"id":U2,
               "by":{"id":U1,"name":"alice"}})
    );
    assert_eq!(
        server_json(ServerFrame::Reaction(Reaction {
            room: "general".into(),
            seq: 10,
            epoch: "e1".into(),
            ts: ts(),
            id: uuid(2),
            emoji: "👍".into(),
            user: bob(),
            on: false,
        })),
        json!({"type":"reaction","room":"general","seq":10,"epoch":"e1","ts":TS,"id":U2,
               "emoji":"👍","user":{"id":U4,"name":"bob"},"on":false})
    );
    assert_eq!(
        server_json(ServerFrame::Done {
            room: "general".into(),
            seq: 10,
            reference: Some("r".into()),
        }),
        json!({"type":"done","room":"general","seq":10,"ref":"r"})
    );
}

#[test]
fn history_items_show_current_state() {
    let edited = Message {
        body: "fixed".into(),
        edited_ts: Some(ts()),
        reactions: vec![ReactionCount {
            emoji: "👍".into(),
            count: 2,
            me: true,
        }],
        reply_count: 3,
        last_reply_ts: Some(ts()),
        ..sample_message()
    };
    let deleted = Message {
        seq: 8,
        body: String::new(),
        deleted: true,
        ..sample_message()
    };
    let page = MessagesPage {
        messages: vec![
            Entry::Message(edited),
            Entry::Message(deleted),
            Entry::Deleted(Deleted {
                room: "general".into(),
                seq: 9,
                epoch: "e1".into(),
                ts: ts(),
                id: uuid(2),
                by: alice(),
            }),
        ],
        seq: 9,
    };
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(
        json,
        json!({"seq":9,"messages":[
            {"type":"message","room":"general","seq":7,"epoch":"e1","id":U2,"client_msg_id":U3,
             "author":{"id":U1,"name":"alice"},"body":"fixed","ts":TS,"mentions":[],
             "edited_ts":TS,"reactions":[{"emoji":"👍","count":2,"me":true}],
             "reply_count":3,"last_reply_ts":TS},
            {"type":"message","room":"general","seq":8,"epoch":"e1","id":U2,"client_msg_id":U3,
             "author":{"id":U1,"name":"alice"},"ts":TS,"mentions":[],"deleted":true},
            {"type":"deleted","room":"general","seq":9,"epoch":"e1","ts":TS,"id":U2,
             "by":{"id":U1,"name":"alice"}}
        ]})
    );
    // And it reads back as the same page.
    assert_eq!(serde_json::from_value::<MessagesPage>(json).unwrap(), page);
    let thread = ThreadPage {
        root: sample_message(),
        replies: vec![],
        seq: 7,
    };
    assert_eq!(
        serde_json::to_value(&thread).unwrap()["root"]["id"],
        json!(U2)
    );
}

#[test]
fn mentions_and_emoji_rules() {
    assert_eq!(
        mentioned_names("@Bob and @alice, cc @bob. mail bob@example.com @x!"),
        vec!["bob", "alice", "x"]
    );
    assert!(mentioned_names("no@one here").is_empty());
    assert_eq!(mentioned_names("(@carol)"), vec!["carol"]);
    assert!(valid_emoji("👍"));
    assert!(valid_emoji("👩🏽‍💻"));
    assert!(valid_emoji(":shipit:"));
    assert!(!valid_emoji(""));
    assert!(!valid_emoji("a b"));
    assert!(!valid_emoji(&"x".repeat(33)));
}
