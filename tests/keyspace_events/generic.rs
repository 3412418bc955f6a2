//! Keyspace events of the generic commands: DEL UNLINK RENAME RENAMENX MOVE COPY, the
//! EXPIRE family and PERSIST, RESTORE, SORT ... STORE, and the database-wide commands
//! that publish nothing.

use crate::common::{query, TestServer};
use crate::{ke, ke0, record_events_with, run, Servers};

/// Setup steps that stop the active expiry cycle, so that a key whose time has passed
/// is still there, and announced lazily, when the scenario touches it.
const NO_ACTIVE_EXPIRE: &[&str] = &["DEBUG", "SET-ACTIVE-EXPIRE", "0"];
/// The command that restarts the cycle, last of the scenarios that stopped it.
const ACTIVE_EXPIRE: &[&str] = &["DEBUG", "SET-ACTIVE-EXPIRE", "1"];
/// Lets a key set with `PX 1` in the setup pass its time.
const SLEEP: &[&str] = &["DEBUG", "SLEEP", "0.01"];

#[test]
fn del_and_unlink_announce_each_key_they_remove() {
    let s = Servers::start();
    let two: &[&[&str]] = &[&["SET", "a", "1"], &["RPUSH", "b", "x"]];
    s.check(
        "KEA",
        two,
        &[&["DEL", "a", "missing", "b"]],
        &ke0(&[("del", "a"), ("del", "b")]),
    );
    s.check(
        "KEA",
        two,
        &[&["UNLINK", "b", "a", "a"]],
        &ke0(&[("del", "b"), ("del", "a")]),
    );
    // Nothing removed, nothing published; `del` is a generic event.
    s.check("KEA", &[], &[&["DEL", "missing"]], &[]);
    s.check("KE$l", two, &[&["DEL", "a", "b"]], &[]);
    s.check("KEg", two, &[&["DEL", "a"]], &ke0(&[("del", "a")]));
    // A key whose time has passed expires rather than being deleted.
    s.check(
        "KEA",
        &[
            NO_ACTIVE_EXPIRE,
            &["SET", "gone", "v", "PX", "1"],
            &["SET", "k", "v"],
        ],
        &[SLEEP, &["DEL", "gone", "k"], ACTIVE_EXPIRE],
        &ke0(&[("expired", "gone"), ("del", "k")]),
    );
}

#[test]
fn rename_announces_the_source_then_the_destination() {
    let s = Servers::start();
    let src: &[&[&str]] = &[&["SET", "a", "1"]];
    let both: &[&[&str]] = &[&["SET", "a", "1"], &["SET", "b", "2"]];
    let renamed = ke0(&[("rename_from", "a"), ("rename_to", "b")]);
    s.check("KEA", src, &[&["RENAME", "a", "b"]], &renamed);
    s.check("KEA", both, &[&["RENAME", "a", "b"]], &renamed);
    s.check("KEA", src, &[&["RENAMENX", "a", "b"]], &renamed);
    // The expiry time travels with the key without an event of its own.
    s.check(
        "KEA",
        &[&["SET", "a", "1", "EX", "100"]],
        &[&["RENAME", "a", "b"]],
        &renamed,
    );
    // The destination is a new key even when it replaces one (deleted, then added).
    let with_new = ke0(&[("new", "b"), ("rename_from", "a"), ("rename_to", "b")]);
    s.check("KEAn", src, &[&["RENAME", "a", "b"]], &with_new);
    s.check("KEAn", both, &[&["RENAME", "a", "b"]], &with_new);
    // Nothing renamed: RENAMENX onto an existing key, a key onto itself, a missing key.
    s.check("KEA", both, &[&["RENAMENX", "a", "b"]], &[]);
    s.check(
        "KEA",
        src,
        &[&["RENAME", "a", "a"], &["RENAMENX", "a", "a"]],
        &[],
    );
    s.check("KEA", &[], &[&["RENAME", "missing", "b"]], &[]);
    // An expired source is announced as such, and the RENAME fails.
    s.check(
        "KEA",
        &[NO_ACTIVE_EXPIRE, &["SET", "a", "1", "PX", "1"]],
        &[SLEEP, &["RENAME", "a", "b"], ACTIVE_EXPIRE],
        &ke0(&[("expired", "a")]),
    );
}

