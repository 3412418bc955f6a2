//! RDB persistence end to end: SAVE/BGSAVE/save points/shutdown saves, loading at
//! start-up, bad files, an unwritable directory, ferrodis-check-rdb, and
//! interoperability with real redis-server 7.0 in both directions (skipped when it is
//! not installed).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{free_port, start_redis_server, tool_available, wait_until, TestServer};
use ferrodis::persistence::rdb::{Elem, RdbWriter};

/// Lets tests run DEBUG.
const DEBUG_ON: [&str; 2] = ["--enable-debug-command", "yes"];
/// How long a BGSAVE or a save point may take in these tests.
const SAVE_TIMEOUT: Duration = Duration::from_secs(60);

/// One key of a test dataset.
#[derive(Clone, Debug)]
struct Entry {
    db: i64,
    key: Vec<u8>,
    value: Vec<u8>,
    /// Absolute expiry time, ms.
    expire_at: Option<i64>,
    /// Build the value with two APPENDs (an in-place modified "raw" string).
    appended: bool,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Deterministic bytes that LZF cannot compress.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// Strings in every encoding (integers of every width, non-canonical numbers, empty,
/// short, 44/45 bytes, compressible, incompressible, binary, appended), binary and empty
/// keys, expiries, and three databases.
fn sample_dataset() -> Vec<Entry> {
    let in_an_hour = now_ms() + 3_600_000;
    let year_2100 = 4_102_444_800_000;
    let mut v = Vec::new();
    let mut add = |db: i64, key: &[u8], value: &[u8], expire_at: Option<i64>| {
        v.push(Entry {
            db,
            key: key.to_vec(),
            value: value.to_vec(),
            expire_at,
            appended: false,
        });
    };
    let numbers = [
        "0",
        "-1",
        "127",
        "128",
        "-129",
        "32767",
        "-32769",
        "2147483647",
        "2147483648",
        "-2147483649",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "007",
        "-0",
        "+5",
        " 1",
        "1.5",
    ];
    for (i, n) in numbers.iter().enumerate() {
        add(0, format!("num:{i}").as_bytes(), n.as_bytes(), None);
    }
    add(0, b"empty", b"", None);
    add(0, b"", b"empty key", None);
    add(0, b"short", b"hello", Some(in_an_hour));
    add(0, b"len44", &[b'x'; 44], None);
    add(0, b"len45", &[b'y'; 45], Some(year_2100));
    add(0, b"compressible", &[b'a'; 1000], None);
    add(0, b"noise", &noise(300, 7), Some(in_an_hour + 5));
    add(0, b"bin\x00key\xff\r\n", b"\x00\x01\xfe\xff\r\n", None);
    add(0, &[b'k'; 300], b"long key", None);
    add(3, b"db3:a", b"1", None);
    add(3, b"db3:b", &noise(64, 3), Some(year_2100));
    add(15, b"db15", &[b'z'; 70_000], None);
    v.push(Entry {
        db: 0,
        key: b"appended".to_vec(),
        value: b"abcdef".to_vec(),
        expire_at: None,
        appended: true,
    });
    v
}

/// Writes `entries` into a server with SELECT/SET/APPEND/PEXPIREAT.
fn load_dataset(con: &mut redis::Connection, entries: &[Entry]) {
    for e in entries {
        redis::cmd("SELECT").arg(e.db).query::<()>(con).unwrap();
        if e.appended {
            let (a, b) = e.value.split_at(e.value.len() / 2);
            redis::cmd("APPEND")
                .arg(&e.key)
                .arg(a)
                .query::<i64>(con)
                .unwrap();
            redis::cmd("APPEND")
                .arg(&e.key)
                .arg(b)
                .query::<i64>(con)
                .unwrap();
        } else {
            redis::cmd("SET")
                .arg(&e.key)
                .arg(&e.value)
                .query::<()>(con)
                .unwrap();
        }
        if let Some(at) = e.expire_at {
            let set: i64 = redis::cmd("PEXPIREAT")
                .arg(&e.key)
                .arg(at)
                .query(con)
                .unwrap();
            assert_eq!(set, 1);
        }
    }
    redis::cmd("SELECT").arg(0).query::<()>(con).unwrap();
}

/// Asserts that the server holds exactly `entries` (values, expiries within 10 s, key
/// counts per database).
fn assert_dataset(con: &mut redis::Connection, entries: &[Entry]) {
    let now = now_ms();
    for e in entries {
        redis::cmd("SELECT").arg(e.db).query::<()>(con).unwrap();
        let got: Option<Vec<u8>> = redis::cmd("GET").arg(&e.key).query(con).unwrap();
        assert_eq!(
            got.as_deref(),
            Some(e.value.as_slice()),
            "value of {:?} in db {}",
            e.key.escape_ascii().to_string(),
            e.db
        );
        let pttl: i64 = redis::cmd("PTTL").arg(&e.key).query(con).unwrap();
        match e.expire_at {
            None => assert_eq!(pttl, -1, "ttl of {:?}", e.key.escape_ascii().to_string()),
            Some(at) => {
                let expected = at - now;
                assert!(
                    (expected - 10_000..=expected).contains(&pttl),
                    "pttl of {:?}: {pttl}, expected about {expected}",
                    e.key.escape_ascii().to_string()
                );
            }
        }
    }
    for db in [0, 3, 15] {
        redis::cmd("SELECT").arg(db).query::<()>(con).unwrap();
        let size: usize = redis::cmd("DBSIZE").query(con).unwrap();
        let expected = entries.iter().filter(|e| e.db == db).count();
        assert_eq!(size, expected, "keys in db {db}");
    }
    redis::cmd("SELECT").arg(0).query::<()>(con).unwrap();
}

/// `DEBUG DIGEST` of the whole dataset.
fn digest(con: &mut redis::Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).unwrap()
}

/// One field of `INFO <section>`.
fn info_field(con: &mut redis::Connection, section: &str, field: &str) -> String {
    let info: String = redis::cmd("INFO").arg(section).query(con).unwrap();
    let prefix = format!("{field}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}:\n{info}"))
        .trim()
        .to_string()
}

