//! The set type, in Redis 7.0's two encodings.
//!
//! * **intset**: sorted integers packed in one buffer at the smallest width (16, 32 or 64
//!   bits) that holds them all; adding a wider integer upgrades every element, and the
//!   width never shrinks (as Redis's intset). Used while every member is the canonical
//!   decimal form of an `i64` and the set has at most `set-max-intset-entries` members.
//! * **hashtable**: a [`Dict`] of members (incremental rehashing, Redis's reverse-binary
//!   SSCAN cursor, random sampling). A set leaves the intset once and never goes back.
//!
//! Redis 7.0 has no listpack sets, so neither do we.
//!
//! The intset buffer is one byte giving the width in bytes (2, 4 or 8), then the members
//! in ascending order, little-endian.

use std::mem;

use super::hash::Item;
use super::value::itoa_buf;
use super::{EncodingLimits, SmallBytes};
use crate::db::Dict;
use crate::util::numbers::parse_i64;

// ---------------------------------------------------------------------------------------
// Intset
// ---------------------------------------------------------------------------------------

/// An empty intset (16-bit width).
fn intset_empty() -> Box<[u8]> {
    vec![2u8].into_boxed_slice()
}

/// The smallest width in bytes (2, 4 or 8) that holds `v`.
fn width_for(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// Width of the members of `buf`, in bytes.
fn intset_width(buf: &[u8]) -> usize {
    buf[0] as usize
}

/// Number of members of `buf`.
fn intset_len(buf: &[u8]) -> usize {
    (buf.len() - 1) / intset_width(buf)
}

/// Member `i` of `buf`.
fn intset_get(buf: &[u8], i: usize) -> i64 {
    let w = intset_width(buf);
    let at = 1 + i * w;
    let b = &buf[at..at + w];
    match w {
        2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
        4 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

/// Binary search for `v`: Ok(index) if present, Err(insertion index) otherwise.
fn intset_search(buf: &[u8], v: i64) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, intset_len(buf));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match intset_get(buf, mid).cmp(&v) {
            std::cmp::Ordering::Equal => return Ok(mid),
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
        }
    }
    Err(lo)
}

/// The `w`-byte little-endian form of `v` (which fits in `w` bytes).
fn int_bytes(v: i64, w: usize) -> Vec<u8> {
    v.to_le_bytes()[..w].to_vec()
}

/// `buf` re-encoded at width `w` (wider than its own).
fn intset_upgrade(buf: &[u8], w: usize) -> Vec<u8> {
    let n = intset_len(buf);
    let mut out = Vec::with_capacity(1 + (n + 1) * w);
    out.push(w as u8);
    for i in 0..n {
        out.extend_from_slice(&int_bytes(intset_get(buf, i), w));
    }
    out
}

/// Adds `v` to the intset in `slot`; returns whether it was absent.
fn intset_add(slot: &mut Box<[u8]>, v: i64) -> bool {
    let w = width_for(v);
    if w > intset_width(slot) {
        // A wider value is smaller or larger than every member: it goes at an end.
        let mut out = intset_upgrade(slot, w);
        let bytes = int_bytes(v, w);
        if v < 0 {
            out.splice(1..1, bytes);
        } else {
            out.extend_from_slice(&bytes);
        }
        *slot = out.into_boxed_slice();
        return true;
    }
    let Err(at) = intset_search(slot, v) else {
        return false;
    };
    let w = intset_width(slot);
    let pos = 1 + at * w;
    let mut out = mem::take(slot).into_vec();
    out.reserve_exact(w);
    out.splice(pos..pos, int_bytes(v, w));
    *slot = out.into_boxed_slice();
    true
}

/// Removes `v` from the intset in `slot`; returns whether it was present.
fn intset_remove(slot: &mut Box<[u8]>, v: i64) -> bool {
    if width_for(v) > intset_width(slot) {
        return false;
    }
    let Ok(at) = intset_search(slot, v) else {
        return false;
    };
    let w = intset_width(slot);
    let pos = 1 + at * w;
    let mut out = mem::take(slot).into_vec();
    out.drain(pos..pos + w);
    *slot = out.into_boxed_slice();
    true
}

