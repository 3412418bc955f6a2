//! SAVE and BGSAVE (Redis's `rdb.c` commands), and DEBUG RELOAD's implementation, which
//! the DEBUG container in `server_cmds` calls. LASTSAVE lives in `server_cmds`.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::persistence::aof::rewrite::RewriteStartError;
use crate::persistence::load::LoadOptions;
use crate::persistence::snapshot::SnapshotError;
use crate::server::{Client, Server};

/// The persistence family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "bgrewriteaof",
        bgrewriteaof,
        1,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
        Keys::NONE,
        "server",
        "1.0.0",
        "Asynchronously rewrite the append-only file to disk",
    ),
    CommandSpec::new(
        "bgsave",
        bgsave,
        -1,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
        Keys::NONE,
        "server",
        "1.0.0",
        "Asynchronously save the dataset to disk",
    ),
    CommandSpec::new(
        "save",
        save,
        1,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
        Keys::NONE,
        "server",
        "1.0.0",
        "Synchronously save the dataset to disk",
    ),
];

/// Redis's bare `-ERR` reply (shared.err), sent when a save fails; details are logged.
fn bare_err() -> CommandError {
    CommandError::Raw("ERR".to_string())
}

/// SAVE: writes the dump in the foreground. Refused while a BGSAVE runs.
fn save(srv: &mut Server, c: &mut Client) -> CommandResult {
    if srv.persistence.bgsave_in_progress() {
        return Err(CommandError::Err("Background save already in progress"));
    }
    srv.persistence.rdb_saves += 1;
    srv.save_rdb_foreground().map_err(|_| bare_err())?;
    c.reply.ok();
    Ok(())
}

/// BGSAVE [SCHEDULE]: starts writing the dump on the snapshot thread. SCHEDULE is
/// accepted for compatibility: snapshots never exclude each other here, so a BGSAVE
/// starts at once unless one is already running, or is scheduled for the cron when
/// asked inside a transaction (see `Server::in_transaction`).
fn bgsave(srv: &mut Server, c: &mut Client) -> CommandResult {
    match c.argc() {
        1 => {}
        2 if c.arg(1).eq_ignore_ascii_case(b"schedule") => {}
        _ => return Err(CommandError::Syntax),
    }
    if srv.in_transaction() && !srv.persistence.bgsave_in_progress() {
        srv.schedule_bgsave();
        c.reply.simple("Background saving scheduled");
        return Ok(());
    }
    match srv.start_bgsave() {
        Ok(()) => {
            c.reply.simple("Background saving started");
            Ok(())
        }
        Err(SnapshotError::AlreadyInProgress) => {
            Err(CommandError::Err("Background save already in progress"))
        }
        Err(_) => Err(bare_err()),
    }
}

/// BGREWRITEAOF: starts an AOF rewrite on the snapshot thread (it runs alongside a
/// BGSAVE), or schedules it for the cron when asked inside a transaction.
fn bgrewriteaof(srv: &mut Server, c: &mut Client) -> CommandResult {
    if srv.in_transaction() && srv.aof.rewrite.is_none() {
        srv.aof.rewrite_scheduled = true;
        c.reply
            .simple("Background append only file rewriting scheduled");
        return Ok(());
    }
    match srv.aof_start_rewrite() {
        Ok(()) => {
            c.reply
                .simple("Background append only file rewriting started");
            Ok(())
        }
        Err(RewriteStartError::InProgress) => Err(CommandError::Err(
            "Background append only file rewriting already in progress",
        )),
        Err(RewriteStartError::Failed) => Err(CommandError::Err(
            "Can't execute an AOF background rewriting. Please check the server logs for more information.",
        )),
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (arguments from `c.argv[2..]`): saves the dump
/// (unless NOSAVE), empties the databases (unless NOFLUSH) and loads the dump back
/// (MERGE: keys already present are replaced instead of failing). Replies +OK.
pub fn debug_reload(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for opt in c.argv.iter().skip(2) {
        if opt.eq_ignore_ascii_case(b"merge") {
            merge = true;
        } else if opt.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if opt.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return Err(CommandError::Err(
                "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            ));
        }
    }
    if srv.persistence.loading {
        return Err(CommandError::Loading);
    }
    if save {
        srv.save_rdb_foreground().map_err(|_| bare_err())?;
    }
    if flush {
        // Everything is replaced, as after FLUSHALL (Redis's emptyData).
        for db in 0..srv.dbs.len() {
            srv.touch_all_watched_keys_in_db(db, None);
        }
        srv.tracking_invalidate_on_flush(Some(c));
        for db in &mut srv.dbs {
            db.flush();
        }
        srv.scripting
            .functions
            .flush()
            .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    }
    // As Redis's rdbLoad, serve the other clients while loading (they get -LOADING);
    // this client's own pipelined requests wait for the reload to end.
    let options = LoadOptions {
        allow_duplicates: merge,
    };
    let path = srv.rdb_path();
    if let Err(e) = srv.load_rdb_file(&path, options) {
        log::warn!("Error trying to load the RDB dump: {e}");
        srv.persistence.dataset_incomplete = true;
        return Err(CommandError::Err("Error trying to load the RDB dump"));
    }
    srv.persistence.dataset_incomplete = false;
    log::warn!("DB reloaded by DEBUG RELOAD");
    c.reply.ok();
    Ok(())
}

/// DEBUG LOADAOF: flushes the AOF buffer, empties the dataset and loads the AOF files
/// back. Where Redis exits when they cannot be loaded, we reply an error and leave the
/// dataset marked incomplete (so it is never saved over the dump by itself).
pub fn debug_loadaof(srv: &mut Server, c: &mut Client) -> CommandResult {
    if srv.persistence.loading {
        return Err(CommandError::Loading);
    }
    if let Err(e) = srv.debug_load_aof() {
        log::warn!("Error trying to load the AOF files: {e}");
        return Err(CommandError::Err("Error trying to load the AOF files"));
    }
    log::warn!("Append Only File loaded by DEBUG LOADAOF");
    c.reply.ok();
    Ok(())
}
