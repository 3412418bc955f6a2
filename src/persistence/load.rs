//! Loading an RDB file into the databases: at start-up (`dir`/`dbfilename`, before the
//! server reports itself ready) and for DEBUG RELOAD (Redis's loadDataFromDisk and
//! rdbLoad).
//!
//! The file is only ever opened for reading. Any error (truncation, bad checksum, bad
//! length, unknown type, a database number beyond `databases`, a duplicated key, or a
//! value type the keyspace does not support yet) stops the load with a [`LoadError`]
//! naming the file, the byte offset and the reason; at start-up the server then exits
//! without writing anything. Keys whose expiry time has passed are skipped when we are a
//! master (and their DEL propagated), as Redis does.
//!
//! The same loader reads any byte stream: a replica that loads its master's full sync
//! straight from the socket (`repl-diskless-load`) goes through [`Server::load_rdb_from`].
//!
//! While loading (at start-up, DEBUG RELOAD, a replica's full sync), every 2 MB the
//! loader serves the clients that connected: commands without the `loading` flag get
//! `-LOADING`, and SHUTDOWN or SIGTERM stop the load and the server without saving.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mio::Events;

use super::aof::{AofError, AofStatus};
use super::rdb::{RdbEntry, RdbError, RdbErrorKind, RdbEvent, RdbReader, ReadOptions};
use crate::commands::dump::lru_for_idle;
use crate::commands::keys::{lfu_minutes, lfu_policy_selected, LFU_INIT_VAL};
use crate::db::ExpireMode;
use crate::server::{Server, ShutdownMode, LISTENER_BASE, WAKER_TOKEN};
use crate::types::{EncodingLimits, Object, SmallBytes, Value};
use crate::util::time;

/// Read buffer of the loader.
const READ_BUF_BYTES: usize = 256 * 1024;

/// How many keys the loader reads ahead of the one it inserts (see [`Loader::run`]).
const LOOKAHEAD: usize = 12;

/// How far behind the newest read key the loader asks for its bucket, then its first
/// entry: the second and third cache misses of the lookup, each once the one before
/// has had time to arrive.
const BUCKET_PREFETCH_AT: usize = 4;
const ENTRY_PREFETCH_AT: usize = 8;

/// Why a load failed.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be opened or its size read.
    Open {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        err: io::Error,
    },
    /// The file is not a valid RDB (or could not be read) at some offset.
    Rdb {
        /// The file.
        path: PathBuf,
        /// What was wrong, and where.
        err: RdbError,
    },
    /// SELECTDB names a database beyond `databases`.
    DbOutOfRange {
        /// The file.
        path: PathBuf,
        /// Offset of the entry or opcode.
        offset: u64,
        /// The database number found.
        db: u32,
        /// The configured number of databases.
        databases: usize,
    },
    /// The same key appears twice in one database.
    DuplicateKey {
        /// The file.
        path: PathBuf,
        /// Offset of the second occurrence.
        offset: u64,
        /// The key.
        key: Vec<u8>,
        /// Its database.
        db: u32,
    },
    /// A function library of the file could not be loaded.
    Function {
        /// The file.
        path: PathBuf,
        /// Offset of the library.
        offset: u64,
        /// Why (FUNCTION LOAD's error).
        reason: String,
    },
    /// SHUTDOWN or SIGTERM arrived while loading: the load was abandoned.
    Interrupted,
    /// The append-only file could not be loaded or opened (`appendonly yes`).
    Aof(Box<crate::persistence::aof::AofError>),
}

impl LoadError {
    /// Whether the dump could not be read as an RDB (a corrupt or truncated file, or a
    /// function library in it that does not load): where Redis ends its start-up with
    /// "Terminating server after rdb file reading failure.", a line supervisors and
    /// Redis's tests look for. (Redis words a duplicated key or too many databases
    /// otherwise.)
    pub fn is_rdb_read_failure(&self) -> bool {
        matches!(self, LoadError::Rdb { .. } | LoadError::Function { .. })
    }

