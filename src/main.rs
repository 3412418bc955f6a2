//! `ferrodis-server [config-file] [--option value ...]`, as `redis-server` takes them.

use std::io::IsTerminal;
use std::process::ExitCode;

use ferrodis::config::Config;
use ferrodis::persistence::load::StartupLoad;
use ferrodis::persistence::rdb::check::check_file;
use ferrodis::server::{crash_report, logging, Server};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-v" || a == "--version") {
        println!(
            "ferrodis server v={} (Redis protocol 7.0 compatible)",
            env!("CARGO_PKG_VERSION")
        );
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}", e);
            return ExitCode::FAILURE;
        }
    };
    // Redis works inside `dir`: relative dump, AOF and log paths resolve there.
    if let Err(e) = std::env::set_current_dir(&config.dir) {
        eprintln!("Can't chdir to '{}': {}", config.dir, e);
        return ExitCode::FAILURE;
    }
    let level = logging::level_filter(config.loglevel.name());
    if let Err(e) = logging::init(&config.logfile, level) {
        eprintln!("Can't open the log file {}: {}", config.logfile, e);
        return ExitCode::FAILURE;
    }
    // A crash (fatal signal or panic) leaves its report and stack trace in the log.
    crash_report::install(&config.logfile);
    log::info!("oO0OoO0OoO0Oo ferrodis is starting oO0OoO0OoO0Oo");
    log::info!(
        "ferrodis version={}, bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    // Before the server takes its first memory sample (see bio::start_threads).
    ferrodis::server::bio::start_threads();
    let mut srv = match Server::new(config) {
        Ok(s) => s,
        Err(e) => {
            log::error!("{}", e);
            eprintln!("{}", e);
            return ExitCode::FAILURE;
        }
    };
    srv.install_signal_handlers();
    srv.exit_on_a_second_sigint();
    // Logged if it fails; the server runs on with the score it has, as Redis's.
    let _ = srv.apply_oom_score_adj();
    ferrodis::server::info::record_startup_memory();
    let log_on_terminal = srv.config.logfile.is_empty() && std::io::stdout().is_terminal();
    logging::announce_start(
        srv.config.port,
        srv.config.always_show_logo || log_on_terminal,
    );
    if let Err(e) = srv.write_pidfile() {
        log::error!("{}", e);
    }
    log::info!("Server initialized");
    match srv.load_data_at_startup() {
        Ok(StartupLoad::Interrupted) => return serve_until_shutdown(srv),
        Ok(StartupLoad::NoFile | StartupLoad::Loaded(_)) => {}
        Err(e) => {
            log::error!("Fatal error loading the DB: {e}. Exiting.");
            if let Some(path) = e.unreadable_rdb_file() {
                // As Redis runs redis-check-rdb here: the report shows what was read
                // before the damage, for whoever has to decide what to do with the file.
                check_file(path, &mut |line| log::warn!("{line}"));
            }
            if e.is_rdb_read_failure() {
                log::error!("Terminating server after rdb file reading failure.");
            }
            return ExitCode::FAILURE;
        }
    }
    log::info!("Ready to accept connections");
    serve_until_shutdown(srv)
}

/// Runs the event loop until a shutdown completes, then exits without freeing the
/// dataset, as Redis does: the kernel takes the memory back at once, where dropping
/// the keys one by one took 0.3 s per million keys between "bye bye" and the exit
/// (long enough, with a big dataset, for a supervisor's stop timeout to end in a
/// SIGKILL). The shutdown sequence has already written and synced everything that
/// must reach the disk, removed the pidfile and closed the listeners.
fn serve_until_shutdown(mut srv: Server) -> ExitCode {
    srv.run();
    std::mem::forget(srv);
    log::logger().flush();
    ExitCode::SUCCESS
}
