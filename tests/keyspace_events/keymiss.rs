//! Which lookups publish `keymiss` (class `m`) and count keyspace hits and misses
//! (INFO stats), family by family.
//!
//! Redis 7.0 has two kinds of lookup. A read lookup (lookupKeyRead and friends) counts a
//! hit or a miss and publishes `keymiss` on a miss; a write lookup (lookupKeyWrite)
//! does neither. Which kind a command uses is Redis's choice, command by command: most
//! write commands look their keys up for writing, but some read first (GETDEL, GETEX,
//! SET ... GET, COPY's source, PFMERGE's inputs, the sources of the STORE variants,
//! SORT ... STORE), and OBJECT counts a hit or miss without publishing anything.
//! Every scenario runs on ferrodis and on redis-server, which checks the expectation.

use crate::common::{query, TestServer};
use crate::{ke0, run, Servers};

/// Setup steps that stop the active expiry cycle, so that a key whose time has passed
/// is still there when the scenario looks it up.
const NO_ACTIVE_EXPIRE: &[&str] = &["DEBUG", "SET-ACTIVE-EXPIRE", "0"];
/// The command that restarts the cycle, last of the scenarios that stopped it.
const ACTIVE_EXPIRE: &[&str] = &["DEBUG", "SET-ACTIVE-EXPIRE", "1"];
/// Lets a key set with `PX 1` in the setup pass its time.
const SLEEP: &[&str] = &["DEBUG", "SLEEP", "0.01"];

/// The `keymiss` events of `keys`, in that order.
fn misses(keys: &[&str]) -> Vec<(String, String)> {
    let events: Vec<(&str, &str)> = keys.iter().map(|&k| ("keymiss", k)).collect();
    ke0(&events)
}

#[test]
fn string_reads_of_missing_keys_report_keymiss() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[&["SET", "here", "v"]],
        &[
            &["GET", "k1"],
            &["MGET", "k2", "here", "k3"],
            &["STRLEN", "k4"],
            &["GETRANGE", "k5", "0", "-1"],
            &["SUBSTR", "k6", "0", "-1"],
            // Write commands that read first: GETEX, GETDEL, GETSET, SET ... GET.
            &["GETEX", "k7", "EX", "100"],
            &["GETDEL", "k8"],
            &["GETSET", "k9", "v"],
            &["SET", "k10", "v", "GET"],
            &["LCS", "k11", "k12"],
            // A present key is a hit, whatever its type.
            &["GET", "here"],
            &["STRLEN", "here"],
        ],
        &misses(&[
            "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12",
        ]),
    );
    // An argument error found before the lookup: no lookup, no miss.
    s.check(
        "KEm",
        &[],
        &[
            &["GETRANGE", "k", "x", "1"],
            &["GETEX", "k", "BADOPTION"],
            &["SET", "k", "v", "GET", "EX", "0"],
        ],
        &[],
    );
}

#[test]
fn string_writes_of_missing_keys_report_nothing() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[],
        &[
            &["SET", "w1", "v", "XX"],
            &["SET", "w2", "v", "NX"],
            &["SET", "w3", "v"],
            &["SETNX", "w4", "v"],
            &["SETEX", "w5", "100", "v"],
            &["PSETEX", "w6", "100000", "v"],
            &["MSETNX", "w7", "v", "w8", "v"],
            &["MSET", "w9", "v"],
            &["APPEND", "w10", "v"],
            &["INCR", "w11"],
            &["DECRBY", "w12", "2"],
            &["INCRBYFLOAT", "w13", "1.5"],
            &["SETRANGE", "w14", "0", ""],
            &["SETRANGE", "w15", "2", "x"],
        ],
        &[],
    );
    // A write to a key whose time has passed: expired, but no miss.
    s.check(
        "KEm",
        &[NO_ACTIVE_EXPIRE, &["SET", "old", "1", "PX", "1"]],
        &[SLEEP, &["INCR", "old"], ACTIVE_EXPIRE],
        &[],
    );
}

