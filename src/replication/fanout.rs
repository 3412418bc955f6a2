//! Diskless full sync: the snapshot thread writes one RDB stream to the sockets of
//! every replica of the sync at once (Redis's rdbSaveToSlavesSockets, without the pipe).
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
    use std::io::Read;

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
