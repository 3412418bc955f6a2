//! `repl-diskless-load`: a replica that parses its master's full sync straight from the
//! socket. `on-empty-db` does so only when it holds no keys; `swapdb` always, keeping
//! its old data aside until the new data is loaded, and putting it back when the
//! transfer fails. Both payload forms are covered (`$EOF:<mark>` from a diskless master,
//! `$<length>` from a disk-based one), with ferrodis and real Redis as the master.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use common::repl::{
    info, info_i64, master, real_redis_master, replica_of, wait_synced, SYNC_TIMEOUT,
};
use common::{digest, query, wait_until, TestServer};

/// Fills a master with keys of every type, in two databases.
fn fill(srv: &TestServer, tag: &str) {
    let mut con = srv.conn();
    let _: () = query(&mut con, &["DEBUG", "POPULATE", "3000", tag, "40"]);
    let big = "x".repeat(5000);
    let _: () = query(&mut con, &["SET", &format!("{tag}:big"), &big]);
    let _: i64 = query(&mut con, &["RPUSH", &format!("{tag}:list"), "a", "b", "7"]);
    let _: i64 = query(&mut con, &["HSET", &format!("{tag}:hash"), "f", "v"]);
    let _: i64 = query(&mut con, &["SADD", &format!("{tag}:set"), "1", "2", "3"]);
    let _: i64 = query(&mut con, &["ZADD", &format!("{tag}:zset"), "1.5", "m"]);
    let _: () = query(&mut con, &["SET", &format!("{tag}:ttl"), "v", "EX", "1000"]);
    let _: () = query(&mut con, &["SELECT", "3"]);
    let _: () = query(&mut con, &["SET", &format!("{tag}:db3"), "three"]);
}

/// Writes a few keys on the master after the sync, through the stream.
fn stream_some(srv: &TestServer) {
    let mut con = srv.conn();
    for i in 0..200 {
        let _: () = query(&mut con, &["SET", &format!("after:{i}"), &i.to_string()]);
    }
    let _: i64 = query(&mut con, &["INCR", "after:counter"]);
}

/// The number of keys in database 0 of `srv`.
fn dbsize(srv: &TestServer) -> i64 {
    query(&mut srv.conn(), &["DBSIZE"])
}

/// Syncs a replica with `load_mode` from a ferrodis master in `sync_mode`
/// (`--repl-diskless-sync` yes or no), and checks data, stream and the log line that
/// tells how it loaded.
fn sync_and_compare(sync_mode: &str, load_mode: &str, replica_has_data: bool, loads_from: &str) {
    let m = master(&["--repl-diskless-sync", sync_mode]);
    fill(&m, "m");
    let r = TestServer::start_with(&[
        "--repl-diskless-load",
        load_mode,
        "--enable-debug-command",
        "yes",
    ]);
    if replica_has_data {
        fill(&r, "old");
    }
    let _: () = query(
        &mut r.conn(),
        &["REPLICAOF", "127.0.0.1", &m.port.to_string()],
    );
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&mut m.conn()), digest(&mut r.conn()));
    stream_some(&m);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&mut m.conn()), digest(&mut r.conn()));
    let log = r.log_contents();
    assert!(
        log.contains(&format!("from master {loads_from}")),
        "expected a load {loads_from}:\n{log}"
    );
    assert_eq!(info_i64(&m, "stats", "sync_full"), 1);
}

#[test]
fn on_empty_db_parses_an_eof_marked_stream() {
    sync_and_compare("yes", "on-empty-db", false, "with EOF to parser");
}

#[test]
fn on_empty_db_parses_a_length_payload() {
    sync_and_compare("no", "on-empty-db", false, "to parser");
}

#[test]
fn on_empty_db_goes_through_disk_when_the_replica_has_keys() {
    sync_and_compare("yes", "on-empty-db", true, "with EOF to disk");
}

#[test]
fn swapdb_replaces_the_old_data() {
    sync_and_compare("yes", "swapdb", true, "with EOF to parser");
    sync_and_compare("no", "swapdb", true, "to parser");
}

