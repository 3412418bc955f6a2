//! Copying bytes to every replica.
//!
//! * The stream: the commands of one event-loop tick go once into the replication
//!   buffer (backlog.rs), which every replica reads from; before the loop sleeps each
//!   replica with new bytes is written to ([`Server::repl_flush_stream`]), as Redis
//!   does from beforeSleep. Under a steady load, the ticks of a millisecond go out
//!   together ([`Server::repl_flush_stream_when_due`]).
//! * Diskless full sync ([`Fanout`]): the snapshot thread writes one RDB stream to the
//!   sockets of every replica of the sync at once (Redis's rdbSaveToSlavesSockets,
//!   without the pipe).
//!
//! The sockets are duplicates of the replicas' connections (the event loop does not
//! write to them while the RDB goes out: their output is held). They are non-blocking,
//! so the thread waits for writability on its own `mio::Poll`. A replica whose socket
//! fails, or that accepts nothing for `repl-timeout`, is dropped from the transfer and
//! the others go on; the write fails only when no replica is left.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use super::master::over_output_limit;
use crate::server::Server;

/// How long stream bytes may wait for more before they go to the replicas, counted from
/// the last time some went.
const STREAM_BATCH_DELAY: Duration = Duration::from_millis(1);
/// Stream bytes that go to the replicas at once, however recently some went.
const STREAM_BATCH_BYTES: usize = 64 * 1024;

impl Server {
    /// Queues this tick's stream bytes to the replicas (`repl_flush_stream`) unless they
    /// may wait for more: the loop's every-tick call.
    ///
    /// Under a steady write load the loop turns many times a millisecond, and a replica
    /// sent every tick's few commands wakes up that often, each wake-up costing it (and
    /// the core it takes from the master or the clients on a small machine) more than
    /// applying the commands. So while bytes went less than [`STREAM_BATCH_DELAY`] ago,
    /// new ones wait, up to [`STREAM_BATCH_BYTES`]; a write after a quiet spell goes at
    /// once. Nothing waits while a client is in WAIT, a failover or a pause is under way
    /// (they wait for the replicas' offsets), or at shutdown. The replicas lag by that
    /// millisecond at most; the backlog and the offset are never held back.
    pub(crate) fn repl_flush_stream_when_due(&mut self) {
        // Most loop rounds have nothing to send: no clock read for them.
        if self.repl.stream_unflushed == 0 {
            return;
        }
        if self
            .repl_stream_due_in(Instant::now())
            .is_some_and(|d| !d.is_zero())
        {
            return;
        }
        self.repl_flush_stream();
    }

    /// If stream bytes are waiting, how long until they are due (zero if now).
    pub(crate) fn repl_stream_due_in(&self, now: Instant) -> Option<Duration> {
        let r = &self.repl;
        if r.stream_unflushed == 0 {
            return None;
        }
        let hold = r.stream_unflushed < STREAM_BATCH_BYTES
            && r.waiters.is_empty()
            && !r.failover.active()
            && self.pause.is_none()
            && self.shutdown.is_none();
        let due = r.stream_sent_at + STREAM_BATCH_DELAY;
        Some(if hold {
            due.saturating_duration_since(now)
        } else {
            Duration::ZERO
        })
    }

    /// Has every replica that receives the stream sent the bytes written since the last
    /// call, and closes those whose output passed its limit. Runs before the replies of
    /// a tick are written.
    pub(crate) fn repl_flush_stream(&mut self) {
        if self.repl.stream_unflushed == 0 {
            return;
        }
        self.repl.stream_unflushed = 0;
        self.repl.stream_sent_at = Instant::now();
        let limit = self.replica_output_limit();
        let mut over = Vec::new();
        for i in 0..self.repl.replicas.len() {
            let token = self.repl.replicas[i];
            let pending = self.replica_stream_pending(token);
            let Some(Some(c)) = self.clients.get_mut(token) else {
                continue;
            };
            if pending == 0 {
                continue;
            }
            c.queue_write(&mut self.pending_writes);
            if over_output_limit(c, pending, &limit) {
                over.push(token);
            }
        }
        self.close_over_output_limit(over);
    }
}

