//! The connect run: many idle, authenticated, joined connections.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures_util::StreamExt;
use serde_json::json;

use crate::args::ConnectArgs;
use crate::client;
use crate::proc_stats::{cpu_seconds, rss_kib, CpuShares};
use crate::setup;
use crate::timed_messages;

/// What a v3 client says before joining when asked to (`--presence-interest`).
const NOBODY: &str = r#"{"type":"presence_interest","users":[]}"#;

pub async fn run(args: ConnectArgs) -> Result<()> {
    let target = &args.target;
    let http = reqwest::Client::new();
    let users = args.clients.div_ceil(target.clients_per_user.max(1)).max(1);
    let tokens = setup::tokens(&http, target, users).await?;
    let room = setup::room_name(target, 0);
    setup::rooms(
        &http,
        &target.url[0],
        &tokens[0],
        std::slice::from_ref(&room),
    )
    .await?;
    let pids = &target.pids;
    let rss = || (!pids.is_empty()).then(|| pids.iter().map(|p| rss_kib(*p)).sum::<u64>());
    let cpu = || pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss();
    let cpu_before = cpu();
    let shares_before = CpuShares::now();
    let origin = Instant::now();
    let first = args.presence_interest.then_some(NOBODY);
    eprintln!("connecting {} clients", args.clients);

    // Each connection is read from the moment it opens (presence frames keep
    // coming while the others join), until the hold ends.
    let stop = tokio_util::sync::CancellationToken::new();
    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(0..args.clients)
        .map(|i| {
            let base = target.url[i % target.url.len()].clone();
            let token = tokens[i / target.clients_per_user.max(1)].clone();
            let room = room.clone();
            let stop = stop.clone();
            async move {
                let (socket, ..) = client::open_saying(&base, &token, &room, first).await?;
                Ok::<_, anyhow::Error>(tokio::spawn(hold_open(socket, stop, origin)))
            }
        })
        .buffer_unordered(target.concurrency.max(1))
        .collect()
        .await;
    let took = started.elapsed().as_secs_f64();
    let cpu_spent = cpu() - cpu_before;
    let shares = CpuShares::now().since(shares_before);
    let mut readers = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(reader) => readers.push(reader),
            Err(e) => {
                if failed == 0 {
                    eprintln!("a connection failed: {e:#}");
                }
                failed += 1;
            }
        }
    }
    let connected = readers.len();
    let per_connect_us = |seconds: f64| seconds * 1e6 / connected.max(1) as f64;
    let (cpu_per_connect_us, own_us, machine_us) = (
        per_connect_us(cpu_spent),
        per_connect_us(shares.own),
        per_connect_us(shares.machine_busy),
    );
    eprintln!(
        "{connected} connected in {took:.2} s ({:.0}/s), {failed} failed; holding",
        connected as f64 / took
    );
    let hold = Duration::from_secs_f64(args.hold);
    let holding = Instant::now();
    let joins = time_joins(&target.url[0], &tokens[0], &room, first, args.join_probes).await;
    if args.messages > 0 {
        let base = target.url.last().expect("a URL");
        timed_messages::publish(base, &tokens[0], &room, args.messages, origin).await?;
        // The last one's stragglers.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    tokio::time::sleep(hold.saturating_sub(holding.elapsed())).await;
    let rss_after = rss();
    stop.cancel();
    let mut alive = 0;
    let mut took_ms = Vec::new();
    for reader in readers {
        if let Ok((kept, mut times)) = reader.await {
            alive += kept as usize;
            took_ms.append(&mut times);
        }
    }
    let delivered = took_ms.len();
    let (message_p50, message_p99, message_max) = timed_messages::spread(took_ms);
    let per_connection = match (rss_before, rss_after) {
        (Some(before), Some(after)) if connected > 0 => {
            Some(after.saturating_sub(before) as f64 / connected as f64)
        }
        _ => None,
    };
    let summary = json!({
        "mode": "connect",
        "label": target.label,
        "clients": args.clients,
        "connected": connected,
        "failed": failed,
        "alive_after_hold": alive,
        "connect_s": took,
        "connects_per_s": connected as f64 / took,
        "server_rss_before_kib": rss_before,
        "server_rss_after_kib": rss_after,
        "kib_per_connection": per_connection,
        "join_p50_ms": joins.as_ref().map(|j| j.p50_ms),
        "join_p99_ms": joins.as_ref().map(|j| j.p99_ms),
        "join_online": joins.as_ref().map(|j| j.online),
        "server_cpu_us_per_connect": cpu_per_connect_us,
        "load_cpu_us_per_connect": own_us,
        "machine_busy_us_per_connect": machine_us,
        "machine_idle_pct": shares.idle_percent(),
        "messages": args.messages,
        "deliveries": delivered,
        "deliveries_expected": connected * args.messages,
        "message_p50_ms": message_p50,
        "message_p99_ms": message_p99,
        "message_max_ms": message_max,
    });
    println!("{summary}");
    eprintln!(
        "{} connect: {connected}/{} ({alive} alive after {:.0} s), {:.0} connects/s, {} KiB per connection",
        target.label,
        args.clients,
        args.hold,
        connected as f64 / took,
        per_connection.map_or("?".into(), |k| format!("{k:.1}")),
    );
    eprintln!(
        "  CPU per connect: server {cpu_per_connect_us:.0} µs, this load generator {own_us:.0} µs, \
         the whole machine {machine_us:.0} µs (the rest: Redis, PostgreSQL, the kernel's own); {:.0} % idle",
        shares.idle_percent()
    );
    if let Some(j) = &joins {
        eprintln!(
            "  join with {} online: p50 {:.1} ms, p99 {:.1} ms",
            j.online, j.p50_ms, j.p99_ms
        );
    }
    if args.messages > 0 {
        eprintln!(
            "  {delivered} of {} deliveries, p50 {message_p50:.1} ms, p99 {message_p99:.1} ms, max {message_max:.1} ms",
            connected * args.messages
        );
    }
    Ok(())
}

