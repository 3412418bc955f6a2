//! `ferrodis-check-aof [--fix|--truncate-to-timestamp T] <file.manifest|file.aof>`:
//! checks an append-only file (Redis 7 multi-part via its manifest, or a single file of
//! Redis <= 6 with or without RDB preamble) like `redis-check-aof`, and with `--fix`
//! truncates a damaged tail after asking. Exit status 0 if valid (or fixed), 1 if not.

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let status = ferrodis::persistence::aof::check::run(&args, &mut input, &mut out);
    let _ = out.flush();
    if status == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
