//! A Confab export imported into a fresh instance (`confab import confab`)
//! holds the same: rooms and members, every message by the same person in
//! the same order, threads, edits, deletions, reactions, pins, topics, and
//! files byte for byte — read back by exporting the new instance and
//! comparing the two exports. A second import adds nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use protocol::{ClientFrame, Entry, ExportedMember, ExportedRoom, ExportedUser, ServerFrame};
use serde_json::Value;
use uuid::Uuid;

use crate::common::uploads::{delete_message, send_with, upload};
use crate::common::{add_member, create_room, get, put, Client, TestServer};
use crate::export::{fetch_zip, unzip};

/// A message as a person sees it, with nothing of where it is stored.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    author: String,
    body: String,
    /// The body of the thread's root, for a reply.
    root: Option<String>,
    deleted: bool,
    edited: bool,
    /// Emoji → who, as they stand after every reaction entry.
    reactions: BTreeMap<String, Vec<String>>,
    pinned: bool,
    /// Each file's name and bytes.
    files: Vec<(String, Vec<u8>)>,
}

/// An export read as people see it: each room (by name; a direct room by
/// its people) with its members and roles, topic, and messages in order.
fn seen(zip: &HashMap<String, Vec<u8>>) -> BTreeMap<String, (Vec<String>, String, Vec<Seen>)> {
    let lines = |name: &str| -> Vec<Value> {
        String::from_utf8(zip[name].clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let users: HashMap<Uuid, String> = lines("users.jsonl")
        .into_iter()
        .map(|u| serde_json::from_value::<ExportedUser>(u).unwrap())
        .map(|u| (u.id, u.name))
        .collect();
    let members: Vec<ExportedMember> = lines("memberships.jsonl")
        .into_iter()
        .map(|m| serde_json::from_value(m).unwrap())
        .collect();
    let mut rooms = BTreeMap::new();
    for room in lines("rooms.jsonl") {
        let room: ExportedRoom = serde_json::from_value(room).unwrap();
        let mut who: Vec<String> = members
            .iter()
            .filter(|m| m.room == room.id)
            .map(|m| format!("{} {:?}", users[&m.user], m.role))
            .collect();
        who.sort();
        let key = if room.kind == protocol::RoomKind::Direct {
            format!("direct {who:?}")
        } else {
            format!("{} {:?} archived={}", room.name, room.kind, room.archived)
        };
        let mut messages: Vec<Seen> = Vec::new();
        let mut index: HashMap<Uuid, usize> = HashMap::new();
        for entry in lines(&room.log) {
            match serde_json::from_value::<Entry>(entry).unwrap() {
                Entry::Message(m) => {
                    index.insert(m.id, messages.len());
                    messages.push(Seen {
                        author: m.author.name,
                        root: m.thread.map(|r| messages[index[&r]].body.clone()),
                        body: m.body,
                        deleted: m.deleted,
                        edited: m.edited_ts.is_some(),
                        reactions: BTreeMap::new(),
                        pinned: false,
                        files: m
                            .attachments
                            .iter()
                            .map(|a| (a.name.clone(), zip[&format!("files/{}", a.id)].clone()))
                            .collect(),
                    });
                }
                Entry::Reaction(r) => {
                    let people = messages[index[&r.id]].reactions.entry(r.emoji).or_default();
                    people.retain(|p| *p != r.user.name);
                    if r.on {
                        people.push(r.user.name);
                    }
                    people.sort();
                }
                Entry::Pinned(p) => messages[index[&p.id]].pinned = p.on,
                _ => {}
            }
        }
        for message in &mut messages {
            message.reactions.retain(|_, people| !people.is_empty());
        }
        rooms.insert(key, (who, room.topic, messages));
    }
    rooms
}

fn import(server: &TestServer, zip: &Path) -> Value {
    let out = Command::new(crate::common::server_binary())
        .args([
            "--data-dir",
            server.data.path().to_str().unwrap(),
            "import",
            "confab",
        ])
        .arg(zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn ask(client: &mut Client, frame: ClientFrame) {
    assert!(client.ask(frame).await.is_ok());
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_instance_holds_the_same() {
    let old = TestServer::start(&["--first-account-admin"]);
    let root = old.register("root").await;
    let alice = old.register("alice").await;
    let bob = old.register("bob").await;
    create_room(&old, &alice.token, "plans", "private").await;
    add_member(&old, &alice.token, "plans", "bob").await;
    let (status, _) = put(
        &old,
        "/api/rooms/plans/topic",
        &alice.token,
        serde_json::json!({"topic": "the offsite"}),
    )
    .await;
    assert_eq!(status, 200);
    let mut a = old.connect(&alice.token).await;
    let mut b = old.connect(&bob.token).await;
    for client in [&mut a, &mut b] {
        client.join("plans", None).await;
        client.join("general", None).await;
    }
    a.say("general", "hello, general").await;
    a.say("plans", "the offsite is on the 12th").await;
    let png = crate::common::uploads::png(3, 2);
    let (status, file) = upload(
        &old,
        &bob.token,
        "plans",
        "map.png",
        "image/png",
        png.clone(),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    let file_id: Uuid = file["id"].as_str().unwrap().parse().unwrap();
    send_with(&mut b, "plans", "the map", vec![file_id]).await;
    b.say("plans", "oops").await;
    let (_, page) = get(&old, "/api/rooms/plans/messages", &alice.token).await;
    let id_of = |body: &str| -> Uuid {
        let found = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["body"] == body);
        found.unwrap()["id"].as_str().unwrap().parse().unwrap()
    };
    let (thread_root, oops) = (id_of("the offsite is on the 12th"), id_of("oops"));
    for (client, body) in [(&mut b, "I'll book the train"), (&mut a, "thanks!")] {
        let send = ClientFrame::Send {
            room: "plans".into(),
            client_msg_id: Uuid::new_v4(),
            body: body.into(),
            thread: Some(thread_root),
            attachments: Vec::new(),
        };
        client.send_frame(send, Some("reply")).await;
        let answer = client
            .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
            .await;
        assert!(matches!(answer, ServerFrame::Ack { .. }), "{answer:?}");
    }
    for (by_bob, emoji, on) in [
        (true, "🎉", true),
        (false, "🎉", true),
        (false, "👀", true),
        (false, "👀", false),
    ] {
        ask(
            if by_bob { &mut b } else { &mut a },
            ClientFrame::React {
                room: "plans".into(),
                id: thread_root,
                emoji: emoji.into(),
                on,
            },
        )
        .await;
    }
    ask(
        &mut a,
        ClientFrame::Edit {
            room: "plans".into(),
            id: thread_root,
            body: "the offsite is on the 13th".into(),
        },
    )
    .await;
    delete_message(&mut b, "plans", oops).await;
    let (status, _) = put(
        &old,
        &format!("/api/rooms/plans/pins/{thread_root}"),
        &alice.token,
        Value::Null,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (status, dm) = crate::common::post(
        &old,
        "/api/dms",
        Some(&alice.token),
        serde_json::json!({"users": ["bob"]}),
    )
    .await;
    assert!(status.is_success(), "{dm}");
    let dm_room = dm["room"]
        .as_str()
        .or(dm["id"].as_str())
        .unwrap()
        .to_string();
    a.join(&dm_room, None).await;
    a.say(&dm_room, "just between us").await;

    let (status, exported) = fetch_zip(&old, "/api/admin/export", &root.token).await;
    assert_eq!(status, 200);
    let before = seen(&unzip(&exported));
    let (members, topic, plans) = &before["plans Private archived=false"];
    assert_eq!(members, &["alice Owner", "bob Member"]);
    assert_eq!(topic, "the offsite");
    assert_eq!(plans.len(), 5);
    assert!(plans[0].edited && plans[0].pinned && plans[0].reactions["🎉"] == ["alice", "bob"]);
    assert_eq!(plans[1].files, [("map.png".to_string(), png.clone())]);
    assert!(plans[2].deleted);
    assert_eq!(plans[3].root.as_deref(), Some("the offsite is on the 13th"));
    assert_eq!(before.len(), 3, "general, plans and the direct room");

    // A fresh instance, whose admin is the same person (by name).
    let new = TestServer::start(&["--first-account-admin"]);
    let new_root = new.register("root").await;
    let path = new.data.path().join("from-old.zip");
    std::fs::write(&path, &exported).unwrap();
    let report = import(&new, &path);
    assert_eq!(
        report["users"], 2,
        "alice and bob are new, root is here: {report}"
    );
    assert_eq!(report["messages"], 7, "{report}");
    assert_eq!(report["replies"], 2, "{report}");
    assert_eq!(report["files"], 1, "{report}");
    assert_eq!(report["skipped"], serde_json::json!([]));
    let (_, again) = fetch_zip(&new, "/api/admin/export", &new_root.token).await;
    let after = seen(&unzip(&again));
    assert_eq!(
        after, before,
        "the same rooms, members, messages, reactions and files"
    );

    let second = import(&new, &path);
    for what in ["users", "rooms", "messages", "reactions", "files"] {
        assert_eq!(second[what], 0, "a second import adds nothing: {second}");
    }
    let (_, third) = fetch_zip(&new, "/api/admin/export", &new_root.token).await;
    assert_eq!(seen(&unzip(&third)), before);
}
