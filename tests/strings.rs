//! Integration tests of the string family (GET/SET and variants, MGET/MSET, counters,
//! INCRBYFLOAT, APPEND/STRLEN, GETRANGE/SETRANGE, LCS) against the real binary. Every
//! expected reply in the scripts below was captured byte for byte from redis-server
//! 7.0.15 running the same commands on an empty database.
//!
//! Not covered here: WRONGTYPE replies against keys of other types (no other type can
//! be created yet; the string commands check the type through `Value::string_bytes`).

mod common;

use common::{ask, check, now_ms, run_fresh, run_script, show, RawConn, Script, TestServer};

/// Sends one command that answers an integer and returns it.
fn ask_int(conn: &mut RawConn, args: &[&str]) -> i64 {
    let reply = ask(conn, args);
    let text = std::str::from_utf8(&reply).expect("ASCII reply");
    text.strip_prefix(':')
        .and_then(|t| t.strip_suffix("\r\n"))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{:?}: not an integer reply: {}", args, show(&reply)))
}

/// Asserts that `key`'s PTTL lies in `low..=high`.
fn assert_pttl(conn: &mut RawConn, key: &str, low: i64, high: i64) {
    let ttl = ask_int(conn, &["pttl", key]);
    assert!(
        (low..=high).contains(&ttl),
        "PTTL {key} = {ttl}, expected {low}..={high}"
    );
}

const GET_SET: Script = &[
    (&["set", "k", "v"], b"+OK\r\n"),
    (&["get", "k"], b"$1\r\nv\r\n"),
    (&["get", "nokey"], b"$-1\r\n"),
    (&["set", "k", ""], b"+OK\r\n"),
    (&["get", "k"], b"$0\r\n\r\n"),
    (&["strlen", "k"], b":0\r\n"),
    (&["set", "k", "12345"], b"+OK\r\n"),
    (&["get", "k"], b"$5\r\n12345\r\n"),
    (&["set", "k", "-0"], b"+OK\r\n"),
    (&["get", "k"], b"$2\r\n-0\r\n"),
    (&["set", "k", "9223372036854775808"], b"+OK\r\n"),
    (&["get", "k"], b"$19\r\n9223372036854775808\r\n"),
    (
        &["get"],
        b"-ERR wrong number of arguments for 'get' command\r\n",
    ),
    (
        &["get", "a", "b"],
        b"-ERR wrong number of arguments for 'get' command\r\n",
    ),
    (
        &["set", "k"],
        b"-ERR wrong number of arguments for 'set' command\r\n",
    ),
    (&["set", "k", "v", "x"], b"-ERR syntax error\r\n"),
];

