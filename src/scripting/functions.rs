//! Redis 7.0 functions (its functions.c and function_lua.c): libraries of Lua functions
//! loaded with FUNCTION LOAD and called with FCALL. They live in an interpreter of
//! their own, apart from EVAL's, and are part of the dataset: saved in RDB files,
//! replicated and written to the AOF as the FUNCTION commands that changed them.
//!
//! A library's code starts with `#!lua name=<library>`; running it may only call
//! `redis.register_function` (and `redis.log`): while it loads, the globals it sees
//! are that API alone. Its functions see the usual script environment when called.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::environment::{self, raise, RUNNER_KEY, SANDBOX_KEY};
use super::shebang::ScriptFlags;
use crate::util::split_args::split_args;

/// How long a library may take to load (Redis's LOAD_TIMEOUT_MS); none for our master.
const LOAD_TIMEOUT_MS: u128 = 500;
/// Registry name of the function that switches the globals to the load API and back.
pub const LOADING_KEY: &str = "ferrodis.set_loading";

/// What FUNCTION RESTORE does with the libraries it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Delete every library first.
    Flush,
    /// Add them; a library that exists already fails the restore.
    Append,
    /// Add them, replacing libraries of the same name.
    Replace,
}

/// A registered function.
pub struct FunctionInfo {
    pub name: String,
    pub description: Option<Vec<u8>>,
    pub flags: ScriptFlags,
    pub function: Function,
}

/// A loaded library.
pub struct Library {
    pub name: String,
    /// The whole code given to FUNCTION LOAD, shebang included.
    pub code: Vec<u8>,
    /// Function name (lower case) -> function.
    pub functions: BTreeMap<String, FunctionInfo>,
}

/// The functions a library registers while it loads (kept as the interpreter's app
/// data for the length of the load).
#[derive(Default)]
struct Loading {
    started: Option<Instant>,
    timeout: bool,
    functions: BTreeMap<String, FunctionInfo>,
}

/// The functions engine: its interpreter and the loaded libraries.
pub struct Functions {
    lua: Lua,
    /// Library name -> library (library names are case-sensitive, function names not).
    libraries: BTreeMap<String, Library>,
    /// Function name (lower case) -> its library's key in `libraries`.
    index: HashMap<String, String, foldhash::fast::RandomState>,
}

/// Whether `name` is made of letters, digits and underscores only (and is not empty).
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

const BAD_NAME: &str = "Library names can only contain letters, numbers, or underscores(_) \
                        and must be at least one character long";

/// The library name and the code after the shebang (its line feed kept, so line
/// numbers stay the user's), or the error Redis gives (functionExtractLibMetaData).
fn metadata(code: &[u8]) -> Result<(String, &[u8]), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&b| b == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = match split_args(&code[..end], false) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = String::from_utf8_lossy(&parts[0][2..]).into_owned();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!(
            "Invalid metadata value given: {}",
            String::from_utf8_lossy(part)
        ));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    if !valid_name(&name) {
        return Err(BAD_NAME.into());
    }
    if engine != "lua" && !engine.eq_ignore_ascii_case("lua") {
        return Err(format!("Engine '{engine}' not found"));
    }
    Ok((String::from_utf8_lossy(&name).into_owned(), &code[end..]))
}

impl Functions {
    pub fn new() -> mlua::Result<Functions> {
        Ok(Functions {
            lua: new_functions_interpreter()?,
            libraries: BTreeMap::new(),
            index: HashMap::default(),
        })
    }

    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    pub fn libraries(&self) -> impl Iterator<Item = &Library> {
        self.libraries.values()
    }

    pub fn library_count(&self) -> usize {
        self.libraries.len()
    }

    pub fn function_count(&self) -> usize {
        self.index.len()
    }

    /// The function called `name` and its flags.
    pub fn get(&self, name: &[u8]) -> Option<&FunctionInfo> {
        let name = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
        let lib = self.index.get(&name)?;
        self.libraries.get(lib)?.functions.get(&name)
    }

    /// Memory of the interpreter (INFO used_memory_vm_functions).
    pub fn vm_memory(&self) -> usize {
        self.lua.used_memory()
    }

    /// Memory of the libraries' code and names (INFO used_memory_functions).
    pub fn libraries_memory(&self) -> usize {
        self.libraries
            .values()
            .map(|l| {
                l.code.len()
                    + l.name.len()
                    + l.functions
                        .values()
                        .map(|f| f.name.len() + f.description.as_ref().map_or(0, Vec::len) + 64)
                        .sum::<usize>()
            })
            .sum()
    }

