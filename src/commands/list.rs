//! List commands, as Redis's `t_list.c`: pushes and pops at both ends (LPUSH RPUSH
//! LPUSHX RPUSHX LPOP RPOP LMPOP), reads (LLEN LRANGE LINDEX LPOS), edits (LSET LINSERT
//! LREM LTRIM), moves (LMOVE RPOPLPUSH) and the blocking forms (BLPOP BRPOP BLMOVE
//! BRPOPLPUSH BLMPOP) built on `server::blocking`.
//!
//! Every write adds the number of elements it changed to `srv.dirty`; an emptied list is
//! deleted. Writes publish the keyspace events t_list.c does, in its order: the
//! command's list event when something changed (LTRIM: always), then a generic `del`
//! for an emptied list (a move: the push on the destination, then the pop on the source).
//!
//! Pops served by a blocking command propagate as the non-blocking command that ran
//! (BLPOP -> LPOP key, BLMPOP -> LPOP key count, BLMOVE -> LMOVE), and publish the
//! events of that command, from the same code.

use std::sync::Arc;

use super::flags::*;
use super::keys::read_as;
use super::string::lookup_write;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::blocking::{self, block_for_keys, TimeoutReply};
use crate::server::{Client, Server};
use crate::types::list::{Elem, Probe};
use crate::types::{EncodingLimits, List, Object, Value};
use crate::util::numbers::parse_i64;

/// Keys of BLPOP/BRPOP: every argument but the name and the trailing timeout.
const BPOP_KEYS: Keys = Keys {
    first: 1,
    last: -2,
    step: 1,
};

/// The list family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lpush", lpush, -3, WRITE | DENYOOM | FAST, Keys::ONE, "list", "1.0.0", "Prepend one or multiple elements to a list")
        .with_complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."),
    CommandSpec::new("rpush", rpush, -3, WRITE | DENYOOM | FAST, Keys::ONE, "list", "1.0.0", "Append one or multiple elements to a list")
        .with_complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."),
    CommandSpec::new("lpushx", lpushx, -3, WRITE | DENYOOM | FAST, Keys::ONE, "list", "2.2.0", "Prepend an element to a list, only if the list exists")
        .with_complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."),
    CommandSpec::new("rpushx", rpushx, -3, WRITE | DENYOOM | FAST, Keys::ONE, "list", "2.2.0", "Append an element to a list, only if the list exists")
        .with_complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."),
    CommandSpec::new("lpop", lpop, -2, WRITE | FAST, Keys::ONE, "list", "1.0.0", "Remove and get the first elements in a list")
        .with_complexity("O(N) where N is the number of elements returned"),
    CommandSpec::new("rpop", rpop, -2, WRITE | FAST, Keys::ONE, "list", "1.0.0", "Remove and get the last elements in a list")
        .with_complexity("O(N) where N is the number of elements returned"),
    CommandSpec::new("llen", llen, 2, READONLY | FAST, Keys::ONE, "list", "1.0.0", "Get the length of a list")
        .with_complexity("O(1)"),
    CommandSpec::new("lrange", lrange, 4, READONLY, Keys::ONE, "list", "1.0.0", "Get a range of elements from a list")
        .with_complexity("O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range."),
    CommandSpec::new("lindex", lindex, 3, READONLY, Keys::ONE, "list", "1.0.0", "Get an element from a list by its index")
        .with_complexity("O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)."),
    CommandSpec::new("lset", lset, 4, WRITE | DENYOOM, Keys::ONE, "list", "1.0.0", "Set the value of an element in a list by its index")
        .with_complexity("O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)."),
    CommandSpec::new("linsert", linsert, 5, WRITE | DENYOOM, Keys::ONE, "list", "2.2.0", "Insert an element before or after another element in a list")
        .with_complexity("O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)."),
    CommandSpec::new("lrem", lrem, 4, WRITE, Keys::ONE, "list", "1.0.0", "Remove elements from a list")
        .with_complexity("O(N+M) where N is the length of the list and M is the number of elements removed."),
    CommandSpec::new("ltrim", ltrim, 4, WRITE, Keys::ONE, "list", "1.0.0", "Trim a list to the specified range")
        .with_complexity("O(N) where N is the number of elements to be removed by the operation."),
    CommandSpec::new("lpos", lpos, -3, READONLY, Keys::ONE, "list", "6.0.6", "Return the index of matching elements on a list")
        .with_complexity("O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time."),
    CommandSpec::new("lmove", lmove, 5, WRITE | DENYOOM, Keys::TWO, "list", "6.2.0", "Pop an element from a list, push it to another list and return it")
        .with_complexity("O(1)"),
    CommandSpec::new("rpoplpush", rpoplpush, 3, WRITE | DENYOOM, Keys::TWO, "list", "1.2.0", "Remove the last element in a list, prepend it to another list and return it")
        .with_complexity("O(1)"),
    CommandSpec::new("lmpop", lmpop, -4, WRITE, Keys::NONE, "list", "7.0.0", "Pop elements from a list")
        .with_complexity("O(N+M) where N is the number of provided keys and M is the number of elements returned."),
    CommandSpec::new("blpop", blpop, -3, WRITE | NOSCRIPT | BLOCKING, BPOP_KEYS, "list", "2.0.0", "Remove and get the first element in a list, or block until one is available")
        .with_complexity("O(N) where N is the number of provided keys."),
    CommandSpec::new("brpop", brpop, -3, WRITE | NOSCRIPT | BLOCKING, BPOP_KEYS, "list", "2.0.0", "Remove and get the last element in a list, or block until one is available")
        .with_complexity("O(N) where N is the number of provided keys."),
    CommandSpec::new("blmove", blmove, 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Keys::TWO, "list", "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available")
        .with_complexity("O(1)"),
    CommandSpec::new("brpoplpush", brpoplpush, 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Keys::TWO, "list", "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available")
        .with_complexity("O(1)"),
    CommandSpec::new("blmpop", blmpop, -5, WRITE | BLOCKING, Keys::NONE, "list", "7.0.0", "Pop elements from a list, or block until one is available")
        .with_complexity("O(N+M) where N is the number of provided keys and M is the number of elements returned."),
];

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Head,
    Tail,
}

