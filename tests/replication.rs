//! Replication: full and partial resynchronisation between ferrodis servers and with
//! real Redis, the link faults the issue lists, and the replica-side rules (read-only,
//! stale data, expiry). Every wait is a bounded poll.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;

use common::repl::{
    info, info_i64, master, real_redis_master, replica_of, signal, wait_synced, SYNC_TIMEOUT,
};
use common::{check, wait_until, TestServer};

/// `DEBUG DIGEST` of a server.
fn digest(srv: &TestServer) -> String {
    let mut con = srv.conn();
    redis::cmd("DEBUG").arg("DIGEST").query(&mut con).unwrap()
}

/// Runs one command, returning its reply as a `redis::Value`.
fn cmd(srv: &TestServer, args: &[&str]) -> redis::RedisResult<redis::Value> {
    let mut con = srv.conn();
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(&mut con)
}

/// A string reply (or None for nil).
fn get(srv: &TestServer, db: i64, key: &str) -> Option<String> {
    let mut con = srv.conn();
    redis::cmd("SELECT").arg(db).query::<()>(&mut con).unwrap();
    redis::cmd("GET").arg(key).query(&mut con).unwrap()
}

/// Writes `n` mixed string-family commands over several databases, pipelined.
fn mixed_writes(srv: &TestServer, n: usize, seed: u64) {
    let mut con = srv.conn();
    let mut x = seed | 1;
    let mut pipe = redis::pipe();
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let db = (x % 4) as i64;
        let key = format!("k{}", x % 5000);
        pipe.cmd("SELECT").arg(db).ignore();
        match x % 9 {
            0 => pipe.cmd("SET").arg(&key).arg(format!("v{i}")).ignore(),
            1 => pipe
                .cmd("INCRBY")
                .arg(format!("n{}", x % 300))
                .arg(3)
                .ignore(),
            2 => pipe.cmd("APPEND").arg(&key).arg("xy").ignore(),
            3 => pipe.cmd("DEL").arg(&key).ignore(),
            4 => pipe
                .cmd("EXPIRE")
                .arg(&key)
                .arg(1000 + (x % 100) as i64)
                .ignore(),
            5 => pipe
                .cmd("SETRANGE")
                .arg(&key)
                .arg((x % 20) as i64)
                .arg("zz")
                .ignore(),
            6 => pipe
                .cmd("MSET")
                .arg(&key)
                .arg("m")
                .arg(format!("{key}b"))
                .arg(i)
                .ignore(),
            7 => pipe
                .cmd("INCRBYFLOAT")
                .arg(format!("f{}", x % 50))
                .arg("1.5")
                .ignore(),
            _ => pipe
                .cmd("SET")
                .arg(&key)
                .arg("big".repeat(40))
                .arg("PX")
                .arg(500_000)
                .ignore(),
        };
        if i % 2000 == 1999 || i + 1 == n {
            pipe.query::<()>(&mut con).unwrap();
            pipe = redis::pipe();
        }
    }
}

#[test]
fn full_sync_then_stream_and_replica_rules() {
    let m = master(&[]);
    cmd(&m, &["SET", "before", "1"]).unwrap();
    cmd(&m, &["SET", "gone", "x", "PX", "100000"]).unwrap();
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "before").as_deref(), Some("1"));
    mixed_writes(&m, 3000, 7);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    // Read-only replica; the error is Redis's, to the word.
    let err = cmd(&r, &["SET", "x", "1"]).unwrap_err();
    assert_eq!(err.code(), Some("READONLY"));
    assert!(err
        .to_string()
        .contains("You can't write against a read only replica."));
    // ROLE on both sides.
    let mut con = m.conn();
    let role: (String, i64, Vec<(String, String, String)>) =
        redis::cmd("ROLE").query(&mut con).unwrap();
    assert_eq!(role.0, "master");
    assert_eq!(role.2.len(), 1);
    assert_eq!(role.2[0].1, r.port.to_string());
    let mut con = r.conn();
    let role: (String, String, i64, String, i64) = redis::cmd("ROLE").query(&mut con).unwrap();
    assert_eq!(
        (role.0.as_str(), role.2, role.3.as_str()),
        ("slave", m.port as i64, "connected")
    );
    assert_eq!(info(&r, "replication", "role"), "slave");
    assert_eq!(info(&m, "replication", "connected_slaves"), "1");
    assert!(info(&m, "replication", "slave0").contains(&format!("port={},state=online", r.port)));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    // With a replica, the backlog exists. It and the replica's stream are one buffer,
    // allocated as the stream grows: with the replica caught up, it holds the
    // backlog's size (or the whole stream, if shorter) and at most two blocks more.
    assert_eq!(info(&m, "replication", "repl_backlog_active"), "1");
    let size = info_i64(&m, "replication", "repl_backlog_size");
    let histlen = info_i64(&m, "replication", "repl_backlog_histlen");
    let buffers = info_i64(&m, "memory", "mem_total_replication_buffers");
    // At least the backlog's size is kept, and less than one more block.
    let want = size.min(info_i64(&m, "replication", "master_repl_offset"));
    assert!(
        histlen >= want && histlen < want + 16384,
        "{histlen} bytes held"
    );
    assert!(
        buffers >= histlen && buffers < histlen + 2 * 16384 + 4096,
        "{buffers} bytes of buffers for {histlen} of stream"
    );
}

#[test]
fn dropped_links_resync_partially_without_losing_writes() {
    // The writer may finish all its 1.2 MB of stream during one reconnect delay: the
    // backlog must hold it all, or the resync is rightly a full one.
    let m = master(&["--repl-backlog-size", "64mb"]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let writer = {
        let port = m.port;
        thread::spawn(move || {
            let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
            let mut con = client.get_connection().unwrap();
            for i in 0..20_000 {
                redis::cmd("SET")
                    .arg(format!("w{}", i % 3000))
                    .arg(i)
                    .query::<()>(&mut con)
                    .unwrap();
                redis::cmd("INCR")
                    .arg("counter")
                    .query::<()>(&mut con)
                    .unwrap();
            }
        })
    };
    for round in 0..3 {
        let killed = if round % 2 == 0 {
            cmd(&r, &["CLIENT", "KILL", "TYPE", "master"]).unwrap()
        } else {
            cmd(&m, &["CLIENT", "KILL", "TYPE", "replica"]).unwrap()
        };
        assert_eq!(killed, redis::Value::Int(1));
        // Each drop is noticed and repaired before the next one.
        assert!(
            wait_until(SYNC_TIMEOUT, || {
                info_i64(&m, "stats", "sync_partial_ok") == round + 1
                    && info(&r, "replication", "master_link_status") == "up"
            }),
            "round {round}: link not repaired by a partial resync\n--- master ---\n{}\n--- replica ---\n{}",
            m.log_contents(),
            r.log_contents()
        );
    }
    writer.join().unwrap();
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "counter").as_deref(), Some("20000"));
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 3);
}

