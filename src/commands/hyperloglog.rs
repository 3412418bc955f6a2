//! HyperLogLog commands, as Redis's `hyperloglog.c`: PFADD, PFCOUNT, PFMERGE,
//! PFDEBUG and PFSELFTEST. A HyperLogLog is a plain string value in Redis's "HYLL" format
//! (`types/hll.rs`), so GET/SET, DUMP/RESTORE and RDB carry it unchanged.

use std::sync::Arc;

use super::flags::*;
use super::string::{lookup_read, lookup_write};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::server::{Client, Server};
use crate::types::hll::{self, Corrupted, Encoding};
use crate::types::Value;

/// PFDEBUG's key: the argument after the subcommand.
const PFDEBUG_KEYS: Keys = Keys {
    first: 2,
    last: 2,
    step: 1,
};

/// The hyperloglog family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("pfadd", pfadd, -2, WRITE | DENYOOM | FAST, Keys::ONE, "hyperloglog", "2.8.9", "Adds the specified elements to the specified HyperLogLog.")
        .with_complexity("O(1) to add every element."),
    CommandSpec::new("pfcount", pfcount, -2, READONLY | MAY_REPLICATE, Keys::ALL, "hyperloglog", "2.8.9", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).")
        .with_complexity("O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys."),
    CommandSpec::new("pfmerge", pfmerge, -2, WRITE | DENYOOM, Keys::ALL, "hyperloglog", "2.8.9", "Merge N different HyperLogLogs into a single one.")
        .with_complexity("O(N) to merge N HyperLogLogs, but with high constant times."),
    CommandSpec::new("pfdebug", pfdebug, 3, WRITE | DENYOOM | ADMIN, PFDEBUG_KEYS, "hyperloglog", "2.8.9", "Internal commands for debugging HyperLogLog values")
        .with_complexity("N/A"),
    CommandSpec::new("pfselftest", pfselftest, 1, ADMIN, Keys::NONE, "hyperloglog", "2.8.9", "An internal command for testing HyperLogLog values")
        .with_complexity("N/A"),
];

/// The error of a HyperLogLog whose sparse code is broken. (A plain function, not a
/// `From` impl: a second `From` for `CommandError` would make `?` ambiguous elsewhere.)
fn corrupt(_: Corrupted) -> CommandError {
    CommandError::CorruptHll
}

/// The bytes of `v` if it is a valid HyperLogLog: WRONGTYPE for other types, the
/// HyperLogLog WRONGTYPE for strings that are not one (integers included, as Redis's
/// int-encoded strings).
fn hll_of(v: &Value) -> Result<&[u8], CommandError> {
    let bytes = match v {
        Value::Str(s) => s.as_bytes(),
        Value::Buf(b) => b.as_slice(),
        Value::Int(_) => return Err(CommandError::NotHll),
        _ => return Err(CommandError::WrongType),
    };
    hll::validate(bytes).ok_or(CommandError::NotHll)?;
    Ok(bytes)
}

/// The in-place buffer of the HyperLogLog at `key` of `db`, after lookup for writing
/// and validation; None if the key is missing.
fn hll_for_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Vec<u8>>, CommandError> {
    let Some(obj) = lookup_write(srv, db, key) else {
        return Ok(None);
    };
    hll_of(&obj.value)?;
    Ok(Some(obj.value.string_buf_mut()))
}

/// Stores a new HyperLogLog at `key` (absent).
fn store_new(srv: &mut Server, db: usize, key: &[u8], bytes: Vec<u8>) {
    let lru = srv.lru_clock();
    srv.dbs[db].add(key, Value::Buf(Arc::new(bytes)), lru);
}

/// PFADD key [element ...]: 1 if a register changed or the key was created, else 0.
fn pfadd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let sparse_max = srv.config.hll_sparse_max_bytes as usize;
    let mut updated = 0u64;
    let mut created = None;
    let buf = match hll_for_write(srv, db, &c.argv[1])? {
        Some(buf) => buf,
        None => {
            updated += 1;
            created.insert(hll::new_sparse())
        }
    };
    for element in &c.argv[2..] {
        if hll::add(buf, element, sparse_max).map_err(corrupt)? {
            updated += 1;
        }
    }
    if updated > 0 {
        hll::invalidate_cache(buf);
    }
    if let Some(bytes) = created {
        store_new(srv, db, &c.argv[1], bytes);
    }
    if updated > 0 {
        srv.notify_key(c, notify::STRING, "pfadd", 1);
    }
    srv.dirty += updated;
    c.reply.int(i64::from(updated > 0));
    Ok(())
}

