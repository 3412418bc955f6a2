//! The keyspace: each database is a dict of key -> object plus a dict of key -> expiry
//! time (ms since the epoch). Lookups expire keys lazily; `active_expire_cycle` removes
//! keys nobody touches, as Redis's adaptive cycle does.

pub mod dict;

pub use dict::{Dict, DictSnapshot, Released};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::types::{Object, SmallBytes, Value};

/// Counts expiry deletions in every database of the process, so the server can tell in
/// one load whether any database has DELs to propagate (instead of looking at all 16
/// after every command). Shared by all servers in a process: a change made by another
/// server only costs an extra look.
static EXPIRED_EVENTS: AtomicU64 = AtomicU64::new(0);

/// The current value of the expiry-deletion counter (see `EXPIRED_EVENTS`).
pub fn expired_events() -> u64 {
    EXPIRED_EVENTS.load(Ordering::Relaxed)
}

/// How lookups treat keys whose time has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireMode {
    /// Delete them (and report them so the server propagates a DEL).
    Delete,
    /// Hide them but keep them: a replica waits for its master's DEL.
    HideOnly,
    /// Treat them as present: a replica applying its master's stream, which decides
    /// when keys expire (Redis's expireIfNeeded for the master client).
    Ignore,
    /// Treat them as live: replaying the AOF, where the file's own DELs expire them
    /// (as Redis's keyIsExpired while loading).
    Loading,
}

/// One numbered database.
pub struct Db {
    pub id: usize,
    pub dict: Dict<Object>,
    pub expires: Dict<i64>,
    /// Keys that lazy or active expiry deleted and that the server must still propagate
    /// as DEL (then it clears this).
    pub expired_to_propagate: Vec<SmallBytes>,
    /// Count of keys removed because they expired (INFO stats expired_keys).
    pub expired_count: u64,
    /// Where the active expiry scan of `expires` stands.
    expire_cursor: u64,
    /// Running average TTL of sampled keys, ms (INFO keyspace avg_ttl).
    pub avg_ttl: i64,
    /// Keys some client is blocked on (kept by server::blocking).
    pub blocked_keys: std::collections::HashSet<Vec<u8>>,
    /// Blocked-on keys written since the blocked clients were last served.
    pub ready_keys: Vec<Vec<u8>>,
    /// Whether keys added and keys expired are queued in `key_events` (only while
    /// keyspace notifications of the `new` or `keymiss` class are on, which need the
    /// order of those events: see server/notify.rs).
    pub queue_key_events: bool,
    /// Keys added, expired or missed since the server last published their events, in
    /// the order it happened (one command may expire a key, add another, then add the
    /// expired one again).
    pub key_events: Vec<(QueuedKeyEvent, SmallBytes)>,
}

/// What happened to a key queued in [`Db::key_events`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuedKeyEvent {
    /// The key was added (the `new` event).
    New,
    /// The key expired and was deleted (the `expired` event).
    Expired,
    /// A read found no such key (the `keymiss` event; queued only while that class is on).
    Miss,
}

