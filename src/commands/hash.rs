//! Hash commands, as Redis 7.0's `t_hash.c`: HSET/HMSET/HSETNX, HGET/HMGET, HGETALL,
//! HKEYS, HVALS, HDEL, HLEN, HEXISTS, HSTRLEN, HINCRBY, HINCRBYFLOAT (propagated as HSET
//! of its result), HRANDFIELD and HSCAN.
//!
//! Writes go through [`with_hash_mut`], which copies the value only if a snapshot shares
//! it and deletes the key when a command empties it. The SCAN-option parser and the small
//! random generator at the top are shared with the set family.

use std::collections::HashSet;
use std::sync::Arc;

use super::flags::*;
use super::keys::read_as;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{Client, Server};
use crate::types::hash::Item;
use crate::types::{EncodingLimits, Hash, Value};
use crate::util::glob::glob_match;
use crate::util::numbers::{parse_i64, parse_scan_cursor, LongDouble};

pub(super) const SCAN_COMPLEXITY: &str = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";

/// The hash family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("hset", hset, -4, WRITE | DENYOOM | FAST, Keys::ONE, "hash", "2.0.0", "Set the string value of a hash field")
        .with_complexity("O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs."),
    CommandSpec::new("hsetnx", hsetnx, 4, WRITE | DENYOOM | FAST, Keys::ONE, "hash", "2.0.0", "Set the value of a hash field, only if the field does not exist")
        .with_complexity("O(1)"),
    CommandSpec::new("hget", hget, 3, READONLY | FAST, Keys::ONE, "hash", "2.0.0", "Get the value of a hash field")
        .with_complexity("O(1)"),
    CommandSpec::new("hmset", hmset, -4, WRITE | DENYOOM | FAST, Keys::ONE, "hash", "2.0.0", "Set multiple hash fields to multiple values")
        .with_complexity("O(N) where N is the number of fields being set."),
    CommandSpec::new("hmget", hmget, -3, READONLY | FAST, Keys::ONE, "hash", "2.0.0", "Get the values of all the given hash fields")
        .with_complexity("O(N) where N is the number of fields being requested."),
    CommandSpec::new("hincrby", hincrby, 4, WRITE | DENYOOM | FAST, Keys::ONE, "hash", "2.0.0", "Increment the integer value of a hash field by the given number")
        .with_complexity("O(1)"),
    CommandSpec::new("hincrbyfloat", hincrbyfloat, 4, WRITE | DENYOOM | FAST, Keys::ONE, "hash", "2.6.0", "Increment the float value of a hash field by the given amount")
        .with_complexity("O(1)"),
    CommandSpec::new("hdel", hdel, -3, WRITE | FAST, Keys::ONE, "hash", "2.0.0", "Delete one or more hash fields")
        .with_complexity("O(N) where N is the number of fields to be removed."),
    CommandSpec::new("hlen", hlen, 2, READONLY | FAST, Keys::ONE, "hash", "2.0.0", "Get the number of fields in a hash")
        .with_complexity("O(1)"),
    CommandSpec::new("hstrlen", hstrlen, 3, READONLY | FAST, Keys::ONE, "hash", "3.2.0", "Get the length of the value of a hash field")
        .with_complexity("O(1)"),
    CommandSpec::new("hkeys", hkeys, 2, READONLY, Keys::ONE, "hash", "2.0.0", "Get all the fields in a hash")
        .with_complexity("O(N) where N is the size of the hash."),
    CommandSpec::new("hvals", hvals, 2, READONLY, Keys::ONE, "hash", "2.0.0", "Get all the values in a hash")
        .with_complexity("O(N) where N is the size of the hash."),
    CommandSpec::new("hgetall", hgetall, 2, READONLY, Keys::ONE, "hash", "2.0.0", "Get all the fields and values in a hash")
        .with_complexity("O(N) where N is the size of the hash."),
    CommandSpec::new("hexists", hexists, 3, READONLY | FAST, Keys::ONE, "hash", "2.0.0", "Determine if a hash field exists")
        .with_complexity("O(1)"),
    CommandSpec::new("hrandfield", hrandfield, -2, READONLY, Keys::ONE, "hash", "6.2.0", "Get one or multiple random fields from a hash")
        .with_complexity("O(N) where N is the number of fields returned"),
    CommandSpec::new("hscan", hscan, -3, READONLY, Keys::ONE, "hash", "2.8.0", "Incrementally iterate hash fields and associated values")
        .with_complexity(SCAN_COMPLEXITY),
];

