//! Retention and legal holds on two real instances sharing a real
//! PostgreSQL database and Redis: the sweeper deletes only what is older
//! than the room's period, once, while people keep chatting; an old
//! `since` is not recovered; a held room keeps everything and a held
//! person's messages that go (by retention or by their own hand) stay in
//! the export. A retention "day" is two seconds here (a hidden test
//! flag): rooms keep messages for 6 s.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use protocol::{ClientFrame, Entry, Message, SearchResults, ServerFrame, Since};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::cluster::cluster_with;
use crate::common::uploads::{delete_message, download, send_with, upload};
use crate::common::{create_room, delete, get, patch, put};
use crate::common::{Client, TestServer};
use crate::export::{fetch_zip, unzip};

/// The messages of a room's newest page (200), as `token` reads them.
async fn messages(server: &TestServer, token: &str, room: &str) -> Vec<Message> {
    let (status, body) = get(
        server,
        &format!("/api/rooms/{room}/messages?limit=200"),
        token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let page: protocol::MessagesPage = serde_json::from_value(body).unwrap();
    page.messages
        .into_iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// Uploads a text file and sends it with `body`; answers the file's id.
async fn send_file(server: &TestServer, token: &str, client: &mut Client, body: &str) -> Uuid {
    let name = format!("{}.txt", body.replace(' ', "-"));
    let bytes = format!("the bytes of {body}").into_bytes();
    let (status, file) = upload(server, token, "records", &name, "text/plain", bytes).await;
    assert_eq!(status, 201, "{file}");
    let id: Uuid = file["id"].as_str().unwrap().parse().unwrap();
    let ack = send_with(client, "records", body, vec![id]).await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
    id
}

/// The id of the message of `room` that says `body`.
async fn id_of(server: &TestServer, token: &str, room: &str, body: &str) -> Uuid {
    let found = messages(server, token, room).await;
    found.iter().find(|m| m.body == body).expect(body).id
}

/// Sends and waits for the ack: its seq.
async fn said(client: &mut Client, room: &str, body: &str, thread: Option<Uuid>) -> u64 {
    let client_msg_id = Uuid::new_v4();
    let send = ClientFrame::Send {
        room: room.into(),
        client_msg_id,
        body: body.into(),
        thread,
        attachments: Vec::new(),
    };
    client.send_frame(send, None).await;
    match client
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
        .await
    {
        ServerFrame::Ack { seq, .. } => seq,
        other => panic!("{body:?} was not stored: {other:?}"),
    }
}

#[tokio::test]
async fn sweeping_deletes_only_the_old_once_and_holds_keep_theirs() {
    let c = cluster_with(&[
        "--first-account-admin",
        "--retention-day-secs",
        "2",
        "--retention-sweep-secs",
        "1",
    ])
    .await;
    let root = c.a.register("root").await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.b.register("carol").await;
    for room in ["records", "kept"] {
        create_room(&c.a, &root.token, room, "public").await;
    }

    // Holds and periods: admins only, placed once, audited.
    let reason = json!({"reason": "matter 7"});
    let (status, body) = put(
        &c.a,
        "/api/admin/holds/user/carol",
        &alice.token,
        reason.clone(),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = put(
        &c.a,
        "/api/admin/holds/user/carol",
        &root.token,
        reason.clone(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = put(
        &c.b,
        "/api/admin/holds/user/carol",
        &root.token,
        reason.clone(),
    )
    .await;
    assert_eq!(status, 200, "held already");
    let (status, _) = put(
        &c.a,
        "/api/admin/holds/room/kept",
        &root.token,
        reason.clone(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = put(&c.a, "/api/admin/holds/team/x", &root.token, reason).await;
    assert_eq!(status, 400, "{body}");
    let three_days = json!({"retention_days": 3});
    let (status, _) = patch(&c.a, "/api/rooms/records", &alice.token, three_days.clone()).await;
    assert_eq!(status, 403, "a member does not set the company's period");
    for room in ["records", "kept"] {
        let path = format!("/api/rooms/{room}");
        let (status, body) = patch(&c.a, &path, &root.token, three_days.clone()).await;
        assert_eq!(
            (status.as_u16(), &body),
            (200, &json!({"retention_days": 3}))
        );
    }
    let (_, body) = get(&c.b, "/api/admin/retention", &root.token).await;
    let periods: Vec<(&str, u64)> = body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["room"].as_str().unwrap(),
                r["retention_days"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(periods, [("kept", 3), ("records", 3)]);

    // The old messages, written on both instances: files, a thread's root,
    // carol's (held) and one carol deletes herself.
    let mut on_a = c.a.connect(&alice.token).await;
    let mut on_b = c.b.connect(&bob.token).await;
    let mut carol_on_b = c.b.connect(&carol.token).await;
    for client in [&mut on_a, &mut on_b, &mut carol_on_b] {
        for room in ["records", "kept"] {
            client.join(room, None).await;
        }
    }
    let epoch = match on_a.join("records", None).await {
        ServerFrame::Joined { epoch, .. } => epoch,
        other => panic!("{other:?}"),
    };
    let first_seq = said(&mut on_a, "records", "zebra 0", None).await;
    let old_file = send_file(&c.a, &alice.token, &mut on_a, "zebra with a file").await;
    for i in 1..10 {
        said(&mut on_a, "records", &format!("zebra {i}"), None).await;
        said(&mut on_b, "records", &format!("old bob {i}"), None).await;
    }
    said(&mut on_b, "records", "old root", None).await;
    let old_root = id_of(&c.b, &bob.token, "records", "old root").await;
    let carol_file = send_file(&c.b, &carol.token, &mut carol_on_b, "carol evidence").await;
    said(&mut carol_on_b, "records", "carol note", None).await;
    said(&mut carol_on_b, "records", "carol regret", None).await;
    let regret = id_of(&c.b, &carol.token, "records", "carol regret").await;
    delete_message(&mut carol_on_b, "records", regret).await;
    for i in 0..5 {
        said(&mut on_a, "kept", &format!("kept {i}"), None).await;
    }
    let old_count = 19 + 1 + 1 + 2; // zebras and bobs, the file, the root, carol's kept two
    let old_done = Instant::now();

    // People keep chatting on both instances while the sweeper runs. The
    // chat goes on until the old messages are gone (bounded).
    let mut live: Vec<(String, Instant)> = Vec::new();
    let mut swept_at = None;
    let mut replied = false;
    for i in 0..300 {
        let (client, who) = if i % 2 == 0 {
            (&mut on_a, "a")
        } else {
            (&mut on_b, "b")
        };
        // Halfway through the period, a reply keeps the old thread going.
        let thread = (!replied && old_done.elapsed() > Duration::from_secs(3)).then_some(old_root);
        replied |= thread.is_some();
        let body = format!("live {who} {i}");
        said(client, "records", &body, thread).await;
        live.push((body, Instant::now()));
        tokio::time::sleep(Duration::from_millis(100)).await;
        if swept_at.is_none() && old_done.elapsed() > Duration::from_secs(6) {
            let left = messages(&c.a, &alice.token, "records").await;
            // The newest old message gone: the whole batch is old enough.
            if !left.iter().any(|m| m.body == "carol note") {
                swept_at = Some(i);
            }
        }
        if swept_at.is_some_and(|at| i >= at + 4) {
            break;
        }
    }
    assert!(swept_at.is_some(), "the old messages were never swept");
    let now = messages(&c.b, &bob.token, "records").await;
    let stopped = Instant::now();
    // Stop the room's sweeping (its own period cleared, no instance
    // period): what is gone from now on was gone before.
    let (status, body) = patch(
        &c.a,
        "/api/rooms/records",
        &root.token,
        json!({"retention_days": null}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), &body),
        (200, &json!({"retention_days": null}))
    );

    let bodies: HashSet<&str> = now
        .iter()
        .filter(|m| !m.deleted)
        .map(|m| m.body.as_str())
        .collect();
    for old in [
        "zebra 0",
        "zebra with a file",
        "old bob 3",
        "carol evidence",
        "carol note",
    ] {
        assert!(
            !bodies.contains(old),
            "{old:?} is older than the period but kept"
        );
    }
    for (body, acked) in &live {
        if stopped.duration_since(*acked) < Duration::from_secs(4) {
            assert!(bodies.contains(body.as_str()), "{body:?} is young but gone");
        }
    }
    // The old thread's root stays as a deleted message while its young
    // replies are kept.
    let root_now = now
        .iter()
        .find(|m| m.id == old_root)
        .expect("the root of a kept thread");
    assert!(root_now.deleted && root_now.body.is_empty(), "{root_now:?}");
    assert!(root_now.reply_count >= 1);

    // Deleted once: what the two sweepers counted is what went.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after = messages(&c.a, &alice.token, "records").await;
    let kept_live = after.iter().filter(|m| !m.deleted).count();
    let written = old_count + live.len();
    let counted = c.a.metric("confab_retention_deleted_total").await
        + c.b.metric("confab_retention_deleted_total").await;
    assert_eq!(
        counted as usize,
        written - kept_live,
        "each message deleted once"
    );

    // Files, search, the held room.
    for file in [old_file, carol_file] {
        let response = download(&c.b, &alice.token, &format!("/api/files/{file}")).await;
        assert_eq!(response.status(), 404, "a swept message's file is gone");
    }
    let (_, body) = get(&c.a, "/api/search?q=zebra", &alice.token).await;
    let found: SearchResults = serde_json::from_value(body).unwrap();
    assert!(found.results.is_empty(), "swept words are not found");
    let kept = messages(&c.b, &bob.token, "kept").await;
    assert_eq!(kept.len(), 5, "a held room keeps everything");
    let (_, body) = get(&c.a, "/api/search?q=kept", &alice.token).await;
    let found: SearchResults = serde_json::from_value(body).unwrap();
    assert_eq!(found.results.len(), 5);

    // Rejoining with a `since` below the cut: not recovered; from where the
    // kept log is: recovered.
    let mut again = c.b.connect(&alice.token).await;
    let old = Since {
        epoch: epoch.clone(),
        seq: first_seq,
    };
    match again.join("records", Some(old)).await {
        ServerFrame::Joined { recovered, .. } => assert!(!recovered, "the gap was swept"),
        other => panic!("{other:?}"),
    }
    let newest = after.last().unwrap().seq;
    let mut again = c.a.connect(&alice.token).await;
    match again
        .join("records", Some(Since { epoch, seq: newest }))
        .await
    {
        ServerFrame::Joined { recovered, .. } => assert!(recovered),
        other => panic!("{other:?}"),
    }

    // The export keeps what the hold on carol kept: both her swept
    // messages (and her file) and the one she deleted herself. (Files are
    // on the disk of the instance they were sent to: this test gives the
    // two no shared file store.)
    let (status, zip) = fetch_zip(&c.b, "/api/admin/export", &root.token).await;
    assert_eq!(status, 200);
    let entries = unzip(&zip);
    let held: Vec<Value> = String::from_utf8(entries["held.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut kept_by_hold: Vec<(&str, &str)> = held
        .iter()
        .map(|h| (h["body"].as_str().unwrap(), h["why"].as_str().unwrap()))
        .collect();
    kept_by_hold.sort();
    assert_eq!(
        kept_by_hold,
        [
            ("carol evidence", "retention"),
            ("carol note", "retention"),
            ("carol regret", "deleted")
        ]
    );
    assert_eq!(
        entries[&format!("files/{carol_file}")],
        b"the bytes of carol evidence"
    );
    assert!(!entries.contains_key(&format!("files/{old_file}")));

    // Released, the hold's originals go; every step is in the audit log.
    let (status, _) = delete(&c.b, "/api/admin/holds/user/carol", &root.token).await;
    assert_eq!(status, 204);
    let (status, _) = delete(&c.b, "/api/admin/holds/user/carol", &root.token).await;
    assert_eq!(status, 404);
    let (_, zip) = fetch_zip(&c.b, "/api/admin/export", &root.token).await;
    assert!(unzip(&zip)["held.jsonl"].is_empty());
    let (_, body) = get(&c.a, "/api/admin/audit?limit=200", &root.token).await;
    let actions: HashSet<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "hold.place",
        "hold.release",
        "room.retention",
        "retention.sweep",
    ] {
        assert!(actions.contains(action), "{action} is audited: {actions:?}");
    }
    println!(
        "retention: {written} written, {} deleted once by the sweepers, {kept_live} kept",
        counted
    );
}

#[tokio::test]
async fn sweeping_on_sqlite_takes_words_threads_and_files_with_it() {
    let server = TestServer::start(&[
        "--first-account-admin",
        "--retention-day-secs",
        "1",
        "--retention-sweep-secs",
        "1",
    ]);
    let root = server.register("root").await;
    create_room(&server, &root.token, "records", "public").await;
    let mut client = server.connect(&root.token).await;
    client.join("records", None).await;
    said(&mut client, "records", "quagga root", None).await;
    let thread = id_of(&server, &root.token, "records", "quagga root").await;
    said(&mut client, "records", "quagga reply", Some(thread)).await;
    let file = send_file(&server, &root.token, &mut client, "quagga file").await;
    let (status, _) = patch(
        &server,
        "/api/rooms/records",
        &root.token,
        json!({"retention_days": 1}),
    )
    .await;
    assert_eq!(status, 200);
    let mut left = messages(&server, &root.token, "records").await;
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = messages(&server, &root.token, "records").await;
    }
    assert!(
        left.is_empty(),
        "nothing is younger than a second: {left:?}"
    );
    let (_, body) = get(&server, "/api/search?q=quagga", &root.token).await;
    let found: SearchResults = serde_json::from_value(body).unwrap();
    assert!(found.results.is_empty(), "swept words are not found");
    let response = download(&server, &root.token, &format!("/api/files/{file}")).await;
    assert_eq!(response.status(), 404);
    // The room goes on from where it was.
    let seq = said(&mut client, "records", "after the sweep", None).await;
    assert_eq!(seq, 4);
    let (_, body) = get(&server, "/api/admin/retention", &root.token).await;
    assert_eq!(body["rooms"][0]["kept_after"], 3, "{body}");
}
