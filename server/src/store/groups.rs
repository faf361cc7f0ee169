//! What the store keeps of user groups: a name that mentions its members
//! (`@design`). Implemented in SQL by `sql_groups`.

use async_trait::async_trait;
use protocol::{UserGroup, UserRef};
use uuid::Uuid;

use super::StoreResult;

/// A group about to be stored, or what changes of one.
#[derive(Clone, Debug, Default)]
pub struct GroupChange {
    pub name: Option<String>,
    pub description: Option<String>,
    /// The whole new member list.
    pub members: Option<Vec<Uuid>>,
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Stores a new group; [`super::StoreError::Conflict`] if its name (in
    /// any case) is a group's or a user's.
    async fn create_group(
        &self,
        id: Uuid,
        created_by: Uuid,
        name: &str,
        description: &str,
        members: &[Uuid],
    ) -> StoreResult<()>;
    /// Changes a group; false if there is none; `Conflict` as above.
    async fn update_group(&self, id: Uuid, change: &GroupChange) -> StoreResult<bool>;
    /// Deletes a group; false if there was none.
    async fn delete_group(&self, id: Uuid) -> StoreResult<bool>;
    /// A group with its members.
    async fn group(&self, id: Uuid) -> StoreResult<Option<UserGroup>>;
    /// Every group (at most `limit`), sorted by name, with its members.
    async fn groups(&self, limit: u32) -> StoreResult<Vec<UserGroup>>;
    /// The active users `keys` name (each an id or a name, in any case).
    async fn users_named(&self, keys: &[String]) -> StoreResult<Vec<UserRef>>;
    /// The active members of the groups `names` name (lower-case) who can
    /// read `room`.
    async fn group_readers(&self, room: &str, names: &[String]) -> StoreResult<Vec<Uuid>>;
}
