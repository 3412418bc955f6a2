//! Number parsing and formatting with the exact rules of Redis 7.0.
//!
//! Map of the module:
//! * integers: [`parse_i64`] (Redis `string2ll`, every integer argument), [`parse_u64`]
//!   (`string2ull`, stream IDs), [`parse_scan_cursor`] (`strtoul` as SCAN uses it);
//! * doubles: [`parse_f64`] (`string2d`: ZADD scores, ranges, timeouts…),
//!   [`format_double`] (`"%.17g"`: double replies and DEBUG DIGEST of scores),
//!   [`format_d2string`] (`d2string`: scores stored in listpacks);
//! * long doubles: [`LongDouble`], a software model of the x87 80-bit `long double` that
//!   INCRBYFLOAT and HINCRBYFLOAT compute with (`string2ld`, `+`, `ld2string` in human
//!   mode), and [`incr_by_float`] which chains them exactly as INCRBYFLOAT does;
//! * [`parse_long_double`] / [`format_incrbyfloat`]: `f64` approximations of the above,
//!   kept for callers that want plain floats (see their docs for where they differ).
//!
//! Decimal-to-binary conversion rounds correctly (to nearest, ties to even), as glibc's
//! `strtod`/`strtold` do, and `%.17Lf` is printed from the exact binary value with ties to
//! even, as glibc's `printf` does, so results match Redis on Linux/x86-64 bit for bit.

use std::cmp::Ordering;
use std::fmt;

// ---------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------

/// Longest text `string2ll` looks at: 21 bytes (`LONG_STR_SIZE`) or more is rejected.
const LONG_STR_SIZE: usize = 21;

/// Parses a signed 64-bit integer as Redis's `string2ll`: an optional `-`, then digits
/// with no leading zero (only `"0"` itself may start with 0), nothing else — no `+`, no
/// spaces, no `"-0"`. Returns `None` on any other text or on overflow.
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() >= LONG_STR_SIZE {
        return None;
    }
    if b == b"0" {
        return Some(0);
    }
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if negative {
        // Magnitudes up to 2^63 fit; two's complement negation maps 2^63 to i64::MIN.
        (v <= 1u64 << 63).then(|| 0u64.wrapping_sub(v) as i64)
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses an unsigned 64-bit integer as Redis's `string2ull` (stream ID parts): the text
/// is read as a C string (up to its first NUL byte); `string2ll` is tried first and a
/// negative result is rejected; otherwise `strtoull` base 10 decides, which also accepts
/// leading white space, a `+`, leading zeros and — as C does — a `-` that negates modulo
/// 2^64 (`"-01"` is `u64::MAX`). Returns `None` if nothing is left to parse, a byte is left
/// over, or the value overflows.
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    let s = c_str(b);
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let r = strtoul(s);
    (!s.is_empty() && r.end == s.len() && !r.overflow).then_some(r.value)
}

/// Parses a SCAN/HSCAN/SSCAN/ZSCAN cursor as Redis does with `strtoul`: the text is read
/// as a C string (up to its first NUL byte), must not start with white space, may carry a
/// sign (`"-1"` is `u64::MAX`), must be consumed entirely, and must not overflow. The empty
/// string is cursor 0, as in Redis. Returns `None` where Redis answers "invalid cursor".
pub fn parse_scan_cursor(b: &[u8]) -> Option<u64> {
    let s = c_str(b);
    if s.first().is_some_and(|&c| is_c_space(c)) {
        return None;
    }
    let r = strtoul(s);
    (r.end == s.len() && !r.overflow).then_some(r.value)
}

/// Result of [`strtoul`]: the value, where parsing stopped, and whether it overflowed.
struct StrtoulResult {
    value: u64,
    end: usize,
    overflow: bool,
}

/// C's `atoi` as glibc does it (strtol then truncation to int): optional leading
/// whitespace and sign, then digits up to the first non-digit; 0 when there are none.
pub fn atoi(b: &[u8]) -> i32 {
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let negative = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: i64 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(i64::from(d - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    let v = match (overflow, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, true) => -v,
        (false, false) => v,
    };
    v as i32
}

/// Models C's `strtoul(s, &end, 10)` on a 64-bit target: skips white space, takes an
/// optional sign and decimal digits; with no digits `end` is 0 (nothing consumed).
fn strtoul(s: &[u8]) -> StrtoulResult {
    let mut i = s.iter().take_while(|&&c| is_c_space(c)).count();
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let (mut value, mut overflow) = (0u64, false);
    while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return StrtoulResult {
            value: 0,
            end: 0,
            overflow: false,
        };
    }
    if overflow {
        value = u64::MAX;
    } else if negative {
        value = value.wrapping_neg();
    }
    StrtoulResult {
        value,
        end: i,
        overflow,
    }
}

/// The bytes of `b` up to (not including) its first NUL, as C string functions see it.
pub fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

/// C's `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

// ---------------------------------------------------------------------------------------
// Float literals (the grammar of C's strtod / strtold, without leading white space)
// ---------------------------------------------------------------------------------------

/// A float literal split into its parts; digits are ASCII (hex digits for `Hex`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Literal<'a> {
    /// `inf` or `infinity`, any case.
    Inf { negative: bool },
    /// A decimal or hexadecimal number: `int_digits.frac_digits × base^exp`, where the base
    /// is 10 for decimal and the exponent counts powers of 2 for hex (`p` exponent).
    Number {
        negative: bool,
        hex: bool,
        int_digits: &'a [u8],
        frac_digits: &'a [u8],
        exp: i64,
    },
}

/// Exponents are clamped to this magnitude while parsing: far beyond any finite or
/// non-zero result, and small enough that later arithmetic cannot overflow.
const EXP_CLAMP: i64 = 1 << 40;

/// Splits `b` as a complete strtod literal: `[+-]` then `inf`/`infinity`, or a decimal
/// mantissa with an optional `e` exponent, or `0x` + hex mantissa with an optional `p`
/// exponent. Returns `None` for anything else, including NaN (which Redis rejects),
/// white space anywhere and trailing bytes.
fn scan_literal(b: &[u8]) -> Option<Literal<'_>> {
    let (negative, rest) = match b.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, b),
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Some(Literal::Inf { negative });
    }
    let (hex, body) = match rest {
        [b'0', b'x' | b'X', tail @ ..] => (true, tail),
        _ => (false, rest),
    };
    let is_digit = |c: &u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let int_len = body.iter().take_while(|c| is_digit(c)).count();
    let (int_digits, mut tail) = body.split_at(int_len);
    let mut frac_digits: &[u8] = &[];
    if let Some((b'.', after_dot)) = tail.split_first() {
        let n = after_dot.iter().take_while(|c| is_digit(c)).count();
        frac_digits = &after_dot[..n];
        tail = &after_dot[n..];
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let exp = match tail.split_first() {
        None => 0,
        Some((&marker, exp_text)) => {
            let expected = if hex { b'p' } else { b'e' };
            if marker.to_ascii_lowercase() != expected {
                return None;
            }
            parse_exponent(exp_text)?
        }
    };
    Some(Literal::Number {
        negative,
        hex,
        int_digits,
        frac_digits,
        exp,
    })
}

