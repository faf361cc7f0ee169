//! How both stores read rows: the functions that turn a row into a user or a
//! room (log entries are read in `sql_log`). Stamped out per
//! backend (the row type differs) inside [`sql_store!`](super::sql::sql_store).

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
    };
}

pub(crate) use sql_rows;
