//! The replica side: our link to a master (Redis's connectWithMaster, syncWithMaster,
//! readSyncBulkPayload and the master client).
//!
//! Everything runs in the event loop without blocking: the host name is resolved on a
//! short-lived thread that reports through a channel and the loop's waker; the TCP
//! connect is non-blocking; the handshake is a queue of expected one-line replies; the
//! RDB is written to a temp file as it arrives, then renamed over the dump and loaded
//! (or, with `repl-diskless-load`, parsed straight from the socket: [`super::diskless_load`]).
//! The socket then becomes the *master client*, a client in the slab whose requests
//! are executed like anyone's, except that it may write on a read-only replica, sees
//! logically expired keys, gets no replies (but REPLCONF ACK), and the bytes of each
//! applied request advance our offset and are relayed to our own replicas.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use mio::net::TcpStream;
use mio::{Interest, Token};

use super::handshake::{self, Expect, PayloadHeader, PsyncReply};
use super::REPL_LINK_TOKEN;
use crate::db::ExpireMode;
use crate::persistence::load::LoadOptions;
use crate::protocol::encode_command;
use crate::server::{Client, Conn, Server};
use crate::util::connect::start_connect;
use crate::util::time;

/// Bytes read from the master link per read call.
const LINK_READ_BYTES: usize = 64 * 1024;

/// Where our link with the master stands (Redis's `REPL_STATE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Must connect (at the next cron tick, or now).
    Connect,
    /// The host name is being resolved.
    Resolving,
    /// The TCP connection is being established.
    Connecting,
    /// PING, AUTH, REPLCONF and PSYNC are being exchanged.
    Handshake,
    /// The RDB is being received.
    Transfer,
    /// The stream flows through the master client.
    Connected,
}

impl LinkState {
    /// The state ROLE reports.
    pub fn role_name(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Resolving | LinkState::Connecting => "connecting",
            LinkState::Handshake => "handshake",
            LinkState::Transfer => "sync",
            LinkState::Connected => "connected",
        }
    }
}

/// The outcome of a host name resolution.
#[derive(Debug)]
pub struct ResolveResult {
    generation: u64,
    addr: io::Result<Option<SocketAddr>>,
}

/// The RDB payload being received.
struct Payload {
    header: PayloadHeader,
    file: File,
    path: PathBuf,
    written: u64,
    /// The last bytes written (for the EOF mark).
    tail: Vec<u8>,
}

/// The socket to the master before it becomes the master client.
pub(super) struct Link {
    /// Taken when the link becomes the master client.
    pub(super) stream: Option<TcpStream>,
    pub(super) inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    expect: VecDeque<Expect>,
    /// The id and offset of a full resync in progress.
    pub(super) full: Option<(String, i64)>,
    payload: Option<Payload>,
}

/// Our replication from a master (Redis's `server.masterhost`, `repl_state`,
/// `master`, `cached_master`).
pub struct ReplicaSide {
    pub host: String,
    pub port: u16,
    pub state: LinkState,
    link: Option<Link>,
    /// The master client (slab token and client id) once connected.
    pub master_token: Option<(usize, u64)>,
    /// When the link went down (ms), 0 if it never was up.
    pub down_since_ms: i64,
    /// Our id and offset are a history we can continue (PSYNC instead of `PSYNC ? -1`).
    pub cached: bool,
    /// The database the stream had selected when the link dropped.
    pub cached_db: usize,
    /// Last I/O with the master during the handshake or transfer (ms).
    pub last_io_ms: i64,
    /// REPLCONF GETACK asked for an ACK.
    pub ack_now: bool,
    resolve_generation: u64,
    /// Payload size (-1 with an EOF mark) and bytes received, for INFO.
    pub transfer_size: i64,
    pub transfer_read: u64,
    /// The master is inside MULTI: offsets wait for EXEC.
    in_multi: bool,
}

impl ReplicaSide {
    /// Replication from `host`:`port`, not connected yet.
    pub fn new(host: String, port: u16) -> ReplicaSide {
        ReplicaSide {
            host,
            port,
            state: LinkState::Connect,
            link: None,
            master_token: None,
            down_since_ms: 0,
            cached: false,
            cached_db: 0,
            last_io_ms: time::now_ms(),
            ack_now: false,
            resolve_generation: 0,
            transfer_size: -1,
            transfer_read: 0,
            in_multi: false,
        }
    }
}

/// `REPLCONF ACK <offset>` as sent to the master.
fn ack_request(offset: i64) -> Vec<u8> {
    let mut out = Vec::new();
    let off = offset.to_string();
    encode_command(&mut out, &[&b"REPLCONF"[..], b"ACK", off.as_bytes()]);
    out
}

