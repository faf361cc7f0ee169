//! How both stores read rows: the columns every message query selects, and the
//! functions that turn a row into a user, a room or a message. Stamped out per
//! backend (the row type differs) inside [`sql_store!`](super::sql::sql_store).

/// Every message query's columns, in the order `message_from_row` reads them.
macro_rules! message_select {
    ($rest:literal) => {
        concat!(
            "SELECT m.room_id, m.seq, r.epoch, m.id, m.client_msg_id, m.author_id, u.name, \
             m.body, m.created_ms \
             FROM messages m JOIN users u ON u.id = m.author_id \
             JOIN rooms r ON r.id = m.room_id ",
            $rest
        )
    };
}

/// The row-decoding functions for rows of type `$row`; expects the imports of
/// `sql_store!` in scope.
macro_rules! sql_rows {
    ($row:ty) => {
        fn parse_uuid(s: &str) -> StoreResult<Uuid> {
            Uuid::parse_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
        }

        fn user_from_row(row: &$row) -> StoreResult<UserRecord> {
            Ok(UserRecord {
                user: UserRef {
                    id: parse_uuid(row.try_get("id")?)?,
                    name: row.try_get("name")?,
                },
                password_hash: row.try_get("password_hash")?,
                is_admin: row.try_get::<i64, _>("is_admin")? != 0,
                disabled: row.try_get::<i64, _>("disabled")? != 0,
            })
        }

        fn kind_from_str(s: &str) -> StoreResult<RoomKind> {
            RoomKind::parse(s).ok_or_else(|| {
                StoreError::Database(sqlx::Error::Decode(format!("bad room kind {s:?}").into()))
            })
        }

        fn room_from_row(row: &$row) -> StoreResult<RoomRecord> {
            let owner: Option<String> = row.try_get("owner_id")?;
            Ok(RoomRecord {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: kind_from_str(row.try_get("kind")?)?,
                owner: owner.as_deref().map(parse_uuid).transpose()?,
                epoch: row.try_get("epoch")?,
                last_seq: row.try_get::<i64, _>("last_seq")? as Seq,
            })
        }

        fn message_from_row(row: &$row) -> StoreResult<Message> {
            Ok(Message {
                room: row.try_get(0)?,
                seq: row.try_get::<i64, _>(1)? as Seq,
                epoch: row.try_get(2)?,
                id: parse_uuid(row.try_get(3)?)?,
                client_msg_id: parse_uuid(row.try_get(4)?)?,
                author: UserRef {
                    id: parse_uuid(row.try_get(5)?)?,
                    name: row.try_get(6)?,
                },
                body: row.try_get(7)?,
                ts: ms_to_time(row.try_get(8)?),
            })
        }
    };
}

pub(crate) use message_select;
pub(crate) use sql_rows;
