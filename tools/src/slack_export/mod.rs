//! Slack workspace exports, written (the `confab-slack-export` tool, and
//! the importer's tests): the zip Slack's "Export data" gives an admin, as
//! Slack documents it — `users.json`, `channels.json`, `groups.json`,
//! `dms.json`, `mpims.json`, and a folder per conversation with a
//! `YYYY-MM-DD.json` per day — awkward parts included (see `workspace` and
//! `history`). Deterministic for a seed; written a day at a time, so a
//! million messages take little memory.

pub mod history;
pub mod workspace;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use zip::write::SimpleFileOptions;

use history::{Counts, History};
use workspace::Kind;

/// What to write.
#[derive(Clone, Debug)]
pub struct Options {
    /// People in the workspace (at least 6).
    pub users: usize,
    /// Public channels (at least 3), besides a private channel, a direct
    /// message and a group direct message.
    pub channels: usize,
    /// Top-level messages in each conversation (replies come on top).
    pub messages: usize,
    pub seed: u64,
    /// Write `random`'s second day file cut short (not JSON): an importer
    /// must report it and go on.
    pub corrupt: bool,
}

/// What was written: the history's counts, the users and conversations.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    pub users: usize,
    pub conversations: usize,
}

/// Writes the export `options` describe to `out`.
pub fn write(out: &Path, options: &Options) -> anyhow::Result<Summary> {
    let args = options;
    let users = workspace::users(args.users);
    let conversations = workspace::conversations(&users, args.channels);
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let put = |zip: &mut zip::ZipWriter<BufWriter<File>>,
               name: &str,
               bytes: &[u8]|
     -> anyhow::Result<()> {
        zip.start_file(name, options)
            .with_context(|| format!("writing {name}"))?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put(
        &mut zip,
        "users.json",
        &serde_json::to_vec_pretty(&workspace::users_json(&users))?,
    )?;
    for (name, kind) in [
        ("channels.json", Kind::Public),
        ("groups.json", Kind::Private),
        ("dms.json", Kind::Direct),
        ("mpims.json", Kind::Group),
    ] {
        let listing = workspace::listing(&conversations, &users, kind);
        put(&mut zip, name, &serde_json::to_vec_pretty(&listing)?)?;
    }
    let mut total = Counts::default();
    for (i, conversation) in conversations.iter().enumerate() {
        let mut history = History::new(
            conversation,
            &users,
            args.messages,
            args.seed ^ (i as u64) << 32,
        );
        let mut days = 0;
        while let Some((day, messages)) = history.next_day() {
            days += 1;
            let path = format!("{}/{day}.json", conversation.folder());
            let mut bytes = serde_json::to_vec_pretty(&messages)?;
            if args.corrupt && conversation.name == "random" && days == 2 {
                bytes.truncate(bytes.len() / 2);
            }
            put(&mut zip, &path, &bytes)?;
            for carried in history.carried.drain(..) {
                put(&mut zip, &carried.path, &carried.bytes)?;
            }
        }
        let counts = &history.counts;
        total.messages += counts.messages;
        total.replies += counts.replies;
        total.notices += counts.notices;
        total.reactions += counts.reactions;
        total.files += counts.files;
        total.linked_files += counts.linked_files;
    }
    zip.finish()?.flush()?;
    Ok(Summary {
        counts: total,
        users: users.len(),
        conversations: conversations.len(),
    })
}
