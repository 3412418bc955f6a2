//! The path of one request: look up the command, check arity, authentication and
//! loading state, run it, then count it and propagate what it changed (Redis's
//! processCommand + call).

use super::client::{Client, ReplyMode};
use super::Server;
use crate::commands::table::arity_ok;
use crate::commands::{flags, server_cmds, CommandError, CommandId, CommandResult};
use crate::db::ExpireMode;
use crate::util::time;

/// Who an error reply nobody reads went to (see [`Server::unexpected_error_reply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorReplyTo {
    /// Our master, about a command of its stream.
    Master,
    /// A replica, about a command it sent.
    Replica,
    /// The AOF loader, about a command of the file.
    AofLoader,
}

impl ErrorReplyTo {
    /// Who sent the error and who it went to, as the log names them.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            ErrorReplyTo::Master => ("replica", "master"),
            ErrorReplyTo::Replica => ("master", "replica"),
            ErrorReplyTo::AofLoader => ("server", "AOF-loading-client"),
        }
    }
}

impl Server {
    /// Executes the request in `c.argv`, leaving its reply in `c.reply`.
    pub fn execute(&mut self, c: &mut Client) {
        let reply_start = c.reply.buf.len();
        // No eviction under a running script: it may hold keys it is working on.
        if self.scripting.running.is_none() {
            self.out_of_memory = self.config.maxmemory != 0
                && self.perform_evictions() == super::evict::EvictState::Fail;
        }
        if self.tracking.has_evicted() {
            // Before the command's reply, as in Redis.
            self.tracking_invalidate_evicted(Some(&mut *c));
        }
        if self.tracking.client_count() > 0 {
            // Keys read by the commands before are let go before this one runs.
            self.tracking_limit_keys(Some(&mut *c));
        }
        let top = self.lookup_cached(c);
        let resolved = self.resolve(c, top);
        // Like Redis's c->lastcmd: set before running, so CLIENT LIST/INFO show the
        // command being executed; unknown commands and subcommands leave it unset.
        c.last_cmd = match &resolved {
            Ok(id) => Some(*id),
            Err((id, _)) => *id,
        };
        match resolved {
            Ok(id) if c.multi.is_some() && self.queues_in_multi(c, id) => self.queue_command(c, id),
            Ok(id) => {
                self.call(c, id);
                c.woff = self.repl.master_repl_offset;
            }
            Err((id, err)) => {
                if let Some(id) = id {
                    self.cmd_stats[id].rejected_calls += 1;
                    if let CommandError::NoPerm { denied, .. } = err {
                        let context = crate::commands::acl::log_context(c);
                        self.acl_log_request_denial(c, id, denied, context);
                    }
                }
                if c.multi.is_some() {
                    self.reject_in_multi(c, id, &err);
                } else {
                    self.reply_error(c, &err);
                }
            }
        }
        // CLIENT REPLY OFF/SKIP: drop what this command answered.
        match c.reply_mode {
            // Frames noted while silenced by a command that then turned replies back on
            // (CLIENT REPLY ON inside EXEC) are in the output already.
            ReplyMode::On => c.silenced_pushes.clear(),
            ReplyMode::Off => keep_only_pushes(c, reply_start),
            ReplyMode::Skipping => {
                keep_only_pushes(c, reply_start);
                c.reply_mode = ReplyMode::On;
            }
            ReplyMode::SkipNext => c.reply_mode = ReplyMode::Skipping,
        }
    }

    /// Whether the request in the parser would be refused with an error (unknown
    /// command, wrong arity, NOAUTH, MISCONF...): Redis checks all that before a pause
    /// may hold a request back, so such a request gets its error at once.
    pub(super) fn refused_before_pause(&mut self, c: &mut Client) -> bool {
        std::mem::swap(&mut c.argv, &mut c.parser.argv);
        let top = self.lookup_cached(c);
        let refused = self.resolve(c, top).is_err();
        std::mem::swap(&mut c.argv, &mut c.parser.argv);
        refused
    }

    /// Adds `argv`, run by `c` in `usec`, to the SLOWLOG if that was slow enough.
    pub(crate) fn slowlog_maybe_record(&mut self, c: &Client, argv: &[Vec<u8>], usec: u64) {
        self.slowlog.maybe_record(
            self.config.slowlog_log_slower_than,
            self.config.slowlog_max_len as usize,
            usec,
            argv,
            self.now_ms / 1000,
            &c.addr,
            c.name.as_deref().unwrap_or(b""),
        );
    }

