//! Logs (tracing: human or JSON) and metrics (Prometheus).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global log subscriber. `RUST_LOG` overrides the default level.
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The process's one recorder, once installed.
static RECORDER: std::sync::Mutex<Option<PrometheusHandle>> = std::sync::Mutex::new(None);

/// Installs the global metrics recorder and describes Confab's metrics; a
/// second instance built in the same process (the integration tests build
/// some in process) shares the recorder.
pub fn init_metrics() -> anyhow::Result<PrometheusHandle> {
    let mut installed = RECORDER.lock().unwrap();
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("confab_commit_batch_size".into()),
            &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0],
        )?
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[
                0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
                0.1, 0.25, 1.0,
            ],
        )?
        .install_recorder()?;
    metrics::describe_gauge!("confab_connections_open", "Open WebSocket connections");
    metrics::describe_counter!(
        "confab_frames_in_total",
        "Text frames received from clients"
    );
    metrics::describe_counter!("confab_frames_out_total", "Frames written to clients");
    metrics::describe_counter!("confab_messages_stored_total", "Messages stored");
    metrics::describe_histogram!(
        "confab_commit_seconds",
        metrics::Unit::Seconds,
        "Time to store one group commit of a room's messages"
    );
    metrics::describe_histogram!(
        "confab_commit_batch_size",
        "Messages stored per group commit"
    );
    metrics::describe_counter!(
        "confab_gap_fills_total",
        "Reads from the store to deliver messages a publish did not bring (yet)"
    );
    metrics::describe_histogram!(
        "confab_fanout_seconds",
        "Time from a message's commit to its frames being queued for every local subscriber"
    );
    metrics::describe_counter!("confab_errors_total", "Errors returned to clients, by code");
    metrics::describe_counter!(
        "confab_slow_consumers_total",
        "Connections closed with 1008 because their outbound queue was full"
    );
    // Present from the start, so a scrape shows them before the first event.
    metrics::gauge!("confab_connections_open").set(0.0);
    metrics::counter!("confab_messages_stored_total").increment(0);
    *installed = Some(handle.clone());
    Ok(handle)
}
