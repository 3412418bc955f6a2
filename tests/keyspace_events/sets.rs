//! Keyspace events of the sets commands.

use crate::{ke, ke0, Servers};

#[test]
fn sadd_publishes_only_when_it_adds() {
    let s = Servers::start();
    s.check(
        "KEAn",
        &[],
        &[
            &["SADD", "k", "a", "b"],
            &["SADD", "k", "a", "b"],
            &["SADD", "k", "a", "c"],
        ],
        &ke0(&[("new", "k"), ("sadd", "k"), ("sadd", "k")]),
    );
    // Errors publish nothing; set events are of the `s` class.
    s.check(
        "KEA",
        &[&["SET", "str", "v"]],
        &[&["SADD", "str", "a"]],
        &[],
    );
    s.check("KEgh", &[], &[&["SADD", "k", "a"]], &[]);
    s.check("KEs", &[], &[&["SADD", "k", "a"]], &ke0(&[("sadd", "k")]));
    // Another database is named in the channels.
    s.check(
        "KEA",
        &[],
        &[&["SELECT", "5"], &["SADD", "k", "1"]],
        &ke(&[(5, "sadd", "k")]),
    );
}

#[test]
fn srem_publishes_srem_then_del_when_the_set_empties() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SADD", "k", "a", "b", "c"]],
        &[&["SREM", "k", "a", "x"], &["SREM", "k", "b", "c", "b"]],
        &ke0(&[("srem", "k"), ("srem", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        &[&["SADD", "k", "a"], &["SET", "str", "v"]],
        &[
            &["SREM", "k", "x", "y"],
            &["SREM", "nokey", "a"],
            &["SREM", "str", "a"],
        ],
        &[],
    );
    s.check(
        "KEg",
        &[&["SADD", "k", "1"]],
        &[&["SREM", "k", "1"]],
        &ke0(&[("del", "k")]),
    );
}

#[test]
fn smove_publishes_srem_on_the_source_and_sadd_on_the_destination() {
    let s = Servers::start();
    // A new destination is created (and announced) after the source's events.
    s.check(
        "KEAn",
        &[&["SADD", "src", "a", "b"]],
        &[&["SMOVE", "src", "dst", "a"]],
        &ke0(&[("srem", "src"), ("new", "dst"), ("sadd", "dst")]),
    );
    // Emptying the source deletes it before the destination is touched.
    s.check(
        "KEA",
        &[&["SADD", "src", "a"], &["SADD", "dst", "b"]],
        &[&["SMOVE", "src", "dst", "a"]],
        &ke0(&[("srem", "src"), ("del", "src"), ("sadd", "dst")]),
    );
    // A member the destination already holds: only the source changes.
    s.check(
        "KEA",
        &[&["SADD", "src", "a", "b"], &["SADD", "dst", "a"]],
        &[&["SMOVE", "src", "dst", "a"]],
        &ke0(&[("srem", "src")]),
    );
    // No-ops and errors: missing member or source, same key, wrong types.
    s.check(
        "KEA",
        &[
            &["SADD", "src", "a"],
            &["SADD", "dst", "b"],
            &["SET", "str", "v"],
        ],
        &[
            &["SMOVE", "src", "dst", "x"],
            &["SMOVE", "nokey", "dst", "a"],
            &["SMOVE", "src", "src", "a"],
            &["SMOVE", "src", "str", "a"],
            &["SMOVE", "str", "dst", "a"],
        ],
        &[],
    );
}

#[test]
fn spop_publishes_spop_then_del_when_the_set_empties() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SADD", "k", "a", "b"]],
        &[&["SPOP", "k"], &["SPOP", "k"], &["SPOP", "k"]],
        &ke0(&[("spop", "k"), ("spop", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        &[&["SET", "str", "v"]],
        &[
            &["SPOP", "nokey"],
            &["SPOP", "str"],
            &["SPOP", "str", "1", "2"],
        ],
        &[],
    );
}

#[test]
fn spop_with_a_count_publishes_one_spop_and_del_when_it_takes_all() {
    let s = Servers::start();
    // A few members (removed one by one) and most of them (set rebuilt), as intset
    // and as hashtable.
    s.check(
        "KEA",
        &[
            &[
                "SADD", "ints", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
            ],
            &[
                "SADD", "strs", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
            ],
        ],
        &[
            &["SPOP", "ints", "2"],
            &["SPOP", "ints", "7"],
            &["SPOP", "strs", "2"],
            &["SPOP", "strs", "7"],
        ],
        &ke0(&[
            ("spop", "ints"),
            ("spop", "ints"),
            ("spop", "strs"),
            ("spop", "strs"),
        ]),
    );
    // The whole set, exactly or more.
    s.check(
        "KEA",
        &[&["SADD", "a", "1", "2"], &["SADD", "b", "x", "y"]],
        &[&["SPOP", "a", "2"], &["SPOP", "b", "100"]],
        &ke0(&[("spop", "a"), ("del", "a"), ("spop", "b"), ("del", "b")]),
    );
    // A zero count, a missing key, bad counts, another type.
    s.check(
        "KEA",
        &[&["SADD", "k", "a"], &["SET", "str", "v"]],
        &[
            &["SPOP", "k", "0"],
            &["SPOP", "nokey", "3"],
            &["SPOP", "k", "-1"],
            &["SPOP", "k", "x"],
            &["SPOP", "str", "1"],
        ],
        &[],
    );
}

#[test]
fn store_variants_publish_their_event_on_the_destination() {
    let s = Servers::start();
    let sets: &[&[&str]] = &[
        &["SADD", "s1", "a", "b", "c"],
        &["SADD", "s2", "b", "c", "d"],
    ];
    s.check(
        "KEAn",
        sets,
        &[
            &["SINTERSTORE", "i", "s1", "s2"],
            &["SUNIONSTORE", "u", "s1", "s2"],
            &["SDIFFSTORE", "d", "s1", "s2"],
        ],
        &ke0(&[
            ("new", "i"),
            ("sinterstore", "i"),
            ("new", "u"),
            ("sunionstore", "u"),
            ("new", "d"),
            ("sdiffstore", "d"),
        ]),
    );
    // Over an existing destination of any type, and onto a source.
    s.check(
        "KEAn",
        &[
            &["SADD", "s1", "a", "b", "c"],
            &["SADD", "s2", "b", "c", "d"],
            &["SET", "str", "v"],
            &["SADD", "set", "z"],
        ],
        &[
            &["SINTERSTORE", "str", "s1", "s2"],
            &["SUNIONSTORE", "set", "s1", "s2"],
            &["SDIFFSTORE", "s1", "s1", "s2"],
        ],
        &ke0(&[
            ("sinterstore", "str"),
            ("sunionstore", "set"),
            ("sdiffstore", "s1"),
        ]),
    );
}

#[test]
fn an_empty_store_result_deletes_the_destination_if_it_exists() {
    let s = Servers::start();
    // Empty results over existing destinations: `del` only. SINTERSTORE with a missing
    // source takes its own early path.
    s.check(
        "KEA",
        &[
            &["SADD", "s1", "a"],
            &["SADD", "s2", "b"],
            &["SADD", "d1", "x"],
            &["SET", "d2", "x"],
            &["SADD", "d3", "x"],
            &["SADD", "d4", "x"],
        ],
        &[
            &["SINTERSTORE", "d1", "s1", "s2"],
            &["SINTERSTORE", "d2", "s1", "nokey"],
            &["SUNIONSTORE", "d3", "nokey", "nokey2"],
            &["SDIFFSTORE", "d4", "s1", "s1"],
        ],
        &ke0(&[("del", "d1"), ("del", "d2"), ("del", "d3"), ("del", "d4")]),
    );
    // Empty results over missing destinations, and errors: nothing.
    s.check(
        "KEA",
        &[
            &["SADD", "s1", "a"],
            &["SADD", "s2", "b"],
            &["SET", "str", "v"],
            &["SADD", "d", "x"],
        ],
        &[
            &["SINTERSTORE", "none", "s1", "s2"],
            &["SINTERSTORE", "none", "s1", "nokey"],
            &["SUNIONSTORE", "none", "nokey"],
            &["SDIFFSTORE", "none", "s1", "s1"],
            &["SINTERSTORE", "d", "s1", "str"],
            &["SUNIONSTORE", "d", "s1", "str"],
            &["SDIFFSTORE", "d", "str", "s1"],
        ],
        &[],
    );
}

#[test]
fn set_reads_publish_nothing() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SADD", "s1", "a", "b"], &["SADD", "s2", "b", "c"]],
        &[
            &["SMEMBERS", "s1"],
            &["SISMEMBER", "s1", "a"],
            &["SMISMEMBER", "s1", "a", "x"],
            &["SCARD", "s1"],
            &["SRANDMEMBER", "s1", "-5"],
            &["SSCAN", "s1", "0"],
            &["SINTER", "s1", "s2"],
            &["SINTERCARD", "2", "s1", "s2"],
            &["SUNION", "s1", "s2"],
            &["SDIFF", "s1", "s2"],
        ],
        &[],
    );
}