#[test]
fn disk_sync_serves_two_replicas_and_a_small_backlog_forces_a_full_resync() {
    let m = master(&["--repl-diskless-sync", "no", "--repl-backlog-size", "16kb"]);
    mixed_writes(&m, 5000, 3);
    let r1 = replica_of(m.port, &[]);
    let mut r2 = replica_of(m.port, &["--save", "3600 1"]);
    wait_synced(&m, &[&r1, &r2]);
    assert_eq!(digest(&m), digest(&r1));
    assert_eq!(digest(&m), digest(&r2));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 2);
    // r2 goes away while far more than the backlog is written: it cannot continue.
    r2.stop();
    mixed_writes(&m, 3000, 11);
    r2.relaunch();
    wait_synced(&m, &[&r1, &r2]);
    assert_eq!(digest(&m), digest(&r2));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 3);
    assert_eq!(info_i64(&m, "stats", "sync_partial_err"), 1);
}

#[test]
fn replica_restart_resumes_from_its_rdb() {
    let m = master(&[]);
    let mut r = replica_of(m.port, &["--save", "3600 1"]);
    mixed_writes(&m, 2000, 5);
    wait_synced(&m, &[&r]);
    r.stop();
    cmd(&m, &["SET", "while-down", "1"]).unwrap();
    r.relaunch();
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "while-down").as_deref(), Some("1"));
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
}

/// Waits until the AOF of `srv` is on and no rewrite is running or scheduled.
fn wait_aof_settled(srv: &TestServer) {
    let ok = wait_until(SYNC_TIMEOUT, || {
        info(srv, "persistence", "aof_enabled") == "1"
            && info(srv, "persistence", "aof_rewrite_in_progress") == "0"
            && info(srv, "persistence", "aof_rewrite_scheduled") == "0"
    });
    assert!(ok, "AOF rewrite did not finish\n{}", srv.log_contents());
}

#[test]
fn replica_restart_from_its_aof_resyncs_partially() {
    let m = master(&[]);
    let mut r = replica_of(m.port, &["--appendonly", "yes"]);
    mixed_writes(&m, 2000, 11);
    wait_synced(&m, &[&r]);
    wait_aof_settled(&r);
    mixed_writes(&m, 500, 12);
    wait_synced(&m, &[&r]);
    // SHUTDOWN: the AOF is flushed and its replication position recorded.
    let _ = cmd(&r, &["SHUTDOWN"]);
    r.stop();
    cmd(&m, &["SET", "while-down", "1"]).unwrap();
    r.relaunch();
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "while-down").as_deref(), Some("1"));
    mixed_writes(&m, 500, 13);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
    // A crash leaves no trustworthy position: the next start falls back to a full sync.
    r.kill();
    cmd(&m, &["SET", "after-crash", "1"]).unwrap();
    r.relaunch();
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "after-crash").as_deref(), Some("1"));
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 2);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
}

#[test]
fn master_restart_from_rdb_lets_replicas_continue() {
    let mut m = master(&["--save", "3600 1"]);
    let r = replica_of(m.port, &[]);
    mixed_writes(&m, 1000, 9);
    wait_synced(&m, &[&r]);
    let old_id = info(&m, "replication", "master_replid");
    m.stop();
    m.relaunch();
    wait_synced(&m, &[&r]);
    assert_eq!(info(&m, "replication", "master_replid2"), old_id);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
    assert_eq!(info_i64(&m, "stats", "sync_full"), 0);
    cmd(&m, &["SET", "after-restart", "1"]).unwrap();
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "after-restart").as_deref(), Some("1"));
}

#[test]
fn replica_killed_during_full_sync_converges_after_restart() {
    let m = master(&["--repl-diskless-sync", "no"]);
    let mut con = m.conn();
    for chunk in 0..20 {
        let mut pipe = redis::pipe();
        for i in 0..10_000 {
            pipe.cmd("SET")
                .arg(format!("key:{chunk}:{i}"))
                .arg("v".repeat(100))
                .ignore();
        }
        pipe.query::<()>(&mut con).unwrap();
    }
    let mut r = replica_of(m.port, &[]);
    let syncing = wait_until(SYNC_TIMEOUT, || {
        let s = info(&m, "replication", "slave0");
        s.contains("wait_bgsave") || s.contains("send_bulk")
    });
    assert!(syncing, "the sync never started");
    r.kill();
    r.relaunch();
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
}

#[test]
fn promoted_replica_serves_its_sibling_partially() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    mixed_writes(&m, 2000, 13);
    wait_synced(&m, &[&r1, &r2]);
    let old_id = info(&m, "replication", "master_replid");
    assert_eq!(
        cmd(&r1, &["REPLICAOF", "NO", "ONE"]).unwrap(),
        redis::Value::Okay
    );
    assert_eq!(info(&r1, "replication", "role"), "master");
    assert_eq!(info(&r1, "replication", "master_replid2"), old_id);
    let p = r1.port.to_string();
    assert_eq!(
        cmd(&r2, &["REPLICAOF", "127.0.0.1", &p]).unwrap(),
        redis::Value::Okay
    );
    wait_synced(&r1, &[&r2]);
    assert_eq!(info_i64(&r1, "stats", "sync_partial_ok"), 1);
    assert_eq!(info_i64(&r1, "stats", "sync_full"), 0);
    cmd(&r1, &["SET", "promoted", "yes"]).unwrap();
    wait_synced(&r1, &[&r2]);
    assert_eq!(get(&r2, 0, "promoted").as_deref(), Some("yes"));
}

