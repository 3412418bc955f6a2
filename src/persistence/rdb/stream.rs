//! Streams in RDB files: reads types 15 (Redis 5.0), 19 (7.0) and 21 (7.2) into a
//! [`Stream`]; writes type 19, which Redis 7.0 and later load.
//!
//! Value layout (lengths are RDB lengths; an "ID" is two lengths, ms then seq; a "raw
//! ID" is 16 bytes, ms then seq, both big-endian):
//!
//! ```text
//! node count, { master ID as a 16-byte string | listpack as a string }*
//! length | last ID | [19, 21] first ID | max deleted ID | entries added
//! group count, {
//!     name | last ID | [19, 21] entries read (u64::MAX: unknown)
//!     PEL count, { raw ID | i64 LE delivery time (ms) | delivery count }*
//!     consumer count, {
//!         name | i64 LE seen time (ms) | [21] i64 LE active time (ms)
//!         PEL count, { raw ID }*        (each one in the group's PEL)
//!     }*
//! }*
//! ```
//!
//! A node's listpack, as t_stream.c lays it out (every number a listpack integer):
//!
//! ```text
//! master entry: live count | deleted count | field count | field names... | 0
//! then per entry, live or deleted:
//!     flags (1 = deleted, 2 = same fields as the master entry)
//!     ms - master ms | seq - master seq        (u64 differences, stored as i64)
//!     same fields: values...   otherwise: field count | field, value...
//!     lp-count (the entry's element count, for walking the listpack backwards)
//! ```
//!
//! The reader checks what Redis checks when loading without deep sanitisation (a
//! listpack that decodes, is not empty, unique node keys and group names, consumer PEL
//! entries present in their group's PEL) and also what our model relies on: the entry
//! layout, IDs ascending through the whole stream, counts that match the entries, a
//! length that matches, a last ID not below the last entry, and every pending entry
//! owned by exactly one consumer. The writer writes live entries only (each node with
//! a deleted count of 0), which Redis accepts.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use super::encodings::{self, canonical_int, EncodingError, ListpackBuilder, Packed};
use super::error::{RdbError, RdbErrorKind};
use super::format::*;
use super::reader::Input;
use super::writer::RdbWriter;
use crate::types::stream::{
    Consumer, ConsumerGroup, Fields, NodeView, PendingEntry, Stream, StreamId,
};

/// Which of the three stream layouts a value uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Type 15: no first ID, max deleted ID, entries added nor entries read.
    V1,
    /// Type 19: Redis 7.0.
    V2,
    /// Type 21: Redis 7.2, consumers also carry an active time.
    V3,
}

impl Layout {
    fn of(value_type: u8) -> Layout {
        match value_type {
            TYPE_STREAM_LISTPACKS => Layout::V1,
            TYPE_STREAM_LISTPACKS_2 => Layout::V2,
            _ => Layout::V3,
        }
    }
}

/// A corrupt-stream error at `offset`.
fn corrupt(offset: u64, what: &'static str) -> RdbError {
    RdbError::new(offset, RdbErrorKind::BadEncoding(what))
}

/// A stream ID from its 16-byte raw form; None if `raw` has another length.
fn raw_id(raw: &[u8]) -> Option<StreamId> {
    Some(StreamId::from_be_bytes(raw.try_into().ok()?))
}

/// A pending entry read from the group PEL, before the consumers name its owner.
struct Nack {
    delivery_time: i64,
    delivery_count: u64,
    owner: Option<Vec<u8>>,
}

impl<R: Read> Input<R> {
    /// Reads a stream value of type 15, 19 or 21 (the type byte is already consumed).
    pub(super) fn stream(&mut self, value_type: u8) -> Result<Stream, RdbError> {
        let layout = Layout::of(value_type);
        let mut s = Stream::new();
        self.stream_nodes(&mut s)?;
        self.stream_metadata(&mut s, layout)?;
        // Each group takes at least a name and three lengths.
        let groups = self.count("stream consumer groups", 4)?;
        for _ in 0..groups {
            let at = self.pos();
            let name = self.string()?;
            if s.groups.contains_key(&name) {
                return Err(corrupt(at, "duplicate consumer group name in a stream"));
            }
            let group = self.stream_group(&s, layout)?;
            s.groups.insert(name, group);
        }
        Ok(s)
    }

