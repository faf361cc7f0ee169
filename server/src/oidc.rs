//! Signing in through the company's OpenID provider: the authorization code
//! flow with PKCE, by the `openidconnect` crate.
//!
//! [`Oidc::begin`] makes the provider's authorization URL and what the
//! callback must check (`state`, `nonce`, the PKCE verifier); the transport
//! keeps those in a short-lived signed cookie, so any instance can finish
//! the flow. [`Oidc::finish`] trades the code for tokens at the provider
//! (with the verifier and the client secret) and verifies the ID token
//! (signature by the provider's published keys, issuer, audience, expiry,
//! nonce). Who that subject is in Confab is `domain::oidc`'s.
//!
//! The provider's metadata and keys are discovered on first use and again
//! after [`REDISCOVER`], or at once when an ID token names a key not seen
//! (the provider rotated its keys). The HTTP client follows no redirects and
//! gives up after [`PROVIDER_TIMEOUT`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

/// How long the provider's metadata and keys are used before asking again.
const REDISCOVER: Duration = Duration::from_secs(600);
/// How long a call to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The provider, as `--oidc-*` flags name it.
#[derive(Clone, Debug, clap::Args)]
pub struct OidcArgs {
    /// The OpenID provider's issuer URL (its discovery document is at
    /// ISSUER/.well-known/openid-configuration). Enables "Sign in with …".
    #[arg(long = "oidc-issuer", env = "CONFAB_OIDC_ISSUER")]
    pub issuer: Option<String>,

    /// This server's client id at the provider.
    #[arg(long = "oidc-client-id", env = "CONFAB_OIDC_CLIENT_ID")]
    pub client_id: Option<String>,

    /// This server's client secret at the provider.
    #[arg(
        long = "oidc-client-secret",
        env = "CONFAB_OIDC_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,

    /// The callback URL registered at the provider: this server's public
    /// address and /api/auth/oidc/callback.
    #[arg(long = "oidc-redirect-url", env = "CONFAB_OIDC_REDIRECT_URL")]
    pub redirect_url: Option<String>,

    /// The provider's name on the sign-in page ("Sign in with NAME").
    #[arg(
        long = "oidc-name",
        env = "CONFAB_OIDC_NAME",
        default_value = "single sign-on"
    )]
    pub name: String,

    /// Create an account for a person the provider vouches for who has none
    /// yet (named after their preferred username). Without it, an account
    /// must be linked first (signed in with a password, from Settings).
    #[arg(long = "oidc-auto-provision", env = "CONFAB_OIDC_AUTO_PROVISION")]
    pub auto_provision: bool,
}

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// A name to offer a new account: `preferred_username`, else the part of
    /// `email` before `@`, else `name`.
    pub suggested_name: Option<String>,
    /// The person's e-mail, when the provider says it verified it: an
    /// imported account with this address is theirs to claim.
    pub verified_email: Option<String>,
}

/// What the callback must check, kept by the browser (signed) meanwhile.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// Link the identity to this signed-in user instead of signing in.
    pub link: Option<uuid::Uuid>,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Why a sign-in through the provider failed (said to the user in words).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the sign-in provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the sign-in provider's answer was refused: {0}")]
    Refused(String),
}

pub struct Oidc {
    pub name: String,
    pub auto_provision: bool,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: Mutex<Option<(CoreProviderMetadata, Instant)>>,
}

impl Oidc {
    /// The provider the flags name, if any; a half-configured one is an error.
    pub fn from_args(args: &OidcArgs) -> anyhow::Result<Option<Oidc>> {
        let Some(issuer) = &args.issuer else {
            return Ok(None);
        };
        let (Some(client_id), Some(redirect)) = (&args.client_id, &args.redirect_url) else {
            anyhow::bail!("--oidc-issuer needs --oidc-client-id and --oidc-redirect-url");
        };
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        Ok(Some(Oidc {
            name: args.name.clone(),
            auto_provision: args.auto_provision,
            issuer: IssuerUrl::new(issuer.clone())?,
            client_id: ClientId::new(client_id.clone()),
            client_secret: args.client_secret.clone().map(ClientSecret::new),
            redirect: RedirectUrl::new(redirect.clone())?,
            http,
            metadata: Mutex::new(None),
        }))
    }

    /// The provider's metadata (discovered, or remembered).
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        if !fresh {
            if let Some((metadata, at)) = self.metadata.lock().unwrap().as_ref() {
                if at.elapsed() < REDISCOVER {
                    return Ok(metadata.clone());
                }
            }
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        *self.metadata.lock().unwrap() = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Where to send the browser, and what its return must match. The
    /// pending flow is good for `ttl`.
    pub async fn begin(
        &self,
        link: Option<uuid::Uuid>,
        ttl: Duration,
    ) -> Result<(String, Pending), OidcError> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            link,
            exp: crate::auth::unix_now() + ttl.as_secs(),
        };
        Ok((url.to_string(), pending))
    }

    /// Trades the provider's `code` for its ID token and verifies it.
    pub async fn finish(&self, code: String, pending: &Pending) -> Result<Identity, OidcError> {
        let client = self.client(self.metadata(false).await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Refused(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Refused(error_chain(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Refused("no ID token in the answer".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verifier = client.id_token_verifier();
        let claims = match id_token.claims(&verifier, &nonce) {
            Ok(claims) => claims.clone(),
            Err(first) => {
                // Maybe the provider rotated its keys: read them again once.
                let client = self.client(self.metadata(true).await?);
                let verifier = client.id_token_verifier();
                let claims = id_token
                    .claims(&verifier, &nonce)
                    .map_err(|_| OidcError::Refused(error_chain(&first)))?;
                claims.clone()
            }
        };
        let suggested_name = claims
            .preferred_username()
            .map(|n| n.as_str().to_string())
            .or_else(|| {
                claims
                    .email()
                    .and_then(|e| e.as_str().split('@').next().map(str::to_string))
            })
            .or_else(|| {
                claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_string())
            });
        let verified_email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_string());
        Ok(Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            suggested_name,
            verified_email,
        })
    }
}

/// An error and its causes, in one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
