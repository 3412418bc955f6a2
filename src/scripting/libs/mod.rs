//! The C libraries that Redis 7.0 links into its Lua 5.1 interpreter, rewritten
//! in safe Rust: `bit` (LuaBitOp), `cjson` (lua-cjson 2.1.0), `cmsgpack`
//! (lua-cmsgpack) and `struct` (lua-struct).
//!
//! Every library function is exposed to scripts through a tiny Lua trampoline
//! around the Rust function. The reason is errors: an `Err` returned from an
//! mlua callback reaches Lua as a userdata, while the C libraries raise plain
//! strings (`pcall(cjson.decode, "x")` must yield a string). The Rust side
//! reports a failure as `0, message` and the trampoline raises the message
//! with `error(msg, 0)`; the `chunk:line:` prefix that `luaL_error` would add
//! is computed in Rust from the caller's stack frame.
//!
//! Deviation: when a script tail-calls a library function
//! (`return cjson.decode(s)`), Lua 5.1 discards the caller's frame for the
//! trampoline, so such errors lack the `user_script:1:` prefix and the
//! registered function name is assumed in "bad argument" messages.

use std::cell::Cell;

use mlua::{Function, Lua, MultiValue, Table, Value};

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod struct_lib;

/// Opens `bit`, `cjson`, `cmsgpack` and `struct` as globals.
pub fn open_all(lua: &Lua) -> mlua::Result<()> {
    let globals = lua.globals();
    globals.set("bit", bit::open(lua)?)?;
    globals.set("cjson", cjson::open(lua)?)?;
    globals.set("cmsgpack", cmsgpack::open(lua)?)?;
    globals.set("struct", struct_lib::open(lua)?)?;
    Ok(())
}

/// A plain interpreter with the four libraries, for the libraries' tests.
#[cfg(test)]
pub(crate) fn test_lua() -> Lua {
    let lua = Lua::new();
    open_all(&lua).unwrap();
    lua
}

/// Why a library function failed.
pub(crate) enum Failure {
    /// Raised to the script as a plain Lua string, like `luaL_error`.
    Raise(Vec<u8>),
    /// An mlua-level failure (memory, stack) propagated unchanged.
    Lua(mlua::Error),
}

impl From<mlua::Error> for Failure {
    fn from(e: mlua::Error) -> Self {
        match e {
            // Errors raised by Lua code we call (e.g. `next` on a bad key)
            // already carry their final text; keep them plain strings.
            mlua::Error::RuntimeError(s) => Failure::Raise(s.into_bytes()),
            other => Failure::Lua(other),
        }
    }
}

pub(crate) type Out<T> = Result<T, Failure>;

/// What a library function hands back to the trampoline.
pub(crate) enum Ret {
    /// Returned as they are.
    Values(MultiValue),
    /// `t[1..n]`, spread by the trampoline with `unpack`; for long result
    /// lists, which would otherwise each need an mlua handle at once.
    Spread(Table, usize),
}

impl From<MultiValue> for Ret {
    fn from(v: MultiValue) -> Self {
        Ret::Values(v)
    }
}

/// The `chunk:line: ` prefix `luaL_where(L, 1)` gives for a C function: the
/// position of the Lua code that called it, empty when the caller is C code.
fn where_prefix(lua: &Lua) -> String {
    // Level 0 is the Rust function, 1 the trampoline, 2 the script's caller.
    lua.inspect_stack(2, |d| {
        let line = d.current_line()?;
        let src = d.source().short_src?.into_owned();
        Some(format!("{src}:{line}: "))
    })
    .flatten()
    .unwrap_or_default()
}

/// `luaL_error`: a message prefixed with the caller's position.
pub(crate) fn raise(lua: &Lua, msg: impl AsRef<[u8]>) -> Failure {
    let mut v = where_prefix(lua).into_bytes();
    v.extend_from_slice(msg.as_ref());
    Failure::Raise(v)
}

thread_local! {
    /// Name under which the running library function was registered; used
    /// for "bad argument" messages when the caller's frame is gone.
    static CURRENT: Cell<&'static str> = const { Cell::new("?") };
}