/// Waits until no BGSAVE is running.
fn wait_bgsave_done(con: &mut redis::Connection) {
    assert!(
        wait_until(SAVE_TIMEOUT, || info_field(
            con,
            "persistence",
            "rdb_bgsave_in_progress"
        ) == "0"),
        "BGSAVE did not finish"
    );
}

fn dump_path(srv: &TestServer) -> PathBuf {
    srv.dir.path().join("dump.rdb")
}

/// Runs ferrodis-server in `dir` with `args`, expecting it to exit on its own; returns
/// whether it succeeded and everything it printed. Kills it and panics if it does not
/// exit within 30 s.
fn run_expecting_exit(dir: &Path, args: &[&str]) -> (bool, String) {
    let port = free_port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
        .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
        .arg("--dir")
        .arg(dir)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ferrodis-server");
    let mut status = None;
    let exited = wait_until(Duration::from_secs(30), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !exited {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(exited, "the server did not exit:\n{text}");
    (out.status.success(), text)
}

/// Runs ferrodis-check-rdb on `path`: (success, output).
fn check_rdb(path: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrodis-check-rdb"))
        .arg(path)
        .output()
        .expect("run ferrodis-check-rdb");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The file's bytes and modification time, to show it was not touched.
fn fingerprint(path: &Path) -> (Vec<u8>, SystemTime) {
    let bytes = fs::read(path).unwrap();
    let mtime = fs::metadata(path).unwrap().modified().unwrap();
    (bytes, mtime)
}

#[test]
fn save_then_restart_restores_strings_expiries_and_databases() {
    let mut srv = TestServer::start_with(&DEBUG_ON);
    let data = sample_dataset();
    let mut con = srv.conn();
    load_dataset(&mut con, &data);
    let before_digest = digest(&mut con);
    let before: i64 = redis::cmd("LASTSAVE").query(&mut con).unwrap();
    let reply: String = redis::cmd("SAVE").query(&mut con).unwrap();
    assert_eq!(reply, "OK");
    let after: i64 = redis::cmd("LASTSAVE").query(&mut con).unwrap();
    assert!(after >= before);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(info_field(&mut con, "persistence", "rdb_saves"), "1");
    assert!(dump_path(&srv).exists());
    let temp_files: Vec<_> = fs::read_dir(srv.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("temp-"))
        .collect();
    assert!(
        temp_files.is_empty(),
        "temp file left behind: {temp_files:?}"
    );
    drop(con);
    srv.restart();
    let mut con = srv.conn();
    assert_dataset(&mut con, &data);
    assert_eq!(digest(&mut con), before_digest);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_load_keys_loaded"),
        data.len().to_string()
    );
    let log = srv.log_contents();
    assert!(log.contains("DB loaded from disk: "), "{log}");
    let loaded = log.find("DB loaded from disk").unwrap();
    let ready = log.rfind("Ready to accept connections").unwrap();
    assert!(
        loaded < ready,
        "data must be loaded before the server is ready"
    );
    let (ok, out) = check_rdb(&dump_path(&srv));
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("[info] {} keys read", data.len())),
        "{out}"
    );
}

#[test]
fn bgsave_keeps_serving_and_writes_the_state_at_its_start() {
    const KEYS: usize = 200_000;
    let mut srv = TestServer::start();
    let mut con = srv.conn();
    let mut pipe = redis::pipe();
    for i in 0..KEYS {
        pipe.cmd("SET")
            .arg(format!("key:{i}"))
            .arg(format!("old:{i}"))
            .ignore();
    }
    pipe.query::<()>(&mut con).unwrap();
    let reply: String = redis::cmd("BGSAVE").query(&mut con).unwrap();
    assert_eq!(reply, "Background saving started");
    // Writes during the snapshot are served and must not reach the dump.
    let mut pipe = redis::pipe();
    for i in 0..KEYS {
        pipe.cmd("SET")
            .arg(format!("key:{i}"))
            .arg(format!("new:{i}"))
            .ignore();
    }
    pipe.cmd("SET").arg("added-later").arg("x").ignore();
    pipe.query::<()>(&mut con).unwrap();
    wait_bgsave_done(&mut con);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
    let fork_usec: u64 = info_field(&mut con, "stats", "latest_fork_usec")
        .parse()
        .unwrap();
    assert!(fork_usec > 0);
    let got: String = redis::cmd("GET").arg("key:7").query(&mut con).unwrap();
    assert_eq!(got, "new:7");
    drop(con);
    srv.restart();
    let mut con = srv.conn();
    let size: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(
        size, KEYS,
        "the dump holds the keys present when BGSAVE started"
    );
    let mut pipe = redis::pipe();
    for i in 0..KEYS {
        pipe.cmd("GET").arg(format!("key:{i}"));
    }
    let values: Vec<String> = pipe.query(&mut con).unwrap();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(v, &format!("old:{i}"));
    }
}

#[test]
fn save_points_trigger_a_bgsave() {
    let srv = TestServer::start_with(&["--save", "1 1"]);
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    assert!(
        wait_until(SAVE_TIMEOUT, || dump_path(&srv).exists()
            && info_field(
                &mut con,
                "persistence",
                "rdb_changes_since_last_save"
            ) == "0"),
        "no automatic save:\n{}",
        srv.log_contents()
    );
    wait_bgsave_done(&mut con);
    assert!(srv
        .log_contents()
        .contains("1 changes in 1 seconds. Saving..."));
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
}

#[test]
fn no_save_points_no_automatic_save() {
    let mut srv = TestServer::start();
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    drop(con);
    srv.stop();
    assert!(
        !dump_path(&srv).exists(),
        "save \"\" must not write a dump at exit"
    );
}

#[test]
fn shutdown_save_writes_the_dump() {
    let mut srv = TestServer::start();
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    let _ = redis::cmd("SHUTDOWN").arg("SAVE").query::<()>(&mut con);
    assert!(
        wait_until(Duration::from_secs(15), || !srv.is_running()),
        "SHUTDOWN SAVE did not stop the server"
    );
    srv.stop();
    assert!(dump_path(&srv).exists());
    srv.relaunch();
    let got: String = redis::cmd("GET").arg("k").query(&mut srv.conn()).unwrap();
    assert_eq!(got, "v");
}

