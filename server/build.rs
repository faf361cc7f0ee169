//! Rebuilds the server when a migration is added or changed: `sqlx::migrate!`
//! embeds `migrations/` when the crate compiles, and cargo does not watch
//! that folder by itself (a new migration alone left a stale binary behind).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
