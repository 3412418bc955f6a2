//! String commands, as Redis's `t_string.c`: GET/SET and their variants (SETNX, SETEX,
//! PSETEX, GETSET, GETDEL, GETEX), MGET/MSET/MSETNX, APPEND, STRLEN, the INCR/DECR
//! family, INCRBYFLOAT, GETRANGE/SUBSTR, SETRANGE and LCS.
//!
//! Every write increments `srv.dirty` by the number of changes it made and, where the
//! request is not deterministic (relative expiry times, floats, GET options), asks for a
//! rewritten form to be propagated. Reads count keyspace hits and misses as Redis's
//! `lookupKeyRead` does. The helpers at the top are shared with the bitmap family.

use std::sync::Arc;

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{Client, Server};
use crate::types::value::itoa_buf;
use crate::types::{Object, SmallBytes, Value};
use crate::util::lcs;
use crate::util::numbers::{self, FloatIncrError};

/// Keys of LCS: the two arguments after the name.
const LCS_KEYS: Keys = Keys {
    first: 1,
    last: 2,
    step: 1,
};

/// The string family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", get, 2, READONLY | FAST, Keys::ONE, "string", "1.0.0", "Get the value of a key")
        .with_complexity("O(1)"),
    CommandSpec::new("set", set, -3, WRITE | DENYOOM, Keys::ONE, "string", "1.0.0", "Set the string value of a key")
        .with_complexity("O(1)"),
    CommandSpec::new("setnx", setnx, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Set the value of a key, only if the key does not exist")
        .with_complexity("O(1)"),
    CommandSpec::new("setex", setex, 4, WRITE | DENYOOM, Keys::ONE, "string", "2.0.0", "Set the value and expiration of a key")
        .with_complexity("O(1)"),
    CommandSpec::new("psetex", psetex, 4, WRITE | DENYOOM, Keys::ONE, "string", "2.6.0", "Set the value and expiration in milliseconds of a key")
        .with_complexity("O(1)"),
    CommandSpec::new("getset", getset, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Set the string value of a key and return its old value")
        .with_complexity("O(1)"),
    CommandSpec::new("getdel", getdel, 2, WRITE | FAST, Keys::ONE, "string", "6.2.0", "Get the value of a key and delete the key")
        .with_complexity("O(1)"),
    CommandSpec::new("getex", getex, -2, WRITE | FAST, Keys::ONE, "string", "6.2.0", "Get the value of a key and optionally set its expiration")
        .with_complexity("O(1)"),
    CommandSpec::new("mget", mget, -2, READONLY | FAST, Keys::ALL, "string", "1.0.0", "Get the values of all the given keys")
        .with_complexity("O(N) where N is the number of keys to retrieve."),
    CommandSpec::new("mset", mset, -3, WRITE | DENYOOM, Keys::PAIRS, "string", "1.0.1", "Set multiple keys to multiple values")
        .with_complexity("O(N) where N is the number of keys to set."),
    CommandSpec::new("msetnx", msetnx, -3, WRITE | DENYOOM, Keys::PAIRS, "string", "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist")
        .with_complexity("O(N) where N is the number of keys to set."),
    CommandSpec::new("append", append, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "2.0.0", "Append a value to a key")
        .with_complexity("O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."),
    CommandSpec::new("strlen", strlen, 2, READONLY | FAST, Keys::ONE, "string", "2.2.0", "Get the length of the value stored in a key")
        .with_complexity("O(1)"),
    CommandSpec::new("incr", incr, 2, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Increment the integer value of a key by one")
        .with_complexity("O(1)"),
    CommandSpec::new("decr", decr, 2, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Decrement the integer value of a key by one")
        .with_complexity("O(1)"),
    CommandSpec::new("incrby", incrby, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Increment the integer value of a key by the given amount")
        .with_complexity("O(1)"),
    CommandSpec::new("decrby", decrby, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "1.0.0", "Decrement the integer value of a key by the given number")
        .with_complexity("O(1)"),
    CommandSpec::new("incrbyfloat", incrbyfloat, 3, WRITE | DENYOOM | FAST, Keys::ONE, "string", "2.6.0", "Increment the float value of a key by the given amount")
        .with_complexity("O(1)"),
    CommandSpec::new("getrange", getrange, 4, READONLY, Keys::ONE, "string", "2.4.0", "Get a substring of the string stored at a key")
        .with_complexity("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."),
    CommandSpec::new("setrange", setrange, 4, WRITE | DENYOOM, Keys::ONE, "string", "2.2.0", "Overwrite part of a string at key starting at the specified offset")
        .with_complexity("O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument."),
    CommandSpec::new("substr", getrange, 4, READONLY, Keys::ONE, "string", "1.0.0", "Get a substring of the string stored at a key")
        .with_complexity("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."),
    CommandSpec::new("lcs", lcs_cmd, -3, READONLY, LCS_KEYS, "string", "7.0.0", "Find longest common substring")
        .with_complexity("O(N*M) where N and M are the lengths of s1 and s2, respectively"),
];

// ---------------------------------------------------------------------------------------
// Helpers shared with the bitmap family
// ---------------------------------------------------------------------------------------

/// Looks `key` up for reading as Redis's `lookupKeyRead`: an expired key is gone, a found
/// key has its access clock refreshed, and the lookup counts as a keyspace hit or miss.
pub(super) fn lookup_read<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a Value> {
    super::keys::lookup_read(srv, db, key, true).map(|obj| &obj.value)
}

/// Looks `key` up for writing as Redis's `lookupKeyWrite`: an expired key is gone, no
/// statistics are counted, and the object may be changed in place.
pub(super) fn lookup_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Option<&'a mut Object> {
    let now = srv.now_ms;
    let mode = srv.expire_mode;
    srv.dbs[db].get_mut(key, now, mode)
}

/// Whether `key` exists, looked up as [`lookup_write`] looks it up (an expired key is
/// removed first), for a command that replaces the value rather than changing it. The
/// object is not touched: during a snapshot, taking it for writing would copy its chain
/// with a clone of the old value, only for the new value to replace it at once.
fn exists_for_write(srv: &mut Server, db: usize, key: &[u8]) -> bool {
    let now = srv.now_ms;
    let mode = srv.expire_mode;
    srv.dbs[db].exists(key, now, mode)
}

/// The bytes of a string value (an integer is formatted into `scratch`); WRONGTYPE for
/// any other type.
pub(super) fn string_of<'a>(
    v: &'a Value,
    scratch: &'a mut itoa_buf::Buffer,
) -> Result<&'a [u8], CommandError> {
    v.string_bytes(scratch).ok_or(CommandError::WrongType)
}

/// Replies with a string value as a bulk string; WRONGTYPE for any other type.
fn reply_string(reply: &mut ReplyBuf, v: &Value) -> CommandResult {
    match v {
        Value::Int(n) => reply.bulk_int(*n),
        _ => {
            let mut scratch = itoa_buf::Buffer::new();
            reply.bulk(string_of(v, &mut scratch)?);
        }
    }
    Ok(())
}

/// The length in bytes of a string value; WRONGTYPE for any other type.
fn string_len(v: &Value) -> Result<usize, CommandError> {
    let mut scratch = itoa_buf::Buffer::new();
    string_of(v, &mut scratch).map(<[u8]>::len)
}

/// Parses an integer argument as `getLongLongFromObjectOrReply`.
pub(super) fn parse_int(arg: &[u8]) -> Result<i64, CommandError> {
    numbers::parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// Checks that a string of `size` bytes grown by `append` bytes stays within `max`
/// (`proto-max-bulk-len`), as Redis's `checkStringLength`.
fn check_string_length(max: u64, size: u64, append: u64) -> CommandResult {
    match size.checked_add(append) {
        Some(total) if total <= max => Ok(()),
        _ => Err(CommandError::StringTooLong),
    }
}

/// A freshly built raw (growable) string value, as Redis creates for SETRANGE/SETBIT on a
/// missing key: it reports the "raw" encoding even if it spells an integer.
pub(super) fn raw_string(bytes: Vec<u8>) -> Value {
    Value::Buf(Arc::new(bytes))
}

/// Writes a missing key or replaces an existing one (clearing its TTL unless
/// `keep_ttl`), as `setKey`. Also used to create keys: a key hidden as expired (on a
/// replica) is replaced rather than duplicated.
fn store(srv: &mut Server, db: usize, key: &[u8], value: Value, keep_ttl: bool) {
    let lru = srv.lru_clock();
    srv.dbs[db].set(key, value, lru, keep_ttl);
}

// ---------------------------------------------------------------------------------------
// GET, SET and friends
// ---------------------------------------------------------------------------------------

/// How an expire argument is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    /// Relative seconds.
    Ex,
    /// Relative milliseconds.
    Px,
    /// Absolute Unix time in seconds.
    ExAt,
    /// Absolute Unix time in milliseconds.
    PxAt,
}

impl ExpireKind {
    fn in_seconds(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::ExAt)
    }

    fn is_relative(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::Px)
    }
}

