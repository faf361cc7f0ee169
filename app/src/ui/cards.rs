//! Cards under a message (a webhook's or an imported Slack post's blocks
//! and attachments, `protocol::Card`): a coloured bar, a title (a link if
//! it has one), Markdown text, fields two to a row when short, a small
//! footer. Cards of `blocks` stand in place of the message's text.

use leptos::prelude::*;

use super::body::Body;
use crate::protocol::{Card, CardKind};

/// Whether the cards stand in place of the message's text.
pub fn replace_body(cards: &[Card]) -> bool {
    cards.iter().any(|card| card.kind == CardKind::Blocks)
}

#[component]
pub fn Cards(cards: Vec<Card>, me: String) -> impl IntoView {
    view! {
        <div class="cards">
            {cards.into_iter().map(|card| view! { <CardView card me=me.clone()/> }).collect_view()}
        </div>
    }
}

#[component]
fn CardView(card: Card, me: String) -> impl IntoView {
    // The colour is the server's `#rrggbb` (checked again: it becomes a
    // style property, set through the CSSOM as the page's policy allows).
    let bar = card
        .color
        .filter(|c| {
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit())
        })
        .unwrap_or_default();
    let title = card.title.map(|title| match card.title_link {
        Some(href) => view! {
            <p class="card-title">
                <a href=href target="_blank" rel="noopener noreferrer nofollow">{title}</a>
            </p>
        }
        .into_any(),
        None => view! { <p class="card-title">{title}</p> }.into_any(),
    });
    let fields = (!card.fields.is_empty()).then(|| {
        let me = me.clone();
        view! {
            <dl class="card-fields">
                {card.fields.into_iter().map(|field| view! {
                    <div class="card-field" class:short=field.short>
                        <dt>{field.title}</dt>
                        <dd><Body text=field.value me=me.clone()/></dd>
                    </div>
                }).collect_view()}
            </dl>
        }
    });
    let pretext = card.pretext.map(|text| {
        let me = me.clone();
        view! { <div class="card-pretext"><Body text me/></div> }
    });
    let text = (!card.text.is_empty()).then(|| {
        let me = me.clone();
        view! { <div class="card-text"><Body text=card.text me/></div> }
    });
    let footer = card
        .footer
        .map(|text| view! { <div class="card-footer"><Body text me=me.clone()/></div> });
    view! {
        {pretext}
        <div class="card" style:border-left-color=bar>
            {title}
            {text}
            {fields}
            {footer}
        </div>
    }
}
