//! E-mail for what was missed: the caller's address, delay and whether
//! mails are on, and the link in every mail that stops them. What is mailed,
//! and when, is `crate::email`'s.

use protocol::{EmailSettings, MAX_EMAIL_CHARS, MAX_EMAIL_DELAY_SECS};

use super::{access, Caller, DomainError, DomainResult};
use crate::email::Unsubscribe;
use crate::state::AppState;

fn require_mail(state: &AppState) -> DomainResult<()> {
    if state.mailer.enabled() {
        Ok(())
    } else {
        Err(DomainError::NotFound("this server sends no e-mail".into()))
    }
}

/// The caller's settings.
pub async fn settings(state: &AppState, caller: &Caller) -> DomainResult<EmailSettings> {
    require_mail(state)?;
    Ok(state.store.email_settings(caller.user.id).await?)
}

/// Sets the caller's settings.
pub async fn set_settings(
    state: &AppState,
    caller: &Caller,
    mut settings: EmailSettings,
) -> DomainResult<EmailSettings> {
    require_mail(state)?;
    access::require_write(caller, None)?;
    if let Some(email) = &settings.email {
        let email = email.trim();
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(DomainError::TooLarge(format!(
                "an address has at most {MAX_EMAIL_CHARS} characters"
            )));
        }
        if email.parse::<lettre::Address>().is_err() {
            return Err(DomainError::Invalid(format!(
                "{email:?} is no e-mail address"
            )));
        }
        settings.email = Some(email.to_string());
    }
    let least = state
        .mailer
        .args
        .email_min_delay_secs
        .min(MAX_EMAIL_DELAY_SECS);
    if !(least..=MAX_EMAIL_DELAY_SECS).contains(&settings.delay_secs) {
        return Err(DomainError::Invalid(format!(
            "delay_secs is from {least} to {MAX_EMAIL_DELAY_SECS}"
        )));
    }
    state
        .store
        .set_email_settings(caller.user.id, &settings)
        .await?;
    Ok(settings)
}

/// Stops the mails of the user an unsubscribe link names.
pub async fn unsubscribe(state: &AppState, token: &str) -> DomainResult<()> {
    let link: Unsubscribe = state
        .auth
        .unseal(token)
        .filter(|l: &Unsubscribe| l.purpose == "unsubscribe")
        .ok_or_else(|| DomainError::Invalid("this link is not valid (or too old)".into()))?;
    let mut settings = state.store.email_settings(link.sub).await?;
    settings.on = false;
    state.store.set_email_settings(link.sub, &settings).await?;
    Ok(())
}
