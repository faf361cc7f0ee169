//! Avatar thumbnails under load: 1,000 clients load a room whose messages
//! have 50 authors, each fetching the 50 small avatars (six at a time, as a
//! browser does over HTTP/1.1); then they load it again with the ETags they
//! got (`If-None-Match`), as a browser that revalidates does. p50 and p99 of
//! the requests of each pass, and how many answered `200` and `304`.
//!
//! `cargo bench -p server --bench avatars` (`make bench` runs it and writes
//! `docs/bench-avatars.md`; `AVATAR_BENCH_OUT` sets where, else stdout;
//! `AVATAR_BENCH_CLIENTS` how many clients, 1,000). The server is this
//! build's `confab` on loopback with SQLite; clients come from 250
//! loopback addresses (an address may hold 64 connections that have not
//! sent a request yet).
//!
//! A browser that honours `Cache-Control: immutable` does not even ask the
//! second time: the 304 pass is the cost when it does (a reload, a
//! proxy).

use std::io::{BufRead, BufReader, Cursor};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use tokio::sync::Mutex;

mod common;
use common::quantile;

const AUTHORS: usize = 50;
/// Requests in flight per client, as a browser's per-host limit.
const IN_FLIGHT: usize = 6;

fn png(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([
            (x * seed % 256) as u8,
            (y * 13 % 256) as u8,
            ((x ^ y ^ seed) % 256) as u8,
        ])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// Starts `confab` on a free loopback port; answers it and its address.
fn start(data: &tempfile::TempDir) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "--signups-per-network",
            "10000",
            "--signups-per-hour",
            "10000",
        ])
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn,server=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting confab");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("confab exited").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                .collect::<String>();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, addr)
}

/// Registers the authors with avatars; answers a token and the small
/// avatars' URLs.
async fn authors(base: &str) -> (String, Vec<String>) {
    let http = reqwest::Client::new();
    let mut urls = Vec::new();
    let mut token = String::new();
    for i in 0..AUTHORS {
        let signed: serde_json::Value = http
            .post(format!("{base}/api/auth/register"))
            .json(
                &serde_json::json!({"username": format!("author{i}"), "password": "password-123"}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        token = signed["token"].as_str().unwrap().to_string();
        let set = http
            .put(format!("{base}/api/users/me/avatar"))
            .bearer_auth(&token)
            .header("content-type", "image/png")
            .body(png(i as u32 + 3))
            .send()
            .await
            .unwrap();
        assert!(set.status().is_success(), "{}", set.status());
        let me: serde_json::Value = http
            .get(format!("{base}/api/users/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        urls.push(format!(
            "{base}{}",
            me["avatar_small_url"].as_str().unwrap()
        ));
    }
    (token, urls)
}

/// One pass: every client fetches every URL (with the ETags of `known`, if
/// any). Answers the latencies in ms, the count of each status, and the
/// ETags got.
async fn pass(
    clients: &[reqwest::Client],
    token: &str,
    urls: &[String],
    known: Option<&Vec<String>>,
) -> (Vec<f64>, u64, u64, Vec<String>) {
    let times = Arc::new(Mutex::new(Vec::with_capacity(clients.len() * urls.len())));
    let counts = Arc::new(Mutex::new((0u64, 0u64)));
    let etags = Arc::new(Mutex::new(vec![String::new(); urls.len()]));
    let loads = clients.iter().map(|client| {
        let (times, counts, etags) = (times.clone(), counts.clone(), etags.clone());
        async move {
            stream::iter(urls.iter().enumerate())
                .for_each_concurrent(IN_FLIGHT, |(i, url)| {
                    let (times, counts, etags) = (times.clone(), counts.clone(), etags.clone());
                    async move {
                        let mut request = client.get(url).bearer_auth(token);
                        if let Some(tags) = known {
                            request = request.header("if-none-match", &tags[i]);
                        }
                        let start = Instant::now();
                        let response = request.send().await.unwrap();
                        let status = response.status().as_u16();
                        let tag = response
                            .headers()
                            .get("etag")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        let _ = response.bytes().await.unwrap();
                        times.lock().await.push(start.elapsed().as_secs_f64() * 1e3);
                        let mut c = counts.lock().await;
                        match status {
                            200 => c.0 += 1,
                            304 => c.1 += 1,
                            other => panic!("avatar answered {other}"),
                        }
                        etags.lock().await[i] = tag;
                    }
                })
                .await
        }
    });
    stream::iter(loads)
        .for_each_concurrent(None, |load| load)
        .await;
    let mut times = std::mem::take(&mut *times.lock().await);
    times.sort_by(f64::total_cmp);
    let (ok, not_modified) = *counts.lock().await;
    let etags = etags.lock().await.clone();
    (times, ok, not_modified, etags)
}

fn main() {
    let n: usize = std::env::var("AVATAR_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let (mut child, addr) = start(&data);
    let base = format!("http://{addr}");
    let report = runtime.block_on(async {
        let (token, urls) = authors(&base).await;
        let clients: Vec<reqwest::Client> = (0..n)
            .map(|i| {
                let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (i % 250) as u8));
                reqwest::Client::builder()
                    .local_address(from)
                    .pool_max_idle_per_host(IN_FLIGHT)
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap()
            })
            .collect();
        let started = Instant::now();
        let (first, ok, _, etags) = pass(&clients, &token, &urls, None).await;
        let first_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (again, ok_again, not_modified, _) = pass(&clients, &token, &urls, Some(&etags)).await;
        let again_secs = started.elapsed().as_secs_f64();
        let row = |what: &str, t: &[f64], ok: u64, nm: u64, secs: f64| {
            format!(
                "| {what} | {} | {ok} | {nm} | {:.2} | {:.2} | {:.0} |\n",
                t.len(),
                quantile(t, 0.5),
                quantile(t, 0.99),
                t.len() as f64 / secs
            )
        };
        format!(
            "# Avatar serving benchmark\n\n{n} clients each load a room with {AUTHORS} authors: \
             the {AUTHORS} small avatars, {IN_FLIGHT} requests at a time per client, all clients \
             at once, against one `confab` (release, SQLite) on this machine (2 cores, shared \
             with the clients); then again with the ETags they got (`cargo bench -p server \
             --bench avatars`), measured {}.\n\n\
             | pass | requests | 200 | 304 | p50 ms | p99 ms | requests/s |\n|---|---|---|---|---|---|---|\n{}{}",
            time::OffsetDateTime::now_utc().date(),
            row("first load", &first, ok, 0, first_secs),
            row("again, If-None-Match", &again, ok_again, not_modified, again_secs),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    match std::env::var("AVATAR_BENCH_OUT") {
        Ok(path) => std::fs::write(path, report).unwrap(),
        Err(_) => print!("{report}"),
    }
}
