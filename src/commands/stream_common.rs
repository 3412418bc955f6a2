//! What the stream commands share (`stream.rs`: XADD, XRANGE, XREAD...; `stream_group.rs`:
//! XGROUP, XACK, XPENDING, XCLAIM, XINFO...): ID arguments, finding the stream of a
//! key, the node limits from the config, and the reply shape of entries.

use std::sync::Arc;

use super::keys::read_as;
use super::CommandError;
use crate::protocol::ReplyBuf;
use crate::server::Server;
use crate::types::stream::{ConsumerGroup, Fields, MissingSeq, NodeLimits, StreamId};
use crate::types::{Stream, Value};
use crate::util::numbers::c_str;

/// `ERR Invalid stream ID specified as stream command argument`
pub(super) const INVALID_ID: &str = "Invalid stream ID specified as stream command argument";

/// Parses an ID argument (`-` and `+` allowed), completing a bare `ms` as `missing`.
pub(super) fn parse_id(arg: &[u8], missing: MissingSeq) -> Result<StreamId, CommandError> {
    StreamId::parse(arg, missing).ok_or(CommandError::Err(INVALID_ID))
}

/// Parses an ID argument where `-` and `+` are not IDs (Redis's strict parsing: XADD,
/// XDEL, XACK, XCLAIM, XSETID, XGROUP).
pub(super) fn parse_id_strict(arg: &[u8], missing: MissingSeq) -> Result<StreamId, CommandError> {
    if arg == b"-" || arg == b"+" {
        return Err(CommandError::Err(INVALID_ID));
    }
    parse_id(arg, missing)
}

/// The node limits the config sets now.
pub(super) fn node_limits(srv: &Server) -> NodeLimits {
    let clamp = |v: u64| v.min(usize::MAX as u64) as usize;
    NodeLimits {
        max_bytes: clamp(srv.config.stream_node_max_bytes),
        max_entries: clamp(srv.config.stream_node_max_entries),
    }
}

/// The stream at `key` for a read (counting a keyspace hit or miss), None when the key
/// is missing; WRONGTYPE when it holds another type.
pub(super) fn read_stream<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a Stream>, CommandError> {
    read_as::<Stream>(srv, db, key)
}

/// The stream at `key` for a write (copied first if a snapshot shares it), None when
/// the key is missing; WRONGTYPE when it holds another type.
pub(super) fn write_stream<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, CommandError> {
    let (now, mode) = (srv.now_ms, srv.expire_mode);
    match srv.dbs[db].get_mut(key, now, mode) {
        None => Ok(None),
        Some(obj) => match &mut obj.value {
            Value::Stream(arc) => Ok(Some(Arc::make_mut(arc))),
            _ => Err(CommandError::WrongType),
        },
    }
}

/// Stores a new stream at the missing `key` and returns it.
pub(super) fn create_stream<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> &'a mut Stream {
    let lru = srv.lru_clock();
    srv.dbs[db].set(key, Value::Stream(Arc::new(Stream::new())), lru, false);
    let (now, mode) = (srv.now_ms, srv.expire_mode);
    match srv.dbs[db].get_mut(key, now, mode).map(|o| &mut o.value) {
        Some(Value::Stream(arc)) => Arc::make_mut(arc),
        _ => unreachable!("the stream was just stored"),
    }
}

/// An argument as Redis's `%s` prints it in an error message: up to its first NUL.
pub(super) fn c_text(arg: &[u8]) -> String {
    String::from_utf8_lossy(c_str(arg)).into_owned()
}

/// Replies with an ID as a bulk string (`ms-seq`).
pub(super) fn reply_id(reply: &mut ReplyBuf, id: StreamId) {
    reply.bulk(&id.to_text());
}

/// Replies with one entry: `[id, [field, value, ...]]`.
pub(super) fn reply_entry(reply: &mut ReplyBuf, id: StreamId, fields: &Fields) {
    reply.array_len(2);
    reply_id(reply, id);
    reply.array_len(fields.len() * 2);
    for (f, v) in fields.pairs() {
        reply.bulk(f);
        reply.bulk(v);
    }
}

/// Parses a range bound as Redis's streamParseIntervalIDOrReply: `(id` (more than the
/// parenthesis) is exclusive and parsed strictly; anything else is an inclusive ID where
/// `-` and `+` are allowed. Returns the ID and whether it was exclusive.
fn parse_interval_id(arg: &[u8], missing: MissingSeq) -> Result<(StreamId, bool), CommandError> {
    match arg {
        [b'(', rest @ ..] if !rest.is_empty() => Ok((parse_id_strict(rest, missing)?, true)),
        _ => Ok((parse_id(arg, missing)?, false)),
    }
}

/// The inclusive start of a range given as `arg` (`(id` starts after id).
pub(super) fn parse_range_start(arg: &[u8]) -> Result<StreamId, CommandError> {
    match parse_interval_id(arg, MissingSeq::Zero)? {
        (id, false) => Ok(id),
        (id, true) => id
            .next()
            .ok_or(CommandError::Err("invalid start ID for the interval")),
    }
}

/// The inclusive end of a range given as `arg` (`(id` ends before id).
pub(super) fn parse_range_end(arg: &[u8]) -> Result<StreamId, CommandError> {
    match parse_interval_id(arg, MissingSeq::Max)? {
        (id, false) => Ok(id),
        (id, true) => id
            .prev()
            .ok_or(CommandError::Err("invalid end ID for the interval")),
    }
}

/// The XCLAIM that reproduces a delivery or claim of `id` (as the client gave it) to
/// `consumer` elsewhere, as Redis's streamPropagateXCLAIM.
pub(super) fn xclaim_propagation(
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    id: &[u8],
    entry_time: i64,
    delivery_count: u64,
    group_last_id: StreamId,
) -> Vec<Vec<u8>> {
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        group.to_vec(),
        consumer.to_vec(),
        b"0".to_vec(),
        id.to_vec(),
        b"TIME".to_vec(),
        entry_time.to_string().into_bytes(),
        b"RETRYCOUNT".to_vec(),
        // Redis prints the unsigned counter as a long long.
        (delivery_count as i64).to_string().into_bytes(),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        group_last_id.to_text(),
    ]
}

/// A group's entries-read as Redis shows and propagates it: -1 when unknown.
fn entries_read_number(entries_read: Option<u64>) -> i64 {
    entries_read.map_or(-1, |n| n as i64)
}

/// `XGROUP SETID key group last-id ENTRIESREAD n`, as Redis's streamPropagateGroupID.
pub(super) fn setid_propagation(
    key: &[u8],
    group_name: &[u8],
    group: &ConsumerGroup,
) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group_name.to_vec(),
        group.last_id.to_text(),
        b"ENTRIESREAD".to_vec(),
        entries_read_number(group.entries_read)
            .to_string()
            .into_bytes(),
    ]
}
