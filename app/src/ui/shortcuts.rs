//! Keyboard shortcuts that work anywhere on the page: `Alt+↑`/`Alt+↓` open
//! the previous or next room of the sidebar, `Alt+Shift+↑`/`Alt+Shift+↓`
//! the previous or next room with something unread, and `?` (outside a
//! text field) lists every shortcut. In the composer, `↑` in an empty box
//! edits the user's last message (`composer`).

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::{actions, model};
use crate::chat::{unread, ChatModel, Command};
use crate::protocol::{RoomId, RoomKind};

/// Every shortcut, as the list shows it.
const SHORTCUTS: [(&str, &str); 10] = [
    ("Ctrl+K, /", "Search messages"),
    ("Alt+↑ / Alt+↓", "Previous or next room"),
    ("Alt+Shift+↑ / Alt+Shift+↓", "Previous or next unread room"),
    ("↑ in an empty message box", "Edit your last message"),
    ("Enter", "Send"),
    ("Shift+Enter", "New line"),
    ("@", "Mention someone, a group, @here or @channel"),
    (":", "Emoji by name (:tada:)"),
    ("Escape", "Close the list, panel or edit"),
    ("?", "This list"),
];

/// The rooms in the sidebar's order (rooms, then direct messages), members'
/// only; with `unread_only`, those with something unread, and the open one.
fn sequence(model: &ChatModel, unread_only: bool) -> Vec<RoomId> {
    let current = model.current.get_untracked();
    model.recent.with_untracked(|recent| {
        model.rooms.with_untracked(|rooms| {
            let order = model.room_order.get_untracked();
            let side = |direct: bool| {
                unread::sorted(
                    rooms
                        .iter()
                        .filter(|r| r.member && (r.kind == RoomKind::Direct) == direct),
                    recent,
                    order,
                )
            };
            side(false)
                .into_iter()
                .chain(side(true))
                .filter(|r| {
                    !unread_only || unread::bold(r) || current.as_deref() == Some(r.id.as_str())
                })
                .map(|r| r.id)
                .collect()
        })
    })
}

/// The room `step` places from the open one (wrapping around).
pub fn neighbour(model: &ChatModel, step: isize, unread_only: bool) -> Option<RoomId> {
    let rooms = sequence(model, unread_only);
    if rooms.is_empty() {
        return None;
    }
    let current = model.current.get_untracked();
    let at = rooms
        .iter()
        .position(|r| Some(r) == current.as_ref())
        .map_or(-1, |i| i as isize);
    let n = rooms.len() as isize;
    let next = if at < 0 && step < 0 {
        n - 1
    } else {
        (at + step).rem_euclid(n)
    };
    rooms.get(next as usize).cloned()
}

fn typing_in_a_field(ev: &KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        })
}

/// Listens for the page's shortcuts, and shows their list.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let model = model();
    let actions = actions();
    let open = RwSignal::new(false);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let arrow = match ev.key().as_str() {
            "ArrowUp" => Some(-1),
            "ArrowDown" => Some(1),
            _ => None,
        };
        if let (Some(step), true, false, false) =
            (arrow, ev.alt_key(), ev.ctrl_key(), ev.meta_key())
        {
            ev.prevent_default();
            if let Some(room) = neighbour(&model, step, ev.shift_key()) {
                actions.run(Command::OpenRoom(room));
            }
            return;
        }
        if ev.key() == "?" && !typing_in_a_field(&ev) && !ev.ctrl_key() && !ev.meta_key() {
            ev.prevent_default();
            open.set(true);
        } else if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || handle.remove());
    move || {
        open.get().then(|| {
            view! {
                <div class="card-backdrop" on:click=move |_| open.set(false)>
                    <div class="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                        on:click=|ev| ev.stop_propagation()>
                        <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                        <dl>
                            {SHORTCUTS.into_iter().map(|(keys, what)| view! {
                                <dt><kbd>{keys}</kbd></dt>
                                <dd>{what}</dd>
                            }).collect_view()}
                        </dl>
                        <button class="primary" autofocus=true on:click=move |_| open.set(false)>"Close"</button>
                    </div>
                </div>
            }
        })
    }
}
