//! Server and introspection commands: INFO, CONFIG, COMMAND, TIME, LASTSAVE, SHUTDOWN,
//! MEMORY and DEBUG (Redis's `server.c`, `config.c`, `object.c` and `debug.c` commands).

use super::docs;
use super::flags::*;
use super::key_specs::{key_flags, BeginSearch, FindKeys, KeyRef};
use super::table::container_handler;
use super::{CommandError, CommandId, CommandResult, CommandSpec, CommandTable, Keys};
use crate::config::{ApplyFailure, Config, ConfigSetError};
use crate::persistence::rdb::RdbValue;
use crate::server::client::redact;
use crate::server::info::{self, InfoRequest};
use crate::server::{Client, Server, ShutdownMode};
use crate::types::stream::StreamId;
use crate::types::{Object, SmallBytes, Value};
use crate::util::digest::{self, DatasetDigest, Digest};
use crate::util::glob::glob_match;
use crate::util::numbers::atoi;
use crate::util::numbers::{format_double, parse_i64};
use crate::util::time;

const CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "get",
        config_get,
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.0.0",
        "Returns the effective values of configuration parameters.",
    )
    .with_complexity("O(N) when N is the number of configuration parameters provided"),
    CommandSpec::new(
        "set",
        config_set,
        -4,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.0.0",
        "Sets configuration parameters in-flight.",
    )
    .with_complexity("O(N) when N is the number of configuration parameters provided"),
    CommandSpec::new(
        "resetstat",
        config_resetstat,
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.0.0",
        "Resets the server's statistics.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "rewrite",
        config_rewrite,
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.0",
        "Persists the effective configuration to file.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "help",
        config_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
    )
    .with_complexity("O(1)"),
];

const COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "count",
        command_count,
        2,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns a count of commands.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "list",
        command_list,
        -2,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "7.0.0",
        "Returns a list of command names.",
    )
    .with_complexity("O(N) where N is the total number of Redis commands"),
    CommandSpec::new(
        "info",
        command_info,
        -2,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns information about one, multiple or all commands.",
    )
    .with_complexity("O(N) where N is the number of commands to look up"),
    CommandSpec::new(
        "docs",
        command_docs,
        -2,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "7.0.0",
        "Returns documentary information about one, multiple or all commands.",
    )
    .with_complexity("O(N) where N is the number of commands to look up"),
    CommandSpec::new(
        "getkeys",
        command_getkeys,
        -4,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "2.8.13",
        "Extracts the key names from an arbitrary command.",
    )
    .with_complexity("O(N) where N is the number of arguments to the command"),
    CommandSpec::new(
        "getkeysandflags",
        command_getkeysandflags,
        -4,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "7.0.0",
        "Extracts the key names and access flags for an arbitrary command.",
    )
    .with_complexity("O(N) where N is the number of arguments to the command"),
    CommandSpec::new(
        "help",
        command_help,
        2,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
    )
    .with_complexity("O(1)"),
];

/// MEMORY USAGE's key is its second argument.
const MEMORY_USAGE_KEYS: Keys = Keys {
    first: 2,
    last: 2,
    step: 1,
};

const MEMORY_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "doctor",
        memory_doctor,
        2,
        0,
        Keys::NONE,
        "server",
        "4.0.0",
        "Outputs a memory problems report.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "malloc-stats",
        memory_malloc_stats,
        2,
        0,
        Keys::NONE,
        "server",
        "4.0.0",
        "Returns the allocator statistics.",
    )
    .with_complexity("Depends on how much memory is allocated, could be slow"),
    CommandSpec::new(
        "purge",
        memory_purge,
        2,
        0,
        Keys::NONE,
        "server",
        "4.0.0",
        "Ask the allocator to release memory",
    )
    .with_complexity("Depends on how much memory is allocated, could be slow"),
    CommandSpec::new(
        "stats",
        memory_stats,
        2,
        0,
        Keys::NONE,
        "server",
        "4.0.0",
        "Returns details about memory usage.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "usage",
        memory_usage,
        -3,
        READONLY,
        MEMORY_USAGE_KEYS,
        "server",
        "4.0.0",
        "Estimates the memory usage of a key.",
    )
    .with_complexity("O(N) where N is the number of samples."),
    CommandSpec::new(
        "help",
        memory_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "4.0.0",
        "Returns helpful text about the different subcommands.",
    )
    .with_complexity("O(1)"),
];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "info",
        info_cmd,
        -1,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "1.0.0",
        "Returns information and statistics about the server.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "config",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "server",
        "2.0.0",
        "A container for server configuration commands.",
    )
    .with_complexity("Depends on subcommand.")
    .with_subcommands(CONFIG_SUBCOMMANDS),
    CommandSpec::new(
        "command",
        command_all,
        -1,
        LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns detailed information about all commands.",
    )
    .with_complexity("O(N) where N is the total number of Redis commands")
    .with_subcommands(COMMAND_SUBCOMMANDS),
    CommandSpec::new(
        "time",
        time_cmd,
        1,
        LOADING | STALE | FAST,
        Keys::NONE,
        "server",
        "2.6.0",
        "Returns the server time.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "lastsave",
        lastsave,
        1,
        LOADING | STALE | FAST,
        Keys::NONE,
        "server",
        "1.0.0",
        "Returns the Unix timestamp of the last successful save to disk.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "shutdown",
        shutdown,
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | SENTINEL | ALLOW_BUSY,
        Keys::NONE,
        "server",
        "1.0.0",
        "Synchronously saves the database(s) to disk and shuts down the Redis server.",
    )
    .with_complexity(
        "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    ),
    CommandSpec::new(
        "memory",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "server",
        "4.0.0",
        "A container for memory diagnostics commands.",
    )
    .with_complexity("Depends on subcommand.")
    .with_subcommands(MEMORY_SUBCOMMANDS),
    CommandSpec::new(
        "debug",
        debug,
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "1.0.0",
        "A container for debugging commands.",
    )
    .with_complexity("Depends on subcommand."),
];

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Whether `arg` equals `word`, ignoring ASCII case.
fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Replies with a HELP listing as Redis's addReplyHelp: a header naming the command
/// (as the client typed it, upper-cased), `lines`, then the HELP entry.
fn reply_help(c: &mut Client, lines: &[&str]) {
    let cmd = String::from_utf8_lossy(&c.argv[0]).to_ascii_uppercase();
    c.reply.array_len(lines.len() + 3);
    c.reply.simple(&format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        cmd
    ));
    for line in lines {
        c.reply.simple(line);
    }
    c.reply.simple("HELP");
    c.reply.simple("    Prints this help.");
}

/// The error of a command that dispatches its own subcommands (DEBUG) when the
/// subcommand is unknown or has the wrong number of arguments.
pub(crate) fn subcommand_syntax_error(c: &Client) -> CommandError {
    let sub = String::from_utf8_lossy(&c.argv[1]);
    let cut: String = sub.chars().take(128).collect();
    CommandError::Raw(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        cut,
        String::from_utf8_lossy(&c.argv[0]).to_ascii_uppercase()
    ))
}

/// Writes a double reply (RESP3 double, RESP2 bulk string) formatted as Redis does.
fn reply_double(c: &mut Client, v: f64) {
    c.reply.double_text(format_double(v).as_bytes());
}

