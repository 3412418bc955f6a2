//! The Lua interpreter scripts run in, set up as Redis 7.0 sets up its own: the base,
//! table, string and math libraries plus `bit`, `cjson`, `cmsgpack` and `struct`; no
//! `print`, `dofile`, `loadfile`, `io`, `os` or `debug`; the `redis` table; and a
//! global table that scripts can read but not change.
//!
//! Redis makes every table reachable from the globals read-only with a patch to its
//! Lua. Stock Lua 5.1 has no such switch, so here the library tables are reached
//! through read-only proxies, the global table gets a guarding metatable, and
//! `rawset` refuses those tables: a script sees the same errors for the same mistakes.
//!
//! The functions that need the running script (`redis.call`, `redis.setresp`...) are
//! made once with the interpreter; while a script runs they reach the server through
//! the interpreter's `binding`, and outside a run they refuse, as Redis's do.

use std::rc::Rc;

use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value};

use super::binding::Binding;
use super::lrand48::Lrand48;
use crate::commands::connection::REDIS_COMPAT_VERSION;

/// Registry name of the real `redis` table (scripts see a read-only proxy of it); the
/// run puts its functions bound to the server in it.
pub const API_KEY: &str = "ferrodis.redis_api";
/// Registry name of the function that runs a script under the error handler.
pub const RUNNER_KEY: &str = "ferrodis.runner";
/// Registry name of the message handler a script runs under.
pub const HANDLER_KEY: &str = "ferrodis.handler";
/// Registry name of the function that, given the API a function library may use while
/// it loads, returns the switch between those globals and the usual ones.
pub const LOAD_API_KEY: &str = "ferrodis.install_load_api";
/// Registry name of the function that puts a compiled script in the guarded globals.
pub const SANDBOX_KEY: &str = "ferrodis.sandbox";
/// Chunk name of our own Lua code; the error handler skips its frames, so an error is
/// located in the user's script, as Redis locates errors raised by its C functions.
pub const INTERNAL_CHUNK: &str = "=ferrodis";

/// An error raised by one of our functions, with the text of the error table Redis
/// would raise (`ERR ...`, or a command's own error); `counted` when the error was
/// already counted in the error statistics (a command's error passed on by
/// `redis.call`). Lua cannot be handed a table as an error from Rust, so the message
/// handler and `pcall` turn this back into what Redis gives.
#[derive(Debug, Clone)]
pub struct Raise {
    pub text: Vec<u8>,
    pub counted: bool,
}

impl std::fmt::Display for Raise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

impl std::error::Error for Raise {}

/// The error to return from a Rust function to raise `{err = text}` in the script.
pub fn raise(text: impl Into<Vec<u8>>) -> mlua::Error {
    mlua::Error::external(Raise {
        text: text.into(),
        counted: false,
    })
}

/// Redis's version as a number (0x00MMmmpp), for `redis.REDIS_VERSION_NUM`.
fn version_num() -> f64 {
    let mut parts = REDIS_COMPAT_VERSION
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    ((major << 16) | (minor << 8) | patch) as f64
}

/// The text of an error table (`{err = ...}`) made from an error reply or message, as
/// Redis's luaPushErrorBuff makes it: `-CODE rest` keeps its code, a bare message gets
/// `ERR`; line breaks at either end are trimmed.
pub fn error_table_text(raw: &[u8]) -> Vec<u8> {
    let (code, msg) = error_parts(raw);
    let mut out = code.to_vec();
    out.push(b' ');
    out.extend_from_slice(msg);
    out
}

/// The code and the message of [`error_table_text`], which joins them with a space.
pub fn error_parts(raw: &[u8]) -> (&[u8], &[u8]) {
    let (code, msg): (&[u8], &[u8]) = match raw.strip_prefix(b"-") {
        Some(rest) => match rest.iter().position(|&b| b == b' ') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", raw),
    };
    let is_break = |b: &u8| *b == b'\r' || *b == b'\n';
    let start = msg.iter().position(|b| !is_break(b)).unwrap_or(msg.len());
    let end = msg
        .iter()
        .rposition(|b| !is_break(b))
        .map_or(start, |i| i + 1);
    (code, &msg[start..end])
}

