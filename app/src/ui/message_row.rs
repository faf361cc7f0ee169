//! One message in a list (the room's or a thread's), with what can be done to
//! it: react (a few frequent emoji, or toggling a reaction shown), reply in a
//! thread, for one's own message edit and delete, and for a room's
//! moderators (owners, admins) delete anyone's. The actions show on
//! hover and whenever focus is inside the message, so they work by keyboard
//! (Tab into the message) and by touch (a tap focuses it) alike.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::actions;
use super::body::Body;
use super::people::PersonName;
use crate::chat::model::Optimistic;
use crate::chat::{human_size, local_time, Command};
use crate::protocol::{Attachment, LinkPreview, Message};

/// The emoji the picker offers.
pub const FREQUENT: [&str; 8] = ["👍", "❤️", "😂", "🎉", "👀", "🙏", "✅", "🚀"];

/// What one row shows; rows are drawn again whenever `key` changes.
#[derive(Clone, PartialEq)]
pub struct Row {
    pub key: String,
    /// `None` while the message is not stored yet.
    pub id: Option<Uuid>,
    pub author_id: Uuid,
    pub author: String,
    pub time: String,
    pub body: String,
    pub pending: bool,
    /// First of a group: shows author and time.
    pub first: bool,
    pub edited: bool,
    pub deleted: bool,
    /// Written by the reader: they may edit and delete it.
    pub mine: bool,
    /// The reader may delete it: theirs, or they moderate the room (the
    /// caller sets that: [`Row::moderated_by_reader`]).
    pub can_delete: bool,
    /// Deleted by someone else than its author (a moderator).
    pub moderated: bool,
    /// Pinned in its room.
    pub pinned: bool,
    /// (emoji, count, the reader's)
    pub reactions: Vec<(String, u32, bool)>,
    pub replies: u32,
    pub mentions_me: bool,
    /// The first message the reader has not read: the "new messages" line
    /// goes above it.
    pub divider: bool,
    /// The message a search result opened: brought into view and marked.
    pub focused: bool,
    pub attachments: Vec<Attachment>,
    /// Previews of its links.
    pub previews: Vec<LinkPreview>,
    /// Its cards (see `super::cards`).
    pub cards: Vec<crate::protocol::Card>,
}

impl Row {
    /// A stored message as `me` sees it, with their unconfirmed changes.
    pub fn of(m: &Message, first: bool, me: Uuid, optimistic: &Optimistic) -> Row {
        let deleted = m.deleted || optimistic.deletions.contains(&m.id);
        let body = optimistic
            .edits
            .get(&m.id)
            .cloned()
            .unwrap_or_else(|| m.body.clone());
        let mut reactions: Vec<(String, u32, bool)> = m
            .reactions
            .iter()
            .map(|r| (r.emoji.clone(), r.count, r.me))
            .collect();
        for ((id, emoji), on) in &optimistic.reactions {
            if *id != m.id {
                continue;
            }
            match reactions.iter().position(|(e, _, _)| e == emoji) {
                Some(i) if reactions[i].2 != *on => {
                    let r = &mut reactions[i];
                    r.1 = if *on { r.1 + 1 } else { r.1.saturating_sub(1) };
                    r.2 = *on;
                    if r.1 == 0 {
                        reactions.remove(i);
                    }
                }
                None if *on => reactions.push((emoji.clone(), 1, true)),
                _ => {}
            }
        }
        let edited = !deleted && (m.edited_ts.is_some() || optimistic.edits.contains_key(&m.id));
        Row {
            key: format!(
                "{}:{first}:{deleted}:{}:{}:{edited}:{}:{body}:{reactions:?}:{}",
                m.id,
                m.deleted_by.is_some(),
                m.pinned,
                m.reply_count,
                m.previews.len()
            ),
            id: Some(m.id),
            author_id: m.author.id,
            author: m.author.name.clone(),
            time: local_time(m.ts),
            body,
            pending: false,
            first,
            edited,
            deleted,
            mine: m.author.id == me,
            can_delete: m.author.id == me,
            moderated: m.deleted_by.is_some_and(|by| by != m.author.id),
            pinned: m.pinned && !deleted,
            reactions,
            replies: m.reply_count,
            mentions_me: (m.everyone || m.mentions.contains(&me)) && m.author.id != me,
            divider: false,
            focused: false,
            attachments: if deleted {
                Vec::new()
            } else {
                m.attachments.clone()
            },
            previews: if deleted {
                Vec::new()
            } else {
                m.previews.clone()
            },
            cards: if deleted { Vec::new() } else { m.cards.clone() },
        }
    }
}

