//! Lua scripting (EVAL, EVALSHA, EVAL_RO, SCRIPT) against the real binary: reply
//! conversions both ways, errors and where they are located, read-only scripts and
//! shebang flags, the protected globals, the libraries, what a script's writes send
//! to the AOF and to replicas, and scripts that run too long (-BUSY, SCRIPT KILL,
//! SHUTDOWN NOSAVE). The exchanges run on ferrodis and, when one is installed, on a
//! real redis-server, with the same expected bytes: they are Redis 7.0's.

mod common;

use std::time::Duration;

use common::repl::{master, replica_of, wait_synced};
use common::{check, incr_aof, show, start_redis_server, wait_until, RawConn, TestServer};

/// ferrodis, then a real redis-server if installed.
fn servers(args: &[&str]) -> Vec<TestServer> {
    let mut all = vec![TestServer::start_with(args)];
    all.extend(start_redis_server(args));
    all
}

/// Runs each (request, expected reply) on every server.
fn exchanges(cases: &[(&[&str], &[u8])]) {
    for server in servers(&[]) {
        let mut c = server.raw();
        for (args, want) in cases {
            check(&mut c, args, want);
        }
    }
}

#[test]
fn replies_convert_as_redis_converts_them() {
    exchanges(&[
        (&["EVAL", "return 'hello'", "0"], b"$5\r\nhello\r\n"),
        (&["EVAL", "return 3.99", "0"], b":3\r\n"),
        (&["EVAL", "return -3.99", "0"], b":-3\r\n"),
        (&["EVAL", "return 1/0", "0"], b":-9223372036854775808\r\n"),
        (&["EVAL", "return true", "0"], b":1\r\n"),
        (&["EVAL", "return false", "0"], b"$-1\r\n"),
        (&["EVAL", "return nil", "0"], b"$-1\r\n"),
        (
            &["EVAL", "return {1, 'two', {3, 'x'}, nil, 5}", "0"],
            b"*3\r\n:1\r\n$3\r\ntwo\r\n*2\r\n:3\r\n$1\r\nx\r\n",
        ),
        (&["EVAL", "return {ok='FINE'}", "0"], b"+FINE\r\n"),
        (
            &["EVAL", "return redis.status_reply('A\\nB')", "0"],
            b"+A B\r\n",
        ),
        (&["EVAL", "return {err='MY boom'}", "0"], b"-MY boom\r\n"),
        (
            &["EVAL", "return redis.error_reply('bare')", "0"],
            b"-ERR bare\r\n",
        ),
        (
            &["EVAL", "return {1, {err='X y'}}", "0"],
            b"*2\r\n:1\r\n-X y\r\n",
        ),
        (
            &[
                "EVAL",
                "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}",
                "2",
                "k1",
                "k2",
                "a1",
                "a2",
            ],
            b"*4\r\n$2\r\nk1\r\n$2\r\nk2\r\n$2\r\na1\r\n:2\r\n",
        ),
        // Command replies seen by the script, handed back.
        (&["SET", "s", "abc"], b"+OK\r\n"),
        (
            &["EVAL", "return redis.call('get', KEYS[1])", "1", "s"],
            b"$3\r\nabc\r\n",
        ),
        (
            &["EVAL", "return redis.call('get', 'nokey')", "0"],
            b"$-1\r\n",
        ),
        (
            &["EVAL", "return redis.call('type', 's').ok", "0"],
            b"$6\r\nstring\r\n",
        ),
        (
            &["EVAL", "return redis.call('set', 'n', 1.5)", "0"],
            b"+OK\r\n",
        ),
        (
            &["EVAL", "return redis.call('get', 'n')", "0"],
            b"$3\r\n1.5\r\n",
        ),
        (
            &["EVAL", "return redis.call('incrby', 'i', 10)", "0"],
            b":10\r\n",
        ),
        (
            &["EVAL", "return redis.call('echo', 0.1)", "0"],
            b"$19\r\n0.10000000000000001\r\n",
        ),
        (
            &[
                "EVAL",
                "return redis.call('hset', 'h', 'f', 'v', 'g', 'w')",
                "0",
            ],
            b":2\r\n",
        ),
        (
            &["EVAL", "return redis.call('hgetall', 'h')", "0"],
            b"*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n",
        ),
        // RESP3 inside the script: maps, doubles, nulls, booleans.
        (
            &[
                "EVAL",
                "redis.setresp(3) return redis.call('hgetall', 'h')",
                "0",
            ],
            b"*4\r\n$1\r\ng\r\n$1\r\nw\r\n$1\r\nf\r\n$1\r\nv\r\n",
        ),
        (
            &[
                "EVAL",
                "redis.setresp(3) return redis.call('hgetall', 'h').map.f",
                "0",
            ],
            b"$1\r\nv\r\n",
        ),
        (&["ZADD", "z", "1.5", "m"], b":1\r\n"),
        (
            &[
                "EVAL",
                "redis.setresp(3) return redis.call('zscore', 'z', 'm').double * 2",
                "0",
            ],
            b":3\r\n",
        ),
        (
            &[
                "EVAL",
                "redis.setresp(3) return redis.call('get', 'nokey') == nil",
                "0",
            ],
            b":1\r\n",
        ),
        (&["EVAL", "redis.setresp(3) return false", "0"], b":0\r\n"),
        (&["EVAL", "return {double=3.5}", "0"], b"$3\r\n3.5\r\n"),
        (
            &["EVAL", "return redis.sha1hex('')", "0"],
            b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        ),
        (
            &["EVAL", "return redis.REDIS_VERSION_NUM", "0"],
            b":458767\r\n",
        ),
    ]);
}

