//! Command-table conformance: key specs, movable keys (COMMAND GETKEYS / GETKEYSANDFLAGS
//! / INFO), the keys a write touches for WATCH, and a comparison with a real
//! redis-server 7.0 of COMMAND INFO and GETKEYS for every command ferrodis implements.

mod common;

use common::{ask, start_redis_server, RawConn, TestServer};

/// RESP2 array of bulk strings.
fn bulks(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for it in items {
        out.extend_from_slice(format!("${}\r\n{}\r\n", it.len(), it).as_bytes());
    }
    out
}

/// Asserts that COMMAND GETKEYS of `cmd` answers exactly the keys `keys`.
fn assert_getkeys(conn: &mut RawConn, cmd: &[&str], keys: &[&str]) {
    let mut args = vec!["COMMAND", "GETKEYS"];
    args.extend_from_slice(cmd);
    let got = ask(conn, &args);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&bulks(keys)),
        "COMMAND GETKEYS {cmd:?}"
    );
}

/// Asserts that COMMAND GETKEYS of `cmd` answers the error line `err`.
fn assert_getkeys_err(conn: &mut RawConn, cmd: &[&str], err: &str) {
    let mut args = vec!["COMMAND", "GETKEYS"];
    args.extend_from_slice(cmd);
    let got = ask(conn, &args);
    assert_eq!(
        String::from_utf8_lossy(&got),
        format!("-{err}\r\n"),
        "COMMAND GETKEYS {cmd:?}"
    );
}

const INVALID_ARGS: &str = "ERR Invalid arguments specified for command";

#[test]
fn getkeys_of_numkeys_commands() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    assert_getkeys(&mut c, &["LMPOP", "2", "a", "b", "LEFT"], &["a", "b"]);
    assert_getkeys(&mut c, &["lmpop", "1", "a", "RIGHT", "COUNT", "3"], &["a"]);
    assert_getkeys(&mut c, &["BLMPOP", "0", "2", "a", "b", "LEFT"], &["a", "b"]);
    assert_getkeys(
        &mut c,
        &["ZMPOP", "3", "a", "b", "c", "MIN"],
        &["a", "b", "c"],
    );
    assert_getkeys(
        &mut c,
        &["BZMPOP", "1.5", "1", "z", "MAX", "COUNT", "2"],
        &["z"],
    );
    assert_getkeys(
        &mut c,
        &["ZUNION", "2", "a", "b", "WEIGHTS", "1", "2"],
        &["a", "b"],
    );
    assert_getkeys(&mut c, &["ZINTER", "1", "a", "WITHSCORES"], &["a"]);
    assert_getkeys(&mut c, &["ZDIFF", "2", "a", "b"], &["a", "b"]);
    assert_getkeys(
        &mut c,
        &["ZINTERCARD", "2", "a", "b", "LIMIT", "1"],
        &["a", "b"],
    );
    assert_getkeys(
        &mut c,
        &["SINTERCARD", "3", "a", "b", "c"],
        &["a", "b", "c"],
    );
    // The destination comes first: its spec precedes the sources' one.
    let store = ["d", "a", "b"];
    assert_getkeys(
        &mut c,
        &["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
        &store,
    );
    assert_getkeys(
        &mut c,
        &["ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX"],
        &store,
    );
    assert_getkeys(&mut c, &["ZDIFFSTORE", "d", "2", "a", "b"], &store);
}

#[test]
fn getkeys_bad_numkeys() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    for cmd in [
        &["LMPOP", "0", "a", "LEFT"][..],
        &["LMPOP", "3", "a", "LEFT"],
        &["LMPOP", "-1", "a", "LEFT"],
        &["LMPOP", "abc", "a", "b"],
        &["BLMPOP", "0", "0", "a", "LEFT"],
        &["ZMPOP", "9", "a", "MIN"],
        &["ZUNIONSTORE", "d", "5", "a", "b"],
        &["ZDIFFSTORE", "d", "0", "a"],
        &["ZINTER", "x", "a"],
        &["SINTERCARD", "4", "a", "b"],
    ] {
        assert_getkeys_err(&mut c, cmd, INVALID_ARGS);
    }
    // Not a strict integer, so the specs fail, but C's atoi() reads a count from the
    // digits that begin it, as Redis's fallback does.
    assert_getkeys(&mut c, &["LMPOP", "2abc", "a", "b", "LEFT"], &["a", "b"]);
    assert_getkeys(&mut c, &["LMPOP", "01", "a", "b"], &["a"]);
}