/// Parses a complete `[+-]digits` exponent, clamping its magnitude to [`EXP_CLAMP`].
fn parse_exponent(b: &[u8]) -> Option<i64> {
    let (negative, digits) = match b.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |acc, &c| {
        (acc * 10 + i64::from(c - b'0')).min(EXP_CLAMP)
    });
    Some(if negative { -magnitude } else { magnitude })
}

// ---------------------------------------------------------------------------------------
// Binary floating-point formats and correct rounding
// ---------------------------------------------------------------------------------------

/// A binary floating-point format: `bits` of significand, the exponent of the lowest
/// representable bit (smallest subnormal) and the largest binary exponent.
#[derive(Debug, Clone, Copy)]
struct Format {
    bits: u32,
    min_lsb_exp: i64,
    max_exp: i64,
}

/// IEEE 754 binary64 (`double`).
const F64: Format = Format {
    bits: 53,
    min_lsb_exp: -1074,
    max_exp: 1023,
};
/// x87 80-bit extended precision (`long double` on x86-64 Linux).
const X87: Format = Format {
    bits: 64,
    min_lsb_exp: -16445,
    max_exp: 16383,
};

/// Outcome of rounding an exact value into a [`Format`] (sign kept by the caller).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rounded {
    Zero,
    /// `mant × 2^exp`, `mant` non-zero and below `2^bits`.
    Finite {
        mant: u64,
        exp: i64,
    },
    Inf,
}

