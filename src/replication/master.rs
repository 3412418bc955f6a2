//! The master side: replicas attached to us (Redis's `server.slaves`).
//!
//! A client becomes a replica with SYNC or PSYNC. A partial resync answers `+CONTINUE`
//! and replays the backlog from the requested offset. A full resync waits for a
//! snapshot: `+FULLRESYNC <replid> <offset>` is written when the snapshot is frozen, from
//! then on the stream is queued in the replica's output buffer but held back, and the
//! RDB goes first: from a file on disk (`$<len>` then the file, sent from the event
//! loop) or diskless (`$EOF:<mark>` … `<mark>`, written by the snapshot thread straight
//! to the sockets; the stream then starts at the replica's first ACK, as Redis does,
//! so the replica can find the end mark at the end of a read).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::fanout::Fanout;
use crate::commands::CommandError;
use crate::persistence::rdb::{RdbError, RdbErrorKind};
use crate::persistence::save::write_rdb_file;
use crate::persistence::snapshot::{SnapshotDone, SnapshotError, SnapshotJob, SnapshotKind};
use crate::server::client::output_limit_reached;
use crate::server::{Client, Conn, Server};
use crate::util::time;

/// Bytes read from the RDB file per write attempt of a disk-based transfer.
const BULK_CHUNK: usize = 64 * 1024;

/// Where a replica stands (Redis's `SLAVE_STATE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// Sent REPLCONF but no SYNC/PSYNC yet: not a replica.
    Handshake,
    /// Waits for a snapshot to start.
    WaitBgsaveStart,
    /// Got `+FULLRESYNC`; the snapshot is being produced; the stream is held.
    WaitBgsaveEnd,
    /// The RDB file is being sent from disk.
    SendBulk,
    /// Receives the stream.
    Online,
}

impl ReplicaState {
    /// The name INFO prints (empty for a client that is not a replica yet).
    pub fn name(self) -> &'static str {
        match self {
            ReplicaState::Handshake => "",
            ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// An RDB file being sent to a replica from the event loop.
#[derive(Debug)]
pub struct BulkSend {
    /// `$<len>\r\n`, then the file.
    header: Vec<u8>,
    file: File,
    chunk: Vec<u8>,
    pos: usize,
}

/// What a client that speaks the replication protocol told us, and where it stands.
#[derive(Debug)]
pub struct ReplicaInfo {
    pub state: ReplicaState,
    /// REPLCONF listening-port.
    pub listening_port: u16,
    /// REPLCONF ip-address.
    pub announced_ip: Option<String>,
    /// `capa eof`: understands `$EOF:` diskless transfers.
    pub capa_eof: bool,
    /// `capa psync2`: understands `+CONTINUE <replid>`.
    pub capa_psync2: bool,
    /// REPLCONF rdb-only 1: wants the RDB and no stream (redis-cli --rdb).
    pub rdb_only: bool,
    /// REPLCONF rdb-filter-only: wants an RDB without keys (redis-cli --replica,
    /// --functions-rdb); `Some(true)` keeps the functions.
    pub rdb_filter: Option<bool>,
    /// Came with the old SYNC: no `+FULLRESYNC` line, no ACKs expected.
    pub pre_psync: bool,
    /// Last offset it acknowledged.
    pub ack_off: i64,
    /// When its last ACK (or its sync) happened, ms.
    pub ack_time_ms: i64,
    /// Wants (or gets) a diskless full sync.
    pub diskless: bool,
    /// The disk transfer in progress.
    pub bulk: Option<BulkSend>,
    /// Diskless sync done: the stream starts at the first ACK.
    pub stream_on_ack: bool,
    /// It acknowledged during a diskless transfer: it has loaded the RDB (a replica
    /// acknowledges only then) before we saw the transfer end, so its stream need not
    /// wait for another ACK.
    pub acked_in_transfer: bool,
    /// Since when the output buffer is above the soft limit, ms.
    pub soft_limit_since_ms: Option<i64>,
}

impl ReplicaInfo {
    /// A client in the handshake, before SYNC/PSYNC.
    pub fn new() -> ReplicaInfo {
        ReplicaInfo {
            state: ReplicaState::Handshake,
            listening_port: 0,
            announced_ip: None,
            capa_eof: false,
            capa_psync2: false,
            rdb_only: false,
            rdb_filter: None,
            pre_psync: false,
            ack_off: 0,
            ack_time_ms: 0,
            diskless: false,
            bulk: None,
            stream_on_ack: false,
            acked_in_transfer: false,
            soft_limit_since_ms: None,
        }
    }

    /// Whether it sent SYNC/PSYNC (it is in the replicas list).
    pub fn attached(&self) -> bool {
        self.state != ReplicaState::Handshake
    }

    /// Whether its output must not be written yet.
    pub fn output_held(&self) -> bool {
        matches!(
            self.state,
            ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd
        ) || (self.state == ReplicaState::Online && self.stream_on_ack)
    }
}

impl Default for ReplicaInfo {
    fn default() -> Self {
        Self::new()
    }
}

/// A full sync being produced by the snapshot thread.
pub struct SyncJob {
    /// The snapshot thread.
    pub job: SnapshotJob,
    /// Diskless (to sockets) or to a file.
    pub diskless: bool,
    /// The file of a disk sync.
    pub path: Option<PathBuf>,
    /// The replicas of a diskless sync (token, client id) and whether each still
    /// receives (set by the thread).
    pub targets: Vec<(usize, u64)>,
    pub alive: Arc<Vec<AtomicBool>>,
}

/// `n` random alphanumeric characters, the end mark of a diskless transfer.
fn random_mark(srv: &mut Server) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..40)
        .map(|_| CHARS[(srv.random() % CHARS.len() as u64) as usize] as char)
        .collect()
}

