//! "Browse rooms" from the browser: the rooms directory
//! (`GET /api/rooms/directory?q=`), searched as the user types.

use std::rc::Rc;

use leptos::prelude::*;

use super::{http, Runtime};
use crate::chat::model::BrowseView;
use crate::protocol::RoomDirectory;

impl Runtime {
    /// Searches the rooms directory (opening it); `None` closes it.
    pub(super) async fn browse_rooms(self: Rc<Self>, text: Option<String>) {
        let Some(text) = text else {
            self.model.browse.set(None);
            return;
        };
        self.model.browse.update(|view| {
            let view = view.get_or_insert_with(BrowseView::default);
            view.text = text.clone();
            view.loading = true;
        });
        let path = format!(
            "/api/rooms/directory?q={}",
            js_sys::encode_uri_component(text.trim())
        );
        let answer = http::call::<RoomDirectory>("GET", &path, None::<&()>).await;
        self.model.browse.update(|view| {
            // Closed meanwhile, or a newer search went out.
            let Some(view) = view.as_mut().filter(|v| v.text == text) else {
                return;
            };
            view.loading = false;
            match answer {
                Ok(found) => {
                    view.error = None;
                    view.rooms = found.rooms;
                }
                Err(e) => view.error = Some(e.message),
            }
        });
    }
}
