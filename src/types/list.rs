//! The list type: a quicklist, i.e. a deque of packed nodes.
//!
//! Each node is one contiguous byte buffer holding several elements back to back, so a
//! million short elements cost a few bytes each instead of an allocation each. Node size
//! follows `list-max-listpack-size`: a negative value caps the bytes of a node (-1..-5 =
//! 4/8/16/32/64 KiB), a positive one caps its entry count (with an 8 KiB safety limit,
//! as Redis). OBJECT ENCODING always says "quicklist", as Redis 7.0 does.
//!
//! With `list-compress-depth` d > 0 (read when the list is created, as Redis does), the
//! d nodes at each end stay plain and every node in between is kept LZF-compressed when
//! it is at least 48 bytes and compression saves more than 8 bytes (Redis's
//! `MIN_COMPRESS_BYTES` / `MIN_COMPRESS_IMPROVE`). Reads of an inner node expand it into
//! a temporary copy; changes expand it in place and compress it again afterwards; nodes
//! that move across the depth through pushes and pops are (de)compressed as they do.
//!
//! An element of at least the packed threshold (1 GiB; `DEBUG
//! QUICKLIST-PACKED-THRESHOLD` lowers it, as Redis's tests do) is never packed with
//! others: it gets a node of its own that takes no other entry and merges with no
//! neighbour (Redis's PLAIN quicklist nodes), so a huge element never makes its
//! neighbours' inserts and pops move it.
//!
//! # Entry format (ours; not Redis's listpack)
//! Every entry is a tag byte, an optional payload, then a "back length": the byte size of
//! tag + payload written so it can be read from its last byte backwards (7 bits per byte,
//! lowest bits last, the high bit set on every byte but the leftmost), which lets pops
//! and reverse scans walk a node from its end.
//!
//! | tag            | payload                        | meaning                         |
//! |----------------|--------------------------------|---------------------------------|
//! | `0x00..=0x7F`  | none                           | the integer 0..=127             |
//! | `0x80..=0xBF`  | `tag & 0x3F` bytes             | a string of 0..=63 bytes        |
//! | `0xC0`/`C1`/`C2` | 2/4/8 bytes little endian    | an `i16`/`i32`/`i64`            |
//! | `0xC3`/`C4`/`C5` | u16/u32/u64 length, then bytes | a longer string               |
//! | `0xC6`         | 3 bytes little endian          | a 24-bit signed integer         |
//! | `0xE0..=0xFF`  | 1 byte                         | a 13-bit signed integer: the tag's low 5 bits are the high bits |
//!
//! Strings that are the canonical decimal form of an `i64` are stored as integers and
//! come back as [`Elem::Int`]; their text is the same, so callers cannot tell.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use super::value::itoa_buf;
use super::EncodingLimits;
use crate::persistence::rdb::lzf::Compressor;
use crate::util::numbers::parse_i64;

/// Byte cap of a node for `list-max-listpack-size` -1..-5.
const BYTE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Byte cap of a node when `list-max-listpack-size` counts entries (Redis's
/// SIZE_SAFETY_LIMIT).
const SAFETY_LIMIT: usize = 8192;

const TAG_STR6: u8 = 0x80;
const TAG_I16: u8 = 0xC0;
const TAG_I32: u8 = 0xC1;
const TAG_I64: u8 = 0xC2;
const TAG_STR16: u8 = 0xC3;
const TAG_STR32: u8 = 0xC4;
const TAG_STR64: u8 = 0xC5;
const TAG_I24: u8 = 0xC6;
/// Tags `0xE0..=0xFF` hold 13-bit integers.
const TAG_I13: u8 = 0xE0;
const I13_RANGE: std::ops::RangeInclusive<i64> = -4096..=4095;
const I24_RANGE: std::ops::RangeInclusive<i64> = -(1 << 23)..=(1 << 23) - 1;

/// One element as stored: integers come back as numbers (format them to get the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    /// The element's bytes as an owned vector.
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Elem::Int(n) => itoa_buf::Buffer::new().format(n).to_vec(),
            Elem::Str(s) => s.to_vec(),
        }
    }

    /// Calls `f` with the element's bytes (integers formatted on the stack).
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Elem::Int(n) => f(itoa_buf::Buffer::new().format(n)),
            Elem::Str(s) => f(s),
        }
    }

    /// Whether the element equals the value `probe` was made from.
    pub fn matches(self, probe: &Probe<'_>) -> bool {
        match self {
            Elem::Int(n) => probe.int == Some(n),
            Elem::Str(s) => probe.int.is_none() && s == probe.bytes,
        }
    }
}

/// A value prepared for comparing with many elements (LREM, LPOS, LINSERT's pivot).
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Probe<'a> {
    /// Prepares `bytes` for comparisons.
    pub fn new(bytes: &'a [u8]) -> Probe<'a> {
        Probe {
            bytes,
            int: canonical_int(bytes),
        }
    }
}

/// The integer `b` spells in canonical decimal form (no sign but `-`, no leading zeros,
/// no `-0`), so storing the integer loses nothing.
fn canonical_int(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let n = parse_i64(b)?;
    (itoa_buf::Buffer::new().format(n) == b).then_some(n)
}

/// Bytes the back length of an entry of `size` bytes takes.
fn backlen_size(size: usize) -> usize {
    let mut n = 1;
    let mut rest = size >> 7;
    while rest > 0 {
        n += 1;
        rest >>= 7;
    }
    n
}

/// Appends the encoded entry for `value` to `out`.
fn encode_into(value: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    if let Some(n) = canonical_int(value) {
        if (0..=0x7F).contains(&n) {
            out.push(n as u8);
        } else if I13_RANGE.contains(&n) {
            let u = (n as u16) & 0x1FFF;
            out.push(TAG_I13 | (u >> 8) as u8);
            out.push(u as u8);
        } else if let Ok(v) = i16::try_from(n) {
            out.push(TAG_I16);
            out.extend_from_slice(&v.to_le_bytes());
        } else if I24_RANGE.contains(&n) {
            out.push(TAG_I24);
            out.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
        } else if let Ok(v) = i32::try_from(n) {
            out.push(TAG_I32);
            out.extend_from_slice(&v.to_le_bytes());
        } else {
            out.push(TAG_I64);
            out.extend_from_slice(&n.to_le_bytes());
        }
    } else {
        let len = value.len();
        if len < 64 {
            out.push(TAG_STR6 | len as u8);
        } else if let Ok(l) = u16::try_from(len) {
            out.push(TAG_STR16);
            out.extend_from_slice(&l.to_le_bytes());
        } else if let Ok(l) = u32::try_from(len) {
            out.push(TAG_STR32);
            out.extend_from_slice(&l.to_le_bytes());
        } else {
            out.push(TAG_STR64);
            out.extend_from_slice(&(len as u64).to_le_bytes());
        }
        out.extend_from_slice(value);
    }
    let size = out.len() - start;
    let k = backlen_size(size);
    for i in (0..k).rev() {
        let mut b = ((size >> (7 * i)) & 0x7F) as u8;
        if i + 1 < k {
            b |= 0x80;
        }
        out.push(b);
    }
}

