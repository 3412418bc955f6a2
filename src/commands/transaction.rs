//! Transaction commands, as Redis's `multi.c`: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//! The queue, the WATCH registry and the propagation of a transaction live in
//! `server/multi.rs`; these rows only parse and dispatch.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};

/// The transactions family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "multi",
        multi,
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        Keys::NONE,
        "transactions",
        "1.2.0",
        "Mark the start of a transaction block",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "exec",
        exec,
        1,
        NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
        Keys::NONE,
        "transactions",
        "1.2.0",
        "Execute all commands issued after MULTI",
    )
    .with_complexity("Depends on commands in the transaction"),
    CommandSpec::new(
        "discard",
        discard,
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        Keys::NONE,
        "transactions",
        "2.0.0",
        "Discard all commands issued after MULTI",
    )
    .with_complexity("O(N), when N is the number of queued commands"),
    CommandSpec::new(
        "watch",
        watch,
        -2,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        Keys::ALL,
        "transactions",
        "2.2.0",
        "Watch the given keys to determine execution of the MULTI/EXEC block",
    )
    .with_complexity("O(1) for every key."),
    CommandSpec::new(
        "unwatch",
        unwatch,
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        Keys::NONE,
        "transactions",
        "2.2.0",
        "Forget about all watched keys",
    )
    .with_complexity("O(1)"),
];

/// MULTI: starts queueing the client's commands.
fn multi(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.multi_begin(c)
}

/// EXEC: runs the queued commands and replies with their replies as an array; a null
/// array if a watched key changed; EXECABORT if a command was refused while queueing.
fn exec(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.exec_transaction(c)
}

/// DISCARD: drops the queued commands and unwatches every key.
fn discard(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.multi.is_none() {
        return Err(CommandError::Err("DISCARD without MULTI"));
    }
    srv.discard_transaction(c);
    c.reply.ok();
    Ok(())
}

/// WATCH key [key ...]: EXEC will fail if one of the keys changes before it.
fn watch(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.watch_keys(c)
}

/// UNWATCH: forgets the watched keys and clears the failed-watch state.
fn unwatch(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.tx.watches.forget(c.id);
    c.reply.ok();
    Ok(())
}
