//! Search over a million stored messages, on SQLite and on PostgreSQL: p50
//! and p99 of a one-word and a three-word search (and a rare word), the size
//! of the index, and what keeping the index costs each stored message.
//!
//! `cargo bench -p server --bench search` (`make bench` runs it and writes
//! `docs/bench-search.md`). `SEARCH_BENCH_MESSAGES` sets how many messages
//! (1,000,000); `SEARCH_BENCH_OUT` where the Markdown goes (stdout);
//! `CONFAB_TEST_POSTGRES_URL` which PostgreSQL server (the local one).
//!
//! The messages: 100 rooms (50 public, 50 private), 20 authors, bodies of 6
//! to 24 words drawn from a vocabulary of 20,000 made-up words with a Zipf
//! distribution, as natural language has. The searcher can read the 50
//! public rooms and 10 of the private ones.

use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::{RoomKind, UserRef};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::store::{open, NewEntry, NewMessage, SearchQuery, Store};
use sqlx::Connection;
use uuid::Uuid;

mod common;
use common::db::{postgres_admin, Db};
use common::quantile;

const VOCABULARY: usize = 20_000;
const ROOMS: usize = 100;
const BATCH: usize = 1_000;
const QUERIES: usize = 300;

/// The word of rank `k`: syllables spelled from its digits, so words look
/// like words and none is a prefix trick.
fn word(k: usize) -> String {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "va", "de", "gu", "ba", "zo", "fe", "hi",
        "ju", "ce", "wa", "ny", "xo",
    ];
    let mut k = k + 20;
    let mut w = String::new();
    while k > 0 {
        w.push_str(SYLLABLES[k % 20]);
        k /= 20;
    }
    w
}

struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|k| {
                total += 1.0 / (k as f64).powf(1.07);
                total
            })
            .collect();
        Vocabulary {
            words: (0..VOCABULARY).map(word).collect(),
            cumulative,
        }
    }

    fn body(&self, rng: &mut StdRng) -> String {
        let total = *self.cumulative.last().unwrap();
        let n = rng.gen_range(6..=24);
        (0..n)
            .map(|_| {
                let x = rng.gen::<f64>() * total;
                let k = self.cumulative.partition_point(|&c| c < x);
                self.words[k.min(VOCABULARY - 1)].as_str()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

struct Fixture {
    searcher: UserRef,
    authors: Vec<UserRef>,
    rooms: Vec<String>,
}

async fn fixture(store: &dyn Store) -> Fixture {
    let searcher = store.create_user("searcher", "x").await.unwrap();
    let mut authors = Vec::new();
    for i in 0..20 {
        authors.push(store.create_user(&format!("author{i}"), "x").await.unwrap());
    }
    let mut rooms = Vec::new();
    for i in 0..ROOMS {
        let owner = &authors[i % authors.len()];
        let (name, kind) = if i % 2 == 0 {
            (format!("pub{i}"), RoomKind::Public)
        } else {
            (format!("priv{i}"), RoomKind::Private)
        };
        store.create_room(&name, kind, owner.id).await.unwrap();
        if kind == RoomKind::Private && i < 20 {
            store.add_member(&name, searcher.id).await.unwrap();
        }
        rooms.push(name);
    }
    Fixture {
        searcher,
        authors,
        rooms,
    }
}

/// Stores `n` messages in batches of [`BATCH`] into random rooms; answers
/// the time spent storing.
async fn seed(
    store: &dyn Store,
    f: &Fixture,
    words: &Vocabulary,
    n: usize,
    rng: &mut StdRng,
) -> Duration {
    let mut spent = Duration::ZERO;
    let mut left = n;
    while left > 0 {
        let size = left.min(BATCH);
        let room = f.rooms[rng.gen_range(0..f.rooms.len())].clone();
        let batch: Vec<NewEntry> = (0..size)
            .map(|_| {
                NewEntry::Message(NewMessage {
                    room: room.clone(),
                    author: f.authors[rng.gen_range(0..f.authors.len())].clone(),
                    client_msg_id: Uuid::new_v4(),
                    body: words.body(rng),
                    thread: None,
                    mentions: Vec::new(),
                    everyone: false,
                    attachments: Vec::new(),
                    cards: Vec::new(),
                    imported: None,
                })
            })
            .collect();
        let start = Instant::now();
        store.append_batch(&room, batch).await.unwrap();
        spent += start.elapsed();
        left -= size;
    }
    spent
}

/// p50 and p99 in ms of [`QUERIES`] searches for `text`, and how many the
/// first page held.
async fn time_search(store: &dyn Store, viewer: &UserRef, text: &str) -> (f64, f64, usize) {
    let query = SearchQuery {
        viewer: viewer.id,
        words: protocol::search_words(text).collect(),
        room: None,
        before: None,
        limit: 20,
        filters: Default::default(),
    };
    let mut found = 0;
    for _ in 0..20 {
        found = store.search(&query).await.unwrap().len();
    }
    let mut times: Vec<f64> = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let start = Instant::now();
        store.search(&query).await.unwrap();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (quantile(&times, 0.5), quantile(&times, 0.99), found)
}

/// Bytes the search index takes (SQLite: the FTS5 tables and the doc
/// numbers; PostgreSQL: the GIN index and the stored tsvectors).
async fn index_bytes(db: &Db) -> i64 {
    let mut conn = sqlx::AnyConnection::connect(&db.plain_url()).await.unwrap();
    let sql = match db {
        Db::Sqlite { .. } => {
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'message_search%' \
             OR name LIKE '%search_docs%'"
        }
        Db::Postgres { .. } => {
            "SELECT (pg_relation_size('messages_search') + \
             (SELECT SUM(pg_column_size(search)) FROM messages))::BIGINT"
        }
    };
    sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .unwrap_or(-1)
}

/// Stops keeping the index (for measuring what it costs).
async fn drop_index(db: &Db) {
    let statements: &[&str] = match db {
        Db::Sqlite { .. } => &[
            "DROP TRIGGER messages_search_insert",
            "DROP TRIGGER messages_search_update",
        ],
        Db::Postgres { .. } => &["ALTER TABLE messages DROP COLUMN search"],
    };
    let mut conn = sqlx::AnyConnection::connect(&db.plain_url()).await.unwrap();
    for sql in statements {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

async fn backend(
    label: &str,
    make: impl Fn() -> futures_util::future::BoxFuture<'static, Db>,
    n: usize,
) -> String {
    let words = Vocabulary::new();
    let mut rng = StdRng::seed_from_u64(7);
    let mut out = String::new();

    // The search figures over n messages.
    let db = make().await;
    let store: Arc<dyn Store> = open(&db.url()).await.unwrap();
    let f = fixture(&*store).await;
    eprintln!("{label}: storing {n} messages");
    let spent = seed(&*store, &f, &words, n, &mut rng).await;
    eprintln!("{label}: stored in {:.0} s; searching", spent.as_secs_f64());
    // The steady state of a live database: statistics gathered (autovacuum
    // would have by now), so the planner knows how common each word is.
    db.analyze().await;
    let one = word(30);
    let three = format!("{} {} {}", word(10), word(30), word(100));
    let rare = word(15_000);
    for (what, text) in [
        ("one word (rank 30)", one.as_str()),
        ("three words (ranks 10, 30, 100)", three.as_str()),
        ("one rare word (rank 15,000)", rare.as_str()),
    ] {
        let (p50, p99, found) = time_search(&*store, &f.searcher, text).await;
        out.push_str(&format!(
            "| {label} | {what} | {p50:.2} | {p99:.2} | {found} |\n"
        ));
    }
    store.close().await;
    let bytes = index_bytes(&db).await;
    out.push_str(&format!(
        "| {label} | index size | {:.0} MiB ({:.0} bytes a message) | | |\n",
        bytes as f64 / 1048576.0,
        bytes as f64 / n as f64
    ));
    db.dispose().await;

    // What keeping the index adds to a stored message: the same messages
    // stored with and without it, in batches of 1,000 (group commits).
    const COST_N: usize = 100_000;
    let db = make().await;
    let store: Arc<dyn Store> = open(&db.url()).await.unwrap();
    let f = fixture(&*store).await;
    let with = seed(&*store, &f, &words, COST_N, &mut rng).await;
    store.close().await;
    drop_index(&db).await;
    let store: Arc<dyn Store> = open(&db.url()).await.unwrap();
    let without = seed(&*store, &f, &words, COST_N, &mut rng).await;
    store.close().await;
    db.dispose().await;
    let per = |d: Duration| d.as_secs_f64() * 1e6 / COST_N as f64;
    out.push_str(&format!(
        "| {label} | storing a message, batches of 1,000 | {:.1} µs with the index | {:.1} µs without | +{:.1} µs |\n",
        per(with),
        per(without),
        per(with) - per(without)
    ));
    out
}

fn main() {
    let n: usize = std::env::var("SEARCH_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let admin = postgres_admin();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut table = String::from(
        "| store | search | p50 ms | p99 ms | results (limit 20) |\n|---|---|---|---|---|\n",
    );
    table.push_str(&runtime.block_on(backend("SQLite", || Box::pin(async { Db::sqlite() }), n)));
    table.push_str(&runtime.block_on(backend(
        "PostgreSQL",
        move || {
            let admin = admin.clone();
            Box::pin(async move { Db::fresh_postgres(&admin, "confab_search_bench").await })
        },
        n,
    )));
    let report = format!(
        "# Search benchmark\n\n{n} stored messages (`cargo bench -p server --bench search`, \
         {} queries each, after 20 unrecorded), measured {}.\n\n{table}",
        QUERIES,
        time::OffsetDateTime::now_utc().date()
    );
    match std::env::var("SEARCH_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
