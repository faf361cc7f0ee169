//! The in-process broker: one instance, no peers.
//!
//! There is nobody to publish to, so `publish` and the subscriptions cost nothing;
//! presence is a count of connections per user and room, kept in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use protocol::UserRef;
use uuid::Uuid;

use super::{Broker, BrokerError, BrokerEvent};

/// One room's online users: who, and how many connections each has open.
type RoomPresence = HashMap<Uuid, (UserRef, usize)>;

#[derive(Default)]
pub struct MemoryBroker {
    presence: Mutex<HashMap<String, RoomPresence>>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn publish(&self, _room: &str, _event: BrokerEvent) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn subscribe(&self, _room: &str) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn unsubscribe(&self, _room: &str) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn presence_join(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError> {
        let mut rooms = self.presence.lock().unwrap();
        let entry = rooms
            .entry(room.to_string())
            .or_default()
            .entry(user.id)
            .or_insert_with(|| (user.clone(), 0));
        entry.1 += 1;
        Ok(entry.1 == 1)
    }

    async fn presence_leave(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError> {
        let mut rooms = self.presence.lock().unwrap();
        let Some(users) = rooms.get_mut(room) else {
            return Ok(false);
        };
        let Some(entry) = users.get_mut(&user.id) else {
            return Ok(false);
        };
        entry.1 -= 1;
        let last = entry.1 == 0;
        if last {
            users.remove(&user.id);
            if users.is_empty() {
                rooms.remove(room);
            }
        }
        Ok(last)
    }

    async fn presence_list(&self, room: &str) -> Result<Vec<UserRef>, BrokerError> {
        let rooms = self.presence.lock().unwrap();
        let mut users: Vec<UserRef> = rooms
            .get(room)
            .map(|u| u.values().map(|(user, _)| user.clone()).collect())
            .unwrap_or_default();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    async fn ready(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128, name: &str) -> UserRef {
        UserRef {
            id: Uuid::from_u128(n),
            name: name.into(),
        }
    }

    #[tokio::test]
    async fn presence_counts_connections_per_user_and_room() {
        let broker = MemoryBroker::new();
        let (a, b) = (user(1, "a"), user(2, "b"));
        assert!(broker.presence_join("r", &a).await.unwrap(), "a's first");
        assert!(
            !broker.presence_join("r", &a).await.unwrap(),
            "a's second tab"
        );
        assert!(broker.presence_join("r", &b).await.unwrap());
        assert!(
            broker.presence_join("other", &a).await.unwrap(),
            "rooms are separate"
        );
        assert_eq!(
            broker.presence_list("r").await.unwrap(),
            vec![a.clone(), b.clone()]
        );
        assert!(
            !broker.presence_leave("r", &a).await.unwrap(),
            "one tab still open"
        );
        assert!(
            broker.presence_leave("r", &a).await.unwrap(),
            "last tab closed"
        );
        assert_eq!(broker.presence_list("r").await.unwrap(), vec![b.clone()]);
        assert!(
            !broker.presence_leave("r", &a).await.unwrap(),
            "no underflow"
        );
    }
}
