//! Saving the dataset to `dir`/`dbfilename`: SAVE in the foreground, BGSAVE on the
//! snapshot thread, save points from the cron, and the final save at shutdown
//! (Redis's rdbSave, rdbSaveBackground, backgroundSaveDoneHandler and the save part of
//! serverCron and finishShutdown).
//!
//! Every save writes `temp-<pid>.rdb` in `dir`, fsyncs it, renames it over the dump and
//! fsyncs the directory; on any failure the temp file is removed and the previous dump
//! is left as it was. Only one save writes the temp file at a time: SAVE is refused
//! while a BGSAVE runs, and the shutdown save and DEBUG RELOAD cancel a running BGSAVE
//! first (as Redis kills its child).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::rdb::{RdbError, RdbWriter};
use super::snapshot::{FileOp, Frozen, Progress, SnapshotDone, SnapshotError, SnapshotKind};
use super::BGSAVE_RETRY_DELAY_SECS;
use crate::commands::keys::lfu_counter;
use crate::config::MaxmemoryPolicy;
use crate::persistence::aof::AofStatus;
use crate::server::{Server, ShutdownMode};
use crate::util::time;

/// What a snapshot records of each key's access clock, decided by the
/// maxmemory-policy when the snapshot is taken (Redis's rdbSaveKeyValuePair): the idle
/// time under an LRU policy, the LFU counter under an LFU policy, nothing otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessRecord {
    /// No IDLE or FREQ opcodes.
    Nothing,
    /// An IDLE opcode: seconds between each key's clock and `now_ms`.
    Idle {
        /// The time the snapshot was taken (ms since the epoch).
        now_ms: i64,
    },
    /// A FREQ opcode: each key's LFU counter, decayed to `now_ms`.
    Freq {
        /// The time the snapshot was taken (ms since the epoch).
        now_ms: i64,
        /// `lfu-decay-time`, minutes per decrement.
        decay_minutes: u64,
    },
}

impl AccessRecord {
    /// The record `srv`'s maxmemory-policy asks for, as of now.
    pub fn for_server(srv: &Server) -> AccessRecord {
        let now_ms = time::now_ms();
        match srv.config.maxmemory_policy {
            MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::VolatileLru => {
                AccessRecord::Idle { now_ms }
            }
            MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu => AccessRecord::Freq {
                now_ms,
                decay_minutes: srv.config.lfu_decay_time,
            },
            _ => AccessRecord::Nothing,
        }
    }

    /// Writes the IDLE or FREQ opcode (if any) for a key whose access clock is `lru`.
    pub fn write<W: Write>(self, w: &mut RdbWriter<W>, lru: u32) -> Result<(), RdbError> {
        match self {
            AccessRecord::Nothing => Ok(()),
            AccessRecord::Idle { now_ms } => w.write_lru_idle(time::idle_seconds(lru, now_ms)),
            AccessRecord::Freq {
                now_ms,
                decay_minutes,
            } => {
                let counter = lfu_counter(lru, now_ms, decay_minutes);
                w.write_lfu_freq(u8::try_from(counter).unwrap_or(u8::MAX))
            }
        }
    }
}

/// Name of the temp file saves write before renaming it over the dump.
pub fn temp_file_name() -> String {
    format!("temp-{}.rdb", std::process::id())
}

