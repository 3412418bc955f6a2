//! The append-only file, in Redis 7's multi-part layout (Redis's `aof.c`).
//!
//! * `manifest`: the manifest naming the base and incremental files of `appenddirname`.
//! * `writer`: the feed (every propagated write, RESP-encoded, into an in-memory buffer),
//!   the flush before replies are written (`appendfsync always|everysec|no`), and the
//!   switch to a new incremental file.
//! * `fsync`: the background thread that fsyncs (`everysec`), closes and unlinks.
//! * `loader`: start-up loading (manifest, base as RDB or commands, incremental files,
//!   the single-file AOF of Redis <= 6 and its upgrade), replaying commands through the
//!   command table.
//! * `rewrite`: BGREWRITEAOF and automatic rewrites on the snapshot thread: a new base
//!   from a frozen view while the loop appends to a new incremental file, so no rewrite
//!   buffer exists; the manifest switches atomically.
//! * `check`: the file checker behind `ferrodis-check-aof`.
//!
//! The event loop owns an [`AofState`] (`Server::aof`).

pub mod check;
pub mod fsync;
pub mod loader;
pub mod manifest;
pub mod replpos;
pub mod rewrite;
pub mod writer;

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::server::Server;
use fsync::FsyncWorker;
use manifest::{Manifest, ManifestLoadError};
use rewrite::{RewriteJob, RewriteStartError};

pub use rewrite::value_to_commands;

/// Whether the AOF is being written (Redis's `aof_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AofStatus {
    /// `appendonly no`.
    Off,
    /// Appending to the last incremental file of the manifest.
    On,
    /// Switched on at runtime: the first base is being written; writes go to a temp
    /// incremental file that becomes part of the manifest when the rewrite succeeds.
    WaitRewrite,
}

/// The AOF bookkeeping of the event loop (Redis's `server.aof_*` fields).
pub struct AofState {
    /// On, off, or waiting for the first rewrite.
    pub status: AofStatus,
    /// The manifest in force (what is on disk).
    pub manifest: Manifest,
    /// The file being appended to.
    pub(crate) file: Option<Arc<File>>,
    /// Encoded commands not written yet.
    pub buf: Vec<u8>,
    /// Database of the last command fed (a SELECT is emitted when it changes).
    pub(crate) selected_db: Option<usize>,
    /// Unix seconds of the last `#TS:` annotation.
    pub(crate) cur_timestamp: i64,
    /// Size of the base plus incremental files (INFO `aof_current_size`).
    pub current_size: u64,
    /// Size after the last rewrite or at start-up (INFO `aof_base_size`).
    pub base_size: u64,
    /// Size of the file being appended to.
    pub(crate) last_incr_size: u64,
    /// `last_incr_size` at the last fsync.
    pub(crate) last_incr_fsync_offset: u64,
    /// Unix seconds of the last fsync (or its scheduling, for everysec).
    pub(crate) last_fsync: i64,
    /// Unix seconds when a write was first postponed behind a slow background fsync.
    pub(crate) flush_postponed_start: i64,
    /// Writes that could not wait any longer for a background fsync.
    pub delayed_fsync: u64,
    /// DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each write of the buffer.
    pub flush_sleep_us: u64,
    /// The last write to the AOF succeeded.
    pub last_write_ok: bool,
    /// Why the last write failed.
    pub last_write_error: Option<String>,
    /// Unix seconds of the last write-error log line (rate limit).
    pub(crate) last_write_error_log: i64,
    /// The rewrite being written by the snapshot thread.
    pub rewrite: Option<RewriteJob>,
    /// A rewrite is to start as soon as possible.
    pub rewrite_scheduled: bool,
    /// Rewrites started (INFO `aof_rewrites`).
    pub rewrites: u64,
    /// Failed rewrites in a row.
    pub consecutive_failures: u64,
    /// Whether the last rewrite succeeded.
    pub last_bgrewrite_ok: bool,
    /// Duration of the last rewrite in seconds, -1 if none.
    pub last_rewrite_time_sec: i64,
    /// Copy-on-write cost of the last rewrite.
    pub last_cow_size: u64,
    /// Next time an automatic rewrite may be tried after repeated failures, and the
    /// current delay in minutes.
    pub(crate) rewrite_limit: (i64, i64),
    /// The background fsync/close/unlink thread.
    pub(crate) bio: FsyncWorker,
    /// The replication position recorded for the AOF that was loaded at start-up (taken
    /// by the replication state after the load).
    pub repl_resume: Option<replpos::ReplPosition>,
}

impl Default for AofState {
    fn default() -> Self {
        Self::new()
    }
}

