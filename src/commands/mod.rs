//! The command table: one row per command (name, arity, flags, key positions, handler,
//! docs), as Redis's command table. It drives arity errors, COMMAND/COMMAND INFO/COMMAND
//! DOCS, read-only and loading checks, and what is propagated. One file per family.

pub mod error;
pub mod key_specs;
pub mod table;

pub mod acl;
pub mod bits;
pub mod client;
pub mod cluster;
pub mod connection;
pub mod debug_internals;
pub mod docs;
pub mod dump;
pub mod expire;
pub mod functions;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod introspection;
pub mod keys;
pub mod list;
pub mod lolwut;
pub mod migrate;
pub mod module;
pub mod persistence_cmds;
pub mod pubsub;
pub mod replication_cmds;
pub mod scripting;
pub mod server_cmds;
pub mod set;
pub mod sort;
pub mod stream;
mod stream_common;
pub mod stream_group;
pub mod string;
pub mod transaction;
pub mod zset;

pub use error::{CommandError, CommandResult};
pub use table::{CommandId, CommandSpec, CommandTable, Keys};

use crate::server::{Client, Server};

/// A command implementation: reads `client.argv`, acts on `srv`, writes its reply to
/// `client.reply` and returns Ok, or returns the error to reply with.
pub type Handler = fn(&mut Server, &mut Client) -> CommandResult;

/// Command flags, as Redis names them (COMMAND INFO prints these names).
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MULTI: u32 = 1 << 14;
    pub const ALLOW_BUSY: u32 = 1 << 15;
    pub const SENTINEL: u32 = 1 << 16;
    /// The command may legitimately name no key (GETKEYS answers an empty array).
    pub const NO_MANDATORY_KEYS: u32 = 1 << 17;
    /// Refused while a replica loads its dataset asynchronously.
    pub const NO_ASYNC_LOADING: u32 = 1 << 18;
    /// Never set on a row: COMMAND INFO adds it when the key specs cannot be told by
    /// the legacy (first, last, step) triple.
    pub const MOVABLE_KEYS: u32 = 1 << 19;
    /// Allowed on an importing cluster slot (ASKING).
    pub const ASKING: u32 = 1 << 20;

    /// Flag names in the order COMMAND INFO prints them.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// Every family's rows, in the order COMMAND lists them.
pub fn all_families() -> Vec<&'static [CommandSpec]> {
    vec![
        string::COMMANDS,
        bits::COMMANDS,
        keys::COMMANDS,
        expire::COMMANDS,
        dump::COMMANDS,
        migrate::COMMANDS,
        connection::COMMANDS,
        client::COMMANDS,
        acl::COMMANDS,
        introspection::COMMANDS,
        server_cmds::COMMANDS,
        persistence_cmds::COMMANDS,
        replication_cmds::COMMANDS,
        transaction::COMMANDS,
        hyperloglog::COMMANDS,
        list::COMMANDS,
        zset::COMMANDS,
        geo::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        sort::COMMANDS,
        stream::COMMANDS,
        stream_group::COMMANDS,
        pubsub::COMMANDS,
        scripting::COMMANDS,
        functions::COMMANDS,
        cluster::COMMANDS,
        module::COMMANDS,
        lolwut::COMMANDS,
    ]
}

/// Whether a row runs other commands (EXEC, EVAL...): those propagate, touch WATCHed
/// keys and invalidate tracked keys themselves, so the row itself does none of that.
pub fn runs_other_commands(spec: &CommandSpec) -> bool {
    spec.name == "exec" || scripting::runs_script(spec)
}
