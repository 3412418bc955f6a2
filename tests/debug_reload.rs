//! DEBUG RELOAD and DEBUG LOADAOF as Redis 7.0 has them: the options of RELOAD, its
//! error on a missing or bad dump, clients that arrive while a big reload runs, and
//! LOADAOF replaying the AOF (with and without the AOF on).

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{wait_until, TestServer};

/// Lets tests run DEBUG.
const DEBUG_ON: [&str; 2] = ["--enable-debug-command", "yes"];

/// Runs a command, returning its reply or the error's text.
fn run(con: &mut redis::Connection, args: &[&str]) -> Result<redis::Value, String> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con).map_err(|e| e.to_string())
}

/// GET of several keys (None where absent).
fn mget(con: &mut redis::Connection, keys: &[&str]) -> Vec<Option<String>> {
    redis::cmd("MGET").arg(keys).query(con).unwrap()
}

fn dbsize(con: &mut redis::Connection) -> i64 {
    redis::cmd("DBSIZE").query(con).unwrap()
}

#[test]
fn reload_options_follow_redis() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let ok = Ok(redis::Value::Okay);
    assert_eq!(run(&mut con, &["SET", "k1", "a"]), ok);
    assert_eq!(run(&mut con, &["SAVE"]), ok);
    assert_eq!(run(&mut con, &["SET", "k1", "b"]), ok);
    assert_eq!(run(&mut con, &["SET", "k3", "c"]), ok);
    // NOSAVE NOFLUSH MERGE: the file's keys win, the others stay.
    assert_eq!(
        run(&mut con, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]),
        ok
    );
    assert_eq!(
        mget(&mut con, &["k1", "k3"]),
        [Some("a".into()), Some("c".into())]
    );
    // NOSAVE: the dataset becomes the file's.
    assert_eq!(run(&mut con, &["SET", "k1", "z"]), ok);
    assert_eq!(run(&mut con, &["debug", "reload", "nosave"]), ok);
    assert_eq!(mget(&mut con, &["k1", "k3"]), [Some("a".into()), None]);
    // NOFLUSH without MERGE over the same keys fails.
    let err = run(&mut con, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"]).unwrap_err();
    assert!(err.contains("Error trying to load the RDB dump"), "{err}");
    // The default saves first, so nothing is lost.
    assert_eq!(run(&mut con, &["SET", "k4", "d"]), ok);
    assert_eq!(run(&mut con, &["DEBUG", "RELOAD"]), ok);
    assert_eq!(
        mget(&mut con, &["k1", "k4"]),
        [Some("a".into()), Some("d".into())]
    );
    let err = run(&mut con, &["DEBUG", "RELOAD", "NOSAVE", "EXTRA"]).unwrap_err();
    assert!(
        err.contains("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."),
        "{err}"
    );
}

#[test]
fn reload_of_a_missing_or_bad_dump_is_an_error() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    // No dump: the dataset was flushed first, as Redis does.
    let err = run(&mut con, &["DEBUG", "RELOAD", "NOSAVE"]).unwrap_err();
    assert!(err.contains("Error trying to load the RDB dump"), "{err}");
    assert_eq!(dbsize(&mut con), 0);
    // A truncated dump: an error, and the server goes on serving.
    fs::write(srv.dir.path().join("dump.rdb"), b"REDIS0009garbage").unwrap();
    let err = run(&mut con, &["DEBUG", "RELOAD", "NOSAVE"]).unwrap_err();
    assert!(err.contains("Error trying to load the RDB dump"), "{err}");
    assert_eq!(
        run(&mut con, &["PING"]),
        Ok(redis::Value::SimpleString("PONG".into()))
    );
    // A good save makes it whole again.
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v2")
        .query(&mut con)
        .unwrap();
    assert_eq!(run(&mut con, &["DEBUG", "RELOAD"]), Ok(redis::Value::Okay));
    assert_eq!(mget(&mut con, &["k"]), [Some("v2".into())]);
}

#[test]
fn clients_arriving_during_a_long_reload_get_loading_or_are_served_after_it() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let _: () = redis::cmd("DEBUG")
        .arg("POPULATE")
        .arg(300_000)
        .arg("key")
        .arg(64)
        .query(&mut con)
        .unwrap();
    let port = srv.port;
    // The reload, with a pipelined command behind it on the same connection.
    let reloader = thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        s.write_all(b"*2\r\n$5\r\nDEBUG\r\n$6\r\nRELOAD\r\n*1\r\n$6\r\nDBSIZE\r\n")
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while !got.ends_with(b":300000\r\n") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(got).unwrap()
    });
    // Clients that connect and send while it runs get their replies.
    let mut others = Vec::new();
    for i in 0..3 {
        thread::sleep(Duration::from_millis(20 * i));
        others.push(thread::spawn(move || {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
            s.write_all(b"*2\r\n$6\r\nEXISTS\r\n$9\r\nkey:12345\r\n")
                .unwrap();
            let mut buf = [0u8; 64];
            let n = s.read(&mut buf).unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        }));
    }
    assert_eq!(reloader.join().unwrap(), "+OK\r\n:300000\r\n");
    for t in others {
        let reply = t.join().unwrap();
        assert!(
            reply == ":1\r\n" || reply.starts_with("-LOADING"),
            "{reply}"
        );
    }
    assert_eq!(dbsize(&mut con), 300_000);
}

#[test]
fn loadaof_replays_the_aof() {
    let srv = TestServer::start_with(&["--enable-debug-command", "yes", "--appendonly", "yes"]);
    let mut con = srv.conn();
    let ok = Ok(redis::Value::Okay);
    assert_eq!(run(&mut con, &["SET", "k1", "a"]), ok);
    assert_eq!(run(&mut con, &["INCR", "n"]), Ok(redis::Value::Int(1)));
    assert_eq!(run(&mut con, &["DEBUG", "LOADAOF"]), ok);
    assert_eq!(
        mget(&mut con, &["k1", "n"]),
        [Some("a".into()), Some("1".into())]
    );
    let info: String = redis::cmd("INFO")
        .arg("persistence")
        .query(&mut con)
        .unwrap();
    assert!(info.contains("rdb_changes_since_last_save:0"), "{info}");
    // Writes after the reload still reach the AOF.
    assert_eq!(run(&mut con, &["SET", "k2", "b"]), ok);
    assert_eq!(run(&mut con, &["DEBUG", "LOADAOF"]), ok);
    assert_eq!(
        mget(&mut con, &["k1", "k2"]),
        [Some("a".into()), Some("b".into())]
    );
    // With the AOF switched off, LOADAOF goes back to what the files hold.
    assert_eq!(run(&mut con, &["CONFIG", "SET", "appendonly", "no"]), ok);
    assert_eq!(run(&mut con, &["SET", "q", "1"]), ok);
    assert_eq!(run(&mut con, &["DEBUG", "LOADAOF"]), ok);
    assert_eq!(mget(&mut con, &["k2", "q"]), [Some("b".into()), None]);
    assert!(wait_until(Duration::from_secs(5), || srv
        .log_contents()
        .contains("Append Only File loaded by DEBUG LOADAOF")));
}

#[test]
fn loadaof_without_an_aof_is_an_error() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let err = run(&mut con, &["DEBUG", "LOADAOF"]).unwrap_err();
    assert!(err.contains("Error trying to load the AOF files"), "{err}");
    assert_eq!(
        run(&mut con, &["PING"]),
        Ok(redis::Value::SimpleString("PONG".into()))
    );
}