/// Starts a non-blocking connect to `addr`. With a `source` address, the socket is
/// first bound to it (a host name is resolved here, as Redis does). As in Redis, the
/// binding is a best effort: when no socket can be bound and connected that way, the
/// connect is made without it.
fn connect_from(source: Option<&str>, addr: SocketAddr) -> io::Result<TcpStream> {
    if let Some(source) = source {
        match start_connect(addr, Some(source)) {
            Ok(socket) => return Ok(TcpStream::from_std(socket.into())),
            Err(e) => log::debug!("bind-source-addr {source}: {e}; connecting without it"),
        }
    }
    Ok(TcpStream::from_std(start_connect(addr, None)?.into()))
}

impl Server {
    /// Starts connecting to the master: at once for an address, through a resolver
    /// thread for a host name.
    pub(crate) fn repl_connect(&mut self) {
        let waker = self.waker.clone();
        let tx = self.repl.resolve_sender();
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        if side.state != LinkState::Connect {
            return;
        }
        log::info!("Connecting to MASTER {}:{}", side.host, side.port);
        side.last_io_ms = time::now_ms();
        if let Ok(ip) = side.host.parse::<IpAddr>() {
            let addr = SocketAddr::new(ip, side.port);
            self.repl_connect_to(addr);
            return;
        }
        side.state = LinkState::Resolving;
        side.resolve_generation += 1;
        let generation = side.resolve_generation;
        let (host, port) = (side.host.clone(), side.port);
        let spawned = std::thread::Builder::new()
            .name("resolver".into())
            .spawn(move || {
                let addr = (host.as_str(), port)
                    .to_socket_addrs()
                    .map(|mut it| it.next());
                let _ = tx.send(ResolveResult { generation, addr });
                let _ = waker.wake();
            });
        if let Err(e) = spawned {
            self.repl_link_abort(&format!("Unable to connect to MASTER: {e}"));
        }
    }

    /// A resolution finished: connect, unless the master changed meanwhile.
    pub(crate) fn repl_resolved(&mut self, result: ResolveResult) {
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        if side.state != LinkState::Resolving || side.resolve_generation != result.generation {
            return;
        }
        match result.addr {
            Ok(Some(addr)) => self.repl_connect_to(addr),
            Ok(None) => self.repl_link_abort("Unable to connect to MASTER: no address found"),
            Err(e) => self.repl_link_abort(&format!("Unable to connect to MASTER: {e}")),
        }
    }

    /// Opens the non-blocking connection to `addr`, from `bind-source-addr` if set.
    fn repl_connect_to(&mut self, addr: SocketAddr) {
        let source = self.config.bind_source_addr.as_deref();
        let mut stream = match connect_from(source, addr) {
            Ok(s) => s,
            Err(e) => return self.repl_link_abort(&format!("Unable to connect to MASTER: {e}")),
        };
        let registered = self.poll.registry().register(
            &mut stream,
            REPL_LINK_TOKEN,
            Interest::READABLE | Interest::WRITABLE,
        );
        if let Err(e) = registered {
            return self.repl_link_abort(&format!("Unable to connect to MASTER: {e}"));
        }
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        side.state = LinkState::Connecting;
        side.last_io_ms = time::now_ms();
        side.link = Some(Link {
            stream: Some(stream),
            inbuf: Vec::new(),
            outbuf: Vec::new(),
            expect: VecDeque::new(),
            full: None,
            payload: None,
        });
        log::info!("MASTER <-> REPLICA sync started");
    }

    /// Gives up the current link attempt (logging `reason`); the cron retries.
    pub(crate) fn repl_link_abort(&mut self, reason: &str) {
        log::warn!("{reason}");
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        if let Some(mut link) = side.link.take() {
            if let Some(stream) = link.stream.as_mut() {
                let _ = self.poll.registry().deregister(stream);
            }
            if let Some(p) = link.payload.take() {
                let _ = std::fs::remove_file(&p.path);
            }
        }
        side.state = LinkState::Connect;
        if side.down_since_ms == 0 {
            side.down_since_ms = time::now_ms();
        }
    }