#[test]
fn wait_counts_acknowledging_replicas() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1, &r2]);
    let mut con = m.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    let n: i64 = redis::cmd("WAIT").arg(2).arg(1000).query(&mut con).unwrap();
    assert_eq!(n, 2);
    let n: i64 = redis::cmd("WAIT").arg(3).arg(200).query(&mut con).unwrap();
    assert_eq!(n, 2);
    // A pipelined command after WAIT runs after it.
    let (n, v): (i64, String) = redis::pipe()
        .cmd("WAIT")
        .arg(2)
        .arg(0)
        .cmd("GET")
        .arg("k")
        .query(&mut con)
        .unwrap();
    assert_eq!((n, v.as_str()), (2, "v"));
    let err = cmd(&r1, &["WAIT", "1", "0"]).unwrap_err();
    assert!(err
        .to_string()
        .contains("WAIT cannot be used with replica instances"));
}

#[test]
fn chained_replicas_relay_the_same_stream() {
    let a = master(&[]);
    let b = replica_of(a.port, &[]);
    wait_synced(&a, &[&b]);
    let c = replica_of(b.port, &[]);
    mixed_writes(&a, 3000, 17);
    wait_synced(&a, &[&b]);
    wait_synced(&b, &[&c]);
    assert_eq!(digest(&a), digest(&c));
    let id = info(&a, "replication", "master_replid");
    assert_eq!(info(&c, "replication", "master_replid"), id);
    assert_eq!(
        info_i64(&c, "replication", "master_repl_offset"),
        info_i64(&a, "replication", "master_repl_offset")
    );
}

#[test]
fn auth_hostname_stale_data_and_min_replicas() {
    let m = master(&["--requirepass", "secret", "--min-replicas-to-write", "1"]);
    let client = redis::Client::open(format!("redis://:secret@127.0.0.1:{}/", m.port)).unwrap();
    let mut mc = client.get_connection().unwrap();
    let err = redis::cmd("SET")
        .arg("a")
        .arg("1")
        .query::<()>(&mut mc)
        .unwrap_err();
    assert_eq!(err.code(), Some("NOREPLICAS"));
    let port = m.port.to_string();
    let r = TestServer::start_with(&[
        "--replicaof",
        "localhost",
        &port,
        "--masterauth",
        "secret",
        "--replica-serve-stale-data",
        "no",
    ]);
    assert!(wait_until(SYNC_TIMEOUT, || info(
        &r,
        "replication",
        "master_link_status"
    ) == "up"));
    assert!(wait_until(SYNC_TIMEOUT, || {
        redis::cmd("SET")
            .arg("a")
            .arg("1")
            .query::<()>(&mut mc)
            .is_ok()
    }));
    assert!(wait_until(SYNC_TIMEOUT, || get(&r, 0, "a").as_deref() == Some("1")));
    // The link goes down: no stale reads.
    cmd(&r, &["REPLICAOF", "127.0.0.1", "1"]).unwrap();
    let err = cmd(&r, &["GET", "a"]).unwrap_err();
    assert_eq!(err.code(), Some("MASTERDOWN"));
    assert_eq!(info(&r, "replication", "master_link_status"), "down");
}

#[test]
fn replicas_hide_expired_keys_until_the_master_deletes_them() {
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    cmd(&m, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).unwrap();
    cmd(&m, &["SET", "short", "v", "PX", "50"]).unwrap();
    wait_synced(&m, &[&r]);
    assert!(wait_until(SYNC_TIMEOUT, || get(&r, 0, "short").is_none()));
    // Still held by the replica: only the master's DEL removes it.
    assert_eq!(cmd(&r, &["DBSIZE"]).unwrap(), redis::Value::Int(1));
    assert_eq!(get(&m, 0, "short"), None);
    wait_synced(&m, &[&r]);
    assert_eq!(cmd(&r, &["DBSIZE"]).unwrap(), redis::Value::Int(0));
}

#[test]
fn writable_replica_expires_the_keys_its_own_clients_wrote() {
    let m = master(&[]);
    let r = replica_of(m.port, &["--replica-read-only", "no"]);
    wait_synced(&m, &[&r]);
    let short = |db: i64, key: &str| {
        let mut con = r.conn();
        redis::cmd("SELECT").arg(db).query::<()>(&mut con).unwrap();
        redis::cmd("SET")
            .arg(key)
            .arg("v")
            .arg("PX")
            .arg(2000)
            .query::<()>(&mut con)
            .unwrap();
    };
    // The master's own key with a TTL is left to the master's DEL.
    cmd(&m, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).unwrap();
    cmd(&m, &["SET", "from-master", "v", "PX", "200"]).unwrap();
    wait_synced(&m, &[&r]);
    short(5, "local1");
    short(5, "local2");
    short(7, "local1");
    // Two names (local1 is tracked once, with both its databases).
    assert_eq!(info_i64(&r, "stats", "slave_expires_tracked_keys"), 2);
    let dbsize = |db: i64| {
        let mut con = r.conn();
        redis::cmd("SELECT").arg(db).query::<()>(&mut con).unwrap();
        redis::cmd("DBSIZE").query::<i64>(&mut con).unwrap()
    };
    // No command touches them: the cron deletes them.
    assert!(wait_until(SYNC_TIMEOUT, || dbsize(5) == 0 && dbsize(7) == 0));
    assert_eq!(info_i64(&r, "stats", "slave_expires_tracked_keys"), 0);
    assert_eq!(dbsize(0), 1, "the master's key waits for the master's DEL");
}

