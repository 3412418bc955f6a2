//! Checks the integration-test harness itself: starting, talking to and restarting a
//! server, and the RESP reply framer that raw-protocol tests rely on.

mod common;

use std::time::{Duration, Instant};

use common::{resp_frame_len, wait_until, RespFrameError, TestServer};

#[test]
fn server_answers_ping_through_both_clients() {
    let server = TestServer::start();
    let mut con = server.conn();
    let pong: String = redis::cmd("PING").query(&mut con).expect("PING");
    assert_eq!(pong, "PONG");

    let mut raw = server.raw();
    raw.send(b"*1\r\n$4\r\nPING\r\n");
    assert_eq!(raw.read_reply(), b"+PONG\r\n");
    raw.send_cmd(&["PING"]);
    raw.expect(b"+PONG\r\n");

    assert!(server.log_path().is_file(), "no {}", common::LOG_FILE);
}

#[test]
fn restart_keeps_port_and_dir_and_replaces_the_process() {
    let mut server = TestServer::start();
    let (port, dir, pid) = (server.port, server.dir.path().to_path_buf(), server.pid());
    server.restart();
    assert_eq!(server.port, port);
    assert_eq!(server.dir.path(), dir);
    assert_ne!(server.pid(), pid, "restart must start a new process");
    assert!(server.is_running());
    let pong: String = redis::cmd("PING").query(&mut server.conn()).expect("PING");
    assert_eq!(pong, "PONG");
}

#[test]
fn config_file_is_written_and_the_command_line_overrides_it() {
    // `port 0` would mean "no TCP listener": the server is only reachable if the
    // harness's --port, given after the file, wins.
    let server = TestServer::start_with_config("port 0\n", &[]);
    let conf = std::fs::read_to_string(server.dir.path().join(common::CONFIG_FILE)).unwrap();
    assert!(conf.ends_with("port 0\n"), "config file: {conf:?}");
    let pong: String = redis::cmd("PING").query(&mut server.conn()).expect("PING");
    assert_eq!(pong, "PONG");
}

#[test]
fn dropping_the_server_ends_its_process() {
    let server = TestServer::start();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", server.pid()));
    assert!(proc_dir.exists());
    drop(server);
    assert!(
        !proc_dir.exists(),
        "{} still exists after drop",
        proc_dir.display()
    );
}

#[test]
#[should_panic(expected = "exited during startup")]
fn a_server_that_cannot_start_fails_the_test() {
    // The later --port wins over the harness's own, and no server accepts this one.
    TestServer::start_with(&["--port", "not-a-port"]);
}

#[test]
fn real_redis_server_starts_when_installed() {
    skip_unless_tool!("redis-server");
    let redis = common::start_redis_server(&[]).expect("redis-server is installed");
    let pong: String = redis::cmd("PING").query(&mut redis.conn()).expect("PING");
    assert_eq!(pong, "PONG");
}

#[test]
fn framer_finds_the_end_of_every_reply_type() {
    let replies: [&[u8]; 16] = [
        b"+OK\r\n",
        b"-ERR unknown\r\n",
        b":-42\r\n",
        b"$5\r\nhel\r\n\r\n",
        b"$-1\r\n",
        b"*-1\r\n",
        b"*2\r\n$1\r\na\r\n:1\r\n",
        b"%1\r\n+k\r\n*1\r\n_\r\n",
        b"~2\r\n#t\r\n,1.5\r\n",
        b"(12345678901234567890\r\n",
        b"=8\r\ntxt:abcd\r\n",
        b"!3\r\nERR\r\n",
        b">2\r\n+message\r\n$0\r\n\r\n",
        b"|1\r\n+ttl\r\n:3\r\n+value\r\n",
        b"*0\r\n",
        b"_\r\n",
    ];
    for reply in replies {
        let shown = common::show(reply);
        assert_eq!(resp_frame_len(reply), Ok(Some(reply.len())), "{shown}");
        for cut in 0..reply.len() {
            assert_eq!(
                resp_frame_len(&reply[..cut]),
                Ok(None),
                "{shown} cut at {cut}"
            );
        }
        let mut two = reply.to_vec();
        two.extend_from_slice(b"+next\r\n");
        assert_eq!(
            resp_frame_len(&two),
            Ok(Some(reply.len())),
            "{shown} + more"
        );
    }
}

#[test]
fn framer_rejects_malformed_replies() {
    assert_eq!(
        resp_frame_len(b"?1\r\n"),
        Err(RespFrameError::UnknownType {
            offset: 0,
            byte: b'?'
        })
    );
    assert_eq!(
        resp_frame_len(b"$x\r\n"),
        Err(RespFrameError::BadLength { offset: 0 })
    );
    assert_eq!(
        resp_frame_len(b"*1\r\n$-2\r\n"),
        Err(RespFrameError::BadLength { offset: 4 })
    );
    assert_eq!(
        resp_frame_len(b"$2\r\nabcd\r\n"),
        Err(RespFrameError::MissingCrlf { offset: 6 })
    );
}

#[test]
fn wait_until_is_bounded() {
    let start = Instant::now();
    assert!(!wait_until(Duration::from_millis(100), || false));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(100) && waited < Duration::from_secs(2));

    let mut calls = 0;
    assert!(wait_until(Duration::from_secs(5), || {
        calls += 1;
        calls == 3
    }));
    assert_eq!(calls, 3);
}
