//! The set type. (First cut: members in a vector; the intset, listpack and hashtable
//! encodings replace it behind the same API.)

use super::EncodingLimits;

/// A set value: unique members.
#[derive(Clone, Debug, Default)]
pub struct Set {
    members: Vec<Vec<u8>>,
    intset: bool,
}

impl Set {
    /// A set of `members` (unique), in the encoding `limits` choose.
    pub fn from_members(members: Vec<Vec<u8>>, limits: &EncodingLimits) -> Set {
        let intset = members.len() <= limits.set_max_intset_entries
            && members
                .iter()
                .all(|m| crate::types::value::canonical_i64(m).is_some());
        Set { members, intset }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the set has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        if self.intset {
            "intset"
        } else {
            "hashtable"
        }
    }

    /// Calls `f` with every member.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for m in &self.members {
            f(m);
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        self.members
            .iter()
            .map(|m| m.capacity() + 32)
            .sum::<usize>()
            + 48
    }
}
