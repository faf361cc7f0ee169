//! JSON over `fetch`, with the session cookie (same origin), refreshing the
//! session when the short-lived access token has lapsed.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::protocol::ErrorBody;

/// `text` as one path segment or query-string value (direct rooms' ids
/// hold `:`).
pub fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// Why a request failed, in words for the user.
#[derive(Clone, Debug)]
pub struct HttpError {
    pub message: String,
    /// No answer came at all: no network, or the server is down.
    pub unreachable: bool,
}

impl HttpError {
    /// The server answered, with an error.
    fn answered(message: String) -> HttpError {
        HttpError {
            message,
            unreachable: false,
        }
    }
}

/// Sends a request and decodes a JSON answer (or the contract's error body).
/// A 401 outside `/api/auth/` refreshes the session once and tries again.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, HttpError> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let (mut status, mut text) = raw(method, path, body.clone()).await?;
    if status == 401 && !path.starts_with("/api/auth/") && refresh().await {
        (status, text) = raw(method, path, body).await?;
    }
    answer(status, &text)
}

/// Sends a request whose answer has no body (`204`); 401 handled as in [`call`].
pub async fn send(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<(), HttpError> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let (mut status, mut text) = raw(method, path, body.clone()).await?;
    if status == 401 && refresh().await {
        (status, text) = raw(method, path, body).await?;
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    let message = serde_json::from_str::<ErrorBody>(&text)
        .map(|e| e.error.message)
        .unwrap_or_else(|_| format!("the server answered {status}"));
    Err(HttpError::answered(message))
}

thread_local! {
    /// The refresh in flight, if any: callers that arrive meanwhile share it
    /// instead of spending the refresh token twice.
    static REFRESHING: RefCell<Option<Shared<LocalBoxFuture<'static, bool>>>> =
        const { RefCell::new(None) };
}

/// Trades the refresh cookie for a new session (access) cookie; true if the
/// session goes on. One refresh at a time.
pub async fn refresh() -> bool {
    let pending = REFRESHING.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                async {
                    let answer = raw("POST", "/api/auth/refresh", None).await;
                    REFRESHING.with(|slot| slot.borrow_mut().take());
                    matches!(answer, Ok((200, _)))
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    pending.await
}

/// Sends a file as the body (its bytes, not JSON) and decodes the JSON
/// answer; 401 handled as in [`call`].
pub async fn send_file<T: DeserializeOwned>(
    method: &str,
    path: &str,
    file: &web_sys::File,
) -> Result<T, HttpError> {
    let body = Some((JsValue::from(file), "application/octet-stream"));
    let (mut status, mut text) = request(method, path, body.clone()).await?;
    if status == 401 && refresh().await {
        (status, text) = request(method, path, body).await?;
    }
    answer(status, &text)
}

/// A 2xx answer's JSON, or the contract's error body in words.
fn answer<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, HttpError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text)
            .map_err(|e| HttpError::answered(format!("unexpected answer from the server: {e}")));
    }
    let message = serde_json::from_str::<ErrorBody>(text)
        .map(|e| e.error.message)
        .unwrap_or_else(|_| format!("the server answered {status}"));
    Err(HttpError::answered(message))
}

/// Sends a request; answers the status and the body text.
pub async fn raw(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), HttpError> {
    let body = body.map(|text| (JsValue::from(text), "application/json"));
    request(method, path, body).await
}

/// Sends a request with a body of a type; answers the status and the body text.
async fn request(
    method: &str,
    path: &str,
    body: Option<(JsValue, &str)>,
) -> Result<(u16, String), HttpError> {
    let offline = |_| HttpError {
        message: "cannot reach the server".into(),
        unreachable: true,
    };
    let init = RequestInit::new();
    init.set_method(method);
    if let Some((body, _)) = &body {
        init.set_body(body);
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(offline)?;
    if let Some((_, content_type)) = body {
        request
            .headers()
            .set("Content-Type", content_type)
            .map_err(offline)?;
    }
    let window = web_sys::window().expect("a browser window");
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(offline)?
        .dyn_into()
        .map_err(offline)?;
    let text = JsFuture::from(response.text().map_err(offline)?)
        .await
        .map_err(offline)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}
