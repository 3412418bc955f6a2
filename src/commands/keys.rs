//! Generic keyspace commands, as Redis's `db.c` and `object.c`: DEL UNLINK EXISTS TYPE
//! KEYS SCAN RANDOMKEY RENAME RENAMENX MOVE COPY TOUCH OBJECT DBSIZE FLUSHDB FLUSHALL
//! SWAPDB. The expiry commands live in `expire.rs`, DUMP and RESTORE in `dump.rs`.
//!
//! Lookups follow Redis's rules, which the other families reuse from here:
//! [`lookup_read`] expires a key whose time has passed, counts a keyspace hit or miss and
//! publishes `keymiss` on a miss (Redis's lookupKeyRead); [`exists_for_write`] and
//! [`write_as`] expire too but count and publish nothing (lookupKeyWrite).

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::{notify, Config, MaxmemoryPolicy};
use crate::db::{Db, ExpireMode};
use crate::server::{bio, Client, Server};
use crate::types::value::Collection;
use crate::types::{Object, SmallBytes, Value};
use crate::util::glob::glob_match;
use crate::util::numbers::{parse_i64, parse_scan_cursor};
use crate::util::time::idle_seconds;

/// The key of an OBJECT subcommand (`OBJECT ENCODING <key>`).
const OBJECT_KEY: Keys = Keys {
    first: 2,
    last: 2,
    step: 1,
};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", del, -2, WRITE, Keys::ALL, "generic", "1.0.0", "Deletes one or more keys."),
    CommandSpec::new("unlink", unlink, -2, WRITE | FAST, Keys::ALL, "generic", "4.0.0", "Asynchronously deletes one or more keys."),
    CommandSpec::new("exists", exists, -2, READONLY | FAST, Keys::ALL, "generic", "1.0.0", "Determines whether one or more keys exist."),
    CommandSpec::new("type", type_cmd, 2, READONLY | FAST, Keys::ONE, "generic", "1.0.0", "Determines the type of value stored at a key."),
    CommandSpec::new("keys", keys, 2, READONLY, Keys::NONE, "generic", "1.0.0", "Returns all key names that match a pattern."),
    CommandSpec::new("scan", scan, -2, READONLY, Keys::NONE, "generic", "2.8.0", "Iterates over the key names in the database."),
    CommandSpec::new("randomkey", randomkey, 1, READONLY, Keys::NONE, "generic", "1.0.0", "Returns a random key name from the database."),
    CommandSpec::new("rename", rename, 3, WRITE, Keys::TWO, "generic", "1.0.0", "Renames a key and overwrites the destination."),
    CommandSpec::new("renamenx", renamenx, 3, WRITE | FAST, Keys::TWO, "generic", "1.0.0", "Renames a key only when the target key name doesn't exist."),
    CommandSpec::new("move", move_key, 3, WRITE | FAST, Keys::ONE, "generic", "1.0.0", "Moves a key to another database."),
    CommandSpec::new("copy", copy, -3, WRITE | DENYOOM, Keys::TWO, "generic", "6.2.0", "Copies the value of a key to a new key."),
    CommandSpec::new("touch", touch, -2, READONLY | FAST, Keys::ALL, "generic", "3.2.1", "Returns the number of existing keys out of those specified after updating the time they were last accessed."),
    CommandSpec::new("object", super::table::container_handler, -2, 0, Keys::NONE, "generic", "2.2.3", "A container for object introspection commands.").with_subcommands(OBJECT_SUBCOMMANDS),
    CommandSpec::new("dbsize", dbsize, 1, READONLY | FAST, Keys::NONE, "server", "1.0.0", "Returns the number of keys in the database."),
    CommandSpec::new("flushdb", flushdb, -1, WRITE, Keys::NONE, "server", "1.0.0", "Removes all keys from the current database."),
    CommandSpec::new("flushall", flushall, -1, WRITE, Keys::NONE, "server", "1.0.0", "Removes all keys from all databases."),
    CommandSpec::new("swapdb", swapdb, 3, WRITE | FAST, Keys::NONE, "server", "4.0.0", "Swaps two Redis databases."),
];

const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "encoding",
        object_encoding,
        3,
        READONLY,
        OBJECT_KEY,
        "generic",
        "2.2.3",
        "Returns the internal encoding of a Redis object.",
    ),
    CommandSpec::new(
        "freq",
        object_freq,
        3,
        READONLY,
        OBJECT_KEY,
        "generic",
        "4.0.0",
        "Returns the logarithmic access frequency counter of a Redis object.",
    ),
    CommandSpec::new(
        "help",
        object_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "generic",
        "6.2.0",
        "Returns helpful text about the different subcommands.",
    ),
    CommandSpec::new(
        "idletime",
        object_idletime,
        3,
        READONLY,
        OBJECT_KEY,
        "generic",
        "2.2.3",
        "Returns the time since the last access to a Redis object.",
    ),
    CommandSpec::new(
        "refcount",
        object_refcount,
        3,
        READONLY,
        OBJECT_KEY,
        "generic",
        "2.2.3",
        "Returns the reference count of a value of a key.",
    ),
];

/// `ERR` text of an integer argument that parses but does not fit in 32 bits.
const INT_RANGE: &str = "value is out of range, value must between -2147483648 and 2147483647";
/// Redis frees a value on the bio thread when freeing it takes more allocations than this.
const LAZYFREE_THRESHOLD: usize = 64;
/// Integers Redis keeps as shared objects (OBJECT REFCOUNT reports them as immortal).
const SHARED_INTEGERS: i64 = 10_000;
/// The reference count Redis reports for a shared object (INT_MAX).
const SHARED_REFCOUNT: i64 = 2_147_483_647;

