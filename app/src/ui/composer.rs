//! The message box: Enter sends, Shift+Enter starts a new line. What is typed
//! lives in the model's drafts (one per room), so it outlives this component:
//! switching rooms or signing in again keeps it.
//!
//! Typing `@` and the start of a name offers the people known in the room
//! (online, or who wrote in it), then user groups and `@here`, `@channel`
//! and `@all`: arrows choose, Enter or Tab completes, Escape closes the
//! list. A message mentioning everyone in a big room asks to be confirmed
//! first (`attention::BroadConfirmBar`).
//!
//! Files come by the attach button, by pasting, or by dropping them on the
//! room (`super::Chat`); they upload at once, show their progress, and go
//! with the next message sent.

use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::model::UploadState;
use crate::chat::{carried_files, human_size, picked_files, ChatModel, Command, Session};

/// Most names the mention list offers.
const MAX_SUGGESTIONS: usize = 8;

/// The `@name` being typed where the caret is: where it starts (the `@`) and
/// what of the name is typed so far.
pub fn mention_at(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let typed = &before[at + 1..];
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let starts_word = before[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !name_char(c));
    (starts_word && typed.chars().all(name_char) && typed.len() <= 32).then_some((at, typed))
}

/// The newest message of the open room the user wrote and has not deleted.
fn last_own_message(model: &ChatModel) -> Option<uuid::Uuid> {
    let room = model.current.get_untracked()?;
    let me = match model.session.get_untracked() {
        Session::SignedIn(user) => user.id,
        _ => return None,
    };
    model.timelines.with_untracked(|timelines| {
        timelines
            .get(&room)?
            .messages
            .values()
            .rev()
            .find_map(|m| (m.author.id == me && !m.deleted && m.thread.is_none()).then_some(m.id))
    })
}

/// People the open room knows of whose names start with `typed`, then
/// groups and broad mentions: (what replaces `@typed`, its label).
fn suggestions(model: &ChatModel, typed: &str) -> Vec<(String, String)> {
    named(model, typed)
        .into_iter()
        .map(|(name, shown)| {
            let label = match shown {
                Some(shown) => format!("{shown} @{name}"),
                None => format!("@{name}"),
            };
            (format!("@{name} "), label)
        })
        .collect()
}

/// The names [`suggestions`] offers, each with what to show beside it.
fn named(model: &ChatModel, typed: &str) -> Vec<(String, Option<String>)> {
    let Some(room) = model.current.get_untracked() else {
        return Vec::new();
    };
    let me = match model.session.get_untracked() {
        Session::SignedIn(user) => user.name,
        _ => String::new(),
    };
    let mut people: Vec<(uuid::Uuid, String)> = model.online.with_untracked(|online| {
        online
            .get(&room)
            .map(|users| users.values().map(|u| (u.id, u.name.clone())).collect())
            .unwrap_or_default()
    });
    model.timelines.with_untracked(|timelines| {
        if let Some(t) = timelines.get(&room) {
            people.extend(
                t.messages
                    .values()
                    .rev()
                    .map(|m| (m.author.id, m.author.name.clone())),
            );
        }
    });
    let typed = typed.to_lowercase();
    let mut seen = std::collections::HashSet::new();
    model.people.with_untracked(|profiles| {
        people
            .into_iter()
            .filter(|(_, n)| *n != me)
            .map(|(id, name)| {
                let shown = profiles.get(&id).and_then(|p| p.display_name.clone());
                (name, shown)
            })
            // By username, or by any word of the display name.
            .filter(|(name, shown)| {
                name.to_lowercase().starts_with(&typed)
                    || shown.as_deref().is_some_and(|s| {
                        s.split_whitespace()
                            .any(|w| w.to_lowercase().starts_with(&typed))
                    })
            })
            .filter(|(name, _)| seen.insert(name.clone()))
            .chain(groups_and_everyone(model, &typed))
            .take(MAX_SUGGESTIONS)
            .collect()
    })
}