#[test]
fn bitmap_and_hyperloglog_lookups() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[],
        &[
            &["GETBIT", "b1", "0"],
            &["BITCOUNT", "b2"],
            &["BITPOS", "b3", "1"],
            &["BITFIELD_RO", "b4", "GET", "u8", "0"],
            // Only GETs: a read lookup, even for BITFIELD.
            &["BITFIELD", "b5", "GET", "u8", "0"],
            // The sources are read, the destination is not looked up.
            &["BITOP", "AND", "bdst", "b6", "b7"],
            // One key or several, PFCOUNT reads.
            &["PFCOUNT", "h1"],
            &["PFCOUNT", "h2", "h3"],
            // PFMERGE reads every key, its destination first (an input too).
            &["PFMERGE", "hdst", "h4"],
        ],
        &misses(&[
            "b1", "b2", "b3", "b4", "b5", "b6", "b7", "h1", "h2", "h3", "hdst", "h4",
        ]),
    );
    s.check(
        "KEm",
        &[],
        &[
            &["SETBIT", "w1", "3", "1"],
            &["BITFIELD", "w2", "SET", "u8", "0", "1"],
            &["BITFIELD", "w3", "GET", "u8", "0", "INCRBY", "u8", "0", "1"],
            &["PFADD", "w4", "a"],
            &["PFADD", "w5"],
            // A GET with a write is refused by BITFIELD_RO before any lookup.
            &["BITFIELD_RO", "w6", "SET", "u8", "0", "1"],
        ],
        &[],
    );
}

#[test]
fn list_reads_report_keymiss_and_list_writes_do_not() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[],
        &[
            &["LLEN", "l1"],
            &["LRANGE", "l2", "0", "-1"],
            // A missing key answers null before the index is parsed.
            &["LINDEX", "l3", "notanumber"],
            &["LPOS", "l4", "x"],
            &["LPOS", "l5", "x", "COUNT", "0"],
            // Parsed before the lookup: no lookup.
            &["LRANGE", "l6", "x", "1"],
        ],
        &misses(&["l1", "l2", "l3", "l4", "l5"]),
    );
    s.check(
        "KEm",
        &[&["RPUSH", "full", "a", "b", "c"]],
        &[
            &["LPUSHX", "w1", "a"],
            &["RPUSHX", "w2", "a"],
            &["LPOP", "w3"],
            &["RPOP", "w4", "2"],
            &["LMPOP", "2", "w5", "w6", "LEFT"],
            &["LSET", "w7", "0", "v"],
            &["LINSERT", "w8", "BEFORE", "p", "v"],
            &["LREM", "w9", "0", "v"],
            &["LTRIM", "w10", "0", "1"],
            &["LMOVE", "w11", "w12", "LEFT", "RIGHT"],
            &["RPOPLPUSH", "w13", "w14"],
            // A destination that does not exist yet.
            &["LMOVE", "full", "w15", "LEFT", "RIGHT"],
            // The blocking pops' first try, which cannot wait inside MULTI.
            &["MULTI"],
            &["BLPOP", "w16", "w17", "0"],
            &["BRPOP", "w18", "0"],
            &["BLMOVE", "w19", "w20", "LEFT", "LEFT", "0"],
            &["BRPOPLPUSH", "w21", "w22", "0"],
            &["BLMPOP", "0", "1", "w23", "LEFT"],
            &["EXEC"],
            // Keys before the one that serves the pop are looked up for writing too.
            &["BLPOP", "w24", "full", "0"],
            &["LPUSH", "w25", "a"],
        ],
        &[],
    );
}

