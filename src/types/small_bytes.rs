//! `SmallBytes`: an immutable byte string that keeps up to 22 bytes inline.
//!
//! Keys, and most values a cache stores, are short. Keeping them inline in the dict entry
//! saves an allocation (and its allocator slack) per key, and makes copying an entry on
//! copy-on-write as cheap as a `memcpy`. Longer strings live behind an `Arc`, so cloning
//! them only bumps a count.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Longest byte string stored inline (24 bytes total with tag and length).
pub const INLINE_CAP: usize = 22;

/// An immutable byte string, inline when short.
#[derive(Clone)]
pub enum SmallBytes {
    Inline { len: u8, data: [u8; INLINE_CAP] },
    Heap(Arc<[u8]>),
}

impl SmallBytes {
    /// Copies `bytes` into a new string, inline when it fits.
    pub fn new(bytes: &[u8]) -> SmallBytes {
        if bytes.len() <= INLINE_CAP {
            let mut data = [0u8; INLINE_CAP];
            data[..bytes.len()].copy_from_slice(bytes);
            SmallBytes::Inline {
                len: bytes.len() as u8,
                data,
            }
        } else {
            SmallBytes::Heap(Arc::from(bytes))
        }
    }

    /// Takes ownership of `bytes`, inline when it fits.
    pub fn from_vec(bytes: Vec<u8>) -> SmallBytes {
        if bytes.len() <= INLINE_CAP {
            SmallBytes::new(&bytes)
        } else {
            SmallBytes::Heap(Arc::from(bytes.into_boxed_slice()))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SmallBytes::Inline { len, data } => &data[..*len as usize],
            SmallBytes::Heap(b) => b,
        }
    }

    /// Bytes of heap memory this string owns beyond its own 24 bytes.
    pub fn heap_size(&self) -> usize {
        match self {
            SmallBytes::Inline { .. } => 0,
            SmallBytes::Heap(b) => b.len() + 16,
        }
    }
}

impl Deref for SmallBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for SmallBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for SmallBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for SmallBytes {}

impl PartialOrd for SmallBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SmallBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for SmallBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl From<&[u8]> for SmallBytes {
    fn from(b: &[u8]) -> Self {
        SmallBytes::new(b)
    }
}

impl From<Vec<u8>> for SmallBytes {
    fn from(b: Vec<u8>) -> Self {
        SmallBytes::from_vec(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_24_bytes() {
        assert_eq!(std::mem::size_of::<SmallBytes>(), 24);
    }

    #[test]
    fn inline_and_heap_round_trip() {
        for n in [0, 1, 21, 22, 23, 100] {
            let v: Vec<u8> = (0..n as u8).collect();
            let s = SmallBytes::new(&v);
            assert_eq!(s.as_bytes(), &v[..]);
            assert_eq!(matches!(s, SmallBytes::Inline { .. }), n <= INLINE_CAP);
            assert_eq!(SmallBytes::from_vec(v.clone()), s);
        }
    }
}
