//! Client-side caching (CLIENT TRACKING) against the real binary: invalidation push
//! frames in RESP3, redirection to a RESP2 subscriber of `__redis__:invalidate`, BCAST
//! prefixes, NOLOOP, OPTIN/OPTOUT with CLIENT CACHING, flushes, expiry, the key limit,
//! a broken redirection, and the introspection (TRACKINGINFO, GETREDIR, CLIENT LIST
//! flags, INFO). Each scenario states the exact bytes; it runs on ferrodis and, when
//! one is installed, on a real redis-server, so the expectations are Redis 7.0's.

mod common;

use std::time::Duration;

use common::{ask, check, show, start_redis_server, wait_until, RawConn, TestServer};

const OK: &[u8] = b"+OK\r\n";

/// ferrodis, then a real redis-server if installed (DEBUG on for both).
fn servers() -> Vec<TestServer> {
    let args = ["--enable-debug-command", "yes"];
    let mut all = vec![TestServer::start_with(&args)];
    all.extend(start_redis_server(&args));
    all
}

/// The connection's id.
fn client_id(c: &mut RawConn) -> String {
    c.send_cmd(&["CLIENT", "ID"]);
    let reply = String::from_utf8(c.read_reply()).unwrap();
    reply.trim_start_matches(':').trim_end().to_string()
}

/// A RESP3 connection.
fn resp3(server: &TestServer) -> RawConn {
    let mut c = server.raw();
    c.send_cmd(&["HELLO", "3"]);
    c.read_reply();
    c
}

/// An `invalidate` push frame naming `keys`.
fn invalidate(keys: &[&str]) -> Vec<u8> {
    let mut out = format!(">2\r\n$10\r\ninvalidate\r\n*{}\r\n", keys.len()).into_bytes();
    for k in keys {
        out.extend_from_slice(format!("${}\r\n{k}\r\n", k.len()).as_bytes());
    }
    out
}

/// Sends a PING and expects its reply: proves nothing else was queued before it.
fn nothing_pending(c: &mut RawConn) {
    check(c, &["PING"], b"+PONG\r\n");
}

#[test]
fn resp3_reader_is_told_once_when_a_key_it_read_changes() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(&mut b, &["SET", "k", "1"], OK);
        check(&mut a, &["CLIENT", "TRACKING", "ON"], OK);
        check(&mut a, &["GET", "k"], b"$1\r\n1\r\n");
        check(&mut a, &["MGET", "k", "other"], b"*2\r\n$1\r\n1\r\n_\r\n");
        check(&mut b, &["SET", "k", "2"], OK);
        a.expect(&invalidate(&["k"]));
        // Forgotten until read again: a second write says nothing.
        check(&mut b, &["SET", "k", "3"], OK);
        nothing_pending(&mut a);
        // A key the reader itself writes: told after its own reply.
        check(&mut a, &["GET", "k"], b"$1\r\n3\r\n");
        a.send_cmd(&["INCR", "k"]);
        a.expect(b":4\r\n");
        a.expect(&invalidate(&["k"]));
        // Writes that change nothing (SET NX on an existing key) tell nobody.
        check(&mut a, &["GET", "other"], b"_\r\n");
        check(&mut b, &["SET", "k", "x", "NX"], b"$-1\r\n");
        nothing_pending(&mut a);
        check(&mut b, &["DEL", "other"], b":0\r\n");
        nothing_pending(&mut a);
        check(&mut b, &["SET", "other", "v"], OK);
        a.expect(&invalidate(&["other"]));
        // Tracking off: nothing more.
        check(&mut a, &["GET", "k"], b"$1\r\n4\r\n");
        check(&mut a, &["CLIENT", "TRACKING", "OFF"], OK);
        check(&mut b, &["SET", "k", "5"], OK);
        nothing_pending(&mut a);
    }
}

