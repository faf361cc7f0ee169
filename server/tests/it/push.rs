//! Web Push (v3, beyond the tab) against a push service on loopback that
//! checks each request's VAPID signature and decrypts its payload with
//! libraries of its own (`tests/support/push_service.py`: py_vapid,
//! http_ece). Two instances over Redis: a direct message to a user whose
//! only tab is hidden is pushed once to each browser, decrypted to the
//! right room and seq; a visible tab and a muted room get none; `410`
//! drops the subscription; `503` is retried and delivered once.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::cluster_with;
use crate::common::python::PythonHelper;
use crate::common::{get, post, put, Client, TestServer};

/// The push service, for as long as the test holds it.
struct PushService {
    _helper: PythonHelper,
    base: String,
}

impl PushService {
    fn start() -> PushService {
        let helper = PythonHelper::start("push_service.py");
        PushService {
            base: format!("http://127.0.0.1:{}", helper.ports[0]),
            _helper: helper,
        }
    }

    /// A new browser subscription, as the browser would give it.
    async fn subscription(&self, mode: &str) -> Value {
        let url = format!("{}/subscriptions?mode={mode}", self.base);
        let response = reqwest::Client::new().post(url).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// What the service received for `subscription`.
    async fn received(&self, subscription: &Value) -> Value {
        let endpoint = subscription["endpoint"].as_str().unwrap();
        let id = endpoint.rsplit('/').next().unwrap();
        let url = format!("{}/received/{id}", self.base);
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// Waits (at most ten seconds) until `subscription` has `n` pushes.
    async fn wait_pushes(&self, subscription: &Value, n: usize) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received(subscription).await;
            assert_eq!(got["errors"], json!([]), "the service refused a push");
            if got["pushes"].as_array().unwrap().len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn subscribe(server: &TestServer, token: &str, subscription: &Value) -> StatusCode {
    post(
        server,
        "/api/push/subscriptions",
        Some(token),
        subscription.clone(),
    )
    .await
    .0
}

/// Says whether the page is in front, and waits until the server took it.
async fn set_visible(client: &mut Client, visible: bool) {
    let frame = json!({"type": "visible", "visible": visible});
    client.send_raw(&frame.to_string()).await;
    client.ping().await;
}

#[tokio::test]
async fn a_hidden_users_direct_message_is_pushed_once_encrypted_to_each_browser() {
    let service = PushService::start();
    let c = cluster_with(&["--push-allow-hosts", "127.0.0.1"]).await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let carol = c.a.register("carol").await;
    let barrier = service.subscription("ok").await;
    assert_eq!(
        subscribe(&c.a, &carol.token, &barrier).await,
        StatusCode::CREATED
    );

    // One key, made by the first instance, on both.
    let (status, key_a) = get(&c.a, "/api/push/key", &bob.token).await;
    assert_eq!(status, StatusCode::OK);
    let (_, key_b) = get(&c.b, "/api/push/key", &bob.token).await;
    assert_eq!(key_a, key_b, "both instances sign with one key");
    assert_eq!(key_a["key"].as_str().unwrap().len(), 87, "a 65-byte point");

    let ok = service.subscription("ok").await;
    let gone = service.subscription("gone").await;
    let busy = service.subscription("busy-once").await;
    for s in [&ok, &gone, &busy] {
        assert_eq!(subscribe(&c.b, &bob.token, s).await, StatusCode::CREATED);
    }
    let (_, listed) = get(&c.a, "/api/push/subscriptions", &bob.token).await;
    assert_eq!(listed["subscriptions"].as_array().unwrap().len(), 3);

    // Bob's only tab, on instance A, is hidden; Alice writes on B.
    let mut tab = c.a.connect(&bob.token).await;
    set_visible(&mut tab, false).await;
    let (_, dm) = post(&c.b, "/api/dms", Some(&alice.token), json!({"user": "bob"})).await;
    let dm = dm["id"].as_str().unwrap().to_string();
    let mut writer = c.b.connect(&alice.token).await;
    let first = writer.say(&dm, "lunch?").await;

    let got = service.wait_pushes(&ok, 1).await;
    let push = &got["pushes"][0];
    let payload = &push["payload"];
    assert_eq!(payload["room"], json!(dm));
    assert_eq!(payload["seq"], json!(first));
    assert_eq!(payload["body"], json!("lunch?"));
    assert_eq!(payload["title"], json!("alice"));
    assert_eq!(payload["count"], json!(1));
    assert_eq!(push["urgency"], json!("high"));
    assert_eq!(push["ttl"], json!("3600"));
    assert_eq!(push["topic"].as_str().unwrap().len(), 32);
    assert_eq!(push["aud"], json!(service.base));

    // 503 then 201: retried after its Retry-After, delivered once.
    let retried = service.wait_pushes(&busy, 1).await;
    assert_eq!(retried["pushes"][0]["payload"]["seq"], json!(first));
    // 410: the subscription is dropped.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, listed) = get(&c.b, "/api/push/subscriptions", &bob.token).await;
        let endpoints: Vec<&str> = listed["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["endpoint"].as_str().unwrap())
            .collect();
        if !endpoints.contains(&gone["endpoint"].as_str().unwrap()) {
            assert_eq!(endpoints.len(), 2);
            break;
        }
        assert!(Instant::now() < deadline, "a gone subscription is dropped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // In front: nothing pushed. Hidden again: the next one is, counting
    // all three unread. (Carol's push, decided after Bob's by the same
    // instance, tells when Bob's was decided.)
    set_visible(&mut tab, true).await;
    writer.say(&dm, "still there?").await;
    let (_, carols) = post(
        &c.b,
        "/api/dms",
        Some(&alice.token),
        json!({"user": "carol"}),
    )
    .await;
    writer.say(carols["id"].as_str().unwrap(), "hi carol").await;
    service.wait_pushes(&barrier, 1).await;
    set_visible(&mut tab, false).await;
    let third = writer.say(&dm, "ok, going alone").await;
    let got = service.wait_pushes(&ok, 2).await;
    let pushes = got["pushes"].as_array().unwrap();
    assert_eq!(
        pushes.len(),
        2,
        "the one sent while in front was not pushed"
    );
    assert_eq!(pushes[1]["payload"]["seq"], json!(third));
    assert_eq!(pushes[1]["payload"]["count"], json!(3));
    assert_eq!(
        pushes[1]["payload"]["title"],
        json!("3 new messages from alice")
    );

    // Muted: nothing pushed. A mention elsewhere still is (and comes after).
    let mute = format!("/api/rooms/{dm}/mute");
    let (status, _) = put(&c.a, &mute, &bob.token, json!({"muted": true})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    writer.say(&dm, "muted?").await;
    tab.join("general", None).await;
    writer.join("general", None).await;
    let mention = writer.say("general", "@bob see this").await;
    let got = service.wait_pushes(&ok, 3).await;
    let pushes = got["pushes"].as_array().unwrap();
    assert_eq!(pushes.len(), 3, "nothing from the muted room");
    assert_eq!(pushes[2]["payload"]["room"], json!("general"));
    assert_eq!(pushes[2]["payload"]["seq"], json!(mention));

    // Each push went out once: the retried one too, whichever instance
    // stored the message.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy = service.received(&busy).await;
    assert_eq!(busy["pushes"].as_array().unwrap().len(), 3);
    assert_eq!(
        busy["attempts"],
        json!(4),
        "one retry, then one request each"
    );
    let ok = service.received(&ok).await;
    assert_eq!(ok["attempts"], json!(3));
}

#[tokio::test]
async fn subscriptions_are_checked_and_belong_to_their_user() {
    let service = PushService::start();
    let c = cluster_with(&["--push-allow-hosts", "127.0.0.1"]).await;
    let bob = c.a.register("bob").await;
    let carol = c.a.register("carol").await;
    let good = service.subscription("ok").await;
    let bad = |endpoint: &str, p256dh: &str, auth: &str| json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}});
    let keys = &good["keys"];
    let (p256dh, auth) = (
        keys["p256dh"].as_str().unwrap(),
        keys["auth"].as_str().unwrap(),
    );
    for (body, why) in [
        (
            bad("http://push.example/x", p256dh, auth),
            "plain http to a public host",
        ),
        (bad("https://10.0.0.1/x", p256dh, auth), "a private address"),
        (bad("ftp://127.0.0.1/x", p256dh, auth), "no web address"),
        (
            bad(good["endpoint"].as_str().unwrap(), "AAAA", auth),
            "no P-256 key",
        ),
        (
            bad(good["endpoint"].as_str().unwrap(), p256dh, "AAAA"),
            "a short secret",
        ),
    ] {
        let (status, answer) = post(&c.a, "/api/push/subscriptions", Some(&bob.token), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {answer}");
    }
    let long = bad(
        &format!("https://push.example/{}", "x".repeat(3000)),
        p256dh,
        auth,
    );
    let (status, _) = post(&c.a, "/api/push/subscriptions", Some(&bob.token), long).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(
        subscribe(&c.a, &bob.token, &good).await,
        StatusCode::CREATED
    );
    let url = c.a.http("/api/push/subscriptions");
    let forget = |token: String, endpoint: Value| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .delete(url)
                .bearer_auth(token)
                .json(&json!({"endpoint": endpoint}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        forget(carol.token.clone(), good["endpoint"].clone()).await,
        StatusCode::NOT_FOUND,
        "not carol's to remove"
    );
    // The same browser, signed in as Carol, moves to her.
    assert_eq!(
        subscribe(&c.b, &carol.token, &good).await,
        StatusCode::CREATED
    );
    let (_, bobs) = get(&c.a, "/api/push/subscriptions", &bob.token).await;
    assert_eq!(bobs["subscriptions"], json!([]));
    let (_, carols) = get(&c.a, "/api/push/subscriptions", &carol.token).await;
    assert_eq!(carols["subscriptions"][0]["endpoint"], good["endpoint"]);
    assert_eq!(
        forget(carol.token.clone(), good["endpoint"].clone()).await,
        StatusCode::NO_CONTENT
    );
    let (_, carols) = get(&c.a, "/api/push/subscriptions", &carol.token).await;
    assert_eq!(carols["subscriptions"], json!([]));
}
