//! ACL (Redis 7.0) against the real binary: ACL SETUSER/GETUSER/LIST/USERS/DELUSER/CAT/
//! GENPASS/DRYRUN/LOG/LOAD/SAVE, every SETUSER rule and its errors, enforcement of
//! command, key, channel and selector permissions (top level, in MULTI/EXEC and in
//! scripts), AUTH and HELLO AUTH, requirepass as the default user's password, and users
//! declared in config files and ACL files.
//!
//! Every expected reply was captured from redis-server 7.0.15. `scripts_match_real_redis`
//! replays the scripted exchanges against an installed redis-server, and setting
//! `FERRODIS_ACL_TESTS_ON_REDIS=1` runs every test of this file against redis-server
//! instead of ferrodis, so the file proves its own expectations.
//!
//! Redis describes single-command rules in its command table's internal order, so the
//! exact rule strings asserted here have at most one single-command rule per selector;
//! longer ones are compared as sets of tokens.

mod common;

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use common::{
    ask, check, items, pairs, run_script, show, text, wait_until, RawConn, Script, TestServer,
};
use redis::Value;

/// Set (to anything) to run every test of this file against redis-server.
const ON_REDIS_VAR: &str = "FERRODIS_ACL_TESTS_ON_REDIS";

/// sha256("pw"), as ACL GETUSER and ACL LIST show a password set with `>pw`.
const PW_SHA: &str = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4";

/// Redis's NOPERM reply for a denied key.
const NOPERM_KEY: &[u8] =
    b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";
/// Redis's NOPERM reply for a denied channel.
const NOPERM_CHANNEL: &[u8] =
    b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n";
/// Redis's reply to a failed AUTH or HELLO AUTH, whatever the reason.
const WRONGPASS: &[u8] = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
/// Redis's reply to ACL LOAD and ACL SAVE when no `aclfile` is configured.
const NO_ACLFILE: &[u8] = b"-ERR This Redis instance is not configured to use an ACL file. \
You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE \
(assuming you have a Redis configuration file set) in order to store users in the Redis \
configuration.\r\n";

// ---------------------------------------------------------------------------------------
// Helpers

/// Whether this run targets redis-server instead of ferrodis.
fn on_redis() -> bool {
    std::env::var_os(ON_REDIS_VAR).is_some()
}

/// Starts the server under test with persistence off and then `args`.
fn start(args: &[&str]) -> TestServer {
    if on_redis() {
        return common::start_redis_server(args).expect("redis-server is installed");
    }
    TestServer::start_with(args)
}

/// Starts the server under test with `conf` as its config file (`redis.conf` in its dir).
fn start_conf(conf: &str, args: &[&str]) -> TestServer {
    if on_redis() {
        return common::start_redis_server_with_config(conf, args)
            .expect("redis-server is installed");
    }
    TestServer::start_with_config(conf, args)
}

/// The binary under test, for start-ups that are expected to fail.
fn server_command() -> Command {
    if on_redis() {
        Command::new("redis-server")
    } else {
        Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
    }
}

/// A connection switched to RESP3 (HELLO's reply names the server, so only its type and
/// `proto` field are checked).
fn resp3_conn(server: &TestServer) -> RawConn {
    let mut conn = server.raw();
    let hello = ask(&mut conn, &["HELLO", "3"]);
    assert_eq!(
        field(&parse(&hello), "proto"),
        &Value::Int(3),
        "{}",
        show(&hello)
    );
    conn
}

/// A connection authenticated as `user` with `pass`.
fn login(server: &TestServer, user: &str, pass: &str) -> RawConn {
    let mut conn = server.raw();
    check(&mut conn, &["AUTH", user, pass], b"+OK\r\n");
    conn
}

/// Runs `script` on a fresh server started with `args`, on a RESP3 connection if `resp3`.
fn run_case(args: &[&str], resp3: bool, script: Script) {
    let server = start(args);
    let mut conn = if resp3 {
        resp3_conn(&server)
    } else {
        server.raw()
    };
    run_script(&mut conn, script);
}

/// Parses one complete reply (not an error reply).
fn parse(reply: &[u8]) -> Value {
    assert!(!reply.starts_with(b"-"), "unexpected error {}", show(reply));
    redis::parse_redis_value(reply).unwrap_or_else(|e| panic!("parse {}: {e}", show(reply)))
}

/// The value of field `name` in a map or flat array of pairs.
fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    match v {
        Value::Map(m) => m.iter().find(|(k, _)| text(k) == name).map(|(_, v)| v),
        Value::Array(a) => a.chunks(2).find(|p| text(&p[0]) == name).map(|p| &p[1]),
        _ => None,
    }
    .unwrap_or_else(|| panic!("no field {name:?} in {v:?}"))
}

/// The strings of an array reply, as a set.
fn string_set(reply: &[u8]) -> BTreeSet<String> {
    items(&parse(reply)).iter().map(text).collect()
}

/// The lines of ACL LIST.
fn acl_list(conn: &mut RawConn) -> Vec<String> {
    items(&parse(&ask(conn, &["ACL", "LIST"])))
        .iter()
        .map(text)
        .collect()
}

/// One ACL LOG entry.
#[derive(Debug)]
struct LogEntry {
    count: i64,
    reason: String,
    context: String,
    object: String,
    username: String,
    age_seconds: f64,
    client_info: String,
}

/// The fields of an ACL LOG entry, in Redis's order.
const LOG_FIELDS: [&str; 7] = [
    "count",
    "reason",
    "context",
    "object",
    "username",
    "age-seconds",
    "client-info",
];

/// Runs `ACL LOG <args>` and returns its entries, newest first.
fn acl_log(conn: &mut RawConn, args: &[&str]) -> Vec<LogEntry> {
    let mut cmd = vec!["ACL", "LOG"];
    cmd.extend_from_slice(args);
    let reply = ask(conn, &cmd);
    items(&parse(&reply)).iter().map(log_entry).collect()
}

/// Decodes one ACL LOG entry (RESP2 flat array or RESP3 map), checking its field names.
fn log_entry(v: &Value) -> LogEntry {
    let fields = pairs(v);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, LOG_FIELDS, "ACL LOG entry fields");
    let count = match fields[0].1 {
        Value::Int(n) => *n,
        other => panic!("count is not an integer: {other:?}"),
    };
    let age_seconds = match fields[5].1 {
        Value::Double(d) => *d,
        other => text(other)
            .parse()
            .unwrap_or_else(|e| panic!("age-seconds {other:?} is not a double: {e}")),
    };
    LogEntry {
        count,
        reason: text(fields[1].1),
        context: text(fields[2].1),
        object: text(fields[3].1),
        username: text(fields[4].1),
        age_seconds,
        client_info: text(fields[6].1),
    }
}

/// Asserts an entry's reason, context, object, username and count, and that its age and
/// client description look like Redis's.
fn assert_entry(e: &LogEntry, reason: &str, context: &str, object: &str, user: &str, count: i64) {
    assert_eq!(
        (
            e.reason.as_str(),
            e.context.as_str(),
            e.object.as_str(),
            e.username.as_str(),
            e.count
        ),
        (reason, context, object, user, count),
        "{e:?}"
    );
    assert!((0.0..60.0).contains(&e.age_seconds), "{e:?}");
    assert!(e.client_info.starts_with("id="), "{e:?}");
}

/// Whether a server on loopback `port` answers PING right now. (A listening socket alone
/// proves nothing: Redis binds before it validates its ACL configuration.)
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut reply = [0u8; 16];
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .is_ok()
        && stream.write_all(b"PING\r\n").is_ok()
        && matches!(stream.read(&mut reply), Ok(n) if reply[..n].starts_with(b"+PONG"))
}

/// Runs the server under test on config `conf` (a file in a new temp dir) and waits for
/// it to exit, panicking if it answers PING instead; returns its exit status and what it
/// printed.
fn startup_output(conf: &str) -> (ExitStatus, String) {
    let dir = tempfile::tempdir().unwrap();
    let conf_path = dir.path().join("bad.conf");
    fs::write(&conf_path, conf).unwrap();
    let log_path = dir.path().join("out.log");
    let log = File::create(&log_path).unwrap();
    let port = common::free_port();
    let mut child = server_command()
        .arg(&conf_path)
        .arg("--port")
        .arg(port.to_string())
        .arg("--bind")
        .arg("127.0.0.1")
        .arg("--dir")
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("run the server");
    let mut status = None;
    let mut serving = false;
    let ended = wait_until(common::STARTUP_TIMEOUT, || {
        status = child.try_wait().expect("poll the server");
        serving = status.is_none() && answers_ping(port);
        status.is_some() || serving
    });
    if !ended || serving {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the server started with config {conf:?}\n{}",
            fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    let output = fs::read_to_string(&log_path).unwrap_or_default();
    (status.unwrap(), output)
}

// ---------------------------------------------------------------------------------------
// Users: SETUSER, GETUSER, LIST, USERS, WHOAMI, DELUSER

const FRESH_SERVER: Script = &[
    (&["acl", "whoami"], b"$7\r\ndefault\r\n"),
    (&["acl", "users"], b"*1\r\n$7\r\ndefault\r\n"),
    (&["acl", "list"], b"*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"),
    (&["acl", "getuser", "default"], b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "getuser", "nobody"], b"$-1\r\n"),
    (&["acl", "setuser", "alice"], b"+OK\r\n"),
    (&["acl", "getuser", "alice"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "list"], b"*2\r\n$34\r\nuser alice off resetchannels -@all\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"),
    (&["acl", "users"], b"*2\r\n$5\r\nalice\r\n$7\r\ndefault\r\n"),
];