/// `luaL_argerror`: names the function the way its caller spelled it.
pub(crate) fn arg_error(lua: &Lua, narg: usize, extramsg: &str) -> Failure {
    // Level 2 reads "tail" when the script tail-called the trampoline.
    let tail = lua.inspect_stack(2, |d| d.source().what == "tail");
    let names = if tail == Some(true) {
        // The tail call erased the caller; C Lua would still know the name,
        // and it is almost always the registered one.
        (Some(CURRENT.with(Cell::get).to_owned()), None)
    } else {
        lua.inspect_stack(1, |d| {
            let n = d.names();
            (n.name.map(|s| s.into_owned()), n.name_what)
        })
        .unwrap_or((None, None))
    };
    let (name, what) = names;
    let mut narg = narg;
    if what == Some("method") {
        narg -= 1;
        if narg == 0 {
            let name = name.unwrap_or_else(|| "?".into());
            return raise(lua, format!("calling '{name}' on bad self ({extramsg})"));
        }
    }
    let name = name.unwrap_or_else(|| "?".into());
    raise(
        lua,
        format!("bad argument #{narg} to '{name}' ({extramsg})"),
    )
}

/// `luaL_typename` for argument `narg` (1-based); "no value" when absent.
pub(crate) fn arg_typename(args: &MultiValue, narg: usize) -> &'static str {
    match args.get(narg - 1) {
        None => "no value",
        Some(v) => typename(v),
    }
}

/// `lua_typename` of a value, as Lua 5.1 spells it.
pub(crate) fn typename(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

/// `luaL_typerror`: "<expected> expected, got <actual>".
pub(crate) fn type_error(lua: &Lua, args: &MultiValue, narg: usize, expected: &str) -> Failure {
    let got = arg_typename(args, narg);
    arg_error(lua, narg, &format!("{expected} expected, got {got}"))
}

/// `lua_tonumber` semantics: numbers and numeric strings, otherwise `None`.
pub(crate) fn to_number(lua: &Lua, v: Option<&Value>) -> Out<Option<f64>> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::Integer(i)) => Ok(Some(*i as f64)),
        Some(Value::Number(n)) => Ok(Some(*n)),
        Some(v @ Value::String(_)) => Ok(lua.coerce_number(v.clone())?),
        Some(_) => Ok(None),
    }
}

/// `luaL_checknumber`.
pub(crate) fn check_number(lua: &Lua, args: &MultiValue, narg: usize) -> Out<f64> {
    match to_number(lua, args.get(narg - 1))? {
        Some(n) => Ok(n),
        None => Err(type_error(lua, args, narg, "number")),
    }
}

/// `luaL_checkinteger`: a number truncated the way Lua 5.1's `lua_Integer`
/// cast (ptrdiff_t) does on x86-64.
pub(crate) fn check_integer(lua: &Lua, args: &MultiValue, narg: usize) -> Out<i64> {
    check_number(lua, args, narg).map(double_to_i64)
}

/// `luaL_optinteger`.
pub(crate) fn opt_integer(lua: &Lua, args: &MultiValue, narg: usize, def: i64) -> Out<i64> {
    match args.get(narg - 1) {
        None | Some(Value::Nil) => Ok(def),
        _ => check_integer(lua, args, narg),
    }
}

/// `luaL_checklstring`: strings and numbers (converted as `tostring` would).
pub(crate) fn check_bytes(lua: &Lua, args: &MultiValue, narg: usize) -> Out<Vec<u8>> {
    match args.get(narg - 1) {
        Some(v @ (Value::String(_) | Value::Integer(_) | Value::Number(_))) => {
            match lua.coerce_string(v.clone())? {
                Some(s) => Ok(s.as_bytes().to_vec()),
                None => Err(type_error(lua, args, narg, "string")),
            }
        }
        _ => Err(type_error(lua, args, narg, "string")),
    }
}

/// C's `(int64_t)double` on x86-64: out-of-range and NaN give `i64::MIN`.
pub(crate) fn double_to_i64(n: f64) -> i64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO63..TWO63).contains(&n) {
        n as i64
    } else {
        i64::MIN
    }
}

/// C's `(int)double` on x86-64: out-of-range and NaN give `i32::MIN`.
pub(crate) fn double_to_i32(n: f64) -> i32 {
    // Fractions just above i32::MIN - 1 still truncate into range.
    if n > -2_147_483_649.0 && n < 2_147_483_648.0 {
        n as i32
    } else {
        i32::MIN
    }
}

