//! `confab-slack-export`: writes a Slack workspace export (the zip Slack's
//! "Export data" gives an admin, as Slack documents it) for tests and
//! benchmarks of Confab's importer: `users.json`, `channels.json`,
//! `groups.json`, `dms.json`, `mpims.json`, and a folder per conversation
//! with a `YYYY-MM-DD.json` per day, including the awkward parts (see
//! `workspace` and `history`). Deterministic for a seed. Written a day at a
//! time, so a million messages take little memory. Prints what it wrote
//! (`Counts`, plus users and conversations) as one JSON object.

mod history;
mod workspace;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use zip::write::SimpleFileOptions;

use history::{Counts, History};
use workspace::Kind;

#[derive(Parser)]
#[command(
    name = "confab-slack-export",
    about = "Writes a Slack-format workspace export"
)]
struct Args {
    /// The zip to write.
    #[arg(long)]
    out: PathBuf,
    /// People in the workspace (at least 6).
    #[arg(long, default_value_t = 12)]
    users: usize,
    /// Public channels (at least 3), besides a private channel, a direct
    /// message and a group direct message.
    #[arg(long, default_value_t = 5)]
    channels: usize,
    /// Top-level messages in each conversation (replies come on top).
    #[arg(long, default_value_t = 60)]
    messages: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write `random`'s second day file cut short (not JSON): an importer
    /// must report it and go on.
    #[arg(long)]
    corrupt: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let users = workspace::users(args.users);
    let conversations = workspace::conversations(&users, args.channels);
    let file =
        File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
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
        total.reactions += counts.reactions;
        total.files += counts.files;
        total.linked_files += counts.linked_files;
    }
    zip.finish()?.flush()?;
    let mut summary = serde_json::to_value(&total)?;
    summary["users"] = users.len().into();
    summary["conversations"] = conversations.len().into();
    println!("{summary}");
    Ok(())
}
