//! RDB writer: produces RDB version 9, which Redis 5.0 through 7.x load (version 10
//! when asked to, for data holding streams; see [`WriteOptions::version`]):
//!
//! * strings: integer encodings (8/16/32-bit) for canonical decimal integers in `i32`
//!   range, LZF when compression is on, the string is longer than 20 bytes and LZF saves
//!   at least 4 bytes, otherwise verbatim;
//! * lists: a quicklist of ziplists (type 14, [`RdbWriter::begin_list_quicklist`]), or
//!   type 1 (a count and the elements);
//! * sets: type 2, or intset (type 11) from [`RdbWriter::write_intset_object`] and from
//!   [`RdbWriter::write_entry`] when all of at most 512 members are integers;
//! * hashes: one ziplist (type 13) or type 4; sorted sets: one ziplist (type 12) or
//!   type 5 (binary double scores). The ziplist forms are Redis 6's for its small
//!   collections: one blob, LZF-compressed when that pays, where the plain forms spend
//!   a length prefix per element (and 8 bytes per score);
//! * streams: type 19, Redis 7.0's layout (see the `stream` module).
//!
//! Collections are written from iterators of borrowed [`Elem`]s with their length given
//! up front (the format puts the count first); an iterator that yields a different
//! number of items is a `LengthMismatch` error (the output is then unusable).
//!
//! Output is buffered internally (64 KiB) and the CRC-64 is computed as bytes leave the
//! buffer; [`RdbWriter::finish`] writes EOF and the checksum and flushes.

use std::io::Write;

use super::crc64::Crc64;
use super::encodings::{self, canonical_int, ZiplistBuilder};
use super::error::{RdbError, RdbErrorKind};
use super::format::*;
use super::lzf;
use super::RdbValue;

/// One string as the keyspace holds it: bytes, or an integer kept in binary form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    /// A byte string.
    Bytes(&'a [u8]),
    /// An integer (written as its decimal string's RDB encoding).
    Int(i64),
}

impl<'a> From<&'a [u8]> for Elem<'a> {
    fn from(b: &'a [u8]) -> Self {
        Elem::Bytes(b)
    }
}

impl<'a> From<&'a Vec<u8>> for Elem<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        Elem::Bytes(b)
    }
}

impl From<i64> for Elem<'_> {
    fn from(n: i64) -> Self {
        Elem::Int(n)
    }
}

/// Writer settings.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// LZF-compress strings longer than 20 bytes when it pays (`rdbcompression`).
    pub compression: bool,
    /// Write the CRC-64 after EOF; otherwise 8 zero bytes (`rdbchecksum`).
    pub checksum: bool,
    /// The RDB version the header states: [`WRITE_VERSION`] (9), or
    /// [`STREAM_WRITE_VERSION`] (10) when the data holds a stream, whose type 19 exists
    /// from version 10 on (see [`version_for`]).
    pub version: u32,
}

impl Default for WriteOptions {
    /// Compression and checksum on, version 9.
    fn default() -> Self {
        WriteOptions {
            compression: true,
            checksum: true,
            version: WRITE_VERSION,
        }
    }
}

/// The RDB version to write for data that holds a stream (`has_stream`) or not: 10 or
/// 9. DUMP payloads and file headers both follow it.
pub fn version_for(has_stream: bool) -> u32 {
    if has_stream {
        STREAM_WRITE_VERSION
    } else {
        WRITE_VERSION
    }
}

/// Replication aux fields, written when the snapshot serves replication or restarts.
#[derive(Debug, Clone, Copy)]
pub struct ReplAux<'a> {
    /// The database the replication stream has selected (`repl-stream-db`).
    pub stream_db: i64,
    /// The 40-character replication id (`repl-id`).
    pub repl_id: &'a [u8],
    /// The replication offset (`repl-offset`).
    pub repl_offset: i64,
}

/// The aux fields Redis 7.0 writes at the start of every RDB.
#[derive(Debug, Clone, Copy)]
pub struct StandardAux<'a> {
    /// Unix time of the snapshot, seconds (`ctime`).
    pub ctime: i64,
    /// Memory in use when the snapshot started (`used-mem`).
    pub used_mem: u64,
    /// Replication fields, if any.
    pub repl: Option<ReplAux<'a>>,
    /// Whether this RDB is the base of an AOF (`aof-base`).
    pub aof_base: bool,
}

