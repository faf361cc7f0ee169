//! Mentions that reach many, from the browser: user groups (for `@group`
//! completion and the Groups panel: `/api/groups`), and the confirmation a
//! message mentioning everyone waits for in a room of more than
//! `BROAD_MENTION_MEMBERS` members. Also what the page reads at sign-in
//! about the user's attention (do-not-disturb, followed threads, saved
//! messages, groups).

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::http::{self, encode};
use super::Runtime;
use crate::chat::model::{BroadConfirm, GroupCommand};
use crate::protocol::{
    mentioned_names, Broad, GroupList, MembersPage, RoomKind, RoomRole, UserGroup,
    BROAD_MENTION_MEMBERS,
};

impl Runtime {
    /// What the page needs of the user's attention, read at sign-in.
    pub(super) async fn load_attention(self: &Rc<Self>) {
        spawn_local(self.clone().load_dnd());
        spawn_local(self.clone().load_threads());
        spawn_local(self.clone().load_saved());
        spawn_local(self.clone().load_groups());
        spawn_local(self.clone().load_later());
        spawn_local(self.clone().load_push());
        spawn_local(self.clone().load_email());
    }

    pub(super) async fn load_groups(self: Rc<Self>) {
        match http::call::<GroupList>("GET", "/api/groups", None::<&()>).await {
            Ok(list) => self.model.groups.set(list.groups),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn group_command(self: Rc<Self>, command: GroupCommand) {
        let done = match command {
            GroupCommand::Show(open) => {
                self.model.groups_open.set(open);
                Ok(())
            }
            GroupCommand::Create(group) => {
                http::call::<UserGroup>("POST", "/api/groups", Some(&group))
                    .await
                    .map(|_| ())
            }
            GroupCommand::Update { id, change } => {
                http::call::<UserGroup>("PATCH", &format!("/api/groups/{id}"), Some(&change))
                    .await
                    .map(|_| ())
            }
            GroupCommand::Delete(id) => {
                http::send("DELETE", &format!("/api/groups/{id}"), None::<&()>).await
            }
        };
        match done {
            Ok(()) => self.load_groups().await,
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// Sends `body` to the open room, unless it mentions everyone in a big
    /// room: then it waits for the user to confirm ([`BroadConfirm`]).
    pub(super) fn send_checked(self: &Rc<Self>, body: String) {
        let broad = mentioned_names(&body)
            .iter()
            .any(|name| Broad::of(name).is_some());
        let room = self.model.current.get_untracked();
        let direct = room
            .as_deref()
            .and_then(|r| self.room_info(r))
            .is_some_and(|r| r.kind == RoomKind::Direct);
        let (true, Some(room), false) = (broad, room, direct) else {
            return self.send(body);
        };
        let runtime = self.clone();
        spawn_local(async move {
            let path = format!("/api/rooms/{}/members", encode(&room));
            let members = http::call::<MembersPage>("GET", &path, None::<&()>)
                .await
                .map(|page| page.members.len())
                .unwrap_or(0);
            let moderates = runtime.model.standing() >= Some(RoomRole::Moderator);
            if members as u64 > BROAD_MENTION_MEMBERS && !moderates {
                // The server would refuse it: say so, and keep the text.
                runtime.model.notice.set(Some(format!(
                    "Only the room's moderators, owners and admins can mention everyone \
                     in a room of more than {BROAD_MENTION_MEMBERS} members."
                )));
            } else if members as u64 > BROAD_MENTION_MEMBERS {
                runtime.model.confirm_broad.set(Some(BroadConfirm {
                    room,
                    body,
                    members,
                }));
            } else {
                runtime.send(body);
            }
        });
    }

    /// The user answered the confirmation.
    pub(super) fn confirm_broad(self: &Rc<Self>, send: bool) {
        let Some(held) = self.model.confirm_broad.get_untracked() else {
            return;
        };
        self.model.confirm_broad.set(None);
        if send && self.model.current.get_untracked().as_ref() == Some(&held.room) {
            self.send(held.body);
        }
    }
}
