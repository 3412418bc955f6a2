//! The server: the event loop that owns every client and every database, as Redis's
//! `server.c` + `ae.c`. One thread; helper threads only get plain bytes or frozen
//! snapshots.

pub mod bio;
pub mod blocking;
pub mod busy_poll;
pub mod call;
pub mod client;
pub mod client_evict;
pub mod crash_report;
pub mod cron;
pub mod evict;
pub mod info;
pub mod latency;
pub mod logging;
pub mod multi;
pub mod network;
pub mod notify;
pub mod oom_score;
pub mod pubsub;
pub mod shutdown_wait;
pub mod slowlog;
pub mod stats;
pub mod tracking;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mio::{Events, Poll, Token, Waker};
use slab::Slab;

pub use client::{Client, Conn, ReplyMode};

use crate::commands::{self, CommandTable};
use crate::config::Config;
use crate::db::{Db, ExpireMode, Released};
use crate::persistence::PersistenceState;
use crate::types::value::Object;
use crate::util::time;
use network::Listener;
use stats::{CommandStats, Stats};

/// Token of the waker that helper threads use to wake the loop.
pub const WAKER_TOKEN: Token = Token(usize::MAX - 1);
/// Listener `i` has token `LISTENER_BASE - i`.
pub const LISTENER_BASE: usize = usize::MAX - 16;

/// What CLIENT PAUSE holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    /// Every command.
    All,
    /// Commands that may change the dataset.
    Write,
}

/// Why the loop should stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownMode {
    /// Save if save points are configured (SIGTERM, plain SHUTDOWN).
    Default,
    Save,
    NoSave,
}

