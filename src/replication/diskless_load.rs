//! Loading a full sync straight from the master's socket (`repl-diskless-load`), as
//! Redis's readSyncBulkPayload does when its useDisklessLoad says so.
//!
//! The RDB is parsed as it arrives instead of being written to a temp file and read
//! back. As in Redis, the load runs on the event loop with the socket switched to
//! blocking reads bounded by `repl-timeout`, and the loader still serves the other
//! clients every 2 MB (they get `-LOADING`). `on-empty-db` takes this path only when we
//! hold no keys, so a failed transfer loses nothing; `swapdb` sets the current data
//! aside first and puts it back if the transfer or the load fails. When the master
//! continues our own history (its `+FULLRESYNC` id is ours), the old data is not only
//! kept but served meanwhile, as Redis 7.0's async loading serves it: it is a past
//! state of the same dataset, so readers see older data rather than `-LOADING`
//! ([`AsyncLoad`]).

use std::io::{self, BufReader, Read};
use std::path::Path;
use std::time::Duration;

use mio::net::TcpStream;

use super::handshake::PayloadHeader;
use super::replica::Link;
use crate::config::ReplDisklessLoad;
use crate::db::dict::Dict;
use crate::persistence::load::LoadOptions;
use crate::scripting::functions::Functions;
use crate::server::Server;
use crate::types::Object;

/// The dataset kept aside while the master's RDB loads in its place: each database's
/// keys and expiry times, and the function libraries. In the loader's pauses it is
/// swapped in, so the clients served then read (and, on a writable replica, write) the
/// old data, and commands flagged `no-async-loading` get `-LOADING` (INFO shows
/// `async_loading:1`); then the loading data goes back in. A failed load puts it back
/// for good; a finished one frees it.
pub struct AsyncLoad {
    pub(crate) contents: Vec<(Dict<Object>, Dict<i64>)>,
    pub(crate) functions: Functions,
}

/// Bytes the loader reads from the socket at a time.
const READ_BUF_BYTES: usize = 256 * 1024;

/// How the loader's errors name the input.
const SOURCE: &str = "RDB stream from the master";

/// The master's RDB payload as it arrives on the link: first the bytes that came
/// together with the payload header, then the socket; never more than `left` bytes
/// when the payload's length was announced.
struct LinkPayload<'a> {
    early: Vec<u8>,
    /// How much of `early` has been handed out.
    at: usize,
    stream: &'a TcpStream,
    /// Payload bytes still to come, for a `$<length>` payload.
    left: Option<u64>,
    /// Bytes read from the socket (INFO's input byte counters).
    from_socket: u64,
}

impl LinkPayload<'_> {
    /// The bytes of `early` not handed out yet.
    fn unread_early(&self) -> &[u8] {
        &self.early[self.at..]
    }
}

impl Read for LinkPayload<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let cap = match self.left {
            Some(left) => buf.len().min(usize::try_from(left).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        if cap == 0 {
            return Ok(0);
        }
        let n = if self.at < self.early.len() {
            let n = cap.min(self.early.len() - self.at);
            buf[..n].copy_from_slice(&self.early[self.at..self.at + n]);
            self.at += n;
            n
        } else {
            let mut stream = self.stream;
            let n = match stream.read(&mut buf[..cap]) {
                Ok(n) => n,
                // SO_RCVTIMEO expired: the master has been silent for repl-timeout.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "timeout reading from the master (repl-timeout)",
                    ))
                }
                Err(e) => return Err(e),
            };
            self.from_socket += n as u64;
            n
        };
        if let Some(left) = &mut self.left {
            *left -= n as u64;
        }
        Ok(n)
    }
}

/// Switches `stream` to blocking reads that give up after `timeout` (Some), or back
/// to the non-blocking mode the event loop needs (None).
fn set_blocking(stream: &TcpStream, timeout: Option<Duration>) -> io::Result<()> {
    let sock = socket2::SockRef::from(stream);
    sock.set_read_timeout(timeout)?;
    sock.set_nonblocking(timeout.is_none())
}

impl Server {
    /// In an async load, swaps the old dataset and the one loading (see [`AsyncLoad`]):
    /// the loader calls it before and after serving clients. False when none runs.
    pub(crate) fn repl_async_load_swap(&mut self) -> bool {
        let Some(old) = self.repl.async_load.as_mut() else {
            return false;
        };
        for (db, (dict, expires)) in self.dbs.iter_mut().zip(old.contents.iter_mut()) {
            db.swap_contents(dict, expires);
        }
        std::mem::swap(&mut self.scripting.functions, &mut old.functions);
        true
    }