#[test]
fn an_error_answered_to_the_master_is_logged_or_stops_the_replica() {
    let m = master(&[]);
    let tolerant = replica_of(m.port, &[]);
    let mut strict = replica_of(m.port, &["--propagation-error-behavior", "panic"]);
    wait_synced(&m, &[&tolerant, &strict]);
    // Sent to the replicas without running here: they answer an error nobody reads.
    cmd(&m, &["DEBUG", "REPLICATE", "fake-command-1", "x"]).unwrap();
    cmd(&m, &["SET", "after", "1"]).unwrap();
    wait_synced(&m, &[&tolerant]);
    assert_eq!(get(&tolerant, 0, "after").as_deref(), Some("1"));
    assert_eq!(info_i64(&tolerant, "stats", "unexpected_error_replies"), 1);
    let log = tolerant.log_contents();
    assert!(
        log.contains("== CRITICAL == This replica is sending an error to its master: 'ERR unknown command 'fake-command-1'"),
        "{log}"
    );
    // Under `panic` the replica stops rather than diverge.
    assert!(wait_until(SYNC_TIMEOUT, || !strict.is_running()));
    assert!(strict.log_contents().contains("Guru Meditation"));
}

#[test]
fn config_rewrite_keeps_the_master_set_by_replicaof_across_a_restart() {
    let m = master(&[]);
    let mut r = TestServer::start_with_config("# written by hand\n", &[]);
    cmd(&r, &["REPLICAOF", "127.0.0.1", &m.port.to_string()]).unwrap();
    wait_synced(&m, &[&r]);
    cmd(&r, &["CONFIG", "REWRITE"]).unwrap();
    let path = r.dir.path().join(common::CONFIG_FILE);
    let conf = std::fs::read_to_string(&path).unwrap();
    let line = format!("replicaof 127.0.0.1 {}", m.port);
    assert!(conf.lines().any(|l| l == line), "{conf}");
    cmd(&m, &["SET", "k", "v"]).unwrap();
    r.restart();
    assert_eq!(info(&r, "replication", "role"), "slave");
    assert!(wait_until(SYNC_TIMEOUT, || get(&r, 0, "k").as_deref() == Some("v")));
    // Promoted, the rewritten file no longer names a master.
    cmd(&r, &["REPLICAOF", "NO", "ONE"]).unwrap();
    cmd(&r, &["CONFIG", "REWRITE"]).unwrap();
    let conf = std::fs::read_to_string(&path).unwrap();
    assert!(!conf.contains("replicaof"), "{conf}");
}

#[test]
fn becoming_a_replica_releases_the_clients_blocked_on_keys() {
    let m = master(&[]);
    let b = master(&[]);
    let mut blocked = b.raw();
    blocked.send_cmd(&["BLPOP", "foo", "0"]);
    assert!(wait_until(SYNC_TIMEOUT, || info_i64(
        &b,
        "clients",
        "blocked_clients"
    ) == 1));
    cmd(&b, &["REPLICAOF", "127.0.0.1", &m.port.to_string()]).unwrap();
    blocked.expect(b"-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n");
    blocked.expect_closed();
    // The master's push is not popped by the old client: both hold the whole list.
    cmd(&m, &["RPUSH", "foo", "a", "b", "c"]).unwrap();
    wait_synced(&m, &[&b]);
    assert_eq!(digest(&m), digest(&b));
    assert_eq!(cmd(&b, &["LLEN", "foo"]).unwrap(), redis::Value::Int(3));
}

#[test]
fn a_slow_script_on_a_replica_holds_the_master_stream_back_without_losing_it() {
    let m = master(&[]);
    let r = replica_of(m.port, &["--busy-reply-threshold", "50"]);
    wait_synced(&m, &[&r]);
    // A read-only script that runs for about a second and a half.
    let mut slow = r.raw();
    slow.send_cmd(&[
        "EVAL",
        "local s = redis.call('TIME') while true do local t = redis.call('TIME') \
         if (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 1500000 then return 1 end end",
        "0",
    ]);
    assert!(wait_until(SYNC_TIMEOUT, || cmd(&r, &["PING"])
        .is_err_and(|e| e.code() == Some("BUSY"))));
    for i in 0..50 {
        cmd(&m, &["SET", &format!("k{i}"), "v"]).unwrap();
    }
    slow.expect(b":1\r\n");
    wait_synced(&m, &[&r]);
    assert_eq!(cmd(&r, &["DBSIZE"]).unwrap(), redis::Value::Int(50));
    assert_eq!(info_i64(&r, "stats", "unexpected_error_replies"), 0);
}

#[test]
fn min_replicas_counts_a_replica_as_soon_as_it_is_online() {
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    // Raised after the replica came online: the very next write already counts it
    // (Redis refreshes the count on CONFIG SET, not only once a second).
    cmd(&m, &["CONFIG", "SET", "min-replicas-to-write", "1"]).unwrap();
    cmd(&m, &["SET", "k", "v"]).unwrap();
    assert_eq!(info_i64(&m, "replication", "min_slaves_good_slaves"), 1);
    cmd(&m, &["CONFIG", "SET", "min-replicas-to-write", "2"]).unwrap();
    let err = cmd(&m, &["SET", "k", "v"]).unwrap_err();
    assert_eq!(err.code(), Some("NOREPLICAS"));
    // CONFIG RESETSTAT zeroes the sync counters too (tests compare them after it).
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    cmd(&m, &["CONFIG", "RESETSTAT"]).unwrap();
    assert_eq!(info_i64(&m, "stats", "sync_full"), 0);
    assert_eq!(info_i64(&m, "stats", "sync_partial_err"), 0);
}

#[test]
fn real_redis_replica_syncs_fully_then_partially() {
    skip_unless_tool!("redis-server");
    let m = master(&[]);
    mixed_writes(&m, 5000, 21);
    let port = m.port.to_string();
    let Some(r) = common::start_redis_server(&[
        "--replicaof",
        "127.0.0.1",
        &port,
        "--enable-debug-command",
        "yes",
    ]) else {
        return;
    };
    wait_synced(&m, &[&r]);
    mixed_writes(&m, 20_000, 22);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    cmd(&m, &["CLIENT", "KILL", "TYPE", "replica"]).unwrap();
    mixed_writes(&m, 2000, 23);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
}

#[test]
fn ferrodis_replica_of_real_redis_syncs_fully_then_partially() {
    skip_unless_tool!("redis-server");
    let Some(m) = real_redis_master(&[]) else {
        return;
    };
    mixed_writes(&m, 5000, 31);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    mixed_writes(&m, 100_000, 32);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    cmd(&r, &["CLIENT", "KILL", "TYPE", "master"]).unwrap();
    mixed_writes(&m, 2000, 33);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&m), digest(&r));
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
}

