//! The hash type, in Redis's two encodings.
//!
//! * **listpack**: every field and value in one contiguous byte buffer, pairs in insertion
//!   order. Used while the hash has at most `hash-max-listpack-entries` fields and every
//!   field and value is at most `hash-max-listpack-value` bytes. Lookups are linear scans
//!   of a few hundred bytes at most, and a small hash costs one allocation.
//! * **hashtable**: a [`Dict`] from field to value (incremental rehashing, Redis's
//!   reverse-binary SCAN cursor, random sampling). A hash that outgrows the listpack is
//!   converted once and never converted back, as in Redis.
//!
//! # The packed buffer
//!
//! Our own layout (not Redis's listpack bytes, which only the RDB codec needs): a
//! little-endian `u16` count of pairs, then the entries, field then value, each as one
//! tag byte and its payload:
//!
//! | tag            | payload                                        |
//! |----------------|------------------------------------------------|
//! | `0x00..=0xBF`  | a string of `tag` bytes                        |
//! | `0xC0..=0xEF`  | none: the integer `tag - 0xC0` (0..=47)        |
//! | `0xF0..=0xF4`  | an integer in 1, 2, 3, 4 or 8 bytes (LE, signed) |
//! | `0xF5`, `0xF6` | a `u16` / `u32` length, then that many bytes   |
//!
//! A string is stored as an integer exactly when it is the canonical decimal form of an
//! `i64` (Redis's `string2ll`), so reading it back gives the same bytes.

use std::mem;

use super::value::itoa_buf;
use super::{EncodingLimits, SmallBytes};
use crate::db::Dict;
use crate::util::numbers::parse_i64;

/// Largest string length a single tag byte holds.
const TAG_STR_MAX: u8 = 0xBF;
/// First tag of the immediate integers 0..=47.
const TAG_IMM: u8 = 0xC0;
/// Largest immediate integer.
const IMM_MAX: i64 = (0xEF - TAG_IMM) as i64;
/// Integer tags, by payload size.
const TAG_I8: u8 = 0xF0;
const TAG_I16: u8 = 0xF1;
const TAG_I24: u8 = 0xF2;
const TAG_I32: u8 = 0xF3;
const TAG_I64: u8 = 0xF4;
/// String with a `u16` length.
const TAG_STR16: u8 = 0xF5;
/// String with a `u32` length.
const TAG_STR32: u8 = 0xF6;
/// Bytes of the pair count at the start of a packed buffer.
const HEADER: usize = 2;
/// A packed buffer never grows past this many bytes (Redis's listpack safety limit is
/// 1 GiB); beyond it the hash converts to a table.
const PACKED_MAX_BYTES: usize = 1 << 30;

/// One element read from a packed buffer: bytes, or an integer stored compactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl<'a> Item<'a> {
    /// The element's bytes (an integer in its decimal form).
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Item::Bytes(b) => b.to_vec(),
            Item::Int(n) => itoa_buf::Buffer::new().format(n).to_vec(),
        }
    }

    /// Calls `f` with the element's bytes, formatting an integer on the stack.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Item::Bytes(b) => f(b),
            Item::Int(n) => f(itoa_buf::Buffer::new().format(n)),
        }
    }

    /// Length of the element's bytes.
    pub fn byte_len(self) -> usize {
        self.with_bytes(<[u8]>::len)
    }
}

// ---------------------------------------------------------------------------------------
// Packed entries (shared with the set module's needs: integer-aware encoding)
// ---------------------------------------------------------------------------------------

/// Bytes `bytes` takes once encoded.
fn encoded_len(bytes: &[u8]) -> usize {
    match parse_i64(bytes) {
        Some(n) => int_encoded_len(n),
        None if bytes.len() <= TAG_STR_MAX as usize => 1 + bytes.len(),
        None if bytes.len() <= u16::MAX as usize => 3 + bytes.len(),
        None => 5 + bytes.len(),
    }
}

