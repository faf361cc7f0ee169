//! The rooms directory (v3): public rooms found by name or topic, with
//! member counts and whether the caller is in each; the room list holds
//! only the caller's own rooms.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::postgres::TestDatabase;
use crate::common::{add_member, create_room, get, post, TestServer};

fn ids(rooms: &Value, field: &str) -> Vec<String> {
    rooms[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

async fn browse(args: &[&str]) {
    let server = TestServer::start(args);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    create_room(&server, &alice.token, "design", "public").await;
    create_room(&server, &alice.token, "deploys", "public").await;
    create_room(&server, &alice.token, "secret-plans", "private").await;
    create_room(&server, &alice.token, "fun_stuff", "public").await;
    let reqwest = reqwest::Client::new();
    let topic = reqwest
        .put(server.http("/api/rooms/deploys/topic"))
        .bearer_auth(&alice.token)
        .json(&json!({"topic": "Release Trains and rollbacks"}))
        .send()
        .await
        .unwrap();
    assert!(topic.status().is_success());
    add_member(&server, &bob.token, "design", "bob").await;

    // By name or topic, case-blind; never a private room.
    let (status, found) = get(&server, "/api/rooms/directory?q=de", &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&found, "rooms"), ["deploys", "design"]);
    let (_, found) = get(&server, "/api/rooms/directory?q=TRAINS", &bob.token).await;
    assert_eq!(ids(&found, "rooms"), ["deploys"]);
    assert_eq!(found["rooms"][0]["topic"], "Release Trains and rollbacks");
    let (_, found) = get(&server, "/api/rooms/directory?q=plans", &bob.token).await;
    assert_eq!(
        ids(&found, "rooms"),
        Vec::<String>::new(),
        "private rooms are not listed"
    );
    // LIKE's wildcards are taken literally.
    let (_, found) = get(&server, "/api/rooms/directory?q=n_s", &bob.token).await;
    assert_eq!(ids(&found, "rooms"), ["fun_stuff"]);
    let (_, found) = get(&server, "/api/rooms/directory?q=%25", &bob.token).await;
    assert_eq!(ids(&found, "rooms"), Vec::<String>::new());

    // Member counts, and whether the caller is in each.
    let (_, all) = get(&server, "/api/rooms/directory", &bob.token).await;
    let design = all["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "design")
        .unwrap();
    assert_eq!(design["member_count"], 2);
    assert_eq!(design["joined"], true);
    let deploys = all["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "deploys")
        .unwrap();
    assert_eq!(
        (deploys["member_count"].clone(), deploys["joined"].clone()),
        (json!(1), json!(false))
    );
    assert_eq!(
        get(&server, "/api/rooms/directory?limit=0", &bob.token)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    // The room list: only Bob's own rooms, however many public ones exist.
    let (_, mine) = get(&server, "/api/rooms", &bob.token).await;
    let mine: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(mine, ["design"]);
    // Joining from the directory puts the room in the list.
    let (status, _) = post(
        &server,
        "/api/rooms/deploys/members",
        Some(&bob.token),
        json!({"user": "bob"}),
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (_, mine) = get(&server, "/api/rooms", &bob.token).await;
    assert_eq!(mine.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_directory_lists_public_rooms_and_the_room_list_only_ones_own_on_both_stores() {
    browse(&[]).await;
    let db = TestDatabase::create().await;
    browse(&["--database-url", &db.url]).await;
}