    /// FUNCTION FLUSH: no library left, and a fresh interpreter.
    pub fn flush(&mut self) -> mlua::Result<()> {
        self.libraries.clear();
        self.index.clear();
        self.lua = new_functions_interpreter()?;
        Ok(())
    }

    /// FUNCTION RESTORE: loads every library of `codes` as `policy` says, all or
    /// nothing. Errors are Redis's texts.
    pub fn restore(&mut self, codes: &[Vec<u8>], policy: Restore) -> Result<(), String> {
        // Load into a fresh engine first, so a bad library leaves ours untouched.
        let mut staged = Functions::new().map_err(|e| e.to_string())?;
        for code in codes {
            staged.load(code, false, false)?;
        }
        if policy == Restore::Append {
            if let Some((_, lib)) = staged
                .libraries
                .iter()
                .find(|(k, _)| self.libraries.contains_key(*k))
            {
                return Err(format!("Library {} already exists", lib.name));
            }
        }
        let replaced: Vec<&String> = match policy {
            Restore::Flush => Vec::new(),
            _ => staged.libraries.keys().collect(),
        };
        for (f, lib) in &staged.index {
            let owner = self.index.get(f);
            if policy != Restore::Flush && owner.is_some_and(|lib| !replaced.contains(&lib)) {
                let name = staged.libraries[lib].functions[f].name.clone();
                return Err(format!("Function {name} already exists"));
            }
        }
        if policy == Restore::Flush {
            self.flush().map_err(|e| e.to_string())?;
        }
        // The staged functions live in the staged interpreter: load the code again here.
        for lib in staged.libraries.values() {
            self.load(&lib.code, true, false)?;
        }
        Ok(())
    }

    /// FUNCTION DELETE: false if there is no such library.
    pub fn delete(&mut self, name: &[u8]) -> bool {
        let Some(lib) = std::str::from_utf8(name)
            .ok()
            .and_then(|n| self.libraries.remove(n))
        else {
            return false;
        };
        for f in lib.functions.keys() {
            self.index.remove(f);
        }
        true
    }

    /// FUNCTION LOAD: compiles and runs the library's code, then adds its functions
    /// (replacing the library of the same name if `replace`). `timeout` bounds the
    /// run. Returns the library's name, or the error text Redis gives.
    pub fn load(&mut self, code: &[u8], replace: bool, timeout: bool) -> Result<String, String> {
        let (name, body) = metadata(code)?;
        let key = name.clone();
        if self.libraries.contains_key(&key) && !replace {
            return Err(format!("Library '{name}' already exists"));
        }
        let functions = self.run_library(body, timeout)?;
        if functions.is_empty() {
            return Err("No functions registered".into());
        }
        for (f, info) in &functions {
            if self.index.get(f).is_some_and(|lib| *lib != key) {
                return Err(format!("Function {} already exists", info.name));
            }
        }
        self.delete(name.as_bytes());
        for f in functions.keys() {
            self.index.insert(f.clone(), key.clone());
        }
        self.libraries.insert(
            key,
            Library {
                name: name.clone(),
                code: code.to_vec(),
                functions,
            },
        );
        Ok(name)
    }

    /// Compiles and runs a library body with the load API as its globals; returns
    /// what it registered.
    fn run_library(
        &self,
        body: &[u8],
        timeout: bool,
    ) -> Result<BTreeMap<String, FunctionInfo>, String> {
        let lua = &self.lua;
        let chunk = lua
            .load(body)
            .set_name("@user_function")
            .set_mode(mlua::chunk::ChunkMode::Text)
            .into_function()
            .and_then(|f| {
                let sandbox: Function = lua.named_registry_value(SANDBOX_KEY)?;
                sandbox.call::<Function>(f)
            })
            .map_err(|e| {
                format!(
                    "Error compiling function: {}",
                    environment::error_message(&e)
                )
            })?;
        let internal = |e: mlua::Error| format!("Error registering functions: {e}");
        let set_loading: Function = lua.named_registry_value(LOADING_KEY).map_err(internal)?;
        let runner: Function = lua.named_registry_value(RUNNER_KEY).map_err(internal)?;
        lua.set_app_data(Loading {
            started: Some(Instant::now()),
            timeout,
            functions: BTreeMap::new(),
        });
        if timeout {
            let _ = lua.set_hook(
                mlua::HookTriggers::new().every_nth_instruction(100_000),
                load_timeout_hook,
            );
        }
        let result = set_loading
            .call::<()>(true)
            .and_then(|()| runner.call::<(bool, Value)>(chunk));
        let _ = set_loading.call::<()>(false);
        if timeout {
            // Back to the hook that watches scripts.
            let watched =
                super::binding::Binding::of(lua).and_then(|b| super::run::watch_runs(lua, &b));
            if let Err(e) = watched {
                log::warn!("Cannot watch the running time of functions any more: {e}");
            }
        }
        let loading = lua.remove_app_data::<Loading>().unwrap_or_default();
        match result {
            Ok((true, _)) => Ok(loading.functions),
            Ok((false, Value::Table(t))) => {
                let msg: Option<mlua::LuaString> = t.raw_get("err").ok();
                Err(format!(
                    "Error registering functions: {}",
                    msg.map_or_else(|| "unknown error".into(), |m| m.to_string_lossy())
                ))
            }
            Ok((false, other)) => Err(format!("Error registering functions: {other:?}")),
            Err(e) => Err(internal(e)),
        }
    }
}