#[test]
fn command_arguments_from_scripts_convert_as_in_redis() {
    let set_get =
        |v: &str| format!("redis.call('set', KEYS[1], {v}) return redis.call('get', KEYS[1])");
    let (half, ten, big, huge, neg) = (
        set_get("3.5"),
        set_get("10"),
        set_get("1e17"),
        set_get("1e20"),
        set_get("-2^63"),
    );
    exchanges(&[
        (
            &[
                "EVAL",
                "local t = {} for i = 1, 7999 do t[i] = i end \
                 return redis.call('rpush', KEYS[1], unpack(t))",
                "1",
                "big",
            ],
            b":7999\r\n",
        ),
        (&["LINDEX", "big", "-1"], b"$4\r\n7999\r\n"),
        (&["EVAL", &half, "1", "n"], b"$3\r\n3.5\r\n"),
        (&["EVAL", &ten, "1", "n"], b"$2\r\n10\r\n"),
        (&["EVAL", &big, "1", "n"], b"$5\r\n1e+17\r\n"),
        (&["EVAL", &huge, "1", "n"], b"$5\r\n1e+20\r\n"),
        (
            &["EVAL", &neg, "1", "n"],
            b"$23\r\n-9.2233720368547758e+18\r\n",
        ),
        (
            &["EVAL", "return redis.pcall('set', 'a', {})", "0"],
            b"-ERR Lua redis lib command arguments must be strings or integers\r\n",
        ),
        (
            &["EVAL", "return redis.pcall()", "0"],
            b"-ERR Please specify at least one argument for this redis lib call\r\n",
        ),
        (
            &["EVAL", "local ok, e = pcall(redis.call) return e", "0"],
            b"$64\r\nERR Please specify at least one argument for this redis lib call\r\n",
        ),
        // Under RESP3 too.
        (
            &[
                "EVAL",
                "redis.setresp(3) return redis.call('ping', 'x')",
                "0",
            ],
            b"$1\r\nx\r\n",
        ),
    ]);
}

