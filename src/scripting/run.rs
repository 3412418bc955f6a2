//! Running a script (Redis's evalGenericCommand, scriptPrepareForRun and scriptCall):
//! the checks a script's declared flags call for, the run itself with `redis.call`
//! bound to the server, and the checks every command a script calls goes through.

use std::rc::Rc;
use std::time::Instant;

use mlua::{Function, HookTriggers, Lua, MultiValue, Table, Value, VmState};

use super::binding::Binding;
use super::convert::{self, ScriptError};
use super::environment::{self, error_table, error_table_text, raise, Raise, ScriptSettings};
use super::ScriptFlags;
use crate::acl::LogContext;
use crate::commands::table::arity_ok;
use crate::commands::{flags, CommandError, CommandId, CommandResult};
use crate::server::{Client, Server};

/// What the running script may do and has done (Redis's scriptRunCtx).
#[derive(Debug)]
pub struct RunState {
    /// The script's name (its SHA1, or the function's name), for error messages.
    pub name: String,
    /// EVAL (as opposed to FCALL): decides KEYS/ARGV and which KILL stops it.
    pub is_eval: bool,
    /// The caller's request, for a function (FUNCTION STATS); empty for EVAL.
    pub command: Vec<Vec<u8>>,
    /// EVAL_RO, or a script that declared `no-writes`: write commands are refused.
    read_only: bool,
    /// The script declared `allow-oom`.
    allow_oom: bool,
    /// The caller is our master (or the AOF): its writes are never refused.
    caller_obeyed: bool,
    /// The id of the client that called the script.
    pub caller_id: u64,
    /// The caller's ACL user (`None`: an internal client, allowed everything): the
    /// commands the script calls are checked against it.
    pub caller_user: Option<crate::acl::UserId>,
    /// The caller's CLIENT LIST line for ACL LOG, taken only when its user is
    /// restricted (only then can a call be denied).
    pub caller_info: Option<String>,
    /// A read-only command ran: the caller's declared keys count as read (tracking).
    read_command_ran: bool,
    /// Memory was over `maxmemory` when the script started.
    oom_at_start: bool,
    /// A write command ran: from then on the script cannot be refused half-way.
    pub write_dirty: bool,
    pub started: Instant,
    /// It has run past `busy-reply-threshold`: other clients are served meanwhile.
    pub timed_out: bool,
    /// SCRIPT KILL (or SHUTDOWN NOSAVE) asked it to stop.
    pub killed: bool,
    /// SHUTDOWN NOSAVE stopped it: its changes must not reach the AOF or replicas.
    pub for_shutdown: bool,
}

/// Lua instructions between two checks of a script's running time (Redis's).
const HOOK_INSTRUCTIONS: u32 = 100_000;
/// Scripts between two explicit steps of garbage collection (Redis's
/// LUA_GC_CYCLE_PERIOD); Lua's own incremental collector does the rest.
const GC_EVERY_RUNS: u32 = 50;
/// The error a killed script stops with.
const KILLED: &str = "ERR Script killed by user with SCRIPT KILL...";

/// The count hook of a running script: once it has run too long, serves other
/// clients; once it is killed, raises the error that ends it, and from then on at
/// every line, so that a `pcall` in the script cannot keep it alive.
fn interrupt_hook(
    binding: Rc<Binding>,
) -> impl Fn(&Lua, &mlua::debug::Debug) -> mlua::Result<VmState> {
    move |lua, _| {
        let killed = binding
            .with_server(|srv, _| srv.script_interrupt())
            .unwrap_or(false);
        if killed {
            lua.set_hook(HookTriggers::EVERY_LINE, |_, _| Err(raise(KILLED)))?;
            return Err(raise(KILLED));
        }
        Ok(VmState::Continue)
    }
}

/// Sets the hook that watches how long scripts run: every `HOOK_INSTRUCTIONS`
/// instructions of any Lua code, a cheap check that does something only while a script
/// runs. Set once rather than for each script: mlua makes setting a hook cost an
/// allocation and registry lookups. A killed script or a library load replaces it for
/// a while; they call this again.
pub(super) fn watch_runs(lua: &Lua, binding: &Rc<Binding>) -> mlua::Result<()> {
    lua.set_hook(
        HookTriggers::new().every_nth_instruction(HOOK_INSTRUCTIONS),
        interrupt_hook(Rc::clone(binding)),
    )
}

