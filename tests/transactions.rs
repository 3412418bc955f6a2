//! Transactions against the real binary: MULTI/EXEC/DISCARD replies and errors
//! (captured from Redis 7.0.15), queue-time errors and EXECABORT, RESP3, WATCH
//! invalidation by writes, expiry, FLUSHDB/FLUSHALL/SWAPDB, MONITOR and SLOWLOG views of
//! a transaction, CLIENT LIST flags. The WATCH scenarios also run on a real
//! redis-server when one is installed, to check that the expectations are Redis's.

mod common;

use std::time::Duration;

use common::{
    check, run_fresh, run_script, show, start_redis_server, wait_until, RawConn, Script, TestServer,
};

/// Sends `args` and returns the reply bytes.
fn call(raw: &mut RawConn, args: &[&str]) -> Vec<u8> {
    raw.send_cmd(args);
    raw.read_reply()
}

const BASICS: Script = &[
    (&["MULTI"], b"+OK\r\n"),
    (&["MULTI"], b"-ERR MULTI calls can not be nested\r\n"),
    (&["SET", "a", "b"], b"+QUEUED\r\n"),
    (
        &["WATCH", "x"],
        b"-ERR WATCH inside MULTI is not allowed\r\n",
    ),
    (&["GET", "a"], b"+QUEUED\r\n"),
    (&["EXEC"], b"*2\r\n+OK\r\n$1\r\nb\r\n"),
    (&["EXEC"], b"-ERR EXEC without MULTI\r\n"),
    (&["DISCARD"], b"-ERR DISCARD without MULTI\r\n"),
    (&["MULTI"], b"+OK\r\n"),
    (&["EXEC"], b"*0\r\n"),
    (&["MULTI"], b"+OK\r\n"),
    (&["SET", "a", "1"], b"+QUEUED\r\n"),
    (&["DISCARD"], b"+OK\r\n"),
    (&["GET", "a"], b"$1\r\nb\r\n"),
    // Errors at run time do not stop the other commands.
    (&["MULTI"], b"+OK\r\n"),
    (&["INCR", "a"], b"+QUEUED\r\n"),
    (&["SET", "a", "2"], b"+QUEUED\r\n"),
    (&["INCR", "a"], b"+QUEUED\r\n"),
    (
        &["EXEC"],
        b"*3\r\n-ERR value is not an integer or out of range\r\n+OK\r\n:3\r\n",
    ),
    // SELECT inside the transaction stays in effect after it.
    (&["MULTI"], b"+OK\r\n"),
    (&["SELECT", "2"], b"+QUEUED\r\n"),
    (&["SET", "k2", "v"], b"+QUEUED\r\n"),
    (&["EXEC"], b"*2\r\n+OK\r\n+OK\r\n"),
    (&["GET", "k2"], b"$1\r\nv\r\n"),
    (&["UNWATCH"], b"+OK\r\n"),
];

#[test]
fn multi_exec_discard_basics() {
    run_fresh(BASICS);
}

const QUEUE_ERRORS: Script = &[
    (&["MULTI"], b"+OK\r\n"),
    (
        &["FOO", "bar"],
        b"-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n",
    ),
    (&["SET", "a", "1"], b"+QUEUED\r\n"),
    (
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    ),
    (&["GET", "a"], b"$-1\r\n"),
    (&["MULTI"], b"+OK\r\n"),
    (&["INCR", "a"], b"+QUEUED\r\n"),
    (
        &["SET", "b"],
        b"-ERR wrong number of arguments for 'set' command\r\n",
    ),
    (
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    ),
    (&["EXEC"], b"-ERR EXEC without MULTI\r\n"),
    // NO_MULTI commands are refused and abort the transaction.
    (&["MULTI"], b"+OK\r\n"),
    (
        &["SAVE"],
        b"-ERR Command not allowed inside a transaction\r\n",
    ),
    (
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    ),
    (&["MULTI"], b"+OK\r\n"),
    (
        &["SHUTDOWN"],
        b"-ERR Command not allowed inside a transaction\r\n",
    ),
    (&["DISCARD"], b"+OK\r\n"),
    // A refused DISCARD flags the transaction but keeps it open.
    (&["MULTI"], b"+OK\r\n"),
    (
        &["DISCARD", "x"],
        b"-ERR wrong number of arguments for 'discard' command\r\n",
    ),
    (
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    ),
    // A refused EXEC ends the transaction, naming the reason.
    (&["MULTI"], b"+OK\r\n"),
    (&["SET", "a", "1"], b"+QUEUED\r\n"),
    (
        &["EXEC", "x"],
        b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
    ),
    (&["EXEC"], b"-ERR EXEC without MULTI\r\n"),
    (&["GET", "a"], b"$-1\r\n"),
];

