//! Users and rooms for a run, over the HTTP API.

use anyhow::{bail, Context, Result};
use futures_util::{stream, StreamExt, TryStreamExt};
use protocol::{AuthResponse, CreateRoom, Credentials, RoomKind};

use crate::args::Target;

/// The name of user `i` of this run.
pub fn user_name(target: &Target, i: usize) -> String {
    format!("{}{i}", target.prefix)
}

/// The name of room `i` of this run.
pub fn room_name(target: &Target, i: usize) -> String {
    format!("{}-{i}", target.prefix.to_lowercase())
}

/// Bearer tokens for `n` users (registered the first time, signed in after),
/// each through the base URL its first connection will use.
pub async fn tokens(http: &reqwest::Client, target: &Target, n: usize) -> Result<Vec<String>> {
    stream::iter(0..n)
        .map(|i| {
            let base = &target.url[i * target.clients_per_user % target.url.len()];
            sign_in(http, target, base, user_name(target, i))
        })
        .buffered(8)
        .try_collect()
        .await
}

async fn sign_in(
    http: &reqwest::Client,
    target: &Target,
    base: &str,
    username: String,
) -> Result<String> {
    let credentials = Credentials {
        username: username.clone(),
        password: target.password.clone(),
        invite: None,
    };
    for path in ["/api/auth/register", "/api/auth/login"] {
        let response = http
            .post(format!("{base}{path}"))
            .json(&credentials)
            .send()
            .await
            .with_context(|| format!("reaching {base}"))?;
        if response.status().is_success() {
            let auth: AuthResponse = response.json().await?;
            return Ok(auth.token);
        }
        if response.status() != reqwest::StatusCode::CONFLICT {
            bail!(
                "{path} for {username}: {} {}",
                response.status(),
                response.text().await.unwrap_or_default()
            );
        }
    }
    bail!("could not sign in as {username}")
}

/// Makes sure the public rooms exist (created by the first user).
pub async fn rooms(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    names: &[String],
) -> Result<()> {
    for name in names {
        let response = http
            .post(format!("{base}/api/rooms"))
            .bearer_auth(token)
            .json(&CreateRoom {
                name: name.clone(),
                kind: RoomKind::Public,
            })
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() && status != reqwest::StatusCode::CONFLICT {
            bail!("creating room {name}: {status} {}", response.text().await?);
        }
    }
    Ok(())
}
