//! Imports from the admin console's Records tab: the chosen Slack export is
//! uploaded (`POST /api/admin/imports/slack`), then its job is asked after
//! every second until it is done or failed (`GET /api/admin/imports/{id}`).
//! And claim links for the imported accounts (`POST
//! /api/admin/users/{user}/claim`).

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::{http, Runtime};
use crate::protocol::{ImportJob, ImportState, InviteInfo};

/// How often a running import is asked after, in ms.
const POLL_MS: u32 = 1_000;

impl Runtime {
    /// A claim link for an imported account, shown whole (with this page's
    /// origin) for the admin to pass on.
    pub(super) async fn claim_link(self: Rc<Self>, user: String) {
        let path = format!("/api/admin/users/{}/claim", http::encode(&user));
        match http::call::<InviteInfo>("POST", &path, None::<&()>).await {
            Ok(invite) => {
                let origin = web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default();
                self.model.admin.update(|v| {
                    if let Some(v) = v {
                        v.claim = Some((user.clone(), format!("{origin}{}", invite.url)));
                        v.said = Some(format!("claim link made for {user}"));
                    }
                });
            }
            Err(e) => self.model.admin.update(|v| {
                if let Some(v) = v {
                    v.error = Some(e.message);
                }
            }),
        }
    }

    pub(super) async fn import_slack(self: Rc<Self>, file: web_sys::File) {
        let admin = self.model.admin;
        admin.update(|v| {
            if let Some(v) = v {
                v.uploading = true;
                v.import = None;
                v.error = None;
            }
        });
        let started = http::send_file::<ImportJob>("POST", "/api/admin/imports/slack", &file).await;
        admin.update(|v| {
            if let Some(v) = v {
                v.uploading = false;
            }
        });
        let mut job = match started {
            Ok(job) => job,
            Err(e) => {
                admin.update(|v| {
                    if let Some(v) = v {
                        v.error = Some(e.message);
                    }
                });
                return;
            }
        };
        loop {
            let running = job.state == ImportState::Running;
            let id = job.id;
            admin.update(|v| {
                if let Some(v) = v {
                    v.import = Some(job);
                }
            });
            // The console closed: nobody is watching.
            if admin.with_untracked(Option::is_none) {
                return;
            }
            if !running {
                // What it made: the people and rooms, to claim and check.
                self.load_records().await;
                return;
            }
            TimeoutFuture::new(POLL_MS).await;
            let path = format!("/api/admin/imports/{id}");
            match http::call::<ImportJob>("GET", &path, None::<&()>).await {
                Ok(next) => job = next,
                Err(e) => {
                    admin.update(|v| {
                        if let Some(v) = v {
                            v.error = Some(e.message);
                        }
                    });
                    return;
                }
            }
        }
    }
}
