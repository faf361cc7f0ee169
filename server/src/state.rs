//! What every request handler and connection shares.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::access_tokens::AccessTokens;
use crate::auth::Auth;
use crate::broker::Broker;
use crate::config::Config;
use crate::domain::access::PublicMembers;
use crate::engine::outbox::ConnId;
use crate::engine::Node;
use crate::files::Files;
use crate::limits::{LoginThrottle, SignupThrottle, UserLimits};
use crate::oidc::Oidc;
use crate::passwords::Passwords;
use crate::sessions::Sessions;
use crate::store::Store;

/// The shared state: one pointer, cloned into every request and every
/// connection's task (which an idle connection carries for its whole life).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] points to.
pub struct Shared {
    pub config: Arc<Config>,
    /// The store of record. Only the operations in `domain/` read or write it
    /// (and `/readyz`, which only pings it): transports never do.
    pub store: Arc<dyn Store>,
    pub broker: Arc<dyn Broker>,
    pub node: Arc<Node>,
    /// Sign-ins: connections by session, sessions found valid.
    pub sessions: Arc<Sessions>,
    /// Personal access tokens looked up lately.
    pub access_tokens: AccessTokens,
    /// Public rooms' members this instance knows of (`domain::access`).
    pub public_members: PublicMembers,
    /// Avatar thumbnails served lately, in memory.
    pub avatars: crate::files::avatar_cache::AvatarCache,
    pub auth: Arc<Auth>,
    pub logins: Arc<LoginThrottle>,
    pub signups: Arc<SignupThrottle>,
    /// Password hashing, through a bounded queue.
    pub passwords: Arc<Passwords>,
    /// Connections and messages per user, across instances.
    pub user_limits: Arc<dyn UserLimits>,
    pub metrics: PrometheusHandle,
    /// Cancelled on SIGTERM / Ctrl-C: connections close with 1001.
    pub shutdown: CancellationToken,
    /// Every WebSocket connection's task, so shutdown can wait for them.
    pub connections: TaskTracker,
    pub leptos: LeptosOptions,
    /// Where uploaded files' bytes are.
    pub files: Arc<Files>,
    /// The OpenID provider to sign in with, if one is configured.
    pub oidc: Option<Arc<Oidc>>,
    /// Fetches link previews.
    pub unfurler: crate::unfurl::Unfurler,
    /// Pushes to subscribed browsers.
    pub pusher: crate::push::Pusher,
    /// Mails what users missed.
    pub mailer: crate::email::Mailer,
    next_conn: Arc<AtomicU64>,
}

impl AppState {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        broker: Arc<dyn Broker>,
        node: Arc<Node>,
        sessions: Arc<Sessions>,
        auth: Auth,
        logins: LoginThrottle,
        signups: SignupThrottle,
        passwords: Passwords,
        user_limits: Arc<dyn UserLimits>,
        metrics: PrometheusHandle,
        shutdown: CancellationToken,
        leptos: LeptosOptions,
        files: Arc<Files>,
        oidc: Option<Oidc>,
    ) -> Self {
        AppState(Arc::new(Shared {
            unfurler: crate::unfurl::Unfurler::new(&config.unfurl),
            pusher: crate::push::Pusher::new(&config.push),
            mailer: crate::email::Mailer::new(&config.email),
            config: Arc::new(config),
            store,
            broker,
            node,
            sessions,
            access_tokens: AccessTokens::default(),
            public_members: PublicMembers::default(),
            avatars: Default::default(),
            auth: Arc::new(auth),
            logins: Arc::new(logins),
            signups: Arc::new(signups),
            passwords: Arc::new(passwords),
            user_limits,
            metrics,
            shutdown,
            connections: TaskTracker::new(),
            leptos,
            files,
            oidc: oidc.map(Arc::new),
            next_conn: Arc::default(),
        }))
    }

    /// A fresh id for a new connection.
    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Waits for `tick`'s next tick: false instead once the server is
    /// shutting down (a background worker's loop condition).
    pub async fn next_tick(&self, tick: &mut tokio::time::Interval) -> bool {
        tokio::select! {
            _ = tick.tick() => true,
            _ = self.shutdown.cancelled() => false,
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