/// Size of the internal output buffer.
const BUF_CAP: usize = 64 * 1024;
/// Sets of at most this many integer members are written as intsets by `write_entry`.
const INTSET_MAX_ENTRIES: usize = 512;

/// Appends one element to a ziplist.
fn push_packed(zl: &mut ZiplistBuilder, e: Elem<'_>) {
    match e {
        Elem::Bytes(b) => zl.push_bytes(b),
        Elem::Int(n) => zl.push_int(n),
    }
}

/// Appends a (non-NaN) sorted-set score to a ziplist: an integer when it is integral
/// and exact in a double (|x| < 2^53), `-0` for negative zero, otherwise the shorter of
/// the plain and the exponent form of its shortest round-trip digits (`inf` and `-inf`
/// included), which Redis's strtod reads back to the same double.
fn push_score(zl: &mut ZiplistBuilder, score: f64) {
    const EXACT: f64 = (1u64 << 53) as f64;
    if score == 0.0 && score.is_sign_negative() {
        zl.push_bytes(b"-0");
    } else if score.fract() == 0.0 && score.abs() < EXACT {
        zl.push_int(score as i64);
    } else {
        let plain = format!("{score}");
        let exp = format!("{score:e}");
        zl.push_bytes(
            if exp.len() < plain.len() {
                &exp
            } else {
                &plain
            }
            .as_bytes(),
        );
    }
}

/// Writes an RDB stream. See the module docs.
pub struct RdbWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    flushed: u64,
    crc: Option<Crc64>,
    compression: bool,
    version: u32,
    compressor: lzf::Compressor,
}

impl<W: Write> RdbWriter<W> {
    /// A writer with compression and checksum on.
    pub fn new(out: W) -> RdbWriter<W> {
        Self::with_options(out, WriteOptions::default())
    }

    /// A writer with explicit options.
    pub fn with_options(out: W, options: WriteOptions) -> RdbWriter<W> {
        RdbWriter {
            inner: out,
            buf: Vec::with_capacity(BUF_CAP),
            flushed: 0,
            crc: options.checksum.then(Crc64::new),
            compression: options.compression,
            version: options.version,
            compressor: lzf::Compressor::new(),
        }
    }

