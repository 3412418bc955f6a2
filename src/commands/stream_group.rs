//! Stream consumer-group commands, as Redis 7.0's `t_stream.c`: XGROUP (CREATE, SETID,
//! DESTROY, CREATECONSUMER, DELCONSUMER, HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM and
//! XINFO (STREAM [FULL], GROUPS, CONSUMERS, HELP).
//!
//! As in Redis, every XGROUP subcommand runs one function ([`xgroup`]), so the checks
//! common to them come in Redis's order (options, key, group) before the subcommand's
//! own. XCLAIM and XAUTOCLAIM never propagate themselves: each PEL change they make goes
//! out as an idempotent `XCLAIM ... TIME t RETRYCOUNT n FORCE JUSTID LASTID id` (Redis's
//! streamPropagateXCLAIM), and a LASTID that moved the group without any claim as
//! `XGROUP SETID ... ENTRIESREAD n`.
//!
//! Redis signals a modified key (WATCH, client tracking) only when XGROUP CREATE
//! MKSTREAM creates the stream: group, PEL and consumer changes leave watchers alone, so
//! these commands mark their key untouched.

use std::ops::Bound;

use super::client::reply_help;
use super::flags::*;
use super::keys::write_as;
use super::server_cmds::subcommand_syntax_error;
use super::stream_common::{
    c_text, create_stream, parse_id, parse_id_strict, parse_range_end, parse_range_start,
    read_stream, reply_entry, reply_id, setid_propagation, write_stream, xclaim_propagation,
};
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{Client, Server};
use crate::types::stream::{ConsumerGroup, MissingSeq, PendingEntry, StreamId};
use crate::types::Stream;
use crate::util::numbers::parse_i64;

/// The key of an XGROUP / XINFO subcommand (`XGROUP CREATE <key> ...`).
const SUB_KEY: Keys = Keys {
    first: 2,
    last: 2,
    step: 1,
};

/// The consumer-group family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xack", xack, -4, WRITE | FAST, Keys::ONE, "stream", "5.0.0", "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.")
        .with_complexity("O(1) for each message ID processed."),
    CommandSpec::new("xautoclaim", xautoclaim, -6, WRITE | FAST, Keys::ONE, "stream", "6.2.0", "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.")
        .with_complexity("O(1) if COUNT is small."),
    CommandSpec::new("xclaim", xclaim, -6, WRITE | FAST, Keys::ONE, "stream", "5.0.0", "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.")
        .with_complexity("O(log N) with N being the number of messages in the PEL of the consumer group."),
    CommandSpec::new("xgroup", container_handler, -2, 0, Keys::NONE, "stream", "5.0.0", "A container for consumer groups commands")
        .with_complexity("Depends on subcommand.")
        .with_subcommands(XGROUP_SUBCOMMANDS),
    CommandSpec::new("xinfo", container_handler, -2, 0, Keys::NONE, "stream", "5.0.0", "A container for stream introspection commands")
        .with_complexity("Depends on subcommand.")
        .with_subcommands(XINFO_SUBCOMMANDS),
    CommandSpec::new("xpending", xpending, -3, READONLY, Keys::ONE, "stream", "5.0.0", "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.")
        .with_complexity("O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer."),
];

const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "create",
        xgroup,
        -5,
        WRITE | DENYOOM,
        SUB_KEY,
        "stream",
        "5.0.0",
        "Create a consumer group.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "createconsumer",
        xgroup,
        5,
        WRITE | DENYOOM,
        SUB_KEY,
        "stream",
        "6.2.0",
        "Create a consumer in a consumer group.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "delconsumer",
        xgroup,
        5,
        WRITE,
        SUB_KEY,
        "stream",
        "5.0.0",
        "Delete a consumer from a consumer group.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "destroy",
        xgroup,
        4,
        WRITE,
        SUB_KEY,
        "stream",
        "5.0.0",
        "Destroy a consumer group.",
    )
    .with_complexity(
        "O(N) where N is the number of entries in the group's pending entries list (PEL).",
    ),
    CommandSpec::new(
        "help",
        xgroup,
        2,
        LOADING | STALE,
        Keys::NONE,
        "stream",
        "5.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "setid",
        xgroup,
        -5,
        WRITE,
        SUB_KEY,
        "stream",
        "5.0.0",
        "Set a consumer group to an arbitrary last delivered ID value.",
    )
    .with_complexity("O(1)"),
];

const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "consumers",
        xinfo_consumers,
        4,
        READONLY,
        SUB_KEY,
        "stream",
        "5.0.0",
        "List the consumers in a consumer group",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "groups",
        xinfo_groups,
        3,
        READONLY,
        SUB_KEY,
        "stream",
        "5.0.0",
        "List the consumer groups of a stream",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "help",
        xinfo_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "stream",
        "5.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "stream",
        xinfo_stream,
        -3,
        READONLY,
        SUB_KEY,
        "stream",
        "5.0.0",
        "Get information about a stream",
    )
    .with_complexity("O(1)"),
];

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Whether `arg` equals `word`, ignoring ASCII case.
fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// `NOGROUP No such key '<key>' or consumer group '<group>'` (XPENDING, XCLAIM,
/// XAUTOCLAIM).
fn no_key_or_group(key: &[u8], group: &[u8]) -> CommandError {
    CommandError::Raw(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        c_text(key),
        c_text(group)
    ))
}

