//! The store of record: users, rooms, memberships and messages.
//!
//! Everything a user is promised rests on one rule here: a message's `seq` is
//! assigned in the same transaction that stores it, by bumping its room's counter
//! (`rooms.last_seq`). The row lock that bump takes serializes writers, so a room's
//! `seq`s have no holes and `n` is committed before `n + 1` can be. The unique key on
//! (room, author, client_msg_id) makes a resent message a no-op that answers with the
//! first `seq`.
//!
//! [`Store`] is the interface the rest of the server sees; [`open`] picks the
//! implementation from the database URL.

mod postgres;
mod sql;
mod sql_rows;
mod sql_transactions;
mod sqlite;

use std::sync::Arc;

use app::protocol::{Message, RoomId, RoomInfo, RoomKind, Seq, UserRef};
use async_trait::async_trait;
use uuid::Uuid;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A user as the server knows them, password hash included.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub user: UserRef,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
}

/// A room as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRecord {
    pub id: RoomId,
    pub name: String,
    pub kind: RoomKind,
    pub owner: Option<Uuid>,
    /// Names this room's history; a new one means `seq` started again.
    pub epoch: String,
    pub last_seq: Seq,
}

/// A message about to be stored.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub room: RoomId,
    pub author: UserRef,
    pub client_msg_id: Uuid,
    pub body: String,
}

/// What [`Store::append`] did.
#[derive(Clone, Debug)]
pub struct Appended {
    /// The stored message: the new one, or the one first stored under this
    /// `client_msg_id`.
    pub message: Message,
    /// False when the `client_msg_id` had been stored before.
    pub fresh: bool,
}

/// What [`Store::rotate_refresh`] did.
#[derive(Clone, Debug)]
pub enum Rotation {
    /// The new token is live in the same session, which lasts until `expires_ms`.
    Rotated {
        user: UserRef,
        session: Uuid,
        expires_ms: i64,
    },
    /// The token had been used already: its session is now revoked.
    Reused { user: Uuid, session: Uuid },
    /// Unknown token, or its session expired or was revoked, or the account is
    /// disabled.
    Invalid,
}

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

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a user; [`StoreError::Conflict`] if the name (in any case) is taken.
    async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef>;
    /// Looks a user up by name, regardless of case.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;

    /// Marks a user admin (or not); false if no such user.
    async fn set_admin(&self, user: Uuid, admin: bool) -> StoreResult<bool>;
    /// Disables (or re-enables) a user; false if no such user.
    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<bool>;

    /// Starts a session for `user`, lasting until `expires_ms`, with its first
    /// refresh token (stored as its hash). Sessions that expired are cleared out.
    async fn create_session(
        &self,
        session: Uuid,
        user: Uuid,
        expires_ms: i64,
        refresh_hash: &str,
    ) -> StoreResult<()>;
    /// Trades the refresh token `hash` for `next_hash` in the same session (see
    /// [`Rotation`]). A token used before is accepted again only within
    /// `reuse_grace_ms` of its first use (two tabs refreshing at once); later, it
    /// revokes its session.
    async fn rotate_refresh(
        &self,
        hash: &str,
        next_hash: &str,
        reuse_grace_ms: i64,
    ) -> StoreResult<Rotation>;
    /// The user and session a refresh token belongs to, if it is known.
    async fn refresh_owner(&self, hash: &str) -> StoreResult<Option<(Uuid, Uuid)>>;
    /// Ends a session: its access and refresh tokens are refused from now on.
    async fn revoke_session(&self, session: Uuid) -> StoreResult<()>;
    /// Whether a session may go on: the user exists and is not disabled, and the
    /// session is theirs, not revoked and not expired.
    async fn session_valid(&self, user: Uuid, session: Uuid) -> StoreResult<bool>;

    /// Records a new single-use invite code.
    async fn create_invite(&self, code: &str, by: Uuid) -> StoreResult<()>;
    /// Uses up an invite code; false if it does not exist or was used.
    async fn claim_invite(&self, code: &str) -> StoreResult<bool>;
    /// Makes a claimed code usable again (the registration it was for failed).
    async fn release_invite(&self, code: &str) -> StoreResult<()>;

    /// Creates the public room `name` unless it exists (used for `general`).
    async fn ensure_public_room(&self, name: &str) -> StoreResult<()>;
    /// Creates a room owned (and joined) by `owner`; Conflict if the id is taken.
    async fn create_room(&self, name: &str, kind: RoomKind, owner: Uuid)
        -> StoreResult<RoomRecord>;
    /// How many rooms `user` owns.
    async fn rooms_owned(&self, user: Uuid) -> StoreResult<u64>;
    /// The direct room of two users, created (with both as members) if new.
    async fn direct_room(&self, a: Uuid, b: Uuid) -> StoreResult<RoomRecord>;
    async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>>;
    /// Rooms `user` can see: every public room, and the others they belong to.
    async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>>;
    /// Adds a member; returns false if they already were one.
    async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    /// Removes a member; returns false if they were not one.
    async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;

    /// Stores a message and assigns its `seq` (see the module docs).
    async fn append(&self, message: NewMessage) -> StoreResult<Appended> {
        let room = message.room.clone();
        let mut appended = self.append_batch(&room, vec![message]).await?;
        appended.pop().ok_or(StoreError::NotFound)
    }
    /// Stores messages to one room in one transaction (group commit), in the
    /// order given, each as [`Store::append`] would: answers one [`Appended`]
    /// per message, in the same order. A `client_msg_id` stored before, or
    /// twice in the batch, answers with the first copy.
    async fn append_batch(&self, room: &str, batch: Vec<NewMessage>) -> StoreResult<Vec<Appended>>;
    /// Messages with `seq` in `(after, after + limit]`, oldest first.
    async fn messages_after(&self, room: &str, after: Seq, limit: u32)
        -> StoreResult<Vec<Message>>;
    /// The newest `limit` messages before `before` (or the newest of all), oldest first.
    async fn messages_before(
        &self,
        room: &str,
        before: Option<Seq>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Waits for in-flight work and closes the connections.
    async fn close(&self);
}

/// Opens the store a database URL names (`sqlite:…` or `postgres://…`), creating
/// (SQLite) and migrating it.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
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

pub(crate) fn ms_to_time(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The id of the direct room of two users: the same whichever asks.
pub fn direct_room_id(a: Uuid, b: Uuid) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("dm:{low}:{high}")
}

/// The two users of a direct room's id.
pub fn direct_room_users(id: &str) -> Option<(Uuid, Uuid)> {
    let (a, b) = id.strip_prefix("dm:")?.split_once(':')?;
    Some((Uuid::parse_str(a).ok()?, Uuid::parse_str(b).ok()?))
}

/// A fresh epoch name: 16 hex digits.
pub(crate) fn new_epoch() -> String {
    Uuid::new_v4().simple().to_string()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_room_ids_are_symmetric_and_parse_back() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(direct_room_id(a, b), direct_room_id(b, a));
        assert_eq!(direct_room_users(&direct_room_id(b, a)), Some((a, b)));
        assert!(!app::protocol::valid_room_name(&direct_room_id(a, b)));
        assert_eq!(direct_room_users("general"), None);
    }

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
