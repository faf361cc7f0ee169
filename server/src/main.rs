//! `confab`: serves the chat. See `confab --help` for every setting.

use clap::Parser;
use server::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    server::telemetry::init_logging(config.log_format);
    server::run(config).await
}
