//! The Lua debugger (SCRIPT DEBUG, then EVAL): the session's exchanges byte for byte,
//! stepping, breakpoints, variables, eval and redis commands from the debugger, the
//! end of a session (reply, then the connection closes), YES rolling the dataset back
//! and SYNC keeping it, abort, a client that leaves mid-session, the refusals, and
//! `redis-cli --ldb`. Each exchange runs on ferrodis and, when one is installed, on a
//! real redis-server, with the same expected bytes: they are Redis 7.0's.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{
    check, encode_command, show, start_redis_server, tool_available, RawConn, TestServer,
};

/// ferrodis, then a real redis-server if installed.
fn servers() -> Vec<TestServer> {
    let mut all = vec![TestServer::start()];
    all.extend(start_redis_server(&[]));
    all
}

/// The debugger's answer: an array of status lines.
fn lines(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend_from_slice(format!("+{item}\r\n").as_bytes());
    }
    out
}

/// Sends debugger command `words` (split on spaces) and checks the answer.
fn debug(c: &mut RawConn, words: &str, expected: &[&str]) {
    c.send(&encode_command(&words.split(' ').collect::<Vec<_>>()));
    c.expect(&lines(expected));
}

const SCRIPT: &str = "local a = 1
local t = {1, 2, \"x\"}
local m = {k = \"v\"}
redis.call('set', KEYS[1], ARGV[1])
local v = redis.call('get', KEYS[1])
redis.debug(\"hello\", a, t, m)
local function f(x)
  local y = x * 2
  return y
end
local z = f(21)
redis.breakpoint()
redis.pcall('incr', KEYS[1])
return {v, z}
";

/// Starts debugging `script` in `mode` on a new connection; checks the first stop.
fn start_session(server: &TestServer, mode: &str, script: &str, first_line: &str) -> RawConn {
    let mut c = server.raw();
    check(&mut c, &["SCRIPT", "DEBUG", mode], b"+OK\r\n");
    c.send_cmd(&["EVAL", script, "1", "k1", "argA"]);
    c.expect(&lines(&[
        "* Stopped at 1, stop reason = step over",
        &format!("-> 1   {first_line}"),
    ]));
    c
}

#[test]
fn a_session_steps_shows_and_runs_as_in_redis() {
    for server in servers() {
        let mut c = start_session(&server, "sync", SCRIPT, "local a = 1");
        debug(
            &mut c,
            "s",
            &[
                "* Stopped at 2, stop reason = step over",
                "-> 2   local t = {1, 2, \"x\"}",
            ],
        );
        debug(
            &mut c,
            "n",
            &[
                "* Stopped at 3, stop reason = step over",
                "-> 3   local m = {k = \"v\"}",
            ],
        );
        debug(&mut c, "p", &["<value> a = 1", "<value> t = {1; 2; \"x\"}"]);
        debug(&mut c, "print t", &["<value> {1; 2; \"x\"}"]);
        debug(&mut c, "p KEYS", &["<value> {\"k1\"}"]);
        debug(&mut c, "p ARGV", &["<value> {\"argA\"}"]);
        debug(&mut c, "p nosuch", &["No such variable."]);
        debug(
            &mut c,
            "l 3 1",
            &[
                "   2   local t = {1, 2, \"x\"}",
                "-> 3   local m = {k = \"v\"}",
                "   4   redis.call('set', KEYS[1], ARGV[1])",
            ],
        );
        debug(
            &mut c,
            "b 11",
            &[
                "   10  end",
                "  #11  local z = f(21)",
                "   12  redis.breakpoint()",
            ],
        );
        debug(
            &mut c,
            "b",
            &["1 breakpoints set:", "  #11  local z = f(21)"],
        );
        debug(
            &mut c,
            "b 99 x",
            &["Wrong line number.", "Invalid argument:'x'"],
        );
        debug(&mut c, "e 20 + 22", &["<retval> 42"]);
        debug(
            &mut c,
            "e {1, 'two', k = true}",
            &["<retval> {[1]=1; [2]=\"two\"; [\"k\"]=true}"],
        );
        debug(
            &mut c,
            "e a + 1",
            &["<error> ldb_eval:1: Script attempted to access nonexistent global variable 'a'"],
        );
        debug(
            &mut c,
            "r set k2 v2",
            &["<redis> set k2 v2", "<reply> \"+OK\""],
        );
        debug(
            &mut c,
            "redis mget k1 k2",
            &["<redis> mget k1 k2", "<reply> [NULL,\"v2\"]"],
        );
        debug(
            &mut c,
            "m 5",
            &["<value> replies are truncated at 60 bytes."],
        );
        debug(&mut c, "m 0", &["<value> replies are unlimited."]);
        debug(
            &mut c,
            "nonsense",
            &["<error> Unknown Redis Lua debugger command or wrong number of arguments."],
        );
        debug(
            &mut c,
            "s",
            &[
                "* Stopped at 4, stop reason = step over",
                "-> 4   redis.call('set', KEYS[1], ARGV[1])",
            ],
        );
        debug(
            &mut c,
            "s",
            &[
                "<redis> set k1 argA",
                "<reply> \"+OK\"",
                "* Stopped at 5, stop reason = step over",
                "-> 5   local v = redis.call('get', KEYS[1])",
            ],
        );
        debug(
            &mut c,
            "s",
            &[
                "<redis> get k1",
                "<reply> \"argA\"",
                "* Stopped at 6, stop reason = step over",
                "-> 6   redis.debug(\"hello\", a, t, m)",
            ],
        );
        debug(
            &mut c,
            "s",
            &[
                "<debug> line 6: \"hello\", 1, {1; 2; \"x\"}, {[\"k\"]=\"v\"}",
                "* Stopped at 10, stop reason = step over",
                "-> 10  end",
            ],
        );
        debug(
            &mut c,
            "c",
            &[
                "* Stopped at 11, stop reason = break point",
                "->#11  local z = f(21)",
            ],
        );
        debug(&mut c, "b -11", &["Breakpoint removed."]);
        debug(
            &mut c,
            "s",
            &[
                "* Stopped at 8, stop reason = step over",
                "-> 8     local y = x * 2",
            ],
        );
        debug(
            &mut c,
            "t",
            &[
                "In f:",
                "-> 8     local y = x * 2",
                "From top level:",
                "   11  local z = f(21)",
            ],
        );
        debug(&mut c, "p x", &["<value> 21"]);
        debug(
            &mut c,
            "c",
            &[
                "* Stopped at 13, stop reason = redis.breakpoint() called",
                "-> 13  redis.pcall('incr', KEYS[1])",
            ],
        );
        debug(
            &mut c,
            "s",
            &[
                "<redis> incr k1",
                "<error> -ERR value is not an integer or out of range",
                "<reply> \"-ERR value is not an integer or out of range\"",
                "* Stopped at 14, stop reason = step over",
                "-> 14  return {v, z}",
            ],
        );
        debug(&mut c, "s", &["<endsession>"]);
        c.expect(b"*2\r\n$4\r\nargA\r\n:42\r\n");
        c.expect_closed();
        // SYNC keeps what the script did.
        check(
            &mut server.raw(),
            &["MGET", "k1", "k2"],
            b"*2\r\n$4\r\nargA\r\n$2\r\nv2\r\n",
        );
    }
}

#[test]
fn help_and_long_values_are_as_in_redis() {
    for server in servers() {
        let mut c = start_session(
            &server,
            "sync",
            "local s = string.rep('ab', 100)\nreturn s",
            "local s = string.rep('ab', 100)",
        );
        c.send_cmd(&["h"]);
        let help = c.read_reply();
        assert!(
            help.starts_with(b"*30\r\n+Redis Lua debugger help:\r\n"),
            "{}",
            show(&help)
        );
        debug(
            &mut c,
            "s",
            &["* Stopped at 2, stop reason = step over", "-> 2   return s"],
        );
        let long = format!("<value> s = \"{}", "ab".repeat(100));
        debug(
            &mut c,
            "m 60",
            &["<value> replies are truncated at 60 bytes."],
        );
        debug(&mut c, "p", &[&format!("{} ...", &long[..60])]);
        debug(&mut c, "m 0", &["<value> replies are unlimited."]);
        debug(&mut c, "p", &[&format!("{long}\"")]);
        debug(
            &mut c,
            "w",
            &["   1   local s = string.rep('ab', 100)", "-> 2   return s"],
        );
        debug(&mut c, "c", &["<endsession>"]);
        c.read_reply();
        c.expect_closed();
    }
}

#[test]
fn the_first_cut_value_comes_with_a_hint() {
    for server in servers() {
        let mut c = start_session(
            &server,
            "sync",
            "local s = string.rep('x', 300)\nreturn 1",
            "local s = string.rep('x', 300)",
        );
        debug(
            &mut c,
            "s",
            &["* Stopped at 2, stop reason = step over", "-> 2   return 1"],
        );
        let cut = format!("<value> s = \"{} ...", "x".repeat(256 - 13));
        debug(
            &mut c,
            "p",
            &[
                &cut,
                "<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.",
            ],
        );
        debug(&mut c, "p", &[&cut]);
        debug(&mut c, "a", &["<endsession>"]);
        c.read_reply();
        c.expect_closed();
    }
}

#[test]
fn yes_rolls_the_dataset_back_and_sync_keeps_it() {
    let script = "redis.call('set', 'k', 'changed')\nredis.call('del', 'other')\nreturn 'done'";
    for server in servers() {
        let mut admin = server.raw();
        check(&mut admin, &["MSET", "k", "orig", "other", "1"], b"+OK\r\n");
        let mut c = start_session(&server, "yes", script, "redis.call('set', 'k', 'changed')");
        debug(&mut c, "c", &["<endsession>"]);
        c.expect(b"$4\r\ndone\r\n");
        c.expect_closed();
        check(
            &mut admin,
            &["MGET", "k", "other"],
            b"*2\r\n$4\r\norig\r\n$1\r\n1\r\n",
        );

        let mut c = start_session(&server, "sync", script, "redis.call('set', 'k', 'changed')");
        debug(
            &mut c,
            "s",
            &[
                "<redis> set k changed",
                "<reply> \"+OK\"",
                "* Stopped at 2, stop reason = step over",
                "-> 2   redis.call('del', 'other')",
            ],
        );
        // Abort: what ran so far stays (SYNC), and the script ends with an error.
        debug(&mut c, "a", &["<endsession>"]);
        let reply = c.read_reply();
        assert!(
            reply.starts_with(b"-ERR script aborted for user request script: "),
            "{}",
            show(&reply)
        );
        c.expect_closed();
        check(
            &mut admin,
            &["MGET", "k", "other"],
            b"*2\r\n$7\r\nchanged\r\n$1\r\n1\r\n",
        );
    }
}

#[test]
fn a_rolled_back_session_sends_nothing_to_the_aof() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut admin = server.raw();
    check(&mut admin, &["SET", "before", "1"], b"+OK\r\n");
    let mut c = start_session(
        &server,
        "yes",
        "redis.call('set', 'inside', '1')\nreturn 1",
        "redis.call('set', 'inside', '1')",
    );
    debug(&mut c, "c", &["<endsession>"]);
    c.expect(b":1\r\n");
    c.expect_closed();
    check(&mut admin, &["SET", "after", "1"], b"+OK\r\n");
    let aof = common::incr_aof(&server);
    let text = String::from_utf8_lossy(&aof);
    assert!(text.contains("before") && text.contains("after"), "{text}");
    assert!(!text.contains("inside"), "{text}");
    check(&mut admin, &["EXISTS", "inside"], b":0\r\n");
}

#[test]
fn refusals_and_errors_are_redis_s() {
    for server in servers() {
        let mut c = server.raw();
        check(
            &mut c,
            &["SCRIPT", "DEBUG", "maybe"],
            b"-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n",
        );
        check(&mut c, &["SCRIPT", "DEBUG", "yes"], b"+OK\r\n");
        check(
            &mut c,
            &["EVALSHA", &"a".repeat(40), "0"],
            b"-ERR Please use EVAL instead of EVALSHA for debugging\r\n",
        );
        check(&mut c, &["SCRIPT", "DEBUG", "no"], b"+OK\r\n");
        check(&mut c, &["EVAL", "return 5", "0"], b":5\r\n");
        // Asked in a pipeline, behind a reply not yet read.
        let mut c = server.raw();
        let mut both = encode_command(&["PING"]);
        both.extend(encode_command(&["SCRIPT", "DEBUG", "yes"]));
        c.send(&both);
        c.expect(b"+PONG\r\n");
        c.expect(b"-ERR SCRIPT DEBUG must be called outside a pipeline\r\n");
        // A script that does not compile ends the session at once.
        let mut c = server.raw();
        check(&mut c, &["SCRIPT", "DEBUG", "sync"], b"+OK\r\n");
        c.send_cmd(&["EVAL", "retur 1", "0"]);
        c.expect(&lines(&["<endsession>"]));
        c.expect(
            b"-ERR Error compiling script (new function): user_script:1: '=' expected near '1'\r\n",
        );
        c.expect_closed();
        // The debugger's own protocol: RESP arrays of short bulk strings only.
        let mut c = start_session(&server, "sync", "return 1", "return 1");
        c.send(b"*1\r\n$0\r\n\r\n");
        c.expect(&lines(&["<endsession>"]));
        let reply = c.read_reply();
        assert!(
            reply.starts_with(b"-ERR protocol error script: "),
            "{}",
            show(&reply)
        );
        c.expect_closed();
    }
}

#[test]
fn a_client_that_leaves_lets_the_script_finish() {
    for server in servers() {
        let c = start_session(
            &server,
            "sync",
            "redis.call('set', 'gone', '1')\nredis.call('set', 'gone', '2')\nreturn 1",
            "redis.call('set', 'gone', '1')",
        );
        drop(c);
        let mut admin = server.raw();
        check(&mut admin, &["GET", "gone"], b"$1\r\n2\r\n");
        check(&mut admin, &["PING"], b"+PONG\r\n");
    }
}

#[test]
fn a_script_left_running_stops_at_the_busy_threshold() {
    for server in servers() {
        let mut admin = server.raw();
        check(
            &mut admin,
            &["CONFIG", "SET", "busy-reply-threshold", "100"],
            b"+OK\r\n",
        );
        let mut c = start_session(
            &server,
            "sync",
            "local i = 0\nwhile true do\n  i = i + 1\nend",
            "local i = 0",
        );
        debug(
            &mut c,
            "c",
            &[
                "* Stopped at 3, stop reason = timeout reached, infinite loop?",
                "-> 3     i = i + 1",
            ],
        );
        debug(&mut c, "a", &["<endsession>"]);
        let reply = c.read_reply();
        assert!(
            reply.starts_with(b"-ERR script aborted for user request"),
            "{}",
            show(&reply)
        );
        c.expect_closed();
        check(&mut admin, &["PING"], b"+PONG\r\n");
    }
}

/// What `redis-cli --ldb` (or `--ldb-sync-mode`) prints for a session fed `input`.
fn redis_cli_session(port: u16, dir: &std::path::Path, mode: &str, input: &str) -> String {
    let file = dir.join("debugged.lua");
    std::fs::write(
        &file,
        "redis.call('set', KEYS[1], ARGV[1])\nlocal n = redis.call('strlen', KEYS[1])\nreturn n\n",
    )
    .unwrap();
    let mut child = Command::new("redis-cli")
        .args([
            "-p",
            &port.to_string(),
            mode,
            "--eval",
            file.to_str().unwrap(),
            "key",
            ",",
            "hello",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run redis-cli");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("redis-cli output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn redis_cli_ldb_sessions_print_as_with_redis() {
    if !tool_available("redis-cli") {
        common::report_skip("redis_cli_ldb_sessions_print_as_with_redis", "redis-cli");
        return;
    }
    let mut outputs = Vec::new();
    for server in servers() {
        let yes = redis_cli_session(server.port, server.dir.path(), "--ldb", "s\ns\np\nc\n");
        let mut admin = server.raw();
        check(&mut admin, &["EXISTS", "key"], b":0\r\n");
        let sync = redis_cli_session(server.port, server.dir.path(), "--ldb-sync-mode", "c\n");
        check(&mut admin, &["GET", "key"], b"$5\r\nhello\r\n");
        outputs.push((yes, sync));
    }
    let (yes, sync) = &outputs[0];
    for expected in [
        "Lua debugging session started",
        "* Stopped at 1, stop reason = step over",
        "<redis> set key hello",
        "<value> n = 5",
        "(integer) 5",
        "(Lua debugging session ended -- dataset changes rolled back)",
    ] {
        assert!(yes.contains(expected), "{expected:?} not in:\n{yes}");
    }
    assert!(sync.contains("(Lua debugging session ended)\n"), "{sync}");
    if let Some(redis) = outputs.get(1) {
        assert_eq!(
            &outputs[0], redis,
            "redis-cli printed differently for ferrodis and Redis"
        );
    }
}

/// Inside MULTI the script's writes would leave with the transaction's: ferrodis
/// refuses to debug there (Redis would), and debugs the next EVAL outside instead.
#[test]
fn a_session_is_refused_inside_multi_and_waits_for_the_next_eval() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, &["SCRIPT", "DEBUG", "sync"], b"+OK\r\n");
    check(&mut c, &["MULTI"], b"+OK\r\n");
    check(&mut c, &["EVAL", "return 1", "0"], b"+QUEUED\r\n");
    check(
        &mut c,
        &["EXEC"],
        b"*1\r\n-ERR A Lua debugging session cannot run inside MULTI\r\n",
    );
    c.send_cmd(&["EVAL", "return 2", "0"]);
    c.expect(&lines(&[
        "* Stopped at 1, stop reason = step over",
        "-> 1   return 2",
    ]));
    debug(&mut c, "c", &["<endsession>"]);
    c.expect(b":2\r\n");
    c.expect_closed();
}
