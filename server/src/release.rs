//! The release the site root holds, as the service worker sees it
//! (docs/DESIGN.md, "Beyond the tab"). Its version is a hash of every file
//! the worker keeps for offline use, so a new build is a new version.
//! `/sw.js` is the worker's script (`public/sw.js`) with that version and
//! the list of files written before it, so a new release is a new worker
//! (browsers compare the script byte for byte); every page and file of the
//! site says its release in `x-confab-version`, and the worker keeps none of
//! another release's.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b512, Digest};
use tokio::sync::OnceCell;

/// Where the worker's script is served.
pub const WORKER_PATH: &str = "/sw.js";

/// The header that names the release a response belongs to.
pub const VERSION_HEADER: &str = "x-confab-version";

/// The worker's own policy: it fetches this origin's files and nothing else.
const WORKER_CSP: &str = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The site root's release, read once on first use (hashing the wasm bundle
/// takes a moment; servers that never serve a page never do it).
pub struct Release {
    root: PathBuf,
    /// The site's file names (`/pkg/NAME.js`, …).
    output: String,
    read: OnceCell<Read>,
}

struct Read {
    version: HeaderValue,
    /// `/sw.js` as served, if the site has one.
    worker: Option<Vec<u8>>,
}

impl Release {
    pub fn new(root: PathBuf, output: String) -> Arc<Release> {
        Arc::new(Release {
            root,
            output,
            read: OnceCell::new(),
        })
    }

    /// What the worker keeps: the page and every file it loads, as paths
    /// (the page, `/`, is the shell every address of the app opens).
    pub fn shell(&self) -> Vec<String> {
        let o = &self.output;
        [
            "/".to_string(),
            format!("/pkg/{o}.js"),
            format!("/pkg/{o}.wasm"),
            format!("/pkg/{o}.css"),
            "/manifest.webmanifest".into(),
            "/favicon.svg".into(),
            "/icon-192.png".into(),
            "/icon-512.png".into(),
        ]
        .to_vec()
    }

    async fn read(self: &Arc<Self>) -> &Read {
        self.read
            .get_or_init(|| {
                let release = self.clone();
                async move {
                    tokio::task::spawn_blocking(move || release.read_files())
                        .await
                        .expect("reading the site's files does not panic")
                }
            })
            .await
    }

    /// Hashes the shell's files and the worker's script (a missing file
    /// counts as missing, so a partial site is a release of its own).
    fn read_files(&self) -> Read {
        let mut hash = Blake2b512::new();
        let mut files: Vec<String> = self.shell().into_iter().skip(1).collect();
        files.push(WORKER_PATH.into());
        for file in &files {
            hash.update(file.as_bytes());
            match std::fs::read(self.root.join(file.trim_start_matches('/'))) {
                Ok(bytes) => {
                    hash.update((bytes.len() as u64).to_le_bytes());
                    hash.update(&bytes);
                }
                Err(_) => hash.update(b"\0missing"),
            }
        }
        let digest = hash.finalize();
        let version: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let worker = std::fs::read(self.root.join(WORKER_PATH.trim_start_matches('/')))
            .ok()
            .map(|script| {
                let shell = serde_json::to_string(&self.shell()).expect("paths serialize");
                let mut served = format!(
                    "// Written by the server: this release and what it keeps offline.\n\
                 self.VERSION = '{version}';\nself.SHELL = {shell};\n\n"
                )
                .into_bytes();
                served.extend_from_slice(&script);
                served
            });
        Read {
            version: HeaderValue::from_str(&version).expect("hex is a header value"),
            worker,
        }
    }

    /// `GET /sw.js`: the worker, never cached by HTTP (the browser checks it
    /// for a new release on every visit).
    pub async fn worker(self: Arc<Self>) -> Response {
        let read = self.read().await;
        let Some(script) = read.worker.clone() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/javascript; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(WORKER_CSP),
                ),
                (
                    header::HeaderName::from_static(VERSION_HEADER),
                    read.version.clone(),
                ),
            ],
            script,
        )
            .into_response()
    }

    /// Middleware for the site's pages and files: names their release.
    pub async fn stamp(self: Arc<Self>, request: Request, next: Next) -> Response {
        let mut response = next.run(request).await;
        let version = self.read().await.version.clone();
        response.headers_mut().insert(VERSION_HEADER, version);
        response
    }
}