#[test]
fn shutdown_is_refused_when_the_final_save_fails() {
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut raw = srv.raw();
    raw.send_cmd(&["SET", "k", "v"]);
    raw.expect(b"+OK\r\n");
    let blocker = srv.dir.path().join(format!("temp-{}.rdb", srv.pid()));
    fs::create_dir(&blocker).unwrap();
    raw.send_cmd(&["SHUTDOWN"]);
    raw.expect(b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    raw.send_cmd(&["GET", "k"]);
    raw.expect(b"$1\r\nv\r\n");
    assert!(srv.is_running());
    assert!(srv
        .log_contents()
        .contains("Error trying to save the DB, can't exit."));
    fs::remove_dir(&blocker).unwrap();
    srv.stop();
    assert!(dump_path(&srv).exists());
}

#[test]
fn sigterm_does_not_exit_when_the_final_save_fails() {
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    let blocker = srv.dir.path().join(format!("temp-{}.rdb", srv.pid()));
    fs::create_dir(&blocker).unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &srv.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        wait_until(Duration::from_secs(10), || srv
            .log_contents()
            .contains("Errors trying to shut down the server")),
        "{}",
        srv.log_contents()
    );
    assert!(
        srv.is_running(),
        "Redis keeps running when the final save fails"
    );
    let got: String = redis::cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!(got, "v");
    fs::remove_dir(&blocker).unwrap();
    drop(con);
    srv.stop();
    assert!(dump_path(&srv).exists());
}

#[test]
fn sigterm_with_save_points_saves() {
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();
    drop(con);
    let status = srv.stop().expect("the server was running");
    assert!(status.success(), "exit status {status}");
    assert!(dump_path(&srv).exists(), "{}", srv.log_contents());
    assert!(srv
        .log_contents()
        .contains("Saving the final RDB snapshot before exiting."));
    srv.relaunch();
    let got: String = redis::cmd("GET").arg("k").query(&mut srv.conn()).unwrap();
    assert_eq!(got, "v");
}

#[test]
fn debug_reload_saves_and_loads_back() {
    let srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    let data = sample_dataset();
    load_dataset(&mut con, &data);
    let before = digest(&mut con);
    let reply: String = redis::cmd("DEBUG").arg("RELOAD").query(&mut con).unwrap();
    assert_eq!(reply, "OK");
    assert_dataset(&mut con, &data);
    assert_eq!(digest(&mut con), before);
    let err = redis::cmd("DEBUG")
        .arg("RELOAD")
        .arg("BOGUS")
        .query::<String>(&mut con)
        .unwrap_err();
    assert!(
        err.to_string().contains("DEBUG RELOAD only supports"),
        "{err}"
    );
}

#[test]
fn unwritable_dir_fails_bgsave_denies_writes_and_keeps_the_old_dump() {
    let srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("k")
        .arg("old")
        .query::<()>(&mut con)
        .unwrap();
    redis::cmd("SAVE").query::<()>(&mut con).unwrap();
    let good = fingerprint(&dump_path(&srv));
    redis::cmd("SET")
        .arg("k")
        .arg("new")
        .query::<()>(&mut con)
        .unwrap();
    // The temp file's path is taken by a directory: creating it fails even for root,
    // as writing into a read-only directory would.
    let blocker = srv.dir.path().join(format!("temp-{}.rdb", srv.pid()));
    fs::create_dir(&blocker).unwrap();
    redis::cmd("BGSAVE").query::<()>(&mut con).unwrap();
    wait_bgsave_done(&mut con);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_bgsave_status"),
        "err"
    );
    let mut raw = srv.raw();
    raw.send_cmd(&["SET", "k", "newer"]);
    raw.expect(b"-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n");
    raw.send_cmd(&["GET", "k"]);
    raw.expect(b"$3\r\nnew\r\n");
    assert_eq!(
        fingerprint(&dump_path(&srv)),
        good,
        "the old dump must stay intact"
    );
    let err = redis::cmd("SAVE").query::<()>(&mut con).unwrap_err();
    assert_eq!(err.code(), Some("ERR"), "{err}");
    assert_eq!(fingerprint(&dump_path(&srv)), good);
    // Once the disk works again, a BGSAVE succeeds and writes are accepted.
    fs::remove_dir(&blocker).unwrap();
    redis::cmd("BGSAVE").query::<()>(&mut con).unwrap();
    wait_bgsave_done(&mut con);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
    redis::cmd("SET")
        .arg("k")
        .arg("newer")
        .query::<()>(&mut con)
        .unwrap();
}

#[test]
fn corrupt_dump_refuses_to_start_and_is_left_untouched() {
    let mut srv = TestServer::start();
    let mut con = srv.conn();
    for i in 0..100 {
        redis::cmd("SET")
            .arg(format!("key:{i}"))
            .arg(format!("value number {i}"))
            .query::<()>(&mut con)
            .unwrap();
    }
    redis::cmd("SAVE").query::<()>(&mut con).unwrap();
    drop(con);
    srv.stop();
    let path = dump_path(&srv);
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    fs::write(&path, &bytes).unwrap();
    let before = fingerprint(&path);
    let (ok, out) = run_expecting_exit(srv.dir.path(), &[]);
    assert!(!ok, "a corrupt dump must stop start-up:\n{out}");
    assert!(
        out.contains(&path.display().to_string()),
        "names the file:\n{out}"
    );
    assert!(out.contains("at offset "), "names the offset:\n{out}");
    assert!(
        out.contains("Terminating server after rdb file reading failure."),
        "ends with Redis's line:\n{out}"
    );
    assert!(!out.contains("Ready to accept connections"), "{out}");
    assert_eq!(fingerprint(&path), before, "the file must not be touched");
    let (ok, check) = check_rdb(&path);
    assert!(!ok, "{check}");
    assert!(
        check.contains("RDB ERROR DETECTED") && check.contains("[offset "),
        "{check}"
    );
    // The server logs the checker's report before it stops, as Redis runs
    // redis-check-rdb there: every line of it, in order, ahead of the last words.
    let report: Vec<&str> = check.lines().collect();
    let mut log_lines = out.lines();
    for line in &report {
        assert!(
            log_lines.any(|l| l.ends_with(line)),
            "the log lacks the report line {line:?} (in order):\n{out}"
        );
    }
    assert!(
        log_lines.any(|l| l.contains("Terminating server after rdb file reading failure.")),
        "the report comes before the last line:\n{out}"
    );

    // A truncated file too.
    fs::write(&path, &bytes[..bytes.len() - 20]).unwrap();
    let (ok, out) = run_expecting_exit(srv.dir.path(), &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("at offset "), "{out}");
}

