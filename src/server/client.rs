//! A connected client: its socket, query buffer, parser state, reply buffer and the
//! per-connection settings commands change (db, name, protocol, reply mode...).

use std::io::{self, Read, Write};

use mio::net::{TcpStream, UnixStream};

use super::multi::MultiState;
use crate::commands::CommandId;
use crate::config::ObufLimit;
use crate::protocol::{ReplyBuf, RequestParser};

/// The socket of a client.
#[derive(Debug)]
pub enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Conn {
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Unix(s) => s.read(buf),
        }
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Unix(s) => s.write(buf),
        }
    }

    /// Writes several buffers with one system call (writev).
    pub fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write_vectored(bufs),
            Conn::Unix(s) => s.write_vectored(bufs),
        }
    }

    pub fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Conn::Tcp(s) => s,
            Conn::Unix(s) => s,
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Conn::Unix(_))
    }

    pub fn raw_fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        match self {
            Conn::Tcp(s) => s.as_raw_fd(),
            Conn::Unix(s) => s.as_raw_fd(),
        }
    }
}

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping the reply of the current command (SKIP was given by the previous one).
    Skipping,
}

/// One connection.
#[derive(Debug)]
pub struct Client {
    pub id: u64,
    /// Slab key, also the mio token.
    pub token: usize,
    pub conn: Conn,
    /// "ip:port" of the peer (or the unix socket path for unix clients).
    pub addr: String,
    /// "ip:port" of our side.
    pub laddr: String,
    pub query: Vec<u8>,
    /// How much of `query` has been parsed.
    pub qpos: usize,
    /// Peak size of the query buffer since the last cron check.
    pub query_peak: usize,
    pub parser: RequestParser,
    /// The request being executed.
    pub argv: Vec<Vec<u8>>,
    /// The last command name this client sent, as sent, and its table row.
    pub cmd_cache: Option<(Vec<u8>, CommandId)>,
    /// A parsed request held back by CLIENT PAUSE.
    pub paused_argv: Option<Vec<Vec<u8>>>,
    /// When a command wants a different form propagated (EXPIRE -> PEXPIREAT...).
    pub propagate_argv: Option<Vec<Vec<u8>>>,
    /// When a command's effect propagates as several commands (XREADGROUP as XCLAIMs
    /// and XGROUP SETID), in order; they go out as one MULTI/EXEC. Empty: none.
    pub propagate_list: Vec<Vec<Vec<u8>>>,
    /// Propagate the running command even if it changed nothing (FLUSHDB on an empty
    /// database must still reach replicas and the AOF, which may hold keys we do not).
    pub force_propagate: bool,
    /// The argv position of a key the running command declares written but left
    /// unchanged (SMOVE's destination that already held the member): WATCH does not see
    /// it touched, as Redis signals only the keys that changed. Reset after each command.
    pub untouched_key: Option<usize>,
    pub reply: ReplyBuf,
    /// Bytes of `reply.buf` already written to the socket.
    pub sent: usize,
    pub db: usize,
    pub name: Option<Vec<u8>>,
    pub authenticated: bool,
    /// The ACL user it runs as; `None` for internal clients (our master's link, the
    /// AOF loader, the script engine's own), which are allowed everything.
    pub user: Option<crate::acl::UserId>,
    pub reply_mode: ReplyMode,
    pub no_evict: bool,
    /// The memory counted for it in the evictable total while client eviction
    /// measures it (server/client_evict.rs).
    pub tracked_mem: Option<usize>,
    /// Since when its replies have been over the normal class's soft
    /// `client-output-buffer-limit` (pub/sub clients keep theirs in `subscriptions`).
    pub obuf_soft_since_ms: Option<i64>,
    pub monitor: bool,
    /// Close once the pending reply is written (QUIT, protocol error).
    pub close_after_reply: bool,
    /// Close at the next opportunity without writing more (KILL, limits).
    pub close_asap: bool,
    /// Registered for WRITABLE readiness because the socket would block.
    pub write_registered: bool,
    /// Listed in `Server::reply_room`: its reply buffer kept more room than it started
    /// with after its last reply went out.
    pub reply_room_listed: bool,
    /// Queued in the server's list of clients with output to flush.
    pub pending_write: bool,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    pub last_cmd: Option<CommandId>,
    /// Library name/version set by CLIENT SETINFO (Redis 7.2) or HELLO: kept for LIST.
    pub lib_name: Option<Vec<u8>>,
    /// Replication info of a client that speaks the replication protocol (REPLCONF,
    /// SYNC, PSYNC): a replica once attached.
    pub replica: Option<Box<crate::replication::master::ReplicaInfo>>,
    /// This client is our master's link: it may write on a read-only replica and gets
    /// no replies.
    pub is_master: bool,
    /// Master client: bytes of `query` already applied (and relayed); the rest of what
    /// the parser consumed belongs to a request not finished yet.
    pub repl_applied: usize,
    /// Blocked in WAIT: no further request is processed until it is answered.
    pub wait_blocked: bool,
    /// An event said the peer has closed its side. Reads then go on to the end of the
    /// stream: edge-triggered readiness fires once for data and a FIN that arrive
    /// together, so a read that stops at a short read would leave the end unseen and
    /// the client open for good.
    pub peer_closed: bool,
    /// The replication offset after this client's last executed command (Redis's
    /// `woff`): what its WAIT waits for.
    pub woff: i64,
    /// The open MULTI block: `Some` between MULTI and EXEC/DISCARD (server/multi.rs).
    pub multi: Option<MultiState>,
    /// True while EXEC runs this client's queued commands (Redis's CLIENT_DENY_BLOCKING
    /// during a transaction). Blocking commands (BLPOP, BRPOP, BLMOVE, XREAD BLOCK,
    /// WAIT...) must check [`Client::deny_blocking`] and, when it is true, never block:
    /// they answer at once as if their timeout had expired (null array for BLPOP).
    /// MONITOR is refused then.
    pub in_exec: bool,
    /// SCRIPT DEBUG YES or SYNC: its next EVAL runs in a debugging session.
    pub lua_debug: Option<crate::scripting::ldb::DebugMode>,
    /// Set while the client waits in a blocking command (server/blocking.rs).
    pub blocked: Option<Box<super::blocking::Blocked>>,
    /// The channels, patterns and shard channels it listens to; `Some` only while
    /// there is one (Redis's CLIENT_PUBSUB flag).
    pub subscriptions: Option<Box<super::pubsub::Subscriptions>>,
    /// Byte ranges of `reply.buf` holding pub/sub frames written while replies are
    /// silenced (CLIENT REPLY OFF/SKIP): those still go out, as in Redis 7.0.
    pub silenced_pushes: Vec<(usize, usize)>,
    /// Propagate the running command to replicas only, never to the AOF, even if it
    /// changed nothing (PUBLISH, so that a replica's subscribers get the message).
    pub force_propagate_repl: bool,
    /// CLIENT TRACKING settings, while tracking is on (server/tracking.rs).
    pub tracking: Option<Box<super::tracking::ClientTracking>>,
}

