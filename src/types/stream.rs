//! Streams: an append-only log of entries named by IDs, with consumer groups, as Redis
//! 7.0's `t_stream.c`.
//!
//! Entries live in nodes, as in Redis's rax of listpacks: a node holds up to
//! `stream-node-max-entries` entries (counting deleted ones) or about
//! `stream-node-max-bytes` bytes, and is keyed by the ID of the first entry ever added
//! to it (its "master ID"). The nodes matter beyond memory: `MAXLEN ~`/`MINID ~`
//! trimming removes whole nodes only, so a stream trims to the same length as in Redis,
//! and the RDB writes one listpack per node.
//!
//! An entry's fields are packed into one allocation ([`Fields`]), so a small entry
//! costs one heap block instead of one per field.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::numbers::{c_str, parse_i64, parse_u64};

/// Longest ID argument Redis parses: it copies the argument, with its terminating NUL,
/// into a 128-byte buffer and rejects anything longer.
const MAX_ID_ARG_LEN: usize = 127;

/// Largest listpack Redis lets a stream node grow to (STREAM_LISTPACK_MAX_SIZE); also
/// the node byte limit when `stream-node-max-bytes` is 0.
const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// A stream entry ID: milliseconds and a sequence number, ordered as a pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

/// How an ID argument with no `-seq` part is completed (`streamParseID`'s `missing_seq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingSeq {
    /// `5` means `5-0` (range starts, XADD, XGROUP).
    Zero,
    /// `5` means `5-18446744073709551615` (range ends).
    Max,
}

/// An ID argument as XADD takes it: explicit, `ms-*`, or `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddId {
    /// `ms-seq` (or `ms`, meaning `ms-0`).
    Explicit(StreamId),
    /// `ms-*`: the next sequence for that millisecond.
    AutoSeq(u64),
    /// `*`: generated from the clock.
    Auto,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// Parses `ms-seq` or `ms` (completed by `missing_seq`), also `-` (MIN) and `+`
    /// (MAX), with Redis's number rules (`string2ull`). None: "Invalid stream ID".
    pub fn parse(arg: &[u8], missing_seq: MissingSeq) -> Option<StreamId> {
        let missing = match missing_seq {
            MissingSeq::Zero => 0,
            MissingSeq::Max => u64::MAX,
        };
        match parse_id_arg(arg, false, missing, false)? {
            AddId::Explicit(id) => Some(id),
            // Not produced without `seq_star`.
            AddId::AutoSeq(_) | AddId::Auto => None,
        }
    }

    /// Parses as [`StreamId::parse`] but refuses `-` and `+`, as Redis's
    /// streamParseStrictIDOrReply (XDEL, XACK, XCLAIM, XGROUP CREATE, XSETID, MINID,
    /// and exclusive `(` range bounds once the `(` is stripped).
    pub fn parse_strict(arg: &[u8], missing_seq: MissingSeq) -> Option<StreamId> {
        match c_str(arg) {
            b"-" | b"+" => None,
            _ => StreamId::parse(arg, missing_seq),
        }
    }

    /// Parses an XADD ID argument: `*`, `ms-*`, `ms-seq` or `ms`. None when invalid.
    pub fn parse_for_add(arg: &[u8]) -> Option<AddId> {
        // XADD's option loop recognises `*` (as a C string) before any ID parsing, so
        // the length limit does not apply to it.
        if c_str(arg) == b"*" {
            return Some(AddId::Auto);
        }
        // Strict: `-` and `+` are not IDs an entry can be added with.
        parse_id_arg(arg, true, 0, true)
    }

    /// `ms-seq`, as replies show an ID.
    pub fn to_text(self) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::with_capacity(41);
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{}-{}", self.ms, self.seq);
        out
    }

    /// The next ID in order, None after MAX (streamIncrID).
    pub fn next(self) -> Option<StreamId> {
        match self.seq.checked_add(1) {
            Some(seq) => Some(StreamId::new(self.ms, seq)),
            None => Some(StreamId::new(self.ms.checked_add(1)?, 0)),
        }
    }

    /// The previous ID in order, None before MIN (streamDecrID).
    pub fn prev(self) -> Option<StreamId> {
        match self.seq.checked_sub(1) {
            Some(seq) => Some(StreamId::new(self.ms, seq)),
            None => Some(StreamId::new(self.ms.checked_sub(1)?, u64::MAX)),
        }
    }

    /// The 16-byte big-endian form Redis uses as rax key and in RDB PELs.
    pub fn to_be_bytes(self) -> [u8; 16] {
        (u128::from(self.ms) << 64 | u128::from(self.seq)).to_be_bytes()
    }

    pub fn from_be_bytes(bytes: [u8; 16]) -> StreamId {
        let v = u128::from_be_bytes(bytes);
        StreamId::new((v >> 64) as u64, v as u64)
    }
}

/// Parses an ID argument as Redis's streamGenericParseIDOrReply: `strict` rejects `-`
/// and `+`; `missing_seq` completes a bare `ms`; `seq_star` accepts `ms-*` (XADD). The
/// split is at the first `-` (Redis's strchr), so `-5` has an empty, invalid ms part.
fn parse_id_arg(arg: &[u8], strict: bool, missing_seq: u64, seq_star: bool) -> Option<AddId> {
    if arg.len() > MAX_ID_ARG_LEN {
        return None;
    }
    let s = c_str(arg);
    match s {
        b"-" | b"+" if strict => return None,
        b"-" => return Some(AddId::Explicit(StreamId::MIN)),
        b"+" => return Some(AddId::Explicit(StreamId::MAX)),
        _ => {}
    }
    let (ms_part, seq_part) = match memchr::memchr(b'-', s) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ms = parse_u64(ms_part)?;
    match seq_part {
        Some(b"*") if seq_star => Some(AddId::AutoSeq(ms)),
        Some(seq) => Some(AddId::Explicit(StreamId::new(ms, parse_u64(seq)?))),
        None => Some(AddId::Explicit(StreamId::new(ms, missing_seq))),
    }
}

/// The field/value pairs of one entry, packed into one allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct Fields {
    /// The pair count, then each field and value as its length and its bytes; counts
    /// and lengths are LEB128 varints, so a short element costs one byte of overhead.
    packed: Box<[u8]>,
}

/// Bytes the LEB128 varint of `v` takes.
fn varint_len(v: usize) -> usize {
    let bits = usize::BITS - (v | 1).leading_zeros();
    bits.div_ceil(7) as usize
}

fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at the start of `b`: its value and the rest of `b`. The bytes were
/// written by [`put_varint`], so they are well formed.
fn take_varint(b: &[u8]) -> (usize, &[u8]) {
    let mut v = 0usize;
    let mut shift = 0;
    for (i, &c) in b.iter().enumerate() {
        v |= usize::from(c & 0x7f) << shift;
        if c < 0x80 {
            return (v, &b[i + 1..]);
        }
        shift += 7;
    }
    unreachable!("truncated varint in packed fields")
}

/// Reads one length-prefixed element at the start of `b`: it and the rest of `b`.
fn take_element(b: &[u8]) -> (&[u8], &[u8]) {
    let (len, rest) = take_varint(b);
    rest.split_at(len)
}

/// Iterator over the pairs of a [`Fields`].
struct Pairs<'a> {
    rest: &'a [u8],
    remaining: usize,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let (field, rest) = take_element(self.rest);
        let (value, rest) = take_element(rest);
        self.rest = rest;
        Some((field, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Pairs<'_> {}

impl Fields {
    /// Packs `pairs` (field, value, field, value, ...; an even count, at least 2).
    pub fn from_flat(flat: &[Vec<u8>]) -> Fields {
        debug_assert!(flat.len().is_multiple_of(2), "odd field/value count");
        Fields::pack(flat.len() / 2, flat.iter().map(Vec::as_slice))
    }

    /// Packs pairs given one by one.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Fields {
        let pairs: Vec<(&[u8], &[u8])> = pairs.into_iter().collect();
        Fields::pack(pairs.len(), pairs.iter().flat_map(|&(f, v)| [f, v]))
    }

    /// Packs `count` pairs given as their elements, into one exactly sized allocation.
    fn pack<'a, I>(count: usize, elements: I) -> Fields
    where
        I: Iterator<Item = &'a [u8]> + Clone,
    {
        let size = varint_len(count)
            + elements
                .clone()
                .map(|e| varint_len(e.len()) + e.len())
                .sum::<usize>();
        let mut out = Vec::with_capacity(size);
        put_varint(&mut out, count);
        for e in elements {
            put_varint(&mut out, e.len());
            out.extend_from_slice(e);
        }
        debug_assert_eq!(out.len(), size);
        Fields {
            packed: out.into_boxed_slice(),
        }
    }

    /// The pairs in the order they were given.
    pub fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        let (remaining, rest) = take_varint(&self.packed);
        Pairs { rest, remaining }
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        take_varint(&self.packed).0
    }

    /// The sum of the field and value lengths (Redis's `totelelen` in XADD).
    pub fn content_len(&self) -> usize {
        self.pairs().map(|(f, v)| f.len() + v.len()).sum()
    }

    /// Whether `self` has the same field names, in the same order, as `other`.
    fn same_fields(&self, other: &Fields) -> bool {
        self.len() == other.len() && self.pairs().zip(other.pairs()).all(|(a, b)| a.0 == b.0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes on the heap.
    pub fn heap_size(&self) -> usize {
        self.packed.len()
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.pairs().map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            }))
            .finish()
    }
}

/// The node-size settings (`stream-node-max-bytes`, `stream-node-max-entries`; 0 means
/// no limit of that kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLimits {
    pub max_bytes: usize,
    pub max_entries: usize,
}

impl Default for NodeLimits {
    /// Redis's defaults: 4096 bytes, 100 entries.
    fn default() -> Self {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }
}

/// What XTRIM / XADD's trimming option keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    /// MAXLEN n: at most n entries.
    MaxLen(u64),
    /// MINID id: no entry below id.
    MinId(StreamId),
}

