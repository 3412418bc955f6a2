//! DEBUG subcommands that show or tune how values are laid out in memory: the chain
//! statistics of hash tables and the size from which list elements get a node of their
//! own. Redis's tests use them to reach particular layouts.

use super::keys::lookup_read_quietly;
use super::{CommandError, CommandResult};
use crate::config::parse::parse_memory;
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;

/// DEBUG HTSTATS dbid: the chain statistics of a database's key table and of its
/// expiry table.
pub fn htstats(srv: &mut Server, c: &mut Client) -> CommandResult {
    let dbid = parse_i64(&c.argv[2]).ok_or(CommandError::NotInteger)?;
    let Some(db) = usize::try_from(dbid).ok().and_then(|i| srv.dbs.get(i)) else {
        return Err(CommandError::Err("Out of range database"));
    };
    let text = format!(
        "[Dictionary HT]\n{}[Expires HT]\n{}",
        db.dict.stats_text(),
        db.expires.stats_text()
    );
    c.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// DEBUG HTSTATS-KEY key: the chain statistics of the hash table inside a hash, set or
/// sorted set value (only the encodings that have one).
pub fn htstats_key(srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(obj) = lookup_read_quietly(srv, c.db, &c.argv[2]) else {
        return Err(CommandError::NoSuchKey);
    };
    let Some(text) = obj.value.hash_table_stats() else {
        return Err(CommandError::Err(
            "The value stored at the specified key is not represented using an hash table",
        ));
    };
    c.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// DEBUG QUICKLIST-PACKED-THRESHOLD size: list elements of at least `size` bytes (a
/// memory amount; 0 restores 1gb) get a node of their own from now on.
pub fn quicklist_packed_threshold(c: &mut Client) -> CommandResult {
    let set = parse_memory(&c.argv[2]).is_some_and(crate::types::list::set_packed_threshold);
    if !set {
        return Err(CommandError::Err(
            "argument must be a memory value bigger than 1 and smaller than 4gb",
        ));
    }
    c.reply.ok();
    Ok(())
}
