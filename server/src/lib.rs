//! Confab's server: an axum app holding the WebSockets, with the engine that
//! stores, orders and fans out messages.
//!
//! - [`config`]: flags and environment.
//! - [`auth`], [`sessions`], [`access_tokens`], [`oidc`]: who a request is,
//!   sign-ins, personal access tokens, and sign-in through an OpenID provider.
//! - [`store`]: the store of record (SQLite or PostgreSQL), which assigns every message's `seq`.
//! - [`broker`]: fan-out between instances (in process for one instance).
//! - [`engine`]: ordered, gap-free delivery to this instance's connections.
//! - [`files`]: where uploaded files' bytes live (local disk or S3).
//! - [`gateway`]: the `/ws` endpoint, one task per connection.
//! - [`http`]: the JSON API, health and metrics.
//! - [`limits`]: token buckets, login throttling, and per-user limits that hold
//!   across instances.
//! - [`push`], [`email`]: Web Push to subscribed browsers, and e-mail of what
//!   was missed.
//! - [`ui`]: the server-rendered Leptos app.

// The rendered page is one deeply nested view type (Leptos SSR).
#![recursion_limit = "256"]

pub mod access_tokens;
pub mod admin_cli;
pub mod auth;
pub mod broker;
pub mod config;
pub mod domain;
pub mod email;
pub mod engine;
pub mod export_cli;
pub mod files;
pub mod gateway;
pub mod http;
pub mod import_cli;
pub mod limits;
mod listen;
pub mod oidc;
pub mod passwords;
pub mod push;
pub mod release;
pub mod restore;
mod server;
pub mod sessions;
pub mod slack;
pub mod state;
pub mod store;
pub mod telemetry;
mod ui;
pub mod unfurl;
#[cfg(feature = "fuzzing")]
pub mod untrusted_text;

pub use server::{build, run};
