//! The fanout run: clients in rooms, some publishing, all counting what they
//! get, in `seq` order, once.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::args::FanoutArgs;
use crate::client::{self, Socket};
use crate::proc_stats::{cpu_seconds, rss_kib};
use crate::scan::{self, Seen};
use crate::setup;

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const DRAIN: u8 = 2;
const STOP: u8 = 3;

/// What all clients share: the phase, the clock, and the counters.
struct Shared {
    start: Instant,
    phase: AtomicU8,
    next_id: AtomicU64,
    /// Counted messages sent into each room.
    sent: Vec<AtomicU64>,
    /// Counted messages received, all clients together.
    delivered: AtomicU64,
    /// Every message frame received (for progress).
    received: AtomicU64,
    duplicates: AtomicU64,
    gaps: AtomicU64,
    errors: AtomicU64,
    padding: String,
    /// Every this many messages carry a link to `link_url` (0: none).
    link_every: u64,
    link_url: String,
    /// Cancelled when the run is over (clients stop reading).
    stop: tokio_util::sync::CancellationToken,
}

/// What one client measured.
struct ClientResult {
    latency: Histogram<u64>,
}

/// Whether a run held: every message reached every client once and in order,
/// with p99 latency within `p99_ms`.
pub fn held(summary: &serde_json::Value, p99_ms: f64) -> bool {
    let f = |key: &str| summary[key].as_f64().unwrap_or(f64::MAX);
    f("p99_ms") <= p99_ms
        && f("lost_pct") == 0.0
        && f("duplicates") == 0.0
        && f("gaps") == 0.0
        && f("client_errors") == 0.0
}

pub async fn run(args: FanoutArgs) -> Result<()> {
    measure(&args).await.map(|_| ())
}

/// Steps the rate up ×1.5 from `--rate` until a run does not hold (p99 over
/// `p99_ms`, or anything lost, doubled or out of order).
pub async fn saturate(args: FanoutArgs, p99_ms: f64, steps: usize) -> Result<()> {
    let mut step = args;
    let mut best = None;
    for _ in 0..steps {
        let summary = measure(&step).await?;
        if !held(&summary, p99_ms) {
            break;
        }
        best = Some(summary["delivered_per_s"].as_f64().unwrap_or(0.0));
        step.rate = (step.rate * 1.5).round();
    }
    match best {
        Some(rate) => eprintln!("held: {rate:.0} deliveries/s"),
        None => eprintln!("held: none (the first step already failed)"),
    }
    Ok(())
}

