//! v3 search filters, written inside the search text: `from:NAME`,
//! `in:ROOM`, `has:file`, `has:link`, `before:YYYY-MM-DD`,
//! `after:YYYY-MM-DD`, `is:thread`. The rest is the words searched for.
//! Clients use [`FILTERS`] to suggest them.

use time::Date;

/// The filters, as a search box offers them (a trailing `:` takes a value).
pub const FILTERS: [&str; 7] = [
    "from:",
    "in:",
    "has:file",
    "has:link",
    "before:",
    "after:",
    "is:thread",
];

/// A search text taken apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// What is left to search for as words.
    pub text: String,
    /// `from:` a username.
    pub from: Option<String>,
    /// `in:` a room's id or name (`#` dropped).
    pub room: Option<String>,
    pub has_file: bool,
    pub has_link: bool,
    /// Replies only.
    pub is_thread: bool,
    /// Before this UTC day (not on it).
    pub before: Option<Date>,
    /// After this UTC day (not on it).
    pub after: Option<Date>,
}

impl SearchFilters {
    /// Takes the filters out of `query`; a filter with a bad value is an
    /// error in words for the user.
    pub fn parse(query: &str) -> Result<SearchFilters, String> {
        let mut parsed = SearchFilters::default();
        let mut words: Vec<&str> = Vec::new();
        for token in query.split_whitespace() {
            let Some((key, value)) = token.split_once(':') else {
                words.push(token);
                continue;
            };
            match (key.to_ascii_lowercase().as_str(), value) {
                ("from", name) if !name.is_empty() => {
                    parsed.from = Some(name.trim_start_matches('@').to_string())
                }
                ("in", room) if !room.is_empty() => {
                    parsed.room = Some(room.trim_start_matches('#').to_string())
                }
                ("has", "file") => parsed.has_file = true,
                ("has", "link") => parsed.has_link = true,
                ("is", "thread") => parsed.is_thread = true,
                ("before", day) => parsed.before = Some(date(day)?),
                ("after", day) => parsed.after = Some(date(day)?),
                ("has" | "is", other) => {
                    return Err(format!(
                        "unknown filter {key}:{other} (has:file, has:link, is:thread)"
                    ))
                }
                _ => words.push(token),
            }
        }
        parsed.text = words.join(" ");
        Ok(parsed)
    }

    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        self.from.is_some()
            || self.room.is_some()
            || self.has_file
            || self.has_link
            || self.is_thread
            || self.before.is_some()
            || self.after.is_some()
    }
}

fn date(day: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(day, format).map_err(|_| format!("{day:?} is no date: write YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_come_out_and_words_stay() {
        let f = SearchFilters::parse(
            "deploy from:@alice in:#ops has:file is:thread after:2026-01-31 failed",
        )
        .unwrap();
        assert_eq!(f.text, "deploy failed");
        assert_eq!(f.from.as_deref(), Some("alice"));
        assert_eq!(f.room.as_deref(), Some("ops"));
        assert!(f.has_file && f.is_thread && !f.has_link);
        assert_eq!(f.after, Some(time::macros::date!(2026 - 01 - 31)));
        assert!(f.any());
        let plain = SearchFilters::parse("note: 10:30 standup").unwrap();
        assert_eq!(plain.text, "note: 10:30 standup", "a colon alone is a word");
        assert!(!plain.any());
        assert!(SearchFilters::parse("before:yesterday").is_err());
        assert!(SearchFilters::parse("has:cake").is_err());
    }
}