/// The count hook of a library being loaded: past the time allowed, the load fails.
fn load_timeout_hook(lua: &Lua, _: &mlua::debug::Debug) -> mlua::Result<mlua::VmState> {
    let over = lua.app_data_ref::<Loading>().is_some_and(|l| {
        l.timeout
            && l.started
                .is_some_and(|t| t.elapsed().as_millis() > LOAD_TIMEOUT_MS)
    });
    if over {
        lua.set_hook(mlua::HookTriggers::EVERY_LINE, |_, _| {
            Err(raise("ERR FUNCTION LOAD timeout"))
        })?;
        return Err(raise("ERR FUNCTION LOAD timeout"));
    }
    Ok(mlua::VmState::Continue)
}

/// The interpreter of functions: the script environment, plus the API a library
/// sees while it loads.
fn new_functions_interpreter() -> mlua::Result<Lua> {
    let lua = environment::new_interpreter()?;
    let api = lua.create_table()?;
    api.raw_set("register_function", lua.create_function(register_function)?)?;
    let redis: Table = lua.named_registry_value(environment::API_KEY)?;
    for name in [
        "log",
        "LOG_DEBUG",
        "LOG_VERBOSE",
        "LOG_NOTICE",
        "LOG_WARNING",
        "REDIS_VERSION",
        "REDIS_VERSION_NUM",
    ] {
        api.raw_set(name, redis.raw_get::<Value>(name)?)?;
    }
    let install: Function = lua.named_registry_value(environment::LOAD_API_KEY)?;
    let set_loading: Function = install.call(api)?;
    lua.set_named_registry_value(LOADING_KEY, set_loading)?;
    lua.gc_collect()?;
    Ok(lua)
}

/// `redis.register_function(name, callback)` or
/// `redis.register_function{function_name=..., callback=..., flags={...}, description=...}`.
fn register_function(lua: &Lua, args: MultiValue) -> mlua::Result<()> {
    if lua.app_data_ref::<Loading>().is_none() {
        return Err(raise(
            "ERR redis.register_function can only be called on FUNCTION LOAD command",
        ));
    }
    let info = match args.len() {
        1 => named_args(&args[0])?,
        2 => {
            let name = match &args[0] {
                Value::String(s) => s.to_string_lossy(),
                Value::Number(n) => environment::lua_number_text(*n),
                Value::Integer(n) => n.to_string(),
                _ => {
                    return Err(raise(
                        "ERR first argument to redis.register_function must be a string",
                    ))
                }
            };
            let Value::Function(function) = &args[1] else {
                return Err(raise(
                    "ERR second argument to redis.register_function must be a function",
                ));
            };
            FunctionInfo {
                name,
                description: None,
                flags: ScriptFlags::default(),
                function: function.clone(),
            }
        }
        _ => {
            return Err(raise(
                "ERR wrong number of arguments to redis.register_function",
            ))
        }
    };
    if !valid_name(info.name.as_bytes()) {
        return Err(raise(format!("ERR {BAD_NAME}")));
    }
    let mut loading = lua.app_data_mut::<Loading>().ok_or_else(|| {
        raise("ERR redis.register_function can only be called on FUNCTION LOAD command")
    })?;
    let key = info.name.to_ascii_lowercase();
    if loading.functions.contains_key(&key) {
        return Err(raise("ERR Function already exists in the library"));
    }
    loading.functions.insert(key, info);
    Ok(())
}