/// One run: prints its figures (JSON on stdout, a line on stderr) and answers them.
pub async fn measure(args: &FanoutArgs) -> Result<serde_json::Value> {
    let target = &args.target;
    let http = reqwest::Client::new();
    let users = args.clients.div_ceil(target.clients_per_user.max(1)).max(1);
    let tokens = setup::tokens(&http, target, users).await?;
    let rooms: Vec<String> = (0..args.rooms.max(1))
        .map(|i| setup::room_name(target, i))
        .collect();
    setup::rooms(&http, &target.url[0], &tokens[0], &rooms).await?;
    let shared = Arc::new(Shared {
        start: Instant::now(),
        phase: AtomicU8::new(WARMUP),
        next_id: AtomicU64::new(0),
        sent: rooms.iter().map(|_| AtomicU64::new(0)).collect(),
        delivered: AtomicU64::new(0),
        received: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
        gaps: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        padding: "x".repeat(args.body_bytes),
        link_every: args.link_every,
        link_url: args.link_url.clone(),
        stop: tokio_util::sync::CancellationToken::new(),
    });

    // Connect everyone, `concurrency` at a time.
    let members: Vec<u64> = (0..rooms.len())
        .map(|r| (0..args.clients).filter(|i| i % rooms.len() == r).count() as u64)
        .collect();
    let sockets: Vec<(Socket, u64)> = futures_util::stream::iter(0..args.clients)
        .map(|i| {
            let base = target.url[i % target.url.len()].clone();
            let token = tokens[i / target.clients_per_user.max(1)].clone();
            let room = rooms[i % rooms.len()].clone();
            async move { client::open(&base, &token, &room).await }
        })
        .buffered(target.concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .enumerate()
        .map(|(i, socket)| socket.with_context(|| format!("client {i}")))
        .collect::<Result<_>>()?;
    eprintln!(
        "{} clients connected over {} rooms",
        sockets.len(),
        rooms.len()
    );

    let publishers = args.publishers.min(args.clients);
    let every = Duration::from_secs_f64(publishers.max(1) as f64 / args.rate.max(0.001));
    let mut tasks = Vec::new();
    for (i, (socket, joined_seq)) in sockets.into_iter().enumerate() {
        let publishing = (i < publishers).then_some(every);
        let room = i % rooms.len();
        tasks.push(tokio::spawn(client_task(
            socket,
            shared.clone(),
            publishing,
            (room, rooms[room].clone()),
            i,
            joined_seq,
        )));
    }
    let progress = tokio::spawn(progress(shared.clone()));

    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    let cpu_before: Vec<f64> = target.pids.iter().map(|p| cpu_seconds(*p)).collect();
    let measured = Instant::now();
    shared.phase.store(MEASURE, Relaxed);
    tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
    shared.phase.store(DRAIN, Relaxed);
    let window = measured.elapsed().as_secs_f64();
    let cpu: Vec<f64> = target
        .pids
        .iter()
        .zip(&cpu_before)
        .map(|(p, before)| cpu_seconds(*p) - before)
        .collect();
    // Sends that saw the measuring phase finish, then deliveries on their way.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let expected: u64 = shared
        .sent
        .iter()
        .zip(&members)
        .map(|(sent, n)| sent.load(Relaxed) * n)
        .sum();
    let drain_until = Instant::now() + Duration::from_secs_f64(args.drain);
    while shared.delivered.load(Relaxed) < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shared.phase.store(STOP, Relaxed);
    shared.stop.cancel();
    progress.abort();
    let mut latency = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3)?;
    for task in tasks {
        if let Ok(Ok(result)) = tokio::time::timeout(Duration::from_secs(5), task).await {
            latency.add(result.latency)?;
        }
    }

    let delivered = shared.delivered.load(Relaxed);
    let sent: u64 = shared.sent.iter().map(|s| s.load(Relaxed)).sum();
    let lost = expected.saturating_sub(delivered);
    let ms = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
    let cpu_total: f64 = cpu.iter().sum();
    let summary = json!({
        "mode": "fanout",
        "label": target.label,
        "clients": args.clients,
        "rooms": rooms.len(),
        "publishers": publishers,
        "rate": args.rate,
        "duration_s": window,
        "sent": sent,
        "expected": expected,
        "delivered": delivered,
        "lost_pct": if expected > 0 { 100.0 * lost as f64 / expected as f64 } else { 0.0 },
        "duplicates": shared.duplicates.load(Relaxed),
        "gaps": shared.gaps.load(Relaxed),
        "delivered_per_s": delivered as f64 / window,
        "p50_ms": ms(0.50),
        "p90_ms": ms(0.90),
        "p99_ms": ms(0.99),
        "max_ms": latency.max() as f64 / 1000.0,
        "server_cpu_s": cpu,
        "cpu_us_per_delivery": if delivered > 0 { cpu_total * 1e6 / delivered as f64 } else { 0.0 },
        "server_rss_kib": target.pids.iter().map(|p| rss_kib(*p)).collect::<Vec<_>>(),
        "client_errors": shared.errors.load(Relaxed),
    });
    println!("{summary}");
    eprintln!(
        "{} C={} rooms={} R={}/s: {delivered}/{expected} delivered ({:.3}% lost, {} dup, {} gaps), \
         {:.0}/s, p50 {:.1} ms p99 {:.1} ms max {:.1} ms, server CPU {:.2} µs/delivery",
        target.label,
        args.clients,
        rooms.len(),
        args.rate,
        summary["lost_pct"].as_f64().unwrap_or(0.0),
        summary["duplicates"],
        summary["gaps"],
        delivered as f64 / window,
        ms(0.5),
        ms(0.99),
        latency.max() as f64 / 1000.0,
        summary["cpu_us_per_delivery"].as_f64().unwrap_or(0.0),
    );
    Ok(summary)
}