    /// Bytes produced so far (buffered or not).
    pub fn position(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    /// Writes the header: `REDIS` and the version of the options (`REDIS0009` unless
    /// told otherwise).
    pub fn write_header(&mut self) -> Result<(), RdbError> {
        self.put(MAGIC)?;
        self.put(format!("{:04}", self.version).as_bytes())
    }

    /// Writes an aux field (both strings use the usual string encodings).
    pub fn write_aux(&mut self, key: &[u8], value: &[u8]) -> Result<(), RdbError> {
        self.put(&[OPCODE_AUX])?;
        self.write_string(key)?;
        self.write_string(value)
    }

    /// Writes an aux field whose value is an integer.
    pub fn write_aux_int(&mut self, key: &[u8], value: i64) -> Result<(), RdbError> {
        self.write_aux(key, value.to_string().as_bytes())
    }

    /// Writes Redis 7.0's standard aux fields, in its order: `redis-ver` (7.0.15),
    /// `redis-bits`, `ctime`, `used-mem`, the replication fields, `aof-base`.
    pub fn write_standard_aux(&mut self, aux: &StandardAux<'_>) -> Result<(), RdbError> {
        self.write_aux(b"redis-ver", WRITER_REDIS_VER.as_bytes())?;
        self.write_aux_int(b"redis-bits", usize::BITS as i64)?;
        self.write_aux_int(b"ctime", aux.ctime)?;
        self.write_aux(b"used-mem", aux.used_mem.to_string().as_bytes())?;
        if let Some(repl) = &aux.repl {
            self.write_aux_int(b"repl-stream-db", repl.stream_db)?;
            self.write_aux(b"repl-id", repl.repl_id)?;
            self.write_aux_int(b"repl-offset", repl.repl_offset)?;
        }
        self.write_aux_int(b"aof-base", aux.aof_base as i64)
    }

    /// Writes a function library (Redis 7.0's FUNCTION2 opcode and the library's code).
    pub fn write_function(&mut self, code: &[u8]) -> Result<(), RdbError> {
        self.put(&[OPCODE_FUNCTION2])?;
        self.write_string(code)
    }

    /// Writes the function libraries as FUNCTION DUMP does (no header, no EOF) and
    /// returns the flushed output.
    pub(super) fn write_bare_functions(mut self, codes: &[&[u8]]) -> Result<W, RdbError> {
        for code in codes {
            self.write_function(code)?;
        }
        self.flush_buf()?;
        Ok(self.inner)
    }

    /// Writes SELECTDB.
    pub fn write_select_db(&mut self, db: u32) -> Result<(), RdbError> {
        self.put(&[OPCODE_SELECTDB])?;
        self.write_len(db as u64)
    }

    /// Writes RESIZEDB (key count and expiring-key count of the current database).
    pub fn write_resize_db(&mut self, db_size: u64, expires_size: u64) -> Result<(), RdbError> {
        self.put(&[OPCODE_RESIZEDB])?;
        self.write_len(db_size)?;
        self.write_len(expires_size)
    }

    /// Writes the expiry time (ms since the epoch) of the next object written, for
    /// callers that write the per-key opcodes themselves (then pass no expiry to the
    /// object writer). Redis writes it before IDLE/FREQ.
    pub fn write_expire_ms(&mut self, ms: i64) -> Result<(), RdbError> {
        self.put(&[OPCODE_EXPIRETIME_MS])?;
        self.put(&ms.to_le_bytes())
    }

    /// Writes the LRU idle time (seconds) of the next object written.
    pub fn write_lru_idle(&mut self, idle_secs: u64) -> Result<(), RdbError> {
        self.put(&[OPCODE_IDLE])?;
        self.write_len(idle_secs)
    }

    /// Writes the LFU frequency of the next object written.
    pub fn write_lfu_freq(&mut self, freq: u8) -> Result<(), RdbError> {
        self.put(&[OPCODE_FREQ, freq])
    }

    /// Writes `s` in the RDB string encoding (integer, LZF or verbatim).
    pub fn write_string(&mut self, s: &[u8]) -> Result<(), RdbError> {
        if let Some(n) = small_int(s) {
            return self.write_int_string(n);
        }
        if self.compression && s.len() >= LZF_MIN_LEN {
            if let Some(packed) = self.compressor.compress(s) {
                self.put(&[(LEN_ENCVAL << 6) | ENC_LZF])?;
                self.write_len(packed.len() as u64)?;
                self.write_len(s.len() as u64)?;
                return self.put(&packed);
            }
        }
        self.write_len(s.len() as u64)?;
        self.put(s)
    }

    /// Writes a string key.
    pub fn write_string_object(
        &mut self,
        key: &[u8],
        value: Elem<'_>,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.write_string_value(Some(key), value, expire_ms)
    }

    /// Writes a string value under `key` (None: a DUMP body).
    pub fn write_string_value(
        &mut self,
        key: Option<&[u8]>,
        value: Elem<'_>,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.begin_object(TYPE_STRING, key, expire_ms)?;
        self.write_elem(value)
    }

    /// Writes a list key (None: a DUMP body) of `len` elements taken from `items`, head
    /// first, in the plain form (type 1).
    pub fn write_list_object<'e, I>(
        &mut self,
        key: Option<&[u8]>,
        len: usize,
        items: I,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError>
    where
        I: IntoIterator<Item = Elem<'e>>,
    {
        self.begin_object(TYPE_LIST, key, expire_ms)?;
        self.write_seq(len, items)
    }

    /// Writes a set key of `len` distinct members (type 2).
    pub fn write_set_object<'e, I>(
        &mut self,
        key: Option<&[u8]>,
        len: usize,
        members: I,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError>
    where
        I: IntoIterator<Item = Elem<'e>>,
    {
        self.begin_object(TYPE_SET, key, expire_ms)?;
        self.write_seq(len, members)
    }

    /// Writes a set of integers as an intset; `members` must be strictly ascending and
    /// non-empty.
    pub fn write_intset_object(
        &mut self,
        key: Option<&[u8]>,
        members: &[i64],
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.begin_object(TYPE_SET_INTSET, key, expire_ms)?;
        self.write_intset_body(members)
    }

    /// Writes a hash key of `len` field/value pairs with distinct fields.
    pub fn write_hash_object<'e, I>(
        &mut self,
        key: Option<&[u8]>,
        len: usize,
        pairs: I,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError>
    where
        I: IntoIterator<Item = (Elem<'e>, Elem<'e>)>,
    {
        self.begin_object(TYPE_HASH, key, expire_ms)?;
        self.write_hash_body(len, pairs)
    }

    /// Writes a sorted set key of `len` member/score pairs (type 5; NaN is refused).
    pub fn write_zset_object<'e, I>(
        &mut self,
        key: Option<&[u8]>,
        len: usize,
        pairs: I,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError>
    where
        I: IntoIterator<Item = (Elem<'e>, f64)>,
    {
        self.begin_object(TYPE_ZSET_2, key, expire_ms)?;
        self.write_zset_body(len, pairs)
    }

    /// Starts a list key in the quicklist form (type 14: a count of nodes, each a
    /// ziplist), which Redis 3.2 to 6.2 write and 5.0 through 7.x load. The caller then
    /// writes exactly `nodes` nodes with [`RdbWriter::write_ziplist_node`]. `key` is
    /// None for a DUMP body.
    pub fn begin_list_quicklist(
        &mut self,
        key: Option<&[u8]>,
        nodes: usize,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.begin_object(TYPE_LIST_QUICKLIST, key, expire_ms)?;
        self.write_len(nodes as u64)
    }

    /// Writes one quicklist node: the ziplist of `items`, as an RDB string (LZF when it
    /// pays, as Redis writes it).
    pub fn write_ziplist_node<'e>(
        &mut self,
        items: impl IntoIterator<Item = Elem<'e>>,
    ) -> Result<(), RdbError> {
        let mut zl = ZiplistBuilder::new();
        for item in items {
            push_packed(&mut zl, item);
        }
        self.write_ziplist(zl)
    }

    /// Writes a small hash as one ziplist of field, value, field, value... (type 13).
    /// `key` is None for a DUMP body.
    pub fn write_hash_ziplist<'e>(
        &mut self,
        key: Option<&[u8]>,
        pairs: impl IntoIterator<Item = (Elem<'e>, Elem<'e>)>,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.begin_object(TYPE_HASH_ZIPLIST, key, expire_ms)?;
        let mut zl = ZiplistBuilder::new();
        for (field, value) in pairs {
            push_packed(&mut zl, field);
            push_packed(&mut zl, value);
        }
        self.write_ziplist(zl)
    }