/// Result of an active expiry pass over one database.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExpirePass {
    pub sampled: usize,
    pub expired: usize,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            dict: Dict::new(),
            expires: Dict::new(),
            expired_to_propagate: Vec::new(),
            expired_count: 0,
            expire_cursor: 0,
            avg_ttl: 0,
            blocked_keys: std::collections::HashSet::new(),
            ready_keys: Vec::new(),
            queue_key_events: false,
            key_events: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// The expiry time of `key` in ms, if it has one.
    pub fn expire_of(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Whether `key` exists but its time has passed.
    fn is_expired(&self, key: &[u8], now_ms: i64) -> bool {
        matches!(self.expire_of(key), Some(when) if when <= now_ms)
    }

    /// Applies lazy expiry to `key`: returns true if the key is (logically) gone.
    /// In `Delete` mode the key is removed and queued for propagation.
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: i64, mode: ExpireMode) -> bool {
        if matches!(mode, ExpireMode::Loading | ExpireMode::Ignore) || !self.is_expired(key, now_ms)
        {
            return false;
        }
        if mode == ExpireMode::Delete {
            self.delete_expired(key);
        }
        true
    }

    fn delete_expired(&mut self, key: &[u8]) {
        if let Some((k, _)) = self.dict.remove(key) {
            self.expires.remove(key);
            self.expired_count += 1;
            if self.queue_key_events {
                self.key_events.push((QueuedKeyEvent::Expired, k.clone()));
            }
            self.expired_to_propagate.push(k);
            EXPIRED_EVENTS.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Looks a key up for reading. Returns None if absent or expired.
    pub fn get(&mut self, key: &[u8], now_ms: i64, mode: ExpireMode) -> Option<&Object> {
        if self.expire_if_needed(key, now_ms, mode) {
            return None;
        }
        self.dict.get(key)
    }

    /// Looks a key up for reading and refreshes its access clock (skipped by the caller
    /// while a snapshot shares the dict, so reads do not copy pages).
    /// `touch` maps the old access clock to the new one (an LRU clock, or an LFU
    /// counter that counts this access). With `queue_miss`, a miss is queued as a
    /// `keymiss` keyspace event.
    pub fn get_touch(
        &mut self,
        key: &[u8],
        now_ms: i64,
        mode: ExpireMode,
        touch: Option<impl FnOnce(u32) -> u32>,
        queue_miss: bool,
    ) -> Option<&Object> {
        let found = if self.expire_if_needed(key, now_ms, mode) {
            None
        } else {
            match touch {
                // Touching needs the object writable anyway (never while a snapshot
                // runs), so a collection's rehash moves a step here too.
                Some(touch) => self.dict.get_mut(key).map(|obj| {
                    obj.lru = touch(obj.lru);
                    obj.value.rehash_step_if_rehashing();
                    &*obj
                }),
                None => self.dict.get(key),
            }
        };
        if found.is_none() && queue_miss {
            self.key_events
                .push((QueuedKeyEvent::Miss, SmallBytes::new(key)));
        }
        found
    }

    /// Looks a key up for writing (copy-on-write if a snapshot shares it).
    pub fn get_mut(&mut self, key: &[u8], now_ms: i64, mode: ExpireMode) -> Option<&mut Object> {
        if self.expire_if_needed(key, now_ms, mode) {
            return None;
        }
        self.dict.get_mut(key)
    }

    /// Whether `key` exists (not expired).
    pub fn exists(&mut self, key: &[u8], now_ms: i64, mode: ExpireMode) -> bool {
        !self.expire_if_needed(key, now_ms, mode) && self.dict.contains_key(key)
    }

    /// Sets `key` to `value`. Any expiry is removed unless `keep_ttl`.
    pub fn set(&mut self, key: &[u8], value: Value, lru: u32, keep_ttl: bool) {
        if let Err(obj) = self.dict.overwrite(key, Object::new(value, lru)) {
            self.dict.insert(SmallBytes::new(key), obj);
            self.note_new_key(key);
        }
        if !keep_ttl && !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.signal_ready(key);
    }

    /// Notes that `key` was written, if a client is blocked on it (Redis's
    /// signalKeyAsReady); the server serves those clients after the current command.
    pub fn signal_ready(&mut self, key: &[u8]) {
        if !self.blocked_keys.is_empty()
            && self.blocked_keys.contains(key)
            && !self.ready_keys.iter().any(|k| k == key)
        {
            self.ready_keys.push(key.to_vec());
        }
    }

    /// Inserts a key that the caller knows is absent.
    pub fn add(&mut self, key: &[u8], value: Value, lru: u32) {
        self.dict
            .insert(SmallBytes::new(key), Object::new(value, lru));
        self.note_new_key(key);
        self.signal_ready(key);
    }

    /// Queues the `new` keyspace event of an added key, if those are on.
    #[inline]
    fn note_new_key(&mut self, key: &[u8]) {
        if self.queue_key_events {
            self.key_events
                .push((QueuedKeyEvent::New, SmallBytes::new(key)));
        }
    }

    /// Removes `key` and its expiry. Returns the object if it existed.
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        let (_, obj) = self.dict.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        // A blocked XREADGROUP must hear that its stream is gone (Redis signals a
        // deleted stream key as ready).
        if matches!(obj.value, Value::Stream(_)) {
            self.signal_ready(key);
        }
        Some(obj)
    }

    /// Sets the expiry of an existing key (ms since the epoch).
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        debug_assert!(self.dict.contains_key(key));
        if let Some(e) = self.expires.get_mut(key) {
            *e = when_ms;
        } else {
            self.expires.insert(SmallBytes::new(key), when_ms);
        }
    }

    /// Removes the expiry of `key`; returns whether it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Empties the database; returns how many keys it held.
    pub fn flush(&mut self) -> usize {
        let n = self.dict.len();
        // As in `remove`: the streams that blocked clients wait for are gone.
        if !self.blocked_keys.is_empty() {
            let gone: Vec<Vec<u8>> = self
                .blocked_keys
                .iter()
                .filter(|k| {
                    matches!(
                        self.dict.get(k.as_slice()).map(|o| &o.value),
                        Some(Value::Stream(_))
                    )
                })
                .cloned()
                .collect();
            for k in gone {
                self.signal_ready(&k);
            }
        }
        let (dict, expires) = self.take_contents();
        crate::server::bio::drop_in_background(dict, expires, n as u64);
        n
    }

    /// Moves the keys and their expiry times out, leaving the database empty (a full
    /// sync with `repl-diskless-load swapdb` keeps them aside while it loads).
    pub fn take_contents(&mut self) -> (Dict<Object>, Dict<i64>) {
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        (self.dict.take_all(), self.expires.take_all())
    }

    /// Exchanges this database's keys and expiry times with `dict` and `expires`.
    pub fn swap_contents(&mut self, dict: &mut Dict<Object>, expires: &mut Dict<i64>) {
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        std::mem::swap(&mut self.dict, dict);
        std::mem::swap(&mut self.expires, expires);
    }

    /// Puts back what [`Db::take_contents`] took, in place of the current contents
    /// (freed in the background).
    pub fn restore_contents(&mut self, dict: Dict<Object>, expires: Dict<i64>) {
        self.flush();
        self.dict = dict;
        self.expires = expires;
    }

    /// A random key that is not expired (expired ones met on the way are deleted in
    /// `Delete` mode), or None if the database is empty.
    pub fn random_key(
        &mut self,
        now_ms: i64,
        mode: ExpireMode,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<SmallBytes> {
        // Bounded retries: if every key is expired (replica), return one anyway as Redis does.
        for _ in 0..100 {
            let key = self.dict.random_entry(rng)?.0.clone();
            if mode == ExpireMode::Ignore || !self.is_expired(&key, now_ms) {
                return Some(key);
            }
            if mode == ExpireMode::Delete {
                self.delete_expired(&key);
            } else {
                return Some(key);
            }
        }
        None
    }

    /// One pass of active expiry over this database: scans up to `budget` keys of the
    /// expires table from where the last pass stopped and deletes the expired ones.
    pub fn active_expire_pass(&mut self, now_ms: i64, budget: usize) -> ExpirePass {
        let mut pass = ExpirePass::default();
        if self.expires.is_empty() {
            return pass;
        }
        let mut expired: Vec<SmallBytes> = Vec::new();
        let mut ttl_sum: i64 = 0;
        let mut ttl_samples: i64 = 0;
        let mut cursor = self.expire_cursor;
        // A scan step visits at least one bucket; stop once the budget is used.
        loop {
            cursor = self.expires.scan(cursor, |k, &when| {
                pass.sampled += 1;
                if when <= now_ms {
                    expired.push(k.clone());
                } else {
                    ttl_sum += when - now_ms;
                    ttl_samples += 1;
                }
            });
            if cursor == 0 || pass.sampled >= budget {
                break;
            }
        }
        self.expire_cursor = cursor;
        for k in &expired {
            self.delete_expired(k);
        }
        pass.expired = expired.len();
        if ttl_samples > 0 {
            let avg = ttl_sum / ttl_samples;
            // Running average weighted toward the old value, as Redis does.
            self.avg_ttl = if self.avg_ttl == 0 {
                avg
            } else {
                (self.avg_ttl / 50) * 49 + avg / 50
            };
        }
        pass
    }
}
