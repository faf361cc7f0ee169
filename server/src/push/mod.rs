//! Web Push (`docs/PROTOCOL.md`, *Web Push*): a stored message that notifies
//! a member (`protocol::notifies`: their level, muting, do-not-disturb) is
//! pushed to their subscribed browsers when none of their connections is
//! visible, encrypted for each browser (RFC 8291, `aes128gcm`) and signed
//! with the server's VAPID key (RFC 8292).
//!
//! Only the instance that stored the message pushes it, so it is sent once
//! however many instances run. The commit only queues it (a bounded queue:
//! past it, pushes are dropped and counted); a task of its own takes what
//! the queue holds (`batch`), reads who to push to once per room of it
//! (`recipients`) and hands each push to `deliver`, which keeps one
//! push in flight per browser and room: a newer one waiting replaces the
//! older (one notification that counts, not twenty), failures are retried
//! with backoff, and a subscription the push service says is gone is
//! dropped. Pushes waiting when an instance stops are lost: they are hints.
//! The same task holds direct messages and mentions for e-mail
//! (`crate::email`), when the server mails.

mod batch;
mod deliver;
mod recipients;
mod vapid;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use protocol::Message;
use tokio::sync::mpsc;

use crate::state::AppState;
use crate::unfurl::Allowed;

pub(crate) use batch::RoomBatch;
pub use deliver::browser_keys;
pub use vapid::Vapid;

/// The push settings, as flags.
#[derive(Clone, Debug, clap::Args)]
pub struct PushArgs {
    /// Push notifications to subscribed browsers (`--push false`: never).
    #[arg(long = "push", env = "CONFAB_PUSH", default_value_t = true, action = clap::ArgAction::Set)]
    pub pushes: bool,
    /// Leave the message's text out of pushes (they say only who wrote
    /// where): push services and lock screens never see it.
    #[arg(long = "push-hide-preview", env = "CONFAB_PUSH_HIDE_PREVIEW")]
    pub push_hide_preview: bool,
    /// How the push services may reach the operator (VAPID `sub`):
    /// `mailto:` or `https:`.
    #[arg(
        long = "push-contact",
        env = "CONFAB_PUSH_CONTACT",
        default_value = "mailto:postmaster@localhost"
    )]
    pub push_contact: String,
    /// How long a push service keeps a push for a browser that is offline,
    /// in seconds.
    #[arg(
        long = "push-ttl-secs",
        env = "CONFAB_PUSH_TTL_SECS",
        default_value_t = 3600
    )]
    pub push_ttl_secs: u64,
    /// Push service hosts (names or addresses, comma-separated) reached
    /// even at loopback or private addresses, and over plain `http`: a push
    /// service inside the network.
    #[arg(
        long = "push-allow-hosts",
        env = "CONFAB_PUSH_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub push_allow_hosts: Vec<String>,
}

/// Stored messages waiting to be considered for pushes; past it they are
/// dropped (each holds one message, at most its 16 KiB of text).
const QUEUE: usize = 1024;

/// A stored message, as pushes need it.
#[derive(Clone, Debug)]
pub(crate) struct Pushed {
    pub message: Message,
}

/// The pusher: its queue, its key and its deliveries.
pub struct Pusher {
    pub args: PushArgs,
    allowed: Allowed,
    queue: mpsc::Sender<Pushed>,
    waiting: Mutex<Option<mpsc::Receiver<Pushed>>>,
    vapid: OnceLock<Vapid>,
    deliver: deliver::Deliverer,
}

impl Pusher {
    pub fn new(args: &PushArgs) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        let allowed = Allowed::new(&args.push_allow_hosts);
        Pusher {
            deliver: deliver::Deliverer::new(
                allowed.clone(),
                Duration::from_secs(args.push_ttl_secs),
            ),
            args: args.clone(),
            allowed,
            queue,
            waiting: Mutex::new(Some(waiting)),
            vapid: OnceLock::new(),
        }
    }

    /// The VAPID key, once loaded (`start`).
    pub fn vapid(&self) -> Option<&Vapid> {
        self.vapid.get()
    }

    /// Whether the server may push to `endpoint`: an `https` address at a
    /// public host, or any `http(s)` one at an allowed host.
    pub fn may_push_to(&self, endpoint: &str) -> Result<(), String> {
        let url = url::Url::parse(endpoint).map_err(|_| "endpoint is no address".to_string())?;
        let allowed_host = url
            .host_str()
            .is_some_and(|host| self.allowed.contains(host));
        if url.scheme() != "https" && !allowed_host {
            return Err("endpoint must be an https address".into());
        }
        self.allowed.may_fetch(&url)
    }
}

/// Whether stored messages are considered at all: for pushes, or for
/// e-mail (`crate::email::hold`, in the same task).
fn wanted(state: &AppState) -> bool {
    state.pusher.args.pushes || state.mailer.enabled()
}

/// A message was just stored here: queued to be considered for pushes and
/// e-mail.
pub fn consider(state: &AppState, message: &Message) {
    let pusher = &state.pusher;
    if !wanted(state) || message.deleted {
        return;
    }
    let pushed = Pushed {
        message: message.clone(),
    };
    if pusher.queue.try_send(pushed).is_err() {
        metrics::counter!("confab_push_dropped_total", "why" => "queue").increment(1);
    }
}

/// Loads (or makes) the VAPID key and starts considering stored messages.
pub fn start(state: &AppState) {
    if !wanted(state) {
        return;
    }
    let Some(mut waiting) = state.pusher.waiting.lock().unwrap().take() else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        let pushes = state.pusher.args.pushes;
        while pushes && state.pusher.vapid.get().is_none() {
            match Vapid::load(state.store.as_ref()).await {
                Ok(vapid) => {
                    let _ = state.pusher.vapid.set(vapid);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "push key unavailable; trying again");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                        _ = state.shutdown.cancelled() => return,
                    }
                }
            }
        }
        let mut batch = Vec::with_capacity(batch::BATCH);
        loop {
            batch.clear();
            let taken = tokio::select! {
                taken = waiting.recv_many(&mut batch, batch::BATCH) => taken,
                _ = state.shutdown.cancelled() => return,
            };
            if taken == 0 {
                return;
            }
            let rooms = RoomBatch::by_room(&batch);
            crate::email::hold(&state, &rooms).await;
            if pushes {
                for room in &rooms {
                    recipients::push(&state, room).await;
                }
            }
        }
    });
}