/// Puts in the `redis` table the functions that run commands: `call`, `pcall` and
/// `acl_check_cmd`. They work while `binding` lends them the server.
pub(super) fn install_server_functions(
    lua: &Lua,
    redis: &Table,
    binding: &Rc<Binding>,
) -> mlua::Result<()> {
    super::redis_call::install(lua, redis, binding)?;
    // Outside a debugging session a breakpoint is not taken and debug output goes
    // nowhere, as in Redis.
    let b = Rc::clone(binding);
    redis.raw_set(
        "breakpoint",
        lua.create_function(move |_, ()| Ok(super::ldb::lua_breakpoint(&b)))?,
    )?;
    let b = Rc::clone(binding);
    redis.raw_set(
        "debug",
        lua.create_function(move |_, args: MultiValue| {
            super::ldb::lua_debug(&b, &args);
            Ok(())
        })?,
    )?;
    let b = Rc::clone(binding);
    redis.raw_set(
        "acl_check_cmd",
        lua.create_function(move |_, args: MultiValue| {
            match b.with_server(|srv, _| srv.script_acl_check(&args)) {
                Some(allowed) => allowed,
                None => Err(environment::outside_run("acl_check_cmd")),
            }
        })?,
    )?;
    watch_runs(lua, binding)
}

/// Runs `function` under the message handler: with `keys` and `args` as the globals
/// KEYS and ARGV (EVAL, `as_globals`) or as its two arguments (FCALL). Returns whether
/// it ran without error, and its result or error.
///
/// The tables and strings are made with Lua's own API, in one protected step: mlua's
/// Lua 5.1 backend wraps each table or string it makes in a protected call with two
/// fresh closures, which for a short script cost more than the script.
fn call_script(
    lua: &Lua,
    binding: &Binding,
    function: Function,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    as_globals: bool,
) -> mlua::Result<(bool, Value)> {
    use mlua::ffi;
    const FUNCTION: i32 = 1;
    const GLOBALS: i32 = 2;
    const HANDLER: i32 = 3;
    // SAFETY: the closure only calls Lua's API on the stack exec_raw hands it, where
    // its three arguments are at 1..=3, and checks the room it needs first. It owns
    // nothing that needs dropping (slices and integers), so a Lua error thrown out of
    // it (out of memory) skips no destructor. It leaves exactly its two results.
    unsafe {
        lua.exec_raw::<(bool, Value)>((function, &binding.globals, &binding.handler), |state| {
            if ffi::lua_checkstack(state, 8) == 0 {
                ffi::lua_settop(state, 0);
                ffi::lua_pushboolean(state, 0);
                ffi::lua_pushstring(state, c"ERR Lua stack overflow".as_ptr());
                return;
            }
            push_sequence(state, keys);
            push_sequence(state, args);
            let nargs = if as_globals {
                ffi::lua_pushstring(state, c"KEYS".as_ptr());
                ffi::lua_pushvalue(state, 4);
                ffi::lua_rawset(state, GLOBALS);
                ffi::lua_pushstring(state, c"ARGV".as_ptr());
                ffi::lua_pushvalue(state, 5);
                ffi::lua_rawset(state, GLOBALS);
                ffi::lua_pushvalue(state, FUNCTION);
                0
            } else {
                ffi::lua_pushvalue(state, FUNCTION);
                ffi::lua_pushvalue(state, 4);
                ffi::lua_pushvalue(state, 5);
                2
            };
            let status = ffi::lua_pcall(state, nargs, 1, HANDLER);
            // [function, globals, handler, keys, args, result] -> [ok, result]
            ffi::lua_pushboolean(state, (status == 0) as std::ffi::c_int);
            ffi::lua_replace(state, 1);
            ffi::lua_replace(state, 2);
            ffi::lua_settop(state, 2);
        })
    }
}

