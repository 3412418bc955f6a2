//! Integration tests of the hash family (HSET/HMSET/HSETNX, HGET/HMGET, HGETALL, HKEYS,
//! HVALS, HDEL, HLEN, HEXISTS, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN) against
//! the real binary. Every expected reply in the scripts below was captured byte for byte
//! from redis-server 7.0.15 running the same commands on an empty database (listpack
//! hashes keep insertion order, so their replies are deterministic).
//!
//! Then: the listpack -> hashtable conversion at Redis's default thresholds, HSCAN over
//! a hashtable (every field exactly once across a full iteration, COUNT honoured),
//! HRANDFIELD's distinctness and repetition rules on both encodings, and a random
//! command sequence checked against a model.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::{query, run_fresh, run_script, RawConn, Script, TestServer};

const HSET_HGET: Script = &[
    (&["hset", "h", "a", "1", "b", "2", "c", "hello"], b":3\r\n"),
    (&["hset", "h", "a", "1", "b"], b"-ERR wrong number of arguments for 'hset' command\r\n"),
    (&["hset", "h"], b"-ERR wrong number of arguments for 'hset' command\r\n"),
    (&["hmset", "h", "a"], b"-ERR wrong number of arguments for 'hmset' command\r\n"),
    (&["hmset", "h", "x", "10", "y", "20"], b"+OK\r\n"),
    (&["hset", "h", "a", "2", "a", "3"], b":0\r\n"),
    (&["hget", "h", "a"], b"$1\r\n3\r\n"),
    (&["hsetnx", "h", "a", "5"], b":0\r\n"),
    (&["hsetnx", "h", "z", "5"], b":1\r\n"),
    (&["hsetnx", "h"], b"-ERR wrong number of arguments for 'hsetnx' command\r\n"),
    (&["hget", "h", "a"], b"$1\r\n3\r\n"),
    (&["hget", "h", "nope"], b"$-1\r\n"),
    (&["hget", "nokey", "a"], b"$-1\r\n"),
    (&["hget", "h"], b"-ERR wrong number of arguments for 'hget' command\r\n"),
    (&["hmget", "h", "a", "nope", "c"], b"*3\r\n$1\r\n3\r\n$-1\r\n$5\r\nhello\r\n"),
    (&["hmget", "nokey", "a", "b"], b"*2\r\n$-1\r\n$-1\r\n"),
    (&["hmget", "h"], b"-ERR wrong number of arguments for 'hmget' command\r\n"),
    (&["hgetall", "h"], b"*12\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$5\r\nhello\r\n$1\r\nx\r\n$2\r\n10\r\n$1\r\ny\r\n$2\r\n20\r\n$1\r\nz\r\n$1\r\n5\r\n"),
    (&["hgetall", "nokey"], b"*0\r\n"),
    (&["hkeys", "h"], b"*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n"),
    (&["hvals", "h"], b"*6\r\n$1\r\n3\r\n$1\r\n2\r\n$5\r\nhello\r\n$2\r\n10\r\n$2\r\n20\r\n$1\r\n5\r\n"),
    (&["hkeys", "nokey"], b"*0\r\n"),
    (&["hvals", "nokey"], b"*0\r\n"),
    (&["hlen", "h"], b":6\r\n"),
    (&["hlen", "nokey"], b":0\r\n"),
    (&["hexists", "h", "a"], b":1\r\n"),
    (&["hexists", "h", "q"], b":0\r\n"),
    (&["hexists", "nokey", "a"], b":0\r\n"),
    (&["hstrlen", "h", "c"], b":5\r\n"),
    (&["hstrlen", "h", "a"], b":1\r\n"),
    (&["hstrlen", "h", "q"], b":0\r\n"),
    (&["hstrlen", "nokey", "q"], b":0\r\n"),
    (&["hset", "h", "", ""], b":1\r\n"),
    (&["hget", "h", ""], b"$0\r\n\r\n"),
    (&["hstrlen", "h", ""], b":0\r\n"),
    (&["hdel", "h", "a", "b", "nope"], b":2\r\n"),
    (&["hdel", "h"], b"-ERR wrong number of arguments for 'hdel' command\r\n"),
    (&["hdel", "nokey", "a"], b":0\r\n"),
    (&["hgetall", "h"], b"*10\r\n$1\r\nc\r\n$5\r\nhello\r\n$1\r\nx\r\n$2\r\n10\r\n$1\r\ny\r\n$2\r\n20\r\n$1\r\nz\r\n$1\r\n5\r\n$0\r\n\r\n$0\r\n\r\n"),
    (&["hdel", "h", "c", "x", "y", "z", ""], b":5\r\n"),
    (&["exists", "h"], b":0\r\n"),
];

