//! Stream commands, as Redis 7.0's `t_stream.c`: XADD (with NOMKSTREAM and MAXLEN/MINID
//! trimming), XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, and the readers XREAD and
//! XREADGROUP with their blocking forms (the group administration commands live in
//! `stream_group.rs`).
//!
//! Propagation follows Redis: XADD goes out with the ID it generated, and an
//! approximate trim (`~`) as the exact trim it turned out to be (`=` and the resulting
//! length or first ID), so replicas and the AOF end with the same entries. XREAD
//! propagates nothing; XREADGROUP propagates what it did to the group: an XCLAIM per
//! entry it delivered, XGROUP SETID for the position a NOACK read moved, XGROUP
//! CREATECONSUMER for a consumer a NOACK read created (wrapped in MULTI/EXEC when more
//! than one).
//!
//! Blocking (see `server::blocking`): a read that finds nothing waits for XADD to
//! signal one of its keys, then is re-run; the re-run serves the first of its keys that
//! got data, with one stream in its reply, as Redis's serveClientsBlockedOnStreamKey
//! serves the key that became ready. XREAD's `$` is resolved when the client blocks
//! (the parked request holds the stream's last ID instead).

use super::flags::*;
use super::stream_common::{
    c_text, create_stream, node_limits, parse_id_strict, parse_range_end, parse_range_start,
    read_stream, reply_entry, reply_id, setid_propagation, write_stream, xclaim_propagation,
    INVALID_ID,
};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::blocking::{self, block_for_keys, TimeoutReply};
use crate::server::{Client, Server};
use crate::types::stream::{
    AddId, AddIdError, ConsumerGroup, Fields, MissingSeq, StreamId, TrimStrategy,
};
use crate::types::{Stream, Value};
use crate::util::numbers::parse_i64;

/// The stream family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xadd", xadd, -5, WRITE | DENYOOM | FAST, Keys::ONE, "stream", "5.0.0", "Appends a new entry to a stream")
        .with_complexity("O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted."),
    CommandSpec::new("xrange", xrange, -4, READONLY, Keys::ONE, "stream", "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval")
        .with_complexity("O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."),
    CommandSpec::new("xrevrange", xrevrange, -4, READONLY, Keys::ONE, "stream", "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE")
        .with_complexity("O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."),
    CommandSpec::new("xlen", xlen, 2, READONLY | FAST, Keys::ONE, "stream", "5.0.0", "Return the number of entries in a stream")
        .with_complexity("O(1)"),
    CommandSpec::new("xread", xread, -4, READONLY | BLOCKING, Keys::NONE, "stream", "5.0.0", "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.")
        .with_complexity("For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data."),
    CommandSpec::new("xreadgroup", xreadgroup, -7, WRITE | BLOCKING, Keys::NONE, "stream", "5.0.0", "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.")
        .with_complexity("For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data."),
    CommandSpec::new("xsetid", xsetid, -3, WRITE | DENYOOM | FAST, Keys::ONE, "stream", "5.0.0", "An internal command for replicating stream values")
        .with_complexity("O(1)"),
    CommandSpec::new("xdel", xdel, -3, WRITE | FAST, Keys::ONE, "stream", "5.0.0", "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.")
        .with_complexity("O(1) for each single item to delete in the stream, regardless of the stream size."),
    CommandSpec::new("xtrim", xtrim, -4, WRITE, Keys::ONE, "stream", "5.0.0", "Trims the stream to (approximately if '~' is passed) a certain size")
        .with_complexity("O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation."),
];

/// Largest field and value total XADD stores in one entry (STREAM_LISTPACK_MAX_SIZE).
const MAX_ENTRY_CONTENT: usize = 1 << 30;

/// What a blocked XREADGROUP gets when its group was destroyed.
const GROUP_DESTROYED: &str =
    "NOGROUP the consumer group this client was blocked on no longer exists";

/// What a blocked XREADGROUP gets when its key was deleted or holds another type.
const STREAM_GONE: &str = "UNBLOCKED the stream key no longer exists";

/// How many entries a blocked XREAD/XREADGROUP without COUNT is served at most
/// (XREAD_BLOCKED_DEFAULT_COUNT).
const BLOCKED_DEFAULT_COUNT: usize = 1000;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// What a key holds, looked up without counting a keyspace hit or miss.
enum Peek<'a> {
    Missing,
    Other,
    Stream(&'a Stream),
}

