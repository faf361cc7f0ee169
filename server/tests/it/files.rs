//! Files against a real server and its data directory: upload, send with the
//! message, download by another member (same bytes); who may download; the
//! size limit, the quota, HTML kept inert, broken and oversized images
//! refused; a crash mid-upload and a deleted message leave nothing behind.

use std::time::Duration;

use protocol::{Attachment, ServerFrame};
use uuid::Uuid;

use crate::common::postgres::TestDatabase;
use crate::common::uploads::{
    claimed_png, delete_message, download, files_under, png, send_with, settled_count, upload,
};
use crate::common::{add_member, create_room, error_code, TestServer};

#[tokio::test]
async fn a_file_travels_with_its_message_to_the_members_who_may_read_it() {
    file_travels_with_its_message(TestServer::start(&["--file-sweep-secs", "1"])).await;
}

#[tokio::test]
async fn a_file_travels_with_its_message_on_postgres() {
    let db = TestDatabase::create().await;
    let server = TestServer::start(&["--file-sweep-secs", "1", "--database-url", &db.url]);
    file_travels_with_its_message(server).await;
}

async fn file_travels_with_its_message(server: TestServer) {
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let carol = server.register("carol").await;
    create_room(&server, &alice.token, "ops", "private").await;
    add_member(&server, &alice.token, "ops", "bob").await;

    let report: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let (status, body) = upload(
        &server,
        &alice.token,
        "ops",
        "q3 report.pdf",
        "application/pdf",
        report.clone(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let file: Attachment = serde_json::from_value(body).unwrap();
    assert_eq!(
        (file.name.as_str(), file.size, file.mime.as_str()),
        ("q3 report.pdf", 300_000, "application/pdf")
    );
    assert_eq!(file.url, format!("/api/files/{}", file.id));
    let (status, body) = upload(
        &server,
        &alice.token,
        "ops",
        "chart.png",
        "image/png",
        png(800, 400),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let chart: Attachment = serde_json::from_value(body).unwrap();
    assert_eq!(
        (chart.width, chart.height, chart.mime.as_str()),
        (Some(800), Some(400), "image/png")
    );
    let thumbnail = chart.thumbnail.clone().expect("an image has a thumbnail");

    let mut a = server.connect(&alice.token).await;
    a.join("ops", None).await;
    let mut b = server.connect(&bob.token).await;
    b.join("ops", None).await;
    let ack = send_with(&mut a, "ops", "", vec![file.id, chart.id]).await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
    let seen = b
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.room == "ops"))
        .await;
    let ServerFrame::Message(message) = seen else {
        unreachable!()
    };
    assert_eq!(message.attachments, vec![file.clone(), chart.clone()]);
    let again = send_with(&mut a, "ops", "once more", vec![file.id]).await;
    assert!(
        matches!(&again, ServerFrame::Error { message, .. } if message.contains("not sent with another message")),
        "a file goes with one message: {again:?}"
    );

    // bob downloads the same bytes; carol (not a member) may not.
    let got = download(&server, &bob.token, &file.url).await;
    assert_eq!(got.status(), 200);
    let headers = got.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(got.bytes().await.unwrap().to_vec(), report);
    let thumb = download(&server, &bob.token, &thumbnail).await;
    assert_eq!(
        (
            thumb.status().as_u16(),
            thumb.headers()["content-type"].to_str().unwrap()
        ),
        (200, "image/jpeg")
    );
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (360, 180));
    assert_eq!(
        download(&server, &carol.token, &file.url).await.status(),
        403
    );
    assert_eq!(
        download(&server, &carol.token, &thumbnail).await.status(),
        403
    );
    assert_eq!(
        download(
            &server,
            &bob.token,
            &format!("/api/files/{}", Uuid::new_v4())
        )
        .await
        .status(),
        404
    );
    let history = server.history(&bob.token, "ops").await;
    let listed = history
        .messages
        .iter()
        .any(|e| matches!(e, protocol::Entry::Message(m) if m.attachments.len() == 2));
    assert!(listed, "history shows the attachments");

    // Deleting the message deletes its files, bytes included.
    let stored = files_under(&server.data.path().join("files"));
    assert_eq!(
        stored.len(),
        3,
        "the report, the chart and its thumbnail: {stored:?}"
    );
    delete_message(&mut a, "ops", message.id).await;
    assert_eq!(download(&server, &bob.token, &file.url).await.status(), 404);
    let left = settled_count(|| files_under(&server.data.path().join("files")).len()).await;
    assert_eq!(left, 0, "the sweeper deleted the objects no file names");
}