/// Looks `key` up in database `db` for reading, as Redis's lookupKeyRead: a key whose
/// time has passed is expired (deleted on a master), a keyspace hit or miss is counted,
/// and the access clock is refreshed when `touch` (unless a snapshot shares the dict).
/// A miss publishes the `keymiss` keyspace event when that class is on.
pub fn lookup_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
    touch: bool,
) -> Option<&'a Object> {
    lookup_read_with(srv, db, key, touch, true)
}

/// [`lookup_read`] without the `keymiss` event (Redis's LOOKUP_NONOTIFY) nor touching the
/// key, for OBJECT: the hit or miss is still counted.
pub(crate) fn lookup_read_quietly<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Option<&'a Object> {
    lookup_read_with(srv, db, key, false, false)
}

fn lookup_read_with<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
    touch: bool,
    notify_miss: bool,
) -> Option<&'a Object> {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let touch = if touch { srv.access_touch() } else { None };
    let queue_miss = notify_miss && srv.key_miss_events;
    let found = srv.dbs[db].get_touch(key, now, mode, touch.map(Touch::into_fn), queue_miss);
    if found.is_some() {
        srv.stats.keyspace_hits += 1;
    } else {
        srv.stats.keyspace_misses += 1;
    }
    found
}

/// The collection of type `T` at `key` for reading (as [`lookup_read`]): None when the
/// key is missing, WRONGTYPE when it holds another type.
pub fn read_as<'a, T: Collection>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a T>, CommandError> {
    match lookup_read(srv, db, key, true) {
        None => Ok(None),
        Some(obj) => T::inside(&obj.value)
            .map(Some)
            .ok_or(CommandError::WrongType),
    }
}

/// Looks `key` up in database `db` for a write, as Redis's lookupKeyWrite: expires the
/// key first if its time has passed and refreshes its access clock, but counts no
/// keyspace hit or miss and never publishes `keymiss`.
fn lookup_for_write<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a Object> {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let touch = srv.access_touch();
    srv.dbs[db].get_touch(key, now, mode, touch.map(Touch::into_fn), false)
}

/// Whether `key` exists in database `db`, looked up for a write (see
/// [`lookup_for_write`]).
pub fn exists_for_write(srv: &mut Server, db: usize, key: &[u8]) -> bool {
    lookup_for_write(srv, db, key).is_some()
}

/// The collection of type `T` at `key` looked up for a write (no statistics, no
/// `keymiss`), for write commands that read before changing anything: None when the key
/// is missing, WRONGTYPE when it holds another type.
pub fn write_as<'a, T: Collection>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a T>, CommandError> {
    match lookup_for_write(srv, db, key) {
        None => Ok(None),
        Some(obj) => T::inside(&obj.value)
            .map(Some)
            .ok_or(CommandError::WrongType),
    }
}

/// Whether this server deletes keys whose time has passed (a master) rather than waiting
/// for its master's DEL: EXPIRE in the past and RESTORE of an expired TTL delete only then.
pub fn deletes_expired(srv: &Server) -> bool {
    srv.expire_mode == ExpireMode::Delete
}

/// Parses an integer argument as Redis's getIntFromObjectOrReply (it must fit in 32 bits).
pub fn parse_i32_arg(arg: &[u8]) -> Result<i32, CommandError> {
    let n = parse_i64(arg).ok_or(CommandError::NotInteger)?;
    i32::try_from(n).map_err(|_| CommandError::Err(INT_RANGE))
}

/// The index of database `id`, or the out-of-range error.
fn db_index(srv: &Server, id: i32) -> Result<usize, CommandError> {
    usize::try_from(id)
        .ok()
        .filter(|&i| i < srv.dbs.len())
        .ok_or(CommandError::DbIndexOutOfRange)
}

/// Whether `key` has an expiry time at or before `now_ms` (the rule `Db` applies).
fn is_expired(db: &Db, key: &[u8], now_ms: i64) -> bool {
    matches!(db.expire_of(key), Some(when) if when <= now_ms)
}

/// Roughly how many allocations dropping `value` frees, as Redis's
/// lazyfreeGetFreeEffort: one for a string, Redis's estimate for a stream; the other
/// collections are treated as costly whatever their size.
fn free_effort(value: &Value) -> usize {
    match value {
        _ if value.is_string() => 1,
        // As Redis: one allocation per node, and per group one plus its PEL (the first
        // group's PEL standing for all of them).
        Value::Stream(s) => {
            let pel = s.groups.values().next().map_or(0, |g| g.pending.len());
            s.node_count() + s.groups.len() * (1 + pel)
        }
        _ => LAZYFREE_THRESHOLD + 1,
    }
}

/// Drops `obj` here if that is cheap, otherwise on the bio thread (UNLINK).
pub(crate) fn free_lazily(obj: Object) {
    if free_effort(&obj.value) > LAZYFREE_THRESHOLD {
        bio::drop_boxed(Box::new(obj), 1);
    }
}

/// Publishes the generic event `event` on the key that is argument `arg` of `c`, in
/// database `dbid` (MOVE and COPY write to a database the client has not selected).
fn notify_arg_in_db(srv: &mut Server, c: &mut Client, event: &str, arg: usize, dbid: usize) {
    if dbid == c.db {
        srv.notify_key(c, notify::GENERIC, event, arg);
    } else if srv.key_events_on(notify::GENERIC) {
        let key = c.argv[arg].clone();
        srv.notify_keyspace_event(c, notify::GENERIC, event, &key, dbid);
    }
}

/// DEL key [key ...]
fn del(srv: &mut Server, c: &mut Client) -> CommandResult {
    delete_keys(srv, c, false)
}

