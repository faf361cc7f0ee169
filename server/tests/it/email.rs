//! E-mail for what was missed (v3, beyond the tab), through a real SMTP
//! server on loopback (`tests/support/smtp_sink.py`, aiosmtpd): three
//! mentions still unread after the user's delay arrive as one digest with a
//! link to each; mentions read in time, and a muted room's, are never
//! mailed; the digest's unsubscribe link stops the mails.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::python::PythonHelper;
use crate::common::{get, put, Client, TestServer};

/// The SMTP server, for as long as the test holds it.
struct SmtpSink {
    _helper: PythonHelper,
    smtp: u16,
    http: u16,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let helper = PythonHelper::start("smtp_sink.py");
        SmtpSink {
            smtp: helper.ports[0],
            http: helper.ports[1],
            _helper: helper,
        }
    }

    async fn messages(&self) -> Vec<Value> {
        let url = format!("http://127.0.0.1:{}/messages", self.http);
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// Waits (at most fifteen seconds) for a mail to `to`.
    async fn wait_for(&self, to: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mails = self.messages().await;
            if let Some(mail) = mails.iter().find(|m| m["to"] == json!([to])) {
                return mail.clone();
            }
            assert!(Instant::now() < deadline, "no mail to {to}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Registers `name`, connected and in #general, mailed after `delay_secs`.
async fn member(server: &TestServer, name: &str, delay_secs: u32) -> (String, Client) {
    let (auth, client) = server.user_in_general(name).await;
    let settings =
        json!({"email": format!("{name}@example.com"), "delay_secs": delay_secs, "on": true});
    let (status, set) = put(server, "/api/users/me/email", &auth.token, settings.clone()).await;
    assert_eq!((status, set), (StatusCode::OK, settings));
    (auth.token, client)
}

#[tokio::test]
async fn unread_mentions_are_mailed_once_in_one_digest_and_read_ones_never() {
    let sink = SmtpSink::start();
    let smtp = format!("smtp://127.0.0.1:{}", sink.smtp);
    let server = TestServer::start(&[
        "--smtp-url",
        &smtp,
        "--email-from",
        "Confab <confab@example.com>",
        "--public-url",
        "https://chat.example.com",
        "--email-min-delay-secs",
        "1",
    ]);
    let (_, mut alice) = server.user_in_general("alice").await;
    let (bob, _bob_tab) = member(&server, "bob", 2).await;
    let (_, mut dave) = member(&server, "dave", 2).await;
    let (gina, _gina_tab) = member(&server, "gina", 2).await;
    let mute = put(
        &server,
        "/api/rooms/general/mute",
        &gina,
        json!({"muted": true}),
    );
    assert_eq!(mute.await.0, StatusCode::NO_CONTENT);

    let mut seqs = Vec::new();
    for text in [
        "@bob the deploy broke",
        "@bob it is back",
        "@bob and @dave @gina: retro at 3",
    ] {
        seqs.push(alice.say("general", text).await);
    }
    // Dave reads in time.
    dave.send_frame(
        protocol::ClientFrame::Read {
            room: "general".into(),
            seq: seqs[2],
        },
        None,
    )
    .await;
    dave.ping().await;

    let mail = sink.wait_for("bob@example.com").await;
    assert_eq!(mail["subject"], json!("You missed 3 messages on Confab"));
    assert_eq!(mail["from"], json!("confab@example.com"));
    let text = mail["text"].as_str().unwrap();
    for (seq, body) in seqs
        .iter()
        .zip(["the deploy broke", "it is back", "retro at 3"])
    {
        assert!(text.contains(body), "{body} in {text}");
        assert!(
            text.contains(&format!("https://chat.example.com/?at={seq}&msg=")),
            "{text}"
        );
    }
    assert!(mail["html"].as_str().unwrap().contains("Open it in Confab"));
    let unsubscribe = mail["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert!(
        unsubscribe.starts_with("<https://chat.example.com/api/email/unsubscribe?token="),
        "{unsubscribe}"
    );
    assert_eq!(
        mail["headers"]["List-Unsubscribe-Post"],
        json!("List-Unsubscribe=One-Click")
    );

    // A later mention of Erin, due after Dave's and Gina's were, comes
    // alone: Dave read his, Gina muted the room, Bob's came once.
    let (_, _erin_tab) = member(&server, "erin", 2).await;
    alice.say("general", "@erin welcome").await;
    sink.wait_for("erin@example.com").await;
    let to: Vec<Value> = sink
        .messages()
        .await
        .iter()
        .map(|m| m["to"].clone())
        .collect();
    assert_eq!(
        to,
        vec![json!(["bob@example.com"]), json!(["erin@example.com"])]
    );

    // The link stops Bob's mails: asked first, then done.
    let link = unsubscribe.trim_matches(|c| c == '<' || c == '>');
    let link = link.replace("https://chat.example.com", &server.http(""));
    let asked = reqwest::get(&link).await.unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("Stop these mails"));
    let (_, before) = get(&server, "/api/users/me/email", &bob).await;
    assert_eq!(before["on"], json!(true), "opening the link stops nothing");
    let stopped = reqwest::Client::new()
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), StatusCode::OK);
    let (_, after) = get(&server, "/api/users/me/email", &bob).await;
    assert_eq!(after["on"], json!(false));
    let forged = reqwest::Client::new()
        .post(server.http("/api/email/unsubscribe?token=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn settings_are_checked() {
    let sink = SmtpSink::start();
    let smtp = format!("smtp://127.0.0.1:{}", sink.smtp);
    let server = TestServer::start(&["--smtp-url", &smtp, "--public-url", "https://c.example"]);
    let bob = server.register("bob").await;
    let (status, got) = get(&server, "/api/users/me/email", &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, json!({"email": null, "delay_secs": 900, "on": true}));
    for (body, want) in [
        (
            json!({"email": "not an address", "delay_secs": 900, "on": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"email": "b@example.com", "delay_secs": 10, "on": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"email": "b@example.com", "delay_secs": 100000, "on": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"email": format!("{}@example.com", "b".repeat(300)), "delay_secs": 900, "on": true}),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            json!({"email": "b@example.com", "delay_secs": 900, "on": true, "x": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "b@example.com", "delay_secs": 900.5, "on": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A whole number written as a float is that number (JSON Schema's
        // integer).
        (
            json!({"email": "b@example.com", "delay_secs": 1800.0, "on": true}),
            StatusCode::OK,
        ),
    ] {
        let (status, answer) = put(&server, "/api/users/me/email", &bob.token, body.clone()).await;
        assert_eq!(status, want, "{body}: {answer}");
    }
    // Without a mail server, there are no settings.
    let plain = TestServer::start(&[]);
    let carol = plain.register("carol").await;
    let (status, _) = get(&plain, "/api/users/me/email", &carol.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
