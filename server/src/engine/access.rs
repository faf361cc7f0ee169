//! What this instance remembers about who may do what, so that a connection
//! opening or joining a busy room does not ask the store each time.
//!
//! - **Sessions found valid** are trusted for [`SESSION_TRUST`]. Ending
//!   sessions (logout, a reused refresh token, an admin disabling the
//!   account) reaches every instance at once ([`Node::end_sessions`]) and
//!   drops what they remembered of that user; a check that started before the
//!   end is not remembered. If that word is lost (Redis down), an ended
//!   session is still refused within [`SESSION_TRUST`].
//! - **Public rooms a user joined**: joining a public room makes one a
//!   member, and a public room is open to all, so this only spares asking
//!   again. Private and direct rooms are always checked with the store.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::protocol::RoomId;
use uuid::Uuid;

use super::Node;

/// How long a session found valid is trusted without asking the store.
pub const SESSION_TRUST: Duration = Duration::from_secs(10);

/// Most entries each memory holds; past it, it starts over.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub(super) struct Access {
    /// (user, session) → when the store last said it was valid.
    valid_sessions: Mutex<HashMap<(Uuid, Uuid), Instant>>,
    /// user → when their sessions (some or all) were last ended.
    ended: Mutex<HashMap<Uuid, Instant>>,
    /// (public room, user) pairs known to be members.
    public_members: Mutex<HashSet<(RoomId, Uuid)>>,
}

impl Node {
    /// Whether `user`'s `session` may go on: remembered, or asked of the
    /// store (and remembered if so).
    pub async fn session_valid(
        &self,
        user: Uuid,
        session: Uuid,
    ) -> Result<bool, crate::store::StoreError> {
        let asked = Instant::now();
        let remembered = self
            .access
            .valid_sessions
            .lock()
            .unwrap()
            .get(&(user, session))
            .copied();
        if remembered.is_some_and(|at| at.elapsed() < SESSION_TRUST && !self.ended_since(user, at))
        {
            return Ok(true);
        }
        let valid = self.store.session_valid(user, session).await?;
        if valid && !self.ended_since(user, asked) {
            let mut sessions = self.access.valid_sessions.lock().unwrap();
            if sessions.len() >= MAX_ENTRIES {
                sessions.clear();
            }
            sessions.insert((user, session), asked);
        }
        Ok(valid)
    }

    fn ended_since(&self, user: Uuid, at: Instant) -> bool {
        self.access
            .ended
            .lock()
            .unwrap()
            .get(&user)
            .is_some_and(|ended| *ended >= at)
    }

    /// Forgets that `user`'s sessions were valid (they are being ended).
    pub(super) fn forget_sessions(&self, user: Uuid) {
        let mut ended = self.access.ended.lock().unwrap();
        if ended.len() >= MAX_ENTRIES {
            // Old ends no longer matter once nothing older is remembered.
            self.access.valid_sessions.lock().unwrap().clear();
            ended.clear();
        }
        ended.insert(user, Instant::now());
        self.access
            .valid_sessions
            .lock()
            .unwrap()
            .retain(|(u, _), _| *u != user);
    }

    /// Whether `user` is known to be a member of the public room `room`.
    pub fn known_public_member(&self, room: &str, user: Uuid) -> bool {
        self.access
            .public_members
            .lock()
            .unwrap()
            .contains(&(room.to_string(), user))
    }

    /// Remembers that `user` is a member of the public room `room`.
    pub fn remember_public_member(&self, room: &str, user: Uuid) {
        let mut members = self.access.public_members.lock().unwrap();
        if members.len() >= MAX_ENTRIES {
            members.clear();
        }
        members.insert((room.to_string(), user));
    }
}
