//! One room's log as a Confab export is imported: its entries replayed in
//! their order through the one append path, messages in batches with the
//! files they carry.
//!
//! A message comes with its body and state as exported (edited, with its
//! time); a deleted one comes empty and is deleted once the room's log is
//! in (its replies hang from it meanwhile). Reactions, pins and topics are
//! replayed as the entries they were, after the batch of messages they
//! follow. Edits, deletions and previews are in the messages' state
//! already; renames are in the room's name; an archived room is archived
//! last.

use std::collections::{HashMap, HashSet};

use protocol::{Entry, ExportedRoom, UserRef};
use uuid::Uuid;

use crate::slack::import::{FileSink, Report};
use crate::store::{FileRecord, Imported, NewEntry, NewMessage, Outcome, Store};

/// Entries read and stored at a time.
pub(super) const BATCH: usize = 200;

/// The id here of what had `id` in the export: made from it, so a second
/// import finds it, and in the same time order.
fn here(scope: &str, id: Uuid) -> Uuid {
    let ms = id.get_timestamp().map_or(0, |t| {
        let (secs, nanos) = t.to_unix();
        secs as i64 * 1000 + i64::from(nanos / 1_000_000)
    });
    crate::slack::stable_id(scope, &id.to_string(), ms)
}

pub(super) struct RoomLog<'a> {
    store: &'a dyn Store,
    room: &'a str,
    users: &'a HashMap<Uuid, UserRef>,
    /// Messages waiting to be stored.
    messages: Vec<NewEntry>,
    /// Their ids (a reply to one waits until it is stored).
    in_batch: HashSet<Uuid>,
    /// Other entries, stored after the messages before them.
    after: Vec<NewEntry>,
    /// Messages deleted in the export, deleted once the log is in.
    deleted: Vec<(Uuid, UserRef)>,
}

impl<'a> RoomLog<'a> {
    pub(super) fn new(
        store: &'a dyn Store,
        room: &'a str,
        users: &'a HashMap<Uuid, UserRef>,
    ) -> Self {
        RoomLog {
            store,
            room,
            users,
            messages: Vec::new(),
            in_batch: HashSet::new(),
            after: Vec::new(),
            deleted: Vec::new(),
        }
    }

    fn user(&self, user: &UserRef) -> Option<UserRef> {
        self.users.get(&user.id).cloned()
    }

    /// Adds the exported entries, in their order, storing as batches fill.
    pub(super) async fn add_all(
        &mut self,
        entries: Vec<Entry>,
        files: &mut zip::ZipArchive<std::fs::File>,
        sink: &FileSink<'_>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        for entry in entries {
            let room = self.room.to_string();
            let later = match entry {
                Entry::Message(message) => {
                    self.message(message, files, sink, report).await?;
                    None
                }
                Entry::Reaction(r) => self.user(&r.user).map(|user| NewEntry::React {
                    room,
                    id: here("message", r.id),
                    emoji: r.emoji,
                    on: r.on,
                    user,
                }),
                Entry::Pinned(p) => self.user(&p.by).map(|by| NewEntry::Pin {
                    room,
                    id: here("message", p.id),
                    on: p.on,
                    by,
                }),
                Entry::Topic(t) => self.user(&t.by).map(|by| NewEntry::Topic {
                    room,
                    topic: t.topic,
                    by,
                }),
                Entry::Edited(_)
                | Entry::Deleted(_)
                | Entry::Unfurled(_)
                | Entry::RoomChanged(_) => None,
            };
            self.after.extend(later);
        }
        self.flush(report).await
    }

    async fn message(
        &mut self,
        message: protocol::Message,
        files: &mut zip::ZipArchive<std::fs::File>,
        sink: &FileSink<'_>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let Some(author) = self.user(&message.author) else {
            return Ok(());
        };
        let id = here("message", message.id);
        let thread = message.thread.map(|root| here("message", root));
        if thread.is_some_and(|root| self.in_batch.contains(&root)) {
            self.flush(report).await?;
        }
        let created_ms = crate::store::time_to_ms(message.ts);
        let mut attachments = Vec::new();
        let mut ids = Vec::new();
        for attached in &message.attachments {
            let file_id = here("file", attached.id);
            if let Some(record) = self.store.file(file_id).await? {
                attachments.push(record.attachment());
                continue;
            }
            let Some(bytes) = super::file(files, attached.id, sink.max_bytes)? else {
                report.skipped.push(format!(
                    "files/{}: not in the export, or too large",
                    attached.id
                ));
                continue;
            };
            let digest = {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(&bytes))
            };
            let record = FileRecord {
                id: file_id,
                room: self.room.to_string(),
                uploader: author.id,
                name: attached.name.clone(),
                mime: attached.mime.clone(),
                size: bytes.len() as u64,
                digest: digest.clone(),
                thumb_digest: None,
                width: attached.width,
                height: attached.height,
                claim: None,
                created_ms,
                held: false,
            };
            sink.files.put_bytes(&digest, bytes).await?;
            self.store.add_file(&record, u64::MAX).await?;
            report.files += 1;
            ids.push(file_id);
            attachments.push(record.attachment());
        }
        if !ids.is_empty() {
            self.store
                .claim_files(self.room, author.id, id, &ids)
                .await?;
        }
        if message.deleted {
            self.deleted.push((id, author.clone()));
        }
        self.messages.push(NewEntry::Message(NewMessage {
            room: self.room.to_string(),
            author,
            client_msg_id: id,
            body: message.body,
            thread,
            mentions: message.mentions,
            everyone: message.everyone,
            attachments,
            cards: message.cards,
            imported: Some(Imported {
                id,
                created_ms,
                edited_ms: message.edited_ts.map(crate::store::time_to_ms),
            }),
        }));
        self.in_batch.insert(id);
        if self.messages.len() >= BATCH {
            self.flush(report).await?;
        }
        Ok(())
    }

    /// Stores the messages waiting, then the entries after them.
    async fn flush(&mut self, report: &mut Report) -> anyhow::Result<()> {
        self.in_batch.clear();
        for batch in [
            std::mem::take(&mut self.messages),
            std::mem::take(&mut self.after),
        ] {
            if batch.is_empty() {
                continue;
            }
            for outcome in self.store.append_batch(self.room, batch).await? {
                match outcome {
                    Outcome::Stored {
                        entry: Entry::Message(m),
                        fresh: true,
                    } => {
                        report.messages += 1;
                        report.replies += usize::from(m.thread.is_some());
                    }
                    Outcome::Stored {
                        entry: Entry::Reaction(r),
                        fresh: true,
                    } => report.reactions += usize::from(r.on),
                    _ => {}
                }
            }
        }
        report.keep_statistics(self.store).await
    }

    /// Deletes what the export had deleted, and archives the room if it was.
    pub(super) async fn finish(
        mut self,
        room: &ExportedRoom,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        self.flush(report).await?;
        for (id, by) in std::mem::take(&mut self.deleted) {
            self.after.push(NewEntry::Delete {
                room: self.room.to_string(),
                id,
                by,
            });
        }
        if room.archived {
            let by = room.owner.and_then(|o| self.users.get(&o).cloned());
            if let Some(by) = by {
                self.after.push(NewEntry::RoomChange {
                    room: self.room.to_string(),
                    name: None,
                    archived: Some(true),
                    by,
                });
            }
        }
        self.flush(report).await
    }
}