/// Runs `redis-cli <mode> <file>` (`--rdb`, `--functions-rdb`) against `m`, the file in
/// its directory; returns the file's path once redis-cli exited successfully.
fn redis_cli_dump(m: &TestServer, mode: &str, file: &str) -> std::path::PathBuf {
    let out = m.dir.path().join(file);
    let status = Command::new("redis-cli")
        .args(["-p", &m.port.to_string(), mode])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "redis-cli {mode} failed");
    out
}

#[test]
fn a_filtered_rdb_holds_the_functions_and_no_keys() {
    let m = master(&["--repl-diskless-sync-delay", "0"]);
    let lib = "#!lua name=kept\nredis.register_function('f', function() return 1 end)";
    cmd(&m, &["FUNCTION", "LOAD", lib]).unwrap();
    mixed_writes(&m, 200, 7);
    let mut c = m.raw();
    check(
        &mut c,
        &["REPLCONF", "rdb-filter-only", "functions keys"],
        b"-ERR Unsupported rdb-filter-only option: keys\r\n",
    );
    // A filtered RDB only goes to a socket, in the EOF-marked form.
    check(&mut c, &["REPLCONF", "rdb-filter-only", ""], b"+OK\r\n");
    check(
        &mut c,
        &["SYNC"],
        b"-ERR Filtered replica requires EOF capability\r\n",
    );
    skip_unless_tool!("redis-cli");
    redis_cli_dump(&m, "--functions-rdb", "functions.rdb");
    let copy = TestServer::start_with(&[
        "--dbfilename",
        "functions.rdb",
        "--dir",
        m.dir.path().to_str().unwrap(),
    ]);
    let mut c = copy.raw();
    check(&mut c, &["DBSIZE"], b":0\r\n");
    check(&mut c, &["FCALL", "f", "0"], b":1\r\n");
}