    /// Readiness on the link socket: finishes the connect, writes pending requests,
    /// reads and handles everything the master sent.
    pub fn repl_link_event(&mut self) {
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        let Some(mut link) = side.link.take() else {
            return;
        };
        if side.state == LinkState::Connecting {
            match link.stream.as_ref().map_or(Ok(false), connect_outcome) {
                Ok(false) => {
                    side.link = Some(link);
                    return;
                }
                Ok(true) => {
                    log::info!("Non blocking connect for SYNC fired the event.");
                    if let Some(s) = link.stream.as_ref() {
                        let _ = s.set_nodelay(true);
                    }
                    side.state = LinkState::Handshake;
                    encode_command(&mut link.outbuf, &[b"PING"]);
                    link.expect.push_back(Expect::Pong);
                }
                Err(e) => {
                    side.link = Some(link);
                    return self
                        .repl_link_abort(&format!("Error condition on socket for SYNC: {e}"));
                }
            }
        }
        match self.repl_link_io(&mut link) {
            Ok(true) => {
                if let Some(side) = self.repl.replica.as_mut() {
                    if side.link.is_none() && side.state != LinkState::Connected {
                        side.link = Some(link);
                    }
                }
            }
            Ok(false) => {}
            Err(reason) => {
                if let Some(side) = self.repl.replica.as_mut() {
                    side.link = Some(link);
                }
                self.repl_link_abort(&reason);
            }
        }
    }

