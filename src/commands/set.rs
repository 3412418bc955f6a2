//! Set commands, as Redis 7.0's `t_set.c`: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER,
//! SCARD, SPOP (propagated as SREM of the popped members, or DEL when it empties the
//! set), SRANDMEMBER, SMOVE, SINTER/SINTERCARD/SINTERSTORE, SUNION/SUNIONSTORE,
//! SDIFF/SDIFFSTORE and SSCAN.
//!
//! Results of the set algebra are gathered in a fresh set that starts as an intset, as
//! Redis's, so their encoding (and, for intsets, their sorted order) is Redis's.

use std::sync::Arc;

use super::flags::*;
use super::hash::{
    distinct_indices, distinct_picks, parse_cursor, parse_signed_count, reply_item, reply_scan,
    rng_from, ScanOptions, SCAN_COMPLEXITY,
};
use super::keys::{lookup_read, read_as, write_as};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{Client, Server};
use crate::types::hash::Item;
use crate::types::{EncodingLimits, Set, Value};
use crate::util::numbers::parse_i64;

/// Keys of SMOVE: source and destination.
const TWO_KEYS: Keys = Keys::TWO;
/// Keys of the STORE variants: the destination, then the sources.
const STORE_KEYS: Keys = Keys::ALL;

/// The set family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sadd", sadd, -3, WRITE | DENYOOM | FAST, Keys::ONE, "set", "1.0.0", "Add one or more members to a set")
        .with_complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."),
    CommandSpec::new("srem", srem, -3, WRITE | FAST, Keys::ONE, "set", "1.0.0", "Remove one or more members from a set")
        .with_complexity("O(N) where N is the number of members to be removed."),
    CommandSpec::new("smove", smove, 4, WRITE | FAST, TWO_KEYS, "set", "1.0.0", "Move a member from one set to another")
        .with_complexity("O(1)"),
    CommandSpec::new("sismember", sismember, 3, READONLY | FAST, Keys::ONE, "set", "1.0.0", "Determine if a given value is a member of a set")
        .with_complexity("O(1)"),
    CommandSpec::new("smismember", smismember, -3, READONLY | FAST, Keys::ONE, "set", "6.2.0", "Returns the membership associated with the given elements for a set")
        .with_complexity("O(N) where N is the number of elements being checked for membership"),
    CommandSpec::new("scard", scard, 2, READONLY | FAST, Keys::ONE, "set", "1.0.0", "Get the number of members in a set")
        .with_complexity("O(1)"),
    CommandSpec::new("spop", spop, -2, WRITE | FAST, Keys::ONE, "set", "1.0.0", "Remove and return one or multiple random members from a set")
        .with_complexity("Without the count argument O(1), otherwise O(N) where N is the value of the passed count."),
    CommandSpec::new("srandmember", srandmember, -2, READONLY, Keys::ONE, "set", "1.0.0", "Get one or multiple random members from a set")
        .with_complexity("Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count."),
    CommandSpec::new("sinter", sinter, -2, READONLY, Keys::ALL, "set", "1.0.0", "Intersect multiple sets")
        .with_complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    CommandSpec::new("sintercard", sintercard, -3, READONLY, Keys::NONE, "set", "7.0.0", "Intersect multiple sets and return the cardinality of the result")
        .with_complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    CommandSpec::new("sinterstore", sinterstore, -3, WRITE | DENYOOM, STORE_KEYS, "set", "1.0.0", "Intersect multiple sets and store the resulting set in a key")
        .with_complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."),
    CommandSpec::new("sunion", sunion, -2, READONLY, Keys::ALL, "set", "1.0.0", "Add multiple sets")
        .with_complexity("O(N) where N is the total number of elements in all given sets."),
    CommandSpec::new("sunionstore", sunionstore, -3, WRITE | DENYOOM, STORE_KEYS, "set", "1.0.0", "Add multiple sets and store the resulting set in a key")
        .with_complexity("O(N) where N is the total number of elements in all given sets."),
    CommandSpec::new("sdiff", sdiff, -2, READONLY, Keys::ALL, "set", "1.0.0", "Subtract multiple sets")
        .with_complexity("O(N) where N is the total number of elements in all given sets."),
    CommandSpec::new("sdiffstore", sdiffstore, -3, WRITE | DENYOOM, STORE_KEYS, "set", "1.0.0", "Subtract multiple sets and store the resulting set in a key")
        .with_complexity("O(N) where N is the total number of elements in all given sets."),
    CommandSpec::new("smembers", smembers, 2, READONLY, Keys::ONE, "set", "1.0.0", "Get all the members in a set")
        .with_complexity("O(N) where N is the set cardinality."),
    CommandSpec::new("sscan", sscan, -3, READONLY, Keys::ONE, "set", "2.8.0", "Incrementally iterate Set elements")
        .with_complexity(SCAN_COMPLEXITY),
];

