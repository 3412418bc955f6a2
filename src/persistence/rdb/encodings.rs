//! Decoders for the compact blobs Redis stores inside RDB strings: ziplist, listpack,
//! intset and zipmap (plus, for the writer, an intset encoder and a listpack builder,
//! [`ListpackBuilder`], for stream nodes). Every decoder validates the whole structure
//! (header sizes, entry count, terminator, back-lengths, bounds of every entry) before
//! trusting it, so a damaged blob is an [`EncodingError`], never a panic or an
//! allocation larger than the blob.
//!
//! Layouts (all integers little-endian unless noted):
//!
//! ```text
//! ziplist:  u32 total-bytes | u32 tail-offset | u16 count (0xFFFF = unknown)
//!           { prevlen (1 byte, or 0xFE + u32) | encoding | data }* | 0xFF
//! listpack: u32 total-bytes | u16 count (0xFFFF = unknown)
//!           { encoding | data | backlen (1-5 bytes, 7 bits each) }* | 0xFF
//! intset:   u32 width (2, 4 or 8) | u32 count | count sorted signed integers
//! zipmap:   u8 count (254 = unknown)
//!           { len | field | len | u8 free | value | free bytes }* | 0xFF
//!           (len: 1 byte below 254, else 0xFE + u32)
//! ```

use std::fmt;

/// One element of a ziplist or listpack: a byte string or an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packed<'a> {
    /// A string element (borrowed from the blob).
    Bytes(&'a [u8]),
    /// An integer element.
    Int(i64),
}

impl Packed<'_> {
    /// The element as Redis shows it: the bytes, or the integer in decimal.
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Packed::Bytes(b) => b.to_vec(),
            Packed::Int(n) => n.to_string().into_bytes(),
        }
    }

    /// The element read as a sorted-set score; `None` if it is not a number.
    pub fn to_f64(self) -> Option<f64> {
        match self {
            Packed::Int(n) => Some(n as f64),
            Packed::Bytes(b) => std::str::from_utf8(b).ok()?.parse::<f64>().ok(),
        }
    }
}

/// A structural problem in an encoded blob, at a byte offset inside the blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingError {
    /// Offset inside the blob where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub what: &'static str,
}

impl fmt::Display for EncodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at blob offset {}", self.what, self.offset)
    }
}

impl std::error::Error for EncodingError {}

/// Shorthand for an `Err(EncodingError)`.
fn fail<T>(offset: usize, what: &'static str) -> Result<T, EncodingError> {
    Err(EncodingError { offset, what })
}

/// Returns `blob[at..at + n]`, or an error naming `what` if it is not inside `limit`.
fn slice<'a>(
    blob: &'a [u8],
    at: usize,
    n: usize,
    limit: usize,
    what: &'static str,
) -> Result<&'a [u8], EncodingError> {
    match at.checked_add(n) {
        Some(end) if end <= limit && limit <= blob.len() => Ok(&blob[at..end]),
        _ => fail(at, what),
    }
}

/// Reads a little-endian u16 at `at` (caller checked bounds).
fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

/// Reads a little-endian u32 at `at` (caller checked bounds).
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Sign-extends the low `bits` bits of `v`.
fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Reads a little-endian signed integer of `bytes.len()` bytes (1..=8).
fn le_signed(bytes: &[u8]) -> i64 {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        v |= (b as u64) << (8 * i);
    }
    sign_extend(v, 8 * bytes.len() as u32)
}

/// A capacity hint that never exceeds what `blob_len` bytes could hold.
fn bounded_capacity(declared: usize, blob_len: usize) -> usize {
    declared.min(blob_len / 2).min(4096)
}

// ---- ziplist -----------------------------------------------------------------------

const ZIPLIST_HEADER: usize = 10;
const ZIP_END: u8 = 0xFF;
const ZIP_BIG_PREVLEN: u8 = 0xFE;
const ZIP_COUNT_UNKNOWN: u16 = u16::MAX;

