//! The append-only file end to end: durability under SIGKILL (`appendfsync always` and
//! `everysec`, a rewrite in progress), the Redis 7 multi-part layout, rewrites (RDB and
//! commands bases, automatic), `CONFIG SET appendonly`, truncated and corrupt files,
//! the single-file AOF of Redis <= 6, files written by real Redis 7.0 (fixtures),
//! ferrodis-check-aof, and interoperability with redis-server / redis-check-aof when
//! installed.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{digest, free_port, start_redis_server, wait_until, TestServer};

/// How long a rewrite may take in these tests.
const REWRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The fixtures written by real Redis 7.0.15.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/redis-7.0.15")
}

/// A field of INFO (all sections).
fn info_field(con: &mut redis::Connection, name: &str) -> String {
    let info: String = redis::cmd("INFO").arg("all").query(con).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("INFO has no {name}"))
        .to_string()
}

/// Waits until no rewrite runs and `aof_rewrites` reached `n`.
fn wait_rewrites(con: &mut redis::Connection, n: u64) {
    assert!(
        wait_until(REWRITE_TIMEOUT, || {
            info_field(con, "aof_rewrite_in_progress") == "0"
                && info_field(con, "aof_rewrites").parse::<u64>().unwrap() >= n
        }),
        "the rewrite did not finish"
    );
}

/// The files of the manifest in `dir`/appendonlydir, in order (name, type letter).
fn manifest_of(dir: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap();
    text.lines()
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            (w[1].to_string(), w[5].to_string())
        })
        .collect()
}

/// Path of the last incremental file of the manifest in `dir`.
fn last_incr(dir: &Path) -> PathBuf {
    let (name, _) = manifest_of(dir)
        .into_iter()
        .rfind(|(_, t)| t == "i")
        .expect("an incr file");
    dir.join("appendonlydir").join(name)
}

/// Runs ferrodis-server in `dir` with `args` and expects it to exit on its own
/// (refusing to start); returns its success flag and output.
fn run_expecting_exit(dir: &Path, args: &[&str]) -> (bool, String) {
    let port = free_port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
        .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
        .arg("--dir")
        .arg(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = None;
    let exited = wait_until(Duration::from_secs(20), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not exit");
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    (status.unwrap().success(), out)
}

/// A pseudo-random number from the clock (varies the kill moments between runs).
fn random_below(n: u64) -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut x = t ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x % n
}

/// What the INCR client saw.
#[derive(Default)]
struct Acks {
    /// INCRs written to the socket.
    sent: AtomicU64,
    /// The last value acknowledged.
    last: AtomicI64,
    /// (time, value) of acknowledgements, sampled.
    history: Mutex<Vec<(Instant, i64)>>,
}

/// Sends up to `count` INCR counter requests one at a time, recording each reply, until
/// the connection breaks or `stop` is set.
fn incr_client(port: u16, count: u64, acks: Arc<Acks>, stop: Arc<AtomicBool>) {
    let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let req = b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n";
    let mut line = String::new();
    for i in 0..count {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        acks.sent.fetch_add(1, Ordering::SeqCst);
        if writer.write_all(req).is_err() {
            return;
        }
        line.clear();
        match reader.read_line(&mut line) {
            Ok(n) if n > 0 => {}
            _ => return,
        }
        let value: i64 = line.trim_end()[1..].parse().expect("an integer reply");
        acks.last.store(value, Ordering::SeqCst);
        if i % 16 == 0 {
            acks.history.lock().unwrap().push((Instant::now(), value));
        }
    }
}

/// Rounds of: INCRs from a client, SIGKILL at a random moment, restart; checks the
/// counter after each restart. `max_loss` is how old an acknowledgement may be and
/// still be lost (zero: none may be lost).
fn kill_rounds(fsync: &str, max_loss: Duration) {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", fsync]);
    let acks = Arc::new(Acks::default());
    for round in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let client = {
            let (acks, stop, port) = (acks.clone(), stop.clone(), srv.port);
            thread::spawn(move || incr_client(port, 20_000, acks, stop))
        };
        let wait = Duration::from_millis(150 + random_below(600));
        thread::sleep(wait);
        srv.kill();
        let killed_at = Instant::now();
        stop.store(true, Ordering::Relaxed);
        client.join().unwrap();
        let last = acks.last.load(Ordering::SeqCst);
        let sent = acks.sent.load(Ordering::SeqCst) as i64;
        srv.relaunch();
        let mut con = srv.conn();
        let value: i64 = redis::cmd("GET")
            .arg("counter")
            .query::<Option<i64>>(&mut con)
            .unwrap()
            .unwrap_or(0);
        assert!(value <= sent, "round {round}: {value} > {sent} INCRs sent");
        let must_keep = if max_loss.is_zero() {
            last
        } else {
            let history = acks.history.lock().unwrap();
            history
                .iter()
                .filter(|(t, _)| killed_at.duration_since(*t) >= max_loss)
                .map(|&(_, v)| v)
                .max()
                .unwrap_or(0)
        };
        assert!(
            value >= must_keep,
            "round {round} ({fsync}): counter {value} after restart, but {must_keep} was acknowledged (last ack {last})"
        );
        // The next round goes on from what survived.
        acks.last.store(value, Ordering::SeqCst);
        acks.history.lock().unwrap().clear();
        acks.sent.store(value as u64, Ordering::SeqCst);
    }
}

