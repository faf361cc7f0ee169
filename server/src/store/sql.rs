//! The SQL behind both stores: one implementation of [`Store`] over sqlx's
//! `Any` driver, for SQLite and PostgreSQL alike. The two accept the same text
//! here (`$N` parameters, `ON CONFLICT`, `UPDATE … RETURNING`); where they
//! differ — how they connect, PostgreSQL's one-statement append and its
//! snapshot reads, SQLite's scrubbing after a deletion — `sqlite.rs` and
//! `postgres.rs` say so, chosen by [`Backend`]. Reading rows is in `sql_rows`,
//! accounts in `sql_accounts`, rooms and members in `sql_rooms`, each member's
//! read state in `sql_read_state`, the room log
//! in `sql_log` (appending), `sql_log_changes` (edits, deletions, reactions)
//! and `sql_log_reads`, search in `sql_search`, files in `sql_files`, refresh-token rotation in
//! `sql_transactions`.

use std::collections::HashMap;

use async_trait::async_trait;
use protocol::{Entry, Message, RoomId, RoomInfo, RoomKind, Seq, ThreadPage, UserRef};
use sqlx::AnyPool;
use uuid::Uuid;

use super::sql_log::Tx;
use super::{
    FileRecord, LogPage, MessageRecord, NewEntry, Outcome, RoomRecord, SearchQuery, Store,
    StoreError, StoreResult, UserRecord,
};

/// Which database a [`SqlStore`] speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store of record on SQLite or PostgreSQL.
pub struct SqlStore {
    /// Writes: one connection on SQLite (its writers queue here instead of
    /// spinning on `SQLITE_BUSY`), the shared pool on PostgreSQL.
    pub(super) writer: AnyPool,
    /// Reads: read-only connections beside the writer on SQLite (WAL), the
    /// same pool on PostgreSQL.
    pub(super) reader: AnyPool,
    pub(super) backend: Backend,
}

