//! MODULE on a server that cannot load Redis modules.
//!
//! A Redis module is a shared library written against redis-server's C module API,
//! which ferrodis does not have. The command is still here because clients and tools
//! ask `MODULE LIST` to find out which modules a server has: the true answer is none.
//! LOAD, LOADEX and UNLOAD are protected as in Redis (`enable-module-command`, refused
//! before they run, see [`super::server_cmds::protected_refusal`]); where they are
//! allowed, loading fails with Redis's reply and the reason in the log, and there is
//! never a module to unload.

use super::client::reply_help;
use super::flags::*;
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};

/// Flags of the subcommands that load or unload code.
const LOADER: u32 = ADMIN | NOSCRIPT | NO_ASYNC_LOADING;

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "help",
        module_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "5.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "list",
        module_list,
        2,
        ADMIN | NOSCRIPT,
        Keys::NONE,
        "server",
        "4.0.0",
        "List all modules loaded by the server",
    )
    .with_complexity("O(N) where N is the number of loaded modules."),
    CommandSpec::new(
        "load",
        module_load,
        -3,
        LOADER,
        Keys::NONE,
        "server",
        "4.0.0",
        "Load a module",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "loadex",
        module_load,
        -3,
        LOADER,
        Keys::NONE,
        "server",
        "7.0.0",
        "Load a module with extended parameters",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "unload",
        module_unload,
        3,
        LOADER,
        Keys::NONE,
        "server",
        "4.0.0",
        "Unload a module",
    )
    .with_complexity("O(1)"),
];

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "module",
    container_handler,
    -2,
    0,
    Keys::NONE,
    "server",
    "4.0.0",
    "A container for module commands",
)
.with_complexity("Depends on subcommand.")
.with_subcommands(SUBCOMMANDS)];

const HELP: &[&str] = &[
    "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LIST",
    "    Return a list of loaded modules.",
    "LOAD <path> [<arg> ...]",
    "    Load a module library from <path>, passing to it any optional arguments.",
    "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
    "    Load a module library from <path>, while passing it module configurations and optional arguments.",
    "UNLOAD <name>",
    "    Unload a module.",
    "HELP",
    "    Prints this help.",
];

fn module_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(c, HELP);
    Ok(())
}

/// MODULE LIST: no module is ever loaded.
fn module_list(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(0);
    Ok(())
}

/// MODULE LOAD path [arg ...] / MODULE LOADEX path [CONFIG name value ...] [ARGS ...]:
/// fails as a failed load fails in Redis, with the reason in the log.
fn module_load(_srv: &mut Server, c: &mut Client) -> CommandResult {
    log::warn!(
        "Module {} failed to load: ferrodis has no Redis module API, so it cannot load modules",
        String::from_utf8_lossy(&c.argv[2])
    );
    Err(CommandError::Err(
        "Error loading the extension. Please check the server logs.",
    ))
}

/// MODULE UNLOAD name: there is no module of any name.
fn module_unload(_srv: &mut Server, _c: &mut Client) -> CommandResult {
    Err(CommandError::Err(
        "Error unloading module: no such module with that name",
    ))
}