#[test]
fn appendfsync_always_loses_no_acknowledged_write_on_sigkill() {
    kill_rounds("always", Duration::ZERO);
}

#[test]
fn appendfsync_everysec_loses_at_most_two_seconds_on_sigkill() {
    kill_rounds("everysec", Duration::from_millis(2500));
}

/// Writes `n` keys `key:<i>` = `value:<i>` with pipelined SETs.
fn fill(srv: &TestServer, n: usize) {
    let mut raw = srv.raw();
    let mut batch = Vec::new();
    let mut pending = 0;
    for i in 0..n {
        batch.extend_from_slice(&common::encode_command(&[
            "SET",
            &format!("key:{i}"),
            &format!("value:{i}"),
        ]));
        pending += 1;
        if pending == 1000 || i + 1 == n {
            raw.send(&batch);
            for _ in 0..pending {
                assert_eq!(raw.read_reply(), b"+OK\r\n");
            }
            batch.clear();
            pending = 0;
        }
    }
}

#[test]
fn a_rewrite_killed_in_progress_loses_nothing() {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    fill(&srv, 200_000);
    let mut con = srv.conn();
    let _: () = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    for i in 0..100 {
        let _: () = redis::cmd("SET")
            .arg(format!("after:{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    let in_progress = info_field(&mut con, "aof_rewrite_in_progress");
    srv.kill();
    eprintln!("rewrite in progress at the kill: {in_progress}");
    srv.relaunch();
    let mut con = srv.conn();
    let size: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(size, 200_100);
    let v: String = redis::cmd("GET").arg("key:199999").query(&mut con).unwrap();
    assert_eq!(v, "value:199999");
    let v: i64 = redis::cmd("GET").arg("after:99").query(&mut con).unwrap();
    assert_eq!(v, 99);
    // The next rewrite works and leaves one base and one incr file.
    let _: () = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    wait_rewrites(&mut con, 1);
    let kinds: Vec<String> = manifest_of(srv.dir.path())
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(kinds, ["b", "i"]);
}

#[test]
fn layout_rewrite_and_restart_keep_the_dataset() {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let dir = srv.dir.path().to_path_buf();
    assert_eq!(
        manifest_of(&dir),
        [
            ("appendonly.aof.1.base.rdb".to_string(), "b".to_string()),
            ("appendonly.aof.1.incr.aof".to_string(), "i".to_string())
        ]
    );
    let mut con = srv.conn();
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut con).unwrap();
    let _: () = redis::cmd("EXPIRE")
        .arg("a")
        .arg(1000)
        .query(&mut con)
        .unwrap();
    let _: () = redis::cmd("SELECT").arg(5).query(&mut con).unwrap();
    let _: () = redis::cmd("SET").arg("b").arg("x").query(&mut con).unwrap();
    let incr = fs::read(last_incr(&dir)).unwrap();
    let text = String::from_utf8_lossy(&incr);
    assert!(
        text.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n"),
        "{text}"
    );
    assert!(
        text.contains("PEXPIREAT"),
        "EXPIRE is propagated as PEXPIREAT: {text}"
    );
    assert!(text.contains("*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n"), "{text}");

    let _: String = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    wait_rewrites(&mut con, 1);
    let files = manifest_of(&dir);
    assert_eq!(files[0].0, "appendonly.aof.2.base.rdb");
    assert_eq!(files[1].0, "appendonly.aof.2.incr.aof");
    assert_eq!(files.len(), 2);
    // The replaced files become history, which a background thread unlinks.
    assert!(wait_until(Duration::from_secs(5), || {
        !dir.join("appendonlydir/appendonly.aof.1.incr.aof").exists()
            && !dir.join("appendonlydir/appendonly.aof.1.base.rdb").exists()
    }));
    let _: () = redis::cmd("SET")
        .arg("c")
        .arg("after")
        .query(&mut con)
        .unwrap();
    assert_eq!(info_field(&mut con, "aof_last_bgrewrite_status"), "ok");
    assert_eq!(info_field(&mut con, "aof_enabled"), "1");

    srv.kill();
    srv.relaunch();
    let mut con = srv.conn();
    let a: String = redis::cmd("GET").arg("a").query(&mut con).unwrap();
    assert_eq!(a, "1");
    let ttl: i64 = redis::cmd("TTL").arg("a").query(&mut con).unwrap();
    assert!((990..=1000).contains(&ttl), "{ttl}");
    let _: () = redis::cmd("SELECT").arg(5).query(&mut con).unwrap();
    let c: String = redis::cmd("GET").arg("c").query(&mut con).unwrap();
    assert_eq!(c, "after");
    let b: String = redis::cmd("GET").arg("b").query(&mut con).unwrap();
    assert_eq!(b, "x");
}

#[test]
fn commands_base_when_rdb_preamble_is_off() {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]);
    let dir = srv.dir.path().to_path_buf();
    let mut con = srv.conn();
    let _: () = redis::cmd("SET").arg("s").arg("v").query(&mut con).unwrap();
    let _: () = redis::cmd("SET").arg("n").arg(42).query(&mut con).unwrap();
    let _: () = redis::cmd("PEXPIREAT")
        .arg("s")
        .arg(4102444800000i64)
        .query(&mut con)
        .unwrap();
    let _: String = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    wait_rewrites(&mut con, 1);
    let (base, _) = manifest_of(&dir)[0].clone();
    assert_eq!(base, "appendonly.aof.2.base.aof");
    let text = fs::read_to_string(dir.join("appendonlydir").join(&base)).unwrap();
    assert!(
        text.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"),
        "{text}"
    );
    assert!(
        text.contains("*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$2\r\n42\r\n"),
        "{text}"
    );
    assert!(
        text.contains("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n4102444800000\r\n"),
        "{text}"
    );
    srv.restart();
    let mut con = srv.conn();
    let s: String = redis::cmd("GET").arg("s").query(&mut con).unwrap();
    assert_eq!(s, "v");
    let at: i64 = redis::cmd("PEXPIRETIME").arg("s").query(&mut con).unwrap();
    assert_eq!(at, 4102444800000);
}

