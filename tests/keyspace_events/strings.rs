//! Keyspace events of the strings commands, the bitmap commands and HyperLogLog (all
//! string values, so all in the `$` class, plus generic `expire`/`persist`/`del`).

use crate::{ke, ke0, Servers};

/// A command list, for brevity.
type Cmds<'a> = &'a [&'a [&'a str]];

#[test]
fn set_variants_report_set_and_their_expire() {
    let s = Servers::start();
    s.check("KEA", &[], &[&["SETNX", "k", "v"]], &ke0(&[("set", "k")]));
    s.check("KEA", &[&["SET", "k", "v"]], &[&["SETNX", "k", "w"]], &[]);
    s.check(
        "KEA",
        &[],
        &[&["SETEX", "k", "100", "v"], &["PSETEX", "p", "100000", "v"]],
        &ke0(&[("set", "k"), ("expire", "k"), ("set", "p"), ("expire", "p")]),
    );
    // The expiry is generic: with strings only, just `set`.
    s.check(
        "KE$",
        &[],
        &[&["SETEX", "k", "100", "v"]],
        &ke0(&[("set", "k")]),
    );
    // SET ... GET sets like SET; XX on a missing key sets nothing.
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[&["SET", "k", "w", "GET"], &["SET", "m", "w", "XX", "GET"]],
        &ke0(&[("set", "k")]),
    );
    // GETSET replaces the value (and clears the TTL, without a `persist` event).
    s.check(
        "KEA",
        &[&["SET", "k", "v", "EX", "100"]],
        &[&["GETSET", "k", "w"], &["GETSET", "new", "w"]],
        &ke0(&[("set", "k"), ("set", "new")]),
    );
    // Errors publish nothing: invalid expire times, another type.
    let errors: Cmds = &[
        &["SETEX", "k", "0", "v"],
        &["PSETEX", "k", "-5", "v"],
        &["SETEX", "k", "nan", "v"],
        &["SET", "k", "v", "EX", "0"],
        &["GETSET", "list", "v"],
        &["SET", "list", "v", "GET"],
    ];
    s.check("KEA", &[&["RPUSH", "list", "a"]], errors, &[]);
}

#[test]
fn getdel_and_getex_report_generic_events() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[&["GETDEL", "k"], &["GETDEL", "k"], &["GETDEL", "missing"]],
        &ke0(&[("del", "k")]),
    );
    s.check("KEA", &[&["RPUSH", "l", "a"]], &[&["GETDEL", "l"]], &[]);
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[
            &["GETEX", "k", "EX", "100"],
            &["GETEX", "k", "PX", "100000"],
            &["GETEX", "k", "EXAT", "99999999999"],
            &["GETEX", "k", "PXAT", "99999999999000"],
        ],
        &ke0(&[
            ("expire", "k"),
            ("expire", "k"),
            ("expire", "k"),
            ("expire", "k"),
        ]),
    );
    // An absolute time already past deletes the key.
    s.check(
        "KEA",
        &[&["SET", "k", "v"], &["SET", "p", "v"]],
        &[&["GETEX", "k", "EXAT", "1"], &["GETEX", "p", "PXAT", "1"]],
        &ke0(&[("del", "k"), ("del", "p")]),
    );
    // PERSIST reports only when there was a TTL to remove.
    s.check(
        "KEA",
        &[&["SET", "k", "v", "EX", "100"], &["SET", "plain", "v"]],
        &[
            &["GETEX", "k", "PERSIST"],
            &["GETEX", "k", "PERSIST"],
            &["GETEX", "plain", "PERSIST"],
        ],
        &ke0(&[("persist", "k")]),
    );
    // A plain GETEX, a missing key, another type and an invalid time publish nothing.
    let nothing: Cmds = &[
        &["GETEX", "k"],
        &["GETEX", "missing", "EX", "100"],
        &["GETEX", "l", "EX", "100"],
        &["GETEX", "k", "EX", "0"],
        &["GETEX", "k", "EX", "100", "PERSIST"],
    ];
    s.check(
        "KEA",
        &[&["SET", "k", "v"], &["RPUSH", "l", "a"]],
        nothing,
        &[],
    );
}

#[test]
fn mset_and_msetnx_report_set_per_key() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SET", "b", "old"]],
        &[&["MSET", "a", "1", "b", "2", "a", "3"]],
        &ke0(&[("set", "a"), ("set", "b"), ("set", "a")]),
    );
    s.check(
        "KEA",
        &[],
        &[&["MSETNX", "a", "1", "b", "2"]],
        &ke0(&[("set", "a"), ("set", "b")]),
    );
    // MSETNX with one existing key sets nothing; a wrong arity neither.
    s.check(
        "KEA",
        &[&["SET", "b", "old"]],
        &[&["MSETNX", "a", "1", "b", "2"], &["MSET", "a", "1", "b"]],
        &[],
    );
    s.check(
        "KEA",
        &[],
        &[&["SELECT", "5"], &["MSET", "x", "1", "y", "2"]],
        &ke(&[(5, "set", "x"), (5, "set", "y")]),
    );
}

