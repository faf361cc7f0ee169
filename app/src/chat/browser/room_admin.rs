//! Running the open room from the browser (owners and moderators): adding
//! people found in the directory, removing members, setting roles,
//! renaming, archiving. Each change is the server's to allow; the member
//! list is read again after it, and the room list learns the rest from the
//! room's log (`room_changed`) and `role_changed`.

use std::rc::Rc;

use leptos::prelude::*;

use super::http::{self, encode};
use super::{found, Runtime};
use crate::chat::RoomCommand;
use crate::protocol::{
    AddMember, MeResponse, RoleRequest, RoomChanged, RoomPatch, RoomRole, UserList, UserRef,
};

impl Runtime {
    pub(super) async fn room_command(self: Rc<Self>, command: RoomCommand) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let base = format!("/api/rooms/{}", encode(&room));
        let done = match command {
            RoomCommand::FindToAdd(text) => {
                let path = format!(
                    "/api/users?q={}&limit=8",
                    encode(text.as_deref().unwrap_or("").trim())
                );
                found::search(self.model.adding, text, path, |list: UserList| list.users).await;
                return;
            }
            RoomCommand::AddMember(user) => {
                let request = AddMember { user };
                http::call::<MeResponse>("POST", &format!("{base}/members"), Some(&request))
                    .await
                    .map(|_| ())
            }
            RoomCommand::RemoveMember(user) => {
                let path = format!("{base}/members/{}", encode(&user));
                http::send("DELETE", &path, None::<&()>).await
            }
            RoomCommand::SetRole { user, role } => {
                let path = format!("{base}/members/{}", encode(&user));
                http::send("PUT", &path, Some(&RoleRequest { role })).await
            }
            RoomCommand::Rename(name) => {
                let request = RoomPatch {
                    name: Some(name),
                    ..RoomPatch::default()
                };
                http::call::<serde_json::Value>("PATCH", &base, Some(&request))
                    .await
                    .map(|_| ())
            }
            RoomCommand::Archive(archived) => {
                let verb = if archived { "archive" } else { "unarchive" };
                http::call::<serde_json::Value>("POST", &format!("{base}/{verb}"), None::<&()>)
                    .await
                    .map(|_| ())
            }
        };
        match done {
            Ok(()) => {
                if self.model.members.with_untracked(Option::is_some) {
                    self.show_members(true).await;
                }
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// A `room_changed` entry (or one replayed in history): the room's new
    /// name and whether it is archived, in the room list.
    pub(super) fn on_room_changed(&self, changed: &RoomChanged) {
        if !super::read_state::newest(&self.room_change_seq, &changed.room, changed.seq) {
            return;
        }
        self.model.rooms.update(|rooms| {
            if let Some(r) = rooms.iter_mut().find(|r| r.id == changed.room) {
                r.name = changed.name.clone();
                r.archived = changed.archived;
            }
        });
        self.update_title();
    }

    /// `role_changed`: the user's own role in the room list, and the role
    /// in the member list shown.
    pub(super) fn on_role_changed(&self, room: &str, user: &UserRef, role: RoomRole) {
        if self.me() == Some(user.id) {
            self.model.rooms.update(|rooms| {
                if let Some(r) = rooms.iter_mut().find(|r| r.id == room) {
                    r.role = Some(role);
                }
            });
        }
        self.model.members.update(|members| {
            if let Some((shown, list)) = members {
                if shown == room {
                    if let Some(m) = list.iter_mut().find(|m| m.id == user.id) {
                        m.role = role;
                    }
                }
            }
        });
    }
}
