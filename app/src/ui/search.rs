//! Search: a box in the top bar (Ctrl+K, Cmd+K or `/` from anywhere but a
//! text field) that suggests the filters (`from:`, `in:`, `has:file`, …)
//! as their start is typed, and a panel of results over the room,
//! filterable by room.
//! A result opens its room at the message. Matched words come from the
//! server as plain-text pieces and are shown as text in `<mark>`s, never as
//! HTML.

use leptos::ev::KeyboardEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::{actions, model};
use crate::chat::{local_time, Command};
use crate::protocol::{RoomId, SearchHit, FILTERS};

/// The filters the last word of `text` is the start of.
fn filter_hints(text: &str) -> Vec<&'static str> {
    if text.ends_with(char::is_whitespace) {
        return Vec::new();
    }
    let last = text
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if last.is_empty() {
        return Vec::new();
    }
    FILTERS
        .into_iter()
        .filter(|f| f.starts_with(&last) && *f != last)
        .collect()
}

/// Whether a key press should open search: Ctrl/Cmd+K anywhere, `/` when
/// not typing in a field.
fn opens_search(ev: &KeyboardEvent) -> bool {
    let key = ev.key();
    if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("k") {
        return true;
    }
    let typing = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        });
    key == "/" && !typing && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key()
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let model = model();
    let actions = actions();
    let input = NodeRef::<Input>::new();
    let text = RwSignal::new(String::new());
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if opens_search(&ev) {
            ev.prevent_default();
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
                input.select();
            }
        }
    });
    on_cleanup(move || handle.remove());
    let run = move || {
        let room = model
            .search
            .with_untracked(|v| v.as_ref().and_then(|v| v.room.clone()));
        actions.run(Command::Search {
            text: text.get_untracked(),
            room,
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            text.set(String::new());
            actions.run(Command::Search {
                text: String::new(),
                room: None,
            });
        }
    };
    view! {
        <form class="search-box" role="search" on:submit=move |ev| { ev.prevent_default(); run(); }>
            <label for="search-input" class="visually-hidden">"Search messages"</label>
            <input
                id="search-input"
                type="search"
                node_ref=input
                placeholder="Search (Ctrl+K)"
                autocomplete="off"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=on_keydown
            />
            {move || {
                let hints = filter_hints(&text.get());
                (!hints.is_empty()).then(|| view! {
                    <div class="filter-hints" role="group" aria-label="Search filters">
                        {hints.into_iter().map(|hint| view! {
                            <button type="button" class="link-button"
                                on:mousedown=move |ev| ev.prevent_default()
                                on:click=move |_| {
                                    text.update(|t| {
                                        let keep = t.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                                        t.truncate(keep);
                                        t.push_str(hint);
                                        if !hint.ends_with(':') {
                                            t.push(' ');
                                        }
                                    });
                                    if let Some(input) = input.get_untracked() {
                                        let _ = input.focus();
                                    }
                                }>
                                {hint}
                            </button>
                        }).collect_view()}
                    </div>
                })
            }}
        </form>
    }
}

/// One result: where and by whom, and the body with its matches marked
/// (all of it the button's name, as read).
fn result_view(hit: SearchHit, room_label: String, on_open: impl Fn() + 'static) -> impl IntoView {
    let m = &hit.message;
    view! {
        <li>
            <button class="search-hit" on:click=move |_| on_open()>
                <span class="meta">
                    <span class="room">{room_label.clone()}</span>
                    <span class="author"><super::people::ShownName id=m.author.id name=m.author.name.clone()/></span>
                    <span class="time">{local_time(m.ts)}</span>
                </span>
                <span class="text">
                    {hit.highlight.into_iter().map(|piece| {
                        if piece.mark {
                            view! { <mark>{piece.text}</mark> }.into_any()
                        } else {
                            piece.text.into_any()
                        }
                    }).collect_view()}
                </span>
            </button>
        </li>
    }
}

#[component]
pub fn SearchPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let close = move || {
        actions.run(Command::Search {
            text: String::new(),
            room: None,
        })
    };
    let pick_room = move |ev| {
        let value = event_target_value(&ev);
        let room: Option<RoomId> = (!value.is_empty()).then_some(value);
        if let Some(text) = model
            .search
            .with_untracked(|v| v.as_ref().map(|v| v.text.clone()))
        {
            actions.run(Command::Search { text, room });
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
        }
    };
    move || {
        let view_state = model.search.get()?;
        let rooms = model.rooms.get();
        let chosen = view_state.room.clone().unwrap_or_default();
        let options = rooms
            .iter()
            .map(|r| {
                let selected = r.id == chosen;
                view! { <option value=r.id.clone() selected=selected>{model.room_label(&r.id)}</option> }
            })
            .collect_view();
        let count = view_state.results.len();
        let status = if view_state.loading {
            "Searching…".to_string()
        } else if let Some(error) = &view_state.error {
            error.clone()
        } else if count == 0 {
            format!("No messages match “{}”.", view_state.text)
        } else {
            format!(
                "{count}{} result{} for “{}”",
                if view_state.more { "+" } else { "" },
                if count == 1 { "" } else { "s" },
                view_state.text
            )
        };
        let results = view_state
            .results
            .into_iter()
            .map(|hit| {
                let (room, seq, id) = (hit.message.room.clone(), hit.message.seq, hit.message.id);
                let room_label = model.room_label(&room);
                result_view(hit, room_label, move || {
                    actions.run(Command::OpenAt {
                        room: room.clone(),
                        seq,
                        id,
                    })
                })
            })
            .collect_view();
        Some(view! {
            <section class="search-panel" aria-label="Search results" on:keydown=on_keydown>
                <header>
                    <button class="link-button phone-only" on:click=move |_| close()>"‹ Back"</button>
                    <h2>"Search"</h2>
                    <label class="visually-hidden" for="search-room">"Search in"</label>
                    <select id="search-room" on:change=pick_room>
                        <option value="" selected=chosen.is_empty()>"All rooms"</option>
                        {options}
                    </select>
                    <button class="link-button wide-only" aria-label="Close search" on:click=move |_| close()>"Close"</button>
                </header>
                <p class="search-status" role="status">{status}</p>
                <ol class="search-results">{results}</ol>
                {view_state.more.then(|| view! {
                    <button class="link-button more" disabled=view_state.loading on:click=move |_| actions.run(Command::SearchMore)>
                        "More results"
                    </button>
                })}
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::filter_hints;

    #[test]
    fn the_last_word_is_completed_into_a_filter() {
        assert_eq!(filter_hints("deploy ha"), ["has:file", "has:link"]);
        assert_eq!(filter_hints("F"), ["from:"]);
        assert!(filter_hints("deploy ").is_empty());
        assert!(filter_hints("has:file").is_empty(), "complete already");
        assert!(filter_hints("xyz").is_empty());
    }
}