#[test]
fn config_set_appendonly_starts_and_stops_the_aof() {
    let mut srv = TestServer::start();
    let dir = srv.dir.path().to_path_buf();
    let mut con = srv.conn();
    let _: () = redis::cmd("SET")
        .arg("before")
        .arg("1")
        .query(&mut con)
        .unwrap();
    assert_eq!(info_field(&mut con, "aof_enabled"), "0");
    // `always`: the SIGKILL below must not find a write postponed behind an fsync.
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendfsync")
        .arg("always")
        .arg("appendonly")
        .arg("yes")
        .query(&mut con)
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("during")
        .arg("2")
        .query(&mut con)
        .unwrap();
    wait_rewrites(&mut con, 1);
    let _: () = redis::cmd("SET")
        .arg("after")
        .arg("3")
        .query(&mut con)
        .unwrap();
    assert_eq!(info_field(&mut con, "aof_enabled"), "1");
    assert!(
        info_field(&mut con, "aof_current_size")
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let kinds: Vec<String> = manifest_of(&dir).into_iter().map(|f| f.1).collect();
    assert_eq!(kinds, ["b", "i"]);
    srv.kill();
    // A second server with `appendonly yes` on the same directory.
    let dir_arg = dir.display().to_string();
    let other = TestServer::start_with(&["--appendonly", "yes", "--dir", &dir_arg]);
    let mut con = other.conn();
    let keys: Vec<Option<String>> = redis::cmd("MGET")
        .arg("before")
        .arg("during")
        .arg("after")
        .query(&mut con)
        .unwrap();
    assert_eq!(
        keys,
        [Some("1".into()), Some("2".into()), Some("3".into())],
        "{}\n{}",
        srv.log_contents(),
        other.log_contents()
    );
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendonly")
        .arg("no")
        .query(&mut con)
        .unwrap();
    assert_eq!(info_field(&mut con, "aof_enabled"), "0");
    let size = fs::metadata(last_incr(&dir)).unwrap().len();
    let _: () = redis::cmd("SET")
        .arg("ignored")
        .arg("4")
        .query(&mut con)
        .unwrap();
    assert_eq!(fs::metadata(last_incr(&dir)).unwrap().len(), size);
}

#[test]
fn automatic_rewrite_on_growth() {
    let srv = TestServer::start_with(&[
        "--appendonly",
        "yes",
        "--auto-aof-rewrite-min-size",
        "10kb",
        "--auto-aof-rewrite-percentage",
        "100",
    ]);
    fill(&srv, 2000);
    let mut con = srv.conn();
    wait_rewrites(&mut con, 1);
    let size: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(size, 2000);
}

/// Sets up a server with a few keys in its AOF, then stops it.
fn stopped_server_with_data() -> TestServer {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]);
    let mut con = srv.conn();
    for i in 0..10 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    srv.stop();
    srv
}