    /// Writes an error reply and counts it in errorstats.
    pub fn reply_error(&mut self, c: &mut Client, err: &CommandError) {
        // Format once: the reply and the errorstats code come from the same text.
        let text = err.to_string();
        c.reply.error_text(&text);
        self.stats
            .count_error(text.split(' ').next().unwrap_or("ERR"));
        // A client is a replica once SYNC or PSYNC made it one (not at REPLCONF).
        let replica = c
            .replica
            .as_ref()
            .is_some_and(|r| r.state != crate::replication::master::ReplicaState::Handshake);
        if c.is_master || replica {
            let to = if c.is_master {
                ErrorReplyTo::Master
            } else {
                ErrorReplyTo::Replica
            };
            let cmd = String::from_utf8_lossy(c.argv.first().map_or(&b""[..], |a| a));
            self.unexpected_error_reply(to, &text, &cmd);
        }
    }

    /// An error answered to our master, to a replica or to the AOF loader. Nobody reads
    /// it, and it means the two sides' data may now differ: it is logged (as Redis
    /// words it, tools grep for it) and counted in INFO's `unexpected_error_replies`.
    /// With `propagation-error-behavior panic` (or `panic-on-replicas`, for a read-only
    /// replica's master stream) the server stops instead of diverging.
    pub(crate) fn unexpected_error_reply(&mut self, to: ErrorReplyTo, text: &str, cmd: &str) {
        use crate::config::PropagationErrorBehavior as Behavior;
        let (from, to_name) = to.names();
        let shown = &text[..text.floor_char_boundary(4096)];
        log::warn!(
            "== CRITICAL == This {from} is sending an error to its {to_name}: '{shown}' after processing the command '{cmd}'"
        );
        self.stats.unexpected_error_replies += 1;
        let behavior = self.config.propagation_error_behavior;
        let panics = match to {
            ErrorReplyTo::Master => self.config.replica_read_only && behavior != Behavior::Ignore,
            ErrorReplyTo::AofLoader => behavior == Behavior::Panic,
            ErrorReplyTo::Replica => false,
        };
        if panics {
            log::error!("Guru Meditation: This {from} panicked sending an error to its {to_name} after processing the command '{cmd}'");
            std::process::abort();
        }
    }

    /// Looks up the top-level command of `c.argv`, remembering the last name the client
    /// used: pipelines repeat one command, and a byte compare beats hashing the name.
    fn lookup_cached(&self, c: &mut Client) -> Option<CommandId> {
        if let Some((name, id)) = &c.cmd_cache {
            if same_bytes(name, &c.argv[0]) {
                return Some(*id);
            }
        }
        let id = self.commands.lookup(&c.argv[0])?;
        c.cmd_cache = Some((c.argv[0].clone(), id));
        Some(id)
    }

