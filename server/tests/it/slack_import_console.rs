//! Imports from the admin console over HTTP (docs/PROTOCOL.md, "Slack
//! import"): admins only, bounded by `--max-import-bytes`, a job any
//! instance answers while it runs and once done, audited.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tools::slack_export::{write, Options};

use crate::common::{get, send_bytes, TestServer};

async fn upload(server: &TestServer, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let path = "/api/admin/imports/slack";
    send_bytes(reqwest::Method::POST, server, path, token, bytes).await
}

#[tokio::test]
async fn an_admin_uploads_an_export_and_follows_its_job_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slack.zip");
    let options = Options {
        users: 7,
        channels: 3,
        messages: 20,
        seed: 5,
        corrupt: false,
    };
    let summary = write(&path, &options).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let server = TestServer::start(&[
        "--first-account-admin",
        "--max-import-bytes",
        &(bytes.len() + 10).to_string(),
    ]);
    let root = server.register("root").await;
    let bob = server.register("bob").await;

    let (status, body) = upload(&server, &bob.token, bytes.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = upload(&server, &root.token, vec![0; bytes.len() + 11]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (status, body) = upload(&server, &root.token, Vec::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, job) = upload(&server, &root.token, bytes).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["state"], "running");
    let path = format!("/api/admin/imports/{}", job["id"].as_str().unwrap());
    let (status, _) = get(&server, &path, &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut last = Value::Null;
    for _ in 0..150 {
        let (status, now) = get(&server, &path, &root.token).await;
        assert_eq!(status, StatusCode::OK, "{now}");
        last = now;
        if last["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["total"], summary.conversations);
    assert_eq!(last["report"]["rooms"], summary.conversations);
    assert_eq!(
        last["report"]["messages"],
        summary.counts.messages - summary.counts.notices
    );
    let kept: Vec<_> = std::fs::read_dir(server.data.path().join("imports"))
        .unwrap()
        .collect();
    assert!(kept.is_empty(), "the upload is removed once imported");
    let (status, _) = get(&server, "/api/admin/imports/not-an-id", &root.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, audit) = get(&server, "/api/admin/audit?action=import.slack", &root.token).await;
    assert_eq!(
        audit["entries"].as_array().map(Vec::len),
        Some(1),
        "{audit}"
    );
}
