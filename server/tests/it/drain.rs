//! A gentle restart: an instance told to stop with a drain window closes its
//! sockets (1001) spread over that window, serving until then; its clients
//! reconnect to the other instance, recover with `since`, and lose nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::{ServerFrame, Since};
use tokio::sync::watch;

use crate::common::cluster::cluster_with;
use crate::common::{close_code_of, Client, Event, TestServer};

const SOCKETS: usize = 1000;
const USERS: usize = 10;
const DRAIN: Duration = Duration::from_secs(4);

/// What one client saw: every message `seq` in order of arrival, and when
/// (after the stop) its socket on the stopping instance closed.
struct Seen {
    seqs: Vec<u64>,
    closed_after: Duration,
}

/// Reads on `client` (joined on the stopping instance) until it closes, then
/// reconnects to `other` with `since` and reads until `last` (once known).
async fn follow(
    mut client: Client,
    other: Arc<TestServer>,
    token: String,
    stopped: watch::Receiver<Option<Instant>>,
    mut last: watch::Receiver<u64>,
) -> Seen {
    let mut seqs = Vec::new();
    let mut epoch = None;
    let closed_at = loop {
        match client.next_event().await {
            Event::Frame(ServerFrame::Message(m)) => {
                epoch = Some(m.epoch.clone());
                seqs.push(m.seq);
            }
            Event::Frame(_) => {}
            Event::Closed(frame) => {
                assert_eq!(close_code_of(&frame), Some(1001), "closed as going away");
                break Instant::now();
            }
        }
    };
    let stop = stopped.borrow().expect("closed only after the stop");
    let since = match (epoch, seqs.last()) {
        (Some(epoch), Some(&seq)) => Some(Since { epoch, seq }),
        _ => None,
    };
    let mut again = other.reconnect(&token).await;
    assert!(matches!(
        again.join("general", since).await,
        ServerFrame::Joined { .. }
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let want = *last.borrow_and_update();
        if want > 0 && seqs.last().is_some_and(|&s| s >= want) {
            break;
        }
        assert!(Instant::now() < deadline, "still waiting for seq {want}");
        tokio::select! {
            _ = last.changed() => {}
            event = tokio::time::timeout(Duration::from_millis(500), again.next_event()) => {
                if let Ok(Event::Frame(ServerFrame::Message(m))) = event {
                    seqs.push(m.seq);
                }
            }
        }
    }
    Seen {
        seqs,
        closed_after: closed_at - stop,
    }
}

#[tokio::test]
async fn an_instance_drains_its_sockets_over_the_window_and_nothing_is_lost() {
    let drain = DRAIN.as_secs().to_string();
    let c = cluster_with(&["--drain-secs", &drain, "--max-conns-per-user", "1000"]).await;
    let mut a = c.a;
    let b = Arc::new(c.b);
    let (stop_tx, stopped) = watch::channel(None);
    let (last_tx, last) = watch::channel(0u64);
    let mut tokens = Vec::new();
    for i in 0..USERS {
        tokens.push(a.register(&format!("user{i}")).await.token);
    }
    let mut followers = Vec::new();
    for i in 0..SOCKETS {
        let token = tokens[i % USERS].clone();
        let mut client = a.connect(&token).await;
        assert!(matches!(
            client.join("general", None).await,
            ServerFrame::Joined { .. }
        ));
        followers.push(tokio::spawn(follow(
            client,
            b.clone(),
            token,
            stopped.clone(),
            last.clone(),
        )));
    }
    // A sender on the other instance, all along.
    let sender_user = b.register("sender").await;
    let mut sender = b.connect(&sender_user.token).await;
    let started = Instant::now();
    let mut sent = 0u64;
    let mut stop_sent = false;
    while started.elapsed() < DRAIN + Duration::from_secs(3) {
        sent = sender.send_acked("general", "tick", 1).await[0].0;
        if !stop_sent && started.elapsed() > Duration::from_millis(500) {
            stop_sent = true;
            stop_tx.send_replace(Some(Instant::now()));
            let pid = a.pid().to_string();
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    last_tx.send_replace(sent);

    let mut closes = Vec::new();
    for follower in followers {
        let seen = follower.await.unwrap();
        let first = seen.seqs[0];
        assert_eq!(
            seen.seqs,
            (first..=sent).collect::<Vec<_>>(),
            "every message once, in order, across the move"
        );
        closes.push(seen.closed_after);
    }
    closes.sort();
    let at = |q: f64| closes[((closes.len() as f64 * q) as usize).min(closes.len() - 1)];
    assert!(
        at(0.1) < Duration::from_millis(1000),
        "early closes: {:?}",
        at(0.1)
    );
    assert!(
        at(0.9) > DRAIN.mul_f64(0.7),
        "spread over the window: {:?}",
        at(0.9)
    );
    assert!(
        at(1.0) < DRAIN + Duration::from_secs(1),
        "all within the window: {:?}",
        at(1.0)
    );
    assert!(
        a.wait_exit(Duration::from_secs(15)),
        "the instance stopped cleanly"
    );
}