#[test]
fn append_and_setrange_report_their_names() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[
            &["APPEND", "k", "w"],
            &["APPEND", "new", "w"],
            &["APPEND", "k", ""],
        ],
        &ke0(&[("append", "k"), ("append", "new"), ("append", "k")]),
    );
    s.check(
        "KEA",
        &[&["SET", "k", "hello"]],
        &[&["SETRANGE", "k", "1", "a"], &["SETRANGE", "new", "3", "x"]],
        &ke0(&[("setrange", "k"), ("setrange", "new")]),
    );
    // An empty value changes nothing (existing or missing key); errors neither.
    let nothing: Cmds = &[
        &["SETRANGE", "k", "1", ""],
        &["SETRANGE", "missing", "1", ""],
        &["SETRANGE", "k", "-1", "x"],
        &["SETRANGE", "k", "x", "x"],
        &["SETRANGE", "k", "600000000", "x"],
        &["SETRANGE", "l", "0", "x"],
        &["APPEND", "l", "x"],
    ];
    s.check(
        "KEA",
        &[&["SET", "k", "hello"], &["RPUSH", "l", "a"]],
        nothing,
        &[],
    );
}

#[test]
fn counters_report_incrby_and_incrbyfloat() {
    let s = Servers::start();
    // The four integer commands all report `incrby`.
    s.check(
        "KEA",
        &[&["SET", "n", "10"]],
        &[
            &["INCR", "n"],
            &["DECR", "n"],
            &["INCRBY", "n", "5"],
            &["DECRBY", "n", "3"],
            &["INCR", "new"],
        ],
        &ke0(&[
            ("incrby", "n"),
            ("incrby", "n"),
            ("incrby", "n"),
            ("incrby", "n"),
            ("incrby", "new"),
        ]),
    );
    s.check(
        "KEA",
        &[&["SET", "f", "1.5"]],
        &[&["INCRBYFLOAT", "f", "0.5"], &["INCRBYFLOAT", "new", "2"]],
        &ke0(&[("incrbyfloat", "f"), ("incrbyfloat", "new")]),
    );
    // Not a number, an overflow, NaN/infinity or another type: nothing.
    let errors: Cmds = &[
        &["INCR", "s"],
        &["INCRBY", "n", "x"],
        &["INCRBY", "max", "1"],
        &["DECRBY", "n", "-9223372036854775808"],
        &["INCR", "l"],
        &["INCRBYFLOAT", "s", "1"],
        &["INCRBYFLOAT", "n", "x"],
        &["INCRBYFLOAT", "n", "inf"],
        &["INCRBYFLOAT", "l", "1"],
    ];
    s.check(
        "KEA",
        &[
            &["SET", "s", "abc"],
            &["SET", "n", "1"],
            &["SET", "max", "9223372036854775807"],
            &["RPUSH", "l", "a"],
        ],
        errors,
        &[],
    );
}

#[test]
fn setbit_and_bitfield_report_setbit_on_change() {
    let s = Servers::start();
    // A new key, a flipped bit and a grown string change; setting the same bit does not.
    s.check(
        "KEA",
        &[],
        &[
            &["SETBIT", "b", "1", "1"],
            &["SETBIT", "b", "1", "1"],
            &["SETBIT", "b", "1", "0"],
            &["SETBIT", "b", "100", "0"],
            &["SETBIT", "new", "0", "0"],
        ],
        &ke0(&[
            ("setbit", "b"),
            ("setbit", "b"),
            ("setbit", "b"),
            ("setbit", "new"),
        ]),
    );
    // BITFIELD reports one `setbit` per command however many writes changed bits.
    s.check(
        "KEA",
        &[&["SET", "b", "\x01"]],
        &[
            &[
                "BITFIELD", "b", "SET", "u8", "0", "2", "INCRBY", "u8", "0", "1",
            ],
            &[
                "BITFIELD", "b", "SET", "u8", "0", "3", "INCRBY", "u8", "0", "0",
            ],
            &["BITFIELD", "b", "GET", "u8", "0"],
            &["BITFIELD_RO", "b", "GET", "u8", "0"],
            &[
                "BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300",
            ],
            &["BITFIELD", "new", "INCRBY", "u4", "0", "1"],
        ],
        &ke0(&[("setbit", "b"), ("setbit", "new")]),
    );
    // A BITFIELD whose every write fails still creates a missing key: only `new`.
    s.check(
        "KEAn",
        &[],
        &[&[
            "BITFIELD", "z", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300",
        ]],
        &ke0(&[("new", "z")]),
    );
    let errors: Cmds = &[
        &["SETBIT", "l", "0", "1"],
        &["SETBIT", "b", "0", "2"],
        &["SETBIT", "b", "-1", "1"],
        &["BITFIELD", "l", "SET", "u8", "0", "1"],
        &["BITFIELD", "b", "SET", "u64", "0", "1"],
        &["BITFIELD_RO", "b", "SET", "u8", "0", "1"],
    ];
    s.check("KEA", &[&["RPUSH", "l", "a"]], errors, &[]);
}

