//! v3: the exact JSON of `user_updated`.

use super::*;

#[test]
fn user_updated_carries_the_whole_profile() {
    let frame = ServerFrame::UserUpdated {
        user: Profile {
            id: uuid(4),
            name: "bob".into(),
            display_name: Some("Bob Ross".into()),
            status: Some(Status {
                text: "Painting".into(),
                emoji: Some("🎨".into()),
                until: None,
            }),
            avatar_url: Some("/api/avatars/ab".into()),
            ..Default::default()
        },
    };
    let json = server_json(frame);
    assert_eq!(
        json,
        json!({"type": "user_updated", "user": {
            "id": "00000000-0000-0000-0000-000000000004", "name": "bob",
            "display_name": "Bob Ross", "status": {"text": "Painting", "emoji": "🎨"},
            "avatar_url": "/api/avatars/ab", "bot": false, "deactivated": false,
        }})
    );
}

#[test]
fn a_room_change_is_an_entry_and_a_role_change_a_frame() {
    let changed = Entry::RoomChanged(RoomChanged {
        room: "team".into(),
        seq: 7,
        epoch: "e".into(),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        name: "crew".into(),
        archived: true,
        by: UserRef {
            id: uuid(1),
            name: "alice".into(),
        },
    });
    let json = serde_json::to_value(&changed).unwrap();
    assert_eq!(
        json,
        json!({"type": "room_changed", "room": "team", "seq": 7, "epoch": "e",
               "ts": "1970-01-01T00:00:00Z", "name": "crew", "archived": true,
               "by": {"id": "00000000-0000-0000-0000-000000000001", "name": "alice"}})
    );
    assert_eq!(serde_json::from_value::<Entry>(json).unwrap(), changed);
    assert_eq!(changed.message_id(), uuid::Uuid::nil());
    let role = ServerFrame::RoleChanged {
        room: "team".into(),
        user: UserRef {
            id: uuid(2),
            name: "bob".into(),
        },
        role: RoomRole::Moderator,
        by: UserRef {
            id: uuid(1),
            name: "alice".into(),
        },
    };
    assert_eq!(server_json(role)["role"], "moderator");
    // A role is one of three words; anything else is refused.
    assert!(serde_json::from_value::<RoleRequest>(json!({"role": "boss"})).is_err());
    assert_eq!(RoomRole::parse("owner"), RoomRole::Owner);
    assert!(RoomRole::Owner > RoomRole::Moderator && RoomRole::Moderator > RoomRole::Member);
}

#[test]
fn audit_entries_and_the_sign_up_policy_read_as_pinned() {
    let entry: AuditEntry = serde_json::from_value(json!({
        "id": 3, "ts": "2026-12-04T09:00:00Z", "actor": null, "action": "auth.sign_in_failed",
        "target": "alice", "detail": {"method": "password"}
    }))
    .unwrap();
    assert_eq!((entry.id, entry.actor.is_none()), (3, true));
    assert_eq!(SignupPolicy::parse("sso"), Some(SignupPolicy::Sso));
    assert_eq!(SignupPolicy::parse("closed"), None);
    assert_eq!(
        serde_json::to_value(SignupSettings {
            policy: SignupPolicy::Invite
        })
        .unwrap(),
        json!({"policy": "invite"})
    );
    let providers: AuthProviders = serde_json::from_value(json!({})).unwrap();
    assert_eq!(
        providers.signup,
        SignupPolicy::Open,
        "a v2 server's answer reads as open"
    );
}
