//! The AOF manifest of Redis 7's multi-part layout: a text file in `appenddirname`
//! named `<appendfilename>.manifest`, one line per file:
//!
//! ```text
//! file appendonly.aof.2.base.rdb seq 2 type b
//! file appendonly.aof.2.incr.aof seq 2 type i
//! ```
//!
//! `b` is the base (at most one, always first), `h` a history file waiting to be
//! deleted after a rewrite, `i` an incremental file (in increasing `seq` order; the last
//! one is the file being appended to). Lines starting with `#` are comments; extra
//! key/value pairs are ignored (forward compatibility, as Redis does). The manifest is
//! replaced atomically: temp file, fsync, rename, fsync of the directory.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::util::split_args::split_args;

/// Longest manifest line Redis accepts.
const MAX_LINE: usize = 1024;
/// Suffix of a base file in commands form.
const AOF_SUFFIX: &str = ".aof";
/// Suffix of a base file in RDB form.
const RDB_SUFFIX: &str = ".rdb";

/// The role of a file listed in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The base: the dataset at the last rewrite (RDB or commands).
    Base,
    /// A file replaced by a rewrite, deleted once the new manifest is durable.
    History,
    /// Commands appended after the base.
    Incr,
}

impl FileKind {
    /// The manifest's one-letter code.
    fn code(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::History => 'h',
            FileKind::Incr => 'i',
        }
    }
}

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    /// File name inside the AOF directory (never a path).
    pub name: String,
    /// Sequence number.
    pub seq: u64,
    /// Role.
    pub kind: FileKind,
}

/// The parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file, if any.
    pub base: Option<AofFile>,
    /// Files to delete.
    pub history: Vec<AofFile>,
    /// Incremental files, oldest first.
    pub incr: Vec<AofFile>,
    /// Highest base sequence number used.
    pub base_seq: u64,
    /// Highest incremental sequence number used.
    pub incr_seq: u64,
}