    /// Writes and reads the link until the socket would block. Returns Ok(true) if the
    /// link must be kept, Ok(false) if it was consumed (it became the master client).
    fn repl_link_io(&mut self, link: &mut Link) -> Result<bool, String> {
        flush_out(link).map_err(|e| format!("Error writing to MASTER: {e}"))?;
        let mut buf = vec![0u8; LINK_READ_BYTES];
        loop {
            let Some(stream) = link.stream.as_mut() else {
                return Ok(false);
            };
            match stream.read(&mut buf) {
                Ok(0) => {
                    return Err(
                        "Master closed the connection during the handshake or the transfer".into(),
                    )
                }
                Ok(n) => {
                    self.repl.stats.net_repl_input_bytes += n as u64;
                    self.stats.total_net_input_bytes += n as u64;
                    link.inbuf.extend_from_slice(&buf[..n]);
                    if let Some(side) = self.repl.replica.as_mut() {
                        side.last_io_ms = time::now_ms();
                    }
                    if !self.repl_link_process(link)? {
                        return Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("I/O error trying to sync with MASTER: {e}")),
            }
        }
        flush_out(link).map_err(|e| format!("Error writing to MASTER: {e}"))?;
        Ok(true)
    }

    /// Handles what is in the link's input buffer. Returns Ok(false) once the link has
    /// become the master client.
    fn repl_link_process(&mut self, link: &mut Link) -> Result<bool, String> {
        loop {
            let state = self.repl.replica.as_ref().map(|s| s.state);
            match state {
                Some(LinkState::Handshake) => {
                    let Some(line) = take_reply_line(link) else {
                        return Ok(true);
                    };
                    if let Some(stream_done) = self.repl_handshake_reply(link, &line)? {
                        if stream_done {
                            return Ok(false);
                        }
                    }
                    flush_out(link).map_err(|e| format!("Error writing to MASTER: {e}"))?;
                }
                Some(LinkState::Transfer) => return self.repl_transfer(link),
                _ => return Ok(true),
            }
        }
    }

    /// Handles one reply line of the handshake. Returns Some(true) when a partial resync
    /// turned the link into the master client.
    fn repl_handshake_reply(
        &mut self,
        link: &mut Link,
        line: &[u8],
    ) -> Result<Option<bool>, String> {
        let Some(expect) = link.expect.pop_front() else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(line).into_owned();
        match expect {
            Expect::Pong => {
                if !handshake::pong_acceptable(line) {
                    return Err(format!("Error reply to PING from master: '{text}'"));
                }
                log::info!("Master replied to PING, replication can continue...");
                let port = if self.config.replica_announce_port != 0 {
                    self.config.replica_announce_port
                } else {
                    self.config.port
                };
                let (out, expect) = handshake::after_ping_requests(
                    self.config.masteruser.as_deref(),
                    self.config.masterauth.as_deref(),
                    port,
                    self.config.replica_announce_ip.as_deref(),
                );
                link.outbuf.extend_from_slice(&out);
                link.expect.extend(expect);
            }
            Expect::Auth if line.first() == Some(&b'-') => {
                return Err(format!("Unable to AUTH to MASTER: {text}"));
            }
            Expect::Auth => {}
            Expect::Port | Expect::Ip | Expect::Capa => {
                if line.first() == Some(&b'-') {
                    log::info!(
                        "(Non critical) Master does not understand REPLCONF {expect:?}: {text}"
                    );
                }
                if expect == Expect::Capa {
                    self.repl_send_psync(link);
                }
            }
            Expect::Psync => return self.repl_psync_reply(link, line).map(Some),
        }
        Ok(None)
    }

    /// Sends PSYNC with our history, if we have one to continue.
    fn repl_send_psync(&mut self, link: &mut Link) {
        let cached = self.repl.replica.as_ref().is_some_and(|s| s.cached);
        let next = self.repl.master_repl_offset + 1;
        let history = cached.then_some((self.repl.replid.as_str(), next));
        match history {
            Some((id, next)) => {
                log::info!("Trying a partial resynchronization (request {id}:{next}).")
            }
            None => log::info!("Partial resynchronization not possible (no cached master)"),
        }
        let failover = self.repl.failover.state == super::failover::FailoverState::InProgress;
        link.outbuf
            .extend_from_slice(&handshake::psync_request(history, failover));
        link.expect.push_back(Expect::Psync);
    }

    /// Handles the answer to PSYNC. Returns true when the link became the master client
    /// (partial resync), or was dropped because a failover target refused it.
    fn repl_psync_reply(&mut self, link: &mut Link, line: &[u8]) -> Result<bool, String> {
        let reply = handshake::parse_psync_reply(line);
        if self.repl.failover.state == super::failover::FailoverState::InProgress {
            if matches!(reply, PsyncReply::Full { .. } | PsyncReply::Continue { .. }) {
                self.failover_clear();
            } else {
                // The target refused to take over: drop the link (reported as consumed)
                // and become a master again.
                log::info!(
                    "Master does not support PSYNC or is in error state (reply: {})",
                    String::from_utf8_lossy(line)
                );
                if let Some(mut stream) = link.stream.take() {
                    let _ = self.poll.registry().deregister(&mut stream);
                }
                self.failover_abort("Failover target rejected psync request");
                return Ok(true);
            }
        }
        match reply {
            PsyncReply::Full { replid, offset } => {
                log::info!("Full resync from master: {replid}:{offset}");
                // Our data stays ours until the load begins (repl_attach_to_new_master):
                // if this transfer fails, our replicas, our backlog and our history
                // are still good for a partial resync, with this master or another.
                if let Some(side) = self.repl.replica.as_mut() {
                    side.state = LinkState::Transfer;
                    side.transfer_size = -1;
                    side.transfer_read = 0;
                }
                link.full = Some((replid, offset));
                Ok(false)
            }
            PsyncReply::Continue { replid } => {
                log::info!("Successful partial resynchronization with master.");
                if let Some(new) = replid.filter(|id| *id != self.repl.replid) {
                    log::info!("Master replication ID changed to {new}");
                    self.repl.replid2 = std::mem::replace(&mut self.repl.replid, new);
                    self.repl.second_replid_offset = self.repl.master_repl_offset + 1;
                    self.disconnect_replicas();
                }
                self.repl.ensure_backlog(self.config.repl_backlog_size);
                let db = self.repl.replica.as_ref().map_or(0, |s| s.cached_db);
                self.repl_make_master_client(link, db);
                log::info!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
                Ok(true)
            }
            PsyncReply::TryLater(text) => Err(format!(
                "Master is currently unable to PSYNC but should be in the future: {text}"
            )),
            PsyncReply::Error(text) => {
                Err(format!("Unexpected reply to PSYNC from master: {text}"))
            }
        }
    }

    /// Receives the RDB payload into a temp file; loads it once complete. Returns
    /// Ok(false) once the link became the master client.
    fn repl_transfer(&mut self, link: &mut Link) -> Result<bool, String> {
        if link.payload.is_none() {
            let Some(line) = handshake::take_line(&mut link.inbuf) else {
                return Ok(true);
            };
            if line.is_empty() {
                // A keep-alive newline while the master prepares the RDB.
                return self.repl_transfer(link);
            }
            if line.first() == Some(&b'-') {
                return Err(format!(
                    "MASTER aborted replication with an error: {}",
                    String::from_utf8_lossy(&line)
                ));
            }
            let header = handshake::parse_payload_header(&line)?;
            if let Some(side) = self.repl.replica.as_mut() {
                if let PayloadHeader::Length(len) = header {
                    side.transfer_size = len as i64;
                }
            }
            if self.repl_use_diskless_load() {
                match header {
                    PayloadHeader::Length(len) => log::info!(
                        "MASTER <-> REPLICA sync: receiving {len} bytes from master to parser"
                    ),
                    PayloadHeader::Eof(_) => log::info!(
                        "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser"
                    ),
                }
                self.repl_load_from_socket(link, header)?;
                return Ok(false);
            }
            let path = PathBuf::from(&self.config.dir).join(format!(
                "temp-{}.{}.rdb",
                time::now_ms() / 1000,
                std::process::id()
            ));
            let file = File::create(&path).map_err(|e| {
                format!("Opening the temp file needed for MASTER <-> REPLICA synchronization: {e}")
            })?;
            match header {
                PayloadHeader::Length(len) => {
                    log::info!(
                        "MASTER <-> REPLICA sync: receiving {len} bytes from master to disk"
                    );
                }
                PayloadHeader::Eof(_) => {
                    log::info!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk")
                }
            }
            link.payload = Some(Payload {
                header,
                file,
                path,
                written: 0,
                tail: Vec::new(),
            });
        }
        let Some(p) = link.payload.as_mut() else {
            return Ok(true);
        };
        let done = match p.header {
            PayloadHeader::Length(len) => {
                let n = ((len - p.written) as usize).min(link.inbuf.len());
                write_payload(p, &link.inbuf[..n])?;
                link.inbuf.drain(..n);
                p.written == len
            }
            PayloadHeader::Eof(mark) => {
                let data = std::mem::take(&mut link.inbuf);
                write_payload(p, &data)?;
                p.tail.extend_from_slice(&data);
                let cut = p.tail.len().saturating_sub(mark.len());
                p.tail.drain(..cut);
                p.tail == mark
            }
        };
        if let Some(side) = self.repl.replica.as_mut() {
            side.transfer_read = p.written;
        }
        if !done {
            return Ok(true);
        }
        self.repl_load_payload(link)?;
        Ok(false)
    }

    /// The payload is complete: puts it in place of the dump, loads it, adopts the
    /// master's id and offset and turns the link into the master client.
    fn repl_load_payload(&mut self, link: &mut Link) -> Result<(), String> {
        let Some(p) = link.payload.take() else {
            return Ok(());
        };
        if let PayloadHeader::Eof(mark) = p.header {
            p.file
                .set_len(p.written - mark.len() as u64)
                .map_err(|e| format!("Truncating the received RDB: {e}"))?;
        }
        p.file.sync_all().map_err(|e| format!("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {e}"))?;
        drop(p.file);
        let target = self.rdb_path();
        if let Err(e) = std::fs::rename(&p.path, &target) {
            let _ = std::fs::remove_file(&p.path);
            return Err(format!("Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {e}", target.display()));
        }
        self.repl_replace_dataset(false, false, |srv| {
            let loaded = srv.load_rdb_file(&target, LoadOptions::default());
            srv.remove_sync_rdb_if_unpersisted(&target);
            loaded.map(drop).map_err(|e| {
                format!("Failed trying to load the MASTER synchronization DB from disk: {e}")
            })
        })?;
        self.repl_full_sync_done(link);
        Ok(())
    }

    /// Replaces the dataset with what `load` loads (the master's RDB, from the received
    /// file or straight from the socket). The AOF would describe the old data, so it is
    /// stopped around the load and started again (with a rewrite of the new data)
    /// afterwards, as Redis does around a full sync. With `keep_backup` (`swapdb`) the
    /// old data is set aside and put back if the load fails; otherwise it is flushed
    /// first, and a failed load leaves the dataset empty. With `serve_old` too, the
    /// clients served during the load get the old data (see
    /// [`super::diskless_load::AsyncLoad`]).
    pub(super) fn repl_replace_dataset<T>(
        &mut self,
        keep_backup: bool,
        serve_old: bool,
        load: impl FnOnce(&mut Server) -> Result<T, String>,
    ) -> Result<T, String> {
        // The old data goes now, or (kept aside) once the new data loaded.
        if !keep_backup {
            self.repl_attach_to_new_master();
        }
        let aof_on = self.config.appendonly;
        if aof_on {
            self.aof_stop();
        }
        // Watchers and tracking clients are told the dataset is replaced, as Redis's
        // emptyData does: now, or once the new data is in place when the old one is
        // served meanwhile.
        if !serve_old {
            self.repl_tell_dataset_replaced();
        }
        // The master's function libraries replace ours (kept aside with a backup).
        let old_functions = self.scripting.take_functions();
        let backup: Vec<_> = if keep_backup {
            log::info!("MASTER <-> REPLICA sync: Backing up the current data");
            self.dbs.iter_mut().map(|db| db.take_contents()).collect()
        } else {
            log::info!("MASTER <-> REPLICA sync: Flushing old data");
            for db in &mut self.dbs {
                db.flush();
            }
            Vec::new()
        };
        log::info!("MASTER <-> REPLICA sync: Loading DB in memory");
        let kept = super::diskless_load::AsyncLoad {
            contents: backup,
            functions: old_functions,
        };
        let (loaded, kept) = if serve_old {
            log::info!(
                "MASTER <-> REPLICA sync: Serving the current data while loading (async loading)"
            );
            self.repl.async_load = Some(kept);
            let loaded = load(self);
            let kept = self.repl.async_load.take();
            (
                loaded,
                kept.expect("set above; the loader's rounds only swap its contents"),
            )
        } else {
            (load(self), kept)
        };
        if loaded.is_err() && keep_backup {
            self.scripting.functions = kept.functions;
        }
        if loaded.is_err() {
            if keep_backup {
                log::warn!("MASTER <-> REPLICA sync: Discarding the half-loaded data and restoring the backup");
            } else {
                for db in &mut self.dbs {
                    db.flush();
                }
            }
        }
        // With a backup: put it back in place of the half-loaded data, or free it.
        for (db, (dict, expires)) in self.dbs.iter_mut().zip(kept.contents) {
            if loaded.is_err() {
                db.restore_contents(dict, expires);
            } else {
                let objects = dict.len() as u64;
                crate::server::bio::drop_in_background(dict, expires, objects);
            }
        }
        if keep_backup && loaded.is_ok() {
            self.repl_attach_to_new_master();
        }
        if serve_old && loaded.is_ok() {
            self.repl_tell_dataset_replaced();
        }
        if aof_on {
            match self.aof_start() {
                Err(e) if loaded.is_ok() => log::warn!(
                    "Failed enabling the AOF after successful master synchronization! {e:?}"
                ),
                Err(e) => log::warn!("Failed enabling the AOF again: {e:?}"),
                Ok(()) => {}
            }
        }
        loaded
    }

    /// A full sync's data replaces ours (Redis's replicationAttachToNewMaster): our
    /// history ends, so there is nothing to continue with a partial resync, our
    /// replicas must resync with us, and the backlog can feed none of them.
    fn repl_attach_to_new_master(&mut self) {
        if let Some(side) = self.repl.replica.as_mut() {
            side.cached = false;
        }
        self.disconnect_replicas();
        self.repl.backlog = None;
    }

    /// Tells WATCH and tracking clients that the whole dataset changed.
    fn repl_tell_dataset_replaced(&mut self) {
        for db in 0..self.dbs.len() {
            self.touch_all_watched_keys_in_db(db, None);
        }
        self.tracking_invalidate_on_flush(None);
        self.repl.local_expires.clear();
    }

    /// The master's RDB is loaded: adopts its id and offset, starts a fresh backlog and
    /// turns the link into the master client.
    pub(super) fn repl_full_sync_done(&mut self, link: &mut Link) {
        let (replid, offset) = link.full.take().unwrap_or_default();
        self.repl.replid = replid;
        self.repl.master_repl_offset = offset;
        self.repl.clear_replid2();
        self.repl.backlog = None;
        self.repl.ensure_backlog(self.config.repl_backlog_size);
        self.repl_make_master_client(link, 0);
        log::info!("MASTER <-> REPLICA sync: Finished with success");
    }

    /// Turns the link socket into the master client (with the bytes already read after
    /// the handshake or the RDB as its first input) and sends a first ACK.
    fn repl_make_master_client(&mut self, link: &mut Link, db: usize) {
        let Some(mut stream) = link.stream.take() else {
            return;
        };
        let _ = self.poll.registry().deregister(&mut stream);
        let now = time::now_ms();
        let addr = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let laddr = stream
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let entry = self.clients.vacant_entry();
        let token = entry.key();
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut c = Box::new(Client::new(id, token, Conn::Tcp(stream), addr, laddr, now));
        c.authenticated = true;
        c.user = None;
        c.is_master = true;
        c.db = db;
        c.query = std::mem::take(&mut link.inbuf);
        let offset = self.repl.master_repl_offset;
        c.reply.raw(&ack_request(offset));
        if let Err(e) =
            self.poll
                .registry()
                .register(c.conn.source(), Token(token), Interest::READABLE)
        {
            log::warn!("Registering the master client: {e}");
            if let Some(side) = self.repl.replica.as_mut() {
                side.state = LinkState::Connect;
            }
            return;
        }
        c.pending_write = true;
        entry.insert(Some(c));
        self.pending_writes.push(token);
        self.pending_reads.push(token);
        if let Some(side) = self.repl.replica.as_mut() {
            side.master_token = Some((token, id));
            side.state = LinkState::Connected;
            side.down_since_ms = 0;
            side.cached = true;
            side.in_multi = false;
            side.link = None;
        }
    }

    /// Executes one request of the master client: keys that expired are still visible
    /// to it, its replies are dropped, and the bytes of the request advance our offset
    /// and are relayed to our replicas (a MULTI block at its EXEC, as one unit).
    pub fn repl_execute_master(&mut self, c: &mut Client) {
        let reply_len = c.reply.buf.len();
        // Some(true) opens a transaction, Some(false) ends one.
        let tx = c.argv.first().and_then(|name| {
            if name.eq_ignore_ascii_case(b"multi") {
                Some(true)
            } else if name.eq_ignore_ascii_case(b"exec") || name.eq_ignore_ascii_case(b"discard") {
                Some(false)
            } else {
                None
            }
        });
        let mode = self.expire_mode;
        self.expire_mode = ExpireMode::Ignore;
        self.execute(c);
        self.expire_mode = mode;
        c.reply.buf.truncate(reply_len.max(c.sent));
        let Some(side) = self.repl.replica.as_mut() else {
            c.repl_applied = c.qpos;
            return;
        };
        if let Some(open) = tx {
            side.in_multi = open;
        }
        if side.in_multi {
            return;
        }
        let ack = std::mem::take(&mut side.ack_now);
        let (start, end) = (c.repl_applied.min(c.qpos), c.qpos);
        // The offset advances now (an ACK reports it); the bytes are relayed with the
        // rest of the batch.
        self.repl.master_repl_offset += (end - start) as i64;
        match &mut self.repl.relay {
            Some((_, e)) if *e == start => *e = end,
            _ => {
                self.repl_relay_flush(&c.query);
                self.repl.relay = Some((start, end));
            }
        }
        c.repl_applied = end;
        if ack {
            c.reply.raw(&ack_request(self.repl.master_repl_offset));
        }
    }

    /// Relays the applied bytes of the master client's `query` not relayed yet (see
    /// `ReplState::relay`) to the backlog and our replicas. Must run before the query
    /// buffer is drained.
    pub(crate) fn repl_relay_flush(&mut self, query: &[u8]) {
        if let Some((start, end)) = self.repl.relay.take() {
            self.repl_append_stream(&query[start..end]);
        }
    }

    /// The master client is being freed: the link is down; its state is kept so the
    /// next connection can continue where it stopped.
    pub(crate) fn repl_master_client_lost(&mut self, c: &Client) {
        let Some(side) = self.repl.replica.as_mut() else {
            return;
        };
        if side.master_token.map(|(_, id)| id) != Some(c.id) {
            return;
        }
        log::warn!("Connection with master lost.");
        log::info!("Caching the disconnected master state.");
        side.master_token = None;
        side.state = LinkState::Connect;
        side.cached = true;
        side.cached_db = c.db;
        side.in_multi = false;
        side.down_since_ms = time::now_ms();
    }

    /// Sends REPLCONF ACK with our offset to the master.
    fn repl_send_ack(&mut self) {
        let offset = self.repl.master_repl_offset;
        let Some((token, id)) = self.repl.replica.as_ref().and_then(|s| s.master_token) else {
            return;
        };
        if let Some(Some(c)) = self.clients.get_mut(token) {
            if c.id == id {
                c.reply.raw(&ack_request(offset));
                c.queue_write(&mut self.pending_writes);
            }
        }
    }

    /// The replica part of the replication cron (once a second): connects, times out
    /// a stuck handshake, transfer or silent master, and sends the ACK.
    pub(crate) fn repl_replica_cron(&mut self, now: i64) {
        let timeout = self.config.repl_timeout.max(1) as i64 * 1000;
        let Some(side) = self.repl.replica.as_ref() else {
            return;
        };
        match side.state {
            LinkState::Connect => self.repl_connect(),
            LinkState::Resolving | LinkState::Connecting | LinkState::Handshake
                if now - side.last_io_ms > timeout =>
            {
                self.repl_link_abort("Timeout connecting to the MASTER...")
            }
            LinkState::Transfer if now - side.last_io_ms > timeout => self.repl_link_abort(
                "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
            ),
            LinkState::Connected => {
                let master = side.master_token;
                let idle = master
                    .and_then(|(t, _)| self.clients.get(t)?.as_ref())
                    .map(|c| now - c.last_interaction_ms);
                match (master, idle) {
                    (Some((token, _)), Some(idle)) if idle > timeout => {
                        log::warn!("MASTER timeout: no data nor PING received...");
                        self.close_client(token);
                    }
                    _ => self.repl_send_ack(),
                }
            }
            _ => {}
        }
    }

    /// REPLICAOF host port: replicates from a new master. WAIT clients are released,
    /// and our own id and offset become the history we ask the new master to continue.
    /// Our replicas stay, as in Redis 7: they are dropped only if the new master gives
    /// us another history (a new id at +CONTINUE, or a full sync once its load begins).
    pub fn repl_set_master(&mut self, host: String, port: u16) {
        let was_master = !self.repl.is_replica();
        self.repl_drop_master_link();
        self.release_waiters();
        self.release_blocked_on_keys();
        let mut side = ReplicaSide::new(host, port);
        if was_master {
            side.cached = true;
            side.cached_db = 0;
        } else if let Some(old) = &self.repl.replica {
            side.cached = old.cached;
            side.cached_db = old.cached_db;
        }
        self.repl.replica = Some(side);
        self.repl.ensure_backlog(self.config.repl_backlog_size);
        self.expire_mode = ExpireMode::HideOnly;
        crate::server::logging::set_role(b'S');
        // A failure is logged; the role change goes on.
        let _ = self.apply_oom_score_adj();
        self.repl_connect();
    }

    /// REPLICAOF NO ONE: becomes a master keeping the data; the master's id becomes our
    /// secondary id so former siblings can continue with us.
    pub fn repl_unset_master(&mut self) {
        if !self.repl.is_replica() {
            return;
        }
        self.repl_drop_master_link();
        self.repl.replica = None;
        self.repl.shift_replid();
        self.disconnect_replicas();
        self.repl.slaveseldb = -1;
        self.expire_mode = ExpireMode::Delete;
        crate::server::logging::set_role(b'M');
        let _ = self.apply_oom_score_adj();
        self.repl.ensure_backlog(self.config.repl_backlog_size);
        log::info!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.repl.replid2,
            self.repl.second_replid_offset,
            self.repl.replid
        );
    }

