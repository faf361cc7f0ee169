//! The admin console from the browser: users (found in the directory,
//! deactivated ones too), a user's bots and tokens, invite links, the
//! sign-up policy and the audit log (`/api/admin/…`). Each change is read
//! back from the server before it shows.

use std::rc::Rc;

use leptos::prelude::*;

use super::http::{self, encode};
use super::Runtime;
use crate::chat::model::AdminView;
use crate::chat::{AdminCommand, AdminTab, AuditFilter};
use crate::protocol::{
    AdminUserView, AuditPage, InviteInfo, InviteList, SignupPolicy, SignupSettings, UserList,
    DEFAULT_AUDIT_LIMIT,
};

impl Runtime {
    pub(super) async fn admin_command(self: Rc<Self>, command: AdminCommand) {
        let admin = self.model.admin;
        match command {
            AdminCommand::Show(false) => admin.set(None),
            AdminCommand::Show(true) => {
                admin.set(Some(AdminView::default()));
                self.find_users(String::new()).await;
            }
            AdminCommand::Tab(tab) => {
                admin.update(|v| {
                    if let Some(v) = v {
                        v.tab = tab;
                        v.error = None;
                    }
                });
                match tab {
                    AdminTab::Users => {}
                    AdminTab::Records => self.load_records().await,
                    AdminTab::Invites => self.load_invites().await,
                    AdminTab::SignUp => self.load_signup().await,
                    AdminTab::Audit => {
                        let filter = admin.with_untracked(|v| v.as_ref().map(|v| v.filter.clone()));
                        self.read_audit(filter.unwrap_or_default(), false).await;
                    }
                }
            }
            AdminCommand::FindUsers(text) => self.find_users(text).await,
            AdminCommand::OpenUser(None) => admin.update(|v| {
                if let Some(v) = v {
                    v.user = None;
                }
            }),
            AdminCommand::OpenUser(Some(user)) => self.open_user(&user).await,
            AdminCommand::SetDisabled { user, disabled } => {
                let verb = if disabled { "disable" } else { "enable" };
                let said = if disabled {
                    "deactivated"
                } else {
                    "reactivated"
                };
                self.user_action(&user, verb, said).await
            }
            AdminCommand::SetAdmin { user, admin: yes } => {
                let verb = if yes { "promote" } else { "demote" };
                let said = if yes {
                    "made an admin"
                } else {
                    "no longer an admin"
                };
                self.user_action(&user, verb, said).await
            }
            AdminCommand::CreateInvite(request) => {
                let made =
                    http::call::<InviteInfo>("POST", "/api/admin/invites", Some(&request)).await;
                match made {
                    Ok(invite) => {
                        self.say(format!("Invite link made: {}", invite.url));
                        self.load_invites().await;
                    }
                    Err(e) => self.admin_error(e.message),
                }
            }
            AdminCommand::RevokeInvite(code) => {
                let path = format!("/api/admin/invites/{}", encode(&code));
                match http::send("DELETE", &path, None::<&()>).await {
                    Ok(()) => {
                        self.say("Invite link revoked".into());
                        self.load_invites().await;
                    }
                    Err(e) => self.admin_error(e.message),
                }
            }
            AdminCommand::SetSignup(policy) => {
                let request = SignupSettings { policy };
                match http::call::<SignupSettings>("PUT", "/api/admin/signup", Some(&request)).await
                {
                    Ok(set) => {
                        admin.update(|v| {
                            if let Some(v) = v {
                                v.signup = Some(set.policy);
                            }
                        });
                        self.say(format!("Sign-up is now {}", policy_words(set.policy)));
                    }
                    Err(e) => self.admin_error(e.message),
                }
            }
            AdminCommand::Audit(filter) => self.read_audit(filter, false).await,
            AdminCommand::ImportSlack(file) => self.import_slack(file).await,
            AdminCommand::ClaimLink(user) => self.claim_link(user).await,
            AdminCommand::SetRetention { room, days } => self.set_retention(room, days).await,
            AdminCommand::PlaceHold {
                kind,
                target,
                reason,
            } => self.place_hold(kind, target, reason).await,
            AdminCommand::ReleaseHold { kind, target } => self.release_hold(kind, target).await,
            AdminCommand::AuditOlder => {
                let filter = admin.with_untracked(|v| v.as_ref().map(|v| v.filter.clone()));
                self.read_audit(filter.unwrap_or_default(), true).await;
            }
        }
    }

