//! The open room's messages, newest at the bottom; scrolling to the top loads
//! older ones. Bodies are Markdown rendered as elements ([`super::body`]),
//! never as HTML text.

use leptos::html::Div;
use leptos::prelude::*;

use super::message_row::{MessageRow, Row};
use super::{actions, model};
use crate::chat::model::Optimistic;
use crate::chat::timeline::Timeline;
use crate::chat::{scroll_to_middle, Command, Session};
use crate::protocol::{RoomRole, Seq};

/// Messages from one author this close together (seconds) form one group.
const GROUP_SECONDS: i64 = 5 * 60;
/// How close to the top (px) scrolling must come to load older messages.
const LOAD_MARGIN: i32 = 80;

/// The room's rows; `divider`: the read marker when the room was opened, the
/// "new messages" line goes above the first message after it by someone else;
/// `moderates`: the reader may delete anyone's message.
fn rows(
    timeline: &Timeline,
    me: &str,
    optimistic: &Optimistic,
    divider: Option<Seq>,
    moderates: bool,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(timeline.messages.len() + timeline.pending.len());
    let mut previous: Option<(&str, i64)> = None;
    let mut divider = divider;
    // Replies show in their thread, not in the room's flow.
    for m in timeline.messages.values().filter(|m| m.thread.is_none()) {
        let t = m.ts.unix_timestamp();
        let new_here = divider.is_some_and(|d| m.seq > d && m.author.id != timeline.me);
        let first = new_here
            || !matches!(previous, Some((a, p)) if a == m.author.name && t - p < GROUP_SECONDS);
        previous = Some((&m.author.name, t));
        let mut row = Row::of(m, first, timeline.me, optimistic).moderated_by_reader(moderates);
        if timeline.focus == Some(m.id) {
            row.focused = true;
            row.key.push_str(":focus");
        }
        if new_here {
            divider = None;
            row.divider = true;
            row.key.push_str(":new");
        }
        rows.push(row);
    }
    for (i, p) in timeline.pending.iter().enumerate() {
        rows.push(Row {
            key: format!("{}:{}", p.client_msg_id, i == 0),
            id: None,
            author_id: timeline.me,
            author: me.to_string(),
            time: "sending…".into(),
            body: p.body.clone(),
            pending: true,
            first: i == 0,
            edited: false,
            deleted: false,
            mine: true,
            can_delete: true,
            moderated: false,
            pinned: false,
            reactions: Vec::new(),
            replies: 0,
            mentions_me: false,
            divider: false,
            focused: false,
            attachments: Vec::new(),
            previews: Vec::new(),
            cards: Vec::new(),
        });
    }
    rows
}