    /// Writes a small sorted set as one ziplist of member, score, member, score...
    /// (type 12), in the order given (Redis's is ascending score). A score is stored as
    /// an integer when it is one, else as the shortest text that reads back to it
    /// exactly. `key` is None for a DUMP body. NaN is refused.
    pub fn write_zset_ziplist<'e>(
        &mut self,
        key: Option<&[u8]>,
        pairs: impl IntoIterator<Item = (Elem<'e>, f64)>,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.begin_object(TYPE_ZSET_ZIPLIST, key, expire_ms)?;
        let mut zl = ZiplistBuilder::new();
        for (member, score) in pairs {
            if score.is_nan() {
                return Err(self.error(RdbErrorKind::BadEncoding("sorted set score is NaN")));
            }
            push_packed(&mut zl, member);
            push_score(&mut zl, score);
        }
        self.write_ziplist(zl)
    }

    /// Writes a finished ziplist as an RDB string.
    fn write_ziplist(&mut self, zl: ZiplistBuilder) -> Result<(), RdbError> {
        match zl.finish() {
            Some(bytes) => self.write_string(&bytes),
            None => Err(self.error(RdbErrorKind::BadEncoding(
                "a ziplist cannot hold more than 4 GiB",
            ))),
        }
    }

    /// Writes a key holding an owned [`RdbValue`] (intset for small all-integer sets).
    pub fn write_entry(
        &mut self,
        key: &[u8],
        value: &RdbValue,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        self.write_value(Some(key), value, expire_ms)
    }

    /// Writes EOF and the checksum (or 8 zero bytes), flushes, and returns the output.
    pub fn finish(mut self) -> Result<W, RdbError> {
        self.put(&[OPCODE_EOF])?;
        self.flush_buf()?;
        let checksum = self.crc.as_ref().map_or(0, Crc64::value);
        let at = self.position();
        self.inner
            .write_all(&checksum.to_le_bytes())
            .and_then(|()| self.inner.flush())
            .map_err(|e| RdbError::new(at, RdbErrorKind::Io(e)))?;
        Ok(self.inner)
    }

