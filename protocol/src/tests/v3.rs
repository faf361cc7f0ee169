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
