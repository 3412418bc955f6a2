//! The `cjson` library (lua-cjson 2.1.0 as vendored by Redis 7.0): JSON
//! encode/decode plus its configuration functions, `cjson.new` and
//! `cjson.null` (a NULL light userdata).
//!
//! Numbers are formatted like C's `%.14g` and parsed like glibc `strtod`
//! (hex, `inf`, `nan` included). Nesting is walked with explicit stacks,
//! never Rust recursion, and the C library's Lua stack limit (8000 slots) is
//! modelled so absurd depth settings fail with the same message.
//!
//! Deviation: `encode_keep_buffer` only records the setting; it changes
//! memory reuse in C and has no visible effect on results.

use std::cell::RefCell;
use std::rc::Rc;

use super::{
    arg_error, check_bytes, check_integer, raise, register, typename, Failure, Out, Spine,
};
use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};

/// `LUAI_MAXCSTACK` of Lua 5.1: the most slots `lua_checkstack` grants.
const LUA_MAX_CSTACK: i64 = 8000;

#[derive(Clone)]
struct Config {
    sparse_convert: bool,
    sparse_ratio: i32,
    sparse_safe: i32,
    encode_max_depth: i32,
    decode_max_depth: i32,
    /// 0 = refuse, 1 = emit `inf`/`nan`, 2 = emit `null`.
    encode_invalid_numbers: i32,
    decode_invalid_numbers: bool,
    encode_number_precision: i32,
    encode_keep_buffer: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            decode_invalid_numbers: true,
            encode_number_precision: 14,
            encode_keep_buffer: true,
        }
    }
}

type Cfg = Rc<RefCell<Config>>;

/// `cjson.null`.
fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

/// Builds a cjson module table with its own configuration (also what
/// `cjson.new()` returns).
pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let cfg: Cfg = Rc::new(RefCell::new(Config::default()));
    // The raw `next`, captured so scripts cannot change table traversal.
    let next: Function = lua.globals().raw_get("next")?;
    let t = lua.create_table()?;
    let c = cfg.clone();
    register(lua, &t, "encode", move |lua, a| {
        let cfg = c.borrow().clone();
        encode(lua, &cfg, &next, a)
    })?;
    let c = cfg.clone();
    register(lua, &t, "decode", move |lua, a| {
        let cfg = c.borrow().clone();
        decode(lua, &cfg, a)
    })?;
    let c = cfg.clone();
    register(lua, &t, "encode_sparse_array", move |lua, a| {
        arg_init(lua, &a, 3)?;
        let mut cfg = c.borrow_mut();
        let conv = enum_option(lua, &a, 1, &mut cfg.sparse_convert_int(), BOOL_OPTS)?;
        cfg.sparse_convert = conv.1 != 0;
        let ratio = int_option(lua, &a, 2, &mut cfg.sparse_ratio, 0, i32::MAX)?;
        let safe = int_option(lua, &a, 3, &mut cfg.sparse_safe, 0, i32::MAX)?;
        Ok(MultiValue::from_vec(vec![conv.0, ratio, safe]))
    })?;
    let c = cfg.clone();
    register(lua, &t, "encode_max_depth", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let v = int_option(
            lua,
            &a,
            1,
            &mut c.borrow_mut().encode_max_depth,
            1,
            i32::MAX,
        )?;
        Ok(MultiValue::from_vec(vec![v]))
    })?;
    let c = cfg.clone();
    register(lua, &t, "decode_max_depth", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let v = int_option(
            lua,
            &a,
            1,
            &mut c.borrow_mut().decode_max_depth,
            1,
            i32::MAX,
        )?;
        Ok(MultiValue::from_vec(vec![v]))
    })?;
    let c = cfg.clone();
    register(lua, &t, "encode_number_precision", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let mut cfg = c.borrow_mut();
        let v = int_option(lua, &a, 1, &mut cfg.encode_number_precision, 1, 14)?;
        Ok(MultiValue::from_vec(vec![v]))
    })?;
    let c = cfg.clone();
    register(lua, &t, "encode_keep_buffer", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let mut cfg = c.borrow_mut();
        let mut v = i32::from(cfg.encode_keep_buffer);
        let r = enum_option(lua, &a, 1, &mut v, BOOL_OPTS)?;
        cfg.encode_keep_buffer = v != 0;
        Ok(MultiValue::from_vec(vec![r.0]))
    })?;
    let c = cfg.clone();
    register(lua, &t, "encode_invalid_numbers", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let mut cfg = c.borrow_mut();
        let r = enum_option(
            lua,
            &a,
            1,
            &mut cfg.encode_invalid_numbers,
            &["off", "on", "null"],
        )?;
        Ok(MultiValue::from_vec(vec![r.0]))
    })?;
    let c = cfg;
    register(lua, &t, "decode_invalid_numbers", move |lua, a| {
        arg_init(lua, &a, 1)?;
        let mut cfg = c.borrow_mut();
        let mut v = i32::from(cfg.decode_invalid_numbers);
        let r = enum_option(lua, &a, 1, &mut v, BOOL_OPTS)?;
        cfg.decode_invalid_numbers = v != 0;
        Ok(MultiValue::from_vec(vec![r.0]))
    })?;
    register(lua, &t, "new", |lua, _| {
        Ok(MultiValue::from_vec(vec![Value::Table(open(lua)?)]))
    })?;
    t.raw_set("null", null())?;
    t.raw_set("_NAME", "cjson")?;
    t.raw_set("_VERSION", "2.1.0")?;
    Ok(t)
}

