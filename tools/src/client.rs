//! One load client: an authenticated socket joined to its room.

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::scan::{scan, string_after, Seen};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The socket address of a base URL: http → ws, https → wss.
pub fn ws_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    match base.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}/ws"),
        None => format!("ws://{}/ws", base.trim_start_matches("http://")),
    }
}

/// Opens a socket with a bearer token.
pub async fn connect(base: &str, token: &str) -> Result<Socket> {
    let mut request = ws_url(base).into_client_request()?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse()?);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .with_context(|| format!("connecting to {base}"))?;
    Ok(socket)
}

/// Opens a socket with a bearer token and joins `room`; answers the socket and
/// the room's latest `seq` at the join.
pub async fn open(base: &str, token: &str, room: &str) -> Result<(Socket, u64)> {
    let (socket, seq, _) = open_joined(base, token, room).await?;
    Ok((socket, seq))
}

/// As [`open`], with the room's epoch too (to rejoin with `since`).
pub async fn open_joined(base: &str, token: &str, room: &str) -> Result<(Socket, u64, String)> {
    open_saying(base, token, room, None).await
}

/// As [`open_joined`], sending `first` (a frame) before the join.
pub async fn open_saying(
    base: &str,
    token: &str,
    room: &str,
    first: Option<&str>,
) -> Result<(Socket, u64, String)> {
    let mut socket = connect(base, token).await?;
    if let Some(first) = first {
        socket.send(Message::Text(first.into())).await?;
    }
    let join = format!(r#"{{"type":"join","room":"{room}"}}"#);
    socket.send(Message::Text(join.into())).await?;
    while let Some(frame) = socket.next().await {
        if let Message::Text(text) = frame? {
            match scan(&text) {
                Seen::Joined { seq } => {
                    let epoch = string_after(&text, r#""epoch":""#).unwrap_or_default();
                    return Ok((socket, seq, epoch.to_string()));
                }
                Seen::Error(error) => bail!("join {room}: {error}"),
                _ => {}
            }
        }
    }
    bail!("the server closed the socket before joining {room}")
}
