//! Conversions at the edges of a script, with Redis's rules (script_lua.c):
//!
//! * a command's reply (the RESP the fake client received) becomes a Lua value:
//!   integers numbers, bulk strings strings, nulls `false` (RESP3 null `nil`), arrays
//!   tables, status replies `{ok = ...}`, errors `{err = ...}`, and the RESP3 types
//!   `{map = ...}`, `{set = ...}`, `{double = ...}`, `{big_number = ...}`,
//!   `{verbatim_string = {format = ..., string = ...}}` and booleans;
//! * the value a script returns becomes the reply: strings bulk strings, numbers
//!   integers (truncated), `true` 1 (RESP3 `#t`), `false` null (RESP3 `#f`), tables
//!   arrays up to their first nil, unless they carry one of the fields above.

use std::ffi::{c_int, CStr};

use mlua::ffi::{self, lua_State};
use mlua::{Table, Value};

use super::environment::error_parts;

use crate::protocol::ReplyBuf;
use crate::util::numbers::{format_double, parse_f64, parse_i64};

/// Nesting past which a returned table is answered with an error instead of being
/// followed (Redis stops where the Lua stack would overflow; a table may even hold
/// itself).
const MAX_DEPTH: usize = 1000;

/// A reply that could not be read back (cannot happen with the server's own encoder).
#[derive(Debug)]
pub struct BadReply;

/// Pushes the reply `resp` (one complete RESP2 or RESP3 value) as a Lua value, made
/// with Lua's own API: through mlua each table and string would be a protected call
/// of its own with two fresh closures (its Lua 5.1 backend), more work than most
/// commands. On an unreadable reply, pushes nothing.
///
/// # Safety
/// `state` must be a Lua state with room for one more value. Lua may raise an error
/// (out of memory) out of this function: the caller's frames it skips must own nothing
/// that needs dropping.
pub unsafe fn push_reply(state: *mut lua_State, resp: &[u8]) -> Result<(), BadReply> {
    let top = ffi::lua_gettop(state);
    let mut pos = 0;
    let pushed = push_value(state, resp, &mut pos);
    if pushed.is_err() {
        ffi::lua_settop(state, top);
    }
    pushed
}

/// Pushes a `{name = <string text>}` table.
unsafe fn push_field_table(state: *mut lua_State, name: &CStr, text: &[u8]) {
    ffi::lua_createtable(state, 0, 1);
    ffi::lua_pushstring(state, name.as_ptr());
    ffi::lua_pushlstring(state, text.as_ptr().cast(), text.len());
    ffi::lua_rawset(state, -3);
}

/// Pushes the text of the error table for the error line `line` (with its `-`), as
/// [`error_table_text`] makes it, but joined by Lua (nothing of ours to drop if it
/// raises).
///
/// [`error_table_text`]: super::environment::error_table_text
unsafe fn push_error_text(state: *mut lua_State, line: &[u8]) {
    let (code, msg) = error_parts(line);
    ffi::lua_pushlstring(state, code.as_ptr().cast(), code.len());
    ffi::lua_pushlstring(state, c" ".as_ptr(), 1);
    ffi::lua_pushlstring(state, msg.as_ptr().cast(), msg.len());
    ffi::lua_concat(state, 3);
}