/// Errors that stop start-up.
#[derive(Debug)]
pub enum StartError {
    /// Could not listen on an address.
    Listen {
        addr: String,
        err: std::io::Error,
    },
    /// `unixsocket` could not be created.
    UnixSocket {
        path: String,
        err: std::io::Error,
    },
    Pidfile {
        path: String,
        err: std::io::Error,
    },
    Poll(std::io::Error),
    Logfile {
        path: String,
        err: std::io::Error,
    },
    /// The `user` lines or the `aclfile` could not be applied.
    Acl(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen { addr, err } => {
                write!(
                    f,
                    "Warning: Could not create server TCP listening socket {}: {}",
                    addr, err
                )
            }
            StartError::UnixSocket { path, err } => {
                write!(f, "Failed opening Unix socket {}: {}", path, err)
            }
            StartError::Pidfile { path, err } => {
                write!(f, "Failed to write PID file {}: {}", path, err)
            }
            StartError::Poll(err) => write!(f, "Failed creating the event loop: {}", err),
            StartError::Logfile { path, err } => {
                write!(f, "Can't open the log file {}: {}", path, err)
            }
            StartError::Acl(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for StartError {}

/// Everything the event loop owns.
pub struct Server {
    pub config: Config,
    pub dbs: Vec<Db>,
    pub commands: CommandTable,
    /// Users and their permissions (ACL).
    pub acl: crate::acl::Acl,
    pub cmd_stats: Vec<CommandStats>,
    /// Connected clients; a slot is `None` while its client is executing (taken out so
    /// a command can borrow the client and the server at once).
    pub clients: Slab<Option<Box<Client>>>,
    pub poll: Poll,
    pub(crate) listeners: Vec<Listener>,
    pub stats: Stats,
    /// Changes since the last successful save (rdb_changes_since_last_save).
    pub dirty: u64,
    /// Wall clock of the command being executed (ms), fixed for its duration.
    pub now_ms: i64,
    pub start_ms: i64,
    pub next_client_id: u64,
    /// Clients with replies to write before the loop sleeps.
    pub pending_writes: Vec<usize>,
    /// Memory of the clients client eviction measures (server/client_evict.rs).
    pub evictable_client_mem: u64,
    /// Clients that still had unread input when their read budget ran out.
    pub pending_reads: Vec<usize>,
    pub shutdown: Option<ShutdownMode>,
    /// A shutdown waiting for lagging replicas (server/shutdown_wait.rs).
    pub shutdown_wait: Option<shutdown_wait::ShutdownWait>,
    /// SHUTDOWN FORCE: exit even if the AOF or the final save fails.
    pub shutdown_force: bool,
    pub run_id: String,
    pub lastsave: i64,
    /// While a snapshot shares the dicts, reads do not refresh access clocks.
    pub snapshot_active: bool,
    /// Set while a snapshot lives and after it ends: the keyspace dicts may hold pages
    /// derived while it lived, borrowing from pages that only they hold once the
    /// snapshot has let go of them, and the cron reclaims those, going on from this
    /// dict (see `reclaim_snapshot_pages`).
    pub reclaim_pages: Option<usize>,
    /// The old chains reclaimed from the dicts (keys, expiries) while a snapshot is
    /// being written, kept until it ends (see `reclaim_snapshot_pages`).
    pub snapshot_garbage: Vec<(Released<Object>, Released<i64>)>,
    /// Keys expire on lookup (master) or are only hidden (replica).
    pub expire_mode: ExpireMode,
    pub active_expire_enabled: bool,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE takes payloads with a wrong CRC.
    pub skip_checksum_validation: bool,
    pub cron_loops: u64,
    /// Whether the loop polls before sleeping (see busy_poll).
    pub busy_poll: busy_poll::BusyPoll,
    /// Set from the signal handler; checked by the cron.
    pub(crate) signal_flag: Arc<AtomicBool>,
    /// A SIGTERM or SIGINT asked for a shutdown that has not been called off (Redis's
    /// shutdown_asap): a SIGINT meanwhile exits at once (see `insist_on_sigint`).
    shutdown_asap: Arc<AtomicBool>,
    rng_state: u64,
    /// The scratch buffer sockets are read into.
    read_buf: Vec<u8>,
    pub ready_addr: Vec<std::net::SocketAddr>,
    /// The expiry-deletion counter last seen by `propagate_expired`.
    pub(crate) expired_events_seen: u64,
    /// Whether `new` or `keymiss` keyspace events are on: the databases then queue
    /// added, expired and missed keys in order (see server/notify.rs).
    pub(crate) queue_key_events: bool,
    /// Whether `keymiss` keyspace events are on.
    pub(crate) key_miss_events: bool,
    /// When the last command ended (µs), while requests of one read are being executed:
    /// the next command starts from it instead of reading the clock again (server/call.rs).
    pub(crate) clock_hint_us: Option<i64>,
    pub slowlog: slowlog::Slowlog,
    pub latency: latency::LatencyMonitor,
    /// Tokens of clients in MONITOR mode.
    pub monitors: Vec<usize>,
    /// Channel and pattern subscribers (server/pubsub.rs).
    pub pubsub: pubsub::PubSub,
    /// Who to tell when keys change (CLIENT TRACKING; server/tracking.rs).
    pub tracking: tracking::TrackingState,
    /// DEBUG PAUSE-CRON: the periodic tasks are skipped (Redis's tests use it to keep
    /// state still).
    pub cron_paused: bool,
    /// DEBUG REPLYBUFFER RESIZING: whether the cron shrinks idle clients' reply
    /// buffers (Redis's tests turn it off to keep client sizes still).
    pub reply_buffer_resizing: bool,
    /// The pause in force: CLIENT PAUSE's widened by a failover's write pause (see
    /// [`Server::refresh_pause`]): until when (ms) and what.
    pub pause: Option<(i64, PauseKind)>,
    /// The pause CLIENT PAUSE asked for.
    pub client_pause: Option<(i64, PauseKind)>,
    /// Clients holding a command back because of a pause.
    pub paused_clients: Vec<usize>,
    /// Wakes the loop from helper threads (token `WAKER_TOKEN`; one per `Poll`).
    pub waker: Arc<Waker>,
    /// RDB saving and loading state.
    pub persistence: PersistenceState,
    /// The append-only file.
    pub aof: crate::persistence::aof::AofState,
    /// Replication state: ids, offsets, backlog, replicas, our master link.
    pub repl: crate::replication::ReplState,
    /// WATCHed keys and the propagation of a running EXEC (server/multi.rs).
    pub tx: multi::TxState,
    /// Clients blocked on keys (BLPOP...), see server/blocking.rs.
    pub blocking: blocking::BlockingState,
    /// The memory in use, for `maxmemory` (server/evict.rs).
    pub memory_gauge: evict::MemoryGauge,
    /// Clients (token, id) whose empty reply buffers keep spare room, listed while a
    /// memory limit is set: eviction gives that room back before it deletes keys.
    pub reply_room: Vec<(usize, u64)>,
    /// What `oom-score-adj` changed (see oom_score.rs).
    pub oom_score: oom_score::OomScoreState,
    /// The eviction candidate pool (server/evict.rs).
    pub evictor: evict::Evictor,
    /// Set before each command: memory is over `maxmemory` and nothing could be
    /// evicted, so commands that may grow memory are refused with -OOM.
    pub out_of_memory: bool,
    /// The Lua interpreter and the script cache (EVAL, SCRIPT).
    pub scripting: crate::scripting::Scripting,
    /// MIGRATE's cached connections to its targets (commands/migrate.rs).
    pub migrate_sockets: commands::migrate::MigrateSockets,
    /// Events that came while a script ran too long and must wait for its end.
    deferred_events: Vec<Readiness>,
    /// The events of the current poll not handled yet (see `dispatch_events`).
    event_queue: std::collections::VecDeque<Readiness>,
}

impl Server {
    /// Builds a server from its configuration: opens the listeners, but does not run.
    pub fn new(config: Config) -> Result<Server, StartError> {
        let poll = Poll::new().map_err(StartError::Poll)?;
        let waker = Waker::new(poll.registry(), WAKER_TOKEN).map_err(StartError::Poll)?;
        let commands = CommandTable::build(&commands::all_families());
        let cmd_stats = vec![CommandStats::default(); commands.len()];
        let acl = crate::acl::Acl::new(
            &commands,
            config.acl_pubsub_default == crate::config::AclPubsubDefault::AllChannels,
        );
        let now = time::now_ms();
        let dbs = (0..config.databases.max(1)).map(Db::new).collect();
        let mut srv = Server {
            config,
            dbs,
            cmd_stats,
            commands,
            acl,
            clients: Slab::with_capacity(1024),
            poll,
            listeners: Vec::new(),
            stats: Stats::default(),
            dirty: 0,
            now_ms: now,
            start_ms: now,
            next_client_id: 1,
            pending_writes: Vec::new(),
            evictable_client_mem: 0,
            pending_reads: Vec::new(),
            shutdown: None,
            shutdown_wait: None,
            shutdown_force: false,
            run_id: random_hex(40),
            lastsave: now / 1000,
            snapshot_active: false,
            reclaim_pages: None,
            snapshot_garbage: Vec::new(),
            expire_mode: ExpireMode::Delete,
            active_expire_enabled: true,
            skip_checksum_validation: false,
            cron_loops: 0,
            busy_poll: busy_poll::BusyPoll::default(),
            memory_gauge: evict::MemoryGauge::for_this_thread(),
            reply_room: Vec::new(),
            oom_score: Default::default(),
            evictor: evict::Evictor::default(),
            out_of_memory: false,
            signal_flag: Arc::new(AtomicBool::new(false)),
            shutdown_asap: Arc::new(AtomicBool::new(false)),
            rng_state: seed(),
            read_buf: vec![0u8; 64 * 1024],
            ready_addr: Vec::new(),
            expired_events_seen: 0,
            queue_key_events: false,
            key_miss_events: false,
            clock_hint_us: None,
            slowlog: slowlog::Slowlog::default(),
            latency: latency::LatencyMonitor::default(),
            monitors: Vec::new(),
            pubsub: pubsub::PubSub::default(),
            tracking: tracking::TrackingState::default(),
            cron_paused: false,
            reply_buffer_resizing: true,
            pause: None,
            client_pause: None,
            paused_clients: Vec::new(),
            waker: Arc::new(waker),
            persistence: PersistenceState::new(),
            aof: crate::persistence::aof::AofState::new(),
            repl: crate::replication::ReplState::new(),
            tx: multi::TxState::default(),
            blocking: blocking::BlockingState::default(),
            scripting: crate::scripting::Scripting::new(now).map_err(StartError::Poll)?,
            migrate_sockets: commands::migrate::MigrateSockets::default(),
            deferred_events: Vec::new(),
            event_queue: std::collections::VecDeque::new(),
        };
        srv.acl_load_at_startup().map_err(StartError::Acl)?;
        srv.open_listeners()?;
        srv.repl_init();
        srv.apply_notify_config();
        Ok(srv)
    }

    /// Registers SIGTERM and SIGINT to request a shutdown at the next cron tick.
    pub fn install_signal_handlers(&self) {
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            if let Err(e) = signal_hook::flag::register(sig, self.signal_flag.clone()) {
                log::warn!("Could not install a handler for signal {}: {}", sig, e);
            }
        }
    }

    /// For the server binary, whose working directory is `dir`: a SIGINT while an
    /// earlier signal's shutdown is pending ends the process at once (see
    /// [`insist_on_sigint`]). Not for an embedding program, whose process is its own.
    pub fn exit_on_a_second_sigint(&self) {
        if let Err(e) = insist_on_sigint(self.shutdown_asap.clone()) {
            log::warn!("Could not watch for a second SIGINT: {e}");
        }
    }

    /// The shutdown a signal asked for will not happen (aborted, or it failed): a
    /// later SIGINT asks again rather than forcing the exit.
    pub(crate) fn shutdown_request_called_off(&self) {
        self.shutdown_asap.store(false, Ordering::Relaxed);
    }

    /// Runs the event loop until a shutdown is requested and carried out.
    pub fn run(&mut self) {
        let mut events = Events::with_capacity(1024);
        let mut next_cron = std::time::Instant::now();
        self.repl_after_load();
        loop {
            let now = std::time::Instant::now();
            if now >= next_cron {
                self.cron();
                next_cron =
                    now + Duration::from_micros(1_000_000 / self.config.hz.clamp(1, 500) as u64);
                if self.shutdown.is_some() && self.finish_shutdown() {
                    return;
                }
            }
            self.before_sleep();
            let now = std::time::Instant::now();
            let window = Duration::from_micros(self.config.busy_poll_us);
            self.busy_poll.before_poll(now, window);
            let timeout = if self.pending_reads.is_empty()
                && !self.evictor.running()
                && self.deferred_events.is_empty()
            {
                let mut wanted =
                    self.blocked_poll_timeout(next_cron.saturating_duration_since(now));
                if let Some(due) = self.repl_stream_due_in(now) {
                    wanted = wanted.min(due);
                }
                let timeout = self.busy_poll.timeout(now, wanted);
                if timeout.is_zero() && !wanted.is_zero() {
                    busy_poll::yield_to_others();
                }
                timeout
            } else {
                Duration::ZERO
            };
            let polled = self.poll.poll(&mut events, Some(timeout));
            self.busy_poll
                .after_poll(std::time::Instant::now(), !events.is_empty());
            if let Err(e) = polled {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    log::warn!("poll failed: {}", e);
                }
                continue;
            }
            self.dispatch_events(&events);
            if self.shutdown.is_some() && self.finish_shutdown() {
                return;
            }
        }
    }

    /// Handles what the poll reported, and the clients whose reading was left for the
    /// next round. While a script runs too long, the events that must wait for its end
    /// (its caller's, our master's stream, the helper threads' wake-ups) are kept in
    /// `deferred_events` and handled by the first round after it.
    ///
    /// The events of a poll go through `event_queue`, so that a script that starts
    /// running in the middle of a batch still serves the rest of it (edge-triggered
    /// readiness is not reported twice).
    fn dispatch_events(&mut self, events: &Events) {
        if self.scripting.running.is_none() && !self.deferred_events.is_empty() {
            for ready in std::mem::take(&mut self.deferred_events) {
                self.dispatch_event(ready);
            }
        }
        let pending = std::mem::take(&mut self.pending_reads);
        for token in pending {
            self.event_queue
                .push_back(Readiness::read_more(Token(token)));
        }
        for event in events.iter() {
            self.event_queue.push_back(Readiness::of(event));
        }
        while let Some(ready) = self.event_queue.pop_front() {
            let token = ready.token;
            let busy = self.scripting.running.is_some();
            if busy
                && (token == WAKER_TOKEN
                    || token == crate::replication::REPL_LINK_TOKEN
                    || matches!(self.clients.get(token.0), Some(None)))
            {
                self.deferred_events.push(ready);
                continue;
            }
            self.dispatch_event(ready);
        }
    }

    /// Queues the events of a poll made outside the loop (the loader's rounds): taken
    /// one at a time with [`Server::next_queued_event`], so that a script started by
    /// one of them, whose busy rounds serve the queue, still serves the rest.
    pub(crate) fn queue_events(&mut self, events: &Events) {
        for event in events.iter() {
            self.event_queue.push_back(Readiness::of(event));
        }
    }

    /// The next queued event (see [`Server::queue_events`]).
    pub(crate) fn next_queued_event(&mut self) -> Option<Readiness> {
        self.event_queue.pop_front()
    }

    /// Queues a read of a client to be done once the loop is free again, keeping what
    /// the event said about its peer.
    pub(crate) fn defer_read(&mut self, token: usize, read_closed: bool) {
        self.deferred_events.push(Readiness {
            read_closed,
            ..Readiness::read_more(Token(token))
        });
    }

    fn dispatch_event(&mut self, ready: Readiness) {
        let Readiness {
            token,
            readable,
            writable,
            read_closed,
        } = ready;
        if token == WAKER_TOKEN {
            self.on_snapshot_event();
            self.repl_on_wake();
            return;
        }
        if token == crate::replication::REPL_LINK_TOKEN {
            self.repl_link_event();
            return;
        }
        if token.0 > LISTENER_BASE - 64 && token.0 <= LISTENER_BASE {
            self.accept(LISTENER_BASE - token.0);
            return;
        }
        if readable {
            self.handle_readable(token.0, read_closed);
        }
        if writable {
            self.handle_writable(token.0);
        }
    }

    /// Serves other clients while a script runs past `busy-reply-threshold` (Redis's
    /// processEventsWhileBlocked): a few rounds of I/O without waiting, in which
    /// commands other than SCRIPT KILL, SHUTDOWN NOSAVE and the transaction commands
    /// are answered -BUSY.
    pub(crate) fn process_events_while_busy(&mut self) {
        let mut events = Events::with_capacity(128);
        for _ in 0..4 {
            if let Err(e) = self.poll.poll(&mut events, Some(Duration::ZERO)) {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    log::warn!("poll failed: {}", e);
                }
                break;
            }
            let idle = events.is_empty() && self.pending_reads.is_empty();
            self.dispatch_events(&events);
            self.flush_pending_writes();
            if idle {
                break;
            }
        }
    }