/// Reads one RESP array of bulk strings from `input` (None at end of stream).
fn read_command(input: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut line = String::new();
    if input.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let n: usize = line.trim().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        input.read_line(&mut line).ok()?;
        let len: usize = line.trim().strip_prefix('$')?.parse().ok()?;
        let mut data = vec![0u8; len + 2];
        input.read_exact(&mut data).ok()?;
        data.truncate(len);
        args.push(String::from_utf8_lossy(&data).into_owned());
    }
    Some(args)
}

/// A master that answers the handshake, announces a full resync with `payload_header`
/// and sends `body` (the start of an RDB), then closes the link. Serves every
/// connection the same way until the test ends.
fn broken_master(payload_header: &'static str, body: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let mut out = conn.try_clone().unwrap();
            let mut input = BufReader::new(conn);
            while let Some(args) = read_command(&mut input) {
                let name = args[0].to_ascii_uppercase();
                let reply: Vec<u8> = match name.as_str() {
                    "PING" => b"+PONG\r\n".to_vec(),
                    "PSYNC" | "SYNC" => {
                        let mut r =
                            format!("+FULLRESYNC {} 0\r\n{payload_header}\r\n", "a".repeat(40))
                                .into_bytes();
                        r.extend_from_slice(body);
                        let _ = out.write_all(&r);
                        break;
                    }
                    _ => b"+OK\r\n".to_vec(),
                };
                if out.write_all(&reply).is_err() {
                    break;
                }
            }
            // Dropping both halves closes the link mid-payload.
        }
    });
    port
}

/// A replica with keys, in `load_mode`, pointed at a master whose payload breaks off:
/// it must report the failure, and keep its keys with swapdb.
fn failed_transfer(load_mode: &str, payload_header: &'static str, keeps_data: bool) {
    let port = broken_master(payload_header, b"REDIS0009\xfa\x09redis-ver\x057.0.1");
    let r = TestServer::start_with(&[
        "--repl-diskless-load",
        load_mode,
        "--enable-debug-command",
        "yes",
    ]);
    fill(&r, "kept");
    let before = digest(&mut r.conn());
    let keys_before = dbsize(&r);
    let _: () = query(
        &mut r.conn(),
        &["REPLICAOF", "127.0.0.1", &port.to_string()],
    );
    let failed = wait_until(SYNC_TIMEOUT, || {
        r.log_contents()
            .contains("Failed trying to load the MASTER synchronization DB from socket")
    });
    assert!(failed, "no failed load logged:\n{}", r.log_contents());
    assert_eq!(info(&r, "replication", "master_link_status"), "down");
    if keeps_data {
        assert_eq!(dbsize(&r), keys_before);
        assert_eq!(digest(&mut r.conn()), before);
        let v: String = query(&mut r.conn(), &["GET", "kept:big"]);
        assert_eq!(v.len(), 5000);
    }
    // Back to a master of its own: it serves writes at once.
    let _: () = query(&mut r.conn(), &["REPLICAOF", "NO", "ONE"]);
    let _: () = query(&mut r.conn(), &["SET", "fresh", "1"]);
}

#[test]
fn swapdb_keeps_the_old_data_when_an_eof_stream_breaks_off() {
    failed_transfer(
        "swapdb",
        "$EOF:0123456789012345678901234567890123456789",
        true,
    );
}

#[test]
fn swapdb_keeps_the_old_data_when_a_length_payload_breaks_off() {
    failed_transfer("swapdb", "$5000", true);
}