const INTEGERS: Script = &[
    (&["hset", "h", "9223372036854775807", "-9223372036854775808", "-1", "0", "47", "48", "127", "-128", "32768", "-32769", "00", "-0", "8388608", "-8388609", "2147483648", "x"], b":8\r\n"),
    (&["hgetall", "h"], b"*16\r\n$19\r\n9223372036854775807\r\n$20\r\n-9223372036854775808\r\n$2\r\n-1\r\n$1\r\n0\r\n$2\r\n47\r\n$2\r\n48\r\n$3\r\n127\r\n$4\r\n-128\r\n$5\r\n32768\r\n$6\r\n-32769\r\n$2\r\n00\r\n$2\r\n-0\r\n$7\r\n8388608\r\n$8\r\n-8388609\r\n$10\r\n2147483648\r\n$1\r\nx\r\n"),
    (&["hget", "h", "00"], b"$2\r\n-0\r\n"),
    (&["hget", "h", "-0"], b"$-1\r\n"),
    (&["hget", "h", "48"], b"$-1\r\n"),
    (&["hstrlen", "h", "-1"], b":1\r\n"),
    (&["hexists", "h", "127"], b":1\r\n"),
    (&["hexists", "h", "0127"], b":0\r\n"),
    (&["hdel", "h", "00", "127"], b":2\r\n"),
    (&["hgetall", "h"], b"*12\r\n$19\r\n9223372036854775807\r\n$20\r\n-9223372036854775808\r\n$2\r\n-1\r\n$1\r\n0\r\n$2\r\n47\r\n$2\r\n48\r\n$5\r\n32768\r\n$6\r\n-32769\r\n$7\r\n8388608\r\n$8\r\n-8388609\r\n$10\r\n2147483648\r\n$1\r\nx\r\n"),
];

const HINCRBY: Script = &[
    (&["hincrby", "h", "a", "10"], b":10\r\n"),
    (&["hincrby", "h", "a", "-100"], b":-90\r\n"),
    (&["hincrby", "h", "a", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hincrby", "h", "a", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hincrby", "h", "a"], b"-ERR wrong number of arguments for 'hincrby' command\r\n"),
    (&["hset", "h", "s", "hello", "f", "1.5", "sp", " 1"], b":3\r\n"),
    (&["hincrby", "h", "s", "1"], b"-ERR hash value is not an integer\r\n"),
    (&["hincrby", "h", "f", "1"], b"-ERR hash value is not an integer\r\n"),
    (&["hincrby", "h", "sp", "1"], b"-ERR hash value is not an integer\r\n"),
    (&["hincrby", "h", "big", "9223372036854775807"], b":9223372036854775807\r\n"),
    (&["hincrby", "h", "big", "1"], b"-ERR increment or decrement would overflow\r\n"),
    (&["hincrby", "h", "neg", "-9223372036854775808"], b":-9223372036854775808\r\n"),
    (&["hincrby", "h", "neg", "-1"], b"-ERR increment or decrement would overflow\r\n"),
    (&["hincrby", "h", "neg", "9223372036854775807"], b":-1\r\n"),
    (&["hgetall", "h"], b"*12\r\n$1\r\na\r\n$3\r\n-90\r\n$1\r\ns\r\n$5\r\nhello\r\n$1\r\nf\r\n$3\r\n1.5\r\n$2\r\nsp\r\n$2\r\n 1\r\n$3\r\nbig\r\n$19\r\n9223372036854775807\r\n$3\r\nneg\r\n$2\r\n-1\r\n"),
];