#[test]
fn expired_keys_in_the_dump_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = RdbWriter::new(Vec::new());
    w.write_header().unwrap();
    w.write_select_db(0).unwrap();
    w.write_string_object(b"live", Elem::Bytes(b"1"), Some(now_ms() + 3_600_000))
        .unwrap();
    w.write_string_object(b"dead", Elem::Bytes(b"2"), Some(1_000))
        .unwrap();
    w.write_string_object(b"plain", Elem::Int(3), None).unwrap();
    fs::write(dir.path().join("dump.rdb"), w.finish().unwrap()).unwrap();
    let mut srv = TestServer::start();
    srv.stop();
    fs::copy(dir.path().join("dump.rdb"), dump_path(&srv)).unwrap();
    srv.relaunch();
    let mut con = srv.conn();
    let size: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(size, 2);
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_load_keys_expired"),
        "1"
    );
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_last_load_keys_loaded"),
        "2"
    );
}

/// A dump with many keys, one of them twice: start-up stops at the second copy, naming
/// it and its offset, whatever keys surround it (the loader reads keys ahead of the one
/// it inserts); the same keys without the duplicate all load, TTLs included.
#[test]
fn a_duplicated_key_stops_the_load_at_its_second_copy() {
    let dump = |with_duplicate: bool| {
        let mut w = RdbWriter::new(Vec::new());
        w.write_header().unwrap();
        w.write_select_db(0).unwrap();
        for i in 0..300 {
            let key = format!("key:{i}");
            let ttl = (i % 3 == 0).then(|| now_ms() + 3_600_000);
            w.write_string_object(key.as_bytes(), Elem::Int(i), ttl)
                .unwrap();
            if with_duplicate && i == 150 {
                w.write_string_object(b"key:7", Elem::Bytes(b"again"), None)
                    .unwrap();
            }
        }
        w.finish().unwrap()
    };
    let mut srv = TestServer::start();
    srv.stop();
    let path = dump_path(&srv);
    fs::write(&path, dump(true)).unwrap();
    let (ok, out) = run_expecting_exit(srv.dir.path(), &[]);
    assert!(!ok, "a duplicated key must stop start-up:\n{out}");
    assert!(
        out.contains("duplicated key 'key:7' in DB 0 at offset "),
        "{out}"
    );

    fs::write(&path, dump(false)).unwrap();
    srv.relaunch();
    let mut con = srv.conn();
    let size: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(size, 300);
    let value: i64 = redis::cmd("GET").arg("key:7").query(&mut con).unwrap();
    assert_eq!(value, 7);
    let ttl: i64 = redis::cmd("TTL").arg("key:9").query(&mut con).unwrap();
    assert!(ttl > 3500, "{ttl}");
    let ttl: i64 = redis::cmd("TTL").arg("key:7").query(&mut con).unwrap();
    assert_eq!(ttl, -1);
}

/// Per database, how many keys of each type an `*.expected.jsonl` fixture lists.
fn expected_type_counts(jsonl: &str) -> std::collections::BTreeMap<(i64, String), usize> {
    let mut counts = std::collections::BTreeMap::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let field = |name: &str| {
            let start = line.find(&format!("\"{name}\": ")).unwrap() + name.len() + 4;
            line[start..]
                .split([',', '}'])
                .next()
                .unwrap()
                .trim_matches('"')
                .to_string()
        };
        let db: i64 = field("db").parse().unwrap();
        *counts.entry((db, field("type"))).or_insert(0) += 1;
    }
    counts
}

/// Loads a real Redis 7.0 dump holding every type at start-up, checks each database's
/// key count and types against the fixture's expected contents, and (when redis-server
/// is installed) that real Redis loading the same file has the same DEBUG DIGEST.
#[test]
fn fixture_with_every_type_loads_like_redis() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/redis-7.0.15/dataset-v10.rdb");
    assert!(
        fixture.exists(),
        "fixture {} is missing (shared/ must sit beside the checkout)",
        fixture.display()
    );
    let expected = expected_type_counts(
        &fs::read_to_string(fixture.with_extension("expected.jsonl")).unwrap(),
    );
    let mut srv = TestServer::start_with(&DEBUG_ON);
    srv.stop();
    fs::copy(&fixture, dump_path(&srv)).unwrap();
    srv.relaunch();
    let mut con = srv.conn();
    let mut found = std::collections::BTreeMap::new();
    for db in 0..16i64 {
        redis::cmd("SELECT").arg(db).query::<()>(&mut con).unwrap();
        let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut con).unwrap();
        for key in keys {
            let t: String = redis::cmd("TYPE").arg(&key).query(&mut con).unwrap();
            *found.entry((db, t)).or_insert(0) += 1;
        }
    }
    assert_eq!(found, expected);
    let ours = digest(&mut con);
    let Some(mut redis) = start_redis_server(&DEBUG_ON) else {
        return;
    };
    redis.stop();
    fs::copy(&fixture, redis.dir.path().join("dump.rdb")).unwrap();
    redis.relaunch();
    let mut rcon = redis.conn();
    assert_eq!(digest(&mut rcon), ours);
}

