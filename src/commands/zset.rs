//! Sorted-set commands, as Redis's `t_zset.c`: ZADD/ZINCRBY, removal, scores and ranks,
//! the ZRANGE family (by rank, score or lex, reversed, limited, stored), counts, pops
//! (plain, multi-key and blocking), ZRANDMEMBER, the set operations (ZUNION, ZINTER,
//! ZDIFF and their STORE forms, ZINTERCARD; plain sets count as members of score 1) and
//! ZSCAN.
//!
//! Writes add their number of changes to `srv.dirty`; ZMPOP and the blocking pops ask
//! for the ZPOPMIN/ZPOPMAX that ran to be propagated. The encodings live in
//! `types::zset`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::flags::*;
use super::keys::read_as;
use super::string::{lookup_read, lookup_write};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{blocking, Client, Server};
use crate::types::zset::{LexRange, ScoreRange};
use crate::types::{EncodingLimits, Value, ZSet};
use crate::util::glob::glob_match;
use crate::util::numbers::{format_double, parse_f64, parse_i64, parse_scan_cursor};

/// Keys of ZRANGESTORE: destination and source.
const TWO_KEYS: Keys = Keys::TWO;
/// Keys of BZPOPMIN/BZPOPMAX: every argument but the timeout.
const BZPOP_KEYS: Keys = Keys {
    first: 1,
    last: -2,
    step: 1,
};

/// The sorted-set family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zadd", zadd, -4, WRITE | DENYOOM | FAST, Keys::ONE, "sorted_set", "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists")
        .with_complexity("O(log(N)) for each item added, where N is the number of elements in the sorted set."),
    CommandSpec::new("zincrby", zincrby, 4, WRITE | DENYOOM | FAST, Keys::ONE, "sorted_set", "1.2.0", "Increment the score of a member in a sorted set")
        .with_complexity("O(log(N)) where N is the number of elements in the sorted set."),
    CommandSpec::new("zrem", zrem, -3, WRITE | FAST, Keys::ONE, "sorted_set", "1.2.0", "Remove one or more members from a sorted set")
        .with_complexity("O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."),
    CommandSpec::new("zcard", zcard, 2, READONLY | FAST, Keys::ONE, "sorted_set", "1.2.0", "Get the number of members in a sorted set")
        .with_complexity("O(1)"),
    CommandSpec::new("zcount", zcount, 4, READONLY | FAST, Keys::ONE, "sorted_set", "2.0.0", "Count the members in a sorted set with scores within the given values")
        .with_complexity("O(log(N)) with N being the number of elements in the sorted set."),
    CommandSpec::new("zlexcount", zlexcount, 4, READONLY | FAST, Keys::ONE, "sorted_set", "2.8.9", "Count the number of members in a sorted set between a given lexicographical range")
        .with_complexity("O(log(N)) with N being the number of elements in the sorted set."),
    CommandSpec::new("zscore", zscore, 3, READONLY | FAST, Keys::ONE, "sorted_set", "1.2.0", "Get the score associated with the given member in a sorted set")
        .with_complexity("O(1)"),
    CommandSpec::new("zmscore", zmscore, -3, READONLY | FAST, Keys::ONE, "sorted_set", "6.2.0", "Get the score associated with the given members in a sorted set")
        .with_complexity("O(N) where N is the number of members being requested."),
    CommandSpec::new("zrank", zrank, 3, READONLY | FAST, Keys::ONE, "sorted_set", "2.0.0", "Determine the index of a member in a sorted set")
        .with_complexity("O(log(N))"),
    CommandSpec::new("zrevrank", zrevrank, 3, READONLY | FAST, Keys::ONE, "sorted_set", "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low")
        .with_complexity("O(log(N))"),
    CommandSpec::new("zrange", zrange, -4, READONLY, Keys::ONE, "sorted_set", "1.2.0", "Return a range of members in a sorted set")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."),
    CommandSpec::new("zrangestore", zrangestore, -5, WRITE | DENYOOM, TWO_KEYS, "sorted_set", "6.2.0", "Store a range of members from sorted set into another key")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."),
    CommandSpec::new("zrevrange", zrevrange, -4, READONLY, Keys::ONE, "sorted_set", "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."),
    CommandSpec::new("zrangebyscore", zrangebyscore, -4, READONLY, Keys::ONE, "sorted_set", "1.0.5", "Return a range of members in a sorted set, by score")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."),
    CommandSpec::new("zrevrangebyscore", zrevrangebyscore, -4, READONLY, Keys::ONE, "sorted_set", "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."),
    CommandSpec::new("zrangebylex", zrangebylex, -4, READONLY, Keys::ONE, "sorted_set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."),
    CommandSpec::new("zrevrangebylex", zrevrangebylex, -4, READONLY, Keys::ONE, "sorted_set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."),
    CommandSpec::new("zremrangebyrank", zremrangebyrank, 4, WRITE, Keys::ONE, "sorted_set", "2.0.0", "Remove all members in a sorted set within the given indexes")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    CommandSpec::new("zremrangebyscore", zremrangebyscore, 4, WRITE, Keys::ONE, "sorted_set", "1.2.0", "Remove all members in a sorted set within the given scores")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    CommandSpec::new("zremrangebylex", zremrangebylex, 4, WRITE, Keys::ONE, "sorted_set", "2.8.9", "Remove all members in a sorted set between the given lexicographical range")
        .with_complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."),
    CommandSpec::new("zpopmin", zpopmin, -2, WRITE | FAST, Keys::ONE, "sorted_set", "5.0.0", "Remove and return members with the lowest scores in a sorted set")
        .with_complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."),
    CommandSpec::new("zpopmax", zpopmax, -2, WRITE | FAST, Keys::ONE, "sorted_set", "5.0.0", "Remove and return members with the highest scores in a sorted set")
        .with_complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."),
    CommandSpec::new("zmpop", zmpop, -4, WRITE, Keys::NONE, "sorted_set", "7.0.0", "Remove and return members with scores in a sorted set")
        .with_complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."),
    CommandSpec::new("bzpopmin", bzpopmin, -3, WRITE | NOSCRIPT | BLOCKING | FAST, BZPOP_KEYS, "sorted_set", "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available")
        .with_complexity("O(log(N)) with N being the number of elements in the sorted set."),
    CommandSpec::new("bzpopmax", bzpopmax, -3, WRITE | NOSCRIPT | BLOCKING | FAST, BZPOP_KEYS, "sorted_set", "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available")
        .with_complexity("O(log(N)) with N being the number of elements in the sorted set."),
    CommandSpec::new("bzmpop", bzmpop, -5, WRITE | BLOCKING, Keys::NONE, "sorted_set", "7.0.0", "Remove and return members with scores in a sorted set or block until one is available")
        .with_complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."),
    CommandSpec::new("zrandmember", zrandmember, -2, READONLY, Keys::ONE, "sorted_set", "6.2.0", "Get one or multiple random elements from a sorted set")
        .with_complexity("O(N) where N is the number of elements returned"),
    CommandSpec::new("zunion", zunion, -3, READONLY, Keys::NONE, "sorted_set", "6.2.0", "Add multiple sorted sets")
        .with_complexity("O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."),
    CommandSpec::new("zinter", zinter, -3, READONLY, Keys::NONE, "sorted_set", "6.2.0", "Intersect multiple sorted sets")
        .with_complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."),
    CommandSpec::new("zdiff", zdiff, -3, READONLY, Keys::NONE, "sorted_set", "6.2.0", "Subtract multiple sorted sets")
        .with_complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."),
    CommandSpec::new("zunionstore", zunionstore, -4, WRITE | DENYOOM, Keys::ONE, "sorted_set", "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key")
        .with_complexity("O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."),
    CommandSpec::new("zinterstore", zinterstore, -4, WRITE | DENYOOM, Keys::ONE, "sorted_set", "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key")
        .with_complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."),
    CommandSpec::new("zdiffstore", zdiffstore, -4, WRITE | DENYOOM, Keys::ONE, "sorted_set", "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key")
        .with_complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."),
    CommandSpec::new("zintercard", zintercard, -3, READONLY, Keys::NONE, "sorted_set", "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result")
        .with_complexity("O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."),
    CommandSpec::new("zscan", zscan, -3, READONLY, Keys::ONE, "sorted_set", "2.8.0", "Incrementally iterate sorted sets elements and associated scores")
        .with_complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."),
];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The encoding thresholds the config sets now.
fn limits(srv: &Server) -> EncodingLimits {
    EncodingLimits::from_config(&srv.config)
}