/// A table `{err = text}`.
pub fn error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(text)?)?;
    Ok(t)
}

/// The message of an mlua error, without mlua's own prefix ("syntax error: ...").
pub fn error_message(err: &mlua::Error) -> String {
    match err {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(message) => message.clone(),
        mlua::Error::CallbackError { cause, .. } => error_message(cause),
        other => other.to_string(),
    }
}

/// Builds a fresh interpreter with Redis's environment.
pub fn new_interpreter() -> mlua::Result<Lua> {
    let lua = Lua::new_with(
        StdLib::TABLE | StdLib::STRING | StdLib::MATH,
        LuaOptions::default(),
    )?;
    let globals = lua.globals();
    // Base-library entries Redis leaves out of a script's reach.
    for name in ["print", "dofile", "loadfile", "newproxy"] {
        globals.raw_set(name, Value::Nil)?;
    }
    super::libs::open_all(&lua)?;
    lua.set_app_data(Lrand48::default());
    let redis = redis_table(&lua)?;
    lua.set_named_registry_value(API_KEY, redis.clone())?;
    globals.raw_set("redis", redis.clone())?;
    let math: Table = globals.raw_get("math")?;
    math.raw_set("random", lua.create_function(math_random)?)?;
    math.raw_set("randomseed", lua.create_function(math_randomseed)?)?;
    install_lua_side(&lua)?;
    // Our Lua code holds on to what it needs of these; scripts do not get them.
    for name in ["getfenv", "setfenv"] {
        globals.raw_set(name, Value::Nil)?;
    }
    let binding = Binding::new(&lua, lua.named_registry_value(HANDLER_KEY)?)?;
    install_run_functions(&lua, &redis, &binding)?;
    super::run::install_server_functions(&lua, &redis, &binding)?;
    lua.set_app_data(binding);
    // What compiling our own chunks left behind.
    lua.gc_collect()?;
    lua.gc_collect()?;
    Ok(lua)
}

/// The `redis` table's constants and the functions that need no running script.
fn redis_table(lua: &Lua) -> mlua::Result<Table> {
    let redis = lua.create_table()?;
    redis.raw_set("REDIS_VERSION", REDIS_COMPAT_VERSION)?;
    redis.raw_set("REDIS_VERSION_NUM", version_num())?;
    for (name, level) in [
        ("LOG_DEBUG", 0),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", 3),
    ] {
        redis.raw_set(name, level)?;
    }
    for (name, flags) in [
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        redis.raw_set(name, flags)?;
    }
    // Effects replication is the only mode since Redis 7.0; kept for old scripts.
    redis.raw_set("replicate_commands", lua.create_function(|_, ()| Ok(true))?)?;
    redis.raw_set(
        "sha1hex",
        lua.create_function(|_, args: MultiValue| {
            if args.len() != 1 {
                return Err(raise("ERR wrong number of arguments"));
            }
            let bytes = match &args[0] {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(n) => n.to_string().into_bytes(),
                Value::Number(n) => lua_number_text(*n).into_bytes(),
                _ => Vec::new(),
            };
            Ok(super::sha1_hex(&bytes))
        })?,
    )?;
    redis.raw_set(
        "error_reply",
        lua.create_function(|lua, args: MultiValue| {
            let text = match args.len() {
                1 => match &args[0] {
                    Value::String(s) => {
                        let s = s.as_bytes();
                        let mut raw = Vec::with_capacity(s.len() + 1);
                        if !s.starts_with(b"-") {
                            raw.push(b'-');
                        }
                        raw.extend_from_slice(&s);
                        error_table_text(&raw)
                    }
                    _ => b"ERR wrong number or type of arguments".to_vec(),
                },
                _ => b"ERR wrong number or type of arguments".to_vec(),
            };
            error_table(lua, &text)
        })?,
    )?;
    redis.raw_set(
        "status_reply",
        lua.create_function(|lua, args: MultiValue| match (args.len(), args.front()) {
            (1, Some(Value::String(s))) => {
                let t = lua.create_table()?;
                t.raw_set("ok", s.clone())?;
                Ok(t)
            }
            _ => error_table(lua, b"ERR wrong number or type of arguments"),
        })?,
    )?;
    redis.raw_set("log", lua.create_function(redis_log)?)?;
    Ok(redis)
}