/// A dump holding empty collections (which Redis before 6.2 could leave behind) starts
/// the server, as it starts Redis 7.0: each empty key is skipped with Redis's warning and
/// the count ends the load's summary line.
#[test]
fn empty_keys_in_a_dump_are_skipped_with_redis_warnings() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/redis-7.0.15/corrupt_empty_keys.rdb");
    let mut srv = TestServer::start();
    srv.stop();
    fs::copy(&fixture, dump_path(&srv)).unwrap();
    srv.relaunch();
    let mut con = srv.conn();
    let size: usize = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(size, 0);
    let log = srv.log_contents();
    for key in [
        "set",
        "list_quicklist_empty_ziplist",
        "hash_ziplist",
        "zset_listpack",
    ] {
        assert!(
            log.contains(&format!("skipping empty key: {key} (")),
            "{key}: {log}"
        );
    }
    assert!(
        log.contains("keys loaded: 0, keys expired: 0, empty keys skipped: 9."),
        "{log}"
    );
}

#[test]
fn too_many_databases_in_the_dump_stop_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = RdbWriter::new(Vec::new());
    w.write_header().unwrap();
    w.write_select_db(20).unwrap();
    w.write_string_object(b"k", Elem::Bytes(b"v"), None)
        .unwrap();
    fs::write(dir.path().join("dump.rdb"), w.finish().unwrap()).unwrap();
    let (ok, out) = run_expecting_exit(dir.path(), &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("database 20 at offset"), "{out}");
}

/// Writes a dump of `keys` integer strings `key:<i>` in database 0 at `path`.
fn write_int_dump(path: &Path, keys: u64) {
    let file = fs::File::create(path).unwrap();
    let mut w = RdbWriter::new(std::io::BufWriter::new(file));
    w.write_header().unwrap();
    w.write_select_db(0).unwrap();
    w.write_resize_db(keys, 0).unwrap();
    for i in 0..keys {
        let key = format!("key:{i:08}");
        w.write_string_object(key.as_bytes(), Elem::Int(i as i64), None)
            .unwrap();
    }
    w.finish().unwrap();
}

/// Starts a server on `dir` with `extra` arguments and pings it until it answers
/// PONG (every other answer must be -LOADING). Returns the server, its port, whether a
/// -LOADING client saw INFO say `loading:1`, and how long the server took to be ready.
fn start_through_loading(dir: &Path, extra: &[&str]) -> (Child, u16, bool, Duration) {
    let port = free_port();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(extra)
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut saw_loading = false;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}/")) else {
            continue;
        };
        let Ok(mut con) = client.get_connection() else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        match redis::cmd("PING").query::<String>(&mut con) {
            Ok(pong) => {
                assert_eq!(pong, "PONG");
                return (child, port, saw_loading, started.elapsed());
            }
            Err(e) => {
                assert_eq!(e.code(), Some("LOADING"), "{e}");
                let loading = info_field(&mut con, "persistence", "loading");
                saw_loading |= loading == "1";
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server never became ready");
}

/// DBSIZE of the server `child` on `port`, then stops it.
fn dbsize_and_stop(mut child: Child, port: u16) -> u64 {
    let mut con = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    let size: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    size
}

#[test]
fn clients_get_loading_while_a_big_dump_loads() {
    const KEYS: u64 = 1_500_000;
    let dir = tempfile::tempdir().unwrap();
    write_int_dump(&dir.path().join("dump.rdb"), KEYS);
    let (child, port, saw_loading, _) = start_through_loading(dir.path(), &[]);
    assert!(saw_loading, "no -LOADING reply was seen during the load");
    assert_eq!(dbsize_and_stop(child, port), KEYS);
}

#[test]
fn key_load_delay_slows_the_load_and_clients_are_served_meanwhile() {
    const KEYS: u64 = 2000;
    let dir = tempfile::tempdir().unwrap();
    write_int_dump(&dir.path().join("dump.rdb"), KEYS);
    // 500 us per key: at least one second, with clients served every 1 KB (about 70
    // keys) rather than every 2 MB, which this whole dump is far smaller than.
    let args = [
        "--key-load-delay",
        "500",
        "--loading-process-events-interval-bytes",
        "1024",
    ];
    let (child, port, saw_loading, took) = start_through_loading(dir.path(), &args);
    assert!(took >= Duration::from_millis(KEYS * 500 / 1000), "{took:?}");
    assert!(saw_loading, "no -LOADING reply was seen during the load");
    let mut con = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    let got: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("key-load-delay")
        .query(&mut con)
        .unwrap();
    assert_eq!(got, ["key-load-delay", "500"]);
    let err = redis::cmd("CONFIG")
        .arg("SET")
        .arg("loading-process-events-interval-bytes")
        .arg("1023")
        .query::<String>(&mut con)
        .unwrap_err();
    assert!(
        err.to_string().contains("must be between 1024 and"),
        "{err}"
    );
    assert_eq!(dbsize_and_stop(child, port), KEYS);
}

#[test]
fn check_rdb_reports_summary_and_first_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.rdb");
    let mut w = RdbWriter::new(Vec::new());
    w.write_header().unwrap();
    w.write_aux(b"redis-ver", b"7.0.15").unwrap();
    w.write_select_db(2).unwrap();
    w.write_string_object(b"a", Elem::Bytes(b"1"), Some(4_102_444_800_000))
        .unwrap();
    w.write_list_object(Some(b"l"), 2, [Elem::Int(1), Elem::Int(2)], None)
        .unwrap();
    let bytes = w.finish().unwrap();
    fs::write(&path, &bytes).unwrap();
    let (ok, out) = check_rdb(&path);
    assert!(ok, "{out}");
    for expected in [
        "AUX FIELD redis-ver = '7.0.15'",
        "Selecting DB ID 2",
        "Checksum OK",
        "[info] 2 keys read",
        "[info] 1 expires",
        "[info] db 2: 2 keys, 1 with an expiry",
        "[info] types: list=1 string=1",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    fs::write(&path, &bad).unwrap();
    let (ok, out) = check_rdb(&path);
    assert!(!ok, "{out}");
    assert!(out.contains("checksum mismatch"), "{out}");
    assert!(
        out.contains(&format!("[offset {}]", bytes.len() - 8)),
        "{out}"
    );
}

#[test]
fn dump_written_by_real_redis_loads() {
    let Some(mut redis) = start_redis_server(&[]) else {
        return;
    };
    let data = sample_dataset();
    let mut rcon = redis.conn();
    load_dataset(&mut rcon, &data);
    redis::cmd("SAVE").query::<()>(&mut rcon).unwrap();
    drop(rcon);
    redis.stop();
    let mut srv = TestServer::start();
    srv.stop();
    fs::copy(redis.dir.path().join("dump.rdb"), dump_path(&srv)).unwrap();
    srv.relaunch();
    assert_dataset(&mut srv.conn(), &data);
}

#[test]
fn our_dump_loads_in_real_redis_with_identical_contents() {
    let Some(mut from_dump) = start_redis_server(&["--enable-debug-command", "yes"]) else {
        return;
    };
    let Some(reference) = start_redis_server(&["--enable-debug-command", "yes"]) else {
        return;
    };
    let srv = TestServer::start_with(&DEBUG_ON);
    let data = sample_dataset();
    let mut con = srv.conn();
    load_dataset(&mut con, &data);
    let ours = digest(&mut con);
    redis::cmd("SAVE").query::<()>(&mut con).unwrap();
    if tool_available("redis-check-rdb") {
        let out = Command::new("redis-check-rdb")
            .arg(dump_path(&srv))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "redis-check-rdb refused our dump:\n{text}"
        );
        assert!(text.contains("RDB looks OK"), "{text}");
    }
    from_dump.stop();
    fs::copy(dump_path(&srv), from_dump.dir.path().join("dump.rdb")).unwrap();
    from_dump.relaunch();
    let mut rcon = from_dump.conn();
    assert_dataset(&mut rcon, &data);
    let mut refcon = reference.conn();
    load_dataset(&mut refcon, &data);
    let theirs = digest(&mut rcon);
    assert_eq!(theirs, digest(&mut refcon));
    assert_eq!(theirs, ours);
}

