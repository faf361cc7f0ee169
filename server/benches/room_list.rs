//! The sidebar of a user in 500 rooms, on an instance with 20,000 public
//! rooms, on SQLite and on PostgreSQL: p50 and p99 of what `GET /api/rooms`
//! reads (the user's rooms with their unread and mention counts, then the
//! names in their direct rooms).
//!
//! `cargo bench -p server --bench room_list` (`make bench` runs it and
//! writes `docs/bench-room-list.md`). `ROOM_LIST_BENCH_ROOMS` sets how many
//! public rooms (20,000); `ROOM_LIST_BENCH_OUT` where the Markdown goes
//! (stdout); `CONFAB_TEST_POSTGRES_URL` which PostgreSQL server.
//!
//! The reader is in 480 public rooms and 20 direct rooms; each of their
//! rooms has 30 messages (some mention them), and they have read half of
//! them in every other room, so the counts have work to do. 2,000 other
//! people are in 10 rooms each.

use std::sync::Arc;
use std::time::Instant;

use protocol::{RoomKind, UserRef};
use server::store::{open, NewEntry, NewMessage, Store};
use uuid::Uuid;

mod common;
use common::db::{postgres_admin, Db};
use common::quantile;

const READS: usize = 300;
const MEMBER_ROOMS: usize = 480;
const DIRECT_ROOMS: usize = 20;
const MESSAGES_PER_ROOM: usize = 30;
const OTHERS: usize = 2_000;
/// Rooms created at once.
const CONCURRENCY: usize = 16;

async fn in_parallel<F>(tasks: Vec<F>)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tasks = tasks.into_iter();
    loop {
        let batch: Vec<_> = tasks.by_ref().take(CONCURRENCY).map(tokio::spawn).collect();
        if batch.is_empty() {
            break;
        }
        for task in batch {
            task.await.unwrap();
        }
    }
}

/// Seeds the instance; answers the reader.
async fn seed(store: &Arc<dyn Store>, rooms: usize) -> Uuid {
    let founder = store.create_user("founder", "!").await.unwrap();
    let reader = store.create_user("reader", "!").await.unwrap();
    let work: Vec<_> = (0..rooms)
        .map(|i| {
            let store = store.clone();
            async move {
                let name = format!("room-{i:05}");
                store
                    .create_room(&name, RoomKind::Public, founder.id)
                    .await
                    .unwrap();
            }
        })
        .collect();
    in_parallel(work).await;
    // The reader's rooms: spread over the instance.
    let step = rooms / MEMBER_ROOMS;
    let mine: Vec<String> = (0..MEMBER_ROOMS)
        .map(|i| format!("room-{:05}", i * step))
        .collect();
    let mut others = Vec::new();
    for i in 0..DIRECT_ROOMS {
        let other = store.create_user(&format!("pal{i}"), "!").await.unwrap();
        let (room, _) = store.direct_room(&[reader.id, other.id]).await.unwrap();
        others.push((room.id, other));
    }
    let author = UserRef {
        id: founder.id,
        name: founder.name.clone(),
    };
    let work: Vec<_> = mine
        .iter()
        .cloned()
        .chain(others.iter().map(|(room, _)| room.clone()))
        .enumerate()
        .map(|(n, room)| {
            let store = store.clone();
            let author = author.clone();
            let reader = reader.id;
            async move {
                store.add_member(&room, reader).await.unwrap();
                let batch = (0..MESSAGES_PER_ROOM)
                    .map(|k| {
                        NewEntry::Message(NewMessage {
                            room: room.clone(),
                            author: author.clone(),
                            client_msg_id: Uuid::new_v4(),
                            body: format!("message {k} of {room}"),
                            thread: None,
                            mentions: if k % 7 == 0 { vec![reader] } else { Vec::new() },
                            everyone: false,
                            attachments: Vec::new(),
                            cards: Vec::new(),
                            imported: None,
                        })
                    })
                    .collect();
                store.append_batch(&room, batch).await.unwrap();
                if n % 2 == 0 {
                    store
                        .mark_read(&room, reader, (MESSAGES_PER_ROOM / 2) as u64)
                        .await
                        .unwrap();
                } else {
                    store
                        .mark_read(&room, reader, MESSAGES_PER_ROOM as u64)
                        .await
                        .unwrap();
                }
            }
        })
        .collect();
    in_parallel(work).await;
    // Everyone else, in a few rooms each.
    let work: Vec<_> = (0..OTHERS)
        .map(|i| {
            let store = store.clone();
            async move {
                let user = store.create_user(&format!("person{i}"), "!").await.unwrap();
                for k in 0..10 {
                    let room = format!("room-{:05}", (i * 37 + k * 1013) % rooms);
                    store.add_member(&room, user.id).await.unwrap();
                }
            }
        })
        .collect();
    in_parallel(work).await;
    reader.id
}

/// p50 and p99 in ms of reading the sidebar, and how many rooms it holds.
async fn time_list(store: &dyn Store, reader: Uuid) -> (f64, f64, usize) {
    let read = || async {
        let rooms = store.rooms_for(reader).await.unwrap();
        let names = store.direct_names(reader).await.unwrap();
        rooms.len().max(names.len())
    };
    for _ in 0..20 {
        read().await;
    }
    let mut times = Vec::with_capacity(READS);
    let mut listed = 0;
    for _ in 0..READS {
        let start = Instant::now();
        listed = read().await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (quantile(&times, 0.5), quantile(&times, 0.99), listed)
}

async fn backend(label: &str, db: Db, rooms: usize) -> String {
    let store: Arc<dyn Store> = open(&db.url()).await.unwrap();
    eprintln!("{label}: seeding {rooms} rooms");
    let started = Instant::now();
    let reader = seed(&store, rooms).await;
    eprintln!(
        "{label}: seeded in {:.0} s; reading",
        started.elapsed().as_secs_f64()
    );
    db.analyze().await;
    let (p50, p99, listed) = time_list(&*store, reader).await;
    store.close().await;
    db.dispose().await;
    format!("| {label} | {rooms} | {listed} | {p50:.2} | {p99:.2} |\n")
}

fn main() {
    let rooms: usize = std::env::var("ROOM_LIST_BENCH_ROOMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut table = String::from(
        "| store | public rooms | the reader's rooms | p50 ms | p99 ms |\n|---|---|---|---|---|\n",
    );
    table.push_str(&runtime.block_on(backend("SQLite", Db::sqlite(), rooms)));
    let postgres = runtime.block_on(Db::fresh_postgres(
        &postgres_admin(),
        "confab_room_list_bench",
    ));
    table.push_str(&runtime.block_on(backend("PostgreSQL", postgres, rooms)));
    let report = format!(
        "# Room list benchmark\n\nThe sidebar of a user in {MEMBER_ROOMS} public and \
         {DIRECT_ROOMS} direct rooms ({MESSAGES_PER_ROOM} messages each, half of them \
         unread in every other room), among {OTHERS} other people (`cargo bench -p server \
         --bench room_list`): the rooms with their unread and mention counts, then the \
         direct rooms' names, {READS} reads after 20 unrecorded, measured {}. Target: \
         p99 ≤ 100 ms.\n\n{table}",
        time::OffsetDateTime::now_utc().date()
    );
    match std::env::var("ROOM_LIST_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
