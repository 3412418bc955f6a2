//! Generic keyspace commands (the keys helper replaces this minimal file).

use super::flags::*;
use super::{CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "del",
    del,
    -2,
    WRITE,
    Keys::ALL,
    "generic",
    "1.0.0",
    "Deletes one or more keys.",
)];

fn del(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut n = 0;
    for k in &c.argv[1..] {
        if srv.dbs[c.db].remove(k).is_some() {
            n += 1;
        }
    }
    srv.dirty += n as u64;
    c.reply.int(n);
    Ok(())
}
