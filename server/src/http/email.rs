//! E-mail for what was missed, over HTTP: `GET`/`PUT /api/users/me/email`,
//! and the page an unsubscribe link opens (`/api/email/unsubscribe?token=…`:
//! `GET` asks, `POST` stops the mails, as does a mail client's one-click
//! `POST`, RFC 8058; HTML, for a person who clicked a link in a mail). The
//! rules are `domain::email`'s.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::Json;
use protocol::{EmailSettings, ErrorBody};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{email, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings, set_settings))
        .routes(routes!(ask, stop))
}

/// Where the caller's missed direct messages and mentions are mailed, after
/// how long, and whether they are.
#[utoipa::path(get, path = "/api/users/me/email", tag = "beyond the tab",
    responses(
        (status = 200, description = "The caller's settings", body = EmailSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "This server sends no e-mail", body = ErrorBody),
    ))]
async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(email::settings(&state, &caller).await?))
}

/// Sets them.
#[utoipa::path(put, path = "/api/users/me/email", tag = "beyond the tab",
    request_body = EmailSettings,
    responses(
        (status = 200, description = "Set", body = EmailSettings),
        (status = 400, description = "No e-mail address, or a delay out of range", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 404, description = "This server sends no e-mail", body = ErrorBody),
        (status = 413, description = "An address over 254 characters", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<EmailSettings>,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(
        email::set_settings(&state, &caller, body(payload)?).await?,
    ))
}

/// An unsubscribe link's query: its sealed token.
#[derive(Deserialize, utoipa::IntoParams)]
struct Link {
    /// What the mail's link carries.
    #[serde(default)]
    token: String,
}

fn page(title: &str, text: &str, form: Option<&str>) -> Html<String> {
    let form = form
        .map(|token| {
            format!(
                "<form method=\"post\" action=\"/api/email/unsubscribe?token={token}\">\
                 <button type=\"submit\">Stop these mails</button></form>"
            )
        })
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Confab</title></head><body><main><h1>{title}</h1><p>{text}</p>{form}\
         <p><a href=\"/\">Open Confab</a></p></main></body></html>"
    ))
}

/// An unsubscribe link, opened: a page that asks (a link fetched by a mail
/// scanner stops nothing). No sign-in needed.
#[utoipa::path(get, path = "/api/email/unsubscribe", tag = "beyond the tab",
    params(Link),
    responses((status = 200, description = "A page with the button that stops the mails", content_type = "text/html", body = String)))]
async fn ask(Query(link): Query<Link>) -> Html<String> {
    let token: String = url::form_urlencoded::byte_serialize(link.token.as_bytes()).collect();
    page(
        "Stop e-mail from Confab?",
        "You will get no more mails about messages you missed. You can turn them on again in Confab.",
        Some(&token),
    )
}

/// Stops the mails of the user the link names (the page's button, or a
/// mail client's one-click unsubscribe). No sign-in needed.
#[utoipa::path(post, path = "/api/email/unsubscribe", tag = "beyond the tab",
    params(Link),
    responses(
        (status = 200, description = "Stopped: a page that says so", content_type = "text/html", body = String),
        (status = 400, description = "A link that is not valid or too old: a page that says so", content_type = "text/html", body = String),
    ))]
async fn stop(
    State(state): State<AppState>,
    Query(link): Query<Link>,
) -> (StatusCode, Html<String>) {
    match email::unsubscribe(&state, &link.token).await {
        Ok(()) => (
            StatusCode::OK,
            page(
                "No more mails",
                "Confab will not mail you again until you turn mails on in Confab.",
                None,
            ),
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            page(
                "That did not work",
                "This link is not valid, or too old.",
                None,
            ),
        ),
    }
}
