//! Configuration, from command-line flags or the environment.
//!
//! The listen address, database and Redis URLs use the ecosystem's variable names
//! (`LEPTOS_SITE_ADDR`, `DATABASE_URL`, `REDIS_URL`); everything else is
//! `--kebab-case` / `CONFAB_SNAKE_CASE`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// A JWT secret is generated once and kept in the data directory.
    Dev,
    /// A JWT secret must be given; cookies are marked Secure.
    Prod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Registration {
    /// Anyone may create an account.
    Open,
    /// `POST /api/auth/register` answers 403.
    Closed,
    /// Registering needs a single-use invite code made by an admin.
    Invite,
}

/// What `confab` does instead of serving.
#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Make admins, in the store the server uses (DATABASE_URL or --data-dir),
    /// then exit.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write everything the instance holds (users, rooms, memberships,
    /// every room's log, the files) as a zip, from the store and the file
    /// store the server uses, then exit.
    Export {
        /// Where to write it (`-`: standard output).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Bring history in from another chat, into the store the server uses,
    /// then exit.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Clone, Debug, Subcommand)]
pub enum ImportCommand {
    /// A Slack workspace export (the zip of Slack's "Export data").
    Slack { file: std::path::PathBuf },
    /// A Confab export (the zip of `confab export` or the console's
    /// "Download the export"), from this instance or another.
    Confab { file: std::path::PathBuf },
}

#[derive(Clone, Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account; the password is read from standard input.
    Create { name: String },
    /// Make an existing account an admin.
    Promote { name: String },
    /// Take an account's admin rights away.
    Demote { name: String },
}

#[derive(Clone, Debug, Parser)]
#[command(name = "confab", version, about = "Confab: real-time team chat")]
pub struct Config {
    /// Serve the chat (no command), or manage admins.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Serve `/metrics` on this address only (e.g. one only Prometheus can
    /// reach). Without it, `/metrics` is beside the app but answers only
    /// requests made on this machine (loopback, not through a proxy).
    #[arg(long, env = "CONFAB_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// PEM certificate chain: serve HTTPS and wss:// directly (with --tls-key).
    #[arg(long, env = "CONFAB_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, env = "CONFAB_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Store of record: sqlite:PATH. Default: a SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Redis for fan-out between instances (redis:// or rediss://). Without it, one
    /// instance fans out in process.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// PEM file of the certificate authority that signed Redis' TLS certificate
    /// (rediss://), when it is not in the system's trust store.
    #[arg(long, env = "CONFAB_REDIS_CA_FILE")]
    pub redis_ca_file: Option<PathBuf>,

    /// Redis through Sentinel instead of `--redis-url`: the sentinels'
    /// `HOST:PORT`s (`rediss://HOST:PORT` for TLS to the sentinels and the
    /// servers); the command and pub/sub connections follow the master they
    /// name, across failovers.
    #[arg(long, env = "CONFAB_REDIS_SENTINELS", value_delimiter = ',')]
    pub redis_sentinels: Vec<String>,

    /// A Redis Cluster instead of `--redis-url`: some of its nodes'
    /// `HOST:PORT`s (or `redis://` / `rediss://` URLs); the others are found
    /// from them. Room channels become sharded channels (Redis 7).
    #[arg(long, env = "CONFAB_REDIS_CLUSTER", value_delimiter = ',')]
    pub redis_cluster: Vec<String>,

    /// The name the sentinels know the master by.
    #[arg(long, env = "CONFAB_REDIS_SENTINEL_MASTER", default_value = "mymaster")]
    pub redis_sentinel_master: String,

    /// Password of the Redis servers behind the sentinels or in the cluster,
    /// if they need one.
    #[arg(long, env = "CONFAB_REDIS_PASSWORD", hide_env_values = true)]
    pub redis_password: Option<String>,

    /// Prefix of every Redis key and channel, so deployments can share a Redis.
    #[arg(long, env = "CONFAB_REDIS_PREFIX", default_value = "confab")]
    pub redis_prefix: String,

    /// Seconds between checks that each room with local members has every stored
    /// message delivered (covers a publish lost while Redis stayed up).
    #[arg(long, env = "CONFAB_CATCH_UP_SECS", default_value_t = 2)]
    pub catch_up_secs: u64,

