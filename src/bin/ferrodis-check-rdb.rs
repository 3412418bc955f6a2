//! `ferrodis-check-rdb FILE`: reads an RDB file as the server would and prints what it
//! holds (aux fields, keys per database and per type, expiries) or the first error and
//! its byte offset, like `redis-check-rdb`. Exit status 0 if the file is sound, 1 if not
//! (or if it cannot be read).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::process::ExitCode;

use ferrodis::persistence::rdb::{RdbError, RdbEvent, RdbReader, ReadOptions};
use ferrodis::util::time;

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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("Usage: ferrodis-check-rdb <rdb-file-name>");
        return ExitCode::FAILURE;
    };
    println!("[offset 0] Checking RDB file {path}");
    if check(path) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Checks the file at `path`, printing progress, the summary or the error. Returns
/// whether the file is sound.
fn check(path: &str) -> bool {
    let Some((file, len)) = open(path) else {
        return false;
    };
    let options = ReadOptions {
        verify_checksum: true,
        input_len: Some(len),
    };
    let mut reader = match RdbReader::with_options(BufReader::new(file), options) {
        Ok(r) => r,
        Err(e) => {
            report_error(&e, &Summary::default());
            return false;
        }
    };
    println!("[offset 9] RDB version {}", reader.version());
    let mut summary = Summary::default();
    let now_ms = time::now_ms();
    loop {
        let at = reader.position();
        match reader.next_event() {
            Ok(None) => break,
            Ok(Some(event)) => record(&mut summary, event, at, now_ms, path),
            Err(e) if e.is_recoverable() => {
                println!(
                    "[offset {}] warning: skipped an entry: {}",
                    e.offset, e.kind
                );
                summary.skipped += 1;
            }
            Err(e) => {
                report_error(&e, &summary);
                return false;
            }
        }
    }
    print_summary(&summary, reader.position());
    true
}

/// Opens the file and reads its size, printing the reason on failure.
fn open(path: &str) -> Option<(File, u64)> {
    let opened = File::open(path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    match opened {
        Ok(pair) => Some(pair),
        Err(e) => {
            println!("Cannot open RDB file {path}: {e}");
            None
        }
    }
}

/// Accounts for one event, printing the structural ones as redis-check-rdb does.
fn record(s: &mut Summary, event: RdbEvent, at: u64, now_ms: i64, path: &str) {
    match event {
        RdbEvent::Aux { key, value } => println!(
            "[offset {at}] AUX FIELD {} = '{}'",
            key.escape_ascii(),
            value.escape_ascii()
        ),
        RdbEvent::SelectDb(db) => println!("[offset {at}] Selecting DB ID {db}"),
        RdbEvent::ResizeDb { .. } | RdbEvent::SlotInfo { .. } => {}
        RdbEvent::Function(code) => {
            println!(
                "[offset {at}] function library ({} bytes of code)",
                code.len()
            )
        }
        RdbEvent::ModuleAuxSkipped => println!("[offset {at}] module aux data (not checked)"),
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
        RdbEvent::Eof => match stored_checksum(path) {
            Some(0) => println!(
                "[offset {at}] RDB file was saved with checksum disabled: no check performed."
            ),
            _ => println!("[offset {at}] Checksum OK"),
        },
    }
}

/// The 8 bytes at the end of the file (the stored CRC-64), if readable.
fn stored_checksum(path: &str) -> Option<u64> {
    let mut f = File::open(path).ok()?;
    f.seek(SeekFrom::End(-8)).ok()?;
    let mut buf = [0u8; 8];
    f.read_exact(&mut buf).ok()?;
    Some(u64::from_le_bytes(buf))
}

/// Prints the summary of a sound file.
fn print_summary(s: &Summary, end: u64) {
    println!("[offset {end}] \\o/ RDB looks OK! \\o/");
    print_counts(s);
    for (id, db) in &s.dbs {
        println!(
            "[info] db {id}: {} keys, {} with an expiry",
            db.keys, db.expires
        );
    }
    let types: Vec<String> = s.types.iter().map(|(t, n)| format!("{t}={n}")).collect();
    if !types.is_empty() {
        println!("[info] types: {}", types.join(" "));
    }
}

/// Prints the key counters.
fn print_counts(s: &Summary) {
    println!("[info] {} keys read", s.keys);
    println!("[info] {} expires", s.expires);
    println!("[info] {} already expired", s.already_expired);
    if s.skipped > 0 {
        println!("[info] {} entries skipped", s.skipped);
    }
}

/// Prints the error block for `e` and what was read before it.
fn report_error(e: &RdbError, s: &Summary) {
    println!("--- RDB ERROR DETECTED ---");
    println!("[offset {}] {}", e.offset, e.kind);
    print_counts(s);
}
