//! The sorted-set type, in Redis's two encodings.
//!
//! * **listpack** (`Pack`): small sets are one contiguous byte buffer of
//!   `(member, score)` entries in rank order. Each entry is the member's length as a
//!   LEB128 varint, the member bytes, then the score: a tag byte `0..=8` followed by that
//!   many bytes of a zigzag-encoded integer (integral scores within ±2^62, as Redis's
//!   listpack stores them as integers), or the tag `0xFF` and the 8 bytes of an `f64`.
//!   Lookups are linear, as in Redis, which is fine below `zset-max-listpack-entries`.
//!   Like Redis, an integral score is stored as an integer, so `-0` reads back as `0`.
//! * **skiplist** (`SkipSet`): past `zset-max-listpack-entries` entries or
//!   `zset-max-listpack-value` bytes in a member, a skiplist with span counts (O(log n)
//!   rank, rank lookup and range search) plus a chained hash table from member to node
//!   (O(1) ZSCORE) with Redis's reverse-binary SCAN cursor. Both live in arenas without
//!   `unsafe`: nodes sit in a chunked array and refer to each other by `u32` index; each
//!   node's forward links are a contiguous run of a shared array of links; the hash chains are
//!   threaded through the nodes themselves (`chain`), so a member costs one node (48
//!   bytes with a member of up to 22 bytes inline), ~1.33 links (8 bytes each) and a
//!   bucket slot (4 bytes): about half of what Redis's node + dict entry + sds cost.
//!
//! Ordering is Redis's: by score, then by member bytes (memcmp, shorter first), with
//! `-0 == 0`. Scores are never NaN (callers reject it).
//!
//! A set moves from listpack to skiplist when an insert would cross a threshold; it only
//! goes back where Redis does, i.e. when a whole new set is built ([`ZSet::from_pairs`],
//! used by RDB loading and the *STORE commands).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

use foldhash::fast::RandomState;

use super::{EncodingLimits, SmallBytes};
use crate::util::hash_table_stats::{self, TableStats};

// ---------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------

/// A score interval as ZRANGEBYSCORE takes it: `min`/`max`, each inclusive or exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub min_ex: bool,
    pub max: f64,
    pub max_ex: bool,
}

impl ScoreRange {
    /// Whether `score` lies before the start of the range.
    fn below_min(&self, score: f64) -> bool {
        if self.min_ex {
            score <= self.min
        } else {
            score < self.min
        }
    }

    /// Whether `score` is not after the end of the range.
    fn within_max(&self, score: f64) -> bool {
        if self.max_ex {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Parses ZRANGEBYSCORE's `min` and `max` as Redis does (C `strtod` on the text after
    /// an optional `(`, leading white space allowed, the whole rest consumed, NaN
    /// refused; the empty string is 0). `None` where Redis answers "min or max is not a
    /// float".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, min_ex) = parse_score_bound(min)?;
        let (max, max_ex) = parse_score_bound(max)?;
        Some(ScoreRange {
            min,
            min_ex,
            max,
            max_ex,
        })
    }
}

/// One bound of a score range: the value and whether it is exclusive.
fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    match arg.split_first() {
        Some((b'(', rest)) => Some((strtod_whole(rest)?, true)),
        _ => Some((strtod_whole(arg)?, false)),
    }
}

/// C's `strtod` over a C string (up to its first NUL) that must be consumed entirely:
/// leading white space, an optional float (decimal, hex, `inf`, `infinity`); nothing at
/// all parses as 0. Overflow gives ±inf as in C. NaN is refused.
fn strtod_whole(arg: &[u8]) -> Option<f64> {
    let text = match memchr::memchr(0, arg) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))?;
    let body = &text[start..];
    if let Some(v) = crate::util::numbers::parse_f64(body) {
        return Some(v);
    }
    // parse_f64 refuses overflow and underflow, which strtod accepts (±inf, ±0): a
    // plain decimal literal goes to the standard parser, which rounds the same way.
    let text = std::str::from_utf8(body).ok()?;
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let decimal = unsigned
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == b'.')
        && unsigned
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !decimal {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// One bound of a lexicographic range: `-`, `+`, `[member` or `(member`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: before every member.
    Min,
    /// `+`: after every member.
    Max,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Parses one ZRANGEBYLEX bound; `None` where Redis answers "min or max not valid
    /// string range item".
    pub fn parse(arg: &[u8]) -> Option<LexBound> {
        match arg.split_first()? {
            (b'+', []) => Some(LexBound::Max),
            (b'-', []) => Some(LexBound::Min),
            (b'[', rest) => Some(LexBound::Inclusive(rest.to_vec())),
            (b'(', rest) => Some(LexBound::Exclusive(rest.to_vec())),
            _ => None,
        }
    }
}

/// A lexicographic interval, as ZRANGEBYLEX takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// Parses ZRANGEBYLEX's `min` and `max`.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    /// Whether `member` lies before the start of the range.
    fn below_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(m) => member < m.as_slice(),
            LexBound::Exclusive(m) => member <= m.as_slice(),
        }
    }

    /// Whether `member` is not after the end of the range.
    fn within_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(m) => member <= m.as_slice(),
            LexBound::Exclusive(m) => member < m.as_slice(),
        }
    }
}

/// Redis's element order: score, then member bytes.
fn order(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    match a_score.partial_cmp(&b_score) {
        Some(Ordering::Equal) | None => a_member.cmp(b_member),
        Some(o) => o,
    }
}

// ---------------------------------------------------------------------------------------
// The sorted set
// ---------------------------------------------------------------------------------------

/// A sorted set: unique members ordered by (score, member).
#[derive(Clone)]
pub struct ZSet {
    enc: Enc,
}

/// The two encodings.
#[derive(Clone)]
enum Enc {
    Pack(Pack),
    Skip(SkipSet),
}