/// An I/O error as a snapshot error.
fn io_error(e: io::Error) -> SnapshotError {
    SnapshotError::Rdb(RdbError::new(0, RdbErrorKind::Io(e)))
}

impl Server {
    /// The replication info of a client, created on first use (REPLCONF, SYNC).
    pub fn replica_info(c: &mut Client) -> &mut ReplicaInfo {
        c.replica
            .get_or_insert_with(|| Box::new(ReplicaInfo::new()))
    }

    /// "ip:port" of a replica as Redis names it in the log.
    pub(crate) fn replica_name(c: &Client) -> String {
        let ip = c
            .addr
            .rsplit_once(':')
            .map_or(c.addr.as_str(), |(ip, _)| ip);
        let r = c.replica.as_deref();
        let ip = r
            .and_then(|r| r.announced_ip.clone())
            .unwrap_or(ip.to_string());
        format!("{}:{}", ip, r.map_or(0, |r| r.listening_port))
    }

    /// SYNC and PSYNC (`psync` holds the requested replid and offset): makes `c` a
    /// replica with a partial resync when possible, otherwise queues it for a full one.
    pub fn repl_sync_request(
        &mut self,
        c: &mut Client,
        psync: Option<(&[u8], &[u8])>,
    ) -> Result<(), CommandError> {
        if c.replica.as_ref().is_some_and(|r| r.attached()) {
            return Ok(());
        }
        // The replicas attached so far get the stream written until now; `c` gets what
        // follows (after the backlog or the snapshot).
        self.repl_flush_stream();
        if self.repl.is_replica() && !self.repl.link_up() {
            return Err(CommandError::Raw(
                "NOMASTERLINK Can't SYNC while not connected with my master".into(),
            ));
        }
        if c.pending_output() > 0 {
            return Err(CommandError::Err(
                "SYNC and PSYNC are invalid with pending output",
            ));
        }
        if let Some(r) = c.replica.as_ref().filter(|r| r.rdb_filter.is_some()) {
            // A filtered RDB is made for its replicas alone, so it goes to their
            // sockets, never to the dump file.
            if !r.capa_eof {
                return Err(CommandError::Err(
                    "Filtered replica requires EOF capability",
                ));
            }
            if !matches!(c.conn, Conn::Tcp(_)) {
                return Err(CommandError::Err(
                    "Filtered replica requires a TCP connection",
                ));
            }
        }
        log::info!("Replica {} asks for synchronization", Self::replica_name(c));
        match psync {
            Some((replid, offset)) => {
                let Some(offset) = crate::util::numbers::parse_i64(offset) else {
                    log::warn!(
                        "Replica {} asks for synchronization but with a wrong offset",
                        Self::replica_name(c)
                    );
                    return Err(CommandError::NotInteger);
                };
                if self.repl_try_partial(c, replid, offset) {
                    self.repl.stats.sync_partial_ok += 1;
                    return Ok(());
                }
                if replid.first() != Some(&b'?') {
                    self.repl.stats.sync_partial_err += 1;
                }
            }
            None => Self::replica_info(c).pre_psync = true,
        }
        self.repl.stats.sync_full += 1;
        let diskless_ok = self.config.repl_diskless_sync && matches!(c.conn, Conn::Tcp(_));
        let r = Self::replica_info(c);
        r.state = ReplicaState::WaitBgsaveStart;
        r.diskless = (diskless_ok && r.capa_eof) || r.rdb_filter.is_some();
        let diskless = r.diskless;
        self.attach_replica(c.token);
        if !diskless && self.try_attach_to_disk_sync(c) {
            return Ok(());
        }
        if diskless && self.repl.diskless_wait_since_ms.is_none() {
            self.repl.diskless_wait_since_ms = Some(time::now_ms());
        }
        self.repl.sync_pending = true;
        Ok(())
    }