/// The encoded form of `value`.
fn encode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 4);
    encode_into(value, &mut out);
    out
}

/// Reads a little-endian field of `N` bytes at `pos`.
fn le<const N: usize>(buf: &[u8], pos: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&buf[pos..pos + N]);
    a
}

/// Decodes the entry starting at `pos`; returns it and where the next entry starts.
fn decode(buf: &[u8], pos: usize) -> (Elem<'_>, usize) {
    let tag = buf[pos];
    let p = pos + 1;
    let (elem, end) = match tag {
        0..=0x7F => (Elem::Int(tag as i64), p),
        0x80..=0xBF => {
            let n = (tag & 0x3F) as usize;
            (Elem::Str(&buf[p..p + n]), p + n)
        }
        TAG_I16 => (Elem::Int(i16::from_le_bytes(le(buf, p)) as i64), p + 2),
        TAG_I32 => (Elem::Int(i32::from_le_bytes(le(buf, p)) as i64), p + 4),
        TAG_I64 => (Elem::Int(i64::from_le_bytes(le(buf, p))), p + 8),
        TAG_I24 => {
            let b: [u8; 3] = le(buf, p);
            // Sign-extend from 24 bits.
            let v = i32::from_le_bytes([b[0], b[1], b[2], 0]) << 8 >> 8;
            (Elem::Int(v as i64), p + 3)
        }
        TAG_I13..=0xFF => {
            let u = (((tag & 0x1F) as u16) << 8) | buf[p] as u16;
            // Sign-extend from 13 bits.
            let v = ((u << 3) as i16) >> 3;
            (Elem::Int(v as i64), p + 1)
        }
        TAG_STR16 => {
            let n = u16::from_le_bytes(le(buf, p)) as usize;
            (Elem::Str(&buf[p + 2..p + 2 + n]), p + 2 + n)
        }
        TAG_STR32 => {
            let n = u32::from_le_bytes(le(buf, p)) as usize;
            (Elem::Str(&buf[p + 4..p + 4 + n]), p + 4 + n)
        }
        _ => {
            let n = u64::from_le_bytes(le(buf, p)) as usize;
            (Elem::Str(&buf[p + 8..p + 8 + n]), p + 8 + n)
        }
    };
    (elem, end + backlen_size(end - pos))
}

/// Where the entry that ends at `end` starts (reads its back length backwards).
fn prev_start(buf: &[u8], end: usize) -> usize {
    let mut p = end - 1;
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[p];
        size |= ((b & 0x7F) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        p -= 1;
    }
    end - backlen_size(size) - size
}

/// Inserts `bytes` at byte offset `pos` of `buf`.
fn insert_bytes(buf: &mut Vec<u8>, pos: usize, bytes: &[u8]) {
    let old = buf.len();
    buf.resize(old + bytes.len(), 0);
    buf.copy_within(pos..old, pos + bytes.len());
    buf[pos..pos + bytes.len()].copy_from_slice(bytes);
}

/// Nodes whose entries take fewer bytes than this are never compressed (Redis's
/// `MIN_COMPRESS_BYTES`).
const MIN_COMPRESS_BYTES: usize = 48;
/// A compressed node is kept only when it saves more than this many bytes (Redis's
/// `MIN_COMPRESS_IMPROVE`).
const MIN_COMPRESS_IMPROVE: usize = 8;
/// The largest `list-compress-depth` honoured (Redis keeps the depth in 16 bits).
const MAX_COMPRESS_DEPTH: usize = (1 << 16) - 1;

/// [`Node::packing`]: `buf` holds the plain entries, not yet tried for compression.
const PLAIN: u32 = 0;
/// [`Node::packing`]: `buf` holds the plain entries, which were not worth compressing
/// (too small, or LZF did not save enough). Any change of the entries resets it to
/// [`PLAIN`].
const PLAIN_KEPT: u32 = 1;

/// The packed threshold Redis starts with, and restores when asked for 0.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;
/// The highest packed threshold Redis accepts: "slightly below 4GB".
const MAX_PACKED_THRESHOLD: u64 = (1 << 32) - (1 << 20);

thread_local! {
    /// One LZF compressor per thread, so its hash table is not rebuilt for every node.
    static COMPRESSOR: RefCell<Compressor> = RefCell::new(Compressor::new());
    /// Elements at least this long get a node of their own (see the module docs). Per
    /// thread: the event loop's thread changes every list, and each unit test's lists
    /// stay apart from another test's setting.
    static PACKED_THRESHOLD: Cell<usize> = const { Cell::new(DEFAULT_PACKED_THRESHOLD) };
}

/// Sets the packed threshold of this thread's lists (`DEBUG QUICKLIST-PACKED-THRESHOLD`):
/// 0 restores the default; false (and no change) above [`MAX_PACKED_THRESHOLD`].
pub fn set_packed_threshold(bytes: u64) -> bool {
    if bytes > MAX_PACKED_THRESHOLD {
        return false;
    }
    let bytes = if bytes == 0 {
        DEFAULT_PACKED_THRESHOLD
    } else {
        bytes as usize
    };
    PACKED_THRESHOLD.with(|t| t.set(bytes));
    true
}

/// Whether an element of `len` bytes gets a node of its own.
fn is_large(len: usize) -> bool {
    len >= PACKED_THRESHOLD.with(Cell::get)
}

/// The LZF form of the entries `raw`, or None when Redis would not keep one: fewer than
/// [`MIN_COMPRESS_BYTES`] bytes, or a saving of [`MIN_COMPRESS_IMPROVE`] bytes or less.
fn compress_entries(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() < MIN_COMPRESS_BYTES || u32::try_from(raw.len()).is_err() {
        return None;
    }
    let mut lzf = COMPRESSOR.with(|c| c.borrow_mut().compress(raw))?;
    if lzf.len() + MIN_COMPRESS_IMPROVE >= raw.len() {
        return None;
    }
    lzf.shrink_to_fit();
    Some(lzf)
}

/// Expands the LZF form of a node's entries back to their `raw_len` plain bytes.
fn expand_entries(lzf: &[u8], raw_len: usize) -> Vec<u8> {
    ::lzf::decompress(lzf, raw_len).expect("a compressed node holds valid LZF of its entries")
}

