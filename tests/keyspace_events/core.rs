//! The notification machinery itself: classes and flags, the `new`, `expired` and
//! `evicted` events that no command reports, and CONFIG GET's canonical form.

use crate::common::{query, TestServer};
use crate::{ke, ke0, record_events, Servers};
use std::time::Duration;

#[test]
fn the_k_and_e_flags_choose_the_channels_and_the_classes_the_events() {
    let s = Servers::start();
    let set: &[&[&str]] = &[&["SET", "k", "v"]];
    s.check("KEA", &[], set, &ke0(&[("set", "k")]));
    s.check("K$", &[], set, &[("__keyspace@0__:k".into(), "set".into())]);
    s.check("E$", &[], set, &[("__keyevent@0__:set".into(), "k".into())]);
    // A class without K or E publishes nothing; K or E without the class neither.
    s.check("A", &[], set, &[]);
    s.check("KEg", &[], set, &[]);
    // SET with an expiry is a string event and a generic one.
    s.check(
        "KEA",
        &[],
        &[&["SET", "k", "v", "EX", "100"]],
        &ke0(&[("set", "k"), ("expire", "k")]),
    );
    s.check(
        "KE$",
        &[],
        &[&["SET", "k", "v", "EX", "100"]],
        &ke0(&[("set", "k")]),
    );
    // A SET that does not happen publishes nothing.
    s.check(
        "KEA",
        &[&["SET", "k", "v"]],
        &[&["SET", "k", "w", "NX"]],
        &[],
    );
    // Another database is named in the channels.
    s.check(
        "KEA",
        &[],
        &[&["SELECT", "3"], &["SET", "k", "v"]],
        &ke(&[(3, "set", "k")]),
    );
}

#[test]
fn new_keys_are_announced_before_the_event_that_created_them() {
    let s = Servers::start();
    s.check(
        "KEAn",
        &[&["SET", "old", "1"]],
        &[&["SET", "k", "v"], &["SET", "k", "w"], &["SET", "old", "2"]],
        &ke0(&[("new", "k"), ("set", "k"), ("set", "k"), ("set", "old")]),
    );
    // A command that meets an expired key and adds it again: each event in the order
    // it happened, the expiry first.
    s.check(
        "KEAn",
        &[
            &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
            &["SET", "b", "old", "PX", "1"],
            &["DEBUG", "SLEEP", "0.01"],
        ],
        &[
            &["MSET", "a", "1", "b", "2"],
            &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
        ],
        &ke0(&[
            ("new", "a"),
            ("set", "a"),
            ("expired", "b"),
            ("new", "b"),
            ("set", "b"),
        ]),
    );
    // `A` does not include `n`; `n` alone (with K/E) publishes only the new events.
    s.check("KEA", &[], &[&["SET", "k", "v"]], &ke0(&[("set", "k")]));
    s.check("KEn", &[], &[&["SET", "k", "v"]], &ke0(&[("new", "k")]));
}

