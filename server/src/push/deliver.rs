//! Sending pushes to the push services: one push in flight per browser and
//! room (a newer one waiting replaces the older: the browser shows one
//! notification per room anyway, `tag`, and its `count` says how many it
//! stands for), a bounded number of requests at once, retries with backoff
//! on `429` and `5xx` (honouring `Retry-After`), and a subscription dropped
//! when its push service answers `404` or `410`. Requests go only to
//! addresses `Pusher::may_push_to` allows, resolved as link previews are
//! (public addresses, but the allowed hosts), never following redirects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use protocol::RoomId;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use web_push_native::{p256, Auth, WebPushBuilder};

use crate::state::AppState;
use crate::store::PushSubscription;
use crate::unfurl::{Allowed, PublicResolver};

/// Most browser-and-room pushes waiting or in flight; past it new ones are
/// dropped (each holds one encrypted payload of at most a few KiB).
const MAX_WAITING: usize = 20_000;
/// Requests to push services at once.
const AT_ONCE: usize = 64;
/// Tries per push.
const ATTEMPTS: u32 = 5;
/// The first wait before a retry; doubled each time.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait, whatever `Retry-After` asks.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// How long the VAPID signature is valid (at most a day, RFC 8292).
const SIGNATURE_LIFE: Duration = Duration::from_secs(12 * 3600);

/// One push for one browser.
#[derive(Clone)]
pub(super) struct Push {
    pub subscription: PushSubscription,
    pub room: RoomId,
    /// The payload, JSON, before encryption.
    pub payload: Vec<u8>,
    /// `high` for a direct message or a mention, else `normal` (RFC 8030).
    pub urgency: &'static str,
}

type Slot = (String, RoomId);

pub(super) struct Deliverer {
    client: Option<reqwest::Client>,
    /// Browser-and-room → the newest push waiting behind the one in flight.
    /// A key is present while its task runs.
    slots: Arc<Mutex<HashMap<Slot, Option<Push>>>>,
    permits: Arc<Semaphore>,
    /// Encryption is CPU work: one push at a time is encrypted, off the
    /// runtime's threads, so pushes take at most one core from the chat.
    crypto: Arc<Semaphore>,
    ttl: Duration,
}

/// How one request went.
enum Answer {
    Sent,
    /// The subscription is gone (`404`, `410`).
    Gone,
    /// Worth another try, after this long if the service said.
    Later(Option<Duration>),
    /// Refused for good (another `4xx`, or it cannot be encrypted).
    Refused(String),
}

impl Deliverer {
    pub fn new(allowed: Allowed, ttl: Duration) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicResolver { allowed }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Confab/", env!("CARGO_PKG_VERSION"), " (push)"))
            .build();
        let client = match client {
            Ok(client) => Some(client),
            Err(e) => {
                tracing::warn!(error = %e, "pushes are off: no HTTP client");
                None
            }
        };
        Deliverer {
            client,
            slots: Arc::default(),
            permits: Arc::new(Semaphore::new(AT_ONCE)),
            crypto: Arc::new(Semaphore::new(1)),
            ttl: ttl.clamp(Duration::from_secs(0), Duration::from_secs(28 * 24 * 3600)),
        }
    }

    /// Sends `push` after the one in flight for its browser and room, in
    /// place of any waiting there.
    pub fn enqueue(&self, state: &AppState, push: Push) {
        let slot = (push.subscription.endpoint.clone(), push.room.clone());
        {
            let mut slots = self.slots.lock().unwrap();
            if let Some(waiting) = slots.get_mut(&slot) {
                if waiting.replace(push).is_some() {
                    metrics::counter!("confab_push_collapsed_total").increment(1);
                }
                return;
            }
            if slots.len() >= MAX_WAITING {
                metrics::counter!("confab_push_dropped_total", "why" => "full").increment(1);
                return;
            }
            slots.insert(slot.clone(), Some(push));
        }
        let state = state.clone();
        tokio::spawn(async move { run(state, slot).await });
    }

    /// The push waiting for `slot`; with none, the slot is let go (its task
    /// ends).
    fn next(&self, slot: &Slot, release: bool) -> Option<Push> {
        let mut slots = self.slots.lock().unwrap();
        let push = slots.get_mut(slot).and_then(Option::take);
        if push.is_none() && release {
            slots.remove(slot);
        }
        push
    }
}

/// Sends the pushes of one browser and room, one after another.
async fn run(state: AppState, slot: Slot) {
    while let Some(push) = state.pusher.deliver.next(&slot, true) {
        send(&state, push, &slot).await;
    }
}

