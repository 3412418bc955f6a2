//! Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
//! BZPOPMAX, BZMPOP), as Redis's `blocked.c`.
//!
//! # How a blocking command uses this module
//! A blocking command's handler first tries to serve itself. When nothing can be served
//! it calls [`block_for_keys`] instead of replying. Outside MULTI/EXEC the client is then
//! parked: its request is remembered, it joins the FIFO queue of every key it waits for,
//! and it reads no further requests. Inside EXEC (see [`may_block`]) the client cannot
//! wait, so `block_for_keys` writes the timeout reply at once, as Redis does.
//!
//! When one of those keys is created in the client's database (`Db::add`/`Db::set`
//! signal it, see `Db::signal_ready`), the server, after the command (or the whole
//! transaction) that created it, re-runs the parked request of each client queued on the
//! key, first come first served. During such a re-run [`is_rerun`] is true and:
//! * a source key of another type than the command pops must be treated as empty (not
//!   WRONGTYPE): Redis 7.0 only serves a client from a key of the type it waits for;
//! * if the command still finds nothing it calls `block_for_keys` again, which leaves
//!   the client blocked in its place in every queue;
//! * otherwise its reply (or error) is sent, the client is unblocked, and what it
//!   changed is propagated like any command (use `Client::rewrite_propagated` to
//!   propagate the non-blocking form that ran, e.g. BLPOP -> LPOP).
//!
//! Deadlines are checked before the event loop sleeps, and the loop never sleeps past
//! the nearest one ([`Server::blocked_poll_timeout`]). CLIENT UNBLOCK, a disconnect and
//! a deadline end the wait; INFO shows `blocked_clients`, CLIENT LIST the `b` flag.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use super::{Client, Server};
use crate::commands::{CommandError, CommandId, CommandResult};
use crate::util::numbers::{parse_i64, parse_long_double};
use crate::util::time;

/// What a blocked client receives when its deadline passes (or CLIENT UNBLOCK TIMEOUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    /// RESP2 `*-1`, RESP3 `_` (BLPOP, BRPOP, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
    NullArray,
    /// RESP2 `$-1`, RESP3 `_` (BLMOVE, BRPOPLPUSH).
    NullBulk,
}

/// The wait of one blocked client (held in `Client::blocked`).
#[derive(Debug)]
pub struct Blocked {
    /// Database of the keys.
    pub db: usize,
    /// The keys waited for, without duplicates.
    pub keys: Vec<Vec<u8>>,
    /// When to give up (ms since the epoch); None waits forever.
    pub deadline_ms: Option<i64>,
    pub on_timeout: TimeoutReply,
    /// The request to run again when a key is ready, and its command.
    argv: Vec<Vec<u8>>,
    cmd: Option<CommandId>,
    /// True while the request is being re-run.
    rerunning: bool,
    /// Set by `block_for_keys` during a re-run that served nothing.
    still_waiting: bool,
    /// Whether the request is re-run also when a key it waits for is deleted (a
    /// blocked XREADGROUP, which then ends with an error, as Redis's
    /// serveClientsBlockedOnStreamKey for a key gone).
    pub wake_when_gone: bool,
    /// Duration of the call that blocked (µs): with the serving call's, the latency
    /// sample taken when the wait ends with a reply (Redis's updateStatsOnUnblock).
    pub call_usec: u64,
}

/// The server's index of blocked clients (`Server::blocking`).
#[derive(Debug, Default)]
pub struct BlockingState {
    /// (db, key) -> tokens of the clients waiting for it, in arrival order.
    queues: HashMap<(usize, Vec<u8>), VecDeque<usize>>,
    /// (deadline ms, client id, token) of clients with a deadline.
    deadlines: BTreeSet<(i64, u64, usize)>,
    /// Number of blocked clients (INFO `blocked_clients`).
    pub count: usize,
}

/// Whether `c` may wait for keys now: not while its command runs inside MULTI/EXEC.
pub fn may_block(c: &Client) -> bool {
    !c.deny_blocking()
}