#[test]
fn set_events_come_where_redis_writes_them_relative_to_the_reply() {
    let s = Servers::start();
    // SADD, SREM and SMOVE publish before replying; SPOP publishes `spop` first and
    // `del` after the reply.
    s.check_self_subscribed(
        &[&["SADD", "src", "a", "b"]],
        &[
            &["SADD", "k", "1"],
            &["SMOVE", "src", "k", "a"],
            &["SREM", "k", "a"],
            &["SPOP", "k"],
            &["SPOP", "src", "5"],
        ],
        &[
            "event sadd",
            ":1",
            "event srem",
            "event sadd",
            ":1",
            "event srem",
            ":1",
            "event spop",
            "$1\\r\\n1",
            "event del",
            "event spop",
            "~1\\r\\n$1\\r\\nb",
            "event del",
        ],
    );
    // The STORE variants reply first, except SINTERSTORE over a missing source, whose
    // `del` comes before the reply.
    s.check_self_subscribed(
        &[
            &["SADD", "s", "a"],
            &["SADD", "d1", "x"],
            &["SADD", "d2", "x"],
            &["SADD", "d3", "x"],
        ],
        &[
            &["SINTERSTORE", "d1", "s", "nokey"],
            &["SINTERSTORE", "d2", "s", "d2"],
            &["SUNIONSTORE", "d3", "nokey"],
            &["SINTERSTORE", "i", "s", "s"],
            &["SUNIONSTORE", "u", "s"],
            &["SDIFFSTORE", "d", "s"],
        ],
        &[
            "event del",
            ":0",
            ":0",
            "event del",
            ":0",
            "event del",
            ":1",
            "event sinterstore",
            ":1",
            "event sunionstore",
            ":1",
            "event sdiffstore",
        ],
    );
}