// ---------------------------------------------------------------------------------------
// Access to set values
// ---------------------------------------------------------------------------------------

/// Shares the set at `key` (a reference count, no copy), for commands that read several
/// keys at once.
fn shared_set(srv: &mut Server, db: usize, key: &[u8]) -> Result<Option<Arc<Set>>, CommandError> {
    match lookup_read(srv, db, key, true) {
        None => Ok(None),
        Some(obj) => match &obj.value {
            Value::Set(s) => Ok(Some(Arc::clone(s))),
            _ => Err(CommandError::WrongType),
        },
    }
}

/// Runs `f` on the set at `key` for writing (copied first only if a snapshot shares
/// it). A missing key gets a new empty set in the encoding `create` (its first member)
/// calls for, stored only if `f` leaves it non-empty; with `create` None, `f` is not run
/// and the result is None. A set `f` empties is deleted. WRONGTYPE for other types.
fn with_set_mut<R>(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    create: Option<&[u8]>,
    f: impl FnOnce(&mut Set) -> R,
) -> Result<Option<R>, CommandError> {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let database = &mut srv.dbs[db];
    if let Some(obj) = database.get_mut(key, now, mode) {
        let Value::Set(arc) = &mut obj.value else {
            return Err(CommandError::WrongType);
        };
        let set = Arc::make_mut(arc);
        let result = f(set);
        if set.is_empty() {
            database.remove(key);
        }
        return Ok(Some(result));
    }
    let Some(first) = create else {
        return Ok(None);
    };
    let mut set = Set::for_member(first);
    let result = f(&mut set);
    if !set.is_empty() {
        store(srv, db, key, set);
    }
    Ok(Some(result))
}

/// Stores `set` at `key`, replacing any value and its TTL (Redis's setKey).
fn store(srv: &mut Server, db: usize, key: &[u8], set: Set) {
    let lru = srv.lru_clock();
    srv.dbs[db].set(key, Value::Set(Arc::new(set)), lru, false);
}

/// Whether `key` exists for a write (lookupKeyWrite, expiring it if due), and whether
/// it holds a set.
fn kind_for_write(srv: &mut Server, db: usize, key: &[u8]) -> Option<bool> {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    srv.dbs[db]
        .get_mut(key, now, mode)
        .map(|obj| matches!(obj.value, Value::Set(_)))
}

/// The encoding thresholds the config sets now.
fn limits(srv: &Server) -> EncodingLimits {
    EncodingLimits::from_config(&srv.config)
}

/// Replies with every member of `set` as a RESP3 set (RESP2 array).
fn reply_members(reply: &mut ReplyBuf, set: &Set) {
    reply.set_len(set.len());
    set.for_each_item(|m| reply_item(reply, m));
}

/// The empty set reply (`~0`, RESP2 `*0`).
fn reply_empty_set(reply: &mut ReplyBuf) {
    reply.set_len(0);
}

// ---------------------------------------------------------------------------------------
// Single-set commands
// ---------------------------------------------------------------------------------------

/// SADD key member [member ...]: replies how many members were added.
fn sadd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let limits = limits(srv);
    let args = &c.argv;
    let added = with_set_mut(srv, c.db, &args[1], Some(&args[2]), |s| {
        args[2..].iter().filter(|m| s.add(m, &limits)).count()
    })?
    .unwrap_or(0);
    if added > 0 {
        srv.dirty += added as u64;
        srv.notify_key(c, notify::SET, "sadd", 1);
    }
    c.reply.int(added as i64);
    Ok(())
}

