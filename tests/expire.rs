//! Expiry against the real binary: the EXPIRE family's exact replies and errors
//! (captured from Redis 7.0.15), TTL reporting, PERSIST, lazy expiry on access and active
//! expiry of keys nobody touches.

mod common;

use std::time::Duration;

use common::{check, show, wait_until, RawConn, TestServer};

/// Sends `args` and returns the integer reply.
fn int(raw: &mut RawConn, args: &[&str]) -> i64 {
    raw.send_cmd(args);
    let reply = raw.read_reply();
    let text = std::str::from_utf8(&reply).expect("integer reply is text");
    text.strip_prefix(':')
        .and_then(|t| t.strip_suffix("\r\n"))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{args:?}: not an integer reply: {}", show(&reply)))
}

#[test]
fn expire_family_options_and_errors() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["SET", "a", "1"], b"+OK\r\n");
    check(
        &mut raw,
        &["EXPIRE", "a", "100", "nx", "xx"],
        b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "100", "NX", "GT"],
        b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "100", "gt", "lt"],
        b"-ERR GT and LT options at the same time are not compatible\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "100", "foo"],
        b"-ERR Unsupported option foo\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "abc", "nx", "xx"],
        b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "abc"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "9223372036854775"],
        b"-ERR invalid expire time in 'expire' command\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a", "-9223372036854776"],
        b"-ERR invalid expire time in 'expire' command\r\n",
    );
    check(
        &mut raw,
        &["PEXPIRE", "a", "9223372036854775807"],
        b"-ERR invalid expire time in 'pexpire' command\r\n",
    );
    check(
        &mut raw,
        &["EXPIREAT", "a", "9223372036854776"],
        b"-ERR invalid expire time in 'expireat' command\r\n",
    );
    check(&mut raw, &["EXPIRE", "nokey", "10"], b":0\r\n");
    check(
        &mut raw,
        &["EXPIRE", "nokey", "10", "nx", "xx"],
        b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    check(
        &mut raw,
        &["EXPIRE", "a"],
        b"-ERR wrong number of arguments for 'expire' command\r\n",
    );
    check(
        &mut raw,
        &["PERSIST"],
        b"-ERR wrong number of arguments for 'persist' command\r\n",
    );
    check(
        &mut raw,
        &["TTL", "a", "b"],
        b"-ERR wrong number of arguments for 'ttl' command\r\n",
    );
    check(&mut raw, &["TTL", "a"], b":-1\r\n");
}

#[test]
fn conditions_nx_xx_gt_lt() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["SET", "c", "1"], b"+OK\r\n");
    check(&mut raw, &["EXPIRE", "c", "100", "XX"], b":0\r\n");
    check(&mut raw, &["EXPIRE", "c", "100", "GT"], b":0\r\n");
    check(&mut raw, &["TTL", "c"], b":-1\r\n");
    check(&mut raw, &["EXPIRE", "c", "100", "LT"], b":1\r\n");
    check(&mut raw, &["TTL", "c"], b":100\r\n");
    check(&mut raw, &["EXPIRE", "c", "50", "GT"], b":0\r\n");
    check(&mut raw, &["EXPIRE", "c", "200", "gt"], b":1\r\n");
    check(&mut raw, &["TTL", "c"], b":200\r\n");
    check(&mut raw, &["EXPIRE", "c", "300", "LT"], b":0\r\n");
    check(&mut raw, &["EXPIRE", "c", "100", "lt"], b":1\r\n");
    check(&mut raw, &["EXPIRE", "c", "10", "NX"], b":0\r\n");
    check(&mut raw, &["EXPIRE", "c", "10", "XX"], b":1\r\n");
    check(&mut raw, &["TTL", "c"], b":10\r\n");
    check(&mut raw, &["PERSIST", "c"], b":1\r\n");
    check(&mut raw, &["EXPIRE", "c", "10", "NX"], b":1\r\n");
    check(&mut raw, &["EXPIRE", "c", "20", "XX", "GT"], b":1\r\n");
    check(&mut raw, &["TTL", "c"], b":20\r\n");
}

#[test]
fn ttl_pttl_expiretime_pexpiretime() {
    let server = TestServer::start();
    let mut raw = server.raw();
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        check(&mut raw, &[cmd, "nokey"], b":-2\r\n");
    }
    check(&mut raw, &["SET", "k", "v"], b"+OK\r\n");
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        check(&mut raw, &[cmd, "k"], b":-1\r\n");
    }
    check(&mut raw, &["EXPIREAT", "k", "4000000000"], b":1\r\n");
    check(&mut raw, &["EXPIRETIME", "k"], b":4000000000\r\n");
    check(&mut raw, &["PEXPIRETIME", "k"], b":4000000000000\r\n");
    check(&mut raw, &["PEXPIREAT", "k", "4000000000499"], b":1\r\n");
    check(&mut raw, &["EXPIRETIME", "k"], b":4000000000\r\n");
    check(&mut raw, &["PEXPIREAT", "k", "4000000000500"], b":1\r\n");
    check(&mut raw, &["EXPIRETIME", "k"], b":4000000001\r\n");
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let ttl = int(&mut raw, &["TTL", "k"]);
    assert!((ttl - (4_000_000_001 - now_s)).abs() <= 2, "TTL {ttl}");
    check(
        &mut raw,
        &["PEXPIREAT", "k", "9223372036854775807"],
        b":1\r\n",
    );
    check(&mut raw, &["PEXPIRETIME", "k"], b":9223372036854775807\r\n");
    check(&mut raw, &["EXPIRETIME", "k"], b":9223372036854776\r\n");
    check(&mut raw, &["PEXPIRE", "k", "10000"], b":1\r\n");
    let pttl = int(&mut raw, &["PTTL", "k"]);
    assert!(pttl > 9_000 && pttl <= 10_000, "PTTL {pttl}");
    check(&mut raw, &["TTL", "k"], b":10\r\n");
}