#[test]
fn queue_time_errors_abort_exec() {
    run_fresh(QUEUE_ERRORS);
}

#[test]
fn scripts_match_real_redis() {
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    run_script(&mut redis.raw(), BASICS);
    let mut raw = redis.raw();
    check(&mut raw, &["FLUSHALL"], b"+OK\r\n");
    run_script(&mut raw, QUEUE_ERRORS);
}

#[test]
fn errors_are_counted_like_redis() {
    let server = TestServer::start();
    let mut raw = server.raw();
    for args in [&["MULTI"][..], &["GET"], &["EXEC"]] {
        call(&mut raw, args);
    }
    let info = String::from_utf8(call(&mut raw, &["INFO", "errorstats"])).unwrap();
    assert!(info.contains("errorstat_ERR:count=1"), "{info}");
    assert!(info.contains("errorstat_EXECABORT:count=1"), "{info}");
    let info = String::from_utf8(call(&mut raw, &["INFO", "commandstats"])).unwrap();
    assert!(info.contains("cmdstat_get:calls=0,"), "{info}");
    assert!(info.contains("rejected_calls=1,failed_calls=0"), "{info}");
    assert!(
        info.contains("cmdstat_exec:calls=1,") && info.contains("failed_calls=1"),
        "{info}"
    );
}

#[test]
fn resp3_replies() {
    let server = TestServer::start();
    let mut raw = server.raw();
    call(&mut raw, &["HELLO", "3"]);
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["SET", "a", "1"], b"+QUEUED\r\n");
    check(&mut raw, &["GET", "a"], b"+QUEUED\r\n");
    check(&mut raw, &["GET", "nokey"], b"+QUEUED\r\n");
    check(&mut raw, &["EXEC"], b"*3\r\n+OK\r\n$1\r\n1\r\n_\r\n");
    check(&mut raw, &["WATCH", "a"], b"+OK\r\n");
    check(&mut raw, &["SET", "a", "2"], b"+OK\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["GET", "a"], b"+QUEUED\r\n");
    check(&mut raw, &["EXEC"], b"_\r\n");
}

/// One step of a WATCH scenario, run on connection 0 or 1.
enum Step {
    Cmd(usize, &'static [&'static str]),
    /// Waits until the server clock has moved at least this many ms past the step.
    Wait(u64),
}

use Step::{Cmd, Wait};

/// A scenario: steps, then `MULTI`, `PING`, `EXEC` on connection 0, whose reply must
/// be `exec` (`*1\r\n+PONG\r\n` or the null array `*-1\r\n`).
struct Scenario {
    name: &'static str,
    steps: &'static [Step],
    exec_ok: bool,
}

/// Server time in ms, from TIME.
fn server_ms(raw: &mut RawConn) -> u64 {
    let reply = call(raw, &["TIME"]);
    let text = String::from_utf8(reply).unwrap();
    let nums: Vec<u64> = text.split("\r\n").filter_map(|l| l.parse().ok()).collect();
    nums[0] * 1000 + nums[1] / 1000
}

