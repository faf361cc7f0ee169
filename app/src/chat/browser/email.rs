//! E-mail for what was missed, in the browser: the user's address, delay
//! and whether mails are on (`GET`/`PUT /api/users/me/email`). A server
//! that sends no mail answers 404: the sidebar then shows nothing of it.

use std::rc::Rc;

use leptos::prelude::*;

use super::http;
use super::Runtime;
use crate::protocol::EmailSettings;

impl Runtime {
    pub(super) async fn load_email(self: Rc<Self>) {
        if !self.model.limits.get_untracked().email {
            return self.model.email.set(None);
        }
        let settings = http::call::<EmailSettings>("GET", "/api/users/me/email", None::<&()>).await;
        self.model.email.set(settings.ok());
    }

    pub(super) async fn set_email(self: Rc<Self>, settings: EmailSettings) {
        match http::call::<EmailSettings>("PUT", "/api/users/me/email", Some(&settings)).await {
            Ok(set) => {
                self.model.email.set(Some(set));
                self.model.notice.set(Some("E-mail settings saved".into()));
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }
}
