//! Attention (v3): `@here`, `@channel` and groups mention who they say;
//! notification levels and do-not-disturb decide `notify` while the counts
//! still move; threads are followed by replying or being mentioned, and
//! listed with their unread replies; saved messages are the user's own
//! (those two in `attention_threads`). Each runs on two instances over
//! Redis and PostgreSQL, and on one instance over SQLite.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::attention_threads::followed_threads_and_saved;
use crate::common::cluster::cluster_with;
use crate::common::TestServer;
use crate::common::{add_member, create_room, delete, get, post, put, Client};
use protocol::{AuthResponse, RoomInfo, ServerFrame};

const FAST: [&str; 6] = [
    "--user-rate-per-sec",
    "10000",
    "--user-rate-burst",
    "10000",
    "--signups-per-network",
    "1000",
];

/// Posts a message (a reply when `thread` is given); answers it.
pub(crate) async fn say(
    server: &TestServer,
    who: &AuthResponse,
    room: &str,
    body: &str,
    thread: Option<&str>,
) -> Value {
    let mut request = json!({ "body": body });
    if let Some(root) = thread {
        request["thread"] = json!(root);
    }
    let path = format!("/api/rooms/{room}/messages");
    let (status, message) = post(server, &path, Some(&who.token), request).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message
}

/// `room` as `who` sees it in their room list.
async fn room_of(server: &TestServer, who: &AuthResponse, room: &str) -> RoomInfo {
    let (status, rooms) = get(server, "/api/rooms", &who.token).await;
    assert_eq!(status, StatusCode::OK);
    let rooms: Vec<RoomInfo> = serde_json::from_value(rooms).unwrap();
    rooms
        .into_iter()
        .find(|r| r.id == room)
        .expect("a member room")
}

/// The next `activity` for `room`: (seq, mention, thread, notify).
pub(crate) async fn activity(
    client: &mut Client,
    room: &str,
) -> (u64, bool, Option<uuid::Uuid>, bool) {
    match client
        .next_matching(|f| matches!(f, ServerFrame::Activity { room: r, .. } if r == room))
        .await
    {
        ServerFrame::Activity {
            seq,
            mention,
            thread,
            notify,
            ..
        } => (seq, mention, thread, notify),
        _ => unreachable!(),
    }
}

