//! Loading the AOF at start-up (Redis's loadAppendOnlyFiles, loadSingleAppendOnlyFile
//! and aofOpenIfNeededOnServerStart).
//!
//! The manifest in `appenddirname` names a base and incremental files; they are loaded
//! in order. A file that starts with `REDIS` is an RDB (a base written with
//! `aof-use-rdb-preamble yes`, or the preamble of an old single-file AOF) and goes
//! through the RDB loader; commands after it, and every command file, are replayed one
//! by one through the command table by a fake client, with expiry suspended (the file's
//! own DELs expire keys). A `MULTI` block is applied at its `EXEC`.
//!
//! Problems:
//! * the last command of the last file is incomplete (or a MULTI lacks its EXEC): with
//!   `aof-load-truncated yes` the file is truncated after the last complete command and
//!   loading goes on, else the server refuses to start;
//! * anything else (a bad byte in the middle, an unknown command, a file named by the
//!   manifest that does not exist, an incomplete file that is not the last one) refuses
//!   to start with the file, the offset and a hint to run `ferrodis-check-aof`. Such
//!   files are never modified.
//!
//! A single-file `appendonly.aof` of Redis <= 6 in `dir` is moved into the directory
//! under a new manifest first, as Redis 7 does.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

use mio::Events;

use super::manifest::{AofFile, FileKind, Manifest, ManifestLoadError};
use super::writer::open_append;
use super::{AofError, AofStatus};
use crate::commands::table::arity_ok;
use crate::db::ExpireMode;
use crate::persistence::load::{LoadError, LoadOptions, LoadStats, StartupLoad};
use crate::persistence::snapshot::{Frozen, Progress};
use crate::server::call::ErrorReplyTo;
use crate::server::{Client, Conn, Server, ShutdownMode};
use crate::util::time;

/// Commands replayed between two rounds of serving clients.
const SERVE_CLIENTS_EVERY: u64 = 1024;
/// Longest `*<n>` / `$<n>` / `#...` line.
const MAX_LINE: u64 = 1024;
/// Read buffer size.
const READ_BUF: usize = 256 * 1024;
/// Client id of the replaying client (Redis's CLIENT_ID_AOF).
pub const AOF_CLIENT_ID: u64 = u64::MAX;

/// How one file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileEnd {
    /// Read to its end.
    Complete,
    /// Its incomplete tail was cut off (`aof-load-truncated yes`).
    Truncated,
}

/// Why the command stream of a file stopped early.
enum Stop {
    /// End of file inside a command (or MULTI without EXEC).
    Eof,
    /// Bad data at this offset.
    Format(u64),
    /// A real error.
    Fail(AofError),
}

impl From<AofError> for Stop {
    fn from(e: AofError) -> Self {
        Stop::Fail(e)
    }
}

impl Server {
    /// Loads the AOF (when `appendonly yes`) and opens it for appending: what the
    /// server does at start-up instead of loading the RDB dump.
    pub fn load_aof_at_startup(&mut self) -> Result<StartupLoad, AofError> {
        let manifest = self.aof_read_manifest()?;
        let manifest = self.aof_upgrade_if_needed(manifest)?;
        let position = self.aof_take_repl_position(&manifest);
        let outcome = if manifest.is_empty() {
            StartupLoad::NoFile
        } else {
            self.aof_load_files(&manifest)?
        };
        if let StartupLoad::Interrupted = outcome {
            return Ok(outcome);
        }
        if let StartupLoad::Loaded(_) = outcome {
            self.aof.repl_resume = position;
        }
        self.aof.manifest = manifest;
        self.aof_open_on_startup()?;
        Ok(outcome)
    }

    /// The manifest on disk, or an empty one when the directory or the manifest is
    /// missing (a first start, or an upgrade from Redis <= 6).
    pub(crate) fn aof_read_manifest(&self) -> Result<Manifest, AofError> {
        let path = self.aof_dir().join(self.aof_manifest_name());
        match Manifest::load(&path) {
            Ok(m) => Ok(m),
            Err(ManifestLoadError::Read { err, .. }) if err.kind() == io::ErrorKind::NotFound => {
                Ok(Manifest::default())
            }
            Err(e) => Err(AofError::Manifest(e)),
        }
    }

