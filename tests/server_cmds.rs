//! Server and introspection commands against the real binary: INFO sections and
//! fields, command and error statistics, CONFIG GET/SET/RESETSTAT/REWRITE, the COMMAND
//! family, SHUTDOWN, MEMORY and DEBUG, compared with redis-server 7.0 where it is
//! installed.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{items, pairs, show, start_redis_server, text, wait_until, RawConn, TestServer};
use redis::Value;

/// Options that let tests use DEBUG (off by default, as in Redis 7.0).
const DEBUG_ON: [&str; 2] = ["--enable-debug-command", "yes"];

/// Runs a command through the redis crate and returns the raw value.
fn query(con: &mut redis::Connection, args: &[&str]) -> Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query::<Value>(con)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Sends a command that must fail and returns the error line without `-` and CRLF.
fn query_err(raw: &mut RawConn, args: &[&str]) -> String {
    raw.send_cmd(args);
    let reply = raw.read_reply();
    assert!(reply.starts_with(b"-"), "{args:?} replied {}", show(&reply));
    String::from_utf8_lossy(&reply[1..reply.len() - 2]).into_owned()
}

/// INFO text split into sections: section name -> [(field, value)] in order.
fn parse_info(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.split("\r\n") {
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix("# ") {
            sections.push((name.to_string(), Vec::new()));
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("INFO line without ':': {line:?}"));
        let section = sections
            .last_mut()
            .unwrap_or_else(|| panic!("field before any header: {line:?}"));
        section.1.push((k.to_string(), v.to_string()));
    }
    sections
}

/// INFO `args` as one map of field -> value.
fn info_map(con: &mut redis::Connection, args: &[&str]) -> HashMap<String, String> {
    let mut all = vec!["INFO"];
    all.extend_from_slice(args);
    let text = text(&query(con, &all));
    parse_info(&text)
        .into_iter()
        .flat_map(|(_, fields)| fields)
        .collect()
}

/// INFO `args` over a raw connection (which sends nothing else), as field -> value.
fn raw_info_map(raw: &mut RawConn, args: &[&str]) -> HashMap<String, String> {
    let mut all = vec!["INFO"];
    all.extend_from_slice(args);
    raw.send_cmd(&all);
    let reply = raw.read_reply();
    let text = String::from_utf8(reply).unwrap();
    let (_, body) = text.split_once("\r\n").unwrap();
    parse_info(body)
        .into_iter()
        .flat_map(|(_, fields)| fields)
        .collect()
}

