//! MIGRATE, as Redis's `cluster.c`: moves (or, with COPY, copies) keys to another
//! server by sending it `RESTORE key ttl payload [REPLACE]` for each, the payload being
//! what DUMP gives. It runs synchronously on the main thread, as Redis does: a blocking
//! connect, write and read, each bounded by the command's timeout.
//!
//! Connections are cached per `host:port` ([`MigrateSockets`]), remembering the database
//! last SELECTed on them; the cron closes those unused for 10 seconds, and one that
//! failed is dropped. A key the target acknowledged is deleted here (unless COPY), and
//! the command propagates as `DEL` of exactly those keys.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::Socket;

use super::flags::*;
use super::keys::lookup_read;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::db::ExpireMode;
use crate::persistence::value_rdb::dump_value;
use crate::server::client::redact;
use crate::server::{Client, Server};
use crate::util::connect::start_connect;
use crate::util::numbers::atoi;
use crate::util::numbers::parse_i64;
use crate::util::time;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "migrate",
    migrate,
    -6,
    WRITE,
    // The single-key form; the KEYS form is found by the key specs (movablekeys).
    Keys {
        first: 3,
        last: 3,
        step: 1,
    },
    "generic",
    "2.6.0",
    "Atomically transfer a key from a Redis instance to another one.",
)
.with_complexity(
    "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
)];

/// Most connections kept at once (Redis's MIGRATE_SOCKET_CACHE_ITEMS); a new one past
/// this closes one at random.
const CACHE_ITEMS: usize = 64;
/// A cached connection unused for longer than this many seconds is closed by the cron
/// (Redis's MIGRATE_SOCKET_CACHE_TTL).
const CACHE_TTL_SECS: i64 = 10;
/// The request is written in chunks of this size, each with the whole timeout.
const WRITE_CHUNK: usize = 64 * 1024;
/// Longest reply line read (Redis reads into a 1024-byte buffer, NUL included): the
/// rest of a longer line is left for the next read.
const MAX_LINE: usize = 1023;
/// The timeout used when the command's is zero or negative (ms).
const DEFAULT_TIMEOUT_MS: i64 = 1000;
/// The `last_dbid` of a connection that must SELECT again. It is Redis's -1, so that
/// MIGRATE to database -1 sends no SELECT on a new connection (the keys land in the
/// target's database 0), as in Redis.
const UNKNOWN_DB: i64 = -1;
/// A connection to a MIGRATE target.
struct CachedSocket {
    stream: TcpStream,
    /// Bytes received past the last line read.
    pending: Vec<u8>,
    /// The database last SELECTed successfully on it, [`UNKNOWN_DB`] when it must be
    /// SELECTed again.
    last_dbid: i64,
    /// When it was last handed to a MIGRATE (unix seconds).
    last_use_s: i64,
}

/// The cached MIGRATE connections, by `host:port` as the command spelled them.
#[derive(Default)]
pub struct MigrateSockets {
    sockets: HashMap<Vec<u8>, CachedSocket>,
}

impl MigrateSockets {
    /// Number of cached connections (INFO `migrate_cached_sockets`).
    pub fn len(&self) -> usize {
        self.sockets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// Closes the connections unused for more than [`CACHE_TTL_SECS`] at `now_s`
    /// (Redis's migrateCloseTimedoutSockets, run by the cron once a second).
    pub fn close_idle(&mut self, now_s: i64) {
        self.sockets
            .retain(|_, s| now_s - s.last_use_s <= CACHE_TTL_SECS);
    }

    /// Takes the cached connection called `name` out of the cache, marked as used at
    /// `now_s`; the caller puts it back with [`MigrateSockets::put`] while it is sound.
    fn take(&mut self, name: &[u8], now_s: i64) -> Option<CachedSocket> {
        let mut s = self.sockets.remove(name)?;
        s.last_use_s = now_s;
        Some(s)
    }

    /// Caches `socket` as `name`, closing one connection picked with `random` when the
    /// cache is full.
    fn put(&mut self, name: Vec<u8>, socket: CachedSocket, random: u64) {
        if self.sockets.len() >= CACHE_ITEMS && !self.sockets.contains_key(&name) {
            let victim = (random % self.sockets.len() as u64) as usize;
            if let Some(key) = self.sockets.keys().nth(victim).cloned() {
                self.sockets.remove(&key);
            }
        }
        self.sockets.insert(name, socket);
    }
}

/// How a read or write on the link failed: only a timeout is never retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkError {
    TimedOut,
    Failed,
}