/// Rounds `m × 2^e2` (plus a positive amount below `2^e2` when `sticky`) to nearest, ties
/// to even, into `fmt`; overflow gives `Inf`, underflow `Zero`. When `sticky` is set, `m`
/// must carry at least two bits more than the format's significand.
fn round_to(fmt: Format, m: u128, e2: i64, sticky: bool) -> Rounded {
    if m == 0 {
        return Rounded::Zero;
    }
    let bit_len = i64::from(128 - m.leading_zeros());
    let top_exp = e2 + bit_len - 1;
    let mut lsb_exp = (top_exp - i64::from(fmt.bits) + 1).max(fmt.min_lsb_exp);
    let shift = lsb_exp - e2;
    let mut mant = if shift <= 0 {
        debug_assert!(!sticky, "inexact input without guard bits");
        m << (-shift) // fits: the result has at most fmt.bits bits
    } else if shift > 128 {
        0 // below half of the smallest unit: rounds to zero
    } else {
        let kept = if shift == 128 { 0 } else { m >> shift };
        let half_bit = (m >> (shift - 1)) & 1 == 1;
        let below_half = m & ((1u128 << (shift - 1)) - 1) != 0 || sticky;
        if half_bit && (below_half || kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    if mant == 1u128 << fmt.bits {
        mant >>= 1;
        lsb_exp += 1;
    }
    if mant == 0 {
        return Rounded::Zero;
    }
    let mant_len = i64::from(128 - mant.leading_zeros());
    if lsb_exp + mant_len - 1 > fmt.max_exp {
        return Rounded::Inf;
    }
    Rounded::Finite {
        mant: mant as u64,
        exp: lsb_exp,
    }
}

/// Rounds a finite literal into `fmt`: `Zero` only for a zero literal or an underflow.
fn literal_to_binary(fmt: Format, hex: bool, int: &[u8], frac: &[u8], exp: i64) -> Rounded {
    if hex {
        hex_to_binary(fmt, int, frac, exp)
    } else {
        decimal_to_binary(fmt, int, frac, exp)
    }
}

/// Rounds the hex mantissa `int.frac` times `2^exp` into `fmt`.
fn hex_to_binary(fmt: Format, int: &[u8], frac: &[u8], exp: i64) -> Rounded {
    let mut m: u128 = 0;
    let mut e2 = exp - 4 * frac.len() as i64;
    let mut sticky = false;
    for &c in int.iter().chain(frac) {
        let d = u128::from(hex_value(c));
        if m >> 120 == 0 {
            m = (m << 4) | d;
        } else {
            // Enough precision kept: remaining digits only scale the value or mark it inexact.
            e2 += 4;
            sticky |= d != 0;
        }
    }
    round_to(fmt, m, e2.clamp(-EXP_CLAMP, EXP_CLAMP), sticky)
}

/// Value of one ASCII hex digit.
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Decimal exponents (of the leading digit) beyond this are certain overflow, below its
/// negation certain underflow, in every [`Format`] used here.
const DEC_EXP_LIMIT: i64 = 5000;

/// Rounds the decimal mantissa `int.frac` times `10^exp` into `fmt`, exactly (big-integer
/// arithmetic), so the result is what glibc's `strtod`/`strtold` return.
fn decimal_to_binary(fmt: Format, int: &[u8], frac: &[u8], exp: i64) -> Rounded {
    let all: Vec<u8> = int.iter().chain(frac).copied().collect();
    let lead = all.iter().take_while(|&&c| c == b'0').count();
    let trail = all.iter().rev().take_while(|&&c| c == b'0').count();
    if lead == all.len() {
        return Rounded::Zero;
    }
    let digits = &all[lead..all.len() - trail];
    // value = digits × 10^dexp
    let dexp = exp - frac.len() as i64 + trail as i64;
    let leading_pos = dexp + digits.len() as i64; // value < 10^leading_pos
    if leading_pos > DEC_EXP_LIMIT {
        return Rounded::Inf;
    }
    if leading_pos < -DEC_EXP_LIMIT {
        return Rounded::Zero;
    }
    let mut n = BigUint::from_decimal(digits);
    if dexp >= 0 {
        n.mul_pow10(dexp as u32);
        let (m, e2, sticky) = n.top_bits(120);
        round_to(fmt, m, e2, sticky)
    } else {
        let mut d = BigUint::from_u64(1);
        d.mul_pow10((-dexp) as u32);
        let (q, e2, sticky) = BigUint::div_to_bits(n, d, 66);
        round_to(fmt, q, e2, sticky)
    }
}

/// Builds the `f64` with the given sign and rounded magnitude.
fn f64_from_rounded(negative: bool, r: Rounded) -> f64 {
    let magnitude = match r {
        Rounded::Zero => 0.0,
        Rounded::Inf => f64::INFINITY,
        Rounded::Finite { mant, exp } => {
            if mant >> 52 == 0 {
                f64::from_bits(mant) // subnormal: exp is -1074
            } else {
                let biased = (exp + 52 + 1023) as u64;
                f64::from_bits((biased << 52) | (mant & ((1u64 << 52) - 1)))
            }
        }
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

// ---------------------------------------------------------------------------------------
// Doubles
// ---------------------------------------------------------------------------------------

/// Parses a double as Redis's `string2d` (`getDoubleFromObject`): C `strtod` syntax —
/// optional sign, decimal with optional `.` and `e` exponent, hex (`0x1.8p3`), `inf` or
/// `infinity` in any case — covering the whole input, with no white space. NaN is
/// rejected, and so is a finite literal that overflows to ±inf or underflows to zero (a
/// literal `0`, `-0` or `0e-999` is fine; subnormal results are kept).
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    match scan_literal(b)? {
        Literal::Inf { negative } => Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        Literal::Number {
            negative,
            hex,
            int_digits,
            frac_digits,
            exp,
        } => {
            let zero_literal = int_digits.iter().chain(frac_digits).all(|&c| c == b'0');
            let value = if hex {
                f64_from_rounded(negative, hex_to_binary(F64, int_digits, frac_digits, exp))
            } else {
                // Validated decimal syntax: the standard library's correctly rounded parser
                // agrees with glibc's strtod on it.
                std::str::from_utf8(b).ok()?.parse::<f64>().ok()?
            };
            let range_error = value.is_infinite() || (value == 0.0 && !zero_literal);
            (!range_error).then_some(value)
        }
    }
}

/// Formats a double as C's `printf("%.17g")` does (glibc), which is what Redis 7.0 replies
/// for doubles (RESP2 bulk text and RESP3 `,` payload) and what DEBUG DIGEST hashes for
/// sorted set scores: `1.1` → `"1.1000000000000001"`, `1e22` → `"1e+22"`, `inf`, `-inf`,
/// `-0`, `nan`.
pub fn format_double(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    format_g17(x)
}

/// `%.17g` of a finite non-zero double, built from its correctly rounded 17 digits.
fn format_g17(x: f64) -> String {
    format_g_finite(x, 17)
}

/// Formats a double as C's `printf("%.<precision>g")` (glibc): Lua's `tostring` is
/// `%.14g`. `precision` is at least 1.
pub fn format_g(x: f64, precision: usize) -> String {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return format_double(x);
    }
    format_g_finite(x, precision.max(1))
}

/// `%.<precision>g` of a finite non-zero double.
fn format_g_finite(x: f64, precision: usize) -> String {
    // `{:.Ne}` rounds the exact binary value to N+1 significant digits, ties to even, as
    // glibc's printf does: "d.ddd...e<exp>".
    let sci = format!("{:.*e}", precision - 1, x.abs());
    let (mantissa, exp_text) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp_text.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::with_capacity(24);
    if x < 0.0 {
        out.push('-');
    }
    if (-4..precision as i32).contains(&exp) {
        // Fixed notation with `precision` significant digits, then trailing zeros dropped.
        if exp >= 0 {
            let (int, frac) = digits.split_at(exp as usize + 1);
            out.push_str(int);
            push_fraction(&mut out, frac);
        } else {
            out.push('0');
            let zeros = "0".repeat((-exp - 1) as usize);
            push_fraction(&mut out, &(zeros + &digits));
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        push_fraction(&mut out, rest);
        let sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{}{:02}", sign, exp.abs()));
    }
    out
}

/// Appends `.frac` without its trailing zeros, or nothing if only zeros remain.
fn push_fraction(out: &mut String, frac: &str) {
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
}

/// Formats a double as Redis's `d2string` (how scores are written into listpacks and
/// read back): `nan`, `inf`, `-inf`, `0`/`-0`, plain integer digits for integral values
/// within ±2^62, and `%.17g` otherwise (`1e18` → `"1000000000000000000"`, `1e19` →
/// `"1e+19"`).
pub fn format_d2string(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() || x == 0.0 {
        return format_double(x);
    }
    // double2ll: |x| <= (double)(LLONG_MAX/2), which rounds to 2^62, and no fraction.
    let limit = (i64::MAX / 2) as f64;
    if (-limit..=limit).contains(&x) && x.fract() == 0.0 {
        return (x as i64).to_string();
    }
    format_g17(x)
}

// ---------------------------------------------------------------------------------------
// Long double (x87 extended precision), as INCRBYFLOAT computes
// ---------------------------------------------------------------------------------------

/// A value of C's `long double` on x86-64 Linux (x87 80-bit extended precision: 64-bit
/// significand, exponents −16382..16383, subnormals down to 2^−16445), modelled in
/// software so that INCRBYFLOAT and HINCRBYFLOAT give Redis's results bit for bit:
/// `0.1 + 0.2` is `"0.3"`, `1e30` is `"1000000000000000000024696061952"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongDouble {
    negative: bool,
    class: LdClass,
}

/// The kind of value a [`LongDouble`] holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LdClass {
    Zero,
    /// `mant × 2^exp`, `mant` non-zero; normal values have bit 63 set.
    Finite {
        mant: u64,
        exp: i64,
    },
    Inf,
    Nan,
}

/// Why an INCRBYFLOAT could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatIncrError {
    /// The stored value or the increment is not a valid float
    /// (`ERR value is not a valid float`).
    NotAFloat,
    /// The sum is NaN or infinite (`ERR increment would produce NaN or Infinity`).
    NanOrInfinity,
}

impl fmt::Display for FloatIncrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FloatIncrError::NotAFloat => "value is not a valid float",
            FloatIncrError::NanOrInfinity => "increment would produce NaN or Infinity",
        })
    }
}

