//! What users can do. Each operation is a module that owns its validation, its
//! access rule and its limits; the socket (`gateway`) and the HTTP API (`http`)
//! only parse a request, call the operation and answer with what it returns.
//! Who may read, write in or manage a room is decided in one place, [`access`].
//!
//! - room log: [`join`], [`send`], [`edit`], [`delete`], [`react`],
//!   [`history`], [`thread`], [`typing`], [`topic`]; [`submit`] hands a checked entry to
//!   the engine's group commit.
//! - finding messages: [`search`]; files: [`files`].
//! - rooms and members: [`rooms`], [`members`]; the caller's read state
//!   and muting: [`read`].
//! - people: profiles, avatars and the directory: [`people`].
//! - accounts and sessions: [`accounts`], signing in through an OpenID
//!   provider: [`oidc`]; what admins do: [`admin`];
//!   personal access tokens and bots: [`tokens`]; incoming webhooks:
//!   [`webhooks`].

pub mod access;
pub mod accounts;
pub mod admin;
pub mod audit;
pub mod claims;
pub mod credentials;
pub mod delete;
pub mod drafts;
pub mod edit;
pub mod email;
mod error;
pub mod export;
pub mod files;
pub mod followed;
pub mod groups;
pub mod history;
pub mod import;
pub mod join;
pub mod later;
pub mod members;
mod mentions;
pub mod notifications;
pub mod oidc;
pub mod people;
pub mod pin;
pub mod presence;
pub mod previews;
pub mod push;
pub mod react;
pub mod read;
pub mod retention;
pub mod room_admin;
pub mod rooms;
pub mod search;
pub mod send;
mod submit;
pub mod thread;
pub mod tokens;
pub mod topic;
pub mod typing;
pub mod webhooks;

use protocol::UserRef;

pub use error::{DomainError, DomainResult};
pub use submit::{done_seq, submit, submit_and_wait};

use crate::auth::{Claims, Scope};
use crate::engine::outbox::ConnId;
use crate::state::AppState;

/// Who asks: the user, the connection they ask on (none over HTTP), and what
/// their credential allows ([`access::require_scope`]).
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: UserRef,
    pub conn: Option<ConnId>,
    pub scope: Scope,
}

impl Caller {
    /// The caller a request's credential names.
    pub fn new(claims: &Claims, conn: Option<ConnId>) -> Self {
        Caller {
            user: claims.user(),
            conn,
            scope: claims.scope.clone(),
        }
    }
}

/// Takes one message from the caller's allowance, shared by all of their
/// connections on every instance: every entry a user makes (and every
/// `typing`) counts.
async fn take_allowance(state: &AppState, caller: &Caller) -> DomainResult<()> {
    if state.user_limits.take_message(caller.user.id).await {
        return Ok(());
    }
    let rate = state.config.user_rate_per_sec;
    Err(DomainError::RateLimited(format!(
        "you are sending more than {rate} messages a second across your connections; slow down"
    )))
}

/// Checks a message body against the limits: not blank, at most
/// `--max-body-chars` characters.
fn check_body(state: &AppState, body: &str) -> DomainResult<()> {
    if body.trim().is_empty() {
        return Err(DomainError::Invalid("body is empty".into()));
    }
    let max = state.config.max_body_chars;
    if body.chars().count() > max {
        return Err(DomainError::TooLarge(format!(
            "body is longer than {max} characters"
        )));
    }
    Ok(())
}
