//! The settings panel from the browser: the user's personal access tokens
//! (`/api/tokens`) and bots (`/api/bots`), made, listed and revoked; the
//! ways to sign in (`/api/auth/providers`), asked once at start; and the
//! identities linked to the account (`/api/auth/identities`), linked with the
//! password given again and unlinked.

use std::rc::Rc;

use leptos::prelude::*;
use uuid::Uuid;

use super::{http, Runtime};
use crate::chat::model::SettingsView;
use crate::protocol::{
    AuthProviders, BotList, CreateBot, CreateToken, CreatedToken, IdentityList, LinkRequest,
    OidcLink, TokenList, UnlinkRequest,
};

impl Runtime {
    /// Asks which ways to sign in the server offers (for the sign-in page).
    pub(super) async fn load_providers(self: Rc<Self>) {
        if let Ok(providers) =
            http::call::<AuthProviders>("GET", "/api/auth/providers", None::<&()>).await
        {
            self.model.providers.set(providers);
        }
    }

    pub(super) async fn show_settings(self: Rc<Self>, show: bool) {
        if !show {
            self.model.settings.set(None);
            return;
        }
        self.model.settings.set(Some(SettingsView {
            loading: true,
            ..Default::default()
        }));
        self.reload_settings(None).await;
    }

    /// Reads the lists again; `error` (what just failed) stays shown.
    async fn reload_settings(&self, error: Option<String>) {
        let tokens = http::call::<TokenList>("GET", "/api/tokens", None::<&()>).await;
        let bots = http::call::<BotList>("GET", "/api/bots", None::<&()>).await;
        let identities =
            http::call::<IdentityList>("GET", "/api/auth/identities", None::<&()>).await;
        self.model.settings.update(|view| {
            let Some(view) = view else { return };
            view.loading = false;
            view.error = error;
            match (tokens, bots, identities) {
                (Ok(tokens), Ok(bots), Ok(identities)) => {
                    view.tokens = tokens.tokens;
                    view.bots = bots.bots;
                    view.identities = identities.identities;
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => view.error = Some(e.message),
            }
        });
    }

    pub(super) async fn create_token(self: Rc<Self>, request: CreateToken) {
        match http::call::<CreatedToken>("POST", "/api/tokens", Some(&request)).await {
            Ok(created) => {
                self.model.settings.update(|view| {
                    if let Some(view) = view {
                        view.created = Some(created);
                    }
                });
                self.reload_settings(None).await;
            }
            Err(e) => self.reload_settings(Some(e.message)).await,
        }
    }

    pub(super) async fn revoke_token(self: Rc<Self>, id: Uuid) {
        let answer = http::send("DELETE", &format!("/api/tokens/{id}"), None::<&()>).await;
        self.model.settings.update(|view| {
            if let Some(view) = view
                .as_mut()
                .filter(|v| v.created.as_ref().is_some_and(|c| c.info.id == id))
            {
                view.created = None;
            }
        });
        self.reload_settings(answer.err().map(|e| e.message)).await;
    }

    pub(super) async fn create_bot(self: Rc<Self>, name: String) {
        let answer =
            http::call::<crate::protocol::UserRef>("POST", "/api/bots", Some(&CreateBot { name }))
                .await;
        self.reload_settings(answer.err().map(|e| e.message)).await;
    }

    pub(super) async fn delete_bot(self: Rc<Self>, name: String) {
        let path = format!("/api/bots/{}", js_sys::encode_uri_component(&name));
        let answer = http::send("DELETE", &path, None::<&()>).await;
        self.reload_settings(answer.err().map(|e| e.message)).await;
    }

    /// Asks where to link this account, and goes there (the provider sends
    /// the browser back to the chat).
    pub(super) async fn link_sso(self: Rc<Self>, password: String) {
        let Some(path) = self
            .model
            .providers
            .with_untracked(|p| p.oidc.as_ref().map(|o| o.link.clone()))
        else {
            return;
        };
        match http::call::<OidcLink>("POST", &path, Some(&LinkRequest { password })).await {
            Ok(link) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&link.url);
                }
            }
            Err(e) => self.reload_settings(Some(e.message)).await,
        }
    }

    pub(super) async fn unlink_identity(self: Rc<Self>, which: UnlinkRequest) {
        let answer = http::send("DELETE", "/api/auth/identities", Some(&which)).await;
        self.reload_settings(answer.err().map(|e| e.message)).await;
    }

    pub(super) fn dismiss_secret(&self) {
        self.model.settings.update(|view| {
            if let Some(view) = view {
                view.created = None;
            }
        });
    }
}
