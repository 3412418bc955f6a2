//! The RDB file format, byte by byte: magic, versions, opcodes, value type ids and the
//! length/string encodings. Every number that appears on disk is named here.
//!
//! File layout:
//!
//! ```text
//! "REDIS" + 4 ASCII digits (version)
//! { opcode-with-payload | [expiry] [idle|freq] type key value }*
//! 0xFF (EOF) + 8-byte little-endian CRC-64/Jones of everything before (version >= 5;
//!                                                 all zeros = "not computed")
//! ```

/// The five bytes every RDB file starts with.
pub const MAGIC: &[u8; 5] = b"REDIS";
/// Length of the header: magic plus four version digits.
pub const HEADER_LEN: usize = 9;

/// Oldest RDB version we read.
pub const MIN_READ_VERSION: u32 = 1;
/// Newest RDB version we read (Redis 7.4 writes 12; 7.2 writes 11; 7.0 writes 10).
pub const MAX_READ_VERSION: u32 = 12;
/// The version our writer produces: Redis 5.0 through 7.x all load it.
pub const WRITE_VERSION: u32 = 9;
/// The version written instead when the data holds a stream: our streams use type 19
/// (Redis 7.0's layout), which exists from version 10 on, so older servers refuse the
/// file at its header rather than at the first stream.
pub const STREAM_WRITE_VERSION: u32 = 10;
/// First version whose files end with a CRC-64 checksum.
pub const CHECKSUM_MIN_VERSION: u32 = 5;
/// First version that stores millisecond expiry times in explicit little-endian.
pub const LE_EXPIRE_MIN_VERSION: u32 = 9;

/// The `redis-ver` aux field our writer emits.
pub const WRITER_REDIS_VER: &str = "7.0.15";

// ---- opcodes (a byte read where a value type is expected) -------------------------

/// Cluster slot sizing hint: slot id, slot size, expires size (three lengths). 7.4+.
pub const OPCODE_SLOT_INFO: u8 = 0xF4;
/// Function library: one string holding the library source. 7.0+.
pub const OPCODE_FUNCTION2: u8 = 0xF5;
/// Function library in the 7.0-rc1/rc2 layout: name, engine, [description], code.
pub const OPCODE_FUNCTION_PRE_GA: u8 = 0xF6;
/// Module auxiliary data: module id, when-opcode, when, module-serialised payload.
pub const OPCODE_MODULE_AUX: u8 = 0xF7;
/// LRU idle time (seconds, as a length) of the next key.
pub const OPCODE_IDLE: u8 = 0xF8;
/// LFU frequency (one byte) of the next key.
pub const OPCODE_FREQ: u8 = 0xF9;
/// Aux field: two strings, key and value.
pub const OPCODE_AUX: u8 = 0xFA;
/// Hash table sizing hint: db size and expires size (two lengths).
pub const OPCODE_RESIZEDB: u8 = 0xFB;
/// Expiry of the next key: 8-byte absolute unix time in milliseconds.
pub const OPCODE_EXPIRETIME_MS: u8 = 0xFC;
/// Expiry of the next key: 4-byte absolute unix time in seconds (old files).
pub const OPCODE_EXPIRETIME: u8 = 0xFD;
/// Selects the database of the keys that follow (a length).
pub const OPCODE_SELECTDB: u8 = 0xFE;
/// End of the keyspace; the checksum follows.
pub const OPCODE_EOF: u8 = 0xFF;

// ---- value types -------------------------------------------------------------------

