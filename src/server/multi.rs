//! Transactions, as Redis's `multi.c`: the per-client queue of a MULTI block, the
//! registry of WATCHed keys, and the deferred propagation that wraps a transaction's
//! writes in MULTI ... EXEC.
//!
//! * Queueing: while a client is in MULTI, `Server::execute` hands every command except
//!   EXEC, DISCARD, MULTI, WATCH, QUIT and RESET to [`Server::queue_command`]. A command
//!   refused at queue time (unknown, wrong arity, NO_MULTI...) marks the transaction so
//!   that EXEC answers `-EXECABORT`.
//! * WATCH: the server keeps, per database, the clients watching each key. After every
//!   write that changed the dataset, `Server::call` touches the keys it may have
//!   written, found by the key specs ([`Server::touch_command_keys`]); FLUSHDB, FLUSHALL and
//!   SWAPDB touch whole databases ([`Server::touch_all_watched_keys_in_db`]); expiry
//!   deletions touch the expired keys. A touched watcher's next EXEC answers a null array.
//!   The dirty flag lives here, not in `Client`, because the client that modifies a key
//!   may be the one watching it, and it is out of the client table while it executes.
//! * Propagation: while EXEC runs, `Server::propagate` collects what the queued commands
//!   propagate; at the end a single change goes out alone and several go out between
//!   MULTI and EXEC, as Redis 7.0's propagatePendingCommands does.

use std::collections::HashMap;

use super::client::Client;
use super::Server;
use crate::commands::{flags, CommandError, CommandId};

/// One command queued between MULTI and EXEC.
#[derive(Debug, Clone)]
pub struct QueuedCommand {
    /// Resolved table row (a subcommand's row for containers).
    pub id: CommandId,
    pub argv: Vec<Vec<u8>>,
}

/// A client's open MULTI block (`Client::multi` is `Some` while in MULTI).
#[derive(Debug, Default)]
pub struct MultiState {
    pub commands: Vec<QueuedCommand>,
    /// OR of the flags of the queued commands (Redis's mstate.cmd_flags).
    pub cmd_flags: u32,
    /// OR of the complemented flags (Redis's mstate.cmd_inv_flags): a bit is set when
    /// at least one queued command lacks that flag.
    pub cmd_inv_flags: u32,
    /// A command was refused while queueing: EXEC must fail with EXECABORT.
    pub dirty_exec: bool,
}

/// One client watching one key.
#[derive(Debug, Clone, Copy)]
struct Watcher {
    client: u64,
    /// The key was logically expired (but not yet deleted) when WATCH was called.
    expired: bool,
}

/// What one client watches.
#[derive(Debug, Default)]
struct ClientWatch {
    /// (db, key) pairs, in WATCH order.
    keys: Vec<(usize, Vec<u8>)>,
    /// A watched key was touched: the next EXEC fails (Redis's CLIENT_DIRTY_CAS).
    dirty: bool,
}

/// Every WATCH of the server: key -> watchers per database, and client -> keys.
#[derive(Debug, Default)]
pub struct WatchRegistry {
    by_key: Vec<HashMap<Vec<u8>, Vec<Watcher>, foldhash::fast::RandomState>>,
    clients: HashMap<u64, ClientWatch, foldhash::fast::RandomState>,
}

impl WatchRegistry {
    /// Whether no key of database `db` is watched.
    fn db_unwatched(&self, db: usize) -> bool {
        self.by_key.get(db).is_none_or(|m| m.is_empty())
    }

    /// Whether no key at all is watched.
    pub fn is_empty(&self) -> bool {
        self.by_key.iter().all(|m| m.is_empty())
    }

    /// Whether client `id` must fail its next EXEC because a watched key changed.
    pub fn is_dirty(&self, id: u64) -> bool {
        self.clients.get(&id).is_some_and(|w| w.dirty)
    }

    /// Number of keys client `id` watches (CLIENT LIST `watch=`).
    pub fn watched_count(&self, id: u64) -> usize {
        self.clients.get(&id).map_or(0, |w| w.keys.len())
    }