/// What the running script chose for itself (`redis.setresp`, `redis.set_repl`), kept
/// in the interpreter's binding: `redis.call` reads it before each command.
#[derive(Debug, Clone, Copy)]
pub struct ScriptSettings {
    /// The protocol the script's commands answer in (2 or 3).
    pub resp: u8,
    /// Where the script's writes go: bit 0 the AOF, bit 1 the replicas.
    pub targets: u8,
}

impl Default for ScriptSettings {
    fn default() -> Self {
        ScriptSettings {
            resp: 2,
            targets: 3,
        }
    }
}

/// The error of a function that needs a running script, called outside one.
pub fn outside_run(function: &str) -> mlua::Error {
    raise(format!(
        "ERR redis.{function} can only be called inside a script invocation"
    ))
}

/// Installs the functions of the `redis` table that need a running script.
fn install_run_functions(lua: &Lua, redis: &Table, binding: &Rc<Binding>) -> mlua::Result<()> {
    let b = Rc::clone(binding);
    redis.raw_set(
        "setresp",
        lua.create_function(move |_, args: MultiValue| {
            if !b.is_running() {
                return Err(outside_run("setresp"));
            }
            if args.len() != 1 {
                return Err(raise("ERR redis.setresp() requires one argument."));
            }
            match arg_number(args.front()).map(|n| n as i64) {
                Some(v @ (2 | 3)) => {
                    b.set_settings(ScriptSettings {
                        resp: v as u8,
                        ..b.settings()
                    });
                    Ok(())
                }
                _ => Err(raise("ERR RESP version must be 2 or 3.")),
            }
        })?,
    )?;
    let b = Rc::clone(binding);
    redis.raw_set(
        "set_repl",
        lua.create_function(move |_, args: MultiValue| {
            if !b.is_running() {
                return Err(outside_run("set_repl"));
            }
            if args.len() != 1 {
                return Err(raise("ERR redis.set_repl() requires two arguments."));
            }
            let v = arg_number(args.front()).unwrap_or(0.0) as i64;
            if v & !3 != 0 {
                return Err(raise(
                    "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or \
                     REPL_NONE.",
                ));
            }
            b.set_settings(ScriptSettings {
                targets: v as u8,
                ..b.settings()
            });
            Ok(())
        })?,
    )
}

pub fn args_to_argv(args: &MultiValue) -> Result<Vec<Vec<u8>>, &'static str> {
    if args.is_empty() {
        return Err(NO_COMMAND_ARGS);
    }
    args.iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            Value::Integer(n) => Ok(number_arg(*n as f64)),
            Value::Number(n) => Ok(number_arg(*n)),
            _ => Err(BAD_COMMAND_ARG),
        })
        .collect()
}

/// The error of a `redis.call` (or `pcall`, `acl_check_cmd`) without arguments.
pub const NO_COMMAND_ARGS: &str = "Please specify at least one argument for this redis lib call";
/// The error of a command argument that is neither a string nor a number.
pub const BAD_COMMAND_ARG: &str = "Lua redis lib command arguments must be strings or integers";

/// A number argument of a command, as Redis writes it: `%.17g` (`10`, `3.5`, `1e+20`;
/// 2^63 is `9.2233720368547758e+18`).
pub fn number_arg(n: f64) -> Vec<u8> {
    crate::util::numbers::format_double(n).into_bytes()
}

/// The text of a string or number argument, as `lua_tolstring` gives it.
fn arg_text(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(n) => Some(n.to_string().into_bytes()),
        Value::Number(n) => Some(lua_number_text(*n).into_bytes()),
        _ => None,
    }
}