    /// Work done before every sleep: write pending replies, close finished clients.
    fn before_sleep(&mut self) {
        self.handle_blocked_timeouts();
        // An eviction pass that ran out of time, or that CONFIG SET maxmemory asked
        // for, goes on each loop round (Redis's evictionTimeProc), between the
        // clients' requests.
        if self.evictor.running() {
            self.perform_evictions();
        }
        if self.tracking.has_evicted() {
            self.tracking_invalidate_evicted(None);
        }
        if self.evictable_client_mem > 0 {
            self.evict_clients(None);
        }
        // The AOF is written (and fsynced per appendfsync) before any reply of the tick.
        self.repl_before_sleep();
        self.shutdown_wait_check();
        self.aof_flush(false);
        self.tracking_broadcast();
        self.flush_pending_writes();
    }

    /// Handles a shutdown request; returns true if the loop should exit.
    fn finish_shutdown(&mut self) -> bool {
        let mode = self.shutdown.take().unwrap_or(ShutdownMode::Default);
        log::warn!("User requested shutdown...");
        // SHUTDOWN FORCE exits even when the AOF or the final save fails; otherwise
        // the server goes on, and a SHUTDOWN waiting for replicas gets an error.
        let force = self.shutdown_force;
        if !self.aof_shutdown(force) {
            log::warn!(
                "Errors trying to shut down the server. Check the logs for more information."
            );
            self.cancel_shutdown_wait();
            return false;
        }
        if !self.shutdown_save(mode) && !force {
            self.cancel_shutdown_wait();
            return false;
        }
        self.aof_save_repl_position();
        self.repl_flush_stream();
        self.flush_pending_writes();
        self.close_listeners();
        if let Some(pidfile) = &self.config.pidfile {
            let _ = std::fs::remove_file(pidfile);
        }
        log::warn!("Redis is now ready to exit, bye bye...");
        true
    }