/// SREM key member [member ...]: replies how many members were removed.
fn srem(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = &c.argv;
    let (removed, emptied) = with_set_mut(srv, c.db, &args[1], None, |s| {
        let mut n = 0u64;
        for m in &args[2..] {
            if s.remove(m) {
                n += 1;
                if s.is_empty() {
                    break;
                }
            }
        }
        (n, s.is_empty())
    })?
    .unwrap_or((0, false));
    if removed > 0 {
        srv.dirty += removed;
        srv.notify_key(c, notify::SET, "srem", 1);
        if emptied {
            // with_set_mut deleted the emptied set.
            srv.notify_key(c, notify::GENERIC, "del", 1);
        }
    }
    c.reply.int(removed as i64);
    Ok(())
}

/// SMOVE source destination member: moves the member; replies 1 if it was moved (or is
/// already in both when source and destination are the same key), else 0.
fn smove(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let (src, dst, member) = (&c.argv[1], &c.argv[2], &c.argv[3]);
    let src_kind = kind_for_write(srv, db, src);
    let dst_kind = kind_for_write(srv, db, dst);
    match src_kind {
        None => {
            c.reply.int(0);
            return Ok(());
        }
        Some(false) => return Err(CommandError::WrongType),
        Some(true) => {}
    }
    if dst_kind == Some(false) {
        return Err(CommandError::WrongType);
    }
    if src == dst {
        let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
        let found = srv.dbs[db]
            .get(src, now, mode)
            .is_some_and(|o| matches!(&o.value, Value::Set(s) if s.contains(member)));
        c.reply.int(i64::from(found));
        return Ok(());
    }
    let (removed, emptied) =
        with_set_mut(srv, db, src, None, |s| (s.remove(member), s.is_empty()))?
            .unwrap_or((false, false));
    if !removed {
        c.reply.int(0);
        return Ok(());
    }
    srv.dirty += 1;
    // The source's events come before the destination is touched (and created).
    srv.notify_key(c, notify::SET, "srem", 1);
    if emptied {
        srv.notify_key(c, notify::GENERIC, "del", 1);
    }
    let limits = limits(srv);
    let (dst, member) = (&c.argv[2], &c.argv[3]);
    let added = with_set_mut(srv, db, dst, Some(member), |s| s.add(member, &limits))?;
    if added == Some(true) {
        srv.dirty += 1;
        srv.notify_key(c, notify::SET, "sadd", 2);
    } else {
        // Already a member of the destination: only the source changed (WATCH).
        c.untouched_key = Some(2);
    }
    c.reply.int(1);
    Ok(())
}

/// SISMEMBER key member: 1 or 0.
fn sismember(srv: &mut Server, c: &mut Client) -> CommandResult {
    let found = read_as::<Set>(srv, c.db, &c.argv[1])?.is_some_and(|s| s.contains(&c.argv[2]));
    c.reply.int(i64::from(found));
    Ok(())
}

/// SMISMEMBER key member [member ...]: an array of 1/0, all 0 for a missing key.
fn smismember(srv: &mut Server, c: &mut Client) -> CommandResult {
    let set = read_as::<Set>(srv, c.db, &c.argv[1])?;
    c.reply.array_len(c.argc() - 2);
    for m in &c.argv[2..] {
        c.reply.int(i64::from(set.is_some_and(|s| s.contains(m))));
    }
    Ok(())
}

/// SCARD key: the number of members.
fn scard(srv: &mut Server, c: &mut Client) -> CommandResult {
    let n = read_as::<Set>(srv, c.db, &c.argv[1])?.map_or(0, Set::len);
    c.reply.int(n as i64);
    Ok(())
}

/// SMEMBERS key: every member (a set reply; intsets in ascending order).
fn smembers(srv: &mut Server, c: &mut Client) -> CommandResult {
    match read_as::<Set>(srv, c.db, &c.argv[1])? {
        Some(s) => reply_members(&mut c.reply, s),
        None => reply_empty_set(&mut c.reply),
    }
    Ok(())
}