#[test]
fn getkeys_errors() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    assert_getkeys_err(&mut c, &["NOSUCH", "a"], "ERR Invalid command specified");
    assert_getkeys_err(
        &mut c,
        &["PING", "x"],
        "ERR The command has no key arguments",
    );
    assert_getkeys_err(
        &mut c,
        &["OBJECT", "HELP"],
        "ERR The command has no key arguments",
    );
    assert_getkeys_err(
        &mut c,
        &["GET", "a", "b"],
        "ERR Invalid number of arguments specified for command",
    );
    assert_getkeys(&mut c, &["OBJECT", "FREQ", "k"], &["k"]);
    assert_getkeys(&mut c, &["MSET", "a", "1", "b"], &["a", "b"]);
}

#[test]
fn getkeys_of_sort() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    assert_getkeys(&mut c, &["SORT", "k"], &["k"]);
    assert_getkeys(&mut c, &["SORT", "k", "STORE"], &["k"]);
    assert_getkeys(&mut c, &["SORT", "k", "STORE", "d"], &["k", "d"]);
    // The last STORE wins; GET/BY patterns and LIMIT arguments are skipped.
    assert_getkeys(
        &mut c,
        &[
            "SORT", "k", "BY", "store", "LIMIT", "0", "1", "STORE", "d1", "GET", "#", "store", "d2",
        ],
        &["k", "d2"],
    );
    assert_getkeys(&mut c, &["SORT", "k", "GET", "store", "ALPHA"], &["k"]);
    assert_getkeys(&mut c, &["SORT_RO", "k", "BY", "w_*", "DESC"], &["k"]);
    let got = ask(
        &mut c,
        &["COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "d"],
    );
    assert_eq!(
        got,
        b"*2\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n"
            .to_vec()
    );
}

/// `COMMAND GETKEYSANDFLAGS` reply of one key with flags `flags`.
fn one_key_flags(key: &str, flags: &[&str]) -> Vec<u8> {
    let mut out = format!(
        "*1\r\n*2\r\n${}\r\n{}\r\n*{}\r\n",
        key.len(),
        key,
        flags.len()
    );
    for f in flags {
        out.push_str(&format!("+{f}\r\n"));
    }
    out.into_bytes()
}

#[test]
fn getkeysandflags_of_common_families() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    let cases: &[(&[&str], &[&str])] = &[
        (&["GET", "k"], &["RO", "access"]),
        (&["SET", "k", "v"], &["OW", "update"]),
        (&["SET", "k", "v", "GET"], &["RW", "access", "update"]),
        (&["APPEND", "k", "v"], &["RW", "insert"]),
        (&["INCR", "k"], &["RW", "access", "update"]),
        (&["GETDEL", "k"], &["RW", "access", "delete"]),
        (&["DEL", "k"], &["RM", "delete"]),
        (&["EXISTS", "k"], &["RO"]),
        (&["EXPIRE", "k", "1"], &["RW", "update"]),
        (&["LPUSH", "k", "v"], &["RW", "insert"]),
        (&["LPOP", "k"], &["RW", "access", "delete"]),
        (&["LRANGE", "k", "0", "1"], &["RO", "access"]),
        (&["HSET", "k", "f", "v"], &["RW", "update"]),
        (&["HDEL", "k", "f"], &["RW", "delete"]),
        (&["SADD", "k", "m"], &["RW", "insert"]),
        (&["SCARD", "k"], &["RO"]),
        (&["ZADD", "k", "1", "m"], &["RW", "update"]),
        (&["ZREM", "k", "m"], &["RW", "delete"]),
        (&["BITFIELD", "k", "GET", "u8", "0"], &["RO", "access"]),
        (
            &["BITFIELD", "k", "SET", "u8", "0", "1"],
            &["RW", "access", "update"],
        ),
    ];
    for (cmd, flags) in cases {
        let mut args = vec!["COMMAND", "GETKEYSANDFLAGS"];
        args.extend_from_slice(cmd);
        let got = ask(&mut c, &args);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&one_key_flags("k", flags)),
            "{cmd:?}"
        );
    }
    // RENAME: the source is read and deleted, the destination overwritten.
    let got = ask(&mut c, &["COMMAND", "GETKEYSANDFLAGS", "RENAME", "a", "b"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n"
    );
}

