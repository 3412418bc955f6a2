//! Client eviction (`maxmemory-clients`, Redis 7.0): when the normal and pub/sub
//! clients together use more memory than the limit, the largest are closed until the
//! total is under it again, so a few clients with huge query or output buffers cannot
//! take the server's memory.
//!
//! Each evictable client's memory is measured at the moments Redis measures it: after
//! each command it runs, after its input is processed, after its output is written,
//! every cron tick, and for all clients when the limit changes. The measure is the
//! client's `tot-mem` of CLIENT LIST ([`Server::client_memory`]). The sum of the
//! measured clients is kept in [`Server::evictable_client_mem`]; a client remembers its
//! share in `Client::tracked_mem` so that the sum is corrected, not recomputed. The
//! check runs before every command and before the loop sleeps.
//!
//! Clients that are never evicted: those that set `CLIENT NO-EVICT on` (their memory
//! counts, as in Redis), replicas, our master's link, and the internal clients
//! (scripts, the AOF loader), which do not count.

use super::client::Client;
use super::Server;
use crate::commands::client::client_info_line;
use crate::config::MemoryOrPercent;

/// Bookkeeping bytes of one watched key beyond the key itself (its entries in the
/// client's list and the key's list of watchers).
const WATCHED_KEY_OVERHEAD: usize = 64;
/// Bookkeeping bytes of one queued MULTI command beyond its arguments.
const QUEUED_COMMAND_OVERHEAD: usize = std::mem::size_of::<super::multi::QueuedCommand>();

impl Server {
    /// A client's memory as CLIENT LIST's `tot-mem` shows it and eviction counts it: the
    /// client itself, its query buffer, the request being run (or held by CLIENT
    /// PAUSE) or the arguments read so far of one still arriving, its reply buffer, its
    /// queued MULTI commands, watched keys, pub/sub subscriptions and tracking
    /// prefixes.
    pub fn client_memory(&self, c: &Client) -> usize {
        let argv = c.paused_argv.as_deref().unwrap_or(&c.argv);
        let (partial_count, partial_len) = c.parser.partial_args();
        let argv_mem: usize = argv.iter().map(Vec::len).sum::<usize>()
            + argv.len() * 8
            + partial_len
            + partial_count * 8;
        let watched = if self.tx.watches.is_empty() {
            0
        } else {
            self.tx.watches.watched_count(c.id) * WATCHED_KEY_OVERHEAD
        };
        // A replica's output is the stream it has not been sent, held in the shared
        // replication buffer: counted for it as Redis counts it.
        std::mem::size_of::<Client>()
            + c.query.capacity()
            + c.reply.buf.capacity()
            + if c.replica.is_some() {
                self.replica_stream_pending(c.token)
            } else {
                0
            }
            + argv_mem
            + multi_memory(c)
            + watched
            + c.subscriptions.as_ref().map_or(0, |s| s.memory())
            + c.tracking.as_ref().map_or(0, |t| t.memory())
    }

    /// Whether `c`'s memory counts toward the limit: client eviction is on and it is a
    /// normal or pub/sub client. Those that asked to be spared (CLIENT NO-EVICT) count
    /// too, as in Redis, but are never evicted.
    fn client_counted(&self, c: &Client) -> bool {
        self.config.maxmemory_clients != MemoryOrPercent::Bytes(0)
            && !c.is_master
            && c.replica.is_none()
    }

    /// Measures `c` again and corrects the evictable total (or stops counting it when
    /// it may not be evicted). Costs one comparison when client eviction is off.
    pub(crate) fn track_client_memory(&mut self, c: &mut Client) {
        if c.tracked_mem.is_none() && self.config.maxmemory_clients == MemoryOrPercent::Bytes(0) {
            return;
        }
        if let Some(old) = c.tracked_mem.take() {
            self.evictable_client_mem = self.evictable_client_mem.saturating_sub(old as u64);
        }
        // A client about to close gives its memory back anyway.
        if self.client_counted(c) && !c.close_asap {
            let mem = self.client_memory(c);
            c.tracked_mem = Some(mem);
            self.evictable_client_mem += mem as u64;
        }
    }

    /// Stops counting a client that goes away.
    pub(crate) fn untrack_client_memory(&mut self, c: &mut Client) {
        if let Some(old) = c.tracked_mem.take() {
            self.evictable_client_mem = self.evictable_client_mem.saturating_sub(old as u64);
        }
    }

    /// Measures every connected client (but the one running a command, measured after
    /// it): after `maxmemory-clients` changed, and each cron tick while it is on.
    pub(crate) fn track_all_clients(&mut self) {
        let tokens: Vec<usize> = self.clients.iter().map(|(t, _)| t).collect();
        for token in tokens {
            if let Some(mut c) = self.take_client(token) {
                self.track_client_memory(&mut c);
                if let Some(slot) = self.clients.get_mut(token) {
                    *slot = Some(c);
                }
            }
        }
    }

    /// Closes the largest evictable clients while their total is at or over the limit
    /// (Redis's evictClients). `current` is the client about to run a command (out of
    /// the client table meanwhile): it is a candidate too, and if it is evicted it is
    /// marked to close and true is returned, so that its command does not run.
    pub(crate) fn evict_clients(&mut self, mut current: Option<&mut Client>) -> bool {
        let Some(limit) = self.config.client_eviction_limit() else {
            return false;
        };
        let mut evicted_current = false;
        while self.evictable_client_mem >= limit {
            let mut largest: Option<(usize, Option<usize>)> = None;
            for (token, slot) in self.clients.iter() {
                if let Some(mem) = slot.as_deref().and_then(evictable_mem) {
                    if largest.is_none_or(|(most, _)| mem > most) {
                        largest = Some((mem, Some(token)));
                    }
                }
            }
            if let Some(mem) = current.as_deref().and_then(evictable_mem) {
                if largest.is_none_or(|(most, _)| mem > most) {
                    largest = Some((mem, None));
                }
            }
            match largest {
                None => {
                    log::warn!("Over client maxmemory after evicting all evictable clients");
                    break;
                }
                Some((_, Some(token))) => {
                    if let Some(Some(c)) = self.clients.get(token) {
                        log::info!("Evicting client: {}", client_info_line(self, c));
                    }
                    self.stats.evicted_clients += 1;
                    self.close_client(token);
                }
                Some((_, None)) => {
                    let Some(c) = current.as_deref_mut() else {
                        break;
                    };
                    log::info!("Evicting client: {}", client_info_line(self, c));
                    self.stats.evicted_clients += 1;
                    self.untrack_client_memory(c);
                    c.close_asap = true;
                    evicted_current = true;
                }
            }
        }
        evicted_current
    }
}

/// The memory counted for `c` if it may be evicted.
fn evictable_mem(c: &Client) -> Option<usize> {
    c.tracked_mem.filter(|_| !c.no_evict)
}

/// Bytes of a client's queued MULTI commands (their arguments and slots), as CLIENT
/// LIST's `multi-mem` shows them.
pub fn multi_memory(c: &Client) -> usize {
    c.multi.as_ref().map_or(0, |m| {
        let args: usize = m
            .commands
            .iter()
            .map(|q| q.argv.iter().map(Vec::len).sum::<usize>() + q.argv.len() * 8)
            .sum();
        args + m.commands.capacity() * QUEUED_COMMAND_OVERHEAD
    })
}