/// How long one wait for writability lasts before the write is retried.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// A `Write` that copies everything to several sockets.
pub struct Fanout {
    poll: Poll,
    events: Events,
    targets: Vec<TcpStream>,
    /// Per target: still receiving. Shared with the event loop, which reads it when the
    /// snapshot reports.
    alive: Arc<Vec<AtomicBool>>,
    timeout: Duration,
}

impl Fanout {
    /// A fan-out to `targets`; `alive` must have one flag per target, all true.
    pub fn new(
        mut targets: Vec<TcpStream>,
        alive: Arc<Vec<AtomicBool>>,
        timeout: Duration,
    ) -> io::Result<Fanout> {
        let poll = Poll::new()?;
        for (i, t) in targets.iter_mut().enumerate() {
            poll.registry().register(t, Token(i), Interest::WRITABLE)?;
        }
        Ok(Fanout {
            poll,
            events: Events::with_capacity(16),
            targets,
            alive,
            timeout,
        })
    }

    /// Writes all of `buf` to target `i`, waiting while its socket is full.
    fn write_all_to(&mut self, i: usize, mut buf: &[u8]) -> io::Result<()> {
        let mut last_progress = Instant::now();
        while !buf.is_empty() {
            match self.targets[i].write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    buf = &buf[n..];
                    last_progress = Instant::now();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if last_progress.elapsed() > self.timeout {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    // Any event (or the slice ending) is a reason to retry the write.
                    if let Err(e) = self.poll.poll(&mut self.events, Some(POLL_SLICE)) {
                        if e.kind() != io::ErrorKind::Interrupted {
                            return Err(e);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Write for Fanout {
    /// Writes `buf` to every live target; fails only when none is left.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut any = false;
        for i in 0..self.targets.len() {
            if !self.alive[i].load(Ordering::Relaxed) {
                continue;
            }
            match self.write_all_to(i, buf) {
                Ok(()) => any = true,
                Err(e) => {
                    log::warn!("Diskless sync: dropping a replica from the transfer: {e}");
                    self.alive[i].store(false, Ordering::Relaxed);
                }
            }
        }
        if any {
            Ok(buf.len())
        } else {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "no replica left to receive the RDB",
            ))
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::{Client, Conn};
    use std::io::Read;

    /// A server without listeners, with a backlog.
    fn server() -> Server {
        let mut config = Config::default();
        config.port = 0;
        let mut srv = Server::new(config).expect("a server without listeners");
        srv.repl.ensure_backlog(1024 * 1024);
        srv
    }

    /// A client that asked PSYNC <our id> 1 and got a partial resync; returns its token
    /// and the other end of its socket.
    fn psync_replica(srv: &mut Server) -> (usize, mio::net::UnixStream) {
        let (sock, mut peer) = mio::net::UnixStream::pair().expect("socket pair");
        let token = srv.clients.vacant_entry().key();
        let mut c = Box::new(Client::new(
            100 + token as u64,
            token,
            Conn::Unix(sock),
            String::new(),
            String::new(),
            0,
        ));
        c.authenticated = true;
        srv.clients.insert(None);
        let replid = srv.repl.replid.clone();
        srv.repl_sync_request(&mut c, Some((replid.as_bytes(), b"1")))
            .expect("partial resync");
        let mut line = [0u8; 64];
        let n = peer.read(&mut line).expect("+CONTINUE written at once");
        assert!(line[..n].starts_with(b"+CONTINUE"));
        srv.clients[token] = Some(c);
        (token, peer)
    }

    /// The stream replica `token` is to be sent, from the replication buffer.
    fn stream_of(srv: &Server, token: usize) -> Vec<u8> {
        let b = srv.repl.backlog.as_ref().expect("backlog");
        let mut slices = [io::IoSlice::new(&[]); 64];
        let n = b.next_slices(token, &mut slices);
        slices[..n].iter().flat_map(|s| s.iter().copied()).collect()
    }

    /// Whether replica `token` was told to send what it has (it is queued for a write).
    fn told_to_send(srv: &Server, token: usize) -> bool {
        srv.pending_writes.contains(&token)
    }

    #[test]
    fn a_tick_reaches_each_replica_once_even_when_one_attaches_in_it() {
        let mut srv = server();
        let (a, _pa) = psync_replica(&mut srv);
        let set = |v: &str| vec![b"SET".to_vec(), b"k".to_vec(), v.as_bytes().to_vec()];
        srv.repl_feed(0, &set("1"));
        let first = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n";
        assert_eq!(stream_of(&srv, a), first);
        // B continues from offset 1 in the same tick: the backlog already has the SET,
        // which B gets once.
        let (b, _pb) = psync_replica(&mut srv);
        assert_eq!(stream_of(&srv, b), first);
        srv.repl_feed(0, &set("2"));
        srv.repl_flush_stream();
        let mut both = first.to_vec();
        both.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n2\r\n");
        assert_eq!(stream_of(&srv, a), both);
        assert_eq!(stream_of(&srv, b), both);
        assert!(told_to_send(&srv, a) && told_to_send(&srv, b));
        assert_eq!(srv.repl.master_repl_offset, both.len() as i64);
        // One copy for both.
        let held = srv.repl.backlog.as_ref().unwrap().histlen();
        assert_eq!(held, both.len());
    }

    #[test]
    fn stream_bytes_wait_a_millisecond_after_a_send_unless_someone_waits_for_them() {
        let mut srv = server();
        let (a, _pa) = psync_replica(&mut srv);
        let set = |v: &str| vec![b"SET".to_vec(), b"k".to_vec(), v.as_bytes().to_vec()];
        assert_eq!(srv.repl_stream_due_in(Instant::now()), None);
        // After a quiet spell, a write goes at once.
        srv.repl.stream_sent_at = Instant::now() - STREAM_BATCH_DELAY;
        srv.repl_feed(0, &set("1"));
        assert_eq!(srv.repl_stream_due_in(Instant::now()), Some(Duration::ZERO));
        srv.repl_flush_stream_when_due();
        assert!(told_to_send(&srv, a));
        srv.pending_writes.clear();
        srv.clients[a].as_mut().unwrap().pending_write = false;
        // Right after a send, the next write waits (the loop sleeps no longer than that).
        srv.repl_feed(0, &set("2"));
        let due = srv.repl_stream_due_in(Instant::now()).expect("bytes wait");
        assert!(!due.is_zero() && due <= STREAM_BATCH_DELAY);
        srv.repl_flush_stream_when_due();
        assert!(!told_to_send(&srv, a));
        // ... until the delay has passed.
        let later = Instant::now() + STREAM_BATCH_DELAY;
        assert_eq!(srv.repl_stream_due_in(later), Some(Duration::ZERO));
        // A client in WAIT has it sent at once: it waits for the replicas' offsets.
        srv.repl.waiters.push(crate::replication::Waiter {
            token: 0,
            client_id: 0,
            offset: srv.repl.master_repl_offset,
            numreplicas: 1,
            deadline_ms: None,
        });
        assert_eq!(srv.repl_stream_due_in(Instant::now()), Some(Duration::ZERO));
        srv.repl.waiters.clear();
        // So does a full batch.
        srv.repl_feed(0, &set(&"x".repeat(STREAM_BATCH_BYTES)));
        assert_eq!(srv.repl_stream_due_in(Instant::now()), Some(Duration::ZERO));
        srv.repl_flush_stream_when_due();
        assert!(told_to_send(&srv, a));
        assert!(stream_of(&srv, a).len() > STREAM_BATCH_BYTES);
        assert_eq!(srv.repl_stream_due_in(Instant::now()), None);
    }

    #[test]
    fn copies_to_every_socket_and_survives_a_closed_one() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut peers = Vec::new();
        let mut targets = Vec::new();
        for _ in 0..2 {
            let s = std::net::TcpStream::connect(addr).unwrap();
            let (peer, _) = listener.accept().unwrap();
            s.set_nonblocking(true).unwrap();
            targets.push(TcpStream::from_std(s));
            peers.push(peer);
        }
        drop(peers.remove(1));
        let alive = Arc::new(vec![AtomicBool::new(true), AtomicBool::new(true)]);
        let mut f = Fanout::new(targets, alive.clone(), Duration::from_secs(5)).unwrap();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            peers[0].read_to_end(&mut got).unwrap();
            got
        });
        let chunk = vec![7u8; 64 * 1024];
        for _ in 0..64 {
            f.write_all(&chunk).unwrap();
        }
        drop(f);
        let got = reader.join().unwrap();
        assert_eq!(got.len(), 64 * 64 * 1024);
        assert!(alive[0].load(Ordering::Relaxed));
        assert!(!alive[1].load(Ordering::Relaxed));
    }
}