/// One client: publishes on its schedule (if it publishes), and counts every
/// message of its room, checking that `seq` goes up by exactly one.
async fn client_task(
    mut socket: Socket,
    shared: Arc<Shared>,
    publishing: Option<Duration>,
    (room_index, room): (usize, String),
    index: usize,
    mut last_seq: u64,
) -> ClientResult {
    let mut latency = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3).expect("bounds");
    let mut ticker = publishing.map(|every| {
        // Spread the publishers' ticks over the interval.
        let offset = every.mul_f64((index % 97) as f64 / 97.0);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        tick
    });
    // Made once: a timer or waiter made on every turn would cost more than
    // reading the frame.
    let stopped = shared.stop.cancelled();
    tokio::pin!(stopped);
    loop {
        let phase = shared.phase.load(Relaxed);
        tokio::select! {
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Seen::Message { seq, body } = scan::scan(&text) {
                        shared.received.fetch_add(1, Relaxed);
                        if seq <= last_seq {
                            shared.duplicates.fetch_add(1, Relaxed);
                            continue;
                        }
                        if seq > last_seq + 1 {
                            shared.gaps.fetch_add(seq - last_seq - 1, Relaxed);
                        }
                        last_seq = seq;
                        if let Some((_, sent_ns, true)) = scan::parse_body(body) {
                            shared.delivered.fetch_add(1, Relaxed);
                            let now = shared.start.elapsed().as_nanos() as u64;
                            let _ = latency.record((now.saturating_sub(sent_ns) / 1000).max(1));
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    shared.errors.fetch_add(1, Relaxed);
                    break;
                }
                Some(Ok(_)) => {}
            },
            _ = async { ticker.as_mut().expect("publisher").tick().await },
                if ticker.is_some() && phase < DRAIN =>
            {
                let counted = phase == MEASURE;
                let id = shared.next_id.fetch_add(1, Relaxed);
                let sent_ns = shared.start.elapsed().as_nanos() as u64;
                let mut body = scan::body(id, sent_ns, counted, &shared.padding);
                if shared.link_every > 0 && id.is_multiple_of(shared.link_every) {
                    // After the fields the scanner reads: a link to preview.
                    body.push_str(&format!(" {}?n={id}", shared.link_url));
                }
                let frame = format!(
                    r#"{{"type":"send","room":"{room}","client_msg_id":"{}","body":"{body}"}}"#,
                    uuid::Uuid::new_v4(),
                );
                if socket.send(Message::Text(frame.into())).await.is_err() {
                    shared.errors.fetch_add(1, Relaxed);
                    break;
                }
                if counted {
                    shared.sent[room_index].fetch_add(1, Relaxed);
                }
            }
            _ = &mut stopped => break,
        }
    }
    let _ = socket.close(None).await;
    ClientResult { latency }
}

/// Prints what happened in each second of the run.
async fn progress(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut last = (0u64, 0u64);
    loop {
        tick.tick().await;
        let sent = shared.next_id.load(Relaxed);
        let received = shared.received.load(Relaxed);
        let phase = ["warm-up", "measuring", "draining", "stopping"]
            [shared.phase.load(Relaxed).min(STOP) as usize];
        eprintln!(
            "[{:>5.1}s {phase}] sent {}/s, delivered {}/s, duplicates {}, gaps {}, errors {}",
            shared.start.elapsed().as_secs_f64(),
            sent - last.0,
            received - last.1,
            shared.duplicates.load(Relaxed),
            shared.gaps.load(Relaxed),
            shared.errors.load(Relaxed),
        );
        last = (sent, received);
    }
}
