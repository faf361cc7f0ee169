//! One conversation's messages, a day at a time, as Slack's export files
//! them: ordered by `ts` within each `YYYY-MM-DD.json`, threads whose
//! replies land on later days than their parent, edits, reactions with
//! their users, mentions and links in Slack's markup, joins, a topic, a
//! rename, a bot's message with a legacy attachment, and shared files (some
//! carried in the export, under `__uploads/FILE-ID/NAME`, some only linked).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::workspace::{Conversation, Kind, User, EPOCH};

/// What the history has made so far (the export's counts).
#[derive(Debug, Default, serde::Serialize)]
pub struct Counts {
    /// Every entry of every day file.
    pub messages: usize,
    /// Of those, replies in threads.
    pub replies: usize,
    /// Of those, notices that are no message: joins, the topic, the rename.
    pub notices: usize,
    /// Reactions, one per user who reacted.
    pub reactions: usize,
    /// Files whose bytes the export carries.
    pub files: usize,
    /// Files only linked.
    pub linked_files: usize,
}

/// A file the export carries: its path in the zip and its bytes.
pub struct Carried {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A reply decided when its parent was made, waiting for its time.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Reply {
    micros: i64,
    parent: i64,
    parent_user: usize,
    user: usize,
}

pub struct History<'a> {
    conversation: &'a Conversation,
    users: &'a [User],
    rng: StdRng,
    /// Top-level messages still to make.
    left: usize,
    /// The time of the last message made, µs since the epoch.
    clock: i64,
    replies: BinaryHeap<Reverse<Reply>>,
    made: usize,
    /// A message made but not yet filed (the first of the next day).
    held: Option<(i64, Value)>,
    pub counts: Counts,
    /// Files made since the last day was taken.
    pub carried: Vec<Carried>,
}

impl<'a> History<'a> {
    pub fn new(
        conversation: &'a Conversation,
        users: &'a [User],
        messages: usize,
        seed: u64,
    ) -> Self {
        use rand::SeedableRng;
        History {
            conversation,
            users,
            rng: StdRng::seed_from_u64(seed),
            left: messages,
            clock: EPOCH * 1_000_000,
            replies: BinaryHeap::new(),
            made: 0,
            held: None,
            counts: Counts::default(),
            carried: Vec::new(),
        }
    }

    /// The next day's file: its date and messages, oldest first.
    pub fn next_day(&mut self) -> Option<(String, Vec<Value>)> {
        let (first_micros, first) = match self.held.take() {
            Some(held) => held,
            None => self.next_message()?,
        };
        let day = day_of(first_micros);
        let mut messages = vec![first];
        while let Some((micros, message)) = self.next_message() {
            if day_of(micros) != day {
                self.held = Some((micros, message));
                break;
            }
            messages.push(message);
        }
        Some((day, messages))
    }

    /// The next message in time: a reply that is due, or a new one.
    fn next_message(&mut self) -> Option<(i64, Value)> {
        let gap = self.rng.gen_range(60_000_000..1_800_000_000);
        let next_top = (self.left > 0).then_some(self.clock + gap);
        let due = self.replies.peek().map(|Reverse(r)| r.micros);
        let micros = match (next_top, due) {
            (Some(top), Some(due)) if due < top => due,
            (None, Some(due)) => due,
            (Some(top), _) => top,
            (None, None) => return None,
        };
        self.clock = micros;
        self.counts.messages += 1;
        if Some(micros) == due {
            let Reverse(reply) = self.replies.pop()?;
            self.counts.replies += 1;
            return Some((micros, self.reply(reply)));
        }
        self.left -= 1;
        self.made += 1;
        Some((micros, self.top_level(micros)))
    }

    fn member(&mut self) -> usize {
        let members = &self.conversation.members;
        members[self.rng.gen_range(0..members.len())]
    }

    fn top_level(&mut self, micros: i64) -> Value {
        let n = self.made;
        let public = self.conversation.kind == Kind::Public;
        let stamp = ts(micros);
        // Each public channel opens with joins, its topic, and (the renamed
        // one) its rename.
        if public && n <= 2 {
            self.counts.notices += 1;
            let user = &self.users[self.conversation.members[n - 1]];
            return json!({"type": "message", "subtype": "channel_join", "user": user.id, "ts": stamp,
                "text": format!("<@{}> has joined the channel", user.id)});
        }
        if public && n == 3 {
            self.counts.notices += 1;
            let user = &self.users[self.conversation.members[0]];
            let topic = format!("Everything about {}", self.conversation.name);
            return json!({"type": "message", "subtype": "channel_topic", "user": user.id, "ts": stamp,
                "topic": topic, "text": format!("<@{}> set the channel topic: {topic}", user.id)});
        }
        if let (Some(old), 4) = (&self.conversation.old_name, n) {
            self.counts.notices += 1;
            let user = &self.users[self.conversation.members[0]];
            return json!({"type": "message", "subtype": "channel_name", "user": user.id, "ts": stamp,
                "old_name": old, "name": self.conversation.name,
                "text": format!("<@{}> has renamed the channel from \"{old}\" to \"{}\"", user.id, self.conversation.name)});
        }
        if public && n % 50 == 7 {
            return json!({"type": "message", "subtype": "bot_message", "bot_id": "B00000001",
                "username": "CI", "ts": stamp, "text": "",
                "attachments": [{"fallback": format!("Build {n} passed"), "color": "good",
                    "title": format!("Build {n} passed"), "title_link": format!("https://ci.example/{n}"),
                    "text": "All *120* tests passed", "footer": "Jenkins"}]});
        }
        // The deleted user said something before they left.
        let user_index = if public && n == 6 { 3 } else { self.member() };
        let user = &self.users[user_index];
        let mut message = json!({"type": "message", "user": user.id, "ts": stamp, "team": "T00000001",
            "client_msg_id": format!("00000000-0000-4000-8000-{:012}", micros % 1_000_000_000_000),
            "text": self.text(n)});
        if n.is_multiple_of(7) {
            message["edited"] = json!({"user": user.id, "ts": ts(micros + 90_000_000)});
        }
        if n.is_multiple_of(5) {
            let who: Vec<&str> = self
                .conversation
                .members
                .iter()
                .take(2 + n % 3)
                .map(|&m| self.users[m].id.as_str())
                .collect();
            self.counts.reactions += who.len() + 1;
            message["reactions"] = json!([
                {"name": "tada", "users": who, "count": who.len()},
                {"name": "+1", "users": [user.id], "count": 1},
            ]);
        }
        if n % 40 == 11 {
            self.share_file(&mut message, n);
        }
        if n % 9 == 5 {
            self.open_thread(&mut message, micros, user_index, n == 14);
        }
        message
    }

