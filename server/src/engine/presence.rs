//! Presence and typing: who is online in a room, and who is typing in it.
//!
//! A user is online in a room while any of their connections, on any instance,
//! is joined to it; the broker counts connections per user and room, and says
//! when a count goes from 0 to 1 (online) or back (offline). Neither presence
//! nor typing is ever sent to the user it is about. None of this runs under a
//! room's lock: it waits on Redis, and a room's deliveries must not.

use std::time::{Duration, Instant};

use protocol::{PresenceStatus, ServerFrame, UserRef};

use uuid::Uuid;

use super::online::Next;
use super::outbox::{frame, ConnId, Frame, Outbox};
use super::room::Gathered;
use super::Node;
use crate::broker::BrokerEvent;

/// How long presence and typing frames gather before they go out together, at
/// least. A thousand people joining a room at nine would otherwise cost a
/// million writes.
const GATHER: Duration = Duration::from_millis(50);

/// What each local subscriber adds to the gathering window, up to
/// [`GATHER_MAX`]: a flush costs one write per subscriber, so a big room
/// flushes less often (5,000 here: every 300 ms, ~17,000 writes a second
/// instead of 100,000), a small one as promptly as before.
const GATHER_PER_SUBSCRIBER: Duration = Duration::from_micros(50);
const GATHER_MAX: Duration = Duration::from_secs(1);

/// The gathering window for a room with `subscribers` local subscribers.
fn gather_window(subscribers: usize) -> Duration {
    let extra = GATHER_PER_SUBSCRIBER.saturating_mul(subscribers.min(u32::MAX as usize) as u32);
    (GATHER + extra).min(GATHER_MAX)
}

pub fn presence_frame(room: &str, user: &UserRef, status: PresenceStatus) -> Frame {
    frame(&ServerFrame::Presence {
        room: room.to_string(),
        user: user.clone(),
        status,
    })
}

pub fn typing_frame(room: &str, user: &UserRef) -> Frame {
    frame(&ServerFrame::Typing {
        room: room.to_string(),
        user: user.clone(),
    })
}

impl Node {
    /// Tells the joiner who is online, and everyone else that the joiner is,
    /// if this is the joiner's first connection to the room.
    pub(super) async fn presence_joined(
        &self,
        conn: ConnId,
        room: &str,
        user: &UserRef,
        outbox: &Outbox,
    ) {
        let first = match self.broker.presence_join(room, user).await {
            Ok(first) => first,
            Err(e) => {
                tracing::warn!(room, error = %e, "presence unavailable");
                return;
            }
        };
        // One frame, however many are online: a frame each would fill the
        // joiner's queue in a big room before it read `joined`. A joiner
        // that said whose presence it wants hears of those only.
        let wanted = self.interests.of(conn);
        if let Some((users, count)) = self.online_listing(room, user, wanted.as_deref()).await {
            outbox.push(frame(&ServerFrame::Online {
                room: room.to_string(),
                users,
                count,
            }));
        }
        if first {
            self.announce_presence(room, user, PresenceStatus::Online)
                .await;
        }
    }

    /// Who is online in `room` (the joiner `user` among them), from the
    /// room's mirror (`online`), reading the broker only when the mirror is
    /// new or stale. None if the room is no longer subscribed here. With
    /// `wanted`, only those of them who are online are named.
    async fn online_listing(
        &self,
        room: &str,
        user: &UserRef,
        wanted: Option<&[Uuid]>,
    ) -> Option<(Vec<UserRef>, u32)> {
        let local = self.existing_room(room)?;
        local.lock().await.online.set(user, true);
        let for_all = self.presence_for_all;
        let list = |online: &super::online::Online| online.listing_for(wanted, for_all);
        loop {
            let mut state = local.lock().await;
            match state.online.next(Instant::now()) {
                Next::List => return Some(list(&state.online)),
                Next::Load => {
                    drop(state);
                    let listed = self.broker.presence_list(room).await;
                    if let Err(e) = &listed {
                        tracing::warn!(room, error = %e, "presence list unavailable");
                    }
                    let mut state = local.lock().await;
                    state.online.finish_load(listed.ok(), Instant::now());
                    return Some(list(&state.online));
                }
                Next::Wait(mut loads) => {
                    drop(state);
                    // Bounded: an abandoned read is taken over after a while.
                    let _ = tokio::time::timeout(GATHER_MAX, loads.changed()).await;
                }
            }
        }
    }

