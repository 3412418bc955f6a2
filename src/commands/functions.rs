//! Function commands, as Redis 7.0's functions.c: FCALL, FCALL_RO and FUNCTION (LOAD,
//! DELETE, FLUSH, LIST, STATS, KILL, DUMP, RESTORE, HELP). The libraries are in
//! `crate::scripting::functions`.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};
use crate::util::glob::glob_match;

const FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "restore",
        function_restore,
        -3,
        WRITE | DENYOOM | NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Restore all the functions on the given payload",
    )
    .with_complexity("O(N) where N is the number of functions on the payload"),
    CommandSpec::new(
        "load",
        function_load,
        -3,
        WRITE | DENYOOM | NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Create a function with the given arguments (name, code, description)",
    )
    .with_complexity("O(1) (considering compilation time is redundant)"),
    CommandSpec::new(
        "list",
        function_list,
        -2,
        NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "List information about all the functions",
    )
    .with_complexity("O(N) where N is the number of functions"),
    CommandSpec::new(
        "flush",
        function_flush,
        -2,
        WRITE | NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Deleting all functions",
    )
    .with_complexity("O(N) where N is the number of functions deleted"),
    CommandSpec::new(
        "delete",
        function_delete,
        3,
        WRITE | NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Delete a function by name",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "dump",
        function_dump,
        2,
        NOSCRIPT,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Dump all functions into a serialized binary payload",
    )
    .with_complexity("O(N) where N is the number of functions"),
    CommandSpec::new(
        "help",
        function_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "kill",
        function_kill,
        2,
        NOSCRIPT | ALLOW_BUSY,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Kill the function currently in execution.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "stats",
        function_stats,
        2,
        NOSCRIPT | ALLOW_BUSY,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Return information about the function currently running (name, description, duration)",
    )
    .with_complexity("O(1)"),
];

/// The functions family's rows, in Redis's order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "fcall",
        fcall,
        -3,
        NOSCRIPT | SKIP_MONITOR | MAY_REPLICATE | NO_MANDATORY_KEYS | STALE,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Invoke a function",
    )
    .with_complexity("Depends on the function that is executed."),
    CommandSpec::new(
        "fcall_ro",
        fcall_ro,
        -3,
        NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | READONLY,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "Invoke a read-only function",
    )
    .with_complexity("Depends on the function that is executed."),
    CommandSpec::new(
        "function",
        super::table::container_handler,
        -2,
        0,
        Keys::NONE,
        "scripting",
        "7.0.0",
        "A container for function commands",
    )
    .with_complexity("Depends on subcommand.")
    .with_subcommands(FUNCTION_SUBCOMMANDS),
];

/// FCALL function numkeys [key ...] [arg ...]
fn fcall(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.fcall_command(c, false)
}

/// FCALL_RO: FCALL of a function that must not write.
fn fcall_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.fcall_command(c, true)
}

/// FUNCTION LOAD [REPLACE] code: answers the library's name.
fn function_load(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut replace = false;
    let mut pos = 2;
    while pos < c.argc() - 1 {
        if c.argv[pos].eq_ignore_ascii_case(b"replace") {
            replace = true;
            pos += 1;
            continue;
        }
        return Err(CommandError::Raw(format!(
            "ERR Unknown option given: {}",
            String::from_utf8_lossy(&c.argv[pos])
        )));
    }
    if pos >= c.argc() {
        return Err(CommandError::Err("Function code is missing"));
    }
    // Our master's libraries, and the AOF's, load however long they take.
    let timeout = !c.must_obey();
    let name = srv
        .scripting
        .functions
        .load(&c.argv[pos], replace, timeout)
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    srv.dirty += 1;
    c.reply.bulk(name.as_bytes());
    Ok(())
}

