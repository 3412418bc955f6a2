//! Bitmap commands, as Redis's `bitops.c`: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
//! BITFIELD and BITFIELD_RO. They work on string values; the bit arithmetic itself
//! (offsets, ranges, population count, bit search, bitwise operations, bitfield access
//! and overflow) lives in `util::bits`. This file orders the argument checks as Redis
//! does, looks keys up, grows strings in place and counts changes.

use super::flags::*;
use super::string::{lookup_read, lookup_write, parse_int, raw_string, string_of};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::server::{Client, Server};
use crate::types::value::itoa_buf;
use crate::util::bits::{self, BitOp, BitfieldType, Overflow, RangeUnit};

/// Keys of BITOP: the destination (argument 2) and every source after it.
const BITOP_KEYS: Keys = Keys {
    first: 2,
    last: -1,
    step: 1,
};

/// The bitmap family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "setbit",
        setbit,
        4,
        WRITE | DENYOOM,
        Keys::ONE,
        "bitmap",
        "2.2.0",
        "Sets or clears the bit at offset in the string value stored at key",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "getbit",
        getbit,
        3,
        READONLY | FAST,
        Keys::ONE,
        "bitmap",
        "2.2.0",
        "Returns the bit value at offset in the string value stored at key",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "bitcount",
        bitcount,
        -2,
        READONLY,
        Keys::ONE,
        "bitmap",
        "2.6.0",
        "Count set bits in a string",
    )
    .with_complexity("O(N)"),
    CommandSpec::new(
        "bitpos",
        bitpos,
        -3,
        READONLY,
        Keys::ONE,
        "bitmap",
        "2.8.7",
        "Find first bit set or clear in a string",
    )
    .with_complexity("O(N)"),
    CommandSpec::new(
        "bitop",
        bitop,
        -4,
        WRITE | DENYOOM,
        BITOP_KEYS,
        "bitmap",
        "2.6.0",
        "Perform bitwise operations between strings",
    )
    .with_complexity("O(N)"),
    CommandSpec::new(
        "bitfield",
        bitfield,
        -2,
        WRITE | DENYOOM,
        Keys::ONE,
        "bitmap",
        "3.2.0",
        "Perform arbitrary bitfield integer operations on strings",
    )
    .with_complexity("O(1) for each subcommand specified"),
    CommandSpec::new(
        "bitfield_ro",
        bitfield_ro,
        -2,
        READONLY | FAST,
        Keys::ONE,
        "bitmap",
        "6.0.0",
        "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    )
    .with_complexity("O(1) for each subcommand specified"),
];

// ---------------------------------------------------------------------------------------
// Shared parsing and lookups
// ---------------------------------------------------------------------------------------

/// Parses a SETBIT/GETBIT offset (bit offset error when invalid or past the size limit).
fn bit_offset(srv: &Server, arg: &[u8]) -> Result<u64, CommandError> {
    bits::parse_bit_offset(arg, srv.config.proto_max_bulk_len).ok_or(CommandError::BitOffsetInvalid)
}

/// Makes `argv[1]` hold a string long enough to address bit `max_bit`, creating or
/// zero-padding it as `lookupStringForBitCommand`, and returns its bytes for writing and
/// whether it was created or grown (which counts as a change). WRONGTYPE for another type.
fn bitmap_for_write<'a>(
    srv: &'a mut Server,
    c: &Client,
    max_bit: u64,
) -> Result<(&'a mut Vec<u8>, bool), CommandError> {
    let db = c.db;
    let lru = srv.lru_clock();
    let key = &c.argv[1];
    match lookup_write(srv, db, key) {
        Some(obj) if !obj.value.is_string() => return Err(CommandError::WrongType),
        Some(_) => {}
        None => srv.dbs[db].set(key, raw_string(Vec::new()), lru, false),
    }
    let obj = srv.dbs[db]
        .dict
        .get_mut(key)
        .expect("the key exists: it was found or just stored");
    obj.lru = lru;
    let buf = obj.value.string_buf_mut();
    let before = buf.len();
    bits::grow_for_bit(buf, max_bit);
    let grown = buf.len() != before;
    Ok((buf, grown))
}

