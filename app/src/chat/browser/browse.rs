//! "Browse rooms" from the browser: the rooms directory
//! (`GET /api/rooms/directory?q=`), searched as the user types.

use std::rc::Rc;

use super::{found, Runtime};
use crate::protocol::RoomDirectory;

impl Runtime {
    /// Searches the rooms directory (opening it); `None` closes it.
    pub(super) async fn browse_rooms(self: Rc<Self>, text: Option<String>) {
        let path = format!(
            "/api/rooms/directory?q={}",
            js_sys::encode_uri_component(text.as_deref().unwrap_or("").trim())
        );
        found::search(self.model.browse, text, path, |found: RoomDirectory| {
            found.rooms
        })
        .await;
    }
}