#[test]
fn redis_cli_rdb_and_replica_modes() {
    skip_unless_tool!("redis-cli");
    let m = master(&[]);
    mixed_writes(&m, 1000, 41);
    let out = redis_cli_dump(&m, "--rdb", "cli-dump.rdb");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"REDIS0009"));
    // The dump loads into a fresh server with the same contents.
    let copy = TestServer::start_with(&[
        "--dbfilename",
        "cli-dump.rdb",
        "--dir",
        m.dir.path().to_str().unwrap(),
        "--enable-debug-command",
        "yes",
    ]);
    assert_eq!(digest(&copy), digest(&m));
    drop(copy);
    let mut child = Command::new("redis-cli")
        .args(["-p", &m.port.to_string(), "--replica"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let found = wait_until(SYNC_TIMEOUT, || {
        cmd(&m, &["SET", "streamed", "yes"]).unwrap();
        while let Ok(line) = rx.try_recv() {
            seen.push(line);
        }
        seen.iter().any(|l| l.contains("\"streamed\""))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "redis-cli --replica printed: {seen:?}");
}

#[test]
fn the_tutorial_demo_script_runs_and_converges() {
    skip_unless_tool!("redis-cli");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/replication-demo.sh");
    let out = Command::new("bash")
        .arg(script)
        .env("FERRODIS_BIN", env!("CARGO_BIN_EXE_ferrodis-server"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("replica1 name: hello Redis"), "{stdout}");
    assert!(stdout.contains("replica2 name: hello Redis"), "{stdout}");
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("master ") || l.starts_with("replica"))
        .map(|l| l.split_whitespace().collect())
        .filter(|f: &Vec<&str>| f.len() == 5)
        .collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    for row in &rows {
        assert_eq!(row[2], "100001", "{stdout}");
        assert_eq!(row[3], rows[0][3], "offsets differ:\n{stdout}");
    }
}

/// A replica attached with SYNC right after start-up, with `repl-ping-replica-period`
/// at 3600, gets no PING in its stream (Redis pings every period counted from start-up;
/// we pinged at once when the first replica arrived). The test suite of Redis reads the
/// stream this way.
/// What waits for a stalled replica is not the dataset's: with maxmemory set just above
/// the master's data, ~10 MB of stream queued for a replica stopped with SIGSTOP evicts
/// no key (Redis's unit/maxmemory "replica buffer don't induce eviction"). Only the
/// queued bytes used to be left out, not the room their buffer grew by doubling, and
/// the master lost its keys for it.
#[test]
fn a_stalled_replicas_buffer_evicts_none_of_the_masters_keys() {
    let m = master(&[]);
    for j in 0..100 {
        cmd(&m, &["SETRANGE", &format!("key:{j}"), "100000", "asdf"]).unwrap();
    }
    for (name, value) in [
        ("maxmemory-policy", "allkeys-random"),
        (
            "client-output-buffer-limit",
            "replica 100000000 100000000 300",
        ),
        ("repl-backlog-size", "10240"),
        ("repl-timeout", "1200"),
        ("latency-tracking", "no"),
    ] {
        cmd(&m, &["CONFIG", "SET", name, value]).unwrap();
    }
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    // One connection for everything from here: a new one, its buffers and its first
    // reply would take some of the 32 KB of headroom. Its first batch, before the limit
    // is taken, gives its buffers their working size (a request batch waits in the
    // query buffer, which counts).
    let mut con = m.conn();
    let field = |con: &mut redis::Connection, section: &str, name: &str| -> i64 {
        let text: String = redis::cmd("INFO").arg(section).query(con).unwrap();
        let prefix = format!("{name}:");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("INFO {section} has no {name}"))
    };
    let payload = "A".repeat(100);
    let batch = |con: &mut redis::Connection| {
        let mut pipe = redis::pipe();
        for _ in 0..100 {
            pipe.cmd("SETRANGE").arg("key:0").arg(0).arg(&payload);
        }
        let _: Vec<i64> = pipe.query(con).unwrap();
    };
    batch(&mut con);
    wait_synced(&m, &[&r]);
    let used = field(&mut con, "memory", "used_memory");
    let not_counted = field(&mut con, "memory", "mem_not_counted_for_evict");
    let limit = (used - not_counted + 32 * 1024).to_string();
    let _: () = redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory", &limit])
        .query(&mut con)
        .unwrap();
    signal(&r, "-STOP");
    for _ in 0..1000 {
        batch(&mut con);
    }
    let queued = field(&mut con, "memory", "mem_clients_slaves");
    let evicted = field(&mut con, "stats", "evicted_keys");
    let keys: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    signal(&r, "-CONT");
    assert!(queued > 2 << 20, "only {queued} bytes wait for the replica");
    assert_eq!((keys, evicted), (100, 0));
    wait_synced(&m, &[&r]);
}

#[test]
fn first_replica_gets_no_ping_before_the_period() {
    use std::io::Read;
    let srv = TestServer::start();
    let mut ctl = srv.raw();
    ctl.send_cmd(&["CONFIG", "SET", "repl-ping-replica-period", "3600"]);
    ctl.expect(b"+OK\r\n");
    let mut s = srv.raw();
    s.send(b"SYNC\r\n");
    // The payload: newlines (keep-alives) until `$<len>\r\n`, then <len> bytes of RDB.
    let mut stream = s.stream();
    let mut header = Vec::new();
    let mut byte = [0u8; 1];
    while !header.ends_with(b"\r\n") || header.len() < 3 {
        stream.read_exact(&mut byte).unwrap();
        if header.is_empty() && byte[0] == b'\n' {
            continue;
        }
        header.push(byte[0]);
    }
    let len: usize = std::str::from_utf8(&header[1..header.len() - 2])
        .unwrap()
        .parse()
        .unwrap();
    let mut rdb = vec![0u8; len];
    stream.read_exact(&mut rdb).unwrap();
    // Past at least one replication cron tick (once a second).
    thread::sleep(std::time::Duration::from_millis(1500));
    ctl.send_cmd(&["SET", "k", "v"]);
    ctl.expect(b"+OK\r\n");
    s.expect(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

/// CLIENT PAUSE WRITE on a replica holds its master's stream too, as Redis 7.0 holds
/// it: the replica reads on (`slave_read_repl_offset` reaches the master's offset) but
/// applies nothing until the pause ends, so its data and offset stand still meanwhile.
#[test]
fn a_paused_replica_reads_its_stream_but_applies_it_after_the_pause() {
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    check_ok(&m, &["SET", "before", "1"]);
    wait_synced(&m, &[&r]);
    let applied = info_i64(&r, "replication", "slave_repl_offset");
    check_ok(&r, &["CLIENT", "PAUSE", "100000", "WRITE"]);
    check_ok(&m, &["SET", "during", "1"]);
    let target = info_i64(&m, "replication", "master_repl_offset");
    let read = wait_until(SYNC_TIMEOUT, || {
        info_i64(&r, "replication", "slave_read_repl_offset") == target
    });
    assert!(read, "the paused replica did not read its stream");
    assert_eq!(info_i64(&r, "replication", "slave_repl_offset"), applied);
    assert_eq!(get(&r, 0, "during"), None);
    check_ok(&r, &["CLIENT", "UNPAUSE"]);
    wait_synced(&m, &[&r]);
    assert_eq!(get(&r, 0, "during").as_deref(), Some("1"));
}

fn check_ok(srv: &TestServer, args: &[&str]) {
    let v = cmd(srv, args).unwrap();
    assert_eq!(v, redis::Value::Okay, "{args:?}");
}

/// CONFIG SET repl-backlog-size shrinks the backlog at once, as in Redis: a replica
/// that reconnects right after the writes that pushed its offset out of the smaller
/// backlog gets a full resync (the backlog used to keep its old size until the cron
/// resized it, and served a partial one).
#[test]
fn a_backlog_shrunk_by_config_set_no_longer_serves_the_old_history() {
    let m = master(&[]);
    let r = replica_of(m.port, &["--replica-read-only", "no"]);
    wait_synced(&m, &[&r]);
    check_ok(&r, &["SET", "replica-only", "1"]);
    let mut con = m.conn();
    // The master's cron would resize the backlog too, within a second: held, so the
    // replica's reconnection surely comes first.
    check_ok(&m, &["DEBUG", "PAUSE-CRON", "1"]);
    let value = "A".repeat(16 * 1024);
    let mut tx = redis::pipe();
    tx.atomic()
        .cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("replica")
        .ignore()
        .cmd("CONFIG")
        .arg("SET")
        .arg("repl-backlog-size")
        .arg("16384")
        .ignore();
    for i in 0..10 {
        tx.cmd("SET").arg(format!("k{i}")).arg(&value).ignore();
    }
    tx.query::<()>(&mut con).unwrap();
    let asked = wait_until(SYNC_TIMEOUT, || {
        info_i64(&m, "stats", "sync_full") + info_i64(&m, "stats", "sync_partial_ok") > 1
    });
    assert!(asked, "the replica did not reconnect");
    check_ok(&m, &["DEBUG", "PAUSE-CRON", "0"]);
    wait_synced(&m, &[&r]);
    assert_eq!(info_i64(&m, "stats", "sync_full"), 2);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 0);
    assert_eq!(get(&r, 0, "replica-only"), None);
    assert_eq!(get(&r, 0, "k9").map(|v| v.len()), Some(value.len()));
}

/// `omem` of every replica in the master's CLIENT LIST.
fn replica_omems(m: &TestServer) -> Vec<i64> {
    let mut con = m.conn();
    let list: String = redis::cmd("CLIENT")
        .arg(&["LIST", "TYPE", "replica"])
        .query(&mut con)
        .unwrap();
    list.lines()
        .filter_map(|l| l.split(' ').find_map(|f| f.strip_prefix("omem=")))
        .map(|v| v.parse().unwrap())
        .collect()
}

/// Writes `n` keys of `size` bytes on `m`, pipelined.
fn big_writes(m: &TestServer, prefix: &str, n: usize, size: usize) {
    let mut con = m.conn();
    let value = "v".repeat(size);
    let mut pipe = redis::pipe();
    for i in 0..n {
        pipe.cmd("SET")
            .arg(format!("{prefix}{i}"))
            .arg(&value)
            .ignore();
    }
    pipe.query::<()>(&mut con).unwrap();
}

/// Starts `count` replicas of `m` and waits until all of them wait for the one full
/// sync, which `rdb-key-save-delay` makes last (one second a key).
fn replicas_held_in_a_sync(m: &TestServer, count: usize) -> Vec<TestServer> {
    check_ok(m, &["CONFIG", "SET", "rdb-key-save-delay", "1000000"]);
    let replicas: Vec<TestServer> = (0..count).map(|_| replica_of(m.port, &[])).collect();
    let waiting = wait_until(SYNC_TIMEOUT, || {
        let mut con = m.conn();
        let text: String = redis::cmd("INFO")
            .arg("replication")
            .query(&mut con)
            .unwrap();
        info_i64(m, "persistence", "rdb_bgsave_in_progress") == 1
            && text.matches("state=wait_bgsave").count() == count
    });
    assert!(
        waiting,
        "the replicas are not in one sync\n{}",
        m.log_contents()
    );
    replicas
}

/// Redis 7's shared replication buffer: two replicas waiting for the same sync hold
/// one copy of the stream between them, which is also the backlog (it grows past its
/// configured size while they need it). The copy stays while one of them still needs
/// it and goes once none does.
#[test]
fn replicas_share_one_copy_of_the_stream_and_free_it_when_gone() {
    let m = master(&[
        "--repl-backlog-size",
        "16384",
        "--repl-diskless-sync-max-replicas",
        "2",
        "--repl-diskless-sync-delay",
        "30",
    ]);
    big_writes(&m, "k", 10, 10);
    let mut replicas = replicas_held_in_a_sync(&m, 2);
    big_writes(&m, "big", 200, 10_000);
    let stream = 200 * 10_000;
    let buffers = info_i64(&m, "memory", "mem_total_replication_buffers");
    let histlen = info_i64(&m, "replication", "repl_backlog_histlen");
    assert!(histlen > stream, "the backlog holds all {histlen} bytes");
    assert!(
        buffers >= histlen && buffers < histlen + 64 * 1024,
        "one copy: {buffers} bytes of buffers for {histlen} bytes of stream"
    );
    let omems = replica_omems(&m);
    assert_eq!(omems.len(), 2);
    assert!(
        omems.iter().all(|&o| o > stream),
        "each waits for it all: {omems:?}"
    );
    assert!(
        info_i64(&m, "clients", "client_recent_max_output_buffer") > stream,
        "INFO's largest output buffer counts a replica's pending stream"
    );
    assert!(
        info_i64(&m, "memory", "mem_clients_slaves") > stream - 64 * 1024,
        "the stream beyond the backlog's size counts as the replicas'"
    );

    let connected = |n: i64| {
        wait_until(SYNC_TIMEOUT, || {
            info_i64(&m, "replication", "connected_slaves") == n
        })
    };
    drop(replicas.pop());
    assert!(connected(1));
    assert_eq!(
        info_i64(&m, "memory", "mem_total_replication_buffers"),
        buffers,
        "the other replica still needs every byte"
    );
    drop(replicas.pop());
    assert!(connected(0));
    let after = info_i64(&m, "memory", "mem_total_replication_buffers");
    assert!(after < 64 * 1024, "{after} bytes kept for a 16 KB backlog");
    assert!(info_i64(&m, "replication", "repl_backlog_histlen") >= 16384);
}

/// A replica that lost its link continues from the backlog beyond `repl-backlog-size`
/// while another replica, waiting for its sync, keeps that stream: a partial resync
/// with every write, where a 16 KB ring could only have offered a full one.
#[test]
fn a_replica_continues_from_the_stream_another_replica_holds() {
    let m = master(&["--repl-backlog-size", "16384"]);
    big_writes(&m, "k", 10, 10);
    let r1 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1]);
    let _held = replicas_held_in_a_sync(&m, 1);
    // r1 loses its link (to a master that is not there: it keeps its place in the
    // stream), misses 1 MB, comes back.
    let nowhere = common::free_port().to_string();
    check_ok(&r1, &["REPLICAOF", "127.0.0.1", &nowhere]);
    assert!(wait_until(SYNC_TIMEOUT, || info_i64(
        &m,
        "replication",
        "connected_slaves"
    ) == 1));
    big_writes(&m, "big", 100, 10_000);
    assert!(info_i64(&m, "replication", "repl_backlog_histlen") > 1_000_000);
    let port = m.port.to_string();
    check_ok(&r1, &["REPLICAOF", "127.0.0.1", &port]);
    wait_synced(&m, &[&r1]);
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), 1);
    assert_eq!(digest(&m), digest(&r1));
}

