//! Healing what a lost eviction left: an eviction published while this
//! instance could not hear it (Redis away) never arrived, so after the broker
//! resubscribes every private and direct room with subscribers here has them
//! checked against the store's members, and whoever is no member any more is
//! evicted here, as the lost event would have done.

use std::collections::HashSet;

use protocol::{RoomId, RoomKind};
use uuid::Uuid;

use super::Node;

impl Node {
    /// Evicts, here, the subscribers of non-public rooms who are no longer
    /// members. A store that does not answer leaves things as they are (the
    /// next resubscription asks again).
    pub async fn recheck_members(&self) {
        let rooms: Vec<RoomId> = self.rooms.lock().unwrap().keys().cloned().collect();
        for room in rooms {
            match self.store.room(&room).await {
                Ok(Some(record)) if record.kind != RoomKind::Public => {}
                _ => continue,
            }
            let Some(local) = self.existing_room(&room) else {
                continue;
            };
            let users: HashSet<Uuid> = {
                let state = local.lock().await;
                state.subscribers.values().map(|s| s.user.id).collect()
            };
            for user in users {
                if let Ok(false) = self.store.is_member(&room, user).await {
                    tracing::info!(room, %user, "evicted here after a lost eviction");
                    self.local_evict(&room, user, false).await;
                }
            }
        }
    }
}