/// Commands that build every collection type in its small and its large encoding,
/// with binary and integer members, special scores, expiries and several databases.
fn collection_commands() -> Vec<Vec<Vec<u8>>> {
    let mut cmds: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut cmd = |parts: Vec<Vec<u8>>| cmds.push(parts);
    let b = |s: &str| s.as_bytes().to_vec();
    let bin = vec![0u8, 255, 13, 10, 7];
    cmd(vec![b("SELECT"), b("0")]);
    // Lists: small, with integers of several widths, and long with big elements.
    cmd(vec![
        b("RPUSH"),
        b("list:small"),
        b("a"),
        b("1"),
        b("-300"),
        b("70000"),
        b("5000000000"),
        b(""),
        bin.clone(),
    ]);
    let mut big = vec![b("RPUSH"), b("list:big")];
    for i in 0..2000 {
        big.push(if i % 3 == 0 {
            noise(120, i)
        } else {
            format!("{i}").into_bytes()
        });
    }
    cmd(big);
    // Hashes: listpack-sized, and past both thresholds.
    cmd(vec![
        b("HSET"),
        b("hash:small"),
        b("f1"),
        b("v1"),
        b("n"),
        b("12345"),
        bin.clone(),
        bin.clone(),
    ]);
    let mut big = vec![b("HSET"), b("hash:big")];
    for i in 0..300 {
        big.push(format!("field:{i}").into_bytes());
        big.push(if i == 7 {
            noise(200, 9)
        } else {
            format!("{}", i * 7).into_bytes()
        });
    }
    cmd(big);
    // Sets: intset, intset of wide integers, and a hashtable of strings.
    cmd(vec![b("SADD"), b("set:ints"), b("1"), b("-2"), b("300000")]);
    cmd(vec![
        b("SADD"),
        b("set:wide"),
        b("9223372036854775807"),
        b("-9223372036854775808"),
        b("0"),
    ]);
    let mut big = vec![b("SADD"), b("set:big")];
    for i in 0..700 {
        big.push(format!("member:{i}").into_bytes());
    }
    big.push(bin.clone());
    cmd(big);
    // Sorted sets: small with special scores, and a skiplist.
    cmd(vec![
        b("ZADD"),
        b("zset:small"),
        b("-inf"),
        b("low"),
        b("1.5"),
        b("mid"),
        b("inf"),
        b("high"),
        b("0"),
        bin.clone(),
    ]);
    let mut big = vec![b("ZADD"), b("zset:big")];
    for i in 0..400 {
        big.push(format!("{}", (i as f64) / 3.0 - 50.0).into_bytes());
        big.push(format!("zmember:{i}").into_bytes());
    }
    cmd(big);
    // Scores whose shortest text takes the exponent form, negative zero, the extremes
    // of the integers a double holds exactly, and the smallest subnormal.
    cmd(vec![
        b("ZADD"),
        b("zset:scores"),
        b("0.1"),
        b("tenth"),
        b("1e300"),
        b("huge"),
        b("-0"),
        b("negzero"),
        b("9007199254740992"),
        b("two53"),
        b("-9007199254740991"),
        b("minus53"),
        b("5e-324"),
        b("subnormal"),
        b("-1.7976931348623157e308"),
        b("lowest"),
    ]);
    // Integers at every boundary of the ziplist integer encodings, an element past the
    // one-byte prevlen (254 bytes) and one past the two-byte string header (16 KiB).
    let mut edges = vec![b("RPUSH"), b("list:edges")];
    for n in [
        0i64,
        12,
        13,
        -1,
        127,
        128,
        -128,
        -129,
        32767,
        32768,
        -32768,
        -32769,
        8388607,
        8388608,
        -8388608,
        -8388609,
        2147483647,
        2147483648,
        -2147483648,
        -2147483649,
        i64::MAX,
        i64::MIN,
    ] {
        edges.push(n.to_string().into_bytes());
    }
    edges.push(b("007"));
    edges.push(noise(300, 3));
    edges.push(b("after-a-long-one"));
    edges.push(noise(20_000, 4));
    edges.push(b("tail"));
    cmd(edges);
    cmd(vec![b("PEXPIREAT"), b("zset:big"), b("4102444800000")]);
    cmd(vec![b("PEXPIREAT"), b("list:small"), b("4102444800000")]);
    cmd(vec![b("SELECT"), b("3")]);
    cmd(vec![b("RPUSH"), b("list:db3"), b("x"), b("y")]);
    cmd(vec![b("HSET"), b("hash:db3"), b("k"), b("v")]);
    cmd(vec![b("SET"), b("string:db3"), b("plain")]);
    cmds
}

