//! Keyspace events of the lists commands.

use crate::{check_served, ke0, Servers};

#[test]
fn pushes_publish_their_end_once_per_command() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[],
        &[&["LPUSH", "k", "a", "b"], &["RPUSH", "k", "c", "d"]],
        &ke0(&[("lpush", "k"), ("rpush", "k")]),
    );
    // The X forms act on an existing list only.
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a"]],
        &[
            &["LPUSHX", "k", "b"],
            &["RPUSHX", "k", "c", "d"],
            &["LPUSHX", "nokey", "a"],
            &["RPUSHX", "nokey", "a"],
        ],
        &ke0(&[("lpush", "k"), ("rpush", "k")]),
    );
    // A push that creates the list announces the new key first.
    s.check(
        "KEAn",
        &[],
        &[&["RPUSH", "k", "a"], &["RPUSH", "k", "b"]],
        &ke0(&[("new", "k"), ("rpush", "k"), ("rpush", "k")]),
    );
    // Errors publish nothing; list events are of the `l` class.
    s.check(
        "KEA",
        &[&["SET", "s", "v"]],
        &[&["LPUSH", "s", "a"], &["RPUSHX", "s", "a"]],
        &[],
    );
    s.check("KEg", &[], &[&["LPUSH", "k", "a"]], &[]);
    s.check("KEl", &[], &[&["LPUSH", "k", "a"]], &ke0(&[("lpush", "k")]));
}

#[test]
fn pops_publish_the_pop_then_del_when_the_list_empties() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["RPUSH", "k", "a", "b", "c", "d"]];
    s.check(
        "KEA",
        setup,
        &[&["LPOP", "k"], &["RPOP", "k", "2"], &["LPOP", "k"]],
        &ke0(&[("lpop", "k"), ("rpop", "k"), ("lpop", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        setup,
        &[&["RPOP", "k", "10"]],
        &ke0(&[("rpop", "k"), ("del", "k")]),
    );
    // `del` is a generic event, the pop a list event.
    s.check("KEl", setup, &[&["LPOP", "k", "4"]], &ke0(&[("lpop", "k")]));
    s.check("KEg", setup, &[&["LPOP", "k", "4"]], &ke0(&[("del", "k")]));
    // Nothing popped, nothing published: a count of 0, a missing key, errors.
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a"], &["SET", "s", "v"]],
        &[
            &["LPOP", "k", "0"],
            &["LPOP", "nokey"],
            &["RPOP", "nokey", "3"],
            &["LPOP", "s"],
            &["RPOP", "k", "-1"],
            &["LPOP", "k", "1", "2"],
        ],
        &[],
    );
}

#[test]
fn lmpop_publishes_the_pop_of_the_first_non_empty_list() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["RPUSH", "k", "a", "b", "c"], &["RPUSH", "j", "x"]];
    s.check(
        "KEA",
        setup,
        &[
            &["LMPOP", "3", "nokey", "k", "j", "LEFT", "COUNT", "2"],
            &["LMPOP", "2", "k", "j", "RIGHT"],
            &["LMPOP", "1", "j", "RIGHT", "COUNT", "5"],
        ],
        &ke0(&[
            ("lpop", "k"),
            ("rpop", "k"),
            ("del", "k"),
            ("rpop", "j"),
            ("del", "j"),
        ]),
    );
    // No list, a wrong type met first, a bad count: nothing.
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a"], &["SET", "s", "v"]],
        &[
            &["LMPOP", "2", "nokey", "other", "LEFT"],
            &["LMPOP", "2", "s", "k", "LEFT"],
            &["LMPOP", "1", "k", "LEFT", "COUNT", "0"],
            &["LMPOP", "1", "k", "MIDDLE"],
        ],
        &[],
    );
}

#[test]
fn lset_and_linsert_publish_only_what_they_change() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["RPUSH", "k", "a", "b", "c"], &["SET", "s", "v"]];
    s.check(
        "KEA",
        setup,
        &[
            &["LSET", "k", "0", "x"],
            &["LSET", "k", "-1", "y"],
            &["LINSERT", "k", "BEFORE", "b", "z"],
            &["LINSERT", "k", "AFTER", "b", "w"],
        ],
        &ke0(&[
            ("lset", "k"),
            ("lset", "k"),
            ("linsert", "k"),
            ("linsert", "k"),
        ]),
    );
    s.check(
        "KEA",
        setup,
        &[
            &["LSET", "k", "10", "x"],
            &["LSET", "k", "one", "x"],
            &["LSET", "nokey", "0", "x"],
            &["LSET", "s", "0", "x"],
            &["LINSERT", "k", "BEFORE", "nopivot", "x"],
            &["LINSERT", "nokey", "BEFORE", "a", "x"],
            &["LINSERT", "k", "ASIDE", "a", "x"],
            &["LINSERT", "s", "AFTER", "a", "x"],
        ],
        &[],
    );
}