const HINCRBYFLOAT: Script = &[
    (&["hincrbyfloat", "h", "f", "1.5"], b"$3\r\n1.5\r\n"),
    (&["hincrbyfloat", "h", "f", "0.1"], b"$3\r\n1.6\r\n"),
    (&["hincrbyfloat", "h", "f", "0.2"], b"$3\r\n1.8\r\n"),
    (&["hincrbyfloat", "h", "f", "-1.8"], b"$1\r\n0\r\n"),
    (&["hincrbyfloat", "h", "f", "abc"], b"-ERR value is not a valid float\r\n"),
    (&["hincrbyfloat", "h", "f", "inf"], b"-ERR value is NaN or Infinity\r\n"),
    (&["hincrbyfloat", "h", "f", "-inf"], b"-ERR value is NaN or Infinity\r\n"),
    (&["hincrbyfloat", "h", "f", "nan"], b"-ERR value is not a valid float\r\n"),
    (&["hincrbyfloat", "h", "f", ""], b"-ERR value is not a valid float\r\n"),
    (&["hincrbyfloat", "h", "i", "5.0e3"], b"$4\r\n5000\r\n"),
    (&["hincrbyfloat", "h", "i", "-5000"], b"$1\r\n0\r\n"),
    (&["hset", "h", "s", "hello", "n", "10", "e", "1e2"], b":3\r\n"),
    (&["hincrbyfloat", "h", "s", "1"], b"-ERR hash value is not a float\r\n"),
    (&["hincrbyfloat", "h", "n", "0.25"], b"$5\r\n10.25\r\n"),
    (&["hincrbyfloat", "h", "e", "1"], b"$3\r\n101\r\n"),
    (&["hincrbyfloat", "m", "max", "1.7976931348623157e308"], b"$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n"),
    (&["hincrbyfloat", "m", "max", "1.7976931348623157e308"], b"$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n"),
    (&["hget", "m", "max"], b"$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n"),
    (&["hincrbyfloat", "h", "3", " 1"], b"-ERR value is not a valid float\r\n"),
    (&["hgetall", "h"], b"*10\r\n$1\r\nf\r\n$1\r\n0\r\n$1\r\ni\r\n$1\r\n0\r\n$1\r\ns\r\n$5\r\nhello\r\n$1\r\nn\r\n$5\r\n10.25\r\n$1\r\ne\r\n$3\r\n101\r\n"),
];