#[test]
fn resp2_tracking_redirects_to_a_subscriber_of_the_invalidate_channel() {
    for server in servers() {
        let mut listener = server.raw();
        let listener_id = client_id(&mut listener);
        listener.send_cmd(&["SUBSCRIBE", "__redis__:invalidate"]);
        listener.expect(b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
        let mut a = server.raw();
        let mut b = server.raw();
        check(
            &mut a,
            &["CLIENT", "TRACKING", "ON", "REDIRECT", &listener_id],
            OK,
        );
        check(
            &mut a,
            &["CLIENT", "GETREDIR"],
            format!(":{listener_id}\r\n").as_bytes(),
        );
        check(&mut a, &["GET", "k1"], b"$-1\r\n");
        check(&mut a, &["HGET", "h", "f"], b"$-1\r\n");
        check(&mut b, &["MSET", "k1", "a", "k2", "b"], OK);
        listener
            .expect(b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk1\r\n");
        check(&mut b, &["HSET", "h", "f", "v"], b":1\r\n");
        listener.expect(b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nh\r\n");
        // A flush: a null in place of the keys.
        check(&mut a, &["GET", "k1"], b"$1\r\na\r\n");
        check(&mut b, &["FLUSHALL"], OK);
        listener.expect(b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
        // A RESP2 connection without redirection gets nothing (it could not parse it).
        let mut plain = server.raw();
        check(&mut plain, &["CLIENT", "TRACKING", "ON"], OK);
        check(&mut plain, &["GET", "k1"], b"$-1\r\n");
        check(&mut b, &["SET", "k1", "x"], OK);
        nothing_pending(&mut plain);
    }
}

#[test]
fn bcast_prefixes_and_noloop() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(
            &mut a,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a:", "PREFIX", "b:",
            ],
            OK,
        );
        check(
            &mut b,
            &["MSET", "a:1", "x", "b:2", "y", "c:3", "z", "a:0", "w"],
            OK,
        );
        // One message per prefix, keys in order, prefixes in order.
        a.expect(&invalidate(&["a:0", "a:1"]));
        a.expect(&invalidate(&["b:2"]));
        // BCAST with no prefix: every key; NOLOOP: not the client's own writes.
        let mut all = resp3(&server);
        check(
            &mut all,
            &["CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP"],
            OK,
        );
        check(&mut all, &["SET", "mine", "1"], OK);
        nothing_pending(&mut all);
        check(&mut b, &["SET", "theirs", "1"], OK);
        all.expect(&invalidate(&["theirs"]));
        // Default mode with NOLOOP.
        let mut d = resp3(&server);
        check(&mut d, &["CLIENT", "TRACKING", "ON", "NOLOOP"], OK);
        check(&mut d, &["GET", "own"], b"_\r\n");
        check(&mut d, &["SET", "own", "1"], OK);
        nothing_pending(&mut d);
        check(&mut d, &["CLIENT", "TRACKINGINFO"], b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
        check(&mut a, &["CLIENT", "TRACKINGINFO"], b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$2\r\na:\r\n$2\r\nb:\r\n");
        // Prefixes that overlap are refused, naming both.
        check(
            &mut a,
            &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a:x"],
            b"-ERR Prefix 'a:x' overlaps with an existing prefix 'a:'. Prefixes for a single client must not overlap.\r\n",
        );
        check(
            &mut b,
            &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p", "PREFIX", "pq"],
            b"-ERR Prefix 'p' overlaps with another provided prefix 'pq'. Prefixes for a single client must not overlap.\r\n",
        );
    }
}

#[test]
fn optin_and_optout_follow_client_caching() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(&mut a, &["CLIENT", "TRACKING", "ON", "OPTIN"], OK);
        check(&mut a, &["GET", "not-cached"], b"_\r\n");
        check(&mut a, &["CLIENT", "CACHING", "YES"], OK);
        check(&mut a, &["CLIENT", "TRACKINGINFO"], b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
        check(&mut a, &["GET", "cached"], b"_\r\n");
        // CACHING applied to one command only.
        check(&mut a, &["GET", "after"], b"_\r\n");
        check(
            &mut b,
            &["MSET", "not-cached", "1", "cached", "1", "after", "1"],
            OK,
        );
        a.expect(&invalidate(&["cached"]));
        nothing_pending(&mut a);
        check(
            &mut a,
            &["CLIENT", "CACHING", "NO"],
            b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n",
        );
        check(
            &mut a,
            &["CLIENT", "TRACKING", "ON", "OPTOUT"],
            b"-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n",
        );
        // OPTOUT: every read counts unless CLIENT CACHING NO precedes it.
        let mut o = resp3(&server);
        check(&mut o, &["CLIENT", "TRACKING", "ON", "OPTOUT"], OK);
        check(&mut o, &["CLIENT", "CACHING", "NO"], OK);
        check(&mut o, &["GET", "skipped"], b"_\r\n");
        check(&mut o, &["GET", "kept"], b"_\r\n");
        check(&mut b, &["MSET", "skipped", "1", "kept", "1"], OK);
        o.expect(&invalidate(&["kept"]));
        nothing_pending(&mut o);
        // A transaction: CACHING YES covers the reads of the whole EXEC, whose
        // invalidations come after EXEC's reply.
        let mut t = resp3(&server);
        check(&mut t, &["CLIENT", "TRACKING", "ON", "OPTIN"], OK);
        check(&mut t, &["CLIENT", "CACHING", "YES"], OK);
        check(&mut t, &["MULTI"], OK);
        check(&mut t, &["GET", "t1"], b"+QUEUED\r\n");
        check(&mut t, &["SET", "t1", "v"], b"+QUEUED\r\n");
        t.send_cmd(&["EXEC"]);
        t.expect(b"*2\r\n_\r\n+OK\r\n");
        t.expect(&invalidate(&["t1"]));
    }
}

#[test]
fn option_errors_are_redis_words() {
    for server in servers() {
        let mut a = server.raw();
        for (args, want) in [
            (&["CLIENT", "TRACKING", "ON", "PREFIX", "x"][..], &b"-ERR PREFIX option requires BCAST mode to be enabled\r\n"[..]),
            (&["CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"], b"-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n"),
            (&["CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"], b"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n"),
            (&["CLIENT", "TRACKING", "ON", "REDIRECT", "999999"], b"-ERR The client ID you want redirect to does not exist\r\n"),
            (&["CLIENT", "TRACKING", "ON", "REDIRECT", "x"], b"-ERR value is not an integer or out of range\r\n"),
            (&["CLIENT", "TRACKING", "ON", "BOGUS"], b"-ERR syntax error\r\n"),
            (&["CLIENT", "TRACKING", "MAYBE"], b"-ERR syntax error\r\n"),
            (&["CLIENT", "CACHING", "YES"], b"-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n"),
            (&["CLIENT", "GETREDIR"], b":-1\r\n"),
            (&["CLIENT", "TRACKINGINFO"], b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"),
            (&["CLIENT", "TRACKING", "ON"], OK),
            (&["CLIENT", "TRACKING", "ON", "BCAST"], b"-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n"),
            (&["CLIENT", "CACHING", "YES"], b"-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n"),
            (&["CLIENT", "GETREDIR"], b":0\r\n"),
            (&["CLIENT", "TRACKING", "OFF"], OK),
        ] {
            check(&mut a, args, want);
        }
    }
}

#[test]
fn expiry_and_the_key_limit_invalidate() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(&mut a, &["CLIENT", "TRACKING", "ON"], OK);
        // Lazy expiry: another client's read finds the key expired.
        check(&mut b, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"], OK);
        // Long enough that A surely reads it before it expires on a loaded machine;
        // B's reads of the live key are reads, so they tell nobody anything.
        check(&mut b, &["SET", "short", "v", "PX", "300"], OK);
        check(&mut a, &["GET", "short"], b"$1\r\nv\r\n");
        assert!(wait_until(Duration::from_secs(5), || {
            ask(&mut b, &["GET", "short"]) == b"$-1\r\n"
        }));
        a.expect(&invalidate(&["short"]));
        check(&mut b, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"], OK);
        // The key limit: past it, remembered keys are invalidated to make room.
        check(
            &mut a,
            &["MGET", "l1", "l2", "l3"],
            b"*3\r\n_\r\n_\r\n_\r\n",
        );
        check(
            &mut b,
            &["CONFIG", "SET", "tracking-table-max-keys", "1"],
            OK,
        );
        // The next command of any client trims the table (its reply comes after).
        check(&mut b, &["PING"], b"+PONG\r\n");
        let mut told = Vec::new();
        for _ in 0..2 {
            let frame = a.read_reply();
            assert!(
                frame.starts_with(b">2\r\n$10\r\ninvalidate\r\n*1\r\n"),
                "{}",
                show(&frame)
            );
            told.push(frame);
        }
        check(
            &mut b,
            &["CONFIG", "SET", "tracking-table-max-keys", "0"],
            OK,
        );
        let mut info = server.raw();
        info.send_cmd(&["INFO", "stats"]);
        let text = String::from_utf8(info.read_reply()).unwrap();
        assert!(text.contains("tracking_total_keys:1\r\n"), "{text}");
        assert!(text.contains("tracking_total_items:1\r\n"), "{text}");
        assert!(text.contains("tracking_total_prefixes:0\r\n"), "{text}");
        info.send_cmd(&["INFO", "clients"]);
        let text = String::from_utf8(info.read_reply()).unwrap();
        assert!(text.contains("tracking_clients:1\r\n"), "{text}");
    }
}

#[test]
fn a_redirect_that_leaves_breaks_and_is_reported() {
    for server in servers() {
        let mut gone = server.raw();
        let gone_id = client_id(&mut gone);
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(
            &mut a,
            &["CLIENT", "TRACKING", "ON", "REDIRECT", &gone_id],
            OK,
        );
        check(&mut a, &["GET", "k"], b"_\r\n");
        drop(gone);
        assert!(wait_until(Duration::from_secs(5), || {
            let mut probe = server.raw();
            probe.send_cmd(&["CLIENT", "LIST"]);
            !show(&probe.read_reply()).contains(&format!("id={gone_id} "))
        }));
        check(&mut b, &["SET", "k", "1"], OK);
        a.expect(format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{gone_id}\r\n").as_bytes());
        a.send_cmd(&["CLIENT", "INFO"]);
        let info = show(&a.read_reply());
        assert!(info.contains(" flags=tR "), "{info}");
        check(
            &mut a,
            &["CLIENT", "GETREDIR"],
            format!(":{gone_id}\r\n").as_bytes(),
        );
        // RESET ends tracking.
        check(&mut a, &["RESET"], b"+RESET\r\n");
        check(&mut a, &["CLIENT", "GETREDIR"], b":-1\r\n");
    }
}

#[test]
fn invalidations_of_a_served_blocked_client_follow_its_reply() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(&mut b, &["RPUSH", "dst", "x"], b":1\r\n");
        check(&mut a, &["CLIENT", "TRACKING", "ON"], OK);
        check(&mut a, &["LRANGE", "dst", "0", "-1"], b"*1\r\n$1\r\nx\r\n");
        a.send_cmd(&["BLMOVE", "src", "dst", "LEFT", "LEFT", "0"]);
        assert!(wait_until(Duration::from_secs(5), || {
            let mut probe = server.raw();
            probe.send_cmd(&["INFO", "clients"]);
            show(&probe.read_reply()).contains("blocked_clients:1")
        }));
        check(&mut b, &["RPUSH", "src", "y"], b":1\r\n");
        a.expect(b"$1\r\ny\r\n");
        a.expect(&invalidate(&["dst"]));
    }
}

#[test]
fn a_replica_tells_its_readers_of_replicated_writes_and_of_a_full_sync() {
    use common::repl::{master, replica_of, wait_synced};
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let mut writer = m.raw();
    check(&mut writer, &["SET", "k", "1"], OK);
    wait_synced(&m, &[&r]);
    let mut reader = resp3(&r);
    check(&mut reader, &["CLIENT", "TRACKING", "ON"], OK);
    check(&mut reader, &["GET", "k"], b"$1\r\n1\r\n");
    // A write the master streams.
    check(&mut writer, &["SET", "k", "2"], OK);
    reader.expect(&invalidate(&["k"]));
    // A new full sync replaces everything: a null invalidation.
    let mut admin = r.raw();
    check(&mut admin, &["REPLICAOF", "NO", "ONE"], OK);
    check(&mut writer, &["SET", "other", "x"], OK);
    let port = m.port.to_string();
    check(
        &mut admin,
        &["CONFIG", "SET", "repl-diskless-load", "disabled"],
        OK,
    );
    check(&mut admin, &["REPLICAOF", "127.0.0.1", &port], OK);
    reader.expect(b">2\r\n$10\r\ninvalidate\r\n_\r\n");
    wait_synced(&m, &[&r]);
    check(&mut reader, &["GET", "other"], b"$1\r\nx\r\n");
}

#[test]
fn scripts_track_their_declared_keys_only_when_they_read() {
    for server in servers() {
        let mut a = resp3(&server);
        let mut b = server.raw();
        check(&mut a, &["CLIENT", "TRACKING", "ON"], OK);
        // A script that only writes tracks nothing.
        check(
            &mut a,
            &["EVAL", "redis.call('set', 'k3', 'x')", "2", "k1", "k2"],
            b"_\r\n",
        );
        check(&mut b, &["MSET", "k1", "1", "k2", "1"], OK);
        nothing_pending(&mut a);
        // One that reads tracks every key it declared (EVAL_RO alike).
        check(
            &mut a,
            &["EVAL_RO", "redis.call('get', 'k3')", "2", "k1", "k2"],
            b"_\r\n",
        );
        check(&mut b, &["MSET", "k2", "2", "k1", "2"], OK);
        a.expect(&invalidate(&["k2"]));
        a.expect(&invalidate(&["k1"]));
        // With NOLOOP, what the client's own script writes is not reported to it.
        check(&mut a, &["CLIENT", "TRACKING", "OFF"], OK);
        check(&mut a, &["CLIENT", "TRACKING", "ON", "NOLOOP"], OK);
        check(&mut a, &["GET", "k1"], b"$1\r\n2\r\n");
        check(
            &mut a,
            &["EVAL", "return redis.call('set', KEYS[1], '3')", "1", "k1"],
            OK,
        );
        nothing_pending(&mut a);
    }
}
