//! Pure bit-level functions behind SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD,
//! with Redis 7.0's exact semantics (range normalisation, zero padding, overflow rules).
//!
//! Bits are numbered from the most significant bit of the first byte: bit 0 is `0x80` of
//! byte 0, bit 7 is `0x01` of byte 0, bit 8 is `0x80` of byte 1.

use super::numbers::parse_i64;

/// Error text Redis gives for a bad SETBIT/GETBIT/BITFIELD offset.
pub const BIT_OFFSET_ERROR: &str = "bit offset is not an integer or out of range";
/// Error text Redis gives for a bad BITFIELD type.
pub const BITFIELD_TYPE_ERROR: &str =
    "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// Number of set bits in `bytes`.
pub fn popcount(bytes: &[u8]) -> u64 {
    bytes.iter().map(|b| u64::from(b.count_ones())).sum()
}

/// Parses a SETBIT/GETBIT offset: a `string2ll` integer, not negative, with
/// `offset / 8 < max_bytes` (`proto-max-bulk-len`; pass `u64::MAX` for the master link
/// and AOF loading, which Redis exempts). `None` means [`BIT_OFFSET_ERROR`].
pub fn parse_bit_offset(b: &[u8], max_bytes: u64) -> Option<u64> {
    check_offset(parse_i64(b)?, max_bytes)
}

/// Parses a BITFIELD offset: like [`parse_bit_offset`], and `#n` means `n × bits` (the
/// n-th field of this width; the product wraps as in C before the range check).
pub fn parse_bitfield_offset(b: &[u8], bits: u32, max_bytes: u64) -> Option<u64> {
    let offset = match b.split_first() {
        Some((b'#', n)) => parse_i64(n)?.wrapping_mul(i64::from(bits)),
        _ => parse_i64(b)?,
    };
    check_offset(offset, max_bytes)
}

/// Applies Redis's offset limits: not negative and `offset >> 3 < max_bytes`.
fn check_offset(offset: i64, max_bytes: u64) -> Option<u64> {
    let offset = u64::try_from(offset).ok()?;
    (offset >> 3 < max_bytes).then_some(offset)
}

/// Value of bit `offset` (0 beyond the end of the string).
pub fn get_bit(s: &[u8], offset: u64) -> u8 {
    let byte = usize::try_from(offset >> 3)
        .ok()
        .and_then(|i| s.get(i))
        .copied()
        .unwrap_or(0);
    (byte >> (7 - (offset & 7))) & 1
}

/// Grows `s` with zero bytes so that bit `bit` exists (as Redis does before SETBIT and
/// before running any BITFIELD write, even one that later fails). The caller bounds `bit`
/// (see [`parse_bit_offset`]); the length is then at most `max_bytes`.
pub fn grow_for_bit(s: &mut Vec<u8>, bit: u64) {
    let needed = usize::try_from(bit >> 3).map_or(usize::MAX, |n| n.saturating_add(1));
    if s.len() < needed {
        s.resize(needed, 0);
    }
}

/// Sets bit `offset` to `on`, growing `s` with zeros as needed; returns the old bit.
pub fn set_bit(s: &mut Vec<u8>, offset: u64, on: bool) -> u8 {
    grow_for_bit(s, offset);
    let old = get_bit(s, offset);
    let mask = 0x80u8 >> (offset & 7);
    if let Some(byte) = usize::try_from(offset >> 3).ok().and_then(|i| s.get_mut(i)) {
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
    old
}

/// How BITCOUNT/BITPOS interpret `start` and `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeUnit {
    /// Byte indexes (the default, `BYTE`).
    Byte,
    /// Bit indexes (`BIT`).
    Bit,
}

