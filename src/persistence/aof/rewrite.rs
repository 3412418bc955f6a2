//! AOF rewrites (BGREWRITEAOF, automatic rewrites, the first base when the AOF is
//! switched on) on the snapshot thread (Redis's rewriteAppendOnlyFileBackground and
//! backgroundRewriteDoneHandler).
//!
//! 1. The loop flushes the buffer and opens a new incremental file, recorded at once in
//!    a durable manifest (`appendonly yes`); while the AOF is being switched on, a temp
//!    incremental file instead. Every later write goes there, so no rewrite buffer is
//!    kept and a crash during the rewrite loses nothing: the manifest still lists the
//!    old base, the old incremental files and the new one.
//! 2. The snapshot thread writes the frozen dataset to `temp-rewriteaof-bg-<pid>.aof` in
//!    the AOF directory (an RDB with `aof-use-rdb-preamble yes`, else commands), fsyncs
//!    it and reports.
//! 3. The loop renames it to the new base, turns the old base and the incremental files
//!    before the new one into history, writes the new manifest durably, and only then
//!    removes the history files (on the bio thread).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::writer::create_truncated;
use super::AofStatus;
use crate::persistence::rdb::{RdbError, RdbErrorKind};
use crate::persistence::snapshot::{
    FileOp, Frozen, Progress, ProgressWriter, SnapshotDone, SnapshotError, SnapshotJob,
    SnapshotKind,
};
use crate::protocol::encode_command;
use crate::server::Server;
use crate::types::stream::{Stream, StreamId};
use crate::types::Value;
use crate::util::numbers::format_double;
use crate::util::time;

/// Items per variadic command (RPUSH, SADD, ZADD, HMSET) in a commands-form base, as
/// Redis's AOF_REWRITE_ITEMS_PER_CMD.
pub const ITEMS_PER_CMD: usize = 64;
/// Write buffer of the rewrite.
const WRITE_BUF: usize = 256 * 1024;

/// A rewrite running on the snapshot thread.
pub struct RewriteJob {
    job: SnapshotJob,
    /// The temp file the thread writes.
    temp: PathBuf,
    /// Whether the base is an RDB (`aof-use-rdb-preamble` when it started).
    rdb: bool,
}

impl RewriteJob {
    /// Unix seconds when it started.
    pub fn started_unix(&self) -> i64 {
        self.job.started_unix
    }
}

/// Why BGREWRITEAOF could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewriteStartError {
    /// A rewrite is already running.
    InProgress,
    /// The directory, the new incremental file, the manifest or the thread failed
    /// (logged).
    Failed,
}

/// The commands that rebuild `key` holding `value` (without its expiry): what a
/// commands-form base (`aof-use-rdb-preamble no`) holds for each key. Collections are
/// split into commands of at most [`ITEMS_PER_CMD`] items, as Redis does; a stream
/// takes one XADD per entry and more (see `stream_commands`).
pub fn value_to_commands(key: &[u8], value: &Value) -> Vec<Vec<Vec<u8>>> {
    let set = |v: Vec<u8>| vec![vec![b"SET".to_vec(), key.to_vec(), v]];
    let mut out = Vec::new();
    match value {
        Value::Int(n) => return set(n.to_string().into_bytes()),
        Value::Str(s) => return set(s.as_bytes().to_vec()),
        Value::Buf(b) => return set(b.as_slice().to_vec()),
        Value::List(list) => {
            let mut items = Vec::with_capacity(list.len());
            list.for_each(|item| items.push(item.to_vec()));
            push_batched(&mut out, b"RPUSH", key, items, 1);
        }
        Value::Set(set) => {
            let mut items = Vec::with_capacity(set.len());
            set.for_each(|member| items.push(member.to_vec()));
            push_batched(&mut out, b"SADD", key, items, 1);
        }
        Value::ZSet(zset) => {
            let mut items = Vec::with_capacity(zset.len() * 2);
            zset.for_each(|member, score| {
                items.push(format_double(score).into_bytes());
                items.push(member.to_vec());
            });
            push_batched(&mut out, b"ZADD", key, items, 2);
        }
        Value::Hash(hash) => {
            let mut items = Vec::with_capacity(hash.len() * 2);
            hash.for_each(|field, value| {
                items.push(field.to_vec());
                items.push(value.to_vec());
            });
            push_batched(&mut out, b"HMSET", key, items, 2);
        }
        Value::Stream(stream) => stream_commands(&mut out, key, stream),
    }
    out
}

