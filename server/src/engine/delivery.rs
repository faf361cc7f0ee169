//! Delivery to this instance's connections: every room's log entries in `seq`
//! order, each once (docs/DESIGN.md 2, 4, 5).
//!
//! Entries come from this instance's own commits and from other instances
//! (through the broker). When one arrives before its predecessors — another
//! instance committed them first and its publish is still on the way — it is
//! *held* for up to [`GAP_WAIT`]: usually the publish arrives and everything
//! goes out in order. What is still missing then is read from the store, the
//! truth; so is everything the periodic catch-up finds undelivered.

use std::sync::Arc;
use std::time::Duration;

use protocol::{Entry, RoomId, Seq};
use tokio::sync::watch;

use super::room::RoomState;
use super::Node;

/// How long a message waits for its predecessors' publish before they are
/// read from the store.
pub const GAP_WAIT: Duration = Duration::from_millis(25);

/// How much a gap fill reads from the store at once.
const FILL_BATCH: u32 = 500;

impl Node {
    /// Delivers stored entries of one room to this instance's subscribers,
    /// in `seq` order, each once. Those whose predecessors are missing are
    /// held (see the module docs); then the answer is a watch of the room's
    /// delivery progress, for a caller that must know when they are out.
    pub async fn deliver_all(
        self: &Arc<Self>,
        room: &str,
        entries: Vec<Entry>,
    ) -> Option<watch::Receiver<Seq>> {
        let local = self.existing_room(room)?; // nobody here listens to it
        let mut state = local.lock().await;
        if !state.ready || state.closed {
            return None;
        }
        let newest = entries.iter().map(Entry::seq).max().unwrap_or(0);
        for entry in entries {
            if entry.epoch() != state.epoch {
                tracing::warn!(room, "entry from another epoch ignored");
            } else if entry.seq() > state.last_delivered {
                state.held.insert(entry.seq(), entry);
            }
        }
        state.release_held();
        if state.held.is_empty() {
            return None;
        }
        if !state.fill_scheduled {
            state.fill_scheduled = true;
            let (node, room) = (self.clone(), room.to_string());
            tokio::spawn(async move {
                tokio::time::sleep(GAP_WAIT).await;
                node.fill_held(&room).await;
            });
        }
        (newest > state.last_delivered).then(|| state.progress.subscribe())
    }

    /// After [`GAP_WAIT`]: reads what held messages still wait for from the
    /// store, and delivers it and them.
    async fn fill_held(&self, room: &RoomId) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        state.fill_scheduled = false;
        if let Some(&first) = state.held.keys().next() {
            self.fill(&mut state, room, first - 1).await;
            state.release_held();
        }
    }

    /// Delivers, from the store, every entry after `last_delivered` up to `upto`.
    pub(super) async fn fill(&self, state: &mut RoomState, room: &str, upto: Seq) {
        while state.last_delivered < upto {
            metrics::counter!("confab_gap_fills_total").increment(1);
            let want = (upto - state.last_delivered).min(FILL_BATCH as u64) as u32;
            match self
                .store
                .entries_after(room, state.last_delivered, want)
                .await
            {
                Ok(batch) if !batch.is_empty() => {
                    tracing::debug!(
                        room,
                        from = state.last_delivered + 1,
                        n = batch.len(),
                        "filling from the store"
                    );
                    let mut next = Vec::with_capacity(batch.len());
                    for entry in batch {
                        let expected = state.last_delivered + 1 + next.len() as Seq;
                        if entry.seq() == expected && entry.seq() <= upto {
                            next.push(entry);
                        }
                    }
                    state.fan_out(next);
                }
                Ok(_) => {
                    tracing::error!(room, upto, "store lacks entries below a delivered seq");
                    return;
                }
                Err(e) => {
                    // The periodic catch-up tries again; meanwhile clients see
                    // the gap in seq and may ask `history` for it.
                    tracing::warn!(room, error = %e, "gap fill failed");
                    return;
                }
            }
        }
    }

    /// Brings one room up to the store's latest `seq`.
    pub async fn catch_up(&self, room: &str) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        if !state.ready || state.closed {
            return;
        }
        match self.store.room(room).await {
            Ok(Some(record)) if record.epoch == state.epoch => {
                self.fill(&mut state, room, record.last_seq).await;
                state.release_held();
            }
            Ok(_) => tracing::warn!(room, "room vanished or changed epoch"),
            Err(e) => tracing::warn!(room, error = %e, "catch-up failed"),
        }
    }

    /// Every `interval`, catches up every room with subscribers here: a publish
    /// lost while the subscription stayed up is delivered within one interval.
    pub async fn run_catch_up(self: Arc<Self>, interval: std::time::Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.catch_up_all().await;
        }
    }

    /// Catches up every room that has subscribers here.
    pub async fn catch_up_all(&self) {
        let rooms: Vec<RoomId> = self.rooms.lock().unwrap().keys().cloned().collect();
        for room in rooms {
            self.catch_up(&room).await;
        }
    }
}
