//! HyperLogLog commands against the real binary: exact replies and string bytes
//! (captured from Redis 7.0.15), the cached cardinality, sparse to dense promotion under
//! hll-sparse-max-bytes, PFMERGE, PFDEBUG, errors, persistence, and, when redis-server
//! is installed, byte-for-byte interoperability with real Redis.

mod common;

use common::{check, start_redis_server, TestServer};

/// Runs a command with binary arguments through the `redis` crate.
fn query<T: redis::FromRedisValue>(con: &mut redis::Connection, args: &[&[u8]]) -> T {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(args[0])))
}

/// Runs a command expected to fail and returns the error text (code and message).
fn query_err(con: &mut redis::Connection, args: &[&[u8]]) -> String {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    match cmd.query::<redis::Value>(con) {
        Err(e) => format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or("")),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// PFADDs `n` elements `e0`, `e1`... in batches of 100.
fn add_elements(con: &mut redis::Connection, key: &str, n: usize, prefix: &str) {
    let elements: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
    for batch in elements.chunks(100) {
        let mut cmd = redis::cmd("PFADD");
        cmd.arg(key).arg(batch);
        let _: i64 = cmd.query(con).expect("PFADD");
    }
}

const ABC_SPARSE: &[u8] =
    b"$27\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n";
const ABC_CACHED: &[u8] =
    b"$27\r\nHYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n";
const ABCD_STALE: &[u8] = b"$30\r\nHYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x80\\{\x80Dv\x80P\xb1\x84K\xfb\x80BZ\r\n";

#[test]
fn pfadd_pfcount_bytes_and_cache_match_redis() {
    let server = TestServer::start();
    let mut raw = server.raw();
    check(&mut raw, &["PFADD", "h", "a", "b", "c"], b":1\r\n");
    check(&mut raw, &["GET", "h"], ABC_SPARSE);
    check(&mut raw, &["PFCOUNT", "h"], b":3\r\n");
    // The count is cached in the header, little endian, cache-valid bit clear.
    check(&mut raw, &["GET", "h"], ABC_CACHED);
    check(&mut raw, &["PFADD", "h", "a"], b":0\r\n");
    check(&mut raw, &["GET", "h"], ABC_CACHED);
    check(&mut raw, &["PFADD", "h", "d"], b":1\r\n");
    check(&mut raw, &["GET", "h"], ABCD_STALE);
    check(&mut raw, &["PFCOUNT", "h"], b":4\r\n");
    // A new key is created (and reported as a change) even without elements.
    check(&mut raw, &["PFADD", "e"], b":1\r\n");
    check(&mut raw, &["PFADD", "e"], b":0\r\n");
    check(
        &mut raw,
        &["GET", "e"],
        b"$18\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\r\n",
    );
    check(&mut raw, &["PFCOUNT", "e"], b":0\r\n");
    check(&mut raw, &["PFCOUNT", "nokey"], b":0\r\n");
    check(&mut raw, &["PFCOUNT", "h", "e", "nokey"], b":4\r\n");
    check(&mut raw, &["PFDEBUG", "DECODE", "e"], b"$7\r\nZ:16384\r\n");
    check(&mut raw, &["PFDEBUG", "ENCODING", "e"], b"+sparse\r\n");
}

#[test]
fn errors_match_redis() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let not_hll = b"-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
    let wrongtype = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    check(&mut raw, &["SET", "i", "123"], b"+OK\r\n");
    check(&mut raw, &["PFADD", "i", "a"], not_hll);
    check(&mut raw, &["SET", "s", "foo"], b"+OK\r\n");
    check(&mut raw, &["PFCOUNT", "s"], not_hll);
    check(&mut raw, &["PFCOUNT", "nokey", "s"], not_hll);
    check(&mut raw, &["PFMERGE", "d", "s"], not_hll);
    check(&mut raw, &["PFMERGE", "s"], not_hll);
    check(&mut raw, &["SET", "c", "HYLL\x01"], b"+OK\r\n");
    check(&mut raw, &["PFCOUNT", "c"], not_hll);
    check(&mut raw, &["PFADD", "h", "a"], b":1\r\n");
    check(
        &mut raw,
        &["PFDEBUG", "DECODE", "nokey"],
        b"-ERR The specified key does not exist\r\n",
    );
    check(
        &mut raw,
        &["PFDEBUG", "foo", "h"],
        b"-ERR Unknown PFDEBUG subcommand 'foo'\r\n",
    );
    check(
        &mut raw,
        &["PFADD"],
        b"-ERR wrong number of arguments for 'pfadd' command\r\n",
    );
    // Other types answer the generic WRONGTYPE (when the server has sets).
    raw.send_cmd(&["SADD", "set", "x"]);
    raw.read_reply();
    raw.send_cmd(&["TYPE", "set"]);
    if raw.read_reply() == b"+set\r\n" {
        check(&mut raw, &["PFCOUNT", "set"], wrongtype);
    }
    check(&mut raw, &["PFDEBUG", "TODENSE", "h"], b":1\r\n");
    check(
        &mut raw,
        &["PFDEBUG", "DECODE", "h"],
        b"-ERR HLL encoding is not sparse\r\n",
    );
    check(&mut raw, &["PFDEBUG", "TODENSE", "h"], b":0\r\n");
    check(&mut raw, &["PFDEBUG", "ENCODING", "h"], b"+dense\r\n");
    check(&mut raw, &["STRLEN", "h"], b":12304\r\n");
}

