//! Persistence: the RDB format (`rdb`), the copy-on-write snapshot thread (`snapshot`),
//! SAVE/BGSAVE/save points (`save`) and loading at start-up (`load`). The AOF comes later.
//!
//! The event loop owns a [`PersistenceState`] (`Server::persistence`) with everything
//! INFO persistence reports. The time of the last successful save is `Server::lastsave`
//! and the changes since then are `Server::dirty`, as in Redis's `server.lastsave` and
//! `server.dirty`; the save points are read from `Server::config` each time, so
//! `CONFIG SET save` takes effect at once.

pub mod aof;
pub mod load;
pub mod rdb;
pub mod save;
pub mod snapshot;
pub mod value_rdb;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Instant;

use crate::server::Server;
use snapshot::{SnapshotJob, SnapshotReport};

/// Seconds to wait after a failed BGSAVE before save points may start another one
/// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
pub const BGSAVE_RETRY_DELAY_SECS: i64 = 5;

/// Persistence bookkeeping of the event loop (Redis's `server.rdb_*`, `lastbgsave_*`,
/// `loading_*` and `stat_fork_*` fields).
pub struct PersistenceState {
    /// The BGSAVE being written by the snapshot thread, if any.
    pub bgsave: Option<SnapshotJob>,
    /// Whether the last BGSAVE (or SAVE) succeeded (`rdb_last_bgsave_status`).
    pub last_bgsave_ok: bool,
    /// Unix seconds of the last BGSAVE attempt (for the retry delay).
    pub last_bgsave_try: i64,
    /// Duration in seconds of the last BGSAVE, -1 if none yet.
    pub last_bgsave_time_sec: i64,
    /// SAVE and BGSAVE attempts since start-up (`rdb_saves`).
    pub rdb_saves: u64,
    /// Extra memory the last BGSAVE cost while it ran, bytes (`rdb_last_cow_size`).
    pub last_cow_size: u64,
    /// How long the event loop was blocked to start the last snapshot, microseconds
    /// (INFO stats `latest_fork_usec`).
    pub latest_fork_usec: u64,
    /// Snapshots started since start-up (INFO stats `total_forks`).
    pub total_forks: u64,
    /// A BGSAVE SCHEDULE is waiting for the running snapshot to end.
    pub bgsave_scheduled: bool,
    /// The dataset is being loaded: commands without the `loading` flag get -LOADING.
    pub loading: bool,
    /// Progress of the load in progress (or of the last one).
    pub load_progress: LoadProgress,
    /// Keys loaded by the last load (`rdb_last_load_keys_loaded`).
    pub last_load_keys_loaded: u64,
    /// Expired keys skipped by the last load (`rdb_last_load_keys_expired`).
    pub last_load_keys_expired: u64,
    /// Replication id and offset found in the loaded RDB, for a partial resync later
    /// (the replication state, `Server::repl`, takes them after the start-up load).
    pub loaded_repl: Option<(String, i64)>,
    /// The `repl-stream-db` aux field of the loaded RDB.
    pub loaded_repl_stream_db: Option<i64>,
    /// Snapshot threads alive (of every kind); `Server::snapshot_active` is this > 0.
    pub(crate) active_snapshots: usize,
    /// The dataset in memory is incomplete (a DEBUG RELOAD failed half-way): save points
    /// and SHUTDOWN without SAVE do not write it over the dump until an explicit
    /// SAVE/BGSAVE or a successful reload.
    pub dataset_incomplete: bool,
    /// Snapshot threads report here; the event loop drains it when woken.
    reports_tx: Sender<SnapshotReport>,
    reports_rx: Receiver<SnapshotReport>,
}

/// Progress of a load, for INFO's `loading_*` fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadProgress {
    /// Unix seconds when loading started.
    pub start_time: i64,
    /// When loading started (for the ETA).
    pub started: Option<Instant>,
    /// Size of the file being loaded.
    pub total_bytes: u64,
    /// Bytes consumed so far.
    pub loaded_bytes: u64,
    /// `used-mem` aux field of the file (0 if absent).
    pub rdb_used_mem: u64,
}

impl Default for PersistenceState {
    fn default() -> Self {
        Self::new()
    }
}

impl PersistenceState {
    /// The state of a server that has not saved or loaded anything yet.
    pub fn new() -> PersistenceState {
        let (reports_tx, reports_rx) = channel();
        PersistenceState {
            bgsave: None,
            last_bgsave_ok: true,
            last_bgsave_try: 0,
            last_bgsave_time_sec: -1,
            rdb_saves: 0,
            last_cow_size: 0,
            latest_fork_usec: 0,
            total_forks: 0,
            bgsave_scheduled: false,
            loading: false,
            load_progress: LoadProgress::default(),
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
            loaded_repl: None,
            loaded_repl_stream_db: None,
            active_snapshots: 0,
            dataset_incomplete: false,
            reports_tx,
            reports_rx,
        }
    }

    /// Whether a BGSAVE is being written.
    pub fn bgsave_in_progress(&self) -> bool {
        self.bgsave.is_some()
    }

    /// A sender snapshot threads use to report completion.
    pub fn report_sender(&self) -> Sender<SnapshotReport> {
        self.reports_tx.clone()
    }

    /// The next completion report, if one arrived.
    pub fn try_next_report(&self) -> Option<SnapshotReport> {
        self.reports_rx.try_recv().ok()
    }