impl End {
    /// LEFT or RIGHT (any case), else a syntax error.
    fn parse(arg: &[u8]) -> Result<End, CommandError> {
        if arg.eq_ignore_ascii_case(b"left") {
            Ok(End::Head)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Ok(End::Tail)
        } else {
            Err(CommandError::Syntax)
        }
    }

    /// The non-blocking pop at this end, as propagated.
    fn pop_name(self) -> &'static [u8] {
        match self {
            End::Head => b"LPOP",
            End::Tail => b"RPOP",
        }
    }

    /// The keyspace event of a pop at this end.
    fn pop_event(self) -> &'static str {
        match self {
            End::Head => "lpop",
            End::Tail => "rpop",
        }
    }

    /// The keyspace event of a push at this end.
    fn push_event(self) -> &'static str {
        match self {
            End::Head => "lpush",
            End::Tail => "rpush",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The list in `obj` for writing (copied first if a snapshot shares it); WRONGTYPE for
/// another type.
fn list_mut(obj: &mut Object) -> Result<&mut List, CommandError> {
    match &mut obj.value {
        Value::List(l) => Ok(Arc::make_mut(l)),
        _ => Err(CommandError::WrongType),
    }
}

/// Whether `key` holds a value of another type than list (absent: false).
fn holds_other_type(srv: &mut Server, db: usize, key: &[u8]) -> bool {
    lookup_write(srv, db, key).is_some_and(|o| !matches!(o.value, Value::List(_)))
}

/// Stores a new list under `key` (the caller knows it is absent or hidden as expired).
fn store_new(srv: &mut Server, db: usize, key: &[u8], list: List) {
    let lru = srv.lru_clock();
    srv.dbs[db].set(key, Value::List(Arc::new(list)), lru, false);
}

/// Deletes `key` if its list became empty; returns whether it did.
fn delete_if_empty(srv: &mut Server, db: usize, key: &[u8]) -> bool {
    let empty = matches!(
        srv.dbs[db].dict.get(key).map(|o| &o.value),
        Some(Value::List(l)) if l.is_empty()
    );
    if empty {
        srv.dbs[db].remove(key);
    }
    empty
}

/// Publishes what a pop from `end` of `key` (in `c`'s database) did: the pop event,
/// then `del` if it emptied the list and so `deleted` it (Redis's
/// listElementsRemoved). Callers hold `key` apart from `c`, so nothing is copied.
fn notify_popped(srv: &mut Server, c: &mut Client, key: &[u8], end: End, deleted: bool) {
    let db = c.db;
    srv.notify_keyspace_event(c, notify::LIST, end.pop_event(), key, db);
    if deleted {
        srv.notify_keyspace_event(c, notify::GENERIC, "del", key, db);
    }
}

/// Replies with one element as a bulk string.
fn reply_elem(reply: &mut ReplyBuf, e: Elem<'_>) {
    match e {
        Elem::Int(n) => reply.bulk_int(n),
        Elem::Str(s) => reply.bulk(s),
    }
}

/// Parses an index or count argument (`getLongFromObjectOrReply`).
fn parse_long(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// Clamps Redis's start/end range arguments to a list of `len` elements; None when the
/// range is empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// Pops up to `count` elements from `end` of the list under `key` (which exists and is
/// a list), replying with them as an array; deletes the key if emptied and publishes
/// the pop (after the reply, as Redis). Returns how many were popped.
fn pop_many(
    srv: &mut Server,
    c: &mut Client,
    key: &[u8],
    end: End,
    count: usize,
) -> Result<usize, CommandError> {
    let db = c.db;
    let obj = lookup_write(srv, db, key).ok_or(CommandError::NoSuchKey)?;
    let list = list_mut(obj)?;
    let n = count.min(list.len());
    c.reply.array_len(n);
    for _ in 0..n {
        let v = match end {
            End::Head => list.pop_front(),
            End::Tail => list.pop_back(),
        };
        if let Some(v) = v {
            c.reply.bulk(&v);
        }
    }
    let deleted = delete_if_empty(srv, db, key);
    notify_popped(srv, c, key, end, deleted);
    srv.dirty += n as u64;
    Ok(n)
}

/// Pops one element from `end` of the list under `key` (a non-empty list); deletes the
/// key if emptied. Returns the element and whether the key was deleted; the caller
/// publishes the events, where Redis does relative to its reply.
fn pop_one(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    end: End,
) -> Result<Option<(Vec<u8>, bool)>, CommandError> {
    let Some(obj) = lookup_write(srv, db, key) else {
        return Ok(None);
    };
    let list = list_mut(obj)?;
    let v = match end {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    };
    let deleted = delete_if_empty(srv, db, key);
    if v.is_some() {
        srv.dirty += 1;
    }
    Ok(v.map(|v| (v, deleted)))
}

// ---------------------------------------------------------------------------------------
// Push
// ---------------------------------------------------------------------------------------

/// LPUSH/RPUSH/LPUSHX/RPUSHX: pushes every element in order; the X forms only act on an
/// existing list. Replies with the new length.
fn push_generic(srv: &mut Server, c: &mut Client, end: End, only_existing: bool) -> CommandResult {
    let db = c.db;
    let values = &c.argv[2..];
    let push = |l: &mut List| {
        for v in values {
            match end {
                End::Head => l.push_front(v),
                End::Tail => l.push_back(v),
            }
        }
        l.len()
    };
    let len = match lookup_write(srv, db, &c.argv[1]) {
        Some(obj) => push(list_mut(obj)?),
        None if only_existing => {
            c.reply.int(0);
            return Ok(());
        }
        None => {
            let mut l = List::new(&EncodingLimits::from_config(&srv.config));
            let len = push(&mut l);
            store_new(srv, db, &c.argv[1], l);
            len
        }
    };
    srv.dirty += values.len() as u64;
    c.reply.int(len as i64);
    srv.notify_key(c, notify::LIST, end.push_event(), 1);
    Ok(())
}

fn lpush(srv: &mut Server, c: &mut Client) -> CommandResult {
    push_generic(srv, c, End::Head, false)
}

fn rpush(srv: &mut Server, c: &mut Client) -> CommandResult {
    push_generic(srv, c, End::Tail, false)
}

fn lpushx(srv: &mut Server, c: &mut Client) -> CommandResult {
    push_generic(srv, c, End::Head, true)
}

fn rpushx(srv: &mut Server, c: &mut Client) -> CommandResult {
    push_generic(srv, c, End::Tail, true)
}

// ---------------------------------------------------------------------------------------
// Pop
// ---------------------------------------------------------------------------------------

/// LPOP/RPOP key [count]: one element as a bulk string, or with a count an array of up
/// to count elements (a missing key answers null / null array).
fn pop_generic(srv: &mut Server, c: &mut Client, end: End, name: &str) -> CommandResult {
    if c.argc() > 3 {
        return Err(CommandError::WrongArity(name.to_string()));
    }
    let count = match c.argv.get(2) {
        Some(arg) => {
            // getPositiveLongFromObjectOrReply: one message for both failures.
            let n = parse_i64(arg).filter(|n| *n >= 0);
            Some(n.ok_or(CommandError::OutOfRange)? as usize)
        }
        None => None,
    };
    let db = c.db;
    let key = c.argv[1].clone();
    match lookup_write(srv, db, &key) {
        None => {
            if count.is_some() {
                c.reply.null_array();
            } else {
                c.reply.null();
            }
            return Ok(());
        }
        Some(obj) => {
            list_mut(obj)?;
        }
    }
    match count {
        Some(0) => c.reply.array_len(0),
        Some(n) => {
            pop_many(srv, c, &key, end, n)?;
        }
        None => match pop_one(srv, db, &key, end)? {
            Some((v, deleted)) => {
                c.reply.bulk(&v);
                notify_popped(srv, c, &key, end, deleted);
            }
            None => c.reply.null(),
        },
    }
    Ok(())
}

fn lpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    pop_generic(srv, c, End::Head, "lpop")
}

fn rpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    pop_generic(srv, c, End::Tail, "rpop")
}

