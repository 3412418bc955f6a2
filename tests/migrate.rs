//! MIGRATE against the real binary: keys moved between two ferrodis servers (single
//! key, KEYS form, COPY, REPLACE, expiry, AUTH/AUTH2 to a requirepass target), the
//! target's refusals, IOERR for a closed port or a target that never answers, the
//! connection cache, the DEL it propagates to a replica and the AOF, and exchanges with
//! a real redis-server in both directions (replies captured from Redis 7.0.15).

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use common::repl::{info, replica_of, wait_synced};
use common::{ask, check, incr_aof, query, show, wait_until, RawConn, TestServer};

/// The reply of a target that refuses a key that exists (RESTORE without REPLACE).
const BUSYKEY: &[u8] =
    b"-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n";
/// The reply when the target cannot be written to (a closed port: Redis's blocking
/// connect only starts the connect, so the refusal shows on the first write).
const IOERR_WRITING: &[u8] = b"-IOERR error or timeout writing to target instance\r\n";
/// The reply when the target does not answer within the timeout.
const IOERR_READING: &[u8] = b"-IOERR error or timeout reading to target instance\r\n";
/// The reply when no connection can even be started (a name that does not resolve).
const IOERR_CONNECTING: &[u8] = b"-IOERR error or timeout connecting to the client\r\n";

/// `MIGRATE 127.0.0.1 <port> <rest...>` on `conn`: the reply bytes.
fn migrate(conn: &mut RawConn, port: u16, rest: &[&str]) -> Vec<u8> {
    let port = port.to_string();
    let mut args = vec!["MIGRATE", "127.0.0.1", port.as_str()];
    args.extend_from_slice(rest);
    ask(conn, &args)
}

/// Asserts that `MIGRATE 127.0.0.1 <port> <rest...>` answers exactly `expected`.
fn check_migrate(conn: &mut RawConn, port: u16, rest: &[&str], expected: &[u8]) {
    let got = migrate(conn, port, rest);
    assert_eq!(show(&got), show(expected), "MIGRATE ... {rest:?}");
}

/// INFO's `migrate_cached_sockets`.
fn cached_sockets(srv: &TestServer) -> String {
    info(srv, "stats", "migrate_cached_sockets")
}

#[test]
fn single_key_moves_and_the_connection_is_cached() {
    let (src, dst) = (TestServer::start(), TestServer::start());
    let (mut s, mut d) = (src.raw(), dst.raw());
    check(&mut s, &["SET", "key", "Some Value"], b"+OK\r\n");
    assert_eq!(cached_sockets(&src), "0");
    check_migrate(&mut s, dst.port, &["key", "9", "5000"], b"+OK\r\n");
    check(&mut s, &["EXISTS", "key"], b":0\r\n");
    check(&mut d, &["SELECT", "9"], b"+OK\r\n");
    check(&mut d, &["GET", "key"], b"$10\r\nSome Value\r\n");
    check(&mut d, &["TTL", "key"], b":-1\r\n");
    assert_eq!(cached_sockets(&src), "1");
    // The same connection serves the next MIGRATE (one client on the target).
    check(&mut s, &["RPUSH", "list", "a", "b"], b":2\r\n");
    check_migrate(&mut s, dst.port, &["list", "9", "5000"], b"+OK\r\n");
    check(
        &mut d,
        &["LRANGE", "list", "0", "-1"],
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
    // `d`, the MIGRATE connection and the one INFO is asked on.
    assert_eq!(info(&dst, "clients", "connected_clients"), "3");
    // Nothing left to move.
    check_migrate(&mut s, dst.port, &["key", "9", "5000"], b"+NOKEY\r\n");
}

#[test]
fn keys_form_moves_the_keys_that_exist() {
    let (src, dst) = (TestServer::start(), TestServer::start());
    let (mut s, mut d) = (src.raw(), dst.raw());
    for k in ["key1", "key2", "key3"] {
        check(&mut s, &["SET", k, k], b"+OK\r\n");
    }
    check_migrate(
        &mut s,
        dst.port,
        &["", "0", "5000", "KEYS", "nokey-1", "nokey-2"],
        b"+NOKEY\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &[
            "", "0", "5000", "KEYS", "nokey-1", "key1", "key2", "nokey-3", "key3",
        ],
        b"+OK\r\n",
    );
    check(&mut s, &["DBSIZE"], b":0\r\n");
    check(
        &mut d,
        &["MGET", "key1", "key2", "key3"],
        b"*3\r\n$4\r\nkey1\r\n$4\r\nkey2\r\n$4\r\nkey3\r\n",
    );
    // Option errors, as Redis words them.
    check_migrate(
        &mut s,
        dst.port,
        &["notempty", "0", "5000", "KEYS", "a"],
        b"-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000", "AUTH"],
        b"-ERR syntax error\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000", "NOPE"],
        b"-ERR syntax error\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "soon"],
        b"-ERR value is not an integer or out of range\r\n",
    );
}

