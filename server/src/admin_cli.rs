//! `confab admin …`: making admins, run by whoever runs the server, against
//! its store (`DATABASE_URL`, or the SQLite file in `--data-dir`), and then
//! exiting. Nobody becomes an admin over the network: not by registering a
//! name, not by any API call. The change counts at once on every running
//! instance (admin rights are read from the store on each admin request).

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::config::{AdminCommand, Config};
use crate::domain::accounts::check_new_account;
use crate::passwords::Passwords;
use crate::store::{self, redact_url, Store, StoreError};

/// The store the server uses, for a command run beside it (`confab admin`,
/// `export`, `import`).
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url();
    store::open(&url)
        .await
        .with_context(|| format!("opening the store at {}", redact_url(&url)))
}

/// Runs one admin command; what it did is printed on standard output.
pub async fn run(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let done = match command {
        AdminCommand::Create { name } => create(store.as_ref(), &name).await,
        AdminCommand::Promote { name } => set_admin(store.as_ref(), &name, true).await,
        AdminCommand::Demote { name } => set_admin(store.as_ref(), &name, false).await,
    };
    store.close().await;
    println!("{}", done?);
    Ok(())
}

/// A new account that is an admin; its password comes from standard input
/// (typed without echo on a terminal, else its first line).
async fn create(store: &dyn Store, name: &str) -> anyhow::Result<String> {
    let password = read_password(name)?;
    check_new_account(name, &password)?;
    let hash = Passwords::new(0)
        .hash(password)
        .await
        .map_err(|_| anyhow::anyhow!("hashing the password failed"))?;
    let user = match store.create_user(name, &hash).await {
        Err(StoreError::Conflict) => {
            bail!("{name:?} is taken; `confab admin promote {name}` makes that account an admin")
        }
        other => other?,
    };
    store.set_admin(user.id, true).await?;
    tracing::info!(user = %user.name, "admin created");
    Ok(format!("created admin {}", user.name))
}

async fn set_admin(store: &dyn Store, name: &str, admin: bool) -> anyhow::Result<String> {
    let Some(record) = store.user_by_name(name).await? else {
        bail!("no account is named {name:?}");
    };
    store.set_admin(record.user.id, admin).await?;
    tracing::info!(user = %record.user.name, admin, "admin rights changed");
    Ok(if admin {
        format!("{} is an admin", record.user.name)
    } else {
        format!("{} is no longer an admin", record.user.name)
    })
}

fn read_password(name: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            bail!("the passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