/// A number argument as `lua_tonumber` reads it: numbers, and strings that hold one.
pub fn arg_number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Integer(n) => Some(*n as f64),
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            let text = s.as_bytes();
            let trimmed = std::str::from_utf8(&text).ok()?.trim();
            if let Some(hex) = trimmed
                .strip_prefix("0x")
                .or_else(|| trimmed.strip_prefix("0X"))
            {
                return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
            }
            trimmed.parse::<f64>().ok()
        }
        _ => None,
    }
}

/// `redis.log(level, message...)`: the level, then the string and number arguments
/// joined by spaces.
fn redis_log(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if args.len() < 2 {
        return Err(raise("ERR redis.log() requires two arguments or more."));
    }
    let Some(level) = arg_number(args.front()) else {
        return Err(raise("ERR First argument must be a number (log level)."));
    };
    let level = level as i64;
    if !(0..=3).contains(&level) {
        return Err(raise("ERR Invalid debug level."));
    }
    let parts: Vec<Vec<u8>> = args.iter().skip(1).filter_map(arg_text).collect();
    let text = String::from_utf8_lossy(&parts.join(&b' ')).into_owned();
    match level {
        0 => log::debug!("{text}"),
        1 | 2 => log::info!("{text}"),
        _ => log::warn!("{text}"),
    }
    Ok(())
}

/// An error raised as Lua's own library functions raise theirs (`luaL_error`): a plain
/// message prefixed with the place in the script that called the function.
fn raise_here(lua: &Lua, msg: &str) -> mlua::Error {
    // Level 0 is the Rust function itself; level 1 its caller.
    let place = lua
        .inspect_stack(1, |d| {
            let line = d.current_line()?;
            let src = d.source().short_src?.into_owned();
            Some(format!("{src}:{line}: "))
        })
        .flatten()
        .unwrap_or_default();
    raise(format!("ERR {place}{msg}"))
}

/// `luaL_checkint` for math.random's arguments, with Lua's message.
fn check_int(lua: &Lua, args: &MultiValue, i: usize, func: &str) -> mlua::Result<i64> {
    match arg_number(args.get(i)) {
        Some(n) => Ok(n as i64),
        None => {
            let got = match args.get(i) {
                None => "no value".to_string(),
                Some(v) => v.type_name().to_string(),
            };
            Err(raise_here(
                lua,
                &format!(
                    "bad argument #{} to '{func}' (number expected, got {got})",
                    i + 1
                ),
            ))
        }
    }
}

/// `math.random([m [, n]])` over Redis's lrand48, so scripts draw the same numbers on
/// ferrodis as on Redis.
fn math_random(lua: &Lua, args: MultiValue) -> mlua::Result<f64> {
    let r = lua
        .app_data_mut::<Lrand48>()
        .map(|mut rng| rng.next_unit())
        .unwrap_or(0.0);
    match args.len() {
        0 => Ok(r),
        1 => {
            let u = check_int(lua, &args, 0, "random")?;
            if u < 1 {
                return Err(raise_here(
                    lua,
                    "bad argument #1 to 'random' (interval is empty)",
                ));
            }
            Ok((r * u as f64).floor() + 1.0)
        }
        2 => {
            let l = check_int(lua, &args, 0, "random")?;
            let u = check_int(lua, &args, 1, "random")?;
            if l > u {
                return Err(raise_here(
                    lua,
                    "bad argument #2 to 'random' (interval is empty)",
                ));
            }
            Ok((r * (u - l + 1) as f64).floor() + l as f64)
        }
        _ => Err(raise_here(lua, "wrong number of arguments")),
    }
}

/// `math.randomseed(n)`.
fn math_randomseed(lua: &Lua, args: MultiValue) -> mlua::Result<()> {
    let seed = check_int(lua, &args, 0, "randomseed")?;
    if let Some(mut rng) = lua.app_data_mut::<Lrand48>() {
        rng.seed(seed as i32);
    }
    Ok(())
}

