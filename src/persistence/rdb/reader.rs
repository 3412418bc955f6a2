//! Streaming RDB reader: turns a byte stream into [`RdbEvent`]s, one item at a time,
//! never holding more than the current value in memory.
//!
//! The reader consumes exactly the bytes of the RDB (up to and including the checksum),
//! so a `BufReader` handed in can go on to read what follows (the AOF tail after an RDB
//! preamble) via [`RdbReader::into_inner`]. Wrap unbuffered sources (files, sockets) in a
//! `BufReader`: the reader issues many small reads.
//!
//! Lengths read from the stream are never trusted for allocation: strings grow as bytes
//! actually arrive, collection capacities are capped, LZF output is bounded by the
//! compressed size, and when the total input length is known ([`ReadOptions::input_len`])
//! any length larger than what remains is refused at once.

use std::io::{self, Read};

use super::crc64::Crc64;
use super::encodings::{self, EncodingError, Packed};
use super::error::{RdbError, RdbErrorKind};
use super::format::*;
use super::lzf;
use super::{RdbEntry, RdbValue};

/// One item of an RDB stream.
#[derive(Debug, Clone, PartialEq)]
pub enum RdbEvent {
    /// An aux field (`redis-ver`, `ctime`, `repl-id`, `lua`, ...).
    Aux {
        /// Field name.
        key: Vec<u8>,
        /// Field value (integers in decimal).
        value: Vec<u8>,
    },
    /// The following entries belong to this database.
    SelectDb(u32),
    /// Sizing hint for the current database.
    ResizeDb {
        /// Number of keys.
        db_size: u64,
        /// Number of keys with an expiry.
        expires_size: u64,
    },
    /// Cluster-mode sizing hint for one slot (Redis 7.4+).
    SlotInfo {
        /// Slot number.
        slot: u64,
        /// Keys in the slot.
        slot_size: u64,
        /// Keys with an expiry in the slot.
        expires_slot_size: u64,
    },
    /// A key and its value.
    Entry(RdbEntry),
    /// A function library: the code given to FUNCTION LOAD.
    Function(Vec<u8>),
    /// Module aux data was skipped; a warning naming the module was logged.
    ModuleAuxSkipped,
    /// End of the RDB; the checksum (if any, and if enabled) has been verified.
    Eof,
}

/// Reader settings.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Verify the trailing CRC-64 (files of version >= 5 whose stored checksum is not 0).
    pub verify_checksum: bool,
    /// Total bytes of the RDB if known (file size, DUMP payload): lets every length be
    /// checked against what remains.
    pub input_len: Option<u64>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            verify_checksum: true,
            input_len: None,
        }
    }
}

/// Streaming reader of an RDB file. See the module docs.
pub struct RdbReader<R> {
    input: Input<R>,
    version: u32,
    db: u32,
    pending: KeyMeta,
    state: State,
}

/// Per-key attributes announced by opcodes before the key.
#[derive(Default)]
struct KeyMeta {
    expire_ms: Option<i64>,
    lru_idle: Option<u64>,
    lfu_freq: Option<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    Done,
    Failed,
}

impl<R: Read> RdbReader<R> {
    /// Reads and checks the header (`REDIS` + version 1..=12), verifying the checksum
    /// at the end.
    pub fn new(input: R) -> Result<RdbReader<R>, RdbError> {
        Self::with_options(input, ReadOptions::default())
    }

