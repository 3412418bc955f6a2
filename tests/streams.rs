//! Integration tests of the stream commands without group administration (XADD, XLEN,
//! XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XREAD, XREADGROUP) against the real binary.
//! The group administration commands (XGROUP, XACK, XPENDING, XCLAIM, XINFO...) have
//! their own file, `stream_groups.rs`; the scripts here only use them to set up or
//! observe what XREADGROUP did.
//!
//! The byte-for-byte scripts below were captured from redis-server 7.0.15 running the
//! same commands on an empty database (`replies_match_real_redis` re-checks them against
//! a real redis-server when one is installed). Then: IDs generated from the clock,
//! blocking reads served by other clients (waiting for `blocked_clients` with a bounded
//! poll, never a fixed sleep), what reaches the AOF and replicas, keyspace events,
//! WATCH, and the commands' table entries.

mod common;

use std::time::{Duration, Instant};

use common::{
    check, incr_aof, now_ms, resp_frame_len, run_fresh, run_script, show, wait_until, RawConn,
    Script, TestServer,
};

const ADD: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (
        &["xadd", "s", "1-1", "a", "1"],
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    ),
    (
        &["xadd", "s", "1", "a", "1"],
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    ),
    (
        &["xadd", "s", "0-0", "a", "1"],
        b"-ERR The ID specified in XADD must be greater than 0-0\r\n",
    ),
    (
        &["xadd", "t", "0-0", "a", "1"],
        b"-ERR The ID specified in XADD must be greater than 0-0\r\n",
    ),
    (&["exists", "t"], b":0\r\n"),
    (
        &["xadd", "t", "0", "a", "1"],
        b"-ERR The ID specified in XADD must be greater than 0-0\r\n",
    ),
    (&["xadd", "t", "0-*", "a", "1"], b"$3\r\n0-1\r\n"),
    (&["xadd", "t", "0-*", "a", "1"], b"$3\r\n0-2\r\n"),
    (&["xadd", "t", "5-*", "a", "1"], b"$3\r\n5-0\r\n"),
    (
        &["xadd", "t", "3-*", "a", "1"],
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    ),
    (
        &["xadd", "s", "2-1", "a"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s", "2-1"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s", "nomkstream"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s", "maxlen", "5"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s", "maxlen", "5", "2-1", "a", "1", "b"],
        b"-ERR wrong number of arguments for 'xadd' command\r\n",
    ),
    (
        &["xadd", "s", "maxlen", "-1", "2-1", "a", "1"],
        b"-ERR The MAXLEN argument must be >= 0.\r\n",
    ),
    (
        &["xadd", "s", "maxlen", "x", "2-1", "a", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[
            "xadd", "s", "maxlen", "~", "5", "minid", "3", "2-1", "a", "1",
        ],
        b"-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n",
    ),
    (
        &["xadd", "s", "limit", "5", "2-1", "a", "1"],
        b"-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n",
    ),
    (
        &["xadd", "s", "maxlen", "5", "limit", "5", "2-1", "a", "1"],
        b"-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n",
    ),
    (
        &[
            "xadd", "s", "maxlen", "~", "5", "limit", "-1", "2-1", "a", "1",
        ],
        b"-ERR The LIMIT argument must be >= 0.\r\n",
    ),
    (
        &[
            "xadd", "s", "maxlen", "~", "5", "limit", "x", "2-1", "a", "1",
        ],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["xadd", "s", "minid", "+", "2-1", "a", "1"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xadd", "s", "minid", "-", "2-1", "a", "1"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xadd", "s", "foo", "2-1", "a", "1"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xadd", "s", "+", "a", "1"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xadd", "s", "-", "a", "1"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &[
            "xadd",
            "s",
            "18446744073709551615-18446744073709551615",
            "a",
            "1",
        ],
        b"$41\r\n18446744073709551615-18446744073709551615\r\n",
    ),
    (
        &["xadd", "s", "18446744073709551615-*", "a", "1"],
        b"-ERR The stream has exhausted the last possible ID, unable to add more items\r\n",
    ),
    (
        &["xadd", "s", "*", "a", "1"],
        b"-ERR The stream has exhausted the last possible ID, unable to add more items\r\n",
    ),
    (
        &["xadd", "s", "5-5", "a", "1"],
        b"-ERR The stream has exhausted the last possible ID, unable to add more items\r\n",
    ),
    (&["xadd", "nokey", "nomkstream", "*", "a", "1"], b"$-1\r\n"),
    (&["exists", "nokey"], b":0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (
        &["xadd", "str", "*", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["xadd", "str", "nomkstream", "2-1", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
];

const RANGE: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "18446744073709551615-18446744073709551615", "a", "1"], b"$41\r\n18446744073709551615-18446744073709551615\r\n"),
    (&["xadd", "t", "0-1", "a", "1"], b"$3\r\n0-1\r\n"),
    (&["xadd", "t", "0-2", "a", "1"], b"$3\r\n0-2\r\n"),
    (&["xadd", "t", "5-0", "a", "1"], b"$3\r\n5-0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xlen", "s"], b":2\r\n"),
    (&["xlen", "nokey"], b":0\r\n"),
    (&["xlen", "str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xlen"], b"-ERR wrong number of arguments for 'xlen' command\r\n"),
    (&["xrange", "s", "-", "+"], b"*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "-", "+", "count", "2"], b"*2\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "-", "+", "count", "0"], b"*-1\r\n"),
    (&["xrange", "t", "-", "+", "count", "-1"], b"*-1\r\n"),
    (&["xrange", "t", "-", "+", "count", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xrange", "t", "-", "+", "count"], b"-ERR syntax error\r\n"),
    (&["xrange", "t", "-", "+", "foo", "1"], b"-ERR syntax error\r\n"),
    (&["xrange", "t", "(0-1", "+"], b"*2\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "-", "(5-0"], b"*2\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "(18446744073709551615-18446744073709551615", "+"], b"-ERR invalid start ID for the interval\r\n"),
    (&["xrange", "t", "-", "(0-0"], b"-ERR invalid end ID for the interval\r\n"),
    (&["xrange", "t", "(", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "t", "(-", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "t", "-", "(+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "t", "0", "0"], b"*2\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "0-1", "0-2"], b"*2\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrange", "t", "5", "3"], b"*0\r\n"),
    (&["xrange", "nokey", "-", "+"], b"*0\r\n"),
    (&["xrange", "nokey", "-", "+", "count", "0"], b"*0\r\n"),
    (&["xrange", "str", "-", "+"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xrange", "t", "x", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "t", "-", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrevrange", "t", "+", "-"], b"*3\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrevrange", "t", "+", "-", "count", "2"], b"*2\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrevrange", "t", "(5-0", "-"], b"*2\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrevrange", "t", "+", "(0-1"], b"*2\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrevrange", "t", "0", "0"], b"*2\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xrevrange", "nokey", "+", "-"], b"*0\r\n"),
    (&["xrevrange", "t", "-", "+"], b"*0\r\n"),
    (&["xrange", "t", "1", "0"], b"*0\r\n"),
    (&["xadd", "r", "1-1", "f1", "v1", "f2", "v2"], b"$3\r\n1-1\r\n"),
    (&["xadd", "r", "1-2", "f1", "v1"], b"$3\r\n1-2\r\n"),
    (&["xadd", "r", "2-0", "", ""], b"$3\r\n2-0\r\n"),
    (&["xadd", "r", "3-5", "field", "value with spaces"], b"$3\r\n3-5\r\n"),
    (&["xrange", "r", "-", "+"], b"*4\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$5\r\nfield\r\n$17\r\nvalue with spaces\r\n"),
    (&["xrange", "r", "1", "1"], b"*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n"),
    (&["xrange", "r", "1-2", "+"], b"*3\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$5\r\nfield\r\n$17\r\nvalue with spaces\r\n"),
    (&["xrange", "r", "(1-1", "(3-5"], b"*2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n"),
    (&["xrange", "r", "-", "+", "COUNT", "1", "count", "3"], b"*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n"),
    (&["xrevrange", "r", "+", "-", "count", "2"], b"*2\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$5\r\nfield\r\n$17\r\nvalue with spaces\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n"),
    (&["xrevrange", "r", "(3-5", "(1-1"], b"*2\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n"),
    (&["xrevrange", "r", "2", "1"], b"*3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n"),
    (&["xrevrange", "r", "3", "3"], b"*1\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$5\r\nfield\r\n$17\r\nvalue with spaces\r\n"),
    (&["xrange", "r", "18446744073709551615", "+"], b"*0\r\n"),
    (&["xrange", "r", "99999999999999999999", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "r", "1-99999999999999999999", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "r", "1-", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "r", "-1", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xrange", "r", "01-01", "+"], b"*4\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$5\r\nfield\r\n$17\r\nvalue with spaces\r\n"),
];

const DEL_TRIM: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n"),
    (&["xadd", "s", "3-1", "c", "3"], b"$3\r\n3-1\r\n"),
    (&["xdel", "s", "2-1", "2-1", "9-9"], b":1\r\n"),
    (&["xdel", "s"], b"-ERR wrong number of arguments for 'xdel' command\r\n"),
    (&["xdel", "s", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xdel", "s", "1-1", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xdel", "s", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xdel", "nokey", "1-1"], b":0\r\n"),
    (&["xdel", "nokey", "x"], b":0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xdel", "str", "1-1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xdel", "str", "x"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xlen", "s"], b":2\r\n"),
    (&["xdel", "s", "1-1", "3-1"], b":2\r\n"),
    (&["xlen", "s"], b":0\r\n"),
    (&["exists", "s"], b":1\r\n"),
    (&["xrange", "s", "-", "+"], b"*0\r\n"),
    (&["xadd", "s", "4-1", "d", "4"], b"$3\r\n4-1\r\n"),
    (&["xadd", "s", "5-1", "d", "4"], b"$3\r\n5-1\r\n"),
    (&["xdel", "s", "4"], b":0\r\n"),
    (&["xtrim", "s"], b"-ERR wrong number of arguments for 'xtrim' command\r\n"),
    (&["xtrim", "s", "maxlen"], b"-ERR wrong number of arguments for 'xtrim' command\r\n"),
    (&["xtrim", "s", "maxlen", "0", "foo"], b"-ERR syntax error\r\n"),
    (&["xtrim", "s", "foo", "1"], b"-ERR syntax error\r\n"),
    (&["xtrim", "s", "maxlen", "~"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xtrim", "nokey", "maxlen", "0"], b":0\r\n"),
    (&["xtrim", "nokey", "minid", "0"], b":0\r\n"),
    (&["xtrim", "str", "maxlen", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xtrim", "s", "maxlen", "5", "limit", "1"], b"-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"),
    (&["xtrim", "s", "limit", "1"], b"-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n"),
    (&["xtrim", "s", "nomkstream", "maxlen", "1"], b"-ERR syntax error\r\n"),
    (&["xtrim", "s", "maxlen", "~", "1", "limit", "1", "minid", "1"], b"-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"),
    (&["xtrim", "s", "minid", "~", "1", "maxlen", "1"], b"-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"),
    (&["xtrim", "s", "maxlen", "=", "0"], b":2\r\n"),
    (&["xlen", "s"], b":0\r\n"),
    (&["exists", "s"], b":1\r\n"),
    (&["xtrim", "nokey", "maxlen", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xtrim", "nokey", "maxlen", "-1"], b"-ERR The MAXLEN argument must be >= 0.\r\n"),
    (&["xtrim", "nokey", "minid", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["del", "s"], b":1\r\n"),
    (&["config", "set", "stream-node-max-entries", "3"], b"+OK\r\n"),
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "a", "1"], b"$3\r\n2-1\r\n"),
    (&["xadd", "s", "3-1", "a", "1"], b"$3\r\n3-1\r\n"),
    (&["xadd", "s", "4-1", "a", "1"], b"$3\r\n4-1\r\n"),
    (&["xadd", "s", "5-1", "a", "1"], b"$3\r\n5-1\r\n"),
    (&["xadd", "s", "6-1", "a", "1"], b"$3\r\n6-1\r\n"),
    (&["xadd", "s", "7-1", "a", "1"], b"$3\r\n7-1\r\n"),
    (&["xtrim", "s", "maxlen", "~", "5"], b":0\r\n"),
    (&["xlen", "s"], b":7\r\n"),
    (&["xtrim", "s", "maxlen", "~", "2"], b":3\r\n"),
    (&["xlen", "s"], b":4\r\n"),
    (&["xrange", "s", "-", "+"], b"*4\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n6-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n7-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xtrim", "s", "minid", "~", "7"], b":3\r\n"),
    (&["xtrim", "s", "minid", "7"], b":0\r\n"),
    (&["xrange", "s", "-", "+"], b"*1\r\n*2\r\n$3\r\n7-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xadd", "s", "maxlen", "2", "8-1", "a", "1"], b"$3\r\n8-1\r\n"),
    (&["xadd", "s", "maxlen", "2", "9-1", "a", "1"], b"$3\r\n9-1\r\n"),
    (&["xrange", "s", "-", "+"], b"*2\r\n*2\r\n$3\r\n8-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n9-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xadd", "s", "minid", "9", "10-1", "a", "1"], b"$4\r\n10-1\r\n"),
    (&["xadd", "s", "minid", "=", "99", "11-1", "a", "1"], b"$4\r\n11-1\r\n"),
    (&["xlen", "s"], b":0\r\n"),
    (&["exists", "s"], b":1\r\n"),
    (&["xadd", "s", "maxlen", "~", "0", "12-1", "a", "1"], b"$4\r\n12-1\r\n"),
    (&["xlen", "s"], b":0\r\n"),
    (&["xadd", "s", "13-1", "a", "1"], b"$4\r\n13-1\r\n"),
    (&["xadd", "s", "14-1", "a", "1"], b"$4\r\n14-1\r\n"),
    (&["xadd", "s", "15-1", "a", "1"], b"$4\r\n15-1\r\n"),
    (&["xadd", "s", "16-1", "a", "1"], b"$4\r\n16-1\r\n"),
    (&["xadd", "s", "maxlen", "~", "0", "limit", "3", "17-1", "a", "1"], b"$4\r\n17-1\r\n"),
    (&["xlen", "s"], b":2\r\n"),
    (&["xadd", "s", "maxlen", "~", "0", "limit", "2", "18-1", "a", "1"], b"$4\r\n18-1\r\n"),
    (&["xlen", "s"], b":3\r\n"),
    (&["xtrim", "s", "minid", "~", "100", "limit", "0"], b":3\r\n"),
    (&["xlen", "s"], b":0\r\n"),
    (&["config", "set", "stream-node-max-entries", "100"], b"+OK\r\n"),
];

const SETID: Script = &[
    (&["xsetid", "nokey", "1-1"], b"-ERR no such key\r\n"),
    (
        &["xsetid", "nokey", "x"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (&["xadd", "s", "5-1", "a", "1"], b"$3\r\n5-1\r\n"),
    (
        &["xsetid", "s", "5-0"],
        b"-ERR The ID specified in XSETID is smaller than the target stream top item\r\n",
    ),
    (&["xsetid", "s", "5-1"], b"+OK\r\n"),
    (&["xsetid", "s", "6"], b"+OK\r\n"),
    (
        &["xsetid", "s", "x"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xsetid", "s", "+"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xsetid", "s", "-"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "entriesadded", "0"],
        b"-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "entriesadded", "-1"],
        b"-ERR entries_added must be positive\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "entriesadded", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "entriesadded"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "maxdeletedid", "8-0"],
        b"-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "maxdeletedid", "x"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (
        &["xsetid", "s", "7-0", "maxdeletedid", "+"],
        b"-ERR Invalid stream ID specified as stream command argument\r\n",
    ),
    (&["xsetid", "s", "7-0", "foo"], b"-ERR syntax error\r\n"),
    (
        &[
            "xsetid",
            "s",
            "7-0",
            "entriesadded",
            "10",
            "maxdeletedid",
            "6-5",
        ],
        b"+OK\r\n",
    ),
    (
        &["xadd", "s", "7-0", "a", "1"],
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    ),
    (&["xadd", "s", "7-1", "a", "1"], b"$3\r\n7-1\r\n"),
    (&["xsetid", "s", "7-1", "maxdeletedid", "7-1"], b"+OK\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (
        &["xsetid", "str", "1-1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["xsetid", "str", "1-1", "entriesadded", "-1"],
        b"-ERR entries_added must be positive\r\n",
    ),
    (
        &["xsetid", "nokey", "1-1", "entriesadded", "-1"],
        b"-ERR entries_added must be positive\r\n",
    ),
    (
        &["xsetid", "nokey", "1-1", "maxdeletedid", "2-2"],
        b"-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n",
    ),
    (&["xdel", "s", "7-1", "5-1"], b":2\r\n"),
    (&["xsetid", "s", "1-1"], b"+OK\r\n"),
    (&["xsetid", "s", "0-0"], b"+OK\r\n"),
    (&["xsetid", "s", "0-0", "entriesadded", "0"], b"+OK\r\n"),
    (&["xadd", "s", "0-1", "a", "1"], b"$3\r\n0-1\r\n"),
    (
        &["xsetid", "s", "18446744073709551615-18446744073709551615"],
        b"+OK\r\n",
    ),
    (
        &["xadd", "s", "*", "a", "1"],
        b"-ERR The stream has exhausted the last possible ID, unable to add more items\r\n",
    ),
    (&["xsetid", "s", "1"], b"+OK\r\n"),
    (&["xsetid", "s", "1", "entriesadded", "1"], b"+OK\r\n"),
    (&["xadd", "s", "2-*", "a", "b"], b"$3\r\n2-0\r\n"),
    (
        &["xsetid", "s", "2-0", "entriesadded", "0"],
        b"-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n",
    ),
];

const READ: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n"),
    (&["xadd", "t", "3-1", "c", "3"], b"$3\r\n3-1\r\n"),
    (&["xread", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "streams", "s", "t", "0", "0"], b"*2\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "streams", "s", "t", "1-1", "0"], b"*2\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "streams", "s", "t", "2-1", "3-1"], b"*-1\r\n"),
    (&["xread", "count", "1", "streams", "s", "t", "0", "0"], b"*2\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "count", "0", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "count", "-5", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "count", "x", "streams", "s", "0"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xread", "streams", "s"], b"-ERR wrong number of arguments for 'xread' command\r\n"),
    (&["xread", "streams", "s", "t", "0"], b"-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n"),
    (&["xread", "streams"], b"-ERR wrong number of arguments for 'xread' command\r\n"),
    (&["xread", "count", "1"], b"-ERR wrong number of arguments for 'xread' command\r\n"),
    (&["xread", "foo", "streams", "s", "0"], b"-ERR syntax error\r\n"),
    (&["xread", "streams", "s", "$"], b"*-1\r\n"),
    (&["xread", "streams", "s", ">"], b"-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n"),
    (&["xread", "streams", "s", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xread", "streams", "s", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xread", "streams", "s", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xread", "group", "g", "c", "streams", "s", "0"], b"-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n"),
    (&["xread", "noack", "streams", "s", "0"], b"-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n"),
    (&["xread", "block", "-1", "streams", "s", "0"], b"-ERR timeout is negative\r\n"),
    (&["xread", "block", "x", "streams", "s", "0"], b"-ERR timeout is not an integer or out of range\r\n"),
    (&["xread", "block", "1.5", "streams", "s", "0"], b"-ERR timeout is not an integer or out of range\r\n"),
    (&["xread", "block", "0", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "streams", "nokey", "0"], b"*-1\r\n"),
    (&["xread", "block", "10", "streams", "nokey", "0"], b"*-1\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xread", "streams", "str", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xread", "streams", "s", "str", "0", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xread", "streams", "nokey", "str", "0", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xread", "streams", "nokey", "s", "0", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xread", "count", "2", "count", "1", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xread", "streams", "s", "18446744073709551615-18446744073709551615"], b"*-1\r\n"),
    (&["xread", "streams", "s", "(1"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xread", "streams", "s", "1"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "streams", "s", "1-1"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "streams", "streams", "streams", "0", "0"], b"*-1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
    (&["xreadgroup", "streams", "s", "0"], b"-ERR wrong number of arguments for 'xreadgroup' command\r\n"),
    (&["xreadgroup", "group", "g", "streams", "s", "0"], b"-ERR wrong number of arguments for 'xreadgroup' command\r\n"),
    (&["xreadgroup", "group", "g", "c", "count", "1", "streams", "s", ">"], b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "nokey", ">"], b"-NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "str", ">"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s"], b"-ERR wrong number of arguments for 'xreadgroup' command\r\n"),
    (&["xadd", "empty", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xdel", "empty", "1-1"], b":1\r\n"),
    (&["xread", "streams", "empty", "0"], b"*-1\r\n"),
    (&["xread", "block", "10", "streams", "empty", "0"], b"*-1\r\n"),
    (&["xread", "streams", "s", "empty", "0", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xread", "streams", "s", "t", "0", "0"], b"*2\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "streams", "nokey", "0"], b"*-1\r\n"),
    (&["xread", "block", "10", "streams", "nokey", "0"], b"*-1\r\n"),
];

const READGROUP: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "$"], b"-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"),
    (&["xreadgroup", "group", "g", "c", "count", "1", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", ">"], b"*-1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "1-1"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "2-1"], b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"),
    (&["xreadgroup", "group", "g", "c", "count", "1", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xreadgroup", "group", "g", "c2", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"),
    (&["xdel", "s", "1-1"], b":1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "noack", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xadd", "s", "3-1", "c", "3"], b"$3\r\n3-1\r\n"),
    (&["xreadgroup", "group", "g", "c", "noack", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xreadgroup", "count", "1", "noack", "streams", "s", "0"], b"-ERR Missing GROUP option for XREADGROUP\r\n"),
    (&["xreadgroup", "group", "g", "c", "block", "-1", "streams", "s", ">"], b"-ERR timeout is negative\r\n"),
    (&["xreadgroup", "group", "g", "c", "block", "10", "streams", "s", ">"], b"*-1\r\n"),
    (&["xreadgroup", "group", "g", "c", "block", "10", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xreadgroup", "group", "g", "c", "group", "g2", "c2", "streams", "s", "0"], b"-NOGROUP No such key 's' or consumer group 'g2' in XREADGROUP with GROUP option\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", ">"], b"*-1\r\n"),
    (&["del", "s"], b":1\r\n"),
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n"),
    (&["xadd", "s", "3-1", "c", "3"], b"$3\r\n3-1\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xreadgroup", "group", "g", "alice", "count", "2", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xgroup", "setid", "s", "g", "0"], b"+OK\r\n"),
    (&["xreadgroup", "group", "g", "bob", "count", "1", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n"),
    (&["xreadgroup", "group", "g", "alice", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "bob", "streams", "s", "0"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xgroup", "create", "s", "g2", "$"], b"+OK\r\n"),
    (&["xadd", "s", "4-1", "d", "4"], b"$3\r\n4-1\r\n"),
    (&["xdel", "s", "2-1"], b":1\r\n"),
    (&["xgroup", "setid", "s", "g2", "0"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xreadgroup", "group", "g2", "c", "count", "1", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xinfo", "groups", "s"], b"*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xreadgroup", "group", "g2", "c", "streams", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["xinfo", "groups", "s"], b"*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-1\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xadd", "t", "1-1", "x", "1"], b"$3\r\n1-1\r\n"),
    (&["xgroup", "create", "t", "g", "0"], b"+OK\r\n"),
    (&["xreadgroup", "group", "g", "c", "count", "1", "streams", "s", "t", ">", ">"], b"*2\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "s", ">", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "t", "s", "0", "0"], b"*2\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "t", "nokey", ">", ">"], b"-NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "t", "t2", ">", ">"], b"-NOGROUP No such key 't2' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
    (&["xgroup", "createconsumer", "t", "g", "c7"], b":1\r\n"),
    (&["xreadgroup", "group", "g", "c7", "streams", "t", "18446744073709551615-18446744073709551615"], b"*-1\r\n"),
    (&["xreadgroup", "group", "g", "c7", "streams", "t", "18446744073709551615-18446744073709551614"], b"*1\r\n*2\r\n$1\r\nt\r\n*0\r\n"),
    (&["xpending", "t", "g"], b"*4\r\n:1\r\n$3\r\n1-1\r\n$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n"),
];

/// Replies to a RESP3 client (after HELLO 3), with the same captured origin.
const RESP3: Script = &[
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n"),
    (&["xadd", "t", "3-1", "c", "3"], b"$3\r\n3-1\r\n"),
    (&["xread", "streams", "s", "t", "0", "0"], b"%2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "count", "1", "streams", "s", "t", "1-1", "0"], b"%2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xread", "streams", "nokey", "0"], b"_\r\n"),
    (&["xread", "block", "10", "streams", "nokey", "0"], b"_\r\n"),
    (&["xrange", "s", "-", "+", "count", "0"], b"_\r\n"),
    (&["xrange", "nokey", "-", "+"], b"*0\r\n"),
    (&["xadd", "nokey", "nomkstream", "1-1", "a", "1"], b"_\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", ">"], b"%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xdel", "s", "1-1"], b":1\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "0"], b"%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n_\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", ">"], b"_\r\n"),
    (&["xreadgroup", "group", "g", "c", "streams", "s", "t", "0", "0"], b"-NOGROUP No such key 't' or consumer group 'g' in XREADGROUP with GROUP option\r\n"),
];

/// COMMAND INFO and GETKEYS, as redis-server 7.0.15 answers them.
const TABLE: Script = &[
    (&["command", "info", "xadd", "xlen", "xrange", "xrevrange", "xdel", "xtrim", "xsetid", "xread", "xreadgroup"], b"*9\r\n*10\r\n$4\r\nxadd\r\n:-5\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@stream\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$65\r\nUPDATE instead of INSERT because of the optional trimming feature\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nxlen\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@stream\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$6\r\nxrange\r\n:-4\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@stream\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$9\r\nxrevrange\r\n:-4\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@stream\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nxdel\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@stream\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$5\r\nxtrim\r\n:-4\r\n*1\r\n+write\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@stream\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$6\r\nxsetid\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@stream\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n*10\r\n$10\r\nxreadgroup\r\n:-7\r\n*3\r\n+write\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@write\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:4\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n"),
    (&["command", "getkeys", "xread", "count", "1", "streams", "a", "b", "0", "0"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (&["command", "getkeys", "xreadgroup", "group", "g", "c", "noack", "streams", "a", ">"], b"*1\r\n$1\r\na\r\n"),
    (&["command", "getkeysandflags", "xread", "streams", "streams", "streams", "0", "0"], b"*2\r\n*2\r\n$7\r\nstreams\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$7\r\nstreams\r\n*2\r\n+RO\r\n+access\r\n"),
    (&["command", "getkeys", "xread", "streams", "a", "b", "0"], b"*1\r\n$1\r\na\r\n"),
    (&["command", "getkeys", "xadd", "s", "*", "a", "1"], b"*1\r\n$1\r\ns\r\n"),
];

const ALL_SCRIPTS: &[(&str, Script)] = &[
    ("add", ADD),
    ("range", RANGE),
    ("del_trim", DEL_TRIM),
    ("setid", SETID),
    ("read", READ),
    ("readgroup", READGROUP),
    ("table", TABLE),
];

#[test]
fn xadd_options_ids_and_errors() {
    run_fresh(ADD);
}

#[test]
fn xlen_xrange_xrevrange() {
    run_fresh(RANGE);
}

#[test]
fn xdel_and_xtrim_with_node_sized_trimming() {
    run_fresh(DEL_TRIM);
}

#[test]
fn xsetid_checks() {
    run_fresh(SETID);
}

#[test]
fn xread_without_blocking() {
    run_fresh(READ);
}

#[test]
fn xreadgroup_new_entries_and_history() {
    run_fresh(READGROUP);
}

#[test]
fn command_table_entries() {
    run_fresh(TABLE);
}

#[test]
fn resp3_replies() {
    let server = TestServer::start();
    let mut conn = server.raw();
    hello3(&mut conn);
    run_script(&mut conn, RESP3);
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
    let mut conn = redis.raw();
    conn.send_cmd(&["flushall"]);
    conn.read_reply();
    hello3(&mut conn);
    run_script(&mut conn, RESP3);
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Sends one command and returns its reply.
fn ask(conn: &mut RawConn, args: &[&str]) -> Vec<u8> {
    conn.send_cmd(args);
    conn.read_reply()
}

/// Switches `conn` to RESP3 (the reply, which names the client, is not checked).
fn hello3(conn: &mut RawConn) {
    let reply = ask(conn, &["hello", "3"]);
    assert!(reply.starts_with(b"%7\r\n"), "{}", show(&reply));
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

/// Reads the next reply of `conn` and asserts it is `want`.
fn expect(conn: &mut RawConn, want: &[u8]) {
    let got = conn.read_reply();
    assert!(got == want, "expected {}, got {}", show(want), show(&got));
}

/// A bulk string.
fn bulk(s: &str) -> String {
    format!("${}\r\n{}\r\n", s.len(), s)
}

/// One entry `[id, [field, value, ...]]`.
fn entry(id: &str, fields: &[&str]) -> String {
    let mut out = format!("*2\r\n{}*{}\r\n", bulk(id), fields.len());
    for f in fields {
        out.push_str(&bulk(f));
    }
    out
}

/// A RESP2 read reply of one stream: `[[key, [entries...]]]`.
fn one_stream(key: &str, entries: &[String]) -> Vec<u8> {
    format!(
        "*1\r\n*2\r\n{}*{}\r\n{}",
        bulk(key),
        entries.len(),
        entries.concat()
    )
    .into_bytes()
}

/// The commands of an AOF (or any RESP command stream), as text arguments.
fn commands_of(mut bytes: &[u8]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = resp_frame_len(bytes)
            .expect("well-formed RESP")
            .expect("a whole frame");
        let frame = &bytes[..len];
        bytes = &bytes[len..];
        // *N\r\n then N bulk strings.
        let mut args = Vec::new();
        let mut rest = &frame[frame.iter().position(|&b| b == b'\n').unwrap() + 1..];
        while !rest.is_empty() {
            let nl = rest.iter().position(|&b| b == b'\n').unwrap();
            let n: usize = std::str::from_utf8(&rest[1..nl - 1])
                .unwrap()
                .parse()
                .unwrap();
            args.push(String::from_utf8_lossy(&rest[nl + 1..nl + 1 + n]).into_owned());
            rest = &rest[nl + 1 + n + 2..];
        }
        out.push(args);
    }
    out
}

/// The commands of `server`'s incremental AOF, without the leading SELECT, each as one
/// line; XCLAIM's delivery time (checked to be a time of this test) reads `<time>`.
fn aof_lines(server: &TestServer, since_ms: i64) -> Vec<String> {
    let mut lines = Vec::new();
    for mut cmd in commands_of(&incr_aof(server)) {
        if cmd[0].eq_ignore_ascii_case("select") {
            continue;
        }
        if cmd[0] == "XCLAIM" {
            let t: i64 = cmd[7].parse().unwrap();
            assert!(t >= since_ms && t <= now_ms(), "XCLAIM TIME {t}");
            cmd[7] = "<time>".into();
        }
        lines.push(cmd.join(" "));
    }
    lines
}

/// Waits until `server`'s AOF holds `n` commands besides SELECT.
fn wait_aof_len(server: &TestServer, n: usize, since_ms: i64) -> Vec<String> {
    let mut lines = Vec::new();
    let ok = wait_until(Duration::from_secs(10), || {
        lines = aof_lines(server, since_ms);
        lines.len() >= n
    });
    assert!(
        ok,
        "AOF has {} commands, wanted {n}: {lines:#?}",
        lines.len()
    );
    lines
}

// ---------------------------------------------------------------------------------------
// IDs from the clock
// ---------------------------------------------------------------------------------------

#[test]
fn xadd_star_takes_the_clock_and_never_goes_back() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let parse = |reply: &[u8]| -> (u64, u64) {
        let text = String::from_utf8_lossy(reply);
        let id = text.lines().nth(1).unwrap().to_string();
        let (ms, seq) = id.split_once('-').unwrap();
        (ms.parse().unwrap(), seq.parse().unwrap())
    };
    let before = now_ms() as u64;
    let first = parse(&ask(&mut conn, &["xadd", "s", "*", "a", "1"]));
    let after = now_ms() as u64;
    assert!(
        first.0 >= before && first.0 <= after && first.1 == 0,
        "{first:?}"
    );
    let mut last = first;
    for _ in 0..200 {
        let id = parse(&ask(&mut conn, &["xadd", "s", "*", "a", "1"]));
        assert!(id > last, "{id:?} after {last:?}");
        last = id;
    }
    // A last ID in the future: `*` keeps its millisecond and counts on.
    let future = (now_ms() + 3_600_000).to_string();
    let explicit = format!("{future}-5");
    check(
        &mut conn,
        &["xadd", "s", &explicit, "a", "1"],
        bulk(&explicit).as_bytes(),
    );
    let next = format!("{future}-6");
    check(
        &mut conn,
        &["xadd", "s", "*", "a", "1"],
        bulk(&next).as_bytes(),
    );
    let seq_star = format!("{future}-*");
    let next = format!("{future}-7");
    check(
        &mut conn,
        &["xadd", "s", &seq_star, "a", "1"],
        bulk(&next).as_bytes(),
    );
    check(&mut conn, &["xlen", "s"], b":204\r\n");
}

// ---------------------------------------------------------------------------------------
// Blocking reads
// ---------------------------------------------------------------------------------------

#[test]
fn xread_block_is_served_by_xadd_from_another_client() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    // `$` on a missing key: anything added is new.
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("1-1", &["a", "1"])]));
    wait_blocked(&mut ctl, 0);
    // `$` means the last ID when the client blocked, not when it is served.
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("2-1", &["b", "2"])]));
    // An explicit ID below the last one is served at once.
    check(
        &mut c1,
        &["xread", "block", "0", "streams", "s", "1-1"],
        &one_stream("s", &[entry("2-1", &["b", "2"])]),
    );
    // An explicit ID at or past the last one waits.
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "5-0"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "3-1", "c", "3"], b"$3\r\n3-1\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    check(&mut ctl, &["xadd", "s", "5-1", "d", "4"], b"$3\r\n5-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("5-1", &["d", "4"])]));
}

#[test]
fn xread_block_times_out_with_a_null_array() {
    let server = TestServer::start();
    let mut c1 = server.raw();
    let started = Instant::now();
    check(
        &mut c1,
        &["xread", "block", "100", "streams", "s", "$"],
        b"*-1\r\n",
    );
    assert!(started.elapsed() >= Duration::from_millis(100));
    check(&mut c1, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    check(
        &mut c1,
        &["xread", "block", "50", "count", "5", "streams", "s", "1-1"],
        b"*-1\r\n",
    );
    hello3(&mut c1);
    check(
        &mut c1,
        &["xread", "block", "50", "streams", "s", "$"],
        b"_\r\n",
    );
    check(
        &mut c1,
        &[
            "xreadgroup",
            "group",
            "g",
            "c",
            "block",
            "50",
            "streams",
            "s",
            ">",
        ],
        b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n",
    );
    check(&mut c1, &["xgroup", "create", "s", "g", "$"], b"+OK\r\n");
    check(
        &mut c1,
        &[
            "xreadgroup",
            "group",
            "g",
            "c",
            "block",
            "50",
            "streams",
            "s",
            ">",
        ],
        b"_\r\n",
    );
}

#[test]
fn a_blocked_reader_gets_only_the_stream_that_was_served() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    check(&mut ctl, &["xadd", "a", "1-1", "x", "1"], b"$3\r\n1-1\r\n");
    c1.send_cmd(&["xread", "block", "0", "streams", "a", "b", "$", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "b", "7-7", "y", "2"], b"$3\r\n7-7\r\n");
    expect(&mut c1, &one_stream("b", &[entry("7-7", &["y", "2"])]));
    // Several entries added by one transaction come together.
    c1.send_cmd(&["xread", "block", "0", "streams", "a", "b", "$", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["multi"], b"+OK\r\n");
    check(&mut ctl, &["xadd", "a", "2-1", "x", "2"], b"+QUEUED\r\n");
    check(&mut ctl, &["xadd", "a", "3-1", "x", "3"], b"+QUEUED\r\n");
    check(&mut ctl, &["exec"], b"*2\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n");
    expect(
        &mut c1,
        &one_stream("a", &[entry("2-1", &["x", "2"]), entry("3-1", &["x", "3"])]),
    );
    // COUNT caps what a blocked reader is served.
    c1.send_cmd(&["xread", "count", "1", "block", "0", "streams", "a", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["multi"], b"+OK\r\n");
    check(&mut ctl, &["xadd", "a", "4-1", "x", "4"], b"+QUEUED\r\n");
    check(&mut ctl, &["xadd", "a", "5-1", "x", "5"], b"+QUEUED\r\n");
    check(&mut ctl, &["exec"], b"*2\r\n$3\r\n4-1\r\n$3\r\n5-1\r\n");
    expect(&mut c1, &one_stream("a", &[entry("4-1", &["x", "4"])]));
    // Added then deleted before the reader runs: served an empty list, as Redis does
    // (the stream's last ID moved past the one it waited after).
    c1.send_cmd(&["xread", "block", "0", "streams", "a", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["multi"], b"+OK\r\n");
    check(&mut ctl, &["xadd", "a", "6-1", "x", "6"], b"+QUEUED\r\n");
    check(&mut ctl, &["xdel", "a", "6-1"], b"+QUEUED\r\n");
    check(&mut ctl, &["exec"], b"*2\r\n$3\r\n6-1\r\n:1\r\n");
    expect(&mut c1, &one_stream("a", &[]));
}

#[test]
fn a_blocked_reader_without_count_gets_at_most_1000_entries() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    let mut pipeline = common::encode_command(&["multi"]);
    for i in 1..=1001 {
        let id = format!("{i}-0");
        pipeline.extend(common::encode_command(&["xadd", "s", &id, "f", "v"]));
    }
    pipeline.extend(common::encode_command(&["exec"]));
    ctl.send(&pipeline);
    for _ in 0..1002 {
        ctl.read_reply();
    }
    let exec = ctl.read_reply();
    assert!(exec.starts_with(b"*1001\r\n"), "{}", show(&exec[..20]));
    let reply = c1.read_reply();
    assert!(
        reply.starts_with(b"*1\r\n*2\r\n$1\r\ns\r\n*1000\r\n"),
        "{}",
        show(&reply[..40])
    );
    // Without BLOCK, COUNT absent means everything.
    let all = ask(&mut c1, &["xread", "streams", "s", "0"]);
    assert!(
        all.starts_with(b"*1\r\n*2\r\n$1\r\ns\r\n*1001\r\n"),
        "{}",
        show(&all[..40])
    );
}

#[test]
fn every_blocked_xread_is_served_by_one_entry() {
    let server = TestServer::start();
    let mut ctl = server.raw();
    let mut readers: Vec<RawConn> = (0..3).map(|_| server.raw()).collect();
    for (i, r) in readers.iter_mut().enumerate() {
        r.send_cmd(&["xread", "block", "0", "streams", "s", "0"]);
        wait_blocked(&mut ctl, i + 1);
    }
    check(&mut ctl, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    for r in &mut readers {
        expect(r, &one_stream("s", &[entry("1-1", &["a", "1"])]));
    }
    wait_blocked(&mut ctl, 0);
}

#[test]
fn blocked_group_readers_are_served_first_come_first_served() {
    let server = TestServer::start();
    let (mut ctl, mut c1, mut c2) = (server.raw(), server.raw(), server.raw());
    check(
        &mut ctl,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "alice",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    c2.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "bob",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 2);
    check(&mut ctl, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("1-1", &["a", "1"])]));
    // The entry went to the first reader: the second keeps waiting.
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n");
    expect(&mut c2, &one_stream("s", &[entry("2-1", &["b", "2"])]));
    // Both consumers exist now, each with its entry pending.
    check(
        &mut ctl,
        &["xpending", "s", "g"],
        b"*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n",
    );
    // NOACK: delivered, not pending; the group still moves on.
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "carol",
        "noack",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "3-1", "c", "3"], b"$3\r\n3-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("3-1", &["c", "3"])]));
    check(
        &mut ctl,
        &["xpending", "s", "g", "-", "+", "10", "carol"],
        b"*0\r\n",
    );
    check(
        &mut ctl,
        &["xinfo", "groups", "s"],
        b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n",
    );
}

#[test]
fn a_blocked_group_reader_fails_when_its_group_or_stream_goes() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    check(
        &mut ctl,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "c",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xgroup", "destroy", "s", "g"], b":1\r\n");
    expect(
        &mut c1,
        b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
    );
    wait_blocked(&mut ctl, 0);
    check(&mut ctl, &["xgroup", "create", "s", "g", "$"], b"+OK\r\n");
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "c",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["set", "s", "x"], b"+OK\r\n");
    expect(&mut c1, b"-UNBLOCKED the stream key no longer exists\r\n");
    wait_blocked(&mut ctl, 0);
    // XREAD is not XREADGROUP: a key of another type leaves it waiting.
    c1.send_cmd(&["xread", "block", "0", "streams", "k", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["rpush", "k", "a"], b":1\r\n");
    check(&mut ctl, &["set", "k", "b"], b"+OK\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    check(&mut ctl, &["del", "k"], b":1\r\n");
    check(&mut ctl, &["xadd", "k", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    expect(&mut c1, &one_stream("k", &[entry("1-1", &["a", "1"])]));
}

#[test]
fn a_blocked_group_reader_hears_of_del_flushall_and_swapdb() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    let block = [
        "xreadgroup",
        "group",
        "g",
        "c",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ];
    // Each way of making the stream go away ends the wait at once.
    let goners: [&[&str]; 3] = [&["del", "s"], &["flushall"], &["swapdb", "0", "1"]];
    for gone in goners {
        check(&mut ctl, &["flushall"], b"+OK\r\n");
        check(
            &mut ctl,
            &["xgroup", "create", "s", "g", "$", "mkstream"],
            b"+OK\r\n",
        );
        c1.send_cmd(&block);
        wait_blocked(&mut ctl, 1);
        ask(&mut ctl, gone);
        expect(&mut c1, b"-UNBLOCKED the stream key no longer exists\r\n");
        wait_blocked(&mut ctl, 0);
    }
    // A list waiter keeps waiting through a stream at its key and that stream's DEL.
    check(&mut ctl, &["flushall"], b"+OK\r\n");
    c1.send_cmd(&["blpop", "l", "0"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "l", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    check(&mut ctl, &["del", "l"], b":1\r\n");
    assert_eq!(blocked_clients(&mut ctl), 1);
    check(&mut ctl, &["rpush", "l", "x"], b":1\r\n");
    expect(&mut c1, b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n");
}

#[test]
fn blocking_reads_inside_multi_and_scripts_do_not_block() {
    let server = TestServer::start();
    let mut c1 = server.raw();
    check(
        &mut c1,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    check(&mut c1, &["multi"], b"+OK\r\n");
    check(
        &mut c1,
        &["xread", "block", "0", "streams", "s", "$"],
        b"+QUEUED\r\n",
    );
    check(
        &mut c1,
        &[
            "xreadgroup",
            "group",
            "g",
            "c",
            "block",
            "0",
            "streams",
            "s",
            ">",
        ],
        b"+QUEUED\r\n",
    );
    check(&mut c1, &["xadd", "s", "1-1", "a", "1"], b"+QUEUED\r\n");
    check(
        &mut c1,
        &["xread", "block", "0", "streams", "s", "0"],
        b"+QUEUED\r\n",
    );
    let want = format!(
        "*4\r\n*-1\r\n*-1\r\n$3\r\n1-1\r\n{}",
        String::from_utf8(one_stream("s", &[entry("1-1", &["a", "1"])])).unwrap()
    );
    check(&mut c1, &["exec"], want.as_bytes());
    check(
        &mut c1,
        &[
            "eval",
            "return redis.pcall('xread','block','0','streams','s','$')",
            "0",
        ],
        b"-ERR xread command is not allowed with BLOCK option from scripts\r\n",
    );
    check(
        &mut c1,
        &[
            "eval",
            "return redis.pcall('XREADGROUP','GROUP','g','c','BLOCK','x','STREAMS','s','>')",
            "0",
        ],
        b"-ERR XREADGROUP command is not allowed with BLOCK option from scripts\r\n",
    );
    check(
        &mut c1,
        &["eval", "return redis.pcall('xread','streams','s','0')", "0"],
        &one_stream("s", &[entry("1-1", &["a", "1"])]),
    );
}

#[test]
fn client_unblock_and_pipelined_requests_behind_a_blocked_read() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    let id = String::from_utf8(ask(&mut c1, &["client", "id"])).unwrap();
    let id = id.trim_start_matches(':').trim().to_string();
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["client", "unblock", &id], b":1\r\n");
    expect(&mut c1, b"*-1\r\n");
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["client", "unblock", &id, "error"], b":1\r\n");
    expect(
        &mut c1,
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
    );
    // A request pipelined behind a blocked read runs once the read is answered.
    let mut pipeline = common::encode_command(&["xread", "block", "0", "streams", "s", "$"]);
    pipeline.extend(common::encode_command(&["xlen", "s"]));
    c1.send(&pipeline);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    expect(&mut c1, &one_stream("s", &[entry("1-1", &["a", "1"])]));
    expect(&mut c1, b":1\r\n");
}

#[test]
fn blocked_reads_answer_resp3_maps() {
    let server = TestServer::start();
    let (mut ctl, mut c1) = (server.raw(), server.raw());
    hello3(&mut c1);
    check(
        &mut ctl,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    c1.send_cmd(&["xread", "block", "0", "streams", "s", "$"]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n");
    let want = format!("%1\r\n{}*1\r\n{}", bulk("s"), entry("1-1", &["a", "1"]));
    expect(&mut c1, want.as_bytes());
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "c",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    // Served at once: the group has not seen 1-1.
    expect(&mut c1, want.as_bytes());
    c1.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "c",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    check(&mut ctl, &["xadd", "s", "2-1", "b", "2"], b"$3\r\n2-1\r\n");
    let want = format!("%1\r\n{}*1\r\n{}", bulk("s"), entry("2-1", &["b", "2"]));
    expect(&mut c1, want.as_bytes());
}

// ---------------------------------------------------------------------------------------
// Propagation
// ---------------------------------------------------------------------------------------

#[test]
fn xadd_and_trims_reach_the_aof_in_their_deterministic_form() {
    let server = TestServer::start_with(&[
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--stream-node-max-entries",
        "2",
    ]);
    let since = now_ms();
    let mut c = server.raw();
    let star = ask(&mut c, &["xadd", "s", "*", "a", "1"]);
    let star = String::from_utf8_lossy(&star)
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    for args in [
        &["xadd", "s", "99999999999999-*", "a", "2"][..],
        &["xadd", "s", "99999999999999-*", "a", "3"],
        &["xadd", "s", "99999999999999-9", "a", "4"],
        &[
            "xadd",
            "s",
            "maxlen",
            "~",
            "1",
            "99999999999999-10",
            "a",
            "5",
        ],
        &[
            "xadd",
            "s",
            "minid",
            "~",
            "99999999999999-10",
            "*",
            "a",
            "6",
        ],
        &["xadd", "s", "maxlen", "2", "99999999999999-12", "a", "7"],
        &["xtrim", "s", "maxlen", "~", "0"],
        &["xtrim", "s", "maxlen", "~", "1"],
        &["xtrim", "s", "maxlen", "=", "1"],
        &["xdel", "s", "1-1"],
        &["xdel", "s", "99999999999999-12"],
        &["xread", "streams", "s", "0"],
        &["xsetid", "s", "99999999999999-20", "entriesadded", "10"],
        &["xadd", "s", "nomkstream", "99999999999999-21", "a", "8"],
        &[
            "xadd",
            "s",
            "minid",
            "~",
            "99999999999999-99",
            "99999999999999-22",
            "a",
            "9",
        ],
        &["xtrim", "s", "minid", "~", "99999999999999-99"],
        &["xadd", "nokey", "nomkstream", "*", "a", "1"],
        // MINID ~ propagates the first node's first entry, even a deleted one.
        &["xadd", "m", "1-1", "a", "1"],
        &["xadd", "m", "2-1", "a", "1"],
        &["xadd", "m", "3-1", "a", "1"],
        &["xdel", "m", "1-1"],
        &["xadd", "m", "minid", "~", "2", "4-1", "a", "1"],
        &["xtrim", "m", "minid", "3"],
        &["xadd", "m", "minid", "~", "3", "5-1", "a", "1"],
    ] {
        ask(&mut c, args);
    }
    let lines = wait_aof_len(&server, 18, since);
    // What redis-server 7.0.15 writes for the same requests.
    assert_eq!(
        lines,
        vec![
            format!("xadd s {star} a 1"),
            "xadd s 99999999999999-0 a 2".to_string(),
            "xadd s 99999999999999-1 a 3".into(),
            "xadd s 99999999999999-9 a 4".into(),
            // Two-entry nodes: MAXLEN ~ 1 drops the full nodes ahead of the last one.
            "xadd s maxlen = 1 99999999999999-10 a 5".into(),
            "xadd s minid = 99999999999999-10 99999999999999-11 a 6".into(),
            "xadd s maxlen 2 99999999999999-12 a 7".into(),
            // Only trims that removed something propagate.
            "xtrim s maxlen = 0".into(),
            "xsetid s 99999999999999-20 entriesadded 10".into(),
            "xadd s nomkstream 99999999999999-21 a 8".into(),
            // MINID ~ may drop the node just appended to: an emptied stream has no
            // first entry, and Redis writes the largest ID instead.
            "xadd s minid = 18446744073709551615-18446744073709551615 99999999999999-22 a 9".into(),
            "xadd m 1-1 a 1".into(),
            "xadd m 2-1 a 1".into(),
            "xadd m 3-1 a 1".into(),
            "xdel m 1-1".into(),
            "xadd m minid = 1-1 4-1 a 1".into(),
            "xtrim m minid 3".into(),
            "xadd m minid = 3-1 5-1 a 1".into(),
        ]
    );
    check(&mut c, &["xlen", "s"], b":0\r\n");
}

#[test]
fn xreadgroup_reaches_the_aof_as_xclaim_and_xgroup() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let since = now_ms();
    let (mut ctl, mut c) = (server.raw(), server.raw());
    for args in [
        &["xadd", "s", "1-1", "a", "1"][..],
        &["xadd", "s", "2-1", "b", "2"],
        &["xgroup", "create", "s", "g", "0"],
        &["xreadgroup", "group", "g", "alice", "streams", "s", ">"],
        // History reads and reads that find nothing propagate nothing.
        &["xreadgroup", "group", "g", "alice", "streams", "s", "0"],
        &["xreadgroup", "group", "g", "bob", "streams", "s", "0"],
        &["xreadgroup", "group", "g", "bob", "streams", "s", ">"],
        &["xadd", "s", "3-1", "c", "3"],
        &[
            "xreadgroup",
            "group",
            "g",
            "carol",
            "noack",
            "streams",
            "s",
            ">",
        ],
        &[
            "xreadgroup",
            "group",
            "g",
            "dave",
            "noack",
            "streams",
            "s",
            "0",
        ],
    ] {
        ask(&mut c, args);
    }
    c.send_cmd(&[
        "xreadgroup",
        "group",
        "g",
        "alice",
        "count",
        "5",
        "block",
        "0",
        "streams",
        "s",
        ">",
    ]);
    wait_blocked(&mut ctl, 1);
    ask(&mut ctl, &["xadd", "s", "4-1", "d", "4"]);
    expect(&mut c, &one_stream("s", &[entry("4-1", &["d", "4"])]));
    let lines = wait_aof_len(&server, 15, since);
    let xclaim = |consumer: &str, id: &str| {
        format!("XCLAIM s g {consumer} 0 {id} TIME <time> RETRYCOUNT 1 FORCE JUSTID LASTID {id}")
    };
    assert_eq!(
        lines,
        vec![
            "xadd s 1-1 a 1".to_string(),
            "xadd s 2-1 b 2".into(),
            "xgroup create s g 0".into(),
            "MULTI".into(),
            xclaim("alice", "1-1"),
            xclaim("alice", "2-1"),
            "EXEC".into(),
            "xadd s 3-1 c 3".into(),
            "MULTI".into(),
            "XGROUP CREATECONSUMER s g carol".into(),
            "XGROUP SETID s g 3-1 ENTRIESREAD 3".into(),
            "EXEC".into(),
            "XGROUP CREATECONSUMER s g dave".into(),
            "xadd s 4-1 d 4".into(),
            xclaim("alice", "4-1"),
        ]
    );
    for l in &lines {
        assert!(!l.to_lowercase().starts_with("xread"), "{l}");
    }
}

#[test]
fn a_replica_ends_with_the_same_streams_and_groups() {
    let master = common::repl::master(&["--stream-node-max-entries", "3"]);
    let replica = common::repl::replica_of(master.port, &["--stream-node-max-entries", "3"]);
    common::repl::wait_synced(&master, &[&replica]);
    let mut m = master.raw();
    check(
        &mut m,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    for i in 0..20 {
        let id = if i % 2 == 0 {
            "*".to_string()
        } else {
            format!("{}-*", 9_000_000_000_000u64 + i)
        };
        ask(
            &mut m,
            &["xadd", "s", "maxlen", "~", "7", &id, "n", &i.to_string()],
        );
        if i % 5 == 0 {
            ask(
                &mut m,
                &[
                    "xreadgroup",
                    "group",
                    "g",
                    "c1",
                    "count",
                    "2",
                    "streams",
                    "s",
                    ">",
                ],
            );
            ask(
                &mut m,
                &[
                    "xreadgroup",
                    "group",
                    "g",
                    "c2",
                    "noack",
                    "count",
                    "1",
                    "streams",
                    "s",
                    ">",
                ],
            );
        }
    }
    ask(&mut m, &["xtrim", "s", "minid", "~", "9000000000010"]);
    common::repl::wait_synced(&master, &[&replica]);
    let mut r = replica.raw();
    for cmd in [
        &["xrange", "s", "-", "+"][..],
        &["xlen", "s"],
        &["xpending", "s", "g"],
        &["xinfo", "groups", "s"],
        &["xinfo", "stream", "s"],
    ] {
        let (want, got) = (ask(&mut m, cmd), ask(&mut r, cmd));
        assert_eq!(show(&got), show(&want), "{cmd:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Events, WATCH
// ---------------------------------------------------------------------------------------

#[test]
fn keyspace_events_as_redis_publishes_them() {
    let server = TestServer::start();
    let (mut ctl, mut sub) = (server.raw(), server.raw());
    check(
        &mut ctl,
        &["config", "set", "notify-keyspace-events", "Et"],
        b"+OK\r\n",
    );
    check(
        &mut sub,
        &["psubscribe", "__keyevent@0__:*"],
        b"*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n",
    );
    for args in [
        &["xadd", "s", "maxlen", "1", "1-1", "a", "1"][..],
        &["xadd", "s", "maxlen", "1", "2-1", "a", "1"],
        &["xtrim", "s", "maxlen", "0"],
        &["xtrim", "s", "maxlen", "0"],
        &["xadd", "s", "3-1", "a", "1"],
        &["xdel", "s", "3-1"],
        &["xdel", "s", "3-1"],
        &["xsetid", "s", "5-0"],
        &["xgroup", "create", "s", "g", "0"],
        &["xadd", "s", "6-1", "a", "1"],
        &["xreadgroup", "group", "g", "c", "streams", "s", ">"],
        &["xreadgroup", "group", "g", "c", "streams", "s", "0"],
        &["xreadgroup", "group", "g", "c2", "streams", "s", "0"],
        &["xread", "streams", "s", "0"],
        &["xadd", "nokey", "nomkstream", "*", "a", "1"],
    ] {
        ask(&mut ctl, args);
    }
    ask(&mut ctl, &["publish", "__keyevent@0__:end", "s"]);
    let mut events = Vec::new();
    loop {
        let msg = sub.read_reply();
        let text = String::from_utf8_lossy(&msg).into_owned();
        let channel = text.lines().nth(6).unwrap_or_default().to_string();
        let event = channel.trim_start_matches("__keyevent@0__:").to_string();
        if event == "end" {
            break;
        }
        events.push(event);
    }
    assert_eq!(
        events,
        [
            "xadd",
            "xadd",
            "xtrim",
            "xtrim",
            "xadd",
            "xdel",
            "xsetid",
            "xgroup-create",
            "xadd",
            "xgroup-createconsumer",
            "xgroup-createconsumer",
        ]
    );
}

#[test]
fn xadd_touches_watched_keys_and_xreadgroup_does_not() {
    let server = TestServer::start();
    let (mut w, mut other) = (server.raw(), server.raw());
    check(
        &mut w,
        &["xgroup", "create", "s", "g", "$", "mkstream"],
        b"+OK\r\n",
    );
    check(
        &mut other,
        &["xadd", "s", "1-1", "a", "1"],
        b"$3\r\n1-1\r\n",
    );
    // Redis's XREADGROUP changes the group without signalling the key modified.
    check(&mut w, &["watch", "s"], b"+OK\r\n");
    ask(
        &mut other,
        &["xreadgroup", "group", "g", "c", "streams", "s", ">"],
    );
    ask(&mut other, &["xread", "streams", "s", "0"]);
    check(&mut w, &["multi"], b"+OK\r\n");
    check(&mut w, &["ping"], b"+QUEUED\r\n");
    check(&mut w, &["exec"], b"*1\r\n+PONG\r\n");
    for change in [
        &["xadd", "s", "2-1", "a", "1"][..],
        &["xdel", "s", "2-1"],
        &["xtrim", "s", "maxlen", "0"],
        &["xsetid", "s", "9-9"],
    ] {
        check(&mut w, &["watch", "s"], b"+OK\r\n");
        ask(&mut other, change);
        check(&mut w, &["multi"], b"+OK\r\n");
        check(&mut w, &["ping"], b"+QUEUED\r\n");
        check(&mut w, &["exec"], b"*-1\r\n");
    }
}
