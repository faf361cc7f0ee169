//! Slack's formats, read (docs/PROTOCOL.md, "Records"): its `mrkdwn` as
//! Confab's Markdown (`mrkdwn`), and a Slack-shaped post — text, Block Kit
//! blocks, legacy attachments — as a message's body and cards (`post`).
//! Incoming webhooks use them, so that what CI tools, Grafana or Sentry
//! post to a Slack URL looks right here.

pub mod export_zip;
pub mod import;
mod import_log;
pub(crate) use import_log::stable_id;
pub mod mrkdwn;
pub mod post;
