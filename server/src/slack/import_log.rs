//! One conversation's log as a Slack import writes it (see `import`): its
//! messages in `ts` order, each with its id made from its channel and
//! `ts`, replies after their roots are stored, reactions after their
//! messages, carried files stored and claimed, in batches.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use protocol::UserRef;
use uuid::Uuid;

use super::export_zip::{self, ts_ms, Export};
use super::import::{new_account, FileSink, Report, SOURCE};
use super::mrkdwn::Names;
use super::post::convert;
use crate::store::{Imported, NewEntry, NewMessage, Outcome, Store};

/// Entries stored at once.
const BATCH: usize = 200;

/// Slack ids as names here.
pub(super) struct Known<'a> {
    pub users: &'a HashMap<String, UserRef>,
    pub channels: &'a HashMap<String, String>,
}

impl Names for Known<'_> {
    fn user(&self, id: &str) -> Option<String> {
        self.users.get(id).map(|u| u.name.clone())
    }
    fn channel(&self, id: &str) -> Option<String> {
        self.channels.get(id).cloned()
    }
}

/// The id something imported has here, the same at every import: a
/// UUIDv7 at its time `ms`, the rest from its place in the export (`scope`
/// and `key`: a message's channel and `ts`, a file's `"file"` and id).
pub(crate) fn stable_id(scope: &str, key: &str, ms: i64) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(scope.as_bytes())
        .chain_update(b"/")
        .chain_update(key.as_bytes())
        .finalize();
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &random).into_uuid()
}

/// One room's log as it is written: entries wait in a batch.
pub(super) struct Log<'a> {
    store: &'a dyn Store,
    room: &'a str,
    batch: Vec<NewEntry>,
    /// Reactions to the batch's messages: stored just after them (a
    /// reaction needs its message stored).
    reactions: Vec<NewEntry>,
    /// The messages in the batch (a reply to one waits for it to be stored).
    in_batch: HashSet<Uuid>,
    /// Top-level messages stored or batched (roots replies may name).
    known: HashSet<Uuid>,
    /// The last topic set, and by whom.
    topic: Option<(String, String)>,
}

impl<'a> Log<'a> {
    pub(super) fn new(store: &'a dyn Store, room: &'a str) -> Self {
        Log {
            store,
            room,
            batch: Vec::new(),
            reactions: Vec::new(),
            in_batch: HashSet::new(),
            known: HashSet::new(),
            topic: None,
        }
    }
}

