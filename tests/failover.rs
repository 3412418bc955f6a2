//! Coordinated failover (FAILOVER) between a ferrodis master and its replicas, and
//! WAIT's per-client offset. Error texts were captured from redis-server 7.0. Every
//! wait is a bounded poll; replicas are frozen with SIGSTOP where a test needs one
//! that cannot acknowledge.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::repl::{info, info_i64, master, replica_of, signal, wait_synced};
use common::{wait_until, RawConn, TestServer};

/// How long a sync or a failover may take in these tests (debug builds, shared box).
const TIMEOUT: Duration = Duration::from_secs(60);

/// Waits until `srv` reports `state` as its `master_failover_state`.
fn wait_failover_state(srv: &TestServer, state: &str) {
    let ok = wait_until(TIMEOUT, || {
        info(srv, "replication", "master_failover_state") == state
    });
    assert!(
        ok,
        "failover state never became {state}\n{}",
        srv.log_contents()
    );
}

/// `DEBUG DIGEST` of a server.
fn digest(srv: &TestServer) -> String {
    let mut con = srv.conn();
    redis::cmd("DEBUG").arg("DIGEST").query(&mut con).unwrap()
}

/// Runs one command.
fn cmd(srv: &TestServer, args: &[&str]) -> redis::RedisResult<redis::Value> {
    let mut con = srv.conn();
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(&mut con)
}

/// The first element of ROLE ("master" or "slave").
fn role(srv: &TestServer) -> String {
    let mut con = srv.conn();
    let v: Vec<redis::Value> = redis::cmd("ROLE").query(&mut con).unwrap();
    match &v[0] {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("ROLE: {other:?}"),
    }
}

/// Sends one command on a raw connection and returns the reply bytes.
fn raw_cmd(con: &mut RawConn, args: &[&str]) -> String {
    con.send_cmd(args);
    String::from_utf8_lossy(&con.read_reply()).into_owned()
}

/// Whether `srv` replicates from `master_port` with its link up.
fn replicates_from(srv: &TestServer, master_port: u16) -> bool {
    info(srv, "replication", "master_port") == master_port.to_string()
        && info(srv, "replication", "master_link_status") == "up"
}

#[test]
fn failover_to_a_named_replica_under_write_load_loses_no_acked_write() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1, &r2]);
    let partial_before = info_i64(&r1, "stats", "sync_partial_ok");
    let full_before = info_i64(&r1, "stats", "sync_full");
    let old_replid = info(&m, "replication", "master_replid");

    // A writer counts the INCRs acknowledged to it; it stops at the first refusal
    // (the paused write is answered -READONLY once the master became a replica).
    let writer = {
        let port = m.port;
        thread::spawn(move || {
            let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
            let mut con = client.get_connection().unwrap();
            let mut acked = 0i64;
            loop {
                match redis::cmd("INCR").arg("counter").query::<i64>(&mut con) {
                    Ok(n) => {
                        acked += 1;
                        assert_eq!(n, acked);
                    }
                    Err(e) => {
                        assert_eq!(e.code(), Some("READONLY"), "{e}");
                        return acked;
                    }
                }
            }
        })
    };
    assert!(wait_until(TIMEOUT, || info_i64(
        &m,
        "stats",
        "total_commands_processed"
    ) > 500));
    let port = r1.port.to_string();
    assert_eq!(
        cmd(&m, &["FAILOVER", "TO", "127.0.0.1", &port]).unwrap(),
        redis::Value::Okay
    );
    wait_failover_state(&m, "no-failover");
    let acked = writer.join().unwrap();
    assert!(acked > 0);

    // Roles swapped; the old master continues as the target's replica.
    assert_eq!(role(&r1), "master");
    assert_eq!(role(&m), "slave");
    assert!(wait_until(TIMEOUT, || replicates_from(&m, r1.port)));
    assert_eq!(info(&r1, "replication", "master_replid2"), old_replid);
    let counter: i64 = {
        let mut con = r1.conn();
        redis::cmd("GET").arg("counter").query(&mut con).unwrap()
    };
    assert_eq!(
        counter, acked,
        "every acknowledged write reached the new master"
    );
    assert_eq!(
        info_i64(&r1, "stats", "sync_partial_ok") - partial_before,
        1
    );

    // The other replica follows the new master, partially too.
    cmd(&r2, &["REPLICAOF", "127.0.0.1", &port]).unwrap();
    cmd(&r1, &["SET", "after", "1"]).unwrap();
    wait_synced(&r1, &[&m, &r2]);
    assert_eq!(
        info_i64(&r1, "stats", "sync_partial_ok") - partial_before,
        2
    );
    assert_eq!(info_i64(&r1, "stats", "sync_full"), full_before);
    assert_eq!(digest(&m), digest(&r1));
    assert_eq!(digest(&r2), digest(&r1));
    assert_eq!(
        info(&r1, "replication", "master_failover_state"),
        "no-failover"
    );
}