// ---------------------------------------------------------------------------------------
// Helpers shared with the set family
// ---------------------------------------------------------------------------------------

/// Error text of a count outside -LONG_MAX..LONG_MAX (`getRangeLongFromObjectOrReply`).
pub(super) const COUNT_RANGE: &str =
    "value is out of range, value must between -9223372036854775807 and 9223372036854775807";

pub(super) use crate::util::rng::rng_from;

/// Parses a count argument that may be negative (HRANDFIELD, SRANDMEMBER): an integer
/// other than i64::MIN.
pub(super) fn parse_signed_count(arg: &[u8]) -> Result<i64, CommandError> {
    let n = parse_i64(arg).ok_or(CommandError::NotInteger)?;
    if n == i64::MIN {
        return Err(CommandError::Err(COUNT_RANGE));
    }
    Ok(n)
}

/// Replies with one stored element as a bulk string.
pub(super) fn reply_item(reply: &mut ReplyBuf, item: Item<'_>) {
    match item {
        Item::Bytes(b) => reply.bulk(b),
        Item::Int(n) => reply.bulk_int(n),
    }
}

/// The options of HSCAN/SSCAN: COUNT (>= 1) and MATCH, parsed as Redis's
/// scanGenericCommand does (a later option overrides an earlier one).
#[derive(Debug)]
pub(super) struct ScanOptions<'a> {
    pub count: usize,
    /// None when absent or `*`.
    pub pattern: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    /// Parses the arguments after the cursor.
    pub fn parse(args: &'a [Vec<u8>]) -> Result<ScanOptions<'a>, CommandError> {
        let mut opts = ScanOptions {
            count: 10,
            pattern: None,
        };
        let mut i = 0;
        while i < args.len() {
            let opt = args[i].as_slice();
            let value = args.get(i + 1).ok_or(CommandError::Syntax)?;
            if opt.eq_ignore_ascii_case(b"count") {
                let n = parse_i64(value).ok_or(CommandError::NotInteger)?;
                if n < 1 {
                    return Err(CommandError::Syntax);
                }
                opts.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if opt.eq_ignore_ascii_case(b"match") {
                opts.pattern = (value.as_slice() != b"*").then_some(value.as_slice());
            } else {
                return Err(CommandError::Syntax);
            }
            i += 2;
        }
        Ok(opts)
    }

    /// Whether `item` passes the MATCH pattern.
    pub fn matches(&self, item: Item<'_>) -> bool {
        self.pattern
            .is_none_or(|p| item.with_bytes(|b| glob_match(p, b, false)))
    }
}

/// Parses a SCAN-family cursor argument.
pub(super) fn parse_cursor(arg: &[u8]) -> Result<u64, CommandError> {
    parse_scan_cursor(arg).ok_or(CommandError::Err("invalid cursor"))
}

/// Writes a SCAN-family reply: the next cursor and the elements.
pub(super) fn reply_scan(reply: &mut ReplyBuf, cursor: u64, items: &[Vec<u8>]) {
    reply.array_len(2);
    reply.bulk(cursor.to_string().as_bytes());
    reply.array_len(items.len());
    for item in items {
        reply.bulk(item);
    }
}

/// `count` distinct elements, each from `pick` (a random element of the collection) with
/// repeats dropped, in the order they came; `key_of` says which elements are the same.
/// For counts of at most a third of the collection, as Redis's SRANDMEMBER and
/// HRANDFIELD do it: expected O(count) picks, where listing every element first cost
/// O(size) per call (3 ms for 100 members of a 100k set).
pub(super) fn distinct_picks<T, K: Eq + std::hash::Hash>(
    count: usize,
    mut pick: impl FnMut() -> Option<T>,
    key_of: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut seen = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let Some(element) = pick() else { break };
        if seen.insert(key_of(&element)) {
            out.push(element);
        }
    }
    out
}

