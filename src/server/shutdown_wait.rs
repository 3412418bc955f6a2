//! A shutdown that first lets lagging replicas catch up (Redis 7.0's `shutdown-timeout`).
//!
//! A write acknowledged to a client may still sit in a replica's socket buffer when the
//! master is told to stop. Exiting at once would lose it from the replica, which may be
//! promoted next. So on SIGTERM or SHUTDOWN (without NOW), while a replica has not
//! acknowledged our whole stream, the master pauses writes, asks the replicas for an
//! ACK, and waits up to `shutdown-timeout` seconds; the shutdown then goes on (saving
//! as asked) whether they caught up or not. The SHUTDOWN client waits with it, and gets
//! an answer only if the shutdown fails or is aborted (`SHUTDOWN ABORT`).

use super::{Server, ShutdownMode};
use crate::util::time;

/// Answered to the SHUTDOWN clients when the shutdown fails or is aborted.
pub const SHUTDOWN_FAILED: &str = "-ERR Errors trying to SHUTDOWN. Check logs.\r\n";

/// A shutdown waiting for replicas.
#[derive(Debug)]
pub struct ShutdownWait {
    /// When it goes on regardless (ms).
    pub deadline_ms: i64,
    /// What to save.
    pub mode: ShutdownMode,
    /// SHUTDOWN clients waiting for the outcome: (token, client id).
    pub clients: Vec<(usize, u64)>,
}

impl Server {
    /// Whether every attached replica acknowledged our whole stream (or none is
    /// attached): Redis's isReadyToShutdown.
    pub(crate) fn replicas_caught_up(&self) -> bool {
        let offset = self.repl.master_repl_offset;
        self.attached_replicas().all(|(_, r)| r.ack_off == offset)
    }

    /// Starts waiting for the replicas before a shutdown, if any lags and the timeout
    /// allows it; returns false when the shutdown should go on at once. A SHUTDOWN
    /// client (`client`) then waits for the outcome.
    pub(crate) fn begin_shutdown_wait(
        &mut self,
        mode: ShutdownMode,
        force: bool,
        client: Option<(usize, u64)>,
    ) -> bool {
        if let Some(wait) = self.shutdown_wait.as_mut() {
            wait.clients.extend(client);
            return true;
        }
        if self.config.shutdown_timeout == 0 || self.replicas_caught_up() {
            return false;
        }
        if self.pause.is_none() {
            // Asked before the pause: while paused the offset must stay still.
            self.repl_feed_nodb(&[b"REPLCONF", b"GETACK", b"*"]);
        }
        self.shutdown_wait = Some(ShutdownWait {
            deadline_ms: time::now_ms()
                .saturating_add(self.config.shutdown_timeout.saturating_mul(1000) as i64),
            mode,
            clients: client.into_iter().collect(),
        });
        self.shutdown_force = force;
        self.refresh_pause();
        log::info!("Waiting for replicas before shutting down.");
        true
    }

    /// Milliseconds left before a waiting shutdown goes on regardless (INFO's
    /// `shutdown_in_milliseconds`), if one is waiting.
    pub fn shutdown_in_ms(&self) -> Option<i64> {
        let wait = self.shutdown_wait.as_ref()?;
        Some((wait.deadline_ms - time::now_ms()).max(0))
    }

    /// Run before each sleep and at each cron tick: once the replicas caught up or the
    /// time is up, logs who lags and hands the shutdown to the loop (`self.shutdown`).
    pub(crate) fn shutdown_wait_check(&mut self) {
        let Some(wait) = self.shutdown_wait.as_ref() else {
            return;
        };
        if time::now_ms() < wait.deadline_ms && !self.replicas_caught_up() {
            return;
        }
        self.log_lagging_replicas();
        let mode = wait.mode;
        self.shutdown = Some(mode);
    }

    /// Logs each replica that has not acknowledged our whole stream, then how many are
    /// in sync (as Redis's finishShutdown).
    fn log_lagging_replicas(&self) {
        let offset = self.repl.master_repl_offset;
        let now = time::now_ms();
        let mut total = 0;
        let mut lagging = 0;
        for (c, r) in self.attached_replicas() {
            total += 1;
            if r.ack_off != offset {
                lagging += 1;
                let online = r.state == crate::replication::master::ReplicaState::Online;
                let lag = if online {
                    (now - r.ack_time_ms) / 1000
                } else {
                    0
                };
                log::warn!(
                    "Lagging replica {} reported offset {} behind master, lag={}, state={}.",
                    Self::replica_name(c),
                    offset - r.ack_off,
                    lag,
                    r.state.name()
                );
            }
        }
        if total > 0 {
            log::info!(
                "{} of {} replicas are in sync when shutting down.",
                total - lagging,
                total
            );
        }
    }

    /// Ends a waiting shutdown that will not happen (aborted, or its save failed):
    /// the SHUTDOWN clients get an error and run again, writes resume.
    pub(crate) fn cancel_shutdown_wait(&mut self) {
        self.shutdown_force = false;
        self.shutdown_request_called_off();
        let Some(wait) = self.shutdown_wait.take() else {
            return;
        };
        for (token, id) in wait.clients {
            if let Some(Some(c)) = self.clients.get_mut(token) {
                if c.id == id && c.wait_blocked {
                    c.wait_blocked = false;
                    c.reply.raw(SHUTDOWN_FAILED.as_bytes());
                    c.queue_write(&mut self.pending_writes);
                    self.pending_reads.push(token);
                }
            }
        }
        self.refresh_pause();
        self.release_paused_clients();
    }
}
