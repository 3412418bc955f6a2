//! The cron: runs `hz` times a second (Redis's serverCron). Signals, statistics
//! sampling, idle-client timeouts and buffer trimming, active expiry and incremental
//! rehashing.

use std::mem;
use std::time::{Duration, Instant};

use super::bio;
use super::client::Client;
use super::{Server, ShutdownMode};
use crate::db::{ExpireMode, Released};
use crate::util::time;

/// Keys looked at per database per active-expiry pass (Redis's
/// ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP), scaled by `active-expire-effort`.
const EXPIRE_KEYS_PER_LOOP: usize = 20;
/// Keep expiring while more than this percentage of the sampled keys were expired.
const EXPIRE_ACCEPTABLE_STALE: usize = 10;
/// Share of each cron period active expiry may use (Redis's slow cycle: 25%).
const EXPIRE_CPU_PERCENT: u64 = 25;
/// With up to this many clients per cron tick, every client is visited at every tick
/// (Redis's CLIENTS_CRON_MIN_ITERATIONS).
const CLIENTS_CRON_MIN_VISITS: usize = 5;
/// A query buffer with less spare room than this is left alone (as in Redis).
const QUERY_RESIZE_MIN_SPARE: usize = 4 * 1024;
/// A busy client's query buffer is trimmed only above this capacity
/// (Redis's PROTO_RESIZE_THRESHOLD).
const QUERY_RESIZE_THRESHOLD: usize = 32 * 1024;
/// A client quiet for more than this many seconds gives back its spare buffer room.
const IDLE_RESIZE_SECS: i64 = 2;
/// The reply buffer capacity an idle client keeps (Redis's PROTO_REPLY_CHUNK_BYTES).
const IDLE_REPLY_CAPACITY: usize = 16 * 1024;
/// Time per cron tick for reclaiming the pages of an ended snapshot.
const RECLAIM_BUDGET: Duration = Duration::from_millis(1);
/// Pages reclaimed between two looks at the clock.
const RECLAIM_PAGES_PER_STEP: usize = 64;

impl Server {
    /// One cron tick.
    pub(crate) fn cron(&mut self) {
        self.now_ms = time::now_ms();
        self.cron_loops += 1;
        // DEBUG PAUSE-CRON: everything waits, a SIGTERM's shutdown too, as in Redis
        // (its tests send one, then call it off with SHUTDOWN ABORT).
        if self.cron_paused {
            return;
        }
        if self.take_signal() && self.shutdown.is_none() && self.shutdown_wait.is_none() {
            log::warn!("Received SIGTERM scheduling shutdown...");
            if !self.begin_shutdown_wait(ShutdownMode::Default, false, None) {
                self.shutdown = Some(ShutdownMode::Default);
            }
        }
        self.shutdown_wait_check();
        if matches!(self.client_pause, Some((end, _)) if self.now_ms >= end) {
            self.unpause_clients();
        }
        let allowed = self.config.busy_poll_us > 0 && !self.repl.is_replica() && several_cpus();
        self.busy_poll.cron(std::time::Instant::now(), allowed);
        let period_ms = (1000 / self.config.hz.clamp(1, 500)) as i64;
        if self.run_every(100, period_ms) {
            let now = self.now_ms;
            let s = &mut self.stats;
            s.ops_metric.track(now, s.total_commands_processed);
            s.net_input_metric.track(now, s.total_net_input_bytes);
            s.net_output_metric.track(now, s.total_net_output_bytes);
        }
        if self.run_every(1000, period_ms) {
            self.close_timed_out_clients();
            self.migrate_sockets.close_idle(self.now_ms / 1000);
        }
        self.resize_clients_buffers();
        if self.config.maxmemory_clients != crate::config::MemoryOrPercent::Bytes(0) {
            // Output queued for clients by others (PUBLISH, invalidations) counts too.
            self.track_all_clients();
        }
        if self.tracking.client_count() > 0 {
            self.tracking_limit_keys(None);
        }
        // A pause (CLIENT PAUSE, FAILOVER) keeps the dataset still, as Redis does.
        if self.active_expire_enabled
            && self.expire_mode == ExpireMode::Delete
            && self.pause.is_none()
        {
            self.active_expire_cycle();
        } else if self.active_expire_enabled && self.repl.is_replica() && self.pause.is_none() {
            self.expire_replica_local_keys();
        }
        if self.config.maxmemory != 0 {
            // A fresh total for the gauge. No eviction here: see server::evict.
            self.memory_gauge.resample();
        }
        self.databases_cron();
        self.persistence_cron();
        self.repl_cron();
        self.aof_cron();
    }

