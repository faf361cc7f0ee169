//! `confab-load`: load for sizing a Confab deployment.
//!
//! - `fanout`: registers users, connects N clients over M rooms through any base
//!   URL (one instance, several, or a load balancer), has P of them publish R
//!   messages a second in all, and reports deliveries a second, loss, latency
//!   percentiles, and every out-of-order or duplicate delivery (checked from
//!   `seq`). Progress is printed every second.
//! - `saturate`: fanout runs at rising rates until one does not hold (a message
//!   lost, doubled or out of order, or p99 over the bound): what a deployment
//!   holds.
//! - `connect`: opens N idle, authenticated, joined connections as fast as the
//!   server takes them; reports connects a second and, given the server's PID,
//!   its memory per connection.
//! - `sidebar`, `activity`: every room at once (`rooms_load`): time to a
//!   complete sidebar for a user in many rooms, and server CPU per `activity`.
//! - `storm`: N clients on one instance that is sent SIGTERM: time until all
//!   are back on the other and caught up, and whether anything was lost.
//! - `report`: turns the JSON lines the runs print into a Markdown report and
//!   an SVG chart (see `make bench`).
//!
//! Every run prints one JSON object on stdout (the figures) and a readable line
//! on stderr.

mod args;
mod chart;
mod client;
mod connect;
mod fanout;
mod proc_stats;
mod report;
mod report_redis;
mod report_rooms;
mod rooms_load;
mod runs;
mod scan;
mod setup;
mod storm;
mod timed_messages;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match args::Cli::parse().command {
        args::Command::Fanout(a) => fanout::run(a).await,
        args::Command::Saturate(a) => fanout::saturate(a.fanout, a.p99_ms, a.steps).await,
        args::Command::Connect(a) => connect::run(a).await,
        args::Command::Sidebar(a) => rooms_load::sidebar(a).await,
        args::Command::Activity(a) => rooms_load::activity(a).await,
        args::Command::Storm(a) => storm::run(a).await,
        args::Command::Report(a) => report::run(a),
    }
}