impl Config {
    fn sparse_convert_int(&self) -> i32 {
        i32::from(self.sparse_convert)
    }
}

const BOOL_OPTS: &[&str] = &["off", "on"];

/// Configuration functions reject extra arguments; missing ones count as nil.
fn arg_init(lua: &Lua, args: &MultiValue, n: usize) -> Out<()> {
    if args.len() > n {
        return Err(arg_error(lua, n + 1, "found too many arguments"));
    }
    Ok(())
}

fn arg_is_nil(args: &MultiValue, i: usize) -> bool {
    matches!(args.get(i - 1), None | Some(Value::Nil))
}

/// An integer setting: updated when the argument is given, then returned.
fn int_option(
    lua: &Lua,
    args: &MultiValue,
    i: usize,
    setting: &mut i32,
    min: i32,
    max: i32,
) -> Out<Value> {
    if !arg_is_nil(args, i) {
        // luaL_checkinteger yields a lua_Integer that the C code stores in
        // an int, keeping the low 32 bits.
        let value = check_integer(lua, args, i)? as i32;
        if !(min <= value && value <= max) {
            // The C library always blames argument #1 here.
            return Err(arg_error(
                lua,
                1,
                &format!("expected integer between {min} and {max}"),
            ));
        }
        *setting = value;
    }
    Ok(Value::Number(f64::from(*setting)))
}

/// An enumerated setting. Booleans map to 0/1 (the "on" value is always 1);
/// strings must name an option. Returns the value to report and the index.
fn enum_option(
    lua: &Lua,
    args: &MultiValue,
    i: usize,
    setting: &mut i32,
    options: &[&str],
) -> Out<(Value, i32)> {
    match args.get(i - 1) {
        None | Some(Value::Nil) => {}
        Some(Value::Boolean(b)) => *setting = i32::from(*b),
        Some(_) => {
            let name = check_bytes(lua, args, i)?;
            match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
                Some(p) => *setting = p as i32,
                None => {
                    let shown = String::from_utf8_lossy(&name);
                    return Err(arg_error(lua, i, &format!("invalid option '{shown}'")));
                }
            }
        }
    }
    let v = if *setting == 0 || *setting == 1 {
        Value::Boolean(*setting == 1)
    } else {
        Value::String(lua.create_string(options[*setting as usize])?)
    };
    Ok((v, *setting))
}

// ===== Encoding =====