/// `NOGROUP No such consumer group '<group>' for key name '<key>'` (XGROUP, XINFO).
fn no_group_for_key(group: &[u8], key: &[u8]) -> CommandError {
    CommandError::Raw(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        c_text(group),
        c_text(key)
    ))
}

/// The XCLAIM that recreates the PEL entry `entry` of `id` (as the request gave it).
fn xclaim_argv(
    key: &[u8],
    group_name: &[u8],
    id: &[u8],
    entry: &PendingEntry,
    group_last_id: StreamId,
) -> Vec<Vec<u8>> {
    let (time, count) = (entry.delivery_time, entry.delivery_count);
    xclaim_propagation(
        key,
        group_name,
        &entry.consumer,
        id,
        time,
        count,
        group_last_id,
    )
}

/// Checks, with a read lookup (a keyspace hit or miss, as Redis's lookupKeyRead), that
/// `key` holds a stream with the group `group`: WRONGTYPE for another type, NOGROUP
/// ("No such key ... or consumer group") when either is missing.
fn check_group_exists(srv: &mut Server, db: usize, key: &[u8], group: &[u8]) -> CommandResult {
    match read_stream(srv, db, key)? {
        Some(s) if s.groups.contains_key(group) => Ok(()),
        _ => Err(no_key_or_group(key, group)),
    }
}

/// The stream at `key`, known to exist, for a write.
fn existing_stream<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<&'a mut Stream, CommandError> {
    Ok(write_stream(srv, db, key)?.expect("the stream was just looked up"))
}

/// Runs `f` on the stream and its group `name` (both known to exist), with the group
/// taken out of the stream so that `f` may read entries while changing the group.
fn with_group<R>(
    stream: &mut Stream,
    name: &[u8],
    f: impl FnOnce(&Stream, &mut ConsumerGroup) -> R,
) -> R {
    let (name, mut group) = stream
        .groups
        .remove_entry(name)
        .expect("the group was just looked up");
    let result = f(stream, &mut group);
    stream.groups.insert(name, group);
    result
}

/// Replies with the claimed entries of XCLAIM / XAUTOCLAIM: their IDs (JUSTID) or the
/// entries themselves.
fn reply_claimed(reply: &mut ReplyBuf, stream: &Stream, ids: &[StreamId], justid: bool) {
    reply.array_len(ids.len());
    for &id in ids {
        if justid {
            reply_id(reply, id);
        } else {
            let fields = stream.get(id).expect("a claimed entry exists");
            reply_entry(reply, id, fields);
        }
    }
}

/// Redis's lag of a group as XINFO replies it: an integer, or null when unknown.
fn reply_lag(reply: &mut ReplyBuf, stream: &Stream, group: &ConsumerGroup) {
    match stream.group_lag_signed(group) {
        Some(lag) => reply.int(lag),
        None => reply.null(),
    }
}

/// A group's `entries-read` as XINFO replies it: an integer, or null when unknown.
fn reply_entries_read(reply: &mut ReplyBuf, group: &ConsumerGroup) {
    match group.entries_read {
        Some(n) => reply.int(n as i64),
        None => reply.null(),
    }
}

/// The number of nodes of the radix tree Redis keeps a stream's listpacks in (XINFO
/// STREAM's `radix-tree-nodes`), given the nodes' master IDs in order. Redis's rax
/// stores 16-byte big-endian keys; with keys all of one length its shape depends only on
/// the key set: a node for the root, for each leaf, for each vertex with two or more
/// children, for each child of such a vertex, and for the end of each chain of
/// single-child vertices (one compressed node holds the chain).
fn rax_node_count(master_ids: impl Iterator<Item = StreamId>) -> usize {
    let keys: Vec<[u8; 16]> = master_ids.map(StreamId::to_be_bytes).collect();
    if keys.is_empty() {
        // The empty root.
        return 1;
    }
    rax_subtree_nodes(&keys, 0, true)
}

/// Nodes of the subtree of the vertex at `depth` under which all of `keys` (sorted,
/// distinct, sharing their first `depth` bytes) lie; `starts_node` tells whether that
/// vertex begins a node (the root, or a child of a branching vertex).
fn rax_subtree_nodes(keys: &[[u8; 16]], depth: usize, starts_node: bool) -> usize {
    let (first, last) = (&keys[0], &keys[keys.len() - 1]);
    let common = depth
        + first[depth..]
            .iter()
            .zip(&last[depth..])
            .take_while(|(a, b)| a == b)
            .count();
    let mut nodes = 0;
    // A chain of single-child vertices down to `common`: one compressed node.
    if common > depth && starts_node {
        nodes += 1;
    }
    // A leaf (the chain ends at a whole key) or a branching vertex.
    nodes += 1;
    if common == 16 {
        return nodes;
    }
    let mut rest = keys;
    while let Some(head) = rest.first() {
        let byte = head[common];
        let len = rest.partition_point(|k| k[common] == byte);
        nodes += rax_subtree_nodes(&rest[..len], common + 1, true);
        rest = &rest[len..];
    }
    nodes
}

// ---------------------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------------------