/// Pushes the value at `*pos` of `resp` (see the module's rules).
unsafe fn push_value(state: *mut lua_State, resp: &[u8], pos: &mut usize) -> Result<(), BadReply> {
    if ffi::lua_checkstack(state, 4) == 0 {
        return Err(BadReply);
    }
    let start = *pos;
    let kind = *resp.get(start).ok_or(BadReply)?;
    *pos += 1;
    let head = line(resp, pos)?;
    match kind {
        b':' => ffi::lua_pushnumber(state, number(head)? as f64),
        b'$' => {
            let len = number(head)?;
            if len < 0 {
                ffi::lua_pushboolean(state, 0);
            } else {
                let data = payload(resp, pos, len)?;
                ffi::lua_pushlstring(state, data.as_ptr().cast(), data.len());
            }
        }
        b'+' => push_field_table(state, c"ok", head),
        b'-' => {
            ffi::lua_createtable(state, 0, 2);
            ffi::lua_pushstring(state, c"err".as_ptr());
            push_error_text(state, &resp[start..start + 1 + head.len()]);
            ffi::lua_rawset(state, -3);
            // The error was counted when the command answered it.
            ffi::lua_pushstring(state, c"ignore_error_stats_update".as_ptr());
            ffi::lua_pushboolean(state, 1);
            ffi::lua_rawset(state, -3);
        }
        b'*' | b'>' => {
            let n = number(head)?;
            if n < 0 {
                ffi::lua_pushboolean(state, 0);
                return Ok(());
            }
            ffi::lua_createtable(state, n.min(1 << 20) as c_int, 0);
            for i in 0..n {
                push_value(state, resp, pos)?;
                ffi::lua_rawseti(state, -2, (i + 1) as ffi::lua_Integer);
            }
        }
        b'%' | b'~' => {
            let n = number(head)?;
            let is_map = kind == b'%';
            ffi::lua_createtable(state, 0, 1);
            ffi::lua_pushstring(state, if is_map { c"map" } else { c"set" }.as_ptr());
            ffi::lua_createtable(state, 0, n.clamp(0, 1 << 20) as c_int);
            for _ in 0..n {
                push_value(state, resp, pos)?;
                if is_map {
                    push_value(state, resp, pos)?;
                } else {
                    ffi::lua_pushboolean(state, 1);
                }
                // A nil or NaN key cannot be stored: Lua would raise.
                if ffi::lua_isnil(state, -2) != 0 || ffi::lua_rawequal(state, -2, -2) == 0 {
                    return Err(BadReply);
                }
                ffi::lua_rawset(state, -3);
            }
            ffi::lua_rawset(state, -3);
        }
        b'_' => ffi::lua_pushnil(state),
        b'#' => ffi::lua_pushboolean(state, (head == b"t") as c_int),
        b',' => {
            let d = match head {
                b"inf" => f64::INFINITY,
                b"-inf" => f64::NEG_INFINITY,
                b"nan" | b"-nan" => f64::NAN,
                text => parse_f64(text).ok_or(BadReply)?,
            };
            ffi::lua_createtable(state, 0, 1);
            ffi::lua_pushstring(state, c"double".as_ptr());
            ffi::lua_pushnumber(state, d);
            ffi::lua_rawset(state, -3);
        }
        b'(' => push_field_table(state, c"big_number", head),
        // Attributes are not shown to scripts: skip them and push what they annotate.
        b'|' => {
            let n = number(head)?;
            for _ in 0..2 * n {
                skip_value(resp, pos)?;
            }
            return push_value(state, resp, pos);
        }
        b'=' => {
            let len = number(head)?;
            let data = payload(resp, pos, len)?;
            if data.len() < 4 {
                return Err(BadReply);
            }
            ffi::lua_createtable(state, 0, 1);
            ffi::lua_pushstring(state, c"verbatim_string".as_ptr());
            ffi::lua_createtable(state, 0, 2);
            ffi::lua_pushstring(state, c"format".as_ptr());
            ffi::lua_pushlstring(state, data.as_ptr().cast(), 3);
            ffi::lua_rawset(state, -3);
            ffi::lua_pushstring(state, c"string".as_ptr());
            ffi::lua_pushlstring(state, data[4..].as_ptr().cast(), data.len() - 4);
            ffi::lua_rawset(state, -3);
            ffi::lua_rawset(state, -3);
        }
        _ => return Err(BadReply),
    }
    Ok(())
}

/// The line at `*pos` (without CRLF); advances past it.
fn line<'a>(resp: &'a [u8], pos: &mut usize) -> Result<&'a [u8], BadReply> {
    let rest = &resp[*pos..];
    let end = memchr::memmem::find(rest, b"\r\n").ok_or(BadReply)?;
    *pos += end + 2;
    Ok(&rest[..end])
}

fn number(text: &[u8]) -> Result<i64, BadReply> {
    parse_i64(text).ok_or(BadReply)
}

/// `len` bytes at `*pos` followed by CRLF.
fn payload<'a>(resp: &'a [u8], pos: &mut usize, len: i64) -> Result<&'a [u8], BadReply> {
    let len = usize::try_from(len).map_err(|_| BadReply)?;
    let data = resp.get(*pos..*pos + len).ok_or(BadReply)?;
    *pos += len + 2;
    Ok(data)
}