/// A fresh server has only `default` (on, nopass, all keys, channels and commands); a
/// user created with no rules is off with no permissions, and GETUSER of an unknown user
/// is a null.
#[test]
fn fresh_server_has_only_the_default_user() {
    run_case(&[], false, FRESH_SERVER);
}

const USERS_AND_DELUSER: Script = &[
    (&["acl", "setuser", "zed"], b"+OK\r\n"),
    (&["acl", "setuser", "alice"], b"+OK\r\n"),
    (&["acl", "setuser", "Bob"], b"+OK\r\n"),
    (&["acl", "setuser", "_x"], b"+OK\r\n"),
    (&["acl", "setuser", "9"], b"+OK\r\n"),
    (
        &["acl", "users"],
        b"*6\r\n$1\r\n9\r\n$3\r\nBob\r\n$2\r\n_x\r\n$5\r\nalice\r\n$7\r\ndefault\r\n$3\r\nzed\r\n",
    ),
    (&["acl", "getuser", "bob"], b"$-1\r\n"),
    (&["acl", "deluser", "zed", "_x", "nosuch", "zed"], b":2\r\n"),
    (&["acl", "deluser", "nosuch"], b":0\r\n"),
    (
        &["acl", "deluser", "default"],
        b"-ERR The 'default' user cannot be removed\r\n",
    ),
    (
        &["acl", "deluser", "9", "default"],
        b"-ERR The 'default' user cannot be removed\r\n",
    ),
    (
        &["acl", "users"],
        b"*4\r\n$1\r\n9\r\n$3\r\nBob\r\n$5\r\nalice\r\n$7\r\ndefault\r\n",
    ),
    (
        &["acl", "setuser", "a b"],
        b"-ERR Usernames can't contain spaces or null characters\r\n",
    ),
];

/// ACL USERS sorts names bytewise (case-sensitive); DELUSER counts the users it removed,
/// ignores unknown and repeated names, and refuses 'default' (removing nothing).
#[test]
fn users_are_sorted_and_deluser_counts_and_protects_default() {
    run_case(&[], false, USERS_AND_DELUSER);
}