/// The flags field of `COMMAND INFO name`, parsed from the raw reply.
fn info_flags(conn: &mut RawConn, name: &str) -> Vec<String> {
    let v = parse(&ask(conn, &["COMMAND", "INFO", name]));
    let Resp::Array(entries) = v else {
        panic!("COMMAND INFO {name}: not an array")
    };
    let Resp::Array(fields) = &entries[0] else {
        panic!("COMMAND INFO {name}: no entry")
    };
    let Resp::Array(flags) = &fields[2] else {
        panic!("COMMAND INFO {name}: no flags")
    };
    flags
        .iter()
        .map(|f| match f {
            Resp::Simple(t) => t.clone(),
            other => panic!("flag {other:?}"),
        })
        .collect()
}

#[test]
fn movablekeys_flag_in_command_info() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    for name in [
        "lmpop",
        "blmpop",
        "zmpop",
        "bzmpop",
        "zunion",
        "zinter",
        "zdiff",
        "zunionstore",
        "zinterstore",
        "zdiffstore",
        "zintercard",
        "sintercard",
        "sort",
        "sort_ro",
    ] {
        let flags = info_flags(&mut c, name);
        assert!(
            flags.iter().any(|f| f == "movablekeys"),
            "{name}: {flags:?}"
        );
    }
    for name in ["get", "set", "mset", "blpop", "bitfield", "rename"] {
        let flags = info_flags(&mut c, name);
        assert!(
            !flags.iter().any(|f| f == "movablekeys"),
            "{name}: {flags:?}"
        );
    }
    // The legacy triple of a movable command covers only what a range can say.
    let v = parse(&ask(&mut c, &["COMMAND", "INFO", "zunionstore", "lmpop"]));
    let Resp::Array(entries) = v else { panic!() };
    let triple = |e: &Resp| match e {
        Resp::Array(f) => (f[3].clone(), f[4].clone(), f[5].clone()),
        _ => panic!(),
    };
    assert_eq!(
        triple(&entries[0]),
        (Resp::Int(1), Resp::Int(1), Resp::Int(1))
    );
    assert_eq!(
        triple(&entries[1]),
        (Resp::Int(0), Resp::Int(0), Resp::Int(0))
    );
}

#[test]
fn watch_sees_only_the_keys_a_write_changed() {
    let srv = TestServer::start();
    let mut c = srv.raw();
    let mut other = srv.raw();
    let ok = b"+OK\r\n".to_vec();
    // LMPOP pops from the first non-empty list: a watcher of the others is undisturbed,
    // a watcher of the popped one fails.
    ask(&mut other, &["RPUSH", "l2", "x", "y"]);
    ask(&mut other, &["RPUSH", "l3", "z"]);
    for (watched, fails) in [("l1", false), ("l3", false), ("l2", true)] {
        assert_eq!(ask(&mut c, &["WATCH", watched]), ok);
        ask(&mut other, &["LMPOP", "3", "l1", "l2", "l3", "LEFT"]);
        assert_eq!(ask(&mut c, &["MULTI"]), ok);
        ask(&mut c, &["PING"]);
        let want: &[u8] = if fails {
            b"*-1\r\n"
        } else {
            b"*1\r\n+PONG\r\n"
        };
        assert_eq!(ask(&mut c, &["EXEC"]), want.to_vec(), "watching {watched}");
        ask(&mut other, &["RPUSH", "l2", "x"]);
    }
    // ZUNIONSTORE and SORT ... STORE change only their destination.
    ask(&mut other, &["ZADD", "za", "1", "a"]);
    ask(&mut other, &["RPUSH", "src", "3", "1", "2"]);
    for (watched, fails) in [("za", false), ("src", false), ("zd", true), ("sd", true)] {
        assert_eq!(ask(&mut c, &["WATCH", watched]), ok);
        ask(&mut other, &["ZUNIONSTORE", "zd", "1", "za"]);
        ask(&mut other, &["SORT", "src", "STORE", "sd"]);
        ask(&mut other, &["DEL", "zd", "sd"]);
        assert_eq!(ask(&mut c, &["MULTI"]), ok);
        ask(&mut c, &["PING"]);
        let want: &[u8] = if fails {
            b"*-1\r\n"
        } else {
            b"*1\r\n+PONG\r\n"
        };
        assert_eq!(ask(&mut c, &["EXEC"]), want.to_vec(), "watching {watched}");
    }
    // ZMPOP touches the popped sorted set.
    assert_eq!(ask(&mut c, &["WATCH", "za"]), ok);
    ask(&mut other, &["ZMPOP", "2", "nokey", "za", "MIN"]);
    assert_eq!(ask(&mut c, &["MULTI"]), ok);
    ask(&mut c, &["PING"]);
    assert_eq!(ask(&mut c, &["EXEC"]), b"*-1\r\n".to_vec());
}

