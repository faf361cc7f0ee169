//! What the server holds for later, from the browser: scheduling the open
//! room's draft (`POST /api/scheduled`), reminders about a message (`POST
//! /api/reminders`), the Later view of both, and a reminder coming due
//! (`reminder`: a notice, a browser notification, the Later badge).

use std::rc::Rc;

use leptos::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use super::http;
use super::Runtime;
use crate::chat::model::LaterView;
use crate::protocol::{
    RemindRequest, Reminder, ReminderList, ScheduleMessage, ScheduledList, ScheduledMessage,
};

impl Runtime {
    /// Reads the scheduled messages and reminders: the badge, and the view
    /// if it is open.
    pub(super) async fn load_later(self: Rc<Self>) {
        let scheduled = http::call::<ScheduledList>("GET", "/api/scheduled", None::<&()>).await;
        let reminders = http::call::<ReminderList>("GET", "/api/reminders", None::<&()>).await;
        match (scheduled, reminders) {
            (Ok(scheduled), Ok(reminders)) => {
                let due = reminders.reminders.iter().filter(|r| r.fired).count();
                self.model.reminders_due.set(due as u32);
                if self.model.later.with_untracked(Option::is_some) {
                    self.model.later.set(Some(LaterView {
                        scheduled: scheduled.scheduled,
                        reminders: reminders.reminders,
                    }));
                }
            }
            (Err(e), _) | (_, Err(e)) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn show_later(self: Rc<Self>, show: bool) {
        if show {
            self.model.later.set(Some(LaterView::default()));
            self.load_later().await;
        } else {
            self.model.later.set(None);
        }
    }

    /// Holds the open room's draft until `at`; the box is emptied.
    pub(super) async fn schedule(self: Rc<Self>, at: OffsetDateTime) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let body = self.model.draft();
        if body.trim().is_empty() {
            self.model
                .notice
                .set(Some("Write the message first, then schedule it.".into()));
            return;
        }
        let request = ScheduleMessage {
            room: room.clone(),
            body,
            thread: None,
            at,
        };
        match http::call::<ScheduledMessage>("POST", "/api/scheduled", Some(&request)).await {
            Ok(held) => {
                self.model.set_draft(String::new());
                self.draft_sent((room, None));
                self.model.notice.set(Some(format!(
                    "Scheduled for {} {}.",
                    crate::chat::local_day(held.at),
                    crate::chat::local_time(held.at)
                )));
                self.load_later().await;
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn remind(self: Rc<Self>, message: Uuid, at: OffsetDateTime) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let request = RemindRequest {
            room,
            message: Some(message),
            note: String::new(),
            at,
        };
        match http::call::<Reminder>("POST", "/api/reminders", Some(&request)).await {
            Ok(set) => {
                self.model.notice.set(Some(format!(
                    "I will remind you {} {}.",
                    crate::chat::local_day(set.at),
                    crate::chat::local_time(set.at)
                )));
                self.load_later().await;
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn cancel_later(self: Rc<Self>, id: Uuid) {
        // One of the two lists has it.
        let reminder = self.model.later.with_untracked(|v| {
            v.as_ref()
                .is_some_and(|v| v.reminders.iter().any(|r| r.id == id))
        });
        let path = if reminder {
            format!("/api/reminders/{id}")
        } else {
            format!("/api/scheduled/{id}")
        };
        match http::send("DELETE", &path, None::<&()>).await {
            Ok(()) => self.load_later().await,
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// A reminder came due.
    pub(super) fn on_reminder(self: &Rc<Self>, reminder: Reminder) {
        let what = if reminder.note.is_empty() {
            format!(
                "Reminder: a message in {}",
                self.model.room_label(&reminder.room)
            )
        } else {
            format!("Reminder: {}", reminder.note)
        };
        self.model.notice.set(Some(what.clone()));
        self.notify(&reminder.room, true, None, Some(what));
        leptos::task::spawn_local(self.clone().load_later());
    }
}
