//! Files on S3-compatible storage, shared by two instances: uploaded through
//! one, downloaded through the other, nothing on either's disk, and the object
//! deleted from the bucket once its message is. The storage is a real S3 HTTP
//! server on loopback (s3rver, from the end-to-end tests' npm packages).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use protocol::{Attachment, ServerFrame};

use crate::common::cluster::cluster_with;
use crate::common::free_port;
use crate::common::uploads::{delete_message, download, send_with, settled_count, upload};

/// An s3rver process with one bucket, `confab`; stopped when dropped.
struct S3Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl S3Server {
    fn start() -> S3Server {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/.bin/s3rver");
        assert!(
            bin.exists(),
            "s3rver is installed by `make test` (npm ci in end2end/)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(bin)
            .args(["--silent", "-a", "127.0.0.1", "-p", &port.to_string(), "-d"])
            .arg(dir.path())
            .args(["--configure-bucket", "confab"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting s3rver");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        S3Server { child, port, dir }
    }

    /// The objects the bucket holds (s3rver keeps each as a file).
    fn objects(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.to_string_lossy().ends_with("._S3rver_object") {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("confab"), &mut out);
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_instances_share_files_through_s3() {
    let s3 = S3Server::start();
    // The servers read the usual AWS variables (they inherit this process's).
    std::env::set_var("AWS_ENDPOINT", format!("http://127.0.0.1:{}", s3.port));
    std::env::set_var("AWS_ALLOW_HTTP", "true");
    std::env::set_var("AWS_ACCESS_KEY_ID", "S3RVER");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "S3RVER");
    std::env::set_var("AWS_REGION", "us-east-1");
    let c = cluster_with(&[
        "--file-store",
        "s3://confab/uploads",
        "--file-sweep-secs",
        "1",
    ])
    .await;
    let alice = c.a.register("alice").await;
    let bob = c.b.register("bob").await;
    let mut b = c.b.connect(&bob.token).await;
    b.join("general", None).await;
    let mut a = c.a.connect(&alice.token).await;
    a.join("general", None).await;

    let bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 31 % 256) as u8).collect();
    let (status, body) = upload(
        &c.a,
        &alice.token,
        "general",
        "data.bin",
        "application/octet-stream",
        bytes.clone(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let file: Attachment = serde_json::from_value(body).unwrap();
    assert_eq!(s3.objects().len(), 1, "the bytes went to the bucket");
    for server in [&c.a, &c.b] {
        let local = server.data.path().join("files");
        assert!(
            std::fs::read_dir(&local).map_or(true, |mut d| d.next().is_none()),
            "nothing on disk"
        );
    }

    let ack = send_with(&mut a, "general", "the data", vec![file.id]).await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
    let ServerFrame::Message(message) = b
        .next_matching(|f| matches!(f, ServerFrame::Message(m) if m.body == "the data"))
        .await
    else {
        unreachable!()
    };
    assert_eq!(message.attachments, vec![file.clone()]);
    let got = download(&c.b, &bob.token, &file.url).await;
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.bytes().await.unwrap().to_vec(),
        bytes,
        "the same bytes, through the other instance"
    );

    delete_message(&mut a, "general", message.id).await;
    let left = settled_count(|| s3.objects().len()).await;
    assert_eq!(left, 0, "the object left the bucket with its message");
}