impl AofState {
    /// The state of a server whose AOF is off.
    pub fn new() -> AofState {
        AofState {
            status: AofStatus::Off,
            manifest: Manifest::default(),
            file: None,
            buf: Vec::new(),
            selected_db: None,
            cur_timestamp: 0,
            current_size: 0,
            base_size: 0,
            last_incr_size: 0,
            last_incr_fsync_offset: 0,
            last_fsync: 0,
            flush_postponed_start: 0,
            delayed_fsync: 0,
            flush_sleep_us: 0,
            last_write_ok: true,
            last_write_error: None,
            last_write_error_log: 0,
            rewrite: None,
            rewrite_scheduled: false,
            rewrites: 0,
            consecutive_failures: 0,
            last_bgrewrite_ok: true,
            last_rewrite_time_sec: -1,
            last_cow_size: 0,
            rewrite_limit: (0, 0),
            bio: FsyncWorker::default(),
            repl_resume: None,
        }
    }

    /// Whether a rewrite is being written.
    pub fn rewrite_in_progress(&self) -> bool {
        self.rewrite.is_some()
    }

    /// Number of background fsyncs not finished (INFO `aof_pending_bio_fsync`).
    pub fn pending_bio_fsync(&self) -> u64 {
        self.bio.pending()
    }
}

/// Why the AOF could not be loaded or opened. `Display` says what to do about it.
#[derive(Debug)]
pub enum AofError {
    /// The manifest is unreadable or malformed.
    Manifest(ManifestLoadError),
    /// A file the manifest names does not exist.
    MissingFile {
        /// Its path.
        path: PathBuf,
    },
    /// A file could not be opened, read, created or written.
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The system's reason.
        err: io::Error,
    },
    /// The last command of a file is incomplete and `aof-load-truncated` is no, or an
    /// incomplete file is not the last one.
    Truncated {
        /// The file.
        path: PathBuf,
        /// Offset of the end of the last complete command.
        valid_up_to: u64,
        /// The file is not the last one of the manifest.
        not_last: bool,
    },
    /// The file is not an AOF at some offset.
    BadFormat {
        /// The file.
        path: PathBuf,
        /// Where the bad data starts.
        offset: u64,
    },
    /// The file holds a command the server does not know.
    UnknownCommand {
        /// The file.
        path: PathBuf,
        /// The command name.
        name: String,
        /// Offset of the command.
        offset: u64,
    },
    /// A command has the wrong number of arguments.
    WrongArity {
        /// The file.
        path: PathBuf,
        /// The command name.
        name: String,
        /// Offset of the command.
        offset: u64,
    },
    /// The RDB base or preamble could not be loaded.
    Rdb(Box<crate::persistence::load::LoadError>),
    /// Writing the first base file at start-up failed.
    Base(crate::persistence::snapshot::SnapshotError),
    /// SHUTDOWN or SIGTERM arrived while loading.
    Interrupted,
}

/// The advice Redis gives with a damaged AOF.
const FIX_HINT: &str =
    "make a backup of your AOF file, then use ./ferrodis-check-aof --fix <filename.manifest>";

impl fmt::Display for AofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AofError::Manifest(e) => write!(f, "{e}"),
            AofError::MissingFile { path } => write!(
                f,
                "The AOF file {} listed in the manifest doesn't exist: No such file or directory",
                path.display()
            ),
            AofError::Io { what, path, err } => write!(f, "{what} {}: {err}", path.display()),
            AofError::Truncated {
                path,
                valid_up_to,
                not_last: true,
            } => write!(
                f,
                "the truncated file {} (valid up to offset {valid_up_to}) is not the last file; {FIX_HINT}",
                path.display()
            ),
            AofError::Truncated {
                path, valid_up_to, ..
            } => write!(
                f,
                "Unexpected end of file reading the append only file {} (valid up to offset {valid_up_to}). You can: \
                 1) Make a backup of your AOF file, then use ./ferrodis-check-aof --fix <filename.manifest>. \
                 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
                path.display()
            ),
            AofError::BadFormat { path, offset } => write!(
                f,
                "Bad file format reading the append only file {} at offset {offset}: {FIX_HINT}",
                path.display()
            ),
            AofError::UnknownCommand { path, name, offset } => write!(
                f,
                "Unknown command '{name}' reading the append only file {} at offset {offset}",
                path.display()
            ),
            AofError::WrongArity { path, name, offset } => write!(
                f,
                "Wrong number of arguments for '{name}' reading the append only file {} at offset {offset}",
                path.display()
            ),
            AofError::Rdb(e) => write!(f, "{e}"),
            AofError::Base(e) => write!(f, "creating the AOF base file: {e}"),
            AofError::Interrupted => f.write_str("loading interrupted by a shutdown request"),
        }
    }
}

impl std::error::Error for AofError {}