/// PFCOUNT key [key ...]: the estimated cardinality of one HyperLogLog (cached in its
/// header, which is updated and propagated when stale) or of the union of several.
fn pfcount(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    if c.argc() > 2 {
        let mut max = Box::new([0u8; hll::REGISTERS]);
        for key in &c.argv[1..] {
            let Some(v) = lookup_read(srv, db, key) else {
                continue;
            };
            hll::merge_into(&mut max, hll_of(v)?).map_err(corrupt)?;
        }
        c.reply.int(hll::count_registers(&max) as i64);
        return Ok(());
    }
    let key = &c.argv[1];
    // One key is looked up for reading too, as in Redis 7.0 (a hit or miss is counted,
    // a miss publishes `keymiss`), although the count may refresh the cached
    // cardinality, which is then written in place without another lookup.
    let Some(v) = lookup_read(srv, db, key) else {
        c.reply.int(0);
        return Ok(());
    };
    let bytes = hll_of(v)?;
    if let Some(card) = hll::cached_count(bytes) {
        c.reply.int(card as i64);
        return Ok(());
    }
    let card = hll::count(bytes).map_err(corrupt)?;
    if let Some(obj) = srv.dbs[db].dict.get_mut(key) {
        hll::set_cached_count(obj.value.string_buf_mut(), card);
    }
    // The value changed (its cache): propagate it like a write.
    srv.dirty += 1;
    c.reply.int(card as i64);
    Ok(())
}

/// PFMERGE destkey [sourcekey ...]: stores the union of the HyperLogLogs (destination
/// included) at destkey; dense if any input was dense.
fn pfmerge(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let sparse_max = srv.config.hll_sparse_max_bytes as usize;
    let mut max = Box::new([0u8; hll::REGISTERS]);
    let mut use_dense = false;
    for key in &c.argv[1..] {
        let Some(v) = lookup_read(srv, db, key) else {
            continue;
        };
        let bytes = hll_of(v)?;
        use_dense |= hll::validate(bytes) == Some(Encoding::Dense);
        hll::merge_into(&mut max, bytes).map_err(corrupt)?;
    }
    let mut created = None;
    let buf = match hll_for_write(srv, db, &c.argv[1])? {
        Some(buf) => buf,
        None => created.insert(hll::new_sparse()),
    };
    if use_dense {
        hll::sparse_to_dense(buf).map_err(corrupt)?;
    }
    for (index, &value) in max.iter().enumerate() {
        if value != 0 {
            // The destination was validated while merging: it cannot be corrupt.
            let _ = hll::raise_register(buf, index, value, sparse_max);
        }
    }
    hll::invalidate_cache(buf);
    if let Some(bytes) = created {
        store_new(srv, db, &c.argv[1], bytes);
    }
    // Redis reports a merge as `pfadd`: a mass add of elements.
    srv.notify_key(c, notify::STRING, "pfadd", 1);
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// PFSELFTEST: Redis's self test of the HyperLogLog implementation (register access,
/// sparse/dense agreement, estimation error); +OK or an `ERR TESTFAILED ...` error.
fn pfselftest(srv: &mut Server, c: &mut Client) -> CommandResult {
    let sparse_max = srv.config.hll_sparse_max_bytes as usize;
    let mut rng = srv.random();
    let rand = move || {
        // xorshift64*, seeded from the server's generator.
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        (rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    };
    match hll::selftest(sparse_max, rand) {
        Ok(()) => {
            c.reply.ok();
            Ok(())
        }
        Err(msg) => Err(CommandError::Raw(format!("ERR {msg}"))),
    }
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
fn pfdebug(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let Some(buf) = hll_for_write(srv, db, &c.argv[2])? else {
        return Err(CommandError::Err("The specified key does not exist"));
    };
    let sub = c.argv[1].to_ascii_lowercase();
    let sparse = hll::validate(buf) == Some(Encoding::Sparse);
    match sub.as_slice() {
        b"getreg" => {
            if sparse {
                hll::sparse_to_dense(buf).map_err(corrupt)?;
            }
            let regs = hll::dense_registers(buf);
            c.reply.array_len(regs.len());
            for r in regs {
                c.reply.int(r as i64);
            }
        }
        b"decode" => {
            if !sparse {
                return Err(CommandError::Err("HLL encoding is not sparse"));
            }
            c.reply.bulk(hll::decode_sparse(buf).as_bytes());
        }
        b"encoding" => c.reply.simple(if sparse { "sparse" } else { "dense" }),
        b"todense" => {
            if sparse {
                hll::sparse_to_dense(buf).map_err(corrupt)?;
            }
            c.reply.int(i64::from(sparse));
        }
        _ => {
            return Err(CommandError::Raw(format!(
                "ERR Unknown PFDEBUG subcommand '{}'",
                String::from_utf8_lossy(&c.argv[1])
            )))
        }
    }
    // A conversion to dense is a change: propagate it.
    if sparse && (sub == b"getreg" || sub == b"todense") {
        srv.dirty += 1;
    }
    Ok(())
}
