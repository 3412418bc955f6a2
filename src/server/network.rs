//! Sockets: listening (TCP on every `bind` address, and `unixsocket`), accepting under
//! `maxclients` and protected mode, reading into query buffers, writing replies, and
//! closing. Edge-triggered: every read or write goes on until `WouldBlock`.

use std::io;
use std::net::SocketAddr;

use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Token};

use super::client::{output_limit_reached, Client, Conn};
use super::{Server, StartError, LISTENER_BASE};
use crate::commands::CommandError;
use crate::db::Dict;
use crate::protocol::peek_request;
use crate::util::time;

/// Buckets from which a keyspace is deemed bigger than the CPU cache, so that
/// prefetching the next requests' keys pays (64k buckets: 512 KB of bucket heads, and
/// several MB of entries).
const PREFETCH_MIN_BUCKETS: usize = 1 << 16;
/// Requests ahead of the running one that `prefetch_pipelined_keys` works on.
const PREFETCH_STAGES: usize = 4;

/// Reads per readiness event before a client yields to the others.
const READS_PER_EVENT: usize = 16;

pub(crate) enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, String),
}

const PROTECTED_MODE_DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

fn interrupted(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Interrupted
}

/// Opens a TCP listener with the configured backlog, SO_REUSEADDR and (for IPv6)
/// IPV6_V6ONLY so `0.0.0.0` and `::` can both be bound.
fn listen_tcp(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog.max(1))?;
    socket.set_nonblocking(true)?;
    Ok(TcpListener::from_std(socket.into()))
}

/// Resolves a `bind` entry ("127.0.0.1", "::1", "*", "-::*", "localhost") to addresses.
fn bind_addresses(entry: &str, port: u16) -> Vec<SocketAddr> {
    let host = entry.trim_start_matches('-');
    let host = match host {
        "*" => "0.0.0.0",
        "::*" => "::",
        h => h,
    };
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return vec![SocketAddr::new(ip, port)];
    }
    use std::net::ToSocketAddrs;
    (host, port)
        .to_socket_addrs()
        .map(|it| it.collect())
        .unwrap_or_default()
}

impl Server {
    /// Opens every configured listener. An address prefixed with `-` is optional: failing
    /// to bind it (e.g. no IPv6) is only logged.
    pub(crate) fn open_listeners(&mut self) -> Result<(), StartError> {
        let port = self.config.port;
        let backlog = self.config.tcp_backlog;
        if port != 0 {
            let binds = self.config.bind.clone();
            for entry in &binds {
                let optional = entry.starts_with('-');
                let addrs = bind_addresses(entry, port);
                if addrs.is_empty() && !optional {
                    return Err(StartError::Listen {
                        addr: format!("{}:{}", entry, port),
                        err: io::Error::new(io::ErrorKind::InvalidInput, "cannot resolve"),
                    });
                }
                for addr in addrs {
                    match listen_tcp(addr, backlog) {
                        Ok(l) => {
                            self.ready_addr.push(addr);
                            self.add_listener(Listener::Tcp(l))?;
                        }
                        Err(e) if optional => {
                            log::warn!("Could not bind optional address {}: {}", addr, e)
                        }
                        Err(err) => {
                            return Err(StartError::Listen {
                                addr: addr.to_string(),
                                err,
                            })
                        }
                    }
                }
            }
        }
        if let Some(path) = self.config.unixsocket.clone() {
            let _ = std::fs::remove_file(&path);
            let l = UnixListener::bind(&path).map_err(|err| StartError::UnixSocket {
                path: path.clone(),
                err,
            })?;
            if self.config.unixsocketperm != 0 {
                use std::os::unix::fs::PermissionsExt;
                let perm = std::fs::Permissions::from_mode(self.config.unixsocketperm);
                std::fs::set_permissions(&path, perm).map_err(|err| StartError::UnixSocket {
                    path: path.clone(),
                    err,
                })?;
            }
            self.add_listener(Listener::Unix(l, path))?;
        }
        Ok(())
    }