#[test]
fn copy_replace_and_the_targets_refusal() {
    let (src, dst) = (TestServer::start(), TestServer::start());
    let (mut s, mut d) = (src.raw(), dst.raw());
    check(&mut s, &["RPUSH", "list", "a", "b", "c"], b":3\r\n");
    check_migrate(&mut s, dst.port, &["list", "0", "5000", "COPY"], b"+OK\r\n");
    check(&mut s, &["LLEN", "list"], b":3\r\n");
    check(&mut d, &["LLEN", "list"], b":3\r\n");
    // The key exists on the target: refused without REPLACE, nothing deleted here.
    check_migrate(&mut s, dst.port, &["list", "0", "5000", "COPY"], BUSYKEY);
    check_migrate(&mut s, dst.port, &["list", "0", "5000"], BUSYKEY);
    check(&mut s, &["LLEN", "list"], b":3\r\n");
    check(&mut s, &["RPUSH", "list", "d"], b":4\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["list", "0", "5000", "COPY", "REPLACE"],
        b"+OK\r\n",
    );
    check(&mut d, &["LLEN", "list"], b":4\r\n");
    // Refused keys stay, accepted ones go: the reply is the first refusal.
    check(&mut s, &["SET", "fresh", "1"], b"+OK\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["", "0", "5000", "KEYS", "list", "fresh"],
        BUSYKEY,
    );
    check(&mut s, &["EXISTS", "list", "fresh"], b":1\r\n");
    check(&mut d, &["GET", "fresh"], b"$1\r\n1\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["list", "0", "5000", "REPLACE"],
        b"+OK\r\n",
    );
    check(&mut s, &["DBSIZE"], b":0\r\n");
    // A database the target does not have.
    check(&mut s, &["SET", "k", "v"], b"+OK\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["k", "99", "5000"],
        b"-ERR Target instance replied with error: ERR DB index is out of range\r\n",
    );
    check(&mut s, &["EXISTS", "k"], b":1\r\n");
}

#[test]
fn expiry_is_carried() {
    let (src, dst) = (TestServer::start(), TestServer::start());
    let (mut s, mut d) = (src.raw(), dst.raw());
    check(&mut s, &["SET", "key", "v", "PX", "100000"], b"+OK\r\n");
    check(&mut s, &["SET", "forever", "v"], b"+OK\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["", "0", "5000", "KEYS", "key", "forever"],
        b"+OK\r\n",
    );
    let pttl: i64 = query(&mut dst.conn(), &["PTTL", "key"]);
    assert!((90_000..=100_000).contains(&pttl), "PTTL {pttl}");
    check(&mut d, &["TTL", "forever"], b":-1\r\n");
}

#[test]
fn auth_and_auth2_to_a_requirepass_target() {
    let src = TestServer::start();
    let dst = TestServer::start_with(&["--requirepass", "foobar"]);
    let mut s = src.raw();
    check(&mut s, &["SET", "k", "v"], b"+OK\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000"],
        b"-ERR Target instance replied with error: NOAUTH Authentication required.\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000", "AUTH", "nope"],
        b"-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    check(&mut s, &["EXISTS", "k"], b":1\r\n");
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000", "COPY", "AUTH", "foobar"],
        b"+OK\r\n",
    );
    check_migrate(
        &mut s,
        dst.port,
        &["k", "0", "5000", "REPLACE", "AUTH2", "default", "foobar"],
        b"+OK\r\n",
    );
    check(&mut s, &["EXISTS", "k"], b":0\r\n");
    let mut d = dst.raw();
    check(&mut d, &["AUTH", "foobar"], b"+OK\r\n");
    check(&mut d, &["GET", "k"], b"$1\r\nv\r\n");
}

