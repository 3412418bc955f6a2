//! The checker behind `ferrodis-check-aof [--fix|--truncate-to-timestamp T]
//! <file.manifest|file.aof>` (like `redis-check-aof`).
//!
//! Given a manifest it checks the base and every incremental file it names; given an
//! AOF file (Redis <= 6 single file, with or without RDB preamble) it checks that file.
//! Commands must be well-formed RESP multibulks with `\r\n` line ends, MULTI/EXEC must
//! pair up, an RDB part must be a sound RDB. A file that is bad from some offset on is
//! reported with that offset; `--fix` truncates it there after asking for
//! confirmation, and only when it is the last file. `--truncate-to-timestamp T` cuts
//! the last file at the first `#TS:` annotation later than `T`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use crate::persistence::rdb::{RdbReader, ReadOptions};

/// Longest line read at once.
const MAX_LINE: usize = 1024;

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report only.
    Check,
    /// Truncate a bad tail (after confirmation).
    Fix,
    /// Truncate at the first timestamp annotation later than this.
    TruncateTo(i64),
}

/// The check stopped the program with a message and exit status 1.
#[derive(Debug)]
pub struct Abort(pub String);

/// How the check of one file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Valid.
    Ok,
    /// Empty.
    Empty,
    /// Cut after confirmation (`--fix`).
    Truncated,
    /// Cut at a timestamp.
    TimestampTruncated,
}

/// Result of scanning the command part of a file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Offset of the end of the last complete command (or of the start of an
    /// unterminated MULTI).
    pub ok_up_to: u64,
    /// Line number there.
    pub ok_up_to_line: u64,
    /// The first problem, `0x<offset>: <what>`.
    pub error: Option<String>,
    /// Offset of the first `#TS:` annotation after the limit, if any.
    pub cut_at_timestamp: Option<u64>,
}

/// Runs the tool with `args` (without the program name); writes its report to `out`
/// and reads the `--fix` confirmation from `input`. Returns the exit status.
pub fn run(args: &[String], input: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let (mode, path) = match args {
        [path] => (Mode::Check, path),
        [flag, path] if flag == "--fix" => (Mode::Fix, path),
        [flag, ts, path] if flag == "--truncate-to-timestamp" => match ts.parse::<i64>() {
            Ok(t) => (Mode::TruncateTo(t), path),
            Err(_) => {
                let _ = writeln!(out, "Invalid timestamp, aborting...");
                return 1;
            }
        },
        _ => {
            let _ = writeln!(
                out,
                "Usage: ferrodis-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>"
            );
            return 1;
        }
    };
    let mut checker = Checker { mode, input, out };
    match checker.check_path(Path::new(path)) {
        Ok(()) => 0,
        Err(Abort(msg)) => {
            let _ = writeln!(checker.out, "{msg}");
            1
        }
    }
}

/// The state of one run.
struct Checker<'a> {
    mode: Mode,
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