/// SPOP key [count]: removes and returns random members. Without a count one member
/// (null if missing), propagated as SREM; with a count a set reply, propagated as one
/// SREM of the popped members, or as DEL when the whole set is popped.
fn spop(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 3 {
        return Err(CommandError::Syntax);
    }
    let mut rng = rng_from(srv.random());
    if c.argc() == 3 {
        return spop_count(srv, c, &mut rng);
    }
    let key = c.argv[1].clone();
    let popped = with_set_mut(srv, c.db, &key, None, |s| {
        s.pop_random(&mut rng).map(|m| (m, s.is_empty()))
    })?
    .flatten();
    match popped {
        Some((member, emptied)) => {
            srv.dirty += 1;
            // Redis's order: `spop`, the reply, then `del` if the set is gone.
            srv.notify_key(c, notify::SET, "spop", 1);
            c.reply.bulk(&member);
            if emptied {
                srv.notify_key(c, notify::GENERIC, "del", 1);
            }
            c.rewrite_propagated(vec![b"SREM".to_vec(), key, member]);
        }
        None => c.reply.null(),
    }
    Ok(())
}

/// SPOP key count.
fn spop_count(srv: &mut Server, c: &mut Client, rng: &mut impl FnMut() -> u64) -> CommandResult {
    // Redis's getPositiveLongFromObjectOrReply: one message for both failures.
    let count = parse_i64(&c.argv[2])
        .filter(|&n| n >= 0)
        .ok_or(CommandError::OutOfRange)?;
    let count = count as u64;
    let key = c.argv[1].clone();
    // A write lookup, as Redis's spopWithCountCommand: no hit or miss, no `keymiss`.
    let Some(size) = write_as::<Set>(srv, c.db, &key)?.map(Set::len) else {
        reply_empty_set(&mut c.reply);
        return Ok(());
    };
    if count == 0 {
        reply_empty_set(&mut c.reply);
        return Ok(());
    }
    // Redis announces the pop before making it, and `del` after the reply.
    srv.notify_key(c, notify::SET, "spop", 1);
    if count >= size as u64 {
        // The whole set: reply with it, delete the key, propagate DEL. Redis replies
        // through SUNION's code, which reads the key again: that lookup counts a hit.
        if let Some(Value::Set(s)) = lookup_read(srv, c.db, &key, true).map(|o| &o.value) {
            reply_members(&mut c.reply, s);
        }
        srv.dbs[c.db].remove(&key);
        srv.dirty += size as u64;
        srv.notify_key(c, notify::GENERIC, "del", 1);
        c.rewrite_propagated(vec![b"DEL".to_vec(), key]);
        return Ok(());
    }
    let popped = with_set_mut(srv, c.db, &key, None, |s| {
        (0..count)
            .filter_map(|_| s.pop_random(rng))
            .collect::<Vec<_>>()
    })?
    .unwrap_or_default();
    srv.dirty += popped.len() as u64;
    c.reply.set_len(popped.len());
    for m in &popped {
        c.reply.bulk(m);
    }
    let mut argv = Vec::with_capacity(popped.len() + 2);
    argv.push(b"SREM".to_vec());
    argv.push(key);
    argv.extend(popped);
    c.rewrite_propagated(argv);
    Ok(())
}