/// The names of the sections INFO `args` prints, in order.
fn info_sections(con: &mut redis::Connection, args: &[&str]) -> Vec<String> {
    let mut all = vec!["INFO"];
    all.extend_from_slice(args);
    parse_info(&text(&query(con, &all)))
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Parses `a=1,b=2` into a map.
fn parse_kv_list(s: &str) -> HashMap<String, String> {
    s.split(',')
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("bad item {kv:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn info_default_sections_fields_and_line_format() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut con).unwrap();
    let _: () = redis::cmd("SET").arg("b").arg("2").query(&mut con).unwrap();
    let _: () = redis::cmd("SELECT").arg("3").query(&mut con).unwrap();
    let _: () = redis::cmd("SET").arg("c").arg("3").query(&mut con).unwrap();

    let raw = text(&query(&mut con, &["INFO"]));
    assert!(raw.ends_with("\r\n"), "INFO must end with CRLF");
    assert!(!raw.replace("\r\n", "").contains('\n'), "bare LF in INFO");
    assert_eq!(
        info_sections(&mut con, &[]),
        [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Errorstats",
            "Cluster",
            "Keyspace"
        ]
    );
    let info = info_map(&mut con, &[]);
    assert_eq!(info["redis_version"], "7.0.15");
    assert_eq!(info["ferrodis_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["redis_mode"], "standalone");
    assert_eq!(info["tcp_port"], srv.port.to_string());
    assert_eq!(info["process_id"], srv.pid().to_string());
    assert!(is_hex(&info["run_id"], 40));
    assert!(info["connected_clients"].parse::<u64>().unwrap() >= 1);
    assert_eq!(info["maxclients"], "10000");
    // Memory comes from jemalloc and /proc.
    let used: u64 = info["used_memory"].parse().unwrap();
    let rss: u64 = info["used_memory_rss"].parse().unwrap();
    assert!(used > 100_000, "used_memory {used}");
    assert!(rss > used, "rss {rss} <= used {used}");
    assert!(info["used_memory_peak"].parse::<u64>().unwrap() >= used);
    assert!(info["used_memory_human"].ends_with('K') || info["used_memory_human"].ends_with('M'));
    assert!(info["mem_fragmentation_ratio"].parse::<f64>().unwrap() > 0.0);
    assert!(info["used_memory_peak_perc"].ends_with('%'));
    assert!(info["mem_allocator"].starts_with("jemalloc-"));
    assert_eq!(info["maxmemory_policy"], "noeviction");
    // Persistence defaults and the dirty counter.
    assert_eq!(info["rdb_changes_since_last_save"], "3");
    assert_eq!(info["loading"], "0");
    assert_eq!(info["rdb_bgsave_in_progress"], "0");
    assert_eq!(info["aof_enabled"], "0");
    assert_eq!(info["rdb_last_bgsave_status"], "ok");
    let lastsave: i64 = info["rdb_last_save_time"].parse().unwrap();
    let lastsave_cmd = match query(&mut con, &["LASTSAVE"]) {
        Value::Int(n) => n,
        other => panic!("LASTSAVE: {other:?}"),
    };
    assert_eq!(lastsave, lastsave_cmd);
    // Replication as a master with no replicas.
    assert_eq!(info["role"], "master");
    assert_eq!(info["connected_slaves"], "0");
    assert!(is_hex(&info["master_replid"], 40));
    assert_eq!(info["master_replid2"], "0".repeat(40));
    assert_eq!(info["master_repl_offset"], "0");
    assert_eq!(info["second_repl_offset"], "-1");
    assert_eq!(info["repl_backlog_active"], "0");
    assert_eq!(info["repl_backlog_size"], "1048576");
    // CPU times as seconds with six decimals.
    for f in ["used_cpu_sys", "used_cpu_user", "used_cpu_sys_main_thread"] {
        let (s, us) = info[f].split_once('.').unwrap();
        assert!(
            s.parse::<u64>().is_ok() && us.len() == 6,
            "{f}: {}",
            info[f]
        );
    }
    assert_eq!(info["cluster_enabled"], "0");
    // Keyspace lines.
    assert_eq!(info["db0"], "keys=2,expires=0,avg_ttl=0");
    assert_eq!(info["db3"], "keys=1,expires=0,avg_ttl=0");
    assert!(!info.contains_key("db1"));
    assert!(info["total_commands_processed"].parse::<u64>().unwrap() >= 4);
}

#[test]
fn info_section_selection() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    assert_eq!(info_sections(&mut con, &["server"]), ["Server"]);
    assert_eq!(info_sections(&mut con, &["SERVER"]), ["Server"]);
    assert_eq!(
        info_sections(&mut con, &["memory", "cpu", "memory"]),
        ["Memory", "CPU"]
    );
    assert_eq!(
        info_sections(&mut con, &["keyspace", "commandstats", "errorstats"]),
        ["Commandstats", "Errorstats", "Keyspace"]
    );
    assert_eq!(text(&query(&mut con, &["INFO", "nosuchsection"])), "");
    let everything = info_sections(&mut con, &["everything"]);
    for s in ["Server", "Commandstats", "Latencystats", "Keyspace"] {
        assert!(
            everything.iter().any(|x| x == s),
            "{s} missing: {everything:?}"
        );
    }
    assert_eq!(info_sections(&mut con, &["all"]), everything);
    let default_plus = info_sections(&mut con, &["default", "commandstats"]);
    assert!(default_plus.iter().any(|x| x == "Commandstats"));
    assert!(default_plus.iter().any(|x| x == "Server"));
    assert!(!default_plus.iter().any(|x| x == "Latencystats"));
}

#[test]
fn info_is_a_verbatim_string_in_resp3() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    raw.send_cmd(&["HELLO", "3"]);
    raw.read_reply();
    raw.send_cmd(&["INFO", "cluster"]);
    raw.expect(b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    raw.send_cmd(&["HELLO", "2"]);
    raw.read_reply();
    raw.send_cmd(&["INFO", "cluster"]);
    raw.expect(b"$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

#[test]
fn commandstats_and_errorstats_count_calls_rejections_failures_and_errors() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    for (cmd, reply_start) in [
        (&["GET", "x"][..], &b"$-1"[..]),
        (&["GET", "y"][..], b"$-1"),
        (&["SET", "a", "b"][..], b"+OK"),
        (
            &["GET"][..],
            b"-ERR wrong number of arguments for 'get' command",
        ),
        (&["NOSUCHCMD"][..], b"-ERR unknown command"),
        (&["CONFIG", "GET", "port"][..], b"*2"),
        (
            &["MEMORY", "USAGE", "a", "SAMPLES", "x"][..],
            b"-ERR value is not an integer",
        ),
    ] {
        raw.send_cmd(cmd);
        let reply = raw.read_reply();
        assert!(reply.starts_with(reply_start), "{cmd:?}: {}", show(&reply));
    }
    let stats = raw_info_map(&mut raw, &["commandstats"]);
    let get = parse_kv_list(&stats["cmdstat_get"]);
    assert_eq!(get["calls"], "2");
    assert_eq!(get["rejected_calls"], "1");
    assert_eq!(get["failed_calls"], "0");
    let usec: f64 = get["usec"].parse().unwrap();
    let per_call: f64 = get["usec_per_call"].parse().unwrap();
    assert!((per_call - usec / 2.0).abs() < 0.01, "{get:?}");
    assert_eq!(
        get["usec_per_call"].split('.').nth(1).map(str::len),
        Some(2)
    );
    assert_eq!(parse_kv_list(&stats["cmdstat_set"])["calls"], "1");
    assert_eq!(parse_kv_list(&stats["cmdstat_config|get"])["calls"], "1");
    let usage = parse_kv_list(&stats["cmdstat_memory|usage"]);
    assert_eq!(
        (usage["calls"].as_str(), usage["failed_calls"].as_str()),
        ("1", "1")
    );
    assert!(!stats.contains_key("cmdstat_nosuchcmd"));
    assert!(
        !stats.contains_key("cmdstat_del"),
        "unused commands are not listed"
    );

    let errors = raw_info_map(&mut raw, &["errorstats"]);
    assert_eq!(errors["errorstat_ERR"], "count=3");
    assert_eq!(
        raw_info_map(&mut raw, &["stats"])["total_error_replies"],
        "3"
    );

    raw.send_cmd(&["CONFIG", "RESETSTAT"]);
    raw.expect(b"+OK\r\n");
    let stats = raw_info_map(&mut raw, &["commandstats"]);
    let names: Vec<&String> = stats.keys().collect();
    assert_eq!(names, ["cmdstat_config|resetstat"], "after RESETSTAT");
    assert!(raw_info_map(&mut raw, &["errorstats"]).is_empty());
    assert_eq!(
        raw_info_map(&mut raw, &["stats"])["total_error_replies"],
        "0"
    );
}

#[test]
fn config_get_patterns_and_reply_shapes() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let reply = query(&mut con, &["CONFIG", "GET", "port"]);
    let port = pairs(&reply);
    assert_eq!(port.len(), 1);
    assert_eq!(
        (port[0].0.as_str(), text(port[0].1)),
        ("port", srv.port.to_string())
    );

    let names: Vec<String> = pairs(&query(&mut con, &["CONFIG", "GET", "maxmemory*"]))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for want in ["maxmemory", "maxmemory-policy", "maxmemory-samples"] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    assert!(
        names.iter().all(|n| n.starts_with("maxmemory")),
        "{names:?}"
    );

    // Several patterns: each parameter once.
    let reply = query(&mut con, &["CONFIG", "GET", "port", "hz", "PORT", "h?"]);
    let many = pairs(&reply);
    let names: Vec<&str> = many.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "port").count(),
        1,
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| **n == "hz").count(), 1, "{names:?}");
    assert!(pairs(&query(&mut con, &["CONFIG", "GET", "nosuch*"])).is_empty());

    let mut raw = srv.raw();
    raw.send_cmd(&["CONFIG", "GET", "hz"]);
    raw.expect(b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    raw.send_cmd(&["HELLO", "3"]);
    raw.read_reply();
    raw.send_cmd(&["CONFIG", "GET", "hz"]);
    raw.expect(b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    raw.send_cmd(&["CONFIG", "GET"]);
    raw.expect(b"-ERR wrong number of arguments for 'config|get' command\r\n");
}

/// oom-score-adj sets the server's own /proc/<pid>/oom_score_adj from the value of its
/// role, relative to the score it started with or absolute, and puts that score back
/// when turned off. Only raises the score, so it passes without privileges too.
#[test]
fn oom_score_adj_follows_the_config_and_the_role() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let mut raw = srv.raw();
    let path = format!("/proc/{}/oom_score_adj", srv.pid());
    let score = || -> i32 {
        std::fs::read_to_string(&path)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let base = score();
    let set = |con: &mut redis::Connection, args: &[&str]| {
        let mut all = vec!["CONFIG", "SET"];
        all.extend_from_slice(args);
        assert_eq!(query(con, &all), Value::Okay, "{args:?}");
    };
    // Values alone change nothing while it is off.
    set(&mut con, &["oom-score-adj-values", "10 20 30"]);
    assert_eq!(score(), base);
    set(&mut con, &["oom-score-adj", "yes"]);
    assert_eq!(score(), base + 10);
    set(&mut con, &["oom-score-adj-values", "15 20 30"]);
    assert_eq!(score(), base + 15);
    // A replica takes the second value, a master again the first.
    assert_eq!(
        query(&mut con, &["REPLICAOF", "127.0.0.1", "1"]),
        Value::Okay
    );
    assert_eq!(score(), base + 20);
    assert_eq!(query(&mut con, &["REPLICAOF", "NO", "ONE"]), Value::Okay);
    assert_eq!(score(), base + 15);
    set(
        &mut con,
        &[
            "oom-score-adj",
            "absolute",
            "oom-score-adj-values",
            "900 950 1000",
        ],
    );
    assert_eq!(score(), 900);
    set(&mut con, &["oom-score-adj", "no"]);
    assert_eq!(score(), base);
    // `relative` is `yes` and reads back so, as in Redis.
    set(&mut con, &["oom-score-adj", "relative"]);
    assert_eq!(
        text(pairs(&query(&mut con, &["CONFIG", "GET", "oom-score-adj"]))[0].1),
        "yes"
    );
    assert_eq!(score(), (base + 900).min(1000));
    assert_eq!(
        text(pairs(&query(&mut con, &["CONFIG", "GET", "oom-score-adj-values"]))[0].1),
        "900 950 1000"
    );
    for bad in ["-2001 0 0", "0 0 2001", "1 2 x"] {
        assert_eq!(
            query_err(&mut raw, &["CONFIG", "SET", "oom-score-adj-values", bad]),
            "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - \
             Invalid oom-score-adj-values, elements must be between -2000 and 2000."
        );
    }
    assert_eq!(
        query_err(&mut raw, &["CONFIG", "SET", "oom-score-adj-values", "1 2"]),
        "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - \
         wrong number of arguments"
    );
    set(&mut con, &["oom-score-adj", "no"]);
    assert_eq!(score(), base);
}

#[test]
fn config_set_is_atomic_across_pairs() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let mut raw = srv.raw();
    let get = |con: &mut redis::Connection, name: &str| {
        text(pairs(&query(con, &["CONFIG", "GET", name]))[0].1)
    };
    assert_eq!(
        query(
            &mut con,
            &["CONFIG", "SET", "hz", "20", "maxclients", "100"]
        ),
        Value::Okay
    );
    assert_eq!(get(&mut con, "hz"), "20");
    assert_eq!(get(&mut con, "maxclients"), "100");
    assert_eq!(info_map(&mut con, &["server"])["hz"], "20");
    assert_eq!(info_map(&mut con, &["clients"])["maxclients"], "100");

    // A bad second value leaves the first one unchanged.
    let err = query_err(
        &mut raw,
        &["CONFIG", "SET", "hz", "30", "maxclients", "bad"],
    );
    assert!(
        err.starts_with("ERR CONFIG SET failed (possibly related to argument 'maxclients')"),
        "{err}"
    );
    assert_eq!(get(&mut con, "hz"), "20");
    // ferrodis's own busy polling: on by default, bounded, can be turned off.
    assert_eq!(get(&mut con, "busy-poll-us"), "200");
    let err = query_err(&mut raw, &["CONFIG", "SET", "busy-poll-us", "1001"]);
    assert!(
        err.ends_with("argument must be between 0 and 1000 inclusive"),
        "{err}"
    );
    assert_eq!(
        query(&mut con, &["CONFIG", "SET", "busy-poll-us", "0"]),
        Value::Okay
    );
    assert_eq!(get(&mut con, "busy-poll-us"), "0");
    let err = query_err(&mut raw, &["CONFIG", "SET", "hz", "30", "nosuch", "1"]);
    assert_eq!(
        err,
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"
    );
    assert_eq!(get(&mut con, "hz"), "20");
    let err = query_err(&mut raw, &["CONFIG", "SET", "hz", "30", "HZ", "40"]);
    assert_eq!(
        err,
        "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"
    );

    raw.send_cmd(&["CONFIG", "SET", "hz", "5", "maxclients"]);
    raw.expect(b"-ERR syntax error\r\n");
    raw.send_cmd(&["CONFIG", "SET", "hz"]);
    raw.expect(b"-ERR wrong number of arguments for 'config|set' command\r\n");
}

#[test]
fn config_set_port_moves_the_listener_or_fails_cleanly() {
    let mut srv = TestServer::start();
    let old_port = srv.port;
    let mut con = srv.conn();
    // A port some other socket holds: refused, and we keep listening where we were.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = holder.local_addr().unwrap().port().to_string();
    let err = query_err(&mut srv.raw(), &["CONFIG", "SET", "port", &taken]);
    assert_eq!(
        err,
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
    );
    drop(holder);
    let mut raw = RawConn::connect(old_port);
    raw.send_cmd(&["CONFIG", "GET", "port"]);
    let reply = raw.read_reply();
    assert!(
        show(&reply).contains(&old_port.to_string()),
        "{}",
        show(&reply)
    );

    // A free port: the server moves there.
    let new_port = common::free_port();
    assert_eq!(
        query(&mut con, &["CONFIG", "SET", "port", &new_port.to_string()]),
        Value::Okay
    );
    let mut moved = RawConn::connect(new_port);
    moved.send_cmd(&["PING"]);
    moved.expect(b"+PONG\r\n");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", old_port)).is_err(),
        "the old port still accepts connections"
    );
    // Existing connections survive the move.
    assert_eq!(text(&query(&mut con, &["PING"])), "PONG");
    srv.port = new_port;
}