    fn add_listener(&mut self, mut l: Listener) -> Result<(), StartError> {
        let token = Token(LISTENER_BASE - self.listeners.len());
        let res = match &mut l {
            Listener::Tcp(t) => self.poll.registry().register(t, token, Interest::READABLE),
            Listener::Unix(u, _) => self.poll.registry().register(u, token, Interest::READABLE),
        };
        res.map_err(StartError::Poll)?;
        self.listeners.push(l);
        Ok(())
    }

    pub(crate) fn close_listeners(&mut self) {
        for l in self.listeners.drain(..) {
            if let Listener::Unix(_, path) = l {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Accepts every pending connection on listener `idx`.
    pub(crate) fn accept(&mut self, idx: usize) {
        loop {
            let accepted = match self.listeners.get(idx) {
                Some(Listener::Tcp(l)) => l.accept().map(|(s, peer)| {
                    let laddr = s.local_addr().map(|a| a.to_string()).unwrap_or_default();
                    let _ = s.set_nodelay(true);
                    if self.config.tcp_keepalive > 0 {
                        let sock = socket2::SockRef::from(&s);
                        let ka = socket2::TcpKeepalive::new()
                            .with_time(std::time::Duration::from_secs(self.config.tcp_keepalive));
                        let _ = sock.set_tcp_keepalive(&ka);
                    }
                    // Redis counts only these two exact addresses as local for
                    // protected mode (127.0.0.2 is not).
                    let local = peer.ip() == std::net::Ipv4Addr::LOCALHOST
                        || peer.ip() == std::net::Ipv6Addr::LOCALHOST;
                    (Conn::Tcp(s), peer.to_string(), laddr, local)
                }),
                Some(Listener::Unix(l, path)) => {
                    let path = path.clone();
                    l.accept()
                        .map(|(s, _)| (Conn::Unix(s), format!("{}:0", path), path, true))
                }
                None => return,
            };
            match accepted {
                Ok((conn, addr, laddr, local)) => self.register_client(conn, addr, laddr, local),
                Err(e) if would_block(&e) => return,
                Err(e) if interrupted(&e) => continue,
                Err(e) => {
                    log::warn!("Accepting client connection: {}", e);
                    return;
                }
            }
        }
    }

    /// Admits a new connection, or refuses it with Redis's message.
    fn register_client(&mut self, mut conn: Conn, addr: String, laddr: String, local: bool) {
        self.stats.total_connections_received += 1;
        if self.clients.len() as u64 >= self.config.maxclients {
            let msg = format!("-{}\r\n", CommandError::MaxClients);
            let _ = conn.write(msg.as_bytes());
            self.stats.rejected_connections += 1;
            return;
        }
        if self.config.protected_mode && self.acl.default_user().nopass && !local {
            let _ = conn.write(PROTECTED_MODE_DENIED.as_bytes());
            self.stats.rejected_connections += 1;
            return;
        }
        let auth_required = self.auth_required();
        let entry = self.clients.vacant_entry();
        let token = entry.key();
        if token >= LISTENER_BASE - 64 {
            return;
        }
        let now = time::now_ms();
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut client = Box::new(Client::new(id, token, conn, addr, laddr, now));
        client.authenticated = !auth_required;
        if let Err(e) =
            self.poll
                .registry()
                .register(client.conn.source(), Token(token), Interest::READABLE)
        {
            log::warn!("Registering client: {}", e);
            return;
        }
        entry.insert(Some(client));
        log::debug!(
            "Accepted {}",
            self.clients[token].as_ref().map_or("", |c| &c.addr)
        );
    }

    /// Takes a client out of its slot so it can be used alongside `&mut self`.
    pub fn take_client(&mut self, token: usize) -> Option<Box<Client>> {
        self.clients.get_mut(token).and_then(|slot| slot.take())
    }

    /// Puts a client taken with `take_client` back, or frees it if it must close now.
    pub fn put_client(&mut self, mut c: Box<Client>) {
        let token = c.token;
        if self.tracking.has_held() {
            self.tracking_release_held(&mut c);
        }
        if c.close_asap || (c.close_after_reply && c.pending_output() == 0) {
            self.free_client(&mut c);
            self.clients.remove(token);
            return;
        }
        if c.pending_output() > 0 {
            c.queue_write(&mut self.pending_writes);
        }
        if let Some(slot) = self.clients.get_mut(token) {
            *slot = Some(c);
        }
    }

    /// Releases a client's resources (deregisters its socket).
    fn free_client(&mut self, c: &mut Client) {
        let _ = self.poll.registry().deregister(c.conn.source());
        self.untrack_client_memory(c);
        if c.is_master || c.replica.is_some() || c.wait_blocked {
            self.repl_client_freed(c);
        }
        self.tx.watches.forget(c.id);
        self.tracking_disable(c);
        self.unblock_client(c);
        if c.monitor {
            self.monitors.retain(|&t| t != c.token);
        }
        self.pubsub_forget_client(c);
        log::debug!("Client closed connection id={} addr={}", c.id, c.addr);
    }

    /// Reads everything available from a client and executes the complete requests.
    /// `peer_closed`: the event said the peer has closed its side (see
    /// [`Client::peer_closed`]).
    pub(crate) fn handle_readable(&mut self, token: usize, peer_closed: bool) {
        let Some(mut c) = self.take_client(token) else {
            return;
        };
        c.peer_closed |= peer_closed;
        let mut reads = 0;
        if c.paused_argv.is_some() || c.qpos < c.query.len() {
            self.clock_hint_us = None;
            self.process_input(&mut c);
        }
        // Input is read however much output waits, as in Redis: a client may write a
        // whole pipeline before it reads a reply, and would wait forever on a server
        // that stopped reading it. client-output-buffer-limit and maxmemory-clients
        // bound what such a client may cost.
        // A client held by CLIENT PAUSE or WAIT is not read (its next requests wait in
        // the socket), unless its peer has gone: then the rest is read to find the end
        // of the stream and free the client now, as Redis does. Our master's stream is
        // read on while held (`slave_read_repl_offset` shows it), as in Redis.
        while !c.close_asap
            && !c.close_after_reply
            && (c.peer_closed || c.is_master || (c.paused_argv.is_none() && !c.wait_blocked))
        {
            match c.conn.read(&mut self.read_buf) {
                Ok(0) => {
                    // The replies to what came before the end are still sent, as Redis
                    // sends them (it writes them before its next read finds the end):
                    // `printf 'PING\r\n' | nc host 6379` gets its PONG.
                    c.close_after_reply = true;
                }
                Ok(n) => {
                    self.stats.total_net_input_bytes += n as u64;
                    reserve_for_big_argument(&mut c);
                    c.query.extend_from_slice(&self.read_buf[..n]);
                    c.query_peak = c.query_peak.max(c.query.len());
                    // One clock read for the interaction time and the first command.
                    let now_us = time::now_us();
                    c.last_interaction_ms = now_us / 1000;
                    self.clock_hint_us = Some(now_us);
                    self.process_input(&mut c);
                    if n < self.read_buf.len() && !c.peer_closed {
                        // A short read drained the socket: any later data or FIN raises
                        // a new edge, so skip the read that would only say WouldBlock.
                        break;
                    }
                    reads += 1;
                    if reads >= READS_PER_EVENT {
                        self.pending_reads.push(token);
                        break;
                    }
                }
                Err(e) if would_block(&e) => break,
                Err(e) if interrupted(&e) => continue,
                Err(_) => c.close_asap = true,
            }
        }
        self.put_client(c);
    }

    /// While a request runs, starts loading into the CPU cache what the next requests
    /// already waiting in the query buffer (a pipeline, a master's stream) will touch.
    /// In a keyspace too big for the cache, a command on a key is mostly a chain of
    /// dependent misses: the page of its bucket, the bucket, the entry, and the value's
    /// heap block (which a read copies and an overwrite frees). Each request takes one
    /// more step of that chain for each of the four requests after it (the value of the
    /// next, the entry of the second, ...), each step reading only what the step before
    /// brought in, so the misses overlap with the work of the commands in between.
    /// Skipped for tables that fit in the cache, where it would only cost instructions.
    ///
    /// `glanced` carries the requests already glanced at from one request to the next,
    /// so each is read once rather than once per stage.
    #[inline]
    fn prefetch_pipelined_keys(&self, c: &Client, glanced: &mut Glanced) {
        let Some(db) = self.dbs.get(c.db) else {
            return;
        };
        // Every command on a key looks it up in the expiry index too, when that holds
        // anything: more misses, prefetched the same way.
        let keys = db.dict.bucket_count() >= PREFETCH_MIN_BUCKETS;
        let expires = db.expires.bucket_count() >= PREFETCH_MIN_BUCKETS;
        if !keys && !expires {
            return;
        }
        glanced.advance_to(c.qpos, &c.query);
        let mut ahead: [Option<&[u8]>; PREFETCH_STAGES] = [None; PREFETCH_STAGES];
        for (slot, key) in ahead.iter_mut().zip(&glanced.keys[..glanced.len]) {
            *slot = c.query.get(key.clone());
        }
        let [value, entry, bucket, page] = ahead;
        if keys {
            if let Some(key) = value {
                db.dict.prefetch_value(key);
            }
            prefetch_lookup(&db.dict, entry, bucket, page);
        }
        if expires {
            // Expiry times sit in the entry: no value step.
            prefetch_lookup(&db.expires, entry, bucket, page);
        }
    }

    /// Parses and executes every complete request in the client's query buffer.
    /// The caller sets `clock_hint_us` to the time of the read (or None).
    pub(crate) fn process_input(&mut self, c: &mut Client) {
        let limits = crate::protocol::ParseLimits {
            max_bulk_len: self.config.proto_max_bulk_len as i64,
            authenticated: c.authenticated,
        };
        if let Some(argv) = c.paused_argv.take() {
            if self.is_paused_for(&argv) || self.exec_held_by_pause(c, &argv) {
                c.paused_argv = Some(argv);
                return;
            }
            c.argv = argv;
            if c.is_master {
                self.repl_execute_master(c);
            } else {
                self.execute(c);
            }
            c.argv.clear();
            self.serve_blocked_clients();
        }
        let mut glanced = Glanced::default();
        loop {
            if c.close_after_reply || c.close_asap || c.wait_blocked || c.blocked.is_some() {
                break;
            }
            // While a script runs too long, our master's stream waits in the buffer (it
            // must not be refused -BUSY: that would lose its writes); it is applied once
            // the script ends (Redis does the same).
            if c.is_master && self.scripting.timed_out() {
                break;
            }
            let limits = crate::protocol::ParseLimits {
                authenticated: c.authenticated,
                ..limits
            };
            match c.parser.parse(&c.query, &mut c.qpos, limits) {
                Ok(true) => {
                    // Our master's stream is held too, as Redis 7.0 holds it (only
                    // replicas are never paused): a paused replica reads it but applies
                    // nothing, so its offset stands still until the pause ends.
                    if self.pause.is_some()
                        && (self.is_paused_for(&c.parser.argv)
                            || self.exec_held_by_pause(c, &c.parser.argv))
                        && !self.refused_before_pause(c)
                    {
                        c.paused_argv = Some(std::mem::take(&mut c.parser.argv));
                        // As Redis, CLIENT LIST shows the held command as the client's.
                        if let Some(argv) = c.paused_argv.as_deref() {
                            c.last_cmd = self.resolve_argv(argv).or(c.last_cmd);
                        }
                        self.paused_clients.push(c.token);
                        break;
                    }
                    // Client eviction: the largest clients go before a command runs,
                    // this one included (its command then does not run).
                    if self.evictable_client_mem > 0 && self.evict_clients(Some(c)) {
                        break;
                    }
                    self.prefetch_pipelined_keys(c, &mut glanced);
                    // Swapped, not moved: the parser gets its buffers back below.
                    std::mem::swap(&mut c.argv, &mut c.parser.argv);
                    if c.is_master {
                        self.repl_execute_master(c);
                    } else {
                        self.execute(c);
                        if self.replica_replied(c) {
                            break;
                        }
                        // Its reply (and arguments) may have grown it.
                        if !self.closed_for_output_limit(c) {
                            self.track_client_memory(c);
                        }
                    }
                    if self.blocking.count != 0 {
                        self.serve_blocked_clients();
                    }
                    // Give the argument buffers back to the parser to reuse them.
                    c.parser.recycle(&mut c.argv);
                }
                Ok(false) => break,
                Err(e) => {
                    log::debug!(
                        "Protocol error ({}) from client: id={} addr={}",
                        e,
                        c.id,
                        c.addr
                    );
                    let err = CommandError::Protocol(e.to_string());
                    self.reply_error(c, &err);
                    c.close_after_reply = true;
                    break;
                }
            }
        }
        // Drop what has been parsed; keep a partial request for the next read (the
        // master client keeps its unapplied bytes too: they are relayed once applied).
        if c.is_master {
            self.repl_relay_flush(&c.query);
        }
        let done = if c.is_master { c.repl_applied } else { c.qpos };
        if done > 0 {
            if done == c.query.len() {
                c.query.clear();
                if c.query.capacity() > 1024 * 1024 {
                    c.query.shrink_to(64 * 1024);
                }
            } else {
                c.query.drain(..done);
            }
            c.qpos -= done;
            c.repl_applied = 0;
        }
        // A request still arriving (a big argument) grows the query buffer.
        self.track_client_memory(c);
        if c.query.len() as u64 > self.config.client_query_buffer_limit {
            log::warn!(
                "Closing client that reached max query buffer length: id={} addr={} qbuf={}",
                c.id,
                c.addr,
                c.query.len()
            );
            self.stats.client_query_buffer_limit_disconnections += 1;
            c.close_asap = true;
        }
    }

    /// Writes as much of a client's pending reply as the socket takes.
    /// Returns Ok(true) when everything was written.
    fn write_client(&mut self, c: &mut Client) -> io::Result<bool> {
        if c.replica.is_some() && !self.write_replica_bulk(c)? {
            return Ok(false);
        }
        while c.sent < c.reply.buf.len() {
            match c.conn.write(&c.reply.buf[c.sent..]) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "write zero")),
                Ok(n) => {
                    c.sent += n;
                    self.stats.total_net_output_bytes += n as u64;
                }
                Err(e) if would_block(&e) => return Ok(false),
                Err(e) if interrupted(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        c.reply.buf.clear();
        c.sent = 0;
        if c.replica.is_some() && !self.write_replica_stream(c)? {
            return Ok(false);
        }
        if c.reply.buf.capacity() > 4 * 1024 * 1024 {
            c.reply.buf.shrink_to(16 * 1024);
        }
        // The room is kept for the next reply; under a memory limit it is listed, to be
        // given back before any key is evicted for it. Not for a buffer that merely
        // doubled once or twice: that would churn on ordinary replies.
        if self.config.maxmemory != 0
            && !c.reply_room_listed
            && c.reply.buf.capacity() > 4 * crate::protocol::reply::INITIAL_CAPACITY
        {
            c.reply_room_listed = true;
            self.reply_room.push((c.token, c.id));
        }
        Ok(true)
    }

    /// Writes a client's output and updates its WRITABLE registration.
    fn flush_client(&mut self, c: &mut Client) {
        if self.replica_output_held(c) {
            return;
        }
        let written = self.write_client(c);
        self.track_client_memory(c);
        match written {
            Ok(true) => {
                if c.write_registered {
                    c.write_registered = false;
                    let _ = self.poll.registry().reregister(
                        c.conn.source(),
                        Token(c.token),
                        Interest::READABLE,
                    );
                }
                if c.close_after_reply {
                    c.close_asap = true;
                }
            }
            Ok(false) => {
                if !c.write_registered {
                    c.write_registered = true;
                    let _ = self.poll.registry().reregister(
                        c.conn.source(),
                        Token(c.token),
                        Interest::READABLE | Interest::WRITABLE,
                    );
                }
            }
            Err(_) => c.close_asap = true,
        }
    }

    /// Writes the replies queued during this tick (Redis's handleClientsWithPendingWrites).
    pub(crate) fn flush_pending_writes(&mut self) {
        self.repl_flush_stream_when_due();
        let mut pending = std::mem::take(&mut self.pending_writes);
        for &token in &pending {
            let Some(mut c) = self.take_client(token) else {
                continue;
            };
            c.pending_write = false;
            if !c.write_registered {
                self.flush_client(&mut c);
            } else {
                // Output queued for a client whose socket is full (invalidations for a
                // redirect client, say) still counts toward client eviction.
                self.track_client_memory(&mut c);
            }
            self.put_client(c);
        }
        // Keep the list's capacity for the next tick (clients re-queued meanwhile stay).
        pending.clear();
        pending.append(&mut self.pending_writes);
        self.pending_writes = pending;
    }

    /// The socket became writable again.
    pub(crate) fn handle_writable(&mut self, token: usize) {
        // Replies of this tick may be in the buffer: their writes go to disk first.
        self.aof_before_reply();
        let Some(mut c) = self.take_client(token) else {
            return;
        };
        self.flush_client(&mut c);
        self.put_client(c);
    }

    /// After a command: whether the client's replies broke its class's
    /// `client-output-buffer-limit` (normal, or pubsub for a subscriber), in which case
    /// it is marked to close, as Redis closes it when the reply is added. A replica's
    /// output is the stream, checked where the stream is fed.
    fn closed_for_output_limit(&mut self, c: &mut Client) -> bool {
        if !over_output_limit(c, &self.config.client_output_buffer_limit, self.now_ms) {
            return false;
        }
        log_output_limit_close(c);
        c.close_asap = true;
        self.untrack_client_memory(c);
        true
    }

    /// Whether a command of an attached replica produced a reply, in which case the
    /// replica is closed, as Redis 7 closes it: its connection carries the stream
    /// alone, and a reply would land in the middle of it.
    fn replica_replied(&mut self, c: &mut Client) -> bool {
        if c.pending_output() == 0 || !c.replica.as_ref().is_some_and(|r| r.attached()) {
            return false;
        }
        let name = c.last_cmd.map_or("<unknown>".to_string(), |id| {
            self.commands.full_names[id].clone()
        });
        log::warn!(
            "Replica generated a reply to command '{name}', disconnecting it: {}",
            crate::commands::client::client_info_line(self, c)
        );
        c.reply.buf.clear();
        c.sent = 0;
        c.close_asap = true;
        true
    }

    /// Closes the clients whose output broke their class's `client-output-buffer-limit`,
    /// logging each as Redis does.
    pub(crate) fn close_over_output_limit(&mut self, tokens: Vec<usize>) {
        for token in tokens {
            if let Some(Some(c)) = self.clients.get(token) {
                log_output_limit_close(c);
            }
            self.close_client(token);
        }
    }

    /// Closes a client from a command (CLIENT KILL) or the cron; `token` may be the
    /// executing client's own, in which case the caller sets `close_asap` instead.
    pub fn close_client(&mut self, token: usize) {
        if let Some(Some(mut c)) = self.clients.try_remove(token) {
            self.free_client(&mut c);
        }
    }
}

/// Whether `c`'s output broke its class's `client-output-buffer-limit` (normal, or
/// pubsub for a subscriber; starts or clears the soft limit's clock). A replica's
/// output is the stream, checked where the stream is fed.
pub(crate) fn over_output_limit(
    c: &mut Client,
    limits: &crate::config::ClientOutputBufferLimits,
    now_ms: i64,
) -> bool {
    if c.replica.is_some() {
        return false;
    }
    let used = c.pending_output() as u64;
    let (limit, since) = match c.subscriptions.as_mut() {
        Some(subs) => (&limits.pubsub, &mut subs.soft_limit_since_ms),
        None => (&limits.normal, &mut c.obuf_soft_since_ms),
    };
    (limit.hard_bytes != 0 || limit.soft_bytes != 0)
        && output_limit_reached(used, limit, since, now_ms)
}

/// Logs, as Redis does, that `c` broke its class's output buffer limit.
fn log_output_limit_close(c: &Client) {
    log::warn!(
        "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
        c.id,
        c.addr
    );
}

/// Bulk arguments at least this long get a query buffer sized for them exactly
/// (Redis's PROTO_MBULK_BIG_ARG).
const BIG_ARGUMENT: usize = 32 * 1024;

/// While a big argument arrives, makes room in the query buffer for exactly the rest of
/// it and its CRLF, as Redis does, instead of letting the buffer double: a client
/// sending a 6 MB value then holds 6 MB, not up to 12 (what CLIENT LIST and client
/// eviction count).
fn reserve_for_big_argument(c: &mut Client) {
    let Some(len) = c.parser.pending_bulk_len().filter(|&l| l >= BIG_ARGUMENT) else {
        return;
    };
    let needed = c.qpos + len + 2;
    if c.query.capacity() < needed {
        c.query.reserve_exact(needed - c.query.len());
    }
}

/// The requests after the running one that [`Server::prefetch_pipelined_keys`] has
/// glanced at ([`peek_request`]) during one pass over a query buffer: where each of up
/// to [`PREFETCH_STAGES`] consecutive requests starts and where its key is, and where
/// the request after the last one starts. Positions hold for one pass, during which
/// the buffer is neither drained nor refilled; the keys are only hints anyway (a
/// wrong one would cost a useless prefetch, nothing more).
#[derive(Default)]
struct Glanced {
    /// Where each glanced request starts, in order.
    starts: [usize; PREFETCH_STAGES],
    /// Where the key of each glanced request is.
    keys: [std::ops::Range<usize>; PREFETCH_STAGES],
    /// How many requests have been glanced at.
    len: usize,
    /// Where the request after the last glanced one starts; None if unknown.
    next: Option<usize>,
}

impl Glanced {
    /// Moves the window to the requests starting at `pos` (the next to run), keeping
    /// those already glanced at, then glances at more until it holds
    /// [`PREFETCH_STAGES`] or meets one it cannot read.
    fn advance_to(&mut self, pos: usize, buf: &[u8]) {
        // The requests before `pos` have run: drop them. Normally `pos` is where the
        // second glanced request starts; if it is none of them, start afresh.
        match self.starts[..self.len].iter().position(|&s| s == pos) {
            Some(done) => {
                self.starts.rotate_left(done);
                self.keys.rotate_left(done);
                self.len -= done;
            }
            None => {
                self.len = 0;
                self.next = Some(pos);
            }
        }
        while self.len < PREFETCH_STAGES {
            let Some(at) = self.next else { break };
            let Some((key, next)) = peek_request(buf, at) else {
                break;
            };
            self.starts[self.len] = at;
            self.keys[self.len] = key;
            self.len += 1;
            self.next = next;
        }
    }
}

/// The lookup steps of [`Server::prefetch_pipelined_keys`] in one dict: the entry of one
/// key, the bucket of a later one, the page of the one after.
#[inline]
fn prefetch_lookup<V: crate::db::dict::DictValue>(
    dict: &Dict<V>,
    entry: Option<&[u8]>,
    bucket: Option<&[u8]>,
    page: Option<&[u8]>,
) {
    if let Some(key) = entry {
        dict.prefetch_entry(key);
    }
    if let Some(key) = bucket {
        dict.prefetch_bucket(key);
    }
    if let Some(key) = page {
        dict.prefetch_page(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys a fresh glance from `pos` finds, as [`Glanced`] should hold them.
    fn fresh(buf: &[u8], pos: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut at = Some(pos);
        while out.len() < PREFETCH_STAGES {
            let Some((key, next)) = at.and_then(|a| peek_request(buf, a)) else {
                break;
            };
            out.push(buf[key].to_vec());
            at = next;
        }
        out
    }

    fn held(g: &Glanced, buf: &[u8]) -> Vec<Vec<u8>> {
        g.keys[..g.len]
            .iter()
            .map(|k| buf[k.clone()].to_vec())
            .collect()
    }

    #[test]
    fn glanced_requests_slide_along_the_pipeline_and_start_afresh_on_a_jump() {
        let mut buf = Vec::new();
        let mut starts = Vec::new();
        for i in 0..7 {
            starts.push(buf.len());
            let key = format!("key:{i}");
            buf.extend_from_slice(
                format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$1\r\nv\r\n", key.len()).as_bytes(),
            );
        }
        // An incomplete request at the end is never glanced at.
        buf.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$3\r\nke");
        let mut g = Glanced::default();
        for &pos in &starts {
            g.advance_to(pos, &buf);
            assert_eq!(held(&g, &buf), fresh(&buf, pos), "at {pos}");
        }
        // Going back (or anywhere not in the window) starts afresh.
        g.advance_to(starts[1], &buf);
        assert_eq!(held(&g, &buf), fresh(&buf, starts[1]));
        assert_eq!(g.len, PREFETCH_STAGES);
        g.advance_to(starts[6], &buf);
        assert_eq!(held(&g, &buf), vec![b"key:6".to_vec()]);
    }
}
