//! Lua scripting: EVAL, EVALSHA, their `_RO` forms and SCRIPT, as Redis 7.0 runs them
//! (its eval.c, script.c and script_lua.c).
//!
//! One Lua 5.1 interpreter serves every client. A script is compiled once into a
//! function kept in the script cache under the SHA1 of its body; EVALSHA finds it there.
//! While it runs, the script talks to the server only through `redis.call` and
//! `redis.pcall`, which execute commands as a fake client (the "lua" client) whose
//! replies are turned into Lua values (see `convert`). The script's writes reach the
//! AOF and the replicas as the commands themselves, wrapped in MULTI/EXEC when there
//! are several, exactly as Redis 7.0 replicates effects; EVAL itself is never
//! propagated, so replicas need no script cache.
//!
//! * `environment`: the interpreter, its libraries, the `redis` table and the
//!   protection of the global table.
//! * `convert`: command replies to Lua values and Lua values to replies.
//! * `run`: EVAL's checks, the run of a script, and the commands a script calls.
//! * `binding`: how the functions made once with the interpreter reach the server
//!   while a script runs.
//! * `redis_call`: `redis.call` and `redis.pcall`, written against Lua's C API.
//! * `shebang`: the `#!lua flags=...` line and what its flags allow.

mod binding;
pub mod convert;
mod environment;
pub mod functions;
pub mod ldb;
pub mod libs;
mod lrand48;
mod redis_call;
mod run;
pub mod shebang;

use std::collections::HashMap;

use mlua::{Function, Lua};

use crate::server::{Client, Conn};
pub use run::RunState;
pub use shebang::ScriptFlags;

/// The client id of the fake client scripts run their commands as (Redis's lua client
/// has no connection; its id only shows in logs).
pub const SCRIPT_CLIENT_ID: u64 = u64::MAX - 1;

/// A cached script: its source, the flags of its shebang and its compiled function.
pub struct Script {
    pub body: Vec<u8>,
    pub flags: ScriptFlags,
    function: Function,
}

/// The scripting engine the server owns.
pub struct Scripting {
    lua: Lua,
    /// Lower-case hex SHA1 of the body -> script.
    scripts: HashMap<String, Script, foldhash::fast::RandomState>,
    /// Bytes held by the cached bodies and their names (INFO used_memory_scripts_eval).
    scripts_bytes: usize,
    /// The fake client, out of this slot while a script runs.
    pub client: Option<Box<Client>>,
    /// Whether a script is running right now (SCRIPT KILL, -BUSY).
    pub running: Option<RunState>,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call `noscript` commands (tests).
    pub allow_noscript_commands: bool,
    /// The libraries of FUNCTION LOAD and their interpreter.
    pub functions: functions::Functions,
    /// Scripts run since the last explicit garbage collection step.
    pub runs_since_gc: u32,
    /// The SHA1 of the body the last EVAL ran.
    last_eval: Option<String>,
    /// A SCRIPT DEBUG YES session runs: what its script does is undone afterwards, so
    /// it is neither propagated nor announced (see `ldb`).
    pub rolling_back: bool,
}

impl Scripting {
    /// A fresh engine with an empty cache and its fake client (`now`: the time in ms).
    pub fn new(now: i64) -> std::io::Result<Scripting> {
        // The fake client never reads or writes its socket: a pair nobody else holds.
        let (sock, _peer) = mio::net::UnixStream::pair()?;
        let mut client = Client::new(
            SCRIPT_CLIENT_ID,
            usize::MAX,
            Conn::Unix(sock),
            "lua".to_string(),
            String::new(),
            now,
        );
        client.authenticated = true;
        client.user = None;
        Ok(Scripting {
            lua: environment::new_interpreter()
                .unwrap_or_else(|e| panic!("cannot create the Lua scripting environment: {e}")),
            scripts: HashMap::default(),
            scripts_bytes: 0,
            client: Some(Box::new(client)),
            running: None,
            allow_noscript_commands: false,
            functions: functions::Functions::new()
                .unwrap_or_else(|e| panic!("cannot create the Lua functions environment: {e}")),
            runs_since_gc: 0,
            last_eval: None,
            rolling_back: false,
        })
    }

    /// SCRIPT FLUSH: forgets every script and starts a new interpreter, so nothing a
    /// script left behind survives (Redis's scriptingReset).
    pub fn reset(&mut self) -> Result<(), mlua::Error> {
        self.scripts.clear();
        self.last_eval = None;
        self.scripts_bytes = 0;
        self.lua = environment::new_interpreter()?;
        Ok(())
    }

    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    pub fn get(&self, sha: &str) -> Option<&Script> {
        self.scripts.get(sha)
    }

    /// The script whose SHA1 is `sha` in any case (EVALSHA's argument).
    pub fn get_by_sha(&self, sha: &[u8]) -> Option<&Script> {
        let mut lower = [0u8; 40];
        if sha.len() != lower.len() {
            return None;
        }
        for (l, b) in lower.iter_mut().zip(sha) {
            *l = b.to_ascii_lowercase();
        }
        self.scripts.get(std::str::from_utf8(&lower).ok()?)
    }

    pub fn contains(&self, sha: &[u8]) -> bool {
        self.get_by_sha(sha).is_some()
    }

    /// The SHA1 of the script `body`: that of the last EVAL when it is the same body
    /// (applications run the same few scripts over and over; comparing bytes costs
    /// less than hashing them), else computed.
    pub fn sha_of_body(&self, body: &[u8]) -> String {
        match &self.last_eval {
            Some(sha) if self.scripts.get(sha).is_some_and(|s| s.body == body) => sha.clone(),
            _ => sha1_hex(body),
        }
    }

