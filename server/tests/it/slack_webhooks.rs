//! Slack-compatible incoming webhooks, posted to with Slack's own Python SDK
//! (`tests/support/slack_post.py`, slack_sdk's WebhookClient) against two
//! real instances on PostgreSQL: mrkdwn shown as Markdown, Block Kit blocks
//! and legacy attachments kept as cards, Slack's plain `ok` for a client
//! that asks for text, and the cards read back on the other instance.

use std::process::Command;

use protocol::ClientFrame;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::two_instances;
use crate::common::{create_room, get, post};

/// Runs the SDK's posts against `url`; answers their (status, body).
fn post_with_slack_sdk(url: &str) -> Vec<(u16, String)> {
    let venv = std::env::var("CONFAB_VENV")
        .unwrap_or_else(|_| format!("{}/.cache/confab/venv", std::env::var("HOME").unwrap()));
    let script = format!("{}/tests/support/slack_post.py", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(format!("{venv}/bin/python"))
        .arg(script)
        .arg(url)
        .output()
        .expect("python runs (make deps installs slack_sdk)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    answers
        .iter()
        .map(|a| {
            let status = a["status"].as_u64().unwrap() as u16;
            (status, a["body"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn slacks_sdk_posts_text_blocks_and_attachments_that_look_right() {
    let (a, b, _db) = two_instances("redis://127.0.0.1:6379", &[]).await;
    let alice = a.register("alice").await;
    // Her own room: she owns it (and may delete what is posted there).
    create_room(&a, &alice.token, "builds", "public").await;
    let (status, created) = post(
        &a,
        "/api/rooms/builds/webhooks",
        Some(&alice.token),
        json!({"name": "ci"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let url = a.http(created["url"].as_str().unwrap());

    let answers = post_with_slack_sdk(&url);
    assert_eq!(answers.len(), 4);
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    for (_, body) in &answers[..3] {
        let answer: Value = serde_json::from_str(body).unwrap();
        assert_eq!(answer["ok"], true, "{body}");
    }
    assert_eq!(answers[3].1, "ok", "Slack's plain answer, asked for");

    // Read on the other instance, from the store.
    let (_, page) = get(&b, "/api/rooms/builds/messages", &alice.token).await;
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4, "{page}");
    let text = &messages[0];
    assert_eq!(
        text["body"],
        "Build [main](https://ci.example/42) **passed** ~~slowly~~ for @here"
    );
    assert!(text.get("cards").is_none(), "{text}");

    let blocks = &messages[1];
    assert_eq!(blocks["body"], "Deploy to production: main is live");
    assert_eq!(
        blocks["cards"],
        json!([{
            "kind": "blocks",
            "title": "Deploy to production",
            "text": "**main** is live",
            "fields": [
                {"value": "**Env**\nprod", "short": true},
                {"value": "**Took**\n4 min", "short": true}
            ],
            "footer": "by ci-bot"
        }])
    );

    let attachment = &messages[2];
    assert_eq!(attachment["body"], "All 120 tests passed", "the fallback");
    assert_eq!(
        attachment["cards"],
        json!([{
            "kind": "attachment",
            "color": "#2eb886",
            "title": "All 120 tests passed",
            "title_link": "https://ci.example/42",
            "text": "_3 min 12 s_",
            "fields": [{"title": "Branch", "value": "main", "short": true}],
            "footer": "Jenkins"
        }])
    );
    assert_eq!(messages[3]["body"], "plain, please");

    // Deleting the message (its room's moderators may) takes its cards
    // with its body.
    let id = attachment["id"].as_str().unwrap().parse().unwrap();
    let mut socket = a.connect(&alice.token).await;
    socket.join("builds", None).await;
    let deleted = socket
        .ask(ClientFrame::Delete {
            room: "builds".into(),
            id,
        })
        .await;
    assert!(deleted.is_ok(), "{deleted:?}");
    let (_, page) = get(&a, "/api/rooms/builds/messages", &alice.token).await;
    let deleted = &page["messages"].as_array().unwrap()[2];
    assert!(deleted.get("cards").is_none(), "{deleted}");
}