    /// Like [`RdbReader::new`] with explicit options.
    pub fn with_options(input: R, options: ReadOptions) -> Result<RdbReader<R>, RdbError> {
        let mut input = Input::new(input, options.verify_checksum, options.input_len);
        let header: [u8; HEADER_LEN] = input.array()?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(RdbError::new(0, RdbErrorKind::BadMagic));
        }
        let version = parse_version(&header[MAGIC.len()..])
            .ok_or_else(|| RdbError::new(MAGIC.len() as u64, RdbErrorKind::BadMagic))?;
        if !(MIN_READ_VERSION..=MAX_READ_VERSION).contains(&version) {
            let kind = RdbErrorKind::UnsupportedVersion(version);
            return Err(RdbError::new(MAGIC.len() as u64, kind));
        }
        if version < CHECKSUM_MIN_VERSION {
            input.crc = None;
        }
        Ok(RdbReader {
            input,
            version,
            db: 0,
            pending: KeyMeta::default(),
            state: State::Reading,
        })
    }

    /// The RDB version from the header.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The database the next entry belongs to.
    pub fn current_db(&self) -> u32 {
        self.db
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.input.pos
    }

    /// Gives back the underlying reader, positioned after the last byte consumed.
    pub fn into_inner(self) -> R {
        self.input.inner
    }

    /// Reads the next event. Returns `Ok(None)` after [`RdbEvent::Eof`]. After an error
    /// that is not [`RdbError::is_recoverable`], every later call fails with
    /// `ReaderFailed`; after a recoverable one, reading continues with the next item.
    pub fn next_event(&mut self) -> Result<Option<RdbEvent>, RdbError> {
        match self.state {
            State::Done => return Ok(None),
            State::Failed => return Err(self.input.error(RdbErrorKind::ReaderFailed)),
            State::Reading => {}
        }
        let result = self.read_event();
        match &result {
            Err(e) if !e.is_recoverable() => self.state = State::Failed,
            Ok(RdbEvent::Eof) => self.state = State::Done,
            _ => {}
        }
        result.map(Some)
    }

    /// Reads opcodes until one produces an event.
    fn read_event(&mut self) -> Result<RdbEvent, RdbError> {
        loop {
            let at = self.input.pos;
            let [op] = self.input.array()?;
            match op {
                OPCODE_EXPIRETIME_MS => self.pending.expire_ms = Some(self.input.ms_time()?),
                OPCODE_EXPIRETIME => {
                    let secs = i32::from_le_bytes(self.input.array()?);
                    self.pending.expire_ms = Some(secs as i64 * 1000);
                }
                OPCODE_IDLE => self.pending.lru_idle = Some(self.input.length("idle time")?),
                OPCODE_FREQ => self.pending.lfu_freq = Some(self.input.array::<1>()?[0]),
                OPCODE_EOF => return self.read_checksum(),
                OPCODE_SELECTDB => return self.read_select_db(),
                OPCODE_RESIZEDB => {
                    let db_size = self.input.length("resizedb db size")?;
                    let expires_size = self.input.length("resizedb expires size")?;
                    return Ok(RdbEvent::ResizeDb {
                        db_size,
                        expires_size,
                    });
                }
                OPCODE_SLOT_INFO => {
                    let slot = self.input.length("slot id")?;
                    let slot_size = self.input.length("slot size")?;
                    let expires_slot_size = self.input.length("slot expires size")?;
                    return Ok(RdbEvent::SlotInfo {
                        slot,
                        slot_size,
                        expires_slot_size,
                    });
                }
                OPCODE_AUX => {
                    let key = self.input.string()?;
                    let value = self.input.string()?;
                    return Ok(RdbEvent::Aux { key, value });
                }
                OPCODE_MODULE_AUX => return self.skip_module_aux(),
                OPCODE_FUNCTION2 | OPCODE_FUNCTION_PRE_GA => return self.read_function(op),
                0xF0..=0xF3 => return Err(RdbError::new(at, RdbErrorKind::UnknownOpcode(op))),
                value_type if is_value_type(value_type) => return self.read_entry(value_type),
                other => return Err(RdbError::new(at, RdbErrorKind::UnknownType(other))),
            }
        }
    }

    /// Reads a SELECTDB payload.
    fn read_select_db(&mut self) -> Result<RdbEvent, RdbError> {
        let at = self.input.pos;
        let db = self.input.length("database number")?;
        let db = u32::try_from(db).map_err(|_| {
            let kind = RdbErrorKind::BadLength {
                what: "database number",
                len: db,
            };
            RdbError::new(at, kind)
        })?;
        self.db = db;
        Ok(RdbEvent::SelectDb(db))
    }

    /// Reads a key and value of type `value_type`, with the pending per-key attributes.
    fn read_entry(&mut self, value_type: u8) -> Result<RdbEvent, RdbError> {
        let meta = std::mem::take(&mut self.pending);
        let key = self.input.string()?;
        let value = self
            .input
            .value(value_type, &key)
            .map_err(|e| e.while_reading(&key, value_type))?;
        Ok(RdbEvent::Entry(RdbEntry {
            db: self.db,
            key,
            value,
            expire_ms: meta.expire_ms,
            lru_idle: meta.lru_idle,
            lfu_freq: meta.lfu_freq,
        }))
    }

    /// Reads the 8-byte checksum after the EOF opcode (version >= 5) and verifies it.
    fn read_checksum(&mut self) -> Result<RdbEvent, RdbError> {
        if self.version < CHECKSUM_MIN_VERSION {
            return Ok(RdbEvent::Eof);
        }
        let computed = self.input.crc.as_ref().map(Crc64::value);
        let at = self.input.pos;
        let stored = u64::from_le_bytes(self.input.array()?);
        match computed {
            Some(computed) if stored != 0 && stored != computed => {
                let kind = RdbErrorKind::BadChecksum {
                    expected: stored,
                    computed,
                };
                Err(RdbError::new(at, kind))
            }
            _ => Ok(RdbEvent::Eof),
        }
    }

    /// Skips a MODULE_AUX item (module id, when-opcode, when, module payload).
    fn skip_module_aux(&mut self) -> Result<RdbEvent, RdbError> {
        let module_id = self.input.length("module id")?;
        let at = self.input.pos;
        if self.input.length("module aux when-opcode")? != MODULE_OPCODE_UINT {
            return Err(RdbError::new(
                at,
                RdbErrorKind::BadEncoding("module aux when-opcode"),
            ));
        }
        self.input.length("module aux when")?;
        self.input.skip_module_payload()?;
        log::warn!(
            "RDB: skipped aux data of module '{}' (modules are not supported)",
            module_name(module_id)
        );
        Ok(RdbEvent::ModuleAuxSkipped)
    }

    /// Reads a function library item (either layout): its code.
    fn read_function(&mut self, op: u8) -> Result<RdbEvent, RdbError> {
        if op == OPCODE_FUNCTION_PRE_GA {
            self.input.string()?; // library name
            self.input.string()?; // engine name
            if self.input.length("function description flag")? != 0 {
                self.input.string()?;
            }
        }
        Ok(RdbEvent::Function(self.input.string()?))
    }
}