    /// The signal flag, set when SIGTERM/SIGINT arrive.
    pub(crate) fn take_signal(&self) -> bool {
        self.signal_flag.swap(false, Ordering::Relaxed)
    }

    /// A fast pseudo-random number (xorshift64*), for sampling and RANDOMKEY.
    pub fn random(&mut self) -> u64 {
        let mut x = self.rng_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng_state = x;
        x.wrapping_mul(0x2545F4914F6CDD1D)
    }

    /// The access clock a new or rewritten object gets: the LRU clock, or under an LFU
    /// maxmemory-policy the current minute with the initial counter (as Redis's
    /// createObject).
    pub fn lru_clock(&self) -> u32 {
        if commands::keys::lfu_policy_selected(&self.config) {
            commands::keys::lfu_initial_clock(self.now_ms)
        } else {
            time::lru_clock(self.now_ms)
        }
    }

    /// How a lookup refreshes the access clock (LRU) or counts the access (LFU under an
    /// LFU maxmemory-policy); None while a snapshot is active, so reads copy no pages.
    pub fn access_touch(&mut self) -> Option<commands::keys::Touch> {
        if self.snapshot_active {
            None
        } else if commands::keys::lfu_policy_selected(&self.config) {
            Some(commands::keys::Touch::Lfu {
                now_ms: self.now_ms,
                log_factor: self.config.lfu_log_factor,
                decay_minutes: self.config.lfu_decay_time,
                random: self.random(),
            })
        } else {
            Some(commands::keys::Touch::Lru(time::lru_clock(self.now_ms)))
        }
    }