/// UNLINK key [key ...]
fn unlink(srv: &mut Server, c: &mut Client) -> CommandResult {
    delete_keys(srv, c, true)
}

/// DEL and UNLINK: removes every named key (one whose time has passed counts as absent
/// on a master) and replies how many were removed; `lazy` frees costly values on the bio
/// thread.
fn delete_keys(srv: &mut Server, c: &mut Client, lazy: bool) -> CommandResult {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let mut removed = 0u64;
    for j in 1..c.argc() {
        let db = &mut srv.dbs[c.db];
        db.expire_if_needed(&c.argv[j], now, mode);
        let Some(obj) = db.remove(&c.argv[j]) else {
            continue;
        };
        removed += 1;
        if lazy {
            free_lazily(obj);
        }
        srv.notify_key(c, notify::GENERIC, "del", j);
    }
    srv.dirty += removed;
    c.reply.int(removed as i64);
    Ok(())
}

/// EXISTS key [key ...]: counts the keys that exist, a key named twice counting twice.
fn exists(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut count = 0;
    for key in &c.argv[1..] {
        if lookup_read(srv, c.db, key, false).is_some() {
            count += 1;
        }
    }
    c.reply.int(count);
    Ok(())
}

/// TYPE key: the type name as a status reply, `none` for a missing key.
fn type_cmd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let name =
        lookup_read(srv, c.db, &c.argv[1], false).map_or("none", |o| o.value.value_type().name());
    c.reply.simple(name);
    Ok(())
}

/// KEYS pattern: every key matching the glob, skipping (without deleting) expired ones.
fn keys(srv: &mut Server, c: &mut Client) -> CommandResult {
    let pattern = c.argv[1].as_slice();
    let all = pattern == b"*";
    let now = srv.now_ms;
    let db = &srv.dbs[c.db];
    let matched: Vec<&[u8]> = db
        .dict
        .iter()
        .map(|(k, _)| k.as_bytes())
        .filter(|k| all || glob_match(pattern, k, false))
        .filter(|k| !is_expired(db, k, now))
        .collect();
    c.reply.array_len(matched.len());
    for key in matched {
        c.reply.bulk(key);
    }
    Ok(())
}

