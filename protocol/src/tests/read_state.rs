//! v2 read state, activity and the user's rooms: the exact JSON of each frame.

use super::*;

#[test]
fn read_goes_both_ways() {
    assert_eq!(
        client(json!({"type":"read","room":"general","seq":12})).frame,
        ClientFrame::Read {
            room: "general".into(),
            seq: 12
        }
    );
    assert_eq!(
        server_json(ServerFrame::Read {
            room: "general".into(),
            seq: 12
        }),
        json!({"type":"read","room":"general","seq":12})
    );
}

#[test]
fn activity_and_room_changes() {
    assert_eq!(
        server_json(ServerFrame::Activity {
            room: "ops".into(),
            seq: 7,
            mention: true,
            thread: None,
            notify: true,
        }),
        json!({"type":"activity","room":"ops","seq":7,"mention":true,"notify":true})
    );
    // v3: a reply in a followed thread names it; a v2 frame still reads.
    let root = Uuid::from_u128(9);
    assert_eq!(
        server_json(ServerFrame::Activity {
            room: "ops".into(),
            seq: 8,
            mention: false,
            thread: Some(root),
            notify: false,
        }),
        json!({"type":"activity","room":"ops","seq":8,"mention":false,"thread":root,"notify":false})
    );
    let v2: ServerFrame =
        serde_json::from_value(json!({"type":"activity","room":"ops","seq":7,"mention":true}))
            .unwrap();
    assert!(matches!(
        v2,
        ServerFrame::Activity {
            notify: false,
            thread: None,
            ..
        }
    ));
    let added = ServerFrame::RoomAdded {
        room: RoomInfo {
            id: "ops".into(),
            name: "ops".into(),
            kind: RoomKind::Private,
            member: true,
            ..RoomInfo::default()
        },
    };
    let json = server_json(added.clone());
    assert_eq!(json["type"], "room_added");
    assert_eq!(
        (
            &json["room"]["id"],
            &json["room"]["name"],
            &json["room"]["kind"],
            &json["room"]["member"]
        ),
        (
            &json!("ops"),
            &json!("ops"),
            &json!("private"),
            &json!(true)
        )
    );
    assert_eq!(
        server_json(ServerFrame::RoomRemoved { room: "ops".into() }),
        json!({"type":"room_removed","room":"ops"})
    );
}

#[test]
fn a_group_direct_request_names_several_users() {
    let one: DirectRequest = serde_json::from_value(json!({"user":"bob"})).unwrap();
    assert_eq!(one.user.as_deref(), Some("bob"));
    let group: DirectRequest = serde_json::from_value(json!({"users":["bob","cy"]})).unwrap();
    assert_eq!(group.users, ["bob", "cy"]);
}

#[test]
fn a_topic_is_an_entry_frame() {
    assert_eq!(
        client(json!({"type":"topic","room":"ops","topic":"incidents"})).frame,
        ClientFrame::Topic {
            room: "ops".into(),
            topic: "incidents".into()
        }
    );
    let json = server_json(ServerFrame::Topic(Topic {
        room: "ops".into(),
        seq: 3,
        epoch: "e".into(),
        ts: ts(),
        topic: "incidents".into(),
        by: UserRef {
            id: uuid(1),
            name: "alice".into(),
        },
    }));
    assert_eq!(
        json,
        json!({"type":"topic","room":"ops","seq":3,"epoch":"e","ts":TS,"topic":"incidents",
               "by":{"id":U1,"name":"alice"}})
    );
}
