//! `oom-score-adj`: the server sets its own score for the kernel's OOM killer, so that
//! under memory pressure a replica is killed before its master (Redis's
//! setOOMScoreAdj).
//!
//! The score is the process's `/proc/self/oom_score_adj`. The one the process started
//! with is read when the server first takes control of it; `yes`/`relative` add the
//! configured value to it, `absolute` replaces it, and `no` puts it back. The third
//! value of `oom-score-adj-values` is for Redis's forked children: ferrodis snapshots
//! in a thread of its own process, which shares the process's score, so it has nothing
//! to apply to.

use std::io;

use super::Server;
use crate::config::OomScoreAdj;

const OOM_SCORE_ADJ: &str = "/proc/self/oom_score_adj";

/// Whether the server changed the process's score, and the score it found then.
#[derive(Debug, Default)]
pub struct OomScoreState {
    adjusted: bool,
    base: i32,
}

/// The score to write for `value` of the configured class: relative to `base` or not,
/// clamped to the kernel's range.
fn score_for(mode: OomScoreAdj, value: i32, base: i32) -> i32 {
    let score = if mode == OomScoreAdj::Absolute {
        value
    } else {
        value + base
    };
    score.clamp(-1000, 1000)
}

fn read_score() -> io::Result<i32> {
    let text = std::fs::read_to_string(OOM_SCORE_ADJ)?;
    // The kernel writes a decimal and a newline; atoi-like, as Redis reads it.
    Ok(crate::util::numbers::atoi(text.as_bytes()))
}

fn write_score(score: i32) -> io::Result<()> {
    std::fs::write(OOM_SCORE_ADJ, format!("{score}\n"))
}

impl Server {
    /// Sets the process's OOM score for its current role (master or replica) as
    /// `oom-score-adj` says, or restores the original one once it is `no`. Called at
    /// start-up, on CONFIG SET of either directive and when the role changes. A failure
    /// is logged; CONFIG SET turns it into an error.
    pub fn apply_oom_score_adj(&mut self) -> io::Result<()> {
        let mode = self.config.oom_score_adj;
        let score = if mode != OomScoreAdj::No {
            if !self.oom_score.adjusted {
                self.oom_score.base = read_score().inspect_err(|e| {
                    log::warn!("Unable to read oom_score_adj: {e}");
                })?;
                self.oom_score.adjusted = true;
            }
            let class = usize::from(self.repl.is_replica());
            score_for(
                mode,
                self.config.oom_score_adj_values[class],
                self.oom_score.base,
            )
        } else if self.oom_score.adjusted {
            self.oom_score.adjusted = false;
            self.oom_score.base
        } else {
            return Ok(());
        };
        write_score(score).inspect_err(|e| log::warn!("Unable to write oom_score_adj: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_scores_add_to_the_base_and_all_are_clamped() {
        assert_eq!(score_for(OomScoreAdj::Yes, 10, 22), 32);
        assert_eq!(score_for(OomScoreAdj::Absolute, 10, 22), 10);
        assert_eq!(score_for(OomScoreAdj::Yes, 2000, 0), 1000);
        assert_eq!(score_for(OomScoreAdj::Yes, -2000, 500), -1000);
        assert_eq!(score_for(OomScoreAdj::Absolute, -1500, 900), -1000);
    }
}