    /// Directory for the default database and the dev JWT secret.
    #[arg(long, env = "CONFAB_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// dev or prod.
    #[arg(long = "env", env = "CONFAB_ENV", value_enum, default_value = "dev")]
    pub environment: Environment,

    /// Secret that signs session tokens (HS256). Required in prod.
    #[arg(long, env = "CONFAB_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// How long an access token (the JWT) is valid, in seconds. A socket is
    /// closed with 4001 when its token expires; clients refresh and reconnect.
    #[arg(long, env = "CONFAB_ACCESS_TTL_SECS", default_value_t = 15 * 60)]
    pub access_ttl_secs: u64,

    /// How long a sign-in lasts, in seconds: refresh tokens are accepted until
    /// then (or until logout), and then the user logs in again.
    #[arg(long, env = "CONFAB_SESSION_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub session_ttl_secs: u64,

    /// Seconds after its first use during which a refresh token is accepted
    /// again (two tabs refreshing at once). Used again later, it revokes its
    /// whole session.
    #[arg(long, env = "CONFAB_REFRESH_REUSE_GRACE_SECS", default_value_t = 10)]
    pub refresh_reuse_grace_secs: u64,

    /// Origins allowed to open a socket, comma-separated (e.g.
    /// https://chat.example.com). Empty: only the server's own origin (the
    /// request's Host). Requests without an Origin header (non-browser clients)
    /// are always allowed.
    #[arg(long, env = "CONFAB_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Take the client's address from the last `X-Forwarded-For` entry (set this
    /// only behind a proxy that appends it, such as deploy/nginx.conf).
    #[arg(long, env = "CONFAB_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Usernames that are admins (comma-separated): the accounts of those names
    /// that exist when the server starts (registering one of the names later
    /// does not make an admin). Admins can disable and re-enable accounts.
    /// `confab admin create|promote` makes admins without a restart.
    #[arg(long, env = "CONFAB_ADMINS", value_delimiter = ',')]
    pub admins: Vec<String>,

    /// The first account made on an instance with no other account (by
    /// registering or a first single sign-on) becomes its admin, so a new
    /// instance is set up from the browser. Off unless given: whoever
    /// reaches a new instance first would be its admin. `make run` gives it.
    #[arg(long, env = "CONFAB_FIRST_ACCOUNT_ADMIN")]
    pub first_account_admin: bool,

    /// Who may register.
    #[arg(long, env = "CONFAB_REGISTRATION", value_enum, default_value = "open")]
    pub registration: Registration,

    /// Sign-in through an OpenID provider (`--oidc-*`).
    #[command(flatten)]
    pub oidc: crate::oidc::OidcArgs,

    #[command(flatten)]
    pub unfurl: crate::unfurl::UnfurlArgs,

    #[command(flatten)]
    pub push: crate::push::PushArgs,

    #[command(flatten)]
    pub email: crate::email::EmailArgs,

    /// Sign-ups allowed per hour from one client network (an IPv4 address, an
    /// IPv6 /64); more answer 429. Raise it for an office behind one address.
    #[arg(long, env = "CONFAB_SIGNUPS_PER_NETWORK", default_value_t = 30)]
    pub signups_per_network: u64,

    /// Sign-ups allowed per hour from everyone together; more answer 429.
    #[arg(long, env = "CONFAB_SIGNUPS_PER_HOUR", default_value_t = 500)]
    pub signups_per_hour: u64,

    /// Password hashes (sign-ups, logins) that may wait for a core at once;
    /// more answer 503 at once instead of waiting behind a flood.
    #[arg(long, env = "CONFAB_MAX_PASSWORD_QUEUE", default_value_t = 32)]
    pub max_password_queue: usize,

    /// Largest WebSocket frame a client may send, in bytes (bigger: close 1009).
    #[arg(long, env = "CONFAB_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,

    /// Longest message body, in characters (longer: `too_large`).
    #[arg(long, env = "CONFAB_MAX_BODY_CHARS", default_value_t = 4000)]
    pub max_body_chars: usize,

    /// Frames per second a connection may send, sustained.
    #[arg(long, env = "CONFAB_RATE_PER_SEC", default_value_t = 20.0)]
    pub rate_per_sec: f64,

