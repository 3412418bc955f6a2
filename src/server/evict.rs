//! `maxmemory`: keeping the dataset under a memory limit by evicting keys as
//! `maxmemory-policy` says, or refusing the commands that may grow memory (Redis's
//! evict.c).
//!
//! # Measuring memory
//! The limit is checked before every command, so reading the allocator's totals (an
//! epoch refresh across all arenas) each time would cost too much. [`MemoryGauge`]
//! instead takes the total now and then ([`MemoryGauge::resample`], from the cron and
//! whenever the limit looks crossed) and adds what the main thread allocated and freed
//! since, which jemalloc counts per thread for the price of two loads. What other
//! threads do (a snapshot's buffers) shows at the next sample. As in Redis, the output
//! buffers of replicas and the AOF buffer are not counted: evicting keys to make room
//! for the DELs that evictions themselves produce would never end.
//!
//! # Choosing keys
//! As Redis's approximated LRU/LFU/TTL: each round samples `maxmemory-samples` keys of
//! every database (all keys, or only those with a TTL for the `volatile-*` policies)
//! into a pool of the [`POOL_SIZE`] best candidates seen so far, kept between rounds,
//! and evicts the best one that still exists. The random policies pick a random key of
//! the next database in turn. Each eviction is propagated as a DEL (UNLINK with
//! `lazyfree-lazy-eviction`), touches WATCH and counts in INFO `evicted_keys`.
//!
//! # Time
//! One call evicts for at most [`eviction_time_limit`] (set by
//! `maxmemory-eviction-tenacity`, 500 µs by default); if memory is still over the limit
//! the command runs anyway (Redis's EVICT_RUNNING) and each loop round goes on
//! evicting, so a lowered limit never stalls the server for the seconds a bulk
//! eviction takes.
//!
//! Passes run before a command, after CONFIG SET maxmemory and while one ran out of
//! time, as in Redis; never from the cron. The cron runs after the commands of a round
//! and before their replies are written, so a pass there counted as memory the
//! invalidation messages the round's own evictions had just queued (ten tracking
//! clients, 400 KB) and evicted nearly every key for them.

use std::time::{Duration, Instant};

use super::{bio, Server};
use crate::commands::keys::lfu_counter;
use crate::config::MaxmemoryPolicy;
use crate::util::rng::rng_from;
use crate::util::time;

/// Candidates kept between rounds (Redis's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

/// How often a command waiting for the lazy-free thread looks again.
const LAZYFREE_POLL: Duration = Duration::from_micros(500);

