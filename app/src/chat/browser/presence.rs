//! Whose presence this page wants (`presence_interest`, docs/PROTOCOL.md
//! *Presence by interest*): the authors of the messages it holds and the
//! member list it has open. Big rooms tell a connection of those only.

use std::collections::BTreeSet;
use std::rc::Rc;

use leptos::prelude::*;
use uuid::Uuid;

use super::Runtime;
use crate::chat::model::ChatModel;
use crate::protocol::{ClientFrame, MAX_PRESENCE_INTEREST};

/// Whose presence the page shows: the member list's people first, then the
/// authors of the held messages, newest first, at most
/// [`MAX_PRESENCE_INTEREST`]. Tracked: it changes as they do.
fn shown(model: &ChatModel) -> Vec<Uuid> {
    let mut wanted: Vec<Uuid> = model.members.with(|members| {
        members
            .iter()
            .flat_map(|(_, list)| list.iter().map(|m| m.id))
            .collect()
    });
    model.timelines.with(|timelines| {
        for timeline in timelines.values() {
            wanted.extend(timeline.messages.values().rev().map(|m| m.author.id));
        }
    });
    let mut seen = BTreeSet::new();
    wanted.retain(|id| seen.insert(*id));
    wanted.truncate(MAX_PRESENCE_INTEREST);
    wanted
}

impl Runtime {
    /// Tells the server whose presence the page shows whenever that
    /// changes (and on every new socket: [`Runtime::send_presence_interest`]).
    pub(super) fn keep_presence_interest(self: &Rc<Self>) {
        let model = self.model;
        let runtime = Rc::downgrade(self);
        Effect::new(move |_| {
            let wanted = shown(&model);
            if let Some(runtime) = runtime.upgrade() {
                runtime.say_interest(wanted, false);
            }
        });
    }

    /// Says the page's interest on a socket just opened, before its joins.
    pub(super) fn send_presence_interest(&self) {
        let wanted = shown_untracked(&self.model);
        self.say_interest(wanted, true);
    }

    fn say_interest(&self, mut wanted: Vec<Uuid>, fresh_socket: bool) {
        if !self.opened.get() {
            return;
        }
        wanted.sort_unstable();
        if !fresh_socket && self.interest_said.borrow().as_ref() == Some(&wanted) {
            return;
        }
        self.send_frame(
            ClientFrame::PresenceInterest {
                users: wanted.clone(),
            },
            None,
        );
        *self.interest_said.borrow_mut() = Some(wanted);
    }
}

fn shown_untracked(model: &ChatModel) -> Vec<Uuid> {
    leptos::prelude::untrack(|| shown(model))
}