#[test]
fn keys_that_expire_are_announced_lazily_and_actively() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut con = server.conn();
    // Lazily: a read of an expired key publishes `expired` (the active cycle is off).
    let _: () = query(&mut con, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    let events = record_events(
        &server,
        "KEA",
        &[&["SET", "gone", "v", "PX", "1"]],
        &[&["DEBUG", "SLEEP", "0.01"], &["GET", "gone"]],
    );
    assert_eq!(events, ke0(&[("expired", "gone")]));
    // A write to an expired key announces the expiry before its own event.
    let events = record_events(
        &server,
        "KEA",
        &[&["SET", "k", "v", "PX", "1"]],
        &[&["DEBUG", "SLEEP", "0.01"], &["SET", "k", "w"]],
    );
    assert_eq!(events, ke0(&[("expired", "k"), ("set", "k")]));
    // Actively: nobody touches the key, the cron removes it and says so.
    let _: () = query(&mut con, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    let _: () = query(&mut con, &["CONFIG", "SET", "notify-keyspace-events", "Ex"]);
    let key = first_key_published(&server, "__keyevent@0__:expired", || {
        let _: () = query(&mut con, &["SET", "soon", "v", "PX", "50"]);
    });
    assert_eq!(key, "soon");
}

/// Subscribes to `channel` on `server`, runs `cause`, and returns the first message
/// published there: a keyevent channel's message is the key.
fn first_key_published(server: &TestServer, channel: &str, cause: impl FnOnce()) -> String {
    let mut listener = server.conn();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut pubsub = listener.as_pubsub();
    pubsub.subscribe(channel).expect("SUBSCRIBE");
    cause();
    let msg = pubsub
        .get_message()
        .unwrap_or_else(|e| panic!("nothing on {channel}: {e}"));
    msg.get_payload().expect("key")
}

#[test]
fn evicted_keys_are_announced() {
    let server = TestServer::start();
    let mut con = server.conn();
    for i in 0..200 {
        let _: () = query(&mut con, &["SET", &format!("key:{i}"), &"x".repeat(1000)]);
    }
    let _: () = query(
        &mut con,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-random"],
    );
    let _: () = query(&mut con, &["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    let key = first_key_published(&server, "__keyevent@0__:evicted", || {
        let info: String = query(&mut con, &["INFO", "memory"]);
        let used: u64 = info
            .lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("used_memory");
        let _: () = query(
            &mut con,
            &["CONFIG", "SET", "maxmemory", &(used - 50_000).to_string()],
        );
        let _: () = query(&mut con, &["SET", "trigger", "v"]);
    });
    assert!(key.starts_with("key:") || key == "trigger", "{key}");
    let dbsize: i64 = query(&mut con, &["DBSIZE"]);
    assert!(dbsize < 201, "{dbsize}");
}

#[test]
fn config_get_shows_the_classes_in_canonical_form() {
    let server = TestServer::start();
    let mut con = server.conn();
    for (set, shown) in [("KEA", "AKE"), ("Exg", "gxE"), ("KA$n", "AnK"), ("", "")] {
        let _: () = query(&mut con, &["CONFIG", "SET", "notify-keyspace-events", set]);
        let got: Vec<String> = query(&mut con, &["CONFIG", "GET", "notify-keyspace-events"]);
        assert_eq!(
            got,
            ["notify-keyspace-events", shown],
            "after setting {set:?}"
        );
    }
}

#[test]
fn reads_of_missing_keys_are_announced_with_m() {
    let s = Servers::start();
    let reads: &[&[&str]] = &[
        &["GET", "nokey"],
        &["EXISTS", "nokey"],
        &["TYPE", "nokey"],
        &["LRANGE", "nolist", "0", "-1"],
        &["HGET", "nohash", "f"],
        &["GET", "here"],
    ];
    s.check(
        "KEm",
        &[&["SET", "here", "v"]],
        reads,
        &ke0(&[
            ("keymiss", "nokey"),
            ("keymiss", "nokey"),
            ("keymiss", "nokey"),
            ("keymiss", "nolist"),
            ("keymiss", "nohash"),
        ]),
    );
    // `A` does not include `m`; OBJECT and writes never report a miss.
    s.check("KEA", &[], &[&["GET", "nokey"]], &[]);
    s.check(
        "KEm",
        &[],
        &[
            &["OBJECT", "ENCODING", "nokey"],
            &["SET", "k", "v"],
            &["DEL", "gone"],
        ],
        &[],
    );
    // A read of an expired key: the expiry, then the miss.
    s.check(
        "KEAm",
        &[
            &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
            &["SET", "old", "v", "PX", "1"],
            &["DEBUG", "SLEEP", "0.01"],
        ],
        &[&["GET", "old"], &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]],
        &ke0(&[("expired", "old"), ("keymiss", "old")]),
    );
}