/// C's `strtod` for decimal input: the longest leading decimal number, 0 if there is
/// none or it is not finite.
fn strtod(arg: &[u8]) -> f64 {
    let start = arg.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let num: Vec<u8> = arg[start..]
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        .copied()
        .collect();
    let text = String::from_utf8_lossy(&num);
    (1..=text.len())
        .rev()
        .find_map(|n| text[..n].parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------
// INFO, TIME, LASTSAVE, SHUTDOWN
// ---------------------------------------------------------------------------------------

/// INFO [section ...]
fn info_cmd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let req = InfoRequest::parse(&c.argv[1..]);
    let text = info::generate(srv, Some(c), &req);
    c.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// TIME: [seconds, microseconds] as bulk strings.
fn time_cmd(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let us = time::now_us();
    c.reply.array_len(2);
    c.reply.bulk_int(us.div_euclid(1_000_000));
    c.reply.bulk_int(us.rem_euclid(1_000_000));
    Ok(())
}

/// LASTSAVE: Unix time of the last successful save.
fn lastsave(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(srv.lastsave);
    Ok(())
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success nothing is replied: the
/// server closes every connection and exits.
fn shutdown(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (mut save, mut nosave, mut other, mut abort) = (false, false, false, false);
    for arg in &c.argv[1..] {
        if is(arg, "nosave") {
            nosave = true;
        } else if is(arg, "save") {
            save = true;
        } else if is(arg, "now") || is(arg, "force") {
            other = true;
        } else if is(arg, "abort") {
            abort = true;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    if (abort && (save || nosave || other)) || (save && nosave) {
        return Err(CommandError::Syntax);
    }
    if abort {
        // What can still be called off: a shutdown waiting for replicas, or a SIGTERM
        // or SIGINT that arrived but that the cron has not acted on yet.
        if srv.shutdown_wait.is_some() {
            srv.cancel_shutdown_wait();
        } else if srv.take_signal() {
            srv.shutdown_request_called_off();
        } else {
            return Err(CommandError::Err("No shutdown in progress."));
        }
        log::info!("Shutdown manually aborted.");
        c.reply.ok();
        return Ok(());
    }
    // Under a script that runs too long only a shutdown without saving may stop the
    // server: the dataset is half-way through the script's changes.
    if srv.scripting.timed_out() {
        if !nosave {
            return Err(srv.scripting.busy_error());
        }
        srv.scripting.abort_for_shutdown();
        srv.shutdown = Some(ShutdownMode::NoSave);
        // This client's connection closes before the script has unwound and the loop
        // reaches the shutdown: stop accepting connections first, so that whoever
        // sees it close finds the server gone (in Redis the process exits inside this
        // command). Nothing may then call the shutdown off, as an AOF that cannot be
        // flushed would: the operator asked to kill the script without saving.
        srv.close_listeners();
        srv.shutdown_force = true;
        c.close_asap = true;
        return Ok(());
    }
    let mode = if nosave {
        ShutdownMode::NoSave
    } else if save {
        ShutdownMode::Save
    } else {
        ShutdownMode::Default
    };
    let force = c.argv[1..].iter().any(|a| is(a, "force"));
    let now = c.argv[1..].iter().any(|a| is(a, "now"));
    // Lagging replicas first get up to shutdown-timeout to catch up; this client waits
    // for the outcome (it hears back only if the shutdown fails or is aborted).
    if !now && !c.deny_blocking() && srv.begin_shutdown_wait(mode, force, Some((c.token, c.id))) {
        c.wait_blocked = true;
        return Ok(());
    }
    // Check and save now, so a failure can be answered (Redis stays up unless FORCE
    // is given): an AOF switched on whose first rewrite still runs holds nothing yet.
    let aof_initial = srv.aof.status == crate::persistence::aof::AofStatus::WaitRewrite;
    if aof_initial && !force {
        log::warn!("Writing initial AOF, can't exit.");
        log::warn!("Errors trying to shut down the server. Check the logs for more information.");
        return Err(CommandError::Err("Errors trying to SHUTDOWN. Check logs."));
    }
    if !srv.shutdown_save(mode) && !force {
        return Err(CommandError::Err("Errors trying to SHUTDOWN. Check logs."));
    }
    srv.shutdown_force = force;
    srv.shutdown = Some(ShutdownMode::NoSave);
    // Nothing after SHUTDOWN in this client's pipeline may run.
    c.close_asap = true;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------------------

/// CONFIG GET pattern [pattern ...]: a map of every matching parameter, each once.
fn config_get(srv: &mut Server, c: &mut Client) -> CommandResult {
    let patterns: Vec<&[u8]> = c.argv[2..].iter().map(|p| p.as_slice()).collect();
    let pairs = srv.config.get_many(&patterns);
    c.reply.map_len(pairs.len());
    for (name, value) in &pairs {
        c.reply.bulk(name.as_bytes());
        c.reply.bulk(value.as_bytes());
    }
    Ok(())
}

/// The parameters CONFIG SET refuses with -LOADING while a dataset loads (Redis's
/// DENY_LOADING_CONFIG): each would act on the load under way.
const DENY_WHILE_LOADING: [&[u8]; 3] = [b"appendonly", b"repl-diskless-load", b"dir"];

/// CONFIG SET name value [name value ...]: all or nothing. The config validates and
/// stores the values; the effects that live outside it (listeners, working directory,
/// log level) are applied here, and if one fails the previous config is put back.
fn config_set(srv: &mut Server, c: &mut Client) -> CommandResult {
    if !c.argc().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = c.argv[2..]
        .chunks(2)
        .map(|p| (p[0].as_slice(), p[1].as_slice()))
        .collect();
    // As in Redis, these cannot change while a dataset loads (an async load too).
    let denied_while_loading = srv.persistence.loading
        && pairs.iter().any(|(name, _)| {
            DENY_WHILE_LOADING
                .iter()
                .any(|d| name.eq_ignore_ascii_case(d))
        });
    let before = srv.config.clone();
    let result = match denied_while_loading {
        true => Ok(Vec::new()),
        false => srv.config.set_from_client(&pairs, is_local_client(c)),
    };
    // Passwords are not shown by MONITOR or SLOWLOG.
    for i in (2..c.argc()).step_by(2) {
        if crate::config::is_sensitive(&c.argv[i]) {
            redact(&mut c.argv[i + 1]);
        }
    }
    if denied_while_loading {
        return Err(CommandError::Loading);
    }
    let changed = result.map_err(|e| CommandError::Raw(e.to_string()))?;
    if let Err((name, reason)) = apply_config_changes(srv, &before, &changed) {
        srv.config = before;
        if let Err(again) = apply_config_changes(srv, &srv.config.clone(), &changed) {
            log::warn!(
                "Restoring the configuration after a failed CONFIG SET: {}",
                again.1
            );
        }
        let err = ConfigSetError::ApplyFailed {
            name: name.to_string(),
            reason,
        };
        return Err(CommandError::Raw(err.to_string()));
    }
    c.reply.ok();
    Ok(())
}

/// Puts the new values of the `changed` parameters into effect (`old` is the config
/// before the change). On failure, returns the parameter and why.
fn apply_config_changes(
    srv: &mut Server,
    old: &Config,
    changed: &[&'static str],
) -> Result<(), (&'static str, ApplyFailure)> {
    let rebind = ["port", "bind", "unixsocket", "unixsocketperm"];
    if let Some(name) = changed.iter().copied().find(|n| rebind.contains(n)) {
        if reopen_listeners(srv).is_err() {
            let reason = if name == "bind" {
                ApplyFailure::Bind
            } else {
                ApplyFailure::Listen
            };
            return Err((name, reason));
        }
    }
    if changed.contains(&"dir") && srv.config.dir != old.dir {
        std::env::set_current_dir(&srv.config.dir).map_err(|_| ("dir", ApplyFailure::Chdir))?;
    }
    if changed.contains(&"notify-keyspace-events") {
        srv.apply_notify_config();
    }
    if changed.contains(&"acl-pubsub-default") {
        srv.acl.pubsub_default_all =
            srv.config.acl_pubsub_default == crate::config::AclPubsubDefault::AllChannels;
    }
    if changed.contains(&"requirepass") {
        srv.acl_apply_requirepass();
    }
    if changed.contains(&"maxmemory") {
        // The limit is checked against a fresh total from now on: what other threads
        // allocated since the last sample (none is taken while there is no limit) counts.
        srv.memory_gauge.resample();
        srv.set_expand_budgets();
        let limit = srv.config.maxmemory;
        let used = srv.memory_for_eviction();
        if limit != 0 && limit < used {
            log::warn!(
                "WARNING: the new maxmemory value set via CONFIG SET ({limit}) is smaller than \
                 the current memory usage ({used}). This will result in key eviction and/or \
                 the inability to accept new write commands depending on the \
                 maxmemory-policy."
            );
        }
        // As Redis's startEvictionTimeProc: a lowered limit is enforced by a pass
        // before the loop sleeps, not left for the next command.
        srv.evictor.start();
    }
    if changed.contains(&"maxmemory-clients") {
        // Measure every client now (or stop measuring them): the new limit applies
        // before the next command.
        srv.track_all_clients();
    }
    if changed.contains(&"repl-backlog-size") {
        srv.repl_apply_backlog_size();
    }
    if changed.contains(&"loglevel") {
        log::set_max_level(srv.config.loglevel.to_level_filter());
    }
    let oom = ["oom-score-adj", "oom-score-adj-values"];
    if let Some(name) = changed.iter().copied().find(|n| oom.contains(n)) {
        srv.apply_oom_score_adj()
            .map_err(|_| (name, ApplyFailure::OomScoreAdj))?;
    }
    if changed.contains(&"appendonly") && srv.aof_apply_config().is_err() {
        return Err(("appendonly", ApplyFailure::AppendOnly));
    }
    Ok(())
}

/// Closes every listener and opens the configured ones again (none are left open if
/// that fails).
fn reopen_listeners(srv: &mut Server) -> Result<(), crate::server::StartError> {
    srv.close_listeners();
    srv.ready_addr.clear();
    let result = srv.open_listeners();
    if let Err(e) = &result {
        log::warn!("CONFIG SET could not open the listeners: {e}");
        srv.close_listeners();
        srv.ready_addr.clear();
    }
    result
}

/// CONFIG RESETSTAT: zeroes the statistics INFO reports.
fn config_resetstat(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.stats.reset();
    srv.repl.stats = Default::default();
    for st in srv.cmd_stats.iter_mut() {
        *st = Default::default();
    }
    for db in srv.dbs.iter_mut() {
        db.expired_count = 0;
    }
    info::reset_peak_memory();
    crate::server::bio::reset_lazyfreed_objects();
    c.reply.ok();
    Ok(())
}

/// CONFIG REWRITE: writes the running configuration back to the config file.
fn config_rewrite(srv: &mut Server, c: &mut Client) -> CommandResult {
    rewrite_config_file(srv, c, false)
}

/// CONFIG REWRITE, or with `force_all` DEBUG CONFIG-REWRITE-FORCE-ALL (every directive
/// written, those at their default too).
fn rewrite_config_file(srv: &mut Server, c: &mut Client, force_all: bool) -> CommandResult {
    // The master we replicate is run-time state (REPLICAOF, FAILOVER): the file gets
    // the current one, so a restart comes back as the same replica (or as a master).
    srv.config.replicaof = srv
        .repl
        .replica
        .as_ref()
        .map(|side| (side.host.clone(), side.port));
    match srv
        .config
        .rewrite_file(srv.acl_config_lines().as_deref(), force_all)
    {
        Ok(()) => {
            log::info!("CONFIG REWRITE executed with success.");
            c.reply.ok();
            Ok(())
        }
        Err(e) => {
            log::warn!("CONFIG REWRITE failed: {e}");
            Err(CommandError::Raw(e.to_string()))
        }
    }
}

/// CONFIG HELP
fn config_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------------

/// ACL categories in the order Redis lists them (COMMAND INFO prints them in this order).
pub const ACL_CATEGORIES: [&str; 21] = [
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// Bit of an ACL category in a category mask.
fn cat(name: &str) -> u32 {
    ACL_CATEGORIES
        .iter()
        .position(|c| *c == name)
        .map_or(0, |i| 1 << i)
}

/// Commands whose declared categories differ from their group's (Redis declares these
/// one by one in its command table).
const DECLARED_CATEGORIES: &[(&str, &[&str])] = &[
    ("command", &["connection"]),
    ("dbsize", &["keyspace"]),
    ("flushall", &["keyspace", "dangerous"]),
    ("flushdb", &["keyspace", "dangerous"]),
    ("swapdb", &["keyspace", "dangerous"]),
    ("info", &["dangerous"]),
    ("keys", &["keyspace", "dangerous"]),
    ("migrate", &["keyspace", "dangerous"]),
    ("restore", &["keyspace", "dangerous"]),
    ("restore-asking", &["keyspace", "dangerous"]),
    ("lastsave", &["admin", "dangerous"]),
    ("role", &["admin", "dangerous"]),
    ("sort", &["set", "sortedset", "list", "dangerous"]),
    ("sort_ro", &["set", "sortedset", "list", "dangerous"]),
    ("wait", &["connection"]),
    ("asking", &["connection"]),
    ("readonly", &["connection"]),
    ("readwrite", &["connection"]),
];

/// The category every command of a doc group belongs to.
fn group_category(group: &str) -> u32 {
    match group {
        "generic" => cat("keyspace"),
        "string" => cat("string"),
        "list" => cat("list"),
        "set" => cat("set"),
        "sorted_set" | "sorted-set" => cat("sortedset"),
        "hash" => cat("hash"),
        "connection" => cat("connection"),
        "transactions" => cat("transaction"),
        "scripting" => cat("scripting"),
        "hyperloglog" => cat("hyperloglog"),
        "geo" => cat("geo"),
        "stream" => cat("stream"),
        "bitmap" => cat("bitmap"),
        _ => 0,
    }
}

/// The ACL category mask of command `id`: its declared categories (or its group's; a
/// container row has none of its own), plus those its flags imply, as Redis's
/// setImplicitACLCategories.
pub fn acl_category_mask(table: &CommandTable, id: CommandId) -> u32 {
    let spec = table.spec(id);
    let top = match table.parent[id] {
        Some(p) => table.spec(p).name,
        None => spec.name,
    };
    let declared = DECLARED_CATEGORIES
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, cats)| cats.iter().fold(0, |m, c| m | cat(c)));
    let mut mask = match declared {
        Some(m) => m,
        None if !spec.subcommands.is_empty() => 0,
        None => group_category(spec.group),
    };
    if spec.has_flag(WRITE) {
        mask |= cat("write");
    }
    if spec.has_flag(READONLY) && mask & cat("scripting") == 0 {
        mask |= cat("read");
    }
    if spec.has_flag(ADMIN) {
        mask |= cat("admin") | cat("dangerous");
    }
    if spec.has_flag(PUBSUB) {
        mask |= cat("pubsub");
    }
    if spec.has_flag(FAST) {
        mask |= cat("fast");
    }
    if spec.has_flag(BLOCKING) {
        mask |= cat("blocking");
    }
    if mask & cat("fast") == 0 {
        mask |= cat("slow");
    }
    mask
}

/// The ACL categories of command `id`, without the `@`, in Redis's order.
pub fn acl_categories(table: &CommandTable, id: CommandId) -> Vec<&'static str> {
    let mask = acl_category_mask(table, id);
    ACL_CATEGORIES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, c)| *c)
        .collect()
}

/// Flag names COMMAND INFO prints (Redis hides may_replicate and sentinel).
fn visible_flags(flags: u32) -> Vec<&'static str> {
    super::flags::NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0 && *bit & (MAY_REPLICATE | SENTINEL) == 0)
        .map(|(_, name)| *name)
        .collect()
}

/// Looks a command up by its full name ("get", "config|get"), ignoring case.
fn lookup_full_name(table: &CommandTable, name: &[u8]) -> Option<CommandId> {
    match name.iter().position(|&b| b == b'|') {
        None => table.lookup(name),
        Some(i) => {
            let parent = table.lookup(&name[..i])?;
            table.lookup_sub(parent, &name[i + 1..])
        }
    }
}

/// Writes the key specs of command `id` (COMMAND INFO's tenth field).
fn reply_key_specs(c: &mut Client, table: &CommandTable, id: CommandId) {
    let specs = &table.key_info[id].specs;
    c.reply.set_len(specs.len());
    for s in specs {
        c.reply.map_len(3 + usize::from(!s.notes.is_empty()));
        if !s.notes.is_empty() {
            c.reply.bulk(b"notes");
            c.reply.bulk(s.notes.as_bytes());
        }
        c.reply.bulk(b"flags");
        reply_key_flags(c, s.flags);
        c.reply.bulk(b"begin_search");
        reply_begin_search(c, s.begin);
        c.reply.bulk(b"find_keys");
        reply_find_keys(c, s.find);
    }
}

/// Writes a set of key flag names (RO, access...).
fn reply_key_flags(c: &mut Client, flags: u32) {
    let names: Vec<&str> = key_flags::names(flags).collect();
    c.reply.set_len(names.len());
    for name in names {
        c.reply.simple(name);
    }
}

/// Writes a `type` / `spec` map whose spec holds `fields`.
fn reply_typed_spec(c: &mut Client, kind: &str, fields: &[(&str, KeySpecField)]) {
    c.reply.map_len(2);
    c.reply.bulk(b"type");
    c.reply.bulk(kind.as_bytes());
    c.reply.bulk(b"spec");
    c.reply.map_len(fields.len());
    for (name, value) in fields {
        c.reply.bulk(name.as_bytes());
        match value {
            KeySpecField::Int(n) => c.reply.int(i64::from(*n)),
            KeySpecField::Text(t) => c.reply.bulk(t.as_bytes()),
        }
    }
}

/// A value inside a key spec's `spec` map.
enum KeySpecField {
    Int(i32),
    Text(&'static str),
}

/// Writes a key spec's begin_search map.
fn reply_begin_search(c: &mut Client, begin: BeginSearch) {
    use KeySpecField::*;
    match begin {
        BeginSearch::Unknown => reply_typed_spec(c, "unknown", &[]),
        BeginSearch::Index(pos) => reply_typed_spec(c, "index", &[("index", Int(pos))]),
        BeginSearch::Keyword { keyword, startfrom } => reply_typed_spec(
            c,
            "keyword",
            &[("keyword", Text(keyword)), ("startfrom", Int(startfrom))],
        ),
    }
}

/// Writes a key spec's find_keys map.
fn reply_find_keys(c: &mut Client, find: FindKeys) {
    use KeySpecField::*;
    match find {
        FindKeys::Unknown => reply_typed_spec(c, "unknown", &[]),
        FindKeys::Range {
            lastkey,
            keystep,
            limit,
        } => reply_typed_spec(
            c,
            "range",
            &[
                ("lastkey", Int(lastkey)),
                ("keystep", Int(keystep)),
                ("limit", Int(limit)),
            ],
        ),
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => reply_typed_spec(
            c,
            "keynum",
            &[
                ("keynumidx", Int(keynumidx)),
                ("firstkey", Int(firstkey)),
                ("keystep", Int(keystep)),
            ],
        ),
    }
}

/// Writes the COMMAND INFO entry of `id`: [name, arity, flags, first, last, step,
/// categories, tips, key specs, subcommands].
fn reply_command_info(c: &mut Client, table: &CommandTable, id: CommandId) {
    let spec = table.spec(id);
    c.reply.array_len(10);
    c.reply.bulk(table.full_names[id].as_bytes());
    c.reply.int(spec.arity as i64);
    let info = &table.key_info[id];
    let movable = if info.movable { MOVABLE_KEYS } else { 0 };
    let flags = visible_flags(spec.flags | movable);
    c.reply.set_len(flags.len());
    for f in flags {
        c.reply.simple(f);
    }
    let (first, last, step) = if info.legacy.first > 0 {
        (info.legacy.first, info.legacy.last, info.legacy.step)
    } else {
        (0, 0, 0)
    };
    c.reply.int(first as i64);
    c.reply.int(last as i64);
    c.reply.int(step as i64);
    let cats = acl_categories(table, id);
    c.reply.set_len(cats.len());
    for cat in cats {
        c.reply.simple(&format!("@{}", cat));
    }
    c.reply.set_len(info.tips.len());
    for tip in info.tips {
        c.reply.bulk(tip.as_bytes());
    }
    reply_key_specs(c, table, id);
    let subs: Vec<CommandId> = table.subcommands_of(id).collect();
    if subs.is_empty() {
        c.reply.set_len(0);
    } else {
        c.reply.array_len(subs.len());
        for sub in subs {
            reply_command_info(c, table, sub);
        }
    }
}

/// The group name COMMAND DOCS prints.
fn doc_group(group: &str) -> &str {
    if group == "sorted_set" {
        "sorted-set"
    } else {
        group
    }
}

/// Writes the COMMAND DOCS map of `id` in Redis's field order: summary, since, group,
/// complexity, doc flags, deprecation, arguments and the subcommands' docs keyed by
/// full name (redis-cli builds its help and hints from these). Redis's prose fields
/// (history, replaced_by) are left out.
fn reply_command_docs(c: &mut Client, table: &CommandTable, id: CommandId) {
    let spec = table.spec(id);
    let name = table.full_names[id].as_str();
    let subs: Vec<CommandId> = table.subcommands_of(id).collect();
    let arguments = &table.arguments[id];
    let doc_flags = docs::doc_flags(name);
    let deprecated_since = docs::deprecated_since(name);
    let fields = 3
        + usize::from(!spec.complexity.is_empty())
        + usize::from(!doc_flags.is_empty())
        + usize::from(deprecated_since.is_some())
        + usize::from(!arguments.is_empty())
        + usize::from(!subs.is_empty());
    c.reply.map_len(fields);
    c.reply.bulk(b"summary");
    c.reply.bulk(spec.summary.as_bytes());
    c.reply.bulk(b"since");
    c.reply.bulk(spec.since.as_bytes());
    c.reply.bulk(b"group");
    c.reply.bulk(doc_group(spec.group).as_bytes());
    if !spec.complexity.is_empty() {
        c.reply.bulk(b"complexity");
        c.reply.bulk(spec.complexity.as_bytes());
    }
    if !doc_flags.is_empty() {
        c.reply.bulk(b"doc_flags");
        c.reply.set_len(doc_flags.len());
        for flag in doc_flags {
            c.reply.simple(flag);
        }
    }
    if let Some(version) = deprecated_since {
        c.reply.bulk(b"deprecated_since");
        c.reply.bulk(version.as_bytes());
    }
    if !arguments.is_empty() {
        c.reply.bulk(b"arguments");
        docs::reply_arguments(&mut c.reply, arguments);
    }
    if !subs.is_empty() {
        c.reply.bulk(b"subcommands");
        c.reply.map_len(subs.len());
        for sub in subs {
            c.reply.bulk(table.full_names[sub].as_bytes());
            reply_command_docs(c, table, sub);
        }
    }
}

/// COMMAND (no subcommand): the COMMAND INFO entry of every command.
fn command_all(srv: &mut Server, c: &mut Client) -> CommandResult {
    let table = &srv.commands;
    let ids: Vec<CommandId> = table.top_level().collect();
    c.reply.array_len(ids.len());
    for id in ids {
        reply_command_info(c, table, id);
    }
    Ok(())
}

/// COMMAND COUNT: the number of top-level commands.
fn command_count(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(srv.commands.top_level().count() as i64);
    Ok(())
}

/// A COMMAND LIST filter.
enum ListFilter {
    Module,
    AclCat(u32),
    Pattern(Vec<u8>),
}

impl ListFilter {
    fn keeps(&self, table: &CommandTable, id: CommandId) -> bool {
        match self {
            // No modules can be loaded, so no command belongs to one.
            ListFilter::Module => false,
            ListFilter::AclCat(mask) => *mask != 0 && acl_category_mask(table, id) & mask != 0,
            ListFilter::Pattern(p) => glob_match(p, table.full_names[id].as_bytes(), true),
        }
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
fn command_list(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut filter = None;
    let mut i = 2;
    while i < c.argc() {
        if !(is(&c.argv[i], "filterby") && c.argc() - 1 - i == 2) {
            return Err(CommandError::Syntax);
        }
        let kind = &c.argv[i + 1];
        let arg = &c.argv[i + 2];
        filter = Some(if is(kind, "module") {
            ListFilter::Module
        } else if is(kind, "aclcat") {
            let name = String::from_utf8_lossy(arg).to_ascii_lowercase();
            ListFilter::AclCat(cat(&name))
        } else if is(kind, "pattern") {
            ListFilter::Pattern(arg.clone())
        } else {
            return Err(CommandError::Syntax);
        });
        i += 3;
    }
    let table = &srv.commands;
    let names: Vec<&String> = (0..table.len())
        .filter(|&id| filter.as_ref().is_none_or(|f| f.keeps(table, id)))
        .map(|id| &table.full_names[id])
        .collect();
    c.reply.array_len(names.len());
    for name in names {
        c.reply.bulk(name.as_bytes());
    }
    Ok(())
}

/// COMMAND INFO [name ...]: one entry per name (null for unknown ones); every command
/// when no name is given.
fn command_info(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() == 2 {
        return command_all(srv, c);
    }
    let table = &srv.commands;
    c.reply.array_len(c.argc() - 2);
    for i in 2..c.argc() {
        match lookup_full_name(table, &c.argv[i]) {
            Some(id) => reply_command_info(c, table, id),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// COMMAND DOCS [name ...]: a map of name -> docs; unknown names are left out.
fn command_docs(srv: &mut Server, c: &mut Client) -> CommandResult {
    let table = &srv.commands;
    let ids: Vec<CommandId> = if c.argc() == 2 {
        table.top_level().collect()
    } else {
        c.argv[2..]
            .iter()
            .filter_map(|name| lookup_full_name(table, name))
            .collect()
    };
    c.reply.map_len(ids.len());
    for id in ids {
        c.reply.bulk(table.full_names[id].as_bytes());
        reply_command_docs(c, table, id);
    }
    Ok(())
}

/// Finds the keys of the command in `c.argv[2..]` as COMMAND GETKEYS does: the keys
/// (argv positions relative to that command, with their key flags), or Redis's error.
fn keys_of_embedded_command(
    table: &CommandTable,
    argv: &[Vec<u8>],
) -> Result<Vec<KeyRef>, CommandError> {
    let mut id = table
        .lookup(&argv[0])
        .ok_or(CommandError::Err("Invalid command specified"))?;
    if argv.len() > 1 && !table.spec(id).subcommands.is_empty() {
        id = table
            .lookup_sub(id, &argv[1])
            .ok_or(CommandError::Err("Invalid command specified"))?;
    }
    let spec = table.spec(id);
    if !table.key_info[id].has_keys() {
        return Err(CommandError::Err("The command has no key arguments"));
    }
    let argc = argv.len();
    if (spec.arity > 0 && spec.arity as usize != argc) || (argc as i64) < -(spec.arity as i64) {
        return Err(CommandError::Err(
            "Invalid number of arguments specified for command",
        ));
    }
    let keys = table.get_keys(id, argv);
    if keys.is_empty() && !spec.has_flag(NO_MANDATORY_KEYS) {
        return Err(CommandError::Err("Invalid arguments specified for command"));
    }
    Ok(keys)
}

/// COMMAND GETKEYS command [arg ...]
fn command_getkeys(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = keys_of_embedded_command(&srv.commands, &c.argv[2..])?;
    c.reply.array_len(keys.len());
    for k in keys {
        c.reply.bulk(&c.argv[2 + k.pos]);
    }
    Ok(())
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]: [[key, [flags]], ...]
fn command_getkeysandflags(srv: &mut Server, c: &mut Client) -> CommandResult {
    let keys = keys_of_embedded_command(&srv.commands, &c.argv[2..])?;
    c.reply.array_len(keys.len());
    for k in keys {
        c.reply.array_len(2);
        c.reply.bulk(&c.argv[2 + k.pos]);
        reply_key_flags(c, k.flags);
    }
    Ok(())
}

/// COMMAND HELP
fn command_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// MEMORY
// ---------------------------------------------------------------------------------------

/// Bytes a key costs beyond its value's own heap: its dict node (key, object, chain
/// link) and the bucket slot pointing at it.
const ENTRY_OVERHEAD: usize = std::mem::size_of::<SmallBytes>()
    + std::mem::size_of::<Object>()
    + 2 * std::mem::size_of::<usize>();

/// Estimated bytes used by a key and its value.
pub fn key_memory_usage(key: &SmallBytes, obj: &Object) -> usize {
    ENTRY_OVERHEAD + key.heap_size() + obj.value.heap_size()
}

/// MEMORY USAGE key [SAMPLES count]
fn memory_usage(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut i = 3;
    while i < c.argc() {
        if is(&c.argv[i], "samples") && i + 1 < c.argc() {
            let n = parse_i64(&c.argv[i + 1]).ok_or(CommandError::NotInteger)?;
            if n < 0 {
                return Err(CommandError::Syntax);
            }
            // Values are measured whole, so the sample count changes nothing.
            i += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    // As Redis, this looks at the dict directly: a logically expired key still counts.
    match srv.dbs[c.db].dict.get_key_value(&c.argv[2]) {
        Some((key, obj)) => c.reply.int(key_memory_usage(key, obj) as i64),
        None => c.reply.null(),
    }
    Ok(())
}

/// MEMORY STATS: the memory breakdown as a map, with Redis's field names.
fn memory_stats(srv: &mut Server, c: &mut Client) -> CommandResult {
    let m = info::memory_report(srv, Some(c));
    let dbs: Vec<(usize, u64, u64)> = srv
        .dbs
        .iter()
        .enumerate()
        .filter(|(_, db)| !db.is_empty())
        .map(|(i, db)| {
            (
                i,
                db.dict.mem_overhead() as u64,
                db.expires.mem_overhead() as u64,
            )
        })
        .collect();
    let net = m.used.saturating_sub(m.startup);
    let per_key = net.checked_div(m.keys).unwrap_or(0);
    c.reply.map_len(27 + dbs.len());
    let ints: [(&str, i64); 10] = [
        ("peak.allocated", m.peak as i64),
        ("total.allocated", m.used as i64),
        ("startup.allocated", m.startup as i64),
        ("replication.backlog", m.repl_backlog as i64),
        ("clients.slaves", m.clients_slaves as i64),
        ("clients.normal", m.clients_normal as i64),
        ("cluster.links", 0),
        ("aof.buffer", srv.aof.buf.capacity() as i64),
        ("lua.caches", 0),
        ("functions.caches", 0),
    ];
    for (name, v) in ints {
        c.reply.bulk(name.as_bytes());
        c.reply.int(v);
    }
    for (i, main, expires) in dbs {
        c.reply.bulk(format!("db.{}", i).as_bytes());
        c.reply.map_len(3);
        c.reply.bulk(b"overhead.hashtable.main");
        c.reply.int(main as i64);
        c.reply.bulk(b"overhead.hashtable.expires");
        c.reply.int(expires as i64);
        c.reply.bulk(b"overhead.hashtable.slot-to-keys");
        c.reply.int(0);
    }
    let pairs: [(&str, Stat); 17] = [
        ("overhead.total", Stat::Int(m.overhead() as i64)),
        ("keys.count", Stat::Int(m.keys as i64)),
        ("keys.bytes-per-key", Stat::Int(per_key as i64)),
        ("dataset.bytes", Stat::Int(m.dataset() as i64)),
        ("dataset.percentage", Stat::Double(m.dataset_perc())),
        ("peak.percentage", Stat::Double(m.peak_perc())),
        (
            "allocator.allocated",
            Stat::Int(m.allocator_allocated as i64),
        ),
        ("allocator.active", Stat::Int(m.allocator_active as i64)),
        ("allocator.resident", Stat::Int(m.allocator_resident as i64)),
        (
            "allocator-fragmentation.ratio",
            Stat::Double(m.allocator_frag()),
        ),
        (
            "allocator-fragmentation.bytes",
            Stat::Int(info::diff(m.allocator_active, m.allocator_allocated)),
        ),
        ("allocator-rss.ratio", Stat::Double(m.allocator_rss())),
        (
            "allocator-rss.bytes",
            Stat::Int(info::diff(m.allocator_resident, m.allocator_active)),
        ),
        ("rss-overhead.ratio", Stat::Double(m.rss_extra())),
        (
            "rss-overhead.bytes",
            Stat::Int(info::diff(m.rss, m.allocator_resident)),
        ),
        ("fragmentation", Stat::Double(m.total_frag())),
        ("fragmentation.bytes", Stat::Int(info::diff(m.rss, m.used))),
    ];
    for (name, v) in pairs {
        c.reply.bulk(name.as_bytes());
        match v {
            Stat::Int(n) => c.reply.int(n),
            Stat::Double(d) => reply_double(c, d),
        }
    }
    Ok(())
}

/// A MEMORY STATS value.
enum Stat {
    Int(i64),
    Double(f64),
}

/// MEMORY DOCTOR: a short human report on memory problems.
fn memory_doctor(srv: &mut Server, c: &mut Client) -> CommandResult {
    let report = doctor_report(&info::memory_report(srv, Some(c)), srv.client_count());
    c.reply.verbatim(b"txt", report.as_bytes());
    Ok(())
}

/// The text of MEMORY DOCTOR for the measurements `m` with `clients` connected: one
/// paragraph per condition Redis's doctor checks, in our own words.
fn doctor_report(m: &info::MemoryReport, clients: usize) -> String {
    const MB10: i64 = 10 << 20;
    if m.used < 5 * 1024 * 1024 {
        return "The dataset is empty or very small: there is nothing to diagnose yet.\n"
            .to_string();
    }
    let mut issues: Vec<&str> = Vec::new();
    if m.peak as f64 / m.used as f64 > 1.5 {
        issues.push(" * Peak memory: usage was once more than 1.5 times what it is now. The allocator keeps freed pages for reuse, so RSS stays high until new data fills them; restart the server to return them at once.\n\n");
    }
    if m.total_frag() > 1.4 && info::diff(m.rss, m.used) > MB10 {
        issues.push(" * High total RSS: the process's resident memory exceeds its logical allocations by more than 40%, from a past peak or from a workload that fragments the allocator.\n\n");
    }
    if m.allocator_frag() > 1.1 && info::diff(m.allocator_active, m.allocator_allocated) > MB10 {
        issues.push(" * High allocator fragmentation: active allocator pages exceed allocations by more than 10%.\n\n");
    }
    if m.allocator_rss() > 1.1 && info::diff(m.allocator_resident, m.allocator_active) > MB10 {
        issues.push(" * High allocator RSS overhead: the allocator holds more than 10% resident memory beyond its active pages, usually after a peak.\n\n");
    }
    if m.rss_extra() > 1.1 && info::diff(m.rss, m.allocator_resident) > MB10 {
        issues.push(" * High process RSS overhead: memory outside the allocator exceeds 10% of what the allocator holds.\n\n");
    }
    if clients > 0 && m.clients_normal / clients as u64 > 200 * 1024 {
        issues.push(" * Big client buffers: clients hold more than 200 KB of buffers each on average (slow readers or very large pipelines); CLIENT LIST shows which.\n\n");
    }
    if issues.is_empty() {
        return "No memory issue found.\n".to_string();
    }
    let mut s = String::from("Memory issues found:\n\n");
    for issue in issues {
        s.push_str(issue);
    }
    s
}

/// MEMORY MALLOC-STATS: jemalloc's global counters, in the layout of the summary lines
/// of its statistics report.
fn memory_malloc_stats(_srv: &mut Server, c: &mut Client) -> CommandResult {
    use tikv_jemalloc_ctl::{epoch, stats, version};
    let _ = epoch::advance();
    let text = format!(
        "___ Begin jemalloc statistics ___\nVersion: \"{}\"\nAllocated: {}, active: {}, metadata: {}, resident: {}, mapped: {}, retained: {}\n--- End jemalloc statistics ---\n",
        version::read().unwrap_or("unknown"),
        stats::allocated::read().unwrap_or(0),
        stats::active::read().unwrap_or(0),
        stats::metadata::read().unwrap_or(0),
        stats::resident::read().unwrap_or(0),
        stats::mapped::read().unwrap_or(0),
        stats::retained::read().unwrap_or(0),
    );
    c.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// MEMORY PURGE: jemalloc gives the dirty pages of every arena back to the system.
fn memory_purge(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let narenas = tikv_jemalloc_ctl::arenas::narenas::read()
        .map_err(|_| CommandError::Err("Error purging dirty pages"))?;
    // "arena.<MALLCTL_ARENAS_ALL>.purge", where MALLCTL_ARENAS_ALL is narenas itself.
    let name = std::ffi::CString::new(format!("arena.{narenas}.purge")).expect("no NUL");
    // SAFETY: `name` is a NUL-terminated string that outlives the call, and this
    // mallctl takes no old or new value: the null pointers and zero length say so,
    // which is what jemalloc requires of "arena.<i>.purge".
    let rc = unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return Err(CommandError::Err("Error purging dirty pages"));
    }
    c.reply.ok();
    Ok(())
}

/// MEMORY HELP
fn memory_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------------------

/// Whether the client connects from this machine (loopback or unix socket).
fn is_local_client(c: &Client) -> bool {
    c.conn.is_unix()
        || c.addr
            .parse::<std::net::SocketAddr>()
            .is_ok_and(|a| a.ip().is_loopback())
}

/// The refusal of DEBUG when `enable-debug-command` does not allow the client.
const DEBUG_NOT_ALLOWED: &str = "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// The refusal of MODULE LOAD, LOADEX and UNLOAD when `enable-module-command` does not
/// allow the client.
const MODULE_NOT_ALLOWED: &str = "MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// Whether the protected-command option `option` ("no", "yes" or "local") lets this
/// client run the commands it guards (allowed when the config does not know it).
fn protected_allowed(srv: &Server, c: &Client, option: &str) -> bool {
    match srv.config.get(option).as_deref() {
        Some("no") => false,
        Some("local") => is_local_client(c),
        _ => true,
    }
}

/// Redis's refusal of command `id` if it is protected (DEBUG; MODULE LOAD, LOADEX and
/// UNLOAD) and its option does not allow this client; checked before the command is
/// run or queued in MULTI, and before authentication, as Redis does.
pub(crate) fn protected_refusal(srv: &Server, c: &Client, id: CommandId) -> Option<&'static str> {
    let (option, refusal) = match srv.commands.full_names[id].as_str() {
        "debug" => ("enable-debug-command", DEBUG_NOT_ALLOWED),
        "module|load" | "module|loadex" | "module|unload" => {
            ("enable-module-command", MODULE_NOT_ALLOWED)
        }
        _ => return None,
    };
    (!protected_allowed(srv, c, option)).then_some(refusal)
}

/// DEBUG subcommand [arg ...]
fn debug(srv: &mut Server, c: &mut Client) -> CommandResult {
    if !protected_allowed(srv, c, "enable-debug-command") {
        return Err(CommandError::Err(DEBUG_NOT_ALLOWED));
    }
    let sub = String::from_utf8_lossy(&c.argv[1]).to_ascii_lowercase();
    let argc = c.argc();
    match (sub.as_str(), argc) {
        ("help", 2) => debug_help(c),
        ("sleep", 3) => debug_sleep(c),
        ("object", 3) => debug_object(srv, c),
        ("pause-cron", 3) => {
            srv.cron_paused = atoi(&c.argv[2]) != 0;
            c.reply.ok();
            Ok(())
        }
        ("replybuffer", 4) if c.argv[2].eq_ignore_ascii_case(b"resizing") => {
            srv.reply_buffer_resizing = atoi(&c.argv[3]) != 0;
            c.reply.ok();
            Ok(())
        }
        ("set-disable-deny-scripts", 3) => {
            srv.scripting.allow_noscript_commands = atoi(&c.argv[2]) != 0;
            c.reply.ok();
            Ok(())
        }
        ("set-active-expire", 3) => {
            srv.active_expire_enabled = atoi(&c.argv[2]) != 0;
            c.reply.ok();
            Ok(())
        }
        ("set-skip-checksum-validation", 3) => {
            srv.skip_checksum_validation = atoi(&c.argv[2]) != 0;
            c.reply.ok();
            Ok(())
        }
        ("segfault", 2) => {
            log::warn!("DEBUG SEGFAULT: crashing on purpose");
            // SAFETY: raising a signal is always sound; SIGSEGV ends the process through
            // the crash report handler (or the default action), which is what is asked.
            unsafe {
                libc::raise(libc::SIGSEGV);
            }
            Ok(())
        }
        ("panic", 2) => panic!("DEBUG PANIC called at Unix time {}", srv.now_ms / 1000),
        ("aof-flush-sleep", 3) => {
            srv.aof.flush_sleep_us = u64::try_from(atoi(&c.argv[2])).unwrap_or(0);
            c.reply.ok();
            Ok(())
        }
        ("replicate", 3..) => {
            // Straight into the replication stream, in the database it last selected,
            // without running it here: a test's way to make a replica diverge.
            let db = usize::try_from(srv.repl.slaveseldb).unwrap_or(c.db);
            srv.repl_feed(db, &c.argv[2..]);
            c.reply.ok();
            Ok(())
        }
        ("populate", 3..=5) => debug_populate(srv, c),
        ("digest", 2) => debug_digest(srv, c),
        ("reload", _) => super::persistence_cmds::debug_reload(srv, c),
        ("loadaof", 2) => super::persistence_cmds::debug_loadaof(srv, c),
        ("config-rewrite-force-all", 2) => rewrite_config_file(srv, c, true),
        ("digest-value", _) => debug_digest_value(srv, c),
        ("log", 3) => {
            log::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&c.argv[2]));
            c.reply.ok();
            Ok(())
        }
        ("error", 3) => {
            // Sent as is (not counted in errorstats), as Redis does.
            let text = String::from_utf8_lossy(&c.argv[2]).into_owned();
            c.reply.error_text(&text);
            Ok(())
        }
        ("protocol", 3) => debug_protocol(c),
        ("htstats", 3) => super::debug_internals::htstats(srv, c),
        ("htstats-key", 3) => super::debug_internals::htstats_key(srv, c),
        ("quicklist-packed-threshold", 3) => super::debug_internals::quicklist_packed_threshold(c),
        _ => Err(subcommand_syntax_error(c)),
    }
}

/// DEBUG HELP: the subcommands implemented here.
fn debug_help(c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "AOF-FLUSH-SLEEP <microsec>",
            "    Sleep this long before each write of the AOF buffer (0 turns it off).",
            "CONFIG-REWRITE-FORCE-ALL",
            "    CONFIG REWRITE that writes every directive, those at their default too.",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "HTSTATS <dbid>",
            "    Chain statistics of the key and expiry hash tables of database <dbid>.",
            "HTSTATS-KEY <key>",
            "    Chain statistics of the hash table inside the value at <key>.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "PAUSE-CRON <0|1>",
            "    Stop periodic cron job processing.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    List elements of at least <size> bytes get a node of their own.",
            "    1gb by default; up to just under 4gb; 0 restores the default.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, and",
            "      conflicting keys make the reload fail unless MERGE is given.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "PANIC",
            "    Stop the server with a panic (its report and stack trace go to the log).",
            "REPLICATE <string>",
            "    Sends the command to the replicas without running it here (they diverge).",
            "REPLYBUFFER RESIZING <0|1>",
            "    Enable or disable the shrinking of idle clients' reply buffers by the cron.",
            "SET-DISABLE-DENY-SCRIPTS <0|1>",
            "    Setting it to 1 lets scripts call the commands normally refused to them.",
            "SEGFAULT",
            "    Crash the server with SIGSEGV (its report and stack trace go to the log).",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
            "    Setting it to 1 makes RESTORE accept payloads whose checksum is wrong.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    );
    Ok(())
}

/// DEBUG SLEEP seconds: blocks the whole server (decimals allowed).
fn debug_sleep(c: &mut Client) -> CommandResult {
    let secs = strtod(&c.argv[2]);
    let us = (secs * 1_000_000.0) as i64;
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us as u64));
    }
    c.reply.ok();
    Ok(())
}

/// Bytes of an RDB length prefix for `len`.
fn rdb_len_size(len: usize) -> usize {
    if len < 1 << 6 {
        1
    } else if len < 1 << 14 {
        2
    } else if len <= u32::MAX as usize {
        5
    } else {
        9
    }
}

/// Bytes a string takes in an RDB file: an integer encoding when it is a small integer,
/// LZF-compressed when that saves space (strings over 20 bytes), raw otherwise.
fn rdb_string_len(s: &[u8]) -> usize {
    if s.len() <= 11 {
        if let Some(n) = crate::types::value::canonical_i64(s) {
            if i8::try_from(n).is_ok() {
                return 2;
            }
            if i16::try_from(n).is_ok() {
                return 3;
            }
            if i32::try_from(n).is_ok() {
                return 5;
            }
        }
    }
    if s.len() > 20 {
        if let Ok(compressed) = lzf::compress(s) {
            if compressed.len() + 4 <= s.len() {
                return 1
                    + rdb_len_size(compressed.len())
                    + rdb_len_size(s.len())
                    + compressed.len();
            }
        }
    }
    rdb_len_size(s.len()) + s.len()
}

/// Redis's shared-integer refcount: small integers are shared objects there.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// DEBUG OBJECT key: Redis's one-line description of the value.
fn debug_object(srv: &mut Server, c: &mut Client) -> CommandResult {
    let now = srv.now_ms;
    let Some(obj) = srv.dbs[c.db].dict.get(&c.argv[2]) else {
        return Err(CommandError::NoSuchKey);
    };
    let bytes = obj.value.to_string_vec();
    let serialized = bytes
        .as_deref()
        .map_or(obj.value.heap_size(), rdb_string_len);
    let refcount = match bytes
        .as_deref()
        .and_then(crate::types::value::canonical_i64)
    {
        Some(n) if obj.value.encoding_name() == "int" && (0..10_000).contains(&n) => {
            SHARED_REFCOUNT
        }
        _ => 1,
    };
    let line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
        obj as *const Object,
        refcount,
        obj.value.encoding_name(),
        serialized,
        obj.lru,
        time::idle_seconds(obj.lru, now)
    );
    c.reply.simple(&line);
    Ok(())
}

/// Parses a count that must be a non-negative integer; anything else (not a number
/// included) is "out of range", as Redis's getPositiveLongFromObjectOrReply says.
fn parse_non_negative(arg: &[u8]) -> Result<usize, CommandError> {
    parse_i64(arg)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or(CommandError::OutOfRange)
}

/// DEBUG POPULATE count [prefix] [size]: adds keys `prefix:N` = `value:N` (padded with
/// zero bytes or cut to `size`), leaving existing keys alone. Not propagated.
fn debug_populate(srv: &mut Server, c: &mut Client) -> CommandResult {
    let count = parse_non_negative(&c.argv[2])?;
    let size = match c.argv.get(4) {
        Some(arg) => Some(parse_non_negative(arg)?).filter(|&n| n > 0),
        None => None,
    };
    let prefix: &[u8] = c.argv.get(3).map_or(b"key", |p| p.as_slice());
    let now = srv.now_ms;
    let mode = srv.expire_mode;
    let lru = srv.lru_clock();
    let db = &mut srv.dbs[c.db];
    db.dict.expand(count);
    for j in 0..count {
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{}", j).as_bytes());
        if db.exists(&key, now, mode) {
            continue;
        }
        let mut value = format!("value:{}", j).into_bytes();
        if let Some(size) = size {
            value.resize(size, 0);
        }
        db.add(&key, crate::types::Value::string_from_vec(value), lru);
    }
    c.reply.ok();
    Ok(())
}

/// Adds a value to a key's digest with the digest function of its type.
fn fill_value_digest(d: &mut Digest, value: &Value) {
    // DEBUG DIGEST is a test tool: the codec's owned model is simple and fast enough.
    match value.to_rdb() {
        RdbValue::String(bytes) => digest::digest_string(d, &bytes),
        RdbValue::List(items) => digest::digest_list(d, items.iter().map(Vec::as_slice)),
        RdbValue::Set(members) => digest::digest_set(d, members.iter().map(Vec::as_slice)),
        RdbValue::Hash(pairs) => {
            digest::digest_hash(d, pairs.iter().map(|(f, v)| (f.as_slice(), v.as_slice())))
        }
        RdbValue::ZSet(pairs) => {
            digest::digest_zset(d, pairs.iter().map(|(m, s)| (m.as_slice(), *s)))
        }
        RdbValue::Stream(s) => digest::digest_stream(
            d,
            s.range(StreamId::MIN, StreamId::MAX)
                .map(|(id, fields)| (id.ms, id.seq, fields.pairs())),
        ),
    }
}

/// The digest of every database, as Redis's computeDatasetDigest: each non-empty
/// database in order, every key with its value and TTL marker.
pub fn dataset_digest(dbs: &[crate::db::Db]) -> Digest {
    let mut total = DatasetDigest::new();
    for (j, db) in dbs.iter().enumerate() {
        for (key, obj) in db.dict.iter() {
            let has_expire = db.expire_of(key).is_some();
            // Databases are visited in ascending order, so this cannot fail.
            let _ = total.add_key(j as u32, key.as_bytes(), has_expire, |d| {
                fill_value_digest(d, &obj.value)
            });
        }
    }
    total.finish()
}

/// DEBUG DIGEST: 40 hex digits summarising the whole dataset, equal to real Redis's for
/// the same data (all zeros when empty).
fn debug_digest(srv: &mut Server, c: &mut Client) -> CommandResult {
    let digest = dataset_digest(&srv.dbs);
    c.reply.simple(&digest.to_hex());
    Ok(())
}

/// DEBUG DIGEST-VALUE key [key ...]: the digest of each key's value (zeros if missing;
/// logically expired keys still count, as in Redis).
fn debug_digest_value(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(c.argc() - 2);
    for i in 2..c.argc() {
        let db = &srv.dbs[c.db];
        let d = match db.dict.get(&c.argv[i]) {
            Some(obj) => digest::value_digest(db.expire_of(&c.argv[i]).is_some(), |d| {
                fill_value_digest(d, &obj.value)
            }),
            None => Digest::zero(),
        };
        c.reply.simple(&d.to_hex());
    }
    Ok(())
}

/// DEBUG PROTOCOL type: a sample reply of each RESP type, for client tests.
fn debug_protocol(c: &mut Client) -> CommandResult {
    let name = String::from_utf8_lossy(&c.argv[2]).to_ascii_lowercase();
    let r = &mut c.reply;
    match name.as_str() {
        "string" => r.bulk(b"Hello World"),
        "integer" => r.int(12345),
        "double" => r.double_text(b"3.141"),
        "bignum" => r.big_number(b"1234567999999999999999999999999999999"),
        "null" => r.null(),
        "array" | "set" => {
            if name == "set" {
                r.set_len(3);
            } else {
                r.array_len(3);
            }
            for j in 0..3 {
                r.int(j);
            }
        }
        "map" => {
            r.map_len(3);
            for j in 0..3 {
                r.int(j);
                r.boolean(j == 1);
            }
        }
        "attrib" => {
            if r.is_resp3() {
                r.raw(b"|1\r\n");
                r.bulk(b"key-popularity");
                r.array_len(2);
                r.bulk(b"key:123");
                r.int(90);
            }
            r.bulk(b"Some real reply following the attribute");
        }
        "push" => {
            if !r.is_resp3() {
                return Err(CommandError::Err("RESP2 is not supported by this command"));
            }
            r.push_len(2);
            r.bulk(b"server-cpu-usage");
            r.int(42);
            r.bulk(b"Some real reply following the push reply");
        }
        "true" => r.boolean(true),
        "false" => r.boolean(false),
        "verbatim" => r.verbatim(b"txt", b"This is a verbatim\nstring"),
        _ => return Err(CommandError::Err(
            "Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"0"), 0);
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(strtod(b"0.25"), 0.25);
        assert_eq!(strtod(b"1.5s"), 1.5);
        assert_eq!(strtod(b"x"), 0.0);
        assert_eq!(strtod(b"inf"), 0.0);
        assert_eq!(strtod(b"1e999"), 0.0);
        assert_eq!(strtod(b" 2e-1x"), 0.2);
    }

    #[test]
    fn rdb_lengths_of_strings() {
        assert_eq!(rdb_string_len(b"5"), 2);
        assert_eq!(rdb_string_len(b"1000"), 3);
        assert_eq!(rdb_string_len(b"100000"), 5);
        assert_eq!(rdb_string_len(b"value:1"), 8);
        assert!(rdb_string_len(&[b'a'; 100]) < 100);
        assert_eq!(rdb_string_len(b"012"), 4);
    }

    #[test]
    fn acl_categories_follow_flags_and_groups() {
        let table = CommandTable::build(&super::super::all_families());
        let get = table.lookup(b"get").unwrap();
        assert_eq!(acl_categories(&table, get), ["read", "string", "fast"]);
        let set = table.lookup(b"set").unwrap();
        assert_eq!(acl_categories(&table, set), ["write", "string", "slow"]);
        let config = table.lookup(b"config").unwrap();
        assert_eq!(acl_categories(&table, config), ["slow"]);
        let cget = table.lookup_sub(config, b"get").unwrap();
        assert_eq!(acl_categories(&table, cget), ["admin", "slow", "dangerous"]);
        let info = table.lookup(b"info").unwrap();
        assert_eq!(acl_categories(&table, info), ["slow", "dangerous"]);
        let count = lookup_full_name(&table, b"COMMAND|count").unwrap();
        assert_eq!(acl_categories(&table, count), ["slow", "connection"]);
    }

    #[test]
    fn doctor_reports_small_instances_as_empty() {
        let m = info::MemoryReport {
            used: 1 << 20,
            ..Default::default()
        };
        assert!(doctor_report(&m, 1).starts_with("The dataset is empty or very small"));
        let m = info::MemoryReport {
            used: 100 << 20,
            peak: 100 << 20,
            allocator_allocated: 100 << 20,
            allocator_active: 100 << 20,
            allocator_resident: 100 << 20,
            rss: 100 << 20,
            ..Default::default()
        };
        assert!(doctor_report(&m, 1).starts_with("No memory issue found"));
        let m = info::MemoryReport {
            peak: 400 << 20,
            ..m
        };
        assert!(doctor_report(&m, 1).contains("* Peak memory"));
    }
}