impl Log<'_> {
    pub(super) async fn add(
        &mut self,
        channel: &str,
        message: export_zip::Message,
        attachments: Vec<protocol::Attachment>,
        names: &Known<'_>,
        bots: &mut HashMap<String, UserRef>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let Some(ms) = ts_ms(&message.ts) else {
            return Ok(());
        };
        match message.subtype.as_deref() {
            Some("channel_topic" | "group_topic") => {
                let topic = message.topic.clone().unwrap_or_default();
                self.topic = message.user.clone().map(|u| (topic, u));
                return Ok(());
            }
            Some(
                "channel_join" | "channel_leave" | "group_join" | "group_leave" | "channel_purpose"
                | "group_purpose" | "channel_name" | "group_name" | "channel_archive"
                | "channel_unarchive",
            ) => return Ok(()),
            _ => {}
        }
        let author = match (&message.user, &message.bot_id, &message.username) {
            (Some(user), _, _) if names.users.contains_key(user) => names.users[user].clone(),
            (_, Some(bot), _) | (_, None, Some(bot)) => {
                bot_user(self.store, bot, message.username.as_deref(), bots).await?
            }
            _ => return Ok(()),
        };
        let converted = convert(
            &message.text,
            message.blocks.as_ref().filter(|_| message.bot_id.is_some()),
            message.attachments.as_ref(),
            names,
        );
        let (mut body, cards) = match converted {
            Ok(c) => (c.body, c.cards),
            Err(_) => (String::new(), Vec::new()),
        };
        for file in &message.files {
            if attachments
                .iter()
                .any(|a| a.name == protocol::clean_file_name(&file.name))
            {
                report.files += 1;
                continue;
            }
            report.files_linked += 1;
            let note = format!("📎 {} (a file the export does not carry)", file.name);
            body = if body.is_empty() {
                note
            } else {
                format!("{body}\n\n{note}")
            };
        }
        if body.trim().is_empty() && cards.is_empty() && attachments.is_empty() {
            return Ok(());
        }
        let id = stable_id(channel, &message.ts, ms);
        let root = message
            .thread_ts
            .as_deref()
            .filter(|t| *t != message.ts)
            .and_then(|t| Some(stable_id(channel, t, ts_ms(t)?)))
            .filter(|root| self.known.contains(root));
        if root.is_some_and(|r| self.in_batch.contains(&r)) {
            self.flush(report).await?;
        }
        let (mentions, everyone) = mentions_of(&message.text, names.users);
        self.batch.push(NewEntry::Message(NewMessage {
            room: self.room.to_string(),
            author,
            client_msg_id: id,
            body,
            thread: root,
            mentions,
            everyone,
            attachments,
            cards,
            imported: Some(Imported {
                id,
                created_ms: ms,
                edited_ms: message.edited.as_ref().and_then(|e| ts_ms(&e.ts)),
            }),
        }));
        self.in_batch.insert(id);
        if root.is_none() {
            self.known.insert(id);
        }
        for reaction in &message.reactions {
            let emoji = emojis::get_by_shortcode(&reaction.name).map_or_else(
                || format!(":{}:", reaction.name),
                |e| e.as_str().to_string(),
            );
            for user in reaction.users.iter().filter_map(|u| names.users.get(u)) {
                self.reactions.push(NewEntry::React {
                    room: self.room.to_string(),
                    id,
                    emoji: emoji.chars().take(protocol::MAX_EMOJI_CHARS).collect(),
                    on: true,
                    user: user.clone(),
                });
            }
        }
        if self.batch.len() >= BATCH {
            self.flush(report).await?;
        }
        Ok(())
    }

    /// Stores what waits, then the reactions to it, counting what was new.
    /// The files `message` shared that the export carries: stored (once:
    /// a file's id is made from its Slack id) and claimed for the message.
    pub(super) async fn carried_files(
        &self,
        export: &mut Export,
        sink: &FileSink<'_>,
        channel: &str,
        message: &export_zip::Message,
        names: &Known<'_>,
    ) -> anyhow::Result<Vec<protocol::Attachment>> {
        let (Some(ms), Some(author)) = (
            ts_ms(&message.ts),
            message.user.as_ref().and_then(|u| names.users.get(u)),
        ) else {
            return Ok(Vec::new());
        };
        let claim = stable_id(channel, &message.ts, ms);
        let mut attached = Vec::new();
        for shared in &message.files {
            let id = stable_id("file", &shared.id, ms);
            if let Some(record) = self.store.file(id).await? {
                attached.push(record.attachment());
                continue;
            }
            let Some(bytes) = export.carried(shared, sink.max_bytes) else {
                continue;
            };
            let digest = {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(&bytes))
            };
            let record = crate::store::FileRecord {
                id,
                room: self.room.to_string(),
                uploader: author.id,
                name: protocol::clean_file_name(&shared.name),
                mime: shared
                    .mimetype
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size: bytes.len() as u64,
                digest: digest.clone(),
                thumb_digest: None,
                width: None,
                height: None,
                claim: None,
                created_ms: ms,
                held: false,
            };
            sink.files.put_bytes(&digest, bytes).await?;
            self.store.add_file(&record, u64::MAX).await?;
            self.store
                .claim_files(self.room, author.id, claim, &[id])
                .await?;
            attached.push(record.attachment());
        }
        Ok(attached)
    }

    async fn flush(&mut self, report: &mut Report) -> anyhow::Result<()> {
        self.in_batch.clear();
        for batch in [
            std::mem::take(&mut self.batch),
            std::mem::take(&mut self.reactions),
        ] {
            if !batch.is_empty() {
                count(&self.store.append_batch(self.room, batch).await?, report);
            }
        }
        report.keep_statistics(self.store).await
    }

    /// Stores what waits, and the channel's last topic.
    pub(super) async fn finish(
        mut self,
        users: &HashMap<String, UserRef>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        if let Some((topic, by)) = self.topic.take() {
            if let Some(by) = users.get(&by) {
                let topic: String = topic.chars().take(protocol::MAX_TOPIC_CHARS).collect();
                self.batch.push(NewEntry::Topic {
                    room: self.room.to_string(),
                    topic,
                    by: by.clone(),
                });
            }
        }
        self.flush(report).await
    }
}

fn count(outcomes: &[Outcome], report: &mut Report) {
    for outcome in outcomes {
        match outcome {
            Outcome::Stored {
                entry: protocol::Entry::Message(m),
                fresh: true,
            } => {
                report.messages += 1;
                report.replies += usize::from(m.thread.is_some());
            }
            Outcome::Stored {
                entry: protocol::Entry::Reaction(_),
                fresh: true,
            } => report.reactions += 1,
            _ => {}
        }
    }
}

/// The account a bot posts as (one per bot, made on first use).
async fn bot_user(
    store: &dyn Store,
    bot: &str,
    name: Option<&str>,
    bots: &mut HashMap<String, UserRef>,
) -> anyhow::Result<UserRef> {
    if let Some(user) = bots.get(bot) {
        return Ok(user.clone());
    }
    let user = match store.imported(SOURCE, "bot", bot).await? {
        Some(id) => {
            let id = Uuid::parse_str(&id)?;
            store
                .user_by_id(id)
                .await?
                .context("an imported bot is gone")?
                .user
        }
        None => {
            let user = new_account(store, &name.unwrap_or("bot").to_lowercase()).await?;
            store
                .remember_import(SOURCE, "bot", bot, &user.id.to_string())
                .await?;
            user
        }
    };
    bots.insert(bot.to_string(), user.clone());
    Ok(user)
}

/// Who a message's text mentions (`<@U…>`), and whether it mentions
/// everyone (`<!channel>`, `<!everyone>`).
fn mentions_of(text: &str, users: &HashMap<String, UserRef>) -> (Vec<Uuid>, bool) {
    let mut mentioned = Vec::new();
    for piece in text.split("<@").skip(1) {
        let id = piece.split(['>', '|']).next().unwrap_or("");
        if let Some(user) = users.get(id) {
            if !mentioned.contains(&user.id) {
                mentioned.push(user.id);
            }
        }
    }
    let everyone = text.contains("<!channel>") || text.contains("<!everyone>");
    (mentioned, everyone)
}
