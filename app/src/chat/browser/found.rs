//! Panels searched as the user types (the people directory, "Browse
//! rooms"): each search opens the panel, marks it loading, and keeps its
//! answer unless the panel was closed or a newer search went out meanwhile.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use super::http;
use crate::chat::model::Found;

/// Searches `panel` for `text` with `GET path`, keeping what `items` takes
/// from the answer; `None` closes the panel. Answers what was kept.
pub(super) async fn search<T, A>(
    panel: RwSignal<Option<Found<T>>>,
    text: Option<String>,
    path: String,
    items: impl FnOnce(A) -> Vec<T>,
) -> Vec<T>
where
    T: Clone + Send + Sync + 'static,
    A: DeserializeOwned,
{
    let Some(text) = text else {
        panel.set(None);
        return Vec::new();
    };
    panel.update(|view| {
        let view = view.get_or_insert_with(Found::default);
        view.text = text.clone();
        view.loading = true;
    });
    let answer = http::call::<A>("GET", &path, None::<&()>).await;
    let mut kept = Vec::new();
    panel.update(|view| {
        // Closed meanwhile, or a newer search went out.
        let Some(view) = view.as_mut().filter(|v| v.text == text) else {
            return;
        };
        view.loading = false;
        match answer {
            Ok(found) => {
                view.error = None;
                view.items = items(found);
                kept = view.items.clone();
            }
            Err(e) => view.error = Some(e.message),
        }
    });
    kept
}