#[test]
fn corrupted_sketches_are_detected() {
    let server = TestServer::start();
    let mut con = server.conn();
    // A sparse sketch whose opcodes cover only 64 registers.
    let mut bad = b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80".to_vec();
    bad.push(0x3f);
    let _: () = query(&mut con, &[b"SET", b"bad", &bad]);
    let corrupt = "INVALIDOBJ Corrupted HLL object detected";
    assert_eq!(query_err(&mut con, &[b"PFCOUNT", b"bad"]), corrupt);
    assert_eq!(query_err(&mut con, &[b"PFCOUNT", b"bad", b"x"]), corrupt);
    assert_eq!(query_err(&mut con, &[b"PFMERGE", b"d", b"bad"]), corrupt);
    assert_eq!(
        query_err(&mut con, &[b"PFDEBUG", b"TODENSE", b"bad"]),
        corrupt
    );
    assert_eq!(
        query_err(&mut con, &[b"PFADD", b"bad", b"a", b"b"]),
        corrupt
    );
    // A dense sketch of the wrong length is not a HyperLogLog at all.
    let mut short = b"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    short.extend_from_slice(&[0u8; 100]);
    let _: () = query(&mut con, &[b"SET", b"short", &short]);
    assert_eq!(
        query_err(&mut con, &[b"PFCOUNT", b"short"]),
        "WRONGTYPE Key is not a valid HyperLogLog string value."
    );
}

#[test]
fn sparse_becomes_dense_past_the_configured_size() {
    let server = TestServer::start_with(&["--hll-sparse-max-bytes", "200"]);
    let mut con = server.conn();
    add_elements(&mut con, "h", 40, "e");
    let enc: String = query(&mut con, &[b"PFDEBUG", b"ENCODING", b"h"]);
    assert_eq!(enc, "sparse");
    add_elements(&mut con, "h", 200, "e");
    let enc: String = query(&mut con, &[b"PFDEBUG", b"ENCODING", b"h"]);
    assert_eq!(enc, "dense");
    let len: i64 = query(&mut con, &[b"STRLEN", b"h"]);
    assert_eq!(len, 12304);
    let n: i64 = query(&mut con, &[b"PFCOUNT", b"h"]);
    assert_eq!(n, 200);
    let regs: Vec<i64> = query(&mut con, &[b"PFDEBUG", b"GETREG", b"h"]);
    assert_eq!(regs.len(), 16384);
    assert!(regs.iter().filter(|&&r| r > 0).count() <= 200);
    // Raising the limit at run time keeps new sketches sparse longer.
    let _: () = query(
        &mut con,
        &[b"CONFIG", b"SET", b"hll-sparse-max-bytes", b"3000"],
    );
    add_elements(&mut con, "h2", 240, "e");
    let enc: String = query(&mut con, &[b"PFDEBUG", b"ENCODING", b"h2"]);
    assert_eq!(enc, "sparse");
}