    /// The file that does not read as an RDB, if that is the failure: the one to run
    /// the checker on ([`crate::persistence::rdb::check::check_file`]).
    pub fn unreadable_rdb_file(&self) -> Option<&Path> {
        match self {
            LoadError::Rdb { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Open { path, err } => write!(f, "{}: {err}", path.display()),
            LoadError::Rdb { path, err } => write!(f, "{}: {err}", path.display()),
            LoadError::DbOutOfRange {
                path,
                offset,
                db,
                databases,
            } => write!(
                f,
                "{}: database {db} at offset {offset}, but the server is configured for {databases} databases",
                path.display()
            ),
            LoadError::DuplicateKey {
                path,
                offset,
                key,
                db,
            } => write!(
                f,
                "{}: duplicated key '{}' in DB {db} at offset {offset}",
                path.display(),
                key.escape_ascii()
            ),
            LoadError::Function {
                path,
                offset,
                reason,
            } => write!(
                f,
                "Failed loading library at offset {offset} of {}: {reason}",
                path.display()
            ),
            LoadError::Interrupted => f.write_str("loading interrupted by a shutdown request"),
            LoadError::Aof(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// How a load behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// A key already present is replaced (DEBUG RELOAD MERGE) instead of being an error.
    pub allow_duplicates: bool,
}

/// What a successful load did.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadStats {
    /// Keys added to the databases.
    pub keys_loaded: u64,
    /// Keys skipped because their expiry time had passed.
    pub keys_expired: u64,
    /// Empty collections skipped (old Redis versions could write them).
    pub empty_keys_skipped: u64,
    /// Size of the file.
    pub bytes: u64,
    /// Time taken.
    pub duration: Duration,
    /// Offset where the RDB ended (an AOF may go on with commands after it).
    pub rdb_end: u64,
}

/// The result of the start-up load.
#[derive(Debug, Clone, Copy)]
pub enum StartupLoad {
    /// There is no dump file: start empty.
    NoFile,
    /// The dump was loaded.
    Loaded(LoadStats),
    /// A shutdown was requested while loading; the server must stop without saving.
    Interrupted,
}

impl Server {
    /// Loads `dir`/`dbfilename` at start-up, logging as Redis does. A missing file is not
    /// an error; any other problem is, and the server must not start.
    pub fn load_data_at_startup(&mut self) -> Result<StartupLoad, LoadError> {
        // With the AOF on, Redis loads it instead of the dump.
        if self.config.appendonly {
            return self
                .load_aof_at_startup()
                .map_err(|e| LoadError::Aof(Box::new(e)));
        }
        let path = self.rdb_path();
        let options = LoadOptions {
            allow_duplicates: false,
        };
        match self.load_rdb_file(&path, options) {
            Ok(stats) => {
                log::info!(
                    "DB loaded from disk: {:.3} seconds",
                    stats.duration.as_secs_f64()
                );
                Ok(StartupLoad::Loaded(stats))
            }
            Err(LoadError::Open { err, .. }) if err.kind() == io::ErrorKind::NotFound => {
                Ok(StartupLoad::NoFile)
            }
            Err(LoadError::Interrupted) => {
                self.shutdown = Some(ShutdownMode::NoSave);
                Ok(StartupLoad::Interrupted)
            }
            Err(e) => Err(e),
        }
    }

    /// Loads the RDB file at `path` into the databases (which are not emptied first).
    /// Sets the loading state for its duration.
    pub fn load_rdb_file(
        &mut self,
        path: &Path,
        options: LoadOptions,
    ) -> Result<LoadStats, LoadError> {
        let open_err = |err| LoadError::Open {
            path: path.to_path_buf(),
            err,
        };
        let file = File::open(path).map_err(open_err)?;
        let len = file.metadata().map_err(open_err)?.len();
        let input = BufReader::with_capacity(READ_BUF_BYTES, file);
        self.load_rdb_from(input, Some(len), path, options)
            .map(|(stats, _)| stats)
    }

    /// Loads an RDB read from `input` (`len` bytes when known) into the databases
    /// (which are not emptied first), as [`Server::load_rdb_file`] does; `source` names
    /// the input in messages. Serves clients while loading, as every load does. Gives
    /// `input` back positioned right after the RDB's last byte, for what follows it
    /// (the command stream of a full sync read straight from the master's socket).
    pub fn load_rdb_from<R: Read>(
        &mut self,
        input: R,
        len: Option<u64>,
        source: &Path,
        options: LoadOptions,
    ) -> Result<(LoadStats, R), LoadError> {
        self.start_loading(len.unwrap_or(0));
        let started = Instant::now();
        let result = Loader::new(self, source, options).run(input, len);
        self.persistence.loading = false;
        let (mut stats, input) = result?;
        stats.duration = started.elapsed();
        if stats.empty_keys_skipped > 0 {
            log::info!(
                "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                stats.keys_loaded,
                stats.keys_expired,
                stats.empty_keys_skipped
            );
        } else {
            log::info!(
                "Done loading RDB, keys loaded: {}, keys expired: {}.",
                stats.keys_loaded,
                stats.keys_expired
            );
        }
        Ok((stats, input))
    }

    /// DEBUG LOADAOF (Redis's debug.c): writes out what the AOF buffers (when it is
    /// on), empties the dataset and replays the files the AOF manifest on disk names.
    /// The changes counter ends at 0: the reloaded data is what the AOF already holds.
    /// A missing manifest is a [`AofError::MissingFile`]; on any error the dataset is
    /// left incomplete (and marked so, as after a failed DEBUG RELOAD).
    pub fn debug_load_aof(&mut self) -> Result<(), AofError> {
        if self.aof.status != AofStatus::Off {
            self.aof_flush(true);
        }
        for db in &mut self.dbs {
            db.flush();
        }
        // The functions go too (Redis's emptyData): the AOF loads them again, and a
        // library still there would make its FUNCTION LOAD fail.
        if let Err(e) = self.scripting.functions.flush() {
            log::warn!("Could not drop the function libraries before loading the AOF: {e}");
        }
        let result = self.reload_aof_files();
        self.persistence.dataset_incomplete = result.is_err();
        self.dirty = 0;
        result
    }

    /// Reads the manifest on disk and replays its files into the (empty) dataset.
    fn reload_aof_files(&mut self) -> Result<(), AofError> {
        let manifest = self.aof_read_manifest()?;
        if manifest.is_empty() {
            let path = self.aof_dir().join(self.aof_manifest_name());
            return Err(AofError::MissingFile { path });
        }
        match self.aof_load_files(&manifest)? {
            StartupLoad::Interrupted => Err(AofError::Interrupted),
            StartupLoad::NoFile | StartupLoad::Loaded(_) => Ok(()),
        }
    }

    /// Enters the loading state for a file of `len` bytes.
    fn start_loading(&mut self, len: u64) {
        let p = &mut self.persistence;
        p.loading = true;
        p.load_progress = super::LoadProgress {
            start_time: time::now_ms() / 1000,
            started: Some(Instant::now()),
            total_bytes: len,
            loaded_bytes: 0,
            rdb_used_mem: 0,
        };
        p.last_load_keys_loaded = 0;
        p.last_load_keys_expired = 0;
    }

    /// One round of the event loop while loading: accepts, reads and answers clients
    /// (they get -LOADING, or the old data in a replica's async load). Returns false if
    /// a shutdown was requested (then forced to NOSAVE, as Redis never saves a
    /// half-loaded dataset).
    pub(crate) fn serve_clients_while_loading(&mut self, events: &mut Events) -> bool {
        let serving_old = self.repl_async_load_swap();
        let go_on = self.serve_one_round_while_loading(events);
        if serving_old {
            self.repl_async_load_swap();
        }
        go_on
    }

    fn serve_one_round_while_loading(&mut self, events: &mut Events) -> bool {
        if let Err(e) = self.poll.poll(events, Some(Duration::ZERO)) {
            if e.kind() != io::ErrorKind::Interrupted {
                log::warn!("poll failed while loading: {e}");
            }
        }
        // A client whose command is running this load (DEBUG LOADAOF) is out of its
        // slot: its reads wait for the loop, or their readiness edge would be lost.
        let mut deferred = Vec::new();
        for token in std::mem::take(&mut self.pending_reads) {
            if self.client_is_busy(token) {
                deferred.push(token);
            } else {
                self.handle_readable(token, false);
            }
        }
        // Through the loop's queue: a script run by one of these clients (a replica's
        // async load serves scripts) serves the others while it is busy.
        self.queue_events(events);
        while let Some(ready) = self.next_queued_event() {
            let token = ready.token;
            if token == WAKER_TOKEN {
                self.on_snapshot_event();
            } else if token.0 > LISTENER_BASE - 64 && token.0 <= LISTENER_BASE {
                self.accept(LISTENER_BASE - token.0);
            } else {
                if ready.readable {
                    if !self.client_is_busy(token.0) {
                        self.handle_readable(token.0, ready.read_closed);
                    } else if ready.read_closed {
                        // The loop's queue keeps what the event said of the peer.
                        self.defer_read(token.0, true);
                    } else {
                        deferred.push(token.0);
                    }
                }
                if ready.writable {
                    self.handle_writable(token.0);
                }
            }
        }
        for token in deferred {
            if !self.pending_reads.contains(&token) {
                self.pending_reads.push(token);
            }
        }
        self.flush_pending_writes();
        if self.take_signal() && self.shutdown.is_none() {
            log::warn!("Received SIGTERM scheduling shutdown...");
            self.shutdown = Some(ShutdownMode::NoSave);
        }
        if self.shutdown.is_some() {
            self.shutdown = Some(ShutdownMode::NoSave);
            return false;
        }
        true
    }
}

/// The access clock of a loaded key, as Redis's rdbLoad leaves it (createObject's
/// initial clock, then objectSetLRUOrLFU): with an LFU policy (`lfu`), the stored FREQ
/// counter (or the initial one) stamped with the current minute; otherwise the clock
/// that makes the key idle for the stored IDLE seconds (or now, without one).
pub fn loaded_clock(lfu: bool, now_ms: i64, lru_idle: Option<u64>, lfu_freq: Option<u8>) -> u32 {
    if lfu {
        let counter = lfu_freq.map_or(LFU_INIT_VAL, u32::from);
        return (lfu_minutes(now_ms) << 8) | counter;
    }
    let now = time::lru_clock(now_ms);
    match lru_idle {
        // Redis keeps the idle time in a signed 64-bit integer: huge values wrap.
        Some(idle) => lru_for_idle(now, idle as i64),
        None => now,
    }
}

impl Server {
    /// Whether the client of `token` is taken out of its slot (its command is running).
    fn client_is_busy(&self, token: usize) -> bool {
        matches!(self.clients.get(token), Some(None))
    }
}

/// The state of one load.
struct Loader<'s> {
    srv: &'s mut Server,
    path: &'s Path,
    options: LoadOptions,
    /// Skip keys that are already expired (we are a master).
    skip_expired: bool,
    /// An LFU maxmemory-policy is selected: keys' clocks take the FREQ counters.
    lfu: bool,
    now_ms: i64,
    stats: LoadStats,
    /// The database selected by the last SELECTDB.
    current: usize,
    /// The encoding thresholds loaded collections are built with.
    limits: EncodingLimits,
    repl_id: Option<String>,
    repl_offset: Option<i64>,
    /// Keys read so far, for a negative `key-load-delay`.
    keys_read: u64,
}

impl<'s> Loader<'s> {
    /// A loader of `path` into `srv`.
    fn new(srv: &'s mut Server, path: &'s Path, options: LoadOptions) -> Loader<'s> {
        let limits = EncodingLimits::from_config(&srv.config);
        Loader {
            skip_expired: srv.expire_mode == ExpireMode::Delete,
            lfu: lfu_policy_selected(&srv.config),
            now_ms: time::now_ms(),
            srv,
            path,
            options,
            stats: LoadStats::default(),
            current: 0,
            limits,
            repl_id: None,
            repl_offset: None,
            keys_read: 0,
        }
    }

    /// Reads every event of `input` (`len` bytes when known) and applies them; gives
    /// `input` back positioned after the RDB.
    fn run<R: Read>(mut self, input: R, len: Option<u64>) -> Result<(LoadStats, R), LoadError> {
        let read_options = ReadOptions {
            verify_checksum: self.srv.config.rdbchecksum,
            input_len: len,
        };
        let mut reader =
            RdbReader::with_options(input, read_options).map_err(|err| self.rdb_error(err))?;
        let mut events = Events::with_capacity(256);
        // Bytes loaded between two rounds of serving clients.
        let serve_every = self.srv.config.loading_process_events_interval_bytes as u64;
        let mut next_serve = serve_every;
        // Keys come in the saving server's order, which is random for our table: each
        // insert's lookup would wait on three cache misses in a row (page, bucket,
        // first entry of the chain). So entries wait in `ahead` until LOOKAHEAD later
        // ones have been read, and their lookups are started in stages meanwhile.
        let mut ahead: VecDeque<(RdbEntry, u64)> = VecDeque::with_capacity(LOOKAHEAD + 1);
        loop {
            let at = reader.position();
            if at >= next_serve {
                self.progress(at);
                next_serve = at + serve_every;
                if !self.srv.serve_clients_while_loading(&mut events) {
                    return Err(LoadError::Interrupted);
                }
            }
            match reader.next_event() {
                Ok(None) => {
                    self.stats.rdb_end = reader.position();
                    self.insert_all(&mut ahead)?;
                    break;
                }
                Ok(Some(RdbEvent::Entry(entry))) => {
                    ahead.push_back((entry, at));
                    self.prefetch_stages(&ahead);
                    if ahead.len() > LOOKAHEAD {
                        if let Some((entry, at)) = ahead.pop_front() {
                            self.entry(entry, at)?;
                        }
                    }
                }
                Ok(Some(event)) => {
                    // Anything else (a new database's size, a function...) comes after
                    // the keys before it, as in the file.
                    self.insert_all(&mut ahead)?;
                    self.apply(event, at)?;
                }
                Err(e) if e.is_recoverable() => match &e.kind {
                    RdbErrorKind::EmptyKey { key, .. } => self.skip_empty_key(key, e.offset),
                    _ => log::warn!("RDB: skipped an entry: {e}"),
                },
                Err(e) => return Err(self.rdb_error(e)),
            }
        }
        let end = reader.position();
        self.progress(len.unwrap_or(end));
        let stats = self.finish(len.unwrap_or(end))?;
        Ok((stats, reader.into_inner()))
    }

    /// Starts the lookups of the entries read ahead, one stage each: the page of the
    /// newest, the bucket of the one [`BUCKET_PREFETCH_AT`] behind, the first entry of
    /// the one [`ENTRY_PREFETCH_AT`] behind.
    fn prefetch_stages(&self, ahead: &VecDeque<(RdbEntry, u64)>) {
        let dict_of = |back: usize| {
            let (entry, _) = ahead.get(ahead.len().checked_sub(back + 1)?)?;
            let db = self.srv.dbs.get(usize::try_from(entry.db).ok()?)?;
            Some((&db.dict, entry.key.as_slice()))
        };
        if let Some((dict, key)) = dict_of(0) {
            dict.prefetch_page(key);
        }
        if let Some((dict, key)) = dict_of(BUCKET_PREFETCH_AT) {
            dict.prefetch_bucket(key);
        }
        if let Some((dict, key)) = dict_of(ENTRY_PREFETCH_AT) {
            dict.prefetch_entry(key);
        }
    }

    /// Inserts every entry read ahead, in order.
    fn insert_all(&mut self, ahead: &mut VecDeque<(RdbEntry, u64)>) -> Result<(), LoadError> {
        while let Some((entry, at)) = ahead.pop_front() {
            self.entry(entry, at)?;
        }
        Ok(())
    }

    /// Records the bytes consumed for INFO.
    fn progress(&mut self, at: u64) {
        self.srv.persistence.load_progress.loaded_bytes = at;
    }

    /// Applies one event; `at` is the offset where it started.
    fn apply(&mut self, event: RdbEvent, at: u64) -> Result<(), LoadError> {
        match event {
            RdbEvent::Aux { key, value } => self.aux(&key, &value),
            RdbEvent::SelectDb(db) => self.current = self.check_db(db, at)?,
            RdbEvent::ResizeDb {
                db_size,
                expires_size,
            } => self.presize(db_size, expires_size),
            RdbEvent::Entry(entry) => self.entry(entry, at)?,
            // A library we have already fails the load, unless duplicates are allowed
            // (DEBUG RELOAD MERGE), as in Redis.
            RdbEvent::Function(code) => {
                let replace = self.options.allow_duplicates;
                self.srv
                    .scripting
                    .functions
                    .load(&code, replace, false)
                    .map_err(|reason| LoadError::Function {
                        path: self.path.to_path_buf(),
                        offset: at,
                        reason,
                    })?;
            }
            RdbEvent::SlotInfo { .. } | RdbEvent::ModuleAuxSkipped | RdbEvent::Eof => {}
        }
        Ok(())
    }

    /// Logs and records an aux field, as Redis does for the ones it knows.
    fn aux(&mut self, key: &[u8], value: &[u8]) {
        let text = String::from_utf8_lossy(value);
        match key {
            b"redis-ver" => log::info!("Loading RDB produced by version {text}"),
            b"ctime" => {
                let ctime: i64 = text.parse().unwrap_or(0);
                let age = (self.now_ms / 1000 - ctime).max(0);
                log::info!("RDB age {age} seconds");
            }
            b"used-mem" => {
                let used: u64 = text.parse().unwrap_or(0);
                self.srv.persistence.load_progress.rdb_used_mem = used;
                log::info!(
                    "RDB memory usage when created {:.2} Mb",
                    used as f64 / (1024.0 * 1024.0)
                );
            }
            b"aof-base" if text == "1" => log::info!("RDB is base AOF"),
            b"repl-id" => self.repl_id = Some(text.into_owned()),
            b"repl-offset" => self.repl_offset = text.parse().ok(),
            b"repl-stream-db" => self.srv.persistence.loaded_repl_stream_db = text.parse().ok(),
            _ => log::debug!("Unrecognized RDB AUX field: '{}'", key.escape_ascii()),
        }
    }

    /// Fails if database `db` does not exist.
    fn check_db(&self, db: u32, at: u64) -> Result<usize, LoadError> {
        let databases = self.srv.dbs.len();
        match usize::try_from(db) {
            Ok(i) if i < databases => Ok(i),
            _ => Err(LoadError::DbOutOfRange {
                path: self.path.to_path_buf(),
                offset: at,
                db,
                databases,
            }),
        }
    }

    /// Pre-sizes the current database's dicts from a RESIZEDB hint (bounded, since the
    /// hint comes from the file).
    fn presize(&mut self, db_size: u64, expires_size: u64) {
        const MAX_HINT: u64 = 1 << 28;
        let Some(db) = self.srv.dbs.get_mut(self.current) else {
            return;
        };
        db.dict.expand(db_size.min(MAX_HINT) as usize);
        db.expires.expand(expires_size.min(MAX_HINT) as usize);
    }

    /// Old Redis versions could leave empty collections behind (Redis issue 8453); Redis
    /// skips them with a warning per key rather than refusing the file, and so do we,
    /// in its words (operators grep logs for them), with the offset added.
    fn skip_empty_key(&mut self, key: &[u8], at: u64) {
        self.stats.empty_keys_skipped += 1;
        log::warn!(
            "RDB load: skipping empty key: {} (at offset {at} of {})",
            key.escape_ascii(),
            self.path.display()
        );
    }

    /// Adds one key, or skips it if it expired.
    fn entry(&mut self, entry: RdbEntry, at: u64) -> Result<(), LoadError> {
        self.key_load_delay();
        let dbid = self.check_db(entry.db, at)?;
        let RdbEntry {
            db: file_db,
            key,
            value,
            expire_ms,
            lru_idle,
            lfu_freq,
        } = entry;
        let Some(value) = Value::from_rdb(value, &self.limits) else {
            self.skip_empty_key(&key, at);
            return Ok(());
        };
        if self.skip_expired && expire_ms.is_some_and(|when| when < self.now_ms) {
            self.stats.keys_expired += 1;
            self.srv.propagate(dbid, &[b"DEL".to_vec(), key]);
            return Ok(());
        }
        let lru = loaded_clock(self.lfu, self.now_ms, lru_idle, lfu_freq);
        let db = &mut self.srv.dbs[dbid];
        if self.options.allow_duplicates && db.dict.contains_key(&key) {
            db.remove(&key);
        }
        let key = SmallBytes::from_vec(key);
        let expire = expire_ms.map(|when| (key.clone(), when));
        if let Err((key, _)) = db.dict.insert_new(key, Object::new(value, lru)) {
            return Err(LoadError::DuplicateKey {
                path: self.path.to_path_buf(),
                offset: at,
                key: key.as_bytes().to_vec(),
                db: file_db,
            });
        }
        if let Some((key, when)) = expire {
            db.expires.insert(key, when);
        }
        self.stats.keys_loaded += 1;
        Ok(())
    }

    /// Waits `key-load-delay` microseconds, as Redis's debugDelay: a load made slow on
    /// purpose, for tests. Even the shortest sleep costs a system call and a context
    /// switch, so a negative -N sleeps 1 us once every N keys instead.
    fn key_load_delay(&mut self) {
        let delay = self.srv.config.key_load_delay;
        self.keys_read += 1;
        let us = match delay {
            0 => return,
            1.. => delay.unsigned_abs(),
            _ => u64::from(self.keys_read.is_multiple_of(delay.unsigned_abs())),
        };
        if us > 0 {
            std::thread::sleep(std::time::Duration::from_micros(us));
        }
    }

    /// Records the totals and the replication info found.
    fn finish(mut self, len: u64) -> Result<LoadStats, LoadError> {
        self.stats.bytes = len;
        let p = &mut self.srv.persistence;
        p.last_load_keys_loaded = self.stats.keys_loaded;
        p.last_load_keys_expired = self.stats.keys_expired;
        if let (Some(id), Some(offset)) = (self.repl_id.take(), self.repl_offset) {
            p.loaded_repl = Some((id, offset));
        }
        Ok(self.stats)
    }

    /// Wraps a reader error with the file name.
    fn rdb_error(&self, err: RdbError) -> LoadError {
        LoadError::Rdb {
            path: self.path.to_path_buf(),
            err,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_clocks_follow_the_policy() {
        let now_ms = 1_700_000_000_000;
        let now = time::lru_clock(now_ms);
        // LRU (or no policy): IDLE makes the key that idle; without it, now.
        assert_eq!(
            time::idle_seconds(loaded_clock(false, now_ms, Some(1000), Some(9)), now_ms),
            1000
        );
        assert_eq!(loaded_clock(false, now_ms, None, Some(9)), now);
        // LFU: the stored counter, or the initial 5, at the current minute.
        let minute = lfu_minutes(now_ms) << 8;
        assert_eq!(loaded_clock(true, now_ms, Some(1000), Some(9)), minute | 9);
        assert_eq!(loaded_clock(true, now_ms, Some(1000), None), minute | 5);
    }
}
