//! Access control across instances: login throttling, removing a member,
//! disabling an account, and per-user connection and message limits hold on
//! every instance at once.

use crate::common::cluster::cluster_with;
use crate::common::{cluster::cluster, TestServer};
use protocol::{ClientFrame, ServerFrame};

#[tokio::test]
async fn login_throttling_holds_across_instances() {
    let c = cluster().await;
    c.a.register("alice").await;
    let login = |server: &TestServer, password: &str| {
        let url = server.http("/api/auth/login");
        let body = serde_json::json!({"username": "alice", "password": password});
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for server in [&c.a, &c.b, &c.a, &c.b, &c.a] {
        assert_eq!(login(server, "wrong-password").await, 401);
    }
    assert_eq!(
        login(&c.b, "password-123").await,
        429,
        "five failures over two instances"
    );
}

#[tokio::test]
async fn removing_a_member_stops_delivery_to_all_their_connections() {
    let c = cluster().await;
    let alice = c.a.register("alice").await;
    let bob = c.a.register("bob").await;
    let http = reqwest::Client::new();
    let created = http
        .post(c.a.http("/api/rooms"))
        .bearer_auth(&alice.token)
        .json(&serde_json::json!({"name": "ops", "kind": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let added = http
        .post(c.a.http("/api/rooms/ops/members"))
        .bearer_auth(&alice.token)
        .json(&serde_json::json!({"user": "bob"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let mut owner = c.a.connect(&alice.token).await;
    owner.join("ops", None).await;
    // Bob has two tabs on A and one on B.
    let mut tabs = Vec::new();
    for server in [&c.a, &c.a, &c.b] {
        let mut tab = server.connect(&bob.token).await;
        assert!(matches!(
            tab.join("ops", None).await,
            ServerFrame::Joined { .. }
        ));
        tabs.push(tab);
    }
    owner.send_text("ops", "before").await;
    for tab in &mut tabs {
        tab.next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "before"))
            .await;
    }
    let removed = http
        .delete(c.b.http("/api/rooms/ops/members/bob"))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    for tab in &mut tabs {
        tab.next_matching(|f| {
            matches!(
                f,
                ServerFrame::Error {
                    code: protocol::ErrorCode::Forbidden,
                    ..
                }
            )
        })
        .await;
    }
    for i in 0..3 {
        owner.send_text("ops", &format!("after {i}")).await;
    }
    owner
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "after 2"))
        .await;
    for tab in &mut tabs {
        tab.send_frame(ClientFrame::Ping, Some("check")).await;
        loop {
            match tab.next().await {
                ServerFrame::Pong { .. } => break,
                ServerFrame::Message(m) => panic!("delivered after removal: {}", m.body),
                _ => {}
            }
        }
    }
    // And every way back in is refused.
    let tab = &mut tabs[0];
    tab.send_text("ops", "let me in").await;
    tab.next_matching(|f| {
        matches!(
            f,
            ServerFrame::Error {
                code: protocol::ErrorCode::Forbidden,
                ..
            }
        )
    })
    .await;
    let rejoin = tab.join("ops", None).await;
    assert!(
        matches!(
            rejoin,
            ServerFrame::Error {
                code: protocol::ErrorCode::Forbidden,
                ..
            }
        ),
        "{rejoin:?}"
    );
    let history = http
        .get(c.b.http("/api/rooms/ops/messages"))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), 403);
}

#[tokio::test]
async fn disabling_a_user_closes_their_sockets_on_every_instance() {
    let mut c = cluster_with(&["--admins", "root"]).await;
    let root = c.a.register("root").await;
    let mallory = c.a.register("mallory").await;
    // --admins names accounts that exist when an instance starts.
    c.a.restart();
    let mut on_a = c.a.connect(&mallory.token).await;
    let mut on_b = c.b.connect(&mallory.token).await;
    let disabled = reqwest::Client::new()
        .post(c.a.http("/api/admin/users/mallory/disable"))
        .bearer_auth(&root.token)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 204);
    for socket in [&mut on_a, &mut on_b] {
        assert_eq!(
            socket.close_code().await,
            Some(protocol::close_code::TOKEN_EXPIRED)
        );
    }
    // B had found the token valid a moment ago (and remembers such things for
    // a few seconds): the word from A made it forget.
    for server in [&c.a, &c.b] {
        assert_eq!(
            server.try_connect(&mallory.token).await.err(),
            Some(401),
            "refused on every instance at once"
        );
    }
}

#[tokio::test]
async fn limits_hold_when_one_user_spreads_over_two_instances() {
    let c = cluster_with(&[
        "--user-rate-per-sec",
        "0.1",
        "--user-rate-burst",
        "4",
        "--max-conns-per-user",
        "3",
    ])
    .await;
    let alice = c.a.register("alice").await;
    let mut on_a = c.a.connect(&alice.token).await;
    let mut on_b = c.b.connect(&alice.token).await;
    on_a.join("general", None).await;
    on_b.join("general", None).await;
    // Four messages, two through each instance: the one burst of four.
    for i in 0..2 {
        on_a.send_acked("general", &format!("a{i}"), 1).await;
        on_b.send_acked("general", &format!("b{i}"), 1).await;
    }
    for socket in [&mut on_a, &mut on_b] {
        socket.send_text("general", "one too many").await;
        socket
            .next_matching(|f| {
                matches!(
                    f,
                    ServerFrame::Error {
                        code: protocol::ErrorCode::RateLimited,
                        ..
                    }
                )
            })
            .await;
    }
    // Three connections in all, wherever they are.
    let _third = c.b.connect(&alice.token).await;
    assert_eq!(c.a.try_connect(&alice.token).await.err(), Some(429));
    assert_eq!(c.b.try_connect(&alice.token).await.err(), Some(429));
    drop(on_a);
    let mut admitted = false;
    for _ in 0..50 {
        if c.a.try_connect(&alice.token).await.is_ok() {
            admitted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        admitted,
        "a closed connection frees its slot on every instance"
    );
}

/// A Redis too slow for a connect's admission check (paused past its 100 ms
/// deadline) does not cost the user a slot: the connection is admitted on
/// the instance alone, and what the late answer counted in Redis is given
/// back, so once it closes the user may open as many as before.
#[tokio::test]
async fn an_admission_answered_late_leaves_no_slot_taken() {
    let c = cluster_with(&["--max-conns-per-user", "2"]).await;
    let alice = c.a.register("alice").await;
    c.redis.pause(true);
    let resume = tokio::spawn(async {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    });
    let late = c.a.try_connect(&alice.token).await;
    resume.await.unwrap();
    c.redis.pause(false);
    let late = late.expect("admitted on the instance alone while Redis is slow");
    drop(late);
    // Both slots come back once the socket's close and the late answer's
    // give-back are through: two connections, on either instance.
    let mut both = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let first = c.a.try_connect(&alice.token).await;
        let second = c.b.try_connect(&alice.token).await;
        if first.is_ok() && second.is_ok() {
            both = true;
            break;
        }
    }
    assert!(both, "a slow Redis left one of alice's two slots taken");
}
