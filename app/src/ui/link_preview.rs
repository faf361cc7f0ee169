//! A message's link previews, as cards under it: the page's title (a link
//! that opens in a new tab, without the page learning where from), its
//! description and site. Whoever may delete the message may remove them.
//! The page's image is not shown: the page may not load images from other
//! sites (its Content-Security-Policy), and fetching them through the server
//! would be another way in.

use leptos::prelude::*;
use uuid::Uuid;

use super::actions;
use crate::chat::Command;
use crate::protocol::LinkPreview;

#[component]
pub fn LinkPreviews(
    previews: Vec<LinkPreview>,
    id: Option<Uuid>,
    removable: bool,
) -> impl IntoView {
    let actions = actions();
    view! {
        <div class="link-previews">
            {previews.into_iter().map(|p| {
                let title = p.title.clone().unwrap_or_else(|| p.url.clone());
                let label = format!("Link preview: {title}");
                view! {
                    <article class="link-card" aria-label=label>
                        {p.site_name.clone().map(|site| view! { <p class="link-site">{site}</p> })}
                        <a class="link-title" href=p.url.clone() target="_blank" rel="noopener noreferrer nofollow">{title}</a>
                        {p.description.clone().map(|d| view! { <p class="link-description">{d}</p> })}
                    </article>
                }
            }).collect_view()}
            {id.filter(|_| removable).map(|id| view! {
                <button class="link-button remove-previews" on:click=move |_| actions.run(Command::RemovePreviews(id))>
                    "Remove preview"
                </button>
            })}
        </div>
    }
}
