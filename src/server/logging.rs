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

/// The log target of text written as it is, without the pid/role/time prefix.
const RAW_TARGET: &str = "ferrodis::raw";

/// Logs `text` at notice level without the line prefix (Redis's `LL_RAW`).
fn raw(text: &str) {
    log::info!(target: RAW_TARGET, "{text}");
}

/// Announces the server once its listeners are open, as Redis does at that point: the
/// logo when `show_logo` (`always-show-logo`, or a log on a terminal), else one line.
/// Both give the port; the logo gives the pid too, in the ` PID: n` form that Redis's
/// own test harness waits for before it connects.
pub fn announce_start(port: u16, show_logo: bool) {
    if !show_logo {
        log::info!("Running mode=standalone, port={port}.");
        return;
    }
    let version = env!("CARGO_PKG_VERSION");
    let pid = std::process::id();
    let art = [
        String::new(),
        format!("     __________      ferrodis {version}, 64 bit"),
        "    /_________/|     speaks Redis 7.0".to_string(),
        "    |  Fe  26 | |    Running in standalone mode".to_string(),
        format!("    |  55.845 | /    Port: {port}"),
        format!("    |_________|/     PID: {pid}"),
        String::new(),
    ];
    raw(&art.join("\n"));
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
        if record.target() == RAW_TARGET {
            return writeln!(buf, "{}", record.args());
        }
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