/// Decodes and validates a ziplist, returning its elements in order.
pub fn ziplist_elements(zl: &[u8]) -> Result<Vec<Packed<'_>>, EncodingError> {
    if zl.len() < ZIPLIST_HEADER + 1 {
        return fail(0, "ziplist shorter than its header");
    }
    if le_u32(zl, 0) as usize != zl.len() {
        return fail(0, "ziplist total-bytes header does not match its size");
    }
    let tail = le_u32(zl, 4) as usize;
    let declared = le_u16(zl, 8);
    let end = zl.len() - 1;
    if zl[end] != ZIP_END {
        return fail(end, "ziplist does not end with 0xFF");
    }
    let mut out = Vec::with_capacity(bounded_capacity(declared as usize, zl.len()));
    let (mut p, mut prev_size, mut last_start) = (ZIPLIST_HEADER, 0usize, ZIPLIST_HEADER);
    while p < end {
        let start = p;
        let (prevlen, n) = ziplist_prevlen(zl, p, end)?;
        if prevlen != prev_size {
            return fail(p, "ziplist prevlen does not match the previous entry");
        }
        p += n;
        let (value, used) = ziplist_entry(zl, p, end)?;
        out.push(value);
        p += used;
        prev_size = p - start;
        last_start = start;
    }
    if tail != last_start {
        return fail(4, "ziplist tail offset does not point at the last entry");
    }
    if declared != ZIP_COUNT_UNKNOWN && declared as usize != out.len() {
        return fail(8, "ziplist entry count does not match its header");
    }
    Ok(out)
}

/// Reads the prevlen field at `p`: (value, bytes used).
fn ziplist_prevlen(zl: &[u8], p: usize, end: usize) -> Result<(usize, usize), EncodingError> {
    match zl[p] {
        ZIP_END => fail(p, "ziplist terminator before the end of the blob"),
        ZIP_BIG_PREVLEN => {
            let b = slice(zl, p, 5, end, "ziplist prevlen runs past the end")?;
            Ok((le_u32(b, 1) as usize, 5))
        }
        small => Ok((small as usize, 1)),
    }
}

/// Decodes the entry (encoding + data) at `p`: (value, bytes used).
fn ziplist_entry(zl: &[u8], p: usize, end: usize) -> Result<(Packed<'_>, usize), EncodingError> {
    const TRUNC: &str = "ziplist entry runs past the end";
    let Some(&enc) = zl.get(p).filter(|_| p < end) else {
        return fail(p, TRUNC);
    };
    let string = |header: usize, len: usize| -> Result<(Packed<'_>, usize), EncodingError> {
        let data = slice(zl, p + header, len, end, TRUNC)?;
        Ok((Packed::Bytes(data), header + len))
    };
    let int = |width: usize| -> Result<(Packed<'_>, usize), EncodingError> {
        let data = slice(zl, p + 1, width, end, TRUNC)?;
        Ok((Packed::Int(le_signed(data)), 1 + width))
    };
    match enc {
        0x00..=0x3F => string(1, (enc & 0x3F) as usize),
        0x40..=0x7F => {
            let h = slice(zl, p, 2, end, TRUNC)?;
            string(2, (((h[0] & 0x3F) as usize) << 8) | h[1] as usize)
        }
        0x80 => {
            let h = slice(zl, p, 5, end, TRUNC)?;
            string(5, u32::from_be_bytes([h[1], h[2], h[3], h[4]]) as usize)
        }
        0xC0 => int(2),
        0xD0 => int(4),
        0xE0 => int(8),
        0xF0 => int(3),
        0xFE => int(1),
        0xF1..=0xFD => Ok((Packed::Int((enc & 0x0F) as i64 - 1), 1)),
        _ => fail(p, "unknown ziplist entry encoding"),
    }
}

/// Builds a ziplist element by element, with the encodings Redis's ziplistPush chooses:
/// the narrowest integer encoding for integers and for strings that are canonical
/// integers, the narrowest string header otherwise, and a prevlen of 1 byte below 254
/// bytes, else 0xFE and 4 bytes.
pub struct ZiplistBuilder {
    zl: Vec<u8>,
    count: usize,
    /// Offset of the last entry (the tail-offset header), and its size in bytes.
    last_start: usize,
    last_size: usize,
}

impl Default for ZiplistBuilder {
    fn default() -> Self {
        ZiplistBuilder::new()
    }
}

impl ZiplistBuilder {
    /// An empty ziplist (its header is filled in by [`ZiplistBuilder::finish`]).
    pub fn new() -> ZiplistBuilder {
        let mut zl = Vec::with_capacity(256);
        zl.resize(ZIPLIST_HEADER, 0);
        ZiplistBuilder {
            zl,
            count: 0,
            last_start: ZIPLIST_HEADER,
            last_size: 0,
        }
    }

