//! Keyspace events of the zsets commands.

use crate::{ke0, Servers};

#[test]
fn zadd_and_zincrby_publish_only_when_a_member_is_added_or_updated() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[],
        &[&["ZADD", "k", "1", "a", "2", "b"], &["ZADD", "k", "3", "a"]],
        &ke0(&[("zadd", "k"), ("zadd", "k")]),
    );
    // A created key is `new` first (class n), then the zadd.
    s.check(
        "KEAn",
        &[],
        &[&["ZADD", "k", "1", "a"]],
        &ke0(&[("new", "k"), ("zadd", "k")]),
    );
    // INCR and ZINCRBY are `zincr`, on a new key and on an existing member.
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a"]],
        &[
            &["ZADD", "k", "INCR", "2", "a"],
            &["ZINCRBY", "k", "1", "b"],
            &["ZINCRBY", "new", "1", "a"],
        ],
        &ke0(&[("zincr", "k"), ("zincr", "k"), ("zincr", "new")]),
    );
    // Nothing added or updated: no event (same score, NX, XX, GT, LT, a zero
    // increment, XX on a missing key, CH alone).
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a", "5", "b"]],
        &[
            &["ZADD", "k", "1", "a"],
            &["ZADD", "k", "CH", "1", "a", "5", "b"],
            &["ZADD", "k", "NX", "9", "a"],
            &["ZADD", "k", "XX", "9", "c"],
            &["ZADD", "k", "GT", "0", "a"],
            &["ZADD", "k", "LT", "9", "b"],
            &["ZADD", "k", "NX", "INCR", "1", "a"],
            &["ZINCRBY", "k", "0", "a"],
            &["ZADD", "missing", "XX", "1", "a"],
            &["ZADD", "missing", "XX", "INCR", "1", "a"],
        ],
        &[],
    );
    // A partial update still publishes once per command.
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a"]],
        &[&["ZADD", "k", "XX", "CH", "2", "a", "3", "c"]],
        &ke0(&[("zadd", "k")]),
    );
    // Errors publish nothing: wrong type, bad score, bad options, NaN increment.
    s.check(
        "KEA",
        &[&["SET", "s", "v"], &["ZADD", "k", "inf", "a"]],
        &[
            &["ZADD", "s", "1", "a"],
            &["ZINCRBY", "s", "1", "a"],
            &["ZADD", "k", "x", "a"],
            &["ZADD", "k", "1", "b", "x", "c"],
            &["ZADD", "k", "NX", "XX", "1", "a"],
            &["ZADD", "k", "INCR", "1", "a", "2", "b"],
            &["ZINCRBY", "k", "-inf", "a"],
        ],
        &[],
    );
    // The events are of class z: not published for other classes.
    s.check(
        "KEz",
        &[],
        &[&["ZADD", "k", "1", "a"]],
        &ke0(&[("zadd", "k")]),
    );
    s.check("KEg$lshxe", &[], &[&["ZADD", "k", "1", "a"]], &[]);
}

#[test]
fn zrem_publishes_zrem_then_del_when_emptied() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a", "2", "b", "3", "c"]],
        &[&["ZREM", "k", "a", "nope"], &["ZREM", "k", "b", "c", "d"]],
        &ke0(&[("zrem", "k"), ("zrem", "k"), ("del", "k")]),
    );
    // Nothing removed, a missing key, a wrong type: nothing.
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a"], &["SET", "s", "v"]],
        &[
            &["ZREM", "k", "nope"],
            &["ZREM", "missing", "a"],
            &["ZREM", "s", "a"],
        ],
        &[],
    );
    // `zrem` is class z, the `del` of the emptied key class g.
    let empty: &[&[&str]] = &[&["ZREM", "k", "a"]];
    let setup: &[&[&str]] = &[&["ZADD", "k", "1", "a"]];
    s.check("KEz", setup, empty, &ke0(&[("zrem", "k")]));
    s.check("KEg", setup, empty, &ke0(&[("del", "k")]));
}