/// A range normalised as Redis does: inclusive byte indexes plus masks of the bits
/// outside the range in the first and last byte (non-zero only in bit mode).
struct ByteRange {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

/// Resolves negative indexes, clamps to the string, and in bit mode converts to bytes
/// with edge masks. `start > end` in the result means an empty range.
fn normalize(len: usize, start: i64, end: i64, unit: RangeUnit) -> ByteRange {
    let bits = unit == RangeUnit::Bit;
    let total = if bits { len as i64 * 8 } else { len as i64 };
    let resolve = |i: i64| if i < 0 { (i + total).max(0) } else { i };
    let start = resolve(start);
    let end = resolve(end).min(total - 1);
    if bits && start <= end {
        ByteRange {
            start: start >> 3,
            end: end >> 3,
            first_mask: !((1u16 << (8 - (start & 7))) - 1) as u8,
            last_mask: ((1u16 << (7 - (end & 7))) - 1) as u8,
        }
    } else {
        ByteRange {
            start,
            end,
            first_mask: 0,
            last_mask: 0,
        }
    }
}

/// BITCOUNT: set bits of the whole string (`range` `None`) or of `start..=end` in the
/// given unit, with negative indexes from the end. The caller answers 0 for a missing key.
pub fn bitcount(s: &[u8], range: Option<(i64, i64, RangeUnit)>) -> u64 {
    let r = match range {
        None => ByteRange {
            start: 0,
            end: s.len() as i64 - 1,
            first_mask: 0,
            last_mask: 0,
        },
        Some((start, end, _)) if start < 0 && end < 0 && start > end => return 0,
        Some((start, end, unit)) => normalize(s.len(), start, end, unit),
    };
    if r.start > r.end {
        return 0;
    }
    let (first, last) = (r.start as usize, r.end as usize);
    popcount(&s[first..=last])
        - u64::from((s[first] & r.first_mask).count_ones())
        - u64::from((s[last] & r.last_mask).count_ones())
}

/// Position of the first `bit` in `bytes` (Redis `redisBitpos`): when looking for 0 and
/// none is found, the string counts as zero padded and `len × 8` is returned; when
/// looking for 1 and none is found, -1.
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if bit { bytes[i] } else { !bytes[i] };
            i as i64 * 8 + i64::from(b.leading_zeros())
        }
        None if bit => -1,
        None => bytes.len() as i64 * 8,
    }
}

/// BITPOS on an existing string: the first bit equal to `bit`, in the whole string
/// (`start` `None`) or from `start` to `end` (`end` `None` = not given) in `unit`, or -1.
/// Looking for 0 with no end given treats the string as zero padded on the right (so an
/// all-ones string answers `len × 8`); with an explicit end the answer stays in range.
/// `RangeUnit::Bit` is only reachable with an explicit end. The caller answers a missing
/// key itself (`bit ? -1 : 0`).
pub fn bitpos(s: &[u8], bit: bool, start: Option<i64>, end: Option<i64>, unit: RangeUnit) -> i64 {
    let len = s.len() as i64;
    let r = match start {
        None => ByteRange {
            start: 0,
            end: len - 1,
            first_mask: 0,
            last_mask: 0,
        },
        Some(start) => {
            let end = end.unwrap_or(if unit == RangeUnit::Bit {
                len * 8 + 7
            } else {
                len - 1
            });
            normalize(s.len(), start, end, unit)
        }
    };
    if r.start > r.end {
        return -1;
    }
    let (mut first, mut count) = (r.start, r.end - r.start + 1);
    // Mask the out-of-range bits to the value not searched for.
    let hide = |b: u8, mask: u8| if bit { b & !mask } else { b | mask };
    let pos = 'search: {
        if r.first_mask != 0 {
            let mut b = hide(s[first as usize], r.first_mask);
            if r.last_mask != 0 && count == 1 {
                b = hide(b, r.last_mask);
            }
            let pos = first_bit(&[b], bit);
            if count == 1 || (pos != -1 && pos != 8) {
                break 'search pos;
            }
            first += 1;
            count -= 1;
        }
        let middle = count - i64::from(r.last_mask != 0);
        if middle > 0 {
            let pos = first_bit(&s[first as usize..(first + middle) as usize], bit);
            if count == middle || (pos != -1 && pos != middle * 8) {
                break 'search pos;
            }
            first += middle;
            count -= middle;
        }
        first_bit(&[hide(s[r.end as usize], r.last_mask)], bit)
    };
    if end.is_some() && !bit && pos == count * 8 {
        return -1;
    }
    if pos == -1 {
        -1
    } else {
        pos + first * 8
    }
}