// ---------------------------------------------------------------------------------------
// Comparison with a real redis-server
// ---------------------------------------------------------------------------------------

/// A parsed RESP2/RESP3 reply (sets and maps flattened into arrays, as RESP2 shows them).
#[derive(Debug, Clone, PartialEq)]
enum Resp {
    /// A simple string.
    Simple(String),
    /// A bulk string.
    Text(String),
    Error(String),
    Int(i64),
    Null,
    Array(Vec<Resp>),
}

/// Parses one complete reply.
fn parse(bytes: &[u8]) -> Resp {
    let (v, used) = parse_at(bytes, 0);
    assert_eq!(used, bytes.len(), "trailing bytes after a reply");
    v
}

fn parse_at(b: &[u8], at: usize) -> (Resp, usize) {
    let end = at + b[at..].windows(2).position(|w| w == b"\r\n").expect("CRLF");
    let line = String::from_utf8_lossy(&b[at + 1..end]).to_string();
    let next = end + 2;
    match b[at] {
        b'+' => (Resp::Simple(line), next),
        b'-' => (Resp::Error(line), next),
        b':' => (Resp::Int(line.parse().expect("integer")), next),
        b'_' => (Resp::Null, next),
        b'$' => {
            let n: i64 = line.parse().expect("length");
            if n < 0 {
                return (Resp::Null, next);
            }
            let n = n as usize;
            let text = String::from_utf8_lossy(&b[next..next + n]).to_string();
            (Resp::Text(text), next + n + 2)
        }
        b'*' | b'~' | b'%' => {
            let n: i64 = line.parse().expect("count");
            if n < 0 {
                return (Resp::Null, next);
            }
            let n = n as usize * if b[at] == b'%' { 2 } else { 1 };
            let mut items = Vec::with_capacity(n);
            let mut pos = next;
            for _ in 0..n {
                let (v, p) = parse_at(b, pos);
                items.push(v);
                pos = p;
            }
            (Resp::Array(items), pos)
        }
        other => panic!("unexpected reply type {}", other as char),
    }
}

/// The names of every command and subcommand `conn` implements.
fn command_list(conn: &mut RawConn) -> Vec<String> {
    match parse(&ask(conn, &["COMMAND", "LIST"])) {
        Resp::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Resp::Text(t) => t,
                other => panic!("COMMAND LIST item {other:?}"),
            })
            .collect(),
        other => panic!("COMMAND LIST: {other:?}"),
    }
}

/// The COMMAND INFO fields compared with Redis: name, arity, flags, first, last, step,
/// tips and key specs (the ACL categories and subcommands are left to other tests).
fn comparable_info(conn: &mut RawConn, name: &str) -> Resp {
    let v = parse(&ask(conn, &["COMMAND", "INFO", name]));
    let Resp::Array(mut entries) = v else {
        panic!("COMMAND INFO {name}")
    };
    let Resp::Array(fields) = entries.remove(0) else {
        panic!("COMMAND INFO {name}: {entries:?}")
    };
    Resp::Array(
        fields
            .into_iter()
            .enumerate()
            .filter(|(i, _)| matches!(i, 0..=5 | 7 | 8))
            .map(|(_, f)| f)
            .collect(),
    )
}