/// Whether the intset holds the member spelled `member`.
fn intset_contains(buf: &[u8], member: &[u8]) -> bool {
    parse_i64(member)
        .is_some_and(|v| width_for(v) <= intset_width(buf) && intset_search(buf, v).is_ok())
}

/// Iterates the members of an intset, in ascending order.
fn intset_iter(buf: &[u8]) -> impl Iterator<Item = i64> + '_ {
    (0..intset_len(buf)).map(move |i| intset_get(buf, i))
}

// ---------------------------------------------------------------------------------------
// Set
// ---------------------------------------------------------------------------------------

/// The two encodings. 16 bytes, so an `Arc<Set>` is one 32-byte allocation.
#[derive(Clone)]
enum Repr {
    Intset(Box<[u8]>),
    Table(Box<Dict<()>>),
}

/// A set value: unique members.
#[derive(Clone)]
pub struct Set {
    repr: Repr,
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_set();
        self.for_each(|m| {
            s.entry(&String::from_utf8_lossy(m));
        });
        s.finish()
    }
}

impl Default for Set {
    fn default() -> Self {
        Set::new()
    }
}

impl Set {
    /// An empty set in the intset encoding (as Redis's `createIntsetObject`, used to
    /// gather the result of SUNION, SINTER...).
    pub fn new() -> Set {
        Set {
            repr: Repr::Intset(intset_empty()),
        }
    }

    /// An empty set in the encoding its first member `first` calls for (Redis's
    /// `setTypeCreate`): an intset for an integer, a hash table otherwise.
    pub fn for_member(first: &[u8]) -> Set {
        if parse_i64(first).is_some() {
            Set::new()
        } else {
            Set {
                repr: Repr::Table(Box::default()),
            }
        }
    }

    /// A set of `members` (unique), in the encoding `limits` choose: an intset when all
    /// are integers and they are at most `set-max-intset-entries`, else a hash table.
    pub fn from_members(members: Vec<Vec<u8>>, limits: &EncodingLimits) -> Set {
        if members.len() <= limits.set_max_intset_entries {
            let ints: Option<Vec<i64>> = members.iter().map(|m| parse_i64(m)).collect();
            if let Some(mut ints) = ints {
                ints.sort_unstable();
                ints.dedup();
                let w = ints.iter().map(|&v| width_for(v)).max().unwrap_or(2);
                let mut buf = Vec::with_capacity(1 + ints.len() * w);
                buf.push(w as u8);
                for v in ints {
                    buf.extend_from_slice(&int_bytes(v, w));
                }
                return Set {
                    repr: Repr::Intset(buf.into_boxed_slice()),
                };
            }
        }
        let mut dict = Dict::new();
        dict.expand(members.len());
        for m in members {
            dict.insert(SmallBytes::from_vec(m), ());
        }
        Set {
            repr: Repr::Table(Box::new(dict)),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Intset(buf) => intset_len(buf),
            Repr::Table(d) => d.len(),
        }
    }