/// One node: entries in ID order, keyed in [`Stream`] by its master ID.
#[derive(Clone, Debug, PartialEq)]
struct Node {
    /// Live entries, in ID order.
    entries: Vec<(StreamId, Fields)>,
    /// Entries deleted from this node: they still count toward its fullness, as the
    /// deleted-flagged entries of a Redis listpack do.
    deleted: usize,
    /// Approximate encoded size in bytes, as Redis's listpack would be, for
    /// `stream-node-max-bytes`. Nodes built by appends follow Redis's listpack encoding
    /// element by element, so they split where Redis's do; nodes read from an RDB file
    /// estimate their deleted entries. The live and deleted counters are left out:
    /// their encoding grows and shrinks as they count (see [`Node::lp_bytes`]).
    bytes: usize,
    /// The master entry's field names (with empty values): an entry with the same
    /// names is stored without them (Redis's SAMEFIELDS flag), which the size follows.
    master_fields: Fields,
    /// The ID of the last entry added to the node, live or deleted: Redis reads the
    /// listpack's last entry, tombstone or not, when deciding whether MINID trimming
    /// may drop the whole node.
    tail_id: StreamId,
    /// The sum of the entries' [`Fields::heap_size`], so [`Stream::heap_size`] does not
    /// walk every entry.
    fields_heap: usize,
}

/// A listpack's fixed bytes: total size (4), element count (2) and the end marker (1).
const LP_FIXED_SIZE: usize = 7;

/// Bytes a listpack element holding the integer `v` takes: its encoding plus the
/// one-byte back length (lpEncodeIntegerGetType).
fn lp_int_size(v: i64) -> usize {
    let encoding = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    };
    encoding + 1
}

/// Bytes a listpack element holding `s` takes: strings that read as integers
/// (lpStringToInt64, the same rules as string2ll) are stored as integers; others get a
/// 1, 2 or 5-byte header, and a back length of 1 to 5 bytes (lpEncodeBacklen).
fn lp_str_size(s: &[u8]) -> usize {
    if let Some(v) = parse_i64(s) {
        return lp_int_size(v);
    }
    let encoded = s.len()
        + match s.len() {
            0..=63 => 1,
            64..=4095 => 2,
            _ => 5,
        };
    let backlen = match encoded {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    encoded + backlen
}

/// A `usize` count as the integer a listpack stores.
fn lp_count_size(n: usize) -> usize {
    lp_int_size(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Node {
    /// An empty node whose master entry takes its field names from `fields`: the fixed
    /// listpack bytes plus the master entry (field count, names, zero terminator).
    fn new(fields: &Fields, tail_id: StreamId) -> Node {
        let master_fields = Fields::from_pairs(fields.pairs().map(|(f, _)| (f, &b""[..])));
        let bytes = LP_FIXED_SIZE
            + lp_count_size(master_fields.len())
            + master_fields
                .pairs()
                .map(|(f, _)| lp_str_size(f))
                .sum::<usize>()
            + lp_int_size(0);
        Node {
            entries: Vec::new(),
            deleted: 0,
            bytes,
            master_fields,
            tail_id,
            fields_heap: 0,
        }
    }

    /// Appends an entry (above all of the node's) to a node keyed by `master_id`,
    /// growing its size as Redis's listpack grows: flags, the ID as two deltas from the
    /// master ID, the field count and names unless they are the master's, the values,
    /// and the entry's element count.
    fn push(&mut self, master_id: StreamId, id: StreamId, fields: Fields) {
        let same = fields.same_fields(&self.master_fields);
        let n = fields.len();
        // Deltas are stored as int64: a wrapped u64 difference reads as negative.
        let mut size = lp_int_size(0) // flags: 0 or SAMEFIELDS, one byte either way
            + lp_int_size(id.ms.wrapping_sub(master_id.ms) as i64)
            + lp_int_size(id.seq.wrapping_sub(master_id.seq) as i64);
        let mut lp_count = n + 3;
        if !same {
            size += lp_count_size(n) + fields.pairs().map(|(f, _)| lp_str_size(f)).sum::<usize>();
            lp_count += n + 1;
        }
        size += fields.pairs().map(|(_, v)| lp_str_size(v)).sum::<usize>();
        size += lp_count_size(lp_count);
        self.bytes += size;
        self.fields_heap += fields.heap_size();
        self.tail_id = id;
        self.entries.push((id, fields));
    }

    /// The listpack's size (lpBytes), with the live and deleted counters.
    fn lp_bytes(&self) -> usize {
        self.bytes + lp_count_size(self.entries.len()) + lp_count_size(self.deleted)
    }

    /// Whether an entry of `content_len` field and value bytes goes to a new node, as
    /// streamAppendItem decides: the listpack's bytes plus the new content reach
    /// `max_bytes`, or its live plus deleted entries reach `max_entries` (0: no limit).
    fn is_full(&self, content_len: usize, max_bytes: usize, max_entries: usize) -> bool {
        self.lp_bytes() + content_len >= max_bytes
            || (max_entries != 0 && self.entries.len() + self.deleted >= max_entries)
    }

    /// Removes the live entry at `index`, leaving a tombstone: the node still counts it
    /// for fullness and its bytes.
    fn remove_at(&mut self, index: usize) {
        let (_, fields) = self.entries.remove(index);
        self.fields_heap -= fields.heap_size();
        self.deleted += 1;
    }
}

/// A pending (delivered, not yet acknowledged) entry of a consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingEntry {
    /// The consumer it was last delivered to.
    pub consumer: Vec<u8>,
    /// When it was last delivered (ms since the epoch).
    pub delivery_time: i64,
    pub delivery_count: u64,
}

/// A consumer of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    /// Last time it was seen by any command naming it (ms since the epoch).
    pub seen_time: i64,
    /// The IDs pending for it (their details are in the group's PEL).
    pub pending: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// How many entries the group has read (its logical position), None when it cannot
    /// be known (Redis's SCG_INVALID_ENTRIES_READ, -1).
    pub entries_read: Option<u64>,
    /// The group's pending entries list.
    pub pending: BTreeMap<StreamId, PendingEntry>,
    /// Consumers by name (Redis keeps them in a rax: byte order).
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

/// A stream value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    /// Nodes by master ID.
    nodes: BTreeMap<StreamId, Node>,
    /// Number of live entries.
    length: u64,
    /// The ID of the last entry ever added (or set by XSETID).
    pub last_id: StreamId,
    /// The ID of the first live entry; 0-0 when empty.
    pub first_id: StreamId,
    /// The largest ID ever deleted by XDEL (Redis 7.0's max_deleted_entry_id).
    pub max_deleted_id: StreamId,
    /// How many entries were ever added (Redis 7.0's entries_added).
    pub entries_added: u64,
    /// Consumer groups by name (byte order, as Redis's rax).
    pub groups: BTreeMap<Vec<u8>, ConsumerGroup>,
}

/// Why an XADD ID cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddIdError {
    /// Equal to or smaller than the stream's last ID: "The ID specified in XADD is equal
    /// or smaller than the target stream top item".
    TooSmall,
    /// The last ID is the largest possible: "The stream has exhausted the last possible
    /// ID, unable to add more items".
    Exhausted,
    /// 0-0 given explicitly: "The ID specified in XADD must be greater than 0-0".
    Zero,
}

/// Heap bytes of one B-tree map entry whose key and value take `kv` bytes: B-tree nodes
/// are about two thirds full, plus their edges and headers.
fn btree_entry_size(kv: usize) -> usize {
    kv * 3 / 2 + 8
}

