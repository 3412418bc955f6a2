//! Counters INFO reports: connection, command and error statistics.

use std::collections::BTreeMap;

/// Per-command counters (INFO commandstats) and latency histogram (LATENCY HISTOGRAM,
/// INFO latencystats; created at the first sample, as in Redis).
#[derive(Debug, Default, Clone)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    pub latency: Option<Box<crate::util::hdr::Histogram>>,
}

impl CommandStats {
    /// Adds a sample of `usec` microseconds to the latency histogram.
    pub fn record_latency(&mut self, usec: u64) {
        self.latency
            .get_or_insert_with(Default::default)
            .record(usec.saturating_mul(1000));
    }
}

/// Number of samples of the instantaneous metrics (INFO stats instantaneous_*).
const METRIC_SAMPLES: usize = 16;

/// A metric sampled every 100 ms to compute a per-second rate.
#[derive(Debug, Default, Clone)]
pub struct InstantMetric {
    last_sample_ms: i64,
    last_value: u64,
    samples: [u64; METRIC_SAMPLES],
    idx: usize,
}

impl InstantMetric {
    /// Records `value` (a monotonic counter) at `now_ms`.
    pub fn track(&mut self, now_ms: i64, value: u64) {
        if self.last_sample_ms == 0 {
            self.last_sample_ms = now_ms;
            self.last_value = value;
            return;
        }
        let dt = (now_ms - self.last_sample_ms).max(1) as u64;
        let per_sec = (value.saturating_sub(self.last_value)) * 1000 / dt;
        self.samples[self.idx] = per_sec;
        self.idx = (self.idx + 1) % METRIC_SAMPLES;
        self.last_sample_ms = now_ms;
        self.last_value = value;
    }

    /// Average of the samples, per second.
    pub fn per_second(&self) -> u64 {
        self.samples.iter().sum::<u64>() / METRIC_SAMPLES as u64
    }
}

/// Server-wide counters. Field names follow INFO's.
#[derive(Debug, Default)]
pub struct Stats {
    /// Active-expire cycles that stopped at their time budget.
    pub expired_time_cap_reached_count: u64,
    /// Time spent in active-expire cycles (µs).
    pub expire_cycle_time_us: u64,
    /// Running estimate of the share of keys with a TTL that are expired but not yet
    /// deleted (0..1), from the cycles' samples, as Redis's stat_expired_stale_perc.
    pub expired_stale_perc: f64,
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    pub rejected_connections: u64,
    pub evicted_keys: u64,
    /// Clients closed by client eviction (`maxmemory-clients`).
    pub evicted_clients: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub client_query_buffer_limit_disconnections: u64,
    pub io_reads_processed: u64,
    pub io_writes_processed: u64,
    /// Error code -> count (INFO errorstats).
    pub errors: BTreeMap<String, u64>,
    pub ops_metric: InstantMetric,
    pub net_input_metric: InstantMetric,
    pub net_output_metric: InstantMetric,
}

impl Stats {
    /// Counts an error reply under its code.
    pub fn count_error(&mut self, code: &str) {
        self.total_error_replies += 1;
        // Redis caps the distinct error codes it tracks at 128.
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < 128 {
            self.errors.insert(code.to_string(), 1);
        }
    }

    /// CONFIG RESETSTAT: zeroes what Redis zeroes.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
