//! The server's frames, applied to the model: joins and their catch-up,
//! entries of the room log in order, history pages, typing and presence,
//! news of the user's other rooms, and errors (a send refused for a while is
//! tried again).

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{now_ms, Runtime};
use crate::chat::timeline::HistoryRequest;
use crate::protocol::{Entry, ErrorCode, PresenceStatus, ServerFrame};

/// How long a `typing` notice shows, in ms.
const TYPING_SHOWS_MS: f64 = 4_000.0;

impl Runtime {
    pub(super) fn on_text(self: &Rc<Self>, text: &str) {
        let Ok(frame) = ServerFrame::parse(text) else {
            leptos::logging::warn!("unreadable frame from the server: {text}");
            return;
        };
        match frame {
            ServerFrame::Joined {
                room,
                epoch,
                recovered,
                ..
            } => {
                self.joined.borrow_mut().insert(room.clone());
                // Joining a public room made this user a member: show it.
                let listed_as_member = self
                    .model
                    .rooms
                    .with_untracked(|rooms| rooms.iter().any(|r| r.id == room && r.member));
                if !listed_as_member {
                    let runtime = self.clone();
                    spawn_local(async move { runtime.refresh_rooms().await });
                }
                let request = self.with_timeline(&room, |t| t.joined(&epoch, recovered));
                if let Some(request) = request.flatten() {
                    self.send_history(&room, request, true);
                }
                self.resend_pending(&room);
                self.mark_read_soon();
            }
            ServerFrame::Message(m) => {
                self.on_message(&m);
                self.on_entry(Entry::Message(m))
            }
            ServerFrame::Edited(e) => self.on_entry(Entry::Edited(e)),
            ServerFrame::Deleted(d) => self.on_entry(Entry::Deleted(d)),
            ServerFrame::Reaction(r) => self.on_entry(Entry::Reaction(r)),
            ServerFrame::Topic(t) => {
                self.on_topic(&t.room, &t.topic, t.seq);
                self.on_entry(Entry::Topic(t))
            }
            ServerFrame::Unfurled(u) => self.on_entry(Entry::Unfurled(u)),
            ServerFrame::Pinned(p) => {
                self.on_pinned(&p.room);
                self.on_entry(Entry::Pinned(p))
            }
            ServerFrame::RoomChanged(c) => {
                self.on_room_changed(&c);
                self.on_entry(Entry::RoomChanged(c))
            }
            ServerFrame::RoleChanged {
                room, user, role, ..
            } => self.on_role_changed(&room, &user, role),
            // The entry itself arrived before, as its own frame.
            ServerFrame::Done { reference, .. } => {
                if let Some(reference) = reference {
                    self.settled(&reference);
                }
            }
            ServerFrame::Ack {
                room,
                client_msg_id,
                seq,
                ..
            } => {
                // The echo normally came first; if it did not, fetch the message.
                let held = self.model.timelines.with_untracked(|t| {
                    t.get(&room).is_some_and(|t| {
                        t.messages
                            .values()
                            .any(|m| m.client_msg_id == client_msg_id)
                    })
                });
                if !held {
                    let request = HistoryRequest {
                        before: Some(seq + 1),
                        limit: 1,
                        ..Default::default()
                    };
                    self.send_history(&room, request, false);
                }
            }
            ServerFrame::History {
                room,
                messages,
                seq,
                reference,
            } => {
                let page = reference
                    .as_deref()
                    .and_then(|r| r.strip_prefix("page:"))
                    .and_then(|n| n.parse().ok());
                for entry in &messages {
                    match entry {
                        Entry::Topic(t) => self.on_topic(&t.room, &t.topic, t.seq),
                        Entry::RoomChanged(c) => self.on_room_changed(c),
                        _ => {}
                    }
                }
                match reference.as_deref() {
                    Some("jump") => self.with_timeline(&room, |t| t.jumped(messages, seq)),
                    Some("newer") => self.with_timeline(&room, |t| t.newer(messages, seq)),
                    _ => self.with_timeline(&room, |t| t.history(messages, seq, page)),
                };
            }
            ServerFrame::Typing { room, user } => {
                let until = now_ms() + TYPING_SHOWS_MS;
                self.model.typing.update(|typing| {
                    typing
                        .entry(room)
                        .or_default()
                        .insert(user.id, (user, until));
                });
            }
            ServerFrame::Presence { room, user, status } => {
                self.model.online.update(|online| {
                    let users = online.entry(room).or_default();
                    match status {
                        PresenceStatus::Online => users.insert(user.id, user),
                        PresenceStatus::Offline => users.remove(&user.id),
                    };
                });
            }
            ServerFrame::OnlineCount { room, count } => {
                self.model.online_count.update(|counts| {
                    counts.insert(room, count);
                });
            }
            ServerFrame::Online { room, users, count } => {
                self.model.online_count.update(|counts| {
                    counts.insert(room.clone(), count);
                });
                self.model.online.update(|online| {
                    let listed = online.entry(room).or_default();
                    listed.clear();
                    listed.extend(users.into_iter().map(|u| (u.id, u)));
                });
            }
            ServerFrame::Read { room, seq } => self.on_read(room, seq),
            ServerFrame::Activity {
                room,
                seq,
                mention,
                thread,
                notify,
            } => self.on_activity(super::notify::Activity {
                room,
                seq,
                mention,
                thread,
                notify,
            }),
            ServerFrame::Notifications(changed) => self.on_notifications(changed),
            ServerFrame::Dnd(dnd) => self.model.dnd.set(dnd),
            ServerFrame::Thread(state) => self.on_thread_state(state),
            ServerFrame::Reminder(reminder) => self.on_reminder(reminder),
            ServerFrame::RoomAdded { room } => self.on_room_added(room),
            ServerFrame::RoomRemoved { room } => self.on_room_removed(room),
            ServerFrame::Error {
                code,
                message,
                reference,
            } => self.on_error(code, message, reference),
            ServerFrame::AccountNotice { message } => self.model.notice.set(Some(message)),
            ServerFrame::UserUpdated { user } => self.know_people(vec![user]),
            ServerFrame::Draft(draft) => self.on_draft(draft),
            ServerFrame::Pong { .. } => {}
        }
    }