#[test]
fn lrem_and_ltrim_publish_their_event_then_del_when_emptied() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["RPUSH", "k", "a", "b", "a", "c", "a"]];
    s.check(
        "KEA",
        setup,
        &[&["LREM", "k", "1", "a"], &["LREM", "k", "0", "a"]],
        &ke0(&[("lrem", "k"), ("lrem", "k")]),
    );
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a", "a"]],
        &[&["LREM", "k", "-5", "a"]],
        &ke0(&[("lrem", "k"), ("del", "k")]),
    );
    // Nothing removed: no event.
    s.check(
        "KEA",
        setup,
        &[
            &["LREM", "k", "0", "zz"],
            &["LREM", "nokey", "0", "a"],
            &["LREM", "k", "x", "a"],
        ],
        &[],
    );
    // LTRIM reports itself even when it keeps everything; an emptied list is deleted.
    s.check(
        "KEA",
        setup,
        &[
            &["LTRIM", "k", "0", "-1"],
            &["LTRIM", "k", "1", "2"],
            &["LTRIM", "k", "5", "10"],
        ],
        &ke0(&[("ltrim", "k"), ("ltrim", "k"), ("ltrim", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        &[&["SET", "s", "v"]],
        &[
            &["LTRIM", "nokey", "0", "1"],
            &["LTRIM", "s", "0", "1"],
            &["LTRIM", "k", "a", "1"],
        ],
        &[],
    );
}

#[test]
fn moves_publish_the_push_then_the_pop() {
    let s = Servers::start();
    let setup: &[&[&str]] = &[&["RPUSH", "src", "a", "b"], &["RPUSH", "dst", "x"]];
    s.check(
        "KEA",
        setup,
        &[
            &["LMOVE", "src", "dst", "RIGHT", "LEFT"],
            &["RPOPLPUSH", "src", "dst"],
        ],
        &ke0(&[
            ("lpush", "dst"),
            ("rpop", "src"),
            ("lpush", "dst"),
            ("rpop", "src"),
            ("del", "src"),
        ]),
    );
    // A destination created by the move is new before its push.
    s.check(
        "KEAn",
        &[&["RPUSH", "src", "a", "b"]],
        &[&["LMOVE", "src", "dst", "LEFT", "RIGHT"]],
        &ke0(&[("new", "dst"), ("rpush", "dst"), ("lpop", "src")]),
    );
    // One list as both ends: its push, then its pop; it never empties.
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a"]],
        &[
            &["LMOVE", "k", "k", "LEFT", "RIGHT"],
            &["RPOPLPUSH", "k", "k"],
        ],
        &ke0(&[("rpush", "k"), ("lpop", "k"), ("lpush", "k"), ("rpop", "k")]),
    );
    // No source, a destination of another type, a bad direction: nothing.
    s.check(
        "KEA",
        &[&["RPUSH", "src", "a"], &["SET", "s", "v"]],
        &[
            &["LMOVE", "nokey", "dst", "LEFT", "LEFT"],
            &["RPOPLPUSH", "nokey", "dst"],
            &["LMOVE", "src", "s", "LEFT", "LEFT"],
            &["RPOPLPUSH", "src", "s"],
            &["RPOPLPUSH", "s", "dst"],
            &["LMOVE", "src", "dst", "UP", "LEFT"],
        ],
        &[],
    );
}

#[test]
fn blocking_forms_served_at_once_publish_as_the_plain_ones() {
    let s = Servers::start();
    s.check(
        "KEA",
        &[&["RPUSH", "k", "a", "b", "c"]],
        &[
            &["BLPOP", "nokey", "k", "0"],
            &["BRPOP", "k", "0"],
            &["BLMPOP", "0", "2", "nokey", "k", "LEFT", "COUNT", "5"],
        ],
        &ke0(&[("lpop", "k"), ("rpop", "k"), ("lpop", "k"), ("del", "k")]),
    );
    s.check(
        "KEA",
        &[&["RPUSH", "src", "a", "b"]],
        &[
            &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"],
            &["BRPOPLPUSH", "src", "dst", "0"],
        ],
        &ke0(&[
            ("rpush", "dst"),
            ("lpop", "src"),
            ("lpush", "dst"),
            ("rpop", "src"),
            ("del", "src"),
        ]),
    );
    // Inside a transaction they cannot wait: no data, no event. Errors: none either.
    s.check(
        "KEA",
        &[&["SET", "s", "v"], &["RPUSH", "src", "a"]],
        &[
            &["MULTI"],
            &["BLPOP", "nokey", "0"],
            &["BLMOVE", "nokey", "dst", "LEFT", "LEFT", "0"],
            &["BLMPOP", "0", "1", "nokey", "LEFT"],
            &["EXEC"],
            &["BLPOP", "s", "0"],
            &["BRPOPLPUSH", "src", "s", "0"],
            &["BLMPOP", "0", "1", "s", "LEFT"],
        ],
        &[],
    );
}

#[test]
fn served_blocking_pops_publish_after_the_push_that_fed_them() {
    let s = Servers::start();
    // The pusher's event, then the served pop's, then `del` if it took the last one.
    check_served(
        &s,
        "KEA",
        &[&["BLPOP", "k", "0"]],
        &[],
        &[&["RPUSH", "k", "a"]],
        &ke0(&[("rpush", "k"), ("lpop", "k"), ("del", "k")]),
        &[Ok("k a")],
    );
    check_served(
        &s,
        "KEAn",
        &[&["BRPOP", "other", "k", "0"]],
        &[],
        &[&["RPUSH", "k", "a", "b"]],
        &ke0(&[("new", "k"), ("rpush", "k"), ("rpop", "k")]),
        &[Ok("k b")],
    );
    check_served(
        &s,
        "KEA",
        &[&["BLMPOP", "0", "2", "other", "k", "RIGHT", "COUNT", "5"]],
        &[],
        &[&["LPUSH", "k", "a", "b"]],
        &ke0(&[("lpush", "k"), ("rpop", "k"), ("del", "k")]),
        &[Ok("k [a b]")],
    );
    // Two waiters served in turn from one push.
    check_served(
        &s,
        "KEA",
        &[&["BLPOP", "k", "0"], &["BRPOP", "k", "0"]],
        &[],
        &[&["RPUSH", "k", "a", "b", "c"]],
        &ke0(&[("rpush", "k"), ("lpop", "k"), ("rpop", "k")]),
        &[Ok("k a"), Ok("k c")],
    );
    // Fed inside a transaction: served after EXEC, once.
    check_served(
        &s,
        "KEA",
        &[&["BLPOP", "k", "0"]],
        &[],
        &[
            &["MULTI"],
            &["RPUSH", "k", "a"],
            &["RPUSH", "k", "b"],
            &["EXEC"],
        ],
        &ke0(&[("rpush", "k"), ("rpush", "k"), ("lpop", "k")]),
        &[Ok("k a")],
    );
}

#[test]
fn served_blocking_moves_publish_the_push_then_the_pop() {
    let s = Servers::start();
    check_served(
        &s,
        "KEAn",
        &[&["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"]],
        &[],
        &[&["RPUSH", "src", "a"]],
        &ke0(&[
            ("new", "src"),
            ("rpush", "src"),
            ("new", "dst"),
            ("lpush", "dst"),
            ("rpop", "src"),
            ("del", "src"),
        ]),
        &[Ok("a")],
    );
    check_served(
        &s,
        "KEA",
        &[&["BRPOPLPUSH", "src", "dst", "0"]],
        &[],
        &[&["RPUSH", "src", "a", "b"]],
        &ke0(&[("rpush", "src"), ("lpush", "dst"), ("rpop", "src")]),
        &[Ok("b")],
    );
    // A chain: the moved element feeds the next waiter.
    check_served(
        &s,
        "KEA",
        &[
            &["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
            &["BLPOP", "b", "0"],
        ],
        &[],
        &[&["RPUSH", "a", "x"]],
        &ke0(&[
            ("rpush", "a"),
            ("rpush", "b"),
            ("lpop", "a"),
            ("del", "a"),
            ("lpop", "b"),
            ("del", "b"),
        ]),
        &[Ok("x"), Ok("b x")],
    );
    // A destination of another type: the waiter gets WRONGTYPE, nothing moves.
    check_served(
        &s,
        "KEA",
        &[&["BLMOVE", "src", "s", "LEFT", "LEFT", "0"]],
        &[&["SET", "s", "v"]],
        &[&["RPUSH", "src", "a"]],
        &ke0(&[("rpush", "src")]),
        &[Err("WRONGTYPE")],
    );
}
