//! Keyspace events of the hashes commands.

use crate::{ke0, Servers};

#[test]
fn hset_and_hmset_publish_hset_even_when_nothing_changes() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[],
        &[
            &["HSET", "h", "a", "1", "b", "2"],
            &["HMSET", "h", "a", "3"],
        ],
        &ke0(&[("hset", "h"), ("hset", "h")]),
    );
    // Rewriting a field with its own value still publishes.
    s.check(
        "KEA",
        &[&["HSET", "h", "a", "1"]],
        &[&["HSET", "h", "a", "1"], &["HMSET", "h", "a", "1"]],
        &ke0(&[("hset", "h"), ("hset", "h")]),
    );
    // A new hash is announced first.
    s.check(
        "KEAn",
        &[],
        &[&["HSET", "h", "a", "1"], &["HSET", "h", "b", "2"]],
        &ke0(&[("new", "h"), ("hset", "h"), ("hset", "h")]),
    );
    // Errors publish nothing; hash events are of the `h` class.
    s.check(
        "KEA",
        &[&["SET", "s", "v"]],
        &[
            &["HSET", "s", "a", "1"],
            &["HMSET", "s", "a", "1"],
            &["HSET", "h", "a", "1", "b"],
            &["HMSET", "h", "a"],
        ],
        &[],
    );
    s.check("KEg$", &[], &[&["HSET", "h", "a", "1"]], &[]);
    s.check(
        "KEh",
        &[],
        &[&["HSET", "h", "a", "1"]],
        &ke0(&[("hset", "h")]),
    );
}

#[test]
fn hsetnx_publishes_hset_only_when_it_sets() {
    let s = Servers::start();
    s.check(
        "KEAn",
        &[],
        &[
            &["HSETNX", "h", "a", "1"],
            &["HSETNX", "h", "a", "2"],
            &["HSETNX", "h", "b", "2"],
        ],
        &ke0(&[("new", "h"), ("hset", "h"), ("hset", "h")]),
    );
    s.check(
        "KEA",
        &[&["SET", "s", "v"]],
        &[&["HSETNX", "s", "a", "1"]],
        &[],
    );
}

#[test]
fn increments_publish_their_own_event() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["HSET", "h", "n", "1", "f", "1.5"]],
        &[
            &["HINCRBY", "h", "n", "2"],
            &["HINCRBY", "h", "missing", "-1"],
            &["HINCRBYFLOAT", "h", "f", "0.25"],
            &["HINCRBYFLOAT", "h", "n", "1"],
        ],
        &ke0(&[
            ("hincrby", "h"),
            ("hincrby", "h"),
            ("hincrbyfloat", "h"),
            ("hincrbyfloat", "h"),
        ]),
    );
    s.check(
        "KEAn",
        &[],
        &[
            &["HINCRBY", "a", "n", "1"],
            &["HINCRBYFLOAT", "b", "n", "1"],
        ],
        &ke0(&[
            ("new", "a"),
            ("hincrby", "a"),
            ("new", "b"),
            ("hincrbyfloat", "b"),
        ]),
    );
    // Every error publishes nothing: bad increments, values that are not numbers,
    // overflow, an infinite result, another type.
    s.check(
        "KEA",
        &[
            &[
                "HSET",
                "h",
                "text",
                "abc",
                "max",
                "9223372036854775807",
                "big",
                "1e4932",
            ],
            &["SET", "s", "v"],
        ],
        &[
            &["HINCRBY", "h", "n", "x"],
            &["HINCRBY", "h", "text", "1"],
            &["HINCRBY", "h", "max", "1"],
            &["HINCRBY", "s", "n", "1"],
            &["HINCRBYFLOAT", "h", "n", "x"],
            &["HINCRBYFLOAT", "h", "n", "inf"],
            &["HINCRBYFLOAT", "h", "text", "1"],
            &["HINCRBYFLOAT", "h", "big", "1e4932"],
            &["HINCRBYFLOAT", "s", "n", "1"],
        ],
        &[],
    );
}

#[test]
fn hdel_publishes_hdel_then_del_when_the_hash_empties() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["HSET", "h", "a", "1", "b", "2", "c", "3"]],
        &[&["HDEL", "h", "a", "nofield"], &["HDEL", "h", "b", "c"]],
        &ke0(&[("hdel", "h"), ("hdel", "h"), ("del", "h")]),
    );
    // Nothing removed, nothing published; errors neither.
    s.check(
        "KEA",
        &[&["HSET", "h", "a", "1"], &["SET", "s", "v"]],
        &[
            &["HDEL", "h", "nofield"],
            &["HDEL", "nokey", "a"],
            &["HDEL", "s", "a"],
        ],
        &[],
    );
    // The `del` is generic, the `hdel` of the hash class.
    s.check(
        "KEg",
        &[&["HSET", "h", "a", "1"]],
        &[&["HDEL", "h", "a"]],
        &ke0(&[("del", "h")]),
    );
    s.check(
        "KEh",
        &[&["HSET", "h", "a", "1"]],
        &[&["HDEL", "h", "a", "a"]],
        &ke0(&[("hdel", "h")]),
    );
}

#[test]
fn hash_reads_publish_nothing() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["HSET", "h", "a", "1", "b", "2"]],
        &[
            &["HGET", "h", "a"],
            &["HMGET", "h", "a", "x"],
            &["HGETALL", "h"],
            &["HKEYS", "h"],
            &["HVALS", "h"],
            &["HLEN", "h"],
            &["HSTRLEN", "h", "a"],
            &["HEXISTS", "h", "a"],
            &["HRANDFIELD", "h", "-5", "WITHVALUES"],
            &["HSCAN", "h", "0"],
        ],
        &[],
    );
}

#[test]
fn hash_events_come_where_redis_writes_them_relative_to_the_reply() {
    let s = Servers::start();
    // The setters and increments reply first, HDEL publishes first.
    s.check_self_subscribed(
        &[],
        &[
            &["HSET", "h", "a", "1"],
            &["HMSET", "h", "b", "2"],
            &["HSETNX", "h", "c", "3"],
            &["HINCRBY", "h", "a", "1"],
            &["HINCRBYFLOAT", "h", "a", "1"],
            &["HDEL", "h", "a", "b"],
            &["HDEL", "h", "c"],
        ],
        &[
            ":1",
            "event hset",
            "+OK",
            "event hset",
            ":1",
            "event hset",
            ":2",
            "event hincrby",
            "$1\\r\\n3",
            "event hincrbyfloat",
            "event hdel",
            ":2",
            "event hdel",
            "event del",
            ":1",
        ],
    );
}

#[test]
fn writes_to_an_expired_hash_report_the_expiry_first() {
    let s = Servers::start();
    // Active expiry off, so the hash is still stored but logically expired.
    let setup: &[&[&str]] = &[
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["HSET", "h", "a", "1"],
        &["PEXPIRE", "h", "1"],
        &["DEBUG", "SLEEP", "0.01"],
    ];
    s.check(
        "KEAn",
        setup,
        &[&["HINCRBY", "h", "a", "1"]],
        &ke0(&[("expired", "h"), ("new", "h"), ("hincrby", "h")]),
    );
    s.check(
        "KEA",
        setup,
        &[&["HDEL", "h", "a"], &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]],
        &ke0(&[("expired", "h")]),
    );
}