impl fmt::Debug for ZSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_map();
        self.for_each(|m, s| {
            list.entry(&String::from_utf8_lossy(m), &s);
        });
        list.finish()
    }
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet {
            enc: Enc::Pack(Pack::default()),
        }
    }
}

impl ZSet {
    /// A sorted set of `pairs` (scores not NaN; on duplicate members the first wins), in
    /// the encoding `limits` choose: listpack when it has at most
    /// `zset-max-listpack-entries` members, none longer than `zset-max-listpack-value`.
    pub fn from_pairs(mut pairs: Vec<(Vec<u8>, f64)>, limits: &EncodingLimits) -> ZSet {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, first| later.0 == first.0);
        pairs.sort_by(|a, b| order(a.1, &a.0, b.1, &b.0));
        ZSet::from_sorted(pairs, limits)
    }

    /// Like [`ZSet::from_pairs`] for pairs already in rank order with unique members
    /// (the results of ZUNIONSTORE and friends).
    pub fn from_sorted(pairs: Vec<(Vec<u8>, f64)>, limits: &EncodingLimits) -> ZSet {
        let fits = pairs.len() <= limits.zset_max_listpack_entries
            && pairs
                .iter()
                .all(|(m, _)| m.len() <= limits.zset_max_listpack_value);
        let enc = if fits {
            let mut pack = Pack::default();
            for (m, s) in &pairs {
                pack.push_back(m, *s);
            }
            Enc::Pack(pack)
        } else {
            Enc::Skip(SkipSet::from_sorted(
                pairs.into_iter().map(|(m, s)| (SmallBytes::from_vec(m), s)),
                RandomState::default(),
            ))
        };
        ZSet { enc }
    }

    /// An empty set about to receive its first member (of `first_len` bytes) from ZADD:
    /// a skiplist right away when the limits forbid a listpack for it, as Redis does.
    pub fn new_for(limits: &EncodingLimits, first_len: usize) -> ZSet {
        if limits.zset_max_listpack_entries == 0 || limits.zset_max_listpack_value < first_len {
            ZSet {
                enc: Enc::Skip(SkipSet::new(RandomState::default())),
            }
        } else {
            ZSet::default()
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.enc {
            Enc::Pack(p) => p.len,
            Enc::Skip(s) => s.len as usize,
        }
    }

    /// Whether the sorted set has no members.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        match &self.enc {
            Enc::Pack(_) => "listpack",
            Enc::Skip(_) => "skiplist",
        }
    }

    /// DEBUG HTSTATS-KEY's text for the member table of the skiplist encoding (None
    /// for a listpack).
    pub fn hash_table_stats(&self) -> Option<String> {
        match &self.enc {
            Enc::Pack(_) => None,
            Enc::Skip(s) => Some(s.hash_table_stats()),
        }
    }

    /// Whether the set uses the compact (listpack) encoding.
    pub fn is_compact(&self) -> bool {
        matches!(self.enc, Enc::Pack(_))
    }

    /// Calls `f` with every member and its score, lowest rank first.
    pub fn for_each(&self, f: impl FnMut(&[u8], f64)) {
        self.range(0, self.len(), false, f);
    }

    /// Approximate heap bytes, for MEMORY USAGE.
    pub fn heap_size(&self) -> usize {
        match &self.enc {
            Enc::Pack(p) => p.buf.capacity(),
            Enc::Skip(s) => s.heap_size(),
        }
    }

    /// The score of `member`, if present.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.enc {
            Enc::Pack(p) => p.find(member).map(|(_, s)| s),
            Enc::Skip(s) => s.find(member).map(|n| s.nodes[n as usize].score),
        }
    }

    /// Adds `member` (which must be absent) with `score`, first converting to a skiplist
    /// if the listpack would cross a limit.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: &EncodingLimits) {
        if let Enc::Pack(p) = &self.enc {
            if p.len + 1 > limits.zset_max_listpack_entries
                || member.len() > limits.zset_max_listpack_value
            {
                self.convert_to_skiplist();
            }
        }
        match &mut self.enc {
            Enc::Pack(p) => p.insert(member, score),
            Enc::Skip(s) => {
                s.insert(SmallBytes::new(member), score);
            }
        }
    }

    /// Changes the score of `member` (which must be present) to `score`.
    pub fn update_score(&mut self, member: &[u8], score: f64) {
        match &mut self.enc {
            Enc::Pack(p) => {
                p.remove(member);
                p.insert(member, score);
            }
            Enc::Skip(s) => s.update_score(member, score),
        }
    }

    /// Removes `member`; returns its score if it was present.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.enc {
            Enc::Pack(p) => p.remove(member),
            Enc::Skip(s) => s.remove(member),
        }
    }

    /// The 0-based rank of `member` (lowest score first), if present.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match &self.enc {
            Enc::Pack(p) => p.rank(member),
            Enc::Skip(s) => s.rank(member),
        }
    }

    /// The member and score at 0-based `rank`.
    pub fn get_by_rank(&self, rank: usize) -> Option<(&[u8], f64)> {
        if rank >= self.len() {
            return None;
        }
        match &self.enc {
            Enc::Pack(p) => {
                let mut found = None;
                p.walk(|i, m, s| {
                    if i == rank {
                        found = Some((m, s));
                        false
                    } else {
                        true
                    }
                });
                found
            }
            Enc::Skip(s) => {
                let n = &s.nodes[s.node_at(rank) as usize];
                Some((n.member.as_bytes(), n.score))
            }
        }
    }

    /// Calls `f` for the members of ranks `start..end` (clamped to the set), in rank
    /// order, or from `end - 1` down to `start` when `rev`.
    pub fn range<'a>(
        &'a self,
        start: usize,
        end: usize,
        rev: bool,
        mut f: impl FnMut(&'a [u8], f64),
    ) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        match &self.enc {
            Enc::Pack(p) => p.range(start, end, rev, &mut f),
            Enc::Skip(s) => s.range(start, end, rev, &mut f),
        }
    }

    /// Ranks `lo..hi` of the members whose score is in `range` (empty when `hi <= lo`).
    pub fn score_window(&self, range: &ScoreRange) -> (usize, usize) {
        let lo = self.count_while(|_, s| range.below_min(s));
        let hi = self.count_while(|_, s| range.within_max(s));
        (lo, hi.max(lo))
    }

    /// Ranks `lo..hi` of the members in the lexicographic `range` (meaningful when all
    /// scores are equal, as in Redis).
    pub fn lex_window(&self, range: &LexRange) -> (usize, usize) {
        let lo = self.count_while(|m, _| range.below_min(m));
        let hi = self.count_while(|m, _| range.within_max(m));
        (lo, hi.max(lo))
    }

    /// How many members, from the lowest rank on, satisfy `pred` (which must hold for a
    /// prefix of the rank order).
    fn count_while(&self, mut pred: impl FnMut(&[u8], f64) -> bool) -> usize {
        match &self.enc {
            Enc::Pack(p) => {
                let mut n = 0;
                p.walk(|_, m, s| {
                    let hit = pred(m, s);
                    n += hit as usize;
                    hit
                });
                n
            }
            Enc::Skip(s) => s.count_while(&mut pred),
        }
    }

    /// Removes the members of ranks `start..end` (clamped), calling `f` with each in rank
    /// order. Returns how many were removed.
    pub fn remove_range(
        &mut self,
        start: usize,
        end: usize,
        mut f: impl FnMut(&[u8], f64),
    ) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match &mut self.enc {
            Enc::Pack(p) => p.remove_range(start, end, &mut f),
            Enc::Skip(s) => s.remove_range(start, end, &mut f),
        }
        end - start
    }

    /// One step of ZSCAN from `cursor`: calls `f` with members and the score text Redis
    /// prints for them, and returns the next cursor (0 when done). A listpack is returned
    /// whole in one step. `count` is how many members to aim for.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match &self.enc {
            Enc::Pack(p) => {
                p.walk(|_, m, s| {
                    f(m, crate::util::numbers::format_d2string(s).as_bytes());
                    true
                });
                0
            }
            Enc::Skip(s) => {
                let mut found = 0usize;
                let mut budget = count.saturating_mul(10);
                let mut v = cursor;
                loop {
                    v = s.scan_bucket(v, |m, score| {
                        found += 1;
                        f(m, crate::util::numbers::format_double(score).as_bytes());
                    });
                    if v == 0 || budget == 0 || found >= count {
                        return v;
                    }
                    budget -= 1;
                }
            }
        }
    }

    /// Converts a listpack to a skiplist (no-op if already one).
    fn convert_to_skiplist(&mut self) {
        if let Enc::Pack(p) = &self.enc {
            let mut items = Vec::with_capacity(p.len);
            p.walk(|_, m, s| {
                items.push((SmallBytes::new(m), s));
                true
            });
            self.enc = Enc::Skip(SkipSet::from_sorted(
                items.into_iter(),
                RandomState::default(),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// listpack-like encoding
// ---------------------------------------------------------------------------------------

/// Score tag: an `f64` follows.
const SCORE_F64: u8 = 0xFF;
/// Largest magnitude stored as an integer (Redis's `double2ll` limit, 2^62).
const INT_SCORE_LIMIT: f64 = 4_611_686_018_427_387_904.0;

/// Entries `(member, score)` packed in rank order.
#[derive(Clone, Default)]
struct Pack {
    buf: Vec<u8>,
    len: usize,
}

/// Appends `n` as a LEB128 varint.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a LEB128 varint at `*pos`, advancing it.
fn get_varint(buf: &[u8], pos: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let b = buf[*pos];
        *pos += 1;
        n |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// Appends the encoding of one entry.
fn encode_entry(out: &mut Vec<u8>, member: &[u8], score: f64) {
    put_varint(out, member.len() as u64);
    out.extend_from_slice(member);
    if score.fract() == 0.0 && score.abs() <= INT_SCORE_LIMIT {
        let n = score as i64;
        let zz = ((n << 1) ^ (n >> 63)) as u64;
        let bytes = zz.to_le_bytes();
        let used = 8 - (zz.leading_zeros() / 8) as usize;
        out.push(used as u8);
        out.extend_from_slice(&bytes[..used]);
    } else {
        out.push(SCORE_F64);
        out.extend_from_slice(&score.to_le_bytes());
    }
}

/// Decodes the entry at `pos`: (member start, member end, score, next entry's offset).
fn decode_entry(buf: &[u8], pos: usize) -> (usize, usize, f64, usize) {
    let mut p = pos;
    let mlen = get_varint(buf, &mut p) as usize;
    let (ms, me) = (p, p + mlen);
    p = me;
    let tag = buf[p];
    p += 1;
    let score = if tag == SCORE_F64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&buf[p..p + 8]);
        p += 8;
        f64::from_le_bytes(b)
    } else {
        let used = tag as usize;
        let mut b = [0u8; 8];
        b[..used].copy_from_slice(&buf[p..p + used]);
        p += used;
        let zz = u64::from_le_bytes(b);
        (((zz >> 1) as i64) ^ -((zz & 1) as i64)) as f64
    };
    (ms, me, score, p)
}

impl Pack {
    /// Calls `f(index, member, score)` for each entry in order while it returns true.
    fn walk<'a>(&'a self, mut f: impl FnMut(usize, &'a [u8], f64) -> bool) {
        let mut pos = 0;
        let mut i = 0;
        while pos < self.buf.len() {
            let (ms, me, s, next) = decode_entry(&self.buf, pos);
            if !f(i, &self.buf[ms..me], s) {
                return;
            }
            pos = next;
            i += 1;
        }
    }

    /// Byte offset and score of `member`'s entry.
    fn find(&self, member: &[u8]) -> Option<(usize, f64)> {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (ms, me, s, next) = decode_entry(&self.buf, pos);
            if &self.buf[ms..me] == member {
                return Some((pos, s));
            }
            pos = next;
        }
        None
    }

    /// 0-based rank of `member`.
    fn rank(&self, member: &[u8]) -> Option<usize> {
        let mut found = None;
        self.walk(|i, m, _| {
            if m == member {
                found = Some(i);
                false
            } else {
                true
            }
        });
        found
    }

    /// Appends an entry that sorts after every present one.
    fn push_back(&mut self, member: &[u8], score: f64) {
        encode_entry(&mut self.buf, member, score);
        self.len += 1;
    }

    /// Inserts an absent member at its place in the order.
    fn insert(&mut self, member: &[u8], score: f64) {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (ms, me, s, next) = decode_entry(&self.buf, pos);
            if order(s, &self.buf[ms..me], score, member) == Ordering::Greater {
                break;
            }
            pos = next;
        }
        let mut entry = Vec::with_capacity(member.len() + 10);
        encode_entry(&mut entry, member, score);
        self.buf.splice(pos..pos, entry);
        self.len += 1;
    }

    /// Removes `member`; returns its score if present.
    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (pos, score) = self.find(member)?;
        let (_, _, _, next) = decode_entry(&self.buf, pos);
        self.buf.drain(pos..next);
        self.len -= 1;
        self.shrink();
        Some(score)
    }

    /// Byte offsets of entries `start..=end` (end may be `len`, the buffer's end).
    fn offsets(&self, start: usize, end: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(end - start + 1);
        let mut pos = 0;
        let mut i = 0;
        while i <= end {
            if i >= start {
                out.push(pos);
            }
            if pos >= self.buf.len() {
                break;
            }
            pos = decode_entry(&self.buf, pos).3;
            i += 1;
        }
        out
    }

    /// Calls `f` for entries `start..end` (valid ranks), forward or backward.
    fn range<'a>(&'a self, start: usize, end: usize, rev: bool, f: &mut impl FnMut(&'a [u8], f64)) {
        if rev {
            let offs = self.offsets(start, end - 1);
            for &pos in offs.iter().rev() {
                let (ms, me, s, _) = decode_entry(&self.buf, pos);
                f(&self.buf[ms..me], s);
            }
        } else {
            self.walk(|i, m, s| {
                if i >= start {
                    f(m, s);
                }
                i + 1 < end
            });
        }
    }

    /// Removes entries `start..end` (valid ranks), reporting each.
    fn remove_range(&mut self, start: usize, end: usize, f: &mut impl FnMut(&[u8], f64)) {
        let offs = self.offsets(start, end);
        let (from, to) = (offs[0], *offs.last().unwrap_or(&offs[0]));
        let mut pos = from;
        while pos < to {
            let (ms, me, s, next) = decode_entry(&self.buf, pos);
            f(&self.buf[ms..me], s);
            pos = next;
        }
        self.buf.drain(from..to);
        self.len -= end - start;
        self.shrink();
    }

    /// Gives memory back once the buffer is mostly unused.
    fn shrink(&mut self) {
        if self.buf.capacity() > 64 && self.buf.len() < self.buf.capacity() / 2 {
            self.buf.shrink_to_fit();
        }
    }
}

