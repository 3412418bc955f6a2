//! The sorted-set type. (First cut: member/score pairs kept sorted in a vector; the
//! listpack and skiplist encodings replace it behind the same API.)

use super::EncodingLimits;

/// A sorted set: unique members ordered by (score, member).
#[derive(Clone, Debug, Default)]
pub struct ZSet {
    pairs: Vec<(Vec<u8>, f64)>,
    compact: bool,
}

impl ZSet {
    /// A sorted set of `pairs` (members unique, scores not NaN), in the encoding
    /// `limits` choose.
    pub fn from_pairs(mut pairs: Vec<(Vec<u8>, f64)>, limits: &EncodingLimits) -> ZSet {
        pairs.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let compact = pairs.len() <= limits.zset_max_listpack_entries
            && pairs
                .iter()
                .all(|(m, _)| m.len() <= limits.zset_max_listpack_value);
        ZSet { pairs, compact }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether the sorted set has no members.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        if self.compact {
            "listpack"
        } else {
            "skiplist"
        }
    }

    /// Calls `f` with every member and its score, lowest score first.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        for (m, s) in &self.pairs {
            f(m, *s);
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        self.pairs
            .iter()
            .map(|(m, _)| m.capacity() + 64)
            .sum::<usize>()
            + 48
    }
}
