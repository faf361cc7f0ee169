//! v3 administration: the audit log, the sign-up policy, invite links and
//! what an admin sees of a user (`docs/PROTOCOL.md`, *Administration*).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Profile, TokenInfo, UserRef};

/// Most audit entries one page lists; the default is 50.
pub const MAX_AUDIT_LIMIT: u32 = 200;
/// Audit entries a page lists when it names no `limit`.
pub const DEFAULT_AUDIT_LIMIT: u32 = 50;
/// Longest an invite link lasts, in hours (90 days).
pub const MAX_INVITE_HOURS: u32 = 90 * 24;
/// Most sign-ups one invite link admits.
pub const MAX_INVITE_USES: u32 = 1000;

/// One thing that happened, as the audit log keeps it: who (`actor`; absent
/// for someone unknown, like a failed sign-in), what (`action`, a dotted
/// name such as `user.deactivate`), to what (`target`: a user's name, a
/// room's id, a token's id) and the rest (`detail`, a JSON object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    #[serde(default)]
    pub actor: Option<UserRef>,
    pub action: String,
    pub target: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

/// Answer to `GET /api/admin/audit`: newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
}

/// Who may create an account with a password. Signing in through the
/// OpenID provider creates accounts under every policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignupPolicy {
    /// Anyone.
    #[default]
    Open,
    /// Whoever has an invite link (or code).
    Invite,
    /// Nobody with a password: accounts come from single sign-on.
    Sso,
}

impl SignupPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupPolicy::Open => "open",
            SignupPolicy::Invite => "invite",
            SignupPolicy::Sso => "sso",
        }
    }

    pub fn parse(text: &str) -> Option<SignupPolicy> {
        match text {
            "open" => Some(SignupPolicy::Open),
            "invite" => Some(SignupPolicy::Invite),
            "sso" => Some(SignupPolicy::Sso),
            _ => None,
        }
    }
}

/// Body and answer of `GET`/`PUT /api/admin/signup`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupSettings {
    pub policy: SignupPolicy,
}

/// Body of `POST /api/admin/invites`: how long the link lasts and how many
/// sign-ups it admits (both optional: 7 days, one use).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvite {
    /// 1 to 2160 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_hours: Option<u32>,
    /// 1 to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
}

/// An invite link as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteInfo {
    /// The code (what `POST /api/auth/register` takes as `invite`).
    pub code: String,
    /// The page that signs up with it: `/?invite=CODE`.
    pub url: String,
    pub created_by: UserRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub expires_ts: Option<OffsetDateTime>,
    pub max_uses: u32,
    pub uses: u32,
    #[serde(default)]
    pub revoked: bool,
}

/// Answer to `GET /api/admin/invites`: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteList {
    pub invites: Vec<InviteInfo>,
}

/// Answer to `GET /api/admin/users/{user}`: the person, whether they are an
/// admin, and the bots and tokens they own (their bots' included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserView {
    pub user: Profile,
    pub admin: bool,
    pub bots: Vec<UserRef>,
    pub tokens: Vec<TokenInfo>,
    /// An account with no password yet (an imported person's): an admin
    /// makes a claim link for it (`POST /api/admin/users/{user}/claim`).
    #[serde(default)]
    pub claimable: bool,
}
