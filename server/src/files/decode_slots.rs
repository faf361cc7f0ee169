//! Who may decode an image now. Decoding is the costly part of an upload
//! (`--max-image-pixels` × 4 bytes and seconds of a core), so:
//!
//! - at most [`DECODES_AT_ONCE`] run on an instance;
//! - one user has at most one of them: their next image waits for their
//!   previous one, so a few uploads in flight from one person never take
//!   every slot while others wait;
//! - nobody waits longer than the deadline given to [`DecodeSlots::take`]:
//!   past it the upload is answered "busy" (503) instead of hanging.
//!
//! The table of users holds only those with an image decoding or waiting,
//! so it is bounded by the uploads in flight (each bounded in bytes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
use uuid::Uuid;

/// Images decoded at once: a decode may take `--max-image-pixels` × 4 bytes.
pub const DECODES_AT_ONCE: usize = 2;

pub struct DecodeSlots {
    global: Semaphore,
    users: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
}

/// The right to decode one image, given back when dropped.
pub struct DecodeSlot<'a> {
    _global: SemaphorePermit<'a>,
    user_permit: Option<OwnedSemaphorePermit>,
    user: Uuid,
    slots: &'a DecodeSlots,
}

impl Default for DecodeSlots {
    fn default() -> Self {
        Self::new()
    }
}

impl DecodeSlots {
    pub fn new() -> Self {
        DecodeSlots {
            global: Semaphore::new(DECODES_AT_ONCE),
            users: Mutex::default(),
        }
    }

    /// Waits, at most `deadline`, for `user`'s turn and then a free slot;
    /// `None` once the deadline passed.
    pub async fn take(&self, user: Uuid, deadline: Duration) -> Option<DecodeSlot<'_>> {
        let mine = self
            .users
            .lock()
            .unwrap()
            .entry(user)
            .or_insert_with(|| Arc::new(Semaphore::new(1)))
            .clone();
        let waited = tokio::time::timeout(deadline, async {
            let user_permit = mine.clone().acquire_owned().await.ok()?;
            let global = self.global.acquire().await.ok()?;
            Some((user_permit, global))
        })
        .await;
        drop(mine);
        match waited {
            Ok(Some((user_permit, global))) => Some(DecodeSlot {
                _global: global,
                user_permit: Some(user_permit),
                user,
                slots: self,
            }),
            _ => {
                self.forget_if_idle(user);
                None
            }
        }
    }

    /// Drops `user`'s entry if nobody holds or waits for it.
    fn forget_if_idle(&self, user: Uuid) {
        let mut users = self.users.lock().unwrap();
        if users.get(&user).is_some_and(|s| Arc::strong_count(s) == 1) {
            users.remove(&user);
        }
    }

    /// Users with an image decoding or waiting.
    #[cfg(test)]
    fn users_in_flight(&self) -> usize {
        self.users.lock().unwrap().len()
    }
}

impl Drop for DecodeSlot<'_> {
    fn drop(&mut self) {
        self.user_permit.take();
        self.slots.forget_if_idle(self.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long enough that a free slot is always had within it, short enough
    /// for a test to wait out once.
    const DEADLINE: Duration = Duration::from_millis(300);

    #[tokio::test]
    async fn one_user_holds_one_slot_and_waits_no_longer_than_the_deadline() {
        let slots = DecodeSlots::new();
        let (mallory, bob, carol) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let first = slots.take(mallory, DEADLINE).await.expect("a free slot");
        // Her second image waits for her first, though a slot is free, and
        // gives up at the deadline.
        assert!(slots.take(mallory, DEADLINE).await.is_none());
        // Meanwhile others decode.
        let bobs = slots.take(bob, DEADLINE).await.expect("bob is not held up");
        // Both slots taken: carol waits until one is given back.
        assert!(
            slots.take(carol, DEADLINE).await.is_none(),
            "no slot is free"
        );
        drop(bobs);
        let carols = slots.take(carol, DEADLINE).await.expect("bob's slot");
        drop(first);
        drop(carols);
        assert_eq!(slots.users_in_flight(), 0, "nothing kept once idle");
        assert!(slots.take(mallory, DEADLINE).await.is_some());
    }
}