#[test]
fn pfmerge_and_counts_are_accurate() {
    let server = TestServer::start();
    let mut con = server.conn();
    add_elements(&mut con, "a", 5000, "x");
    add_elements(&mut con, "b", 5000, "y");
    add_elements(&mut con, "c", 100, "x");
    let n: i64 = query(&mut con, &[b"PFCOUNT", b"a"]);
    assert!((4900..=5100).contains(&n), "{n}");
    let union: i64 = query(&mut con, &[b"PFCOUNT", b"a", b"b", b"c"]);
    assert!((9800..=10200).contains(&union), "{union}");
    let _: () = query(&mut con, &[b"PFMERGE", b"m", b"a", b"b", b"c"]);
    let merged: i64 = query(&mut con, &[b"PFCOUNT", b"m"]);
    assert_eq!(merged, union);
    // Sparse sources give a sparse destination; the destination counts as a source.
    let _: () = query(&mut con, &[b"PFMERGE", b"s", b"c"]);
    let enc: String = query(&mut con, &[b"PFDEBUG", b"ENCODING", b"s"]);
    assert_eq!(enc, "sparse");
    let _: () = query(&mut con, &[b"PFMERGE", b"s", b"a"]);
    let enc: String = query(&mut con, &[b"PFDEBUG", b"ENCODING", b"s"]);
    assert_eq!(enc, "dense");
    let s: i64 = query(&mut con, &[b"PFCOUNT", b"s"]);
    let a: i64 = query(&mut con, &[b"PFCOUNT", b"a"]);
    assert_eq!(s, a);
    let _: () = query(&mut con, &[b"PFMERGE", b"empty"]);
    let e: i64 = query(&mut con, &[b"PFCOUNT", b"empty"]);
    assert_eq!(e, 0);
}

#[test]
fn sketches_survive_a_restart() {
    let mut server = TestServer::start_with(&["--save", "3600 1"]);
    let mut con = server.conn();
    add_elements(&mut con, "sparse", 50, "e");
    add_elements(&mut con, "dense", 5000, "e");
    let before: Vec<Vec<u8>> = query(&mut con, &[b"MGET", b"sparse", b"dense"]);
    let _: () = query(&mut con, &[b"SAVE"]);
    drop(con);
    server.restart();
    let mut con = server.conn();
    let after: Vec<Vec<u8>> = query(&mut con, &[b"MGET", b"sparse", b"dense"]);
    assert_eq!(before, after);
    let n: i64 = query(&mut con, &[b"PFCOUNT", b"sparse"]);
    assert_eq!(n, 50);
}

#[test]
fn pfcount_cache_update_is_a_write() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let mut other = server.raw();
    check(&mut raw, &["PFADD", "h", "a"], b":1\r\n");
    check(&mut raw, &["WATCH", "h"], b"+OK\r\n");
    // Refreshing the cache changes the string: watchers see it as a modification.
    check(&mut other, &["PFCOUNT", "h"], b":1\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["PING"], b"+QUEUED\r\n");
    check(&mut raw, &["EXEC"], b"*-1\r\n");
    // A second count reads the cache and changes nothing.
    check(&mut raw, &["WATCH", "h"], b"+OK\r\n");
    check(&mut other, &["PFCOUNT", "h"], b":1\r\n");
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(&mut raw, &["PING"], b"+QUEUED\r\n");
    check(&mut raw, &["EXEC"], b"*1\r\n+PONG\r\n");
}

