//! The fuzz target `untrusted_text` (`fuzz/`), shared with the corpus
//! regression test: text nobody vouches for, put through the three places
//! that take it apart besides the socket's frames, each with what must hold
//! afterwards:
//!
//! - an upload's file name: cleaned, it has no path, no control or format
//!   character (no bidi override), at most [`MAX_FILE_NAME_CHARS`] characters,
//!   and is never empty;
//! - a search text: searching with it answers results or `invalid`, never a
//!   store error (which would mean the text reached the query's syntax);
//! - a webhook's Slack-shaped JSON body: parsed, posted through a real
//!   webhook, it is stored or refused with a client error, never a server one.

use protocol::{clean_file_name, is_hidden_control, UserRef, WebhookPost, MAX_FILE_NAME_CHARS};

use crate::auth::Scope;
use crate::domain::{search, webhooks, Caller, DomainError};
use crate::state::AppState;

/// Runs one input through all three. Panics when something that must hold
/// does not.
pub async fn exercise(state: &AppState, secret: &str, caller: &Caller, input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    check_file_name(&text);
    let request = search::Request {
        text: text.to_string(),
        ..Default::default()
    };
    match search::search(state, caller, request).await {
        Ok(_) | Err(DomainError::Invalid(_)) => {}
        Err(e) => panic!("search for {text:?} failed: {e:?}"),
    }
    if let Ok(post) = serde_json::from_slice::<WebhookPost>(input) {
        match webhooks::post(state, secret, post, None).await {
            Ok(_)
            | Err(
                DomainError::Invalid(_) | DomainError::TooLarge(_) | DomainError::RateLimited(_),
            ) => {}
            Err(e) => panic!("a webhook post of {input:?} failed: {e:?}"),
        }
    }
}

fn check_file_name(text: &str) {
    let name = clean_file_name(text);
    assert!(!name.is_empty(), "{text:?}");
    assert!(name.chars().count() <= MAX_FILE_NAME_CHARS, "{text:?}");
    assert!(!name.contains(['/', '\\']), "{text:?} → {name:?}");
    assert!(!name.chars().any(is_hidden_control), "{text:?} → {name:?}");
    assert!(!name.starts_with('.'), "{text:?} → {name:?}");
    assert_eq!(name.trim(), name, "{text:?}");
}

/// What inputs reach: the user `fuzz` (a member of `general`) and a webhook
/// of theirs there. Answers the webhook's secret and the caller.
pub async fn prepare(state: &AppState) -> (String, Caller) {
    let user = match state.store.user_by_name("fuzz").await.expect("the store") {
        Some(record) => record.user,
        None => state
            .store
            .create_user("fuzz", "-")
            .await
            .expect("fuzz user"),
    };
    state
        .store
        .ensure_public_room("general")
        .await
        .expect("general");
    state
        .store
        .add_member("general", user.id)
        .await
        .expect("member");
    let caller = caller_of(user);
    let name = format!("hook{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (_, secret) = webhooks::create(state, &caller, "general", &name)
        .await
        .expect("a webhook");
    (secret, caller)
}

fn caller_of(user: UserRef) -> Caller {
    Caller {
        user,
        conn: None,
        scope: Scope::default(),
    }
}