/// Runs `cmds` on one connection.
fn apply(con: &mut redis::Connection, cmds: &[Vec<Vec<u8>>]) {
    for parts in cmds {
        let mut c = redis::cmd(std::str::from_utf8(&parts[0]).unwrap());
        for p in &parts[1..] {
            c.arg(p.as_slice());
        }
        c.query::<redis::Value>(con)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(&parts[0])));
    }
}

/// Every collection type, small and large, survives SAVE and restart in ferrodis, loads
/// in real Redis with the same digest as Redis building it itself (and redis-check-rdb
/// accepts the file), and Redis's own dump of it loads back in ferrodis identically.
#[test]
fn every_type_round_trips_between_ferrodis_and_real_redis() {
    let cmds = collection_commands();
    let mut srv = TestServer::start_with(&DEBUG_ON);
    let mut con = srv.conn();
    apply(&mut con, &cmds);
    let ours = digest(&mut con);
    redis::cmd("SAVE").query::<()>(&mut con).unwrap();
    drop(con);
    srv.stop();
    srv.relaunch();
    assert_eq!(
        digest(&mut srv.conn()),
        ours,
        "SAVE + restart changed the dataset"
    );
    // Redis checks every ziplist entry of our dump when it loads it.
    let Some(mut redis) = start_redis_server(&[
        "--enable-debug-command",
        "yes",
        "--sanitize-dump-payload",
        "yes",
    ]) else {
        return;
    };
    let mut rcon = redis.conn();
    apply(&mut rcon, &cmds);
    assert_eq!(digest(&mut rcon), ours, "Redis built a different dataset");
    redis::cmd("SAVE").query::<()>(&mut rcon).unwrap();
    drop(rcon);
    redis.stop();
    let theirs = redis.dir.path().join("dump.rdb");
    let theirs_copy = srv.dir.path().join("redis-dump.rdb");
    fs::copy(&theirs, &theirs_copy).unwrap();
    if tool_available("redis-check-rdb") {
        let out = Command::new("redis-check-rdb")
            .arg(dump_path(&srv))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("RDB looks OK"),
            "{text}"
        );
    }
    fs::copy(dump_path(&srv), &theirs).unwrap();
    redis.relaunch();
    assert_eq!(
        digest(&mut redis.conn()),
        ours,
        "real Redis read our dump differently"
    );
    srv.stop();
    fs::copy(&theirs_copy, dump_path(&srv)).unwrap();
    srv.relaunch();
    assert_eq!(
        digest(&mut srv.conn()),
        ours,
        "we read Redis's dump differently"
    );
}

/// `OBJECT <sub> key` as an integer, or the error text.
fn object_int(con: &mut redis::Connection, sub: &str, key: &str) -> Result<i64, String> {
    redis::cmd("OBJECT")
        .arg(sub)
        .arg(key)
        .query(con)
        .map_err(|e| e.to_string())
}

/// `RESTORE key 0 <payload of "hello"> <extra...>`.
fn restore_hello(con: &mut redis::Connection, key: &str, extra: &[&str]) {
    restore_hello_ttl(con, key, 0, extra);
}

/// `RESTORE key <ttl_ms> <payload of "hello"> <extra...>`.
fn restore_hello_ttl(con: &mut redis::Connection, key: &str, ttl_ms: i64, extra: &[&str]) {
    let _: () = redis::cmd("SET")
        .arg("src")
        .arg("hello")
        .query(con)
        .unwrap();
    let payload: Vec<u8> = redis::cmd("DUMP").arg("src").query(con).unwrap();
    let _: () = redis::cmd("RESTORE")
        .arg(key)
        .arg(ttl_ms)
        .arg(payload)
        .arg(extra)
        .query(con)
        .unwrap();
}

/// What the dump records before a key: IDLE seconds, FREQ counter, expiry time.
type KeyRecord = (Option<u64>, Option<u8>, Option<i64>);

/// Key -> its records, as the dump at `path` holds them.
fn access_records(path: &Path) -> std::collections::HashMap<Vec<u8>, KeyRecord> {
    use ferrodis::persistence::rdb::{RdbEvent, RdbReader};
    let file = std::io::BufReader::new(fs::File::open(path).unwrap());
    let mut reader = RdbReader::new(file).unwrap();
    let mut out = std::collections::HashMap::new();
    while let Some(event) = reader.next_event().unwrap() {
        if let RdbEvent::Entry(e) = event {
            out.insert(e.key, (e.lru_idle, e.lfu_freq, e.expire_ms));
        }
    }
    out
}

/// Sets the maxmemory-policy at runtime.
fn set_policy(con: &mut redis::Connection, policy: &str) {
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg(policy)
        .query(con)
        .unwrap();
}