#[test]
fn hash_reads_report_keymiss_and_hash_writes_do_not() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[&["HSET", "here", "f", "v"]],
        &[
            &["HGET", "h1", "f"],
            &["HMGET", "h2", "f", "g"],
            &["HLEN", "h3"],
            &["HSTRLEN", "h4", "f"],
            &["HEXISTS", "h5", "f"],
            &["HGETALL", "h6"],
            &["HKEYS", "h7"],
            &["HVALS", "h8"],
            &["HRANDFIELD", "h9"],
            &["HRANDFIELD", "h10", "2", "WITHVALUES"],
            &["HSCAN", "h11", "0"],
            &["HGET", "here", "nofield"],
            // Parsed before the lookup: no lookup.
            &["HRANDFIELD", "h12", "x"],
            &["HSCAN", "h13", "x"],
        ],
        &misses(&[
            "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11",
        ]),
    );
    s.check(
        "KEm",
        &[],
        &[
            &["HDEL", "w1", "f"],
            &["HSET", "w2", "f", "v"],
            &["HMSET", "w3", "f", "v"],
            &["HSETNX", "w4", "f", "v"],
            &["HINCRBY", "w5", "f", "1"],
            &["HINCRBYFLOAT", "w6", "f", "1.5"],
        ],
        &[],
    );
}

#[test]
fn set_reads_report_keymiss_and_set_writes_do_not() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[],
        &[
            &["SISMEMBER", "s1", "m"],
            &["SMISMEMBER", "s2", "m", "n"],
            &["SCARD", "s3"],
            &["SMEMBERS", "s4"],
            &["SRANDMEMBER", "s5"],
            &["SRANDMEMBER", "s6", "-2"],
            &["SSCAN", "s7", "0"],
        ],
        &misses(&["s1", "s2", "s3", "s4", "s5", "s6", "s7"]),
    );
    // The algebra reads every input, even past a missing one (an empty intersection is
    // known at the first), and in Redis 7.0 so do the STORE variants; their destination
    // is not read.
    s.check(
        "KEm",
        &[],
        &[
            &["SINTER", "a1", "a2"],
            &["SUNION", "a3", "a4"],
            &["SDIFF", "a5", "a6"],
            &["SINTERCARD", "2", "a7", "a8", "LIMIT", "1"],
            &["SINTERSTORE", "d1", "a9", "a10"],
            &["SUNIONSTORE", "d2", "a11"],
            &["SDIFFSTORE", "d3", "a12", "a13"],
        ],
        &misses(&[
            "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13",
        ]),
    );
    // The inputs are read in order until one holds another type.
    s.check(
        "KEm",
        &[&["SET", "str", "v"]],
        &[
            &["SINTER", "b1", "str", "b2"],
            &["SUNIONSTORE", "d", "b3", "str", "b4"],
        ],
        &misses(&["b1", "b3"]),
    );
    s.check(
        "KEm",
        &[&["SADD", "full", "m", "n"]],
        &[
            &["SPOP", "w1"],
            &["SPOP", "w2", "2"],
            &["SPOP", "w3", "0"],
            &["SREM", "w4", "m"],
            &["SMOVE", "w5", "w6", "m"],
            &["SMOVE", "full", "w7", "m"],
            &["SADD", "w8", "m"],
        ],
        &[],
    );
}