/// Why a manifest could not be read.
#[derive(Debug)]
pub struct ManifestError {
    /// 1-based line number (0 when the error is about the whole file).
    pub line: usize,
    /// The offending line, trimmed.
    pub text: String,
    /// What is wrong, in Redis's words.
    pub reason: &'static str,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(self.reason)
        } else {
            write!(
                f,
                "{} (reading the manifest file, at line {}: '{}')",
                self.reason, self.line, self.text
            )
        }
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Parses the text of a manifest with Redis's rules; an empty file is an error.
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut max_incr_seq = 0;
        let mut lines = 0;
        for (index, raw) in text.split_inclusive(|&b| b == b'\n').enumerate() {
            lines += 1;
            let lineno = index + 1;
            if raw.first() == Some(&b'#') {
                continue;
            }
            let shown = String::from_utf8_lossy(raw.trim_ascii()).into_owned();
            let err = |reason| ManifestError {
                line: lineno,
                text: shown.clone(),
                reason,
            };
            if raw.len() > MAX_LINE + 1 || raw.last() != Some(&b'\n') {
                return Err(err("The AOF manifest file contains too long line"));
            }
            let line = raw.trim_ascii();
            if line.is_empty() {
                return Err(err("Invalid AOF manifest file format"));
            }
            let info = parse_line(line).map_err(err)?;
            match info.kind {
                FileKind::Base => {
                    if m.base.is_some() {
                        return Err(err("Found duplicate base file information"));
                    }
                    m.base_seq = info.seq;
                    m.base = Some(info);
                }
                FileKind::History => m.history.push(info),
                FileKind::Incr => {
                    if info.seq <= max_incr_seq {
                        return Err(err("Found a non-monotonic sequence number"));
                    }
                    max_incr_seq = info.seq;
                    m.incr_seq = info.seq;
                    m.incr.push(info);
                }
            }
        }
        if lines == 0 {
            return Err(ManifestError {
                line: 0,
                text: String::new(),
                reason: "Found an empty AOF manifest",
            });
        }
        Ok(m)
    }

    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Manifest, ManifestLoadError> {
        let text = fs::read(path).map_err(|err| ManifestLoadError::Read {
            path: path.to_path_buf(),
            err,
        })?;
        Manifest::parse(&text).map_err(|err| ManifestLoadError::Format {
            path: path.to_path_buf(),
            err,
        })
    }

    /// The manifest as text: base, then history, then incremental files.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let all = self
            .base
            .iter()
            .chain(self.history.iter())
            .chain(self.incr.iter());
        for f in all {
            out.push_str(&format!(
                "file {} seq {} type {}\n",
                quote_name(&f.name),
                f.seq,
                f.kind.code()
            ));
        }
        out
    }

    /// Whether the manifest lists no base and no incremental file.
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incr.is_empty()
    }

    /// The base (if any) then the incremental files: what loading replays, in order.
    pub fn files_to_load(&self) -> Vec<&AofFile> {
        self.base.iter().chain(self.incr.iter()).collect()
    }

    /// Names a new base file (`<prefix>.<seq>.base.rdb|aof`), making the current base a
    /// history file. Returns the new name.
    pub fn new_base(&mut self, prefix: &str, rdb: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.insert(0, old);
        }
        self.base_seq += 1;
        let suffix = if rdb { RDB_SUFFIX } else { AOF_SUFFIX };
        let name = format!("{prefix}.{}.base{suffix}", self.base_seq);
        self.base = Some(AofFile {
            name: name.clone(),
            seq: self.base_seq,
            kind: FileKind::Base,
        });
        name
    }

    /// Adds a new incremental file (`<prefix>.<seq>.incr.aof`) and returns its name.
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}.incr{AOF_SUFFIX}", self.incr_seq);
        self.incr.push(AofFile {
            name: name.clone(),
            seq: self.incr_seq,
            kind: FileKind::Incr,
        });
        name
    }

    /// After a rewrite: every incremental file except the last (when `keep_last`, the
    /// one still being written) becomes a history file.
    pub fn retire_incr(&mut self, keep_last: bool) {
        let keep = if keep_last { self.incr.pop() } else { None };
        for mut f in self.incr.drain(..).rev() {
            f.kind = FileKind::History;
            self.history.insert(0, f);
        }
        self.incr.extend(keep);
    }
}

/// Why the manifest file could not be used.
#[derive(Debug)]
pub enum ManifestLoadError {
    /// It could not be read.
    Read {
        /// The manifest.
        path: PathBuf,
        /// The system's reason.
        err: io::Error,
    },
    /// Its content is invalid.
    Format {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        err: ManifestError,
    },
}

impl fmt::Display for ManifestLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestLoadError::Read { path, err } => write!(
                f,
                "can't open the AOF manifest file {} for reading: {err}",
                path.display()
            ),
            ManifestLoadError::Format { path, err } => {
                write!(f, "bad AOF manifest file {}: {err}", path.display())
            }
        }
    }
}

impl std::error::Error for ManifestLoadError {}

/// Parses the key/value pairs of one non-comment line.
fn parse_line(line: &[u8]) -> Result<AofFile, &'static str> {
    const FORMAT: &str = "Invalid AOF manifest file format";
    let args = split_args(line, false).ok_or(FORMAT)?;
    if args.len() < 6 || args.len() % 2 != 0 {
        return Err(FORMAT);
    }
    let (mut name, mut seq, mut kind) = (None, 0u64, None);
    for pair in args.chunks(2) {
        let value = &pair[1];
        if pair[0].eq_ignore_ascii_case(b"file") {
            let n = String::from_utf8_lossy(value).into_owned();
            if n.contains('/') {
                return Err("File can't be a path, just a filename");
            }
            name = Some(n);
        } else if pair[0].eq_ignore_ascii_case(b"seq") {
            seq = atoll(value);
        } else if pair[0].eq_ignore_ascii_case(b"type") {
            kind = value.first().copied();
        }
    }
    let (Some(name), Some(code)) = (name, kind) else {
        return Err(FORMAT);
    };
    if name.is_empty() || seq == 0 {
        return Err(FORMAT);
    }
    let kind = match code {
        b'b' => FileKind::Base,
        b'h' => FileKind::History,
        b'i' => FileKind::Incr,
        _ => return Err("Unknown AOF file type"),
    };
    Ok(AofFile { name, seq, kind })
}

