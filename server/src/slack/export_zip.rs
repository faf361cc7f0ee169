//! A Slack workspace export, read (docs/PROTOCOL.md, "Slack import"): the
//! zip Slack's "Export data" gives, as Slack documents it. `users.json`;
//! `channels.json`, `groups.json`, `dms.json`, `mpims.json` list the
//! conversations; each has a folder (named by the channel, or by the id for
//! a direct message) of `YYYY-MM-DD.json` files, a day's messages each.
//! Fields are read leniently (Slack adds fields over time); a day file that
//! is not JSON of messages is reported by the caller, not fatal.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use zip::ZipArchive;

/// Largest JSON file read, uncompressed (a day of a very busy channel is a
/// few megabytes).
const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub real_name: String,
    #[serde(default)]
    pub profile: Profile,
}

#[derive(Debug, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub real_name: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// Which listing a conversation comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Public,
    Private,
    Direct,
    Group,
}

#[derive(Debug, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(skip, default = "public")]
    pub kind: Kind,
}

fn public() -> Kind {
    Kind::Public
}

impl Conversation {
    /// Its folder in the zip.
    pub fn folder(&self) -> &str {
        match self.kind {
            Kind::Direct => &self.id,
            _ => &self.name,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    pub ts: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub edited: Option<Edited>,
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    #[serde(default)]
    pub files: Vec<SharedFile>,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub blocks: Option<Value>,
    #[serde(default)]
    pub attachments: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct Edited {
    pub ts: String,
}

#[derive(Debug, Deserialize)]
pub struct Reaction {
    pub name: String,
    #[serde(default)]
    pub users: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SharedFile {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mimetype: Option<String>,
}

/// Slack's `ts` ("1704067200.000100") in milliseconds.
pub fn ts_ms(ts: &str) -> Option<i64> {
    let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, "0"));
    let seconds: i64 = seconds.parse().ok()?;
    let millis: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    Some(seconds * 1000 + millis)
}

/// An export, open.
pub struct Export {
    archive: ZipArchive<File>,
}

impl Export {
    pub fn open(path: &Path) -> anyhow::Result<Export> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let archive =
            ZipArchive::new(file).with_context(|| format!("{} is not a zip", path.display()))?;
        Ok(Export { archive })
    }

    /// A JSON file of the zip; `None` if it is not there.
    fn json<T: DeserializeOwned>(&mut self, name: &str) -> anyhow::Result<Option<T>> {
        let Ok(file) = self.archive.by_name(name) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        file.take(MAX_JSON_BYTES).read_to_end(&mut bytes)?;
        let value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{name} is not JSON of its kind"))?;
        Ok(Some(value))
    }

    pub fn users(&mut self) -> anyhow::Result<Vec<User>> {
        self.json("users.json")?
            .context("the export has no users.json")
    }

    /// Every conversation the listings name.
    pub fn conversations(&mut self) -> anyhow::Result<Vec<Conversation>> {
        let mut all = Vec::new();
        for (name, kind) in [
            ("channels.json", Kind::Public),
            ("groups.json", Kind::Private),
            ("dms.json", Kind::Direct),
            ("mpims.json", Kind::Group),
        ] {
            let listed: Vec<Conversation> = self.json(name)?.unwrap_or_default();
            all.extend(listed.into_iter().map(|c| Conversation { kind, ..c }));
        }
        Ok(all)
    }

    /// The day files of `folder`, oldest first.
    pub fn days(&self, folder: &str) -> Vec<String> {
        let prefix = format!("{folder}/");
        let mut days: Vec<String> = self
            .archive
            .file_names()
            .filter_map(|name| name.ok().map(|name| name.to_string()))
            .filter(|name| {
                name.strip_prefix(&prefix)
                    .is_some_and(|day| day.len() == 15 && day.ends_with(".json"))
            })
            .collect();
        days.sort();
        days
    }

    /// The bytes of a shared file the export carries
    /// (`__uploads/FILE-ID/NAME`), if it does and they are at most `max`.
    pub fn carried(&mut self, file: &SharedFile, max: u64) -> Option<Vec<u8>> {
        let path = format!("__uploads/{}/{}", file.id, file.name);
        let entry = self.archive.by_name(&path).ok()?;
        if entry.size() > max {
            return None;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.take(max).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// A day file's messages, or why it could not be read.
    pub fn day(&mut self, name: &str) -> Result<Vec<Message>, String> {
        match self.json::<Vec<Message>>(name) {
            Ok(Some(messages)) => Ok(messages),
            Ok(None) => Err("not in the zip".into()),
            Err(e) => Err(format!("{e:#}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ts_ms;

    #[test]
    fn slack_timestamps_are_milliseconds() {
        assert_eq!(ts_ms("1704067200.000100"), Some(1_704_067_200_000));
        assert_eq!(ts_ms("1704067200.123456"), Some(1_704_067_200_123));
        assert_eq!(ts_ms("1704067200.5"), Some(1_704_067_200_500));
        assert_eq!(ts_ms("1704067200"), Some(1_704_067_200_000));
        assert_eq!(ts_ms("soon"), None);
    }
}