impl SqlStore {
    /// Opens the database a URL names (`sqlite:…` or `postgres://…`), creating
    /// (SQLite) and migrating it.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            Self::open_sqlite(url).await
        } else {
            Self::open_postgres(url).await
        }
    }

    /// The fast path of `append_batch`: assume nothing in the batch was
    /// stored before; `None` if something was.
    async fn append_unchecked(
        &self,
        room: &str,
        batch: &[NewEntry],
    ) -> StoreResult<Option<Vec<Outcome>>> {
        match self.backend {
            Backend::Postgres => self.append_in_one_statement(room, batch).await,
            Backend::Sqlite => self.append_in_tx(room, batch, false).await,
        }
    }

    /// After a batch is committed.
    async fn after_commit(&self, batch: &[NewEntry]) {
        if self.backend == Backend::Sqlite {
            self.scrub_deleted(batch).await;
        }
    }

    /// A read transaction that sees one state of the database throughout.
    pub(super) async fn read_snapshot(&self) -> StoreResult<Tx> {
        let mut tx = self.reader.begin().await?;
        if self.backend == Backend::Postgres {
            // Its default isolation takes a new snapshot per statement; in
            // WAL mode SQLite's read transaction sees one already.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// An insert's failure as the store reports it: a taken key is
/// [`StoreError::Conflict`], a row it names that is gone
/// [`StoreError::NotFound`].
pub(super) fn insert_error(e: sqlx::Error) -> StoreError {
    match &e {
        e if is_unique_violation(e) => StoreError::Conflict,
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef> {
        super::sql_accounts::create_user(self, name, password_hash).await
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRecord>> {
        super::sql_accounts::user_by_name(self, name).await
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        super::sql_accounts::user_by_id(self, id).await
    }

    async fn set_admin(&self, user: Uuid, admin: bool) -> StoreResult<bool> {
        super::sql_accounts::set_admin(self, user, admin).await
    }

    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<bool> {
        super::sql_accounts::set_disabled(self, user, disabled).await
    }

    async fn create_session(
        &self,
        session: Uuid,
        user: Uuid,
        expires_ms: i64,
        refresh_hash: &str,
    ) -> StoreResult<()> {
        super::sql_accounts::create_session(self, session, user, expires_ms, refresh_hash).await
    }

    async fn rotate_refresh(
        &self,
        hash: &str,
        next_hash: &str,
        reuse_grace_ms: i64,
    ) -> StoreResult<super::Rotation> {
        self.rotate_refresh_in_tx(hash, next_hash, reuse_grace_ms)
            .await
    }

    async fn refresh_owner(&self, hash: &str) -> StoreResult<Option<(Uuid, Uuid)>> {
        super::sql_accounts::refresh_owner(self, hash).await
    }

    async fn revoke_session(&self, session: Uuid) -> StoreResult<()> {
        super::sql_accounts::revoke_session(self, session).await
    }

    async fn session_valid(&self, user: Uuid, session: Uuid) -> StoreResult<bool> {
        super::sql_accounts::session_valid(self, user, session).await
    }

    async fn create_invite(&self, code: &str, by: Uuid) -> StoreResult<()> {
        super::sql_accounts::create_invite(self, code, by).await
    }

    async fn claim_invite(&self, code: &str) -> StoreResult<bool> {
        super::sql_accounts::claim_invite(self, code).await
    }

    async fn release_invite(&self, code: &str) -> StoreResult<()> {
        super::sql_accounts::release_invite(self, code).await
    }

    async fn ensure_public_room(&self, name: &str) -> StoreResult<()> {
        super::sql_rooms::ensure_public_room(self, name).await
    }

    async fn create_room(
        &self,
        name: &str,
        kind: RoomKind,
        owner: Uuid,
    ) -> StoreResult<RoomRecord> {
        super::sql_rooms::create_room(self, name, kind, owner).await
    }

    async fn rooms_owned(&self, user: Uuid) -> StoreResult<u64> {
        super::sql_rooms::rooms_owned(self, user).await
    }

    async fn direct_room(&self, users: &[Uuid]) -> StoreResult<(RoomRecord, bool)> {
        super::sql_rooms::direct_room(self, users).await
    }

    async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>> {
        super::sql_rooms::room(self, id).await
    }

    async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>> {
        super::sql_read_state::rooms_for(self, user).await
    }

    async fn direct_names(&self, user: Uuid) -> StoreResult<HashMap<RoomId, Vec<String>>> {
        super::sql_read_state::direct_names(self, user).await
    }

    async fn member_rooms(&self, user: Uuid, limit: u32) -> StoreResult<Vec<RoomId>> {
        super::sql_rooms::member_rooms(self, user, limit).await
    }

    async fn members(&self, room: &str, limit: u32) -> StoreResult<Vec<UserRef>> {
        super::sql_rooms::members(self, room, limit).await
    }

    async fn mark_read(&self, room: &str, user: Uuid, seq: Seq) -> StoreResult<Option<Seq>> {
        super::sql_read_state::mark_read(self, room, user, seq).await
    }

    async fn set_muted(&self, room: &str, user: Uuid, muted: bool) -> StoreResult<bool> {
        super::sql_read_state::set_muted(self, room, user, muted).await
    }

    async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        super::sql_rooms::add_member(self, room, user).await
    }

    async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        super::sql_rooms::is_member(self, room, user).await
    }

    async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        super::sql_rooms::remove_member(self, room, user).await
    }

    async fn append_batch(&self, room: &str, batch: Vec<NewEntry>) -> StoreResult<Vec<Outcome>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Resends are rare: first assume none of the batch was stored
        // before (each backend's fastest way). If one was, try again
        // checking.
        let outcomes = match self.append_unchecked(room, &batch).await? {
            Some(outcomes) => outcomes,
            None => self
                .append_in_tx(room, &batch, true)
                .await?
                .expect("a checked append always answers"),
        };
        self.after_commit(&batch).await;
        Ok(outcomes)
    }

    async fn entries_after(&self, room: &str, after: Seq, limit: u32) -> StoreResult<Vec<Entry>> {
        self.entries_after_impl(room, after, limit).await
    }

    async fn history(
        &self,
        room: &str,
        at: super::PageAt,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<LogPage> {
        self.history_impl(room, at, limit, viewer).await
    }

    async fn thread(
        &self,
        room: &str,
        root: Uuid,
        before: Option<Seq>,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Option<ThreadPage>> {
        self.thread_impl(room, root, before, limit, viewer).await
    }

    async fn add_file(&self, file: &FileRecord, quota: u64) -> StoreResult<bool> {
        self.add_file_impl(file, quota).await
    }

    async fn file(&self, id: Uuid) -> StoreResult<Option<FileRecord>> {
        self.file_impl(id).await
    }

    async fn bytes_used(&self, user: Uuid) -> StoreResult<u64> {
        self.bytes_used_impl(user).await
    }

    async fn claim_files(
        &self,
        room: &str,
        uploader: Uuid,
        claim: Uuid,
        ids: &[Uuid],
    ) -> StoreResult<Option<Vec<FileRecord>>> {
        self.claim_files_impl(room, uploader, claim, ids).await
    }

    async fn stale_files(&self, before_ms: i64, limit: u32) -> StoreResult<Vec<FileRecord>> {
        self.stale_files_impl(before_ms, limit).await
    }

    async fn delete_files(&self, ids: &[Uuid]) -> StoreResult<()> {
        self.delete_files_impl(ids).await
    }

    async fn collect_objects(&self, limit: u32) -> StoreResult<Vec<String>> {
        self.collect_objects_impl(limit).await
    }

    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>> {
        self.search_impl(query).await
    }

    async fn message_record(&self, room: &str, id: Uuid) -> StoreResult<Option<MessageRecord>> {
        self.message_record_impl(room, id).await
    }

    async fn readers_named(&self, room: &str, names: &[String]) -> StoreResult<Vec<UserRef>> {
        self.readers_named_impl(room, names).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
