//! Presence by interest: a connection that said whose presence it wants hears
//! of those users only, with the room's exact count; one that never said (a v1
//! client) hears everyone while the room is small, nothing while it is big,
//! and a fresh list once it is small again (docs/PROTOCOL.md).

use protocol::{ClientFrame, ErrorCode, PresenceStatus, ServerFrame, MAX_PRESENCE_INTEREST};
use uuid::Uuid;

use crate::common::Client;
use crate::common::TestServer;

/// Frames until (and with) the first that `last` matches.
async fn frames_until(
    client: &mut Client,
    last: impl Fn(&ServerFrame) -> bool,
) -> Vec<ServerFrame> {
    let mut seen = Vec::new();
    loop {
        let frame = client.next().await;
        let done = last(&frame);
        seen.push(frame);
        if done {
            return seen;
        }
    }
}

/// Who the `presence` frames among `frames` are about, with their status.
fn presence_in(frames: &[ServerFrame]) -> Vec<(String, PresenceStatus)> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Presence { user, status, .. } => Some((user.name.clone(), *status)),
            _ => None,
        })
        .collect()
}

fn counted(n: u32) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::OnlineCount { count, .. } if *count == n)
}

#[tokio::test]
async fn in_a_big_room_presence_reaches_whoever_asked_and_the_count_everyone_who_said() {
    // Rooms of more than two online count as big here.
    let server = TestServer::start(&["--presence-for-all", "2"]);
    let ann = server.register("ann").await;
    let bob = server.register("bob").await;
    let (_, mut vic) = server.user_in_general("vic").await;
    vic.next_matching(|f| matches!(f, ServerFrame::Online { .. }))
        .await;

    // ann asks about bob before joining; the room is small, so she is told
    // of everyone, and vic (who never said) hears of her.
    let mut ann_ws = server.connect(&ann.token).await;
    let bob_only = ClientFrame::PresenceInterest {
        users: vec![bob.user.id],
    };
    ann_ws.send_frame(bob_only, None).await;
    ann_ws.join("general", None).await;
    let listed = ann_ws
        .next_matching(|f| matches!(f, ServerFrame::Online { .. }))
        .await;
    assert_eq!(names_listed(&listed), (vec!["ann", "vic"], 2));
    let heard = frames_until(&mut vic, |f| matches!(f, ServerFrame::Presence { .. })).await;
    assert_eq!(
        presence_in(&heard),
        [("ann".to_string(), PresenceStatus::Online)]
    );

    // bob and cy arrive: three, then four online, a big room now. ann hears
    // of bob, whom she asked about, and the counts.
    let mut bob_ws = server.connect(&bob.token).await;
    bob_ws.join("general", None).await;
    let heard = frames_until(&mut ann_ws, counted(3)).await;
    let mut told = presence_in(&heard);
    // vic's own arrival may still have been gathering when ann joined.
    told.retain(|(name, _)| name != "vic");
    assert_eq!(told, [("bob".to_string(), PresenceStatus::Online)]);
    let (_, mut cy_ws) = server.user_in_general("cy").await;
    let heard = frames_until(&mut ann_ws, counted(4)).await;
    assert!(
        presence_in(&heard).is_empty(),
        "ann never asked about cy: {heard:?}"
    );

    // A new list is answered at once with those of it online (in a big
    // room, only those).
    let vic_id = id_listed(&listed, "vic");
    let both = ClientFrame::PresenceInterest {
        users: vec![bob.user.id, vic_id],
    };
    ann_ws.send_frame(both, None).await;
    let listed = ann_ws
        .next_matching(|f| matches!(f, ServerFrame::Online { .. }))
        .await;
    assert_eq!(names_listed(&listed), (vec!["bob", "vic"], 4));

    // bob goes: ann hears it. cy goes: the room is small again, and everyone
    // gets the truth in one list; vic heard nothing while it was big.
    drop(bob_ws.ws.close(None).await);
    let heard = frames_until(&mut ann_ws, counted(3)).await;
    assert_eq!(
        presence_in(&heard),
        [("bob".to_string(), PresenceStatus::Offline)]
    );
    drop(cy_ws.ws.close(None).await);
    for client in [&mut ann_ws, &mut vic] {
        let heard = frames_until(client, |f| matches!(f, ServerFrame::Online { .. })).await;
        assert!(presence_in(&heard).is_empty(), "{heard:?}");
        assert_eq!(names_listed(heard.last().unwrap()), (vec!["ann", "vic"], 2));
    }

    // Too long a list is refused, and the connection stays.
    let too_many = vec![Uuid::new_v4(); MAX_PRESENCE_INTEREST + 1];
    ann_ws
        .send_frame(
            ClientFrame::PresenceInterest { users: too_many },
            Some("many"),
        )
        .await;
    let refused = ann_ws
        .next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    assert!(
        matches!(&refused, ServerFrame::Error { code: ErrorCode::TooLarge, reference: Some(r), .. } if r == "many"),
        "{refused:?}"
    );
    ann_ws.ping().await;
}

/// The names an `online` frame lists, and its count.
fn names_listed(frame: &ServerFrame) -> (Vec<&str>, u32) {
    let ServerFrame::Online { users, count, .. } = frame else {
        panic!("not an online frame: {frame:?}");
    };
    (users.iter().map(|u| u.name.as_str()).collect(), *count)
}

fn id_listed(frame: &ServerFrame, name: &str) -> Uuid {
    let ServerFrame::Online { users, .. } = frame else {
        panic!("not an online frame: {frame:?}");
    };
    users.iter().find(|u| u.name == name).expect("listed").id
}