/// Bytes the integer `n` takes once encoded.
fn int_encoded_len(n: i64) -> usize {
    match n {
        0..=IMM_MAX => 1,
        _ if i8::try_from(n).is_ok() => 2,
        _ if i16::try_from(n).is_ok() => 3,
        -0x80_0000..=0x7F_FFFF => 4,
        _ if i32::try_from(n).is_ok() => 5,
        _ => 9,
    }
}

/// Appends the encoding of `bytes` to `out` (an integer when it is canonical). The caller
/// guarantees `bytes.len() <= u32::MAX`.
fn encode(out: &mut Vec<u8>, bytes: &[u8]) {
    if let Some(n) = parse_i64(bytes) {
        encode_int(out, n);
        return;
    }
    let len = bytes.len();
    if len <= TAG_STR_MAX as usize {
        out.push(len as u8);
    } else if let Ok(l) = u16::try_from(len) {
        out.push(TAG_STR16);
        out.extend_from_slice(&l.to_le_bytes());
    } else {
        out.push(TAG_STR32);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(bytes);
}

/// Appends the encoding of the integer `n` to `out`.
fn encode_int(out: &mut Vec<u8>, n: i64) {
    let le = n.to_le_bytes();
    match int_encoded_len(n) {
        1 => out.push(TAG_IMM + n as u8),
        2 => {
            out.push(TAG_I8);
            out.push(le[0]);
        }
        3 => {
            out.push(TAG_I16);
            out.extend_from_slice(&le[..2]);
        }
        4 => {
            out.push(TAG_I24);
            out.extend_from_slice(&le[..3]);
        }
        5 => {
            out.push(TAG_I32);
            out.extend_from_slice(&le[..4]);
        }
        _ => {
            out.push(TAG_I64);
            out.extend_from_slice(&le);
        }
    }
}

/// Sign-extends the little-endian integer in `bytes` (1 to 8 bytes).
fn read_int(bytes: &[u8]) -> i64 {
    let mut le = [0u8; 8];
    le[..bytes.len()].copy_from_slice(bytes);
    let shift = 64 - 8 * bytes.len() as u32;
    (i64::from_le_bytes(le) << shift) >> shift
}

/// Decodes the entry starting at `pos` of `buf`; returns it and the position after it.
/// `buf` was written by [`encode`], so the entry is well formed.
fn decode(buf: &[u8], pos: usize) -> (Item<'_>, usize) {
    let tag = buf[pos];
    let p = pos + 1;
    let int = |n: usize| (Item::Int(read_int(&buf[p..p + n])), p + n);
    match tag {
        0..=TAG_STR_MAX => {
            let end = p + tag as usize;
            (Item::Bytes(&buf[p..end]), end)
        }
        TAG_IMM..=0xEF => (Item::Int(i64::from(tag - TAG_IMM)), p),
        TAG_I8 => int(1),
        TAG_I16 => int(2),
        TAG_I24 => int(3),
        TAG_I32 => int(4),
        TAG_I64 => int(8),
        TAG_STR16 => {
            let len = u16::from_le_bytes([buf[p], buf[p + 1]]) as usize;
            (Item::Bytes(&buf[p + 2..p + 2 + len]), p + 2 + len)
        }
        _ => {
            let len = u32::from_le_bytes([buf[p], buf[p + 1], buf[p + 2], buf[p + 3]]) as usize;
            (Item::Bytes(&buf[p + 4..p + 4 + len]), p + 4 + len)
        }
    }
}

/// A lookup key prepared once for a scan of packed entries: integers compare as integers.
#[derive(Clone, Copy)]
struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    fn new(bytes: &'a [u8]) -> Needle<'a> {
        Needle {
            bytes,
            int: parse_i64(bytes),
        }
    }

    /// Whether the stored `item` spells these bytes.
    fn matches(self, item: Item<'_>) -> bool {
        match (item, self.int) {
            (Item::Int(n), Some(m)) => n == m,
            (Item::Bytes(b), None) => b == self.bytes,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The packed pair buffer
// ---------------------------------------------------------------------------------------

/// Where a pair sits in a packed buffer: field start, value start, value end.
#[derive(Debug, Clone, Copy)]
struct PairPos {
    field: usize,
    value: usize,
    end: usize,
}

/// An empty packed buffer.
fn packed_empty() -> Box<[u8]> {
    vec![0u8; HEADER].into_boxed_slice()
}

/// Number of pairs in a packed buffer.
fn packed_len(buf: &[u8]) -> usize {
    u16::from_le_bytes([buf[0], buf[1]]) as usize
}

/// Stores the pair count.
fn set_packed_len(buf: &mut [u8], n: usize) {
    buf[..HEADER].copy_from_slice(&(n as u16).to_le_bytes());
}

/// Iterates the pairs of a packed buffer with their positions.
fn packed_pairs(buf: &[u8]) -> impl Iterator<Item = (Item<'_>, Item<'_>, PairPos)> + '_ {
    let mut pos = HEADER;
    std::iter::from_fn(move || {
        if pos >= buf.len() {
            return None;
        }
        let field = pos;
        let (f, value) = decode(buf, pos);
        let (v, end) = decode(buf, value);
        pos = end;
        Some((f, v, PairPos { field, value, end }))
    })
}

/// The position of `field`'s pair, if present.
fn packed_find(buf: &[u8], field: &[u8]) -> Option<PairPos> {
    let needle = Needle::new(field);
    packed_pairs(buf)
        .find(|(f, _, _)| needle.matches(*f))
        .map(|(_, _, pos)| pos)
}

/// Replaces the bytes `range` of a boxed buffer by `with`, reallocating to the exact new
/// size (as Redis reallocates a listpack), and returns the new buffer.
fn splice(buf: Box<[u8]>, range: std::ops::Range<usize>, with: &[u8]) -> Box<[u8]> {
    let mut v = buf.into_vec();
    let grow = with.len().saturating_sub(range.len());
    v.reserve_exact(grow);
    v.splice(range, with.iter().copied());
    v.into_boxed_slice()
}

/// Encodes a field/value pair.
fn encode_pair(field: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(field) + encoded_len(value));
    encode(&mut out, field);
    encode(&mut out, value);
    out
}

// ---------------------------------------------------------------------------------------
// Hash
// ---------------------------------------------------------------------------------------

/// The two encodings. 16 bytes, so an `Arc<Hash>` is one 32-byte allocation.
#[derive(Clone)]
enum Repr {
    /// Count header + entries, see the module documentation.
    Packed(Box<[u8]>),
    Table(Box<Dict<SmallBytes>>),
}

/// A hash value: unique fields with their values.
#[derive(Clone)]
pub struct Hash {
    repr: Repr,
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        self.for_each(|k, v| {
            m.entry(&String::from_utf8_lossy(k), &String::from_utf8_lossy(v));
        });
        m.finish()
    }
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

impl Hash {
    /// An empty hash in the listpack encoding (commands fill it before storing it).
    pub fn new() -> Hash {
        Hash {
            repr: Repr::Packed(packed_empty()),
        }
    }

    /// A hash of `pairs` (fields unique), in the encoding `limits` choose: listpack when
    /// the count and every length are within the limits, else a hash table.
    pub fn from_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>, limits: &EncodingLimits) -> Hash {
        let max = limits.hash_max_listpack_value;
        let fits = pairs.len() <= limits.hash_max_listpack_entries
            && pairs.len() <= u16::MAX as usize
            && pairs.iter().all(|(f, v)| f.len() <= max && v.len() <= max);
        let bytes: usize = pairs
            .iter()
            .map(|(f, v)| encoded_len(f) + encoded_len(v))
            .sum();
        if fits && bytes + HEADER <= PACKED_MAX_BYTES {
            let mut buf = Vec::with_capacity(HEADER + bytes);
            buf.extend_from_slice(&(pairs.len() as u16).to_le_bytes());
            for (f, v) in &pairs {
                encode(&mut buf, f);
                encode(&mut buf, v);
            }
            return Hash {
                repr: Repr::Packed(buf.into_boxed_slice()),
            };
        }
        let mut dict = Dict::new();
        dict.expand(pairs.len());
        for (f, v) in pairs {
            dict.insert(SmallBytes::from_vec(f), SmallBytes::from_vec(v));
        }
        Hash {
            repr: Repr::Table(Box::new(dict)),
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Packed(buf) => packed_len(buf),
            Repr::Table(d) => d.len(),
        }
    }

    /// Whether the hash has no fields.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the hash table is in the middle of a rehash.
    pub fn is_rehashing(&self) -> bool {
        matches!(&self.repr, Repr::Table(d) if d.is_rehashing())
    }

    /// Moves one bucket of the hash table's rehash, if one is under way.
    pub fn rehash_step(&mut self) {
        if let Repr::Table(d) = &mut self.repr {
            d.rehash_steps(1);
        }
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        match self.repr {
            Repr::Packed(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// DEBUG HTSTATS-KEY's text for the hash table encoding (None for a listpack).
    pub fn hash_table_stats(&self) -> Option<String> {
        match &self.repr {
            Repr::Packed(_) => None,
            Repr::Table(d) => Some(d.stats_text()),
        }
    }

    /// Whether the hash is in the compact (listpack) encoding.
    pub fn is_packed(&self) -> bool {
        matches!(self.repr, Repr::Packed(_))
    }

    /// Calls `f` with every field and its value (listpack: insertion order).
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        self.for_each_item(|k, v| k.with_bytes(|k| v.with_bytes(|v| f(k, v))));
    }

    /// Calls `f` with every field and value as stored (integers not formatted).
    pub fn for_each_item(&self, mut f: impl FnMut(Item<'_>, Item<'_>)) {
        match &self.repr {
            Repr::Packed(buf) => packed_pairs(buf).for_each(|(k, v, _)| f(k, v)),
            Repr::Table(d) => d
                .iter()
                .for_each(|(k, v)| f(Item::Bytes(k), Item::Bytes(v))),
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Packed(buf) => buf.len(),
            Repr::Table(d) => {
                let mut extra = 0;
                d.iter()
                    .for_each(|(k, v)| extra += k.heap_size() + v.heap_size());
                d.mem_overhead() + extra
            }
        }
    }

    /// The value of `field`, if present.
    pub fn get(&self, field: &[u8]) -> Option<Item<'_>> {
        match &self.repr {
            Repr::Packed(buf) => {
                let pos = packed_find(buf, field)?;
                Some(decode(buf, pos.value).0)
            }
            Repr::Table(d) => d.get(field).map(|v| Item::Bytes(v)),
        }
    }

    /// Whether `field` is present.
    pub fn contains(&self, field: &[u8]) -> bool {
        match &self.repr {
            Repr::Packed(buf) => packed_find(buf, field).is_some(),
            Repr::Table(d) => d.contains_key(field),
        }
    }

    /// Sets `field` to `value`; returns true if the field is new. Converts to a hash table
    /// first when the field or value is longer than `hash-max-listpack-value`, and after
    /// the insert when the hash has more than `hash-max-listpack-entries` fields.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: &EncodingLimits) -> bool {
        if let Repr::Packed(buf) = &self.repr {
            let max = limits.hash_max_listpack_value;
            let grow = encoded_len(field) + encoded_len(value);
            if field.len() > max
                || value.len() > max
                || buf.len() + grow > PACKED_MAX_BYTES
                || packed_len(buf) >= u16::MAX as usize
            {
                self.convert();
            }
        }
        let created = match &mut self.repr {
            Repr::Packed(buf) => packed_set(buf, field, value),
            Repr::Table(d) => match d.get_mut(field) {
                Some(v) => {
                    *v = SmallBytes::new(value);
                    false
                }
                None => {
                    d.insert(SmallBytes::new(field), SmallBytes::new(value));
                    true
                }
            },
        };
        if self.is_packed() && self.len() > limits.hash_max_listpack_entries {
            self.convert();
        }
        created
    }

    /// Converts values of `args` the way HSET's pre-check does (`hashTypeTryConversion`):
    /// to a hash table if any of them is longer than `hash-max-listpack-value`.
    pub fn prepare_for<'a>(
        &mut self,
        mut args: impl Iterator<Item = &'a [u8]>,
        limits: &EncodingLimits,
    ) {
        if self.is_packed() && args.any(|a| a.len() > limits.hash_max_listpack_value) {
            self.convert();
        }
    }

    /// Removes `field`; returns whether it was present. A table shrinks when sparse.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Packed(buf) => {
                let Some(pos) = packed_find(buf, field) else {
                    return false;
                };
                let n = packed_len(buf);
                let old = mem::take(buf);
                *buf = splice(old, pos.field..pos.end, &[]);
                set_packed_len(buf, n - 1);
                true
            }
            Repr::Table(d) => {
                let removed = d.remove(field).is_some();
                if removed {
                    d.shrink_if_needed();
                }
                removed
            }
        }
    }

    /// A random field and its value (None if empty). `rng` yields random numbers.
    pub fn random_pair(&self, rng: &mut impl FnMut() -> u64) -> Option<(Item<'_>, Item<'_>)> {
        match &self.repr {
            Repr::Packed(buf) => {
                let n = packed_len(buf);
                if n == 0 {
                    return None;
                }
                let i = (rng() % n as u64) as usize;
                packed_pairs(buf).nth(i).map(|(k, v, _)| (k, v))
            }
            Repr::Table(d) => d
                .random_entry(rng)
                .map(|(k, v)| (Item::Bytes(k), Item::Bytes(v))),
        }
    }

    /// Every pair as stored, in iteration order.
    pub fn items(&self) -> Vec<(Item<'_>, Item<'_>)> {
        let mut out = Vec::with_capacity(self.len());
        match &self.repr {
            Repr::Packed(buf) => out.extend(packed_pairs(buf).map(|(k, v, _)| (k, v))),
            Repr::Table(d) => out.extend(d.iter().map(|(k, v)| (Item::Bytes(k), Item::Bytes(v)))),
        }
        out
    }

    /// One HSCAN step: calls `f` for the pairs the cursor designates and returns the next
    /// cursor. A listpack hash reports everything and returns 0, as Redis does.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Item<'_>, Item<'_>)) -> u64 {
        match &self.repr {
            Repr::Packed(buf) => {
                packed_pairs(buf).for_each(|(k, v, _)| f(k, v));
                0
            }
            Repr::Table(d) => d.scan(cursor, |k, v| f(Item::Bytes(k), Item::Bytes(v))),
        }
    }

    /// Converts a listpack hash to a hash table (no-op for a table).
    fn convert(&mut self) {
        let Repr::Packed(buf) = &self.repr else {
            return;
        };
        let mut dict = Dict::new();
        dict.expand(packed_len(buf));
        for (k, v, _) in packed_pairs(buf) {
            let key = k.with_bytes(SmallBytes::new);
            let value = v.with_bytes(SmallBytes::new);
            dict.insert(key, value);
        }
        self.repr = Repr::Table(Box::new(dict));
    }
}