/// Appends the commands that rebuild `stream` at `key` to `out`, as Redis's
/// rewriteStreamObject: one `XADD key id field value ...` per entry (an empty stream:
/// `XADD key MAXLEN 0 0-1 x y`, which leaves the key empty); `XSETID key last-id
/// ENTRIESADDED n MAXDELETEDID id`; per group `XGROUP CREATE key group last-id
/// ENTRIESREAD n` (-1 when unknown); then per consumer, in name order, either
/// `XGROUP CREATECONSUMER key group consumer` (nothing pending) or one `XCLAIM key group
/// consumer 0 id TIME ms RETRYCOUNT n JUSTID FORCE` per pending entry.
fn stream_commands(out: &mut Vec<Vec<Vec<u8>>>, key: &[u8], stream: &Stream) {
    let arg = |s: &str| s.as_bytes().to_vec();
    let id = |id: StreamId| id.to_text();
    let int = |n: i64| n.to_string().into_bytes();
    if stream.is_empty() {
        out.push(vec![
            arg("XADD"),
            key.to_vec(),
            arg("MAXLEN"),
            arg("0"),
            arg("0-1"),
            arg("x"),
            arg("y"),
        ]);
    } else {
        for (entry_id, fields) in stream.range(StreamId::MIN, StreamId::MAX) {
            let mut cmd = Vec::with_capacity(3 + 2 * fields.len());
            cmd.extend([arg("XADD"), key.to_vec(), id(entry_id)]);
            for (field, value) in fields.pairs() {
                cmd.push(field.to_vec());
                cmd.push(value.to_vec());
            }
            out.push(cmd);
        }
    }
    out.push(vec![
        arg("XSETID"),
        key.to_vec(),
        id(stream.last_id),
        arg("ENTRIESADDED"),
        stream.entries_added.to_string().into_bytes(),
        arg("MAXDELETEDID"),
        id(stream.max_deleted_id),
    ]);
    for (name, group) in &stream.groups {
        // Redis writes the counter as a long long: -1 when it is unknown.
        let entries_read = group.entries_read.map_or(-1, |n| n as i64);
        out.push(vec![
            arg("XGROUP"),
            arg("CREATE"),
            key.to_vec(),
            name.clone(),
            id(group.last_id),
            arg("ENTRIESREAD"),
            int(entries_read),
        ]);
        for (consumer, state) in &group.consumers {
            if state.pending.is_empty() {
                out.push(vec![
                    arg("XGROUP"),
                    arg("CREATECONSUMER"),
                    key.to_vec(),
                    name.clone(),
                    consumer.clone(),
                ]);
                continue;
            }
            for &pending_id in &state.pending {
                let Some(nack) = group.pending.get(&pending_id) else {
                    continue;
                };
                out.push(vec![
                    arg("XCLAIM"),
                    key.to_vec(),
                    name.clone(),
                    consumer.clone(),
                    arg("0"),
                    id(pending_id),
                    arg("TIME"),
                    int(nack.delivery_time),
                    arg("RETRYCOUNT"),
                    nack.delivery_count.to_string().into_bytes(),
                    arg("JUSTID"),
                    arg("FORCE"),
                ]);
            }
        }
    }
}

/// Appends `items` to `out` as commands `<name> key item...` of at most
/// [`ITEMS_PER_CMD`] items each (`per_item` arguments per item).
pub fn push_batched(
    out: &mut Vec<Vec<Vec<u8>>>,
    name: &[u8],
    key: &[u8],
    items: Vec<Vec<u8>>,
    per_item: usize,
) {
    for chunk in items.chunks(ITEMS_PER_CMD * per_item) {
        let mut cmd = Vec::with_capacity(chunk.len() + 2);
        cmd.push(name.to_vec());
        cmd.push(key.to_vec());
        cmd.extend(chunk.iter().cloned());
        out.push(cmd);
    }
}