#[test]
fn config_rewrite_keeps_comments_and_updates_values() {
    let srv = TestServer::start_with_config("# a comment the user wrote\nhz 15\n", &[]);
    let mut con = srv.conn();
    assert_eq!(query(&mut con, &["CONFIG", "SET", "hz", "25"]), Value::Okay);
    assert_eq!(query(&mut con, &["CONFIG", "REWRITE"]), Value::Okay);
    let path = srv.dir.path().join(common::CONFIG_FILE);
    let conf = std::fs::read_to_string(&path).unwrap();
    assert!(conf.contains("# a comment the user wrote"), "{conf}");
    assert!(conf.lines().any(|l| l == "hz 25"), "{conf}");
    assert!(!conf.lines().any(|l| l == "hz 15"), "{conf}");

    let bare = TestServer::start();
    let err = query_err(&mut bare.raw(), &["CONFIG", "REWRITE"]);
    assert_eq!(err, "ERR The server is running without a config file");
}

/// Every directive written, those at their default too, reads back the same: a test
/// of every value CONFIG REWRITE can write (Redis's DEBUG CONFIG-REWRITE-FORCE-ALL).
#[test]
fn a_rewrite_of_every_directive_reads_back_the_same() {
    let mut srv = TestServer::start_with_config(
        "hz 15\nmaxmemory 10mb\nsave 900 1\nnotify-keyspace-events KEA\n",
        &["--enable-debug-command", "yes"],
    );
    let all = |srv: &TestServer| -> Vec<String> {
        let mut raw = srv.raw();
        raw.send_cmd(&["CONFIG", "GET", "*"]);
        let mut pairs: Vec<String> = show(&raw.read_reply())
            .split("\r\n")
            .map(str::to_string)
            .collect();
        pairs.sort();
        pairs
    };
    let before = all(&srv);
    let mut con = srv.conn();
    assert_eq!(
        query(&mut con, &["DEBUG", "CONFIG-REWRITE-FORCE-ALL"]),
        Value::Okay
    );
    let conf = std::fs::read_to_string(srv.dir.path().join(common::CONFIG_FILE)).unwrap();
    // Far more lines than the four the file had: the defaults are written too.
    assert!(
        conf.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count()
            > 100,
        "{conf}"
    );
    srv.restart();
    assert_eq!(all(&srv), before);
}

#[test]
fn config_help_lists_subcommands() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    raw.send_cmd(&["config", "help"]);
    let reply = raw.read_reply();
    assert!(reply.starts_with(
        b"*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n"
    ));
    assert!(reply.ends_with(b"+HELP\r\n+    Prints this help.\r\n"));
}

/// COMMAND INFO entry checks shared by several tests.
fn check_info_entry(
    entry: &Value,
    name: &str,
    arity: i64,
    flags: &[&str],
    keys: [i64; 3],
    cats: &[&str],
) {
    let e = items(entry);
    assert_eq!(e.len(), 10, "{name}: {entry:?}");
    assert_eq!(text(&e[0]), name);
    assert_eq!(e[1], Value::Int(arity), "{name} arity");
    let got_flags: Vec<String> = items(&e[2]).iter().map(text).collect();
    assert_eq!(got_flags, flags, "{name} flags");
    assert_eq!(
        [&e[3], &e[4], &e[5]],
        keys.map(Value::Int).each_ref(),
        "{name} keys"
    );
    let got_cats: Vec<String> = items(&e[6]).iter().map(text).collect();
    assert_eq!(got_cats, cats, "{name} categories");
    assert!(items(&e[7]).is_empty(), "{name} tips");
}

#[test]
fn command_count_info_docs_and_list() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let list: Vec<String> = items(&query(&mut con, &["COMMAND", "LIST"]))
        .iter()
        .map(text)
        .collect();
    let top = list.iter().filter(|n| !n.contains('|')).count() as i64;
    assert_eq!(query(&mut con, &["COMMAND", "COUNT"]), Value::Int(top));
    for name in [
        "get",
        "set",
        "config",
        "config|get",
        "command|docs",
        "info",
        "debug",
    ] {
        assert!(list.iter().any(|n| n == name), "{name} not listed");
    }

    let info = query(
        &mut con,
        &["COMMAND", "INFO", "get", "config|get", "nosuch"],
    );
    let entries = items(&info);
    assert_eq!(entries.len(), 3);
    check_info_entry(
        &entries[0],
        "get",
        2,
        &["readonly", "fast"],
        [1, 1, 1],
        &["@read", "@string", "@fast"],
    );
    check_info_entry(
        &entries[1],
        "config|get",
        -3,
        &["admin", "noscript", "loading", "stale"],
        [0, 0, 0],
        &["@admin", "@slow", "@dangerous"],
    );
    assert_eq!(entries[2], Value::Nil);
    // GET's key spec: index 1, range of one key.
    let specs = items(&items(&entries[0])[8]);
    assert_eq!(specs.len(), 1);
    let spec: HashMap<String, &Value> = pairs(&specs[0]).into_iter().collect();
    let begin: HashMap<String, &Value> = pairs(spec["begin_search"]).into_iter().collect();
    assert_eq!(text(begin["type"]), "index");
    let find: HashMap<String, &Value> = pairs(spec["find_keys"]).into_iter().collect();
    assert_eq!(text(find["type"]), "range");

    // A container lists its subcommands' entries.
    let config = query(&mut con, &["COMMAND", "INFO", "CONFIG"]);
    let config = &items(&config)[0];
    check_info_entry(config, "config", -2, &[], [0, 0, 0], &["@slow"]);
    let subs: Vec<String> = items(&items(config)[9])
        .iter()
        .map(|s| text(&items(s)[0]))
        .collect();
    for sub in [
        "config|get",
        "config|set",
        "config|resetstat",
        "config|rewrite",
        "config|help",
    ] {
        assert!(subs.iter().any(|s| s == sub), "{sub} not in {subs:?}");
    }

    // DOCS: map of name -> {summary, since, group, complexity, subcommands}.
    let docs = query(&mut con, &["COMMAND", "DOCS", "get", "config", "nosuch"]);
    let docs = pairs(&docs);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].0, "get");
    let get: HashMap<String, &Value> = pairs(docs[0].1).into_iter().collect();
    assert_eq!(text(get["since"]), "1.0.0");
    assert_eq!(text(get["group"]), "string");
    assert!(!text(get["summary"]).is_empty());
    let config: HashMap<String, &Value> = pairs(docs[1].1).into_iter().collect();
    assert_eq!(text(config["group"]), "server");
    let sub_docs = pairs(config["subcommands"]);
    let cget = sub_docs
        .iter()
        .find(|(n, _)| n == "config|get")
        .expect("config|get docs");
    let cget: HashMap<String, &Value> = pairs(cget.1).into_iter().collect();
    assert_eq!(text(cget["since"]), "2.0.0");
    assert!(text(cget["complexity"]).starts_with("O(N)"));
    assert!(pairs(&query(&mut con, &["COMMAND", "DOCS", "nosuch"])).is_empty());

    // LIST filters.
    let filtered = |con: &mut redis::Connection, kind: &str, arg: &str| -> Vec<String> {
        items(&query(con, &["COMMAND", "LIST", "FILTERBY", kind, arg]))
            .iter()
            .map(text)
            .collect()
    };
    let config_cmds = filtered(&mut con, "PATTERN", "CONFIG*");
    assert!(
        config_cmds.iter().all(|n| n.starts_with("config")),
        "{config_cmds:?}"
    );
    assert!(config_cmds.iter().any(|n| n == "config|set"));
    let dangerous = filtered(&mut con, "ACLCAT", "dangerous");
    assert!(dangerous.iter().any(|n| n == "info") && dangerous.iter().any(|n| n == "config|set"));
    assert!(!dangerous.iter().any(|n| n == "get"));
    assert!(filtered(&mut con, "ACLCAT", "nosuchcategory").is_empty());
    assert!(filtered(&mut con, "MODULE", "anything").is_empty());
}

