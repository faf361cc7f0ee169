//! Emoji in the composer: `:shortcode` completion (the gemoji names GitHub
//! and Slack use, from the `emojis` crate) and a picker that finds emoji by
//! name.

use leptos::prelude::*;

/// Most emoji offered while a shortcode is typed.
const MAX_OFFERED: usize = 8;
/// Most emoji the picker shows at once.
const MAX_SHOWN: usize = 64;

/// The `:shortcode` being typed where the caret is: where it starts (the
/// `:`) and what is typed after it (two characters at least, so a colon in
/// a sentence offers nothing).
pub fn shortcode_at(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let at = before.rfind(':')?;
    let typed = &before[at + 1..];
    let code_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-');
    let starts_word = before[..at]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace);
    (starts_word && typed.len() >= 2 && typed.len() <= 40 && typed.chars().all(code_char))
        .then_some((at, typed))
}

/// Emoji whose shortcode starts with `typed` (those that merely contain it
/// after), as (emoji, shortcode).
pub fn matching(typed: &str, max: usize) -> Vec<(&'static str, &'static str)> {
    let typed = typed.to_ascii_lowercase();
    // Every name of every emoji (👍 is `+1` and `thumbsup`).
    let coded = || emojis::iter().flat_map(|e| e.shortcodes().map(move |code| (e.as_str(), code)));
    let mut found: Vec<(&'static str, &'static str)> = coded()
        .filter(|(_, code)| code.starts_with(&typed))
        .take(max)
        .collect();
    if found.len() < max {
        let more = coded().filter(|(_, code)| !code.starts_with(&typed) && code.contains(&typed));
        found.extend(more.take(max - found.len()));
    }
    found
}

/// The completions of `typed`: what replaces `:typed`, and its label.
pub fn offers(typed: &str) -> Vec<(String, String)> {
    matching(typed, MAX_OFFERED)
        .into_iter()
        .map(|(emoji, code)| (format!("{emoji} "), format!("{emoji} :{code}:")))
        .collect()
}

/// A button that opens a panel to find an emoji by name; `on_pick` gets the
/// one chosen.
#[component]
pub fn EmojiPicker(on_pick: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let find = RwSignal::new(String::new());
    let shown = move || {
        let text = find.get();
        if text.trim().is_empty() {
            emojis::Group::SmileysAndEmotion
                .emojis()
                .filter_map(|e| e.shortcode().map(|code| (e.as_str(), code)))
                .take(MAX_SHOWN)
                .collect()
        } else {
            matching(text.trim(), MAX_SHOWN)
        }
    };
    view! {
        <div class="emoji-picker">
            <button type="button" class="emoji-button" aria-label="Emoji" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                <span aria-hidden="true">"😀"</span>
            </button>
            {move || open.get().then(|| view! {
                <div class="emoji-panel" role="dialog" aria-label="Choose an emoji"
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                    <label for="emoji-find" class="visually-hidden">"Find an emoji"</label>
                    <input id="emoji-find" type="search" placeholder="Find an emoji" autofocus=true
                        prop:value=move || find.get() on:input=move |ev| find.set(event_target_value(&ev))/>
                    <div class="emoji-grid">
                        {move || shown().into_iter().map(|(emoji, code)| view! {
                            <button type="button" aria-label=format!(":{code}:") title=format!(":{code}:")
                                on:click=move |_| {
                                    on_pick.run(emoji.to_string());
                                    open.set(false);
                                }>
                                {emoji}
                            </button>
                        }).collect_view()}
                    </div>
                </div>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_complete_after_two_characters_at_a_word_start() {
        assert_eq!(shortcode_at("nice :ta", 8), Some((5, "ta")));
        assert_eq!(shortcode_at(":t", 2), None, "too short");
        assert_eq!(shortcode_at("at 10:30", 8), None, "inside a word");
        assert_eq!(shortcode_at("ok :tada: done", 14), None);
        assert_eq!(
            offers("tada")[0],
            ("🎉 ".to_string(), "🎉 :tada:".to_string())
        );
        assert!(matching("thumbs", 8).iter().any(|(e, _)| *e == "👍"));
    }
}