/// The parsed arguments of LMPOP/BLMPOP: the keys, the end and the count.
struct MpopArgs {
    keys: Vec<Vec<u8>>,
    end: End,
    count: usize,
}

/// Parses `numkeys key... LEFT|RIGHT [COUNT n]` starting at argument `at`, as Redis's
/// lmpopGenericCommand.
fn parse_mpop(argv: &[Vec<u8>], at: usize) -> Result<MpopArgs, CommandError> {
    const NUMKEYS: &str = "numkeys should be greater than 0";
    const COUNT: &str = "count should be greater than 0";
    let numkeys = parse_i64(&argv[at]).ok_or(CommandError::Err(NUMKEYS))?;
    if numkeys < 1 {
        return Err(CommandError::Err(NUMKEYS));
    }
    let where_idx = (at as u64).saturating_add(numkeys as u64).saturating_add(1);
    if where_idx >= argv.len() as u64 {
        return Err(CommandError::Syntax);
    }
    let where_idx = where_idx as usize;
    let end = End::parse(&argv[where_idx])?;
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if count.is_none() && more && argv[j].eq_ignore_ascii_case(b"count") {
            let n = parse_i64(&argv[j + 1]).ok_or(CommandError::Err(COUNT))?;
            if n < 1 {
                return Err(CommandError::Err(COUNT));
            }
            count = Some(n as usize);
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(MpopArgs {
        keys: argv[at + 1..where_idx].to_vec(),
        end,
        count: count.unwrap_or(1),
    })
}

/// Pops up to `count` elements from the first non-empty list among `keys`, replying
/// `[key, [elements]]` and propagating `LPOP|RPOP key n`. Returns false (nothing
/// written) when every key is missing. Keys of another type answer WRONGTYPE, except
/// during a blocked client's re-run, where they count as empty.
fn mpop_first(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Vec<u8>],
    end: End,
    count: usize,
) -> Result<bool, CommandError> {
    let db = c.db;
    let rerun = blocking::is_rerun(c);
    for key in keys {
        let Some(obj) = lookup_write(srv, db, key) else {
            continue;
        };
        let len = match &obj.value {
            Value::List(l) => l.len(),
            _ if rerun => continue,
            _ => return Err(CommandError::WrongType),
        };
        if len == 0 {
            continue;
        }
        c.reply.array_len(2);
        c.reply.bulk(key);
        let n = pop_many(srv, c, key, end, count)?;
        c.rewrite_propagated(vec![
            end.pop_name().to_vec(),
            key.clone(),
            n.to_string().into_bytes(),
        ]);
        return Ok(true);
    }
    Ok(false)
}