const XGROUP_HELP: &[&str] = &[
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// The XGROUP subcommand of a request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum GroupSub {
    Create,
    SetId,
    Destroy,
    CreateConsumer,
    DelConsumer,
    Help,
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n], SETID key group id|$
/// [ENTRIESREAD n], DESTROY key group, CREATECONSUMER key group consumer, DELCONSUMER key
/// group consumer, HELP: one function, as Redis's xgroupCommand, so the shared checks
/// (options, then the key, then the group) come first and in Redis's order.
fn xgroup(srv: &mut Server, c: &mut Client) -> CommandResult {
    let argc = c.argc();
    let sub = match &c.argv[1] {
        a if is(a, "create") => GroupSub::Create,
        a if is(a, "setid") => GroupSub::SetId,
        a if is(a, "destroy") => GroupSub::Destroy,
        a if is(a, "createconsumer") => GroupSub::CreateConsumer,
        a if is(a, "delconsumer") => GroupSub::DelConsumer,
        _ => GroupSub::Help,
    };
    if argc < 4 {
        // Only HELP has fewer than four arguments (the table checked the arity).
        reply_help(c, XGROUP_HELP);
        return Ok(());
    }
    // Options of CREATE and SETID.
    let mut mkstream = false;
    let mut entries_read: i64 = -1;
    let mut i = 5;
    while i < argc {
        let opt = &c.argv[i];
        if sub == GroupSub::Create && is(opt, "mkstream") {
            mkstream = true;
            i += 1;
        } else if matches!(sub, GroupSub::Create | GroupSub::SetId)
            && is(opt, "entriesread")
            && i + 1 < argc
        {
            entries_read = parse_i64(&c.argv[i + 1]).ok_or(CommandError::NotInteger)?;
            if entries_read < -1 {
                return Err(CommandError::Err(
                    "value for ENTRIESREAD must be positive or -1",
                ));
            }
            i += 2;
        } else {
            return Err(subcommand_syntax_error(c));
        }
    }
    let entries_read = u64::try_from(entries_read).ok();
    let db = c.db;
    // The key (a write lookup) and the group.
    let (key_exists, group_exists) = match write_as::<Stream>(srv, db, &c.argv[2])? {
        Some(s) => (true, s.groups.contains_key(&c.argv[3])),
        None => (false, false),
    };
    if !mkstream {
        if !key_exists {
            return Err(CommandError::Err("The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."));
        }
        if !group_exists
            && matches!(
                sub,
                GroupSub::SetId | GroupSub::CreateConsumer | GroupSub::DelConsumer
            )
        {
            return Err(no_group_for_key(&c.argv[3], &c.argv[2]));
        }
    }
    // Group changes are not key modifications for WATCH (Redis signals none).
    c.untouched_key = Some(2);
    match sub {
        GroupSub::Create if argc <= 8 => xgroup_create(srv, c, key_exists, entries_read),
        GroupSub::SetId if argc == 5 || argc == 7 => xgroup_setid(srv, c, entries_read),
        GroupSub::Destroy if argc == 4 => xgroup_destroy(srv, c, group_exists),
        GroupSub::CreateConsumer if argc == 5 => xgroup_createconsumer(srv, c),
        GroupSub::DelConsumer if argc == 5 => xgroup_delconsumer(srv, c, group_exists),
        _ => Err(subcommand_syntax_error(c)),
    }
}

/// XGROUP CREATE, once the shared checks passed: creates the stream if MKSTREAM let it
/// be missing, then the group delivering after the given ID (`$`: the last ID).
fn xgroup_create(
    srv: &mut Server,
    c: &mut Client,
    key_exists: bool,
    entries_read: Option<u64>,
) -> CommandResult {
    let db = c.db;
    let dollar = c_text(&c.argv[4]) == "$";
    let id = if dollar {
        None
    } else {
        Some(parse_id_strict(&c.argv[4], MissingSeq::Zero)?)
    };
    let stream = if key_exists {
        existing_stream(srv, db, &c.argv[2])?
    } else {
        // MKSTREAM: the key is created, which Redis signals as a modification.
        c.untouched_key = None;
        create_stream(srv, db, &c.argv[2])
    };
    let id = id.unwrap_or(stream.last_id);
    if stream.groups.contains_key(&c.argv[3]) {
        // Only on a stream that existed: one MKSTREAM just created has no groups.
        return Err(CommandError::Raw(
            "BUSYGROUP Consumer Group name already exists".into(),
        ));
    }
    stream
        .groups
        .insert(c.argv[3].clone(), ConsumerGroup::new(id, entries_read));
    c.reply.ok();
    srv.dirty += 1;
    srv.notify_key(c, notify::STREAM, "xgroup-create", 2);
    Ok(())
}

/// XGROUP SETID: moves the group's last delivered ID (`$`: the stream's last ID; `-`
/// and `+` are accepted here) and sets its read counter (unknown unless ENTRIESREAD).
fn xgroup_setid(srv: &mut Server, c: &mut Client, entries_read: Option<u64>) -> CommandResult {
    let db = c.db;
    let dollar = c_text(&c.argv[4]) == "$";
    let id = if dollar {
        None
    } else {
        Some(parse_id(&c.argv[4], MissingSeq::Zero)?)
    };
    let stream = existing_stream(srv, db, &c.argv[2])?;
    let id = id.unwrap_or(stream.last_id);
    let group = stream
        .groups
        .get_mut(&c.argv[3])
        .expect("the group was just looked up");
    group.last_id = id;
    group.entries_read = entries_read;
    c.reply.ok();
    srv.dirty += 1;
    srv.notify_key(c, notify::STREAM, "xgroup-setid", 2);
    Ok(())
}

