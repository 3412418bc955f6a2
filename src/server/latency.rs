//! LATENCY monitor: per event, the latest spikes above `latency-monitor-threshold` ms,
//! one sample per second, 160 kept (Redis's latency.c); LATENCY GRAPH's sparkline and
//! LATENCY DOCTOR's report.

use std::collections::BTreeMap;
use std::fmt::Write as _;

const SAMPLES: usize = 160;

/// LATENCY GRAPH: columns per block of the sparkline before it wraps.
const GRAPH_COLUMNS: usize = 80;
/// LATENCY GRAPH: text rows of the sparkline; each row has three levels.
const GRAPH_ROWS: usize = 4;
/// Glyphs of the three levels inside one row, lowest first; a cell below the row
/// holding a sample's level is drawn as `|`.
const GRAPH_LEVELS: &[u8; 3] = b"_o#";

#[derive(Debug, Clone, Copy)]
pub struct LatencySample {
    /// Unix seconds.
    pub time: i64,
    pub latency_ms: u64,
}

#[derive(Debug, Default, Clone)]
pub struct LatencyEvent {
    /// Oldest first.
    pub samples: Vec<LatencySample>,
    pub max_ms: u64,
}

#[derive(Debug, Default)]
pub struct LatencyMonitor {
    pub events: BTreeMap<String, LatencyEvent>,
}

impl LatencyMonitor {
    /// Records `latency_ms` for `event` if it reaches the threshold (0 = disabled).
    #[inline]
    pub fn maybe_record(&mut self, threshold_ms: u64, event: &str, latency_ms: u64, now_s: i64) {
        if threshold_ms == 0 || latency_ms < threshold_ms {
            return;
        }
        self.record(event, latency_ms, now_s);
    }

    /// Adds a sample (the slow path of [`LatencyMonitor::maybe_record`]).
    #[cold]
    fn record(&mut self, event: &str, latency_ms: u64, now_s: i64) {
        let ev = self.events.entry(event.to_string()).or_default();
        ev.max_ms = ev.max_ms.max(latency_ms);
        match ev.samples.last_mut() {
            // One sample per second: keep the worst.
            Some(last) if last.time == now_s => last.latency_ms = last.latency_ms.max(latency_ms),
            _ => {
                ev.samples.push(LatencySample {
                    time: now_s,
                    latency_ms,
                });
                if ev.samples.len() > SAMPLES {
                    ev.samples.remove(0);
                }
            }
        }
    }

    /// Forgets the named events (all when `names` is empty); returns how many were reset.
    pub fn reset(&mut self, names: &[String]) -> usize {
        if names.is_empty() {
            let n = self.events.len();
            self.events.clear();
            return n;
        }
        names
            .iter()
            .filter(|n| self.events.remove(n.as_str()).is_some())
            .count()
    }
}

/// Figures of one event's kept samples, as LATENCY DOCTOR reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventStats {
    pub samples: usize,
    /// Integer mean of the samples (ms).
    pub avg_ms: u64,
    /// Integer mean absolute deviation from `avg_ms` (ms).
    pub mad_ms: u64,
    /// Seconds from the oldest kept sample to now (at least 1).
    pub period_s: i64,
    /// Worst latency ever recorded for the event, even if no longer kept.
    pub max_ms: u64,
}

impl LatencyEvent {
    /// Count, average, mean deviation and period of the kept samples at `now_s`.
    pub fn stats(&self, now_s: i64) -> EventStats {
        let n = self.samples.len();
        let mut st = EventStats {
            samples: n,
            avg_ms: 0,
            mad_ms: 0,
            period_s: 0,
            max_ms: self.max_ms,
        };
        if n == 0 {
            return st;
        }
        let sum: u64 = self.samples.iter().map(|s| s.latency_ms).sum();
        st.avg_ms = sum / n as u64;
        let oldest = self.samples.iter().map(|s| s.time).min().unwrap_or(now_s);
        st.period_s = (now_s - oldest).max(0);
        if st.period_s == 0 {
            st.period_s = 1;
        }
        let dev: u64 = self
            .samples
            .iter()
            .map(|s| s.latency_ms.abs_diff(st.avg_ms))
            .sum();
        st.mad_ms = dev / n as u64;
        st
    }
}

