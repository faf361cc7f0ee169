//! The workspace a generated export describes: its users and
//! conversations, with the awkward parts every real export has (a deleted
//! user, a bot, names beyond ASCII, a renamed channel, a private channel, a
//! direct message and a group direct message).

use serde_json::{json, Value};

/// When the workspace began (2024-01-01T00:00:00Z).
pub const EPOCH: i64 = 1_704_067_200;

pub struct User {
    pub id: String,
    pub name: String,
    pub real_name: String,
    pub deleted: bool,
    pub bot: bool,
}

/// Where a conversation is listed and filed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `channels.json`, folder named by the channel.
    Public,
    /// `groups.json`, folder named by the channel.
    Private,
    /// `dms.json`, folder named by its id.
    Direct,
    /// `mpims.json`, folder named by its name.
    Group,
}

pub struct Conversation {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// Indexes into the users.
    pub members: Vec<usize>,
    /// For the renamed channel: its name before.
    pub old_name: Option<String>,
}

impl Conversation {
    /// Its folder in the zip.
    pub fn folder(&self) -> &str {
        match self.kind {
            Kind::Direct => &self.id,
            _ => &self.name,
        }
    }
}

/// `users` people (at least 6): the first is the workspace's creator; one
/// is deleted, one is a bot, two have names beyond ASCII.
pub fn users(count: usize) -> Vec<User> {
    let count = count.max(6);
    let special = [
        ("zoe", "Zoë Ångström"),
        ("yamada", "山田 太郎"),
        ("former", "Former Colleague"),
        ("deploybot", "Deploy Bot"),
    ];
    (0..count)
        .map(|i| {
            let (name, real_name) = match i {
                1..=4 => (special[i - 1].0.to_string(), special[i - 1].1.to_string()),
                0 => ("admin".to_string(), "Workspace Admin".to_string()),
                _ => (format!("user{i}"), format!("User Number {i}")),
            };
            User {
                id: format!("U{:08}", i + 1),
                name,
                real_name,
                deleted: i == 3,
                bot: i == 4,
            }
        })
        .collect()
}

/// The conversations: general, random, a renamed channel, `channels - 3`
/// more public ones, a private one, a direct message and a group one.
pub fn conversations(users: &[User], channels: usize) -> Vec<Conversation> {
    let everyone: Vec<usize> = (0..users.len()).filter(|&i| !users[i].bot).collect();
    let mut list = vec![
        public("C00000001", "general", everyone.clone(), None),
        public("C00000002", "random", everyone.clone(), None),
        public("C00000003", "deploys", everyone.clone(), Some("deploy-old")),
    ];
    for i in 3..channels.max(3) {
        let members = everyone
            .iter()
            .copied()
            .filter(|u| u % 3 != i % 3 || *u == 0)
            .collect();
        list.push(public(
            &format!("C{:08}", i + 1),
            &format!("team-{i}"),
            members,
            None,
        ));
    }
    list.push(Conversation {
        id: "G00000001".into(),
        name: "leadership".into(),
        kind: Kind::Private,
        members: vec![0, 1, 2],
        old_name: None,
    });
    list.push(Conversation {
        id: "D00000001".into(),
        name: String::new(),
        kind: Kind::Direct,
        members: vec![0, 1],
        old_name: None,
    });
    list.push(Conversation {
        id: "G00000002".into(),
        name: format!(
            "mpdm-{}--{}--{}-1",
            users[0].name, users[1].name, users[2].name
        ),
        kind: Kind::Group,
        members: vec![0, 1, 2],
        old_name: None,
    });
    list
}

fn public(id: &str, name: &str, members: Vec<usize>, old_name: Option<&str>) -> Conversation {
    Conversation {
        id: id.into(),
        name: name.into(),
        kind: Kind::Public,
        members,
        old_name: old_name.map(str::to_string),
    }
}

/// `users.json`.
pub fn users_json(users: &[User]) -> Value {
    Value::Array(
        users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id,
                    "team_id": "T00000001",
                    "name": u.name,
                    "deleted": u.deleted,
                    "real_name": u.real_name,
                    "tz": "Europe/Berlin",
                    "is_admin": u.id == "U00000001",
                    "is_bot": u.bot,
                    "profile": {
                        "real_name": u.real_name,
                        "display_name": u.name,
                        "email": if u.bot { Value::Null } else { json!(format!("{}@example.com", u.name)) },
                        "image_72": format!("https://avatars.example/{}.png", u.id),
                    },
                })
            })
            .collect(),
    )
}

/// The listing of `kind`'s conversations (`channels.json`, …).
pub fn listing(conversations: &[Conversation], users: &[User], kind: Kind) -> Value {
    Value::Array(
        conversations
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| {
                let members: Vec<&str> = c.members.iter().map(|&m| users[m].id.as_str()).collect();
                let mut entry = json!({
                    "id": c.id,
                    "created": EPOCH,
                    "members": members,
                });
                if kind != Kind::Direct {
                    entry["name"] = json!(c.name);
                    entry["creator"] = json!(users[0].id);
                    entry["is_archived"] = json!(false);
                    entry["is_general"] = json!(c.name == "general");
                    entry["topic"] = json!({"value": "", "creator": "", "last_set": 0});
                    entry["purpose"] = json!({"value": format!("About {}", c.name), "creator": users[0].id, "last_set": EPOCH});
                }
                entry
            })
            .collect(),
    )
}
