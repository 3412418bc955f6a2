//! Integration tests of the list family (LPUSH ... LMPOP, LPOS, LMOVE) and of blocking
//! pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) against the real binary.
//!
//! The byte-for-byte scripts below were captured from redis-server 7.0.15 running the
//! same commands on an empty database (`replies_match_real_redis` re-checks them against
//! a real redis-server when one is installed). The blocking tests drive several
//! connections and wait for `blocked_clients` with a bounded poll, never a fixed sleep.

mod common;

use std::time::{Duration, Instant};

use common::{
    encode_command, run_fresh, run_script, show, wait_until, RawConn, Script, TestServer,
};

const PUSH_POP: Script = &[
    (&["rpush", "l", "a", "b", "1", "2", "300", "-5", "70000", "-9223372036854775808", "01"], b":9\r\n"),
    (&["lrange", "l", "0", "-1"], b"*9\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\n2\r\n$3\r\n300\r\n$2\r\n-5\r\n$5\r\n70000\r\n$20\r\n-9223372036854775808\r\n$2\r\n01\r\n"),
    (&["llen", "l"], b":9\r\n"),
    (&["llen", "nokey"], b":0\r\n"),
    (&["lpush", "l", "z", "y"], b":11\r\n"),
    (&["lpushx", "nokey", "a"], b":0\r\n"),
    (&["rpushx", "nokey", "a"], b":0\r\n"),
    (&["exists", "nokey"], b":0\r\n"),
    (&["lpushx", "l", "q"], b":12\r\n"),
    (&["rpushx", "l", "r", "s"], b":14\r\n"),
    (&["lrange", "l", "0", "-1"], b"*14\r\n$1\r\nq\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\n2\r\n$3\r\n300\r\n$2\r\n-5\r\n$5\r\n70000\r\n$20\r\n-9223372036854775808\r\n$2\r\n01\r\n$1\r\nr\r\n$1\r\ns\r\n"),
    (&["lpop", "l"], b"$1\r\nq\r\n"),
    (&["rpop", "l"], b"$1\r\ns\r\n"),
    (&["lpop", "l", "2"], b"*2\r\n$1\r\ny\r\n$1\r\nz\r\n"),
    (&["rpop", "l", "3"], b"*3\r\n$1\r\nr\r\n$2\r\n01\r\n$20\r\n-9223372036854775808\r\n"),
    (&["lpop", "l", "0"], b"*0\r\n"),
    (&["lpop", "l", "-1"], b"-ERR value is out of range, must be positive\r\n"),
    (&["lpop", "l", "x"], b"-ERR value is out of range, must be positive\r\n"),
    (&["lpop", "nokey"], b"$-1\r\n"),
    (&["lpop", "nokey", "2"], b"*-1\r\n"),
    (&["lpop", "nokey", "0"], b"*-1\r\n"),
    (&["lpop", "l", "1", "2"], b"-ERR wrong number of arguments for 'lpop' command\r\n"),
    (&["rpop", "nokey"], b"$-1\r\n"),
    (&["rpop", "l", "100"], b"*7\r\n$5\r\n70000\r\n$2\r\n-5\r\n$3\r\n300\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\na\r\n"),
    (&["exists", "l"], b":0\r\n"),
    (&["rpush", "big", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], b":10\r\n"),
    (&["rpop", "big", "0"], b"*0\r\n"),
    (&["lpop", "big", "100"], b"*10\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n"),
    (&["exists", "big"], b":0\r\n"),
    (&["lpush"], b"-ERR wrong number of arguments for 'lpush' command\r\n"),
    (&["rpush", "k"], b"-ERR wrong number of arguments for 'rpush' command\r\n"),
    (&["object", "encoding", "l"], b"$-1\r\n"),
];