    /// Waits for the next completion report (after joining a cancelled thread).
    pub fn wait_next_report(&self) -> Option<SnapshotReport> {
        self.reports_rx.recv().ok()
    }
}

impl Server {
    /// Whether writes must be refused with -MISCONF: the last BGSAVE failed, save points
    /// exist and `stop-writes-on-bgsave-error` is on (Redis's
    /// writeCommandsDeniedByDiskError, RDB part).
    pub fn rdb_writes_denied(&self) -> bool {
        self.config.stop_writes_on_bgsave_error
            && !self.config.save_points.is_empty()
            && !self.persistence.last_bgsave_ok
    }
}

/// `(name, value)` pairs of an INFO section.
pub type InfoFields = Vec<(&'static str, String)>;

/// The RDB fields of INFO persistence, in Redis 7.0's order and with its names, from
/// `loading` to `rdb_last_load_keys_loaded`, followed by the `loading_*` fields while a
/// load is in progress (INFO prints the AOF fields between the two groups).
pub fn info_persistence_fields(srv: &Server) -> (InfoFields, InfoFields) {
    let p = &srv.persistence;
    let now = crate::util::time::now_ms() / 1000;
    // A full sync's snapshot is an RDB being saved too (Redis's RDB child for a
    // replica): tools and tests watch these fields for it.
    let job = p
        .bgsave
        .as_ref()
        .or(srv.repl.sync_job.as_ref().map(|s| &s.job));
    let live = job.map(|j| j.fresh_progress()).unwrap_or_default();
    let cow_age_s = match live.cow_sampled_ms {
        0 => 0,
        at => (crate::util::time::now_ms() - at).max(0) / 1000,
    };
    let mut rdb = vec![
        // An async load shows as such, not as loading (the old data is served).
        (
            "loading",
            ((p.loading && srv.repl.async_load.is_none()) as u8).to_string(),
        ),
        (
            "async_loading",
            (srv.repl.async_load.is_some() as u8).to_string(),
        ),
        ("current_cow_peak", live.cow_peak.to_string()),
        ("current_cow_size", live.cow_now.to_string()),
        ("current_cow_size_age", cow_age_s.to_string()),
        (
            "current_fork_perc",
            fork_perc(live.keys_done, live.keys_total),
        ),
        ("current_save_keys_processed", live.keys_done.to_string()),
        ("current_save_keys_total", live.keys_total.to_string()),
        ("rdb_changes_since_last_save", srv.dirty.to_string()),
        ("rdb_bgsave_in_progress", (job.is_some() as u8).to_string()),
        ("rdb_last_save_time", srv.lastsave.to_string()),
    ];
    rdb.extend([
        (
            "rdb_last_bgsave_status",
            status_word(p.last_bgsave_ok).to_string(),
        ),
        (
            "rdb_last_bgsave_time_sec",
            p.last_bgsave_time_sec.to_string(),
        ),
        (
            "rdb_current_bgsave_time_sec",
            job.map_or(-1, |j| now - j.started_unix).to_string(),
        ),
        ("rdb_saves", p.rdb_saves.to_string()),
        ("rdb_last_cow_size", p.last_cow_size.to_string()),
        (
            "rdb_last_load_keys_expired",
            p.last_load_keys_expired.to_string(),
        ),
        (
            "rdb_last_load_keys_loaded",
            p.last_load_keys_loaded.to_string(),
        ),
    ]);
    (rdb, loading_fields(p))
}

/// INFO stats fields about snapshots: `latest_fork_usec` (for us, how long the event
/// loop was blocked to start the last snapshot) and `total_forks`.
pub fn info_stats_fields(srv: &Server) -> InfoFields {
    vec![
        (
            "latest_fork_usec",
            srv.persistence.latest_fork_usec.to_string(),
        ),
        ("total_forks", srv.persistence.total_forks.to_string()),
    ]
}

/// "ok" or "err", as INFO prints a status.
fn status_word(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "err"
    }
}

/// Percentage of keys a running snapshot has written, with two decimals.
fn fork_perc(done: u64, total: u64) -> String {
    let perc = if total == 0 {
        0.0
    } else {
        done as f64 * 100.0 / total as f64
    };
    format!("{perc:.2}")
}

/// The `loading_*` fields INFO persistence prints while loading (empty otherwise).
fn loading_fields(p: &PersistenceState) -> InfoFields {
    if !p.loading {
        return Vec::new();
    }
    let lp = &p.load_progress;
    let perc = if lp.total_bytes == 0 {
        0.0
    } else {
        lp.loaded_bytes as f64 * 100.0 / lp.total_bytes as f64
    };
    let elapsed = lp.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let eta = if lp.loaded_bytes == 0 {
        1
    } else {
        let remaining = lp.total_bytes.saturating_sub(lp.loaded_bytes) as f64;
        (elapsed * remaining / lp.loaded_bytes as f64) as u64
    };
    vec![
        ("loading_start_time", lp.start_time.to_string()),
        ("loading_total_bytes", lp.total_bytes.to_string()),
        ("loading_rdb_used_mem", lp.rdb_used_mem.to_string()),
        ("loading_loaded_bytes", lp.loaded_bytes.to_string()),
        ("loading_loaded_perc", format!("{perc:.2}")),
        ("loading_eta_seconds", eta.to_string()),
    ]
}

/// Resident set size of this process in bytes (see `server::info::process_rss`).
pub use crate::server::info::process_rss as rss_bytes;