impl Checker<'_> {
    /// Checks a manifest (and its files) or a single AOF file.
    fn check_path(&mut self, path: &Path) -> Result<(), Abort> {
        if is_manifest(path)? {
            return self.check_manifest(path);
        }
        let preamble = is_rdb(path)?;
        self.say("Start checking Old-Style AOF");
        let shown = path.display().to_string();
        match self.check_file(&shown, path, true, preamble)? {
            Outcome::Ok => self.say(&format!("AOF {shown} is valid")),
            Outcome::Empty => self.say(&format!("AOF {shown} is empty")),
            Outcome::Truncated => self.say(&format!("Successfully truncated AOF {shown}")),
            Outcome::TimestampTruncated => self.say(&format!(
                "Successfully truncated AOF {shown} to timestamp {}",
                self.timestamp()
            )),
        }
        Ok(())
    }

    /// Checks the base and incremental files a manifest names.
    fn check_manifest(&mut self, path: &Path) -> Result<(), Abort> {
        self.say("Start checking Multi Part AOF");
        let manifest = Manifest::load(path).map_err(|e| Abort(e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let files = manifest.files_to_load();
        let total = files.len();
        for (i, f) in files.iter().enumerate() {
            let file_path = dir.join(&f.name);
            let last = i + 1 == total;
            let is_base = manifest.base.as_ref() == Some(*f);
            let preamble = is_base && is_rdb(&file_path)?;
            let label = if is_base {
                self.say(&format!(
                    "Start to check BASE AOF ({} format).",
                    if preamble { "RDB" } else { "RESP" }
                ));
                "BASE"
            } else {
                if i == usize::from(manifest.base.is_some()) {
                    self.say("Start to check INCR files.");
                }
                "INCR"
            };
            match self.check_file(&f.name, &file_path, last, preamble)? {
                Outcome::Ok => self.say(&format!("{label} AOF {} is valid", f.name)),
                Outcome::Empty => self.say(&format!("{label} AOF {} is empty", f.name)),
                Outcome::Truncated => self.say(&format!("Successfully truncated AOF {}", f.name)),
                Outcome::TimestampTruncated => self.say(&format!(
                    "Successfully truncated AOF {} to timestamp {}",
                    f.name,
                    self.timestamp()
                )),
            }
        }
        self.say("All AOF files and manifest are valid");
        Ok(())
    }

    /// Checks one file; `name` is how it is reported.
    fn check_file(
        &mut self,
        name: &str,
        path: &Path,
        last: bool,
        preamble: bool,
    ) -> Result<Outcome, Abort> {
        let mut file = File::open(path).map_err(|e| {
            Abort(format!(
                "Cannot open file {}: {e}, aborting...",
                path.display()
            ))
        })?;
        let size = file
            .metadata()
            .map_err(|_| Abort(format!("Cannot stat file: {name}, aborting...")))?
            .len();
        if size == 0 {
            return Ok(Outcome::Empty);
        }
        let mut start = 0;
        if preamble {
            start = rdb_end(&mut file)
                .ok_or_else(|| Abort("RDB preamble of AOF file is not sane, aborting.".into()))?;
            self.say("RDB preamble is OK, proceeding with AOF tail...");
        }
        file.seek(SeekFrom::Start(start))
            .map_err(|e| Abort(format!("Failed to fseek in AOF {name}: {e}")))?;
        let limit = match self.mode {
            Mode::TruncateTo(t) => Some(t),
            _ => None,
        };
        let scan = scan_commands(BufReader::new(file), start, limit)
            .map_err(|_| Abort(format!("Failed to read from AOF {name}, aborting...")))?;
        if let Some(at) = scan.cut_at_timestamp {
            return self.cut_at_timestamp(name, path, at, last);
        }
        if let Some(err) = &scan.error {
            self.say(err);
        }
        let diff = size - scan.ok_up_to;
        if diff == 0 && limit.is_some() {
            self.say(&format!(
                "Truncate nothing in AOF {name} to timestamp {}",
                self.timestamp()
            ));
            return Ok(Outcome::Ok);
        }
        self.say(&format!(
            "AOF analyzed: filename={name}, size={size}, ok_up_to={}, ok_up_to_line={}, diff={diff}",
            scan.ok_up_to, scan.ok_up_to_line
        ));
        if diff == 0 {
            return Ok(Outcome::Ok);
        }
        if self.mode != Mode::Fix {
            return Err(Abort(format!(
                "AOF {name} is not valid. Use the --fix option to try fixing it."
            )));
        }
        if !last {
            return Err(Abort(format!(
                "Failed to truncate AOF {name} because it is not the last file"
            )));
        }
        self.say(&format!(
            "This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {} bytes",
            scan.ok_up_to
        ));
        let _ = write!(self.out, "Continue? [y/N]: ");
        let _ = self.out.flush();
        let mut answer = String::new();
        let _ = self.input.read_line(&mut answer);
        if !answer.trim_start().to_ascii_lowercase().starts_with('y') {
            return Err(Abort("Aborting...".into()));
        }
        truncate(path, scan.ok_up_to)
            .map_err(|_| Abort(format!("Failed to truncate AOF {name}")))?;
        Ok(Outcome::Truncated)
    }

    /// Cuts `path` at the timestamp annotation at `at`.
    fn cut_at_timestamp(
        &mut self,
        name: &str,
        path: &Path,
        at: u64,
        last: bool,
    ) -> Result<Outcome, Abort> {
        let ts = self.timestamp();
        if at == 0 {
            return Err(Abort(format!(
                "AOF {name} has nothing before timestamp {ts}, aborting..."
            )));
        }
        if !last {
            return Err(Abort(format!(
                "Failed to truncate AOF {name} to timestamp {ts} to offset {at} because it is not the last file.\n\
                 If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run ferrodis-check-aof."
            )));
        }
        truncate(path, at)
            .map_err(|_| Abort(format!("Failed to truncate AOF {name} to timestamp {ts}")))?;
        Ok(Outcome::TimestampTruncated)
    }

    /// The `--truncate-to-timestamp` limit (0 if none).
    fn timestamp(&self) -> i64 {
        match self.mode {
            Mode::TruncateTo(t) => t,
            _ => 0,
        }
    }

    /// Prints one line of the report.
    fn say(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}");
    }
}

/// Cuts `path` to `len` bytes and syncs it.
fn truncate(path: &Path, len: u64) -> io::Result<()> {
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_all()
}

