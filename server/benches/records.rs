//! Records at scale: importing a Slack export of a million messages, and
//! the retention sweep deleting half of them while people chat.
//!
//! The export is made by `tools::slack_export` (20 conversations, replies,
//! reactions, edits, files). For each store (SQLite, then a fresh
//! PostgreSQL database): `confab import slack` is run as its own process
//! (this build's `confab`), timed, its peak resident memory read from
//! `/proc` as it runs; then a server on that store deletes, by the sweep's
//! own batches, every message of the older half of the export's time span,
//! while one person sends a message every 10 ms into the busiest room being
//! swept: send→ack latency then, beside the same with no sweep.
//!
//! `cargo bench -p server --bench records` (`make bench` runs it and writes
//! `docs/bench-records.md`). `RECORDS_BENCH_MESSAGES` sets the export's
//! size (1,000,000), `RECORDS_BENCH_OUT` where the Markdown goes (stdout),
//! `CONFAB_TEST_POSTGRES_URL` which PostgreSQL server.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use protocol::UserRef;
use server::domain::send::{send_and_wait, SendRequest};
use server::domain::Caller;
use server::state::AppState;
use sqlx::Connection;
use uuid::Uuid;

mod common;
use common::db::{postgres_admin, Db};
use common::{quantile, setup};

/// Pings with no sweep running, for the baseline.
const QUIET_PINGS: usize = 200;
const PACE: Duration = Duration::from_millis(10);

/// What one import did.
struct Imported {
    messages: u64,
    secs: f64,
    peak_mib: f64,
}

/// Runs `confab import slack` on `db`; its time and peak memory.
fn import(db: &Db, data: &Path, export: &Path) -> Imported {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["--database-url", &db.url(), "--data-dir"])
        .arg(data)
        .args(["import", "slack"])
        .arg(export)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    // The high-water mark only grows: the last reading before the exit
    // is the peak (to within the last 50 ms).
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let secs = started.elapsed().as_secs_f64();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the import failed");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Imported {
        messages: report["messages"].as_u64().unwrap(),
        secs,
        peak_mib: peak_kib as f64 / 1024.0,
    }
}

/// What the sweep did, and the latencies beside it.
struct Swept {
    deleted: u64,
    secs: f64,
    quiet: Vec<f64>,
    busy: Vec<f64>,
}

async fn ping(state: &AppState, who: &UserRef, room: &str, i: usize) -> f64 {
    let caller = Caller {
        user: who.clone(),
        conn: None,
        scope: Default::default(),
    };
    let request = SendRequest {
        room: room.into(),
        client_msg_id: Uuid::new_v4(),
        body: format!("live {i}"),
        thread: None,
        attachments: Vec::new(),
        cards: Vec::new(),
    };
    let started = Instant::now();
    send_and_wait(state, &caller, request).await.unwrap();
    started.elapsed().as_secs_f64() * 1000.0
}