#[test]
fn errors_are_worded_and_located_as_in_redis() {
    exchanges(&[
        (&["SET", "s", "abc"], b"+OK\r\n"),
        (
            &["EVAL", "return redis.call('incr', 's')", "0"],
            b"-ERR value is not an integer or out of range script: \
70abbef89e172316f9219e67e313f248a5b98d9b, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return redis.pcall('incr', 's')", "0"],
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            &[
                "EVAL",
                "local ok, e = pcall(redis.call, 'incr', 's') return e",
                "0",
            ],
            b"$43\r\nERR value is not an integer or out of range\r\n",
        ),
        (
            &["EVAL", "local a = 1\nreturn redis.call('nosuch')", "0"],
            b"-ERR Unknown Redis command called from script script: \
8baccd23d93954db2086711e66a07b07e7998573, on @user_script:2.\r\n",
        ),
        (
            &["EVAL", "return redis.call('get')", "0"],
            b"-ERR Wrong number of args calling Redis command from script script: \
f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return redis.call('blpop', 'l', 0)", "0"],
            b"-ERR This Redis command is not allowed from script script: \
9796143aa36f79ff4329423cd8247733070488e9, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "error('boom')", "0"],
            b"-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, \
on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "error({err='MY boom'})", "0"],
            b"-MY boom script: 4c2ee35ef37c857625d6ec6d812eab72377cfa97, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "x = 1", "0"],
            b"-ERR user_script:1: Attempt to modify a readonly table script: \
34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return y", "0"],
            b"-ERR user_script:1: Script attempted to access nonexistent global variable 'y' \
script: e278681ed961e2fb52881313e5c90fdd93749940, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "redis.call = nil", "0"],
            b"-ERR user_script:1: Attempt to modify a readonly table script: \
2786c35ed73d3860851cf52e0b5dfbbc0bdb4803, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return redis.sha1hex()", "0"],
            b"-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, \
on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return redis.call('echo', {})", "0"],
            b"-ERR Lua redis lib command arguments must be strings or integers script: \
e6d9750a4e024ef5ef3110627e10c615554c07b3, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "syntax error here", "0"],
            b"-ERR Error compiling script (new function): user_script:1: '=' expected near \
'error'\r\n",
        ),
        (
            &["EVAL", "return 1", "-1"],
            b"-ERR Number of keys can't be negative\r\n",
        ),
        (
            &["EVAL", "return 1", "2", "a"],
            b"-ERR Number of keys can't be greater than number of args\r\n",
        ),
        (
            &["EVAL", "return 1", "x"],
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
            b"-NOSCRIPT No matching script. Please use EVAL.\r\n",
        ),
        (
            &["EVALSHA", "short", "0"],
            b"-NOSCRIPT No matching script. Please use EVAL.\r\n",
        ),
        (
            &["SCRIPT", "KILL"],
            b"-NOTBUSY No scripts in execution right now.\r\n",
        ),
        (
            &["SCRIPT", "FLUSH", "x"],
            b"-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n",
        ),
    ]);
}

#[test]
fn script_cache_read_only_scripts_and_shebang_flags() {
    exchanges(&[
        (
            &["SCRIPT", "LOAD", "return 1"],
            b"$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n",
        ),
        (
            &[
                "SCRIPT",
                "EXISTS",
                "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
                "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB",
                "ffffffffffffffffffffffffffffffffffffffff",
            ],
            b"*3\r\n:1\r\n:1\r\n:0\r\n",
        ),
        (
            &["EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"],
            b":1\r\n",
        ),
        (
            &[
                "EVALSHA_RO",
                "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
                "0",
            ],
            b":1\r\n",
        ),
        (&["SCRIPT", "FLUSH"], b"+OK\r\n"),
        (
            &[
                "SCRIPT",
                "EXISTS",
                "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
            ],
            b"*1\r\n:0\r\n",
        ),
        (
            &["EVAL_RO", "return redis.call('set', 'a', 'b')", "0"],
            b"-ERR Write commands are not allowed from read-only scripts. script: \
1ec5c8569e0cb2caa15ae94d564a56e22a60ce3e, on @user_script:1.\r\n",
        ),
        (
            &["EVAL_RO", "return redis.call('get', 'a')", "0"],
            b"$-1\r\n",
        ),
        (
            &[
                "EVAL",
                "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')",
                "0",
            ],
            b"-ERR Write commands are not allowed from read-only scripts. script: \
dc1cd29611dfdd3da1119939494ffa204052ccff, on @user_script:2.\r\n",
        ),
        (
            &["EVAL_RO", "#!lua\nreturn 1", "0"],
            b"-ERR Can not execute a script with write flag using *_ro command.\r\n",
        ),
        (
            &["EVAL", "#!lua\nreturn redis.call('set', 'a', 'b')", "0"],
            b"+OK\r\n",
        ),
        (
            &["EVAL", "#!python\nreturn 1", "0"],
            b"-ERR Unexpected engine in script shebang: #!python\r\n",
        ),
        (
            &["EVAL", "#!lua flags=bad\nreturn 1", "0"],
            b"-ERR Unexpected flag in script shebang: bad\r\n",
        ),
        (
            &["EVAL", "#!lua x=1\nreturn 1", "0"],
            b"-ERR Unknown lua shebang option: x=1\r\n",
        ),
    ]);
}