fn encode_error(lua: &Lua, v: &Value, reason: &str) -> Failure {
    raise(lua, format!("Cannot serialise {}: {reason}", typename(v)))
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

fn append_string(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f | 0x7f => {
                out.extend_from_slice(format!("\\u{:04x}", c).as_bytes());
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

fn append_number(lua: &Lua, cfg: &Config, out: &mut Vec<u8>, v: &Value, n: f64) -> Out<()> {
    if !n.is_finite() {
        match cfg.encode_invalid_numbers {
            0 => return Err(encode_error(lua, v, "must not be NaN or Inf")),
            1 if n.is_nan() => {
                // C special-cases NaN so no platform prints "-nan".
                out.extend_from_slice(b"nan");
                return Ok(());
            }
            1 => {}
            _ => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    out.extend_from_slice(
        crate::util::numbers::format_g(n, cfg.encode_number_precision as usize).as_bytes(),
    );
    Ok(())
}

/// How cjson decides between array and object for a table: `Some(len)` to
/// encode `t[1..len]` as an array, `None` for an object.
fn array_length(lua: &Lua, cfg: &Config, v: &Value, t: &Table) -> Out<Option<i32>> {
    let mut max: i32 = 0;
    let mut items: i32 = 0;
    for pair in t.pairs::<Value, Value>() {
        let (k, _) = pair?;
        let k = match number_of(&k) {
            Some(k) if k != 0.0 && k.floor() == k && k >= 1.0 => k,
            _ => return Ok(None),
        };
        // The C code keeps the maximum in an int; conversion of larger keys
        // yields INT_MIN on x86-64, which makes the table an object.
        if k > f64::from(max) {
            max = super::double_to_i32(k);
        }
        items = items.wrapping_add(1);
    }
    if cfg.sparse_ratio > 0 && max > items.wrapping_mul(cfg.sparse_ratio) && max > cfg.sparse_safe {
        if !cfg.sparse_convert {
            return Err(encode_error(lua, v, "excessively sparse array"));
        }
        return Ok(None);
    }
    Ok(if max > 0 { Some(max) } else { None })
}

/// Progress through one table being written out.
enum EncState {
    Array { next: i32, len: i32 },
    Object { first: bool },
}

fn encode(lua: &Lua, cfg: &Config, next: &Function, args: MultiValue) -> Out<MultiValue> {
    if args.len() != 1 {
        return Err(arg_error(lua, 1, "expected 1 argument"));
    }
    let mut out = Vec::new();
    // Open tables with their last key (objects) in `spine`, progress in
    // `states`.
    let mut spine = Spine::new(lua)?;
    let mut states: Vec<EncState> = Vec::new();
    // Lua stack slots the C encoder would be using: the argument, plus one
    // per enclosing array (the element) or two per object (key and value).
    let mut slots: i64 = 1;
    let mut pending = Some(args.into_iter().next().unwrap_or(Value::Nil));
    loop {
        if let Some(v) = pending.take() {
            match &v {
                Value::String(s) => append_string(&mut out, &s.as_bytes()),
                Value::Integer(_) | Value::Number(_) => {
                    let n = number_of(&v).unwrap_or_default();
                    append_number(lua, cfg, &mut out, &v, n)?;
                }
                Value::Boolean(b) => {
                    out.extend_from_slice(if *b { b"true" } else { b"false" });
                }
                Value::Nil => out.extend_from_slice(b"null"),
                Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
                Value::Table(t) => {
                    let depth = states.len() as i64 + 1;
                    if depth > i64::from(cfg.encode_max_depth) || slots + 3 > LUA_MAX_CSTACK {
                        return Err(raise(
                            lua,
                            format!("Cannot serialise, excessive nesting ({depth})"),
                        ));
                    }
                    match array_length(lua, cfg, &v, t)? {
                        Some(len) => {
                            out.push(b'[');
                            states.push(EncState::Array { next: 1, len });
                            slots += 1;
                        }
                        None => {
                            out.push(b'{');
                            states.push(EncState::Object { first: true });
                            slots += 2;
                        }
                    }
                    spine.push(t.clone(), Value::Nil)?;
                }
                _ => return Err(encode_error(lua, &v, "type not supported")),
            }
        }
        // Pick the next value to write from the innermost open table.
        let (Some(state), Some((t, key))) = (states.last_mut(), spine.top.as_mut()) else {
            break;
        };
        match state {
            EncState::Array { next, len } => {
                if *next > *len {
                    out.push(b']');
                    states.pop();
                    spine.pop()?;
                    slots -= 1;
                    continue;
                }
                if *next > 1 {
                    out.push(b',');
                }
                pending = Some(t.raw_get(*next)?);
                *next += 1;
            }
            EncState::Object { first } => {
                let (k, v): (Value, Value) = next.call((t.clone(), key.clone()))?;
                if k.is_nil() {
                    out.push(b'}');
                    states.pop();
                    spine.pop()?;
                    slots -= 2;
                    continue;
                }
                if !*first {
                    out.push(b',');
                }
                *first = false;
                match &k {
                    Value::Integer(_) | Value::Number(_) => {
                        out.push(b'"');
                        let n = number_of(&k).unwrap_or_default();
                        append_number(lua, cfg, &mut out, &k, n)?;
                        out.extend_from_slice(b"\":");
                    }
                    Value::String(s) => {
                        append_string(&mut out, &s.as_bytes());
                        out.push(b':');
                    }
                    _ => {
                        return Err(encode_error(
                            lua,
                            &k,
                            "table key must be a number or string",
                        ));
                    }
                }
                *key = k;
                pending = Some(v);
            }
        }
    }
    Ok(MultiValue::from_vec(vec![Value::String(
        lua.create_string(out)?,
    )]))
}

// ===== Decoding =====

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    /// A lexing error; the text names what was found.
    Error(&'static str),
}

impl Tok {
    fn found(&self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num(_) => "T_NUMBER",
            Tok::Bool(_) => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(s) => s,
        }
    }
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bytes of the last string token.
    buf: Vec<u8>,
    invalid_numbers: bool,
}

impl Parser<'_> {
    /// The C parser reads a NUL-terminated buffer: past the end (and at an
    /// embedded NUL) it sees 0.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    /// Returns the token and the 0-based index it is reported at.
    fn next_token(&mut self) -> (Tok, usize) {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        let start = self.pos;
        let c = self.at(start);
        let single = match c {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return (t, start);
        }
        match c {
            0 => (Tok::End, start),
            b'"' => self.string_token(),
            b'-' | b'0'..=b'9' => {
                if !self.invalid_numbers && self.is_invalid_number() {
                    return (Tok::Error("invalid number"), start);
                }
                self.number_token()
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => {
                let rest = &self.data[start..];
                if rest.starts_with(b"true") {
                    self.pos += 4;
                    (Tok::Bool(true), start)
                } else if rest.starts_with(b"false") {
                    self.pos += 5;
                    (Tok::Bool(false), start)
                } else if rest.starts_with(b"null") {
                    self.pos += 4;
                    (Tok::Null, start)
                } else if self.invalid_numbers && self.is_invalid_number() {
                    self.number_token()
                } else {
                    (Tok::Error("invalid token"), start)
                }
            }
            _ => (Tok::Error("invalid token"), start),
        }
    }

    /// Spots what strict JSON forbids but `strtod` accepts: a leading '+',
    /// hex, leading zeros, inf and nan.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        let c = self.at(p);
        if c == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        }
        if c <= b'9' {
            return false;
        }
        let word: Vec<u8> = (0..3)
            .map(|i| self.at(p + i).to_ascii_lowercase())
            .collect();
        word == b"inf" || word == b"nan"
    }

    fn number_token(&mut self) -> (Tok, usize) {
        let start = self.pos;
        match strtod(&self.data[start..]) {
            Some((n, used)) => {
                self.pos += used;
                (Tok::Num(n), start)
            }
            None => (Tok::Error("invalid number"), start),
        }
    }

    fn string_token(&mut self) -> (Tok, usize) {
        let start = self.pos;
        self.pos += 1;
        self.buf.clear();
        loop {
            let c = self.at(self.pos);
            if c == b'"' {
                break;
            }
            if c == 0 {
                return (Tok::Error("unexpected end of string"), self.pos);
            }
            if c == b'\\' {
                let esc = match self.at(self.pos + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => b'\x08',
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => b'\x0c',
                    b'r' => b'\r',
                    b'u' => {
                        if self.unicode_escape() {
                            continue;
                        }
                        return (Tok::Error("invalid unicode escape code"), self.pos);
                    }
                    _ => return (Tok::Error("invalid escape code"), self.pos),
                };
                self.buf.push(esc);
                self.pos += 2;
                continue;
            }
            self.buf.push(c);
            self.pos += 1;
        }
        self.pos += 1;
        (Tok::Str, start)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            v = (v << 4) | (self.at(at + i) as char).to_digit(16)?;
        }
        Some(v)
    }

    /// Decodes `\uXXXX` (or a surrogate pair) at `pos` into UTF-8.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            // Must be a high surrogate followed by an escaped low one.
            if cp & 0x400 != 0 {
                return false;
            }
            if self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        // Lone low surrogates are not rejected by the C code; encode the
        // code point as bytes regardless of UTF-8 validity.
        let b = &mut self.buf;
        if cp <= 0x7F {
            b.push(cp as u8);
        } else if cp <= 0x7FF {
            b.extend_from_slice(&[(cp >> 6) as u8 | 0xC0, (cp & 0x3F) as u8 | 0x80]);
        } else if cp <= 0xFFFF {
            b.extend_from_slice(&[
                (cp >> 12) as u8 | 0xE0,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]);
        } else {
            b.extend_from_slice(&[
                (cp >> 18) as u8 | 0xF0,
                ((cp >> 12) & 0x3F) as u8 | 0x80,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]);
        }
        self.pos += len;
        true
    }
}

