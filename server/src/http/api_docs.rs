//! The API described by the server itself:
//!
//! - `GET /api/openapi.json`: OpenAPI 3.1, built from the handlers' own
//!   annotations and the `protocol` types they take and answer; every
//!   documented route is registered with its description ([`super::api_routes`]),
//!   so the document and the router cannot drift.
//! - `GET /api/protocol.schema.json`: the socket's frames as one JSON Schema
//!   (2020-12), from the same types (`ClientEnvelope`, `ServerFrame`).
//! - `GET /api/docs`: Swagger UI over the document, from files vendored in
//!   `server/assets/` and embedded in the binary, under a CSP that allows this
//!   origin only.
//!
//! Every operation that can answer 401 takes credentials: the bearer token
//! (an access token from login, or a personal access token) or the session
//! cookie; [`Credentials`] says so in the document.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::{ClientEnvelope, ServerFrame};
use serde_json::{json, Value};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr, Schema};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::COOKIE;
use crate::state::AppState;

/// The page's own policy: scripts, styles and calls to this origin only.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The document's frame: title, description and tags. The paths come from
/// the routes; [`Credentials`] is applied once they are in.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab",
        description = "Confab's HTTP API. Errors are `{\"error\":{\"code\",\"message\"}}`. \
            The WebSocket frames are described by `/api/protocol.schema.json`; the \
            contract in words is docs/PROTOCOL.md.",
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "auth", description = "Accounts, sessions and sign-in"),
        (name = "tokens", description = "Personal access tokens and bot accounts"),
        (name = "rooms", description = "Rooms, members, direct messages and read state"),
        (name = "messages", description = "The room log: history, threads, posting"),
        (name = "webhooks", description = "Incoming webhooks"),
        (name = "search", description = "Finding messages"),
        (name = "files", description = "Uploads and downloads"),
        (name = "people", description = "Profiles, avatars and the directory"),
        (name = "attention", description = "Groups, notification levels, do-not-disturb, followed threads, saved messages"),
        (name = "beyond the tab", description = "Web Push subscriptions"),
        (name = "admin", description = "What admins do to accounts"),
        (name = "socket", description = "The WebSocket gateway"),
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "api", description = "This description"),
    )
)]
pub(super) struct ApiDoc;

/// Declares the two credentials and requires one of them on every
/// operation that can answer 401.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from login or refresh (a JWT), or a personal \
                         access token (`cfb_…`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                COOKIE,
                "The HttpOnly cookie a browser sign-in sets.",
            ))),
        );
        let either = vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session_cookie", Vec::<String>::new()),
        ];
        for operation in super::api_answers::operations(doc) {
            if operation.responses.responses.contains_key("401") && operation.security.is_none() {
                operation.security = Some(either.clone());
            }
        }
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(protocol_schema))
        .routes(routes!(docs_page))
        .routes(routes!(docs_asset))
}

/// The document, built and serialized once.
static OPENAPI: LazyLock<String> = LazyLock::new(|| {
    let (_, mut document) = super::api_routes(true).split_for_parts();
    Credentials.modify(&mut document);
    super::api_answers::add_framework_answers(&mut document);
    let mut json = serde_json::to_value(&document).expect("the OpenAPI document always serializes");
    super::api_answers::add_uuid_patterns(&mut json);
    json.to_string()
});

/// The OpenAPI 3.1 document of every HTTP endpoint.
#[utoipa::path(get, path = "/api/openapi.json", tag = "api",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object)))]
async fn openapi_json() -> Response {
    static_body("application/json", OPENAPI.as_bytes(), "no-cache")
}

static FRAMES: LazyLock<String> = LazyLock::new(|| frames_schema().to_string());

/// The WebSocket frames as one JSON Schema (draft 2020-12): `$defs` holds
/// `ClientEnvelope` (what a client sends) and `ServerFrame` (what it
/// receives) and every type they use.
#[utoipa::path(get, path = "/api/protocol.schema.json", tag = "api",
    responses((status = 200, description = "JSON Schema 2020-12", content_type = "application/schema+json", body = Object)))]
async fn protocol_schema() -> Response {
    static_body("application/schema+json", FRAMES.as_bytes(), "no-cache")
}

/// Builds the frames' schema from the protocol types.
fn frames_schema() -> Value {
    let mut schemas: Vec<(String, RefOr<Schema>)> = Vec::new();
    ClientEnvelope::schemas(&mut schemas);
    ServerFrame::schemas(&mut schemas);
    schemas.push((ClientEnvelope::name().into(), ClientEnvelope::schema()));
    schemas.push((ServerFrame::name().into(), ServerFrame::schema()));
    let defs: serde_json::Map<String, Value> = schemas
        .into_iter()
        .map(|(name, schema)| {
            let mut value = serde_json::to_value(schema).expect("schemas serialize");
            retarget_refs(&mut value);
            (name, value)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/protocol.schema.json",
        "title": "Confab WebSocket frames",
        "description": "Each text frame of /ws is one JSON object: a client sends a \
            ClientEnvelope, the server sends a ServerFrame. See docs/PROTOCOL.md.",
        "anyOf": [
            {"$ref": "#/$defs/ClientEnvelope"},
            {"$ref": "#/$defs/ServerFrame"}
        ],
        "$defs": defs,
    })
}

/// Points OpenAPI component references at the schema's own `$defs`, and
/// drops `discriminator` (OpenAPI's, not JSON Schema's: the `type` property's
/// `enum` already tells the variants apart).
fn retarget_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("discriminator");
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    *target = format!("#/$defs/{name}");
                }
            }
            map.values_mut().for_each(retarget_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(retarget_refs),
        _ => {}
    }
}

/// The interactive page (Swagger UI): try any call with the browser's
/// session or a bearer token.
#[utoipa::path(get, path = "/api/docs", tag = "api",
    responses((status = 200, description = "An HTML page", content_type = "text/html", body = String)))]
async fn docs_page() -> Response {
    let mut response = static_body(
        "text/html; charset=utf-8",
        include_bytes!("../../assets/docs.html"),
        "no-cache",
    );
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    );
    response
}

/// The page's scripts and styles (Swagger UI 5, vendored).
#[utoipa::path(get, path = "/api/docs/{file}", tag = "api",
    params(("file" = String, Path, description = "swagger-ui-bundle.js, swagger-ui.css, docs.js or docs.css")),
    responses(
        (status = 200, description = "The file", body = String),
        (status = 404, description = "No such file", body = protocol::ErrorBody),
    ))]
async fn docs_asset(Path(file): Path<String>) -> Response {
    let (mime, bytes): (&str, &'static [u8]) = match file.as_str() {
        "swagger-ui-bundle.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
        ),
        "swagger-ui.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
        ),
        "docs.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/docs.js"),
        ),
        "docs.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../assets/docs.css"),
        ),
        _ => return super::error::ApiError::not_found("no such file").into_response(),
    };
    static_body(mime, bytes, "public, max-age=3600")
}

fn static_body(mime: &'static str, bytes: &'static [u8], cache: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}