    /// Flushes and returns the output, without EOF or checksum (after a DUMP body).
    pub(super) fn finish_bare(mut self) -> Result<W, RdbError> {
        self.flush_buf()?;
        Ok(self.inner)
    }

    /// Writes an owned value, with its key and expiry when `key` is given (None: a DUMP
    /// body, type byte and value only).
    pub fn write_value(
        &mut self,
        key: Option<&[u8]>,
        value: &RdbValue,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        match value {
            RdbValue::String(s) => {
                self.begin_object(TYPE_STRING, key, expire_ms)?;
                self.write_elem(Elem::Bytes(s))
            }
            RdbValue::List(items) => {
                self.begin_object(TYPE_LIST, key, expire_ms)?;
                self.write_seq(items.len(), items.iter().map(Elem::from))
            }
            RdbValue::Set(members) => match intset_candidate(members) {
                Some(ints) => {
                    self.begin_object(TYPE_SET_INTSET, key, expire_ms)?;
                    self.write_intset_body(&ints)
                }
                None => {
                    self.begin_object(TYPE_SET, key, expire_ms)?;
                    self.write_seq(members.len(), members.iter().map(Elem::from))
                }
            },
            RdbValue::Hash(pairs) => {
                self.begin_object(TYPE_HASH, key, expire_ms)?;
                self.write_hash_body(
                    pairs.len(),
                    pairs.iter().map(|(f, v)| (Elem::from(f), Elem::from(v))),
                )
            }
            RdbValue::ZSet(pairs) => {
                self.begin_object(TYPE_ZSET_2, key, expire_ms)?;
                self.write_zset_body(pairs.len(), pairs.iter().map(|(m, s)| (Elem::from(m), *s)))
            }
            RdbValue::Stream(s) => {
                self.begin_object(TYPE_STREAM_LISTPACKS_2, key, expire_ms)?;
                self.write_stream_body(s)
            }
        }
    }

    /// Writes the expiry opcode (if any), the type byte and the key (if any).
    fn begin_object(
        &mut self,
        value_type: u8,
        key: Option<&[u8]>,
        expire_ms: Option<i64>,
    ) -> Result<(), RdbError> {
        if let Some(ms) = expire_ms {
            self.write_expire_ms(ms)?;
        }
        self.put(&[value_type])?;
        match key {
            Some(k) => self.write_string(k),
            None => Ok(()),
        }
    }

    /// Writes one element as an RDB string.
    fn write_elem(&mut self, e: Elem<'_>) -> Result<(), RdbError> {
        match e {
            Elem::Bytes(b) => self.write_string(b),
            Elem::Int(n) => self.write_int_string(n),
        }
    }

    /// Writes an integer string: integer encoding if it fits 32 bits, else decimal.
    fn write_int_string(&mut self, n: i64) -> Result<(), RdbError> {
        let enc = |e: u8| (LEN_ENCVAL << 6) | e;
        if let Ok(v) = i8::try_from(n) {
            self.put(&[enc(ENC_INT8), v as u8])
        } else if let Ok(v) = i16::try_from(n) {
            self.put(&[enc(ENC_INT16)])?;
            self.put(&v.to_le_bytes())
        } else if let Ok(v) = i32::try_from(n) {
            self.put(&[enc(ENC_INT32)])?;
            self.put(&v.to_le_bytes())
        } else {
            let text = n.to_string();
            self.write_len(text.len() as u64)?;
            self.put(text.as_bytes())
        }
    }

    /// Writes a length in the shortest of the 6/14/32/64-bit forms.
    pub(super) fn write_len(&mut self, n: u64) -> Result<(), RdbError> {
        if n < 1 << 6 {
            self.put(&[(LEN_6BIT << 6) | n as u8])
        } else if n < 1 << 14 {
            self.put(&[(LEN_14BIT << 6) | (n >> 8) as u8, n as u8])
        } else if let Ok(n32) = u32::try_from(n) {
            self.put(&[LEN_32BIT])?;
            self.put(&n32.to_be_bytes())
        } else {
            self.put(&[LEN_64BIT])?;
            self.put(&n.to_be_bytes())
        }
    }