#[test]
fn a_silent_master_times_out_and_swapdb_restores_the_data() {
    // The master announces 5000 bytes, sends 30 and keeps the link open.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let mut out = conn.try_clone().unwrap();
            let mut input = BufReader::new(conn);
            while let Some(args) = read_command(&mut input) {
                let reply: &[u8] = match args[0].to_ascii_uppercase().as_str() {
                    "PING" => b"+PONG\r\n",
                    "PSYNC" => {
                        let r = format!("+FULLRESYNC {} 0\r\n$5000\r\nREDIS0009", "b".repeat(40));
                        let _ = out.write_all(r.as_bytes());
                        break;
                    }
                    _ => b"+OK\r\n",
                };
                let _ = out.write_all(reply);
            }
            held.push(out);
        }
    });
    let r = TestServer::start_with(&["--repl-diskless-load", "swapdb", "--repl-timeout", "1"]);
    let _: () = query(&mut r.conn(), &["SET", "mine", "1"]);
    let _: () = query(
        &mut r.conn(),
        &["REPLICAOF", "127.0.0.1", &port.to_string()],
    );
    let timed_out = wait_until(SYNC_TIMEOUT, || {
        r.log_contents().contains("timeout reading from the master")
    });
    assert!(timed_out, "no timeout logged:\n{}", r.log_contents());
    let v: Option<String> = query(&mut r.conn(), &["GET", "mine"]);
    assert_eq!(v.as_deref(), Some("1"));
}

#[test]
fn real_redis_master_to_a_parsing_replica() {
    skip_unless_tool!("redis-server");
    for sync_mode in ["yes", "no"] {
        let Some(m) = real_redis_master(&["--repl-diskless-sync", sync_mode]) else {
            return;
        };
        fill(&m, "m");
        let r = replica_of(m.port, &["--repl-diskless-load", "swapdb"]);
        wait_synced(&m, &[&r]);
        assert_eq!(digest(&mut m.conn()), digest(&mut r.conn()));
        stream_some(&m);
        wait_synced(&m, &[&r]);
        assert_eq!(digest(&mut m.conn()), digest(&mut r.conn()));
        assert!(r.log_contents().contains("to parser"));
    }
}

#[test]
fn loading_replica_answers_loading_and_keeps_serving_info() {
    // A big enough dataset that the loader serves clients while it loads; whatever a
    // client sees meanwhile is -LOADING or the loaded data, never a half-empty dataset.
    let m = master(&[]);
    let _: () = query(
        &mut m.conn(),
        &["DEBUG", "POPULATE", "200000", "key", "100"],
    );
    let r = TestServer::start_with(&["--repl-diskless-load", "swapdb"]);
    let _: () = query(&mut r.conn(), &["SET", "key:1", "old"]);
    let port = r.port;
    let watcher = thread::spawn(move || {
        let mut seen = Vec::new();
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut buf = [0u8; 512];
        for _ in 0..5000 {
            s.write_all(b"*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n").unwrap();
            let n = s.read(&mut buf).unwrap();
            let reply = String::from_utf8_lossy(&buf[..n]).into_owned();
            let done = reply.contains("value:1");
            seen.push(reply);
            if done {
                break;
            }
            thread::sleep(Duration::from_millis(1));
        }
        seen
    });
    let _: () = query(
        &mut r.conn(),
        &["REPLICAOF", "127.0.0.1", &m.port.to_string()],
    );
    wait_synced(&m, &[&r]);
    for reply in watcher.join().unwrap() {
        assert!(
            reply == "$3\r\nold\r\n" || reply.starts_with("-LOADING") || reply.contains("value:1"),
            "{reply:?}"
        );
    }
    assert_eq!(dbsize(&r), 200_000);
}

/// Drops the replica's link and makes the master unable to continue it: the backlog
/// shrinks and more than its size is written, so the replica's next PSYNC (same
/// history) gets a full resync.
fn force_full_resync_of_same_history(m: &TestServer) {
    let mut con = m.conn();
    let value = "A".repeat(16 * 1024);
    let mut tx = redis::pipe();
    tx.atomic();
    tx.cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("replica")
        .ignore();
    tx.cmd("CONFIG")
        .arg("SET")
        .arg("repl-backlog-size")
        .arg("16384")
        .ignore();
    for i in 0..4 {
        tx.cmd("SET")
            .arg(format!("pushed:{i}"))
            .arg(&value)
            .ignore();
    }
    tx.query::<()>(&mut con).unwrap();
}

