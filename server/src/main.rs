//! `confab`: serves the chat. See `confab --help` for every setting.

use clap::Parser;
use server::config::{Command, Config};

/// mimalloc: smaller and steadier memory than the system allocator for many
/// small, long-lived connections (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = Config::parse();
    server::telemetry::init_logging(config.log_format);
    match config.command.take() {
        Some(Command::Admin(command)) => server::admin_cli::run(&config, command).await,
        Some(Command::Export { out }) => server::export_cli::run(&config, out).await,
        Some(Command::Import(command)) => server::import_cli::run(&config, command).await,
        None => server::run(config).await,
    }
}