/// Short age of a sample for the graph's column labels: `42s`, `3m`, `5h`, `2d`
/// (whole units, truncated).
fn age_label(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// Appends the filled ASCII sparkline of `points` (value, label) to `out`: blocks of at
/// most [`GRAPH_COLUMNS`] columns separated by an empty line; each block has
/// [`GRAPH_ROWS`] rows scaled between the smallest and largest value, one blank line,
/// then the labels written top to bottom, one character per line.
fn render_sparkline(out: &mut String, points: &[(u64, String)]) {
    let Some(min) = points.iter().map(|p| p.0).min() else {
        return;
    };
    let max = points.iter().map(|p| p.0).max().unwrap_or(min);
    let range = if max == min { 1 } else { (max - min) as u128 };
    let levels = GRAPH_LEVELS.len() * GRAPH_ROWS;
    // The level of each point: 0 for the minimum, `levels - 1` for the maximum.
    let level = |v: u64| -> usize {
        let scaled = (v - min) as u128 * levels as u128 / range;
        (scaled as usize).min(levels - 1)
    };
    for (block_no, block) in points.chunks(GRAPH_COLUMNS).enumerate() {
        if block_no > 0 {
            out.push('\n');
        }
        let block_levels: Vec<usize> = block.iter().map(|p| level(p.0)).collect();
        for row in 0..GRAPH_ROWS {
            // Levels covered by this row start at `base` (the top row has the highest).
            let base = (GRAPH_ROWS - 1 - row) * GRAPH_LEVELS.len();
            for &l in &block_levels {
                out.push(match l.checked_sub(base) {
                    Some(i) if i < GRAPH_LEVELS.len() => GRAPH_LEVELS[i] as char,
                    Some(_) => '|',
                    None => ' ',
                });
            }
            out.push('\n');
        }
        // A blank line between the graph and its labels.
        out.push_str(&" ".repeat(block.len()));
        out.push('\n');
        let deepest = block.iter().map(|p| p.1.len()).max().unwrap_or(0);
        for depth in 0..deepest {
            for p in block {
                out.push(p.1.as_bytes().get(depth).map_or(' ', |&b| b as char));
            }
            out.push('\n');
        }
    }
}

/// The server settings LATENCY DOCTOR's advice depends on.
#[derive(Debug, Clone, Copy)]
pub struct DoctorSettings {
    pub latency_monitor_threshold_ms: u64,
    /// `slowlog-log-slower-than` (µs; negative = slow log disabled).
    pub slowlog_log_slower_than_us: i64,
    pub hz: u32,
    pub appendfsync_always: bool,
}

impl LatencyMonitor {
    /// LATENCY GRAPH: a header with the event's name, its kept high and low and its
    /// all-time high, a line of dashes, then the sparkline of its samples labelled by
    /// age at `now_s`. `None` when the event has no samples.
    pub fn graph(&self, event: &str, now_s: i64) -> Option<String> {
        let ev = self.events.get(event)?;
        let points: Vec<(u64, String)> = ev
            .samples
            .iter()
            .map(|s| (s.latency_ms, age_label(now_s - s.time)))
            .collect();
        let high = points.iter().map(|p| p.0).max().unwrap_or(0);
        let low = points.iter().map(|p| p.0).min().unwrap_or(0);
        let mut out = format!(
            "{event} - high {high} ms, low {low} ms (all time high {} ms)\n",
            ev.max_ms
        );
        out.push_str(&"-".repeat(GRAPH_COLUMNS));
        out.push('\n');
        render_sparkline(&mut out, &points);
        Some(out)
    }

    /// LATENCY DOCTOR: a plain-text report with, per event, its number of spikes,
    /// average, mean deviation, period and worst latency, followed by advice for the
    /// kinds of events seen; or a statement that nothing was recorded (or that the
    /// monitor is off).
    pub fn doctor(&self, cfg: &DoctorSettings, now_s: i64) -> String {
        let threshold = cfg.latency_monitor_threshold_ms;
        if self.events.is_empty() {
            return if threshold == 0 {
                "The latency monitor is disabled and has recorded no event. Enable it with \
                 'CONFIG SET latency-monitor-threshold <milliseconds>' to collect samples.\n"
                    .to_string()
            } else {
                format!(
                    "No latency spike (an event of {threshold} ms or more) has been recorded \
                     since this server started.\n"
                )
            };
        }
        let mut advice: Vec<String> = Vec::new();
        let mut advise = |text: String| {
            if !advice.contains(&text) {
                advice.push(text);
            }
        };
        let mut out = String::from("Latency spikes were recorded for these events:\n\n");
        for (n, (name, ev)) in self.events.iter().enumerate() {
            let st = ev.stats(now_s);
            let _ = writeln!(
                out,
                "{}. {name}: {} spikes, average {} ms, mean deviation {} ms, one every {:.2} s; worst ever {} ms.",
                n + 1,
                st.samples,
                st.avg_ms,
                st.mad_ms,
                st.period_s as f64 / st.samples.max(1) as f64,
                st.max_ms
            );
            match name.as_str() {
                "command" => {
                    let fits = threshold * 1000;
                    if cfg.slowlog_log_slower_than_us < 0 {
                        advise(format!(
                            "- The slow log is disabled, so the slow commands behind these spikes \
                             are not logged. Enable it with 'CONFIG SET slowlog-log-slower-than {fits}'.\n"
                        ));
                    } else if cfg.slowlog_log_slower_than_us / 1000 > threshold as i64 {
                        advise(format!(
                            "- The slow log only keeps commands slower than the latency threshold \
                             allows; lower it with 'CONFIG SET slowlog-log-slower-than {fits}'.\n"
                        ));
                    }
                    advise(
                        "- Run SLOWLOG GET to see which commands are slow, and prefer commands \
                         that work on a bounded number of elements.\n"
                            .into(),
                    );
                    advise(LARGE_OBJECTS.into());
                }
                "fast-command" => advise(
                    "- Even O(1)/O(log N) commands were slow: the server did not get the CPU \
                     for long stretches. Lower the host's load, avoid noisy neighbours or shared \
                     hosts, and measure the system's intrinsic latency (redis-cli \
                     --intrinsic-latency 100).\n"
                        .into(),
                ),
                "aof-write" => {
                    advise(
                        "- Writes to the append only file were slow: keep it on a local disk \
                         (an SSD if possible) and reduce other disk activity on the host.\n"
                            .into(),
                    );
                }
                "aof-fsync-always" if cfg.appendfsync_always => advise(
                    "- 'appendfsync always' syncs the disk after every write; if the \
                     durability needs allow it, use 'CONFIG SET appendfsync everysec'.\n"
                        .into(),
                ),
                "expire-cycle" => {
                    if cfg.hz < 100 {
                        advise(
                            "- Spread the expiry work over more, shorter cycles with \
                             'CONFIG SET hz 100'.\n"
                                .into(),
                        );
                    }
                    advise(LARGE_OBJECTS.into());
                }
                "eviction-del" => advise(LARGE_OBJECTS.into()),
                "eviction-cycle" => advise(
                    "- Evicting many keys at once blocks the server: avoid lowering 'maxmemory' \
                     abruptly and creating very large values in one command.\n"
                        .into(),
                ),
                _ => {}
            }
        }
        if advice.is_empty() {
            out.push_str(
                "\nNo simple remedy applies to these events; include this report when \
                 asking for help.\n",
            );
        } else {
            out.push_str("\nAdvice:\n\n");
            for a in &advice {
                out.push_str(a);
            }
        }
        out
    }
}

/// Advice shared by the events that delete, expire or evict values.
const LARGE_OBJECTS: &str = "- Deleting, expiring or evicting a very large value blocks the \
     server for as long as freeing it takes; split such values into several smaller keys.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_spikes_once_per_second() {
        let mut m = LatencyMonitor::default();
        m.maybe_record(0, "command", 500, 1);
        assert!(m.events.is_empty());
        m.maybe_record(10, "command", 5, 1);
        assert!(m.events.is_empty());
        m.maybe_record(10, "command", 20, 1);
        m.maybe_record(10, "command", 30, 1);
        m.maybe_record(10, "command", 15, 2);
        let ev = &m.events["command"];
        assert_eq!(ev.samples.len(), 2);
        assert_eq!(ev.samples[0].latency_ms, 30);
        assert_eq!(ev.max_ms, 30);
        assert_eq!(m.reset(&[]), 1);
    }

    fn event(samples: &[(i64, u64)]) -> LatencyMonitor {
        let mut m = LatencyMonitor::default();
        for &(t, ms) in samples {
            m.maybe_record(1, "command", ms, t);
        }
        m
    }

    #[test]
    fn graph_draws_levels_and_age_labels() {
        let m = event(&[(1000, 10), (1030, 50), (1059, 110), (1060, 30)]);
        let g = m.graph("command", 1060 + 3600).unwrap();
        let want = format!(
            "command - high 110 ms, low 10 ms (all time high 110 ms)\n{}\n  # \n  | \n \
             o| \n_||#\n    \n1111\nhhhh\n",
            "-".repeat(80)
        );
        assert_eq!(g, want);
        let g = m.graph("command", 1060).unwrap();
        assert!(g.ends_with("    \n1310\nm0ss\n s  \n"), "{g}");
        assert!(m.graph("other", 1060).is_none());
    }

    #[test]
    fn graph_wraps_every_80_columns() {
        let samples: Vec<(i64, u64)> = (0..100).map(|i| (i, 5 + (i as u64 % 3))).collect();
        let m = event(&samples);
        let g = m.graph("command", 100).unwrap();
        let lines: Vec<&str> = g.split('\n').collect();
        // Header, dashes, then block 1: 4 rows, blank, 3 label rows ("100s" ... "21s").
        assert_eq!(lines[2].len(), 80);
        assert_eq!(lines[6], " ".repeat(80));
        assert!(lines[7].starts_with(&format!("{}5", "1".repeat(41))), "{g}");
        assert_eq!(lines[8].as_bytes()[40], b'm');
        assert_eq!(lines[10], "", "blocks are separated by an empty line");
        assert_eq!(lines[11].len(), 20);
        assert_eq!(lines[16], "21111111111987654321");
        assert_eq!(lines[18], "sssssssssss         ");
        assert_eq!(lines[19], "");
        assert_eq!(lines.len(), 20);
    }

    #[test]
    fn doctor_figures_and_empty_reports() {
        let cfg = DoctorSettings {
            latency_monitor_threshold_ms: 1,
            slowlog_log_slower_than_us: -1,
            hz: 10,
            appendfsync_always: true,
        };
        let empty = LatencyMonitor::default();
        assert!(empty.doctor(&cfg, 0).starts_with("No latency spike"));
        let off = DoctorSettings {
            latency_monitor_threshold_ms: 0,
            ..cfg
        };
        assert!(empty.doctor(&off, 0).contains("disabled"));
        let mut m = event(&[(10, 10), (11, 20), (12, 60)]);
        m.maybe_record(1, "aof-fsync-always", 7, 12);
        let st = m.events["command"].stats(16);
        assert_eq!(
            (st.samples, st.avg_ms, st.mad_ms, st.period_s),
            (3, 30, 20, 6)
        );
        let r = m.doctor(&cfg, 16);
        assert!(r.contains("1. aof-fsync-always: 1 spikes, average 7 ms, mean deviation 0 ms, one every 4.00 s; worst ever 7 ms.\n"), "{r}");
        assert!(r.contains("2. command: 3 spikes, average 30 ms, mean deviation 20 ms, one every 2.00 s; worst ever 60 ms.\n"), "{r}");
        assert!(
            r.contains("'CONFIG SET slowlog-log-slower-than 1000'"),
            "{r}"
        );
        assert!(r.contains("appendfsync everysec"), "{r}");
    }
}
