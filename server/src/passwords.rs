//! Password hashes: argon2id, computed on the blocking pool one per core at
//! most, through a queue bounded in length.
//!
//! Each hash takes 19 MiB and a core for tens of milliseconds, so a burst of
//! sign-ups or logins must not take every core and hundreds of MiB; and since
//! they wait in turn, an unbounded queue would let a flood stall everyone
//! else's sign-in for as long as the flood lasts. Past `max_queued` waiting,
//! a request is refused at once ([`Busy`]: the transports answer 503) and the
//! wait of those admitted stays bounded by the queue's length.

use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// The queue is full: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

pub struct Passwords {
    /// One per core: hashes running at once.
    slots: Semaphore,
    /// Hashes admitted (waiting or running).
    admitted: AtomicUsize,
    max_admitted: usize,
    /// Verified against when the user does not exist, so that an unknown
    /// name and a wrong password take the same time.
    dummy_hash: String,
}

impl Passwords {
    /// A queue that admits `max_queued` hashes waiting for a core (beyond
    /// those running).
    pub fn new(max_queued: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Passwords {
            slots: Semaphore::new(cores),
            admitted: AtomicUsize::new(0),
            max_admitted: cores + max_queued,
            dummy_hash: hash_blocking("confab-dummy-password"),
        }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.run(move || hash_blocking(&password)).await
    }

    /// Checks a password against a stored hash; with none (no such user) it
    /// takes the same time and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Busy> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let ok = self
            .run(move || {
                PasswordHash::new(&hash)
                    .map(|parsed| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(ok && known)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let admitted = self.admitted.fetch_add(1, Ordering::AcqRel);
        let _admission = Admission(&self.admitted);
        if admitted >= self.max_admitted {
            metrics::counter!("confab_password_queue_full_total").increment(1);
            return Err(Busy);
        }
        let _slot = self.slots.acquire().await.expect("never closed");
        Ok(tokio::task::spawn_blocking(work)
            .await
            .expect("argon2 task panicked"))
    }
}

/// Gives an admission back however the request ends (a client that hangs up
/// drops its future while it waits).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let p = Passwords::new(4);
        let hash = p.hash("correct horse".into()).await.unwrap();
        assert_eq!(
            p.verify("correct horse".into(), Some(hash.clone())).await,
            Ok(true)
        );
        assert_eq!(p.verify("wrong horse".into(), Some(hash)).await, Ok(false));
        assert_eq!(p.verify("anything".into(), None).await, Ok(false));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_frees_its_places() {
        let p = std::sync::Arc::new(Passwords::new(2));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let burst: Vec<_> = (0..cores + 10)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(async move { p.hash("pw-123456".into()).await })
            })
            .collect();
        let mut busy = 0;
        for task in burst {
            if task.await.unwrap().is_err() {
                busy += 1;
            }
        }
        assert!(busy >= 8, "only cores + 2 admitted, {busy} refused");
        assert!(p.hash("pw-123456".into()).await.is_ok(), "places freed");
        assert_eq!(p.admitted.load(Ordering::Acquire), 0);
    }
}