/// The options of SET (NX XX GET KEEPTTL EX PX EXAT PXAT) and GETEX (PERSIST EX PX EXAT
/// PXAT), as `parseExtendedStringArgumentsOrReply` accepts them.
#[derive(Debug, Default, Clone, Copy)]
struct StringOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    /// The kind of expire given and the index of its argument.
    expire: Option<(ExpireKind, usize)>,
}

impl StringOptions {
    /// Whether an expire of `kind` may be added: KEEPTTL, PERSIST and the other expire
    /// kinds exclude it (the same kind may repeat; the last one wins).
    fn expire_allowed(&self, kind: ExpireKind) -> bool {
        !self.keep_ttl && !self.persist && self.expire.is_none_or(|(k, _)| k == kind)
    }
}

/// Which command's options are being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionsFor {
    Set,
    GetEx,
}

/// Parses the options of SET (from argument 3) or GETEX (from argument 2). Conflicting
/// or unknown options and an expire without its argument are a syntax error.
fn parse_string_options(
    argv: &[Vec<u8>],
    target: OptionsFor,
) -> Result<StringOptions, CommandError> {
    let set = target == OptionsFor::Set;
    let mut o = StringOptions::default();
    let mut j = if set { 3 } else { 2 };
    while j < argv.len() {
        let opt = argv[j].as_slice();
        let has_next = j + 1 < argv.len();
        let is = |name: &str| opt.eq_ignore_ascii_case(name.as_bytes());
        let expire = [
            ("ex", ExpireKind::Ex),
            ("px", ExpireKind::Px),
            ("exat", ExpireKind::ExAt),
            ("pxat", ExpireKind::PxAt),
        ]
        .into_iter()
        .find(|(name, _)| is(name))
        .map(|(_, kind)| kind);
        if set && is("nx") && !o.xx {
            o.nx = true;
        } else if set && is("xx") && !o.nx {
            o.xx = true;
        } else if set && is("get") {
            o.get = true;
        } else if set && is("keepttl") && !o.persist && o.expire.is_none() {
            o.keep_ttl = true;
        } else if !set && is("persist") && !o.keep_ttl && o.expire.is_none() {
            o.persist = true;
        } else if let Some(kind) = expire.filter(|&k| has_next && o.expire_allowed(k)) {
            o.expire = Some((kind, j + 1));
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// Converts an expire argument to an absolute time in ms, as `getExpireMillisecondsOrReply`:
/// not an integer is NotInteger; zero, negative or overflowing is "invalid expire time in
/// '<cmd>' command".
fn expire_at_ms(
    arg: &[u8],
    kind: ExpireKind,
    now_ms: i64,
    cmd: &'static str,
) -> Result<i64, CommandError> {
    let invalid = CommandError::InvalidExpireTime(cmd);
    let mut ms = parse_int(arg)?;
    if ms <= 0 || (kind.in_seconds() && ms > i64::MAX / 1000) {
        return Err(invalid);
    }
    if kind.in_seconds() {
        ms *= 1000;
    }
    if kind.is_relative() {
        ms = ms.checked_add(now_ms).ok_or(invalid.clone())?;
    }
    if ms <= 0 {
        return Err(invalid);
    }
    Ok(ms)
}

/// The decimal form of `n` as an argument vector entry.
fn int_arg(n: i64) -> Vec<u8> {
    itoa_buf::Buffer::new().format(n).to_vec()
}

/// GET key
fn get(srv: &mut Server, c: &mut Client) -> CommandResult {
    get_generic(srv, c).map(|_| ())
}

/// Replies with the string at `argv[1]` (null if missing), as `getGenericCommand`;
/// returns whether the key was found. WRONGTYPE for another type.
fn get_generic(srv: &mut Server, c: &mut Client) -> Result<bool, CommandError> {
    match lookup_read(srv, c.db, &c.argv[1]) {
        None => {
            c.reply.null();
            Ok(false)
        }
        Some(v) => reply_string(&mut c.reply, v).map(|()| true),
    }
}

/// What SET-like commands answer when they set, and when NX/XX stops them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetReplies {
    /// `+OK` / null (SET, SETEX, PSETEX).
    OkOrNull,
    /// `:1` / `:0` (SETNX).
    OneOrZero,
}

/// What `set_generic` is asked to do.
struct SetRequest {
    opts: StringOptions,
    /// Index of the value argument.
    value: usize,
    /// Name used in the invalid-expire error.
    cmd: &'static str,
    replies: SetReplies,
}

/// The common path of SET, SETNX, SETEX and PSETEX (Redis's `setGenericCommand`).
fn set_generic(srv: &mut Server, c: &mut Client, req: SetRequest) -> CommandResult {
    let opts = req.opts;
    let expire_at = match opts.expire {
        Some((kind, idx)) => Some(expire_at_ms(&c.argv[idx], kind, srv.now_ms, req.cmd)?),
        None => None,
    };
    if opts.get {
        get_generic(srv, c)?;
    }
    let db = c.db;
    let found = exists_for_write(srv, db, &c.argv[1]);
    if (opts.nx && found) || (opts.xx && !found) {
        if !opts.get {
            match req.replies {
                SetReplies::OkOrNull => c.reply.null(),
                SetReplies::OneOrZero => c.reply.int(0),
            }
        }
        return Ok(());
    }
    store(
        srv,
        db,
        &c.argv[1],
        Value::string(&c.argv[req.value]),
        opts.keep_ttl,
    );
    srv.dirty += 1;
    srv.notify_key(c, notify::STRING, "set", 1);
    if let Some(when) = expire_at {
        srv.dbs[db].set_expire(&c.argv[1], when);
        srv.notify_key(c, notify::GENERIC, "expire", 1);
        let argv = vec![
            b"SET".to_vec(),
            c.argv[1].clone(),
            c.argv[req.value].clone(),
            b"PXAT".to_vec(),
            int_arg(when),
        ];
        c.rewrite_propagated(argv);
    } else if opts.get {
        // Propagate without the GET options (they may repeat).
        let argv = c
            .argv
            .iter()
            .enumerate()
            .filter(|(j, a)| *j < 3 || !a.eq_ignore_ascii_case(b"get"))
            .map(|(_, a)| a.clone())
            .collect();
        c.rewrite_propagated(argv);
    }
    if !opts.get {
        match req.replies {
            SetReplies::OkOrNull => c.reply.ok(),
            SetReplies::OneOrZero => c.reply.int(1),
        }
    }
    Ok(())
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
fn set(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = parse_string_options(&c.argv, OptionsFor::Set)?;
    let req = SetRequest {
        opts,
        value: 2,
        cmd: "set",
        replies: SetReplies::OkOrNull,
    };
    set_generic(srv, c, req)
}

/// SETNX key value
fn setnx(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = StringOptions {
        nx: true,
        ..StringOptions::default()
    };
    let req = SetRequest {
        opts,
        value: 2,
        cmd: "setnx",
        replies: SetReplies::OneOrZero,
    };
    set_generic(srv, c, req)
}

/// SETEX key seconds value
fn setex(srv: &mut Server, c: &mut Client) -> CommandResult {
    set_with_ttl(srv, c, ExpireKind::Ex, "setex")
}

/// PSETEX key milliseconds value
fn psetex(srv: &mut Server, c: &mut Client) -> CommandResult {
    set_with_ttl(srv, c, ExpireKind::Px, "psetex")
}

/// SETEX / PSETEX: a SET whose relative expire is argument 2 and value argument 3.
fn set_with_ttl(
    srv: &mut Server,
    c: &mut Client,
    kind: ExpireKind,
    cmd: &'static str,
) -> CommandResult {
    let opts = StringOptions {
        expire: Some((kind, 2)),
        ..StringOptions::default()
    };
    let req = SetRequest {
        opts,
        value: 3,
        cmd,
        replies: SetReplies::OkOrNull,
    };
    set_generic(srv, c, req)
}

/// GETSET key value: replies the old value, sets the new one (TTL cleared); propagated
/// as SET.
fn getset(srv: &mut Server, c: &mut Client) -> CommandResult {
    get_generic(srv, c)?;
    store(srv, c.db, &c.argv[1], Value::string(&c.argv[2]), false);
    srv.dirty += 1;
    srv.notify_key(c, notify::STRING, "set", 1);
    let argv = vec![b"SET".to_vec(), c.argv[1].clone(), c.argv[2].clone()];
    c.rewrite_propagated(argv);
    Ok(())
}

/// GETDEL key: replies the value and deletes the key; propagated as DEL.
fn getdel(srv: &mut Server, c: &mut Client) -> CommandResult {
    if get_generic(srv, c)? && srv.dbs[c.db].remove(&c.argv[1]).is_some() {
        srv.dirty += 1;
        srv.notify_key(c, notify::GENERIC, "del", 1);
        let argv = vec![b"DEL".to_vec(), c.argv[1].clone()];
        c.rewrite_propagated(argv);
    }
    Ok(())
}

/// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]: replies the value and changes its
/// TTL; propagated as PEXPIREAT, PERSIST, or DEL when the absolute time has passed.
fn getex(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = parse_string_options(&c.argv, OptionsFor::GetEx)?;
    let now = srv.now_ms;
    let db = c.db;
    let Some(v) = lookup_read(srv, db, &c.argv[1]) else {
        c.reply.null();
        return Ok(());
    };
    if !v.is_string() {
        return Err(CommandError::WrongType);
    }
    let expire = match opts.expire {
        Some((kind, idx)) => Some((kind, expire_at_ms(&c.argv[idx], kind, now, "getex")?)),
        None => None,
    };
    reply_string(&mut c.reply, v)?;
    let key = &c.argv[1];
    let on_master = srv.expire_mode == crate::db::ExpireMode::Delete;
    let (event, rewrite) = match expire {
        Some((kind, when)) if !kind.is_relative() && when <= now && on_master => {
            srv.dbs[db].remove(key);
            ("del", vec![b"DEL".to_vec(), key.clone()])
        }
        Some((_, when)) => {
            srv.dbs[db].set_expire(key, when);
            let argv = vec![b"PEXPIREAT".to_vec(), key.clone(), int_arg(when)];
            ("expire", argv)
        }
        None if opts.persist && srv.dbs[db].persist(key) => {
            ("persist", vec![b"PERSIST".to_vec(), key.clone()])
        }
        None => return Ok(()),
    };
    srv.dirty += 1;
    srv.notify_key(c, notify::GENERIC, event, 1);
    c.rewrite_propagated(rewrite);
    Ok(())
}

/// MGET key [key ...]: one bulk per key; null for a missing key or another type.
fn mget(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(c.argc() - 1);
    for j in 1..c.argc() {
        match lookup_read(srv, c.db, &c.argv[j]) {
            Some(v) if v.is_string() => reply_string(&mut c.reply, v)?,
            _ => c.reply.null(),
        }
    }
    Ok(())
}

/// MSET key value [key value ...]
fn mset(srv: &mut Server, c: &mut Client) -> CommandResult {
    mset_generic(srv, c, false)
}

/// MSETNX key value [key value ...]: sets nothing if any key exists.
fn msetnx(srv: &mut Server, c: &mut Client) -> CommandResult {
    mset_generic(srv, c, true)
}

/// MSET and MSETNX: an even number of arguments after the name is an arity error.
fn mset_generic(srv: &mut Server, c: &mut Client, nx: bool) -> CommandResult {
    if c.argc().is_multiple_of(2) {
        let name = if nx { "msetnx" } else { "mset" };
        return Err(CommandError::WrongArity(name.to_string()));
    }
    let db = c.db;
    if nx {
        for j in (1..c.argc()).step_by(2) {
            if exists_for_write(srv, db, &c.argv[j]) {
                c.reply.int(0);
                return Ok(());
            }
        }
    }
    let (now, mode) = (srv.now_ms, srv.expire_mode);
    for j in (1..c.argc()).step_by(2) {
        // As Redis's setKey, an expired key is removed (and reported) before it is
        // replaced; MSETNX already looked every key up.
        if !nx {
            srv.dbs[db].expire_if_needed(&c.argv[j], now, mode);
        }
        store(srv, db, &c.argv[j], Value::string(&c.argv[j + 1]), false);
        srv.notify_key(c, notify::STRING, "set", j);
    }
    srv.dirty += (c.argc() as u64 - 1) / 2;
    if nx {
        c.reply.int(1);
    } else {
        c.reply.ok();
    }
    Ok(())
}

/// APPEND key value: replies the new length.
fn append(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let max = srv.config.proto_max_bulk_len;
    let total = match lookup_write(srv, db, &c.argv[1]) {
        None => {
            let lru = srv.lru_clock();
            srv.dbs[db].set(&c.argv[1], Value::string(&c.argv[2]), lru, false);
            c.argv[2].len()
        }
        Some(obj) => {
            let len = string_len(&obj.value)?;
            check_string_length(max, len as u64, c.argv[2].len() as u64)?;
            let buf = obj.value.string_buf_mut();
            buf.extend_from_slice(&c.argv[2]);
            buf.len()
        }
    };
    srv.notify_key(c, notify::STRING, "append", 1);
    srv.dirty += 1;
    c.reply.int(total as i64);
    Ok(())
}

/// STRLEN key: 0 for a missing key.
fn strlen(srv: &mut Server, c: &mut Client) -> CommandResult {
    let len = match lookup_read(srv, c.db, &c.argv[1]) {
        None => 0,
        Some(v) => string_len(v)?,
    };
    c.reply.int(len as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------

/// The integer a string value holds: WRONGTYPE for other types, NotInteger for strings
/// that are not a canonical 64-bit integer.
fn stored_int(v: &Value) -> Result<i64, CommandError> {
    if let Value::Int(n) = v {
        return Ok(*n);
    }
    let mut scratch = itoa_buf::Buffer::new();
    parse_int(string_of(v, &mut scratch)?)
}

/// Adds `incr` to the integer at `argv[1]` (0 if missing) and replies the result, as
/// `incrDecrCommand`. The TTL is kept.
fn incr_decr(srv: &mut Server, c: &mut Client, incr: i64) -> CommandResult {
    let db = c.db;
    let lru = srv.lru_clock();
    let value = match lookup_write(srv, db, &c.argv[1]) {
        Some(obj) => {
            let old = stored_int(&obj.value)?;
            let new = old.checked_add(incr).ok_or(CommandError::IncrOverflow)?;
            obj.value = Value::Int(new);
            obj.lru = lru;
            new
        }
        None => {
            srv.dbs[db].set(&c.argv[1], Value::Int(incr), lru, false);
            incr
        }
    };
    // INCR, DECR, INCRBY and DECRBY all report `incrby`.
    srv.notify_key(c, notify::STRING, "incrby", 1);
    srv.dirty += 1;
    c.reply.int(value);
    Ok(())
}

/// INCR key
fn incr(srv: &mut Server, c: &mut Client) -> CommandResult {
    incr_decr(srv, c, 1)
}

/// DECR key
fn decr(srv: &mut Server, c: &mut Client) -> CommandResult {
    incr_decr(srv, c, -1)
}

/// INCRBY key increment
fn incrby(srv: &mut Server, c: &mut Client) -> CommandResult {
    let by = parse_int(&c.argv[2])?;
    incr_decr(srv, c, by)
}

/// DECRBY key decrement
fn decrby(srv: &mut Server, c: &mut Client) -> CommandResult {
    let by = parse_int(&c.argv[2])?;
    if by == i64::MIN {
        return Err(CommandError::Err("decrement would overflow"));
    }
    incr_decr(srv, c, -by)
}

/// INCRBYFLOAT key increment: long-double arithmetic as Redis; the result is stored as a
/// plain string (TTL kept) and propagated as `SET key <result> KEEPTTL`.
fn incrbyfloat(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let current = match lookup_write(srv, db, &c.argv[1]) {
        Some(obj) => Some(obj.value.to_string_vec().ok_or(CommandError::WrongType)?),
        None => None,
    };
    let text = numbers::incr_by_float(current.as_deref(), &c.argv[2]).map_err(|e| match e {
        FloatIncrError::NotAFloat => CommandError::NotFloat,
        FloatIncrError::NanOrInfinity => CommandError::IncrNanOrInfinity,
    })?;
    let bytes = text.into_bytes();
    // Redis stores the result as a string object, never with the integer encoding; an
    // existing key keeps its TTL.
    let value = Value::Str(SmallBytes::new(&bytes));
    store(srv, db, &c.argv[1], value, current.is_some());
    srv.notify_key(c, notify::STRING, "incrbyfloat", 1);
    srv.dirty += 1;
    c.reply.bulk(&bytes);
    let argv = vec![
        b"SET".to_vec(),
        c.argv[1].clone(),
        bytes,
        b"KEEPTTL".to_vec(),
    ];
    c.rewrite_propagated(argv);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------

/// The byte range `start..=end` (inclusive, negative = from the end) of a string of
/// `len` bytes, clamped as GETRANGE does; None when it is empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    if (start < 0 && end < 0 && start > end) || len == 0 {
        return None;
    }
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end }.clamp(0, len - 1);
    (start <= end).then_some((start as usize, end as usize))
}

/// GETRANGE key start end (also SUBSTR): empty bulk for a missing key or empty range.
fn getrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    let start = parse_int(&c.argv[2])?;
    let end = parse_int(&c.argv[3])?;
    let Some(v) = lookup_read(srv, c.db, &c.argv[1]) else {
        c.reply.bulk(b"");
        return Ok(());
    };
    let mut scratch = itoa_buf::Buffer::new();
    let s = string_of(v, &mut scratch)?;
    match clamp_range(start, end, s.len()) {
        Some((from, to)) => c.reply.bulk(&s[from..=to]),
        None => c.reply.bulk(b""),
    }
    Ok(())
}

/// SETRANGE key offset value: writes `value` at `offset`, zero-padding; replies the new
/// length.
fn setrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    let offset = parse_int(&c.argv[2])?;
    if offset < 0 {
        return Err(CommandError::Err("offset is out of range"));
    }
    let offset = offset as usize;
    let db = c.db;
    let max = srv.config.proto_max_bulk_len;
    let lru = srv.lru_clock();
    let value = &c.argv[3];
    let end = offset + value.len();
    let new_len = match lookup_write(srv, db, &c.argv[1]) {
        Some(obj) => {
            let len = string_len(&obj.value)?;
            if value.is_empty() {
                c.reply.int(len as i64);
                return Ok(());
            }
            check_string_length(max, offset as u64, value.len() as u64)?;
            let buf = obj.value.string_buf_mut();
            if buf.len() < end {
                buf.resize(end, 0);
            }
            buf[offset..end].copy_from_slice(value);
            obj.lru = lru;
            buf.len()
        }
        None => {
            if value.is_empty() {
                c.reply.int(0);
                return Ok(());
            }
            check_string_length(max, offset as u64, value.len() as u64)?;
            let mut bytes = vec![0u8; end];
            bytes[offset..].copy_from_slice(value);
            srv.dbs[db].set(&c.argv[1], raw_string(bytes), lru, false);
            end
        }
    };
    srv.notify_key(c, notify::STRING, "setrange", 1);
    srv.dirty += 1;
    c.reply.int(new_len as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------

/// The options of LCS.
#[derive(Debug, Default)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: i64,
}

/// Parses the options of LCS (from argument 3).
fn parse_lcs_options(argv: &[Vec<u8>]) -> Result<LcsOptions, CommandError> {
    let mut o = LcsOptions::default();
    let mut j = 3;
    while j < argv.len() {
        let opt = argv[j].as_slice();
        if opt.eq_ignore_ascii_case(b"idx") {
            o.idx = true;
        } else if opt.eq_ignore_ascii_case(b"len") {
            o.len = true;
        } else if opt.eq_ignore_ascii_case(b"withmatchlen") {
            o.with_match_len = true;
        } else if opt.eq_ignore_ascii_case(b"minmatchlen") && j + 1 < argv.len() {
            o.min_match_len = parse_int(&argv[j + 1])?.max(0);
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    if o.len && o.idx {
        return Err(CommandError::Err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    Ok(o)
}

/// The string at `key` for LCS: empty if missing, None if it is another type.
fn lcs_operand(srv: &mut Server, db: usize, key: &[u8]) -> Option<Vec<u8>> {
    match lookup_read(srv, db, key) {
        None => Some(Vec::new()),
        Some(v) => v.to_string_vec(),
    }
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
fn lcs_cmd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let a = lcs_operand(srv, db, &c.argv[1]);
    let b = lcs_operand(srv, db, &c.argv[2]);
    let (Some(a), Some(b)) = (a, b) else {
        return Err(CommandError::Err(
            "The specified keys must contain string values",
        ));
    };
    let opts = parse_lcs_options(&c.argv)?;
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(CommandError::Err("String too long for LCS"));
    }
    if lcs::lcs_table_bytes(a.len(), b.len()) > u128::from(srv.config.proto_max_bulk_len) {
        return Err(CommandError::Err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    if opts.idx {
        let found = lcs::lcs_with_min_len(&a, &b, opts.min_match_len as u64);
        reply_lcs_idx(&mut c.reply, &found, opts.with_match_len);
    } else if opts.len {
        c.reply.int(lcs::lcs_len(&a, &b) as i64);
    } else {
        c.reply.bulk(&lcs::lcs(&a, &b).lcs);
    }
    Ok(())
}

/// Writes LCS's IDX reply: the matching runs (from the ends of the strings back) and
/// the LCS length.
fn reply_lcs_idx(reply: &mut ReplyBuf, found: &lcs::LcsResult, with_match_len: bool) {
    reply.map_len(2);
    reply.bulk(b"matches");
    reply.array_len(found.matches.len());
    for m in &found.matches {
        reply.array_len(2 + usize::from(with_match_len));
        for (start, end) in [m.a, m.b] {
            reply.array_len(2);
            reply.int(start as i64);
            reply.int(end as i64);
        }
        if with_match_len {
            reply.int(m.len as i64);
        }
    }
    reply.bulk(b"len");
    reply.int(found.len as i64);
}

/// An in-process server and client for unit tests of the string and bitmap families:
/// commands run through their table rows, and what they would propagate is visible.
#[cfg(test)]
pub(super) mod harness {
    use crate::config::Config;
    use crate::server::{Client, Conn, Server};

    /// A server without listeners and one client connected to nothing.
    pub struct Harness {
        pub srv: Server,
        pub c: Client,
    }

    /// What one command did: its reply bytes, what it propagated (None = nothing), and
    /// by how much `dirty` grew.
    #[derive(Debug)]
    pub struct Outcome {
        pub reply: Vec<u8>,
        pub propagated: Option<Vec<String>>,
        pub dirty: u64,
    }

    impl Harness {
        pub fn new() -> Harness {
            let mut config = Config::default();
            config.port = 0;
            let srv = Server::new(config).expect("a server without listeners");
            let (sock, _peer) = mio::net::UnixStream::pair().expect("socket pair");
            let mut c = Client::new(1, 0, Conn::Unix(sock), String::new(), String::new(), 0);
            c.authenticated = true;
            Harness { srv, c }
        }

        /// Runs `words` as one request, as the call path does (minus the socket).
        pub fn run(&mut self, words: &[&str]) -> Outcome {
            let (srv, c) = (&mut self.srv, &mut self.c);
            c.argv = words.iter().map(|w| w.as_bytes().to_vec()).collect();
            c.reply.buf.clear();
            c.propagate_argv = None;
            srv.now_ms = crate::util::time::now_ms();
            let id = srv.commands.lookup(&c.argv[0]).expect("a known command");
            let spec = srv.commands.spec(id);
            assert!(
                crate::commands::table::arity_ok(spec.arity, c.argc()),
                "arity of {:?}",
                words
            );
            let dirty_before = srv.dirty;
            if let Err(e) = (spec.handler)(srv, c) {
                c.reply.error(&e);
            }
            let dirty = srv.dirty - dirty_before;
            let to_text = |argv: &Vec<Vec<u8>>| {
                argv.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
            };
            let propagated = match (dirty, &c.propagate_argv) {
                (0, _) => None,
                (_, Some(argv)) => Some(to_text(argv)),
                (_, None) => Some(to_text(&c.argv)),
            };
            Outcome {
                reply: c.reply.buf.clone(),
                propagated,
                dirty,
            }
        }

        /// The reply bytes of `words`, as text.
        pub fn reply(&mut self, words: &[&str]) -> String {
            String::from_utf8_lossy(&self.run(words).reply).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::harness::Harness;
    use super::*;

    /// The propagated form as one space-separated line.
    fn line(words: Option<Vec<String>>) -> Option<String> {
        words.map(|w| w.join(" "))
    }

    #[test]
    fn set_with_relative_expire_propagates_pxat() {
        let mut h = Harness::new();
        let before = crate::util::time::now_ms();
        let out = h.run(&["set", "k", "v", "ex", "100", "nx"]);
        assert_eq!(out.reply, b"+OK\r\n");
        assert_eq!(out.dirty, 1);
        let argv = out.propagated.expect("propagated");
        assert_eq!(argv[..4], ["SET", "k", "v", "PXAT"]);
        let when: i64 = argv[4].parse().expect("a number");
        assert!(
            (before + 100_000..before + 101_000).contains(&when),
            "{when}"
        );
        assert_eq!(h.srv.dbs[0].expire_of(b"k"), Some(when));
        let out = h.run(&["set", "k", "w", "pxat", "99999999999999", "get", "xx"]);
        assert_eq!(out.reply, b"$1\r\nv\r\n");
        assert_eq!(
            line(out.propagated).as_deref(),
            Some("SET k w PXAT 99999999999999")
        );
    }

    #[test]
    fn set_get_drops_get_and_keeps_other_options() {
        let mut h = Harness::new();
        let out = h.run(&["set", "k", "v", "GET", "keepttl", "get"]);
        assert_eq!(out.reply, b"$-1\r\n");
        assert_eq!(line(out.propagated).as_deref(), Some("set k v keepttl"));
        let out = h.run(&["set", "k", "get", "nx", "get"]);
        assert_eq!(out.reply, b"$1\r\nv\r\n");
        assert_eq!((out.dirty, out.propagated), (0, None));
        let out = h.run(&["set", "k", "x", "xx"]);
        assert_eq!(line(out.propagated).as_deref(), Some("set k x xx"));
    }

    #[test]
    fn variants_propagate_deterministically() {
        let mut h = Harness::new();
        let out = h.run(&["setex", "a", "10", "v"]);
        let argv = out.propagated.expect("propagated");
        assert_eq!(argv[..4], ["SET", "a", "v", "PXAT"]);
        let out = h.run(&["psetex", "b", "10", "v"]);
        assert_eq!(
            out.propagated.expect("propagated")[..4],
            ["SET", "b", "v", "PXAT"]
        );
        assert_eq!(
            line(h.run(&["getset", "a", "w"]).propagated).as_deref(),
            Some("SET a w")
        );
        assert_eq!(h.srv.dbs[0].expire_of(b"a"), None, "GETSET clears the TTL");
        assert_eq!(
            line(h.run(&["getdel", "a"]).propagated).as_deref(),
            Some("DEL a")
        );
        assert_eq!(h.run(&["getdel", "a"]).propagated, None);
        let out = h.run(&["getex", "b", "exat", "99999999999"]);
        assert_eq!(
            line(out.propagated).as_deref(),
            Some("PEXPIREAT b 99999999999000")
        );
        assert_eq!(
            line(h.run(&["getex", "b", "persist"]).propagated).as_deref(),
            Some("PERSIST b")
        );
        assert_eq!(
            h.run(&["getex", "b", "persist"]).propagated,
            None,
            "no TTL left"
        );
        assert_eq!(h.run(&["getex", "b"]).propagated, None);
        let out = h.run(&["getex", "b", "pxat", "1"]);
        assert_eq!(out.reply, b"$1\r\nv\r\n");
        assert_eq!(line(out.propagated).as_deref(), Some("DEL b"));
        assert!(!h.srv.dbs[0].dict.contains_key(b"b"));
        let out = h.run(&["incrbyfloat", "f", "1.5"]);
        assert_eq!(line(out.propagated).as_deref(), Some("SET f 1.5 KEEPTTL"));
        let out = h.run(&["incrbyfloat", "f", "0.1"]);
        assert_eq!(line(out.propagated).as_deref(), Some("SET f 1.6 KEEPTTL"));
        assert_eq!(
            line(h.run(&["incr", "n"]).propagated).as_deref(),
            Some("incr n")
        );
    }

    #[test]
    fn dirty_counts_changes() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["mset", "a", "1", "b", "2", "c", "3"]).dirty, 3);
        assert_eq!(h.run(&["msetnx", "a", "1", "d", "2"]).dirty, 0);
        assert_eq!(h.run(&["msetnx", "d", "1", "e", "2"]).dirty, 2);
        assert_eq!(h.run(&["setrange", "a", "0", ""]).dirty, 0);
        assert_eq!(h.run(&["setrange", "a", "0", "x"]).dirty, 1);
        assert_eq!(h.run(&["append", "a", ""]).dirty, 1);
        assert_eq!(h.run(&["incr", "zz"]).dirty, 1);
        assert_eq!(h.run(&["incrby", "a", "1"]).dirty, 0, "not an integer");
        assert_eq!(h.run(&["set", "b", "1", "xx", "ex", "0"]).dirty, 0);
        assert_eq!(h.run(&["setnx", "b", "1"]).dirty, 0);
    }

    #[test]
    fn reads_count_keyspace_hits_and_misses() {
        let mut h = Harness::new();
        h.run(&["set", "a", "1"]);
        h.run(&["mget", "a", "nokey", "a"]);
        h.run(&["get", "nokey"]);
        h.run(&["strlen", "a"]);
        h.run(&["getrange", "a", "0", "1"]);
        h.run(&["lcs", "a", "nokey"]);
        let stats = &h.srv.stats;
        assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (5, 3));
        // Writes look keys up without counting.
        h.run(&["incr", "a"]);
        h.run(&["append", "nokey", "x"]);
        h.run(&["setrange", "a", "0", "5"]);
        let stats = &h.srv.stats;
        assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (5, 3));
        // GET-like writes count their read.
        h.run(&["getset", "a", "2"]);
        h.run(&["getdel", "nokey2"]);
        h.run(&["getex", "a"]);
        h.run(&["set", "a", "3", "get"]);
        let stats = &h.srv.stats;
        assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (8, 4));
    }

    #[test]
    fn encodings_follow_redis() {
        let mut h = Harness::new();
        let enc = |h: &mut Harness, k: &str| {
            h.srv.dbs[0]
                .dict
                .get(k.as_bytes())
                .map(|o| o.value.encoding_name())
        };
        h.run(&["set", "a", "123"]);
        assert_eq!(enc(&mut h, "a"), Some("int"));
        h.run(&["append", "a", "4"]);
        assert_eq!(enc(&mut h, "a"), Some("raw"));
        h.run(&["incr", "a"]);
        assert_eq!(enc(&mut h, "a"), Some("int"));
        h.run(&["setrange", "b", "0", "12"]);
        assert_eq!(enc(&mut h, "b"), Some("raw"));
        h.run(&["incrbyfloat", "c", "2"]);
        assert_eq!(enc(&mut h, "c"), Some("embstr"));
        h.run(&["append", "d", "77"]);
        assert_eq!(enc(&mut h, "d"), Some("int"));
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn set_options_conflicts_are_syntax_errors() {
        let bad = [
            "set k v nx xx",
            "set k v ex 1 px 1",
            "set k v ex 1 keepttl",
            "set k v keepttl pxat 1",
            "set k v ex",
            "set k v persist",
            "set k v foo",
        ];
        for line in bad {
            let words: Vec<&str> = line.split(' ').collect();
            assert!(
                parse_string_options(&argv(&words), OptionsFor::Set).is_err(),
                "{line}"
            );
        }
        let o = parse_string_options(
            &argv(&[
                "set", "k", "v", "NX", "nx", "GET", "get", "EX", "1", "ex", "2",
            ]),
            OptionsFor::Set,
        )
        .expect("repeats are fine");
        assert!(o.nx && o.get && !o.xx);
        assert_eq!(o.expire, Some((ExpireKind::Ex, 10)));
    }

    #[test]
    fn getex_options() {
        assert!(parse_string_options(&argv(&["getex", "k", "nx"]), OptionsFor::GetEx).is_err());
        assert!(parse_string_options(
            &argv(&["getex", "k", "persist", "ex", "1"]),
            OptionsFor::GetEx
        )
        .is_err());
        assert!(
            parse_string_options(&argv(&["getex", "k", "keepttl"]), OptionsFor::GetEx).is_err()
        );
        let o = parse_string_options(&argv(&["getex", "k", "pxat", "5"]), OptionsFor::GetEx)
            .expect("valid");
        assert_eq!(o.expire, Some((ExpireKind::PxAt, 3)));
    }

    #[test]
    fn expire_times() {
        assert_eq!(expire_at_ms(b"10", ExpireKind::Ex, 1000, "set"), Ok(11_000));
        assert_eq!(expire_at_ms(b"10", ExpireKind::Px, 1000, "set"), Ok(1010));
        assert_eq!(
            expire_at_ms(b"10", ExpireKind::ExAt, 1000, "set"),
            Ok(10_000)
        );
        assert_eq!(expire_at_ms(b"10", ExpireKind::PxAt, 1000, "set"), Ok(10));
        let invalid = Err(CommandError::InvalidExpireTime("set"));
        assert_eq!(expire_at_ms(b"0", ExpireKind::Ex, 1000, "set"), invalid);
        assert_eq!(expire_at_ms(b"-5", ExpireKind::PxAt, 1000, "set"), invalid);
        assert_eq!(
            expire_at_ms(b"9223372036854775807", ExpireKind::Px, 1000, "set"),
            invalid
        );
        assert_eq!(
            expire_at_ms(b"9223372036854775", ExpireKind::Ex, 1000, "set"),
            invalid
        );
        assert_eq!(
            expire_at_ms(b"x", ExpireKind::Ex, 1000, "set"),
            Err(CommandError::NotInteger)
        );
    }

    #[test]
    fn ranges_clamp_like_getrange() {
        assert_eq!(clamp_range(0, -1, 5), Some((0, 4)));
        assert_eq!(clamp_range(-3, -1, 5), Some((2, 4)));
        assert_eq!(clamp_range(-1, -3, 5), None);
        assert_eq!(clamp_range(3, 1, 5), None);
        assert_eq!(clamp_range(-100, 100, 5), Some((0, 4)));
        assert_eq!(clamp_range(0, 0, 0), None);
        assert_eq!(clamp_range(5, 10, 5), None);
    }
}
