//! The latency histogram of a command (LATENCY HISTOGRAM, INFO latencystats): an HDR
//! histogram with Redis's parameters (values 1 ns to 1 s, 2 significant figures), laid
//! out as the C hdr_histogram library Redis vendors lays it out, so that bucket bounds,
//! percentiles and the logarithmic walk give Redis's numbers.

/// Lowest and highest trackable values (ns) and significant figures, as Redis's
/// LATENCY_HISTOGRAM_MIN_VALUE, _MAX_VALUE and _PRECISION.
pub const MIN_VALUE: u64 = 1;
pub const MAX_VALUE: u64 = 1_000_000_000;

/// 2 significant figures: 2 * 10^2 values need 256 sub-buckets.
const SUB_BUCKET_COUNT: u64 = 256;
const SUB_BUCKET_HALF_COUNT: usize = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: u32 = 7;
const SUB_BUCKET_MASK: u64 = 255;
/// Buckets needed to reach MAX_VALUE (256 << 22 > 10^9), and the counts array length.
const BUCKET_COUNT: usize = 23;
const COUNTS_LEN: usize = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

/// A histogram of nanosecond durations.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Box<[u64; COUNTS_LEN]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; COUNTS_LEN]),
            total: 0,
        }
    }
}

fn bucket_index(value: u64) -> u32 {
    let pow2ceiling = 64 - (value | SUB_BUCKET_MASK).leading_zeros();
    pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
}

fn sub_bucket_index(value: u64, bucket: u32) -> u64 {
    value >> bucket
}

fn counts_index(value: u64) -> usize {
    let bucket = bucket_index(value);
    let sub = sub_bucket_index(value, bucket);
    ((bucket as usize + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + sub as usize
        - SUB_BUCKET_HALF_COUNT
}

/// The value at counts index `index` (the lowest of its range).
fn value_at_index(index: usize) -> u64 {
    let mut bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) as i64 - 1;
    let mut sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) as u64 + SUB_BUCKET_HALF_COUNT as u64;
    if bucket < 0 {
        sub -= SUB_BUCKET_HALF_COUNT as u64;
        bucket = 0;
    }
    sub << bucket
}

fn lowest_equivalent(value: u64) -> u64 {
    let bucket = bucket_index(value);
    sub_bucket_index(value, bucket) << bucket
}

/// The largest value counted in the same slot as `value`.
fn highest_equivalent(value: u64) -> u64 {
    let bucket = bucket_index(value);
    let sub = sub_bucket_index(value, bucket);
    let adjusted = if sub >= SUB_BUCKET_COUNT {
        bucket + 1
    } else {
        bucket
    };
    (sub << bucket) + (1u64 << adjusted) - 1
}

impl Histogram {
    /// Records one duration in nanoseconds, clamped to [MIN_VALUE, MAX_VALUE] as Redis's
    /// updateCommandLatencyHistogram.
    pub fn record(&mut self, ns: u64) {
        let v = ns.clamp(MIN_VALUE, MAX_VALUE);
        self.counts[counts_index(v)] += 1;
        self.total += 1;
    }

    /// The number of recorded values.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// hdr_value_at_percentile: the highest value of the slot where the cumulative count
    /// reaches `percentile` percent of the total (the lowest for percentile 0).
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let requested = percentile.min(100.0);
        let wanted = (((requested / 100.0) * self.total as f64) + 0.5) as i64;
        let wanted = wanted.max(1) as u64;
        let mut cumulative = 0u64;
        let mut value = 0;
        for (idx, &n) in self.counts.iter().enumerate() {
            cumulative += n;
            if cumulative >= wanted {
                value = value_at_index(idx);
                break;
            }
        }
        if percentile == 0.0 {
            lowest_equivalent(value)
        } else {
            highest_equivalent(value)
        }
    }

    /// LATENCY HISTOGRAM's `histogram_usec` pairs: Redis walks the histogram with
    /// hdr's logarithmic iterator (first level 1024 ns, base 2) and lists, for each
    /// level where the cumulative count grew, the level's upper bound in microseconds
    /// and the count of values at or below it.
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut prefix = 0u64;
        let mut next_idx = 0usize;
        let mut previous = 0u64;
        let mut level = 1024u64;
        while previous < self.total {
            let (micros, cumulative) = if level <= value_at_index(COUNTS_LEN - 1) {
                // The walk stops at the slot of `level` itself, counted.
                let idx = counts_index(level);
                while next_idx <= idx {
                    prefix += self.counts[next_idx];
                    next_idx += 1;
                }
                (highest_equivalent(level) / 1000, prefix)
            } else {
                // Past the last slot the walk ends on it, with everything counted.
                let last = value_at_index(COUNTS_LEN - 1);
                (highest_equivalent(last) / 1000, self.total)
            };
            if cumulative > previous {
                out.push((micros, cumulative));
            }
            previous = cumulative;
            level *= 2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_bounds_match_hdr() {
        assert_eq!(counts_index(1), 1);
        assert_eq!(counts_index(255), 255);
        assert_eq!(value_at_index(COUNTS_LEN - 1), 255 << 22);
        assert!(counts_index(MAX_VALUE) < COUNTS_LEN);
        assert_eq!(highest_equivalent(1024), 1031);
        assert_eq!(highest_equivalent(16384), 16511);
        assert_eq!(highest_equivalent(1), 1);
        assert_eq!(lowest_equivalent(1030), 1024);
    }

    #[test]
    fn percentiles_and_walk() {
        let mut h = Histogram::default();
        h.record(0); // counted as 1 ns
        h.record(10_000);
        h.record(10_000);
        h.record(3_000_000);
        assert_eq!(h.total(), 4);
        // 50% of 4 = 2 values: the second lands in 10000's slot.
        assert_eq!(h.value_at_percentile(50.0), 10_047);
        assert_eq!(h.value_at_percentile(99.0), highest_equivalent(3_000_000));
        assert_eq!(h.value_at_percentile(0.0), 1);
        assert_eq!(h.cumulative_usec(), vec![(1, 1), (16, 3), (4227, 4)]);
        let mut slow = Histogram::default();
        slow.record(5_000_000_000);
        assert_eq!(slow.cumulative_usec(), vec![(1073741, 1)]);
    }
}