/// SRANDMEMBER key [count]: random members without removing them. Without a count one
/// member or null; with a positive count distinct members (at most the whole set), with
/// a negative count that many members, possibly repeated. Always an array.
fn srandmember(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 3 {
        return Err(CommandError::Syntax);
    }
    let mut rng = rng_from(srv.random());
    if c.argc() == 2 {
        match read_as::<Set>(srv, c.db, &c.argv[1])?.and_then(|s| s.random_member(&mut rng)) {
            Some(m) => reply_item(&mut c.reply, m),
            None => c.reply.null(),
        }
        return Ok(());
    }
    let count = parse_signed_count(&c.argv[2])?;
    let Some(set) = read_as::<Set>(srv, c.db, &c.argv[1])? else {
        c.reply.array_len(0);
        return Ok(());
    };
    let n = count.unsigned_abs() as usize;
    let reply = &mut c.reply;
    if n == 0 {
        reply.array_len(0);
    } else if count < 0 || n == 1 {
        reply.array_len(n);
        for _ in 0..n {
            if let Some(m) = set.random_member(&mut rng) {
                reply_item(reply, m);
            }
        }
    } else if n >= set.len() {
        reply.array_len(set.len());
        set.for_each_item(|m| reply_item(reply, m));
    } else if n * 3 <= set.len() {
        let picked = distinct_picks(n, || set.random_member(&mut rng), |&m| m);
        reply.array_len(picked.len());
        for m in picked {
            reply_item(reply, m);
        }
    } else {
        let items = set.items();
        reply.array_len(n);
        for i in distinct_indices(items.len(), n, &mut rng) {
            reply_item(reply, items[i]);
        }
    }
    Ok(())
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]: one step of the iteration over the
/// members; an intset returns everything with cursor 0.
fn sscan(srv: &mut Server, c: &mut Client) -> CommandResult {
    let cursor = parse_cursor(&c.argv[2])?;
    let Some(set) = read_as::<Set>(srv, c.db, &c.argv[1])? else {
        reply_scan(&mut c.reply, 0, &[]);
        return Ok(());
    };
    let opts = ScanOptions::parse(&c.argv[3..])?;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let visited = std::cell::Cell::new(0usize);
    let mut keep = |m: Item<'_>| {
        visited.set(visited.get() + 1);
        if opts.matches(m) {
            found.push(m.to_vec());
        }
    };
    let mut budget = opts.count.saturating_mul(10);
    let mut next = cursor;
    loop {
        next = set.scan(next, &mut keep);
        if next == 0 || budget == 0 || visited.get() >= opts.count {
            break;
        }
        budget -= 1;
    }
    reply_scan(&mut c.reply, next, &found);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Set algebra
// ---------------------------------------------------------------------------------------

/// Looks up every key of `keys` as a set (None for a missing key); WRONGTYPE as soon as
/// one holds another type, after the keys before it were looked up.
fn gather(
    srv: &mut Server,
    db: usize,
    keys: &[Vec<u8>],
) -> Result<Vec<Option<Arc<Set>>>, CommandError> {
    keys.iter().map(|k| shared_set(srv, db, k)).collect()
}

/// Where an intersection's result goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InterOutput {
    Reply,
    Store,
    /// SINTERCARD: only the count, stopping at the limit (0: none).
    Count(usize),
}