    /// Whether a task that should run every `every_ms` is due at this tick.
    fn run_every(&self, every_ms: i64, period_ms: i64) -> bool {
        every_ms <= period_ms
            || self
                .cron_loops
                .is_multiple_of((every_ms / period_ms.max(1)) as u64)
    }

    /// Trims the buffers of a share of the clients, so that each is visited once a
    /// second, or at every tick when there are few (as Redis's clientsCron).
    fn resize_clients_buffers(&mut self) {
        let hz = self.config.hz.clamp(1, 500) as usize;
        let groups = (self.clients.len() / CLIENTS_CRON_MIN_VISITS).clamp(1, hz);
        let phase = (self.cron_loops % groups as u64) as usize;
        let now = self.now_ms;
        let resize_replies = self.reply_buffer_resizing;
        let limits = &self.config.client_output_buffer_limit;
        let mut over = Vec::new();
        for (token, slot) in self.clients.iter_mut() {
            if token % groups != phase {
                continue;
            }
            if let Some(c) = slot.as_deref_mut() {
                resize_client_buffers(c, now, resize_replies);
                // A soft limit runs out with no new output too (a subscriber whose
                // channel fell silent while it was over), as Redis's clientsCron
                // checks.
                if c.pending_output() > 0 && super::network::over_output_limit(c, limits, now) {
                    over.push(token);
                }
            }
        }
        self.close_over_output_limit(over);
    }