/// glibc `strtod` on a byte string: the value and how many bytes it used,
/// or `None` when nothing converts. Leading whitespace never occurs here.
pub(crate) fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let neg = match at(0) {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let sign = |v: f64| if neg { -v } else { v };
    let lower = |i: usize, w: &[u8]| {
        w.iter()
            .enumerate()
            .all(|(k, c)| at(i + k).to_ascii_lowercase() == *c)
    };
    if lower(i, b"inf") {
        let used = if lower(i, b"infinity") { i + 8 } else { i + 3 };
        return Some((sign(f64::INFINITY), used));
    }
    if lower(i, b"nan") {
        let mut used = i + 3;
        if at(used) == b'(' {
            let mut j = used + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                used = j + 1;
            }
        }
        return Some((sign(f64::NAN), used));
    }
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' {
        if let Some((v, used)) = hex_float(s, i + 2) {
            return Some((sign(v), used));
        }
        // "0x" without hex digits: just the zero converts.
        return Some((sign(0.0), i + 1));
    }
    let int_start = i;
    while at(i).is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    let mut end = i;
    if at(i) == b'.' {
        let mut j = i + 1;
        while at(j).is_ascii_digit() {
            j += 1;
        }
        digits += j - i - 1;
        if digits > 0 {
            end = j;
        }
    }
    if digits == 0 {
        return None;
    }
    if (at(end) | 0x20) == b'e' {
        let mut j = end + 1;
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            while at(j).is_ascii_digit() {
                j += 1;
            }
            end = j;
        }
    }
    let text = std::str::from_utf8(&s[int_start..end]).ok()?;
    // Rust's parser is correctly rounded like glibc's; it wants a digit
    // before an exponent, so patch "1.e5" style input.
    let v: f64 = text
        .parse()
        .or_else(|_| {
            text.replacen(".e", ".0e", 1)
                .replacen(".E", ".0E", 1)
                .parse()
        })
        .ok()?;
    Some((sign(v), end))
}