/// The members of the intersection of `sets` (all present), in the iteration order of
/// the smallest; stops after `limit` members when non-zero.
fn intersect(sets: &mut [Arc<Set>], limit: usize) -> Vec<Vec<u8>> {
    sets.sort_by_key(|s| s.len());
    let (first, rest) = sets.split_first().expect("at least one set");
    let mut out = Vec::new();
    for item in first.items() {
        let in_all = rest
            .iter()
            .all(|s| Arc::ptr_eq(s, first) || s.contains_item(item));
        if in_all {
            out.push(item.to_vec());
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// SINTER, SINTERSTORE (whose destination is argument 1) and SINTERCARD over `keys`.
fn sinter_generic(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Vec<u8>],
    output: InterOutput,
) -> CommandResult {
    let found = gather(srv, c.db, keys)?;
    let Some(mut sets) = found.into_iter().collect::<Option<Vec<Arc<Set>>>>() else {
        // A missing key is an empty set: so is the intersection.
        match output {
            InterOutput::Reply => reply_empty_set(&mut c.reply),
            InterOutput::Count(_) => c.reply.int(0),
            InterOutput::Store => {
                // Redis announces this deletion before the reply.
                delete_destination(srv, c);
                c.reply.int(0);
            }
        }
        return Ok(());
    };
    let limit = match output {
        InterOutput::Count(limit) => limit,
        _ => 0,
    };
    let members = intersect(&mut sets, limit);
    drop(sets);
    match output {
        InterOutput::Count(_) => c.reply.int(members.len() as i64),
        InterOutput::Reply => {
            c.reply.set_len(members.len());
            for m in &members {
                c.reply.bulk(m);
            }
        }
        InterOutput::Store => {
            let limits = limits(srv);
            let mut result = Set::new();
            for m in &members {
                result.add(m, &limits);
            }
            store_result(srv, c, result, "sinterstore");
        }
    }
    Ok(())
}

/// Stores a STORE variant's result at its destination (argument 1), replies with its
/// size and publishes `event`; an empty result deletes the destination instead.
fn store_result(srv: &mut Server, c: &mut Client, result: Set, event: &str) {
    let n = result.len();
    c.reply.int(n as i64);
    if n > 0 {
        // As Redis's setKey, look the destination up first: one that expired is
        // reported as such, and the result is then a new key.
        kind_for_write(srv, c.db, &c.argv[1]);
        store(srv, c.db, &c.argv[1], result);
        srv.dirty += 1;
        srv.notify_key(c, notify::SET, event, 1);
    } else {
        delete_destination(srv, c);
    }
}

/// Deletes a STORE variant's destination (argument 1) for an empty result, announcing
/// it only if it existed. As Redis's dbDelete there is no lookup: a logically expired
/// destination still stored is deleted (and announced deleted), not expired.
fn delete_destination(srv: &mut Server, c: &mut Client) {
    if srv.dbs[c.db].remove(&c.argv[1]).is_some() {
        srv.dirty += 1;
        srv.notify_key(c, notify::GENERIC, "del", 1);
    }
}

/// SINTER key [key ...]
fn sinter(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[1..].to_vec();
    sinter_generic(srv, c, &keys, InterOutput::Reply)
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[2..].to_vec();
    sinter_generic(srv, c, &keys, InterOutput::Store)
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(srv: &mut Server, c: &mut Client) -> CommandResult {
    let numkeys = parse_i64(&c.argv[1])
        .filter(|&n| n >= 1)
        .ok_or(CommandError::Err("numkeys should be greater than 0"))?;
    if numkeys > (c.argc() - 2) as i64 {
        return Err(CommandError::Err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let numkeys = numkeys as usize;
    let mut limit = 0usize;
    let mut i = 2 + numkeys;
    while i < c.argc() {
        if c.argv[i].eq_ignore_ascii_case(b"limit") && i + 1 < c.argc() {
            let n = parse_i64(&c.argv[i + 1])
                .filter(|&n| n >= 0)
                .ok_or(CommandError::Err("LIMIT can't be negative"))?;
            limit = usize::try_from(n).unwrap_or(usize::MAX);
            i += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let keys = c.argv[2..2 + numkeys].to_vec();
    sinter_generic(srv, c, &keys, InterOutput::Count(limit))
}

/// SUNION and SDIFF over `keys`, or with `store` their STORE variants (destination in
/// argument 1).
fn sunion_diff_generic(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Vec<u8>],
    store: bool,
    diff: bool,
) -> CommandResult {
    let sets = gather(srv, c.db, keys)?;
    let limits = limits(srv);
    let mut result = Set::new();
    if !diff {
        for s in sets.iter().flatten() {
            s.for_each(|m| {
                result.add(m, &limits);
            });
        }
    } else if let Some(first) = &sets[0] {
        let same = sets[1..].iter().flatten().any(|s| Arc::ptr_eq(s, first));
        if !same {
            first.for_each(|m| {
                if !sets[1..].iter().flatten().any(|s| s.contains(m)) {
                    result.add(m, &limits);
                }
            });
        }
    }
    drop(sets);
    if store {
        let event = if diff { "sdiffstore" } else { "sunionstore" };
        store_result(srv, c, result, event);
    } else {
        reply_members(&mut c.reply, &result);
    }
    Ok(())
}

/// SUNION key [key ...]
fn sunion(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[1..].to_vec();
    sunion_diff_generic(srv, c, &keys, false, false)
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[2..].to_vec();
    sunion_diff_generic(srv, c, &keys, true, false)
}

/// SDIFF key [key ...]
fn sdiff(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[1..].to_vec();
    sunion_diff_generic(srv, c, &keys, false, true)
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = c.argv[2..].to_vec();
    sunion_diff_generic(srv, c, &keys, true, true)
}