#[test]
fn environment_libraries_and_random_numbers_match_redis() {
    exchanges(&[
        (
            &[
                "EVAL",
                "return {type(loadstring), type(gcinfo), type(coroutine), _VERSION}",
                "0",
            ],
            b"*4\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$5\r\ntable\r\n$7\r\nLua 5.1\r\n",
        ),
        (
            &[
                "EVAL",
                "local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) \
                 return table.concat(t, ' ')",
                "0",
            ],
            b"$243\r\nLOG_DEBUG LOG_NOTICE LOG_VERBOSE LOG_WARNING REDIS_VERSION \
REDIS_VERSION_NUM REPL_ALL REPL_AOF REPL_NONE REPL_REPLICA REPL_SLAVE acl_check_cmd \
breakpoint call debug error_reply log pcall replicate_commands set_repl setresp sha1hex \
status_reply\r\n",
        ),
        (
            &[
                "EVAL",
                "return loadstring(string.dump(function() return 1 end))",
                "0",
            ],
            b"$-1\r\n",
        ),
        (
            &["EVAL", "setmetatable(_G, {})", "0"],
            b"-ERR Attempt to modify a readonly table script: \
0bf0a51fbb051c942113de0105d3f8e18cdcddb5, on @user_script:1.\r\n",
        ),
        (
            &["EVAL", "return cjson.encode({1, 2, {a = 0.1}})", "0"],
            b"$15\r\n[1,2,{\"a\":0.1}]\r\n",
        ),
        (
            &["EVAL", "return cjson.decode('[1,2,3]')[3]", "0"],
            b":3\r\n",
        ),
        (
            &["EVAL", "return bit.tohex(bit.bxor(0xff, 0x0f))", "0"],
            b"$8\r\n000000f0\r\n",
        ),
        (
            &[
                "EVAL",
                "return cmsgpack.unpack(cmsgpack.pack({1, 'a'}))[2]",
                "0",
            ],
            b"$1\r\na\r\n",
        ),
        (
            &[
                "EVAL",
                "return struct.unpack('>I2', struct.pack('>I2', 258))",
                "0",
            ],
            b":258\r\n",
        ),
        // Redis's generator: the same numbers for the same seed on every machine.
        (
            &[
                "EVAL",
                "math.randomseed(42) return {math.random(1000), math.random(1000), \
                 tostring(math.random())}",
                "0",
            ],
            b"*3\r\n:745\r\n:343\r\n$16\r\n0.11108528222474\r\n",
        ),
    ]);
}

#[test]
fn script_writes_reach_the_aof_as_their_commands_in_multi_exec() {
    let args = ["--appendonly", "yes", "--appendfsync", "always"];
    let mut files = Vec::new();
    for server in servers(&args) {
        let mut c = server.raw();
        for (args, want) in [
            // Two writes: wrapped in MULTI/EXEC; EVAL itself is not written.
            (
                &[
                    "EVAL",
                    "redis.call('set', KEYS[1], 'a') redis.call('incr', 'n')",
                    "1",
                    "k",
                ][..],
                &b"$-1\r\n"[..],
            ),
            // One write goes alone; reads go nowhere.
            (&["EVAL", "return redis.call('incr', 'n')", "0"], b":2\r\n"),
            (
                &["EVAL", "return redis.call('get', 'n')", "0"],
                b"$1\r\n2\r\n",
            ),
            // REPL_NONE keeps a write out of the AOF and the replicas.
            (
                &[
                    "EVAL",
                    "redis.set_repl(redis.REPL_NONE) redis.call('set', 'quiet', 1)",
                    "0",
                ],
                b"$-1\r\n",
            ),
            // A script in a transaction: one MULTI/EXEC around everything.
            (&["MULTI"], b"+OK\r\n"),
            (
                &[
                    "EVAL",
                    "redis.call('set', 'x', 1) redis.call('set', 'y', 2)",
                    "0",
                ],
                b"+QUEUED\r\n",
            ),
            (&["SET", "z", "3"], b"+QUEUED\r\n"),
            (&["EXEC"], b"*2\r\n$-1\r\n+OK\r\n"),
        ] {
            check(&mut c, args, want);
        }
        files.push(incr_aof(&server));
    }
    let want: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n\
*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\na\r\n*2\r\n$4\r\nincr\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n\
*2\r\n$4\r\nincr\r\n$1\r\nn\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\n1\r\n\
*3\r\n$3\r\nset\r\n$1\r\ny\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n3\r\n\
*1\r\n$4\r\nEXEC\r\n";
    for file in files {
        assert_eq!(show(&file), show(want));
    }
}