/// String (any string encoding).
pub const TYPE_STRING: u8 = 0;
/// List as a length and that many strings.
pub const TYPE_LIST: u8 = 1;
/// Set as a length and that many strings.
pub const TYPE_SET: u8 = 2;
/// Sorted set with scores as length-prefixed ASCII.
pub const TYPE_ZSET: u8 = 3;
/// Hash as a length and that many field/value string pairs.
pub const TYPE_HASH: u8 = 4;
/// Sorted set with scores as 8-byte little-endian IEEE doubles.
pub const TYPE_ZSET_2: u8 = 5;
/// Module value in the 4.0-rc layout (cannot be skipped).
pub const TYPE_MODULE_PRE_GA: u8 = 6;
/// Module value with self-describing opcodes (can be skipped).
pub const TYPE_MODULE_2: u8 = 7;
/// Hash stored as a zipmap blob (Redis < 2.6).
pub const TYPE_HASH_ZIPMAP: u8 = 9;
/// List stored as one ziplist blob.
pub const TYPE_LIST_ZIPLIST: u8 = 10;
/// Set of integers stored as an intset blob.
pub const TYPE_SET_INTSET: u8 = 11;
/// Sorted set stored as a ziplist blob of member, score pairs.
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
/// Hash stored as a ziplist blob of field, value pairs.
pub const TYPE_HASH_ZIPLIST: u8 = 13;
/// List as a count of ziplist blobs.
pub const TYPE_LIST_QUICKLIST: u8 = 14;
/// Stream (5.0 layout).
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
/// Hash stored as a listpack blob of field, value pairs.
pub const TYPE_HASH_LISTPACK: u8 = 16;
/// Sorted set stored as a listpack blob of member, score pairs.
pub const TYPE_ZSET_LISTPACK: u8 = 17;
/// List as a count of (container, blob) nodes: plain element or listpack.
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
/// Stream (7.0 layout).
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;
/// Set stored as a listpack blob. 7.2+.
pub const TYPE_SET_LISTPACK: u8 = 20;
/// Stream (7.2 layout).
pub const TYPE_STREAM_LISTPACKS_3: u8 = 21;
/// Hash with field expiry, absolute field TTLs (7.4 release candidates).
pub const TYPE_HASH_METADATA_PRE_GA: u8 = 22;
/// Listpack hash with field expiry, no min-TTL prefix (7.4 release candidates).
pub const TYPE_HASH_LISTPACK_EX_PRE_GA: u8 = 23;
/// Hash with field expiry: min TTL, then (ttl, field, value) triples. 7.4+.
pub const TYPE_HASH_METADATA: u8 = 24;
/// Listpack hash with field expiry: min TTL, then a listpack of triples. 7.4+.
pub const TYPE_HASH_LISTPACK_EX: u8 = 25;

/// Length of a stream ID in its raw form (node keys, PEL entries): ms then seq, both
/// 64-bit big-endian.
pub const STREAM_ID_LEN: usize = 16;
/// Stream listpack entry flag: the entry was deleted (a tombstone).
pub const STREAM_ITEM_FLAG_DELETED: i64 = 1;
/// Stream listpack entry flag: the entry has the master entry's field names, so they
/// are not repeated (only the values follow the ID).
pub const STREAM_ITEM_FLAG_SAMEFIELDS: i64 = 2;
/// Elements of a stream entry besides its fields and values: flags, ms delta, seq delta.
pub const STREAM_ITEM_FIXED_ELEMENTS: i64 = 3;
/// A consumer group's `entries_read` when it is not known (Redis writes the -1 of
/// SCG_INVALID_ENTRIES_READ as an unsigned length).
pub const STREAM_ENTRIES_READ_INVALID: u64 = u64::MAX;

/// Quicklist-2 node container: one plain element.
pub const QUICKLIST_NODE_PLAIN: u64 = 1;
/// Quicklist-2 node container: a listpack of elements.
pub const QUICKLIST_NODE_PACKED: u64 = 2;

// ---- module serialisation sub-opcodes ----------------------------------------------

/// End of a module value.
pub const MODULE_OPCODE_EOF: u64 = 0;
/// Signed integer (stored as a length).
pub const MODULE_OPCODE_SINT: u64 = 1;
/// Unsigned integer (stored as a length).
pub const MODULE_OPCODE_UINT: u64 = 2;
/// 4-byte float.
pub const MODULE_OPCODE_FLOAT: u64 = 3;
/// 8-byte double.
pub const MODULE_OPCODE_DOUBLE: u64 = 4;
/// String.
pub const MODULE_OPCODE_STRING: u64 = 5;
/// Characters of a module type name, indexed by 6-bit groups of the module id.
pub const MODULE_NAME_CHARSET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---- length encoding ---------------------------------------------------------------

/// Top two bits 00: the length is the low 6 bits.
pub const LEN_6BIT: u8 = 0;
/// Top two bits 01: 14-bit length, low 6 bits then the next byte.
pub const LEN_14BIT: u8 = 1;
/// Whole byte 0x80: a 32-bit big-endian length follows.
pub const LEN_32BIT: u8 = 0x80;
/// Whole byte 0x81: a 64-bit big-endian length follows.
pub const LEN_64BIT: u8 = 0x81;
/// Top two bits 11: a special string encoding (low 6 bits say which).
pub const LEN_ENCVAL: u8 = 3;

