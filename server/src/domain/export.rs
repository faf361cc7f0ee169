//! Exports (docs/PROTOCOL.md, "Records"; the zip's layout is
//! `protocol::records`'): the whole instance for its admins (`GET
//! /api/admin/export`, `confab export`), or one person's own data (`GET
//! /api/users/me/export`). Both are audited.
//!
//! The zip is written as it is read, a page of the store at a time, into
//! any writer (a file, or the HTTP body through a pipe): memory stays
//! bounded whatever the instance holds. Writing is blocking (the zip
//! crate); it runs on a blocking thread and awaits the store and the file
//! store on the runtime's handle.

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::Context;
use futures_util::StreamExt;
use protocol::{Entry, ExportManifest, ExportScope, ExportedRoom, EXPORT_FORMAT, EXPORT_VERSION};
use tokio::runtime::Handle;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use super::{Caller, DomainResult};
use crate::files::Files;
use crate::state::AppState;
use crate::store::Store;

/// Rows read from the store at once.
const PAGE: u32 = 500;

/// What to export.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Instance,
    /// One person's own data.
    User(Uuid),
}

/// Checks that `caller` may export `scope` (the instance: admins only; a
/// person: themselves) and audits it.
pub async fn begin(state: &AppState, caller: &Caller, scope: Scope) -> DomainResult<()> {
    let action = match scope {
        Scope::Instance => {
            super::admin::require_admin(state, caller).await?;
            "export.instance"
        }
        Scope::User(_) => "export.user",
    };
    let target = match scope {
        Scope::Instance => String::new(),
        Scope::User(user) => user.to_string(),
    };
    super::audit::record(
        state,
        Some(&caller.user),
        action,
        &target,
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

/// Writes the zip of `scope` into `out` (see the module's notes); answers
/// the writer once the zip is whole.
pub fn write_zip<W: Write>(
    store: &dyn Store,
    files: &Files,
    handle: &Handle,
    scope: Scope,
    out: W,
) -> anyhow::Result<W> {
    let mut zip = Zip {
        writer: ZipWriter::new_stream(out),
        store,
        files,
        handle,
    };
    let manifest = ExportManifest {
        format: EXPORT_FORMAT.into(),
        version: EXPORT_VERSION,
        scope: match scope {
            Scope::Instance => ExportScope::Instance,
            Scope::User(_) => ExportScope::User,
        },
        exported_ts: time::OffsetDateTime::now_utc(),
        user: match scope {
            Scope::Instance => None,
            Scope::User(user) => Some(user),
        },
    };
    zip.start("manifest.json")?;
    zip.writer
        .write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    match scope {
        Scope::Instance => zip.instance()?,
        Scope::User(user) => zip.person(user)?,
    }
    Ok(zip.writer.finish()?.into_inner())
}

struct Zip<'a, W: Write> {
    writer: ZipWriter<zip::write::StreamWriter<W>>,
    store: &'a dyn Store,
    files: &'a Files,
    handle: &'a Handle,
}

impl<W: Write> Zip<'_, W> {
    fn start(&mut self, name: &str) -> anyhow::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        self.writer.start_file(name, options)?;
        Ok(())
    }

    fn line(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.writer, value)?;
        self.writer.write_all(b"\n")?;
        Ok(())
    }

    fn instance(&mut self) -> anyhow::Result<()> {
        self.start("users.jsonl")?;
        let mut after = None;
        loop {
            let users = self.handle.block_on(self.store.export_users(after, PAGE))?;
            for user in &users {
                self.line(user)?;
            }
            match users.last() {
                Some(last) if users.len() == PAGE as usize => after = Some(last.id),
                _ => break,
            }
        }
        // Rooms first (their list is what the logs are named by), then
        // memberships, then each room's log and its files.
        let mut rooms: Vec<ExportedRoom> = Vec::new();
        self.start("rooms.jsonl")?;
        let mut after: Option<String> = None;
        loop {
            let page = self
                .handle
                .block_on(self.store.export_rooms(after.as_deref(), PAGE))?;
            for mut room in page.iter().cloned() {
                room.log = format!("logs/{:06}.jsonl", rooms.len() + 1);
                self.line(&room)?;
                rooms.push(ExportedRoom {
                    topic: String::new(),
                    ..room
                });
            }
            match page.last() {
                Some(last) if page.len() == PAGE as usize => after = Some(last.id.clone()),
                _ => break,
            }
        }
        self.start("memberships.jsonl")?;
        for room in &rooms {
            let members = self
                .handle
                .block_on(self.store.export_members(Some(&room.id), None))?;
            for member in &members {
                self.line(member)?;
            }
        }
        for room in &rooms {
            self.log(room)?;
        }
        self.held()
    }

    /// The originals legal holds kept, then their files.
    fn held(&mut self) -> anyhow::Result<()> {
        self.start("held.jsonl")?;
        let mut attached = BTreeSet::new();
        let mut after = None;
        loop {
            let held = self
                .handle
                .block_on(self.store.held_messages(after, PAGE))?;
            for message in &held {
                attached.extend(message.attachments.iter().map(|a| a.id));
                self.line(message)?;
            }
            match held.last() {
                Some(last) if held.len() == PAGE as usize => after = Some(last.id),
                _ => break,
            }
        }
        for file in attached {
            self.file(file)?;
        }
        Ok(())
    }

    /// A room's log, then the files its messages carry.
    fn log(&mut self, room: &ExportedRoom) -> anyhow::Result<()> {
        self.start(&room.log)?;
        let mut attached = BTreeSet::new();
        let mut after = 0;
        loop {
            let entries = self
                .handle
                .block_on(self.store.entries_after(&room.id, after, PAGE))?;
            for entry in &entries {
                if let Entry::Message(message) = entry {
                    attached.extend(message.attachments.iter().map(|a| a.id));
                }
                self.line(entry)?;
            }
            match entries.last() {
                Some(last) if entries.len() == PAGE as usize => after = last.seq(),
                _ => break,
            }
        }
        for file in attached {
            self.file(file)?;
        }
        Ok(())
    }

    /// One file's bytes, as `files/ID` (skipped if the store lost it).
    fn file(&mut self, id: Uuid) -> anyhow::Result<()> {
        let Some(record) = self.handle.block_on(self.store.file(id))? else {
            return Ok(());
        };
        let Some(mut bytes) = self.handle.block_on(self.files.get(&record.digest))? else {
            tracing::warn!(file = %id, "a file's bytes are missing; left out of the export");
            return Ok(());
        };
        self.start(&format!("files/{id}"))?;
        while let Some(chunk) = self.handle.block_on(bytes.next()) {
            let chunk = chunk.with_context(|| format!("reading file {id}"))?;
            self.writer.write_all(&chunk)?;
        }
        Ok(())
    }

    /// A person's export: their account, memberships, messages and files.
    fn person(&mut self, user: Uuid) -> anyhow::Result<()> {
        let mut found = self
            .handle
            .block_on(self.store.export_users(Some(before(user)), 1))?;
        found.retain(|u| u.id == user);
        self.start("users.jsonl")?;
        for user in &found {
            self.line(user)?;
        }
        self.start("memberships.jsonl")?;
        let members = self
            .handle
            .block_on(self.store.export_members(None, Some(user)))?;
        for member in &members {
            self.line(member)?;
        }
        self.start("messages.jsonl")?;
        let mut attached = BTreeSet::new();
        let mut after = None;
        loop {
            let entries = self
                .handle
                .block_on(self.store.export_authored(user, after, PAGE))?;
            for entry in &entries {
                if let Entry::Message(message) = entry {
                    attached.extend(message.attachments.iter().map(|a| a.id));
                    after = Some(message.id);
                }
                self.line(entry)?;
            }
            if entries.len() < PAGE as usize {
                break;
            }
        }
        for file in attached {
            self.file(file)?;
        }
        Ok(())
    }
}

/// The id just before `id` in the store's order (so `id > before(id)`
/// finds `id` first).
fn before(id: Uuid) -> Uuid {
    Uuid::from_u128(id.as_u128().saturating_sub(1))
}
