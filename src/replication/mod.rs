//! Master/replica replication (PSYNC2), as Redis's `replication.c`.
//!
//! * [`backlog`]: the stream's tail, held once: partial resyncs are served from it and
//!   every replica is sent its stream from it.
//! * [`master`]: the replicas we feed: SYNC/PSYNC, full syncs from the snapshot thread
//!   (to disk, or diskless straight to the sockets through [`fanout`]), the stream,
//!   ACKs, WAIT, pings and limits.
//! * [`replica`] and [`handshake`]: our link to a master: the non-blocking handshake,
//!   the RDB transfer and load, the master client that applies the stream, ACKs and
//!   reconnection with partial resync; [`diskless_load`]: a full sync loaded straight
//!   from the socket (`repl-diskless-load`).
//!
//! The event loop owns one [`ReplState`] (`Server::repl`). Offsets count every byte of
//! the replication stream (Redis's `master_repl_offset`); a replica's offset is the
//! count of stream bytes it applied, and it relays exactly those bytes to its own
//! replicas and backlog, so a chain A → B → C carries the same bytes at the same offsets.

pub mod backlog;
pub mod diskless_load;
pub mod failover;
pub mod fanout;
pub mod handshake;
pub mod info;
pub mod master;
pub mod replica;
pub mod writable_replica;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Instant;

use mio::Token;

use crate::commands::{flags, CommandError};
use crate::db::ExpireMode;
use crate::protocol::encode_command;
use crate::server::{Client, Server};
use crate::util::time;
use backlog::Backlog;
use replica::{LinkState, ReplicaSide, ResolveResult};

/// The largest scratch buffer [`Server::repl_feed`] keeps between commands (one huge
/// command's encoding is not held for the life of the process).
const FEED_BUF_KEEP: usize = 64 * 1024;

/// Token of the socket to our master while connecting, handshaking and transferring.
pub const REPL_LINK_TOKEN: Token = Token(usize::MAX - 2);

/// Counters INFO stats reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReplStats {
    /// Full resyncs served (`sync_full`).
    pub sync_full: u64,
    /// Partial resyncs accepted (`sync_partial_ok`).
    pub sync_partial_ok: u64,
    /// Partial resyncs refused (`sync_partial_err`).
    pub sync_partial_err: u64,
    /// Stream bytes read from our master (`total_net_repl_input_bytes`).
    pub net_repl_input_bytes: u64,
    /// Stream bytes queued to replicas (`total_net_repl_output_bytes`).
    pub net_repl_output_bytes: u64,
}

/// A client blocked in WAIT.
#[derive(Debug, Clone, Copy)]
pub struct Waiter {
    /// Its slab token and id (the id tells a reused token apart).
    pub token: usize,
    pub client_id: u64,
    /// The offset replicas must have acknowledged.
    pub offset: i64,
    /// How many replicas the client asked for.
    pub numreplicas: i64,
    /// When it times out (ms), or None to wait forever.
    pub deadline_ms: Option<i64>,
}

