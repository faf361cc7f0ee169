//! Both stores, real databases: SQLite in a temp dir, PostgreSQL in a database made
//! for the test (see `common::postgres`).

use std::collections::HashSet;
use std::sync::Arc;

use crate::common::postgres::TestDatabase;
use protocol::{Entry, Message, RoomInfo, RoomKind, UserRef};
use server::store::{open, NewEntry, NewInvite, NewMessage, Outcome, PageAt, Store, StoreError};
use uuid::Uuid;

pub(crate) async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    (dir, open(&url).await.unwrap())
}

pub(crate) fn message(room: &str, author: &UserRef, body: &str) -> NewMessage {
    NewMessage {
        room: room.into(),
        author: author.clone(),
        client_msg_id: Uuid::new_v4(),
        body: body.into(),
        thread: None,
        mentions: Vec::new(),
        everyone: false,
        attachments: Vec::new(),
        cards: Vec::new(),
        imported: None,
    }
}

/// A stored message, as a send's outcome names it.
pub(crate) struct Sent {
    pub message: Message,
    pub fresh: bool,
}

fn sent(outcome: Outcome) -> Sent {
    match outcome {
        Outcome::Stored {
            entry: Entry::Message(message),
            fresh,
        } => Sent { message, fresh },
        other => panic!("not a stored message: {other:?}"),
    }
}

pub(crate) async fn append(store: &dyn Store, m: NewMessage) -> Sent {
    sent(store.append(m.into()).await.unwrap())
}

async fn append_batch(store: &dyn Store, room: &str, batch: Vec<NewMessage>) -> Vec<Sent> {
    let batch: Vec<NewEntry> = batch.into_iter().map(Into::into).collect();
    let outcomes = store.append_batch(room, batch).await.unwrap();
    outcomes.into_iter().map(sent).collect()
}

/// Sessions: refresh tokens rotate once each, a late reuse or a replayed copy
/// revokes the session, and revoking or disabling ends it.
async fn sessions_and_refresh_tokens(store: &dyn Store, bob: &UserRef) {
    use server::store::Rotation;
    let far = i64::MAX / 2;
    let (s1, s2) = (Uuid::new_v4(), Uuid::new_v4());
    store.create_session(s1, bob.id, far, "r1").await.unwrap();
    store
        .create_session(s2, bob.id, far, "other")
        .await
        .unwrap();
    assert!(store.session_valid(bob.id, s1).await.unwrap());
    assert!(
        !store.session_valid(Uuid::new_v4(), s1).await.unwrap(),
        "not someone else's"
    );
    assert_eq!(store.refresh_owner("r1").await.unwrap(), Some((bob.id, s1)));
    let rotated = store.rotate_refresh("r1", "r2", 0).await.unwrap();
    assert!(
        matches!(&rotated, Rotation::Rotated { user, session, .. } if user == bob && *session == s1),
        "{rotated:?}"
    );
    // Within the grace period a used token still rotates (two tabs at once),
    // and its new successor replaces the first: the session keeps one line.
    assert!(matches!(
        store.rotate_refresh("r1", "r2b", 60_000).await.unwrap(),
        Rotation::Rotated { .. }
    ));
    assert!(matches!(
        store.rotate_refresh("r2b", "r3", 0).await.unwrap(),
        Rotation::Rotated { .. }
    ));
    assert!(store.session_valid(bob.id, s1).await.unwrap());
    // Once that line moved on, a copy inside the grace period is a replay:
    // the whole session ends, r3 with it.
    assert!(matches!(
        store.rotate_refresh("r1", "r2c", 60_000).await.unwrap(),
        Rotation::Reused { user, session } if user == bob.id && session == s1
    ));
    assert!(!store.session_valid(bob.id, s1).await.unwrap(), "revoked");
    assert!(matches!(
        store.rotate_refresh("r3", "r5", 0).await.unwrap(),
        Rotation::Invalid
    ));
    // A superseded successor coming back ends its session too: of the two
    // holders of its parent, one was not the owner.
    let s4 = Uuid::new_v4();
    store.create_session(s4, bob.id, far, "q1").await.unwrap();
    for (used, next) in [("q1", "q2"), ("q1", "q2b")] {
        assert!(matches!(
            store.rotate_refresh(used, next, 60_000).await.unwrap(),
            Rotation::Rotated { .. }
        ));
    }
    assert!(matches!(
        store.rotate_refresh("q2", "q3", 60_000).await.unwrap(),
        Rotation::Reused { session, .. } if session == s4
    ));
    assert!(!store.session_valid(bob.id, s4).await.unwrap(), "revoked");
    assert!(matches!(
        store.rotate_refresh("q2b", "q3b", 60_000).await.unwrap(),
        Rotation::Invalid
    ));
    // After the grace period, any reuse revokes the whole family.
    let s5 = Uuid::new_v4();
    store.create_session(s5, bob.id, far, "p1").await.unwrap();
    assert!(matches!(
        store.rotate_refresh("p1", "p2", 0).await.unwrap(),
        Rotation::Rotated { .. }
    ));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(matches!(
        store.rotate_refresh("p1", "p4", 0).await.unwrap(),
        Rotation::Reused { user, session } if user == bob.id && session == s5
    ));
    assert!(!store.session_valid(bob.id, s5).await.unwrap(), "revoked");
    assert!(matches!(
        store.rotate_refresh("p2", "p3", 0).await.unwrap(),
        Rotation::Invalid
    ));
    assert!(matches!(
        store.rotate_refresh("never-issued", "r6", 0).await.unwrap(),
        Rotation::Invalid
    ));
    assert!(
        store.session_valid(bob.id, s2).await.unwrap(),
        "other sessions live on"
    );
    // Disabling ends every session, for good.
    assert!(store.set_disabled(bob.id, true).await.unwrap());
    assert!(store.user_by_name("bob").await.unwrap().unwrap().disabled);
    assert!(!store.session_valid(bob.id, s2).await.unwrap(), "disabled");
    assert!(matches!(
        store.rotate_refresh("other", "o2", 0).await.unwrap(),
        Rotation::Invalid
    ));
    assert!(store.set_disabled(bob.id, false).await.unwrap());
    assert!(
        !store.session_valid(bob.id, s2).await.unwrap(),
        "enabling again revives no session"
    );
    // Logout revokes; expired sessions are refused and cleared out.
    let s2 = Uuid::new_v4();
    store
        .create_session(s2, bob.id, far, "fresh")
        .await
        .unwrap();
    assert!(store.session_valid(bob.id, s2).await.unwrap());
    store.revoke_session(s2).await.unwrap();
    assert!(!store.session_valid(bob.id, s2).await.unwrap());
    let s3 = Uuid::new_v4();
    store.create_session(s3, bob.id, 1, "old").await.unwrap();
    assert!(!store.session_valid(bob.id, s3).await.unwrap(), "expired");
    assert!(matches!(
        store.rotate_refresh("old", "old2", 0).await.unwrap(),
        Rotation::Invalid
    ));
    store
        .create_session(Uuid::new_v4(), bob.id, far, "new")
        .await
        .unwrap();
    assert_eq!(
        store.refresh_owner("old").await.unwrap(),
        None,
        "cleared out"
    );
}

