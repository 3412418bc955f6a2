//! Integration tests of the bitmap family (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
//! BITFIELD, BITFIELD_RO) against the real binary. Every expected reply in the scripts
//! below was captured byte for byte from redis-server 7.0.15 running the same commands
//! on an empty database.
//!
//! Not covered here: WRONGTYPE replies against keys of other types (no other type can
//! be created yet).

mod common;

use common::{run_fresh, run_script, Script, TestServer};

const SETBIT_GETBIT: Script = &[
    (&["setbit", "k", "7", "1"], b":0\r\n"),
    (&["setbit", "k", "7", "1"], b":1\r\n"),
    (&["get", "k"], b"$1\r\n\x01\r\n"),
    (&["setbit", "k", "7", "0"], b":1\r\n"),
    (&["get", "k"], b"$1\r\n\x00\r\n"),
    (&["setbit", "k", "100", "1"], b":0\r\n"),
    (&["strlen", "k"], b":13\r\n"),
    (&["getbit", "k", "100"], b":1\r\n"),
    (&["getbit", "k", "99"], b":0\r\n"),
    (&["getbit", "k", "10000"], b":0\r\n"),
    (&["getbit", "k", "4294967295"], b":0\r\n"),
    (&["getbit", "nokey", "0"], b":0\r\n"),
    (
        &["setbit", "k", "-1", "1"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "x", "1"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "1.5", "1"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "4294967296", "1"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["getbit", "k", "-1"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["getbit", "k", "4294967296"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "1", "2"],
        b"-ERR bit is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "1", "-1"],
        b"-ERR bit is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "1", "a"],
        b"-ERR bit is not an integer or out of range\r\n",
    ),
    (
        &["setbit", "k", "4294967296", "2"],
        b"-ERR bit offset is not an integer or out of range\r\n",
    ),
    (&["set", "n", "12"], b"+OK\r\n"),
    (&["getbit", "n", "2"], b":1\r\n"),
    (&["getbit", "n", "3"], b":1\r\n"),
    (&["getbit", "n", "100"], b":0\r\n"),
    (&["setbit", "n", "0", "1"], b":0\r\n"),
    (&["get", "n"], b"$2\r\n\xb12\r\n"),
    (&["setbit", "big", "8000000", "1"], b":0\r\n"),
    (&["strlen", "big"], b":1000001\r\n"),
    (&["getbit", "big", "8000000"], b":1\r\n"),
    (
        &["setbit", "k", "1"],
        b"-ERR wrong number of arguments for 'setbit' command\r\n",
    ),
    (
        &["getbit", "k"],
        b"-ERR wrong number of arguments for 'getbit' command\r\n",
    ),
];

const BITCOUNT: Script = &[
    (&["bitcount", "nokey"], b":0\r\n"),
    (&["bitcount", "nokey", "a", "b"], b":0\r\n"),
    (&["bitcount", "nokey", "0", "1", "2", "3", "4"], b":0\r\n"),
    (&["set", "k", "foobar"], b"+OK\r\n"),
    (&["bitcount", "k"], b":26\r\n"),
    (&["bitcount", "k", "0", "0"], b":4\r\n"),
    (&["bitcount", "k", "1", "1"], b":6\r\n"),
    (&["bitcount", "k", "1", "1", "byte"], b":6\r\n"),
    (&["bitcount", "k", "1", "1", "BYTE"], b":6\r\n"),
    (&["bitcount", "k", "0", "-1"], b":26\r\n"),
    (&["bitcount", "k", "-2", "-1"], b":7\r\n"),
    (&["bitcount", "k", "-100", "100"], b":26\r\n"),
    (&["bitcount", "k", "4", "2"], b":0\r\n"),
    (&["bitcount", "k", "-1", "-2"], b":0\r\n"),
    (&["bitcount", "k", "-1", "-2", "foo"], b":0\r\n"),
    (&["bitcount", "k", "5", "30", "bit"], b":17\r\n"),
    (&["bitcount", "k", "5", "30", "BIT"], b":17\r\n"),
    (&["bitcount", "k", "0", "0", "bit"], b":0\r\n"),
    (&["bitcount", "k", "1", "1", "bit"], b":1\r\n"),
    (&["bitcount", "k", "-5", "-1", "bit"], b":2\r\n"),
    (&["bitcount", "k", "0", "1000", "bit"], b":26\r\n"),
    (&["bitcount", "k", "47", "47", "bit"], b":0\r\n"),
    (&["bitcount", "k", "0"], b"-ERR syntax error\r\n"),
    (
        &["bitcount", "k", "0", "1", "bit", "extra"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["bitcount", "k", "0", "1", "foo"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["bitcount", "k", "a", "b"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["bitcount", "k", "0", "b"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (&["set", "n", "1234"], b"+OK\r\n"),
    (&["bitcount", "n"], b":13\r\n"),
    (&["bitcount", "n", "1", "1"], b":3\r\n"),
    (&["set", "e", ""], b"+OK\r\n"),
    (&["bitcount", "e"], b":0\r\n"),
    (&["bitcount", "e", "0", "-1"], b":0\r\n"),
    (&["bitcount", "e", "0", "-1", "bit"], b":0\r\n"),
    (
        &["bitcount"],
        b"-ERR wrong number of arguments for 'bitcount' command\r\n",
    ),
];

const BITPOS: Script = &[
    (&["bitpos", "nokey", "0"], b":0\r\n"),
    (&["bitpos", "nokey", "1"], b":-1\r\n"),
    (&["bitpos", "nokey", "0", "5", "10", "bit"], b":0\r\n"),
    (
        &["bitpos", "nokey", "2"],
        b"-ERR The bit argument must be 1 or 0.\r\n",
    ),
    (
        &[
            "bitfield", "k", "set", "u8", "0", "255", "set", "u8", "8", "240", "set", "u8", "16",
            "0",
        ],
        b"*3\r\n:0\r\n:0\r\n:0\r\n",
    ),
    (&["bitpos", "k", "0"], b":12\r\n"),
    (&["bitpos", "k", "1"], b":0\r\n"),
    (&["bitpos", "k", "1", "1"], b":8\r\n"),
    (&["bitpos", "k", "1", "2"], b":-1\r\n"),
    (&["bitpos", "k", "0", "0", "0"], b":-1\r\n"),
    (&["bitpos", "k", "0", "0", "1"], b":12\r\n"),
    (&["bitpos", "k", "0", "1"], b":12\r\n"),
    (&["bitpos", "k", "0", "-1"], b":16\r\n"),
    (&["bitpos", "k", "1", "-1"], b":-1\r\n"),
    (&["bitpos", "k", "1", "5", "2"], b":-1\r\n"),
    (&["bitpos", "k", "0", "8", "9", "bit"], b":-1\r\n"),
    (&["bitpos", "k", "0", "8", "11", "bit"], b":-1\r\n"),
    (&["bitpos", "k", "0", "12", "12", "bit"], b":12\r\n"),
    (&["bitpos", "k", "1", "7", "15", "bit"], b":7\r\n"),
    (&["bitpos", "k", "1", "13", "15", "bit"], b":-1\r\n"),
    (&["bitpos", "k", "0", "2", "-1", "bit"], b":12\r\n"),
    (&["bitpos", "k", "1", "-12", "-1", "bit"], b":-1\r\n"),
    (&["bitpos", "k", "0", "0", "7", "BIT"], b":-1\r\n"),
    (&["bitpos", "k", "0", "0", "7", "byte"], b":12\r\n"),
    (
        &["bitpos", "k", "2"],
        b"-ERR The bit argument must be 1 or 0.\r\n",
    ),
    (
        &["bitpos", "k", "-1"],
        b"-ERR The bit argument must be 1 or 0.\r\n",
    ),
    (
        &["bitpos", "k", "x"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["bitpos", "k", "0", "a"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["bitpos", "k", "0", "0", "a"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &["bitpos", "k", "0", "0", "1", "foo"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["bitpos", "k", "0", "0", "a", "foo"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["bitpos", "k", "0", "0", "1", "bit", "extra"],
        b"-ERR syntax error\r\n",
    ),
    (
        &["bitfield", "ones", "set", "u16", "0", "65535"],
        b"*1\r\n:0\r\n",
    ),
    (&["bitpos", "ones", "0"], b":16\r\n"),
    (&["bitpos", "ones", "0", "0"], b":16\r\n"),
    (&["bitpos", "ones", "0", "1"], b":16\r\n"),
    (&["bitpos", "ones", "0", "0", "-1"], b":-1\r\n"),
    (&["bitpos", "ones", "0", "0", "-1", "bit"], b":-1\r\n"),
    (&["bitpos", "ones", "0", "3", "5", "bit"], b":-1\r\n"),
    (&["bitpos", "ones", "1", "3", "5", "bit"], b":3\r\n"),
    (
        &["bitfield", "zeros", "set", "u16", "0", "0"],
        b"*1\r\n:0\r\n",
    ),
    (&["bitpos", "zeros", "1"], b":-1\r\n"),
    (&["bitpos", "zeros", "0"], b":0\r\n"),
    (&["bitpos", "zeros", "0", "1"], b":8\r\n"),
    (&["bitpos", "zeros", "1", "0", "-1", "bit"], b":-1\r\n"),
    (&["set", "e", ""], b"+OK\r\n"),
    (&["bitpos", "e", "0"], b":-1\r\n"),
    (&["bitpos", "e", "1"], b":-1\r\n"),
    (&["bitpos", "e", "0", "0"], b":-1\r\n"),
    (&["set", "n", "0"], b"+OK\r\n"),
    (&["bitpos", "n", "1"], b":2\r\n"),
    (&["bitpos", "n", "0"], b":0\r\n"),
    (
        &["bitpos"],
        b"-ERR wrong number of arguments for 'bitpos' command\r\n",
    ),
];

const BITOP: Script = &[
    (&["set", "a", "foobar"], b"+OK\r\n"),
    (&["set", "b", "abcdef"], b"+OK\r\n"),
    (&["bitop", "and", "dest", "a", "b"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n`bc`ab\r\n"),
    (&["bitop", "or", "dest", "a", "b"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\ngoofev\r\n"),
    (&["bitop", "xor", "dest", "a", "b"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n\x07\r\x0c\x06\x04\x14\r\n"),
    (&["bitop", "not", "dest", "a"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n\x99\x90\x90\x9d\x9e\x8d\r\n"),
    (&["bitop", "AND", "dest", "a", "b", "nokey"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n\x00\x00\x00\x00\x00\x00\r\n"),
    (&["bitop", "or", "dest", "a", "b", "nokey"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\ngoofev\r\n"),
    (&["set", "short", "abc"], b"+OK\r\n"),
    (&["bitop", "xor", "dest", "a", "short"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n\x07\r\x0cbar\r\n"),
    (&["bitop", "and", "dest", "a", "short"], b":6\r\n"),
    (&["get", "dest"], b"$6\r\n`bc\x00\x00\x00\r\n"),
    (
        &["bitop", "not", "dest", "a", "b"],
        b"-ERR BITOP NOT must be called with a single source key.\r\n",
    ),
    (
        &["bitop", "not", "dest"],
        b"-ERR wrong number of arguments for 'bitop' command\r\n",
    ),
    (&["bitop", "foo", "dest", "a"], b"-ERR syntax error\r\n"),
    (
        &["bitop", "nand", "dest", "a", "b"],
        b"-ERR syntax error\r\n",
    ),
    (&["bitop", "and", "dest", "nokey", "nokey2"], b":0\r\n"),
    (&["exists", "dest"], b":0\r\n"),
    (&["bitop", "or", "dest", "a"], b":6\r\n"),
    (&["exists", "dest"], b":1\r\n"),
    (&["bitop", "or", "dest", "nokey"], b":0\r\n"),
    (&["exists", "dest"], b":0\r\n"),
    (&["set", "n", "123"], b"+OK\r\n"),
    (&["bitop", "not", "dest", "n"], b":3\r\n"),
    (&["get", "dest"], b"$3\r\n\xce\xcd\xcc\r\n"),
    (&["set", "e", ""], b"+OK\r\n"),
    (&["bitop", "or", "dest", "e"], b":0\r\n"),
    (&["exists", "dest"], b":0\r\n"),
    (&["set", "target", "old", "ex", "100"], b"+OK\r\n"),
    (&["bitop", "or", "target", "a"], b":6\r\n"),
    (&["ttl", "target"], b":-1\r\n"),
    (
        &["bitop", "and", "dest"],
        b"-ERR wrong number of arguments for 'bitop' command\r\n",
    ),
];

const BITFIELD: Script = &[
    (
        &["bitfield", "k", "set", "u8", "0", "255", "get", "u8", "0"],
        b"*2\r\n:0\r\n:255\r\n",
    ),
    (
        &["bitfield", "k", "incrby", "u8", "0", "10"],
        b"*1\r\n:9\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "sat", "incrby", "u8", "0", "300",
        ],
        b"*1\r\n:255\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "fail", "incrby", "u8", "0", "1",
        ],
        b"*1\r\n$-1\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "fail", "incrby", "u8", "0", "-1000",
        ],
        b"*1\r\n$-1\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "wrap", "incrby", "u8", "0", "-1000",
        ],
        b"*1\r\n:23\r\n",
    ),
    (
        &[
            "bitfield", "k", "set", "i8", "0", "-128", "incrby", "i8", "0", "-1", "overflow",
            "sat", "incrby", "i8", "0", "-1", "overflow", "fail", "incrby", "i8", "0", "-1",
        ],
        b"*4\r\n:23\r\n:127\r\n:126\r\n:125\r\n",
    ),
    (
        &[
            "bitfield", "k", "set", "i8", "0", "127", "incrby", "i8", "0", "1", "overflow", "sat",
            "incrby", "i8", "0", "100", "overflow", "fail", "incrby", "i8", "0", "1", "incrby",
            "i8", "0", "-1",
        ],
        b"*5\r\n:125\r\n:-128\r\n:-28\r\n:-27\r\n:-28\r\n",
    ),
    (
        &["bitfield", "k", "set", "u8", "0", "-1"],
        b"*1\r\n:228\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "sat", "set", "u8", "0", "-1"],
        b"*1\r\n:255\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "fail", "set", "u8", "0", "-1"],
        b"*1\r\n$-1\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "fail", "set", "u8", "0", "256"],
        b"*1\r\n$-1\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "sat", "set", "i4", "0", "100"],
        b"*1\r\n:-1\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "sat", "set", "i4", "0", "-100"],
        b"*1\r\n:7\r\n",
    ),
    (
        &["bitfield", "k", "overflow", "wrap", "set", "i4", "0", "9"],
        b"*1\r\n:-8\r\n",
    ),
    (
        &[
            "bitfield", "k", "get", "i64", "0", "get", "u63", "0", "get", "i5", "#3", "get", "u1",
            "7",
        ],
        b"*4\r\n:-6989586621679009792\r\n:5728578726015270912\r\n:0\r\n:1\r\n",
    ),
    (
        &[
            "bitfield",
            "k",
            "set",
            "i64",
            "0",
            "-1",
            "incrby",
            "i64",
            "0",
            "1",
            "overflow",
            "fail",
            "incrby",
            "i64",
            "0",
            "9223372036854775807",
            "incrby",
            "i64",
            "0",
            "-9223372036854775808",
        ],
        b"*4\r\n:-6989586621679009792\r\n:0\r\n:9223372036854775807\r\n:-1\r\n",
    ),
    (
        &[
            "bitfield",
            "k",
            "set",
            "i64",
            "0",
            "9223372036854775807",
            "incrby",
            "i64",
            "0",
            "1",
            "overflow",
            "sat",
            "incrby",
            "i64",
            "64",
            "-9223372036854775808",
            "incrby",
            "i64",
            "64",
            "-1",
        ],
        b"*4\r\n:-1\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "wrap", "set", "u63", "0", "-1", "get", "u63", "0",
        ],
        b"*2\r\n:4611686018427387904\r\n:9223372036854775807\r\n",
    ),
    (
        &[
            "bitfield", "k", "set", "u4", "4", "15", "set", "u4", "0", "3", "get", "u8", "0",
        ],
        b"*3\r\n:15\r\n:15\r\n:63\r\n",
    ),
    (
        &[
            "bitfield", "k", "set", "u8", "#1", "65", "set", "u8", "#2", "66", "get", "u8", "#1",
            "get", "u16", "#1",
        ],
        b"*4\r\n:255\r\n:255\r\n:65\r\n:17151\r\n",
    ),
    (
        &["get", "k"],
        b"$16\r\n?AB\xff\xff\xff\xff\xfe\x80\x00\x00\x00\x00\x00\x00\x00\r\n",
    ),
    (
        &[
            "bitfield", "k", "incrby", "u2", "100", "1", "incrby", "u2", "100", "1", "incrby",
            "u2", "100", "1", "incrby", "u2", "100", "1",
        ],
        b"*4\r\n:1\r\n:2\r\n:3\r\n:0\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "sat", "incrby", "u2", "102", "1", "incrby", "u2", "102",
            "1", "incrby", "u2", "102", "1", "incrby", "u2", "102", "1",
        ],
        b"*4\r\n:1\r\n:2\r\n:3\r\n:3\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "fail", "incrby", "u2", "104", "1", "incrby", "u2", "104",
            "1", "incrby", "u2", "104", "1", "incrby", "u2", "104", "1",
        ],
        b"*4\r\n:1\r\n:2\r\n:3\r\n$-1\r\n",
    ),
    (
        &[
            "bitfield", "k", "overflow", "sat", "incrby", "i3", "120", "-3", "incrby", "i3", "120",
            "-3", "overflow", "wrap", "incrby", "i3", "120", "-3",
        ],
        b"*3\r\n:-3\r\n:-4\r\n:1\r\n",
    ),
    (&["bitfield", "k"], b"*0\r\n"),
    (
        &["bitfield", "nokey", "get", "u8", "0", "get", "i16", "#5"],
        b"*2\r\n:0\r\n:0\r\n",
    ),
    (
        &["bitfield", "nokey2", "set", "u8", "#2", "7"],
        b"*1\r\n:0\r\n",
    ),
    (&["get", "nokey2"], b"$3\r\n\x00\x00\x07\r\n"),
    (
        &[
            "bitfield", "nokey3", "overflow", "fail", "incrby", "u8", "0", "300",
        ],
        b"*1\r\n$-1\r\n",
    ),
    (&["get", "nokey3"], b"$1\r\n\x00\r\n"),
    (&["set", "n", "255"], b"+OK\r\n"),
    (
        &["bitfield", "n", "get", "u8", "0", "get", "u8", "8"],
        b"*2\r\n:50\r\n:53\r\n",
    ),
    (&["bitfield", "n", "set", "u8", "0", "65"], b"*1\r\n:50\r\n"),
    (&["get", "n"], b"$3\r\nA55\r\n"),
];

const BITFIELD_ERRORS: Script = &[
    (&["bitfield", "k", "get", "u64", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "i65", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "i0", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "I8", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "x8", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "u", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["bitfield", "k", "get", "u8", "-1"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield", "k", "get", "u8", "#-1"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield", "k", "get", "u8", "a"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield", "k", "get", "u8", "4294967296"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield", "k", "get", "u8", "#536870912"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield", "k", "get", "u8", "#536870911"], b"*1\r\n:0\r\n"),
    (&["bitfield", "k", "get", "u8"], b"-ERR syntax error\r\n"),
    (&["bitfield", "k", "foo", "u8", "0"], b"-ERR syntax error\r\n"),
    (&["bitfield", "k", "overflow"], b"-ERR syntax error\r\n"),
    (&["bitfield", "k", "overflow", "up", "get", "u8", "0"], b"-ERR Invalid OVERFLOW type specified\r\n"),
    (&["bitfield", "k", "set", "u8", "0", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["bitfield", "k", "set", "u8", "0", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
    (&["bitfield", "k", "set", "u8", "0"], b"-ERR syntax error\r\n"),
    (&["bitfield", "k", "incrby", "u8", "0"], b"-ERR syntax error\r\n"),
    (&["bitfield", "k", "set", "u8", "0", "1", "get", "u64", "0"], b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
    (&["exists", "k"], b":0\r\n"),
    (&["bitfield_ro", "k", "get", "u8", "0", "get", "i8", "#1"], b"*2\r\n:0\r\n:0\r\n"),
    (&["bitfield_ro", "k", "set", "u8", "0", "1"], b"-ERR BITFIELD_RO only supports the GET subcommand\r\n"),
    (&["bitfield_ro", "k", "get", "u8", "0", "incrby", "u8", "0", "1"], b"-ERR BITFIELD_RO only supports the GET subcommand\r\n"),
    (&["bitfield_ro", "k", "get", "u8", "0", "overflow", "sat"], b"*1\r\n:0\r\n"),
    (&["bitfield_ro", "k", "get", "u8", "x"], b"-ERR bit offset is not an integer or out of range\r\n"),
    (&["bitfield_ro", "k"], b"*0\r\n"),
    (&["bitfield_ro", "k", "foo"], b"-ERR syntax error\r\n"),
    (&["bitfield_ro", "nokey", "get", "u8", "0", "get", "i64", "#3"], b"*2\r\n:0\r\n:0\r\n"),
    (&["set", "k", "A"], b"+OK\r\n"),
    (&["bitfield_ro", "k", "get", "u8", "0", "get", "i4", "0", "get", "u2", "#1"], b"*3\r\n:65\r\n:4\r\n:0\r\n"),
    (&["bitfield"], b"-ERR wrong number of arguments for 'bitfield' command\r\n"),
];

#[test]
fn setbit_and_getbit() {
    run_fresh(SETBIT_GETBIT);
}

#[test]
fn bitcount_in_bytes_and_bits() {
    run_fresh(BITCOUNT);
}

#[test]
fn bitpos_in_bytes_and_bits() {
    run_fresh(BITPOS);
}

#[test]
fn bitop_all_operations() {
    run_fresh(BITOP);
}

#[test]
fn bitfield_operations_and_overflow() {
    run_fresh(BITFIELD);
}

#[test]
fn bitfield_errors_and_bitfield_ro() {
    run_fresh(BITFIELD_ERRORS);
}

#[test]
fn bit_offsets_follow_proto_max_bulk_len() {
    let server = TestServer::start_with(&["--proto-max-bulk-len", "1mb"]);
    let script: Script = &[
        (
            &["setbit", "k", "8388608", "1"],
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            &["getbit", "k", "8388608"],
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            &["bitfield", "k", "set", "u8", "8388608", "1"],
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            &["bitfield", "k", "get", "u8", "#1048576"],
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (&["setbit", "k", "8388607", "1"], b":0\r\n"),
        (&["strlen", "k"], b":1048576\r\n"),
        (&["bitcount", "k"], b":1\r\n"),
        (&["bitpos", "k", "1"], b":8388607\r\n"),
        (
            &[
                "bitfield", "k", "get", "u8", "#1048575", "set", "u1", "8388607", "0",
            ],
            b"*2\r\n:1\r\n:1\r\n",
        ),
        (&["bitpos", "k", "1"], b":-1\r\n"),
    ];
    run_script(&mut server.raw(), script);
}
