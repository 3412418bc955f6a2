//! Redis 7.0 functions (FUNCTION, FCALL, FCALL_RO) against the real binary: loading,
//! listing and calling libraries with Redis's replies and errors, and libraries as
//! part of the dataset: kept by RDB files (also Redis's own), FUNCTION DUMP/RESTORE
//! payloads that move between Redis and ferrodis, the AOF and replicas. The
//! exchanges run on ferrodis and, when one is installed, on a real redis-server.

mod common;

use std::time::Duration;

use common::repl::{master, replica_of, wait_synced};
use common::{check, show, start_redis_server, wait_until, RawConn, TestServer};

const LIB: &str = "#!lua name=mylib\n\
redis.register_function('echo_key', function(keys, args) return keys[1] end)\n\
redis.register_function{function_name='Getter', callback=function(keys) \
return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\n\
redis.register_function('setter', function(keys, args) \
return redis.call('set', keys[1], args[1]) end)";

/// ferrodis, then a real redis-server if installed.
fn servers(args: &[&str]) -> Vec<TestServer> {
    let mut all = vec![TestServer::start_with(args)];
    all.extend(start_redis_server(args));
    all
}

#[test]
fn libraries_load_list_and_call_as_in_redis() {
    for server in servers(&[]) {
        let mut c = server.raw();
        for (args, want) in [
            (&["FUNCTION", "LOAD", LIB][..], &b"$5\r\nmylib\r\n"[..]),
            (
                &["FUNCTION", "LOAD", LIB],
                b"-ERR Library 'mylib' already exists\r\n",
            ),
            (&["FUNCTION", "LOAD", "REPLACE", LIB], b"$5\r\nmylib\r\n"),
            (&["FCALL", "echo_key", "1", "k", "a"], b"$1\r\nk\r\n"),
            (&["FCALL", "ECHO_KEY", "1", "k"], b"$1\r\nk\r\n"),
            (&["FCALL", "setter", "1", "k", "v"], b"+OK\r\n"),
            (&["FCALL_RO", "getter", "1", "k"], b"$1\r\nv\r\n"),
            (
                &["FCALL_RO", "setter", "1", "k", "v"],
                b"-ERR Can not execute a script with write flag using *_ro command.\r\n",
            ),
            (&["FCALL", "nofunc", "0"], b"-ERR Function not found\r\n"),
            (
                &["FCALL", "echo_key", "x"],
                b"-ERR Bad number of keys provided\r\n",
            ),
            (
                &["FCALL", "echo_key", "2", "k"],
                b"-ERR Number of keys can't be greater than number of args\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "x"],
                b"-ERR Missing library metadata\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!lua\nx"],
                b"-ERR Library name was not given\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!lua name=bad-name\nx"],
                b"-ERR Library names can only contain letters, numbers, or underscores(_) \
and must be at least one character long\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!js name=l2\nx"],
                b"-ERR Engine 'js' not found\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!lua name=l2\nreturn 1"],
                b"-ERR No functions registered\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!lua name=l2\nstring.format('x')"],
                b"-ERR Error registering functions: ERR user_function:2: Script attempted to \
access nonexistent global variable 'string'\r\n",
            ),
            (
                &["FUNCTION", "LOAD", "#!lua name=l2\nredis.call('ping')"],
                b"-ERR Error registering functions: ERR user_function:2: Script attempted to \
access nonexistent global variable 'call'\r\n",
            ),
            (
                &[
                    "FUNCTION",
                    "LOAD",
                    "#!lua name=l2\nredis.register_function('echo_key', function() end)",
                ],
                b"-ERR Function echo_key already exists\r\n",
            ),
            // One function per library here: the order of several is unspecified.
            (
                &[
                    "FUNCTION",
                    "LOAD",
                    "#!lua name=other\nredis.register_function{function_name='Getter2', \
                     callback=function() return 1 end, flags={'no-writes', 'allow-stale'}, \
                     description='reads'}",
                ],
                b"$5\r\nother\r\n",
            ),
            (
                &["FUNCTION", "LIST", "LIBRARYNAME", "oth*", "WITHCODE"],
                b"*1\r\n*8\r\n$12\r\nlibrary_name\r\n$5\r\nother\r\n$6\r\nengine\r\n\
$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nGetter2\r\n\
$11\r\ndescription\r\n$5\r\nreads\r\n$5\r\nflags\r\n*2\r\n+no-writes\r\n\
+allow-stale\r\n$12\r\nlibrary_code\r\n$156\r\n#!lua name=other\nredis.register_function\
{function_name='Getter2', callback=function() return 1 end, flags={'no-writes', \
'allow-stale'}, description='reads'}\r\n",
            ),
            (&["FUNCTION", "DELETE", "other"], b"+OK\r\n"),
            (&["FUNCTION", "LIST", "LIBRARYNAME", "x*"], b"*0\r\n"),
            (
                &["FUNCTION", "LIST", "foo"],
                b"-ERR Unknown argument foo\r\n",
            ),
            (
                &["FUNCTION", "STATS"],
                b"*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n\
*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:3\r\n",
            ),
            (
                &["FUNCTION", "KILL"],
                b"-NOTBUSY No scripts in execution right now.\r\n",
            ),
            (
                &["FUNCTION", "DELETE", "nolib"],
                b"-ERR Library not found\r\n",
            ),
            // Library names are case-sensitive; function names are not.
            (
                &["FUNCTION", "DELETE", "MYLIB"],
                b"-ERR Library not found\r\n",
            ),
            (&["FUNCTION", "DELETE", "mylib"], b"+OK\r\n"),
            (
                &["FCALL", "echo_key", "1", "k"],
                b"-ERR Function not found\r\n",
            ),
            (
                &["FUNCTION", "FLUSH", "x"],
                b"-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n",
            ),
            (&["FUNCTION", "FLUSH", "ASYNC"], b"+OK\r\n"),
        ] {
            check(&mut c, args, want);
        }
    }
}