#[test]
fn zremrangeby_publish_their_event_then_del_when_emptied() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"]];
    s.check(
        "KEA",
        setup,
        &[
            &["ZREMRANGEBYRANK", "k", "0", "0"],
            &["ZREMRANGEBYSCORE", "k", "2", "(3"],
            &["ZREMRANGEBYLEX", "k", "[c", "[c"],
            &["ZREMRANGEBYRANK", "k", "0", "-1"],
        ],
        &ke0(&[
            ("zremrangebyrank", "k"),
            ("zremrangebyscore", "k"),
            ("zremrangebylex", "k"),
            ("zremrangebyrank", "k"),
            ("del", "k"),
        ]),
    );
    s.check(
        "KEA",
        setup,
        &[&["ZREMRANGEBYSCORE", "k", "-inf", "+inf"]],
        &ke0(&[("zremrangebyscore", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        setup,
        &[&["ZREMRANGEBYLEX", "k", "-", "+"]],
        &ke0(&[("zremrangebylex", "k"), ("del", "k")]),
    );
    // Empty ranges, missing keys, errors: nothing.
    s.check(
        "KEA",
        &[
            &["ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"],
            &["SET", "s", "v"],
        ],
        &[
            &["ZREMRANGEBYRANK", "k", "5", "10"],
            &["ZREMRANGEBYRANK", "k", "2", "1"],
            &["ZREMRANGEBYSCORE", "k", "10", "20"],
            &["ZREMRANGEBYSCORE", "k", "(1", "(2"],
            &["ZREMRANGEBYLEX", "k", "(x", "+"],
            &["ZREMRANGEBYRANK", "missing", "0", "-1"],
            &["ZREMRANGEBYSCORE", "missing", "-inf", "+inf"],
            &["ZREMRANGEBYLEX", "missing", "-", "+"],
            &["ZREMRANGEBYRANK", "k", "x", "1"],
            &["ZREMRANGEBYSCORE", "k", "x", "1"],
            &["ZREMRANGEBYLEX", "k", "a", "b"],
            &["ZREMRANGEBYRANK", "s", "0", "-1"],
            &["ZREMRANGEBYSCORE", "s", "-inf", "+inf"],
            &["ZREMRANGEBYLEX", "s", "-", "+"],
        ],
        &[],
    );
}

#[test]
fn pops_publish_one_event_per_command_then_del_when_emptied() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"]],
        &[
            &["ZPOPMIN", "k"],
            &["ZPOPMAX", "k", "2"],
            &["ZPOPMIN", "k", "10"],
        ],
        &ke0(&[
            ("zpopmin", "k"),
            ("zpopmax", "k"),
            ("zpopmin", "k"),
            ("del", "k"),
        ]),
    );
    // ZMPOP pops from the first non-empty key, as ZPOPMIN/ZPOPMAX.
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a", "2", "b", "3", "c"]],
        &[
            &["ZMPOP", "2", "missing", "k", "MIN"],
            &["ZMPOP", "1", "k", "MAX", "COUNT", "10"],
        ],
        &ke0(&[("zpopmin", "k"), ("zpopmax", "k"), ("del", "k")]),
    );
    // A count of 0, missing keys, errors: nothing.
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a"], &["SET", "s", "v"]],
        &[
            &["ZPOPMIN", "k", "0"],
            &["ZPOPMAX", "k", "0"],
            &["ZPOPMIN", "missing"],
            &["ZPOPMAX", "missing", "3"],
            &["ZMPOP", "2", "missing", "other", "MIN"],
            &["ZPOPMIN", "k", "-1"],
            &["ZPOPMIN", "k", "x"],
            &["ZPOPMIN", "s"],
            &["ZMPOP", "1", "s", "MIN"],
            &["ZMPOP", "1", "k", "MIN", "COUNT", "0"],
            &["ZMPOP", "0", "k", "MIN"],
            &["ZMPOP", "1", "k", "UP"],
        ],
        &[],
    );
    // The pop is class z, the `del` class g.
    let pop: &[&[&str]] = &[&["ZPOPMAX", "k"]];
    let setup: &[&[&str]] = &[&["ZADD", "k", "1", "a"]];
    s.check("KEz", setup, pop, &ke0(&[("zpopmax", "k")]));
    s.check("KEg", setup, pop, &ke0(&[("del", "k")]));
}