    /// Moves a single-file `appendfilename` of Redis <= 6 found in `dir` into the AOF
    /// directory as the base of a new manifest (Redis's aofUpgradePrepare), when there is
    /// no multi-part AOF yet.
    fn aof_upgrade_if_needed(&self, manifest: Manifest) -> Result<Manifest, AofError> {
        let name = self.config.appendfilename.clone();
        let old = Path::new(&self.config.dir).join(&name);
        if !old.is_file() {
            return Ok(manifest);
        }
        let dir = self.aof_dir();
        let only_old_base = manifest.incr.is_empty()
            && manifest.base.as_ref().is_some_and(|b| b.name == name)
            && !dir.join(&name).exists();
        if dir.is_dir() && !manifest.is_empty() && !only_old_base {
            return Ok(manifest);
        }
        fs::create_dir_all(&dir).map_err(|err| AofError::Io {
            what: "Can't open or create append-only dir",
            path: dir.clone(),
            err,
        })?;
        let upgraded = Manifest {
            base: Some(AofFile {
                name: name.clone(),
                seq: 1,
                kind: FileKind::Base,
            }),
            base_seq: 1,
            ..Manifest::default()
        };
        self.aof_persist_manifest(&upgraded)
            .map_err(|err| AofError::Io {
                what: "Can't write the AOF manifest in",
                path: dir.clone(),
                err,
            })?;
        fs::rename(&old, dir.join(&name)).map_err(|err| AofError::Io {
            what: "Error trying to move the old AOF file into the AOF directory",
            path: old.clone(),
            err,
        })?;
        log::info!(
            "Successfully migrated an old-style AOF file ({name}) into the AOF directory ({}).",
            self.config.appenddirname
        );
        Ok(upgraded)
    }