    /// Checks that the request in `c.argv`, whose top-level command is `top`, may run
    /// now; returns the row (a subcommand's for containers).
    fn resolve(
        &self,
        c: &Client,
        top: Option<CommandId>,
    ) -> Result<CommandId, (Option<CommandId>, CommandError)> {
        let Some(mut id) = top else {
            return Err((None, CommandError::unknown_command(&c.argv)));
        };
        let spec = self.commands.spec(id);
        // A container (CONFIG, CLIENT...) dispatches on argv[1]; called alone it is
        // checked and run as itself (plain COMMAND lists everything).
        if !spec.subcommands.is_empty() && c.argc() >= 2 {
            match self.commands.lookup_sub(id, &c.argv[1]) {
                Some(sub) => id = sub,
                // Redis finds no command here: nothing is counted as rejected.
                None => {
                    return Err((
                        None,
                        CommandError::UnknownSubcommand {
                            command: spec.name.to_string(),
                            sub: String::from_utf8_lossy(&c.argv[1]).into_owned(),
                        },
                    ))
                }
            }
        }
        let spec = self.commands.spec(id);
        if !arity_ok(spec.arity, c.argc()) {
            return Err((
                Some(id),
                CommandError::WrongArity(self.commands.full_names[id].clone()),
            ));
        }
        // As Redis, a protected command is refused before the authentication check,
        // and at queue time inside MULTI (the transaction then fails with EXECABORT).
        if let Some(refusal) = server_cmds::protected_refusal(self, c, id) {
            return Err((Some(id), CommandError::Err(refusal)));
        }
        if !c.authenticated && spec.flags & flags::NO_AUTH == 0 && self.auth_required() {
            return Err((Some(id), CommandError::NoAuth));
        }
        if c.multi.is_some() && spec.flags & flags::NO_MULTI != 0 {
            return Err((
                Some(id),
                CommandError::Err("Command not allowed inside a transaction"),
            ));
        }
        if let Err(denied) = self.acl_denied(c, id) {
            let command = self.commands.full_names[id].clone();
            return Err((Some(id), CommandError::NoPerm { denied, command }));
        }
        // EXEC is checked with the flags of the commands it would run.
        let (any_flags, missing_flags) = super::multi::effective_flags(self, c, id);
        // Over maxmemory with nothing left to evict: refuse what may grow memory, and
        // any queuing in MULTI (which grows it too), but never EXEC, DISCARD, QUIT or
        // RESET themselves, nor our master's stream (a replica that dropped a write
        // would no longer hold its master's data).
        if self.out_of_memory
            && !c.is_master
            && (any_flags & flags::DENYOOM != 0
                || (c.multi.is_some()
                    && !matches!(spec.name, "exec" | "discard" | "quit" | "reset")))
        {
            return Err((Some(id), CommandError::Oom));
        }
        if !c.is_master && (any_flags & flags::WRITE != 0 || spec.name == "ping") {
            if self.rdb_writes_denied() {
                return Err((Some(id), CommandError::MisconfRdb));
            }
            if let Some(text) = self.aof_write_error() {
                return Err((Some(id), CommandError::Raw(text)));
            }
        }
        self.repl_check_command(c, any_flags, missing_flags)
            .map_err(|e| (Some(id), e))?;
        // A RESP2 connection that listens carries messages: only the commands that
        // manage the listening (and PING, QUIT, RESET) may share it.
        if c.in_pubsub()
            && !c.reply.is_resp3()
            && !crate::commands::pubsub::allowed_while_subscribed(&self.commands.full_names[id])
        {
            return Err((
                Some(id),
                CommandError::NotInPubsubContext(self.commands.full_names[id].clone()),
            ));
        }
        // In a replica's async load the old data is served, but for the commands
        // that cannot run beside that load (Redis's no-async-loading).
        if self.repl.async_load.is_some() {
            if any_flags & flags::NO_ASYNC_LOADING != 0 {
                return Err((Some(id), CommandError::Loading));
            }
        } else if self.persistence.loading && missing_flags & flags::LOADING != 0 {
            return Err((Some(id), CommandError::Loading));
        }
        // While a script runs past busy-reply-threshold, only what may stop it (and the
        // transaction commands, so a pipelined MULTI block is not cut in two) runs.
        if self.scripting.timed_out() && spec.flags & flags::ALLOW_BUSY == 0 {
            return Err((Some(id), self.scripting.busy_error()));
        }
        // A replica's connection carries the stream to it, and replicas are exempt from
        // CLIENT PAUSE: Redis 7 lets it run nothing that reads or writes keys.
        let touches_keys = flags::READONLY | flags::WRITE | flags::MAY_REPLICATE;
        if any_flags & touches_keys != 0 && c.replica.as_ref().is_some_and(|r| r.attached()) {
            return Err((
                Some(id),
                CommandError::Err("Replica can't interact with the keyspace"),
            ));
        }
        Ok(id)
    }