/// Moves `*pos` past one value without building it.
fn skip_value(resp: &[u8], pos: &mut usize) -> Result<(), BadReply> {
    let kind = *resp.get(*pos).ok_or(BadReply)?;
    *pos += 1;
    let head = line(resp, pos)?;
    match kind {
        b'$' | b'=' | b'!' => {
            let len = number(head)?;
            if len >= 0 {
                payload(resp, pos, len)?;
            }
        }
        b'*' | b'~' | b'>' => {
            for _ in 0..number(head)?.max(0) {
                skip_value(resp, pos)?;
            }
        }
        b'%' | b'|' => {
            for _ in 0..2 * number(head)?.max(0) {
                skip_value(resp, pos)?;
            }
            if kind == b'|' {
                skip_value(resp, pos)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// What a script's error reply says, and whether it was already counted in the error
/// statistics (a command's error passed through by `redis.call`).
pub struct ScriptError {
    pub text: Vec<u8>,
    pub counted: bool,
}

/// Writes the value a script returned as the reply to `out`. `script_resp` is the
/// protocol the script chose with `redis.setresp` (it decides how booleans answer).
/// Returns the error when the value is an error table, which the caller answers with
/// the script's name; nested errors are written in place.
pub fn lua_to_reply(
    out: &mut ReplyBuf,
    v: &Value,
    script_resp: u8,
) -> mlua::Result<Option<ScriptError>> {
    if let Value::Table(t) = v {
        if let Some(err) = error_field(t)? {
            return Ok(Some(err));
        }
    }
    write_value(out, v, script_resp, 0)?;
    Ok(None)
}

/// The error a table stands for, if it has a string `err` field.
pub fn error_field(t: &Table) -> mlua::Result<Option<ScriptError>> {
    match t.raw_get::<Value>("err")? {
        Value::String(s) => {
            let counted = matches!(
                t.raw_get::<Value>("ignore_error_stats_update")?,
                Value::Boolean(true)
            );
            Ok(Some(ScriptError {
                text: s.as_bytes().to_vec(),
                counted,
            }))
        }
        _ => Ok(None),
    }
}

/// Writes the error reply `-<text>` (`text` is bytes a script chose, not always UTF-8).
pub fn write_error(out: &mut ReplyBuf, text: &[u8]) {
    out.buf.push(b'-');
    out.buf.extend_from_slice(&one_line(text));
    out.buf.extend_from_slice(b"\r\n");
}

/// Replaces CR and LF by spaces (a status or error line cannot hold them).
fn one_line(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect()
}

fn write_value(out: &mut ReplyBuf, v: &Value, script_resp: u8, depth: usize) -> mlua::Result<()> {
    match v {
        Value::String(s) => out.bulk(&s.as_bytes()),
        Value::Boolean(b) => {
            if script_resp == 2 {
                if *b {
                    out.int(1);
                } else {
                    out.null();
                }
            } else {
                out.boolean(*b);
            }
        }
        Value::Integer(n) => out.int(*n),
        // Redis's `(long long)` cast: toward zero; NaN and out of range give i64::MIN.
        Value::Number(n) => out.int(super::libs::double_to_i64(*n)),
        Value::Table(t) => write_table(out, t, script_resp, depth)?,
        _ => out.null(),
    }
    Ok(())
}

fn write_table(out: &mut ReplyBuf, t: &Table, script_resp: u8, depth: usize) -> mlua::Result<()> {
    if depth >= MAX_DEPTH {
        out.error_text("ERR reached lua stack limit");
        return Ok(());
    }
    if let Some(err) = error_field(t)? {
        write_error(out, &err.text);
        return Ok(());
    }
    if let Value::String(s) = t.raw_get::<Value>("ok")? {
        out.buf.push(b'+');
        out.buf.extend_from_slice(&one_line(&s.as_bytes()));
        out.buf.extend_from_slice(b"\r\n");
        return Ok(());
    }
    match t.raw_get::<Value>("double")? {
        Value::Number(d) => {
            out.double_text(format_double(d).as_bytes());
            return Ok(());
        }
        Value::Integer(n) => {
            out.double_text(format_double(n as f64).as_bytes());
            return Ok(());
        }
        _ => {}
    }
    if let Value::String(s) = t.raw_get::<Value>("big_number")? {
        out.big_number(&one_line(&s.as_bytes()));
        return Ok(());
    }
    if let Value::Table(vt) = t.raw_get::<Value>("verbatim_string")? {
        if let (Value::String(format), Value::String(text)) = (
            vt.raw_get::<Value>("format")?,
            vt.raw_get::<Value>("string")?,
        ) {
            let f = format.as_bytes();
            let mut code = [b' '; 3];
            for (d, s) in code.iter_mut().zip(f.iter()) {
                *d = *s;
            }
            out.verbatim(&code, &text.as_bytes());
            return Ok(());
        }
    }
    if let Value::Table(map) = t.raw_get::<Value>("map")? {
        let pairs: Vec<(Value, Value)> =
            map.pairs::<Value, Value>().collect::<mlua::Result<_>>()?;
        out.map_len(pairs.len());
        for (k, v) in &pairs {
            write_value(out, k, script_resp, depth + 1)?;
            write_value(out, v, script_resp, depth + 1)?;
        }
        return Ok(());
    }
    if let Value::Table(set) = t.raw_get::<Value>("set")? {
        let members: Vec<Value> = set
            .pairs::<Value, Value>()
            .map(|kv| kv.map(|(k, _)| k))
            .collect::<mlua::Result<_>>()?;
        out.set_len(members.len());
        for m in &members {
            write_value(out, m, script_resp, depth + 1)?;
        }
        return Ok(());
    }
    // An array: the elements from 1 up to the first nil.
    let mut items = Vec::new();
    loop {
        let v: Value = t.raw_get(items.len() + 1)?;
        if v.is_nil() {
            break;
        }
        items.push(v);
    }
    out.array_len(items.len());
    for v in &items {
        write_value(out, v, script_resp, depth + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlua::Lua;

    /// Turns the reply `resp` (one complete RESP2 or RESP3 value) into a Lua value.
    /// Returns the value and whether it was an error reply.
    fn reply_to_lua(lua: &Lua, resp: &[u8]) -> mlua::Result<(Value, bool)> {
        let is_error = resp.first() == Some(&b'-');
        let mut failed = false;
        // SAFETY: push_reply's contract: room for one value is checked by exec_raw, the
        // closure owns nothing that needs dropping (a slice, a flag), and it leaves one
        // value.
        let v = unsafe {
            lua.exec_raw::<Value>((), |state| {
                if push_reply(state, resp).is_err() {
                    failed = true;
                    ffi::lua_pushnil(state);
                }
            })
        }?;
        if failed {
            return Err(mlua::Error::RuntimeError("unreadable reply".into()));
        }
        Ok((v, is_error))
    }

    fn roundtrip(resp: &[u8], script_resp: u8) -> Vec<u8> {
        let lua = Lua::new();
        let (v, _) = reply_to_lua(&lua, resp).unwrap();
        let mut out = ReplyBuf::new();
        out.resp = 3;
        assert!(lua_to_reply(&mut out, &v, script_resp).unwrap().is_none());
        out.buf
    }

    #[test]
    fn replies_come_back_as_redis_converts_them() {
        assert_eq!(roundtrip(b":42\r\n", 2), b":42\r\n");
        assert_eq!(roundtrip(b"$3\r\nabc\r\n", 2), b"$3\r\nabc\r\n");
        // A null bulk is false, which a RESP2 script returns as null.
        assert_eq!(roundtrip(b"$-1\r\n", 2), b"_\r\n");
        assert_eq!(roundtrip(b"+OK\r\n", 2), b"+OK\r\n");
        assert_eq!(
            roundtrip(b"*3\r\n:1\r\n$1\r\na\r\n*1\r\n:2\r\n", 2),
            b"*3\r\n:1\r\n$1\r\na\r\n*1\r\n:2\r\n"
        );
        // An array stops at its first nil (a RESP3 null inside it).
        assert_eq!(roundtrip(b"*3\r\n:1\r\n_\r\n:3\r\n", 3), b"*1\r\n:1\r\n");
        assert_eq!(roundtrip(b",1.5\r\n", 3), b",1.5\r\n");
        assert_eq!(roundtrip(b"#t\r\n", 3), b"#t\r\n");
        assert_eq!(roundtrip(b"#f\r\n", 2), b"_\r\n");
        assert_eq!(roundtrip(b"(123\r\n", 3), b"(123\r\n");
        assert_eq!(
            roundtrip(b"%1\r\n$1\r\nk\r\n:7\r\n", 3),
            b"%1\r\n$1\r\nk\r\n:7\r\n"
        );
        assert_eq!(roundtrip(b"~1\r\n$1\r\nm\r\n", 3), b"~1\r\n$1\r\nm\r\n");
        assert_eq!(roundtrip(b"=8\r\ntxt:abcd\r\n", 3), b"=8\r\ntxt:abcd\r\n");
        // An attribute is skipped; the value it annotates is what the script gets.
        assert_eq!(
            roundtrip(b"|1\r\n$3\r\nkey\r\n*1\r\n:1\r\n:5\r\n", 3),
            b":5\r\n"
        );
    }

    #[test]
    fn error_replies_become_error_tables() {
        let lua = Lua::new();
        let (v, is_err) = reply_to_lua(&lua, b"-WRONGTYPE Operation\r\n").unwrap();
        assert!(is_err);
        let t = v.as_table().unwrap();
        let err = error_field(t).unwrap().unwrap();
        assert_eq!(err.text, b"WRONGTYPE Operation");
        assert!(err.counted);
    }

    #[test]
    fn numbers_truncate_and_nested_errors_are_written_in_place() {
        let lua = Lua::new();
        let mut out = ReplyBuf::new();
        let v: Value = lua.load("return 3.99").eval().unwrap();
        lua_to_reply(&mut out, &v, 2).unwrap();
        let v: Value = lua
            .load("return {1, {err='BAD x\\ny'}, {ok='fine'}}")
            .eval()
            .unwrap();
        lua_to_reply(&mut out, &v, 2).unwrap();
        assert_eq!(out.buf, b":3\r\n*3\r\n:1\r\n-BAD x y\r\n+fine\r\n");
        // A table that holds itself ends in an error, not a crash.
        let v: Value = lua.load("local t = {} t[1] = t return t").eval().unwrap();
        let mut out = ReplyBuf::new();
        lua_to_reply(&mut out, &v, 2).unwrap();
        assert!(out.buf.ends_with(b"-ERR reached lua stack limit\r\n"));
    }
}
