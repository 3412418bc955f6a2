//! Keyspace notifications (`notify-keyspace-events`), as Redis's notify.c.
//!
//! A command that changes a key reports it with [`Server::notify_keyspace_event`]: a
//! class (the `notify` bits of the config: generic, string, list, ...) and an event
//! name (`set`, `lpush`, `del`, ...). If the class is enabled, the server publishes the
//! event name on `__keyspace@<db>__:<key>` (with `K`) and the key on
//! `__keyevent@<db>__:<event>` (with `E`), through the ordinary pub/sub delivery.
//!
//! Four events are not reported by commands: `expired` (lazy and active expiry),
//! `evicted` (maxmemory), `new` (a key added to a database) and `keymiss` (a read of
//! a missing key). The database layer has no access to the server, so it queues what
//! it did: the expired keys it queues anyway for propagation, and, while the `n` or
//! `m` class is on, the added, expired and missed keys in one queue in the order it
//! happened. The server publishes those queues before any event a command reports
//! and after every command. So a SET that creates a key reports `new` before `set`,
//! and a write that meets an expired key reports `expired` before both, in Redis's
//! order.

use crate::config::notify;
use crate::db::QueuedKeyEvent;
use crate::server::client::Client;
use crate::server::Server;

impl Server {
    /// Publishes event `event` of class `class` on `key` of database `dbid`, if that
    /// class is enabled (Redis's notifyKeyspaceEvent). `c` is the client whose command
    /// caused it: out of the client table while it runs, it still gets the event if it
    /// listens (RESP3).
    #[inline]
    pub fn notify_keyspace_event(
        &mut self,
        c: &mut Client,
        class: u32,
        event: &str,
        key: &[u8],
        dbid: usize,
    ) {
        if self.config.notify_keyspace_events & (notify::KEYSPACE | notify::KEYEVENT) == 0
            || self.scripting.rolling_back
        {
            return;
        }
        self.publish_queued_key_events(Some(&mut *c));
        if self.key_events_on(class) {
            self.publish_key_event(Some(c), event, key, dbid);
        }
    }

    /// [`Server::notify_keyspace_event`] for the key that is argument `arg` of `c`'s
    /// command, in `c`'s current database: the common case, which needs no copy of
    /// the key while notifications are off.
    #[inline]
    pub fn notify_key(&mut self, c: &mut Client, class: u32, event: &str, arg: usize) {
        if self.config.notify_keyspace_events & (notify::KEYSPACE | notify::KEYEVENT) == 0 {
            return;
        }
        let key = c.argv[arg].clone();
        let dbid = c.db;
        self.notify_keyspace_event(c, class, event, &key, dbid);
    }

    /// Whether events of class `class` are published.
    #[inline]
    pub(crate) fn key_events_on(&self, class: u32) -> bool {
        let flags = self.config.notify_keyspace_events;
        flags & class != 0 && flags & (notify::KEYSPACE | notify::KEYEVENT) != 0
    }

    /// Publishes the events the database layer queued, and propagates the DELs of
    /// the keys that expired. While `new` or `keymiss` events are on, the database
    /// queues added, expired and missed keys together in the order it happened (Redis
    /// publishes each at once, so `MSET a 1 b 2` over an expired `b` is `new a`,
    /// `expired b`, `new b`); otherwise only expiry has events, published with the
    /// propagation.
    pub(crate) fn publish_queued_key_events(&mut self, mut from: Option<&mut Client>) {
        if self.queue_key_events {
            let new_on = self.key_events_on(notify::NEW);
            let expired_on = self.key_events_on(notify::EXPIRED);
            for dbid in 0..self.dbs.len() {
                if self.dbs[dbid].key_events.is_empty() {
                    continue;
                }
                let queued = std::mem::take(&mut self.dbs[dbid].key_events);
                for (what, key) in &queued {
                    let event = match what {
                        QueuedKeyEvent::New if new_on => "new",
                        QueuedKeyEvent::Expired if expired_on => "expired",
                        QueuedKeyEvent::Miss => "keymiss",
                        _ => continue,
                    };
                    self.publish_key_event(from.as_deref_mut(), event, key, dbid);
                }
            }
        }
        self.propagate_expired(from);
    }

    /// Publishes one event on the channels the `K` and `E` flags select, whatever its
    /// class. Nothing to do, and no channel name to build, while nobody subscribes to
    /// anything: events are not propagated (a replica publishes its own).
    pub(crate) fn publish_key_event(
        &mut self,
        mut from: Option<&mut Client>,
        event: &str,
        key: &[u8],
        dbid: usize,
    ) {
        if self.pubsub.channel_count() == 0 && self.pubsub.pattern_count() == 0 {
            return;
        }
        let flags = self.config.notify_keyspace_events;
        if flags & notify::KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{dbid}__:").into_bytes();
            channel.extend_from_slice(key);
            self.pubsub_publish(from.as_deref_mut(), &channel, event.as_bytes(), false);
        }
        if flags & notify::KEYEVENT != 0 {
            let channel = format!("__keyevent@{dbid}__:{event}");
            self.pubsub_publish(from, channel.as_bytes(), key, false);
        }
    }

    /// Puts a new `notify-keyspace-events` value into effect: the databases queue the
    /// keys they add, expire and miss only while `new` or `keymiss` events would be
    /// published.
    pub(crate) fn apply_notify_config(&mut self) {
        self.key_miss_events = self.key_events_on(notify::KEY_MISS);
        let on = self.key_miss_events || self.key_events_on(notify::NEW);
        self.queue_key_events = on;
        for db in &mut self.dbs {
            db.queue_key_events = on;
            if !on {
                db.key_events.clear();
            }
        }
    }
}
