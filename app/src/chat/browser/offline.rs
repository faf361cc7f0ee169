//! Reading offline (docs/DESIGN.md, "Beyond the tab"). This device keeps,
//! in IndexedDB, who is signed in, their room list and the newest messages
//! of the rooms they opened last (`timeline::SavedRoom`), written a moment
//! after they change. When the page opens and the server cannot be reached
//! (no network, or the server is down) it shows that copy, marked offline
//! (`Link::Offline`), sends nothing (the composer is off: nothing is queued
//! that could not be sent) and tries again until the server answers; then
//! the session goes on as usual and every room joins from where its copy
//! ends, so what was sent meanwhile arrives. Signing out forgets the copy.
//!
//! Bounded: `KEPT_ROOMS` rooms of at most `SAVED_ROOM_BYTES` each, and the
//! room list.

use std::collections::HashMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use idb::builder::ObjectStoreBuilder;
use idb::{Database, TransactionMode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{now_ms, Runtime};
use crate::chat::model::{Link, Session};
use crate::chat::timeline::{SavedRoom, Timeline};
use crate::protocol::{RoomId, RoomInfo, Seq, UserRef};

const DATABASE: &str = "confab";
const STORE: &str = "saved";
/// The record of who is signed in and their rooms.
const ME: &str = "me";
/// Rooms kept: the ones opened last.
const KEPT_ROOMS: usize = 20;
/// How long after a change the copy is written (changes meanwhile go with it).
const SAVE_AFTER_MS: u32 = 1_500;
/// How often a page opened offline asks the server again (besides when the
/// browser says it is back online).
const RETRY_OFFLINE_MS: u32 = 10_000;

/// Who was signed in, and their rooms, when the copy was written.
#[derive(Serialize, Deserialize)]
struct SavedMe {
    user: UserRef,
    rooms: Vec<RoomInfo>,
    /// The rooms kept, the open one last.
    opened: Vec<RoomId>,
    current: Option<RoomId>,
    /// When (ms since the epoch).
    saved_at: f64,
}

/// Per room: what its copy was written from (newest `seq`, messages held).
pub(super) type SavedMarks = HashMap<RoomId, (Option<Seq>, usize)>;

async fn open() -> Result<Database, idb::Error> {
    Database::builder(DATABASE)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new(STORE))
        .build()
        .await
}

fn room_key(room: &str) -> String {
    format!("room:{room}")
}

/// Writes `records` (key, JSON) and removes `gone`, in one transaction.
async fn write(records: Vec<(String, String)>, gone: Vec<String>) -> Result<(), idb::Error> {
    let database = open().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    let store = transaction.object_store(STORE)?;
    for key in gone {
        store.delete(JsValue::from_str(&key))?.await?;
    }
    for (key, json) in records {
        store
            .put(&JsValue::from_str(&json), Some(&JsValue::from_str(&key)))?
            .await?;
    }
    transaction.commit()?.await?;
    database.close();
    Ok(())
}

async fn read(key: &str) -> Result<Option<String>, idb::Error> {
    let database = open().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadOnly)?;
    let value = transaction
        .object_store(STORE)?
        .get(JsValue::from_str(key))?
        .await?;
    transaction.await?;
    database.close();
    Ok(value.and_then(|v| v.as_string()))
}

async fn read_json<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
    serde_json::from_str(&read(key).await.ok()??).ok()
}

/// Forgets the copy (sign-out, or another user signing in).
pub(super) async fn forget() {
    let cleared = async {
        let database = open().await?;
        let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
        transaction.object_store(STORE)?.clear()?.await?;
        transaction.commit()?.await?;
        database.close();
        Ok::<(), idb::Error>(())
    };
    let _ = cleared.await;
}