/// Runs every scenario on a server listening on `port`, asserting its EXEC reply.
fn run_scenarios(port: u16, what: &str) {
    for sc in SCENARIOS {
        let mut conns = [RawConn::connect(port), RawConn::connect(port)];
        check(&mut conns[0], &["FLUSHALL"], b"+OK\r\n");
        check(
            &mut conns[0],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
            b"+OK\r\n",
        );
        for step in sc.steps {
            match step {
                Cmd(i, args) => {
                    call(&mut conns[*i], args);
                }
                Wait(ms) => {
                    let start = server_ms(&mut conns[1]);
                    assert!(
                        wait_until(Duration::from_secs(5), || server_ms(&mut conns[1])
                            > start + ms),
                        "server clock did not move"
                    );
                }
            }
        }
        check(&mut conns[0], &["MULTI"], b"+OK\r\n");
        check(&mut conns[0], &["PING"], b"+QUEUED\r\n");
        let got = call(&mut conns[0], &["EXEC"]);
        let want: &[u8] = if sc.exec_ok {
            b"*1\r\n+PONG\r\n"
        } else {
            b"*-1\r\n"
        };
        assert_eq!(show(&got), show(want), "{what}: scenario {}", sc.name);
        check(
            &mut conns[0],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
            b"+OK\r\n",
        );
        check(&mut conns[0], &["SELECT", "0"], b"+OK\r\n");
    }
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "unmodified key",
        steps: &[Cmd(0, &["SET", "x", "1"]), Cmd(0, &["WATCH", "x"])],
        exec_ok: true,
    },
    Scenario {
        name: "modified by another client",
        steps: &[
            Cmd(0, &["WATCH", "a", "b", "x", "c"]),
            Cmd(1, &["SET", "x", "1"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "modified by the watcher itself",
        steps: &[Cmd(0, &["WATCH", "x"]), Cmd(0, &["SET", "x", "1"])],
        exec_ok: false,
    },
    Scenario {
        name: "DEL of a missing key changes nothing",
        steps: &[Cmd(0, &["WATCH", "x"]), Cmd(1, &["DEL", "x"])],
        exec_ok: true,
    },
    Scenario {
        name: "DEL of an existing key",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["DEL", "x"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "read does not touch",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["GET", "x"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "EXPIRE touches",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["EXPIRE", "x", "100"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "RENAME touches the destination",
        steps: &[
            Cmd(0, &["SET", "y", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["RENAME", "y", "x"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "MOVE touches the target database",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["SELECT", "3"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["MOVE", "x", "3"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "WATCH remembers the database",
        steps: &[
            Cmd(0, &["SELECT", "5"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "1"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "lazily expired watched key",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "150"]),
            Cmd(0, &["WATCH", "x"]),
            Wait(200),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "watched key deleted by expiry",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "150"]),
            Cmd(0, &["WATCH", "x"]),
            Wait(200),
            Cmd(1, &["EXISTS", "x"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "stale key watched",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["WATCH", "x"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "stale key watched, then deleted by expiry",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["EXISTS", "x"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "stale key watched, then set again",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "2"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "FLUSHDB with stale watched key",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["FLUSHDB"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "FLUSHALL touches existing watched keys",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["FLUSHALL"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "FLUSHALL leaves missing watched keys alone",
        steps: &[Cmd(0, &["WATCH", "x"]), Cmd(1, &["FLUSHALL"])],
        exec_ok: true,
    },
    Scenario {
        name: "FLUSHDB touches existing watched keys",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["FLUSHDB"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "FLUSHDB of another database",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SELECT", "1"]),
            Cmd(1, &["FLUSHDB"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "SWAPDB touches a watched key that exists",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SWAPDB", "0", "1"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "SWAPDB touches a watched key that appears",
        steps: &[
            Cmd(1, &["SELECT", "1"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SWAPDB", "0", "1"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "SWAPDB replacing a stale key with nothing",
        steps: &[
            Cmd(0, &["SELECT", "1"]),
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SWAPDB", "0", "1"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "SWAPDB replacing nothing with a stale key",
        steps: &[
            Cmd(0, &["SET", "x", "1", "PX", "1"]),
            Wait(3),
            Cmd(0, &["SELECT", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SWAPDB", "0", "1"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "UNWATCH forgets a touched key",
        steps: &[
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(0, &["UNWATCH"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "DISCARD clears the dirty state",
        steps: &[
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(0, &["MULTI"]),
            Cmd(0, &["DISCARD"]),
            Cmd(1, &["SET", "x", "2"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "a failed EXEC unwatches",
        steps: &[
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(0, &["MULTI"]),
            Cmd(0, &["EXEC"]),
            Cmd(1, &["SET", "x", "2"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "WATCH after the touch is no longer useful",
        steps: &[
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "y"]),
        ],
        exec_ok: false,
    },
    Scenario {
        name: "a write that changes nothing does not touch",
        steps: &[
            Cmd(0, &["SET", "x", "1"]),
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["SETNX", "x", "2"]),
        ],
        exec_ok: true,
    },
    Scenario {
        name: "a transaction of another client touches",
        steps: &[
            Cmd(0, &["WATCH", "x"]),
            Cmd(1, &["MULTI"]),
            Cmd(1, &["SET", "x", "1"]),
            Cmd(1, &["EXEC"]),
        ],
        exec_ok: false,
    },
];

#[test]
fn watch_scenarios() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    run_scenarios(server.port, "ferrodis");
}

#[test]
fn watch_scenarios_match_real_redis() {
    let Some(redis) = start_redis_server(&["--enable-debug-command", "yes"]) else {
        return;
    };
    run_scenarios(redis.port, "redis-server");
}

#[test]
fn monitor_sees_the_transaction() {
    let server = TestServer::start();
    let mut mon = server.raw();
    check(&mut mon, &["MONITOR"], b"+OK\r\n");
    let mut raw = server.raw();
    for (args, reply) in [
        (&["MULTI"][..], &b"+OK\r\n"[..]),
        (&["SET", "a", "1"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*1\r\n+OK\r\n"),
        (&["MULTI"], b"+OK\r\n"),
        (&["EXEC", "x"], b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"),
        (&["MONITOR"], b"+OK\r\n"),
    ] {
        check(&mut raw, args, reply);
    }
    // The second connection is now a monitor: its own MONITOR is not shown.
    let mut lines = Vec::new();
    for _ in 0..5 {
        let line = String::from_utf8(mon.read_reply()).unwrap();
        let cmd = line.split_once("] ").map(|(_, c)| c.to_string()).unwrap();
        lines.push(cmd);
    }
    assert_eq!(
        lines,
        [
            "\"MULTI\"\r\n",
            "\"SET\" \"a\" \"1\"\r\n",
            "\"EXEC\"\r\n",
            "\"MULTI\"\r\n",
            "\"EXEC\" \"x\"\r\n",
        ]
    );
}

#[test]
fn monitor_inside_exec_is_refused() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["MONITOR"], b"+QUEUED\r\n");
    check(&mut raw, &["PING"], b"+QUEUED\r\n");
    check(
        &mut raw,
        &["EXEC"],
        b"*2\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n+PONG\r\n",
    );
    check(&mut raw, &["PING"], b"+PONG\r\n");
}

#[test]
fn slowlog_and_stats_count_the_inner_commands() {
    let server = TestServer::start_with(&["--slowlog-log-slower-than", "0"]);
    let mut raw = server.raw();
    check(&mut raw, &["SLOWLOG", "RESET"], b"+OK\r\n");
    for args in [
        &["MULTI"][..],
        &["SET", "a", "1"],
        &["INCR", "a"],
        &["EXEC"],
    ] {
        call(&mut raw, args);
    }
    raw.send_cmd(&["SLOWLOG", "GET"]);
    let text = String::from_utf8_lossy(&raw.read_reply()).into_owned();
    // Newest first: EXEC is not logged, its commands and MULTI are.
    let names: Vec<&str> = ["INCR", "SET", "MULTI", "EXEC"]
        .into_iter()
        .filter(|n| text.contains(&format!("${}\r\n{}\r\n", n.len(), n)))
        .collect();
    assert_eq!(names, ["INCR", "SET", "MULTI"], "{text}");
    let info = String::from_utf8(call(&mut raw, &["INFO", "commandstats"])).unwrap();
    for cmd in ["multi", "set", "incr", "exec"] {
        assert!(info.contains(&format!("cmdstat_{cmd}:calls=1,")), "{info}");
    }
}

#[test]
fn client_list_shows_the_transaction() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let mut other = server.raw();
    check(&mut raw, &["WATCH", "k"], b"+OK\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["GET", "k"], b"+QUEUED\r\n");
    let list = String::from_utf8(call(&mut other, &["CLIENT", "LIST"])).unwrap();
    assert!(
        list.contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=1 "),
        "{list}"
    );
    check(&mut other, &["SET", "k", "1"], b"+OK\r\n");
    let list = String::from_utf8(call(&mut other, &["CLIENT", "LIST"])).unwrap();
    assert!(
        list.contains(" flags=xd db=0 sub=0 psub=0 ssub=0 multi=1 "),
        "{list}"
    );
    check(&mut raw, &["EXEC"], b"*-1\r\n");
    let list = String::from_utf8(call(&mut other, &["CLIENT", "LIST"])).unwrap();
    assert_eq!(list.matches("multi=-1 ").count(), 2, "{list}");
}

#[test]
fn reset_and_disconnect_end_the_transaction() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["WATCH", "k"], b"+OK\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["SET", "k", "1"], b"+QUEUED\r\n");
    check(&mut raw, &["RESET"], b"+RESET\r\n");
    check(&mut raw, &["EXEC"], b"-ERR EXEC without MULTI\r\n");
    check(&mut raw, &["GET", "k"], b"$-1\r\n");
    // A client that leaves in the middle of a transaction leaves nothing behind.
    let mut gone = server.raw();
    check(&mut gone, &["WATCH", "k"], b"+OK\r\n");
    check(&mut gone, &["MULTI"], b"+OK\r\n");
    check(&mut gone, &["SET", "k", "2"], b"+QUEUED\r\n");
    drop(gone);
    check(&mut raw, &["SET", "k", "3"], b"+OK\r\n");
    check(&mut raw, &["GET", "k"], b"$1\r\n3\r\n");
}

#[test]
fn commands_of_a_transaction_share_its_time() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut raw = server.raw();
    check(&mut raw, &["SET", "k", "v", "PX", "500"], b"+OK\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["DEBUG", "SLEEP", "0.6"], b"+QUEUED\r\n");
    check(&mut raw, &["GET", "k"], b"+QUEUED\r\n");
    // Expiry inside EXEC uses EXEC's start time: the key was alive then.
    check(&mut raw, &["EXEC"], b"*2\r\n+OK\r\n$1\r\nv\r\n");
    check(&mut raw, &["GET", "k"], b"$-1\r\n");
}

#[test]
fn exec_of_writes_waits_for_client_pause_write() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut b = server.raw();
    check(&mut a, &["MULTI"], b"+OK\r\n");
    check(&mut a, &["SET", "k", "v"], b"+QUEUED\r\n");
    check(&mut b, &["CLIENT", "PAUSE", "100000", "WRITE"], b"+OK\r\n");
    a.send_cmd(&["EXEC"]);
    // A read-only transaction is not held back, and the write has not happened.
    check(&mut b, &["MULTI"], b"+OK\r\n");
    check(&mut b, &["GET", "k"], b"+QUEUED\r\n");
    check(&mut b, &["EXEC"], b"*1\r\n$-1\r\n");
    check(&mut b, &["CLIENT", "UNPAUSE"], b"+OK\r\n");
    assert_eq!(show(&a.read_reply()), show(b"*1\r\n+OK\r\n"));
    check(&mut b, &["GET", "k"], b"$1\r\nv\r\n");
}

#[test]
fn aof_gets_multi_exec_around_several_writes_only() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut raw = server.raw();
    for (args, reply) in [
        (&["MULTI"][..], &b"+OK\r\n"[..]),
        (&["SET", "a", "1"], b"+QUEUED\r\n"),
        (&["GET", "a"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*2\r\n+OK\r\n$1\r\n1\r\n"),
        (&["MULTI"], b"+OK\r\n"),
        (&["GET", "a"], b"+QUEUED\r\n"),
        (&["DEL", "nokey"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*2\r\n$1\r\n1\r\n:0\r\n"),
        (&["MULTI"], b"+OK\r\n"),
        (&["SELECT", "2"], b"+QUEUED\r\n"),
        (&["SET", "x", "1"], b"+QUEUED\r\n"),
        (&["SELECT", "3"], b"+QUEUED\r\n"),
        (&["SET", "y", "1"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*4\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n"),
    ] {
        check(&mut raw, args, reply);
    }
    let text = common::incr_aof(&server);
    // What Redis 7.0.15 writes for the same requests.
    let want: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n\
*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n";
    assert_eq!(show(&text), show(want));
}

/// Field `name` of `INFO section`, read on `raw` ("missing" if absent).
fn info_field(raw: &mut RawConn, section: &str, name: &str) -> String {
    let info = String::from_utf8_lossy(&call(raw, &["INFO", section])).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or("missing")
        .to_string()
}

/// `blocked_clients` of INFO, read on `raw`.
fn blocked_clients(raw: &mut RawConn) -> String {
    info_field(raw, "clients", "blocked_clients")
}

#[test]
fn paused_and_waiting_clients_count_as_blocked_and_are_not_idle_closed() {
    // As Redis 7.0: a client held back by CLIENT PAUSE, or in WAIT, is blocked (INFO,
    // the `b` flag, its command in CLIENT LIST), and `timeout` does not close it.
    let server = TestServer::start_with(&["--timeout", "1"]);
    let mut admin = server.raw();
    let mut writer = server.raw();
    check(
        &mut admin,
        &["CLIENT", "PAUSE", "100000", "WRITE"],
        b"+OK\r\n",
    );
    // A request that would be refused gets its error at once, as in Redis.
    check(
        &mut writer,
        &["SET", "foo"],
        b"-ERR wrong number of arguments for 'set' command\r\n",
    );
    writer.send_cmd(&["SET", "foo", "bar"]);
    assert!(wait_until(Duration::from_secs(10), || blocked_clients(
        &mut admin
    ) == "1"));
    let list = String::from_utf8_lossy(&call(&mut admin, &["CLIENT", "LIST"])).into_owned();
    let held = list
        .lines()
        .find(|l| l.contains("cmd=set "))
        .unwrap_or_else(|| panic!("no client shows cmd=set in {list}"));
    assert!(
        held.contains(" flags=b ") && held.contains(" argv-mem=9 "),
        "{held}"
    );
    // Idle for longer than `timeout` (the cron checks every 100 ms), still there.
    std::thread::sleep(Duration::from_millis(2300));
    check(&mut admin, &["CLIENT", "UNPAUSE"], b"+OK\r\n");
    assert_eq!(show(&writer.read_reply()), show(b"+OK\r\n"));
    assert_eq!(blocked_clients(&mut admin), "0");

    // WAIT for a replica that does not exist blocks until its timeout.
    writer.send_cmd(&["WAIT", "1", "60000"]);
    assert!(wait_until(Duration::from_secs(10), || blocked_clients(
        &mut admin
    ) == "1"));
    let list = String::from_utf8_lossy(&call(&mut admin, &["CLIENT", "LIST"])).into_owned();
    assert!(
        list.lines()
            .any(|l| l.contains("cmd=wait ") && l.contains(" flags=b ")),
        "{list}"
    );
}

/// `expired_keys` of INFO stats, read on `raw`.
fn expired_keys(raw: &mut RawConn) -> String {
    info_field(raw, "stats", "expired_keys")
}

#[test]
fn a_pause_hides_expired_keys_without_deleting_them() {
    // As Redis: while clients are paused the dataset stays still, so a key whose time
    // passes reads as missing but is only deleted (and counted) after the pause.
    let server = TestServer::start();
    let mut raw = server.raw();
    assert_eq!(expired_keys(&mut raw), "0");
    check(&mut raw, &["SET", "foo", "bar", "PX", "200"], b"+OK\r\n");
    check(
        &mut raw,
        &["CLIENT", "PAUSE", "100000", "WRITE"],
        b"+OK\r\n",
    );
    assert!(wait_until(Duration::from_secs(10), || call(
        &mut raw,
        &["GET", "foo"]
    ) == b"$-1\r\n"));
    check(&mut raw, &["EXISTS", "foo"], b":0\r\n");
    check(&mut raw, &["DBSIZE"], b":1\r\n");
    assert_eq!(expired_keys(&mut raw), "0");
    check(&mut raw, &["CLIENT", "UNPAUSE"], b"+OK\r\n");
    check(&mut raw, &["GET", "foo"], b"$-1\r\n");
    check(&mut raw, &["DBSIZE"], b":0\r\n");
    assert_eq!(expired_keys(&mut raw), "1");
}