#[test]
fn passwords_are_redacted_in_slowlog() {
    let src = TestServer::start_with(&["--slowlog-log-slower-than", "0"]);
    let mut s = src.raw();
    check(&mut s, &["SLOWLOG", "RESET"], b"+OK\r\n");
    check_migrate(
        &mut s,
        1,
        &["nokey", "9", "5000", "AUTH2", "user", "password"],
        b"+NOKEY\r\n",
    );
    let entry = ask(&mut s, &["SLOWLOG", "GET", "1"]);
    let text = String::from_utf8_lossy(&entry);
    assert!(
        text.contains("$5\r\nAUTH2\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"),
        "{}",
        show(&entry)
    );
    assert!(!text.contains("password"), "{}", show(&entry));
}

#[test]
fn closed_port_and_unresolvable_host_are_ioerr() {
    let src = TestServer::start();
    let mut s = src.raw();
    check(&mut s, &["SET", "k", "v"], b"+OK\r\n");
    let closed = common::free_port();
    check_migrate(&mut s, closed, &["k", "0", "1000"], IOERR_WRITING);
    check(
        &mut s,
        &["MIGRATE", "nonexistent.invalid", "6379", "k", "0", "1000"],
        IOERR_CONNECTING,
    );
    check(&mut s, &["EXISTS", "k"], b":1\r\n");
    assert_eq!(cached_sockets(&src), "0");
}

#[test]
fn a_target_that_never_answers_times_out() {
    let src = TestServer::start();
    let mut s = src.raw();
    check(&mut s, &["SET", "k", "v"], b"+OK\r\n");
    // Accepts (the kernel does) but never replies.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    check_migrate(&mut s, port, &["k", "0", "300"], IOERR_READING);
    assert!(started.elapsed() >= Duration::from_millis(300));
    check(&mut s, &["EXISTS", "k"], b":1\r\n");
    // The failed connection is not kept.
    assert_eq!(cached_sockets(&src), "0");
    // What it sent: SELECT then the RESTORE.
    let (mut conn, _) = silent.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut got = Vec::new();
    let _ = conn.read_to_end(&mut got);
    assert!(
        got.starts_with(
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$7\r\nRESTORE\r\n$1\r\nk\r\n$1\r\n0\r\n"
        ),
        "{}",
        show(&got)
    );
}

#[test]
fn a_stale_cached_connection_is_replaced() {
    let src = TestServer::start();
    let mut dst = TestServer::start();
    let mut s = src.raw();
    check(&mut s, &["SET", "a", "1"], b"+OK\r\n");
    check(&mut s, &["SET", "b", "2"], b"+OK\r\n");
    check_migrate(&mut s, dst.port, &["a", "0", "5000"], b"+OK\r\n");
    // The target restarts: the cached connection is dead, MIGRATE reconnects once.
    dst.restart();
    check_migrate(&mut s, dst.port, &["b", "0", "5000"], b"+OK\r\n");
    check(&mut dst.raw(), &["GET", "b"], b"$1\r\n2\r\n");
    assert_eq!(cached_sockets(&src), "1");
}

#[test]
fn cached_connections_are_closed_after_ten_idle_seconds() {
    let (src, dst) = (TestServer::start(), TestServer::start());
    let mut s = src.raw();
    check(&mut s, &["SET", "k", "v"], b"+OK\r\n");
    check_migrate(&mut s, dst.port, &["k", "0", "5000"], b"+OK\r\n");
    assert_eq!(cached_sockets(&src), "1");
    assert!(
        wait_until(Duration::from_secs(20), || cached_sockets(&src) == "0"),
        "the idle connection was never closed"
    );
    // The target saw it go: only the connection INFO is asked on is left.
    assert!(wait_until(Duration::from_secs(5), || {
        info(&dst, "clients", "connected_clients") == "1"
    }));
}