    /// Reads the nodes (master ID and listpack each) into `s`.
    fn stream_nodes(&mut self, s: &mut Stream) -> Result<(), RdbError> {
        let nodes = self.count("stream listpacks", 2)?;
        // The largest ID met so far, live or deleted: IDs ascend through the stream.
        let mut floor: Option<StreamId> = None;
        for _ in 0..nodes {
            let at = self.pos();
            let key = self.string()?;
            let master = raw_id(&key)
                .ok_or_else(|| corrupt(at, "stream node key is not a 16-byte stream ID"))?;
            if floor.is_some_and(|f| master <= f) {
                return Err(corrupt(at, "stream node keys out of order or repeated"));
            }
            let blob = self.blob("Stream listpack")?;
            let elements = encodings::listpack_elements(&blob.data).map_err(|e| blob.error(e))?;
            let node = decode_node(master, &elements).map_err(|e| blob.error(e))?;
            floor = Some(node.last.unwrap_or(master));
            s.push_node(master, node.live, node.deleted);
        }
        Ok(())
    }

    /// Reads length, last ID and (types 19 and 21) first ID, max deleted ID and entries
    /// added into `s`; for type 15 derives the latter three as Redis 7.0's loader does.
    fn stream_metadata(&mut self, s: &mut Stream, layout: Layout) -> Result<(), RdbError> {
        let at = self.pos();
        let length = self.length("stream length")?;
        s.last_id = self.stream_id("stream last ID")?;
        if layout == Layout::V1 {
            s.first_id = s.first_live_id().unwrap_or(StreamId::MIN);
            s.max_deleted_id = StreamId::MIN;
            s.entries_added = length;
        } else {
            s.first_id = self.stream_id("stream first ID")?;
            s.max_deleted_id = self.stream_id("stream max deleted ID")?;
            s.entries_added = self.length("stream entries added")?;
        }
        if length != s.len() {
            return Err(corrupt(at, "stream length does not match its entries"));
        }
        if s.last_live_id().is_some_and(|last| last > s.last_id) {
            return Err(corrupt(at, "stream last ID is below its last entry"));
        }
        Ok(())
    }