const WRONGTYPE: Script = &[
    (&["set", "s", "v"], b"+OK\r\n"),
    (
        &["hset", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hmset", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hsetnx", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hget", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hmget", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hgetall", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hkeys", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hvals", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hlen", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hdel", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hincrby", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hincrbyfloat", "s", "a", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hscan", "s", "0"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hrandfield", "s"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hrandfield", "s", "1"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hrandfield", "s", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["hstrlen", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        &["hexists", "s", "a"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (&["get", "s"], b"$1\r\nv\r\n"),
];

const HSCAN: Script = &[
    (&["hset", "h", "a", "1", "b", "2", "c", "3", "ab", "4"], b":4\r\n"),
    (&["hscan", "h", "0"], b"*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", "0", "match", "a*"], b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", "0", "MATCH", "*b", "COUNT", "1"], b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", "0", "match", "*"], b"*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", "0", "count", "0"], b"-ERR syntax error\r\n"),
    (&["hscan", "h", "0", "count", "-1"], b"-ERR syntax error\r\n"),
    (&["hscan", "h", "0", "count", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hscan", "h", "0", "count", "1", "foo"], b"-ERR syntax error\r\n"),
    (&["hscan", "h", "0", "foo", "bar"], b"-ERR syntax error\r\n"),
    (&["hscan", "h", "0", "match"], b"-ERR syntax error\r\n"),
    (&["hscan", "h", "abc"], b"-ERR invalid cursor\r\n"),
    (&["hscan", "h", "-1"], b"*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", " 1"], b"-ERR invalid cursor\r\n"),
    (&["hscan", "h", "1x"], b"-ERR invalid cursor\r\n"),
    (&["hscan", "h", "18446744073709551615"], b"*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"),
    (&["hscan", "h", "18446744073709551616"], b"-ERR invalid cursor\r\n"),
    (&["hscan", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&["hscan", "nokey", "0", "count", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&["hscan", "nokey", "abc"], b"-ERR invalid cursor\r\n"),
    (&["hscan", "h"], b"-ERR wrong number of arguments for 'hscan' command\r\n"),
];

const HRANDFIELD: Script = &[
    (&["hrandfield", "nokey"], b"$-1\r\n"),
    (&["hrandfield", "nokey", "5"], b"*0\r\n"),
    (&["hrandfield", "nokey", "5", "withvalues"], b"*0\r\n"),
    (&["hrandfield", "nokey", "-5", "withvalues"], b"*0\r\n"),
    (&["hrandfield", "nokey", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hset", "h", "a", "1", "b", "2", "c", "3"], b":3\r\n"),
    (&["hrandfield", "h", "0"], b"*0\r\n"),
    (&["hrandfield", "h", "0", "withvalues"], b"*0\r\n"),
    (&["hrandfield", "h", "3"], b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["hrandfield", "h", "100"], b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["hrandfield", "h", "100", "WITHVALUES"], b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["hrandfield", "h", "1", "withvalue"], b"-ERR syntax error\r\n"),
    (&["hrandfield", "h", "1", "withvalues", "x"], b"-ERR syntax error\r\n"),
    (&["hrandfield", "h", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hrandfield", "h", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
    (&["hrandfield", "h", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"),
    (&["hrandfield", "h", "9223372036854775807", "withvalues"], b"-ERR value is out of range\r\n"),
    (&["hrandfield", "h", "-4611686018427387904", "withvalues"], b"-ERR value is out of range\r\n"),
    (&["hrandfield", "h", "4611686018427387904", "withvalues"], b"-ERR value is out of range\r\n"),
    (&["hset", "one", "f", "v"], b":1\r\n"),
    (&["hrandfield", "one"], b"$1\r\nf\r\n"),
    (&["hrandfield", "one", "-3"], b"*3\r\n$1\r\nf\r\n$1\r\nf\r\n$1\r\nf\r\n"),
    (&["hrandfield", "one", "-3", "withvalues"], b"*6\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["hrandfield", "one", "1", "withvalues"], b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
];

const RESP3: Script = &[
    (&["hset", "h", "a", "1", "b", "x"], b":2\r\n"),
    (
        &["hgetall", "h"],
        b"%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n",
    ),
    (&["hgetall", "nokey"], b"%0\r\n"),
    (&["hkeys", "nokey"], b"*0\r\n"),
    (&["hget", "nokey", "a"], b"_\r\n"),
    (&["hmget", "nokey", "a"], b"*1\r\n_\r\n"),
    (&["hrandfield", "nokey"], b"_\r\n"),
    (&["hrandfield", "nokey", "2"], b"*0\r\n"),
    (
        &["hrandfield", "h", "5", "withvalues"],
        b"*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\nx\r\n",
    ),
    (&["hrandfield", "h", "5"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (&["hrandfield", "h", "0", "withvalues"], b"*0\r\n"),
    (&["hset", "one", "f", "v"], b":1\r\n"),
    (
        &["hrandfield", "one", "-2", "withvalues"],
        b"*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    ),
    (
        &["hrandfield", "one", "-2"],
        b"*2\r\n$1\r\nf\r\n$1\r\nf\r\n",
    ),
    (
        &["hscan", "h", "0"],
        b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n",
    ),
    (&["hincrbyfloat", "h", "f", "2.5"], b"$3\r\n2.5\r\n"),
];

const CONVERSIONS: Script = &[
    (
        &["config", "set", "hash-max-listpack-entries", "2"],
        b"+OK\r\n",
    ),
    (&["hset", "h2", "a", "1", "b", "2"], b":2\r\n"),
    (&["object", "encoding", "h2"], b"$8\r\nlistpack\r\n"),
    (&["hset", "h2", "c", "3"], b":1\r\n"),
    (&["object", "encoding", "h2"], b"$9\r\nhashtable\r\n"),
    (&["hdel", "h2", "a", "b"], b":2\r\n"),
    (&["object", "encoding", "h2"], b"$9\r\nhashtable\r\n"),
    (&["hgetall", "h2"], b"*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (
        &["config", "set", "hash-max-listpack-entries", "128"],
        b"+OK\r\n",
    ),
    (
        &["config", "set", "hash-max-listpack-value", "3"],
        b"+OK\r\n",
    ),
    (&["hset", "h3", "a", "123"], b":1\r\n"),
    (&["object", "encoding", "h3"], b"$8\r\nlistpack\r\n"),
    (&["hset", "h3", "b", "1234"], b":1\r\n"),
    (&["object", "encoding", "h3"], b"$9\r\nhashtable\r\n"),
    (&["hset", "h4", "abcd", "1"], b":1\r\n"),
    (&["object", "encoding", "h4"], b"$9\r\nhashtable\r\n"),
    (&["hsetnx", "h5", "f", "1234"], b":1\r\n"),
    (&["object", "encoding", "h5"], b"$9\r\nhashtable\r\n"),
    (&["hset", "h6", "a", "1"], b":1\r\n"),
    (&["hincrbyfloat", "h6", "a", "0.5"], b"$3\r\n1.5\r\n"),
    (&["object", "encoding", "h6"], b"$8\r\nlistpack\r\n"),
    (&["hset", "h7", "a", "1"], b":1\r\n"),
    (&["hincrbyfloat", "h7", "a", "1000.5"], b"$6\r\n1001.5\r\n"),
    (&["object", "encoding", "h7"], b"$9\r\nhashtable\r\n"),
    (&["hset", "h8", "a", "1", "b", "1234"], b":2\r\n"),
    (&["object", "encoding", "h8"], b"$9\r\nhashtable\r\n"),
    (&["hset", "h9", "a", "1"], b":1\r\n"),
    (&["hincrby", "h9", "a", "9999"], b":10000\r\n"),
    (&["object", "encoding", "h9"], b"$9\r\nhashtable\r\n"),
    (
        &["config", "set", "hash-max-ziplist-entries", "0"],
        b"+OK\r\n",
    ),
    (&["hset", "h10", "a", "1"], b":1\r\n"),
    (&["object", "encoding", "h10"], b"$9\r\nhashtable\r\n"),
    (
        &["config", "get", "hash-max-listpack-entries"],
        b"*2\r\n$25\r\nhash-max-listpack-entries\r\n$1\r\n0\r\n",
    ),
    (
        &["config", "set", "hash-max-ziplist-entries", "128"],
        b"+OK\r\n",
    ),
    (
        &["config", "set", "hash-max-ziplist-value", "64"],
        b"+OK\r\n",
    ),
    (&["hset", "h11", "a", "1"], b":1\r\n"),
    (&["object", "encoding", "h11"], b"$8\r\nlistpack\r\n"),
];

#[test]
fn hset_hget_and_friends() {
    run_fresh(HSET_HGET);
}

#[test]
fn integer_fields_and_values_round_trip() {
    run_fresh(INTEGERS);
}

#[test]
fn hincrby() {
    run_fresh(HINCRBY);
}

#[test]
fn hincrbyfloat() {
    run_fresh(HINCRBYFLOAT);
}

#[test]
fn wrong_type() {
    run_fresh(WRONGTYPE);
}

#[test]
fn hscan_listpack_and_errors() {
    run_fresh(HSCAN);
}

#[test]
fn hrandfield_deterministic_cases() {
    run_fresh(HRANDFIELD);
}

/// Runs `script` on a fresh server, over a connection switched to RESP3.
fn run_fresh_resp3(script: Script) {
    let server = TestServer::start();
    let mut raw = server.raw();
    raw.send_cmd(&["HELLO", "3"]);
    let hello = raw.read_reply();
    assert!(hello.starts_with(b"%7\r\n"), "HELLO 3");
    run_script(&mut raw, script);
}

#[test]
fn resp3_shapes() {
    run_fresh_resp3(RESP3);
}

#[test]
fn encoding_conversions() {
    run_fresh(CONVERSIONS);
}

/// Creates hash `key` with fields f0..f{n-1} holding v0..v{n-1}.
fn fill(con: &mut redis::Connection, key: &str, n: usize) {
    let mut cmd = redis::cmd("HSET");
    cmd.arg(key);
    for i in 0..n {
        cmd.arg(format!("f{i}")).arg(format!("v{i}"));
    }
    let _: i64 = cmd.query(con).expect("HSET");
}

#[test]
fn converts_at_default_thresholds() {
    let server = TestServer::start();
    let mut con = server.conn();
    // Redis 7.0.15's default hash-max-listpack-entries is 512 (CONFIG GET answers it).
    fill(&mut con, "h", 512);
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "h"]);
    assert_eq!(enc, "listpack");
    let _: i64 = query(&mut con, &["HSET", "h", "f512", "v"]);
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "h"]);
    assert_eq!(enc, "hashtable");
    // Never converted back, even when small again.
    for i in 0..504 {
        let _: i64 = query(&mut con, &["HDEL", "h", &format!("f{i}")]);
    }
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "h"]);
    assert_eq!(enc, "hashtable");
    let n: i64 = query(&mut con, &["HLEN", "h"]);
    assert_eq!(n, 9);
    let long = "x".repeat(65);
    let _: i64 = query(&mut con, &["HSET", "h2", "a", &"x".repeat(64)]);
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "h2"]);
    assert_eq!(enc, "listpack");
    let _: i64 = query(&mut con, &["HSET", "h2", "b", &long]);
    let enc: String = query(&mut con, &["OBJECT", "ENCODING", "h2"]);
    assert_eq!(enc, "hashtable");
    let v: String = query(&mut con, &["HGET", "h2", "b"]);
    assert_eq!(v, long);
}

/// Every field/value pair a full HSCAN iteration returns, and the number of calls.
fn hscan_all(
    con: &mut redis::Connection,
    key: &str,
    options: &[&str],
) -> (Vec<(String, String)>, usize) {
    let mut cursor = "0".to_string();
    let mut pairs = Vec::new();
    let mut calls = 0;
    loop {
        let mut args = vec!["HSCAN", key, cursor.as_str()];
        args.extend_from_slice(options);
        let (next, flat): (String, Vec<String>) = query(con, &args);
        calls += 1;
        assert_eq!(flat.len() % 2, 0, "pairs");
        pairs.extend(flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())));
        if next == "0" {
            return (pairs, calls);
        }
        cursor = next;
    }
}

#[test]
fn hscan_iterates_a_hashtable() {
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "h", 1000);
    let (pairs, calls) = hscan_all(&mut con, "h", &[]);
    let distinct: HashMap<String, String> = pairs.iter().cloned().collect();
    assert_eq!(distinct.len(), 1000);
    for (f, v) in &distinct {
        assert_eq!(f[1..], v[1..], "value of {f}");
    }
    assert!(calls > 10, "COUNT 10 takes many calls, took {calls}");
    let (pairs, calls_big) = hscan_all(&mut con, "h", &["COUNT", "500"]);
    assert!(pairs.len() >= 1000 && calls_big < calls);
    let (pairs, _) = hscan_all(&mut con, "h", &["MATCH", "f99*"]);
    let fields: HashSet<String> = pairs.into_iter().map(|p| p.0).collect();
    let want: HashSet<String> = ["f99".to_string()]
        .into_iter()
        .chain((990..1000).map(|i| format!("f{i}")))
        .collect();
    assert_eq!(fields, want);
}

#[test]
fn hrandfield_rules_on_both_encodings() {
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "small", 10);
    fill(&mut con, "big", 300);
    for (key, size) in [("small", 10usize), ("big", 300)] {
        for count in [1usize, 3, 5, 9, 50, 299] {
            if count >= size {
                continue;
            }
            let fields: Vec<String> = query(&mut con, &["HRANDFIELD", key, &count.to_string()]);
            let distinct: HashSet<&String> = fields.iter().collect();
            assert_eq!(
                (fields.len(), distinct.len()),
                (count, count),
                "{key} {count}"
            );
            assert!(fields.iter().all(|f| f.starts_with('f')));
        }
        let fields: Vec<String> = query(&mut con, &["HRANDFIELD", key, "-1000"]);
        assert_eq!(fields.len(), 1000);
        let distinct: HashSet<&String> = fields.iter().collect();
        assert!(
            distinct.len() <= size && distinct.len() > size / 2,
            "{key}: {}",
            distinct.len()
        );
        let flat: Vec<String> = query(&mut con, &["HRANDFIELD", key, "-7", "WITHVALUES"]);
        assert_eq!(flat.len(), 14);
        for p in flat.chunks(2) {
            assert_eq!(p[0][1..], p[1][1..]);
        }
        let flat: Vec<String> = query(&mut con, &["HRANDFIELD", key, "5", "WITHVALUES"]);
        assert_eq!(flat.len(), 10);
        let one: String = query(&mut con, &["HRANDFIELD", key]);
        assert!(one.starts_with('f'));
    }
}

