//! Crash reports in the log: a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT)
//! or a panic writes what happened and a stack trace to the log file before the
//! process dies, as Redis's bug report does. Without it a crash would leave the log
//! silent: a panic message goes to stderr, which a daemon's operator rarely sees.
//!
//! The report is written with plain `write` calls on a handle of its own (no logger
//! lock that the crashing code might hold). Capturing the stack trace allocates,
//! which is not async-signal-safe: like Redis's, the report is best effort, and the
//! handler then lets the signal kill the process as it would have.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::OnceLock;

/// Where reports go: the log file, or stdout (None) when logging to stdout.
static REPORT_FILE: OnceLock<Option<File>> = OnceLock::new();

/// The signals that end the process with a report.
const FATAL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGABRT,
];

/// Installs the panic hook and the fatal-signal handlers, writing to `logfile` (empty:
/// stdout). Called once, after the logger.
pub fn install(logfile: &str) {
    let file = if logfile.is_empty() {
        None
    } else {
        OpenOptions::new()
            .append(true)
            .create(true)
            .open(logfile)
            .ok()
    };
    if REPORT_FILE.set(file).is_err() {
        return;
    }
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let what = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_string(),
            None => info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "unknown panic".to_string()),
        };
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed");
        report(&format!(
            "ferrodis {} panicked in thread '{name}': {what}{place}",
            env!("CARGO_PKG_VERSION")
        ));
        default_hook(info);
    }));
    for sig in FATAL_SIGNALS {
        // SAFETY: `sigaction` is given a zero-initialised struct whose handler is an
        // `extern "C"` function with the SA_SIGINFO signature; SA_RESETHAND restores
        // the default action once it runs, so re-raising the signal ends the process
        // (and a fault inside the handler cannot loop).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_fatal_signal as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESETHAND | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// The handler of the fatal signals: reports, then dies of the same signal.
extern "C" fn on_fatal_signal(
    sig: libc::c_int,
    _info: *mut libc::siginfo_t,
    _ctx: *mut libc::c_void,
) {
    report(&format!(
        "ferrodis {} crashed by signal: {sig} ({})",
        env!("CARGO_PKG_VERSION"),
        signal_name(sig)
    ));
    // SAFETY: SA_RESETHAND put back the default action, which `raise` now triggers.
    unsafe {
        libc::raise(sig);
    }
}

fn signal_name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        _ => "signal",
    }
}

/// Writes the report: the headline, then the stack trace of the current thread.
fn report(headline: &str) {
    let trace = std::backtrace::Backtrace::force_capture();
    let text = format!(
        "\n\n=== FERRODIS BUG REPORT START ===\n{}\n------ STACK TRACE ------\n{trace}\n=== FERRODIS BUG REPORT END: please report it with what led to it ===\n",
        super::logging::format_line('#', headline)
    );
    match REPORT_FILE.get() {
        Some(Some(file)) => {
            let mut f: &File = file;
            let _ = f.write_all(text.as_bytes());
        }
        _ => {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
}