/// Reads whatever comes (presence, timed messages) until `stop`; answers
/// whether the server kept the connection open until then, and how long each
/// timed message took to arrive.
async fn hold_open(
    mut socket: client::Socket,
    stop: tokio_util::sync::CancellationToken,
    origin: Instant,
) -> (bool, Vec<f64>) {
    use tokio_tungstenite::tungstenite::Message;
    let mut took = Vec::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => {
                let _ = socket.close(None).await;
                return (true, took);
            }
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    took.extend(timed_messages::took_ms(&text, origin));
                }
                Some(Ok(_)) => {}
                _ => return (false, took),
            },
        }
    }
}

/// How long joining the room took, with everyone else in it.
struct JoinTimes {
    p50_ms: f64,
    p99_ms: f64,
    /// The `count` of the online list the joins got.
    online: u64,
}

/// Times `probes` joins one after another, each on a fresh connection: from
/// `join` sent to the room's `online` list received (what a user waits for
/// before the room looks right). `None` if none succeeded.
async fn time_joins(
    base: &str,
    token: &str,
    room: &str,
    first: Option<&str>,
    probes: usize,
) -> Option<JoinTimes> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut took = Vec::with_capacity(probes);
    let mut online = 0;
    for _ in 0..probes {
        let Ok(mut socket) = client::connect(base, token).await else {
            continue;
        };
        if let Some(first) = first {
            if socket.send(Message::Text(first.into())).await.is_err() {
                continue;
            }
        }
        let started = Instant::now();
        let join = format!(r#"{{"type":"join","room":"{room}"}}"#);
        if socket.send(Message::Text(join.into())).await.is_err() {
            continue;
        }
        let listed = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(Ok(frame)) = socket.next().await {
                if let Message::Text(text) = frame {
                    if text.contains(r#""type":"online""#) {
                        return crate::scan::number_after(&text, r#""count":"#);
                    }
                }
            }
            None
        })
        .await;
        if let Ok(Some(count)) = listed {
            took.push(started.elapsed().as_secs_f64() * 1000.0);
            online = count;
        }
        let _ = socket.close(None).await;
    }
    if took.is_empty() {
        return None;
    }
    took.sort_by(f64::total_cmp);
    Some(JoinTimes {
        p50_ms: quantile(&took, 0.5),
        p99_ms: quantile(&took, 0.99),
        online,
    })
}

/// The `q` quantile (0-1) of sorted samples; 0 for none.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}
