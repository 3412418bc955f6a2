//! Start-up from config files: a stock Redis 7.0 redis.conf, our own redis.conf,
//! tutorial-style inline comments, and malformed lines that must stop start-up with the
//! file, the line and the reason.

mod common;

use std::process::Command;

use common::{RawConn, TestServer};

fn ferrodis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
}

#[test]
fn stock_redis_conf_starts_with_only_port_dir_logfile_overridden() {
    let stock = std::path::Path::new("/etc/redis/redis.conf");
    if !stock.exists() {
        eprintln!("SKIPPED: stock_redis_conf_starts: /etc/redis/redis.conf not installed");
        return;
    }
    let text = std::fs::read_to_string(stock).unwrap();
    // The stock file daemonizes and writes a pidfile under /run; the harness overrides
    // port and dir, and we override logfile and daemonize as the issue allows.
    let srv = TestServer::start_with_config(&text, &["--logfile", "", "--daemonize", "no"]);
    let mut c = RawConn::connect(srv.port);
    c.send(b"PING\r\n");
    c.expect(b"+PONG\r\n");
}

#[test]
fn our_redis_conf_starts() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/redis.conf")).unwrap();
    let srv = TestServer::start_with_config(&text, &[]);
    let mut c = RawConn::connect(srv.port);
    c.send(b"PING\r\n");
    c.expect(b"+PONG\r\n");
}

#[test]
fn inline_comment_after_a_value_is_a_comment() {
    let srv = TestServer::start_with_config(
        "requirepass 123456 # password\nmaxclients 100 # limit\n",
        &[],
    );
    let mut c = RawConn::connect(srv.port);
    c.send_cmd(&["AUTH", "123456"]);
    c.expect(b"+OK\r\n");
    c.send_cmd(&["CONFIG", "GET", "maxclients"]);
    let reply = common::show(&c.read_reply());
    assert!(reply.contains("100"), "{reply}");
}

#[test]
fn quoted_hash_stays_a_value() {
    let srv = TestServer::start_with_config("requirepass \"#x\"\n", &[]);
    let mut c = RawConn::connect(srv.port);
    c.send_cmd(&["AUTH", "#x"]);
    c.expect(b"+OK\r\n");
}

/// Runs the server on a config text that must be refused; returns its stderr+stdout.
fn refused(conf: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.conf");
    std::fs::write(&path, conf).unwrap();
    let out = ferrodis()
        .arg(&path)
        .arg("--port")
        .arg(common::free_port().to_string())
        .output()
        .unwrap();
    assert!(!out.status.success(), "a bad config must stop start-up");
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    assert!(
        text.contains(path.to_str().unwrap()),
        "names the file: {text}"
    );
    text
}

#[test]
fn malformed_lines_stop_startup_naming_file_line_and_reason() {
    let text = refused("port 7000\n\nmaxmemory lots\n");
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("maxmemory lots"), "{text}");
    assert!(text.contains("memory value"), "{text}");

    let text = refused("# comment\nport 99999\n");
    assert!(
        text.contains("line 2") && text.contains("between 0 and 65535"),
        "{text}"
    );

    let text = refused("requirepass \"unterminated\n");
    assert!(
        text.contains("line 1") && text.to_lowercase().contains("unbalanced"),
        "{text}"
    );

    let text = refused("appendonly maybe\n");
    assert!(text.contains("'yes' or 'no'"), "{text}");

    // A flags directive needs at least one flag, each a known one (Redis's check):
    // accepted empty, a `--shutdown-on-sigint` left without its value started a server.
    for line in [
        "shutdown-on-sigint \"\"\n",
        "shutdown-on-sigterm nosave bogus\n",
    ] {
        let text = refused(line);
        assert!(
            text.contains(
                "argument(s) must be one of the following: default, save, nosave, now, force"
            ),
            "{text}"
        );
    }

    let text = refused("no-such-directive 1\n");
    assert!(
        text.contains("Bad directive or wrong number of arguments"),
        "{text}"
    );
}

#[test]
fn command_line_options_override_the_file_and_take_several_values() {
    let srv = TestServer::start_with_config(
        "maxclients 50\n",
        &["--maxclients", "60", "--save", "900 1", "--save", "60 100"],
    );
    let mut c = RawConn::connect(srv.port);
    c.send_cmd(&["CONFIG", "GET", "maxclients"]);
    assert!(common::show(&c.read_reply()).contains("60"));
    c.send_cmd(&["CONFIG", "GET", "save"]);
    let save = common::show(&c.read_reply());
    assert!(save.contains("900 1 60 100"), "{save}");
}

#[test]
fn no_arguments_means_defaults_on_6379() {
    // Only checks the defaults we can see without taking port 6379 (it may be in use).
    let out = ferrodis().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ferrodis"));
    let cfg = ferrodis::config::Config::from_args(&[]).unwrap();
    assert_eq!(cfg.port, 6379);
    assert_eq!(cfg.bind, vec!["127.0.0.1".to_string()]);
}

/// The shutdown flags read back once each, in Redis's order, however they were given
/// (one argument with spaces, or several).
#[test]
fn shutdown_flags_read_back_in_redis_order() {
    let srv = TestServer::start_with(&[
        "--shutdown-on-sigint",
        "nosave",
        "force",
        "now",
        "--shutdown-on-sigterm",
        "force nosave force",
    ]);
    let mut con = srv.conn();
    let got: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("shutdown-on-sig*")
        .query(&mut con)
        .unwrap();
    let got: std::collections::HashMap<_, _> = got
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    assert_eq!(got["shutdown-on-sigint"], "nosave now force");
    assert_eq!(got["shutdown-on-sigterm"], "nosave force");
}

/// Once it listens, the server says so as Redis does: one `Running mode=...` line, or
/// with `always-show-logo yes` a logo that gives the port and ` PID: n` (Redis's test
/// harness waits for that before it connects, so it must come after the listeners).
#[test]
fn start_is_announced_with_the_port_and_with_the_pid_under_the_logo() {
    let plain = TestServer::start_with(&[]);
    let log = plain.log_contents();
    let line = format!("Running mode=standalone, port={}.", plain.port);
    assert!(log.contains(&line), "{log}");
    assert!(!log.contains(" PID: "), "{log}");

    let logo = TestServer::start_with(&["--always-show-logo", "yes"]);
    let log = logo.log_contents();
    assert!(log.contains(&format!(" Port: {}\n", logo.port)), "{log}");
    assert!(log.contains(&format!(" PID: {}\n", logo.pid())), "{log}");
    assert!(!log.contains("Running mode="), "{log}");
    let announced = log.find(" PID: ").unwrap();
    let initialized = log.find("Server initialized").unwrap();
    assert!(announced < initialized, "{log}");
}