// ---------------------------------------------------------------------------------------
// skiplist + hash encoding
// ---------------------------------------------------------------------------------------

/// "No node" (end of a level, of a hash chain, no backward).
const NIL: u32 = u32::MAX;
/// The header, whose links are `links[0..MAX_LEVEL]`.
const HEAD: u32 = u32::MAX - 1;
/// Highest skiplist level.
const MAX_LEVEL: usize = 32;
/// Smallest node arena that compaction bothers with.
const COMPACT_MIN: usize = 256;

/// A forward link at one level: the next node and how many level-0 steps it skips.
#[derive(Clone, Copy, Debug)]
struct Link {
    next: u32,
    span: u32,
}

/// A skiplist node.
#[derive(Clone)]
struct Node {
    member: SmallBytes,
    score: f64,
    /// Previous node at level 0, or NIL for the first.
    backward: u32,
    /// Next node in the same hash bucket, or NIL.
    chain: u32,
    /// Start of this node's links in `SkipSet::links`.
    lvl: u32,
    /// Links reserved at `lvl` (a reused slot may keep a larger block).
    cap: u8,
}

/// Elements per chunk of a [`Chunked`] array (a power of two).
const CHUNK: usize = 1 << CHUNK_SHIFT;
/// log2 of [`CHUNK`].
const CHUNK_SHIFT: usize = 10;