#[component]
pub fn Messages() -> impl IntoView {
    let model = model();
    let actions = actions();
    let list = NodeRef::<Div>::new();
    // Distance from the bottom to keep while older messages are prepended.
    let anchor = StoredValue::new(None::<i32>);
    let at_bottom = StoredValue::new(true);
    let me = move || match model.session.get() {
        Session::SignedIn(user) => user.name,
        _ => String::new(),
    };
    let me_name = StoredValue::new(String::new());
    let timeline_view = move || {
        let room = model.current.get()?;
        let me = me();
        me_name.set_value(me.clone());
        let optimistic = model.optimistic.get();
        let divider = model.divider.with(|d| d.get(&room).map(|(seq, _)| *seq));
        let moderates = model.standing() >= Some(RoomRole::Moderator);
        model.timelines.with(|t| {
            t.get(&room).map(|t| {
                (
                    rows(t, &me, &optimistic, divider, moderates),
                    t.has_older,
                    t.loading_older,
                    t.has_newer,
                    t.focus,
                )
            })
        })
    };
    let all_rows = Memo::new(move |_| timeline_view().map(|v| v.0).unwrap_or_default());
    let has_older = move || timeline_view().is_some_and(|v| v.1);
    let loading = move || timeline_view().is_some_and(|v| v.2);
    let has_newer = Memo::new(move |_| timeline_view().is_some_and(|v| v.3));
    let focus = Memo::new(move |_| timeline_view().and_then(|v| v.4));
    // The focused message brought into view already.
    let shown_focus = StoredValue::new(None::<uuid::Uuid>);

    // After each change: bring a newly focused message into view, keep the
    // reading position, or follow new messages.
    Effect::new(move |_| {
        all_rows.track();
        let focus = focus.get();
        let newer = has_newer.get();
        request_animation_frame(move || {
            // The list may be gone by the next frame (signed out, room
            // closed): then there is nothing to scroll.
            let Some(Some(div)) = list.try_get_untracked() else {
                return;
            };
            let fresh = focus.filter(|id| shown_focus.get_value() != Some(*id));
            if fresh.is_some_and(|id| scroll_to_middle(&format!("message-{id}"))) {
                shown_focus.set_value(focus);
                at_bottom.set_value(false);
                anchor.set_value(None);
            } else if let Some(distance) = anchor.get_value() {
                div.set_scroll_top(div.scroll_height() - distance);
                anchor.set_value(None);
            } else if at_bottom.get_value() && !newer {
                div.set_scroll_top(div.scroll_height());
            }
        });
    });
    let on_scroll = move |_| {
        let Some(div) = list.get_untracked() else {
            return;
        };
        at_bottom
            .set_value(div.scroll_height() - div.scroll_top() - div.client_height() < LOAD_MARGIN);
        if div.scroll_top() < LOAD_MARGIN && has_older() && !loading() {
            anchor.set_value(Some(div.scroll_height() - div.scroll_top()));
            actions.run(Command::LoadOlder);
        }
        if at_bottom.get_value() && has_newer.get_untracked() {
            actions.run(Command::LoadNewer);
        }
    };
    let room_name = move || model.current_label();
    view! {
        <NewMessagesBar/>
        <div
            class="messages"
            node_ref=list
            on:scroll=on_scroll
            role="log"
            aria-label=move || format!("Messages in {}", room_name())
            tabindex="0"
        >
            <p class="history-edge">
                {move || {
                    if loading() {
                        "Loading older messages…".to_string()
                    } else if has_older() {
                        "Scroll up for older messages".to_string()
                    } else {
                        format!("This is the start of {}.", room_name())
                    }
                }}
            </p>
            <ol class="message-list">
                <For
                    each=move || all_rows.get()
                    key=|row| row.key.clone()
                    children=move |row| view! { <MessageRow row=row me=me_name.get_value()/> }
                />
            </ol>
            {move || has_newer.get().then(|| view! {
                <p class="history-edge newer">
                    <button class="link-button" on:click=move |_| actions.run(Command::LoadNewer)>
                        "Load newer messages"
                    </button>
                    <button class="link-button" on:click=move |_| actions.run(Command::JumpToLatest)>
                        "Jump to latest"
                    </button>
                </p>
            })}
        </div>
    }
}

/// "3 new messages since you last read": jumps to the divider, or dismisses it.
#[component]
fn NewMessagesBar() -> impl IntoView {
    let model = model();
    let unread = move || {
        let room = model.current.get()?;
        model.divider.with(|d| d.get(&room).map(|(_, n)| *n))
    };
    let jump = move |_| {
        if let Some(line) = document().get_element_by_id("new-messages") {
            line.scroll_into_view();
        }
    };
    let dismiss = move |_| {
        if let Some(room) = model.current.get_untracked() {
            model.divider.update(|d| {
                d.remove(&room);
            });
        }
    };
    move || {
        unread().map(|n| {
            let text = match n {
                1 => "1 new message".to_string(),
                n => format!("{n} new messages"),
            };
            view! {
                <div class="new-bar" role="status">
                    <span>{text}</span>
                    <button class="link-button" on:click=jump>"Jump to first unread"</button>
                    <button class="link-button" on:click=dismiss aria-label="Dismiss">"×"</button>
                </div>
            }
        })
    }
}

/// "alice is typing…"
#[component]
pub fn TypingLine() -> impl IntoView {
    let model = model();
    let text = move || {
        let room = model.current.get()?;
        let now = model.now.get();
        let names: Vec<String> = model.typing.with(|t| {
            t.get(&room)
                .map(|users| {
                    users
                        .values()
                        .filter(|(_, until)| *until > now)
                        .map(|(u, _)| u.name.clone())
                        .collect()
                })
                .unwrap_or_default()
        });
        match names.len() {
            0 => None,
            1 => Some(format!("{} is typing…", names[0])),
            _ => Some(format!("{} are typing…", names.join(", "))),
        }
    };
    view! { <p class="typing" aria-live="polite">{text}</p> }
}
