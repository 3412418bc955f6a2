//! Coordinated failover (Redis 6.2+'s `FAILOVER` command) and the target's side of
//! it, `PSYNC <replid> <offset> FAILOVER`.
//!
//! The master's state machine:
//!
//! 1. `FAILOVER [TO host port [FORCE]] [TIMEOUT ms]` validates the request, pauses
//!    writes (as CLIENT PAUSE WRITE, but on its own account: CLIENT UNPAUSE does not
//!    end it) and enters *waiting-for-sync*.
//! 2. Before every sleep the master checks whether the target (or, without a target,
//!    any replica) acknowledged the whole stream. When it did, or when the timeout
//!    passed with FORCE, the master becomes a replica of the target
//!    (*failover-in-progress*) and its handshake sends `PSYNC <replid> <offset>
//!    FAILOVER`.
//! 3. The target, still a replica of ours with the same replication id, promotes itself
//!    as REPLICAOF NO ONE would and answers `+CONTINUE <new id>`: the old master then
//!    continues as its replica with a partial resync, and the pause ends. A refused
//!    PSYNC aborts: we become a master again.
//!
//! A timeout without FORCE, and FAILOVER ABORT, end the failover and the pause.

use crate::commands::{CommandError, CommandResult};
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;
use crate::util::time;

/// Where a coordinated failover stands (Redis's `failover_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailoverState {
    /// No failover.
    #[default]
    None,
    /// Writes are paused; waiting for the target to acknowledge our offset.
    WaitForSync,
    /// We are a replica of the target and wait for it to accept `PSYNC ... FAILOVER`.
    InProgress,
}

impl FailoverState {
    /// The word INFO prints as `master_failover_state`.
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

/// The failover in progress (Redis's `failover_*` and `target_replica_*` fields).
#[derive(Debug, Clone, Default)]
pub struct Failover {
    pub state: FailoverState,
    /// When waiting for the sync gives up (ms), or 0 without TIMEOUT.
    pub end_ms: i64,
    /// FORCE: at the timeout, fail over anyway instead of aborting.
    pub force: bool,
    /// The replica we fail over to; None until one is chosen when no target was named.
    pub target: Option<(String, i64)>,
}

impl Failover {
    /// Whether a failover is under way.
    pub fn active(&self) -> bool {
        self.state != FailoverState::None
    }

    /// "host:port" of the target for the log, as Redis prints a missing one.
    fn target_name(&self) -> String {
        match &self.target {
            Some((host, port)) => format!("{host}:{port}"),
            None => "(null):0".to_string(),
        }
    }
}

/// What FAILOVER was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Request {
    Abort,
    Start {
        target: Option<(String, i64)>,
        force: bool,
        timeout_ms: i64,
    },
}

