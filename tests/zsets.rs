//! Integration tests of the sorted-set family against the real binary. Every expected
//! reply in the scripts below was captured byte for byte from redis-server 7.0.15
//! running the same commands on an empty database (with the default encoding limits);
//! the tests after them check what depends on randomness or hash order (ZSCAN of a
//! skiplist, ZRANDMEMBER), large sets, keyspace commands and blocking pops.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::{ask, check, run_fresh, run_script, show, wait_until, RawConn, Script, TestServer};

const ZADD_OPTIONS: Script = &[
    (&["zadd", "z", "1", "a", "2", "b", "3", "c"], b":3\r\n"),
    (&["zadd", "z", "1.1", "d"], b":1\r\n"),
    (&["zscore", "z", "d"], b"$18\r\n1.1000000000000001\r\n"),
    (&["zadd", "z", "-0", "e"], b":1\r\n"),
    (&["zscore", "z", "e"], b"$1\r\n0\r\n"),
    (&["zadd", "z", "inf", "f", "-inf", "g"], b":2\r\n"),
    (&["zrange", "z", "0", "-1", "withscores"], b"*14\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nf\r\n$3\r\ninf\r\n"),
    (&["zadd", "z", "nx", "10", "a", "11", "h"], b":1\r\n"),
    (&["zadd", "z", "xx", "10", "a", "12", "i"], b":0\r\n"),
    (&["zadd", "z", "xx", "ch", "11", "a", "12", "i"], b":1\r\n"),
    (&["zadd", "z", "gt", "ch", "5", "a", "20", "b"], b":1\r\n"),
    (&["zadd", "z", "lt", "ch", "5", "a", "20", "b"], b":1\r\n"),
    (&["zadd", "z", "xx", "gt", "ch", "100", "a", "100", "nothere"], b":1\r\n"),
    (&["zadd", "z", "gt", "lt", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "nx", "gt", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "nx", "lt", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "nx", "xx", "1", "a"], b"-ERR XX and NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "incr", "1", "a", "2", "b"], b"-ERR INCR option supports a single increment-element pair\r\n"),
    (&["zadd", "z", "incr", "2.5", "a"], b"$5\r\n102.5\r\n"),
    (&["zadd", "z", "incr", "nx", "2.5", "a"], b"$-1\r\n"),
    (&["zadd", "z", "incr", "xx", "2.5", "zz"], b"$-1\r\n"),
    (&["zadd", "z", "incr", "gt", "-100", "a"], b"$-1\r\n"),
    (&["zadd", "z", "incr", "lt", "-100", "a"], b"$3\r\n2.5\r\n"),
    (&["zadd", "z", "incr", "inf", "f"], b"$3\r\ninf\r\n"),
    (&["zadd", "z", "incr", "-inf", "f"], b"-ERR resulting score is not a number (NaN)\r\n"),
    (&["zadd", "z", "nan", "a"], b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1", "a", "2"], b"-ERR syntax error\r\n"),
    (&["zadd", "z", "ch"], b"-ERR wrong number of arguments for 'zadd' command\r\n"),
    (&["zadd", "z", "abc", "a"], b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1e999", "a"], b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", " 1", "a"], b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "0x10", "hex"], b":1\r\n"),
    (&["zscore", "z", "hex"], b"$2\r\n16\r\n"),
    (&["zadd", "z", "1", "x", "nan", "y"], b"-ERR value is not a valid float\r\n"),
    (&["zscore", "z", "x"], b"$-1\r\n"),
    (&["zadd", "z", "1", "nx"], b":1\r\n"),
    (&["zscore", "z", "nx"], b"$1\r\n1\r\n"),
    (&["zadd", "newkey", "xx", "1", "a"], b":0\r\n"),
    (&["exists", "newkey"], b":0\r\n"),
    (&["zadd", "newkey", "gt", "1", "a"], b":1\r\n"),
    (&["zrange", "newkey", "0", "-1", "withscores"], b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["zadd", "dup", "1", "a", "2", "a", "3", "a"], b":1\r\n"),
    (&["zrange", "dup", "0", "-1", "withscores"], b"*2\r\n$1\r\na\r\n$1\r\n3\r\n"),
    (&["zadd", "dup", "nx", "5", "b", "6", "b"], b":1\r\n"),
    (&["zrange", "dup", "0", "-1", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n5\r\n"),
];

const ZINCRBY_ZREM_ZCARD_SCORES: Script = &[
    (&["zincrby", "z", "1", "a"], b"$1\r\n1\r\n"),
    (&["zincrby", "z", "2.5", "a"], b"$3\r\n3.5\r\n"),
    (
        &["zincrby", "z", "-1e300", "a"],
        b"$24\r\n-1.0000000000000001e+300\r\n",
    ),
    (
        &["zincrby", "z", "x", "a"],
        b"-ERR value is not a valid float\r\n",
    ),
    (
        &["zincrby", "z", "nan", "a"],
        b"-ERR value is not a valid float\r\n",
    ),
    (&["zadd", "z", "inf", "f"], b":1\r\n"),
    (
        &["zincrby", "z", "-inf", "f"],
        b"-ERR resulting score is not a number (NaN)\r\n",
    ),
    (&["zincrby", "z", "nx", "1"], b"-ERR syntax error\r\n"),
    (&["zcard", "z"], b":2\r\n"),
    (&["zcard", "nokey"], b":0\r\n"),
    (
        &[
            "zadd",
            "z",
            "1",
            "b",
            "2",
            "c",
            "0.1",
            "d",
            "1e20",
            "e",
            "123456789.123",
            "f",
        ],
        b":4\r\n",
    ),
    (&["zscore", "z", "d"], b"$19\r\n0.10000000000000001\r\n"),
    (&["zscore", "z", "e"], b"$5\r\n1e+20\r\n"),
    (&["zscore", "z", "f"], b"$13\r\n123456789.123\r\n"),
    (&["zscore", "nokey", "a"], b"$-1\r\n"),
    (&["zscore", "z", "nomember"], b"$-1\r\n"),
    (
        &["zmscore", "z", "a", "b", "nomember"],
        b"*3\r\n$24\r\n-1.0000000000000001e+300\r\n$1\r\n1\r\n$-1\r\n",
    ),
    (&["zmscore", "nokey", "a", "b"], b"*2\r\n$-1\r\n$-1\r\n"),
    (&["zrem", "z", "a", "nonexist", "b"], b":2\r\n"),
    (&["zrem", "z", "nonexist"], b":0\r\n"),
    (&["zrem", "nokey", "a"], b":0\r\n"),
    (&["zcard", "z"], b":4\r\n"),
    (&["zrem", "z", "c", "d", "e", "f"], b":4\r\n"),
    (&["exists", "z"], b":0\r\n"),
];

const RANKS_AND_RANGES: Script = &[
    (&["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f", "5", "g"], b":7\r\n"),
    (&["zrank", "z", "a"], b":0\r\n"),
    (&["zrank", "z", "g"], b":6\r\n"),
    (&["zrevrank", "z", "a"], b":6\r\n"),
    (&["zrevrank", "z", "g"], b":0\r\n"),
    (&["zrank", "z", "nomember"], b"$-1\r\n"),
    (&["zrank", "nokey", "a"], b"$-1\r\n"),
    (&["zrevrank", "nokey", "a"], b"$-1\r\n"),
    (&["zrange", "z", "0", "-1"], b"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrange", "z", "0", "-1", "withscores"], b"*14\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n"),
    (&["zrange", "z", "-3", "-1", "withscores"], b"*6\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n"),
    (&["zrange", "z", "-100", "1"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (&["zrange", "z", "5", "2"], b"*0\r\n"),
    (&["zrange", "z", "100", "200"], b"*0\r\n"),
    (&["zrange", "z", "0", "1", "rev"], b"*2\r\n$1\r\ng\r\n$1\r\nf\r\n"),
    (&["zrange", "z", "0", "1", "rev", "withscores"], b"*4\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n"),
    (&["zrange", "z", "1", "-2", "rev"], b"*5\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (&["zrevrange", "z", "0", "2", "withscores"], b"*6\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n"),
    (&["zrevrange", "z", "-2", "-1"], b"*2\r\n$1\r\nb\r\n$1\r\na\r\n"),
    (&["zrange", "nokey", "0", "-1"], b"*0\r\n"),
    (&["zrange", "z", "0", "-1", "withscores", "withscores"], b"*14\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n"),
];

const RANGE_BY_SCORE: Script = &[
    (&["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f", "5", "g", "inf", "h", "-inf", "i"], b":9\r\n"),
    (&["zrange", "z", "(1", "5", "byscore", "withscores"], b"*12\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n"),
    (&["zrange", "z", "5", "(1", "byscore", "rev", "withscores"], b"*12\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "2"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"], b"*8\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n"),
    (&["zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "2"], b"*0\r\n"),
    (&["zrange", "z", "-inf", "+inf", "byscore", "limit", "100", "2"], b"*0\r\n"),
    (&["zrange", "z", "-inf", "+inf", "byscore", "limit", "0", "0"], b"*0\r\n"),
    (&["zrange", "z", "+inf", "-inf", "byscore", "rev", "limit", "2", "3", "withscores"], b"*6\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["zrange", "z", "5", "5", "byscore"], b"*3\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrange", "z", "(5", "5", "byscore"], b"*0\r\n"),
    (&["zrange", "z", "3", "1", "byscore"], b"*0\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "withscores"], b"*18\r\n$1\r\ni\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nh\r\n$3\r\ninf\r\n"),
    (&["zrangebyscore", "z", "(1", "(3"], b"*1\r\n$1\r\nb\r\n"),
    (&["zrangebyscore", "z", "", ""], b"*0\r\n"),
    (&["zrangebyscore", "z", "(", "5"], b"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrangebyscore", "z", " 2", "3"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "1e999", "+inf"], b"*1\r\n$1\r\nh\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "0", "3", "withscores"], b"*6\r\n$1\r\ni\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "withscores", "limit", "2", "2"], b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["zrevrangebyscore", "z", "+inf", "-inf", "withscores"], b"*18\r\n$1\r\nh\r\n$3\r\ninf\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\ni\r\n$4\r\n-inf\r\n"),
    (&["zrevrangebyscore", "z", "+inf", "-inf", "limit", "1", "2"], b"*2\r\n$1\r\ng\r\n$1\r\nf\r\n"),
    (&["zrevrangebyscore", "z", "(3", "(1"], b"*1\r\n$1\r\nb\r\n"),
    (&["zrevrangebyscore", "z", "1", "3"], b"*0\r\n"),
    (&["zcount", "z", "-inf", "+inf"], b":9\r\n"),
    (&["zcount", "z", "(1", "3"], b":2\r\n"),
    (&["zcount", "z", "5", "5"], b":3\r\n"),
    (&["zcount", "z", "(5", "+inf"], b":1\r\n"),
    (&["zcount", "nokey", "1", "2"], b":0\r\n"),
];

const RANGE_ERRORS: Script = &[
    (&["zadd", "z", "1", "a", "2", "b"], b":2\r\n"),
    (&["zrange", "z", "0", "-1", "limit", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    (&["zrange", "z", "-", "+", "bylex", "withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"),
    (&["zrange", "z", "-", "+", "bylex", "byscore"], b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "-1", "byscore", "bylex"], b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "-1", "rev", "rev"], b"-ERR syntax error\r\n"),
    (&["zrange", "z", "a", "b"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zrange", "z", "a", "b", "byscore"], b"-ERR min or max is not a float\r\n"),
    (&["zrange", "z", "[a", "[b", "byscore"], b"-ERR min or max is not a float\r\n"),
    (&["zrange", "z", "a", "b", "bylex"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrange", "z", "0", "-1", "limit", "1"], b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "-1", "limit", "a", "1"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zrange", "z", "0", "1", "byscore", "limit", "0", "b"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zrange", "z", "0", "-1", "withscores", "foo"], b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "1", "2", "rev"], b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "1", "2", "byscore"], b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "nan", "1"], b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "z", "(nan", "1"], b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "z", "1", "2x"], b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "z", "((1", "2"], b"-ERR min or max is not a float\r\n"),
    (&["zrevrangebyscore", "z", "a", "b"], b"-ERR min or max is not a float\r\n"),
    (&["zrevrange", "z", "0", "2", "limit", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    (&["zrevrange", "z", "0", "2", "rev"], b"-ERR syntax error\r\n"),
    (&["zcount", "z", "x", "3"], b"-ERR min or max is not a float\r\n"),
    (&["zcount", "z", "1", "y"], b"-ERR min or max is not a float\r\n"),
    (&["zcount", "nokey", "x", "y"], b"-ERR min or max is not a float\r\n"),
    (&["zrangebylex", "z", "-", "+", "withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"),
    (&["zrangebylex", "z", "a", "b"], b"-ERR min or max not valid string range item\r\n"),
    (&["zlexcount", "z", "a", "b"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrangestore", "dst", "z", "0", "-1", "withscores"], b"-ERR syntax error\r\n"),
    (&["zremrangebyscore", "z", "a", "b"], b"-ERR min or max is not a float\r\n"),
    (&["zremrangebylex", "z", "a", "b"], b"-ERR min or max not valid string range item\r\n"),
    (&["zremrangebyrank", "z", "a", "1"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zremrangebyrank", "z", "1", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
];

const LEX: Script = &[
    (&["zadd", "lz", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g", "0", "aa", "0", ""], b":9\r\n"),
    (&["zrangebylex", "lz", "-", "+"], b"*9\r\n$0\r\n\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrangebylex", "lz", "[b", "(e"], b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"),
    (&["zrangebylex", "lz", "(b", "[e", "limit", "1", "2"], b"*2\r\n$1\r\nd\r\n$1\r\ne\r\n"),
    (&["zrangebylex", "lz", "[a", "[a"], b"*1\r\n$1\r\na\r\n"),
    (&["zrangebylex", "lz", "(a", "[a"], b"*0\r\n"),
    (&["zrangebylex", "lz", "[a", "(aa"], b"*1\r\n$1\r\na\r\n"),
    (&["zrangebylex", "lz", "+", "-"], b"*0\r\n"),
    (&["zrangebylex", "lz", "-", "-"], b"*0\r\n"),
    (&["zrangebylex", "lz", "+", "+"], b"*0\r\n"),
    (&["zrangebylex", "lz", "[", "[a"], b"*2\r\n$0\r\n\r\n$1\r\na\r\n"),
    (&["zrangebylex", "lz", "(", "+"], b"*8\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrangebylex", "lz", "b", "c"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrangebylex", "lz", "", "+"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrangebylex", "lz", "+a", "+"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrangebylex", "lz", "-", "-a"], b"-ERR min or max not valid string range item\r\n"),
    (&["zrangebylex", "lz", "-", "+", "limit", "2", "-1"], b"*7\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zrangebylex", "lz", "-", "+", "limit", "-1", "2"], b"*0\r\n"),
    (&["zrange", "lz", "[c", "+", "bylex", "rev"], b"*0\r\n"),
    (&["zrange", "lz", "+", "[c", "bylex", "rev", "limit", "1", "2"], b"*2\r\n$1\r\nf\r\n$1\r\ne\r\n"),
    (&["zrevrangebylex", "lz", "+", "-"], b"*9\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$1\r\na\r\n$0\r\n\r\n"),
    (&["zrevrangebylex", "lz", "[e", "(b"], b"*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n"),
    (&["zrevrangebylex", "lz", "+", "-", "limit", "2", "3"], b"*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n"),
    (&["zrevrangebylex", "lz", "-", "+"], b"*0\r\n"),
    (&["zlexcount", "lz", "-", "+"], b":9\r\n"),
    (&["zlexcount", "lz", "[b", "[d"], b":3\r\n"),
    (&["zlexcount", "lz", "(b", "(d"], b":1\r\n"),
    (&["zlexcount", "lz", "(a", "+"], b":7\r\n"),
    (&["zlexcount", "lz", "+", "-"], b":0\r\n"),
    (&["zlexcount", "lz", "x", "y"], b"-ERR min or max not valid string range item\r\n"),
    (&["zlexcount", "nokey", "-", "+"], b":0\r\n"),
    (&["zremrangebylex", "lz", "[d", "[e"], b":2\r\n"),
    (&["zremrangebylex", "lz", "x", "y"], b"-ERR min or max not valid string range item\r\n"),
    (&["zremrangebylex", "lz", "+", "-"], b":0\r\n"),
    (&["zremrangebylex", "nokey", "-", "+"], b":0\r\n"),
    (&["zrange", "lz", "0", "-1"], b"*7\r\n$0\r\n\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nf\r\n$1\r\ng\r\n"),
    (&["zremrangebylex", "lz", "-", "+"], b":7\r\n"),
    (&["exists", "lz"], b":0\r\n"),
];

const RANGESTORE: Script = &[
    (
        &[
            "zadd", "src", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        b":5\r\n",
    ),
    (&["zrangestore", "dst", "src", "0", "2"], b":3\r\n"),
    (
        &["zrange", "dst", "0", "-1", "withscores"],
        b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    ),
    (&["object", "encoding", "dst"], b"$8\r\nlistpack\r\n"),
    (
        &[
            "zrangestore",
            "dst",
            "src",
            "(1",
            "4",
            "byscore",
            "limit",
            "1",
            "2",
        ],
        b":2\r\n",
    ),
    (
        &["zrange", "dst", "0", "-1", "withscores"],
        b"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
    ),
    (
        &[
            "zrangestore",
            "dst",
            "src",
            "4",
            "(1",
            "byscore",
            "rev",
            "limit",
            "0",
            "2",
        ],
        b":2\r\n",
    ),
    (
        &["zrange", "dst", "0", "-1", "withscores"],
        b"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
    ),
    (&["zrangestore", "dst", "src", "0", "1", "rev"], b":2\r\n"),
    (
        &["zrange", "dst", "0", "-1", "withscores"],
        b"*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n",
    ),
    (&["zadd", "lsrc", "0", "a", "0", "b", "0", "c"], b":3\r\n"),
    (
        &["zrangestore", "dst", "lsrc", "[b", "+", "bylex"],
        b":2\r\n",
    ),
    (
        &["zrange", "dst", "0", "-1", "withscores"],
        b"*4\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n",
    ),
    (&["zrangestore", "dst", "src", "5", "2"], b":0\r\n"),
    (&["exists", "dst"], b":0\r\n"),
    (&["set", "dst", "string"], b"+OK\r\n"),
    (&["zrangestore", "dst", "src", "0", "0"], b":1\r\n"),
    (&["type", "dst"], b"+zset\r\n"),
    (&["set", "dst", "string"], b"+OK\r\n"),
    (&["zrangestore", "dst", "nokey", "0", "-1"], b":0\r\n"),
    (&["exists", "dst"], b":0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (
        &["zrangestore", "dst", "str", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["zrangestore", "str", "src", "0", "0"], b":1\r\n"),
    (&["type", "str"], b"+zset\r\n"),
    (&["expire", "src", "100"], b":1\r\n"),
    (&["zrangestore", "src", "src", "0", "1"], b":2\r\n"),
    (&["ttl", "src"], b":-1\r\n"),
    (
        &["zrange", "src", "0", "-1"],
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    ),
];

const REMRANGE: Script = &[
    (
        &[
            "zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g",
        ],
        b":7\r\n",
    ),
    (&["zremrangebyrank", "z", "0", "0"], b":1\r\n"),
    (&["zremrangebyrank", "z", "-1", "-1"], b":1\r\n"),
    (&["zremrangebyrank", "z", "5", "1"], b":0\r\n"),
    (&["zremrangebyrank", "z", "10", "20"], b":0\r\n"),
    (&["zremrangebyrank", "z", "-100", "-5"], b":1\r\n"),
    (
        &["zrange", "z", "0", "-1"],
        b"*4\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n",
    ),
    (&["zremrangebyscore", "z", "-inf", "(3"], b":0\r\n"),
    (&["zremrangebyscore", "z", "(4", "5"], b":1\r\n"),
    (&["zremrangebyscore", "z", "10", "20"], b":0\r\n"),
    (
        &["zrange", "z", "0", "-1", "withscores"],
        b"*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nf\r\n$1\r\n6\r\n",
    ),
    (&["zremrangebyscore", "z", "-inf", "+inf"], b":3\r\n"),
    (&["exists", "z"], b":0\r\n"),
    (&["zremrangebyrank", "nokey", "0", "-1"], b":0\r\n"),
    (&["zremrangebyscore", "nokey", "0", "1"], b":0\r\n"),
];

const POPS: Script = &[
    (
        &[
            "zadd", "p", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        b":5\r\n",
    ),
    (&["zpopmin", "p"], b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["zpopmax", "p"], b"*2\r\n$1\r\ne\r\n$1\r\n5\r\n"),
    (
        &["zpopmin", "p", "2"],
        b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    ),
    (&["zpopmin", "p", "0"], b"*0\r\n"),
    (
        &["zpopmin", "p", "-1"],
        b"-ERR value is out of range, must be positive\r\n",
    ),
    (
        &["zpopmin", "p", "x"],
        b"-ERR value is out of range, must be positive\r\n",
    ),
    (&["zpopmin", "p", "1", "2"], b"-ERR syntax error\r\n"),
    (&["zpopmax", "p", "10"], b"*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["exists", "p"], b":0\r\n"),
    (&["zpopmin", "p"], b"*0\r\n"),
    (&["zpopmin", "p", "5"], b"*0\r\n"),
    (&["zpopmax", "nokey", "0"], b"*0\r\n"),
    (&["zadd", "p", "1", "a", "2", "b", "3", "c"], b":3\r\n"),
    (
        &["zmpop", "1", "p", "min"],
        b"*2\r\n$1\r\np\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    ),
    (
        &["zmpop", "2", "nokey", "p", "max", "count", "10"],
        b"*2\r\n$1\r\np\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    ),
    (&["exists", "p"], b":0\r\n"),
    (&["zmpop", "1", "p", "min"], b"*-1\r\n"),
    (
        &["zmpop", "0", "p", "min"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["zmpop", "-1", "p", "min"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["zmpop", "x", "p", "min"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["zmpop", "1", "p"],
        b"-ERR wrong number of arguments for 'zmpop' command\r\n",
    ),
    (&["zmpop", "1", "p", "foo"], b"-ERR syntax error\r\n"),
    (
        &["zmpop", "1", "p", "min", "count", "0"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["zmpop", "1", "p", "min", "count", "-1"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["zmpop", "1", "p", "min", "count"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["zmpop", "1", "p", "min", "count", "x"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["zmpop", "1", "p", "min", "count", "1", "count", "1"],
        b"-ERR syntax error\r\n",
    ),
    (&["zmpop", "5", "p", "min"], b"-ERR syntax error\r\n"),
    (
        &["zmpop", "1", "p", "min", "foo", "1"],
        b"-ERR syntax error\r\n",
    ),
    (&["zadd", "q", "1", "a"], b":1\r\n"),
    (&["zadd", "r", "2", "b"], b":1\r\n"),
    (
        &["zmpop", "2", "q", "r", "max"],
        b"*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    ),
    (
        &["zmpop", "2", "q", "r", "max"],
        b"*2\r\n$1\r\nr\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    ),
    (&["zmpop", "2", "q", "r", "max"], b"*-1\r\n"),
];

const WRONGTYPE: Script = &[
    (&["set", "str", "x"], b"+OK\r\n"),
    (
        &["zadd", "str", "1", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zincrby", "str", "1", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrem", "str", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zcard", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zscore", "str", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zmscore", "str", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrank", "str", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrevrank", "str", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zcount", "str", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zlexcount", "str", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrange", "str", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrangebyscore", "str", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrangebylex", "str", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrevrange", "str", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrangestore", "dst", "str", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zremrangebyrank", "str", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zremrangebyscore", "str", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zremrangebylex", "str", "-", "+"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zpopmin", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zpopmax", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zmpop", "1", "str", "min"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zmpop", "2", "nokey", "str", "min"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zunion", "1", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zinter", "2", "nokey", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zdiff", "1", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zunionstore", "d", "2", "nokey", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zintercard", "1", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrandmember", "str"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zrandmember", "str", "2"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zscan", "str", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["zcount", "str", "x", "y"],
        b"-ERR min or max is not a float\r\n",
    ),
    (
        &["zrangebyscore", "str", "x", "y"],
        b"-ERR min or max is not a float\r\n",
    ),
    (
        &["zadd", "str", "x", "a"],
        b"-ERR value is not a valid float\r\n",
    ),
    (&["get", "str"], b"$1\r\nx\r\n"),
];

const SETOPS: Script = &[
    (&["zadd", "a", "1", "x", "2", "y", "3", "z"], b":3\r\n"),
    (&["zadd", "b", "10", "y", "20", "z", "30", "w"], b":3\r\n"),
    (&["zunion", "2", "a", "b"], b"*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n"),
    (&["zunion", "2", "a", "b", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n"),
    (&["zunion", "2", "a", "b", "weights", "2", "3", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n34\r\n$1\r\nz\r\n$2\r\n66\r\n$1\r\nw\r\n$2\r\n90\r\n"),
    (&["zunion", "2", "a", "b", "weights", "2", "withscores"], b"-ERR weight value is not a float\r\n"),
    (&["zunion", "2", "a", "b", "aggregate", "max", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n$1\r\nw\r\n$2\r\n30\r\n"),
    (&["zunion", "2", "a", "b", "aggregate", "min", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n"),
    (&["zunion", "2", "a", "b", "aggregate", "foo"], b"-ERR syntax error\r\n"),
    (&["zunion", "2", "a", "b", "aggregate"], b"-ERR syntax error\r\n"),
    (&["zunion", "2", "a", "b", "withscores", "weights", "1", "2", "aggregate", "max"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n20\r\n$1\r\nz\r\n$2\r\n40\r\n$1\r\nw\r\n$2\r\n60\r\n"),
    (&["zunion", "0", "a"], b"-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    (&["zunion", "-1", "a"], b"-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    (&["zunion", "x", "a"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zunion", "3", "a", "b"], b"-ERR syntax error\r\n"),
    (&["zunion", "2", "a", "b", "weights", "1", "x"], b"-ERR weight value is not a float\r\n"),
    (&["zunion", "2", "a", "b", "weights", "1", "nan"], b"-ERR weight value is not a float\r\n"),
    (&["zunion", "2", "a", "b", "limit", "1"], b"-ERR syntax error\r\n"),
    (&["zinter", "2", "a", "b", "withscores"], b"*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n"),
    (&["zinter", "2", "a", "b", "aggregate", "max", "withscores"], b"*4\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n"),
    (&["zinter", "2", "a", "b", "weights", "1", "-1", "withscores"], b"*4\r\n$1\r\nz\r\n$3\r\n-17\r\n$1\r\ny\r\n$2\r\n-8\r\n"),
    (&["zinter", "2", "a", "a", "withscores"], b"*6\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n4\r\n$1\r\nz\r\n$1\r\n6\r\n"),
    (&["zinter", "2", "a", "nokey"], b"*0\r\n"),
    (&["zinter", "1", "nokey", "withscores"], b"*0\r\n"),
    (&["zdiff", "2", "a", "b", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n1\r\n"),
    (&["zdiff", "2", "a", "a"], b"*0\r\n"),
    (&["zdiff", "1", "a", "withscores"], b"*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n"),
    (&["zdiff", "2", "a", "nokey"], b"*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n"),
    (&["zdiff", "2", "nokey", "a"], b"*0\r\n"),
    (&["zdiff", "2", "a", "b", "weights", "1", "1"], b"-ERR syntax error\r\n"),
    (&["zdiff", "2", "a", "b", "aggregate", "sum"], b"-ERR syntax error\r\n"),
    (&["zunionstore", "out", "2", "a", "b"], b":4\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n"),
    (&["zunionstore", "out", "2", "a", "b", "withscores"], b"-ERR syntax error\r\n"),
    (&["zinterstore", "out", "2", "a", "b", "weights", "1", "0.5"], b":2\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*4\r\n$1\r\ny\r\n$1\r\n7\r\n$1\r\nz\r\n$2\r\n13\r\n"),
    (&["zinterstore", "out", "2", "a", "nokey"], b":0\r\n"),
    (&["exists", "out"], b":0\r\n"),
    (&["zdiffstore", "out", "2", "a", "b"], b":1\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n1\r\n"),
    (&["zdiffstore", "out", "0", "a"], b"-ERR at least 1 input key is needed for 'zdiffstore' command\r\n"),
    (&["zinterstore", "out", "0", "a"], b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n"),
    (&["zunionstore", "out", "-2", "a"], b"-ERR at least 1 input key is needed for 'zunionstore' command\r\n"),
    (&["zintercard", "2", "a", "b"], b":2\r\n"),
    (&["zintercard", "2", "a", "b", "limit", "1"], b":1\r\n"),
    (&["zintercard", "2", "a", "b", "limit", "0"], b":2\r\n"),
    (&["zintercard", "2", "a", "b", "limit", "-1"], b"-ERR LIMIT can't be negative\r\n"),
    (&["zintercard", "2", "a", "b", "limit", "x"], b"-ERR LIMIT can't be negative\r\n"),
    (&["zintercard", "0", "a"], b"-ERR at least 1 input key is needed for 'zintercard' command\r\n"),
    (&["zintercard", "x", "a"], b"-ERR value is not an integer or out of range\r\n"),
    (&["zintercard", "2", "a", "b", "withscores"], b"-ERR syntax error\r\n"),
    (&["zintercard", "3", "a", "b", "nokey"], b":0\r\n"),
    (&["zadd", "inf", "inf", "a", "-inf", "b"], b":2\r\n"),
    (&["zunion", "2", "inf", "inf", "withscores"], b"*4\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\na\r\n$3\r\ninf\r\n"),
    (&["zunion", "2", "inf", "inf", "weights", "1", "-1", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n"),
    (&["zunion", "2", "inf", "inf", "weights", "0", "0", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n"),
    (&["zinter", "2", "inf", "inf", "weights", "1", "-1", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n"),
    (&["zunion", "2", "a", "inf", "aggregate", "min", "withscores"], b"*10\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\na\r\n$3\r\ninf\r\n"),
    (&["set", "str", "v"], b"+OK\r\n"),
    (&["zunionstore", "str", "1", "a"], b":3\r\n"),
    (&["type", "str"], b"+zset\r\n"),
    (&["zunionstore", "a", "2", "a", "b"], b":4\r\n"),
    (&["zrange", "a", "0", "-1", "withscores"], b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n"),
];

const RESP3: Script = &[
    (&["zadd", "z", "1", "a", "2.5", "b", "inf", "c"], b":3\r\n"),
    (&["zscore", "z", "a"], b",1\r\n"),
    (&["zscore", "z", "b"], b",2.5\r\n"),
    (&["zscore", "z", "c"], b",inf\r\n"),
    (&["zscore", "z", "nomember"], b"_\r\n"),
    (&["zmscore", "z", "a", "nomember"], b"*2\r\n,1\r\n_\r\n"),
    (
        &["zrange", "z", "0", "1", "withscores"],
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    ),
    (&["zrange", "z", "0", "1"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (
        &[
            "zrangebyscore",
            "z",
            "-inf",
            "+inf",
            "withscores",
            "limit",
            "0",
            "1",
        ],
        b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    ),
    (
        &["zunion", "1", "z", "withscores"],
        b"*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,inf\r\n",
    ),
    (
        &["zinter", "1", "z", "withscores"],
        b"*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,inf\r\n",
    ),
    (
        &["zdiff", "1", "z", "withscores"],
        b"*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,inf\r\n",
    ),
    (&["zpopmin", "z"], b"*2\r\n$1\r\na\r\n,1\r\n"),
    (&["zadd", "z", "1", "a"], b":1\r\n"),
    (&["zpopmin", "z", "1"], b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    (
        &["zpopmax", "z", "5"],
        b"*2\r\n*2\r\n$1\r\nc\r\n,inf\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    ),
    (&["zadd", "z", "1", "a", "2", "b"], b":2\r\n"),
    (
        &["zmpop", "1", "z", "min", "count", "1"],
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
    ),
    (&["zmpop", "1", "nokey", "min"], b"_\r\n"),
    (&["zadd", "z", "incr", "1", "a"], b",1\r\n"),
    (&["zadd", "z", "nx", "incr", "1", "a"], b"_\r\n"),
    (&["zincrby", "z", "1.5", "a"], b",2.5\r\n"),
    (&["zrandmember", "nokey"], b"_\r\n"),
    (&["zrandmember", "nokey", "1"], b"*0\r\n"),
    (&["zrank", "nokey", "a"], b"_\r\n"),
    (&["zscan", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (
        &["zrandmember", "z", "5", "withscores"],
        b"*2\r\n*2\r\n$1\r\na\r\n,2.5\r\n*2\r\n$1\r\nb\r\n,2\r\n",
    ),
];

const ENCODINGS: Script = &[
    (&["config", "set", "zset-max-listpack-entries", "3"], b"+OK\r\n"),
    (&["zadd", "enc", "1", "a", "2", "b", "3", "c"], b":3\r\n"),
    (&["object", "encoding", "enc"], b"$8\r\nlistpack\r\n"),
    (&["zadd", "enc", "4", "d"], b":1\r\n"),
    (&["object", "encoding", "enc"], b"$8\r\nskiplist\r\n"),
    (&["zrem", "enc", "d", "c", "b"], b":3\r\n"),
    (&["object", "encoding", "enc"], b"$8\r\nskiplist\r\n"),
    (&["zunionstore", "enc2", "1", "enc"], b":1\r\n"),
    (&["object", "encoding", "enc2"], b"$8\r\nlistpack\r\n"),
    (&["zadd", "enc3", "1", "a", "2", "b", "3", "c", "4", "d"], b":4\r\n"),
    (&["object", "encoding", "enc3"], b"$8\r\nskiplist\r\n"),
    (&["zrangestore", "enc4", "enc3", "0", "2"], b":3\r\n"),
    (&["object", "encoding", "enc4"], b"$8\r\nlistpack\r\n"),
    (&["zrangestore", "enc4", "enc3", "0", "3"], b":4\r\n"),
    (&["object", "encoding", "enc4"], b"$8\r\nskiplist\r\n"),
    (&["zrangestore", "enc4", "enc3", "-inf", "+inf", "byscore", "limit", "0", "3"], b":3\r\n"),
    (&["object", "encoding", "enc4"], b"$8\r\nlistpack\r\n"),
    (&["zinterstore", "enc5", "2", "enc3", "enc3"], b":4\r\n"),
    (&["object", "encoding", "enc5"], b"$8\r\nskiplist\r\n"),
    (&["zdiffstore", "enc6", "1", "enc3"], b":4\r\n"),
    (&["object", "encoding", "enc6"], b"$8\r\nskiplist\r\n"),
    (&["zpopmin", "enc3", "3"], b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["object", "encoding", "enc3"], b"$8\r\nskiplist\r\n"),
    (&["config", "set", "zset-max-listpack-entries", "128"], b"+OK\r\n"),
    (&["config", "set", "zset-max-listpack-value", "3"], b"+OK\r\n"),
    (&["zadd", "enc7", "1", "abcd"], b":1\r\n"),
    (&["object", "encoding", "enc7"], b"$8\r\nskiplist\r\n"),
    (&["zadd", "enc8", "1", "abc"], b":1\r\n"),
    (&["object", "encoding", "enc8"], b"$8\r\nlistpack\r\n"),
    (&["zadd", "enc8", "1", "abcd"], b":1\r\n"),
    (&["object", "encoding", "enc8"], b"$8\r\nskiplist\r\n"),
    (&["zincrby", "enc9", "1", "abcde"], b"$1\r\n1\r\n"),
    (&["object", "encoding", "enc9"], b"$8\r\nskiplist\r\n"),
    (&["config", "set", "zset-max-listpack-entries", "0"], b"+OK\r\n"),
    (&["zadd", "enc10", "1", "a"], b":1\r\n"),
    (&["object", "encoding", "enc10"], b"$8\r\nskiplist\r\n"),
    (&["config", "set", "zset-max-listpack-entries", "128"], b"+OK\r\n"),
    (&["config", "set", "zset-max-listpack-value", "64"], b"+OK\r\n"),
    (&["zadd", "neg", "0", "a"], b":1\r\n"),
    (&["zadd", "neg", "-0", "a"], b":0\r\n"),
    (&["zscore", "neg", "a"], b"$1\r\n0\r\n"),
    (&["zadd", "big", "1e18", "a", "1.5", "b", "-0", "c", "1e19", "d"], b":4\r\n"),
    (&["zscan", "big", "0"], b"*2\r\n$1\r\n0\r\n*8\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\na\r\n$19\r\n1000000000000000000\r\n$1\r\nd\r\n$5\r\n1e+19\r\n"),
    (&["zrange", "big", "0", "-1", "withscores"], b"*8\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\na\r\n$5\r\n1e+18\r\n$1\r\nd\r\n$5\r\n1e+19\r\n"),
    (&["config", "set", "zset-max-ziplist-entries", "0"], b"+OK\r\n"),
    (&["zunionstore", "big2", "1", "big"], b":4\r\n"),
    (&["object", "encoding", "big2"], b"$8\r\nskiplist\r\n"),
    (&["zscore", "big2", "c"], b"$1\r\n0\r\n"),
    (&["config", "get", "zset-max-listpack-entries"], b"*2\r\n$25\r\nzset-max-listpack-entries\r\n$1\r\n0\r\n"),
    (&["config", "set", "zset-max-ziplist-entries", "128"], b"+OK\r\n"),
];

const SETS_AS_INPUTS: Script = &[
    (&["zadd", "a", "1", "x", "2", "y", "3", "z"], b":3\r\n"),
    (&["zadd", "b", "10", "y", "20", "z", "30", "w"], b":3\r\n"),
    (&["sadd", "s", "x", "w", "q"], b":3\r\n"),
    (&["sadd", "nums", "1", "2", "3", "x"], b":4\r\n"),
    (&["zunion", "3", "a", "b", "s", "withscores"], b"*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n31\r\n"),
    (&["zunion", "2", "a", "s", "weights", "2", "5", "withscores"], b"*10\r\n$1\r\ny\r\n$1\r\n4\r\n$1\r\nq\r\n$1\r\n5\r\n$1\r\nw\r\n$1\r\n5\r\n$1\r\nz\r\n$1\r\n6\r\n$1\r\nx\r\n$1\r\n7\r\n"),
    (&["zunion", "2", "s", "nums", "aggregate", "max", "withscores"], b"*12\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n"),
    (&["zinter", "2", "a", "s", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n2\r\n"),
    (&["zinter", "2", "s", "a", "weights", "3", "1", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n4\r\n"),
    (&["zinter", "3", "a", "b", "s", "withscores"], b"*0\r\n"),
    (&["zinter", "2", "s", "nums", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n2\r\n"),
    (&["zdiff", "2", "a", "s", "withscores"], b"*4\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n"),
    (&["zdiff", "2", "s", "a", "withscores"], b"*4\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n"),
    (&["zdiff", "2", "nums", "s", "withscores"], b"*6\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n"),
    (&["zintercard", "2", "s", "a"], b":1\r\n"),
    (&["zintercard", "2", "s", "nums"], b":1\r\n"),
    (&["zunionstore", "out", "2", "s", "nums"], b":6\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*12\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n"),
    (&["object", "encoding", "out"], b"$8\r\nlistpack\r\n"),
    (&["zinterstore", "out", "2", "nums", "s"], b":1\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*2\r\n$1\r\nx\r\n$1\r\n2\r\n"),
    (&["zdiffstore", "out", "1", "s"], b":3\r\n"),
    (&["zrange", "out", "0", "-1", "withscores"], b"*6\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n"),
    (&["zrange", "s", "0", "-1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zscore", "s", "x"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zadd", "s", "1", "x"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["sadd", "a", "m"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
];

#[test]
fn zadd_options() {
    run_fresh(ZADD_OPTIONS);
}

#[test]
fn zincrby_zrem_zcard_and_scores() {
    run_fresh(ZINCRBY_ZREM_ZCARD_SCORES);
}

#[test]
fn ranks_and_rank_ranges() {
    run_fresh(RANKS_AND_RANGES);
}

#[test]
fn ranges_by_score() {
    run_fresh(RANGE_BY_SCORE);
}

#[test]
fn range_option_errors() {
    run_fresh(RANGE_ERRORS);
}

#[test]
fn lex_ranges() {
    run_fresh(LEX);
}

#[test]
fn zrangestore() {
    run_fresh(RANGESTORE);
}

#[test]
fn zremrange_commands() {
    run_fresh(REMRANGE);
}

#[test]
fn pops_and_zmpop() {
    run_fresh(POPS);
}

#[test]
fn wrongtype_everywhere() {
    run_fresh(WRONGTYPE);
}

#[test]
fn set_operations() {
    run_fresh(SETOPS);
}

#[test]
fn plain_sets_are_inputs_with_score_one() {
    run_fresh(SETS_AS_INPUTS);
}

#[test]
fn resp3_replies() {
    let server = TestServer::start();
    let mut conn = server.raw();
    ask(&mut conn, &["hello", "3"]);
    run_script(&mut conn, RESP3);
}

#[test]
fn encodings_and_conversions() {
    run_fresh(ENCODINGS);
}

/// Builds the RESP2 reply of an array of bulk strings.
fn bulk_array(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for i in items {
        out.extend_from_slice(format!("${}\r\n{}\r\n", i.len(), i).as_bytes());
    }
    out
}

/// Parses a flat RESP2 array of bulk strings.
fn parse_bulks(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let mut lines = text.split("\r\n");
    let head = lines.next().unwrap_or("");
    assert!(head.starts_with('*'), "not an array: {}", show(reply));
    let mut out = Vec::new();
    while let Some(l) = lines.next() {
        if l.starts_with('$') {
            out.push(lines.next().unwrap_or("").to_string());
        }
    }
    out
}

/// Runs a full ZSCAN iteration; returns every (member, score text) seen.
fn zscan_all(conn: &mut RawConn, key: &str, count: &str) -> Vec<(String, String)> {
    let mut cursor = "0".to_string();
    let mut seen = Vec::new();
    loop {
        let reply = ask(conn, &["zscan", key, &cursor, "count", count]);
        let items = parse_bulks(&reply);
        cursor = items[0].clone();
        for pair in items[1..].chunks(2) {
            seen.push((pair[0].clone(), pair[1].clone()));
        }
        if cursor == "0" {
            return seen;
        }
    }
}

#[test]
fn large_sets_use_the_skiplist_and_agree_with_a_model() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let mut model: Vec<(f64, String)> = Vec::new();
    for chunk in 0..10 {
        let mut args = vec!["zadd".to_string(), "big".to_string()];
        for i in 0..100 {
            let n = chunk * 100 + i;
            let score = ((n * 7919) % 1000) as f64 / 4.0;
            args.push(score.to_string());
            args.push(format!("member:{}", n));
            model.push((score, format!("member:{}", n)));
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        check(&mut conn, &refs, b":100\r\n");
    }
    model.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
    check(
        &mut conn,
        &["object", "encoding", "big"],
        b"$8\r\nskiplist\r\n",
    );
    check(&mut conn, &["zcard", "big"], b":1000\r\n");
    for r in [0usize, 1, 499, 998, 999] {
        let m = &model[r].1;
        check(
            &mut conn,
            &["zrank", "big", m],
            format!(":{}\r\n", r).as_bytes(),
        );
        check(
            &mut conn,
            &["zrevrank", "big", m],
            format!(":{}\r\n", 999 - r).as_bytes(),
        );
        let s = r.to_string();
        check(&mut conn, &["zrange", "big", &s, &s], &bulk_array(&[m]));
    }
    let want: Vec<&str> = model[100..110].iter().map(|p| p.1.as_str()).collect();
    check(
        &mut conn,
        &["zrange", "big", "100", "109"],
        &bulk_array(&want),
    );
    let want: Vec<&str> = model[890..900].iter().rev().map(|p| p.1.as_str()).collect();
    check(
        &mut conn,
        &["zrevrange", "big", "100", "109"],
        &bulk_array(&want),
    );
    let inside = model.iter().filter(|p| p.0 > 10.0 && p.0 <= 20.0).count();
    check(
        &mut conn,
        &["zcount", "big", "(10", "20"],
        format!(":{}\r\n", inside).as_bytes(),
    );
    // ZSCAN of a skiplist visits every member once per full iteration here (no resize).
    let seen = zscan_all(&mut conn, "big", "7");
    let members: HashSet<&str> = seen.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(members.len(), 1000);
    let scores: HashMap<&str, &str> = seen.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect();
    assert_eq!(scores["member:1"], "229.75");
    // Remove a score range and pop from both ends.
    let below = model.iter().filter(|p| p.0 < 50.0).count();
    check(
        &mut conn,
        &["zremrangebyscore", "big", "-inf", "(50"],
        format!(":{}\r\n", below).as_bytes(),
    );
    let rest = &model[below..];
    let want = [rest[0].1.as_str(), &rest[0].0.to_string()];
    check(&mut conn, &["zpopmin", "big"], &bulk_array(&want));
    let last = &rest[rest.len() - 1];
    let want = [last.1.as_str(), &last.0.to_string()];
    check(&mut conn, &["zpopmax", "big"], &bulk_array(&want));
    check(
        &mut conn,
        &["zremrangebyrank", "big", "0", "-1"],
        format!(":{}\r\n", rest.len() - 2).as_bytes(),
    );
    check(&mut conn, &["exists", "big"], b":0\r\n");
}

#[test]
fn zscan_options_on_both_encodings() {
    let server = TestServer::start();
    let mut conn = server.raw();
    check(
        &mut conn,
        &["zadd", "small", "1", "a1", "2", "b2", "3", "a3"],
        b":3\r\n",
    );
    check(
        &mut conn,
        &["zscan", "small", "0", "match", "a*"],
        b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\na1\r\n$1\r\n1\r\n$2\r\na3\r\n$1\r\n3\r\n",
    );
    check(
        &mut conn,
        &["zscan", "small", "0", "count", "0"],
        b"-ERR syntax error\r\n",
    );
    check(
        &mut conn,
        &["zscan", "small", "x"],
        b"-ERR invalid cursor\r\n",
    );
    check(
        &mut conn,
        &["zscan", "small", "0", "type", "zset"],
        b"-ERR syntax error\r\n",
    );
    check(
        &mut conn,
        &["zscan", "nokey", "0", "bogus"],
        b"*2\r\n$1\r\n0\r\n*0\r\n",
    );
    let mut args = vec!["zadd".to_string(), "large".to_string()];
    for i in 0..300 {
        args.push(i.to_string());
        args.push(format!("{}{}", if i % 2 == 0 { "even" } else { "odd" }, i));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ask(&mut conn, &refs);
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    loop {
        let items = parse_bulks(&ask(
            &mut conn,
            &["zscan", "large", &cursor, "match", "odd*", "count", "20"],
        ));
        cursor = items[0].clone();
        for pair in items[1..].chunks(2) {
            assert!(pair[0].starts_with("odd"), "{:?}", pair);
            assert_eq!(format!("odd{}", pair[1]), pair[0]);
            seen.insert(pair[0].clone());
        }
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 150);
}

#[test]
fn zrandmember_counts() {
    let server = TestServer::start();
    let mut conn = server.raw();
    for (key, n) in [("small", 10usize), ("large", 300)] {
        let mut args = vec!["zadd".to_string(), key.to_string()];
        for i in 0..n {
            args.push(i.to_string());
            args.push(format!("m{}", i));
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ask(&mut conn, &refs);
        let one = parse_bulks(&ask(&mut conn, &["zrandmember", key, "1"]));
        assert_eq!(one.len(), 1);
        let single = ask(&mut conn, &["zrandmember", key]);
        assert!(single.starts_with(b"$"), "{}", show(&single));
        for count in [3usize, n / 2, n - 1, n, n + 5] {
            let got = parse_bulks(&ask(&mut conn, &["zrandmember", key, &count.to_string()]));
            let distinct: HashSet<&String> = got.iter().collect();
            assert_eq!(got.len(), count.min(n), "count {}", count);
            assert_eq!(distinct.len(), got.len(), "distinct for count {}", count);
        }
        let got = parse_bulks(&ask(&mut conn, &["zrandmember", key, "-50", "withscores"]));
        assert_eq!(got.len(), 100);
        for pair in got.chunks(2) {
            assert_eq!(format!("m{}", pair[1]), pair[0]);
        }
    }
}

#[test]
fn keyspace_commands_keep_sorted_sets() {
    let server = TestServer::start();
    let mut conn = server.raw();
    check(
        &mut conn,
        &["zadd", "z", "1.5", "a", "-inf", "b", "2", "c"],
        b":3\r\n",
    );
    check(&mut conn, &["type", "z"], b"+zset\r\n");
    check(&mut conn, &["copy", "z", "z2"], b":1\r\n");
    check(&mut conn, &["zadd", "z2", "9", "d"], b":1\r\n");
    check(&mut conn, &["zcard", "z"], b":3\r\n");
    check(&mut conn, &["rename", "z2", "z3"], b"+OK\r\n");
    check(&mut conn, &["zcard", "z3"], b":4\r\n");
    let dump = ask(&mut conn, &["dump", "z"]);
    let payload = &dump[dump.iter().position(|&b| b == b'\n').unwrap() + 1..dump.len() - 2];
    // RESTORE with the binary payload as its last argument.
    let mut restore = b"*4\r\n$7\r\nrestore\r\n$2\r\nzr\r\n$1\r\n0\r\n".to_vec();
    restore.extend_from_slice(format!("${}\r\n", payload.len()).as_bytes());
    restore.extend_from_slice(payload);
    restore.extend_from_slice(b"\r\n");
    conn.send(&restore);
    assert_eq!(conn.read_reply(), b"+OK\r\n");
    check(
        &mut conn,
        &["zrange", "zr", "0", "-1", "withscores"],
        b"*6\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nc\r\n$1\r\n2\r\n",
    );
    check(
        &mut conn,
        &["object", "encoding", "zr"],
        b"$8\r\nlistpack\r\n",
    );
    check(&mut conn, &["expire", "zr", "100"], b":1\r\n");
    check(&mut conn, &["zadd", "zr", "3", "e"], b":1\r\n");
    check(&mut conn, &["ttl", "zr"], b":100\r\n");
    check(&mut conn, &["pexpire", "zr", "1"], b":1\r\n");
    assert!(wait_until(Duration::from_secs(5), || ask(
        &mut conn,
        &["zcard", "zr"]
    ) == b":0\r\n"));
}

/// Waits until the server reports `n` blocked clients.
fn wait_blocked(conn: &mut RawConn, n: usize) {
    let want = format!("blocked_clients:{}\r\n", n);
    assert!(
        wait_until(Duration::from_secs(10), || {
            let info = ask(conn, &["info", "clients"]);
            String::from_utf8_lossy(&info).contains(&want)
        }),
        "never saw {} blocked clients",
        n
    );
}

#[test]
fn blocking_pops_serve_at_once_and_check_arguments() {
    let server = TestServer::start();
    let mut conn = server.raw();
    check(
        &mut conn,
        &["bzpopmin", "k", "-1"],
        b"-ERR timeout is negative\r\n",
    );
    check(
        &mut conn,
        &["bzpopmin", "k", "abc"],
        b"-ERR timeout is not a float or out of range\r\n",
    );
    check(
        &mut conn,
        &["bzmpop", "0", "0", "k", "min"],
        b"-ERR numkeys should be greater than 0\r\n",
    );
    check(
        &mut conn,
        &["bzmpop", "abc", "1", "k", "min"],
        b"-ERR timeout is not a float or out of range\r\n",
    );
    check(
        &mut conn,
        &["bzmpop", "abc", "1", "k", "foo"],
        b"-ERR syntax error\r\n",
    );
    check(
        &mut conn,
        &["zadd", "k", "1", "a", "2", "b", "3", "c"],
        b":3\r\n",
    );
    check(
        &mut conn,
        &["bzpopmin", "nokey", "k", "0"],
        b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    check(
        &mut conn,
        &["bzpopmax", "k", "0"],
        b"*3\r\n$1\r\nk\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    check(
        &mut conn,
        &["bzmpop", "0", "1", "k", "max", "count", "5"],
        b"*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    check(&mut conn, &["exists", "k"], b":0\r\n");
    check(&mut conn, &["set", "str", "x"], b"+OK\r\n");
    check(
        &mut conn,
        &["bzpopmin", "str", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    check(
        &mut conn,
        &["bzmpop", "0.01", "1", "str", "min"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    // Inside MULTI/EXEC nothing blocks: an empty key answers the timeout reply at once.
    check(&mut conn, &["multi"], b"+OK\r\n");
    check(&mut conn, &["bzpopmin", "k", "0"], b"+QUEUED\r\n");
    check(&mut conn, &["bzmpop", "0", "1", "k", "min"], b"+QUEUED\r\n");
    check(&mut conn, &["exec"], b"*2\r\n*-1\r\n*-1\r\n");
}

#[test]
fn blocking_pops_time_out() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let started = std::time::Instant::now();
    check(&mut conn, &["bzpopmin", "k1", "k2", "0.2"], b"*-1\r\n");
    check(
        &mut conn,
        &["bzmpop", "0.1", "2", "k1", "k2", "max"],
        b"*-1\r\n",
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    ask(&mut conn, &["hello", "3"]);
    check(&mut conn, &["bzpopmax", "k1", "0.05"], b"_\r\n");
    check(&mut conn, &["zadd", "k1", "1", "a"], b":1\r\n");
    check(
        &mut conn,
        &["bzpopmax", "k1", "0"],
        b"*3\r\n$2\r\nk1\r\n$1\r\na\r\n,1\r\n",
    );
}

#[test]
fn blocked_clients_are_served_first_come_first_served() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut c1 = server.raw();
    let mut c2 = server.raw();
    let mut c3 = server.raw();
    c1.send_cmd(&["bzpopmin", "k", "0"]);
    wait_blocked(&mut admin, 1);
    c2.send_cmd(&["bzpopmax", "other", "k", "0"]);
    wait_blocked(&mut admin, 2);
    c3.send_cmd(&["bzmpop", "0", "1", "k", "min", "count", "10"]);
    wait_blocked(&mut admin, 3);
    check(
        &mut admin,
        &["zadd", "k", "1", "a", "2", "b", "3", "c", "4", "d"],
        b":4\r\n",
    );
    assert_eq!(c1.read_reply(), b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(c2.read_reply(), b"*3\r\n$1\r\nk\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(
        c3.read_reply(),
        b"*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    wait_blocked(&mut admin, 0);
    check(&mut admin, &["exists", "k"], b":0\r\n");
}

#[test]
fn blocked_clients_wait_through_other_types_and_wake_on_store_and_multi() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut c1 = server.raw();
    c1.send_cmd(&["bzpopmin", "k", "0"]);
    wait_blocked(&mut admin, 1);
    // A key of another type does not serve (nor fail) the waiting client.
    check(&mut admin, &["rpush", "k", "x"], b":1\r\n");
    check(&mut admin, &["set", "k", "string"], b"+OK\r\n");
    wait_blocked(&mut admin, 1);
    check(&mut admin, &["del", "k"], b":1\r\n");
    // A sorted set created by a MULTI/EXEC serves it after the transaction.
    check(&mut admin, &["multi"], b"+OK\r\n");
    check(&mut admin, &["zadd", "k", "5", "m"], b"+QUEUED\r\n");
    check(&mut admin, &["zadd", "k", "4", "n"], b"+QUEUED\r\n");
    check(&mut admin, &["exec"], b"*2\r\n:1\r\n:1\r\n");
    assert_eq!(c1.read_reply(), b"*3\r\n$1\r\nk\r\n$1\r\nn\r\n$1\r\n4\r\n");
    // A *STORE command fills a key a client waits for.
    c1.send_cmd(&["bzmpop", "0", "1", "dst", "max"]);
    wait_blocked(&mut admin, 1);
    check(&mut admin, &["zunionstore", "dst", "1", "k"], b":1\r\n");
    assert_eq!(
        c1.read_reply(),
        b"*2\r\n$3\r\ndst\r\n*1\r\n*2\r\n$1\r\nm\r\n$1\r\n5\r\n"
    );
    c1.send_cmd(&["bzpopmax", "dst2", "0"]);
    wait_blocked(&mut admin, 1);
    check(&mut admin, &["zadd", "src", "7", "s"], b":1\r\n");
    check(
        &mut admin,
        &["zrangestore", "dst2", "src", "0", "-1"],
        b":1\r\n",
    );
    assert_eq!(
        c1.read_reply(),
        b"*3\r\n$4\r\ndst2\r\n$1\r\ns\r\n$1\r\n7\r\n"
    );
}

#[test]
fn pops_propagate_to_the_aof_as_zpopmin_and_zpopmax() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut admin = server.raw();
    let mut c1 = server.raw();
    c1.send_cmd(&["bzpopmax", "k", "0"]);
    wait_blocked(&mut admin, 1);
    check(
        &mut admin,
        &["zadd", "k", "1", "a", "2", "b", "3", "c", "4", "d"],
        b":4\r\n",
    );
    assert_eq!(c1.read_reply(), b"*3\r\n$1\r\nk\r\n$1\r\nd\r\n$1\r\n4\r\n");
    check(
        &mut admin,
        &["zmpop", "1", "k", "min", "count", "2"],
        b"*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    check(
        &mut admin,
        &["bzmpop", "0", "1", "k", "max", "count", "9"],
        b"*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    check(&mut admin, &["zadd", "k", "1", "a"], b":1\r\n");
    check(
        &mut admin,
        &["bzpopmin", "k", "0"],
        b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    let dir = server.dir.path().join("appendonlydir");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).expect("the AOF directory") {
        let path = entry.expect("a directory entry").path();
        if path.to_string_lossy().ends_with(".incr.aof") {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("the AOF"),
            ));
        }
    }
    let commands: Vec<String> = text
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('*') && !l.starts_with('$'))
        .map(str::to_string)
        .collect();
    let want = [
        "SELECT", "0", "zadd", "k", "1", "a", "2", "b", "3", "c", "4", "d", "ZPOPMAX", "k",
        "ZPOPMIN", "k", "2", "ZPOPMAX", "k", "1", "zadd", "k", "1", "a", "ZPOPMIN", "k",
    ];
    assert_eq!(commands, want, "{}", text);
}
