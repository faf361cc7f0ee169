//! `confab import slack` (docs/PROTOCOL.md, "Slack import") with an export
//! from `tools::slack_export` (Slack's documented format, awkward parts
//! included), into a running instance's store: the counts equal the
//! export's, each imported room is a new one with its own log in `ts`
//! order at the messages' own times (the live `#general` untouched),
//! threads and reactions hold, imported words are found, a second run adds
//! nothing, and a broken day file is reported and skipped.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tools::slack_export::{write, Options, Summary};

use crate::common::{get, post, server_binary, TestServer};

fn export(dir: &std::path::Path, corrupt: bool) -> (std::path::PathBuf, Summary) {
    let path = dir.join(if corrupt { "broken.zip" } else { "slack.zip" });
    let options = Options {
        users: 9,
        channels: 4,
        messages: 60,
        seed: 3,
        corrupt,
    };
    let summary = write(&path, &options).unwrap();
    (path, summary)
}

/// Runs the importer on `data`'s store; answers its report.
fn import(data: &std::path::Path, export: &std::path::Path) -> Value {
    let output = Command::new(server_binary())
        .args(["--data-dir", data.to_str().unwrap(), "import", "slack"])
        .arg(export)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("] 1/"), "a progress bar: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn a_slack_export_comes_in_whole_once_beside_live_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let (path, summary) = export(dir.path(), false);
    let server = TestServer::start(&[]);
    let carol = server.register("carol").await;
    let mut live = server.connect(&carol.token).await;
    live.join("general", None).await;
    live.say("general", "a live message before the import")
        .await;

    let report = import(server.data.path(), &path);
    assert_eq!(report["users"], summary.users);
    assert_eq!(report["rooms"], summary.conversations);
    let messages = summary.counts.messages - summary.counts.notices;
    assert_eq!(report["messages"], messages, "{report}");
    assert_eq!(report["replies"], summary.counts.replies);
    assert_eq!(report["reactions"], summary.counts.reactions);
    assert_eq!(report["files"], summary.counts.files);
    assert_eq!(report["files_linked"], summary.counts.linked_files);
    assert!(summary.counts.files > 0 && summary.counts.linked_files > 0);
    assert_eq!(report["skipped"], serde_json::json!([]));

    // Again: nothing new.
    let again = import(server.data.path(), &path);
    for what in ["users", "rooms", "messages", "replies", "reactions"] {
        assert_eq!(again[what], 0, "{what}: {again}");
    }

    // The live #general is untouched; Slack's is a room of its own whose
    // log starts at 1, in time order, from the export's first day.
    let (_, page) = get(&server, "/api/rooms/general/messages", &carol.token).await;
    let bodies: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["a live message before the import"]);
    let (status, page) = get(
        &server,
        "/api/rooms/general-slack/messages?limit=200",
        &carol.token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The page holds every entry; reactions are entries of the import's
    // time (Slack's export gives them none).
    let imported: Vec<&Value> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message")
        .collect();
    assert_eq!(imported[0]["seq"], 1);
    assert!(imported[0]["ts"]
        .as_str()
        .unwrap()
        .starts_with("2024-01-01T"));
    let rfc3339 = time::format_description::well_known::Rfc3339;
    let times: Vec<time::OffsetDateTime> = imported
        .iter()
        .map(|m| time::OffsetDateTime::parse(m["ts"].as_str().unwrap(), &rfc3339).unwrap())
        .collect();
    let disorder: Vec<(&Value, &Value)> = imported
        .windows(2)
        .zip(times.windows(2))
        .filter(|(_, t)| t[0] > t[1])
        .map(|(m, _)| (&m[0]["seq"], &m[1]["seq"]))
        .collect();
    assert!(disorder.is_empty(), "ts order: {disorder:?}");
    let root = imported
        .iter()
        .find(|m| m["reply_count"].as_u64().unwrap_or(0) > 0)
        .expect("a thread");
    let replies = imported
        .iter()
        .filter(|m| m["thread"] == root["id"])
        .count() as u64;
    assert!(replies >= 1 && replies <= root["reply_count"].as_u64().unwrap());
    assert!(imported
        .iter()
        .any(|m| m["reactions"].as_array().is_some_and(|r| !r.is_empty())));
    assert!(
        imported.iter().any(|m| m["edited_ts"].is_string()),
        "edits are marked"
    );
    let formatted = imported.iter().any(|m| {
        m["body"]
            .as_str()
            .unwrap_or("")
            .contains("[the doc](https://docs.example/")
    });
    assert!(formatted, "mrkdwn is Markdown");
    let linked = imported.iter().any(|m| {
        m["body"]
            .as_str()
            .unwrap_or("")
            .ends_with("and #general-slack")
    });
    assert!(
        linked,
        "a link to Slack's #general names the room it became"
    );

    // A file the export carried is attached, byte for byte; one it only
    // linked is named in the text.
    let file = imported
        .iter()
        .find_map(|m| m["attachments"].as_array().and_then(|a| a.first()))
        .expect("an attached file");
    let bytes = reqwest::Client::new()
        .get(server.http(file["url"].as_str().unwrap()))
        .bearer_auth(&carol.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"report 11: all systems nominal\n");
    assert!(imported.iter().any(|m| m["body"]
        .as_str()
        .unwrap_or("")
        .contains("a file the export does not carry")));

    // Imported words are found.
    let (_, found) = get(&server, "/api/search?q=standup", &carol.token).await;
    assert!(!found["results"].as_array().unwrap().is_empty(), "{found}");
}

