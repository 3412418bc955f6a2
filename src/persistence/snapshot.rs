//! The copy-on-write snapshot thread: Redis forks to get a frozen copy of the dataset;
//! we freeze it in user space.
//!
//! [`Frozen::capture`] takes a [`DictSnapshot`] of every database's keys and expiries
//! (one `Arc` clone per page of each dict: the only work the event loop does to start a
//! snapshot). [`Server::start_snapshot`] hands it to a new thread that runs a job on it:
//! usually [`Frozen::write_rdb`] into any `Write` sink (a temp file for BGSAVE; a socket
//! or a pipe for replication and the AOF rewrite), while the event loop keeps serving and
//! copies a bucket's chain or a value only when it writes to one the snapshot still
//! shares. The RDB writer lets go of each dict page once written, so the event loop
//! stops paying for pages already saved. When the job ends, the thread drops what is
//! left of its frozen view (so the pages only it still holds are freed there, not on
//! the event loop), sends a [`SnapshotReport`] on the server's
//! channel and wakes the loop through its `mio::Waker`; the loop then calls
//! [`Server::on_snapshot_event`].
//!
//! While any snapshot is alive the server sets `snapshot_active` (reads do not refresh
//! access clocks, so they copy nothing) and forbids dict resizes (a rehash would touch,
//! and so copy, every page).
//!
//! Memory cost: a snapshot cannot see which pages were copied, so the copy-on-write cost
//! is estimated from the growth of the process's resident memory while the snapshot runs
//! (minus the snapshot thread's own index of expiry times), sampled every MiB of output.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;

use super::rdb::{version_for, RdbError, RdbWriter, ReplAux, StandardAux, WriteOptions};
use super::rss_bytes;
use super::save::AccessRecord;
use super::value_rdb;
use crate::db::DictSnapshot;
use crate::server::Server;
use crate::types::{Object, Value};
use crate::util::{sched, time};

/// Output bytes between two samples of the resident memory.
const COW_SAMPLE_BYTES: u64 = 1 << 20;
/// Keys written between two updates of the shared progress counter.
const PROGRESS_EVERY_KEYS: u64 = 1024;
/// Approximate bytes per entry of the expiry index the snapshot thread builds.
const EXPIRY_INDEX_ENTRY_BYTES: u64 = 32;

/// What a snapshot is for; its report is routed by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    /// BGSAVE (command, save point or scheduled) into `dir`/`dbfilename`.
    Bgsave,
    /// An AOF rewrite (BGREWRITEAOF, automatic, or `appendonly yes` at runtime).
    AofRewrite,
    /// A full sync for replicas (to a file or to their sockets).
    ReplSync,
}

/// One database, frozen.
pub struct FrozenDb {
    /// Database number.
    pub id: u32,
    /// Its keys and values.
    pub keys: DictSnapshot<Object>,
    /// Its expiry times (ms since the epoch).
    pub expires: DictSnapshot<i64>,
}

/// The aux fields written at the top of the RDB.
#[derive(Debug, Clone)]
pub struct RdbAux {
    /// Unix seconds when the snapshot was taken (`ctime`).
    pub ctime: i64,
    /// Memory in use when the snapshot was taken (`used-mem`); measured by whoever
    /// writes the snapshot ([`Frozen::measure_used_mem`]), not by the event loop.
    pub used_mem: u64,
    /// `repl-id`.
    pub repl_id: String,
    /// `repl-offset`.
    pub repl_offset: i64,
    /// `repl-stream-db`.
    pub repl_stream_db: i64,
    /// Whether the RDB is the base of an AOF (`aof-base`).
    pub aof_base: bool,
}

/// A frozen view of the whole dataset, owned by a snapshot thread (or by a foreground
/// SAVE). `Send`: every part is a shared, immutable page table.
pub struct Frozen {
    /// The non-empty databases, in order.
    pub dbs: Vec<FrozenDb>,
    /// Aux fields to write.
    pub aux: RdbAux,
    /// `rdbcompression` / `rdbchecksum` (the version is chosen when writing, by
    /// [`Frozen::rdb_version`]).
    pub options: WriteOptions,
    /// The IDLE or FREQ opcode written before each key (from the maxmemory-policy).
    pub access: AccessRecord,
    /// The code of every function library (written before the databases).
    pub functions: Vec<Vec<u8>>,
    /// `rdb-key-save-delay`: a pause after each key, in microseconds.
    pub key_save_delay_us: u64,
}

