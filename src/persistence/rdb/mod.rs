//! The RDB file format: a self-contained codec between RDB bytes and a neutral value
//! model ([`RdbValue`]), independent of how the keyspace stores values.
//!
//! * [`RdbReader`] streams events (aux fields, database switches, entries, EOF) out of
//!   any `Read`, decoding every encoding Redis 2.x–7.4 writes (RDB versions 1..=12):
//!   plain types, ziplist, listpack, intset, zipmap, quicklist 1 and 2, streams (types
//!   15, 19 and 21), and 7.4 hashes with field metadata when no field has a TTL. Module
//!   values are refused with errors naming them. Corrupt input yields an [`RdbError`]
//!   with the byte offset, never a panic or an allocation larger than the data actually
//!   read.
//! * [`RdbWriter`] writes RDB version 9, which Redis 5.0 through 7.x load: strings with
//!   the integer and LZF encodings; lists as quicklists of ziplists (type 14), small
//!   hashes and sorted sets as ziplists (types 13 and 12), integer sets as intsets, and
//!   the plain forms otherwise (list type 1, set type 2, hash type 4, zset type 5).
//!   Streams are written as type 19 (Redis 7.0's layout), in files whose header says
//!   version 10 ([`version_for`]). Collections are written from iterators of borrowed
//!   [`Elem`]s, so a snapshot needs no intermediate copies; which form a value of ours
//!   takes is decided in `persistence::value_rdb`.
//! * [`dump_payload_with`] / [`restore_payload`]: the DUMP/RESTORE serialisation.
//!
//! Submodules: [`format`] (every on-disk constant), [`crc64`] (CRC-64/Jones), [`lzf`],
//! [`encodings`] (ziplist/listpack/intset/zipmap), [`error`], `stream` (the stream
//! value's layout, read and written).

pub mod check;
pub mod crc64;
mod dump;
pub mod encodings;
pub mod error;
pub mod format;
pub mod lzf;
pub mod reader;
mod stream;
pub mod writer;

#[cfg(test)]
mod tests;

pub use dump::{
    dump_payload, dump_payload_with, functions_payload, parse_functions_payload, restore_payload,
    restore_payload_with,
};
pub use error::{DumpError, RdbError, RdbErrorKind, ReadingKey};
pub use reader::{RdbEvent, RdbReader, ReadOptions};
pub use writer::{version_for, Elem, RdbWriter, ReplAux, StandardAux, WriteOptions};

/// A value as stored in an RDB file, in a form that does not depend on the keyspace's
/// own encodings. Collections keep the order of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum RdbValue {
    /// A string (integers are in their decimal form).
    String(Vec<u8>),
    /// A list, head first.
    List(Vec<Vec<u8>>),
    /// A set's members (unique).
    Set(Vec<Vec<u8>>),
    /// A hash's field/value pairs (unique fields).
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    /// A sorted set's member/score pairs (unique members, no NaN scores).
    ZSet(Vec<(Vec<u8>, f64)>),
    /// A stream, whole (entries, IDs and consumer groups); shared, not copied, when a
    /// snapshot writes it.
    Stream(std::sync::Arc<crate::types::Stream>),
}

impl RdbValue {
    /// The type name as Redis's TYPE command prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            RdbValue::String(_) => "string",
            RdbValue::List(_) => "list",
            RdbValue::Set(_) => "set",
            RdbValue::Hash(_) => "hash",
            RdbValue::ZSet(_) => "zset",
            RdbValue::Stream(_) => "stream",
        }
    }
}

/// One key read from an RDB file, with the metadata that preceded it.
#[derive(Debug, Clone, PartialEq)]
pub struct RdbEntry {
    /// The database selected when the key was read (0 if no SELECTDB came first).
    pub db: u32,
    /// The key's bytes.
    pub key: Vec<u8>,
    /// The value.
    pub value: RdbValue,
    /// Absolute expiry time in unix milliseconds, if the key has one.
    pub expire_ms: Option<i64>,
    /// LRU idle time in seconds (written by servers with an LRU eviction policy).
    pub lru_idle: Option<u64>,
    /// LFU frequency counter (written by servers with an LFU eviction policy).
    pub lfu_freq: Option<u8>,
}
