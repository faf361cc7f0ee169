//! E-mail for what was missed (`docs/PROTOCOL.md`, *E-mail*): a direct
//! message or a mention that notifies a user with an address (the rule
//! `activity` and pushes follow) is held for the user's delay; then, if
//! still unread and the room not muted, it is mailed, batched with the
//! others of that user waiting by then, once, by whichever instance claims
//! the user first. SMTP by lettre, with TLS as the URL says.

mod digest;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use protocol::{notifies, RoomKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::engine::quiet::QuietRule;
use crate::push::RoomBatch;
use crate::state::AppState;

pub use digest::compose;

/// The mail settings, as flags.
#[derive(Clone, Debug, clap::Args)]
pub struct EmailArgs {
    /// The mail server: `smtp://host:port` (plain, for a relay on the same
    /// network), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465` (TLS), with `user:password@` if it wants them.
    /// None: no mail is sent.
    #[arg(long = "smtp-url", env = "CONFAB_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Who mails come from.
    #[arg(
        long = "email-from",
        env = "CONFAB_EMAIL_FROM",
        default_value = "Confab <confab@localhost>"
    )]
    pub email_from: String,
    /// The address people reach this server at (`https://chat.example.com`),
    /// for the links in mails. Mails are sent only with it.
    #[arg(long = "public-url", env = "CONFAB_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The shortest delay a user may choose, in seconds.
    #[arg(
        long = "email-min-delay-secs",
        env = "CONFAB_EMAIL_MIN_DELAY_SECS",
        default_value_t = 60
    )]
    pub email_min_delay_secs: u32,
}

/// How often each instance looks for mails due.
const EVERY: Duration = Duration::from_secs(1);
/// How long a claim holds before another instance may take the user.
const CLAIM: time::Duration = time::Duration::seconds(60);
/// When a mail that could not be sent is tried again.
const RETRY: time::Duration = time::Duration::seconds(60);
/// Users claimed at once.
const BATCH: u32 = 20;

/// The mailer: where mails go and come from.
pub struct Mailer {
    pub args: EmailArgs,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
}

/// What an unsubscribe link holds, sealed (`Auth::seal`).
#[derive(Serialize, Deserialize)]
pub struct Unsubscribe {
    pub purpose: String,
    pub sub: Uuid,
    pub exp: u64,
}

impl Mailer {
    pub fn new(args: &EmailArgs) -> Self {
        let transport = match &args.smtp_url {
            Some(url) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
                Ok(builder) => Some(builder.timeout(Some(Duration::from_secs(20))).build()),
                Err(e) => {
                    tracing::warn!(error = %e, "e-mail is off: the SMTP URL is not usable");
                    None
                }
            },
            None => None,
        };
        let from = match args.email_from.parse::<Mailbox>() {
            Ok(from) => Some(from),
            Err(e) => {
                tracing::warn!(error = %e, "e-mail is off: --email-from is no address");
                None
            }
        };
        Mailer {
            args: args.clone(),
            transport,
            from,
        }
    }

    /// Whether mails can be sent (a server, a sender and a public URL).
    pub fn enabled(&self) -> bool {
        self.transport.is_some() && self.from.is_some() && self.args.public_url.is_some()
    }

    fn public_url(&self) -> &str {
        self.args
            .public_url
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/')
    }
}

/// Holds a batch's messages for the members they would be mailed to, one
/// store query per room (called by the push worker, off the send path).
pub(crate) async fn hold(state: &AppState, rooms: &[RoomBatch<'_>]) {
    if !state.mailer.enabled() {
        return;
    }
    let mut held = Vec::new();
    for batch in rooms {
        let targets = state
            .store
            .email_targets(
                batch.room,
                batch.author(),
                &batch.named([]),
                batch.everyone(),
            )
            .await;
        let targets = match targets {
            Ok(targets) => targets,
            Err(e) => {
                tracing::warn!(error = %e, "e-mail targets unavailable");
                continue;
            }
        };
        let now = OffsetDateTime::now_utc();
        for target in targets {
            let quiet = QuietRule::from(target.dnd.clone()).quiet(now);
            let due = now + time::Duration::seconds(i64::from(target.delay_secs));
            for message in &batch.messages {
                let mention = message.everyone || message.mentions.contains(&target.user);
                if message.author.id != target.user
                    && (mention || target.kind == RoomKind::Direct)
                    && notifies(target.level, target.muted, quiet, mention, false)
                {
                    held.push((target.user, message.room.clone(), message.seq, due));
                }
            }
        }
    }
    if held.is_empty() {
        return;
    }
    if let Err(e) = state.store.hold_missed(&held).await {
        tracing::warn!(error = %e, "missed messages not held for e-mail");
    }
}

/// Mails what is due, each second, on every instance.
pub fn start(state: &AppState) {
    if !state.mailer.enabled() {
        return;
    }
    let state = state.clone();
    let node = Uuid::new_v4();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        while state.next_tick(&mut tick).await {
            let now = OffsetDateTime::now_utc();
            let claimed = match state
                .store
                .claim_missed(node, now, now + CLAIM, BATCH)
                .await
            {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::debug!(error = %e, "missed messages unavailable");
                    continue;
                }
            };
            let mut users: Vec<Uuid> = claimed.iter().map(|m| m.user).collect();
            users.dedup();
            for user in users {
                let missed: Vec<_> = claimed.iter().filter(|m| m.user == user).collect();
                mail(&state, node, user, &missed).await;
            }
        }
    });
}

/// Mails `user` what they missed, if anything still counts.
async fn mail(state: &AppState, node: Uuid, user: Uuid, missed: &[&crate::store::Missed]) {
    let mailer = &state.mailer;
    let live: Vec<_> = missed.iter().filter(|m| !m.gone).copied().collect();
    let address = missed
        .first()
        .filter(|m| m.on)
        .and_then(|m| m.email.clone());
    let sent = match (address, live.is_empty(), &mailer.transport, &mailer.from) {
        (Some(address), false, Some(transport), Some(from)) => {
            let link = unsubscribe_link(state, user);
            match compose(from, &address, mailer.public_url(), &link, &live) {
                Ok(mail) => match transport.send(mail).await {
                    Ok(_) => {
                        metrics::counter!("confab_emails_total", "outcome" => "sent").increment(1);
                        true
                    }
                    Err(e) => {
                        metrics::counter!("confab_emails_total", "outcome" => "failed")
                            .increment(1);
                        tracing::warn!(error = %e, "a digest was not sent; trying again later");
                        false
                    }
                },
                Err(why) => {
                    tracing::info!(why, "a digest could not be written");
                    true
                }
            }
        }
        _ => true,
    };
    let done = if sent {
        state.store.finish_missed(node, user).await
    } else {
        let retry = OffsetDateTime::now_utc() + RETRY;
        state.store.retry_missed(node, user, retry).await
    };
    if let Err(e) = done {
        tracing::warn!(error = %e, "a digest's claim was not released");
    }
}

/// The link that stops `user`'s mails (valid for a year).
fn unsubscribe_link(state: &AppState, user: Uuid) -> String {
    let exp = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64 + 365 * 24 * 3600;
    let sealed = state.auth.seal(&Unsubscribe {
        purpose: "unsubscribe".into(),
        sub: user,
        exp,
    });
    format!(
        "{}/api/email/unsubscribe?token={sealed}",
        state.mailer.public_url()
    )
}