#[test]
fn truncated_tail_per_aof_load_truncated() {
    let mut srv = stopped_server_with_data();
    let dir = srv.dir.path().to_path_buf();
    let incr = last_incr(&dir);
    let good_len = fs::metadata(&incr).unwrap().len();
    let mut f = fs::OpenOptions::new().append(true).open(&incr).unwrap();
    f.write_all(b"*3\r\n$3\r\nSET\r\n$2\r\nzz\r\n$5\r\nhal")
        .unwrap();
    drop(f);
    let damaged = fs::read(&incr).unwrap();

    let (ok, out) =
        run_expecting_exit(&dir, &["--appendonly", "yes", "--aof-load-truncated", "no"]);
    assert!(!ok);
    assert!(out.contains("Unexpected end of file"), "{out}");
    assert!(
        out.contains(&format!("valid up to offset {good_len}")),
        "{out}"
    );
    assert_eq!(
        fs::read(&incr).unwrap(),
        damaged,
        "a refused file is left as it was"
    );

    srv.relaunch();
    let mut con = srv.conn();
    let v: i64 = redis::cmd("GET").arg("k9").query(&mut con).unwrap();
    assert_eq!(v, 9);
    let zz: Option<String> = redis::cmd("GET").arg("zz").query(&mut con).unwrap();
    assert_eq!(zz, None);
    assert_eq!(
        fs::metadata(&incr).unwrap().len(),
        good_len,
        "cut after the last command"
    );
    assert!(srv.log_contents().contains("Truncating the AOF"));
}

#[test]
fn corruption_or_a_missing_file_refuses_to_start() {
    let srv = stopped_server_with_data();
    let dir = srv.dir.path().to_path_buf();
    let incr = last_incr(&dir);
    let mut data = fs::read(&incr).unwrap();
    let at = data.len() / 2;
    let pos = at + data[at..].iter().position(|&b| b == b'$').unwrap();
    data[pos] = b'!';
    fs::write(&incr, &data).unwrap();
    let (ok, out) = run_expecting_exit(&dir, &["--appendonly", "yes"]);
    assert!(!ok);
    assert!(out.contains("Bad file format"), "{out}");
    assert!(out.contains("appendonly.aof.1.incr.aof"), "{out}");
    assert!(out.contains("ferrodis-check-aof"), "{out}");
    assert_eq!(fs::read(&incr).unwrap(), data, "never rewritten");

    let check = Command::new(env!("CARGO_BIN_EXE_ferrodis-check-aof"))
        .arg(dir.join("appendonlydir/appendonly.aof.manifest"))
        .output()
        .unwrap();
    assert!(!check.status.success());
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(report.contains("is not valid"), "{report}");

    let (base, _) = manifest_of(&dir)[0].clone();
    fs::remove_file(dir.join("appendonlydir").join(&base)).unwrap();
    let (ok, out) = run_expecting_exit(&dir, &["--appendonly", "yes"]);
    assert!(!ok);
    assert!(out.contains("doesn't exist"), "{out}");
}

