//! Publish/subscribe against the real binary: the confirmations, messages and errors
//! byte for byte as Redis 7.0.15 sends them (captured from it), RESP3 push frames,
//! shard channels, the introspection commands, the clean-up when a subscriber leaves
//! or RESETs, the output limit of slow subscribers, CLIENT PAUSE, and PUBLISH reaching
//! a replica's subscribers but not the AOF. The two-client scenarios also run on a
//! real redis-server when one is installed, to check that the expectations are Redis's.

mod common;

use std::time::Duration;

use common::repl::{master, replica_of, wait_synced};
use common::{check, query, start_redis_server, wait_until, TestServer};

#[test]
fn resp2_subscribed_context_replies_as_redis() {
    for server in servers() {
        let mut c = server.raw();
        c.send_cmd(&["SUBSCRIBE", "a", "b"]);
        c.expect(
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
        );
        check(
            &mut c,
            &["GET", "x"],
            b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
        );
        check(
            &mut c,
            &["CONFIG", "GET", "x"],
            b"-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
        );
        check(&mut c, &["PING"], b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
        check(&mut c, &["PING", "hi"], b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
        // Subscribing twice is confirmed again and counted once.
        c.send_cmd(&["PSUBSCRIBE", "p*", "p*"]);
        c.expect(b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
        // Unsubscribing from a channel never subscribed is confirmed with the count.
        c.send_cmd(&["UNSUBSCRIBE", "a", "zz"]);
        c.expect(b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:2\r\n");
        check(
            &mut c,
            &["PUNSUBSCRIBE"],
            b"*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:1\r\n",
        );
        check(
            &mut c,
            &["UNSUBSCRIBE"],
            b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n",
        );
        // Out of the context now; from nothing, the confirmation has a null name.
        check(
            &mut c,
            &["UNSUBSCRIBE"],
            b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
        );
        check(
            &mut c,
            &["PUNSUBSCRIBE"],
            b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n",
        );
        check(&mut c, &["PING"], b"+PONG\r\n");
        check(&mut c, &["GET", "x"], b"$-1\r\n");
    }
}

#[test]
fn subscribe_inside_multi_and_reset() {
    for server in servers() {
        let mut c = server.raw();
        check(&mut c, &["MULTI"], b"+OK\r\n");
        check(&mut c, &["SUBSCRIBE", "z"], b"+QUEUED\r\n");
        check(&mut c, &["PING"], b"+QUEUED\r\n");
        check(&mut c, &["GET", "x"], b"+QUEUED\r\n");
        // The commands after SUBSCRIBE in the transaction still run; PING answers as
        // on a subscribed connection.
        check(
            &mut c,
            &["EXEC"],
            b"*3\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nz\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n$-1\r\n",
        );
        // RESET leaves the context silently.
        check(&mut c, &["RESET"], b"+RESET\r\n");
        check(&mut c, &["GET", "x"], b"$-1\r\n");
        let mut p = server.raw();
        check(&mut p, &["PUBLISH", "z", "m"], b":0\r\n");
    }
}

#[test]
fn messages_reach_channel_and_pattern_subscribers() {
    for server in servers() {
        let mut s1 = server.raw();
        let mut s2 = server.raw();
        let mut publisher = server.raw();
        check(
            &mut s1,
            &["SUBSCRIBE", "news.tech"],
            b"*3\r\n$9\r\nsubscribe\r\n$9\r\nnews.tech\r\n:1\r\n",
        );
        check(
            &mut s2,
            &["PSUBSCRIBE", "news.*"],
            b"*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n",
        );
        check(
            &mut publisher,
            &["PUBLISH", "news.tech", "hello"],
            b":2\r\n",
        );
        s1.expect(b"*3\r\n$7\r\nmessage\r\n$9\r\nnews.tech\r\n$5\r\nhello\r\n");
        s2.expect(b"*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$5\r\nhello\r\n");
        check(&mut publisher, &["PUBLISH", "news.art", "x"], b":1\r\n");
        s2.expect(b"*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$8\r\nnews.art\r\n$1\r\nx\r\n");
        check(&mut publisher, &["PUBLISH", "other", "x"], b":0\r\n");
        // Binary channel and payload.
        check(
            &mut s1,
            &["SUBSCRIBE", "b\r\n\0"],
            b"*3\r\n$9\r\nsubscribe\r\n$4\r\nb\r\n\0\r\n:2\r\n",
        );
        check(&mut publisher, &["PUBLISH", "b\r\n\0", "\0\r\n"], b":1\r\n");
        s1.expect(b"*3\r\n$7\r\nmessage\r\n$4\r\nb\r\n\0\r\n$3\r\n\0\r\n\r\n");
        // The subscriber goes away: nobody is left to receive.
        drop(s1);
        let gone = wait_until(Duration::from_secs(10), || {
            publisher.send_cmd(&["PUBLISH", "news.tech", "y"]);
            publisher.read_reply() == b":1\r\n"
        });
        assert!(gone, "a closed subscriber was still counted");
        s2.expect(b"*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$1\r\ny\r\n");
    }
}

#[test]
fn resp3_subscribers_get_push_frames_and_may_run_any_command() {
    for server in servers() {
        let mut c = server.raw();
        c.send_cmd(&["HELLO", "3"]);
        c.read_reply();
        check(
            &mut c,
            &["SUBSCRIBE", "c1"],
            b">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n",
        );
        check(
            &mut c,
            &["PSUBSCRIBE", "c*"],
            b">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n",
        );
        check(&mut c, &["GET", "x"], b"_\r\n");
        check(&mut c, &["PING"], b"+PONG\r\n");
        // Its own PUBLISH: the messages come before the reply.
        c.send_cmd(&["PUBLISH", "c1", "hello"]);
        c.expect(b">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$5\r\nhello\r\n");
        c.expect(b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$5\r\nhello\r\n");
        c.expect(b":2\r\n");
        // Still listening to c*: a transaction shows both flags, in Redis's order.
        check(&mut c, &["MULTI"], b"+OK\r\n");
        let list: String = query(&mut server.conn(), &["CLIENT", "LIST"]);
        assert!(list.contains(" flags=Px "), "{list}");
        check(&mut c, &["DISCARD"], b"+OK\r\n");
        check(
            &mut c,
            &["UNSUBSCRIBE"],
            b">3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n",
        );
    }
}

#[test]
fn silenced_clients_still_get_pubsub_frames() {
    for server in servers() {
        let mut c = server.raw();
        c.send_cmd(&["CLIENT", "REPLY", "OFF"]);
        c.send_cmd(&["SUBSCRIBE", "ch"]);
        c.expect(b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        let mut p = server.raw();
        check(&mut p, &["PUBLISH", "ch", "m"], b":1\r\n");
        c.expect(b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n");
        c.send_cmd(&["UNSUBSCRIBE", "ch"]);
        c.expect(b"*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
        // Back to silence for ordinary replies; SKIP as well.
        c.send_cmd(&["SET", "k", "v"]);
        c.send_cmd(&["CLIENT", "REPLY", "ON"]);
        c.expect(b"+OK\r\n");
        c.send_cmd(&["CLIENT", "REPLY", "SKIP"]);
        c.send_cmd(&["PSUBSCRIBE", "x*"]);
        c.expect(b"*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:1\r\n");
    }
}

#[test]
fn shard_channels_are_a_namespace_of_their_own() {
    for server in servers() {
        let mut c = server.raw();
        // Refused in a transaction (one reply per command is expected there).
        check(&mut c, &["MULTI"], b"+OK\r\n");
        check(&mut c, &["SSUBSCRIBE", "x"], b"+QUEUED\r\n");
        check(
            &mut c,
            &["EXEC"],
            b"*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n",
        );
        c.send_cmd(&["SSUBSCRIBE", "a", "b"]);
        c.expect(b"*3\r\n$10\r\nssubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$10\r\nssubscribe\r\n$1\r\nb\r\n:2\r\n");
        // Counted apart from channels and patterns.
        check(
            &mut c,
            &["SUBSCRIBE", "a"],
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n",
        );
        check(
            &mut c,
            &["SPUBLISH", "a", "hi"],
            b"-ERR Can't execute 'spublish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
        );
        let mut p = server.raw();
        check(
            &mut p,
            &["PSUBSCRIBE", "*"],
            b"*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n",
        );
        let mut q = server.raw();
        // The shard subscriber only: neither the channel "a" nor the pattern hears it.
        check(&mut q, &["SPUBLISH", "a", "m1"], b":1\r\n");
        c.expect(b"*3\r\n$8\r\nsmessage\r\n$1\r\na\r\n$2\r\nm1\r\n");
        check(&mut q, &["PUBLISH", "a", "m2"], b":2\r\n");
        c.expect(b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nm2\r\n");
        p.expect(b"*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\na\r\n$2\r\nm2\r\n");
        check(
            &mut q,
            &["PUBSUB", "SHARDNUMSUB", "a", "z"],
            b"*4\r\n$1\r\na\r\n:1\r\n$1\r\nz\r\n:0\r\n",
        );
        check(
            &mut q,
            &["PUBSUB", "SHARDCHANNELS", "b*"],
            b"*1\r\n$1\r\nb\r\n",
        );
        check(&mut q, &["PUBSUB", "CHANNELS"], b"*1\r\n$1\r\na\r\n");
        check(
            &mut q,
            &["COMMAND", "GETKEYS", "SPUBLISH", "a", "b"],
            b"-ERR The command has no key arguments\r\n",
        );
        check(
            &mut c,
            &["SUNSUBSCRIBE", "b"],
            b"*3\r\n$12\r\nsunsubscribe\r\n$1\r\nb\r\n:1\r\n",
        );
        check(
            &mut c,
            &["SUNSUBSCRIBE"],
            b"*3\r\n$12\r\nsunsubscribe\r\n$1\r\na\r\n:0\r\n",
        );
        // Still listening to the channel: still in the subscribed context.
        check(&mut c, &["PING"], b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
        check(
            &mut c,
            &["SUNSUBSCRIBE"],
            b"*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n",
        );
        check(
            &mut c,
            &["UNSUBSCRIBE"],
            b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n",
        );
        check(&mut c, &["PING"], b"+PONG\r\n");
        check(&mut q, &["PUBSUB", "SHARDCHANNELS"], b"*0\r\n");
    }
}

#[test]
fn introspection_counts_channels_patterns_and_subscribers() {
    for server in servers() {
        let mut a = server.raw();
        let mut b = server.raw();
        let mut q = server.raw();
        a.send_cmd(&["SUBSCRIBE", "c1", "c2"]);
        a.read_reply();
        a.read_reply();
        b.send_cmd(&["SUBSCRIBE", "c1"]);
        b.read_reply();
        b.send_cmd(&["PSUBSCRIBE", "p1", "p2"]);
        b.read_reply();
        b.read_reply();
        a.send_cmd(&["PSUBSCRIBE", "p1"]);
        a.read_reply();
        check(
            &mut q,
            &["PUBSUB", "NUMSUB", "c1", "c2", "c3"],
            b"*6\r\n$2\r\nc1\r\n:2\r\n$2\r\nc2\r\n:1\r\n$2\r\nc3\r\n:0\r\n",
        );
        check(&mut q, &["PUBSUB", "NUMSUB"], b"*0\r\n");
        check(&mut q, &["PUBSUB", "NUMPAT"], b":2\r\n");
        let mut channels: Vec<String> = query(&mut server.conn(), &["PUBSUB", "CHANNELS"]);
        channels.sort();
        assert_eq!(channels, vec!["c1".to_string(), "c2".to_string()]);
        check(&mut q, &["PUBSUB", "CHANNELS", "*2"], b"*1\r\n$2\r\nc2\r\n");
        check(&mut q, &["PUBSUB", "SHARDCHANNELS"], b"*0\r\n");
        check(
            &mut q,
            &["PUBSUB", "SHARDNUMSUB", "c1"],
            b"*2\r\n$2\r\nc1\r\n:0\r\n",
        );
        check(
            &mut q,
            &["PUBSUB", "CHANNELS", "x", "y"],
            b"-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
        );
        check(
            &mut q,
            &["PUBSUB", "NUMPAT", "x"],
            b"-ERR wrong number of arguments for 'pubsub|numpat' command\r\n",
        );
        check(
            &mut q,
            &["PUBSUB", "FOO"],
            b"-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n",
        );
        check(
            &mut q,
            &["PUBLISH", "c1"],
            b"-ERR wrong number of arguments for 'publish' command\r\n",
        );
        check(
            &mut q,
            &["SUBSCRIBE"],
            b"-ERR wrong number of arguments for 'subscribe' command\r\n",
        );
        let list: String = query(&mut server.conn(), &["CLIENT", "LIST"]);
        let with = |field: &str| list.lines().filter(|l| l.contains(field)).count();
        assert_eq!(with(" sub=2 psub=1 "), 1, "{list}");
        assert_eq!(with(" sub=1 psub=2 "), 1, "{list}");
        assert_eq!(with(" flags=P "), 2, "{list}");
        let pubsub_only: String = query(&mut server.conn(), &["CLIENT", "LIST", "TYPE", "pubsub"]);
        assert_eq!(pubsub_only.lines().count(), 2, "{pubsub_only}");
        let stats: String = query(&mut server.conn(), &["INFO", "stats"]);
        assert!(stats.contains("pubsub_channels:2\r\n"), "{stats}");
        assert!(stats.contains("pubsub_patterns:2\r\n"), "{stats}");
        // RESET and disconnection give everything back.
        check(&mut a, &["RESET"], b"+RESET\r\n");
        drop(b);
        let freed = wait_until(Duration::from_secs(10), || {
            q.send_cmd(&["PUBSUB", "NUMPAT"]);
            q.read_reply() == b":0\r\n"
        });
        assert!(freed, "patterns left behind by a closed client");
        check(&mut q, &["PUBSUB", "CHANNELS"], b"*0\r\n");
    }
}

#[test]
fn a_subscriber_that_does_not_read_is_dropped_at_the_pubsub_limit() {
    let server = TestServer::start_with(&["--client-output-buffer-limit", "pubsub 64kb 0 0"]);
    let mut slow = server.raw();
    check(
        &mut slow,
        &["SUBSCRIBE", "flood"],
        b"*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n",
    );
    // The slow subscriber stops reading; the socket buffers fill, then its output.
    let mut p = server.raw();
    let payload = "x".repeat(64 * 1024);
    let dropped = wait_until(Duration::from_secs(30), || {
        p.send_cmd(&["PUBLISH", "flood", &payload]);
        p.read_reply() == b":0\r\n"
    });
    assert!(dropped, "the subscriber was never dropped");
    assert!(server
        .log_contents()
        .contains("scheduled to be closed ASAP for overcoming of output buffer limits"));
}

#[test]
fn publish_waits_during_a_write_pause() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut sub = server.raw();
    check(
        &mut sub,
        &["SUBSCRIBE", "ch"],
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
    );
    check(
        &mut admin,
        &["CLIENT", "PAUSE", "100000", "WRITE"],
        b"+OK\r\n",
    );
    let mut p = server.raw();
    p.send_cmd(&["PUBLISH", "ch", "held"]);
    let blocked = wait_until(Duration::from_secs(10), || {
        let info: String = query(&mut server.conn(), &["INFO", "clients"]);
        info.contains("blocked_clients:1\r\n")
    });
    assert!(blocked, "PUBLISH was not held by the pause");
    check(&mut admin, &["CLIENT", "UNPAUSE"], b"+OK\r\n");
    p.expect(b":1\r\n");
    sub.expect(b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nheld\r\n");
}

#[test]
fn publish_reaches_the_subscribers_of_replicas_but_not_the_aof() {
    let m = master(&["--appendonly", "yes"]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let mut on_replica = r.raw();
    check(
        &mut on_replica,
        &["SUBSCRIBE", "events"],
        b"*3\r\n$9\r\nsubscribe\r\n$6\r\nevents\r\n:1\r\n",
    );
    let mut on_master = m.raw();
    check(&mut on_master, &["SET", "k", "v"], b"+OK\r\n");
    // Nobody listens on the master itself.
    check(
        &mut on_master,
        &["PUBLISH", "events", "deployed"],
        b":0\r\n",
    );
    on_replica.expect(b"*3\r\n$7\r\nmessage\r\n$6\r\nevents\r\n$8\r\ndeployed\r\n");
    check(
        &mut on_replica,
        &["SSUBSCRIBE", "shard"],
        b"*3\r\n$10\r\nssubscribe\r\n$5\r\nshard\r\n:1\r\n",
    );
    check(&mut on_master, &["SPUBLISH", "shard", "s"], b":0\r\n");
    on_replica.expect(b"*3\r\n$8\r\nsmessage\r\n$5\r\nshard\r\n$1\r\ns\r\n");
    wait_synced(&m, &[&r]);
    // The AOF holds the SET, never the PUBLISH.
    let dir = m.dir.path().join("appendonlydir");
    let aof: Vec<u8> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".incr.aof"))
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    let text = String::from_utf8_lossy(&aof).to_lowercase();
    assert!(text.contains("$3\r\nset\r\n"), "{text}");
    assert!(!text.contains("publish"), "{text}");
}

#[test]
fn subscribers_are_not_closed_by_the_idle_timeout() {
    let server = TestServer::start_with(&["--timeout", "1"]);
    let mut idle = server.raw();
    check(&mut idle, &["PING"], b"+PONG\r\n");
    let mut sub = server.raw();
    check(
        &mut sub,
        &["SUBSCRIBE", "ch"],
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
    );
    idle.stream()
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    idle.expect_closed();
    // The plain client went after its idle second; the subscriber is still there.
    let mut p = server.raw();
    check(&mut p, &["PUBLISH", "ch", "still"], b":1\r\n");
    sub.expect(b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nstill\r\n");
}

/// A fresh ferrodis server, and a real redis-server when one is installed (the same
/// scenario must pass on both).
fn servers() -> Vec<TestServer> {
    let mut all = vec![TestServer::start()];
    all.extend(start_redis_server(&[]));
    all
}