    /// Number of elements pushed so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Writes the prevlen field of a new entry and returns where the entry starts.
    fn begin_entry(&mut self) -> usize {
        let start = self.zl.len();
        if self.last_size < ZIP_BIG_PREVLEN as usize {
            self.zl.push(self.last_size as u8);
        } else {
            self.zl.push(ZIP_BIG_PREVLEN);
            // An entry over 4 GiB makes `finish` refuse the ziplist anyway.
            let size = u32::try_from(self.last_size).unwrap_or(u32::MAX);
            self.zl.extend_from_slice(&size.to_le_bytes());
        }
        start
    }

    /// Records the entry that started at `start` as the last one.
    fn end_entry(&mut self, start: usize) {
        self.last_start = start;
        self.last_size = self.zl.len() - start;
        self.count += 1;
    }

    /// Appends an integer element.
    pub fn push_int(&mut self, v: i64) {
        let start = self.begin_entry();
        let zl = &mut self.zl;
        match v {
            0..=12 => zl.push(0xF1 + v as u8),
            -128..=127 => zl.extend_from_slice(&[0xFE, v as u8]),
            -32_768..=32_767 => {
                zl.push(0xC0);
                zl.extend_from_slice(&(v as i16).to_le_bytes());
            }
            -8_388_608..=8_388_607 => {
                zl.push(0xF0);
                zl.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            -2_147_483_648..=2_147_483_647 => {
                zl.push(0xD0);
                zl.extend_from_slice(&(v as i32).to_le_bytes());
            }
            _ => {
                zl.push(0xE0);
                zl.extend_from_slice(&v.to_le_bytes());
            }
        }
        self.end_entry(start);
    }

    /// Appends a string element (as an integer if it is a canonical one).
    pub fn push_bytes(&mut self, s: &[u8]) {
        if let Some(v) = canonical_int(s) {
            return self.push_int(v);
        }
        let start = self.begin_entry();
        let len = s.len();
        if len < 1 << 6 {
            self.zl.push(len as u8);
        } else if len < 1 << 14 {
            self.zl
                .extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
        } else {
            self.zl.push(0x80);
            // A longer element cannot be stored; `finish` refuses the ziplist.
            self.zl
                .extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
        }
        self.zl.extend_from_slice(s);
        self.end_entry(start);
    }

    /// The ziplist bytes: header (total size, tail offset, element count or 0xFFFF when
    /// it does not fit 16 bits), elements, terminator. None if it would exceed 4 GiB,
    /// the most a ziplist can address.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        self.zl.push(ZIP_END);
        let total = u32::try_from(self.zl.len()).ok()?;
        let tail = self.last_start as u32;
        let count = u16::try_from(self.count).unwrap_or(ZIP_COUNT_UNKNOWN);
        self.zl[..4].copy_from_slice(&total.to_le_bytes());
        self.zl[4..8].copy_from_slice(&tail.to_le_bytes());
        self.zl[8..10].copy_from_slice(&count.to_le_bytes());
        Some(self.zl)
    }
}

// ---- listpack ----------------------------------------------------------------------

const LISTPACK_HEADER: usize = 6;
const LP_END: u8 = 0xFF;

/// Decodes and validates a listpack, returning its elements in order.
pub fn listpack_elements(lp: &[u8]) -> Result<Vec<Packed<'_>>, EncodingError> {
    if lp.len() < LISTPACK_HEADER + 1 {
        return fail(0, "listpack shorter than its header");
    }
    if le_u32(lp, 0) as usize != lp.len() {
        return fail(0, "listpack total-bytes header does not match its size");
    }
    let declared = le_u16(lp, 4);
    let end = lp.len() - 1;
    if lp[end] != LP_END {
        return fail(end, "listpack does not end with 0xFF");
    }
    let mut out = Vec::with_capacity(bounded_capacity(declared as usize, lp.len()));
    let mut p = LISTPACK_HEADER;
    while p < end {
        let (value, size) = listpack_entry(lp, p, end)?;
        let backlen_at = p + size;
        let expected = encode_backlen(size as u64);
        let found = slice(
            lp,
            backlen_at,
            expected.len(),
            end,
            "listpack backlen runs past the end",
        )?;
        if found != expected.as_slice() {
            return fail(backlen_at, "listpack backlen does not match the entry size");
        }
        out.push(value);
        p = backlen_at + expected.len();
    }
    if declared != u16::MAX && declared as usize != out.len() {
        return fail(4, "listpack entry count does not match its header");
    }
    Ok(out)
}

