//! Link previews (`docs/PROTOCOL.md`, *Link previews*). After a message with
//! links is stored, the instance that stored it fetches the pages in the
//! background (never on the send path: the `ack` does not wait) and adds an
//! `unfurled` entry to the room's log with what it found, once. Fetches are
//! bounded in time and bytes, HTML only, without cookies, at public
//! addresses only (`guard`), and rationed per room and per instance; a link
//! that fails or is over the ration is left without a preview.

mod guard;
mod page;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use protocol::{links, Message};

use crate::domain::submit;
use crate::limits::TokenBucket;
use crate::state::AppState;
use crate::store::NewEntry;

pub use guard::{is_public, Allowed, PublicResolver};
pub use page::read_page;

/// The fetcher's settings, as flags.
#[derive(Clone, Debug, clap::Args)]
pub struct UnfurlArgs {
    /// Fetch previews of the links in messages (`--unfurl false`: never).
    #[arg(long = "unfurl", env = "CONFAB_UNFURL", default_value_t = true, action = clap::ArgAction::Set)]
    pub enabled: bool,
    /// Hosts (names or addresses, comma-separated) whose pages are fetched
    /// even at loopback or private addresses: pages inside the network.
    #[arg(
        long = "unfurl-allow-hosts",
        env = "CONFAB_UNFURL_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub allow_hosts: Vec<String>,
    /// How long one page may take, in seconds.
    #[arg(
        long = "unfurl-timeout-secs",
        env = "CONFAB_UNFURL_TIMEOUT_SECS",
        default_value_t = 5
    )]
    pub timeout_secs: u64,
    /// Most bytes read of one page.
    #[arg(long = "unfurl-max-bytes", env = "CONFAB_UNFURL_MAX_BYTES", default_value_t = 512 * 1024)]
    pub max_bytes: usize,
    /// Pages fetched per minute for one room (on each instance).
    #[arg(
        long = "unfurl-per-room-per-minute",
        env = "CONFAB_UNFURL_PER_ROOM_PER_MINUTE",
        default_value_t = 30
    )]
    pub per_room_per_minute: u32,
    /// Pages fetched per minute by one instance.
    #[arg(
        long = "unfurl-per-minute",
        env = "CONFAB_UNFURL_PER_MINUTE",
        default_value_t = 300
    )]
    pub per_minute: u32,
}

/// Most rooms whose ration is remembered; past it, full ones are forgotten.
const MAX_ROOM_RATIONS: usize = 10_000;

/// The fetcher and its rations.
pub struct Unfurler {
    fetcher: Option<page::Fetcher>,
    args: UnfurlArgs,
    instance: Mutex<TokenBucket>,
    rooms: Mutex<HashMap<String, TokenBucket>>,
}

impl Unfurler {
    pub fn new(args: &UnfurlArgs) -> Self {
        let fetcher = args.enabled.then(|| {
            page::Fetcher::new(
                Allowed::new(&args.allow_hosts),
                Duration::from_secs(args.timeout_secs.clamp(1, 60)),
                args.max_bytes.clamp(1024, 16 * 1024 * 1024),
            )
        });
        let fetcher = match fetcher {
            Some(Ok(fetcher)) => Some(fetcher),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "link previews are off: no HTTP client");
                None
            }
            None => None,
        };
        let per_second = |n: u32| f64::from(n.max(1)) / 60.0;
        Unfurler {
            fetcher,
            instance: Mutex::new(TokenBucket::new(
                per_second(args.per_minute),
                f64::from(args.per_minute.max(1)),
            )),
            rooms: Mutex::default(),
            args: args.clone(),
        }
    }

    /// Takes one fetch from the room's and the instance's rations.
    fn ration(&self, room: &str) -> bool {
        let per_room = self.args.per_room_per_minute.max(1);
        let mut rooms = self.rooms.lock().unwrap();
        if rooms.len() >= MAX_ROOM_RATIONS {
            rooms.retain(|_, bucket| !bucket.is_full());
        }
        let bucket = rooms
            .entry(room.to_string())
            .or_insert_with(|| TokenBucket::new(f64::from(per_room) / 60.0, f64::from(per_room)));
        bucket.try_take() && self.instance.lock().unwrap().try_take()
    }
}

/// A message was just stored here: previews of its links, in the
/// background.
pub fn consider(state: &AppState, message: &Message) {
    if state.unfurler.fetcher.is_none() || message.deleted {
        return;
    }
    let links: Vec<String> = links(&message.body)
        .into_iter()
        .filter(|_| state.unfurler.ration(&message.room))
        .collect();
    if links.is_empty() {
        return;
    }
    let (state, message) = (state.clone(), message.clone());
    tokio::spawn(async move {
        let Some(fetcher) = &state.unfurler.fetcher else {
            return;
        };
        let fetched =
            futures_util::future::join_all(links.iter().map(|l| fetcher.preview(l))).await;
        let previews: Vec<_> = fetched
            .into_iter()
            .zip(&links)
            .filter_map(|(preview, link)| match preview {
                Ok(preview) => Some(preview),
                Err(why) => {
                    tracing::debug!(link, why, "no preview");
                    None
                }
            })
            .collect();
        if previews.is_empty() {
            return;
        }
        metrics::counter!("confab_previews_total").increment(previews.len() as u64);
        let entry = NewEntry::Unfurl {
            room: message.room.clone(),
            id: message.id,
            previews,
            by: message.author.clone(),
        };
        submit(&state, entry, |outcome| {
            if let Err(e) = outcome {
                tracing::debug!(error = %e, "previews not stored");
            }
        });
    });
}
