//! People: profiles, avatars and the directory (`docs/PROTOCOL.md`,
//! *People*).
//!
//! - **Read** a profile or search the directory: anyone signed in. The
//!   directory leaves deactivated people out unless asked for them
//!   (`deactivated=true`); a profile shows `deactivated` either way.
//! - **Change** one's own profile and avatar: the user, with a credential
//!   that may change what others see ([`access::require_write`]).
//! - Every change reaches every signed-in connection as `user_updated`.
//! - An avatar is an image within the file limits (`--max-file-bytes`,
//!   `--max-image-pixels`, pixels per byte), decoded whole in its turn
//!   (`files::decode_slots`) and re-encoded (`files::avatar`).

use bytes::Bytes;
use futures_util::Stream;
use protocol::{
    search_key, valid_display_name, valid_emoji, valid_short_text, Profile, ProfileUpdate,
    ServerFrame, DEFAULT_DIRECTORY_LIMIT, MAX_DIRECTORY_LIMIT, MAX_DIRECTORY_QUERY_CHARS,
    MAX_STATUS_TEXT_CHARS, MAX_TIMEZONE_CHARS, MAX_TITLE_CHARS,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::files::{decode_in_turn, receive_within};
use super::{access, members::find_user, Caller, DomainError, DomainResult};
use crate::files::image;
use crate::state::AppState;
use crate::store::NewAvatar;

/// Most profiles one `GET /api/users?ids=` answers.
pub const MAX_IDS: usize = 100;

fn no_user() -> DomainError {
    DomainError::NotFound("no such user".into())
}

/// The profile of the user named by id (one read) or username.
pub async fn profile(state: &AppState, user: &str) -> DomainResult<Profile> {
    let id = match Uuid::parse_str(user) {
        Ok(id) => id,
        Err(_) => find_user(state, user).await?.user.id,
    };
    state.store.profile(id).await?.ok_or_else(no_user)
}

/// The profiles of the users with these ids (unknown ones left out).
pub async fn profiles(state: &AppState, ids: &[Uuid]) -> DomainResult<Vec<Profile>> {
    if ids.len() > MAX_IDS {
        return Err(DomainError::Invalid(format!(
            "ask for at most {MAX_IDS} people at once"
        )));
    }
    Ok(state.store.profiles(ids).await?)
}

/// The directory: people whose username or display name starts with `q`,
/// case-blind, by username.
pub async fn find(
    state: &AppState,
    q: &str,
    limit: Option<u32>,
    deactivated: bool,
) -> DomainResult<Vec<Profile>> {
    if q.chars().count() > MAX_DIRECTORY_QUERY_CHARS {
        return Err(DomainError::Invalid(format!(
            "a search is at most {MAX_DIRECTORY_QUERY_CHARS} characters"
        )));
    }
    let limit = limit.unwrap_or(DEFAULT_DIRECTORY_LIMIT);
    if !(1..=MAX_DIRECTORY_LIMIT).contains(&limit) {
        return Err(DomainError::Invalid(format!(
            "limit is 1 to {MAX_DIRECTORY_LIMIT}"
        )));
    }
    let key = search_key(q.strip_prefix('@').unwrap_or(q));
    Ok(state.store.find_people(&key, limit, deactivated).await?)
}

/// Checks an update against the rules of `docs/PROTOCOL.md`.
fn check(update: &ProfileUpdate) -> DomainResult<()> {
    let invalid = |why: &str| Err(DomainError::Invalid(why.into()));
    if let Some(Some(display)) = &update.display_name {
        if !display.trim().is_empty() && !valid_display_name(display.trim()) {
            return invalid("a display name is 1 to 64 characters, with no control characters");
        }
    }
    if let Some(Some(title)) = &update.title {
        if !valid_short_text(title, MAX_TITLE_CHARS) {
            return invalid("a title is at most 100 characters, with no control characters");
        }
    }
    if let Some(Some(zone)) = &update.timezone {
        let zone = zone.trim();
        if !zone.is_empty()
            && (zone.len() > MAX_TIMEZONE_CHARS || zone.parse::<chrono_tz::Tz>().is_err())
        {
            return invalid("the time zone is not an IANA time zone name (like Europe/Berlin)");
        }
    }
    if let Some(Some(status)) = &update.status {
        if !valid_short_text(&status.text, MAX_STATUS_TEXT_CHARS) {
            return invalid("a status is at most 100 characters, with no control characters");
        }
        if status.emoji.as_deref().is_some_and(|e| !valid_emoji(e)) {
            return invalid("a status emoji is one emoji");
        }
        if status
            .until
            .is_some_and(|until| until <= time::OffsetDateTime::now_utc())
        {
            return invalid("the status would end before it starts: until is in the past");
        }
    }
    Ok(())
}

/// Tells everyone that `profile` changed.
async fn announce(state: &AppState, profile: &Profile) {
    let frame = ServerFrame::UserUpdated {
        user: profile.clone(),
    };
    state.node.tell_everyone(frame).await;
}

/// A change's result (`None`: no such user), announced to everyone.
async fn announced(state: &AppState, changed: Option<Profile>) -> DomainResult<Profile> {
    let profile = changed.ok_or_else(no_user)?;
    announce(state, &profile).await;
    Ok(profile)
}

/// Changes the caller's profile; answers it as it is now.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    update: ProfileUpdate,
) -> DomainResult<Profile> {
    access::require_write(caller, None)?;
    check(&update)?;
    let changed = state.store.update_profile(caller.user.id, &update).await?;
    let profile = announced(state, changed).await?;
    if update.timezone.is_some() {
        // Quiet hours are reckoned in the profile's time zone.
        super::notifications::announce_dnd(state, caller).await?;
    }
    Ok(profile)
}