#[test]
fn failover_without_target_picks_a_caught_up_replica() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1, &r2]);
    let partial_before = info_i64(&r2, "stats", "sync_partial_ok");
    // r1 is frozen: it can never acknowledge the next write, so r2 is chosen.
    signal(&r1, "-STOP");
    cmd(&m, &["SET", "case", "1"]).unwrap();
    assert_eq!(cmd(&m, &["FAILOVER"]).unwrap(), redis::Value::Okay);
    wait_failover_state(&m, "no-failover");
    signal(&r1, "-CONT");
    assert_eq!(role(&r2), "master");
    assert_eq!(role(&m), "slave");
    assert!(wait_until(TIMEOUT, || replicates_from(&m, r2.port)));
    assert!(m.log_contents().contains(&format!(
        "Failover target 127.0.0.1:{} is synced, failing over.",
        r2.port
    )));
    assert_eq!(
        info_i64(&r2, "stats", "sync_partial_ok") - partial_before,
        1
    );
    let port = r2.port.to_string();
    cmd(&r1, &["REPLICAOF", "127.0.0.1", &port]).unwrap();
    wait_synced(&r2, &[&m, &r1]);
    assert_eq!(digest(&m), digest(&r2));
    assert_eq!(digest(&r1), digest(&r2));
}