/// A BITOP operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// BITOP: combines the inputs byte by byte, shorter inputs (and missing keys, given as
/// empty slices) zero padded to the longest. `Not` uses only the first input (Redis
/// requires exactly one). An empty result means the destination key is deleted; the
/// reply is the result length either way.
pub fn bitop(op: BitOp, inputs: &[&[u8]]) -> Vec<u8> {
    let len = inputs.iter().map(|s| s.len()).max().unwrap_or(0);
    let at = |s: &[u8], j: usize| s.get(j).copied().unwrap_or(0);
    (0..len)
        .map(|j| {
            let first = inputs.first().map_or(0, |s| at(s, j));
            let rest = inputs.iter().skip(1).map(|s| at(s, j));
            match op {
                BitOp::Not => !first,
                BitOp::And => rest.fold(first, |acc, b| acc & b),
                BitOp::Or => rest.fold(first, |acc, b| acc | b),
                BitOp::Xor => rest.fold(first, |acc, b| acc ^ b),
            }
        })
        .collect()
}

/// A BITFIELD integer type: `i1`..`i64` or `u1`..`u63`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitfieldType {
    /// `i` (two's complement) rather than `u`.
    pub signed: bool,
    /// Width in bits.
    pub bits: u32,
}

impl BitfieldType {
    /// Parses `i<n>` / `u<n>` as Redis does (lower-case letter, `string2ll` width read as
    /// a C string); `None` means [`BITFIELD_TYPE_ERROR`].
    pub fn parse(b: &[u8]) -> Option<BitfieldType> {
        let (&kind, rest) = b.split_first()?;
        let signed = match kind {
            b'i' => true,
            b'u' => false,
            _ => return None,
        };
        let rest = rest
            .iter()
            .position(|&c| c == 0)
            .map_or(rest, |n| &rest[..n]);
        let bits = parse_i64(rest)?;
        let max = if signed { 64 } else { 63 };
        (1..=max).contains(&bits).then_some(BitfieldType {
            signed,
            bits: bits as u32,
        })
    }
}

/// BITFIELD overflow policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Wrap around (the default).
    #[default]
    Wrap,
    /// Saturate at the type's minimum or maximum.
    Sat,
    /// Do nothing and reply nil.
    Fail,
}

/// Outcome of a BITFIELD SET or INCRBY that was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitfieldWrite {
    /// The field's value before (SET replies this).
    pub old: i64,
    /// The value written (INCRBY replies this).
    pub new: i64,
}

/// BITFIELD GET: the field at bit `offset`, reading zeros beyond the string.
pub fn bitfield_get(s: &[u8], ty: BitfieldType, offset: u64) -> i64 {
    let raw = read_bits(s, offset, ty.bits);
    if ty.signed {
        sign_extend(raw, ty.bits)
    } else {
        raw as i64
    }
}

/// BITFIELD SET: stores `value` in the field, first adjusted for the type per `ow`;
/// `None` when `ow` is `Fail` and the value does not fit (nothing written). Grows `s`
/// as needed.
pub fn bitfield_set(
    s: &mut Vec<u8>,
    ty: BitfieldType,
    offset: u64,
    value: i64,
    ow: Overflow,
) -> Option<BitfieldWrite> {
    let old = bitfield_get(s, ty, offset);
    let new = if ty.signed {
        signed_add(value, 0, ty.bits, ow)?
    } else {
        unsigned_add(value as u64, 0, ty.bits, ow)?
    };
    write_bits(s, offset, ty.bits, new as u64);
    Some(BitfieldWrite { old, new })
}