fn ids(message: &Value, field: &str) -> Vec<String> {
    message[field]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// `@here`, `@channel` and a group, between the instances `a` and `b`.
async fn broad_mentions_and_groups(a: &TestServer, b: &TestServer) {
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = a.register("carol").await;
    let dave = b.register("dave").await;
    create_room(a, &alice.token, "town", "public").await;
    for user in ["bob", "carol", "dave"] {
        add_member(a, &alice.token, "town", user).await;
    }
    // Carol and Bob are online (on either instance); Dave is not.
    let mut carol_ws = b.connect(&carol.token).await;
    carol_ws.ping().await;
    let mut bob_ws = a.connect(&bob.token).await;
    bob_ws.ping().await;

    let here = say(a, &alice, "town", "@here the build is green", None).await;
    let mut mentioned = ids(&here, "mentions");
    mentioned.sort();
    let mut online = vec![bob.user.id.to_string(), carol.user.id.to_string()];
    online.sort();
    assert_eq!(
        mentioned, online,
        "@here: the members online, never the sender"
    );
    assert_eq!(here.get("everyone"), None);
    let (_, mention, _, notify) = activity(&mut carol_ws, "town").await;
    assert!(mention && notify);
    assert_eq!(room_of(b, &dave, "town").await.mentions, 0);

    let all = say(b, &alice, "town", "@channel all hands at 3", None).await;
    assert_eq!(all["everyone"], json!(true));
    assert!(ids(&all, "mentions").is_empty(), "every member, not listed");
    assert_eq!(room_of(a, &dave, "town").await.mentions, 1);
    assert_eq!(
        room_of(a, &alice, "town").await.mentions,
        0,
        "not the sender"
    );
    let (_, mention, _, _) = activity(&mut carol_ws, "town").await;
    assert!(mention);

    // A group mentions its members who can read the room, no one else.
    let (status, group) = post(
        a,
        "/api/groups",
        Some(&bob.token),
        json!({"name": "design", "members": ["carol", dave.user.id], "description": "Pixels"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    assert_eq!(group["members"].as_array().unwrap().len(), 2);
    create_room(a, &alice.token, "studio", "private").await;
    add_member(a, &alice.token, "studio", "carol").await;
    let studio = say(b, &alice, "studio", "@design new mockups", None).await;
    assert_eq!(ids(&studio, "mentions"), [carol.user.id.to_string()]);
    let town = say(b, &alice, "town", "@design review please", None).await;
    assert_eq!(ids(&town, "mentions").len(), 2);

    // Names are one namespace; broad mentions are nobody's name.
    let (status, _) = post(a, "/api/groups", Some(&bob.token), json!({"name": "Carol"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post(a, "/api/groups", Some(&bob.token), json!({"name": "here"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(
        a,
        "/api/auth/register",
        None,
        json!({"username": "DESIGN", "password": "password-123"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = post(
        a,
        "/api/groups",
        Some(&bob.token),
        json!({"name": "ghosts", "members": ["nobody-at-all"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Its maker or an admin changes it; the list shows it.
    let path = format!("/api/groups/{}", group["id"].as_str().unwrap());
    let (status, _) = crate::common::patch(b, &path, &carol.token, json!({"members": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, changed) =
        crate::common::patch(b, &path, &bob.token, json!({"members": ["carol"]})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, list) = get(a, "/api/groups", &dave.token).await;
    assert_eq!(list["groups"][0]["name"], "design");
    assert_eq!(list["groups"][0]["members"][0]["name"], "carol");
    let (status, _) = delete(a, &path, &bob.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// Levels, muting and do-not-disturb decide `notify`; counts still move.
async fn levels_and_dnd(a: &TestServer, b: &TestServer) {
    let erin = a.register("erin").await;
    let finn = b.register("finn").await;
    create_room(a, &erin.token, "ops", "public").await;
    add_member(a, &erin.token, "ops", "finn").await;
    let mut finn_ws = b.connect(&finn.token).await;
    finn_ws.ping().await;
    let mut finn_other = a.connect(&finn.token).await;
    finn_other.ping().await;
    assert_eq!(
        room_of(b, &finn, "ops").await.notifications,
        protocol::NotificationLevel::Mentions,
        "rooms notify of mentions until told otherwise"
    );

    say(a, &erin, "ops", "plain", None).await;
    assert!(!activity(&mut finn_ws, "ops").await.3);
    let (status, set) = put(
        a,
        "/api/rooms/ops/notifications",
        &finn.token,
        json!({"level": "all"}),
    )
    .await;
    assert_eq!(
        (status, set["level"].as_str()),
        (StatusCode::OK, Some("all"))
    );
    // Both of Finn's connections hear it, on either instance.
    for ws in [&mut finn_ws, &mut finn_other] {
        ws.next_matching(|f| matches!(f, ServerFrame::Notifications(n) if n.room == "ops"))
            .await;
    }
    say(a, &erin, "ops", "plain again", None).await;
    assert!(
        activity(&mut finn_ws, "ops").await.3,
        "level all: every message"
    );

    put(
        a,
        "/api/rooms/ops/notifications",
        &finn.token,
        json!({"level": "mentions"}),
    )
    .await;
    say(b, &erin, "ops", "plain once more", None).await;
    let (_, mention, _, notify) = activity(&mut finn_ws, "ops").await;
    assert!(
        !mention && !notify,
        "mentions: a plain message does not notify"
    );
    say(b, &erin, "ops", "@finn look", None).await;
    assert!(activity(&mut finn_ws, "ops").await.3);
    assert_eq!(
        room_of(b, &finn, "ops").await.unread,
        4,
        "the count still moves"
    );

    // Do-not-disturb: a pause holds everything, ending it lets mentions through.
    let until = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let until = until
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, dnd) = put(b, "/api/users/me/dnd", &finn.token, json!({"until": until})).await;
    assert_eq!(status, StatusCode::OK, "{dnd}");
    assert!(dnd["quiet_from"].is_string() && dnd["quiet_until"].is_string());
    finn_ws
        .next_matching(|f| matches!(f, ServerFrame::Dnd(d) if d.until.is_some()))
        .await;
    say(a, &erin, "ops", "@finn urgent?", None).await;
    let (_, mention, _, notify) = activity(&mut finn_ws, "ops").await;
    assert!(mention && !notify, "paused");
    let (status, _) = put(a, "/api/users/me/dnd", &finn.token, json!({"until": null})).await;
    assert_eq!(status, StatusCode::OK);
    finn_ws
        .next_matching(|f| matches!(f, ServerFrame::Dnd(d) if d.until.is_none()))
        .await;
    say(a, &erin, "ops", "@finn now?", None).await;
    assert!(activity(&mut finn_ws, "ops").await.3);
    // Quiet hours round the clock but a minute: quiet now, whatever the hour.
    let now = time::OffsetDateTime::now_utc();
    let start = format!("{:02}:{:02}", now.hour(), now.minute());
    let end_minute =
        (u32::from(now.hour()) * 60 + u32::from(now.minute()) + 24 * 60 - 1) % (24 * 60);
    let end = format!("{:02}:{:02}", end_minute / 60, end_minute % 60);
    let (status, dnd) = put(
        a,
        "/api/users/me/dnd",
        &finn.token,
        json!({"schedule": {"start": start, "end": end}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dnd}");
    finn_ws
        .next_matching(|f| matches!(f, ServerFrame::Dnd(d) if d.schedule.is_some()))
        .await;
    say(b, &erin, "ops", "@finn tonight?", None).await;
    assert!(!activity(&mut finn_ws, "ops").await.3, "quiet hours");
    // A user's first connection reads their levels and do-not-disturb
    // from the store: Gia set both before she ever connected.
    let gia = a.register("gia").await;
    add_member(a, &erin.token, "ops", "gia").await;
    let (status, _) = put(
        a,
        "/api/rooms/ops/notifications",
        &gia.token,
        json!({"level": "all"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let until = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let until = until
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, _) = put(a, "/api/users/me/dnd", &gia.token, json!({"until": until})).await;
    assert_eq!(status, StatusCode::OK);
    let mut gia_ws = b.connect(&gia.token).await;
    gia_ws.ping().await;
    say(a, &erin, "ops", "plain, to a paused reader", None).await;
    assert!(
        !activity(&mut gia_ws, "ops").await.3,
        "paused before connecting"
    );
    put(a, "/api/users/me/dnd", &gia.token, json!({"until": null})).await;
    gia_ws
        .next_matching(|f| matches!(f, ServerFrame::Dnd(d) if d.until.is_none()))
        .await;
    say(a, &erin, "ops", "plain, to a reader of all", None).await;
    assert!(
        activity(&mut gia_ws, "ops").await.3,
        "level all, set before connecting"
    );
    let (status, _) = put(
        a,
        "/api/users/me/dnd",
        &finn.token,
        json!({"schedule": {"start": "25:00", "end": "08:00"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = put(
        a,
        "/api/rooms/ops/notifications",
        &finn.token,
        json!({"level": "loud"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = put(
        a,
        "/api/rooms/general/notifications",
        &erin.token,
        json!({"level": "none"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a member");
}

#[tokio::test]
async fn attention_across_instances_on_postgres() {
    let c = cluster_with(&FAST).await;
    broad_mentions_and_groups(&c.a, &c.b).await;
    levels_and_dnd(&c.a, &c.b).await;
    followed_threads_and_saved(&c.a, &c.b).await;
}

#[tokio::test]
async fn attention_on_sqlite() {
    let server = TestServer::start(&FAST);
    broad_mentions_and_groups(&server, &server).await;
    levels_and_dnd(&server, &server).await;
    followed_threads_and_saved(&server, &server).await;
}

#[tokio::test]
async fn only_moderators_mention_everyone_in_a_room_of_more_than_fifty() {
    let c = cluster_with(&FAST).await;
    let owner = c.a.register("owner").await;
    let plain = c.b.register("plain").await;
    create_room(&c.a, &owner.token, "big", "public").await;
    add_member(&c.a, &owner.token, "big", "plain").await;
    for i in 0..48 {
        let server = if i % 2 == 0 { &c.a } else { &c.b };
        server.register(&format!("member{i}")).await;
        add_member(server, &owner.token, "big", &format!("member{i}")).await;
    }
    // Fifty members: anyone may.
    say(&c.b, &plain, "big", "@here quick one", None).await;
    c.a.register("member48").await;
    add_member(&c.a, &owner.token, "big", "member48").await;
    // Fifty-one: a plain member is refused, on the socket and over HTTP.
    let mut ws = c.b.connect(&plain.token).await;
    ws.join("big", None).await;
    for body in ["@channel hello", "@all hello", "@here hello"] {
        let refused = ws
            .ask(protocol::ClientFrame::Send {
                room: "big".into(),
                client_msg_id: uuid::Uuid::new_v4(),
                body: body.into(),
                thread: None,
                attachments: Vec::new(),
            })
            .await;
        assert_eq!(refused, Err(protocol::ErrorCode::Forbidden), "{body}");
    }
    let (status, body) = post(
        &c.a,
        "/api/rooms/big/messages",
        Some(&plain.token),
        json!({"body": "@channel hello"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // A plain @name still goes; the owner may mention everyone.
    say(&c.a, &plain, "big", "@owner thanks", None).await;
    let all = say(&c.a, &owner, "big", "@channel welcome, all 51", None).await;
    assert_eq!(all["everyone"], json!(true));
    // So may a moderator.
    let (status, _) = put(
        &c.a,
        "/api/rooms/big/members/plain",
        &owner.token,
        json!({"role": "moderator"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    say(&c.b, &plain, "big", "@all thanks", None).await;
}
