//! Web Push subscriptions: the server's public key, and the caller's
//! subscribed browsers (`docs/PROTOCOL.md`, *Web Push*). What is pushed, and
//! to whom, is `crate::push`'s.

use protocol::{
    PushDevice, PushDevices, PushKey, PushSubscribe, MAX_PUSH_ENDPOINT, MAX_PUSH_SUBSCRIPTIONS,
};
use time::OffsetDateTime;

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::PushSubscription;

/// Longest User-Agent kept to name a subscription, in characters.
const MAX_AGENT_CHARS: usize = 200;

fn require_push(state: &AppState) -> DomainResult<()> {
    if state.pusher.args.pushes {
        Ok(())
    } else {
        Err(DomainError::NotFound(
            "pushes are off on this server".into(),
        ))
    }
}

/// The VAPID public key browsers subscribe with.
pub fn key(state: &AppState) -> DomainResult<PushKey> {
    require_push(state)?;
    match state.pusher.vapid() {
        Some(vapid) => Ok(PushKey {
            key: vapid.public.clone(),
        }),
        None => Err(DomainError::Busy(
            "the push key is not loaded yet; retry shortly".into(),
        )),
    }
}

/// Subscribes a browser of the caller's (`agent`: its User-Agent); a
/// browser subscribed by another account moves to this one.
pub async fn subscribe(
    state: &AppState,
    caller: &Caller,
    request: PushSubscribe,
    agent: Option<&str>,
) -> DomainResult<()> {
    require_push(state)?;
    access::require_write(caller, None)?;
    if request.endpoint.len() > MAX_PUSH_ENDPOINT {
        return Err(DomainError::TooLarge(format!(
            "endpoint is longer than {MAX_PUSH_ENDPOINT} bytes"
        )));
    }
    state
        .pusher
        .may_push_to(&request.endpoint)
        .map_err(DomainError::Invalid)?;
    crate::push::browser_keys(&request.keys.p256dh, &request.keys.auth)
        .map_err(|why| DomainError::Invalid(why.to_string()))?;
    let agent = agent.map(|agent| {
        agent
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_AGENT_CHARS)
            .collect::<String>()
    });
    let subscription = PushSubscription {
        endpoint: request.endpoint,
        user: caller.user.id,
        p256dh: request.keys.p256dh,
        auth: request.keys.auth,
        agent: agent.filter(|a| !a.trim().is_empty()),
        created: OffsetDateTime::now_utc(),
    };
    state
        .store
        .subscribe(&subscription, MAX_PUSH_SUBSCRIPTIONS as u32)
        .await?;
    Ok(())
}

/// Unsubscribes one of the caller's browsers.
pub async fn unsubscribe(state: &AppState, caller: &Caller, endpoint: &str) -> DomainResult<()> {
    access::require_write(caller, None)?;
    if state.store.unsubscribe(caller.user.id, endpoint).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound(
            "no subscription of yours has that endpoint".into(),
        ))
    }
}

/// The caller's subscribed browsers, the newest first.
pub async fn devices(state: &AppState, caller: &Caller) -> DomainResult<PushDevices> {
    let subscriptions = state.store.subscriptions(caller.user.id).await?;
    Ok(PushDevices {
        subscriptions: subscriptions
            .into_iter()
            .map(|s| PushDevice {
                endpoint: s.endpoint,
                agent: s.agent,
                created: s.created,
            })
            .collect(),
    })
}