    /// Closes the master client or the link attempt, whichever exists.
    fn repl_drop_master_link(&mut self) {
        let master = self.repl.replica.as_ref().and_then(|s| s.master_token);
        if let Some((token, id)) = master {
            if self
                .clients
                .get(token)
                .and_then(|s| s.as_ref())
                .is_some_and(|c| c.id == id)
            {
                self.close_client(token);
            }
        }
        if let Some(side) = self.repl.replica.as_mut() {
            if let Some(mut link) = side.link.take() {
                if let Some(stream) = link.stream.as_mut() {
                    let _ = self.poll.registry().deregister(stream);
                }
                if let Some(p) = link.payload.take() {
                    let _ = std::fs::remove_file(&p.path);
                }
            }
            side.master_token = None;
        }
    }

    /// Answers every client blocked on keys (BLPOP, XREAD BLOCK...) with -UNBLOCKED and
    /// closes it: as a replica we may not serve it any more, and our master's writes to
    /// the key must not be popped by it (Redis's disconnectAllBlockedClients).
    fn release_blocked_on_keys(&mut self) {
        let blocked: Vec<usize> = self
            .clients
            .iter()
            .filter(|(_, slot)| slot.as_ref().is_some_and(|c| c.blocked.is_some()))
            .map(|(token, _)| token)
            .collect();
        for token in blocked {
            let Some(mut c) = self.take_client(token) else {
                continue;
            };
            c.reply.error_text(UNBLOCKED_ROLE_CHANGE);
            self.unblock_client(&mut c);
            c.close_after_reply = true;
            self.put_client(c);
        }
    }