#[test]
fn hrandfield_resp3_pairs_on_a_hashtable() {
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "big", 200);
    let mut raw: RawConn = server.raw();
    raw.send_cmd(&["HELLO", "3"]);
    let _ = raw.read_reply();
    raw.send_cmd(&["HRANDFIELD", "big", "2", "WITHVALUES"]);
    let reply = String::from_utf8(raw.read_reply()).expect("ASCII");
    assert!(reply.starts_with("*2\r\n*2\r\n$"), "{reply:?}");
    assert_eq!(reply.matches("*2\r\n").count(), 3, "{reply:?}");
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

#[test]
fn random_commands_match_a_model() {
    let server = TestServer::start_with(&[
        "--hash-max-listpack-entries",
        "16",
        "--hash-max-listpack-value",
        "8",
    ]);
    let mut con = server.conn();
    let mut model: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for step in 0..3000 {
        let key = format!("k{}", rng.below(3));
        let field = format!("{}", rng.below(40));
        let h = model.entry(key.clone()).or_default();
        match rng.below(6) {
            0 | 1 => {
                let value = if rng.below(4) == 0 {
                    format!("long-value-{step}")
                } else {
                    rng.below(1000).to_string()
                };
                let created: i64 = query(&mut con, &["HSET", &key, &field, &value]);
                assert_eq!(
                    created == 1,
                    h.insert(field, value).is_none(),
                    "step {step}"
                );
            }
            2 => {
                let removed: i64 = query(&mut con, &["HDEL", &key, &field]);
                assert_eq!(removed == 1, h.remove(&field).is_some(), "step {step}");
            }
            3 => {
                let current = h.get(&field).cloned();
                match current.as_deref().map(str::parse::<i64>) {
                    None | Some(Ok(_)) => {
                        let n: i64 = query(&mut con, &["HINCRBY", &key, &field, "3"]);
                        let old = current.map_or(0, |c| c.parse::<i64>().unwrap_or(0));
                        assert_eq!(n, old + 3, "step {step}");
                        h.insert(field, n.to_string());
                    }
                    Some(Err(_)) => {
                        let err = redis::cmd("HINCRBY")
                            .arg(&key)
                            .arg(&field)
                            .arg(3)
                            .query::<i64>(&mut con);
                        assert!(err.is_err(), "step {step}");
                    }
                }
            }
            4 => {
                let got: Option<String> = query(&mut con, &["HGET", &key, &field]);
                assert_eq!(got.as_ref(), h.get(&field), "step {step}");
            }
            _ => {
                let all: Vec<String> = query(&mut con, &["HGETALL", &key]);
                let got: BTreeMap<String, String> = all
                    .chunks(2)
                    .map(|p| (p[0].clone(), p[1].clone()))
                    .collect();
                assert_eq!(&got, h, "step {step}");
                let len: usize = query(&mut con, &["HLEN", &key]);
                assert_eq!(len, h.len());
                let exists: i64 = query(&mut con, &["EXISTS", &key]);
                assert_eq!(exists == 1, !h.is_empty(), "empty hashes are deleted");
            }
        }
        if h.is_empty() {
            model.remove(&key);
        }
    }
}

