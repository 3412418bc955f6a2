//! `rdb-del-sync-files`: a replica without persistence (no save points, no AOF) removes
//! the RDB file a full sync from disk left in its directory, as Redis 7.0 does; with
//! persistence, or with the option off, the file stays. The master never leaves the
//! file it wrote for a sync behind.

mod common;

use std::path::Path;

use common::repl::{info, SYNC_TIMEOUT};
use common::{wait_until, TestServer};

/// A master with data, persistence off, syncing replicas from a disk file.
fn disk_master() -> TestServer {
    let master = TestServer::start_with(&["--repl-diskless-sync", "no"]);
    let mut con = master.conn();
    for i in 0..100 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    master
}

/// Starts a replica of `master` with `extra` options and waits for its first sync.
fn synced_replica(master: &TestServer, extra: &[&str]) -> TestServer {
    let port = master.port.to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    let replica = TestServer::start_with(&args);
    let synced = wait_until(SYNC_TIMEOUT, || {
        info(&replica, "replication", "master_link_status") == "up"
            && info(&replica, "keyspace", "db0").starts_with("keys=100,")
    });
    assert!(
        synced,
        "the replica did not sync\n{}",
        replica.log_contents()
    );
    replica
}

/// The `.rdb` files in `dir`.
fn rdb_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rdb"))
        .collect()
}

#[test]
fn replica_without_persistence_removes_the_sync_file() {
    let master = disk_master();
    let replica = synced_replica(&master, &["--rdb-del-sync-files", "yes"]);
    // Redis checks for persistence while the AOF is stopped for the sync, so a replica
    // whose only persistence is the AOF removes the file too (its AOF is rewritten).
    let aof_replica = synced_replica(
        &master,
        &["--rdb-del-sync-files", "yes", "--appendonly", "yes"],
    );
    for r in [&replica, &aof_replica] {
        let gone = wait_until(SYNC_TIMEOUT, || rdb_files(r.dir.path()).is_empty());
        assert!(
            gone,
            "{:?} left\n{}",
            rdb_files(r.dir.path()),
            r.log_contents()
        );
        assert!(r
            .log_contents()
            .contains("Removing the RDB file obtained from the master"));
    }
    // The data stays, and the stream keeps flowing.
    let mut con = master.conn();
    let _: () = redis::cmd("SET")
        .arg("after")
        .arg("1")
        .query(&mut con)
        .unwrap();
    assert!(wait_until(SYNC_TIMEOUT, || {
        let mut rcon = replica.conn();
        redis::cmd("GET")
            .arg("after")
            .query::<Option<String>>(&mut rcon)
            .unwrap()
            .is_some()
    }));
    // The master wrote its sync file in its own directory and removed it.
    assert!(rdb_files(master.dir.path()).is_empty());
}

#[test]
fn replica_keeps_the_sync_file_with_save_points_or_the_option_off() {
    let master = disk_master();
    let with_saves = synced_replica(
        &master,
        &["--rdb-del-sync-files", "yes", "--save", "3600 1"],
    );
    let option_off = synced_replica(&master, &[]);
    for replica in [&with_saves, &option_off] {
        assert_eq!(rdb_files(replica.dir.path()), vec!["dump.rdb".to_string()]);
        assert!(!replica
            .log_contents()
            .contains("Removing the RDB file obtained from the master"));
    }
}

#[test]
fn option_set_at_runtime_applies_to_the_next_sync() {
    let master = disk_master();
    let replica = synced_replica(&master, &[]);
    assert_eq!(rdb_files(replica.dir.path()), vec!["dump.rdb".to_string()]);
    let mut rcon = replica.conn();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("rdb-del-sync-files")
        .arg("yes")
        .query(&mut rcon)
        .unwrap();
    // A new full sync (the replica forgets its master and follows it again).
    let _: () = redis::cmd("REPLICAOF")
        .arg("NO")
        .arg("ONE")
        .query(&mut rcon)
        .unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut rcon).unwrap();
    let _: () = redis::cmd("REPLICAOF")
        .arg("127.0.0.1")
        .arg(master.port)
        .query(&mut rcon)
        .unwrap();
    let gone = wait_until(SYNC_TIMEOUT, || {
        info(&replica, "keyspace", "db0").starts_with("keys=100,")
            && rdb_files(replica.dir.path()).is_empty()
    });
    assert!(gone, "{}", replica.log_contents());
}