    /// Reads one consumer group after its name: last ID, entries read, PEL, consumers.
    /// For type 15, entries read is estimated from `s` as Redis does.
    fn stream_group(&mut self, s: &Stream, layout: Layout) -> Result<ConsumerGroup, RdbError> {
        let last_id = self.stream_id("consumer group last ID")?;
        let entries_read = match layout {
            Layout::V1 => s.estimate_distance_from_first_ever(last_id),
            Layout::V2 | Layout::V3 => match self.length("consumer group entries read")? {
                STREAM_ENTRIES_READ_INVALID => None,
                n => Some(n),
            },
        };
        let mut group = ConsumerGroup::new(last_id, entries_read);
        let pel_len = self.count("stream PEL", STREAM_ID_LEN as u64 + 9)?;
        let mut nacks = BTreeMap::new();
        for _ in 0..pel_len {
            let at = self.pos();
            let id = self.raw_stream_id()?;
            let nack = Nack {
                delivery_time: self.ms_time()?,
                delivery_count: self.length("stream PEL delivery count")?,
                owner: None,
            };
            if nacks.insert(id, nack).is_some() {
                return Err(corrupt(at, "duplicate entry in a consumer group PEL"));
            }
        }
        let consumers = self.count("stream consumers", 10)?;
        for _ in 0..consumers {
            let at = self.pos();
            let name = self.string()?;
            if group.consumers.contains_key(&name) {
                return Err(corrupt(at, "Duplicate stream consumer detected"));
            }
            let seen_time = self.ms_time()?;
            if layout == Layout::V3 {
                self.ms_time()?; // active time (7.2): not kept
            }
            let n = self.count("stream consumer PEL", STREAM_ID_LEN as u64)?;
            let mut pending = BTreeSet::new();
            for _ in 0..n {
                let at = self.pos();
                let id = self.raw_stream_id()?;
                match nacks.get_mut(&id) {
                    None => {
                        let what = "consumer PEL entry missing from its group PEL";
                        return Err(corrupt(at, what));
                    }
                    Some(Nack { owner: Some(_), .. }) => {
                        let what = "pending entry listed twice in consumer PELs";
                        return Err(corrupt(at, what));
                    }
                    Some(nack) => nack.owner = Some(name.clone()),
                }
                pending.insert(id);
            }
            group
                .consumers
                .insert(name, Consumer { seen_time, pending });
        }
        for (id, nack) in nacks {
            let Some(consumer) = nack.owner else {
                return Err(corrupt(
                    self.pos(),
                    "consumer group PEL entry without a consumer",
                ));
            };
            let entry = PendingEntry {
                consumer,
                delivery_time: nack.delivery_time,
                delivery_count: nack.delivery_count,
            };
            group.pending.insert(id, entry);
        }
        Ok(group)
    }

    /// Reads an ID stored as two lengths (ms, seq).
    fn stream_id(&mut self, what: &'static str) -> Result<StreamId, RdbError> {
        let ms = self.length(what)?;
        let seq = self.length(what)?;
        Ok(StreamId::new(ms, seq))
    }

    /// Reads an ID stored raw (16 bytes, big-endian).
    fn raw_stream_id(&mut self) -> Result<StreamId, RdbError> {
        Ok(StreamId::from_be_bytes(self.array()?))
    }
}

/// What one node's listpack holds.
struct DecodedNode {
    /// Live entries, in order.
    live: Vec<(StreamId, Fields)>,
    /// How many entries are flagged deleted.
    deleted: usize,
    /// The last entry's ID, live or deleted (None if the node has no entry).
    last: Option<StreamId>,
}

/// Walks the elements of a stream listpack.
struct Cursor<'e, 'a> {
    elements: &'e [Packed<'a>],
    next: usize,
}

/// An error inside a stream listpack (at its start: elements carry no offsets).
fn bad_node<T>(what: &'static str) -> Result<T, EncodingError> {
    Err(EncodingError { offset: 0, what })
}

impl<'e, 'a> Cursor<'e, 'a> {
    fn at_end(&self) -> bool {
        self.next == self.elements.len()
    }

    /// The next `n` elements.
    fn take(&mut self, n: usize) -> Result<&'e [Packed<'a>], EncodingError> {
        let rest = &self.elements[self.next..];
        if n > rest.len() {
            return bad_node("stream listpack ends inside an entry");
        }
        self.next += n;
        Ok(&rest[..n])
    }

    /// The next element as an integer (a string element must be a canonical one, as
    /// Redis's lpGetIntegerIfValid reads it).
    fn int(&mut self, what: &'static str) -> Result<i64, EncodingError> {
        let value = match self.take(1)?[0] {
            Packed::Int(n) => Some(n),
            Packed::Bytes(b) => canonical_int(b),
        };
        value.map_or_else(|| bad_node(what), Ok)
    }

    /// The next element as a count (a non-negative integer).
    fn count(&mut self, what: &'static str) -> Result<usize, EncodingError> {
        usize::try_from(self.int(what)?).or_else(|_| bad_node(what))
    }
}

/// A listpack element as bytes: borrowed from the listpack, or an integer's decimal.
type Bytes<'a> = Cow<'a, [u8]>;

