//! What this browser remembers of the user's choices (its local storage):
//! how the sidebar orders rooms.

use leptos::prelude::*;

use super::Runtime;
use crate::chat::RoomOrder;

/// The storage key of the sidebar's order.
const ORDER_KEY: &str = "confab.room-order";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The order this browser remembers (recent activity unless changed).
pub(super) fn remembered_order() -> RoomOrder {
    match storage()
        .and_then(|s| s.get_item(ORDER_KEY).ok().flatten())
        .as_deref()
    {
        Some("alphabetical") => RoomOrder::Alphabetical,
        _ => RoomOrder::Recent,
    }
}

impl Runtime {
    /// Orders the sidebar's rooms, and remembers it in this browser.
    pub(super) fn order_rooms(&self, order: RoomOrder) {
        self.model.room_order.set(order);
        let text = match order {
            RoomOrder::Recent => "recent",
            RoomOrder::Alphabetical => "alphabetical",
        };
        if let Some(storage) = storage() {
            let _ = storage.set_item(ORDER_KEY, text);
        }
    }
}