/// XGROUP DESTROY: 1 if the group existed (its blocked readers then get NOGROUP), else 0.
fn xgroup_destroy(srv: &mut Server, c: &mut Client, group_exists: bool) -> CommandResult {
    if !group_exists {
        c.reply.int(0);
        return Ok(());
    }
    let db = c.db;
    existing_stream(srv, db, &c.argv[2])?
        .groups
        .remove(&c.argv[3]);
    c.reply.int(1);
    srv.dirty += 1;
    srv.notify_key(c, notify::STREAM, "xgroup-destroy", 2);
    // XREADGROUP clients blocked on the group are served (with -NOGROUP).
    srv.dbs[db].signal_ready(&c.argv[2]);
    Ok(())
}

/// XGROUP CREATECONSUMER: 1 if the consumer was created, 0 if it existed (its seen time
/// is left alone).
fn xgroup_createconsumer(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (db, now) = (c.db, srv.now_ms);
    let group = existing_stream(srv, db, &c.argv[2])?
        .groups
        .get_mut(&c.argv[3])
        .expect("the group was just looked up");
    let created = !group.consumers.contains_key(&c.argv[4]);
    if created {
        group.consumer(&c.argv[4], now);
    }
    // As in Redis, the event comes before the reply.
    if created {
        srv.dirty += 1;
        srv.notify_key(c, notify::STREAM, "xgroup-createconsumer", 2);
    }
    c.reply.int(i64::from(created));
    Ok(())
}