/// Lua's own text for a number (`%.14g`), as `tostring` gives it.
pub fn lua_number_text(n: f64) -> String {
    crate::util::numbers::format_g(n, 14)
}

/// The parts written in Lua: the wrappers around the per-run context, Redis's
/// `pcall`, `math.random`, the runner, and the read-only protection of the globals.
/// Runs last, once every global exists.
fn install_lua_side(lua: &Lua) -> mlua::Result<()> {
    let handler = lua.create_function(error_handler)?;
    lua.set_named_registry_value(HANDLER_KEY, &handler)?;
    let raised_text = lua.create_function(|lua, v: Value| match v {
        Value::Error(e) => lua.create_string(raised(&e).text).map(Value::String),
        _ => Ok(Value::Nil),
    })?;
    let setup: Function = lua
        .load(LUA_SIDE)
        .set_name(INTERNAL_CHUNK)
        .set_mode(mlua::chunk::ChunkMode::Text)
        .into_function()?;
    let (runner, sandbox, install_load_api): (Function, Function, Function) =
        setup.call((handler, raised_text))?;
    lua.set_named_registry_value(RUNNER_KEY, runner)?;
    lua.set_named_registry_value(SANDBOX_KEY, sandbox)?;
    lua.set_named_registry_value(LOAD_API_KEY, install_load_api)?;
    Ok(())
}

/// The message handler of a script's run (Redis's `__redis__err__handler`): turns
/// what was raised into an error table, `{err = "ERR " .. message}` for plain
/// messages, and records where in the user's script it happened (`source`, `line`),
/// skipping the frames of C functions and of our own Lua code.
fn error_handler(lua: &Lua, err: Value) -> mlua::Result<Value> {
    let table = match err {
        Value::Table(t) => t,
        Value::Error(e) => {
            let r = raised(&e);
            let t = error_table(lua, &r.text)?;
            if r.counted {
                t.raw_set("ignore_error_stats_update", true)?;
            }
            t
        }
        other => {
            let text = match &other {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(n) => n.to_string().into_bytes(),
                Value::Number(n) => lua_number_text(*n).into_bytes(),
                Value::Nil => b"nil".to_vec(),
                v => v.to_string()?.into_bytes(),
            };
            let mut full = b"ERR ".to_vec();
            full.extend_from_slice(&text);
            error_table(lua, &full)?
        }
    };
    // Level 0 is this handler; the frame that raised the error is above it.
    let mut level = 1;
    while let Some((what, source, line)) = lua.inspect_stack(level, |d| {
        let s = d.source();
        (s.what, s.source.map(|c| c.into_owned()), d.current_line())
    }) {
        // Our own chunk, and the libraries' trampolines (named as C code).
        let internal = matches!(source.as_deref(), Some(INTERNAL_CHUNK | "=[C]"));
        if what != "C" && what != "tail" && !internal {
            if let Some(source) = source {
                table.raw_set("source", source)?;
            }
            if let Some(line) = line {
                table.raw_set("line", line)?;
            }
            break;
        }
        level += 1;
    }
    Ok(Value::Table(table))
}

/// What an error raised from Rust stands for: our [`Raise`], or any other failure as
/// a plain `ERR` message.
pub fn raised(e: &mlua::Error) -> Raise {
    match e.downcast_ref::<Raise>() {
        Some(r) => r.clone(),
        None => Raise {
            text: format!("ERR {}", error_message(e)).into_bytes(),
            counted: false,
        },
    }
}

/// Our Lua code (chunk `=ferrodis`). Receives the message handler and the function
/// that reads the text of an error raised from Rust; returns the runner.
const LUA_SIDE: &str = r#"
local handler, raised_text = ...
local G = _G
local error, type, select, unpack, tostring = error, type, select, unpack, tostring
local raw_pcall, raw_rawset, setmetatable, xpcall = pcall, rawset, setmetatable, xpcall
local raw_next, setfenv, loadstring, load = next, setfenv, loadstring, load

