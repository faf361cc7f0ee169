//! Personal access tokens on the wire: `cfb_` and 64 hex digits (256 random
//! bits), sent as `Authorization: Bearer` on HTTP and on the socket's
//! upgrade. Only the secret's SHA-256 is stored.
//!
//! A token is a session ([`crate::store::TokenStore`]), so once a token is
//! found its session is checked like a sign-in's ([`crate::sessions`]):
//! revoking the token ends the session, which refuses it on every instance
//! and closes its sockets with 4001. What a token's secret names (its id,
//! user and scope) never changes, so [`AccessTokens`] remembers it for a
//! minute; its use is recorded (`last_used`) when it is looked up again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use protocol::TOKEN_PREFIX;
use uuid::Uuid;

use crate::auth::{self, secret_hash, unix_now, Claims, Scope};
use crate::store::{AccessToken, Store, StoreResult};

/// How long what a secret names is remembered (and so how stale `last_used`
/// may be).
const REMEMBER: Duration = Duration::from_secs(60);
/// Most secrets remembered; past it, the memory starts over.
const MAX_REMEMBERED: usize = 10_000;
/// A token without an expiry is good, as a claim, for this long at a time
/// (its session decides whether it is still good).
const OPEN_ENDED: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A fresh token: `cfb_` and 64 hex digits.
pub fn new_secret() -> String {
    auth::new_secret(TOKEN_PREFIX)
}

/// Whether a bearer token is a personal access token (not a JWT).
pub fn is_personal(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX)
}

/// Secrets looked up lately, by hash.
#[derive(Default)]
pub struct AccessTokens {
    known: Mutex<HashMap<String, (AccessToken, Instant)>>,
}

impl AccessTokens {
    /// The claims a personal access token stands for, if the store knows it
    /// and it is not revoked or past its expiry. (Its session is checked by
    /// the caller, as for any token.)
    pub async fn claims(&self, store: &dyn Store, secret: &str) -> StoreResult<Option<Claims>> {
        if secret.len() != TOKEN_PREFIX.len() + 64 {
            return Ok(None);
        }
        let hash = secret_hash(secret);
        let remembered = self
            .known
            .lock()
            .unwrap()
            .get(&hash)
            .filter(|(_, at)| at.elapsed() < REMEMBER)
            .map(|(token, _)| token.clone());
        let token = match remembered {
            Some(token) => token,
            None => {
                let Some(token) = store.token_by_hash(&hash).await? else {
                    return Ok(None);
                };
                if let Err(e) = store.touch_token(token.id).await {
                    tracing::warn!(error = %e, "recording a token's use failed");
                }
                let mut known = self.known.lock().unwrap();
                if known.len() >= MAX_REMEMBERED {
                    known.clear();
                }
                known.insert(hash, (token.clone(), Instant::now()));
                token
            }
        };
        Ok(to_claims(&token))
    }
}

/// The token as claims, unless it has expired.
fn to_claims(token: &AccessToken) -> Option<Claims> {
    let now = unix_now();
    let exp = match token.expires_ms {
        Some(ms) => (ms / 1000).max(0) as u64,
        None => now + OPEN_ENDED.as_secs(),
    };
    if exp <= now {
        return None;
    }
    Some(Claims {
        sub: token.user.id,
        name: token.user.name.clone(),
        exp,
        iat: (token.created_ms / 1000).max(0) as u64,
        jti: token.id.simple().to_string(),
        sid: token.id,
        scope: Scope {
            token: Some(token.id),
            read_only: token.read_only,
            room: token.room.clone(),
        },
    })
}

/// A token id for a new token (also its session's).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::UserRef;

    fn token(expires_ms: Option<i64>) -> AccessToken {
        AccessToken {
            id: Uuid::from_u128(7),
            prefix: "cfb_1234".into(),
            user: UserRef {
                id: Uuid::from_u128(9),
                name: "ci".into(),
            },
            created_by: Uuid::from_u128(9),
            name: "ci".into(),
            read_only: true,
            room: Some("builds".into()),
            created_ms: 0,
            expires_ms,
            last_used_ms: None,
        }
    }

    #[test]
    fn secrets_are_long_random_and_recognizable() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(is_personal(&a));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert!(!is_personal("eyJhbGciOiJIUzI1NiJ9.e30.x"));
        assert_ne!(secret_hash(&a), a);
    }

    #[test]
    fn claims_carry_the_scope_and_the_session() {
        let claims = to_claims(&token(None)).unwrap();
        assert_eq!(claims.sid, Uuid::from_u128(7));
        assert_eq!(claims.sub, Uuid::from_u128(9));
        assert!(claims.scope.read_only);
        assert_eq!(claims.scope.room.as_deref(), Some("builds"));
        assert_eq!(claims.scope.token, Some(Uuid::from_u128(7)));
        assert!(claims.exp > unix_now() + 365 * 24 * 3600);
    }

    #[test]
    fn expired_tokens_claim_nothing() {
        let past = (unix_now() as i64 - 10) * 1000;
        assert!(to_claims(&token(Some(past))).is_none());
        let future = (unix_now() as i64 + 3600) * 1000;
        assert!(to_claims(&token(Some(future))).is_some());
    }
}