#[test]
fn bitop_reports_set_or_del_of_the_destination() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SET", "a", "x"], &["SET", "b", "y"]],
        &[
            &["BITOP", "AND", "dest", "a", "b"],
            &["BITOP", "NOT", "a", "a"],
        ],
        &ke0(&[("set", "dest"), ("set", "a")]),
    );
    // An empty result deletes the destination, reported only if it existed.
    s.check(
        "KEA",
        &[&["SET", "dest", "v"]],
        &[
            &["BITOP", "OR", "dest", "missing"],
            &["BITOP", "OR", "dest", "missing"],
        ],
        &ke0(&[("del", "dest")]),
    );
    // Errors: unknown operation, NOT with two sources, a source of another type.
    let errors: Cmds = &[
        &["BITOP", "NAND", "dest", "a"],
        &["BITOP", "NOT", "dest", "a", "a"],
        &["BITOP", "OR", "dest", "a", "l"],
    ];
    s.check(
        "KEA",
        &[&["SET", "a", "x"], &["RPUSH", "l", "a"]],
        errors,
        &[],
    );
}

#[test]
fn hyperloglog_writes_report_pfadd() {
    let s = Servers::start();
    // Creating reports even without elements; an add that changes no register does not.
    s.check(
        "KEA",
        &[],
        &[
            &["PFADD", "h"],
            &["PFADD", "h", "a", "b"],
            &["PFADD", "h", "a"],
            &["PFADD", "h"],
        ],
        &ke0(&[("pfadd", "h"), ("pfadd", "h")]),
    );
    // PFMERGE always reports `pfadd` on the destination, new or unchanged.
    s.check(
        "KEA",
        &[&["PFADD", "h1", "a"], &["PFADD", "h2", "b"]],
        &[
            &["PFMERGE", "dest", "h1", "h2"],
            &["PFMERGE", "dest", "h1"],
            &["PFMERGE", "empty"],
        ],
        &ke0(&[("pfadd", "dest"), ("pfadd", "dest"), ("pfadd", "empty")]),
    );
    // PFCOUNT updates the cached cardinality but publishes nothing.
    s.check(
        "KEA",
        &[&["PFADD", "h", "a", "b", "c"]],
        &[&["PFCOUNT", "h"], &["PFCOUNT", "h", "missing"]],
        &[],
    );
    let errors: Cmds = &[
        &["PFADD", "s", "a"],
        &["PFADD", "l", "a"],
        &["PFMERGE", "dest", "s"],
        &["PFMERGE", "l", "h"],
    ];
    s.check(
        "KEA",
        &[
            &["SET", "s", "not an hll"],
            &["RPUSH", "l", "a"],
            &["PFADD", "h", "a"],
        ],
        errors,
        &[],
    );
}

#[test]
fn writes_over_expired_keys_report_the_expiry_first() {
    let s = Servers::start();
    // Keep the active cycle from removing the keys before the commands meet them.
    let setup = |cmds: Cmds<'static>| -> Vec<&'static [&'static str]> {
        let mut all: Vec<&[&str]> = vec![&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]];
        all.extend_from_slice(cmds);
        all
    };
    let sleep: &[&str] = &["DEBUG", "SLEEP", "0.01"];
    s.check(
        "KEA",
        &setup(&[&["SET", "b", "v", "PX", "1"]]),
        &[sleep, &["MSET", "a", "1", "b", "2"]],
        &ke0(&[("set", "a"), ("expired", "b"), ("set", "b")]),
    );
    s.check(
        "KEA",
        &setup(&[&["SET", "k", "1", "PX", "1"]]),
        &[sleep, &["INCR", "k"], &["GETSET", "k", "v"]],
        &ke0(&[("expired", "k"), ("incrby", "k"), ("set", "k")]),
    );
    s.check(
        "KEA",
        &setup(&[&["SET", "a", "x"], &["SET", "dest", "v", "PX", "1"]]),
        &[sleep, &["BITOP", "OR", "dest", "a"]],
        &ke0(&[("expired", "dest"), ("set", "dest")]),
    );
    // Deleting an expired destination is a plain `del`, as in Redis.
    s.check(
        "KEA",
        &setup(&[&["SET", "dest", "v", "PX", "1"]]),
        &[sleep, &["BITOP", "OR", "dest", "missing"]],
        &ke0(&[("del", "dest")]),
    );
    s.check(
        "KEA",
        &setup(&[&["PFADD", "h", "a"], &["PEXPIRE", "h", "1"]]),
        &[sleep, &["PFADD", "h", "a"]],
        &ke0(&[("expired", "h"), ("pfadd", "h")]),
    );
}
