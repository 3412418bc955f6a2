//! The RDB checker behind `ferrodis-check-rdb` and behind the report the server logs
//! when the dump it starts from cannot be read (Redis runs its `redis-check-rdb` at
//! that point too): reads a file as the loader would and reports, one line at a time,
//! what it holds (aux fields, databases, keys per type, expiries) or the first error
//! and its byte offset, in `redis-check-rdb`'s shape.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::format::encoding_name;
use super::{RdbError, RdbEvent, RdbReader, ReadOptions};
use crate::util::time;

/// Key counts of one database.
#[derive(Default)]
struct DbSummary {
    keys: u64,
    expires: u64,
}

/// What the check found so far.
#[derive(Default)]
struct Summary {
    dbs: BTreeMap<u32, DbSummary>,
    types: BTreeMap<&'static str, u64>,
    keys: u64,
    expires: u64,
    already_expired: u64,
    skipped: u64,
}

/// Checks the RDB file at `path`, handing each line of the report to `out` (without
/// a line end). Returns whether the file is sound.
pub fn check_file(path: &Path, out: &mut dyn FnMut(&str)) -> bool {
    let mut say = |line: String| out(&line);
    say(format!("[offset 0] Checking RDB file {}", path.display()));
    let opened = File::open(path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    let (file, len) = match opened {
        Ok(pair) => pair,
        Err(e) => {
            say(format!("Cannot open RDB file {}: {e}", path.display()));
            return false;
        }
    };
    let options = ReadOptions {
        verify_checksum: true,
        input_len: Some(len),
    };
    let mut reader = match RdbReader::with_options(BufReader::new(file), options) {
        Ok(r) => r,
        Err(e) => {
            report_error(&e, &Summary::default(), &mut say);
            return false;
        }
    };
    say(format!("[offset 9] RDB version {}", reader.version()));
    let mut summary = Summary::default();
    let now_ms = time::now_ms();
    loop {
        let at = reader.position();
        match reader.next_event() {
            Ok(None) => break,
            Ok(Some(event)) => record(&mut summary, event, at, now_ms, path, &mut say),
            Err(e) if e.is_recoverable() => {
                say(format!(
                    "[offset {}] warning: skipped an entry: {}",
                    e.offset, e.kind
                ));
                summary.skipped += 1;
            }
            Err(e) => {
                report_error(&e, &summary, &mut say);
                return false;
            }
        }
    }
    print_summary(&summary, reader.position(), &mut say);
    true
}

/// Accounts for one event, reporting the structural ones as redis-check-rdb does.
fn record(
    s: &mut Summary,
    event: RdbEvent,
    at: u64,
    now_ms: i64,
    path: &Path,
    say: &mut impl FnMut(String),
) {
    match event {
        RdbEvent::Aux { key, value } => say(format!(
            "[offset {at}] AUX FIELD {} = '{}'",
            key.escape_ascii(),
            value.escape_ascii()
        )),
        RdbEvent::SelectDb(db) => say(format!("[offset {at}] Selecting DB ID {db}")),
        RdbEvent::ResizeDb { .. } | RdbEvent::SlotInfo { .. } => {}
        RdbEvent::Function(code) => say(format!(
            "[offset {at}] function library ({} bytes of code)",
            code.len()
        )),
        RdbEvent::ModuleAuxSkipped => say(format!("[offset {at}] module aux data (not checked)")),
        RdbEvent::Entry(entry) => {
            s.keys += 1;
            *s.types.entry(entry.value.type_name()).or_default() += 1;
            let db = s.dbs.entry(entry.db).or_default();
            db.keys += 1;
            if let Some(when) = entry.expire_ms {
                db.expires += 1;
                s.expires += 1;
                if when < now_ms {
                    s.already_expired += 1;
                }
            }
        }
        RdbEvent::Eof => say(match stored_checksum(path) {
            Some(0) => format!(
                "[offset {at}] RDB file was saved with checksum disabled: no check performed."
            ),
            _ => format!("[offset {at}] Checksum OK"),
        }),
    }
}

/// The 8 bytes at the end of the file (the stored CRC-64), if readable.
fn stored_checksum(path: &Path) -> Option<u64> {
    let mut f = File::open(path).ok()?;
    f.seek(SeekFrom::End(-8)).ok()?;
    let mut buf = [0u8; 8];
    f.read_exact(&mut buf).ok()?;
    Some(u64::from_le_bytes(buf))
}

/// Reports the summary of a sound file.
fn print_summary(s: &Summary, end: u64, say: &mut impl FnMut(String)) {
    say(format!("[offset {end}] \\o/ RDB looks OK! \\o/"));
    print_counts(s, say);
    for (id, db) in &s.dbs {
        say(format!(
            "[info] db {id}: {} keys, {} with an expiry",
            db.keys, db.expires
        ));
    }
    let types: Vec<String> = s.types.iter().map(|(t, n)| format!("{t}={n}")).collect();
    if !types.is_empty() {
        say(format!("[info] types: {}", types.join(" ")));
    }
}

/// Reports the key counters.
fn print_counts(s: &Summary, say: &mut impl FnMut(String)) {
    say(format!("[info] {} keys read", s.keys));
    say(format!("[info] {} expires", s.expires));
    say(format!("[info] {} already expired", s.already_expired));
    if s.skipped > 0 {
        say(format!("[info] {} entries skipped", s.skipped));
    }
}

/// Reports the error block for `e` and what was read before it.
fn report_error(e: &RdbError, s: &Summary, say: &mut impl FnMut(String)) {
    say("--- RDB ERROR DETECTED ---".to_string());
    say(format!("[offset {}] {}", e.offset, e.kind));
    if let Some(r) = &e.reading {
        say(format!(
            "[additional info] Reading key '{}'",
            r.key.escape_ascii()
        ));
        say(format!(
            "[additional info] Reading type {} ({})",
            r.value_type,
            encoding_name(r.value_type)
        ));
    }
    print_counts(s, say);
}