#[test]
fn command_getkeys_and_errors_worded_like_redis() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    for (cmd, expected) in [
        (
            &["COMMAND", "GETKEYS", "SET", "k1", "v"][..],
            &b"*1\r\n$2\r\nk1\r\n"[..],
        ),
        (
            &["COMMAND", "GETKEYS", "MEMORY", "USAGE", "k2"][..],
            b"*1\r\n$2\r\nk2\r\n",
        ),
        (
            &["COMMAND", "GETKEYSANDFLAGS", "GET", "k3"][..],
            b"*1\r\n*2\r\n$2\r\nk3\r\n*2\r\n+RO\r\n+access\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "GET"][..],
            b"-ERR wrong number of arguments for 'command|getkeys' command\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "NOSUCH", "a"][..],
            b"-ERR Invalid command specified\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "CONFIG", "GET", "x"][..],
            b"-ERR The command has no key arguments\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "MEMORY", "NOSUCH", "x"][..],
            b"-ERR Invalid command specified\r\n",
        ),
        (
            &["COMMAND", "GETKEYS", "GET", "a", "b"][..],
            b"-ERR Invalid number of arguments specified for command\r\n",
        ),
        (
            &["COMMAND", "LIST", "FILTERBY", "bogus", "x"][..],
            b"-ERR syntax error\r\n",
        ),
        (
            &["COMMAND", "LIST", "FILTERBY", "PATTERN"][..],
            b"-ERR syntax error\r\n",
        ),
        (
            &["COMMAND", "NOSUCH"][..],
            b"-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n",
        ),
    ] {
        raw.send_cmd(cmd);
        raw.expect(expected);
    }
    raw.send_cmd(&["command", "help"]);
    let help = raw.read_reply();
    assert!(help.starts_with(
        b"*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
    ));
}

/// Plain COMMAND (no subcommand) needs the call path to run a container command's own
/// handler when no subcommand is given, as Redis does for COMMAND.
#[test]
fn plain_command_describes_every_command() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let all = query(&mut con, &["COMMAND"]);
    let count = query(&mut con, &["COMMAND", "COUNT"]);
    assert_eq!(Value::Int(items(&all).len() as i64), count);
    assert!(items(&all).iter().any(|e| text(&items(e)[0]) == "get"));
    let mut raw = srv.raw();
    raw.send_cmd(&["CONFIG"]);
    raw.expect(b"-ERR wrong number of arguments for 'config' command\r\n");
}

#[test]
fn redis_cli_interactive_session_starts_cleanly() {
    if !common::tool_available("redis-cli") || !common::tool_available("script") {
        common::report_skip(
            "redis_cli_interactive_session_starts_cleanly",
            "redis-cli/script",
        );
        return;
    }
    let srv = TestServer::start();
    // `script` gives redis-cli a terminal, so it starts its interactive mode (which loads
    // its command help with COMMAND DOCS); TERM=dumb keeps linenoise to plain lines.
    let mut child = Command::new("script")
        .args(["-qec", &format!("redis-cli -p {}", srv.port), "/dev/null"])
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ping\nquit\n")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("redis-cli did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "redis-cli failed: {stdout}");
    assert!(stdout.contains("PONG"), "{stdout}");
    assert!(!stdout.contains("ERR"), "{stdout}");
    let stats = info_map(&mut srv.conn(), &["commandstats"]);
    assert!(stats.contains_key("cmdstat_command|docs"), "{stats:?}");
}

#[test]
fn time_and_lastsave() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let t = query(&mut con, &["TIME"]);
    let t = items(&t);
    let secs: i64 = text(&t[0]).parse().unwrap();
    let usecs: i64 = text(&t[1]).parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((secs - now).abs() <= 2, "TIME {secs} vs {now}");
    assert!((0..1_000_000).contains(&usecs));
    match query(&mut con, &["LASTSAVE"]) {
        Value::Int(n) => assert!(n <= now && n > now - 60, "LASTSAVE {n}"),
        other => panic!("LASTSAVE: {other:?}"),
    }
}