    /// Whether this full sync is parsed straight from the socket (Redis's
    /// useDisklessLoad).
    pub(super) fn repl_use_diskless_load(&self) -> bool {
        match self.config.repl_diskless_load {
            ReplDisklessLoad::Disabled => false,
            ReplDisklessLoad::OnEmptyDb => self.dbs.iter().all(|db| db.is_empty()),
            ReplDisklessLoad::Swapdb => true,
        }
    }

    /// Receives the payload announced by `header` and loads it as it arrives, then
    /// adopts the master's id and offset and turns the link into the master client
    /// (with the stream bytes that followed the RDB as its first input).
    pub(super) fn repl_load_from_socket(
        &mut self,
        link: &mut Link,
        header: PayloadHeader,
    ) -> Result<(), String> {
        let Some(mut stream) = link.stream.take() else {
            return Err("The link to the master is gone".into());
        };
        let _ = self.poll.registry().deregister(&mut stream);
        let timeout = Duration::from_secs(self.config.repl_timeout.max(1));
        let early = std::mem::take(&mut link.inbuf);
        let keep_backup = self.config.repl_diskless_load == ReplDisklessLoad::Swapdb;
        let same_history = link
            .full
            .as_ref()
            .is_some_and(|(replid, _)| *replid == self.repl.replid);
        let result = match set_blocking(&stream, Some(timeout)) {
            Ok(()) => self.repl_replace_dataset(keep_backup, keep_backup && same_history, |srv| {
                srv.load_rdb_payload(&stream, early, header)
            }),
            Err(e) => Err(format!("Can't switch the link to blocking reads: {e}")),
        };
        let restored = set_blocking(&stream, None);
        link.stream = Some(stream);
        link.inbuf = result?;
        restored.map_err(|e| format!("Can't switch the link back to non-blocking: {e}"))?;
        self.repl_full_sync_done(link);
        Ok(())
    }

    /// Loads the RDB payload from `stream` (after the `early` bytes); returns the bytes
    /// of the command stream already read past the payload's end.
    fn load_rdb_payload(
        &mut self,
        stream: &TcpStream,
        early: Vec<u8>,
        header: PayloadHeader,
    ) -> Result<Vec<u8>, String> {
        let len = match header {
            PayloadHeader::Length(len) => Some(len),
            PayloadHeader::Eof(_) => None,
        };
        let payload = LinkPayload {
            early,
            at: 0,
            stream,
            left: len,
            from_socket: 0,
        };
        let input = BufReader::with_capacity(READ_BUF_BYTES, payload);
        let loaded = self.load_rdb_from(input, len, Path::new(SOURCE), LoadOptions::default());
        let (_, input) = loaded.map_err(|e| {
            format!("Failed trying to load the MASTER synchronization DB from socket: {e}")
        })?;
        let after_rdb = input.buffer().to_vec();
        let mut payload = input.into_inner();
        let rest = match header {
            PayloadHeader::Length(_) => {
                // What the length still covers past the RDB's end is not stream data.
                let extra = after_rdb.len() as u64
                    + io::copy(&mut payload, &mut io::sink())
                        .map_err(|e| format!("I/O error reading the RDB payload: {e}"))?;
                if extra > 0 {
                    log::warn!("MASTER <-> REPLICA sync: {extra} bytes after the RDB's end in the payload were ignored");
                }
                payload.unread_early().to_vec()
            }
            PayloadHeader::Eof(mark) => {
                let mut rest = after_rdb;
                rest.extend_from_slice(payload.unread_early());
                payload.at = payload.early.len();
                // The end mark may still be on its way.
                let have = rest.len();
                if have < mark.len() {
                    rest.resize(mark.len(), 0);
                    payload
                        .read_exact(&mut rest[have..])
                        .map_err(|e| format!("I/O error reading the RDB stream's end mark: {e}"))?;
                }
                if rest[..mark.len()] != mark[..] {
                    return Err("Replication stream EOF marker is broken".into());
                }
                rest.drain(..mark.len());
                rest
            }
        };
        self.repl.stats.net_repl_input_bytes += payload.from_socket;
        self.stats.total_net_input_bytes += payload.from_socket;
        Ok(rest)
    }
}