/// Picks `count` distinct indices of `0..n` (count < n) at random, in ascending order:
/// a partial shuffle of every index, for counts above a third of `n` (smaller ones go
/// through [`distinct_picks`]).
pub(super) fn distinct_indices(
    n: usize,
    count: usize,
    rng: &mut impl FnMut() -> u64,
) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..count {
        let j = i + (rng() % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(count);
    all.sort_unstable();
    all
}

// ---------------------------------------------------------------------------------------
// Access to hash values
// ---------------------------------------------------------------------------------------

/// Runs `f` on the hash at `key` for writing (copied first only if a snapshot shares
/// it). A missing key gets a new empty hash when `create` (stored only if `f` leaves it
/// non-empty); otherwise `f` is not run and the result is None. A hash `f` empties is
/// deleted. WRONGTYPE if the key holds another type.
fn with_hash_mut<R>(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    create: bool,
    f: impl FnOnce(&mut Hash) -> R,
) -> Result<Option<R>, CommandError> {
    let (now, mode) = (srv.now_ms, srv.expire_mode);
    let database = &mut srv.dbs[db];
    if let Some(obj) = database.get_mut(key, now, mode) {
        let Value::Hash(arc) = &mut obj.value else {
            return Err(CommandError::WrongType);
        };
        let hash = Arc::make_mut(arc);
        let result = f(hash);
        if hash.is_empty() {
            database.remove(key);
        }
        return Ok(Some(result));
    }
    if !create {
        return Ok(None);
    }
    let mut hash = Hash::new();
    let result = f(&mut hash);
    if !hash.is_empty() {
        let lru = srv.lru_clock();
        srv.dbs[db].set(key, Value::Hash(Arc::new(hash)), lru, false);
    }
    Ok(Some(result))
}

/// The encoding thresholds the config sets now.
fn limits(srv: &Server) -> EncodingLimits {
    EncodingLimits::from_config(&srv.config)
}

// ---------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------

/// HSET key field value [field value ...]: replies how many fields were created.
fn hset(srv: &mut Server, c: &mut Client) -> CommandResult {
    let created = hset_generic(srv, c, "hset")?;
    c.reply.int(created as i64);
    // As Redis: the event follows the reply, and comes even if no value changed.
    srv.notify_key(c, notify::HASH, "hset", 1);
    Ok(())
}

/// HMSET key field value [field value ...]: as HSET (and its `hset` event), replying
/// OK.
fn hmset(srv: &mut Server, c: &mut Client) -> CommandResult {
    hset_generic(srv, c, "hmset")?;
    c.reply.ok();
    srv.notify_key(c, notify::HASH, "hset", 1);
    Ok(())
}

/// Sets every field/value pair of the request; returns how many fields are new.
fn hset_generic(srv: &mut Server, c: &mut Client, name: &str) -> Result<usize, CommandError> {
    if c.argc() % 2 == 1 {
        return Err(CommandError::WrongArity(name.to_string()));
    }
    let limits = limits(srv);
    let args = &c.argv;
    let created = with_hash_mut(srv, c.db, &args[1], true, |h| {
        h.prepare_for(args[2..].iter().map(Vec::as_slice), &limits);
        args[2..]
            .chunks_exact(2)
            .filter(|pair| h.set(&pair[0], &pair[1], &limits))
            .count()
    })?
    .unwrap_or(0);
    srv.dirty += ((c.argc() - 2) / 2) as u64;
    Ok(created)
}

/// HSETNX key field value: sets the field only if it is absent; replies 1 or 0.
fn hsetnx(srv: &mut Server, c: &mut Client) -> CommandResult {
    let limits = limits(srv);
    let args = &c.argv;
    let set = with_hash_mut(srv, c.db, &args[1], true, |h| {
        if h.contains(&args[2]) {
            return false;
        }
        h.prepare_for(args[2..4].iter().map(Vec::as_slice), &limits);
        h.set(&args[2], &args[3], &limits);
        true
    })?
    .unwrap_or(false);
    c.reply.int(i64::from(set));
    if set {
        srv.dirty += 1;
        srv.notify_key(c, notify::HASH, "hset", 1);
    }
    Ok(())
}

/// HGET key field: the value, or null.
fn hget(srv: &mut Server, c: &mut Client) -> CommandResult {
    match read_as::<Hash>(srv, c.db, &c.argv[1])?.and_then(|h| h.get(&c.argv[2])) {
        Some(v) => reply_item(&mut c.reply, v),
        None => c.reply.null(),
    }
    Ok(())
}

/// HMGET key field [field ...]: an array of values, null for missing fields (and for
/// every field of a missing key).
fn hmget(srv: &mut Server, c: &mut Client) -> CommandResult {
    let hash = read_as::<Hash>(srv, c.db, &c.argv[1])?;
    c.reply.array_len(c.argc() - 2);
    for field in &c.argv[2..] {
        match hash.and_then(|h| h.get(field)) {
            Some(v) => reply_item(&mut c.reply, v),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// The integer value HINCRBY starts from.
fn stored_int(item: Item<'_>) -> Result<i64, CommandError> {
    match item {
        Item::Int(n) => Ok(n),
        Item::Bytes(b) => parse_i64(b).ok_or(CommandError::Err("hash value is not an integer")),
    }
}

/// HINCRBY key field increment: adds to the field's integer value (0 if missing).
fn hincrby(srv: &mut Server, c: &mut Client) -> CommandResult {
    let incr = parse_i64(&c.argv[3]).ok_or(CommandError::NotInteger)?;
    let limits = limits(srv);
    let args = &c.argv;
    let result = with_hash_mut(srv, c.db, &args[1], true, |h| {
        let old = h.get(&args[2]).map(stored_int).transpose()?.unwrap_or(0);
        let new = old.checked_add(incr).ok_or(CommandError::IncrOverflow)?;
        h.set(&args[2], itoa(new).as_bytes(), &limits);
        Ok(new)
    })?
    .unwrap_or(Ok(0));
    let new = result?;
    srv.dirty += 1;
    c.reply.int(new);
    srv.notify_key(c, notify::HASH, "hincrby", 1);
    Ok(())
}

/// The decimal form of `n`.
fn itoa(n: i64) -> String {
    n.to_string()
}

/// The long double HINCRBYFLOAT starts from.
fn stored_float(item: Item<'_>) -> Result<LongDouble, CommandError> {
    match item {
        Item::Int(n) => Ok(LongDouble::from_i64(n)),
        Item::Bytes(b) => {
            LongDouble::parse(b).ok_or(CommandError::Err("hash value is not a float"))
        }
    }
}

/// HINCRBYFLOAT key field increment: long-double arithmetic as Redis; replies with the
/// new value and propagates `HSET key field <new value>`.
fn hincrbyfloat(srv: &mut Server, c: &mut Client) -> CommandResult {
    let incr = LongDouble::parse(&c.argv[3]).ok_or(CommandError::NotFloat)?;
    if !incr.is_finite() {
        return Err(CommandError::Err("value is NaN or Infinity"));
    }
    let limits = limits(srv);
    let args = &c.argv;
    let result = with_hash_mut(srv, c.db, &args[1], true, |h| {
        let old = h
            .get(&args[2])
            .map(stored_float)
            .transpose()?
            .unwrap_or(LongDouble::ZERO);
        let sum = old + incr;
        if !sum.is_finite() {
            return Err(CommandError::IncrNanOrInfinity);
        }
        let text = sum.format_human().into_bytes();
        h.set(&args[2], &text, &limits);
        Ok(text)
    })?
    .unwrap_or_else(|| Ok(Vec::new()));
    let text = result?;
    srv.dirty += 1;
    c.reply.bulk(&text);
    srv.notify_key(c, notify::HASH, "hincrbyfloat", 1);
    let argv = vec![b"HSET".to_vec(), c.argv[1].clone(), c.argv[2].clone(), text];
    c.rewrite_propagated(argv);
    Ok(())
}

/// HDEL key field [field ...]: replies how many fields were removed.
fn hdel(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = &c.argv;
    let (deleted, emptied) = with_hash_mut(srv, c.db, &args[1], false, |h| {
        let mut n = 0;
        for field in &args[2..] {
            if h.remove(field) {
                n += 1;
                if h.is_empty() {
                    break;
                }
            }
        }
        (n, h.is_empty())
    })?
    .unwrap_or((0, false));
    if deleted > 0 {
        srv.dirty += deleted;
        srv.notify_key(c, notify::HASH, "hdel", 1);
        if emptied {
            // with_hash_mut deleted the emptied hash.
            srv.notify_key(c, notify::GENERIC, "del", 1);
        }
    }
    c.reply.int(deleted as i64);
    Ok(())
}

/// HLEN key: the number of fields (0 for a missing key).
fn hlen(srv: &mut Server, c: &mut Client) -> CommandResult {
    let n = read_as::<Hash>(srv, c.db, &c.argv[1])?.map_or(0, Hash::len);
    c.reply.int(n as i64);
    Ok(())
}

/// HSTRLEN key field: the length of the field's value (0 if missing).
fn hstrlen(srv: &mut Server, c: &mut Client) -> CommandResult {
    let n = read_as::<Hash>(srv, c.db, &c.argv[1])?
        .and_then(|h| h.get(&c.argv[2]))
        .map_or(0, Item::byte_len);
    c.reply.int(n as i64);
    Ok(())
}

/// HEXISTS key field: 1 if the field exists, else 0.
fn hexists(srv: &mut Server, c: &mut Client) -> CommandResult {
    let found = read_as::<Hash>(srv, c.db, &c.argv[1])?.is_some_and(|h| h.contains(&c.argv[2]));
    c.reply.int(i64::from(found));
    Ok(())
}

/// What HKEYS, HVALS and HGETALL return of each pair.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parts {
    Fields,
    Values,
    Both,
}

/// HKEYS, HVALS, HGETALL: every field, value or pair. HGETALL answers a map (an empty
/// map for a missing key), the others an array.
fn hgetall_generic(srv: &mut Server, c: &mut Client, parts: Parts) -> CommandResult {
    let hash = read_as::<Hash>(srv, c.db, &c.argv[1])?;
    let n = hash.map_or(0, Hash::len);
    if parts == Parts::Both {
        c.reply.map_len(n);
    } else {
        c.reply.array_len(n);
    }
    if let Some(h) = hash {
        let reply = &mut c.reply;
        h.for_each_item(|k, v| {
            if parts != Parts::Values {
                reply_item(reply, k);
            }
            if parts != Parts::Fields {
                reply_item(reply, v);
            }
        });
    }
    Ok(())
}

/// HKEYS key
fn hkeys(srv: &mut Server, c: &mut Client) -> CommandResult {
    hgetall_generic(srv, c, Parts::Fields)
}

/// HVALS key
fn hvals(srv: &mut Server, c: &mut Client) -> CommandResult {
    hgetall_generic(srv, c, Parts::Values)
}

/// HGETALL key
fn hgetall(srv: &mut Server, c: &mut Client) -> CommandResult {
    hgetall_generic(srv, c, Parts::Both)
}

/// HRANDFIELD key [count [WITHVALUES]]: one random field (null if the key is missing),
/// or with a count an array: distinct fields for a positive count, possibly repeated
/// ones for a negative count. WITHVALUES adds the values (RESP3: pairs as 2-arrays).
fn hrandfield(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut rng = rng_from(srv.random());
    if c.argc() == 2 {
        match read_as::<Hash>(srv, c.db, &c.argv[1])?.and_then(|h| h.random_pair(&mut rng)) {
            Some((k, _)) => reply_item(&mut c.reply, k),
            None => c.reply.null(),
        }
        return Ok(());
    }
    let count = parse_signed_count(&c.argv[2])?;
    let withvalues = c.argc() == 4;
    if c.argc() > 4 || (withvalues && !c.argv[3].eq_ignore_ascii_case(b"withvalues")) {
        return Err(CommandError::Syntax);
    }
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CommandError::Err("value is out of range"));
    }
    let Some(hash) = read_as::<Hash>(srv, c.db, &c.argv[1])? else {
        c.reply.array_len(0);
        return Ok(());
    };
    hrandfield_reply(&mut c.reply, hash, count, withvalues, &mut rng);
    Ok(())
}

/// Writes HRANDFIELD's reply for a count, as Redis's hrandfieldWithCountCommand.
fn hrandfield_reply(
    reply: &mut ReplyBuf,
    hash: &Hash,
    count: i64,
    withvalues: bool,
    rng: &mut impl FnMut() -> u64,
) {
    let size = hash.len();
    let unique = count >= 0;
    let n = count.unsigned_abs() as usize;
    if n == 0 {
        reply.array_len(0);
        return;
    }
    let pairs_header = |reply: &mut ReplyBuf, n: usize| {
        reply.array_len(if withvalues && !reply.is_resp3() {
            n * 2
        } else {
            n
        })
    };
    let emit = |reply: &mut ReplyBuf, k: Item<'_>, v: Item<'_>| {
        if withvalues && reply.is_resp3() {
            reply.array_len(2);
        }
        reply_item(reply, k);
        if withvalues {
            reply_item(reply, v);
        }
    };
    if !unique || n == 1 {
        pairs_header(reply, n);
        for _ in 0..n {
            if let Some((k, v)) = hash.random_pair(rng) {
                emit(reply, k, v);
            }
        }
        return;
    }
    if n * 3 <= size {
        let picked = distinct_picks(n, || hash.random_pair(rng), |&(k, _)| k);
        pairs_header(reply, picked.len());
        for (k, v) in picked {
            emit(reply, k, v);
        }
        return;
    }
    let items = hash.items();
    if n >= size {
        pairs_header(reply, size);
        for (k, v) in items {
            emit(reply, k, v);
        }
        return;
    }
    pairs_header(reply, n);
    for i in distinct_indices(size, n, rng) {
        let (k, v) = items[i];
        emit(reply, k, v);
    }
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]: one step of the iteration over the
/// fields and values; a listpack hash returns everything with cursor 0.
fn hscan(srv: &mut Server, c: &mut Client) -> CommandResult {
    let cursor = parse_cursor(&c.argv[2])?;
    let Some(hash) = read_as::<Hash>(srv, c.db, &c.argv[1])? else {
        reply_scan(&mut c.reply, 0, &[]);
        return Ok(());
    };
    let opts = ScanOptions::parse(&c.argv[3..])?;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let visited = std::cell::Cell::new(0usize);
    let mut keep = |k: Item<'_>, v: Item<'_>| {
        visited.set(visited.get() + 2);
        if opts.matches(k) {
            found.push(k.to_vec());
            found.push(v.to_vec());
        }
    };
    // As Redis: until COUNT pairs were visited, at most 10 * 2 * COUNT more steps (a
    // listpack hash returns everything at once, cursor 0).
    let want = opts.count.saturating_mul(2);
    let mut budget = want.saturating_mul(10);
    let mut next = cursor;
    loop {
        next = hash.scan(next, &mut keep);
        if next == 0 || budget == 0 || visited.get() >= want {
            break;
        }
        budget -= 1;
    }
    reply_scan(&mut c.reply, next, &found);
    Ok(())
}