    /// Loads every file of `manifest` in order.
    pub(crate) fn aof_load_files(&mut self, manifest: &Manifest) -> Result<StartupLoad, AofError> {
        let dir = self.aof_dir();
        let files = manifest.files_to_load();
        let mut total = 0;
        for f in &files {
            total += file_size(&dir.join(&f.name))?;
        }
        if total == 0 {
            return Ok(StartupLoad::NoFile);
        }
        let started = Instant::now();
        let saved_mode = self.expire_mode;
        let saved_dirty = self.dirty;
        self.expire_mode = ExpireMode::Loading;
        self.aof_enter_loading(total);
        let mut replay = Replay::new(self);
        let mut result = Ok(());
        for (i, f) in files.iter().enumerate() {
            let last = i + 1 == files.len();
            let path = dir.join(&f.name);
            let t0 = Instant::now();
            match replay.load_file(self, &path, last) {
                Ok(end) => {
                    let kind = if f.kind == FileKind::Base {
                        "base"
                    } else {
                        "incr"
                    };
                    log::info!(
                        "DB loaded from {kind} file {}: {:.3} seconds{}",
                        f.name,
                        t0.elapsed().as_secs_f64(),
                        if end == FileEnd::Truncated {
                            " (truncated)"
                        } else {
                            ""
                        }
                    );
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.persistence.loading = false;
        self.expire_mode = saved_mode;
        self.dirty = saved_dirty;
        match result {
            Ok(()) => {}
            Err(AofError::Interrupted) => {
                self.shutdown = Some(ShutdownMode::NoSave);
                return Ok(StartupLoad::Interrupted);
            }
            Err(e) => return Err(e),
        }
        // Sizes again: a truncated tail may have been cut off.
        let mut size = 0;
        for f in &files {
            size += file_size(&dir.join(&f.name))?;
        }
        let base = match &manifest.base {
            Some(b) => file_size(&dir.join(&b.name))?,
            None => 0,
        };
        self.aof.current_size = size;
        self.aof.base_size = base;
        let keys: u64 = self.dbs.iter().map(|db| db.dict.len() as u64).sum();
        self.persistence.last_load_keys_loaded = keys;
        log::info!(
            "DB loaded from append only file: {:.3} seconds",
            started.elapsed().as_secs_f64()
        );
        Ok(StartupLoad::Loaded(LoadStats {
            keys_loaded: keys,
            bytes: size,
            duration: started.elapsed(),
            ..LoadStats::default()
        }))
    }

    /// Enters the loading state for `total` bytes of AOF.
    fn aof_enter_loading(&mut self, total: u64) {
        let p = &mut self.persistence;
        p.loading = true;
        p.load_progress = crate::persistence::LoadProgress {
            start_time: time::now_ms() / 1000,
            started: Some(Instant::now()),
            total_bytes: total,
            loaded_bytes: 0,
            rdb_used_mem: 0,
        };
        p.last_load_keys_loaded = 0;
        p.last_load_keys_expired = 0;
    }

    /// Opens the AOF for appending after the start-up load (Redis's
    /// aofOpenIfNeededOnServerStart): creates the directory, writes a base from the
    /// (empty) dataset when the manifest has no file, opens the last incremental file
    /// (or a new one) and writes the manifest.
    fn aof_open_on_startup(&mut self) -> Result<(), AofError> {
        let dir = self.aof_dir();
        fs::create_dir_all(&dir).map_err(|err| AofError::Io {
            what: "Can't open or create append-only dir",
            path: dir.clone(),
            err,
        })?;
        let mut manifest = self.aof.manifest.clone();
        if manifest.is_empty() {
            let name = manifest.new_base(
                &self.config.appendfilename,
                self.config.aof_use_rdb_preamble,
            );
            let mut frozen = Frozen::capture(self, true);
            let bytes = super::rewrite::write_base_file(
                &mut frozen,
                &dir,
                &name,
                self.config.aof_use_rdb_preamble,
                &Progress::default(),
            )
            .map_err(AofError::Base)?;
            self.aof.base_size = bytes;
            self.aof.current_size = bytes;
            log::info!("Creating AOF base file {name} on server start");
        }
        let had_incr = !manifest.incr.is_empty();
        let name = match manifest.incr.last() {
            Some(f) => f.name.clone(),
            None => manifest.new_incr(&self.config.appendfilename),
        };
        let path = dir.join(&name);
        let file = open_append(&path).map_err(|err| AofError::Io {
            what: "Can't open the append-only file",
            path: path.clone(),
            err,
        })?;
        self.aof_persist_manifest(&manifest)
            .map_err(|err| AofError::Io {
                what: "Can't write the AOF manifest in",
                path: dir.clone(),
                err,
            })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.aof.manifest = manifest;
        self.aof_switch_file(file, size);
        self.aof.status = AofStatus::On;
        self.aof.selected_db = None;
        self.aof.last_fsync = time::now_ms() / 1000;
        if had_incr {
            log::info!("Opening AOF incr file {name} on server start");
        } else {
            log::info!("Creating AOF incr file {name} on server start");
        }
        Ok(())
    }
}

/// Size of a file the manifest names; a missing one is fatal.
fn file_size(path: &Path) -> Result<u64, AofError> {
    match fs::metadata(path) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(AofError::MissingFile {
            path: path.to_path_buf(),
        }),
        Err(err) => Err(AofError::Io {
            what: "Unable to obtain the AOF file length",
            path: path.to_path_buf(),
            err,
        }),
    }
}

/// The replaying client and the counters of a load.
struct Replay {
    client: Box<Client>,
    events: Events,
    commands: u64,
    /// Bytes of earlier files (for the progress counter).
    done_bytes: u64,
}

impl Replay {
    /// A replayer with its fake client (a socket pair nobody reads: the client never
    /// gets a reply written).
    fn new(srv: &Server) -> Replay {
        let (sock, _peer) = mio::net::UnixStream::pair()
            .unwrap_or_else(|e| panic!("cannot create the AOF client's socket pair: {e}"));
        let mut client = Client::new(
            AOF_CLIENT_ID,
            usize::MAX,
            Conn::Unix(sock),
            String::new(),
            String::new(),
            srv.now_ms,
        );
        client.authenticated = true;
        client.user = None;
        Replay {
            client: Box::new(client),
            events: Events::with_capacity(256),
            commands: 0,
            done_bytes: 0,
        }
    }

    /// Loads one file: an RDB part if it starts with `REDIS`, then commands.
    fn load_file(
        &mut self,
        srv: &mut Server,
        path: &Path,
        last: bool,
    ) -> Result<FileEnd, AofError> {
        let io_err = |err| AofError::Io {
            what: "Fatal error: can't open the append log file for reading",
            path: path.to_path_buf(),
            err,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        if size == 0 {
            return Ok(FileEnd::Complete);
        }
        let mut sig = [0u8; 5];
        let is_rdb = file.read_exact(&mut sig).is_ok() && &sig == b"REDIS";
        let mut start = 0;
        if is_rdb {
            log::info!("Reading RDB base file on AOF loading...");
            start = self.load_rdb_part(srv, path)?;
            if start < size {
                log::info!("Reading the remaining AOF tail...");
            }
        }
        file.seek(SeekFrom::Start(start)).map_err(io_err)?;
        let result = self.replay_commands(srv, file, path, start);
        self.done_bytes += size;
        match result {
            Ok(()) => Ok(FileEnd::Complete),
            Err((Stop::Eof, valid_up_to)) => truncated(srv, path, valid_up_to, last),
            Err((Stop::Format(offset), _)) => Err(AofError::BadFormat {
                path: path.to_path_buf(),
                offset,
            }),
            Err((Stop::Fail(e), _)) => Err(e),
        }
    }

    /// Loads the RDB at the start of `path`; returns the offset where it ends.
    fn load_rdb_part(&mut self, srv: &mut Server, path: &Path) -> Result<u64, AofError> {
        let options = LoadOptions {
            allow_duplicates: false,
        };
        let progress = srv.persistence.load_progress;
        let result = srv.load_rdb_file(path, options);
        // The RDB loader ends its own loading state; the AOF load goes on.
        srv.persistence.loading = true;
        srv.persistence.load_progress = progress;
        match result {
            Ok(stats) => Ok(stats.rdb_end),
            Err(LoadError::Interrupted) => Err(AofError::Interrupted),
            Err(e) => Err(AofError::Rdb(Box::new(e))),
        }
    }

    /// Replays the commands of `file` from `start` to its end. On failure, returns
    /// why and the offset after the last command applied.
    fn replay_commands(
        &mut self,
        srv: &mut Server,
        file: File,
        path: &Path,
        start: u64,
    ) -> Result<(), (Stop, u64)> {
        let mut r = CommandReader::new(BufReader::with_capacity(READ_BUF, file), start);
        let mut valid_up_to = start;
        let mut before_multi = start;
        let mut multi: Option<Vec<(Vec<Vec<u8>>, u64)>> = None;
        loop {
            if self.commands.is_multiple_of(SERVE_CLIENTS_EVERY) {
                srv.persistence.load_progress.loaded_bytes = self.done_bytes + r.pos;
                if !srv.serve_clients_while_loading(&mut self.events) {
                    return Err((Stop::Fail(AofError::Interrupted), valid_up_to));
                }
            }
            let at = r.pos;
            let argv = match r.next_command() {
                Ok(Some(argv)) => argv,
                Ok(None) => break,
                Err(stop) => return Err((stop, valid_up_to)),
            };
            self.commands += 1;
            if argv[0].eq_ignore_ascii_case(b"multi") {
                before_multi = valid_up_to;
                multi = Some(Vec::new());
            } else if argv[0].eq_ignore_ascii_case(b"exec") {
                for (queued, offset) in multi.take().unwrap_or_default() {
                    self.execute(srv, queued, path, offset)
                        .map_err(|e| (Stop::Fail(e), valid_up_to))?;
                }
            } else if let Some(queue) = multi.as_mut() {
                check_known(srv, &argv, path, at).map_err(|e| (Stop::Fail(e), valid_up_to))?;
                queue.push((argv, at));
            } else {
                self.execute(srv, argv, path, at)
                    .map_err(|e| (Stop::Fail(e), valid_up_to))?;
            }
            valid_up_to = r.pos;
        }
        if multi.is_some() {
            log::warn!(
                "Revert incomplete MULTI/EXEC transaction in AOF file {}",
                path.display()
            );
            return Err((Stop::Eof, before_multi));
        }
        Ok(())
    }

    /// Runs one command as the fake client, without propagation, statistics or the
    /// checks of a real request (as Redis calls `cmd->proc` directly).
    fn execute(
        &mut self,
        srv: &mut Server,
        argv: Vec<Vec<u8>>,
        path: &Path,
        offset: u64,
    ) -> Result<(), AofError> {
        let spec = check_known(srv, &argv, path, offset)?;
        let c = &mut self.client;
        c.argv = argv;
        srv.now_ms = time::now_ms();
        // Errors are replies to nobody, but they mean the file does not replay to what
        // was saved: logged, and fatal under `propagation-error-behavior panic`.
        if let Err(e) = (spec.handler)(srv, c) {
            let cmd = String::from_utf8_lossy(&c.argv[0]).into_owned();
            srv.unexpected_error_reply(ErrorReplyTo::AofLoader, &e.to_string(), &cmd);
        }
        c.reply.buf.clear();
        c.sent = 0;
        c.propagate_argv = None;
        c.argv.clear();
        Ok(())
    }
}

/// The table row that runs `argv`, or why the file cannot be replayed.
fn check_known(
    srv: &Server,
    argv: &[Vec<u8>],
    path: &Path,
    offset: u64,
) -> Result<&'static crate::commands::CommandSpec, AofError> {
    let name = || String::from_utf8_lossy(&argv[0]).into_owned();
    let Some(mut id) = srv.commands.lookup(&argv[0]) else {
        return Err(AofError::UnknownCommand {
            path: path.to_path_buf(),
            name: name(),
            offset,
        });
    };
    if !srv.commands.spec(id).subcommands.is_empty() && argv.len() >= 2 {
        if let Some(sub) = srv.commands.lookup_sub(id, &argv[1]) {
            id = sub;
        }
    }
    let spec = srv.commands.spec(id);
    if !arity_ok(spec.arity, argv.len()) {
        return Err(AofError::WrongArity {
            path: path.to_path_buf(),
            name: name(),
            offset,
        });
    }
    Ok(spec)
}

/// Handles an incomplete tail per `aof-load-truncated`: only the last file may be cut,
/// after its last complete command.
fn truncated(srv: &Server, path: &Path, valid_up_to: u64, last: bool) -> Result<FileEnd, AofError> {
    let err = || AofError::Truncated {
        path: path.to_path_buf(),
        valid_up_to,
        not_last: !last,
    };
    if !last || !srv.config.aof_load_truncated {
        return Err(err());
    }
    log::warn!(
        "!!! Warning: short read while loading the AOF file {}!!!",
        path.display()
    );
    log::warn!(
        "!!! Truncating the AOF {} at offset {valid_up_to} !!!",
        path.display()
    );
    let cut = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(valid_up_to).and_then(|()| f.sync_all()));
    if let Err(e) = cut {
        log::warn!("Error truncating the AOF file {}: {e}", path.display());
        return Err(err());
    }
    log::warn!(
        "AOF {} loaded anyway because aof-load-truncated is enabled",
        path.display()
    );
    Ok(FileEnd::Truncated)
}

/// Reads RESP multibulk commands (and skips `#` annotation lines) from an AOF,
/// tracking the byte offset.
pub struct CommandReader<R> {
    input: R,
    /// Offset of the next byte to read.
    pub pos: u64,
    line: Vec<u8>,
}

impl<R: BufRead> CommandReader<R> {
    /// A reader of `input`, which is at offset `pos` of its file.
    pub fn new(input: R, pos: u64) -> CommandReader<R> {
        CommandReader {
            input,
            pos,
            line: Vec::new(),
        }
    }