/// XGROUP DELCONSUMER: deletes the consumer and its pending entries; replies how many
/// it had (0 if it did not exist).
fn xgroup_delconsumer(srv: &mut Server, c: &mut Client, group_exists: bool) -> CommandResult {
    debug_assert!(group_exists);
    let db = c.db;
    let deleted = existing_stream(srv, db, &c.argv[2])?
        .groups
        .get_mut(&c.argv[3])
        .and_then(|g| g.delete_consumer(&c.argv[4]));
    // As in Redis, the event comes before the reply.
    if deleted.is_some() {
        srv.dirty += 1;
        srv.notify_key(c, notify::STREAM, "xgroup-delconsumer", 2);
    }
    c.reply.int(deleted.unwrap_or(0) as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// XACK
// ---------------------------------------------------------------------------------------

/// XACK key group id [id ...]: removes the IDs from the group's PEL; replies how many
/// were pending. A missing key or group acknowledges nothing (the IDs go unchecked);
/// otherwise one invalid ID fails the whole command before any change.
fn xack(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    let ids: Vec<StreamId> = {
        let Some(group) = read_stream(srv, db, &c.argv[1])?.and_then(|s| s.groups.get(&c.argv[2]))
        else {
            c.reply.int(0);
            return Ok(());
        };
        let mut ids = Vec::with_capacity(c.argv.len() - 3);
        for arg in &c.argv[3..] {
            ids.push(parse_id_strict(arg, MissingSeq::Zero)?);
        }
        // Only a group with something to acknowledge is written (and copied, if a
        // snapshot shares the stream).
        if !ids.iter().any(|id| group.pending.contains_key(id)) {
            c.reply.int(0);
            return Ok(());
        }
        ids
    };
    let group = existing_stream(srv, db, &c.argv[1])?
        .groups
        .get_mut(&c.argv[2])
        .expect("the group was just looked up");
    let acked = ids.into_iter().filter(|&id| group.ack(id)).count();
    c.reply.int(acked as i64);
    srv.dirty += acked as u64;
    c.untouched_key = Some(1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// XPENDING
// ---------------------------------------------------------------------------------------

/// XPENDING key group [[IDLE min-idle] start end count [consumer]]: without a range, a
/// summary (count, first and last ID, pending count per consumer); with one, up to
/// `count` pending entries in the range (of `consumer` only, if given) with their
/// owner, idle time and delivery count.
fn xpending(srv: &mut Server, c: &mut Client) -> CommandResult {
    let argc = c.argc();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(CommandError::Syntax);
    }
    // The range arguments are checked before the key, as in Redis.
    let mut range = None;
    if argc >= 6 {
        let mut start_at = 3;
        let mut min_idle = 0i64;
        if is(&c.argv[3], "idle") {
            min_idle = parse_i64(&c.argv[4]).ok_or(CommandError::NotInteger)?;
            if argc < 8 {
                return Err(CommandError::Syntax);
            }
            start_at += 2;
        }
        let count = parse_i64(&c.argv[start_at + 2])
            .ok_or(CommandError::NotInteger)?
            .max(0);
        let start = parse_range_start(&c.argv[start_at])?;
        let end = parse_range_end(&c.argv[start_at + 1])?;
        // Arguments after the consumer name are ignored, as Redis does.
        let consumer = c.argv.get(start_at + 3).cloned();
        range = Some((min_idle, start, end, count as u64, consumer));
    }
    let (db, now) = (c.db, srv.now_ms);
    let stream = read_stream(srv, db, &c.argv[1])?;
    let Some(group) = stream.and_then(|s| s.groups.get(&c.argv[2])) else {
        return Err(no_key_or_group(&c.argv[1], &c.argv[2]));
    };
    let reply = &mut c.reply;
    let Some((min_idle, start, end, count, consumer)) = range else {
        reply_pending_summary(reply, group);
        return Ok(());
    };
    let pel = match consumer {
        Some(name) => match group.consumers.get(&name) {
            Some(consumer) => Some(&consumer.pending),
            // An unknown consumer has nothing pending.
            None => {
                reply.array_len(0);
                return Ok(());
            }
        },
        None => None,
    };
    let mut rows = Vec::new();
    // A range whose end precedes its start holds nothing.
    if start <= end {
        let ids: Box<dyn Iterator<Item = &StreamId>> = match pel {
            Some(ids) => Box::new(ids.range(start..=end)),
            None => Box::new(group.pending.range(start..=end).map(|(id, _)| id)),
        };
        for id in ids {
            if rows.len() as u64 >= count {
                break;
            }
            let entry = &group.pending[id];
            if min_idle != 0 && now.wrapping_sub(entry.delivery_time) < min_idle {
                continue;
            }
            rows.push((*id, entry));
        }
    }
    reply.array_len(rows.len());
    for (id, entry) in rows {
        reply.array_len(4);
        reply_id(reply, id);
        reply.bulk(&entry.consumer);
        reply.int(now.wrapping_sub(entry.delivery_time).max(0));
        reply.int(entry.delivery_count as i64);
    }
    Ok(())
}

/// XPENDING's summary of a group: [count, first ID, last ID, [[consumer, count]...]]
/// with nulls when nothing is pending; consumers with nothing pending are left out.
fn reply_pending_summary(reply: &mut ReplyBuf, group: &ConsumerGroup) {
    reply.array_len(4);
    reply.int(group.pending.len() as i64);
    let (Some((&first, _)), Some((&last, _))) = (
        group.pending.first_key_value(),
        group.pending.last_key_value(),
    ) else {
        reply.null();
        reply.null();
        reply.null_array();
        return;
    };
    reply_id(reply, first);
    reply_id(reply, last);
    let busy: Vec<_> = group
        .consumers
        .iter()
        .filter(|(_, consumer)| !consumer.pending.is_empty())
        .collect();
    reply.array_len(busy.len());
    for (name, consumer) in busy {
        reply.array_len(2);
        reply.bulk(name);
        reply.bulk_int(consumer.pending.len() as i64);
    }
}

// ---------------------------------------------------------------------------------------
// XCLAIM
// ---------------------------------------------------------------------------------------

/// XCLAIM's options.
struct ClaimOptions {
    force: bool,
    justid: bool,
    /// The delivery time the claimed entries get.
    delivery_time: i64,
    /// RETRYCOUNT: the delivery count they get (else it grows by one, unless JUSTID).
    retry_count: Option<u64>,
    /// LASTID: the group's last ID moves up to it.
    last_id: StreamId,
}

/// Parses XCLAIM's options from `c.argv[from..]`, with Redis's texts for bad values.
fn parse_claim_options(c: &Client, from: usize, now: i64) -> Result<ClaimOptions, CommandError> {
    let argc = c.argc();
    let mut force = false;
    let mut justid = false;
    let mut delivery_time: Option<i64> = None;
    let mut retry_count: i64 = -1;
    let mut last_id = StreamId::MIN;
    let number = |arg: &[u8], what: &'static str| parse_i64(arg).ok_or(CommandError::Err(what));
    let mut j = from;
    while j < argc {
        let more = j + 1 < argc;
        let opt = &c.argv[j];
        if is(opt, "force") {
            force = true;
        } else if is(opt, "justid") {
            justid = true;
        } else if is(opt, "idle") && more {
            j += 1;
            let idle = number(&c.argv[j], "Invalid IDLE option argument for XCLAIM")?;
            delivery_time = Some(now.wrapping_sub(idle));
        } else if is(opt, "time") && more {
            j += 1;
            delivery_time = Some(number(
                &c.argv[j],
                "Invalid TIME option argument for XCLAIM",
            )?);
        } else if is(opt, "retrycount") && more {
            j += 1;
            retry_count = number(&c.argv[j], "Invalid RETRYCOUNT option argument for XCLAIM")?;
        } else if is(opt, "lastid") && more {
            j += 1;
            last_id = parse_id_strict(&c.argv[j], MissingSeq::Zero)?;
        } else {
            return Err(CommandError::Raw(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                c_text(opt)
            )));
        }
        j += 1;
    }
    // A time in the future or before the epoch (a client's clock may differ from
    // ours) means now, as does no IDLE or TIME at all.
    let delivery_time = delivery_time
        .filter(|t| (0..=now).contains(t))
        .unwrap_or(now);
    Ok(ClaimOptions {
        force,
        justid,
        delivery_time,
        retry_count: u64::try_from(retry_count).ok(),
        last_id,
    })
}

/// What XCLAIM / XAUTOCLAIM did to a group, for the caller to reply, count and
/// propagate once the stream is no longer borrowed.
#[derive(Default)]
struct ClaimOutcome {
    /// IDs now owned by the consumer, in order.
    claimed: Vec<StreamId>,
    /// IDs dropped from the PEL because their entries are gone (XAUTOCLAIM replies them).
    deleted: Vec<StreamId>,
    /// The commands that stand for the changes: one per change, besides the consumer's
    /// creation (which the first XCLAIM makes on the other side too).
    propagate: Vec<Vec<Vec<u8>>>,
    /// Whether the consumer had to be created.
    consumer_created: bool,
    /// The cursor XAUTOCLAIM replies.
    next: StreamId,
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]: gives the pending entries idle for
/// at least min-idle-time to the consumer (FORCE: also entries not pending); replies
/// with the claimed entries (or IDs). Pending IDs whose entries are gone are dropped.
fn xclaim(srv: &mut Server, c: &mut Client) -> CommandResult {
    let db = c.db;
    check_group_exists(srv, db, &c.argv[1], &c.argv[2])?;
    let min_idle = parse_i64(&c.argv[4])
        .ok_or(CommandError::Err(
            "Invalid min-idle-time argument for XCLAIM",
        ))?
        .max(0);
    // The IDs run up to the first argument that is not one: the options follow.
    let mut ids = Vec::new();
    for (j, arg) in c.argv.iter().enumerate().skip(5) {
        match parse_id_strict(arg, MissingSeq::Zero) {
            Ok(id) => ids.push((id, j)),
            Err(_) => break,
        }
    }
    let now = srv.now_ms;
    let opts = parse_claim_options(c, 5 + ids.len(), now)?;
    let (key, group_name, consumer) = (&c.argv[1], &c.argv[2], &c.argv[3]);
    let stream = existing_stream(srv, db, key)?;
    let outcome = with_group(stream, group_name, |stream, group| {
        let mut out = ClaimOutcome::default();
        let mut last_id_moved = false;
        if opts.last_id > group.last_id {
            group.last_id = opts.last_id;
            last_id_moved = true;
        }
        let mut have_consumer = false;
        for &(id, j) in &ids {
            let pending = group.pending.get(&id);
            if stream.get(id).is_none() {
                // The entry is gone: its PEL entry goes too.
                if let Some(entry) = pending {
                    out.propagate.push(xclaim_argv(
                        key,
                        group_name,
                        &c.argv[j],
                        entry,
                        group.last_id,
                    ));
                    last_id_moved = false;
                    group.ack(id);
                }
                continue;
            }
            let count = match pending {
                Some(entry) => {
                    if min_idle != 0 && now.wrapping_sub(entry.delivery_time) < min_idle {
                        continue;
                    }
                    entry.delivery_count
                }
                // FORCE creates the PEL entry, delivered once so far.
                None if opts.force => 1,
                None => continue,
            };
            if !have_consumer {
                have_consumer = true;
                out.consumer_created = group.consumer(consumer, now).1;
            }
            let count = match opts.retry_count {
                Some(n) => n,
                None if opts.justid => count,
                None => count.wrapping_add(1),
            };
            group.set_pending(id, consumer, opts.delivery_time, count);
            out.claimed.push(id);
            let entry = &group.pending[&id];
            out.propagate.push(xclaim_argv(
                key,
                group_name,
                &c.argv[j],
                entry,
                group.last_id,
            ));
            last_id_moved = false;
        }
        // A LASTID no claim carried goes out on its own.
        if last_id_moved {
            out.propagate
                .push(setid_propagation(key, group_name, group));
        }
        out
    });
    reply_claimed(&mut c.reply, stream, &outcome.claimed, opts.justid);
    finish_claim(srv, c, outcome);
    Ok(())
}

/// Counts, propagates and notifies what XCLAIM / XAUTOCLAIM changed.
fn finish_claim(srv: &mut Server, c: &mut Client, outcome: ClaimOutcome) {
    srv.dirty += outcome.propagate.len() as u64 + u64::from(outcome.consumer_created);
    for argv in outcome.propagate {
        c.propagate_also(argv);
    }
    c.untouched_key = Some(1);
    if outcome.consumer_created {
        srv.notify_key(c, notify::STREAM, "xgroup-createconsumer", 1);
    }
}

// ---------------------------------------------------------------------------------------
// XAUTOCLAIM
// ---------------------------------------------------------------------------------------

/// How many PEL entries XAUTOCLAIM may look at per entry it may claim.
const AUTOCLAIM_ATTEMPTS_FACTOR: u64 = 10;

/// Largest XAUTOCLAIM COUNT: Redis's LONG_MAX / max(sizeof(streamID), attempts factor).
const AUTOCLAIM_MAX_COUNT: i64 = i64::MAX / 16;

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]: claims up
/// to COUNT (default 100) PEL entries from `start` on that were idle at least
/// min-idle-time, looking at no more than 10 times COUNT of them. Replies [next cursor,
/// claimed entries (or IDs), IDs dropped from the PEL because their entries are gone].
fn xautoclaim(srv: &mut Server, c: &mut Client) -> CommandResult {
    let argc = c.argc();
    let min_idle = parse_i64(&c.argv[4])
        .ok_or(CommandError::Err(
            "Invalid min-idle-time argument for XAUTOCLAIM",
        ))?
        .max(0);
    let start = parse_range_start(&c.argv[5])?;
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argc {
        let more = j + 1 < argc;
        if is(&c.argv[j], "count") && more {
            count = parse_i64(&c.argv[j + 1])
                .filter(|n| (1..=AUTOCLAIM_MAX_COUNT).contains(n))
                .ok_or(CommandError::Err("COUNT must be > 0"))?;
            j += 1;
        } else if is(&c.argv[j], "justid") {
            justid = true;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    let db = c.db;
    check_group_exists(srv, db, &c.argv[1], &c.argv[2])?;
    // Redis allocates COUNT slots for deleted IDs up front and answers "Insufficient
    // memory" when it cannot; we keep only the IDs we find, so a large COUNT is no error.
    let count = count as u64;
    let now = srv.now_ms;
    let (key, group_name, consumer) = (&c.argv[1], &c.argv[2], &c.argv[3]);
    let stream = existing_stream(srv, db, key)?;
    let outcome = with_group(stream, group_name, |stream, group| {
        let mut out = ClaimOutcome::default();
        let mut attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
        let mut left = count;
        let mut have_consumer = false;
        let mut from = Bound::Included(start);
        while attempts > 0 && left > 0 {
            attempts -= 1;
            let Some((&id, entry)) = group.pending.range((from, Bound::Unbounded)).next() else {
                break;
            };
            from = Bound::Excluded(id);
            let id_text = id.to_text();
            if stream.get(id).is_none() {
                // The entry is gone: its PEL entry goes too, and counts toward COUNT.
                out.propagate
                    .push(xclaim_argv(key, group_name, &id_text, entry, group.last_id));
                group.ack(id);
                out.deleted.push(id);
                left -= 1;
                continue;
            }
            if min_idle != 0 && now.wrapping_sub(entry.delivery_time) < min_idle {
                continue;
            }
            let delivery_count = match justid {
                true => entry.delivery_count,
                false => entry.delivery_count.wrapping_add(1),
            };
            if !have_consumer {
                have_consumer = true;
                out.consumer_created = group.consumer(consumer, now).1;
            }
            group.set_pending(id, consumer, now, delivery_count);
            out.claimed.push(id);
            out.propagate.push(xclaim_argv(
                key,
                group_name,
                &id_text,
                &group.pending[&id],
                group.last_id,
            ));
            left -= 1;
        }
        // The cursor: the first pending ID after the last one looked at, 0-0 at the end.
        out.next = group
            .pending
            .range((from, Bound::Unbounded))
            .next()
            .map_or(StreamId::MIN, |(&id, _)| id);
        out
    });
    let reply = &mut c.reply;
    reply.array_len(3);
    reply_id(reply, outcome.next);
    reply_claimed(reply, stream, &outcome.claimed, justid);
    reply.array_len(outcome.deleted.len());
    for &id in &outcome.deleted {
        reply_id(reply, id);
    }
    finish_claim(srv, c, outcome);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// XINFO
// ---------------------------------------------------------------------------------------

const XINFO_HELP: &[&str] = &[
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

/// XINFO HELP
fn xinfo_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(c, XINFO_HELP);
    Ok(())
}

/// The stream XINFO reports on: "no such key" when missing, WRONGTYPE for another type.
fn xinfo_stream_of<'a>(srv: &'a mut Server, c: &Client) -> Result<&'a Stream, CommandError> {
    read_stream(srv, c.db, &c.argv[2])?.ok_or(CommandError::NoSuchKey)
}

/// XINFO CONSUMERS key group: each consumer's name, pending count and idle time (since
/// it was last seen).
fn xinfo_consumers(srv: &mut Server, c: &mut Client) -> CommandResult {
    let now = srv.now_ms;
    let stream = xinfo_stream_of(srv, c)?;
    let Some(group) = stream.groups.get(&c.argv[3]) else {
        return Err(no_group_for_key(&c.argv[3], &c.argv[2]));
    };
    let reply = &mut c.reply;
    reply.array_len(group.consumers.len());
    for (name, consumer) in &group.consumers {
        reply.map_len(3);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"pending");
        reply.int(consumer.pending.len() as i64);
        reply.bulk(b"idle");
        reply.int(now.wrapping_sub(consumer.seen_time).max(0));
    }
    Ok(())
}

/// XINFO GROUPS key: each group's name, consumer and pending counts, last delivered ID,
/// read counter and lag.
fn xinfo_groups(srv: &mut Server, c: &mut Client) -> CommandResult {
    let stream = xinfo_stream_of(srv, c)?;
    let reply = &mut c.reply;
    reply.array_len(stream.groups.len());
    for (name, group) in &stream.groups {
        reply.map_len(6);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"consumers");
        reply.int(group.consumers.len() as i64);
        reply.bulk(b"pending");
        reply.int(group.pending.len() as i64);
        reply.bulk(b"last-delivered-id");
        reply_id(reply, group.last_id);
        reply.bulk(b"entries-read");
        reply_entries_read(reply, group);
        reply.bulk(b"lag");
        reply_lag(reply, stream, group);
    }
    Ok(())
}