/// Replication state of the server (Redis's `server.repl_*`, `server.replid*`,
/// `server.master*`).
pub struct ReplState {
    /// Scratch buffer `repl_feed` encodes each propagated command into.
    feed_buf: Vec<u8>,
    /// Stream bytes appended since the replicas were last told to send (see
    /// `Server::repl_flush_stream`).
    pub(crate) stream_unflushed: usize,
    /// When the replicas were last told to send stream bytes (see
    /// `Server::repl_flush_stream_when_due`).
    pub(crate) stream_sent_at: Instant,
    /// Replica side: the range of the master client's query buffer applied (counted in
    /// the offset) but not yet relayed to the backlog and our replicas; relayed in one
    /// piece when the batch read from the master is done (`repl_relay_flush`).
    pub(crate) relay: Option<(usize, usize)>,
    /// Our replication id (`master_replid`).
    pub replid: String,
    /// The id we had before the last promotion (`master_replid2`), or 40 zeros.
    pub replid2: String,
    /// Bytes of stream produced (master) or applied (replica).
    pub master_repl_offset: i64,
    /// Up to which offset `replid2` is valid, or -1.
    pub second_replid_offset: i64,
    /// The backlog, created when the first replica attaches (or when we sync).
    pub backlog: Option<Backlog>,
    /// Slab tokens of attached replicas (those that sent SYNC or PSYNC).
    pub replicas: Vec<usize>,
    /// The database the stream last selected, -1 to force a SELECT.
    pub slaveseldb: i64,
    /// When the last replica went away (ms), for `repl-backlog-ttl`.
    pub no_replicas_since_ms: i64,
    /// When the last PING was fed to replicas (ms).
    pub last_ping_ms: i64,
    /// Keys our own clients gave a time to live while we are a writable replica.
    pub local_expires: writable_replica::LocalExpires,
    /// The full sync being produced by the snapshot thread.
    pub sync_job: Option<master::SyncJob>,
    /// A replica waits for a full sync that has not started.
    pub sync_pending: bool,
    /// When the first replica started waiting for a diskless sync (ms).
    pub diskless_wait_since_ms: Option<i64>,
    /// Clients blocked in WAIT.
    pub waiters: Vec<Waiter>,
    /// Send REPLCONF GETACK to the replicas before sleeping.
    pub get_ack: bool,
    /// An ACK arrived: look at the WAIT clients before sleeping.
    pub acks_changed: bool,
    /// Our link to a master, when we are a replica.
    pub replica: Option<ReplicaSide>,
    /// Counters.
    pub stats: ReplStats,
    /// The coordinated failover (FAILOVER) under way, if any.
    pub failover: failover::Failover,
    /// Host name resolutions report here (they run on short-lived threads).
    resolve_tx: Sender<ResolveResult>,
    resolve_rx: Receiver<ResolveResult>,
    /// When the last replication cron ran (ms).
    last_cron_ms: i64,
    /// Full syncs started, to name the temp files.
    pub(crate) sync_counter: u64,
    /// While a `swapdb` load of the master's RDB continues our own history: the old
    /// dataset, served in the loader's pauses (see [`diskless_load::AsyncLoad`]).
    pub(crate) async_load: Option<diskless_load::AsyncLoad>,
}

impl Default for ReplState {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplState {
    /// The state of a fresh master: a random id, offset 0, no backlog.
    pub fn new() -> ReplState {
        let (resolve_tx, resolve_rx) = channel();
        ReplState {
            feed_buf: Vec::new(),
            stream_unflushed: 0,
            stream_sent_at: Instant::now(),
            relay: None,
            replid: crate::server::random_hex(40),
            replid2: "0".repeat(40),
            master_repl_offset: 0,
            second_replid_offset: -1,
            backlog: None,
            replicas: Vec::new(),
            slaveseldb: -1,
            no_replicas_since_ms: time::now_ms(),
            // As Redis counts cron loops: the first PING comes a period after start-up, not
            // as soon as the first replica attaches.
            last_ping_ms: time::now_ms(),
            local_expires: Default::default(),
            sync_job: None,
            sync_pending: false,
            diskless_wait_since_ms: None,
            waiters: Vec::new(),
            get_ack: false,
            acks_changed: false,
            replica: None,
            stats: ReplStats::default(),
            failover: failover::Failover::default(),
            resolve_tx,
            resolve_rx,
            async_load: None,
            last_cron_ms: 0,
            sync_counter: 0,
        }
    }

    /// Whether we replicate from a master (`masterhost` is set).
    pub fn is_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// Whether the link with our master is up (`master_link_status:up`).
    pub fn link_up(&self) -> bool {
        self.replica
            .as_ref()
            .is_some_and(|r| r.state == LinkState::Connected)
    }

    /// A new random replication id (Redis's changeReplicationId).
    pub fn change_replid(&mut self) {
        self.replid = crate::server::random_hex(40);
    }

    /// Forgets the secondary id (clearReplicationId2).
    pub fn clear_replid2(&mut self) {
        self.replid2 = "0".repeat(40);
        self.second_replid_offset = -1;
    }

    /// Keeps the current id as the secondary one, valid up to the current offset, and
    /// takes a new id (shiftReplicationId, on promotion).
    pub fn shift_replid(&mut self) {
        self.replid2 = std::mem::take(&mut self.replid);
        self.second_replid_offset = self.master_repl_offset + 1;
        self.change_replid();
    }

    /// Creates the backlog if there is none; its next byte is the next offset.
    pub fn ensure_backlog(&mut self, size: u64) {
        if self.backlog.is_none() {
            let size = usize::try_from(size).unwrap_or(usize::MAX).max(16 * 1024);
            self.backlog = Some(Backlog::new(size, self.master_repl_offset + 1));
        }
    }