    /// Whether the set has no members.
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
            Repr::Intset(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// DEBUG HTSTATS-KEY's text for the hash table encoding (None for an intset).
    pub fn hash_table_stats(&self) -> Option<String> {
        match &self.repr {
            Repr::Intset(_) => None,
            Repr::Table(d) => Some(d.stats_text()),
        }
    }

    /// Whether the set is an intset.
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Intset(_))
    }

    /// Calls `f` with every member (intset: ascending).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        self.for_each_item(|m| m.with_bytes(&mut f));
    }

    /// Calls `f` with every member as stored (integers not formatted).
    pub fn for_each_item(&self, mut f: impl FnMut(Item<'_>)) {
        match &self.repr {
            Repr::Intset(buf) => intset_iter(buf).for_each(|v| f(Item::Int(v))),
            Repr::Table(d) => d.iter().for_each(|(k, _)| f(Item::Bytes(k))),
        }
    }

    /// Every member as stored, in iteration order.
    pub fn items(&self) -> Vec<Item<'_>> {
        match &self.repr {
            Repr::Intset(buf) => intset_iter(buf).map(Item::Int).collect(),
            Repr::Table(d) => d.iter().map(|(k, _)| Item::Bytes(k)).collect(),
        }
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Intset(buf) => buf.len(),
            Repr::Table(d) => {
                let mut extra = 0;
                d.iter().for_each(|(k, _)| extra += k.heap_size());
                d.mem_overhead() + extra
            }
        }
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Intset(buf) => intset_contains(buf, member),
            Repr::Table(d) => d.contains_key(member),
        }
    }

    /// Whether the member `item` is in the set (an integer needs no formatting when the
    /// set is an intset).
    pub fn contains_item(&self, item: Item<'_>) -> bool {
        match (&self.repr, item) {
            (Repr::Intset(buf), Item::Int(v)) => {
                width_for(v) <= intset_width(buf) && intset_search(buf, v).is_ok()
            }
            _ => item.with_bytes(|b| self.contains(b)),
        }
    }

    /// Adds `member`; returns whether it was absent. An intset becomes a hash table when
    /// `member` is not an integer, or when it grows past `set-max-intset-entries`.
    pub fn add(&mut self, member: &[u8], limits: &EncodingLimits) -> bool {
        if let Repr::Intset(buf) = &mut self.repr {
            if let Some(v) = parse_i64(member) {
                let added = intset_add(buf, v);
                if added && intset_len(buf) > limits.set_max_intset_entries {
                    self.convert(0);
                }
                return added;
            }
            self.convert(1);
        }
        match &mut self.repr {
            Repr::Table(d) => {
                if d.contains_key(member) {
                    return false;
                }
                d.insert(SmallBytes::new(member), ());
                true
            }
            Repr::Intset(_) => unreachable!("converted above"),
        }
    }

    /// Removes `member`; returns whether it was present. A table shrinks when sparse.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Intset(buf) => parse_i64(member).is_some_and(|v| intset_remove(buf, v)),
            Repr::Table(d) => {
                let removed = d.remove(member).is_some();
                if removed {
                    d.shrink_if_needed();
                }
                removed
            }
        }
    }

    /// A random member (None if empty). `rng` yields random numbers.
    pub fn random_member(&self, rng: &mut impl FnMut() -> u64) -> Option<Item<'_>> {
        match &self.repr {
            Repr::Intset(buf) => {
                let n = intset_len(buf);
                (n > 0).then(|| Item::Int(intset_get(buf, (rng() % n as u64) as usize)))
            }
            Repr::Table(d) => d.random_entry(rng).map(|(k, _)| Item::Bytes(k)),
        }
    }

    /// Removes and returns a random member (None if empty).
    pub fn pop_random(&mut self, rng: &mut impl FnMut() -> u64) -> Option<Vec<u8>> {
        let member = self.random_member(rng)?.to_vec();
        self.remove(&member);
        Some(member)
    }

    /// One SSCAN step: calls `f` for the members the cursor designates and returns the
    /// next cursor. An intset reports everything and returns 0, as Redis does.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Item<'_>)) -> u64 {
        match &self.repr {
            Repr::Intset(buf) => {
                intset_iter(buf).for_each(|v| f(Item::Int(v)));
                0
            }
            Repr::Table(d) => d.scan(cursor, |k, _| f(Item::Bytes(k))),
        }
    }

    /// Converts an intset to a hash table sized for `extra` more members (no-op for a
    /// table).
    fn convert(&mut self, extra: usize) {
        let Repr::Intset(buf) = &self.repr else {
            return;
        };
        let mut dict = Dict::new();
        dict.expand(intset_len(buf) + extra);
        let mut scratch = itoa_buf::Buffer::new();
        for v in intset_iter(buf) {
            dict.insert(SmallBytes::new(scratch.format(v)), ());
        }
        self.repr = Repr::Table(Box::new(dict));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn limits(n: usize) -> EncodingLimits {
        EncodingLimits {
            set_max_intset_entries: n,
            ..EncodingLimits::default()
        }
    }

    fn contents(s: &Set) -> BTreeSet<Vec<u8>> {
        let mut out = BTreeSet::new();
        s.for_each(|m| {
            out.insert(m.to_vec());
        });
        out
    }

    #[test]
    fn repr_is_small() {
        assert_eq!(mem::size_of::<Set>(), 16);
    }

    #[test]
    fn intset_upgrades_width_and_stays_sorted() {
        let l = limits(512);
        let mut s = Set::new();
        for v in [
            "5",
            "-3",
            "70000",
            "-9223372036854775808",
            "9223372036854775807",
            "1",
        ] {
            assert!(s.add(v.as_bytes(), &l));
        }
        assert!(!s.add(b"70000", &l));
        assert!(s.is_intset());
        let items: Vec<Vec<u8>> = s.items().into_iter().map(Item::to_vec).collect();
        let want: Vec<&[u8]> = vec![
            b"-9223372036854775808",
            b"-3",
            b"1",
            b"5",
            b"70000",
            b"9223372036854775807",
        ];
        assert_eq!(items, want);
        assert!(s.contains(b"70000") && !s.contains(b"70001") && !s.contains(b"05"));
        assert!(s.remove(b"-9223372036854775808"));
        assert!(!s.remove(b"x"));
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn converts_on_strings_and_size() {
        let l = limits(2);
        let mut s = Set::new();
        s.add(b"1", &l);
        s.add(b"2", &l);
        assert_eq!(s.encoding_name(), "intset");
        s.add(b"3", &l);
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"3"));
        let mut s = Set::new();
        s.add(b"1", &l);
        s.add(b"a", &l);
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(contents(&s).len(), 2);
        assert_eq!(Set::for_member(b"x").encoding_name(), "hashtable");
        let members = vec![b"1".to_vec(), b"2".to_vec()];
        assert_eq!(
            Set::from_members(members.clone(), &l).encoding_name(),
            "intset"
        );
        assert_eq!(
            Set::from_members(members, &limits(1)).encoding_name(),
            "hashtable"
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(i32),
        Rem(i32),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (-60i32..60).prop_map(Op::Add),
            2 => (-60i32..60).prop_map(Op::Rem),
            1 => Just(Op::Pop),
        ]
    }

    /// Members: integers of every width, and some strings.
    fn name(v: i32) -> Vec<u8> {
        match v.rem_euclid(4) {
            0 => (i64::from(v) * 1_000_000_007).to_string().into_bytes(),
            1 => format!("m{v}").into_bytes(),
            2 => (v * 1000).to_string().into_bytes(),
            _ => v.to_string().into_bytes(),
        }
    }

    proptest! {
        #[test]
        fn behaves_like_a_set(ops in proptest::collection::vec(op(), 1..300), max in 0usize..40, seed in any::<u64>()) {
            let l = limits(max);
            let mut s = Set::new();
            let mut model = BTreeSet::new();
            let mut state = seed | 1;
            let mut rng = move || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; state };
            for op in ops {
                match op {
                    Op::Add(v) => prop_assert_eq!(s.add(&name(v), &l), model.insert(name(v))),
                    Op::Rem(v) => prop_assert_eq!(s.remove(&name(v)), model.remove(&name(v))),
                    Op::Pop => match s.pop_random(&mut rng) {
                        Some(m) => prop_assert!(model.remove(&m)),
                        None => prop_assert!(model.is_empty()),
                    },
                }
                prop_assert_eq!(s.len(), model.len());
                if s.is_intset() {
                    prop_assert!(s.len() <= max);
                }
            }
            prop_assert_eq!(contents(&s), model.clone());
            let mut seen = BTreeSet::new();
            let mut cursor = 0;
            loop {
                cursor = s.scan(cursor, |m| { seen.insert(m.to_vec()); });
                if cursor == 0 { break; }
            }
            prop_assert_eq!(seen, model);
        }
    }
}