    /// What follows the handler of command `id` (run for `c` in database `db`, with
    /// `self.dirty` at `dirty_before` when it began), whether it ran from a request or
    /// for a blocked client being served: its error reply, the keys that expired
    /// meanwhile, the WATCHed keys it wrote, and its propagation (if `propagates`) as
    /// itself or as the argv it rewrote itself to, when it changed something or asked
    /// to be propagated anyway. Leaves the per-command client flags reset.
    pub(super) fn after_handler(
        &mut self,
        c: &mut Client,
        id: CommandId,
        db: usize,
        dirty_before: u64,
        result: &CommandResult,
        propagates: bool,
    ) {
        if let Err(err) = result {
            self.cmd_stats[id].failed_calls += 1;
            self.reply_error(c, err);
        }
        self.publish_queued_key_events(Some(&mut *c));
        let untouched = c.untouched_key.take();
        let forced = std::mem::take(&mut c.force_propagate);
        let forced_repl = std::mem::take(&mut c.force_propagate_repl);
        let rewritten = c.propagate_argv.take();
        let list = std::mem::take(&mut c.propagate_list);
        // What EXEC or a script changed was touched and invalidated by the commands it ran.
        let changed = self.dirty > dirty_before;
        if changed && propagates {
            self.touch_command_keys(id, db, &c.argv, rewritten.as_deref(), untouched);
            if self.expire_mode == ExpireMode::HideOnly && !c.is_master {
                self.remember_replica_expires(id, db, &c.argv, rewritten.as_deref(), untouched);
            }
            if self.tracking.active() {
                let written: Vec<Vec<u8>> = self
                    .written_keys(id, &c.argv, rewritten.as_deref(), untouched)
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                // A script's writes are its caller's (for NOLOOP).
                let modifier = Some(self.scripting.acting_client(c.id));
                for key in written {
                    self.tracking_invalidate_key(Some(&mut *c), &key, modifier, true);
                }
            }
        }
        if (changed || forced) && propagates && !list.is_empty() {
            self.propagate_list(db, list);
        } else if (changed || forced) && propagates {
            self.propagate(db, rewritten.as_deref().unwrap_or(&c.argv));
        } else if forced_repl && propagates {
            self.propagate_to(db, rewritten.as_deref().unwrap_or(&c.argv), false);
        }
    }

    /// Runs command `id` for `c`, then updates statistics and propagates its effects.
    pub(crate) fn call(&mut self, c: &mut Client, id: CommandId) {
        let spec = self.commands.spec(id);
        // One wall-clock read serves as the command's time and its start (as Redis's
        // ustime() in call()); a clock step backwards counts as zero duration. The
        // commands of a transaction all see EXEC's time. Among the requests of one read,
        // a command starts when the one before it ended (the parsing in between takes
        // well under a microsecond): one clock read per command instead of two.
        let started_us = match self.clock_hint_us.take() {
            Some(t) => t,
            None => time::now_us(),
        };
        if !c.in_exec {
            self.now_ms = started_us / 1000;
        }
        let dirty_before = self.dirty;
        let db_before = c.db;
        let result = (spec.handler)(self, c);
        let ended_us = time::now_us();
        self.clock_hint_us = Some(ended_us);
        let usec = (ended_us - started_us).max(0) as u64;
        // The commands run by EXEC or a script propagate themselves (server/multi.rs).
        let propagates = !self.commands.runs_others[id];
        self.after_handler(c, id, db_before, dirty_before, &result, propagates);
        if c.tracking.is_some() || self.tracking.has_pending() {
            // A script's keys count as read only when it calls a read command (see
            // scripting/run.rs), not because EVAL_RO is a read-only command.
            let read_only = spec.flags & flags::READONLY != 0
                && spec.flags & flags::PUBSUB == 0
                && !self.commands.runs_script[id];
            self.tracking_after_command(c, id, read_only);
        }
        if !self.monitors.is_empty() && spec.flags & (flags::ADMIN | flags::SKIP_MONITOR) == 0 {
            self.feed_monitors(c);
        }
        // A command that blocked is logged when its wait ends (record_unblock_latency).
        if spec.flags & flags::SKIP_SLOWLOG == 0 && c.blocked.is_none() {
            self.slowlog_maybe_record(c, &c.argv, usec);
        }
        let event = if spec.flags & flags::FAST != 0 {
            "fast-command"
        } else {
            "command"
        };
        self.latency.maybe_record(
            self.config.latency_monitor_threshold,
            event,
            usec / 1000,
            self.now_ms / 1000,
        );
        let st = &mut self.cmd_stats[id];
        st.calls += 1;
        st.usec += usec;
        // A client that blocked is sampled when it is served, times out or is unblocked.
        match c.blocked.as_mut() {
            Some(b) => b.call_usec = usec,
            None if self.config.latency_tracking => st.record_latency(usec),
            None => {}
        }
        self.stats.total_commands_processed += 1;
    }

    /// Sends the executed request to every MONITOR client.
    pub(crate) fn feed_monitors(&mut self, c: &Client) {
        let addr = if c.id == crate::scripting::SCRIPT_CLIENT_ID {
            "lua".to_string()
        } else if c.conn.is_unix() {
            format!("unix:{}", c.laddr)
        } else {
            c.addr.clone()
        };
        let line =
            crate::commands::introspection::monitor_line(time::now_us(), c.db, &addr, &c.argv);
        for i in 0..self.monitors.len() {
            let token = self.monitors[i];
            if let Some(Some(m)) = self.clients.get_mut(token) {
                m.reply.raw(&line);
                if !m.pending_write {
                    m.pending_write = true;
                    self.pending_writes.push(token);
                }
            }
        }
    }