/// Tells everyone of `user`'s profile as it is now (deactivated, say).
pub async fn announce_user(state: &AppState, user: Uuid) {
    match state.store.profile(user).await {
        Ok(Some(profile)) => announce(state, &profile).await,
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "a changed profile could not be announced"),
    }
}

fn too_large(max: u64) -> DomainError {
    DomainError::TooLarge(format!("an avatar may be at most {max} bytes"))
}

/// Sets the caller's avatar from an uploaded image.
pub async fn set_avatar<E: std::fmt::Display>(
    state: &AppState,
    caller: &Caller,
    length: Option<u64>,
    body: impl Stream<Item = Result<Bytes, E>>,
) -> DomainResult<Profile> {
    access::require_write(caller, None)?;
    let max = state.config.max_file_bytes;
    if length.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let received = receive_within(state, body, max, too_large).await?;
    let Some(format) = image::format_of(&received.head) else {
        return Err(DomainError::Invalid(
            "an avatar is a PNG, JPEG, GIF or WebP image".into(),
        ));
    };
    let [large, small] =
        decode_in_turn(state, caller, &received, move |path, max_pixels, bytes| {
            crate::files::avatar::thumbnails(path, format, max_pixels, bytes)
        })
        .await?;
    let digest = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    let avatar = NewAvatar {
        large: (digest(&large), large),
        small: (digest(&small), small),
    };
    let changed = state.store.set_avatar(caller.user.id, &avatar).await?;
    state.avatars.forget_all();
    announced(state, changed).await
}

/// Removes the caller's avatar.
pub async fn clear_avatar(state: &AppState, caller: &Caller) -> DomainResult<Profile> {
    access::require_write(caller, None)?;
    let changed = state.store.clear_avatar(caller.user.id).await?;
    state.avatars.forget_all();
    announced(state, changed).await
}

/// A thumbnail's bytes, by digest (64 hex digits): from memory when this
/// instance served it lately (`files::avatar_cache`), else from the store.
pub async fn avatar(state: &AppState, digest: &str) -> DomainResult<bytes::Bytes> {
    let hex = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return Err(DomainError::NotFound("no such avatar".into()));
    }
    let digest = digest.to_ascii_lowercase();
    if let Some(bytes) = state.avatars.get(&digest) {
        return Ok(bytes);
    }
    let bytes = bytes::Bytes::from(
        state
            .store
            .avatar(&digest)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such avatar".into()))?,
    );
    state.avatars.put(&digest, bytes.clone());
    Ok(bytes)
}