#[test]
fn the_del_reaches_the_replica_and_the_aof() {
    let master =
        TestServer::start_with(&["--appendonly", "yes", "--repl-diskless-sync-delay", "0"]);
    let replica = replica_of(master.port, &[]);
    let dst = TestServer::start();
    let mut m = master.raw();
    for k in ["a", "b", "c"] {
        check(&mut m, &["SET", k, k], b"+OK\r\n");
    }
    wait_synced(&master, &[&replica]);
    // Only the keys that moved are deleted: "b" is refused by the target.
    check(&mut dst.raw(), &["SET", "b", "there"], b"+OK\r\n");
    check_migrate(
        &mut m,
        dst.port,
        &["", "0", "5000", "KEYS", "a", "b", "c"],
        BUSYKEY,
    );
    // COPY deletes nothing and propagates nothing.
    check_migrate(
        &mut m,
        dst.port,
        &["b", "0", "5000", "COPY", "REPLACE"],
        b"+OK\r\n",
    );
    wait_synced(&master, &[&replica]);
    let mut r = replica.raw();
    check(&mut r, &["EXISTS", "a", "b", "c"], b":1\r\n");
    check(&mut r, &["EXISTS", "b"], b":1\r\n");
    let aof = incr_aof(&master);
    let del = b"*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nc\r\n";
    assert!(
        aof.windows(del.len()).any(|w| w == del),
        "no DEL a c in the AOF: {}",
        show(&aof)
    );
    assert!(
        !aof.windows(7).any(|w| w.eq_ignore_ascii_case(b"MIGRATE")),
        "MIGRATE itself reached the AOF: {}",
        show(&aof)
    );
}

#[test]
fn command_info_and_getkeys_match_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = common::start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    let requests: &[&[&str]] = &[
        &["COMMAND", "INFO", "migrate"],
        &["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "0"],
        &[
            "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "0", "KEYS", "a", "b",
        ],
        &[
            "COMMAND",
            "GETKEYSANDFLAGS",
            "MIGRATE",
            "h",
            "1",
            "",
            "0",
            "0",
            "COPY",
            "KEYS",
            "a",
        ],
        &[
            "COMMAND",
            "GETKEYSANDFLAGS",
            "MIGRATE",
            "h",
            "1",
            "",
            "0",
            "0",
            "AUTH",
            "KEYS",
            "KEYS",
            "x",
        ],
        &[
            "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "0", "AUTH2", "KEYS", "p", "KEYS",
            "y",
        ],
        &[
            "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "0", "KEYS", "a",
        ],
        &[
            "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "0", "KEYS",
        ],
        &["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k"],
        &["COMMAND", "LIST", "FILTERBY", "PATTERN", "migr*"],
    ];
    for req in requests {
        let (want, got) = (ask(&mut r, req), ask(&mut f, req));
        assert_eq!(show(&got), show(&want), "{req:?}");
    }
}

/// The commands both sources run against the same kind of target, with the replies
/// compared byte for byte.
const SCRIPT: &[&[&str]] = &[
    &["FLUSHALL"],
    &[
        "MIGRATE",
        "127.0.0.1",
        "$T",
        "k",
        "0",
        "1000",
        "COPY",
        "bogus",
    ],
    &["MIGRATE", "127.0.0.1", "$T", "k", "0", "1000", "AUTH2", "u"],
    &["MIGRATE", "127.0.0.1", "$T", "k", "0", "1000", "KEYS", "a"],
    &["MIGRATE", "127.0.0.1", "$T", "k", "x", "1000"],
    &["MIGRATE", "127.0.0.1", "$T", "k", "0", "1000"],
    &["MIGRATE", "127.0.0.1", "$T", "", "0", "1000", "KEYS"],
    &["SET", "k", "v"],
    &["RPUSH", "l", "a", "b", "c"],
    &["PEXPIRE", "l", "100000"],
    &["HSET", "h", "f", "1", "g", "2"],
    &["ZADD", "z", "1", "a", "2.5", "b"],
    &["SADD", "st", "x", "y", "1"],
    &["XADD", "xs", "1-1", "f", "v"],
    &["MIGRATE", "127.0.0.1", "$CLOSED", "k", "0", "1000"],
    &["MIGRATE", "nonexistent.invalid", "$T", "k", "0", "1000"],
    // Database -1 on a new connection: Redis sends no SELECT (-1 is its "unknown").
    &["SET", "neg", "1"],
    &["MIGRATE", "127.0.0.1", "$T", "neg", "-1", "1000"],
    &["MIGRATE", "127.0.0.1", "$T", "k", "0", "1000"],
    &["EXISTS", "k"],
    &[
        "MIGRATE",
        "127.0.0.1",
        "$T",
        "",
        "0",
        "1000",
        "COPY",
        "KEYS",
        "l",
        "h",
        "nokey",
        "z",
        "st",
        "xs",
    ],
    &["EXISTS", "l", "h", "z", "st", "xs"],
    &[
        "MIGRATE",
        "127.0.0.1",
        "$T",
        "",
        "0",
        "1000",
        "KEYS",
        "l",
        "h",
    ],
    &[
        "MIGRATE",
        "127.0.0.1",
        "$T",
        "",
        "0",
        "1000",
        "REPLACE",
        "KEYS",
        "l",
        "h",
        "z",
    ],
    &["EXISTS", "l", "h", "z", "st", "xs"],
    &["MIGRATE", "127.0.0.1", "$T", "st", "99", "1000"],
    &["MIGRATE", "127.0.0.1", "$T", "st", "3", "1000"],
    &["SET", "dup", "1"],
    &[
        "MIGRATE",
        "127.0.0.1",
        "$T",
        "",
        "0",
        "1000",
        "KEYS",
        "dup",
        "dup",
    ],
    &["EXISTS", "dup"],
];