/// Parses the four ASCII digits of the header version.
fn parse_version(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + (d - b'0') as u32)
    })
}

/// Field/value pairs of a hash.
type FieldPairs = Vec<(Vec<u8>, Vec<u8>)>;

/// A length, or the special string encoding announced instead of one.
enum LenOrEnc {
    Len(u64),
    Enc(u8),
}

/// A string read as an encoded blob, with where its bytes sit in the stream.
pub(super) struct Blob {
    pub(super) data: Vec<u8>,
    /// What the blob encodes, in Redis's words ("Zset ziplist", "Stream listpack"):
    /// the start of its integrity error, which logs and tests grep for.
    structure: &'static str,
    /// Offset of the first data byte if stored verbatim, else of the string.
    at: u64,
    verbatim: bool,
}

impl Blob {
    /// Converts a problem inside the blob into an error at the right stream offset.
    pub(super) fn error(&self, e: EncodingError) -> RdbError {
        let offset = if self.verbatim {
            self.at + e.offset as u64
        } else {
            self.at
        };
        let kind = RdbErrorKind::IntegrityCheck {
            structure: self.structure,
            flaw: e.what,
        };
        RdbError::new(offset, kind)
    }
}

/// Largest capacity reserved up front for a collection, whatever its declared length.
const MAX_PREALLOC: u64 = 4096;
/// Chunk by which string buffers grow as bytes arrive.
const READ_CHUNK: usize = 64 * 1024;

/// A capacity hint for `n` declared items that cannot be abused.
fn capacity(n: u64) -> usize {
    n.min(MAX_PREALLOC) as usize
}

/// The byte source: counts bytes, feeds the checksum, knows the total length if given.
pub(super) struct Input<R> {
    inner: R,
    pos: u64,
    crc: Option<Crc64>,
    len: Option<u64>,
}

impl<R: Read> Input<R> {
    /// Wraps `inner`; `checksum` turns on the running CRC.
    pub(super) fn new(inner: R, checksum: bool, len: Option<u64>) -> Input<R> {
        Input {
            inner,
            pos: 0,
            crc: checksum.then(Crc64::new),
            len,
        }
    }

    /// Bytes consumed so far.
    pub(super) fn pos(&self) -> u64 {
        self.pos
    }

    /// An error of `kind` at the current position.
    fn error(&self, kind: RdbErrorKind) -> RdbError {
        RdbError::new(self.pos, kind)
    }

    /// Bytes left, when the total length is known.
    fn remaining(&self) -> Option<u64> {
        self.len.map(|len| len.saturating_sub(self.pos))
    }