/// Whether `path` is a manifest: a line (not a comment) starts with `file`.
fn is_manifest(path: &Path) -> Result<bool, Abort> {
    let data = read_all(path)?;
    Ok(data
        .split(|&b| b == b'\n')
        .filter(|l| l.first() != Some(&b'#'))
        .any(|l| l.starts_with(b"file")))
}

/// Whether `path` starts with an RDB header.
fn is_rdb(path: &Path) -> Result<bool, Abort> {
    let mut f = open(path)?;
    let mut sig = [0u8; 8];
    Ok(f.read_exact(&mut sig).is_ok() && sig.starts_with(b"REDIS"))
}

/// Opens `path` or aborts with Redis's message.
fn open(path: &Path) -> Result<File, Abort> {
    File::open(path).map_err(|e| Abort(format!("Cannot open file {}: {e}", path.display())))
}

/// Reads `path` whole, or aborts.
fn read_all(path: &Path) -> Result<Vec<u8>, Abort> {
    let mut data = Vec::new();
    open(path)?
        .read_to_end(&mut data)
        .map_err(|_| Abort(format!("Cannot read file: {}", path.display())))?;
    Ok(data)
}

/// Reads the RDB at the start of `file` to its end; returns the offset after it, or
/// None if it is not a sound RDB.
fn rdb_end(file: &mut File) -> Option<u64> {
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(0)).ok()?;
    let options = ReadOptions {
        verify_checksum: true,
        input_len: Some(len),
    };
    let mut reader = RdbReader::with_options(BufReader::new(&*file), options).ok()?;
    loop {
        match reader.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => return Some(reader.position()),
            Err(e) if e.is_recoverable() => {}
            Err(_) => return None,
        }
    }
}

/// Scans RESP commands from `input` (at offset `start`) the way redis-check-aof does:
/// strict `*`/`$` prefixes and `\r\n`, MULTI/EXEC pairing, `#` annotations skipped
/// (or, with `truncate_to`, the first `#TS:` later than it is reported).
pub fn scan_commands<R: BufRead>(
    mut input: R,
    start: u64,
    truncate_to: Option<i64>,
) -> io::Result<Scan> {
    let mut s = Scanner {
        pos: start,
        line: 1,
        error: None,
    };
    let mut ok_up_to = start;
    let mut ok_line = 1;
    let mut multi = 0u32;
    loop {
        if multi == 0 {
            ok_up_to = s.pos;
            ok_line = s.line;
        }
        let first = match input.fill_buf()?.first() {
            Some(&b) => b,
            None => break,
        };
        if first == b'#' {
            let at = s.pos;
            let text = s.read_line(&mut input)?;
            if let (Some(limit), Some(text)) = (truncate_to, text) {
                if let Some(ts) = text.strip_prefix(b"#TS:") {
                    let ts = std::str::from_utf8(ts.trim_ascii_end())
                        .ok()
                        .and_then(|t| t.parse::<i64>().ok());
                    match ts {
                        Some(ts) if ts > limit => {
                            return Ok(Scan {
                                ok_up_to,
                                ok_up_to_line: ok_line,
                                error: None,
                                cut_at_timestamp: Some(at),
                            })
                        }
                        Some(_) => {}
                        None => {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                "Invalid timestamp annotation",
                            ))
                        }
                    }
                }
            }
            continue;
        }
        if first != b'*' {
            s.fail(s.pos, "AOF format error".to_string());
            break;
        }
        if !s.command(&mut input, &mut multi)? {
            break;
        }
    }
    if s.error.is_none() && multi > 0 {
        s.fail(
            s.pos,
            "Reached EOF before reading EXEC for MULTI".to_string(),
        );
    }
    Ok(Scan {
        ok_up_to,
        ok_up_to_line: ok_line,
        error: s.error,
        cut_at_timestamp: None,
    })
}

/// Position and first error of a scan.
struct Scanner {
    pos: u64,
    line: u64,
    error: Option<String>,
}

impl Scanner {
    /// Records the first error, as `0x<offset>: <what>`.
    fn fail(&mut self, at: u64, what: String) {
        if self.error.is_none() {
            self.error = Some(format!("0x{at:16x}: {what}"));
        }
    }