impl std::error::Error for FloatIncrError {}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble {
        negative: false,
        class: LdClass::Zero,
    };

    /// Builds a value from its sign and a rounding outcome.
    fn from_rounded(negative: bool, r: Rounded) -> Self {
        let class = match r {
            Rounded::Zero => LdClass::Zero,
            Rounded::Inf => LdClass::Inf,
            Rounded::Finite { mant, exp } => LdClass::Finite { mant, exp },
        };
        LongDouble { negative, class }
    }

    /// Parses as Redis's `string2ld` (`getLongDoubleFromObject`): `strtold` syntax (see
    /// [`parse_f64`]) over the whole input, shorter than 5120 bytes, no white space,
    /// rejecting NaN, overflow to ±inf from a finite literal, and underflow to zero from a
    /// non-zero literal. `inf` literals are accepted (INCRBYFLOAT then rejects the sum).
    pub fn parse(b: &[u8]) -> Option<LongDouble> {
        const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
        if b.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        match scan_literal(b)? {
            Literal::Inf { negative } => Some(LongDouble {
                negative,
                class: LdClass::Inf,
            }),
            Literal::Number {
                negative,
                hex,
                int_digits,
                frac_digits,
                exp,
            } => {
                let zero_literal = int_digits.iter().chain(frac_digits).all(|&c| c == b'0');
                match literal_to_binary(X87, hex, int_digits, frac_digits, exp) {
                    Rounded::Inf => None,
                    Rounded::Zero if !zero_literal => None,
                    r => Some(Self::from_rounded(negative, r)),
                }
            }
        }
    }

    /// The exact value of an integer (every `i64` fits in 64 significand bits).
    pub fn from_i64(n: i64) -> LongDouble {
        let r = round_to(X87, u128::from(n.unsigned_abs()), 0, false);
        Self::from_rounded(n < 0, r)
    }

    /// The exact value of a double (every `f64` is a `long double`).
    pub fn from_f64(x: f64) -> LongDouble {
        let negative = x.is_sign_negative();
        if x.is_nan() {
            return LongDouble {
                negative,
                class: LdClass::Nan,
            };
        }
        if x.is_infinite() {
            return LongDouble {
                negative,
                class: LdClass::Inf,
            };
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mant, exp) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased - 1075)
        };
        Self::from_rounded(negative, round_to(X87, u128::from(mant), exp, false))
    }

    /// The nearest double (ties to even), as C's `(double)` cast of a `long double`.
    pub fn to_f64(self) -> f64 {
        match self.class {
            LdClass::Nan => f64::NAN,
            LdClass::Inf => f64_from_rounded(self.negative, Rounded::Inf),
            LdClass::Zero => f64_from_rounded(self.negative, Rounded::Zero),
            LdClass::Finite { mant, exp } => {
                f64_from_rounded(self.negative, round_to(F64, u128::from(mant), exp, false))
            }
        }
    }

    /// True unless the value is NaN or infinite (what INCRBYFLOAT checks after adding).
    pub fn is_finite(self) -> bool {
        matches!(self.class, LdClass::Zero | LdClass::Finite { .. })
    }

    /// True for NaN.
    pub fn is_nan(self) -> bool {
        self.class == LdClass::Nan
    }

    /// Formats as Redis's `ld2string` in human mode (`LD_STR_HUMAN`), the text INCRBYFLOAT
    /// and HINCRBYFLOAT store and reply: glibc `printf("%.17Lf")` of the exact value, then
    /// trailing zeros and a trailing `.` removed, and `"-0"` turned into `"0"`; `inf` and
    /// `-inf` for infinities.
    pub fn format_human(self) -> String {
        let mut text = match self.class {
            LdClass::Inf => return if self.negative { "-inf" } else { "inf" }.to_string(),
            LdClass::Nan => return if self.negative { "-nan" } else { "nan" }.to_string(),
            LdClass::Zero => fixed17_digits(0, 0),
            LdClass::Finite { mant, exp } => fixed17_digits(mant, exp),
        };
        // text holds at least 18 digits: the last 17 are the fraction.
        let point = text.len() - 17;
        text.insert(point, '.');
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if self.negative && trimmed != "0" {
            format!("-{}", trimmed)
        } else {
            trimmed.to_string()
        }
    }
}

/// `a + b` rounded to nearest (ties to even) as the x87 unit computes it in extended
/// precision; IEEE rules for zeros, infinities and NaN.
impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    fn add(self, other: LongDouble) -> LongDouble {
        use LdClass::*;
        match (self.class, other.class) {
            (Nan, _) | (_, Nan) => LongDouble {
                negative: false,
                class: Nan,
            },
            (Inf, Inf) if self.negative != other.negative => LongDouble {
                negative: true,
                class: Nan,
            },
            (Inf, _) => self,
            (_, Inf) => other,
            (Zero, Zero) => LongDouble {
                negative: self.negative && other.negative,
                class: Zero,
            },
            (Zero, _) => other,
            (_, Zero) => self,
            (Finite { mant: ma, exp: ea }, Finite { mant: mb, exp: eb }) => {
                add_finite((self.negative, ma, ea), (other.negative, mb, eb))
            }
        }
    }
}

/// Adds two finite non-zero extended values given as (negative, mant, exp).
fn add_finite(a: (bool, u64, i64), b: (bool, u64, i64)) -> LongDouble {
    // Order so that `hi` has the larger lowest-bit exponent (hence the larger magnitude
    // whenever the exponents differ).
    let (hi, lo) = if a.2 >= b.2 { (a, b) } else { (b, a) };
    let gap = hi.2 - lo.2;
    let (m, e2, sticky, negative) = if gap <= 62 {
        // Exact: both fit in 126 bits at the lower exponent, their sum in 127.
        let h = u128::from(hi.1) << gap;
        let l = u128::from(lo.1);
        if hi.0 == lo.0 {
            (h + l, lo.2, false, hi.0)
        } else {
            match h.cmp(&l) {
                Ordering::Equal => return LongDouble::ZERO,
                Ordering::Greater => (h - l, lo.2, false, hi.0),
                Ordering::Less => (l - h, lo.2, false, lo.0),
            }
        }
    } else {
        // `lo` is below 2^-62 of `hi`: keep 62 guard bits and fold the rest into sticky.
        let h = u128::from(hi.1) << 62;
        let drop = gap - 62;
        let (l, lost) = if drop >= 128 {
            (0, lo.1 != 0)
        } else {
            let l = u128::from(lo.1) >> drop;
            (l, u128::from(lo.1) & ((1u128 << drop) - 1) != 0)
        };
        let m = if hi.0 == lo.0 {
            h + l
        } else {
            // hi - (l + f) with f in [0,1): (h - l - 1) + (1 - f) when f > 0.
            h - l - u128::from(lost)
        };
        (m, hi.2 - 62, lost, hi.0)
    };
    LongDouble::from_rounded(negative, round_to(X87, m, e2, sticky))
}