    /// Whether a client that has not authenticated must, before running commands
    /// (the default user has a password or is off).
    pub fn auth_required(&self) -> bool {
        self.acl.auth_required()
    }

    /// Number of connected clients.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }
}

/// `pause` extended by `other`: the later end, and ALL if either holds everything
/// (a pause is widened, never narrowed, as Redis).
fn widen_pause(
    pause: Option<(i64, PauseKind)>,
    other: (i64, PauseKind),
) -> Option<(i64, PauseKind)> {
    Some(match pause {
        Some((end, kind)) => (
            end.max(other.0),
            if kind == PauseKind::All {
                kind
            } else {
                other.1
            },
        ),
        None => other,
    })
}

/// A seed for the RNG from the clock and the pid.
fn seed() -> u64 {
    let t = time::now_us() as u64;
    (t ^ ((std::process::id() as u64) << 32)) | 1
}

/// `n` random hex characters (run ids, replication ids).
pub fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut bytes = vec![0u8; n.div_ceil(2)];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok();
    if !ok {
        let mut s = seed();
        for b in bytes.iter_mut() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *b = s as u8;
        }
    }
    let mut out: String = bytes.iter().map(|b| format!("{:02x}", b)).collect();
    out.truncate(n);
    out
}

impl Server {
    /// Writes `pidfile` if configured.
    pub fn write_pidfile(&self) -> Result<(), StartError> {
        if let Some(path) = &self.config.pidfile {
            std::fs::write(path, format!("{}\n", std::process::id())).map_err(|err| {
                StartError::Pidfile {
                    path: path.clone(),
                    err,
                }
            })?;
        }
        Ok(())
    }
}

