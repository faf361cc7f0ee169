//! Search on both stores, real databases: whole words, case-blind, every word
//! required; edits and deletions reach the index in their own transaction;
//! only rooms the searcher can read now; newest first, in pages.

use std::sync::Arc;

use protocol::{Message, RoomKind, UserRef};
use server::store::{open, NewEntry, SearchQuery, Store};
use uuid::Uuid;

use crate::common::postgres::TestDatabase;
use crate::store::{append, message, sqlite};

async fn find(
    store: &dyn Store,
    viewer: &UserRef,
    text: &str,
    room: Option<&str>,
    before: Option<Uuid>,
    limit: u32,
) -> Vec<Message> {
    store
        .search(&SearchQuery {
            viewer: viewer.id,
            words: protocol::search_words(text).collect(),
            room: room.map(str::to_string),
            before,
            limit,
            filters: Default::default(),
        })
        .await
        .unwrap()
}

fn bodies(found: &[Message]) -> Vec<&str> {
    found.iter().map(|m| m.body.as_str()).collect()
}

async fn search_finds_what_the_reader_may_read(store: Arc<dyn Store>) {
    let store = &*store;
    let alice = store.create_user("alice", "h").await.unwrap();
    let bob = store.create_user("bob", "h").await.unwrap();
    let carol = store.create_user("carol", "h").await.unwrap();
    store.ensure_public_room("general").await.unwrap();
    store
        .create_room("ops", RoomKind::Private, alice.id)
        .await
        .unwrap();
    assert!(store.add_member("ops", bob.id).await.unwrap());

    let failed = append(
        store,
        message("general", &alice, "Deploy failed on staging"),
    )
    .await
    .message;
    append(store, message("general", &bob, "the deployment is fixed")).await;
    let again = append(store, message("general", &carol, "DEPLOY again, café")).await;
    append(store, message("ops", &alice, "deploy the secret plan")).await;

    assert_eq!(
        bodies(&find(store, &alice, "deploy", None, None, 10).await),
        [
            "deploy the secret plan",
            "DEPLOY again, café",
            "Deploy failed on staging"
        ],
        "whole words, case-blind, newest first; not `deployment`"
    );
    assert_eq!(
        bodies(&find(store, &carol, "Deploy", None, None, 10).await),
        ["DEPLOY again, café", "Deploy failed on staging"],
        "a private room's messages only for its members"
    );
    assert_eq!(
        bodies(&find(store, &alice, "staging deploy", None, None, 10).await),
        ["Deploy failed on staging"],
        "every word is required"
    );
    assert_eq!(
        bodies(&find(store, &carol, "CAFÉ", None, None, 10).await),
        ["DEPLOY again, café"]
    );
    assert_eq!(
        bodies(&find(store, &alice, "deploy", Some("ops"), None, 10).await),
        ["deploy the secret plan"]
    );

    // An edit replaces the words found; a deletion removes them.
    let edit = NewEntry::Edit {
        room: "general".into(),
        id: failed.id,
        body: "Rollout failed".into(),
        mentions: Vec::new(),
        everyone: false,
        by: alice.clone(),
    };
    assert!(store.append(edit).await.unwrap().is_fresh());
    assert!(find(store, &carol, "staging", None, None, 10)
        .await
        .is_empty());
    assert_eq!(
        bodies(&find(store, &carol, "rollout", None, None, 10).await),
        ["Rollout failed"]
    );
    let delete = NewEntry::Delete {
        room: "general".into(),
        id: again.message.id,
        by: carol.clone(),
    };
    assert!(store.append(delete).await.unwrap().is_fresh());
    assert!(
        find(store, &carol, "deploy", None, None, 10)
            .await
            .is_empty(),
        "a deleted message is never found"
    );

    // A member removed finds nothing of the room any more, old or new.
    assert_eq!(find(store, &bob, "secret", None, None, 10).await.len(), 1);
    assert!(store.remove_member("ops", bob.id).await.unwrap());
    assert!(find(store, &bob, "secret", None, None, 10).await.is_empty());

    // Pages: newest first, each after the last of the one before.
    for n in 1..=5 {
        append(store, message("general", &bob, &format!("page item {n}"))).await;
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = find(store, &alice, "item", None, before, 2).await;
        if page.is_empty() {
            break;
        }
        before = page.last().map(|m| m.id);
        seen.extend(page.into_iter().map(|m| m.body));
    }
    assert_eq!(
        seen,
        (1..=5)
            .rev()
            .map(|n| format!("page item {n}"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn sqlite_search() {
    let (_dir, store) = sqlite().await;
    search_finds_what_the_reader_may_read(store).await;
}

#[tokio::test]
async fn postgres_search() {
    let db = TestDatabase::create().await;
    let store = open(&db.url).await.unwrap();
    search_finds_what_the_reader_may_read(store.clone()).await;
    store.close().await;
}
