//! The real Redis tools against ferrodis: redis-cli (interactive-style commands,
//! -a password, --pipe bulk loads in RESP and inline form, --scan, --bigkeys,
//! --latency, --stat) and redis-benchmark. Skipped when the tools are not installed.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::TestServer;

fn cli(srv: &TestServer) -> Command {
    let mut c = Command::new("redis-cli");
    c.arg("-p").arg(srv.port.to_string());
    c
}

/// Runs `redis-cli --pipe` with `input` on stdin; returns its stdout.
fn pipe(srv: &TestServer, extra: &[&str], input: &[u8]) -> String {
    let mut child = cli(srv)
        .args(extra)
        .arg("--pipe")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        stdin.write_all(&data).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "redis-cli --pipe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dbsize(srv: &TestServer, extra: &[&str]) -> i64 {
    let out = cli(srv).args(extra).arg("DBSIZE").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn pipe_one_million_sets_in_resp() {
    skip_unless_tool!("redis-cli");
    let srv = TestServer::start();
    let mut input = Vec::with_capacity(40 << 20);
    for i in 0..1_000_000 {
        let k = format!("key:{i}");
        let v = format!("val:{i}");
        write!(
            input,
            "*3\r\n$3\r\nSET\r\n${}\r\n{}\r\n${}\r\n{}\r\n",
            k.len(),
            k,
            v.len(),
            v
        )
        .unwrap();
    }
    let out = pipe(&srv, &[], &input);
    assert!(out.contains("errors: 0, replies: 1000000"), "{out}");
    assert_eq!(dbsize(&srv, &[]), 1_000_000);
    let out = cli(&srv).args(["GET", "key:999999"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "val:999999");
}

#[test]
fn pipe_tutorial_inline_lines_with_password() {
    skip_unless_tool!("redis-cli");
    let srv = TestServer::start_with(&["--requirepass", "123456"]);
    // The tutorial's loop: for i in $(seq 100000); do echo "set k$i v$i"; done
    let mut input = Vec::new();
    for i in 1..=100_000 {
        writeln!(input, "set k{i} v{i}").unwrap();
    }
    let out = pipe(&srv, &["-a", "123456", "--no-auth-warning"], &input);
    assert!(out.contains("errors: 0, replies: 100000"), "{out}");
    assert_eq!(
        dbsize(&srv, &["-a", "123456", "--no-auth-warning"]),
        100_000
    );
    let out = cli(&srv)
        .args(["-a", "123456", "--no-auth-warning", "GET", "k777"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "v777");
}

#[test]
fn cli_password_and_basic_commands() {
    skip_unless_tool!("redis-cli");
    let srv = TestServer::start_with(&["--requirepass", "123456"]);
    let out = cli(&srv)
        .args(["-a", "123456", "SET", "name", "hello Redis"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "OK");
    let out = cli(&srv)
        .args(["-a", "123456", "GET", "name"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello Redis");
    let out = cli(&srv).args(["GET", "name"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOAUTH"));
}

#[test]
fn cli_scan_bigkeys_latency_stat() {
    skip_unless_tool!("redis-cli");
    let srv = TestServer::start();
    let mut input = Vec::new();
    for i in 0..1000 {
        writeln!(input, "set user:{i} {}", "x".repeat(i % 50 + 1)).unwrap();
        writeln!(input, "set other:{i} y").unwrap();
    }
    pipe(&srv, &[], &input);

    let out = cli(&srv)
        .args(["--scan", "--pattern", "user:*"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut keys: Vec<&str> = text.lines().collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 1000);
    assert!(keys.iter().all(|k| k.starts_with("user:")));

    let out = cli(&srv).arg("--bigkeys").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Biggest string found"), "{text}");
    assert!(text.contains("2000 keys"), "{text}");

    // Without a terminal, --latency prints "min max avg samples" once per interval.
    let child = cli(&srv)
        .args(["--latency", "-i", "0.1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = run_for(child, Duration::from_millis(700));
    let fields: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(fields.len(), 4, "{text}");
    assert!(fields.iter().all(|f| f.parse::<f64>().is_ok()), "{text}");
    // --stat only prints to a terminal: run it under script(1) when that exists.
    if common::tool_available("script") {
        // timeout(1) ends redis-cli itself, so no orphan outlives the test.
        let cmd = format!("timeout 0.8 redis-cli -p {} --stat -i 0.1", srv.port);
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("keys") && text.contains("2000"), "{text}");
    }
}

/// Lets a never-ending redis-cli mode run for `d`, stops it and returns its output.
fn run_for(mut child: std::process::Child, d: Duration) -> String {
    std::thread::sleep(d);
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// redis-benchmark's default tests. The ones on types we do not have yet must fail
/// cleanly with "unknown command"; none may hang.
const BENCHMARK_TESTS: &[(&str, &str)] = &[
    ("ping_inline", "PING_INLINE"),
    ("ping_mbulk", "PING_MBULK"),
    ("set", "SET"),
    ("get", "GET"),
    ("incr", "INCR"),
    ("lpush", "LPUSH"),
    ("rpush", "RPUSH"),
    ("lpop", "LPOP"),
    ("rpop", "RPOP"),
    ("sadd", "SADD"),
    ("hset", "HSET"),
    ("spop", "SPOP"),
    ("zadd", "ZADD"),
    ("zpopmin", "ZPOPMIN"),
    ("lrange", "LRANGE_100"),
    ("mset", "MSET"),
];

/// Commands every build must serve.
const MUST_PASS: &[&str] = &["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET"];

#[test]
fn benchmark_default_tests_all_finish() {
    skip_unless_tool!("redis-benchmark");
    let srv = TestServer::start();
    for (test, label) in BENCHMARK_TESTS {
        let mut child = Command::new("redis-benchmark")
            .args([
                "-p",
                &srv.port.to_string(),
                "-q",
                "-n",
                "20000",
                "--csv",
                "-t",
                test,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while child.try_wait().unwrap().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-benchmark -t {test} hung"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let row = text.lines().any(|l| l.starts_with(&format!("\"{label}")));
        if MUST_PASS.contains(label) {
            assert!(row, "{label} did not complete: {text}");
        } else {
            assert!(row || text.contains("unknown command"), "{label}: {text}");
        }
    }
}