#[test]
fn an_unfinished_multi_is_reverted() {
    let dir = tempfile::tempdir().unwrap();
    let aof = dir.path().join("appendonlydir");
    fs::create_dir(&aof).unwrap();
    fs::write(
        aof.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
    let enc = |args: &[&str]| common::encode_command(args);
    let mut content = Vec::new();
    content.extend(enc(&["SET", "a", "1"]));
    content.extend(enc(&["MULTI"]));
    content.extend(enc(&["SET", "b", "2"]));
    content.extend(enc(&["INCR", "a"]));
    content.extend(enc(&["EXEC"]));
    let complete = content.len();
    content.extend(enc(&["MULTI"]));
    content.extend(enc(&["SET", "c", "3"]));
    fs::write(aof.join("appendonly.aof.1.incr.aof"), &content).unwrap();
    let d = dir.path().display().to_string();
    let srv = TestServer::start_with(&["--appendonly", "yes", "--dir", &d]);
    let mut con = srv.conn();
    let v: Vec<Option<String>> = redis::cmd("MGET")
        .arg("a")
        .arg("b")
        .arg("c")
        .query(&mut con)
        .unwrap();
    assert_eq!(v, [Some("2".into()), Some("2".into()), None]);
    let len = fs::metadata(aof.join("appendonly.aof.1.incr.aof"))
        .unwrap()
        .len();
    assert_eq!(len as usize, complete);
}

/// Copies the files of `from` into `to` (created), writable.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        fs::copy(e.path(), &target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// Whether the server knows `command` (the collection commands arrive with the data
/// types work; until then the checks that need them are skipped, loudly).
fn knows(con: &mut redis::Connection, command: &str) -> bool {
    let info: Vec<redis::Value> = redis::cmd("COMMAND")
        .arg("INFO")
        .arg(command)
        .query(con)
        .unwrap();
    let known = !matches!(info.first(), Some(redis::Value::Nil) | None);
    if !known {
        eprintln!("SKIPPED: part of an AOF fixture check: {command} is not implemented yet");
    }
    known
}

/// Checks every key of an `*.expected.jsonl` fixture against the server.
fn check_expected(con: &mut redis::Connection, jsonl: &Path) {
    let text = fs::read_to_string(jsonl).unwrap();
    let mut count = 0;
    for line in text.lines() {
        let rec = json::parse(line);
        let db = rec.get("db").num() as i64;
        let key = rec.get("key").bytes();
        let _: () = redis::cmd("SELECT").arg(db).query(con).unwrap();
        let ty: String = redis::cmd("TYPE").arg(&key).query(con).unwrap();
        let expected_type = rec.get("type").str();
        assert_eq!(
            ty,
            expected_type,
            "type of {}",
            String::from_utf8_lossy(&key)
        );
        let value = rec.get("value");
        let reader = match expected_type.as_str() {
            "list" => "LRANGE",
            "set" => "SMEMBERS",
            "hash" => "HGETALL",
            "zset" => "ZRANGE",
            _ => "GET",
        };
        match expected_type.as_str() {
            _ if !knows(con, reader) => {}
            "string" => {
                let got: Vec<u8> = redis::cmd("GET").arg(&key).query(con).unwrap();
                assert_eq!(got, value.bytes());
            }
            "list" => {
                let got: Vec<Vec<u8>> = redis::cmd("LRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .query(con)
                    .unwrap();
                let want: Vec<Vec<u8>> = value.items().iter().map(|j| j.bytes()).collect();
                assert_eq!(got, want);
            }
            "set" => {
                let mut got: Vec<Vec<u8>> = redis::cmd("SMEMBERS").arg(&key).query(con).unwrap();
                let mut want: Vec<Vec<u8>> = value.items().iter().map(|j| j.bytes()).collect();
                got.sort();
                want.sort();
                assert_eq!(got, want);
            }
            "hash" => {
                let flat: Vec<Vec<u8>> = redis::cmd("HGETALL").arg(&key).query(con).unwrap();
                let mut got: Vec<(Vec<u8>, Vec<u8>)> = flat
                    .chunks(2)
                    .map(|p| (p[0].clone(), p[1].clone()))
                    .collect();
                let mut want: Vec<(Vec<u8>, Vec<u8>)> = value
                    .items()
                    .iter()
                    .map(|p| (p.items()[0].bytes(), p.items()[1].bytes()))
                    .collect();
                got.sort();
                want.sort();
                assert_eq!(got, want);
            }
            "zset" => {
                let flat: Vec<Vec<u8>> = redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query(con)
                    .unwrap();
                let got: Vec<(Vec<u8>, f64)> = flat
                    .chunks(2)
                    .map(|p| {
                        (
                            p[0].clone(),
                            String::from_utf8_lossy(&p[1]).parse().unwrap(),
                        )
                    })
                    .collect();
                let want: Vec<(Vec<u8>, f64)> = value
                    .items()
                    .iter()
                    .map(|p| (p.items()[0].bytes(), p.items()[1].str().parse().unwrap()))
                    .collect();
                assert_eq!(got, want);
            }
            other => panic!("type {other} not covered"),
        }
        let ttl: i64 = redis::cmd("PTTL").arg(&key).query(con).unwrap();
        assert_eq!(ttl >= 0, rec.get("ttl") == &json::Json::Bool(true));
        count += 1;
    }
    assert!(count > 0);
}

/// Starts ferrodis with `appendonly yes` on a directory prepared by `prepare`.
fn start_on(prepare: impl FnOnce(&Path)) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let d = dir.path().display().to_string();
    let srv = TestServer::start_with(&["--appendonly", "yes", "--dir", &d]);
    (dir, srv)
}

#[test]
fn loads_redis_multi_part_aof_with_commands_base() {
    // Its base is made of SADD, RPUSH, ZADD and HMSET commands.
    let probe = TestServer::start();
    let mut con = probe.conn();
    if !["sadd", "rpush", "zadd", "hmset"]
        .iter()
        .all(|c| knows(&mut con, c))
    {
        return;
    }
    let (dir, srv) = start_on(|d| {
        copy_dir(
            &fixtures().join("small-aof-commands"),
            &d.join("appendonlydir"),
        )
    });
    check_expected(
        &mut srv.conn(),
        &fixtures().join("small-aof-commands.expected.jsonl"),
    );
    // The manifest goes on: the same incr file is appended to.
    assert_eq!(manifest_of(dir.path()).len(), 2);
}

#[test]
fn loads_redis_multi_part_aof_with_rdb_base() {
    let (_dir, srv) = start_on(|d| {
        copy_dir(
            &fixtures().join("dataset-aof-preamble"),
            &d.join("appendonlydir"),
        )
    });
    check_expected(
        &mut srv.conn(),
        &fixtures().join("dataset-aof-preamble.expected.jsonl"),
    );
}

#[test]
fn upgrades_a_redis_6_rdb_preamble_aof() {
    let (dir, srv) = start_on(|d| {
        let target = d.join("appendonly.aof");
        fs::copy(fixtures().join("rdb-preamble.aof"), &target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    });
    check_expected(
        &mut srv.conn(),
        &fixtures().join("rdb-preamble.expected.jsonl"),
    );
    assert!(!dir.path().join("appendonly.aof").exists());
    assert!(dir.path().join("appendonlydir/appendonly.aof").exists());
    let files = manifest_of(dir.path());
    assert_eq!(files[0], ("appendonly.aof".to_string(), "b".to_string()));
    assert_eq!(files[1].1, "i");
}

#[test]
fn check_aof_accepts_our_files_and_fixes_a_truncated_tail() {
    let srv = stopped_server_with_data();
    let dir = srv.dir.path().to_path_buf();
    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    let bin = env!("CARGO_BIN_EXE_ferrodis-check-aof");
    let out = Command::new(bin).arg(&manifest).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("All AOF files and manifest are valid"));
    let incr = last_incr(&dir);
    let good = fs::read(&incr).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(&incr).unwrap();
    f.write_all(b"*2\r\n$3\r\nDEL").unwrap();
    drop(f);
    let mut child = Command::new(bin)
        .arg("--fix")
        .arg(&manifest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"y\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Successfully truncated AOF"), "{text}");
    assert_eq!(fs::read(&incr).unwrap(), good);
}