/// Decimal digits of `mant × 2^exp × 10^17` rounded to an integer (ties to even), left
/// padded with zeros to at least 18 digits: `%.17Lf` without its point.
fn fixed17_digits(mant: u64, exp: i64) -> String {
    const TEN_17: u128 = 100_000_000_000_000_000;
    let scaled = u128::from(mant) * TEN_17; // below 2^121
    let digits = if exp >= 0 {
        let mut n = BigUint::from_u128(scaled);
        n.shl(exp as u32);
        n.to_decimal()
    } else if -exp >= 122 {
        "0".to_string() // below one half: rounds to 0 (no tie possible)
    } else {
        let shift = (-exp) as u32;
        let q = scaled >> shift;
        let rem = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let up = rem > half || (rem == half && q & 1 == 1);
        (q + u128::from(up)).to_string()
    };
    format!("{:0>18}", digits)
}

/// INCRBYFLOAT exactly as Redis 7.0: parses the stored value (`None` when the key is
/// missing, which counts as 0) and the increment as long doubles, adds them and returns
/// the text to store and reply (`ld2string` human mode).
///
/// Errors: [`FloatIncrError::NotAFloat`] if either text is not a valid float (the stored
/// value is checked first), [`FloatIncrError::NanOrInfinity`] if the sum is not finite.
/// HINCRBYFLOAT orders its checks differently; build it from [`LongDouble`] directly.
pub fn incr_by_float(current: Option<&[u8]>, incr: &[u8]) -> Result<String, FloatIncrError> {
    let value = match current {
        Some(text) => LongDouble::parse(text).ok_or(FloatIncrError::NotAFloat)?,
        None => LongDouble::ZERO,
    };
    let incr = LongDouble::parse(incr).ok_or(FloatIncrError::NotAFloat)?;
    let sum = value + incr;
    if !sum.is_finite() {
        return Err(FloatIncrError::NanOrInfinity);
    }
    Ok(sum.format_human())
}

/// `f64` approximation of `string2ld`: accepts exactly what [`LongDouble::parse`] accepts
/// and returns the nearest double. Differences from Redis, which keeps 64 significand bits:
/// literals beyond the double range (`1e400`, `1e-4000`) become `±inf` / `0`, and digits
/// past double precision are lost. Prefer [`LongDouble`] / [`incr_by_float`].
pub fn parse_long_double(b: &[u8]) -> Option<f64> {
    LongDouble::parse(b).map(LongDouble::to_f64)
}

/// `f64` approximation of the text INCRBYFLOAT stores for a result `x`: the shortest
/// decimal that reads back as `x`, printed the way `ld2string` human mode prints that
/// decimal as a long double (`10.5` → `"10.5"`, `5e3` → `"5000"`, `1e20` →
/// `"100000000000000000000"`, `inf` → `"inf"`).
///
/// Known divergences from Redis, whose arithmetic is in long double: a sum computed in
/// `f64` carries binary noise Redis does not show (`0.1 + 0.2` gives
/// `"0.30000000000000004"`, Redis `"0.3"`); inputs with more than 17 significant digits
/// (`1.23456789012345678` → Redis keeps all of them); results outside the double range.
/// Use [`incr_by_float`] for exact results.
pub fn format_incrbyfloat(x: f64) -> String {
    if !x.is_finite() {
        return format_double(x);
    }
    let shortest = format!("{:e}", x);
    LongDouble::parse(shortest.as_bytes())
        .unwrap_or_else(|| LongDouble::from_f64(x))
        .format_human()
}

// ---------------------------------------------------------------------------------------
// A minimal unsigned big integer for exact conversions
// ---------------------------------------------------------------------------------------

/// Unsigned big integer, little-endian 32-bit limbs, no trailing zero limbs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    /// `n` as a big integer.
    fn from_u64(n: u64) -> Self {
        Self::from_u128(u128::from(n))
    }

    /// `n` as a big integer.
    fn from_u128(n: u128) -> Self {
        let mut limbs: Vec<u32> = (0..4).map(|i| (n >> (32 * i)) as u32).collect();
        trim_limbs(&mut limbs);
        BigUint { limbs }
    }

    /// The integer written by ASCII decimal `digits`.
    fn from_decimal(digits: &[u8]) -> Self {
        let mut n = BigUint { limbs: Vec::new() };
        for chunk in digits.chunks(9) {
            let v = chunk
                .iter()
                .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
            n.mul_add_small(10u32.pow(chunk.len() as u32), v);
        }
        n
    }

    /// `self = self × factor + add`.
    fn mul_add_small(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let t = u64::from(*limb) * u64::from(factor) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        trim_limbs(&mut self.limbs);
    }

    /// `self = self × 10^k`.
    fn mul_pow10(&mut self, mut k: u32) {
        while k >= 9 {
            self.mul_add_small(1_000_000_000, 0);
            k -= 9;
        }
        if k > 0 {
            self.mul_add_small(10u32.pow(k), 0);
        }
    }

    /// `self = self × 2^k`.
    fn shl(&mut self, k: u32) {
        if self.limbs.is_empty() {
            return;
        }
        let (words, bits) = ((k / 32) as usize, k % 32);
        let mut out = vec![0u32; words];
        let mut carry = 0u32;
        for &limb in &self.limbs {
            if bits == 0 {
                out.push(limb);
            } else {
                out.push((limb << bits) | carry);
                carry = limb >> (32 - bits);
            }
        }
        if carry != 0 {
            out.push(carry);
        }
        self.limbs = out;
    }

    /// Number of significant bits (0 for zero).
    fn bit_len(&self) -> u64 {
        self.limbs.last().map_or(0, |&top| {
            32 * (self.limbs.len() as u64 - 1) + u64::from(32 - top.leading_zeros())
        })
    }

    /// Bit `i` (0 = least significant).
    fn bit(&self, i: u64) -> bool {
        self.limbs
            .get((i / 32) as usize)
            .is_some_and(|&limb| (limb >> (i % 32)) & 1 == 1)
    }

    /// True if any bit below position `i` is set.
    fn any_below(&self, i: u64) -> bool {
        let full = (i / 32) as usize;
        let partial = i % 32;
        self.limbs.iter().take(full).any(|&l| l != 0)
            || (partial > 0
                && self
                    .limbs
                    .get(full)
                    .is_some_and(|&l| l & ((1u32 << partial) - 1) != 0))
    }

    /// The top `n` (≤ 128) bits as `(m, e2, sticky)` with `self ≈ m × 2^e2`, `sticky`
    /// telling whether dropped lower bits were non-zero.
    fn top_bits(&self, n: u64) -> (u128, i64, bool) {
        let len = self.bit_len();
        let start = len.saturating_sub(n);
        let m = (start..len)
            .rev()
            .fold(0u128, |acc, i| (acc << 1) | u128::from(self.bit(i)));
        (m, start as i64, self.any_below(start))
    }

    /// Compares two big integers.
    fn cmp_big(&self, other: &BigUint) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// `self -= other`; requires `self >= other`.
    fn sub_assign(&mut self, other: &BigUint) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let o = i64::from(other.limbs.get(i).copied().unwrap_or(0));
            let mut t = i64::from(*limb) - o - borrow;
            borrow = i64::from(t < 0);
            if t < 0 {
                t += 1 << 32;
            }
            *limb = t as u32;
        }
        trim_limbs(&mut self.limbs);
    }

    /// `self = self / 2`.
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.limbs.iter_mut().rev() {
            let next = *limb & 1;
            *limb = (*limb >> 1) | (carry << 31);
            carry = next;
        }
        trim_limbs(&mut self.limbs);
    }

    /// Quotient `num / den` (den non-zero) scaled by a power of two so that it has between
    /// `bits` and `bits + 1` significant bits: returns `(q, e2, sticky)` with
    /// `num / den = (q + f) × 2^e2`, `0 <= f < 1`, `sticky == (f != 0)`.
    fn div_to_bits(mut num: BigUint, mut den: BigUint, bits: u64) -> (u128, i64, bool) {
        // Scale so that num / den lies in [2^bits, 2^(bits+2)).
        let scale = bits as i64 + 1 + den.bit_len() as i64 - num.bit_len() as i64;
        if scale >= 0 {
            num.shl(scale as u32);
        } else {
            den.shl((-scale) as u32);
        }
        // Restoring long division, one quotient bit at a time.
        let top = num.bit_len().saturating_sub(den.bit_len());
        den.shl(top as u32);
        let mut q: u128 = 0;
        for _ in 0..=top {
            q <<= 1;
            if num.cmp_big(&den) != Ordering::Less {
                num.sub_assign(&den);
                q |= 1;
            }
            den.shr1();
        }
        (q, -scale, !num.limbs.is_empty())
    }

    /// Decimal text of the integer.
    fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.limbs.is_empty() {
            let mut rem = 0u64;
            for limb in n.limbs.iter_mut().rev() {
                let t = (rem << 32) | u64::from(*limb);
                *limb = (t / 1_000_000_000) as u32;
                rem = t % 1_000_000_000;
            }
            trim_limbs(&mut n.limbs);
            chunks.push(rem as u32);
        }
        let mut out = chunks
            .pop()
            .map_or_else(|| "0".to_string(), |c| c.to_string());
        for c in chunks.iter().rev() {
            out.push_str(&format!("{:09}", c));
        }
        out
    }
}

