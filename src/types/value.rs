//! `Value`: what a key holds, and `Object`: a value plus its access clock.
//!
//! Strings come in three shapes, as in Redis: an integer (`OBJECT ENCODING` "int"), a
//! short immutable string kept inline, and a growable buffer behind an `Arc` that
//! APPEND/SETRANGE/SETBIT mutate in place (copy-on-write when a snapshot shares it).
//! Collections arrive with the data-types work; each sits behind an `Arc` so a snapshot
//! can share it and the main thread copies it only when it writes while shared.

use std::sync::Arc;

use super::{EncodingLimits, Hash, List, Set, SmallBytes, Stream, ZSet};
use crate::persistence::rdb::RdbValue;

/// A key's value. 24 bytes: small strings and integers need no allocation.
#[derive(Clone, Debug)]
pub enum Value {
    /// A string that is the decimal form of an `i64` (Redis's "int" encoding).
    Int(i64),
    /// An immutable string, inline up to 22 bytes.
    Str(SmallBytes),
    /// A string that has been modified in place (Redis's "raw" encoding).
    Buf(Arc<Vec<u8>>),
    /// A list.
    List(Arc<List>),
    /// A hash.
    Hash(Arc<Hash>),
    /// A set.
    Set(Arc<Set>),
    /// A sorted set.
    ZSet(Arc<ZSet>),
    /// A stream.
    Stream(Arc<Stream>),
}

/// A collection type that a [`Value`] can hold: lets one generic accessor hand a command
/// the typed collection behind a key, or tell it the key holds another type.
pub trait Collection {
    /// The collection inside `value`, None when `value` is of another type.
    fn inside(value: &Value) -> Option<&Self>;
}

macro_rules! collection_variant {
    ($ty:ty, $variant:ident) => {
        impl Collection for $ty {
            fn inside(value: &Value) -> Option<&Self> {
                match value {
                    Value::$variant(inner) => Some(inner),
                    _ => None,
                }
            }
        }
    };
}

collection_variant!(List, List);
collection_variant!(Hash, Hash);
collection_variant!(Set, Set);
collection_variant!(ZSet, ZSet);
collection_variant!(Stream, Stream);

/// The Redis type of a value, as TYPE and SCAN ... TYPE name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

impl ValueType {
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Set => "set",
            ValueType::ZSet => "zset",
            ValueType::Hash => "hash",
            ValueType::Stream => "stream",
        }
    }

    /// Parses a type name as TYPE prints it (case-insensitive), for SCAN ... TYPE.
    pub fn from_name(name: &[u8]) -> Option<ValueType> {
        let all = [
            ValueType::String,
            ValueType::List,
            ValueType::Set,
            ValueType::ZSet,
            ValueType::Hash,
            ValueType::Stream,
        ];
        all.into_iter()
            .find(|t| t.name().as_bytes().eq_ignore_ascii_case(name))
    }
}

/// Strings up to this length report the "embstr" encoding, as in Redis.
const EMBSTR_MAX: usize = 44;

impl Value {
    /// Moves one rehash step of a set's or a hash's table, if it is rehashing and no
    /// snapshot shares the value. Reads of a key do it, as Redis's lookups do: a
    /// collection that grew and is then only read would otherwise stay half-rehashed,
    /// with both tables allocated and lookups probing both.
    pub fn rehash_step_if_rehashing(&mut self) {
        match self {
            Value::Set(set) if set.is_rehashing() => {
                if let Some(set) = Arc::get_mut(set) {
                    set.rehash_step();
                }
            }
            Value::Hash(hash) if hash.is_rehashing() => {
                if let Some(hash) = Arc::get_mut(hash) {
                    hash.rehash_step();
                }
            }
            _ => {}
        }
    }

    /// Builds a string value from bytes, choosing the integer form when the bytes are
    /// exactly the canonical decimal form of an `i64` (as Redis's tryObjectEncoding does).
    pub fn string(bytes: &[u8]) -> Value {
        if let Some(n) = canonical_i64(bytes) {
            return Value::Int(n);
        }
        Value::Str(SmallBytes::new(bytes))
    }

