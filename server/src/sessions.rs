//! Sign-ins on this instance: which open connections belong to which session,
//! which sessions were found valid lately, and ending sessions on every
//! instance.
//!
//! - **Connections by session**: ending a session (logout, a reused refresh
//!   token, an admin disabling the account) closes its connections here with
//!   4001, and tells the other instances to do the same (`SessionsEnded` on
//!   the broker's all-instances channel).
//! - **Sessions found valid** are trusted for [`SESSION_TRUST`], so a
//!   connection opening in a busy moment does not ask the store each time.
//!   Ending sessions drops what was remembered of that user, here at once and
//!   on the others when the word arrives; a check that started before an end
//!   is not remembered. If that word is lost (Redis down), an ended session is
//!   still refused within [`SESSION_TRUST`], and its open connections close
//!   when the broker resubscribes ([`Sessions::recheck`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::broker::{Broker, BrokerEvent, ALL_ROOMS};
use crate::engine::outbox::{ConnId, Outbox};
use crate::store::{Store, StoreError};

/// How long a session found valid is trusted without asking the store.
pub const SESSION_TRUST: Duration = Duration::from_secs(10);

/// Most entries each memory holds; past it, it starts over.
const MAX_ENTRIES: usize = 100_000;

/// One user's connections on this instance: the session each was opened in,
/// and its outbox.
type UserConnections = HashMap<ConnId, (Uuid, Outbox)>;

pub struct Sessions {
    store: Arc<dyn Store>,
    broker: Arc<dyn Broker>,
    /// user → this instance's connections of theirs.
    connections: Mutex<HashMap<Uuid, UserConnections>>,
    /// (user, session) → when the store last said it was valid.
    valid: Mutex<HashMap<(Uuid, Uuid), Instant>>,
    /// user → when their sessions (some or all) were last ended.
    ended: Mutex<HashMap<Uuid, Instant>>,
}

impl Sessions {
    pub fn new(store: Arc<dyn Store>, broker: Arc<dyn Broker>) -> Arc<Self> {
        Arc::new(Sessions {
            store,
            broker,
            connections: Mutex::default(),
            valid: Mutex::default(),
            ended: Mutex::default(),
        })
    }

    /// Records a connection of `user` opened in `session`.
    pub fn opened(&self, user: Uuid, conn: ConnId, session: Uuid, outbox: &Outbox) {
        self.connections
            .lock()
            .unwrap()
            .entry(user)
            .or_default()
            .insert(conn, (session, outbox.clone()));
    }

    pub fn closed(&self, user: Uuid, conn: ConnId) {
        let mut connections = self.connections.lock().unwrap();
        if let Some(conns) = connections.get_mut(&user) {
            conns.remove(&conn);
            if conns.is_empty() {
                connections.remove(&user);
            }
        }
    }

    /// Remembers a session this instance just stored as valid: the sign-in's
    /// first connection (most often right after it) need not ask the store.
    pub fn started(&self, user: Uuid, session: Uuid) {
        self.remember(user, session, Instant::now());
    }

    fn remember(&self, user: Uuid, session: Uuid, at: Instant) {
        let mut sessions = self.valid.lock().unwrap();
        if sessions.len() >= MAX_ENTRIES {
            sessions.clear();
        }
        sessions.insert((user, session), at);
    }

    /// Whether `user`'s `session` may go on: remembered, or asked of the
    /// store (and remembered if so).
    pub async fn valid(&self, user: Uuid, session: Uuid) -> Result<bool, StoreError> {
        let asked = Instant::now();
        let remembered = self.valid.lock().unwrap().get(&(user, session)).copied();
        if remembered.is_some_and(|at| at.elapsed() < SESSION_TRUST && !self.ended_since(user, at))
        {
            return Ok(true);
        }
        let valid = self.store.session_valid(user, session).await?;
        if valid && !self.ended_since(user, asked) {
            self.remember(user, session, asked);
        }
        Ok(valid)
    }

    fn ended_since(&self, user: Uuid, at: Instant) -> bool {
        self.ended
            .lock()
            .unwrap()
            .get(&user)
            .is_some_and(|ended| *ended >= at)
    }

    /// Ends `user`'s sessions (all, or only `session`) on every instance: their
    /// connections close with 4001.
    pub async fn end(&self, user: Uuid, session: Option<Uuid>) {
        self.ended_elsewhere(user, session);
        let event = BrokerEvent::SessionsEnded(user, session);
        if let Err(e) = self.broker.publish(ALL_ROOMS, event).await {
            tracing::warn!(error = %e, "session end publish failed");
        }
    }

    /// Asks the store about every session with connections here and closes
    /// (4001) those it no longer knows as valid: an end published while this
    /// instance could not hear it (Redis away) takes effect once it hears
    /// again. A store that does not answer leaves things as they are.
    pub async fn recheck(&self) {
        let opened: std::collections::HashSet<(Uuid, Uuid)> = self
            .connections
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(user, conns)| conns.values().map(move |(session, _)| (*user, *session)))
            .collect();
        for (user, session) in opened {
            if let Ok(false) = self.store.session_valid(user, session).await {
                tracing::info!(%user, "session ended here after a lost end");
                self.ended_elsewhere(user, Some(session));
            }
        }
    }

    /// Another instance ended `user`'s sessions: forget them, close them here.
    pub fn ended_elsewhere(&self, user: Uuid, session: Option<Uuid>) {
        self.forget(user);
        let connections = self.connections.lock().unwrap();
        for (opened_in, outbox) in connections.get(&user).into_iter().flat_map(|c| c.values()) {
            if session.is_none_or(|s| s == *opened_in) {
                outbox.close_with(protocol::close_code::TOKEN_EXPIRED);
            }
        }
    }

    /// Forgets that `user`'s sessions were valid (they are being ended).
    fn forget(&self, user: Uuid) {
        let mut ended = self.ended.lock().unwrap();
        if ended.len() >= MAX_ENTRIES {
            // Old ends no longer matter once nothing older is remembered.
            self.valid.lock().unwrap().clear();
            ended.clear();
        }
        ended.insert(user, Instant::now());
        self.valid.lock().unwrap().retain(|(u, _), _| *u != user);
    }
}