/// Byte offset where entry `i` (0..=count) of the plain entries `buf` (holding `count`
/// entries) starts, walking from the nearer end.
fn entry_pos(buf: &[u8], count: usize, i: usize) -> usize {
    if i <= count / 2 {
        let mut p = 0;
        for _ in 0..i {
            p = decode(buf, p).1;
        }
        p
    } else {
        let mut p = buf.len();
        for _ in i..count {
            p = prev_start(buf, p);
        }
        p
    }
}

/// One packed node: `count` entries back to back in `buf`, or their LZF form.
#[derive(Clone, Debug, Default)]
struct Node {
    buf: Vec<u8>,
    /// Entries: at most the largest node (64 KiB) over the smallest entry (2 bytes).
    count: u16,
    /// [`PLAIN`], [`PLAIN_KEPT`], or (any larger value) `buf` is LZF and the plain
    /// entries take this many bytes (always >= [`MIN_COMPRESS_BYTES`]).
    packing: u32,
    /// Holds one large element, alone: takes no other entry, merges with no neighbour.
    alone: bool,
}

// The entry count fits its field, and the `alone` flag costs no memory: a list of one
// node allocates room for four, a 128-byte block (160 at 40 bytes a node).
const _: () = assert!(BYTE_LIMITS[BYTE_LIMITS.len() - 1] / 2 <= u16::MAX as usize);
const _: () = assert!(std::mem::size_of::<Node>() == 32);

impl Node {
    /// A node holding one encoded entry: alone if the element is `large`.
    fn with_entry(enc: &[u8], large: bool) -> Node {
        Node {
            buf: enc.to_vec(),
            count: 1,
            packing: PLAIN,
            alone: large,
        }
    }

    /// Whether `buf` holds the LZF form of the entries.
    fn is_compressed(&self) -> bool {
        self.packing > PLAIN_KEPT
    }

    /// Bytes the plain entries take (what node size limits count).
    fn raw_len(&self) -> usize {
        if self.is_compressed() {
            self.packing as usize
        } else {
            self.buf.len()
        }
    }

    /// The plain entries: borrowed, or expanded into a copy when compressed.
    fn raw(&self) -> Cow<'_, [u8]> {
        if self.is_compressed() {
            Cow::Owned(expand_entries(&self.buf, self.packing as usize))
        } else {
            Cow::Borrowed(&self.buf)
        }
    }

    /// Makes `buf` hold the plain entries, about to be changed (so compression will be
    /// tried again afterwards).
    fn unpack(&mut self) {
        if self.is_compressed() {
            self.buf = expand_entries(&self.buf, self.packing as usize);
        }
        self.packing = PLAIN;
    }

    /// Compresses plain entries not tried yet, keeping the result only when it pays.
    fn pack(&mut self) {
        if self.packing != PLAIN {
            return;
        }
        match compress_entries(&self.buf) {
            Some(lzf) => {
                self.packing = self.buf.len() as u32;
                self.buf = lzf;
            }
            None => self.packing = PLAIN_KEPT,
        }
    }

    /// Byte offset where entry `i` (0..=count) starts; the node must be plain.
    fn pos_of(&self, i: usize) -> usize {
        debug_assert!(!self.is_compressed());
        entry_pos(&self.buf, self.count as usize, i)
    }
}