/// For every command both servers have, `what` of it on Redis and on ferrodis: the
/// differences, described.
fn differences_over_common_commands<T: PartialEq + std::fmt::Debug>(
    r: &mut RawConn,
    f: &mut RawConn,
    mut what: impl FnMut(&mut RawConn, &str) -> T,
    mut each: impl FnMut(&T),
) -> Vec<String> {
    let redis_names = command_list(r);
    let mut diffs = Vec::new();
    for name in command_list(f) {
        if !redis_names.contains(&name) {
            continue;
        }
        let (want, got) = (what(r, &name), what(f, &name));
        each(&got);
        if want != got {
            diffs.push(format!(
                "{name}:\n  redis:    {want:?}\n  ferrodis: {got:?}"
            ));
        }
    }
    diffs
}

#[test]
fn command_info_matches_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    let diffs = differences_over_common_commands(&mut r, &mut f, comparable_info, |_| {});
    assert!(
        diffs.is_empty(),
        "COMMAND INFO differs:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn getkeys_matches_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    let requests: &[&[&str]] = &[
        &["LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"],
        &["LMPOP", "0", "a", "LEFT"],
        &["LMPOP", "2abc", "a", "b", "LEFT"],
        &["LMPOP", " 2", "a", "b", "LEFT"],
        &["LMPOP", "+1", "a", "b"],
        &["BLMPOP", "0", "2", "a", "b", "LEFT"],
        &["BLMPOP", "0", "3", "a", "b", "LEFT"],
        &["ZMPOP", "1", "a", "MIN"],
        &["BZMPOP", "0", "2", "a", "b", "MIN"],
        &["ZUNION", "2", "a", "b"],
        &["ZINTER", "-2", "a", "b"],
        &["ZDIFF", "1", "a", "b"],
        &["ZINTERCARD", "2", "a", "b"],
        &["SINTERCARD", "1", "a", "LIMIT", "3"],
        &["ZUNIONSTORE", "d", "2", "a", "b"],
        &["ZINTERSTORE", "d", "3", "a", "b"],
        &["ZDIFFSTORE", "d", "1", "a"],
        &["SORT", "k", "STORE", "d", "STORE", "e"],
        &["SORT", "k", "LIMIT", "STORE", "x", "STORE", "y"],
        &["SORT_RO", "k", "STORE", "d"],
        &["SET", "k", "v", "EX", "1", "GET"],
        &["BITFIELD", "k", "GET", "u8", "0", "OVERFLOW", "SAT"],
        &["BITFIELD", "k", "INCRBY", "u8", "0", "1"],
        &["BITFIELD", "k", "GET", "u8"],
        &["RENAME", "a", "b"],
        &["COPY", "a", "b", "DB", "1"],
        &["SMOVE", "a", "b", "m"],
        &["LMOVE", "a", "b", "LEFT", "RIGHT"],
        &["BLPOP", "a", "b", "0"],
        &["MSET", "a", "1", "b", "2"],
        &["MSETNX", "a", "1", "b"],
        &["SINTERSTORE", "d", "a", "b"],
        &["PFMERGE", "d", "a", "b"],
        &["PFCOUNT", "a", "b"],
        &["OBJECT", "ENCODING", "k"],
        &["MEMORY", "USAGE", "k"],
        &["GETEX", "k", "PERSIST"],
        &["DEL", "a", "b"],
        &["TOUCH", "a"],
        &["WATCH", "a", "b"],
        &["GET", "a", "b"],
        &["PING"],
        &["NOSUCH"],
    ];
    for req in requests {
        for sub in ["GETKEYS", "GETKEYSANDFLAGS"] {
            let mut args = vec!["COMMAND", sub];
            args.extend_from_slice(req);
            let (want, got) = (ask(&mut r, &args), ask(&mut f, &args));
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want),
                "{sub} {req:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Commands refused at queue time inside MULTI
// ---------------------------------------------------------------------------------------

const DEBUG_REFUSED: &str = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n";
const EXECABORT: &[u8] = b"-EXECABORT Transaction discarded because of previous errors.\r\n";

#[test]
fn debug_is_refused_at_queue_time_when_disabled() {
    let srv = TestServer::start_with(&["--enable-debug-command", "no"]);
    let mut c = srv.raw();
    assert_eq!(ask(&mut c, &["MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(ask(&mut c, &["SET", "k", "v"]), b"+QUEUED\r\n".to_vec());
    let got = ask(&mut c, &["DEBUG", "RELOAD"]);
    assert_eq!(String::from_utf8_lossy(&got), DEBUG_REFUSED);
    assert_eq!(ask(&mut c, &["EXEC"]), EXECABORT.to_vec());
    assert_eq!(ask(&mut c, &["EXISTS", "k"]), b":0\r\n".to_vec());
    // Outside MULTI too, and before the arity of a subcommand matters.
    let got = ask(&mut c, &["DEBUG", "SLEEP"]);
    assert_eq!(String::from_utf8_lossy(&got), DEBUG_REFUSED);
    // Wrong arity of DEBUG itself is found first.
    let got = ask(&mut c, &["DEBUG"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "-ERR wrong number of arguments for 'debug' command\r\n"
    );
}

#[test]
fn debug_is_queued_when_enabled() {
    let srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.raw();
    assert_eq!(ask(&mut c, &["MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(
        ask(&mut c, &["DEBUG", "SLEEP", "0"]),
        b"+QUEUED\r\n".to_vec()
    );
    assert_eq!(ask(&mut c, &["DEBUG", "NOSUCH"]), b"+QUEUED\r\n".to_vec());
    let got = ask(&mut c, &["EXEC"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "*2\r\n+OK\r\n-ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP.\r\n"
    );
}

#[test]
fn queue_time_refusals_match_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let requests: &[&[&str]] = &[
        &["DEBUG", "RELOAD"],
        &["DEBUG", "SLEEP", "0"],
        &["WATCH", "x"],
        &["MULTI"],
        &["SAVE"],
        &["SYNC"],
        &["PSYNC", "?", "-1"],
        &["SHUTDOWN", "NOSAVE"],
        &["GET"],
        &["NOSUCHCMD", "a"],
        &["OBJECT", "NOSUCH"],
        &["CONFIG", "GET", "x", "y"],
        &["BLPOP", "l", "0"],
        &["BLMPOP", "0", "1", "l", "LEFT"],
        &["LMPOP", "0", "l", "LEFT"],
        &["UNWATCH"],
        &["SELECT", "1"],
        &["ECHO", "hi"],
    ];
    for req in requests {
        let mut r = redis.raw();
        let mut f = ours.raw();
        for conn in [&mut r, &mut f] {
            assert_eq!(ask(conn, &["MULTI"]), b"+OK\r\n".to_vec());
        }
        let (want, got) = (ask(&mut r, req), ask(&mut f, req));
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "queueing {req:?}"
        );
        let (want, got) = (ask(&mut r, &["EXEC"]), ask(&mut f, &["EXEC"]));
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "EXEC after {req:?}"
        );
    }
}

/// A real redis-server and a ferrodis, with a raw RESP3 connection to each; None
/// (after a SKIPPED line) when redis-server cannot start.
fn resp3_side_by_side() -> Option<(TestServer, TestServer, RawConn, RawConn)> {
    let redis = start_redis_server(&[])?;
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    for conn in [&mut r, &mut f] {
        ask(conn, &["HELLO", "3"]);
    }
    Some((redis, ours, r, f))
}

#[test]
fn command_info_bytes_match_redis_in_resp3() {
    skip_unless_tool!("redis-server");
    let Some((_redis, _ours, mut r, mut f)) = resp3_side_by_side() else {
        return;
    };
    for name in [
        "get",
        "set",
        "mset",
        "getex",
        "rename",
        "bitfield",
        "lmpop",
        "blmpop",
        "zunionstore",
        "zintercard",
        "sort",
        "sort_ro",
        "object|freq",
        "randomkey",
        "ping",
    ] {
        let args = ["COMMAND", "INFO", name];
        let (want, got) = (ask(&mut r, &args), ask(&mut f, &args));
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "COMMAND INFO {name}"
        );
    }
    for cmd in [
        &["SORT", "k", "STORE", "d"][..],
        &["LMPOP", "2x", "a", "b", "LEFT"],
        &["ZUNIONSTORE", "d", "2", "a", "b"],
    ] {
        let mut req = vec!["COMMAND", "GETKEYSANDFLAGS"];
        req.extend_from_slice(cmd);
        let (want, got) = (ask(&mut r, &req), ask(&mut f, &req));
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "{req:?}"
        );
    }
}

/// The value of `field` in a RESP2 map (a flat array of names and values).
fn map_field<'a>(map: &'a Resp, field: &str) -> Option<&'a Resp> {
    let Resp::Array(items) = map else {
        panic!("not a map: {map:?}")
    };
    items
        .chunks(2)
        .find(|pair| matches!(&pair[0], Resp::Text(name) if name == field))
        .map(|pair| &pair[1])
}

/// The COMMAND DOCS fields compared with Redis: since, group, doc flags, deprecation
/// and the arguments (the summaries are ferrodis's own words; history and
/// replaced_by, Redis's prose, are not served).
fn comparable_docs(conn: &mut RawConn, name: &str) -> Vec<(&'static str, Option<Resp>)> {
    let reply = parse(&ask(conn, &["COMMAND", "DOCS", name]));
    let docs = map_field(&reply, name).unwrap_or_else(|| panic!("COMMAND DOCS {name}: {reply:?}"));
    [
        "since",
        "group",
        "doc_flags",
        "deprecated_since",
        "arguments",
    ]
    .into_iter()
    .map(|field| (field, map_field(docs, field).cloned()))
    .collect()
}

#[test]
fn command_docs_match_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    let mut with_arguments = 0;
    let diffs = differences_over_common_commands(&mut r, &mut f, comparable_docs, |got| {
        with_arguments += usize::from(got[4].1.is_some());
    });
    assert!(
        diffs.is_empty(),
        "COMMAND DOCS differs:\n{}",
        diffs.join("\n")
    );
    assert!(
        with_arguments > 250,
        "only {with_arguments} commands have arguments"
    );
}

