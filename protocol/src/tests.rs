//! Pins the exact JSON of every frame and body against the contract, so a change to
//! a Rust type that would break other teams' clients fails here first.

use super::*;
use serde_json::{json, Value};

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn ts() -> OffsetDateTime {
    time::macros::datetime!(2026-11-24 12:30:05.250 UTC)
}

fn alice() -> UserRef {
    UserRef {
        id: uuid(1),
        name: "alice".into(),
    }
}

fn sample_message() -> Message {
    Message {
        room: "general".into(),
        seq: 7,
        epoch: "e1".into(),
        id: uuid(2),
        client_msg_id: uuid(3),
        author: alice(),
        body: "hi".into(),
        ts: ts(),
        ..Default::default()
    }
}

fn server_json(frame: ServerFrame) -> Value {
    let text = frame.to_json();
    // Every server frame also reads back as itself.
    assert_eq!(ServerFrame::parse(&text).unwrap(), frame);
    serde_json::from_str(&text).unwrap()
}

fn client(text: Value) -> ClientEnvelope {
    ClientEnvelope::parse(&text.to_string()).unwrap()
}

const U1: &str = "00000000-0000-0000-0000-000000000001";
const U2: &str = "00000000-0000-0000-0000-000000000002";
const U3: &str = "00000000-0000-0000-0000-000000000003";
const TS: &str = "2026-11-24T12:30:05.25Z";

#[test]
fn join_without_and_with_since() {
    assert_eq!(
        client(json!({"type":"join","room":"general"})),
        ClientEnvelope {
            reference: None,
            frame: ClientFrame::Join {
                room: "general".into(),
                since: None
            }
        }
    );
    assert_eq!(
        client(json!({"type":"join","room":"general","since":{"epoch":"e1","seq":41},"ref":"r1"})),
        ClientEnvelope {
            reference: Some("r1".into()),
            frame: ClientFrame::Join {
                room: "general".into(),
                since: Some(Since {
                    epoch: "e1".into(),
                    seq: 41
                })
            }
        }
    );
}

#[test]
fn leave_send_history_typing_ping() {
    assert_eq!(
        client(json!({"type":"leave","room":"general"})).frame,
        ClientFrame::Leave {
            room: "general".into()
        }
    );
    assert_eq!(
        client(json!({"type":"send","room":"general","client_msg_id":U3,"body":"hi"})).frame,
        ClientFrame::Send {
            room: "general".into(),
            client_msg_id: uuid(3),
            body: "hi".into(),
            thread: None,
            attachments: Vec::new(),
        }
    );
    assert_eq!(
        client(json!({"type":"history","room":"general","before":10,"limit":20})).frame,
        ClientFrame::History {
            room: "general".into(),
            before: Some(10),
            after: None,
            around: None,
            limit: Some(20)
        }
    );
    assert_eq!(
        client(json!({"type":"history","room":"general"})).frame,
        ClientFrame::History {
            room: "general".into(),
            before: None,
            after: None,
            around: None,
            limit: None
        }
    );
    assert_eq!(
        client(json!({"type":"history","room":"general","after":7})).frame,
        ClientFrame::History {
            room: "general".into(),
            before: None,
            after: Some(7),
            around: None,
            limit: None
        }
    );
    assert_eq!(
        client(json!({"type":"history","room":"general","around":7,"limit":9})).frame,
        ClientFrame::History {
            room: "general".into(),
            before: None,
            after: None,
            around: Some(7),
            limit: Some(9)
        }
    );
    assert_eq!(
        client(json!({"type":"typing","room":"general"})).frame,
        ClientFrame::Typing {
            room: "general".into()
        }
    );
    assert_eq!(
        client(json!({"type":"ping","ref":"p"})),
        ClientEnvelope {
            reference: Some("p".into()),
            frame: ClientFrame::Ping
        }
    );
}

#[test]
fn client_frames_serialize_to_the_contract() {
    let env = ClientEnvelope {
        reference: Some("x".into()),
        frame: ClientFrame::Send {
            room: "general".into(),
            client_msg_id: uuid(3),
            body: "hi".into(),
            thread: None,
            attachments: Vec::new(),
        },
    };
    assert_eq!(
        serde_json::to_value(&env).unwrap(),
        json!({"type":"send","room":"general","client_msg_id":U3,"body":"hi","ref":"x"})
    );
}