/// XINFO STREAM key [FULL [COUNT count]]: the stream's counters and IDs, then either
/// its group count and first and last entries, or (FULL) up to COUNT entries (default
/// 10, 0 for all) and every group with up to COUNT of its PEL and of each consumer's.
fn xinfo_stream(srv: &mut Server, c: &mut Client) -> CommandResult {
    let argc = c.argc();
    let stream = xinfo_stream_of(srv, c)?;
    // The options are checked once the key is found, as in Redis.
    let full = match argc - 3 {
        0 => None,
        n @ (1 | 3) => {
            if !is(&c.argv[3], "full") || (n == 3 && !is(&c.argv[4], "count")) {
                return Err(subcommand_syntax_error(c));
            }
            let count = match n {
                3 => parse_i64(&c.argv[5]).ok_or(CommandError::NotInteger)?,
                _ => 10,
            };
            // Negative means the default; 0 means no limit.
            Some(if count < 0 { 10 } else { count as u64 })
        }
        _ => return Err(subcommand_syntax_error(c)),
    };
    let reply = &mut c.reply;
    reply.map_len(if full.is_some() { 9 } else { 10 });
    reply.bulk(b"length");
    reply.int(stream.len() as i64);
    reply.bulk(b"radix-tree-keys");
    reply.int(stream.node_count() as i64);
    reply.bulk(b"radix-tree-nodes");
    reply.int(rax_node_count(stream.nodes().map(|n| n.master_id)) as i64);
    reply.bulk(b"last-generated-id");
    reply_id(reply, stream.last_id);
    reply.bulk(b"max-deleted-entry-id");
    reply_id(reply, stream.max_deleted_id);
    reply.bulk(b"entries-added");
    reply.int(stream.entries_added as i64);
    reply.bulk(b"recorded-first-entry-id");
    reply_id(reply, stream.first_id);
    match full {
        None => {
            reply.bulk(b"groups");
            reply.int(stream.groups.len() as i64);
            reply.bulk(b"first-entry");
            match stream.range(StreamId::MIN, StreamId::MAX).next() {
                Some((id, fields)) => reply_entry(reply, id, fields),
                None => reply.null(),
            }
            reply.bulk(b"last-entry");
            match stream.range(StreamId::MIN, StreamId::MAX).next_back() {
                Some((id, fields)) => reply_entry(reply, id, fields),
                None => reply.null(),
            }
        }
        Some(count) => reply_stream_full(reply, stream, count),
    }
    Ok(())
}