#[test]
fn info_persistence_has_redis_aof_fields() {
    let srv = TestServer::start_with(&["--appendonly", "yes"]);
    let mut con = srv.conn();
    let info: String = redis::cmd("INFO")
        .arg("persistence")
        .query(&mut con)
        .unwrap();
    let names: Vec<&str> = info
        .lines()
        .filter_map(|l| l.split_once(':').map(|(n, _)| n))
        .filter(|n| n.starts_with("aof_") || n.starts_with("module_fork"))
        .collect();
    assert_eq!(
        names,
        [
            "aof_enabled",
            "aof_rewrite_in_progress",
            "aof_rewrite_scheduled",
            "aof_last_rewrite_time_sec",
            "aof_current_rewrite_time_sec",
            "aof_last_bgrewrite_status",
            "aof_rewrites",
            "aof_rewrites_consecutive_failures",
            "aof_last_write_status",
            "aof_last_cow_size",
            "module_fork_in_progress",
            "module_fork_last_cow_size",
            "aof_current_size",
            "aof_base_size",
            "aof_pending_rewrite",
            "aof_buffer_length",
            "aof_pending_bio_fsync",
            "aof_delayed_fsync",
        ]
    );
}

/// Writes a small mixed dataset through `con` (strings, integers, expiries, two
/// databases, a rewrite half-way when `rewrite`).
fn write_dataset(con: &mut redis::Connection) {
    for i in 0..300 {
        let _: () = redis::cmd("SET")
            .arg(format!("s{i}"))
            .arg(format!("v{i}"))
            .query(con)
            .unwrap();
    }
    let _: i64 = redis::cmd("INCRBY").arg("n").arg(41).query(con).unwrap();
    let _: () = redis::cmd("EXPIRE")
        .arg("s1")
        .arg(100_000)
        .query(con)
        .unwrap();
    let _: String = redis::cmd("BGREWRITEAOF").query(con).unwrap();
    wait_rewrites(con, 1);
    let _: () = redis::cmd("SELECT").arg(2).query(con).unwrap();
    let _: () = redis::cmd("SET").arg("other").arg("db").query(con).unwrap();
    let _: i64 = redis::cmd("APPEND")
        .arg("other")
        .arg("!")
        .query(con)
        .unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
    let _: i64 = redis::cmd("DEL").arg("s2").query(con).unwrap();
    let _: i64 = redis::cmd("INCR").arg("n").query(con).unwrap();
}

#[test]
fn redis_server_loads_our_aof_and_redis_check_aof_accepts_it() {
    skip_unless_tool!("redis-server");
    let mut ours =
        TestServer::start_with(&["--appendonly", "yes", "--enable-debug-command", "yes"]);
    let mut con = ours.conn();
    write_dataset(&mut con);
    let want = digest(&mut con);
    ours.stop();
    let dir = ours.dir.path().display().to_string();
    if common::tool_available("redis-check-aof") {
        let out = Command::new("redis-check-aof")
            .arg(
                ours.dir
                    .path()
                    .join("appendonlydir/appendonly.aof.manifest"),
            )
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let Some(real) = start_redis_server(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--enable-debug-command",
        "yes",
    ]) else {
        return;
    };
    let mut rcon = real.conn();
    assert_eq!(digest(&mut rcon), want);
}

#[test]
fn we_load_an_aof_written_by_redis_server() {
    skip_unless_tool!("redis-server");
    let Some(mut real) =
        start_redis_server(&["--appendonly", "yes", "--enable-debug-command", "yes"])
    else {
        return;
    };
    let mut rcon = real.conn();
    write_dataset(&mut rcon);
    let want = digest(&mut rcon);
    real.stop();
    let dir = real.dir.path().display().to_string();
    let ours = TestServer::start_with(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--enable-debug-command",
        "yes",
    ]);
    let mut con = ours.conn();
    assert_eq!(digest(&mut con), want);
}