    /// Fills `buf` entirely from the stream.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RdbError> {
        match self.inner.read_exact(buf) {
            Ok(()) => {
                if let Some(crc) = &mut self.crc {
                    crc.update(buf);
                }
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(self.error(RdbErrorKind::UnexpectedEof))
            }
            Err(e) => Err(self.error(RdbErrorKind::Io(e))),
        }
    }

    /// Reads exactly `N` bytes.
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let mut buf = [0u8; N];
        self.fill(&mut buf)?;
        Ok(buf)
    }

    /// Reads `n` bytes, growing the buffer only as data arrives.
    fn bytes(&mut self, n: u64, what: &'static str) -> Result<Vec<u8>, RdbError> {
        if self.remaining().is_some_and(|left| n > left) || usize::try_from(n).is_err() {
            return Err(self.error(RdbErrorKind::BadLength { what, len: n }));
        }
        let n = n as usize;
        let mut out = Vec::with_capacity(n.min(READ_CHUNK));
        while out.len() < n {
            let start = out.len();
            let step = (n - start).min(READ_CHUNK.max(start));
            out.resize(start + step, 0);
            self.fill(&mut out[start..])?;
        }
        Ok(out)
    }

    /// Reads a length prefix, which may announce a special string encoding instead.
    fn len_or_enc(&mut self) -> Result<LenOrEnc, RdbError> {
        let at = self.pos;
        let [b] = self.array()?;
        match b >> 6 {
            LEN_6BIT => Ok(LenOrEnc::Len((b & 0x3F) as u64)),
            LEN_14BIT => {
                let [low] = self.array()?;
                Ok(LenOrEnc::Len((((b & 0x3F) as u64) << 8) | low as u64))
            }
            LEN_ENCVAL => Ok(LenOrEnc::Enc(b & 0x3F)),
            _ => match b {
                LEN_32BIT => Ok(LenOrEnc::Len(u32::from_be_bytes(self.array()?) as u64)),
                LEN_64BIT => Ok(LenOrEnc::Len(u64::from_be_bytes(self.array()?))),
                _ => Err(RdbError::new(
                    at,
                    RdbErrorKind::BadEncoding("unknown length encoding"),
                )),
            },
        }
    }

    /// Reads a plain length (a string encoding here is an error).
    pub(super) fn length(&mut self, what: &'static str) -> Result<u64, RdbError> {
        let at = self.pos;
        match self.len_or_enc()? {
            LenOrEnc::Len(n) => Ok(n),
            LenOrEnc::Enc(e) => {
                let kind = RdbErrorKind::BadLength {
                    what,
                    len: e as u64,
                };
                Err(RdbError::new(at, kind))
            }
        }
    }

    /// Reads an element count, refusing counts the remaining bytes cannot hold when each
    /// element takes at least `min_bytes`.
    pub(super) fn count(&mut self, what: &'static str, min_bytes: u64) -> Result<u64, RdbError> {
        let at = self.pos;
        let n = self.length(what)?;
        if self
            .remaining()
            .is_some_and(|left| n.saturating_mul(min_bytes) > left)
        {
            return Err(RdbError::new(at, RdbErrorKind::BadLength { what, len: n }));
        }
        Ok(n)
    }

    /// Reads a string in any encoding; also returns the offset of its bytes if verbatim.
    fn string_with_pos(&mut self) -> Result<(Vec<u8>, Option<u64>), RdbError> {
        let at = self.pos;
        let decoded = match self.len_or_enc()? {
            LenOrEnc::Len(n) => {
                let data_at = self.pos;
                return Ok((self.bytes(n, "string")?, Some(data_at)));
            }
            LenOrEnc::Enc(ENC_INT8) => i8::from_le_bytes(self.array()?) as i64,
            LenOrEnc::Enc(ENC_INT16) => i16::from_le_bytes(self.array()?) as i64,
            LenOrEnc::Enc(ENC_INT32) => i32::from_le_bytes(self.array()?) as i64,
            LenOrEnc::Enc(ENC_LZF) => return Ok((self.lzf_string(at)?, None)),
            LenOrEnc::Enc(_) => {
                return Err(RdbError::new(
                    at,
                    RdbErrorKind::BadEncoding("unknown string encoding"),
                ))
            }
        };
        Ok((decoded.to_string().into_bytes(), None))
    }

    /// Reads a string in any encoding.
    pub(super) fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        Ok(self.string_with_pos()?.0)
    }

    /// Reads a string holding an encoded `structure` (ziplist, listpack, ...; named as
    /// Redis names it in its errors).
    pub(super) fn blob(&mut self, structure: &'static str) -> Result<Blob, RdbError> {
        let at = self.pos;
        let (data, data_at) = self.string_with_pos()?;
        Ok(Blob {
            data,
            structure,
            at: data_at.unwrap_or(at),
            verbatim: data_at.is_some(),
        })
    }

    /// Reads the body of an LZF string whose encoding byte was at `at`.
    fn lzf_string(&mut self, at: u64) -> Result<Vec<u8>, RdbError> {
        let compressed_len = self.length("LZF compressed")?;
        let plain_len = self.length("LZF uncompressed")?;
        let data = self.bytes(compressed_len, "LZF compressed")?;
        lzf::decompress(&data, plain_len)
            .map_err(|e| RdbError::new(at, RdbErrorKind::BadEncoding(e.what())))
    }

    /// Reads an 8-byte little-endian millisecond time.
    pub(super) fn ms_time(&mut self) -> Result<i64, RdbError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// Reads a score stored as a little-endian IEEE double.
    fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// Reads a score stored as length-prefixed ASCII (with inf/nan markers).
    fn ascii_double(&mut self) -> Result<f64, RdbError> {
        let at = self.pos;
        let [len] = self.array()?;
        match len {
            DOUBLE_NAN => Ok(f64::NAN),
            DOUBLE_POS_INF => Ok(f64::INFINITY),
            DOUBLE_NEG_INF => Ok(f64::NEG_INFINITY),
            _ => {
                let text = self.bytes(len as u64, "score")?;
                std::str::from_utf8(&text)
                    .ok()
                    .and_then(|s| s.trim_start().parse::<f64>().ok())
                    .ok_or_else(|| {
                        RdbError::new(at, RdbErrorKind::BadEncoding("score is not a number"))
                    })
            }
        }
    }

    /// Reads a value of RDB type `value_type` (the type byte is already consumed);
    /// `key` names the key in empty-value errors.
    pub(super) fn value(&mut self, value_type: u8, key: &[u8]) -> Result<RdbValue, RdbError> {
        let start = self.pos;
        let value = match value_type {
            TYPE_STRING => RdbValue::String(self.string()?),
            TYPE_LIST => RdbValue::List(self.string_seq("list")?),
            TYPE_SET => RdbValue::Set(self.string_seq("set")?),
            TYPE_ZSET => RdbValue::ZSet(self.score_pairs(false)?),
            TYPE_ZSET_2 => RdbValue::ZSet(self.score_pairs(true)?),
            TYPE_HASH => RdbValue::Hash(self.string_pairs()?),
            TYPE_HASH_METADATA | TYPE_HASH_METADATA_PRE_GA => {
                self.hash_with_field_ttls(value_type, start)?
            }
            TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => {
                RdbValue::List(self.quicklist(value_type)?)
            }
            TYPE_HASH_ZIPMAP
            | TYPE_LIST_ZIPLIST
            | TYPE_SET_INTSET
            | TYPE_SET_LISTPACK
            | TYPE_ZSET_ZIPLIST
            | TYPE_ZSET_LISTPACK
            | TYPE_HASH_ZIPLIST
            | TYPE_HASH_LISTPACK
            | TYPE_HASH_LISTPACK_EX
            | TYPE_HASH_LISTPACK_EX_PRE_GA => self.packed_value(value_type, start)?,
            TYPE_MODULE_2 => return Err(self.skip_module_value(start)),
            TYPE_MODULE_PRE_GA => {
                let kind = RdbErrorKind::Unsupported("module value in the 4.0 pre-release format");
                return Err(RdbError::new(start, kind));
            }
            TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
                RdbValue::Stream(std::sync::Arc::new(self.stream(value_type)?))
            }
            other => return Err(RdbError::new(start, RdbErrorKind::UnknownType(other))),
        };
        check_value(value, value_type, key, start)
    }

    /// Reads a count and that many strings.
    fn string_seq(&mut self, what: &'static str) -> Result<Vec<Vec<u8>>, RdbError> {
        let n = self.count(what, 1)?;
        let mut out = Vec::with_capacity(capacity(n));
        for _ in 0..n {
            out.push(self.string()?);
        }
        Ok(out)
    }

    /// Reads a count and that many field/value string pairs.
    fn string_pairs(&mut self) -> Result<FieldPairs, RdbError> {
        let n = self.count("hash", 2)?;
        let mut out = Vec::with_capacity(capacity(n));
        for _ in 0..n {
            let field = self.string()?;
            out.push((field, self.string()?));
        }
        Ok(out)
    }

    /// Reads a count and that many member/score pairs (binary or ASCII scores).
    fn score_pairs(&mut self, binary: bool) -> Result<Vec<(Vec<u8>, f64)>, RdbError> {
        let n = self.count("zset", 2)?;
        let mut out = Vec::with_capacity(capacity(n));
        for _ in 0..n {
            let member = self.string()?;
            let at = self.pos;
            let score = if binary {
                self.binary_double()?
            } else {
                self.ascii_double()?
            };
            if score.is_nan() {
                return Err(RdbError::new(
                    at,
                    RdbErrorKind::BadEncoding("sorted set score is NaN"),
                ));
            }
            out.push((member, score));
        }
        Ok(out)
    }

    /// Reads a 7.4 hash with field metadata; refuses (recoverably) if a field has a TTL.
    fn hash_with_field_ttls(&mut self, value_type: u8, start: u64) -> Result<RdbValue, RdbError> {
        let min_expire = if value_type == TYPE_HASH_METADATA {
            Some(self.ms_time()? as u64)
        } else {
            None
        };
        let n = self.count("hash", 3)?;
        let mut out = Vec::with_capacity(capacity(n));
        let mut has_ttl = false;
        for _ in 0..n {
            let at = self.pos;
            let ttl = self.length("hash field TTL")?;
            let expire_at = match min_expire {
                Some(min) if ttl != 0 => ttl.checked_add(min).map(|v| v - 1),
                _ => Some(ttl),
            };
            match expire_at {
                Some(t) if t <= HASH_FIELD_EXPIRE_MAX => has_ttl |= t != 0,
                _ => {
                    let kind = RdbErrorKind::BadEncoding("hash field expiry time out of range");
                    return Err(RdbError::new(at, kind));
                }
            }
            let field = self.string()?;
            out.push((field, self.string()?));
        }
        if has_ttl {
            return Err(field_ttl_unsupported(start));
        }
        Ok(RdbValue::Hash(out))
    }

    /// Reads a quicklist: nodes of ziplists (type 14) or of plain/listpack containers
    /// (type 18). Empty nodes are skipped, as Redis does.
    fn quicklist(&mut self, value_type: u8) -> Result<Vec<Vec<u8>>, RdbError> {
        let nodes = self.count("quicklist", 2)?;
        let mut out = Vec::new();
        for _ in 0..nodes {
            let container = if value_type == TYPE_LIST_QUICKLIST_2 {
                let at = self.pos;
                let c = self.length("quicklist container")?;
                if c != QUICKLIST_NODE_PLAIN && c != QUICKLIST_NODE_PACKED {
                    let kind = RdbErrorKind::BadEncoding("quicklist node container");
                    return Err(RdbError::new(at, kind));
                }
                c
            } else {
                QUICKLIST_NODE_PACKED
            };
            let blob = self.blob(if value_type == TYPE_LIST_QUICKLIST_2 {
                "Listpack"
            } else {
                "Ziplist"
            })?;
            if blob.data.is_empty() {
                return Err(RdbError::new(
                    blob.at,
                    RdbErrorKind::BadEncoding("empty quicklist node"),
                ));
            }
            if container == QUICKLIST_NODE_PLAIN {
                out.push(blob.data);
                continue;
            }
            let elements = if value_type == TYPE_LIST_QUICKLIST_2 {
                encodings::listpack_elements(&blob.data)
            } else {
                encodings::ziplist_elements(&blob.data)
            };
            out.extend(
                elements
                    .map_err(|e| blob.error(e))?
                    .into_iter()
                    .map(Packed::to_vec),
            );
        }
        Ok(out)
    }

    /// Reads a value stored as one encoded blob (zipmap, ziplist, intset, listpack).
    fn packed_value(&mut self, value_type: u8, start: u64) -> Result<RdbValue, RdbError> {
        if value_type == TYPE_HASH_LISTPACK_EX {
            self.ms_time()?; // minimum field expiry, a hint we do not need
        }
        // Every type `value` routes here has a name.
        let blob = self.blob(packed_structure(value_type).unwrap_or("Listpack"))?;
        let data = &blob.data;
        let err = |e| blob.error(e);
        Ok(match value_type {
            TYPE_HASH_ZIPMAP => {
                let pairs = encodings::zipmap_pairs(data).map_err(err)?;
                RdbValue::Hash(
                    pairs
                        .into_iter()
                        .map(|(f, v)| (f.to_vec(), v.to_vec()))
                        .collect(),
                )
            }
            TYPE_SET_INTSET => {
                let members = encodings::intset_members(data).map_err(err)?;
                RdbValue::Set(
                    members
                        .into_iter()
                        .map(|n| n.to_string().into_bytes())
                        .collect(),
                )
            }
            TYPE_LIST_ZIPLIST | TYPE_SET_LISTPACK => {
                let elements = if value_type == TYPE_LIST_ZIPLIST {
                    encodings::ziplist_elements(data)
                } else {
                    encodings::listpack_elements(data)
                };
                let items = elements
                    .map_err(err)?
                    .into_iter()
                    .map(Packed::to_vec)
                    .collect();
                if value_type == TYPE_LIST_ZIPLIST {
                    RdbValue::List(items)
                } else {
                    RdbValue::Set(items)
                }
            }
            TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
                let elements = if value_type == TYPE_ZSET_ZIPLIST {
                    encodings::ziplist_elements(data)
                } else {
                    encodings::listpack_elements(data)
                };
                RdbValue::ZSet(packed_scores(&elements.map_err(err)?, &blob)?)
            }
            TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
                let elements = if value_type == TYPE_HASH_ZIPLIST {
                    encodings::ziplist_elements(data)
                } else {
                    encodings::listpack_elements(data)
                };
                RdbValue::Hash(packed_pairs(&elements.map_err(err)?, &blob)?)
            }
            _ => {
                let elements = encodings::listpack_elements(data).map_err(err)?;
                RdbValue::Hash(packed_hash_with_ttls(&elements, &blob, start)?)
            }
        })
    }

    /// Skips a module value after its type byte; always returns the (recoverable)
    /// error naming the module, or the error met while skipping.
    fn skip_module_value(&mut self, start: u64) -> RdbError {
        let result = self
            .length("module id")
            .and_then(|id| self.skip_module_payload().map(|()| module_name(id)));
        match result {
            Ok(name) => {
                RdbError::new(start, RdbErrorKind::UnsupportedModule { name }).into_recoverable()
            }
            Err(e) => e,
        }
    }

    /// Skips module-serialised items up to and including the module EOF marker.
    pub(super) fn skip_module_payload(&mut self) -> Result<(), RdbError> {
        loop {
            let at = self.pos;
            match self.length("module opcode")? {
                MODULE_OPCODE_EOF => return Ok(()),
                MODULE_OPCODE_SINT | MODULE_OPCODE_UINT => {
                    self.length("module integer")?;
                }
                MODULE_OPCODE_FLOAT => {
                    self.array::<4>()?;
                }
                MODULE_OPCODE_DOUBLE => {
                    self.array::<8>()?;
                }
                MODULE_OPCODE_STRING => {
                    self.string()?;
                }
                _ => {
                    return Err(RdbError::new(
                        at,
                        RdbErrorKind::BadEncoding("unknown module opcode"),
                    ))
                }
            }
        }
    }
}