    /// Like [`Value::string`], taking ownership of the buffer.
    pub fn string_from_vec(bytes: Vec<u8>) -> Value {
        if let Some(n) = canonical_i64(&bytes) {
            return Value::Int(n);
        }
        Value::Str(SmallBytes::from_vec(bytes))
    }

    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Int(_) | Value::Str(_) | Value::Buf(_) => ValueType::String,
            Value::List(_) => ValueType::List,
            Value::Hash(_) => ValueType::Hash,
            Value::Set(_) => ValueType::Set,
            Value::ZSet(_) => ValueType::ZSet,
            Value::Stream(_) => ValueType::Stream,
        }
    }

    /// Whether this value is a string (any encoding).
    pub fn is_string(&self) -> bool {
        self.value_type() == ValueType::String
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Str(s) if s.len() <= EMBSTR_MAX => "embstr",
            Value::Str(_) | Value::Buf(_) => "raw",
            Value::List(l) => l.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
            Value::Stream(s) => s.encoding_name(),
        }
    }

    /// DEBUG HTSTATS-KEY's text: the chain statistics of the value's hash table, or
    /// None when its encoding has none (strings, lists, compact encodings).
    pub fn hash_table_stats(&self) -> Option<String> {
        match self {
            Value::Hash(h) => h.hash_table_stats(),
            Value::Set(s) => s.hash_table_stats(),
            Value::ZSet(z) => z.hash_table_stats(),
            Value::Int(_) | Value::Str(_) | Value::Buf(_) | Value::List(_) | Value::Stream(_) => {
                None
            }
        }
    }

    /// The bytes of a string value; integers are formatted into `scratch`.
    /// Returns `None` for non-string values.
    pub fn string_bytes<'a>(&'a self, scratch: &'a mut itoa_buf::Buffer) -> Option<&'a [u8]> {
        match self {
            Value::Int(n) => Some(scratch.format(*n)),
            Value::Str(s) => Some(s.as_bytes()),
            Value::Buf(b) => Some(b.as_slice()),
            Value::List(_) | Value::Hash(_) | Value::Set(_) | Value::ZSet(_) | Value::Stream(_) => {
                None
            }
        }
    }

    /// The bytes of a string value as an owned vector (None for other types).
    pub fn to_string_vec(&self) -> Option<Vec<u8>> {
        let mut scratch = itoa_buf::Buffer::new();
        self.string_bytes(&mut scratch).map(|b| b.to_vec())
    }

    /// Turns a string value into a mutable buffer and returns it, for in-place edits
    /// (APPEND, SETRANGE, SETBIT). Copies the buffer only if a snapshot shares it.
    /// Panics if the value is not a string: callers check the type first.
    pub fn string_buf_mut(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Value::Buf(_)) {
            let bytes = self
                .to_string_vec()
                .expect("string_buf_mut on a non-string");
            *self = Value::Buf(Arc::new(bytes));
        }
        match self {
            Value::Buf(b) => Arc::make_mut(b),
            _ => unreachable!(),
        }
    }

    /// Approximate bytes used by this value beyond the dict entry, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Int(_) => 0,
            Value::Str(s) => s.heap_size(),
            Value::Buf(b) => b.capacity() + 40,
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => s.heap_size(),
            Value::ZSet(z) => z.heap_size(),
            Value::Stream(s) => s.heap_size(),
        }
    }

    /// The codec's model of this value (for DUMP, and RDB writing of collections).
    pub fn to_rdb(&self) -> RdbValue {
        match self {
            Value::Int(n) => RdbValue::String(n.to_string().into_bytes()),
            Value::Str(s) => RdbValue::String(s.as_bytes().to_vec()),
            Value::Buf(b) => RdbValue::String(b.to_vec()),
            Value::List(l) => {
                let mut items = Vec::with_capacity(l.len());
                l.for_each(|item| items.push(item.to_vec()));
                RdbValue::List(items)
            }
            Value::Hash(h) => {
                let mut pairs = Vec::with_capacity(h.len());
                h.for_each(|f, v| pairs.push((f.to_vec(), v.to_vec())));
                RdbValue::Hash(pairs)
            }
            Value::Set(s) => {
                let mut members = Vec::with_capacity(s.len());
                s.for_each(|m| members.push(m.to_vec()));
                RdbValue::Set(members)
            }
            Value::ZSet(z) => {
                let mut pairs = Vec::with_capacity(z.len());
                z.for_each(|m, score| pairs.push((m.to_vec(), score)));
                RdbValue::ZSet(pairs)
            }
            Value::Stream(s) => RdbValue::Stream(s.clone()),
        }
    }

    /// Our value for decoded RDB contents, in the encodings `limits` choose. `None` for
    /// an empty collection, which Redis never stores under a key.
    pub fn from_rdb(value: RdbValue, limits: &EncodingLimits) -> Option<Value> {
        let value = match value {
            RdbValue::String(bytes) => Value::string_from_vec(bytes),
            RdbValue::List(items) if !items.is_empty() => {
                Value::List(Arc::new(List::from_items(items, limits)))
            }
            RdbValue::Hash(pairs) if !pairs.is_empty() => {
                Value::Hash(Arc::new(Hash::from_pairs(pairs, limits)))
            }
            RdbValue::Set(members) if !members.is_empty() => {
                Value::Set(Arc::new(Set::from_members(members, limits)))
            }
            RdbValue::ZSet(pairs) if !pairs.is_empty() => {
                Value::ZSet(Arc::new(ZSet::from_pairs(pairs, limits)))
            }
            // Unlike the other types, a stream stays when its last entry goes (its IDs
            // and groups live on), so an empty one is a value.
            RdbValue::Stream(s) => Value::Stream(s),
            _ => return None,
        };
        Some(value)
    }
}