#[test]
fn a_store_meets_an_expired_destination_as_redis_does() {
    let s = Servers::start();
    // Active expiry off, so the destination is still stored but logically expired.
    let expired: &[&[&str]] = &[
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["SADD", "a", "x"],
        &["SET", "dst", "v", "PX", "1"],
        &["DEBUG", "SLEEP", "0.01"],
    ];
    // A result replaces it: storing looks it up (reporting the expiry), then it is new.
    s.check(
        "KEAn",
        expired,
        &[&["SUNIONSTORE", "dst", "a"]],
        &ke0(&[("expired", "dst"), ("new", "dst"), ("sunionstore", "dst")]),
    );
    // An empty result deletes it without looking it up: `del`, not `expired`, on
    // both of SINTERSTORE's paths.
    s.check(
        "KEA",
        expired,
        &[&["SINTERSTORE", "dst", "a", "nokey"]],
        &ke0(&[("del", "dst")]),
    );
    s.check(
        "KEA",
        expired,
        &[
            &["SDIFFSTORE", "dst", "a", "a"],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
        ],
        &ke0(&[("del", "dst")]),
    );
}

#[test]
fn writes_to_expired_sets_report_the_expiry_first() {
    let s = Servers::start();
    // Active expiry off, so the keys are still stored but logically expired.
    let setup: &[&[&str]] = &[
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["SADD", "src", "a", "b"],
        &["SADD", "gone", "a"],
        &["PEXPIRE", "gone", "1"],
        &["DEBUG", "SLEEP", "0.01"],
    ];
    // SMOVE looks both keys up before moving.
    s.check(
        "KEAn",
        setup,
        &[&["SMOVE", "src", "gone", "a"]],
        &ke0(&[
            ("expired", "gone"),
            ("srem", "src"),
            ("new", "gone"),
            ("sadd", "gone"),
        ]),
    );
    // Adding recreates the set; removing or popping finds nothing.
    s.check(
        "KEAn",
        setup,
        &[&["SADD", "gone", "b"]],
        &ke0(&[("expired", "gone"), ("new", "gone"), ("sadd", "gone")]),
    );
    s.check(
        "KEA",
        setup,
        &[
            &["SPOP", "gone", "5"],
            &["SREM", "gone", "a"],
            &["SPOP", "gone"],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
        ],
        &ke0(&[("expired", "gone")]),
    );
}