/// A stack of (table, value) pairs in which only the top pair is held as
/// mlua handles; the rest are parked in a Lua table. mlua's handle space is
/// about as small as Lua's own stack, so one handle per nesting level would
/// run out before the depth limits the C library enforces.
pub(crate) struct Spine {
    store: Table,
    depth: usize,
    pub(crate) top: Option<(Table, Value)>,
}

impl Spine {
    pub(crate) fn new(lua: &Lua) -> mlua::Result<Self> {
        Ok(Spine {
            store: lua.create_table()?,
            depth: 0,
            top: None,
        })
    }

    pub(crate) fn push(&mut self, t: Table, v: Value) -> mlua::Result<()> {
        if let Some((pt, pv)) = self.top.take() {
            self.store.raw_set(2 * self.depth - 1, pt)?;
            self.store.raw_set(2 * self.depth, pv)?;
        }
        self.depth += 1;
        self.top = Some((t, v));
        Ok(())
    }

    pub(crate) fn pop(&mut self) -> mlua::Result<Option<(Table, Value)>> {
        let popped = self.top.take();
        if popped.is_some() {
            self.depth -= 1;
        }
        if self.depth > 0 {
            let t: Table = self.store.raw_get(2 * self.depth - 1)?;
            let v: Value = self.store.raw_get(2 * self.depth)?;
            self.store.raw_set(2 * self.depth - 1, Value::Nil)?;
            self.store.raw_set(2 * self.depth, Value::Nil)?;
            self.top = Some((t, v));
        }
        Ok(popped)
    }
}

/// Wraps a Rust implementation in the error-raising trampoline and stores it
/// in `table` under `name`.
pub(crate) fn register<F, R>(lua: &Lua, table: &Table, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, MultiValue) -> Out<R> + 'static,
    R: Into<Ret>,
{
    table.raw_set(name, wrap(lua, name, f)?)
}

/// Builds the Lua function scripts see for a Rust implementation.
pub(crate) fn wrap<F, R>(lua: &Lua, name: &'static str, f: F) -> mlua::Result<Function>
where
    F: Fn(&Lua, MultiValue) -> Out<R> + 'static,
    R: Into<Ret>,
{
    let raw = lua.create_function(move |lua, args: MultiValue| {
        // Library functions do not call back into each other, so a plain
        // set (without restore) is enough.
        CURRENT.with(|c| c.set(name));
        match f(lua, args).map(Into::into) {
            Ok(Ret::Values(mut vals)) => {
                vals.push_front(Value::Integer(1));
                Ok(vals)
            }
            Ok(Ret::Spread(t, n)) => Ok(MultiValue::from_vec(vec![
                Value::Integer(2),
                Value::Table(t),
                Value::Integer(n as i64),
            ])),
            Err(Failure::Raise(msg)) => {
                let msg = lua.create_string(msg)?;
                Ok(MultiValue::from_vec(vec![
                    Value::Integer(0),
                    Value::String(msg),
                ]))
            }
            Err(Failure::Lua(e)) => Err(e),
        }
    })?;
    trampoline_factory(lua)?.call(raw)
}

/// Registry name of the function that wraps a Rust implementation in a trampoline.
const FACTORY_KEY: &str = "ferrodis.lib_trampoline";

/// The function that makes trampolines, compiled once per interpreter: each library
/// function then costs one closure, not a compiled chunk of its own.
fn trampoline_factory(lua: &Lua) -> mlua::Result<Function> {
    if let Ok(f) = lua.named_registry_value::<Function>(FACTORY_KEY) {
        return Ok(f);
    }
    // `error` and `unpack` are captured now so a script redefining the
    // globals cannot change how library results are delivered.
    let error: Function = lua.globals().raw_get("error")?;
    let unpack: Function = lua.globals().raw_get("unpack")?;
    let factory: Function = lua
        .load(
            "local error, unpack = ...\n\
             local function finish(ok, ...)\n\
               if ok == 1 then return ... end\n\
               if ok == 2 then local t, n = ... return unpack(t, 1, n) end\n\
               error((...), 0)\n\
             end\n\
             return function(raw) return function(...) return finish(raw(...)) end end",
        )
        .set_name("=[C]")
        .call((error, unpack))?;
    lua.set_named_registry_value(FACTORY_KEY, factory.clone())?;
    Ok(factory)
}