    /// Answers every WAIT client with -UNBLOCKED (the role changed).
    fn release_waiters(&mut self) {
        for w in std::mem::take(&mut self.repl.waiters) {
            self.unblock_waiter(w, |r| r.error_text(UNBLOCKED_ROLE_CHANGE));
        }
    }
}

/// What clients blocked when we became a replica are answered.
const UNBLOCKED_ROLE_CHANGE: &str =
    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

/// Whether a non-blocking connect finished (Ok(true)), is still going (Ok(false)) or
/// failed.
fn connect_outcome(stream: &TcpStream) -> io::Result<bool> {
    if let Some(e) = stream.take_error()? {
        return Err(e);
    }
    match stream.peer_addr() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes what the link has queued, as far as the socket takes it.
fn flush_out(link: &mut Link) -> io::Result<()> {
    let Some(stream) = link.stream.as_mut() else {
        return Ok(());
    };
    while !link.outbuf.is_empty() {
        match stream.write(&link.outbuf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                link.outbuf.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The next reply line of the handshake; empty keep-alive lines before the PSYNC
/// answer are skipped.
fn take_reply_line(link: &mut Link) -> Option<Vec<u8>> {
    loop {
        let line = handshake::take_line(&mut link.inbuf)?;
        if !line.is_empty() || link.expect.front() != Some(&Expect::Psync) {
            return Some(line);
        }
    }
}

/// Appends received payload bytes to the temp file.
fn write_payload(p: &mut Payload, data: &[u8]) -> Result<(), String> {
    p.file
        .write_all(data)
        .map_err(|e| format!("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {e}"))?;
    p.written += data.len() as u64;
    Ok(())
}