/// Redis's name for the structure a value type stored as one encoded blob holds;
/// `None` for the other types.
fn packed_structure(value_type: u8) -> Option<&'static str> {
    Some(match value_type {
        TYPE_HASH_ZIPMAP => "Zipmap",
        TYPE_SET_INTSET => "Intset",
        TYPE_LIST_ZIPLIST => "List ziplist",
        TYPE_SET_LISTPACK => "Set listpack",
        TYPE_ZSET_ZIPLIST => "Zset ziplist",
        TYPE_ZSET_LISTPACK => "Zset listpack",
        TYPE_HASH_ZIPLIST => "Hash ziplist",
        TYPE_HASH_LISTPACK | TYPE_HASH_LISTPACK_EX | TYPE_HASH_LISTPACK_EX_PRE_GA => {
            "Hash listpack"
        }
        _ => return None,
    })
}

/// The recoverable error for a hash whose fields carry TTLs.
fn field_ttl_unsupported(start: u64) -> RdbError {
    RdbError::new(start, RdbErrorKind::Unsupported("hash field expiration")).into_recoverable()
}

/// Pairs up blob elements as field/value.
fn packed_pairs(elements: &[Packed<'_>], blob: &Blob) -> Result<FieldPairs, RdbError> {
    if !elements.len().is_multiple_of(2) {
        return Err(blob.error(odd_elements()));
    }
    Ok(elements
        .chunks_exact(2)
        .map(|p| (p[0].to_vec(), p[1].to_vec()))
        .collect())
}

/// Pairs up blob elements as member/score.
fn packed_scores(elements: &[Packed<'_>], blob: &Blob) -> Result<Vec<(Vec<u8>, f64)>, RdbError> {
    if !elements.len().is_multiple_of(2) {
        return Err(blob.error(odd_elements()));
    }
    let mut out = Vec::with_capacity(elements.len() / 2);
    for pair in elements.chunks_exact(2) {
        match pair[1].to_f64() {
            Some(score) if !score.is_nan() => out.push((pair[0].to_vec(), score)),
            _ => {
                let e = EncodingError {
                    offset: 0,
                    what: "sorted set score is not a number",
                };
                return Err(blob.error(e));
            }
        }
    }
    Ok(out)
}

/// Reads listpack triples (field, value, ttl); refuses (recoverably) if a TTL is set.
fn packed_hash_with_ttls(
    elements: &[Packed<'_>],
    blob: &Blob,
    start: u64,
) -> Result<FieldPairs, RdbError> {
    if !elements.len().is_multiple_of(3) {
        return Err(blob.error(EncodingError {
            offset: 0,
            what: "hash listpack with TTLs is not made of triples",
        }));
    }
    let mut out = Vec::with_capacity(elements.len() / 3);
    for t in elements.chunks_exact(3) {
        let ttl = match t[2] {
            Packed::Int(n) => Some(n),
            Packed::Bytes(b) => std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<i64>().ok()),
        };
        match ttl {
            Some(0) => out.push((t[0].to_vec(), t[1].to_vec())),
            Some(_) => return Err(field_ttl_unsupported(start)),
            None => {
                return Err(blob.error(EncodingError {
                    offset: 0,
                    what: "hash field TTL is not an integer",
                }))
            }
        }
    }
    Ok(out)
}

/// The error for an odd number of elements in a pair encoding.
fn odd_elements() -> EncodingError {
    EncodingError {
        offset: 0,
        what: "odd number of elements in a field/value encoding",
    }
}

/// Refuses empty collections (recoverably) and duplicate members or fields.
fn check_value(
    value: RdbValue,
    value_type: u8,
    key: &[u8],
    start: u64,
) -> Result<RdbValue, RdbError> {
    let (len, duplicate) = match &value {
        // A stream may be empty (its IDs and groups outlive its entries).
        RdbValue::String(_) | RdbValue::Stream(_) => return Ok(value),
        RdbValue::List(items) => (items.len(), None),
        RdbValue::Set(items) => (
            items.len(),
            has_duplicates(items.iter().map(Vec::as_slice))
                .then_some("Duplicate set members detected"),
        ),
        RdbValue::Hash(pairs) => (
            pairs.len(),
            has_duplicates(pairs.iter().map(|p| p.0.as_slice()))
                .then_some("Duplicate hash fields detected"),
        ),
        RdbValue::ZSet(pairs) => (
            pairs.len(),
            has_duplicates(pairs.iter().map(|p| p.0.as_slice()))
                .then_some("Duplicate zset fields detected"),
        ),
    };
    if len == 0 {
        let kind = RdbErrorKind::EmptyKey {
            key: key.to_vec(),
            type_name: type_name(value_type),
        };
        return Err(RdbError::new(start, kind).into_recoverable());
    }
    if let Some(what) = duplicate {
        // Inside a compact encoding Redis finds duplicates with its integrity check,
        // and says so.
        let kind = match packed_structure(value_type) {
            Some(structure) => RdbErrorKind::IntegrityCheck {
                structure,
                flaw: what,
            },
            None => RdbErrorKind::BadEncoding(what),
        };
        return Err(RdbError::new(start, kind));
    }
    Ok(value)
}

/// Whether any byte string occurs twice.
fn has_duplicates<'a>(items: impl ExactSizeIterator<Item = &'a [u8]>) -> bool {
    let mut seen = std::collections::HashSet::with_capacity_and_hasher(
        items.len(),
        foldhash::fast::RandomState::default(),
    );
    let mut items = items;
    items.any(|item| !seen.insert(item))
}