/// Everything a store must do, the same for each backend.
async fn behaves_like_a_store(store: Arc<dyn Store>) {
    // Users: unique names regardless of case.
    let alice = store.create_user("Alice", "h1").await.unwrap();
    assert!(matches!(
        store.create_user("alice", "h2").await,
        Err(StoreError::Conflict)
    ));
    let found = store.user_by_name("ALICE").await.unwrap().unwrap();
    assert_eq!(
        (found.user.clone(), found.password_hash.as_str()),
        (alice.clone(), "h1")
    );
    assert_eq!(
        store.user_by_id(alice.id).await.unwrap().unwrap().user,
        alice
    );
    let bob = store.create_user("bob", "h").await.unwrap();

    // Rooms: visibility and membership.
    store.ensure_public_room("general").await.unwrap();
    store.ensure_public_room("general").await.unwrap();
    let ops = store
        .create_room("ops", RoomKind::Private, alice.id)
        .await
        .unwrap();
    assert_eq!((ops.last_seq, ops.owner), (0, Some(alice.id)));
    assert!(matches!(
        store.create_room("ops", RoomKind::Public, bob.id).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.rooms_owned(alice.id).await.unwrap(), 1);
    assert_eq!(
        store.rooms_owned(bob.id).await.unwrap(),
        0,
        "a refused create owns nothing"
    );
    let ids = |rooms: Vec<RoomInfo>| {
        rooms
            .into_iter()
            .map(|r| (r.id, r.member))
            .collect::<Vec<_>>()
    };
    // One's own rooms only; the public ones in the directory.
    assert_eq!(
        ids(store.rooms_for(alice.id).await.unwrap()),
        vec![("ops".into(), true)]
    );
    assert_eq!(ids(store.rooms_for(bob.id).await.unwrap()), vec![]);
    let listed = store.room_directory("", 10, bob.id).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.id.as_str(), r.member_count, r.joined))
            .collect::<Vec<_>>(),
        [("general", 0, false)],
        "a private room is not in the directory"
    );
    assert!(store.add_member("ops", bob.id).await.unwrap());
    assert!(
        !store.add_member("ops", bob.id).await.unwrap(),
        "already a member"
    );
    assert!(store.is_member("ops", bob.id).await.unwrap());
    assert!(matches!(
        store.add_member("nope", bob.id).await,
        Err(StoreError::NotFound)
    ));

    // Messages: seq from 1, idempotent on client_msg_id, pages both ways.
    let first = append(&*store, message("ops", &alice, "one")).await;
    assert_eq!((first.message.seq, first.fresh), (1, true));
    assert_eq!(first.message.epoch, ops.epoch);
    let again = append(
        &*store,
        NewMessage {
            body: "changed".into(),
            ..message("ops", &alice, "")
        },
    )
    .await;
    assert_eq!(again.message.seq, 2, "a new client_msg_id is a new message");
    let resend = append(
        &*store,
        NewMessage {
            client_msg_id: first.message.client_msg_id,
            body: "one, resent".into(),
            ..message("ops", &alice, "")
        },
    )
    .await;
    assert!(!resend.fresh);
    assert_eq!(resend.message, first.message, "answers with the first copy");
    for i in 3..=10 {
        append(&*store, message("ops", &bob, &format!("m{i}"))).await;
    }
    assert_eq!(
        store.room("ops").await.unwrap().unwrap().last_seq,
        10,
        "the resend used no seq"
    );

    crate::store_read_state::read_state(&*store, &alice, &bob).await;
    let seqs = |m: Vec<Entry>| m.iter().map(Entry::seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(store.entries_after("ops", 7, 100).await.unwrap()),
        vec![8, 9, 10]
    );
    assert_eq!(
        seqs(store.entries_after("ops", 2, 2).await.unwrap()),
        vec![3, 4]
    );
    // Pages before a seq (newest first chosen, oldest first shown), and after
    // one: what opening the room at a message loads.
    let page = |at, limit| {
        let store = store.clone();
        async move {
            let page = store.history("ops", at, limit, alice.id).await.unwrap();
            (seqs(page.entries), page.seq)
        }
    };
    assert_eq!(page(PageAt::Before(None), 3).await, (vec![8, 9, 10], 10));
    assert_eq!(page(PageAt::Before(Some(3)), 10).await.0, vec![1, 2]);
    assert_eq!(
        page(PageAt::Before(Some(11)), 2).await.0,
        vec![9, 10],
        "before the one after the latest ends at the latest"
    );
    assert_eq!(page(PageAt::After(5), 2).await, (vec![6, 7], 10));
    assert_eq!(page(PageAt::After(8), 50).await, (vec![9, 10], 10));
    assert_eq!(page(PageAt::After(10), 5).await, (vec![], 10));
    assert_eq!(page(PageAt::After(u64::MAX), 5).await, (vec![], 10));
    let Entry::Message(m) = &store.entries_after("ops", 0, 1).await.unwrap()[0] else {
        panic!("seq 1 is a message");
    };
    assert_eq!((m.author.name.as_str(), m.body.as_str()), ("Alice", "one"));
    assert!(matches!(
        store.append(message("nope", &alice, "x").into()).await,
        Err(StoreError::NotFound)
    ));
    // A group commit: new messages get consecutive seqs in the order given; a
    // resend, and a repeat within the batch, answer with the first copy.
    let repeat = message("ops", &bob, "twice in one batch");
    let batch = vec![
        message("ops", &alice, "b1"),
        NewMessage {
            client_msg_id: first.message.client_msg_id,
            ..message("ops", &alice, "resent in a batch")
        },
        repeat.clone(),
        message("ops", &bob, "b2"),
        repeat,
    ];
    let answers = append_batch(&*store, "ops", batch).await;
    let got: Vec<(u64, bool)> = answers.iter().map(|a| (a.message.seq, a.fresh)).collect();
    assert_eq!(
        got,
        vec![(11, true), (1, false), (12, true), (13, true), (12, false)]
    );
    assert_eq!(answers[1].message, first.message);
    assert_eq!(store.room("ops").await.unwrap().unwrap().last_seq, 13);
    assert_eq!(
        seqs(store.entries_after("ops", 10, 100).await.unwrap()),
        vec![11, 12, 13]
    );
    // A resend beside a new message (no repeat within the batch).
    let answers = append_batch(
        &*store,
        "ops",
        vec![
            NewMessage {
                client_msg_id: first.message.client_msg_id,
                ..message("ops", &alice, "resent again")
            },
            message("ops", &bob, "b3"),
        ],
    )
    .await;
    let got: Vec<(u64, bool)> = answers.iter().map(|a| (a.message.seq, a.fresh)).collect();
    assert_eq!(got, vec![(1, false), (14, true)]);
    assert!(matches!(
        store
            .append_batch("nope", vec![message("nope", &alice, "x").into()])
            .await,
        Err(StoreError::NotFound)
    ));
    store.ping().await.unwrap();

    // Accounts: admin flag, disabling, sessions.
    assert!(!found.is_admin && !found.disabled);
    assert!(store.set_admin(alice.id, true).await.unwrap());
    assert!(store.user_by_id(alice.id).await.unwrap().unwrap().is_admin);
    sessions_and_refresh_tokens(&*store, &bob).await;
    assert!(!store.set_admin(Uuid::new_v4(), true).await.unwrap());
    // Invites: a number of uses, releasable, expiring, revocable.
    let invite = |code, max_uses, expires_ms| NewInvite {
        code,
        by: alice.id,
        expires_ms,
        max_uses,
        account: None,
    };
    store
        .create_invite(invite("code-1", 1, None))
        .await
        .unwrap();
    assert!(store.claim_invite("code-1").await.unwrap());
    assert!(!store.claim_invite("code-1").await.unwrap(), "single use");
    store.release_invite("code-1").await.unwrap();
    assert!(store.claim_invite("code-1").await.unwrap(), "released");
    assert!(!store.claim_invite("no-such-code").await.unwrap());
    store
        .create_invite(invite("code-2", 2, Some(i64::MAX)))
        .await
        .unwrap();
    assert!(store.claim_invite("code-2").await.unwrap());
    assert!(store.revoke_invite("code-2").await.unwrap());
    assert!(!store.claim_invite("code-2").await.unwrap(), "revoked");
    store
        .create_invite(invite("code-3", 5, Some(1)))
        .await
        .unwrap();
    assert!(!store.claim_invite("code-3").await.unwrap(), "expired");
    assert!(
        !store.claim_first_account(alice.id).await.unwrap(),
        "others exist: not the first account"
    );
    let listed = store.invites(10).await.unwrap();
    let code2 = listed.iter().find(|i| i.code == "code-2").unwrap();
    assert_eq!((code2.uses, code2.max_uses, code2.revoked), (1, 2, true));
    // Removing a member.
    assert!(store.remove_member("ops", bob.id).await.unwrap());
    assert!(!store.remove_member("ops", bob.id).await.unwrap());
    assert!(!store.is_member("ops", bob.id).await.unwrap());
}