/// Hex significand (after "0x") with optional binary exponent `p`.
fn hex_float(s: &[u8], start: usize) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = start;
    let mut mant: u64 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut any = false;
    let mut seen_dot = false;
    loop {
        let c = at(i);
        if c == b'.' && !seen_dot {
            seen_dot = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else {
            break;
        };
        any = true;
        if mant >> 60 == 0 {
            mant = (mant << 4) | u64::from(d);
            if seen_dot {
                exp -= 4;
            }
        } else {
            // Too many digits to hold: remember they were nonzero and
            // account for their weight.
            sticky |= d != 0;
            if !seen_dot {
                exp += 4;
            }
        }
        i += 1;
    }
    if !any {
        return None;
    }
    let mut end = i;
    if (at(i) | 0x20) == b'p' {
        let mut j = i + 1;
        let neg = at(j) == b'-';
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            let mut e: i64 = 0;
            while at(j).is_ascii_digit() {
                e = (e * 10 + i64::from(at(j) - b'0')).min(100_000);
                j += 1;
            }
            exp += if neg { -e } else { e };
            end = j;
        }
    }
    if sticky {
        mant |= 1;
    }
    // Exact for results in the normal range: u64 -> f64 rounds once, and
    // the power-of-two scaling is exact.
    let v = (mant as f64) * 2f64.powi(exp.clamp(-2000, 2000) as i32);
    Some((v, end))
}