/// Runs [`SCRIPT`] on `src` against the (emptied) target on `target`: the replies.
fn run_script(src: &TestServer, target: &TestServer) -> Vec<String> {
    let mut t = target.raw();
    ask(&mut t, &["FLUSHALL"]);
    let (port, closed) = (target.port.to_string(), common::free_port().to_string());
    let mut s = src.raw();
    SCRIPT
        .iter()
        .map(|cmd| {
            let args: Vec<&str> = cmd
                .iter()
                .map(|a| match *a {
                    "$T" => port.as_str(),
                    "$CLOSED" => closed.as_str(),
                    other => other,
                })
                .collect();
            format!("{cmd:?} -> {}", show(&ask(&mut s, &args)))
        })
        .collect()
}

/// What the target holds after [`SCRIPT`], database 0 and 3.
fn target_contents(target: &TestServer) -> Vec<String> {
    let mut t = target.raw();
    let mut out = Vec::new();
    for (db, cmds) in [
        (
            "0",
            &[
                &["GET", "k"][..],
                &["LRANGE", "l", "0", "-1"],
                &["HGETALL", "h"],
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                &["SMISMEMBER", "st", "x", "y", "1", "z"],
                &["XRANGE", "xs", "-", "+"],
                &["GET", "dup"],
                &["GET", "neg"],
            ][..],
        ),
        ("3", &[&["SMISMEMBER", "st", "x", "y", "1", "z"][..]][..]),
    ] {
        ask(&mut t, &["SELECT", db]);
        for cmd in cmds {
            out.push(format!("db{db} {cmd:?} -> {}", show(&ask(&mut t, cmd))));
        }
    }
    let pttl: i64 = query(&mut target.conn(), &["PTTL", "l"]);
    out.push(format!(
        "l has a TTL: {}",
        (90_000..=100_000).contains(&pttl)
    ));
    out
}

#[test]
fn interoperates_with_real_redis_both_ways() {
    skip_unless_tool!("redis-server");
    let Some(redis_src) = common::start_redis_server(&[]) else {
        return;
    };
    let Some(redis_dst) = common::start_redis_server(&[]) else {
        return;
    };
    let ours_src = TestServer::start();
    let ours_dst = TestServer::start();
    // Redis as the reference: Redis -> Redis.
    let want = run_script(&redis_src, &redis_dst);
    let want_contents = target_contents(&redis_dst);
    for (name, src, dst) in [
        ("ferrodis -> redis", &ours_src, &redis_dst),
        ("redis -> ferrodis", &redis_src, &ours_dst),
        ("ferrodis -> ferrodis", &ours_src, &ours_dst),
    ] {
        let got = run_script(src, dst);
        assert_eq!(got, want, "{name}: replies differ from redis -> redis");
        let contents = target_contents(dst);
        assert_eq!(contents, want_contents, "{name}: target contents differ");
    }
}