/// FUNCTION DUMP's payload, read on `c`.
fn dump(c: &mut RawConn) -> Vec<u8> {
    c.send_cmd(&["FUNCTION", "DUMP"]);
    let reply = c.read_reply();
    let start = reply.iter().position(|&b| b == b'\n').unwrap() + 1;
    reply[start..reply.len() - 2].to_vec()
}

/// Sends FUNCTION RESTORE with a binary payload.
fn restore(c: &mut RawConn, payload: &[u8], policy: Option<&str>) -> Vec<u8> {
    let mut req = Vec::new();
    let n = if policy.is_some() { 4 } else { 3 };
    req.extend_from_slice(format!("*{n}\r\n$8\r\nFUNCTION\r\n$7\r\nRESTORE\r\n").as_bytes());
    req.extend_from_slice(format!("${}\r\n", payload.len()).as_bytes());
    req.extend_from_slice(payload);
    req.extend_from_slice(b"\r\n");
    if let Some(p) = policy {
        req.extend_from_slice(format!("${}\r\n{p}\r\n", p.len()).as_bytes());
    }
    c.send(&req);
    c.read_reply()
}

#[test]
fn dump_payloads_move_between_redis_and_ferrodis() {
    let ours = TestServer::start();
    let mut o = ours.raw();
    check(&mut o, &["FUNCTION", "LOAD", LIB], b"$5\r\nmylib\r\n");
    let payload = dump(&mut o);
    assert_eq!(
        show(&restore(&mut o, &payload, None)),
        show(b"-ERR Library mylib already exists\r\n")
    );
    assert_eq!(
        show(&restore(&mut o, &payload, Some("REPLACE"))),
        show(b"+OK\r\n")
    );
    assert_eq!(
        show(&restore(&mut o, b"garbage payload", None)),
        show(b"-ERR DUMP payload version or checksum are wrong\r\n")
    );
    assert_eq!(
        show(&restore(&mut o, &payload, Some("BAD"))),
        show(b"-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n")
    );
    check(&mut o, &["FUNCTION", "FLUSH"], b"+OK\r\n");
    assert_eq!(show(&restore(&mut o, &payload, None)), show(b"+OK\r\n"));
    check(&mut o, &["FCALL", "echo_key", "1", "x"], b"$1\r\nx\r\n");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let mut r = redis.raw();
    // Ours into Redis, and Redis's back into ours.
    assert_eq!(show(&restore(&mut r, &payload, None)), show(b"+OK\r\n"));
    check(&mut r, &["FCALL", "echo_key", "1", "y"], b"$1\r\ny\r\n");
    let theirs = dump(&mut r);
    assert_eq!(
        show(&restore(&mut o, &theirs, Some("FLUSH"))),
        show(b"+OK\r\n")
    );
    check(&mut o, &["FCALL_RO", "getter", "1", "nokey"], b"$-1\r\n");
}

