//! Exports (docs/PROTOCOL.md, "Records") against a real server: an admin's
//! zip of everything (users, a private room with its members, its log with
//! a reply, an edit and a reaction, a file byte for byte), a person's zip
//! of their own messages only, the same from `confab export` on the
//! server's store, each checked whole by Python's zipfile too, and every
//! export in the audit log.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::process::Command;

use protocol::{ClientFrame, Entry, ExportedMember, ExportedRoom, ExportedUser, RoomRole};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::common::uploads::{send_with, upload};
use crate::common::{add_member, create_room, get, TestServer};

/// The zip's entries: name → bytes.
pub(crate) fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a whole zip");
    let mut entries = HashMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        entries.insert(file.name().unwrap().to_string(), content);
    }
    entries
}

fn lines<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Vec<T> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Checks a zip with an independent reader (Python's zipfile: every
/// entry's CRC).
fn python_checks(path: &std::path::Path) {
    let output = Command::new("python3")
        .args(["-m", "zipfile", "-t"])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(crate) async fn fetch_zip(
    server: &TestServer,
    path: &str,
    token: &str,
) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(server.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(response.headers()["content-type"], "application/zip");
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"confab-"),
            "{disposition}"
        );
    }
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn exports_hold_everything_or_ones_own_and_are_audited() {
    let server = TestServer::start(&["--first-account-admin"]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    create_room(&server, &alice.token, "plans", "private").await;
    add_member(&server, &alice.token, "plans", "bob").await;

    let mut a = server.connect(&alice.token).await;
    a.join("plans", None).await;
    let mut b = server.connect(&bob.token).await;
    b.join("plans", None).await;
    a.say("plans", "the offsite is on the 12th").await;
    let pdf = b"%PDF-1.4 the agenda, byte for byte \x00\x01\x02".to_vec();
    let (status, file) = upload(
        &server,
        &bob.token,
        "plans",
        "agenda.pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    let file_id: Uuid = file["id"].as_str().unwrap().parse().unwrap();
    send_with(&mut b, "plans", "agenda attached", vec![file_id]).await;
    let (_, page) = get(&server, "/api/rooms/plans/messages", &alice.token).await;
    let root: Uuid = page["messages"][0]["id"].as_str().unwrap().parse().unwrap();
    b.send_frame(
        ClientFrame::Send {
            room: "plans".into(),
            client_msg_id: Uuid::new_v4(),
            body: "I'll book the train".into(),
            thread: Some(root),
            attachments: Vec::new(),
        },
        None,
    )
    .await;
    assert!(b
        .ask(ClientFrame::React {
            room: "plans".into(),
            id: root,
            emoji: "🎉".into(),
            on: true
        })
        .await
        .is_ok());
    assert!(a
        .ask(ClientFrame::Edit {
            room: "plans".into(),
            id: root,
            body: "the offsite is on the 13th".into()
        })
        .await
        .is_ok());

    // Everything, for admins only.
    let (status, _) = fetch_zip(&server, "/api/admin/export", &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, bytes) = fetch_zip(&server, "/api/admin/export", &alice.token).await;
    assert_eq!(status, StatusCode::OK);
    let everything = unzip(&bytes);
    let manifest: Value = serde_json::from_slice(&everything["manifest.json"]).unwrap();
    assert_eq!(
        (manifest["format"].as_str(), manifest["scope"].as_str()),
        (Some("confab-export"), Some("instance"))
    );
    let users: Vec<ExportedUser> = lines(&everything["users.jsonl"]);
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert!(
        names.contains(&"alice") && names.contains(&"bob"),
        "{names:?}"
    );
    assert!(users.iter().any(|u| u.name == "alice" && u.admin));
    let rooms: Vec<ExportedRoom> = lines(&everything["rooms.jsonl"]);
    let plans = rooms
        .iter()
        .find(|r| r.id == "plans")
        .expect("the private room");
    let members: Vec<ExportedMember> = lines(&everything["memberships.jsonl"]);
    let roles: Vec<(String, RoomRole)> = members
        .iter()
        .filter(|m| m.room == "plans")
        .map(|m| {
            (
                users.iter().find(|u| u.id == m.user).unwrap().name.clone(),
                m.role,
            )
        })
        .collect();
    assert!(
        roles.contains(&("alice".into(), RoomRole::Owner)),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("bob".into(), RoomRole::Member)),
        "{roles:?}"
    );

    let log: Vec<Entry> = lines(&everything[&plans.log]);
    assert_eq!(log.len() as u64, plans.last_seq, "every entry of the log");
    assert!(
        log.windows(2).all(|w| w[0].seq() < w[1].seq()),
        "oldest first"
    );
    let messages: Vec<_> = log
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages[0].body, "the offsite is on the 13th",
        "as it is now"
    );
    assert_eq!(messages[2].thread, Some(root));
    assert!(log.iter().any(|e| matches!(e, Entry::Edited(_))));
    assert!(log
        .iter()
        .any(|e| matches!(e, Entry::Reaction(r) if r.emoji == "🎉")));
    assert_eq!(messages[1].attachments[0].id, file_id);
    assert_eq!(
        everything[&format!("files/{file_id}")],
        pdf,
        "byte for byte"
    );

    // One's own: Bob's messages and file, nobody else's.
    let (status, bytes) = fetch_zip(&server, "/api/users/me/export", &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    let mine = unzip(&bytes);
    let users: Vec<ExportedUser> = lines(&mine["users.jsonl"]);
    assert_eq!(
        users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["bob"]
    );
    let written: Vec<Entry> = lines(&mine["messages.jsonl"]);
    let bodies: Vec<String> = written
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.body.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(bodies, ["agenda attached", "I'll book the train"]);
    assert_eq!(mine[&format!("files/{file_id}")], pdf);
    assert!(
        !mine.keys().any(|name| name.starts_with("logs/")),
        "no room's whole log"
    );

    // The same from the command line, on the server's store.
    let out = server.data.path().join("export.zip");
    let status = Command::new(crate::common::server_binary())
        .args([
            "--data-dir",
            server.data.path().to_str().unwrap(),
            "export",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let from_cli = unzip(&std::fs::read(&out).unwrap());
    let mut names: Vec<&String> = from_cli.keys().collect();
    names.sort();
    let mut expected: Vec<&String> = everything.keys().collect();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(from_cli[&format!("files/{file_id}")], pdf);
    python_checks(&out);

    // Each export is in the audit log.
    let (_, audit) = get(&server, "/api/admin/audit?limit=50", &alice.token).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("export."))
        .collect();
    assert_eq!(
        actions,
        ["export.instance", "export.user", "export.instance"],
        "newest first"
    );
}