#[test]
fn joined_frame() {
    assert_eq!(
        server_json(ServerFrame::Joined {
            room: "general".into(),
            epoch: "e1".into(),
            seq: 41,
            recovered: true,
            reference: Some("r1".into()),
        }),
        json!({"type":"joined","room":"general","epoch":"e1","seq":41,"recovered":true,"ref":"r1"})
    );
}

#[test]
fn message_frame() {
    assert_eq!(
        server_json(ServerFrame::Message(sample_message())),
        json!({
            "type":"message","room":"general","seq":7,"epoch":"e1","id":U2,
            "client_msg_id":U3,"author":{"id":U1,"name":"alice"},"body":"hi","ts":TS,
            "mentions":[]
        })
    );
}

#[test]
fn ack_frame() {
    assert_eq!(
        server_json(ServerFrame::Ack {
            room: "general".into(),
            client_msg_id: uuid(3),
            seq: 7,
            ts: ts(),
            reference: Some("s1".into()),
        }),
        json!({"type":"ack","room":"general","client_msg_id":U3,"seq":7,"ts":TS,"ref":"s1"})
    );
    // Without a ref in the request, the reply has none either.
    assert_eq!(
        server_json(ServerFrame::Ack {
            room: "general".into(),
            client_msg_id: uuid(3),
            seq: 7,
            ts: ts(),
            reference: None,
        }),
        json!({"type":"ack","room":"general","client_msg_id":U3,"seq":7,"ts":TS})
    );
}

#[test]
fn history_frame() {
    assert_eq!(
        server_json(ServerFrame::History {
            room: "general".into(),
            messages: vec![Entry::Message(sample_message())],
            seq: 9,
            reference: None,
        }),
        json!({"type":"history","room":"general","seq":9,"messages":[{
            "type":"message","room":"general","seq":7,"epoch":"e1","id":U2,"client_msg_id":U3,
            "author":{"id":U1,"name":"alice"},"body":"hi","ts":TS,"mentions":[]
        }]})
    );
}

#[test]
fn typing_presence_error_pong_frames() {
    assert_eq!(
        server_json(ServerFrame::Typing {
            room: "general".into(),
            user: alice()
        }),
        json!({"type":"typing","room":"general","user":{"id":U1,"name":"alice"}})
    );
    assert_eq!(
        server_json(ServerFrame::Presence {
            room: "general".into(),
            user: alice(),
            status: PresenceStatus::Offline
        }),
        json!({"type":"presence","room":"general","user":{"id":U1,"name":"alice"},"status":"offline"})
    );
    assert_eq!(
        server_json(ServerFrame::Online {
            room: "general".into(),
            users: vec![alice()],
            count: 1
        }),
        json!({"type":"online","room":"general","users":[{"id":U1,"name":"alice"}],"count":1})
    );
    for (code, text) in [
        (ErrorCode::Invalid, "invalid"),
        (ErrorCode::TooLarge, "too_large"),
        (ErrorCode::Forbidden, "forbidden"),
        (ErrorCode::NotFound, "not_found"),
        (ErrorCode::RateLimited, "rate_limited"),
        (ErrorCode::Unavailable, "unavailable"),
    ] {
        assert_eq!(code.as_str(), text);
        assert_eq!(
            server_json(ServerFrame::Error {
                code,
                message: "m".into(),
                reference: Some("q".into())
            }),
            json!({"type":"error","code":text,"message":"m","ref":"q"})
        );
    }
    assert_eq!(
        server_json(ServerFrame::Pong {
            reference: Some("p".into())
        }),
        json!({"type":"pong","ref":"p"})
    );
}

