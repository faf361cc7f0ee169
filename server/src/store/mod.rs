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
mod entries;
mod file_record;
mod identities;
mod postgres;
mod sql;
mod sql_accounts;
mod sql_files;
mod sql_identities;
mod sql_log;
mod sql_log_changes;
mod sql_log_reads;
mod sql_read_state;
mod sql_rooms;
mod sql_rows;
mod sql_search;
mod sql_tokens;
mod sql_transactions;
mod sql_webhooks;
mod sqlite;
mod webhooks;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use protocol::{Entry, Message, RoomId, RoomInfo, RoomKind, Seq, ThreadPage, UserRef};
use uuid::Uuid;

pub use access_tokens::{AccessToken, NewAccessToken, TokenStore};
pub use entries::{NewEntry, NewMessage, Outcome, Refusal};
pub use file_record::FileRecord;
pub use identities::{IdentityStore, LinkedIdentity};
pub use sql::{Backend, SqlStore};
pub use sql_accounts::NO_PASSWORD;
pub use webhooks::{Webhook, WebhookStore};

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
    /// What the room is about ("" when unset).
    pub topic: String,
}

/// A message as access rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: Uuid,
    pub author: Uuid,
    pub thread: Option<Uuid>,
    pub deleted: bool,
}

/// A search, checked by `domain::search`.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    /// Who searches: only rooms they can read now are searched.
    pub viewer: Uuid,
    /// Words (letters and digits, lower-case), all of which must occur.
    pub words: Vec<String>,
    /// Only this room.
    pub room: Option<RoomId>,
    /// Only messages stored before this one (the last of the previous page).
    pub before: Option<Uuid>,
    pub limit: u32,
}

/// A page of a room's log as a reader sees it (`history`).
#[derive(Clone, Debug, Default)]
pub struct LogPage {
    /// Oldest first; messages in their current state.
    pub entries: Vec<Entry>,
    /// The room's latest `seq` when the page was read.
    pub seq: Seq,
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
    /// The token had been used already (after the grace period, or inside it
    /// once its successor was used), or it was superseded by a second use of
    /// its parent (a session keeps one line of refresh tokens: see migration
    /// 0006): a copy is in other hands, so its session is now revoked.
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
pub trait Store: TokenStore + WebhookStore + IdentityStore + Send + Sync + 'static {
    /// Creates a user; [`StoreError::Conflict`] if the name (in any case) is taken.
    async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef>;
    /// Looks a user up by name, regardless of case.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;

    /// Marks a user admin (or not); false if no such user.
    async fn set_admin(&self, user: Uuid, admin: bool) -> StoreResult<bool>;
    /// Disables (or re-enables) a user; false if no such user. Disabling
    /// also ends every session of the user and every token of the bots they
    /// own, so enabling revives none.
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
    /// The direct room of `users` (2 to 9 of them, ids as [`protocol::direct_room_id`]
    /// makes them), created with all of them as members if new; true if it was.
    async fn direct_room(&self, users: &[Uuid]) -> StoreResult<(RoomRecord, bool)>;
    async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>>;
    /// Rooms `user` can see: every public room, and the others they belong to,
    /// with the user's read state of each (see [`RoomInfo`]), in one query.
    async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>>;
    /// For each direct room of `user`: the other members' names, sorted.
    async fn direct_names(&self, user: Uuid) -> StoreResult<HashMap<RoomId, Vec<String>>>;
    /// The rooms `user` is a member of, at most `limit`.
    async fn member_rooms(&self, user: Uuid, limit: u32) -> StoreResult<Vec<RoomId>>;
    /// A room's members, sorted by name, at most `limit`.
    async fn members(&self, room: &str, limit: u32) -> StoreResult<Vec<UserRef>>;
    /// Moves `user`'s read marker in `room` forward to `seq` (at most the
    /// room's latest); the new marker if it moved, None if it did not (not
    /// a member, or already there).
    async fn mark_read(&self, room: &str, user: Uuid, seq: Seq) -> StoreResult<Option<Seq>>;
    /// Mutes or unmutes `room` for `user`; false if they are not a member.
    async fn set_muted(&self, room: &str, user: Uuid, muted: bool) -> StoreResult<bool>;
    /// Adds a member; returns false if they already were one.
    async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    /// Removes a member; returns false if they were not one.
    async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;