/// With the cron paused (DEBUG PAUSE-CRON), a SIGTERM's shutdown waits, as in Redis,
/// and SHUTDOWN ABORT calls it off before it began.
#[test]
fn shutdown_abort_calls_off_a_sigterm_not_acted_on_yet() {
    let srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut con = srv.conn();
    assert_eq!(query(&mut con, &["DEBUG", "PAUSE-CRON", "1"]), Value::Okay);
    let killed = Command::new("kill")
        .args(["-TERM", &srv.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Three cron periods: the signal has long arrived, and nothing acted on it.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(query(&mut con, &["SHUTDOWN", "ABORT"]), Value::Okay);
    assert!(srv.log_contents().contains("Shutdown manually aborted."));
    assert_eq!(query(&mut con, &["DEBUG", "PAUSE-CRON", "0"]), Value::Okay);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        query(&mut con, &["PING"]),
        Value::SimpleString("PONG".into())
    );
    assert!(!srv.log_contents().contains("Received SIGTERM"));
}

/// Ctrl+C twice: a SIGINT while the shutdown of an earlier one is still saving exits
/// at once, with status 1 and without the save's temp file, as Redis does.
#[test]
fn a_second_sigint_during_the_shutdown_save_exits_at_once() {
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut con = srv.conn();
    for i in 0..20 {
        assert_eq!(query(&mut con, &["SET", &i.to_string(), "v"]), Value::Okay);
    }
    // The final save takes a second per key.
    assert_eq!(
        query(
            &mut con,
            &["CONFIG", "SET", "rdb-key-save-delay", "1000000"]
        ),
        Value::Okay
    );
    let sigint = |pid: u32| {
        let sent = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    let pid = srv.pid();
    let temp = srv.dir.path().join(format!("temp-{pid}.rdb"));
    sigint(pid);
    assert!(
        wait_until(Duration::from_secs(10), || temp.exists()),
        "{}",
        srv.log_contents()
    );
    sigint(pid);
    assert!(wait_until(Duration::from_secs(10), || !srv.is_running()));
    let status = srv.stop().expect("it ran");
    assert_eq!(status.code(), Some(1));
    assert!(!temp.exists());
    assert!(srv.log_contents().contains("You insist... exiting now."));
}

#[test]
fn shutdown_nosave_closes_connections_and_exits_with_status_0() {
    let mut srv = TestServer::start();
    let mut raw = srv.raw();
    raw.send_cmd(&["SHUTDOWN", "ABORT"]);
    raw.expect(b"-ERR No shutdown in progress.\r\n");
    raw.send_cmd(&["SHUTDOWN", "SAVE", "NOSAVE"]);
    raw.expect(b"-ERR syntax error\r\n");
    raw.send_cmd(&["SHUTDOWN", "bogus"]);
    raw.expect(b"-ERR syntax error\r\n");
    let mut other = srv.raw();
    raw.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    raw.expect_closed();
    other.expect_closed();
    assert!(
        wait_until(Duration::from_secs(10), || !srv.is_running()),
        "the server is still running"
    );
    let status = srv.stop().expect("exit status");
    assert!(status.success(), "exit status {status:?}");
    assert!(srv.log_contents().contains("User requested shutdown"));
}

#[test]
fn memory_usage_stats_doctor_and_errors() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let _: () = redis::cmd("SET")
        .arg("small")
        .arg("v")
        .query(&mut con)
        .unwrap();
    let big = "x".repeat(10_000);
    let _: () = redis::cmd("SET")
        .arg("big")
        .arg(&big)
        .query(&mut con)
        .unwrap();
    let usage = |con: &mut redis::Connection, key: &str| match query(con, &["MEMORY", "USAGE", key])
    {
        Value::Int(n) => Some(n),
        Value::Nil => None,
        other => panic!("MEMORY USAGE: {other:?}"),
    };
    let small = usage(&mut con, "small").unwrap();
    assert!((16..200).contains(&small), "small key uses {small}");
    let big_usage = usage(&mut con, "big").unwrap();
    assert!(
        (10_000..12_000).contains(&big_usage),
        "big key uses {big_usage}"
    );
    assert_eq!(usage(&mut con, "missing"), None);
    assert_eq!(
        query(&mut con, &["MEMORY", "USAGE", "small", "SAMPLES", "0"]),
        Value::Int(small)
    );

    let mut raw = srv.raw();
    for (cmd, expected) in [
        (
            &["MEMORY", "USAGE", "small", "SAMPLES", "x"][..],
            &b"-ERR value is not an integer or out of range\r\n"[..],
        ),
        (
            &["MEMORY", "USAGE", "small", "SAMPLES", "-1"][..],
            b"-ERR syntax error\r\n",
        ),
        (
            &["MEMORY", "USAGE", "small", "SAMPLES"][..],
            b"-ERR syntax error\r\n",
        ),
        (
            &["MEMORY", "USAGE", "small", "bogus"][..],
            b"-ERR syntax error\r\n",
        ),
        (
            &["MEMORY", "NOSUCH"][..],
            b"-ERR unknown subcommand 'NOSUCH'. Try MEMORY HELP.\r\n",
        ),
        (
            &["MEMORY"][..],
            b"-ERR wrong number of arguments for 'memory' command\r\n",
        ),
    ] {
        raw.send_cmd(cmd);
        raw.expect(expected);
    }

    let stats = query(&mut con, &["MEMORY", "STATS"]);
    let stats: HashMap<String, &Value> = pairs(&stats).into_iter().collect();
    assert_eq!(stats["keys.count"], &Value::Int(2));
    assert!(stats.contains_key("db.0") && !stats.contains_key("db.1"));
    match stats["total.allocated"] {
        Value::Int(n) => assert!(*n > 10_000),
        other => panic!("total.allocated {other:?}"),
    }
    assert!(text(stats["dataset.percentage"]).parse::<f64>().is_ok());
    assert_eq!(stats.len(), 28);

    let doctor = text(&query(&mut con, &["MEMORY", "DOCTOR"]));
    assert!(
        doctor.starts_with("The dataset is empty")
            || doctor.starts_with("No memory issue")
            || doctor.starts_with("Memory issues found"),
        "{doctor}"
    );
    assert!(text(&query(&mut con, &["MEMORY", "MALLOC-STATS"])).contains("jemalloc"));
    // MEMORY PURGE hands the pages freed by a flush back to the system at once
    // (jemalloc would otherwise keep them for its decay time, 10 s).
    let memory = |con: &mut redis::Connection, field: &str| -> u64 {
        let info = text(&query(con, &["INFO", "memory"]));
        let line = info.lines().find(|l| l.starts_with(field)).unwrap();
        line[field.len()..].trim().parse().unwrap()
    };
    let rss = |con: &mut redis::Connection| memory(con, "used_memory_rss:");
    query(&mut con, &["DEBUG", "POPULATE", "200000", "purge", "100"]);
    query(&mut con, &["FLUSHALL", "SYNC"]);
    // The flushed values are dropped by the lazy-free thread, which counts them.
    assert!(wait_until(Duration::from_secs(5), || {
        memory(&mut con, "lazyfree_pending_objects:") == 0
    }));
    assert!(memory(&mut con, "lazyfreed_objects:") >= 200_000);
    let before = rss(&mut con);
    assert!(
        before > 35 << 20,
        "the flushed keys' pages are still resident: {before}"
    );
    assert_eq!(text(&query(&mut con, &["MEMORY", "PURGE"])), "OK");
    assert!(
        wait_until(Duration::from_secs(3), || rss(&mut con)
            < before - (20 << 20)),
        "RSS stayed near {before} after MEMORY PURGE: {}",
        rss(&mut con)
    );
}

#[test]
fn debug_is_refused_unless_enabled() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    raw.send_cmd(&["DEBUG", "SLEEP", "0"]);
    raw.expect(b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n");
    let local = TestServer::start_with(&["--enable-debug-command", "local"]);
    let mut raw = local.raw();
    raw.send_cmd(&["DEBUG", "SLEEP", "0"]);
    raw.expect(b"+OK\r\n");
}

#[test]
fn debug_sleep_populate_object_and_set_active_expire() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut raw = srv.raw();
    raw.send_cmd(&["DEBUG", "SLEEP", "0"]);
    raw.expect(b"+OK\r\n");
    let started = Instant::now();
    raw.send_cmd(&["DEBUG", "SLEEP", "0.2"]);
    raw.expect(b"+OK\r\n");
    assert!(started.elapsed() >= Duration::from_millis(200));

    raw.send_cmd(&["SET", "key:3", "mine"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["DEBUG", "POPULATE", "10"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["GET", "key:3"]);
    raw.expect(b"$4\r\nmine\r\n");
    raw.send_cmd(&["GET", "key:9"]);
    raw.expect(b"$7\r\nvalue:9\r\n");
    raw.send_cmd(&["DEBUG", "POPULATE", "2", "p", "10"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["GET", "p:1"]);
    raw.expect(b"$10\r\nvalue:1\0\0\0\r\n");
    raw.send_cmd(&["DEBUG", "POPULATE", "1", "q", "3"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["GET", "q:0"]);
    raw.expect(b"$3\r\nval\r\n");
    let mut con = srv.conn();
    assert_eq!(
        info_map(&mut con, &["keyspace"])["db0"],
        "keys=13,expires=0,avg_ttl=0"
    );

    raw.send_cmd(&["DEBUG", "OBJECT", "key:1"]);
    let line = String::from_utf8(raw.read_reply()).unwrap();
    let fields: Vec<&str> = line.trim_end().split(' ').collect();
    assert!(
        fields[0] == "+Value" && fields[1].starts_with("at:0x"),
        "{line}"
    );
    assert_eq!(
        fields[2..5],
        ["refcount:1", "encoding:embstr", "serializedlength:8"],
        "{line}"
    );
    assert!(
        fields[5].starts_with("lru:") && fields[6].starts_with("lru_seconds_idle:"),
        "{line}"
    );
    raw.send_cmd(&["SET", "n", "42"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["DEBUG", "OBJECT", "n"]);
    let line = String::from_utf8(raw.read_reply()).unwrap();
    assert!(
        line.contains(" refcount:2147483647 encoding:int serializedlength:2 "),
        "{line}"
    );

    for (cmd, expected) in [
        (&["DEBUG", "OBJECT", "nokey"][..], &b"-ERR no such key\r\n"[..]),
        (&["DEBUG", "POPULATE", "-1"][..], b"-ERR value is out of range, must be positive\r\n"),
        (&["DEBUG", "POPULATE", "x"][..], b"-ERR value is out of range, must be positive\r\n"),
        (&["DEBUG", "SLEEP"][..], b"-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n"),
        (&["DEBUG", "nosuch"][..], b"-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n"),
        (&["DEBUG", "SET-ACTIVE-EXPIRE", "0"][..], b"+OK\r\n"),
        (&["DEBUG", "SET-ACTIVE-EXPIRE", "1"][..], b"+OK\r\n"),
        (&["DEBUG", "ERROR", "CUSTOM made up"][..], b"-CUSTOM made up\r\n"),
        (&["DEBUG", "PROTOCOL", "integer"][..], b":12345\r\n"),
    ] {
        raw.send_cmd(cmd);
        raw.expect(expected);
    }
    raw.send_cmd(&["DEBUG", "HELP"]);
    let help = raw.read_reply();
    assert!(help.starts_with(b"*") && show(&help).contains("+SLEEP <seconds>"));
}

/// Loads the same small dataset into a server.
fn load_digest_dataset(raw: &mut RawConn) {
    let long = "L".repeat(300);
    for cmd in [
        &["SET", "s1", "hello"][..],
        &["SET", "num", "12345"],
        &["SET", "neg", "-7"],
        &["SET", "empty", ""],
        &["SET", "long", &long],
        &["SELECT", "2"],
        &["SET", "s1", "other db"],
        &["SELECT", "0"],
    ] {
        raw.send_cmd(cmd);
        raw.expect(b"+OK\r\n");
    }
}

/// Sends `cmd` and returns the reply bytes.
fn reply_of(raw: &mut RawConn, cmd: &[&str]) -> Vec<u8> {
    raw.send_cmd(cmd);
    raw.read_reply()
}

#[test]
fn debug_digest_equals_real_redis() {
    let ours = TestServer::start_with(&DEBUG_ON);
    let mut a = ours.raw();
    assert_eq!(
        reply_of(&mut a, &["DEBUG", "DIGEST"]),
        format!("+{}\r\n", "0".repeat(40)).into_bytes(),
        "empty dataset"
    );
    load_digest_dataset(&mut a);
    let digest = reply_of(&mut a, &["DEBUG", "DIGEST"]);
    assert_ne!(digest, format!("+{}\r\n", "0".repeat(40)).into_bytes());
    let values = reply_of(&mut a, &["DEBUG", "DIGEST-VALUE", "s1", "num", "nokey"]);
    assert!(values.ends_with(format!("+{}\r\n", "0".repeat(40)).as_bytes()));

    let Some(real) = start_redis_server(&DEBUG_ON) else {
        return;
    };
    let mut b = real.raw();
    load_digest_dataset(&mut b);
    assert_eq!(show(&digest), show(&reply_of(&mut b, &["DEBUG", "DIGEST"])));
    assert_eq!(
        show(&values),
        show(&reply_of(
            &mut b,
            &["DEBUG", "DIGEST-VALUE", "s1", "num", "nokey"]
        ))
    );
}

#[test]
fn replies_match_real_redis_byte_for_byte() {
    let ours = TestServer::start_with(&DEBUG_ON);
    let Some(real) = start_redis_server(&DEBUG_ON) else {
        return;
    };
    let (mut a, mut b) = (ours.raw(), real.raw());
    let long = "v".repeat(100);
    let cases: Vec<Vec<&str>> = vec![
        vec!["SET", "k", "v"],
        vec!["SET", "n", "7"],
        vec!["SET", "longval", &long],
        vec!["COMMAND", "INFO", "get", "nosuch"],
        vec!["COMMAND", "GETKEYS", "get", "k"],
        vec!["COMMAND", "GETKEYS", "ping"],
        vec!["COMMAND", "HELP"],
        vec!["CONFIG", "HELP"],
        vec!["MEMORY", "HELP"],
        vec!["MEMORY", "PURGE"],
        vec!["MEMORY", "USAGE", "nokey"],
        vec!["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
        // MEMORY DOCTOR speaks in our own words, not byte for byte.
        vec!["CONFIG", "SET", "hz", "x"],
        vec!["CONFIG", "SET", "nosuch", "1"],
        vec!["CONFIG", "SET", "hz", "20", "maxclients", "100"],
        vec!["CONFIG", "GET", "hz"],
        vec!["CONFIG", "SET", "port"],
        vec!["CONFIG", "SET", "hz", "1", "hz"],
        vec!["SHUTDOWN", "ABORT"],
        vec!["SHUTDOWN", "NOW", "ABORT"],
        vec!["INFO", "nosuchsection"],
        vec!["INFO", "cluster"],
        vec!["DEBUG", "OBJECT", "nokey"],
        vec!["DEBUG", "POPULATE", "5"],
        vec!["DEBUG", "POPULATE", "3", "pre", "20"],
        vec!["DEBUG", "DIGEST"],
        vec!["DEBUG", "DIGEST-VALUE", "k", "key:2", "pre:1"],
        vec!["DEBUG", "SLEEP", "0"],
        vec!["DEBUG", "PROTOCOL", "map"],
        vec!["DEBUG", "PROTOCOL", "attrib"],
        vec!["DEBUG", "PROTOCOL", "push"],
        vec!["DEBUG", "PROTOCOL", "bogus"],
        vec!["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
        vec!["DEBUG", "bogus", "x"],
        vec!["LASTSAVE", "x"],
        vec!["TIME", "x"],
    ];
    for cmd in &cases {
        let ours = reply_of(&mut a, cmd);
        let theirs = reply_of(&mut b, cmd);
        assert_eq!(show(&ours), show(&theirs), "{cmd:?}");
    }
    // DEBUG OBJECT: same fields apart from the address and the clock.
    for key in ["k", "n", "longval", "key:1", "pre:2"] {
        let strip = |reply: Vec<u8>| -> Vec<String> {
            String::from_utf8(reply)
                .unwrap()
                .split(' ')
                .filter(|f| !f.starts_with("at:") && !f.starts_with("lru"))
                .map(str::to_string)
                .collect()
        };
        let ours = strip(reply_of(&mut a, &["DEBUG", "OBJECT", key]));
        let theirs = strip(reply_of(&mut b, &["DEBUG", "OBJECT", key]));
        assert_eq!(ours, theirs, "DEBUG OBJECT {key}");
    }
    // Same field names, in the same order, in every section but the Commandstats and
    // Latencystats lines (they depend on the commands run) and our ferrodis_version.
    let names = |raw: &mut RawConn| -> Vec<String> {
        let reply = reply_of(raw, &["INFO", "everything"]);
        let text = String::from_utf8_lossy(&reply).into_owned();
        text.split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| l.split(':').next().unwrap_or("").to_string())
            .filter(|n| {
                !n.starts_with("cmdstat_")
                    && !n.starts_with("latency_percentiles")
                    && !n.starts_with("errorstat_")
                    && n != "ferrodis_version"
            })
            .collect()
    };
    assert_eq!(names(&mut a), names(&mut b));
}

/// (command name, calls, [(bucket µs, cumulative count)]).
type HistogramEntry = (String, i64, Vec<(i64, i64)>);

/// The entries of a LATENCY HISTOGRAM reply: each command's name, `calls`, and the
/// `histogram_usec` pairs (bucket upper bound in µs, cumulative count).
fn histogram_entries(raw: &mut RawConn, args: &[&str]) -> Vec<HistogramEntry> {
    raw.send_cmd(args);
    let reply = raw.read_reply();
    let v: Value = redis::parse_redis_value(&reply).unwrap();
    let Value::Array(items) = v else {
        panic!("not an array: {}", show(&reply));
    };
    let mut out = Vec::new();
    for pair in items.chunks(2) {
        let Value::BulkString(name) = &pair[0] else {
            panic!("bad name in {}", show(&reply));
        };
        let Value::Array(body) = &pair[1] else {
            panic!("bad body in {}", show(&reply));
        };
        assert_eq!(body[0], Value::BulkString(b"calls".to_vec()));
        assert_eq!(body[2], Value::BulkString(b"histogram_usec".to_vec()));
        let Value::Int(calls) = body[1] else {
            panic!("bad calls in {}", show(&reply));
        };
        let Value::Array(hist) = &body[3] else {
            panic!("bad histogram in {}", show(&reply));
        };
        let buckets = hist
            .chunks(2)
            .map(|b| match (&b[0], &b[1]) {
                (Value::Int(u), Value::Int(n)) => (*u, *n),
                _ => panic!("bad bucket in {}", show(&reply)),
            })
            .collect();
        out.push((String::from_utf8(name.clone()).unwrap(), calls, buckets));
    }
    out
}

/// LATENCY HISTOGRAM and INFO latencystats: per-command samples (subcommands by full
/// name), Redis's bucket bounds (1, 2, 4, 8, 16, 33, 66... µs), cumulative counts, unknown
/// names skipped, nothing while latency-tracking is off, cleared by CONFIG RESETSTAT;
/// a blocked command is sampled once, when served or timed out.
#[test]
fn latency_histogram_and_latencystats() {
    let server = TestServer::start();
    let mut raw = server.raw();
    for _ in 0..3 {
        raw.send_cmd(&["SET", "a", "b"]);
        raw.expect(b"+OK\r\n");
    }
    raw.send_cmd(&["CONFIG", "GET", "maxmemory"]);
    raw.read_reply();
    raw.send_cmd(&["LATENCY", "HISTOGRAM", "get"]);
    raw.expect(b"*0\r\n");
    let bounds = [
        1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266,
        270532, 541065, 1073741,
    ];
    let got = histogram_entries(
        &mut raw,
        &["LATENCY", "HISTOGRAM", "set", "nosuch", "config"],
    );
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1), ("set", 3));
    assert_eq!((got[1].0.as_str(), got[1].1), ("config|get", 1));
    for (_, calls, buckets) in &got {
        assert_eq!(buckets.last().unwrap().1, *calls);
        assert!(buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
        assert!(
            buckets.iter().all(|(u, _)| bounds.contains(u)),
            "{buckets:?}"
        );
    }
    let named = histogram_entries(&mut raw, &["LATENCY", "HISTOGRAM", "CONFIG|GET"]);
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].0, "config|get");
    let all = histogram_entries(&mut raw, &["LATENCY", "HISTOGRAM"]);
    assert!(all.iter().any(|e| e.0 == "latency|histogram"), "{all:?}");

    raw.send_cmd(&["INFO", "latencystats"]);
    let info = String::from_utf8(raw.read_reply()).unwrap();
    let line = info
        .lines()
        .find(|l| l.starts_with("latency_percentiles_usec_set:"))
        .unwrap_or_else(|| panic!("{info}"));
    let parts: Vec<&str> = line.split(':').nth(1).unwrap().split(',').collect();
    assert_eq!(parts.len(), 3, "{line}");
    for (part, label) in parts.iter().zip(["p50=", "p99=", "p99.9="]) {
        let value = part.strip_prefix(label).unwrap_or_else(|| panic!("{line}"));
        let (_, frac) = value.split_once('.').unwrap();
        assert_eq!(frac.len(), 3, "{line}");
    }

    // Blocked: sampled once when served, once when timed out.
    let mut ctl = server.raw();
    raw.send_cmd(&["BLPOP", "list", "0"]);
    assert!(wait_until(Duration::from_secs(10), || {
        ctl.send_cmd(&["INFO", "clients"]);
        String::from_utf8_lossy(&ctl.read_reply()).contains("blocked_clients:1")
    }));
    let blpop = histogram_entries(&mut ctl, &["LATENCY", "HISTOGRAM", "blpop"]);
    assert!(blpop.is_empty(), "{blpop:?}");
    ctl.send_cmd(&["RPUSH", "list", "x"]);
    ctl.expect(b":1\r\n");
    raw.read_reply();
    raw.send_cmd(&["BLPOP", "list", "0.01"]);
    raw.expect(b"*-1\r\n");
    let blpop = histogram_entries(&mut ctl, &["LATENCY", "HISTOGRAM", "blpop"]);
    assert_eq!(blpop[0].1, 2, "{blpop:?}");

    // Off: no samples, empty section. RESETSTAT drops the histograms.
    raw.send_cmd(&["CONFIG", "SET", "latency-tracking", "no"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["SET", "a", "b"]);
    raw.expect(b"+OK\r\n");
    assert_eq!(
        histogram_entries(&mut raw, &["LATENCY", "HISTOGRAM", "set"])[0].1,
        3
    );
    raw.send_cmd(&["INFO", "latencystats"]);
    raw.expect(b"$16\r\n# Latencystats\r\n\r\n");
    raw.send_cmd(&["CONFIG", "SET", "latency-tracking", "yes"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["CONFIG", "RESETSTAT"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["LATENCY", "HISTOGRAM", "set"]);
    raw.expect(b"*0\r\n");
}

/// `latency-tracking-info-percentiles`: validated as Redis validates it, printed back
/// normalized, an empty value allowed; INFO latencystats labels follow it. The replies
/// are Redis 7.0.15's (checked against a real redis-server when installed).
const PERCENTILES: common::Script = &[
    (
        &["CONFIG", "GET", "latency-tracking-info-percentiles"],
        b"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$10\r\n50 99 99.9\r\n",
    ),
    (
        &["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0"],
        b"+OK\r\n",
    ),
    (
        &["CONFIG", "GET", "latency-tracking-info-percentiles"],
        b"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$8\r\n0 50 100\r\n",
    ),
    (
        &["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 a"],
        b"-ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters\r\n",
    ),
    (
        &["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 101"],
        b"-ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]\r\n",
    ),
    (
        &["CONFIG", "GET", "latency-tracking-info-percentiles"],
        b"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$8\r\n0 50 100\r\n",
    ),
    (
        &["CONFIG", "SET", "latency-tracking-info-percentiles", "99.99 0.5 1e1"],
        b"+OK\r\n",
    ),
    (
        &["CONFIG", "GET", "latency-tracking-info-percentiles"],
        b"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$12\r\n99.99 0.5 10\r\n",
    ),
    (
        &["CONFIG", "SET", "latency-tracking-info-percentiles", ""],
        b"+OK\r\n",
    ),
    (
        &["CONFIG", "GET", "latency-tracking-info-percentiles"],
        b"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$0\r\n\r\n",
    ),
];

#[test]
fn latency_tracking_info_percentiles_config() {
    let server = TestServer::start();
    let mut raw = server.raw();
    common::run_script(&mut raw, PERCENTILES);
    raw.send_cmd(&["SET", "a", "b"]);
    raw.expect(b"+OK\r\n");
    let info = |raw: &mut RawConn| {
        raw.send_cmd(&["INFO", "latencystats"]);
        let text = String::from_utf8(raw.read_reply()).unwrap();
        text.lines()
            .find(|l| l.starts_with("latency_percentiles_usec_set:"))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    };
    assert_eq!(info(&mut raw), "latency_percentiles_usec_set:");
    raw.send_cmd(&[
        "CONFIG",
        "SET",
        "latency-tracking-info-percentiles",
        "99.99 0.5",
    ]);
    raw.expect(b"+OK\r\n");
    let line = info(&mut raw);
    let labels: Vec<&str> = line["latency_percentiles_usec_set:".len()..]
        .split(',')
        .map(|p| p.split('=').next().unwrap())
        .collect();
    assert_eq!(labels, ["p99.99", "p0.5"], "{line}");
    if let Some(redis) = start_redis_server(&[]) {
        common::run_script(&mut redis.raw(), PERCENTILES);
    }
}

/// DEBUG HTSTATS / HTSTATS-KEY / QUICKLIST-PACKED-THRESHOLD on a fresh server: replies
/// that do not depend on hash seeds, then list commands over elements that each get a
/// node of their own (also across a DEBUG RELOAD).
fn debug_internals_cases() -> Vec<Vec<String>> {
    let big = |c: &str| c.repeat(20);
    let cases: Vec<Vec<&str>> = vec![
        vec!["DEBUG", "HTSTATS", "0"],
        vec!["DEBUG", "HTSTATS", "16"],
        vec!["DEBUG", "HTSTATS", "-1"],
        vec!["DEBUG", "HTSTATS", "x"],
        vec!["DEBUG", "HTSTATS-KEY", "nokey"],
        vec!["SADD", "ints", "1", "2", "3"],
        vec!["DEBUG", "HTSTATS-KEY", "ints"],
        vec!["HSET", "small", "f", "v"],
        vec!["DEBUG", "HTSTATS-KEY", "small"],
        vec!["SET", "str", "v"],
        vec!["DEBUG", "HTSTATS-KEY", "str"],
        vec!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"],
        vec!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "abc"],
        vec!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "10b"],
        vec!["RPUSH", "l", "aa", "bb", "cc", "dd"],
        vec!["LINSERT", "l", "AFTER", "bb", "x-long-element-one"],
        vec!["LINSERT", "l", "BEFORE", "aa", "x-long-element-two"],
        vec!["LINSERT", "l", "AFTER", "x-long-element-one", "ee"],
        vec!["LSET", "l", "-1", "x-long-element-three"],
        vec!["LSET", "l", "3", "ff"],
        vec!["RPUSH", "l", "123456789012"],
        vec!["LRANGE", "l", "0", "-1"],
        vec!["LREM", "l", "0", "ee"],
        vec!["LPOS", "l", "x-long-element-three"],
        vec!["LTRIM", "l", "1", "-2"],
        vec!["LMOVE", "l", "m", "RIGHT", "LEFT"],
        vec!["DEBUG", "RELOAD"],
        vec!["LRANGE", "l", "0", "-1"],
        vec!["LRANGE", "m", "0", "-1"],
        vec!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"],
        vec!["LPUSH", "l", "x-long-element-four"],
        vec!["LRANGE", "l", "0", "-1"],
    ];
    let mut out: Vec<Vec<String>> = cases
        .into_iter()
        .map(|c| c.into_iter().map(str::to_string).collect())
        .collect();
    // A run of large elements, then a small one that cannot join any of them.
    let mut push = vec!["RPUSH".to_string(), "runs".to_string()];
    push.extend(["a", "b", "c"].map(big));
    out.push(vec![
        "DEBUG".into(),
        "QUICKLIST-PACKED-THRESHOLD".into(),
        "1b".into(),
    ]);
    out.push(push);
    out.push(vec!["LPUSH".into(), "runs".into(), "z".into()]);
    out.push(vec![
        "LRANGE".into(),
        "runs".into(),
        "0".into(),
        "-1".into(),
    ]);
    out.push(vec![
        "DEBUG".into(),
        "QUICKLIST-PACKED-THRESHOLD".into(),
        "0".into(),
    ]);
    out
}

/// The numbers of each table in DEBUG HTSTATS text: (table size, elements, sum of the
/// chain length distribution). An empty table reads as zeros.
fn htstats_numbers(text: &str) -> Vec<(u64, u64, u64)> {
    let field = |table: &str, name: &str| -> u64 {
        let line = table.lines().find(|l| l.trim_start().starts_with(name));
        let value = line.and_then(|l| l.rsplit(": ").next());
        value.and_then(|v| v.parse().ok()).unwrap_or(0)
    };
    text.split("Hash table ")
        .skip(1)
        .map(|table| {
            let distribution = table
                .lines()
                .skip_while(|l| !l.contains("Chain length distribution"))
                .skip(1)
                .take_while(|l| l.starts_with("   "))
                // "   <chain length>: <buckets> (<share>%)"
                .map(|l| {
                    let buckets = l.split(": ").nth(1).and_then(|r| r.split(' ').next());
                    buckets
                        .and_then(|b| b.parse::<u64>().ok())
                        .unwrap_or_else(|| panic!("{l}"))
                })
                .sum();
            (
                field(table, "table size"),
                field(table, "number of elements"),
                distribution,
            )
        })
        .collect()
}

#[test]
fn debug_hash_table_stats_and_packed_threshold() {
    let ours = TestServer::start_with(&DEBUG_ON);
    let mut a = ours.raw();
    let cases = debug_internals_cases();
    let replies: Vec<Vec<u8>> = cases
        .iter()
        .map(|c| reply_of(&mut a, &c.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    let empty =
        "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n";
    let want = format!("[Dictionary HT]\n{empty}[Expires HT]\n{empty}");
    assert_eq!(
        show(&replies[0]),
        show(format!("${}\r\n{want}\r\n", want.len()).as_bytes())
    );
    assert_eq!(
        show(&replies[6]),
        show(b"-ERR The value stored at the specified key is not represented using an hash table\r\n")
    );
    assert_eq!(
        show(&replies[11]),
        show(b"-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n")
    );

    // Hash tables of each kind: every bucket counted once, every element once.
    let members: Vec<String> = (0..600).map(|i| format!("member:{i}")).collect();
    let mut sadd = vec!["SADD", "set"];
    let mut hset = vec!["HSET", "hash"];
    let mut zadd = vec!["ZADD", "zset"];
    for m in &members {
        sadd.push(m);
        hset.extend([m.as_str(), "v"]);
        zadd.extend(["1", m.as_str()]);
    }
    for cmd in [&sadd, &hset, &zadd] {
        assert_eq!(reply_of(&mut a, cmd), b":600\r\n");
    }
    for key in ["set", "hash", "zset"] {
        let reply = String::from_utf8(reply_of(&mut a, &["DEBUG", "HTSTATS-KEY", key])).unwrap();
        let tables = htstats_numbers(&reply);
        assert_eq!(tables.iter().map(|t| t.1).sum::<u64>(), 600, "{reply}");
        for (size, elements, buckets) in tables {
            assert!(size.is_power_of_two() && size >= 64, "{reply}");
            if elements > 0 {
                assert_eq!(buckets, size, "{reply}");
            }
        }
    }
    let reply = String::from_utf8(reply_of(&mut a, &["DEBUG", "HTSTATS", "0"])).unwrap();
    let (keys, expires) = reply.split_once("[Expires HT]\n").expect("two sections");
    // ints, small, str, the lists l, m and runs, then set, hash and zset.
    let elements = |t: &str| htstats_numbers(t).iter().map(|t| t.1).sum::<u64>();
    assert_eq!(elements(keys), 9, "{reply}");
    assert_eq!(elements(expires), 0, "{reply}");

    let Some(real) = start_redis_server(&DEBUG_ON) else {
        return;
    };
    let mut b = real.raw();
    for (cmd, ours) in cases.iter().zip(&replies) {
        let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
        assert_eq!(show(ours), show(&reply_of(&mut b, &cmd)), "{cmd:?}");
    }
}

#[test]
fn info_counts_timed_blocked_clients_and_replication_buffers() {
    let ours = TestServer::start();
    let theirs = start_redis_server(&[]);
    for server in std::iter::once(&ours).chain(theirs.as_ref()) {
        let mut timed = server.raw();
        let mut forever = server.raw();
        timed.send_cmd(&["BLPOP", "a", "30"]);
        forever.send_cmd(&["BLPOP", "b", "0"]);
        let mut probe = server.raw();
        let mut info = String::new();
        assert!(wait_until(Duration::from_secs(5), || {
            probe.send_cmd(&["INFO", "clients"]);
            info = String::from_utf8(probe.read_reply()).unwrap();
            info.contains("blocked_clients:2\r\n")
        }));
        // Only the client with a deadline waits in the timeout table.
        assert!(info.contains("clients_in_timeout_table:1\r\n"), "{info}");
    }
    let mut probe = ours.raw();
    probe.send_cmd(&["INFO", "memory"]);
    let info = String::from_utf8(probe.read_reply()).unwrap();
    let field = |name: &str| -> u64 {
        let line = info.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len() + 1..].trim().parse().unwrap()
    };
    assert_eq!(
        field("mem_total_replication_buffers"),
        field("mem_replication_backlog") + field("mem_clients_slaves"),
        "{info}"
    );
}

#[test]
fn a_huge_command_leaves_no_buffer_behind() {
    // A 100k-argument SADD is encoded for the replication stream; the scratch buffer
    // that took it must not stay allocated once the set is gone.
    let server = TestServer::start();
    let mut con = server.conn();
    let used = |con: &mut redis::Connection| -> i64 {
        let info = text(&query(con, &["INFO", "memory"]));
        let line = info
            .lines()
            .find(|l| l.starts_with("used_memory:"))
            .unwrap();
        line["used_memory:".len()..].trim().parse().unwrap()
    };
    let before = used(&mut con);
    let members: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let mut sadd = redis::cmd("SADD");
    sadd.arg("big").arg(&members);
    let added: i64 = sadd.query(&mut con).unwrap();
    assert_eq!(added, 100_000);
    assert_eq!(query(&mut con, &["DEL", "big"]), Value::Int(1));
    let after = used(&mut con);
    assert!(
        after < before + (512 << 10),
        "used_memory {before} before the SADD, {after} after deleting the set"
    );
}

#[test]
fn a_crash_leaves_its_report_and_stack_trace_in_the_log() {
    for (sub, headline) in [
        ("SEGFAULT", "crashed by signal: 11 (SIGSEGV)"),
        ("PANIC", "panicked in thread 'main': DEBUG PANIC called"),
    ] {
        let mut srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
        let mut raw = srv.raw();
        raw.send_cmd(&["DEBUG", sub]);
        raw.expect_closed();
        assert!(wait_until(Duration::from_secs(30), || !srv.is_running()));
        let log = srv.log_contents();
        let report = log
            .split("=== FERRODIS BUG REPORT START ===")
            .nth(1)
            .unwrap_or_else(|| panic!("no report after DEBUG {sub}:\n{log}"));
        assert!(report.contains(headline), "{report}");
        assert!(report.contains("------ STACK TRACE ------"), "{report}");
        assert!(
            report.contains("debug"),
            "the trace names the command:\n{report}"
        );
        assert!(report.contains("=== FERRODIS BUG REPORT END"), "{report}");
    }
}

/// MODULE on a server without a module API: LIST finds none; LOAD, LOADEX and UNLOAD
/// are refused unless `enable-module-command` allows them, and then fail as a failed
/// load fails in Redis, with the reason in the log.
#[test]
fn module_lists_none_and_cannot_load() {
    let srv = TestServer::start();
    let mut raw = srv.raw();
    raw.send_cmd(&["MODULE", "LIST"]);
    raw.expect(b"*0\r\n");
    let refused = "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
    for cmd in [
        &["MODULE", "LOAD", "/tmp/m.so"][..],
        &["MODULE", "LOADEX", "/tmp/m.so", "ARGS", "a"],
        &["MODULE", "UNLOAD", "m"],
    ] {
        assert_eq!(query_err(&mut raw, cmd), refused, "{cmd:?}");
    }
    // Refused before authentication and at queue time, as DEBUG is.
    raw.send_cmd(&["MULTI"]);
    raw.expect(b"+OK\r\n");
    assert_eq!(query_err(&mut raw, &["MODULE", "UNLOAD", "m"]), refused);
    assert!(query_err(&mut raw, &["EXEC"]).starts_with("EXECABORT"));

    let open = TestServer::start_with(&["--enable-module-command", "local"]);
    let mut raw = open.raw();
    assert_eq!(
        query_err(&mut raw, &["MODULE", "LOAD", "/tmp/m.so", "x"]),
        "ERR Error loading the extension. Please check the server logs."
    );
    assert_eq!(
        query_err(&mut raw, &["MODULE", "UNLOAD", "m"]),
        "ERR Error unloading module: no such module with that name"
    );
    assert!(open
        .log_contents()
        .contains("Module /tmp/m.so failed to load"));
    raw.send_cmd(&["MODULE", "LIST"]);
    raw.expect(b"*0\r\n");
}

#[test]
fn module_replies_match_redis() {
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    for cmd in [
        &["MODULE", "LIST"][..],
        &["MODULE", "HELP"],
        &["MODULE"],
        &["MODULE", "nope"],
        &["MODULE", "LOAD", "/tmp/m.so"],
        &["MODULE", "UNLOAD", "m"],
        &["MODULE", "LIST", "x"],
    ] {
        assert_eq!(
            show(&common::ask(&mut f, cmd)),
            show(&common::ask(&mut r, cmd)),
            "{cmd:?}"
        );
    }
}

/// RESTORE-ASKING, the form cluster nodes use while migrating, is RESTORE without
/// cluster mode.
#[test]
fn restore_asking_restores() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    let _: () = redis::cmd("RPUSH")
        .arg("l")
        .arg(&["a", "b"])
        .query(&mut con)
        .unwrap();
    let payload: Vec<u8> = redis::cmd("DUMP").arg("l").query(&mut con).unwrap();
    let reply: String = redis::cmd("RESTORE-ASKING")
        .arg("copy")
        .arg(0)
        .arg(payload.as_slice())
        .query(&mut con)
        .unwrap();
    assert_eq!(reply, "OK");
    let items: Vec<String> = redis::cmd("LRANGE")
        .arg("copy")
        .arg(0)
        .arg(-1)
        .query(&mut con)
        .unwrap();
    assert_eq!(items, ["a", "b"]);
    let err = redis::cmd("RESTORE-ASKING")
        .arg("copy")
        .arg(0)
        .arg(payload.as_slice())
        .query::<String>(&mut con)
        .unwrap_err();
    assert_eq!(err.code(), Some("BUSYKEY"));
}

#[test]
fn lolwut_answers_the_version_and_draws_versions_5_and_6() {
    let srv = TestServer::start();
    let mut servers = vec![srv];
    servers.extend(common::start_redis_server(&[]));
    for server in &servers {
        let mut raw = server.raw();
        // Redis 7.0 has no drawing of its own: the version, whatever the arguments.
        for cmd in [
            &["LOLWUT"][..],
            &["LOLWUT", "10", "20"],
            &["LOLWUT", "VERSION"],
            &["LOLWUT", "VERSION", "7"],
        ] {
            raw.send_cmd(cmd);
            raw.expect(b"$18\r\nRedis ver. 7.0.15\n\r\n");
        }
        assert_eq!(
            query_err(&mut raw, &["LOLWUT", "VERSION", "x"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            query_err(&mut raw, &["LOLWUT", "VERSION", "5", "ten"]),
            "ERR value is not an integer or out of range"
        );
        let mut con = server.conn();
        // Version 5: braille rows `cols` wide, then the credit line with the version.
        let art: String = redis::cmd("LOLWUT")
            .arg(&["VERSION", "5", "30", "5", "3"])
            .query(&mut con)
            .unwrap();
        let lines: Vec<&str> = art
            .trim_end_matches('\n')
            .lines()
            .filter(|l| !l.is_empty())
            .collect();
        let (credit, drawing) = lines.split_last().unwrap();
        assert!(credit.ends_with("Redis ver. 7.0.15"), "{art}");
        assert!(drawing.len() >= 5, "{art}");
        for line in drawing {
            assert_eq!(line.chars().count(), 30, "{art}");
            assert!(
                line.chars().all(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
                "{art}"
            );
        }
        // Version 6: `rows` lines of `cols` characters, then the credits.
        let art: String = redis::cmd("LOLWUT")
            .arg(&["VERSION", "6", "40", "8"])
            .query(&mut con)
            .unwrap();
        assert!(art.ends_with("Redis ver. 7.0.15\n"), "{art}");
        // Each cell is a space coloured by an ANSI escape sequence.
        assert!(
            art.lines()
                .take(8)
                .all(|l| l.matches("\x1b[0m").count() == 40),
            "{art:?}"
        );
    }
}
