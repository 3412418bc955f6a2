//! Expiry of the keys that clients of a writable replica (`replica-read-only no`) give a
//! time to live.
//!
//! A replica never expires keys by itself: its master decides, and sends DELs. But a key
//! written on the replica by its own clients is unknown to the master, so nobody would
//! ever delete it. Like Redis (expireSlaveKeys), the replica remembers those keys, with
//! the databases they were set in, and its cron deletes the ones whose time has passed.
//! INFO's `slave_expires_tracked_keys` counts them.

use std::collections::HashMap;

use crate::commands::CommandId;
use crate::db::ExpireMode;
use crate::server::Server;

/// Redis tracks a key's databases in a 64-bit map; keys of higher databases are not
/// tracked (as in Redis).
const TRACKED_DBS: usize = 64;

/// Keys after which a pass stops when it finds this many that have not expired yet.
const PASS_STOP_AFTER_LIVE: usize = 3;

/// The keys a writable replica's clients gave a time to live, each with the bitmap of
/// the databases it got one in. A vector with an index, so that a pass can sample at
/// random (a fixed order would keep looking at the same live keys first).
#[derive(Debug, Default)]
pub struct LocalExpires {
    entries: Vec<(Vec<u8>, u64)>,
    index: HashMap<Vec<u8>, usize>,
}

impl LocalExpires {
    /// Remembers that `key` has a time to live in database `db`.
    pub fn remember(&mut self, db: usize, key: &[u8]) {
        if db >= TRACKED_DBS {
            return;
        }
        let bit = 1u64 << db;
        match self.index.get(key) {
            Some(&i) => self.entries[i].1 |= bit,
            None => {
                self.index.insert(key.to_vec(), self.entries.len());
                self.entries.push((key.to_vec(), bit));
            }
        }
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every key: the data they were in has been replaced or flushed, and keys
    /// of the same names that arrive from the master must not be expired by us.
    pub fn clear(&mut self) {
        self.entries = Vec::new();
        self.index = HashMap::new();
    }

    /// Stops tracking the entry at `i`.
    fn remove_at(&mut self, i: usize) {
        let (key, _) = self.entries.swap_remove(i);
        self.index.remove(&key);
        if let Some((moved, _)) = self.entries.get(i) {
            self.index.insert(moved.clone(), i);
        }
    }
}

impl Server {
    /// After a write by one of our own clients: on a writable replica, remembers the
    /// written keys of command `id` that now have a time to live.
    pub(crate) fn remember_replica_expires(
        &mut self,
        id: CommandId,
        db: usize,
        argv: &[Vec<u8>],
        rewritten: Option<&[Vec<u8>]>,
        untouched: Option<usize>,
    ) {
        if self.expire_mode != ExpireMode::HideOnly || self.config.replica_read_only {
            return;
        }
        let keys: Vec<Vec<u8>> = self
            .written_keys(id, argv, rewritten, untouched)
            .into_iter()
            .filter(|k| self.dbs[db].expire_of(k).is_some())
            .map(<[u8]>::to_vec)
            .collect();
        for key in keys {
            self.repl.local_expires.remember(db, &key);
        }
    }

    /// Cron, on a replica: deletes the remembered keys whose time has passed (and
    /// propagates the DELs to the AOF), sampling at random until it meets a few keys
    /// still alive or has spent a millisecond.
    pub(crate) fn expire_replica_local_keys(&mut self) {
        if self.repl.local_expires.is_empty() {
            return;
        }
        let start = std::time::Instant::now();
        let now_ms = crate::util::time::now_ms();
        let (mut cycles, mut live) = (0usize, 0usize);
        while !self.repl.local_expires.is_empty() {
            let i = (self.random() % self.repl.local_expires.len() as u64) as usize;
            let (key, dbs) = self.repl.local_expires.entries[i].clone();
            let mut still = 0u64;
            for db in (0..self.dbs.len().min(TRACKED_DBS)).filter(|&d| dbs & 1 << d != 0) {
                let Some(when) = self.dbs[db].expire_of(&key) else {
                    continue;
                };
                if when <= now_ms {
                    self.dbs[db].expire_if_needed(&key, now_ms, ExpireMode::Delete);
                } else {
                    live += 1;
                    still |= 1 << db;
                }
            }
            if still == 0 {
                self.repl.local_expires.remove_at(i);
            } else {
                self.repl.local_expires.entries[i].1 = still;
            }
            cycles += 1;
            if live > PASS_STOP_AFTER_LIVE
                || (cycles % 64 == 0 && start.elapsed() > std::time::Duration::from_millis(1))
            {
                break;
            }
        }
        self.publish_queued_key_events(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_databases_per_key_and_forgets_on_removal() {
        let mut t = LocalExpires::default();
        t.remember(0, b"a");
        t.remember(3, b"a");
        t.remember(1, b"b");
        t.remember(64, b"c");
        assert_eq!(t.len(), 2);
        assert_eq!(t.entries[t.index[&b"a".to_vec()]].1, 0b1001);
        let i = t.index[&b"a".to_vec()];
        t.remove_at(i);
        assert_eq!(t.len(), 1);
        assert_eq!(t.entries[t.index[&b"b".to_vec()]].0, b"b");
        t.clear();
        assert!(t.is_empty());
    }
}
