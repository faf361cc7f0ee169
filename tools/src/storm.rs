//! The restart storm: N clients joined to one room on the first instance,
//! a publisher on the second sending all along; the first instance is sent
//! SIGTERM, and every client reconnects to the second with `since` (as it
//! would through a load balancer) and catches up from its last `seq`.
//!
//! Reports the time from the signal until the last client is back and caught
//! up (its `joined` seq reached), each client's time without the room (its
//! socket closing → caught up), the most reconnections in any 100 ms, and
//! what was lost or doubled: every client must see every `seq` from its
//! first to the publisher's last, once, in order.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::args::StormArgs;
use crate::client::{self, Socket};
use crate::connect::quantile;
use crate::scan::{number_after, scan, Seen};
use crate::setup;

/// What one client lived through.
#[derive(Default)]
struct Outcome {
    /// When its first socket closed, and when it was caught up on the second.
    closed: Option<Instant>,
    back: Option<Instant>,
    /// Messages missing (a gap in `seq`, or short of the last) and doubled.
    lost: u64,
    doubled: u64,
    /// The next `seq` expected.
    next: u64,
}

impl Outcome {
    fn saw(&mut self, seq: u64) {
        if seq < self.next {
            self.doubled += 1;
        } else {
            self.lost += seq - self.next;
            self.next = seq + 1;
        }
    }
}

/// Joins `room` on `base` with `since` the last `seq` seen (the `joined`
/// frame is read by the caller).
async fn rejoin(base: &str, token: &str, room: &str, epoch: &str, seq: u64) -> Result<Socket> {
    let mut socket = client::connect(base, token).await?;
    let join =
        format!(r#"{{"type":"join","room":"{room}","since":{{"epoch":"{epoch}","seq":{seq}}}}}"#);
    socket.send(Message::Text(join.into())).await?;
    Ok(socket)
}

/// When clients stop reading: once they have seen `last` (the publisher's
/// last acknowledged `seq`; `u64::MAX` while it sends), or at `give_up`.
struct Finish {
    last: AtomicU64,
    give_up: AtomicBool,
}

/// A client joined on the first instance: its socket, and the room's `seq`
/// and epoch at the join.
type Joined = (Socket, u64, String);

/// One client: joined on the first instance until that instance closes it,
/// then back on `second` from where it was, reading until `stop`.
async fn run_client(
    (mut socket, seq, epoch): Joined,
    second: String,
    token: String,
    room: String,
    finish: Arc<Finish>,
) -> Result<Outcome> {
    let mut outcome = Outcome {
        next: seq + 1,
        ..Outcome::default()
    };
    let mut target: Option<u64> = None;
    let mut rejoined = false;
    loop {
        if outcome.next > finish.last.load(Ordering::Acquire)
            || finish.give_up.load(Ordering::Acquire)
        {
            return Ok(outcome);
        }
        let frame = tokio::time::timeout(Duration::from_millis(200), socket.next()).await;
        let text = match frame {
            Err(_) => continue,
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_)) | None) if !rejoined => {
                outcome.closed = Some(Instant::now());
                socket = reconnect(&second, &token, &room, &epoch, outcome.next - 1).await?;
                rejoined = true;
                continue;
            }
            Ok(Some(Err(_)) | None) => bail!("the second instance closed the socket"),
        };
        match scan(&text) {
            Seen::Message { seq, .. } => outcome.saw(seq),
            Seen::Joined { seq } if rejoined => target = Some(seq),
            Seen::Error(e) => bail!("{e}"),
            _ => {}
        }
        if let (Some(latest), None) = (target, outcome.back) {
            if outcome.next > latest {
                outcome.back = Some(Instant::now());
            }
        }
    }
}

/// Rejoins on `base`, trying again (bounded) while it refuses.
async fn reconnect(base: &str, token: &str, room: &str, epoch: &str, seq: u64) -> Result<Socket> {
    let mut wait = Duration::from_millis(50);
    for _ in 0..20 {
        match rejoin(base, token, room, epoch, seq).await {
            Ok(socket) => return Ok(socket),
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(1));
            }
        }
    }
    bail!("could not reconnect to {base}")
}