/// The options of SCAN: COUNT, MATCH and TYPE.
#[derive(Debug, PartialEq)]
struct ScanOptions<'a> {
    count: usize,
    /// None when absent or `*` (which matches everything).
    pattern: Option<&'a [u8]>,
    type_name: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    /// Parses the arguments after the cursor; a later option overrides an earlier one.
    fn parse(args: &'a [Vec<u8>]) -> Result<ScanOptions<'a>, CommandError> {
        let mut opts = ScanOptions {
            count: 10,
            pattern: None,
            type_name: None,
        };
        let mut i = 0;
        while i < args.len() {
            let Some(value) = args.get(i + 1) else {
                return Err(CommandError::Syntax);
            };
            let opt = args[i].as_slice();
            if opt.eq_ignore_ascii_case(b"count") {
                let n = parse_i64(value).ok_or(CommandError::NotInteger)?;
                if n < 1 {
                    return Err(CommandError::Syntax);
                }
                opts.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if opt.eq_ignore_ascii_case(b"match") {
                opts.pattern = (value.as_slice() != b"*").then_some(value.as_slice());
            } else if opt.eq_ignore_ascii_case(b"type") {
                opts.type_name = Some(value.as_slice());
            } else {
                return Err(CommandError::Syntax);
            }
            i += 2;
        }
        Ok(opts)
    }
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: one step of the keyspace
/// iteration. Visits buckets until COUNT keys are gathered (at most 10 * COUNT extra
/// buckets), then filters by pattern, type and expiry; expired keys are deleted on a
/// master, as a read would.
fn scan(srv: &mut Server, c: &mut Client) -> CommandResult {
    let cursor = parse_scan_cursor(&c.argv[1]).ok_or(CommandError::Err("invalid cursor"))?;
    let opts = ScanOptions::parse(&c.argv[2..])?;
    let (next, found) = scan_step(&srv.dbs[c.db], cursor, opts.count);
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let mut keys = Vec::with_capacity(found.len());
    for key in found {
        if opts.pattern.is_some_and(|p| !glob_match(p, &key, false)) {
            continue;
        }
        if let Some(wanted) = opts.type_name {
            let name =
                lookup_read(srv, c.db, &key, false).map_or("none", |o| o.value.value_type().name());
            if !name.as_bytes().eq_ignore_ascii_case(wanted) {
                continue;
            }
        }
        if srv.dbs[c.db].expire_if_needed(&key, now, mode) {
            continue;
        }
        keys.push(key);
    }
    c.reply.array_len(2);
    c.reply.bulk(next.to_string().as_bytes());
    c.reply.array_len(keys.len());
    for key in &keys {
        c.reply.bulk(key.as_bytes());
    }
    Ok(())
}

/// Scans `db` from `cursor` until at least `count` keys are gathered, the iteration ends,
/// or `10 * count` further buckets were visited. Returns the next cursor and the keys.
fn scan_step(db: &Db, mut cursor: u64, count: usize) -> (u64, Vec<SmallBytes>) {
    let mut found = Vec::new();
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = db.dict.scan(cursor, |k, _| found.push(k.clone()));
        if cursor == 0 || budget == 0 || found.len() >= count {
            return (cursor, found);
        }
        budget -= 1;
    }
}

/// RANDOMKEY: a random key that has not expired, or null when the database is empty.
fn randomkey(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    let mut rng = crate::util::rng::rng_from(srv.random());
    match srv.dbs[c.db].random_key(now, mode, &mut rng) {
        Some(key) => c.reply.bulk(key.as_bytes()),
        None => c.reply.null(),
    }
    Ok(())
}

/// RENAME key newkey
fn rename(srv: &mut Server, c: &mut Client) -> CommandResult {
    rename_generic(srv, c, false)
}

/// RENAMENX key newkey
fn renamenx(srv: &mut Server, c: &mut Client) -> CommandResult {
    rename_generic(srv, c, true)
}

/// RENAME and RENAMENX: moves the value and the expiry time of `key` to `newkey`,
/// replacing `newkey` unless `nx` (then replies 0 if it exists). A missing source is an
/// error even when both names are equal.
fn rename_generic(srv: &mut Server, c: &mut Client, nx: bool) -> CommandResult {
    let (src, dst) = (c.argv[1].as_slice(), c.argv[2].as_slice());
    if !exists_for_write(srv, c.db, src) {
        return Err(CommandError::NoSuchKey);
    }
    if src == dst {
        reply_renamed(c, nx, false);
        return Ok(());
    }
    let expire = srv.dbs[c.db].expire_of(src);
    let dst_exists = exists_for_write(srv, c.db, dst);
    if dst_exists && nx {
        reply_renamed(c, nx, false);
        return Ok(());
    }
    let db = &mut srv.dbs[c.db];
    // An existing destination is deleted, then the key added anew (so `new` is
    // announced for it, as Redis does).
    if dst_exists {
        db.remove(dst);
    }
    let obj = db.remove(src).ok_or(CommandError::NoSuchKey)?;
    db.set(dst, obj.value, obj.lru, false);
    if let Some(when) = expire {
        db.set_expire(dst, when);
    }
    srv.notify_key(c, notify::GENERIC, "rename_from", 1);
    srv.notify_key(c, notify::GENERIC, "rename_to", 2);
    srv.dirty += 1;
    reply_renamed(c, nx, true);
    Ok(())
}

/// The reply of RENAME (`+OK`) or RENAMENX (`:1` if renamed, else `:0`).
fn reply_renamed(c: &mut Client, nx: bool, renamed: bool) {
    if nx {
        c.reply.int(renamed as i64);
    } else {
        c.reply.ok();
    }
}

/// MOVE key db: moves a key with its expiry to another database, unless it is missing
/// or the target already has it (then replies 0).
fn move_key(srv: &mut Server, c: &mut Client) -> CommandResult {
    let dst = db_index(srv, parse_i32_arg(&c.argv[2])?)?;
    if dst == c.db {
        return Err(CommandError::SourceAndDestinationSame);
    }
    let key = c.argv[1].as_slice();
    if !exists_for_write(srv, c.db, key) {
        c.reply.int(0);
        return Ok(());
    }
    let expire = srv.dbs[c.db].expire_of(key);
    if exists_for_write(srv, dst, key) {
        c.reply.int(0);
        return Ok(());
    }
    let obj = srv.dbs[c.db].remove(key).ok_or(CommandError::NoSuchKey)?;
    let target = &mut srv.dbs[dst];
    target.set(key, obj.value, obj.lru, false);
    if let Some(when) = expire {
        target.set_expire(key, when);
    }
    srv.touch_watched_key(dst, key);
    srv.notify_key(c, notify::GENERIC, "move_from", 1);
    notify_arg_in_db(srv, c, "move_to", 1, dst);
    srv.dirty += 1;
    c.reply.int(1);
    Ok(())
}

/// The options of COPY: target database and REPLACE.
struct CopyOptions {
    db: usize,
    replace: bool,
}

/// Parses COPY's options after the two keys (`args`), the default target being `db`.
fn parse_copy_options(
    srv: &Server,
    args: &[Vec<u8>],
    db: usize,
) -> Result<CopyOptions, CommandError> {
    let mut opts = CopyOptions { db, replace: false };
    let mut i = 0;
    while i < args.len() {
        let opt = args[i].as_slice();
        if opt.eq_ignore_ascii_case(b"replace") {
            opts.replace = true;
        } else if opt.eq_ignore_ascii_case(b"db") && i + 1 < args.len() {
            opts.db = db_index(srv, parse_i32_arg(&args[i + 1])?)?;
            i += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    Ok(opts)
}

/// COPY source destination [DB db] [REPLACE]: copies the value and expiry of `source`
/// to `destination`; replies 0 if the source is missing or the destination exists
/// without REPLACE.
fn copy(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = parse_copy_options(srv, &c.argv[3..], c.db)?;
    let (src, dst) = (c.argv[1].as_slice(), c.argv[2].as_slice());
    if opts.db == c.db && src == dst {
        return Err(CommandError::SourceAndDestinationSame);
    }
    if lookup_read(srv, c.db, src, true).is_none() {
        c.reply.int(0);
        return Ok(());
    }
    let expire = srv.dbs[c.db].expire_of(src);
    let dst_exists = exists_for_write(srv, opts.db, dst);
    if dst_exists && !opts.replace {
        c.reply.int(0);
        return Ok(());
    }
    let value = srv.dbs[c.db]
        .dict
        .get(src)
        .map(|o| o.value.clone())
        .ok_or(CommandError::NoSuchKey)?;
    let lru = srv.lru_clock();
    let target = &mut srv.dbs[opts.db];
    // REPLACE deletes the destination, then adds the copy anew (announced as `new`).
    if dst_exists {
        target.remove(dst);
    }
    target.set(dst, value, lru, false);
    if let Some(when) = expire {
        target.set_expire(dst, when);
    }
    srv.touch_watched_key(opts.db, dst);
    notify_arg_in_db(srv, c, "copy_to", 2, opts.db);
    srv.dirty += 1;
    c.reply.int(1);
    Ok(())
}

/// TOUCH key [key ...]: refreshes the access clock of the keys that exist and counts them.
fn touch(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut count = 0;
    for key in &c.argv[1..] {
        if lookup_read(srv, c.db, key, true).is_some() {
            count += 1;
        }
    }
    c.reply.int(count);
    Ok(())
}

/// OBJECT ENCODING key
fn object_encoding(srv: &mut Server, c: &mut Client) -> CommandResult {
    match lookup_read_quietly(srv, c.db, &c.argv[2]) {
        Some(obj) => c.reply.bulk(obj.value.encoding_name().as_bytes()),
        None => c.reply.null(),
    }
    Ok(())
}

/// OBJECT REFCOUNT key: 1, or INT_MAX for the small integers Redis shares.
fn object_refcount(srv: &mut Server, c: &mut Client) -> CommandResult {
    let shared = shares_integers(&srv.config);
    match lookup_read_quietly(srv, c.db, &c.argv[2]) {
        Some(obj) => c.reply.int(refcount(&obj.value, shared)),
        None => c.reply.null(),
    }
    Ok(())
}

/// The reference count Redis would report for `value` (`shared`: whether it shares
/// small integers).
fn refcount(value: &Value, shared: bool) -> i64 {
    match value {
        Value::Int(n) if shared && (0..SHARED_INTEGERS).contains(n) => SHARED_REFCOUNT,
        _ => 1,
    }
}

/// Whether Redis would store small integers as shared objects: not when a maxmemory
/// limit evicts by LRU or LFU, which needs a clock per key.
fn shares_integers(config: &Config) -> bool {
    config.maxmemory == 0 || !(lru_policy_selected(config) || lfu_policy_selected(config))
}

/// Whether an LRU maxmemory-policy is selected.
fn lru_policy_selected(config: &Config) -> bool {
    matches!(
        config.maxmemory_policy,
        MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::VolatileLru
    )
}

/// Whether an LFU maxmemory-policy is selected: then an object's access clock holds
/// Redis's LFU layout (minutes << 8 | logarithmic counter) instead of an LRU time.
pub fn lfu_policy_selected(config: &Config) -> bool {
    matches!(
        config.maxmemory_policy,
        MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu
    )
}

/// Minutes since the epoch on 16 bits, the time part of an LFU clock.
pub fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) & 0xffff) as u32
}