/// BITFIELD INCRBY: adds `incr` to the field with overflow policy `ow`; `None` when `ow`
/// is `Fail` and the sum does not fit (nothing written). Grows `s` as needed.
pub fn bitfield_incrby(
    s: &mut Vec<u8>,
    ty: BitfieldType,
    offset: u64,
    incr: i64,
    ow: Overflow,
) -> Option<BitfieldWrite> {
    let old = bitfield_get(s, ty, offset);
    let new = if ty.signed {
        signed_add(old, incr, ty.bits, ow)?
    } else {
        unsigned_add(old as u64, incr, ty.bits, ow)?
    };
    write_bits(s, offset, ty.bits, new as u64);
    Some(BitfieldWrite { old, new })
}

/// `value + incr` for a signed field of `bits` bits under policy `ow`, following Redis's
/// overflow test (`value` may itself be out of range on SET); `None` on `Fail` overflow.
fn signed_add(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let over = value > max
        || (bits != 64 && incr > max_incr)
        || (value >= 0 && incr > 0 && incr > max_incr);
    let under = value < min
        || (bits != 64 && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr);
    if !over && !under {
        return Some(value.wrapping_add(incr));
    }
    match ow {
        Overflow::Fail => None,
        Overflow::Sat => Some(if over { max } else { min }),
        Overflow::Wrap => {
            let sum = (value as u64).wrapping_add(incr as u64);
            Some(if bits == 64 {
                sum as i64
            } else {
                sign_extend(sum, bits)
            })
        }
    }
}

/// `value + incr` for an unsigned field of `bits` (≤ 63) bits under policy `ow`,
/// following Redis's overflow test; `None` on `Fail` overflow.
fn unsigned_add(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max = (1u64 << bits) - 1;
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let over = value > max || (incr > 0 && incr > max_incr);
    let under = !over && incr < 0 && incr < min_incr;
    if !over && !under {
        return Some(value.wrapping_add(incr as u64) as i64);
    }
    match ow {
        Overflow::Fail => None,
        Overflow::Sat => Some(if over { max as i64 } else { 0 }),
        Overflow::Wrap => Some((value.wrapping_add(incr as u64) & max) as i64),
    }
}

/// The low `bits` bits of `raw` as a two's complement number.
fn sign_extend(raw: u64, bits: u32) -> i64 {
    if bits >= 64 {
        return raw as i64;
    }
    let shift = 64 - bits;
    ((raw << shift) as i64) >> shift
}

/// Reads `bits` bits from bit `offset`, most significant first, zeros beyond the end.
fn read_bits(s: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0u64, |acc, k| {
        (acc << 1) | u64::from(get_bit(s, offset + k))
    })
}