impl Server {
    /// "master" or "slave", as HELLO and ROLE name our role.
    pub fn role_name(&self) -> &'static str {
        if self.repl.is_replica() {
            "slave"
        } else {
            "master"
        }
    }
}

impl Server {
    /// CLIENT PAUSE: holds back commands of `kind` until `until_ms`. A later pause
    /// extends the time and widens the kind, never narrows it (as Redis).
    pub fn pause_clients(&mut self, until_ms: i64, kind: PauseKind) {
        self.client_pause = widen_pause(self.client_pause, (until_ms, kind));
        self.refresh_pause();
    }

    /// Ends CLIENT PAUSE and lets the held-back clients run (those a failover still
    /// holds stay held).
    pub fn unpause_clients(&mut self) {
        self.client_pause = None;
        self.refresh_pause();
        self.release_paused_clients();
    }

    /// Recomputes the pause in force from CLIENT PAUSE and a failover's write pause.
    pub fn refresh_pause(&mut self) {
        // A failover and a shutdown waiting for replicas both hold writes.
        self.pause = match self.repl.failover.active() || self.shutdown_wait.is_some() {
            true => widen_pause(self.client_pause, (i64::MAX, PauseKind::Write)),
            false => self.client_pause,
        };
    }

    /// How a command treats keys whose time has passed. During a pause (CLIENT PAUSE,
    /// a FAILOVER) a master hides them without deleting them, as Redis does, so the
    /// dataset stays still while writes are held (the cron's active expiry waits too).
    pub fn lazy_expire_mode(&self) -> ExpireMode {
        if self.expire_mode == ExpireMode::Delete && self.pause.is_some() {
            ExpireMode::HideOnly
        } else {
            self.expire_mode
        }
    }