/// The LFU counter of a new object (Redis's LFU_INIT_VAL).
pub const LFU_INIT_VAL: u32 = 5;

/// The LFU-layout clock of an object created at `now_ms`.
pub fn lfu_initial_clock(now_ms: i64) -> u32 {
    (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// The LFU counter of an access clock `lru` in LFU layout, decremented by one per
/// `decay_minutes` elapsed since its last decrement (Redis's LFUDecrAndReturn).
pub fn lfu_counter(lru: u32, now_ms: i64, decay_minutes: u64) -> u64 {
    let last = lru >> 8;
    let counter = u64::from(lru & 0xff);
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last {
        now - last
    } else {
        0xffff - last + now
    };
    let periods = u64::from(elapsed).checked_div(decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// How a lookup refreshes the access clock of the object it finds.
#[derive(Clone, Copy, Debug)]
pub enum Touch {
    /// Store this LRU clock.
    Lru(u32),
    /// Count one access in the LFU counter, after its decay (Redis's updateLFU);
    /// `random` in [0, 2^64) decides the logarithmic increment.
    Lfu {
        now_ms: i64,
        log_factor: u64,
        decay_minutes: u64,
        random: u64,
    },
}

impl Touch {
    /// The new access clock of an object whose clock was `old`.
    pub fn apply(self, old: u32) -> u32 {
        match self {
            Touch::Lru(clock) => clock,
            Touch::Lfu {
                now_ms,
                log_factor,
                decay_minutes,
                random,
            } => {
                let counter = lfu_counter(old, now_ms, decay_minutes);
                let counter = lfu_log_incr(counter, log_factor, random);
                (lfu_minutes(now_ms) << 8) | counter as u32
            }
        }
    }

    /// [`Touch::apply`] as a function, for `Db::get_touch`.
    pub fn into_fn(self) -> impl FnOnce(u32) -> u32 {
        move |old| self.apply(old)
    }
}

/// Redis's LFULogIncr: counts an access with probability 1 / ((counter - LFU_INIT_VAL)
/// * log_factor + 1), so the 8-bit counter grows logarithmically with the accesses.
pub fn lfu_log_incr(counter: u64, log_factor: u64, random: u64) -> u64 {
    if counter >= 255 {
        return 255;
    }
    // The top 53 bits as a fraction in [0, 1): exact in an f64.
    let r = (random >> 11) as f64 / (1u64 << 53) as f64;
    let base = counter.saturating_sub(u64::from(LFU_INIT_VAL)) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// OBJECT IDLETIME key: seconds since the key was last accessed.
fn object_idletime(srv: &mut Server, c: &mut Client) -> CommandResult {
    let now = srv.now_ms;
    let lfu = lfu_policy_selected(&srv.config);
    let Some(obj) = lookup_read_quietly(srv, c.db, &c.argv[2]) else {
        c.reply.null();
        return Ok(());
    };
    if lfu {
        return Err(CommandError::Err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    let idle = idle_seconds(obj.lru, now);
    c.reply.int(idle as i64);
    Ok(())
}

/// OBJECT FREQ key: the LFU counter, which only an LFU maxmemory-policy keeps.
fn object_freq(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (now, decay) = (srv.now_ms, srv.config.lfu_decay_time);
    let lfu = lfu_policy_selected(&srv.config);
    let Some(obj) = lookup_read_quietly(srv, c.db, &c.argv[2]) else {
        c.reply.null();
        return Ok(());
    };
    if !lfu {
        return Err(CommandError::Err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    let counter = lfu_counter(obj.lru, now, decay);
    c.reply.int(counter as i64);
    Ok(())
}

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// OBJECT HELP
fn object_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(OBJECT_HELP.len());
    for line in OBJECT_HELP {
        c.reply.simple(line);
    }
    Ok(())
}

/// DBSIZE: keys in the selected database (including expired ones not yet removed).
fn dbsize(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(srv.dbs[c.db].len() as i64);
    Ok(())
}

/// Checks FLUSHDB/FLUSHALL's optional SYNC or ASYNC argument. Both modes hand the old
/// tables to the bio thread, so the event loop never waits for the memory to be freed.
fn check_flush_mode(c: &Client) -> CommandResult {
    let ok = match c.argc() {
        1 => true,
        2 => c.argv[1].eq_ignore_ascii_case(b"sync") || c.argv[1].eq_ignore_ascii_case(b"async"),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CommandError::Syntax)
    }
}

/// FLUSHDB [ASYNC|SYNC]. Propagated even when the database was already empty: a
/// replica or the AOF may hold keys we do not.
fn flushdb(srv: &mut Server, c: &mut Client) -> CommandResult {
    check_flush_mode(c)?;
    srv.touch_all_watched_keys_in_db(c.db, None);
    srv.tracking_invalidate_on_flush(Some(c));
    srv.dirty += srv.dbs[c.db].flush() as u64;
    c.force_propagate = true;
    c.reply.ok();
    Ok(())
}

/// FLUSHALL [ASYNC|SYNC]. As in Redis, a running BGSAVE is stopped (it would write the
/// old keys) and, when save points are configured, the empty dataset is saved at once,
/// so a restart cannot bring the keys back. Always propagated, like FLUSHDB.
fn flushall(srv: &mut Server, c: &mut Client) -> CommandResult {
    check_flush_mode(c)?;
    for db in 0..srv.dbs.len() {
        srv.touch_all_watched_keys_in_db(db, None);
    }
    srv.tracking_invalidate_on_flush(Some(c));
    srv.dirty += srv.dbs.iter_mut().map(Db::flush).sum::<usize>() as u64;
    srv.repl.local_expires.clear();
    srv.cancel_bgsave();
    if !srv.config.save_points.is_empty() {
        // A failed save is logged and shown in INFO; the flush itself succeeded.
        let _ = srv.save_rdb_foreground();
    }
    c.force_propagate = true;
    c.reply.ok();
    Ok(())
}

/// Parses a SWAPDB index; `err` is the phrase Redis answers for a non-integer.
fn parse_swap_index(srv: &Server, arg: &[u8], err: &'static str) -> Result<usize, CommandError> {
    let id = parse_i64(arg)
        .and_then(|n| i32::try_from(n).ok())
        .ok_or(CommandError::Err(err))?;
    db_index(srv, id)
}

/// SWAPDB index1 index2: exchanges the contents of two databases; clients that selected
/// either now see the other's keys.
fn swapdb(srv: &mut Server, c: &mut Client) -> CommandResult {
    let a = parse_swap_index(srv, &c.argv[1], "invalid first DB index")?;
    let b = parse_swap_index(srv, &c.argv[2], "invalid second DB index")?;
    if a != b {
        srv.touch_all_watched_keys_in_db(a, Some(b));
        srv.touch_all_watched_keys_in_db(b, Some(a));
    }
    swap_databases(&mut srv.dbs, a, b);
    // The tracked keys' databases no longer say where they are (Redis forgets them too).
    srv.repl.local_expires.clear();
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// Swaps the keyspaces (keys, expiry times, expiry statistics) of databases `a` and `b`.
/// Each slot keeps its id and the DELs it still has to propagate.
fn swap_databases(dbs: &mut [Db], a: usize, b: usize) {
    if a == b {
        return;
    }
    let (lo, hi) = (a.min(b), a.max(b));
    let (left, right) = dbs.split_at_mut(hi);
    let (x, y) = (&mut left[lo], &mut right[0]);
    std::mem::swap(x, y);
    std::mem::swap(&mut x.id, &mut y.id);
    std::mem::swap(&mut x.expired_to_propagate, &mut y.expired_to_propagate);
    // Blocked clients wait on a database number, not on its contents: their keys stay,
    // and those the swapped-in data holds are ready (Redis's scanDatabaseForReadyKeys);
    // so are those it lacks, for a blocked XREADGROUP to hear its stream is gone.
    std::mem::swap(&mut x.blocked_keys, &mut y.blocked_keys);
    std::mem::swap(&mut x.ready_keys, &mut y.ready_keys);
    for db in [x, y] {
        let waited: Vec<Vec<u8>> = db.blocked_keys.iter().cloned().collect();
        for k in waited {
            db.signal_ready(&k);
        }
    }
}

/// A server without listeners and one client, for running commands in unit tests with
/// the clock under the test's control.
#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::server::{Client, Conn, Server};

    pub struct Harness {
        pub srv: Server,
        pub c: Client,
        /// The other end of the client's socket, kept open.
        _peer: mio::net::UnixStream,
    }

    impl Harness {
        pub fn new() -> Harness {
            let mut config = Config::default();
            config.port = 0;
            // No save points: commands such as FLUSHALL must not write a dump here.
            config.save_points.clear();
            let srv = Server::new(config).expect("server without listeners");
            let (ours, peer) = mio::net::UnixStream::pair().expect("socket pair");
            let mut c = Client::new(
                1,
                0,
                Conn::Unix(ours),
                String::new(),
                String::new(),
                srv.now_ms,
            );
            c.authenticated = true;
            Harness {
                srv,
                c,
                _peer: peer,
            }
        }

        /// Runs `args` by calling the handler of its table row directly at the current
        /// `srv.now_ms`, so that the propagation the command asked for stays in
        /// `c.propagate_argv`. Returns the reply bytes.
        pub fn run(&mut self, args: &[&str]) -> Vec<u8> {
            let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
            self.run_bytes(argv)
        }

        /// [`Harness::run`] with binary arguments.
        pub fn run_bytes(&mut self, argv: Vec<Vec<u8>>) -> Vec<u8> {
            let table = &self.srv.commands;
            let mut id = table.lookup(&argv[0]).expect("known command");
            if !table.spec(id).subcommands.is_empty() {
                id = table.lookup_sub(id, &argv[1]).expect("known subcommand");
            }
            let handler = table.spec(id).handler;
            self.c.argv = argv;
            self.c.propagate_argv = None;
            let start = self.c.reply.buf.len();
            if let Err(e) = handler(&mut self.srv, &mut self.c) {
                self.c.reply.error(&e);
            }
            self.c.reply.buf.split_off(start)
        }

        /// The argv the last command asked to propagate instead of its own, as text.
        pub fn propagated(&self) -> Option<Vec<String>> {
            let argv = self.c.propagate_argv.as_ref()?;
            Some(
                argv.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_options() {
        let args: Vec<Vec<u8>> = ["MATCH", "a*", "count", "5", "TYPE", "string"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let opts = ScanOptions::parse(&args).unwrap();
        assert_eq!(
            opts,
            ScanOptions {
                count: 5,
                pattern: Some(&b"a*"[..]),
                type_name: Some(&b"string"[..]),
            }
        );
        let star = vec![b"match".to_vec(), b"*".to_vec()];
        assert_eq!(ScanOptions::parse(&star).unwrap().pattern, None);
        let zero = vec![b"count".to_vec(), b"0".to_vec()];
        assert_eq!(ScanOptions::parse(&zero), Err(CommandError::Syntax));
        let missing = vec![b"count".to_vec()];
        assert_eq!(ScanOptions::parse(&missing), Err(CommandError::Syntax));
    }

    #[test]
    fn shared_integers_report_int_max_refcount() {
        assert_eq!(refcount(&Value::Int(0), true), SHARED_REFCOUNT);
        assert_eq!(refcount(&Value::Int(9999), true), SHARED_REFCOUNT);
        assert_eq!(refcount(&Value::Int(9999), false), 1);
        assert_eq!(refcount(&Value::Int(10000), true), 1);
        assert_eq!(refcount(&Value::Int(-1), true), 1);
        assert_eq!(refcount(&Value::string(b"abc"), true), 1);
        let mut config = Config::default();
        assert!(shares_integers(&config));
        config.maxmemory_policy = MaxmemoryPolicy::AllkeysLfu;
        assert!(shares_integers(&config));
        config.maxmemory = 1 << 20;
        assert!(!shares_integers(&config));
        config.maxmemory_policy = MaxmemoryPolicy::AllkeysRandom;
        assert!(shares_integers(&config));
    }

    #[test]
    fn lfu_counts_accesses_logarithmically() {
        // From the initial value an access always counts; higher up, only a draw under
        // 1 / ((counter - 5) * factor + 1) does; 255 is the ceiling.
        assert_eq!(lfu_log_incr(5, 10, u64::MAX - 1), 6);
        assert_eq!(lfu_log_incr(15, 10, 0), 16);
        assert_eq!(lfu_log_incr(15, 10, u64::MAX / 50), 15);
        assert_eq!(lfu_log_incr(255, 10, 0), 255);
        // A touch decays the counter first, then counts and stamps the current minute.
        let now = 10_000 * 60_000;
        let ten_minutes_ago = (lfu_minutes(now - 10 * 60_000) << 8) | 20;
        let touch = Touch::Lfu {
            now_ms: now,
            log_factor: 10,
            decay_minutes: 1,
            random: 0,
        };
        assert_eq!(touch.apply(ten_minutes_ago), (lfu_minutes(now) << 8) | 11);
        assert_eq!(Touch::Lru(42).apply(7), 42);
    }

    #[test]
    fn lfu_counter_decays_per_period() {
        let now = 1_000 * 60_000;
        let clock = |minutes_ago: i64, counter: u32| {
            (lfu_minutes(now - minutes_ago * 60_000) << 8) | counter
        };
        assert_eq!(lfu_counter(clock(0, 7), now, 1), 7);
        assert_eq!(lfu_counter(clock(3, 7), now, 1), 4);
        assert_eq!(lfu_counter(clock(3, 7), now, 2), 6);
        assert_eq!(lfu_counter(clock(30, 7), now, 1), 0);
        assert_eq!(lfu_counter(clock(30, 7), now, 0), 7);
    }

    #[test]
    fn swap_keeps_ids_and_pending_dels() {
        let mut dbs: Vec<Db> = (0..3).map(Db::new).collect();
        dbs[0].add(b"k", Value::string(b"v"), 0);
        dbs[0].expired_to_propagate.push(SmallBytes::new(b"gone"));
        swap_databases(&mut dbs, 2, 0);
        assert_eq!((dbs[0].id, dbs[2].id), (0, 2));
        assert!(dbs[0].is_empty());
        assert_eq!(dbs[2].len(), 1);
        assert_eq!(dbs[0].expired_to_propagate.len(), 1);
        assert!(dbs[2].expired_to_propagate.is_empty());
    }

    #[test]
    fn int_args_fit_in_32_bits() {
        assert_eq!(parse_i32_arg(b"-2147483648"), Ok(i32::MIN));
        assert_eq!(
            parse_i32_arg(b"2147483648"),
            Err(CommandError::Err(INT_RANGE))
        );
        assert_eq!(parse_i32_arg(b"x"), Err(CommandError::NotInteger));
    }

    #[test]
    fn keyspace_hits_and_misses_counted_like_redis() {
        // The same sequence gives hits 7 / misses 7 on Redis 7.0: write lookups and
        // KEYS, RANDOMKEY, MOVE, EXPIRE, PERSIST count nothing.
        let mut h = testing::Harness::new();
        h.run(&["set", "a", "1"]);
        h.run(&["set", "b", "2"]);
        for cmd in [
            &["type", "a"][..],
            &["type", "x"],
            &["exists", "a", "x"],
            &["touch", "a", "x"],
            &["ttl", "a"],
            &["ttl", "x"],
            &["object", "encoding", "a"],
            &["object", "encoding", "x"],
            &["dump", "a"],
            &["dump", "x"],
            &["rename", "a", "c"],
            &["rename", "x", "c"],
            &["copy", "c", "d"],
            &["copy", "x", "d"],
            &["move", "c", "3"],
            &["expire", "d", "100"],
            &["expire", "x", "100"],
            &["persist", "d"],
            &["keys", "*"],
            &["randomkey"],
            &["renamenx", "d", "e"],
        ] {
            h.run(cmd);
        }
        assert_eq!(
            (h.srv.stats.keyspace_hits, h.srv.stats.keyspace_misses),
            (7, 7)
        );
        // Left in db 0: b and e. SCAN ... TYPE looks each candidate up.
        h.run(&["scan", "0", "type", "string"]);
        assert_eq!(h.srv.stats.keyspace_hits, 9);
    }

    #[test]
    fn del_of_an_expired_key_counts_nothing_and_queues_its_del() {
        let mut h = testing::Harness::new();
        h.run(&["set", "k", "v"]);
        h.srv.dbs[0].set_expire(b"k", h.srv.now_ms - 1);
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["del", "k"]), b":0\r\n");
        assert_eq!(h.srv.dirty, dirty);
        assert_eq!(h.srv.dbs[0].expired_to_propagate.len(), 1);
        assert!(h.srv.dbs[0].is_empty());
    }

    #[test]
    fn keys_hides_expired_keys_without_deleting_them() {
        let mut h = testing::Harness::new();
        h.run(&["set", "a", "1"]);
        h.run(&["set", "b", "1"]);
        h.srv.dbs[0].set_expire(b"b", h.srv.now_ms - 1);
        assert_eq!(h.run(&["keys", "*"]), b"*1\r\n$1\r\na\r\n");
        assert_eq!(h.run(&["dbsize"]), b":2\r\n");
        assert_eq!(
            h.run(&["scan", "0", "count", "100"]),
            b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"
        );
        assert_eq!(
            h.run(&["dbsize"]),
            b":1\r\n",
            "SCAN deletes the expired key it meets"
        );
    }

    #[test]
    fn rename_moves_expiry_and_access_clock() {
        let mut h = testing::Harness::new();
        h.run(&["set", "src", "v"]);
        h.run(&["set", "dst", "old"]);
        let when = h.srv.now_ms + 100_000;
        h.srv.dbs[0].set_expire(b"src", when);
        h.srv.dbs[0].set_expire(b"dst", when + 5);
        h.srv.dbs[0].dict.get_mut(b"src").unwrap().lru = 42;
        h.srv.snapshot_active = true; // no access-clock refresh on lookups
        assert_eq!(h.run(&["rename", "src", "dst"]), b"+OK\r\n");
        let db = &h.srv.dbs[0];
        assert_eq!(db.expire_of(b"dst"), Some(when));
        assert_eq!(db.expire_of(b"src"), None);
        assert_eq!(db.dict.get(b"dst").unwrap().lru, 42);
        assert_eq!(db.expires.len(), 1);
    }

    #[test]
    fn flush_counts_removed_keys_and_always_propagates() {
        let mut h = testing::Harness::new();
        h.run(&["set", "a", "1"]);
        h.c.db = 2;
        h.run(&["set", "b", "1"]);
        h.run(&["set", "c", "1"]);
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["flushall", "async"]), b"+OK\r\n");
        assert_eq!(h.srv.dirty, dirty + 3);
        // An empty FLUSHDB changes nothing but is still propagated, as in Redis.
        h.c.force_propagate = false;
        assert_eq!(h.run(&["flushdb"]), b"+OK\r\n");
        assert_eq!(h.srv.dirty, dirty + 3);
        assert!(h.c.force_propagate);
    }

    #[test]
    fn swapdb_swaps_what_clients_see() {
        let mut h = testing::Harness::new();
        h.run(&["set", "in0", "x"]);
        h.srv.dbs[0].set_expire(b"in0", h.srv.now_ms + 10_000);
        assert_eq!(h.run(&["swapdb", "0", "5"]), b"+OK\r\n");
        assert_eq!(h.run(&["dbsize"]), b":0\r\n");
        h.c.db = 5;
        assert_eq!(h.run(&["exists", "in0"]), b":1\r\n");
        assert!(h.srv.dbs[5].expire_of(b"in0").is_some());
        assert_eq!(h.srv.dbs[5].id, 5);
    }
}