/// Whether `c`'s command is being re-run because one of its keys became ready (see the
/// module docs for what a command must do differently then).
pub fn is_rerun(c: &Client) -> bool {
    c.blocked.as_ref().is_some_and(|b| b.rerunning)
}

/// Parses a blocking command's timeout in seconds (a float; 0 = forever) as Redis's
/// `getTimeoutFromObjectOrReply`, and returns the deadline (ms since the epoch) measured
/// from `now_ms`, or None for "forever".
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<Option<i64>, CommandError> {
    let secs = parse_long_double(arg)
        .ok_or(CommandError::Err("timeout is not a float or out of range"))?;
    let ms = (secs * 1000.0).ceil();
    // C converts an out-of-range value to i64::MIN on x86, which reads as negative.
    let ms = if ms.is_finite() && ms < i64::MAX as f64 {
        ms as i64
    } else {
        i64::MIN
    };
    if ms < 0 {
        return Err(CommandError::Err("timeout is negative"));
    }
    Ok((ms > 0).then(|| now_ms.saturating_add(ms)))
}

/// Whether a wait with `deadline_ms` is over at `now_ms`. Strictly past, as Redis's
/// `timeout < now`: both are truncated to the millisecond, so at `deadline == now` up to
/// a millisecond of the wait may be left, and a client would be answered early.
pub fn deadline_passed(deadline_ms: i64, now_ms: i64) -> bool {
    deadline_ms < now_ms
}

/// Parks `c` until one of `keys` (in its database) receives data, `deadline_ms` passes
/// (None: never), or it is unblocked; called by a blocking command instead of replying.
/// During a re-run the client keeps its place; inside MULTI/EXEC it cannot wait, so the
/// `on_timeout` reply is written at once.
pub fn block_for_keys(
    srv: &mut Server,
    c: &mut Client,
    keys: Vec<Vec<u8>>,
    deadline_ms: Option<i64>,
    on_timeout: TimeoutReply,
) {
    if let Some(b) = c.blocked.as_mut() {
        if b.rerunning {
            b.still_waiting = true;
            return;
        }
    }
    if !may_block(c) {
        write_timeout_reply(c, on_timeout);
        return;
    }
    let mut unique: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for k in keys {
        if !unique.contains(&k) {
            unique.push(k);
        }
    }
    let db = c.db;
    for k in &unique {
        srv.blocking
            .queues
            .entry((db, k.clone()))
            .or_default()
            .push_back(c.token);
        srv.dbs[db].blocked_keys.insert(k.clone());
    }
    if let Some(d) = deadline_ms {
        srv.blocking.deadlines.insert((d, c.id, c.token));
    }
    srv.blocking.count += 1;
    c.blocked = Some(Box::new(Blocked {
        db,
        keys: unique,
        deadline_ms,
        on_timeout,
        argv: c.argv.clone(),
        cmd: c.last_cmd,
        rerunning: false,
        still_waiting: false,
        wake_when_gone: false,
        call_usec: 0,
    }));
}

/// Writes the reply of a wait that ended without data.
fn write_timeout_reply(c: &mut Client, on_timeout: TimeoutReply) {
    match on_timeout {
        TimeoutReply::NullArray => c.reply.null_array(),
        TimeoutReply::NullBulk => c.reply.null(),
    }
}

impl Server {
    /// Blocked clients waiting with a timeout (INFO clients_in_timeout_table).
    pub fn blocking_timeouts(&self) -> usize {
        self.blocking.deadlines.len()
    }

    /// Removes `c` from the blocking index (its wait is over or it is going away), and
    /// lets it read its pending requests again.
    pub fn unblock_client(&mut self, c: &mut Client) {
        let Some(b) = c.blocked.take() else {
            return;
        };
        for k in b.keys {
            let id = (b.db, k);
            if let Some(q) = self.blocking.queues.get_mut(&id) {
                q.retain(|&t| t != c.token);
                if q.is_empty() {
                    self.blocking.queues.remove(&id);
                    if let Some(db) = self.dbs.get_mut(id.0) {
                        db.blocked_keys.remove(&id.1);
                        db.ready_keys.retain(|r| r != &id.1);
                    }
                }
            }
        }
        if let Some(d) = b.deadline_ms {
            self.blocking.deadlines.remove(&(d, c.id, c.token));
        }
        self.blocking.count -= 1;
        if c.qpos < c.query.len() && !c.close_asap {
            self.pending_reads.push(c.token);
        }
    }

