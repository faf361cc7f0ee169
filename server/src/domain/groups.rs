//! User groups: a name, like `@design`, that mentions its members (those who
//! can read the room it is said in: `mentions`). Anyone signed in may make
//! one; its maker and admins change or delete it. A group's name follows
//! the username rule, is never a user's name (nor a user's name a group's:
//! the store checks both ways) and never `here`, `channel` or `all`. At most
//! [`MAX_GROUPS`] groups of [`MAX_GROUP_SIZE`] members each.

use std::collections::HashSet;

use protocol::{
    reserved_name, valid_short_text, valid_username, CreateGroup, GroupUpdate, UserGroup,
    MAX_GROUPS, MAX_GROUP_DESCRIPTION_CHARS, MAX_GROUP_SIZE,
};
use uuid::Uuid;

use super::{access, audit, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{GroupChange, StoreError};

/// Every group, sorted by name.
pub async fn list(state: &AppState) -> DomainResult<Vec<UserGroup>> {
    Ok(state.store.groups(MAX_GROUPS as u32).await?)
}

/// Makes a group; answers it.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    request: CreateGroup,
) -> DomainResult<UserGroup> {
    access::require_write(caller, None)?;
    check_name(&request.name)?;
    check_description(&request.description)?;
    let members = resolve_members(state, &request.members).await?;
    if state.store.groups(MAX_GROUPS as u32 + 1).await?.len() >= MAX_GROUPS {
        return Err(DomainError::Invalid(format!(
            "this server keeps {MAX_GROUPS} groups, the most allowed"
        )));
    }
    let id = Uuid::now_v7();
    state
        .store
        .create_group(
            id,
            caller.user.id,
            &request.name,
            &request.description,
            &members,
        )
        .await
        .map_err(name_taken)?;
    let group = found(state, id).await?;
    let detail = serde_json::json!({"group": id, "members": members.len()});
    audit::record(
        state,
        Some(&caller.user),
        "group.create",
        &group.name,
        detail,
    )
    .await;
    Ok(group)
}

/// Changes a group (its maker or an admin); answers it.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request: GroupUpdate,
) -> DomainResult<UserGroup> {
    let group = may_change(state, caller, id).await?;
    if let Some(name) = &request.name {
        check_name(name)?;
    }
    if let Some(description) = &request.description {
        check_description(description)?;
    }
    let members = match &request.members {
        Some(keys) => Some(resolve_members(state, keys).await?),
        None => None,
    };
    let change = GroupChange {
        name: request.name,
        description: request.description,
        members,
    };
    if !state
        .store
        .update_group(group.id, &change)
        .await
        .map_err(name_taken)?
    {
        return Err(no_group());
    }
    let detail = serde_json::json!({
        "group": group.id,
        "name": change.name,
        "members": change.members.as_ref().map(Vec::len),
    });
    audit::record(
        state,
        Some(&caller.user),
        "group.update",
        &group.name,
        detail,
    )
    .await;
    found(state, group.id).await
}

/// Deletes a group (its maker or an admin).
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> DomainResult<()> {
    let group = may_change(state, caller, id).await?;
    if !state.store.delete_group(group.id).await? {
        return Err(no_group());
    }
    let detail = serde_json::json!({"group": group.id});
    audit::record(
        state,
        Some(&caller.user),
        "group.delete",
        &group.name,
        detail,
    )
    .await;
    Ok(())
}

/// The group `id` names, if the caller may change it.
async fn may_change(state: &AppState, caller: &Caller, id: &str) -> DomainResult<UserGroup> {
    access::require_write(caller, None)?;
    let id = Uuid::parse_str(id).map_err(|_| no_group())?;
    let group = found(state, id).await?;
    if group.created_by.id != caller.user.id && !access::is_admin(state, caller.user.id).await? {
        return Err(DomainError::Forbidden(
            "only the group's maker or an admin changes it".into(),
        ));
    }
    Ok(group)
}

async fn found(state: &AppState, id: Uuid) -> DomainResult<UserGroup> {
    state.store.group(id).await?.ok_or_else(no_group)
}

fn no_group() -> DomainError {
    DomainError::NotFound("no such group".into())
}

fn name_taken(e: StoreError) -> DomainError {
    match e {
        StoreError::Conflict => {
            DomainError::Conflict("that name is taken by a user or a group".into())
        }
        other => other.into(),
    }
}

fn check_name(name: &str) -> DomainResult<()> {
    if !valid_username(name) {
        return Err(DomainError::Invalid(
            "a group's name must be 1-32 characters of A-Z, a-z, 0-9, '_', '.', '-'".into(),
        ));
    }
    if reserved_name(name) {
        return Err(DomainError::Invalid(format!(
            "@{name} mentions a room's members: no group takes that name"
        )));
    }
    Ok(())
}

fn check_description(description: &str) -> DomainResult<()> {
    if valid_short_text(description, MAX_GROUP_DESCRIPTION_CHARS) {
        return Ok(());
    }
    Err(DomainError::Invalid(format!(
        "a group's description is at most {MAX_GROUP_DESCRIPTION_CHARS} characters, \
         with no control characters"
    )))
}

/// The ids of the users `keys` name (ids or names), each once; every key
/// must name an active user.
async fn resolve_members(state: &AppState, keys: &[String]) -> DomainResult<Vec<Uuid>> {
    if keys.len() > MAX_GROUP_SIZE {
        return Err(DomainError::Invalid(format!(
            "a group has at most {MAX_GROUP_SIZE} members"
        )));
    }
    let users = state.store.users_named(keys).await?;
    let known: HashSet<String> = users
        .iter()
        .flat_map(|u| [u.id.to_string(), u.name.to_ascii_lowercase()])
        .collect();
    if let Some(unknown) = keys
        .iter()
        .find(|k| !known.contains(&k.to_ascii_lowercase()))
    {
        let shown: String = unknown.chars().take(64).collect();
        return Err(DomainError::Invalid(format!("no active user {shown:?}")));
    }
    Ok(users.into_iter().map(|u| u.id).collect())
}