#[tokio::test]
async fn uploads_over_a_limit_or_broken_are_refused_and_leave_nothing() {
    let server = TestServer::start(&[
        "--max-file-bytes",
        "200000",
        "--user-quota-bytes",
        "250000",
        "--max-image-pixels",
        "1000000",
    ]);
    let alice = server.register("alice").await;
    let bob = server.register("bob").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;

    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "big.bin",
        "application/octet-stream",
        vec![7; 200_001],
    )
    .await;
    assert_eq!((status, error_code(&body)), (413, "too_large"), "{body}");
    // The same without a Content-Length: counted as it arrives.
    let chunks = futures_util::stream::iter(
        (0..30).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![1u8; 10_000]))),
    );
    let response = reqwest::Client::new()
        .post(server.http("/api/rooms/general/files?name=stream.bin"))
        .bearer_auth(&alice.token)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(files_under(&server.data.path().join("files")).is_empty());
    assert!(files_under(&server.data.path().join("uploads")).is_empty());

    // HTML is stored, and served as a download that cannot run.
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "page.html",
        "text/html",
        b"<script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let page: Attachment = serde_json::from_value(body).unwrap();
    assert!(page.thumbnail.is_none());
    let got = download(&server, &bob.token, &page.url).await;
    assert_eq!(
        got.status(),
        200,
        "a public room's file is anyone's to read"
    );
    let headers = got.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));

    // A truncated image, an image that is not one, and a pixel bomb.
    let whole = png(300, 300);
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "cut.png",
        "image/png",
        whole[..whole.len() / 2].to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("truncated or damaged"),
        "{body}"
    );
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "fake.png",
        "image/png",
        b"not an image at all".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "bomb.png",
        "image/png",
        claimed_png(100_000, 100_000),
    )
    .await;
    assert_eq!((status, error_code(&body)), (413, "too_large"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("100000×100000"),
        "{body}"
    );

    // Bob is no member of general until he joins: uploads are members' only.
    let (status, _) = upload(
        &server,
        &bob.token,
        "general",
        "x.txt",
        "text/plain",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(status, 403);

    // The quota: 250,000 bytes in all (the page holds 25 of them).
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "a.bin",
        "application/octet-stream",
        vec![1; 150_000],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = upload(
        &server,
        &alice.token,
        "general",
        "b.bin",
        "application/octet-stream",
        vec![2; 150_000],
    )
    .await;
    assert_eq!((status, error_code(&body)), (413, "too_large"), "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("quota"),
        "{body}"
    );
    assert!(files_under(&server.data.path().join("uploads")).is_empty());
}

#[tokio::test]
async fn a_crash_mid_upload_leaves_no_partial_file() {
    let mut server = TestServer::start(&[]);
    let alice = server.register("alice").await;
    let mut a = server.connect(&alice.token).await;
    a.join("general", None).await;
    drop(a);
    // Half a file arrives, then the sender goes quiet.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
    tx.send(Ok(bytes::Bytes::from(vec![9u8; 1_000_000])))
        .await
        .unwrap();
    let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
    let url = server.http("/api/rooms/general/files?name=half.bin");
    let token = alice.token.clone();
    let pending = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .header("Content-Length", "5000000")
            .body(body)
            .send()
            .await
    });
    let uploads = server.data.path().join("uploads");
    let mut arrived = false;
    for _ in 0..100 {
        if files_under(&uploads)
            .iter()
            .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() >= 1_000_000))
        {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        arrived,
        "the first half reached the server's temporary file"
    );
    server.kill();
    assert!(
        !files_under(&uploads).is_empty(),
        "the process died holding it"
    );
    let _ = pending.await;
    drop(tx);
    server.restart();
    assert!(
        files_under(&uploads).is_empty(),
        "cleared at the next start"
    );
    assert!(
        files_under(&server.data.path().join("files")).is_empty(),
        "nothing was ever served"
    );
    let (status, _) = upload(
        &server,
        &alice.token,
        "general",
        "whole.txt",
        "text/plain",
        b"whole".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "uploads work after the restart");
}

/// A stream of what `rx` receives.
fn tokio_stream_from<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
