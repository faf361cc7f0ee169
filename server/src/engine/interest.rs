//! Whose presence each connection wants (`presence_interest`,
//! docs/PROTOCOL.md *Presence by interest*).
//!
//! Telling every subscriber of a room about every arrival costs O(N) frames
//! per join, O(N²) to fill a room: a room of 50,000 would take over a billion
//! frames. A client shows the presence of a few people at a time (the member
//! list it has open, its direct rooms, the authors on screen), so it says
//! which. While a room is small ([`PRESENCE_FOR_ALL`] online) everyone hears
//! every change as before; in a bigger one a change reaches only the
//! connections that asked about that user (a v1 client, which never says,
//! hears none), and when the room is small again everyone gets a fresh
//! `online` list, so what a client shows is never wrong for long, only less.
//!
//! The index is this instance's alone: a user's presence changes reach every
//! instance through the broker as before, and each picks its own listeners.
//! Its size is bounded by connections × [`MAX_PRESENCE_INTEREST`] ids.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use protocol::MAX_PRESENCE_INTEREST;
use uuid::Uuid;

use super::outbox::ConnId;

/// Up to how many users online in a room every connection hears every
/// presence change there (the default of `--presence-for-all`).
pub const PRESENCE_FOR_ALL: u32 = 100;

/// Each connection's declared interest, and its reverse index.
#[derive(Default)]
pub struct Interests {
    inner: Mutex<Declared>,
}

/// The index behind the lock (taken inside a room's lock, never around one).
#[derive(Default)]
pub struct Declared {
    by_conn: HashMap<ConnId, Vec<Uuid>>,
    by_user: HashMap<Uuid, HashSet<ConnId>>,
}

impl Interests {
    /// Replaces `conn`'s interest with `users` (duplicates dropped, at most
    /// [`MAX_PRESENCE_INTEREST`] kept: the caller refuses longer lists).
    pub fn set(&self, conn: ConnId, users: &[Uuid]) {
        let mut unique: Vec<Uuid> = Vec::with_capacity(users.len().min(MAX_PRESENCE_INTEREST));
        let mut seen = HashSet::with_capacity(unique.capacity());
        for user in users.iter().take(MAX_PRESENCE_INTEREST) {
            if seen.insert(*user) {
                unique.push(*user);
            }
        }
        let mut declared = self.lock();
        declared.forget(conn);
        for user in &unique {
            declared.by_user.entry(*user).or_default().insert(conn);
        }
        declared.by_conn.insert(conn, unique);
    }

    /// Forgets `conn` (its connection closed).
    pub fn forget(&self, conn: ConnId) {
        self.lock().forget(conn);
    }

    /// The users `conn` said it wants, if it said.
    pub fn of(&self, conn: ConnId) -> Option<Vec<Uuid>> {
        self.lock().by_conn.get(&conn).cloned()
    }

    /// The index, for a flush that asks about many connections at once.
    pub fn lock(&self) -> MutexGuard<'_, Declared> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Declared {
    fn forget(&mut self, conn: ConnId) {
        for user in self.by_conn.remove(&conn).unwrap_or_default() {
            if let Some(conns) = self.by_user.get_mut(&user) {
                conns.remove(&conn);
                if conns.is_empty() {
                    self.by_user.remove(&user);
                }
            }
        }
    }

    /// Whether `conn` has said whose presence it wants.
    pub fn declared(&self, conn: ConnId) -> bool {
        self.by_conn.contains_key(&conn)
    }

    /// The connections that want `user`'s presence.
    pub fn listeners(&self, user: Uuid) -> impl Iterator<Item = ConnId> + '_ {
        self.by_user.get(&user).into_iter().flatten().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_list_replaces_the_old_and_a_closed_connection_is_forgotten() {
        let interests = Interests::default();
        let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(!interests.lock().declared(1));
        interests.set(1, &[ann, ann, bob]);
        interests.set(2, &[ann]);
        assert_eq!(interests.of(1), Some(vec![ann, bob]));
        interests.set(1, &[bob]);
        let listeners = |user| {
            let mut conns: Vec<ConnId> = interests.lock().listeners(user).collect();
            conns.sort();
            conns
        };
        assert_eq!(listeners(ann), vec![2]);
        assert_eq!(listeners(bob), vec![1]);
        interests.set(2, &[]);
        assert!(interests.lock().declared(2));
        assert!(listeners(ann).is_empty());
        interests.forget(1);
        assert!(!interests.lock().declared(1));
        assert!(interests.lock().by_user.is_empty());
    }
}