#[test]
fn move_announces_the_key_in_both_databases() {
    let s = Servers::start();
    let key: &[&[&str]] = &[&["SET", "k", "v"]];
    s.check(
        "KEA",
        key,
        &[&["MOVE", "k", "1"]],
        &ke(&[(0, "move_from", "k"), (1, "move_to", "k")]),
    );
    // The key is new in the target database, announced there first.
    s.check(
        "KEAn",
        &[&["SET", "k", "v", "EX", "100"]],
        &[&["MOVE", "k", "5"]],
        &ke(&[(5, "new", "k"), (0, "move_from", "k"), (5, "move_to", "k")]),
    );
    // From a database other than 0.
    s.check(
        "KEA",
        &[&["SELECT", "2"], &["SET", "k", "v"]],
        &[&["SELECT", "2"], &["MOVE", "k", "0"]],
        &ke(&[(2, "move_from", "k"), (0, "move_to", "k")]),
    );
    // Nothing moved: the target has the key, the key is missing, the same database,
    // a database out of range.
    s.check(
        "KEA",
        &[
            &["SET", "k", "v"],
            &["SELECT", "1"],
            &["SET", "k", "w"],
            &["SELECT", "0"],
        ],
        &[&["MOVE", "k", "1"], &["MOVE", "missing", "1"]],
        &[],
    );
    s.check(
        "KEA",
        key,
        &[
            &["MOVE", "k", "0"],
            &["MOVE", "k", "99"],
            &["MOVE", "k", "x"],
        ],
        &[],
    );
}

#[test]
fn copy_announces_the_destination_in_its_database() {
    let s = Servers::start();
    let src: &[&[&str]] = &[&["SADD", "a", "x", "y"]];
    let both: &[&[&str]] = &[&["SADD", "a", "x", "y"], &["SET", "b", "old"]];
    s.check(
        "KEA",
        src,
        &[&["COPY", "a", "b"]],
        &ke0(&[("copy_to", "b")]),
    );
    s.check(
        "KEA",
        src,
        &[&["COPY", "a", "a", "DB", "3"]],
        &ke(&[(3, "copy_to", "a")]),
    );
    s.check(
        "KEA",
        &[&["SELECT", "4"], &["SET", "a", "v", "EX", "100"]],
        &[&["SELECT", "4"], &["COPY", "a", "b", "DB", "1"]],
        &ke(&[(1, "copy_to", "b")]),
    );
    // REPLACE deletes the destination and adds the copy: a new key.
    s.check(
        "KEA",
        both,
        &[&["COPY", "a", "b", "REPLACE"]],
        &ke0(&[("copy_to", "b")]),
    );
    s.check(
        "KEAn",
        both,
        &[&["COPY", "a", "b", "REPLACE"]],
        &ke0(&[("new", "b"), ("copy_to", "b")]),
    );
    s.check(
        "KEAn",
        src,
        &[&["COPY", "a", "b", "DB", "2"]],
        &ke(&[(2, "new", "b"), (2, "copy_to", "b")]),
    );
    // Nothing copied: an existing destination without REPLACE, a missing source, the
    // key onto itself, bad options.
    s.check(
        "KEA",
        both,
        &[
            &["COPY", "a", "b"],
            &["COPY", "missing", "c"],
            &["COPY", "a", "a"],
            &["COPY", "a", "c", "DB", "99"],
            &["COPY", "a", "c", "BOGUS"],
        ],
        &[],
    );
}

