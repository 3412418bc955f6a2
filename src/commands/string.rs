//! String commands (the strings helper replaces this minimal file).

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};
use crate::types::Value;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "get",
        get,
        2,
        READONLY | FAST,
        Keys::ONE,
        "string",
        "1.0.0",
        "Returns the string value of a key.",
    ),
    CommandSpec::new(
        "set",
        set,
        3,
        WRITE | DENYOOM,
        Keys::ONE,
        "string",
        "1.0.0",
        "Sets the string value of a key.",
    ),
];

fn get(srv: &mut Server, c: &mut Client) -> CommandResult {
    let now = srv.now_ms;
    let mode = srv.expire_mode;
    let clock = srv.touch_clock();
    match srv.dbs[c.db].get_touch(&c.argv[1], now, mode, clock) {
        None => c.reply.null(),
        Some(obj) => match &obj.value {
            Value::Int(n) => c.reply.bulk_int(*n),
            Value::Str(s) => c.reply.bulk(s),
            Value::Buf(b) => c.reply.bulk(b),
        },
    }
    let _ = CommandError::Syntax;
    Ok(())
}

fn set(srv: &mut Server, c: &mut Client) -> CommandResult {
    let value = Value::string_from_vec(std::mem::take(&mut c.argv[2]));
    let lru = srv.lru_clock();
    srv.dbs[c.db].set(&c.argv[1], value, lru, false);
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}