impl LinkError {
    fn of(err: &std::io::Error) -> LinkError {
        match err.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => LinkError::TimedOut,
            _ => LinkError::Failed,
        }
    }
}

impl CachedSocket {
    /// Opens a connection to `host`:`port` as Redis's blocking connect does: a
    /// non-blocking connect to the first address it resolves to that does not refuse
    /// at once, then a wait of up to `timeout` for it to complete. None only when no
    /// connect could even start (a name that does not resolve, a bad port...): a
    /// refusal or a timeout after that shows on the first write, as in Redis.
    fn connect(host: &[u8], port: &[u8], timeout: Duration) -> Option<CachedSocket> {
        let host = std::str::from_utf8(host).ok()?;
        let port = port_number(port)?;
        let sock = (host, port)
            .to_socket_addrs()
            .ok()?
            .find_map(|addr| start_connect(addr, None).ok())?;
        wait_writable(&sock, timeout);
        sock.set_nonblocking(false).ok()?;
        // Without Nagle, as Redis; a socket whose connect failed may refuse it.
        let _ = sock.set_tcp_nodelay(true);
        Some(CachedSocket {
            stream: sock.into(),
            pending: Vec::new(),
            last_dbid: UNKNOWN_DB,
            last_use_s: 0,
        })
    }

    /// Writes `buf` in chunks of [`WRITE_CHUNK`] bytes, each within `timeout`.
    fn write_all(&mut self, buf: &[u8], timeout: Duration) -> Result<(), LinkError> {
        for chunk in buf.chunks(WRITE_CHUNK) {
            // No deadline for a timeout too long to add (it never comes).
            let deadline = Instant::now().checked_add(timeout);
            let mut at = 0;
            while at < chunk.len() {
                let left =
                    deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
                if left.is_zero() {
                    return Err(LinkError::TimedOut);
                }
                self.stream
                    .set_write_timeout(Some(left))
                    .map_err(|e| LinkError::of(&e))?;
                match self.stream.write(&chunk[at..]) {
                    Ok(0) => return Err(LinkError::Failed),
                    Ok(n) => at += n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(LinkError::of(&e)),
                }
            }
        }
        Ok(())
    }