-- Redis names its message handler so; scripts can see it.
G.__redis__err__handler = handler

local function pack(...)
  return {n = select('#', ...), ...}
end

-- Redis 7 raises errors as tables; its pcall hands scripts their message, as before.
G.pcall = function(f, ...)
  local r = pack(raw_pcall(f, ...))
  if not r[1] then
    local e = r[2]
    if type(e) == 'table' then
      local msg = e.err
      if type(msg) == 'string' or type(msg) == 'number' then
        return false, msg
      end
    elseif type(e) == 'userdata' then
      local msg = raised_text(e)
      if msg then
        return false, msg
      end
    end
    return false, e
  end
  return unpack(r, 1, r.n)
end

-- Read-only tables. Stock Lua can only guard a table against new keys, so scripts see
-- proxies: empty tables that read through to the real one and refuse every write.
-- Scripts run in such a proxy of the globals; the libraries are proxies too.
local readonly = setmetatable({}, {__mode = 'k'})
local behind = setmetatable({}, {__mode = 'k'})
local function refuse_write()
  error('Attempt to modify a readonly table', 2)
end
local function proxy(t, index)
  local meta = {__index = index or t, __newindex = refuse_write}
  local p = setmetatable({}, meta)
  -- getmetatable answers a read-only view of the metatable, which stays untouched.
  local meta_view = setmetatable({}, {__index = meta, __newindex = refuse_write, __metatable = false})
  meta.__metatable = meta_view
  readonly[p], readonly[meta_view] = true, true
  behind[p] = t
  return p, meta
end
for _, name in ipairs({'redis', 'string', 'math', 'table', 'coroutine',
                       'cjson', 'bit', 'struct', 'cmsgpack'}) do
  if G[name] ~= nil then
    G[name] = proxy(G[name])
  end
end

