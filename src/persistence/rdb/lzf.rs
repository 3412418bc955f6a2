//! LZF compression of RDB strings. Decompression uses the `lzf` crate, behind a guard
//! that refuses to allocate an output larger than the compressed input could possibly
//! expand to. Compression is our own [`Compressor`]: the crate's `compress` allocates and
//! zeroes a 512 KiB hash table on every call, which made writing an RDB of many
//! medium-sized strings ~15x slower than not compressing. Ours keeps its table between
//! calls and never clears it (stale entries are verified before use, as liblzf does), and
//! like Redis only keeps a result that is at least four bytes shorter than the input.
//!
//! LZF format: a literal run is a control byte `000LLLLL` (L+1 literal bytes follow); a
//! back reference is `LLLooooo [extra-length] oooooooo`, copying L+2 bytes (L = 7 means
//! an extra length byte is added) from `offset + 1` bytes back in the output.

use std::fmt;

/// The most output one input byte of valid LZF can produce: a 3-byte back reference
/// copies at most 264 bytes.
const MAX_EXPANSION: u64 = 88;

/// Why an LZF blob could not be expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LzfError {
    /// The declared uncompressed length cannot come from this many compressed bytes.
    ImplausibleLength,
    /// The compressed data is malformed.
    Corrupt,
    /// The data expanded to a different length than declared.
    LengthMismatch,
}

impl LzfError {
    /// A short description, usable as a static message.
    pub fn what(self) -> &'static str {
        match self {
            LzfError::ImplausibleLength => "implausible LZF uncompressed length",
            LzfError::Corrupt => "corrupt LZF data",
            LzfError::LengthMismatch => "LZF data does not expand to its declared length",
        }
    }
}

impl fmt::Display for LzfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
}

impl std::error::Error for LzfError {}

/// Longest literal run one control byte can announce.
const MAX_LITERAL: usize = 32;
/// Farthest back a reference can reach.
const MAX_OFFSET: usize = 1 << 13;
/// Longest back reference: 2 + 7 + 255 bytes.
const MAX_MATCH: usize = 264;
/// The hash table never grows beyond 2^14 slots.
const MAX_TABLE_BITS: u32 = 14;

/// Compresses `data` with a fresh [`Compressor`]; returns `None` unless the result is
/// at least 4 bytes shorter.
pub fn compress(data: &[u8]) -> Option<Vec<u8>> {
    Compressor::new().compress(data)
}

/// An LZF compressor whose hash table is reused across calls.
#[derive(Debug, Default, Clone)]
pub struct Compressor {
    table: Vec<usize>,
}

impl Compressor {
    /// A compressor with an empty table (it grows on first use, to at most 128 KiB).
    pub fn new() -> Compressor {
        Compressor { table: Vec::new() }
    }

    /// Compresses `data`; returns `None` unless the result is at least 4 bytes shorter.
    pub fn compress(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let n = data.len();
        if n <= 4 {
            return None;
        }
        let limit = n - 4;
        let bits = (usize::BITS - (n - 1).leading_zeros()).clamp(4, MAX_TABLE_BITS);
        if self.table.len() < 1 << bits {
            self.table.resize(1 << bits, 0);
        }
        let mut out = Output::new(limit);
        let mut ip = 0;
        while ip + 2 < n {
            let slot = hash3(data[ip], data[ip + 1], data[ip + 2], bits);
            let candidate = std::mem::replace(&mut self.table[slot], ip);
            let len = match_len(data, candidate, ip);
            if len >= 3 {
                out.reference(ip - candidate - 1, len);
                ip += len;
            } else {
                out.literal(data[ip]);
                ip += 1;
            }
            if out.too_long() {
                return None;
            }
        }
        for &byte in &data[ip..] {
            out.literal(byte);
        }
        out.finish()
    }
}