#[test]
fn sorted_set_reads_report_keymiss_and_sorted_set_writes_do_not() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[&["ZADD", "here", "1", "m"]],
        &[
            &["ZCARD", "z1"],
            &["ZSCORE", "z2", "m"],
            &["ZMSCORE", "z3", "m", "n"],
            &["ZRANK", "z4", "m"],
            &["ZREVRANK", "z5", "m"],
            &["ZCOUNT", "z6", "-inf", "+inf"],
            &["ZLEXCOUNT", "z7", "-", "+"],
            &["ZRANGE", "z8", "0", "-1"],
            &["ZRANGEBYSCORE", "z9", "-inf", "+inf"],
            &["ZREVRANGEBYLEX", "z10", "+", "-"],
            &["ZRANDMEMBER", "z11"],
            &["ZRANDMEMBER", "z12", "2", "WITHSCORES"],
            &["ZSCAN", "z13", "0"],
            &["ZSCAN", "here", "0"],
            // Parsed before the lookup: no lookup.
            &["ZCOUNT", "z14", "x", "1"],
            &["ZRANGE", "z15", "0", "-1", "BYLEX"],
        ],
        &misses(&[
            "z1", "z2", "z3", "z4", "z5", "z6", "z7", "z8", "z9", "z10", "z11", "z12", "z13",
        ]),
    );
    // The set operations read every input (before parsing their options), the STORE
    // variants and ZRANGESTORE included in Redis 7.0; a destination is not read.
    s.check(
        "KEm",
        &[],
        &[
            &["ZUNION", "2", "a1", "a2"],
            &["ZINTER", "2", "a3", "a4"],
            &["ZDIFF", "2", "a5", "a6"],
            &["ZINTERCARD", "2", "a7", "a8"],
            &["ZUNIONSTORE", "d1", "2", "a9", "a10"],
            &["ZINTERSTORE", "d2", "1", "a11"],
            &["ZDIFFSTORE", "d3", "2", "a12", "a13"],
            &["ZRANGESTORE", "d4", "a14", "0", "-1"],
            &["ZUNION", "1", "a15", "BADOPTION"],
        ],
        &misses(&[
            "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13",
            "a14", "a15",
        ]),
    );
    s.check(
        "KEm",
        &[&["ZADD", "full", "1", "m", "2", "n"]],
        &[
            &["ZADD", "w1", "XX", "1", "m"],
            &["ZADD", "w2", "1", "m"],
            &["ZINCRBY", "w3", "1", "m"],
            &["ZREM", "w4", "m"],
            &["ZREMRANGEBYRANK", "w5", "0", "-1"],
            &["ZREMRANGEBYSCORE", "w6", "-inf", "+inf"],
            &["ZREMRANGEBYLEX", "w7", "-", "+"],
            &["ZPOPMIN", "w8"],
            &["ZPOPMAX", "w9", "2"],
            &["ZMPOP", "2", "w10", "w11", "MIN"],
            &["MULTI"],
            &["BZPOPMIN", "w12", "w13", "0"],
            &["BZPOPMAX", "w14", "0"],
            &["BZMPOP", "0", "1", "w15", "MAX"],
            &["EXEC"],
            &["BZPOPMIN", "w16", "full", "0"],
        ],
        &[],
    );
}

#[test]
fn generic_reads_report_keymiss_and_the_rest_do_not() {
    let s = Servers::start();
    s.check(
        "KEm",
        &[&["SET", "here", "v"]],
        &[
            &["EXISTS", "k1", "here", "k2"],
            &["TYPE", "k3"],
            &["TTL", "k4"],
            &["PTTL", "k5"],
            &["EXPIRETIME", "k6"],
            &["PEXPIRETIME", "k7"],
            &["TOUCH", "k8", "here"],
            &["DUMP", "k9"],
            // COPY reads its source; the destination is looked up for writing.
            &["COPY", "k10", "d1"],
            &["COPY", "here", "d2"],
        ],
        &misses(&["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10"]),
    );
    // OBJECT counts a hit or miss but publishes nothing; MEMORY USAGE and DEBUG OBJECT
    // do not even look the key up; the rest look it up for writing.
    s.check(
        "KEm",
        &[&["SET", "here", "v"]],
        &[
            &["OBJECT", "ENCODING", "w1"],
            &["OBJECT", "REFCOUNT", "w2"],
            &["OBJECT", "IDLETIME", "w3"],
            &["OBJECT", "FREQ", "w4"],
            &["MEMORY", "USAGE", "w5"],
            &["DEBUG", "OBJECT", "w6"],
            &["EXPIRE", "w7", "100"],
            &["PEXPIREAT", "w8", "100"],
            &["PERSIST", "w9"],
            &["RENAME", "w10", "w11"],
            &["RENAMENX", "w12", "w13"],
            &["MOVE", "w14", "1"],
            &["DEL", "w15"],
            &["UNLINK", "w16"],
            &["RESTORE", "w17", "0", "not a payload"],
            &["COPY", "here", "w18", "DB", "1"],
            &["RANDOMKEY"],
            &["KEYS", "*"],
            &["SCAN", "0"],
            &["DBSIZE"],
        ],
        &[],
    );
    // SCAN ... TYPE reads each candidate that matches the pattern: one whose time has
    // passed is a miss (and then gone for the next SCAN).
    s.check(
        "KEm",
        &[
            NO_ACTIVE_EXPIRE,
            &["SET", "old", "v", "PX", "1"],
            &["SET", "here", "v"],
        ],
        &[
            SLEEP,
            &["SCAN", "0", "MATCH", "o*", "TYPE", "string"],
            &["SCAN", "0", "TYPE", "string"],
            ACTIVE_EXPIRE,
        ],
        &misses(&["old"]),
    );
}