#[test]
fn failover_errors_are_redis_texts() {
    let m = master(&[]);
    let mut con = m.raw();
    let none = "-ERR FAILOVER requires connected replicas.\r\n";
    for (args, expected) in [
        (
            &["FAILOVER", "ABORT"][..],
            "-ERR No failover in progress.\r\n",
        ),
        (&["FAILOVER"], none),
        (&["FAILOVER", "TO", "127.0.0.1", "1"], none),
        (
            &["FAILOVER", "TO", "127.0.0.1", "x"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["FAILOVER", "TIMEOUT", "0"],
            "-ERR FAILOVER timeout must be greater than 0\r\n",
        ),
        (
            &["FAILOVER", "TIMEOUT", "-5"],
            "-ERR FAILOVER timeout must be greater than 0\r\n",
        ),
        (
            &["FAILOVER", "TIMEOUT", "abc"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["FAILOVER", "TIMEOUT", "1", "TIMEOUT", "2"],
            "-ERR syntax error\r\n",
        ),
        (&["FAILOVER", "FORCE", "FORCE"], "-ERR syntax error\r\n"),
        (
            &["FAILOVER", "ABORT", "TIMEOUT", "5"],
            "-ERR syntax error\r\n",
        ),
        (&["FAILOVER", "TO", "127.0.0.1"], "-ERR syntax error\r\n"),
        (&["FAILOVER", "bogus"], "-ERR syntax error\r\n"),
        (
            &["PSYNC", "abc", "1", "FAILOVER"],
            "-ERR PSYNC FAILOVER can't be sent to a master.\r\n",
        ),
    ] {
        assert_eq!(raw_cmd(&mut con, args), expected, "{args:?}");
    }

    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let port = r.port.to_string();
    let force =
        "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n";
    for (args, expected) in [
        (&["FAILOVER", "TO", "127.0.0.1", &port, "FORCE"][..], force),
        (&["FAILOVER", "FORCE", "TIMEOUT", "100"], force),
        (
            &["FAILOVER", "TO", "127.0.0.1", "1"],
            "-ERR FAILOVER target HOST and PORT is not a replica.\r\n",
        ),
        (
            &["FAILOVER", "TO", "localhost", &port],
            "-ERR FAILOVER target HOST and PORT is not a replica.\r\n",
        ),
    ] {
        assert_eq!(raw_cmd(&mut con, args), expected, "{args:?}");
    }
    let mut rcon = r.raw();
    assert_eq!(
        raw_cmd(&mut rcon, &["FAILOVER"]),
        "-ERR FAILOVER is not valid when server is a replica.\r\n"
    );
    assert_eq!(
        raw_cmd(&mut rcon, &["PSYNC", "abc", "1", "FAILOVER"]),
        "-ERR PSYNC FAILOVER replid must match my replid.\r\n"
    );
    assert_eq!(role(&r), "slave");

    // A replica still waiting for its full sync is not online; a failover in progress
    // refuses a second one, REPLICAOF and new replicas.
    let slow = master(&["--repl-diskless-sync-delay", "60"]);
    let waiting = replica_of(slow.port, &[]);
    assert!(wait_until(TIMEOUT, || info(&slow, "replication", "slave0")
        .contains("state=wait_bgsave")));
    cmd(&slow, &["SET", "k", "v"]).unwrap();
    let wport = waiting.port.to_string();
    let mut scon = slow.raw();
    assert_eq!(
        raw_cmd(&mut scon, &["FAILOVER", "TO", "127.0.0.1", &wport]),
        "-ERR FAILOVER target replica is not online.\r\n"
    );
    assert_eq!(
        raw_cmd(&mut scon, &["FAILOVER", "TIMEOUT", "60000"]),
        "+OK\r\n"
    );
    assert_eq!(
        info(&slow, "replication", "master_failover_state"),
        "waiting-for-sync"
    );
    for (args, expected) in [
        (&["FAILOVER"][..], "-ERR FAILOVER already in progress.\r\n"),
        (
            &["FAILOVER", "TO", "127.0.0.1", &wport],
            "-ERR FAILOVER already in progress.\r\n",
        ),
        (
            &["REPLICAOF", "NO", "ONE"],
            "-ERR REPLICAOF not allowed while failing over.\r\n",
        ),
        (
            &["REPLICAOF", "127.0.0.1", &port],
            "-ERR REPLICAOF not allowed while failing over.\r\n",
        ),
        (
            &["PSYNC", "?", "-1"],
            "-NOMASTERLINK Can't SYNC while failing over\r\n",
        ),
        (&["GET", "k"], "$1\r\nv\r\n"),
        (&["FAILOVER", "ABORT"], "+OK\r\n"),
        (&["FAILOVER", "ABORT"], "-ERR No failover in progress.\r\n"),
    ] {
        assert_eq!(raw_cmd(&mut scon, args), expected, "{args:?}");
    }
    assert_eq!(
        info(&slow, "replication", "master_failover_state"),
        "no-failover"
    );
    assert_eq!(role(&slow), "master");
}

#[test]
fn failover_timeout_and_abort_release_paused_writes() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1, &r2]);
    let partial_before = info_i64(&m, "stats", "sync_partial_ok");
    let full_before = info_i64(&m, "stats", "sync_full");
    let port = r1.port.to_string();

    // TIMEOUT without FORCE: the frozen target never catches up, so the failover is
    // abandoned after the timeout, and the write held meanwhile then runs.
    signal(&r1, "-STOP");
    cmd(&m, &["SET", "case", "1"]).unwrap();
    let mut writer = m.raw();
    let started = Instant::now();
    assert_eq!(
        cmd(
            &m,
            &["FAILOVER", "TO", "127.0.0.1", &port, "TIMEOUT", "700"]
        )
        .unwrap(),
        redis::Value::Okay
    );
    writer.send_cmd(&["SET", "held", "1"]);
    assert_eq!(
        cmd(&m, &["GET", "case"]).unwrap(),
        redis::Value::BulkString(b"1".to_vec())
    );
    assert_eq!(writer.read_reply(), b"+OK\r\n");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "the write was held until the timeout"
    );
    assert_eq!(
        info(&m, "replication", "master_failover_state"),
        "no-failover"
    );
    assert!(m
        .log_contents()
        .contains("aborted: Replica never caught up before timeout"));

    // No timeout: FAILOVER ABORT ends it; CLIENT UNPAUSE does not release the write.
    assert_eq!(
        cmd(&m, &["FAILOVER", "TO", "127.0.0.1", &port]).unwrap(),
        redis::Value::Okay
    );
    assert_eq!(
        info(&m, "replication", "master_failover_state"),
        "waiting-for-sync"
    );
    writer.send_cmd(&["SET", "held", "2"]);
    cmd(&m, &["CLIENT", "UNPAUSE"]).unwrap();
    // The held SET has not run: a reader still sees the old value.
    assert_eq!(
        cmd(&m, &["GET", "held"]).unwrap(),
        redis::Value::BulkString(b"1".to_vec())
    );
    assert_eq!(cmd(&m, &["FAILOVER", "ABORT"]).unwrap(), redis::Value::Okay);
    assert_eq!(writer.read_reply(), b"+OK\r\n");
    assert_eq!(
        cmd(&m, &["GET", "held"]).unwrap(),
        redis::Value::BulkString(b"2".to_vec())
    );
    signal(&r1, "-CONT");

    wait_synced(&m, &[&r1, &r2]);
    assert_eq!(role(&m), "master");
    assert_eq!(role(&r1), "slave");
    assert_eq!(info_i64(&m, "stats", "sync_partial_ok"), partial_before);
    assert_eq!(info_i64(&m, "stats", "sync_full"), full_before);
    assert_eq!(digest(&m), digest(&r1));
    assert_eq!(digest(&m), digest(&r2));
}

