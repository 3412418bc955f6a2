//! The `cmsgpack` library (lua-cmsgpack 0.4.0 as vendored by Redis 7.0):
//! MessagePack `pack` (any number of values), `unpack`, `unpack_one` and
//! `unpack_limit`.
//!
//! As in C: tables nested 16 deep are packed as nil, numbers that are exact
//! 64-bit integers use the smallest integer encoding, other numbers become a
//! float32 when that is exact and a float64 otherwise, and uint64 values
//! above 2^63-1 unpack as negative numbers. Decoding is iterative and the C
//! library's Lua stack limit is modelled for deeply nested input.
//!
//! Deviation: `unpack` refuses past 7996 top-level results (C allows
//! 7998) because Lua's `unpack` must spread them.

use super::{
    arg_error, check_bytes, check_integer, double_to_i32, double_to_i64, opt_integer, raise,
    register, Failure, Out, Ret, Spine,
};
use mlua::{Lua, MultiValue, Table, Value};

/// Tables at this depth are packed as nil.
const MAX_NESTING: usize = 16;
/// `LUAI_MAXCSTACK` of Lua 5.1.
const LUA_MAX_CSTACK: i64 = 8000;
/// Most top-level values one call may return (see the module doc).
const MAX_TOP_RESULTS: usize = 7996;
const TOO_MANY: &str =
    "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)";

pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    register(lua, &t, "pack", pack)?;
    register(lua, &t, "unpack", |lua, a| {
        let s = check_bytes(lua, &a, 1)?;
        unpack_full(lua, &s, 0, 0)
    })?;
    register(lua, &t, "unpack_one", |lua, a| {
        let offset = opt_integer(lua, &a, 2, 0)?;
        let s = check_bytes(lua, &a, 1)?;
        unpack_full(lua, &s, 1, offset)
    })?;
    register(lua, &t, "unpack_limit", |lua, a| {
        let limit = check_integer(lua, &a, 2)?;
        let offset = opt_integer(lua, &a, 3, 0)?;
        let s = check_bytes(lua, &a, 1)?;
        unpack_full(lua, &s, limit, offset)
    })?;
    t.raw_set("_NAME", "cmsgpack")?;
    t.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.raw_set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

// ===== Packing =====

fn pack(lua: &Lua, args: MultiValue) -> Out<MultiValue> {
    if args.is_empty() {
        return Err(arg_error(lua, 0, "MessagePack pack needs input."));
    }
    let mut buf = Vec::new();
    for v in args.iter() {
        encode(&mut buf, v, 0)?;
    }
    Ok(MultiValue::from_vec(vec![Value::String(
        lua.create_string(buf)?,
    )]))
}

/// Recursion is bounded by `MAX_NESTING`, so plain recursion is safe here.
fn encode(buf: &mut Vec<u8>, v: &Value, level: usize) -> Out<()> {
    match v {
        Value::Table(_) if level == MAX_NESTING => buf.push(0xc0),
        Value::String(s) => encode_bytes(buf, &s.as_bytes()),
        Value::Boolean(b) => buf.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(i) => encode_number(buf, *i as f64),
        Value::Number(n) => encode_number(buf, *n),
        Value::Table(t) => encode_table(buf, t, level)?,
        _ => buf.push(0xc0),
    }
    Ok(())
}

fn encode_bytes(buf: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        buf.push(0xa0 | len as u8);
    } else if len <= 0xff {
        buf.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        buf.push(0xda);
        buf.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        buf.push(0xdb);
        buf.extend_from_slice(&(len as u32).to_be_bytes());
    }
    buf.extend_from_slice(s);
}

