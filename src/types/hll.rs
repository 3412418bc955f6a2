//! HyperLogLog values in Redis's exact string format ("HYLL"), so that a sketch moves
//! between Redis and ferrodis through GET/SET, DUMP/RESTORE and RDB and counts the same.
//!
//! Layout (all offsets in bytes):
//!
//! ```text
//! 0..4   magic "HYLL"
//! 4      encoding: 0 dense, 1 sparse
//! 5..8   unused, zero
//! 8..16  cached cardinality, little endian; bit 7 of byte 15 set = cache invalid
//! 16..   registers
//! ```
//!
//! There are 16384 registers of 6 bits. Dense: 12288 bytes of packed registers, register
//! `i` starting at bit `6*i`, least significant bits first. Sparse: a run-length code of
//! one-byte ZERO (`00xxxxxx`: 1..64 zero registers), two-byte XZERO (`01xxxxxx
//! xxxxxxxx`: 1..16384 zero registers) and one-byte VAL (`1vvvvvxx`: 1..4 registers of
//! value 1..32) opcodes. Elements are hashed with MurmurHash64A (seed 0xadc83b19): the
//! low 14 bits pick the register, the position of the first set bit in the remaining 50
//! gives its candidate value. The count uses Ertl's improved estimator, as Redis 4.0+.

/// Size of the header.
pub const HDR_SIZE: usize = 16;
/// log2 of the number of registers.
const P: u32 = 14;
/// Hash bits left after the register index.
const Q: u32 = 64 - P;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
/// Bits per dense register.
const BITS: usize = 6;
/// Largest value a register holds.
const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Length of a dense HyperLogLog string.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte of the dense form.
pub const ENCODING_DENSE: u8 = 0;
/// Encoding byte of the sparse form.
pub const ENCODING_SPARSE: u8 = 1;
/// Offset of the encoding byte.
const ENCODING_OFFSET: usize = 4;
/// Offset of the cached cardinality.
const CARD_OFFSET: usize = 8;
/// Seed Redis gives MurmurHash64A.
const HASH_SEED: u64 = 0xadc8_3b19;

/// Sparse opcode tags and limits.
const XZERO_BIT: u8 = 0x40;
const VAL_BIT: u8 = 0x80;
const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
const XZERO_MAX_LEN: usize = 16384;

/// 0.5 / ln(2): the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// A HyperLogLog whose sparse code does not describe exactly 16384 registers
/// (`-INVALIDOBJ Corrupted HLL object detected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupted;

/// The two representations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Dense,
    Sparse,
}

/// One decoded sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `len` zero registers, ZERO (1 byte) or XZERO (2 bytes) form.
    Zero { len: usize, bytes: usize },
    /// `len` registers of value `value`.
    Val { value: u8, len: usize },
}

impl Op {
    /// Decodes the opcode starting at `code[0]`; an XZERO cut by the end reads as zero.
    fn decode(code: &[u8]) -> Op {
        let b = code[0];
        if b & VAL_BIT != 0 {
            Op::Val {
                value: ((b >> 2) & 0x1f) + 1,
                len: (b & 0x3) as usize + 1,
            }
        } else if b & 0xc0 == XZERO_BIT {
            let low = code.get(1).copied().unwrap_or(0) as usize;
            Op::Zero {
                len: ((((b & 0x3f) as usize) << 8) | low) + 1,
                bytes: 2,
            }
        } else {
            Op::Zero {
                len: (b & 0x3f) as usize + 1,
                bytes: 1,
            }
        }
    }

    /// Number of registers covered.
    fn span(self) -> usize {
        match self {
            Op::Zero { len, .. } | Op::Val { len, .. } => len,
        }
    }

    /// Number of bytes of the opcode.
    fn bytes(self) -> usize {
        match self {
            Op::Zero { bytes, .. } => bytes,
            Op::Val { .. } => 1,
        }
    }
}

/// Appends the opcode for `len` zero registers (ZERO up to 64, XZERO beyond).
fn push_zeros(out: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        let l = len - 1;
        out.push((l >> 8) as u8 | XZERO_BIT);
        out.push((l & 0xff) as u8);
    } else {
        out.push((len - 1) as u8);
    }
}