/// Decodes the entry (encoding + data, without backlen) at `p`: (value, size).
fn listpack_entry(lp: &[u8], p: usize, end: usize) -> Result<(Packed<'_>, usize), EncodingError> {
    const TRUNC: &str = "listpack entry runs past the end";
    let enc = lp[p];
    let string = |header: usize, len: usize| -> Result<(Packed<'_>, usize), EncodingError> {
        let data = slice(lp, p + header, len, end, TRUNC)?;
        Ok((Packed::Bytes(data), header + len))
    };
    let int = |width: usize| -> Result<(Packed<'_>, usize), EncodingError> {
        let data = slice(lp, p + 1, width, end, TRUNC)?;
        Ok((Packed::Int(le_signed(data)), 1 + width))
    };
    match enc {
        0x00..=0x7F => Ok((Packed::Int(enc as i64), 1)),
        0x80..=0xBF => string(1, (enc & 0x3F) as usize),
        0xC0..=0xDF => {
            let h = slice(lp, p, 2, end, TRUNC)?;
            let raw = (((h[0] & 0x1F) as u64) << 8) | h[1] as u64;
            Ok((Packed::Int(sign_extend(raw, 13)), 2))
        }
        0xE0..=0xEF => {
            let h = slice(lp, p, 2, end, TRUNC)?;
            string(2, (((h[0] & 0x0F) as usize) << 8) | h[1] as usize)
        }
        0xF0 => {
            let h = slice(lp, p, 5, end, TRUNC)?;
            string(5, le_u32(h, 1) as usize)
        }
        0xF1 => int(2),
        0xF2 => int(3),
        0xF3 => int(4),
        0xF4 => int(8),
        LP_END => fail(p, "listpack terminator before the end of the blob"),
        _ => fail(p, "unknown listpack entry encoding"),
    }
}

/// The backlen bytes Redis writes after a listpack entry of `size` bytes.
fn encode_backlen(size: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(5);
    push_backlen(&mut out, size);
    out
}

/// Appends the backlen of an entry of `size` bytes: 7 bits per byte, most significant
/// group first, every byte but the first with its top bit set (lpEncodeBacklen).
fn push_backlen(out: &mut Vec<u8>, size: u64) {
    let groups = match size {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    };
    for i in 0..groups {
        let shift = 7 * (groups - 1 - i);
        let bits = ((size >> shift) & 127) as u8;
        out.push(if i == 0 { bits } else { bits | 128 });
    }
}