#[test]
fn set_operations_store_publish_their_event_or_del_when_empty() {
    let s = Servers::start();
    let inputs: &[&[&str]] = &[
        &["ZADD", "a", "1", "x", "2", "y"],
        &["ZADD", "b", "1", "y", "2", "z"],
        &["SADD", "set", "y"],
    ];
    s.check(
        "KEA",
        inputs,
        &[
            &["ZUNIONSTORE", "u", "2", "a", "b"],
            &["ZINTERSTORE", "i", "3", "a", "b", "set"],
            &["ZDIFFSTORE", "d", "2", "a", "b"],
        ],
        &ke0(&[
            ("zunionstore", "u"),
            ("zinterstore", "i"),
            ("zdiffstore", "d"),
        ]),
    );
    // A new destination is `new` first; an overwritten one (any type) is not, nor is
    // a destination that is also a source.
    s.check(
        "KEAn",
        inputs,
        &[
            &["ZUNIONSTORE", "u", "1", "a"],
            &["ZUNIONSTORE", "u", "1", "b"],
            &["ZINTERSTORE", "set", "2", "set", "a"],
            &["ZDIFFSTORE", "a", "1", "a"],
        ],
        &ke0(&[
            ("new", "u"),
            ("zunionstore", "u"),
            ("zunionstore", "u"),
            ("zinterstore", "set"),
            ("zdiffstore", "a"),
        ]),
    );
    // An empty result deletes the destination: `del` (class g) if it existed, else
    // nothing.
    let empty: &[&[&str]] = &[
        &["ZINTERSTORE", "dst", "2", "a", "missing"],
        &["ZUNIONSTORE", "dst", "1", "missing"],
        &["ZDIFFSTORE", "dst", "2", "a", "a"],
    ];
    let with_dst: Vec<&[&str]> = inputs
        .iter()
        .copied()
        .chain([&["SET", "dst", "v"][..]])
        .collect();
    s.check("KEA", &with_dst, empty, &ke0(&[("del", "dst")]));
    s.check("KEz", &with_dst, empty, &[]);
    s.check("KEA", inputs, empty, &[]);
    // Errors publish nothing, even with an existing destination.
    s.check(
        "KEA",
        &with_dst,
        &[
            &["ZUNIONSTORE", "dst", "2", "a", "dst"],
            &["ZINTERSTORE", "dst", "0", "a"],
            &["ZUNIONSTORE", "dst", "3", "a", "b"],
            &["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "x"],
            &["ZINTERSTORE", "dst", "2", "a", "b", "AGGREGATE", "avg"],
            &["ZDIFFSTORE", "dst", "2", "a", "b", "WITHSCORES"],
        ],
        &[],
    );
}

#[test]
fn zrangestore_publishes_zrangestore_or_del_when_empty() {
    let s = Servers::start();
    let src: &[&[&str]] = &[&["ZADD", "src", "1", "a", "2", "b", "3", "c"]];
    s.check(
        "KEAn",
        &[src[0], &["ZADD", "lex", "0", "a", "0", "b", "0", "c"]],
        &[
            &["ZRANGESTORE", "dst", "src", "0", "0"],
            &[
                "ZRANGESTORE",
                "dst",
                "src",
                "(1",
                "+inf",
                "BYSCORE",
                "LIMIT",
                "0",
                "1",
            ],
            &["ZRANGESTORE", "dst", "lex", "[c", "-", "BYLEX", "REV"],
            &["ZRANGESTORE", "src", "src", "0", "1"],
        ],
        &ke0(&[
            ("new", "dst"),
            ("zrangestore", "dst"),
            ("zrangestore", "dst"),
            ("zrangestore", "dst"),
            ("zrangestore", "src"),
        ]),
    );
    // An empty range deletes the destination: `del` if it existed.
    let empty: &[&[&str]] = &[
        &["ZRANGESTORE", "dst", "src", "5", "10"],
        &["ZRANGESTORE", "dst", "missing", "0", "-1"],
    ];
    s.check(
        "KEA",
        &[src[0], &["SET", "dst", "v"]],
        empty,
        &ke0(&[("del", "dst")]),
    );
    s.check("KEA", src, empty, &[]);
    // Errors: nothing.
    s.check(
        "KEA",
        &[src[0], &["SET", "s", "v"], &["SET", "dst", "v"]],
        &[
            &["ZRANGESTORE", "dst", "s", "0", "-1"],
            &["ZRANGESTORE", "dst", "src", "x", "1"],
            &["ZRANGESTORE", "dst", "src", "0", "-1", "WITHSCORES"],
            &["ZRANGESTORE", "dst", "src", "0", "-1", "LIMIT", "0", "1"],
        ],
        &[],
    );
}

#[test]
fn a_store_meets_an_expired_destination_as_redis_does() {
    let s = Servers::start();
    // Active expiry off, so the destination is still stored but logically expired.
    let expired: &[&[&str]] = &[
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["ZADD", "a", "1", "x"],
        &["SET", "dst", "v", "PX", "1"],
        &["DEBUG", "SLEEP", "0.01"],
    ];
    // A result replaces it: the lookup reports the expiry, then the key is new.
    s.check(
        "KEAn",
        expired,
        &[&["ZUNIONSTORE", "dst", "1", "a"]],
        &ke0(&[("expired", "dst"), ("new", "dst"), ("zunionstore", "dst")]),
    );
    // An empty result deletes it without looking it up: `del`, not `expired`.
    s.check(
        "KEA",
        expired,
        &[
            &["ZRANGESTORE", "dst", "a", "5", "10"],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
        ],
        &ke0(&[("del", "dst")]),
    );
}

#[test]
fn blocking_pops_served_at_once_publish_as_the_plain_ones() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"]],
        &[
            &["BZPOPMIN", "missing", "k", "0"],
            &["BZPOPMAX", "k", "0"],
            &["BZMPOP", "0", "2", "missing", "k", "MIN", "COUNT", "5"],
        ],
        &ke0(&[
            ("zpopmin", "k"),
            ("zpopmax", "k"),
            ("zpopmin", "k"),
            ("del", "k"),
        ]),
    );
    // Inside a transaction they cannot wait: no data, no event. Errors: none either.
    s.check(
        "KEA",
        &[&["SET", "s", "v"], &["ZADD", "k", "1", "a"]],
        &[
            &["MULTI"],
            &["BZPOPMIN", "missing", "0"],
            &["BZMPOP", "0", "1", "missing", "MAX"],
            &["EXEC"],
            &["BZPOPMIN", "s", "k", "0"],
            &["BZPOPMAX", "k", "-1"],
            &["BZMPOP", "0", "1", "s", "MIN"],
            &["BZMPOP", "0", "1", "k", "MIN", "COUNT", "0"],
        ],
        &[],
    );
}

