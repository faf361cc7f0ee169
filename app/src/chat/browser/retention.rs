//! Retention and legal holds from the admin console's Records tab
//! (`/api/admin/retention`, `/api/admin/holds`, `PATCH /api/rooms/{id}`).
//! Each change is read back from the server before it shows.

use std::rc::Rc;

use leptos::prelude::*;

use super::http::{self, encode};
use super::Runtime;
use crate::protocol::{HoldKind, HoldList, ImportMapping, PlaceHold, RetentionSettings, RoomPatch};

impl Runtime {
    /// Reads the periods, the holds and what the Slack import made.
    pub(super) async fn load_records(&self) {
        let settings = http::call::<RetentionSettings>("GET", "/api/admin/retention", None::<&()>);
        let (settings, holds, mapping) = (
            settings.await,
            http::call::<HoldList>("GET", "/api/admin/holds", None::<&()>).await,
            http::call::<ImportMapping>("GET", "/api/admin/imports/slack/mapping", None::<&()>)
                .await,
        );
        match (settings, holds, mapping) {
            (Ok(settings), Ok(list), Ok(mapping)) => self.model.admin.update(|v| {
                if let Some(v) = v {
                    v.retention = Some(settings);
                    v.holds = list.holds;
                    v.mapping = Some(mapping);
                }
            }),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => self.admin_error(e.message),
        }
    }

    pub(super) async fn set_retention(self: Rc<Self>, room: String, days: Option<u32>) {
        let request = RoomPatch {
            retention_days: Some(days),
            ..RoomPatch::default()
        };
        let path = format!("/api/rooms/{}", encode(&room));
        match http::call::<serde_json::Value>("PATCH", &path, Some(&request)).await {
            Ok(_) => {
                self.say(match days {
                    Some(days) => format!("{room} keeps messages for {days} days"),
                    None => format!("{room} keeps messages as the instance does"),
                });
                self.load_records().await;
            }
            Err(e) => self.admin_error(e.message),
        }
    }

    pub(super) async fn place_hold(self: Rc<Self>, kind: HoldKind, target: String, reason: String) {
        let path = format!("/api/admin/holds/{}/{}", kind.as_str(), encode(&target));
        match http::send("PUT", &path, Some(&PlaceHold { reason })).await {
            Ok(()) => {
                self.say(format!("{target} is on legal hold"));
                self.load_records().await;
            }
            Err(e) => self.admin_error(e.message),
        }
    }

    pub(super) async fn release_hold(self: Rc<Self>, kind: HoldKind, target: String) {
        let path = format!("/api/admin/holds/{}/{}", kind.as_str(), encode(&target));
        match http::send("DELETE", &path, None::<&()>).await {
            Ok(()) => {
                self.say("Hold released".into());
                self.load_records().await;
            }
            Err(e) => self.admin_error(e.message),
        }
    }
}