/// The table form of `redis.register_function`.
fn named_args(v: &Value) -> mlua::Result<FunctionInfo> {
    let Value::Table(t) = v else {
        return Err(raise(
            "ERR calling redis.register_function with a single argument is only applicable \
             to Lua table (representing named arguments).",
        ));
    };
    let (mut name, mut description, mut function, mut flags) = (None, None, None, 0u8);
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair?;
        let key = match &k {
            Value::String(s) => s.to_string_lossy().to_ascii_lowercase(),
            Value::Number(n) => environment::lua_number_text(*n),
            _ => {
                return Err(raise(
                    "ERR named argument key given to redis.register_function is not a string",
                ))
            }
        };
        match key.as_str() {
            "function_name" => match &v {
                Value::String(s) => name = Some(s.to_string_lossy()),
                Value::Number(n) => name = Some(environment::lua_number_text(*n)),
                _ => {
                    return Err(raise(
                        "ERR function_name argument given to redis.register_function must be \
                         a string",
                    ))
                }
            },
            "description" => match &v {
                Value::String(s) => description = Some(s.as_bytes().to_vec()),
                Value::Number(n) => {
                    description = Some(environment::lua_number_text(*n).into_bytes())
                }
                _ => {
                    return Err(raise(
                        "ERR description argument given to redis.register_function must be a \
                         string",
                    ))
                }
            },
            "callback" => match &v {
                Value::Function(f) => function = Some(f.clone()),
                _ => {
                    return Err(raise(
                        "ERR callback argument given to redis.register_function must be a \
                         function",
                    ))
                }
            },
            "flags" => {
                let Value::Table(list) = &v else {
                    return Err(raise(
                        "ERR flags argument to redis.register_function must be a table \
                         representing function flags",
                    ));
                };
                let mut i = 1;
                loop {
                    let flag: Value = list.raw_get(i)?;
                    let text = match &flag {
                        Value::Nil => break,
                        Value::String(s) => s.to_string_lossy(),
                        _ => return Err(raise("ERR unknown flag given")),
                    };
                    match ScriptFlags::bit_named(&text) {
                        Some(bit) => flags |= bit,
                        None => return Err(raise("ERR unknown flag given")),
                    }
                    i += 1;
                }
            }
            _ => {
                return Err(raise(
                    "ERR unknown argument given to redis.register_function",
                ))
            }
        }
    }
    let Some(name) = name else {
        return Err(raise(
            "ERR redis.register_function must get a function name argument",
        ));
    };
    let Some(function) = function else {
        return Err(raise(
            "ERR redis.register_function must get a callback argument",
        ));
    };
    Ok(FunctionInfo {
        name,
        description,
        flags: ScriptFlags::from_bits(flags),
        function,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_load_register_and_refuse_as_redis_does() {
        let mut f = Functions::new().unwrap();
        let lib = b"#!lua name=lib1\nredis.register_function('f1', function(keys, args) return keys[1] end)";
        assert_eq!(f.load(lib, false, true).unwrap(), "lib1");
        assert_eq!(
            f.load(lib, false, true).unwrap_err(),
            "Library 'lib1' already exists"
        );
        assert_eq!(f.load(lib, true, true).unwrap(), "lib1");
        assert!(f.get(b"f1").is_some());
        assert_eq!(
            f.load(b"x", false, true).unwrap_err(),
            "Missing library metadata"
        );
        assert_eq!(
            f.load(b"#!lua\nx", false, true).unwrap_err(),
            "Library name was not given"
        );
        assert_eq!(
            f.load(b"#!js name=l2\nx", false, true).unwrap_err(),
            "Engine 'js' not found"
        );
        assert_eq!(
            f.load(b"#!lua name=l2\nreturn 1", false, true).unwrap_err(),
            "No functions registered"
        );
        assert_eq!(
            f.load(b"#!lua name=l2\nstring.format('x')", false, true)
                .unwrap_err(),
            "Error registering functions: ERR user_function:2: Script attempted to access \
             nonexistent global variable 'string'"
        );
        assert_eq!(
            f.load(
                b"#!lua name=l2\nredis.register_function('f1', function() end)",
                false,
                true
            )
            .unwrap_err(),
            "Function f1 already exists"
        );
        assert_eq!(
            f.load(b"#!lua name=l2\nwhile true do end", false, true)
                .unwrap_err(),
            "Error registering functions: ERR FUNCTION LOAD timeout"
        );
        assert!(f.delete(b"lib1"));
        assert!(f.get(b"f1").is_none());
        assert_eq!(f.function_count(), 0);
    }
}