    /// A live or replayed entry of a room's log; a gap it reveals is asked for.
    fn on_entry(self: &Rc<Self>, entry: Entry) {
        let room = entry.room().to_string();
        self.on_other_entry(&room, entry.seq());
        if let Some(Some(gap)) = self.with_timeline(&room, |t| t.entry(entry)) {
            self.send_history(&room, gap, false);
        }
    }

    fn on_error(self: &Rc<Self>, code: ErrorCode, message: String, reference: Option<String>) {
        if let Some(change) = reference.as_deref().filter(|r| !r.starts_with("send:")) {
            self.settled(change);
        }
        let sent = reference
            .as_deref()
            .and_then(|r| r.strip_prefix("send:"))
            .and_then(|id| uuid::Uuid::parse_str(id).ok());
        match (sent, code) {
            (Some(_), ErrorCode::RateLimited | ErrorCode::Unavailable) => {
                // Kept; retried shortly with the same client_msg_id.
                let runtime = Rc::downgrade(self);
                Timeout::new(2_000, move || {
                    if let Some(runtime) = runtime.upgrade() {
                        if let Some(room) = runtime.model.current.get_untracked() {
                            runtime.resend_pending(&room);
                        }
                    }
                })
                .forget();
            }
            (Some(id), _) => {
                self.model.timelines.update(|timelines| {
                    for timeline in timelines.values_mut() {
                        timeline.pending.retain(|p| p.client_msg_id != id);
                    }
                });
                self.model.notice.set(Some(format!("Not sent: {message}")));
            }
            (None, _) => self.model.notice.set(Some(message)),
        }
    }
}