    /// Stores one entry and assigns its `seq` (see the module docs).
    async fn append(&self, entry: NewEntry) -> StoreResult<Outcome> {
        let room = entry.room().to_string();
        let mut outcomes = self.append_batch(&room, vec![entry]).await?;
        outcomes.pop().ok_or(StoreError::NotFound)
    }
    /// Stores entries of one room in one transaction (group commit), in the
    /// order given, each as [`Store::append`] would: answers one [`Outcome`]
    /// per entry, in the same order. A `client_msg_id` stored before, or
    /// twice in the batch, answers with the first copy.
    async fn append_batch(&self, room: &str, batch: Vec<NewEntry>) -> StoreResult<Vec<Outcome>>;
    /// The log's entries with `seq` in `(after, after + limit]`, oldest first,
    /// as they are delivered: messages with their current body, without
    /// reactions or reply counts (the entries that changed those follow).
    async fn entries_after(&self, room: &str, after: Seq, limit: u32) -> StoreResult<Vec<Entry>>;
    /// The newest `limit` entries before `before` (or the newest of all),
    /// oldest first, as `viewer` sees them: messages in their whole current
    /// state, read in one snapshot with the room's latest `seq`.
    async fn history(
        &self,
        room: &str,
        at: PageAt,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<LogPage>;
    /// A thread's root and its newest `limit` replies before `before`, oldest
    /// first, as `viewer` sees them; `None` if `root` is no top-level message
    /// of the room.
    async fn thread(
        &self,
        room: &str,
        root: Uuid,
        before: Option<Seq>,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Option<ThreadPage>>;
    /// Messages matching `query` (every word, whole and case-blind) in rooms
    /// its viewer can read now, newest first, none deleted; each in its
    /// current state without reactions.
    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>>;
    /// The message `id` of `room`, for access rules.
    async fn message_record(&self, room: &str, id: Uuid) -> StoreResult<Option<MessageRecord>>;
    /// Of the users `names` (lower-case), those who can read `room` now: anyone
    /// (not disabled) for a public room, its members otherwise.
    async fn readers_named(&self, room: &str, names: &[String]) -> StoreResult<Vec<UserRef>>;

    /// Records an upload unless it would take its uploader past `quota`
    /// bytes in all; false if it would (nothing recorded).
    async fn add_file(&self, file: &FileRecord, quota: u64) -> StoreResult<bool>;
    async fn file(&self, id: Uuid) -> StoreResult<Option<FileRecord>>;
    /// Bytes of every file `user` uploaded that is still stored.
    async fn bytes_used(&self, user: Uuid) -> StoreResult<u64>;
    /// Claims the files `ids` for the message `claim` (a `client_msg_id`)
    /// that `uploader` sends to `room`: each must be theirs, uploaded to that
    /// room and not claimed by another message. All or none: None if any is
    /// not available. The records come in the order of `ids`.
    async fn claim_files(
        &self,
        room: &str,
        uploader: Uuid,
        claim: Uuid,
        ids: &[Uuid],
    ) -> StoreResult<Option<Vec<FileRecord>>>;
    /// Files uploaded before `before_ms` that no stored message carries (never
    /// sent, or their send never stored), at most `limit`.
    async fn stale_files(&self, before_ms: i64, limit: u32) -> StoreResult<Vec<FileRecord>>;
    /// Deletes files' rows, queuing their objects for [`Store::collect_objects`].
    async fn delete_files(&self, ids: &[Uuid]) -> StoreResult<()>;
    /// Takes up to `limit` queued objects that no file names any more (a
    /// deleted message's, a deleted file's): the caller deletes them.
    async fn collect_objects(&self, limit: u32) -> StoreResult<Vec<String>>;

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

pub(crate) fn ms_to_time(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Which part of a room's log a history page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAt {
    /// The newest entries before this `seq` (or the newest of all).
    Before(Option<Seq>),
    /// The oldest entries after this `seq`.
    After(Seq),
    /// The entries around this `seq`, itself included: half of the page
    /// before it and the rest after (more of one side near an end).
    Around(Seq),
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