// ---------------------------------------------------------------------------------------
// SETBIT / GETBIT
// ---------------------------------------------------------------------------------------

/// SETBIT key offset 0|1: replies the bit's previous value.
fn setbit(srv: &mut Server, c: &mut Client) -> CommandResult {
    let offset = bit_offset(srv, &c.argv[2])?;
    let on = match parse_int(&c.argv[3]) {
        Ok(0) => false,
        Ok(1) => true,
        _ => return Err(CommandError::BitValueInvalid),
    };
    let (buf, grown) = bitmap_for_write(srv, c, offset)?;
    let old = bits::get_bit(buf, offset);
    if grown || (old == 1) != on {
        bits::set_bit(buf, offset, on);
        srv.notify_key(c, notify::STRING, "setbit", 1);
        srv.dirty += 1;
    }
    c.reply.int(i64::from(old));
    Ok(())
}

/// GETBIT key offset: 0 past the end of the string or for a missing key.
fn getbit(srv: &mut Server, c: &mut Client) -> CommandResult {
    let offset = bit_offset(srv, &c.argv[2])?;
    let Some(v) = lookup_read(srv, c.db, &c.argv[1]) else {
        c.reply.int(0);
        return Ok(());
    };
    let mut scratch = itoa_buf::Buffer::new();
    let s = string_of(v, &mut scratch)?;
    c.reply.int(i64::from(bits::get_bit(s, offset)));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITCOUNT / BITPOS
// ---------------------------------------------------------------------------------------

/// Parses a BIT|BYTE unit token.
fn parse_unit(arg: &[u8]) -> Result<RangeUnit, CommandError> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(RangeUnit::Bit)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(RangeUnit::Byte)
    } else {
        Err(CommandError::Syntax)
    }
}

/// BITCOUNT key [start end [BYTE|BIT]]: a missing key answers 0 before any argument is
/// checked, as in Redis.
fn bitcount(srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(v) = lookup_read(srv, c.db, &c.argv[1]) else {
        c.reply.int(0);
        return Ok(());
    };
    let mut scratch = itoa_buf::Buffer::new();
    let s = string_of(v, &mut scratch)?;
    let range = match c.argc() {
        2 => None,
        4 | 5 => {
            let start = parse_int(&c.argv[2])?;
            let end = parse_int(&c.argv[3])?;
            // An inverted negative range is empty whatever the unit token says.
            if start < 0 && end < 0 && start > end {
                c.reply.int(0);
                return Ok(());
            }
            let unit = match c.argv.get(4) {
                Some(arg) => parse_unit(arg)?,
                None => RangeUnit::Byte,
            };
            Some((start, end, unit))
        }
        _ => return Err(CommandError::Syntax),
    };
    c.reply.int(bits::bitcount(s, range) as i64);
    Ok(())
}

