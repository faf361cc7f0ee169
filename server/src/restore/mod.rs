//! Importing a Confab export (docs/PROTOCOL.md, "Importing a Confab
//! export"): the zip `confab export` and `GET /api/admin/export` write,
//! read back into a store — another instance's, usually a fresh one.
//!
//! People, rooms and memberships first, then each room's log, replayed in
//! its order through the one append path (`room_log`), with the files it
//! carries. Every user, room and message is keyed by its id in the export
//! (`import_ids`, and message ids made from the exported ones), so a second
//! import adds nothing and one cut short resumes.

mod room_log;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context};
use protocol::{
    ExportManifest, ExportScope, ExportedMember, ExportedRoom, ExportedUser, RoomKind, RoomRole,
    UserRef, EXPORT_FORMAT,
};
use uuid::Uuid;

use crate::slack::import::{new_room, set_up_account, FileSink, Progress, Report};
use crate::store::{Store, StoreError, NO_PASSWORD};

/// `import_ids`' source for Confab exports.
const SOURCE: &str = "confab";

/// The zip, opened twice: one reader walks a log while the other takes
/// the files its messages carry.
struct Zip {
    logs: zip::ZipArchive<std::fs::File>,
    files: zip::ZipArchive<std::fs::File>,
}

impl Zip {
    fn open(path: &Path) -> anyhow::Result<Zip> {
        let open = || -> anyhow::Result<_> {
            let file =
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            zip::ZipArchive::new(file).context("not a whole zip (was the export cut short?)")
        };
        Ok(Zip {
            logs: open()?,
            files: open()?,
        })
    }
}

/// The JSON lines of entry `name`, each read as it is reached.
fn lines<'a, T: serde::de::DeserializeOwned>(
    archive: &'a mut zip::ZipArchive<std::fs::File>,
    name: &str,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<T>> + 'a> {
    let entry = archive
        .by_name(name)
        .with_context(|| format!("the export has no {name}"))?;
    let name = name.to_string();
    Ok(BufReader::new(entry)
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.as_ref().is_ok_and(|l| l.trim().is_empty()))
        .map(move |(n, line)| {
            let line = line.with_context(|| format!("reading {name}"))?;
            serde_json::from_str(&line).with_context(|| format!("{name}, line {}", n + 1))
        }))
}