/// Hashes three bytes into a table slot of `bits` bits.
fn hash3(a: u8, b: u8, c: u8, bits: u32) -> usize {
    let v = (a as u32) | (b as u32) << 8 | (c as u32) << 16;
    (v.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize
}

/// Length of the usable match between `data[candidate..]` and `data[ip..]` (0 if the
/// candidate is stale, too far back or shorter than 3 bytes).
fn match_len(data: &[u8], candidate: usize, ip: usize) -> usize {
    if candidate >= ip || ip - candidate > MAX_OFFSET {
        return 0;
    }
    let max = (data.len() - ip).min(MAX_MATCH);
    // Eight bytes at a time: the first differing byte is the lowest set byte of the
    // XOR (little-endian loads).
    let word = |at: usize| u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"));
    let mut i = 0;
    while i + 8 <= max {
        let diff = word(candidate + i) ^ word(ip + i);
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < max && data[candidate + i] == data[ip + i] {
        i += 1;
    }
    i
}

/// LZF output under construction: tracks the open literal run's control byte.
struct Output {
    bytes: Vec<u8>,
    run_start: usize,
    run_len: usize,
    limit: usize,
}

impl Output {
    /// Output that may not exceed `limit` bytes, with an open (empty) literal run.
    fn new(limit: usize) -> Output {
        let mut bytes = Vec::with_capacity(limit + 2);
        bytes.push(0);
        Output {
            bytes,
            run_start: 0,
            run_len: 0,
            limit,
        }
    }

    /// Appends one literal byte, closing the run when it is full.
    fn literal(&mut self, byte: u8) {
        self.bytes.push(byte);
        self.run_len += 1;
        if self.run_len == MAX_LITERAL {
            self.close_run();
            self.open_run();
        }
    }

    /// Appends a back reference of `len` (3..=264) bytes, `offset + 1` bytes back.
    fn reference(&mut self, offset: usize, len: usize) {
        self.close_run();
        let l = len - 2;
        let high = (offset >> 8) as u8;
        if l < 7 {
            self.bytes.push(high | (l as u8) << 5);
        } else {
            self.bytes.push(high | 7 << 5);
            self.bytes.push((l - 7) as u8);
        }
        self.bytes.push(offset as u8);
        self.open_run();
    }

    /// Writes the open run's control byte, or drops it if the run is empty.
    fn close_run(&mut self) {
        if self.run_len == 0 {
            self.bytes.truncate(self.run_start);
        } else {
            self.bytes[self.run_start] = (self.run_len - 1) as u8;
        }
    }

    /// Starts a new literal run with a placeholder control byte.
    fn open_run(&mut self) {
        self.run_start = self.bytes.len();
        self.run_len = 0;
        self.bytes.push(0);
    }

    /// Whether the output already exceeds the allowed size.
    fn too_long(&self) -> bool {
        self.bytes.len() > self.limit + 1
    }

    /// Closes the last run; the output if it fits the limit.
    fn finish(mut self) -> Option<Vec<u8>> {
        self.close_run();
        (self.bytes.len() <= self.limit).then_some(self.bytes)
    }
}

/// Expands `data`, which must decompress to exactly `expected_len` bytes.
pub fn decompress(data: &[u8], expected_len: u64) -> Result<Vec<u8>, LzfError> {
    if expected_len > (data.len() as u64).saturating_mul(MAX_EXPANSION) {
        return Err(LzfError::ImplausibleLength);
    }
    let want = usize::try_from(expected_len).map_err(|_| LzfError::ImplausibleLength)?;
    let out = lzf::decompress(data, want).map_err(|_| LzfError::Corrupt)?;
    if out.len() != want {
        return Err(LzfError::LengthMismatch);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_guards() {
        let text = b"abcabcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(10);
        let packed = compress(&text).expect("repetitive text compresses");
        assert!(packed.len() + 4 <= text.len());
        assert_eq!(decompress(&packed, text.len() as u64).unwrap(), text);
        assert_eq!(
            decompress(&packed, text.len() as u64 - 1),
            Err(LzfError::Corrupt)
        );
        assert_eq!(
            decompress(&packed, text.len() as u64 + 1),
            Err(LzfError::LengthMismatch)
        );
        assert_eq!(
            decompress(&packed, u64::MAX),
            Err(LzfError::ImplausibleLength)
        );
        assert_eq!(compress(b"abcd"), None);
        let noise: Vec<u8> = (0..64u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(compress(&noise), None);
    }

    #[test]
    fn compressor_round_trips_awkward_inputs() {
        let mut seed = 0x2545_F491_u32;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        // (input, whether it must compress)
        let mut inputs: Vec<(Vec<u8>, bool)> = vec![
            (vec![b'a'; 5], false),
            (vec![b'a'; 58], true),
            (vec![0; 100_000], true),
            (b"abc".repeat(1000), true),
            ((0..20_000u32).map(|i| (i % 251) as u8).collect(), true),
        ];
        // Repeats farther apart than the 8 KiB window cannot be referenced.
        let block: Vec<u8> = (0..9000).map(|_| rand() as u8).collect();
        inputs.push(([block.clone(), block.clone()].concat(), false));
        // Within the window they can.
        inputs.push(([&block[..4000], &block[..4000], b"tail"].concat(), true));
        for len in [6usize, 21, 33, 64, 300, 5000] {
            let text: Vec<u8> = (0..len).map(|_| b"ab"[(rand() % 2) as usize]).collect();
            inputs.push((text, len >= 300));
        }
        let mut c = Compressor::new();
        for (input, must) in &inputs {
            for _ in 0..2 {
                match c.compress(input) {
                    Some(packed) => {
                        assert!(packed.len() + 4 <= input.len());
                        let back = decompress(&packed, input.len() as u64).unwrap();
                        assert!(back == *input, "round trip of {} bytes", input.len());
                    }
                    None => assert!(!must, "{} bytes should compress", input.len()),
                }
            }
        }
        assert!(c.compress(&vec![7u8; 1000]).unwrap().len() < 20);
        assert!(
            c.compress(&block).is_none(),
            "random data does not compress"
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 0x1234_5678_u32;
        for round in 0..2000 {
            let len = (round % 40) + 1;
            let blob: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            let _ = decompress(&blob, (round % 300) as u64);
            let _ = compress(&blob);
        }
    }
}
