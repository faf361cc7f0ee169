//! Wiring: opens the store, picks the broker, serves HTTP and WebSockets, and
//! shuts down in order.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::auth::Auth;
use crate::broker::redis_target::RedisTarget;
use crate::broker::{Broker, BrokerEvent, Incoming, MemoryBroker, RedisBroker};
use crate::config::Config;
use crate::engine::Node;
use crate::files::Files;
use crate::limits::{LoginThrottle, MemoryUserLimits, RedisUserLimits, SignupThrottle, UserLimits};
use crate::listen::{self, ConnectionLimits};
use crate::passwords::Passwords;
use crate::sessions::Sessions;
use crate::state::AppState;
use crate::store::{self, redact_url};
use crate::{http, telemetry, ui};

/// Past the grace period, what finishing in-flight stores and closing the
/// store may still take.
const STORE_CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The room every instance makes sure exists.
pub const DEFAULT_ROOM: &str = "general";

/// Builds everything an instance is made of, short of listening: the store
/// (opened and migrated), the broker, the engine and its background tasks, and
/// the shared state every request and connection sees.
pub async fn build(config: Config) -> anyhow::Result<AppState> {
    let metrics = telemetry::init_metrics()?;
    let database_url = config.database_url();
    let store = store::open(&database_url)
        .await
        .with_context(|| format!("opening the store at {}", redact_url(&database_url)))?;
    store.ensure_public_room(DEFAULT_ROOM).await?;
    for name in &config.admins {
        match store.user_by_name(name).await? {
            Some(record) => {
                store.set_admin(record.user.id, true).await?;
            }
            // Registering that name later does not make an admin: whoever took
            // a free name first would be one. Register it, then restart.
            None => tracing::warn!(
                user = %name,
                "--admins names an account that does not exist; not an admin until it exists at a start"
            ),
        }
    }
    let (incoming_tx, incoming) = tokio::sync::mpsc::channel(4096);
    type Shared = (
        Arc<dyn Broker>,
        LoginThrottle,
        SignupThrottle,
        Arc<dyn UserLimits>,
    );
    let target = redis_target(&config)?;
    let (broker, logins, signups, user_limits): Shared = match target {
        Some(target) => {
            let redis = RedisBroker::connect(target, &config.redis_prefix, incoming_tx)
                .await
                .context("connecting to Redis")?;
            let logins = LoginThrottle::in_redis(redis.commands(), redis.health(), redis.keys());
            let signups = SignupThrottle::in_redis(
                redis.commands(),
                redis.health(),
                redis.keys(),
                config.signup_limits(),
            );
            let limits = RedisUserLimits::new(
                redis.commands(),
                redis.health(),
                redis.keys(),
                redis.node(),
                config.user_limits(),
            );
            (redis, logins, signups, Arc::new(limits))
        }
        None => (
            Arc::new(MemoryBroker::new()),
            LoginThrottle::in_memory(),
            SignupThrottle::in_memory(config.signup_limits()),
            Arc::new(MemoryUserLimits::new(config.user_limits())),
        ),
    };
    let node = Node::with_presence_for_all(store.clone(), broker.clone(), config.presence_for_all);
    let sessions = Sessions::new(store.clone(), broker.clone());
    tokio::spawn(route_incoming(incoming, node.clone(), sessions.clone()));
    if config.uses_redis() {
        // Pub/Sub is a hint, the store is the truth (docs/DESIGN.md 5).
        tokio::spawn(node.clone().run_catch_up(config.catch_up_interval()));
    }
    let auth = Auth::from_config(&config)?;
    let passwords = Passwords::new(config.max_password_queue);
    let leptos = ui::leptos_options(&config);
    let files = Arc::new(
        Files::open(&config.data_dir, config.file_store.as_deref())
            .context("opening the file store")?,
    );
    if files.is_local() && config.uses_redis() {
        tracing::warn!(
            "files are on this instance's disk: instances behind one load balancer need a shared --file-store"
        );
    }
    let oidc = crate::oidc::Oidc::from_args(&config.oidc).context("--oidc-* flags")?;
    let shutdown = CancellationToken::new();
    crate::files::sweeper::spawn(
        store.clone(),
        files.clone(),
        config.file_sweep_interval(),
        shutdown.clone(),
    );
    let state = AppState::new(
        config,
        store,
        broker,
        node,
        sessions,
        auth,
        logins,
        signups,
        passwords,
        user_limits,
        metrics,
        shutdown,
        leptos,
        files,
        oidc,
    );
    // Scheduled messages and reminders, sent by whichever instance is up.
    crate::domain::later::start(&state);
    // Web Push: the shared key, then pushes of what is stored here.
    crate::push::start(&state);
    // E-mail for what was missed, mailed by whichever instance claims it.
    crate::email::start(&state);
    // Retention, swept by whichever instance holds the lease.
    crate::domain::retention::start(&state);
    Ok(state)
}