const SET_OPTION_ERRORS: Script = &[
    (
        &["set", "k", "v", "ex", "0"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "ex", "-1"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "px", "0"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "exat", "0"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "pxat", "-10"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "ex", "9223372036854775"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "ex", "9223372036854775807"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "px", "9223372036854775807"],
        b"-ERR invalid expire time in 'set' command\r\n",
    ),
    (
        &["set", "k", "v", "ex", "1.5"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["set", "k", "v", "ex", "abc"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "k", "v", "nx", "xx"], b"-ERR syntax error\r\n"),
    (&["set", "k", "v", "xx", "nx"], b"-ERR syntax error\r\n"),
    (&["set", "k", "v", "ex"], b"-ERR syntax error\r\n"),
    (&["set", "k", "v", "pxat"], b"-ERR syntax error\r\n"),
    (
        &["set", "k", "v", "ex", "10", "px", "100"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["set", "k", "v", "px", "10", "exat", "100"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["set", "k", "v", "exat", "10", "pxat", "100"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["set", "k", "v", "ex", "10", "keepttl"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["set", "k", "v", "keepttl", "ex", "10"],
        b"-ERR syntax error\r\n",
    ),
    (&["set", "k", "v", "persist"], b"-ERR syntax error\r\n"),
    (&["set", "k", "v", "foo"], b"-ERR syntax error\r\n"),
    (&["exists", "k"], b":0\r\n"),
];

const SET_NX_XX_GET: Script = &[
    (&["set", "k", "v", "xx"], b"$-1\r\n"),
    (&["get", "k"], b"$-1\r\n"),
    (&["set", "k", "v", "nx"], b"+OK\r\n"),
    (&["set", "k", "w", "nx"], b"$-1\r\n"),
    (&["get", "k"], b"$1\r\nv\r\n"),
    (&["set", "k", "w", "xx"], b"+OK\r\n"),
    (&["get", "k"], b"$1\r\nw\r\n"),
    (&["set", "k", "x", "get"], b"$1\r\nw\r\n"),
    (&["set", "k", "y", "GET", "get"], b"$1\r\nx\r\n"),
    (&["set", "k", "z", "nx", "get"], b"$1\r\ny\r\n"),
    (&["get", "k"], b"$1\r\ny\r\n"),
    (&["set", "k2", "v", "xx", "get"], b"$-1\r\n"),
    (&["get", "k2"], b"$-1\r\n"),
    (&["set", "k2", "v2", "nx", "get"], b"$-1\r\n"),
    (&["get", "k2"], b"$2\r\nv2\r\n"),
    (&["set", "k3", "a", "get", "get"], b"$-1\r\n"),
    (&["setnx", "k3", "b"], b":0\r\n"),
    (&["setnx", "k4", "b"], b":1\r\n"),
    (&["get", "k4"], b"$1\r\nb\r\n"),
    (&["mset", "a", "1", "b", "2"], b"+OK\r\n"),
    (
        &["mset", "a", "1", "b"],
        b"-ERR wrong number of arguments for 'mset' command\r\n",
    ),
    (&["msetnx", "a", "1", "c", "2"], b":0\r\n"),
    (&["exists", "c"], b":0\r\n"),
    (&["msetnx", "c", "1", "d", "2"], b":1\r\n"),
    (
        &["mget", "a", "b", "c", "d", "nokey"],
        b"*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n",
    ),
    (&["msetnx", "c", "1"], b":0\r\n"),
    (
        &["mset"],
        b"-ERR wrong number of arguments for 'mset' command\r\n",
    ),
];

const GETSET_GETDEL: Script = &[
    (&["getset", "k", "a"], b"$-1\r\n"),
    (&["getset", "k", "b"], b"$1\r\na\r\n"),
    (&["get", "k"], b"$1\r\nb\r\n"),
    (&["getdel", "k"], b"$1\r\nb\r\n"),
    (&["getdel", "k"], b"$-1\r\n"),
    (&["exists", "k"], b":0\r\n"),
    (&["getdel", "nokey"], b"$-1\r\n"),
];

const GETEX_ERRORS: Script = &[
    (&["getex", "nokey"], b"$-1\r\n"),
    (&["getex", "nokey", "ex", "0"], b"$-1\r\n"),
    (&["getex", "nokey", "foo"], b"-ERR syntax error\r\n"),
    (&["set", "k", "v"], b"+OK\r\n"),
    (
        &["getex", "k", "ex", "0"],
        b"-ERR invalid expire time in 'getex' command\r\n",
    ),
    (
        &["getex", "k", "px", "-1"],
        b"-ERR invalid expire time in 'getex' command\r\n",
    ),
    (
        &["getex", "k", "exat", "0"],
        b"-ERR invalid expire time in 'getex' command\r\n",
    ),
    (
        &["getex", "k", "ex", "abc"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["getex", "k", "ex", "9223372036854775"],
        b"-ERR invalid expire time in 'getex' command\r\n",
    ),
    (&["getex", "k", "ex"], b"-ERR syntax error\r\n"),
    (&["getex", "k", "nx"], b"-ERR syntax error\r\n"),
    (&["getex", "k", "get"], b"-ERR syntax error\r\n"),
    (&["getex", "k", "keepttl"], b"-ERR syntax error\r\n"),
    (
        &["getex", "k", "persist", "ex", "10"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["getex", "k", "ex", "10", "persist"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["getex", "k", "ex", "10", "px", "10"],
        b"-ERR syntax error\r\n",
    ),
    (&["getex", "k"], b"$1\r\nv\r\n"),
    (&["getex", "k", "persist"], b"$1\r\nv\r\n"),
    (&["getex", "k", "pxat", "1"], b"$1\r\nv\r\n"),
    (&["exists", "k"], b":0\r\n"),
    (&["set", "k", "v"], b"+OK\r\n"),
    (&["getex", "k", "exat", "1"], b"$1\r\nv\r\n"),
    (&["get", "k"], b"$-1\r\n"),
];

const COUNTERS: Script = &[
    (&["incr", "n"], b":1\r\n"),
    (&["incr", "n"], b":2\r\n"),
    (&["incrby", "n", "10"], b":12\r\n"),
    (&["decr", "n"], b":11\r\n"),
    (&["decrby", "n", "5"], b":6\r\n"),
    (&["incrby", "n", "-20"], b":-14\r\n"),
    (&["decrby", "n", "-1"], b":-13\r\n"),
    (
        &["incrby", "n", "abc"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["incrby", "n", "1.5"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["incrby", "n", " 1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["decrby", "n", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["decrby", "n", "-9223372036854775808"],
        b"-ERR decrement would overflow\r\n",
    ),
    (&["get", "n"], b"$3\r\n-13\r\n"),
    (&["set", "n", "9223372036854775807"], b"+OK\r\n"),
    (
        &["incr", "n"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (
        &["incrby", "n", "1"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (
        &["decrby", "n", "-1"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (&["set", "n", "-9223372036854775808"], b"+OK\r\n"),
    (
        &["decr", "n"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (
        &["incrby", "n", "-1"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (
        &["decrby", "n", "1"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (&["set", "n", "9223372036854775806"], b"+OK\r\n"),
    (&["incr", "n"], b":9223372036854775807\r\n"),
    (&["get", "n"], b"$19\r\n9223372036854775807\r\n"),
    (
        &["incrby", "m", "-9223372036854775808"],
        b":-9223372036854775808\r\n",
    ),
    (
        &["decr", "m"],
        b"-ERR increment or decrement would overflow\r\n",
    ),
    (&["set", "s", "abc"], b"+OK\r\n"),
    (
        &["incr", "s"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "s", "01"], b"+OK\r\n"),
    (
        &["incr", "s"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "s", " 5"], b"+OK\r\n"),
    (
        &["incr", "s"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "s", "5 "], b"+OK\r\n"),
    (
        &["decr", "s"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "s", ""], b"+OK\r\n"),
    (
        &["incr", "s"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "s", "1e3"], b"+OK\r\n"),
    (
        &["incrby", "s", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["append", "ap", "12"], b":2\r\n"),
    (&["incr", "ap"], b":13\r\n"),
    (&["get", "ap"], b"$2\r\n13\r\n"),
    (
        &["incr"],
        b"-ERR wrong number of arguments for 'incr' command\r\n",
    ),
    (
        &["incrby", "n"],
        b"-ERR wrong number of arguments for 'incrby' command\r\n",
    ),
];

const INCRBYFLOAT: Script = &[
    (&["incrbyfloat", "f", "10.5"], b"$4\r\n10.5\r\n"),
    (&["incrbyfloat", "f", "0.1"], b"$4\r\n10.6\r\n"),
    (&["incrbyfloat", "f", "-5"], b"$3\r\n5.6\r\n"),
    (&["incrbyfloat", "f2", "0.1"], b"$3\r\n0.1\r\n"),
    (&["incrbyfloat", "f2", "0.2"], b"$3\r\n0.3\r\n"),
    (&["incrbyfloat", "f3", "5.0e3"], b"$4\r\n5000\r\n"),
    (&["incrbyfloat", "f3", "2.0e2"], b"$4\r\n5200\r\n"),
    (&["incrbyfloat", "f4", "1e30"], b"$31\r\n1000000000000000000024696061952\r\n"),
    (&["incrbyfloat", "f5", "-0"], b"$1\r\n0\r\n"),
    (&["incrbyfloat", "f6", "3"], b"$1\r\n3\r\n"),
    (&["incrbyfloat", "f6", "1.5e-7"], b"$10\r\n3.00000015\r\n"),
    (&["incrbyfloat", "f7", "1.23456789012345678"], b"$19\r\n1.23456789012345678\r\n"),
    (&["incrbyfloat", "f8", "0x10"], b"$2\r\n16\r\n"),
    (&["incrbyfloat", "f", "f"], b"-ERR value is not a valid float\r\n"),
    (&["incrbyfloat", "f", ""], b"-ERR value is not a valid float\r\n"),
    (&["incrbyfloat", "f", " 1"], b"-ERR value is not a valid float\r\n"),
    (&["incrbyfloat", "f", "nan"], b"-ERR value is not a valid float\r\n"),
    (&["incrbyfloat", "f", "inf"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&["incrbyfloat", "f", "-inf"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&["incrbyfloat", "f", "1e400"], b"$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"),
    (&["get", "f"], b"$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"),
    (&["set", "s", "abc"], b"+OK\r\n"),
    (&["incrbyfloat", "s", "1"], b"-ERR value is not a valid float\r\n"),
    (&["set", "i", "10"], b"+OK\r\n"),
    (&["incrbyfloat", "i", "0.5"], b"$4\r\n10.5\r\n"),
    (&["set", "big", "1.7976931348623157e308"], b"+OK\r\n"),
    (&["incrbyfloat", "big", "1.7976931348623157e308"], b"$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n"),
];

const APPEND_STRLEN: Script = &[
    (&["append", "k", "hello"], b":5\r\n"),
    (&["append", "k", " world"], b":11\r\n"),
    (&["get", "k"], b"$11\r\nhello world\r\n"),
    (&["strlen", "k"], b":11\r\n"),
    (&["append", "k", ""], b":11\r\n"),
    (&["strlen", "k"], b":11\r\n"),
    (&["strlen", "nokey"], b":0\r\n"),
    (&["set", "n", "123"], b"+OK\r\n"),
    (&["strlen", "n"], b":3\r\n"),
    (&["append", "n", "45"], b":5\r\n"),
    (&["get", "n"], b"$5\r\n12345\r\n"),
    (&["strlen", "n"], b":5\r\n"),
    (&["set", "e", ""], b"+OK\r\n"),
    (&["strlen", "e"], b":0\r\n"),
    (&["append", "e", ""], b":0\r\n"),
    (&["strlen", "e"], b":0\r\n"),
];

const GETRANGE: Script = &[
    (&["set", "k", "This is a string"], b"+OK\r\n"),
    (&["getrange", "k", "0", "3"], b"$4\r\nThis\r\n"),
    (&["getrange", "k", "-3", "-1"], b"$3\r\ning\r\n"),
    (
        &["getrange", "k", "0", "-1"],
        b"$16\r\nThis is a string\r\n",
    ),
    (&["getrange", "k", "10", "100"], b"$6\r\nstring\r\n"),
    (&["getrange", "k", "-100", "3"], b"$4\r\nThis\r\n"),
    (&["getrange", "k", "5", "2"], b"$0\r\n\r\n"),
    (&["getrange", "k", "-1", "-5"], b"$0\r\n\r\n"),
    (&["getrange", "k", "-1", "-1"], b"$1\r\ng\r\n"),
    (&["getrange", "k", "16", "20"], b"$0\r\n\r\n"),
    (&["getrange", "k", "15", "15"], b"$1\r\ng\r\n"),
    (
        &["getrange", "k", "a", "1"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["getrange", "k", "0", "b"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["getrange", "nokey", "0", "-1"], b"$0\r\n\r\n"),
    (
        &["getrange", "nokey", "a", "b"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "n", "12345"], b"+OK\r\n"),
    (&["getrange", "n", "1", "2"], b"$2\r\n23\r\n"),
    (&["getrange", "n", "-2", "-1"], b"$2\r\n45\r\n"),
    (&["set", "e", ""], b"+OK\r\n"),
    (&["getrange", "e", "0", "-1"], b"$0\r\n\r\n"),
    (&["getrange", "e", "0", "0"], b"$0\r\n\r\n"),
    (&["substr", "k", "0", "3"], b"$4\r\nThis\r\n"),
    (&["substr", "k", "-6", "-1"], b"$6\r\nstring\r\n"),
    (
        &["substr", "k", "5"],
        b"-ERR wrong number of arguments for 'substr' command\r\n",
    ),
];

const SETRANGE: Script = &[
    (&["setrange", "k", "0", ""], b":0\r\n"),
    (&["exists", "k"], b":0\r\n"),
    (
        &["setrange", "k", "-1", "x"],
        b"-ERR offset is out of range\r\n",
    ),
    (
        &["setrange", "k", "x", "y"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["setrange", "k", "5", "abc"], b":8\r\n"),
    (&["get", "k"], b"$8\r\n\x00\x00\x00\x00\x00abc\r\n"),
    (&["setrange", "k", "0", "XY"], b":8\r\n"),
    (&["get", "k"], b"$8\r\nXY\x00\x00\x00abc\r\n"),
    (&["setrange", "k", "6", ""], b":8\r\n"),
    (&["setrange", "k", "10", "Z"], b":11\r\n"),
    (&["get", "k"], b"$11\r\nXY\x00\x00\x00abc\x00\x00Z\r\n"),
    (&["strlen", "k"], b":11\r\n"),
    (&["set", "n", "12345"], b"+OK\r\n"),
    (&["setrange", "n", "1", "9"], b":5\r\n"),
    (&["get", "n"], b"$5\r\n19345\r\n"),
    (&["setrange", "n", "0", ""], b":5\r\n"),
    (&["setrange", "big", "1000000", "x"], b":1000001\r\n"),
    (&["strlen", "big"], b":1000001\r\n"),
    (
        &["getrange", "big", "999999", "1000000"],
        b"$2\r\n\x00x\r\n",
    ),
    (
        &["getrange", "big", "0", "3"],
        b"$4\r\n\x00\x00\x00\x00\r\n",
    ),
    (
        &["setrange", "k", "536870912", "x"],
        b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    ),
    (&["setrange", "k", "536870911", ""], b":11\r\n"),
    (
        &["setrange", "nope", "536870912", "x"],
        b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    ),
    (&["exists", "nope"], b":0\r\n"),
];

const LCS: Script = &[
    (&["lcs", "a", "b"], b"$0\r\n\r\n"),
    (&["set", "a", "ohmytext"], b"+OK\r\n"),
    (&["set", "b", "mynewtext"], b"+OK\r\n"),
    (&["lcs", "a", "b"], b"$6\r\nmytext\r\n"),
    (&["lcs", "a", "b", "len"], b":6\r\n"),
    (&["lcs", "a", "b", "LEN", "LEN"], b":6\r\n"),
    (&["lcs", "a", "b", "idx"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
    (&["lcs", "a", "b", "idx", "minmatchlen", "4"], b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"),
    (&["lcs", "a", "b", "idx", "withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
    (&["lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"),
    (&["lcs", "a", "b", "idx", "minmatchlen", "-5", "withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
    (&["lcs", "a", "b", "withmatchlen"], b"$6\r\nmytext\r\n"),
    (&["lcs", "a", "b", "minmatchlen", "4"], b"$6\r\nmytext\r\n"),
    (&["lcs", "a", "b", "len", "idx"], b"-ERR If you want both the length and indexes, please just use IDX.\r\n"),
    (&["lcs", "a", "b", "idx", "len"], b"-ERR If you want both the length and indexes, please just use IDX.\r\n"),
    (&["lcs", "a", "b", "foo"], b"-ERR syntax error\r\n"),
    (&["lcs", "a", "b", "minmatchlen"], b"-ERR syntax error\r\n"),
    (&["lcs", "a", "b", "minmatchlen", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["lcs", "a", "nokey"], b"$0\r\n\r\n"),
    (&["lcs", "nokey", "a", "idx"], b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
    (&["lcs", "nokey", "nokey2", "len"], b":0\r\n"),
    (&["set", "c", "123456"], b"+OK\r\n"),
    (&["set", "d", "3456"], b"+OK\r\n"),
    (&["lcs", "c", "d"], b"$4\r\n3456\r\n"),
    (&["lcs", "c", "d", "idx", "withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:5\r\n*2\r\n:0\r\n:3\r\n:4\r\n$3\r\nlen\r\n:4\r\n"),
    (&["set", "e", "abcabc"], b"+OK\r\n"),
    (&["set", "f", "cba"], b"+OK\r\n"),
    (&["lcs", "e", "f", "idx", "withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:2\r\n"),
    (&["lcs", "a"], b"-ERR wrong number of arguments for 'lcs' command\r\n"),
];

#[test]
fn get_and_set() {
    run_fresh(GET_SET);
}

#[test]
fn set_option_errors() {
    run_fresh(SET_OPTION_ERRORS);
}

#[test]
fn set_nx_xx_get_setnx_and_mset() {
    run_fresh(SET_NX_XX_GET);
}

#[test]
fn getset_and_getdel() {
    run_fresh(GETSET_GETDEL);
}

#[test]
fn getex_errors_and_past_times() {
    run_fresh(GETEX_ERRORS);
}

#[test]
fn incr_decr_and_overflow() {
    run_fresh(COUNTERS);
}

#[test]
fn incrbyfloat_formats_like_redis() {
    run_fresh(INCRBYFLOAT);
}

#[test]
fn append_and_strlen() {
    run_fresh(APPEND_STRLEN);
}

#[test]
fn getrange_and_substr() {
    run_fresh(GETRANGE);
}

#[test]
fn setrange_grows_and_checks_offsets() {
    run_fresh(SETRANGE);
}

#[test]
fn lcs_all_forms() {
    run_fresh(LCS);
}

#[test]
fn set_expire_options_set_the_ttl() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, &["set", "k", "v", "ex", "100"], b"+OK\r\n");
    assert_pttl(&mut c, "k", 98_000, 100_000);
    check(&mut c, &["set", "k", "v", "px", "5000"], b"+OK\r\n");
    assert_pttl(&mut c, "k", 3_000, 5_000);
    let at = now_ms() / 1000 + 200;
    check(
        &mut c,
        &["set", "k", "v", "exat", &at.to_string()],
        b"+OK\r\n",
    );
    assert_pttl(&mut c, "k", 190_000, 200_000);
    let at = now_ms() + 300_000;
    check(
        &mut c,
        &["set", "k", "v", "pxat", &at.to_string()],
        b"+OK\r\n",
    );
    assert_pttl(&mut c, "k", 290_000, 300_000);
    // KEEPTTL keeps it, a plain SET clears it.
    check(&mut c, &["set", "k", "w", "keepttl"], b"+OK\r\n");
    assert_pttl(&mut c, "k", 290_000, 300_000);
    check(&mut c, &["get", "k"], b"$1\r\nw\r\n");
    check(&mut c, &["set", "k", "x"], b"+OK\r\n");
    check(&mut c, &["pttl", "k"], b":-1\r\n");
    // XX with an expire on an existing key; NX refused leaves the TTL alone.
    check(&mut c, &["set", "k", "y", "xx", "ex", "50"], b"+OK\r\n");
    check(&mut c, &["set", "k", "z", "nx", "ex", "500"], b"$-1\r\n");
    assert_pttl(&mut c, "k", 48_000, 50_000);
    // An absolute time in the past: the key is set, then gone at the next lookup.
    check(&mut c, &["set", "k", "v", "exat", "1"], b"+OK\r\n");
    check(&mut c, &["get", "k"], b"$-1\r\n");
    check(&mut c, &["exists", "k"], b":0\r\n");
    check(&mut c, &["set", "k", "v", "pxat", "1", "get"], b"$-1\r\n");
    check(&mut c, &["exists", "k"], b":0\r\n");
}

#[test]
fn setex_psetex_and_getex_set_the_ttl() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, &["setex", "a", "100", "v"], b"+OK\r\n");
    assert_pttl(&mut c, "a", 98_000, 100_000);
    check(
        &mut c,
        &["setex", "a", "0", "v"],
        b"-ERR invalid expire time in 'setex' command\r\n",
    );
    check(
        &mut c,
        &["setex", "a", "-1", "v"],
        b"-ERR invalid expire time in 'setex' command\r\n",
    );
    check(
        &mut c,
        &["setex", "a", "x", "v"],
        b"-ERR value is not an integer or out of range\r\n",
    );
    check(
        &mut c,
        &["setex", "a", "9223372036854775", "v"],
        b"-ERR invalid expire time in 'setex' command\r\n",
    );
    check(&mut c, &["psetex", "b", "2500", "v"], b"+OK\r\n");
    assert_pttl(&mut c, "b", 1_000, 2_500);
    check(
        &mut c,
        &["psetex", "b", "0", "v"],
        b"-ERR invalid expire time in 'psetex' command\r\n",
    );
    check(
        &mut c,
        &["psetex", "b", "9223372036854775807", "v"],
        b"-ERR invalid expire time in 'psetex' command\r\n",
    );
    check(
        &mut c,
        &["setex", "a", "5"],
        b"-ERR wrong number of arguments for 'setex' command\r\n",
    );
    // GETSET clears the TTL.
    check(&mut c, &["getset", "a", "w"], b"$1\r\nv\r\n");
    check(&mut c, &["pttl", "a"], b":-1\r\n");
    // GETEX sets, replaces and removes it.
    check(&mut c, &["getex", "a", "ex", "100"], b"$1\r\nw\r\n");
    assert_pttl(&mut c, "a", 98_000, 100_000);
    check(&mut c, &["getex", "a", "px", "5000"], b"$1\r\nw\r\n");
    assert_pttl(&mut c, "a", 3_000, 5_000);
    let at = now_ms() / 1000 + 200;
    check(
        &mut c,
        &["getex", "a", "exat", &at.to_string()],
        b"$1\r\nw\r\n",
    );
    assert_pttl(&mut c, "a", 190_000, 200_000);
    let at = now_ms() + 300_000;
    check(
        &mut c,
        &["getex", "a", "pxat", &at.to_string()],
        b"$1\r\nw\r\n",
    );
    assert_pttl(&mut c, "a", 290_000, 300_000);
    check(&mut c, &["getex", "a"], b"$1\r\nw\r\n");
    assert_pttl(&mut c, "a", 290_000, 300_000);
    check(&mut c, &["getex", "a", "persist"], b"$1\r\nw\r\n");
    check(&mut c, &["pttl", "a"], b":-1\r\n");
    // INCR, APPEND, SETRANGE and INCRBYFLOAT keep the TTL.
    check(&mut c, &["set", "n", "1", "ex", "100"], b"+OK\r\n");
    check(&mut c, &["incr", "n"], b":2\r\n");
    check(&mut c, &["append", "n", "0"], b":2\r\n");
    check(&mut c, &["setrange", "n", "0", "3"], b":2\r\n");
    check(&mut c, &["incrbyfloat", "n", "0.5"], b"$4\r\n30.5\r\n");
    assert_pttl(&mut c, "n", 98_000, 100_000);
}

#[test]
fn values_keep_redis_encodings() {
    let server = TestServer::start();
    let mut c = server.raw();
    let script: Script = &[
        (&["set", "a", "12345"], b"+OK\r\n"),
        (&["object", "encoding", "a"], b"$3\r\nint\r\n"),
        (&["set", "a", "0123"], b"+OK\r\n"),
        (&["object", "encoding", "a"], b"$6\r\nembstr\r\n"),
        (&["set", "a", "123"], b"+OK\r\n"),
        (&["append", "a", "4"], b":4\r\n"),
        (&["object", "encoding", "a"], b"$3\r\nraw\r\n"),
        (&["incr", "a"], b":1235\r\n"),
        (&["object", "encoding", "a"], b"$3\r\nint\r\n"),
        (&["setrange", "b", "0", "12"], b":2\r\n"),
        (&["object", "encoding", "b"], b"$3\r\nraw\r\n"),
        (&["incrbyfloat", "c", "2"], b"$1\r\n2\r\n"),
        (&["object", "encoding", "c"], b"$6\r\nembstr\r\n"),
        (&["mset", "d", "77", "e", "x"], b"+OK\r\n"),
        (&["object", "encoding", "d"], b"$3\r\nint\r\n"),
    ];
    run_script(&mut c, script);
}

#[test]
fn resp3_nulls() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.send_cmd(&["hello", "3"]);
    let _ = c.read_reply();
    check(&mut c, &["get", "nokey"], b"_\r\n");
    check(&mut c, &["mget", "nokey", "x"], b"*2\r\n_\r\n_\r\n");
    check(&mut c, &["set", "k", "v", "xx"], b"_\r\n");
    check(&mut c, &["set", "a", "ohmytext"], b"+OK\r\n");
    check(&mut c, &["set", "b", "mynewtext"], b"+OK\r\n");
    let want: &[u8] = b"%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n";
    check(&mut c, &["lcs", "a", "b", "idx"], want);
}

#[test]
fn size_limit_is_proto_max_bulk_len() {
    let server = TestServer::start_with(&["--proto-max-bulk-len", "1mb"]);
    let mut c = server.raw();
    let too_big: &[u8] = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    check(&mut c, &["setrange", "k", "1048576", "x"], too_big);
    check(&mut c, &["setrange", "k", "1048575", "xy"], too_big);
    check(&mut c, &["exists", "k"], b":0\r\n");
    check(&mut c, &["setrange", "k", "1048575", "x"], b":1048576\r\n");
    check(&mut c, &["append", "k", "y"], too_big);
    check(&mut c, &["append", "k", ""], b":1048576\r\n");
    check(&mut c, &["setrange", "k", "0", "abc"], b":1048576\r\n");
    check(&mut c, &["setrange", "k", "1048576", ""], b":1048576\r\n");
    check(&mut c, &["strlen", "k"], b":1048576\r\n");
    // LCS refuses when its table would exceed the limit: 601 x 601 x 4 bytes > 1 MiB.
    let long = "a".repeat(600);
    check(&mut c, &["set", "x", &long], b"+OK\r\n");
    check(&mut c, &["set", "y", &long], b"+OK\r\n");
    check(
        &mut c,
        &["lcs", "x", "y", "len"],
        b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
    );
    check(
        &mut c,
        &["lcs", "x", "k", "len"],
        b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
    );
    let short = "a".repeat(400);
    check(&mut c, &["set", "y", &short], b"+OK\r\n");
    check(&mut c, &["lcs", "x", "y", "len"], b":400\r\n");
}

#[test]
fn keyspace_hits_and_misses_are_counted() {
    let server = TestServer::start();
    let mut c = server.raw();
    let stat = |c: &mut RawConn, name: &str| -> i64 {
        let info = String::from_utf8(ask(c, &["info", "stats"])).expect("UTF-8 INFO");
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in INFO stats"))
    };
    ask(&mut c, &["set", "a", "1"]);
    let (h0, m0) = (
        stat(&mut c, "keyspace_hits"),
        stat(&mut c, "keyspace_misses"),
    );
    ask(&mut c, &["mget", "a", "nokey", "a"]);
    ask(&mut c, &["get", "nokey"]);
    ask(&mut c, &["strlen", "a"]);
    ask(&mut c, &["getrange", "a", "0", "1"]);
    ask(&mut c, &["incr", "a"]);
    ask(&mut c, &["getdel", "a"]);
    let (h1, m1) = (
        stat(&mut c, "keyspace_hits"),
        stat(&mut c, "keyspace_misses"),
    );
    assert_eq!((h1 - h0, m1 - m0), (5, 2));
}
