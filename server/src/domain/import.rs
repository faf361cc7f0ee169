//! Imports started from the admin console (docs/PROTOCOL.md, "Slack
//! import"): the upload is written to the data directory (at most
//! `--max-import-bytes`), then imported by a task of its own on a blocking
//! thread (reading a zip is blocking work) while the job's row says how far
//! it is, for whichever instance the console asks. The import is the one
//! `confab import slack` runs (`crate::slack::import`). Audited.

use std::path::PathBuf;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use protocol::{ImportJob, ImportState};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;
use uuid::Uuid;

use super::{Caller, DomainError, DomainResult};
use crate::slack::import::{import, FileSink, Progress};
use crate::state::AppState;

/// Receives a Slack export and starts importing it; answers the job.
pub async fn start_slack<S, E>(
    state: &AppState,
    caller: &Caller,
    body: S,
) -> DomainResult<ImportJob>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    super::access::require_write(caller, None)?;
    super::admin::require_admin(state, caller).await?;
    let id = Uuid::now_v7();
    let path = receive(state, id, body).await?;
    let job = ImportJob {
        id,
        source: "slack".into(),
        state: ImportState::Running,
        done: 0,
        total: 0,
        current: String::new(),
        report: None,
        error: None,
        started_ts: time::OffsetDateTime::now_utc(),
    };
    state
        .store
        .put_import_job(&job, Some(caller.user.id))
        .await?;
    let detail = serde_json::json!({"job": id, "via": "console"});
    super::audit::record(
        state,
        Some(&caller.user),
        "import.slack",
        &id.to_string(),
        detail,
    )
    .await;
    tokio::spawn(run(state.clone(), job.clone(), path));
    Ok(job)
}

/// An import job, to admins.
pub async fn job(state: &AppState, caller: &Caller, id: Uuid) -> DomainResult<ImportJob> {
    super::admin::require_admin(state, caller).await?;
    state
        .store
        .import_job(id)
        .await?
        .ok_or_else(|| DomainError::NotFound("no such import".into()))
}

/// What an import source's people and conversations became here (admins):
/// `slack` or `confab`.
pub async fn mapping(
    state: &AppState,
    caller: &Caller,
    source: &str,
) -> DomainResult<protocol::ImportMapping> {
    super::admin::require_admin(state, caller).await?;
    if !matches!(source, "slack" | "confab") {
        return Err(DomainError::NotFound(format!(
            "no import source {source:?}"
        )));
    }
    Ok(state.store.import_mapping(source).await?)
}

/// Writes the upload to `DATA/imports/ID.zip`, at most `--max-import-bytes`.
async fn receive<S, E>(state: &AppState, id: Uuid, mut body: S) -> DomainResult<PathBuf>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let dir = state.config.data_dir.join("imports");
    let failed =
        |e: std::io::Error| DomainError::Busy(format!("the upload could not be kept: {e}"));
    tokio::fs::create_dir_all(&dir).await.map_err(failed)?;
    let path = dir.join(format!("{id}.zip"));
    let mut file = tokio::fs::File::create(&path).await.map_err(failed)?;
    let max = state.config.max_import_bytes;
    let mut written = 0u64;
    let outcome = async {
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(|e| DomainError::Invalid(format!("the upload stopped: {e}")))?;
            written += chunk.len() as u64;
            if written > max {
                return Err(DomainError::TooLarge(format!(
                    "an export to import from the console is at most {max} bytes; \
                     larger ones with `confab import slack` on the server"
                )));
            }
            file.write_all(&chunk).await.map_err(failed)?;
        }
        if written == 0 {
            return Err(DomainError::Invalid("no export was sent".into()));
        }
        file.flush().await.map_err(failed)
    }
    .await;
    if let Err(e) = outcome {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    Ok(path)
}

/// Imports, keeping the job's row current; removes the upload after.
async fn run(state: AppState, mut job: ImportJob, path: PathBuf) {
    let (progress, mut seen) = watch::channel((0u32, 0u32, String::new()));
    let importing = {
        let state = state.clone();
        let path = path.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let sink = FileSink {
                files: &state.files,
                max_bytes: state.config.max_file_bytes,
            };
            handle.block_on(import(
                state.store.as_ref(),
                &sink,
                &path,
                |p: Progress<'_>| {
                    progress.send_replace((p.done as u32, p.of as u32, p.conversation.to_string()));
                },
            ))
        })
    };
    tokio::pin!(importing);
    let outcome = loop {
        tokio::select! {
            outcome = &mut importing => break outcome,
            changed = seen.changed() => {
                if changed.is_ok() {
                    let (done, total, current) = seen.borrow_and_update().clone();
                    job.done = done;
                    job.total = total;
                    job.current = current;
                    let _ = state.store.put_import_job(&job, None).await;
                }
            }
        }
    };
    job.current = String::new();
    match outcome {
        Ok(Ok(report)) => {
            job.state = ImportState::Done;
            job.done = job.total;
            job.report = serde_json::to_value(&report).ok();
        }
        Ok(Err(e)) => {
            job.state = ImportState::Failed;
            job.error = Some(format!("{e:#}"));
        }
        Err(e) => {
            job.state = ImportState::Failed;
            job.error = Some(format!("the import stopped: {e}"));
        }
    }
    if let Err(e) = state.store.put_import_job(&job, None).await {
        tracing::warn!(error = %e, "an import's outcome could not be kept");
    }
    let _ = tokio::fs::remove_file(&path).await;
}