/// Hands what the broker hears from the other instances to whom it concerns:
/// room events to the Hub (`Node`), ended sessions to `Sessions`.
async fn route_incoming(
    mut incoming: tokio::sync::mpsc::Receiver<Incoming>,
    node: Arc<Node>,
    sessions: Arc<Sessions>,
) {
    while let Some(event) = incoming.recv().await {
        match event {
            Incoming::Event(_, BrokerEvent::SessionsEnded(user, session)) => {
                sessions.ended_elsewhere(user, session)
            }
            Incoming::Resubscribed => {
                node.on_incoming(Incoming::Resubscribed).await;
                // What was published while this instance could not hear may
                // have taken access away: ask the store (off this loop).
                let (node, sessions) = (node.clone(), sessions.clone());
                tokio::spawn(async move {
                    node.recheck_members().await;
                    sessions.recheck().await;
                });
            }
            other => node.on_incoming(other).await,
        }
    }
}

/// Runs the server until SIGTERM or Ctrl-C, then shuts down gracefully: stop
/// accepting, close every socket with 1001, let in-flight stores finish, close the
/// store.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // TLS (HTTPS, rediss://) uses rustls with ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listen = config.listen;
    let state = build(config).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let grace = state.config.shutdown_grace();
    let database_url = state.config.database_url();
    let config_tls = (state.config.tls_cert.clone(), state.config.tls_key.clone());
    let store = state.store.clone();
    let node = state.node.clone();
    let shutdown = state.shutdown.clone();
    let connections = state.connections.clone();
    tokio::spawn(cancel_on_signal(shutdown.clone()));

    let limits = ConnectionLimits {
        header_timeout: state.config.http_header_timeout(),
        pending_per_address: state.config.max_pending_conns_per_address,
    };
    if let Some(metrics_addr) = state.config.metrics_listen {
        let metrics = TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("listening on {metrics_addr} for /metrics"))?;
        tracing::info!("metrics on http://{}/metrics", metrics.local_addr()?);
        let router = http::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, router).await {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let app = http::router(state);
    // SIGTERM ends the process within the grace period, whatever clients do:
    // every wait after it shares one deadline.
    let deadline = match (&config_tls.0, &config_tls.1) {
        (Some(cert), Some(key)) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!("loading TLS from {} and {}", cert.display(), key.display())
                })?;
            tracing::info!(store = %redact_url(&database_url), "listening on https://{addr}");
            listen::serve_tls(listener, app, tls, limits, shutdown.clone(), grace).await?
        }
        _ => {
            tracing::info!(store = %redact_url(&database_url), "listening on http://{addr}");
            listen::serve(listener, app, limits, shutdown.clone(), grace).await
        }
    };

    tracing::info!("shutting down: closing sockets, finishing in-flight stores");
    connections.close();
    if tokio::time::timeout_at(deadline, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish within {grace:?}");
    }
    // In-flight stores finish (they are what was acknowledged or about to
    // be); the store's close is bounded like the rest.
    if tokio::time::timeout_at(deadline + STORE_CLOSE_GRACE, async {
        node.finish_commits().await;
        store.close().await;
    })
    .await
    .is_err()
    {
        tracing::warn!("the store did not close in time");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    token.cancel();
}

/// Which Redis the flags name, if any: one server, Sentinel or a cluster.
fn redis_target(config: &Config) -> anyhow::Result<Option<RedisTarget>> {
    let ca_file = config.redis_ca_file.as_deref();
    let password = config.redis_password.as_deref();
    let named = [
        config.redis_url.is_some(),
        !config.redis_sentinels.is_empty(),
        !config.redis_cluster.is_empty(),
    ];
    if named.iter().filter(|n| **n).count() > 1 {
        anyhow::bail!("give one of --redis-url, --redis-sentinels and --redis-cluster");
    }
    if let Some(url) = &config.redis_url {
        let target = RedisTarget::url(url, ca_file)
            .with_context(|| format!("opening Redis at {}", redact_url(url)))?;
        return Ok(Some(target));
    }
    if !config.redis_sentinels.is_empty() {
        let target = RedisTarget::sentinel(
            &config.redis_sentinels,
            &config.redis_sentinel_master,
            password,
            ca_file,
        )?;
        return Ok(Some(target));
    }
    if !config.redis_cluster.is_empty() {
        return Ok(Some(RedisTarget::cluster(
            &config.redis_cluster,
            password,
            ca_file,
        )?));
    }
    Ok(None)
}