/// The longest one eviction pass may run at `maxmemory-eviction-tenacity` `tenacity`
/// (0..=100), as Redis's evictionTimeLimitUs: 50 µs per step up to 10 (500 µs, the
/// default), then 15% more per step (about 2 minutes at 99), and no limit at 100.
pub fn eviction_time_limit(tenacity: u32) -> Option<Duration> {
    match tenacity {
        0..=10 => Some(Duration::from_micros(50 * u64::from(tenacity))),
        11..=99 => Some(Duration::from_micros(
            (500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64,
        )),
        _ => None,
    }
}

/// How long a command that found nothing to evict waits for the lazy-free thread
/// before it is refused.
const LAZYFREE_GRACE: Duration = Duration::from_millis(10);

/// How old a sample may be for the estimate to be trusted when it says the limit is
/// crossed.
const CONFIRM_SAMPLE_AGE: Duration = Duration::from_millis(20);

/// How far the main thread's own allocations may move the estimate before the total is
/// taken again: small enough that other threads' memory is not missed for long.
const RESAMPLE_DRIFT: i64 = 4 << 20;

/// The memory in use, cheaply: a sampled total plus the main thread's net allocations
/// since.
pub struct MemoryGauge {
    allocated: Option<tikv_jemalloc_ctl::thread::ThreadLocal<u64>>,
    deallocated: Option<tikv_jemalloc_ctl::thread::ThreadLocal<u64>>,
    /// The allocator's total at the last sample.
    base_total: u64,
    /// The main thread's net allocation at the last sample.
    base_thread: i64,
    /// When the last sample was taken.
    sampled_at: Instant,
    /// The lazy-free thread's count of freed objects at the last sample: when it moved,
    /// memory was given back that the main thread's counters cannot see.
    lazyfreed_at_sample: u64,
}

impl MemoryGauge {
    /// A gauge for the calling thread (the main thread: the one that runs commands).
    pub fn for_this_thread() -> MemoryGauge {
        let mut gauge = MemoryGauge {
            allocated: tikv_jemalloc_ctl::thread::allocatedp::read().ok(),
            deallocated: tikv_jemalloc_ctl::thread::deallocatedp::read().ok(),
            base_total: 0,
            base_thread: 0,
            sampled_at: Instant::now(),
            lazyfreed_at_sample: 0,
        };
        gauge.resample();
        gauge
    }

    /// Net bytes this thread allocated so far.
    pub fn thread_net(&self) -> i64 {
        match (self.allocated, self.deallocated) {
            (Some(a), Some(d)) => a.get() as i64 - d.get() as i64,
            _ => 0,
        }
    }

    /// Takes the allocator's total again.
    pub fn resample(&mut self) {
        self.base_total = super::info::sample_used_memory();
        self.base_thread = self.thread_net();
        self.sampled_at = Instant::now();
        self.lazyfreed_at_sample = bio::lazyfreed_objects();
    }

    /// Takes the total again unless the last sample is younger than `age` and the
    /// lazy-free thread freed nothing since: a sample refreshes every arena's
    /// statistics, too slow to take before every command, but a dict that FLUSHALL or
    /// UNLINK handed to that thread must not still count once it is gone (keys would be
    /// evicted for memory that is free).
    pub fn resample_if_stale(&mut self, age: Duration) {
        if self.sampled_at.elapsed() >= age || bio::lazyfreed_objects() != self.lazyfreed_at_sample
        {
            self.resample();
        }
    }

    /// The estimate of the bytes in use; takes a new sample once the main thread's own
    /// allocations have moved it far.
    pub fn used(&mut self) -> u64 {
        let drift = self.thread_net() - self.base_thread;
        if drift.abs() > RESAMPLE_DRIFT {
            self.resample();
            return self.base_total;
        }
        (self.base_total as i64 + drift).max(0) as u64
    }
}

/// One eviction candidate: its score (higher is evicted first), database and key.
#[derive(Clone)]
struct Candidate {
    score: u64,
    db: usize,
    key: Vec<u8>,
}

/// What the eviction pass left: within the limit, over it but still evicting, or over
/// it with nothing left to evict (commands that may grow memory are refused).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EvictState {
    Ok,
    Running,
    Fail,
}

/// State kept between passes: the candidate pool and the next database the random
/// policies pick from.
#[derive(Default)]
pub struct Evictor {
    pool: Vec<Candidate>,
    next_db: usize,
    /// Since when memory has been over the limit, if it is.
    exceeded_since: Option<Instant>,
    /// Time over the limit in earlier periods (INFO `total_eviction_exceeded_time`).
    exceeded_total: Duration,
    /// A pass is due at the next loop round: the last one ran out of time with memory
    /// still over the limit, or CONFIG SET maxmemory asked for one.
    running: bool,
}

impl Evictor {
    /// Whether eviction must go on at the next loop round.
    pub fn running(&self) -> bool {
        self.running
    }

    /// (total, current) milliseconds spent over `maxmemory`, as INFO reports them.
    pub fn exceeded_ms(&self) -> (u64, u64) {
        let current = self.exceeded_since.map_or(Duration::ZERO, |t| t.elapsed());
        (
            (self.exceeded_total + current).as_millis() as u64,
            current.as_millis() as u64,
        )
    }

    /// Asks for a pass at the next loop round (after CONFIG SET maxmemory).
    pub fn start(&mut self) {
        self.running = true;
    }

    /// Notes whether memory is over the limit now.
    fn note_exceeded(&mut self, over: bool) {
        match (over, self.exceeded_since) {
            (true, None) => self.exceeded_since = Some(Instant::now()),
            (false, Some(since)) => {
                self.exceeded_total += since.elapsed();
                self.exceeded_since = None;
            }
            _ => {}
        }
    }

    /// Adds `c` to the pool (sorted by ascending score, at most POOL_SIZE, one entry per
    /// key), if it beats the worst candidate there.
    fn offer(&mut self, c: Candidate) {
        if let Some(i) = self
            .pool
            .iter()
            .position(|p| p.db == c.db && p.key == c.key)
        {
            self.pool.remove(i);
        }
        if self.pool.len() == POOL_SIZE {
            if self.pool[0].score >= c.score {
                return;
            }
            self.pool.remove(0);
        }
        let at = self.pool.partition_point(|p| p.score < c.score);
        self.pool.insert(at, c);
    }
}