/// Parses `bytes` as an `i64` only if it is exactly that integer's canonical decimal form
/// (no sign on zero, no leading zeros, no spaces), so the round trip is byte-exact. This
/// is precisely Redis's string2ll, which `util::numbers::parse_i64` implements.
pub fn canonical_i64(bytes: &[u8]) -> Option<i64> {
    crate::util::numbers::parse_i64(bytes)
}

/// A value plus the LRU clock (seconds resolution, 24 bits as in Redis) of its last access.
#[derive(Clone, Debug)]
pub struct Object {
    pub value: Value,
    pub lru: u32,
}

impl Object {
    pub fn new(value: Value, lru: u32) -> Object {
        Object { value, lru }
    }
}

/// A keyspace page copy clones objects, which bumps the reference count of a value on
/// the heap: point the CPU at it ahead of time.
impl crate::db::dict::DictValue for Object {
    #[inline(always)]
    fn prefetch_heap(&self) {
        use crate::db::dict::prefetch_read;
        match &self.value {
            Value::Int(_) => {}
            Value::Str(s) => s.prefetch_heap(),
            Value::Buf(b) => prefetch_read(&**b),
            Value::List(l) => prefetch_read(&**l),
            Value::Hash(h) => prefetch_read(&**h),
            Value::Set(s) => prefetch_read(&**s),
            Value::ZSet(z) => prefetch_read(&**z),
            Value::Stream(s) => prefetch_read(&**s),
        }
    }
}

/// A small stack buffer for formatting integers without allocating.
pub mod itoa_buf {
    pub struct Buffer {
        buf: [u8; 20],
        len: usize,
    }

    impl Default for Buffer {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Buffer {
        pub fn new() -> Buffer {
            Buffer {
                buf: [0; 20],
                len: 0,
            }
        }

        /// Formats `n` in decimal and returns the digits.
        pub fn format(&mut self, n: i64) -> &[u8] {
            let mut tmp = [0u8; 20];
            let mut i = tmp.len();
            let neg = n < 0;
            let mut u = n.unsigned_abs();
            loop {
                i -= 1;
                tmp[i] = b'0' + (u % 10) as u8;
                u /= 10;
                if u == 0 {
                    break;
                }
            }
            if neg {
                i -= 1;
                tmp[i] = b'-';
            }
            self.len = tmp.len() - i;
            self.buf[..self.len].copy_from_slice(&tmp[i..]);
            &self.buf[..self.len]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn canonical_integers_only() {
        assert_eq!(canonical_i64(b"0"), Some(0));
        assert_eq!(canonical_i64(b"-12"), Some(-12));
        assert_eq!(canonical_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(canonical_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-0",
            b"01",
            b" 1",
            b"1 ",
            b"+1",
            b"9223372036854775808",
            b"-",
            b"1a",
        ] {
            assert_eq!(canonical_i64(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn itoa_formats_extremes() {
        let mut b = itoa_buf::Buffer::new();
        assert_eq!(b.format(i64::MIN), b"-9223372036854775808");
        assert_eq!(b.format(0), b"0");
        assert_eq!(b.format(42), b"42");
    }
}
