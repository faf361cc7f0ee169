//! `confab export --out FILE`: the whole instance as a zip
//! (docs/PROTOCOL.md, "Records"), read from the store and the file store
//! the server uses (`DATABASE_URL` or `--data-dir`, `--file-store`), while
//! it runs or not. Written to `FILE.partial`, renamed to `FILE` once whole
//! (`-`: standard output). Recorded in the audit log as the operator's.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use tokio::runtime::Handle;

use crate::config::Config;
use crate::domain::export::{write_zip, Scope};
use crate::files::Files;
use crate::store::NewAudit;

pub async fn run(config: &Config, out: PathBuf) -> anyhow::Result<()> {
    let store = crate::admin_cli::open_store(config).await?;
    let files = Files::open(&config.data_dir, config.file_store.as_deref())
        .context("opening the file store")?;
    let detail = serde_json::json!({"via": "confab export"}).to_string();
    store
        .append_audit(NewAudit {
            actor: None,
            action: "export.instance",
            target: "",
            detail,
        })
        .await?;
    let handle = Handle::current();
    let reader = store.clone();
    let to_stdout = out.as_os_str() == "-";
    let partial = PathBuf::from(format!("{}.partial", out.display()));
    let target = partial.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let sink: Box<dyn Write> = if to_stdout {
            Box::new(std::io::stdout().lock())
        } else {
            let file = std::fs::File::create(&target)
                .with_context(|| format!("creating {}", target.display()))?;
            Box::new(BufWriter::new(file))
        };
        write_zip(reader.as_ref(), &files, &handle, Scope::Instance, sink)?.flush()?;
        Ok(())
    })
    .await??;
    store.close().await;
    if !to_stdout {
        std::fs::rename(&partial, &out)
            .with_context(|| format!("renaming {} to {}", partial.display(), out.display()))?;
        eprintln!("exported to {}", out.display());
    }
    Ok(())
}
