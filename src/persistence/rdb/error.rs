//! Errors of the RDB layer. Every error names the byte offset where it was detected, so
//! a damaged file can be inspected (`xxd -s OFFSET`); `Display` reads
//! "<what> at offset N".

use std::fmt;
use std::io;

/// An RDB read or write failure, located at a byte offset of the stream.
#[derive(Debug)]
pub struct RdbError {
    /// Bytes of the stream consumed (reader) or produced (writer) when the problem was
    /// detected; inside an encoded blob, the offset of the offending byte.
    pub offset: u64,
    /// What went wrong.
    pub kind: RdbErrorKind,
    /// The key whose value was being read, if the error is inside one.
    pub reading: Option<Box<ReadingKey>>,
    recoverable: bool,
}

/// The key (and its RDB value type) a reader was in when it failed: what
/// `redis-check-rdb` reports as "additional info", so that whoever holds a damaged
/// file knows which key it cost.
#[derive(Debug)]
pub struct ReadingKey {
    /// The key.
    pub key: Vec<u8>,
    /// The RDB type byte of its value.
    pub value_type: u8,
}

/// What went wrong in an RDB stream.
#[derive(Debug)]
pub enum RdbErrorKind {
    /// The stream does not start with `REDIS` and four digits.
    BadMagic,
    /// The header names a version this reader does not handle.
    UnsupportedVersion(u32),
    /// The stream ended in the middle of an item.
    UnexpectedEof,
    /// The checksum stored in the file differs from the one computed over its bytes.
    BadChecksum {
        /// The checksum stored in the file.
        expected: u64,
        /// The checksum of the bytes read.
        computed: u64,
    },
    /// A value type byte that no Redis version writes.
    UnknownType(u8),
    /// An opcode byte (0xF0..=0xF4 range or module sub-opcode) that is not defined.
    UnknownOpcode(u8),
    /// A length or count that is malformed or larger than the data could hold.
    BadLength {
        /// What the length measures.
        what: &'static str,
        /// The length found.
        len: u64,
    },
    /// Malformed encoded data (LZF, numbers, lengths, ...).
    BadEncoding(&'static str),
    /// A compact encoding (ziplist, listpack, intset, zipmap) fails its integrity
    /// check.
    IntegrityCheck {
        /// What the encoding holds, as Redis names it ("Hash ziplist").
        structure: &'static str,
        /// What is wrong with it.
        flaw: &'static str,
    },
    /// A well-formed item this layer does not support (pre-GA modules, hash field
    /// expiry).
    Unsupported(&'static str),
    /// A module value; the named module is not available in ferrodis.
    UnsupportedModule {
        /// The module type name (9 characters) from the module id.
        name: String,
    },
    /// A collection with no elements (Redis skips such keys when loading).
    EmptyKey {
        /// The key of the empty value.
        key: Vec<u8>,
        /// The value's type name ("list", "set", ...).
        type_name: &'static str,
    },
    /// Writer: a collection produced a different number of items than declared.
    LengthMismatch {
        /// Items announced in the length prefix.
        declared: u64,
        /// Items the iterator produced.
        actual: u64,
    },
    /// The reader already failed with an unrecoverable error and cannot continue.
    ReaderFailed,
    /// The underlying reader or writer failed.
    Io(io::Error),
}

impl RdbError {
    /// An error of `kind` detected at `offset`.
    pub fn new(offset: u64, kind: RdbErrorKind) -> RdbError {
        RdbError {
            offset,
            kind,
            reading: None,
            recoverable: false,
        }
    }

    /// Notes that the error happened while reading the value of `key`, of RDB type
    /// `value_type`.
    pub(super) fn while_reading(mut self, key: &[u8], value_type: u8) -> RdbError {
        self.reading = Some(Box::new(ReadingKey {
            key: key.to_vec(),
            value_type,
        }));
        self
    }

    /// Marks the error as recoverable: the reader consumed the whole offending entry.
    pub(super) fn into_recoverable(mut self) -> RdbError {
        self.recoverable = true;
        self
    }

    /// Whether the reader consumed the whole offending entry and can go on with the
    /// next one (empty keys, skipped module values, hash field expiry). A caller that
    /// wants Redis's lenient behaviour logs these and keeps calling `next_event`.
    pub fn is_recoverable(&self) -> bool {
        self.recoverable
    }
}

impl fmt::Display for RdbErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbErrorKind::BadMagic => f.write_str("not an RDB file (bad magic)"),
            RdbErrorKind::UnsupportedVersion(v) => write!(f, "unsupported RDB version {v}"),
            RdbErrorKind::UnexpectedEof => f.write_str("unexpected end of file"),
            RdbErrorKind::BadChecksum { expected, computed } => write!(
                f,
                "RDB CRC error: checksum mismatch (file says {expected:#018x}, data gives {computed:#018x})"
            ),
            RdbErrorKind::UnknownType(t) => write!(f, "unknown value type {t}"),
            RdbErrorKind::UnknownOpcode(op) => write!(f, "unknown opcode {op:#04x}"),
            RdbErrorKind::BadLength { what, len } => write!(f, "bad {what} length {len}"),
            RdbErrorKind::BadEncoding(what) => write!(f, "bad encoding: {what}"),
            RdbErrorKind::IntegrityCheck { structure, flaw } => {
                write!(f, "{structure} integrity check failed: {flaw}")
            }
            RdbErrorKind::Unsupported(what) => write!(f, "unsupported: {what}"),
            RdbErrorKind::UnsupportedModule { name } => {
                write!(f, "unsupported: value of module type '{name}'")
            }
            RdbErrorKind::EmptyKey { key, type_name } => write!(
                f,
                "empty {type_name} value for key '{}'",
                String::from_utf8_lossy(key)
            ),
            RdbErrorKind::LengthMismatch { declared, actual } => write!(
                f,
                "collection declared {declared} items but produced {actual}"
            ),
            RdbErrorKind::ReaderFailed => f.write_str("reader used after an unrecoverable error"),
            RdbErrorKind::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.kind, self.offset)
    }
}

impl std::error::Error for RdbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            RdbErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a DUMP payload was refused by [`super::restore_payload`].
#[derive(Debug)]
pub enum DumpError {
    /// Shorter than type byte + version + checksum.
    TooShort,
    /// The payload's RDB version is newer than we read.
    UnsupportedVersion(u16),
    /// The trailing CRC-64 does not match the payload.
    BadChecksum {
        /// The checksum stored in the payload.
        expected: u64,
        /// The checksum computed over the payload.
        computed: u64,
    },
    /// Footer fine, but the value does not decode.
    Decode(RdbError),
}

impl DumpError {
    /// Whether Redis would answer "DUMP payload version or checksum are wrong" (true)
    /// rather than "Bad data format" (false).
    pub fn is_version_or_checksum(&self) -> bool {
        !matches!(self, DumpError::Decode(_))
    }
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DumpError::TooShort => f.write_str("DUMP payload too short"),
            DumpError::UnsupportedVersion(v) => {
                write!(f, "DUMP payload RDB version {v} is not supported")
            }
            DumpError::BadChecksum { expected, computed } => write!(
                f,
                "DUMP payload checksum mismatch (payload says {expected:#018x}, data gives {computed:#018x})"
            ),
            DumpError::Decode(e) => write!(f, "bad DUMP payload data: {e}"),
        }
    }
}

impl std::error::Error for DumpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DumpError::Decode(e) => Some(e),
            _ => None,
        }
    }
}