/// A small JSON reader for the `*.expected.jsonl` fixtures.
mod json {
    /// A JSON value.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Json {
        Null,
        Bool(bool),
        Num(f64),
        Str(String),
        Arr(Vec<Json>),
        Obj(Vec<(String, Json)>),
    }

    /// Parses one JSON document.
    pub fn parse(text: &str) -> Json {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        p.value()
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }

        fn value(&mut self) -> Json {
            self.ws();
            match self.s[self.i] {
                b'{' | b'[' => {
                    let close = if self.s[self.i] == b'{' { b'}' } else { b']' };
                    self.i += 1;
                    let mut fields = Vec::new();
                    loop {
                        self.ws();
                        if self.s[self.i] == close {
                            self.i += 1;
                            break;
                        }
                        if self.s[self.i] == b',' {
                            self.i += 1;
                            continue;
                        }
                        if close == b'}' {
                            let k = self.string();
                            self.ws();
                            self.i += 1; // ':'
                            fields.push((k, self.value()));
                        } else {
                            fields.push((String::new(), self.value()));
                        }
                    }
                    if close == b'}' {
                        Json::Obj(fields)
                    } else {
                        Json::Arr(fields.into_iter().map(|f| f.1).collect())
                    }
                }
                b'"' => Json::Str(self.string()),
                b't' => {
                    self.i += 4;
                    Json::Bool(true)
                }
                b'f' => {
                    self.i += 5;
                    Json::Bool(false)
                }
                b'n' => {
                    self.i += 4;
                    Json::Null
                }
                _ => {
                    let start = self.i;
                    while self
                        .s
                        .get(self.i)
                        .is_some_and(|c| b"+-.eE0123456789".contains(c))
                    {
                        self.i += 1;
                    }
                    Json::Num(
                        std::str::from_utf8(&self.s[start..self.i])
                            .unwrap()
                            .parse()
                            .unwrap(),
                    )
                }
            }
        }

        fn hex4(&mut self) -> u32 {
            let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
            self.i += 4;
            u32::from_str_radix(h, 16).unwrap()
        }

        fn string(&mut self) -> String {
            self.ws();
            self.i += 1; // '"'
            let mut out = String::new();
            loop {
                let start = self.i;
                while self.s[self.i] != b'"' && self.s[self.i] != b'\\' {
                    self.i += 1;
                }
                out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap());
                let c = self.s[self.i];
                self.i += 1;
                if c == b'"' {
                    return out;
                }
                let e = self.s[self.i];
                self.i += 1;
                match e {
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'u' => {
                        let mut cp = self.hex4();
                        if (0xD800..0xDC00).contains(&cp) {
                            self.i += 2;
                            let low = self.hex4();
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        }
                        out.push(char::from_u32(cp).unwrap());
                    }
                    other => out.push(other as char),
                }
            }
        }
    }

    impl Json {
        /// Field `name` of an object.
        pub fn get(&self, name: &str) -> &Json {
            match self {
                Json::Obj(f) => &f.iter().find(|(k, _)| k == name).expect(name).1,
                other => panic!("not an object: {other:?}"),
            }
        }

        /// A byte string: a JSON string (UTF-8), or `{"hex": "..."}` for other bytes.
        pub fn bytes(&self) -> Vec<u8> {
            match self {
                Json::Str(s) => s.as_bytes().to_vec(),
                Json::Obj(_) => {
                    let h = self.get("hex").str();
                    (0..h.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                        .collect()
                }
                other => panic!("not a byte string: {other:?}"),
            }
        }

        /// A string.
        pub fn str(&self) -> String {
            match self {
                Json::Str(s) => s.clone(),
                other => panic!("not a string: {other:?}"),
            }
        }

        /// A number.
        pub fn num(&self) -> f64 {
            match self {
                Json::Num(n) => *n,
                other => panic!("not a number: {other:?}"),
            }
        }

        /// The items of an array.
        pub fn items(&self) -> &[Json] {
            match self {
                Json::Arr(items) => items,
                other => panic!("not an array: {other:?}"),
            }
        }
    }
}