/// The bytes of file `id`, if the zip carries them and they are at most
/// `max` bytes.
fn file(
    archive: &mut zip::ZipArchive<std::fs::File>,
    id: Uuid,
    max: u64,
) -> anyhow::Result<Option<Vec<u8>>> {
    let Ok(entry) = archive.by_name(&format!("files/{id}")) else {
        return Ok(None);
    };
    if entry.size() > max {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.take(max + 1).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Imports the Confab export at `path` into `store` (its files into
/// `sink`), telling `progress` as each room begins.
pub async fn import(
    store: &dyn Store,
    sink: &FileSink<'_>,
    path: &Path,
    mut progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<Report> {
    let mut zip = Zip::open(path)?;
    let manifest: ExportManifest = {
        let entry = zip
            .logs
            .by_name("manifest.json")
            .context("not a Confab export: no manifest.json")?;
        serde_json::from_reader(entry).context("manifest.json")?
    };
    if manifest.format != EXPORT_FORMAT || manifest.scope != ExportScope::Instance {
        bail!("not an export of a whole Confab instance (a person's export cannot be imported)");
    }
    if manifest.version > protocol::EXPORT_VERSION {
        bail!(
            "an export of a newer version ({}) than this Confab reads",
            manifest.version
        );
    }
    let mut report = Report::default();
    let mut users: HashMap<Uuid, UserRef> = HashMap::new();
    let people: Vec<ExportedUser> =
        lines(&mut zip.logs, "users.jsonl")?.collect::<anyhow::Result<_>>()?;
    for person in &people {
        let (user, made) = user_for(store, person).await?;
        report.users += usize::from(made);
        users.insert(person.id, user);
    }
    let exported: Vec<ExportedRoom> =
        lines(&mut zip.logs, "rooms.jsonl")?.collect::<anyhow::Result<_>>()?;
    let mut members: HashMap<String, Vec<ExportedMember>> = HashMap::new();
    for member in lines::<ExportedMember>(&mut zip.logs, "memberships.jsonl")? {
        let member = member?;
        members.entry(member.room.clone()).or_default().push(member);
    }
    for (i, room) in exported.iter().enumerate() {
        progress(Progress {
            conversation: &room.name,
            done: i,
            of: exported.len(),
        });
        let those = members.remove(&room.id).unwrap_or_default();
        let Some((here, made)) = room_for(store, room, &those, &users).await? else {
            continue;
        };
        report.rooms += usize::from(made);
        // A log imported whole before is not replayed: its reactions, pins
        // and topics would be entries again.
        if store.imported(SOURCE, "log", &room.id).await?.is_some() {
            continue;
        }
        for member in &those {
            let Some(user) = users.get(&member.user) else {
                continue;
            };
            store.add_member(&here, user.id).await?;
            if member.role != RoomRole::Member {
                store.set_role(&here, user.id, member.role).await?;
            }
        }
        let mut log = room_log::RoomLog::new(store, &here, &users);
        let entries = lines::<protocol::Entry>(&mut zip.logs, &room.log);
        // A log line that is not an entry is reported and passed by; a log
        // the zip lacks, or cannot read, ends this room.
        let mut batch = Vec::new();
        match entries {
            Ok(entries) => {
                for entry in entries {
                    match entry {
                        Ok(entry) => batch.push(entry),
                        Err(why) => report.skipped.push(format!("{why:#}")),
                    }
                    if batch.len() >= room_log::BATCH {
                        log.add_all(
                            std::mem::take(&mut batch),
                            &mut zip.files,
                            sink,
                            &mut report,
                        )
                        .await?;
                    }
                }
            }
            Err(why) => report.skipped.push(format!("{why:#}")),
        }
        log.add_all(batch, &mut zip.files, sink, &mut report)
            .await?;
        log.finish(room, &mut report).await?;
        store
            .remember_import(SOURCE, "log", &room.id, &here)
            .await?;
    }
    store.refresh_statistics().await?;
    Ok(report)
}

/// The account an exported person has here: the one imported for them
/// before, else an account of the same name (the same person on this
/// instance), else a new account with no password, to be claimed.
async fn user_for(store: &dyn Store, person: &ExportedUser) -> anyhow::Result<(UserRef, bool)> {
    let key = person.id.to_string();
    if let Some(id) = store.imported(SOURCE, "user", &key).await? {
        let record = store.user_by_id(Uuid::parse_str(&id)?).await?;
        return Ok((record.context("an imported user is gone")?.user, false));
    }
    let (user, made) = match store.user_by_name(&person.name).await? {
        Some(record) => (record.user, false),
        None => match store.create_user(&person.name, NO_PASSWORD).await {
            Ok(user) => (user, true),
            Err(StoreError::Conflict) => {
                let record = store.user_by_name(&person.name).await?;
                (record.context("a name taken and gone")?.user, false)
            }
            Err(e) => return Err(e.into()),
        },
    };
    if made {
        let shown = person.display_name.as_deref().unwrap_or_default();
        let email = person.email.as_deref();
        set_up_account(store, user.id, shown, email, person.disabled).await?;
    }
    store
        .remember_import(SOURCE, "user", &key, &user.id.to_string())
        .await?;
    Ok((user, made))
}

/// The room an exported room has here: the one imported for it before;
/// else the room of the same name if its log is empty (a fresh instance's
/// `general`); else a new room (`-import` added while the name is taken).
/// Direct rooms are the direct room of the same people. `None` for a room
/// nobody known is in.
async fn room_for(
    store: &dyn Store,
    room: &ExportedRoom,
    members: &[ExportedMember],
    users: &HashMap<Uuid, UserRef>,
) -> anyhow::Result<Option<(String, bool)>> {
    if let Some(here) = store.imported(SOURCE, "room", &room.id).await? {
        return Ok(Some((here, false)));
    }
    let people: Vec<Uuid> = members
        .iter()
        .filter_map(|m| users.get(&m.user).map(|u| u.id))
        .collect();
    let here = match room.kind {
        RoomKind::Direct => {
            if people.len() < 2 {
                return Ok(None);
            }
            store.direct_room(&people).await?.0.id
        }
        kind => {
            let owner = room
                .owner
                .and_then(|o| users.get(&o).map(|u| u.id))
                .or_else(|| people.first().copied());
            let Some(owner) = owner else {
                return Ok(None);
            };
            match store.room(&room.name).await? {
                Some(empty) if empty.last_seq == 0 && empty.kind == kind => empty.id,
                _ => {
                    let base: String = room.name.chars().take(24).collect();
                    new_room(store, &base, "import", kind, owner).await?
                }
            }
        }
    };
    store
        .remember_import(SOURCE, "room", &room.id, &here)
        .await?;
    Ok(Some((here, true)))
}