    /// A sender for resolver threads.
    pub(crate) fn resolve_sender(&self) -> Sender<ResolveResult> {
        self.resolve_tx.clone()
    }
}

impl Server {
    /// Sets up replication from the configuration, before the dataset is loaded: a
    /// configured `replicaof` makes us a replica (expired keys are then only hidden); a
    /// master creates its backlog so the DELs of keys expired while loading are kept.
    pub fn repl_init(&mut self) {
        if let Some((host, port)) = self.config.replicaof.clone() {
            self.repl.replica = Some(ReplicaSide::new(host, port));
            self.expire_mode = ExpireMode::HideOnly;
            crate::server::logging::set_role(b'S');
        } else {
            self.repl.ensure_backlog(self.config.repl_backlog_size);
        }
    }

    /// After the start-up load: takes the replication id and offset the RDB (or AOF)
    /// recorded. A replica resumes from them (PSYNC); a master keeps them as its
    /// secondary id so its replicas can continue, as Redis's loadDataFromDisk. Then a
    /// replica starts connecting to its master.
    pub fn repl_after_load(&mut self) {
        let mut loaded = self.persistence.loaded_repl.take();
        let mut stream_db = self.persistence.loaded_repl_stream_db.take();
        // An AOF's base RDB records the offset of its rewrite, not of the data loaded
        // after it: continuing from there would apply commands twice. Only the position
        // saved with the AOF at a clean shutdown (and matching its files) counts.
        if self.config.appendonly {
            let pos = self.aof.repl_resume.take();
            stream_db = pos.as_ref().map(|p| p.stream_db);
            loaded = pos.map(|p| (p.replid, p.offset));
        }
        let valid = loaded.filter(|(id, off)| id.len() == 40 && *off >= 0);
        match (&mut self.repl.replica, valid) {
            (Some(side), Some((id, offset))) => {
                self.repl.replid = id;
                self.repl.master_repl_offset = offset;
                side.cached = true;
                side.cached_db = stream_db
                    .and_then(|d| usize::try_from(d).ok())
                    .filter(|&d| d < self.dbs.len())
                    .unwrap_or(0);
                self.repl.backlog = None;
                self.repl.ensure_backlog(self.config.repl_backlog_size);
            }
            (None, Some((id, offset))) if stream_db.is_some() => {
                self.repl.replid2 = id;
                self.repl.second_replid_offset = offset + 1;
                self.repl.master_repl_offset += offset;
                if let Some(b) = self.repl.backlog.as_mut() {
                    b.rebase(offset);
                }
                self.repl.no_replicas_since_ms = time::now_ms();
            }
            (None, _) => self.repl.backlog = None,
            (Some(_), None) => {}
        }
        if self.repl.is_replica() {
            self.repl_connect();
        }
    }

    /// The replication feed, called by `Server::propagate` for every change: appends
    /// the command (after a SELECT when the stream's database differs) to the backlog
    /// and to every replica. A replica does not feed its own writes: it relays its
    /// master's stream byte for byte instead.
    pub fn repl_feed(&mut self, db: usize, argv: &[Vec<u8>]) {
        if self.repl.is_replica() || (self.repl.backlog.is_none() && self.repl.replicas.is_empty())
        {
            return;
        }
        // Encoded into a reused scratch buffer, then copied once into the replication
        // buffer, which the backlog and every replica share. No allocation per
        // propagated command.
        let mut buf = std::mem::take(&mut self.repl.feed_buf);
        buf.clear();
        if self.repl.slaveseldb != db as i64 {
            let mut num = crate::types::value::itoa_buf::Buffer::new();
            encode_command(&mut buf, &[&b"SELECT"[..], num.format(db as i64)]);
            self.repl.slaveseldb = db as i64;
        }
        encode_command(&mut buf, argv);
        self.repl_write_stream(&buf);
        if buf.capacity() <= FEED_BUF_KEEP {
            self.repl.feed_buf = buf;
        }
        // A scratch buffer grown by one huge command is let go rather than kept.
    }

    /// Feeds a command that belongs to no database (PING, REPLCONF GETACK).
    pub(crate) fn repl_feed_nodb(&mut self, argv: &[&[u8]]) {
        if self.repl.is_replica() || (self.repl.backlog.is_none() && self.repl.replicas.is_empty())
        {
            return;
        }
        let mut buf = Vec::with_capacity(64);
        encode_command(&mut buf, argv);
        self.repl_write_stream(&buf);
    }