    /// Words with Slack's markup now and then.
    fn text(&mut self, n: usize) -> String {
        let users = self.users;
        let other = &users[self.member()];
        match n % 6 {
            0 => format!("<@{}> can you look at *build {n}*?", other.id),
            1 => format!("notes in <https://docs.example/{n}|the doc> and <#C00000001|general>"),
            2 => format!("<!here> standup moved, item {n} :tada:"),
            3 => format!("plain message number {n} with _some_ ~words~"),
            4 => format!("code: `make test` passes for change {n} &amp; more"),
            _ => format!("Ünïcödé message {n} — 漢字 ✓"),
        }
    }

    fn share_file(&mut self, message: &mut Value, n: usize) {
        // Unique in the workspace: the conversation's id and the message's
        // place in it.
        let id = format!("F{}{n:06}", self.conversation.id);
        let name = format!("report-{n}.txt");
        let carried = n % 80 == 11;
        message["files"] = json!([{"id": id, "name": name, "title": name, "mimetype": "text/plain",
            "filetype": "text", "size": 32, "url_private": format!("https://files.slack.com/files-pri/T00000001-{id}/{name}")}]);
        message["upload"] = json!(true);
        if carried {
            self.counts.files += 1;
            self.carried.push(Carried {
                path: format!("__uploads/{id}/{name}"),
                bytes: format!("report {n}: all systems nominal\n").into_bytes(),
            });
        } else {
            self.counts.linked_files += 1;
        }
    }

    /// Makes `message` a thread's parent, deciding its replies now (the
    /// export lists them on the parent); with `spill`, one comes two days on.
    fn open_thread(&mut self, message: &mut Value, micros: i64, user: usize, spill: bool) {
        let count = self.rng.gen_range(1..=3);
        let mut replies = Vec::new();
        for i in 0..count {
            let later = if spill && i == 0 {
                48 * 3_600_000_000
            } else {
                self.rng.gen_range(1..600) * 1_000_000
            };
            let reply = Reply {
                micros: micros + later + i as i64,
                parent: micros,
                parent_user: user,
                user: self.member(),
            };
            replies.push(json!({"user": self.users[reply.user].id, "ts": ts(reply.micros)}));
            self.replies.push(Reverse(reply));
        }
        let latest = replies
            .iter()
            .map(|r| r["ts"].as_str().unwrap_or("").to_string())
            .max();
        message["thread_ts"] = json!(ts(micros));
        message["reply_count"] = json!(count);
        message["replies"] = json!(replies);
        message["latest_reply"] = json!(latest);
    }

    fn reply(&mut self, reply: Reply) -> Value {
        let user = &self.users[reply.user];
        json!({"type": "message", "user": user.id, "ts": ts(reply.micros),
            "thread_ts": ts(reply.parent), "parent_user_id": self.users[reply.parent_user].id,
            "text": format!("a reply from {}", user.name)})
    }
}

/// Slack's `ts`: seconds and microseconds.
fn ts(micros: i64) -> String {
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

fn day_of(micros: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(micros / 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.date().to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::slack_export::workspace;

    #[test]
    fn days_are_in_order_and_threads_cross_them_as_exports_do() {
        let users = workspace::users(8);
        let conversations = workspace::conversations(&users, 3);
        let general = &conversations[0];
        let mut history = History::new(general, &users, 80, 7);
        let mut days = Vec::new();
        let mut parents: HashMap<String, (String, i64)> = HashMap::new();
        let mut last = 0.0;
        let mut spilled = 0;
        let mut entries = 0;
        while let Some((day, messages)) = history.next_day() {
            assert!(
                days.last().is_none_or(|d: &String| *d < day),
                "one file a day, in order"
            );
            for message in &messages {
                entries += 1;
                let ts: f64 = message["ts"].as_str().unwrap().parse().unwrap();
                assert!(ts > last, "ordered by ts");
                last = ts;
                if let Some(count) = message["reply_count"].as_i64() {
                    parents.insert(message["ts"].as_str().unwrap().into(), (day.clone(), count));
                }
                if let Some(parent) = message["parent_user_id"].as_str() {
                    let thread = message["thread_ts"].as_str().unwrap();
                    let (parent_day, _) = &parents[thread];
                    assert!(parent.starts_with('U'));
                    spilled += usize::from(*parent_day != day);
                }
            }
            days.push(day);
        }
        assert!(spilled >= 1, "a reply lands on a later day than its parent");
        let replies: i64 = parents.values().map(|(_, count)| count).sum();
        assert_eq!(
            replies as usize, history.counts.replies,
            "every reply listed on its parent came"
        );
        assert_eq!(entries, history.counts.messages);
        assert_eq!(entries, 80 + history.counts.replies);
    }
}