/// Writes the low `bits` bits of `value` at bit `offset`, most significant first.
fn write_bits(s: &mut Vec<u8>, offset: u64, bits: u32, value: u64) {
    for k in 0..bits {
        let on = (value >> (bits - 1 - k)) & 1 == 1;
        set_bit(s, offset + u64::from(k), on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const U8: BitfieldType = BitfieldType {
        signed: false,
        bits: 8,
    };
    const I8: BitfieldType = BitfieldType {
        signed: true,
        bits: 8,
    };

    #[test]
    fn setbit_getbit() {
        let mut s = Vec::new();
        assert_eq!(set_bit(&mut s, 7, true), 0);
        assert_eq!(s, vec![0x01]);
        assert_eq!(set_bit(&mut s, 7, true), 1);
        assert_eq!(set_bit(&mut s, 8, true), 0);
        assert_eq!(s, vec![0x01, 0x80]);
        assert_eq!(get_bit(&s, 8), 1);
        assert_eq!(get_bit(&s, 1000), 0);
        assert_eq!(set_bit(&mut s, 0, false), 0);
        assert_eq!(set_bit(&mut s, 7, false), 1);
        assert_eq!(s, vec![0x00, 0x80]);
    }

    #[test]
    fn offsets() {
        let max = 512 * 1024 * 1024;
        assert_eq!(parse_bit_offset(b"0", max), Some(0));
        assert_eq!(parse_bit_offset(b"4294967295", max), Some(4294967295));
        assert_eq!(parse_bit_offset(b"4294967296", max), None);
        assert_eq!(parse_bit_offset(b"-1", max), None);
        assert_eq!(parse_bit_offset(b"#1", max), None);
        assert_eq!(parse_bitfield_offset(b"#3", 8, max), Some(24));
        assert_eq!(parse_bitfield_offset(b"#-1", 8, max), None);
        assert_eq!(parse_bitfield_offset(b"# 1", 8, max), None);
        assert_eq!(parse_bitfield_offset(b"100", 8, max), Some(100));
    }

    #[test]
    fn bitfield_types() {
        assert_eq!(
            BitfieldType::parse(b"i64"),
            Some(BitfieldType {
                signed: true,
                bits: 64
            })
        );
        assert_eq!(
            BitfieldType::parse(b"u63"),
            Some(BitfieldType {
                signed: false,
                bits: 63
            })
        );
        for bad in [
            &b"u64"[..],
            b"i65",
            b"i0",
            b"I8",
            b"u08",
            b"u",
            b"",
            b"x8",
            b"i+8",
            b"i-1",
        ] {
            assert_eq!(
                BitfieldType::parse(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    /// BITCOUNT on "foobar" (the documentation example), answers from redis-server 7.0.15.
    #[test]
    fn bitcount_matches_redis() {
        let s = b"foobar";
        assert_eq!(bitcount(s, None), 26);
        assert_eq!(bitcount(s, Some((0, 0, RangeUnit::Byte))), 4);
        assert_eq!(bitcount(s, Some((1, 1, RangeUnit::Byte))), 6);
        assert_eq!(bitcount(s, Some((1, 1, RangeUnit::Bit))), 1);
        assert_eq!(bitcount(s, Some((5, 30, RangeUnit::Bit))), 17);
        assert_eq!(bitcount(s, Some((-1, -2, RangeUnit::Byte))), 0);
        assert_eq!(bitcount(s, Some((-2, -1, RangeUnit::Byte))), 7);
        assert_eq!(bitcount(s, Some((2, 100, RangeUnit::Byte))), 16);
        assert_eq!(bitcount(s, Some((100, 200, RangeUnit::Byte))), 0);
        assert_eq!(bitcount(b"", Some((0, -1, RangeUnit::Byte))), 0);
    }

    /// BITPOS cases, answers from redis-server 7.0.15.
    #[test]
    fn bitpos_matches_redis() {
        let s = [0xff, 0xf0, 0x00];
        assert_eq!(bitpos(&s, false, None, None, RangeUnit::Byte), 12);
        assert_eq!(
            bitpos(&[0x00, 0xff, 0xf0], true, Some(0), None, RangeUnit::Byte),
            8
        );
        assert_eq!(
            bitpos(&[0x00, 0xff, 0xf0], true, Some(2), None, RangeUnit::Byte),
            16
        );
        assert_eq!(
            bitpos(
                &[0x00, 0xff, 0xf0],
                true,
                Some(2),
                Some(-1),
                RangeUnit::Byte
            ),
            16
        );
        assert_eq!(
            bitpos(&[0x00, 0xff, 0xf0], true, Some(7), Some(15), RangeUnit::Bit),
            8
        );
        assert_eq!(
            bitpos(&[0x00, 0x00, 0x00], true, None, None, RangeUnit::Byte),
            -1
        );
        // All ones: no end given -> first bit after the string; end given -> -1.
        assert_eq!(
            bitpos(&[0xff, 0xff], false, None, None, RangeUnit::Byte),
            16
        );
        assert_eq!(
            bitpos(&[0xff, 0xff], false, Some(0), None, RangeUnit::Byte),
            16
        );
        assert_eq!(
            bitpos(&[0xff, 0xff], false, Some(0), Some(-1), RangeUnit::Byte),
            -1
        );
        assert_eq!(
            bitpos(&[0xff, 0xff], false, Some(1), Some(9), RangeUnit::Bit),
            -1
        );
        assert_eq!(bitpos(b"", false, None, None, RangeUnit::Byte), -1);
        assert_eq!(bitpos(b"", true, None, None, RangeUnit::Byte), -1);
    }

    #[test]
    fn bitop_pads_shorter_inputs() {
        let a: &[u8] = b"\xff\x0f";
        let b: &[u8] = b"\x0f";
        assert_eq!(bitop(BitOp::And, &[a, b]), vec![0x0f, 0x00]);
        assert_eq!(bitop(BitOp::Or, &[a, b]), vec![0xff, 0x0f]);
        assert_eq!(bitop(BitOp::Xor, &[a, b]), vec![0xf0, 0x0f]);
        assert_eq!(bitop(BitOp::Not, &[a]), vec![0x00, 0xf0]);
        assert_eq!(bitop(BitOp::And, &[b"", b""]), Vec::<u8>::new());
        assert_eq!(bitop(BitOp::And, &[b"abc", b""]), vec![0, 0, 0]);
    }

    /// BITFIELD cases, answers from redis-server 7.0.15.
    #[test]
    fn bitfield_matches_redis() {
        let mut s = Vec::new();
        // BITFIELD k SET i8 0 100 INCRBY i8 0 100 (wrap) -> 0, -56
        assert_eq!(
            bitfield_set(&mut s, I8, 0, 100, Overflow::Wrap).map(|w| w.old),
            Some(0)
        );
        assert_eq!(
            bitfield_incrby(&mut s, I8, 0, 100, Overflow::Wrap).map(|w| w.new),
            Some(-56)
        );
        // OVERFLOW SAT INCRBY i8 0 -200 -> -128 ; OVERFLOW FAIL INCRBY i8 0 -1 -> nil
        assert_eq!(
            bitfield_incrby(&mut s, I8, 0, -200, Overflow::Sat).map(|w| w.new),
            Some(-128)
        );
        assert_eq!(bitfield_incrby(&mut s, I8, 0, -1, Overflow::Fail), None);
        // SET u8 8 -1 (wrap), OVERFLOW SAT SET u8 8 -1, OVERFLOW FAIL SET u8 8 -1
        // -> 0, 255, nil (SET replies the old value; -1 is stored as 255 both times).
        let w = bitfield_set(&mut s, U8, 8, -1, Overflow::Wrap);
        assert_eq!(w, Some(BitfieldWrite { old: 0, new: 255 }));
        let w = bitfield_set(&mut s, U8, 8, -1, Overflow::Sat);
        assert_eq!(w, Some(BitfieldWrite { old: 255, new: 255 }));
        assert_eq!(bitfield_set(&mut s, U8, 8, -1, Overflow::Fail), None);
        assert_eq!(s, vec![0x80, 0xff]);
        // u2 at 100: INCRBY 5 wrap -> 1; sat -> 3; INCRBY -10 sat -> 0.
        let u2 = BitfieldType {
            signed: false,
            bits: 2,
        };
        assert_eq!(
            bitfield_incrby(&mut s, u2, 100, 5, Overflow::Wrap).map(|w| w.new),
            Some(1)
        );
        assert_eq!(
            bitfield_incrby(&mut s, u2, 100, 5, Overflow::Sat).map(|w| w.new),
            Some(3)
        );
        assert_eq!(
            bitfield_incrby(&mut s, u2, 100, -10, Overflow::Sat).map(|w| w.new),
            Some(0)
        );
        assert_eq!(s.len(), 13);
        // i64: INCRBY past the maximum.
        let i64t = BitfieldType {
            signed: true,
            bits: 64,
        };
        let mut t = Vec::new();
        assert!(bitfield_set(&mut t, i64t, 0, i64::MAX, Overflow::Wrap).is_some());
        assert_eq!(
            bitfield_incrby(&mut t, i64t, 0, 1, Overflow::Wrap).map(|w| w.new),
            Some(i64::MIN)
        );
        assert_eq!(
            bitfield_incrby(&mut t, i64t, 0, -1, Overflow::Sat).map(|w| w.new),
            Some(i64::MIN)
        );
        assert_eq!(bitfield_get(&t, i64t, 0), i64::MIN);
        // GET i5 4 on "\xff" reads 1111 then a padding 0: 11110 = -2.
        assert_eq!(
            bitfield_get(
                b"\xff",
                BitfieldType {
                    signed: true,
                    bits: 5
                },
                4
            ),
            -2
        );
        assert_eq!(bitfield_get(b"", U8, 1 << 40), 0);
    }

    /// Naive BITPOS from the documented semantics, bit by bit.
    fn naive_bitpos(
        s: &[u8],
        bit: bool,
        start: Option<i64>,
        end: Option<i64>,
        unit: RangeUnit,
    ) -> i64 {
        let len = s.len() as i64;
        let (lo, hi) = match start {
            None => (0, len * 8 - 1),
            Some(st) => {
                let total = if unit == RangeUnit::Bit { len * 8 } else { len };
                let e = end.unwrap_or(total - 1);
                let st = if st < 0 { (st + total).max(0) } else { st };
                let e = if e < 0 { (e + total).max(0) } else { e }.min(total - 1);
                if st > e {
                    return -1;
                }
                if unit == RangeUnit::Bit {
                    (st, e)
                } else {
                    (st * 8, e * 8 + 7)
                }
            }
        };
        if lo > hi {
            return -1;
        }
        for i in lo..=hi {
            if (get_bit(s, i as u64) == 1) == bit {
                return i;
            }
        }
        if bit || end.is_some() {
            -1
        } else {
            hi + 1
        }
    }

    /// Naive BITCOUNT, bit by bit.
    fn naive_bitcount(s: &[u8], start: i64, end: i64, unit: RangeUnit) -> u64 {
        if start < 0 && end < 0 && start > end {
            return 0;
        }
        let len = s.len() as i64;
        let total = if unit == RangeUnit::Bit { len * 8 } else { len };
        let st = if start < 0 {
            (start + total).max(0)
        } else {
            start
        };
        let e = if end < 0 { (end + total).max(0) } else { end }.min(total - 1);
        if st > e {
            return 0;
        }
        let (lo, hi) = if unit == RangeUnit::Bit {
            (st, e)
        } else {
            (st * 8, e * 8 + 7)
        };
        (lo..=hi).map(|i| u64::from(get_bit(s, i as u64))).sum()
    }

    /// Naive BITFIELD INCRBY with i128 arithmetic.
    fn naive_incrby(old: i64, incr: i64, ty: BitfieldType, ow: Overflow) -> Option<i64> {
        let (min, max): (i128, i128) = if ty.signed {
            (-(1i128 << (ty.bits - 1)), (1i128 << (ty.bits - 1)) - 1)
        } else {
            (0, (1i128 << ty.bits) - 1)
        };
        let sum = i128::from(old) + i128::from(incr);
        if (min..=max).contains(&sum) {
            return Some(sum as i64);
        }
        match ow {
            Overflow::Fail => None,
            Overflow::Sat => Some(if sum > max { max as i64 } else { min as i64 }),
            Overflow::Wrap => {
                let m = sum.rem_euclid(1i128 << ty.bits);
                Some(if ty.signed && m > max {
                    (m - (1i128 << ty.bits)) as i64
                } else {
                    m as i64
                })
            }
        }
    }

    fn unit() -> impl Strategy<Value = RangeUnit> {
        prop_oneof![Just(RangeUnit::Byte), Just(RangeUnit::Bit)]
    }

    fn overflow() -> impl Strategy<Value = Overflow> {
        prop_oneof![
            Just(Overflow::Wrap),
            Just(Overflow::Sat),
            Just(Overflow::Fail)
        ]
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(prop_oneof![Just(0u8), Just(0xff), any::<u8>()], 0..24)
    }

    proptest! {
        #[test]
        fn bitpos_matches_naive(s in bytes(), bit: bool, start in -200i64..200, end in -200i64..200,
                                has_start: bool, has_end: bool, u in unit()) {
            let start = has_start.then_some(start);
            let end = if has_start && has_end { Some(end) } else { None };
            let u = if end.is_some() { u } else { RangeUnit::Byte };
            prop_assert_eq!(bitpos(&s, bit, start, end, u), naive_bitpos(&s, bit, start, end, u));
        }

        #[test]
        fn bitcount_matches_naive(s in bytes(), start in -200i64..200, end in -200i64..200, u in unit()) {
            prop_assert_eq!(bitcount(&s, Some((start, end, u))), naive_bitcount(&s, start, end, u));
            prop_assert_eq!(bitcount(&s, None), naive_bitcount(&s, 0, -1, RangeUnit::Byte));
        }

        #[test]
        fn bitop_matches_naive(a in bytes(), b in bytes(), c in bytes()) {
            let inputs: [&[u8]; 3] = [&a, &b, &c];
            let len = a.len().max(b.len()).max(c.len());
            let and = bitop(BitOp::And, &inputs);
            let xor = bitop(BitOp::Xor, &inputs);
            prop_assert_eq!(and.len(), len);
            for i in 0..len as u64 * 8 {
                let bits: Vec<u8> = inputs.iter().map(|s| get_bit(s, i)).collect();
                prop_assert_eq!(get_bit(&and, i), bits[0] & bits[1] & bits[2]);
                prop_assert_eq!(get_bit(&xor, i), bits[0] ^ bits[1] ^ bits[2]);
            }
        }

        #[test]
        fn bitfield_incrby_matches_naive(s in bytes(), signed: bool, bits in 1u32..=64, offset in 0u64..150,
                                          incr in prop_oneof![any::<i64>(), -300i64..300], ow in overflow()) {
            let ty = BitfieldType { signed, bits: if signed { bits } else { bits.min(63) } };
            let mut s = s;
            grow_for_bit(&mut s, offset + u64::from(ty.bits) - 1);
            let old = bitfield_get(&s, ty, offset);
            let want = naive_incrby(old, incr, ty, ow);
            let got = bitfield_incrby(&mut s, ty, offset, incr, ow);
            prop_assert_eq!(got.map(|w| w.new), want);
            prop_assert_eq!(bitfield_get(&s, ty, offset), want.unwrap_or(old));
        }

        #[test]
        fn bitfield_set_matches_naive(s in bytes(), signed: bool, bits in 1u32..=64, offset in 0u64..150,
                                       value in prop_oneof![any::<i64>(), -300i64..300], ow in overflow()) {
            let ty = BitfieldType { signed, bits: if signed { bits } else { bits.min(63) } };
            let mut s = s;
            grow_for_bit(&mut s, offset + u64::from(ty.bits) - 1);
            let before = s.clone();
            let got = bitfield_set(&mut s, ty, offset, value, ow);
            // SET stores the value as if added to zero, except that unsigned fields see a
            // negative value as its two's complement (huge): wrap keeps the low bits.
            let want = if !signed && value < 0 {
                match ow {
                    Overflow::Fail => None,
                    Overflow::Sat => Some(((1u64 << ty.bits) - 1) as i64),
                    Overflow::Wrap => Some((value as u64 & ((1u64 << ty.bits) - 1)) as i64),
                }
            } else if signed
                && ty.bits < 64
                && ow == Overflow::Sat
                && ((1i64 << (ty.bits - 1)) - 1).checked_sub(value).is_none()
            {
                // Redis computes `max - value` in int64 and it wraps for very negative
                // values, so it saturates to the maximum (checked against redis 7.0).
                Some((1i64 << (ty.bits - 1)) - 1)
            } else {
                naive_incrby(0, value, ty, ow)
            };
            prop_assert_eq!(got.map(|w| w.new), want);
            if want.is_none() {
                prop_assert_eq!(&s, &before);
            }
            // Bits outside the field are untouched.
            for i in 0..s.len() as u64 * 8 {
                if i < offset || i >= offset + u64::from(ty.bits) {
                    prop_assert_eq!(get_bit(&s, i), get_bit(&before, i));
                }
            }
        }
    }
}
