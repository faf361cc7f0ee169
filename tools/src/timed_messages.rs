//! Messages timed to every connection of a connect run: one publisher sends
//! `timed:<ns since the run's origin>` bodies, each reader notes how long each
//! took to reach it.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::client;
use crate::scan::{scan, Seen};

const PREFIX: &str = "timed:";

/// How long the message in `text` took to arrive, if it is a timed one.
pub fn took_ms(text: &str, origin: Instant) -> Option<f64> {
    let Seen::Message { body, .. } = scan(text) else {
        return None;
    };
    let sent_ns: u64 = body.strip_prefix(PREFIX)?.parse().ok()?;
    let now_ns = origin.elapsed().as_nanos() as u64;
    Some(now_ns.saturating_sub(sent_ns) as f64 / 1e6)
}

/// Sends `n` timed messages into `room`, five a second, as the user of
/// `token` (a connection of its own).
pub async fn publish(base: &str, token: &str, room: &str, n: usize, origin: Instant) -> Result<()> {
    let (mut socket, _) = client::open(base, token, room).await?;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    for _ in 0..n {
        tick.tick().await;
        let body = format!("{PREFIX}{}", origin.elapsed().as_nanos());
        let send = format!(
            r#"{{"type":"send","room":"{room}","client_msg_id":"{}","body":"{body}"}}"#,
            uuid::Uuid::new_v4()
        );
        socket.send(Message::Text(send.into())).await?;
    }
    // Its acks and echoes are not waited for: the readers time the messages.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = socket.close(None).await;
    Ok(())
}

/// Median, 99th percentile and largest of samples (sorted here).
pub fn spread(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let q = |q| crate::connect::quantile(&samples, q);
    (q(0.5), q(0.99), samples.last().copied().unwrap_or(0.0))
}
