//! JSON over `fetch`, with the session cookie (same origin).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::protocol::ErrorBody;

/// Why a request failed, in words for the user.
#[derive(Clone, Debug)]
pub struct HttpError {
    pub status: u16,
    pub message: String,
}

/// Sends a request and decodes a JSON answer (or the contract's error body).
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, HttpError> {
    let (status, text) = raw(
        method,
        path,
        body.map(|b| serde_json::to_string(b).unwrap_or_default()),
    )
    .await?;
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|e| HttpError {
            status,
            message: format!("unexpected answer from the server: {e}"),
        })
    } else {
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|e| e.error.message)
            .unwrap_or_else(|_| format!("the server answered {status}"));
        Err(HttpError { status, message })
    }
}

/// Sends a request; answers the status and the body text.
pub async fn raw(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), HttpError> {
    let offline = |_| HttpError {
        status: 0,
        message: "cannot reach the server".into(),
    };
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&body.into());
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(offline)?;
    if body.is_some() {
        request
            .headers()
            .set("Content-Type", "application/json")
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