    /// Checks that the request may run given our replication role, as Redis's
    /// processCommand: -NOREPLICAS (min-replicas-to-write), -READONLY (read-only
    /// replica; our master is obeyed) and -MASTERDOWN (stale data not served).
    /// `any_flags` has the flags of the command (or of any command EXEC would run),
    /// `missing_flags` the flags it (or any of them) lacks.
    pub fn repl_check_command(
        &self,
        c: &Client,
        any_flags: u32,
        missing_flags: u32,
    ) -> Result<(), CommandError> {
        let write = any_flags & flags::WRITE != 0;
        if write && !self.good_replicas_ok() {
            return Err(CommandError::NoReplicas);
        }
        let Some(side) = &self.repl.replica else {
            return Ok(());
        };
        if write && self.config.replica_read_only && !c.is_master {
            return Err(CommandError::ReadOnlyReplica);
        }
        if side.state != LinkState::Connected
            && !self.config.replica_serve_stale_data
            && missing_flags & flags::STALE != 0
        {
            return Err(CommandError::MasterDown);
        }
        Ok(())
    }

    /// Whether this replica's link is down while it must not serve stale data.
    pub(crate) fn running_stale(&self) -> bool {
        self.repl
            .replica
            .as_ref()
            .is_some_and(|side| side.state != LinkState::Connected)
            && !self.config.replica_serve_stale_data
    }

    /// Whether enough good replicas are attached for writes (checkGoodReplicasStatus).
    pub(crate) fn good_replicas_ok(&self) -> bool {
        self.repl.is_replica()
            || self.config.min_replicas_to_write == 0
            || self.config.min_replicas_max_lag == 0
            || self.good_replica_count() as u64 >= self.config.min_replicas_to_write
    }

    /// Called when the loop's waker fires: host name resolutions that finished.
    pub fn repl_on_wake(&mut self) {
        while let Ok(result) = self.repl.resolve_rx.try_recv() {
            self.repl_resolved(result);
        }
    }

    /// Work done before the loop sleeps: starts a full sync a replica waits for, asks
    /// replicas for ACKs on behalf of WAIT, and answers the WAIT clients that are done.
    pub fn repl_before_sleep(&mut self) {
        if self.repl.sync_pending {
            self.repl_maybe_start_sync();
        }
        // GETACK would move the offset a paused (failing over) master keeps still.
        if self.repl.get_ack && self.pause.is_none() {
            self.repl.get_ack = false;
            self.repl_feed_nodb(&[b"REPLCONF", b"GETACK", b"*"]);
        }
        if self.repl.acks_changed {
            self.repl.acks_changed = false;
            self.repl_process_waiters(false);
        }
        self.failover_update();
    }

    /// The replication cron: runs at every server cron tick; the once-a-second work
    /// (Redis's replicationCron) runs when a second has passed.
    pub fn repl_cron(&mut self) {
        let now = time::now_ms();
        if self.repl.sync_pending {
            self.repl_maybe_start_sync();
        }
        if !self.repl.waiters.is_empty() {
            self.repl_process_waiters(true);
        }
        // A failover runs the once-a-second work ten times a second, so its handshake
        // with the target progresses quickly (as Redis).
        let period = if self.repl.failover.active() {
            100
        } else {
            1000
        };
        if now - self.repl.last_cron_ms < period {
            return;
        }
        self.repl.last_cron_ms = now;
        if self.repl.is_replica() {
            self.repl_replica_cron(now);
        }
        self.repl_master_cron(now);
    }

    /// Releases a replica or master client's replication state when it is freed.
    pub fn repl_client_freed(&mut self, c: &mut Client) {
        if c.is_master {
            self.repl_master_client_lost(c);
        }
        if c.replica.is_some() {
            self.repl_replica_freed(c);
        }
        if c.wait_blocked {
            let (token, id) = (c.token, c.id);
            self.repl.waiters.retain(|w| w.token != token);
            if let Some(wait) = self.shutdown_wait.as_mut() {
                wait.clients.retain(|&waiting| waiting != (token, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_encoded_as_multibulk() {
        let mut out = Vec::new();
        encode_command(&mut out, &[&b"SET"[..], b"k", b""]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }

    #[test]
    fn shifting_ids_keeps_the_old_one_up_to_the_offset() {
        let mut s = ReplState::new();
        s.master_repl_offset = 100;
        let old = s.replid.clone();
        s.shift_replid();
        assert_eq!(s.replid2, old);
        assert_eq!(s.second_replid_offset, 101);
        assert_ne!(s.replid, old);
        assert_eq!(s.replid.len(), 40);
        s.clear_replid2();
        assert_eq!(
            (s.replid2.as_str(), s.second_replid_offset),
            (&*"0".repeat(40), -1)
        );
    }
}