    /// Frames a connection may send in a burst above the sustained rate.
    #[arg(long, env = "CONFAB_RATE_BURST", default_value_t = 60.0)]
    pub rate_burst: f64,

    /// Most WebSocket connections one user may hold open at once, across every
    /// instance (more: the upgrade answers 429).
    #[arg(long, env = "CONFAB_MAX_CONNS_PER_USER", default_value_t = 64)]
    pub max_conns_per_user: usize,

    /// Messages (`send` and `typing` frames) per second one user may send,
    /// sustained, across all of their connections and every instance.
    #[arg(long, env = "CONFAB_USER_RATE_PER_SEC", default_value_t = 20.0)]
    pub user_rate_per_sec: f64,

    /// Messages one user may send in a burst above the sustained rate.
    #[arg(long, env = "CONFAB_USER_RATE_BURST", default_value_t = 60.0)]
    pub user_rate_burst: f64,

    /// Most rooms one user may own (create).
    #[arg(long, env = "CONFAB_MAX_ROOMS_PER_USER", default_value_t = 100)]
    pub max_rooms_per_user: usize,

    /// Frames waiting to be written to one client before it counts as slow and is
    /// closed with 1008.
    #[arg(long, env = "CONFAB_OUTBOUND_QUEUE", default_value_t = 1024)]
    pub outbound_queue: usize,

    /// Bytes waiting to be written to one client before it counts as slow and
    /// is closed with 1008 (a single bigger frame still goes to an empty queue).
    #[arg(long, env = "CONFAB_OUTBOUND_QUEUE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub outbound_queue_bytes: usize,

    /// Largest HTTP request body, in bytes.
    #[arg(long, env = "CONFAB_MAX_HTTP_BODY", default_value_t = 64 * 1024)]
    pub max_http_body: usize,

    /// Seconds a client has to send a whole request head; also how long an
    /// idle keep-alive connection stays open.
    #[arg(long, env = "CONFAB_HTTP_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub http_header_timeout_secs: u64,

    /// Seconds a client has to send a whole request body.
    #[arg(long, env = "CONFAB_HTTP_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub http_body_timeout_secs: u64,

    /// Connections one client address (an IPv6 /64) may hold open before
    /// sending a request; more are closed as they arrive.
    #[arg(
        long,
        env = "CONFAB_MAX_PENDING_CONNS_PER_ADDRESS",
        default_value_t = 64
    )]
    pub max_pending_conns_per_address: usize,

    /// Seconds over which an instance told to stop (SIGTERM, Ctrl-C) closes
    /// its WebSockets (1001), each at a random moment of the window and
    /// serving until then, so its clients reconnect elsewhere gradually
    /// instead of all at once. It stops accepting new connections at the
    /// start (so a load balancer's health check fails and it sends no one
    /// new). 0: all at once.
    #[arg(long, env = "CONFAB_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// Seconds in-flight work gets to finish after SIGTERM or Ctrl-C, after
    /// the drain window; the process ends within both (plus 2 s to close the
    /// store) whatever clients do.
    #[arg(long, env = "CONFAB_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Largest file an upload may be, in bytes (larger: `413`).
    #[arg(long, env = "CONFAB_MAX_FILE_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_bytes: u64,

    /// Largest export an admin may upload to import from the console, in
    /// bytes (larger: `413`; `confab import` on the server takes any size).
    #[arg(long, env = "CONFAB_MAX_IMPORT_BYTES", default_value_t = 4 * 1024 * 1024 * 1024)]
    pub max_import_bytes: u64,

    /// Days the instance keeps messages (a room may have its own period);
    /// older ones are deleted by the retention sweeper. Unset: forever.
    #[arg(long, env = "CONFAB_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..=protocol::MAX_RETENTION_DAYS as i64))]
    pub retention_days: Option<u32>,

    /// Seconds between the retention sweeper's rounds (one instance sweeps
    /// at a time; the others stand by).
    #[arg(long, env = "CONFAB_RETENTION_SWEEP_SECS", default_value_t = 300)]
    pub retention_sweep_secs: u64,

    /// Up to how many users online in a room every client hears each arrival
    /// and departure there; in a bigger room a client hears only of the users
    /// it named in `presence_interest` (docs/PROTOCOL.md).
    #[arg(long, env = "CONFAB_PRESENCE_FOR_ALL", default_value_t = 100)]
    pub presence_for_all: u32,

    /// Tests and benchmarks only: how many seconds a retention "day" is.
    #[arg(long, hide = true, default_value_t = 86_400)]
    pub retention_day_secs: u64,

    /// Bytes of files each user may have stored in all.
    #[arg(long, env = "CONFAB_USER_QUOTA_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub user_quota_bytes: u64,

    /// Tests only, and only in debug builds: every join waits this long
    /// between its access check and its subscription, so a test can land a
    /// removal in that window from outside (ignored by release builds).
    #[arg(long, hide = true, default_value_t = 0)]
    pub debug_join_pause_ms: u64,

    /// Most pixels an uploaded image may have (width × height); more is
    /// refused before decoding.
    #[arg(long, env = "CONFAB_MAX_IMAGE_PIXELS", default_value_t = 40_000_000)]
    pub max_image_pixels: u64,

    /// Where files' bytes are kept: `s3://BUCKET[/PREFIX]` (with the usual
    /// `AWS_*` variables: AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_REGION, AWS_ALLOW_HTTP); unset, `files/` in the data directory
    /// (one instance only).
    #[arg(long, env = "CONFAB_FILE_STORE")]
    pub file_store: Option<String>,

    /// Seconds between sweeps that delete unreachable files.
    #[arg(long, env = "CONFAB_FILE_SWEEP_SECS", default_value_t = 60)]
    pub file_sweep_secs: u64,

    /// Log format.
    #[arg(long, env = "CONFAB_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: LogFormat,

    /// Directory with the built UI (cargo-leptos' site root).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