#[tokio::test]
async fn a_broken_day_file_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (path, summary) = export(dir.path(), true);
    let data = tempfile::tempdir().unwrap();
    let report = import(data.path(), &path);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{report}");
    assert!(
        skipped[0].as_str().unwrap().starts_with("random/2024-01-"),
        "{report}"
    );
    let whole = summary.counts.messages - summary.counts.notices;
    let imported = report["messages"].as_u64().unwrap() as usize;
    assert!(
        imported < whole && imported > whole / 2,
        "{imported} of {whole}"
    );
}

#[tokio::test]
async fn an_imported_person_claims_their_account_by_link_and_finds_their_direct_messages() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = export(dir.path(), false);
    let server = TestServer::start(&["--first-account-admin"]);
    let root = server.register("root").await;
    let bob = server.register("bob").await;
    import(server.data.path(), &path);

    // The admin sees who can be claimed, and makes zoe's link.
    let (_, view) = get(&server, "/api/admin/users/zoe", &root.token).await;
    assert_eq!(view["claimable"], true, "{view}");
    let (_, view) = get(&server, "/api/admin/users/bob", &root.token).await;
    assert_eq!(view["claimable"], false, "a person with a password");
    let (status, _) = post(
        &server,
        "/api/admin/users/zoe/claim",
        Some(&bob.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &server,
        "/api/admin/users/bob/claim",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, link) = post(
        &server,
        "/api/admin/users/zoe/claim",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    let code = link["code"].as_str().unwrap().to_string();
    assert_eq!(link["url"], format!("/?invite={code}"));

    // Someone else's name with it is refused; hers signs her in.
    let sign_up =
        |name: &str| json!({"username": name, "password": "zoe-password-1", "invite": code});
    let (status, body) = post(&server, "/api/auth/register", None, sign_up("mallory")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("zoe"), "{body}");
    let (status, zoe) = post(&server, "/api/auth/register", None, sign_up("zoe")).await;
    assert!(status.is_success(), "{status} {zoe}");
    let token = zoe["token"].as_str().unwrap();
    assert_eq!(zoe["user"]["name"], "zoe");
    let (status, _) = post(&server, "/api/auth/register", None, sign_up("zoe")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the link is used up");
    let (status, _) = post(
        &server,
        "/api/admin/users/zoe/claim",
        Some(&root.token),
        json!({}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "claimed: nothing left to claim"
    );

    // Her direct messages from Slack are hers, with their history.
    let (_, rooms) = get(&server, "/api/rooms", token).await;
    let direct: Vec<&Value> = rooms
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "direct")
        .collect();
    assert_eq!(
        direct.len(),
        2,
        "a direct and a group direct message: {rooms}"
    );
    for room in direct {
        let path = format!("/api/rooms/{}/messages", room["id"].as_str().unwrap());
        let (status, page) = get(&server, &path, token).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page["messages"].as_array().unwrap().is_empty(), "{page}");
    }
    let login = json!({"username": "zoe", "password": "zoe-password-1"});
    let (status, _) = post(&server, "/api/auth/login", None, login).await;
    assert!(status.is_success(), "she signs in with her password");

    // The mapping says what each Slack person and channel became, and who
    // has claimed their account.
    let (status, _) = get(&server, "/api/admin/imports/slack/mapping", &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&server, "/api/admin/imports/teams/mapping", &root.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, mapping) = get(&server, "/api/admin/imports/slack/mapping", &root.token).await;
    assert_eq!(status, StatusCode::OK, "{mapping}");
    let claimed: Vec<(&str, bool)> = mapping["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["user"]["name"].as_str().unwrap(),
                p["claimed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(claimed.contains(&("zoe", true)), "{mapping}");
    assert!(claimed.contains(&("yamada", false)), "{mapping}");
    let rooms: Vec<(&str, &str)> = mapping["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source_id"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(rooms.contains(&("G00000001", "leadership")), "{mapping}");
}