    /// Counts one connection fewer for each of `users` (one entry per
    /// connection that left), and announces whoever went offline.
    pub(super) async fn presence_left(&self, room: &str, users: &[UserRef]) {
        let mut went_offline = Vec::new();
        for user in users {
            match self.broker.presence_leave(room, user).await {
                Ok(true) => went_offline.push(user),
                Ok(false) => {}
                Err(e) => tracing::warn!(room, error = %e, "presence unavailable"),
            }
        }
        for user in went_offline {
            self.announce_presence(room, user, PresenceStatus::Offline)
                .await;
        }
    }

    /// Tells the room, here and on other instances, that `user` came or went.
    async fn announce_presence(&self, room: &str, user: &UserRef, status: PresenceStatus) {
        self.broadcast_here(
            room,
            presence_frame(room, user, status),
            user,
            Heard::Presence(status),
        )
        .await;
        let event = BrokerEvent::Presence(user.clone(), status);
        if let Err(e) = self.broker.publish(room, event).await {
            tracing::warn!(room, error = %e, "presence publish failed");
        }
    }

    /// Tells the room, here and on other instances, that `user` is typing.
    pub async fn typing(&self, room: &str, user: &UserRef) {
        self.broadcast_here(room, typing_frame(room, user), user, Heard::Typing)
            .await;
        if let Err(e) = self
            .broker
            .publish(room, BrokerEvent::Typing(user.clone()))
            .await
        {
            tracing::debug!(room, error = %e, "typing publish failed");
        }
    }

    /// Queues `frame` for this instance's subscribers of `room`, but those of
    /// `about` (the user it is about), within [`gather_window`]. A user's
    /// `typing` counts once per window, however often it came; presence
    /// also updates the room's mirror of who is online.
    pub(super) async fn broadcast_here(
        &self,
        room: &str,
        frame: Frame,
        about: &UserRef,
        heard: Heard,
    ) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        let typing = match heard {
            Heard::Typing => {
                if state.soon.iter().any(|s| s.typing && s.about == about.id) {
                    return;
                }
                true
            }
            Heard::Presence(status) => {
                state.online.set(about, status == PresenceStatus::Online);
                false
            }
        };
        state.soon.push(Gathered {
            about: about.id,
            frame,
            typing,
        });
        if state.soon.len() == 1 {
            let window = gather_window(state.subscribers.len());
            let local = local.clone();
            let (room, interests, for_all) = (
                room.to_string(),
                self.interests.clone(),
                self.presence_for_all,
            );
            tokio::spawn(async move {
                tokio::time::sleep(window).await;
                let mut state = local.lock().await;
                state.flush_soon(&room, &interests.lock(), for_all);
            });
        }
    }

    /// Takes `conn`'s word on whose presence it wants (replacing any earlier)
    /// and tells it which of them are online in each of its `rooms`, with
    /// each room's count.
    pub async fn presence_interest(
        &self,
        conn: ConnId,
        users: &[Uuid],
        rooms: impl IntoIterator<Item = &str>,
        outbox: &Outbox,
    ) {
        self.interests.set(conn, users);
        for room in rooms {
            let Some(local) = self.existing_room(room) else {
                continue;
            };
            let state = local.lock().await;
            let (online, count) = state.online.listing_for(Some(users), self.presence_for_all);
            drop(state);
            outbox.push(frame(&ServerFrame::Online {
                room: room.to_string(),
                users: online,
                count,
            }));
        }
    }

    /// Forgets whose presence `conn` wanted (it closed).
    pub fn presence_forget(&self, conn: ConnId) {
        self.interests.forget(conn);
    }
}

/// What a frame for [`Node::broadcast_here`] tells.
#[derive(Clone, Copy)]
pub enum Heard {
    Typing,
    Presence(PresenceStatus),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_rooms_gather_longer_up_to_a_second() {
        assert_eq!(gather_window(0), GATHER);
        assert_eq!(gather_window(100), Duration::from_millis(55));
        assert_eq!(gather_window(5_000), Duration::from_millis(300));
        assert_eq!(gather_window(1_000_000), GATHER_MAX);
    }
}
