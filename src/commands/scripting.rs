//! Scripting commands, as Redis's eval.c: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
//! (EXISTS, FLUSH, KILL, LOAD, HELP). The engine is in `crate::scripting`.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};

/// EVAL's key positions as a legacy triple: none (they follow numkeys).
const NUMKEYS: Keys = Keys::NONE;

const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "help",
        script_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "scripting",
        "5.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "debug",
        script_debug,
        3,
        NOSCRIPT,
        Keys::NONE,
        "scripting",
        "3.2.0",
        "Set the debug mode for executed scripts.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "exists",
        script_exists,
        -3,
        NOSCRIPT,
        Keys::NONE,
        "scripting",
        "2.6.0",
        "Check existence of scripts in the script cache.",
    )
    .with_complexity("O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."),
    CommandSpec::new(
        "load",
        script_load,
        3,
        NOSCRIPT | STALE,
        Keys::NONE,
        "scripting",
        "2.6.0",
        "Load the specified Lua script into the script cache.",
    )
    .with_complexity("O(N) with N being the length in bytes of the script body."),
    CommandSpec::new(
        "flush",
        script_flush,
        -2,
        NOSCRIPT,
        Keys::NONE,
        "scripting",
        "2.6.0",
        "Remove all the scripts from the script cache.",
    )
    .with_complexity("O(N) with N being the number of scripts in cache"),
    CommandSpec::new(
        "kill",
        script_kill,
        2,
        NOSCRIPT | ALLOW_BUSY,
        Keys::NONE,
        "scripting",
        "2.6.0",
        "Kill the script currently in execution.",
    )
    .with_complexity("O(1)"),
];

/// The scripting family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "eval",
        eval,
        -3,
        NOSCRIPT | SKIP_MONITOR | MAY_REPLICATE | NO_MANDATORY_KEYS | STALE,
        NUMKEYS,
        "scripting",
        "2.6.0",
        "Execute a Lua script server side",
    )
    .with_complexity("Depends on the script that is executed."),
    CommandSpec::new(
        "evalsha",
        evalsha,
        -3,
        NOSCRIPT | SKIP_MONITOR | MAY_REPLICATE | NO_MANDATORY_KEYS | STALE,
        NUMKEYS,
        "scripting",
        "2.6.0",
        "Execute a Lua script server side",
    )
    .with_complexity("Depends on the script that is executed."),
    CommandSpec::new(
        "evalsha_ro",
        evalsha_ro,
        -3,
        NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY,
        NUMKEYS,
        "scripting",
        "7.0.0",
        "Execute a read-only Lua script server side",
    )
    .with_complexity("Depends on the script that is executed."),
    CommandSpec::new(
        "eval_ro",
        eval_ro,
        -3,
        NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY,
        NUMKEYS,
        "scripting",
        "7.0.0",
        "Execute a read-only Lua script server side",
    )
    .with_complexity("Depends on the script that is executed."),
    CommandSpec::new(
        "script",
        super::table::container_handler,
        -2,
        0,
        Keys::NONE,
        "scripting",
        "2.6.0",
        "A container for Lua scripts management commands",
    )
    .with_complexity("Depends on subcommand.")
    .with_subcommands(SCRIPT_SUBCOMMANDS),
];

/// Whether a row runs a script: EVAL and its kin, FCALL and FCALL_RO.
pub fn runs_script(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
    )
}

/// EVAL script numkeys [key ...] [arg ...]
fn eval(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.eval_command(c, false, false)
}

/// EVALSHA sha1 numkeys [key ...] [arg ...]
fn evalsha(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.eval_command(c, true, false)
}

/// EVAL_RO: EVAL for a script that must not write.
fn eval_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.eval_command(c, false, true)
}

/// EVALSHA_RO: EVALSHA for a script that must not write.
fn evalsha_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.eval_command(c, true, true)
}

/// SCRIPT EXISTS sha1 [sha1 ...]: 1 or 0 for each, case-insensitively.
fn script_exists(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(c.argc() - 2);
    for i in 2..c.argc() {
        let known = srv.scripting.contains(&c.argv[i]);
        c.reply.int(known as i64);
    }
    Ok(())
}

/// SCRIPT LOAD script: compiles and caches it; answers its SHA1.
fn script_load(srv: &mut Server, c: &mut Client) -> CommandResult {
    let sha = srv
        .scripting
        .create(&c.argv[2])
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    c.reply.bulk(sha.as_bytes());
    Ok(())
}

/// SCRIPT FLUSH [ASYNC|SYNC]: forgets every script and resets the interpreter. Both
/// modes free at once: the interpreter cannot be handed to another thread.
fn script_flush(srv: &mut Server, c: &mut Client) -> CommandResult {
    if !flush_mode_valid(c) {
        return Err(CommandError::Err(
            "SCRIPT FLUSH only support SYNC|ASYNC option",
        ));
    }
    srv.scripting
        .reset()
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    c.reply.ok();
    Ok(())
}

/// Whether a SCRIPT FLUSH or FUNCTION FLUSH has no mode or a known one (both modes
/// free at once).
pub(super) fn flush_mode_valid(c: &Client) -> bool {
    match c.argc() {
        2 => true,
        3 => c.argv[2].eq_ignore_ascii_case(b"sync") || c.argv[2].eq_ignore_ascii_case(b"async"),
        _ => false,
    }
}

/// SCRIPT KILL: stops a script that runs past `busy-reply-threshold` (only then are
/// other commands read), unless it has written already.
fn script_kill(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.scripting.kill(true)?;
    c.reply.ok();
    Ok(())
}

/// SCRIPT DEBUG YES|SYNC|NO: whether the client's next EVAL runs in the Lua debugger
/// (crate::scripting::ldb), and whether its changes are then rolled back (YES) or kept
/// (SYNC).
fn script_debug(_srv: &mut Server, c: &mut Client) -> CommandResult {
    use crate::scripting::ldb::DebugMode;
    if c.pending_output() > 0 {
        return Err(CommandError::Err(
            "SCRIPT DEBUG must be called outside a pipeline",
        ));
    }
    let mode = &c.argv[2];
    c.lua_debug = if mode.eq_ignore_ascii_case(b"no") {
        None
    } else if mode.eq_ignore_ascii_case(b"yes") {
        Some(DebugMode::RollBack)
    } else if mode.eq_ignore_ascii_case(b"sync") {
        Some(DebugMode::Sync)
    } else {
        return Err(CommandError::Err("Use SCRIPT DEBUG YES/SYNC/NO"));
    };
    c.reply.ok();
    Ok(())
}

/// SCRIPT HELP
fn script_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    const LINES: &[&str] = &[
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    ];
    super::client::reply_help(c, LINES);
    Ok(())
}
