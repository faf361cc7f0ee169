//! "Sign in with …" over HTTP: `GET /api/auth/providers` tells the sign-in
//! page what to offer; `GET /api/auth/oidc/start` sends the browser to the
//! provider; `POST /api/auth/oidc/link` answers where to send a signed-in
//! user linking their account (a POST with the password given again, so the
//! Origin check applies; the page then goes there); `GET /api/auth/oidc/callback` is where the provider
//! sends it back. What the callback must check (`state`, `nonce`, the PKCE verifier)
//! rides in a signed, HttpOnly cookie scoped to `/api/auth/oidc` for ten
//! minutes, so any instance can finish the flow. Success sets the same
//! session and refresh cookies as a password sign-in and goes to the chat.
//! A failure answers a short page that says why, with a way back.
//! `GET`/`DELETE /api/auth/identities` list and unlink the account's
//! identities.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use protocol::{
    AuthProviders, ErrorBody, IdentityList, LinkRequest, OidcLink, OidcProvider, UnlinkRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::{session_cookies, with_cookies};
use super::api::{body, JsonBody};
use super::error::ApiError;
use super::session::ClientAddress;
use crate::auth::{Auth, FLOW_COOKIE};
use crate::domain::oidc::{complete, may_link, Signed};
use crate::domain::Caller;
use crate::oidc::{Oidc, Pending};
use crate::state::AppState;

/// How long a sign-in at the provider may take.
const FLOW_TTL: Duration = Duration::from_secs(600);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(providers))
        .routes(routes!(start))
        .routes(routes!(link))
        .routes(routes!(callback))
        .routes(routes!(identities, unlink))
}

/// The identities at OpenID providers that sign the caller's account in.
#[utoipa::path(get, path = "/api/auth/identities", tag = "auth",
    responses(
        (status = 200, description = "The linked identities, oldest first", body = IdentityList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a personal access token", body = ErrorBody),
    ))]
async fn identities(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<IdentityList>, ApiError> {
    Ok(Json(IdentityList {
        identities: crate::domain::oidc::identities(&state, &caller).await?,
    }))
}

/// Unlinks an identity: it signs nobody in from then on.
#[utoipa::path(delete, path = "/api/auth/identities", tag = "auth", request_body = UnlinkRequest,
    responses(
        (status = 204, description = "Unlinked"),
        (status = 400, description = "The account's only way in (it has no password), or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Origin not allowed, or asked with a personal access token", body = ErrorBody),
        (status = 404, description = "No such identity is linked to the account", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "The body's fields are not those of an UnlinkRequest", body = ErrorBody),
    ))]
async fn unlink(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<UnlinkRequest>,
) -> Result<StatusCode, ApiError> {
    crate::domain::oidc::unlink(&state, &caller, &body(payload)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The ways to sign in besides a password.
#[utoipa::path(get, path = "/api/auth/providers", tag = "auth",
    responses((status = 200, description = "What the sign-in page offers", body = AuthProviders)))]
async fn providers(State(state): State<AppState>) -> Result<Json<AuthProviders>, ApiError> {
    Ok(Json(AuthProviders {
        signup: crate::domain::admin::signup_policy(&state).await?,
        oidc: state.oidc.as_ref().map(|oidc| OidcProvider {
            name: oidc.name.clone(),
            start: "/api/auth/oidc/start".into(),
            link: "/api/auth/oidc/link".into(),
        }),
    }))
}

fn provider(state: &AppState) -> Result<&Oidc, ApiError> {
    state
        .oidc
        .as_deref()
        .ok_or_else(|| ApiError::not_found("no OpenID provider is configured"))
}

/// Sends the browser to the provider to sign in.
#[utoipa::path(get, path = "/api/auth/oidc/start", tag = "auth",
    responses(
        (status = 303, description = "To the provider's authorization page; the flow cookie is set"),
        (status = 404, description = "No provider is configured", body = ErrorBody),
        (status = 503, description = "The provider cannot be reached", body = ErrorBody),
    ))]
async fn start(State(state): State<AppState>) -> Result<Response, ApiError> {
    redirect_to_provider(&state, None).await
}

/// Where a signed-in browser goes to link its account to the identity it
/// signs in as at the provider: with the session cookie (never a bearer
/// token) and the account's password given again.
#[utoipa::path(post, path = "/api/auth/oidc/link", tag = "auth", request_body = LinkRequest,
    responses(
        (status = 200, description = "The provider's authorization page; the flow cookie is set", body = OidcLink),
        (status = 400, description = "The body is not a JSON object with a password", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password, origin not allowed, or asked with a bearer token", body = ErrorBody),
        (status = 404, description = "No provider is configured", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "The body's fields are not those of a LinkRequest", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords lately", body = ErrorBody),
        (status = 503, description = "The provider cannot be reached", body = ErrorBody),
    ))]