-- A missing global is an error, not nil.
local function missing_global(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
setmetatable(G, {__index = missing_global, __newindex = refuse_write})
local env, env_meta = proxy(G)
G._G = env

-- Iterating a proxy walks the table behind it.
G.next = function(t, k)
  return raw_next(behind[t] or t, k)
end
G.pairs = function(t)
  return raw_next, behind[t] or t, nil
end
G.rawset = function(t, k, v)
  if readonly[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return raw_rawset(t, k, v)
end
local raw_setmetatable = setmetatable
G.setmetatable = function(t, m)
  if readonly[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return raw_setmetatable(t, m)
end
-- Code a script compiles runs in the same guarded globals; precompiled chunks are
-- refused, as Redis refuses them (they could break the interpreter).
local function guarded(loader)
  return function(chunk, ...)
    if type(chunk) == 'string' and chunk:byte(1) == 27 then
      return nil, 'binary chunks are not allowed'
    end
    local f, e = loader(chunk, ...)
    if f then setfenv(f, env) end
    return f, e
  end
end
G.loadstring = guarded(loadstring)
G.load = guarded(load)

-- Returned: the runner of scripts and functions (true and the result, or false and
-- the error table), the function that puts compiled code in the guarded globals,
-- and the installer of the API a function library loads with.
-- Runs a function with the arguments of FCALL (keys, args).
local function runner(f, ...)
  if select('#', ...) == 0 then
    return xpcall(f, handler)
  end
  local args = pack(...)
  return xpcall(function() return f(unpack(args, 1, args.n)) end, handler)
end
return runner, function(f)
  setfenv(f, env)
  return f
end, function(api)
  -- While a function library loads, its code sees only `redis` with this API.
  setmetatable(api, {__index = missing_global})
  local load_globals = setmetatable({redis = proxy(api)}, {__index = missing_global})
  readonly[load_globals] = true
  return function(loading)
    env_meta.__index = loading and load_globals or G
  end
end
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(lua: &Lua, code: &str) -> mlua::Result<Value> {
        let f = lua.load(code).set_name("@user_script").into_function()?;
        let sandbox: Function = lua.named_registry_value(SANDBOX_KEY)?;
        let f: Function = sandbox.call(f)?;
        let runner: Function = lua.named_registry_value(RUNNER_KEY)?;
        let (ok, v): (bool, Value) = runner.call(f)?;
        if ok {
            Ok(v)
        } else {
            let t = v.as_table().unwrap();
            let msg: String = t.raw_get("err")?;
            Err(mlua::Error::RuntimeError(msg))
        }
    }

    fn err_of(lua: &Lua, code: &str) -> String {
        error_message(&eval(lua, code).unwrap_err())
    }

    #[test]
    fn globals_are_read_only_and_missing_ones_are_errors() {
        let lua = new_interpreter().unwrap();
        assert_eq!(
            err_of(&lua, "x = 1"),
            "ERR user_script:1: Attempt to modify a readonly table"
        );
        assert_eq!(
            err_of(&lua, "return y"),
            "ERR user_script:1: Script attempted to access nonexistent global variable 'y'"
        );
        assert_eq!(
            err_of(&lua, "redis.call = nil"),
            "ERR user_script:1: Attempt to modify a readonly table"
        );
        assert_eq!(
            err_of(&lua, "rawset(_G, 'z', 1)"),
            "ERR Attempt to modify a readonly table"
        );
        for trick in [
            "setmetatable(_G, {})",
            "local g = getmetatable(_G) g.__index = {}",
            "redis = function() return 1 end",
            "_G = {}",
            "_G.redis = 1",
            "loadstring('redis = 1')()",
            "cjson.encode = function() return 1 end",
        ] {
            let err = err_of(&lua, trick);
            assert!(
                err.contains("Attempt to modify a readonly table"),
                "{trick}: {err}"
            );
        }
        let v = eval(
            &lua,
            "return loadstring(string.dump(function() return 1 end))",
        )
        .unwrap();
        assert!(v.is_nil());
        assert_eq!(
            err_of(&lua, "print('x')"),
            "ERR user_script:1: Script attempted to access nonexistent global variable 'print'"
        );
        // Local variables and new tables are the script's own.
        let v = eval(&lua, "local t = {} t.x = 5 return t.x").unwrap();
        assert_eq!(v.as_integer().or(v.as_number().map(|n| n as i64)), Some(5));
    }

    #[test]
    fn error_tables_carry_codes_and_trimmed_messages() {
        assert_eq!(error_table_text(b"-WRONGTYPE bad\r\n"), b"WRONGTYPE bad");
        assert_eq!(error_table_text(b"plain words"), b"ERR plain words");
        assert_eq!(error_table_text(b"-NOCODE"), b"ERR NOCODE");
        let lua = new_interpreter().unwrap();
        let v = eval(&lua, "return redis.error_reply('MY boom').err").unwrap();
        assert_eq!(v.as_string().unwrap().to_str().unwrap(), "MY boom");
        let v = eval(&lua, "return redis.status_reply('FINE').ok").unwrap();
        assert_eq!(v.as_string().unwrap().to_str().unwrap(), "FINE");
        let v = eval(&lua, "return redis.status_reply(1, 2).err").unwrap();
        assert_eq!(
            v.as_string().unwrap().to_str().unwrap(),
            "ERR wrong number or type of arguments"
        );
    }

    #[test]
    fn pcall_hands_back_the_message_of_an_error_table() {
        let lua = new_interpreter().unwrap();
        let v = eval(
            &lua,
            "local ok, e = pcall(function() error({err='X y'}) end) return e",
        )
        .unwrap();
        assert_eq!(v.as_string().unwrap().to_str().unwrap(), "X y");
        assert_eq!(
            err_of(&lua, "redis.log(1)"),
            "ERR redis.log() requires two arguments or more."
        );
        assert_eq!(
            err_of(&lua, "return redis.sha1hex()"),
            "ERR wrong number of arguments"
        );
        let v = eval(&lua, "return redis.sha1hex('')").unwrap();
        assert_eq!(
            v.as_string().unwrap().to_str().unwrap(),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
    }
}
