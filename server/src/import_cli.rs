//! `confab import slack EXPORT.zip` and `confab import confab EXPORT.zip`:
//! a Slack workspace export, or a Confab export, into the store the server
//! uses (`DATABASE_URL` or `--data-dir`), while it runs or not
//! (docs/PROTOCOL.md, "Slack import", "Importing a Confab export"). Shows a
//! bar on standard error as conversations are read, prints what it did
//! (JSON) on standard output, and records it in the audit log as the
//! operator's.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::config::{Config, ImportCommand};
use crate::files::Files;
use crate::slack::import::{import, FileSink, Progress};
use crate::store::NewAudit;

pub async fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    let (file, source) = match command {
        ImportCommand::Slack { file } => (file, "slack"),
        ImportCommand::Confab { file } => (file, "confab"),
    };
    let store = crate::admin_cli::open_store(config).await?;
    let files = Files::open(&config.data_dir, config.file_store.as_deref())
        .context("opening the file store")?;
    let sink = FileSink {
        files: &files,
        max_bytes: config.max_file_bytes,
    };
    let report = match source {
        "slack" => import(store.as_ref(), &sink, &file, bar(&file)).await,
        _ => crate::restore::import(store.as_ref(), &sink, &file, bar(&file)).await,
    };
    eprintln!();
    let report = report?;
    let detail = serde_json::json!({
        "via": format!("confab import {source}"),
        "file": file.display().to_string(),
        "users": report.users,
        "rooms": report.rooms,
        "messages": report.messages,
        "skipped": report.skipped,
    });
    store
        .append_audit(NewAudit {
            actor: None,
            action: &format!("import.{source}"),
            target: "",
            detail: detail.to_string(),
        })
        .await?;
    store.close().await;
    for skipped in &report.skipped {
        eprintln!("skipped {skipped}");
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// A progress bar on standard error: rewritten in place on a terminal, a
/// line a conversation elsewhere.
fn bar(file: &Path) -> impl FnMut(Progress<'_>) {
    let terminal = std::io::stderr().is_terminal();
    let name = file.display().to_string();
    move |p: Progress<'_>| {
        let filled = (p.done * 30).checked_div(p.of).unwrap_or(30);
        let line = format!(
            "[{}{}] {}/{} {} ({name})",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            p.done + 1,
            p.of,
            p.conversation
        );
        let mut err = std::io::stderr().lock();
        let _ = if terminal {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
    }
}
