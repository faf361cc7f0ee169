//! Who is online in a room, as this instance knows it: a mirror of the broker's
//! presence, kept per room with subscribers here.
//!
//! Reading the broker's list costs O(people online) on every join, which made
//! filling a 10,000-user room quadratic (docs/bench-notes.md). The mirror is read
//! from the broker once when the room gets its first subscriber here, then kept
//! by the presence changes this instance makes and hears; it is read again at
//! most every [`REFRESH`] by the next joiner, so whatever a lost event got wrong
//! heals. It holds only users online in the room, which the broker holds too.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use protocol::{UserRef, MAX_ONLINE_LISTED};
use tokio::sync::watch;
use uuid::Uuid;

/// How old a mirror may get before the next joiner reads the broker again.
pub const REFRESH: Duration = Duration::from_secs(60);

/// How long a read may stay in flight before another joiner starts its own (the
/// first reader's connection may have gone away mid-read).
const ABANDONED: Duration = Duration::from_secs(10);

pub struct Online {
    /// Sorted by name, then id: the listing is the first [`MAX_ONLINE_LISTED`].
    by_name: BTreeSet<(String, Uuid)>,
    names: HashMap<Uuid, String>,
    loaded_at: Option<Instant>,
    /// While a read from the broker is in flight: when it started, and the
    /// changes heard meanwhile, replayed on top of what it returns.
    loading: Option<(Instant, Vec<(UserRef, bool)>)>,
    /// Bumped when a read ends, for joiners waiting on the first one.
    loads: watch::Sender<u64>,
}

impl Default for Online {
    fn default() -> Self {
        Online {
            by_name: BTreeSet::new(),
            names: HashMap::new(),
            loaded_at: None,
            loading: None,
            loads: watch::Sender::new(0),
        }
    }
}

/// What a joiner should do about the mirror.
pub enum Next {
    /// It is usable: list it.
    List,
    /// Read the broker and hand the result to [`Online::finish_load`].
    Load,
    /// Another joiner is reading it for the first time: wait for that.
    Wait(watch::Receiver<u64>),
}

impl Online {
    /// Records that `user` came online (or went offline).
    pub fn set(&mut self, user: &UserRef, online: bool) {
        if let Some((_, heard)) = &mut self.loading {
            heard.push((user.clone(), online));
        }
        self.apply(user, online);
    }

    fn apply(&mut self, user: &UserRef, online: bool) {
        if let Some(old) = self.names.remove(&user.id) {
            self.by_name.remove(&(old, user.id));
        }
        if online {
            self.names.insert(user.id, user.name.clone());
            self.by_name.insert((user.name.clone(), user.id));
        }
    }

    /// Whether the caller should list, read the broker (then it is marked as
    /// being read), or wait for another's first read.
    pub fn next(&mut self, now: Instant) -> Next {
        let fresh = self
            .loaded_at
            .is_some_and(|at| now.duration_since(at) < REFRESH);
        let in_flight = self
            .loading
            .as_ref()
            .is_some_and(|(since, _)| now.duration_since(*since) < ABANDONED);
        if fresh || (in_flight && self.loaded_at.is_some()) {
            return Next::List;
        }
        if in_flight {
            return Next::Wait(self.loads.subscribe());
        }
        self.loading = Some((now, Vec::new()));
        Next::Load
    }

    /// Installs what the broker listed (or keeps what is known, if the read
    /// failed: the next joiner tries again), then the changes heard meanwhile.
    pub fn finish_load(&mut self, listed: Option<Vec<UserRef>>, now: Instant) {
        let heard = self.loading.take().map(|(_, h)| h).unwrap_or_default();
        if let Some(users) = listed {
            self.by_name.clear();
            self.names.clear();
            for user in &users {
                self.apply(user, true);
            }
            self.loaded_at = Some(now);
        }
        for (user, online) in &heard {
            self.apply(user, *online);
        }
        self.loads.send_modify(|n| *n += 1);
    }

    /// The first [`MAX_ONLINE_LISTED`] online by name, and how many are online.
    pub fn listing(&self) -> (Vec<UserRef>, u32) {
        self.first(MAX_ONLINE_LISTED)
    }

    /// The first `n` online by name, and how many are online.
    fn first(&self, n: usize) -> (Vec<UserRef>, u32) {
        let users = self
            .by_name
            .iter()
            .take(n)
            .map(|(name, id)| UserRef {
                id: *id,
                name: name.clone(),
            })
            .collect();
        (users, self.count())
    }

    /// Those of `wanted` who are online, by name, and how many are online.
    pub fn listing_of(&self, wanted: &[Uuid]) -> (Vec<UserRef>, u32) {
        let mut users: Vec<UserRef> = wanted
            .iter()
            .filter_map(|id| {
                self.names.get(id).map(|name| UserRef {
                    id: *id,
                    name: name.clone(),
                })
            })
            .collect();
        users.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        (users, self.count())
    }

    /// What a connection is told is online: everyone while at most
    /// `for_all` are; in a bigger room those of `wanted` online, or the first
    /// `for_all` by name if it never said whose presence it wants (it hears
    /// no changes there, and a thousand names per join made filling a big
    /// room cost 60 KB of JSON a joiner).
    pub fn listing_for(&self, wanted: Option<&[Uuid]>, for_all: u32) -> (Vec<UserRef>, u32) {
        match wanted {
            _ if self.count() <= for_all => self.listing(),
            Some(wanted) => self.listing_of(wanted),
            None => self.first(for_all as usize),
        }
    }

    /// How many are online.
    pub fn count(&self) -> u32 {
        self.names.len().min(u32::MAX as usize) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserRef {
        UserRef {
            id: Uuid::new_v4(),
            name: name.into(),
        }
    }

    #[test]
    fn the_first_joiner_loads_and_the_others_wait_then_list() {
        let mut online = Online::default();
        let t0 = Instant::now();
        assert!(matches!(online.next(t0), Next::Load));
        assert!(matches!(online.next(t0), Next::Wait(_)));
        let (ann, bob, cy) = (user("ann"), user("bob"), user("cy"));
        // bob leaves and cy comes while the read is in flight: the read,
        // taken before, still lists bob and lacks cy.
        online.set(&bob, false);
        online.set(&cy, true);
        online.finish_load(Some(vec![bob.clone(), ann.clone()]), t0);
        assert!(matches!(online.next(t0), Next::List));
        assert_eq!(online.listing(), (vec![ann, cy], 2));
    }

    #[test]
    fn a_stale_mirror_is_read_again_by_one_joiner_while_others_list() {
        let mut online = Online::default();
        let t0 = Instant::now();
        assert!(matches!(online.next(t0), Next::Load));
        online.finish_load(Some(vec![user("ann")]), t0);
        let later = t0 + REFRESH;
        assert!(matches!(online.next(later), Next::Load));
        assert!(matches!(online.next(later), Next::List));
    }

    #[test]
    fn a_failed_or_abandoned_read_is_tried_again() {
        let mut online = Online::default();
        let t0 = Instant::now();
        assert!(matches!(online.next(t0), Next::Load));
        assert!(matches!(online.next(t0 + ABANDONED), Next::Load));
        online.finish_load(None, t0);
        assert!(matches!(online.next(t0), Next::Load));
    }

    #[test]
    fn a_renamed_user_is_listed_once_under_the_new_name() {
        let mut online = Online::default();
        let mut ann = user("ann");
        online.set(&ann, true);
        ann.name = "anne".into();
        online.set(&ann, true);
        assert_eq!(online.listing(), (vec![ann], 1));
    }
}
