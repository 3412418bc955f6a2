//! `ferrodis-check-rdb FILE`: reads an RDB file as the server would and prints what it
//! holds (aux fields, keys per database and per type, expiries) or the first error and
//! its byte offset, like `redis-check-rdb`. Exit status 0 if the file is sound, 1 if not
//! (or if it cannot be read).

use std::path::Path;
use std::process::ExitCode;

use ferrodis::persistence::rdb::check::check_file;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("Usage: ferrodis-check-rdb <rdb-file-name>");
        return ExitCode::FAILURE;
    };
    if check_file(Path::new(path), &mut |line| println!("{line}")) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
