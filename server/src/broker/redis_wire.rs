//! Everything Confab puts in Redis, named in one place: the keys and channels
//! (all under one prefix, so deployments and tests can share a Redis) and what
//! travels on the room channels. Instances of one deployment agree on these,
//! and nothing else spells a key.
//!
//! | key | type | what |
//! |---|---|---|
//! | `P:room:ROOM` | channel | [`Envelope`]s about a room; `P:room:*` carries events for every instance: ended sessions, activity, frames for a user or for everyone |
//! | `P:presence:ROOM` | hash | user id → connections open to the room, on every instance |
//! | `P:node:NODE` | hash | `ROOM\nUSER` → this instance's share of those counts; `USER` → the user's connections on it |
//! | `P:names` | hash | user id → name (for offline announcements) |
//! | `P:nodes` | sorted set | instance → last heartbeat (ms) |
//! | `P:conns:USER` | hash | instance → the user's connections on it |
//! | `P:rate:USER` | string | the user's message allowance (a GCRA theoretical arrival time) |
//! | `P:login:user:NAME`, `P:login:addr:ADDR` | string | failed logins in the window |
//! | `P:signup:net:NETWORK`, `P:signup:all` | string | sign-ups in the window, per network and in total |
//!
//! On a Redis Cluster (`Keys::sharded`), room channels are **sharded**
//! channels (`SPUBLISH` / `SSUBSCRIBE`): each lives on the shard owning its
//! slot, so a room's traffic goes to that shard only, and every instance's
//! subscription to it too. Every script, transaction and pipeline touches
//! the keys of one slot only — one key, or (the publisher) the channels of one
//! slot: [`slot`] — so no key needs a hash tag. What spans keys (a presence
//! count and the instance's share of it) is written by separate commands.
//! An instance's share also lists its users' connection counts (field `USER`,
//! no newline) so that a dead instance's connections can be given back by
//! whoever reaps it.

use protocol::{Entry, PresenceStatus, ServerFrame, UserRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BrokerEvent, Noted};

#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
    /// On a Redis Cluster: room channels are sharded channels.
    sharded: bool,
}

impl Keys {
    pub fn new(prefix: &str, sharded: bool) -> Self {
        Keys {
            prefix: prefix.to_string(),
            sharded,
        }
    }

    /// Whether room channels are sharded (Redis Cluster).
    pub fn sharded(&self) -> bool {
        self.sharded
    }

    /// The command publishing `payload` on `channel` (`SPUBLISH` on a
    /// cluster, `PUBLISH` otherwise).
    pub fn publish(&self, channel: &str, payload: &[u8]) -> redis::Cmd {
        let mut command = redis::cmd(if self.sharded { "SPUBLISH" } else { "PUBLISH" });
        command.arg(channel).arg(payload);
        command
    }

    pub fn channel(&self, room: &str) -> String {
        format!("{}:room:{room}", self.prefix)
    }

    /// The room a channel is about, if it is one of ours.
    pub fn room_of<'a>(&self, channel: &'a str) -> Option<&'a str> {
        channel
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix(":room:")
    }

    pub fn presence(&self, room: &str) -> String {
        format!("{}:presence:{room}", self.prefix)
    }

    pub fn node_share(&self, node: &str) -> String {
        format!("{}:node:{node}", self.prefix)
    }

    /// A field of a node's share: one user in one room.
    pub fn share_field(room: &str, user: Uuid) -> String {
        format!("{room}\n{user}")
    }

    /// The room and user a share field names.
    pub fn parse_share_field(field: &str) -> Option<(&str, &str)> {
        field.split_once('\n')
    }

    pub fn names(&self) -> String {
        format!("{}:names", self.prefix)
    }

    pub fn nodes(&self) -> String {
        format!("{}:nodes", self.prefix)
    }

    pub fn connections(&self, user: Uuid) -> String {
        format!("{}:conns:{user}", self.prefix)
    }

    pub fn rate(&self, user: Uuid) -> String {
        format!("{}:rate:{user}", self.prefix)
    }

    /// A throttle's count under `what`: `kind` is `login` (failed logins,
    /// `what` = `user:NAME` or `addr:ADDRESS`) or `signup` (`net:NETWORK` or
    /// `all`).
    pub fn throttle(&self, kind: &str, what: &str) -> String {
        format!("{}:{kind}:{what}", self.prefix)
    }
}

/// The Redis Cluster hash slot of `key`: CRC16 (XMODEM) of the key, or of
/// its hash tag (the first non-empty `{…}`), modulo 16384.
pub fn slot(key: &[u8]) -> u16 {
    let tagged = key.iter().position(|&b| b == b'{').and_then(|open| {
        let rest = &key[open + 1..];
        let close = rest.iter().position(|&b| b == b'}')?;
        (close > 0).then(|| &rest[..close])
    });
    crc16::State::<crc16::XMODEM>::calculate(tagged.unwrap_or(key)) % 16384
}