/// A hand-driven replica: its stream starts at the ACK it sends once it has the RDB,
/// even when that ACK arrives before the master saw the transfer end (the stream
/// waited for a second ACK, a second later for a real replica). And its connection
/// carries the stream alone: a command of an attached replica that produces a reply
/// gets it disconnected, as Redis 7 does, rather than a reply inside the stream.
#[test]
fn a_replica_streams_from_its_early_ack_and_is_dropped_for_a_reply() {
    use std::io::{Read, Write};
    let m = master(&[]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", m.port)).unwrap();
    s.set_read_timeout(Some(SYNC_TIMEOUT)).unwrap();
    s.write_all(b"REPLCONF capa eof capa psync2\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"+OK\r\n");
    s.write_all(b"PSYNC ? -1\r\n").unwrap();
    let mut got = Vec::new();
    // +FULLRESYNC, then the RDB ($EOF:<mark> ... <mark>).
    while !(got.starts_with(b"+FULLRESYNC") && got.len() > 100 && {
        let text = String::from_utf8_lossy(&got).to_string();
        text.split("$EOF:")
            .nth(1)
            .and_then(|rest| rest.get(..40))
            .is_some_and(|mark| text.ends_with(mark))
    }) {
        let n = s.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "closed during the sync: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    // Acknowledged at once, as a replica does once it has loaded the RDB: usually
    // before the master has seen its snapshot thread finish the transfer. The stream
    // then starts with the transfer's end, not at a second ACK.
    s.write_all(b"REPLCONF ACK 0\r\n").unwrap();
    check_ok(&m, &["SET", "k", "v"]);
    // The SET arrives on the stream; then a PING, which must not be answered.
    let mut rest = Vec::new();
    while !String::from_utf8_lossy(&rest).contains("SET") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the SET came");
        rest.extend_from_slice(&buf[..n]);
    }
    s.write_all(b"PING\r\n").unwrap();
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => rest.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "not disconnected: {e}; got {}",
                String::from_utf8_lossy(&rest)
            ),
        }
    }
    let text = String::from_utf8_lossy(&rest);
    assert!(text.contains("SET"), "{text}");
    assert!(!text.contains("PONG"), "{text}");
    assert!(wait_until(SYNC_TIMEOUT, || m
        .log_contents()
        .contains("Replica generated a reply to command 'ping'")));
}

