//! DUMP / RESTORE payloads: `type byte | value in RDB encoding | u16 LE RDB version |
//! u64 LE CRC-64/Jones of everything before the CRC`.
//!
//! We emit version 9 (lists as quicklists of ziplists, small hashes and sorted sets as
//! ziplists, intsets, the plain encodings otherwise; see `persistence::value_rdb`), which
//! RESTORE accepts on Redis 5.0 through 7.x (each accepts payload versions up to its own RDB version), and version
//! 10 for streams (type 19, Redis 7.0's layout, which Redis 7.0 and later accept); we
//! accept payloads up to version 12 (Redis 7.4) in every encoding the reader knows.

use super::crc64::crc64;
use super::error::{DumpError, RdbError, RdbErrorKind};
use super::format::{MAX_READ_VERSION, WRITE_VERSION};
use super::reader::Input;
use super::writer::{version_for, RdbWriter, WriteOptions};
use super::RdbValue;

/// Bytes after the value: version (2) + checksum (8).
const FOOTER_LEN: usize = 10;

/// Serialises `value` as Redis's DUMP command does (LZF compression on; RDB version 9,
/// or 10 for a stream), in the plain encodings of the codec's owned model.
pub fn dump_payload(value: &RdbValue) -> Vec<u8> {
    let has_stream = matches!(value, RdbValue::Stream(_));
    match dump_payload_with(has_stream, |w| w.write_value(None, value, None)) {
        Ok(bytes) => bytes,
        // Writing to a Vec cannot fail and an owned RdbValue cannot mismatch its own
        // lengths; a NaN score is the only way here, and RdbValue documents it as
        // impossible. Keep the function total anyway: serialise the NaN-free rest.
        Err(_) => dump_payload(&without_nan(value)),
    }
}

/// A DUMP payload whose body (type byte and value, no key) `write` produces: the body,
/// then the RDB version (9, or 10 when the value is a stream) and the CRC-64.
pub fn dump_payload_with(
    has_stream: bool,
    write: impl FnOnce(&mut RdbWriter<Vec<u8>>) -> Result<(), RdbError>,
) -> Result<Vec<u8>, RdbError> {
    let version = version_for(has_stream);
    let options = WriteOptions {
        compression: true,
        checksum: false,
        version,
    };
    let mut w = RdbWriter::with_options(Vec::new(), options);
    write(&mut w)?;
    let mut out = w.finish_bare()?;
    out.extend_from_slice(&(version as u16).to_le_bytes());
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// A copy of `value` with NaN-scored members dropped.
fn without_nan(value: &RdbValue) -> RdbValue {
    match value {
        RdbValue::ZSet(pairs) => {
            RdbValue::ZSet(pairs.iter().filter(|p| !p.1.is_nan()).cloned().collect())
        }
        other => other.clone(),
    }
}

/// Parses a DUMP payload: checks the footer (version <= 12, CRC-64) and decodes the
/// value in any encoding, streams included (types 15, 19 and 21). Empty collections,
/// duplicates, inconsistent streams, modules and trailing bytes are refused.
pub fn restore_payload(payload: &[u8]) -> Result<RdbValue, DumpError> {
    restore_payload_with(payload, true)
}

/// [`restore_payload`], with the CRC-64 checked only if `verify_checksum` (DEBUG
/// SET-SKIP-CHECKSUM-VALIDATION turns it off, so tests can hand-make corrupt values).
pub fn restore_payload_with(payload: &[u8], verify_checksum: bool) -> Result<RdbValue, DumpError> {
    if payload.len() < 1 + FOOTER_LEN {
        return Err(DumpError::TooShort);
    }
    let (body, footer) = payload.split_at(payload.len() - FOOTER_LEN);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version as u32 > MAX_READ_VERSION {
        return Err(DumpError::UnsupportedVersion(version));
    }
    let expected = u64::from_le_bytes(footer[2..].try_into().map_err(|_| DumpError::TooShort)?);
    if verify_checksum {
        let computed = crc64(&payload[..payload.len() - 8]);
        if expected != computed {
            return Err(DumpError::BadChecksum { expected, computed });
        }
    }
    let mut input = Input::new(&body[1..], false, Some(body.len() as u64 - 1));
    let value = input
        .value(body[0], b"")
        .map_err(|e| DumpError::Decode(shift(e)))?;
    if input.pos() as usize != body.len() - 1 {
        let kind = RdbErrorKind::BadEncoding("trailing bytes after the value");
        return Err(DumpError::Decode(RdbError::new(input.pos() + 1, kind)));
    }
    Ok(value)
}

/// Re-bases an error from the value's input to the whole payload (type byte first).
fn shift(mut e: RdbError) -> RdbError {
    e.offset += 1;
    e
}

/// FUNCTION DUMP's payload: every library as a FUNCTION2 item, then the version and
/// CRC-64 footer of DUMP.
pub fn functions_payload(codes: &[&[u8]]) -> Vec<u8> {
    let options = WriteOptions {
        compression: true,
        checksum: false,
        version: WRITE_VERSION,
    };
    // Writing to a Vec cannot fail.
    let mut out = RdbWriter::with_options(Vec::new(), options)
        .write_bare_functions(codes)
        .unwrap_or_default();
    out.extend_from_slice(&(WRITE_VERSION as u16).to_le_bytes());
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The library codes of a FUNCTION DUMP payload, or the error FUNCTION RESTORE gives.
pub fn parse_functions_payload(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    const BAD_FOOTER: &str = "DUMP payload version or checksum are wrong";
    if payload.len() < FOOTER_LEN {
        return Err(BAD_FOOTER);
    }
    let (body, footer) = payload.split_at(payload.len() - FOOTER_LEN);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let expected = u64::from_le_bytes(footer[2..].try_into().map_err(|_| BAD_FOOTER)?);
    if version as u32 > MAX_READ_VERSION || expected != crc64(&payload[..payload.len() - 8]) {
        return Err(BAD_FOOTER);
    }
    let mut codes = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        if body[pos] != super::format::OPCODE_FUNCTION2 {
            return Err("given type is not a function");
        }
        let mut input = Input::new(&body[pos + 1..], false, Some((body.len() - pos - 1) as u64));
        let code = input
            .string()
            .map_err(|_| "failed loading the given functions payload")?;
        pos += 1 + input.pos() as usize;
        codes.push(code);
    }
    Ok(codes)
}
