//! A Slack export, imported (docs/PROTOCOL.md, "Slack import"): its people
//! become accounts with no password (to be claimed), its channels rooms
//! (public, private; its direct and group direct messages direct rooms),
//! each a new room with its own log whose entries are the messages in `ts`
//! order with their original times, replies in their threads, edits marked,
//! reactions with the people who reacted, mrkdwn as Markdown, bots' blocks
//! and attachments as cards, the channel's last topic. Everything is keyed
//! by its Slack id (`import_ids`; a message's id is made from its channel
//! and `ts`), so importing the same export again adds nothing. A day file
//! that cannot be read is reported with its path and skipped.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use protocol::{RoomKind, UserRef};
use uuid::Uuid;

use super::export_zip::{self, ts_ms, Export, Kind};
use super::mrkdwn::Names;
use super::post::convert;
use crate::files::Files;
use crate::store::{Imported, NewEntry, NewMessage, Outcome, Store, StoreError, NO_PASSWORD};

const SOURCE: &str = "slack";
/// Entries stored at once.
const BATCH: usize = 200;

/// What an import did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub users: usize,
    pub rooms: usize,
    /// Messages stored by this import (not those stored before).
    pub messages: usize,
    pub replies: usize,
    pub reactions: usize,
    /// Files the export carries, stored and attached to their messages.
    pub files: usize,
    /// Files messages named that the export does not carry (noted in the
    /// message's text).
    pub files_linked: usize,
    /// Day files that could not be read: `path: why`.
    pub skipped: Vec<String>,
}

/// How far an import is: the conversation being read, of how many.
pub struct Progress<'a> {
    pub conversation: &'a str,
    pub done: usize,
    pub of: usize,
}

/// Where the files an export carries go, and the largest taken.
pub struct FileSink<'a> {
    pub files: &'a Files,
    pub max_bytes: u64,
}

