//! What admins do, under `/api/admin`: users (deactivate, reactivate,
//! promote, demote, see their bots and tokens), invite links, the sign-up
//! policy and the audit log (read and exported as JSON lines; no route
//! changes or deletes an entry). The rules are `domain::admin`'s and
//! `domain::audit`'s.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use protocol::{
    AdminUserView, AuditPage, CreateInvite, ErrorBody, InviteInfo, InviteList, SignupSettings,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::audit::{self, Filter};
use crate::domain::{admin, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invite, list_invites))
        .routes(routes!(revoke_invite))
        .routes(routes!(signup, set_signup))
        .routes(routes!(user_view))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(promote_user))
        .routes(routes!(demote_user))
        .routes(routes!(audit_page))
        .routes(routes!(audit_export))
}

/// A new invite link (admins): `{"expires_in_hours","max_uses"}`, both
/// optional (7 days, one sign-up); no body at all is the defaults.
#[utoipa::path(post, path = "/api/admin/invites", tag = "admin", request_body(content = Option<CreateInvite>),
    responses(
        (status = 201, description = "The invite; `code` is what registering takes", body = InviteInfo),
        (status = 400, description = "Bad body, or out of range", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn create_invite(
    State(state): State<AppState>,
    caller: Caller,
    raw: Bytes,
) -> Result<(StatusCode, Json<InviteInfo>), ApiError> {
    let request: CreateInvite = if raw.iter().all(u8::is_ascii_whitespace) {
        CreateInvite::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| ApiError::invalid(format!("bad body: {e}")))?
    };
    let invite = admin::create_invite(&state, &caller, &request).await?;
    Ok((StatusCode::CREATED, Json(invite)))
}

/// The invite links, newest first (used up, expired and revoked included).
#[utoipa::path(get, path = "/api/admin/invites", tag = "admin",
    responses(
        (status = 200, description = "The invites", body = InviteList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn list_invites(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<InviteList>, ApiError> {
    let invites = admin::invites(&state, &caller).await?;
    Ok(Json(InviteList { invites }))
}

/// Revokes an invite link: it admits nobody from now on.
#[utoipa::path(delete, path = "/api/admin/invites/{code}", tag = "admin",
    params(("code" = String, Path, description = "The invite's code")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such invite, or revoked already", body = ErrorBody),
    ))]
async fn revoke_invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::revoke_invite(&state, &caller, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sign-up policy now.
#[utoipa::path(get, path = "/api/admin/signup", tag = "admin",
    responses(
        (status = 200, description = "The policy", body = SignupSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn signup(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SignupSettings>, ApiError> {
    let policy = admin::signup_settings(&state, &caller).await?;
    Ok(Json(SignupSettings { policy }))
}

/// Sets the sign-up policy, for every instance at once.
#[utoipa::path(put, path = "/api/admin/signup", tag = "admin", request_body = SignupSettings,
    responses(
        (status = 200, description = "The policy now", body = SignupSettings),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind, or a value not allowed (a role, a policy)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn set_signup(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<SignupSettings>,
) -> Result<Json<SignupSettings>, ApiError> {
    let request = body(payload)?;
    let policy = admin::set_signup_policy(&state, &caller, request.policy).await?;
    Ok(Json(SignupSettings { policy }))
}

/// A user as admins see them: profile, admin or not, bots and tokens.
#[utoipa::path(get, path = "/api/admin/users/{user}", tag = "admin",
    params(("user" = String, Path, description = "A name or id")),
    responses(
        (status = 200, description = "The user", body = AdminUserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn user_view(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<AdminUserView>, ApiError> {
    Ok(Json(admin::user_view(&state, &caller, &user).await?))
}

/// Deactivates an account: at once and on every instance its sessions and
/// sockets end (4001), its bots' tokens and its webhooks stop.
#[utoipa::path(post, path = "/api/admin/users/{user}/disable", tag = "admin",
    params(("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 400, description = "An admin deactivating themself", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_disabled(&state, &caller, &user, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled account (not the tokens it lost).
#[utoipa::path(post, path = "/api/admin/users/{user}/enable", tag = "admin",
    params(("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "Enabled"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_disabled(&state, &caller, &user, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a user an admin of the instance.
#[utoipa::path(post, path = "/api/admin/users/{user}/promote", tag = "admin",
    params(("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "An admin now"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn promote_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_admin(&state, &caller, &user, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes an admin a user like the others (not oneself).
#[utoipa::path(post, path = "/api/admin/users/{user}/demote", tag = "admin",
    params(("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "No longer an admin"),
        (status = 400, description = "An admin demoting themself", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn demote_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_admin(&state, &caller, &user, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which audit entries: the newest `limit` (1-200, default 50) with an id
/// below `before`, by `actor`, whose action starts with `action`, between
/// the UTC dates `from` and `to` (both included).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    before: Option<i64>,
    /// A user's name or id.
    actor: Option<String>,
    /// An action (`user.deactivate`) or the start of one (`user.`).
    action: Option<String>,
    /// `YYYY-MM-DD`, UTC.
    from: Option<String>,
    /// `YYYY-MM-DD`, UTC.
    to: Option<String>,
}

impl From<AuditQuery> for Filter {
    fn from(q: AuditQuery) -> Filter {
        Filter {
            limit: q.limit,
            before: q.before,
            actor: q.actor,
            action: q.action,
            from: q.from,
            to: q.to,
        }
    }
}

fn audit_filter(query: Result<Query<AuditQuery>, QueryRejection>) -> Result<Filter, ApiError> {
    query
        .map(|Query(q)| q.into())
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery),
    responses(
        (status = 200, description = "A page of the log", body = AuditPage),
        (status = 400, description = "A bad filter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such actor", body = ErrorBody),
    ))]
async fn audit_page(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let filter = audit_filter(query)?;
    let entries = audit::page(&state, &caller, &filter).await?;
    Ok(Json(AuditPage { entries }))
}

/// Every entry the filters match (`limit` and `before` aside), newest
/// first, as JSON lines (one entry a line), at most 100,000 (admins). The
/// export is itself recorded.
#[utoipa::path(get, path = "/api/admin/audit/export", tag = "admin", params(AuditQuery),
    responses(
        (status = 200, description = "One JSON entry a line", content_type = "application/x-ndjson", body = String),
        (status = 400, description = "A bad filter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such actor", body = ErrorBody),
    ))]
async fn audit_export(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = audit_filter(query)?;
    let entries = audit::export(&state, &caller, &filter).await?;
    let mut lines = String::new();
    for entry in &entries {
        if let Ok(line) = serde_json::to_string(entry) {
            lines.push_str(&line);
            lines.push('\n');
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"confab-audit.jsonl\"",
            ),
        ],
        lines,
    ))
}