#[test]
fn command_docs_arguments_bytes_match_redis_in_resp3() {
    skip_unless_tool!("redis-server");
    let Some((_redis, _ours, mut r, mut f)) = resp3_side_by_side() else {
        return;
    };
    // Commands whose arguments are the last field of their docs: from there on the
    // two replies must be the same bytes (flags are RESP3 sets of simple strings).
    for name in [
        "set",
        "xadd",
        "sort",
        "migrate",
        "zadd",
        "bitfield",
        "georadius",
    ] {
        let args = ["COMMAND", "DOCS", name];
        let (want, got) = (ask(&mut r, &args), ask(&mut f, &args));
        let tail = |reply: &[u8]| {
            let at = reply
                .windows(13)
                .position(|w| w == b"\r\narguments\r\n")
                .unwrap_or_else(|| panic!("no arguments for {name}"));
            String::from_utf8_lossy(&reply[at..]).to_string()
        };
        assert_eq!(tail(&got), tail(&want), "COMMAND DOCS {name}");
    }
}

/// The first line of `redis-cli help <command>` against `port`: the command and its
/// arguments as redis-cli renders them from COMMAND DOCS.
fn redis_cli_help_line(port: u16, command: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .args(["-p", &port.to_string(), "help"])
        .args(command)
        .output()
        .expect("run redis-cli");
    assert!(out.status.success(), "redis-cli help {command:?} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_else(|| panic!("redis-cli help {command:?} printed nothing"))
        .to_string()
}

#[test]
fn redis_cli_help_shows_the_arguments_as_for_redis() {
    skip_unless_tool!("redis-cli");
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    for command in [
        &["set"][..],
        &["client", "kill"],
        &["xreadgroup"],
        &["zrangestore"],
        &["config", "set"],
    ] {
        let want = redis_cli_help_line(redis.port, command);
        // redis-cli prints the arguments in grey after the name: they are not empty.
        let params = want.split("\x1b[90m").nth(1).unwrap_or("");
        assert!(!params.starts_with('\x1b'), "no arguments in {want:?}");
        assert_eq!(
            redis_cli_help_line(ours.port, command),
            want,
            "help {command:?}"
        );
    }
}
