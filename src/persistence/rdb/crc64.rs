//! CRC-64/Jones as Redis computes it for RDB files and DUMP payloads (reflected,
//! polynomial 0xad93d23594c935a9, init 0, no final xor; check value of "123456789" is
//! 0xe9c6d914c4b8d9ca). A thin wrapper on the `crc` crate's `CRC_64_REDIS`, with a
//! streaming digest that can be fed while a file is written or read.

use crc::{Crc, Digest, Table, CRC_64_REDIS};

/// The slice-by-16 table for CRC-64/Jones, built at compile time.
static JONES: Crc<u64, Table<16>> = Crc::<u64, Table<16>>::new(&CRC_64_REDIS);

/// Returns the CRC-64/Jones of `bytes` in one call.
pub fn crc64(bytes: &[u8]) -> u64 {
    JONES.checksum(bytes)
}

/// A running CRC-64/Jones: feed bytes in any number of pieces, read the value any time.
#[derive(Clone)]
pub struct Crc64 {
    digest: Digest<'static, u64, Table<16>>,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// Starts a digest over zero bytes (value 0).
    pub fn new() -> Crc64 {
        Crc64 {
            digest: JONES.digest(),
        }
    }

    /// Adds `bytes` to the digest.
    pub fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
    }

    /// The checksum of everything fed so far (the digest keeps running).
    pub fn value(&self) -> u64 {
        self.digest.clone().finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_matches_redis() {
        assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut d = Crc64::new();
        for chunk in data.chunks(13) {
            d.update(chunk);
        }
        assert_eq!(d.value(), crc64(&data));
        d.update(b"x");
        let mut whole = data.clone();
        whole.push(b'x');
        assert_eq!(d.value(), crc64(&whole));
        assert_eq!(Crc64::new().value(), 0);
    }
}
