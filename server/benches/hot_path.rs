//! The pure parts of the hot path: a message frame serialized (once per
//! instance), a client frame decoded, and one message fanned out to 1,000
//! local subscribers (queued, as the engine does, serialized once); and what
//! a durable commit costs on SQLite (a file on this machine's disk, with
//! `synchronous = FULL`), alone and as one group commit of 64.
//!
//! `cargo bench -p server`

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protocol::{ClientEnvelope, Entry, Message, ServerFrame, UserRef};
use server::broker::MemoryBroker;
use server::engine::outbox::Outbox;
use server::engine::Node;
use server::store::{AccountStore, LogStore, NewEntry, NewMessage, RoomStore, SqlStore, Store};

fn message(seq: u64, epoch: &str) -> Message {
    Message {
        room: "general".into(),
        seq,
        epoch: epoch.into(),
        id: uuid::Uuid::now_v7(),
        client_msg_id: uuid::Uuid::new_v4(),
        author: UserRef {
            id: uuid::Uuid::new_v4(),
            name: "alice".into(),
        },
        body: "Morning! The deploy went out at 9, dashboards look clean.".into(),
        ts: time::OffsetDateTime::now_utc(),
        ..Default::default()
    }
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frames");
    group.throughput(Throughput::Elements(1));
    let m = ServerFrame::Message(message(42, "0123456789abcdef"));
    group.bench_function("encode message frame", |b| b.iter(|| m.to_json()));
    let send = r#"{"type":"send","room":"general","client_msg_id":"6f1c8e7e-9a51-4d55-9b4e-0d1f3b0e2a77","body":"Morning! The deploy went out at 9, dashboards look clean.","ref":"s1"}"#;
    group.bench_function("decode send frame", |b| {
        b.iter(|| ClientEnvelope::parse(send).unwrap())
    });
    group.finish();
}

fn fan_out(c: &mut Criterion) {
    const SUBSCRIBERS: usize = 1000;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (node, epoch, mut queues) = runtime.block_on(async {
        let url = format!("sqlite:{}", dir.path().join("bench.db").display());
        let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.unwrap());
        store.ensure_public_room("general").await.unwrap();
        let node = Node::new(store.clone(), Arc::new(MemoryBroker::new()));
        let mut queues = Vec::new();
        for conn in 0..SUBSCRIBERS {
            let (outbox, queue) = Outbox::new(1024);
            let user = UserRef {
                id: uuid::Uuid::new_v4(),
                name: format!("u{conn}"),
            };
            node.join(conn as u64, &user, &outbox, "general", None, None, false)
                .await
                .unwrap();
            queues.push((outbox, queue));
        }
        let epoch = store.room("general").await.unwrap().unwrap().epoch;
        (node, epoch, queues)
    });
    let drain = |queues: &mut Vec<(Outbox, server::engine::outbox::Queue)>| {
        for (_, queue) in queues.iter_mut() {
            while queue.try_recv().is_ok() {}
        }
    };
    drain(&mut queues);
    let mut seq = 0;
    let mut group = c.benchmark_group("fan-out");
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));
    group.bench_function("one message to 1,000 local subscribers", |b| {
        b.iter_custom(|iterations| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iterations {
                seq += 1;
                let m = message(seq, &epoch);
                let started = std::time::Instant::now();
                runtime.block_on(node.deliver_all("general", vec![Entry::Message(m)]));
                spent += started.elapsed();
                drain(&mut queues);
            }
            spent
        })
    });
    group.finish();
}

fn sqlite_commit(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, author) = runtime.block_on(async {
        let url = format!("sqlite:{}", dir.path().join("commit.db").display());
        let store = SqlStore::open(&url).await.unwrap();
        store.ensure_public_room("general").await.unwrap();
        let author = store.create_user("alice", "x").await.unwrap();
        (store, author)
    });
    let batch = |n: usize| -> Vec<NewEntry> {
        (0..n)
            .map(|_| {
                NewEntry::Message(NewMessage {
                    room: "general".into(),
                    author: author.clone(),
                    client_msg_id: uuid::Uuid::new_v4(),
                    body: "Morning! The deploy went out at 9, dashboards look clean.".into(),
                    thread: None,
                    mentions: Vec::new(),
                    everyone: false,
                    attachments: Vec::new(),
                    cards: Vec::new(),
                    imported: None,
                })
            })
            .collect()
    };
    let mut group = c.benchmark_group("sqlite commit");
    for n in [1, 64] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n} message(s)"), |b| {
            b.iter_batched(
                || batch(n),
                |entries| {
                    runtime
                        .block_on(store.append_batch("general", entries))
                        .unwrap()
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, frames, fan_out, sqlite_commit);
criterion_main!(benches);