    /// The next command, `None` at a clean end of file. `Stop::Eof` means the file ends
    /// inside a command; `Stop::Format(offset)` that bad data starts at `offset`.
    fn next_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, Stop> {
        loop {
            let at = self.pos;
            if !self.read_line()? {
                return Ok(None);
            }
            match self.line.first() {
                Some(b'#') => continue,
                Some(b'*') => {}
                _ => return Err(Stop::Format(at)),
            }
            let argc = parse_len(&self.line[1..]).ok_or(Stop::Format(at))?;
            if argc < 1 {
                return Err(Stop::Format(at));
            }
            let mut argv = Vec::with_capacity(argc.min(1024) as usize);
            for _ in 0..argc {
                argv.push(self.read_bulk()?);
            }
            return Ok(Some(argv));
        }
    }

    /// Reads one `$<len>\r\n<bytes>\r\n` argument.
    fn read_bulk(&mut self) -> Result<Vec<u8>, Stop> {
        let at = self.pos;
        if !self.read_line()? {
            return Err(Stop::Eof);
        }
        if self.line.first() != Some(&b'$') {
            return Err(Stop::Format(at));
        }
        let len = parse_len(&self.line[1..]).ok_or(Stop::Format(at))?;
        let mut arg = Vec::new();
        let n = (&mut self.input)
            .take(len)
            .read_to_end(&mut arg)
            .map_err(read_error)?;
        self.pos += n as u64;
        if (n as u64) < len {
            return Err(Stop::Eof);
        }
        let mut crlf = [0u8; 2];
        let mut got = 0;
        while got < 2 {
            match self.input.read(&mut crlf[got..]) {
                Ok(0) => return Err(Stop::Eof),
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_error(e)),
            }
        }
        if &crlf != b"\r\n" {
            return Err(Stop::Format(self.pos));
        }
        self.pos += 2;
        Ok(arg)
    }