/// The value of `s` if it is exactly the canonical decimal form of an `i64` (no plus
/// sign, no leading zeros, no "-0", no spaces): the strings Redis's string2ll and
/// lpStringToInt64 accept, which it stores as integers.
pub fn canonical_int(s: &[u8]) -> Option<i64> {
    let digits = s.strip_prefix(b"-").unwrap_or(s);
    let canonical = !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || s == b"0");
    if !canonical {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Builds a listpack element by element, with the encodings Redis's lpAppend and
/// lpAppendInteger choose: the narrowest integer encoding for integers and for strings
/// that are canonical integers, the narrowest string header otherwise.
pub struct ListpackBuilder {
    lp: Vec<u8>,
    count: usize,
}

impl Default for ListpackBuilder {
    fn default() -> Self {
        ListpackBuilder::new()
    }
}

impl ListpackBuilder {
    /// An empty listpack (its header is filled in by [`ListpackBuilder::finish`]).
    pub fn new() -> ListpackBuilder {
        let mut lp = Vec::with_capacity(256);
        lp.resize(LISTPACK_HEADER, 0);
        ListpackBuilder { lp, count: 0 }
    }

    /// Appends an integer element.
    pub fn push_int(&mut self, v: i64) {
        let start = self.lp.len();
        let lp = &mut self.lp;
        match v {
            0..=127 => lp.push(v as u8),
            -4096..=4095 => {
                let raw = (v as u64) & 0x1FFF;
                lp.extend_from_slice(&[0xC0 | (raw >> 8) as u8, raw as u8]);
            }
            -32_768..=32_767 => {
                lp.push(0xF1);
                lp.extend_from_slice(&(v as i16).to_le_bytes());
            }
            -8_388_608..=8_388_607 => {
                lp.push(0xF2);
                lp.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            -2_147_483_648..=2_147_483_647 => {
                lp.push(0xF3);
                lp.extend_from_slice(&(v as i32).to_le_bytes());
            }
            _ => {
                lp.push(0xF4);
                lp.extend_from_slice(&v.to_le_bytes());
            }
        }
        self.end_entry(start);
    }

    /// Appends a string element (as an integer if it is a canonical one).
    pub fn push_bytes(&mut self, s: &[u8]) {
        if let Some(v) = canonical_int(s) {
            return self.push_int(v);
        }
        let start = self.lp.len();
        let len = s.len();
        if len < 64 {
            self.lp.push(0x80 | len as u8);
        } else if len < 4096 {
            self.lp
                .extend_from_slice(&[0xE0 | (len >> 8) as u8, len as u8]);
        } else {
            self.lp.push(0xF0);
            // A longer element cannot be stored; `finish` refuses the listpack.
            self.lp
                .extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
        }
        self.lp.extend_from_slice(s);
        self.end_entry(start);
    }

    /// Adds the backlen of the entry that started at `start`.
    fn end_entry(&mut self, start: usize) {
        let size = (self.lp.len() - start) as u64;
        push_backlen(&mut self.lp, size);
        self.count += 1;
    }

    /// The listpack bytes: header (total size, element count or 0xFFFF when it does not
    /// fit 16 bits), elements, terminator. None if it would exceed 4 GiB, the most a
    /// listpack can address.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        self.lp.push(LP_END);
        let total = u32::try_from(self.lp.len()).ok()?;
        let count = u16::try_from(self.count).unwrap_or(u16::MAX);
        self.lp[..4].copy_from_slice(&total.to_le_bytes());
        self.lp[4..6].copy_from_slice(&count.to_le_bytes());
        Some(self.lp)
    }
}

// ---- intset ------------------------------------------------------------------------

const INTSET_HEADER: usize = 8;

/// Decodes and validates an intset (non-empty, strictly ascending).
pub fn intset_members(is: &[u8]) -> Result<Vec<i64>, EncodingError> {
    if is.len() < INTSET_HEADER {
        return fail(0, "intset shorter than its header");
    }
    let width = le_u32(is, 0) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return fail(0, "intset width is not 2, 4 or 8");
    }
    let count = le_u32(is, 4) as usize;
    if count
        .checked_mul(width)
        .and_then(|n| n.checked_add(INTSET_HEADER))
        != Some(is.len())
    {
        return fail(4, "intset count does not match its size");
    }
    if count == 0 {
        return fail(4, "intset is empty");
    }
    let mut out = Vec::with_capacity(count);
    for (i, chunk) in is[INTSET_HEADER..].chunks_exact(width).enumerate() {
        let v = le_signed(chunk);
        if out.last().is_some_and(|&prev| v <= prev) {
            return fail(
                INTSET_HEADER + i * width,
                "intset is not strictly ascending",
            );
        }
        out.push(v);
    }
    Ok(out)
}

