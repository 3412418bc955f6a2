//! LATENCY monitor: per event, the latest spikes above `latency-monitor-threshold` ms,
//! one sample per second, 160 kept (Redis's latency.c).

use std::collections::BTreeMap;

const SAMPLES: usize = 160;

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
}