/// Writes `frozen` as commands (FUNCTION LOAD of each library, SELECT, the commands of
/// each key, PEXPIREAT for keys with an expiry) into `out`; `timestamp` starts it with a `#TS:` annotation.
pub fn write_commands<W: Write>(frozen: &Frozen, out: &mut W, timestamp: bool) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    if timestamp {
        buf.extend_from_slice(format!("#TS:{}\r\n", time::now_ms() / 1000).as_bytes());
    }
    // Function libraries first, as Redis's rewriteFunctions.
    for code in &frozen.functions {
        encode_command(&mut buf, &[b"FUNCTION".as_slice(), b"LOAD", code]);
    }
    for db in &frozen.dbs {
        let id = db.id.to_string();
        encode_command(&mut buf, &[b"SELECT".as_slice(), id.as_bytes()]);
        let expires: std::collections::HashMap<&[u8], i64> = db
            .expires
            .iter()
            .map(|(k, &when)| (k.as_bytes(), when))
            .collect();
        for (key, obj) in db.keys.iter() {
            let key = key.as_bytes();
            for cmd in value_to_commands(key, &obj.value) {
                encode_command(&mut buf, &cmd);
            }
            if let Some(when) = expires.get(key) {
                let when = when.to_string();
                encode_command(&mut buf, &[b"PEXPIREAT".as_slice(), key, when.as_bytes()]);
            }
            if buf.len() >= WRITE_BUF {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    out.write_all(&buf)
}

/// Writes `frozen` into a new file `path` (RDB or commands), fsyncs it and returns its
/// size. The file is removed on failure.
pub fn write_temp(
    frozen: &mut Frozen,
    path: &Path,
    rdb: bool,
    timestamp: bool,
    progress: &Progress,
) -> Result<u64, SnapshotError> {
    let result = (|| {
        let file_err = |op| {
            let path = path.to_path_buf();
            move |err| SnapshotError::File { op, path, err }
        };
        let file = create_truncated(path).map_err(file_err(FileOp::CreateTemp))?;
        let sink = BufWriter::with_capacity(WRITE_BUF, file);
        let sink = if rdb {
            frozen.write_rdb(sink, progress)?
        } else {
            let mut w = ProgressWriter::new(sink, progress);
            let written = write_commands(frozen, &mut w, timestamp).and_then(|()| w.flush());
            match written {
                Ok(()) => w.into_inner(),
                Err(_) if progress.is_cancelled() => return Err(SnapshotError::Cancelled),
                Err(e) => return Err(io_error(e)),
            }
        };
        let file = sink.into_inner().map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(file_err(FileOp::Fsync))?;
        Ok(file.metadata().map(|m| m.len()).unwrap_or(0))
    })();
    if result.is_err() {
        // Best effort: the file may not have been created.
        let _ = fs::remove_file(path);
    }
    result
}

/// A write error of the rewrite, in the snapshot's error type.
fn io_error(err: io::Error) -> SnapshotError {
    SnapshotError::Rdb(RdbError::new(0, RdbErrorKind::Io(err)))
}

/// Writes `frozen` as `dir/name` through a temp file (write, fsync, rename, fsync of the
/// directory): the base written at start-up. Returns its size.
pub fn write_base_file(
    frozen: &mut Frozen,
    dir: &Path,
    name: &str,
    rdb: bool,
    progress: &Progress,
) -> Result<u64, SnapshotError> {
    let temp = dir.join(format!("temp-rewriteaof-{}.aof", std::process::id()));
    let bytes = write_temp(frozen, &temp, rdb, false, progress)?;
    let target = dir.join(name);
    if let Err(err) = fs::rename(&temp, &target) {
        let _ = fs::remove_file(&temp);
        return Err(SnapshotError::File {
            op: FileOp::Rename,
            path: target,
            err,
        });
    }
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|err| SnapshotError::File {
            op: FileOp::FsyncDir,
            path: dir.to_path_buf(),
            err,
        })?;
    Ok(bytes)
}

impl Server {
    /// Starts a rewrite on the snapshot thread (see the module doc). Fails if one is
    /// running, or if the directory, the new incremental file or the thread cannot be
    /// made (then `aof_last_bgrewrite_status` becomes err).
    pub fn aof_start_rewrite(&mut self) -> Result<(), RewriteStartError> {
        if self.aof.rewrite.is_some() {
            return Err(RewriteStartError::InProgress);
        }
        let dir = self.aof_dir();
        if let Err(e) = fs::create_dir_all(&dir) {
            log::warn!(
                "Can't open or create append-only dir {}: {e}",
                dir.display()
            );
            self.aof.last_bgrewrite_ok = false;
            return Err(RewriteStartError::Failed);
        }
        // A new file starts with a SELECT.
        self.aof.selected_db = None;
        self.aof_flush(true);
        if let Err(e) = self.aof_open_new_incr(&dir) {
            log::warn!("Can't open a new AOF incremental file: {e}");
            self.aof.last_bgrewrite_ok = false;
            return Err(RewriteStartError::Failed);
        }
        self.aof.rewrites += 1;
        let temp = dir.join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
        let rdb = self.config.aof_use_rdb_preamble;
        let timestamp = self.config.aof_timestamp_enabled;
        let thread_temp = temp.clone();
        let job = move |frozen: &mut Frozen, progress: &Progress| {
            let bytes = write_temp(frozen, &thread_temp, rdb, timestamp, progress)?;
            log::info!(
                "Successfully created the temporary AOF base file {}",
                thread_temp.display()
            );
            Ok(bytes)
        };
        match self.start_snapshot(SnapshotKind::AofRewrite, true, job) {
            Ok(job) => {
                log::info!(
                    "Background append only file rewriting started (snapshot thread, loop blocked {} us)",
                    self.persistence.latest_fork_usec
                );
                self.aof.rewrite = Some(RewriteJob { job, temp, rdb });
                self.aof.rewrite_scheduled = false;
                Ok(())
            }
            Err(e) => {
                log::warn!("Can't rewrite append only file in background: {e}");
                self.aof.last_bgrewrite_ok = false;
                Err(RewriteStartError::Failed)
            }
        }
    }

    /// Opens the incremental file writes go to from now on: a new one recorded in a
    /// durable manifest (AOF on), a temp one (AOF being switched on), none (AOF off).
    fn aof_open_new_incr(&mut self, dir: &Path) -> io::Result<()> {
        match self.aof.status {
            AofStatus::Off => Ok(()),
            AofStatus::WaitRewrite => {
                let path = dir.join(self.aof_temp_incr_name());
                let file = create_truncated(&path)?;
                self.aof_switch_file(file, 0);
                log::info!(
                    "Creating AOF incr file {} on background rewrite",
                    path.display()
                );
                Ok(())
            }
            AofStatus::On => {
                let mut manifest = self.aof.manifest.clone();
                let name = manifest.new_incr(&self.config.appendfilename);
                let path = dir.join(&name);
                let file = create_truncated(&path)?;
                if let Err(e) = self.aof_persist_manifest(&manifest) {
                    drop(file);
                    let _ = fs::remove_file(&path);
                    return Err(e);
                }
                self.aof.manifest = manifest;
                self.aof_switch_file(file, 0);
                log::info!("Creating AOF incr file {name} on background rewrite");
                Ok(())
            }
        }
    }

    /// Name of the temp incremental file used while the AOF is switched on.
    fn aof_temp_incr_name(&self) -> String {
        format!("temp-{}.incr", self.config.appendfilename)
    }

    /// Stops a running rewrite and waits for its thread; its temp file is removed.
    pub fn aof_cancel_rewrite(&mut self) {
        let Some(rw) = self.aof.rewrite.as_mut() else {
            return;
        };
        // Redis's words for its child ("Killing running AOF rewrite child: <pid>"):
        // the rewrite is ours on a thread, and it stops at its next key.
        log::info!("Killing running AOF rewrite child (the snapshot thread)");
        rw.job.cancel();
        rw.job.join();
        // The thread has ended, so its report is in the channel.
        self.on_snapshot_event();
    }

    /// Takes the result of the rewrite thread into account.
    pub(crate) fn aof_rewrite_done(&mut self, result: Result<SnapshotDone, SnapshotError>) {
        let Some(mut rw) = self.aof.rewrite.take() else {
            log::warn!("An AOF rewrite report arrived but no rewrite was running");
            return;
        };
        rw.job.join();
        let started = std::time::Instant::now();
        let outcome = match result {
            Ok(done) => {
                log::info!("Background AOF rewrite terminated with success");
                self.aof_install_rewrite(&rw).map(|()| done)
            }
            Err(e) => Err(e),
        };
        let a = &mut self.aof;
        a.last_rewrite_time_sec = time::now_ms() / 1000 - rw.job.started_unix;
        match outcome {
            Ok(done) => {
                a.last_bgrewrite_ok = true;
                a.consecutive_failures = 0;
                a.last_cow_size = done.cow_bytes;
                log::info!("Background AOF rewrite finished successfully");
                log::debug!(
                    "Background AOF rewrite done handler took {}us",
                    started.elapsed().as_micros()
                );
            }
            Err(SnapshotError::Cancelled) => {
                log::warn!("Background AOF rewrite terminated by a cancel");
            }
            Err(e) => {
                log::warn!("Background AOF rewrite terminated with error: {e}");
                a.last_bgrewrite_ok = false;
                a.consecutive_failures += 1;
            }
        }
        // Best effort: gone already when the rename succeeded.
        let _ = fs::remove_file(&rw.temp);
        if self.aof.status == AofStatus::WaitRewrite {
            // The writes collected for a base that was not installed are useless: the
            // next rewrite snapshots them.
            self.aof.buf.clear();
            self.aof.file = None;
            let _ = fs::remove_file(self.aof_dir().join(self.aof_temp_incr_name()));
            self.aof.rewrite_scheduled = true;
        }
    }

    /// Installs the base the thread wrote: renames, updates and persists the manifest,
    /// then removes the history files. On failure nothing of the old layout is lost.
    fn aof_install_rewrite(&mut self, rw: &RewriteJob) -> Result<(), SnapshotError> {
        let dir = self.aof_dir();
        let prefix = self.config.appendfilename.clone();
        let mut manifest = self.aof.manifest.clone();
        let base_name = manifest.new_base(&prefix, rw.rdb);
        let base_path = dir.join(&base_name);
        let file_err = |op, path: &Path| {
            let path = path.to_path_buf();
            move |err| SnapshotError::File { op, path, err }
        };
        fs::rename(&rw.temp, &base_path).map_err(file_err(FileOp::Rename, &base_path))?;
        log::info!(
            "Successfully renamed the temporary AOF base file {} into {base_name}",
            rw.temp.display()
        );
        let mut new_incr = None;
        if self.aof.status == AofStatus::WaitRewrite {
            let name = manifest.new_incr(&prefix);
            let path = dir.join(&name);
            let temp = dir.join(self.aof_temp_incr_name());
            if let Err(e) = fs::rename(&temp, &path) {
                let _ = fs::remove_file(&base_path);
                return Err(file_err(FileOp::Rename, &path)(e));
            }
            log::info!("Successfully renamed the temporary AOF incr file into {name}");
            new_incr = Some(path);
        }
        manifest.retire_incr(self.aof.file.is_some());
        if let Err(e) = self.aof_persist_manifest(&manifest) {
            let _ = fs::remove_file(&base_path);
            if let Some(path) = &new_incr {
                let _ = fs::remove_file(path);
            }
            return Err(file_err(FileOp::FsyncDir, &dir)(e));
        }
        let base_size = fs::metadata(&base_path).map(|m| m.len()).unwrap_or(0);
        if self.aof.status != AofStatus::Off {
            self.aof.current_size = base_size + self.aof.last_incr_size;
            self.aof.base_size = self.aof.current_size;
        }
        // The new manifest is durable: the history files can go.
        for h in std::mem::take(&mut manifest.history) {
            log::info!("Removing the history file {} in the background", h.name);
            self.aof.bio.unlink(dir.join(&h.name));
        }
        if let Err(e) = self.aof_persist_manifest(&manifest) {
            log::warn!("Could not write the AOF manifest without its history files: {e}");
        }
        self.aof.manifest = manifest;
        if self.aof.status == AofStatus::WaitRewrite {
            self.aof.status = AofStatus::On;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_become_set_commands() {
        let cmds = value_to_commands(b"k", &Value::Int(-5));
        assert_eq!(
            cmds,
            vec![vec![b"SET".to_vec(), b"k".to_vec(), b"-5".to_vec()]]
        );
        let cmds = value_to_commands(b"k", &Value::string(b"hello"));
        assert_eq!(cmds[0][2], b"hello");
    }

    /// Splits each command's arguments with spaces, for readable comparisons.
    fn texts(cmds: &[Vec<Vec<u8>>]) -> Vec<String> {
        cmds.iter()
            .map(|c| {
                c.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn streams_become_redis_rewrite_commands() {
        use crate::types::stream::{ConsumerGroup, Fields, NodeLimits};
        use std::sync::Arc;
        let id = |ms, seq| StreamId::new(ms, seq);
        let mut s = Stream::new();
        let limits = NodeLimits::default();
        s.append(
            id(1, 1),
            Fields::from_flat(&[b"a".to_vec(), b"1".to_vec()]),
            limits,
        );
        s.append(
            id(2, 0),
            Fields::from_flat(&[b"b".to_vec(), b"".to_vec()]),
            limits,
        );
        s.append(
            id(3, 0),
            Fields::from_flat(&[b"c".to_vec(), b"3".to_vec()]),
            limits,
        );
        assert!(s.delete(id(3, 0)));
        let mut g = ConsumerGroup::new(id(2, 0), Some(2));
        g.consumer(b"alice", 5);
        g.consumer(b"bob", 6);
        g.set_pending(id(2, 0), b"bob", 1000, 3);
        g.set_pending(id(1, 1), b"bob", 999, 1);
        s.groups.insert(b"g".to_vec(), g);
        s.groups
            .insert(b"h".to_vec(), ConsumerGroup::new(id(0, 0), None));
        let cmds = value_to_commands(b"k", &Value::Stream(Arc::new(s)));
        assert_eq!(
            texts(&cmds),
            [
                "XADD k 1-1 a 1",
                "XADD k 2-0 b ",
                "XSETID k 3-0 ENTRIESADDED 3 MAXDELETEDID 3-0",
                "XGROUP CREATE k g 2-0 ENTRIESREAD 2",
                "XGROUP CREATECONSUMER k g alice",
                "XCLAIM k g bob 0 1-1 TIME 999 RETRYCOUNT 1 JUSTID FORCE",
                "XCLAIM k g bob 0 2-0 TIME 1000 RETRYCOUNT 3 JUSTID FORCE",
                "XGROUP CREATE k h 0-0 ENTRIESREAD -1",
            ]
        );
        // An empty stream: Redis's XADD MAXLEN 0 trick, then its real last ID.
        let mut empty = Stream::new();
        empty.append(
            id(7, 0),
            Fields::from_flat(&[b"x".to_vec(), b"y".to_vec()]),
            limits,
        );
        assert!(empty.delete(id(7, 0)));
        let cmds = value_to_commands(b"e", &Value::Stream(Arc::new(empty)));
        assert_eq!(
            texts(&cmds),
            [
                "XADD e MAXLEN 0 0-1 x y",
                "XSETID e 7-0 ENTRIESADDED 1 MAXDELETEDID 7-0",
            ]
        );
    }

    #[test]
    fn batches_hold_at_most_64_items() {
        let mut out = Vec::new();
        let items: Vec<Vec<u8>> = (0..130).map(|i| i.to_string().into_bytes()).collect();
        push_batched(&mut out, b"RPUSH", b"l", items, 1);
        let sizes: Vec<usize> = out.iter().map(|c| c.len() - 2).collect();
        assert_eq!(sizes, [64, 64, 2]);
        let mut out = Vec::new();
        let pairs: Vec<Vec<u8>> = (0..140).map(|i| i.to_string().into_bytes()).collect();
        push_batched(&mut out, b"HMSET", b"h", pairs, 2);
        let sizes: Vec<usize> = out.iter().map(|c| c.len() - 2).collect();
        assert_eq!(sizes, [128, 12]);
    }
}