#[test]
fn failover_force_goes_ahead_after_the_timeout() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1]);
    signal(&r1, "-STOP");
    // The frozen target never acknowledges this write.
    cmd(&m, &["SET", "case", "2"]).unwrap();
    let port = r1.port.to_string();
    assert_eq!(
        cmd(
            &m,
            &[
                "FAILOVER",
                "TO",
                "127.0.0.1",
                &port,
                "TIMEOUT",
                "100",
                "FORCE"
            ]
        )
        .unwrap(),
        redis::Value::Okay
    );
    // The target is frozen: the old master turns into its replica and waits for it.
    wait_failover_state(&m, "failover-in-progress");
    assert_eq!(role(&m), "slave");
    signal(&r1, "-CONT");
    wait_failover_state(&m, "no-failover");
    assert_eq!(role(&r1), "master");
    assert!(wait_until(TIMEOUT, || replicates_from(&m, r1.port)));
    assert!(m.log_contents().contains(&format!(
        "FAILOVER to 127.0.0.1:{port} time out exceeded, failing over."
    )));
    cmd(&r1, &["SET", "after", "1"]).unwrap();
    wait_synced(&r1, &[&m]);
    assert_eq!(digest(&m), digest(&r1));
}

#[test]
fn failover_aborts_when_the_target_refuses_psync() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1]);
    // With a password the target answers our PSYNC with -NOAUTH.
    cmd(&r1, &["CONFIG", "SET", "requirepass", "secret"]).unwrap();
    let partial_before = info_i64(&m, "stats", "sync_partial_ok");
    let full_before = info_i64(&m, "stats", "sync_full");
    let port = r1.port.to_string();
    assert_eq!(
        cmd(&m, &["FAILOVER", "TO", "127.0.0.1", &port]).unwrap(),
        redis::Value::Okay
    );
    assert!(wait_until(TIMEOUT, || m
        .log_contents()
        .contains("aborted: Failover target rejected psync request")));
    wait_failover_state(&m, "no-failover");
    assert_eq!(role(&m), "master");
    // The target is still a replica and resyncs partially with the old master.
    cmd(&m, &["SET", "after", "1"]).unwrap();
    assert!(wait_until(TIMEOUT, || {
        info_i64(&m, "stats", "sync_partial_ok") == partial_before + 1
            && info(&m, "replication", "slave0").contains("state=online")
    }));
    assert_eq!(info_i64(&m, "stats", "sync_full"), full_before);
    let mut rcon = r1.raw();
    assert_eq!(raw_cmd(&mut rcon, &["AUTH", "secret"]), "+OK\r\n");
    assert!(wait_until(TIMEOUT, || {
        raw_cmd(&mut rcon, &["GET", "after"]) == "$1\r\n1\r\n"
    }));
    assert!(raw_cmd(&mut rcon, &["ROLE"]).contains("slave"));
}