/// Sets `field` to `value` in a packed buffer; returns true if the field is new.
fn packed_set(buf: &mut Box<[u8]>, field: &[u8], value: &[u8]) -> bool {
    let old = mem::take(buf);
    match packed_find(&old, field) {
        Some(pos) => {
            let mut enc = Vec::with_capacity(encoded_len(value));
            encode(&mut enc, value);
            *buf = splice(old, pos.value..pos.end, &enc);
            false
        }
        None => {
            let n = packed_len(&old);
            let end = old.len();
            *buf = splice(old, end..end, &encode_pair(field, value));
            set_packed_len(buf, n + 1);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn limits(entries: usize, value: usize) -> EncodingLimits {
        EncodingLimits {
            hash_max_listpack_entries: entries,
            hash_max_listpack_value: value,
            ..EncodingLimits::default()
        }
    }

    fn contents(h: &Hash) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut m = BTreeMap::new();
        h.for_each(|k, v| {
            m.insert(k.to_vec(), v.to_vec());
        });
        m
    }

    #[test]
    fn repr_is_small() {
        assert_eq!(mem::size_of::<Hash>(), 16);
    }

    #[test]
    fn integers_round_trip_exactly() {
        let l = EncodingLimits::default();
        let mut h = Hash::new();
        let samples: Vec<&[u8]> = vec![
            b"0",
            b"47",
            b"48",
            b"-1",
            b"127",
            b"-128",
            b"128",
            b"32767",
            b"-32769",
            b"8388607",
            b"-8388608",
            b"8388608",
            b"2147483647",
            b"-2147483649",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"-0",
            b"01",
            b"+1",
            b"1.5",
            b"",
        ];
        for (i, s) in samples.iter().enumerate() {
            h.set(s, s, &l);
            assert_eq!(h.get(s).map(Item::to_vec).as_deref(), Some(*s), "{i}");
        }
        assert_eq!(h.len(), samples.len());
        assert!(h.is_packed());
        for s in &samples {
            assert!(h.remove(s));
        }
        assert!(h.is_empty());
    }

    #[test]
    fn converts_at_the_thresholds() {
        let l = limits(3, 5);
        let mut h = Hash::new();
        for f in [&b"a"[..], b"b", b"c"] {
            h.set(f, b"12345", &l);
        }
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"d", b"1", &l);
        assert_eq!(h.encoding_name(), "hashtable");
        let mut h = Hash::new();
        h.set(b"a", b"123456", &l);
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.get(b"a"), Some(Item::Bytes(b"123456")));
        let h = Hash::from_pairs(vec![(b"f".to_vec(), b"123456".to_vec())], &l);
        assert_eq!(h.encoding_name(), "hashtable");
        let h = Hash::from_pairs(vec![(b"f".to_vec(), b"12345".to_vec())], &l);
        assert_eq!(h.encoding_name(), "listpack");
    }

    #[test]
    fn long_strings_use_wide_lengths() {
        let l = limits(10, 100_000);
        let mut h = Hash::new();
        let big = vec![b'x'; 70_000];
        let mid = vec![b'y'; 300];
        h.set(&big, &mid, &l);
        h.set(&mid, &big, &l);
        assert!(h.is_packed());
        assert_eq!(h.get(&big), Some(Item::Bytes(&mid)));
        assert_eq!(h.get(&mid), Some(Item::Bytes(&big)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Set(u8, u16),
        Del(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..40, any::<u16>()).prop_map(|(f, v)| Op::Set(f, v)),
            (0u8..40).prop_map(Op::Del),
        ]
    }

    /// Field names mixing integers and strings.
    fn name(f: u8) -> Vec<u8> {
        if f.is_multiple_of(3) {
            (i64::from(f) * 1000 - 7000).to_string().into_bytes()
        } else {
            format!("field:{f}").into_bytes()
        }
    }

    proptest! {
        #[test]
        fn behaves_like_a_map(ops in proptest::collection::vec(op(), 1..200), entries in 0usize..30) {
            let l = limits(entries, 8);
            let mut h = Hash::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Set(f, v) => {
                        let value = if v % 5 == 0 { format!("long-value-{v}") } else { v.to_string() };
                        let created = h.set(&name(f), value.as_bytes(), &l);
                        prop_assert_eq!(created, model.insert(name(f), value.into_bytes()).is_none());
                    }
                    Op::Del(f) => {
                        prop_assert_eq!(h.remove(&name(f)), model.remove(&name(f)).is_some());
                    }
                }
                prop_assert_eq!(h.len(), model.len());
                if h.is_packed() {
                    prop_assert!(h.len() <= entries);
                }
            }
            prop_assert_eq!(contents(&h), model.clone());
            for (k, v) in &model {
                let got = h.get(k).map(Item::to_vec);
                prop_assert_eq!(got.as_ref(), Some(v));
            }
            let mut seen = BTreeMap::new();
            let mut cursor = 0;
            loop {
                cursor = h.scan(cursor, |k, v| { seen.insert(k.to_vec(), v.to_vec()); });
                if cursor == 0 { break; }
            }
            prop_assert_eq!(seen, model);
        }
    }
}