/// Whether the policy samples only keys with a TTL.
fn volatile(policy: MaxmemoryPolicy) -> bool {
    matches!(
        policy,
        MaxmemoryPolicy::VolatileLru
            | MaxmemoryPolicy::VolatileLfu
            | MaxmemoryPolicy::VolatileRandom
            | MaxmemoryPolicy::VolatileTtl
    )
}

impl Server {
    /// The memory that counts against `maxmemory`: all of it but the replicas' output
    /// buffers and the AOF buffer (Redis's freeMemoryGetNotCountedMemory).
    pub fn memory_for_eviction(&mut self) -> u64 {
        let used = self.memory_gauge.used();
        used.saturating_sub(self.memory_not_counted_for_evict())
    }

    /// Bytes the replicas' output and the AOF buffer hold (INFO
    /// `mem_not_counted_for_evict`).
    pub fn memory_not_counted_for_evict(&self) -> u64 {
        let replicas: usize = self
            .repl
            .replicas
            .iter()
            .filter_map(|&t| self.clients.get(t)?.as_ref())
            .map(|c| c.reply.buf.capacity())
            .sum();
        // The replicas' stream is the replication buffer the backlog lives in too. As
        // Redis counts it: what goes beyond the backlog's size is the replicas' (a
        // stalled replica must not cost the master its keys); the backlog itself
        // stops growing at its size, so it counts.
        let stream = self
            .repl
            .backlog
            .as_ref()
            .map_or(0, |b| b.mem().saturating_sub(b.size()));
        (replicas + stream + self.aof.buf.len()) as u64
    }

    /// Redis's performEvictions: evicts keys until memory is under `maxmemory` (or the
    /// time budget is spent) and says where that left things. A replica leaves its
    /// dataset to its master unless `replica-ignore-maxmemory no`; nothing is evicted
    /// while loading or during a pause.
    pub fn perform_evictions(&mut self) -> EvictState {
        let limit = self.config.maxmemory;
        let replica_ignores = self.repl.is_replica() && self.config.replica_ignore_maxmemory;
        // As Redis's isSafeToPerformEvictions: a pause keeps the dataset still, so no
        // key is evicted (nor expired) until it ends.
        if limit == 0 || replica_ignores || self.persistence.loading || self.pause.is_some() {
            self.evictor.note_exceeded(false);
            self.evictor.running = false;
            return EvictState::Ok;
        }
        let state = self.evict_down_to(limit);
        self.evictor.note_exceeded(state != EvictState::Ok);
        self.evictor.running = state == EvictState::Running;
        self.set_expand_budgets();
        state
    }

    /// Tells every keyspace and expiry dict how many bytes a bigger table may take now:
    /// what is left under `maxmemory`, or no limit without one (see
    /// Dict::set_expand_budget). Refreshed before each command under a limit.
    pub fn set_expand_budgets(&mut self) {
        let budget = match self.config.maxmemory {
            0 => None,
            limit => Some(limit.saturating_sub(self.memory_for_eviction()) as usize),
        };
        for db in &mut self.dbs {
            db.dict.set_expand_budget(budget);
            db.expires.set_expand_budget(budget);
        }
    }

    /// The body of [`Server::perform_evictions`] once a limit applies.
    fn evict_down_to(&mut self, limit: u64) -> EvictState {
        if self.memory_for_eviction() <= limit {
            return EvictState::Ok;
        }
        // Over by the estimate: confirm with a fresh total (unless one was just taken)
        // before evicting anything, in case other threads freed memory meanwhile.
        self.memory_gauge.resample_if_stale(CONFIRM_SAMPLE_AGE);
        if self.memory_for_eviction() <= limit {
            return EvictState::Ok;
        }
        // Room that reply buffers kept after their replies went out goes before any
        // data: a burst of big replies (invalidation messages for the keys evicted a
        // moment ago, say) otherwise cost as many keys again at the next command.
        if self.give_back_reply_room() && self.memory_for_eviction() <= limit {
            return EvictState::Ok;
        }
        if self.config.maxmemory_policy == MaxmemoryPolicy::NoEviction {
            return EvictState::Fail;
        }
        // As Redis: the amount to free is fixed here, and only what deleting the keys
        // frees counts toward it. Each eviction also queues a DEL for replicas and the
        // AOF and, with client tracking, an invalidation message per client that read
        // the key; measured as a whole, those grew with every eviction and called for
        // more, until with ten tracking clients every key was gone.
        let to_free = self.memory_for_eviction().saturating_sub(limit);
        let mut freed = 0u64;
        let started = Instant::now();
        let time_limit = eviction_time_limit(self.config.maxmemory_eviction_tenacity);
        let mut evicted = 0u64;
        while freed < to_free {
            let Some((db, key)) = self.pick_eviction_victim() else {
                return self.out_of_victims(limit);
            };
            freed += self.evict_key(db, key);
            evicted += 1;
            // What the lazy-free thread frees (values evicted with
            // lazyfree-lazy-eviction) never shows in `freed`: look at the total now and
            // then, as Redis does.
            if evicted.is_multiple_of(16) && self.memory_for_eviction() <= limit {
                return EvictState::Ok;
            }
            if time_limit.is_some_and(|limit| started.elapsed() >= limit) {
                return EvictState::Running;
            }
        }
        EvictState::Ok
    }

