//! Search and opening a room at a message, over HTTP against a real server:
//! matches marked as plain-text pieces (markup in a body stays text), clear
//! errors for bad searches, rooms the caller cannot read refused, and
//! `history` around a `seq`.

use protocol::{Entry, MessagesPage, SearchResults};

use crate::common::{create_room, error_code, get, TestServer};

#[tokio::test]
async fn search_over_http_marks_matches_as_text_and_keeps_rooms_private() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    a.send_acked(
        "general",
        "<b onmouseover=x>Deploy</b> failed, deploy again",
        1,
    )
    .await;
    a.send_acked("general", "nothing to see", 1).await;
    create_room(&server, &alice.token, "ops", "private").await;
    a.join("ops", None).await;
    a.send_acked("ops", "deploy the private plan", 1).await;

    let (status, body) = get(&server, "/api/search?q=DEPLOY", &bob.token).await;
    assert_eq!(status, 200, "{body}");
    let found: SearchResults = serde_json::from_value(body).unwrap();
    assert_eq!(found.results.len(), 1, "bob cannot read ops");
    let hit = &found.results[0];
    assert_eq!(hit.message.room, "general");
    let marked: Vec<(&str, bool)> = hit
        .highlight
        .iter()
        .map(|p| (p.text.as_str(), p.mark))
        .collect();
    assert_eq!(
        marked,
        [
            ("<b onmouseover=x>", false),
            ("Deploy", true),
            ("</b> failed, ", false),
            ("deploy", true),
            (" again", false)
        ]
    );

    let (_, body) = get(&server, "/api/search?q=deploy", &alice.token).await;
    let found: SearchResults = serde_json::from_value(body).unwrap();
    let rooms: Vec<&str> = found
        .results
        .iter()
        .map(|h| h.message.room.as_str())
        .collect();
    assert_eq!(rooms, ["ops", "general"], "newest first");

    let (status, body) = get(&server, "/api/search?q=deploy&room=ops", &bob.token).await;
    assert_eq!(status, 403, "{body}");
    for bad in [
        "/api/search?q=",
        "/api/search?q=%20--%20",
        "/api/search?q=x&limit=0",
    ] {
        let (status, body) = get(&server, bad, &bob.token).await;
        assert_eq!(
            (status.as_u16(), error_code(&body)),
            (400, "invalid"),
            "{bad}"
        );
    }
    let (status, _) = reqwest::Client::new()
        .get(server.http("/api/search?q=deploy"))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, 401);
}

#[tokio::test]
async fn history_around_a_seq_holds_it_in_the_middle() {
    let server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    for n in 1..=20 {
        a.send_acked("general", &format!("m{n}"), 1).await;
    }
    let seqs = |page: MessagesPage| -> Vec<u64> { page.messages.iter().map(Entry::seq).collect() };
    let page = |query: &'static str| {
        let server = &server;
        let token = alice.token.clone();
        async move {
            let (status, body) = get(
                server,
                &format!("/api/rooms/general/messages?{query}"),
                &token,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_value::<MessagesPage>(body).unwrap()
        }
    };
    assert_eq!(seqs(page("around=10&limit=5").await), [8, 9, 10, 11, 12]);
    assert_eq!(seqs(page("around=1&limit=4").await), [1, 2, 3, 4]);
    assert_eq!(seqs(page("around=20&limit=4").await), [17, 18, 19, 20]);
    let (status, body) = get(
        &server,
        "/api/rooms/general/messages?around=3&after=2",
        &alice.token,
    )
    .await;
    assert_eq!((status.as_u16(), error_code(&body)), (400, "invalid"));
}