    /// Writes `len` and then exactly `len` elements from `items`.
    fn write_seq<'e>(
        &mut self,
        len: usize,
        items: impl IntoIterator<Item = Elem<'e>>,
    ) -> Result<(), RdbError> {
        self.write_len(len as u64)?;
        let mut written = 0usize;
        for item in items {
            self.check_not_over(len, written)?;
            self.write_elem(item)?;
            written += 1;
        }
        self.check_exact(len, written)
    }

    /// Writes `len` and then exactly `len` field/value pairs.
    fn write_hash_body<'e>(
        &mut self,
        len: usize,
        pairs: impl IntoIterator<Item = (Elem<'e>, Elem<'e>)>,
    ) -> Result<(), RdbError> {
        self.write_len(len as u64)?;
        let mut written = 0usize;
        for (field, value) in pairs {
            self.check_not_over(len, written)?;
            self.write_elem(field)?;
            self.write_elem(value)?;
            written += 1;
        }
        self.check_exact(len, written)
    }

    /// Writes `len` and then exactly `len` member/score pairs (scores as LE doubles).
    fn write_zset_body<'e>(
        &mut self,
        len: usize,
        pairs: impl IntoIterator<Item = (Elem<'e>, f64)>,
    ) -> Result<(), RdbError> {
        self.write_len(len as u64)?;
        let mut written = 0usize;
        for (member, score) in pairs {
            self.check_not_over(len, written)?;
            if score.is_nan() {
                return Err(self.error(RdbErrorKind::BadEncoding("sorted set score is NaN")));
            }
            self.write_elem(member)?;
            self.put(&score.to_le_bytes())?;
            written += 1;
        }
        self.check_exact(len, written)
    }

    /// Writes an intset blob of strictly ascending, non-empty `members`.
    fn write_intset_body(&mut self, members: &[i64]) -> Result<(), RdbError> {
        if members.is_empty() || members.windows(2).any(|w| w[0] >= w[1]) {
            let kind = RdbErrorKind::BadEncoding(
                "intset members must be non-empty and strictly ascending",
            );
            return Err(self.error(kind));
        }
        let blob = encodings::encode_intset(members);
        self.write_len(blob.len() as u64)?;
        self.put(&blob)
    }

    /// Fails if an iterator is about to produce more than `len` items.
    fn check_not_over(&self, len: usize, written: usize) -> Result<(), RdbError> {
        if written >= len {
            return Err(self.error(RdbErrorKind::LengthMismatch {
                declared: len as u64,
                actual: written as u64 + 1,
            }));
        }
        Ok(())
    }

    /// Fails if an iterator produced fewer than `len` items.
    fn check_exact(&self, len: usize, written: usize) -> Result<(), RdbError> {
        if written != len {
            return Err(self.error(RdbErrorKind::LengthMismatch {
                declared: len as u64,
                actual: written as u64,
            }));
        }
        Ok(())
    }

    /// An error of `kind` at the current output position.
    pub(super) fn error(&self, kind: RdbErrorKind) -> RdbError {
        RdbError::new(self.position(), kind)
    }

    /// Appends bytes to the output (large slices bypass the buffer).
    pub(super) fn put(&mut self, bytes: &[u8]) -> Result<(), RdbError> {
        if self.buf.len() + bytes.len() > BUF_CAP {
            self.flush_buf()?;
        }
        if bytes.len() >= BUF_CAP {
            return self.emit(bytes);
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Sends the buffered bytes to the output.
    fn flush_buf(&mut self) -> Result<(), RdbError> {
        let buf = std::mem::take(&mut self.buf);
        let result = self.emit(&buf);
        self.buf = buf;
        self.buf.clear();
        result
    }

    /// Feeds `bytes` to the checksum and writes them out.
    fn emit(&mut self, bytes: &[u8]) -> Result<(), RdbError> {
        if let Some(crc) = &mut self.crc {
            crc.update(bytes);
        }
        self.inner
            .write_all(bytes)
            .map_err(|e| RdbError::new(self.flushed, RdbErrorKind::Io(e)))?;
        self.flushed += bytes.len() as u64;
        Ok(())
    }
}

/// The value of `s` if it is the canonical decimal form of an integer in `i32` range
/// (the strings Redis stores with an integer encoding).
fn small_int(s: &[u8]) -> Option<i64> {
    if s.len() > 11 {
        return None;
    }
    canonical_int(s).filter(|&n| i32::try_from(n).is_ok())
}

/// Sorted members if the set is small and every member is a canonical integer.
fn intset_candidate(members: &[Vec<u8>]) -> Option<Vec<i64>> {
    if members.is_empty() || members.len() > INTSET_MAX_ENTRIES {
        return None;
    }
    let mut ints = members
        .iter()
        .map(|m| canonical_int(m))
        .collect::<Option<Vec<i64>>>()?;
    ints.sort_unstable();
    ints.windows(2).all(|w| w[0] < w[1]).then_some(ints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_integers() {
        for ok in [
            "0",
            "-1",
            "127",
            "-9223372036854775808",
            "9223372036854775807",
        ] {
            assert_eq!(
                canonical_int(ok.as_bytes()),
                Some(ok.parse().unwrap()),
                "{ok}"
            );
        }
        for bad in [
            "",
            "-",
            "-0",
            "01",
            "+1",
            " 1",
            "1 ",
            "1a",
            "9223372036854775808",
        ] {
            assert_eq!(canonical_int(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(small_int(b"2147483647"), Some(i32::MAX as i64));
        assert_eq!(small_int(b"2147483648"), None);
    }

    #[test]
    fn string_encodings_match_redis() {
        let encode = |s: &[u8]| {
            let mut w = RdbWriter::new(Vec::new());
            w.write_string(s).unwrap();
            w.flush_buf().unwrap();
            w.inner
        };
        assert_eq!(encode(b"-1"), vec![0xC0, 0xFF]);
        assert_eq!(encode(b"128"), vec![0xC1, 0x80, 0x00]);
        assert_eq!(encode(b"-32769"), vec![0xC2, 0xFF, 0x7F, 0xFF, 0xFF]);
        assert_eq!(encode(b"007"), b"\x03007".to_vec());
        assert_eq!(encode(b""), vec![0x00]);
        let long = vec![b'a'; 58];
        // 0xC3 = LZF, compressed length, original length 58, then the LZF data.
        let e = encode(&long);
        assert_eq!(e[0], 0xC3);
        assert_eq!(e[1] as usize, e.len() - 3);
        assert_eq!(e[2], 58);
        assert_eq!(lzf::decompress(&e[3..], 58).unwrap(), long);
        let noise: Vec<u8> = (0..40u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 9) as u8)
            .collect();
        assert_eq!(
            encode(&noise)[0],
            40,
            "incompressible strings stay verbatim"
        );
        let exact64 = vec![b'z'; 64];
        let mut w = RdbWriter::with_options(
            Vec::new(),
            WriteOptions {
                compression: false,
                ..WriteOptions::default()
            },
        );
        w.write_string(&exact64).unwrap();
        w.flush_buf().unwrap();
        assert_eq!(&w.inner[..2], &[0x40, 64]);
    }

    #[test]
    fn length_mismatch_is_reported() {
        let mut w = RdbWriter::new(Vec::new());
        let items = [Elem::Int(1), Elem::Int(2)];
        let err = w.write_list_object(Some(b"k"), 3, items, None).unwrap_err();
        assert!(matches!(
            err.kind,
            RdbErrorKind::LengthMismatch {
                declared: 3,
                actual: 2
            }
        ));
        let err = w.write_list_object(Some(b"k"), 1, items, None).unwrap_err();
        assert!(matches!(
            err.kind,
            RdbErrorKind::LengthMismatch {
                declared: 1,
                actual: 2
            }
        ));
        let err = w
            .write_intset_object(Some(b"k"), &[2, 1], None)
            .unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::BadEncoding(_)));
        let err = w
            .write_zset_object(Some(b"k"), 1, [(Elem::Int(1), f64::NAN)], None)
            .unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::BadEncoding(_)));
    }

    #[test]
    fn intset_only_for_small_integer_sets() {
        let set = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            intset_candidate(&set(&["3", "-1", "2"])),
            Some(vec![-1, 2, 3])
        );
        assert_eq!(intset_candidate(&set(&["3", "x"])), None);
        assert_eq!(intset_candidate(&set(&["01"])), None);
        assert_eq!(intset_candidate(&set(&["1", "1"])), None);
        let big: Vec<Vec<u8>> = (0..513).map(|i: i32| i.to_string().into_bytes()).collect();
        assert_eq!(intset_candidate(&big), None);
    }
}