/// Groups, then the mentions of a room's members, whose names start with
/// `typed` (lower case): each with what it reaches.
fn groups_and_everyone(model: &ChatModel, typed: &str) -> Vec<(String, Option<String>)> {
    let mut offered: Vec<(String, Option<String>)> = model.groups.with_untracked(|groups| {
        groups
            .iter()
            .filter(|g| g.name.to_lowercase().starts_with(typed))
            .map(|g| {
                let n = g.members.len();
                let reach = format!("group of {n} {}", if n == 1 { "person" } else { "people" });
                (g.name.clone(), Some(reach))
            })
            .collect()
    });
    let everyone = [
        ("here", "everyone online in the room"),
        ("channel", "every member of the room"),
        ("all", "every member of the room"),
    ];
    offered.extend(
        everyone
            .into_iter()
            .filter(|(name, _)| !typed.is_empty() && name.starts_with(typed))
            .map(|(name, reach)| (name.to_string(), Some(reach.to_string()))),
    );
    offered
}

#[component]
pub fn Composer() -> impl IntoView {
    let model = model();
    let actions = actions();
    let input = NodeRef::<Textarea>::new();
    // What the caret's `@name` or `:shortcode` offers: (what replaces it,
    // its label); which is chosen; and whether they are emoji.
    let offered = RwSignal::new(Vec::<(String, String)>::new());
    let chosen = RwSignal::new(0usize);
    let offering_emoji = RwSignal::new(false);
    let send = move || {
        let body = model.drafts.with_untracked(|drafts| {
            model
                .current
                .get_untracked()
                .and_then(|room| drafts.get(&room).cloned())
                .unwrap_or_default()
        });
        // The runtime clears the draft once the message (and its files)
        // can go.
        actions.run(Command::Send(body));
        offered.set(Vec::new());
    };
    let caret = move || {
        input
            .get_untracked()
            .and_then(|t| t.selection_start().ok().flatten())
            .map(|c| c as usize)
    };
    // The caret as a byte offset of the draft (it counts UTF-16 units).
    let caret_byte = move |text: &str| -> usize {
        let Some(caret) = caret() else {
            return text.len();
        };
        let mut units = 0;
        for (i, ch) in text.char_indices() {
            if units >= caret {
                return i;
            }
            units += ch.len_utf16();
        }
        text.len()
    };
    // What the caret's `@name` or `:shortcode` offers, after each keystroke.
    let refresh = move || {
        let text = model.draft();
        let byte = caret_byte(&text);
        let (emoji, offers) = match (
            mention_at(&text, byte),
            super::emoji::shortcode_at(&text, byte),
        ) {
            (Some((_, typed)), _) => (false, suggestions(&model, typed)),
            (None, Some((_, typed))) => (true, super::emoji::offers(typed)),
            _ => (false, Vec::new()),
        };
        chosen.set(0);
        offering_emoji.set(emoji);
        offered.set(offers);
    };
    // Puts `insert` in place of the token being typed (or at the caret).
    let put = move |insert: String, token: Option<(usize, usize)>| {
        let text = model.draft();
        let byte = caret_byte(&text);
        let (start, end) = token.unwrap_or((byte, byte));
        let completed = format!("{}{insert}{}", &text[..start], &text[end..]);
        let caret_at = text[..start].encode_utf16().count() + insert.encode_utf16().count();
        model.set_draft(completed);
        if let Some(t) = input.get_untracked() {
            t.set_value(&model.draft());
            let _ = t.focus();
            let _ = t.set_selection_range(caret_at as u32, caret_at as u32);
        }
    };
    let complete = move |insert: String| {
        let text = model.draft();
        let byte = caret_byte(&text);
        let token = mention_at(&text, byte)
            .or_else(|| super::emoji::shortcode_at(&text, byte))
            .map(|(at, typed)| (at, at + 1 + typed.len()));
        if token.is_some() {
            put(insert, token);
        }
        offered.set(Vec::new());
    };
    let pick_emoji = Callback::new(move |emoji: String| put(emoji, None));
    let on_keydown = move |ev: KeyboardEvent| {
        let names = offered.get_untracked();
        if !names.is_empty() {
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    chosen.update(|c| *c = (*c + 1) % names.len());
                    return;
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    chosen.update(|c| *c = (*c + names.len() - 1) % names.len());
                    return;
                }
                "Enter" | "Tab" if !ev.is_composing() => {
                    ev.prevent_default();
                    complete(names[chosen.get_untracked().min(names.len() - 1)].0.clone());
                    return;
                }
                "Escape" => {
                    offered.set(Vec::new());
                    return;
                }
                _ => {}
            }
        }
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
        let plain = !(ev.shift_key() || ev.alt_key() || ev.ctrl_key() || ev.meta_key());
        if ev.key() == "ArrowUp" && plain && model.draft().is_empty() {
            if let Some(id) = last_own_message(&model) {
                ev.prevent_default();
                model.edit_request.set(Some(id));
            }
        }
    };
    let label = move || {
        model
            .current
            .get()
            .map(|room| format!("Message {}", model.room_label(&room)))
            .unwrap_or_else(|| "Message".into())
    };
    let option_id = |i: usize| format!("mention-option-{i}");
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for="composer-input" class="visually-hidden">{label}</label>
            {move || {
                let names = offered.get();
                let what = if offering_emoji.get() { "Emoji" } else { "People to mention" };
                (!names.is_empty()).then(|| view! {
                    <ul class="mentions" id="mention-list" role="listbox" aria-label=what>
                        {names.into_iter().enumerate().map(|(i, (insert, text))| {
                            let picked = insert.clone();
                            view! {
                                <li
                                    id=option_id(i)
                                    role="option"
                                    aria-selected=move || (chosen.get() == i).to_string()
                                    on:mousedown=move |ev| { ev.prevent_default(); complete(picked.clone()); }
                                >{text}</li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <textarea
                id="composer-input"
                node_ref=input
                rows="1"
                maxlength=move || model.limits.get().max_body_chars.to_string()
                placeholder=label
                aria-autocomplete="list"
                aria-controls=move || (!offered.get().is_empty()).then_some("mention-list")
                aria-activedescendant=move || (!offered.get().is_empty()).then(|| option_id(chosen.get()))
                prop:value=move || model.draft()
                on:input=move |ev| {
                    model.set_draft(event_target_value(&ev));
                    refresh();
                    actions.run(Command::Typing);
                }
                on:keydown=on_keydown
                on:paste=move |ev| {
                    let files = carried_files(Some(ev.as_ref()));
                    if !files.is_empty() {
                        ev.prevent_default();
                        actions.run(Command::Upload(files));
                    }
                }
            ></textarea>
            <super::emoji::EmojiPicker on_pick=pick_emoji/>
            <super::later::ScheduleButton/>
            <label class="attach" title="Attach files">
                <span class="visually-hidden">"Attach files"</span>
                <span aria-hidden="true">"📎"</span>
                <input
                    type="file"
                    multiple
                    class="visually-hidden"
                    on:change=move |ev| {
                        let files = picked_files(&ev);
                        if !files.is_empty() {
                            actions.run(Command::Upload(files));
                        }
                    }
                />
            </label>
            <button type="submit" class="primary">"Send"</button>
            <UploadList/>
        </form>
    }
}

/// The files going with the next message: name, size, progress or why it
/// failed, and a button to drop each.
#[component]
fn UploadList() -> impl IntoView {
    let model = model();
    let actions = actions();
    let items = move || {
        let room = model.current.get()?;
        model
            .uploads
            .with(|u| u.get(&room).cloned())
            .filter(|items| !items.is_empty())
    };
    move || {
        items().map(|items| {
            view! {
                <ul class="uploads" aria-label="Files to send">
                    {items.into_iter().map(|item| {
                        let key = item.key;
                        let state = match &item.state {
                            UploadState::Uploading => view! {
                                <progress max=item.size.max(1).to_string() value=item.sent.to_string()
                                    aria-label=format!("Uploading {}", item.name)></progress>
                            }.into_any(),
                            UploadState::Ready(_) => view! { <span class="ready">"Ready"</span> }.into_any(),
                            UploadState::Failed(why) => view! { <span class="failed" role="alert">{why.clone()}</span> }.into_any(),
                        };
                        view! {
                            <li class="upload">
                                <span class="name">{item.name.clone()}</span>
                                <span class="size">{human_size(item.size)}</span>
                                {state}
                                <button type="button" class="link-button"
                                    aria-label=format!("Remove {}", item.name)
                                    on:click=move |_| actions.run(Command::RemoveUpload(key))>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::mention_at;

    #[test]
    fn finds_the_name_being_typed() {
        assert_eq!(mention_at("hi @bo", 6), Some((3, "bo")));
        assert_eq!(mention_at("@", 1), Some((0, "")));
        assert_eq!(mention_at("mail a@b", 8), None, "inside a word");
        assert_eq!(mention_at("hi @bob there", 13), None, "past the name");
        assert_eq!(mention_at("hi @bob there", 7), Some((3, "bob")));
    }
}