/// Sweeps every imported room of messages older than the middle of the
/// export's time span, batch by batch as the sweeper does, while a person
/// chats in the busiest room.
async fn sweep(db: &Db, data: &Path) -> Swept {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.plain_url()).await.unwrap();
    let (oldest, newest): (i64, i64) =
        sqlx::query_as("SELECT MIN(created_ms), MAX(created_ms) FROM messages")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let busiest: String = sqlx::query_scalar(
        "SELECT room_id FROM messages GROUP BY room_id ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let rooms: Vec<String> = sqlx::query_scalar("SELECT id FROM rooms WHERE last_seq > 0")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let before = oldest + (newest - oldest) / 2;
    let url = db.url();
    let dir = data.display().to_string();
    let config = server::config::Config::parse_from([
        "confab",
        "--database-url",
        &url,
        "--data-dir",
        &dir,
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
    let who = state.store.create_user("chatter", "!").await.unwrap();
    state.store.add_member(&busiest, who.id).await.unwrap();
    let mut quiet = Vec::with_capacity(QUIET_PINGS);
    for i in 0..QUIET_PINGS {
        quiet.push(ping(&state, &who, &busiest, i).await);
        tokio::time::sleep(PACE).await;
    }
    let done = Arc::new(AtomicBool::new(false));
    let chat = {
        let (state, who, room, done) = (state.clone(), who.clone(), busiest.clone(), done.clone());
        tokio::spawn(async move {
            let mut busy = Vec::new();
            while !done.load(Ordering::Acquire) {
                busy.push(ping(&state, &who, &room, busy.len()).await);
                tokio::time::sleep(PACE).await;
            }
            busy
        })
    };
    let started = Instant::now();
    let mut deleted = 0;
    // The busiest room first, so the chat meets the sweep.
    for room in std::iter::once(&busiest).chain(rooms.iter().filter(|r| **r != busiest)) {
        loop {
            let swept = state
                .store
                .sweep(room, before, server::domain::retention::SWEEP_BATCH)
                .await
                .unwrap();
            deleted += swept.deleted;
            if !swept.more {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Release);
    let mut busy = chat.await.unwrap();
    quiet.sort_by(f64::total_cmp);
    busy.sort_by(f64::total_cmp);
    state.store.close().await;
    Swept {
        deleted,
        secs,
        quiet,
        busy,
    }
}

fn main() {
    let total = setup::count("RECORDS_BENCH_MESSAGES", 1_000_000);
    let runtime = setup::runtime();
    let work = tempfile::tempdir().unwrap();
    let export = work.path().join("slack-export.zip");
    let options = tools::slack_export::Options {
        users: 300,
        channels: 17,
        // 20 conversations; replies come on top of the top-level messages.
        messages: total * 10 / (20 * 12),
        seed: 7,
        corrupt: false,
    };
    let made = Instant::now();
    let summary = tools::slack_export::write(&export, &options).unwrap();
    let zip_mib = std::fs::metadata(&export).unwrap().len() as f64 / (1024.0 * 1024.0);
    eprintln!(
        "export: {} messages ({} replies), {:.0} MiB, made in {:.0} s",
        summary.counts.messages,
        summary.counts.replies,
        zip_mib,
        made.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for store in ["SQLite", "PostgreSQL"] {
        let data = tempfile::tempdir().unwrap();
        let db = match store {
            "SQLite" => Db::sqlite(),
            _ => runtime.block_on(Db::fresh_postgres(
                &postgres_admin(),
                "confab_records_bench",
            )),
        };
        eprintln!("{store}: importing");
        let imported = import(&db, data.path(), &export);
        eprintln!(
            "{store}: {} messages in {:.0} s; sweeping",
            imported.messages, imported.secs
        );
        let swept = runtime.block_on(sweep(&db, data.path()));
        eprintln!(
            "{store}: peak {:.0} MiB; swept {} in {:.1} s, p99 {:.1} ms quiet, {:.1} ms during",
            imported.peak_mib,
            swept.deleted,
            swept.secs,
            quantile(&swept.quiet, 0.99),
            quantile(&swept.busy, 0.99)
        );
        rows.push((store, imported, swept));
        runtime.block_on(db.dispose());
    }
    let mut out = String::new();
    out.push_str(&format!(
        "# Records: import and retention\n\n`cargo bench -p server --bench records` (`make bench`). \
         A generated Slack export of {} messages ({} of them replies; {} reactions, {} files; \
         {:.0} MiB zipped) in 20 conversations.\n\n",
        summary.counts.messages, summary.counts.replies, summary.counts.reactions,
        summary.counts.files, zip_mib
    ));
    out.push_str("## Import (`confab import slack`, its own process)\n\n");
    out.push_str(
        "| store | messages | time | messages/s | peak memory |\n|---|---:|---:|---:|---:|\n",
    );
    for (store, imported, _) in &rows {
        out.push_str(&format!(
            "| {store} | {} | {:.0} s | {:.0} | {:.0} MiB |\n",
            imported.messages,
            imported.secs,
            imported.messages as f64 / imported.secs,
            imported.peak_mib
        ));
    }
    out.push_str(
        "\n## Retention sweep (the older half of the span, every room, batches of 500)\n\n\
         Send→ack of one person chatting every 10 ms in the busiest room, which is swept first.\n\n\
         | store | deleted | time | deleted/s | send→ack p50 / p99, no sweep | p50 / p99 during the sweep (n) |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for (store, _, swept) in &rows {
        out.push_str(&format!(
            "| {store} | {} | {:.1} s | {:.0} | {:.1} / {:.1} ms | {:.1} / {:.1} ms ({}) |\n",
            swept.deleted,
            swept.secs,
            swept.deleted as f64 / swept.secs,
            quantile(&swept.quiet, 0.5),
            quantile(&swept.quiet, 0.99),
            quantile(&swept.busy, 0.5),
            quantile(&swept.busy, 0.99),
            swept.busy.len()
        ));
    }
    match std::env::var("RECORDS_BENCH_OUT") {
        Ok(path) => std::fs::write(path, &out).unwrap(),
        Err(_) => print!("{out}"),
    }
}