/// LMPOP numkeys key... LEFT|RIGHT [COUNT count].
fn lmpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = parse_mpop(&c.argv, 1)?;
    if !mpop_first(srv, c, &args.keys, args.end, args.count)? {
        c.reply.null_array();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

fn llen(srv: &mut Server, c: &mut Client) -> CommandResult {
    let len = read_as::<List>(srv, c.db, &c.argv[1])?.map_or(0, List::len);
    c.reply.int(len as i64);
    Ok(())
}

fn lrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    let start = parse_long(&c.argv[2])?;
    let end = parse_long(&c.argv[3])?;
    let Some(list) = read_as::<List>(srv, c.db, &c.argv[1])? else {
        c.reply.array_len(0);
        return Ok(());
    };
    match clamp_range(start, end, list.len()) {
        None => c.reply.array_len(0),
        Some((a, b)) => {
            c.reply.array_len(b - a + 1);
            let mut left = b - a + 1;
            list.visit_from(a, false, |e| {
                reply_elem(&mut c.reply, e);
                left -= 1;
                left > 0
            });
        }
    }
    Ok(())
}

fn lindex(srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(list) = read_as::<List>(srv, c.db, &c.argv[1])? else {
        c.reply.null();
        return Ok(());
    };
    let index = parse_long(&c.argv[2])?;
    let reply = &mut c.reply;
    let found = list
        .resolve_index(index)
        .and_then(|i| list.with_elem(i, |e| reply_elem(reply, e)));
    if found.is_none() {
        c.reply.null();
    }
    Ok(())
}

/// The options of LPOS.
struct LposOptions {
    rank: i64,
    /// None: no COUNT given (reply a single index).
    count: Option<i64>,
    maxlen: i64,
}

