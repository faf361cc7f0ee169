//! Accounts and sessions: argon2 password hashes, short-lived signed access
//! tokens (JWT, HS256) that travel as a bearer token or in the HttpOnly session
//! cookie, and refresh tokens that rotate.
//!
//! A sign-in starts a *session* (stored). Each access token names it (`sid`), so
//! ending the session (logout, a reused refresh token, an admin disabling the
//! account) refuses all of its tokens at once. A refresh token is a random string
//! stored only as its SHA-256; it is traded for a new access token and a new
//! refresh token (rotation), and is good once.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use protocol::UserRef;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{Config, Environment};

/// The session cookie's name: it carries the access token.
pub const COOKIE: &str = "confab_session";
/// The refresh cookie's name. It is sent to `/api/auth/*` only.
pub const REFRESH_COOKIE: &str = "confab_refresh";
/// The cookie that holds a sign-in at the OpenID provider until it returns.
pub const FLOW_COOKIE: &str = "confab_oidc";

/// What a token says.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub name: String,
    pub exp: u64,
    pub iat: u64,
    /// The token's own id.
    #[serde(default)]
    pub jti: String,
    /// The session the token belongs to: revoking it refuses the token.
    pub sid: Uuid,
    /// What the credential allows: everything for a sign-in's token (never
    /// in a JWT); a personal access token's scope.
    #[serde(skip)]
    pub scope: Scope,
}

/// What a credential allows beyond naming its user. A sign-in allows all the
/// user may do; a personal access token (`crate::access_tokens`) may be
/// read-only or one room's. `domain::access` applies it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The personal access token the request came with, if any.
    pub token: Option<Uuid>,
    /// Changes nothing others see.
    pub read_only: bool,
    /// Only this room.
    pub room: Option<protocol::RoomId>,
}

impl Claims {
    pub fn user(&self) -> UserRef {
        UserRef {
            id: self.sub,
            name: self.name.clone(),
        }
    }
}

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// The same rules without the expiry check (logout with a stale token).
    validation_any_age: Validation,
    access_ttl: Duration,
    session_ttl: Duration,
    secure_cookie: bool,
    /// Signs what a browser holds during a sign-in at an OpenID provider,
    /// with a key of its own (never mistaken for an access token).
    flow_encoding: EncodingKey,
    flow_decoding: DecodingKey,
    flow_validation: Validation,
}

