//! `@channel` in a room of 10,000 members, beside a plain message: from the
//! message handed to the engine until every member's connection has its
//! `activity` queued (one instance, SQLite, in-process fan-out: the
//! engine's group commit stores it, then tells each connected member, with
//! `mention` and `notify` reckoned per member from their level and
//! do-not-disturb), and the server's CPU time per recipient.
//!
//! `cargo bench -p server --bench attention` (`make bench` runs it and
//! writes `docs/bench-attention.md`). `ATTENTION_BENCH_MEMBERS` sets how
//! many members (10,000); `ATTENTION_BENCH_OUT` where the Markdown goes
//! (stdout).

use std::sync::Arc;
use std::time::Instant;

use protocol::UserRef;
use server::broker::MemoryBroker;
use server::engine::outbox::{Outbox, Queue};
use server::engine::Node;
use server::store::{NewEntry, NewMessage, SqlStore, Store};
use uuid::Uuid;

mod common;
use common::{quantile, setup};

const MESSAGES: usize = 30;

/// This process's CPU time (user and system), in seconds, from
/// `/proc/self/stat` (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line (11 and 12 here).
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Sends `MESSAGES` messages (`everyone`: `@channel`) and answers the p50
/// and p99 ms until every queue had its frame, and the CPU µs per
/// recipient.
async fn run(
    node: &Arc<Node>,
    author: &UserRef,
    queues: &mut [Queue],
    everyone: bool,
) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(MESSAGES);
    let cpu = cpu_seconds();
    for i in 0..MESSAGES {
        let entry = NewEntry::Message(NewMessage {
            room: "town".into(),
            author: author.clone(),
            client_msg_id: Uuid::new_v4(),
            body: if everyone {
                format!("@channel all hands {i}")
            } else {
                format!("lunch {i}")
            },
            thread: None,
            mentions: Vec::new(),
            everyone,
            attachments: Vec::new(),
            cards: Vec::new(),
            imported: None,
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let started = Instant::now();
        node.submit(
            entry,
            Box::new(move |outcome| {
                let _ = tx.send(outcome.is_ok());
            }),
        );
        // The engine tells every member before it answers the sender.
        assert!(rx.await.unwrap());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        for queue in queues.iter_mut() {
            let frame = queue.try_recv().expect("every member heard it");
            debug_assert!(frame.as_str().contains(if everyone {
                "\"mention\":true"
            } else {
                "\"mention\":false"
            }));
        }
    }
    let cpu = cpu_seconds() - cpu;
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let per_recipient = cpu * 1e6 / (MESSAGES * queues.len()) as f64;
    (quantile(&times, 0.5), quantile(&times, 0.99), per_recipient)
}

fn main() {
    let members = setup::count("ATTENTION_BENCH_MEMBERS", 10_000);
    let runtime = setup::runtime();
    let dir = tempfile::tempdir().unwrap();
    let table = runtime.block_on(async {
        let url = format!(
            "sqlite:{}?synchronous=normal",
            dir.path().join("bench.db").display()
        );
        let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.unwrap());
        let author = store.create_user("announcer", "!").await.unwrap();
        store
            .create_room("town", protocol::RoomKind::Public, author.id)
            .await
            .unwrap();
        eprintln!("seeding {members} members");
        let node = Node::new(store.clone(), Arc::new(MemoryBroker::new()));
        let mut queues = Vec::with_capacity(members);
        for i in 0..members {
            let user = store.create_user(&format!("member{i}"), "!").await.unwrap();
            store.add_member("town", user.id).await.unwrap();
            let (outbox, queue) = Outbox::new(64);
            node.watch(&user, i as u64 + 1, &outbox).await;
            queues.push((outbox, queue));
        }
        let (_outboxes, mut queues): (Vec<Outbox>, Vec<Queue>) = queues.into_iter().unzip();
        // Warm up.
        run(&node, &author, &mut queues, false).await;
        let plain = run(&node, &author, &mut queues, false).await;
        let channel = run(&node, &author, &mut queues, true).await;
        format!(
            "| plain message | {members} | {:.1} | {:.1} | {:.2} |\n\
             | `@channel` | {members} | {:.1} | {:.1} | {:.2} |\n",
            plain.0, plain.1, plain.2, channel.0, channel.1, channel.2
        )
    });
    let report = format!(
        "# Attention benchmark\n\n`@channel` in a room of {members} members, every one \
         connected (not joined to the room, so each hears `activity`), beside a plain \
         message (`cargo bench -p server --bench attention`): the time from the message \
         handed to the engine until every member's connection has its `activity` queued \
         (stored durably first, SQLite, one instance), {MESSAGES} messages each after a \
         warm-up, and this process's CPU time per recipient. `@channel` is one flag on the \
         message, not a list of members: it costs what a plain message costs. Measured {}.\n\n\
         | message | members | p50 ms | p99 ms | CPU µs per recipient |\n|---|---|---|---|---|\n{table}",
        time::OffsetDateTime::now_utc().date()
    );
    match std::env::var("ATTENTION_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