/// Encodes strictly ascending integers as an intset (narrowest width that fits all).
pub fn encode_intset(sorted: &[i64]) -> Vec<u8> {
    let fits = |lo: i64, hi: i64| sorted.iter().all(|&v| (lo..=hi).contains(&v));
    let width: usize = if fits(i16::MIN as i64, i16::MAX as i64) {
        2
    } else if fits(i32::MIN as i64, i32::MAX as i64) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(INTSET_HEADER + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

// ---- zipmap ------------------------------------------------------------------------

/// Field/value pairs borrowed from a zipmap.
pub type ZipmapPairs<'a> = Vec<(&'a [u8], &'a [u8])>;

const ZIPMAP_BIGLEN: u8 = 254;
const ZIPMAP_END: u8 = 0xFF;

/// Decodes and validates a zipmap (non-empty), returning its field/value pairs.
pub fn zipmap_pairs(zm: &[u8]) -> Result<ZipmapPairs<'_>, EncodingError> {
    if zm.len() < 2 {
        return fail(0, "zipmap shorter than its header");
    }
    let end = zm.len() - 1;
    if zm[end] != ZIPMAP_END {
        return fail(end, "zipmap does not end with 0xFF");
    }
    let mut out = Vec::new();
    let mut p = 1;
    while zm[p] != ZIPMAP_END {
        let (flen, n) = zipmap_len(zm, p, end)?;
        let field = slice(zm, p + n, flen, end, "zipmap field runs past the end")?;
        p += n + flen;
        if zm[p] == ZIPMAP_END {
            return fail(p, "zipmap field without a value");
        }
        let (vlen, n) = zipmap_len(zm, p, end)?;
        let free = *slice(zm, p + n, 1, end, "zipmap value runs past the end")?
            .first()
            .unwrap_or(&0) as usize;
        let value = slice(zm, p + n + 1, vlen, end, "zipmap value runs past the end")?;
        p += n + 1 + vlen;
        slice(zm, p, free, end, "zipmap free space runs past the end")?;
        p += free;
        out.push((field, value));
    }
    if p != end {
        return fail(p, "zipmap terminator before the end of the blob");
    }
    if out.is_empty() {
        return fail(0, "zipmap is empty");
    }
    if zm[0] != ZIPMAP_BIGLEN && zm[0] as usize != out.len() {
        return fail(0, "zipmap count does not match its header");
    }
    Ok(out)
}

/// Reads a zipmap length at `p` (which is before `end`): (length, bytes used).
fn zipmap_len(zm: &[u8], p: usize, end: usize) -> Result<(usize, usize), EncodingError> {
    match zm[p] {
        ZIPMAP_BIGLEN => {
            let b = slice(zm, p, 5, end, "zipmap length runs past the end")?;
            Ok((le_u32(b, 1) as usize, 5))
        }
        ZIPMAP_END => fail(p, "bad zipmap length"),
        small => Ok((small as usize, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding bytes (after the prevlen) of each entry of a ziplist, in order.
    fn entry_encodings(zl: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut p = ZIPLIST_HEADER;
        while zl[p] != ZIP_END {
            let (_, n) = ziplist_prevlen(zl, p, zl.len() - 1).unwrap();
            let (_, used) = ziplist_entry(zl, p + n, zl.len() - 1).unwrap();
            out.push(zl[p + n..p + n + used].to_vec());
            p += n + used;
        }
        out
    }

    #[test]
    fn ziplist_builder_picks_redis_encodings_and_decodes_back() {
        let ints = [
            (0i64, vec![0xF1]),
            (12, vec![0xFD]),
            (13, vec![0xFE, 13]),
            (-1, vec![0xFE, 0xFF]),
            (-128, vec![0xFE, 0x80]),
            (128, vec![0xC0, 0x80, 0x00]),
            (-32768, vec![0xC0, 0x00, 0x80]),
            (32768, vec![0xF0, 0x00, 0x80, 0x00]),
            (8_388_607, vec![0xF0, 0xFF, 0xFF, 0x7F]),
            (8_388_608, vec![0xD0, 0x00, 0x00, 0x80, 0x00]),
            (-2_147_483_649, {
                let mut v = vec![0xE0];
                v.extend_from_slice(&(-2_147_483_649i64).to_le_bytes());
                v
            }),
        ];
        let mut zl = ZiplistBuilder::new();
        for (n, _) in &ints {
            zl.push_int(*n);
        }
        let long = vec![b'x'; 300];
        let huge = vec![b'y'; 16_384];
        let strings: [&[u8]; 7] = [b"", b"007", b"-0", &[b'a'; 63], &[b'b'; 64], &long, &huge];
        for s in strings {
            zl.push_bytes(s);
        }
        zl.push_bytes(b"-42");
        zl.push_bytes(b"after");
        let bytes = zl.finish().unwrap();
        let encodings = entry_encodings(&bytes);
        for (i, (_, enc)) in ints.iter().enumerate() {
            assert_eq!(&encodings[i], enc, "integer {i}");
        }
        let n = ints.len();
        assert_eq!(encodings[n + 3][..1], [63]);
        assert_eq!(encodings[n + 4][..2], [0x40, 64]);
        assert_eq!(encodings[n + 6][..5], [0x80, 0, 0, 0x40, 0]);
        assert_eq!(
            encodings[n + 7],
            [0xFE, (-42i8) as u8],
            "canonical text is stored as an integer"
        );
        let decoded = ziplist_elements(&bytes).unwrap();
        let mut expected: Vec<Packed<'_>> = ints.iter().map(|(v, _)| Packed::Int(*v)).collect();
        expected.extend(strings.iter().map(|s| Packed::Bytes(s)));
        expected.push(Packed::Int(-42));
        expected.push(Packed::Bytes(b"after"));
        assert_eq!(decoded, expected);
        // The entry after the 300-byte one carries a 5-byte prevlen.
        let after_long = bytes
            .windows(5)
            .any(|w| w[0] == ZIP_BIG_PREVLEN && le_u32(w, 1) == 1 + 2 + 300);
        assert!(after_long);
    }

    #[test]
    fn ziplist_builder_header_cases() {
        // Redis's empty ziplist: 11 bytes, tail at the header's end.
        assert_eq!(
            ZiplistBuilder::new().finish().unwrap(),
            [11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xFF]
        );
        // A count past 16 bits is stored as "unknown" and still decodes.
        let mut zl = ZiplistBuilder::new();
        for i in 0..70_000 {
            zl.push_int(i % 10);
        }
        assert_eq!(zl.len(), 70_000);
        let bytes = zl.finish().unwrap();
        assert_eq!(le_u16(&bytes, 8), ZIP_COUNT_UNKNOWN);
        assert_eq!(ziplist_elements(&bytes).unwrap().len(), 70_000);
    }

    /// Builds a ziplist from entries given as (encoding+data) byte strings.
    fn ziplist(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut tail = ZIPLIST_HEADER;
        for e in entries {
            tail = ZIPLIST_HEADER + body.len();
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            body.extend_from_slice(e);
            prev = body.len() - start;
        }
        let mut zl = Vec::new();
        zl.extend_from_slice(&((ZIPLIST_HEADER + body.len() + 1) as u32).to_le_bytes());
        zl.extend_from_slice(&(tail as u32).to_le_bytes());
        zl.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(0xFF);
        zl
    }

    /// Builds a listpack from entries given as (encoding+data) byte strings.
    fn listpack(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in entries {
            body.extend_from_slice(e);
            body.extend_from_slice(&encode_backlen(e.len() as u64));
        }
        let mut lp = Vec::new();
        lp.extend_from_slice(&((LISTPACK_HEADER + body.len() + 1) as u32).to_le_bytes());
        lp.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        lp.extend_from_slice(&body);
        lp.push(0xFF);
        lp
    }

    #[test]
    fn ziplist_every_encoding() {
        let long = vec![b'x'; 300];
        let mut e14 = vec![0x40 | 1, 44];
        e14.extend_from_slice(&long);
        let mut e32 = vec![0x80, 0, 0, 1, 44];
        e32.extend_from_slice(&long);
        let zl = ziplist(&[
            b"\x03abc",
            &e14,
            &e32,
            b"\xC0\x00\x80",
            b"\xD0\xff\xff\xff\x7f",
            b"\xE0\x00\x00\x00\x00\x00\x00\x00\x80",
            b"\xF0\xff\xff\xff",
            b"\xFE\x80",
            b"\xF1",
            b"\xFD",
        ]);
        let got = ziplist_elements(&zl).unwrap();
        assert_eq!(got[0], Packed::Bytes(b"abc"));
        assert_eq!(got[1], Packed::Bytes(&long));
        assert_eq!(got[2], Packed::Bytes(&long));
        assert_eq!(
            got[3..],
            [
                Packed::Int(-32768),
                Packed::Int(i32::MAX as i64),
                Packed::Int(i64::MIN),
                Packed::Int(-1),
                Packed::Int(-128),
                Packed::Int(0),
                Packed::Int(12)
            ]
        );
    }

    #[test]
    fn ziplist_damage_is_detected() {
        let good = ziplist(&[b"\x01a", b"\x01b"]);
        assert_eq!(ziplist_elements(&good).unwrap().len(), 2);
        let mut bad_total = good.clone();
        bad_total[0] += 1;
        assert_eq!(ziplist_elements(&bad_total).unwrap_err().offset, 0);
        let mut bad_tail = good.clone();
        bad_tail[4] += 1;
        assert_eq!(ziplist_elements(&bad_tail).unwrap_err().offset, 4);
        let mut bad_count = good.clone();
        bad_count[8] = 3;
        assert_eq!(ziplist_elements(&bad_count).unwrap_err().offset, 8);
        let mut unknown_count = good.clone();
        unknown_count[8..10].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(ziplist_elements(&unknown_count).unwrap().len(), 2);
        let mut bad_prevlen = good.clone();
        bad_prevlen[13] = 2;
        assert_eq!(ziplist_elements(&bad_prevlen).unwrap_err().offset, 13);
        let mut bad_end = good.clone();
        *bad_end.last_mut().unwrap() = 0;
        assert!(ziplist_elements(&bad_end).is_err());
        let mut overlong = good.clone();
        overlong[11] = 0x3F;
        assert!(ziplist_elements(&overlong).is_err());
        let mut bad_enc = good.clone();
        bad_enc[11] = 0xC1;
        assert_eq!(
            ziplist_elements(&bad_enc).unwrap_err().what,
            "unknown ziplist entry encoding"
        );
        assert!(ziplist_elements(&good[..5]).is_err());
        assert_eq!(ziplist_elements(&ziplist(&[])).unwrap(), vec![]);
    }

    #[test]
    fn listpack_every_encoding() {
        let mid = vec![b'm'; 4000];
        let mut e12 = vec![0xE0 | (4000 >> 8) as u8, (4000 & 0xFF) as u8];
        e12.extend_from_slice(&mid);
        let long = vec![b'y'; 5000];
        let mut e32 = vec![0xF0];
        e32.extend_from_slice(&5000u32.to_le_bytes());
        e32.extend_from_slice(&long);
        let lp = listpack(&[
            b"\x05",
            b"\x7F",
            b"\x83abc",
            &e12,
            &e32,
            b"\xDF\xFF",
            b"\xD0\x00",
            b"\xC0\x01",
            b"\xF1\x00\x80",
            b"\xF2\xff\xff\x7f",
            b"\xF3\x00\x00\x00\x80",
            b"\xF4\xff\xff\xff\xff\xff\xff\xff\x7f",
        ]);
        let got = listpack_elements(&lp).unwrap();
        assert_eq!(
            got[..3],
            [Packed::Int(5), Packed::Int(127), Packed::Bytes(b"abc")]
        );
        assert_eq!(got[3], Packed::Bytes(&mid));
        assert_eq!(got[4], Packed::Bytes(&long));
        assert_eq!(
            got[5..],
            [
                Packed::Int(-1),
                Packed::Int(-4096),
                Packed::Int(1),
                Packed::Int(-32768),
                Packed::Int(8388607),
                Packed::Int(i32::MIN as i64),
                Packed::Int(i64::MAX)
            ]
        );
    }

    #[test]
    fn listpack_damage_is_detected() {
        let good = listpack(&[b"\x81a", b"\x05"]);
        assert_eq!(listpack_elements(&good).unwrap().len(), 2);
        let mut bad_backlen = good.clone();
        bad_backlen[8] = 3;
        assert_eq!(listpack_elements(&bad_backlen).unwrap_err().offset, 8);
        let mut bad_count = good.clone();
        bad_count[4] = 1;
        assert_eq!(listpack_elements(&bad_count).unwrap_err().offset, 4);
        let mut bad_total = good.clone();
        bad_total[0] = 200;
        assert!(listpack_elements(&bad_total).is_err());
        let mut bad_enc = good.clone();
        bad_enc[6] = 0xF7;
        assert!(listpack_elements(&bad_enc).is_err());
        let mut overlong = good.clone();
        overlong[6] = 0xBF;
        assert!(listpack_elements(&overlong).is_err());
        assert_eq!(encode_backlen(127), vec![127]);
        assert_eq!(encode_backlen(128), vec![1, 128]);
        assert_eq!(
            encode_backlen(5002),
            vec![(5002u32 >> 7) as u8, (5002 & 127) as u8 | 128]
        );
    }

    #[test]
    fn intset_round_trip_and_checks() {
        for set in [
            vec![1i64, 2, 3],
            vec![-70000, 5],
            vec![i64::MIN, 0, i64::MAX],
        ] {
            assert_eq!(intset_members(&encode_intset(&set)).unwrap(), set);
        }
        assert_eq!(encode_intset(&[1, 2]).len(), 8 + 4);
        let mut unsorted = encode_intset(&[1, 2]);
        unsorted[8] = 9;
        assert!(intset_members(&unsorted).is_err());
        let mut bad_width = encode_intset(&[1]);
        bad_width[0] = 3;
        assert!(intset_members(&bad_width).is_err());
        let mut bad_count = encode_intset(&[1]);
        bad_count[4] = 0xFF;
        assert!(intset_members(&bad_count).is_err());
        assert!(intset_members(&encode_intset(&[])).is_err());
    }

    #[test]
    fn zipmap_decodes_and_checks() {
        let zm = b"\x02\x03foo\x03\x00bar\x05hello\x05\x02world!!\xff";
        let pairs = zipmap_pairs(zm).unwrap();
        assert_eq!(
            pairs,
            vec![(&b"foo"[..], &b"bar"[..]), (&b"hello"[..], &b"world"[..])]
        );
        assert!(zipmap_pairs(b"\x00\xff").is_err());
        assert!(zipmap_pairs(b"\x03\x03foo\x03\x00bar\xff").is_err());
        assert!(zipmap_pairs(b"\x01\x03foo\x09\x00bar\xff").is_err());
        assert!(zipmap_pairs(b"\x01\x03foo\xff").is_err());
        assert!(zipmap_pairs(b"\x01\x03foo\x03\x00bar\xff\xff").is_err());
    }
}