/// What MONITOR and SLOWLOG show in place of a secret argument.
pub const REDACTED: &[u8] = b"(redacted)";

/// Replaces a secret argument (a password, ACL rules) by [`REDACTED`], so MONITOR and
/// SLOWLOG, which show the request after it ran, never see it (Redis's
/// redactClientCommandArgument). Returns what it held.
pub fn redact(arg: &mut Vec<u8>) -> Vec<u8> {
    std::mem::replace(arg, REDACTED.to_vec())
}

impl Client {
    pub fn new(
        id: u64,
        token: usize,
        conn: Conn,
        addr: String,
        laddr: String,
        now_ms: i64,
    ) -> Client {
        Client {
            id,
            token,
            conn,
            addr,
            laddr,
            query: Vec::new(),
            qpos: 0,
            query_peak: 0,
            parser: RequestParser::new(),
            argv: Vec::new(),
            cmd_cache: None,
            paused_argv: None,
            propagate_argv: None,
            propagate_list: Vec::new(),
            force_propagate: false,
            untouched_key: None,
            reply: ReplyBuf::new(),
            sent: 0,
            db: 0,
            name: None,
            authenticated: false,
            user: Some(crate::acl::DEFAULT_USER),
            reply_mode: ReplyMode::On,
            no_evict: false,
            tracked_mem: None,
            obuf_soft_since_ms: None,
            monitor: false,
            close_after_reply: false,
            close_asap: false,
            write_registered: false,
            reply_room_listed: false,
            pending_write: false,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: None,
            lib_name: None,
            replica: None,
            is_master: false,
            repl_applied: 0,
            wait_blocked: false,
            peer_closed: false,
            woff: 0,
            multi: None,
            in_exec: false,
            lua_debug: None,
            blocked: None,
            subscriptions: None,
            silenced_pushes: Vec::new(),
            force_propagate_repl: false,
            tracking: None,
        }
    }

