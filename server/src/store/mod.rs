//! The store of record: users, rooms, memberships and each room's log.
//!
//! Everything a user is promised rests on one rule here: a message's `seq` is
//! assigned in the same transaction that stores it, by bumping its room's counter
//! (`rooms.last_seq`). The row lock that bump takes serializes writers, so a room's
//! `seq`s have no holes and `n` is committed before `n + 1` can be. The unique key on
//! (room, author, client_msg_id) makes a resent message a no-op that answers with the
//! first `seq`. Every other entry of the log (an edit, a deletion, a reaction change)
//! takes its `seq` the same way, in the same transactions (`sql_log`).
//!
//! [`Store`] is the interface the rest of the server sees; [`open`] picks the
//! implementation from the database URL.

mod access_tokens;
mod accounts;
mod admin;
mod attention;
mod drafts;
mod email;
mod entries;
mod export;
mod files;
mod groups;
mod identities;
mod import;
mod later;
mod log;
mod people;
mod postgres;
mod push;
mod read_state;
mod retention;
mod rooms;
mod search;
mod sql;
mod sql_accounts;
mod sql_admin;
mod sql_attention;
mod sql_drafts;
mod sql_email;
mod sql_export;
mod sql_files;
mod sql_follows;
mod sql_groups;
mod sql_identities;
mod sql_import;
mod sql_later;
mod sql_log;
mod sql_log_changes;
mod sql_log_reads;
mod sql_log_room;
mod sql_people;
mod sql_push;
mod sql_read_state;
mod sql_retention;
mod sql_rooms;
mod sql_rows;
mod sql_search;
mod sql_tokens;
mod sql_webhooks;
mod sqlite;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

pub use access_tokens::{AccessToken, NewAccessToken, TokenStore};
pub use accounts::{AccountStore, Rotation, UserRecord};
pub use admin::{AdminStore, AuditQuery, NewAudit, NewInvite};
pub use attention::{AttentionStore, DndRecord, RoomNotice};
pub use drafts::DraftStore;
pub use email::{EmailStore, EmailTarget, Missed};
pub use entries::{Imported, NewEntry, NewMessage, Outcome, Refusal};
pub use export::ExportStore;
pub use files::{FileRecord, FileStore};
pub use groups::{GroupChange, GroupStore};
pub use identities::{IdentityStore, LinkedIdentity};
pub use import::ImportStore;
pub use later::{LaterItem, LaterStore};
pub use log::{LogPage, LogStore, MessageRecord, PageAt};
pub use people::{NewAvatar, PeopleStore};
pub use push::{PushStore, PushSubscription, PushTarget};
pub use read_state::ReadStateStore;
pub use retention::{RetentionStore, Swept};
pub use rooms::{RoomRecord, RoomStore};
pub use search::{Filters as SearchFilters, SearchQuery, SearchStore};
pub use sql::{Backend, SqlStore};
pub use sql_accounts::NO_PASSWORD;
pub use sql_people::avatar_url;
pub use webhooks::{Webhook, WebhookStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique name is taken.
    #[error("already exists")]
    Conflict,
    /// The room (or user) named does not exist.
    #[error("not found")]
    NotFound,
    /// The database could not be reached or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A failure reported to each of several callers that shared one attempt
    /// (a group commit).
    #[error("{0}")]
    Shared(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// The same error, for another caller that shared the attempt.
    pub fn share(&self) -> StoreError {
        match self {
            StoreError::Conflict => StoreError::Conflict,
            StoreError::NotFound => StoreError::NotFound,
            other => StoreError::Shared(other.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The store of record: the sum of one trait per area, each implemented
/// beside its SQL, and what concerns the database as a whole.
#[async_trait]
pub trait Store:
    AccountStore
    + RoomStore
    + ReadStateStore
    + LogStore
    + SearchStore
    + FileStore
    + TokenStore
    + WebhookStore
    + IdentityStore
    + PeopleStore
    + AdminStore
    + DraftStore
    + GroupStore
    + AttentionStore
    + ExportStore
    + ImportStore
    + RetentionStore
    + LaterStore
    + PushStore
    + EmailStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Waits for in-flight work and closes the connections.
    async fn close(&self);
}

/// Opens the store a database URL names (`sqlite:…` or `postgres://…`), creating
/// (SQLite) and migrating it.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|scheme| url.starts_with(scheme)) {
        Ok(Arc::new(SqlStore::open(url).await?))
    } else {
        anyhow::bail!(
            "unsupported DATABASE_URL {:?}: use sqlite:PATH or postgres://…",
            redact_url(url)
        )
    }
}

/// A URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Milliseconds since the Unix epoch, the stores' timestamp column format.
pub(crate) fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A moment as the stores keep it (milliseconds since the Unix epoch).
pub(crate) fn time_to_ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn ms_to_time(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A fresh epoch name: 16 hex digits.
pub(crate) fn new_epoch() -> String {
    Uuid::new_v4().simple().to_string()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite:data/confab.db"), "sqlite:data/confab.db");
    }

    #[test]
    fn timestamps_round_trip_to_the_millisecond() {
        let ms = 1_764_000_000_123;
        assert_eq!(
            (ms_to_time(ms).unix_timestamp_nanos() / 1_000_000) as i64,
            ms
        );
    }
}
