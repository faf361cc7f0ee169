//! What the store keeps of people: profiles (display name, title, time
//! zone, status, avatar), the directory's search and avatar thumbnails.
//! Implemented in SQL by `sql_people`.

use async_trait::async_trait;
use protocol::{Profile, ProfileUpdate};
use uuid::Uuid;

use super::StoreResult;

/// A new avatar: its two thumbnails (large, small) and their digests.
pub struct NewAvatar {
    pub large: (String, Vec<u8>),
    pub small: (String, Vec<u8>),
}

/// Profiles and the directory.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// The profile of `user` (a status past its `until` reads as none).
    async fn profile(&self, user: Uuid) -> StoreResult<Option<Profile>>;
    /// The profiles of `users` that exist, in no particular order.
    async fn profiles(&self, users: &[Uuid]) -> StoreResult<Vec<Profile>>;
    /// Applies a checked update; the profile after it, `None` if no such user.
    async fn update_profile(
        &self,
        user: Uuid,
        update: &ProfileUpdate,
    ) -> StoreResult<Option<Profile>>;
    /// Replaces the user's avatar (the old thumbnails are deleted).
    async fn set_avatar(&self, user: Uuid, avatar: &NewAvatar) -> StoreResult<Option<Profile>>;
    /// Removes the user's avatar.
    async fn clear_avatar(&self, user: Uuid) -> StoreResult<Option<Profile>>;
    /// A thumbnail's bytes by digest, if it is a current avatar's.
    async fn avatar(&self, digest: &str) -> StoreResult<Option<Vec<u8>>>;
    /// The directory: people whose username or display name starts with
    /// `key` (a `protocol::search_key`), by username, at most `limit` (with
    /// more matches: the first `limit` by username and the first `limit` by
    /// display name, merged by username); deactivated people only when
    /// `deactivated`.
    async fn find_people(
        &self,
        key: &str,
        limit: u32,
        deactivated: bool,
    ) -> StoreResult<Vec<Profile>>;
}