/// Sends one push, retrying what may pass.
async fn send(state: &AppState, mut push: Push, slot: &Slot) {
    let deliverer = &state.pusher.deliver;
    let mut wait = FIRST_WAIT;
    for attempt in 1..=ATTEMPTS {
        let answer = {
            let _permit = deliverer.permits.acquire().await;
            attempt_once(state, &push).await
        };
        match answer {
            Answer::Sent => {
                metrics::counter!("confab_pushes_total", "outcome" => "sent").increment(1);
                return;
            }
            Answer::Gone => {
                metrics::counter!("confab_pushes_total", "outcome" => "gone").increment(1);
                let endpoint = &push.subscription.endpoint;
                if let Err(e) = state.store.drop_subscription(endpoint).await {
                    tracing::warn!(error = %e, "a gone subscription was not dropped");
                }
                return;
            }
            Answer::Refused(why) => {
                metrics::counter!("confab_pushes_total", "outcome" => "refused").increment(1);
                tracing::info!(why, "a push service refused a push");
                return;
            }
            Answer::Later(asked) if attempt < ATTEMPTS => {
                let pause = asked.unwrap_or(wait).min(LONGEST_WAIT);
                wait *= 2;
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = state.shutdown.cancelled() => return,
                }
                // A newer push for the room went on waiting: it goes instead.
                if let Some(newer) = deliverer.next(slot, false) {
                    push = newer;
                }
            }
            Answer::Later(_) => {
                metrics::counter!("confab_pushes_total", "outcome" => "failed").increment(1);
                tracing::info!("a push failed after {ATTEMPTS} tries");
            }
        }
    }
}

/// One request to the push service.
async fn attempt_once(state: &AppState, push: &Push) -> Answer {
    let deliverer = &state.pusher.deliver;
    let Some(client) = &deliverer.client else {
        return Answer::Refused("pushes are off".into());
    };
    let encrypted = {
        let _crypto = deliverer.crypto.acquire().await;
        let (state, push, ttl) = (state.clone(), push.clone(), deliverer.ttl);
        tokio::task::spawn_blocking(move || match state.pusher.vapid() {
            Some(vapid) => encrypt(&state, vapid, &push, ttl),
            None => Err("pushes are off".into()),
        })
        .await
    };
    let request = match encrypted {
        Ok(Ok(request)) => request,
        Ok(Err(why)) => return Answer::Refused(why),
        Err(_) => return Answer::Refused("encryption failed".into()),
    };
    match client.execute(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            match status {
                200..=299 => Answer::Sent,
                404 | 410 => Answer::Gone,
                429 | 500..=599 => Answer::Later(retry_after(&response)),
                _ => Answer::Refused(format!("status {status}")),
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, "push service unreachable");
            Answer::Later(None)
        }
    }
}

/// The encrypted, signed request for `push`.
fn encrypt(
    state: &AppState,
    vapid: &super::Vapid,
    push: &Push,
    ttl: Duration,
) -> Result<reqwest::Request, String> {
    let subscription = &push.subscription;
    state.pusher.may_push_to(&subscription.endpoint)?;
    let endpoint: axum::http::Uri = subscription
        .endpoint
        .parse()
        .map_err(|_| "endpoint is no address".to_string())?;
    let (ua_public, auth) = browser_keys(&subscription.p256dh, &subscription.auth)?;
    let audience = origin(&endpoint).ok_or("endpoint has no origin")?;
    let request = WebPushBuilder::new(endpoint, ua_public, auth)
        .build(push.payload.clone())
        .map_err(|e| format!("not encrypted: {e}"))?;
    let mut request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
    let authorization =
        vapid.authorization(&audience, &state.pusher.args.push_contact, SIGNATURE_LIFE)?;
    let headers = request.headers_mut();
    headers.insert(reqwest::header::AUTHORIZATION, authorization);
    headers.insert("TTL", ttl.as_secs().into());
    headers.insert(
        "Urgency",
        axum::http::HeaderValue::from_static(push.urgency),
    );
    // Replaces a push for the room the service still holds (RFC 8030 5.4).
    let topic = hex::encode(&Sha256::digest(push.room.as_bytes())[..16]);
    if let Ok(topic) = axum::http::HeaderValue::from_str(&topic) {
        headers.insert("Topic", topic);
    }
    Ok(request)
}

/// A browser's public key and auth secret, checked.
pub fn browser_keys(p256dh: &str, auth: &str) -> Result<(p256::PublicKey, Auth), String> {
    let public = Base64UrlUnpadded::decode_vec(p256dh.trim_end_matches('='))
        .ok()
        .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
        .ok_or("keys.p256dh is no P-256 public key")?;
    let auth: [u8; 16] = Base64UrlUnpadded::decode_vec(auth.trim_end_matches('='))
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or("keys.auth is not 16 bytes of base64url")?;
    Ok((public, Auth::from(auth)))
}

/// The origin of `endpoint` (RFC 6454: scheme, host, and the port unless
/// it is the scheme's own), the audience of its VAPID signature.
fn origin(endpoint: &axum::http::Uri) -> Option<String> {
    let scheme = endpoint.scheme_str()?;
    let host = endpoint.host()?;
    let default = match scheme {
        "https" => 443,
        _ => 80,
    };
    Some(match endpoint.port_u16() {
        Some(port) if port != default => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// `Retry-After` in seconds, if given so.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}