    async fn find_users(&self, text: String) {
        let path = format!(
            "/api/users?q={}&limit=50&deactivated=true",
            encode(text.trim())
        );
        self.model.admin.update(|v| {
            if let Some(v) = v {
                v.users.text = text.clone();
                v.users.loading = true;
            }
        });
        let answer = http::call::<UserList>("GET", &path, None::<&()>).await;
        self.model.admin.update(|v| {
            // Closed meanwhile, or a newer search went out.
            let Some(users) = v.as_mut().map(|v| &mut v.users).filter(|u| u.text == text) else {
                return;
            };
            users.loading = false;
            match answer {
                Ok(list) => {
                    users.error = None;
                    users.items = list.users;
                }
                Err(e) => users.error = Some(e.message),
            }
        });
    }

    async fn open_user(&self, user: &str) {
        let path = format!("/api/admin/users/{}", encode(user));
        match http::call::<AdminUserView>("GET", &path, None::<&()>).await {
            Ok(view) => self.model.admin.update(|v| {
                if let Some(v) = v {
                    v.user = Some(view);
                }
            }),
            Err(e) => self.admin_error(e.message),
        }
    }

    /// `POST /api/admin/users/{user}/{verb}`, then the user read again.
    async fn user_action(&self, user: &str, verb: &str, said: &str) {
        let path = format!("/api/admin/users/{}/{verb}", encode(user));
        match http::send("POST", &path, None::<&()>).await {
            Ok(()) => {
                self.say(format!("{user} {said}"));
                let text = self
                    .model
                    .admin
                    .with_untracked(|v| v.as_ref().map(|v| v.users.text.clone()));
                self.find_users(text.unwrap_or_default()).await;
                if self
                    .model
                    .admin
                    .with_untracked(|v| v.as_ref().is_some_and(|v| v.user.is_some()))
                {
                    self.open_user(user).await;
                }
            }
            Err(e) => self.admin_error(e.message),
        }
    }

    async fn load_invites(&self) {
        match http::call::<InviteList>("GET", "/api/admin/invites", None::<&()>).await {
            Ok(list) => self.model.admin.update(|v| {
                if let Some(v) = v {
                    v.invites = list.invites;
                }
            }),
            Err(e) => self.admin_error(e.message),
        }
    }

    async fn load_signup(&self) {
        match http::call::<SignupSettings>("GET", "/api/admin/signup", None::<&()>).await {
            Ok(set) => self.model.admin.update(|v| {
                if let Some(v) = v {
                    v.signup = Some(set.policy);
                }
            }),
            Err(e) => self.admin_error(e.message),
        }
    }

    /// The newest entries `filter` matches, or (`older`) the page before
    /// those shown.
    async fn read_audit(&self, filter: AuditFilter, older: bool) {
        let before = if older {
            self.model
                .admin
                .with_untracked(|v| v.as_ref().and_then(|v| v.audit.last().map(|e| e.id)))
        } else {
            None
        };
        let mut query = filter.query();
        if let Some(before) = before {
            query.push_str(&format!("&before={before}"));
        }
        let path = format!("/api/admin/audit?limit={DEFAULT_AUDIT_LIMIT}&{query}");
        self.model.admin.update(|v| {
            if let Some(v) = v {
                v.filter = filter;
                v.loading = true;
            }
        });
        let page = http::call::<AuditPage>("GET", &path, None::<&()>).await;
        self.model.admin.update(|v| {
            let Some(v) = v else { return };
            v.loading = false;
            match page {
                Ok(page) => {
                    v.error = None;
                    v.audit_more = page.entries.len() as u32 >= DEFAULT_AUDIT_LIMIT;
                    if older {
                        v.audit.extend(page.entries);
                    } else {
                        v.audit = page.entries;
                    }
                }
                Err(e) => v.error = Some(e.message),
            }
        });
    }

    pub(super) fn say(&self, said: String) {
        self.model.admin.update(|v| {
            if let Some(v) = v {
                v.error = None;
                v.said = Some(said);
            }
        });
    }

    pub(super) fn admin_error(&self, message: String) {
        self.model.admin.update(|v| {
            if let Some(v) = v {
                v.error = Some(message);
            }
        });
    }
}

/// A sign-up policy in words.
pub fn policy_words(policy: SignupPolicy) -> &'static str {
    match policy {
        SignupPolicy::Open => "open to anyone",
        SignupPolicy::Invite => "by invite link only",
        SignupPolicy::Sso => "through single sign-on only",
    }
}