/// BITPOS key 0|1 [start [end [BYTE|BIT]]]
fn bitpos(srv: &mut Server, c: &mut Client) -> CommandResult {
    let bit = match parse_int(&c.argv[2])? {
        0 => false,
        1 => true,
        _ => return Err(CommandError::Err("The bit argument must be 1 or 0.")),
    };
    let Some(v) = lookup_read(srv, c.db, &c.argv[1]) else {
        c.reply.int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let mut scratch = itoa_buf::Buffer::new();
    let s = string_of(v, &mut scratch)?;
    let argc = c.argc();
    if argc > 6 {
        return Err(CommandError::Syntax);
    }
    let start = match c.argv.get(3) {
        Some(arg) => Some(parse_int(arg)?),
        None => None,
    };
    let unit = match c.argv.get(5) {
        Some(arg) => parse_unit(arg)?,
        None => RangeUnit::Byte,
    };
    let end = match c.argv.get(4) {
        Some(arg) => Some(parse_int(arg)?),
        None => None,
    };
    c.reply.int(bits::bitpos(s, bit, start, end, unit));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------------------

/// BITOP AND|OR|XOR|NOT destkey key [key ...]: stores the result (or deletes destkey
/// when every source is empty) and replies its length.
fn bitop(srv: &mut Server, c: &mut Client) -> CommandResult {
    let name = c.argv[1].as_slice();
    let op = [
        ("and", BitOp::And),
        ("or", BitOp::Or),
        ("xor", BitOp::Xor),
        ("not", BitOp::Not),
    ]
    .into_iter()
    .find(|(n, _)| name.eq_ignore_ascii_case(n.as_bytes()))
    .map(|(_, op)| op)
    .ok_or(CommandError::Syntax)?;
    if op == BitOp::Not && c.argc() != 4 {
        return Err(CommandError::Err(
            "BITOP NOT must be called with a single source key.",
        ));
    }
    let db = c.db;
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(c.argc() - 3);
    for key in &c.argv[3..] {
        let bytes = match lookup_read(srv, db, key) {
            None => Vec::new(),
            Some(v) => v.to_string_vec().ok_or(CommandError::WrongType)?,
        };
        sources.push(bytes);
    }
    let inputs: Vec<&[u8]> = sources.iter().map(Vec::as_slice).collect();
    let result = bits::bitop(op, &inputs);
    let len = result.len();
    let dest = &c.argv[2];
    if len > 0 {
        let (lru, now, mode) = (srv.lru_clock(), srv.now_ms, srv.expire_mode);
        // As Redis's setKey, an expired destination is removed (and reported) first.
        srv.dbs[db].expire_if_needed(dest, now, mode);
        srv.dbs[db].set(dest, raw_string(result), lru, false);
        srv.notify_key(c, notify::STRING, "set", 2);
        srv.dirty += 1;
    } else if srv.dbs[db].remove(dest).is_some() {
        // Redis deletes the destination without an expiry check: even an expired
        // one reports `del`.
        srv.notify_key(c, notify::GENERIC, "del", 2);
        srv.dirty += 1;
    }
    c.reply.int(len as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO
// ---------------------------------------------------------------------------------------

/// What one bitfield operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldOpKind {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// One parsed GET/SET/INCRBY of a BITFIELD request, with the OVERFLOW policy in force.
#[derive(Debug, Clone, Copy)]
struct FieldOp {
    kind: FieldOpKind,
    ty: BitfieldType,
    offset: u64,
    overflow: Overflow,
}

/// Parses the operations of BITFIELD (from argument 2) as `bitfieldGeneric`. Returns
/// them and the highest bit any SET/INCRBY writes (None if the request only reads).
fn parse_field_ops(
    argv: &[Vec<u8>],
    max_bytes: u64,
) -> Result<(Vec<FieldOp>, Option<u64>), CommandError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut highest_write: Option<u64> = None;
    let mut j = 2;
    while j < argv.len() {
        let sub = argv[j].as_slice();
        let remaining = argv.len() - j - 1;
        let is = |name: &[u8]| sub.eq_ignore_ascii_case(name);
        if is(b"overflow") && remaining >= 1 {
            overflow = parse_overflow(&argv[j + 1])?;
            j += 2;
            continue;
        }
        let needs = if is(b"get") { 2 } else { 3 };
        if !(is(b"get") || is(b"set") || is(b"incrby")) || remaining < needs {
            return Err(CommandError::Syntax);
        }
        let ty = BitfieldType::parse(&argv[j + 1])
            .ok_or(CommandError::Err(bits::BITFIELD_TYPE_ERROR))?;
        let offset = bits::parse_bitfield_offset(&argv[j + 2], ty.bits, max_bytes)
            .ok_or(CommandError::BitOffsetInvalid)?;
        let kind = if is(b"get") {
            FieldOpKind::Get
        } else {
            let last = offset + u64::from(ty.bits) - 1;
            highest_write = Some(highest_write.map_or(last, |h| h.max(last)));
            let n = parse_int(&argv[j + 3])?;
            if is(b"set") {
                FieldOpKind::Set(n)
            } else {
                FieldOpKind::IncrBy(n)
            }
        };
        ops.push(FieldOp {
            kind,
            ty,
            offset,
            overflow,
        });
        j += 1 + needs;
    }
    Ok((ops, highest_write))
}

/// Parses the argument of OVERFLOW: WRAP, SAT or FAIL.
fn parse_overflow(arg: &[u8]) -> Result<Overflow, CommandError> {
    [
        (&b"wrap"[..], Overflow::Wrap),
        (b"sat", Overflow::Sat),
        (b"fail", Overflow::Fail),
    ]
    .into_iter()
    .find(|(n, _)| arg.eq_ignore_ascii_case(n))
    .map(|(_, o)| o)
    .ok_or(CommandError::Err("Invalid OVERFLOW type specified"))
}

/// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset incr]
/// [OVERFLOW WRAP|SAT|FAIL] ...
fn bitfield(srv: &mut Server, c: &mut Client) -> CommandResult {
    bitfield_generic(srv, c, false)
}

/// BITFIELD_RO key [GET type offset] ...
fn bitfield_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    bitfield_generic(srv, c, true)
}

/// The common path of BITFIELD and BITFIELD_RO: every operation is parsed first; a
/// request with writes grows the string to its farthest write, then runs them in order,
/// one reply entry each (null for a write stopped by OVERFLOW FAIL).
fn bitfield_generic(srv: &mut Server, c: &mut Client, read_only: bool) -> CommandResult {
    let (ops, highest_write) = parse_field_ops(&c.argv, srv.config.proto_max_bulk_len)?;
    let Some(max_bit) = highest_write else {
        return bitfield_reads(srv, c, &ops);
    };
    if read_only {
        return Err(CommandError::Err(
            "BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let (buf, grown) = bitmap_for_write(srv, c, max_bit)?;
    c.reply.array_len(ops.len());
    let mut changes = 0u64;
    for op in &ops {
        let write = match op.kind {
            FieldOpKind::Get => {
                c.reply.int(bits::bitfield_get(buf, op.ty, op.offset));
                continue;
            }
            FieldOpKind::Set(v) => {
                bits::bitfield_set(buf, op.ty, op.offset, v, op.overflow).map(|w| (w.old, w))
            }
            FieldOpKind::IncrBy(v) => {
                bits::bitfield_incrby(buf, op.ty, op.offset, v, op.overflow).map(|w| (w.new, w))
            }
        };
        match write {
            Some((reply, w)) => {
                c.reply.int(reply);
                if grown || w.old != w.new {
                    changes += 1;
                }
            }
            None => c.reply.null(),
        }
    }
    if changes > 0 {
        // Redis reports any BITFIELD write as `setbit`, once per command.
        srv.notify_key(c, notify::STRING, "setbit", 1);
        srv.dirty += changes;
    }
    Ok(())
}

/// A BITFIELD made only of GETs: the key is looked up for reading (missing = zeros).
fn bitfield_reads(srv: &mut Server, c: &mut Client, ops: &[FieldOp]) -> CommandResult {
    let mut scratch = itoa_buf::Buffer::new();
    let s: &[u8] = match lookup_read(srv, c.db, &c.argv[1]) {
        None => &[],
        Some(v) => string_of(v, &mut scratch)?,
    };
    c.reply.array_len(ops.len());
    for op in ops {
        c.reply.int(bits::bitfield_get(s, op.ty, op.offset));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::string::harness::Harness;
    use super::*;

    #[test]
    fn writes_count_only_real_changes() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["setbit", "k", "7", "0"]).dirty, 1, "created");
        assert_eq!(h.run(&["setbit", "k", "7", "0"]).dirty, 0, "unchanged");
        assert_eq!(h.run(&["setbit", "k", "7", "1"]).dirty, 1);
        assert_eq!(h.run(&["setbit", "k", "20", "0"]).dirty, 1, "grown");
        let out = h.run(&[
            "bitfield", "k", "set", "u8", "0", "1", "get", "u8", "0", "incrby", "u8", "0", "0",
        ]);
        assert_eq!(out.reply, b"*3\r\n:1\r\n:1\r\n:1\r\n");
        assert_eq!(out.dirty, 0);
        let out = h.run(&[
            "bitfield", "k", "set", "u8", "0", "2", "incrby", "u8", "8", "1", "overflow", "fail",
            "incrby", "u8", "0", "300",
        ]);
        assert_eq!(out.reply, b"*3\r\n:1\r\n:1\r\n$-1\r\n");
        assert_eq!(out.dirty, 2);
        assert_eq!(h.run(&["bitfield", "k", "get", "u8", "0"]).dirty, 0);
        let out = h.run(&[
            "bitfield", "new", "overflow", "fail", "incrby", "u8", "0", "300",
        ]);
        assert_eq!(out.reply, b"*1\r\n$-1\r\n");
        assert_eq!(
            out.dirty, 0,
            "a failed write on a new key changes nothing it counts"
        );
        assert_eq!(
            h.reply(&["strlen", "new"]),
            ":1\r\n",
            "but the key was created"
        );
        assert_eq!(h.run(&["bitop", "and", "d", "nokey"]).dirty, 0);
        assert_eq!(h.run(&["bitop", "or", "d", "k"]).dirty, 1);
        let out = h.run(&["bitop", "or", "d", "nokey"]);
        assert_eq!(
            (out.dirty, out.reply.as_slice()),
            (1, &b":0\r\n"[..]),
            "deleted"
        );
        assert!(!h.srv.dbs[0].dict.contains_key(b"d"));
    }

    #[test]
    fn reads_count_keyspace_hits_and_misses() {
        let mut h = Harness::new();
        h.run(&["set", "k", "abc"]);
        h.run(&["getbit", "k", "1"]);
        h.run(&["getbit", "nokey", "1"]);
        h.run(&["bitcount", "k"]);
        h.run(&["bitpos", "nokey", "1"]);
        h.run(&["bitfield_ro", "k", "get", "u8", "0"]);
        h.run(&["bitop", "and", "dest", "k", "nokey"]);
        let stats = &h.srv.stats;
        assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (4, 3));
        h.run(&["setbit", "k", "1", "1"]);
        h.run(&["bitfield", "k", "incrby", "u2", "0", "1"]);
        let stats = &h.srv.stats;
        assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (4, 3));
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn field_ops_parse_in_order() {
        let max = 512 << 20;
        let (ops, high) = parse_field_ops(
            &argv(&[
                "bitfield", "k", "get", "u8", "0", "overflow", "sat", "incrby", "i5", "#2", "7",
            ]),
            max,
        )
        .expect("valid");
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].offset, 10);
        assert_eq!(ops[1].overflow, Overflow::Sat);
        assert_eq!(ops[1].kind, FieldOpKind::IncrBy(7));
        assert_eq!(high, Some(14));
        let only_get =
            parse_field_ops(&argv(&["bitfield", "k", "GET", "i64", "#1"]), max).expect("valid");
        assert_eq!(only_get.1, None);
    }

    #[test]
    fn field_ops_errors() {
        let max = 512 << 20;
        let cases: [(&[&str], CommandError); 5] = [
            (&["bitfield", "k", "get", "u8"], CommandError::Syntax),
            (&["bitfield", "k", "foo", "u8", "0"], CommandError::Syntax),
            (
                &["bitfield", "k", "overflow", "up"],
                CommandError::Err("Invalid OVERFLOW type specified"),
            ),
            (
                &["bitfield", "k", "get", "u64", "0"],
                CommandError::Err(bits::BITFIELD_TYPE_ERROR),
            ),
            (
                &["bitfield", "k", "set", "u8", "-1", "0"],
                CommandError::BitOffsetInvalid,
            ),
        ];
        for (words, err) in cases {
            assert_eq!(
                parse_field_ops(&argv(words), max).err(),
                Some(err),
                "{:?}",
                words
            );
        }
        let not_int = parse_field_ops(&argv(&["bitfield", "k", "set", "u8", "0", "x"]), max);
        assert_eq!(not_int.err(), Some(CommandError::NotInteger));
    }
}
