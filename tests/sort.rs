//! Integration tests of SORT and SORT_RO against the real binary. Every expected reply
//! in SCRIPT was captured byte for byte from redis-server 7.0.15 running the same
//! commands on an empty database: numeric/ALPHA/DESC/LIMIT sorting of lists, sets
//! (intset order is deterministic) and sorted sets, BY patterns (weights from strings,
//! hash fields, a constant pattern skipping the sort), GET patterns (`#`, missing keys,
//! hash fields, a pattern without `*`), STORE (list result, emptied destination deleted),
//! SORT_RO refusing STORE, the strtod rules of scores and the error replies.

mod common;

use common::{run_fresh, Script};

const SCRIPT: Script = &[
    (&["rpush", "l", "3", "1", "2", "10", "-5"], b":5\r\n"),
    (&["sort", "l"], b"*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"),
    (&["sort", "l", "desc"], b"*5\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n-5\r\n"),
    (&["sort", "l", "limit", "1", "2"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
    (&["sort", "l", "limit", "0", "0"], b"*0\r\n"),
    (&["sort", "l", "limit", "10", "2"], b"*0\r\n"),
    (&["sort", "l", "limit", "-5", "2"], b"*2\r\n$2\r\n-5\r\n$1\r\n1\r\n"),
    (&["sort", "l", "alpha"], b"*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["sort", "l", "alpha", "desc", "limit", "1", "3"], b"*3\r\n$1\r\n2\r\n$2\r\n10\r\n$1\r\n1\r\n"),
    (&["rpush", "words", "banana", "apple", "cherry"], b":3\r\n"),
    (&["sort", "words"], b"-ERR One or more scores can't be converted into double\r\n"),
    (&["sort", "words", "alpha"], b"*3\r\n$5\r\napple\r\n$6\r\nbanana\r\n$6\r\ncherry\r\n"),
    (&["sort_ro", "l", "desc"], b"*5\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n-5\r\n"),
    (&["sort_ro", "l", "store", "dst"], b"-ERR syntax error\r\n"),
    (&["sort", "l", "foo"], b"-ERR syntax error\r\n"),
    (&["sort", "l", "limit", "1"], b"-ERR syntax error\r\n"),
    (&["sort", "l", "limit", "x", "1"], b"-ERR value is not an integer or out of range\r\n"),
    (&["sort", "nokey"], b"*0\r\n"),
    (&["sort", "l", "by", "nosort"], b"*5\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n"),
    (&["sort", "l", "by", "nosort", "desc"], b"*5\r\n$2\r\n-5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n"),
    (&["sort", "l", "by", "nosort", "desc", "limit", "1", "2"], b"*2\r\n$2\r\n10\r\n$1\r\n2\r\n"),
    (&["mset", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_-5", "100"], b"+OK\r\n"),
    (&["sort", "l", "by", "w_*"], b"*5\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n-5\r\n"),
    (&["sort", "l", "by", "w_*", "desc", "get", "#"], b"*5\r\n$2\r\n-5\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n10\r\n"),
    (&["sort", "l", "by", "w_*", "get", "w_*", "get", "#", "get", "missing_*"], b"*15\r\n$1\r\n5\r\n$2\r\n10\r\n$-1\r\n$2\r\n10\r\n$1\r\n1\r\n$-1\r\n$2\r\n20\r\n$1\r\n2\r\n$-1\r\n$2\r\n30\r\n$1\r\n3\r\n$-1\r\n$3\r\n100\r\n$2\r\n-5\r\n$-1\r\n"),
    (&["sort", "l", "get", "nostar"], b"*5\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n"),
    (&["hset", "h_1", "f", "a"], b":1\r\n"),
    (&["hset", "h_2", "f", "c"], b":1\r\n"),
    (&["hset", "h_3", "f", "b"], b":1\r\n"),
    (&["sort", "l", "by", "h_*->f", "alpha", "get", "h_*->f", "get", "#"], b"*10\r\n$-1\r\n$2\r\n10\r\n$-1\r\n$2\r\n-5\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n2\r\n"),
    (&["sort", "l", "by", "h_*->f", "get", "h_*->f"], b"-ERR One or more scores can't be converted into double\r\n"),
    (&["sort", "l", "store", "dst"], b":5\r\n"),
    (&["lrange", "dst", "0", "-1"], b"*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"),
    (&["sort", "l", "get", "w_*", "get", "h_*->f", "store", "dst2"], b":10\r\n"),
    (&["lrange", "dst2", "0", "-1"], b"*10\r\n$3\r\n100\r\n$0\r\n\r\n$2\r\n10\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nc\r\n$2\r\n30\r\n$1\r\nb\r\n$1\r\n5\r\n$0\r\n\r\n"),
    (&["sort", "nokey", "store", "dst"], b":0\r\n"),
    (&["exists", "dst"], b":0\r\n"),
    (&["sadd", "s", "5", "2", "9"], b":3\r\n"),
    (&["sort", "s"], b"*3\r\n$1\r\n2\r\n$1\r\n5\r\n$1\r\n9\r\n"),
    (&["sort", "s", "desc"], b"*3\r\n$1\r\n9\r\n$1\r\n5\r\n$1\r\n2\r\n"),
    (&["sort", "s", "by", "nosort", "store", "sdst"], b":3\r\n"),
    (&["lrange", "sdst", "0", "-1"], b"*3\r\n$1\r\n2\r\n$1\r\n5\r\n$1\r\n9\r\n"),
    (&["zadd", "z", "3", "a", "1", "b", "2", "c"], b":3\r\n"),
    (&["sort", "z", "alpha"], b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["sort", "z", "by", "nosort"], b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"),
    (&["sort", "z", "by", "nosort", "desc", "limit", "0", "2"], b"*2\r\n$1\r\na\r\n$1\r\nc\r\n"),
    (&["sort", "z"], b"-ERR One or more scores can't be converted into double\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["sort", "str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["sort", "str", "foo"], b"-ERR syntax error\r\n"),
    (&["rpush", "e", "1", " 2", "", "3 "], b":4\r\n"),
    (&["sort", "e"], b"-ERR One or more scores can't be converted into double\r\n"),
    (&["rpush", "g", "1.5", "0x10", "inf", "-inf"], b":4\r\n"),
    (&["sort", "g"], b"*4\r\n$4\r\n-inf\r\n$3\r\n1.5\r\n$4\r\n0x10\r\n$3\r\ninf\r\n"),
    (&["sort", "l", "by", "h_*->f", "alpha"], b"*5\r\n$2\r\n10\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n"),
    (&["sort", "l", "by", "w_*", "limit", "1", "2"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
];

#[test]
fn sort_matches_redis_7_0_byte_for_byte() {
    run_fresh(SCRIPT);
}