/// Replies with a score: a RESP3 double, or its `%.17g` text as a bulk string.
fn reply_score(reply: &mut ReplyBuf, score: f64) {
    reply.double_text(format_double(score).as_bytes());
}

/// Whether `key` holds a sorted set (looked up for writing); WRONGTYPE for another type.
fn zset_exists_for_write(srv: &mut Server, db: usize, key: &[u8]) -> Result<bool, CommandError> {
    match lookup_write(srv, db, key) {
        None => Ok(false),
        Some(obj) => match obj.value {
            Value::ZSet(_) => Ok(true),
            _ => Err(CommandError::WrongType),
        },
    }
}

/// The sorted set at `key` for writing (copied first if a snapshot shares it). The caller
/// has checked that it exists and is a sorted set.
fn zset_mut<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut ZSet> {
    match &mut lookup_write(srv, db, key)?.value {
        Value::ZSet(z) => Some(Arc::make_mut(z)),
        _ => None,
    }
}

/// Deletes `key` if its sorted set has become empty; returns whether it did.
fn delete_if_empty(srv: &mut Server, db: usize, key: &[u8]) -> bool {
    let empty = zset_mut(srv, db, key).is_some_and(|z| z.is_empty());
    if empty {
        srv.dbs[db].remove(key);
    }
    empty
}

/// Stores `pairs` (rank order, unique) at the destination `argv[1]` as Redis's setKey
/// (replacing any value and TTL) and publishes `event`, or, if there are none, deletes
/// the destination (publishing `del` if it existed). Replies with the count; counts the
/// change.
fn store_result(srv: &mut Server, c: &mut Client, event: &str, pairs: Vec<(Vec<u8>, f64)>) {
    // Redis replies first and notifies after; the events follow the reply here too.
    c.reply.int(pairs.len() as i64);
    let z = (!pairs.is_empty()).then(|| ZSet::from_sorted(pairs, &limits(srv)));
    if replace_destination(srv, c, 1, z, event) {
        srv.dirty += 1;
    }
}

/// Puts `z` at the destination `argv[at]` as Redis's setKey (replacing any value and
/// TTL) and publishes `event`, or, with None, deletes the destination (publishing `del`
/// if it existed). Returns whether the dataset changed. Shared by the STORE commands
/// whose result is a sorted set (ZRANGESTORE, the set operations, GEO... STORE).
pub(super) fn replace_destination(
    srv: &mut Server,
    c: &mut Client,
    at: usize,
    z: Option<ZSet>,
    event: &str,
) -> bool {
    let db = c.db;
    match z {
        Some(z) => {
            // setKey looks the destination up: an expired one is reported as such
            // first, and the new value then counts as a new key.
            lookup_write(srv, db, &c.argv[at]);
            let lru = srv.lru_clock();
            srv.dbs[db].set(&c.argv[at], Value::ZSet(Arc::new(z)), lru, false);
            srv.notify_key(c, notify::ZSET, event, at);
            true
        }
        // Like Redis's dbDelete, without a lookup: a logically expired destination that
        // is still stored is deleted (and reported deleted), not expired.
        None if srv.dbs[db].remove(&c.argv[at]).is_some() => {
            srv.notify_key(c, notify::GENERIC, "del", at);
            true
        }
        None => false,
    }
}

/// `getLongFromObjectOrReply`.
fn parse_long(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// `getLongFromObjectOrReply` with a custom message for both failures of a range check
/// (`getRangeLongFromObjectOrReply` with a message).
fn parse_long_in(arg: &[u8], min: i64, max: i64, msg: &'static str) -> Result<i64, CommandError> {
    match parse_i64(arg) {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(CommandError::Err(msg)),
    }
}

/// A score argument (`getDoubleFromObjectOrReply`).
fn parse_score(arg: &[u8]) -> Result<f64, CommandError> {
    parse_f64(arg).ok_or(CommandError::NotFloat)
}

/// Turns (start, end) indexes, negative from the end, into the rank range `start..end`
/// of a set of `len` members, or None when it is empty (Redis's sanitising).
fn rank_window(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize + 1))
}

// ---------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM
// ---------------------------------------------------------------------------------------

/// ZADD's flags.
#[derive(Clone, Copy, Default, Debug)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

/// What adding one member did.
#[derive(Clone, Copy, Default, Debug)]
struct AddOutcome {
    added: bool,
    updated: bool,
    /// Skipped because of NX/XX/GT/LT.
    nop: bool,
    /// The member's score afterwards (when not skipped).
    score: f64,
}