#[test]
fn http_bodies() {
    let auth = AuthResponse {
        token: "t".into(),
        user: alice(),
        expires_in: 900,
        refresh_token: Some("r".into()),
    };
    assert_eq!(
        serde_json::to_value(&auth).unwrap(),
        json!({"token":"t","user":{"id":U1,"name":"alice"},"expires_in":900,"refresh_token":"r"})
    );
    // A browser's answer keeps the refresh token in a cookie only; a client
    // that knows only the contract's fields still reads the answer.
    let browser = AuthResponse {
        refresh_token: None,
        ..auth
    };
    assert!(serde_json::to_value(&browser)
        .unwrap()
        .get("refresh_token")
        .is_none());
    let plain: AuthResponse =
        serde_json::from_value(json!({"token":"t","user":{"id":U1,"name":"alice"}})).unwrap();
    assert_eq!(plain.token, "t");
    let room = RoomInfo {
        id: "general".into(),
        name: "general".into(),
        kind: RoomKind::Public,
        member: true,
        topic: String::new(),
        latest_seq: 9,
        last_read_seq: 4,
        unread: 3,
        mentions: 1,
        muted: false,
        notifications: crate::NotificationLevel::All,
        archived: false,
        role: Some(RoomRole::Owner),
        last_activity: None,
    };
    assert_eq!(
        serde_json::to_value(&room).unwrap(),
        json!({"id":"general","name":"general","kind":"public","member":true,
               "latest_seq":9,"last_read_seq":4,"unread":3,"mentions":1,"muted":false,
               "notifications":"all","archived":false,"role":"owner"})
    );
    // A v1 room (no read state) still reads.
    let v1: RoomInfo = serde_json::from_value(
        json!({"id":"general","name":"general","kind":"public","member":true}),
    )
    .unwrap();
    assert_eq!((v1.unread, v1.latest_seq), (0, 0));
    let create: CreateRoom =
        serde_json::from_value(json!({"name":"ops","kind":"private"})).unwrap();
    assert_eq!(create.kind, RoomKind::Private);
    let err = ErrorBody {
        error: ErrorDetail {
            code: "conflict".into(),
            message: "name taken".into(),
        },
    };
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"error":{"code":"conflict","message":"name taken"}})
    );
    let page = MessagesPage {
        messages: vec![Entry::Message(sample_message())],
        seq: 7,
    };
    assert_eq!(
        serde_json::to_value(&page).unwrap()["messages"][0]["seq"],
        json!(7)
    );
}

#[test]
fn malformed_frames_fail_with_clear_errors() {
    let e = ClientEnvelope::parse("{not json").unwrap_err();
    assert!(e.message.starts_with("not a JSON object"), "{}", e.message);

    // A ref is repeated in the reply: an oversized one is refused, not echoed.
    let long = "r".repeat(MAX_REF_BYTES + 1);
    let e = ClientEnvelope::parse(&format!(r#"{{"type":"ping","ref":"{long}"}}"#)).unwrap_err();
    assert!(e.message.contains("ref is longer"), "{}", e.message);
    assert_eq!(e.reference, None);
    let e = ClientEnvelope::parse(&format!(r#"{{"type":"shout","ref":"{long}"}}"#)).unwrap_err();
    assert_eq!(e.reference, None);
    let fits = "r".repeat(MAX_REF_BYTES);
    assert!(ClientEnvelope::parse(&format!(r#"{{"type":"ping","ref":"{fits}"}}"#)).is_ok());

    let e = ClientEnvelope::parse(r#"{"type":"shout","room":"general","ref":"k"}"#).unwrap_err();
    assert!(
        e.message.contains("unknown variant `shout`"),
        "{}",
        e.message
    );
    assert_eq!(
        e.reference.as_deref(),
        Some("k"),
        "the ref survives a bad type"
    );

    let e = ClientEnvelope::parse(r#"{"type":"send","room":"general","body":"x"}"#).unwrap_err();
    assert!(
        e.message.contains("missing field `client_msg_id`"),
        "{}",
        e.message
    );

    let e = ClientEnvelope::parse(
        r#"{"type":"send","room":"general","client_msg_id":"nope","body":"x"}"#,
    )
    .unwrap_err();
    assert!(e.message.starts_with("bad frame"), "{}", e.message);

    let e = ClientEnvelope::parse(r#"{"room":"general"}"#).unwrap_err();
    assert!(e.message.contains("missing field `type`"), "{}", e.message);

    assert!(ClientEnvelope::parse(r#"[1,2]"#).is_err());
    assert!(ClientEnvelope::parse(r#"{"type":"join","room":5}"#).is_err());
}

#[test]
fn name_rules() {
    assert!(valid_username("alice.b-c_9"));
    assert!(!valid_username(""));
    assert!(!valid_username("has space"));
    assert!(!valid_username(&"a".repeat(33)));
    assert!(valid_username(&"a".repeat(32)));
    assert!(!valid_username("émile"));
    assert!(valid_room_name("general"));
    assert!(valid_room_name("team-42_x"));
    assert!(!valid_room_name("-lead"));
    assert!(!valid_room_name("Caps"));
    assert!(!valid_room_name("dm:1:2"));
    assert!(!valid_room_name(""));
}

mod read_state;
mod v2;
mod v3;