#[test]
fn expire_in_the_past_deletes_at_once() {
    let server = TestServer::start();
    let mut raw = server.raw();
    for (i, args) in [
        &["EXPIRE", "k0", "0"][..],
        &["EXPIRE", "k1", "-1"],
        &["PEXPIRE", "k2", "-1000"],
        &["EXPIREAT", "k3", "1"],
        &["PEXPIREAT", "k4", "-9223372036854775808"],
        &["EXPIRE", "k5", "-9223372036854775"],
    ]
    .iter()
    .enumerate()
    {
        let key = format!("k{i}");
        check(&mut raw, &["SET", &key, "v"], b"+OK\r\n");
        check(&mut raw, args, b":1\r\n");
        check(&mut raw, &["EXISTS", &key], b":0\r\n");
    }
    check(&mut raw, &["DBSIZE"], b":0\r\n");
}

#[test]
fn persist_removes_the_expiry() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["PERSIST", "nokey"], b":0\r\n");
    check(&mut raw, &["SET", "k", "v"], b"+OK\r\n");
    check(&mut raw, &["PERSIST", "k"], b":0\r\n");
    check(&mut raw, &["EXPIRE", "k", "100"], b":1\r\n");
    check(&mut raw, &["PERSIST", "k"], b":1\r\n");
    check(&mut raw, &["TTL", "k"], b":-1\r\n");
    check(&mut raw, &["PERSIST", "k"], b":0\r\n");
}

#[test]
fn lazy_expiry_removes_a_key_when_it_is_accessed() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["SET", "k", "v"], b"+OK\r\n");
    check(&mut raw, &["PEXPIRE", "k", "300"], b":1\r\n");
    check(&mut raw, &["GET", "k"], b"$1\r\nv\r\n");
    assert!(
        wait_until(Duration::from_secs(10), || int(&mut raw, &["EXISTS", "k"])
            == 0),
        "the key outlived its 300 ms"
    );
    // The access deleted it: DBSIZE, which expires nothing, no longer counts it.
    check(&mut raw, &["DBSIZE"], b":0\r\n");
    check(&mut raw, &["GET", "k"], b"$-1\r\n");
    check(&mut raw, &["TTL", "k"], b":-2\r\n");
}

#[test]
fn active_expiry_removes_keys_nobody_touches() {
    let server = TestServer::start();
    let mut con = server.conn();
    const VOLATILE: usize = 100_000;
    const PERSISTENT: usize = 100;
    for chunk in (0..VOLATILE).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let key = format!("volatile:{i}");
            pipe.cmd("SET").arg(&key).arg("v").ignore();
            pipe.cmd("PEXPIRE").arg(&key).arg(100 + i % 200).ignore();
        }
        pipe.query::<()>(&mut con).expect("pipelined SET + PEXPIRE");
    }
    let mut pipe = redis::pipe();
    for i in 0..PERSISTENT {
        pipe.cmd("SET")
            .arg(format!("persistent:{i}"))
            .arg("v")
            .ignore();
    }
    pipe.query::<()>(&mut con).expect("pipelined SET");
    let mut raw = server.raw();
    let mut last = 0;
    let vanished = wait_until(Duration::from_secs(60), || {
        last = int(&mut raw, &["DBSIZE"]);
        last == PERSISTENT as i64
    });
    assert!(
        vanished,
        "DBSIZE still {last}: active expiry did not remove the volatile keys"
    );
    check(
        &mut raw,
        &["EXISTS", "persistent:0", "persistent:99"],
        b":2\r\n",
    );
    // The cycles' own accounting: time spent, and the estimate of stale keys, which
    // the cycles that found expired keys pushed above zero.
    raw.send_cmd(&["INFO", "stats"]);
    let info = String::from_utf8(raw.read_reply()).unwrap();
    let field = |name: &str| -> f64 {
        let line = info.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len() + 1..].trim().parse().unwrap()
    };
    assert_eq!(field("expired_keys"), VOLATILE as f64, "{info}");
    assert!(field("expired_stale_perc") > 0.0, "{info}");
    assert!(field("expire_cycle_cpu_milliseconds") > 0.0, "{info}");
}