/// Looks `key` up as Redis's serving of blocked clients does (no stats, no events).
fn peek<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Peek<'a> {
    let (now, mode) = (srv.now_ms, srv.lazy_expire_mode());
    match srv.dbs[db].get(key, now, mode).map(|o| &o.value) {
        None => Peek::Missing,
        Some(Value::Stream(s)) => Peek::Stream(s),
        Some(_) => Peek::Other,
    }
}

/// Parses a count or number argument (`getLongLongFromObjectOrReply`).
fn parse_long(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// An ID as the bulk-string argument of a propagated command.
fn id_arg(id: StreamId) -> Vec<u8> {
    id.to_text()
}

// ---------------------------------------------------------------------------------------
// XADD / XTRIM options
// ---------------------------------------------------------------------------------------

/// The options XADD and XTRIM share, as streamParseAddOrTrimArgsOrReply reads them.
struct TrimArgs {
    /// None: no trimming (XADD only).
    strategy: Option<TrimStrategy>,
    /// `~` was given.
    approx: bool,
    /// Most entries an approximate trim may remove (0: no limit).
    limit: u64,
    /// argv index of the MAXLEN count or MINID id (the `~` is just before it).
    strategy_at: usize,
}

/// XADD's own options.
struct AddArgs {
    trim: TrimArgs,
    no_mkstream: bool,
    /// The ID argument, None when the options ran to the end of the request.
    id: Option<AddId>,
    /// argv index of the ID argument.
    id_at: usize,
}

/// Parses the options of XADD (`xadd`) or XTRIM from argument 2 on, in Redis's order of
/// checks. For XADD the parse stops at the ID argument.
fn parse_add_or_trim(srv: &Server, c: &Client, xadd: bool) -> Result<AddArgs, CommandError> {
    let argv = &c.argv;
    let argc = argv.len();
    let mut trim = TrimArgs {
        strategy: None,
        approx: false,
        limit: 0,
        strategy_at: 0,
    };
    let mut no_mkstream = false;
    let mut id = None;
    let mut limit_given = false;
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = argv[i].as_slice();
        let maxlen = opt.eq_ignore_ascii_case(b"maxlen");
        if (maxlen || opt.eq_ignore_ascii_case(b"minid")) && more > 0 {
            if trim.strategy.is_some() {
                return Err(CommandError::Err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            trim.approx = false;
            let next = argv[i + 1].as_slice();
            if more >= 2 && next == b"~" {
                trim.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let arg = &argv[i + 1];
            let strategy = if maxlen {
                let n = parse_long(arg)?;
                if n < 0 {
                    return Err(CommandError::Err("The MAXLEN argument must be >= 0."));
                }
                TrimStrategy::MaxLen(n as u64)
            } else {
                TrimStrategy::MinId(parse_id_strict(arg, MissingSeq::Zero)?)
            };
            i += 1;
            trim.strategy = Some(strategy);
            trim.strategy_at = i;
        } else if opt.eq_ignore_ascii_case(b"limit") && more > 0 {
            let n = parse_long(&argv[i + 1])?;
            if n < 0 {
                return Err(CommandError::Err("The LIMIT argument must be >= 0."));
            }
            trim.limit = n as u64;
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            no_mkstream = true;
        } else if xadd {
            // The ID (or a misspelt option, which is then an invalid ID).
            id = Some(StreamId::parse_for_add(opt).ok_or(CommandError::Err(INVALID_ID))?);
            break;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    if trim.limit != 0 && trim.strategy.is_none() {
        return Err(CommandError::Err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && trim.strategy.is_none() {
        return Err(CommandError::Err(
            "syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if c.must_obey() {
        // Our master and the AOF send trims made exact: never cap them.
        trim.limit = 0;
    } else if limit_given {
        if !trim.approx {
            return Err(CommandError::Err(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if trim.approx {
        // At most 100 nodes' worth of work, within [10000, 1000000] entries.
        let per_node = srv.config.stream_node_max_entries;
        trim.limit = match per_node.saturating_mul(100) {
            0 => 10_000,
            n => n.min(1_000_000),
        };
    } else {
        trim.limit = 0;
    }
    Ok(AddArgs {
        trim,
        no_mkstream,
        id,
        id_at: i,
    })
}

/// Trims `stream` as `trim` says; returns how many entries went, and the argv that
/// propagates the trim deterministically when it was approximate (`~` becomes `=` and
/// the count or ID becomes the stream's resulting length or first ID), as Redis's
/// streamRewriteApproxSpecifier and streamRewriteTrimArgument.
fn apply_trim(
    stream: &mut Stream,
    trim: &TrimArgs,
    argv: &mut Option<Vec<Vec<u8>>>,
    request: &[Vec<u8>],
) -> u64 {
    let Some(strategy) = trim.strategy else {
        return 0;
    };
    let removed = stream.trim(strategy, trim.approx, trim.limit);
    if trim.approx {
        let rewritten = argv.get_or_insert_with(|| request.to_vec());
        rewritten[trim.strategy_at - 1] = b"=".to_vec();
        rewritten[trim.strategy_at] = match strategy {
            TrimStrategy::MaxLen(_) => stream.len().to_string().into_bytes(),
            // Redis takes the first entry of the first node, deleted or not: the one
            // that opened the node, its master ID (MAX when there is no node).
            TrimStrategy::MinId(_) => {
                id_arg(stream.nodes().next().map_or(StreamId::MAX, |n| n.master_id))
            }
        };
    }
    removed
}

// ---------------------------------------------------------------------------------------
// XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID
// ---------------------------------------------------------------------------------------

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
/// [field value ...]: appends an entry and replies with its ID (null when NOMKSTREAM
/// meets a missing key).
fn xadd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = parse_add_or_trim(srv, c, true)?;
    let field_at = args.id_at + 1;
    let fields = c.argc() as i64 - field_at as i64;
    if fields < 2 || fields % 2 == 1 {
        return Err(CommandError::WrongArity("xadd".into()));
    }
    let add_id = args.id.unwrap_or(AddId::Auto);
    // Refused before the key is looked up, so no empty stream is left behind.
    if add_id == AddId::Explicit(StreamId::MIN) {
        return Err(CommandError::Err(
            "The ID specified in XADD must be greater than 0-0",
        ));
    }
    let db = c.db;
    let limits = node_limits(srv);
    let now = srv.now_ms.max(0) as u64;
    let key = c.argv[1].clone();
    let stream = match write_stream(srv, db, &key)? {
        Some(s) => s,
        None if args.no_mkstream => {
            c.reply.null();
            return Ok(());
        }
        None => create_stream(srv, db, &key),
    };
    let id = stream.resolve_add_id(add_id, now).map_err(|e| match e {
        AddIdError::Exhausted => CommandError::Err(
            "The stream has exhausted the last possible ID, unable to add more items",
        ),
        AddIdError::TooSmall => CommandError::Err(
            "The ID specified in XADD is equal or smaller than the target stream top item",
        ),
        AddIdError::Zero => CommandError::Err("The ID specified in XADD must be greater than 0-0"),
    })?;
    let content: usize = c.argv[field_at..].iter().map(Vec::len).sum();
    if content > MAX_ENTRY_CONTENT {
        return Err(CommandError::Err("Elements are too large to be stored"));
    }
    stream.append(id, Fields::from_flat(&c.argv[field_at..]), limits);
    let mut propagated = None;
    let trimmed = apply_trim(stream, &args.trim, &mut propagated, &c.argv);
    reply_id(&mut c.reply, id);
    srv.notify_key(c, notify::STREAM, "xadd", 1);
    srv.dirty += 1;
    if trimmed > 0 {
        srv.notify_key(c, notify::STREAM, "xtrim", 1);
    }
    // The ID that was generated goes to replicas and the AOF.
    if !matches!(add_id, AddId::Explicit(_)) {
        propagated.get_or_insert_with(|| c.argv.clone())[args.id_at] = id_arg(id);
    }
    if let Some(argv) = propagated {
        c.rewrite_propagated(argv);
    }
    srv.dbs[db].signal_ready(&key);
    Ok(())
}

/// XLEN key: the number of entries (0 for a missing key).
fn xlen(srv: &mut Server, c: &mut Client) -> CommandResult {
    let len = read_stream(srv, c.db, &c.argv[1])?.map_or(0, Stream::len);
    c.reply.int(len as i64);
    Ok(())
}

/// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n].
fn xrange_generic(srv: &mut Server, c: &mut Client, rev: bool) -> CommandResult {
    let (start_arg, end_arg) = if rev { (3, 2) } else { (2, 3) };
    let start = parse_range_start(&c.argv[start_arg])?;
    let end = parse_range_end(&c.argv[end_arg])?;
    // None: no COUNT; a negative count counts as 0.
    let mut count: Option<u64> = None;
    let mut j = 4;
    while j < c.argc() {
        if c.argv[j].eq_ignore_ascii_case(b"count") && j + 1 < c.argc() {
            count = Some(parse_long(&c.argv[j + 1])?.max(0) as u64);
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let Some(stream) = read_stream(srv, c.db, &c.argv[1])? else {
        c.reply.array_len(0);
        return Ok(());
    };
    if count == Some(0) {
        c.reply.null_array();
        return Ok(());
    }
    let limit = count.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let entries: Vec<(StreamId, &Fields)> = if rev {
        stream.range(start, end).rev().take(limit).collect()
    } else {
        stream.range(start, end).take(limit).collect()
    };
    c.reply.array_len(entries.len());
    for (id, fields) in entries {
        reply_entry(&mut c.reply, id, fields);
    }
    Ok(())
}

fn xrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    xrange_generic(srv, c, false)
}

fn xrevrange(srv: &mut Server, c: &mut Client) -> CommandResult {
    xrange_generic(srv, c, true)
}

/// XDEL key id [id ...]: deletes entries, replies how many existed. A missing key
/// answers 0 before the IDs are checked.
fn xdel(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    match peek(srv, db, &c.argv[1]) {
        Peek::Missing => {
            c.reply.int(0);
            return Ok(());
        }
        Peek::Other => return Err(CommandError::WrongType),
        Peek::Stream(_) => {}
    }
    // Every ID is checked before any is deleted.
    let ids = c.argv[2..]
        .iter()
        .map(|a| parse_id_strict(a, MissingSeq::Zero))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(stream) = write_stream(srv, db, &c.argv[1])? else {
        c.reply.int(0);
        return Ok(());
    };
    let deleted = ids.into_iter().filter(|&id| stream.delete(id)).count();
    if deleted > 0 {
        srv.notify_key(c, notify::STREAM, "xdel", 1);
        srv.dirty += deleted as u64;
    }
    c.reply.int(deleted as i64);
    Ok(())
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: replies how many entries it
/// removed.
fn xtrim(srv: &mut Server, c: &mut Client) -> CommandResult {
    let args = parse_add_or_trim(srv, c, false)?;
    let db = c.db;
    let key = c.argv[1].clone();
    let Some(stream) = write_stream(srv, db, &key)? else {
        c.reply.int(0);
        return Ok(());
    };
    let mut propagated = None;
    let removed = apply_trim(stream, &args.trim, &mut propagated, &c.argv);
    if removed > 0 {
        srv.notify_key(c, notify::STREAM, "xtrim", 1);
        if let Some(argv) = propagated {
            c.rewrite_propagated(argv);
        }
        srv.dirty += removed;
    }
    c.reply.int(removed as i64);
    Ok(())
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]: sets
/// a stream's last ID and counters, refusing values its entries contradict.
fn xsetid(srv: &mut Server, c: &mut Client) -> CommandResult {
    let id = parse_id_strict(&c.argv[2], MissingSeq::Zero)?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < c.argc() {
        let more = c.argc() - 1 - i;
        let opt = c.argv[i].as_slice();
        if opt.eq_ignore_ascii_case(b"entriesadded") && more > 0 {
            let n = parse_long(&c.argv[i + 1])?;
            if n < 0 {
                return Err(CommandError::Err("entries_added must be positive"));
            }
            entries_added = Some(n as u64);
        } else if opt.eq_ignore_ascii_case(b"maxdeletedid") && more > 0 {
            max_deleted = parse_id_strict(&c.argv[i + 1], MissingSeq::Zero)?;
            if id < max_deleted {
                return Err(CommandError::Err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(CommandError::Syntax);
        }
        i += 2;
    }
    let Some(stream) = write_stream(srv, c.db, &c.argv[1])? else {
        return Err(CommandError::NoSuchKey);
    };
    // The last ID may not go below the last entry, nor the counter below the length.
    if let Some(top) = stream.last_live_id() {
        if id < top {
            return Err(CommandError::Err(
                "The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added.is_some_and(|n| stream.len() > n) {
            return Err(CommandError::Err(
                "The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    stream.last_id = id;
    if let Some(n) = entries_added {
        stream.entries_added = n;
    }
    if max_deleted != StreamId::MIN {
        stream.max_deleted_id = max_deleted;
    }
    c.reply.ok();
    srv.dirty += 1;
    srv.notify_key(c, notify::STREAM, "xsetid", 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// XREAD / XREADGROUP
// ---------------------------------------------------------------------------------------

/// The options of XREAD / XREADGROUP.
struct ReadArgs {
    /// BLOCK's deadline (ms since the epoch): None without BLOCK, Some(None) to wait
    /// forever.
    block: Option<Option<i64>>,
    /// COUNT (0: no limit).
    count: usize,
    /// argv index of the first key; the IDs follow the `n` keys.
    streams_at: usize,
    n: usize,
    /// argv index of the group name (the consumer name follows it).
    group_at: Option<usize>,
    noack: bool,
}

impl ReadArgs {
    fn key<'a>(&self, c: &'a Client, k: usize) -> &'a [u8] {
        &c.argv[self.streams_at + k]
    }

    fn id_arg<'a>(&self, c: &'a Client, k: usize) -> &'a [u8] {
        &c.argv[self.streams_at + self.n + k]
    }
}

/// Parses XREAD's (or, with `group`, XREADGROUP's) options, as xreadCommand.
fn parse_read(srv: &Server, c: &Client, group: bool) -> Result<ReadArgs, CommandError> {
    let argv = &c.argv;
    let argc = argv.len();
    let mut args = ReadArgs {
        block: None,
        count: 0,
        streams_at: 0,
        n: 0,
        group_at: None,
        noack: false,
    };
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let opt = argv[i].as_slice();
        if opt.eq_ignore_ascii_case(b"block") && more > 0 {
            if c.id == crate::scripting::SCRIPT_CLIENT_ID {
                return Err(CommandError::Raw(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    c_text(&argv[0])
                )));
            }
            i += 1;
            let ms = parse_i64(&argv[i]).ok_or(CommandError::Err(
                "timeout is not an integer or out of range",
            ))?;
            if ms < 0 {
                return Err(CommandError::Err("timeout is negative"));
            }
            args.block = Some((ms > 0).then(|| srv.now_ms.saturating_add(ms)));
        } else if opt.eq_ignore_ascii_case(b"count") && more > 0 {
            i += 1;
            let n = parse_long(&argv[i])?.max(0);
            args.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if opt.eq_ignore_ascii_case(b"streams") && more > 0 {
            let rest = argc - (i + 1);
            if !rest.is_multiple_of(2) {
                return Err(CommandError::Err(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            args.streams_at = i + 1;
            args.n = rest / 2;
            break;
        } else if opt.eq_ignore_ascii_case(b"group") && more >= 2 {
            if !group {
                return Err(CommandError::Err(
                    "The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            args.group_at = Some(i + 1);
            i += 2;
        } else if opt.eq_ignore_ascii_case(b"noack") {
            if !group {
                return Err(CommandError::Err(
                    "The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            args.noack = true;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    if args.streams_at == 0 {
        return Err(CommandError::Syntax);
    }
    if group && args.group_at.is_none() {
        return Err(CommandError::Err("Missing GROUP option for XREADGROUP"));
    }
    Ok(args)
}

/// The group side of an XREADGROUP: names and NOACK.
struct GroupRead {
    group: Vec<u8>,
    consumer: Vec<u8>,
    noack: bool,
}

impl GroupRead {
    fn of(args: &ReadArgs, c: &Client) -> Option<GroupRead> {
        let at = args.group_at?;
        Some(GroupRead {
            group: c.argv[at].clone(),
            consumer: c.argv[at + 1].clone(),
            noack: args.noack,
        })
    }
}

/// The argv of the XGROUP CREATECONSUMER that reproduces a consumer a NOACK read created
/// (streamPropagateConsumerCreation).
fn createconsumer_argv(key: &[u8], g: &GroupRead) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"CREATECONSUMER".to_vec(),
        key.to_vec(),
        g.group.clone(),
        g.consumer.clone(),
    ]
}

/// Writes the head of one stream of a read reply: `[key, ` in RESP2, `key => ` in RESP3.
fn reply_stream_head(reply: &mut ReplyBuf, key: &[u8]) {
    if !reply.is_resp3() {
        reply.array_len(2);
    }
    reply.bulk(key);
}

/// One stream of a read reply without entries.
fn reply_no_entries(reply: &mut ReplyBuf, key: &[u8]) {
    reply_stream_head(reply, key);
    reply.array_len(0);
}

/// Inserts at `at` the header of a read reply holding `n` streams (an array of pairs in
/// RESP2, a map in RESP3): the count is known only once every stream was served.
fn insert_read_header(reply: &mut ReplyBuf, at: usize, n: usize) {
    let mut head = ReplyBuf {
        buf: Vec::with_capacity(8),
        resp: reply.resp,
    };
    if head.is_resp3() {
        head.map_len(n);
    } else {
        head.array_len(n);
    }
    reply.buf.splice(at..at, head.buf);
}

/// Replies with the entries of stream `key` (which exists) after `after`, at most
/// `count` (0: all), as one stream of a read reply. Without a group that is all; with
/// one, as Redis's streamReplyWithRange, each entry is delivered to the consumer
/// (created if missing): the group's last ID and read counter follow, the entry joins
/// the consumer's pending list unless NOACK, and the delivery is propagated. Returns
/// whether the consumer was created.
fn serve_new_entries(
    srv: &mut Server,
    c: &mut Client,
    key: &[u8],
    after: StreamId,
    count: usize,
    group: Option<&GroupRead>,
) -> Result<bool, CommandError> {
    let db = c.db;
    let limit = if count == 0 { usize::MAX } else { count };
    let Some(g) = group else {
        let Peek::Stream(stream) = peek(srv, db, key) else {
            reply_no_entries(&mut c.reply, key);
            return Ok(false);
        };
        reply_stream_head(&mut c.reply, key);
        let entries: Vec<(StreamId, &Fields)> = match after.next() {
            Some(start) => stream.range(start, StreamId::MAX).take(limit).collect(),
            None => Vec::new(),
        };
        c.reply.array_len(entries.len());
        for (id, fields) in entries {
            reply_entry(&mut c.reply, id, fields);
        }
        return Ok(false);
    };
    let now = srv.now_ms;
    let Some((stream, mut cg, created)) = open_group(srv, c, key, g)? else {
        return Ok(false);
    };
    reply_stream_head(&mut c.reply, key);
    let ids: Vec<StreamId> = match after.next() {
        Some(start) => {
            let entries: Vec<(StreamId, &Fields)> =
                stream.range(start, StreamId::MAX).take(limit).collect();
            c.reply.array_len(entries.len());
            for &(id, fields) in &entries {
                reply_entry(&mut c.reply, id, fields);
            }
            entries.into_iter().map(|(id, _)| id).collect()
        }
        None => {
            c.reply.array_len(0);
            Vec::new()
        }
    };
    let mut moved = false;
    for id in ids {
        if id > cg.last_id {
            cg.entries_read = stream.entries_read_after_delivery(cg.entries_read, id);
            cg.last_id = id;
            moved = true;
        }
        if !g.noack {
            cg.set_pending(id, &g.consumer, now, 1);
            c.propagate_also(xclaim_propagation(
                key,
                &g.group,
                &g.consumer,
                &id.to_text(),
                now,
                1,
                cg.last_id,
            ));
        }
    }
    // With NOACK no XCLAIM carries the group's new position: it goes on its own.
    if g.noack && moved {
        c.propagate_also(setid_propagation(key, &g.group, &cg));
    }
    stream.groups.insert(g.group.clone(), cg);
    Ok(created)
}

/// The stream at `key` and its group (taken out, for the caller to put back), with
/// the reading consumer created if missing; `None`, after replying with no entries,
/// should either be gone (the caller checked both). As Redis, only NOACK propagates
/// the consumer's creation: otherwise the XCLAIMs create it on the other side, and a
/// history read propagates nothing.
fn open_group<'a>(
    srv: &'a mut Server,
    c: &mut Client,
    key: &[u8],
    g: &GroupRead,
) -> Result<Option<(&'a mut Stream, ConsumerGroup, bool)>, CommandError> {
    let now = srv.now_ms;
    let Some(stream) = write_stream(srv, c.db, key)? else {
        reply_no_entries(&mut c.reply, key);
        return Ok(None);
    };
    let Some(mut cg) = stream.groups.remove(&g.group) else {
        reply_no_entries(&mut c.reply, key);
        return Ok(None);
    };
    let (_, created) = cg.consumer(&g.consumer, now);
    if created && g.noack {
        c.propagate_also(createconsumer_argv(key, g));
    }
    Ok(Some((stream, cg, created)))
}

/// Replies with the consumer's pending entries after `after` (at most `count`, 0: all)
/// as one stream of an XREADGROUP reply (streamReplyWithRangeFromConsumerPEL): an entry
/// deleted meanwhile shows as its ID with a null; the others count one more delivery,
/// now. The consumer is created if missing; returns whether it was.
fn serve_history(
    srv: &mut Server,
    c: &mut Client,
    key: &[u8],
    after: StreamId,
    count: usize,
    g: &GroupRead,
) -> Result<bool, CommandError> {
    let now = srv.now_ms;
    let limit = if count == 0 { usize::MAX } else { count };
    let Some((stream, mut cg, created)) = open_group(srv, c, key, g)? else {
        return Ok(false);
    };
    let (consumer, _) = cg.consumer(&g.consumer, now);
    let ids: Vec<StreamId> = match after.next() {
        Some(start) => consumer
            .pending
            .range(start..)
            .take(limit)
            .copied()
            .collect(),
        None => Vec::new(),
    };
    reply_stream_head(&mut c.reply, key);
    c.reply.array_len(ids.len());
    for id in ids {
        match stream.get(id) {
            Some(fields) => {
                reply_entry(&mut c.reply, id, fields);
                if let Some(p) = cg.pending.get_mut(&id) {
                    p.delivery_time = now;
                    p.delivery_count = p.delivery_count.wrapping_add(1);
                }
            }
            None => {
                c.reply.array_len(2);
                reply_id(&mut c.reply, id);
                c.reply.null_array();
            }
        }
    }
    stream.groups.insert(g.group.clone(), cg);
    Ok(created)
}

/// Counts and publishes a consumer that serving `key` created (streamCreateConsumer).
fn note_served(srv: &mut Server, c: &mut Client, key: &[u8], created: bool, dirty: &mut u64) {
    if created {
        *dirty += 1;
        let db = c.db;
        srv.notify_keyspace_event(c, notify::STREAM, "xgroup-createconsumer", key, db);
    }
}

/// Ends an XREADGROUP: Redis counts its changes in `dirty` but propagates only the
/// commands it generated, never the request. Our server propagates a request whose
/// `dirty` grew, so the changes are counted only when something stands for them.
fn finish_group_read(srv: &mut Server, c: &mut Client, dirty: u64) {
    if !c.propagate_list.is_empty() {
        srv.dirty += dirty;
        c.force_propagate = true;
    }
}

/// XREAD [COUNT n] [BLOCK ms] STREAMS key... id...
fn xread(srv: &mut Server, c: &mut Client) -> CommandResult {
    xread_generic(srv, c, false)
}

/// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...
fn xreadgroup(srv: &mut Server, c: &mut Client) -> CommandResult {
    xread_generic(srv, c, true)
}

/// XREAD and XREADGROUP, as Redis's xreadCommand: serves at once every stream that has
/// something for the caller; else blocks (BLOCK) or replies null.
fn xread_generic(srv: &mut Server, c: &mut Client, is_group: bool) -> CommandResult {
    let args = parse_read(srv, c, is_group)?;
    let group = GroupRead::of(&args, c);
    if blocking::is_rerun(c) {
        return serve_blocked(srv, c, &args, group.as_ref());
    }
    let db = c.db;
    // Resolve every key's ID, checking types and groups key by key. MAX stands for `>`
    // (so an explicit maximal ID reads as `>` too, as in Redis).
    let mut ids = Vec::with_capacity(args.n);
    for k in 0..args.n {
        let key = args.key(c, k);
        let stream = read_stream(srv, db, key)?;
        if let Some(g) = &group {
            if stream.is_none_or(|s| !s.groups.contains_key(&g.group)) {
                return Err(CommandError::Raw(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    c_text(key),
                    c_text(&g.group)
                )));
            }
        }
        let arg = args.id_arg(c, k);
        let id = match arg {
            b"$" if is_group => {
                return Err(CommandError::Err(
                    "The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                ));
            }
            b"$" => stream.map_or(StreamId::MIN, |s| s.last_id),
            b">" if !is_group => {
                return Err(CommandError::Err(
                    "The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                ));
            }
            b">" => StreamId::MAX,
            _ => parse_id_strict(arg, MissingSeq::Zero)?,
        };
        ids.push(id);
    }
    // Serve synchronously what can be.
    let header_at = c.reply.buf.len();
    let mut served_streams = 0;
    let mut dirty = 0;
    for (k, &id) in ids.iter().enumerate() {
        let key = args.key(c, k).to_vec();
        let Some(stream) = read_stream(srv, db, &key)? else {
            continue;
        };
        // What to serve: None, the history after an ID, or the entries after an ID.
        let top = stream.last_live_id();
        let plan = match &group {
            // A history ID: always served, from the consumer's pending list.
            Some(_) if id != StreamId::MAX => Some((true, id)),
            Some(g) => {
                let last = stream
                    .groups
                    .get(&g.group)
                    .map_or(StreamId::MAX, |cg| cg.last_id);
                top.filter(|&t| t > last).map(|_| (false, last))
            }
            None => top.filter(|&t| t > id).map(|_| (false, id)),
        };
        let Some((history, after)) = plan else {
            continue;
        };
        let created = match &group {
            Some(g) if history => serve_history(srv, c, &key, after, args.count, g)?,
            g => serve_new_entries(srv, c, &key, after, args.count, g.as_ref())?,
        };
        served_streams += 1;
        if group.is_some() {
            dirty += 1;
        }
        note_served(srv, c, &key, created, &mut dirty);
    }
    if served_streams > 0 {
        insert_read_header(&mut c.reply, header_at, served_streams);
        finish_group_read(srv, c, dirty);
        return Ok(());
    }
    let Some(deadline) = args.block else {
        c.reply.null_array();
        return Ok(());
    };
    let keys: Vec<Vec<u8>> = (0..args.n).map(|k| args.key(c, k).to_vec()).collect();
    // The parked request is re-run as it is: `$` must mean the last ID of now, not of
    // the re-run. The client's own argv (MONITOR, SLOWLOG) keeps the `$`.
    let original = (!is_group && blocking::may_block(c)).then(|| c.argv.clone());
    if original.is_some() {
        for (k, id) in ids.iter().enumerate() {
            let at = args.streams_at + args.n + k;
            if c.argv[at] == b"$" {
                c.argv[at] = id_arg(*id);
            }
        }
    }
    block_for_keys(srv, c, keys, deadline, TimeoutReply::NullArray);
    if let Some(b) = c.blocked.as_mut().filter(|_| is_group) {
        b.wake_when_gone = true;
    }
    if let Some(argv) = original {
        c.argv = argv;
    }
    Ok(())
}

/// The re-run of a blocked XREAD/XREADGROUP after one of its keys was signalled, as
/// Redis's serveClientsBlockedOnStreamKey: the first key (in request order) whose last
/// ID passed the one the client waits after is served, alone, with COUNT or at most
/// 1000 entries. For XREADGROUP the wait is after the group's last ID, and a key that
/// is gone (or no longer a stream) or a group that was destroyed ends the wait with an
/// error. Otherwise the client keeps waiting.
fn serve_blocked(
    srv: &mut Server,
    c: &mut Client,
    args: &ReadArgs,
    group: Option<&GroupRead>,
) -> CommandResult {
    let db = c.db;
    let count = if args.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        args.count
    };
    for k in 0..args.n {
        let key = args.key(c, k).to_vec();
        let after = match (peek(srv, db, &key), group) {
            (Peek::Stream(s), Some(g)) => match s.groups.get(&g.group) {
                Some(cg) if s.last_id > cg.last_id => cg.last_id,
                Some(_) => continue,
                None => return Err(CommandError::Raw(GROUP_DESTROYED.into())),
            },
            (_, Some(_)) => return Err(CommandError::Raw(STREAM_GONE.into())),
            (Peek::Stream(s), None) => {
                let after = parse_id_strict(args.id_arg(c, k), MissingSeq::Zero)?;
                if s.last_id <= after {
                    continue;
                }
                after
            }
            // A key of another type does not serve XREAD: keep waiting.
            (_, None) => continue,
        };
        let header_at = c.reply.buf.len();
        let created = serve_new_entries(srv, c, &key, after, count, group)?;
        insert_read_header(&mut c.reply, header_at, 1);
        let mut dirty = 0;
        note_served(srv, c, &key, created, &mut dirty);
        finish_group_read(srv, c, dirty);
        return Ok(());
    }
    let keys: Vec<Vec<u8>> = (0..args.n).map(|k| args.key(c, k).to_vec()).collect();
    block_for_keys(srv, c, keys, None, TimeoutReply::NullArray);
    Ok(())
}