/// Adds or updates one member as Redis's zsetAdd. Err when the result would be NaN.
fn zset_add(
    z: &mut ZSet,
    member: &[u8],
    score: f64,
    flags: AddFlags,
    limits: &EncodingLimits,
) -> Result<AddOutcome, CommandError> {
    const NAN: CommandError = CommandError::Err("resulting score is not a number (NaN)");
    let mut out = AddOutcome::default();
    match z.score(member) {
        Some(cur) => {
            if flags.nx {
                out.nop = true;
                return Ok(out);
            }
            let mut score = score;
            if flags.incr {
                score += cur;
                if score.is_nan() {
                    return Err(NAN);
                }
            }
            if (flags.lt && score >= cur) || (flags.gt && score <= cur) {
                out.nop = true;
                return Ok(out);
            }
            out.score = score;
            if score != cur {
                z.update_score(member, score);
                out.updated = true;
            }
        }
        None if !flags.xx => {
            z.insert(member, score, limits);
            out.added = true;
            out.score = score;
        }
        None => out.nop = true,
    }
    Ok(out)
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
fn zadd(srv: &mut Server, c: &mut Client) -> CommandResult {
    zadd_generic(srv, c, false)
}

/// ZINCRBY key increment member
fn zincrby(srv: &mut Server, c: &mut Client) -> CommandResult {
    zadd_generic(srv, c, true)
}

/// ZADD and ZINCRBY: options, validation of every score first, then the updates.
fn zadd_generic(srv: &mut Server, c: &mut Client, incr: bool) -> CommandResult {
    let mut flags = AddFlags {
        incr,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut idx = 2;
    while idx < c.argc() {
        let opt = c.arg(idx).to_ascii_lowercase();
        match opt.as_slice() {
            b"nx" => flags.nx = true,
            b"xx" => flags.xx = true,
            b"ch" => ch = true,
            b"incr" => flags.incr = true,
            b"gt" => flags.gt = true,
            b"lt" => flags.lt = true,
            _ => break,
        }
        idx += 1;
    }
    let elements = c.argc() - idx;
    if elements == 0 || elements % 2 == 1 {
        return Err(CommandError::Syntax);
    }
    let elements = elements / 2;
    if flags.nx && flags.xx {
        return Err(CommandError::Err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(CommandError::Err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && elements > 1 {
        return Err(CommandError::Err(
            "INCR option supports a single increment-element pair",
        ));
    }
    let scores = (0..elements)
        .map(|j| parse_score(c.arg(idx + 2 * j)))
        .collect::<Result<Vec<f64>, _>>()?;
    let key = c.argv[1].clone();
    let limits = limits(srv);
    let (mut added, mut updated, mut processed, mut last) = (0i64, 0i64, 0, 0.0);
    let mut failed = None;
    if !zset_exists_for_write(srv, c.db, &key)? {
        if flags.xx {
            reply_added(c, flags, ch, 0, 0, None);
            return Ok(());
        }
        // A new key: never empty afterwards (its first member is always added).
        let z = ZSet::new_for(&limits, c.arg(idx + 1).len());
        let lru = srv.lru_clock();
        srv.dbs[c.db].add(&key, Value::ZSet(Arc::new(z)), lru);
    }
    if let Some(z) = zset_mut(srv, c.db, &key) {
        for (j, &score) in scores.iter().enumerate() {
            match zset_add(z, &c.argv[idx + 1 + 2 * j], score, flags, &limits) {
                Ok(out) => {
                    added += out.added as i64;
                    updated += out.updated as i64;
                    if !out.nop {
                        processed += 1;
                        last = out.score;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
    }
    srv.dirty += (added + updated) as u64;
    if failed.is_none() {
        reply_added(
            c,
            flags,
            ch,
            added,
            updated,
            (processed > 0).then_some(last),
        );
    }
    // After the reply, as Redis; whatever changed is reported even if a later member
    // failed (only INCR can fail, and it has a single member, so that never happens).
    if added + updated > 0 {
        let event = if flags.incr { "zincr" } else { "zadd" };
        srv.notify_key(c, notify::ZSET, event, 1);
    }
    failed.map_or(Ok(()), Err)
}

/// ZADD's reply: with INCR the new score (null if skipped), else the number of members
/// added (or added and updated, with CH).
fn reply_added(
    c: &mut Client,
    flags: AddFlags,
    ch: bool,
    added: i64,
    updated: i64,
    score: Option<f64>,
) {
    if flags.incr {
        match score {
            Some(s) => reply_score(&mut c.reply, s),
            None => c.reply.null(),
        }
    } else {
        c.reply.int(if ch { added + updated } else { added });
    }
}

/// ZREM key member [member ...]
fn zrem(srv: &mut Server, c: &mut Client) -> CommandResult {
    let key = c.argv[1].clone();
    if !zset_exists_for_write(srv, c.db, &key)? {
        c.reply.int(0);
        return Ok(());
    }
    let mut deleted = 0;
    if let Some(z) = zset_mut(srv, c.db, &key) {
        for m in &c.argv[2..] {
            deleted += z.remove(m).is_some() as i64;
            if z.is_empty() {
                break;
            }
        }
    }
    let key_removed = delete_if_empty(srv, c.db, &key);
    if deleted > 0 {
        srv.notify_key(c, notify::ZSET, "zrem", 1);
        if key_removed {
            srv.notify_key(c, notify::GENERIC, "del", 1);
        }
    }
    srv.dirty += deleted as u64;
    c.reply.int(deleted);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reads of single members
// ---------------------------------------------------------------------------------------

/// ZCARD key
fn zcard(srv: &mut Server, c: &mut Client) -> CommandResult {
    let n = read_as::<ZSet>(srv, c.db, &c.argv[1])?.map_or(0, ZSet::len);
    c.reply.int(n as i64);
    Ok(())
}

/// ZSCORE key member
fn zscore(srv: &mut Server, c: &mut Client) -> CommandResult {
    match read_as::<ZSet>(srv, c.db, &c.argv[1])?.and_then(|z| z.score(&c.argv[2])) {
        Some(s) => reply_score(&mut c.reply, s),
        None => c.reply.null(),
    }
    Ok(())
}

/// ZMSCORE key member [member ...]
fn zmscore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let z = read_as::<ZSet>(srv, c.db, &c.argv[1])?;
    c.reply.array_len(c.argv.len() - 2);
    for m in &c.argv[2..] {
        match z.and_then(|z| z.score(m)) {
            Some(s) => reply_score(&mut c.reply, s),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// ZRANK key member
fn zrank(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrank_generic(srv, c, false)
}

/// ZREVRANK key member
fn zrevrank(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrank_generic(srv, c, true)
}

/// ZRANK and ZREVRANK.
fn zrank_generic(srv: &mut Server, c: &mut Client, rev: bool) -> CommandResult {
    let rank = read_as::<ZSet>(srv, c.db, &c.argv[1])?.and_then(|z| {
        z.rank(&c.argv[2])
            .map(|r| if rev { z.len() - 1 - r } else { r })
    });
    match rank {
        Some(r) => c.reply.int(r as i64),
        None => c.reply.null(),
    }
    Ok(())
}

/// ZCOUNT key min max
fn zcount(srv: &mut Server, c: &mut Client) -> CommandResult {
    let range = parse_score_range(&c.argv[2], &c.argv[3])?;
    let n = read_as::<ZSet>(srv, c.db, &c.argv[1])?.map_or(0, |z| {
        let (lo, hi) = z.score_window(&range);
        hi - lo
    });
    c.reply.int(n as i64);
    Ok(())
}

/// ZLEXCOUNT key min max
fn zlexcount(srv: &mut Server, c: &mut Client) -> CommandResult {
    let range = parse_lex_range(&c.argv[2], &c.argv[3])?;
    let n = read_as::<ZSet>(srv, c.db, &c.argv[1])?.map_or(0, |z| {
        let (lo, hi) = z.lex_window(&range);
        hi - lo
    });
    c.reply.int(n as i64);
    Ok(())
}

/// A score range or "min or max is not a float".
fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CommandError> {
    ScoreRange::parse(min, max).ok_or(CommandError::Err("min or max is not a float"))
}

/// A lex range or "min or max not valid string range item".
fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CommandError> {
    LexRange::parse(min, max).ok_or(CommandError::Err("min or max not valid string range item"))
}

// ---------------------------------------------------------------------------------------
// The ZRANGE family
// ---------------------------------------------------------------------------------------

/// How a ZRANGE-family command selects members.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RangeBy {
    /// Not fixed by the command: ZRANGE's BYSCORE/BYLEX decide (default: rank).
    Auto,
    Rank,
    Score,
    Lex,
}

/// Direction: not fixed (ZRANGE's REV decides), forward or reverse.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Auto, Direction::Auto)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 2, true, RangeBy::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(srv: &mut Server, c: &mut Client) -> CommandResult {
    zrange_generic(srv, c, 1, false, RangeBy::Lex, Direction::Reverse)
}

/// A parsed range selection.
enum Selection {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// The rank range `lo..hi` selected, in the order to emit (`rev`), after LIMIT.
fn select_window(z: &ZSet, sel: &Selection, rev: bool, offset: i64, limit: i64) -> (usize, usize) {
    let (lo, hi) = match sel {
        Selection::Rank(start, end) => {
            let (s, e) = if rev {
                // Reverse ranks count from the highest score.
                match rank_window(*start, *end, z.len()) {
                    Some((s, e)) => (z.len() - e, z.len() - s),
                    None => (0, 0),
                }
            } else {
                rank_window(*start, *end, z.len()).unwrap_or((0, 0))
            };
            return (s, e);
        }
        Selection::Score(r) => z.score_window(r),
        Selection::Lex(r) => z.lex_window(r),
    };
    if offset < 0 || hi <= lo {
        return (0, 0);
    }
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let available = (hi - lo).saturating_sub(offset);
    let take = if limit < 0 {
        available
    } else {
        available.min(usize::try_from(limit).unwrap_or(usize::MAX))
    };
    if rev {
        let top = hi - offset.min(hi - lo);
        (top - take, top)
    } else {
        let first = lo + offset.min(hi - lo);
        (first, first + take)
    }
}

/// Every command of the ZRANGE family: options from `argv[first + 3]` on, the key at
/// `argv[first]`, the bounds after it; `store` for ZRANGESTORE (destination `argv[1]`).
fn zrange_generic(
    srv: &mut Server,
    c: &mut Client,
    first: usize,
    store: bool,
    mut by: RangeBy,
    mut dir: Direction,
) -> CommandResult {
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = first + 3;
    while j < c.argc() {
        let left = c.argc() - j - 1;
        let opt = c.arg(j);
        if !store && opt.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if opt.eq_ignore_ascii_case(b"limit") && left >= 2 {
            offset = parse_long(c.arg(j + 1))?;
            limit = parse_long(c.arg(j + 2))?;
            j += 2;
        } else if dir == Direction::Auto && opt.eq_ignore_ascii_case(b"rev") {
            dir = Direction::Reverse;
        } else if by == RangeBy::Auto && opt.eq_ignore_ascii_case(b"bylex") {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && opt.eq_ignore_ascii_case(b"byscore") {
            by = RangeBy::Score;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    let rev = dir == Direction::Reverse;
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    if limit != -1 && by == RangeBy::Rank {
        return Err(CommandError::Err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && by == RangeBy::Lex {
        return Err(CommandError::Err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut min_i, mut max_i) = (first + 1, first + 2);
    if rev && by != RangeBy::Rank {
        std::mem::swap(&mut min_i, &mut max_i);
    }
    let sel = match by {
        RangeBy::Score => Selection::Score(parse_score_range(c.arg(min_i), c.arg(max_i))?),
        RangeBy::Lex => Selection::Lex(parse_lex_range(c.arg(min_i), c.arg(max_i))?),
        _ => Selection::Rank(parse_long(c.arg(min_i))?, parse_long(c.arg(max_i))?),
    };
    let key = c.argv[first].clone();
    let z = read_as::<ZSet>(srv, c.db, &key)?;
    if !store {
        let Some(z) = z else {
            c.reply.array_len(0);
            return Ok(());
        };
        let (lo, hi) = select_window(z, &sel, rev, offset, limit);
        let n = hi - lo;
        let resp3 = c.reply.is_resp3();
        c.reply
            .array_len(if withscores && !resp3 { 2 * n } else { n });
        let reply = &mut c.reply;
        z.range(lo, hi, rev, |m, s| {
            if withscores && resp3 {
                reply.array_len(2);
            }
            reply.bulk(m);
            if withscores {
                reply_score(reply, s);
            }
        });
        return Ok(());
    }
    let mut pairs = Vec::new();
    if let Some(z) = z {
        let (lo, hi) = select_window(z, &sel, rev, offset, limit);
        z.range(lo, hi, false, |m, s| pairs.push((m.to_vec(), s)));
    }
    store_result(srv, c, "zrangestore", pairs);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// ZREMRANGEBY*
// ---------------------------------------------------------------------------------------

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(srv: &mut Server, c: &mut Client) -> CommandResult {
    let sel = Selection::Rank(parse_long(&c.argv[2])?, parse_long(&c.argv[3])?);
    zremrange_generic(srv, c, sel)
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let sel = Selection::Score(parse_score_range(&c.argv[2], &c.argv[3])?);
    zremrange_generic(srv, c, sel)
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(srv: &mut Server, c: &mut Client) -> CommandResult {
    let sel = Selection::Lex(parse_lex_range(&c.argv[2], &c.argv[3])?);
    zremrange_generic(srv, c, sel)
}

/// Removes the selected members; replies with their number.
fn zremrange_generic(srv: &mut Server, c: &mut Client, sel: Selection) -> CommandResult {
    let key = c.argv[1].clone();
    if !zset_exists_for_write(srv, c.db, &key)? {
        c.reply.int(0);
        return Ok(());
    }
    let mut removed = 0;
    if let Some(z) = zset_mut(srv, c.db, &key) {
        let (lo, hi) = select_window(z, &sel, false, 0, -1);
        removed = z.remove_range(lo, hi, |_, _| {});
    }
    let key_removed = delete_if_empty(srv, c.db, &key);
    if removed > 0 {
        let event = match sel {
            Selection::Rank(..) => "zremrangebyrank",
            Selection::Score(_) => "zremrangebyscore",
            Selection::Lex(_) => "zremrangebylex",
        };
        srv.notify_key(c, notify::ZSET, event, 1);
        if key_removed {
            srv.notify_key(c, notify::GENERIC, "del", 1);
        }
    }
    srv.dirty += removed as u64;
    c.reply.int(removed as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Pops
// ---------------------------------------------------------------------------------------

/// How a pop's reply is shaped (Redis's genericZpopCommand flags).
#[derive(Clone, Copy, Debug)]
struct PopShape {
    /// Pop from the highest score.
    max: bool,
    /// Name the key in the reply (BZPOP*, ZMPOP, BZMPOP).
    emit_key: bool,
    /// Member/score pairs as nested arrays.
    nested: bool,
    /// Reply a null array, not an empty one, when nothing is found.
    nil_when_empty: bool,
}

/// Pops up to `count` members (None: a single plain pop) from the first existing key of
/// `keys`; replies in `shape`. Returns the key popped from and how many were popped.
fn generic_pop(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Vec<u8>],
    count: Option<usize>,
    shape: PopShape,
) -> Result<Option<(Vec<u8>, usize)>, CommandError> {
    let mut found = None;
    for key in keys {
        if zset_exists_for_write(srv, c.db, key)? {
            found = Some(key.clone());
            break;
        }
    }
    let Some(key) = found else {
        if shape.nil_when_empty {
            c.reply.null_array();
        } else {
            c.reply.array_len(0);
        }
        return Ok(None);
    };
    if count == Some(0) {
        c.reply.array_len(0);
        return Ok(None);
    }
    let want = count.unwrap_or(1);
    let mut popped: Vec<(Vec<u8>, f64)> = Vec::new();
    if let Some(z) = zset_mut(srv, c.db, &key) {
        let len = z.len();
        let n = want.min(len);
        let (lo, hi) = if shape.max { (len - n, len) } else { (0, n) };
        z.remove_range(lo, hi, |m, s| popped.push((m.to_vec(), s)));
        if shape.max {
            popped.reverse();
        }
    }
    let key_removed = delete_if_empty(srv, c.db, &key);
    srv.dirty += popped.len() as u64;
    let n = popped.len();
    // The key found holds members, so something was popped. Redis reports the pop in
    // the middle of writing its reply and the deletion after it; here both precede the
    // reply, so that a RESP3 client listening to its own keys never sees a push inside
    // the reply. A served blocking pop re-runs its handler, so it reports through here.
    let db = c.db;
    let event = if shape.max { "zpopmax" } else { "zpopmin" };
    srv.notify_keyspace_event(c, notify::ZSET, event, &key, db);
    if key_removed {
        srv.notify_keyspace_event(c, notify::GENERIC, "del", &key, db);
    }
    let r = &mut c.reply;
    match (shape.nested, shape.emit_key) {
        (false, false) => r.array_len(2 * n),
        (true, false) => r.array_len(n),
        (false, true) => {
            r.array_len(2 * n + 1);
            r.bulk(&key);
        }
        (true, true) => {
            r.array_len(2);
            r.bulk(&key);
            r.array_len(n);
        }
    }
    for (m, s) in &popped {
        if shape.nested {
            r.array_len(2);
        }
        r.bulk(m);
        reply_score(r, *s);
    }
    Ok(Some((key, n)))
}

/// ZPOPMIN key [count]
fn zpopmin(srv: &mut Server, c: &mut Client) -> CommandResult {
    zpop_min_max(srv, c, false)
}

/// ZPOPMAX key [count]
fn zpopmax(srv: &mut Server, c: &mut Client) -> CommandResult {
    zpop_min_max(srv, c, true)
}

/// ZPOPMIN and ZPOPMAX.
fn zpop_min_max(srv: &mut Server, c: &mut Client, max: bool) -> CommandResult {
    if c.argc() > 3 {
        return Err(CommandError::Syntax);
    }
    let count = match c.argv.get(2) {
        Some(arg) => {
            // getPositiveLongFromObjectOrReply: one message for both failures.
            let n = parse_i64(arg).ok_or(CommandError::OutOfRange)?;
            Some(usize::try_from(n).map_err(|_| CommandError::OutOfRange)?)
        }
        None => None,
    };
    let shape = PopShape {
        max,
        emit_key: false,
        nested: c.reply.is_resp3() && count.is_some(),
        nil_when_empty: false,
    };
    let keys = [c.argv[1].clone()];
    generic_pop(srv, c, &keys, count, shape)?;
    Ok(())
}

/// Arguments of ZMPOP/BZMPOP from `numkeys_idx` on: keys, MAX?, count.
fn parse_mpop(c: &Client, numkeys_idx: usize) -> Result<(Vec<Vec<u8>>, bool, usize), CommandError> {
    let numkeys = parse_long_in(
        c.arg(numkeys_idx),
        1,
        i64::MAX,
        "numkeys should be greater than 0",
    )?;
    let where_idx = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_idx + 1))
        .filter(|&w| w < c.argc())
        .ok_or(CommandError::Syntax)?;
    let max = match c.arg(where_idx) {
        w if w.eq_ignore_ascii_case(b"min") => false,
        w if w.eq_ignore_ascii_case(b"max") => true,
        _ => return Err(CommandError::Syntax),
    };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < c.argc() {
        if count.is_none() && c.arg(j).eq_ignore_ascii_case(b"count") && j + 1 < c.argc() {
            let n = parse_long_in(c.arg(j + 1), 1, i64::MAX, "count should be greater than 0")?;
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let keys = c.argv[numkeys_idx + 1..where_idx].to_vec();
    Ok((keys, max, count.unwrap_or(1)))
}

/// The ZPOPMIN/ZPOPMAX command that a pop of `n` members from `key` propagates as
/// (with a count unless it was a plain single pop).
fn pop_as_command(max: bool, key: Vec<u8>, n: Option<usize>) -> Vec<Vec<u8>> {
    let name = if max {
        b"ZPOPMAX".to_vec()
    } else {
        b"ZPOPMIN".to_vec()
    };
    let mut argv = vec![name, key];
    if let Some(n) = n {
        argv.push(n.to_string().into_bytes());
    }
    argv
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (keys, max, count) = parse_mpop(c, 1)?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
    };
    if let Some((key, n)) = generic_pop(srv, c, &keys, Some(count), shape)? {
        c.rewrite_propagated(pop_as_command(max, key, Some(n)));
    }
    Ok(())
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(srv: &mut Server, c: &mut Client) -> CommandResult {
    bzpop(srv, c, false)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(srv: &mut Server, c: &mut Client) -> CommandResult {
    bzpop(srv, c, true)
}

/// BZPOPMIN and BZPOPMAX: a plain pop with the key in the reply.
fn bzpop(srv: &mut Server, c: &mut Client, max: bool) -> CommandResult {
    let timeout_idx = c.argc() - 1;
    let keys = c.argv[1..timeout_idx].to_vec();
    let shape = PopShape {
        max,
        emit_key: true,
        nested: false,
        nil_when_empty: false,
    };
    blocking_pop(srv, c, keys, timeout_idx, None, shape)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (keys, max, count) = parse_mpop(c, 2)?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
    };
    blocking_pop(srv, c, keys, 1, Some(count), shape)
}

/// The blocking pops: pops from the first key of `keys` holding a sorted set
/// (propagated as the ZPOPMIN/ZPOPMAX that ran), or waits until one receives members or
/// the timeout at `argv[timeout_idx]` passes (inside MULTI/EXEC: the null array at once).
/// When re-run for a ready key, keys of other types count as empty, as in Redis.
fn blocking_pop(
    srv: &mut Server,
    c: &mut Client,
    keys: Vec<Vec<u8>>,
    timeout_idx: usize,
    count: Option<usize>,
    shape: PopShape,
) -> CommandResult {
    let deadline = blocking::parse_timeout(c.arg(timeout_idx), crate::util::time::now_ms())?;
    let rerun = blocking::is_rerun(c);
    for key in &keys {
        match lookup_write(srv, c.db, key).map(|o| &o.value) {
            Some(Value::ZSet(z)) if !z.is_empty() => {}
            None | Some(Value::ZSet(_)) => continue,
            Some(_) if rerun => continue,
            Some(_) => return Err(CommandError::WrongType),
        }
        if let Some((key, n)) = generic_pop(srv, c, std::slice::from_ref(key), count, shape)? {
            c.rewrite_propagated(pop_as_command(shape.max, key, count.map(|_| n)));
        }
        return Ok(());
    }
    blocking::block_for_keys(srv, c, keys, deadline, blocking::TimeoutReply::NullArray);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------------------

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() >= 3 {
        let l = match parse_i64(c.arg(2)) {
            None => return Err(CommandError::NotInteger),
            Some(i64::MIN) => {
                return Err(CommandError::Err(
                    "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                ))
            }
            Some(n) => n,
        };
        let withscores = c.argc() == 4;
        if c.argc() > 4 || (withscores && !c.arg(3).eq_ignore_ascii_case(b"withscores")) {
            return Err(CommandError::Syntax);
        }
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(CommandError::Err("value is out of range"));
        }
        return zrandmember_count(srv, c, l, withscores);
    }
    let key = c.argv[1].clone();
    let mut seed = srv.random();
    match read_as::<ZSet>(srv, c.db, &key)? {
        None => c.reply.null(),
        Some(z) => {
            let rank = (splitmix(&mut seed) % z.len() as u64) as usize;
            if let Some((m, _)) = z.get_by_rank(rank) {
                c.reply.bulk(m);
            }
        }
    }
    Ok(())
}

/// A splitmix64 step: random numbers from a seed without borrowing the server.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// ZRANDMEMBER with a count: negative allows repeats; positive gives distinct members
/// (the whole set, in rank order, when the count covers it).
fn zrandmember_count(srv: &mut Server, c: &mut Client, l: i64, withscores: bool) -> CommandResult {
    let key = c.argv[1].clone();
    let mut seed = srv.random();
    let Some(z) = read_as::<ZSet>(srv, c.db, &key)? else {
        c.reply.array_len(0);
        return Ok(());
    };
    if l == 0 {
        c.reply.array_len(0);
        return Ok(());
    }
    let size = z.len();
    let count = l.unsigned_abs() as usize;
    let resp3 = c.reply.is_resp3();
    let emit = |reply: &mut ReplyBuf, m: &[u8], s: f64| {
        if withscores && resp3 {
            reply.array_len(2);
        }
        reply.bulk(m);
        if withscores {
            reply_score(reply, s);
        }
    };
    let header = |reply: &mut ReplyBuf, n: usize| {
        reply.array_len(if withscores && !resp3 { 2 * n } else { n });
    };
    if l < 0 || count == 1 {
        // Repeats allowed: each pick is independent (streamed, however large the count).
        header(&mut c.reply, count);
        for _ in 0..count {
            let r = (splitmix(&mut seed) % size as u64) as usize;
            if let Some((m, s)) = z.get_by_rank(r) {
                emit(&mut c.reply, m, s);
            }
        }
        return Ok(());
    }
    if count >= size {
        // The whole set, from the highest rank down (Redis iterates from the tail).
        header(&mut c.reply, size);
        let reply = &mut c.reply;
        z.range(0, size, true, |m, s| emit(reply, m, s));
        return Ok(());
    }
    let ranks: Vec<usize> = if count * 3 > size {
        // Drop random members from the whole set until `count` remain.
        let mut all: Vec<usize> = (0..size).collect();
        while all.len() > count {
            let i = (splitmix(&mut seed) % all.len() as u64) as usize;
            all.swap_remove(i);
        }
        all
    } else {
        let mut seen = HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let r = (splitmix(&mut seed) % size as u64) as usize;
            if seen.insert(r) {
                out.push(r);
            }
        }
        out
    };
    header(&mut c.reply, ranks.len());
    for r in ranks {
        if let Some((m, s)) = z.get_by_rank(r) {
            emit(&mut c.reply, m, s);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF (+STORE), ZINTERCARD
// ---------------------------------------------------------------------------------------

/// Which set operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

/// How scores of a member found in several inputs combine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Combines `val` into `target` (a NaN sum, from inf + -inf, is 0 as in Redis).
fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// One input of a set operation, as a snapshot of its members.
enum Source<'a> {
    Missing,
    Z(&'a ZSet),
    /// A plain set: members (score 1).
    Set(HashSet<Vec<u8>>),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Z(z) => z.len(),
            Source::Set(s) => s.len(),
        }
    }

    /// The score of `member` in this input.
    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Z(z) => z.score(member),
            Source::Set(s) => s.contains(member).then_some(1.0),
        }
    }

    /// Every (member, score).
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Source::Missing => {}
            Source::Z(z) => z.for_each(f),
            Source::Set(s) => s.iter().for_each(|m| f(m, 1.0)),
        }
    }
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, Some("zunionstore"), 2, SetOp::Union, false)
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, Some("zinterstore"), 2, SetOp::Inter, false)
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, Some("zdiffstore"), 2, SetOp::Diff, false)
}

/// ZUNION numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
fn zunion(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, None, 1, SetOp::Union, false)
}

/// ZINTER numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
fn zinter(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, None, 1, SetOp::Inter, false)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, None, 1, SetOp::Diff, false)
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(srv: &mut Server, c: &mut Client) -> CommandResult {
    setop_generic(srv, c, None, 1, SetOp::Inter, true)
}

/// The options after the keys of a set operation.
struct SetOpOptions {
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Parses the options from `argv[j]` on for `setnum` inputs.
fn parse_setop_options(
    c: &Client,
    mut j: usize,
    setnum: usize,
    op: SetOp,
    store: bool,
    card_only: bool,
) -> Result<SetOpOptions, CommandError> {
    let mut o = SetOpOptions {
        weights: vec![1.0; setnum],
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    while j < c.argc() {
        let remaining = c.argc() - j;
        let opt = c.arg(j);
        let full = op != SetOp::Diff && !card_only;
        if full && remaining > setnum && opt.eq_ignore_ascii_case(b"weights") {
            for i in 0..setnum {
                o.weights[i] = parse_f64(c.arg(j + 1 + i))
                    .ok_or(CommandError::Err("weight value is not a float"))?;
            }
            j += setnum + 1;
        } else if full && remaining >= 2 && opt.eq_ignore_ascii_case(b"aggregate") {
            o.aggregate = match c.arg(j + 1).to_ascii_lowercase().as_slice() {
                b"sum" => Aggregate::Sum,
                b"min" => Aggregate::Min,
                b"max" => Aggregate::Max,
                _ => return Err(CommandError::Syntax),
            };
            j += 2;
        } else if !store && !card_only && opt.eq_ignore_ascii_case(b"withscores") {
            o.withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && opt.eq_ignore_ascii_case(b"limit") {
            let n = parse_long_in(c.arg(j + 1), 0, i64::MAX, "LIMIT can't be negative")?;
            o.limit = usize::try_from(n).unwrap_or(usize::MAX);
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(o)
}

/// Every set operation: numkeys at `argv[numkeys_idx]`, keys after it, then options.
/// `store` is the event of a STORE form (destination `argv[1]`).
fn setop_generic(
    srv: &mut Server,
    c: &mut Client,
    store: Option<&'static str>,
    numkeys_idx: usize,
    op: SetOp,
    card_only: bool,
) -> CommandResult {
    let setnum = parse_long(c.arg(numkeys_idx))?;
    if setnum < 1 {
        let name = String::from_utf8_lossy(c.arg(0)).to_lowercase();
        return Err(CommandError::Raw(format!(
            "ERR at least 1 input key is needed for '{}' command",
            name
        )));
    }
    let available = c.argc() - numkeys_idx - 1;
    let setnum = match usize::try_from(setnum) {
        Ok(n) if n <= available => n,
        _ => return Err(CommandError::Syntax),
    };
    let keys: Vec<Vec<u8>> = c.argv[numkeys_idx + 1..numkeys_idx + 1 + setnum].to_vec();
    // Look every input up (and check its type) before parsing the options, as Redis does.
    let mut present = Vec::with_capacity(setnum);
    for key in &keys {
        match lookup_read(srv, c.db, key) {
            None => present.push(false),
            Some(Value::ZSet(_)) | Some(Value::Set(_)) => present.push(true),
            Some(_) => return Err(CommandError::WrongType),
        }
    }
    let opts = parse_setop_options(
        c,
        numkeys_idx + 1 + setnum,
        setnum,
        op,
        store.is_some(),
        card_only,
    )?;
    let db = &srv.dbs[c.db];
    let mut sources: Vec<(usize, Source, f64)> = Vec::with_capacity(setnum);
    for (i, key) in keys.iter().enumerate() {
        let src = match db.dict.get(key.as_slice()) {
            Some(obj) if present[i] => match &obj.value {
                Value::ZSet(z) => Source::Z(z),
                Value::Set(s) => {
                    let mut members = HashSet::with_capacity(s.len());
                    s.for_each(|m| {
                        members.insert(m.to_vec());
                    });
                    Source::Set(members)
                }
                _ => Source::Missing,
            },
            _ => Source::Missing,
        };
        // Inputs named by the same key are the same object (Redis compares pointers).
        let id = keys.iter().position(|k| k == key).unwrap_or(i);
        sources.push((id, src, opts.weights[i]));
    }
    if op != SetOp::Diff {
        sources.sort_by_key(|s| s.1.len());
    }
    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut cardinality = 0usize;
    match op {
        SetOp::Inter => {
            let (first, rest) = sources.split_first().expect("at least one input");
            if first.1.len() > 0 {
                let mut done = false;
                first.1.for_each(|m, s| {
                    if done {
                        return;
                    }
                    let mut score = first.2 * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for (id, src, w) in rest {
                        let value = if *id == first.0 {
                            Some(s)
                        } else {
                            src.score(m)
                        };
                        match value {
                            Some(v) => aggregate(&mut score, v * w, opts.aggregate),
                            None => return,
                        }
                    }
                    if card_only {
                        cardinality += 1;
                        if opts.limit > 0 && cardinality >= opts.limit {
                            done = true;
                        }
                    } else {
                        result.push((m.to_vec(), score));
                    }
                });
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for (_, src, w) in &sources {
                src.for_each(|m, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, opts.aggregate),
                        None => {
                            acc.insert(m.to_vec(), score);
                        }
                    }
                });
            }
            result = acc.into_iter().collect();
        }
        SetOp::Diff => {
            let (first, rest) = sources.split_first().expect("at least one input");
            first.1.for_each(|m, s| {
                if rest
                    .iter()
                    .all(|(id, src, _)| *id != first.0 && src.score(m).is_none())
                {
                    result.push((m.to_vec(), s));
                }
            });
        }
    }
    drop(sources);
    if card_only {
        c.reply.int(cardinality as i64);
        return Ok(());
    }
    result.sort_by(|a, b| match a.1.partial_cmp(&b.1) {
        Some(std::cmp::Ordering::Equal) | None => a.0.cmp(&b.0),
        Some(o) => o,
    });
    if let Some(event) = store {
        store_result(srv, c, event, result);
        return Ok(());
    }
    let resp3 = c.reply.is_resp3();
    let n = result.len();
    c.reply
        .array_len(if opts.withscores && !resp3 { 2 * n } else { n });
    for (m, s) in &result {
        if opts.withscores && resp3 {
            c.reply.array_len(2);
        }
        c.reply.bulk(m);
        if opts.withscores {
            reply_score(&mut c.reply, *s);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// ZSCAN
// ---------------------------------------------------------------------------------------

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(srv: &mut Server, c: &mut Client) -> CommandResult {
    let cursor = parse_scan_cursor(&c.argv[2]).ok_or(CommandError::Err("invalid cursor"))?;
    let key = c.argv[1].clone();
    if read_as::<ZSet>(srv, c.db, &key)?.is_none() {
        c.reply.array_len(2);
        c.reply.bulk(b"0");
        c.reply.array_len(0);
        return Ok(());
    }
    let mut count = 10usize;
    let mut pattern: Option<Vec<u8>> = None;
    let mut i = 3;
    while i < c.argc() {
        let more = c.argc() - i >= 2;
        if more && c.arg(i).eq_ignore_ascii_case(b"count") {
            let n = parse_long(c.arg(i + 1))?;
            if n < 1 {
                return Err(CommandError::Syntax);
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if more && c.arg(i).eq_ignore_ascii_case(b"match") {
            let p = c.arg(i + 1);
            pattern = (p != b"*").then(|| p.to_vec());
        } else {
            return Err(CommandError::Syntax);
        }
        i += 2;
    }
    // Found above as a sorted set: taken from the dict, so the key counts one keyspace
    // hit, as in Redis.
    let Some(Value::ZSet(z)) = srv.dbs[c.db].dict.get(key.as_slice()).map(|o| &o.value) else {
        return Ok(());
    };
    let mut items: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let next = z.scan(cursor, count, |m, s| {
        if pattern.as_ref().is_none_or(|p| glob_match(p, m, false)) {
            items.push((m.to_vec(), s.to_vec()));
        }
    });
    c.reply.array_len(2);
    c.reply.bulk(next.to_string().as_bytes());
    c.reply.array_len(2 * items.len());
    for (m, s) in &items {
        c.reply.bulk(m);
        c.reply.bulk(s);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::string::harness::Harness;

    fn reply(h: &mut Harness, words: &[&str]) -> String {
        h.reply(words)
    }

    #[test]
    fn zadd_options_and_replies() {
        let mut h = Harness::new();
        assert_eq!(reply(&mut h, &["zadd", "z", "1", "a", "2", "b"]), ":2\r\n");
        assert_eq!(
            reply(&mut h, &["zadd", "z", "ch", "3", "a", "4", "c"]),
            ":2\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "incr", "1.5", "a"]),
            "$3\r\n4.5\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "nx", "incr", "1", "a"]),
            "$-1\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "nx", "xx", "1", "a"]),
            "-ERR XX and NX options at the same time are not compatible\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "gt", "lt", "1", "a"]),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "nx", "1"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "z", "x", "a"]),
            "-ERR value is not a valid float\r\n"
        );
        assert_eq!(reply(&mut h, &["zadd", "z", "inf", "a"]), ":0\r\n");
        assert_eq!(
            reply(&mut h, &["zadd", "z", "incr", "-inf", "a"]),
            "-ERR resulting score is not a number (NaN)\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zadd", "missing", "xx", "1", "a"]),
            ":0\r\n"
        );
        assert_eq!(reply(&mut h, &["exists", "missing"]), ":0\r\n");
    }

    #[test]
    fn pops_propagate_as_zpop() {
        let mut h = Harness::new();
        h.run(&["zadd", "z", "1", "a", "2", "b", "3", "c"]);
        let out = h.run(&["zmpop", "2", "nokey", "z", "max", "count", "5"]);
        assert_eq!(
            out.propagated,
            Some(vec![
                "ZPOPMAX".to_string(),
                "z".to_string(),
                "3".to_string()
            ])
        );
        assert_eq!(out.dirty, 3);
        assert_eq!(reply(&mut h, &["exists", "z"]), ":0\r\n");
    }

    #[test]
    fn ranges_with_limits() {
        let mut h = Harness::new();
        h.run(&["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"]);
        assert_eq!(
            reply(
                &mut h,
                &["zrange", "z", "(1", "+inf", "byscore", "limit", "1", "2"]
            ),
            "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"
        );
        assert_eq!(
            reply(
                &mut h,
                &["zrange", "z", "+inf", "(1", "byscore", "rev", "limit", "1", "-1"]
            ),
            "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
        );
        assert_eq!(
            reply(
                &mut h,
                &["zrangebyscore", "z", "-inf", "+inf", "limit", "-1", "2"]
            ),
            "*0\r\n"
        );
        assert_eq!(
            reply(&mut h, &["zrevrange", "z", "0", "1"]),
            "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
        );
    }
}