    /// Reads one line (up to `\n`) into `self.line` without its line end. Returns false
    /// at a clean end of file; `Stop::Eof` for a last line without `\n`, `Stop::Format`
    /// for a line that is too long.
    fn read_line(&mut self) -> Result<bool, Stop> {
        self.line.clear();
        let at = self.pos;
        let n = (&mut self.input)
            .take(MAX_LINE)
            .read_until(b'\n', &mut self.line)
            .map_err(read_error)?;
        self.pos += n as u64;
        if n == 0 {
            return Ok(false);
        }
        if self.line.last() != Some(&b'\n') {
            return if (n as u64) < MAX_LINE {
                Err(Stop::Eof)
            } else {
                Err(Stop::Format(at))
            };
        }
        self.line.pop();
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(true)
    }
}

/// A read error while replaying.
fn read_error(err: io::Error) -> Stop {
    Stop::Fail(AofError::Io {
        what: "Unrecoverable error reading the append only file",
        path: PathBuf::new(),
        err,
    })
}

/// Parses the decimal count of a `*` or `$` line (non-negative, no sign, no spaces).
fn parse_len(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(bytes: &[u8]) -> (Vec<Vec<Vec<u8>>>, Option<&'static str>, u64) {
        let mut r = CommandReader::new(bytes, 0);
        let mut out = Vec::new();
        loop {
            match r.next_command() {
                Ok(Some(c)) => out.push(c),
                Ok(None) => return (out, None, r.pos),
                Err(Stop::Eof) => return (out, Some("eof"), r.pos),
                Err(Stop::Format(at)) => return (out, Some("format"), at),
                Err(Stop::Fail(_)) => return (out, Some("fail"), r.pos),
            }
        }
    }

    #[test]
    fn reads_commands_and_skips_annotations() {
        let (cmds, err, pos) = commands(b"#TS:1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$0\r\n\r\n");
        assert_eq!(err, None);
        assert_eq!(
            cmds,
            vec![vec![b"GET".to_vec(), b"k".to_vec()], vec![vec![]]]
        );
        assert_eq!(pos, 37);
    }

    #[test]
    fn tells_truncation_from_corruption() {
        let full = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        for cut in 1..full.len() {
            let (cmds, err, _) = commands(&full[..cut]);
            assert!(cmds.is_empty());
            assert_eq!(err, Some("eof"), "cut at {cut}");
        }
        let (_, err, at) = commands(b"*1\r\n$1\r\na\r\nXYZ\r\n");
        assert_eq!((err, at), (Some("format"), 11));
        let (_, err, at) = commands(b"*1\r\n$1\r\nabc\r\n");
        assert_eq!((err, at), (Some("format"), 9));
        let (_, err, _) = commands(b"*x\r\n");
        assert_eq!(err, Some("format"));
    }
}