    /// Propagates the DELs of keys that expired during the last command, and publishes
    /// their `expired` keyspace events; `from` is the client whose command ran, if any.
    #[inline]
    pub(crate) fn propagate_expired(&mut self, from: Option<&mut Client>) {
        let events = crate::db::expired_events();
        if events != self.expired_events_seen {
            self.expired_events_seen = events;
            self.propagate_expired_keys(from);
        }
    }

    /// The slow path of [`Server::propagate_expired`]: some key expired.
    #[cold]
    #[inline(never)]
    fn propagate_expired_keys(&mut self, mut from: Option<&mut Client>) {
        // While the databases queue key events, expired ones are published from that
        // ordered queue instead (see server/notify.rs).
        let publish = self.key_events_on(crate::config::notify::EXPIRED) && !self.queue_key_events;
        for dbid in 0..self.dbs.len() {
            if self.dbs[dbid].expired_to_propagate.is_empty() {
                continue;
            }
            let keys = std::mem::take(&mut self.dbs[dbid].expired_to_propagate);
            for key in keys {
                if publish {
                    self.publish_key_event(from.as_deref_mut(), "expired", &key, dbid);
                }
                self.touch_expired_key(dbid, &key);
                if self.tracking.active() {
                    self.tracking_invalidate_key(from.as_deref_mut(), &key, None, true);
                }
                self.propagate(dbid, &[b"DEL".to_vec(), key.to_vec()]);
            }
        }
    }

    /// The propagation hook: every change to the dataset passes here once, in its
    /// deterministic form, tagged with its database. The AOF (issue 4) and the
    /// replication stream (issue 5) are fed from here.
    /// While EXEC runs, changes are held back and sent between MULTI and EXEC when the
    /// transaction ends (`defer_propagation`): feeds below see only what goes out.
    pub fn propagate(&mut self, db: usize, argv: &[Vec<u8>]) {
        self.propagate_to(db, argv, true);
    }

    /// Propagates several commands that stand for one (see `Client::propagate_also`):
    /// as one MULTI/EXEC, unless a transaction or script already gathers them.
    fn propagate_list(&mut self, db: usize, list: Vec<Vec<Vec<u8>>>) {
        let gather = list.len() > 1 && self.tx.pending.is_none();
        if gather {
            self.tx.pending = Some(Vec::new());
        }
        for argv in &list {
            self.propagate(db, argv);
        }
        if gather {
            self.flush_transaction_propagation();
        }
    }

    /// [`Server::propagate`] to the replicas, and to the AOF only if `to_aof` (PUBLISH
    /// reaches replicas for their subscribers but is no change to the dataset).
    pub fn propagate_to(&mut self, db: usize, argv: &[Vec<u8>], to_aof: bool) {
        if self.defer_propagation(db, argv, to_aof) {
            return;
        }
        self.propagate_targets(db, argv, to_aof, true);
    }

    /// Feeds a change that goes out now to the AOF and/or the replicas.
    pub(crate) fn propagate_targets(
        &mut self,
        db: usize,
        argv: &[Vec<u8>],
        to_aof: bool,
        to_repl: bool,
    ) {
        #[cfg(test)]
        self.tx.sent.push((db, argv.to_vec()));
        if to_aof {
            self.aof_feed(db, argv);
        }
        if to_repl {
            self.repl_feed(db, argv);
        }
    }
}

/// Drops what the command answered from `reply_start` on, except its pub/sub frames,
/// which a silenced client still gets.
fn keep_only_pushes(c: &mut Client, reply_start: usize) {
    let from = reply_start.max(c.sent);
    let pushes: Vec<u8> = c
        .silenced_pushes
        .drain(..)
        .filter(|&(start, _)| start >= from)
        .flat_map(|(start, end)| c.reply.buf[start..end].to_vec())
        .collect();
    c.reply.buf.truncate(from);
    c.reply.buf.extend_from_slice(&pushes);
}

/// Byte equality for short strings such as command names: an inline loop is cheaper
/// than a call to `memcmp` for a few bytes.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}