#[test]
fn the_expire_family_announces_expire_or_del() {
    let s = Servers::start();
    let key: &[&[&str]] = &[&["SET", "k", "v"]];
    s.check(
        "KEA",
        key,
        &[
            &["EXPIRE", "k", "100"],
            &["PEXPIRE", "k", "100000"],
            &["EXPIREAT", "k", "99999999999"],
            &["PEXPIREAT", "k", "99999999999000"],
            &["EXPIRE", "k", "200", "LT"],
        ],
        &ke0(&[
            ("expire", "k"),
            ("expire", "k"),
            ("expire", "k"),
            ("expire", "k"),
            ("expire", "k"),
        ]),
    );
    s.check("KE$", key, &[&["EXPIRE", "k", "100"]], &[]);
    // A time already past deletes the key: `del`, not `expired`.
    for cmd in [
        &["EXPIRE", "k", "-1"][..],
        &["PEXPIRE", "k", "0"],
        &["EXPIREAT", "k", "1"],
        &["PEXPIREAT", "k", "1"],
    ] {
        s.check("KEA", key, &[cmd], &ke0(&[("del", "k")]));
    }
    // Conditions that fail, a missing key, bad arguments: nothing.
    s.check(
        "KEA",
        &[&["SET", "k", "v"], &["SET", "t", "v", "EX", "100"]],
        &[
            &["EXPIRE", "k", "100", "XX"],
            &["EXPIRE", "k", "100", "GT"],
            &["EXPIRE", "t", "100", "NX"],
            &["EXPIRE", "t", "10", "GT"],
            &["EXPIRE", "t", "1000", "LT"],
            &["EXPIRE", "t", "-1", "NX"],
            &["EXPIRE", "missing", "100"],
            &["EXPIRE", "missing", "-1"],
            &["EXPIRE", "k", "x"],
            &["EXPIRE", "k", "100", "NX", "XX"],
            &["EXPIRE", "k", "99999999999999999"],
        ],
        &[],
    );
    // An expired key meets the EXPIRE: announced as expired, nothing else.
    s.check(
        "KEA",
        &[NO_ACTIVE_EXPIRE, &["SET", "k", "v", "PX", "1"]],
        &[SLEEP, &["EXPIRE", "k", "100"], ACTIVE_EXPIRE],
        &ke0(&[("expired", "k")]),
    );
}

#[test]
fn persist_announces_a_removed_expiry_only() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["SET", "k", "v", "EX", "100"]],
        &[&["PERSIST", "k"], &["PERSIST", "k"]],
        &ke0(&[("persist", "k")]),
    );
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[&["PERSIST", "k"], &["PERSIST", "missing"]],
        &[],
    );
    s.check(
        "KE$",
        &[&["SET", "k", "v", "EX", "100"]],
        &[&["PERSIST", "k"]],
        &[],
    );
}

/// Records the events of RESTORE, whose binary payload the `&str` scenarios cannot
/// carry: `setup` runs with notifications off and must create the key `src`, whose
/// DUMP replaces the `PAYLOAD` word of `restore`, which then runs with classes "KEA"
/// (plus `extra_classes`).
fn restore_events(
    server: &TestServer,
    extra_classes: &str,
    setup: &[&[&str]],
    restore: &[&str],
) -> Vec<(String, String)> {
    let prepare = |con: &mut redis::Connection| -> Vec<u8> {
        for args in setup {
            run(con, args);
        }
        query(con, &["DUMP", "src"])
    };
    let act = |con: &mut redis::Connection, payload: Vec<u8>| {
        let mut cmd = redis::cmd(restore[0]);
        for a in &restore[1..] {
            if *a == "PAYLOAD" {
                cmd.arg(&payload[..]);
            } else {
                cmd.arg(*a);
            }
        }
        let _: redis::RedisResult<redis::Value> = cmd.query(con);
    };
    record_events_with(server, &format!("KEA{extra_classes}"), prepare, act)
}

/// [`restore_events`] on ferrodis and, when installed, on redis-server, both expected
/// to publish `expected`.
fn check_restore(
    s: &Servers,
    extra_classes: &str,
    setup: &[&[&str]],
    restore: &[&str],
    expected: &[(String, String)],
) {
    let got = restore_events(&s.ferrodis, extra_classes, setup, restore);
    assert_eq!(got, expected, "ferrodis: events of {restore:?}");
    if let Some(redis) = &s.redis {
        let got = restore_events(redis, extra_classes, setup, restore);
        assert_eq!(
            got, expected,
            "redis-server: events of {restore:?}: the expectation is wrong"
        );
    }
}

