//! Push fan-out: `@channel` in a room of 5,000 members, each with a
//! subscribed browser and no connection, against a push service on
//! loopback that answers every push `201` (it counts them; decrypting is the
//! browser's cost, not the server's). Measures pushes per second and the
//! time from the send until the last push arrived, and the send→ack latency
//! of another room's messages while the pushes go out, beside the same
//! without them. One instance, SQLite, in-process fan-out, the server and
//! the push service in this process.
//!
//! `cargo bench -p server --bench push` (`make bench` runs it and writes
//! `docs/bench-push.md`). `PUSH_BENCH_MEMBERS` sets how many members
//! (5,000); `PUSH_BENCH_OUT` where the Markdown goes (stdout).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use base64ct::{Base64UrlUnpadded, Encoding};
use clap::Parser;
use protocol::{RoomKind, UserRef};
use server::domain::send::{send_and_wait, SendRequest};
use server::domain::Caller;
use server::state::AppState;
use server::store::PushSubscription;
use uuid::Uuid;
use web_push_native::p256;

mod common;
use common::{quantile, setup};

/// Messages sent to the other room, one every `PACE`, for the latencies.
const PINGS: usize = 60;
const PACE: Duration = Duration::from_millis(25);

/// What the push service saw: how many, and when the first and last came.
#[derive(Default)]
struct Seen {
    count: AtomicUsize,
    times: Mutex<Vec<Instant>>,
}

async fn push_service() -> (u16, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let counted = seen.clone();
    let app = Router::new().route(
        "/p/{n}",
        post(move || {
            let seen = counted.clone();
            async move {
                seen.count.fetch_add(1, Ordering::SeqCst);
                seen.times.lock().unwrap().push(Instant::now());
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen)
}

fn caller(user: &UserRef) -> Caller {
    Caller {
        user: user.clone(),
        conn: None,
        scope: Default::default(),
    }
}

/// Sends `PINGS` messages to `room`, one every `PACE`; answers the
/// send→ack milliseconds, sorted.
async fn pings(state: &AppState, who: &UserRef, room: &str) -> Vec<f64> {
    let mut times = Vec::with_capacity(PINGS);
    for i in 0..PINGS {
        let started = Instant::now();
        let request = SendRequest {
            room: room.into(),
            client_msg_id: Uuid::new_v4(),
            body: format!("ping {i}"),
            thread: None,
            attachments: Vec::new(),
            cards: Vec::new(),
        };
        send_and_wait(state, &caller(who), request).await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(PACE).await;
    }
    times.sort_by(f64::total_cmp);
    times
}

fn main() {
    let members = setup::count("PUSH_BENCH_MEMBERS", 5_000);
    let runtime = setup::runtime();
    let dir = tempfile::tempdir().unwrap();
    let table = runtime.block_on(async {
        let (port, seen) = push_service().await;
        let data = dir.path().display().to_string();
        let config = server::config::Config::parse_from([
            "confab",
            "--data-dir",
            &data,
            "--push-allow-hosts",
            "127.0.0.1",
            "--rate-per-sec",
            "1000000",
            "--rate-burst",
            "1000000",
            "--user-rate-per-sec",
            "1000000",
            "--user-rate-burst",
            "1000000",
        ]);
        let state = server::build(config).await.unwrap();
        while state.pusher.vapid().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let store = state.store.clone();
        let announcer = store.create_user("announcer", "!").await.unwrap();
        let pinger = store.create_user("pinger", "!").await.unwrap();
        store
            .create_room("town", RoomKind::Public, announcer.id)
            .await
            .unwrap();
        store
            .create_room("desk", RoomKind::Public, pinger.id)
            .await
            .unwrap();
        // One browser key for all: what is measured is the server's work
        // per push (each is encrypted on its own, with a fresh key).
        let browser = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let p256dh =
            Base64UrlUnpadded::encode_string(browser.public_key().to_sec1_bytes().as_ref());
        let auth = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 16]>());
        eprintln!("seeding {members} members with a subscription each");
        for i in 0..members {
            let user = store.create_user(&format!("member{i}"), "!").await.unwrap();
            store.add_member("town", user.id).await.unwrap();
            let subscription = PushSubscription {
                endpoint: format!("http://127.0.0.1:{port}/p/{i}"),
                user: user.id,
                p256dh: p256dh.clone(),
                auth: auth.clone(),
                agent: None,
                created: time::OffsetDateTime::now_utc(),
            };
            store.subscribe(&subscription, 20).await.unwrap();
        }
        // Warm up, then the latencies without pushes.
        pings(&state, &pinger, "desk").await;
        let quiet = pings(&state, &pinger, "desk").await;
        // `@channel`, and the latencies while its pushes go out.
        let sent = Instant::now();
        let request = SendRequest {
            room: "town".into(),
            client_msg_id: Uuid::new_v4(),
            body: "@channel all hands at 3".into(),
            thread: None,
            attachments: Vec::new(),
            cards: Vec::new(),
        };
        send_and_wait(&state, &caller(&announcer), request)
            .await
            .unwrap();
        let busy = pings(&state, &pinger, "desk").await;
        let deadline = Instant::now() + Duration::from_secs(120);
        while seen.count.load(Ordering::SeqCst) < members && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let times = seen.times.lock().unwrap().clone();
        let got = times.len();
        let (first, last) = (times.iter().min().copied(), times.iter().max().copied());
        let until_last = last.map(|l| (l - sent).as_secs_f64()).unwrap_or(f64::NAN);
        let spread = match (first, last) {
            (Some(f), Some(l)) => (l - f).as_secs_f64().max(1e-9),
            _ => f64::NAN,
        };
        format!(
            "| {members} | {got} | {:.0} | {:.2} | {:.1} / {:.1} | {:.1} / {:.1} |\n",
            got as f64 / spread,
            until_last,
            quantile(&quiet, 0.5),
            quantile(&quiet, 0.99),
            quantile(&busy, 0.5),
            quantile(&busy, 0.99),
        )
    });
    let report = format!(
        "# Push fan-out benchmark\n\n`@channel` in a room of {members} members, each with one \
         subscribed browser and no connection, against a push service on loopback that \
         answers `201` (`cargo bench -p server --bench push`): every push encrypted on its \
         own (RFC 8291) and signed (VAPID), at most 64 requests at once. Pushes per second \
         (first to last arrival), seconds from the send until the last push arrived, and \
         the send→ack latency (stored durably, SQLite) of {PINGS} messages to another room, \
         one every {} ms, with no pushes going out and while these go out. One instance, \
         the server and the push service in one process on this machine's two cores. \
         Measured {}.\n\n\
         | members | pushes received | pushes/s | s to the last | send→ack p50 / p99 ms, quiet \
         | send→ack p50 / p99 ms, during |\n|---|---|---|---|---|---|\n{table}",
        PACE.as_millis(),
        time::OffsetDateTime::now_utc().date()
    );
    match std::env::var("PUSH_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
