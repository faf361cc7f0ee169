//! Slack's `mrkdwn` as Confab's Markdown (docs/PROTOCOL.md, "Records"):
//! what webhooks post and what a Slack export holds.
//!
//! - `*bold*` → `**bold**`, `_italic_` stays, `~strike~` → `~~strike~~`,
//!   each only where Slack reads it (after a space or punctuation, closed
//!   before one, on one line);
//! - `<https://…|label>` → `[label](https://…)`, `<https://…>` → the
//!   address, `<mailto:…|label>` likewise;
//! - `<@U…>` → `@name` (the name the caller knows the user by, else the
//!   id), `<#C…|name>` → `#name`, `<!here>` / `<!channel>` / `<!everyone>` →
//!   `@here` / `@channel` / `@all`, `<!subteam^…|@team>` → `@team`,
//!   `<!date^…|fallback>` → the fallback;
//! - `&lt;` `&gt;` `&amp;` are the characters again (a `<` kept escaped, so
//!   it is never read as markup);
//! - nothing inside `` `code` `` or ```` ``` ```` blocks changes but the
//!   entities.

/// Names for Slack's ids, as the caller knows them (an importer knows the
/// export's users and channels; a webhook knows none).
pub trait Names {
    /// The Confab name of the Slack user `id`.
    fn user(&self, id: &str) -> Option<String>;
    /// The Confab name of the Slack channel `id`.
    fn channel(&self, id: &str) -> Option<String>;
}

/// Knows no names: ids are shown as they are.
pub struct NoNames;

impl Names for NoNames {
    fn user(&self, _: &str) -> Option<String> {
        None
    }
    fn channel(&self, _: &str) -> Option<String> {
        None
    }
}

/// `text` (Slack's mrkdwn) as Markdown.
pub fn to_markdown(text: &str, names: &dyn Names) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    // Code blocks and spans pass through as they are.
    while let Some(start) = rest.find('`') {
        let fence = if rest[start..].starts_with("```") {
            "```"
        } else {
            "`"
        };
        let after = start + fence.len();
        let Some(len) = rest[after..].find(fence) else {
            break;
        };
        out.push_str(&prose(&rest[..start], names));
        out.push_str(&unescape(&rest[start..after + len + fence.len()], false));
        rest = &rest[after + len + fence.len()..];
    }
    out.push_str(&prose(rest, names));
    out
}

/// Text outside code: links and mentions, then emphasis, line by line.
fn prose(text: &str, names: &dyn Names) -> String {
    let linked = links(text, names);
    linked
        .split('\n')
        .map(|line| {
            let line = emphasis(line, '*', "**");
            let line = emphasis(&line, '~', "~~");
            emphasis(&line, '_', "_")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `<…>` markup, and the entities outside it.
fn links(text: &str, names: &dyn Names) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(len) = rest[open..].find('>') else {
            break;
        };
        out.push_str(&unescape(&rest[..open], true));
        out.push_str(&markup(&rest[open + 1..open + len], names));
        rest = &rest[open + len + 1..];
    }
    out.push_str(&unescape(rest, true));
    out
}

/// One `<…>`'s inside, as Markdown.
fn markup(inner: &str, names: &dyn Names) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(unescape(label, true))),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = names.user(id).unwrap_or_else(|| id.to_string());
        return format!("@{name}");
    }
    if let Some(id) = target.strip_prefix('#') {
        let name = names
            .channel(id)
            .or_else(|| label.clone().map(|l| l.trim_start_matches('#').to_string()))
            .unwrap_or_else(|| id.to_string());
        return format!("#{name}");
    }
    if let Some(special) = target.strip_prefix('!') {
        return match special.split('^').next().unwrap_or("") {
            "here" => "@here".into(),
            "channel" => "@channel".into(),
            "everyone" => "@all".into(),
            "subteam" => label.unwrap_or_default(),
            _ => label.unwrap_or_default(),
        };
    }
    let url = unescape(target, false);
    let safe = ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| url.to_ascii_lowercase().starts_with(scheme));
    match (safe, label) {
        (true, Some(label)) if !label.is_empty() => {
            let label = label.replace('[', "\\[").replace(']', "\\]");
            format!("[{label}]({})", url.replace(' ', "%20").replace(')', "%29"))
        }
        (true, _) => format!("<{url}>"),
        // Not an address Confab links: its words only.
        (false, Some(label)) => label,
        (false, None) => escape_angle(&url),
    }
}

/// Slack's three entities as characters; `keep_markup` escapes a `<` so
/// Markdown does not read it as markup.
fn unescape(text: &str, keep_markup: bool) -> String {
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    if keep_markup {
        escape_angle(&text)
    } else {
        text
    }
}

fn escape_angle(text: &str) -> String {
    text.replace('<', "\\<")
}

/// Slack's `mark`-delimited emphasis on one line as Markdown's `to`: the
/// opening mark after the start, a space or punctuation and before a
/// non-space; the closing one after a non-space and before the end, a
/// space or punctuation.
fn emphasis(line: &str, mark: char, to: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let boundary =
        |c: Option<&char>| c.is_none_or(|c| c.is_whitespace() || c.is_ascii_punctuation());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = c == mark
            && boundary(i.checked_sub(1).and_then(|p| chars.get(p)))
            && chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != mark);
        if opens {
            let close = (i + 2..chars.len()).find(|&j| {
                chars[j] == mark && !chars[j - 1].is_whitespace() && boundary(chars.get(j + 1))
            });
            if let Some(j) = close {
                let inner: String = chars[i + 1..j].iter().collect();
                out.push_str(to);
                out.push_str(&inner);
                out.push_str(to);
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
#[path = "mrkdwn_tests.rs"]
mod tests;