/// A growable array kept in chunks of [`CHUNK`] elements: growing never copies what is
/// there (a big `Vec` doubling would copy it and leave the old block to the allocator),
/// and at most one chunk is partly used. The first chunk grows like a `Vec`, so a small
/// array stays small.
#[derive(Clone)]
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Chunked<T> {
    fn new() -> Chunked<T> {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, v: T) {
        if self.len >= self.chunks.len() * CHUNK {
            let cap = if self.chunks.is_empty() { 0 } else { CHUNK };
            self.chunks.push(Vec::with_capacity(cap));
        }
        let last = self.chunks.len() - 1;
        self.chunks[last].push(v);
        self.len += 1;
    }

    fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for v in items {
            self.push(v);
        }
    }

    /// Heap bytes held.
    fn heap_bytes(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.capacity() * std::mem::size_of::<T>())
            .sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> CHUNK_SHIFT][i & (CHUNK - 1)]
    }
}

impl<T> std::ops::IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> CHUNK_SHIFT][i & (CHUNK - 1)]
    }
}

/// Skiplist with spans plus a member -> node hash table, in arenas.
#[derive(Clone)]
struct SkipSet {
    nodes: Chunked<Node>,
    links: Chunked<Link>,
    /// Slots of removed nodes, reused by inserts.
    free: Vec<u32>,
    /// Hash table heads: a power-of-two number of buckets, or none while empty.
    buckets: Vec<u32>,
    hasher: RandomState,
    len: u32,
    level: usize,
    tail: u32,
    rng: u64,
}