/// A write error of the AOF (the incremental file of the next rewrite is /dev/full, so
/// every write fails with ENOSPC) refuses writes and PING with Redis's -MISCONF line,
/// still serves reads, shows in INFO, and ends when the AOF is switched off.
#[test]
fn write_errors_refuse_writes_with_misconf() {
    if !Path::new("/dev/full").exists() {
        common::report_skip("write_errors_refuse_writes_with_misconf", "/dev/full");
        return;
    }
    let srv = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "everysec"]);
    let dir = srv.dir.path().to_path_buf();
    let mut con = srv.conn();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    std::os::unix::fs::symlink(
        "/dev/full",
        dir.join("appendonlydir/appendonly.aof.2.incr.aof"),
    )
    .unwrap();
    let _: String = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    wait_rewrites(&mut con, 1);

    let misconf = b"-MISCONF Errors writing to the AOF file: No space left on device\r\n";
    let mut raw = srv.raw();
    // The write that fails is acknowledged (it ran); the ones after it are refused.
    let mut last = Vec::new();
    assert!(
        wait_until(Duration::from_secs(10), || {
            raw.send_cmd(&["SET", "x", "1"]);
            last = raw.read_reply();
            last == misconf
        }),
        "writes were not refused: {}",
        common::show(&last)
    );
    raw.send_cmd(&["PING"]);
    raw.expect(misconf);
    raw.send_cmd(&["GET", "k"]);
    raw.expect(b"$1\r\nv\r\n");
    raw.send_cmd(&["MULTI"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["INCR", "n"]);
    raw.expect(misconf);
    raw.send_cmd(&["EXEC"]);
    raw.expect(b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    assert_eq!(info_field(&mut con, "aof_last_write_status"), "err");

    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendonly")
        .arg("no")
        .query(&mut con)
        .unwrap();
    raw.send_cmd(&["SET", "x", "2"]);
    raw.expect(b"+OK\r\n");
    raw.send_cmd(&["PING"]);
    raw.expect(b"+PONG\r\n");
}

/// A snapshot taken half-way through a transaction would hold the first part of it,
/// and the AOF after the snapshot would then apply that part again (the transaction is
/// propagated whole at EXEC). BGREWRITEAOF, BGSAVE and turning the AOF on inside EXEC
/// are scheduled for the cron instead, with Redis's replies.
#[test]
fn snapshots_asked_inside_exec_wait_for_its_end() {
    let mut srv = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut con = srv.conn();
    wait_rewrites(&mut con, 0);
    let rewrites: u64 = info_field(&mut con, "aof_rewrites").parse().unwrap();
    let (n, rewrite, save): (i64, String, String) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg("counter")
        .cmd("BGREWRITEAOF")
        .cmd("BGSAVE")
        .query(&mut con)
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(rewrite, "Background append only file rewriting scheduled");
    assert_eq!(save, "Background saving scheduled");
    wait_rewrites(&mut con, rewrites + 1);
    assert!(wait_until(Duration::from_secs(10), || {
        info_field(&mut con, "rdb_bgsave_in_progress") == "0"
            && info_field(&mut con, "rdb_last_bgsave_status") == "ok"
            && srv.dir.path().join("dump.rdb").exists()
    }));
    srv.restart();
    let mut con = srv.conn();
    let n: i64 = redis::cmd("GET").arg("counter").query(&mut con).unwrap();
    assert_eq!(n, 1, "the INCR was applied twice on reload");

    // Turning the AOF on inside EXEC: the rewrite that writes its base waits too.
    let srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut con = srv.conn();
    let ((), (), n): ((), (), i64) = redis::pipe()
        .atomic()
        .cmd("CONFIG")
        .arg("SET")
        .arg("appendfsync")
        .arg("always")
        .cmd("CONFIG")
        .arg("SET")
        .arg("appendonly")
        .arg("yes")
        .cmd("INCR")
        .arg("counter")
        .query(&mut con)
        .unwrap();
    assert_eq!(n, 1);
    wait_rewrites(&mut con, 1);
    assert!(srv
        .log_contents()
        .contains("An AOF background was scheduled"));
    let () = redis::cmd("DEBUG").arg("LOADAOF").query(&mut con).unwrap();
    let n: i64 = redis::cmd("GET").arg("counter").query(&mut con).unwrap();
    assert_eq!(n, 1, "the INCR was applied twice on reload");
}

/// `CONFIG SET appendonly no` while a rewrite runs stops the rewrite at once (its
/// thread is cancelled and joined, as Redis kills its child) and says so in Redis's
/// words; no temporary base is left behind.
#[test]
fn turning_the_aof_off_stops_a_running_rewrite() {
    let srv = TestServer::start_with(&["--appendonly", "yes", "--aof-use-rdb-preamble", "no"]);
    let mut con = srv.conn();
    wait_rewrites(&mut con, 0);
    // Ten seconds per key: the rewrite cannot end on its own during the test.
    common::slow_snapshots_of(&mut con, 10, 10_000_000);
    let started: String = redis::cmd("BGREWRITEAOF").query(&mut con).unwrap();
    assert_eq!(started, "Background append only file rewriting started");
    assert_eq!(info_field(&mut con, "aof_rewrite_in_progress"), "1");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendonly")
        .arg("no")
        .query::<()>(&mut con)
        .unwrap();
    assert_eq!(info_field(&mut con, "aof_rewrite_in_progress"), "0");
    assert!(
        srv.log_contents()
            .contains("Killing running AOF rewrite child"),
        "{}",
        srv.log_contents()
    );
    let leftovers: Vec<_> = fs::read_dir(srv.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("temp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