    /// Reads up to and including `\n` (at most MAX_LINE bytes); None at end of file.
    fn read_line<R: BufRead>(&mut self, input: &mut R) -> io::Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        let n = input.take(MAX_LINE as u64).read_until(b'\n', &mut buf)?;
        self.pos += n as u64;
        Ok((n > 0).then_some(buf))
    }

    /// Reads a `<prefix><number>\r\n` line.
    fn read_long<R: BufRead>(&mut self, input: &mut R, prefix: u8) -> io::Result<Option<i64>> {
        let at = self.pos;
        let Some(line) = self.read_line(input)? else {
            return Ok(None);
        };
        if line[0] != prefix {
            self.fail(
                at,
                format!(
                    "Expected prefix '{}', got: '{}'",
                    prefix as char,
                    line[0].escape_ascii()
                ),
            );
            return Ok(None);
        }
        let body = &line[1..];
        let digits = body
            .iter()
            .enumerate()
            .take_while(|&(i, b)| b.is_ascii_digit() || (i == 0 && *b == b'-'))
            .count();
        let n = std::str::from_utf8(&body[..digits])
            .ok()
            .and_then(|d| d.parse::<i64>().ok())
            .unwrap_or(0);
        if !self.newline(at, &body[digits..]) {
            return Ok(None);
        }
        Ok(Some(n))
    }

    /// Checks that `rest` starts with `\r\n`.
    fn newline(&mut self, at: u64, rest: &[u8]) -> bool {
        if rest.starts_with(b"\r\n") {
            self.line += 1;
            return true;
        }
        let b = |i: usize| rest.get(i).copied().unwrap_or(0);
        self.fail(
            at,
            format!("Expected \\r\\n, got: {:02x}{:02x}", b(0), b(1)),
        );
        false
    }

    /// Reads one command; false when it is incomplete or malformed.
    fn command<R: BufRead>(&mut self, input: &mut R, multi: &mut u32) -> io::Result<bool> {
        let Some(argc) = self.read_long(input, b'*')? else {
            return Ok(false);
        };
        for i in 0..argc.max(0) {
            let Some(len) = self.read_long(input, b'$')? else {
                return Ok(false);
            };
            let at = self.pos;
            if !(0..=i64::MAX - 2).contains(&len) {
                self.fail(at, format!("Expected to read string of {len} bytes, which is not in the suitable range"));
                return Ok(false);
            }
            let want = len as u64 + 2;
            let mut data = Vec::new();
            let got = input.take(want).read_to_end(&mut data)? as u64;
            self.pos += got;
            if got != want {
                self.fail(
                    at,
                    format!("Expected to read {want} bytes, got {got} bytes"),
                );
                return Ok(false);
            }
            if !self.newline(at, &data[len as usize..]) {
                return Ok(false);
            }
            if i == 0 {
                let name = &data[..len as usize];
                if name.eq_ignore_ascii_case(b"multi") {
                    *multi += 1;
                    if *multi > 1 {
                        self.fail(at, "Unexpected MULTI".to_string());
                        return Ok(false);
                    }
                } else if name.eq_ignore_ascii_case(b"exec") {
                    if *multi != 1 {
                        self.fail(at, "Unexpected EXEC".to_string());
                        return Ok(false);
                    }
                    *multi = 0;
                }
            }
        }
        Ok(true)
    }
}

/// The files a manifest at `path` names, in load order (for tools and tests).
pub fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, Abort> {
    let manifest = Manifest::load(path).map_err(|e| Abort(e.to_string()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok(manifest
        .files_to_load()
        .iter()
        .map(|f| dir.join(&f.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_like_redis_check_aof() {
        let good = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n";
        let s = scan_commands(&good[..], 0, None).unwrap();
        assert_eq!(s.error, None);
        assert_eq!(s.ok_up_to, good.len() as u64);

        let cut = &good[..good.len() - 3];
        let s = scan_commands(cut, 0, None).unwrap();
        assert_eq!(s.ok_up_to, 23, "back to the MULTI");
        assert!(s.error.unwrap().contains("Expected to read"));

        let s = scan_commands(&b"*1\r\n$3\r\nabc\n\n"[..], 0, None).unwrap();
        assert_eq!(s.ok_up_to, 0);
        assert!(s.error.unwrap().contains("Expected \\r\\n, got: 0a0a"));
    }

    #[test]
    fn fix_truncates_the_last_file_after_confirmation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appendonly.aof");
        std::fs::write(&path, b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGE").unwrap();
        let arg = path.display().to_string();
        let mut out = Vec::new();
        assert_eq!(run(std::slice::from_ref(&arg), &mut &b""[..], &mut out), 1);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.contains("ok_up_to=14"), "{text}");
        assert!(
            text.contains("is not valid. Use the --fix option"),
            "{text}"
        );

        let mut out = Vec::new();
        assert_eq!(
            run(&["--fix".into(), arg.clone()], &mut &b"n\n"[..], &mut out),
            1
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 24);

        let mut out = Vec::new();
        assert_eq!(
            run(&["--fix".into(), arg.clone()], &mut &b"y\n"[..], &mut out),
            0
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"*1\r\n$4\r\nPING\r\n");
        let mut out = Vec::new();
        assert_eq!(run(&[arg], &mut &b""[..], &mut out), 0);
        assert!(String::from_utf8_lossy(&out).contains("is valid"));
    }
}
