//! `confab-slack-export`: writes a Slack-format workspace export
//! (`tools::slack_export`) and prints what it wrote as one JSON object.

use std::path::PathBuf;

use clap::Parser;
use tools::slack_export::{write, Options};

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
    let options = Options {
        users: args.users,
        channels: args.channels,
        messages: args.messages,
        seed: args.seed,
        corrupt: args.corrupt,
    };
    let summary = write(&args.out, &options)?;
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}