/// The FULL part of XINFO STREAM: `entries` and `groups`, each list cut at `count`
/// items unless it is 0.
fn reply_stream_full(reply: &mut ReplyBuf, stream: &Stream, count: u64) {
    let limit = if count == 0 {
        usize::MAX
    } else {
        usize::try_from(count).unwrap_or(usize::MAX)
    };
    reply.bulk(b"entries");
    let entries: Vec<_> = stream
        .range(StreamId::MIN, StreamId::MAX)
        .take(limit)
        .collect();
    reply.array_len(entries.len());
    for (id, fields) in entries {
        reply_entry(reply, id, fields);
    }
    reply.bulk(b"groups");
    reply.array_len(stream.groups.len());
    for (name, group) in &stream.groups {
        reply.map_len(7);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"last-delivered-id");
        reply_id(reply, group.last_id);
        reply.bulk(b"entries-read");
        reply_entries_read(reply, group);
        reply.bulk(b"lag");
        reply_lag(reply, stream, group);
        reply.bulk(b"pel-count");
        reply.int(group.pending.len() as i64);
        reply.bulk(b"pending");
        reply.array_len(group.pending.len().min(limit));
        for (&id, entry) in group.pending.iter().take(limit) {
            reply.array_len(4);
            reply_id(reply, id);
            reply.bulk(&entry.consumer);
            reply.int(entry.delivery_time);
            reply.int(entry.delivery_count as i64);
        }
        reply.bulk(b"consumers");
        reply.array_len(group.consumers.len());
        for (name, consumer) in &group.consumers {
            reply.map_len(4);
            reply.bulk(b"name");
            reply.bulk(name);
            reply.bulk(b"seen-time");
            reply.int(consumer.seen_time);
            reply.bulk(b"pel-count");
            reply.int(consumer.pending.len() as i64);
            reply.bulk(b"pending");
            reply.array_len(consumer.pending.len().min(limit));
            for id in consumer.pending.iter().take(limit) {
                let entry = &group.pending[id];
                reply.array_len(3);
                reply_id(reply, *id);
                reply.int(entry.delivery_time);
                reply.int(entry.delivery_count as i64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rax_nodes_of_small_key_sets() {
        let ids = |v: &[(u64, u64)]| {
            v.iter()
                .map(|&(ms, seq)| StreamId::new(ms, seq))
                .collect::<Vec<_>>()
        };
        // The empty root; one compressed root and a leaf.
        assert_eq!(rax_node_count(ids(&[]).into_iter()), 1);
        assert_eq!(rax_node_count(ids(&[(1, 1)]).into_iter()), 2);
        // Split at the last byte: compressed root, a branch, two leaves.
        assert_eq!(rax_node_count(ids(&[(1, 1), (1, 2)]).into_iter()), 4);
        // Split at byte 14: each side is a one-child node and a leaf.
        assert_eq!(rax_node_count(ids(&[(1, 1), (1, 256)]).into_iter()), 6);
        // Split at the first byte: the root branches.
        assert_eq!(rax_node_count(ids(&[(1, 0), (u64::MAX, 0)]).into_iter()), 5);
    }

    #[test]
    fn interval_bounds() {
        assert_eq!(parse_range_start(b"(1-1").unwrap(), StreamId::new(1, 2));
        assert_eq!(
            parse_range_end(b"(1-0").unwrap(),
            StreamId::new(0, u64::MAX)
        );
        assert_eq!(parse_range_end(b"5").unwrap(), StreamId::new(5, u64::MAX));
        assert_eq!(
            parse_range_start(b"(").unwrap_err(),
            CommandError::Err(super::super::stream_common::INVALID_ID)
        );
        assert!(parse_range_start(b"(-").is_err());
        assert!(parse_range_end(b"(0-0").is_err());
        assert!(parse_range_start(b"(18446744073709551615-18446744073709551615").is_err());
    }
}