    /// Adds `key` of `db` to what client `id` watches (no-op if already watched);
    /// `expired` tells whether the key is logically expired right now.
    fn watch(&mut self, id: u64, db: usize, key: &[u8], expired: bool) {
        let cw = self.clients.entry(id).or_default();
        if cw.keys.iter().any(|(d, k)| *d == db && k == key) {
            return;
        }
        cw.keys.push((db, key.to_vec()));
        if self.by_key.len() <= db {
            self.by_key.resize_with(db + 1, HashMap::default);
        }
        self.by_key[db]
            .entry(key.to_vec())
            .or_default()
            .push(Watcher {
                client: id,
                expired,
            });
    }

    /// Removes every key client `id` watches; keeps its dirty flag.
    fn unwatch_all(&mut self, id: u64) {
        let Some(cw) = self.clients.get_mut(&id) else {
            return;
        };
        for (db, key) in std::mem::take(&mut cw.keys) {
            if let Some(list) = self.by_key[db].get_mut(&key) {
                list.retain(|w| w.client != id);
                if list.is_empty() {
                    self.by_key[db].remove(&key);
                }
            }
        }
        if !cw.dirty {
            self.clients.remove(&id);
        }
    }

    /// Forgets client `id` entirely (UNWATCH, end of a transaction, disconnection).
    pub fn forget(&mut self, id: u64) {
        self.unwatch_all(id);
        self.clients.remove(&id);
    }

    /// Marks client `id` dirty and drops its watches: nothing it watches matters any
    /// more until the transaction ends.
    fn mark_dirty(&mut self, id: u64) {
        self.unwatch_all(id);
        self.clients.entry(id).or_default().dirty = true;
    }
}

/// A change held back while EXEC or a script runs: its database, its argv, whether it
/// goes to the AOF (PUBLISH goes to replicas only) and whether it goes to the replicas
/// (a script may send its writes to only one of them with `redis.set_repl`).
type HeldPropagation = (usize, Vec<Vec<u8>>, bool, bool);

/// Transaction state owned by the server.
#[derive(Debug, Default)]
pub struct TxState {
    pub watches: WatchRegistry,
    /// While EXEC or a script runs: what its commands propagated, in order.
    pub(crate) pending: Option<Vec<HeldPropagation>>,
    /// While a script runs, where its commands' changes may go (`redis.set_repl`):
    /// bit 0 the AOF, bit 1 the replicas; 3 otherwise.
    pub(crate) script_targets: Option<u8>,
    /// Unit tests: everything `Server::propagate` let through, as (db, argv).
    #[cfg(test)]
    pub sent: Vec<(usize, Vec<Vec<u8>>)>,
}