#[test]
fn sort_reads_its_key_and_every_pattern_key() {
    let s = Servers::start();
    let list: &[&[&str]] = &[&["RPUSH", "l", "1", "2"], &["SET", "w_1", "5"]];
    s.check(
        "KEm",
        &[],
        &[
            &["SORT", "k1"],
            &["SORT_RO", "k2"],
            &["SORT", "k3", "STORE", "d"],
        ],
        &misses(&["k1", "k2", "k3"]),
    );
    // BY reads the weight of every element (in the list's order), GET the value of
    // every element returned (in the sorted order: 2 weighs nothing, so comes first);
    // `#` is no key.
    s.check(
        "KEm",
        list,
        &[&["SORT", "l", "BY", "w_*", "GET", "#", "GET", "g_*"]],
        &misses(&["w_2", "g_2", "g_1"]),
    );
    // A hash field pattern: a string at the key is found (no miss) but has no field.
    s.check(
        "KEm",
        list,
        &[&["SORT", "l", "BY", "w_*->f", "ALPHA"]],
        &misses(&["w_2"]),
    );
    // A pattern without `*` looks nothing up and does not sort, even if a real
    // pattern follows it; LIMIT bounds the GET lookups.
    s.check(
        "KEm",
        list,
        &[
            &["SORT", "l", "BY", "nosort", "BY", "w_*"],
            &["SORT", "l", "BY", "nosort", "GET", "nokey"],
            &["SORT", "l", "LIMIT", "0", "1", "GET", "g_*"],
        ],
        &misses(&["g_1"]),
    );
}

/// The keyspace hits and misses counted so far, from INFO stats.
fn hits_and_misses(con: &mut redis::Connection) -> (u64, u64) {
    let info: String = query(con, &["INFO", "stats"]);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in INFO stats"))
    };
    (field("keyspace_hits:"), field("keyspace_misses:"))
}

/// Runs `setup`, then each of `commands` in turn, and returns the keyspace hits and
/// misses each one counted.
fn stat_deltas(server: &TestServer, setup: &[&[&str]], commands: &[&[&str]]) -> Vec<(u64, u64)> {
    let mut con = server.conn();
    run(&mut con, &["FLUSHALL"]);
    for args in setup {
        run(&mut con, args);
    }
    commands
        .iter()
        .map(|args| {
            let before = hits_and_misses(&mut con);
            run(&mut con, args);
            let after = hits_and_misses(&mut con);
            (after.0 - before.0, after.1 - before.1)
        })
        .collect()
}

