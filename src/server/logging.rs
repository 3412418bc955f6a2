//! Redis-style log lines: `pid:R dd Mon yyyy hh:mm:ss.mmm L message`, where R is the role
//! (M master, S replica, C snapshot thread) and L the level (`.` debug, `-` verbose,
//! `*` notice, `#` warning). Written to `logfile`, or stdout when it is empty.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use log::{Level, LevelFilter};

static ROLE: AtomicU8 = AtomicU8::new(b'M');

/// Sets the role character printed in every line.
pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

/// One log line without its newline: pid, role, time, level character, message.
pub fn format_line(level: char, message: &str) -> String {
    format!(
        "{}:{} {} {} {}",
        std::process::id(),
        ROLE.load(Ordering::Relaxed) as char,
        crate::util::time::log_timestamp(),
        level,
        message
    )
}

/// Maps Redis's loglevel names to a filter.
pub fn level_filter(name: &str) -> LevelFilter {
    match name {
        "debug" => LevelFilter::Trace,
        "verbose" => LevelFilter::Debug,
        "notice" => LevelFilter::Info,
        "warning" => LevelFilter::Warn,
        "nothing" => LevelFilter::Off,
        _ => LevelFilter::Info,
    }
}

/// Installs the logger. `logfile` empty means stdout. Safe to call more than once (only
/// the first call takes effect), which tests that embed the server rely on.
pub fn init(logfile: &str, level: LevelFilter) -> std::io::Result<()> {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    builder.format(|buf, record| {
        let level = match record.level() {
            Level::Error | Level::Warn => '#',
            Level::Info => '*',
            Level::Debug => '-',
            Level::Trace => '.',
        };
        writeln!(buf, "{}", format_line(level, &record.args().to_string()))
    });
    if !logfile.is_empty() {
        let file = OpenOptions::new().create(true).append(true).open(logfile)?;
        builder.target(env_logger::Target::Pipe(Box::new(file)));
    } else {
        builder.target(env_logger::Target::Stdout);
    }
    let _ = builder.try_init();
    Ok(())
}
