//! The hash type. (First cut: field/value pairs in a vector; the listpack and hashtable
//! encodings replace it behind the same API.)

use super::EncodingLimits;

/// A hash value: unique fields with their values.
#[derive(Clone, Debug, Default)]
pub struct Hash {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
    compact: bool,
}

impl Hash {
    /// A hash of `pairs` (fields unique), in the encoding `limits` choose.
    pub fn from_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>, limits: &EncodingLimits) -> Hash {
        let compact = pairs.len() <= limits.hash_max_listpack_entries
            && pairs.iter().all(|(f, v)| {
                f.len() <= limits.hash_max_listpack_value
                    && v.len() <= limits.hash_max_listpack_value
            });
        Hash { pairs, compact }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether the hash has no fields.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        if self.compact {
            "listpack"
        } else {
            "hashtable"
        }
    }

    /// Calls `f` with every field and its value.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        for (field, value) in &self.pairs {
            f(field, value);
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        self.pairs
            .iter()
            .map(|(f, v)| f.capacity() + v.capacity() + 48)
            .sum::<usize>()
            + 48
    }
}
