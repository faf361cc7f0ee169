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

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use protocol::{RoomKind, UserRef};
use uuid::Uuid;

use super::export_zip::{self, Export, Kind};
use super::import_log::{Known, Log};
use crate::files::Files;
use crate::store::{Store, StoreError, NO_PASSWORD};

/// The `import_ids` source of what Slack exports hold.
pub(super) const SOURCE: &str = "slack";

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
    /// How many messages in the store's statistics are next taken again.
    #[serde(skip)]
    next_statistics: usize,
}

impl Report {
    /// After a batch: once the messages imported have grown fourfold since
    /// the store's statistics were last taken (from 1,000 on), takes them
    /// again. PostgreSQL plans a statement it has prepared once, with the
    /// statistics of then: with tables that started empty, a lookup by key
    /// stays a scan of the whole table, and a large import slows to a
    /// crawl, until they are taken again.
    pub(crate) async fn keep_statistics(&mut self, store: &dyn Store) -> anyhow::Result<()> {
        if self.messages >= self.next_statistics.max(1_000) {
            store.refresh_statistics().await?;
            self.next_statistics = self.messages * 4;
        }
        Ok(())
    }
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
    // Every room first, so a link to a channel (`<#C…>`) names the room
    // it became (`general-slack`, when `general` is taken), whichever
    // conversation the link is in.
    let mut rooms = Vec::with_capacity(conversations.len());
    let mut channels: HashMap<String, String> = HashMap::new();
    for conversation in &conversations {
        let members: Vec<Uuid> = conversation
            .members
            .iter()
            .filter_map(|m| users.get(m).map(|u| u.id))
            .collect();
        let room = room_for(store, conversation, &users, &members).await?;
        if let Some((room, made)) = &room {
            report.rooms += usize::from(*made);
            for member in &members {
                store.add_member(room, *member).await?;
            }
            if matches!(conversation.kind, Kind::Public | Kind::Private) {
                channels.insert(conversation.id.clone(), room.clone());
            }
        }
        rooms.push(room.map(|(room, _)| room));
    }
    let names = Known {
        users: &users,
        channels: &channels,
    };
    // The accounts bots post as, made as they are met.
    let mut bots: HashMap<String, UserRef> = HashMap::new();
    for (i, (conversation, room)) in conversations.iter().zip(&rooms).enumerate() {
        progress(Progress {
            conversation: conversation.folder(),
            done: i,
            of: conversations.len(),
        });
        let Some(room) = room else {
            continue;
        };
        let mut log = Log::new(store, room);
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
    // Whatever runs next (a retention sweep, say) is planned for the
    // tables as they are now.
    store.refresh_statistics().await?;
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
    let email = person.profile.email.as_deref();
    set_up_account(store, user.id, real_name, email, person.deleted).await?;
    store
        .remember_import(SOURCE, "user", &person.id, &user.id.to_string())
        .await?;
    Ok((user, true))
}

/// Gives a new imported account what its source said of it: the name it
/// shows (at most 64 characters), its e-mail (mails off until its person
/// turns them on) and whether it is deactivated.
pub(crate) async fn set_up_account(
    store: &dyn Store,
    user: Uuid,
    shown: &str,
    email: Option<&str>,
    disabled: bool,
) -> anyhow::Result<()> {
    let shown: String = shown.trim().chars().take(64).collect();
    if !shown.is_empty() {
        let update = protocol::ProfileUpdate {
            display_name: Some(Some(shown)),
            ..Default::default()
        };
        store.update_profile(user, &update).await?;
    }
    if let Some(email) = email.filter(|e| e.contains('@')) {
        let settings = protocol::EmailSettings {
            email: Some(email.chars().take(protocol::MAX_EMAIL_CHARS).collect()),
            delay_secs: protocol::DEFAULT_EMAIL_DELAY_SECS,
            on: false,
        };
        store.set_email_settings(user, &settings).await?;
    }
    if disabled {
        store.set_disabled(user, true).await?;
    }
    Ok(())
}

/// A new account named after `wanted` (made a valid username; `-slack`,
/// then a number, added while the name is taken).
pub(super) async fn new_account(store: &dyn Store, wanted: &str) -> anyhow::Result<UserRef> {
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

/// A new room named `base` (`-SUFFIX`, then a number, added while the name
/// is taken); its id.
pub(crate) async fn new_room(
    store: &dyn Store,
    base: &str,
    suffix: &str,
    kind: RoomKind,
    owner: Uuid,
) -> anyhow::Result<String> {
    for n in 0..100 {
        let name = match n {
            0 => base.to_string(),
            1 => format!("{base}-{suffix}"),
            n => format!("{base}-{suffix}{n}"),
        };
        match store.create_room(&name, kind, owner).await {
            Ok(room) => return Ok(room.id),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("no free room name for {base:?}")
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
            new_room(store, &room_name(&conversation.name), "slack", kind, owner).await?
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