/// Parses LPOS's RANK / COUNT / MAXLEN options.
fn parse_lpos(argv: &[Vec<u8>]) -> Result<LposOptions, CommandError> {
    let mut o = LposOptions {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = &argv[j];
        if more && opt.eq_ignore_ascii_case(b"rank") {
            o.rank = parse_long(&argv[j + 1])?;
            if o.rank == 0 {
                return Err(CommandError::Err("RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
            }
        } else if more && opt.eq_ignore_ascii_case(b"count") {
            let n = parse_i64(&argv[j + 1]).filter(|n| *n >= 0);
            o.count = Some(n.ok_or(CommandError::Err("COUNT can't be negative"))?);
        } else if more && opt.eq_ignore_ascii_case(b"maxlen") {
            let n = parse_i64(&argv[j + 1]).filter(|n| *n >= 0);
            o.maxlen = n.ok_or(CommandError::Err("MAXLEN can't be negative"))?;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 2;
    }
    Ok(o)
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
fn lpos(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = parse_lpos(&c.argv)?;
    let Some(list) = read_as::<List>(srv, c.db, &c.argv[1])? else {
        if opts.count.is_some() {
            c.reply.array_len(0);
        } else {
            c.reply.null();
        }
        return Ok(());
    };
    let probe = Probe::new(&c.argv[2]);
    // A negative rank scans from the tail (C's negation wraps for the minimum).
    let (rank, from_tail) = if opts.rank < 0 {
        (opts.rank.wrapping_neg(), true)
    } else {
        (opts.rank, false)
    };
    let len = list.len() as i64;
    let mut found: Vec<i64> = Vec::new();
    let mut matches: i64 = 0;
    let start = if from_tail {
        list.len().saturating_sub(1)
    } else {
        0
    };
    let mut index: i64 = 0;
    // Visits elements in scan order; returns false to stop.
    list.visit_from(start, from_tail, |e| {
        if opts.maxlen != 0 && index >= opts.maxlen {
            return false;
        }
        let at = index;
        index += 1;
        if !e.matches(&probe) {
            return true;
        }
        matches += 1;
        if matches < rank {
            return true;
        }
        found.push(if from_tail { len - at - 1 } else { at });
        match opts.count {
            None => false,
            Some(count) => count == 0 || matches.wrapping_sub(rank).wrapping_add(1) < count,
        }
    });
    match opts.count {
        Some(_) => {
            c.reply.array_len(found.len());
            for i in found {
                c.reply.int(i);
            }
        }
        None => match found.first() {
            Some(&i) => c.reply.int(i),
            None => c.reply.null(),
        },
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------

fn lset(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let obj = lookup_write(srv, db, &c.argv[1]).ok_or(CommandError::NoSuchKey)?;
    let list = list_mut(obj)?;
    let index = parse_long(&c.argv[2])?;
    let i = list
        .resolve_index(index)
        .ok_or(CommandError::IndexOutOfRange)?;
    list.set(i, &c.argv[3]);
    srv.dirty += 1;
    c.reply.ok();
    srv.notify_key(c, notify::LIST, "lset", 1);
    Ok(())
}

fn linsert(srv: &mut Server, c: &mut Client) -> CommandResult {
    let after = if c.argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if c.argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(CommandError::Syntax);
    };
    let db = c.db;
    let Some(obj) = lookup_write(srv, db, &c.argv[1]) else {
        c.reply.int(0);
        return Ok(());
    };
    let list = list_mut(obj)?;
    let probe = Probe::new(&c.argv[3]);
    let Some(pivot) = list.position(&probe) else {
        c.reply.int(-1);
        return Ok(());
    };
    list.insert(pivot + after as usize, &c.argv[4]);
    let len = list.len();
    srv.notify_key(c, notify::LIST, "linsert", 1);
    srv.dirty += 1;
    c.reply.int(len as i64);
    Ok(())
}

fn lrem(srv: &mut Server, c: &mut Client) -> CommandResult {
    let count = parse_long(&c.argv[2])?;
    let db = c.db;
    let Some(obj) = lookup_write(srv, db, &c.argv[1]) else {
        c.reply.int(0);
        return Ok(());
    };
    let list = list_mut(obj)?;
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = list.remove_matching(&c.argv[3], limit, count < 0);
    if removed > 0 {
        srv.notify_key(c, notify::LIST, "lrem", 1);
    }
    if delete_if_empty(srv, db, &c.argv[1]) {
        srv.notify_key(c, notify::GENERIC, "del", 1);
    }
    srv.dirty += removed as u64;
    c.reply.int(removed as i64);
    Ok(())
}

fn ltrim(srv: &mut Server, c: &mut Client) -> CommandResult {
    let start = parse_long(&c.argv[2])?;
    let end = parse_long(&c.argv[3])?;
    let db = c.db;
    let Some(obj) = lookup_write(srv, db, &c.argv[1]) else {
        c.reply.ok();
        return Ok(());
    };
    let list = list_mut(obj)?;
    let keep = clamp_range(start, end, list.len());
    let removed = list.trim(keep);
    // Redis reports the trim even when it removed nothing.
    srv.notify_key(c, notify::LIST, "ltrim", 1);
    if delete_if_empty(srv, db, &c.argv[1]) {
        srv.notify_key(c, notify::GENERIC, "del", 1);
    }
    srv.dirty += removed as u64;
    c.reply.ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Moves
// ---------------------------------------------------------------------------------------

/// Moves one element from `from` of list `src` to `to` of list `dst` (created if
/// missing) and replies with it; `src` must hold a non-empty list. WRONGTYPE if `dst`
/// holds another type. Publishes as Redis's lmoveGenericCommand: the push on `dst`,
/// then (after the reply) the pop on `src` and its `del` if emptied.
fn move_one(
    srv: &mut Server,
    c: &mut Client,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
) -> CommandResult {
    let db = c.db;
    if holds_other_type(srv, db, dst) {
        return Err(CommandError::WrongType);
    }
    if src == dst {
        return rotate(srv, c, src, from, to);
    }
    let Some((value, src_deleted)) = pop_one(srv, db, src, from)? else {
        c.reply.null();
        return Ok(());
    };
    // pop_one counted the change; the push is part of the same move.
    let push = |l: &mut List| match to {
        End::Head => l.push_front(&value),
        End::Tail => l.push_back(&value),
    };
    match lookup_write(srv, db, dst) {
        Some(obj) => push(list_mut(obj)?),
        None => {
            let mut l = List::new(&EncodingLimits::from_config(&srv.config));
            push(&mut l);
            store_new(srv, db, dst, l);
        }
    }
    srv.notify_keyspace_event(c, notify::LIST, to.push_event(), dst, db);
    c.reply.bulk(&value);
    notify_popped(srv, c, src, from, src_deleted);
    Ok(())
}

/// LMOVE with the same source and destination: pops and pushes on one list in place
/// (the key, and its TTL, stay). Publishes the push, then the pop, as any move.
fn rotate(srv: &mut Server, c: &mut Client, key: &[u8], from: End, to: End) -> CommandResult {
    let db = c.db;
    let obj = lookup_write(srv, db, key).ok_or(CommandError::NoSuchKey)?;
    let list = list_mut(obj)?;
    let value = match from {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    };
    let Some(value) = value else {
        c.reply.null();
        return Ok(());
    };
    match to {
        End::Head => list.push_front(&value),
        End::Tail => list.push_back(&value),
    }
    srv.dirty += 1;
    srv.notify_keyspace_event(c, notify::LIST, to.push_event(), key, db);
    c.reply.bulk(&value);
    notify_popped(srv, c, key, from, false);
    Ok(())
}

/// LMOVE/RPOPLPUSH without blocking: a missing source answers null.
fn lmove_generic(srv: &mut Server, c: &mut Client, from: End, to: End) -> CommandResult {
    let db = c.db;
    let (src, dst) = (c.argv[1].clone(), c.argv[2].clone());
    match lookup_write(srv, db, &src) {
        None => {
            c.reply.null();
            Ok(())
        }
        Some(obj) => {
            list_mut(obj)?;
            move_one(srv, c, &src, &dst, from, to)
        }
    }
}

fn lmove(srv: &mut Server, c: &mut Client) -> CommandResult {
    let from = End::parse(&c.argv[3])?;
    let to = End::parse(&c.argv[4])?;
    lmove_generic(srv, c, from, to)
}

fn rpoplpush(srv: &mut Server, c: &mut Client) -> CommandResult {
    lmove_generic(srv, c, End::Tail, End::Head)
}

// ---------------------------------------------------------------------------------------
// Blocking forms
// ---------------------------------------------------------------------------------------

/// BLPOP/BRPOP key... timeout: pops from the first non-empty list, else waits.
fn bpop_generic(srv: &mut Server, c: &mut Client, end: End) -> CommandResult {
    let deadline = blocking::parse_timeout(&c.argv[c.argc() - 1], crate::util::time::now_ms())?;
    let keys: Vec<Vec<u8>> = c.argv[1..c.argc() - 1].to_vec();
    let db = c.db;
    let rerun = blocking::is_rerun(c);
    for key in &keys {
        let Some(obj) = lookup_write(srv, db, key) else {
            continue;
        };
        match &obj.value {
            Value::List(l) if !l.is_empty() => {}
            Value::List(_) => continue,
            _ if rerun => continue,
            _ => return Err(CommandError::WrongType),
        }
        if let Some((v, deleted)) = pop_one(srv, db, key, end)? {
            c.reply.array_len(2);
            c.reply.bulk(key);
            c.reply.bulk(&v);
            notify_popped(srv, c, key, end, deleted);
            c.rewrite_propagated(vec![end.pop_name().to_vec(), key.clone()]);
            return Ok(());
        }
    }
    block_for_keys(srv, c, keys, deadline, TimeoutReply::NullArray);
    Ok(())
}

fn blpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    bpop_generic(srv, c, End::Head)
}

fn brpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    bpop_generic(srv, c, End::Tail)
}

/// BLMOVE/BRPOPLPUSH: moves at once when the source has elements, else waits for it.
/// Propagated as LMOVE / RPOPLPUSH.
fn blmove_generic(
    srv: &mut Server,
    c: &mut Client,
    from: End,
    to: End,
    deadline: Option<i64>,
) -> CommandResult {
    let db = c.db;
    let src = c.argv[1].clone();
    let rerun = blocking::is_rerun(c);
    let has_list = match lookup_write(srv, db, &src).map(|o| &o.value) {
        None => false,
        Some(Value::List(l)) => !l.is_empty(),
        Some(_) if rerun => false,
        Some(_) => return Err(CommandError::WrongType),
    };
    if !has_list {
        // Inside EXEC Redis answers a null bulk here, but a timed-out wait a null array.
        if blocking::may_block(c) {
            block_for_keys(srv, c, vec![src], deadline, TimeoutReply::NullArray);
        } else {
            c.reply.null();
        }
        return Ok(());
    }
    let dst = c.argv[2].clone();
    let dirty_before = srv.dirty;
    move_one(srv, c, &src, &dst, from, to)?;
    if srv.dirty > dirty_before {
        let argv = if c.argc() == 6 {
            vec![
                b"LMOVE".to_vec(),
                src,
                dst,
                c.argv[3].clone(),
                c.argv[4].clone(),
            ]
        } else {
            vec![b"RPOPLPUSH".to_vec(), src, dst]
        };
        c.rewrite_propagated(argv);
    }
    Ok(())
}

fn blmove(srv: &mut Server, c: &mut Client) -> CommandResult {
    let from = End::parse(&c.argv[3])?;
    let to = End::parse(&c.argv[4])?;
    let deadline = blocking::parse_timeout(&c.argv[5], crate::util::time::now_ms())?;
    blmove_generic(srv, c, from, to, deadline)
}

fn brpoplpush(srv: &mut Server, c: &mut Client) -> CommandResult {
    let deadline = blocking::parse_timeout(&c.argv[3], crate::util::time::now_ms())?;
    blmove_generic(srv, c, End::Tail, End::Head, deadline)
}

/// BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT count].
fn blmpop(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = parse_mpop(&c.argv, 2)?;
    let deadline = blocking::parse_timeout(&c.argv[1], crate::util::time::now_ms())?;
    if !mpop_first(srv, c, &args.keys, args.end, args.count)? {
        block_for_keys(srv, c, args.keys, deadline, TimeoutReply::NullArray);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, VecDeque};

    use proptest::prelude::*;

    use crate::commands::keys::testing::Harness;

    /// One random command of the property test.
    #[derive(Debug, Clone)]
    enum Op {
        Push(usize, bool, Vec<&'static str>),
        Pop(usize, bool, Option<usize>),
        Range(usize, i64, i64),
        Index(usize, i64),
        Set(usize, i64, &'static str),
        Insert(usize, bool, &'static str, &'static str),
        Rem(usize, i64, &'static str),
        Trim(usize, i64, i64),
        Move(usize, usize, bool, bool),
        Pos(usize, &'static str, i64, Option<i64>),
    }

    const KEYS: [&str; 3] = ["k0", "k1", "k2"];
    const LONG: &str = "a-value-longer-than-sixty-three-bytes-so-it-takes-the-wider-string-header";
    const VALUES: [&str; 7] = ["a", "b", "1", "-2", "300", "9223372036854775807", LONG];

    fn value() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(&VALUES[..])
    }

    fn op() -> impl Strategy<Value = Op> {
        let key = 0usize..3;
        prop_oneof![
            (
                key.clone(),
                any::<bool>(),
                proptest::collection::vec(value(), 1..6)
            )
                .prop_map(|(k, f, v)| Op::Push(k, f, v)),
            (key.clone(), any::<bool>(), proptest::option::of(0usize..4))
                .prop_map(|(k, f, n)| Op::Pop(k, f, n)),
            (key.clone(), -8i64..8, -8i64..8).prop_map(|(k, a, b)| Op::Range(k, a, b)),
            (key.clone(), -8i64..8).prop_map(|(k, i)| Op::Index(k, i)),
            (key.clone(), -8i64..8, value()).prop_map(|(k, i, v)| Op::Set(k, i, v)),
            (key.clone(), any::<bool>(), value(), value())
                .prop_map(|(k, a, p, v)| Op::Insert(k, a, p, v)),
            (key.clone(), -3i64..3, value()).prop_map(|(k, n, v)| Op::Rem(k, n, v)),
            (key.clone(), -8i64..8, -8i64..8).prop_map(|(k, a, b)| Op::Trim(k, a, b)),
            (key.clone(), key.clone(), any::<bool>(), any::<bool>())
                .prop_map(|(s, d, f, t)| Op::Move(s, d, f, t)),
            (
                key,
                value(),
                prop_oneof![-3i64..0, 1i64..4],
                proptest::option::of(0i64..3)
            )
                .prop_map(|(k, v, r, c)| Op::Pos(k, v, r, c)),
        ]
    }

    fn bulk(s: &str) -> String {
        format!("${}\r\n{}\r\n", s.len(), s)
    }

    fn array(items: &[String]) -> String {
        let mut out = format!("*{}\r\n", items.len());
        for i in items {
            out.push_str(&bulk(i));
        }
        out
    }

    /// Clamped inclusive range as LRANGE/LTRIM compute it.
    fn range(a: i64, b: i64, len: usize) -> Option<(usize, usize)> {
        super::clamp_range(a, b, len)
    }

    /// The reply the model expects for `op`, applying it to `m`.
    fn model(m: &mut HashMap<usize, VecDeque<String>>, op: &Op) -> (Vec<String>, String) {
        let side = |front: bool| if front { "left" } else { "right" };
        let reply = match op {
            Op::Push(k, front, vals) => {
                let l = m.entry(*k).or_default();
                for v in vals {
                    if *front {
                        l.push_front(v.to_string())
                    } else {
                        l.push_back(v.to_string())
                    }
                }
                format!(":{}\r\n", l.len())
            }
            Op::Pop(k, front, count) => match (m.get_mut(k), count) {
                (None, None) => "$-1\r\n".into(),
                (None, Some(_)) => "*-1\r\n".into(),
                (Some(l), None) => {
                    bulk(&if *front { l.pop_front() } else { l.pop_back() }.unwrap_or_default())
                }
                (Some(l), Some(n)) => {
                    let got: Vec<String> = (0..*n)
                        .filter_map(|_| if *front { l.pop_front() } else { l.pop_back() })
                        .collect();
                    array(&got)
                }
            },
            Op::Range(k, a, b) => {
                let l = m.get(k).cloned().unwrap_or_default();
                let items: Vec<String> = range(*a, *b, l.len())
                    .map(|(s, e)| l.range(s..=e).cloned().collect())
                    .unwrap_or_default();
                array(&items)
            }
            Op::Index(k, i) => {
                let l = m.get(k).cloned().unwrap_or_default();
                let idx = if *i < 0 { l.len() as i64 + i } else { *i };
                match usize::try_from(idx).ok().and_then(|i| l.get(i)) {
                    Some(v) => bulk(v),
                    None => "$-1\r\n".into(),
                }
            }
            Op::Set(k, i, v) => match m.get_mut(k) {
                None => "-ERR no such key\r\n".into(),
                Some(l) => {
                    let idx = if *i < 0 { l.len() as i64 + i } else { *i };
                    match usize::try_from(idx).ok().filter(|&i| i < l.len()) {
                        Some(i) => {
                            l[i] = v.to_string();
                            "+OK\r\n".into()
                        }
                        None => "-ERR index out of range\r\n".into(),
                    }
                }
            },
            Op::Insert(k, after, pivot, v) => match m.get_mut(k) {
                None => ":0\r\n".into(),
                Some(l) => match l.iter().position(|e| e == pivot) {
                    None => ":-1\r\n".into(),
                    Some(p) => {
                        l.insert(p + *after as usize, v.to_string());
                        format!(":{}\r\n", l.len())
                    }
                },
            },
            Op::Rem(k, n, v) => match m.get_mut(k) {
                None => ":0\r\n".into(),
                Some(l) => {
                    let mut idx: Vec<usize> = (0..l.len()).filter(|&i| l[i] == *v).collect();
                    if *n < 0 {
                        idx.reverse();
                    }
                    if *n != 0 {
                        idx.truncate(n.unsigned_abs() as usize);
                    }
                    idx.sort_unstable();
                    for &i in idx.iter().rev() {
                        l.remove(i);
                    }
                    format!(":{}\r\n", idx.len())
                }
            },
            Op::Trim(k, a, b) => {
                if let Some(l) = m.get_mut(k) {
                    *l = match range(*a, *b, l.len()) {
                        Some((s, e)) => l.range(s..=e).cloned().collect(),
                        None => VecDeque::new(),
                    };
                }
                "+OK\r\n".into()
            }
            Op::Move(s, d, from, to) => {
                match m
                    .get_mut(s)
                    .and_then(|l| if *from { l.pop_front() } else { l.pop_back() })
                {
                    None => "$-1\r\n".into(),
                    Some(v) => {
                        let dl = m.entry(*d).or_default();
                        if *to {
                            dl.push_front(v.clone())
                        } else {
                            dl.push_back(v.clone())
                        }
                        bulk(&v)
                    }
                }
            }
            Op::Pos(k, v, rank, count) => {
                let l = m.get(k).cloned().unwrap_or_default();
                let mut hits: Vec<usize> = (0..l.len()).filter(|&i| l[i] == *v).collect();
                if *rank < 0 {
                    hits.reverse();
                }
                let skip = (rank.unsigned_abs() - 1) as usize;
                let hits: Vec<usize> = hits.into_iter().skip(skip).collect();
                match count {
                    None => hits
                        .first()
                        .map_or("$-1\r\n".into(), |i| format!(":{i}\r\n")),
                    Some(c) => {
                        let n = if *c == 0 {
                            hits.len()
                        } else {
                            (*c as usize).min(hits.len())
                        };
                        let mut out = format!("*{n}\r\n");
                        for i in &hits[..n] {
                            out.push_str(&format!(":{i}\r\n"));
                        }
                        out
                    }
                }
            }
        };
        m.retain(|_, l| !l.is_empty());
        let args = match op {
            Op::Push(k, f, v) => {
                let mut a = vec![
                    if *f { "lpush" } else { "rpush" }.to_string(),
                    KEYS[*k].to_string(),
                ];
                a.extend(v.iter().map(|s| s.to_string()));
                a
            }
            Op::Pop(k, f, n) => {
                let mut a = vec![
                    if *f { "lpop" } else { "rpop" }.to_string(),
                    KEYS[*k].to_string(),
                ];
                a.extend(n.map(|n| n.to_string()));
                a
            }
            Op::Range(k, a, b) => vec![
                "lrange".into(),
                KEYS[*k].into(),
                a.to_string(),
                b.to_string(),
            ],
            Op::Index(k, i) => vec!["lindex".into(), KEYS[*k].into(), i.to_string()],
            Op::Set(k, i, v) => vec!["lset".into(), KEYS[*k].into(), i.to_string(), v.to_string()],
            Op::Insert(k, a, p, v) => vec![
                "linsert".into(),
                KEYS[*k].into(),
                if *a { "after" } else { "before" }.into(),
                p.to_string(),
                v.to_string(),
            ],
            Op::Rem(k, n, v) => vec!["lrem".into(), KEYS[*k].into(), n.to_string(), v.to_string()],
            Op::Trim(k, a, b) => vec![
                "ltrim".into(),
                KEYS[*k].into(),
                a.to_string(),
                b.to_string(),
            ],
            Op::Move(s, d, f, t) => vec![
                "lmove".into(),
                KEYS[*s].into(),
                KEYS[*d].into(),
                side(*f).into(),
                side(*t).into(),
            ],
            Op::Pos(k, v, r, c) => {
                let mut a = vec![
                    "lpos".into(),
                    KEYS[*k].into(),
                    v.to_string(),
                    "rank".into(),
                    r.to_string(),
                ];
                if let Some(c) = c {
                    a.extend(["count".to_string(), c.to_string()]);
                }
                a
            }
        };
        (args, reply)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]
        /// Random command sequences give the replies of a VecDeque model, with nodes of
        /// 1, 2 or 3 entries or 4 KiB so inserts and removals cross node boundaries.
        #[test]
        fn commands_match_a_deque_model(
            fill in prop_oneof![Just(1i64), Just(2), Just(3), Just(-1)],
            ops in proptest::collection::vec(op(), 1..80),
        ) {
            let mut h = Harness::new();
            h.srv.config.list_max_listpack_size = fill;
            let mut m: HashMap<usize, VecDeque<String>> = HashMap::new();
            for op in &ops {
                let (args, want) = model(&mut m, op);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let got = h.run(&args);
                prop_assert_eq!(String::from_utf8_lossy(&got), want, "{:?}", args);
            }
            for (i, key) in KEYS.iter().enumerate() {
                let want = m.get(&i).map_or(0, |l| l.len());
                prop_assert_eq!(h.run(&["llen", key]), format!(":{want}\r\n").into_bytes());
                let exists = h.run(&["exists", key]);
                prop_assert_eq!(exists, format!(":{}\r\n", (want > 0) as i32).into_bytes());
            }
        }
    }

    #[test]
    fn blocking_pops_served_at_once_propagate_the_plain_form() {
        let mut h = Harness::new();
        h.run(&["rpush", "k", "a", "b", "c"]);
        assert_eq!(
            h.run(&["blpop", "nokey", "k", "0"]),
            b"*2\r\n$1\r\nk\r\n$1\r\na\r\n"
        );
        assert_eq!(h.propagated(), Some(vec!["LPOP".into(), "k".into()]));
        assert_eq!(
            h.run(&["blmpop", "0", "1", "k", "RIGHT", "COUNT", "5"]),
            b"*2\r\n$1\r\nk\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
        );
        assert_eq!(
            h.propagated(),
            Some(vec!["RPOP".into(), "k".into(), "2".into()])
        );
        h.run(&["rpush", "s", "x"]);
        assert_eq!(h.run(&["brpoplpush", "s", "d", "0"]), b"$1\r\nx\r\n");
        assert_eq!(
            h.propagated(),
            Some(vec!["RPOPLPUSH".into(), "s".into(), "d".into()])
        );
        assert_eq!(
            h.run(&["blmove", "d", "e", "RIGHT", "left", "0"]),
            b"$1\r\nx\r\n"
        );
        assert_eq!(
            h.propagated(),
            Some(vec![
                "LMOVE".into(),
                "d".into(),
                "e".into(),
                "RIGHT".into(),
                "left".into()
            ])
        );
        assert_eq!(
            h.run(&["lmpop", "1", "e", "LEFT"]),
            b"*2\r\n$1\r\ne\r\n*1\r\n$1\r\nx\r\n"
        );
        assert_eq!(
            h.propagated(),
            Some(vec!["LPOP".into(), "e".into(), "1".into()])
        );
    }

    #[test]
    fn timeouts_parse_as_redis() {
        use crate::server::blocking::parse_timeout;
        assert_eq!(parse_timeout(b"0", 1000), Ok(None));
        assert_eq!(parse_timeout(b"1.5", 1000), Ok(Some(2500)));
        assert_eq!(parse_timeout(b"0.0001", 1000), Ok(Some(1001)));
        assert!(parse_timeout(b"-1", 0).is_err());
        assert!(parse_timeout(b"inf", 0).is_err());
        assert!(parse_timeout(b"x", 0).is_err());
    }
}
