//! Search over messages, for both backends in `SqlStore`: SQLite's FTS5
//! index (`message_search`, rows keyed by `search_docs`) and PostgreSQL's
//! generated `tsvector` with its GIN index (migrations 0009, 0021: a
//! message's body and its files' names). Both are kept by the database
//! itself in the transaction that changes a message, so an edit's old
//! wording and a deleted body are never found. Filters are plain
//! conditions beside the match; a search of filters alone reads messages
//! newest first by time.

use async_trait::async_trait;
use protocol::{Entry, Message};

use super::sql::{Backend, SqlStore};
use super::sql_rows::{entry_from_row, readable, MESSAGE_SELECT};
use super::{SearchQuery, SearchStore, StoreResult};

/// A value bound to the statement being built.
enum Bind {
    Text(String),
    Int(i64),
}

/// The statement being built: its SQL and its values, `$n` in order.
struct Statement {
    sql: String,
    binds: Vec<Bind>,
}

impl Statement {
    /// The next placeholder for `value`.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>> {
        let by_words = !query.words.is_empty();
        let mut st = Statement {
            sql: String::new(),
            binds: Vec::new(),
        };
        let viewer = st.bind(Bind::Text(query.viewer.to_string()));
        let (from, matches) = match (by_words, self.backend) {
            (false, _) => (String::new(), "TRUE".to_string()),
            // Every word quoted: a phrase of one word each, all required.
            (true, Backend::Sqlite) => {
                let text = query
                    .words
                    .iter()
                    .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" ");
                (
                    "JOIN search_docs d ON d.message_id = m.id \
                     JOIN message_search s ON s.rowid = d.doc "
                        .to_string(),
                    format!("message_search MATCH {}", st.bind(Bind::Text(text))),
                )
            }
            (true, Backend::Postgres) => (
                String::new(),
                format!(
                    "m.search @@ plainto_tsquery('simple', {})",
                    st.bind(Bind::Text(query.words.join(" ")))
                ),
            ),
        };
        st.sql = format!(
            "{MESSAGE_SELECT}{from}WHERE {matches} AND m.deleted_ms IS NULL AND {} ",
            readable("r", &viewer)
        );
        narrow(&mut st, query);
        if let Some(before) = query.before {
            let id = st.bind(Bind::Text(before.to_string()));
            let cursor = match (by_words, self.backend) {
                (true, Backend::Sqlite) => {
                    format!("AND s.rowid < (SELECT doc FROM search_docs WHERE message_id = {id}) ")
                }
                (true, Backend::Postgres) => format!("AND m.id < {id} "),
                (false, _) => format!(
                    "AND (m.created_ms < (SELECT created_ms FROM messages WHERE id = {id}) \
                     OR (m.created_ms = (SELECT created_ms FROM messages WHERE id = {id}) \
                         AND m.id < {id})) "
                ),
            };
            st.sql.push_str(&cursor);
        }
        // Newest first: SQLite's docs are numbered as messages are stored,
        // PostgreSQL's ids are time-ordered (UUIDv7).
        st.sql.push_str(match (by_words, self.backend) {
            (true, Backend::Sqlite) => "ORDER BY s.rowid DESC ",
            (true, Backend::Postgres) => "ORDER BY m.id DESC ",
            (false, _) => "ORDER BY m.created_ms DESC, m.id DESC ",
        });
        let limit = st.bind(Bind::Int(i64::from(query.limit)));
        st.sql.push_str(&format!("LIMIT {limit}"));

        let mut statement = sqlx::query(&st.sql);
        for value in st.binds {
            statement = match value {
                Bind::Text(text) => statement.bind(text),
                Bind::Int(n) => statement.bind(n),
            };
        }
        let mut found = Vec::new();
        for row in statement.fetch_all(&self.reader).await? {
            if let Entry::Message(message) = entry_from_row(&row)? {
                found.push(message);
            }
        }
        Ok(found)
    }
}

/// The query's room and filters, as conditions on `m`.
fn narrow(st: &mut Statement, query: &SearchQuery) {
    let filters = &query.filters;
    if let Some(room) = &query.room {
        let room = st.bind(Bind::Text(room.clone()));
        st.sql.push_str(&format!("AND m.room_id = {room} "));
    }
    if let Some(name) = &filters.from {
        let name = st.bind(Bind::Text(name.to_lowercase()));
        st.sql.push_str(&format!(
            "AND m.author_id IN (SELECT id FROM users WHERE lower(name) = {name}) "
        ));
    }
    if filters.has_file {
        st.sql.push_str("AND m.attachments <> '' ");
    }
    if filters.has_link {
        st.sql
            .push_str("AND (lower(m.body) LIKE '%http://%' OR lower(m.body) LIKE '%https://%') ");
    }
    if filters.is_thread {
        st.sql.push_str("AND m.thread_id IS NOT NULL ");
    }
    if let Some(ms) = filters.before_ms {
        let ms = st.bind(Bind::Int(ms));
        st.sql.push_str(&format!("AND m.created_ms < {ms} "));
    }
    if let Some(ms) = filters.after_ms {
        let ms = st.bind(Bind::Int(ms));
        st.sql.push_str(&format!("AND m.created_ms >= {ms} "));
    }
}
