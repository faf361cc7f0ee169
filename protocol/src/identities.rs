//! The bodies of the calls that link an account to an OpenID provider's
//! identity, list the identities linked, and unlink one.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Body of `POST /api/auth/oidc/link`: the account's password, given again.
/// Linking makes a lasting way into the account, so a session alone (or a
/// token seen once) is not enough.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: String,
}

/// An identity at an OpenID provider that signs the account in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityInfo {
    /// The provider (its issuer URL).
    pub issuer: String,
    /// Who the account is there (the ID token's `sub`).
    pub subject: String,
    /// When it was linked.
    #[serde(with = "time::serde::rfc3339")]
    pub linked_ts: OffsetDateTime,
}

/// Answer to `GET /api/auth/identities`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityList {
    pub identities: Vec<IdentityInfo>,
}

/// Body of `DELETE /api/auth/identities`: which identity to unlink.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnlinkRequest {
    pub issuer: String,
    pub subject: String,
}