/// Sends `rate` messages a second on `base` until `stop`; answers the last
/// acknowledged `seq`.
async fn publish(
    base: String,
    token: String,
    room: String,
    rate: f64,
    stop: Arc<AtomicBool>,
) -> Result<u64> {
    let (mut socket, _) = client::open(&base, &token, &room).await?;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.1)));
    let (mut sent, mut acked, mut last) = (0u64, 0u64, 0u64);
    let mut stopping: Option<Instant> = None;
    loop {
        if stop.load(Ordering::Acquire) && stopping.is_none() {
            stopping = Some(Instant::now() + Duration::from_secs(5));
        }
        if stopping.is_some_and(|s| acked == sent || Instant::now() > s) {
            return Ok(last);
        }
        tokio::select! {
            _ = tick.tick(), if stopping.is_none() => {
                sent += 1;
                let send = format!(
                    r#"{{"type":"send","room":"{room}","client_msg_id":"{}","body":"storm {sent}"}}"#,
                    uuid::Uuid::new_v4()
                );
                socket.send(Message::Text(send.into())).await?;
            }
            frame = tokio::time::timeout(Duration::from_millis(200), socket.next()) => {
                if let Ok(Some(Ok(Message::Text(text)))) = frame {
                    if let Seen::Ack = scan(&text) {
                        acked += 1;
                        last = last.max(number_after(&text, r#""seq":"#).unwrap_or(0));
                    }
                }
            }
        }
    }
}

pub async fn run(args: StormArgs) -> Result<()> {
    let target = &args.target;
    let [first, second] = [&target.url[0], target.url.get(1).unwrap_or(&target.url[0])];
    let http = reqwest::Client::new();
    let per_user = target.clients_per_user.max(1);
    let users = args.clients.div_ceil(per_user) + 1;
    let tokens = setup::tokens(&http, target, users).await?;
    let room = setup::room_name(target, 0);
    setup::rooms(&http, first, &tokens[0], std::slice::from_ref(&room)).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let finish = Arc::new(Finish {
        last: AtomicU64::new(u64::MAX),
        give_up: AtomicBool::new(false),
    });
    let joined: Vec<Result<Joined>> = futures_util::stream::iter(0..args.clients)
        .map(|i| client::open_joined(first, &tokens[1 + i / per_user], &room))
        .buffered(target.concurrency.max(1))
        .collect()
        .await;
    let mut clients = Vec::new();
    for (i, joined) in joined.into_iter().enumerate() {
        let token = tokens[1 + i / per_user].clone();
        let (second, room, finish) = (second.clone(), room.clone(), finish.clone());
        clients.push(tokio::spawn(run_client(
            joined?, second, token, room, finish,
        )));
    }
    eprintln!("{} clients joined on {first}", clients.len());
    let publisher = tokio::spawn(publish(
        second.clone(),
        tokens[0].clone(),
        room,
        args.rate,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs_f64(args.before)).await;
    let Some(&pid) = target.pids.first() else {
        bail!("--pids: the first instance's PID, to send SIGTERM to");
    };
    let signalled = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    // Everyone back and caught up, or the bound.
    tokio::time::sleep(Duration::from_secs_f64(args.after)).await;
    stop.store(true, Ordering::Release);
    let last = publisher.await??;
    // Deliveries still on the way get a few seconds.
    finish.last.store(last, Ordering::Release);
    let give_up = finish.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        give_up.give_up.store(true, Ordering::Release);
    });
    let mut outcomes = Vec::new();
    let mut failed = 0;
    for client in clients {
        match client.await? {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                if failed == 0 {
                    eprintln!("a client failed: {e:#}");
                }
                failed += 1;
            }
        }
    }
    let mut gaps: Vec<f64> = Vec::new();
    let mut buckets = std::collections::HashMap::<u64, u64>::new();
    let (mut lost, mut doubled, mut back, mut all_back) = (0, 0, 0, 0.0f64);
    for o in &mut outcomes {
        // Short of the publisher's last acknowledged message: lost too.
        o.lost += (last + 1).saturating_sub(o.next);
        lost += o.lost;
        doubled += o.doubled;
        if let (Some(closed), Some(at)) = (o.closed, o.back) {
            back += 1;
            gaps.push(at.duration_since(closed).as_secs_f64() * 1000.0);
            all_back = all_back.max(at.duration_since(signalled).as_secs_f64());
            *buckets
                .entry(closed.duration_since(signalled).as_millis() as u64 / 100)
                .or_default() += 1;
        }
    }
    gaps.sort_by(f64::total_cmp);
    let peak = buckets.values().max().copied().unwrap_or(0) * 10;
    let summary = json!({
        "mode": "storm",
        "label": target.label,
        "clients": args.clients,
        "back": back,
        "failed": failed,
        "all_back_s": all_back,
        "gap_p50_ms": quantile(&gaps, 0.5),
        "gap_p99_ms": quantile(&gaps, 0.99),
        "peak_reconnects_per_s": peak,
        "messages": last,
        "lost": lost,
        "duplicates": doubled,
    });
    println!("{summary}");
    eprintln!(
        "{} storm: {back}/{} back in {all_back:.2} s (gap p50 {:.0} ms, p99 {:.0} ms, peak {peak} reconnects/s), {lost} lost, {doubled} doubled, {failed} failed",
        target.label,
        args.clients,
        quantile(&gaps, 0.5),
        quantile(&gaps, 0.99),
    );
    Ok(())
}