impl Server {
    /// The AOF directory: `dir`/`appenddirname`.
    pub fn aof_dir(&self) -> PathBuf {
        Path::new(&self.config.dir).join(&self.config.appenddirname)
    }

    /// The manifest's file name: `<appendfilename>.manifest`.
    pub fn aof_manifest_name(&self) -> String {
        format!("{}.manifest", self.config.appendfilename)
    }

    /// Writes `manifest` durably into the AOF directory.
    pub(crate) fn aof_persist_manifest(&self, manifest: &Manifest) -> io::Result<()> {
        manifest::write_manifest(
            &self.aof_dir(),
            &self.aof_manifest_name(),
            &manifest.to_text(),
        )
    }

    /// Puts a CONFIG SET of `appendonly` into effect: starts the AOF (a rewrite writes
    /// the first base) or stops it. Fails if the AOF cannot be started.
    pub fn aof_apply_config(&mut self) -> Result<(), RewriteStartError> {
        match (self.config.appendonly, self.aof.status) {
            (true, AofStatus::Off) => self.aof_start(),
            (false, AofStatus::On | AofStatus::WaitRewrite) => {
                self.aof_stop();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Switches the AOF on at runtime (Redis's startAppendOnly): a rewrite writes the
    /// base from a snapshot while new writes collect in a temp incremental file.
    pub fn aof_start(&mut self) -> Result<(), RewriteStartError> {
        self.aof.status = AofStatus::WaitRewrite;
        if self.aof.rewrite.is_some() {
            log::warn!("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            self.aof_cancel_rewrite();
        }
        if self.in_transaction() {
            self.aof.rewrite_scheduled = true;
            log::info!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
            return Ok(());
        }
        if let Err(e) = self.aof_start_rewrite() {
            self.aof.status = AofStatus::Off;
            log::warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return Err(e);
        }
        self.aof.last_fsync = crate::util::time::now_ms() / 1000;
        if self.aof.bio.failed() {
            log::warn!("AOF reopen, just ignore the AOF fsync error in bio job");
            self.aof.bio.clear_failure();
        }
        if !self.aof.last_write_ok {
            log::warn!("AOF reopen, just ignore the last error.");
            self.aof.last_write_ok = true;
        }
        Ok(())
    }

    /// Switches the AOF off at runtime (Redis's stopAppendOnly): flushes and fsyncs what
    /// is buffered, closes the file and cancels a running rewrite.
    pub fn aof_stop(&mut self) {
        self.aof_flush(true);
        if let Some(file) = self.aof.file.take() {
            match file.sync_data() {
                Ok(()) => self.aof.last_fsync = crate::util::time::now_ms() / 1000,
                Err(e) => log::warn!("Fail to fsync the AOF file: {e}"),
            }
        }
        let a = &mut self.aof;
        a.selected_db = None;
        a.status = AofStatus::Off;
        a.rewrite_scheduled = false;
        a.last_incr_size = 0;
        a.last_incr_fsync_offset = 0;
        a.buf = Vec::new();
        self.aof_cancel_rewrite();
    }

    /// Before exiting: cancels a rewrite, then writes and fsyncs what is buffered.
    pub fn aof_shutdown(&mut self, force: bool) -> bool {
        // Switched on at run time and its first rewrite still running: the dataset is
        // in no AOF yet, so exiting would lose it (unless forced).
        if self.aof.status == AofStatus::WaitRewrite {
            if !force {
                log::warn!("Writing initial AOF, can't exit.");
                return false;
            }
            log::warn!("Writing initial AOF. Exit anyway.");
        }
        if self.aof.rewrite.is_some() {
            log::warn!("There is a child rewriting the AOF. Killing it!");
            self.aof_cancel_rewrite();
        }
        if self.aof.status == AofStatus::Off {
            return true;
        }
        log::info!("Calling fsync() on the AOF file.");
        self.aof_flush(true);
        if let Some(file) = &self.aof.file {
            if let Err(e) = file.sync_data() {
                log::warn!("Fail to fsync the AOF file: {e}");
            }
        }
        true
    }

    /// Work of the cron: scheduled and automatic rewrites, postponed flushes and
    /// retries after a write error (part of Redis's serverCron).
    pub(crate) fn aof_cron(&mut self) {
        let now = crate::util::time::now_ms() / 1000;
        let busy = self.aof.rewrite.is_some() || self.persistence.loading;
        if !busy && self.aof.rewrite_scheduled && !self.aof_rewrite_limited(now) {
            let _ = self.aof_start_rewrite();
        }
        if self.aof.status == AofStatus::On && self.aof.flush_postponed_start != 0 {
            self.aof_flush(false);
        }
        if self.aof.status == AofStatus::On && !self.aof.last_write_ok {
            self.aof_flush(false);
        }
        if self.aof.status == AofStatus::On && !busy && self.aof_rewrite_due() {
            if self.aof_rewrite_limited(now) {
                return;
            }
            let base = self.aof.base_size.max(1);
            let growth = (self.aof.current_size * 100 / base) as i64 - 100;
            log::info!("Starting automatic rewriting of AOF on {growth}% growth");
            let _ = self.aof_start_rewrite();
        }
    }

    /// Whether the AOF grew enough since the last rewrite for an automatic one
    /// (`auto-aof-rewrite-percentage`, `auto-aof-rewrite-min-size`).
    fn aof_rewrite_due(&self) -> bool {
        let perc = self.config.auto_aof_rewrite_percentage;
        if perc == 0 || self.aof.current_size <= self.config.auto_aof_rewrite_min_size {
            return false;
        }
        let base = self.aof.base_size.max(1);
        let growth = (self.aof.current_size * 100 / base) as i64 - 100;
        growth >= perc as i64
    }

    /// After 3 failed rewrites in a row, automatic rewrites wait 1, 2, 4 ... up to 60
    /// minutes between attempts (Redis's aofRewriteLimited). Returns true while waiting.
    fn aof_rewrite_limited(&mut self, now: i64) -> bool {
        const THRESHOLD: u64 = 3;
        const MAX_MINUTES: i64 = 60;
        let (next_time, delay) = &mut self.aof.rewrite_limit;
        if self.aof.consecutive_failures < THRESHOLD {
            *next_time = 0;
            *delay = 0;
            return false;
        }
        if *next_time != 0 {
            if now < *next_time {
                return true;
            }
            *next_time = 0;
            return false;
        }
        *delay = if *delay == 0 {
            1
        } else {
            (*delay * 2).min(MAX_MINUTES)
        };
        *next_time = now + *delay * 60;
        log::warn!(
            "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
            *delay
        );
        true
    }

    /// Whether writes must be refused because the AOF cannot be written (Redis's
    /// writeCommandsDeniedByDiskError, AOF part): the AOF is on (or starting) and the
    /// last write, or the last background fsync, failed. Returns the error line
    /// (without the `-`); the refusal lasts until a write succeeds again.
    pub fn aof_write_error(&self) -> Option<String> {
        if self.aof.status == AofStatus::Off {
            return None;
        }
        if !self.aof.last_write_ok {
            let why = self
                .aof
                .last_write_error
                .as_deref()
                .unwrap_or("unknown error");
            return Some(format!("MISCONF Errors writing to the AOF file: {why}"));
        }
        if self.aof.bio.failed() {
            let why = self.aof.bio.failure_text();
            return Some(format!("MISCONF Errors writing to the AOF file: {why}"));
        }
        None
    }
}

/// The AOF fields of INFO persistence, with Redis 7.0's names: the ones always printed
/// (`aof_enabled` .. `aof_last_cow_size`) and the ones printed only while the AOF is on.
pub fn info_fields(srv: &Server) -> (super::InfoFields, super::InfoFields) {
    let a = &srv.aof;
    let now = crate::util::time::now_ms() / 1000;
    let write_ok = a.last_write_ok && !a.bio.failed();
    let status = |ok: bool| if ok { "ok" } else { "err" }.to_string();
    let always = vec![
        (
            "aof_enabled",
            ((a.status != AofStatus::Off) as u8).to_string(),
        ),
        (
            "aof_rewrite_in_progress",
            (a.rewrite.is_some() as u8).to_string(),
        ),
        (
            "aof_rewrite_scheduled",
            (a.rewrite_scheduled as u8).to_string(),
        ),
        (
            "aof_last_rewrite_time_sec",
            a.last_rewrite_time_sec.to_string(),
        ),
        (
            "aof_current_rewrite_time_sec",
            a.rewrite
                .as_ref()
                .map_or(-1, |r| now - r.started_unix())
                .to_string(),
        ),
        ("aof_last_bgrewrite_status", status(a.last_bgrewrite_ok)),
        ("aof_rewrites", a.rewrites.to_string()),
        (
            "aof_rewrites_consecutive_failures",
            a.consecutive_failures.to_string(),
        ),
        ("aof_last_write_status", status(write_ok)),
        ("aof_last_cow_size", a.last_cow_size.to_string()),
    ];
    let enabled = if srv.config.appendonly {
        vec![
            ("aof_current_size", a.current_size.to_string()),
            ("aof_base_size", a.base_size.to_string()),
            (
                "aof_pending_rewrite",
                (a.rewrite_scheduled as u8).to_string(),
            ),
            ("aof_buffer_length", a.buf.len().to_string()),
            ("aof_pending_bio_fsync", a.pending_bio_fsync().to_string()),
            ("aof_delayed_fsync", a.delayed_fsync.to_string()),
        ]
    } else {
        Vec::new()
    };
    (always, enabled)
}
