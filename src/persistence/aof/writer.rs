//! Feeding and flushing the AOF (Redis's feedAppendOnlyFile and flushAppendOnlyFile).
//!
//! Every propagated write is RESP-encoded into `AofState::buf` (preceded by a SELECT
//! when its database differs from the previous one). Before the loop writes any reply
//! (`before_sleep`, and before a backed-up socket is written), the buffer is written to
//! the incremental file with one `write`, then:
//! * `always`: fdatasync'ed right there, so a reply never leaves before its write is on
//!   disk; one fsync covers every write of the tick;
//! * `everysec`: fsynced by the AOF bio thread at most once a second; while that fsync
//!   is still running the write is postponed for up to two seconds, then done anyway
//!   (counted in `aof_delayed_fsync`);
//! * `no`: left to the kernel.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::Arc;

use super::AofStatus;
use crate::config::AppendFsync;
use crate::protocol::encode_command;
use crate::server::Server;
use crate::util::time;

/// Seconds between two logs of the same write error.
const WRITE_ERROR_LOG_RATE: i64 = 30;
/// A buffer this large is released after a flush rather than kept for reuse.
const BUF_KEEP_BYTES: usize = 4000;

impl Server {
    /// The AOF's part of propagation: appends `argv`, run against database `db`, to the
    /// AOF buffer when the AOF is on (or being switched on by a running rewrite).
    pub fn aof_feed(&mut self, db: usize, argv: &[Vec<u8>]) {
        let a = &mut self.aof;
        let accepting = match a.status {
            AofStatus::On => true,
            AofStatus::WaitRewrite => a.rewrite.is_some(),
            AofStatus::Off => false,
        };
        if !accepting {
            return;
        }
        if self.config.aof_timestamp_enabled {
            let now = self.now_ms / 1000;
            if a.cur_timestamp < now {
                a.cur_timestamp = now;
                a.buf.extend_from_slice(format!("#TS:{now}\r\n").as_bytes());
            }
        }
        if a.selected_db != Some(db) {
            let db_text = db.to_string();
            encode_command(&mut a.buf, &[b"SELECT".as_slice(), db_text.as_bytes()]);
            a.selected_db = Some(db);
        }
        encode_command(&mut a.buf, argv);
    }

    /// Called before a reply is written outside `before_sleep`: with `appendfsync
    /// always`, the buffered writes go to disk first.
    pub fn aof_before_reply(&mut self) {
        if self.aof.status != AofStatus::Off
            && !self.aof.buf.is_empty()
            && self.config.appendfsync == AppendFsync::Always
        {
            self.aof_flush(true);
        }
    }