/// What an open container expects; arrays count their next index.
enum DecState {
    Array(i64),
    Object,
}

fn decode(lua: &Lua, cfg: &Config, args: MultiValue) -> Out<MultiValue> {
    if args.len() != 1 {
        return Err(arg_error(lua, 1, "expected 1 argument"));
    }
    let data = check_bytes(lua, &args, 1)?;
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(raise(lua, "JSON parser does not support UTF-16 or UTF-32"));
    }
    let mut p = Parser {
        data: &data,
        pos: 0,
        buf: Vec::new(),
        invalid_numbers: cfg.decode_invalid_numbers,
    };
    // Open containers with their pending key (objects) in `spine`, the
    // kind and array position in `states`.
    let mut spine = Spine::new(lua)?;
    let mut states: Vec<DecState> = Vec::new();
    // Lua stack slots the C decoder would hold: the argument, one per open
    // array (the table) and two per open object (table and pending key).
    let mut slots: i64 = 1;
    let mut tok = p.next_token();
    'value: loop {
        // Turn `tok` into a complete value, or open a container.
        let mut value = match tok.0 {
            Tok::Str => Value::String(lua.create_string(&p.buf)?),
            Tok::Num(n) => Value::Number(n),
            Tok::Bool(b) => Value::Boolean(b),
            Tok::Null => null(),
            Tok::ObjBegin | Tok::ArrBegin => {
                let is_obj = tok.0 == Tok::ObjBegin;
                let depth = states.len() as i64 + 1;
                let need = if is_obj { 3 } else { 2 };
                if depth > i64::from(cfg.decode_max_depth) || slots + need > LUA_MAX_CSTACK {
                    return Err(raise(
                        lua,
                        format!(
                            "Found too many nested data structures ({depth}) at character {}",
                            p.pos
                        ),
                    ));
                }
                let t = lua.create_table()?;
                tok = p.next_token();
                if is_obj {
                    if tok.0 == Tok::ObjEnd {
                        Value::Table(t)
                    } else {
                        let key = read_key(lua, &mut p, tok)?;
                        spine.push(t, key)?;
                        states.push(DecState::Object);
                        slots += 2;
                        tok = p.next_token();
                        continue 'value;
                    }
                } else if tok.0 == Tok::ArrEnd {
                    Value::Table(t)
                } else {
                    spine.push(t, Value::Nil)?;
                    states.push(DecState::Array(1));
                    slots += 1;
                    continue 'value;
                }
            }
            _ => return Err(parse_error(lua, "value", tok)),
        };
        // Store the finished value in its container; close containers that
        // end here, until one expects another value.
        loop {
            let (Some(state), Some((t, key))) = (states.last_mut(), spine.top.as_mut()) else {
                let end = p.next_token();
                if end.0 != Tok::End {
                    return Err(parse_error(lua, "the end", end));
                }
                return Ok(MultiValue::from_vec(vec![value]));
            };
            let (close, sep, what, used) = match state {
                DecState::Array(i) => {
                    t.raw_set(*i, value)?;
                    *i += 1;
                    (Tok::ArrEnd, "comma or array end", true, 1)
                }
                DecState::Object => {
                    t.raw_set(key.clone(), value)?;
                    (Tok::ObjEnd, "comma or object end", false, 2)
                }
            };
            tok = p.next_token();
            if tok.0 == close {
                states.pop();
                let (t, _) = spine.pop()?.expect("an open container");
                slots -= used;
                value = Value::Table(t);
                continue;
            }
            if tok.0 != Tok::Comma {
                return Err(parse_error(lua, sep, tok));
            }
            tok = p.next_token();
            if !what {
                *key = read_key(lua, &mut p, tok)?;
                tok = p.next_token();
            }
            continue 'value;
        }
    }
}

