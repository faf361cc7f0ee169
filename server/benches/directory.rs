//! The people directory over 100,000 users, on SQLite and on PostgreSQL:
//! p50 and p99 of a search by the first one, two and three letters of a
//! name, by a display name, of a name no one has, and of the whole list.
//!
//! `cargo bench -p server --bench directory` (`make bench` runs it and
//! writes `docs/bench-directory.md`). `DIRECTORY_BENCH_USERS` sets how many
//! users (100,000); `DIRECTORY_BENCH_OUT` where the Markdown goes (stdout);
//! `CONFAB_TEST_POSTGRES_URL` which PostgreSQL server (the local one).
//!
//! Usernames are made-up first names and surnames (`kalo.minesu42`); every
//! third user has a display name ("Kalo Minesu").

use std::sync::Arc;
use std::time::Instant;

use protocol::{search_key, ProfileUpdate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::store::{open, Store};

mod common;
use common::db::{postgres_admin, Db};
use common::quantile;

const QUERIES: usize = 300;
/// Users created at once (each its own insert, as registering is).
const CONCURRENCY: usize = 16;

/// A made-up name of 2 or 3 syllables.
fn name_part(rng: &mut StdRng) -> String {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "va", "de", "gu", "ba", "zo", "fe", "hi",
        "ju", "ce", "wa", "ny", "xo",
    ];
    let n = rng.gen_range(2..=3);
    (0..n).map(|_| SYLLABLES[rng.gen_range(0..20)]).collect()
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Creates `n` users (every third with a display name); answers their
/// display names.
async fn seed(store: &Arc<dyn Store>, n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(11);
    let people: Vec<(String, Option<String>)> = (0..n)
        .map(|i| {
            let (first, last) = (name_part(&mut rng), name_part(&mut rng));
            let display =
                (i % 3 == 0).then(|| format!("{} {}", capitalized(&first), capitalized(&last)));
            (format!("{first}.{last}{i}"), display)
        })
        .collect();
    let displays = people.iter().filter_map(|(_, d)| d.clone()).collect();
    for chunk in people.chunks(CONCURRENCY) {
        let work = chunk.iter().cloned().map(|(name, display)| {
            let store = store.clone();
            tokio::spawn(async move {
                let user = store.create_user(&name, "!").await.unwrap();
                if let Some(display) = display {
                    let update = ProfileUpdate {
                        display_name: Some(Some(display)),
                        ..Default::default()
                    };
                    store.update_profile(user.id, &update).await.unwrap();
                }
            })
        });
        for task in work.collect::<Vec<_>>() {
            task.await.unwrap();
        }
    }
    displays
}

/// p50 and p99 in ms of [`QUERIES`] searches, cycling through `queries`, and
/// the average number found.
async fn time_find(store: &dyn Store, queries: &[String]) -> (f64, f64, f64) {
    let keys: Vec<String> = queries.iter().map(|q| search_key(q)).collect();
    for key in keys.iter().take(20) {
        store.find_people(key, 20, false).await.unwrap();
    }
    let mut times = Vec::with_capacity(QUERIES);
    let mut found = 0usize;
    for i in 0..QUERIES {
        let key = &keys[i % keys.len()];
        let start = Instant::now();
        found += store.find_people(key, 20, false).await.unwrap().len();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (
        quantile(&times, 0.5),
        quantile(&times, 0.99),
        found as f64 / QUERIES as f64,
    )
}

async fn backend(label: &str, db: Db, n: usize) -> String {
    let store: Arc<dyn Store> = open(&db.url()).await.unwrap();
    eprintln!("{label}: creating {n} users");
    let started = Instant::now();
    let displays = seed(&store, n).await;
    eprintln!(
        "{label}: created in {:.0} s; searching",
        started.elapsed().as_secs_f64()
    );
    db.analyze().await;
    let mut rng = StdRng::seed_from_u64(5);
    let prefixes = |len: usize, rng: &mut StdRng| -> Vec<String> {
        (0..50)
            .map(|_| name_part(rng).chars().take(len).collect())
            .collect()
    };
    let by_display: Vec<String> = displays
        .iter()
        .step_by((displays.len() / 50).max(1))
        .map(|d| {
            d.split(' ')
                .nth(1)
                .map(|last| last.chars().take(4).collect())
                .unwrap_or_default()
        })
        .map(|p: String| p.to_uppercase())
        .collect();
    let mut out = String::new();
    for (what, queries) in [
        ("first letter", prefixes(1, &mut rng)),
        ("two letters", prefixes(2, &mut rng)),
        ("three letters", prefixes(3, &mut rng)),
        ("a display name's surname, upper case", by_display),
        ("no one (`qqq`)", vec!["qqq".to_string()]),
        ("everyone (empty)", vec![String::new()]),
    ] {
        let (p50, p99, found) = time_find(&*store, &queries).await;
        out.push_str(&format!(
            "| {label} | {what} | {p50:.2} | {p99:.2} | {found:.1} |\n"
        ));
    }
    store.close().await;
    db.dispose().await;
    out
}

fn main() {
    let n: usize = std::env::var("DIRECTORY_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut table = String::from(
        "| store | search | p50 ms | p99 ms | found (limit 20) |\n|---|---|---|---|---|\n",
    );
    table.push_str(&runtime.block_on(backend("SQLite", Db::sqlite(), n)));
    let postgres = runtime.block_on(Db::fresh_postgres(
        &postgres_admin(),
        "confab_directory_bench",
    ));
    table.push_str(&runtime.block_on(backend("PostgreSQL", postgres, n)));
    let report = format!(
        "# Directory benchmark\n\n{n} users, every third with a display name \
         (`cargo bench -p server --bench directory`, {QUERIES} searches each, limit 20, \
         after 20 unrecorded), measured {}.\n\n{table}",
        time::OffsetDateTime::now_utc().date()
    );
    match std::env::var("DIRECTORY_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