    /// Whether it listens to a channel, pattern or shard channel (Redis's
    /// CLIENT_PUBSUB flag).
    pub fn in_pubsub(&self) -> bool {
        self.subscriptions.is_some()
    }

    /// Whether the client waits for the server before its next request runs: on keys
    /// (BLPOP...), in WAIT, or held back by CLIENT PAUSE. Redis counts all three as
    /// blocked (INFO `blocked_clients`, the `b` flag of CLIENT LIST).
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some() || self.wait_blocked || self.paused_argv.is_some()
    }

    /// Puts the client, once, on the loop's list of clients to write to before it
    /// sleeps (`Server::pending_writes`).
    pub fn queue_write(&mut self, pending_writes: &mut Vec<usize>) {
        if !self.pending_write {
            self.pending_write = true;
            pending_writes.push(self.token);
        }
    }

    /// Bytes of reply not yet written.
    pub fn pending_output(&self) -> usize {
        self.reply.buf.len() - self.sent
    }

    /// Argument `i` as bytes (the caller has checked arity).
    pub fn arg(&self, i: usize) -> &[u8] {
        &self.argv[i]
    }

    /// Number of arguments, including the command name.
    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    /// Whether a blocking command run now must not block (it runs inside EXEC): it then
    /// replies as on timeout.
    pub fn deny_blocking(&self) -> bool {
        self.in_exec
    }

    /// Whether this client's writes must be carried out whatever the server's state
    /// (Redis's mustObeyClient): our master's stream, or the AOF being replayed.
    pub fn must_obey(&self) -> bool {
        self.is_master || self.id == crate::persistence::aof::loader::AOF_CLIENT_ID
    }

    /// Asks for `argv` to be propagated to AOF and replicas instead of the request.
    pub fn rewrite_propagated(&mut self, argv: Vec<Vec<u8>>) {
        self.propagate_argv = Some(argv);
    }

    /// Asks for `argv` to be propagated as one of the commands that stand for the
    /// request (Redis's alsoPropagate): once any is given, the request itself is not
    /// propagated, only these, in order, wrapped in MULTI/EXEC when more than one. The
    /// command must still count a change (`dirty`) or force propagation.
    pub fn propagate_also(&mut self, argv: Vec<Vec<u8>>) {
        self.propagate_list.push(argv);
    }
}

/// Redis's reply-list block size (PROTO_REPLY_CHUNK_BYTES): CLIENT LIST's `oll` counts
/// the pending output in blocks of this size.
pub const REPLY_CHUNK_BYTES: usize = 16 * 1024;

/// Whether a client's pending output has broken `limit`: past the hard limit, or past
/// the soft one for longer than its seconds (`soft_since` remembers since when).
pub fn output_limit_reached(
    pending: u64,
    limit: &ObufLimit,
    soft_since: &mut Option<i64>,
    now_ms: i64,
) -> bool {
    if limit.hard_bytes > 0 && pending >= limit.hard_bytes {
        return true;
    }
    if limit.soft_bytes > 0 && pending >= limit.soft_bytes {
        let since = *soft_since.get_or_insert(now_ms);
        return now_ms - since >= limit.soft_seconds as i64 * 1000;
    }
    *soft_since = None;
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_limit_hard_at_once_soft_after_its_seconds() {
        let limit = ObufLimit {
            hard_bytes: 1000,
            soft_bytes: 100,
            soft_seconds: 2,
        };
        let mut since = None;
        assert!(!output_limit_reached(50, &limit, &mut since, 0));
        assert!(output_limit_reached(1000, &limit, &mut since, 0));
        // Over the soft limit: tolerated for its seconds, counted from the first time.
        assert!(!output_limit_reached(200, &limit, &mut since, 10_000));
        assert!(!output_limit_reached(200, &limit, &mut since, 11_999));
        assert!(output_limit_reached(200, &limit, &mut since, 12_000));
        // Back under it: the clock starts again next time.
        assert!(!output_limit_reached(10, &limit, &mut since, 12_500));
        assert!(!output_limit_reached(200, &limit, &mut since, 13_000));
        assert_eq!(since, Some(13_000));
    }
}
