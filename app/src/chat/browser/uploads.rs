//! Uploading files for a room's next message: one `POST
//! /api/rooms/{id}/files` per file with `XMLHttpRequest` (fetch cannot
//! report upload progress), its progress and outcome in the model's
//! `uploads`; the ones done go with the next message sent.

use std::rc::Rc;

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use super::Runtime;
use crate::chat::model::{UploadItem, UploadState};
use crate::protocol::{Attachment, ErrorBody, RoomId};

/// An upload running, kept alive until it ends.
pub(super) struct InFlight {
    xhr: XmlHttpRequest,
    _on_progress: Closure<dyn FnMut(ProgressEvent)>,
    _on_end: Closure<dyn FnMut()>,
}

impl Runtime {
    pub(super) fn upload(self: &Rc<Self>, files: Vec<File>) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        for file in files {
            let key = self.upload_key.get() + 1;
            self.upload_key.set(key);
            let item = UploadItem {
                key,
                name: file.name(),
                size: file.size() as u64,
                sent: 0,
                state: UploadState::Uploading,
            };
            let too_large = item.size > self.model.limits.get_untracked().max_file_bytes;
            self.model
                .uploads
                .update(|u| u.entry(room.clone()).or_default().push(item));
            if too_large {
                // Refused before a byte is sent: the server would answer 413.
                let max = crate::chat::human_size(self.model.limits.get_untracked().max_file_bytes);
                self.upload_ended(
                    &room,
                    key,
                    Err(format!("larger than this server's limit of {max}")),
                );
                continue;
            }
            self.start_upload(room.clone(), key, file, false);
        }
    }

    fn start_upload(self: &Rc<Self>, room: RoomId, key: u64, file: File, retried: bool) {
        let Ok(xhr) = XmlHttpRequest::new() else {
            return self.upload_ended(&room, key, Err("this browser cannot upload".into()));
        };
        let encode = |s: &str| String::from(js_sys::encode_uri_component(s));
        let url = format!(
            "/api/rooms/{}/files?name={}",
            encode(&room),
            encode(&file.name())
        );
        if xhr.open("POST", &url).is_err() {
            return self.upload_ended(&room, key, Err("the upload could not start".into()));
        }
        let kind = file.type_();
        let kind = if kind.is_empty() {
            "application/octet-stream".to_string()
        } else {
            kind
        };
        let _ = xhr.set_request_header("Content-Type", &kind);
        let model = self.model;
        let progress_room = room.clone();
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
            let sent = ev.loaded() as u64;
            model.uploads.update(|u| {
                if let Some(item) = u
                    .get_mut(&progress_room)
                    .and_then(|items| items.iter_mut().find(|i| i.key == key))
                {
                    item.sent = sent;
                }
            });
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let runtime = self.clone();
        let done = xhr.clone();
        let end_room = room.clone();
        let again = file.clone();
        let on_end = Closure::<dyn FnMut()>::new(move || {
            let status = done.status().unwrap_or(0);
            let text = done.response_text().ok().flatten().unwrap_or_default();
            runtime.uploads_running.borrow_mut().remove(&key);
            if status == 401 && !retried {
                // The access token lapsed: renew it and try once more.
                let runtime = runtime.clone();
                let (room, file) = (end_room.clone(), again.clone());
                leptos::task::spawn_local(async move {
                    if super::http::refresh().await {
                        runtime.start_upload(room, key, file, true);
                    } else {
                        runtime.upload_ended(
                            &room,
                            key,
                            Err("your session ended: sign in again".into()),
                        );
                    }
                });
                return;
            }
            let outcome = if status == 201 {
                serde_json::from_str::<Attachment>(&text)
                    .map_err(|e| format!("unexpected answer from the server: {e}"))
            } else if status == 0 {
                Err("the upload was cut off: check your connection".into())
            } else {
                Err(serde_json::from_str::<ErrorBody>(&text)
                    .map(|e| e.error.message)
                    .unwrap_or_else(|_| format!("the server answered {status}")))
            };
            runtime.upload_ended(&end_room, key, outcome);
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        if xhr.send_with_opt_blob(Some(&file)).is_err() {
            return self.upload_ended(&room, key, Err("the upload could not start".into()));
        }
        self.uploads_running.borrow_mut().insert(
            key,
            InFlight {
                xhr,
                _on_progress: on_progress,
                _on_end: on_end,
            },
        );
    }

    fn upload_ended(&self, room: &RoomId, key: u64, outcome: Result<Attachment, String>) {
        self.model.uploads.update(|u| {
            if let Some(item) = u
                .get_mut(room)
                .and_then(|items| items.iter_mut().find(|i| i.key == key))
            {
                item.state = match outcome {
                    Ok(attachment) => {
                        item.sent = item.size;
                        UploadState::Ready(attachment)
                    }
                    Err(why) => UploadState::Failed(why),
                };
            }
        });
    }

    pub(super) fn remove_upload(&self, key: u64) {
        if let Some(running) = self.uploads_running.borrow_mut().remove(&key) {
            let _ = running.xhr.abort();
        }
        self.model.uploads.update(|u| {
            for items in u.values_mut() {
                items.retain(|i| i.key != key);
            }
        });
    }

    /// The ids of `room`'s finished uploads, taken for a message (failed
    /// ones dropped); `None` while one is still running.
    pub(super) fn take_ready_uploads(&self, room: &RoomId) -> Option<Vec<Uuid>> {
        let running = self.model.uploads.with_untracked(|u| {
            u.get(room)
                .is_some_and(|items| items.iter().any(|i| i.state == UploadState::Uploading))
        });
        if running {
            return None;
        }
        let mut ready = Vec::new();
        self.model.uploads.update(|u| {
            for item in u.remove(room).unwrap_or_default() {
                if let UploadState::Ready(attachment) = item.state {
                    ready.push(attachment.id);
                }
            }
        });
        Some(ready)
    }
}