/// String encoding: 8-bit signed integer.
pub const ENC_INT8: u8 = 0;
/// String encoding: 16-bit little-endian signed integer.
pub const ENC_INT16: u8 = 1;
/// String encoding: 32-bit little-endian signed integer.
pub const ENC_INT32: u8 = 2;
/// String encoding: LZF, then compressed length, uncompressed length, data.
pub const ENC_LZF: u8 = 3;

/// Strings at most this long are never LZF-compressed (it cannot pay off).
pub const LZF_MIN_LEN: usize = 21;

/// Double-as-ASCII markers (TYPE_ZSET scores).
pub const DOUBLE_NAN: u8 = 253;
/// Positive infinity marker.
pub const DOUBLE_POS_INF: u8 = 254;
/// Negative infinity marker.
pub const DOUBLE_NEG_INF: u8 = 255;

/// Largest field expiry a 7.4 hash may carry (48 bits of milliseconds).
pub const HASH_FIELD_EXPIRE_MAX: u64 = 0x0000_FFFF_FFFF_FFFF;

/// Whether `t` is a value type id some Redis version writes (0..=7, 9..=25).
pub fn is_value_type(t: u8) -> bool {
    matches!(t, 0..=7 | 9..=25)
}

/// The name of a value type id, for messages ("list", "zset", "stream", ...).
pub fn type_name(t: u8) -> &'static str {
    match t {
        TYPE_STRING => "string",
        TYPE_LIST | TYPE_LIST_ZIPLIST | TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => "list",
        TYPE_SET | TYPE_SET_INTSET | TYPE_SET_LISTPACK => "set",
        TYPE_ZSET | TYPE_ZSET_2 | TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => "zset",
        TYPE_HASH
        | TYPE_HASH_ZIPMAP
        | TYPE_HASH_ZIPLIST
        | TYPE_HASH_LISTPACK
        | TYPE_HASH_METADATA_PRE_GA
        | TYPE_HASH_LISTPACK_EX_PRE_GA
        | TYPE_HASH_METADATA
        | TYPE_HASH_LISTPACK_EX => "hash",
        TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => "module",
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => "stream",
        _ => "unknown",
    }
}

/// The name `redis-check-rdb` gives RDB value type `t` ("hash-ziplist", "quicklist-v2").
pub fn encoding_name(t: u8) -> &'static str {
    match t {
        TYPE_STRING => "string",
        TYPE_LIST => "list-linked",
        TYPE_SET => "set-hashtable",
        TYPE_ZSET => "zset-v1",
        TYPE_HASH => "hash-hashtable",
        TYPE_ZSET_2 => "zset-v2",
        TYPE_MODULE_PRE_GA => "module-pre-release",
        TYPE_MODULE_2 => "module-value",
        TYPE_HASH_ZIPMAP => "hash-zipmap",
        TYPE_LIST_ZIPLIST => "list-ziplist",
        TYPE_SET_INTSET => "set-intset",
        TYPE_ZSET_ZIPLIST => "zset-ziplist",
        TYPE_HASH_ZIPLIST => "hash-ziplist",
        TYPE_LIST_QUICKLIST => "quicklist",
        TYPE_STREAM_LISTPACKS => "stream",
        TYPE_HASH_LISTPACK => "hash-listpack",
        TYPE_ZSET_LISTPACK => "zset-listpack",
        TYPE_LIST_QUICKLIST_2 => "quicklist-v2",
        TYPE_STREAM_LISTPACKS_2 => "stream-v2",
        TYPE_SET_LISTPACK => "set-listpack",
        TYPE_STREAM_LISTPACKS_3 => "stream-v3",
        TYPE_HASH_METADATA_PRE_GA => "hash-hashtable-md-pre-release",
        TYPE_HASH_LISTPACK_EX_PRE_GA => "hash-listpack-md-pre-release",
        TYPE_HASH_METADATA => "hash-hashtable-md",
        TYPE_HASH_LISTPACK_EX => "hash-listpack-md",
        _ => "unknown",
    }
}

/// Decodes the 9-character module type name packed in the top 54 bits of a module id.
pub fn module_name(module_id: u64) -> String {
    let mut id = module_id >> 10;
    let mut name = [0u8; 9];
    for slot in name.iter_mut().rev() {
        *slot = MODULE_NAME_CHARSET[(id & 63) as usize];
        id >>= 6;
    }
    name.iter().map(|&c| c as char).collect()
}
