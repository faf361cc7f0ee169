//! The connect run: many idle, authenticated, joined connections.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures_util::StreamExt;
use serde_json::json;

use crate::args::ConnectArgs;
use crate::client;
use crate::proc_stats::rss_kib;
use crate::setup;

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
    let pid = target.pids.first().copied();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = pid.map(rss_kib);

    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(0..args.clients)
        .map(|i| {
            let base = target.url[i % target.url.len()].clone();
            let token = tokens[i / target.clients_per_user.max(1)].clone();
            let room = room.clone();
            async move { client::open(&base, &token, &room).await }
        })
        .buffer_unordered(target.concurrency.max(1))
        .collect()
        .await;
    let took = started.elapsed().as_secs_f64();
    let mut sockets = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok((socket, _)) => sockets.push(socket),
            Err(e) => {
                if failed == 0 {
                    eprintln!("a connection failed: {e:#}");
                }
                failed += 1;
            }
        }
    }
    let connected = sockets.len();
    eprintln!(
        "{connected} connected in {took:.2} s ({:.0}/s), {failed} failed; holding",
        connected as f64 / took
    );
    // Hold them, reading whatever comes (presence), until the end.
    let hold = Duration::from_secs_f64(args.hold);
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let until = tokio::time::Instant::now() + hold + Duration::from_secs(1);
                let mut alive = true;
                while tokio::time::Instant::now() < until {
                    match tokio::time::timeout_at(until, socket.next()).await {
                        Ok(Some(Ok(_))) | Err(_) => {}
                        Ok(_) => {
                            alive = false;
                            break;
                        }
                    }
                }
                let _ = socket.close(None).await;
                alive
            })
        })
        .collect();
    tokio::time::sleep(hold).await;
    let rss_after = pid.map(rss_kib);
    let mut alive = 0;
    for reader in readers {
        alive += reader.await.unwrap_or(false) as usize;
    }
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
    Ok(())
}
