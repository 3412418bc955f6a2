//! The AOF's background I/O thread (Redis's BIO_AOF_FSYNC and BIO_CLOSE_FILE jobs):
//! `appendfsync everysec` fsyncs here so the event loop never waits for the disk, a
//! file replaced by a rewrite is fsynced and closed here, and history files are unlinked
//! here. Jobs run in order on one thread.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

/// A job of the thread.
enum Job {
    /// fdatasync the file (it stays open: the loop still appends to it).
    Fsync(Arc<File>),
    /// fdatasync, then close the file when the last handle is dropped.
    FsyncAndClose(Arc<File>),
    /// Remove a file (history files after a rewrite).
    Unlink(PathBuf),
}

/// Handle of the AOF bio thread. The thread starts at the first job.
#[derive(Default)]
pub struct FsyncWorker {
    tx: Option<Sender<Job>>,
    shared: Arc<Shared>,
}

/// Counters the thread updates and the event loop reads.
#[derive(Default)]
struct Shared {
    /// Fsync jobs queued or running (INFO `aof_pending_bio_fsync`).
    pending_fsync: AtomicU64,
    /// The last background fsync failed (INFO `aof_last_write_status:err`).
    failed: AtomicBool,
    /// errno of the last failed background fsync (0 if unknown).
    errno: AtomicI32,
}

impl FsyncWorker {
    /// Queues an fdatasync of `file`.
    pub fn fsync(&mut self, file: Arc<File>) {
        self.shared.pending_fsync.fetch_add(1, Ordering::SeqCst);
        self.send(Job::Fsync(file));
    }

    /// Queues an fdatasync of `file` followed by its close.
    pub fn fsync_and_close(&mut self, file: Arc<File>) {
        self.send(Job::FsyncAndClose(file));
    }

    /// Queues the removal of `path`.
    pub fn unlink(&mut self, path: PathBuf) {
        self.send(Job::Unlink(path));
    }

    /// Number of fsync jobs not finished yet.
    pub fn pending(&self) -> u64 {
        self.shared.pending_fsync.load(Ordering::SeqCst)
    }

    /// Whether the last background fsync failed.
    pub fn failed(&self) -> bool {
        self.shared.failed.load(Ordering::Relaxed)
    }

    /// The system's text for the last background fsync error (for -MISCONF).
    pub fn failure_text(&self) -> String {
        match self.shared.errno.load(Ordering::Relaxed) {
            0 => "Unknown error".to_string(),
            code => super::writer::strerror(&std::io::Error::from_raw_os_error(code)),
        }
    }

    /// Forgets a background fsync error (AOF switched on again).
    pub fn clear_failure(&self) {
        self.shared.failed.store(false, Ordering::Relaxed);
    }

    /// Sends `job`, starting the thread if needed; runs it here if the thread cannot be
    /// started.
    fn send(&mut self, job: Job) {
        if self.tx.is_none() {
            let (tx, rx) = channel::<Job>();
            let shared = self.shared.clone();
            let spawned = std::thread::Builder::new()
                .name("bio_aof".into())
                .spawn(move || {
                    for job in rx {
                        run(job, &shared);
                    }
                });
            match spawned {
                Ok(_) => self.tx = Some(tx),
                Err(e) => log::warn!("Can't start the AOF background thread: {e}"),
            }
        }
        match &self.tx {
            Some(tx) => {
                if let Err(e) = tx.send(job) {
                    run(e.0, &self.shared);
                }
            }
            None => run(job, &self.shared),
        }
    }
}

/// Carries out one job.
fn run(job: Job, shared: &Shared) {
    match job {
        Job::Fsync(file) => {
            let result = file.sync_data();
            let ok = result.is_ok();
            if let Err(e) = result {
                log::warn!("Error syncing the AOF file in the background: {e}");
                shared
                    .errno
                    .store(e.raw_os_error().unwrap_or(0), Ordering::Relaxed);
            }
            shared.failed.store(!ok, Ordering::Relaxed);
            shared.pending_fsync.fetch_sub(1, Ordering::SeqCst);
        }
        Job::FsyncAndClose(file) => {
            if let Err(e) = file.sync_data() {
                log::warn!("Error syncing a closed AOF file in the background: {e}");
            }
        }
        Job::Unlink(path) => {
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    log::warn!("Can't remove the AOF file {}: {e}", path.display());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_and_counters_settle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let file = Arc::new(File::create(&path).unwrap());
        let mut w = FsyncWorker::default();
        for _ in 0..10 {
            w.fsync(file.clone());
        }
        w.unlink(path.clone());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while (w.pending() > 0 || path.exists()) && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(w.pending(), 0);
        assert!(!path.exists());
        assert!(!w.failed());
    }
}