/// Pushes a new table holding `items` as strings at 1..=n.
///
/// # Safety
/// `state` must have room for two more values; may raise a Lua error (out of memory).
unsafe fn push_sequence(state: *mut mlua::ffi::lua_State, items: &[Vec<u8>]) {
    use mlua::ffi;
    ffi::lua_createtable(state, items.len().min(i32::MAX as usize) as i32, 0);
    for (i, item) in items.iter().enumerate() {
        ffi::lua_pushlstring(state, item.as_ptr().cast(), item.len());
        ffi::lua_rawseti(state, -2, i as ffi::lua_Integer + 1);
    }
}

/// The numkeys argument of EVAL or FCALL (`not_a_number` if it is not one).
fn numkeys_of(c: &Client, not_a_number: CommandError) -> Result<usize, CommandError> {
    let numkeys = crate::util::numbers::parse_i64(&c.argv[2]).ok_or(not_a_number)?;
    if numkeys > c.argc() as i64 - 3 {
        return Err(CommandError::Err(
            "Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(CommandError::Err("Number of keys can't be negative"));
    }
    Ok(numkeys as usize)
}

impl RunState {
    /// The state of a script (`is_eval`) or function called `name` that caller `c`
    /// starts with `flags`, through a `_RO` command if `ro`; `oom` when memory is over
    /// `maxmemory` now.
    fn new(
        name: String,
        is_eval: bool,
        c: &Client,
        flags: ScriptFlags,
        ro: bool,
        oom: bool,
    ) -> RunState {
        let declared = |flag| !flags.compat() && flags.has(flag);
        RunState {
            name,
            is_eval,
            // Only FUNCTION STATS shows it, and only for functions.
            command: if is_eval { Vec::new() } else { c.argv.clone() },
            read_only: ro || declared(ScriptFlags::NO_WRITES),
            allow_oom: declared(ScriptFlags::ALLOW_OOM),
            caller_obeyed: c.must_obey(),
            caller_id: c.id,
            caller_user: c.user,
            caller_info: None,
            read_command_ran: false,
            oom_at_start: oom,
            write_dirty: false,
            started: Instant::now(),
            timed_out: false,
            killed: false,
            for_shutdown: false,
        }
    }

    /// Whether the script came from our master (its writes are never refused and it
    /// cannot be killed).
    pub fn caller_obeyed(&self) -> bool {
        self.caller_obeyed
    }
}

/// How a script ended.
enum Outcome {
    /// It returned this value.
    Returned(Value),
    /// It raised this error table.
    Raised(Table),
}

/// The text of a Lua or mlua failure that prevented the run itself.
fn run_failure(sha: &str, err: &mlua::Error) -> CommandError {
    CommandError::Raw(format!(
        "ERR Error running script {sha}, {:.100}",
        environment::error_message(err)
    ))
}

impl Server {
    /// The flags EVAL (or EVALSHA...) with arguments `argv` is checked with before it
    /// runs: the row's flags, or those implied by the script's shebang when it has one
    /// (Redis's evalGetCommandFlags). A script not cached yet is read for its shebang.
    pub fn script_command_flags(&self, argv: &[Vec<u8>], cmd_flags: u32) -> u32 {
        let Some(arg) = argv.get(1) else {
            return cmd_flags;
        };
        if argv[0].len() >= 5 && argv[0][..5].eq_ignore_ascii_case(b"fcall") {
            return match self.scripting.functions.get(arg) {
                Some(f) => f.flags.command_flags(cmd_flags),
                None => cmd_flags,
            };
        }
        let evalsha = argv[0].len() >= 7 && argv[0][..7].eq_ignore_ascii_case(b"evalsha");
        if evalsha && arg.len() != 40 {
            return cmd_flags;
        }
        let script = if evalsha {
            self.scripting.get_by_sha(arg)
        } else {
            self.scripting.get(&self.scripting.sha_of_body(arg))
        };
        let script_flags = match script {
            Some(script) => script.flags,
            None if evalsha => return cmd_flags,
            None => match super::shebang::parse(arg) {
                Ok((f, _)) => f,
                Err(_) => return cmd_flags,
            },
        };
        script_flags.command_flags(cmd_flags)
    }

    /// EVAL, EVALSHA and their `_RO` forms.
    pub fn eval_command(&mut self, c: &mut Client, evalsha: bool, ro: bool) -> CommandResult {
        // Fed before the script runs, so its commands show after it (EVAL is
        // skip_monitor for the generic feed).
        if !self.monitors.is_empty() {
            self.feed_monitors(c);
        }
        if evalsha && c.argv[1].len() != 40 {
            return Err(CommandError::NoScript);
        }
        if let Some(mode) = c.lua_debug {
            if evalsha {
                return Err(CommandError::Err(
                    "Please use EVAL instead of EVALSHA for debugging",
                ));
            }
            return self.eval_debug_session(c, ro, mode);
        }
        self.eval_script(c, evalsha, ro)
    }

    /// EVAL and its kin once the monitors are fed and debugging is ruled out.
    pub(super) fn eval_script(&mut self, c: &mut Client, evalsha: bool, ro: bool) -> CommandResult {
        let numkeys = numkeys_of(c, CommandError::NotInteger)?;
        let sha = if evalsha {
            String::from_utf8_lossy(&c.argv[1]).to_ascii_lowercase()
        } else {
            self.scripting.sha_of_body(&c.argv[1])
        };
        if self.scripting.get(&sha).is_none() {
            if evalsha {
                return Err(CommandError::NoScript);
            }
            self.scripting
                .create(&c.argv[1])
                .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
        }
        let (function, script_flags) = match self.scripting.get(&sha) {
            Some(s) => (s.function.clone(), s.flags),
            None => return Err(CommandError::NoScript),
        };
        if !evalsha {
            self.scripting.remember_eval(&sha);
        }
        self.script_may_run(c, script_flags, ro)?;
        let state = RunState::new(sha, true, c, script_flags, ro, self.out_of_memory);
        self.run_script(c, function, state, numkeys)
    }

    /// FCALL and FCALL_RO: runs a function of a loaded library.
    pub fn fcall_command(&mut self, c: &mut Client, ro: bool) -> CommandResult {
        if !self.monitors.is_empty() {
            self.feed_monitors(c);
        }
        let (function, flags, name) = match self.scripting.functions.get(&c.argv[1]) {
            Some(f) => (f.function.clone(), f.flags, f.name.clone()),
            None => return Err(CommandError::Err("Function not found")),
        };
        let numkeys = numkeys_of(c, CommandError::Err("Bad number of keys provided"))?;
        self.script_may_run(c, flags, ro)?;
        let state = RunState::new(name, false, c, flags, ro, self.out_of_memory);
        self.run_script(c, function, state, numkeys)
    }

    /// The checks made before a script that declared flags runs (a script without a
    /// shebang is checked command by command instead); `ro` for the `_RO` commands.
    fn script_may_run(&self, c: &Client, f: ScriptFlags, ro: bool) -> Result<(), CommandError> {
        let stale = self.running_stale();
        let obeyed = c.must_obey();
        if f.compat() {
            if stale {
                return Err(CommandError::MasterDown);
            }
            return Ok(());
        }
        if stale && !f.has(ScriptFlags::ALLOW_STALE) {
            return Err(CommandError::Raw(
                "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' \
                 and 'allow-stale' flag is not set on the script."
                    .into(),
            ));
        }
        if !f.has(ScriptFlags::NO_WRITES) {
            if self.repl.is_replica() && self.config.replica_read_only && !obeyed {
                return Err(CommandError::Raw(
                    "READONLY Can not run script with write flag on readonly replica".into(),
                ));
            }
            if !obeyed {
                if self.rdb_writes_denied() {
                    return Err(CommandError::Raw(
                        "MISCONF Redis is configured to save RDB snapshots, but it's currently \
                         unable to persist to disk. Writable scripts are blocked. Use \
                         'no-writes' flag for read only scripts."
                            .into(),
                    ));
                }
                if let Some(text) = self.aof_write_error() {
                    let cause = text.rsplit("AOF error: ").next().unwrap_or("");
                    return Err(CommandError::Raw(format!(
                        "MISCONF Redis is configured to persist data to AOF, but it's \
                         currently unable to persist to disk. Writable scripts are blocked. \
                         Use 'no-writes' flag for read only scripts. AOF error: {cause}"
                    )));
                }
            }
            if ro {
                return Err(CommandError::Err(
                    "Can not execute a script with write flag using *_ro command.",
                ));
            }
            if !self.good_replicas_ok() {
                return Err(CommandError::NoReplicas);
            }
        }
        if self.out_of_memory
            && self.config.maxmemory != 0
            && !f.has(ScriptFlags::ALLOW_OOM | ScriptFlags::NO_WRITES)
        {
            return Err(CommandError::Raw(
                "OOM allow-oom flag is not set on the script, can not run it when used memory \
                 > 'maxmemory'"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Runs `function` for caller `c` with KEYS and ARGV from its arguments, then
    /// answers with what it returned and sends its writes out.
    fn run_script(
        &mut self,
        c: &mut Client,
        function: Function,
        mut state: RunState,
        numkeys: usize,
    ) -> CommandResult {
        if let Some(user) = c.user {
            if !self.acl.is_unrestricted(user) {
                state.caller_info = Some(crate::commands::client::client_info_line(self, c));
            }
        }
        let is_eval = state.is_eval;
        let lua = if is_eval {
            self.scripting.lua().clone()
        } else {
            self.scripting.functions.lua().clone()
        };
        let sha = state.name.clone();
        let binding = Binding::of(&lua).map_err(|e| run_failure(&sha, &e))?;
        let (keys, args) = c.argv[3..].split_at(numkeys);
        let Some(mut sc) = self.scripting.client.take() else {
            return Err(CommandError::Err("a script is already running"));
        };
        sc.db = c.db;
        sc.reply.resp = 2;
        sc.reply.buf.clear();
        // The script's commands are as obeyed as its caller's (a replica applying its
        // master's EVAL; an old AOF replayed).
        sc.is_master = c.must_obey();
        // The commands of a script all see the time it started, as those of a
        // transaction; and none of them may block.
        sc.in_exec = true;
        self.scripting.running = Some(state);
        let nested = self.tx.pending.is_some();
        if !nested {
            self.tx.pending = Some(Vec::new());
        }
        let (result, settings) = {
            let lent = binding.lend(self, &mut sc);
            let result = call_script(&lua, &binding, function, keys, args, is_eval);
            let settings = binding.settings();
            drop(lent);
            (result, settings)
        };
        let outcome = result.and_then(|(ok, v)| {
            Ok(match (ok, v) {
                (true, v) => Outcome::Returned(v),
                (false, Value::Table(t)) => Outcome::Raised(t),
                (false, other) => {
                    Outcome::Raised(error_table(&lua, other.to_string()?.as_bytes())?)
                }
            })
        });
        let script_resp = settings.resp;
        sc.in_exec = false;
        sc.is_master = false;
        sc.argv.clear();
        self.scripting.client = Some(sc);
        let ended = self.scripting.running.take();
        self.tx.script_targets = None;
        if ended.as_ref().is_some_and(|r| r.killed) {
            // The killed script's hook fired at every line; back to counting.
            if let Err(e) = watch_runs(&lua, &binding) {
                log::warn!("Cannot watch the running time of scripts any more: {e}");
            }
        }
        if ended.as_ref().is_some_and(|r| r.for_shutdown) || self.scripting.rolling_back {
            // The server stops without saving, or a debugging session's changes are
            // about to be undone: what the script did goes nowhere.
            self.tx.pending = None;
        } else if !nested {
            self.flush_transaction_propagation();
        }
        if ended.as_ref().is_some_and(|r| r.read_command_ran) && c.tracking.is_some() {
            if let Some(id) = c.last_cmd {
                self.tracking_remember_keys(c, id);
            }
        }
        if ended.as_ref().is_some_and(|r| r.timed_out) {
            log::warn!(
                "Slow script finished: ran {} ms.",
                ended.map_or(0, |r| r.started.elapsed().as_millis())
            );
            // The master's stream held back meanwhile is applied now.
            if let Some((token, _)) = self.repl.replica.as_ref().and_then(|s| s.master_token) {
                self.pending_reads.push(token);
            }
        }
        let result = match outcome {
            Ok(Outcome::Returned(v)) => {
                match convert::lua_to_reply(&mut c.reply, &v, script_resp) {
                    Ok(None) => Ok(()),
                    Ok(Some(err)) => Err(err),
                    Err(e) => return Err(run_failure(&sha, &e)),
                }
            }
            Ok(Outcome::Raised(t)) => Err(raised_error(&t, &sha)),
            Err(e) => return Err(run_failure(&sha, &e)),
        };
        // A few steps of garbage collection after each script, so Lua never needs a
        // long full cycle (Redis steps every 50 scripts; its scripts' garbage is the
        // same).
        self.scripting.runs_since_gc += 1;
        if self.scripting.runs_since_gc >= GC_EVERY_RUNS {
            self.scripting.runs_since_gc = 0;
            let _ = lua.gc_step();
        }
        match result {
            Ok(()) => Ok(()),
            Err(err) if err.counted => {
                // The command's error was counted in the error statistics when it was
                // answered; EVAL still counts as failed.
                if let Some(id) = c.last_cmd {
                    self.cmd_stats[id].failed_calls += 1;
                }
                convert::write_error(&mut c.reply, &err.text);
                Ok(())
            }
            Err(err) => Err(CommandError::Raw(
                String::from_utf8_lossy(&err.text).into_owned(),
            )),
        }
    }

    /// Called by the hook every `HOOK_INSTRUCTIONS` instructions: past
    /// `busy-reply-threshold`, serves other clients for a moment. Returns whether the
    /// script must stop.
    fn script_interrupt(&mut self) -> bool {
        let Some(run) = self.scripting.running.as_mut() else {
            return false;
        };
        // A zero threshold: scripts are never considered slow.
        if self.config.busy_reply_threshold <= 0 && !run.timed_out {
            return false;
        }
        if !run.timed_out {
            let elapsed = run.started.elapsed().as_millis() as i64;
            if elapsed < self.config.busy_reply_threshold {
                return false;
            }
            log::warn!(
                "Slow script detected: still in execution after {elapsed} milliseconds. You \
                 can try killing the script using the {} command. Script name is: {}.",
                if run.is_eval {
                    "SCRIPT KILL"
                } else {
                    "FUNCTION KILL"
                },
                run.name
            );
            run.timed_out = true;
        }
        self.process_events_while_busy();
        self.scripting.running.as_ref().is_some_and(|r| r.killed)
    }

    /// `redis.call` / `redis.pcall`: runs `argv` as a command of the script's client
    /// `sc`, leaving its reply in `sc.reply.buf`. Returns the error it was refused with
    /// (already counted in the error statistics).
    pub(super) fn script_call(
        &mut self,
        sc: &mut Client,
        argv: Vec<Vec<u8>>,
        settings: ScriptSettings,
    ) -> Result<(), Raise> {
        sc.argv = argv;
        sc.reply.resp = settings.resp;
        self.tx.script_targets = Some(settings.targets);
        sc.reply.buf.clear();
        let id = match self.script_may_call(sc) {
            Ok(id) => id,
            Err((id, text)) => {
                let text = error_table_text(&text);
                // Counted here, as Redis counts a refused command: not again by EVAL.
                let code_end = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
                self.stats
                    .count_error(&String::from_utf8_lossy(&text[..code_end]));
                if let Some(id) = id {
                    self.cmd_stats[id].rejected_calls += 1;
                }
                return Err(Raise {
                    text,
                    counted: true,
                });
            }
        };
        self.call(sc, id);
        Ok(())
    }

    /// `redis.acl_check_cmd(...)`: whether the script's caller may run the command
    /// (no arity check, as in Redis); an unknown command is an error.
    fn script_acl_check(&self, args: &MultiValue) -> mlua::Result<bool> {
        let argv = environment::args_to_argv(args)
            .map_err(|text| raise(error_table_text(text.as_bytes())))?;
        let invalid = || raise("ERR Invalid command passed to redis.acl_check_cmd()");
        let mut id = self.commands.lookup(&argv[0]).ok_or_else(invalid)?;
        if !self.commands.spec(id).subcommands.is_empty() && argv.len() >= 2 {
            id = self.commands.lookup_sub(id, &argv[1]).ok_or_else(invalid)?;
        }
        let user = self.scripting.running.as_ref().and_then(|r| r.caller_user);
        Ok(user.is_none_or(|u| self.acl.check(&self.commands, u, id, &argv).is_ok()))
    }

    /// The checks of a command a script calls (Redis's scriptCall): it must exist and
    /// be allowed in scripts, and a write must be possible now. Returns its row, or the
    /// row (if found) and the error reply (`-CODE message` or a bare message).
    fn script_may_call(&mut self, sc: &Client) -> Result<CommandId, (Option<CommandId>, Vec<u8>)> {
        let plain = |text: &str| text.as_bytes().to_vec();
        let reply = |e: CommandError| format!("-{e}").into_bytes();
        let Some(mut id) = self.commands.lookup(&sc.argv[0]) else {
            return Err((None, plain("Unknown Redis command called from script")));
        };
        if !self.commands.spec(id).subcommands.is_empty() && sc.argc() >= 2 {
            match self.commands.lookup_sub(id, &sc.argv[1]) {
                Some(sub) => id = sub,
                None => return Err((None, plain("Unknown Redis command called from script"))),
            }
        }
        let spec = self.commands.spec(id);
        if !arity_ok(spec.arity, sc.argc()) {
            return Err((
                Some(id),
                plain("Wrong number of args calling Redis command from script"),
            ));
        }
        if spec.flags & flags::NOSCRIPT != 0 && !self.scripting.allow_noscript_commands {
            return Err((
                Some(id),
                plain("This Redis command is not allowed from script"),
            ));
        }
        if self.running_stale() && spec.flags & flags::STALE == 0 {
            return Err((
                Some(id),
                plain("Can not execute the command on a stale replica"),
            ));
        }
        let Some(run) = self.scripting.running.as_ref() else {
            return Err((
                Some(id),
                plain("redis.call/pcall can only be called inside a script invocation"),
            ));
        };
        let denied = run.caller_user.and_then(|user| {
            self.acl
                .check(&self.commands, user, id, &sc.argv)
                .err()
                .map(|d| (user, d, run.caller_info.clone().unwrap_or_default()))
        });
        if let Some((user, denied, info)) = denied {
            self.acl_log_denied(user, denied, LogContext::Lua, id, &sc.argv, info);
            let text = format!("The user executing the script {}", denied.script_phrase());
            return Err((Some(id), text.into_bytes()));
        }
        let run = self.scripting.running.as_ref().expect("checked above");
        if run.read_only && spec.flags & (flags::WRITE | flags::MAY_REPLICATE) != 0 {
            return Err((
                Some(id),
                plain("Write commands are not allowed from read-only scripts."),
            ));
        }
        let write = spec.flags & flags::WRITE != 0;
        if write && !run.write_dirty {
            if self.repl.is_replica() && self.config.replica_read_only && !run.caller_obeyed {
                return Err((Some(id), reply(CommandError::ReadOnlyReplica)));
            }
            if self.rdb_writes_denied() {
                return Err((Some(id), reply(CommandError::MisconfRdb)));
            }
            if let Some(text) = self.aof_write_error() {
                return Err((Some(id), format!("-{text}").into_bytes()));
            }
            if !self.good_replicas_ok() {
                return Err((Some(id), reply(CommandError::NoReplicas)));
            }
        }
        if !run.allow_oom
            && self.config.maxmemory != 0
            && !run.caller_obeyed
            && !run.write_dirty
            && run.oom_at_start
            && spec.flags & flags::DENYOOM != 0
        {
            return Err((Some(id), reply(CommandError::Oom)));
        }
        if let Some(run) = self.scripting.running.as_mut() {
            run.write_dirty |= write;
            run.read_command_ran |= spec.flags & flags::READONLY != 0;
        }
        Ok(id)
    }
}

/// The reply to a script that raised `t`: its message, and where it happened when the
/// handler found the place (`-ERR boom script: <sha>, on @user_script:1.`).
fn raised_error(t: &Table, sha: &str) -> ScriptError {
    let mut err = match convert::error_field(t) {
        Ok(Some(err)) => err,
        _ => ScriptError {
            text: b"ERR execution failure".to_vec(),
            counted: false,
        },
    };
    let source: Option<String> = t.raw_get("source").ok().flatten();
    let line: Option<Value> = t.raw_get("line").ok();
    let line = match line {
        Some(Value::Integer(n)) => Some(n.to_string()),
        Some(Value::Number(n)) => Some((n as i64).to_string()),
        Some(Value::String(s)) => Some(s.to_string_lossy()),
        _ => None,
    };
    if let (Some(source), Some(line)) = (source, line) {
        err.text
            .extend_from_slice(format!(" script: {sha}, on {source}:{line}.").as_bytes());
    }
    err
}
