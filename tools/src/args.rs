//! The command line.

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "confab-load",
    version,
    about = "Load for sizing a Confab deployment"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// N clients over M rooms; P of them publish R messages a second in all.
    Fanout(FanoutArgs),
    /// Fanout runs at rising rates (×1.5 a step) until one does not hold.
    Saturate(SaturateArgs),
    /// N idle connections: connect rate, and server memory per connection.
    Connect(ConnectArgs),
    /// A user in many rooms, each with unread messages, connects: time to a
    /// complete sidebar (socket open and every room's counts listed).
    Sidebar(SidebarArgs),
    /// Users in shared rooms, connected without joining: `activity` a second
    /// and server CPU per `activity` at a steady message rate.
    Activity(ActivityArgs),
    /// N clients on the first URL's instance, which is sent SIGTERM: time
    /// until all are back on the second URL's and caught up.
    Storm(StormArgs),
    /// A Markdown report and an SVG chart from the runs' JSON lines.
    Report(ReportArgs),
}

#[derive(Args, Clone)]
pub struct StormArgs {
    /// `--url FIRST,SECOND`; `--pids` the first instance's PID.
    #[command(flatten)]
    pub target: Target,
    /// Clients joined to one room on the first instance.
    #[arg(long, default_value_t = 5000)]
    pub clients: usize,
    /// Messages a second a publisher on the second instance sends all along.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds of traffic before the signal.
    #[arg(long, default_value_t = 3.0)]
    pub before: f64,
    /// Seconds after the signal before the run ends (every client should be
    /// back well within it).
    #[arg(long, default_value_t = 20.0)]
    pub after: f64,
}

#[derive(Args, Clone)]
pub struct SidebarArgs {
    #[command(flatten)]
    pub target: Target,
    /// Rooms the user belongs to.
    #[arg(long, default_value_t = 200)]
    pub rooms: usize,
    /// Unread messages in each room (the last one mentions the user).
    #[arg(long, default_value_t = 3)]
    pub messages_per_room: usize,
    /// Connects timed, spread over the URLs.
    #[arg(long, default_value_t = 50)]
    pub probes: usize,
}

#[derive(Args, Clone)]
pub struct ActivityArgs {
    #[command(flatten)]
    pub target: Target,
    /// Users, each a member of every room and connected once.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Shared rooms.
    #[arg(long, default_value_t = 50)]
    pub rooms: usize,
    /// How many of the users publish.
    #[arg(long, default_value_t = 10)]
    pub publishers: usize,
    /// Messages a second, all publishers together.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds to wait, after the last send, for `activity` still on the way.
    #[arg(long, default_value_t = 10.0)]
    pub drain: f64,
}

/// Where the server is and who the load signs in as.
#[derive(Args, Clone)]
pub struct Target {
    /// Base URLs, comma-separated (http://, https://); clients are spread over
    /// them round-robin.
    #[arg(long, value_delimiter = ',', default_value = "http://127.0.0.1:3000")]
    pub url: Vec<String>,
    /// Prefix of the users and rooms this run registers (reused if they exist).
    #[arg(long, default_value = "load")]
    pub prefix: String,
    /// Password of the users this run registers.
    #[arg(long, default_value = "confab-load-password")]
    pub password: String,
    /// Connections per user (the server limits connections per user).
    #[arg(long, default_value_t = 50)]
    pub clients_per_user: usize,
    /// Connections opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Server PIDs (on this machine) whose CPU time and memory to report.
    #[arg(long, value_delimiter = ',')]
    pub pids: Vec<u32>,
    /// A name for this run in the output.
    #[arg(long, default_value = "")]
    pub label: String,
}

#[derive(Args, Clone)]
pub struct FanoutArgs {
    #[command(flatten)]
    pub target: Target,
    /// Connected clients.
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Rooms the clients are spread over (client i joins room i mod M).
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// How many of the clients publish (spread over the rooms).
    #[arg(long, default_value_t = 10)]
    pub publishers: usize,
    /// Messages a second, all publishers together.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// Seconds measured.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Extra bytes of text in each message body.
    #[arg(long, default_value_t = 0)]
    pub body_bytes: usize,
    /// Every this many messages carry a link to `--link-url` (0: none), for
    /// the server to preview off the send path.
    #[arg(long, default_value_t = 0)]
    pub link_every: u64,
    /// The page those links point to (each gets its own query string).
    #[arg(long, default_value = "")]
    pub link_url: String,
    /// Seconds to wait, after the last send, for deliveries still on the way.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
}

#[derive(Args, Clone)]
pub struct SaturateArgs {
    /// The runs; `--rate` is the first step's.
    #[command(flatten)]
    pub fanout: FanoutArgs,
    /// Latency bound: a step whose p99 is over it (ms) does not hold.
    #[arg(long, default_value_t = 50.0)]
    pub p99_ms: f64,
    /// Most steps.
    #[arg(long, default_value_t = 14)]
    pub steps: usize,
}

#[derive(Args, Clone)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub target: Target,
    /// Connections to open.
    #[arg(long, default_value_t = 5000)]
    pub clients: usize,
    /// Seconds to hold them open before measuring memory.
    #[arg(long, default_value_t = 5.0)]
    pub hold: f64,
    /// Joins timed once every connection is in (each a fresh connection of
    /// the first user): from `join` sent to the room's online list received.
    #[arg(long, default_value_t = 20)]
    pub join_probes: usize,
    /// Each connection says whose presence it wants (nobody) before it
    /// joins, as a v3 client does: in a big room it then hears counts only.
    #[arg(long)]
    pub presence_interest: bool,
    /// Messages sent into the room once every connection is in (five a
    /// second, by the first user), each timed to every connection.
    #[arg(long, default_value_t = 0)]
    pub messages: usize,
}

#[derive(Args, Clone)]
pub struct ReportArgs {
    /// JSON lines printed by fanout and connect runs (`make bench` keeps them).
    pub results: std::path::PathBuf,
    /// Markdown file to write.
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// SVG chart to write (linked from the Markdown).
    #[arg(long)]
    pub chart: std::path::PathBuf,
    /// Other servers' runs, measured in the same session by another load
    /// generator: JSON lines labelled `<server>:<scenario>` (see `report`).
    #[arg(long)]
    pub peers: Option<std::path::PathBuf>,
    /// Markdown to append: how the peers were measured, what the profile says.
    #[arg(long)]
    pub notes: Option<std::path::PathBuf>,
}