    /// Writes the AOF buffer to the incremental file and fsyncs it per `appendfsync`.
    /// `force` writes even while a background fsync is running. A write error with
    /// `always` ends the process (acknowledged writes could not be made durable);
    /// otherwise the data stays buffered and writes are refused until a retry works.
    pub fn aof_flush(&mut self, force: bool) {
        if self.aof.status == AofStatus::Off || self.aof.file.is_none() {
            return;
        }
        let now = time::now_ms() / 1000;
        let policy = self.config.appendfsync;
        let sync_in_progress = policy == AppendFsync::Everysec && self.aof.bio.pending() > 0;
        if self.aof.buf.is_empty() {
            let a = &self.aof;
            let unsynced = a.last_incr_fsync_offset != a.last_incr_size;
            let due = match policy {
                AppendFsync::Everysec => unsynced && now > a.last_fsync && !sync_in_progress,
                AppendFsync::Always => unsynced,
                AppendFsync::No => false,
            };
            if due {
                self.aof_fsync_per_policy(now, sync_in_progress);
            }
            return;
        }
        if policy == AppendFsync::Everysec && !force && sync_in_progress {
            let a = &mut self.aof;
            if a.flush_postponed_start == 0 {
                a.flush_postponed_start = now;
                return;
            }
            if now - a.flush_postponed_start < 2 {
                return;
            }
            a.delayed_fsync += 1;
            log::info!("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
        }
        if self.aof.flush_sleep_us > 0 {
            // DEBUG AOF-FLUSH-SLEEP: widens the window between a command and its reply
            // being sent, for tests of the reply-after-write ordering.
            std::thread::sleep(std::time::Duration::from_micros(self.aof.flush_sleep_us));
        }
        let started = std::time::Instant::now();
        let result = self.aof_write_buffer();
        let ms = started.elapsed().as_millis() as u64;
        self.latency
            .maybe_record(self.config.latency_monitor_threshold, "aof-write", ms, now);
        self.aof.flush_postponed_start = 0;
        if let Err(e) = result {
            self.aof_write_failed(e, now);
            return;
        }
        if !self.aof.last_write_ok {
            log::warn!("AOF write error looks solved, Redis can write again.");
            self.aof.last_write_ok = true;
            self.aof.last_write_error = None;
        }
        if self.aof.buf.capacity() > BUF_KEEP_BYTES {
            self.aof.buf = Vec::new();
        }
        self.aof_fsync_per_policy(now, sync_in_progress);
    }

    /// Writes the whole buffer with as many `write` calls as needed. On failure a
    /// partial write is cut off the file again when possible; what could not be undone
    /// is removed from the buffer (it is in the file).
    fn aof_write_buffer(&mut self) -> io::Result<()> {
        let Some(file) = self.aof.file.clone() else {
            return Ok(());
        };
        let mut written = 0;
        let total = self.aof.buf.len();
        let mut out: &File = &file;
        let mut error = None;
        while written < total {
            match out.write(&self.aof.buf[written..]) {
                // A write that makes no progress means a full disk, as Redis assumes.
                Ok(0) => {
                    error = Some(io::Error::from_raw_os_error(libc::ENOSPC));
                    break;
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let a = &mut self.aof;
        let Some(err) = error else {
            a.current_size += total as u64;
            a.last_incr_size += total as u64;
            a.buf.clear();
            return Ok(());
        };
        // A partial write is cut off the file again; if that fails, the written part
        // stays in the file and leaves the buffer.
        if written > 0 && file.set_len(a.last_incr_size).is_err() {
            a.current_size += written as u64;
            a.last_incr_size += written as u64;
            a.buf.drain(..written);
        }
        Err(err)
    }

    /// Records a failed AOF write (see [`Server::aof_flush`]).
    fn aof_write_failed(&mut self, err: io::Error, now: i64) {
        let a = &mut self.aof;
        if now - a.last_write_error_log > WRITE_ERROR_LOG_RATE {
            a.last_write_error_log = now;
            log::warn!("Error writing to the AOF file: {err}");
        }
        if self.config.appendfsync == AppendFsync::Always {
            log::warn!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            std::process::exit(1);
        }
        a.last_write_ok = false;
        a.last_write_error = Some(strerror(&err));
    }

    /// The fsync part of a flush: `always` fsyncs here (exiting if it fails),
    /// `everysec` hands the file to the bio thread once a second, `no` does nothing.
    /// Skipped while a snapshot runs if `no-appendfsync-on-rewrite` is set.
    fn aof_fsync_per_policy(&mut self, now: i64, sync_in_progress: bool) {
        if self.config.no_appendfsync_on_rewrite && self.snapshot_active {
            return;
        }
        let Some(file) = self.aof.file.clone() else {
            return;
        };
        match self.config.appendfsync {
            AppendFsync::Always => {
                let started = std::time::Instant::now();
                if let Err(e) = file.sync_data() {
                    log::warn!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {e}. Exiting...");
                    std::process::exit(1);
                }
                self.latency.maybe_record(
                    self.config.latency_monitor_threshold,
                    "aof-fsync-always",
                    started.elapsed().as_millis() as u64,
                    now,
                );
                self.aof.last_incr_fsync_offset = self.aof.last_incr_size;
                self.aof.last_fsync = now;
            }
            AppendFsync::Everysec if now > self.aof.last_fsync => {
                if !sync_in_progress {
                    self.aof.bio.fsync(file);
                    self.aof.last_incr_fsync_offset = self.aof.last_incr_size;
                }
                self.aof.last_fsync = now;
            }
            _ => {}
        }
    }

    /// Makes `file` (of `size` bytes, just opened for appending) the file the AOF writes
    /// to; the previous one is fsynced and closed on the bio thread.
    pub(crate) fn aof_switch_file(&mut self, file: File, size: u64) {
        if let Some(old) = self.aof.file.replace(Arc::new(file)) {
            self.aof.bio.fsync_and_close(old);
            self.aof.last_fsync = time::now_ms() / 1000;
        }
        self.aof.last_incr_size = size;
        self.aof.last_incr_fsync_offset = size;
    }
}

/// The system's text for `err` alone, as C's strerror gives it (without Rust's
/// ` (os error N)` suffix): the words of `-MISCONF Errors writing to the AOF file: ...`.
pub fn strerror(err: &io::Error) -> String {
    let text = err.to_string();
    match err.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .map_or_else(|| text.clone(), str::to_string),
        None => text,
    }
}

/// Opens `path` for appending, creating it if needed (0644).
pub fn open_append(path: &std::path::Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o644)
        .open(path)
}

/// Creates (or empties) `path` for writing (0644).
pub fn create_truncated(path: &std::path::Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_is_the_bare_system_text() {
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(strerror(&full), "No space left on device");
        let eio = io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(strerror(&eio), "Input/output error");
        let other = io::Error::other("custom");
        assert_eq!(strerror(&other), "custom");
    }
}