/// C's `atoll` for sequence numbers: leading digits, 0 when there are none (or the
/// value is negative, which the manifest never holds).
fn atoll(s: &[u8]) -> u64 {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&s[..digits])
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// A file name as the manifest writes it: bare when it has no space, quote or control
/// byte, else double-quoted with escapes (Redis's sdscatrepr).
fn quote_name(name: &str) -> String {
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain {
        return name.to_string();
    }
    let mut out = Vec::new();
    crate::util::repr::append_repr(&mut out, name.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// Replaces `dir/<name>` with `text` atomically and durably: writes `dir/temp-<name>`,
/// fsyncs it, renames it over the manifest and fsyncs the directory.
pub fn write_manifest(dir: &Path, name: &str, text: &str) -> io::Result<()> {
    let temp = dir.join(format!("temp-{name}"));
    let target = dir.join(name);
    let result = (|| {
        let mut f = File::create(&temp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        fs::rename(&temp, &target)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        // Best effort: the temp file may not exist.
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_redis_manifests() {
        let text = b"file appendonly.aof.2.base.rdb seq 2 type b\n\
                     file appendonly.aof.2.incr.aof seq 2 type i\n";
        let m = Manifest::parse(text).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.2.base.rdb");
        assert_eq!((m.base_seq, m.incr_seq), (2, 2));
        assert_eq!(m.to_text().as_bytes(), text);
        let with_history =
            b"# comment\nfile a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type h\n\
                             file a.2.incr.aof seq 2 type i extra v\n";
        let m = Manifest::parse(with_history).unwrap();
        assert_eq!(m.history.len(), 1);
        assert_eq!(m.incr.len(), 1);
    }

    #[test]
    fn rejects_bad_manifests_with_redis_reasons() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "Found an empty AOF manifest"),
            (b"\n", "Invalid AOF manifest file format"),
            (b"file a seq 1\n", "Invalid AOF manifest file format"),
            (
                b"file a/b seq 1 type b\n",
                "File can't be a path, just a filename",
            ),
            (b"file a seq 1 type x\n", "Unknown AOF file type"),
            (
                b"file a seq 1 type b\nfile b seq 2 type b\n",
                "Found duplicate base file information",
            ),
            (
                b"file a seq 2 type i\nfile b seq 2 type i\n",
                "Found a non-monotonic sequence number",
            ),
            (
                b"file a seq 1 type b",
                "The AOF manifest file contains too long line",
            ),
        ];
        for (text, reason) in cases {
            let err = Manifest::parse(text).unwrap_err();
            assert_eq!(err.reason, *reason, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn rewrite_bookkeeping_moves_old_files_to_history() {
        let mut m = Manifest::default();
        assert_eq!(
            m.new_base("appendonly.aof", true),
            "appendonly.aof.1.base.rdb"
        );
        assert_eq!(m.new_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        assert_eq!(m.new_incr("appendonly.aof"), "appendonly.aof.2.incr.aof");
        assert_eq!(
            m.new_base("appendonly.aof", false),
            "appendonly.aof.2.base.aof"
        );
        m.retire_incr(true);
        let names: Vec<_> = m.history.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["appendonly.aof.1.incr.aof", "appendonly.aof.1.base.rdb"]
        );
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.incr[0].name, "appendonly.aof.2.incr.aof");
        let back = Manifest::parse(m.to_text().as_bytes()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn odd_file_names_round_trip() {
        let mut m = Manifest::default();
        m.new_base("my file.aof", false);
        let back = Manifest::parse(m.to_text().as_bytes()).unwrap();
        assert_eq!(back.base.unwrap().name, "my file.aof.1.base.aof");
    }
}