    /// Serves the clients blocked on keys that became ready, until none is left (a
    /// served BLMOVE may make its destination ready in turn). Called after every
    /// top-level command.
    pub fn serve_blocked_clients(&mut self) {
        // Not under a running script: the keys it made ready are served when it ends.
        if self.blocking.count == 0 || self.scripting.running.is_some() {
            return;
        }
        loop {
            let mut ready: Vec<(usize, Vec<u8>)> = Vec::new();
            for db in &mut self.dbs {
                for k in db.ready_keys.drain(..) {
                    ready.push((db.id, k));
                }
            }
            if ready.is_empty() {
                return;
            }
            for (db, key) in ready {
                self.serve_key(db, key);
            }
        }
    }

    /// Re-runs, in arrival order, the requests of the clients waiting for `key`, while
    /// the key exists; once it is gone (deleted, or a serve emptied it), only those of
    /// the clients that must hear of that (`wake_when_gone`).
    fn serve_key(&mut self, db: usize, key: Vec<u8>) {
        let id = (db, key);
        let Some(queue) = self.blocking.queues.get(&id) else {
            return;
        };
        let tokens: Vec<usize> = queue.iter().copied().collect();
        for token in tokens {
            let mode = self.lazy_expire_mode();
            let exists = self.dbs[db].exists(&id.1, time::now_ms(), mode);
            let Some(mut c) = self.take_client(token) else {
                continue;
            };
            if c.blocked
                .as_ref()
                .is_some_and(|b| exists || b.wake_when_gone)
            {
                self.rerun_blocked(&mut c);
            }
            self.put_client(c);
        }
    }

    /// Runs the parked request of `c` again; unblocks `c` unless it still waits.
    fn rerun_blocked(&mut self, c: &mut Client) {
        let Some((argv, cmd)) = c.blocked.as_mut().map(|b| {
            b.rerunning = true;
            b.still_waiting = false;
            (b.argv.clone(), b.cmd)
        }) else {
            return;
        };
        let Some(cmd) = cmd else {
            self.unblock_client(c);
            return;
        };
        let saved_argv = std::mem::replace(&mut c.argv, argv);
        self.now_ms = time::now_ms();
        let started_us = time::now_us();
        let dirty_before = self.dirty;
        let db = c.db;
        let result = (self.commands.spec(cmd).handler)(self, c);
        let rerun_usec = (time::now_us() - started_us).max(0) as u64;
        // A served BLMOVE/BRPOPLPUSH writes its destination (and every served pop its
        // source): watchers are touched and the pop propagated as after any write.
        self.after_handler(c, cmd, db, dirty_before, &result, true);
        self.tracking_send_pending(c);
        c.argv = saved_argv;
        let still = c.blocked.as_ref().is_some_and(|b| b.still_waiting);
        if let Some(b) = c.blocked.as_mut() {
            b.rerunning = false;
            b.still_waiting = false;
        }
        if !still {
            self.record_unblock_latency(c, cmd, rerun_usec);
            self.unblock_client(c);
        }
    }

    /// Records a blocked command whose wait ends with a reply, as Redis's
    /// updateStatsOnUnblock: its latency sample and its SLOWLOG entry, both for the
    /// blocking call's duration plus `extra_usec` (the call that served it).
    pub(crate) fn record_unblock_latency(&mut self, c: &Client, cmd: CommandId, extra_usec: u64) {
        let Some(b) = c.blocked.as_ref() else {
            return;
        };
        let usec = b.call_usec + extra_usec;
        if self.config.latency_tracking {
            self.cmd_stats[cmd].record_latency(usec);
        }
        if self.commands.spec(cmd).flags & crate::commands::flags::SKIP_SLOWLOG == 0 {
            self.slowlog_maybe_record(c, &b.argv, usec);
        }
    }

