//! Attention (v3), threads and saved messages: replying or being mentioned
//! follows a thread, the list of followed threads counts unread replies, and
//! saved messages are the user's own. Run by `attention`'s tests on two
//! instances over Redis and PostgreSQL and on one over SQLite.

use reqwest::StatusCode;
use serde_json::json;

use crate::attention::{activity, say};
use crate::common::TestServer;
use crate::common::{add_member, create_room, delete, error_code, get, put};

/// Replying or being mentioned follows a thread; the list counts unread replies.
pub(crate) async fn followed_threads_and_saved(a: &TestServer, b: &TestServer) {
    let gus = a.register("gus").await;
    let hana = b.register("hana").await;
    let ivan = a.register("ivan").await;
    let mallory = b.register("mallory").await;
    create_room(a, &gus.token, "eng", "private").await;
    add_member(a, &gus.token, "eng", "hana").await;
    add_member(a, &gus.token, "eng", "ivan").await;
    let mut ivan_ws = b.connect(&ivan.token).await;
    ivan_ws.ping().await;

    let root = say(a, &gus, "eng", "shall we ship friday?", None).await;
    let root_id = root["id"].as_str().unwrap().to_string();
    say(b, &hana, "eng", "yes", Some(&root_id)).await;
    say(
        b,
        &hana,
        "eng",
        "@ivan can you check the migration?",
        Some(&root_id),
    )
    .await;
    let (_, threads) = get(a, "/api/threads", &gus.token).await;
    assert_eq!(threads["threads"].as_array().unwrap().len(), 1, "{threads}");
    assert_eq!(threads["threads"][0]["root"]["id"], root_id.as_str());
    assert_eq!(
        threads["threads"][0]["unread"], 2,
        "the root's author follows"
    );
    let (_, threads) = get(b, "/api/threads", &hana.token).await;
    assert_eq!(
        threads["threads"][0]["unread"], 0,
        "one's own replies are read"
    );
    // Ivan was mentioned in it: he follows, and its replies say so.
    let (_, threads) = get(b, "/api/threads", &ivan.token).await;
    assert_eq!(threads["threads"][0]["unread"], 1);
    let reply = say(a, &gus, "eng", "thanks both", Some(&root_id)).await;
    let seq = reply["seq"].as_u64().unwrap();
    let (heard, _, thread, notify) = loop {
        let heard = activity(&mut ivan_ws, "eng").await;
        if heard.0 == seq {
            break heard;
        }
    };
    assert_eq!(heard, seq);
    assert_eq!(thread.map(|t| t.to_string()), Some(root_id.clone()));
    assert!(
        notify,
        "a followed thread's reply notifies at level mentions"
    );
    // Reading it clears the count, on every instance.
    let path = format!("/api/rooms/eng/threads/{root_id}/read");
    let (status, _) = put(a, &path, &gus.token, json!({"seq": seq})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, threads) = get(b, "/api/threads", &gus.token).await;
    assert_eq!(threads["threads"][0]["unread"], 0);
    // Unfollowed: gone from the list, and replies no longer name it.
    let follow = format!("/api/rooms/eng/threads/{root_id}/follow");
    let (status, state) = put(b, &follow, &ivan.token, json!({"on": false})).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    let (_, threads) = get(a, "/api/threads", &ivan.token).await;
    assert_eq!(threads["threads"], json!([]));
    let quiet = say(b, &hana, "eng", "merged", Some(&root_id)).await;
    let (_, _, thread, notify) = loop {
        let heard = activity(&mut ivan_ws, "eng").await;
        if heard.0 == quiet["seq"].as_u64().unwrap() {
            break heard;
        }
    };
    assert_eq!((thread, notify), (None, false));
    // Only readers follow; a reply is no root.
    let (status, _) = put(a, &follow, &mallory.token, json!({"on": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let not_root = format!(
        "/api/rooms/eng/threads/{}/follow",
        quiet["id"].as_str().unwrap()
    );
    let (status, _) = put(a, &not_root, &ivan.token, json!({"on": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Saved messages are the saver's own, of rooms they read.
    let saved = format!("/api/saved/{root_id}");
    let (status, _) = put(a, &saved, &hana.token, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = get(b, "/api/saved", &hana.token).await;
    assert_eq!(list["saved"][0]["message"]["body"], "shall we ship friday?");
    assert!(list["saved"][0]["saved_ts"].is_string());
    let (_, theirs) = get(b, "/api/saved", &gus.token).await;
    assert_eq!(theirs["saved"], json!([]));
    let (status, body) = put(a, &saved, &mallory.token, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", error_code(&body));
    let (status, _) = put(a, "/api/saved/not-a-message", &hana.token, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Removed from the room: the saved message is no longer shown.
    let (status, _) = delete(a, "/api/rooms/eng/members/hana", &gus.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = get(b, "/api/saved", &hana.token).await;
    assert_eq!(list["saved"], json!([]));
    let (status, _) = delete(a, &saved, &hana.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