impl Runtime {
    /// Writes the copy a moment after the rooms or the messages change, while
    /// connected (a copy shown offline is not written back).
    pub(super) fn keep_for_offline(self: &Rc<Self>) {
        let model = self.model;
        let runtime = Rc::downgrade(self);
        Effect::new(move |_| {
            model.timelines.track();
            model.rooms.track();
            model.current.track();
            let Some(runtime) = runtime.upgrade() else {
                return;
            };
            if runtime.save_timer.borrow().is_some() {
                return;
            }
            let later = Rc::downgrade(&runtime);
            *runtime.save_timer.borrow_mut() = Some(Timeout::new(SAVE_AFTER_MS, move || {
                if let Some(runtime) = later.upgrade() {
                    runtime.save_timer.borrow_mut().take();
                    spawn_local(runtime.save_copy());
                }
            }));
        });
    }

    async fn save_copy(self: Rc<Self>) {
        let Session::SignedIn(user) = self.model.session.get_untracked() else {
            return;
        };
        if !matches!(self.model.link.get_untracked(), Link::Online) {
            return;
        }
        let current = self.model.current.get_untracked();
        // The rooms opened last, the open one among them.
        let mut opened: Vec<RoomId> = self.visited.borrow().clone();
        if let Some(current) = &current {
            opened.retain(|r| r != current);
            opened.push(current.clone());
        }
        let dropped: Vec<RoomId> = opened
            .drain(..opened.len().saturating_sub(KEPT_ROOMS))
            .collect();
        let mut records = Vec::new();
        self.model.timelines.with_untracked(|timelines| {
            let mut marks = self.saved_marks.borrow_mut();
            for room in &opened {
                let Some(timeline) = timelines.get(room) else {
                    continue;
                };
                let mark = (timeline.last_seq(), timeline.messages.len());
                if marks.get(room) == Some(&mark) {
                    continue;
                }
                if let Some(json) = timeline.saved() {
                    marks.insert(room.clone(), mark);
                    records.push((room_key(room), json));
                }
            }
            for room in &dropped {
                marks.remove(room);
            }
        });
        let me = SavedMe {
            user,
            rooms: self.model.rooms.get_untracked(),
            opened,
            current,
            saved_at: now_ms(),
        };
        if let Ok(json) = serde_json::to_string(&me) {
            records.push((ME.to_string(), json));
        }
        let gone = dropped.iter().map(|r| room_key(r)).collect();
        if write(records, gone).await.is_err() {
            // Not kept this time (storage full or refused): write every
            // room again next time.
            self.saved_marks.borrow_mut().clear();
        }
    }

    /// The server cannot be reached as the page opens: shows the copy, if
    /// this device has one. True if it did.
    pub(super) async fn open_offline(self: &Rc<Self>) -> bool {
        let Some(me) = read_json::<SavedMe>(ME).await else {
            return false;
        };
        let mut timelines = HashMap::new();
        for room in &me.opened {
            if let Some(saved) = read_json::<SavedRoom>(&room_key(room)).await {
                timelines.insert(room.clone(), Timeline::restored(saved, me.user.id));
            }
        }
        // Whoever the server says is signed in once it answers: if it is
        // someone else, none of this stays (see `signed_in`).
        self.expired_user.set(Some(me.user.id));
        *self.visited.borrow_mut() = timelines.keys().cloned().collect();
        self.model.rooms.set(me.rooms);
        self.model.timelines.set(timelines);
        self.model.session.set(Session::SignedIn(me.user));
        let named = super::session::room_in_address();
        if named.is_some() {
            self.model.phone_list.set(false);
        }
        let room = named.or(me.current);
        self.model.current.set(room);
        self.set_link(Link::Offline {
            saved_at: me.saved_at,
        });
        self.retry_offline();
        true
    }

    /// While showing the copy: asks the server again now and then (and
    /// when the browser is back online, see `come_back`).
    pub(super) fn retry_offline(self: &Rc<Self>) {
        let runtime = Rc::downgrade(self);
        *self.reconnect.borrow_mut() = Some(Timeout::new(RETRY_OFFLINE_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.reconnect.borrow_mut().take();
                spawn_local(runtime.clone().restore_session());
            }
        }));
    }

    /// Whether the page shows the copy (not yet back online).
    pub(super) fn showing_copy(&self) -> bool {
        matches!(self.model.link.get_untracked(), Link::Offline { .. })
    }
}
