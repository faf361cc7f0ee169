//! The stores' read state, on both backends (called from `store.rs` once a
//! private room `ops` holds ten messages: 1-2 by alice, 3-10 by bob, both
//! members since before the first): unread counts, read markers, muting,
//! members, and group direct rooms.

use server::store::Store;

use protocol::UserRef;

pub async fn read_state(store: &dyn Store, alice: &UserRef, bob: &UserRef) {
    // Read state: unread is what others wrote after the marker, which only
    // moves forward and never past the room's latest seq.
    let ops_for = |user: uuid::Uuid| async move {
        let rooms = store.rooms_for(user).await.unwrap();
        rooms.into_iter().find(|r| r.id == "ops").unwrap()
    };
    let mine = ops_for(alice.id).await;
    assert_eq!(
        (mine.latest_seq, mine.last_read_seq, mine.unread),
        (10, 0, 8)
    );
    assert_eq!(ops_for(bob.id).await.unread, 2);
    assert_eq!(store.mark_read("ops", alice.id, 5).await.unwrap(), Some(5));
    assert_eq!(store.mark_read("ops", alice.id, 4).await.unwrap(), None);
    assert_eq!(ops_for(alice.id).await.unread, 5);
    assert_eq!(
        store.mark_read("ops", alice.id, 99).await.unwrap(),
        Some(10)
    );
    assert_eq!(store.mark_read("ops", alice.id, 99).await.unwrap(), None);
    assert_eq!(
        store.mark_read("general", alice.id, 1).await.unwrap(),
        None,
        "not a member"
    );
    assert_eq!(ops_for(alice.id).await.unread, 0);
    assert!(store.set_muted("ops", bob.id, true).await.unwrap());
    assert!(!store.set_muted("general", bob.id, true).await.unwrap());
    assert!(ops_for(bob.id).await.muted && !ops_for(alice.id).await.muted);
    let names: Vec<String> = store
        .members("ops", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|(u, _)| u.name)
        .collect();
    assert_eq!(names, ["Alice", "bob"]);
    assert_eq!(store.member_rooms(bob.id, 10).await.unwrap(), ["ops"]);
    let carol = store.create_user("carol", "x").await.unwrap();
    let (group, created) = store
        .direct_room(&[carol.id, alice.id, bob.id])
        .await
        .unwrap();
    assert!(created && group.id.starts_with("gdm:"));
    let (again, created) = store
        .direct_room(&[bob.id, carol.id, alice.id])
        .await
        .unwrap();
    assert_eq!((again.id, created), (group.id.clone(), false));
    let names = store.direct_names(alice.id).await.unwrap();
    assert_eq!(names[&group.id], ["bob", "carol"]);
}