    /// Clients waiting for the server (INFO `blocked_clients`): on keys, in WAIT, in a
    /// SHUTDOWN waiting for replicas, or held back by CLIENT PAUSE, as Redis counts them.
    pub fn blocked_client_count(&self) -> usize {
        let paused = self
            .paused_clients
            .iter()
            .filter(|&&t| matches!(self.clients.get(t), Some(Some(c)) if c.paused_argv.is_some()))
            .count();
        let shutdown = self.shutdown_wait.as_ref().map_or(0, |w| w.clients.len());
        self.blocking.count + self.repl.waiters.len() + paused + shutdown
    }

    /// Lets the held-back clients whose request the pause in force no longer holds run.
    pub fn release_paused_clients(&mut self) {
        for token in std::mem::take(&mut self.paused_clients) {
            let held = match self.clients.get(token) {
                Some(Some(c)) => c
                    .paused_argv
                    .as_ref()
                    .is_some_and(|a| self.is_paused_for(a) || self.exec_held_by_pause(c, a)),
                _ => false,
            };
            if held {
                self.paused_clients.push(token);
            } else {
                self.pending_reads.push(token);
            }
        }
    }

    /// Whether the request in `argv` must wait for a pause to end.
    pub fn is_paused_for(&self, argv: &[Vec<u8>]) -> bool {
        let Some((_, kind)) = self.pause else {
            return false;
        };
        if kind == PauseKind::All {
            return true;
        }
        let Some(id) = self.commands.lookup(&argv[0]) else {
            return false;
        };
        // A script that declared no-writes is not held back (its flags, not EVAL's).
        let flags = multi::command_flags(self, id, argv);
        flags & (commands::flags::WRITE | commands::flags::MAY_REPLICATE) != 0
    }
}

/// One socket's readiness from a poll, queued until the loop handles it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Readiness {
    pub(crate) token: Token,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// The peer has closed its side (see [`client::Client::peer_closed`]).
    pub(crate) read_closed: bool,
}

impl Readiness {
    fn of(event: &mio::event::Event) -> Readiness {
        Readiness {
            token: event.token(),
            readable: event.is_readable() || event.is_read_closed() || event.is_error(),
            writable: event.is_writable(),
            read_closed: event.is_read_closed(),
        }
    }

    /// A read to go on with (a client that stopped after its share of reads, or was
    /// busy): no new event came with it.
    fn read_more(token: Token) -> Readiness {
        Readiness {
            token,
            readable: true,
            writable: false,
            read_closed: false,
        }
    }
}

/// Watches SIGTERM and SIGINT on a thread of its own, as Redis's handler does: a SIGINT
/// that arrives while an earlier signal's shutdown is still pending (a long final save,
/// say: the user pressed Ctrl+C twice) exits at once with status 1, removing the save's
/// temp file, which lies in the working directory (`dir`). The event loop may be busy
/// saving, so this cannot wait for it.
fn insist_on_sigint(asap: Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let pending = asap.swap(true, Ordering::Relaxed);
                if pending && sig == SIGINT {
                    log::warn!("You insist... exiting now.");
                    let _ = std::fs::remove_file(crate::persistence::save::temp_file_name());
                    std::process::exit(1);
                }
            }
        })?;
    Ok(())
}