/// [`crate::check_served`] with no setup, every blocked client expected to get a
/// reply (not an error).
fn check_served(
    s: &Servers,
    classes: &str,
    blocked: &[&[&str]],
    commands: &[&[&str]],
    expected: &[(String, String)],
    replies: &[&str],
) {
    let replies: Vec<Result<&str, &str>> = replies.iter().map(|r| Ok(*r)).collect();
    crate::check_served(s, classes, blocked, &[], commands, expected, &replies);
}

#[test]
fn served_blocking_pops_publish_after_the_write_that_fed_them() {
    let s = Servers::start();
    // The writer's events, then the served pop's, then `del` if it took the last one.
    check_served(
        &s,
        "KEAn",
        &[&["BZPOPMIN", "k", "0"]],
        &[&["ZADD", "k", "1", "a"]],
        &ke0(&[("new", "k"), ("zadd", "k"), ("zpopmin", "k"), ("del", "k")]),
        &["k a 1"],
    );
    check_served(
        &s,
        "KEA",
        &[&["BZPOPMAX", "other", "k", "0"]],
        &[&["ZINCRBY", "k", "2", "a"], &["ZADD", "k", "3", "b"]],
        &ke0(&[
            ("zincr", "k"),
            ("zpopmax", "k"),
            ("del", "k"),
            ("zadd", "k"),
        ]),
        &["k a 2"],
    );
    check_served(
        &s,
        "KEA",
        &[&["BZMPOP", "0", "2", "other", "k", "MAX", "COUNT", "5"]],
        &[&["ZADD", "k", "1", "a", "2", "b", "3", "c"]],
        &ke0(&[("zadd", "k"), ("zpopmax", "k"), ("del", "k")]),
        &["k [[c 3] [b 2] [a 1]]"],
    );
    // Two waiters served in turn from one write, the last pop empties the key.
    check_served(
        &s,
        "KEA",
        &[&["BZPOPMIN", "k", "0"], &["BZPOPMAX", "k", "0"]],
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &ke0(&[
            ("zadd", "k"),
            ("zpopmin", "k"),
            ("zpopmax", "k"),
            ("del", "k"),
        ]),
        &["k a 1", "k b 2"],
    );
    // Fed by a STORE command or inside a transaction: served after it, once.
    check_served(
        &s,
        "KEA",
        &[&["BZPOPMIN", "k", "0"]],
        &[
            &["ZADD", "src", "1", "a", "2", "b"],
            &["ZUNIONSTORE", "k", "1", "src"],
        ],
        &ke0(&[("zadd", "src"), ("zunionstore", "k"), ("zpopmin", "k")]),
        &["k a 1"],
    );
    check_served(
        &s,
        "KEA",
        &[&["BZPOPMAX", "k", "0"]],
        &[
            &["MULTI"],
            &["ZADD", "k", "1", "a"],
            &["ZADD", "k", "2", "b"],
            &["EXEC"],
        ],
        &ke0(&[("zadd", "k"), ("zadd", "k"), ("zpopmax", "k")]),
        &["k b 2"],
    );
    // A key of another type does not serve the waiter: it times out, no pop event.
    check_served(
        &s,
        "KEA",
        &[&["BZPOPMIN", "k", "0.5"]],
        &[&["SET", "k", "v"]],
        &ke0(&[("set", "k")]),
        &["nil"],
    );
}