impl Config {
    /// The database URL in force: the flag, or a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("confab.db").display()))
    }

    /// Whether instances share a Redis (one server, through Sentinel, or a
    /// cluster).
    pub fn uses_redis(&self) -> bool {
        self.redis_url.is_some()
            || !self.redis_sentinels.is_empty()
            || !self.redis_cluster.is_empty()
    }

    pub fn user_limits(&self) -> crate::limits::UserLimitConfig {
        crate::limits::UserLimitConfig {
            max_connections: self.max_conns_per_user.max(1),
            rate_per_sec: self.user_rate_per_sec.max(0.0),
            burst: self.user_rate_burst.max(1.0),
        }
    }

    pub fn signup_limits(&self) -> crate::limits::SignupLimits {
        crate::limits::SignupLimits {
            per_network: self.signups_per_network,
            total: self.signups_per_hour,
        }
    }

    pub fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.access_ttl_secs.max(1))
    }

    pub fn session_ttl(&self) -> Duration {
        Duration::from_secs(self.session_ttl_secs.max(1))
    }

    pub fn catch_up_interval(&self) -> Duration {
        Duration::from_secs(self.catch_up_secs.max(1))
    }

    pub fn http_header_timeout(&self) -> Duration {
        Duration::from_secs(self.http_header_timeout_secs.max(1))
    }

    pub fn http_body_timeout(&self) -> Duration {
        Duration::from_secs(self.http_body_timeout_secs.max(1))
    }

    pub fn retention_sweep_interval(&self) -> Duration {
        Duration::from_secs(self.retention_sweep_secs.max(1))
    }

    /// How long `days` of retention are, in ms.
    pub fn retention_ms(&self, days: u32) -> i64 {
        (u64::from(days) * self.retention_day_secs.max(1))
            .saturating_mul(1000)
            .min(i64::MAX as u64) as i64
    }

    pub fn file_sweep_interval(&self) -> Duration {
        Duration::from_secs(self.file_sweep_secs.max(1))
    }

    /// How long the drain lasts, then the grace period: the longest a stop takes.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs) + self.drain_window()
    }

    pub fn drain_window(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let c = Config::try_parse_from(["confab"]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url(), "sqlite:data/confab.db");
        assert_eq!(c.environment, Environment::Dev);
        let c = Config::try_parse_from([
            "confab",
            "--allowed-origins",
            "https://a.example,https://b.example",
            "--env",
            "prod",
        ])
        .unwrap();
        assert_eq!(c.allowed_origins.len(), 2);
        assert_eq!(c.environment, Environment::Prod);
    }
}