/// Writes `frozen` as `dir/filename` through `dir/temp-<pid>.rdb` (create, write, fsync,
/// rename, fsync the directory). Returns the file's size. On failure the temp file is
/// removed and any existing `dir/filename` is untouched.
pub fn write_rdb_file(
    frozen: &mut Frozen,
    dir: &Path,
    filename: &str,
    progress: &Progress,
) -> Result<u64, SnapshotError> {
    let temp = dir.join(temp_file_name());
    let result = write_and_rename(frozen, &temp, &dir.join(filename), progress);
    if result.is_err() {
        // Best effort: the temp file may not exist (create failed) or be gone already.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The steps of [`write_rdb_file`], without the clean-up.
fn write_and_rename(
    frozen: &mut Frozen,
    temp: &Path,
    target: &Path,
    progress: &Progress,
) -> Result<u64, SnapshotError> {
    let file_err = |op, path: &Path| {
        let path = path.to_path_buf();
        move |err| SnapshotError::File { op, path, err }
    };
    let file = File::create(temp).map_err(file_err(FileOp::CreateTemp, temp))?;
    let file = frozen.write_rdb(file, progress)?;
    file.sync_all().map_err(file_err(FileOp::Fsync, temp))?;
    drop(file);
    fs::rename(temp, target).map_err(file_err(FileOp::Rename, target))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(file_err(FileOp::FsyncDir, dir))?;
    Ok(progress.bytes())
}

/// Removes `path` the way Redis's bg_unlink does: the name goes at once, and the file
/// is closed (so its blocks are freed) on the bio thread. Errors are logged.
fn unlink_in_background(path: &Path) {
    // Holding the file open keeps the unlink itself cheap; without it, unlink anyway.
    let held = File::open(path).ok();
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => log::warn!("Removing {}: {e}", path.display()),
    }
    if let Some(file) = held {
        crate::server::bio::drop_boxed(Box::new(file), 0);
    }
}

impl Server {
    /// Whether persistence is completely off: no save points and the AOF not running
    /// (Redis's allPersistenceDisabled).
    pub fn all_persistence_disabled(&self) -> bool {
        self.config.save_points.is_empty() && self.aof.status == AofStatus::Off
    }

    /// After a replica loaded (or failed to load) the RDB file a master sent: with
    /// `rdb-del-sync-files yes` and no persistence, the file at `path` is removed, as
    /// Redis's readSyncBulkPayload does. Call it while the AOF is still stopped for the
    /// sync: like Redis, a replica whose only persistence is the AOF then removes it too
    /// (the AOF is rewritten from the loaded data).
    pub fn remove_sync_rdb_if_unpersisted(&self, path: &Path) {
        if self.config.rdb_del_sync_files && self.all_persistence_disabled() {
            log::info!(
                "Removing the RDB file obtained from the master. This replica has persistence disabled"
            );
            unlink_in_background(path);
        }
    }

    /// The dump's path: `dir`/`dbfilename`.
    pub fn rdb_path(&self) -> PathBuf {
        Path::new(&self.config.dir).join(&self.config.dbfilename)
    }

    /// Saves the dataset in the foreground (SAVE, DEBUG RELOAD, shutdown). Cancels a
    /// running BGSAVE first. On success the changes counter is reset and `lastsave` set.
    pub fn save_rdb_foreground(&mut self) -> Result<u64, SnapshotError> {
        if self.persistence.bgsave.is_some() {
            self.cancel_bgsave();
        }
        let mut frozen = Frozen::capture(self, false);
        frozen.measure_used_mem();
        let progress = Progress::default();
        let result = write_rdb_file(
            &mut frozen,
            Path::new(&self.config.dir),
            &self.config.dbfilename,
            &progress,
        );
        drop(frozen);
        match result {
            Ok(bytes) => {
                log::info!("DB saved on disk");
                self.dirty = 0;
                self.lastsave = time::now_ms() / 1000;
                self.persistence.last_bgsave_ok = true;
                self.persistence.dataset_incomplete = false;
                Ok(bytes)
            }
            Err(e) => {
                log::warn!("{e}");
                Err(e)
            }
        }
    }

    /// Starts a BGSAVE on the snapshot thread. Fails if one is running or the thread
    /// cannot be started (then `rdb_last_bgsave_status` becomes err).
    pub fn start_bgsave(&mut self) -> Result<(), SnapshotError> {
        if self.persistence.bgsave.is_some() {
            return Err(SnapshotError::AlreadyInProgress);
        }
        self.persistence.rdb_saves += 1;
        self.persistence.last_bgsave_try = time::now_ms() / 1000;
        let dir = PathBuf::from(&self.config.dir);
        let filename = self.config.dbfilename.clone();
        let job = move |frozen: &mut Frozen, progress: &Progress| {
            let bytes = write_rdb_file(frozen, &dir, &filename, progress)?;
            log::info!("DB saved on disk");
            Ok(bytes)
        };
        match self.start_snapshot(SnapshotKind::Bgsave, false, job) {
            Ok(job) => {
                log::info!(
                    "Background saving started by pid {} (snapshot thread, loop blocked {} us)",
                    std::process::id(),
                    self.persistence.latest_fork_usec
                );
                self.persistence.bgsave = Some(job);
                Ok(())
            }
            Err(e) => {
                self.persistence.last_bgsave_ok = false;
                log::warn!("{e}");
                Err(e)
            }
        }
    }

    /// BGSAVE SCHEDULE when a BGSAVE cannot start now (inside EXEC): the cron starts it.
    pub fn schedule_bgsave(&mut self) {
        self.persistence.bgsave_scheduled = true;
    }

    /// Takes the result of the BGSAVE thread into account (Redis's
    /// backgroundSaveDoneHandlerDisk).
    pub(crate) fn bgsave_done(&mut self, result: Result<SnapshotDone, SnapshotError>) {
        let Some(mut job) = self.persistence.bgsave.take() else {
            log::warn!("A BGSAVE report arrived but no BGSAVE was running");
            return;
        };
        job.join();
        let now = time::now_ms() / 1000;
        let p = &mut self.persistence;
        p.last_bgsave_time_sec = now - job.started_unix;
        match result {
            Ok(done) => {
                log::info!(
                    "RDB: {} MB of memory used by copy-on-write",
                    done.cow_bytes / (1024 * 1024)
                );
                log::info!("Background saving terminated with success");
                p.last_bgsave_ok = true;
                p.last_cow_size = done.cow_bytes;
                p.dataset_incomplete = false;
                self.dirty = self.dirty.saturating_sub(job.dirty_at_start);
                self.lastsave = now;
            }
            Err(SnapshotError::Cancelled) => {
                log::warn!("Background saving cancelled");
            }
            Err(e) => {
                log::warn!("{e}");
                log::warn!("Background saving error");
                p.last_bgsave_ok = false;
            }
        }
    }

    /// Stops a running BGSAVE and waits for its thread; its temp file is removed and the
    /// last bgsave status is left as it was.
    pub fn cancel_bgsave(&mut self) {
        let Some(job) = self.persistence.bgsave.as_mut() else {
            return;
        };
        job.cancel();
        job.join();
        // The thread has ended, so its report is in the channel.
        self.on_snapshot_event();
    }

    /// Save points and scheduled BGSAVEs, from the cron: starts a BGSAVE when, for some
    /// `save <secs> <changes>`, at least `changes` writes happened and more than `secs`
    /// seconds passed since the last save, unless the last BGSAVE failed less than 5
    /// seconds ago.
    pub fn persistence_cron(&mut self) {
        let p = &self.persistence;
        if p.bgsave.is_some() || p.loading {
            return;
        }
        let now = time::now_ms() / 1000;
        let may_retry = p.last_bgsave_ok || now - p.last_bgsave_try > BGSAVE_RETRY_DELAY_SECS;
        if !may_retry {
            return;
        }
        if !p.dataset_incomplete {
            let due = self
                .config
                .save_points
                .iter()
                .copied()
                .find(|&(secs, changes)| {
                    self.dirty >= changes && now - self.lastsave > secs as i64
                });
            if let Some((secs, changes)) = due {
                log::info!("{changes} changes in {secs} seconds. Saving...");
                let _ = self.start_bgsave();
                return;
            }
        }
        if self.persistence.bgsave_scheduled && self.start_bgsave().is_ok() {
            self.persistence.bgsave_scheduled = false;
        }
    }

    /// The save part of a shutdown: cancels a running BGSAVE, then saves in the
    /// foreground if `mode` asks for it (SAVE) or allows it and save points exist
    /// (Default). Never saves while loading or after a failed reload left the dataset
    /// incomplete (except on an explicit SAVE). Returns false if the save failed: the
    /// server must not exit.
    pub fn shutdown_save(&mut self, mode: ShutdownMode) -> bool {
        if self.persistence.bgsave.is_some() {
            log::warn!("There is a child saving an .rdb. Killing it!");
            self.cancel_bgsave();
        }
        let save = match mode {
            ShutdownMode::Save => true,
            ShutdownMode::Default => {
                !self.config.save_points.is_empty() && !self.persistence.dataset_incomplete
            }
            ShutdownMode::NoSave => false,
        };
        if !save || self.persistence.loading {
            return true;
        }
        log::info!("Saving the final RDB snapshot before exiting.");
        if self.save_rdb_foreground().is_ok() {
            return true;
        }
        log::warn!("Error trying to save the DB, can't exit.");
        log::warn!("Errors trying to shut down the server. Check the logs for more information.");
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Dict;
    use crate::persistence::rdb::WriteOptions;
    use crate::persistence::snapshot::{FrozenDb, RdbAux};
    use crate::types::{Object, SmallBytes, Value};

    fn frozen(value: &[u8]) -> Frozen {
        let mut keys = Dict::new();
        keys.insert(SmallBytes::new(b"k"), Object::new(Value::string(value), 0));
        Frozen {
            dbs: vec![FrozenDb {
                id: 0,
                keys: keys.snapshot(),
                expires: Dict::new().snapshot(),
            }],
            aux: RdbAux {
                ctime: 0,
                used_mem: 0,
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

    #[test]
    fn replaces_the_dump_atomically_and_keeps_it_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("dump.rdb");
        let bytes = write_rdb_file(
            &mut frozen(b"one"),
            dir.path(),
            "dump.rdb",
            &Progress::default(),
        )
        .unwrap();
        let first = fs::read(&dump).unwrap();
        assert_eq!(first.len() as u64, bytes);
        assert!(!dir.path().join(temp_file_name()).exists());

        // The temp path is taken by a directory: the save fails, the dump stays.
        fs::create_dir(dir.path().join(temp_file_name())).unwrap();
        let err = write_rdb_file(
            &mut frozen(b"two"),
            dir.path(),
            "dump.rdb",
            &Progress::default(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                SnapshotError::File {
                    op: FileOp::CreateTemp,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(fs::read(&dump).unwrap(), first);
        fs::remove_dir(dir.path().join(temp_file_name())).unwrap();

        // Renaming onto a directory fails after the write: the temp file is removed.
        let err = write_rdb_file(&mut frozen(b"three"), dir.path(), "", &Progress::default())
            .unwrap_err();
        assert!(
            matches!(
                err,
                SnapshotError::File {
                    op: FileOp::Rename,
                    ..
                }
            ),
            "{err}"
        );
        assert!(!dir.path().join(temp_file_name()).exists());
        assert_eq!(fs::read(&dump).unwrap(), first);
    }

    #[test]
    fn access_records_write_idle_or_freq_like_redis() {
        use crate::persistence::rdb::RdbWriter;
        let now_ms = 1_700_000_000_000;
        let clock = time::lru_clock(now_ms - 1_000_000);
        let bytes = |record: AccessRecord, lru: u32| {
            let mut w = RdbWriter::new(Vec::new());
            record.write(&mut w, lru).unwrap();
            w.write_string_object(b"k", crate::persistence::rdb::Elem::Int(1), None)
                .unwrap();
            let out = w.finish().unwrap();
            out[..out.len() - 9].to_vec()
        };
        // IDLE 1000 as a 14-bit length, then the key.
        assert_eq!(
            bytes(AccessRecord::Idle { now_ms }, clock)[..3],
            [0xf8, 0x43, 0xe8]
        );
        // FREQ: the counter decayed by one per `decay_minutes` elapsed.
        let lfu = (crate::commands::keys::lfu_minutes(now_ms - 3 * 60_000) << 8) | 42;
        let freq = |decay_minutes| {
            bytes(
                AccessRecord::Freq {
                    now_ms,
                    decay_minutes,
                },
                lfu,
            )[..2]
                .to_vec()
        };
        assert_eq!(freq(1), [0xf9, 39]);
        assert_eq!(freq(0), [0xf9, 42]);
        assert_eq!(bytes(AccessRecord::Nothing, clock)[0], 0); // the string type byte
    }
}