/// Counters a snapshot thread updates and the event loop reads (INFO, final report).
#[derive(Debug, Default)]
pub struct Progress {
    cancel: AtomicBool,
    keys_done: AtomicU64,
    keys_total: AtomicU64,
    bytes: AtomicU64,
    rss_base: AtomicU64,
    cow_now: AtomicU64,
    cow_peak: AtomicU64,
    /// When `cow_now` was last sampled (ms since the epoch; 0: never).
    cow_sampled_ms: AtomicI64,
    own_bytes: AtomicU64,
}

/// What INFO shows of a running snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveProgress {
    /// Estimated copy-on-write bytes now.
    pub cow_now: u64,
    /// Highest estimate so far.
    pub cow_peak: u64,
    /// When `cow_now` was sampled (ms since the epoch; 0: not yet).
    pub cow_sampled_ms: i64,
    /// Keys written.
    pub keys_done: u64,
    /// Keys to write.
    pub keys_total: u64,
}

/// A finished snapshot job.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotDone {
    /// Bytes produced.
    pub bytes: u64,
    /// Keys written.
    pub keys: u64,
    /// Time the thread spent.
    pub duration: Duration,
    /// Peak copy-on-write estimate, bytes.
    pub cow_bytes: u64,
}

/// Sent by a snapshot thread when it ends.
#[derive(Debug)]
pub struct SnapshotReport {
    /// What the snapshot was for.
    pub kind: SnapshotKind,
    /// The outcome.
    pub result: Result<SnapshotDone, SnapshotError>,
}

/// A file operation of a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOp {
    /// Creating the temp file.
    CreateTemp,
    /// fsync of the temp file.
    Fsync,
    /// Renaming the temp file over the dump.
    Rename,
    /// fsync of the directory after the rename.
    FsyncDir,
}

/// Why a snapshot or a save failed.
#[derive(Debug)]
pub enum SnapshotError {
    /// Serialising or writing the stream failed (write errors of the sink included).
    Rdb(RdbError),
    /// A file operation failed.
    File {
        /// Which one.
        op: FileOp,
        /// The file (or directory) it was applied to.
        path: PathBuf,
        /// The system's reason.
        err: io::Error,
    },
    /// The snapshot was cancelled (shutdown, DEBUG RELOAD).
    Cancelled,
    /// The snapshot thread panicked.
    Panicked,
    /// The snapshot thread could not be started.
    Spawn(io::Error),
    /// A BGSAVE is already being written.
    AlreadyInProgress,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Rdb(e) => write!(f, "Write error saving DB on disk: {e}"),
            SnapshotError::File { op, path, err } => {
                let p = path.display();
                match op {
                    FileOp::CreateTemp => {
                        write!(f, "Failed opening the temp RDB file {p} for saving: {err}")
                    }
                    FileOp::Fsync => write!(f, "Write error saving DB on disk(fsync) {p}: {err}"),
                    FileOp::Rename => write!(
                        f,
                        "Error moving temp DB file on the final destination {p}: {err}"
                    ),
                    FileOp::FsyncDir => {
                        write!(f, "Write error saving DB on disk(fsyncFileDir) {p}: {err}")
                    }
                }
            }
            SnapshotError::Cancelled => f.write_str("snapshot cancelled"),
            SnapshotError::Panicked => f.write_str("the snapshot thread panicked"),
            SnapshotError::Spawn(e) => write!(f, "Can't save in background: thread: {e}"),
            SnapshotError::AlreadyInProgress => f.write_str("Background save already in progress"),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl From<RdbError> for SnapshotError {
    fn from(e: RdbError) -> Self {
        SnapshotError::Rdb(e)
    }
}

impl Progress {
    /// Asks the job to stop at its next write.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// A copy of the counters.
    pub fn live(&self) -> LiveProgress {
        LiveProgress {
            cow_now: self.cow_now.load(Ordering::Relaxed),
            cow_peak: self.cow_peak.load(Ordering::Relaxed),
            cow_sampled_ms: self.cow_sampled_ms.load(Ordering::Relaxed),
            keys_done: self.keys_done.load(Ordering::Relaxed),
            keys_total: self.keys_total.load(Ordering::Relaxed),
        }
    }

    /// Bytes the job has produced.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Records the resident memory the copy-on-write estimate starts from.
    fn set_baseline(&self) {
        self.rss_base.store(rss_bytes(), Ordering::Relaxed);
    }