/// FUNCTION DELETE library
fn function_delete(srv: &mut Server, c: &mut Client) -> CommandResult {
    if !srv.scripting.functions.delete(&c.argv[2]) {
        return Err(CommandError::Err("Library not found"));
    }
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// FUNCTION FLUSH [ASYNC|SYNC]: every library goes (both modes at once: the
/// interpreter cannot be handed to another thread).
fn function_flush(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 3 {
        return Err(super::server_cmds::subcommand_syntax_error(c));
    }
    if !super::scripting::flush_mode_valid(c) {
        return Err(CommandError::Err(
            "FUNCTION FLUSH only supports SYNC|ASYNC option",
        ));
    }
    srv.scripting
        .functions
        .flush()
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
fn function_list(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (mut with_code, mut pattern) = (false, None);
    let mut i = 2;
    while i < c.argc() {
        let arg = &c.argv[i];
        if !with_code && arg.eq_ignore_ascii_case(b"withcode") {
            with_code = true;
        } else if pattern.is_none() && arg.eq_ignore_ascii_case(b"libraryname") {
            if i >= c.argc() - 1 {
                return Err(CommandError::Err("library name argument was not given"));
            }
            i += 1;
            pattern = Some(c.argv[i].clone());
        } else {
            return Err(CommandError::Raw(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(arg)
            )));
        }
        i += 1;
    }
    let libs: Vec<_> = srv
        .scripting
        .functions
        .libraries()
        .filter(|l| {
            pattern
                .as_deref()
                .is_none_or(|p| glob_match(p, l.name.as_bytes(), false))
        })
        .collect();
    c.reply.array_len(libs.len());
    for lib in libs {
        c.reply.map_len(if with_code { 4 } else { 3 });
        c.reply.bulk(b"library_name");
        c.reply.bulk(lib.name.as_bytes());
        c.reply.bulk(b"engine");
        c.reply.bulk(b"LUA");
        c.reply.bulk(b"functions");
        c.reply.array_len(lib.functions.len());
        for f in lib.functions.values() {
            c.reply.map_len(3);
            c.reply.bulk(b"name");
            c.reply.bulk(f.name.as_bytes());
            c.reply.bulk(b"description");
            match &f.description {
                Some(d) => c.reply.bulk(d),
                None => c.reply.null(),
            }
            c.reply.bulk(b"flags");
            let names: Vec<&str> = f.flags.names().collect();
            c.reply.set_len(names.len());
            for n in names {
                c.reply.simple(n);
            }
        }
        if with_code {
            c.reply.bulk(b"library_code");
            c.reply.bulk(&lib.code);
        }
    }
    Ok(())
}

/// FUNCTION STATS: the function running (only ever seen while one runs too long) and
/// the engine's counts.
fn function_stats(srv: &mut Server, c: &mut Client) -> CommandResult {
    if let Some(run) = srv.scripting.running.as_ref() {
        if run.is_eval {
            return Err(srv.scripting.busy_error());
        }
    }
    c.reply.map_len(2);
    c.reply.bulk(b"running_script");
    match srv.scripting.running.as_ref() {
        None => c.reply.null(),
        Some(run) => {
            c.reply.map_len(3);
            c.reply.bulk(b"name");
            c.reply.bulk(run.name.as_bytes());
            c.reply.bulk(b"command");
            c.reply.array_len(run.command.len());
            for a in &run.command {
                c.reply.bulk(a);
            }
            c.reply.bulk(b"duration_ms");
            c.reply.int(run.started.elapsed().as_millis() as i64);
        }
    }
    c.reply.bulk(b"engines");
    c.reply.map_len(1);
    c.reply.bulk(b"LUA");
    c.reply.map_len(2);
    c.reply.bulk(b"libraries_count");
    c.reply.int(srv.scripting.functions.library_count() as i64);
    c.reply.bulk(b"functions_count");
    c.reply.int(srv.scripting.functions.function_count() as i64);
    Ok(())
}

/// FUNCTION KILL: stops a function that runs past `busy-reply-threshold`, unless it
/// has written already.
fn function_kill(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.scripting.kill(false)?;
    c.reply.ok();
    Ok(())
}

/// FUNCTION DUMP: every library, in the format FUNCTION RESTORE and DUMP payloads use.
fn function_dump(srv: &mut Server, c: &mut Client) -> CommandResult {
    let codes: Vec<&[u8]> = srv
        .scripting
        .functions
        .libraries()
        .map(|l| l.code.as_slice())
        .collect();
    let payload = crate::persistence::rdb::functions_payload(&codes);
    c.reply.bulk(&payload);
    Ok(())
}

/// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
fn function_restore(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 4 {
        return Err(super::server_cmds::subcommand_syntax_error(c));
    }
    let policy = match c.argv.get(3) {
        None => Restore::Append,
        Some(p) if p.eq_ignore_ascii_case(b"flush") => Restore::Flush,
        Some(p) if p.eq_ignore_ascii_case(b"append") => Restore::Append,
        Some(p) if p.eq_ignore_ascii_case(b"replace") => Restore::Replace,
        Some(_) => {
            return Err(CommandError::Err(
                "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ))
        }
    };
    let codes = crate::persistence::rdb::parse_functions_payload(&c.argv[2])
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    srv.scripting
        .functions
        .restore(&codes, policy)
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

pub use crate::scripting::functions::Restore;

/// FUNCTION HELP
fn function_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    const LINES: &[&str] = &[
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.",
    ];
    super::client::reply_help(c, LINES);
    Ok(())
}