/// One node as the RDB writer sees it.
pub struct NodeView<'a> {
    /// The node's key: the ID of the first entry ever added to it.
    pub master_id: StreamId,
    /// Its live entries in ID order.
    pub entries: &'a [(StreamId, Fields)],
    /// How many of its entries were deleted (flagged deleted in Redis's listpack).
    pub deleted: usize,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Number of live entries (XLEN).
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// OBJECT ENCODING's word.
    pub fn encoding_name(&self) -> &'static str {
        "stream"
    }

    /// Bytes on the heap (MEMORY USAGE, eviction accounting).
    pub fn heap_size(&self) -> usize {
        use std::mem::size_of;
        let nodes: usize = self
            .nodes
            .values()
            .map(|node| {
                btree_entry_size(size_of::<StreamId>() + size_of::<Node>())
                    + node.entries.capacity() * size_of::<(StreamId, Fields)>()
                    + node.fields_heap
                    + node.master_fields.heap_size()
            })
            .sum();
        let groups: usize = self
            .groups
            .iter()
            .map(|(name, group)| {
                let pel: usize = group
                    .pending
                    .values()
                    .map(|p| {
                        btree_entry_size(size_of::<StreamId>() + size_of::<PendingEntry>())
                            + p.consumer.capacity()
                    })
                    .sum();
                let consumers: usize = group
                    .consumers
                    .iter()
                    .map(|(name, c)| {
                        btree_entry_size(size_of::<Vec<u8>>() + size_of::<Consumer>())
                            + name.capacity()
                            + c.pending.len() * btree_entry_size(size_of::<StreamId>())
                    })
                    .sum();
                btree_entry_size(size_of::<Vec<u8>>() + size_of::<ConsumerGroup>())
                    + name.capacity()
                    + pel
                    + consumers
            })
            .sum();
        nodes + groups
    }

    /// The ID an XADD with `id` gets at `now_ms`, as Redis's streamAppendItem decides it:
    /// `*` is max(now, last ms) with the next sequence; `ms-*` takes the next sequence
    /// of `ms` (0 if `ms` is newer than the last ID); an explicit ID must be above the
    /// last ID and not 0-0.
    pub fn resolve_add_id(&self, id: AddId, now_ms: u64) -> Result<StreamId, AddIdError> {
        // XADD's own order: 0-0 is refused before the key is even looked up, then an
        // exhausted stream refuses any ID, then streamAppendItem compares.
        if id == AddId::Explicit(StreamId::MIN) {
            return Err(AddIdError::Zero);
        }
        let last = self.last_id;
        if last == StreamId::MAX {
            return Err(AddIdError::Exhausted);
        }
        let new = match id {
            AddId::Auto if now_ms > last.ms => StreamId::new(now_ms, 0),
            AddId::Auto => last.next().ok_or(AddIdError::Exhausted)?,
            // The next sequence of the last ID's millisecond; at the last sequence
            // Redis refuses rather than moving to the next millisecond (7.0 leaves
            // errno unset there, 7.2 answers "equal or smaller": so do we).
            AddId::AutoSeq(ms) if ms == last.ms => {
                StreamId::new(ms, last.seq.checked_add(1).ok_or(AddIdError::TooSmall)?)
            }
            AddId::AutoSeq(ms) => StreamId::new(ms, 0),
            AddId::Explicit(id) => id,
        };
        if new <= last {
            return Err(AddIdError::TooSmall);
        }
        Ok(new)
    }

    /// Appends an entry whose ID came from [`Stream::resolve_add_id`]: into the last
    /// node, or a new node when that one is full by `limits` (Redis's rule: its bytes
    /// plus the entry's reach max_bytes, or its live plus deleted entries reach
    /// max_entries). Updates length, last_id, first_id and entries_added.
    pub fn append(&mut self, id: StreamId, fields: Fields, limits: NodeLimits) {
        debug_assert!(
            id > self.last_id || self.length == 0,
            "append below last_id"
        );
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            n => n.min(LISTPACK_MAX_SIZE),
        };
        let content_len = fields.content_len();
        match self.nodes.last_entry() {
            Some(mut tail)
                if !tail
                    .get()
                    .is_full(content_len, max_bytes, limits.max_entries) =>
            {
                let master_id = *tail.key();
                tail.get_mut().push(master_id, id, fields);
            }
            tail => {
                // The full node gets no more entries: give back its spare capacity, as
                // Redis shrinks the listpack it leaves.
                if let Some(mut tail) = tail {
                    tail.get_mut().entries.shrink_to_fit();
                }
                let mut node = Node::new(&fields, id);
                node.push(id, id, fields);
                self.nodes.insert(id, node);
            }
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// The fields of entry `id`.
    pub fn get(&self, id: StreamId) -> Option<&Fields> {
        let (_, node) = self.nodes.range(..=id).next_back()?;
        let index = node.entries.binary_search_by(|(e, _)| e.cmp(&id)).ok()?;
        Some(&node.entries[index].1)
    }

    /// The live entries with `start <= id <= end`, in ID order; `.rev()` walks them
    /// backwards (XREVRANGE). Empty when start > end.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
    ) -> impl DoubleEndedIterator<Item = (StreamId, &Fields)> + '_ {
        // A node's entries lie between its master ID and the next node's, so the walk
        // starts at the last node keyed at or before `start` and ends at the last node
        // keyed at or before `end`; inside a node the bounds are binary searched.
        (start <= end)
            .then(|| {
                let from = self
                    .nodes
                    .range(..=start)
                    .next_back()
                    .map_or(start, |(&master_id, _)| master_id);
                self.nodes.range(from..=end).flat_map(move |(_, node)| {
                    let lo = node.entries.partition_point(|(id, _)| *id < start);
                    let hi = node.entries.partition_point(|(id, _)| *id <= end);
                    node.entries[lo..hi.max(lo)]
                        .iter()
                        .map(|(id, fields)| (*id, fields))
                })
            })
            .into_iter()
            .flatten()
    }

    /// Deletes entry `id` (XDEL); false if it does not exist. A node left without live
    /// entries is removed. Updates length, first_id and max_deleted_id.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master_id, node)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let Ok(index) = node.entries.binary_search_by(|(e, _)| e.cmp(&id)) else {
            return false;
        };
        node.remove_at(index);
        // Redis frees a listpack whose last live entry goes, tombstones and all.
        if node.entries.is_empty() {
            self.nodes.remove(&master_id);
        }
        self.length -= 1;
        // xdelCommand: the first ID moves on only when the first entry went.
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if id == self.first_id {
            self.first_id = self.first_live_id().unwrap_or(StreamId::MIN);
        }
        self.max_deleted_id = self.max_deleted_id.max(id);
        true
    }

    /// Trims as Redis's streamTrim: whole nodes from the head while the strategy allows
    /// removing all of a node; then, unless `approx`, single entries of the next node.
    /// With `approx`, stops at the first node that cannot go whole, and `limit` (0: no
    /// limit) caps how many entries may be removed (only whole nodes count). Returns how
    /// many entries were removed. Updates length and first_id (not max_deleted_id).
    pub fn trim(&mut self, strategy: TrimStrategy, approx: bool, limit: u64) -> u64 {
        let mut removed = 0u64;
        while let Some(mut head) = self.nodes.first_entry() {
            if let TrimStrategy::MaxLen(maxlen) = strategy {
                if self.length <= maxlen {
                    break;
                }
            }
            let node = head.get_mut();
            let live = node.entries.len() as u64;
            // The work cap is checked before knowing whether the node would go whole.
            if limit != 0 && removed + live > limit {
                break;
            }
            let whole = match strategy {
                TrimStrategy::MaxLen(maxlen) => self.length - live >= maxlen,
                // Redis compares the listpack's last entry, even a deleted one.
                TrimStrategy::MinId(min_id) => node.tail_id < min_id,
            };
            if whole {
                head.remove();
                self.length -= live;
                removed += live;
                continue;
            }
            if approx {
                break;
            }
            // Exact trimming: flag the node's leading entries deleted, then stop, as
            // the remaining nodes hold only later entries.
            let count = match strategy {
                // Fewer than the node's live entries, or it would have gone whole.
                TrimStrategy::MaxLen(maxlen) => (self.length - maxlen) as usize,
                TrimStrategy::MinId(min_id) => node.entries.partition_point(|(id, _)| *id < min_id),
            };
            for (_, fields) in node.entries.drain(..count) {
                node.fields_heap -= fields.heap_size();
            }
            node.deleted += count;
            self.length -= count as u64;
            removed += count as u64;
            // Only MINID can empty the node here (its last entry is a tombstone at or
            // above the bound). Redis keeps such an empty listpack; we drop it, as
            // nodes hold at least one live entry everywhere else.
            if node.entries.is_empty() {
                head.remove();
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if removed > 0 {
            self.first_id = self.first_live_id().unwrap_or(StreamId::MIN);
        }
        removed
    }

    /// The nodes in order, for the RDB writer.
    pub fn nodes(&self) -> impl Iterator<Item = NodeView<'_>> + '_ {
        self.nodes.iter().map(|(&master_id, node)| NodeView {
            master_id,
            entries: &node.entries,
            deleted: node.deleted,
        })
    }

    /// Number of nodes (XINFO STREAM's radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds a node read from an RDB file (nodes arrive in order): its master ID, its
    /// live entries in order and its deleted count. Updates length only; the reader then
    /// sets last_id, first_id, max_deleted_id and entries_added from the file (and
    /// `first_id` with [`Stream::first_live_id`] for old files that lack it).
    pub fn push_node(
        &mut self,
        master_id: StreamId,
        entries: Vec<(StreamId, Fields)>,
        deleted: usize,
    ) {
        let Some((_, first)) = entries.first() else {
            return;
        };
        // The file keeps the master entry and the tombstones, but they do not reach us:
        // the first live entry stands for the master's field names, and each deleted
        // entry is taken to be as large as the average live one.
        let mut node = Node::new(first, master_id);
        let base = node.bytes;
        let live = entries.len();
        node.entries.reserve_exact(live);
        for (id, fields) in entries {
            node.push(master_id, id, fields);
        }
        node.bytes += (node.bytes - base) / live * deleted;
        node.deleted = deleted;
        self.length += live as u64;
        if let Some(old) = self.nodes.insert(master_id, node) {
            // A repeated key (a corrupt file) replaces the node it repeats.
            self.length -= old.entries.len() as u64;
        }
    }

    /// The first live entry's ID, if any.
    pub fn first_live_id(&self) -> Option<StreamId> {
        self.nodes
            .values()
            .find_map(|n| n.entries.first())
            .map(|(id, _)| *id)
    }

    /// The last live entry's ID, if any.
    pub fn last_live_id(&self) -> Option<StreamId> {
        self.nodes
            .values()
            .rev()
            .find_map(|n| n.entries.last())
            .map(|(id, _)| *id)
    }

    /// Whether entries may have been deleted between `start` (None: the first entry
    /// ever) and `end` (None: the last), as Redis's streamRangeHasTombstones.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        // Only the largest deleted ID is known: an empty stream, one never XDELed, or
        // one whose tombstones all precede its first entry has none in any range.
        if self.length == 0 || self.max_deleted_id == StreamId::MIN {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// The number of entries ever added up to and including `id`, when it can be
    /// known, as Redis's streamEstimateDistanceFromFirstEverEntry (None when it cannot).
    pub fn estimate_distance_from_first_ever(&self, id: StreamId) -> Option<u64> {
        // Nothing was ever added: every ID is at distance 0.
        if self.entries_added == 0 {
            return Some(0);
        }
        // An emptied stream: any ID up to the last one has seen all entries.
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return Some(self.entries_added),
            // A future ID.
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Less => {}
        }
        // Without XDEL tombstones at or after the first entry, the entries before the
        // first one are exactly those that were trimmed away.
        if self.max_deleted_id == StreamId::MIN || self.max_deleted_id < self.first_id {
            let before_first = self.entries_added.saturating_sub(self.length);
            match id.cmp(&self.first_id) {
                std::cmp::Ordering::Less => return Some(before_first),
                std::cmp::Ordering::Equal => return Some(before_first + 1),
                std::cmp::Ordering::Greater => {}
            }
        }
        // Somewhere inside the stream, or behind tombstones: unknowable.
        None
    }

    /// A group's `entries_read` after it was delivered the entry `id` by XREADGROUP's
    /// `>` path, as Redis's streamReplyWithRange updates it: one more when the group's
    /// count is valid and nothing was deleted after its last ID, else the estimate.
    pub fn entries_read_after_delivery(
        &self,
        entries_read: Option<u64>,
        id: StreamId,
    ) -> Option<u64> {
        match entries_read {
            // A valid counter and no tombstone from here on: one more entry read.
            Some(n) if !self.range_has_tombstones(Some(id), None) => Some(n.wrapping_add(1)),
            _ if self.entries_added != 0 => self.estimate_distance_from_first_ever(id),
            _ => entries_read,
        }
    }

    /// XINFO's `lag` of a group (Redis's streamGetLag... in 7.0 computed in
    /// xinfoReplyWithStreamInfo / XINFO GROUPS): None for nil.
    pub fn group_lag(&self, group: &ConsumerGroup) -> Option<u64> {
        self.group_lag_signed(group).map(|lag| lag.max(0) as u64)
    }

    /// The group's lag as Redis replies it (streamReplyWithCGLag): entries added minus
    /// the group's read counter, which is negative when XGROUP SETID ... ENTRIESREAD set
    /// a counter above entries_added. None for nil.
    pub fn group_lag_signed(&self, group: &ConsumerGroup) -> Option<i64> {
        // The lag of a stream that never had entries is 0.
        if self.entries_added == 0 {
            return Some(0);
        }
        let added = self.entries_added as i64;
        match group.entries_read {
            // No tombstone after the group's position: its counter is exact.
            Some(read) if !self.range_has_tombstones(Some(group.last_id), None) => {
                Some(added.wrapping_sub(read as i64))
            }
            _ => self
                .estimate_distance_from_first_ever(group.last_id)
                .map(|read| added.wrapping_sub(read as i64)),
        }
    }
}

impl ConsumerGroup {
    /// A group delivering after `last_id`.
    pub fn new(last_id: StreamId, entries_read: Option<u64>) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pending: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// The consumer `name`, created (seen now) if missing; the bool tells if it was
    /// created. Sets its seen_time to `now_ms` either way.
    pub fn consumer(&mut self, name: &[u8], now_ms: i64) -> (&mut Consumer, bool) {
        let created = !self.consumers.contains_key(name);
        if created {
            self.consumers.insert(
                name.to_vec(),
                Consumer {
                    seen_time: now_ms,
                    pending: BTreeSet::new(),
                },
            );
        }
        let consumer = self.consumers.get_mut(name).expect("consumer just ensured");
        consumer.seen_time = now_ms;
        (consumer, created)
    }

    /// Records `id` as pending for `consumer` (which must exist) with the given delivery
    /// time and count, taking it from the consumer that had it, if another did.
    pub fn set_pending(
        &mut self,
        id: StreamId,
        consumer: &[u8],
        delivery_time: i64,
        delivery_count: u64,
    ) {
        if let Some(old) = self.pending.get(&id) {
            if old.consumer != consumer {
                if let Some(previous) = self.consumers.get_mut(&old.consumer) {
                    previous.pending.remove(&id);
                }
            }
        }
        self.pending.insert(
            id,
            PendingEntry {
                consumer: consumer.to_vec(),
                delivery_time,
                delivery_count,
            },
        );
        match self.consumers.get_mut(consumer) {
            Some(c) => {
                c.pending.insert(id);
            }
            // The caller should have created it; keep the two lists consistent anyway.
            None => {
                self.consumers.insert(
                    consumer.to_vec(),
                    Consumer {
                        seen_time: delivery_time,
                        pending: BTreeSet::from([id]),
                    },
                );
            }
        }
    }

    /// Removes `id` from the PEL and its consumer's list (XACK); false if not pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(entry) = self.pending.remove(&id) else {
            return false;
        };
        if let Some(c) = self.consumers.get_mut(&entry.consumer) {
            c.pending.remove(&id);
        }
        true
    }

    /// Deletes a consumer and its pending entries; returns how many it had, None if it
    /// did not exist.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pending {
            self.pending.remove(id);
        }
        Some(consumer.pending.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(pairs.iter().map(|(f, v)| (f.as_bytes(), v.as_bytes())))
    }

    /// A stream of `ids` (ms, seq), each entry `f` = its index, with `limits`.
    fn stream_of(ids: impl IntoIterator<Item = (u64, u64)>, limits: NodeLimits) -> Stream {
        let mut s = Stream::new();
        for (i, (ms, seq)) in ids.into_iter().enumerate() {
            s.append(id(ms, seq), fields(&[("f", &i.to_string())]), limits);
        }
        s
    }

    /// Entries 1-0 ..= n-0 in nodes of 100 (Redis's defaults).
    fn numbered(n: u64) -> Stream {
        stream_of((1..=n).map(|i| (i, 0)), NodeLimits::default())
    }

    fn ids(s: &Stream, start: StreamId, end: StreamId) -> Vec<StreamId> {
        s.range(start, end).map(|(i, _)| i).collect()
    }

    fn rev_ids(s: &Stream, start: StreamId, end: StreamId) -> Vec<StreamId> {
        s.range(start, end).rev().map(|(i, _)| i).collect()
    }

    /// The live entry count of each node, in order.
    fn node_sizes(s: &Stream) -> Vec<usize> {
        s.nodes().map(|n| n.entries.len()).collect()
    }

    // ---- IDs -----------------------------------------------------------------------

    #[test]
    fn parse_follows_redis() {
        use MissingSeq::{Max, Zero};
        let p = |a: &[u8]| StreamId::parse(a, Zero);
        // Each case checked against redis-server 7.0.15 (XRANGE accepts what parse does).
        assert_eq!(p(b"5"), Some(id(5, 0)));
        assert_eq!(StreamId::parse(b"5", Max), Some(id(5, u64::MAX)));
        assert_eq!(p(b"5-3"), Some(id(5, 3)));
        assert_eq!(p(b"-"), Some(StreamId::MIN));
        assert_eq!(p(b"+"), Some(StreamId::MAX));
        assert_eq!(StreamId::parse(b"-", Max), Some(StreamId::MIN));
        // string2ull's leniency: spaces, '+', leading zeros, C's negation of "-01".
        assert_eq!(p(b" 5"), Some(id(5, 0)));
        assert_eq!(p(b"+6"), Some(id(6, 0)));
        assert_eq!(p(b"010"), Some(id(10, 0)));
        assert_eq!(p(b"5-+1"), Some(id(5, 1)));
        assert_eq!(p(b"5- 1"), Some(id(5, 1)));
        assert_eq!(p(b"\t7-1"), Some(id(7, 1)));
        assert_eq!(p(b"+5-1"), Some(id(5, 1)));
        assert_eq!(p(b"5--01"), Some(id(5, u64::MAX)));
        // The split is at the first '-': "-05" has an empty ms part.
        assert_eq!(p(b"-05"), None);
        assert_eq!(p(b"-5"), None);
        assert_eq!(p(b"-0"), None);
        assert_eq!(p(b"5--1"), None);
        assert_eq!(p(b"5-3-2"), None);
        assert_eq!(p(b"5-"), None);
        assert_eq!(p(b""), None);
        assert_eq!(p(b"5x"), None);
        assert_eq!(p(b"0x10"), None);
        assert_eq!(p(b"5-*"), None);
        assert_eq!(p(b"*"), None);
        // A NUL ends the C string Redis parses.
        assert_eq!(p(b"5\0-3"), Some(id(5, 0)));
        assert_eq!(p(b"5-3\0x"), Some(id(5, 3)));
        assert_eq!(p(b"-\0x"), Some(StreamId::MIN));
        // Limits of u64.
        assert_eq!(
            p(b"18446744073709551615-18446744073709551615"),
            Some(StreamId::MAX)
        );
        assert_eq!(p(b"18446744073709551616"), None);
        assert_eq!(p(b"5-18446744073709551616"), None);
    }

    #[test]
    fn parse_rejects_arguments_over_127_bytes() {
        let mut arg = vec![b'0'; 126];
        arg.push(b'7');
        assert_eq!(StreamId::parse(&arg, MissingSeq::Zero), Some(id(7, 0)));
        assert_eq!(
            StreamId::parse_for_add(&arg),
            Some(AddId::Explicit(id(7, 0)))
        );
        arg.insert(0, b'0');
        assert_eq!(StreamId::parse(&arg, MissingSeq::Zero), None);
        assert_eq!(StreamId::parse_for_add(&arg), None);
        assert_eq!(
            StreamId::parse(&[b'1'; 127], MissingSeq::Zero),
            None,
            "overflow"
        );
    }

    #[test]
    fn strict_parse_refuses_only_the_specials() {
        use MissingSeq::{Max, Zero};
        for special in [&b"-"[..], b"+", b"-\0x", b"+\0"] {
            assert_eq!(StreamId::parse_strict(special, Zero), None);
        }
        assert_eq!(StreamId::parse_strict(b"5", Max), Some(id(5, u64::MAX)));
        assert_eq!(StreamId::parse_strict(b"+5-1", Zero), Some(id(5, 1)));
        assert_eq!(StreamId::parse_strict(b"5-*", Zero), None);
        assert_eq!(StreamId::parse_strict(b"-5", Zero), None);
    }

    #[test]
    fn parse_for_add_is_strict() {
        let p = StreamId::parse_for_add;
        assert_eq!(p(b"*"), Some(AddId::Auto));
        assert_eq!(p(b"*\0x"), Some(AddId::Auto));
        assert_eq!(p(b"5-*"), Some(AddId::AutoSeq(5)));
        assert_eq!(p(b"0-*"), Some(AddId::AutoSeq(0)));
        assert_eq!(p(b" 5-*"), Some(AddId::AutoSeq(5)));
        assert_eq!(p(b"5"), Some(AddId::Explicit(id(5, 0))));
        assert_eq!(p(b"5-3"), Some(AddId::Explicit(id(5, 3))));
        assert_eq!(p(b"0"), Some(AddId::Explicit(id(0, 0))));
        assert_eq!(p(b"5\0-3"), Some(AddId::Explicit(id(5, 0))));
        for bad in [
            &b"-"[..],
            b"+",
            b"-\0x",
            b"5-**",
            b"*-1",
            b"-*",
            b"**",
            b"",
            b"-05",
            b"5-",
        ] {
            assert_eq!(p(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn ids_order_step_and_print() {
        assert!(id(1, u64::MAX) < id(2, 0));
        assert!(id(2, 0) < id(2, 1));
        assert_eq!(id(1, 5).next(), Some(id(1, 6)));
        assert_eq!(id(1, u64::MAX).next(), Some(id(2, 0)));
        assert_eq!(id(u64::MAX, u64::MAX - 1).next(), Some(StreamId::MAX));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(id(1, 5).prev(), Some(id(1, 4)));
        assert_eq!(id(2, 0).prev(), Some(id(1, u64::MAX)));
        assert_eq!(id(0, 1).prev(), Some(StreamId::MIN));
        assert_eq!(StreamId::MIN.prev(), None);
        assert_eq!(
            StreamId::MAX.to_text(),
            b"18446744073709551615-18446744073709551615"
        );
        assert_eq!(StreamId::MIN.to_text(), b"0-0");
        assert_eq!(id(1526919030474, 55).to_text(), b"1526919030474-55");
    }

    #[test]
    fn big_endian_form_round_trips_and_sorts_like_ids() {
        let sample = [
            StreamId::MIN,
            id(0, 1),
            id(0, u64::MAX),
            id(1, 0),
            id(0x0102_0304_0506_0708, 0x1112_1314_1516_1718),
            StreamId::MAX,
        ];
        assert_eq!(
            sample[4].to_be_bytes(),
            [1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18]
        );
        for w in sample.windows(2) {
            assert!(w[0].to_be_bytes() < w[1].to_be_bytes());
        }
        for i in sample {
            assert_eq!(StreamId::from_be_bytes(i.to_be_bytes()), i);
        }
    }

    // ---- Fields --------------------------------------------------------------------

    #[test]
    fn fields_round_trip_all_sizes() {
        let long = |n: usize| vec![b'x'; n];
        for n in [0, 1, 127, 128, 16383, 16384, 70000] {
            let flat = vec![
                b"field".to_vec(),
                long(n),
                long(n),
                Vec::new(),
                Vec::new(),
                b"v".to_vec(),
            ];
            let f = Fields::from_flat(&flat);
            assert_eq!(f.len(), 3);
            assert!(!f.is_empty());
            let back: Vec<Vec<u8>> = f
                .pairs()
                .flat_map(|(k, v)| [k.to_vec(), v.to_vec()])
                .collect();
            assert_eq!(back, flat, "size {n}");
            assert_eq!(f.content_len(), 5 + 2 * n + 1);
            let again = Fields::from_pairs(f.pairs());
            assert_eq!(again, f);
            // One byte of count, one or more of length per element.
            assert!(f.heap_size() >= 1 + 6 + f.content_len());
            assert!(f.heap_size() <= 1 + 6 * 3 + f.content_len());
        }
    }

    #[test]
    fn fields_count_and_debug() {
        let empty = Fields::from_pairs(std::iter::empty());
        assert_eq!(empty.len(), 0);
        assert!(empty.is_empty());
        assert_eq!(empty.pairs().count(), 0);
        let many: Vec<Vec<u8>> = (0..400).map(|i| i.to_string().into_bytes()).collect();
        let f = Fields::from_flat(&many);
        assert_eq!(f.len(), 200, "a count needing two varint bytes");
        assert_eq!(f.pairs().nth(199), Some((&b"398"[..], &b"399"[..])));
        assert_eq!(format!("{:?}", fields(&[("a", "1")])), r#"[("a", "1")]"#);
    }

    #[test]
    fn varints_encode_their_length() {
        for v in [
            0,
            1,
            127,
            128,
            16383,
            16384,
            (1 << 21) - 1,
            1 << 21,
            usize::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
            out.push(0xAA);
            assert_eq!(take_varint(&out), (v, &[0xAA][..]));
        }
    }

    #[test]
    fn listpack_element_sizes() {
        // Integer encodings, each with a one-byte back length.
        for (v, size) in [
            (0, 2),
            (127, 2),
            (128, 3),
            (-1, 3),
            (4095, 3),
            (-4096, 3),
            (4096, 4),
            (-4097, 4),
            (32767, 4),
            (32768, 5),
            (8_388_607, 5),
            (8_388_608, 6),
            (2_147_483_647, 6),
            (2_147_483_648, 10),
            (i64::MIN, 10),
        ] {
            assert_eq!(lp_int_size(v), size, "{v}");
        }
        // Strings that read as integers are stored as integers.
        assert_eq!(lp_str_size(b"127"), 2);
        assert_eq!(lp_str_size(b"-4096"), 3);
        assert_eq!(lp_str_size(b"007"), 1 + 3 + 1);
        assert_eq!(lp_str_size(b""), 2);
        assert_eq!(lp_str_size(&[b'a'; 63]), 1 + 63 + 1);
        assert_eq!(lp_str_size(&[b'a'; 64]), 2 + 64 + 1);
        assert_eq!(lp_str_size(&[b'a'; 126]), 2 + 126 + 2);
        assert_eq!(lp_str_size(&[b'a'; 4095]), 2 + 4095 + 2);
        assert_eq!(lp_str_size(&[b'a'; 4096]), 5 + 4096 + 2);
        assert_eq!(lp_str_size(&[b'a'; 16378]), 5 + 16378 + 3);
    }

    // ---- Appending and nodes -------------------------------------------------------

    #[test]
    fn append_tracks_ids_and_counters() {
        let mut s = Stream::new();
        assert!(s.is_empty());
        assert_eq!(s.encoding_name(), "stream");
        s.append(id(5, 1), fields(&[("a", "1")]), NodeLimits::default());
        s.append(
            id(7, 0),
            fields(&[("b", "2"), ("c", "3")]),
            NodeLimits::default(),
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s.first_id, id(5, 1));
        assert_eq!(s.last_id, id(7, 0));
        assert_eq!(s.entries_added, 2);
        assert_eq!(s.first_live_id(), Some(id(5, 1)));
        assert_eq!(s.last_live_id(), Some(id(7, 0)));
        assert_eq!(s.get(id(7, 0)), Some(&fields(&[("b", "2"), ("c", "3")])));
        assert_eq!(s.get(id(6, 0)), None);
        assert_eq!(s.get(id(1, 0)), None);
        assert_eq!(s.get(id(8, 0)), None);
        let nodes: Vec<_> = s.nodes().collect();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].master_id, id(5, 1));
        assert_eq!(nodes[0].entries.len(), 2);
        assert_eq!(nodes[0].deleted, 0);
    }

    #[test]
    fn nodes_split_at_max_entries() {
        let s = numbered(250);
        assert_eq!(node_sizes(&s), [100, 100, 50]);
        let masters: Vec<StreamId> = s.nodes().map(|n| n.master_id).collect();
        assert_eq!(masters, [id(1, 0), id(101, 0), id(201, 0)]);
        let small = NodeLimits {
            max_bytes: 0,
            max_entries: 7,
        };
        let s = stream_of((1..=20).map(|i| (i, 0)), small);
        assert_eq!(node_sizes(&s), [7, 7, 6]);
        let unlimited = NodeLimits {
            max_bytes: 0,
            max_entries: 0,
        };
        assert_eq!(
            node_sizes(&stream_of((1..=1000).map(|i| (i, 0)), unlimited)),
            [1000]
        );
    }

    /// Where new nodes start, by entry index, as `entries` are appended with `limits`.
    fn node_starts(
        limits: NodeLimits,
        entries: impl IntoIterator<Item = (StreamId, Fields)>,
    ) -> Vec<usize> {
        let mut s = Stream::new();
        let mut starts = Vec::new();
        for (i, (entry_id, f)) in entries.into_iter().enumerate() {
            let before = s.node_count();
            s.append(entry_id, f, limits);
            if s.node_count() != before {
                starts.push(i);
            }
        }
        starts
    }

    #[test]
    fn nodes_split_at_max_bytes_as_redis() {
        // Each expectation is where redis-server 7.0.15 started new nodes (XINFO
        // STREAM's radix-tree-keys after each XADD).
        let value = "x".repeat(100);
        let starts = node_starts(
            NodeLimits::default(),
            (1..=300).map(|i| (id(i, 0), fields(&[("f", &value)]))),
        );
        assert_eq!(starts, [0, 36, 72, 108, 144, 180, 216, 252, 288]);

        // Names differing from the master entry's are stored with each entry.
        let no_entry_limit = NodeLimits {
            max_bytes: 4096,
            max_entries: 0,
        };
        let starts = node_starts(
            no_entry_limit,
            (0..300).map(|i| {
                let (name, v) = (format!("field{i}"), (i * 1000).to_string());
                (id(i + 1, 0), fields(&[(&name, &v)]))
            }),
        );
        assert_eq!(starts, [0, 168]);

        let big = "y".repeat(5000);
        let big_entries = || (1..=10).map(|i| (id(i, 0), fields(&[("f", &big)])));
        let unlimited = NodeLimits {
            max_bytes: 0,
            max_entries: 0,
        };
        assert_eq!(node_starts(unlimited, big_entries()), [0]);
        let limits = NodeLimits {
            max_bytes: 20000,
            max_entries: 0,
        };
        assert_eq!(node_starts(limits, big_entries()), [0, 3, 6, 9]);
    }

    #[test]
    fn deleted_entries_still_fill_a_node() {
        // Redis: 100 entries, XDEL 50 of them, one more XADD opens a second node.
        let mut s = numbered(100);
        for i in 1..=50 {
            assert!(s.delete(id(i, 0)));
        }
        s.append(id(200, 0), fields(&[("f", "v")]), NodeLimits::default());
        assert_eq!(node_sizes(&s), [50, 1]);
        assert_eq!(s.nodes().next().unwrap().deleted, 50);
    }

    #[test]
    fn a_node_emptied_by_xdel_goes_and_the_previous_tail_takes_entries() {
        let mut s = numbered(101);
        assert!(s.delete(id(101, 0)));
        assert_eq!(node_sizes(&s), [100]);
        // The remaining node is full, so the next entry opens a new one.
        s.append(id(102, 0), fields(&[("f", "v")]), NodeLimits::default());
        assert_eq!(node_sizes(&s), [100, 1]);
    }

    // ---- resolve_add_id --------------------------------------------------------------

    #[test]
    fn resolve_add_id_cases() {
        let mut s = Stream::new();
        use AddId::{Auto, AutoSeq, Explicit};
        use AddIdError::{Exhausted, TooSmall, Zero};
        assert_eq!(s.resolve_add_id(Auto, 1000), Ok(id(1000, 0)));
        assert_eq!(s.resolve_add_id(Auto, 0), Ok(id(0, 1)));
        assert_eq!(s.resolve_add_id(AutoSeq(0), 0), Ok(id(0, 1)));
        assert_eq!(s.resolve_add_id(Explicit(id(0, 0)), 0), Err(Zero));
        assert_eq!(s.resolve_add_id(Explicit(id(0, 1)), 0), Ok(id(0, 1)));

        s.last_id = id(10, 5);
        assert_eq!(s.resolve_add_id(Auto, 11), Ok(id(11, 0)));
        // A clock behind the last ID does not go back.
        assert_eq!(s.resolve_add_id(Auto, 10), Ok(id(10, 6)));
        assert_eq!(s.resolve_add_id(Auto, 3), Ok(id(10, 6)));
        assert_eq!(s.resolve_add_id(AutoSeq(10), 0), Ok(id(10, 6)));
        assert_eq!(s.resolve_add_id(AutoSeq(12), 0), Ok(id(12, 0)));
        assert_eq!(s.resolve_add_id(AutoSeq(9), 0), Err(TooSmall));
        assert_eq!(s.resolve_add_id(Explicit(id(10, 5)), 0), Err(TooSmall));
        assert_eq!(s.resolve_add_id(Explicit(id(10, 4)), 0), Err(TooSmall));
        assert_eq!(s.resolve_add_id(Explicit(id(10, 6)), 0), Ok(id(10, 6)));
        assert_eq!(s.resolve_add_id(Explicit(id(0, 0)), 0), Err(Zero));

        // The last sequence of a millisecond: `*` moves to the next millisecond,
        // `ms-*` is refused.
        s.last_id = id(10, u64::MAX);
        assert_eq!(s.resolve_add_id(Auto, 0), Ok(id(11, 0)));
        assert_eq!(s.resolve_add_id(AutoSeq(10), 0), Err(TooSmall));
        assert_eq!(s.resolve_add_id(AutoSeq(11), 0), Ok(id(11, 0)));

        // Exhausted beats everything but 0-0 (checked before the key is looked up).
        s.last_id = StreamId::MAX;
        assert_eq!(s.resolve_add_id(Auto, u64::MAX), Err(Exhausted));
        assert_eq!(s.resolve_add_id(AutoSeq(u64::MAX), 0), Err(Exhausted));
        assert_eq!(s.resolve_add_id(Explicit(id(1, 1)), 0), Err(Exhausted));
        assert_eq!(s.resolve_add_id(Explicit(id(0, 0)), 0), Err(Zero));

        s.last_id = id(u64::MAX, u64::MAX - 1);
        assert_eq!(s.resolve_add_id(Auto, 5), Ok(StreamId::MAX));
    }

    // ---- range -------------------------------------------------------------------------

    #[test]
    fn range_forward_reverse_and_bounds() {
        let s = numbered(250);
        let all: Vec<StreamId> = (1..=250).map(|i| id(i, 0)).collect();
        assert_eq!(ids(&s, StreamId::MIN, StreamId::MAX), all);
        let mut rev = all.clone();
        rev.reverse();
        assert_eq!(rev_ids(&s, StreamId::MIN, StreamId::MAX), rev);
        // Bounds inside, on and across node boundaries.
        assert_eq!(
            ids(&s, id(99, 0), id(102, 0)),
            [id(99, 0), id(100, 0), id(101, 0), id(102, 0)]
        );
        assert_eq!(ids(&s, id(100, 1), id(101, 0)), [id(101, 0)]);
        assert_eq!(ids(&s, id(100, 0), id(100, u64::MAX)), [id(100, 0)]);
        assert_eq!(ids(&s, id(100, 1), id(100, u64::MAX)), []);
        assert_eq!(
            rev_ids(&s, id(199, 5), id(201, 0)),
            [id(201, 0), id(200, 0)]
        );
        assert_eq!(ids(&s, id(250, 0), StreamId::MAX), [id(250, 0)]);
        assert_eq!(ids(&s, id(250, 1), StreamId::MAX), []);
        assert_eq!(ids(&s, StreamId::MIN, id(1, 0)), [id(1, 0)]);
        assert_eq!(ids(&s, StreamId::MIN, id(0, u64::MAX)), []);
        // Empty when start > end, and on an empty stream.
        assert_eq!(ids(&s, id(5, 0), id(4, 0)), []);
        assert_eq!(ids(&s, StreamId::MAX, StreamId::MIN), []);
        assert_eq!(ids(&Stream::new(), StreamId::MIN, StreamId::MAX), []);
        // Fields come along.
        let (first, f) = s.range(id(3, 0), StreamId::MAX).next().unwrap();
        assert_eq!((first, f), (id(3, 0), &fields(&[("f", "2")])));
    }

    #[test]
    fn range_walks_from_both_ends() {
        let s = numbered(250);
        let mut it = s.range(id(98, 0), id(203, 0));
        assert_eq!(it.next().map(|e| e.0), Some(id(98, 0)));
        assert_eq!(it.next_back().map(|e| e.0), Some(id(203, 0)));
        assert_eq!(it.next_back().map(|e| e.0), Some(id(202, 0)));
        assert_eq!(it.count(), 203 - 98 - 2);
    }

    #[test]
    fn range_skips_deleted_entries() {
        let mut s = numbered(250);
        for i in (1..=250).filter(|i| i % 3 != 0) {
            assert!(s.delete(id(i, 0)));
        }
        let want: Vec<StreamId> = (1..=250).filter(|i| i % 3 == 0).map(|i| id(i, 0)).collect();
        assert_eq!(ids(&s, StreamId::MIN, StreamId::MAX), want);
        assert_eq!(ids(&s, id(100, 0), id(103, 0)), [id(102, 0)]);
        assert_eq!(rev_ids(&s, id(1, 0), id(7, 0)), [id(6, 0), id(3, 0)]);
    }

    // ---- delete ------------------------------------------------------------------------

    #[test]
    fn delete_first_middle_last() {
        let mut s = numbered(5);
        assert!(!s.delete(id(9, 0)));
        assert!(!s.delete(id(2, 1)));
        assert_eq!(s.max_deleted_id, StreamId::MIN);

        assert!(s.delete(id(3, 0)));
        assert_eq!(
            (s.len(), s.first_id, s.max_deleted_id),
            (4, id(1, 0), id(3, 0))
        );
        assert!(!s.delete(id(3, 0)));

        assert!(s.delete(id(1, 0)));
        assert_eq!(
            (s.len(), s.first_id, s.max_deleted_id),
            (3, id(2, 0), id(3, 0))
        );

        assert!(s.delete(id(5, 0)));
        assert_eq!((s.first_id, s.max_deleted_id), (id(2, 0), id(5, 0)));
        assert_eq!(s.last_id, id(5, 0), "XDEL keeps the last ID");
        assert_eq!(s.last_live_id(), Some(id(4, 0)));

        // A smaller ID does not lower the largest deleted one.
        assert!(s.delete(id(2, 0)));
        assert_eq!((s.first_id, s.max_deleted_id), (id(4, 0), id(5, 0)));

        assert!(s.delete(id(4, 0)));
        assert_eq!((s.len(), s.first_id, s.node_count()), (0, StreamId::MIN, 0));
        assert_eq!((s.first_live_id(), s.last_live_id()), (None, None));
        assert_eq!(s.entries_added, 5);
    }

    #[test]
    fn delete_removes_emptied_nodes() {
        let mut s = numbered(250);
        for i in 101..=200 {
            assert!(s.delete(id(i, 0)));
        }
        assert_eq!(node_sizes(&s), [100, 50]);
        for i in 1..=100 {
            assert!(s.delete(id(i, 0)));
        }
        assert_eq!(node_sizes(&s), [50]);
        assert_eq!((s.len(), s.first_id), (50, id(201, 0)));
    }

    // ---- trim --------------------------------------------------------------------------

    #[test]
    fn trim_maxlen_approx_and_exact_as_redis() {
        // Redis's own test: 1000 entries, MAXLEN ~ 555 leaves 600.
        let mut s = numbered(1000);
        assert_eq!(s.trim(TrimStrategy::MaxLen(555), true, 10000), 400);
        assert_eq!((s.len(), s.first_id), (600, id(401, 0)));
        assert_eq!(
            s.max_deleted_id,
            StreamId::MIN,
            "trimming records no tombstone"
        );

        let mut s = numbered(1000);
        assert_eq!(s.trim(TrimStrategy::MaxLen(555), false, 0), 445);
        assert_eq!((s.len(), s.first_id, s.node_count()), (555, id(446, 0), 6));
        // The trimmed head entries stay in their node as deleted ones.
        let head = s.nodes().next().unwrap();
        assert_eq!(
            (head.master_id, head.entries.len(), head.deleted),
            (id(401, 0), 55, 45)
        );
        assert_eq!(s.max_deleted_id, StreamId::MIN);

        // Nothing to do.
        assert_eq!(s.trim(TrimStrategy::MaxLen(555), false, 0), 0);
        assert_eq!(s.trim(TrimStrategy::MaxLen(10000), true, 0), 0);
        // Down to nothing.
        assert_eq!(s.trim(TrimStrategy::MaxLen(0), false, 0), 555);
        assert_eq!((s.len(), s.first_id, s.node_count()), (0, StreamId::MIN, 0));
    }

    #[test]
    fn trim_minid_as_redis() {
        // As redis-server: exact MAXLEN 555, then MINID ~ 601 drops the head node (55
        // live) and the next; MINID ~ 701-1 drops the node whose last ID is 700-1.
        let mut s = stream_of((1..=1000).map(|i| (i, 1)), NodeLimits::default());
        assert_eq!(s.trim(TrimStrategy::MaxLen(555), false, 0), 445);
        assert_eq!(s.first_id, id(446, 1));
        assert_eq!(s.trim(TrimStrategy::MinId(id(601, 0)), true, 10000), 155);
        assert_eq!(s.trim(TrimStrategy::MinId(id(701, 1)), true, 10000), 100);
        assert_eq!(s.trim(TrimStrategy::MinId(id(702, 0)), true, 10000), 0);
        assert_eq!((s.len(), s.first_id), (300, id(701, 1)));
        // Exact: entries below the bound go from the node that holds it.
        assert_eq!(s.trim(TrimStrategy::MinId(id(750, 1)), false, 0), 49);
        assert_eq!((s.len(), s.first_id), (251, id(750, 1)));
        assert_eq!(s.trim(TrimStrategy::MinId(id(750, 1)), false, 0), 0);
        // Across nodes: whole nodes first, then into the next one.
        assert_eq!(s.trim(TrimStrategy::MinId(id(950, 0)), false, 0), 200);
        assert_eq!((s.len(), s.first_id), (51, id(950, 1)));
        assert_eq!(s.trim(TrimStrategy::MinId(StreamId::MAX), false, 0), 51);
        assert_eq!((s.len(), s.first_id, s.node_count()), (0, StreamId::MIN, 0));
    }

    #[test]
    fn trim_limit_counts_whole_nodes() {
        // As redis-server: with nodes of 100, LIMIT 150 removes one node, LIMIT 200 two.
        let mut s = numbered(300);
        assert_eq!(s.trim(TrimStrategy::MaxLen(0), true, 150), 100);
        assert_eq!(s.trim(TrimStrategy::MaxLen(0), true, 200), 200);
        assert!(s.is_empty());
        // LIMIT 99 cannot remove even one node; 0 is no limit.
        let mut s = numbered(300);
        assert_eq!(s.trim(TrimStrategy::MinId(id(250, 0)), true, 99), 0);
        assert_eq!(s.trim(TrimStrategy::MinId(id(250, 0)), true, 0), 200);
        assert_eq!(s.first_id, id(201, 0));
    }

    #[test]
    fn trim_minid_looks_at_a_nodes_last_entry_even_deleted() {
        // Node 1-0..=100-0 with 100-0 deleted: its last live entry is below 100-0, but
        // Redis reads the tombstone and keeps the node for MINID ~ 100-0.
        let mut s = numbered(150);
        assert!(s.delete(id(100, 0)));
        assert_eq!(s.trim(TrimStrategy::MinId(id(100, 0)), true, 0), 0);
        assert_eq!(s.trim(TrimStrategy::MinId(id(100, 1)), true, 0), 99);
        assert_eq!((s.len(), s.first_id), (50, id(101, 0)));
        // Exactly: the live entries go one by one and the emptied node with them.
        let mut s = numbered(150);
        assert!(s.delete(id(100, 0)));
        assert_eq!(s.trim(TrimStrategy::MinId(id(100, 0)), false, 0), 99);
        assert_eq!(
            (s.len(), s.first_id, node_sizes(&s)),
            (50, id(101, 0), vec![50])
        );
    }

    // ---- RDB nodes ---------------------------------------------------------------------

    #[test]
    fn push_node_rebuilds_a_stream() {
        let original = {
            let mut s = numbered(250);
            for i in [1, 2, 150, 250] {
                s.delete(id(i, 0));
            }
            s
        };
        let mut copy = Stream::new();
        for node in original.nodes() {
            copy.push_node(node.master_id, node.entries.to_vec(), node.deleted);
        }
        // An emptied node (Redis keeps one after some MINID trims) adds nothing.
        copy.push_node(id(300, 0), Vec::new(), 7);
        assert_eq!(copy.len(), 246);
        assert_eq!(copy.node_count(), 3);
        assert_eq!(copy.first_live_id(), Some(id(3, 0)));
        assert_eq!(copy.last_live_id(), Some(id(249, 0)));
        let a: Vec<_> = original.range(StreamId::MIN, StreamId::MAX).collect();
        let b: Vec<_> = copy.range(StreamId::MIN, StreamId::MAX).collect();
        assert_eq!(a, b);
        let views: Vec<(StreamId, usize, usize)> = copy
            .nodes()
            .map(|n| (n.master_id, n.entries.len(), n.deleted))
            .collect();
        assert_eq!(
            views,
            [(id(1, 0), 98, 2), (id(101, 0), 99, 1), (id(201, 0), 49, 1)]
        );
        // The loaded tail node counts its deleted entry: 50 more entries fill it.
        copy.last_id = original.last_id;
        for i in 251..=301 {
            copy.append(id(i, 0), fields(&[("f", "x")]), NodeLimits::default());
        }
        assert_eq!(node_sizes(&copy), [98, 99, 99, 1]);
        assert_eq!(copy.len(), 297);
    }

    #[test]
    fn heap_size_follows_content() {
        let empty = Stream::new().heap_size();
        let mut s = numbered(10);
        let small = s.heap_size();
        assert!(small > empty);
        s.append(
            id(11, 0),
            fields(&[("f", &"z".repeat(10_000))]),
            NodeLimits::default(),
        );
        assert!(s.heap_size() >= small + 10_000);
        let mut g = ConsumerGroup::new(StreamId::MIN, None);
        g.consumer(b"alice", 0);
        g.set_pending(id(1, 0), b"alice", 0, 1);
        let before = s.heap_size();
        s.groups.insert(b"g".to_vec(), g);
        assert!(s.heap_size() > before);
        s.delete(id(11, 0));
        assert!(s.heap_size() < small + 10_000);
    }

    // ---- consumer groups ---------------------------------------------------------------

    #[test]
    fn consumers_are_created_and_seen() {
        let mut g = ConsumerGroup::new(id(1, 0), Some(1));
        let (c, created) = g.consumer(b"alice", 100);
        assert!(created);
        assert_eq!((c.seen_time, c.pending.len()), (100, 0));
        let (c, created) = g.consumer(b"alice", 250);
        assert!(!created);
        assert_eq!(c.seen_time, 250);
        assert_eq!(g.consumers.len(), 1);
    }

    #[test]
    fn pending_entries_move_between_consumers() {
        let mut g = ConsumerGroup::new(StreamId::MIN, None);
        g.consumer(b"alice", 1);
        g.consumer(b"bob", 1);
        g.set_pending(id(1, 0), b"alice", 10, 1);
        g.set_pending(id(2, 0), b"alice", 10, 1);
        g.set_pending(id(1, 0), b"bob", 20, 2);
        assert_eq!(
            g.consumers[&b"alice"[..]].pending,
            BTreeSet::from([id(2, 0)])
        );
        assert_eq!(g.consumers[&b"bob"[..]].pending, BTreeSet::from([id(1, 0)]));
        let entry = &g.pending[&id(1, 0)];
        assert_eq!(
            (
                entry.consumer.as_slice(),
                entry.delivery_time,
                entry.delivery_count
            ),
            (&b"bob"[..], 20, 2)
        );
        // Same consumer again: the entry is overwritten.
        g.set_pending(id(1, 0), b"bob", 30, 3);
        assert_eq!(g.pending[&id(1, 0)].delivery_count, 3);
        assert_eq!(g.consumers[&b"bob"[..]].pending.len(), 1);
        // A consumer that does not exist yet is created, seen at the delivery time.
        g.set_pending(id(3, 0), b"carol", 40, 1);
        let carol = &g.consumers[&b"carol"[..]];
        assert_eq!((carol.seen_time, carol.pending.len()), (40, 1));

        assert!(g.ack(id(1, 0)));
        assert!(!g.ack(id(1, 0)));
        assert!(g.consumers[&b"bob"[..]].pending.is_empty());
        assert_eq!(g.pending.len(), 2);

        assert_eq!(g.delete_consumer(b"alice"), Some(1));
        assert_eq!(g.delete_consumer(b"alice"), None);
        assert_eq!(g.delete_consumer(b"bob"), Some(0));
        assert_eq!(g.pending.keys().copied().collect::<Vec<_>>(), [id(3, 0)]);
        assert_eq!(g.consumers.len(), 1);
    }

    // ---- entries_read and lag -------------------------------------------------------------

    #[test]
    fn tombstone_ranges() {
        let mut s = numbered(10);
        assert!(!s.range_has_tombstones(None, None), "never deleted");
        s.delete(id(5, 0));
        assert!(s.range_has_tombstones(None, None));
        assert!(s.range_has_tombstones(Some(id(5, 0)), None));
        assert!(s.range_has_tombstones(None, Some(id(5, 0))));
        assert!(!s.range_has_tombstones(Some(id(5, 1)), None));
        assert!(!s.range_has_tombstones(None, Some(id(4, 0))));
        // Once the first entry is past the largest tombstone, none is left.
        s.trim(TrimStrategy::MinId(id(6, 0)), false, 0);
        assert_eq!(s.first_id, id(6, 0));
        assert!(!s.range_has_tombstones(None, None));
        // An empty stream has none.
        s.trim(TrimStrategy::MaxLen(0), false, 0);
        s.max_deleted_id = id(100, 0);
        assert!(!s.range_has_tombstones(None, None));
    }

    #[test]
    fn distance_from_first_ever_entry() {
        let mut s = Stream::new();
        // Nothing ever added: 0 for any ID.
        assert_eq!(s.estimate_distance_from_first_ever(id(5, 0)), Some(0));
        s = numbered(10);
        assert_eq!(
            s.estimate_distance_from_first_ever(id(10, 0)),
            Some(10),
            "last ID"
        );
        assert_eq!(
            s.estimate_distance_from_first_ever(id(10, 1)),
            None,
            "future"
        );
        assert_eq!(
            s.estimate_distance_from_first_ever(id(1, 0)),
            Some(1),
            "first"
        );
        assert_eq!(
            s.estimate_distance_from_first_ever(StreamId::MIN),
            Some(0),
            "before first"
        );
        assert_eq!(
            s.estimate_distance_from_first_ever(id(5, 0)),
            None,
            "inside"
        );
        // Trimmed: the trimmed entries count before the first one.
        s.trim(TrimStrategy::MaxLen(6), false, 0);
        assert_eq!(s.first_id, id(5, 0));
        assert_eq!(s.estimate_distance_from_first_ever(id(4, 0)), Some(4));
        assert_eq!(s.estimate_distance_from_first_ever(id(5, 0)), Some(5));
        // A tombstone at or after the first entry makes the head unknowable.
        s.delete(id(7, 0));
        assert_eq!(s.estimate_distance_from_first_ever(id(4, 0)), None);
        assert_eq!(s.estimate_distance_from_first_ever(id(5, 0)), None);
        assert_eq!(s.estimate_distance_from_first_ever(id(10, 0)), Some(10));
        // XDEL of the first entry leaves the tombstone before the new first entry.
        let mut s = numbered(10);
        s.delete(id(1, 0));
        assert_eq!(s.first_id, id(2, 0));
        assert_eq!(s.estimate_distance_from_first_ever(id(2, 0)), Some(2));
        assert_eq!(s.estimate_distance_from_first_ever(id(1, 0)), Some(1));
        // Emptied: every ID up to the last has read everything.
        s.trim(TrimStrategy::MaxLen(0), false, 0);
        assert_eq!(s.estimate_distance_from_first_ever(StreamId::MIN), Some(10));
        assert_eq!(s.estimate_distance_from_first_ever(id(10, 0)), Some(10));
        assert_eq!(s.estimate_distance_from_first_ever(id(11, 0)), None);
    }

    #[test]
    fn entries_read_advance_on_delivery() {
        let mut s = numbered(10);
        // A valid counter with nothing deleted ahead just counts.
        assert_eq!(s.entries_read_after_delivery(Some(3), id(4, 0)), Some(4));
        // An unknown counter is estimated: exact at the first and last entries.
        assert_eq!(s.entries_read_after_delivery(None, id(1, 0)), Some(1));
        assert_eq!(s.entries_read_after_delivery(None, id(4, 0)), None);
        assert_eq!(s.entries_read_after_delivery(None, id(10, 0)), Some(10));
        // A tombstone at or after the delivered ID forces the estimate.
        s.delete(id(6, 0));
        assert_eq!(s.entries_read_after_delivery(Some(3), id(4, 0)), None);
        assert_eq!(s.entries_read_after_delivery(Some(6), id(7, 0)), Some(7));
        // A tombstone before the delivered ID does not matter.
        assert_eq!(s.entries_read_after_delivery(Some(3), id(10, 0)), Some(4));
        // A stream with nothing ever added keeps the counter as it is.
        let empty = Stream::new();
        assert_eq!(empty.entries_read_after_delivery(None, id(1, 0)), None);
        assert_eq!(
            empty.entries_read_after_delivery(Some(2), id(1, 0)),
            Some(3)
        );
    }

    #[test]
    fn group_lag_cases() {
        let group = |last: StreamId, read: Option<u64>| ConsumerGroup::new(last, read);
        // A stream that never had entries: lag 0 whatever the group says.
        let s = Stream::new();
        assert_eq!(s.group_lag(&group(id(5, 0), None)), Some(0));

        let mut s = numbered(10);
        assert_eq!(s.group_lag(&group(StreamId::MIN, Some(0))), Some(10));
        assert_eq!(s.group_lag(&group(id(4, 0), Some(4))), Some(6));
        // Unknown counters: estimated where possible.
        assert_eq!(s.group_lag(&group(StreamId::MIN, None)), Some(10));
        assert_eq!(s.group_lag(&group(id(10, 0), None)), Some(0));
        assert_eq!(s.group_lag(&group(id(4, 0), None)), None);
        // A tombstone after the group's position: the counter is not trusted.
        s.delete(id(6, 0));
        assert_eq!(s.group_lag(&group(id(4, 0), Some(4))), None);
        assert_eq!(s.group_lag(&group(id(7, 0), Some(7))), Some(3));
        assert_eq!(
            s.group_lag(&group(id(10, 0), Some(2))),
            Some(8),
            "counter trusted past the tombstone"
        );
        // A counter above entries_added (XGROUP SETID ... ENTRIESREAD) gives a
        // negative lag in Redis.
        assert_eq!(s.group_lag_signed(&group(id(10, 0), Some(15))), Some(-5));
        assert_eq!(s.group_lag(&group(id(10, 0), Some(15))), Some(0));
    }

    // ---- model check ---------------------------------------------------------------------

    mod model {
        use super::*;
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Op {
            /// Append with this ms step (0: same ms, next seq) and value length.
            Add(u64, usize),
            /// Delete the live entry at this index (mod length), or a missing ID.
            Del(usize, bool),
            /// Trim exactly or approximately: MAXLEN (len minus this) or MINID at the
            /// live entry at this index, with this LIMIT.
            Trim {
                by_len: bool,
                at: usize,
                approx: bool,
                limit: u64,
            },
            /// Read the range between two picked IDs.
            Range(usize, usize, bool),
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                6 => (prop_oneof![Just(0u64), 1u64..3, Just(1 << 40)], 0usize..40)
                    .prop_map(|(step, len)| Op::Add(step, len)),
                2 => (any::<usize>(), any::<bool>()).prop_map(|(i, missing)| Op::Del(i, missing)),
                1 => (any::<bool>(), any::<usize>(), any::<bool>(), prop_oneof![Just(0u64), 1u64..20])
                    .prop_map(|(by_len, at, approx, limit)| Op::Trim { by_len, at, approx, limit }),
                2 => (any::<usize>(), any::<usize>(), any::<bool>())
                    .prop_map(|(a, b, rev)| Op::Range(a, b, rev)),
            ]
        }

        /// The ID picked by `i` among the live ones and a few around them.
        fn pick(model: &BTreeMap<StreamId, Fields>, i: usize) -> StreamId {
            let keys: Vec<StreamId> = model.keys().copied().collect();
            if keys.is_empty() {
                return id(i as u64 % 3, 0);
            }
            let k = keys[i % keys.len()];
            match (i / keys.len()) % 4 {
                0 => k,
                1 => k.next().unwrap_or(k),
                2 => k.prev().unwrap_or(k),
                _ => StreamId::new(k.ms, u64::MAX),
            }
        }

        /// The stream's invariants, and its contents against the model.
        fn check(
            s: &Stream,
            model: &BTreeMap<StreamId, Fields>,
            limits: NodeLimits,
        ) -> Result<(), TestCaseError> {
            let views: Vec<NodeView> = s.nodes().collect();
            let mut total = 0;
            for (i, v) in views.iter().enumerate() {
                prop_assert!(!v.entries.is_empty());
                prop_assert!(v.entries[0].0 >= v.master_id);
                prop_assert!(v.entries.windows(2).all(|w| w[0].0 < w[1].0));
                if let Some(next) = views.get(i + 1) {
                    prop_assert!(v.entries.last().unwrap().0 < next.master_id);
                }
                prop_assert!(v.entries.len() + v.deleted <= limits.max_entries);
                total += v.entries.len();
            }
            prop_assert_eq!(total as u64, s.len());
            prop_assert_eq!(s.len(), model.len() as u64);
            let all: Vec<(StreamId, &Fields)> = s.range(StreamId::MIN, StreamId::MAX).collect();
            let want: Vec<(StreamId, &Fields)> = model.iter().map(|(k, v)| (*k, v)).collect();
            prop_assert_eq!(all, want);
            prop_assert_eq!(
                s.first_id,
                model.keys().next().copied().unwrap_or(StreamId::MIN)
            );
            prop_assert_eq!(s.first_live_id(), model.keys().next().copied());
            prop_assert_eq!(s.last_live_id(), model.keys().next_back().copied());
            for (k, v) in model {
                prop_assert_eq!(s.get(*k), Some(v));
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn behaves_like_a_sorted_map(
                max_entries in 2usize..8,
                max_bytes in prop_oneof![Just(0usize), 60usize..200],
                ops in proptest::collection::vec(op(), 1..200),
            ) {
                let limits = NodeLimits { max_bytes, max_entries };
                let mut s = Stream::new();
                let mut model: BTreeMap<StreamId, Fields> = BTreeMap::new();
                let mut max_deleted = StreamId::MIN;
                for op in ops {
                    match op {
                        Op::Add(step, len) => {
                            let next = if step == 0 {
                                AddId::AutoSeq(s.last_id.ms)
                            } else {
                                AddId::Explicit(StreamId::new(s.last_id.ms + step, 0))
                            };
                            let new_id = s.resolve_add_id(next, 0).unwrap();
                            let f = Fields::from_flat(&[b"f".to_vec(), vec![b'v'; len]]);
                            s.append(new_id, f.clone(), limits);
                            model.insert(new_id, f);
                        }
                        Op::Del(i, missing) => {
                            let mut target = pick(&model, i);
                            if missing {
                                target = StreamId::new(target.ms, u64::MAX - 1);
                            }
                            let existed = model.remove(&target).is_some();
                            prop_assert_eq!(s.delete(target), existed);
                            if existed {
                                max_deleted = max_deleted.max(target);
                            }
                        }
                        Op::Trim { by_len, at, approx, limit } => {
                            let before = s.len();
                            let strategy = if by_len {
                                TrimStrategy::MaxLen(before.saturating_sub(at as u64 % 12))
                            } else {
                                TrimStrategy::MinId(pick(&model, at))
                            };
                            let limit = if approx { limit } else { 0 };
                            let removed = s.trim(strategy, approx, limit);
                            prop_assert_eq!(removed, before - s.len());
                            // Trimming removes from the head only.
                            let gone: Vec<StreamId> = model.keys().take(removed as usize).copied().collect();
                            for k in &gone {
                                model.remove(k);
                            }
                            if !approx {
                                match strategy {
                                    TrimStrategy::MaxLen(n) => prop_assert_eq!(s.len(), n.min(before)),
                                    TrimStrategy::MinId(min) => {
                                        prop_assert!(model.keys().all(|k| *k >= min));
                                        prop_assert!(gone.iter().all(|k| *k < min));
                                    }
                                }
                            }
                        }
                        Op::Range(a, b, rev) => {
                            let (start, end) = (pick(&model, a), pick(&model, b));
                            let want: Vec<StreamId> = if start <= end {
                                model.range(start..=end).map(|(k, _)| *k).collect()
                            } else {
                                Vec::new()
                            };
                            if rev {
                                let mut want = want;
                                want.reverse();
                                prop_assert_eq!(rev_ids(&s, start, end), want);
                            } else {
                                prop_assert_eq!(ids(&s, start, end), want);
                            }
                        }
                    }
                    prop_assert_eq!(s.max_deleted_id, max_deleted);
                    check(&s, &model, limits)?;
                }
            }
        }
    }
}
