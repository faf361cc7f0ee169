//! Load for "every room at once":
//!
//! - `sidebar`: a user in many rooms, each with unread messages (one mentioning
//!   them), connects again and again: time to a complete sidebar (the socket
//!   open and `GET /api/rooms` answered with every room's counts right), and
//!   the server CPU one `GET /api/rooms` costs.
//! - `activity`: many users, each a member of every shared room and connected
//!   without joining any; publishers write at a steady rate: `activity` frames
//!   received a second, lost ones, and server CPU per delivered `activity`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{stream, SinkExt, StreamExt, TryStreamExt};
use protocol::RoomInfo;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::args::{ActivityArgs, SidebarArgs, Target};
use crate::client::{ws_url, Socket};
use crate::connect::quantile;
use crate::proc_stats::cpu_seconds;
use crate::setup;

/// An authenticated socket that has joined nothing.
async fn connect(base: &str, token: &str) -> Result<Socket> {
    let mut request = ws_url(base).into_client_request()?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse()?);
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .with_context(|| format!("connecting to {base}"))?;
    Ok(socket)
}

/// Sends `frames` and reads until `n` frames of type `kind` came back.
async fn exchange(socket: &mut Socket, frames: &[String], kind: &str, n: usize) -> Result<()> {
    for frame in frames {
        socket.send(Message::Text(frame.clone().into())).await?;
    }
    let wanted = format!(r#"{{"type":"{kind}""#);
    let mut seen = 0;
    while seen < n {
        let Some(frame) = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .context("the server went quiet")?
        else {
            bail!("the server closed the socket");
        };
        if let Message::Text(text) = frame? {
            if text.starts_with(&wanted) {
                seen += 1;
            } else if text.starts_with(r#"{"type":"error""#) {
                bail!("refused: {text}");
            }
        }
    }
    Ok(())
}

/// Makes user `name` a member of every (public) room, over HTTP: joining 50
/// rooms at once on one socket, beside a thousand others doing the same, would
/// bury it in presence frames until it counted as a slow consumer.
async fn join_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    rooms: &[String],
) -> Result<()> {
    stream::iter(rooms)
        .map(|room| async move {
            let response = http
                .post(format!("{base}/api/rooms/{room}/members"))
                .bearer_auth(token)
                .json(&json!({ "user": name }))
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("joining {room}: {}", response.status());
            }
            Ok(())
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

fn send_frame(room: &str, body: &str) -> String {
    json!({"type":"send","room":room,"client_msg_id":uuid::Uuid::new_v4(),"body":body}).to_string()
}

fn cpu(target: &Target) -> f64 {
    target.pids.iter().map(|p| cpu_seconds(*p)).sum()
}

pub async fn sidebar(args: SidebarArgs) -> Result<()> {
    let target = &args.target;
    let http = reqwest::Client::new();
    let tokens = setup::tokens(&http, target, 2).await?;
    let (reader, writer) = (&tokens[0], &tokens[1]);
    let reader_name = setup::user_name(target, 0);
    let rooms: Vec<String> = (0..args.rooms)
        .map(|i| setup::room_name(target, i))
        .collect();
    let base = &target.url[0];
    setup::rooms(&http, base, writer, &rooms).await?;
    join_all(&http, base, reader, &reader_name, &rooms).await?;
    // Unread messages in every room, one of them mentioning the reader.
    let mut socket = connect(base, writer).await?;
    for room in &rooms {
        let mut frames: Vec<String> = (1..args.messages_per_room)
            .map(|i| send_frame(room, &format!("update {i}")))
            .collect();
        frames.push(send_frame(room, &format!("@{reader_name} have a look")));
        exchange(&mut socket, &frames, "ack", frames.len()).await?;
    }
    let _ = socket.close(None).await;

    let mut took = Vec::with_capacity(args.probes);
    let mut listing = Vec::with_capacity(args.probes);
    let mut cpu_spent = 0.0;
    for i in 0..args.probes {
        let base = target.url[i % target.url.len()].clone();
        let started = Instant::now();
        let cpu_before = cpu(target);
        let (socket, list) = tokio::join!(connect(&base, reader), async {
            let response = http
                .get(format!("{base}/api/rooms"))
                .bearer_auth(reader)
                .send()
                .await?;
            let rooms: Vec<RoomInfo> = response.error_for_status()?.json().await?;
            Ok::<_, anyhow::Error>((rooms, started.elapsed().as_secs_f64() * 1000.0))
        });
        let (list, list_ms) = list?;
        let mut socket = socket?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
        cpu_spent += cpu(target) - cpu_before;
        listing.push(list_ms);
        let complete = list
            .iter()
            .filter(|r| rooms.contains(&r.id))
            .filter(|r| r.unread as usize == args.messages_per_room && r.mentions == 1)
            .count();
        if complete != rooms.len() {
            bail!(
                "the sidebar showed {complete} of {} rooms with their counts",
                rooms.len()
            );
        }
        let _ = socket.close(None).await;
    }
    took.sort_by(f64::total_cmp);
    listing.sort_by(f64::total_cmp);
    let summary = json!({
        "mode": "sidebar",
        "label": target.label,
        "rooms": args.rooms,
        "instances": target.url.len(),
        "probes": args.probes,
        "p50_ms": quantile(&took, 0.5),
        "p99_ms": quantile(&took, 0.99),
        "rooms_get_p50_ms": quantile(&listing, 0.5),
        "rooms_get_p99_ms": quantile(&listing, 0.99),
        "cpu_ms_per_sidebar": cpu_spent * 1000.0 / args.probes.max(1) as f64,
    });
    eprintln!(
        "sidebar of {} rooms over {} instance(s): p50 {:.1} ms, p99 {:.1} ms (GET /api/rooms p50 {:.1} ms); {:.2} ms server CPU each",
        args.rooms,
        target.url.len(),
        quantile(&took, 0.5),
        quantile(&took, 0.99),
        quantile(&listing, 0.5),
        cpu_spent * 1000.0 / args.probes.max(1) as f64
    );
    println!("{summary}");
    Ok(())
}

pub async fn activity(args: ActivityArgs) -> Result<()> {
    let target = &args.target;
    let http = reqwest::Client::new();
    let tokens = setup::tokens(&http, target, args.users).await?;
    let rooms: Vec<String> = (0..args.rooms)
        .map(|i| setup::room_name(target, i))
        .collect();
    setup::rooms(&http, &target.url[0], &tokens[0], &rooms).await?;
    stream::iter(tokens.iter().enumerate())
        .map(|(i, token)| {
            let base = target.url[i % target.url.len()].clone();
            let (rooms, http) = (&rooms, &http);
            let name = setup::user_name(target, i);
            async move { join_all(http, &base, token, &name, rooms).await }
        })
        // 8 users × 8 requests: within the server's cap on connections
        // from one address that have not finished a request yet.
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;

    // Everyone connected, joined to nothing: all they hear is `activity`.
    let heard = Arc::new(AtomicU64::new(0));
    let sockets: Vec<Socket> = stream::iter(tokens.iter().enumerate())
        .map(|(i, token)| connect(&target.url[i % target.url.len()], token))
        .buffer_unordered(target.concurrency.max(1))
        .try_collect()
        .await?;
    let listeners: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let heard = heard.clone();
            tokio::spawn(async move {
                while let Some(Ok(frame)) = socket.next().await {
                    if let Message::Text(text) = frame {
                        if text.starts_with(r#"{"type":"activity""#) {
                            heard.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    let mut publishers = Vec::new();
    for (i, token) in tokens.iter().take(args.publishers.max(1)).enumerate() {
        publishers.push(connect(&target.url[i % target.url.len()], token).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.1));
    let total = (args.rate * args.duration).round() as usize;
    let (heard_before, cpu_before) = (heard.load(Ordering::Relaxed), cpu(target));
    let started = Instant::now();
    let mut tick = tokio::time::interval(interval);
    for n in 0..total {
        tick.tick().await;
        let room = &rooms[n % rooms.len()];
        let count = publishers.len();
        let publisher = &mut publishers[n % count];
        publisher
            .send(Message::Text(send_frame(room, "steady").into()))
            .await?;
    }
    let sent_for = started.elapsed().as_secs_f64();
    // Every member but the author hears each message.
    let expected = total as u64 * (args.users as u64 - 1);
    let drain_until = Instant::now() + Duration::from_secs_f64(args.drain);
    while heard.load(Ordering::Relaxed) - heard_before < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = heard.load(Ordering::Relaxed) - heard_before;
    let cpu_spent = cpu(target) - cpu_before;
    for listener in listeners {
        listener.abort();
    }
    let summary = json!({
        "mode": "activity",
        "label": target.label,
        "users": args.users,
        "rooms": args.rooms,
        "rate": args.rate,
        "messages": total,
        "activity_expected": expected,
        "activity_received": got,
        "activity_per_s": got as f64 / sent_for,
        "lost_pct": 100.0 * (expected.saturating_sub(got)) as f64 / expected.max(1) as f64,
        "cpu_us_per_activity": cpu_spent * 1e6 / got.max(1) as f64,
    });
    eprintln!(
        "{} users in {} rooms at {} msgs/s: {got} of {expected} activity frames ({:.0}/s), {:.2} µs server CPU each",
        args.users,
        args.rooms,
        args.rate,
        got as f64 / sent_for,
        cpu_spent * 1e6 / got.max(1) as f64
    );
    println!("{summary}");
    Ok(())
}