    /// Samples resident memory and updates the copy-on-write estimate. Any thread may
    /// call it once the job's thread has recorded its baseline (before, it does nothing).
    pub fn sample_cow(&self) {
        let base = self.rss_base.load(Ordering::Relaxed);
        if base == 0 {
            return;
        }
        let own = self.own_bytes.load(Ordering::Relaxed);
        let cow = rss_bytes().saturating_sub(base).saturating_sub(own);
        self.cow_now.store(cow, Ordering::Relaxed);
        self.cow_peak.fetch_max(cow, Ordering::Relaxed);
        self.cow_sampled_ms.store(time::now_ms(), Ordering::Relaxed);
    }
}

/// A `Write` adapter that counts bytes, samples memory every MiB and fails once the
/// snapshot is cancelled.
pub struct ProgressWriter<'p, W> {
    inner: W,
    progress: &'p Progress,
}

impl<'p, W: Write> ProgressWriter<'p, W> {
    /// Wraps `inner`.
    pub fn new(inner: W, progress: &'p Progress) -> Self {
        ProgressWriter { inner, progress }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for ProgressWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.progress.is_cancelled() {
            return Err(io::Error::other("snapshot cancelled"));
        }
        let n = self.inner.write(buf)?;
        let before = self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        if (before + n as u64) / COW_SAMPLE_BYTES != before / COW_SAMPLE_BYTES {
            self.progress.sample_cow();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Frozen {
    /// Freezes every database of `srv` (O(pages), no key is copied) with the aux fields
    /// of this moment.
    pub fn capture(srv: &Server, aof_base: bool) -> Frozen {
        let dbs = srv
            .dbs
            .iter()
            .filter(|db| !db.dict.is_empty())
            .map(|db| FrozenDb {
                id: db.id as u32,
                keys: db.dict.snapshot(),
                expires: db.expires.snapshot(),
            })
            .collect();
        let (repl_id, repl_offset, repl_stream_db) = srv.repl_save_info();
        Frozen {
            dbs,
            aux: RdbAux {
                ctime: time::now_ms() / 1000,
                used_mem: 0,
                repl_id,
                repl_offset,
                repl_stream_db,
                aof_base,
            },
            options: WriteOptions {
                compression: srv.config.rdbcompression,
                checksum: srv.config.rdbchecksum,
                ..WriteOptions::default()
            },
            access: AccessRecord::for_server(srv),
            functions: srv
                .scripting
                .functions
                .libraries()
                .map(|l| l.code.clone())
                .collect(),
            key_save_delay_us: u64::try_from(srv.config.rdb_key_save_delay).unwrap_or(0),
        }
    }

    /// Fills the `used-mem` aux field with the process's resident memory now.
    pub fn measure_used_mem(&mut self) {
        self.aux.used_mem = rss_bytes();
    }

    /// The RDB version the view is written with: 10 if any key holds a stream (type 19
    /// needs it), else 9. Walks every key until the first stream, on the snapshot
    /// thread, before the writing starts.
    pub fn rdb_version(&self) -> u32 {
        let has_stream = self.dbs.iter().any(|db| {
            db.keys
                .iter()
                .any(|(_, obj)| matches!(obj.value, Value::Stream(_)))
        });
        version_for(has_stream)
    }

    /// Number of keys in the view (none left once `write_rdb` has drained it).
    pub fn key_count(&self) -> u64 {
        self.dbs.iter().map(|db| db.keys.len() as u64).sum()
    }

    /// Leaves out of the RDB what a filtered replica did not ask for (REPLCONF
    /// rdb-filter-only): every key, and the functions unless `functions`. The
    /// header and aux fields stay.
    pub fn keep_only(&mut self, functions: bool) {
        self.dbs.clear();
        if !functions {
            self.functions.clear();
        }
    }

    /// Serialises the view as one RDB stream (header with the version of
    /// [`Frozen::rdb_version`], aux fields, databases, EOF, checksum) into `out`;
    /// returns the sink. Honors cancellation at every write.
    /// Consumes the databases' keys as it goes (see [`DictSnapshot::drain_each`]): each
    /// page of the view is let go of once written, so the live dict stops paying
    /// copy-on-write for it.
    pub fn write_rdb<W: Write>(&mut self, out: W, progress: &Progress) -> Result<W, SnapshotError> {
        progress
            .keys_total
            .store(self.key_count(), Ordering::Relaxed);
        let options = WriteOptions {
            version: self.rdb_version(),
            ..self.options
        };
        let sink = ProgressWriter::new(out, progress);
        let mut w = RdbWriter::with_options(sink, options);
        let result = self.write_body(&mut w, progress);
        let result = result.and_then(|()| w.finish());
        match result {
            Ok(sink) => Ok(sink.into_inner()),
            Err(_) if progress.is_cancelled() => Err(SnapshotError::Cancelled),
            Err(e) => Err(SnapshotError::Rdb(e)),
        }
    }

    /// Writes the header, the aux fields and every database.
    fn write_body<W: Write>(
        &mut self,
        w: &mut RdbWriter<W>,
        progress: &Progress,
    ) -> Result<(), RdbError> {
        w.write_header()?;
        let aux = &self.aux;
        w.write_standard_aux(&StandardAux {
            ctime: aux.ctime,
            used_mem: aux.used_mem,
            repl: Some(ReplAux {
                stream_db: aux.repl_stream_db,
                repl_id: aux.repl_id.as_bytes(),
                repl_offset: aux.repl_offset,
            }),
            aof_base: aux.aof_base,
        })?;
        for code in &self.functions {
            w.write_function(code)?;
        }
        let mut done = 0u64;
        for db in &mut self.dbs {
            write_db(
                w,
                db,
                self.access,
                self.key_save_delay_us,
                progress,
                &mut done,
            )?;
        }
        progress.keys_done.store(done, Ordering::Relaxed);
        Ok(())
    }
}

/// Writes SELECTDB, RESIZEDB and every key of one database, letting go of the keys'
/// pages as it goes.
fn write_db<W: Write>(
    w: &mut RdbWriter<W>,
    db: &mut FrozenDb,
    access: AccessRecord,
    delay_us: u64,
    progress: &Progress,
    done: &mut u64,
) -> Result<(), RdbError> {
    w.write_select_db(db.id)?;
    w.write_resize_db(db.keys.len() as u64, db.expires.len() as u64)?;
    let expires = expiry_index(&db.expires);
    progress.own_bytes.store(
        expires.capacity() as u64 * EXPIRY_INDEX_ENTRY_BYTES,
        Ordering::Relaxed,
    );
    db.keys.drain_each(|key, obj| {
        let key = key.as_bytes();
        let expire = if expires.is_empty() {
            None
        } else {
            expires.get(key).copied()
        };
        if let Some(ms) = expire {
            w.write_expire_ms(ms)?;
        }
        access.write(w, obj.lru)?;
        value_rdb::write_value(w, Some(key), &obj.value)?;
        *done += 1;
        if done.is_multiple_of(PROGRESS_EVERY_KEYS) {
            progress.keys_done.store(*done, Ordering::Relaxed);
        }
        if delay_us > 0 {
            key_save_delay(delay_us, progress);
        }
        Ok(())
    })
}

/// Sleeps `delay_us` (rdb-key-save-delay) in slices, so that a cancelled snapshot
/// (FLUSHALL, shutdown) stops within a few milliseconds even under a long delay.
fn key_save_delay(delay_us: u64, progress: &Progress) {
    const SLICE_US: u64 = 10_000;
    let mut left = delay_us;
    while left > 0 && !progress.is_cancelled() {
        let step = left.min(SLICE_US);
        std::thread::sleep(std::time::Duration::from_micros(step));
        left -= step;
    }
}

/// Key -> expiry of a frozen expires dict (the snapshot has no lookup by key).
fn expiry_index(expires: &DictSnapshot<i64>) -> HashMap<&[u8], i64, RandomState> {
    let mut map = HashMap::with_capacity_and_hasher(expires.len(), RandomState::default());
    for (k, &when) in expires.iter() {
        map.insert(k.as_bytes(), when);
    }
    map
}

/// A running snapshot thread, held by whoever started it.
pub struct SnapshotJob {
    /// What it is for.
    pub kind: SnapshotKind,
    /// When it started.
    pub started: Instant,
    /// Unix seconds when it started.
    pub started_unix: i64,
    /// `Server::dirty` when it started (the changes a successful BGSAVE accounts for).
    pub dirty_at_start: u64,
    progress: Arc<Progress>,
    handle: Option<JoinHandle<()>>,
}

impl SnapshotJob {
    /// Asks the thread to stop at its next write; it then reports `Cancelled`.
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// Waits for the thread to end (its report is then in the channel).
    pub fn join(&mut self) {
        if let Some(handle) = self.handle.take() {
            // A panic was already turned into a report by the thread's guard.
            let _ = handle.join();
        }
    }

    /// The counters of the running job, with the copy-on-write estimate sampled now
    /// (for INFO): the thread samples it only once per MiB it writes, which a slow sink
    /// (a throttled replica, `rdb-key-save-delay`) can stretch to minutes.
    pub fn fresh_progress(&self) -> LiveProgress {
        self.progress.sample_cow();
        self.progress.live()
    }
}

impl Drop for SnapshotJob {
    /// Reaps the thread (it has reported, or is about to, when a job is dropped).
    fn drop(&mut self) {
        self.join();
    }
}

/// Sends the report when the thread ends, even by panic, and wakes the event loop.
struct Reporter {
    kind: SnapshotKind,
    tx: Sender<SnapshotReport>,
    waker: Arc<mio::Waker>,
    /// Set once the thread runs: a job that never started reports nothing.
    running: bool,
    result: Option<Result<SnapshotDone, SnapshotError>>,
}

impl Reporter {
    /// Marks the job as running: from now on its end is always reported.
    fn arm(mut self) -> Reporter {
        self.running = true;
        self
    }

    /// Reports `result` (by dropping the reporter).
    fn finish(mut self, result: Result<SnapshotDone, SnapshotError>) {
        self.result = Some(result);
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if !self.running {
            return;
        }
        let result = self.result.take().unwrap_or(Err(SnapshotError::Panicked));
        let report = SnapshotReport {
            kind: self.kind,
            result,
        };
        // The receiver lives as long as the server; if it is gone, nobody cares.
        let _ = self.tx.send(report);
        if let Err(e) = self.waker.wake() {
            log::warn!("Could not wake the event loop after a snapshot: {e}");
        }
    }
}

impl Server {
    /// Starts a snapshot thread running `job` on a frozen view of the dataset. Blocks the
    /// loop only to freeze the dicts and spawn the thread; that time is recorded as
    /// `latest_fork_usec`. The caller keeps the returned job; its report arrives through
    /// [`Server::on_snapshot_event`]. `job` returns the number of bytes it produced.
    pub fn start_snapshot<F>(
        &mut self,
        kind: SnapshotKind,
        aof_base: bool,
        job: F,
    ) -> Result<SnapshotJob, SnapshotError>
    where
        F: FnOnce(&mut Frozen, &Progress) -> Result<u64, SnapshotError> + Send + 'static,
    {
        let started = Instant::now();
        let mut frozen = Frozen::capture(self, aof_base);
        let progress = Arc::new(Progress::default());
        let reporter = Reporter {
            kind,
            tx: self.persistence.report_sender(),
            waker: self.waker.clone(),
            running: false,
            result: None,
        };
        let thread_progress = progress.clone();
        let handle = std::thread::Builder::new()
            .name("snapshot".into())
            .spawn(move || {
                yield_cpu_to_the_event_loop(kind);
                let reporter = reporter.arm();
                let t0 = Instant::now();
                thread_progress.set_baseline();
                frozen.measure_used_mem();
                let outcome = job(&mut frozen, &thread_progress);
                thread_progress.sample_cow();
                let live = thread_progress.live();
                drop(frozen);
                reporter.finish(outcome.map(|bytes| SnapshotDone {
                    bytes,
                    keys: live.keys_done,
                    duration: t0.elapsed(),
                    cow_bytes: live.cow_peak,
                }));
            })
            .map_err(SnapshotError::Spawn)?;
        self.snapshot_started();
        let usec = started.elapsed().as_micros() as u64;
        self.persistence.latest_fork_usec = usec;
        self.persistence.total_forks += 1;
        Ok(SnapshotJob {
            kind,
            started,
            started_unix: time::now_ms() / 1000,
            dirty_at_start: self.dirty,
            progress,
            handle: Some(handle),
        })
    }

    /// Marks a snapshot as alive: no access-clock updates, no dict resizes.
    fn snapshot_started(&mut self) {
        self.persistence.active_snapshots += 1;
        self.set_snapshot_active(true);
    }

    /// Sets `snapshot_active` and the dicts' resize permission accordingly.
    fn set_snapshot_active(&mut self, active: bool) {
        self.snapshot_active = active;
        self.reclaim_pages = Some(0);
        for db in &mut self.dbs {
            db.dict.set_resize_allowed(!active);
            db.expires.set_resize_allowed(!active);
            db.dict.restart_reclaim();
            db.expires.restart_reclaim();
        }
    }

    /// Handles the reports of finished snapshot threads (called when the waker fires).
    pub fn on_snapshot_event(&mut self) {
        while let Some(report) = self.persistence.try_next_report() {
            self.handle_snapshot_report(report);
        }
    }

    /// Routes one report to its owner and clears `snapshot_active` after the last one.
    pub(crate) fn handle_snapshot_report(&mut self, report: SnapshotReport) {
        let p = &mut self.persistence;
        p.active_snapshots = p.active_snapshots.saturating_sub(1);
        if p.active_snapshots == 0 {
            self.set_snapshot_active(false);
        }
        match report.kind {
            SnapshotKind::Bgsave => self.bgsave_done(report.result),
            SnapshotKind::AofRewrite => self.aof_rewrite_done(report.result),
            SnapshotKind::ReplSync => self.repl_sync_done(report.result),
        }
    }
}

/// Lowers the calling snapshot thread's CPU priority, as far as `kind` allows. Failure
/// only costs throughput, so it is logged and ignored.
///
/// Every kind gets nice 19: when every core is busy the event loop (and so the
/// clients) comes first, which is what keeps the write throughput up during a BGSAVE
/// on a small machine; whenever a core is idle the snapshot runs at full speed all the
/// same. A BGSAVE or an AOF rewrite also becomes `SCHED_IDLE`, as nice 19 alone still
/// takes a good share of a busy core. The price is that a save crawls while every core
/// is saturated by other work: the clients come first. A full sync for replicas keeps
/// the normal class, because a replica that waits too long for its RDB times out and
/// starts over.
fn yield_cpu_to_the_event_loop(kind: SnapshotKind) {
    if let Err((step, e)) = sched::lower_thread_priority(kind != SnapshotKind::ReplSync) {
        log::debug!("Could not lower the snapshot thread's priority ({step}): {e}");
    }
}

/// Runs `frozen.write_rdb` into `sink` and returns the bytes written: the job of a
/// snapshot that streams to a socket or a pipe.
pub fn stream_to<W: Write>(
    frozen: &mut Frozen,
    progress: &Progress,
    sink: W,
) -> Result<u64, SnapshotError> {
    frozen.write_rdb(sink, progress)?;
    Ok(progress.bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Dict;
    use crate::persistence::rdb::{RdbEvent, RdbReader, RdbValue};
    use crate::types::SmallBytes;

    /// The scheduling class a snapshot thread of `kind` runs in.
    fn policy_of_snapshot_thread(kind: SnapshotKind) -> libc::c_int {
        std::thread::spawn(move || {
            yield_cpu_to_the_event_loop(kind);
            // SAFETY: takes and returns integers only; 0 is the calling thread.
            unsafe { libc::sched_getscheduler(0) }
        })
        .join()
        .expect("thread")
    }

    #[test]
    fn saves_run_in_the_idle_class_and_full_syncs_do_not() {
        assert_eq!(
            policy_of_snapshot_thread(SnapshotKind::Bgsave),
            libc::SCHED_IDLE
        );
        assert_eq!(
            policy_of_snapshot_thread(SnapshotKind::AofRewrite),
            libc::SCHED_IDLE
        );
        assert_eq!(
            policy_of_snapshot_thread(SnapshotKind::ReplSync),
            libc::SCHED_OTHER
        );
    }

    /// A dict of `n` string keys `k<i>` -> `<prefix><i>` (every third an integer).
    fn filled(n: usize, prefix: &str) -> Dict<Object> {
        let mut d = Dict::new();
        for i in 0..n {
            let value = if i % 3 == 0 {
                Value::Int(i as i64)
            } else {
                Value::string(format!("{prefix}{i}").as_bytes())
            };
            d.insert(
                SmallBytes::new(format!("k{i}").as_bytes()),
                Object::new(value, 0),
            );
        }
        d
    }

    fn frozen_of(keys: &Dict<Object>, expires: &Dict<i64>, id: u32) -> Frozen {
        Frozen {
            dbs: vec![FrozenDb {
                id,
                keys: keys.snapshot(),
                expires: expires.snapshot(),
            }],
            aux: RdbAux {
                ctime: 1,
                used_mem: 2,
                repl_id: "0".repeat(40),
                repl_offset: 0,
                repl_stream_db: 0,
                aof_base: false,
            },
            options: WriteOptions::default(),
            access: AccessRecord::Nothing,
            functions: Vec::new(),
            key_save_delay_us: 0,
        }
    }

    /// (db, key, value, expiry) of one entry.
    type Row = (u32, Vec<u8>, Vec<u8>, Option<i64>);

    /// Every entry of an RDB stream, sorted.
    fn entries(bytes: &[u8]) -> Vec<Row> {
        let mut r = RdbReader::new(bytes).unwrap();
        let mut out = Vec::new();
        while let Some(ev) = r.next_event().unwrap() {
            if let RdbEvent::Entry(e) = ev {
                let RdbValue::String(v) = e.value else {
                    panic!("not a string")
                };
                out.push((e.db, e.key, v, e.expire_ms));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writes_the_frozen_state_not_later_writes() {
        let mut keys = filled(5000, "old");
        let mut expires = Dict::new();
        expires.insert(SmallBytes::new(b"k1"), 1234);
        let mut frozen = frozen_of(&keys, &expires, 3);
        let expected: Vec<_> = (0..5000)
            .map(|i| {
                let v = if i % 3 == 0 {
                    i.to_string()
                } else {
                    format!("old{i}")
                };
                let exp = (i == 1).then_some(1234);
                (3, format!("k{i}").into_bytes(), v.into_bytes(), exp)
            })
            .collect();
        let writer = std::thread::spawn(move || {
            let progress = Progress::default();
            let out = frozen.write_rdb(Vec::new(), &progress).unwrap();
            (out, progress.live())
        });
        for i in 0..5000 {
            let v = Value::string(format!("new{i}").as_bytes());
            keys.insert(
                SmallBytes::new(format!("k{i}").as_bytes()),
                Object::new(v, 0),
            );
        }
        keys.remove(b"k2");
        expires.insert(SmallBytes::new(b"k4"), 99);
        let (out, live) = writer.join().unwrap();
        let mut expected = expected;
        expected.sort();
        assert_eq!(entries(&out), expected);
        assert_eq!((live.keys_done, live.keys_total), (5000, 5000));
    }

    #[test]
    fn the_header_says_version_10_only_when_a_stream_is_saved() {
        use crate::types::stream::{Fields, NodeLimits, Stream, StreamId};
        let mut keys = filled(10, "v");
        let header = |keys: &Dict<Object>| {
            let mut frozen = frozen_of(keys, &Dict::new(), 0);
            let out = frozen.write_rdb(Vec::new(), &Progress::default()).unwrap();
            let mut r = RdbReader::new(&out[..]).unwrap();
            let mut types = Vec::new();
            while let Some(ev) = r.next_event().unwrap() {
                if let RdbEvent::Entry(e) = ev {
                    types.push(e.value.type_name());
                }
            }
            (out[..9].to_vec(), types.contains(&"stream"))
        };
        assert_eq!(header(&keys), (b"REDIS0009".to_vec(), false));
        let mut s = Stream::new();
        let fields = Fields::from_flat(&[b"f".to_vec(), b"v".to_vec()]);
        s.append(StreamId::new(1, 1), fields, NodeLimits::default());
        keys.insert(
            SmallBytes::new(b"stream"),
            Object::new(Value::Stream(Arc::new(s)), 0),
        );
        assert_eq!(header(&keys), (b"REDIS0010".to_vec(), true));
        // An empty stream counts too: it is still a type 19 value.
        keys.insert(
            SmallBytes::new(b"stream"),
            Object::new(Value::Stream(Arc::new(Stream::new())), 0),
        );
        assert_eq!(header(&keys), (b"REDIS0010".to_vec(), true));
    }

    #[test]
    fn cancellation_and_write_errors_are_reported() {
        let keys = filled(100_000, "value-that-is-long-enough-");
        let mut frozen = frozen_of(&keys, &Dict::new(), 0);
        let progress = Progress::default();
        progress.cancel();
        let err = frozen.write_rdb(Vec::new(), &progress).unwrap_err();
        assert!(matches!(err, SnapshotError::Cancelled), "{err}");

        #[derive(Debug)]
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(28))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let err = frozen.write_rdb(Full, &Progress::default()).unwrap_err();
        assert!(matches!(err, SnapshotError::Rdb(_)), "{err}");
        assert!(err.to_string().contains("No space left on device"), "{err}");
    }
}
