//! Search over messages, for both backends in `SqlStore`: SQLite's FTS5
//! index (`message_search`, rows keyed by `search_docs`) and PostgreSQL's
//! generated `tsvector` with its GIN index (migrations 0009). Both are kept
//! by the database itself in the transaction that changes a message, so an
//! edit's old wording and a deleted body are never found.

use async_trait::async_trait;
use protocol::{Entry, Message};

use super::sql::{Backend, SqlStore};
use super::sql_rows::{entry_from_row, readable, MESSAGE_SELECT};
use super::{SearchQuery, SearchStore, StoreResult};

#[async_trait]
impl SearchStore for SqlStore {
    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>> {
        if query.words.is_empty() {
            return Ok(Vec::new());
        }
        let (from, matches, text) = match self.backend {
            // Every word quoted: a phrase of one word each, all required.
            Backend::Sqlite => (
                "JOIN search_docs d ON d.message_id = m.id \
                 JOIN message_search s ON s.rowid = d.doc ",
                "message_search MATCH $1",
                query
                    .words
                    .iter()
                    .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Backend::Postgres => (
                "",
                "m.search @@ plainto_tsquery('simple', $1)",
                query.words.join(" "),
            ),
        };
        let mut sql = format!(
            "{MESSAGE_SELECT}{from}WHERE {matches} AND m.deleted_ms IS NULL AND {} ",
            readable("r", "$2")
        );
        let mut next = 3;
        if query.room.is_some() {
            sql.push_str(&format!("AND m.room_id = ${next} "));
            next += 1;
        }
        if query.before.is_some() {
            sql.push_str(&match self.backend {
                Backend::Sqlite => format!(
                    "AND s.rowid < (SELECT doc FROM search_docs WHERE message_id = ${next}) "
                ),
                Backend::Postgres => format!("AND m.id < ${next} "),
            });
            next += 1;
        }
        // Newest first: SQLite's docs are numbered as messages are stored,
        // PostgreSQL's ids are time-ordered (UUIDv7).
        sql.push_str(match self.backend {
            Backend::Sqlite => "ORDER BY s.rowid DESC ",
            Backend::Postgres => "ORDER BY m.id DESC ",
        });
        sql.push_str(&format!("LIMIT ${next}"));

        let mut statement = sqlx::query(&sql).bind(text).bind(query.viewer.to_string());
        if let Some(room) = &query.room {
            statement = statement.bind(room.as_str());
        }
        if let Some(before) = query.before {
            statement = statement.bind(before.to_string());
        }
        statement = statement.bind(query.limit as i64);
        let mut found = Vec::new();
        for row in statement.fetch_all(&self.reader).await? {
            if let Entry::Message(message) = entry_from_row(&row)? {
                found.push(message);
            }
        }
        Ok(found)
    }
}