#[test]
fn scripts_on_one_server_in_sequence() {
    // The scripts do not depend on a fresh process, only on an empty database.
    let server = TestServer::start();
    let mut raw = server.raw();
    let all: [Script; 3] = [HSET_HGET, HINCRBY, HSCAN];
    for script in all {
        raw.send_cmd(&["FLUSHALL"]);
        raw.expect(b"+OK\r\n");
        run_script(&mut raw, script);
    }
}

#[test]
fn hincrbyfloat_propagates_as_hset() {
    let mut server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut con = server.conn();
    let v: String = query(&mut con, &["HINCRBYFLOAT", "h", "f", "0.1"]);
    assert_eq!(v, "0.1");
    let v: String = query(&mut con, &["HINCRBYFLOAT", "h", "f", "0.2"]);
    assert_eq!(v, "0.3");
    let dir = server.dir.path().join("appendonlydir");
    let mut aof = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .expect("appendonlydir")
        .filter_map(Result::ok)
    {
        if entry.path().to_string_lossy().ends_with(".incr.aof") {
            aof.extend(std::fs::read(entry.path()).expect("read"));
        }
    }
    let want = b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n0.3\r\n";
    assert!(
        aof.windows(want.len()).any(|w| w == want),
        "{}",
        String::from_utf8_lossy(&aof)
    );
    assert!(!aof
        .windows(12)
        .any(|w| w.eq_ignore_ascii_case(b"HINCRBYFLOAT")));
    drop(con);
    server.kill();
    server.relaunch();
    let mut con = server.conn();
    let v: String = query(&mut con, &["HGET", "h", "f"]);
    assert_eq!(v, "0.3");
}