    /// Closes clients idle for longer than `timeout` seconds.
    fn close_timed_out_clients(&mut self) {
        let timeout = self.config.timeout;
        if timeout == 0 {
            return;
        }
        let now = self.now_ms;
        let idle: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(token, slot)| slot.as_ref().map(|c| (token, c)))
            // As Redis: blocked clients (on keys, in WAIT, paused) wait for their own
            // deadline, and the replication links (our master, our replicas) are never
            // idle-closed: a quiet master only pings every repl-ping-replica-period.
            // Nor are subscribers, which only listen.
            .filter(|(_, c)| {
                !c.is_blocked() && !c.is_master && c.replica.is_none() && !c.in_pubsub()
            })
            .filter(|(_, c)| !c.monitor && (now - c.last_interaction_ms) / 1000 > timeout as i64)
            .map(|(token, _)| token)
            .collect();
        for token in idle {
            log::debug!("Closing idle client");
            self.close_client(token);
        }
    }

    /// Redis's adaptive active-expire cycle: samples keys with a TTL in every database and
    /// deletes the expired ones, repeating while many are expired, within a CPU budget.
    fn active_expire_cycle(&mut self) {
        let effort = self.config.active_expire_effort.clamp(1, 10) as usize - 1;
        let per_loop = EXPIRE_KEYS_PER_LOOP + EXPIRE_KEYS_PER_LOOP / 4 * effort;
        let stale_pct = EXPIRE_ACCEPTABLE_STALE.saturating_sub(effort);
        let budget_us = 1_000_000 * EXPIRE_CPU_PERCENT / 100 / self.config.hz.clamp(1, 500) as u64;
        let start = Instant::now();
        let deadline = start + Duration::from_micros(budget_us);
        let now_ms = self.now_ms;
        let (mut sampled, mut expired) = (0, 0);
        let mut timed_out = false;
        for dbid in 0..self.dbs.len() {
            loop {
                let pass = self.dbs[dbid].active_expire_pass(now_ms, per_loop);
                sampled += pass.sampled;
                expired += pass.expired;
                if pass.sampled == 0 || pass.expired * 100 <= pass.sampled * stale_pct {
                    break;
                }
                if Instant::now() >= deadline {
                    timed_out = true;
                    break;
                }
            }
            if timed_out {
                break;
            }
        }
        let elapsed_us = start.elapsed().as_micros() as u64;
        self.latency.maybe_record(
            self.config.latency_monitor_threshold,
            "expire-cycle",
            elapsed_us / 1000,
            self.now_ms / 1000,
        );
        let s = &mut self.stats;
        s.expire_cycle_time_us += elapsed_us;
        if timed_out {
            s.expired_time_cap_reached_count += 1;
        }
        // A slow-moving average of what the cycles found, as Redis keeps it.
        let current = if sampled > 0 {
            expired as f64 / sampled as f64
        } else {
            0.0
        };
        s.expired_stale_perc = current * 0.05 + s.expired_stale_perc * 0.95;
        self.publish_queued_key_events(None);
    }

    /// Resizes and incrementally rehashes the dicts (Redis's databasesCron).
    fn databases_cron(&mut self) {
        let rehash = self.config.activerehashing;
        let snapshot = self.snapshot_active;
        for db in &mut self.dbs {
            db.dict.set_resize_allowed(!snapshot);
            db.expires.set_resize_allowed(!snapshot);
            if !snapshot {
                db.dict.shrink_if_needed();
                db.expires.shrink_if_needed();
            }
            if rehash {
                if db.dict.is_rehashing() {
                    db.dict.rehash_for_micros(1000);
                }
                if db.expires.is_rehashing() {
                    db.expires.rehash_for_micros(1000);
                }
            }
        }
        // While a snapshot is written, the pages it has let go of are reclaimed pass
        // after pass; after it, one last pass.
        if let Some(from) = self.reclaim_pages {
            let next = self.reclaim_snapshot_pages(from, RECLAIM_BUDGET);
            self.reclaim_pages = next.or(snapshot.then_some(0));
        }
    }

    /// Works through the dicts' pages derived during a snapshot (see
    /// [`crate::db::Dict::reclaim_step`]) for about `budget`, from dict number `from`
    /// (database `from / 2`, its keys then its expiries). The old versions of the
    /// entries written since the snapshot began, which only those pages keep alive once
    /// the snapshot has let go of them, are dropped on the idle-free thread (once the
    /// snapshot has ended, unless a memory limit is set): they are the server's own
    /// garbage, and on a busy machine the clients come first. Returns
    /// the dict to go on with, if any remain.
    fn reclaim_snapshot_pages(&mut self, from: usize, budget: Duration) -> Option<usize> {
        let start = Instant::now();
        let mut keys = Released::new();
        let mut expires = Released::new();
        let mut next = None;
        'dicts: for k in from..self.dbs.len() * 2 {
            let db = &mut self.dbs[k / 2];
            loop {
                let more = if k % 2 == 0 {
                    db.dict.reclaim_step(RECLAIM_PAGES_PER_STEP, &mut keys)
                } else {
                    db.expires
                        .reclaim_step(RECLAIM_PAGES_PER_STEP, &mut expires)
                };
                if !more {
                    break;
                }
                if start.elapsed() >= budget {
                    next = Some(k);
                    break 'dicts;
                }
            }
        }
        if !keys.is_empty() || !expires.is_empty() {
            self.snapshot_garbage.push((keys, expires));
        }
        // Without a memory limit the garbage waits for the snapshot to end: freed
        // while the event loop copies chains, the old entries (scattered over the
        // allocator's slabs in hash order) left a free slot or two in thousands of
        // slabs, and every new entry then cost the allocator a search for the next
        // such slab (6-8% of the event loop's time during a BGSAVE under SETs).
        // Under a limit every byte counts against it, so it goes at once.
        let keep = self.snapshot_active && self.config.maxmemory == 0;
        if !keep && !self.snapshot_garbage.is_empty() {
            bio::drop_when_idle(mem::take(&mut self.snapshot_garbage), ());
        }
        next
    }
}

/// Gives back the spare room of a client's buffers, as Redis's
/// clientsCronResizeQueryBuffer: an idle client's query buffer shrinks to its content
/// (nothing when empty), a busy one's to its recent peak when it is more than twice
/// that and wastes a few KB; an idle client's empty reply buffer keeps at most `IDLE_REPLY_CAPACITY`.
/// Starts a new peak-measuring period.
fn resize_client_buffers(c: &mut Client, now_ms: i64, resize_replies: bool) {
    let idle = (now_ms - c.last_interaction_ms) / 1000 > IDLE_RESIZE_SECS;
    let capacity = c.query.capacity();
    let spare = capacity - c.query.len();
    if idle && spare > 0 {
        c.query.shrink_to_fit();
    } else if spare > QUERY_RESIZE_MIN_SPARE
        && capacity > QUERY_RESIZE_THRESHOLD
        && capacity / 2 > c.query_peak
    {
        c.query.shrink_to(c.query.len().max(c.query_peak));
    }
    c.query_peak = c.query.len();
    if resize_replies
        && idle
        && c.reply.buf.is_empty()
        && c.reply.buf.capacity() > IDLE_REPLY_CAPACITY
    {
        c.reply.buf.shrink_to(IDLE_REPLY_CAPACITY);
    }
}

/// Whether the process may run on more than one CPU (busy polling on a single one
/// would take it from the clients the loop waits for).
fn several_cpus() -> bool {
    static SEVERAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SEVERAL.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}