#[test]
fn restore_announces_restore_or_the_del_of_a_replaced_key() {
    let s = Servers::start();
    let src: &[&[&str]] = &[&["RPUSH", "src", "a", "b"]];
    let both: &[&[&str]] = &[&["RPUSH", "src", "a", "b"], &["SET", "k", "old"]];
    let restored = ke0(&[("restore", "k")]);
    check_restore(&s, "", src, &["RESTORE", "k", "0", "PAYLOAD"], &restored);
    // A TTL is part of the restore, no `expire` event of its own.
    check_restore(&s, "", src, &["RESTORE", "k", "5000", "PAYLOAD"], &restored);
    check_restore(
        &s,
        "",
        both,
        &["RESTORE", "k", "0", "PAYLOAD", "REPLACE"],
        &restored,
    );
    // The restored key is new, also when it replaces one.
    let with_new = ke0(&[("new", "k"), ("restore", "k")]);
    check_restore(&s, "n", src, &["RESTORE", "k", "0", "PAYLOAD"], &with_new);
    check_restore(
        &s,
        "n",
        both,
        &["RESTORE", "k", "0", "PAYLOAD", "REPLACE"],
        &with_new,
    );
    // A TTL already past restores nothing; a replaced key is then deleted.
    check_restore(
        &s,
        "",
        both,
        &["RESTORE", "k", "1", "PAYLOAD", "ABSTTL", "REPLACE"],
        &ke0(&[("del", "k")]),
    );
    check_restore(
        &s,
        "",
        src,
        &["RESTORE", "k", "1", "PAYLOAD", "ABSTTL", "REPLACE"],
        &[],
    );
    // Errors: an existing key without REPLACE, a bad TTL, a bad payload.
    check_restore(&s, "", both, &["RESTORE", "k", "0", "PAYLOAD"], &[]);
    check_restore(&s, "", src, &["RESTORE", "k", "-1", "PAYLOAD"], &[]);
    check_restore(&s, "", src, &["RESTORE", "k", "0", "garbage"], &[]);
}

#[test]
fn sort_store_announces_sortstore_or_the_del_of_an_emptied_destination() {
    let s = Servers::start();
    let list: &[&[&str]] = &[&["RPUSH", "l", "3", "1", "2"]];
    let store: &[&[&str]] = &[&["SORT", "l", "STORE", "dst"]];
    s.check("KEA", list, store, &ke0(&[("sortstore", "dst")]));
    // `sortstore` is a list event.
    s.check("KEl", list, store, &ke0(&[("sortstore", "dst")]));
    s.check("KEg", list, store, &[]);
    s.check(
        "KEAn",
        &[&["RPUSH", "l", "3", "1"], &["SET", "dst", "x"]],
        store,
        &ke0(&[("sortstore", "dst")]),
    );
    s.check(
        "KEAn",
        list,
        &[&["SORT", "l", "DESC", "STORE", "dst"]],
        &ke0(&[("new", "dst"), ("sortstore", "dst")]),
    );
    // An empty result deletes the destination (a generic event), if it existed.
    s.check(
        "KEA",
        &[&["SET", "dst", "x"]],
        &[&["SORT", "missing", "STORE", "dst"]],
        &ke0(&[("del", "dst")]),
    );
    s.check(
        "KEA",
        &[&["RPUSH", "l", "1"], &["SET", "dst", "x"]],
        &[&["SORT", "l", "LIMIT", "5", "1", "STORE", "dst"]],
        &ke0(&[("del", "dst")]),
    );
    s.check("KEA", &[], &[&["SORT", "missing", "STORE", "dst"]], &[]);
    // No STORE, or an error: nothing.
    s.check(
        "KEA",
        &[
            &["RPUSH", "l", "3", "1", "2"],
            &["RPUSH", "words", "b", "a"],
        ],
        &[
            &["SORT", "l"],
            &["SORT_RO", "l"],
            &["SORT", "words", "STORE", "dst"],
            &["SORT", "l", "BOGUS", "STORE", "dst"],
        ],
        &[],
    );
    // A destination whose time has passed is expired before the list is stored.
    s.check(
        "KEA",
        &[
            NO_ACTIVE_EXPIRE,
            &["RPUSH", "l", "1"],
            &["SET", "dst", "x", "PX", "1"],
        ],
        &[SLEEP, &["SORT", "l", "STORE", "dst"], ACTIVE_EXPIRE],
        &ke0(&[("expired", "dst"), ("sortstore", "dst")]),
    );
}

#[test]
fn flushes_and_swapdb_announce_nothing() {
    let s = Servers::start();
    let keys: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["SELECT", "1"],
        &["SET", "b", "1", "EX", "100"],
        &["SELECT", "0"],
    ];
    s.check(
        "KEAn",
        keys,
        &[
            &["SWAPDB", "0", "1"],
            &["FLUSHDB"],
            &["FLUSHDB", "ASYNC"],
            &["SET", "c", "1"],
            &["FLUSHALL"],
        ],
        &ke0(&[("new", "c"), ("set", "c")]),
    );
}
