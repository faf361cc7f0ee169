//! Files as the tests handle them: uploads and downloads over HTTP, sends
//! that carry files, images made (or forged) for the image checks, and what
//! a store holds on disk.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use protocol::{ClientFrame, ServerFrame};
use uuid::Uuid;

use super::{Client, TestServer};

pub async fn upload(
    server: &TestServer,
    token: &str,
    room: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(server.http(&format!("/api/rooms/{room}/files?name={name}")))
        .bearer_auth(token)
        .header("Content-Type", mime)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

pub async fn download(server: &TestServer, token: &str, url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.http(url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 13 % 256) as u8,
            ((x ^ y) % 256) as u8,
        ])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// A PNG whose header claims `width`×`height` (with a valid checksum) over
/// the pixels of a tiny one: a decompression bomb's shape.
pub fn claimed_png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(2, 2);
    // Signature (8), length (4), "IHDR" (4), then width and height.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

pub async fn send_with(
    client: &mut Client,
    room: &str,
    body: &str,
    files: Vec<Uuid>,
) -> ServerFrame {
    client
        .send_frame(
            ClientFrame::Send {
                room: room.into(),
                client_msg_id: Uuid::new_v4(),
                body: body.into(),
                thread: None,
                attachments: files,
            },
            Some("send"),
        )
        .await;
    client
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. }))
        .await
}

/// Deletes message `id` of `room` and waits for its `done`.
pub async fn delete_message(client: &mut Client, room: &str, id: Uuid) {
    client
        .send_frame(
            ClientFrame::Delete {
                room: room.into(),
                id,
            },
            Some("del"),
        )
        .await;
    client
        .next_matching(|f| matches!(f, ServerFrame::Done { .. }))
        .await;
}

/// Polls `count` (bounded, 5 s) until it reaches 0; answers its last value.
pub async fn settled_count(count: impl Fn() -> usize) -> usize {
    let mut left = count();
    for _ in 0..50 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = count();
    }
    left
}