/// What travels on a room's channel.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The publishing instance, which ignores its own events.
    pub origin: Uuid,
    pub event: WireEvent,
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("envelopes always serialize")
    }

    /// `None` for a payload this version cannot read (another version's, say):
    /// the store fills in whatever it carried.
    pub fn decode(payload: &[u8]) -> Option<Self> {
        serde_json::from_slice(payload).ok()
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireEvent {
    Stored {
        entries: Vec<Entry>,
    },
    Typing {
        user: UserRef,
    },
    Presence {
        user: UserRef,
        status: PresenceStatus,
    },
    Evicted {
        user: Uuid,
        #[serde(default)]
        left: bool,
    },
    SessionsEnded {
        user: Uuid,
        session: Option<Uuid>,
    },
    Activity {
        messages: Vec<Noted>,
    },
    ForUser {
        user: Uuid,
        frame: Box<ServerFrame>,
    },
    ForEveryone {
        frame: Box<ServerFrame>,
    },
    ForRoom {
        frame: Box<ServerFrame>,
    },
}

impl From<BrokerEvent> for WireEvent {
    fn from(event: BrokerEvent) -> Self {
        match event {
            BrokerEvent::Stored(entries) => WireEvent::Stored { entries },
            BrokerEvent::Typing(user) => WireEvent::Typing { user },
            BrokerEvent::Presence(user, status) => WireEvent::Presence { user, status },
            BrokerEvent::Evicted(user, left) => WireEvent::Evicted { user, left },
            BrokerEvent::SessionsEnded(user, session) => WireEvent::SessionsEnded { user, session },
            BrokerEvent::Activity(messages) => WireEvent::Activity { messages },
            BrokerEvent::ForUser(user, frame) => WireEvent::ForUser { user, frame },
            BrokerEvent::ForEveryone(frame) => WireEvent::ForEveryone { frame },
            BrokerEvent::ForRoom(frame) => WireEvent::ForRoom { frame },
        }
    }
}

impl From<WireEvent> for BrokerEvent {
    fn from(event: WireEvent) -> Self {
        match event {
            WireEvent::Stored { entries } => BrokerEvent::Stored(entries),
            WireEvent::Typing { user } => BrokerEvent::Typing(user),
            WireEvent::Presence { user, status } => BrokerEvent::Presence(user, status),
            WireEvent::Evicted { user, left } => BrokerEvent::Evicted(user, left),
            WireEvent::SessionsEnded { user, session } => BrokerEvent::SessionsEnded(user, session),
            WireEvent::Activity { messages } => BrokerEvent::Activity(messages),
            WireEvent::ForUser { user, frame } => BrokerEvent::ForUser(user, frame),
            WireEvent::ForEveryone { frame } => BrokerEvent::ForEveryone(frame),
            WireEvent::ForRoom { frame } => BrokerEvent::ForRoom(frame),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_those_redis_computes() {
        // Values from Redis' CLUSTER KEYSLOT.
        assert_eq!(slot(b"foo"), 12182);
        assert_eq!(slot(b"123456789"), 12739);
        assert_eq!(slot(b"{user1000}.following"), slot(b"user1000"));
        // An empty first tag: the whole key is hashed.
        assert_ne!(slot(b"foo{}{bar}"), slot(b"bar"));
        assert_eq!(slot(b"foo{{bar}}zap"), slot(b"{bar"));
    }

    #[test]
    fn keys_and_channels_round_trip() {
        let keys = Keys::new("t1", false);
        assert_eq!(keys.channel("general"), "t1:room:general");
        assert_eq!(keys.room_of("t1:room:general"), Some("general"));
        assert_eq!(keys.room_of("t2:room:general"), None);
        let user = Uuid::from_u128(7);
        let field = Keys::share_field("dm:a:b", user);
        assert_eq!(
            Keys::parse_share_field(&field),
            Some(("dm:a:b", user.to_string().as_str()))
        );
    }

    #[test]
    fn envelopes_round_trip_and_foreign_payloads_are_refused() {
        let envelope = Envelope {
            origin: Uuid::from_u128(1),
            event: WireEvent::Evicted {
                user: Uuid::from_u128(2),
                left: false,
            },
        };
        let decoded = Envelope::decode(&envelope.encode()).unwrap();
        assert_eq!(decoded.origin, envelope.origin);
        assert!(
            matches!(decoded.event, WireEvent::Evicted { user, .. } if user == Uuid::from_u128(2))
        );
        assert!(
            Envelope::decode(br#"{"origin":"x","event":{"kind":"stored","messages":[]}}"#)
                .is_none()
        );
    }
}