fn encode_number(buf: &mut Vec<u8>, n: f64) {
    // C's test: not infinite and `(int64_t)n == n` (NaN and 2^63 fail it).
    if !n.is_infinite() && double_to_i64(n) as f64 == n {
        encode_int(buf, double_to_i64(n));
        return;
    }
    let f = n as f32;
    if f64::from(f) == n {
        buf.push(0xca);
        buf.extend_from_slice(&f.to_be_bytes());
    } else {
        buf.push(0xcb);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_int(buf: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            buf.push(n as u8);
        } else if n <= 0xff {
            buf.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            buf.push(0xcd);
            buf.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            buf.push(0xce);
            buf.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            buf.push(0xcf);
            buf.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        buf.push(n as i8 as u8);
    } else if n >= -128 {
        buf.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        buf.push(0xd1);
        buf.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        buf.push(0xd2);
        buf.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        buf.push(0xd3);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// A table is an array when its keys are exactly 1..n (positive numbers
/// that fit a C int, as many as the largest).
fn is_array(t: &Table) -> Out<bool> {
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    for pair in t.pairs::<Value, Value>() {
        let (k, _) = pair?;
        match number_of(&k) {
            Some(n) if n > 0.0 && !n.is_infinite() && f64::from(double_to_i32(n)) == n => {
                max = max.max(n as i64);
                count += 1;
            }
            _ => return Ok(false),
        }
    }
    Ok(max == count)
}

fn encode_table(buf: &mut Vec<u8>, t: &Table, level: usize) -> Out<()> {
    if is_array(t)? {
        let len = t.raw_len();
        encode_header(buf, len as u64, 0x90, 0xdc, 0xdd);
        for j in 1..=len {
            // The C code reads elements with lua_gettable, honouring __index.
            let v: Value = t.get(j as f64)?;
            encode(buf, &v, level + 1)?;
        }
    } else {
        let mut len: u64 = 0;
        for pair in t.pairs::<Value, Value>() {
            pair?;
            len += 1;
        }
        encode_header(buf, len, 0x80, 0xde, 0xdf);
        for pair in t.pairs::<Value, Value>() {
            let (k, v) = pair?;
            encode(buf, &k, level + 1)?;
            encode(buf, &v, level + 1)?;
        }
    }
    Ok(())
}

/// Array and map headers: fix, 16-bit or 32-bit length.
fn encode_header(buf: &mut Vec<u8>, n: u64, fix: u8, b16: u8, b32: u8) {
    if n <= 15 {
        buf.push(fix | n as u8);
    } else if n <= 0xffff {
        buf.push(b16);
        buf.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        buf.push(b32);
        buf.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

// ===== Unpacking =====

enum DecErr {
    /// Input ended inside a value.
    Eof,
    /// A type byte cmsgpack does not know.
    BadFmt,
    /// Raised as is (stack limits, nil/NaN table keys).
    Fail(Failure),
}

impl From<mlua::Error> for DecErr {
    fn from(e: mlua::Error) -> Self {
        DecErr::Fail(e.into())
    }
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn need(&self, n: usize) -> Result<(), DecErr> {
        if self.left() < n {
            Err(DecErr::Eof)
        } else {
            Ok(())
        }
    }

    /// Takes `n` bytes after the `skip` header bytes.
    fn take(&mut self, skip: usize, n: usize) -> Result<&[u8], DecErr> {
        self.need(skip + n)?;
        let s = &self.data[self.pos + skip..self.pos + skip + n];
        self.pos += skip + n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecErr> {
        let b = self.take(1, n)?;
        Ok(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }

    /// Reads a length field of `n` bytes after the type byte.
    fn len_field(&mut self, n: usize) -> Result<usize, DecErr> {
        Ok(self.be(n)? as usize)
    }
}

/// Progress through an open container.
enum Open {
    Array { left: usize, index: f64 },
    Map { left: usize, have_key: bool },
}

/// What one type byte decodes to.
enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

fn decode_item(lua: &Lua, c: &mut Cursor) -> Result<Item, DecErr> {
    let b = c.data[c.pos];
    let v = match b {
        0xcc => Value::Number(c.be(1)? as f64),
        0xd0 => Value::Number(f64::from(c.be(1)? as u8 as i8)),
        0xcd => Value::Number(c.be(2)? as f64),
        0xd1 => Value::Number(f64::from(c.be(2)? as u16 as i16)),
        0xce => Value::Number(c.be(4)? as f64),
        0xd2 => Value::Number(f64::from(c.be(4)? as u32 as i32)),
        // Pushed through a signed lua_Integer, so the top half wraps.
        0xcf => Value::Number(c.be(8)? as i64 as f64),
        0xd3 => Value::Number(c.be(8)? as i64 as f64),
        0xc0 => {
            c.pos += 1;
            Value::Nil
        }
        0xc3 | 0xc2 => {
            c.pos += 1;
            Value::Boolean(b == 0xc3)
        }
        0xca => Value::Number(f64::from(f32::from_bits(c.be(4)? as u32))),
        0xcb => Value::Number(f64::from_bits(c.be(8)?)),
        0xd9 | 0xda => {
            let hdr = if b == 0xd9 { 1 } else { 2 };
            c.need(1 + hdr)?;
            let l = c.data[c.pos + 1..c.pos + 1 + hdr]
                .iter()
                .fold(0usize, |a, &x| (a << 8) | usize::from(x));
            let s = c.take(1 + hdr, l)?;
            Value::String(lua.create_string(s)?)
        }
        0xdb => {
            let l = c.len_field(4)?;
            let s = c.take(0, l)?;
            Value::String(lua.create_string(s)?)
        }
        0xdc => return Ok(Item::Array(c.len_field(2)?)),
        0xdd => return Ok(Item::Array(c.len_field(4)?)),
        0xde => return Ok(Item::Map(c.len_field(2)?)),
        0xdf => return Ok(Item::Map(c.len_field(4)?)),
        _ if b & 0x80 == 0 => {
            c.pos += 1;
            Value::Number(f64::from(b))
        }
        _ if b & 0xe0 == 0xe0 => {
            c.pos += 1;
            Value::Number(f64::from(b as i8))
        }
        _ if b & 0xe0 == 0xa0 => {
            let s = c.take(1, usize::from(b & 0x1f))?;
            Value::String(lua.create_string(s)?)
        }
        _ if b & 0xf0 == 0x90 => {
            c.pos += 1;
            return Ok(Item::Array(usize::from(b & 0xf)));
        }
        _ if b & 0xf0 == 0x80 => {
            c.pos += 1;
            return Ok(Item::Map(usize::from(b & 0xf)));
        }
        _ => return Err(DecErr::BadFmt),
    };
    Ok(Item::Value(v))
}

/// Decodes one top-level value. `base` is how many Lua stack slots the C
/// code has in use before it starts (argument plus earlier results).
fn decode_value(lua: &Lua, c: &mut Cursor, base: i64) -> Result<Value, DecErr> {
    let mut spine = Spine::new(lua)?;
    let mut open: Vec<Open> = Vec::new();
    // Slots in use: `base`, each open table, each pending array index or
    // map key.
    let mut slots = base;
    loop {
        c.need(1)?;
        if slots + 1 > LUA_MAX_CSTACK {
            return Err(DecErr::Fail(raise(lua, TOO_MANY)));
        }
        let mut value = match decode_item(lua, c)? {
            Item::Value(v) => v,
            Item::Array(n) | Item::Map(n) if n == 0 => Value::Table(lua.create_table()?),
            item => {
                let t = lua.create_table()?;
                slots += 1;
                let o = match item {
                    Item::Array(left) => {
                        if slots + 1 > LUA_MAX_CSTACK {
                            return Err(DecErr::Fail(raise(
                                lua,
                                "stack overflow (in function mp_decode_to_lua_array)",
                            )));
                        }
                        slots += 1; // the index pushed before each element
                        Open::Array { left, index: 1.0 }
                    }
                    Item::Map(left) => Open::Map {
                        left,
                        have_key: false,
                    },
                    Item::Value(_) => unreachable!("handled above"),
                };
                open.push(o);
                spine.push(t, Value::Nil)?;
                continue;
            }
        };
        // Give the value to its container; finish containers that are full.
        loop {
            let (Some(o), Some((t, key))) = (open.last_mut(), spine.top.as_mut()) else {
                return Ok(value);
            };
            let done = match o {
                Open::Array { left, index } => {
                    t.raw_set(*index, value)?;
                    *index += 1.0;
                    *left -= 1;
                    *left == 0
                }
                Open::Map { left, have_key } => {
                    if !*have_key {
                        *key = value;
                        *have_key = true;
                        slots += 1;
                        break;
                    }
                    // lua_settable raises these without a position prefix.
                    match &*key {
                        Value::Nil => {
                            return Err(DecErr::Fail(Failure::Raise(
                                b"table index is nil".to_vec(),
                            )));
                        }
                        Value::Number(n) if n.is_nan() => {
                            return Err(DecErr::Fail(Failure::Raise(
                                b"table index is NaN".to_vec(),
                            )));
                        }
                        _ => {}
                    }
                    t.raw_set(key.clone(), value)?;
                    *key = Value::Nil;
                    *have_key = false;
                    slots -= 1;
                    *left -= 1;
                    *left == 0
                }
            };
            if !done {
                break;
            }
            let finished = open.pop();
            if matches!(finished, Some(Open::Array { .. })) {
                slots -= 1;
            }
            slots -= 1;
            let (t, _) = spine.pop()?.expect("an open container");
            value = Value::Table(t);
        }
    }
}

fn unpack_full(lua: &Lua, s: &[u8], limit: i64, offset: i64) -> Out<Ret> {
    let len = s.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        // The C message prints the input length where the limit belongs.
        return Err(raise(
            lua,
            format!(
                "Invalid request to unpack with offset of {} and limit of {}.",
                offset as i32, len as i32
            ),
        ));
    }
    if offset as u64 > len as u64 {
        return Err(raise(
            lua,
            format!(
                "Start offset {} greater than input length {}.",
                offset as i32, len as i32
            ),
        ));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    let mut c = Cursor {
        data: s,
        pos: offset as usize,
    };
    let out = lua.create_table()?;
    let mut cnt: usize = 0;
    while c.left() > 0 && (cnt as i64) < limit {
        if cnt >= MAX_TOP_RESULTS {
            return Err(raise(lua, TOO_MANY));
        }
        match decode_value(lua, &mut c, 1 + cnt as i64) {
            Ok(v) => {
                cnt += 1;
                out.raw_set(cnt, v)?;
            }
            Err(DecErr::Eof) => return Err(raise(lua, "Missing bytes in input.")),
            Err(DecErr::BadFmt) => return Err(raise(lua, "Bad data format in input.")),
            Err(DecErr::Fail(f)) => return Err(f),
        }
    }
    if !decode_all {
        // Results are preceded by the next offset, or -1 at the end.
        let next = if c.left() == 0 { -1.0 } else { c.pos as f64 };
        out.raw_insert(1, next)?;
        cnt += 1;
    }
    Ok(Ret::Spread(out, cnt))
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    fn run(code: &str) -> String {
        let lua = Lua::new();
        super::super::open_all(&lua).unwrap();
        let wrapped = format!(
            "local function hex(s) return (s:gsub('.', function(c) \
             return string.format('%02x', c:byte()) end)) end \
             local ok, r = pcall(function() return {{(function() {code} end)()}} end) \
             if not ok then return 'ERR ' .. r end \
             for i = 1, table.maxn(r) do r[i] = tostring(r[i]) end \
             return table.concat(r, ',')"
        );
        lua.load(&wrapped).eval::<String>().unwrap()
    }

    #[test]
    fn pack_widths() {
        let cases = [
            (
                "return hex(cmsgpack.pack(1, -1, 200, -100, 70000, -70000))",
                "01ffccc8d09cce00011170d2fffeee90",
            ),
            (
                "return hex(cmsgpack.pack(2^40, -2^40))",
                "cf0000010000000000d3ffffff0000000000",
            ),
            (
                "return hex(cmsgpack.pack(0.5, 0.1))",
                "ca3f000000cb3fb999999999999a",
            ),
            (
                "return hex(cmsgpack.pack('ab', true, false, nil))",
                "a26162c3c2c0",
            ),
            (
                "return hex(cmsgpack.pack({1, 2}, {}, {a = 1}))",
                "9201029081a16101",
            ),
            (
                "return hex(cmsgpack.pack(string.rep('x', 40))):sub(1, 4)",
                "d928",
            ),
        ];
        for (code, want) in cases {
            let got = run(code);
            assert!(got.starts_with(want), "{code}: {got}");
        }
        assert_eq!(
            run("return cmsgpack.pack()"),
            "ERR bad argument #0 to 'pack' (MessagePack pack needs input.)"
        );
    }

    #[test]
    fn unpack_variants() {
        assert_eq!(
            run("return cmsgpack.unpack(cmsgpack.pack(1, 'a', {3}))")[..4].to_owned(),
            "1,a,"
        );
        assert_eq!(
            run("return cmsgpack.unpack_one(cmsgpack.pack(1, 2), 0)"),
            "1,1"
        );
        assert_eq!(
            run("return cmsgpack.unpack_one(cmsgpack.pack(1, 2), 1)"),
            "-1,2"
        );
        assert_eq!(
            run("return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)"),
            "2,1,2"
        );
        assert_eq!(
            run("return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')"),
            "-1"
        );
        assert_eq!(
            run("return cmsgpack.unpack('\\205\\1')"),
            "ERR Missing bytes in input."
        );
        assert_eq!(
            run("return cmsgpack.unpack('\\193')"),
            "ERR Bad data format in input."
        );
        assert_eq!(
            run("return cmsgpack.unpack('\\129\\192\\1')"),
            "ERR table index is nil"
        );
        assert_eq!(
            run("return cmsgpack.unpack_one('a', 5)"),
            "ERR Start offset 5 greater than input length 1."
        );
        assert_eq!(run("return select('#', cmsgpack.unpack(''))"), "0");
    }

    #[test]
    fn nesting() {
        // Packing stops at depth 16 (the innermost table becomes nil).
        assert_eq!(
            run(
                "local a = {} a[1] = a local t = cmsgpack.unpack(cmsgpack.pack(a)) \
                 local d = 0 while type(t) == 'table' do d = d + 1 t = t[1] end return d"
            ),
            "16"
        );
        // Deep input hits the modelled stack limit instead of the Rust stack.
        assert_eq!(
            run("return cmsgpack.unpack(string.rep('\\145', 100000))"),
            "ERR stack overflow (in function mp_decode_to_lua_array)"
        );
    }
}