    /// Reads one reply line (without its CRLF; at most [`MAX_LINE`] bytes), waiting at
    /// most `timeout` for each arrival of data. A line that is a bare `\n` counts as
    /// a failure, as Redis's syncReadLine reads nothing then.
    fn read_line(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError> {
        loop {
            let window = self.pending.len().min(MAX_LINE);
            if let Some(nl) = self.pending[..window].iter().position(|&b| b == b'\n') {
                if nl == 0 {
                    self.pending.drain(..1);
                    return Err(LinkError::Failed);
                }
                let mut line: Vec<u8> = self.pending.drain(..=nl).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if window == MAX_LINE {
                return Ok(self.pending.drain(..MAX_LINE).collect());
            }
            self.stream
                .set_read_timeout(Some(timeout))
                .map_err(|e| LinkError::of(&e))?;
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(LinkError::Failed),
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(LinkError::of(&e)),
            }
        }
    }
}

/// The TCP port a MIGRATE port argument names, as Redis finds it: C's `atoi`, printed
/// into a 6-byte buffer (so at most 5 characters), then read by getaddrinfo as a
/// number modulo 65536; None for what getaddrinfo refuses (a negative number).
fn port_number(arg: &[u8]) -> Option<u16> {
    let text = atoi(arg).to_string();
    let n: u32 = text[..text.len().min(5)].parse().ok()?;
    Some((n & 0xffff) as u16)
}

/// Waits up to `timeout` for `sock` to become writable (its connect done or failed);
/// whatever came of it shows on the first write, as after Redis's aeWait.
fn wait_writable(sock: &Socket, timeout: Duration) {
    let mut pfd = libc::pollfd {
        fd: sock.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `pfd` is one valid, writable pollfd owned by this frame (nfds = 1), and
    // its descriptor belongs to `sock`, which stays open for the whole call.
    unsafe {
        libc::poll(&mut pfd, 1, ms);
    }
}

/// The options of a MIGRATE request.
#[derive(Debug, Default, PartialEq, Eq)]
struct MigrateOptions {
    copy: bool,
    replace: bool,
    username: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    /// argv index of the first key and number of keys (the key argument by default,
    /// what follows KEYS otherwise).
    first_key: usize,
    num_keys: usize,
}

impl MigrateOptions {
    /// Parses the options from argv index 6 on, as Redis's migrateCommand: a password
    /// is replaced in `argv` by `(redacted)` once read (MONITOR and SLOWLOG show that),
    /// even when a later option turns out to be wrong.
    fn parse(argv: &mut [Vec<u8>]) -> Result<MigrateOptions, CommandError> {
        let mut opts = MigrateOptions {
            first_key: 3,
            num_keys: 1,
            ..MigrateOptions::default()
        };
        let mut j = 6;
        while j < argv.len() {
            let more = argv.len() - 1 - j;
            let opt = argv[j].as_slice();
            if opt.eq_ignore_ascii_case(b"copy") {
                opts.copy = true;
            } else if opt.eq_ignore_ascii_case(b"replace") {
                opts.replace = true;
            } else if opt.eq_ignore_ascii_case(b"auth") {
                if more == 0 {
                    return Err(CommandError::Syntax);
                }
                j += 1;
                opts.password = Some(redact(&mut argv[j]));
            } else if opt.eq_ignore_ascii_case(b"auth2") {
                if more < 2 {
                    return Err(CommandError::Syntax);
                }
                opts.username = Some(redact(&mut argv[j + 1]));
                opts.password = Some(redact(&mut argv[j + 2]));
                j += 2;
            } else if opt.eq_ignore_ascii_case(b"keys") {
                if !argv[3].is_empty() {
                    return Err(CommandError::Err(
                        "When using MIGRATE KEYS option, the key argument must be set to the empty string",
                    ));
                }
                opts.first_key = j + 1;
                opts.num_keys = argv.len() - j - 1;
                break;
            } else {
                return Err(CommandError::Syntax);
            }
            j += 1;
        }
        Ok(opts)
    }
}

/// Appends `args` to `out` as one RESP command.
fn push_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// How one attempt at the transfer ended, when it did not end the command.
enum Attempt {
    /// The link failed, not by a timeout, before any RESTORE was answered: connect
    /// again and start over (once).
    Retry,
    /// Reply with this.
    Done(CommandResult),
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
/// [AUTH2 username password] [KEYS key ...]: `+NOKEY` when none of the keys exists;
/// else RESTOREs them on the target and answers +OK, the target's first error, or
/// IOERR. Keys the target accepted are deleted here unless COPY, whatever the reply.
fn migrate(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = MigrateOptions::parse(&mut c.argv)?;
    let timeout = parse_i64(&c.argv[5]).ok_or(CommandError::NotInteger)?;
    let dbid = parse_i64(&c.argv[4]).ok_or(CommandError::NotInteger)?;
    let timeout_ms = if timeout <= 0 {
        DEFAULT_TIMEOUT_MS
    } else {
        timeout
    };
    let timeout = Duration::from_millis(timeout_ms as u64);
    // The argv indices of the keys that exist (a key named twice is sent twice).
    let mut keys: Vec<usize> = (opts.first_key..opts.first_key + opts.num_keys)
        .filter(|&j| lookup_read(srv, c.db, &c.argv[j], true).is_some())
        .collect();
    if keys.is_empty() {
        c.reply.simple("NOKEY");
        return Ok(());
    }
    let mut name = c.argv[1].clone();
    name.push(b':');
    name.extend_from_slice(&c.argv[2]);
    let mut may_retry = true;
    loop {
        match attempt(srv, c, &opts, &mut keys, dbid, timeout, &name, may_retry) {
            Attempt::Retry => may_retry = false,
            Attempt::Done(result) => return result,
        }
    }
}

/// One connection's worth of MIGRATE (the part Redis restarts at `try_again`): takes
/// or opens the connection, sends AUTH, SELECT and the RESTOREs of the keys not
/// expired by now (`keys` keeps only those), reads the replies and acts on them.
#[allow(clippy::too_many_arguments)]
fn attempt(
    srv: &mut Server,
    c: &mut Client,
    opts: &MigrateOptions,
    keys: &mut Vec<usize>,
    dbid: i64,
    timeout: Duration,
    name: &[u8],
    may_retry: bool,
) -> Attempt {
    let now_s = time::now_ms() / 1000;
    let cached = srv.migrate_sockets.take(name, now_s);
    let mut sock = match cached {
        Some(s) => s,
        None => match CachedSocket::connect(&c.argv[1], &c.argv[2], timeout) {
            Some(mut s) => {
                s.last_use_s = now_s;
                s
            }
            None => return Attempt::Done(Err(CommandError::MigrateConnect)),
        },
    };

    let mut request = Vec::new();
    if let Some(password) = &opts.password {
        match &opts.username {
            Some(user) => push_command(&mut request, &[b"AUTH", user, password]),
            None => push_command(&mut request, &[b"AUTH", password]),
        }
    }
    let select = sock.last_dbid != dbid;
    if select {
        push_command(&mut request, &[b"SELECT", dbid.to_string().as_bytes()]);
    }
    // A key may have expired since it was looked up (serialising big values takes
    // time): it is left out, and its TTL is what remains now.
    let db = &mut srv.dbs[c.db];
    let now = time::now_ms();
    keys.retain(|&j| {
        let key = c.argv[j].as_slice();
        let ttl = match db.expire_of(key) {
            Some(at) if at - now < 0 => return false,
            Some(at) => (at - now).max(1),
            None => 0,
        };
        let Some(obj) = db.get(key, now, ExpireMode::Ignore) else {
            return false;
        };
        let payload = dump_value(&obj.value);
        let ttl = ttl.to_string();
        let mut args: Vec<&[u8]> = vec![b"RESTORE", key, ttl.as_bytes(), &payload];
        if opts.replace {
            args.push(b"REPLACE");
        }
        push_command(&mut request, &args);
        true
    });

    // A failure before the RESTORE replies: the connection is dropped, and the whole
    // attempt is made again once unless it timed out.
    let early = sock
        .write_all(&request, timeout)
        .map_err(|e| (true, e))
        .and_then(|()| {
            let mut reply_if = |sent: bool| {
                sent.then(|| sock.read_line(timeout).map_err(|e| (false, e)))
                    .transpose()
            };
            let auth = reply_if(opts.password.is_some())?;
            let selected = reply_if(select)?;
            Ok((auth, selected))
        });
    let (auth_reply, select_reply) = match early {
        Ok(replies) => replies,
        Err((writing, err)) => {
            drop(sock);
            if err != LinkError::TimedOut && may_retry {
                return Attempt::Retry;
            }
            return Attempt::Done(Err(CommandError::MigrateLink { writing }));
        }
    };
    // An AUTH or SELECT refusal makes every RESTORE count as refused.
    let refused_before = [auth_reply, select_reply]
        .into_iter()
        .flatten()
        .find(|line| is_error_line(line));

    let mut target_error: Option<Vec<u8>> = None;
    let mut link_error: Option<(usize, LinkError)> = None;
    let mut moved: Vec<usize> = Vec::new();
    for (i, &j) in keys.iter().enumerate() {
        let line = match sock.read_line(timeout) {
            Ok(line) => line,
            Err(e) => {
                link_error = Some((i, e));
                break;
            }
        };
        let refusal = match &refused_before {
            Some(before) => Some(before.as_slice()),
            None if is_error_line(&line) => Some(line.as_slice()),
            None => None,
        };
        if let Some(refusal) = refusal {
            if target_error.is_none() {
                sock.last_dbid = UNKNOWN_DB;
                target_error = Some(refusal[1..].to_vec());
            }
        } else if !opts.copy {
            delete_moved_key(srv, c, j);
            moved.push(j);
        }
    }

    if let (None, Some((0, e))) = (&target_error, link_error) {
        if e != LinkError::TimedOut && may_retry {
            return Attempt::Retry;
        }
    }
    if !moved.is_empty() {
        let mut del = Vec::with_capacity(moved.len() + 1);
        del.push(b"DEL".to_vec());
        del.extend(moved.iter().map(|&j| c.argv[j].clone()));
        c.rewrite_propagated(del);
    }
    let result = match (target_error, link_error) {
        (Some(text), _) => Err(CommandError::TargetReplied(
            String::from_utf8_lossy(&text).into_owned(),
        )),
        (None, Some(_)) => Err(CommandError::MigrateLink { writing: false }),
        (None, None) => {
            sock.last_dbid = dbid;
            c.reply.ok();
            Ok(())
        }
    };
    // A connection that failed is closed (dropped); a sound one goes back to the cache.
    if link_error.is_none() {
        let random = srv.random();
        srv.migrate_sockets.put(name.to_vec(), sock, random);
    }
    Attempt::Done(result)
}

/// Whether a reply line from the target is an error (Redis looks at the first byte).
fn is_error_line(line: &[u8]) -> bool {
    line.first() == Some(&b'-')
}

/// Deletes the key at argv index `j`, which the target acknowledged (Redis's dbDelete
/// then the `del` event); the caller propagates the DEL. A key named twice is counted
/// twice, as Redis does.
fn delete_moved_key(srv: &mut Server, c: &mut Client, j: usize) {
    if let Some(obj) = srv.dbs[c.db].remove(&c.argv[j]) {
        if srv.config.lazyfree_lazy_server_del {
            super::keys::free_lazily(obj);
        }
    }
    srv.notify_key(c, notify::GENERIC, "del", j);
    srv.dirty += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::client::REDACTED;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_and_redaction() {
        let mut argv = args(&[
            "MIGRATE", "h", "1", "", "0", "5", "copy", "AUTH2", "u", "p", "REPLACE", "KEYS", "a",
            "copy",
        ]);
        let o = MigrateOptions::parse(&mut argv).unwrap();
        assert!(o.copy && o.replace);
        assert_eq!(o.username.as_deref(), Some(&b"u"[..]));
        assert_eq!(o.password.as_deref(), Some(&b"p"[..]));
        assert_eq!((o.first_key, o.num_keys), (12, 2));
        assert_eq!(argv[8], REDACTED);
        assert_eq!(argv[9], REDACTED);

        // Redacted even when a later option is wrong.
        let mut argv = args(&["MIGRATE", "h", "1", "k", "0", "5", "AUTH", "pw", "bogus"]);
        assert_eq!(MigrateOptions::parse(&mut argv), Err(CommandError::Syntax));
        assert_eq!(argv[7], REDACTED);

        let mut argv = args(&["MIGRATE", "h", "1", "k", "0", "5", "AUTH"]);
        assert_eq!(MigrateOptions::parse(&mut argv), Err(CommandError::Syntax));
        let mut argv = args(&["MIGRATE", "h", "1", "k", "0", "5", "AUTH2", "u"]);
        assert_eq!(MigrateOptions::parse(&mut argv), Err(CommandError::Syntax));
        let mut argv = args(&["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"]);
        assert!(MigrateOptions::parse(&mut argv)
            .unwrap_err()
            .to_string()
            .starts_with("ERR When using MIGRATE KEYS option"));
        // KEYS last: no keys at all.
        let mut argv = args(&["MIGRATE", "h", "1", "", "0", "5", "KEYS"]);
        assert_eq!(MigrateOptions::parse(&mut argv).unwrap().num_keys, 0);
    }

    #[test]
    fn ports_are_read_as_redis_reads_them() {
        assert_eq!(port_number(b"6379"), Some(6379));
        assert_eq!(port_number(b" 12x"), Some(12));
        assert_eq!(port_number(b"x"), Some(0));
        assert_eq!(port_number(b"-1"), None);
        // Five characters at most, then modulo 65536.
        assert_eq!(port_number(b"123456"), Some(12345));
        assert_eq!(port_number(b"70000"), Some(4464));
    }

    /// A target that, for its n-th connection, waits for `script[n].0` bytes, answers
    /// `script[n].1`, then closes the connection or (`script[n].2`) waits for the
    /// client to close it; returns the port and what each connection sent.
    fn fake_target(
        script: Vec<(usize, &'static [u8], bool)>,
    ) -> (u16, std::thread::JoinHandle<Vec<Vec<u8>>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (want, reply, keep) in script {
                let (mut s, _) = listener.accept().unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 65536];
                while got.len() < want {
                    let n = s.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                s.write_all(reply).unwrap();
                // Keep it open (and record what else comes) until the client closes it.
                if keep {
                    while let Ok(n @ 1..) = s.read(&mut buf) {
                        got.extend_from_slice(&buf[..n]);
                    }
                }
                seen.push(got);
            }
            seen
        });
        (port, handle)
    }

    #[test]
    fn line_reader_keeps_what_follows_and_cuts_long_lines() {
        let (port, handle) = fake_target(vec![(0, b"+OK\r\n-ERR x\r\n\n", false)]);
        let timeout = Duration::from_secs(5);
        let mut s =
            CachedSocket::connect(b"127.0.0.1", port.to_string().as_bytes(), timeout).unwrap();
        assert_eq!(s.read_line(timeout), Ok(b"+OK".to_vec()));
        assert_eq!(s.read_line(timeout), Ok(b"-ERR x".to_vec()));
        assert_eq!(s.read_line(timeout), Err(LinkError::Failed));
        assert_eq!(s.read_line(timeout), Err(LinkError::Failed));
        handle.join().unwrap();

        let long: &'static [u8] = Box::leak(
            [vec![b'x'; MAX_LINE + 5], b"\r\n".to_vec()]
                .concat()
                .into_boxed_slice(),
        );
        let (port, handle) = fake_target(vec![(0, long, false)]);
        let mut s =
            CachedSocket::connect(b"127.0.0.1", port.to_string().as_bytes(), timeout).unwrap();
        assert_eq!(s.read_line(timeout).unwrap().len(), MAX_LINE);
        assert_eq!(s.read_line(timeout), Ok(b"xxxxx".to_vec()));
        handle.join().unwrap();
    }

    #[test]
    fn a_connection_closed_before_replying_is_retried_once() {
        use crate::commands::keys::testing::Harness;
        let mut h = Harness::new();
        h.run(&["set", "k", "v"]);
        // The first connection is closed without a reply, the second accepts.
        let (port, handle) = fake_target(vec![(1, b"", false), (1, b"+OK\r\n+OK\r\n", true)]);
        let port = port.to_string();
        let reply = h.run(&["migrate", "127.0.0.1", &port, "k", "3", "5000"]);
        assert_eq!(reply, b"+OK\r\n");
        assert_eq!(
            h.propagated(),
            Some(vec!["DEL".to_string(), "k".to_string()])
        );
        assert_eq!(h.run(&["exists", "k"]), b":0\r\n");
        assert_eq!(h.srv.migrate_sockets.len(), 1);
        // The cache is dropped so that the fake target's last read ends.
        h.srv.migrate_sockets.close_idle(i64::MAX);
        let seen = handle.join().unwrap();
        assert!(seen[1].starts_with(
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*4\r\n$7\r\nRESTORE\r\n$1\r\nk\r\n$1\r\n0\r\n"
        ));
    }

    #[test]
    fn a_refused_select_refuses_every_key() {
        use crate::commands::keys::testing::Harness;
        let mut h = Harness::new();
        h.run(&["set", "a", "1"]);
        h.run(&["set", "b", "2"]);
        let (port, handle) = fake_target(vec![(
            1,
            b"-ERR DB index is out of range\r\n+OK\r\n+OK\r\n",
            true,
        )]);
        let port = port.to_string();
        let reply = h.run(&[
            "migrate",
            "127.0.0.1",
            &port,
            "",
            "99",
            "5000",
            "KEYS",
            "a",
            "b",
        ]);
        assert_eq!(
            reply,
            b"-ERR Target instance replied with error: ERR DB index is out of range\r\n"
        );
        assert_eq!(h.propagated(), None);
        assert_eq!(h.run(&["exists", "a", "b"]), b":2\r\n");
        // Still cached, but it will SELECT again.
        assert_eq!(h.srv.migrate_sockets.len(), 1);
        assert!(h
            .srv
            .migrate_sockets
            .sockets
            .values()
            .all(|s| s.last_dbid == UNKNOWN_DB));
        h.srv.migrate_sockets.close_idle(i64::MAX);
        handle.join().unwrap();
    }

    #[test]
    fn idle_sockets_close_after_ten_seconds() {
        let (port, handle) = fake_target(vec![(0, b"", true)]);
        let timeout = Duration::from_secs(5);
        let mut cache = MigrateSockets::default();
        let mut s =
            CachedSocket::connect(b"127.0.0.1", port.to_string().as_bytes(), timeout).unwrap();
        s.last_use_s = 100;
        cache.put(b"x".to_vec(), s, 0);
        cache.close_idle(110);
        assert_eq!(cache.len(), 1);
        cache.close_idle(111);
        assert!(cache.is_empty());
        handle.join().unwrap();
    }
}