/// A syntax error: what was expected, what was found and where (1-based).
fn parse_error(lua: &Lua, expected: &str, tok: (Tok, usize)) -> Failure {
    raise(
        lua,
        format!(
            "Expected {expected} but found {} at character {}",
            tok.0.found(),
            tok.1 + 1
        ),
    )
}

/// Reads `"key" :` starting at `tok` (already the key token).
fn read_key(lua: &Lua, p: &mut Parser, tok: (Tok, usize)) -> Out<Value> {
    if tok.0 != Tok::Str {
        return Err(parse_error(lua, "object key string", tok));
    }
    let key = Value::String(lua.create_string(&p.buf)?);
    let colon = p.next_token();
    if colon.0 != Tok::Colon {
        return Err(parse_error(lua, "colon", colon));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::strtod;
    use crate::util::numbers::format_g;
    use mlua::Lua;

    fn lua() -> Lua {
        super::super::test_lua()
    }

    fn run(lua: &Lua, code: &str) -> String {
        let wrapped = format!(
            "local ok, r = pcall(function() {code} end) \
             if ok then return tostring(r) else return 'ERR ' .. tostring(r) end"
        );
        lua.load(&wrapped).eval::<String>().unwrap()
    }

    #[test]
    fn format_g_matches_printf() {
        assert_eq!(format_g(0.1, 14), "0.1");
        assert_eq!(format_g(1e300, 14), "1e+300");
        assert_eq!(format_g(-0.0, 14), "-0");
        assert_eq!(format_g(100000000000000.0, 14), "1e+14");
        assert_eq!(format_g(10000000000000.0, 14), "10000000000000");
        assert_eq!(format_g(0.0001, 14), "0.0001");
        assert_eq!(format_g(0.00001, 14), "1e-05");
        assert_eq!(format_g(1.0 / 3.0, 14), "0.33333333333333");
        assert_eq!(format_g(2f64.powi(53), 14), "9.007199254741e+15");
        assert_eq!(format_g(123456.0, 3), "1.23e+05");
        assert_eq!(format_g(0.125, 2), "0.12");
    }

    #[test]
    fn strtod_forms() {
        assert_eq!(strtod(b"1.5e3x"), Some((1500.0, 5)));
        assert_eq!(strtod(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod(b"0x1p4"), Some((16.0, 5)));
        assert_eq!(strtod(b"0x"), Some((0.0, 1)));
        assert_eq!(strtod(b"-Infinity"), Some((f64::NEG_INFINITY, 9)));
        assert_eq!(strtod(b"1.e2"), Some((100.0, 4)));
        assert!(strtod(b"-").is_none());
        assert!(strtod(b"nan(12)").unwrap().0.is_nan());
    }

    #[test]
    fn encode_cases() {
        let lua = lua();
        let cases = [
            ("return cjson.encode({1,2,{a=1}})", "[1,2,{\"a\":1}]"),
            ("return cjson.encode({})", "{}"),
            ("return cjson.encode({[1]=1,[3]=3})", "[1,null,3]"),
            (
                "return cjson.encode('a/\"\\\\\\n\\1\\127')",
                "\"a\\/\\\"\\\\\\n\\u0001\\u007f\"",
            ),
            ("return cjson.encode(cjson.null)", "null"),
            ("return cjson.encode(0.1)", "0.1"),
            ("return cjson.encode({[1.5]=true})", "{\"1.5\":true}"),
            (
                "return cjson.encode({[20]=1})",
                "ERR Cannot serialise table: excessively sparse array",
            ),
            (
                "return cjson.encode(0/0)",
                "ERR Cannot serialise number: must not be NaN or Inf",
            ),
            (
                "return cjson.encode(print)",
                "ERR Cannot serialise function: type not supported",
            ),
            (
                "return cjson.encode({[true]=1})",
                "ERR Cannot serialise boolean: table key must be a number or string",
            ),
            (
                "local t = {} t[1] = t return cjson.encode(t)",
                "ERR Cannot serialise, excessive nesting (1001)",
            ),
            (
                "cjson.encode_invalid_numbers(true) return cjson.encode({0/0, 1/0})",
                "[nan,inf]",
            ),
            (
                "cjson.encode_number_precision(3) return cjson.encode(3.14159)",
                "3.14",
            ),
        ];
        for (code, want) in cases {
            assert_eq!(run(&lua, code), want, "{code}");
        }
    }

    #[test]
    fn decode_cases() {
        let lua = lua();
        let cases = [
            ("return cjson.decode('[1,2,3]')[3]", "3"),
            (
                "return cjson.decode('{\"a\":{\"b\":[true]}}').a.b[1]",
                "true",
            ),
            ("return cjson.decode('[null]')[1] == cjson.null", "true"),
            (
                "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')",
                "é😀",
            ),
            ("return cjson.decode(' 0x10 ')", "16"),
            (
                "return cjson.decode('')",
                "ERR Expected value but found T_END at character 1",
            ),
            (
                "return cjson.decode('[1,]')",
                "ERR Expected value but found T_ARR_END at character 4",
            ),
            (
                "return cjson.decode('{1:2}')",
                "ERR Expected object key string but found T_NUMBER at character 2",
            ),
            (
                "return cjson.decode('[1 2]')",
                "ERR Expected comma or array end but found T_NUMBER at character 4",
            ),
            (
                "return cjson.decode('\"abc')",
                "ERR Expected value but found unexpected end of string at character 5",
            ),
            (
                "return cjson.decode('[1] x')",
                "ERR Expected the end but found invalid token at character 5",
            ),
            (
                "return cjson.decode(string.rep('[', 1001))",
                "ERR Found too many nested data structures (1001) at character 1001",
            ),
            (
                "return cjson.decode('\\0[')",
                "ERR JSON parser does not support UTF-16 or UTF-32",
            ),
            ("return select('#', cjson.decode('1'))", "1"),
        ];
        for (code, want) in cases {
            assert_eq!(run(&lua, code), want, "{code}");
        }
    }

    #[test]
    fn config_functions() {
        let lua = lua();
        let cases = [
            ("return select(2, cjson.encode_sparse_array())", "2"),
            ("return cjson.encode_max_depth(5)", "5"),
            ("return cjson.encode_invalid_numbers('null')", "null"),
            ("return cjson.encode_keep_buffer('off')", "false"),
            (
                "return cjson.encode_number_precision(15)",
                "ERR bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)",
            ),
            (
                "return cjson.encode_keep_buffer('x')",
                "ERR bad argument #1 to 'encode_keep_buffer' (invalid option 'x')",
            ),
            ("return cjson.new().encode({1})", "[1]"),
        ];
        for (code, want) in cases {
            assert_eq!(run(&lua, code), want, "{code}");
        }
    }

    #[test]
    fn deep_structures_do_not_overflow_rust_stack() {
        let lua = lua();
        assert_eq!(
            run(
                &lua,
                "cjson.decode_max_depth(100000) \
                 local ok, e = pcall(cjson.decode, string.rep('[', 20000)) return e"
            ),
            "Found too many nested data structures (7999) at character 7999"
        );
        assert_eq!(
            run(
                &lua,
                "cjson.encode_max_depth(100000) local t = {} t[1] = t \
                 local ok, e = pcall(cjson.encode, t) return e"
            ),
            "Cannot serialise, excessive nesting (7998)"
        );
    }
}
