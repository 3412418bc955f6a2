//! Chain statistics of a chained hash table, in the text of Redis's `dictGetStats`
//! (what DEBUG HTSTATS and DEBUG HTSTATS-KEY answer). The keyspace dict and the
//! collection values each walk their own buckets and hand the chain lengths here, so
//! the wording exists once.

use std::fmt::Write;

/// Chain lengths from 0 to this minus 2 are counted one by one; longer chains are
/// counted in the last slot, which the text never prints (as Redis's
/// `DICT_STATS_VECTLEN`).
const CHAIN_LENGTH_SLOTS: usize = 50;

/// What one table of a hash table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableStats {
    /// Buckets.
    pub size: usize,
    /// Entries.
    pub used: usize,
    /// Buckets that hold at least one entry.
    pub non_empty: usize,
    pub max_chain: usize,
    /// Sum of the chain lengths (equal to `used` unless the table is inconsistent).
    pub total_chain: usize,
    /// How many buckets have each chain length (the last slot: that length or more).
    pub chain_lengths: [usize; CHAIN_LENGTH_SLOTS],
}

impl TableStats {
    /// The statistics of a table of `size` buckets and `used` entries whose buckets
    /// have the chain lengths `chains` (one item per bucket, empty buckets included).
    pub fn collect(size: usize, used: usize, chains: impl Iterator<Item = usize>) -> TableStats {
        let mut stats = TableStats {
            size,
            used,
            non_empty: 0,
            max_chain: 0,
            total_chain: 0,
            chain_lengths: [0; CHAIN_LENGTH_SLOTS],
        };
        for len in chains {
            stats.chain_lengths[len.min(CHAIN_LENGTH_SLOTS - 1)] += 1;
            if len > 0 {
                stats.non_empty += 1;
                stats.max_chain = stats.max_chain.max(len);
                stats.total_chain += len;
            }
        }
        stats
    }
}

/// Redis's text for a hash table: its main table, then (while it rehashes) the table
/// it rehashes into. Ratios are computed in single precision, as Redis's are.
pub fn render(main: &TableStats, rehash_target: Option<&TableStats>) -> String {
    let mut out = String::new();
    render_table(&mut out, 0, main);
    if let Some(target) = rehash_target {
        render_table(&mut out, 1, target);
    }
    out
}

fn render_table(out: &mut String, index: usize, t: &TableStats) {
    let role = if index == 0 {
        "main hash table"
    } else {
        "rehashing target"
    };
    let _ = writeln!(out, "Hash table {index} stats ({role}):");
    if t.used == 0 {
        out.push_str("No stats available for empty dictionaries\n");
        return;
    }
    let slots = t.non_empty as f32;
    let _ = write!(
        out,
        " table size: {}\n number of elements: {}\n different slots: {}\n max chain length: {}\n \
         avg chain length (counted): {:.2}\n avg chain length (computed): {:.2}\n \
         Chain length distribution:\n",
        t.size,
        t.used,
        t.non_empty,
        t.max_chain,
        t.total_chain as f32 / slots,
        t.used as f32 / slots,
    );
    for (len, &buckets) in t.chain_lengths[..CHAIN_LENGTH_SLOTS - 1].iter().enumerate() {
        if buckets != 0 {
            let share = buckets as f32 / t.size as f32 * 100.0;
            let _ = writeln!(out, "   {len}: {buckets} ({share:.2}%)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_redis_text_for_a_table_with_chains() {
        // Four buckets: two empty, one chain of 1, one of 2.
        let t = TableStats::collect(4, 3, [0, 1, 0, 2].into_iter());
        assert_eq!(
            render(&t, None),
            "Hash table 0 stats (main hash table):\n table size: 4\n number of elements: 3\n \
             different slots: 2\n max chain length: 2\n avg chain length (counted): 1.50\n \
             avg chain length (computed): 1.50\n Chain length distribution:\n   \
             0: 2 (50.00%)\n   1: 1 (25.00%)\n   2: 1 (25.00%)\n"
        );
    }

    #[test]
    fn empty_tables_and_the_rehashing_target_have_their_own_lines() {
        let empty = TableStats::collect(0, 0, std::iter::empty());
        let target = TableStats::collect(2, 1, [1, 0].into_iter());
        let text = render(&empty, Some(&target));
        assert!(text.starts_with(
            "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n\
             Hash table 1 stats (rehashing target):\n table size: 2\n"
        ));
    }

    #[test]
    fn chains_past_the_last_slot_are_counted_but_not_listed() {
        let t = TableStats::collect(1, 60, [60].into_iter());
        assert_eq!(t.max_chain, 60);
        assert_eq!(t.chain_lengths[CHAIN_LENGTH_SLOTS - 1], 1);
        assert!(!render(&t, None).contains("   49:"));
    }
}
