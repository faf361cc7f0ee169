//! Attacks from outside against a real server process, each of which once
//! worked: squatting an admin's name, mass sign-ups, flooding the password
//! hasher so nobody else can sign in, reviving a disabled account's sessions,
//! a room too full to join, a flood of typing. (Holding HTTP connections
//! open: `http_limits.rs`.)

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{client_from, error_code, post, TestServer};
use reqwest::StatusCode;
use serde_json::json;

async fn register_from(server: &TestServer, n: u8, name: &str) -> (StatusCode, serde_json::Value) {
    let response = client_from(n)
        .post(server.http("/api/auth/register"))
        .json(&json!({"username": name, "password": "password-123"}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

/// Logs `name` in from `127.0.0.N`.
async fn login_from(server: &TestServer, n: u8, name: &str, password: &str) -> reqwest::Response {
    client_from(n)
        .post(server.http("/api/auth/login"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap()
}

/// Creates an admin with `confab admin create` and signs in as them.
async fn create_admin(server: &TestServer, name: &str) -> protocol::AuthResponse {
    let (ok, said) = admin_command(server, &["create", name], "admin-password-1\n");
    assert!(ok, "{said}");
    let login = login_from(server, 1, name, "admin-password-1").await;
    assert_eq!(login.status(), 200);
    login.json().await.unwrap()
}

/// Runs `confab admin …` against the server's store; answers success and
/// what it printed.
fn admin_command(server: &TestServer, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--data-dir")
        .arg(server.data.path())
        .arg("admin")
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

async fn can_make_invites(server: &TestServer, token: &str) -> bool {
    let (status, _) = post(server, "/api/admin/invites", Some(token), json!({})).await;
    status == StatusCode::CREATED || status == StatusCode::OK
}

#[tokio::test]
async fn admins_are_made_by_the_operator_command_never_by_registering() {
    let server = TestServer::start(&[]);
    // The operator creates the first admin beside the running server.
    let root = create_admin(&server, "root").await;
    assert!(can_make_invites(&server, &root.token).await);

    // A name taken over sign-up is no admin, and `create` will not take it.
    let mallory = server.register("ops").await;
    assert!(!can_make_invites(&server, &mallory.token).await);
    let (ok, said) = admin_command(&server, &["create", "ops"], "ops-password-1\n");
    assert!(!ok && said.contains("taken"), "{said}");
    assert!(!can_make_invites(&server, &mallory.token).await);

    // Promote and demote take effect at once, without a restart.
    let bob = server.register("bob").await;
    assert!(admin_command(&server, &["promote", "bob"], "").0);
    assert!(can_make_invites(&server, &bob.token).await);
    assert!(admin_command(&server, &["demote", "bob"], "").0);
    assert!(!can_make_invites(&server, &bob.token).await);

    // Bad input gets a clear refusal.
    let (ok, said) = admin_command(&server, &["create", "x y"], "password-123\n");
    assert!(!ok && said.contains("username"), "{said}");
    let (ok, said) = admin_command(&server, &["create", "carol"], "short\n");
    assert!(!ok && said.contains("password"), "{said}");
    let (ok, said) = admin_command(&server, &["promote", "nobody"], "");
    assert!(!ok && said.contains("no account"), "{said}");
}

#[tokio::test]
async fn sign_ups_are_throttled_per_network_and_in_total() {
    let server = TestServer::start(&["--signups-per-network", "3", "--signups-per-hour", "8"]);
    // One address: three, then 429.
    for i in 0..3 {
        let (status, _) = register_from(&server, 2, &format!("a{i}")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = register_from(&server, 2, "a3").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&body), "rate_limited");
    // Spread over addresses, the total holds: 5 more, then nobody.
    for n in 3..8u8 {
        let (status, _) = register_from(&server, n, &format!("b{n}")).await;
        assert_eq!(status, StatusCode::CREATED, "from 127.0.0.{n}");
    }
    for n in 8..12u8 {
        let (status, _) = register_from(&server, n, &format!("c{n}")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "from 127.0.0.{n}");
    }
    // Those who have accounts still sign in.
    let login = login_from(&server, 2, "a0", "password-123").await;
    assert_eq!(login.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_password_checks_is_refused_at_once_instead_of_queued() {
    let server = TestServer::start(&["--max-password-queue", "4"]);
    // 120 logins at once, for names that do not exist (each still costs a
    // hash), from addresses spread so the per-address throttle stays out
    // of it.
    let clients: Vec<_> = (0..120u8).map(|i| client_from(20 + i)).collect();
    let started = std::time::Instant::now();
    let flood: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            let url = server.http("/api/auth/login");
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .json(&json!({"username": format!("ghost{i}"), "password": "password-123"}))
                    .send()
                    .await
                    .unwrap();
                (response.status(), started.elapsed())
            })
        })
        .collect();
    let mut busy = 0;
    let mut slowest = std::time::Duration::ZERO;
    for task in flood {
        let (status, took) = task.await.unwrap();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
        busy += usize::from(status == StatusCode::SERVICE_UNAVAILABLE);
        slowest = slowest.max(took);
    }
    println!("flood of 120 logins: {busy} refused as busy, slowest answer {slowest:?}");
    assert!(
        busy >= 20,
        "at most cores + 4 wait for a hash: {busy} refused"
    );
    // Once it passes, a real user signs in as usual.
    let alice = server.register("alice").await;
    assert!(!alice.token.is_empty());
}

#[tokio::test]
async fn a_disabled_account_enabled_again_gets_none_of_its_old_sessions_back() {
    let server = TestServer::start(&[]);
    let root = create_admin(&server, "root").await;
    // The stolen token of a compromised account.
    let stolen = server.register("mallory").await;
    let rooms = |token: String| {
        let url = server.http("/api/rooms");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(rooms(stolen.token.clone()).await, StatusCode::OK);
    for action in ["disable", "enable"] {
        let (status, _) = post(
            &server,
            &format!("/api/admin/users/mallory/{action}"),
            Some(&root.token),
            json!({}),
        )
        .await;
        assert!(status.is_success(), "{action}: {status}");
    }
    assert_eq!(rooms(stolen.token.clone()).await, StatusCode::UNAUTHORIZED);
    // The owner signs in afresh.
    let login = login_from(&server, 1, "mallory", "password-123").await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn a_room_with_more_people_online_than_a_queue_holds_can_still_be_joined() {
    use protocol::ServerFrame;
    // 120 online against a queue of 64 frames: one `presence` frame per
    // online user used to overflow the joiner's queue before `joined` was
    // read (1008, every joiner, every reconnect).
    // Everyone listed: presence for all up to 1,000 online.
    let server = TestServer::start(&[
        "--outbound-queue",
        "64",
        "--signups-per-network",
        "1000",
        "--presence-for-all",
        "1000",
    ]);
    let mut online = Vec::new();
    for i in 0..120 {
        let (_, client) = server.user_in_general(&format!("u{i}")).await;
        online.push(client);
    }
    let newcomer = server.register("newcomer").await;
    let mut socket = server.connect(&newcomer.token).await;
    let joined = socket.join("general", None).await;
    assert!(matches!(joined, ServerFrame::Joined { .. }), "{joined:?}");
    let listed = socket
        .next_matching(|f| matches!(f, ServerFrame::Online { .. }))
        .await;
    let ServerFrame::Online { users, count, .. } = listed else {
        unreachable!()
    };
    assert!(count >= 121, "everyone online, the newcomer too: {count}");
    assert_eq!(users.len(), count as usize);
    // The connection is still good.
    socket.send_text("general", "hello, everyone").await;
    socket
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
}

#[tokio::test]
async fn a_burst_of_typing_reaches_the_room_once() {
    use protocol::{ClientFrame, ServerFrame};
    let server = TestServer::start(&[]);
    let (_, mut alice) = server.user_in_general("alice").await;
    let (_, mut bob) = server.user_in_general("bob").await;
    for _ in 0..10 {
        bob.send_frame(
            ClientFrame::Typing {
                room: "general".into(),
            },
            None,
        )
        .await;
    }
    bob.send_text("general", "done typing").await;
    let mut typing = 0;
    loop {
        match alice.next().await {
            ServerFrame::Typing { .. } => typing += 1,
            ServerFrame::Message(m) if m.body == "done typing" => break,
            _ => {}
        }
    }
    // The message can overtake the gathered typing frames: give them their
    // window to arrive.
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
    while let Ok(event) = tokio::time::timeout_at(until, alice.next_event()).await {
        if let crate::common::Event::Frame(ServerFrame::Typing { .. }) = event {
            typing += 1;
        }
    }
    assert!(
        (1..=2).contains(&typing),
        "10 typing frames became {typing}"
    );
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_by_bytes_and_leaves_as_a_leave_would() {
    use protocol::{close_code, ServerFrame};
    // A frame count nobody reaches: only the byte bound can cut it off.
    let unlimited = "100000";
    let server = TestServer::start(&[
        "--outbound-queue",
        "1000000",
        "--outbound-queue-bytes",
        "65536",
        "--rate-per-sec",
        unlimited,
        "--rate-burst",
        unlimited,
        "--user-rate-per-sec",
        unlimited,
        "--user-rate-burst",
        unlimited,
    ]);
    let (_, mut slow) = server.user_in_general("slow").await;
    let sender_auth = server.register("sender").await;
    let mut sender = server.connect(&sender_auth.token).await;
    let body = "z".repeat(3500);
    let mut sent = 0;
    while server.metric("confab_slow_consumers_total").await < 1.0 {
        // 28 MB: far past what the kernel's socket buffers hold.
        assert!(
            sent < 8_000,
            "never cut off: its queue grew without a bound in bytes"
        );
        sent += sender.send_acked("general", &body, 200).await.len();
    }
    println!("never-reading client cut off after {sent} messages of 3.5 KB");
    assert_eq!(slow.close_code().await, Some(close_code::POLICY));
    // The room holds nothing of it: whoever joins now does not see it online.
    let newcomer = server.register("newcomer").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut probe = server.connect(&newcomer.token).await;
        probe.join("general", None).await;
        let ServerFrame::Online { users, .. } = probe
            .next_matching(|f| matches!(f, ServerFrame::Online { .. }))
            .await
        else {
            unreachable!()
        };
        if !users.iter().any(|u| u.name == "slow") {
            assert!(users.iter().any(|u| u.name == "newcomer"));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still online: {users:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