impl Row {
    /// The row as a moderator of its room sees it: they may delete it.
    pub fn moderated_by_reader(mut self, moderates: bool) -> Row {
        self.can_delete |= moderates;
        self.key.push_str(if moderates { ":m" } else { "" });
        self
    }
}

#[component]
pub fn MessageRow(
    row: Row,
    /// The reader's name (their mentions are highlighted).
    me: String,
    /// Shown in a thread panel: no "reply" action.
    #[prop(optional)]
    in_thread: bool,
) -> impl IntoView {
    let actions = actions();
    let editing = RwSignal::new(false);
    let picking = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let draft = RwSignal::new(row.body.clone());
    let id = row.id;
    let can_act = id.is_some() && !row.deleted && !row.pending;
    let react = move |emoji: String, on: bool| {
        if let Some(id) = id {
            actions.run(Command::React { id, emoji, on });
        }
        picking.set(false);
    };
    let save = move || {
        let body = draft.get_untracked();
        if let Some(id) = id.filter(|_| !body.trim().is_empty()) {
            actions.run(Command::Edit { id, body });
        }
        editing.set(false);
    };
    let on_edit_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            save();
        }
        "Escape" => editing.set(false),
        _ => {}
    };
    // `↑` in the empty composer asks to edit this message (the last one the
    // reader wrote): the box opens with the caret in it.
    let edit_box = NodeRef::<leptos::html::Textarea>::new();
    if !in_thread && row.mine {
        let model = super::model();
        let body = row.body.clone();
        Effect::new(move |_| {
            if id.is_some() && model.edit_request.get() == id {
                model.edit_request.set(None);
                draft.set(body.clone());
                editing.set(true);
            }
        });
        Effect::new(move |_| {
            if let Some(textarea) = edit_box.get() {
                let _ = textarea.focus();
            }
        });
    }
    let author = row.author.clone();
    let cards = (!row.cards.is_empty())
        .then(|| view! { <super::cards::Cards cards=row.cards.clone() me=me.clone()/> });
    let body_view = {
        let row = row.clone();
        move || {
            if row.deleted {
                let said = if row.moderated {
                    "This message was deleted by a moderator."
                } else {
                    "This message was deleted."
                };
                view! { <p class="body deleted">{said}</p> }.into_any()
            } else if editing.get() {
                view! {
                    <div class="edit-box">
                        <label class="visually-hidden" for=format!("edit-{}", row.key)>"Edit message"</label>
                        <textarea
                            id=format!("edit-{}", row.key)
                            node_ref=edit_box
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=on_edit_key
                        ></textarea>
                        <button class="primary" on:click=move |_| save()>"Save"</button>
                        <button on:click=move |_| editing.set(false)>"Cancel"</button>
                    </div>
                }
                .into_any()
            } else {
                let text = (!super::cards::replace_body(&row.cards))
                    .then(|| view! { <Body text=row.body.clone() me=me.clone()/> });
                view! {
                    <div class="body">
                        {text}
                        {row.edited.then(|| view! { <span class="edited">"(edited)"</span> })}
                    </div>
                }
                .into_any()
            }
        }
    };
    let reactions = row.reactions.clone();
    let original = row.body.clone();
    view! {
        <li
            class="message"
            class:first=row.first
            class:pending=row.pending
            class:mentions-me=row.mentions_me
            class:focused=row.focused
            id=row.id.map(|id| format!("message-{id}"))
            tabindex="0"
            aria-label=format!("{} at {}", author, row.time)
        >
            {row.divider.then(|| view! {
                <div class="new-messages" id="new-messages" role="separator" aria-label="New messages">
                    <span>"New messages"</span>
                </div>
            })}
            {row.first.then(|| view! {
                <div class="meta">
                    <span class="author"><PersonName id=row.author_id name=row.author.clone()/></span>
                    <span class="time">{row.time.clone()}</span>
                </div>
            })}
            {row.pinned.then(|| view! { <p class="pin-mark">"📌 Pinned"</p> })}
            {body_view}
            {(!row.attachments.is_empty()).then(|| view! { <Attachments files=row.attachments.clone()/> })}
            {cards}
            {(!row.previews.is_empty()).then(|| view! {
                <super::link_preview::LinkPreviews previews=row.previews.clone() id=row.id removable=row.can_delete/>
            })}
            {(!reactions.is_empty()).then(|| view! {
                <ul class="reactions" aria-label="Reactions">
                    {reactions.into_iter().map(|(emoji, count, mine)| {
                        let label = format!("{emoji} {count}{}", if mine { ", yours: remove" } else { ": add yours" });
                        let toggled = emoji.clone();
                        view! {
                            <li>
                                <button
                                    class="reaction"
                                    class:mine=mine
                                    aria-pressed=mine.to_string()
                                    aria-label=label
                                    disabled=!can_act
                                    on:click=move |_| react(toggled.clone(), !mine)
                                >
                                    {format!("{emoji} {count}")}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(row.replies > 0 && !in_thread).then(|| {
                let text = if row.replies == 1 { "1 reply".to_string() } else { format!("{} replies", row.replies) };
                view! {
                    <button class="replies link-button" on:click=move |_| actions.run(Command::OpenThread(id))>
                        {text}
                    </button>
                }
            })}
            {can_act.then(|| view! {
                <div class="actions" role="toolbar" aria-label="Message actions">
                    <button
                        aria-label="Add a reaction"
                        aria-expanded=move || picking.get().to_string()
                        on:click=move |_| picking.update(|p| *p = !*p)
                    >"☺"</button>
                    {(!in_thread).then(|| view! {
                        <button on:click=move |_| actions.run(Command::OpenThread(id))>"Reply"</button>
                    })}
                    {id.map(|id| {
                        let on = !row.pinned;
                        view! {
                            <button on:click=move |_| actions.run(Command::Pin { id, on })>
                                {if on { "Pin" } else { "Unpin" }}
                            </button>
                        }
                    })}
                    {id.map(|id| view! { <super::later::RemindSelect id=id/> })}
                    {id.map(|id| {
                        let model = super::model();
                        let saved = move || model.saved_ids.with(|s| s.contains(&id));
                        view! {
                            <button
                                aria-pressed=move || saved().to_string()
                                title="Keep it in your saved messages"
                                on:click=move |_| actions.run(Command::Save { id, on: !saved() })
                            >"Save"</button>
                        }
                    })}
                    {row.mine.then(|| view! {
                        <button on:click=move |_| { draft.set(original.clone()); editing.set(true); }>"Edit"</button>
                    })}
                    {row.can_delete.then(|| view! {
                        <button
                            class:danger=move || confirming.get()
                            on:click=move |_| {
                                if confirming.get_untracked() {
                                    if let Some(id) = id { actions.run(Command::Delete(id)); }
                                    confirming.set(false);
                                } else {
                                    confirming.set(true);
                                }
                            }
                            on:blur=move |_| confirming.set(false)
                        >
                            {move || if confirming.get() { "Confirm delete" } else { "Delete" }}
                        </button>
                    })}
                </div>
            })}
            {move || picking.get().then(|| view! {
                <ul class="emoji-picker" aria-label="Pick a reaction">
                    {FREQUENT.iter().map(|emoji| {
                        let emoji = emoji.to_string();
                        let label = format!("React with {emoji}");
                        let chosen = emoji.clone();
                        view! {
                            <li><button aria-label=label on:click=move |_| react(chosen.clone(), true)>{emoji}</button></li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// A message's files: images as their thumbnails (opening the full image),
/// the rest as cards to download, with name, size and type.
#[component]
fn Attachments(files: Vec<Attachment>) -> impl IntoView {
    view! {
        <ul class="attachments" aria-label="Files">
            {files.into_iter().map(|file| {
                if let Some(thumbnail) = file.thumbnail.clone() {
                    view! {
                        <li class="image">
                            <a href=file.url.clone() target="_blank" rel="noopener">
                                <img
                                    src=thumbnail
                                    alt=file.name.clone()
                                    width=shown_width(&file).map(|w| w.to_string())
                                    loading="lazy"
                                />
                            </a>
                        </li>
                    }.into_any()
                } else {
                    view! {
                        <li>
                            <a class="file-card" href=file.url.clone() download=file.name.clone()>
                                <span class="file-icon" aria-hidden="true">"📄"</span>
                                <span class="file-name">{file.name.clone()}</span>
                                <span class="file-meta">{format!("{} · {}", human_size(file.size), file.mime)}</span>
                            </a>
                        </li>
                    }.into_any()
                }
            }).collect_view()}
        </ul>
    }
}

/// How wide an image's thumbnail shows (its longest side at most 360 px).
fn shown_width(file: &Attachment) -> Option<u32> {
    let (w, h) = (file.width?, file.height?);
    let longest = w.max(h).max(1);
    Some(if longest <= 360 {
        w
    } else {
        (u64::from(w) * 360 / u64::from(longest)) as u32
    })
}