#[test]
fn libraries_survive_restarts_through_rdb_and_aof() {
    for args in [
        &["--save", "900 1"][..],
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    ] {
        let mut all = vec!["--enable-debug-command", "yes"];
        all.extend_from_slice(args);
        let mut server = TestServer::start_with(&all);
        let mut c = server.raw();
        check(&mut c, &["FUNCTION", "LOAD", LIB], b"$5\r\nmylib\r\n");
        check(&mut c, &["FCALL", "setter", "1", "k", "v"], b"+OK\r\n");
        if args[0] == "--save" {
            check(&mut c, &["SAVE"], b"+OK\r\n");
        } else {
            // The rewrite writes the libraries as FUNCTION LOAD commands.
            check(
                &mut c,
                &["BGREWRITEAOF"],
                b"+Background append only file rewriting started\r\n",
            );
            assert!(wait_until(Duration::from_secs(20), || {
                c.send_cmd(&["INFO", "persistence"]);
                let info = String::from_utf8(c.read_reply()).unwrap();
                info.contains("aof_rewrite_in_progress:0")
                    && info.contains("aof_rewrite_scheduled:0")
            }));
        }
        drop(c);
        server.restart();
        let mut c = server.raw();
        check(&mut c, &["FCALL_RO", "getter", "1", "k"], b"$1\r\nv\r\n");
        check(&mut c, &["DEBUG", "RELOAD"], b"+OK\r\n");
        check(&mut c, &["FCALL_RO", "getter", "1", "k"], b"$1\r\nv\r\n");
    }
}

#[test]
fn an_rdb_with_functions_written_by_redis_loads_in_ferrodis() {
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let mut r = redis.raw();
    check(&mut r, &["FUNCTION", "LOAD", LIB], b"$5\r\nmylib\r\n");
    check(&mut r, &["SET", "k", "theirs"], b"+OK\r\n");
    check(&mut r, &["SAVE"], b"+OK\r\n");
    let dump = std::fs::read(redis.dir.path().join("dump.rdb")).unwrap();
    let mut server = TestServer::start();
    server.stop();
    std::fs::write(server.dir.path().join("dump.rdb"), dump).unwrap();
    server.relaunch();
    let mut c = server.raw();
    check(
        &mut c,
        &["FCALL_RO", "getter", "1", "k"],
        b"$6\r\ntheirs\r\n",
    );
}

#[test]
fn replicas_get_libraries_by_full_sync_and_by_the_stream() {
    let m = master(&[]);
    let mut c = m.raw();
    check(&mut c, &["FUNCTION", "LOAD", LIB], b"$5\r\nmylib\r\n");
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let mut rc = r.raw();
    check(&mut rc, &["FCALL_RO", "getter", "1", "k"], b"$-1\r\n");
    check(
        &mut c,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=second\nredis.register_function('two', function() return 2 end)",
        ],
        b"$6\r\nsecond\r\n",
    );
    check(&mut c, &["FCALL", "setter", "1", "k", "v"], b"+OK\r\n");
    wait_synced(&m, &[&r]);
    // A function that may write is refused on a read-only replica, as a write.
    check(
        &mut rc,
        &["FCALL", "two", "0"],
        b"-READONLY You can't write against a read only replica.\r\n",
    );
    check(&mut rc, &["FCALL_RO", "getter", "1", "k"], b"$1\r\nv\r\n");
    check(&mut c, &["FUNCTION", "DELETE", "second"], b"+OK\r\n");
    wait_synced(&m, &[&r]);
    assert!(wait_until(Duration::from_secs(10), || {
        rc.send_cmd(&["FCALL", "two", "0"]);
        rc.read_reply() == b"-ERR Function not found\r\n"
    }));
}

/// DEBUG LOADAOF empties the functions with the keys before the AOF loads them again,
/// as Redis does: a library left in place made the AOF's FUNCTION LOAD fail (fatal with
/// `propagation-error-behavior panic`), and a deleted or flushed one must stay gone.
#[test]
fn debug_loadaof_loads_the_functions_from_the_aof_alone() {
    let args = [
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
        "--propagation-error-behavior",
        "panic",
    ];
    for server in servers(&args) {
        let mut c = server.raw();
        let lib = "#!lua name=test\nredis.register_function('test', function() return 'hello' end)";
        check(&mut c, &["FUNCTION", "LOAD", lib], b"$4\r\ntest\r\n");
        check(&mut c, &["DEBUG", "LOADAOF"], b"+OK\r\n");
        check(&mut c, &["FCALL", "test", "0"], b"$5\r\nhello\r\n");
        check(&mut c, &["FUNCTION", "DELETE", "test"], b"+OK\r\n");
        check(&mut c, &["DEBUG", "LOADAOF"], b"+OK\r\n");
        check(&mut c, &["FUNCTION", "LIST"], b"*0\r\n");
        check(&mut c, &["FUNCTION", "LOAD", lib], b"$4\r\ntest\r\n");
        check(&mut c, &["FUNCTION", "FLUSH"], b"+OK\r\n");
        check(&mut c, &["DEBUG", "LOADAOF"], b"+OK\r\n");
        check(&mut c, &["FUNCTION", "LIST"], b"*0\r\n");
    }
}