/// Calls `f` with the entries of the plain entries `raw` from byte offset `pos` on;
/// returns false as soon as `f` does.
fn visit_forward(raw: &[u8], mut pos: usize, f: &mut impl FnMut(Elem<'_>) -> bool) -> bool {
    while pos < raw.len() {
        let (e, next) = decode(raw, pos);
        if !f(e) {
            return false;
        }
        pos = next;
    }
    true
}

/// Calls `f` with the entries of `raw` that end at or before byte offset `end`, last
/// first; returns false as soon as `f` does.
fn visit_backward(raw: &[u8], mut end: usize, f: &mut impl FnMut(Elem<'_>) -> bool) -> bool {
    while end > 0 {
        let start = prev_start(raw, end);
        if !f(decode(raw, start).0) {
            return false;
        }
        end = start;
    }
    true
}

/// A list value, head first.
///
/// With a compress depth `d > 0` (`list-compress-depth` when the list was created), the
/// `d` nodes at each end are always plain and every node in between is kept in LZF form
/// when that pays (see [`compress_entries`]). Reads expand an inner node into a
/// temporary copy; changes expand it in place and compress it again afterwards.
#[derive(Clone, Debug)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    /// `list-max-listpack-size` when the list was created.
    fill: i32,
    /// `list-compress-depth` when the list was created (0: no compression).
    depth: u32,
}

impl Default for List {
    fn default() -> List {
        List::new(&EncodingLimits::default())
    }
}

impl List {
    /// An empty list whose nodes follow `limits.list_max_listpack_size` and
    /// `limits.list_compress_depth`.
    pub fn new(limits: &EncodingLimits) -> List {
        List::with_options(limits.list_max_listpack_size, limits.list_compress_depth)
    }

    /// An empty, never compressed list with nodes sized by `fill` (see the module docs).
    pub fn with_fill(fill: i64) -> List {
        List::with_options(fill, 0)
    }

    /// An empty list with nodes sized by `fill` whose inner nodes are compressed beyond
    /// `depth` nodes from each end (0: never; capped at 65535 as Redis does).
    pub fn with_options(fill: i64, depth: usize) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: fill.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
            depth: depth.min(MAX_COMPRESS_DEPTH) as u32,
        }
    }

    /// A list holding `items`, head first.
    pub fn from_items(items: Vec<Vec<u8>>, limits: &EncodingLimits) -> List {
        let mut l = List::new(limits);
        for item in &items {
            l.push_back(item);
        }
        if let Some(last) = l.nodes.back_mut() {
            last.buf.shrink_to_fit();
        }
        l
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no elements (an empty list is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoding OBJECT ENCODING reports (Redis 7.0 reports every list as quicklist).
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }

    /// Calls `f` with every element, head to tail.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        self.visit_from(0, false, |e| {
            e.with_bytes(&mut f);
            true
        });
    }

    /// Calls `f` once per packed node, head first, with the node's elements in order (a
    /// compressed node is expanded into a temporary copy first); stops at the first
    /// error. For writers that keep the node structure, as the RDB quicklist form does.
    pub fn try_for_each_node<E>(
        &self,
        mut f: impl FnMut(&mut dyn Iterator<Item = Elem<'_>>) -> Result<(), E>,
    ) -> Result<(), E> {
        for node in &self.nodes {
            let raw = node.raw();
            let mut pos = 0;
            let mut elems = std::iter::from_fn(|| {
                (pos < raw.len()).then(|| {
                    let (e, next) = decode(&raw, pos);
                    pos = next;
                    e
                })
            });
            f(&mut elems)?;
        }
        Ok(())
    }

    /// Bytes of the largest node's plain entries (about the sum of its elements'
    /// lengths).
    pub fn largest_node_bytes(&self) -> usize {
        self.nodes.iter().map(Node::raw_len).max().unwrap_or(0)
    }

    /// Approximate heap bytes, for MEMORY USAGE (compressed nodes count compressed).
    pub fn heap_size(&self) -> usize {
        let nodes: usize = self.nodes.iter().map(|n| n.buf.capacity()).sum();
        nodes + self.nodes.capacity() * std::mem::size_of::<Node>() + std::mem::size_of::<List>()
    }

    /// Number of packed nodes (for tests and DEBUG-style introspection).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of nodes currently held in LZF form.
    pub fn compressed_node_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_compressed()).count()
    }

    /// The compress depth this list follows (0: none).
    pub fn compress_depth(&self) -> usize {
        self.depth as usize
    }

    /// Whether node `i` lies deeper than the compress depth from both ends (never when
    /// the depth is 0).
    fn is_inner(&self, i: usize) -> bool {
        let d = self.depth as usize;
        d > 0 && i >= d && i + d < self.nodes.len()
    }

    /// Brings node `i` (if it exists) to the form its position asks for: compressed
    /// when inner (if it pays), plain otherwise. Does nothing without a compress depth.
    #[inline]
    fn settle_node(&mut self, i: usize) {
        if self.depth == 0 || i >= self.nodes.len() {
            return;
        }
        if self.is_inner(i) {
            self.nodes[i].pack();
        } else {
            self.nodes[i].unpack();
        }
    }

    /// Brings every node to the form its position asks for, after a change that may
    /// have moved or touched nodes anywhere. Nodes already right cost one check.
    fn settle_all(&mut self) {
        if self.depth == 0 {
            return;
        }
        for i in 0..self.nodes.len() {
            self.settle_node(i);
        }
    }

    /// Whether `node` may take `extra` more bytes of a small element (an empty node
    /// takes anything; a node holding a large element alone takes nothing).
    fn fits(&self, node: &Node, extra: usize) -> bool {
        if node.count == 0 {
            return true;
        }
        if node.alone {
            return false;
        }
        let new_size = node.raw_len() + extra;
        if self.fill < 0 {
            let idx = ((-(self.fill as i64) - 1) as usize).min(BYTE_LIMITS.len() - 1);
            new_size <= BYTE_LIMITS[idx]
        } else {
            new_size <= SAFETY_LIMIT && (node.count as i64) < self.fill as i64
        }
    }

    /// Adds `value` at the head.
    pub fn push_front(&mut self, value: &[u8]) {
        let enc = encode(value);
        let large = is_large(value.len());
        self.len += 1;
        if let Some(first) = self.nodes.front() {
            if !large && self.fits(first, enc.len()) {
                let first = &mut self.nodes[0];
                debug_assert!(!first.is_compressed(), "end nodes stay plain");
                insert_bytes(&mut first.buf, 0, &enc);
                first.count += 1;
                return;
            }
        }
        if let Some(first) = self.nodes.front_mut() {
            first.buf.shrink_to_fit();
        }
        self.nodes.push_front(Node::with_entry(&enc, large));
        // The node pushed past the depth (if any) is now inner.
        self.settle_node(self.depth as usize);
    }

    /// Adds `value` at the tail.
    pub fn push_back(&mut self, value: &[u8]) {
        let enc = encode(value);
        let large = is_large(value.len());
        self.len += 1;
        if let Some(last) = self.nodes.back() {
            if !large && self.fits(last, enc.len()) {
                let last = self.nodes.back_mut().expect("checked above");
                debug_assert!(!last.is_compressed(), "end nodes stay plain");
                last.buf.extend_from_slice(&enc);
                last.count += 1;
                return;
            }
        }
        if let Some(last) = self.nodes.back_mut() {
            last.buf.shrink_to_fit();
        }
        self.nodes.push_back(Node::with_entry(&enc, large));
        if self.depth > 0 {
            // The node pushed past the depth (if any) is now inner.
            if let Some(i) = self.nodes.len().checked_sub(self.depth as usize + 1) {
                self.settle_node(i);
            }
        }
    }

    /// Removes and returns the head element.
    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let first = self.nodes.front_mut()?;
        debug_assert!(!first.is_compressed(), "end nodes stay plain");
        let (elem, next) = decode(&first.buf, 0);
        let value = elem.to_vec();
        if first.count == 1 {
            self.nodes.pop_front();
            if self.depth > 0 {
                // The node that was first past the depth is now within it.
                self.settle_node(self.depth as usize - 1);
            }
        } else {
            first.buf.drain(..next);
            first.count -= 1;
        }
        self.len -= 1;
        Some(value)
    }

    /// Removes and returns the tail element.
    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let last = self.nodes.back_mut()?;
        debug_assert!(!last.is_compressed(), "end nodes stay plain");
        let start = prev_start(&last.buf, last.buf.len());
        let value = decode(&last.buf, start).0.to_vec();
        if last.count == 1 {
            self.nodes.pop_back();
            if self.depth > 0 {
                if let Some(i) = self.nodes.len().checked_sub(self.depth as usize) {
                    self.settle_node(i);
                }
            }
        } else {
            last.buf.truncate(start);
            last.count -= 1;
        }
        self.len -= 1;
        Some(value)
    }

    /// The node holding element `index` (< len) and the element's offset in it, counting
    /// from the nearer end of the list.
    fn locate(&self, index: usize) -> (usize, usize) {
        debug_assert!(index < self.len);
        if index < self.len / 2 {
            let mut rest = index;
            for (ni, node) in self.nodes.iter().enumerate() {
                if rest < node.count as usize {
                    return (ni, rest);
                }
                rest -= node.count as usize;
            }
        } else {
            let mut from_end = self.len - index;
            for ni in (0..self.nodes.len()).rev() {
                let c = self.nodes[ni].count as usize;
                if from_end <= c {
                    return (ni, c - from_end);
                }
                from_end -= c;
            }
        }
        unreachable!("index below len is always in a node")
    }

    /// Calls `f` with element `index` (0 = head) and returns its result, or None past
    /// the end.
    pub fn with_elem<R>(&self, index: usize, f: impl FnOnce(Elem<'_>) -> R) -> Option<R> {
        if index >= self.len {
            return None;
        }
        let (ni, off) = self.locate(index);
        let node = &self.nodes[ni];
        let raw = node.raw();
        let pos = entry_pos(&raw, node.count as usize, off);
        Some(f(decode(&raw, pos).0))
    }

    /// Element `index` (0 = head) as owned bytes, or None past the end.
    pub fn get_vec(&self, index: usize) -> Option<Vec<u8>> {
        self.with_elem(index, |e| e.to_vec())
    }

    /// Calls `f` with the elements from `index` on, toward the tail (toward the head
    /// when `rev`), until `f` returns false or the list ends. Nothing when
    /// `index >= len`.
    pub fn visit_from(&self, index: usize, rev: bool, mut f: impl FnMut(Elem<'_>) -> bool) {
        if index >= self.len {
            return;
        }
        let (mut ni, off) = self.locate(index);
        let node = &self.nodes[ni];
        let raw = node.raw();
        let pos = entry_pos(&raw, node.count as usize, off);
        if rev {
            let end = decode(&raw, pos).1;
            if !visit_backward(&raw, end, &mut f) {
                return;
            }
            while ni > 0 {
                ni -= 1;
                let raw = self.nodes[ni].raw();
                if !visit_backward(&raw, raw.len(), &mut f) {
                    return;
                }
            }
        } else {
            if !visit_forward(&raw, pos, &mut f) {
                return;
            }
            for node in self.nodes.range(ni + 1..) {
                if !visit_forward(&node.raw(), 0, &mut f) {
                    return;
                }
            }
        }
    }

    /// Index of the first element (from the head) that `probe` matches.
    pub fn position(&self, probe: &Probe<'_>) -> Option<usize> {
        let mut index = 0;
        let mut found = None;
        self.visit_from(0, false, |e| {
            if e.matches(probe) {
                found = Some(index);
                return false;
            }
            index += 1;
            true
        });
        found
    }

    /// Resolves a Redis index (negative counts from the tail) to a position, if in range.
    pub fn resolve_index(&self, index: i64) -> Option<usize> {
        let len = self.len as i64;
        let i = if index < 0 { len + index } else { index };
        (0..len).contains(&i).then_some(i as usize)
    }

    /// Replaces element `index`; returns false if it is out of range.
    pub fn set(&mut self, index: usize, value: &[u8]) -> bool {
        if index >= self.len {
            return false;
        }
        let (ni, off) = self.locate(index);
        let enc = encode(value);
        let large = is_large(value.len());
        self.nodes[ni].unpack();
        let node = &self.nodes[ni];
        let pos = node.pos_of(off);
        let old_end = decode(&node.buf, pos).1;
        let old_len = old_end - pos;
        // A node of one element takes the new one whatever its size (becoming alone or
        // not with it); a shared node takes only a small element that fits.
        let in_place = node.count == 1
            || (!large && (enc.len() <= old_len || self.fits(node, enc.len() - old_len)));
        if in_place {
            let node = &mut self.nodes[ni];
            node.buf.splice(pos..old_end, enc);
            node.alone = large;
            self.settle_node(ni);
        } else {
            self.remove_range(index, 1);
            self.insert(index, value);
        }
        true
    }

    /// Inserts `value` so that it becomes element `index` (0..=len; len appends).
    pub fn insert(&mut self, index: usize, value: &[u8]) {
        if index == 0 {
            return self.push_front(value);
        }
        if index >= self.len {
            return self.push_back(value);
        }
        let (ni, off) = self.locate(index);
        let enc = encode(value);
        let large = is_large(value.len());
        self.len += 1;
        if large && off == 0 {
            self.nodes.insert(ni, Node::with_entry(&enc, true));
            self.settle_all();
            return;
        }
        if !large && self.fits(&self.nodes[ni], enc.len()) {
            let node = &mut self.nodes[ni];
            node.unpack();
            let pos = node.pos_of(off);
            insert_bytes(&mut node.buf, pos, &enc);
            node.count += 1;
            self.settle_node(ni);
            return;
        }
        // Before the first entry of a full node: the end of the previous node may do.
        if !large && off == 0 && ni > 0 && self.fits(&self.nodes[ni - 1], enc.len()) {
            let prev = &mut self.nodes[ni - 1];
            prev.unpack();
            prev.buf.extend_from_slice(&enc);
            prev.count += 1;
            self.settle_node(ni - 1);
            return;
        }
        // Split the full node at the insertion point, then put the entry at the end of
        // the left part, the start of the right part, or in a node of its own.
        let node = &mut self.nodes[ni];
        node.unpack();
        let pos = node.pos_of(off);
        let right = Node {
            buf: node.buf.split_off(pos),
            count: node.count - off as u16,
            packing: PLAIN,
            alone: node.alone,
        };
        node.count = off as u16;
        if node.count == 0 {
            // Split before a lone element: what is left is an empty node.
            node.alone = false;
        }
        node.buf.shrink_to_fit();
        let left_fits = !large && self.fits(&self.nodes[ni], enc.len());
        if left_fits {
            let left = &mut self.nodes[ni];
            left.buf.extend_from_slice(&enc);
            left.count += 1;
            self.nodes.insert(ni + 1, right);
        } else if !large && self.fits(&right, enc.len()) {
            let mut right = right;
            insert_bytes(&mut right.buf, 0, &enc);
            right.count += 1;
            self.nodes.insert(ni + 1, right);
        } else {
            self.nodes.insert(ni + 1, Node::with_entry(&enc, large));
            self.nodes.insert(ni + 2, right);
        }
        self.settle_all();
    }

    /// Removes `count` elements starting at element `start` (clamped to the list).
    pub fn remove_range(&mut self, start: usize, count: usize) {
        if start >= self.len || count == 0 {
            return;
        }
        let mut left = count.min(self.len - start);
        let (mut ni, mut off) = self.locate(start);
        self.len -= left;
        while left > 0 {
            let node = &mut self.nodes[ni];
            let in_node = node.count as usize;
            let k = left.min(in_node - off);
            if off == 0 && k == in_node {
                self.nodes.remove(ni);
            } else {
                node.unpack();
                let a = node.pos_of(off);
                let b = if off + k == in_node {
                    node.buf.len()
                } else {
                    node.pos_of(off + k)
                };
                node.buf.drain(a..b);
                node.count -= k as u16;
                ni += 1;
            }
            off = 0;
            left -= k;
        }
        self.merge_small_neighbours();
        self.settle_all();
    }

    /// After deletions, joins adjacent nodes that fit together, so repeated removals
    /// in the middle do not leave a trail of tiny nodes.
    fn merge_small_neighbours(&mut self) {
        let mut i = 0;
        while i + 1 < self.nodes.len() {
            let (a, b) = (&self.nodes[i], &self.nodes[i + 1]);
            let small = a.raw_len() + b.raw_len() <= self.merge_budget();
            let count_ok = self.fill < 0 || (a.count + b.count) as i64 <= self.fill as i64;
            if small && count_ok && !a.alone && !b.alone {
                let b = self.nodes.remove(i + 1).expect("i + 1 < len");
                let a = &mut self.nodes[i];
                a.unpack();
                a.buf.extend_from_slice(&b.raw());
                a.count += b.count;
            } else {
                i += 1;
            }
        }
    }

    /// Combined bytes under which two neighbours are merged: half a node, so a merge
    /// never creates a node that the next insert must split again.
    fn merge_budget(&self) -> usize {
        let cap = if self.fill < 0 {
            BYTE_LIMITS[((-(self.fill as i64) - 1) as usize).min(BYTE_LIMITS.len() - 1)]
        } else {
            SAFETY_LIMIT
        };
        cap / 2
    }

    /// Keeps only elements `start..=end` (already clamped: start <= end < len), or
    /// empties the list when `keep` is None. Returns how many were removed.
    pub fn trim(&mut self, keep: Option<(usize, usize)>) -> usize {
        let before = self.len;
        match keep {
            None => {
                self.nodes.clear();
                self.len = 0;
            }
            Some((start, end)) => {
                let tail = self.len - end - 1;
                self.remove_range(end + 1, tail);
                self.remove_range(0, start);
            }
        }
        before - self.len
    }

    /// Removes up to `limit` elements equal to `value` (all of them when `limit` is 0),
    /// scanning from the tail when `from_tail`. Returns how many were removed.
    pub fn remove_matching(&mut self, value: &[u8], limit: usize, from_tail: bool) -> usize {
        let probe = Probe::new(value);
        let mut removed = 0usize;
        let order: Vec<usize> = if from_tail {
            (0..self.nodes.len()).rev().collect()
        } else {
            (0..self.nodes.len()).collect()
        };
        for ni in order {
            if limit != 0 && removed == limit {
                break;
            }
            let raw = self.nodes[ni].raw();
            let mut spans: Vec<(usize, usize)> = Vec::new();
            let mut p = 0;
            while p < raw.len() {
                let (e, next) = decode(&raw, p);
                if e.matches(&probe) {
                    spans.push((p, next));
                }
                p = next;
            }
            if spans.is_empty() {
                continue;
            }
            let room = if limit == 0 {
                spans.len()
            } else {
                limit - removed
            };
            if spans.len() > room {
                if from_tail {
                    spans.drain(..spans.len() - room);
                } else {
                    spans.truncate(room);
                }
            }
            let mut kept = Vec::with_capacity(raw.len());
            let mut at = 0;
            for &(a, b) in &spans {
                kept.extend_from_slice(&raw[at..a]);
                at = b;
            }
            kept.extend_from_slice(&raw[at..]);
            drop(raw);
            let node = &mut self.nodes[ni];
            node.buf = kept;
            node.packing = PLAIN;
            node.count -= spans.len() as u16;
            removed += spans.len();
        }
        self.nodes.retain(|n| n.count > 0);
        self.len -= removed;
        if removed > 0 {
            self.merge_small_neighbours();
            self.settle_all();
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(l: &List) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        l.for_each(|b| out.push(b.to_vec()));
        out
    }

    /// Elements from `index` on, toward the tail or (when `rev`) the head.
    fn items_from(l: &List, index: usize, rev: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        l.visit_from(index, rev, |e| {
            out.push(e.to_vec());
            true
        });
        out
    }

    fn check_invariants(l: &List) {
        let mut total = 0;
        for (i, n) in l.nodes.iter().enumerate() {
            assert!(n.count > 0, "empty node kept");
            let raw = n.raw();
            assert_eq!(raw.len(), n.raw_len());
            let mut p = 0;
            let mut c = 0;
            while p < raw.len() {
                p = decode(&raw, p).1;
                c += 1;
            }
            assert_eq!(p, raw.len());
            assert_eq!(c, n.count as usize);
            if n.alone {
                assert_eq!(n.count, 1, "node {i} shares its large element");
            } else if n.count > 1 {
                let mut p = 0;
                while p < raw.len() {
                    let (e, next) = decode(&raw, p);
                    assert!(
                        !is_large(e.to_vec().len()),
                        "node {i} packs a large element"
                    );
                    p = next;
                }
            }
            total += c;
            if l.is_inner(i) {
                assert_ne!(n.packing, PLAIN, "inner node {i} left plain");
                if n.packing == PLAIN_KEPT {
                    assert!(compress_entries(&raw).is_none(), "node {i} compressible");
                } else {
                    assert!(n.buf.len() + MIN_COMPRESS_IMPROVE < raw.len());
                }
            } else {
                assert_eq!(n.packing, PLAIN, "outer node {i} not plain");
            }
        }
        assert_eq!(total, l.len());
        let fwd = items(l);
        let mut back = items_from(l, l.len().saturating_sub(1), true);
        back.reverse();
        assert_eq!(fwd, back);
    }

    #[test]
    fn encodes_integers_compactly_and_round_trips() {
        let values: Vec<&[u8]> = vec![
            b"0",
            b"127",
            b"128",
            b"-1",
            b"32767",
            b"-32768",
            b"70000",
            b"-9223372036854775808",
            b"9223372036854775807",
            b"-4096",
            b"4095",
            b"4096",
            b"-4097",
            b"8388607",
            b"-8388608",
            b"8388608",
            b"-8388609",
            b"01",
            b"-0",
            b"+1",
            b"",
            b"abc",
            b" 1",
        ];
        for v in &values {
            let enc = encode(v);
            let (e, next) = decode(&enc, 0);
            assert_eq!(next, enc.len());
            assert_eq!(prev_start(&enc, enc.len()), 0);
            assert_eq!(e.to_vec(), v.to_vec(), "{:?}", String::from_utf8_lossy(v));
        }
        assert_eq!(encode(b"5").len(), 2);
        assert_eq!(encode(b"-4096").len(), 3);
        assert_eq!(encode(b"999999").len(), 5);
        assert!(matches!(decode(&encode(b"01"), 0).0, Elem::Str(_)));
        for len in [63usize, 64, 200, 70000] {
            let v = vec![b'x'; len];
            let enc = encode(&v);
            assert_eq!(decode(&enc, 0).0, Elem::Str(&v));
            assert_eq!(prev_start(&enc, enc.len()), 0);
        }
    }

    #[test]
    fn nodes_respect_the_byte_limit() {
        let mut l = List::with_fill(-1);
        for i in 0..10_000 {
            l.push_back(format!("element-{i}").as_bytes());
        }
        assert!(l.nodes.iter().all(|n| n.buf.len() <= 4096));
        assert!(l.node_count() > 20);
        check_invariants(&l);
        assert_eq!(l.get_vec(9999), Some(b"element-9999".to_vec()));
    }

    #[test]
    fn nodes_respect_the_count_limit() {
        let mut l = List::with_fill(5);
        for i in 0..23 {
            l.push_front(i.to_string().as_bytes());
        }
        assert!(l.nodes.iter().all(|n| n.count <= 5));
        assert_eq!(l.node_count(), 5);
        check_invariants(&l);
        assert_eq!(l.with_elem(0, |e| e == Elem::Int(22)), Some(true));
    }

    #[test]
    fn insert_splits_full_nodes() {
        let mut l = List::with_fill(4);
        for i in 0..8 {
            l.push_back(i.to_string().as_bytes());
        }
        l.insert(2, b"x");
        l.insert(4, b"y");
        check_invariants(&l);
        let got: Vec<String> = items(&l)
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect();
        assert_eq!(got, ["0", "1", "x", "2", "y", "3", "4", "5", "6", "7"]);
    }

    #[test]
    fn elements_bigger_than_a_node_get_their_own() {
        let mut l = List::with_fill(-1);
        for i in 0..6 {
            l.push_back(i.to_string().as_bytes());
        }
        let big = vec![b'z'; 10_000];
        l.insert(3, &big);
        l.insert(1, &big);
        l.push_front(&big);
        check_invariants(&l);
        assert_eq!(l.len(), 9);
        assert_eq!(l.get_vec(0), Some(big.clone()));
        assert_eq!(l.get_vec(2), Some(big.clone()));
        assert!(l.set(5, &big));
        l.remove_range(0, 3);
        check_invariants(&l);
        assert_eq!(l.len(), 6);
    }

    #[test]
    fn large_elements_get_nodes_of_their_own_and_lose_them_when_replaced() {
        assert!(!set_packed_threshold((1 << 32) - (1 << 20) + 1));
        assert!(set_packed_threshold(5));
        let mut l = List::with_fill(-2);
        for v in [&b"aa"[..], b"bb", b"cc", b"dd"] {
            l.push_back(v);
        }
        assert_eq!(l.node_count(), 1);
        // In the middle of a packed node: it is split around the large element.
        l.insert(2, b"large-one");
        assert_eq!(l.node_count(), 3);
        // A small element never joins the large one's node.
        l.insert(3, b"ee");
        l.push_front(b"large-two");
        assert_eq!(
            items(&l),
            [
                &b"large-two"[..],
                b"aa",
                b"bb",
                b"large-one",
                b"ee",
                b"cc",
                b"dd"
            ]
        );
        check_invariants(&l);
        // Replacing the lone element with a small one makes its node an ordinary one,
        // which then merges with its neighbours once removals leave room.
        l.set(3, b"ff");
        l.remove_range(4, 1);
        check_invariants(&l);
        assert_eq!(l.node_count(), 2);
        // Replacing an element of a shared node with a large one moves it out.
        l.set(1, b"large-three");
        check_invariants(&l);
        assert_eq!(
            items(&l),
            [
                &b"large-two"[..],
                b"large-three",
                b"bb",
                b"ff",
                b"cc",
                b"dd"
            ]
        );
        assert!(set_packed_threshold(0));
        l.push_back(b"large-four");
        assert_eq!(l.nodes.back().map(|n| n.count), Some(5), "back to packing");
    }

    #[test]
    fn remove_matching_from_both_ends() {
        let mut l = List::with_fill(3);
        for v in ["a", "1", "a", "b", "a", "1", "a"] {
            l.push_back(v.as_bytes());
        }
        assert_eq!(l.remove_matching(b"a", 2, true), 2);
        assert_eq!(
            items(&l),
            [
                b"a".to_vec(),
                b"1".to_vec(),
                b"a".to_vec(),
                b"b".to_vec(),
                b"1".to_vec()
            ]
        );
        assert_eq!(l.remove_matching(b"1", 0, false), 2);
        check_invariants(&l);
        assert_eq!(l.len(), 3);
    }

    /// A compressible element of about 100 bytes.
    fn long(i: usize) -> Vec<u8> {
        let mut v = format!("element-{i:05}-").into_bytes();
        v.extend(b"abcdefgh".repeat(11));
        v
    }

    #[test]
    fn inner_nodes_are_compressed_and_ends_stay_plain() {
        let mut l = List::with_options(4, 2);
        let mut plain = List::with_fill(4);
        for i in 0..100 {
            l.push_back(&long(i));
            plain.push_back(&long(i));
            check_invariants(&l);
        }
        assert_eq!(l.node_count(), 25);
        assert_eq!(l.compressed_node_count(), 21);
        assert!(l.heap_size() * 3 < plain.heap_size());
        assert_eq!(items(&l), items(&plain));
        // Pushes at the head move a plain node inward: it gets compressed.
        for i in 100..108 {
            l.push_front(&long(i));
            check_invariants(&l);
        }
        assert_eq!(l.compressed_node_count(), 23);
        // Pops bring compressed nodes to the ends: they are expanded.
        while l.len() > 12 {
            l.pop_back();
            l.pop_front();
            check_invariants(&l);
        }
        assert_eq!(l.node_count(), 3);
        assert_eq!(l.compressed_node_count(), 0);
        // Small nodes are not worth compressing (fewer than 48 bytes).
        let mut small = List::with_options(2, 1);
        for i in 0..20 {
            small.push_back(i.to_string().as_bytes());
        }
        check_invariants(&small);
        assert_eq!(small.compressed_node_count(), 0);
    }

    #[test]
    fn compression_is_kept_only_when_it_saves_more_than_8_bytes() {
        let varied: Vec<u8> = (0u8..60).map(|b| b.wrapping_mul(97)).collect();
        assert!(compress_entries(&varied).is_none());
        assert!(compress_entries(&[b'a'; 47]).is_none());
        let lzf = compress_entries(&[b'a'; 48]).expect("runs compress");
        assert!(lzf.len() + MIN_COMPRESS_IMPROVE < 48);
        assert_eq!(expand_entries(&lzf, 48), vec![b'a'; 48]);
    }

    #[test]
    fn depth_is_capped_like_redis() {
        assert_eq!(List::with_options(-2, 1 << 20).compress_depth(), 65535);
        let limits = EncodingLimits {
            list_compress_depth: 3,
            ..EncodingLimits::default()
        };
        assert_eq!(List::new(&limits).compress_depth(), 3);
        assert_eq!(
            List::from_items(vec![b"a".to_vec()], &limits).compress_depth(),
            3
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushFront(Vec<u8>),
        PushBack(Vec<u8>),
        PopFront,
        PopBack,
        Insert(usize, Vec<u8>),
        Set(usize, Vec<u8>),
        Remove(usize, usize),
        RemoveMatching(Vec<u8>, usize, bool),
        Trim(usize, usize),
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (-300i64..300).prop_map(|n| n.to_string().into_bytes()),
            any::<i64>().prop_map(|n| n.to_string().into_bytes()),
            "[a-c]{0,3}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..200),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            value().prop_map(Op::PushFront),
            value().prop_map(Op::PushBack),
            Just(Op::PopFront),
            Just(Op::PopBack),
            (any::<usize>(), value()).prop_map(|(i, v)| Op::Insert(i, v)),
            (any::<usize>(), value()).prop_map(|(i, v)| Op::Set(i, v)),
            (any::<usize>(), 0usize..20).prop_map(|(i, n)| Op::Remove(i, n)),
            (value(), 0usize..3, any::<bool>()).prop_map(|(v, n, t)| Op::RemoveMatching(v, n, t)),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Trim(a, b)),
        ]
    }

    /// Applies `op` to the list and to the model, checking the replies agree.
    fn apply(l: &mut List, m: &mut VecDeque<Vec<u8>>, op: Op) -> Result<(), TestCaseError> {
        match op {
            Op::PushFront(v) => {
                l.push_front(&v);
                m.push_front(v);
            }
            Op::PushBack(v) => {
                l.push_back(&v);
                m.push_back(v);
            }
            Op::PopFront => prop_assert_eq!(l.pop_front(), m.pop_front()),
            Op::PopBack => prop_assert_eq!(l.pop_back(), m.pop_back()),
            Op::Insert(i, v) => {
                let i = i % (m.len() + 1);
                l.insert(i, &v);
                m.insert(i, v);
            }
            Op::Set(i, v) => {
                if m.is_empty() {
                    prop_assert!(!l.set(i, &v));
                    return Ok(());
                }
                let i = i % m.len();
                prop_assert!(l.set(i, &v));
                m[i] = v;
            }
            Op::Remove(i, n) => {
                if m.is_empty() {
                    return Ok(());
                }
                let i = i % m.len();
                l.remove_range(i, n);
                let end = (i + n).min(m.len());
                m.drain(i..end);
            }
            Op::RemoveMatching(v, n, from_tail) => {
                let got = l.remove_matching(&v, n, from_tail);
                let mut idx: Vec<usize> = (0..m.len()).filter(|&i| m[i] == v).collect();
                if from_tail {
                    idx.reverse();
                }
                if n > 0 {
                    idx.truncate(n);
                }
                idx.sort_unstable();
                for &i in idx.iter().rev() {
                    m.remove(i);
                }
                prop_assert_eq!(got, idx.len());
            }
            Op::Trim(a, b) => {
                if m.is_empty() {
                    return Ok(());
                }
                let a = a % m.len();
                let b = a + b % (m.len() - a);
                l.trim(Some((a, b)));
                *m = m.iter().skip(a).take(b - a + 1).cloned().collect();
            }
        }
        prop_assert_eq!(l.len(), m.len());
        Ok(())
    }

    /// Checks every read path of `l` against the model.
    fn check_reads(l: &List, m: &VecDeque<Vec<u8>>) -> Result<(), TestCaseError> {
        check_invariants(l);
        let want: Vec<Vec<u8>> = m.iter().cloned().collect();
        prop_assert_eq!(items(l), want.clone());
        for (i, v) in want.iter().enumerate() {
            prop_assert_eq!(l.get_vec(i), Some(v.clone()));
            let from = items_from(l, i, false);
            prop_assert_eq!(&from[..], &want[i..]);
            let rev = items_from(l, i, true);
            let mut exp: Vec<Vec<u8>> = want[..=i].to_vec();
            exp.reverse();
            prop_assert_eq!(rev, exp);
        }
        prop_assert_eq!(l.get_vec(want.len()), None);
        if let Some(v) = want.get(want.len() / 2) {
            let first = want.iter().position(|x| x == v);
            prop_assert_eq!(l.position(&Probe::new(v)), first);
        }
        Ok(())
    }

    /// Applies `ops` to `l` and to a model deque, checking the list's invariants after
    /// each; returns the model.
    fn apply_checked(l: &mut List, ops: Vec<Op>) -> Result<VecDeque<Vec<u8>>, TestCaseError> {
        let mut m = VecDeque::new();
        for op in ops {
            apply(l, &mut m, op)?;
            check_invariants(l);
        }
        Ok(m)
    }

    /// Values that compress well: runs of one letter, some long enough for a node to
    /// pass the minimum size quickly.
    fn compressible() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            value(),
            (b'a'..=b'd', 0usize..120).prop_map(|(c, n)| vec![c; n]),
            (0u32..50).prop_map(|n| format!("element:{n}:padding-padding-padding").into_bytes()),
        ]
    }

    fn compressible_op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => compressible().prop_map(Op::PushFront),
            3 => compressible().prop_map(Op::PushBack),
            1 => Just(Op::PopFront),
            1 => Just(Op::PopBack),
            2 => (any::<usize>(), compressible()).prop_map(|(i, v)| Op::Insert(i, v)),
            2 => (any::<usize>(), compressible()).prop_map(|(i, v)| Op::Set(i, v)),
            1 => (any::<usize>(), 0usize..20).prop_map(|(i, n)| Op::Remove(i, n)),
            1 => (compressible(), 0usize..3, any::<bool>()).prop_map(|(v, n, t)| Op::RemoveMatching(v, n, t)),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Trim(a, b)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn behaves_like_a_deque(fill in prop_oneof![Just(-1i64), Just(-2), Just(1), Just(3), Just(8)],
                                ops in proptest::collection::vec(op(), 1..150)) {
            let mut l = List::with_fill(fill);
            let mut m: VecDeque<Vec<u8>> = VecDeque::new();
            for op in ops {
                apply(&mut l, &mut m, op)?;
            }
            prop_assert_eq!(l.compressed_node_count(), 0);
            check_reads(&l, &m)?;
        }

        #[test]
        fn compressed_behaves_like_a_deque(
            depth in 1usize..=3,
            fill in prop_oneof![Just(-1i64), Just(2), Just(3), Just(4), Just(8)],
            ops in proptest::collection::vec(compressible_op(), 1..200),
        ) {
            let mut l = List::with_options(fill, depth);
            let m = apply_checked(&mut l, ops)?;
            check_reads(&l, &m)?;
            // A clone (the COW copy) reads the same.
            check_reads(&l.clone(), &m)?;
        }

        #[test]
        fn large_elements_stay_alone_and_the_list_behaves_like_a_deque(
            threshold in 1u64..40,
            depth in 0usize..=2,
            fill in prop_oneof![Just(-1i64), Just(2), Just(4)],
            ops in proptest::collection::vec(compressible_op(), 1..150),
        ) {
            set_packed_threshold(threshold);
            let mut l = List::with_options(fill, depth);
            let m = apply_checked(&mut l, ops)?;
            check_reads(&l, &m)?;
            set_packed_threshold(0);
        }
    }
}