const RANGE_INDEX: Script = &[
    (
        &["rpush", "l", "a", "b", "c", "d", "e", "f", "g"],
        b":7\r\n",
    ),
    (
        &["lrange", "l", "0", "-1"],
        b"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
    ),
    (
        &["lrange", "l", "-3", "-1"],
        b"*3\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
    ),
    (&["lrange", "l", "5", "2"], b"*0\r\n"),
    (
        &["lrange", "l", "-100", "100"],
        b"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
    ),
    (&["lrange", "l", "6", "6"], b"*1\r\n$1\r\ng\r\n"),
    (&["lrange", "l", "7", "10"], b"*0\r\n"),
    (&["lrange", "l", "-1", "-2"], b"*0\r\n"),
    (&["lrange", "l", "0", "-8"], b"*0\r\n"),
    (
        &["lrange", "l", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["lrange", "l", "1", "y"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["lrange", "l", "0", "99999999999999999999"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["lrange", "nokey", "0", "-1"], b"*0\r\n"),
    (
        &["lrange", "nokey", "x", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["lindex", "l", "0"], b"$1\r\na\r\n"),
    (&["lindex", "l", "-1"], b"$1\r\ng\r\n"),
    (&["lindex", "l", "-7"], b"$1\r\na\r\n"),
    (&["lindex", "l", "-8"], b"$-1\r\n"),
    (&["lindex", "l", "7"], b"$-1\r\n"),
    (&["lindex", "l", "100"], b"$-1\r\n"),
    (
        &["lindex", "l", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["lindex", "nokey", "x"], b"$-1\r\n"),
    (&["lindex", "nokey", "0"], b"$-1\r\n"),
];

const EDITS: Script = &[
    (&["rpush", "l", "a", "b", "1", "2", "c"], b":5\r\n"),
    (&["lset", "l", "0", "new"], b"+OK\r\n"),
    (&["lset", "l", "-1", "last"], b"+OK\r\n"),
    (&["lset", "l", "2", "1000000"], b"+OK\r\n"),
    (&["lset", "l", "100", "x"], b"-ERR index out of range\r\n"),
    (&["lset", "l", "-6", "x"], b"-ERR index out of range\r\n"),
    (&["lset", "l", "x", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["lset", "nokey", "0", "x"], b"-ERR no such key\r\n"),
    (&["lset", "nokey", "x", "x"], b"-ERR no such key\r\n"),
    (&["lrange", "l", "0", "-1"], b"*5\r\n$3\r\nnew\r\n$1\r\nb\r\n$7\r\n1000000\r\n$1\r\n2\r\n$4\r\nlast\r\n"),
    (&["linsert", "l", "before", "1000000", "ins"], b":6\r\n"),
    (&["linsert", "l", "after", "2", "ins2"], b":7\r\n"),
    (&["linsert", "l", "AFTER", "last", "end"], b":8\r\n"),
    (&["linsert", "l", "Before", "new", "start"], b":9\r\n"),
    (&["linsert", "l", "after", "nothere", "x"], b":-1\r\n"),
    (&["linsert", "l", "middle", "1", "x"], b"-ERR syntax error\r\n"),
    (&["linsert", "nokey", "before", "1", "x"], b":0\r\n"),
    (&["linsert", "nokey", "middle", "1", "x"], b"-ERR syntax error\r\n"),
    (&["lrange", "l", "0", "-1"], b"*9\r\n$5\r\nstart\r\n$3\r\nnew\r\n$1\r\nb\r\n$3\r\nins\r\n$7\r\n1000000\r\n$1\r\n2\r\n$4\r\nins2\r\n$4\r\nlast\r\n$3\r\nend\r\n"),
    (&["rpush", "r", "a", "b", "a", "c", "a", "d", "a", "1", "1"], b":9\r\n"),
    (&["lrem", "r", "2", "a"], b":2\r\n"),
    (&["lrange", "r", "0", "-1"], b"*7\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\n1\r\n"),
    (&["lrem", "r", "-1", "a"], b":1\r\n"),
    (&["lrange", "r", "0", "-1"], b"*6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\n1\r\n"),
    (&["lrem", "r", "0", "1"], b":2\r\n"),
    (&["lrem", "r", "0", "a"], b":1\r\n"),
    (&["lrange", "r", "0", "-1"], b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"),
    (&["lrem", "r", "x", "a"], b"-ERR value is not an integer or out of range\r\n"),
    (&["lrem", "nokey", "1", "a"], b":0\r\n"),
    (&["lrem", "r", "0", "b"], b":1\r\n"),
    (&["lrem", "r", "0", "c"], b":1\r\n"),
    (&["lrem", "r", "0", "d"], b":1\r\n"),
    (&["exists", "r"], b":0\r\n"),
    (&["rpush", "t", "a", "b", "c", "d", "e", "f"], b":6\r\n"),
    (&["ltrim", "t", "1", "-2"], b"+OK\r\n"),
    (&["lrange", "t", "0", "-1"], b"*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"),
    (&["ltrim", "t", "-100", "100"], b"+OK\r\n"),
    (&["lrange", "t", "0", "-1"], b"*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"),
    (&["ltrim", "t", "2", "1"], b"+OK\r\n"),
    (&["exists", "t"], b":0\r\n"),
    (&["ltrim", "nokey", "0", "1"], b"+OK\r\n"),
    (&["ltrim", "t", "x", "1"], b"-ERR value is not an integer or out of range\r\n"),
    (&["ltrim", "t", "0", "y"], b"-ERR value is not an integer or out of range\r\n"),
];

const LPOS: Script = &[
    (&["rpush", "p", "a", "b", "c", "1", "2", "3", "c", "c"], b":8\r\n"),
    (&["lpos", "p", "c"], b":2\r\n"),
    (&["lpos", "p", "c", "rank", "2"], b":6\r\n"),
    (&["lpos", "p", "c", "rank", "-1"], b":7\r\n"),
    (&["lpos", "p", "c", "rank", "-3"], b":2\r\n"),
    (&["lpos", "p", "c", "rank", "4"], b"$-1\r\n"),
    (&["lpos", "p", "c", "count", "0"], b"*3\r\n:2\r\n:6\r\n:7\r\n"),
    (&["lpos", "p", "c", "count", "2", "rank", "-1"], b"*2\r\n:7\r\n:6\r\n"),
    (&["lpos", "p", "c", "count", "2", "rank", "2"], b"*2\r\n:6\r\n:7\r\n"),
    (&["lpos", "p", "c", "maxlen", "3"], b":2\r\n"),
    (&["lpos", "p", "c", "maxlen", "2"], b"$-1\r\n"),
    (&["lpos", "p", "c", "maxlen", "3", "count", "0"], b"*1\r\n:2\r\n"),
    (&["lpos", "p", "c", "rank", "-1", "maxlen", "2", "count", "0"], b"*2\r\n:7\r\n:6\r\n"),
    (&["lpos", "p", "c", "RANK", "0"], b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
    (&["lpos", "p", "c", "count", "-1"], b"-ERR COUNT can't be negative\r\n"),
    (&["lpos", "p", "c", "maxlen", "-1"], b"-ERR MAXLEN can't be negative\r\n"),
    (&["lpos", "p", "c", "count", "x"], b"-ERR COUNT can't be negative\r\n"),
    (&["lpos", "p", "c", "maxlen", "x"], b"-ERR MAXLEN can't be negative\r\n"),
    (&["lpos", "p", "c", "rank", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["lpos", "p", "c", "foo"], b"-ERR syntax error\r\n"),
    (&["lpos", "p", "c", "rank"], b"-ERR syntax error\r\n"),
    (&["lpos", "p", "c", "count"], b"-ERR syntax error\r\n"),
    (&["lpos", "nokey", "c"], b"$-1\r\n"),
    (&["lpos", "nokey", "c", "count", "1"], b"*0\r\n"),
    (&["lpos", "nokey", "c", "rank", "0"], b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
    (&["lpos", "p", "1"], b":3\r\n"),
    (&["lpos", "p", "3", "count", "0"], b"*1\r\n:5\r\n"),
    (&["lpos", "p", "zz", "count", "5"], b"*0\r\n"),
    (&["lpos", "p", "zz"], b"$-1\r\n"),
];

const MOVES: Script = &[
    (&["rpush", "p", "a", "b", "c", "d"], b":4\r\n"),
    (&["lmove", "p", "d", "left", "right"], b"$1\r\na\r\n"),
    (&["lmove", "p", "d", "right", "left"], b"$1\r\nd\r\n"),
    (&["lmove", "p", "d", "LEFT", "LEFT"], b"$1\r\nb\r\n"),
    (&["lmove", "p", "d", "up", "left"], b"-ERR syntax error\r\n"),
    (
        &["lmove", "p", "d", "left", "down"],
        b"-ERR syntax error\r\n",
    ),
    (&["lmove", "nokey", "d", "left", "left"], b"$-1\r\n"),
    (
        &["lmove", "nokey", "d", "foo", "left"],
        b"-ERR syntax error\r\n",
    ),
    (&["exists", "nokey"], b":0\r\n"),
    (
        &["lrange", "d", "0", "-1"],
        b"*3\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\na\r\n",
    ),
    (&["rpoplpush", "p", "d"], b"$1\r\nc\r\n"),
    (&["rpoplpush", "p", "p"], b"$-1\r\n"),
    (&["lrange", "p", "0", "-1"], b"*0\r\n"),
    (&["rpoplpush", "p", "d"], b"$-1\r\n"),
    (&["exists", "p"], b":0\r\n"),
    (&["rpoplpush", "nokey", "d"], b"$-1\r\n"),
    (
        &["lrange", "d", "0", "-1"],
        b"*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\na\r\n",
    ),
    (&["lmove", "d", "d", "left", "right"], b"$1\r\nc\r\n"),
    (&["lmove", "d", "d", "right", "left"], b"$1\r\nc\r\n"),
    (
        &["lrange", "d", "0", "-1"],
        b"*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\na\r\n",
    ),
    (&["rpush", "one", "x"], b":1\r\n"),
    (&["lmove", "one", "one", "left", "right"], b"$1\r\nx\r\n"),
    (&["lrange", "one", "0", "-1"], b"*1\r\n$1\r\nx\r\n"),
    (&["rpush", "m", "a", "b", "c", "d", "e"], b":5\r\n"),
    (
        &["lmpop", "2", "nokey", "m", "left"],
        b"*2\r\n$1\r\nm\r\n*1\r\n$1\r\na\r\n",
    ),
    (
        &["lmpop", "2", "nokey", "m", "right", "count", "2"],
        b"*2\r\n$1\r\nm\r\n*2\r\n$1\r\ne\r\n$1\r\nd\r\n",
    ),
    (
        &["lmpop", "2", "nokey", "m", "left", "count", "10"],
        b"*2\r\n$1\r\nm\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    ),
    (&["exists", "m"], b":0\r\n"),
    (&["lmpop", "1", "nokey", "left"], b"*-1\r\n"),
    (&["lmpop", "1", "nokey", "left", "count", "3"], b"*-1\r\n"),
    (
        &["lmpop", "0", "m", "left"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["lmpop", "-1", "m", "left"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["lmpop", "x", "m", "left"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (&["lmpop", "3", "m", "left"], b"-ERR syntax error\r\n"),
    (&["lmpop", "1", "m", "middle"], b"-ERR syntax error\r\n"),
    (
        &["lmpop", "1", "m", "left", "count", "0"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["lmpop", "1", "m", "left", "count", "-1"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["lmpop", "1", "m", "left", "count", "x"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["lmpop", "1", "m", "left", "count", "1", "count", "1"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["lmpop", "1", "m", "left", "foo"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["lmpop", "1", "m", "left", "count"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["lmpop", "99999999999", "m", "left"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["lmpop", "1"],
        b"-ERR wrong number of arguments for 'lmpop' command\r\n",
    ),
];

const WRONGTYPE: Script = &[
    (&["set", "s", "x"], b"+OK\r\n"),
    (
        &["lpush", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["rpush", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lpushx", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["rpushx", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lpop", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["rpop", "s", "2"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["llen", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lrange", "s", "0", "-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lindex", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lset", "s", "0", "x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["linsert", "s", "before", "a", "b"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lrem", "s", "0", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["ltrim", "s", "0", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lpos", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["rpush", "l", "a"], b":1\r\n"),
    (
        &["lmove", "s", "l", "left", "left"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lmove", "l", "s", "left", "left"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["lrange", "l", "0", "-1"], b"*1\r\n$1\r\na\r\n"),
    (
        &["rpoplpush", "s", "l"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["rpoplpush", "l", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lmpop", "2", "nokey", "s", "left"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["lmpop", "2", "l", "s", "left"],
        b"*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n",
    ),
    (&["rpush", "l", "a"], b":1\r\n"),
    (
        &["blpop", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["brpop", "nokey", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["blmove", "s", "l", "left", "left", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["blmove", "l", "s", "left", "left", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["brpoplpush", "s", "l", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["blmpop", "0", "2", "nokey", "s", "left"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["get", "s"], b"$1\r\nx\r\n"),
];

const BLOCKING_ARGS: Script = &[
    (&["rpush", "l", "a", "b", "c"], b":3\r\n"),
    (&["blpop", "l", "0"], b"*2\r\n$1\r\nl\r\n$1\r\na\r\n"),
    (&["brpop", "l", "0"], b"*2\r\n$1\r\nl\r\n$1\r\nc\r\n"),
    (
        &["blpop", "nokey", "l", "0"],
        b"*2\r\n$1\r\nl\r\n$1\r\nb\r\n",
    ),
    (&["blpop", "nokey", "0.01"], b"*-1\r\n"),
    (&["blpop", "nokey", "0.001"], b"*-1\r\n"),
    (&["blpop", "nokey", "-1"], b"-ERR timeout is negative\r\n"),
    (
        &["blpop", "nokey", "abc"],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (&["blpop", "nokey", "inf"], b"-ERR timeout is negative\r\n"),
    (
        &["blpop", "nokey", "1e400"],
        b"-ERR timeout is negative\r\n",
    ),
    (
        &["blpop", "nokey", ""],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (
        &["blpop", "nokey", "1 "],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (&["blpop", "nokey", "0x0.01p0"], b"*-1\r\n"),
    (&["brpop", "nokey", "-inf"], b"-ERR timeout is negative\r\n"),
    (
        &["blmove", "nokey", "d", "left", "left", "0.01"],
        b"*-1\r\n",
    ),
    (&["rpush", "l", "x"], b":1\r\n"),
    (&["blmove", "l", "l", "left", "left", "0"], b"$1\r\nx\r\n"),
    (
        &["blmove", "l", "d", "up", "left", "0"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["blmove", "l", "d", "left", "down", "0"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["blmove", "nokey", "d", "left", "left", "abc"],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (
        &["blmove", "nokey", "d", "left", "left", "-1"],
        b"-ERR timeout is negative\r\n",
    ),
    (&["brpoplpush", "nokey", "d", "0.01"], b"*-1\r\n"),
    (
        &["brpoplpush", "nokey", "d", "x"],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (&["rpush", "d", "z"], b":1\r\n"),
    (&["brpoplpush", "d", "d", "0"], b"$1\r\nz\r\n"),
    (&["blmpop", "0.01", "1", "nokey", "left"], b"*-1\r\n"),
    (
        &["blmpop", "0", "2", "nokey", "d", "left", "count", "5"],
        b"*2\r\n$1\r\nd\r\n*1\r\n$1\r\nz\r\n",
    ),
    (
        &["blmpop", "-1", "1", "nokey", "left"],
        b"-ERR timeout is negative\r\n",
    ),
    (
        &["blmpop", "x", "1", "nokey", "left"],
        b"-ERR timeout is not a float or out of range\r\n",
    ),
    (
        &["blmpop", "0", "0", "nokey", "left"],
        b"-ERR numkeys should be greater than 0\r\n",
    ),
    (
        &["blmpop", "0", "1", "nokey", "middle"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["blmpop", "0", "1", "nokey", "left", "count", "0"],
        b"-ERR count should be greater than 0\r\n",
    ),
    (
        &["blmpop", "0", "5", "nokey", "left"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["blpop", "k"],
        b"-ERR wrong number of arguments for 'blpop' command\r\n",
    ),
    (
        &["blmpop", "0", "1", "k"],
        b"-ERR wrong number of arguments for 'blmpop' command\r\n",
    ),
];

const ALL_SCRIPTS: &[(&str, Script)] = &[
    ("push_pop", PUSH_POP),
    ("range_index", RANGE_INDEX),
    ("edits", EDITS),
    ("lpos", LPOS),
    ("moves", MOVES),
    ("wrongtype", WRONGTYPE),
    ("blocking_args", BLOCKING_ARGS),
];

#[test]
fn push_and_pop() {
    run_fresh(PUSH_POP);
}

#[test]
fn range_and_index() {
    run_fresh(RANGE_INDEX);
}

#[test]
fn lset_linsert_lrem_ltrim() {
    run_fresh(EDITS);
}

#[test]
fn lpos_options() {
    run_fresh(LPOS);
}

#[test]
fn lmove_rpoplpush_lmpop() {
    run_fresh(MOVES);
}

#[test]
fn wrong_type_everywhere() {
    run_fresh(WRONGTYPE);
}

#[test]
fn blocking_commands_arguments_and_immediate_replies() {
    run_fresh(BLOCKING_ARGS);
}

/// The scripts' expected bytes are Redis's own: replay them on a real redis-server.
#[test]
fn replies_match_real_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = common::start_redis_server(&[]) else {
        return;
    };
    for (name, script) in ALL_SCRIPTS {
        let mut conn = redis.raw();
        conn.send_cmd(&["flushall"]);
        conn.read_reply();
        eprintln!("script {name}");
        run_script(&mut conn, script);
    }
}

/// Sends one command and returns its reply.
fn ask(conn: &mut RawConn, args: &[&str]) -> Vec<u8> {
    conn.send_cmd(args);
    conn.read_reply()
}

/// The `blocked_clients` field of INFO clients.
fn blocked_clients(ctl: &mut RawConn) -> usize {
    let info = ask(ctl, &["info", "clients"]);
    let text = String::from_utf8_lossy(&info);
    text.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no blocked_clients in {text}"))
}

/// Waits until exactly `n` clients are blocked.
fn wait_blocked(ctl: &mut RawConn, n: usize) {
    assert!(
        wait_until(Duration::from_secs(10), || blocked_clients(ctl) == n),
        "blocked_clients never became {n}"
    );
}

/// A RESP `[key, value]` pair reply.
fn pair(key: &str, value: &str) -> Vec<u8> {
    format!(
        "*2\r\n${}\r\n{}\r\n${}\r\n{}\r\n",
        key.len(),
        key,
        value.len(),
        value
    )
    .into_bytes()
}

fn expect(conn: &mut RawConn, want: &[u8]) {
    let got = conn.read_reply();
    assert!(got == want, "expected {}, got {}", show(want), show(&got));
}

#[test]
fn blpop_serves_from_the_key_that_receives_data() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blpop", "k1", "k2", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "k2", "a"]), b":1\r\n");
    expect(&mut c1, &pair("k2", "a"));
    wait_blocked(&mut ctl, 0);
    assert_eq!(ask(&mut ctl, &["exists", "k2"]), b":0\r\n");
}

#[test]
fn blocked_clients_are_served_first_come_first_served() {
    let server = TestServer::start();
    let (mut ctl, mut c1, mut c2) = (server.raw(), server.raw(), server.raw());
    c1.send_cmd(&["blpop", "k", "0"]);
    wait_blocked(&mut ctl, 1);
    c2.send_cmd(&["blpop", "k", "0"]);
    wait_blocked(&mut ctl, 2);
    assert_eq!(ask(&mut ctl, &["rpush", "k", "a", "b"]), b":2\r\n");
    expect(&mut c1, &pair("k", "a"));
    expect(&mut c2, &pair("k", "b"));
    // One element for two waiters: the first gets it, the second keeps waiting.
    c1.send_cmd(&["brpop", "k", "0"]);
    wait_blocked(&mut ctl, 1);
    c2.send_cmd(&["brpop", "k", "0"]);
    wait_blocked(&mut ctl, 2);
    assert_eq!(ask(&mut ctl, &["rpush", "k", "x"]), b":1\r\n");
    expect(&mut c1, &pair("k", "x"));
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "k", "y"]), b":1\r\n");
    expect(&mut c2, &pair("k", "y"));
}

#[test]
fn key_filled_inside_multi_is_served_after_exec() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blpop", "m", "0"]);
    wait_blocked(&mut ctl, 1);
    // Filled and emptied inside one transaction: nothing to serve afterwards.
    assert_eq!(ask(&mut ctl, &["multi"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "m", "a"]), b"+QUEUED\r\n");
    assert_eq!(ask(&mut ctl, &["lpop", "m"]), b"+QUEUED\r\n");
    assert_eq!(ask(&mut ctl, &["exec"]), b"*2\r\n:1\r\n$1\r\na\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    // The client sees the state after the whole transaction.
    assert_eq!(ask(&mut ctl, &["multi"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "m", "a", "b"]), b"+QUEUED\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "m", "c"]), b"+QUEUED\r\n");
    assert_eq!(ask(&mut ctl, &["exec"]), b"*2\r\n:2\r\n:3\r\n");
    expect(&mut c1, &pair("m", "a"));
    assert_eq!(
        ask(&mut ctl, &["lrange", "m", "0", "-1"]),
        b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
}

#[test]
fn key_filled_by_a_pipeline_and_by_lmove() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blpop", "dst", "0"]);
    wait_blocked(&mut ctl, 1);
    let mut batch = encode_command(&["rpush", "src", "x"]);
    batch.extend(encode_command(&["lmove", "src", "dst", "LEFT", "LEFT"]));
    batch.extend(encode_command(&["llen", "dst"]));
    ctl.send(&batch);
    expect(&mut ctl, b":1\r\n");
    expect(&mut ctl, b"$1\r\nx\r\n");
    // Served right after LMOVE, before the next command of the batch.
    expect(&mut ctl, b":0\r\n");
    expect(&mut c1, &pair("dst", "x"));
}

#[test]
fn blmove_chains_into_another_blocked_client() {
    let server = TestServer::start();
    let (mut ctl, mut c1, mut c2) = (server.raw(), server.raw(), server.raw());
    c1.send_cmd(&["blmove", "a", "b", "LEFT", "RIGHT", "0"]);
    wait_blocked(&mut ctl, 1);
    c2.send_cmd(&["blpop", "b", "0"]);
    wait_blocked(&mut ctl, 2);
    assert_eq!(ask(&mut ctl, &["rpush", "a", "v"]), b":1\r\n");
    expect(&mut c1, b"$1\r\nv\r\n");
    expect(&mut c2, &pair("b", "v"));
    assert_eq!(ask(&mut ctl, &["exists", "a", "b"]), b":0\r\n");
}

#[test]
fn key_of_another_type_does_not_wake_and_wrong_destination_errors() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blpop", "t", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["set", "t", "str"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["del", "t"]), b":1\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    assert_eq!(ask(&mut ctl, &["rpush", "t", "a"]), b":1\r\n");
    expect(&mut c1, &pair("t", "a"));
    // BLMOVE whose destination became a string: WRONGTYPE, the element stays.
    c1.send_cmd(&["blmove", "s8", "d8", "LEFT", "LEFT", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["set", "d8", "x"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "s8", "a"]), b":1\r\n");
    expect(
        &mut c1,
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    assert_eq!(ask(&mut ctl, &["llen", "s8"]), b":1\r\n");
    wait_blocked(&mut ctl, 0);
}

#[test]
fn timeouts_are_floats_and_reply_null_arrays() {
    let server = TestServer::start();
    let mut c1 = server.raw();
    let t0 = Instant::now();
    assert_eq!(ask(&mut c1, &["blpop", "nokey", "0.2"]), b"*-1\r\n");
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
    assert_eq!(ask(&mut c1, &["brpop", "nokey", "0.05"]), b"*-1\r\n");
    assert_eq!(
        ask(&mut c1, &["blmove", "nokey", "x", "LEFT", "LEFT", "0.05"]),
        b"*-1\r\n"
    );
    assert_eq!(
        ask(&mut c1, &["brpoplpush", "nokey", "x", "0.05"]),
        b"*-1\r\n"
    );
    assert_eq!(
        ask(&mut c1, &["blmpop", "0.05", "1", "nokey", "LEFT"]),
        b"*-1\r\n"
    );
    // RESP3 timeouts are the null type.
    ask(&mut c1, &["hello", "3"]);
    assert_eq!(ask(&mut c1, &["blpop", "nokey", "0.05"]), b"_\r\n");
}

#[test]
fn client_unblock_list_flags_and_info() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    let id = String::from_utf8(ask(&mut c1, &["client", "id"])).unwrap();
    let id = id.trim_start_matches(':').trim_end().to_string();
    c1.send_cmd(&["blpop", "u", "0"]);
    wait_blocked(&mut ctl, 1);
    let list = String::from_utf8(ask(&mut ctl, &["client", "list"])).unwrap();
    let line = list
        .lines()
        .find(|l| l.contains(&format!("id={id} ")))
        .expect("the blocked client is listed");
    assert!(line.contains(" flags=b "), "{line}");
    assert!(line.contains(" cmd=blpop "), "{line}");
    assert_eq!(ask(&mut ctl, &["client", "unblock", &id]), b":1\r\n");
    expect(&mut c1, b"*-1\r\n");
    c1.send_cmd(&["blmove", "u", "v", "LEFT", "LEFT", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(
        ask(&mut ctl, &["client", "unblock", &id, "TIMEOUT"]),
        b":1\r\n"
    );
    expect(&mut c1, b"*-1\r\n");
    c1.send_cmd(&["blpop", "u", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(
        ask(&mut ctl, &["client", "unblock", &id, "error"]),
        b":1\r\n"
    );
    expect(
        &mut c1,
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
    );
    // The BLPOP that ended in the error counts as a failed call.
    let stats = String::from_utf8(ask(&mut ctl, &["info", "commandstats"])).unwrap();
    let blpop = stats
        .lines()
        .find(|l| l.starts_with("cmdstat_blpop:"))
        .expect("BLPOP in commandstats");
    assert!(
        blpop.ends_with("rejected_calls=0,failed_calls=1"),
        "{blpop}"
    );
    assert_eq!(ask(&mut ctl, &["client", "unblock", &id]), b":0\r\n");
    assert_eq!(ask(&mut ctl, &["client", "unblock", "999999"]), b":0\r\n");
    assert_eq!(
        ask(&mut ctl, &["client", "unblock", &id, "foo"]),
        b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"
    );
    assert_eq!(
        ask(&mut ctl, &["client", "unblock", "x"]),
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        ask(&mut ctl, &["client", "UNBLOCK", "1", "timeout", "y"]),
        b"-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(blocked_clients(&mut ctl), 0);
}

#[test]
fn pipelined_commands_after_a_blocking_one_wait_for_it() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    let mut batch = encode_command(&["blpop", "p", "0"]);
    batch.extend(encode_command(&["ping"]));
    c1.send(&batch);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "p", "a"]), b":1\r\n");
    expect(&mut c1, &pair("p", "a"));
    expect(&mut c1, b"+PONG\r\n");
}

#[test]
fn blmpop_and_brpoplpush_when_served() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blmpop", "0", "2", "q1", "q2", "LEFT", "COUNT", "3"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(
        ask(&mut ctl, &["rpush", "q2", "a", "b", "c", "d"]),
        b":4\r\n"
    );
    expect(
        &mut c1,
        b"*2\r\n$2\r\nq2\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    c1.send_cmd(&["blmpop", "0", "1", "q3", "RIGHT"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "q3", "a", "b"]), b":2\r\n");
    expect(&mut c1, b"*2\r\n$2\r\nq3\r\n*1\r\n$1\r\nb\r\n");
    c1.send_cmd(&["brpoplpush", "w", "w2", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "w", "1", "2"]), b":2\r\n");
    expect(&mut c1, b"$1\r\n2\r\n");
    assert_eq!(
        ask(&mut ctl, &["lrange", "w2", "0", "-1"]),
        b"*1\r\n$1\r\n2\r\n"
    );
}

#[test]
fn blocking_commands_inside_multi_do_not_block() {
    let server = TestServer::start();
    let mut c1 = server.raw();
    assert_eq!(ask(&mut c1, &["multi"]), b"+OK\r\n");
    for cmd in [
        &["blpop", "nokey", "0"][..],
        &["blmove", "nokey", "x", "LEFT", "LEFT", "0"][..],
        &["brpoplpush", "nokey", "x", "0"][..],
        &["blmpop", "0", "1", "nokey", "LEFT"][..],
    ] {
        assert_eq!(ask(&mut c1, cmd), b"+QUEUED\r\n");
    }
    assert_eq!(
        ask(&mut c1, &["exec"]),
        b"*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n"
    );
}

#[test]
fn disconnect_while_blocked_and_databases_are_separate() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    {
        let mut gone = server.raw();
        gone.send_cmd(&["blpop", "dc", "0"]);
        wait_blocked(&mut ctl, 1);
    }
    wait_blocked(&mut ctl, 0);
    assert_eq!(ask(&mut ctl, &["rpush", "dc", "a"]), b":1\r\n");
    assert_eq!(ask(&mut ctl, &["llen", "dc"]), b":1\r\n");
    assert_eq!(ask(&mut c1, &["select", "1"]), b"+OK\r\n");
    c1.send_cmd(&["blpop", "dbk", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["rpush", "dbk", "x"]), b":1\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    assert_eq!(ask(&mut ctl, &["select", "1"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "dbk", "y"]), b":1\r\n");
    expect(&mut c1, &pair("dbk", "y"));
}

/// Many waiters and timeouts mixed: every client gets exactly one answer.
#[test]
fn many_waiters_with_deadlines() {
    let server = TestServer::start();
    let mut ctl = server.raw();
    let mut waiters: Vec<RawConn> = (0..6).map(|_| server.raw()).collect();
    for (i, w) in waiters.iter_mut().enumerate() {
        // Even clients wait forever, odd ones 0.1 s.
        let timeout = if i % 2 == 0 { "0" } else { "0.1" };
        w.send_cmd(&["brpop", "many", timeout]);
    }
    wait_until(Duration::from_secs(10), || blocked_clients(&mut ctl) == 3);
    for w in waiters.iter_mut().skip(1).step_by(2) {
        expect(w, b"*-1\r\n");
    }
    assert_eq!(ask(&mut ctl, &["rpush", "many", "a", "b", "c"]), b":3\r\n");
    let mut got: Vec<Vec<u8>> = waiters
        .iter_mut()
        .step_by(2)
        .map(|w| w.read_reply())
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![pair("many", "a"), pair("many", "b"), pair("many", "c")]
    );
}

/// Lists longer than one packed node: ranges, indexes, inserts and trims agree with a
/// plain vector (small nodes so the 2 000 elements span hundreds of them).
#[test]
fn long_lists_span_many_nodes() {
    let server = TestServer::start_with(&["--list-max-listpack-size", "5"]);
    let mut conn = server.raw();
    let mut model: Vec<String> = Vec::new();
    for chunk in 0..20 {
        let mut args = vec!["rpush".to_string(), "big".to_string()];
        for i in 0..100 {
            let v = if i % 3 == 0 {
                (chunk * 100 + i).to_string()
            } else {
                format!("elem-{chunk}-{i}")
            };
            args.push(v.clone());
            model.push(v);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ask(&mut conn, &args);
    }
    let check_range = |conn: &mut RawConn, model: &[String], a: i64, b: i64| {
        let got = ask(conn, &["lrange", "big", &a.to_string(), &b.to_string()]);
        let len = model.len() as i64;
        let (s, e) = (
            if a < 0 { len + a } else { a }.max(0),
            if b < 0 { len + b } else { b }.min(len - 1),
        );
        let mut want = Vec::new();
        let items: Vec<&String> = if s > e {
            vec![]
        } else {
            model[s as usize..=e as usize].iter().collect()
        };
        want.extend(format!("*{}\r\n", items.len()).into_bytes());
        for v in items {
            want.extend(format!("${}\r\n{}\r\n", v.len(), v).into_bytes());
        }
        assert!(got == want, "lrange {a} {b}: {}", show(&got));
    };
    check_range(&mut conn, &model, 0, -1);
    check_range(&mut conn, &model, 997, 1012);
    check_range(&mut conn, &model, -7, -1);
    assert_eq!(
        ask(&mut conn, &["lindex", "big", "1500"]),
        format!("${}\r\n{}\r\n", model[1500].len(), model[1500]).into_bytes()
    );
    assert_eq!(
        ask(
            &mut conn,
            &["linsert", "big", "before", &model[1234].clone(), "pivot"]
        ),
        b":2001\r\n"
    );
    model.insert(1234, "pivot".into());
    assert_eq!(
        ask(&mut conn, &["lset", "big", "-3", "changed"]),
        b"+OK\r\n"
    );
    let n = model.len();
    model[n - 3] = "changed".into();
    assert_eq!(ask(&mut conn, &["ltrim", "big", "100", "-100"]), b"+OK\r\n");
    model = model[100..n - 99].to_vec();
    check_range(&mut conn, &model, 0, -1);
    assert_eq!(
        ask(&mut conn, &["lpos", "big", "pivot"]),
        format!(":{}\r\n", 1134).into_bytes()
    );
    assert_eq!(
        ask(&mut conn, &["object", "encoding", "big"]),
        b"$9\r\nquicklist\r\n"
    );
    // A DEBUG RELOAD-free round trip through DUMP/RESTORE keeps every element.
    let dump = ask(&mut conn, &["dump", "big"]);
    assert!(dump.starts_with(b"$"), "{}", show(&dump));
}

/// Served blocking pops reach the AOF as the non-blocking command that ran.
#[test]
fn served_pops_propagate_as_non_blocking_commands() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["blpop", "pa", "0"]);
    wait_blocked(&mut ctl, 1);
    ask(&mut ctl, &["rpush", "pa", "x", "y"]);
    expect(&mut c1, &pair("pa", "x"));
    c1.send_cmd(&["blmove", "pb", "pc", "LEFT", "RIGHT", "0"]);
    wait_blocked(&mut ctl, 1);
    ask(&mut ctl, &["rpush", "pb", "z"]);
    expect(&mut c1, b"$1\r\nz\r\n");
    c1.send_cmd(&["blmpop", "0", "1", "pd", "RIGHT", "COUNT", "5"]);
    wait_blocked(&mut ctl, 1);
    ask(&mut ctl, &["rpush", "pd", "1", "2"]);
    expect(&mut c1, b"*2\r\n$2\r\npd\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
    assert_eq!(ask(&mut c1, &["blpop", "pa", "0"]), pair("pa", "y"));
    let read_aof = || -> Vec<u8> {
        let mut all = Vec::new();
        let dir = server.dir.path().join("appendonlydir");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().ends_with(".incr.aof") {
                    all.extend(std::fs::read(e.path()).unwrap_or_default());
                }
            }
        }
        all
    };
    let has = |aof: &[u8], cmd: &[&str]| {
        let enc = encode_command(cmd);
        aof.windows(enc.len()).any(|w| w.eq_ignore_ascii_case(&enc))
    };
    assert!(
        wait_until(Duration::from_secs(10), || has(
            &read_aof(),
            &["lpop", "pa"]
        )),
        "no LPOP in the AOF: {}",
        show(&read_aof())
    );
    let aof = read_aof();
    assert!(
        has(&aof, &["lmove", "pb", "pc", "LEFT", "RIGHT"]),
        "{}",
        show(&aof)
    );
    assert!(has(&aof, &["rpop", "pd", "2"]), "{}", show(&aof));
    for blocking in ["blpop", "blmove", "blmpop"] {
        let text = String::from_utf8_lossy(&aof).to_lowercase();
        assert!(
            !text.contains(blocking),
            "{blocking} reached the AOF: {}",
            show(&aof)
        );
    }
}

#[test]
fn swapdb_wakes_clients_blocked_on_keys_of_the_swapped_in_data() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    assert_eq!(ask(&mut ctl, &["select", "1"]), b"+OK\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "sw", "from-db1"]), b":1\r\n");
    c1.send_cmd(&["blpop", "sw", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut ctl, &["swapdb", "0", "1"]), b"+OK\r\n");
    expect(&mut c1, &pair("sw", "from-db1"));
    wait_blocked(&mut ctl, 0);
}

// ---------------------------------------------------------------------------------------
// list-compress-depth (issue 6)
// ---------------------------------------------------------------------------------------

/// Options giving many small nodes, the inner ones compressed.
const COMPRESSED: [&str; 6] = [
    "--list-compress-depth",
    "1",
    "--list-max-listpack-size",
    "4",
    "--enable-debug-command",
    "yes",
];

/// A compressible element of about 100 bytes, different for every `i`.
fn long_elem(i: usize) -> Vec<u8> {
    let mut v = format!("element-{i:05}-").into_bytes();
    v.extend(b"abcdefgh".repeat(11));
    v
}

/// Runs one command through the `redis` crate.
fn q<T: redis::FromRedisValue>(con: &mut redis::Connection, args: &[&[u8]]) -> T {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).expect("command name"));
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con)
        .unwrap_or_else(|e| panic!("{}: {e}", show(args[0])))
}

/// RPUSHes `items` to `key` in batches.
fn push_all(con: &mut redis::Connection, key: &str, items: &[Vec<u8>]) {
    for chunk in items.chunks(100) {
        let mut cmd = redis::cmd("RPUSH");
        cmd.arg(key);
        for it in chunk {
            cmd.arg(it.as_slice());
        }
        cmd.query::<i64>(con).unwrap();
    }
}

fn lrange_all(con: &mut redis::Connection, key: &str) -> Vec<Vec<u8>> {
    q(con, &[b"LRANGE", key.as_bytes(), b"0", b"-1"])
}

/// Checks `key` against the model through LRANGE (whole and windows), LINDEX and LLEN.
fn assert_list_is(con: &mut redis::Connection, key: &str, model: &[Vec<u8>]) {
    let k = key.as_bytes();
    assert_eq!(lrange_all(con, key), model, "LRANGE 0 -1 of {key}");
    let n = model.len() as i64;
    assert_eq!(q::<i64>(con, &[b"LLEN", k]), n);
    for start in (0..n).step_by(37) {
        let end = (start + 13).min(n - 1);
        let got: Vec<Vec<u8>> = q(
            con,
            &[
                b"LRANGE",
                k,
                start.to_string().as_bytes(),
                end.to_string().as_bytes(),
            ],
        );
        assert_eq!(
            got,
            &model[start as usize..=end as usize],
            "LRANGE {start} {end}"
        );
        let got: Option<Vec<u8>> = q(con, &[b"LINDEX", k, start.to_string().as_bytes()]);
        assert_eq!(got.as_ref(), model.get(start as usize), "LINDEX {start}");
        let neg = -(start + 1);
        let got: Option<Vec<u8>> = q(con, &[b"LINDEX", k, neg.to_string().as_bytes()]);
        assert_eq!(got.as_ref(), model.get((n + neg) as usize), "LINDEX {neg}");
    }
}

/// MEMORY USAGE of `key`.
fn memory_usage(con: &mut redis::Connection, key: &str) -> i64 {
    q(
        con,
        &[b"MEMORY", b"USAGE", key.as_bytes(), b"SAMPLES", b"0"],
    )
}

#[test]
fn compressed_lists_answer_every_command_like_a_model() {
    let server = TestServer::start_with(&COMPRESSED);
    let mut con = server.conn();
    let mut model: Vec<Vec<u8>> = (0..1000).map(long_elem).collect();
    push_all(&mut con, "cl", &model);
    assert_list_is(&mut con, "cl", &model);
    let enc: String = q(&mut con, &[b"OBJECT", b"ENCODING", b"cl"]);
    assert_eq!(enc, "quicklist");

    // LSET anywhere, including deep inside compressed nodes and at both ends.
    for (idx, val) in [
        (0i64, "head"),
        (500, "middle"),
        (-1, "tail"),
        (123, "x"),
        (-400, "y"),
    ] {
        let reply: String = q(
            &mut con,
            &[b"LSET", b"cl", idx.to_string().as_bytes(), val.as_bytes()],
        );
        assert_eq!(reply, "OK");
        let i = if idx < 0 {
            model.len() as i64 + idx
        } else {
            idx
        } as usize;
        model[i] = val.as_bytes().to_vec();
    }
    // LINSERT before and after pivots in inner nodes.
    for (pivot, before, val) in [
        (300usize, true, "ins-a"),
        (700, false, "ins-b"),
        (2, true, "ins-c"),
    ] {
        let p = model[pivot].clone();
        let where_: &[u8] = if before { b"BEFORE" } else { b"AFTER" };
        let n: i64 = q(&mut con, &[b"LINSERT", b"cl", where_, &p, val.as_bytes()]);
        let at = model.iter().position(|e| *e == p).expect("pivot in model");
        model.insert(if before { at } else { at + 1 }, val.as_bytes().to_vec());
        assert_eq!(n, model.len() as i64);
    }
    let n: i64 = q(
        &mut con,
        &[b"LINSERT", b"cl", b"BEFORE", b"no-such-pivot", b"v"],
    );
    assert_eq!(n, -1);
    assert_list_is(&mut con, "cl", &model);

    // LPOS finds elements stored in compressed nodes.
    let target = model[640].clone();
    let pos: Option<i64> = q(&mut con, &[b"LPOS", b"cl", &target]);
    assert_eq!(pos, Some(640));
    let pos: Option<i64> = q(&mut con, &[b"LPOS", b"cl", &target, b"RANK", b"-1"]);
    assert_eq!(pos, Some(640));

    // LREM of repeated values spread over many nodes, from both ends.
    for i in (10..990).step_by(50) {
        model.insert(i, b"dup".to_vec());
    }
    let mut fresh = redis::cmd("DEL");
    fresh.arg("cl").query::<i64>(&mut con).unwrap();
    push_all(&mut con, "cl", &model);
    let removed: i64 = q(&mut con, &[b"LREM", b"cl", b"3", b"dup"]);
    assert_eq!(removed, 3);
    for _ in 0..3 {
        let at = model.iter().position(|e| e == b"dup").unwrap();
        model.remove(at);
    }
    let removed: i64 = q(&mut con, &[b"LREM", b"cl", b"-2", b"dup"]);
    assert_eq!(removed, 2);
    for _ in 0..2 {
        let at = model.iter().rposition(|e| e == b"dup").unwrap();
        model.remove(at);
    }
    assert_list_is(&mut con, "cl", &model);
    let left = model.iter().filter(|e| *e == b"dup").count() as i64;
    let removed: i64 = q(&mut con, &[b"LREM", b"cl", b"0", b"dup"]);
    assert_eq!(removed, left);
    model.retain(|e| e != b"dup");
    assert_list_is(&mut con, "cl", &model);

    // LTRIM from both sides, then pops across node boundaries.
    let reply: String = q(&mut con, &[b"LTRIM", b"cl", b"55", b"-77"]);
    assert_eq!(reply, "OK");
    model = model[55..model.len() - 76].to_vec();
    assert_list_is(&mut con, "cl", &model);
    let popped: Vec<Vec<u8>> = q(&mut con, &[b"LPOP", b"cl", b"9"]);
    assert_eq!(popped, model.drain(..9).collect::<Vec<_>>());
    let popped: Vec<Vec<u8>> = q(&mut con, &[b"RPOP", b"cl", b"11"]);
    let mut want: Vec<Vec<u8>> = model.drain(model.len() - 11..).collect();
    want.reverse();
    assert_eq!(popped, want);
    for i in 0..30 {
        let v = long_elem(5000 + i);
        let _: i64 = q(&mut con, &[b"LPUSH", b"cl", &v]);
        model.insert(0, v);
    }
    assert_list_is(&mut con, "cl", &model);
}

#[test]
fn compressed_lists_use_less_memory_and_config_set_applies_to_new_lists() {
    let server = TestServer::start_with(&COMPRESSED);
    let mut con = server.conn();
    let items: Vec<Vec<u8>> = (0..1000).map(long_elem).collect();
    push_all(&mut con, "packed", &items);
    let reply: String = q(&mut con, &[b"CONFIG", b"SET", b"list-compress-depth", b"0"]);
    assert_eq!(reply, "OK");
    push_all(&mut con, "plain", &items);
    let (packed, plain) = (
        memory_usage(&mut con, "packed"),
        memory_usage(&mut con, "plain"),
    );
    assert!(
        packed * 2 < plain,
        "compressed list uses {packed} bytes, plain {plain}"
    );
    // The existing list keeps the depth it was created with, as in Redis.
    push_all(&mut con, "packed", &items[..8]);
    let grown = memory_usage(&mut con, "packed");
    assert!(grown * 2 < plain, "{grown} vs {plain}");
    // Incompressible data stays as it is: no loss, same answers.
    let reply: String = q(&mut con, &[b"CONFIG", b"SET", b"list-compress-depth", b"2"]);
    assert_eq!(reply, "OK");
    let noise: Vec<Vec<u8>> = (0..200u64)
        .map(|i| {
            let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            (0..90)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect()
        })
        .collect();
    push_all(&mut con, "noise", &noise);
    assert_list_is(&mut con, "noise", &noise);
    push_all(&mut con, "packed2", &items);
    assert!(memory_usage(&mut con, "packed2") * 2 < plain);
    assert_list_is(&mut con, "packed2", &items);
}

#[test]
fn compressed_lists_survive_debug_reload_and_restart() {
    let mut server = TestServer::start_with(&COMPRESSED);
    let mut con = server.conn();
    let mut items: Vec<Vec<u8>> = (0..1000).map(long_elem).collect();
    items[400] = b"12345".to_vec();
    items[401] = b"-7".to_vec();
    push_all(&mut con, "cl", &items);
    let digest: String = q(&mut con, &[b"DEBUG", b"DIGEST"]);
    let before = memory_usage(&mut con, "cl");
    let reply: String = q(&mut con, &[b"DEBUG", b"RELOAD"]);
    assert_eq!(reply, "OK");
    assert_list_is(&mut con, "cl", &items);
    assert_eq!(q::<String>(&mut con, &[b"DEBUG", b"DIGEST"]), digest);
    // Loaded lists are compressed again (loading follows the config).
    let after = memory_usage(&mut con, "cl");
    assert!(
        after <= before + before / 4,
        "{before} before reload, {after} after"
    );
    let dump: Vec<u8> = q(&mut con, &[b"DUMP", b"cl"]);
    let reply: String = q(&mut con, &[b"RESTORE", b"copy", b"0", &dump]);
    assert_eq!(reply, "OK");
    assert_list_is(&mut con, "copy", &items);
    let reply: String = q(&mut con, &[b"SAVE"]);
    assert_eq!(reply, "OK");
    drop(con);
    server.restart();
    let mut con = server.conn();
    assert_list_is(&mut con, "cl", &items);
    assert_list_is(&mut con, "copy", &items);
}

#[test]
fn rdb_of_compressed_lists_loads_in_real_redis_with_the_same_digest() {
    skip_unless_tool!("redis-server");
    let server = TestServer::start_with(&COMPRESSED);
    let mut con = server.conn();
    let items: Vec<Vec<u8>> = (0..1000).map(long_elem).collect();
    push_all(&mut con, "cl", &items);
    let _: String = q(&mut con, &[b"LSET", b"cl", b"500", b"changed"]);
    let mut model = items.clone();
    model[500] = b"changed".to_vec();
    let ours: String = q(&mut con, &[b"DEBUG", b"DIGEST"]);
    let reply: String = q(&mut con, &[b"SAVE"]);
    assert_eq!(reply, "OK");
    let Some(mut redis) = common::start_redis_server(&[
        "--enable-debug-command",
        "yes",
        "--list-compress-depth",
        "1",
        "--list-max-listpack-size",
        "4",
    ]) else {
        return;
    };
    redis.stop();
    std::fs::copy(
        server.dir.path().join("dump.rdb"),
        redis.dir.path().join("dump.rdb"),
    )
    .expect("copy our dump");
    redis.relaunch();
    let mut rcon = redis.conn();
    assert_eq!(lrange_all(&mut rcon, "cl"), model);
    let theirs: String = q(&mut rcon, &[b"DEBUG", b"DIGEST"]);
    assert_eq!(theirs, ours);
}

/// A BRPOPLPUSH/BLMOVE served by a push writes its destination: a client watching
/// the destination (or the source) has its EXEC aborted, as in Redis.
#[test]
fn served_blocking_move_touches_watched_keys() {
    let server = TestServer::start();
    for watched in ["dstlist", "srclist"] {
        let (mut ctl, mut blocked, mut watcher) = (server.raw(), server.raw(), server.raw());
        assert_eq!(ask(&mut ctl, &["set", "somekey", "somevalue"]), b"+OK\r\n");
        blocked.send_cmd(&["brpoplpush", "srclist", "dstlist", "0"]);
        wait_blocked(&mut ctl, 1);
        assert_eq!(ask(&mut watcher, &["watch", watched]), b"+OK\r\n");
        assert_eq!(ask(&mut watcher, &["multi"]), b"+OK\r\n");
        assert_eq!(ask(&mut watcher, &["get", "somekey"]), b"+QUEUED\r\n");
        assert_eq!(ask(&mut ctl, &["lpush", "srclist", "element"]), b":1\r\n");
        expect(&mut blocked, b"$7\r\nelement\r\n");
        assert_eq!(
            ask(&mut watcher, &["exec"]),
            b"*-1\r\n",
            "watching {watched}"
        );
        assert_eq!(ask(&mut ctl, &["del", "dstlist"]), b":1\r\n");
    }
    // A watched key the served command does not write stays valid.
    let (mut ctl, mut blocked, mut watcher) = (server.raw(), server.raw(), server.raw());
    blocked.send_cmd(&["blmove", "srclist", "dstlist", "LEFT", "RIGHT", "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ask(&mut watcher, &["watch", "somekey"]), b"+OK\r\n");
    assert_eq!(ask(&mut watcher, &["multi"]), b"+OK\r\n");
    assert_eq!(ask(&mut watcher, &["get", "somekey"]), b"+QUEUED\r\n");
    assert_eq!(ask(&mut ctl, &["rpush", "srclist", "e"]), b":1\r\n");
    expect(&mut blocked, b"$1\r\ne\r\n");
    assert_eq!(ask(&mut watcher, &["exec"]), b"*1\r\n$9\r\nsomevalue\r\n");
}