impl Auth {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let secret = match (&config.jwt_secret, config.environment) {
            (Some(s), _) if s.len() >= 32 => s.clone(),
            (Some(_), _) => anyhow::bail!("CONFAB_JWT_SECRET must be at least 32 characters"),
            (None, Environment::Prod) => {
                anyhow::bail!("CONFAB_JWT_SECRET is required with --env prod")
            }
            (None, Environment::Dev) => dev_secret(&config.data_dir)?,
        };
        // Secure cookies in prod, and whenever this server speaks TLS itself.
        let secure = config.environment == Environment::Prod || config.tls_cert.is_some();
        Ok(Self::new(
            secret.as_bytes(),
            config.access_ttl(),
            config.session_ttl(),
            secure,
        ))
    }

    pub fn new(
        secret: &[u8],
        access_ttl: Duration,
        session_ttl: Duration,
        secure_cookie: bool,
    ) -> Self {
        // Pin the algorithm: a token signed any other way (or `alg: none`) fails.
        let mut validation = Validation::new(Algorithm::HS256);
        // Instances of one deployment keep their clocks in step (NTP): allow
        // a little skew between the one that issued a token and the one checking.
        validation.leeway = 2;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let mut validation_any_age = validation.clone();
        validation_any_age.validate_exp = false;
        let flow_secret = [secret, b"/oidc-flow".as_slice()].concat();
        let mut flow_validation = Validation::new(Algorithm::HS256);
        flow_validation.leeway = 2;
        flow_validation.set_required_spec_claims(&["exp"]);
        Auth {
            flow_encoding: EncodingKey::from_secret(&flow_secret),
            flow_decoding: DecodingKey::from_secret(&flow_secret),
            flow_validation,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            validation_any_age,
            access_ttl,
            session_ttl,
            secure_cookie,
        }
    }

    /// How long an access token lives.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// When a session started now ends, in ms since the Unix epoch.
    pub fn session_expiry_ms(&self) -> i64 {
        (unix_now() + self.session_ttl.as_secs()).saturating_mul(1000) as i64
    }

    /// Signs an access token for `user` in `session`, valid for the access TTL.
    pub fn issue(&self, user: &UserRef, session: Uuid) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: user.id,
            name: user.name.clone(),
            iat: now,
            exp: now + self.access_ttl.as_secs(),
            jti: Uuid::new_v4().simple().to_string(),
            sid: session,
            scope: Scope::default(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Checks a token's signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }

    /// Checks a token's signature and algorithm, however old it is: enough to
    /// know which session a logout ends.
    pub fn verify_any_age(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation_any_age)
            .ok()
            .map(|data| data.claims)
    }

    /// Signs `value` (which has an `exp`) for the browser to hold.
    pub fn seal<T: Serialize>(&self, value: &T) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), value, &self.flow_encoding)
            .expect("HS256 signing cannot fail")
    }

    /// What [`Auth::seal`] signed, if untouched and not expired.
    pub fn unseal<T: serde::de::DeserializeOwned>(&self, sealed: &str) -> Option<T> {
        jsonwebtoken::decode::<T>(sealed, &self.flow_decoding, &self.flow_validation)
            .ok()
            .map(|data| data.claims)
    }

    /// The Set-Cookie value that holds a sign-in at the OpenID provider
    /// (`seal`ed) until its callback, for `age` seconds (0: cleared). Lax, so
    /// it comes back with the provider's redirect.
    pub fn flow_cookie(&self, sealed: &str, age: u64) -> String {
        self.cookie(FLOW_COOKIE, sealed, "/api/auth/oidc", SameSite::Lax, age)
    }

    /// A named cookie's value in a request.
    pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
        cookie(headers, name)
    }

    /// The token a request carries: `Authorization: Bearer …`, else the cookie.
    pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let value = value.to_str().ok()?;
            return value.strip_prefix("Bearer ").map(|t| t.trim().to_string());
        }
        cookie(headers, COOKIE)
    }

    /// The refresh token in the request's refresh cookie, if any.
    pub fn refresh_from_headers(headers: &HeaderMap) -> Option<String> {
        cookie(headers, REFRESH_COOKIE)
    }

    /// Whether the request authenticated with the cookie (not a bearer token).
    pub fn uses_cookie(headers: &HeaderMap) -> bool {
        headers.get(header::AUTHORIZATION).is_none()
    }

    /// The Set-Cookie value that carries an access token; the browser drops it
    /// when the token expires.
    pub fn session_cookie(&self, token: &str) -> String {
        self.cookie(COOKIE, token, "/", SameSite::Lax, self.access_ttl.as_secs())
    }

    /// The Set-Cookie value that carries a refresh token, until `expires_ms`.
    pub fn refresh_cookie(&self, token: &str, expires_ms: i64) -> String {
        let left = (expires_ms / 1000).saturating_sub(unix_now() as i64).max(0);
        self.cookie(
            REFRESH_COOKIE,
            token,
            "/api/auth",
            SameSite::Strict,
            left as u64,
        )
    }

    /// The Set-Cookie values that end a browser session.
    pub fn clear_cookies(&self) -> [String; 2] {
        [
            self.cookie(COOKIE, "", "/", SameSite::Lax, 0),
            self.cookie(REFRESH_COOKIE, "", "/api/auth", SameSite::Strict, 0),
        ]
    }

    fn cookie(&self, name: &str, value: &str, path: &str, same_site: SameSite, age: u64) -> String {
        Cookie::build((name, value))
            .path(path)
            .http_only(true)
            .same_site(same_site)
            .max_age(time::Duration::seconds(age.min(i64::MAX as u64) as i64))
            .secure(self.secure_cookie)
            .build()
            .to_string()
    }
}

/// A fresh secret — a refresh token, a personal access token, a webhook's
/// URL: `prefix` and 256 random bits, hex.
pub fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// A fresh refresh token (a secret without a prefix).
pub fn new_refresh_token() -> String {
    new_secret("")
}

/// What the store keeps of a secret: its SHA-256, hex.
pub fn secret_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// A cookie's value in a request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| cookie.value().to_string())
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The dev secret: generated on first start, then read from the data directory.
fn dev_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        if secret.trim().len() >= 32 {
            return Ok(secret.trim().to_string());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = new_secret("");
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a dev JWT secret");
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests;