#[test]
fn lru_idle_times_survive_save_and_restart_under_an_lru_policy() {
    let mut srv = TestServer::start_with(&[
        "--enable-debug-command",
        "yes",
        "--maxmemory-policy",
        "allkeys-lru",
    ]);
    let mut con = srv.conn();
    restore_hello(&mut con, "old", &["IDLETIME", "1000"]);
    restore_hello_ttl(&mut con, "expiring", 3_600_000, &["IDLETIME", "500"]);
    assert_eq!(object_int(&mut con, "IDLETIME", "old"), Ok(1000));
    let _: () = redis::cmd("SAVE").query(&mut con).unwrap();
    // The file holds an IDLE opcode per key (and no FREQ), the expiry kept alongside.
    let records = access_records(&dump_path(&srv));
    let (idle, freq, _) = records[&b"old"[..]];
    assert!(idle.is_some_and(|i| (1000..1060).contains(&i)), "{idle:?}");
    assert_eq!(freq, None);
    let (idle, _, expire) = records[&b"expiring"[..]];
    assert!(idle.is_some_and(|i| (500..560).contains(&i)), "{idle:?}");
    assert!(expire.is_some());
    assert!(records[&b"src"[..]].0.is_some_and(|i| i < 60));
    drop(con);

    srv.restart();
    let mut con = srv.conn();
    let idle = object_int(&mut con, "IDLETIME", "old").unwrap();
    assert!((1000..1060).contains(&idle), "{idle}");
    let idle = object_int(&mut con, "IDLETIME", "expiring").unwrap();
    assert!((500..560).contains(&idle), "{idle}");
    let ttl: i64 = redis::cmd("TTL").arg("expiring").query(&mut con).unwrap();
    assert!(ttl > 3000, "{ttl}");

    // Without an LRU or LFU policy nothing is recorded, so a reload forgets idle times.
    set_policy(&mut con, "noeviction");
    let _: () = redis::cmd("DEBUG").arg("RELOAD").query(&mut con).unwrap();
    assert!(access_records(&dump_path(&srv))
        .values()
        .all(|r| r.0.is_none() && r.1.is_none()));
    let idle = object_int(&mut con, "IDLETIME", "old").unwrap();
    assert!(idle < 60, "{idle}");
}

#[test]
fn lfu_counters_survive_debug_reload_under_an_lfu_policy() {
    let srv = TestServer::start_with(&[
        "--enable-debug-command",
        "yes",
        "--maxmemory-policy",
        "allkeys-lfu",
    ]);
    let mut con = srv.conn();
    restore_hello(&mut con, "hot", &["FREQ", "42"]);
    assert_eq!(object_int(&mut con, "FREQ", "hot"), Ok(42));
    let _: () = redis::cmd("DEBUG").arg("RELOAD").query(&mut con).unwrap();
    let records = access_records(&dump_path(&srv));
    assert_eq!(records[&b"hot"[..]].0, None);
    assert_eq!(records[&b"hot"[..]].1, Some(42));
    assert_eq!(object_int(&mut con, "FREQ", "hot"), Ok(42));
    assert!(object_int(&mut con, "IDLETIME", "hot")
        .unwrap_err()
        .contains("An LFU maxmemory policy is selected"));

    // A dump without FREQ gives every key the initial counter, 5, as in Redis.
    set_policy(&mut con, "noeviction");
    let _: () = redis::cmd("SAVE").query(&mut con).unwrap();
    set_policy(&mut con, "volatile-lfu");
    let _: () = redis::cmd("DEBUG")
        .arg("RELOAD")
        .arg("NOSAVE")
        .query(&mut con)
        .unwrap();
    assert_eq!(object_int(&mut con, "FREQ", "hot"), Ok(5));
    assert_eq!(object_int(&mut con, "FREQ", "src"), Ok(5));
}

#[test]
fn idle_and_freq_records_interoperate_with_real_redis() {
    let Some(redis) = start_redis_server(&["--maxmemory-policy", "allkeys-lru"]) else {
        return;
    };
    // Real Redis -> ferrodis: the IDLE it wrote is applied under an LRU policy.
    let mut rcon = redis.conn();
    restore_hello(&mut rcon, "old", &["IDLETIME", "2000"]);
    let _: () = redis::cmd("SAVE").query(&mut rcon).unwrap();
    drop(rcon);
    let mut srv = TestServer::start_with(&["--maxmemory-policy", "allkeys-lru"]);
    srv.stop();
    fs::copy(redis.dir.path().join("dump.rdb"), dump_path(&srv)).unwrap();
    srv.relaunch();
    let mut con = srv.conn();
    let idle = object_int(&mut con, "IDLETIME", "old").unwrap();
    assert!((2000..2060).contains(&idle), "{idle}");

    // ferrodis -> real Redis: the FREQ we write is applied under an LFU policy.
    set_policy(&mut con, "allkeys-lfu");
    restore_hello(&mut con, "hot", &["FREQ", "77"]);
    let _: () = redis::cmd("SAVE").query(&mut con).unwrap();
    let Some(mut lfu_redis) = start_redis_server(&["--maxmemory-policy", "allkeys-lfu"]) else {
        return;
    };
    lfu_redis.stop();
    fs::copy(dump_path(&srv), lfu_redis.dir.path().join("dump.rdb")).unwrap();
    lfu_redis.relaunch();
    let mut rcon = lfu_redis.conn();
    assert_eq!(object_int(&mut rcon, "FREQ", "hot"), Ok(77));
}

/// While a BGSAVE runs, INFO's `current_cow_size` is the memory grown since the snapshot
/// began, sampled when INFO is asked (`current_cow_size_age` 0), even when the snapshot
/// thread writes so slowly that it has not sampled it itself.
#[test]
fn current_cow_size_follows_writes_during_a_slow_bgsave() {
    let srv = TestServer::start();
    let mut con = srv.conn();
    // One second per key: the thread writes a few hundred bytes during the test.
    common::slow_snapshots_of(&mut con, 10, 1_000_000);
    let reply: String = redis::cmd("BGSAVE").query(&mut con).unwrap();
    assert_eq!(reply, "Background saving started");
    // The thread records its baseline as it starts; wait for its first key.
    assert!(wait_until(Duration::from_secs(10), || {
        info_field(&mut con, "persistence", "current_save_keys_total") == "10"
    }));
    let value = vec![b'x'; 100_000];
    for i in 0..300 {
        redis::cmd("SET")
            .arg(format!("big{i}"))
            .arg(&value)
            .query::<()>(&mut con)
            .unwrap();
    }
    let cow: u64 = info_field(&mut con, "persistence", "current_cow_size")
        .parse()
        .unwrap();
    assert!(cow >= 15_000_000, "30 MB written, current_cow_size {cow}");
    assert_eq!(
        info_field(&mut con, "persistence", "current_cow_size_age"),
        "0"
    );
    assert_eq!(
        info_field(&mut con, "persistence", "rdb_bgsave_in_progress"),
        "1"
    );
}