/// The commands that run even inside MULTI instead of being queued.
fn runs_inside_multi(name: &str) -> bool {
    matches!(
        name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// The flags the pre-execution checks see for command `id` run by `c`: EXEC inherits
/// those of the commands it would run. Returns (flags set by any, flags missing in any).
pub fn effective_flags(srv: &Server, c: &Client, id: CommandId) -> (u32, u32) {
    let spec = srv.commands.spec(id);
    match &c.multi {
        Some(m) if spec.name == "exec" && srv.commands.parent[id].is_none() => {
            (spec.flags | m.cmd_flags, !spec.flags | m.cmd_inv_flags)
        }
        _ => {
            let f = command_flags(srv, id, &c.argv);
            (f, !f)
        }
    }
}

/// The flags of request `argv` for row `id`: the row's, except for a script that
/// declared flags in its shebang, which EVAL is checked with (Redis's getCommandFlags).
pub fn command_flags(srv: &Server, id: CommandId, argv: &[Vec<u8>]) -> u32 {
    let spec = srv.commands.spec(id);
    if srv.commands.runs_script[id] {
        srv.script_command_flags(argv, spec.flags)
    } else {
        spec.flags
    }
}

impl Server {
    /// Whether a transaction or a script is half-way through: what its commands changed
    /// is not yet propagated, so a snapshot taken now would hold part of it and the AOF
    /// after it would then apply that part a second time. BGSAVE, BGREWRITEAOF and
    /// turning the AOF on are scheduled for the cron instead, as Redis does in EXEC.
    pub fn in_transaction(&self) -> bool {
        self.tx.pending.is_some()
    }

    /// Whether command `id`, resolved for a client in MULTI, is queued rather than run.
    pub fn queues_in_multi(&self, c: &Client, id: CommandId) -> bool {
        c.multi.is_some()
            && !(self.commands.parent[id].is_none()
                && runs_inside_multi(self.commands.spec(id).name))
    }

    /// Whether `argv`, an EXEC by `c`, must wait for a CLIENT PAUSE WRITE to end
    /// because the transaction holds commands that may write (Redis checks EXEC with
    /// the flags of its queued commands).
    pub fn exec_held_by_pause(&self, c: &Client, argv: &[Vec<u8>]) -> bool {
        let (Some((_, super::PauseKind::Write)), Some(m)) = (self.pause, &c.multi) else {
            return false;
        };
        argv.len() == 1
            && argv[0].eq_ignore_ascii_case(b"exec")
            && m.cmd_flags & (flags::WRITE | flags::MAY_REPLICATE) != 0
    }

    /// Queues `c.argv` (resolved to `id`) in the client's transaction and answers QUEUED.
    pub fn queue_command(&mut self, c: &mut Client, id: CommandId) {
        let flags = command_flags(self, id, &c.argv);
        if let Some(m) = c.multi.as_mut() {
            // A transaction that will abort anyway keeps no memory for its commands.
            if !m.dirty_exec && !self.tx.watches.is_dirty(c.id) {
                m.commands.push(QueuedCommand {
                    id,
                    argv: std::mem::take(&mut c.argv),
                });
                m.cmd_flags |= flags;
                m.cmd_inv_flags |= !flags;
            }
        }
        c.reply.simple("QUEUED");
    }

    /// Answers a command refused before running (`id` if it was found) for a client in
    /// MULTI: the transaction is flagged so that EXEC fails; a refused EXEC itself
    /// discards the transaction with `EXECABORT Transaction discarded because of: ...`.
    pub fn reject_in_multi(&mut self, c: &mut Client, id: Option<CommandId>, err: &CommandError) {
        let is_exec = id.is_some_and(|i| {
            self.commands.parent[i].is_none() && self.commands.spec(i).name == "exec"
        });
        if !is_exec {
            if let Some(m) = c.multi.as_mut() {
                m.dirty_exec = true;
            }
            self.reply_error(c, err);
            return;
        }
        self.discard_transaction(c);
        let text = err.to_string();
        let reason = text.strip_prefix("ERR ").unwrap_or(&text);
        let abort = CommandError::ExecAbortBecause(reason.to_string());
        self.reply_error(c, &abort);
        // Monitors saw MULTI: show them that the transaction ended.
        if !self.monitors.is_empty() {
            self.feed_monitors(c);
        }
    }

    /// Ends the client's transaction without running it and forgets its watches.
    pub fn discard_transaction(&mut self, c: &mut Client) {
        c.multi = None;
        self.tx.watches.forget(c.id);
    }

    /// MULTI: opens a transaction.
    pub fn multi_begin(&mut self, c: &mut Client) -> Result<(), CommandError> {
        if c.multi.is_some() {
            return Err(CommandError::Err("MULTI calls can not be nested"));
        }
        c.multi = Some(MultiState::default());
        c.reply.ok();
        Ok(())
    }

    /// WATCH key...: remembers the keys of the client's database.
    pub fn watch_keys(&mut self, c: &mut Client) -> Result<(), CommandError> {
        if c.multi.is_some() {
            return Err(CommandError::Err("WATCH inside MULTI is not allowed"));
        }
        // No point in watching if the transaction is already doomed.
        if !self.tx.watches.is_dirty(c.id) {
            for i in 1..c.argc() {
                let expired = self.key_is_expired(c.db, &c.argv[i]);
                self.tx.watches.watch(c.id, c.db, &c.argv[i], expired);
            }
        }
        c.reply.ok();
        Ok(())
    }

    /// Whether `key` is present in `db` but past its expiry time (Redis's keyIsExpired).
    fn key_is_expired(&self, db: usize, key: &[u8]) -> bool {
        let db = &self.dbs[db];
        matches!(db.expire_of(key), Some(when) if when <= self.now_ms) && db.dict.contains_key(key)
    }

    /// Whether a key the client watched (and that was alive when watched) has expired
    /// since, although nobody deleted it yet: such an EXEC fails too.
    fn watched_key_expired(&self, id: u64) -> bool {
        let Some(cw) = self.tx.watches.clients.get(&id) else {
            return false;
        };
        cw.keys.iter().any(|(db, key)| {
            let was_expired = self.tx.watches.by_key[*db]
                .get(key)
                .and_then(|l| l.iter().find(|w| w.client == id))
                .is_some_and(|w| w.expired);
            !was_expired && self.key_is_expired(*db, key)
        })
    }

    /// EXEC: runs the queued commands, or fails because of queueing errors (EXECABORT)
    /// or a touched watched key (null array).
    pub fn exec_transaction(&mut self, c: &mut Client) -> Result<(), CommandError> {
        let Some(state) = c.multi.take() else {
            return Err(CommandError::Err("EXEC without MULTI"));
        };
        let cas_failed = self.tx.watches.is_dirty(c.id) || self.watched_key_expired(c.id);
        if state.dirty_exec || cas_failed {
            self.tx.watches.forget(c.id);
            if state.dirty_exec {
                return Err(CommandError::ExecAbort);
            }
            c.reply.null_array();
            return Ok(());
        }
        self.tx.watches.forget(c.id);
        let exec_argv = std::mem::take(&mut c.argv);
        c.in_exec = true;
        self.tx.pending = Some(Vec::new());
        c.reply.array_len(state.commands.len());
        for cmd in state.commands {
            c.argv = cmd.argv;
            // The rules may have changed since the command was queued.
            if let Err(denied) = self.acl_check_request(c, cmd.id, crate::acl::LogContext::Multi) {
                self.reply_error(c, &CommandError::NoPermInExec(denied));
                continue;
            }
            self.call(c, cmd.id);
        }
        c.in_exec = false;
        c.argv = exec_argv;
        self.flush_transaction_propagation();
        Ok(())
    }

    /// Sends what a transaction or a script propagated: one change alone, several
    /// between MULTI (in the first change's database) and EXEC (in the last one's).
    /// MULTI and EXEC go wherever one of the changes goes.
    pub(crate) fn flush_transaction_propagation(&mut self) {
        let ops = self.tx.pending.take().unwrap_or_default();
        let wrap = ops.len() > 1;
        let any_aof = ops.iter().any(|op| op.2);
        let any_repl = ops.iter().any(|op| op.3);
        if wrap {
            self.propagate_targets(ops[0].0, &[b"MULTI".to_vec()], any_aof, any_repl);
        }
        let last_db = ops.last().map(|op| op.0);
        for (db, argv, to_aof, to_repl) in ops {
            self.propagate_targets(db, &argv, to_aof, to_repl);
        }
        if let (true, Some(db)) = (wrap, last_db) {
            self.propagate_targets(db, &[b"EXEC".to_vec()], any_aof, any_repl);
        }
    }

    /// Called first by `Server::propagate`: while EXEC or a script runs, keeps the
    /// change for the end of it and returns true (the caller must then not feed it).
    pub(crate) fn defer_propagation(&mut self, db: usize, argv: &[Vec<u8>], to_aof: bool) -> bool {
        let targets = self.tx.script_targets.unwrap_or(3);
        match self.tx.pending.as_mut() {
            Some(ops) => {
                let (to_aof, to_repl) = (to_aof && targets & 1 != 0, targets & 2 != 0);
                if to_aof || to_repl {
                    ops.push((db, argv.to_vec(), to_aof, to_repl));
                }
                true
            }
            None => false,
        }
    }

    /// Marks dirty the watchers of `key` in `db`. `present` tells whether the key exists
    /// after the change: a watcher that saw the key already expired is not disturbed by
    /// its deletion (no logical change), as in Redis's touchWatchedKey.
    fn touch_watched_key_as(&mut self, db: usize, key: &[u8], present: bool) {
        let Some(list) = self
            .tx
            .watches
            .by_key
            .get_mut(db)
            .and_then(|m| m.get_mut(key))
        else {
            return;
        };
        let mut to_mark = Vec::new();
        for w in list.iter_mut() {
            if w.expired {
                if present {
                    // Redis 7.0 stops at such a watcher without marking the rest.
                    break;
                }
                w.expired = false;
                continue;
            }
            to_mark.push(w.client);
        }
        for id in to_mark {
            self.tx.watches.mark_dirty(id);
        }
    }

    /// Touches `key` of `db` after a command modified it (Redis's signalModifiedKey).
    pub fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.tx.watches.db_unwatched(db) {
            return;
        }
        let present = self.dbs[db].dict.contains_key(key);
        self.touch_watched_key_as(db, key, present);
    }

    /// Touches `key` of `db` after expiry deleted it.
    pub(crate) fn touch_expired_key(&mut self, db: usize, key: &[u8]) {
        if !self.tx.watches.db_unwatched(db) {
            self.touch_watched_key_as(db, key, false);
        }
    }

    /// After write command `id` changed the dataset, touches in `db` (the client's
    /// database when the command started) the keys it may have written: the keys of
    /// what it propagates instead of itself when it rewrote its argv (`rewritten`:
    /// LMPOP -> LPOP of the popped list...), else the keys of `argv` that its key
    /// specs do not mark read-only (the sources of ZUNIONSTORE or SORT are not touched),
    /// except the key at position `untouched` of `argv` (see `Client::untouched_key`).
    pub fn touch_command_keys(
        &mut self,
        id: CommandId,
        db: usize,
        argv: &[Vec<u8>],
        rewritten: Option<&[Vec<u8>]>,
        untouched: Option<usize>,
    ) {
        if self.tx.watches.db_unwatched(db) {
            return;
        }
        for key in self.written_keys(id, argv, rewritten, untouched) {
            self.touch_watched_key(db, key);
        }
    }

    /// The keys write command `id` may have written, as [`Server::touch_command_keys`]
    /// describes: those of its rewritten argv, else those of `argv` that its key specs
    /// do not mark read-only, but for the one at position `untouched`.
    pub(crate) fn written_keys<'a>(
        &self,
        id: CommandId,
        argv: &'a [Vec<u8>],
        rewritten: Option<&'a [Vec<u8>]>,
        untouched: Option<usize>,
    ) -> Vec<&'a [u8]> {
        let (id, argv, untouched) = match rewritten.and_then(|r| Some((self.resolve_argv(r)?, r))) {
            Some((id, r)) => (id, r, None),
            None => (id, argv, untouched),
        };
        self.commands
            .get_keys(id, argv)
            .into_iter()
            .filter(|k| Some(k.pos) != untouched)
            .filter(|k| !crate::commands::key_specs::key_flags::is_read_only(k.flags))
            .map(|k| argv[k.pos].as_slice())
            .collect()
    }

    /// The table row `argv` names (a subcommand's row for containers), if any.
    pub(crate) fn resolve_argv(&self, argv: &[Vec<u8>]) -> Option<CommandId> {
        let id = self.commands.lookup(argv.first()?)?;
        if self.commands.spec(id).subcommands.is_empty() {
            return Some(id);
        }
        self.commands.lookup_sub(id, argv.get(1)?)
    }

    /// Before `emptied` is flushed (`replaced_with` None) or swapped with
    /// `replaced_with` (SWAPDB), marks dirty the watchers of every watched key that
    /// exists in either (Redis's touchAllWatchedKeysInDb): keys that were already
    /// expired and stay gone or expired are no logical change.
    pub fn touch_all_watched_keys_in_db(&mut self, emptied: usize, replaced_with: Option<usize>) {
        if self.tx.watches.db_unwatched(emptied) {
            return;
        }
        let now = self.now_ms;
        let mut to_mark = Vec::new();
        let keys: Vec<Vec<u8>> = self.tx.watches.by_key[emptied].keys().cloned().collect();
        for key in keys {
            let in_emptied = self.dbs[emptied].dict.contains_key(&key);
            let in_other = replaced_with.is_some_and(|o| self.dbs[o].dict.contains_key(&key));
            if !in_emptied && !in_other {
                continue;
            }
            let other_expired = replaced_with.is_some_and(|o| {
                in_other && matches!(self.dbs[o].expire_of(&key), Some(t) if t <= now)
            });
            let Some(list) = self.tx.watches.by_key[emptied].get_mut(&key) else {
                continue;
            };
            for w in list.iter_mut() {
                if w.expired {
                    if !in_other {
                        w.expired = false;
                        continue;
                    }
                    if other_expired {
                        continue;
                    }
                } else if !in_emptied && other_expired {
                    w.expired = true;
                    continue;
                }
                to_mark.push(w.client);
            }
        }
        for id in to_mark {
            if let Some(cw) = self.tx.watches.clients.get_mut(&id) {
                cw.dirty = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::keys::testing::Harness;

    /// Runs `args` through the full request path (queueing, EXEC) and returns the reply.
    fn exec(h: &mut Harness, args: &[&str]) -> String {
        h.c.argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let start = h.c.reply.buf.len();
        h.srv.execute(&mut h.c);
        String::from_utf8_lossy(&h.c.reply.buf.split_off(start)).into_owned()
    }

    /// What was propagated since the last call, as "db:ARG ARG" strings.
    fn sent(h: &mut Harness) -> Vec<String> {
        std::mem::take(&mut h.srv.tx.sent)
            .into_iter()
            .map(|(db, argv)| {
                let words: Vec<String> = argv
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                format!("{}:{}", db, words.join(" "))
            })
            .collect()
    }

    #[test]
    fn transaction_propagation_is_wrapped_only_with_several_changes() {
        let mut h = Harness::new();
        for args in [&["MULTI"][..], &["SET", "a", "1"], &["GET", "a"], &["EXEC"]] {
            exec(&mut h, args);
        }
        assert_eq!(sent(&mut h), ["0:SET a 1"]);
        for args in [&["MULTI"][..], &["GET", "a"], &["DEL", "nokey"], &["EXEC"]] {
            exec(&mut h, args);
        }
        assert!(sent(&mut h).is_empty());
        for args in [
            &["MULTI"][..],
            &["SELECT", "2"],
            &["SET", "b", "1"],
            &["SELECT", "3"],
            &["INCR", "c"],
            &["GET", "b"],
            &["EXEC"],
        ] {
            exec(&mut h, args);
        }
        assert_eq!(sent(&mut h), ["2:MULTI", "2:SET b 1", "3:INCR c", "3:EXEC"]);
        exec(&mut h, &["SET", "d", "1"]);
        assert_eq!(sent(&mut h), ["3:SET d 1"]);
    }

    #[test]
    fn a_flush_that_removed_keys_does_not_make_the_next_command_propagate() {
        let mut h = Harness::new();
        exec(&mut h, &["SET", "a", "1"]);
        exec(&mut h, &["FLUSHDB"]);
        exec(&mut h, &["GET", "a"]);
        exec(&mut h, &["FLUSHDB"]);
        exec(&mut h, &["GET", "a"]);
        assert_eq!(sent(&mut h), ["0:SET a 1", "0:FLUSHDB", "0:FLUSHDB"]);
    }

    #[test]
    fn expiry_inside_a_transaction_is_part_of_it() {
        let mut h = Harness::new();
        exec(&mut h, &["SET", "k", "v"]);
        let past = h.srv.now_ms - 10;
        h.srv.dbs[0].set_expire(b"k", past);
        sent(&mut h);
        for args in [
            &["MULTI"][..],
            &["SET", "k2", "x"],
            &["GET", "k"],
            &["EXEC"],
        ] {
            exec(&mut h, args);
        }
        assert_eq!(sent(&mut h), ["0:MULTI", "0:SET k2 x", "0:DEL k", "0:EXEC"]);
    }

    #[test]
    fn registry_watch_unwatch_and_dirty() {
        let mut r = WatchRegistry::default();
        r.watch(1, 0, b"k", false);
        r.watch(1, 0, b"k", false);
        r.watch(2, 0, b"k", false);
        r.watch(1, 3, b"k", false);
        assert_eq!(r.watched_count(1), 2);
        assert_eq!(r.by_key[0][&b"k".to_vec()].len(), 2);
        r.mark_dirty(1);
        assert!(r.is_dirty(1));
        assert_eq!(r.watched_count(1), 0);
        assert!(r.db_unwatched(3));
        assert_eq!(r.by_key[0][&b"k".to_vec()].len(), 1);
        r.forget(1);
        assert!(!r.is_dirty(1));
        r.forget(2);
        assert!(r.is_empty());
        assert!(r.clients.is_empty());
    }
}
