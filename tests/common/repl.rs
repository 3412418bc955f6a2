//! Helpers for tests that run a ferrodis master with replicas.

use std::process::Command;
use std::time::Duration;

use super::{wait_until, TestServer};

/// How long a sync may take in these tests (debug builds on a shared machine).
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// Options every server of these tests gets: immediate diskless syncs, DEBUG allowed.
const ARGS: &[&str] = &[
    "--repl-diskless-sync-delay",
    "0",
    "--enable-debug-command",
    "yes",
];

/// One field of `INFO <section>`, or "" if absent.
pub fn info(srv: &TestServer, section: &str, field: &str) -> String {
    let mut con = srv.conn();
    let text: String = redis::cmd("INFO").arg(section).query(&mut con).unwrap();
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// An integer field of INFO (-1 when absent).
pub fn info_i64(srv: &TestServer, section: &str, field: &str) -> i64 {
    info(srv, section, field).parse().unwrap_or(-1)
}

/// Sends a signal (`-STOP`, `-CONT`) to a server process: a stopped replica neither
/// reads its stream nor acknowledges.
pub fn signal(srv: &TestServer, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &srv.pid().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig} {}", srv.pid());
}

/// Starts a ferrodis master.
pub fn master(extra: &[&str]) -> TestServer {
    let mut args = ARGS.to_vec();
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

/// Starts a real redis-server master with the same options as [`master`], then
/// `extra`; None (after a SKIPPED line) when redis-server is not installed.
pub fn real_redis_master(extra: &[&str]) -> Option<super::RealRedis> {
    let mut args = ARGS.to_vec();
    args.extend_from_slice(extra);
    super::start_redis_server(&args)
}

/// Starts a ferrodis replica of `port`.
pub fn replica_of(port: u16, extra: &[&str]) -> TestServer {
    let port = port.to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", port.as_str()];
    args.extend_from_slice(ARGS);
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

/// Waits until every replica's link is up and its offset equals the master's.
pub fn wait_synced(master: &TestServer, replicas: &[&TestServer]) {
    let ok = wait_until(SYNC_TIMEOUT, || {
        let target = info_i64(master, "replication", "master_repl_offset");
        replicas.iter().all(|r| {
            info(r, "replication", "master_link_status") == "up"
                && info_i64(r, "replication", "master_repl_offset") == target
        })
    });
    assert!(
        ok,
        "replicas did not catch up\n--- master ---\n{}\n--- replica ---\n{}",
        master.log_contents(),
        replicas
            .first()
            .map(|r| r.log_contents())
            .unwrap_or_default()
    );
}