/// Drops most-significant zero limbs.
fn trim_limbs(limbs: &mut Vec<u32>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_is_c_like() {
        assert_eq!(atoi(b"12ab"), 12);
        assert_eq!(atoi(b"  -3"), -3);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"x1"), 0);
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"99999999999999999999"), -1);
    }

    #[test]
    fn parse_i64_matches_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"123"), Some(123));
        assert_eq!(parse_i64(b"-123"), Some(-123));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"007",
            b"00",
            b"+5",
            b" 5",
            b"5 ",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"18446744073709551616",
            b"123456789012345678901",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn parse_u64_matches_string2ull() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        // Redis-verified via XADD: " 5", "+6", "010" are accepted as stream ID parts.
        assert_eq!(parse_u64(b" 5"), Some(5));
        assert_eq!(parse_u64(b"+6"), Some(6));
        assert_eq!(parse_u64(b"010"), Some(10));
        assert_eq!(parse_u64(b"-5"), None);
        assert_eq!(parse_u64(b"-05"), Some(u64::MAX - 4));
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"+"), None);
        assert_eq!(parse_u64(b"5x"), None);
        assert_eq!(parse_u64(b"5\0x"), Some(5));
    }

    #[test]
    fn parse_scan_cursor_matches_strtoul() {
        // Redis-verified: SCAN "" and SCAN "+0" and SCAN -1 are accepted.
        assert_eq!(parse_scan_cursor(b""), Some(0));
        assert_eq!(parse_scan_cursor(b"+0"), Some(0));
        assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"17"), Some(17));
        assert_eq!(parse_scan_cursor(b" 0"), None);
        assert_eq!(parse_scan_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_scan_cursor(b"0x"), None);
        assert_eq!(parse_scan_cursor(b"-"), None);
    }

    #[test]
    fn parse_f64_matches_redis_zadd() {
        // Each accepted case was checked with ZADD/ZSCORE on redis-server 7.0.15.
        let ok: &[(&[u8], f64)] = &[
            (b"1.5", 1.5),
            (b"inf", f64::INFINITY),
            (b"+inf", f64::INFINITY),
            (b"-inf", f64::NEG_INFINITY),
            (b"Infinity", f64::INFINITY),
            (b"INF", f64::INFINITY),
            (b"0x10", 16.0),
            (b"0x1p3", 8.0),
            (b"0X1.8P1", 3.0),
            (b"1e-310", 1e-310),
            (b".5", 0.5),
            (b"5.", 5.0),
            (b"+.5", 0.5),
            (b"1E3", 1000.0),
            (b"0e-400", 0.0),
            (b"1.e2", 100.0),
        ];
        for (text, want) in ok {
            assert_eq!(
                parse_f64(text),
                Some(*want),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        assert!(parse_f64(b"-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        for bad in [
            &b"nan"[..],
            b"NaN",
            b"1e400",
            b"1e-400",
            b" 1",
            b"1 ",
            b".",
            b"1e",
            b"1e+",
            b"",
            b"-",
            b"0x",
            b"0x1p",
            b"infinit",
            b"1,5",
            b"1.5\0",
            b"0x.p1",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn format_double_matches_redis_replies() {
        // ZSCORE replies of redis-server 7.0.15.
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(1.1), "1.1000000000000001");
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(1e22), "1e+22");
        assert_eq!(format_double(1e21), "1e+21");
        assert_eq!(format_double(1e-310), "9.9999999999999694e-311");
        assert_eq!(
            format_double(123456789012345678.0),
            "1.2345678901234568e+17"
        );
        assert_eq!(format_double(16.0), "16");
        assert_eq!(format_double(1000.0), "1000");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_double(-0.0), "-0");
        assert_eq!(format_double(0.0), "0");
        // %g boundaries: exponent -4 stays fixed, -5 switches; 17 digits before the point.
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(0.00001), "1.0000000000000001e-05");
        assert_eq!(format_double(1e16), "10000000000000000");
        assert_eq!(format_double(1e17), "1e+17");
        assert_eq!(format_double(-2.5e-7), "-2.4999999999999999e-07");
        assert_eq!(format_double(1e300), "1.0000000000000001e+300");
    }

    #[test]
    fn format_d2string_cases() {
        assert_eq!(format_d2string(-0.0), "-0");
        assert_eq!(format_d2string(5.0), "5");
        assert_eq!(format_d2string(1e18), "1000000000000000000");
        assert_eq!(
            format_d2string(4611686018427387904.0),
            "4611686018427387904"
        );
        assert_eq!(format_d2string(1e19), "1e+19");
        assert_eq!(format_d2string(1.5), "1.5");
        assert_eq!(format_d2string(f64::NAN), "nan");
        assert_eq!(format_d2string(f64::NEG_INFINITY), "-inf");
    }

    /// INCRBYFLOAT cases captured from redis-server 7.0.15: (stored, increment, reply).
    const INCRBYFLOAT_CASES: &[(Option<&str>, &str, &str)] = &[
        (None, "10.5", "10.5"),
        (None, "5.0e3", "5000"),
        (Some("0.1"), "0.2", "0.3"),
        (Some("10.50"), "0.1", "10.6"),
        (None, "0.1", "0.1"),
        (None, "1e-400", "0"),
        (None, "1e-4950", "0"),
        (None, "0x1p-3", "0.125"),
        (None, "3.0e3", "3000"),
        (Some("1"), "-1", "0"),
        (Some("-1"), "0.0", "-1"),
        (None, "-0.0", "0"),
        (None, "1.23456789012345678", "1.23456789012345678"),
        (None, "0.333333333333333333", "0.33333333333333333"),
        (None, "1e20", "100000000000000000000"),
        (None, "1e30", "1000000000000000000024696061952"),
        (Some("5"), "0.000000000000000001", "5"),
        (None, "0.000003814697265625", "0.00000381469726562"),
        (None, "1.5e-17", "0.00000000000000002"),
        (None, "2.5e-17", "0.00000000000000002"),
        (None, "1.5e-18", "0"),
        (None, "99999999999999999999.5", "100000000000000000000"),
        (Some("007"), "1", "8"),
        (Some("1.1"), "2.2", "3.3"),
        (Some("3"), "1e-17", "3.00000000000000001"),
        (Some("0"), "5e-18", "0"),
        (None, "-5e-18", "0"),
        (None, "-6e-18", "-0.00000000000000001"),
        (
            None,
            "1e400",
            "10000000000000000000281880683947586514586453433629052038625910693539685534008629\
             862039363994848324160522094053927317616200295822777259255734023828976593340661\
             017797447434546173917862448116674971723778943824391593338047470675026246684401\
             359237513603830343735485505244955964979021825038280091068414947402456898653040\
             951017512658092615827588920183472511643316591362664138176309734806343732497430\
             221946880",
        ),
    ];

    #[test]
    fn incr_by_float_matches_redis() {
        for (current, incr, want) in INCRBYFLOAT_CASES {
            let got = incr_by_float(current.map(str::as_bytes), incr.as_bytes());
            assert_eq!(got.as_deref(), Ok(*want), "{:?} + {}", current, incr);
        }
    }

    #[test]
    fn incr_by_float_long_outputs_match_redis_prefixes() {
        // Redis replies, first characters (the full texts run to thousands of digits).
        let cases = [
            (
                "1.7976931348623157e308",
                "17976931348623156999592104677410443404838644694",
            ),
            ("1e4000", "9999999999999999999965463873099623784932492"),
            ("1.18e4932", "118000000000000000000065281291"),
        ];
        for (incr, prefix) in cases {
            let got = incr_by_float(None, incr.as_bytes()).unwrap_or_default();
            assert!(
                got.starts_with(prefix),
                "{} -> {}",
                incr,
                &got[..60.min(got.len())]
            );
            assert!(!got.contains('.'), "{}", incr);
        }
    }

    #[test]
    fn incr_by_float_errors_match_redis() {
        assert_eq!(
            incr_by_float(None, b"inf"),
            Err(FloatIncrError::NanOrInfinity)
        );
        assert_eq!(
            incr_by_float(None, b"1.19e4932"),
            Err(FloatIncrError::NotAFloat)
        );
        assert_eq!(incr_by_float(None, b" 1"), Err(FloatIncrError::NotAFloat));
        assert_eq!(incr_by_float(None, b"nan"), Err(FloatIncrError::NotAFloat));
        assert_eq!(
            incr_by_float(Some(b"abc"), b"1"),
            Err(FloatIncrError::NotAFloat)
        );
        assert_eq!(
            incr_by_float(None, b"1e-4960"),
            Err(FloatIncrError::NotAFloat)
        );
        let big = "1".repeat(5120);
        assert_eq!(
            incr_by_float(None, big.as_bytes()),
            Err(FloatIncrError::NotAFloat)
        );
        let max = "1.18973149535723176502e4932";
        assert_eq!(
            incr_by_float(Some(max.as_bytes()), max.as_bytes()),
            Err(FloatIncrError::NanOrInfinity)
        );
    }

    #[test]
    fn long_double_rounding_edges() {
        // 2^64 + 1 needs 65 bits: ties to even gives 2^64.
        let a = LongDouble::parse(b"18446744073709551617").map(LongDouble::format_human);
        assert_eq!(a.as_deref(), Some("18446744073709551616"));
        // 2^64 + 3: tie between 2^64+2 and 2^64+4, even significand is 2^64+4.
        let b = LongDouble::parse(b"18446744073709551619").map(LongDouble::format_human);
        assert_eq!(b.as_deref(), Some("18446744073709551620"));
        // i64 values are exact.
        assert_eq!(
            LongDouble::from_i64(i64::MIN).format_human(),
            "-9223372036854775808"
        );
        assert_eq!(LongDouble::from_i64(0).format_human(), "0");
        // Smallest subnormal and the halfway point below it.
        assert!(LongDouble::parse(b"3.6451995318824746025e-4951").is_some());
        assert!(LongDouble::parse(b"1.8e-4951").is_none());
    }

    #[test]
    fn long_double_add_cases() {
        let p = |s: &str| LongDouble::parse(s.as_bytes()).unwrap_or(LongDouble::ZERO);
        assert_eq!(p("1e30") + p("-1e30"), LongDouble::ZERO);
        assert_eq!((p("1") + p("1e-30")).format_human(), "1");
        assert_eq!((p("1") + p("-1e-30")).format_human(), "1");
        assert_eq!(
            (p("1e20") + p("-1e-300")).format_human(),
            "100000000000000000000"
        );
        let inf = p("inf");
        assert!((inf + p("-inf")).is_nan());
        assert!(!(inf + p("1")).is_finite());
        assert_eq!((p("-0") + p("-0")).format_human(), "0");
    }

    #[test]
    fn f64_approximations() {
        assert_eq!(parse_long_double(b"0.1"), Some(0.1));
        assert_eq!(parse_long_double(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_long_double(b"nan"), None);
        assert_eq!(format_incrbyfloat(10.5), "10.5");
        assert_eq!(format_incrbyfloat(5.0e3), "5000");
        assert_eq!(format_incrbyfloat(0.1), "0.1");
        assert_eq!(format_incrbyfloat(1e20), "100000000000000000000");
        assert_eq!(format_incrbyfloat(-0.0), "0");
        // Documented divergence: Redis says "0.3".
        assert_eq!(format_incrbyfloat(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn long_double_f64_round_trip() {
        for x in [
            0.1,
            1.5,
            -3.25e-300,
            4.9e-324,
            f64::MAX,
            -f64::MIN_POSITIVE,
            1e22,
        ] {
            assert_eq!(LongDouble::from_f64(x).to_f64(), x);
        }
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Reference for %.17g via the exact decimal expansion (Rust prints every digit
        /// of a double exactly with a large precision), rounded half to even by hand.
        fn reference_g17(x: f64) -> String {
            let exact = format!("{:.1100e}", x.abs());
            let (mant, exp) = exact.split_once('e').unwrap_or((&exact, "0"));
            let mut exp: i32 = exp.parse().unwrap_or(0);
            let all: Vec<u8> = mant
                .bytes()
                .filter(|c| *c != b'.')
                .map(|c| c - b'0')
                .collect();
            let mut d: Vec<u8> = all[..17].to_vec();
            let rest = &all[17..];
            let up = rest[0] > 5
                || (rest[0] == 5 && (rest[1..].iter().any(|&c| c != 0) || d[16] % 2 == 1));
            if up {
                let mut i = 16;
                loop {
                    if d[i] == 9 {
                        d[i] = 0;
                        if i == 0 {
                            d.insert(0, 1);
                            d.pop();
                            exp += 1;
                            break;
                        }
                        i -= 1;
                    } else {
                        d[i] += 1;
                        break;
                    }
                }
            }
            let text: String = d.iter().map(|c| char::from(b'0' + c)).collect();
            let mut s = String::new();
            if x < 0.0 {
                s.push('-');
            }
            if (-4..17).contains(&exp) {
                if exp >= 0 {
                    s.push_str(&text[..exp as usize + 1]);
                    let f = text[exp as usize + 1..].trim_end_matches('0');
                    if !f.is_empty() {
                        s.push('.');
                        s.push_str(f);
                    }
                } else {
                    let f = format!("{}{}", "0".repeat((-exp - 1) as usize), text);
                    let f = f.trim_end_matches('0');
                    s.push_str("0.");
                    s.push_str(f);
                }
            } else {
                s.push_str(&text[..1]);
                let f = text[1..].trim_end_matches('0');
                if !f.is_empty() {
                    s.push('.');
                    s.push_str(f);
                }
                s.push_str(&format!(
                    "e{}{:02}",
                    if exp < 0 { '-' } else { '+' },
                    exp.abs()
                ));
            }
            s
        }

        proptest! {
            #[test]
            fn parse_i64_round_trips(n in any::<i64>()) {
                prop_assert_eq!(parse_i64(n.to_string().as_bytes()), Some(n));
            }

            #[test]
            fn format_double_matches_exact_reference(bits in any::<u64>()) {
                let x = f64::from_bits(bits);
                prop_assume!(x.is_finite() && x != 0.0);
                prop_assert_eq!(format_double(x), reference_g17(x));
            }

            #[test]
            fn bignum_decimal_parse_agrees_with_std(bits in any::<u64>(), digits in 1usize..30) {
                let x = f64::from_bits(bits);
                prop_assume!(x.is_finite() && x != 0.0);
                // Literals near x with various digit counts (including ties and noise).
                let text = format!("{:.*e}", digits, x);
                let want: f64 = text.parse().unwrap_or(0.0);
                let lit = scan_literal(text.as_bytes());
                let got = match lit {
                    Some(Literal::Number { negative, hex, int_digits, frac_digits, exp }) => {
                        f64_from_rounded(negative,
                            literal_to_binary(F64, hex, int_digits, frac_digits, exp))
                    }
                    _ => f64::NAN,
                };
                prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", text);
            }

            #[test]
            fn long_double_parse_is_exact_for_doubles(bits in any::<u64>()) {
                let x = f64::from_bits(bits);
                prop_assume!(x.is_finite() && x != 0.0);
                // The exact decimal expansion of x parses to exactly x in extended too.
                let text = format!("{:.1100e}", x);
                prop_assert_eq!(LongDouble::parse(text.as_bytes()), Some(LongDouble::from_f64(x)));
            }

            #[test]
            fn long_double_add_agrees_with_f64_when_exact(a in -1e15f64..1e15, b in -1e15f64..1e15) {
                // Integers below 2^53 add exactly in both precisions.
                let (a, b) = (a.trunc(), b.trunc());
                let sum = LongDouble::from_f64(a) + LongDouble::from_f64(b);
                prop_assert_eq!(sum.to_f64(), a + b);
            }

            #[test]
            fn long_double_add_rounds_once(a in any::<u64>(), b in any::<u64>(), shift in 0u32..64, sub in any::<bool>()) {
                // x = a and y = ±b·2^-shift are exact; their exact sum fits in u128.
                let x = LongDouble::from_rounded(false, round_to(X87, u128::from(a), 0, false));
                let y = LongDouble::from_rounded(sub, round_to(X87, u128::from(b), -i64::from(shift), false));
                let (ax, by) = (u128::from(a) << shift, u128::from(b));
                let want = if !sub {
                    LongDouble::from_rounded(false, round_to(X87, ax + by, -i64::from(shift), false))
                } else if ax >= by {
                    LongDouble::from_rounded(false, round_to(X87, ax - by, -i64::from(shift), false))
                } else {
                    LongDouble::from_rounded(true, round_to(X87, by - ax, -i64::from(shift), false))
                };
                prop_assert_eq!(x + y, want);
            }
        }
    }
}