/// The VAL opcode byte for `len` (1..=4) registers of `value` (1..=32).
fn val_byte(value: u8, len: usize) -> u8 {
    ((value - 1) << 2) | (len as u8 - 1) | VAL_BIT
}

/// MurmurHash2, 64-bit version (MurmurHash64A), reading 8-byte words little endian as
/// Redis does on every architecture.
pub fn murmurhash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut k = u64::from_le_bytes(word).wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register `element` maps to and the length of its "000...1" pattern (1..=51).
pub fn pattern_len(element: &[u8]) -> (usize, u8) {
    let hash = murmurhash64a(element, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // A sentinel bit above the used ones bounds the count at Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A new, empty HyperLogLog: sparse, one XZERO opcode, cached cardinality 0 (valid).
pub fn new_sparse() -> Vec<u8> {
    let mut out = Vec::with_capacity(HDR_SIZE + 2);
    out.extend_from_slice(b"HYLL");
    out.push(ENCODING_SPARSE);
    out.resize(HDR_SIZE, 0);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(XZERO_MAX_LEN);
        push_zeros(&mut out, n);
        left -= n;
    }
    out
}

/// Checks that `bytes` look like a HyperLogLog (Redis's isHLLObjectOrReply: header
/// length, magic, known encoding, exact dense length); returns its encoding.
pub fn validate(bytes: &[u8]) -> Option<Encoding> {
    if bytes.len() < HDR_SIZE || &bytes[..4] != b"HYLL" {
        return None;
    }
    match bytes[ENCODING_OFFSET] {
        ENCODING_DENSE if bytes.len() == DENSE_SIZE => Some(Encoding::Dense),
        ENCODING_SPARSE => Some(Encoding::Sparse),
        _ => None,
    }
}

/// The encoding of a validated HyperLogLog.
fn encoding_of(hll: &[u8]) -> Encoding {
    if hll[ENCODING_OFFSET] == ENCODING_DENSE {
        Encoding::Dense
    } else {
        Encoding::Sparse
    }
}

/// The cached cardinality, if the cache is valid.
pub fn cached_count(hll: &[u8]) -> Option<u64> {
    let mut card = [0u8; 8];
    card.copy_from_slice(&hll[CARD_OFFSET..CARD_OFFSET + 8]);
    if card[7] & 0x80 != 0 {
        return None;
    }
    Some(u64::from_le_bytes(card))
}

/// Stores `count` as the cached cardinality (which makes the cache valid).
pub fn set_cached_count(hll: &mut [u8], count: u64) {
    hll[CARD_OFFSET..CARD_OFFSET + 8].copy_from_slice(&count.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate_cache(hll: &mut [u8]) {
    hll[CARD_OFFSET + 7] |= 0x80;
}

/// Register `index` of the packed dense registers `regs`.
pub fn dense_get(regs: &[u8], index: usize) -> u8 {
    let bit = index * BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let b0 = regs[byte] as u16;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX as u16) as u8
}

/// Sets register `index` of the packed dense registers `regs` to `value` (<= 63).
fn dense_put(regs: &mut [u8], index: usize, value: u8) {
    let bit = index * BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let v = value as u16;
    regs[byte] &= !((REGISTER_MAX as u16) << shift) as u8;
    regs[byte] |= (v << shift) as u8;
    if let Some(next) = regs.get_mut(byte + 1) {
        *next &= !((REGISTER_MAX as u16) >> (8 - shift)) as u8;
        *next |= (v >> (8 - shift)) as u8;
    }
}

/// Raises dense register `index` to `count`; returns whether it changed.
fn dense_raise(regs: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(regs, index) {
        dense_put(regs, index, count);
        true
    } else {
        false
    }
}

/// Rewrites a sparse HyperLogLog as dense, keeping the header (cached cardinality
/// included). Fails if the sparse code does not cover exactly 16384 registers.
pub fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupted> {
    if encoding_of(hll) == Encoding::Dense {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&hll[..HDR_SIZE]);
    dense[ENCODING_OFFSET] = ENCODING_DENSE;
    let mut idx = 0usize;
    let mut p = HDR_SIZE;
    while p < hll.len() {
        let op = Op::decode(&hll[p..]);
        if let Op::Val { value, len } = op {
            if idx + len > REGISTERS {
                break;
            }
            for i in idx..idx + len {
                dense_put(&mut dense[HDR_SIZE..], i, value);
            }
        }
        idx += op.span();
        p += op.bytes();
    }
    if idx != REGISTERS {
        return Err(Corrupted);
    }
    *hll = dense;
    Ok(())
}

/// Raises register `index` of a sparse HyperLogLog to `count`, rewriting the opcode
/// that covers it exactly as Redis's hllSparseSet does (so the bytes match Redis's);
/// promotes to dense when the value does not fit a VAL opcode or the string would
/// grow past `sparse_max` bytes. Returns whether the register changed.
fn sparse_raise(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupted> {
    if count > VAL_MAX_VALUE {
        return promote(hll, index, count);
    }
    // Step 1: find the opcode covering `index`, and the one before it.
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut found = None;
    while p < hll.len() {
        let op = Op::decode(&hll[p..]);
        if index < first + op.span() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.bytes();
        first += op.span();
    }
    let Some(op) = found else {
        return Err(Corrupted);
    };
    let last = first + op.span() - 1;
    // Step 2: the trivial updates in place.
    match op {
        Op::Val { value, .. } if value >= count => return Ok(false),
        Op::Val { len: 1, .. } | Op::Zero { len: 1, bytes: 1 } => {
            hll[p] = val_byte(count, 1);
            merge_adjacent_vals(hll, prev.unwrap_or(HDR_SIZE));
            invalidate_cache(hll);
            return Ok(true);
        }
        _ => {}
    }
    // Step 3: split the opcode around the register.
    let mut seq = Vec::with_capacity(5);
    match op {
        Op::Zero { .. } => {
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_byte(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        }
        Op::Val { value, .. } => {
            if index != first {
                seq.push(val_byte(value, index - first));
            }
            seq.push(val_byte(count, 1));
            if index != last {
                seq.push(val_byte(value, last - index));
            }
        }
    }
    let old_len = op.bytes();
    if seq.len() > old_len && hll.len() + (seq.len() - old_len) > sparse_max {
        return promote(hll, index, count);
    }
    hll.splice(p..p + old_len, seq);
    // Step 4: merge equal VAL neighbours.
    merge_adjacent_vals(hll, prev.unwrap_or(HDR_SIZE));
    invalidate_cache(hll);
    Ok(true)
}

/// Converts to dense and raises register `index` to `count` there.
fn promote(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupted> {
    sparse_to_dense(hll)?;
    Ok(dense_raise(&mut hll[HDR_SIZE..], index, count))
}

/// Merges adjacent VAL opcodes of equal value whose lengths fit in one, looking at up
/// to five opcodes from offset `start` (what Redis's hllSparseSet does after an update).
fn merge_adjacent_vals(hll: &mut Vec<u8>, start: usize) {
    let mut p = start;
    let mut budget = 5;
    while p < hll.len() && budget > 0 {
        budget -= 1;
        let op = Op::decode(&hll[p..]);
        let Op::Val { value, len } = op else {
            p += op.bytes();
            continue;
        };
        if p + 1 < hll.len() && hll[p + 1] & VAL_BIT != 0 {
            if let Op::Val {
                value: v2,
                len: len2,
            } = Op::decode(&hll[p + 1..])
            {
                if v2 == value && len + len2 <= VAL_MAX_LEN {
                    hll[p + 1] = val_byte(value, len + len2);
                    hll.remove(p);
                    // Look again at the merged opcode: it may merge with the next.
                    continue;
                }
            }
        }
        p += 1;
    }
}

/// Raises register `index` to `count` in either encoding; returns whether it changed.
/// The cache is invalidated by sparse updates; dense callers invalidate it themselves.
pub fn raise_register(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupted> {
    match encoding_of(hll) {
        Encoding::Dense => Ok(dense_raise(&mut hll[HDR_SIZE..], index, count)),
        Encoding::Sparse => sparse_raise(hll, index, count, sparse_max),
    }
}

/// Adds `element` (PFADD); returns whether a register changed.
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max: usize) -> Result<bool, Corrupted> {
    let (index, count) = pattern_len(element);
    raise_register(hll, index, count, sparse_max)
}

/// Raises `max[i]` to the value of register `i` of `hll`, for every register (the union
/// used by PFCOUNT with several keys and PFMERGE).
pub fn merge_into(max: &mut [u8; REGISTERS], hll: &[u8]) -> Result<(), Corrupted> {
    match encoding_of(hll) {
        Encoding::Dense => {
            let regs = &hll[HDR_SIZE..];
            for (i, m) in max.iter_mut().enumerate() {
                *m = (*m).max(dense_get(regs, i));
            }
            Ok(())
        }
        Encoding::Sparse => {
            let mut i = 0usize;
            let mut p = HDR_SIZE;
            while p < hll.len() {
                let op = Op::decode(&hll[p..]);
                if let Op::Val { value, len } = op {
                    if i + len > REGISTERS {
                        break;
                    }
                    for m in &mut max[i..i + len] {
                        *m = (*m).max(value);
                    }
                }
                i += op.span();
                p += op.bytes();
            }
            if i == REGISTERS {
                Ok(())
            } else {
                Err(Corrupted)
            }
        }
    }
}

/// Ertl's sigma function.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prev = z;
        z += x * y;
        y += y;
        if z_prev == z {
            return z;
        }
    }
}

/// Ertl's tau function.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z_prev == z {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from a histogram of register values.
fn estimate(histo: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let q = Q as usize;
    let mut z = m * tau((m - histo[q + 1] as f64) / m);
    for j in (1..=q).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// Counts a validated HyperLogLog (ignoring its cache).
pub fn count(hll: &[u8]) -> Result<u64, Corrupted> {
    let mut histo = [0u32; 64];
    match encoding_of(hll) {
        Encoding::Dense => {
            let regs = &hll[HDR_SIZE..];
            for i in 0..REGISTERS {
                histo[dense_get(regs, i) as usize] += 1;
            }
        }
        Encoding::Sparse => {
            let mut idx = 0usize;
            let mut p = HDR_SIZE;
            while p < hll.len() {
                let op = Op::decode(&hll[p..]);
                match op {
                    Op::Zero { len, .. } => histo[0] += len as u32,
                    Op::Val { value, len } => histo[value as usize] += len as u32,
                }
                idx += op.span();
                p += op.bytes();
            }
            if idx != REGISTERS {
                return Err(Corrupted);
            }
        }
    }
    Ok(estimate(&histo))
}

/// Counts one register per byte (the union built by PFCOUNT with several keys).
pub fn count_registers(regs: &[u8; REGISTERS]) -> u64 {
    let mut histo = [0u32; 64];
    for &r in regs.iter() {
        histo[(r & 63) as usize] += 1;
    }
    estimate(&histo)
}

/// PFDEBUG DECODE's text for a sparse HyperLogLog: `z:<n>`, `Z:<n>`, `v:<value>,<n>`
/// separated by spaces.
pub fn decode_sparse(hll: &[u8]) -> String {
    let mut words = Vec::new();
    let mut p = HDR_SIZE;
    while p < hll.len() {
        let op = Op::decode(&hll[p..]);
        words.push(match op {
            Op::Zero { len, bytes: 1 } => format!("z:{}", len),
            Op::Zero { len, .. } => format!("Z:{}", len),
            Op::Val { value, len } => format!("v:{},{}", value, len),
        });
        p += op.bytes();
    }
    words.join(" ")
}

/// The 16384 register values of a dense HyperLogLog.
pub fn dense_registers(hll: &[u8]) -> Vec<u8> {
    (0..REGISTERS)
        .map(|i| dense_get(&hll[HDR_SIZE..], i))
        .collect()
}

/// PFSELFTEST (Redis's pfselftestCommand): first, 1000 rounds of writing random values
/// to all dense registers and reading them back; then 10 million distinct 8-byte
/// elements added both to a dense register set and to a sparse HyperLogLog, checking
/// at cardinalities 1, 10, 100... that the sparse one is still sparse while under half
/// of `sparse_max`, that both count the same, and that the error stays within six
/// standard errors. `rand` supplies the random numbers. The error text is Redis's.
pub fn selftest(sparse_max: usize, mut rand: impl FnMut() -> u32) -> Result<(), String> {
    const TEST_CYCLES: usize = 1000;
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..4].copy_from_slice(b"HYLL");
    dense[ENCODING_OFFSET] = ENCODING_DENSE;
    let mut bytecounters = [0u8; REGISTERS];
    for _ in 0..TEST_CYCLES {
        for (i, b) in bytecounters.iter_mut().enumerate() {
            *b = (rand() & REGISTER_MAX as u32) as u8;
            dense_put(&mut dense[HDR_SIZE..], i, *b);
        }
        for (i, &b) in bytecounters.iter().enumerate() {
            let val = dense_get(&dense[HDR_SIZE..], i);
            if val != b {
                return Err(format!(
                    "TESTFAILED Register {i} should be {b} but is {val}"
                ));
            }
        }
    }
    dense[HDR_SIZE..].fill(0);
    let mut sparse = new_sparse();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = rand() as u64 | (rand() as u64) << 32;
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        let (index, zeros) = pattern_len(&ele);
        dense_raise(&mut dense[HDR_SIZE..], index, zeros);
        raise_register(&mut sparse, index, zeros, sparse_max)
            .map_err(|_| "TESTFAILED sparse HyperLogLog corrupted".to_string())?;
        if j != checkpoint {
            continue;
        }
        if (j as usize) < sparse_max / 2 && encoding_of(&sparse) != Encoding::Sparse {
            return Err("TESTFAILED sparse encoding not used".into());
        }
        let dense_card = count(&dense).map_err(|_| "TESTFAILED dense/sparse disagree")?;
        if count(&sparse).ok() != Some(dense_card) {
            return Err("TESTFAILED dense/sparse disagree".into());
        }
        let abserr = (checkpoint as i64 - dense_card as i64).unsigned_abs();
        let mut maxerr = (relerr * 6.0 * checkpoint as f64).ceil() as u64;
        // Collisions make a large error at cardinality 10 statistically likely.
        if j == 10 {
            maxerr = 1;
        }
        if abserr > maxerr {
            return Err(format!(
                "TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 3000;

    #[test]
    fn elements_land_where_redis_puts_them() {
        // Redis 7.0 stores PFADD h a b c as XZERO:8436 VAL:1 XZERO:4274 VAL:2
        // XZERO:3068 VAL:1 XZERO:603, i.e. registers 8436=1, 12711=2, 15780=1.
        let mut got: Vec<(usize, u8)> =
            [b"a", b"b", b"c"].iter().map(|e| pattern_len(*e)).collect();
        got.sort();
        assert_eq!(got, [(8436, 1), (12711, 2), (15780, 1)]);
        let mut h = new_sparse();
        for e in [b"a", b"b", b"c"] {
            assert_eq!(add(&mut h, e, MAX), Ok(true));
        }
        assert_eq!(
            decode_sparse(&h),
            "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
        );
        assert_eq!(murmurhash64a(b"", 0), 0);
    }

    #[test]
    fn empty_sketch_bytes() {
        let h = new_sparse();
        assert_eq!(
            h,
            b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff".to_vec()
        );
        assert_eq!(validate(&h), Some(Encoding::Sparse));
        assert_eq!(count(&h), Ok(0));
        assert_eq!(cached_count(&h), Some(0));
        assert_eq!(decode_sparse(&h), "Z:16384");
    }

    #[test]
    fn dense_register_packing_round_trips() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        let mut seed = 12345u64;
        let mut want = vec![0u8; REGISTERS];
        for (i, w) in want.iter_mut().enumerate() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *w = (seed >> 58) as u8;
            dense_put(&mut regs, i, *w);
        }
        for (i, w) in want.iter().enumerate() {
            assert_eq!(dense_get(&regs, i), *w, "register {i}");
        }
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        sparse_to_dense(&mut dense).unwrap();
        for i in 0..2000u32 {
            let e = i.to_le_bytes();
            let a = add(&mut sparse, &e, usize::MAX).unwrap();
            let b = add(&mut dense, &e, usize::MAX).unwrap();
            assert_eq!(a, b);
        }
        assert_eq!(encoding_of(&sparse), Encoding::Sparse);
        assert_eq!(count(&sparse), count(&dense));
        let mut converted = sparse.clone();
        sparse_to_dense(&mut converted).unwrap();
        assert_eq!(converted[HDR_SIZE..], dense[HDR_SIZE..]);
        let n = count(&dense).unwrap();
        assert!((1900..=2100).contains(&n), "{n}");
    }

    #[test]
    fn sparse_promotes_past_the_size_limit() {
        let mut h = new_sparse();
        let mut i = 0u32;
        while encoding_of(&h) == Encoding::Sparse {
            assert!(h.len() <= MAX);
            add(&mut h, &i.to_le_bytes(), MAX).unwrap();
            i += 1;
        }
        assert_eq!(h.len(), DENSE_SIZE);
    }

    #[test]
    fn corrupted_sparse_is_detected() {
        let mut h = new_sparse();
        h.truncate(HDR_SIZE + 1);
        h.push(0x00);
        assert_eq!(count(&h), Err(Corrupted));
        assert_eq!(sparse_to_dense(&mut h.clone()), Err(Corrupted));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &h), Err(Corrupted));
        assert!(validate(b"HYLL\x02xxxxxxxxxxxxxxx").is_none());
        assert!(validate(b"HYLL\x00xxxxxxxxxxxxxxx").is_none());
        assert!(validate(b"HYLX\x01xxxxxxxxxxxxxxx").is_none());
    }

    #[test]
    fn cache_bits() {
        let mut h = new_sparse();
        set_cached_count(&mut h, 1234);
        assert_eq!(cached_count(&h), Some(1234));
        invalidate_cache(&mut h);
        assert_eq!(cached_count(&h), None);
    }

    #[test]
    fn estimator_of_empty_and_full_registers() {
        assert_eq!(count_registers(&[0u8; REGISTERS]), 0);
        let n = count_registers(&[1u8; REGISTERS]);
        assert!(n > 10_000 && n < 40_000, "{n}");
    }

    proptest::proptest! {
        /// Random PFADD sequences, with a random sparse size limit so some sketches turn
        /// dense part-way, against a model of the 16384 registers: `add` reports a change
        /// exactly when a register rises, the registers read back (through a dense
        /// conversion and through `merge_into`) equal the model, and the estimate is the
        /// model's.
        #[test]
        fn adds_match_a_register_model(
            elements in proptest::collection::vec(
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6),
                0..400,
            ),
            sparse_max in 20usize..4000,
        ) {
            let mut sketch = new_sparse();
            let mut model = [0u8; REGISTERS];
            for e in &elements {
                let (index, rank) = pattern_len(e);
                let rises = rank > model[index];
                model[index] = model[index].max(rank);
                proptest::prop_assert_eq!(add(&mut sketch, e, sparse_max), Ok(rises));
                if encoding_of(&sketch) == Encoding::Sparse {
                    proptest::prop_assert!(sketch.len() <= sparse_max.max(HDR_SIZE + 2));
                }
            }
            let mut merged = [0u8; REGISTERS];
            merge_into(&mut merged, &sketch).unwrap();
            proptest::prop_assert!(merged == model);
            proptest::prop_assert_eq!(count(&sketch), Ok(count_registers(&model)));
            let mut dense = sketch.clone();
            if encoding_of(&dense) == Encoding::Sparse {
                sparse_to_dense(&mut dense).unwrap();
            }
            proptest::prop_assert!(dense_registers(&dense) == model.to_vec());
        }
    }

    #[test]
    fn selftest_passes() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 33) as u32
        };
        assert_eq!(selftest(3000, rand), Ok(()));
    }
}