#[test]
fn wait_counts_acks_of_the_clients_own_offset() {
    let m = master(&[]);
    let r1 = replica_of(m.port, &[]);
    let r2 = replica_of(m.port, &[]);
    wait_synced(&m, &[&r1, &r2]);
    let mut a = m.raw();
    assert_eq!(raw_cmd(&mut a, &["SET", "x", "1"]), "+OK\r\n");
    assert_eq!(raw_cmd(&mut a, &["WAIT", "2", "0"]), ":2\r\n");

    signal(&r2, "-STOP");
    assert_eq!(raw_cmd(&mut a, &["SET", "y", "1"]), "+OK\r\n");
    // A new client's first command: its offset is 0, every online replica counts.
    let mut b = m.raw();
    let started = Instant::now();
    assert_eq!(raw_cmd(&mut b, &["WAIT", "2", "5000"]), ":2\r\n");
    assert!(started.elapsed() < Duration::from_millis(2500));
    // The writer waits for its own write, which the frozen replica never acknowledges.
    assert_eq!(raw_cmd(&mut a, &["WAIT", "2", "300"]), ":1\r\n");
    // As in Redis 7.0, any command (a read too) moves a client's offset forward.
    assert_eq!(raw_cmd(&mut b, &["GET", "y"]), "$1\r\n1\r\n");
    assert_eq!(raw_cmd(&mut b, &["WAIT", "2", "300"]), ":1\r\n");
    // Inside a transaction WAIT never blocks.
    a.send_cmd(&["MULTI"]);
    a.send_cmd(&["SET", "z", "1"]);
    a.send_cmd(&["WAIT", "2", "0"]);
    a.send_cmd(&["EXEC"]);
    assert_eq!(a.read_reply(), b"+OK\r\n");
    assert_eq!(a.read_reply(), b"+QUEUED\r\n");
    assert_eq!(a.read_reply(), b"+QUEUED\r\n");
    assert_eq!(a.read_reply(), b"*2\r\n+OK\r\n:1\r\n");
    signal(&r2, "-CONT");
    assert_eq!(raw_cmd(&mut a, &["WAIT", "2", "0"]), ":2\r\n");
}

#[test]
fn failover_to_a_real_redis_replica() {
    skip_unless_tool!("redis-server");
    let m = master(&[]);
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
    for i in 0..200 {
        cmd(&m, &["SET", &format!("k{i}"), &i.to_string()]).unwrap();
    }
    wait_synced(&m, &[&r]);
    let rport = r.port.to_string();
    assert_eq!(
        cmd(&m, &["FAILOVER", "TO", "127.0.0.1", &rport]).unwrap(),
        redis::Value::Okay
    );
    wait_failover_state(&m, "no-failover");
    assert_eq!(role(&r), "master");
    assert_eq!(role(&m), "slave");
    assert!(wait_until(TIMEOUT, || replicates_from(&m, r.port)));
    assert_eq!(info_i64(&r, "stats", "sync_partial_ok"), 1);
    assert_eq!(info_i64(&r, "stats", "sync_full"), 0);
    cmd(&r, &["SET", "after", "1"]).unwrap();
    wait_synced(&r, &[&m]);
    assert_eq!(digest(&m), digest(&r));
}

#[test]
fn shutdown_waits_for_a_lagging_replica_and_can_be_aborted() {
    let mut m = master(&["--shutdown-timeout", "60"]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    signal(&r, "-STOP");
    cmd(&m, &["SET", "k", "acknowledged"]).unwrap();

    // The replica cannot acknowledge: SHUTDOWN waits, writes are held, INFO counts down.
    let mut first = RawConn::connect(m.port);
    first.send_cmd(&["SHUTDOWN"]);
    assert!(wait_until(TIMEOUT, || {
        info(&m, "server", "shutdown_in_milliseconds")
            .parse::<i64>()
            .is_ok_and(|ms| ms > 0)
    }));
    assert_eq!(info_i64(&m, "clients", "blocked_clients"), 1);
    let mut abort = RawConn::connect(m.port);
    assert_eq!(raw_cmd(&mut abort, &["SHUTDOWN", "ABORT"]), "+OK\r\n");
    first.expect(b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    assert_eq!(raw_cmd(&mut first, &["SET", "after", "abort"]), "+OK\r\n");
    assert_eq!(
        raw_cmd(&mut abort, &["SHUTDOWN", "ABORT"]),
        "-ERR No shutdown in progress.\r\n"
    );

    // Again; this time the replica wakes up, catches up, and only then the master exits.
    first.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    assert!(wait_until(TIMEOUT, || {
        !info(&m, "server", "shutdown_in_milliseconds").is_empty()
    }));
    signal(&r, "-CONT");
    assert!(
        wait_until(TIMEOUT, || !m.is_running()),
        "{}",
        m.log_contents()
    );
    let log = m.log_contents();
    assert!(
        log.contains("1 of 1 replicas are in sync when shutting down."),
        "{log}"
    );
    let mut rc = r.conn();
    let got: Option<String> = redis::cmd("GET").arg("after").query(&mut rc).unwrap();
    assert_eq!(got.as_deref(), Some("abort"));
}