const GETUSER_RESP2: Script = &[
    (&["acl", "setuser", "alice", "on", ">pw1", ">pw2", "~cache:*", "%R~ro:*", "%W~wo:*", "&news.*", "+@hash", "+get"], b"+OK\r\n"),
    (&["acl", "getuser", "alice"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*2\r\n$64\r\nc592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8\r\n$64\r\n93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0\r\n$8\r\ncommands\r\n$17\r\n-@all +@hash +get\r\n$4\r\nkeys\r\n$24\r\n~cache:* %R~ro:* %W~wo:*\r\n$8\r\nchannels\r\n$7\r\n&news.*\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "bob", "on", "nopass", "(~sel:* +set)", "(%R~x*", "+@string)"], b"+OK\r\n"),
    (&["acl", "getuser", "bob"], b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*2\r\n*6\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$6\r\n~sel:*\r\n$8\r\nchannels\r\n$0\r\n\r\n*6\r\n$8\r\ncommands\r\n$14\r\n-@all +@string\r\n$4\r\nkeys\r\n$5\r\n%R~x*\r\n$8\r\nchannels\r\n$0\r\n\r\n"),
    (&["acl", "getuser", "nobody"], b"$-1\r\n"),
];

/// GETUSER's RESP2 shape: flags, sha256 password hashes in the order added, command
/// rules, key patterns with %R~/%W~, channels and selectors as nested flat maps.
#[test]
fn getuser_resp2_shape() {
    run_case(&[], false, GETUSER_RESP2);
}

const GETUSER_RESP3: Script = &[
    (&["acl", "getuser", "default"], b"%6\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "alice", "on", ">pw1", ">pw2", "~cache:*", "%R~ro:*", "%W~wo:*", "&news.*", "+@hash", "+get"], b"+OK\r\n"),
    (&["acl", "getuser", "alice"], b"%6\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$9\r\npasswords\r\n*2\r\n$64\r\nc592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8\r\n$64\r\n93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0\r\n$8\r\ncommands\r\n$17\r\n-@all +@hash +get\r\n$4\r\nkeys\r\n$24\r\n~cache:* %R~ro:* %W~wo:*\r\n$8\r\nchannels\r\n$7\r\n&news.*\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "bob", "on", "nopass", "(~sel:* +set)", "(%R~x*", "+@string)"], b"+OK\r\n"),
    (&["acl", "getuser", "bob"], b"%6\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*2\r\n%3\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$6\r\n~sel:*\r\n$8\r\nchannels\r\n$0\r\n\r\n%3\r\n$8\r\ncommands\r\n$14\r\n-@all +@string\r\n$4\r\nkeys\r\n$5\r\n%R~x*\r\n$8\r\nchannels\r\n$0\r\n\r\n"),
    (&["acl", "getuser", "nobody"], b"_\r\n"),
];

/// GETUSER in RESP3: a map whose flags are a set and whose selectors are maps; an unknown
/// user is the RESP3 null.
#[test]
fn getuser_resp3_shape() {
    run_case(&[], true, GETUSER_RESP3);
}

/// ACL WHOAMI names the connection's user after AUTH; deleting a user closes the
/// connections authenticated as it (the deleting connection too, after its reply) and
/// leaves the others open.
#[test]
fn deluser_closes_the_deleted_users_connections() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &["ACL", "SETUSER", "gone", "on", "nopass", "~*", "+@all"],
        b"+OK\r\n",
    );
    let mut victim = login(&server, "gone", "x");
    check(&mut victim, &["ACL", "WHOAMI"], b"$4\r\ngone\r\n");
    let mut bystander = server.raw();
    check(&mut bystander, &["PING"], b"+PONG\r\n");
    check(&mut admin, &["ACL", "DELUSER", "gone"], b":1\r\n");
    victim.expect_closed();
    check(&mut bystander, &["PING"], b"+PONG\r\n");
    check(&mut admin, &["ACL", "WHOAMI"], b"$7\r\ndefault\r\n");

    check(
        &mut admin,
        &["ACL", "SETUSER", "me", "on", "nopass", "~*", "+@all"],
        b"+OK\r\n",
    );
    let mut me = login(&server, "me", "x");
    check(&mut me, &["ACL", "DELUSER", "me"], b":1\r\n");
    me.expect_closed();
    check(
        &mut bystander,
        &["ACL", "USERS"],
        b"*1\r\n$7\r\ndefault\r\n",
    );
}

// ---------------------------------------------------------------------------------------
// SETUSER rules and errors

const PASSWORD_RULES: Script = &[
    (&["acl", "setuser", "r1", "on", ">a", ">b", "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "nopass"], b"+OK\r\n"),
    (&["acl", "getuser", "r1"], b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "r1", "resetpass", "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", ">a"], b"+OK\r\n"),
    (&["acl", "getuser", "r1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*2\r\n$64\r\n30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\r\n$64\r\nca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "r1", ">a"], b"+OK\r\n"),
    (&["acl", "setuser", "r1", "<a"], b"+OK\r\n"),
    (&["acl", "setuser", "r1", "!30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"], b"+OK\r\n"),
    (&["acl", "getuser", "r1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "r1", "<a"], b"-ERR Error in ACL SETUSER modifier '<a': The password you are trying to remove from the user does not exist\r\n"),
    (&["acl", "setuser", "r1", "!30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"], b"-ERR Error in ACL SETUSER modifier '!30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4': The password you are trying to remove from the user does not exist\r\n"),
    (&["acl", "setuser", "r1", "#abc"], b"-ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters\r\n"),
    (&["acl", "setuser", "r1", "!abc"], b"-ERR Error in ACL SETUSER modifier '!abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters\r\n"),
    (&["acl", "setuser", "r1", "#30C952FAB122C3F9759F02A6D95C3758B246B4FEE239957B2D4FEE46E26170C4"], b"-ERR Error in ACL SETUSER modifier '#30C952FAB122C3F9759F02A6D95C3758B246B4FEE239957B2D4FEE46E26170C4': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters\r\n"),
    (&["acl", "setuser", "r1", ">pw", "off"], b"+OK\r\n"),
    (&["acl", "list"], b"*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$97\r\nuser r1 off #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 resetchannels -@all\r\n"),
];

/// Password rules: nopass clears the passwords, resetpass clears nopass and passwords,
/// #hash and >pass add (no duplicates), <pass and !hash remove, removing a missing one
/// or giving a malformed hash (short, uppercase) is an error.
#[test]
fn password_rules() {
    run_case(&[], false, PASSWORD_RULES);
}

const KEY_AND_CHANNEL_RULES: Script = &[
    (&["acl", "setuser", "k1", "~a", "~a", "&b", "&b"], b"+OK\r\n"),
    (&["acl", "getuser", "k1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$2\r\n~a\r\n$8\r\nchannels\r\n$2\r\n&b\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "k1", "allkeys"], b"+OK\r\n"),
    (&["acl", "setuser", "k1", "~x"], b"-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns\r\n"),
    (&["acl", "setuser", "k1", "resetkeys", "~x", "%R~r*", "%W~w*", "%RW~rw*"], b"+OK\r\n"),
    (&["acl", "setuser", "k1", "%X~x"], b"-ERR Error in ACL SETUSER modifier '%X~x': Syntax error\r\n"),
    (&["acl", "setuser", "k1", "%~x"], b"-ERR Error in ACL SETUSER modifier '%~x': Syntax error\r\n"),
    (&["acl", "setuser", "k1", "allchannels"], b"+OK\r\n"),
    (&["acl", "setuser", "k1", "&c"], b"-ERR Error in ACL SETUSER modifier '&c': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels\r\n"),
    (&["acl", "setuser", "k1", "resetchannels", "&c"], b"+OK\r\n"),
    (&["acl", "getuser", "k1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$19\r\n~x %R~r* %W~w* ~rw*\r\n$8\r\nchannels\r\n$2\r\n&c\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "list"], b"*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$54\r\nuser k1 off ~x %R~r* %W~w* ~rw* resetchannels &c -@all\r\n"),
    (&["acl", "setuser", "k2", "~x", "allkeys", "&y", "allchannels"], b"+OK\r\n"),
    (&["acl", "list"], b"*3\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$54\r\nuser k1 off ~x %R~r* %W~w* ~rw* resetchannels &c -@all\r\n$23\r\nuser k2 off ~* &* -@all\r\n"),
];

/// Key and channel rules: duplicates are dropped, allkeys/allchannels are `~*`/`&*` and
/// refuse later patterns until resetkeys/resetchannels, %RW~ shows as ~, and %-flags
/// other than R/W are syntax errors.
#[test]
fn key_and_channel_rules() {
    run_case(&[], false, KEY_AND_CHANNEL_RULES);
}

const COMMAND_RULES: Script = &[
    (&["acl", "setuser", "c1", "+get", "-get", "+set"], b"+OK\r\n"),
    (&["acl", "getuser", "c1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c1", "nocommands", "+@string", "-@string"], b"+OK\r\n"),
    (&["acl", "getuser", "c1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c2", "+@all", "-@dangerous"], b"+OK\r\n"),
    (&["acl", "getuser", "c2"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$17\r\n+@all -@dangerous\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c3", "+config|get"], b"+OK\r\n"),
    (&["acl", "getuser", "c3"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$17\r\n-@all +config|get\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c4", "+select|0"], b"+OK\r\n"),
    (&["acl", "getuser", "c4"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$15\r\n-@all +select|0\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c5", "+@all", "-config|set"], b"+OK\r\n"),
    (&["acl", "getuser", "c5"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$17\r\n+@all -config|set\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c6", "+config", "-config|set"], b"+OK\r\n"),
    (&["acl", "getuser", "c6"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$25\r\n-@all +config -config|set\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c7", "+config|get", "+config"], b"+OK\r\n"),
    (&["acl", "getuser", "c7"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$13\r\n-@all +config\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c8", "allcommands"], b"+OK\r\n"),
    (&["acl", "getuser", "c8"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c8", "nocommands"], b"+OK\r\n"),
    (&["acl", "getuser", "c8"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c9", "+GET", "+@STRING"], b"+OK\r\n"),
    (&["acl", "getuser", "c9"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$14\r\n-@all +@string\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "c10", "on", ">pw", "~k", "&c", "+@all", "reset"], b"+OK\r\n"),
    (&["acl", "getuser", "c10"], b"*12\r\n$5\r\nflags\r\n*2\r\n$3\r\noff\r\n$16\r\nsanitize-payload\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "list"], b"*11\r\n$31\r\nuser c1 off resetchannels -@all\r\n$49\r\nuser c10 off sanitize-payload resetchannels -@all\r\n$43\r\nuser c2 off resetchannels +@all -@dangerous\r\n$43\r\nuser c3 off resetchannels -@all +config|get\r\n$41\r\nuser c4 off resetchannels -@all +select|0\r\n$43\r\nuser c5 off resetchannels +@all -config|set\r\n$51\r\nuser c6 off resetchannels -@all +config -config|set\r\n$39\r\nuser c7 off resetchannels -@all +config\r\n$31\r\nuser c8 off resetchannels -@all\r\n$40\r\nuser c9 off resetchannels -@all +@string\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"),
];

/// Command rules: +cmd/-cmd, categories, +cmd|sub, the +select|0 first-arg form,
/// allcommands/nocommands, case-insensitive names, and `reset` (off, sanitize-payload,
/// no passwords, keys, channels or commands), as GETUSER and LIST describe them.
#[test]
fn command_rules() {
    run_case(&[], false, COMMAND_RULES);
}

const SETUSER_ERRORS: Script = &[
    (&["acl", "setuser", "e1", "bogus"], b"-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n"),
    (&["acl", "setuser", "e1", "+nosuchcmd"], b"-ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "+@nosuchcat"], b"-ERR Error in ACL SETUSER modifier '+@nosuchcat': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "-@nosuchcat"], b"-ERR Error in ACL SETUSER modifier '-@nosuchcat': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "+config|nosuch"], b"-ERR Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "-select|0"], b"-ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "+select|0|1"], b"-ERR Error in ACL SETUSER modifier '+select|0|1': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "+@all|x"], b"-ERR Error in ACL SETUSER modifier '+@all|x': Unknown command or category name in ACL\r\n"),
    (&["acl", "setuser", "e1", "+get|"], b"-ERR Error in ACL SETUSER modifier '+get|': Syntax error\r\n"),
    (&["acl", "setuser", "e1", "clearselectors("], b"-ERR Error in ACL SETUSER modifier 'clearselectors(': Syntax error\r\n"),
    (&["acl", "setuser", "e1", "(bogus)"], b"-ERR Error in ACL SETUSER modifier '(bogus)': Syntax error\r\n"),
    (&["acl", "setuser", "e1", "(~x"], b"-ERR Unmatched parenthesis in acl selector starting at '(~x'.\r\n"),
    (&["acl", "setuser", "e1", "(~x", "+get"], b"-ERR Unmatched parenthesis in acl selector starting at '(~x'.\r\n"),
    (&["acl", "users"], b"*1\r\n$7\r\ndefault\r\n"),
];

/// Every SETUSER error text: unknown rule, command, category or subcommand, a first-arg
/// removal, a malformed selector, and an unmatched parenthesis (in one argument or
/// across several). None of them creates the user.
#[test]
fn setuser_error_texts() {
    run_case(&[], false, SETUSER_ERRORS);
}

const SELECTOR_RULES: Script = &[
    (&["acl", "setuser", "s1", "(~a* +get)", "(~b*", "+set)"], b"+OK\r\n"),
    (&["acl", "getuser", "s1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*2\r\n*6\r\n$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$3\r\n~a*\r\n$8\r\nchannels\r\n$0\r\n\r\n*6\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$3\r\n~b*\r\n$8\r\nchannels\r\n$0\r\n\r\n"),
    (&["acl", "list"], b"*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$93\r\nuser s1 off resetchannels -@all (~a* resetchannels -@all +get) (~b* resetchannels -@all +set)\r\n"),
    (&["acl", "setuser", "s1", "(", "%R~c*", "+@string", ")"], b"+OK\r\n"),
    (&["acl", "list"], b"*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$130\r\nuser s1 off resetchannels -@all (~a* resetchannels -@all +get) (~b* resetchannels -@all +set) (%R~c* resetchannels -@all +@string)\r\n"),
    (&["acl", "setuser", "s1", "clearselectors"], b"+OK\r\n"),
    (&["acl", "getuser", "s1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "s1", "(~x"], b"-ERR Unmatched parenthesis in acl selector starting at '(~x'.\r\n"),
    (&["acl", "getuser", "s1"], b"*12\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
];

/// Selectors given in one argument or split across arguments (even bare "(" and ")"),
/// as GETUSER and LIST describe them; clearselectors removes them all; an unmatched
/// parenthesis adds nothing.
#[test]
fn selector_rules() {
    run_case(&[], false, SELECTOR_RULES);
}

const ATOMIC_SETUSER: Script = &[
    (&["acl", "setuser", "fresh", "on", ">pw", "<nope"], b"-ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist\r\n"),
    (&["acl", "getuser", "fresh"], b"$-1\r\n"),
    (&["acl", "setuser", "u", "on", ">p", "~k*", "+get"], b"+OK\r\n"),
    (&["acl", "setuser", "u", "off", "+@all", ">zzz", "resetkeys", "bogus"], b"-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n"),
    (&["acl", "getuser", "u"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940\r\n$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$3\r\n~k*\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "setuser", "u", "on", "(~x", "+set"], b"-ERR Unmatched parenthesis in acl selector starting at '(~x'.\r\n"),
    (&["acl", "getuser", "u"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940\r\n$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$3\r\n~k*\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
];

/// A SETUSER with an error anywhere changes nothing: a new user is not created and an
/// existing one keeps its flags, passwords, keys and commands.
#[test]
fn setuser_is_atomic() {
    run_case(&[], false, ATOMIC_SETUSER);
}

const ACL_LIST_RULES: Script = &[
    (&["acl", "setuser", "u1", "on", ">p", "+@all", "-@dangerous", "~*"], b"+OK\r\n"),
    (&["acl", "setuser", "u2", "on", ">p", "-@all", "+get", "~k*"], b"+OK\r\n"),
    (&["acl", "setuser", "u3", "on", "nopass", "%R~r:*", "%W~w:*", "%RW~b:*", "&chan:*", "+@read"], b"+OK\r\n"),
    (&["acl", "setuser", "u4", "reset", "allchannels"], b"+OK\r\n"),
    (&["acl", "list"], b"*5\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$111\r\nuser u1 on #148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 ~* resetchannels +@all -@dangerous\r\n$105\r\nuser u2 on #148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 ~k* resetchannels -@all +get\r\n$71\r\nuser u3 on nopass %R~r:* %W~w:* ~b:* resetchannels &chan:* -@all +@read\r\n$37\r\nuser u4 off sanitize-payload &* -@all\r\n"),
];

/// ACL LIST's rule descriptions: +@all -@dangerous, -@all +get, %R~/%W~/~ patterns with
/// channels, and a reset user with allchannels; several single-command rules are
/// compared as a set, since Redis orders them by its internal command table.
#[test]
fn acl_list_describes_rules_like_redis() {
    let server = start(&[]);
    let mut conn = server.raw();
    run_script(&mut conn, ACL_LIST_RULES);
    check(
        &mut conn,
        &[
            "ACL", "SETUSER", "u5", "on", ">pw", "-@all", "+get", "+set", "+del", "~k*",
        ],
        b"+OK\r\n",
    );
    let line = acl_list(&mut conn)
        .into_iter()
        .find(|l| l.starts_with("user u5 "))
        .expect("u5 in ACL LIST");
    let head = format!("user u5 on #{PW_SHA} ~k* resetchannels -@all ");
    let rest = line
        .strip_prefix(&head)
        .unwrap_or_else(|| panic!("{line:?} does not start with {head:?}"));
    let rules: BTreeSet<&str> = rest.split(' ').collect();
    assert_eq!(rules, BTreeSet::from(["+get", "+set", "+del"]), "{line:?}");
}

// ---------------------------------------------------------------------------------------
// CAT, GENPASS, HELP and argument errors

const CATEGORIES: Script = &[
    (&["acl", "cat"], b"*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n$5\r\nwrite\r\n$3\r\nset\r\n$9\r\nsortedset\r\n$4\r\nlist\r\n$4\r\nhash\r\n$6\r\nstring\r\n$6\r\nbitmap\r\n$11\r\nhyperloglog\r\n$3\r\ngeo\r\n$6\r\nstream\r\n$6\r\npubsub\r\n$5\r\nadmin\r\n$4\r\nfast\r\n$4\r\nslow\r\n$8\r\nblocking\r\n$9\r\ndangerous\r\n$10\r\nconnection\r\n$11\r\ntransaction\r\n$9\r\nscripting\r\n"),
];

/// ACL CAT lists Redis's 21 categories in its order; ACL CAT <category> (any case)
/// lists its commands and subcommands as `cmd|sub`.
#[test]
fn acl_cat_lists_categories_and_their_commands() {
    let server = start(&[]);
    let mut conn = server.raw();
    run_script(&mut conn, CATEGORIES);
    let string = string_set(&ask(&mut conn, &["ACL", "CAT", "string"]));
    for name in ["get", "set", "append", "mget", "incr", "getrange"] {
        assert!(string.contains(name), "{name} is in @string: {string:?}");
    }
    assert!(
        !string.contains("hset") && !string.contains("del"),
        "{string:?}"
    );
    assert_eq!(
        string_set(&ask(&mut conn, &["ACL", "CAT", "STRING"])),
        string
    );
    let dangerous = string_set(&ask(&mut conn, &["ACL", "CAT", "dangerous"]));
    for name in ["flushall", "keys", "config|set", "debug", "acl|setuser"] {
        assert!(
            dangerous.contains(name),
            "{name} is in @dangerous: {dangerous:?}"
        );
    }
    assert!(!dangerous.contains("get") && !dangerous.contains("ping"));
    let connection = string_set(&ask(&mut conn, &["ACL", "CAT", "connection"]));
    for name in ["ping", "auth", "hello", "select", "client|setname"] {
        assert!(
            connection.contains(name),
            "{name} is in @connection: {connection:?}"
        );
    }
}

/// ACL GENPASS: 64 lowercase hex characters by default (256 bits), a new one each time,
/// and ceil(bits / 4) characters for a bits argument from 1 to 4096.
#[test]
fn genpass_lengths() {
    let server = start(&[]);
    let mut conn = server.raw();
    let first = text(&parse(&ask(&mut conn, &["ACL", "GENPASS"])));
    let second = text(&parse(&ask(&mut conn, &["ACL", "GENPASS"])));
    for pass in [&first, &second] {
        assert_eq!(pass.len(), 64, "{pass}");
        assert!(
            pass.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{pass}"
        );
    }
    assert_ne!(first, second);
    for (bits, len) in [
        ("1", 1),
        ("4", 1),
        ("5", 2),
        ("8", 2),
        ("9", 3),
        ("255", 64),
        ("4096", 1024),
    ] {
        let pass = text(&parse(&ask(&mut conn, &["ACL", "GENPASS", bits])));
        assert_eq!(pass.len(), len, "ACL GENPASS {bits}: {pass}");
    }
}

/// ACL HELP's first line and size.
#[test]
fn acl_help() {
    let server = start(&[]);
    let help = ask(&mut server.raw(), &["ACL", "HELP"]);
    let first = b"*29\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n";
    assert!(help.starts_with(first), "{}", show(&help));
    let lines: Vec<String> = items(&parse(&help)).iter().map(text).collect();
    assert!(lines.contains(&"WHOAMI".to_string()), "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("    Prints this help.")
    );
}

const MISC_ERRORS: Script = &[
    (&["acl"], b"-ERR wrong number of arguments for 'acl' command\r\n"),
    (&["acl", "foo"], b"-ERR unknown subcommand 'foo'. Try ACL HELP.\r\n"),
    (&["acl", "cat", "nosuch"], b"-ERR Unknown category 'nosuch'\r\n"),
    (&["acl", "cat", "a", "b"], b"-ERR unknown subcommand or wrong number of arguments for 'cat'. Try ACL HELP.\r\n"),
    (&["acl", "genpass", "0"], b"-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n"),
    (&["acl", "genpass", "5000"], b"-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n"),
    (&["acl", "genpass", "4097"], b"-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n"),
    (&["acl", "genpass", "-1"], b"-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n"),
    (&["acl", "genpass", "abc"], b"-ERR value is not an integer or out of range\r\n"),
    (&["acl", "genpass", "1", "2"], b"-ERR unknown subcommand or wrong number of arguments for 'genpass'. Try ACL HELP.\r\n"),
    (&["acl", "deluser"], b"-ERR wrong number of arguments for 'acl|deluser' command\r\n"),
    (&["acl", "whoami", "extra"], b"-ERR wrong number of arguments for 'acl|whoami' command\r\n"),
    (&["acl", "users", "x"], b"-ERR wrong number of arguments for 'acl|users' command\r\n"),
    (&["acl", "list", "x"], b"-ERR wrong number of arguments for 'acl|list' command\r\n"),
    (&["acl", "getuser"], b"-ERR wrong number of arguments for 'acl|getuser' command\r\n"),
    (&["acl", "setuser"], b"-ERR wrong number of arguments for 'acl|setuser' command\r\n"),
    (&["acl", "log", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["acl", "log", "reset", "x"], b"-ERR unknown subcommand or wrong number of arguments for 'log'. Try ACL HELP.\r\n"),
    (&["acl", "dryrun", "u"], b"-ERR wrong number of arguments for 'acl|dryrun' command\r\n"),
];

/// Argument errors: the ACL command's and each subcommand's arity, the unknown
/// subcommand, unknown category, GENPASS's range and ACL LOG's count.
#[test]
fn acl_argument_errors() {
    run_case(&[], false, MISC_ERRORS);
}

// ---------------------------------------------------------------------------------------
// Authentication and enforcement

const AUTH_AND_NOPERM: Script = &[
    (
        &[
            "acl",
            "setuser",
            "ann",
            "on",
            ">secret",
            "~k*",
            "&news.*",
            "+get",
            "+set",
            "+acl|whoami",
            "+publish",
            "+subscribe",
            "+psubscribe",
        ],
        b"+OK\r\n",
    ),
    (&["set", "kx", "1"], b"+OK\r\n"),
    (&["set", "other", "1"], b"+OK\r\n"),
    (
        &["auth", "ann", "wrong"],
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    ),
    (
        &["auth", "nobody", "secret"],
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    ),
    (
        &["acl", "setuser", "off1", "off", ">pw", "+@all"],
        b"+OK\r\n",
    ),
    (
        &["auth", "off1", "pw"],
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    ),
    (&["acl", "setuser", "nopw", "on", "+@all"], b"+OK\r\n"),
    (
        &["auth", "nopw", ""],
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    ),
    (
        &["auth", "nopw", "x"],
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    ),
    (&["acl", "setuser", "np", "on", "nopass"], b"+OK\r\n"),
    (&["auth", "np", "anything"], b"+OK\r\n"),
    (
        &["acl", "whoami"],
        b"-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n",
    ),
    (&["auth", "ann", "secret"], b"+OK\r\n"),
    (&["acl", "whoami"], b"$3\r\nann\r\n"),
    (&["get", "kx"], b"$1\r\n1\r\n"),
    (
        &["get", "other"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (
        &["del", "kx"],
        b"-NOPERM this user has no permissions to run the 'del' command\r\n",
    ),
    (
        &["mget", "kx"],
        b"-NOPERM this user has no permissions to run the 'mget' command\r\n",
    ),
    (
        &["acl", "list"],
        b"-NOPERM this user has no permissions to run the 'acl|list' command\r\n",
    ),
    (&["publish", "news.x", "m"], b":0\r\n"),
    (
        &["publish", "other", "m"],
        b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
    ),
    (
        &["subscribe", "other"],
        b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
    ),
    (
        &["psubscribe", "news.x*"],
        b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
    ),
    (&["auth", "default", "whatever"], b"+OK\r\n"),
    (&["acl", "whoami"], b"$7\r\ndefault\r\n"),
];

/// AUTH as users (wrong password, unknown, disabled and password-less users all get
/// WRONGPASS; a nopass user accepts anything; AUTH works even for a user with no
/// commands), then the NOPERM texts for a denied command, subcommand, key and channel.
#[test]
fn auth_and_noperm_texts() {
    run_case(&[], false, AUTH_AND_NOPERM);
}

/// HELLO 3 AUTH switches user and protocol; with a wrong password it answers WRONGPASS
/// and leaves both unchanged.
#[test]
fn hello_auth_switches_user() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &["ACL", "SETUSER", "ann", "on", ">secret", "~*", "+@all"],
        b"+OK\r\n",
    );
    let mut conn = server.raw();
    check(&mut conn, &["HELLO", "3", "AUTH", "ann", "bad"], WRONGPASS);
    check(
        &mut conn,
        &["HELLO", "3", "AUTH", "nobody", "bad"],
        WRONGPASS,
    );
    check(&mut conn, &["ACL", "WHOAMI"], b"$7\r\ndefault\r\n");
    check(&mut conn, &["ACL", "GETUSER", "nobody"], b"$-1\r\n");
    let hello = ask(&mut conn, &["HELLO", "3", "AUTH", "ann", "secret"]);
    assert_eq!(
        field(&parse(&hello), "proto"),
        &Value::Int(3),
        "{}",
        show(&hello)
    );
    check(&mut conn, &["ACL", "WHOAMI"], b"$3\r\nann\r\n");
    check(&mut conn, &["ACL", "GETUSER", "nobody"], b"_\r\n");
    check(
        &mut conn,
        &["HELLO", "3", "AUTH", "ann"],
        b"-ERR Syntax error in HELLO option 'AUTH'\r\n",
    );
}

const PUBSUB_DEFAULT: Script = &[
    (&["config", "get", "acl-pubsub-default"], b"*2\r\n$18\r\nacl-pubsub-default\r\n$13\r\nresetchannels\r\n"),
    (&["acl", "setuser", "p1", "on", "nopass", "~*", "+@all"], b"+OK\r\n"),
    (&["acl", "getuser", "p1"], b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["config", "set", "acl-pubsub-default", "allchannels"], b"+OK\r\n"),
    (&["acl", "setuser", "p2", "on", "nopass", "~*", "+@all"], b"+OK\r\n"),
    (&["acl", "setuser", "p3", "reset"], b"+OK\r\n"),
    (&["acl", "list"], b"*4\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$40\r\nuser p1 on nopass ~* resetchannels +@all\r\n$29\r\nuser p2 on nopass ~* &* +@all\r\n$37\r\nuser p3 off sanitize-payload &* -@all\r\n"),
    (&["auth", "p1", "x"], b"+OK\r\n"),
    (&["publish", "c", "m"], b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"),
    (&["auth", "p2", "x"], b"+OK\r\n"),
    (&["publish", "c", "m"], b":0\r\n"),
];

/// New users get acl-pubsub-default (resetchannels in 7.0), so PUBLISH is denied even
/// with +@all ~*; after CONFIG SET acl-pubsub-default allchannels new users and `reset`
/// get &*.
#[test]
fn new_users_get_acl_pubsub_default() {
    run_case(&[], false, PUBSUB_DEFAULT);
}

const READ_WRITE_KEYS: Script = &[
    (
        &[
            "acl", "setuser", "rw", "on", "nopass", "%R~r:*", "%W~w:*", "~b:*", "+get", "+set",
            "+copy",
        ],
        b"+OK\r\n",
    ),
    (&["set", "r:1", "a"], b"+OK\r\n"),
    (&["set", "w:1", "b"], b"+OK\r\n"),
    (&["auth", "rw", "x"], b"+OK\r\n"),
    (&["get", "r:1"], b"$1\r\na\r\n"),
    (
        &["set", "r:1", "z"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (
        &["get", "w:1"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (&["set", "w:1", "z"], b"+OK\r\n"),
    (
        &["copy", "w:1", "r:2"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (&["copy", "r:1", "w:2"], b":1\r\n"),
    (&["set", "b:1", "x"], b"+OK\r\n"),
    (&["get", "b:1"], b"$1\r\nx\r\n"),
];

/// %R~ allows reading but not writing, %W~ writing but not reading, ~ both; COPY needs
/// read on its source and write on its destination.
#[test]
fn read_and_write_key_permissions() {
    run_case(&[], false, READ_WRITE_KEYS);
}

const SUBCOMMANDS_AND_FIRST_ARG: Script = &[
    (
        &[
            "acl",
            "setuser",
            "sc",
            "on",
            "nopass",
            "+config|get",
            "+select|0",
            "+client",
            "-client|kill",
        ],
        b"+OK\r\n",
    ),
    (&["auth", "sc", "x"], b"+OK\r\n"),
    (
        &["config", "get", "maxmemory"],
        b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
    ),
    (
        &["config", "set", "maxmemory", "1"],
        b"-NOPERM this user has no permissions to run the 'config|set' command\r\n",
    ),
    (
        &["config", "resetstat"],
        b"-NOPERM this user has no permissions to run the 'config|resetstat' command\r\n",
    ),
    (&["select", "0"], b"+OK\r\n"),
    (
        &["select", "1"],
        b"-NOPERM this user has no permissions to run the 'select' command\r\n",
    ),
    (
        &["client", "kill", "user", "nobody"],
        b"-NOPERM this user has no permissions to run the 'client|kill' command\r\n",
    ),
    (&["client", "getname"], b"$-1\r\n"),
];

/// +config|get allows CONFIG GET only (CONFIG SET is denied as 'config|set'); +select|0
/// allows SELECT 0 only (SELECT 1 is denied as 'select'); +client -client|kill.
#[test]
fn subcommand_and_first_arg_permissions() {
    run_case(&[], false, SUBCOMMANDS_AND_FIRST_ARG);
}

const SELECTOR_ENFORCEMENT: Script = &[
    (
        &[
            "acl",
            "setuser",
            "sel",
            "on",
            "nopass",
            "~a:*",
            "+get",
            "(~b:* +set)",
            "(%R~c:* +@string)",
        ],
        b"+OK\r\n",
    ),
    (&["auth", "sel", "x"], b"+OK\r\n"),
    (&["get", "a:1"], b"$-1\r\n"),
    (
        &["set", "a:1", "v"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (&["set", "b:1", "v"], b"+OK\r\n"),
    (
        &["get", "b:1"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (&["get", "c:1"], b"$-1\r\n"),
    (
        &["append", "c:1", "x"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (
        &["get", "z"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (
        &["del", "z"],
        b"-NOPERM this user has no permissions to run the 'del' command\r\n",
    ),
];

/// A command runs if the root permissions or any selector allow it; when none does, the
/// key error wins over the command error.
#[test]
fn selectors_are_enforced() {
    run_case(&[], false, SELECTOR_ENFORCEMENT);
}

const SCRIPT_PERMISSIONS: Script = &[
    (&["acl", "setuser", "sc", "on", "nopass", "~ok*", "+eval", "+get", "+set"], b"+OK\r\n"),
    (&["set", "k", "v"], b"+OK\r\n"),
    (&["auth", "sc", "x"], b"+OK\r\n"),
    (&["eval", "return redis.call('get','k')", "0"], b"-ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: 496368505412ccb8a568d43cf5c46b9910905b08, on @user_script:1.\r\n"),
    (&["eval", "return redis.call('del','k')", "0"], b"-ERR The user executing the script can't run this command or subcommand script: b0c3ee9a68227b63e0d7c57ba3a0514894783ea5, on @user_script:1.\r\n"),
    (&["eval", "return redis.pcall('get','k')", "0"], b"-ERR The user executing the script can't access at least one of the keys mentioned in the command arguments\r\n"),
    (&["eval", "return redis.call('get',KEYS[1])", "1", "k"], b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"),
    (&["eval", "return redis.call('get','ok1')", "0"], b"$-1\r\n"),
];

/// A script's redis.call on a denied key or command raises Redis's script error (with the
/// script's sha and line); pcall returns the bare error; a denied key given in KEYS is
/// refused before the script runs.
#[test]
fn scripts_obey_the_users_permissions() {
    run_case(&[], false, SCRIPT_PERMISSIONS);
}

const ACL_CHECK_CMD: Script = &[
    (&["acl", "setuser", "bob", "on", ">123", "+@scripting", "+set", "~x*"], b"+OK\r\n"),
    (&["auth", "bob", "123"], b"+OK\r\n"),
    (&["eval", "return redis.acl_check_cmd('set','xx',1)", "0"], b":1\r\n"),
    (&["eval", "return redis.acl_check_cmd('hset','xx','f',1)", "0"], b"$-1\r\n"),
    (&["eval", "return redis.acl_check_cmd('set','yy',1)", "0"], b"$-1\r\n"),
    (&["eval", "return redis.acl_check_cmd('invalid-cmd','arg')", "0"], b"-ERR Invalid command passed to redis.acl_check_cmd() script: a12d971d2c3928485c1688dce89f9c4972f603f6, on @user_script:1.\r\n"),
    (&["eval", "return redis.acl_check_cmd('config','nosuch')", "0"], b"-ERR Invalid command passed to redis.acl_check_cmd() script: 24d1b174c241d2198e4652a7d7502350e42a21ed, on @user_script:1.\r\n"),
];

/// `redis.acl_check_cmd` answers for the script's caller: true when its user may run
/// the command on those keys, false (nil) when not, an error for an unknown command.
#[test]
fn scripts_can_ask_whether_the_caller_may_run_a_command() {
    run_case(&[], false, ACL_CHECK_CMD);
}

const MULTI_WITH_DENIED_COMMAND: Script = &[
    (
        &[
            "acl", "setuser", "tx", "on", "nopass", "~r*", "+multi", "+exec", "+get",
        ],
        b"+OK\r\n",
    ),
    (&["auth", "tx", "x"], b"+OK\r\n"),
    (&["multi"], b"+OK\r\n"),
    (&["get", "r:1"], b"+QUEUED\r\n"),
    (
        &["del", "r:1"],
        b"-NOPERM this user has no permissions to run the 'del' command\r\n",
    ),
    (
        &["get", "zz"],
        b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
    ),
    (
        &["exec"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    ),
    (&["get", "r:1"], b"$-1\r\n"),
];

/// A denied command or key inside MULTI is refused when queued and EXEC aborts.
#[test]
fn multi_with_a_denied_command_aborts() {
    run_case(&[], false, MULTI_WITH_DENIED_COMMAND);
}

/// Permissions revoked between MULTI and EXEC: EXEC runs the commands still allowed and
/// answers the others with Redis's per-command NOPERM text for commands, keys and
/// channels, each logged with context "multi".
#[test]
fn permissions_revoked_before_exec() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &["ACL", "SETUSER", "tx", "on", "nopass", "~*", "&*", "+@all"],
        b"+OK\r\n",
    );
    let mut conn = login(&server, "tx", "x");
    check(&mut conn, &["MULTI"], b"+OK\r\n");
    for cmd in [
        &["SET", "k", "1"][..],
        &["GET", "k"],
        &["INCR", "n"],
        &["SET", "secret:1", "x"],
        &["PUBLISH", "c", "m"],
    ] {
        check(&mut conn, cmd, b"+QUEUED\r\n");
    }
    check(
        &mut admin,
        &[
            "ACL",
            "SETUSER",
            "tx",
            "-get",
            "resetkeys",
            "~k",
            "~n",
            "resetchannels",
        ],
        b"+OK\r\n",
    );
    let changed = "-NOPERM ACLs rules changed between the moment the transaction was \
accumulated and the EXEC call. This command is no longer allowed for the following reason: ";
    let expected = format!(
        "*5\r\n+OK\r\n{changed}no permission to execute the command or subcommand\r\n:1\r\n\
{changed}no permission to touch the specified keys\r\n\
{changed}no permission to access one of the channels used as arguments\r\n"
    );
    check(&mut conn, &["EXEC"], expected.as_bytes());
    let log = acl_log(&mut admin, &[]);
    assert_eq!(log.len(), 3, "{log:?}");
    assert_entry(&log[0], "channel", "multi", "c", "tx", 1);
    assert_entry(&log[1], "key", "multi", "secret:1", "tx", 1);
    assert_entry(&log[2], "command", "multi", "get", "tx", 1);
}

const DRYRUN: Script = &[
    (
        &[
            "acl",
            "setuser",
            "dr",
            "on",
            "nopass",
            "~k*",
            "&ch",
            "+get",
            "+publish",
            "+config|get",
        ],
        b"+OK\r\n",
    ),
    (&["acl", "dryrun", "dr", "get", "k1"], b"+OK\r\n"),
    (&["acl", "dryrun", "dr", "GET", "k1"], b"+OK\r\n"),
    (
        &["acl", "dryrun", "dr", "get", "x"],
        b"$50\r\nThis user has no permissions to access the 'x' key\r\n",
    ),
    (
        &["acl", "dryrun", "dr", "set", "k1", "v"],
        b"$53\r\nThis user has no permissions to run the 'set' command\r\n",
    ),
    (&["acl", "dryrun", "dr", "publish", "ch", "m"], b"+OK\r\n"),
    (
        &["acl", "dryrun", "dr", "publish", "other", "m"],
        b"$58\r\nThis user has no permissions to access the 'other' channel\r\n",
    ),
    (&["acl", "dryrun", "dr", "config", "get", "x"], b"+OK\r\n"),
    (
        &["acl", "dryrun", "dr", "config", "set", "x", "y"],
        b"$60\r\nThis user has no permissions to run the 'config|set' command\r\n",
    ),
    (
        &["acl", "dryrun", "nobody", "get", "k"],
        b"-ERR User 'nobody' not found\r\n",
    ),
    (
        &["acl", "dryrun", "dr", "nosuchcmd"],
        b"-ERR Command 'nosuchcmd' not found\r\n",
    ),
    (
        &["acl", "dryrun", "dr", "config", "nosub"],
        b"-ERR Command 'config' not found\r\n",
    ),
    (
        &["acl", "dryrun", "dr", "get"],
        b"-ERR wrong number of arguments for 'get' command\r\n",
    ),
    (&["acl", "log"], b"*0\r\n"),
];

/// ACL DRYRUN answers OK or the denial as a bulk string (command, subcommand, key,
/// channel), errors for unknown users, commands and subcommands and bad arity, and
/// logs nothing.
#[test]
fn dryrun_replies() {
    run_case(&[], false, DRYRUN);
}

// ---------------------------------------------------------------------------------------
// ACL LOG

/// Denials are logged newest first with reason (auth/command/key/channel), context
/// (toplevel/multi/lua), object, username, a double age and a CLIENT LIST line.
#[test]
fn acl_log_records_denials() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &[
            "ACL", "SETUSER", "lg", "on", ">pw", "~k*", "&ch", "+get", "+eval", "+publish",
            "+multi", "+exec",
        ],
        b"+OK\r\n",
    );
    let mut conn = server.raw();
    check(&mut conn, &["AUTH", "lg", "bad"], WRONGPASS);
    check(&mut conn, &["AUTH", "nobody", "bad"], WRONGPASS);
    check(&mut conn, &["AUTH", "lg", "pw"], b"+OK\r\n");
    check(&mut conn, &["GET", "x1"], NOPERM_KEY);
    check(
        &mut conn,
        &["SET", "k1", "v"],
        b"-NOPERM this user has no permissions to run the 'set' command\r\n",
    );
    check(&mut conn, &["PUBLISH", "other", "m"], NOPERM_CHANNEL);
    check(&mut conn, &["MULTI"], b"+OK\r\n");
    check(&mut conn, &["GET", "x2"], NOPERM_KEY);
    check(
        &mut conn,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    let script_err = ask(&mut conn, &["EVAL", "return redis.call('get','x3')", "0"]);
    assert!(script_err.starts_with(b"-ERR The user executing the script can't access"));

    let log = acl_log(&mut admin, &[]);
    assert_eq!(log.len(), 7, "{log:?}");
    assert_entry(&log[0], "key", "lua", "x3", "lg", 1);
    assert_entry(&log[1], "key", "multi", "x2", "lg", 1);
    assert_entry(&log[2], "channel", "toplevel", "other", "lg", 1);
    assert_entry(&log[3], "command", "toplevel", "set", "lg", 1);
    assert_entry(&log[4], "key", "toplevel", "x1", "lg", 1);
    assert_entry(&log[5], "auth", "toplevel", "AUTH", "nobody", 1);
    assert_entry(&log[6], "auth", "toplevel", "AUTH", "lg", 1);
    assert!(log[0].client_info.contains(" user=lg "), "{:?}", log[0]);
    assert!(
        log[6].client_info.contains(" user=default "),
        "{:?}",
        log[6]
    );

    // In RESP3 each entry is a map and the age a double.
    let mut r3 = resp3_conn(&server);
    let reply = ask(&mut r3, &["ACL", "LOG", "1"]);
    assert!(
        reply.starts_with(b"*1\r\n%7\r\n$5\r\ncount\r\n:1\r\n"),
        "{}",
        show(&reply)
    );
    let entries = parse(&reply);
    assert!(matches!(
        field(&items(&entries)[0], "age-seconds"),
        Value::Double(_)
    ));
}

/// The same denial (reason, context, object, user) within a minute raises the count of
/// the existing entry, even from another connection, and moves it to the front; ACL LOG
/// <count> returns the newest entries; RESET empties the log; acllog-max-len caps it, applied at the next entry.
#[test]
fn acl_log_groups_limits_and_resets() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &["ACL", "SETUSER", "ml", "on", "nopass", "+get"],
        b"+OK\r\n",
    );
    let mut conn = login(&server, "ml", "x");
    check(&mut conn, &["GET", "a"], NOPERM_KEY);
    check(&mut conn, &["GET", "a"], NOPERM_KEY);
    check(&mut conn, &["GET", "b"], NOPERM_KEY);
    check(&mut login(&server, "ml", "y"), &["GET", "a"], NOPERM_KEY);
    check(
        &mut server.raw(),
        &["AUTH", "ml", "x", "extra"],
        b"-ERR syntax error\r\n",
    );
    check(&mut server.raw(), &["AUTH", "nobody", "x"], WRONGPASS);
    check(&mut server.raw(), &["AUTH", "nobody", "y"], WRONGPASS);

    let log = acl_log(&mut admin, &[]);
    assert_eq!(log.len(), 3, "{log:?}");
    assert_entry(&log[0], "auth", "toplevel", "AUTH", "nobody", 2);
    assert_entry(&log[1], "key", "toplevel", "a", "ml", 3);
    assert_entry(&log[2], "key", "toplevel", "b", "ml", 1);
    let newest = acl_log(&mut admin, &["2"]);
    assert_eq!(newest.len(), 2);
    assert_entry(&newest[0], "auth", "toplevel", "AUTH", "nobody", 2);
    assert_entry(&newest[1], "key", "toplevel", "a", "ml", 3);
    check(&mut admin, &["ACL", "LOG", "0"], b"*0\r\n");
    check(&mut admin, &["ACL", "LOG", "RESET"], b"+OK\r\n");
    check(&mut admin, &["ACL", "LOG"], b"*0\r\n");

    check(
        &mut admin,
        &["CONFIG", "GET", "acllog-max-len"],
        b"*2\r\n$14\r\nacllog-max-len\r\n$3\r\n128\r\n",
    );
    check(
        &mut admin,
        &["CONFIG", "SET", "acllog-max-len", "2"],
        b"+OK\r\n",
    );
    for key in ["c", "d", "e"] {
        check(&mut conn, &["GET", key], NOPERM_KEY);
    }
    let log = acl_log(&mut admin, &[]);
    let objects: Vec<&str> = log.iter().map(|e| e.object.as_str()).collect();
    assert_eq!(objects, ["e", "d"]);
    check(
        &mut admin,
        &["CONFIG", "SET", "acllog-max-len", "1"],
        b"+OK\r\n",
    );
    assert_eq!(
        acl_log(&mut admin, &[]).len(),
        2,
        "trimmed only by the next entry"
    );
    check(&mut conn, &["GET", "f"], NOPERM_KEY);
    let log = acl_log(&mut admin, &[]);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_entry(&log[0], "key", "toplevel", "f", "ml", 1);
}

// ---------------------------------------------------------------------------------------
// requirepass, CLIENT LIST and CLIENT KILL USER

const REQUIREPASS: Script = &[
    (&["ping"], b"-NOAUTH Authentication required.\r\n"),
    (&["acl", "whoami"], b"-NOAUTH Authentication required.\r\n"),
    (&["auth", "bad"], b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
    (&["auth", "default", "bad"], b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
    (&["auth", "foo"], b"+OK\r\n"),
    (&["acl", "getuser", "default"], b"*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"),
    (&["acl", "list"], b"*1\r\n$93\r\nuser default on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~* &* +@all\r\n"),
    (&["config", "set", "requirepass", "bar"], b"+OK\r\n"),
    (&["acl", "list"], b"*1\r\n$93\r\nuser default on #fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9 ~* &* +@all\r\n"),
    (&["config", "get", "requirepass"], b"*2\r\n$11\r\nrequirepass\r\n$3\r\nbar\r\n"),
    (&["auth", "foo"], b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
    (&["auth", "default", "bar"], b"+OK\r\n"),
    (&["acl", "setuser", "default", ">extra"], b"+OK\r\n"),
    (&["config", "get", "requirepass"], b"*2\r\n$11\r\nrequirepass\r\n$3\r\nbar\r\n"),
    (&["acl", "list"], b"*1\r\n$159\r\nuser default on #fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9 #c8dee78f8c7b466c881847accc196998bad00e2b96c5ef913dfbe454d3807c96 ~* &* +@all\r\n"),
    (&["config", "set", "requirepass", ""], b"+OK\r\n"),
    (&["acl", "list"], b"*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"),
];

/// requirepass is the default user's only password (shown as its sha256); CONFIG SET
/// requirepass replaces it, and "" makes the default user nopass again; AUTH <pass> is
/// AUTH default <pass>.
#[test]
fn requirepass_is_the_default_users_password() {
    run_case(&["--requirepass", "foo"], false, REQUIREPASS);
}

/// CLIENT LIST shows each connection's user; CLIENT KILL USER closes every connection of
/// that user and counts them, and names an unknown user in its error.
#[test]
fn client_list_and_client_kill_user() {
    let server = start(&[]);
    let mut admin = server.raw();
    check(
        &mut admin,
        &["ACL", "SETUSER", "ann", "on", ">pw", "~*", "+@all"],
        b"+OK\r\n",
    );
    let mut first = login(&server, "ann", "pw");
    check(&mut first, &["CLIENT", "SETNAME", "first"], b"+OK\r\n");
    let mut second = login(&server, "ann", "pw");
    // The start-up readiness probe's connection may not be closed on the server's side
    // yet: wait until only the three connections of this test are listed.
    let mut list = String::new();
    wait_until(Duration::from_secs(10), || {
        list = text(&parse(&ask(&mut admin, &["CLIENT", "LIST"])));
        list.lines().count() == 3
    });
    let users: Vec<&str> = list
        .lines()
        .map(|line| {
            line.split(' ')
                .find_map(|f| f.strip_prefix("user="))
                .unwrap_or_else(|| panic!("no user= in {line:?}"))
        })
        .collect();
    assert_eq!(users.iter().filter(|u| **u == "ann").count(), 2, "{list}");
    assert_eq!(
        users.iter().filter(|u| **u == "default").count(),
        1,
        "{list}"
    );
    let named = list
        .lines()
        .find(|l| l.contains(" name=first "))
        .expect("named client");
    assert!(named.contains(" user=ann "), "{named}");

    check(
        &mut admin,
        &["CLIENT", "KILL", "USER", "nobody"],
        b"-ERR No such user 'nobody'\r\n",
    );
    check(&mut admin, &["CLIENT", "KILL", "USER", "ann"], b":2\r\n");
    first.expect_closed();
    second.expect_closed();
    assert!(
        wait_until(Duration::from_secs(5), || {
            !text(&parse(&ask(&mut admin, &["CLIENT", "LIST"]))).contains(" user=ann ")
        }),
        "ann's connections are gone from CLIENT LIST"
    );
}

// ---------------------------------------------------------------------------------------
// Users in config files and ACL files

/// `user` directives in the config file create users; ACL LOAD/SAVE without an aclfile
/// are errors; CONFIG REWRITE writes every user as a `user` line, and a restart from the
/// rewritten file has the same users.
#[test]
fn config_file_users_and_config_rewrite() {
    let mut server = start_conf(
        "user alice on >pw ~cache:* +get\nuser bob off nopass ~* +@all\n",
        &[],
    );
    let mut admin = server.raw();
    let alice = format!("user alice on #{PW_SHA} ~cache:* resetchannels -@all +get");
    let bob = "user bob off nopass ~* resetchannels +@all";
    let default = "user default on nopass ~* &* +@all";
    assert_eq!(acl_list(&mut admin), [alice.as_str(), bob, default]);
    let mut conn = login(&server, "alice", "pw");
    check(&mut conn, &["GET", "cache:1"], b"$-1\r\n");
    check(&mut conn, &["GET", "other"], NOPERM_KEY);
    check(&mut server.raw(), &["AUTH", "bob", "x"], WRONGPASS);

    check(&mut admin, &["ACL", "LOAD"], NO_ACLFILE);
    check(&mut admin, &["ACL", "SAVE"], NO_ACLFILE);

    check(
        &mut admin,
        &["ACL", "SETUSER", "carol", "on", ">pw", "~x", "+set"],
        b"+OK\r\n",
    );
    check(&mut admin, &["CONFIG", "REWRITE"], b"+OK\r\n");
    let carol = format!("user carol on #{PW_SHA} ~x resetchannels -@all +set");
    let conf = fs::read_to_string(server.dir.path().join(common::CONFIG_FILE)).unwrap();
    let user_lines: BTreeSet<&str> = conf.lines().filter(|l| l.starts_with("user ")).collect();
    assert_eq!(
        user_lines,
        BTreeSet::from([alice.as_str(), bob, carol.as_str(), default]),
        "{conf}"
    );
    assert_eq!(
        conf.lines().filter(|l| l.starts_with("user ")).count(),
        4,
        "{conf}"
    );

    // Redis resets the default user before applying its config line, and `reset` sets
    // sanitize-payload, so the restarted default user shows that flag.
    drop((admin, conn));
    server.restart();
    let mut admin = server.raw();
    let restarted_default = "user default on nopass sanitize-payload ~* &* +@all";
    assert_eq!(
        acl_list(&mut admin),
        [alice.as_str(), bob, carol.as_str(), restarted_default]
    );
}

/// A bad `user` directive (unknown rule, unmatched selector, a user declared twice)
/// stops start-up with a message naming the user, and so does `aclfile` together with `user` directives, though each
/// alone starts.
#[test]
fn bad_user_directives_stop_startup() {
    for conf in [
        "user alice on >pw bogus +get\n",
        "user alice on (~x\n",
        "user alice on\nuser alice off\n",
    ] {
        let (status, output) = startup_output(conf);
        assert!(!status.success(), "{conf:?} must stop start-up");
        assert!(
            output.contains("alice"),
            "{conf:?}: names the user: {output}"
        );
    }

    let acl_dir = tempfile::tempdir().unwrap();
    let acl_path = acl_dir.path().join("users.acl");
    fs::write(&acl_path, "user carol on nopass +@all\n").unwrap();
    let aclfile = format!("aclfile {}\n", acl_path.display());
    let (status, output) = startup_output(&format!("{aclfile}user alice on >pw\n"));
    assert!(!status.success(), "aclfile with user directives: {output}");

    let server = start_conf(&aclfile, &[]);
    assert_eq!(
        acl_list(&mut server.raw()),
        [
            "user carol on nopass resetchannels +@all",
            "user default on nopass ~* &* +@all"
        ]
    );
    drop(server);
    let server = start_conf("user alice on >pw\n", &[]);
    assert_eq!(acl_list(&mut server.raw()).len(), 2);
}

/// With an aclfile: its users are loaded at start-up; ACL SAVE writes `user <name>
/// <rules>` lines sorted by name; ACL LOAD replaces every user (default too, which gets
/// its defaults back when the file omits it); a bad file changes nothing and names the
/// file, line and error.
#[test]
fn aclfile_load_and_save() {
    let acl_dir = tempfile::tempdir().unwrap();
    let path = acl_dir.path().join("users.acl");
    let path_str = path.to_str().unwrap();
    fs::write(
        &path,
        "user alice on >pw ~a* +get\nuser default on nopass ~* &* +@all\n",
    )
    .unwrap();
    let server = start(&["--aclfile", path_str]);
    let mut admin = server.raw();
    let alice = format!("user alice on #{PW_SHA} ~a* resetchannels -@all +get");
    let default = "user default on nopass ~* &* +@all";
    assert_eq!(acl_list(&mut admin), [alice.as_str(), default]);
    let reply = ask(&mut admin, &["CONFIG", "GET", "aclfile"]);
    assert_eq!(text(&items(&parse(&reply))[1]), path_str);

    check(
        &mut admin,
        &["ACL", "SETUSER", "zed", "on", ">pw", "+ping"],
        b"+OK\r\n",
    );
    check(&mut admin, &["ACL", "SAVE"], b"+OK\r\n");
    let zed = format!("user zed on #{PW_SHA} resetchannels -@all +ping");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{alice}\n{default}\n{zed}\n")
    );

    fs::write(&path, "user bob on nopass ~* +@all\n").unwrap();
    check(&mut admin, &["ACL", "LOAD"], b"+OK\r\n");
    let bob = "user bob on nopass ~* resetchannels +@all";
    assert_eq!(acl_list(&mut admin), [bob, default]);

    let unchanged = "WARNING: ACL errors detected, no change to the previously active ACL \
rules was performed";
    let bad_files = [
        (
            "user bob on nopass ~* +@all bogus\n".to_string(),
            format!("{path_str}:1: Syntax error. {unchanged}"),
        ),
        (
            "user carol on\nuser carol off\n".to_string(),
            format!("WARNING: Duplicate user 'carol' found on line 2. {unchanged}"),
        ),
        (
            "junk line\n".to_string(),
            format!(
                "{path_str}:1 should start with user keyword followed by the username. {unchanged}"
            ),
        ),
    ];
    for (content, error) in bad_files {
        fs::write(&path, &content).unwrap();
        check(
            &mut admin,
            &["ACL", "LOAD"],
            format!("-ERR {error}\r\n").as_bytes(),
        );
        assert_eq!(
            acl_list(&mut admin),
            [bob, default],
            "after loading {content:?}"
        );
    }
    fs::remove_file(&path).unwrap();
    let missing = format!(
        "-ERR Error loading ACLs, opening file '{path_str}': No such file or directory\r\n"
    );
    check(&mut admin, &["ACL", "LOAD"], missing.as_bytes());
    check(&mut admin, &["ACL", "SAVE"], b"+OK\r\n");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{bob}\n{default}\n")
    );
}

// ---------------------------------------------------------------------------------------
// The scripted exchanges against real Redis

/// Every scripted exchange of this file: its name, the server options it needs, whether
/// it runs on a RESP3 connection, and the script.
const CASES: &[(&str, &[&str], bool, Script)] = &[
    ("FRESH_SERVER", &[], false, FRESH_SERVER),
    ("USERS_AND_DELUSER", &[], false, USERS_AND_DELUSER),
    ("GETUSER_RESP2", &[], false, GETUSER_RESP2),
    ("GETUSER_RESP3", &[], true, GETUSER_RESP3),
    ("PASSWORD_RULES", &[], false, PASSWORD_RULES),
    ("KEY_AND_CHANNEL_RULES", &[], false, KEY_AND_CHANNEL_RULES),
    ("COMMAND_RULES", &[], false, COMMAND_RULES),
    ("SETUSER_ERRORS", &[], false, SETUSER_ERRORS),
    ("SELECTOR_RULES", &[], false, SELECTOR_RULES),
    ("ATOMIC_SETUSER", &[], false, ATOMIC_SETUSER),
    ("ACL_LIST_RULES", &[], false, ACL_LIST_RULES),
    ("CATEGORIES", &[], false, CATEGORIES),
    ("MISC_ERRORS", &[], false, MISC_ERRORS),
    ("AUTH_AND_NOPERM", &[], false, AUTH_AND_NOPERM),
    ("PUBSUB_DEFAULT", &[], false, PUBSUB_DEFAULT),
    ("READ_WRITE_KEYS", &[], false, READ_WRITE_KEYS),
    (
        "SUBCOMMANDS_AND_FIRST_ARG",
        &[],
        false,
        SUBCOMMANDS_AND_FIRST_ARG,
    ),
    ("SELECTOR_ENFORCEMENT", &[], false, SELECTOR_ENFORCEMENT),
    ("SCRIPT_PERMISSIONS", &[], false, SCRIPT_PERMISSIONS),
    ("ACL_CHECK_CMD", &[], false, ACL_CHECK_CMD),
    (
        "MULTI_WITH_DENIED_COMMAND",
        &[],
        false,
        MULTI_WITH_DENIED_COMMAND,
    ),
    ("DRYRUN", &[], false, DRYRUN),
    ("REQUIREPASS", &["--requirepass", "foo"], false, REQUIREPASS),
];

/// Replays every scripted exchange against a fresh real redis-server each, proving the
/// expected bytes above are Redis's (skipped when redis-server is not installed).
#[test]
fn scripts_match_real_redis() {
    skip_unless_tool!("redis-server");
    for (name, args, resp3, script) in CASES {
        let Some(redis) = common::start_redis_server(args) else {
            return;
        };
        let mut conn = if *resp3 {
            resp3_conn(&redis)
        } else {
            redis.raw()
        };
        eprintln!("replaying {name} on redis-server");
        run_script(&mut conn, script);
    }
}