#[test]
fn interop_with_real_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.conn(), ours.conn());
    // Same elements, same bytes and same counts, through sparse, promotion and dense.
    for n in [0usize, 1, 7, 100, 700, 1500, 2500, 4000, 30000] {
        let key = format!("h{n}");
        for con in [&mut r, &mut f] {
            let _: i64 = query(con, &[b"PFADD", key.as_bytes()]);
            add_elements(con, &key, n, "el:");
        }
        let rb: Vec<u8> = query(&mut r, &[b"GET", key.as_bytes()]);
        let fb: Vec<u8> = query(&mut f, &[b"GET", key.as_bytes()]);
        assert!(rb == fb, "GET {key} differs after PFADD");
        let rc: i64 = query(&mut r, &[b"PFCOUNT", key.as_bytes()]);
        let fc: i64 = query(&mut f, &[b"PFCOUNT", key.as_bytes()]);
        assert_eq!(rc, fc, "PFCOUNT {key}");
        let rb: Vec<u8> = query(&mut r, &[b"GET", key.as_bytes()]);
        let fb: Vec<u8> = query(&mut f, &[b"GET", key.as_bytes()]);
        assert!(rb == fb, "GET {key} differs after PFCOUNT");
    }
    // Binary elements of every length exercise the hash's tail handling.
    let mut seed = 0x1234_5678u64;
    for len in 0..40usize {
        let element: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        for con in [&mut r, &mut f] {
            let _: i64 = query(con, &[b"PFADD", b"bin", &element]);
        }
    }
    let rb: Vec<u8> = query(&mut r, &[b"GET", b"bin"]);
    let fb: Vec<u8> = query(&mut f, &[b"GET", b"bin"]);
    assert!(rb == fb, "binary elements");
    // Unions and merges agree.
    let keys: [&[u8]; 4] = [b"h100", b"h1500", b"h4000", b"bin"];
    let mut args: Vec<&[u8]> = vec![b"PFCOUNT"];
    args.extend(keys);
    let rc: i64 = query(&mut r, &args);
    let fc: i64 = query(&mut f, &args);
    assert_eq!(rc, fc, "PFCOUNT of a union");
    for sources in [&keys[..2], &keys[..]] {
        let mut args: Vec<&[u8]> = vec![b"PFMERGE", b"m"];
        args.extend(sources);
        let _: () = query(&mut r, &args);
        let _: () = query(&mut f, &args);
        let rb: Vec<u8> = query(&mut r, &[b"GET", b"m"]);
        let fb: Vec<u8> = query(&mut f, &[b"GET", b"m"]);
        assert!(rb == fb, "PFMERGE result");
    }
    // Sketches move between the servers by GET/SET and DUMP/RESTORE.
    for key in [&b"h700"[..], b"h30000"] {
        let dump: Vec<u8> = query(&mut r, &[b"DUMP", key]);
        let _: () = query(&mut f, &[b"RESTORE", b"restored", b"0", &dump, b"REPLACE"]);
        let fc: i64 = query(&mut f, &[b"PFCOUNT", b"restored"]);
        let rc: i64 = query(&mut r, &[b"PFCOUNT", key]);
        assert_eq!(fc, rc);
        let value: Vec<u8> = query(&mut f, &[b"GET", key]);
        let _: () = query(&mut r, &[b"SET", b"copied", &value]);
        let _: i64 = query(&mut r, &[b"PFADD", b"copied", b"new-element"]);
        let _: i64 = query(&mut f, &[b"PFADD", key, b"new-element"]);
        let rb: Vec<u8> = query(&mut r, &[b"GET", b"copied"]);
        let fb: Vec<u8> = query(&mut f, &[b"GET", key]);
        assert!(rb == fb, "sketch copied to Redis evolves identically");
    }
    // PFDEBUG views agree.
    for sub in [&b"DECODE"[..], b"ENCODING"] {
        let rv: redis::Value = query(&mut r, &[b"PFDEBUG", sub, b"h100"]);
        let fv: redis::Value = query(&mut f, &[b"PFDEBUG", sub, b"h100"]);
        assert_eq!(rv, fv);
    }
    let rv: Vec<i64> = query(&mut r, &[b"PFDEBUG", b"GETREG", b"h100"]);
    let fv: Vec<i64> = query(&mut f, &[b"PFDEBUG", b"GETREG", b"h100"]);
    assert_eq!(rv, fv);
}

/// COMMAND INFO pfselftest, from Redis 7.0.15.
const PFSELFTEST_INFO: &[u8] = b"*1\r\n*10\r\n$10\r\npfselftest\r\n:1\r\n*1\r\n+admin\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@hyperloglog\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";

/// PFSELFTEST runs Redis's self test of the implementation: +OK; its arity and
/// COMMAND INFO row are Redis's (and match a real redis-server when installed).
#[test]
fn pfselftest_passes() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let script: common::Script = &[
        (&["PFSELFTEST"], b"+OK\r\n"),
        (
            &["PFSELFTEST", "x"],
            b"-ERR wrong number of arguments for 'pfselftest' command\r\n",
        ),
        (&["COMMAND", "INFO", "pfselftest"], PFSELFTEST_INFO),
    ];
    common::run_script(&mut raw, script);
    // The test converts at hll-sparse-max-bytes / 2 at the latest: a small limit works too.
    check(
        &mut raw,
        &["CONFIG", "SET", "hll-sparse-max-bytes", "100"],
        b"+OK\r\n",
    );
    check(&mut raw, &["PFSELFTEST"], b"+OK\r\n");
    if let Some(redis) = start_redis_server(&[]) {
        common::run_script(&mut redis.raw(), script);
    }
}
