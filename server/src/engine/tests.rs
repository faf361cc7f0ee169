//! The engine against a real SQLite store: ordering, gap filling, replay.

use super::*;
use crate::broker::MemoryBroker;
use crate::store::{NewEntry, NewMessage, SqlStore};
use protocol::Seq;
use uuid::Uuid;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    node: Arc<Node>,
    alice: UserRef,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.unwrap());
    store.ensure_public_room("general").await.unwrap();
    let alice = store.create_user("alice", "x").await.unwrap();
    let node = Node::new(store.clone(), Arc::new(MemoryBroker::new()));
    Fixture {
        _dir: dir,
        store,
        node,
        alice,
    }
}

fn new_message(author: &UserRef, body: &str) -> NewEntry {
    NewEntry::Message(NewMessage {
        room: "general".into(),
        author: author.clone(),
        client_msg_id: Uuid::new_v4(),
        body: body.into(),
        thread: None,
        mentions: Vec::new(),
        everyone: false,
        attachments: Vec::new(),
        cards: Vec::new(),
        imported: None,
    })
}

/// Every frame queued so far, parsed.
fn drain(rx: &mut outbox::Queue) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    while let Ok(f) = rx.try_recv() {
        frames.push(ServerFrame::parse(f.as_str()).unwrap());
    }
    frames
}

fn message_seqs(frames: &[ServerFrame]) -> Vec<Seq> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Message(m) => Some(m.seq),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_message_that_skips_seqs_is_preceded_by_the_missing_ones() {
    let f = fixture().await;
    let (outbox, mut rx) = Outbox::new(64);
    f.node
        .join(1, &f.alice, &outbox, "general", None, None, false)
        .await
        .unwrap()
        .unwrap();
    drain(&mut rx);
    // Stored behind the node's back, as another instance would.
    let mut last = None;
    for i in 0..3 {
        last = Some(
            f.store
                .append(new_message(&f.alice, &format!("m{i}")))
                .await
                .unwrap(),
        );
    }
    // It waits a moment for 1 and 2 to come by the broker, then reads them.
    let mut progress = f
        .node
        .deliver_all("general", vec![last.unwrap().entry().unwrap().clone()])
        .await
        .expect("held for its predecessors");
    progress.wait_for(|seq| *seq >= 3).await.unwrap();
    assert_eq!(message_seqs(&drain(&mut rx)), vec![1, 2, 3]);
    // Delivering an old one again changes nothing.
    let old = f.store.entries_after("general", 0, 1).await.unwrap();
    f.node.deliver_all("general", old).await;
    assert!(drain(&mut rx).is_empty());
}

#[tokio::test]
async fn join_with_since_replays_exactly_what_was_missed() {
    let f = fixture().await;
    for i in 0..5 {
        f.node
            .apply(new_message(&f.alice, &format!("m{i}")))
            .await
            .unwrap();
    }
    let epoch = f.store.room("general").await.unwrap().unwrap().epoch;
    let (outbox, mut rx) = Outbox::new(64);
    let joined = f
        .node
        .join(
            7,
            &f.alice,
            &outbox,
            "general",
            Some(Since {
                epoch: epoch.clone(),
                seq: 2,
            }),
            Some("j".into()),
            false,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        joined,
        Joined {
            recovered: true,
            replayed: 3
        }
    );
    let frames = drain(&mut rx);
    assert_eq!(
        frames[0],
        ServerFrame::Joined {
            room: "general".into(),
            epoch: epoch.clone(),
            seq: 5,
            recovered: true,
            reference: Some("j".into())
        }
    );
    assert_eq!(message_seqs(&frames), vec![3, 4, 5]);
    // Live messages continue right after the replay.
    f.node.apply(new_message(&f.alice, "live")).await.unwrap();
    assert_eq!(message_seqs(&drain(&mut rx)), vec![6]);
}