/// Imports the export at `path` into `store` (its files into `sink`),
/// telling `progress` as each conversation begins.
pub async fn import(
    store: &dyn Store,
    sink: &FileSink<'_>,
    path: &Path,
    mut progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<Report> {
    let mut export = Export::open(path)?;
    let mut report = Report::default();
    let people = export.users()?;
    let mut users: HashMap<String, UserRef> = HashMap::new();
    for person in &people {
        let (user, made) = user_for(store, person).await?;
        report.users += usize::from(made);
        users.insert(person.id.clone(), user);
    }
    let conversations = export.conversations()?;
    let channels: HashMap<String, String> = conversations
        .iter()
        .filter(|c| matches!(c.kind, Kind::Public | Kind::Private))
        .map(|c| (c.id.clone(), room_name(&c.name)))
        .collect();
    let names = Known {
        users: &users,
        channels: &channels,
    };
    // The accounts bots post as, made as they are met.
    let mut bots: HashMap<String, UserRef> = HashMap::new();
    for (i, conversation) in conversations.iter().enumerate() {
        progress(Progress {
            conversation: conversation.folder(),
            done: i,
            of: conversations.len(),
        });
        let members: Vec<Uuid> = conversation
            .members
            .iter()
            .filter_map(|m| users.get(m).map(|u| u.id))
            .collect();
        let Some((room, made)) = room_for(store, conversation, &users, &members).await? else {
            continue;
        };
        report.rooms += usize::from(made);
        for member in &members {
            store.add_member(&room, *member).await?;
        }
        let mut log = Log {
            store,
            room: &room,
            batch: Vec::new(),
            reactions: Vec::new(),
            in_batch: HashSet::new(),
            known: HashSet::new(),
            topic: None,
        };
        for day in export.days(conversation.folder()) {
            let messages = match export.day(&day) {
                Ok(messages) => messages,
                Err(why) => {
                    report.skipped.push(format!("{day}: {why}"));
                    continue;
                }
            };
            for message in messages {
                let attachments = log
                    .carried_files(&mut export, sink, &conversation.id, &message, &names)
                    .await?;
                log.add(
                    &conversation.id,
                    message,
                    attachments,
                    &names,
                    &mut bots,
                    &mut report,
                )
                .await?;
            }
        }
        log.finish(&users, &mut report).await?;
    }
    Ok(report)
}

/// The account a Slack person has here, made if it is not yet: a new
/// account with no password, their real name as display name.
async fn user_for(store: &dyn Store, person: &export_zip::User) -> anyhow::Result<(UserRef, bool)> {
    if let Some(id) = store.imported(SOURCE, "user", &person.id).await? {
        let id = Uuid::parse_str(&id)?;
        let record = store
            .user_by_id(id)
            .await?
            .context("an imported user is gone")?;
        return Ok((record.user, false));
    }
    let user = new_account(store, &person.name).await?;
    let real_name = if person.profile.real_name.is_empty() {
        &person.real_name
    } else {
        &person.profile.real_name
    };
    let shown: String = real_name.trim().chars().take(64).collect();
    if !shown.is_empty() {
        let update = protocol::ProfileUpdate {
            display_name: Some(Some(shown)),
            ..Default::default()
        };
        store.update_profile(user.id, &update).await?;
    }
    if let Some(email) = person.profile.email.as_deref().filter(|e| e.contains('@')) {
        let settings = protocol::EmailSettings {
            email: Some(email.chars().take(protocol::MAX_EMAIL_CHARS).collect()),
            delay_secs: protocol::DEFAULT_EMAIL_DELAY_SECS,
            on: false,
        };
        store.set_email_settings(user.id, &settings).await?;
    }
    if person.deleted {
        store.set_disabled(user.id, true).await?;
    }
    store
        .remember_import(SOURCE, "user", &person.id, &user.id.to_string())
        .await?;
    Ok((user, true))
}

/// A new account named after `wanted` (made a valid username; `-slack`,
/// then a number, added while the name is taken).
async fn new_account(store: &dyn Store, wanted: &str) -> anyhow::Result<UserRef> {
    let base: String = wanted
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(24)
        .collect();
    let base = if base.is_empty() {
        "slack-user".to_string()
    } else {
        base
    };
    for n in 0..100 {
        let name = match n {
            0 => base.clone(),
            1 => format!("{base}-slack"),
            n => format!("{base}-slack{n}"),
        };
        match store.create_user(&name, NO_PASSWORD).await {
            Ok(user) => return Ok(user),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("no free name for {wanted:?}")
}

/// A Slack channel's name as a room name.
fn room_name(name: &str) -> String {
    let name: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .take(24)
        .collect();
    if name.is_empty() {
        "slack-channel".into()
    } else {
        name
    }
}

/// The room a conversation has here, made if it is not yet (a new room
/// with its own log: a name that is taken gets `-slack`); `None` for a
/// direct message with fewer than two people known.
async fn room_for(
    store: &dyn Store,
    conversation: &export_zip::Conversation,
    users: &HashMap<String, UserRef>,
    members: &[Uuid],
) -> anyhow::Result<Option<(String, bool)>> {
    if let Some(room) = store.imported(SOURCE, "room", &conversation.id).await? {
        return Ok(Some((room, false)));
    }
    let room = match conversation.kind {
        Kind::Public | Kind::Private => {
            let kind = if conversation.kind == Kind::Public {
                RoomKind::Public
            } else {
                RoomKind::Private
            };
            let owner = conversation
                .creator
                .as_ref()
                .and_then(|c| users.get(c))
                .map(|u| u.id)
                .or_else(|| members.first().copied())
                .context("a channel with nobody known")?;
            let base = room_name(&conversation.name);
            let mut made = None;
            for n in 0..100 {
                let name = match n {
                    0 => base.clone(),
                    1 => format!("{base}-slack"),
                    n => format!("{base}-slack{n}"),
                };
                match store.create_room(&name, kind, owner).await {
                    Ok(room) => {
                        made = Some(room.id);
                        break;
                    }
                    Err(StoreError::Conflict) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            made.context("no free room name")?
        }
        Kind::Direct | Kind::Group => {
            if members.len() < 2 {
                return Ok(None);
            }
            store.direct_room(members).await?.0.id
        }
    };
    store
        .remember_import(SOURCE, "room", &conversation.id, &room)
        .await?;
    Ok(Some((room, true)))
}

/// Slack ids as names here.
struct Known<'a> {
    users: &'a HashMap<String, UserRef>,
    channels: &'a HashMap<String, String>,
}

impl Names for Known<'_> {
    fn user(&self, id: &str) -> Option<String> {
        self.users.get(id).map(|u| u.name.clone())
    }
    fn channel(&self, id: &str) -> Option<String> {
        self.channels.get(id).cloned()
    }
}

/// The id a Slack message has here: a UUIDv7 at its time, the rest from
/// its channel and `ts`, so it is the same at every import.
fn message_id(channel: &str, ts: &str, ms: i64) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(channel.as_bytes())
        .chain_update(b"/")
        .chain_update(ts.as_bytes())
        .finalize();
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &random).into_uuid()
}

/// One room's log as it is written: entries wait in a batch.
struct Log<'a> {
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

impl Log<'_> {
    async fn add(
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
        let id = message_id(channel, &message.ts, ms);
        let root = message
            .thread_ts
            .as_deref()
            .filter(|t| *t != message.ts)
            .and_then(|t| Some(message_id(channel, t, ts_ms(t)?)))
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
    async fn carried_files(
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
        let claim = message_id(channel, &message.ts, ms);
        let mut attached = Vec::new();
        for shared in &message.files {
            let id = message_id("file", &shared.id, ms);
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
        Ok(())
    }

    /// Stores what waits, and the channel's last topic.
    async fn finish(
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