#[test]
fn replicas_get_the_effects_and_need_no_script_cache() {
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    wait_synced(&m, &[&r]);
    let mut c = m.raw();
    check(
        &mut c,
        &[
            "SCRIPT",
            "LOAD",
            "return redis.call('rpush', KEYS[1], ARGV[1])",
        ],
        b"$40\r\nde13cb79068e6feeef62810ed6047d9c2f29b864\r\n",
    );
    // math.random differs between runs, but the replica gets the numbers drawn.
    for _ in 0..20 {
        c.send_cmd(&[
            "EVALSHA",
            "de13cb79068e6feeef62810ed6047d9c2f29b864",
            "1",
            "l",
            "x",
        ]);
        c.read_reply();
        check(
            &mut c,
            &["EVAL", "redis.call('sadd', 's', math.random(1000000))", "0"],
            b"$-1\r\n",
        );
    }
    wait_synced(&m, &[&r]);
    let mut rc = r.raw();
    check(&mut rc, &["LLEN", "l"], b":20\r\n");
    check(&mut rc, &["SCARD", "s"], b":20\r\n");
    let digest = |c: &mut RawConn| {
        c.send_cmd(&["DEBUG", "DIGEST"]);
        c.read_reply()
    };
    assert_eq!(digest(&mut c), digest(&mut rc));
    // The replica never saw the script.
    check(
        &mut rc,
        &[
            "SCRIPT",
            "EXISTS",
            "de13cb79068e6feeef62810ed6047d9c2f29b864",
        ],
        b"*1\r\n:0\r\n",
    );
    // A write script on a read-only replica is refused; a read one runs.
    check(
        &mut rc,
        &["EVAL", "#!lua\nreturn 1", "0"],
        b"-READONLY You can't write against a read only replica.\r\n",
    );
    check(
        &mut rc,
        &[
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('llen', 'l')",
            "0",
        ],
        b":20\r\n",
    );
}

#[test]
fn a_script_that_runs_too_long_can_be_killed_while_others_get_busy() {
    for server in servers(&["--busy-reply-threshold", "100"]) {
        let mut runner = server.raw();
        let mut other = server.raw();
        runner.send_cmd(&["EVAL", "local i = 0 while true do i = i + 1 end", "0"]);
        let busy = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or \
SHUTDOWN NOSAVE.\r\n";
        assert!(wait_until(Duration::from_secs(10), || {
            other.send_cmd(&["PING"]);
            other.read_reply() == busy
        }));
        check(&mut other, &["GET", "x"], busy);
        check(&mut other, &["SHUTDOWN"], busy);
        check(&mut other, &["SCRIPT", "KILL"], b"+OK\r\n");
        let reply = String::from_utf8(runner.read_reply()).unwrap();
        assert!(
            reply.starts_with("-ERR Script killed by user with SCRIPT KILL... script: "),
            "{reply}"
        );
        check(&mut other, &["PING"], b"+PONG\r\n");
        check(&mut runner, &["PING"], b"+PONG\r\n");
    }
}

#[test]
fn a_script_that_wrote_cannot_be_killed_but_shutdown_nosave_stops_the_server() {
    let mut server = TestServer::start_with(&["--busy-reply-threshold", "100"]);
    let mut runner = server.raw();
    let mut other = server.raw();
    runner.send_cmd(&["EVAL", "redis.call('set', 'x', 1) while true do end", "0"]);
    assert!(wait_until(Duration::from_secs(10), || {
        other.send_cmd(&["PING"]);
        other.read_reply().starts_with(b"-BUSY")
    }));
    check(
        &mut other,
        &["SCRIPT", "KILL"],
        b"-UNKILLABLE Sorry the script already executed write commands against the dataset. \
You can either wait the script termination or kill the server in a hard way using the \
SHUTDOWN NOSAVE command.\r\n",
    );
    other.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    // Once the connection that asked closes, the server takes no new connection (Redis
    // exits inside the command; a client that reconnects at once must not find a
    // server still unwinding the script).
    other.expect_closed();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "a connection was accepted after SHUTDOWN NOSAVE closed its client"
    );
    assert!(wait_until(Duration::from_secs(10), || !server.is_running()));
}

#[test]
fn info_counts_scripts_and_the_interpreter_memory() {
    let server = TestServer::start();
    let mut c = server.raw();
    let field = |c: &mut RawConn, name: &str| -> i64 {
        c.send_cmd(&["INFO", "memory"]);
        let text = String::from_utf8(c.read_reply()).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 0);
    assert!(field(&mut c, "used_memory_lua") > 0);
    check(&mut c, &["EVAL", "return 1", "0"], b":1\r\n");
    check(&mut c, &["EVAL", "return 2", "0"], b":2\r\n");
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 2);
    assert!(field(&mut c, "used_memory_scripts_eval") > 0);
    check(&mut c, &["SCRIPT", "FLUSH", "ASYNC"], b"+OK\r\n");
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 0);
}
