//! People from the browser: profiles of whoever the page shows, fetched in
//! batches (`GET /api/users?ids=`) and kept current by `user_updated`; the
//! people directory (`GET /api/users?q=`); the user's own profile and avatar
//! (`PATCH /api/users/me`, `PUT`/`DELETE /api/users/me/avatar`).

use std::collections::HashSet;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{found, http, Runtime};
use crate::chat::PickedFile;
use crate::protocol::{AvatarSet, Profile, ProfileUpdate, UserList, MAX_DIRECTORY_LIMIT};

/// How long asks for profiles gather before one request goes, in ms.
const GATHER_MS: u32 = 30;
/// Most ids one request names (the server's bound).
const IDS_PER_REQUEST: usize = 100;

/// Profiles asked for and not yet had.
#[derive(Default)]
pub(super) struct Wanted {
    /// Waiting for the next request.
    pending: Vec<Uuid>,
    /// Asked for already (or being asked): not asked again.
    asked: HashSet<Uuid>,
    timer: Option<Timeout>,
}

impl Runtime {
    /// Notes that the page shows `id`; its profile comes with the others
    /// noted in the same moment.
    pub(super) fn want_profile(self: &Rc<Self>, id: Uuid) {
        if self.model.people.with_untracked(|p| p.contains_key(&id)) {
            return;
        }
        let mut wanted = self.wanted.borrow_mut();
        if !wanted.asked.insert(id) {
            return;
        }
        wanted.pending.push(id);
        if wanted.timer.is_none() {
            let runtime = self.clone();
            wanted.timer = Some(Timeout::new(GATHER_MS, move || {
                let ids = {
                    let mut wanted = runtime.wanted.borrow_mut();
                    wanted.timer = None;
                    std::mem::take(&mut wanted.pending)
                };
                spawn_local(runtime.clone().fetch_profiles(ids));
            }));
        }
    }

    async fn fetch_profiles(self: Rc<Self>, ids: Vec<Uuid>) {
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            let list = chunk
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",");
            match http::call::<UserList>("GET", &format!("/api/users?ids={list}"), None::<&()>)
                .await
            {
                Ok(found) => self.know_people(found.users),
                // Asked again the next time the page shows them.
                Err(_) => {
                    let mut wanted = self.wanted.borrow_mut();
                    for id in chunk {
                        wanted.asked.remove(id);
                    }
                }
            }
        }
    }

    /// Keeps these profiles (fresher than what was held).
    pub(super) fn know_people(&self, profiles: Vec<Profile>) {
        if profiles.is_empty() {
            return;
        }
        self.model.people.update(|people| {
            for profile in profiles {
                people.insert(profile.id, profile);
            }
        });
    }

    /// Forgets what was asked (signing out).
    pub(super) fn forget_people(&self) {
        *self.wanted.borrow_mut() = Wanted::default();
    }

    /// Opens (or closes) someone's card, fetching their profile fresh.
    pub(super) fn open_card(self: &Rc<Self>, id: Option<Uuid>) {
        self.model.card.set(id);
        if let Some(id) = id {
            let runtime = self.clone();
            spawn_local(async move {
                if let Ok(profile) =
                    http::call::<Profile>("GET", &format!("/api/users/{id}"), None::<&()>).await
                {
                    runtime.know_people(vec![profile]);
                }
            });
        }
    }

    /// Searches the directory (opening it); `None` closes it.
    pub(super) async fn find_people(self: Rc<Self>, text: Option<String>) {
        let path = format!(
            "/api/users?q={}&limit={MAX_DIRECTORY_LIMIT}",
            js_sys::encode_uri_component(text.as_deref().unwrap_or("").trim())
        );
        let found = found::search(self.model.directory, text, path, |list: UserList| {
            list.users
        })
        .await;
        self.know_people(found);
    }

    pub(super) async fn save_profile(self: Rc<Self>, update: ProfileUpdate) {
        match http::call::<Profile>("PATCH", "/api/users/me", Some(&update)).await {
            Ok(profile) => {
                self.know_people(vec![profile]);
                self.model.notice.set(Some("Profile saved.".into()));
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn set_avatar(self: Rc<Self>, file: PickedFile) {
        match http::send_file::<AvatarSet>("PUT", "/api/users/me/avatar", &file).await {
            Ok(_) => self.reload_me().await,
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn remove_avatar(self: Rc<Self>) {
        match http::send("DELETE", "/api/users/me/avatar", None::<&()>).await {
            Ok(()) => self.reload_me().await,
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// Reads the user's own profile again.
    pub(super) async fn reload_me(&self) {
        if let Ok(me) = http::call::<Profile>("GET", "/api/users/me", None::<&()>).await {
            self.know_people(vec![me]);
        }
    }
}