/// `swapdb` when the master continues the replica's own history (Redis 7.0's async
/// loading): while the RDB loads, the replica serves its old data instead of -LOADING
/// (INFO: async_loading:1, loading:0), refuses the commands and parameters that would
/// act on the load, keeps the old data when the transfer breaks off, and has exactly the
/// master's data once a load completes.
#[test]
fn swapdb_of_the_same_history_serves_the_old_data_while_loading() {
    let m = master(&["--repl-diskless-sync", "yes"]);
    let r = replica_of(
        m.port,
        &[
            "--repl-diskless-load",
            "swapdb",
            "--replica-read-only",
            "no",
            // Clients are served between reads of this many bytes of the RDB.
            "--loading-process-events-interval-bytes",
            "1024",
        ],
    );
    wait_synced(&m, &[&r]);
    let mut rc = r.conn();
    let _: () = query(&mut rc, &["DEBUG", "POPULATE", "1000", "replica", "10"]);
    let _: () = query(&mut rc, &["SET", "mine", "old"]);
    let mut mc = m.conn();
    let _: () = query(&mut mc, &["DEBUG", "POPULATE", "1000", "master", "20000"]);
    // 10 ms per key: the RDB takes ten seconds to send, unless cut short.
    let _: () = query(&mut mc, &["CONFIG", "SET", "rdb-key-save-delay", "10000"]);
    force_full_resync_of_same_history(&m);
    let loading = wait_until(SYNC_TIMEOUT, || {
        info(&r, "persistence", "async_loading") == "1"
    });
    assert!(loading, "the replica did not start an async load");
    assert_eq!(info(&r, "persistence", "loading"), "0");
    let mut rc = r.conn();
    let mine: Option<String> = query(&mut rc, &["GET", "mine"]);
    assert_eq!(mine.as_deref(), Some("old"));
    assert_eq!(dbsize(&r), 1001);
    for args in [
        &["CONFIG", "SET", "appendonly", "no"][..],
        &["REPLICAOF", "NO", "ONE"][..],
    ] {
        let err = redis::cmd(args[0])
            .arg(&args[1..])
            .query::<redis::Value>(&mut rc)
            .unwrap_err();
        assert_eq!(err.code(), Some("LOADING"), "{args:?}");
    }
    // A script that runs too long in a pause of the load still lets the others in,
    // to be told BUSY and to kill it.
    let _: () = query(&mut rc, &["CONFIG", "SET", "busy-reply-threshold", "10"]);
    let mut looping = r.raw();
    let mut pinger = r.raw();
    pinger.send_cmd(&["PING"]);
    pinger.expect(b"+PONG\r\n");
    // Sent together, so that one round of the loader is likely to see both.
    looping.send_cmd(&["EVAL", "while true do end", "0"]);
    pinger.send_cmd(&["PING"]);
    let reply = pinger.read_reply();
    assert!(
        reply.starts_with(b"-BUSY"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let _: () = query(&mut rc, &["SCRIPT", "KILL"]);
    let ended = wait_until(SYNC_TIMEOUT, || {
        redis::cmd("PING").query::<String>(&mut rc).is_ok()
    });
    assert!(ended, "the killed script still runs");
    assert_eq!(info(&r, "persistence", "async_loading"), "1");
    // The transfer breaks off: the old data stays.
    let _: () = query(&mut mc, &["CONFIG", "SET", "repl-diskless-sync-delay", "5"]);
    let _: i64 = query(&mut mc, &["CLIENT", "KILL", "TYPE", "replica"]);
    let stopped = wait_until(SYNC_TIMEOUT, || {
        info(&r, "persistence", "async_loading") == "0"
    });
    assert!(stopped, "the async load did not stop");
    let mine: Option<String> = query(&mut rc, &["GET", "mine"]);
    assert_eq!(mine.as_deref(), Some("old"));
    assert_eq!(dbsize(&r), 1001);
    // A complete load replaces it.
    let _: () = query(&mut mc, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    wait_synced(&m, &[&r]);
    assert_eq!(digest(&mut r.conn()), digest(&mut m.conn()));
    let mine: Option<String> = query(&mut rc, &["GET", "mine"]);
    assert_eq!(mine, None);
}