    /// Shrinks the empty reply buffers of the listed clients to the room a new client
    /// starts with. Says whether any was shrunk. The client running a command is not in
    /// the slab and stays listed.
    fn give_back_reply_room(&mut self) -> bool {
        let mut shrunk = false;
        let clients = &mut self.clients;
        self.reply_room.retain(|&(token, id)| {
            let Some(Some(c)) = clients.get_mut(token) else {
                // Gone, or out of the slab: the running client, or a reused token.
                return clients.get(token).is_some_and(|slot| slot.is_none());
            };
            if c.id != id {
                return false;
            }
            if c.reply.buf.is_empty() {
                c.reply
                    .buf
                    .shrink_to(crate::protocol::reply::INITIAL_CAPACITY);
                shrunk = true;
            }
            c.reply_room_listed = false;
            false
        });
        shrunk
    }

    /// Nothing is left to evict and memory is still over `limit`. As Redis's
    /// performEvictions, if the lazy-free thread is still freeing (a flushed dict, an
    /// unlinked key), it gets a moment before the command is refused: a few
    /// milliseconds at most, and only on this path, which otherwise ends in -OOM.
    fn out_of_victims(&mut self, limit: u64) -> EvictState {
        let deadline = Instant::now() + LAZYFREE_GRACE;
        loop {
            // Read before the sample: the thread counts an object freed before it stops
            // counting it pending, so "nothing pending" means the sample saw it freed.
            let freeing = bio::lazyfree_pending_objects() > 0;
            self.memory_gauge.resample_if_stale(CONFIRM_SAMPLE_AGE);
            if self.memory_for_eviction() <= limit {
                return EvictState::Ok;
            }
            if !freeing || Instant::now() >= deadline {
                return EvictState::Fail;
            }
            std::thread::sleep(LAZYFREE_POLL);
        }
    }

    /// Deletes `key` of `db` as an eviction: propagated, WATCH touched, counted.
    /// Returns the bytes the deletion itself gave back.
    fn evict_key(&mut self, db: usize, key: Vec<u8>) -> u64 {
        let before = self.memory_gauge.thread_net();
        if self.dbs[db].remove(&key).is_none() {
            return 0;
        }
        let freed = (before - self.memory_gauge.thread_net()).max(0) as u64;
        self.stats.evicted_keys += 1;
        if self.key_events_on(crate::config::notify::EVICTED) {
            self.publish_key_event(None, "evicted", &key, db);
        }
        self.touch_expired_key(db, &key);
        if self.tracking.active() {
            // Sent once the eviction pass is over, when the client about to run (if
            // any) can be reached: see Server::tracking_invalidate_evicted.
            self.tracking.evicted.push(key.clone());
        }
        let cmd: &[u8] = if self.config.lazyfree_lazy_eviction {
            b"UNLINK"
        } else {
            b"DEL"
        };
        self.propagate(db, &[cmd.to_vec(), key]);
        freed
    }

    /// The next key to evict under the configured policy, or None if there is none.
    fn pick_eviction_victim(&mut self) -> Option<(usize, Vec<u8>)> {
        let policy = self.config.maxmemory_policy;
        match policy {
            MaxmemoryPolicy::NoEviction => None,
            MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom => {
                self.pick_random_victim(volatile(policy))
            }
            _ => self.pick_pooled_victim(policy),
        }
    }