/// `bind-source-addr`: the replica's link to its master comes from that local address
/// (the master lists the replica with it); an address that cannot be bound is a best
/// effort, as in Redis: the link is made without it.
#[test]
fn the_link_to_the_master_comes_from_bind_source_addr() {
    // 127.0.0.2 is not loopback for protected mode (nor for Redis).
    let m = master(&["--protected-mode", "no"]);
    let r = replica_of(m.port, &["--bind-source-addr", "127.0.0.2"]);
    wait_synced(&m, &[&r]);
    let listed = info(&m, "replication", "slave0");
    assert!(listed.starts_with("ip=127.0.0.2,"), "{listed}");
    let mut con = r.conn();
    let got: Vec<String> = common::query(&mut con, &["CONFIG", "GET", "bind-source-addr"]);
    assert_eq!(got, ["bind-source-addr", "127.0.0.2"]);

    // Not an address of this machine: bound nowhere, the link still comes up.
    let r2 = replica_of(m.port, &["--bind-source-addr", "192.0.2.1"]);
    wait_synced(&m, &[&r2]);
    assert_eq!(info_i64(&m, "replication", "connected_slaves"), 2);
}

/// A client that became a replica (SYNC/PSYNC) may run nothing that reads or writes
/// keys, as in Redis 7 (a replica is exempt from CLIENT PAUSE, so a write of its own
/// would slip past a pause): the command is refused, the refusal logged as an error
/// sent to a replica, and the replica dropped for the reply. A PSYNC whose offset is not
/// a number is refused with the integer error, and logged.
#[test]
fn an_attached_replica_cannot_touch_the_keyspace() {
    use std::io::{Read, Write};
    let m = master(&[]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", m.port)).unwrap();
    s.set_read_timeout(Some(SYNC_TIMEOUT)).unwrap();
    let mut buf = [0u8; 4096];
    s.write_all(b"PSYNC replicationid offset_str\r\n").unwrap();
    let n = s.read(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert!(m
        .log_contents()
        .contains("asks for synchronization but with a wrong offset"));

    s.write_all(b"PSYNC ? -1\r\n").unwrap();
    let n = s.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"+FULLRESYNC"), "{:?}", &buf[..n]);
    s.write_all(b"SET written-by-a-replica 1\r\n").unwrap();
    // Whatever the sync sends, then the close.
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => panic!("not disconnected: {e}"),
        }
    }
    assert!(wait_until(SYNC_TIMEOUT, || m.log_contents().contains(
        "== CRITICAL == This master is sending an error to its replica: \
         'ERR Replica can't interact with the keyspace'"
    )));
    let value = cmd(&m, &["EXISTS", "written-by-a-replica"]).unwrap();
    assert_eq!(value, redis::Value::Int(0));
}

/// Redis 7 keeps a replica's own replicas, backlog and history through a full sync
/// with a new master until the new data starts loading: when that new master dies in
/// the middle of the transfer, going back to the old one is a partial resync, and the
/// sub-replica never loses its link (Redis's "Don't disconnect with replicas before
/// loading transferred RDB when full sync").
#[test]
fn a_failed_full_sync_keeps_sub_replicas_and_the_history() {
    let m1 = master(&[]);
    check_ok(&m1, &["SET", "a", "b"]);
    let r = replica_of(m1.port, &[]);
    wait_synced(&m1, &[&r]);
    let sub = replica_of(r.port, &[]);
    wait_synced(&r, &[&sub]);
    assert_eq!(
        cmd(&sub, &["GET", "a"]).unwrap(),
        redis::Value::BulkString(b"b".to_vec())
    );

    // A second master whose snapshot takes a second per key.
    let m2 = master(&[]);
    for i in 0..10 {
        check_ok(&m2, &["SET", &format!("m2:{i}"), "x"]);
    }
    check_ok(&m2, &["CONFIG", "SET", "rdb-key-save-delay", "1000000"]);
    check_ok(&r, &["REPLICAOF", "127.0.0.1", &m2.port.to_string()]);
    assert!(wait_until(SYNC_TIMEOUT, || {
        info(&m2, "persistence", "rdb_bgsave_in_progress") == "1"
            && info(&m2, "replication", "slave0").contains("state=wait_bgsave")
    }));
    let mut m2 = m2;
    let _ = cmd(&m2, &["SHUTDOWN", "NOSAVE"]);
    m2.stop();
    let replid = info(&m1, "replication", "master_replid");
    assert_eq!(info(&r, "replication", "master_replid"), replid);
    assert_eq!(info(&sub, "replication", "master_replid"), replid);

    let full = info_i64(&m1, "stats", "sync_full");
    let partial = info_i64(&m1, "stats", "sync_partial_ok");
    check_ok(&r, &["REPLICAOF", "127.0.0.1", &m1.port.to_string()]);
    check_ok(&m1, &["SET", "after", "1"]);
    wait_synced(&m1, &[&r]);
    wait_synced(&r, &[&sub]);
    assert_eq!(info_i64(&m1, "stats", "sync_full"), full);
    assert_eq!(info_i64(&m1, "stats", "sync_partial_ok"), partial + 1);
    assert_eq!(
        cmd(&sub, &["GET", "after"]).unwrap(),
        redis::Value::BulkString(b"1".to_vec())
    );
    assert!(
        !sub.log_contents().contains("Connection with master lost"),
        "{}",
        sub.log_contents()
    );
    assert_eq!(info_i64(&r, "stats", "sync_full"), 1);
    assert_eq!(info_i64(&r, "stats", "sync_partial_ok"), 0);
}