#[tokio::test]
async fn join_with_a_foreign_epoch_is_not_recovered() {
    let f = fixture().await;
    f.node.apply(new_message(&f.alice, "m")).await.unwrap();
    let (outbox, mut rx) = Outbox::new(64);
    let since = Since {
        epoch: "other".into(),
        seq: 0,
    };
    let joined = f
        .node
        .join(1, &f.alice, &outbox, "general", Some(since), None, false)
        .await
        .unwrap()
        .unwrap();
    assert!(!joined.recovered);
    assert!(message_seqs(&drain(&mut rx)).is_empty());
}

#[tokio::test]
async fn resending_a_client_msg_id_stores_once() {
    let f = fixture().await;
    let m = new_message(&f.alice, "once");
    let first = f.node.apply(m.clone()).await.unwrap();
    let again = f.node.apply(m).await.unwrap();
    assert!(first.is_fresh() && !again.is_fresh());
    assert_eq!(first.seq(), again.seq());
    assert_eq!(
        f.store.entries_after("general", 0, 10).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn the_last_leave_drops_the_room_and_a_new_join_starts_fresh() {
    let f = fixture().await;
    let (outbox, _rx) = Outbox::new(64);
    f.node
        .join(1, &f.alice, &outbox, "general", None, None, false)
        .await
        .unwrap()
        .unwrap();
    assert!(f.node.is_subscribed(1, "general").await);
    assert!(f.node.leave(1, "general").await);
    assert!(!f.node.leave(1, "general").await);
    f.node
        .apply(new_message(&f.alice, "while away"))
        .await
        .unwrap();
    let (outbox, mut rx) = Outbox::new(64);
    f.node
        .join(2, &f.alice, &outbox, "general", None, None, false)
        .await
        .unwrap();
    match &drain(&mut rx)[0] {
        ServerFrame::Joined { seq, .. } => assert_eq!(*seq, 1),
        other => panic!("expected joined, got {other:?}"),
    }
}

#[tokio::test]
async fn a_replay_larger_than_half_the_queue_is_not_attempted() {
    let f = fixture().await;
    for i in 0..10 {
        f.node
            .apply(new_message(&f.alice, &format!("m{i}")))
            .await
            .unwrap();
    }
    let epoch = f.store.room("general").await.unwrap().unwrap().epoch;
    let (outbox, mut rx) = Outbox::new(16);
    let since = Some(Since { epoch, seq: 1 });
    let joined = f
        .node
        .join(1, &f.alice, &outbox, "general", since, None, false)
        .await
        .unwrap()
        .unwrap();
    assert!(!joined.recovered, "9 missed > 16 / 2: reload instead");
    assert!(message_seqs(&drain(&mut rx)).is_empty());
}

#[tokio::test]
async fn a_join_past_what_this_instance_delivered_catches_up_first() {
    let f = fixture().await;
    f.node.apply(new_message(&f.alice, "m1")).await.unwrap();
    let epoch = f.store.room("general").await.unwrap().unwrap().epoch;
    let (first, mut first_rx) = Outbox::new(64);
    f.node
        .join(1, &f.alice, &first, "general", None, None, false)
        .await
        .unwrap()
        .unwrap();
    drain(&mut first_rx);
    // Another instance stores 2 and 3, and dies before its publish arrives;
    // a client that saw 3 there rejoins here.
    let other = vec![new_message(&f.alice, "m2"), new_message(&f.alice, "m3")];
    f.store.append_batch("general", other).await.unwrap();
    let (second, mut second_rx) = Outbox::new(64);
    let since = Since { epoch, seq: 3 };
    let joined = f
        .node
        .join(2, &f.alice, &second, "general", Some(since), None, false)
        .await
        .unwrap()
        .unwrap();
    assert!(joined.recovered, "recovered from the store, not a reload");
    assert!(message_seqs(&drain(&mut second_rx)).is_empty(), "it had 3");
    assert_eq!(
        message_seqs(&drain(&mut first_rx)),
        vec![2, 3],
        "the others here get what was missing, in order"
    );
}