    /// Ends the wait of every client whose deadline has passed, with its timeout reply.
    pub fn handle_blocked_timeouts(&mut self) {
        if self.blocking.deadlines.is_empty() {
            return;
        }
        let now = time::now_ms();
        while let Some(&(deadline, _, token)) = self.blocking.deadlines.first() {
            if !deadline_passed(deadline, now) {
                break;
            }
            self.blocking.deadlines.pop_first();
            let Some(mut c) = self.take_client(token) else {
                continue;
            };
            if let Some(b) = c.blocked.as_ref() {
                let (reply, cmd) = (b.on_timeout, b.cmd);
                write_timeout_reply(&mut c, reply);
                if let Some(cmd) = cmd {
                    self.record_unblock_latency(&c, cmd, 0);
                }
                self.unblock_client(&mut c);
            }
            self.put_client(c);
        }
    }

    /// How long the loop may sleep given `default`: never past the nearest deadline.
    pub fn blocked_poll_timeout(&self, default: Duration) -> Duration {
        match self.blocking.deadlines.first() {
            None => default,
            Some(&(deadline, _, _)) => {
                // +1: a deadline ends once the clock is strictly past it.
                let left = (deadline - time::now_ms() + 1).max(0) as u64;
                default.min(Duration::from_millis(left))
            }
        }
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: ends the wait of a blocked client with its
/// timeout reply or an UNBLOCKED error; replies 1 if it was blocked, else 0.
pub fn client_unblock(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 4 {
        let sub = String::from_utf8_lossy(&c.argv[1][..c.argv[1].len().min(128)]).into_owned();
        return Err(CommandError::Raw(format!(
            "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try CLIENT HELP."
        )));
    }
    let mut as_error = false;
    if c.argc() == 4 {
        if c.argv[3].eq_ignore_ascii_case(b"timeout") {
            as_error = false;
        } else if c.argv[3].eq_ignore_ascii_case(b"error") {
            as_error = true;
        } else {
            return Err(CommandError::Err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    }
    let id = parse_i64(&c.argv[2]).ok_or(CommandError::NotInteger)?;
    let token = srv
        .clients
        .iter()
        .find(|(_, slot)| slot.as_ref().is_some_and(|o| o.id as i64 == id))
        .map(|(t, _)| t);
    let Some(token) = token else {
        c.reply.int(0);
        return Ok(());
    };
    let Some(mut target) = srv.take_client(token) else {
        c.reply.int(0);
        return Ok(());
    };
    let unblocked = match target.blocked.as_ref().map(|b| (b.on_timeout, b.cmd)) {
        Some((on_timeout, cmd)) => {
            if let Some(cmd) = cmd {
                srv.record_unblock_latency(&target, cmd, 0);
            }
            if as_error {
                let err = CommandError::Raw("UNBLOCKED client unblocked via CLIENT UNBLOCK".into());
                // The blocked command ends in an error: it counts as failed (INFO
                // commandstats), as in Redis.
                if let Some(cmd) = cmd {
                    srv.cmd_stats[cmd].failed_calls += 1;
                }
                srv.reply_error(&mut target, &err);
            } else {
                write_timeout_reply(&mut target, on_timeout);
            }
            srv.unblock_client(&mut target);
            true
        }
        None => false,
    };
    srv.put_client(target);
    c.reply.int(unblocked as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_passes_only_once_the_clock_is_beyond_its_millisecond() {
        // BLPOP k 0.2 read at 1000.9 ms (truncated to 1000) waits until 1200; at 1200.0 ms
        // only 199.1 ms would have passed.
        let deadline = parse_timeout(b"0.2", 1000).unwrap().unwrap();
        assert!(!deadline_passed(deadline, 1199));
        assert!(!deadline_passed(deadline, 1200));
        assert!(deadline_passed(deadline, 1201));
    }
}
