//! The list type. (First cut: a deque of byte strings; the quicklist of packed nodes
//! replaces it behind the same API.)

use std::collections::VecDeque;

use super::EncodingLimits;

/// A list value, head first.
#[derive(Clone, Debug, Default)]
pub struct List {
    items: VecDeque<Vec<u8>>,
}

impl List {
    /// A list holding `items`, head first.
    pub fn from_items(items: Vec<Vec<u8>>, _limits: &EncodingLimits) -> List {
        List {
            items: items.into(),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list has no elements (an empty list is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The encoding OBJECT ENCODING reports (Redis 7.0 reports every list as quicklist).
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }

    /// Calls `f` with every element, head to tail.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for item in &self.items {
            f(item);
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        self.items.iter().map(|i| i.capacity() + 24).sum::<usize>() + 48
    }
}