    /// A random key (with a TTL if `volatile`) of the next database that has one.
    fn pick_random_victim(&mut self, volatile: bool) -> Option<(usize, Vec<u8>)> {
        let dbs = self.dbs.len();
        for _ in 0..dbs {
            let db = self.evictor.next_db % dbs;
            self.evictor.next_db = (db + 1) % dbs;
            let mut rng = rng_from(self.random());
            let d = &self.dbs[db];
            let found = if volatile {
                d.expires.random_entry(&mut rng).map(|(k, _)| k)
            } else {
                d.dict.random_entry(&mut rng).map(|(k, _)| k)
            };
            if let Some(key) = found {
                return Some((db, key.as_bytes().to_vec()));
            }
        }
        None
    }

    /// Fills the pool from every database and takes its best candidate that still
    /// exists (Redis's evictionPoolPopulate and the pool scan of performEvictions).
    fn pick_pooled_victim(&mut self, policy: MaxmemoryPolicy) -> Option<(usize, Vec<u8>)> {
        let samples = self.config.maxmemory_samples.max(1) as usize;
        let now = time::now_ms();
        let decay = self.config.lfu_decay_time;
        let vol = volatile(policy);
        loop {
            let mut any = false;
            for db in 0..self.dbs.len() {
                let mut rng = rng_from(self.random());
                let d = &self.dbs[db];
                if (vol && d.expires.is_empty()) || d.dict.is_empty() {
                    continue;
                }
                let score_of = |key: &[u8], expire: Option<i64>| -> Option<u64> {
                    match policy {
                        MaxmemoryPolicy::VolatileTtl => {
                            // Sooner expiry first.
                            Some(u64::MAX - expire?.max(0) as u64)
                        }
                        MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu => {
                            let obj = d.dict.get(key)?;
                            Some(255 - lfu_counter(obj.lru, now, decay).min(255))
                        }
                        _ => {
                            let obj = d.dict.get(key)?;
                            Some(time::idle_seconds(obj.lru, now) * 1000)
                        }
                    }
                };
                // Only volatile-ttl scores by expiry, and it samples the expiry index,
                // so the other policies need no expiry lookup.
                let mut sampled: Vec<(Vec<u8>, Option<i64>)> = Vec::with_capacity(samples);
                if vol {
                    d.expires.sample(samples, &mut rng, |k, when| {
                        sampled.push((k.as_bytes().to_vec(), Some(*when)))
                    });
                } else {
                    d.dict.sample(samples, &mut rng, |k, _| {
                        sampled.push((k.as_bytes().to_vec(), None))
                    });
                }
                let picked: Vec<Candidate> = sampled
                    .into_iter()
                    .filter_map(|(key, expire)| {
                        let score = score_of(&key, expire)?;
                        Some(Candidate { score, db, key })
                    })
                    .collect();
                any |= !picked.is_empty();
                for c in picked {
                    self.evictor.offer(c);
                }
            }
            // Best first; entries whose key has gone since they were pooled are dropped.
            while let Some(c) = self.evictor.pool.pop() {
                let d = &self.dbs[c.db];
                let present = if vol {
                    d.expire_of(&c.key).is_some()
                } else {
                    d.dict.contains_key(&c.key)
                };
                if present {
                    return Some((c.db, c.key));
                }
            }
            if !any {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_time_limit_follows_redis_progression() {
        assert_eq!(eviction_time_limit(0), Some(Duration::ZERO));
        assert_eq!(eviction_time_limit(10), Some(Duration::from_micros(500)));
        assert_eq!(eviction_time_limit(11), Some(Duration::from_micros(575)));
        let at_99 = eviction_time_limit(99).unwrap();
        assert!((120..130).contains(&at_99.as_secs()), "{at_99:?}");
        assert_eq!(eviction_time_limit(100), None);
    }

    fn cand(score: u64, key: &str) -> Candidate {
        Candidate {
            score,
            db: 0,
            key: key.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_pool_keeps_the_best_candidates_in_order_once_each() {
        let mut e = Evictor::default();
        for i in 0..40u64 {
            e.offer(cand(i % 20, &format!("k{}", i % 20)));
        }
        assert_eq!(e.pool.len(), POOL_SIZE);
        let scores: Vec<u64> = e.pool.iter().map(|c| c.score).collect();
        assert_eq!(scores, (4..20).collect::<Vec<_>>());
        // A worse candidate than all of a full pool is not taken.
        e.offer(cand(1, "low"));
        assert!(e.pool.iter().all(|c| c.key != b"low"));
        // A key offered again replaces its old entry.
        e.offer(cand(100, "k5"));
        assert_eq!(e.pool.iter().filter(|c| c.key == b"k5").count(), 1);
        assert_eq!(e.pool.last().unwrap().key, b"k5");
    }
}