/// Runs `cases` (a command and the hits and misses it counts) in order on both servers
/// after `setup`, and checks every count.
fn check_stats(s: &Servers, setup: &[&[&str]], cases: &[(&[&str], u64, u64)]) {
    let commands: Vec<&[&str]> = cases.iter().map(|c| c.0).collect();
    let servers = std::iter::once(("ferrodis", &s.ferrodis))
        .chain(s.redis.as_ref().map(|r| ("redis-server", r)));
    for (name, server) in servers {
        let got = stat_deltas(server, setup, &commands);
        for ((args, hits, misses), got) in cases.iter().zip(got) {
            assert_eq!(
                got,
                (*hits, *misses),
                "{name}: keyspace (hits, misses) counted by {args:?}"
            );
        }
    }
}

#[test]
fn keyspace_hits_and_misses_are_counted_by_read_lookups_only() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[
        &["SET", "s", "1"],
        &["RPUSH", "l", "a", "b", "c"],
        &["HSET", "h", "f", "v"],
        &["SADD", "set", "m", "n"],
        &["SADD", "set3", "a", "b", "c"],
        &["ZADD", "z", "1", "m", "2", "n"],
        &["PFADD", "hll", "a"],
        &["RPUSH", "sl", "1", "2"],
        &["SET", "w_1", "5"],
    ];
    let cases: &[(&[&str], u64, u64)] = &[
        // Strings.
        (&["GET", "s"], 1, 0),
        (&["GET", "nokey"], 0, 1),
        (&["MGET", "s", "nokey", "nokey"], 1, 2),
        (&["SET", "s", "v", "NX"], 0, 0),
        (&["SET", "s", "1", "GET"], 1, 0),
        (&["SET", "nokey", "v", "XX", "GET"], 0, 1),
        (&["GETEX", "s", "PERSIST"], 1, 0),
        (&["GETDEL", "nokey"], 0, 1),
        (&["GETSET", "s", "1"], 1, 0),
        (&["INCR", "cnt"], 0, 0),
        (&["INCRBYFLOAT", "cnt", "1"], 0, 0),
        (&["APPEND", "s", "x"], 0, 0),
        (&["SETRANGE", "s", "0", "1"], 0, 0),
        (&["MSETNX", "s", "v", "nokey", "v"], 0, 0),
        (&["STRLEN", "s"], 1, 0),
        (&["GETRANGE", "nokey", "0", "1"], 0, 1),
        (&["LCS", "s", "nokey"], 1, 1),
        // Bitmaps and HyperLogLogs.
        (&["GETBIT", "s", "0"], 1, 0),
        (&["SETBIT", "bits", "1", "1"], 0, 0),
        (&["BITCOUNT", "nokey"], 0, 1),
        (&["BITOP", "OR", "bd", "s", "nokey"], 1, 1),
        (&["BITFIELD_RO", "s", "GET", "u8", "0"], 1, 0),
        (&["BITFIELD", "bits", "SET", "u8", "0", "1"], 0, 0),
        (&["PFCOUNT", "hll"], 1, 0),
        (&["PFCOUNT", "nokey"], 0, 1),
        (&["PFCOUNT", "hll", "nokey"], 1, 1),
        (&["PFADD", "hll", "b"], 0, 0),
        (&["PFMERGE", "hll2", "hll"], 1, 1),
        // Generic commands.
        (&["EXISTS", "s", "nokey"], 1, 1),
        (&["TYPE", "l"], 1, 0),
        (&["TTL", "nokey"], 0, 1),
        (&["OBJECT", "ENCODING", "s"], 1, 0),
        (&["OBJECT", "ENCODING", "nokey"], 0, 1),
        (&["MEMORY", "USAGE", "s"], 0, 0),
        (&["DEBUG", "OBJECT", "s"], 0, 0),
        (&["DUMP", "s"], 1, 0),
        (&["TOUCH", "s", "nokey"], 1, 1),
        (&["COPY", "s", "s2"], 1, 0),
        (&["COPY", "nokey", "s2"], 0, 1),
        (&["RENAME", "s2", "s3"], 0, 0),
        (&["EXPIRE", "s3", "100"], 0, 0),
        (&["PERSIST", "s3"], 0, 0),
        (&["MOVE", "s3", "1"], 0, 0),
        (&["RESTORE", "s", "0", "not a payload"], 0, 0),
        (&["DEL", "s2", "nokey"], 0, 0),
        (&["RANDOMKEY"], 0, 0),
        (&["KEYS", "*"], 0, 0),
        (
            &[
                "SCAN", "0", "MATCH", "[sl]", "COUNT", "1000", "TYPE", "list",
            ],
            2,
            0,
        ),
        // Lists.
        (&["LLEN", "l"], 1, 0),
        (&["LRANGE", "nokey", "0", "-1"], 0, 1),
        (&["LINDEX", "l", "0"], 1, 0),
        (&["LPOS", "l", "a"], 1, 0),
        (&["LPUSH", "l", "d"], 0, 0),
        (&["LPOP", "nokey"], 0, 0),
        (&["LSET", "l", "0", "x"], 0, 0),
        (&["LMOVE", "l", "l2", "LEFT", "LEFT"], 0, 0),
        (&["RPOPLPUSH", "nokey", "l"], 0, 0),
        (&["BLPOP", "nokey", "l", "0"], 0, 0),
        (&["LMPOP", "2", "nokey", "l2", "RIGHT"], 0, 0),
        // Hashes.
        (&["HGET", "h", "f"], 1, 0),
        (&["HGET", "nokey", "f"], 0, 1),
        (&["HSET", "h", "g", "v"], 0, 0),
        (&["HDEL", "nokey", "f"], 0, 0),
        (&["HSCAN", "h", "0"], 1, 0),
        (&["HRANDFIELD", "nokey", "2"], 0, 1),
        (&["HGETALL", "h"], 1, 0),
        // Sets.
        (&["SISMEMBER", "set", "m"], 1, 0),
        (&["SINTER", "set", "nokey"], 1, 1),
        (&["SINTERSTORE", "dst", "set", "nokey"], 1, 1),
        (&["SUNIONSTORE", "dst", "set", "nokey"], 1, 1),
        (&["SRANDMEMBER", "set", "2"], 1, 0),
        (&["SSCAN", "set", "0"], 1, 0),
        (&["SMOVE", "set", "set2", "m"], 0, 0),
        (&["SPOP", "nokey", "2"], 0, 0),
        (&["SPOP", "set3", "1"], 0, 0),
        // Popping the whole set, Redis replies through SUNION, which reads the key.
        (&["SPOP", "set2", "1"], 1, 0),
        (&["SPOP", "set"], 0, 0),
        // Sorted sets.
        (&["ZSCORE", "z", "m"], 1, 0),
        (&["ZSCAN", "z", "0"], 1, 0),
        (&["ZUNIONSTORE", "zd", "2", "z", "nokey"], 1, 1),
        (&["ZRANGESTORE", "zd2", "z", "0", "-1"], 1, 0),
        (&["ZRANGE", "nokey", "0", "-1"], 0, 1),
        (&["ZINTERCARD", "2", "z", "nokey"], 1, 1),
        (&["ZRANDMEMBER", "z"], 1, 0),
        (&["ZADD", "z", "3", "o"], 0, 0),
        (&["ZPOPMIN", "nokey"], 0, 0),
        (&["ZPOPMAX", "z", "2"], 0, 0),
        (&["BZPOPMIN", "nokey", "z", "0"], 0, 0),
        // SORT: the key, then BY and GET keys.
        (&["SORT", "sl"], 1, 0),
        (&["SORT", "sl", "BY", "nosort"], 1, 0),
        (&["SORT", "sl", "BY", "w_*", "GET", "#", "GET", "g_*"], 2, 3),
        (&["SORT", "sl", "BY", "nosort", "BY", "w_*"], 1, 0),
        (&["SORT", "nokey", "STORE", "dst"], 0, 1),
    ];
    check_stats(&s, setup, cases);
}
