//! Integration tests of the set family (SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER,
//! SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER/SINTERCARD/SINTERSTORE, SUNION/SUNIONSTORE,
//! SDIFF/SDIFFSTORE, SSCAN) against the real binary. Every expected reply in the scripts
//! below was captured byte for byte from redis-server 7.0.15 running the same commands on
//! an empty database (intsets iterate in ascending order, so their replies are
//! deterministic).
//!
//! Then: intset -> hashtable conversion at the default threshold, SSCAN over a
//! hashtable, SPOP/SRANDMEMBER rules on both encodings, and a random command sequence
//! checked against a model.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use common::{
    check, query, run_fresh, run_script, start_redis_server, RawConn, Script, TestServer,
};

const BASICS: Script = &[
    (&["sadd", "s", "3", "1", "2", "1"], b":3\r\n"),
    (&["sadd", "s"], b"-ERR wrong number of arguments for 'sadd' command\r\n"),
    (&["sadd", "s", "10"], b":1\r\n"),
    (&["smembers", "s"], b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"),
    (&["sadd", "s", "-70000", "9223372036854775807", "-9223372036854775808"], b":3\r\n"),
    (&["smembers", "s"], b"*7\r\n$20\r\n-9223372036854775808\r\n$6\r\n-70000\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n$19\r\n9223372036854775807\r\n"),
    (&["scard", "s"], b":7\r\n"),
    (&["scard", "nokey"], b":0\r\n"),
    (&["sismember", "s", "3"], b":1\r\n"),
    (&["sismember", "s", "03"], b":0\r\n"),
    (&["sismember", "s", "x"], b":0\r\n"),
    (&["sismember", "nokey", "x"], b":0\r\n"),
    (&["smismember", "s", "1", "5", "x", "10"], b"*4\r\n:1\r\n:0\r\n:0\r\n:1\r\n"),
    (&["smismember", "nokey", "1", "2"], b"*2\r\n:0\r\n:0\r\n"),
    (&["smismember", "s"], b"-ERR wrong number of arguments for 'smismember' command\r\n"),
    (&["srem", "s", "1", "1", "99"], b":1\r\n"),
    (&["srem", "nokey", "1"], b":0\r\n"),
    (&["srem", "s"], b"-ERR wrong number of arguments for 'srem' command\r\n"),
    (&["smembers", "s"], b"*6\r\n$20\r\n-9223372036854775808\r\n$6\r\n-70000\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n$19\r\n9223372036854775807\r\n"),
    (&["smembers", "nokey"], b"*0\r\n"),
    (&["srem", "s", "2", "3", "10", "-70000", "9223372036854775807", "-9223372036854775808", "5"], b":6\r\n"),
    (&["exists", "s"], b":0\r\n"),
    (&["sadd", "s", ""], b":1\r\n"),
    (&["smembers", "s"], b"*1\r\n$0\r\n\r\n"),
    (&["sismember", "s", ""], b":1\r\n"),
];

const SPOP_SRANDMEMBER: Script = &[
    (&["spop", "nokey"], b"$-1\r\n"),
    (&["spop", "nokey", "3"], b"*0\r\n"),
    (&["spop", "nokey", "-1"], b"-ERR value is out of range, must be positive\r\n"),
    (&["sadd", "s", "5"], b":1\r\n"),
    (&["spop", "s", "0"], b"*0\r\n"),
    (&["spop", "s", "-1"], b"-ERR value is out of range, must be positive\r\n"),
    (&["spop", "s", "x"], b"-ERR value is out of range, must be positive\r\n"),
    (&["spop", "s", "1.5"], b"-ERR value is out of range, must be positive\r\n"),
    (&["spop", "s", "1", "2"], b"-ERR syntax error\r\n"),
    (&["spop", "s"], b"$1\r\n5\r\n"),
    (&["exists", "s"], b":0\r\n"),
    (&["sadd", "s", "1", "2", "3"], b":3\r\n"),
    (&["spop", "s", "3"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["exists", "s"], b":0\r\n"),
    (&["sadd", "s", "1", "2", "3"], b":3\r\n"),
    (&["spop", "s", "10"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["exists", "s"], b":0\r\n"),
    (&["srandmember", "nokey"], b"$-1\r\n"),
    (&["srandmember", "nokey", "3"], b"*0\r\n"),
    (&["srandmember", "nokey", "-3"], b"*0\r\n"),
    (&["srandmember", "nokey", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["sadd", "s", "1", "2", "3"], b":3\r\n"),
    (&["srandmember", "s", "0"], b"*0\r\n"),
    (&["srandmember", "s", "100"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["srandmember", "s", "3"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["srandmember", "s", "1", "2"], b"-ERR syntax error\r\n"),
    (&["srandmember", "s", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["srandmember", "s", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"),
    (&["sadd", "one", "x"], b":1\r\n"),
    (&["srandmember", "one"], b"$1\r\nx\r\n"),
    (&["srandmember", "one", "-3"], b"*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n"),
    (&["srandmember", "one", "1"], b"*1\r\n$1\r\nx\r\n"),
    (&["spop", "one", "1"], b"*1\r\n$1\r\nx\r\n"),
    (&["exists", "one"], b":0\r\n"),
];

const ALGEBRA: Script = &[
    (&["sadd", "a", "1", "2", "3", "4", "5"], b":5\r\n"),
    (&["sadd", "b", "3", "4", "5", "6"], b":4\r\n"),
    (&["sadd", "c", "4", "5", "6", "7"], b":4\r\n"),
    (&["sinter", "a", "b", "c"], b"*2\r\n$1\r\n4\r\n$1\r\n5\r\n"),
    (&["sinter", "a", "b", "nokey"], b"*0\r\n"),
    (
        &["sinter", "a"],
        b"*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    (&["sinter", "nokey", "a"], b"*0\r\n"),
    (
        &["sinter", "a", "a"],
        b"*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    (&["sintercard", "3", "a", "b", "c"], b":2\r\n"),
    (&["sintercard", "2", "a", "b", "limit", "2"], b":2\r\n"),
    (&["sintercard", "2", "a", "b", "LIMIT", "0"], b":3\r\n"),
    (
        &["sintercard", "2", "a", "b", "limit", "1", "limit", "3"],
        b":3\r\n",
    ),
    (
        &["sintercard", "2", "a", "b", "limit", "-1"],
        b"-ERR LIMIT can't be negative\r\n",
    ),
    (
        &["sintercard", "2", "a", "b", "limit", "x"],
        b"-ERR LIMIT can't be negative\r\n",
    ),
    (
        &["sintercard", "0", "a"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["sintercard", "-1", "a"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["sintercard", "x", "a"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["sintercard", "3", "a", "b"],
        b"-ERR Number of keys can't be greater than number of args\r\n",
    ),
    (
        &["sintercard", "2", "a", "b", "foo"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["sintercard", "2", "a", "b", "limit"],
        b"-ERR syntax error\r\n",
    ),
    (&["sintercard", "1", "nokey"], b":0\r\n"),
    (&["sinterstore", "d", "a", "b"], b":3\r\n"),
    (
        &["smembers", "d"],
        b"*3\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    (&["sinterstore", "d", "a", "nokey"], b":0\r\n"),
    (&["exists", "d"], b":0\r\n"),
    (&["sinterstore", "d", "a", "c"], b":2\r\n"),
    (&["sinterstore", "d", "b", "nokey"], b":0\r\n"),
    (&["exists", "d"], b":0\r\n"),
    (
        &["sunion", "a", "b", "c"],
        b"*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n",
    ),
    (&["sunion", "nokey"], b"*0\r\n"),
    (
        &["sunion", "nokey", "a"],
        b"*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    (&["sunionstore", "d", "a", "c"], b":7\r\n"),
    (
        &["smembers", "d"],
        b"*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n",
    ),
    (&["sunionstore", "d", "nokey"], b":0\r\n"),
    (&["exists", "d"], b":0\r\n"),
    (&["sdiff", "a", "b", "c"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
    (
        &["sdiff", "a", "nokey"],
        b"*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    (&["sdiff", "nokey", "a"], b"*0\r\n"),
    (&["sdiff", "a", "a"], b"*0\r\n"),
    (&["sdiff", "a", "b", "a"], b"*0\r\n"),
    (
        &["sdiff", "a", "c"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (&["sdiffstore", "d", "a", "b"], b":2\r\n"),
    (&["smembers", "d"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
    (&["sdiffstore", "d", "a", "a"], b":0\r\n"),
    (&["exists", "d"], b":0\r\n"),
    (&["sadd", "d", "1"], b":1\r\n"),
    (&["expire", "d", "100"], b":1\r\n"),
    (&["sunionstore", "d", "a"], b":5\r\n"),
    (&["ttl", "d"], b":-1\r\n"),
];

const WRONGTYPE: Script = &[
    (&["sadd", "a", "1", "2"], b":2\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (
        &["sadd", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["srem", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["smembers", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["scard", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sismember", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["smismember", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["spop", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["spop", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["srandmember", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["srandmember", "str", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sscan", "str", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sinter", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sinter", "nokey", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sunion", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sdiff", "nokey", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sdiff", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sintercard", "2", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sinterstore", "d", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sunionstore", "d", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["sdiffstore", "d", "a", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["sinterstore", "str", "a"], b":2\r\n"),
    (&["type", "str"], b"+set\r\n"),
    (&["smove", "str", "a", "1"], b":1\r\n"),
    (&["smove", "a", "str", "1"], b":1\r\n"),
    (&["smove", "nokey", "str", "1"], b":0\r\n"),
    (
        &["get", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
];

const SMOVE: Script = &[
    (&["sadd", "a", "1", "2", "3"], b":3\r\n"),
    (&["sadd", "b", "3", "4"], b":2\r\n"),
    (&["smove", "a", "b", "1"], b":1\r\n"),
    (&["smove", "a", "b", "1"], b":0\r\n"),
    (&["smembers", "a"], b"*2\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (
        &["smembers", "b"],
        b"*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n4\r\n",
    ),
    (&["smove", "a", "b", "3"], b":1\r\n"),
    (&["smembers", "a"], b"*1\r\n$1\r\n2\r\n"),
    (
        &["smembers", "b"],
        b"*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n4\r\n",
    ),
    (&["smove", "a", "a", "2"], b":1\r\n"),
    (&["smove", "a", "a", "99"], b":0\r\n"),
    (&["smove", "nokey", "a", "2"], b":0\r\n"),
    (&["smove", "b", "newset", "4"], b":1\r\n"),
    (&["smembers", "newset"], b"*1\r\n$1\r\n4\r\n"),
    (&["smove", "b", "newset", "99"], b":0\r\n"),
    (&["sadd", "one", "1"], b":1\r\n"),
    (&["smove", "one", "two", "1"], b":1\r\n"),
    (&["exists", "one"], b":0\r\n"),
    (&["smembers", "two"], b"*1\r\n$1\r\n1\r\n"),
    (&["sadd", "strs", "x"], b":1\r\n"),
    (&["smove", "strs", "ints", "x"], b":1\r\n"),
    (&["object", "encoding", "ints"], b"$9\r\nhashtable\r\n"),
    (&["smove", "two", "strs", "1"], b":1\r\n"),
    (&["object", "encoding", "strs"], b"$6\r\nintset\r\n"),
];

const SSCAN: Script = &[
    (&["sadd", "a", "1", "2", "3", "20", "21"], b":5\r\n"),
    (
        &["sscan", "a", "0"],
        b"*2\r\n$1\r\n0\r\n*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n$2\r\n21\r\n",
    ),
    (
        &["sscan", "a", "0", "match", "2*"],
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n2\r\n$2\r\n20\r\n$2\r\n21\r\n",
    ),
    (
        &["sscan", "a", "0", "MATCH", "*1", "COUNT", "1"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n21\r\n",
    ),
    (&["sscan", "a", "0", "count", "0"], b"-ERR syntax error\r\n"),
    (
        &["sscan", "a", "0", "count", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["sscan", "a", "x"], b"-ERR invalid cursor\r\n"),
    (
        &["sscan", "a", "-1"],
        b"*2\r\n$1\r\n0\r\n*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n$2\r\n21\r\n",
    ),
    (
        &["sscan", "nokey", "0", "count", "0"],
        b"*2\r\n$1\r\n0\r\n*0\r\n",
    ),
    (&["sscan", "nokey", "x"], b"-ERR invalid cursor\r\n"),
    (&["sscan", "a", "0", "count"], b"-ERR syntax error\r\n"),
    (&["sscan", "a", "0", "foo", "bar"], b"-ERR syntax error\r\n"),
    (&["sadd", "one", "x"], b":1\r\n"),
    (
        &["sscan", "one", "0"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nx\r\n",
    ),
];

const ENCODINGS: Script = &[
    (&["sadd", "strs", "foo", "bar"], b":2\r\n"),
    (&["object", "encoding", "strs"], b"$9\r\nhashtable\r\n"),
    (&["sadd", "mixed", "1", "2", "x"], b":3\r\n"),
    (&["object", "encoding", "mixed"], b"$9\r\nhashtable\r\n"),
    (&["sadd", "ints", "1", "2", "3"], b":3\r\n"),
    (&["object", "encoding", "ints"], b"$6\r\nintset\r\n"),
    (&["sunionstore", "u", "ints", "strs"], b":5\r\n"),
    (&["object", "encoding", "u"], b"$9\r\nhashtable\r\n"),
    (&["sunionstore", "u", "ints"], b":3\r\n"),
    (&["object", "encoding", "u"], b"$6\r\nintset\r\n"),
    (
        &["smembers", "u"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (&["sdiffstore", "u", "mixed", "strs"], b":3\r\n"),
    (&["object", "encoding", "u"], b"$9\r\nhashtable\r\n"),
    (&["sinterstore", "u", "mixed", "ints"], b":2\r\n"),
    (&["object", "encoding", "u"], b"$6\r\nintset\r\n"),
    (&["smembers", "u"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
    (
        &["config", "set", "set-max-intset-entries", "3"],
        b"+OK\r\n",
    ),
    (&["sadd", "i", "1", "2", "3"], b":3\r\n"),
    (&["object", "encoding", "i"], b"$6\r\nintset\r\n"),
    (&["sadd", "i", "4"], b":1\r\n"),
    (&["object", "encoding", "i"], b"$9\r\nhashtable\r\n"),
    (&["srem", "i", "1", "2", "3"], b":3\r\n"),
    (&["object", "encoding", "i"], b"$9\r\nhashtable\r\n"),
    (&["smembers", "i"], b"*1\r\n$1\r\n4\r\n"),
    (&["sadd", "j", "1", "x"], b":2\r\n"),
    (&["object", "encoding", "j"], b"$9\r\nhashtable\r\n"),
    (&["sadd", "k", "x"], b":1\r\n"),
    (&["object", "encoding", "k"], b"$9\r\nhashtable\r\n"),
    (&["sadd", "big", "3", "2", "1"], b":3\r\n"),
    (&["sunionstore", "big2", "big", "i"], b":4\r\n"),
    (&["object", "encoding", "big2"], b"$9\r\nhashtable\r\n"),
    (
        &["config", "set", "set-max-intset-entries", "0"],
        b"+OK\r\n",
    ),
    (&["sadd", "l", "1"], b":1\r\n"),
    (&["object", "encoding", "l"], b"$9\r\nhashtable\r\n"),
    (
        &["config", "get", "set-max-intset-entries"],
        b"*2\r\n$22\r\nset-max-intset-entries\r\n$1\r\n0\r\n",
    ),
    (
        &["config", "set", "set-max-intset-entries", "512"],
        b"+OK\r\n",
    ),
    (&["sadd", "w", "1"], b":1\r\n"),
    (&["sadd", "w", "40000"], b":1\r\n"),
    (&["sadd", "w", "5000000000"], b":1\r\n"),
    (&["sadd", "w", "-5000000000"], b":1\r\n"),
    (&["object", "encoding", "w"], b"$6\r\nintset\r\n"),
    (
        &["smembers", "w"],
        b"*4\r\n$11\r\n-5000000000\r\n$1\r\n1\r\n$5\r\n40000\r\n$10\r\n5000000000\r\n",
    ),
    (
        &["srem", "w", "5000000000", "-5000000000", "40000"],
        b":3\r\n",
    ),
    (&["smembers", "w"], b"*1\r\n$1\r\n1\r\n"),
    (&["sismember", "w", "1"], b":1\r\n"),
];

const RESP3: Script = &[
    (&["sadd", "s", "1", "2", "3"], b":3\r\n"),
    (
        &["smembers", "s"],
        b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (&["smembers", "nokey"], b"~0\r\n"),
    (&["spop", "nokey"], b"_\r\n"),
    (&["spop", "nokey", "2"], b"~0\r\n"),
    (&["spop", "s", "0"], b"~0\r\n"),
    (&["srandmember", "nokey", "2"], b"*0\r\n"),
    (&["srandmember", "nokey"], b"_\r\n"),
    (
        &["srandmember", "s", "10"],
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (
        &["sinter", "s", "s"],
        b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (&["sinter", "s", "nokey"], b"~0\r\n"),
    (&["sunion", "s"], b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["sdiff", "s"], b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    (&["sismember", "s", "1"], b":1\r\n"),
    (&["smismember", "s", "1", "9"], b"*2\r\n:1\r\n:0\r\n"),
    (&["sintercard", "1", "s"], b":3\r\n"),
    (
        &["sscan", "s", "0"],
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
    (
        &["spop", "s", "5"],
        b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
    ),
];

#[test]
fn basics() {
    run_fresh(BASICS);
}

#[test]
fn spop_and_srandmember_deterministic_cases() {
    run_fresh(SPOP_SRANDMEMBER);
}

#[test]
fn intersections_unions_differences() {
    run_fresh(ALGEBRA);
}

#[test]
fn wrong_type() {
    run_fresh(WRONGTYPE);
}

#[test]
fn smove() {
    run_fresh(SMOVE);
}

#[test]
fn sscan_intset_and_errors() {
    run_fresh(SSCAN);
}

#[test]
fn encodings() {
    run_fresh(ENCODINGS);
}

#[test]
fn resp3_shapes() {
    let server = TestServer::start();
    let mut raw = server.raw();
    raw.send_cmd(&["HELLO", "3"]);
    let hello = raw.read_reply();
    assert!(hello.starts_with(b"%7\r\n"), "HELLO 3");
    run_script(&mut raw, RESP3);
}

/// Adds `members` to set `key`.
fn sadd(con: &mut redis::Connection, key: &str, members: impl IntoIterator<Item = String>) {
    let mut cmd = redis::cmd("SADD");
    cmd.arg(key);
    for m in members {
        cmd.arg(m);
    }
    let _: i64 = cmd.query(con).expect("SADD");
}

#[test]
fn converts_at_default_threshold() {
    let server = TestServer::start();
    let mut con = server.conn();
    sadd(&mut con, "s", (0..512).map(|i| i.to_string()));
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "s"]);
    assert_eq!(enc, "intset");
    let members: Vec<i64> = query(&mut con, &["SMEMBERS", "s"]);
    assert_eq!(
        members,
        (0..512).collect::<Vec<i64>>(),
        "intsets iterate in order"
    );
    sadd(&mut con, "s", ["512".to_string()]);
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "s"]);
    assert_eq!(enc, "hashtable");
    for i in 0..500 {
        let _: i64 = query(&mut con, &["SREM", "s", &i.to_string()]);
    }
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "s"]);
    assert_eq!(enc, "hashtable", "never converted back");
    let n: i64 = query(&mut con, &["SCARD", "s"]);
    assert_eq!(n, 13);
}

#[test]
fn sscan_iterates_a_hashtable() {
    let server = TestServer::start();
    let mut con = server.conn();
    sadd(&mut con, "s", (0..1000).map(|i| format!("m{i}")));
    let mut cursor = "0".to_string();
    let mut seen = Vec::new();
    let mut calls = 0;
    loop {
        let (next, members): (String, Vec<String>) =
            query(&mut con, &["SSCAN", "s", &cursor, "COUNT", "20"]);
        calls += 1;
        seen.extend(members);
        if next == "0" {
            break;
        }
        cursor = next;
    }
    let distinct: HashSet<String> = seen.into_iter().collect();
    assert_eq!(distinct.len(), 1000);
    assert!(calls > 10, "{calls} calls");
    let (_, members): (String, Vec<String>) = query(
        &mut con,
        &["SSCAN", "s", "0", "MATCH", "nothing*", "COUNT", "5000"],
    );
    assert!(members.is_empty());
}

#[test]
fn spop_and_srandmember_on_both_encodings() {
    let server = TestServer::start();
    let mut con = server.conn();
    for (key, size, members) in [
        (
            "ints",
            100usize,
            (0..100).map(|i| i.to_string()).collect::<Vec<_>>(),
        ),
        ("strs", 100, (0..100).map(|i| format!("m{i}")).collect()),
    ] {
        sadd(&mut con, key, members.clone());
        for count in [1usize, 2, 10, 40, 99] {
            let got: Vec<String> = query(&mut con, &["SRANDMEMBER", key, &count.to_string()]);
            let distinct: HashSet<&String> = got.iter().collect();
            assert_eq!((got.len(), distinct.len()), (count, count), "{key} {count}");
            assert!(got.iter().all(|m| members.contains(m)));
        }
        let got: Vec<String> = query(&mut con, &["SRANDMEMBER", key, "-500"]);
        assert_eq!(got.len(), 500);
        let distinct: HashSet<&String> = got.iter().collect();
        assert!(distinct.len() > size / 2 && distinct.len() <= size);
        let popped: Vec<String> = query(&mut con, &["SPOP", key, "30"]);
        let distinct: HashSet<&String> = popped.iter().collect();
        assert_eq!(distinct.len(), 30);
        let card: usize = query(&mut con, &["SCARD", key]);
        assert_eq!(card, size - 30);
        for m in &popped {
            let is: i64 = query(&mut con, &["SISMEMBER", key, m]);
            assert_eq!(is, 0, "{m} was popped");
        }
        let one: String = query(&mut con, &["SPOP", key]);
        assert!(members.contains(&one));
        let rest: Vec<String> = query(&mut con, &["SPOP", key, "1000"]);
        assert_eq!(rest.len(), size - 31);
        let exists: i64 = query(&mut con, &["EXISTS", key]);
        assert_eq!(exists, 0);
    }
}

/// A small deterministic generator for the random sequence test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A member: mostly integers of several widths, some strings.
fn member(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("m{}", rng.below(20)),
        1 => (rng.below(10) as i64 * 3_000_000_000 - 15_000_000_000).to_string(),
        2 => (rng.below(10) * 70_000).to_string(),
        _ => rng.below(30).to_string(),
    }
}

#[test]
fn random_commands_match_a_model() {
    let server = TestServer::start_with(&["--set-max-intset-entries", "12"]);
    let mut con = server.conn();
    let mut model: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let keys = ["a", "b", "c"];
    for step in 0..3000 {
        let key = keys[rng.below(3) as usize];
        let other = keys[rng.below(3) as usize];
        let m = member(&mut rng);
        match rng.below(8) {
            0 | 1 => {
                let added: i64 = query(&mut con, &["SADD", key, &m]);
                assert_eq!(
                    added == 1,
                    model.entry(key.into()).or_default().insert(m),
                    "step {step}"
                );
            }
            2 => {
                let removed: i64 = query(&mut con, &["SREM", key, &m]);
                let had = model.get_mut(key).is_some_and(|s| s.remove(&m));
                assert_eq!(removed == 1, had, "step {step}");
            }
            3 => {
                let popped: Option<String> = query(&mut con, &["SPOP", key]);
                match popped {
                    Some(p) => assert!(
                        model.get_mut(key).is_some_and(|s| s.remove(&p)),
                        "step {step}"
                    ),
                    None => assert!(model.get(key).is_none_or(BTreeSet::is_empty), "step {step}"),
                }
            }
            4 => {
                let moved: i64 = query(&mut con, &["SMOVE", key, other, &m]);
                let had = model.get(key).is_some_and(|s| s.contains(&m));
                assert_eq!(moved == 1, had, "step {step}");
                if had && key != other {
                    model.get_mut(key).map(|s| s.remove(&m));
                    model.entry(other.into()).or_default().insert(m);
                }
            }
            5 => {
                let inter: BTreeSet<String> = query(&mut con, &["SINTER", key, other]);
                let empty = BTreeSet::new();
                let (x, y) = (
                    model.get(key).unwrap_or(&empty),
                    model.get(other).unwrap_or(&empty),
                );
                assert_eq!(inter, x.intersection(y).cloned().collect(), "step {step}");
                let diff: BTreeSet<String> = query(&mut con, &["SDIFF", key, other]);
                assert_eq!(diff, x.difference(y).cloned().collect(), "step {step}");
                let union: BTreeSet<String> = query(&mut con, &["SUNION", key, other]);
                assert_eq!(union, x.union(y).cloned().collect(), "step {step}");
                let card: usize = query(&mut con, &["SINTERCARD", "2", key, other]);
                assert_eq!(card, x.intersection(y).count(), "step {step}");
            }
            6 => {
                let n: usize = query(&mut con, &["SUNIONSTORE", "u", key, other]);
                let got: BTreeSet<String> = query(&mut con, &["SMEMBERS", "u"]);
                assert_eq!(n, got.len());
                let empty = BTreeSet::new();
                let want: BTreeSet<String> = model
                    .get(key)
                    .unwrap_or(&empty)
                    .union(model.get(other).unwrap_or(&empty))
                    .cloned()
                    .collect();
                assert_eq!(got, want, "step {step}");
            }
            _ => {
                let got: BTreeSet<String> = query(&mut con, &["SMEMBERS", key]);
                let want = model.get(key).cloned().unwrap_or_default();
                assert_eq!(got, want, "step {step}");
                let exists: i64 = query(&mut con, &["EXISTS", key]);
                assert_eq!(exists == 1, !want.is_empty(), "empty sets are deleted");
            }
        }
        model.retain(|_, s| !s.is_empty());
    }
}

/// The bytes of the incremental AOF file(s) in `dir`'s appendonlydir.
fn incr_aof(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir.join("appendonlydir"))
        .expect("appendonlydir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".incr.aof"))
        .collect();
    names.sort();
    for p in names {
        out.extend(std::fs::read(p).expect("read the incr file"));
    }
    out
}

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn spop_propagates_as_srem_or_del() {
    let mut server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut con = server.conn();
    sadd(&mut con, "s", (1..=5).map(|i| i.to_string()));
    sadd(&mut con, "t", (0..50).map(|i| format!("m{i}")));
    let one: String = query(&mut con, &["SPOP", "s"]);
    let two: Vec<String> = query(&mut con, &["SPOP", "s", "2"]);
    let _: Vec<String> = query(&mut con, &["SPOP", "s", "10"]);
    let _: Vec<String> = query(&mut con, &["SPOP", "t", "20"]);
    let before: BTreeSet<String> = query(&mut con, &["SMEMBERS", "t"]);
    let aof = incr_aof(server.dir.path());
    let srem_one = format!("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n${}\r\n{one}\r\n", one.len());
    assert!(contains(&aof, srem_one.as_bytes()), "single SPOP as SREM");
    let srem_two = format!(
        "*4\r\n$4\r\nSREM\r\n$1\r\ns\r\n${}\r\n{}\r\n${}\r\n{}\r\n",
        two[0].len(),
        two[0],
        two[1].len(),
        two[1]
    );
    assert!(contains(&aof, srem_two.as_bytes()), "SPOP count as SREM");
    assert!(
        contains(&aof, b"*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n"),
        "whole-set SPOP as DEL"
    );
    assert!(!contains(&aof, b"SPOP") && !contains(&aof, b"spop"));
    drop(con);
    server.kill();
    server.relaunch();
    let mut con = server.conn();
    let after: BTreeSet<String> = query(&mut con, &["SMEMBERS", "t"]);
    assert_eq!(after, before);
    let exists: i64 = query(&mut con, &["EXISTS", "s"]);
    assert_eq!(exists, 0);
}

/// SMOVE touches (for WATCH) its destination only when the member was added there:
/// moving a member the destination already holds leaves a watcher of the destination
/// undisturbed, while a watcher of the source sees the removal (Redis 7.0's smoveCommand).
fn smove_watch_scenario(w: &mut RawConn, other: &mut RawConn) {
    check(other, &["sadd", "src", "a", "b"], b":2\r\n");
    check(other, &["sadd", "dst", "a"], b":1\r\n");
    check(w, &["watch", "dst"], b"+OK\r\n");
    check(w, &["multi"], b"+OK\r\n");
    check(w, &["sadd", "dst", "c"], b"+QUEUED\r\n");
    check(other, &["smove", "src", "dst", "a"], b":1\r\n");
    check(w, &["exec"], b"*1\r\n:1\r\n");
    check(w, &["scard", "dst"], b":2\r\n");
    // The member was new to the destination: the watcher's EXEC fails.
    check(w, &["watch", "dst"], b"+OK\r\n");
    check(w, &["multi"], b"+OK\r\n");
    check(w, &["sadd", "dst", "d"], b"+QUEUED\r\n");
    check(other, &["smove", "src", "dst", "b"], b":1\r\n");
    check(w, &["exec"], b"*-1\r\n");
    // The source always changes.
    check(other, &["sadd", "src", "a"], b":1\r\n");
    check(w, &["watch", "src"], b"+OK\r\n");
    check(w, &["multi"], b"+OK\r\n");
    check(w, &["scard", "src"], b"+QUEUED\r\n");
    check(other, &["smove", "src", "dst", "a"], b":1\r\n");
    check(w, &["exec"], b"*-1\r\n");
}

#[test]
fn smove_touches_destination_only_when_it_adds() {
    let server = TestServer::start();
    smove_watch_scenario(&mut server.raw(), &mut server.raw());
    if let Some(redis) = start_redis_server(&[]) {
        smove_watch_scenario(&mut redis.raw(), &mut redis.raw());
    }
}

/// Small positive counts on a big set and a big hash: as many distinct members (fields)
/// as asked, all of them present, and different ones from one call to the next.
#[test]
fn distinct_random_members_of_big_collections() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let members: Vec<String> = (0..30_000).map(|i| format!("m:{i}")).collect();
    for chunk in members.chunks(1000) {
        let _: () = redis::cmd("SADD")
            .arg("s")
            .arg(chunk)
            .query(&mut con)
            .unwrap();
        let mut hset = redis::cmd("HSET");
        hset.arg("h");
        for m in chunk {
            hset.arg(m).arg("v");
        }
        let _: () = hset.query(&mut con).unwrap();
    }
    let all: HashSet<&str> = members.iter().map(String::as_str).collect();
    for (cmd, key) in [("SRANDMEMBER", "s"), ("HRANDFIELD", "h")] {
        let mut seen = HashSet::new();
        for _ in 0..5 {
            let got: Vec<String> = redis::cmd(cmd).arg(key).arg(100).query(&mut con).unwrap();
            assert_eq!(got.len(), 100, "{cmd}");
            let distinct: HashSet<&str> = got.iter().map(String::as_str).collect();
            assert_eq!(distinct.len(), 100, "{cmd} repeats a member: {got:?}");
            assert!(distinct.is_subset(&all), "{cmd} made up a member");
            seen.extend(got);
        }
        assert!(
            seen.len() > 400,
            "{cmd}: five calls gave {} members",
            seen.len()
        );
    }
    let pairs: Vec<String> = redis::cmd("HRANDFIELD")
        .arg("h")
        .arg(10)
        .arg("WITHVALUES")
        .query(&mut con)
        .unwrap();
    assert_eq!(pairs.len(), 20);
    assert!(
        pairs.iter().skip(1).step_by(2).all(|v| v == "v"),
        "{pairs:?}"
    );
}

/// A set or hash that grew and is then only read finishes its rehash: reads move a
/// rehash step as Redis's lookups do (Redis's unit/type/set waits for exactly this).
#[test]
fn reads_finish_a_collections_rehash() {
    let srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut con = srv.conn();
    // A compact encoding (no hash table yet) is an error here: not rehashing.
    let rehashing = |con: &mut redis::Connection, key: &str| {
        redis::cmd("DEBUG")
            .arg("HTSTATS-KEY")
            .arg(key)
            .query::<String>(con)
            .is_ok_and(|stats| stats.contains("rehashing target"))
    };
    for (key, write, read) in [("s", "SADD", "SISMEMBER"), ("h", "HSET", "HEXISTS")] {
        // Grow the collection until a write leaves its table mid-rehash.
        let mut members: Vec<String> = Vec::new();
        loop {
            let mut cmd = redis::cmd(write);
            cmd.arg(key);
            for i in members.len()..members.len() + 500 {
                let m = format!("m:{i}");
                cmd.arg(&m);
                if write == "HSET" {
                    cmd.arg("v");
                }
                members.push(m);
            }
            let _: () = cmd.query(&mut con).unwrap();
            if rehashing(&mut con, key) {
                break;
            }
            assert!(members.len() < 300_000, "{key}: never caught rehashing");
        }
        let mut pipe = redis::pipe();
        for m in members.iter().cycle().take(2 * members.len()) {
            pipe.cmd(read).arg(key).arg(m).ignore();
        }
        let _: () = pipe.query(&mut con).unwrap();
        assert!(
            !rehashing(&mut con, key),
            "{key}: still rehashing after the reads"
        );
    }
}