async fn link(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    payload: JsonBody<LinkRequest>,
) -> Result<Response, ApiError> {
    provider(&state)?;
    let request = body(payload)?;
    let by_cookie = Auth::uses_cookie(&headers);
    may_link(&state, &caller, by_cookie, request.password, &address).await?;
    let (url, cookie) = begin(&state, Some(caller.user.id)).await?;
    Ok(with_cookies(
        StatusCode::OK,
        [cookie],
        Json(OidcLink { url }),
    ))
}

async fn redirect_to_provider(
    state: &AppState,
    link: Option<uuid::Uuid>,
) -> Result<Response, ApiError> {
    let (url, cookie) = begin(state, link).await?;
    let location = url
        .parse()
        .map_err(|_| ApiError::unavailable("bad provider URL"))?;
    Ok(see_other(location, [cookie]))
}

/// A `303` to `location` that sets `cookies`.
fn see_other(location: HeaderValue, cookies: impl IntoIterator<Item = String>) -> Response {
    let mut response = with_cookies(StatusCode::SEE_OTHER, cookies, ());
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// The provider's authorization URL, and the cookie that holds the flow.
async fn begin(state: &AppState, link: Option<uuid::Uuid>) -> Result<(String, String), ApiError> {
    let (url, pending) = provider(state)?
        .begin(link, FLOW_TTL)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let cookie = state
        .auth
        .flow_cookie(&state.auth.seal(&pending), FLOW_TTL.as_secs());
    Ok((url, cookie))
}

/// What the provider sends back.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (the user cancelled, say). Its
    /// `error_description` is not read: the page says a fixed sentence per code.
    error: Option<String>,
}

/// Where the provider sends the browser back: signs in (or links) and goes
/// to the chat.
#[utoipa::path(get, path = "/api/auth/oidc/callback", tag = "auth", params(Callback),
    responses(
        (status = 303, description = "Signed in (the session cookies are set) or linked: to the chat"),
        (status = 400, description = "A page saying why the sign-in failed", content_type = "text/html", body = String),
        (status = 403, description = "A page: no account is linked, or it is disabled", content_type = "text/html", body = String),
        (status = 404, description = "A page: no OpenID provider is configured", content_type = "text/html", body = String),
    ))]
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(back): Query<Callback>,
) -> Response {
    let clear = state.auth.flow_cookie("", 0);
    let chat = HeaderValue::from_static("/");
    match finish(&state, &headers, back).await {
        Ok(Signed::In(grant)) => {
            let (_, [session, refresh]) = session_cookies(&state, &grant);
            see_other(chat, [session, refresh, clear])
        }
        Ok(Signed::Linked(_)) => see_other(chat, [clear]),
        Err(e) => {
            let page = failure_page(&e.message);
            with_cookies(
                e.status,
                [clear],
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page),
            )
        }
    }
}

async fn finish(state: &AppState, headers: &HeaderMap, back: Callback) -> Result<Signed, ApiError> {
    let oidc = provider(state)?;
    if let Some(error) = back.error {
        return Err(ApiError::invalid(provider_refusal(&error)));
    }
    let pending: Pending = Auth::cookie_value(headers, FLOW_COOKIE)
        .and_then(|sealed| state.auth.unseal(&sealed))
        .ok_or_else(|| {
            ApiError::invalid("this sign-in expired or was started elsewhere; start again")
        })?;
    let (Some(code), Some(returned)) = (back.code, back.state) else {
        return Err(ApiError::invalid("the provider's answer has no code"));
    };
    if returned != pending.state {
        return Err(ApiError::invalid(
            "this sign-in does not match the one started; start again",
        ));
    }
    let identity = oidc
        .finish(code, &pending)
        .await
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(complete(state, identity, pending.link).await?)
}

/// What the failure page says of the provider's refusal: a fixed sentence
/// per error code of OpenID Connect and OAuth 2.0, never the provider's
/// `error_description` (whoever crafts the link back chooses that text).
fn provider_refusal(code: &str) -> &'static str {
    match code {
        "access_denied" => "The sign-in was cancelled or refused at the provider.",
        "login_required" | "interaction_required" | "account_selection_required" => {
            "The provider needs you to sign in there first; try again."
        }
        "consent_required" => "The provider did not get your consent to sign you in here.",
        "temporarily_unavailable" | "server_error" => {
            "The provider could not sign you in just now; try again later."
        }
        "invalid_request"
        | "invalid_scope"
        | "unauthorized_client"
        | "unsupported_response_type"
        | "request_not_supported"
        | "request_uri_not_supported"
        | "registration_not_supported"
        | "invalid_request_uri"
        | "invalid_request_object" => {
            "The provider refused this sign-in request; ask an admin to check the sign-in settings."
        }
        _ => "The provider did not sign you in.",
    }
}

/// A page that says why a sign-in failed (no script, no style: the default
/// CSP holds).
fn failure_page(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed · Confab</title></head>\
         <body><main><h1>Sign-in failed</h1><p role=\"alert\">{escaped}</p>\
         <p><a href=\"/\">Back to Confab</a></p></main></body></html>"
    )
}