    /// Remembers `sha` as the last script EVAL ran (see [`Scripting::sha_of_body`]).
    pub fn remember_eval(&mut self, sha: &str) {
        if self.last_eval.as_deref() != Some(sha) {
            self.last_eval = Some(sha.to_string());
        }
    }

    /// Number of cached scripts (INFO number_of_cached_scripts).
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// The client on whose behalf client `id` acts: a script's caller for the script's
    /// client, else itself.
    pub fn acting_client(&self, id: u64) -> u64 {
        match &self.running {
            Some(run) if id == SCRIPT_CLIENT_ID => run.caller_id,
            _ => id,
        }
    }

    /// Whether a script has run past `busy-reply-threshold` (other clients are then
    /// answered -BUSY).
    pub fn timed_out(&self) -> bool {
        self.running.as_ref().is_some_and(|r| r.timed_out)
    }

    /// The -BUSY error for the script running too long (it names the KILL that
    /// stops it).
    pub fn busy_error(&self) -> crate::commands::CommandError {
        crate::commands::CommandError::Busy {
            eval: self.running.as_ref().is_none_or(|r| r.is_eval),
        }
    }

    /// SCRIPT KILL: stops the running script unless it already wrote or came from our
    /// master. Errors are the reply texts.
    pub fn kill(&mut self, eval: bool) -> Result<(), crate::commands::CommandError> {
        use crate::commands::CommandError;
        let Some(run) = self.running.as_mut() else {
            return Err(CommandError::NotBusy);
        };
        // SCRIPT KILL stops EVAL's scripts, FUNCTION KILL functions.
        if run.is_eval != eval {
            return Err(CommandError::Busy { eval: run.is_eval });
        }
        if run.caller_obeyed() {
            return Err(CommandError::Raw(
                "UNKILLABLE The busy script was sent by a master instance in the context of \
                 replication and cannot be killed."
                    .into(),
            ));
        }
        if run.write_dirty {
            return Err(CommandError::Raw(
                "UNKILLABLE Sorry the script already executed write commands against the \
                 dataset. You can either wait the script termination or kill the server in a \
                 hard way using the SHUTDOWN NOSAVE command."
                    .into(),
            ));
        }
        run.killed = true;
        Ok(())
    }

    /// Takes the function libraries out, leaving none (a replica's full sync replaces
    /// them with its master's).
    pub fn take_functions(&mut self) -> functions::Functions {
        match functions::Functions::new() {
            Ok(empty) => std::mem::replace(&mut self.functions, empty),
            Err(e) => panic!("cannot create the Lua functions environment: {e}"),
        }
    }

    /// SHUTDOWN NOSAVE under a running script: it is stopped whatever it did.
    pub fn abort_for_shutdown(&mut self) {
        if let Some(run) = self.running.as_mut() {
            run.killed = true;
            run.for_shutdown = true;
        }
    }

    /// Memory of the interpreter (INFO used_memory_lua / used_memory_vm_eval).
    pub fn vm_memory(&self) -> usize {
        self.lua.used_memory()
    }

    /// Memory of the cache (INFO used_memory_scripts_eval): bodies, names and entries.
    pub fn cache_memory(&self) -> usize {
        self.scripts_bytes
            + self.scripts.len() * (std::mem::size_of::<Script>() + 64)
            + self.scripts.capacity() * std::mem::size_of::<usize>()
    }

    /// Compiles `body` and caches it, unless a script with its SHA1 is cached already;
    /// returns the SHA1. Errors are the reply texts Redis gives.
    pub fn create(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = sha1_hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, shebang_len) = shebang::parse(body)?;
        // The shebang line is left out but its line feed kept, so line numbers in errors
        // stay the user's.
        let function = self
            .lua
            .load(&body[shebang_len..])
            .set_name("@user_script")
            .set_mode(mlua::chunk::ChunkMode::Text)
            .into_function()
            .and_then(|f| {
                let sandbox: Function = self.lua.named_registry_value(environment::SANDBOX_KEY)?;
                sandbox.call::<Function>(f)
            })
            .map_err(|e| {
                format!(
                    "Error compiling script (new function): {}",
                    environment::error_message(&e)
                )
            })?;
        self.scripts_bytes += body.len() + sha.len();
        self.scripts.insert(
            sha.clone(),
            Script {
                body: body.to_vec(),
                flags,
                function,
            },
        );
        Ok(sha)
    }
}

/// The SHA1 of `data` in lower-case hex (script names and `redis.sha1hex`).
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_a_script_is_redis_name_for_it() {
        // redis-cli SCRIPT LOAD "return 1" answers this name.
        assert_eq!(
            sha1_hex(b"return 1"),
            "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        );
    }

    #[test]
    fn the_last_eval_s_name_is_reused_only_for_the_same_body() {
        let mut s = Scripting::new(0).expect("interpreter");
        let one = s.create(b"return 1").expect("compiles");
        let two = s.create(b"return 2").expect("compiles");
        s.remember_eval(&one);
        assert_eq!(s.sha_of_body(b"return 1"), one);
        assert_eq!(s.sha_of_body(b"return 2"), two);
        assert_eq!(s.sha_of_body(b"return 3"), sha1_hex(b"return 3"));
        assert!(s.get_by_sha(one.to_ascii_uppercase().as_bytes()).is_some());
        assert!(s.get_by_sha(&one.as_bytes()[..39]).is_none());
        s.reset().expect("fresh interpreter");
        assert_eq!(s.sha_of_body(b"return 1"), one);
        assert!(s.get_by_sha(one.as_bytes()).is_none());
    }
}