/// An element's bytes (integers in decimal).
fn element_bytes<'a>(p: &Packed<'a>) -> Bytes<'a> {
    match *p {
        Packed::Bytes(b) => Cow::Borrowed(b),
        Packed::Int(n) => Cow::Owned(n.to_string().into_bytes()),
    }
}

/// Decodes a node's listpack elements (see the module docs) for the node keyed
/// `master`, checking the layout, the lp-counts, the order of the IDs and the counts
/// of the master entry.
fn decode_node(master: StreamId, elements: &[Packed<'_>]) -> Result<DecodedNode, EncodingError> {
    if elements.is_empty() {
        return bad_node("empty listpack in a stream");
    }
    let mut cur = Cursor { elements, next: 0 };
    let count = cur.count("invalid stream node entry count")?;
    let deleted = cur.count("invalid stream node deleted count")?;
    let master_len = cur.count("invalid stream master entry field count")?;
    let master_fields: Vec<Bytes<'_>> = cur.take(master_len)?.iter().map(element_bytes).collect();
    if cur.int("invalid stream master entry terminator")? != 0 {
        return bad_node("stream master entry does not end with 0");
    }
    let mut node = DecodedNode {
        live: Vec::with_capacity(count.min(elements.len())),
        deleted: 0,
        last: None,
    };
    while !cur.at_end() {
        let flags = cur.int("invalid stream entry flags")?;
        let ms = cur.int("invalid stream entry ID")?;
        let seq = cur.int("invalid stream entry ID")?;
        // The deltas are u64 differences stored as i64: add them back the same way.
        let id = StreamId::new(
            master.ms.wrapping_add(ms as u64),
            master.seq.wrapping_add(seq as u64),
        );
        if id < master || node.last.is_some_and(|last| id <= last) {
            return bad_node("stream entry IDs out of order");
        }
        node.last = Some(id);
        let same = flags & STREAM_ITEM_FLAG_SAMEFIELDS != 0;
        let (n, body) = if same {
            (master_len, cur.take(master_len)?)
        } else {
            let n = cur.count("invalid stream entry field count")?;
            (n, cur.take(n.saturating_mul(2))?)
        };
        // Both n and the extras are bounded by the element count, far below i64::MAX.
        let mut expected = n as i64 + STREAM_ITEM_FIXED_ELEMENTS;
        if !same {
            expected += n as i64 + 1;
        }
        if cur.int("invalid stream entry lp-count")? != expected {
            return bad_node("stream entry lp-count does not match the entry");
        }
        if flags & STREAM_ITEM_FLAG_DELETED != 0 {
            node.deleted += 1;
            continue;
        }
        let pairs: Vec<(Bytes<'_>, Bytes<'_>)> = if same {
            master_fields
                .iter()
                .zip(body)
                .map(|(f, v)| (f.clone(), element_bytes(v)))
                .collect()
        } else {
            body.chunks_exact(2)
                .map(|p| (element_bytes(&p[0]), element_bytes(&p[1])))
                .collect()
        };
        let fields = Fields::from_pairs(pairs.iter().map(|(f, v)| (&**f, &**v)));
        node.live.push((id, fields));
    }
    if node.live.len() != count || node.deleted != deleted {
        return bad_node("stream node entry counts do not match its entries");
    }
    Ok(node)
}

impl<W: Write> RdbWriter<W> {
    /// Writes a stream's body in type 19's layout (see the module docs): its nodes with
    /// live entries only, its metadata, then its groups.
    pub(super) fn write_stream_body(&mut self, s: &Stream) -> Result<(), RdbError> {
        // The model keeps no empty node; skip one anyway, as Redis refuses them.
        let nodes = || s.nodes().filter(|n| !n.entries.is_empty());
        self.write_len(nodes().count() as u64)?;
        for node in nodes() {
            self.write_string(&node.master_id.to_be_bytes())?;
            let Some(lp) = encode_node(&node) else {
                let len = node.entries.len() as u64;
                let what = "stream node too large for a listpack";
                return Err(self.error(RdbErrorKind::BadLength { what, len }));
            };
            self.write_string(&lp)?;
        }
        self.write_len(s.len())?;
        self.write_stream_id(s.last_id)?;
        self.write_stream_id(s.first_id)?;
        self.write_stream_id(s.max_deleted_id)?;
        self.write_len(s.entries_added)?;
        self.write_len(s.groups.len() as u64)?;
        for (name, group) in &s.groups {
            self.write_string(name)?;
            self.write_stream_group(group)?;
        }
        Ok(())
    }

    /// Writes a group after its name. Only the pending entries that their consumer
    /// lists are written, so the file loads even if the model's two lists disagreed.
    fn write_stream_group(&mut self, g: &ConsumerGroup) -> Result<(), RdbError> {
        self.write_stream_id(g.last_id)?;
        self.write_len(g.entries_read.unwrap_or(STREAM_ENTRIES_READ_INVALID))?;
        let owned = |(id, p): &(&StreamId, &PendingEntry)| {
            g.consumers
                .get(&p.consumer)
                .is_some_and(|c| c.pending.contains(*id))
        };
        self.write_len(g.pending.iter().filter(owned).count() as u64)?;
        for (id, p) in g.pending.iter().filter(owned) {
            self.put(&id.to_be_bytes())?;
            self.put(&p.delivery_time.to_le_bytes())?;
            self.write_len(p.delivery_count)?;
        }
        self.write_len(g.consumers.len() as u64)?;
        for (name, c) in &g.consumers {
            self.write_string(name)?;
            self.put(&c.seen_time.to_le_bytes())?;
            let mine = |id: &&StreamId| g.pending.get(*id).is_some_and(|p| p.consumer == *name);
            self.write_len(c.pending.iter().filter(mine).count() as u64)?;
            for id in c.pending.iter().filter(mine) {
                self.put(&id.to_be_bytes())?;
            }
        }
        Ok(())
    }

    /// Writes an ID as two lengths (ms, seq).
    fn write_stream_id(&mut self, id: StreamId) -> Result<(), RdbError> {
        self.write_len(id.ms)?;
        self.write_len(id.seq)
    }
}

/// Encodes a node's live entries as Redis's stream listpack (see the module docs), the
/// master entry taking the first entry's field names and a deleted count of 0. None if
/// the node is empty or too large for a listpack.
fn encode_node(node: &NodeView<'_>) -> Option<Vec<u8>> {
    let (_, first) = node.entries.first()?;
    let master = node.master_id;
    let master_fields: Vec<&[u8]> = first.pairs().map(|(f, _)| f).collect();
    let mut lp = ListpackBuilder::new();
    lp.push_int(i64::try_from(node.entries.len()).ok()?);
    lp.push_int(0);
    lp.push_int(master_fields.len() as i64);
    for f in &master_fields {
        lp.push_bytes(f);
    }
    lp.push_int(0);
    for (id, fields) in node.entries {
        let n = fields.len() as i64;
        let same = fields.len() == master_fields.len()
            && fields
                .pairs()
                .zip(&master_fields)
                .all(|((f, _), m)| f == *m);
        lp.push_int(if same { STREAM_ITEM_FLAG_SAMEFIELDS } else { 0 });
        lp.push_int(id.ms.wrapping_sub(master.ms) as i64);
        lp.push_int(id.seq.wrapping_sub(master.seq) as i64);
        if same {
            for (_, v) in fields.pairs() {
                lp.push_bytes(v);
            }
            lp.push_int(n + STREAM_ITEM_FIXED_ELEMENTS);
        } else {
            lp.push_int(n);
            for (f, v) in fields.pairs() {
                lp.push_bytes(f);
                lp.push_bytes(v);
            }
            lp.push_int(2 * n + 1 + STREAM_ITEM_FIXED_ELEMENTS);
        }
    }
    lp.finish()
}
