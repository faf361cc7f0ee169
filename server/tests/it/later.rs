//! Scheduled messages and reminders (v3): held by the server, sent (or told)
//! once at their time by whichever instance is up, even when the instance
//! that took them was killed before then.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::cluster::cluster;
use crate::common::{delete, get, post};
use protocol::{Entry, ServerFrame};

fn in_secs(secs: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(secs))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn a_scheduled_message_is_sent_once_when_the_instance_that_took_it_is_gone() {
    let mut c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut watcher = c.b.connect(&bob.token).await;
    watcher.join("general", None).await;

    // Taken by A, which is killed before their time.
    let mut ids = Vec::new();
    for body in ["standup starts now", "and the retro after"] {
        let (status, held) = post(
            &c.a,
            "/api/scheduled",
            Some(&alice.token),
            json!({"room": "general", "body": body, "at": in_secs(2)}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{held}");
        ids.push(held["id"].as_str().unwrap().to_string());
    }
    let (status, reminder) = post(
        &c.a,
        "/api/reminders",
        Some(&alice.token),
        json!({"room": "general", "note": "water the plants", "at": in_secs(2)}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reminder}");
    let (_, listed) = get(&c.a, "/api/scheduled", &alice.token).await;
    assert_eq!(listed["scheduled"].as_array().unwrap().len(), 2);
    // Not someone else's to cancel; not in the past.
    let (status, _) = delete(&c.a, &format!("/api/scheduled/{}", ids[0]), &bob.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &c.a,
        "/api/scheduled",
        Some(&alice.token),
        json!({"room": "general", "body": "late", "at": in_secs(-5)}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    c.a.kill();
    let mut alice_ws = c.b.connect(&alice.token).await;

    // B sends both, as Alice, with their ids as client_msg_id.
    let mut got = Vec::new();
    while got.len() < 2 {
        if let ServerFrame::Message(m) = watcher.next().await {
            assert_eq!(m.author.name, "alice");
            got.push(m.client_msg_id.to_string());
        }
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    match alice_ws
        .next_matching(|f| matches!(f, ServerFrame::Reminder(_)))
        .await
    {
        ServerFrame::Reminder(r) => {
            assert_eq!((r.note.as_str(), r.fired), ("water the plants", true))
        }
        _ => unreachable!(),
    }
    // Once each, and nothing left waiting; the fired reminder is listed
    // until dismissed.
    let history = c.b.history(&bob.token, "general").await.messages;
    let sent = history
        .iter()
        .filter(|e| matches!(e, Entry::Message(m) if m.author.name == "alice"))
        .count();
    assert_eq!(sent, 2);
    let (_, listed) = get(&c.b, "/api/scheduled", &alice.token).await;
    assert_eq!(listed["scheduled"], json!([]));
    let (_, reminders) = get(&c.b, "/api/reminders", &alice.token).await;
    assert_eq!(reminders["reminders"][0]["fired"], json!(true));
    let id = reminders["reminders"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = delete(&c.b, &format!("/api/reminders/{id}"), &alice.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, reminders) = get(&c.b, "/api/reminders", &alice.token).await;
    assert_eq!(reminders["reminders"], json!([]));
}

#[tokio::test]
async fn scheduled_messages_and_reminders_on_sqlite() {
    let server = crate::common::TestServer::start(&[]);
    let alice = server.register("alice").await;
    let mut ws = server.connect(&alice.token).await;
    ws.join("general", None).await;
    let (status, held) = post(
        &server,
        "/api/scheduled",
        Some(&alice.token),
        json!({"room": "general", "body": "on time", "at": in_secs(1)}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    let message = ws
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "on time"))
        .await;
    let ServerFrame::Message(m) = message else {
        unreachable!()
    };
    assert_eq!(m.client_msg_id.to_string(), held["id"].as_str().unwrap());
    let root = m.id;
    let (status, _) = post(
        &server,
        "/api/reminders",
        Some(&alice.token),
        json!({"room": "general", "message": root, "at": in_secs(1)}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    match ws
        .next_matching(|f| matches!(f, ServerFrame::Reminder(_)))
        .await
    {
        ServerFrame::Reminder(r) => assert_eq!(r.message, Some(root)),
        _ => unreachable!(),
    }
}