/// Concurrent writers, through separate stores (as separate instances would):
/// every message gets a distinct seq, and together they are exactly 1..=n.
async fn concurrent_writers_get_gap_free_seqs(stores: Vec<Arc<dyn Store>>) {
    let author = stores[0].create_user("writer", "h").await.unwrap();
    stores[0].ensure_public_room("general").await.unwrap();
    let per_task = 25;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = stores[t % stores.len()].clone();
        let author = author.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..per_task {
                let m = message("general", &author, &format!("{t}-{i}"));
                seqs.push(append(&*store, m).await.message.seq);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let seqs = task.await.unwrap();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "one writer's seqs increase"
        );
        all.extend(seqs);
    }
    let n = 8 * per_task as u64;
    assert_eq!(
        all.iter().copied().collect::<HashSet<_>>(),
        (1..=n).collect()
    );
    assert_eq!(all.len() as u64, n);
}

#[tokio::test]
async fn sqlite_behaves_like_a_store() {
    let (_dir, store) = sqlite().await;
    behaves_like_a_store(store).await;
}

#[tokio::test]
async fn sqlite_concurrent_writers() {
    let (dir, store) = sqlite().await;
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    let second = open(&url).await.unwrap();
    concurrent_writers_get_gap_free_seqs(vec![store, second]).await;
}

#[tokio::test]
async fn postgres_behaves_like_a_store() {
    let db = TestDatabase::create().await;
    let store = open(&db.url).await.unwrap();
    behaves_like_a_store(store.clone()).await;
    store.close().await;
}

#[tokio::test]
async fn postgres_concurrent_writers_on_two_instances() {
    let db = TestDatabase::create().await;
    let a = open(&db.url).await.unwrap();
    let b = open(&db.url).await.unwrap();
    concurrent_writers_get_gap_free_seqs(vec![a.clone(), b.clone()]).await;
    a.close().await;
    b.close().await;
}