impl SkipSet {
    /// An empty skiplist hashing with `hasher`.
    fn new(hasher: RandomState) -> SkipSet {
        SkipSet {
            nodes: Chunked::new(),
            links: {
                let mut links = Chunked::new();
                for _ in 0..MAX_LEVEL {
                    links.push(Link { next: NIL, span: 0 });
                }
                links
            },
            free: Vec::new(),
            buckets: Vec::new(),
            hasher,
            len: 0,
            level: 1,
            tail: NIL,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// A skiplist of `items`, which are in rank order with unique members. O(n).
    fn from_sorted(items: impl Iterator<Item = (SmallBytes, f64)>, hasher: RandomState) -> SkipSet {
        let mut s = SkipSet::new(hasher);
        // The last node at each level and its 1-based rank (0 = header).
        let mut last = [HEAD; MAX_LEVEL];
        let mut last_rank = [0u32; MAX_LEVEL];
        let mut rank = 0u32;
        for (member, score) in items {
            rank += 1;
            let h = s.random_level();
            let n = s.alloc_node(member, score, h);
            s.level = s.level.max(h);
            for i in 0..h {
                let l = s.link_mut(last[i], i);
                l.next = n;
                l.span = rank - last_rank[i];
                last[i] = n;
                last_rank[i] = rank;
            }
            s.nodes[n as usize].backward = if rank == 1 { NIL } else { s.tail };
            s.tail = n;
        }
        s.len = rank;
        for i in 0..s.level {
            let l = s.link_mut(last[i], i);
            l.next = NIL;
            l.span = rank - last_rank[i];
        }
        s.rehash(s.len as usize);
        s
    }

    /// Index into `links` of level `i` of node `x` (or of the header).
    fn li(&self, x: u32, i: usize) -> usize {
        if x == HEAD {
            i
        } else {
            self.nodes[x as usize].lvl as usize + i
        }
    }

    fn link(&self, x: u32, i: usize) -> Link {
        self.links[self.li(x, i)]
    }

    fn link_mut(&mut self, x: u32, i: usize) -> &mut Link {
        let idx = self.li(x, i);
        &mut self.links[idx]
    }

    /// A random height: 1, then each further level with probability 1/4.
    fn random_level(&mut self) -> usize {
        let mut h = 1;
        loop {
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.rng = x;
            if h < MAX_LEVEL && (x >> 40) & 0xFFFF < 0x4000 {
                h += 1;
            } else {
                return h;
            }
        }
    }

    /// Takes a node slot (a free one if any) of height `h` holding `member`/`score`.
    fn alloc_node(&mut self, member: SmallBytes, score: f64, h: usize) -> u32 {
        let (lvl, cap) = match self.free.last() {
            Some(&slot) if self.nodes[slot as usize].cap as usize >= h => {
                let n = &self.nodes[slot as usize];
                (n.lvl, n.cap)
            }
            _ => {
                let lvl = self.links.len() as u32;
                self.links
                    .extend(std::iter::repeat_n(Link { next: NIL, span: 0 }, h));
                (lvl, h as u8)
            }
        };
        let node = Node {
            member,
            score,
            backward: NIL,
            chain: NIL,
            lvl,
            cap,
        };
        match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Whether node `n` sorts before (`score`, `member`).
    fn before(&self, n: u32, score: f64, member: &[u8]) -> bool {
        let node = &self.nodes[n as usize];
        order(node.score, &node.member, score, member) == Ordering::Less
    }

    // -- hash table ---------------------------------------------------------------------

    fn hash(&self, member: &[u8]) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(member);
        h.finish()
    }

    fn bucket_of(&self, member: &[u8]) -> usize {
        (self.hash(member) as usize) & (self.buckets.len() - 1)
    }

    /// Chain statistics of the member table, in DEBUG HTSTATS text.
    fn hash_table_stats(&self) -> String {
        let chain_len = |&head: &u32| {
            std::iter::successors(Some(head).filter(|&n| n != NIL), |&n| {
                Some(self.nodes[n as usize].chain).filter(|&n| n != NIL)
            })
            .count()
        };
        let t = TableStats::collect(
            self.buckets.len(),
            self.len as usize,
            self.buckets.iter().map(chain_len),
        );
        hash_table_stats::render(&t, None)
    }

    /// The node holding `member`.
    fn find(&self, member: &[u8]) -> Option<u32> {
        if self.buckets.is_empty() {
            return None;
        }
        let mut n = self.buckets[self.bucket_of(member)];
        while n != NIL {
            let node = &self.nodes[n as usize];
            if node.member.as_bytes() == member {
                return Some(n);
            }
            n = node.chain;
        }
        None
    }

    /// Links node `n` into its bucket.
    fn hash_link(&mut self, n: u32) {
        let b = self.bucket_of(&self.nodes[n as usize].member);
        self.nodes[n as usize].chain = self.buckets[b];
        self.buckets[b] = n;
    }

    /// Unlinks node `n` from its bucket.
    fn hash_unlink(&mut self, n: u32) {
        let b = self.bucket_of(&self.nodes[n as usize].member);
        let next = self.nodes[n as usize].chain;
        if self.buckets[b] == n {
            self.buckets[b] = next;
            return;
        }
        let mut p = self.buckets[b];
        while p != NIL {
            if self.nodes[p as usize].chain == n {
                self.nodes[p as usize].chain = next;
                return;
            }
            p = self.nodes[p as usize].chain;
        }
    }

    /// Rebuilds the hash table with the smallest power of two >= `want` (at least 4)
    /// buckets.
    fn rehash(&mut self, want: usize) {
        let size = want.max(4).next_power_of_two();
        let mut buckets = vec![NIL; size];
        let mask = size - 1;
        let mut x = self.link(HEAD, 0).next;
        while x != NIL {
            let b = (self.hash(&self.nodes[x as usize].member) as usize) & mask;
            self.nodes[x as usize].chain = buckets[b];
            buckets[b] = x;
            x = self.link(x, 0).next;
        }
        self.buckets = buckets;
    }

    /// One bucket of the reverse-binary SCAN: calls `f` for its entries and returns the
    /// next cursor.
    fn scan_bucket(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        if self.buckets.is_empty() {
            return 0;
        }
        let mask = (self.buckets.len() - 1) as u64;
        let mut n = self.buckets[(cursor & mask) as usize];
        while n != NIL {
            let node = &self.nodes[n as usize];
            f(&node.member, node.score);
            n = node.chain;
        }
        (cursor | !mask)
            .reverse_bits()
            .wrapping_add(1)
            .reverse_bits()
    }

    // -- skiplist -----------------------------------------------------------------------

    /// Inserts an absent member. Returns its node.
    fn insert(&mut self, member: SmallBytes, score: f64) -> u32 {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            loop {
                let l = self.link(x, i);
                if l.next != NIL && self.before(l.next, score, &member) {
                    rank[i] += l.span;
                    x = l.next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let h = self.random_level();
        if h > self.level {
            for i in self.level..h {
                rank[i] = 0;
                update[i] = HEAD;
                self.link_mut(HEAD, i).span = self.len;
            }
            self.level = h;
        }
        let n = self.alloc_node(member, score, h);
        for i in 0..h {
            let prev = self.link(update[i], i);
            let moved = rank[0] - rank[i];
            *self.link_mut(n, i) = Link {
                next: prev.next,
                span: prev.span - moved,
            };
            *self.link_mut(update[i], i) = Link {
                next: n,
                span: moved + 1,
            };
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(h) {
            self.link_mut(u, i).span += 1;
        }
        self.nodes[n as usize].backward = if update[0] == HEAD { NIL } else { update[0] };
        let next = self.link(n, 0).next;
        if next == NIL {
            self.tail = n;
        } else {
            self.nodes[next as usize].backward = n;
        }
        self.len += 1;
        if self.len as usize > self.buckets.len() {
            self.rehash(self.len as usize);
        } else {
            self.hash_link(n);
        }
        n
    }

    /// The predecessors at every level of the element (`score`, `member`).
    fn predecessors(&self, score: f64, member: &[u8]) -> [u32; MAX_LEVEL] {
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.link(x, i).next;
                if next != NIL && self.before(next, score, member) {
                    x = next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// Unlinks node `x` from the skiplist levels, given its predecessors (the hash table
    /// and the slot are the caller's business).
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let ul = self.link(u, i);
            if ul.next == x {
                let xl = self.link(x, i);
                *self.link_mut(u, i) = Link {
                    next: xl.next,
                    span: ul.span + xl.span - 1,
                };
            } else {
                self.link_mut(u, i).span = ul.span - 1;
            }
        }
        let next = self.link(x, 0).next;
        let back = self.nodes[x as usize].backward;
        if next == NIL {
            self.tail = back;
        } else {
            self.nodes[next as usize].backward = back;
        }
        while self.level > 1 && self.link(HEAD, self.level - 1).next == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Returns a removed node's slot to the free list (dropping its member).
    fn release(&mut self, x: u32) {
        self.nodes[x as usize].member = SmallBytes::new(b"");
        self.free.push(x);
    }

    /// Removes `member`; returns its score.
    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let x = self.find(member)?;
        let score = self.nodes[x as usize].score;
        let update = self.predecessors(score, member);
        self.hash_unlink(x);
        self.unlink(x, &update);
        self.release(x);
        self.after_removal();
        Some(score)
    }

    /// Moves `member` (present) to `score`.
    fn update_score(&mut self, member: &[u8], score: f64) {
        let Some(x) = self.find(member) else {
            return;
        };
        let old = self.nodes[x as usize].score;
        // Still between its neighbours: change the score in place.
        let back = self.nodes[x as usize].backward;
        let next = self.link(x, 0).next;
        let after_back = back == NIL || self.before(back, score, member);
        let before_next = next == NIL || {
            let n = &self.nodes[next as usize];
            order(score, member, n.score, &n.member) == Ordering::Less
        };
        if after_back && before_next {
            self.nodes[x as usize].score = score;
            return;
        }
        let update = self.predecessors(old, member);
        self.hash_unlink(x);
        self.unlink(x, &update);
        let m = std::mem::replace(&mut self.nodes[x as usize].member, SmallBytes::new(b""));
        self.free.push(x);
        self.insert(m, score);
    }

    /// 0-based rank of `member`.
    fn rank(&self, member: &[u8]) -> Option<usize> {
        let target = self.find(member)?;
        let score = self.nodes[target as usize].score;
        let mut x = HEAD;
        let mut traversed = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && (l.next == target || self.before(l.next, score, member)) {
                    traversed += l.span;
                    x = l.next;
                    if x == target {
                        return Some(traversed as usize - 1);
                    }
                } else {
                    break;
                }
            }
        }
        None
    }

    /// The node at 0-based `rank` (< len).
    fn node_at(&self, rank: usize) -> u32 {
        let want = rank as u32 + 1;
        let mut x = HEAD;
        let mut traversed = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && traversed + l.span <= want {
                    traversed += l.span;
                    x = l.next;
                } else {
                    break;
                }
            }
            if traversed == want {
                return x;
            }
        }
        x
    }

    /// Number of leading elements satisfying `pred`.
    fn count_while(&self, pred: &mut impl FnMut(&[u8], f64) -> bool) -> usize {
        let mut x = HEAD;
        let mut traversed = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    break;
                }
                let n = &self.nodes[l.next as usize];
                if !pred(&n.member, n.score) {
                    break;
                }
                traversed += l.span;
                x = l.next;
            }
        }
        traversed as usize
    }

    /// Calls `f` for ranks `start..end` (valid), forward or backward.
    fn range<'a>(&'a self, start: usize, end: usize, rev: bool, f: &mut impl FnMut(&'a [u8], f64)) {
        let mut x = if rev {
            if end == self.len as usize {
                self.tail
            } else {
                self.node_at(end - 1)
            }
        } else if start == 0 {
            self.link(HEAD, 0).next
        } else {
            self.node_at(start)
        };
        for _ in start..end {
            let n = &self.nodes[x as usize];
            f(&n.member, n.score);
            x = if rev {
                n.backward
            } else {
                self.link(x, 0).next
            };
        }
    }

    /// Removes ranks `start..end` (valid), reporting each in order.
    fn remove_range(&mut self, start: usize, end: usize, f: &mut impl FnMut(&[u8], f64)) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        let mut traversed = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next != NIL && traversed + l.span <= start as u32 {
                    traversed += l.span;
                    x = l.next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut x = self.link(x, 0).next;
        for _ in start..end {
            let next = self.link(x, 0).next;
            {
                let n = &self.nodes[x as usize];
                f(&n.member, n.score);
            }
            self.hash_unlink(x);
            self.unlink(x, &update);
            self.release(x);
            x = next;
        }
        self.after_removal();
    }

    /// After removals: shrinks the hash table under 10% fill and compacts the arenas when
    /// more than half of the node slots are free.
    fn after_removal(&mut self) {
        let len = self.len as usize;
        if self.nodes.len() >= COMPACT_MIN && len < self.nodes.len() / 2 {
            self.compact();
        } else if self.buckets.len() > 4 && len * 10 < self.buckets.len() {
            self.rehash(len);
        }
    }

    /// Rebuilds the arenas densely (same hash seed, so SCAN cursors stay meaningful).
    fn compact(&mut self) {
        let mut items = Vec::with_capacity(self.len as usize);
        let mut x = self.link(HEAD, 0).next;
        while x != NIL {
            let next = self.link(x, 0).next;
            let n = &mut self.nodes[x as usize];
            items.push((
                std::mem::replace(&mut n.member, SmallBytes::new(b"")),
                n.score,
            ));
            x = next;
        }
        let rng = self.rng;
        *self = SkipSet::from_sorted(items.into_iter(), self.hasher.clone());
        self.rng = rng;
    }

    /// Approximate heap bytes.
    fn heap_size(&self) -> usize {
        let mut members = 0;
        let mut x = self.link(HEAD, 0).next;
        while x != NIL {
            members += self.nodes[x as usize].member.heap_size();
            x = self.link(x, 0).next;
        }
        self.nodes.heap_bytes()
            + self.links.heap_bytes()
            + self.free.capacity() * 4
            + self.buckets.capacity() * 4
            + members
    }

    /// Checks every invariant (tests).
    #[cfg(test)]
    fn check(&self) {
        let mut x = self.link(HEAD, 0).next;
        let mut prev = NIL;
        let mut count = 0u32;
        while x != NIL {
            let n = &self.nodes[x as usize];
            assert_eq!(n.backward, prev);
            if prev != NIL {
                let p = &self.nodes[prev as usize];
                assert_eq!(
                    order(p.score, &p.member, n.score, &n.member),
                    Ordering::Less
                );
            }
            assert_eq!(self.find(&n.member), Some(x));
            count += 1;
            assert_eq!(self.rank(&n.member), Some(count as usize - 1));
            assert_eq!(self.node_at(count as usize - 1), x);
            prev = x;
            x = self.link(x, 0).next;
        }
        assert_eq!(prev, self.tail);
        assert_eq!(count, self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn limits(entries: usize, value: usize) -> EncodingLimits {
        EncodingLimits {
            zset_max_listpack_entries: entries,
            zset_max_listpack_value: value,
            ..EncodingLimits::default()
        }
    }

    fn pairs(z: &ZSet) -> Vec<(Vec<u8>, f64)> {
        let mut v = Vec::new();
        z.for_each(|m, s| v.push((m.to_vec(), s)));
        v
    }

    #[test]
    fn node_is_48_bytes() {
        assert_eq!(std::mem::size_of::<Node>(), 48);
    }

    #[test]
    fn pack_scores_round_trip() {
        let mut p = Pack::default();
        let scores = [
            0.0,
            1.0,
            -1.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4611686018427387904.0,
            -4611686018427387904.0,
            9.3e18,
            1e-300,
            123456789.0,
        ];
        for (i, s) in scores.iter().enumerate() {
            p.push_back(format!("m{}", i).as_bytes(), *s);
        }
        let mut got = Vec::new();
        p.walk(|_, _, s| {
            got.push(s);
            true
        });
        assert_eq!(got, scores);
        // -0 is integral: stored as the integer 0, as Redis's listpack does.
        let mut q = Pack::default();
        q.push_back(b"z", -0.0);
        q.walk(|_, _, s| {
            assert!(s.is_sign_positive());
            true
        });
    }

    #[test]
    fn converts_at_the_thresholds() {
        let l = limits(3, 5);
        let mut z = ZSet::new_for(&l, 1);
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            z.insert(m.as_bytes(), i as f64, &l);
        }
        assert_eq!(z.encoding_name(), "listpack");
        z.insert(b"d", 9.0, &l);
        assert_eq!(z.encoding_name(), "skiplist");
        let mut z = ZSet::new_for(&l, 1);
        z.insert(b"abcde", 1.0, &l);
        assert_eq!(z.encoding_name(), "listpack");
        z.insert(b"abcdef", 1.0, &l);
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(ZSet::new_for(&l, 6).encoding_name(), "skiplist");
        assert_eq!(ZSet::new_for(&limits(0, 64), 1).encoding_name(), "skiplist");
        // Removing does not convert back; building does.
        z.remove(b"abcdef");
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(ZSet::from_pairs(pairs(&z), &l).encoding_name(), "listpack");
    }

    #[test]
    fn ranges_and_windows() {
        for l in [limits(128, 64), limits(0, 0)] {
            let z = ZSet::from_pairs(
                (0..100)
                    .map(|i| (format!("m{:03}", i).into_bytes(), (i / 2) as f64))
                    .collect(),
                &l,
            );
            let r = ScoreRange::parse(b"(10", b"20").unwrap();
            assert_eq!(z.score_window(&r), (22, 42));
            let r = ScoreRange::parse(b"-inf", b"(0").unwrap();
            assert_eq!(z.score_window(&r), (0, 0));
            let lr = LexRange::parse(b"[m010", b"(m020").unwrap();
            assert_eq!(z.lex_window(&lr), (10, 20));
            let mut got = Vec::new();
            z.range(95, 200, true, |m, _| got.push(m.to_vec()));
            assert_eq!(
                got,
                vec![
                    b"m099".to_vec(),
                    b"m098".to_vec(),
                    b"m097".to_vec(),
                    b"m096".to_vec(),
                    b"m095".to_vec()
                ]
            );
            assert_eq!(z.get_by_rank(42), Some((&b"m042"[..], 21.0)));
            assert_eq!(z.rank(b"m042"), Some(42));
        }
    }

    #[test]
    fn strtod_quirks() {
        assert_eq!(strtod_whole(b""), Some(0.0));
        assert_eq!(strtod_whole(b" 1.5"), Some(1.5));
        assert_eq!(strtod_whole(b"1e999"), Some(f64::INFINITY));
        assert_eq!(strtod_whole(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(strtod_whole(b"1\0junk"), Some(1.0));
        assert_eq!(strtod_whole(b"nan"), None);
        assert_eq!(strtod_whole(b"1 "), None);
        assert_eq!(strtod_whole(b" "), None);
        assert_eq!(strtod_whole(b"abc"), None);
        assert!(ScoreRange::parse(b"(", b"(1").is_some());
        assert!(LexRange::parse(b"", b"+").is_none());
        assert!(LexRange::parse(b"+x", b"+").is_none());
    }

    #[test]
    fn scan_reports_every_member_across_resizes() {
        let l = limits(0, 0);
        let mut z = ZSet::new_for(&l, 0);
        for i in 0..1000 {
            z.insert(format!("k{}", i).as_bytes(), i as f64, &l);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = z.scan(cursor, 10, |m, _| {
                seen.insert(m.to_vec());
            });
            step += 1;
            if step == 20 {
                // Remove half (shrinks and compacts), then grow again.
                for i in 500..1000 {
                    z.remove(format!("k{}", i).as_bytes());
                }
                for i in 1000..3000 {
                    z.insert(format!("k{}", i).as_bytes(), i as f64, &l);
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500 {
            assert!(seen.contains(format!("k{}", i).as_bytes()), "k{}", i);
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8, i8),
        Remove(u8),
        RemoveRange(u8, u8),
        Rebuild,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            5 => (any::<u8>(), -20i8..20).prop_map(|(m, s)| Op::Add(m, s)),
            2 => any::<u8>().prop_map(Op::Remove),
            1 => (any::<u8>(), 0u8..8).prop_map(|(a, b)| Op::RemoveRange(a, b)),
            1 => Just(Op::Rebuild),
        ]
    }

    fn member(m: u8) -> Vec<u8> {
        // Some members are long, to cross the value limit.
        if m.is_multiple_of(37) {
            format!("long-member-{:03}-xxxxxxxxxxxxxxxxxxxx", m).into_bytes()
        } else {
            format!("m{}", m % 97).into_bytes()
        }
    }

    /// The model's contents in Redis's order.
    fn model_order(model: &BTreeMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<_> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
        v.sort_by(|a, b| order(a.1, &a.0, b.1, &b.0));
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn behaves_like_a_sorted_map(ops in proptest::collection::vec(op(), 1..300), entries in 0usize..20) {
            let l = limits(entries, 30);
            let mut z = ZSet::new_for(&l, 1);
            let mut model: BTreeMap<Vec<u8>, f64> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Add(m, s) => {
                        let m = member(m);
                        let s = f64::from(s) / 2.0;
                        match model.insert(m.clone(), s) {
                            Some(_) => z.update_score(&m, s),
                            None => z.insert(&m, s, &l),
                        }
                    }
                    Op::Remove(m) => {
                        let m = member(m);
                        prop_assert_eq!(z.remove(&m), model.remove(&m));
                    }
                    Op::RemoveRange(a, n) => {
                        let sorted = model_order(&model);
                        let start = a as usize % (sorted.len() + 1);
                        let end = (start + n as usize).min(sorted.len());
                        let mut removed = Vec::new();
                        z.remove_range(start, end, |m, s| removed.push((m.to_vec(), s)));
                        prop_assert_eq!(&removed[..], &sorted[start..end]);
                        for (m, _) in &removed {
                            model.remove(m);
                        }
                    }
                    Op::Rebuild => z = ZSet::from_pairs(pairs(&z), &l),
                }
                let sorted = model_order(&model);
                prop_assert_eq!(pairs(&z), sorted.clone());
                prop_assert_eq!(z.len(), model.len());
                if let Enc::Skip(s) = &z.enc {
                    s.check();
                }
                for (i, (m, s)) in sorted.iter().enumerate() {
                    prop_assert_eq!(z.score(m), Some(*s));
                    prop_assert_eq!(z.rank(m), Some(i));
                }
                let r = ScoreRange { min: -3.0, min_ex: true, max: 4.5, max_ex: false };
                let lo = sorted.iter().filter(|p| p.1 <= -3.0).count();
                let hi = sorted.iter().filter(|p| p.1 <= 4.5).count();
                prop_assert_eq!(z.score_window(&r), (lo, hi.max(lo)));
            }
        }
    }
}