/// Parses FAILOVER's arguments (`argv[1..]`) with Redis's rules: ABORT only alone;
/// TIMEOUT, TO and FORCE at most once each; a non-positive timeout is an error.
fn parse_request(args: &[Vec<u8>]) -> Result<Request, CommandError> {
    if args.len() == 1 && args[0].eq_ignore_ascii_case(b"abort") {
        return Ok(Request::Abort);
    }
    let mut timeout_ms = 0;
    let mut force = false;
    let mut target = None;
    let mut j = 0;
    while j < args.len() {
        let more = args.len() - j - 1;
        let word = &args[j];
        if word.eq_ignore_ascii_case(b"timeout") && more >= 1 && timeout_ms == 0 {
            timeout_ms = parse_i64(&args[j + 1]).ok_or(CommandError::NotInteger)?;
            if timeout_ms <= 0 {
                return Err(CommandError::Err("FAILOVER timeout must be greater than 0"));
            }
            j += 2;
        } else if word.eq_ignore_ascii_case(b"to") && more >= 2 && target.is_none() {
            let port = parse_i64(&args[j + 2]).ok_or(CommandError::NotInteger)?;
            let host = String::from_utf8_lossy(&args[j + 1]).into_owned();
            target = Some((host, port));
            j += 3;
        } else if word.eq_ignore_ascii_case(b"force") && !force {
            force = true;
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(Request::Start {
        target,
        force,
        timeout_ms,
    })
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms].
pub fn failover_command(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (target, force, timeout_ms) = match parse_request(&c.argv[1..])? {
        Request::Abort => {
            if !srv.repl.failover.active() {
                return Err(CommandError::Err("No failover in progress."));
            }
            srv.failover_abort("Failover manually aborted");
            c.reply.ok();
            return Ok(());
        }
        Request::Start {
            target,
            force,
            timeout_ms,
        } => (target, force, timeout_ms),
    };
    if srv.repl.failover.active() {
        return Err(CommandError::Err("FAILOVER already in progress."));
    }
    if srv.repl.is_replica() {
        return Err(CommandError::Err(
            "FAILOVER is not valid when server is a replica.",
        ));
    }
    if srv.repl.replicas.is_empty() {
        return Err(CommandError::Err("FAILOVER requires connected replicas."));
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return Err(CommandError::Err(
            "FAILOVER with force option requires both a timeout and target HOST and IP.",
        ));
    }
    if let Some((host, port)) = &target {
        let Some(online) = srv.find_replica(host, *port).map(|(_, online, _)| online) else {
            return Err(CommandError::Err(
                "FAILOVER target HOST and PORT is not a replica.",
            ));
        };
        if !online {
            return Err(CommandError::Err("FAILOVER target replica is not online."));
        }
        log::info!("FAILOVER requested to {host}:{port}.");
    } else {
        log::info!("FAILOVER requested to any replica.");
    }
    srv.repl.failover = Failover {
        state: FailoverState::WaitForSync,
        end_ms: if timeout_ms > 0 {
            time::now_ms().saturating_add(timeout_ms)
        } else {
            0
        },
        force,
        target,
    };
    srv.refresh_pause();
    c.reply.ok();
    Ok(())
}

impl Server {
    /// The address a replica is known by: its announced ip, else its peer's.
    fn replica_host(c: &Client) -> String {
        c.replica
            .as_ref()
            .and_then(|r| r.announced_ip.clone())
            .unwrap_or_else(|| crate::commands::replication_cmds::peer_ip(&c.addr))
    }

    /// The attached replica known as `host` (case-insensitive) and listening on
    /// `port`: its token, whether it is online, and its acknowledged offset.
    fn find_replica(&self, host: &str, port: i64) -> Option<(usize, bool, i64)> {
        self.repl.replicas.iter().find_map(|&token| {
            let c = self.clients.get(token)?.as_ref()?;
            let r = c.replica.as_ref()?;
            (i64::from(r.listening_port) == port
                && Self::replica_host(c).eq_ignore_ascii_case(host))
            .then_some((
                token,
                r.state == super::master::ReplicaState::Online,
                r.ack_off,
            ))
        })
    }

    /// The first attached replica (in attach order) that acknowledged exactly our
    /// offset, as (host, port).
    fn caught_up_replica(&self) -> Option<(String, i64)> {
        let offset = self.repl.master_repl_offset;
        self.repl.replicas.iter().find_map(|&token| {
            let c = self.clients.get(token)?.as_ref()?;
            let r = c.replica.as_ref()?;
            (r.ack_off == offset).then(|| (Self::replica_host(c), i64::from(r.listening_port)))
        })
    }

    /// Advances a failover waiting for its target (Redis's updateFailoverStatus), run
    /// before every sleep: gives up (or, with FORCE, goes ahead) at the timeout, and
    /// starts the switch once the target acknowledged our whole stream.
    pub fn failover_update(&mut self) {
        if self.repl.failover.state != FailoverState::WaitForSync {
            return;
        }
        let end = self.repl.failover.end_ms;
        if end > 0 && end <= time::now_ms() {
            if self.repl.failover.force {
                log::info!(
                    "FAILOVER to {} time out exceeded, failing over.",
                    self.repl.failover.target_name()
                );
                self.failover_switch();
            } else {
                self.failover_abort("Replica never caught up before timeout");
            }
            return;
        }
        let offset = self.repl.master_repl_offset;
        let synced = match self.repl.failover.target.clone() {
            Some((host, port)) => self
                .find_replica(&host, port)
                .is_some_and(|(_, _, ack)| ack == offset),
            None => match self.caught_up_replica() {
                Some(target) => {
                    self.repl.failover.target = Some(target);
                    true
                }
                None => false,
            },
        };
        if synced {
            log::info!(
                "Failover target {} is synced, failing over.",
                self.repl.failover.target_name()
            );
            self.failover_switch();
        }
    }

    /// Becomes a replica of the target; the handshake then sends PSYNC ... FAILOVER.
    fn failover_switch(&mut self) {
        let Some((host, port)) = self.repl.failover.target.clone() else {
            return self.failover_abort("No failover target");
        };
        let Ok(port) = u16::try_from(port) else {
            return self.failover_abort("Invalid failover target port");
        };
        self.repl.failover.state = FailoverState::InProgress;
        self.repl_set_master(host, port);
    }

    /// Ends the failover and its write pause (Redis's clearFailoverState).
    pub fn failover_clear(&mut self) {
        self.repl.failover = Failover::default();
        self.refresh_pause();
        self.release_paused_clients();
    }

    /// Gives up the failover, logging `reason`; if we had already turned into the
    /// target's replica we become a master again (Redis's abortFailover).
    pub fn failover_abort(&mut self, reason: &str) {
        let f = &self.repl.failover;
        if !f.active() {
            return;
        }
        match &f.target {
            Some(_) => log::info!("FAILOVER to {} aborted: {reason}", f.target_name()),
            None => log::info!("FAILOVER to any replica aborted: {reason}"),
        }
        if f.state == FailoverState::InProgress {
            self.repl_unset_master();
        }
        self.failover_clear();
    }

    /// Whether the periodic PING to replicas is skipped: during a failover with a
    /// timeout, while writes are paused (Redis keeps offsets still then).
    pub fn failover_holds_pings(&self) -> bool {
        self.repl.failover.end_ms > 0 && self.pause.is_some()
    }

    /// The failover rules of SYNC and PSYNC, checked before anything else: `PSYNC
    /// <replid> <offset> FAILOVER` promotes a replica whose id is `replid`; a master
    /// that is failing over accepts no replica. Attached replicas are left to the
    /// caller (their repeated SYNC is ignored).
    pub fn failover_sync_checks(&mut self, c: &Client) -> Result<(), CommandError> {
        if c.replica.as_ref().is_some_and(|r| r.attached()) {
            return Ok(());
        }
        let psync_failover = c.argc() > 3
            && c.argv[0].eq_ignore_ascii_case(b"psync")
            && c.argv[3].eq_ignore_ascii_case(b"failover");
        if psync_failover {
            log::warn!(
                "Failover request received for replid {}.",
                String::from_utf8_lossy(&c.argv[1])
            );
            if !self.repl.is_replica() {
                return Err(CommandError::Err(
                    "PSYNC FAILOVER can't be sent to a master.",
                ));
            }
            if !c.argv[1].eq_ignore_ascii_case(self.repl.replid.as_bytes()) {
                return Err(CommandError::Err(
                    "PSYNC FAILOVER replid must match my replid.",
                ));
            }
            self.repl_unset_master();
            log::info!(
                "MASTER MODE enabled (failover request from 'id={} addr={}')",
                c.id,
                c.addr
            );
        }
        if self.repl.failover.active() {
            return Err(CommandError::Raw(
                "NOMASTERLINK Can't SYNC while failing over".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn requests_parse_like_redis() {
        assert_eq!(parse_request(&args(&["ABORT"])), Ok(Request::Abort));
        assert_eq!(
            parse_request(&args(&[])),
            Ok(Request::Start {
                target: None,
                force: false,
                timeout_ms: 0
            })
        );
        assert_eq!(
            parse_request(&args(&["timeout", "50", "TO", "h", "7", "force"])),
            Ok(Request::Start {
                target: Some(("h".into(), 7)),
                force: true,
                timeout_ms: 50
            })
        );
        for bad in [
            &["abort", "timeout", "5"][..],
            &["timeout", "1", "timeout", "2"],
            &["to", "h"],
            &["to", "h", "1", "to", "h", "2"],
            &["force", "force"],
            &["bogus"],
        ] {
            assert_eq!(
                parse_request(&args(bad)),
                Err(CommandError::Syntax),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_request(&args(&["timeout", "x"])),
            Err(CommandError::NotInteger)
        );
        assert_eq!(
            parse_request(&args(&["to", "h", "x"])),
            Err(CommandError::NotInteger)
        );
        assert!(matches!(
            parse_request(&args(&["timeout", "0"])),
            Err(CommandError::Err(_))
        ));
    }

    #[test]
    fn states_have_redis_names() {
        assert_eq!(FailoverState::None.name(), "no-failover");
        assert_eq!(FailoverState::WaitForSync.name(), "waiting-for-sync");
        assert_eq!(FailoverState::InProgress.name(), "failover-in-progress");
    }
}
