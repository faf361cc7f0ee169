//! The name rules: usernames, room names, and the ids of direct rooms, which
//! can never be taken for a room name.

use uuid::Uuid;

/// Longest room name, in characters.
pub const MAX_ROOM_NAME: usize = 32;
/// Longest username, in characters.
pub const MAX_USERNAME: usize = 32;

/// A username's schema in the API description: the rule of
/// [`valid_username`], stated once for every body that names a user.
#[cfg(feature = "openapi")]
pub(crate) fn username_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_USERNAME))
        .pattern(Some("^[A-Za-z0-9_.-]+$"))
        .build()
}

/// Checks a username against the contract: 1–32 of `[A-Za-z0-9_.-]`.
pub fn valid_username(name: &str) -> bool {
    (1..=MAX_USERNAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Checks a room name: 1–32 of `[a-z0-9_-]`, starting with a letter or digit.
/// Public and private rooms use their name as their id.
pub fn valid_room_name(name: &str) -> bool {
    (1..=MAX_ROOM_NAME).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// Shortest and longest password, in characters. The upper bound keeps a
/// server's hashing cost bounded whatever a client sends.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a password's length against the contract (its content is free).
pub fn valid_password(password: &str) -> bool {
    (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&password.chars().count())
}

/// The id of the direct room of `users` (duplicates ignored): the same
/// whoever asks. Two users: `dm:LOW:HIGH`; a group: `gdm:` and a digest of
/// the sorted ids.
pub fn direct_room_id(users: &[Uuid]) -> String {
    let mut sorted = users.to_vec();
    sorted.sort();
    sorted.dedup();
    if let [low, high] = sorted[..] {
        return format!("dm:{low}:{high}");
    }
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    for user in &sorted {
        digest.update(user.as_bytes());
    }
    format!("gdm:{}", &hex::encode(digest.finalize())[..32])
}

/// Whether a room id names a direct room (with one person or a group).
pub fn is_direct_id(id: &str) -> bool {
    id.starts_with("dm:") || id.starts_with("gdm:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_room_ids_are_the_same_whoever_asks() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(direct_room_id(&[a, b]), direct_room_id(&[b, a]));
        assert_eq!(direct_room_id(&[a, b]), format!("dm:{a}:{b}"));
        assert_eq!(direct_room_id(&[c, a, b]), direct_room_id(&[b, c, a, c]));
        assert!(direct_room_id(&[a, b, c]).starts_with("gdm:"));
        assert_ne!(direct_room_id(&[a, b, c]), direct_room_id(&[a, b]));
        assert!(is_direct_id(&direct_room_id(&[a, b])));
        assert!(is_direct_id(&direct_room_id(&[a, b, c])));
        assert!(!valid_room_name(&direct_room_id(&[a, b])));
        assert!(!valid_room_name(&direct_room_id(&[a, b, c])));
    }
}