    /// Adds a replica to the list; creates the backlog (with a new id: there is no
    /// valid history) when it is the first one.
    fn attach_replica(&mut self, token: usize) {
        self.repl.replicas.push(token);
        if self.repl.replicas.len() == 1 && self.repl.backlog.is_none() {
            self.repl.change_replid();
            self.repl.clear_replid2();
            self.repl.ensure_backlog(self.config.repl_backlog_size);
            log::info!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                self.repl.replid,
                self.repl.replid2
            );
        }
    }

    /// Partial resync: if `replid`/`offset` are in our history and the backlog still
    /// has the bytes, answers `+CONTINUE` with them and makes `c` an online replica.
    fn repl_try_partial(&mut self, c: &mut Client, replid: &[u8], offset: i64) -> bool {
        let st = &self.repl;
        let ours = replid.eq_ignore_ascii_case(st.replid.as_bytes());
        let second =
            replid.eq_ignore_ascii_case(st.replid2.as_bytes()) && offset <= st.second_replid_offset;
        if !ours && !second {
            if replid.first() == Some(&b'?') {
                log::info!("Full resync requested by replica {}", Self::replica_name(c));
            } else {
                log::info!(
                    "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                    String::from_utf8_lossy(replid),
                    st.replid,
                    st.replid2
                );
            }
            return false;
        }
        let Some(backlog) = st.backlog.as_ref().filter(|b| b.can_serve(offset)) else {
            log::info!(
                "Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).",
                Self::replica_name(c),
                offset
            );
            return false;
        };
        let len = backlog.end_offset() - offset;
        let now = time::now_ms();
        let r = Self::replica_info(c);
        r.state = ReplicaState::Online;
        r.ack_time_ms = now;
        let line = if r.capa_psync2 {
            format!("+CONTINUE {}\r\n", self.repl.replid)
        } else {
            "+CONTINUE\r\n".to_string()
        };
        // Written at once, as Redis writes it: the replica's output is the stream from
        // here on, sent from the replication buffer.
        if c.conn.write(line.as_bytes()).ok() != Some(line.len()) {
            c.close_asap = true;
            return true;
        }
        self.attach_replica(c.token);
        if let Some(b) = self.repl.backlog.as_mut() {
            b.add_reader(c.token, offset);
        }
        if len > 0 {
            c.queue_write(&mut self.pending_writes);
        }
        log::info!(
            "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
            Self::replica_name(c),
            len,
            offset
        );
        true
    }

    /// A disk sync is being written and another replica already collects the stream
    /// since its start: `c` shares the file and the stream from the same offset.
    fn try_attach_to_disk_sync(&mut self, c: &mut Client) -> bool {
        if self.repl.sync_job.as_ref().is_none_or(|j| j.diskless) {
            return false;
        }
        let donor = self.repl.replicas.iter().copied().find_map(|t| {
            let other = self.clients.get(t)?.as_ref()?;
            let r = other.replica.as_ref()?;
            (r.state == ReplicaState::WaitBgsaveEnd && !r.diskless && !r.rdb_only)
                .then_some(r.ack_off)
        });
        let Some(initial) = donor else {
            return false;
        };
        let r = Self::replica_info(c);
        if !r.pre_psync {
            let line = format!("+FULLRESYNC {} {}\r\n", self.repl.replid, initial);
            if c.conn.write(line.as_bytes()).ok() != Some(line.len()) {
                c.close_asap = true;
                return true;
            }
        }
        let r = Self::replica_info(c);
        r.state = ReplicaState::WaitBgsaveEnd;
        r.ack_off = initial;
        if !r.rdb_only {
            if let Some(b) = self.repl.backlog.as_mut() {
                b.add_reader(c.token, initial + 1);
            }
        }
        log::info!("Waiting for end of BGSAVE for SYNC");
        true
    }

    /// Starts the full sync replicas wait for, when possible: a disk one at once
    /// (unless a BGSAVE or another sync runs), a diskless one after
    /// `repl-diskless-sync-delay` or once `repl-diskless-sync-max-replicas` wait.
    pub(crate) fn repl_maybe_start_sync(&mut self) {
        if self.repl.sync_job.is_some() || self.persistence.loading {
            return;
        }
        let waiting: Vec<bool> = self
            .repl
            .replicas
            .iter()
            .filter_map(|&t| self.clients.get(t)?.as_ref()?.replica.as_ref())
            .filter(|r| r.state == ReplicaState::WaitBgsaveStart)
            .map(|r| r.diskless)
            .collect();
        if waiting.is_empty() {
            self.repl.sync_pending = false;
            self.repl.diskless_wait_since_ms = None;
            return;
        }
        if waiting.iter().any(|d| !d) {
            if self.persistence.bgsave.is_none() {
                self.repl_start_sync(false);
            }
            return;
        }
        let since = *self
            .repl
            .diskless_wait_since_ms
            .get_or_insert_with(time::now_ms);
        let delay_ms = self.config.repl_diskless_sync_delay as i64 * 1000;
        let max = self.config.repl_diskless_sync_max_replicas as usize;
        if time::now_ms() - since >= delay_ms || (max > 0 && waiting.len() >= max) {
            self.repl_start_sync(true);
        }
    }

    /// Tokens of the replicas waiting for a sync of the given kind, and the RDB filter
    /// they share: the first one's (those with another filter wait for the next sync).
    fn waiting_replicas(&self, diskless: bool) -> (Vec<usize>, Option<bool>) {
        let mut filter = None;
        let mut tokens = Vec::new();
        for &t in &self.repl.replicas {
            let Some(r) = self
                .clients
                .get(t)
                .and_then(|s| s.as_ref())
                .and_then(|c| c.replica.as_ref())
            else {
                continue;
            };
            if r.state != ReplicaState::WaitBgsaveStart || r.diskless != diskless {
                continue;
            }
            if tokens.is_empty() {
                filter = r.rdb_filter;
            } else if r.rdb_filter != filter {
                continue;
            }
            tokens.push(t);
        }
        (tokens, filter)
    }

    /// Starts a full sync for every replica waiting for one of this kind.
    fn repl_start_sync(&mut self, diskless: bool) {
        let (targets, filter) = self.waiting_replicas(diskless);
        if targets.is_empty() {
            return;
        }
        // The snapshot holds everything written so far: none of it is for these replicas.
        self.repl_flush_stream();
        self.repl.diskless_wait_since_ms = None;
        self.repl.sync_counter += 1;
        let offset = self.repl.master_repl_offset;
        log::info!(
            "Starting BGSAVE for SYNC with target: {}",
            if diskless { "replicas sockets" } else { "disk" }
        );
        // Everything fed from now on is what the replicas apply after the RDB.
        let mut ready = Vec::new();
        for &t in &targets {
            if self.setup_full_resync(t, offset) {
                ready.push(t);
            }
        }
        let result = if diskless {
            self.start_diskless_job(&ready, filter)
        } else {
            self.start_disk_job()
        };
        match result {
            Ok(job) => self.repl.sync_job = Some(job),
            Err(e) => {
                log::warn!("BGSAVE for replication failed: {e}");
                for t in ready {
                    self.close_client(t);
                }
            }
        }
        self.repl.sync_pending =
            !self.waiting_replicas(false).0.is_empty() || !self.waiting_replicas(true).0.is_empty();
    }

    /// Answers `+FULLRESYNC` (except to SYNC clients) and starts holding the stream for
    /// the replica at `token`. Returns false if it could not be told (it is closed).
    fn setup_full_resync(&mut self, token: usize, offset: i64) -> bool {
        self.repl.slaveseldb = -1;
        let replid = self.repl.replid.clone();
        let Some(Some(c)) = self.clients.get_mut(token) else {
            return false;
        };
        let Some(r) = c.replica.as_mut() else {
            return false;
        };
        r.state = ReplicaState::WaitBgsaveEnd;
        r.ack_off = offset;
        let streams = !r.rdb_only;
        if !r.pre_psync {
            let line = format!("+FULLRESYNC {} {}\r\n", replid, offset);
            if c.conn.write(line.as_bytes()).ok() != Some(line.len()) {
                self.close_client(token);
                return false;
            }
        }
        // Everything fed from now on is what the replica applies after the RDB.
        if let Some(b) = self.repl.backlog.as_mut().filter(|_| streams) {
            b.add_reader(token, offset + 1);
        }
        true
    }

    /// Starts the snapshot thread writing the sync RDB to a temp file in `dir`.
    fn start_disk_job(&mut self) -> Result<SyncJob, SnapshotError> {
        let dir = PathBuf::from(&self.config.dir);
        let name = format!(
            "temp-sync-{}-{}.rdb",
            std::process::id(),
            self.repl.sync_counter
        );
        let path = dir.join(&name);
        let job = move |frozen: &mut _, progress: &_| write_rdb_file(frozen, &dir, &name, progress);
        let job = self.start_snapshot(SnapshotKind::ReplSync, false, job)?;
        Ok(SyncJob {
            job,
            diskless: false,
            path: Some(path),
            targets: Vec::new(),
            alive: Arc::new(Vec::new()),
        })
    }

    /// Starts the snapshot thread writing the RDB to the sockets of `tokens`.
    /// `filter`: the replicas asked for an RDB without keys (`Some(true)`: with the
    /// functions).
    fn start_diskless_job(
        &mut self,
        tokens: &[usize],
        filter: Option<bool>,
    ) -> Result<SyncJob, SnapshotError> {
        let mut streams = Vec::new();
        let mut targets = Vec::new();
        for &t in tokens {
            let Some(Some(c)) = self.clients.get(t) else {
                continue;
            };
            let Conn::Tcp(s) = &c.conn else { continue };
            match socket2::SockRef::from(s).try_clone() {
                Ok(dup) => {
                    let std: std::net::TcpStream = dup.into();
                    streams.push(mio::net::TcpStream::from_std(std));
                    targets.push((t, c.id));
                }
                Err(e) => log::warn!("Diskless sync: cannot share a replica socket: {e}"),
            }
        }
        let alive: Arc<Vec<AtomicBool>> =
            Arc::new(streams.iter().map(|_| AtomicBool::new(true)).collect());
        let timeout = Duration::from_secs(self.config.repl_timeout.max(1));
        let fanout = Fanout::new(streams, alive.clone(), timeout).map_err(io_error)?;
        let mark = random_mark(self);
        let job = move |frozen: &mut crate::persistence::snapshot::Frozen,
                        progress: &crate::persistence::snapshot::Progress| {
            if let Some(functions) = filter {
                frozen.keep_only(functions);
            }
            let mut out = fanout;
            out.write_all(format!("$EOF:{mark}\r\n").as_bytes())
                .map_err(io_error)?;
            let mut out = frozen.write_rdb(out, progress)?;
            out.write_all(mark.as_bytes()).map_err(io_error)?;
            Ok(progress.bytes())
        };
        let job = self.start_snapshot(SnapshotKind::ReplSync, false, job)?;
        Ok(SyncJob {
            job,
            diskless: true,
            path: None,
            targets,
            alive,
        })
    }

    /// The snapshot of a full sync ended: a disk one starts sending the file to its
    /// replicas, a diskless one puts the replicas that received it online (streaming
    /// from their first ACK). Replicas of a failed sync are closed.
    pub(crate) fn repl_sync_done(&mut self, result: Result<SnapshotDone, SnapshotError>) {
        let Some(mut sync) = self.repl.sync_job.take() else {
            return;
        };
        sync.job.join();
        if let Err(e) = &result {
            log::warn!("Background RDB transfer error: {e}");
        }
        if sync.diskless {
            self.finish_diskless(&sync, result.is_ok());
        } else {
            self.finish_disk(&sync, result.is_ok());
        }
        self.repl.sync_pending = true;
    }

    /// Diskless end: the replicas that got everything go online, the others close.
    fn finish_diskless(&mut self, sync: &SyncJob, ok: bool) {
        let now = time::now_ms();
        for (i, &(token, id)) in sync.targets.iter().enumerate() {
            let alive = ok && sync.alive[i].load(Ordering::Relaxed);
            let pending = self.replica_stream_pending(token);
            let Some(Some(c)) = self.clients.get_mut(token) else {
                continue;
            };
            if c.id != id {
                continue;
            }
            match c.replica.as_mut() {
                Some(r) if alive && r.state == ReplicaState::WaitBgsaveEnd => {
                    r.state = ReplicaState::Online;
                    r.ack_time_ms = now;
                    if r.rdb_only {
                        c.close_after_reply = true;
                        r.stream_on_ack = false;
                    } else if r.acked_in_transfer {
                        r.stream_on_ack = false;
                        if pending > 0 {
                            c.queue_write(&mut self.pending_writes);
                        }
                    } else {
                        r.stream_on_ack = true;
                    }
                    log::info!(
                        "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming",
                        Self::replica_name(c)
                    );
                    if c.close_after_reply {
                        self.close_client(token);
                    }
                }
                _ => self.close_client(token),
            }
        }
    }

    /// Disk end: every replica waiting for this file starts receiving it.
    fn finish_disk(&mut self, sync: &SyncJob, ok: bool) {
        let tokens: Vec<usize> = self
            .repl
            .replicas
            .iter()
            .copied()
            .filter(|&t| {
                self.clients
                    .get(t)
                    .and_then(|s| s.as_ref())
                    .and_then(|c| c.replica.as_ref())
                    .is_some_and(|r| r.state == ReplicaState::WaitBgsaveEnd && !r.diskless)
            })
            .collect();
        let path = sync.path.clone().unwrap_or_default();
        for token in tokens {
            let opened = if ok { open_bulk(&path) } else { None };
            let Some(bulk) = opened else {
                self.close_client(token);
                continue;
            };
            if let Some(Some(c)) = self.clients.get_mut(token) {
                if let Some(r) = c.replica.as_mut() {
                    r.state = ReplicaState::SendBulk;
                    r.bulk = Some(bulk);
                }
                c.queue_write(&mut self.pending_writes);
            }
        }
        // The replicas hold the file open; nobody else needs it.
        let _ = std::fs::remove_file(&path);
    }

    /// Whether a replica's output must not be written yet.
    pub fn replica_output_held(&self, c: &Client) -> bool {
        c.replica.as_ref().is_some_and(|r| r.output_held())
    }

    /// Writes the RDB file of a disk sync ahead of the replica's stream. Returns
    /// Ok(true) when the file is completely sent (the replica is then online).
    pub fn write_replica_bulk(&mut self, c: &mut Client) -> io::Result<bool> {
        let Some(bulk) = c.replica.as_mut().and_then(|r| r.bulk.as_mut()) else {
            return Ok(true);
        };
        loop {
            if bulk.pos >= bulk.chunk.len() {
                bulk.chunk.clear();
                bulk.pos = 0;
                if !bulk.header.is_empty() {
                    bulk.chunk = std::mem::take(&mut bulk.header);
                } else {
                    bulk.chunk.resize(BULK_CHUNK, 0);
                    let n = bulk.file.read(&mut bulk.chunk)?;
                    bulk.chunk.truncate(n);
                    if n == 0 {
                        break;
                    }
                }
            }
            match c.conn.write(&bulk.chunk[bulk.pos..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    bulk.pos += n;
                    self.stats.total_net_output_bytes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let name = Self::replica_name(c);
        if let Some(r) = c.replica.as_mut() {
            r.bulk = None;
            r.state = ReplicaState::Online;
            r.ack_time_ms = time::now_ms();
            if r.rdb_only {
                c.close_after_reply = true;
            }
        }
        log::info!("Synchronization with replica {name} succeeded");
        Ok(true)
    }

    /// Appends stream bytes: advances the offset and fills the replication buffer, from
    /// which the replicas are sent the bytes of the whole tick at once before the loop
    /// sleeps (`repl_flush_stream`).
    pub(crate) fn repl_write_stream(&mut self, bytes: &[u8]) {
        self.repl.master_repl_offset += bytes.len() as i64;
        self.repl_append_stream(bytes);
    }

    /// The part of [`Server::repl_write_stream`] after the offset: the bytes go to the
    /// replication buffer (the backlog and the replicas' pending output).
    pub(crate) fn repl_append_stream(&mut self, bytes: &[u8]) {
        if let Some(b) = self.repl.backlog.as_mut() {
            b.append(bytes);
            if b.has_readers() {
                self.repl.stream_unflushed += bytes.len();
            }
        }
    }

    /// A replica client is being freed.
    pub(crate) fn repl_replica_freed(&mut self, c: &mut Client) {
        let token = c.token;
        let before = self.repl.replicas.len();
        self.repl.replicas.retain(|&t| t != token);
        if let Some(b) = self.repl.backlog.as_mut() {
            b.remove_reader(token);
        }
        if before != self.repl.replicas.len() {
            // Stops a diskless transfer to it (the thread holds a duplicate socket).
            if let Conn::Tcp(s) = &c.conn {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            log::info!("Connection with replica {} lost.", Self::replica_name(c));
            if self.repl.replicas.is_empty() {
                self.repl.no_replicas_since_ms = time::now_ms();
            }
        }
    }

    /// Closes every replica (they reconnect, usually with a partial resync).
    pub fn disconnect_replicas(&mut self) {
        for token in std::mem::take(&mut self.repl.replicas) {
            self.close_client(token);
        }
        self.repl.no_replicas_since_ms = time::now_ms();
    }

    /// REPLCONF ACK <offset> from a replica.
    pub fn repl_ack(&mut self, c: &mut Client, offset: i64) {
        let Some(r) = c.replica.as_mut().filter(|r| r.attached()) else {
            return;
        };
        r.ack_off = r.ack_off.max(offset);
        r.ack_time_ms = time::now_ms();
        if r.state == ReplicaState::WaitBgsaveEnd && r.diskless {
            r.acked_in_transfer = true;
        }
        if r.state == ReplicaState::Online && r.stream_on_ack {
            r.stream_on_ack = false;
            // The stream held since the diskless transfer can go now.
            if self.replica_stream_pending(c.token) > 0 {
                c.queue_write(&mut self.pending_writes);
            }
        }
        self.repl.acks_changed = true;
    }

    /// Online replicas that acknowledged at least `offset`.
    pub fn count_acks(&self, offset: i64) -> i64 {
        self.online_replicas()
            .filter(|r| r.ack_off >= offset)
            .count() as i64
    }

    /// Replicas online whose last acknowledgement is within `min-replicas-max-lag`.
    /// Counted when asked rather than once a second as Redis's cron does, so that a
    /// replica that just came online, or a limit just changed by CONFIG SET, counts for
    /// the very next write (Redis refreshes its count at those moments too).
    pub(crate) fn good_replica_count(&self) -> usize {
        let now = time::now_ms();
        let max_lag = self.config.min_replicas_max_lag as i64 * 1000;
        self.online_replicas()
            .filter(|r| now - r.ack_time_ms <= max_lag)
            .count()
    }

    /// Every attached replica with its replication info (a client taken out of the
    /// slab, the one running a command, is skipped).
    pub(crate) fn attached_replicas(&self) -> impl Iterator<Item = (&Client, &ReplicaInfo)> {
        self.repl.replicas.iter().filter_map(|&t| {
            let c = self.clients.get(t)?.as_deref()?;
            Some((c, c.replica.as_deref()?))
        })
    }

    /// The replication info of every online replica.
    fn online_replicas(&self) -> impl Iterator<Item = &ReplicaInfo> {
        self.attached_replicas()
            .map(|(_, r)| r)
            .filter(|r| r.state == ReplicaState::Online)
    }

    /// Answers the WAIT clients whose replicas acknowledged enough, or (with
    /// `timeouts`) whose time is up.
    pub(crate) fn repl_process_waiters(&mut self, timeouts: bool) {
        let now = time::now_ms();
        let mut i = 0;
        while i < self.repl.waiters.len() {
            let w = self.repl.waiters[i];
            let acks = self.count_acks(w.offset);
            let expired = timeouts
                && w.deadline_ms
                    .is_some_and(|d| crate::server::blocking::deadline_passed(d, now));
            if acks < w.numreplicas && !expired {
                i += 1;
                continue;
            }
            self.repl.waiters.remove(i);
            self.unblock_waiter(w, |r| r.int(acks));
        }
    }

    /// Ends a client's WAIT with the reply `answer` writes.
    pub(crate) fn unblock_waiter(
        &mut self,
        w: super::Waiter,
        answer: impl FnOnce(&mut crate::protocol::ReplyBuf),
    ) {
        let Some(Some(c)) = self.clients.get_mut(w.token) else {
            return;
        };
        if c.id != w.client_id || !c.wait_blocked {
            return;
        }
        answer(&mut c.reply);
        c.wait_blocked = false;
        c.queue_write(&mut self.pending_writes);
        self.pending_reads.push(w.token);
    }

    /// The master part of the replication cron (once a second): pings, keep-alive
    /// newlines, replica timeouts, the good-replicas count, output limits and the
    /// backlog's time to live.
    pub(crate) fn repl_master_cron(&mut self, now: i64) {
        let period = self.config.repl_ping_replica_period.max(1) as i64 * 1000;
        if !self.repl.replicas.is_empty()
            && now - self.repl.last_ping_ms >= period
            && !self.failover_holds_pings()
            && self.shutdown_wait.is_none()
        {
            self.repl.last_ping_ms = now;
            self.repl_feed_nodb(&[b"PING"]);
        }
        let timeout_ms = self.config.repl_timeout.max(1) as i64 * 1000;
        let limits = self.replica_output_limit();
        let mut victims = Vec::new();
        for &token in &self.repl.replicas {
            let pending = self.replica_stream_pending(token);
            let Some(Some(c)) = self.clients.get_mut(token) else {
                continue;
            };
            let Some(r) = c.replica.as_ref() else {
                continue;
            };
            let waiting_disk = r.state == ReplicaState::WaitBgsaveStart
                || (r.state == ReplicaState::WaitBgsaveEnd && !r.diskless);
            if waiting_disk {
                let _ = c.conn.write(b"\n");
            }
            if r.state == ReplicaState::Online && !r.pre_psync && now - r.ack_time_ms > timeout_ms {
                log::warn!(
                    "Disconnecting timedout replica (streaming sync): {}",
                    Self::replica_name(c)
                );
                victims.push(token);
            } else if over_output_limit(c, pending, &limits) {
                victims.push(token);
            }
        }
        for token in victims {
            self.close_client(token);
        }
        let ttl = self.config.repl_backlog_ttl as i64 * 1000;
        if !self.repl.is_replica()
            && self.repl.replicas.is_empty()
            && self.repl.backlog.is_some()
            && ttl > 0
            && now - self.repl.no_replicas_since_ms > ttl
        {
            // Nobody can continue from this history any more: start a new one.
            self.repl.change_replid();
            self.repl.clear_replid2();
            self.repl.backlog = None;
            log::info!(
                "Replication backlog freed after {} seconds without connected replicas.",
                ttl / 1000
            );
        }
        self.repl_apply_backlog_size();
    }

    /// Gives the backlog the configured `repl-backlog-size` (16 KB at least), dropping
    /// its oldest bytes no replica needs. Done at CONFIG SET, as Redis resizes it there:
    /// a replica that reconnects right after the backlog shrank must not be served
    /// from the old one.
    pub(crate) fn repl_apply_backlog_size(&mut self) {
        let want = usize::try_from(self.config.repl_backlog_size)
            .unwrap_or(usize::MAX)
            .max(16 * 1024);
        if let Some(b) = self.repl.backlog.as_mut() {
            if b.size() != want {
                b.set_size(want);
            }
        }
    }

    /// Stream bytes held for the replica at `token` and not sent yet.
    pub(crate) fn replica_stream_pending(&self, token: usize) -> usize {
        self.repl.backlog.as_ref().map_or(0, |b| b.pending(token))
    }

    /// A replica's whole pending output: its own replies (none once it is attached)
    /// and the stream not sent yet.
    pub(crate) fn replica_output_pending(&self, c: &Client) -> usize {
        c.pending_output() + self.replica_stream_pending(c.token)
    }

    /// The replicas' `client-output-buffer-limit`, with Redis 7's rule that a hard
    /// limit below `repl-backlog-size` counts as that size: the stream a replica waits
    /// for is the backlog's own memory, and a replica that continued from the backlog
    /// must not be dropped for the bytes it was just given.
    pub(crate) fn replica_output_limit(&self) -> crate::config::ObufLimit {
        let mut limit = self.config.client_output_buffer_limit.replica;
        if limit.hard_bytes != 0 && limit.hard_bytes < self.config.repl_backlog_size {
            limit.hard_bytes = self.config.repl_backlog_size;
        }
        limit
    }

    /// Writes the stream a replica has not been sent yet, straight from the replication
    /// buffer. Returns Ok(true) when it has everything.
    pub(crate) fn write_replica_stream(&mut self, c: &mut Client) -> io::Result<bool> {
        let Some(b) = self.repl.backlog.as_mut() else {
            return Ok(true);
        };
        loop {
            // Up to this many blocks (of 16 KB or more) go in one writev.
            let mut slices = [io::IoSlice::new(&[]); 16];
            let n = b.next_slices(c.token, &mut slices);
            if n == 0 {
                return Ok(true);
            }
            match c.conn.write_vectored(&slices[..n]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    b.advance(c.token, n);
                    self.stats.total_net_output_bytes += n as u64;
                    self.repl.stats.net_repl_output_bytes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Opens the sync file for one replica: `$<len>` header, then the file.
fn open_bulk(path: &Path) -> Option<BulkSend> {
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    Some(BulkSend {
        header: format!("${len}\r\n").into_bytes(),
        file,
        chunk: Vec::new(),
        pos: 0,
    })
}

/// Whether a replica's pending output (its replies and `stream_pending` bytes of the
/// stream) passed its hard limit, or stayed above its soft limit for the configured time
/// (which this check starts and ends counting).
pub(super) fn over_output_limit(
    c: &mut Client,
    stream_pending: usize,
    limit: &crate::config::ObufLimit,
) -> bool {
    let pending = (c.pending_output() + stream_pending) as u64;
    let Some(r) = c.replica.as_mut() else {
        return false;
    };
    output_limit_reached(pending, limit, &mut r.soft_limit_since_ms, time::now_ms())
}
