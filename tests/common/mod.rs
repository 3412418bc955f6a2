//! Integration-test harness: runs the real `ferrodis-server` binary (or a real
//! `redis-server`, for interoperability tests) on a free loopback port in its own
//! temporary directory, and gives tests ways to talk to it.
//!
//! Every test file uses it with `mod common;`. Servers are stopped when their
//! [`TestServer`] is dropped. Nothing here sleeps for a fixed time: every wait is a
//! bounded poll that fails with the server's log in the message.
#![allow(dead_code)]

pub mod repl;

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long a server may take to answer PING after it was launched.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a server may take to exit after SIGTERM before it gets SIGKILL.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(15);
/// Read and write timeout of the connections handed to tests: a hung server fails
/// the test instead of hanging the suite.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Launch attempts when the port we picked turns out to be taken.
const START_ATTEMPTS: usize = 5;
/// File in the server's directory that receives its stdout and stderr.
pub const LOG_FILE: &str = "server.log";
/// File name used by [`TestServer::start_with_config`].
pub const CONFIG_FILE: &str = "redis.conf";
/// Lines put before the test's own text in a config file: quiet defaults the text may override.
const CONFIG_PREAMBLE: &str =
    "# test harness defaults; the lines below override them\nsave \"\"\nappendonly no\n";
/// Options given on the command line by [`TestServer::start_with`] before the test's own.
const QUIET_DEFAULTS: [&str; 4] = ["--save", "", "--appendonly", "no"];

/// A server process (ferrodis or a real redis-server) owned by one test.
///
/// Dropping it stops the process (SIGTERM, then SIGKILL after [`SHUTDOWN_TIMEOUT`])
/// and removes its directory.
pub struct TestServer {
    /// The loopback port the server listens on; it stays the same across restarts.
    pub port: u16,
    /// The server's working directory (`--dir`), holding its log, config and data files.
    pub dir: TempDir,
    /// The running process; `None` after [`TestServer::stop`] or [`TestServer::kill`].
    child: Option<Child>,
    /// What to run: binary, optional config file and options after the harness's own.
    launch: Launch,
}

/// A real `redis-server` started by [`start_redis_server`]; it has every helper a
/// [`TestServer`] has.
pub type RealRedis = TestServer;

/// The fixed part of a server's command line.
struct Launch {
    bin: PathBuf,
    config: Option<PathBuf>,
    extra: Vec<OsString>,
}

/// Why one launch attempt did not give a ready server.
#[derive(Debug)]
enum StartError {
    /// The port was taken by another process; a new attempt may succeed.
    AddrInUse,
    /// The process exited before answering PING.
    Exited(ExitStatus),
    /// The process ran but never answered PING within [`STARTUP_TIMEOUT`].
    NotReady,
    /// The binary could not be executed.
    Spawn(io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::AddrInUse => write!(f, "the port was already in use"),
            StartError::Exited(status) => write!(f, "the server exited during startup ({status})"),
            StartError::NotReady => {
                write!(
                    f,
                    "the server did not answer PING within {STARTUP_TIMEOUT:?}"
                )
            }
            StartError::Spawn(e) => write!(f, "the binary could not be started: {e}"),
        }
    }
}

impl TestServer {
    /// Starts `ferrodis-server` with persistence off (`--save "" --appendonly no`).
    pub fn start() -> TestServer {
        TestServer::start_with(&[])
    }

    /// Starts `ferrodis-server` with persistence off, then `args` (which may override it),
    /// e.g. `&["--appendonly", "yes"]`.
    pub fn start_with(args: &[&str]) -> TestServer {
        TestServer::launch(ferrodis_bin(), None, &with_quiet_defaults(args))
    }

    /// Writes `conf_text` to `redis.conf` in the server's directory (after two default
    /// lines, `save ""` and `appendonly no`, that the text may override) and starts
    /// `ferrodis-server redis.conf --port P --bind 127.0.0.1 --dir D` followed by `args`.
    pub fn start_with_config(conf_text: &str, args: &[&str]) -> TestServer {
        TestServer::launch(ferrodis_bin(), Some(conf_text), args)
    }

    /// Runs `bin` in a new temp dir on a free port, retrying with another port when the
    /// chosen one is taken; panics with the server's log if it cannot be made ready.
    fn launch(bin: PathBuf, conf_text: Option<&str>, args: &[&str]) -> TestServer {
        let dir = tempfile::Builder::new()
            .prefix("ferrodis-test-")
            .tempdir()
            .expect("create a temp dir for the server");
        let config = conf_text.map(|text| {
            let path = dir.path().join(CONFIG_FILE);
            fs::write(&path, format!("{CONFIG_PREAMBLE}{text}")).expect("write the config file");
            path
        });
        let extra = args.iter().map(OsString::from).collect();
        let mut server = TestServer {
            port: 0,
            dir,
            child: None,
            launch: Launch { bin, config, extra },
        };
        for attempt in 1..=START_ATTEMPTS {
            server.port = free_port();
            match server.try_launch() {
                Ok(()) => return server,
                Err(StartError::AddrInUse) if attempt < START_ATTEMPTS => continue,
                Err(e) => server.fail_start(&e),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// Starts the process on `self.port` and waits until it answers PING.
    fn try_launch(&mut self) -> Result<(), StartError> {
        let log_path = self.log_path();
        let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(StartError::Spawn)?;
        let log_err = log.try_clone().map_err(StartError::Spawn)?;
        let mut cmd = Command::new(&self.launch.bin);
        if let Some(config) = &self.launch.config {
            cmd.arg(config);
        }
        cmd.arg("--port")
            .arg(self.port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--dir")
            .arg(self.dir.path())
            .args(&self.launch.extra)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let child = cmd.spawn().map_err(StartError::Spawn)?;
        self.child = Some(child);
        let result = self.wait_ready();
        if let Err(StartError::Exited(_)) = result {
            self.child = None;
            if log_since(&log_path, log_start)
                .to_ascii_lowercase()
                .contains("address already in use")
            {
                return Err(StartError::AddrInUse);
            }
        }
        result
    }

    /// Polls until our child listens on `self.port` and answers PING, or exits, or
    /// [`STARTUP_TIMEOUT`] passes.
    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let mut pause = Duration::from_millis(2);
        loop {
            let child = self.child.as_mut().expect("wait_ready needs a child");
            if let Ok(Some(status)) = child.try_wait() {
                return Err(StartError::Exited(status));
            }
            // Checking ownership first makes sure a PONG comes from our process and not
            // from another server that grabbed the port after we released it.
            if owns_listener(child.id(), self.port) && ping_ok(self.port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(StartError::NotReady);
            }
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Stops whatever is left of the process and panics with `err` and the log.
    fn fail_start(&mut self, err: &StartError) -> ! {
        self.stop();
        panic!(
            "could not start {} on port {}: {err}\n--- {} ---\n{}",
            self.launch.bin.display(),
            self.port,
            LOG_FILE,
            self.log_tail()
        );
    }

    /// The server's address as a `redis://` URL, for clients built by the test.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Opens a `redis` crate connection with [`IO_TIMEOUT`] read/write timeouts.
    pub fn conn(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).expect("client for loopback");
        let con = client
            .get_connection_with_timeout(IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("connect to port {}: {e}\n{}", self.port, self.log_tail()));
        con.set_read_timeout(Some(IO_TIMEOUT))
            .expect("set read timeout");
        con.set_write_timeout(Some(IO_TIMEOUT))
            .expect("set write timeout");
        con
    }

    /// Opens a plain TCP connection for exchanging raw RESP bytes.
    pub fn raw(&self) -> RawConn {
        RawConn::connect(self.port)
    }

    /// Path of the file receiving the server's stdout and stderr.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join(LOG_FILE)
    }

    /// Everything the server wrote to stdout and stderr so far, across restarts.
    pub fn log_contents(&self) -> String {
        log_since(&self.log_path(), 0)
    }

    /// The last few kilobytes of the log, for failure messages.
    fn log_tail(&self) -> String {
        const TAIL: usize = 8000;
        let log = self.log_contents();
        let cut = log.len().saturating_sub(TAIL);
        let start = (cut..=log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(0);
        log[start..].to_string()
    }

    /// Process id of the running server; panics if it was stopped.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server is not running").id()
    }

    /// Whether the process is still running (it may have crashed on its own).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Asks the server to exit (SIGTERM, as a shutdown by an operator) and waits for it;
    /// SIGKILL follows after [`SHUTDOWN_TIMEOUT`]. Returns the exit status, if it ran.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        // The child is not reaped yet, so its pid cannot have been reused.
        let _ = Command::new("sh")
            .args(["-c", "kill -TERM \"$1\"", "sh"])
            .arg(child.id().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + SHUTDOWN_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        child.wait().ok()
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again, same binary, options, directory and port, after
    /// [`TestServer::stop`] or [`TestServer::kill`]; panics if it does not become ready.
    pub fn relaunch(&mut self) {
        assert!(
            self.child.is_none(),
            "relaunch: the server is still running"
        );
        let mut pause = Duration::from_millis(100);
        for attempt in 1..=START_ATTEMPTS {
            match self.try_launch() {
                Ok(()) => return,
                Err(StartError::AddrInUse) if attempt < START_ATTEMPTS => {
                    thread::sleep(pause);
                    pause *= 2;
                }
                Err(e) => self.fail_start(&e),
            }
        }
    }

    /// Shuts the server down gracefully and starts it again on the same port and dir.
    pub fn restart(&mut self) {
        self.stop();
        self.relaunch();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Path of the ferrodis binary that cargo built for this test run.
fn ferrodis_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ferrodis-server"))
}

/// Returns the harness's persistence-off options followed by `args`.
fn with_quiet_defaults<'a>(args: &[&'a str]) -> Vec<&'a str> {
    QUIET_DEFAULTS
        .iter()
        .copied()
        .chain(args.iter().copied())
        .collect()
}

/// Returns a loopback port that was free a moment ago (the kernel's choice for port 0).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0 to find a free port")
}

/// Reads `path` from byte `offset` on, lossily as UTF-8; empty if unreadable.
fn log_since(path: &Path, offset: u64) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// Whether process `pid` holds the socket listening on TCP `port` (Linux `/proc`).
/// Where `/proc` cannot tell (another OS), returns true and PING alone decides.
fn owns_listener(pid: u32, port: u16) -> bool {
    let Some(inodes) = listening_inodes(port) else {
        return true;
    };
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return true;
    };
    fds.flatten().any(|fd| {
        fs::read_link(fd.path())
            .map(|target| {
                inodes
                    .iter()
                    .any(|i| target.as_os_str() == format!("socket:[{i}]").as_str())
            })
            .unwrap_or(false)
    })
}

/// Inodes of the sockets listening on TCP `port` (IPv4 and IPv6), or `None` when
/// `/proc/net/tcp` is not readable.
fn listening_inodes(port: u16) -> Option<Vec<String>> {
    let v4 = fs::read_to_string("/proc/net/tcp").ok()?;
    let v6 = fs::read_to_string("/proc/net/tcp6").unwrap_or_default();
    let wanted = format!("{port:04X}");
    let inodes = v4
        .lines()
        .skip(1)
        .chain(v6.lines().skip(1))
        .filter_map(|line| listening_inode(line, &wanted))
        .collect();
    Some(inodes)
}

/// The inode of a `/proc/net/tcp` row if it is a socket listening on hex port `wanted`.
fn listening_inode(line: &str, wanted: &str) -> Option<String> {
    const LISTEN: &str = "0A";
    let fields: Vec<&str> = line.split_whitespace().collect();
    let local_port = fields.get(1)?.rsplit(':').next()?;
    let listening = local_port == wanted && *fields.get(3)? == LISTEN;
    listening.then(|| fields.get(9).map(|s| s.to_string()))?
}

/// Whether a server on `port` answers PING with `+PONG` within a second.
fn ping_ok(port: u16) -> bool {
    let probe = || -> io::Result<Vec<u8>> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
        let mut conn = RawConn::from_stream(stream, Duration::from_secs(1))?;
        conn.stream.write_all(b"*1\r\n$4\r\nPING\r\n")?;
        conn.try_read_reply()
    };
    // A server with requirepass answers -NOAUTH: it is up all the same.
    matches!(probe(), Ok(reply) if reply == b"+PONG\r\n" || reply.starts_with(b"-NOAUTH"))
}

/// Polls `cond` with a growing pause (1 ms up to 50 ms) until it returns true or
/// `timeout` has passed; returns whether it became true. Use it as
/// `assert!(wait_until(Duration::from_secs(5), || ...), "what never happened")`.
pub fn wait_until<F: FnMut() -> bool>(timeout: Duration, mut cond: F) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Whether an executable called `name` is on `PATH`.
pub fn tool_available(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        fs::metadata(dir.join(name))
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    })
}

/// Prints `SKIPPED: <test>: <tool> not installed` straight to stderr, so it shows even
/// when the test harness captures output.
pub fn report_skip(test: &str, tool: &str) {
    let _ = writeln!(io::stderr(), "SKIPPED: {test}: {tool} not installed");
}

/// Returns from the calling test (which must return `()`) after printing
/// `SKIPPED: <test>: <tool> not installed` when `tool` is not on `PATH`.
#[macro_export]
macro_rules! skip_unless_tool {
    ($tool:expr) => {
        if !$crate::common::tool_available($tool) {
            fn __here() {}
            let name = ::std::any::type_name_of_val(&__here);
            $crate::common::report_skip(name.strip_suffix("::__here").unwrap_or(name), $tool);
            return;
        }
    };
}

/// Starts a real `redis-server` (persistence off, then `args`) on a free port in its
/// own temp dir, for interoperability tests; `None`, after printing a SKIPPED line,
/// when it is not installed.
pub fn start_redis_server(args: &[&str]) -> Option<RealRedis> {
    launch_real_redis(None, &with_quiet_defaults(args))
}

/// Starts a real Redis Sentinel (`redis-server <config> --sentinel`) on a free port in
/// its own temp dir, with `conf_text` (its `sentinel monitor ...` lines) as its config
/// file, which it rewrites as Sentinel does; `None`, after printing a SKIPPED line,
/// when redis-server is not installed.
pub fn start_sentinel(conf_text: &str) -> Option<RealRedis> {
    launch_real_redis(Some(conf_text), &["--sentinel"])
}

/// Runs the installed `redis-server` with an optional config file and `args`, or
/// reports the test as skipped when there is none.
fn launch_real_redis(conf_text: Option<&str>, args: &[&str]) -> Option<RealRedis> {
    if !tool_available("redis-server") {
        let thread = thread::current();
        report_skip(thread.name().unwrap_or("unnamed test"), "redis-server");
        return None;
    }
    Some(TestServer::launch(
        PathBuf::from("redis-server"),
        conf_text,
        args,
    ))
}

/// A TCP connection for exchanging raw RESP bytes with a server.
pub struct RawConn {
    stream: TcpStream,
    /// Bytes received but not yet consumed by `read_reply` or `expect`.
    buf: Vec<u8>,
}

impl RawConn {
    /// Connects to the server on loopback `port`, with [`IO_TIMEOUT`] timeouts.
    pub fn connect(port: u16) -> RawConn {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
        RawConn::from_stream(stream, IO_TIMEOUT).expect("set socket timeouts")
    }

    /// Connects to `addr` (e.g. `("127.0.0.2", port)`), with [`IO_TIMEOUT`] timeouts.
    pub fn from_addr(addr: (&str, u16)) -> RawConn {
        let stream = TcpStream::connect(addr)
            .unwrap_or_else(|e| panic!("connect to {}:{}: {e}", addr.0, addr.1));
        RawConn::from_stream(stream, IO_TIMEOUT).expect("set socket timeouts")
    }

    /// Wraps a connected stream, setting its read and write timeouts to `timeout`.
    fn from_stream(stream: TcpStream, timeout: Duration) -> io::Result<RawConn> {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.set_nodelay(true)?;
        Ok(RawConn {
            stream,
            buf: Vec::new(),
        })
    }

    /// The underlying socket, e.g. to half-close it or change its timeouts.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Writes all of `bytes`; panics on error.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("send {}: {e}", show(bytes)));
    }

    /// Sends `args` as one RESP multibulk command, e.g. `&["SET", "k", "v"]`.
    pub fn send_cmd(&mut self, args: &[&str]) {
        self.send(&encode_command(args));
    }

    /// Reads exactly one complete RESP reply (any RESP2/RESP3 type) and returns its
    /// bytes; panics on timeout, on a closed connection or on bytes that are not RESP.
    pub fn read_reply(&mut self) -> Vec<u8> {
        self.try_read_reply()
            .unwrap_or_else(|e| panic!("read a reply: {e}; received so far: {}", show(&self.buf)))
    }

    /// Like [`RawConn::read_reply`], but returns errors instead of panicking.
    fn try_read_reply(&mut self) -> io::Result<Vec<u8>> {
        loop {
            match resp_frame_len(&self.buf) {
                Ok(Some(n)) => return Ok(self.buf.drain(..n).collect()),
                Ok(None) => self.fill()?,
                Err(e) => return Err(io::Error::new(ErrorKind::InvalidData, e)),
            }
        }
    }

    /// Asserts that the next bytes received are exactly `expected`.
    pub fn expect(&mut self, expected: &[u8]) {
        while self.buf.len() < expected.len() {
            if let Err(e) = self.fill() {
                panic!(
                    "expected {}, got {} then: {e}",
                    show(expected),
                    show(&self.buf)
                );
            }
        }
        let got: Vec<u8> = self.buf.drain(..expected.len()).collect();
        assert!(
            got == expected,
            "expected {}\n     got {}",
            show(expected),
            show(&got)
        );
    }

    /// Asserts that the server closes the connection without sending anything more.
    pub fn expect_closed(&mut self) {
        loop {
            assert!(
                self.buf.is_empty(),
                "expected the connection to close, got {}",
                show(&self.buf)
            );
            match self.fill() {
                Ok(()) => continue,
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return,
                Err(e) => panic!("expected the connection to close: {e}"),
            }
        }
    }

    /// Closes our writing side (the server sees end of input), keeping reads open.
    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Appends at least one received byte to `buf`; end of stream is `UnexpectedEof`.
    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Encodes `args` as a RESP multibulk request.
pub fn encode_command(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Shows bytes as an escaped, quoted string for assertion messages.
pub fn show(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

/// Why bytes received from a server are not a RESP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RespFrameError {
    /// The byte at `offset` does not start any RESP type.
    UnknownType { offset: usize, byte: u8 },
    /// The length or count in the header at `offset` is not an integer >= -1.
    BadLength { offset: usize },
    /// A bulk payload ending at `offset` is not followed by CRLF.
    MissingCrlf { offset: usize },
}

impl fmt::Display for RespFrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RespFrameError::UnknownType { offset, byte } => {
                write!(
                    f,
                    "byte {:?} at offset {offset} starts no RESP type",
                    *byte as char
                )
            }
            RespFrameError::BadLength { offset } => {
                write!(f, "bad length or count in the header at offset {offset}")
            }
            RespFrameError::MissingCrlf { offset } => {
                write!(f, "bulk payload not followed by CRLF at offset {offset}")
            }
        }
    }
}

impl std::error::Error for RespFrameError {}

/// Length of the first complete RESP2/RESP3 reply in `buf`, `None` if more bytes are
/// needed. Checks framing only (types, lengths, CRLFs), not the content of lines.
pub fn resp_frame_len(buf: &[u8]) -> Result<Option<usize>, RespFrameError> {
    frame_end(buf, 0)
}

/// End offset of the reply starting at `pos`, `None` if it is incomplete.
fn frame_end(buf: &[u8], pos: usize) -> Result<Option<usize>, RespFrameError> {
    let Some(&kind) = buf.get(pos) else {
        return Ok(None);
    };
    let Some(cr) = find_crlf(buf, pos + 1) else {
        return Ok(None);
    };
    let after_header = cr + 2;
    match kind {
        // simple string, error, integer, null, double, boolean, big number
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(Some(after_header)),
        // bulk string, bulk error, verbatim string
        b'$' | b'!' | b'=' => match header_len(buf, pos, cr)? {
            None => Ok(Some(after_header)),
            Some(len) => {
                let end = after_header + len + 2;
                if buf.len() < end {
                    Ok(None)
                } else if &buf[end - 2..end] != b"\r\n" {
                    Err(RespFrameError::MissingCrlf { offset: end - 2 })
                } else {
                    Ok(Some(end))
                }
            }
        },
        // array, set, push, map, attribute
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let Some(count) = header_len(buf, pos, cr)? else {
                return Ok(Some(after_header));
            };
            let items = if matches!(kind, b'%' | b'|') {
                count * 2
            } else {
                count
            };
            let mut end = after_header;
            for _ in 0..items {
                match frame_end(buf, end)? {
                    Some(next) => end = next,
                    None => return Ok(None),
                }
            }
            if kind == b'|' {
                // An attribute map is followed by the reply it annotates.
                return frame_end(buf, end);
            }
            Ok(Some(end))
        }
        byte => Err(RespFrameError::UnknownType { offset: pos, byte }),
    }
}

/// Parses the length or count between the type byte at `pos` and the CR at `cr`;
/// `None` for -1 (the RESP2 null).
fn header_len(buf: &[u8], pos: usize, cr: usize) -> Result<Option<usize>, RespFrameError> {
    let bad = RespFrameError::BadLength { offset: pos };
    let text = std::str::from_utf8(&buf[pos + 1..cr]).map_err(|_| bad.clone())?;
    match text.parse::<i64>() {
        Ok(-1) => Ok(None),
        Ok(n) => usize::try_from(n).map(Some).map_err(|_| bad),
        Err(_) => Err(bad),
    }
}

/// Index of the first `\r\n` at or after `from`.
fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| from + i)
}

/// Commands and the exact reply real Redis gave to each, in order.
pub type Script = &'static [(&'static [&'static str], &'static [u8])];

/// Runs `script` on `conn`, asserting each reply byte for byte.
pub fn run_script(conn: &mut RawConn, script: Script) {
    for (args, want) in script {
        conn.send_cmd(args);
        let got = conn.read_reply();
        assert!(
            got == *want,
            "{:?}: expected {}, got {}",
            args,
            show(want),
            show(&got)
        );
    }
}

/// Runs `script` on a fresh ferrodis server.
pub fn run_fresh(script: Script) {
    let server = TestServer::start();
    run_script(&mut server.raw(), script);
}

/// Sends `args` on `conn` and returns the reply bytes.
pub fn ask(conn: &mut RawConn, args: &[&str]) -> Vec<u8> {
    conn.send_cmd(args);
    conn.read_reply()
}

/// Sends `args` on `conn` and asserts that the reply is exactly `expected`.
pub fn check(conn: &mut RawConn, args: &[&str], expected: &[u8]) {
    let got = ask(conn, args);
    assert_eq!(show(&got), show(expected), "reply to {args:?}");
}

/// Runs one command through the `redis` crate, panicking with the command on error.
pub fn query<T: redis::FromRedisValue>(con: &mut redis::Connection, args: &[&str]) -> T {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The dataset's `DEBUG DIGEST`.
pub fn digest(con: &mut redis::Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).unwrap()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

/// The bytes of `server`'s incremental AOF file (Redis 7's `appendonlydir` layout).
pub fn incr_aof(server: &TestServer) -> Vec<u8> {
    let dir = server.dir.path().join("appendonlydir");
    let incr = std::fs::read_dir(&dir)
        .expect("appendonlydir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".incr.aof"))
        .expect("an incremental AOF file");
    std::fs::read(incr.path()).unwrap()
}

/// Starts a real `redis-server` with `conf_text` as its config file (after the harness's
/// quiet default lines) and `args`, as [`TestServer::start_with_config`] does for
/// ferrodis; `None`, after printing a SKIPPED line, when it is not installed.
pub fn start_redis_server_with_config(conf_text: &str, args: &[&str]) -> Option<RealRedis> {
    launch_real_redis(Some(conf_text), args)
}

/// The text of a bulk, simple or verbatim string reply.
pub fn text(v: &redis::Value) -> String {
    match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        redis::Value::SimpleString(s) => s.clone(),
        redis::Value::VerbatimString { text, .. } => text.clone(),
        redis::Value::Okay => "OK".into(),
        other => panic!("not a string: {other:?}"),
    }
}

/// The items of an array or set reply.
pub fn items(v: &redis::Value) -> &[redis::Value] {
    match v {
        redis::Value::Array(a) | redis::Value::Set(a) => a,
        other => panic!("not an array: {other:?}"),
    }
}

/// The (key, value) pairs of a RESP3 map reply, or of a RESP2 flat array of pairs.
pub fn pairs(v: &redis::Value) -> Vec<(String, &redis::Value)> {
    match v {
        redis::Value::Map(m) => m.iter().map(|(k, v)| (text(k), v)).collect(),
        redis::Value::Array(a) => a.chunks(2).map(|p| (text(&p[0]), &p[1])).collect(),
        other => panic!("not a map: {other:?}"),
    }
}

/// Writes `keys` small keys (`k0`, `k1`, ...) and sets `rdb-key-save-delay` to
/// `delay_us` per key: the next snapshot (BGSAVE, rewrite, full sync) then lasts about
/// `keys * delay_us`, long enough to act on while it runs.
pub fn slow_snapshots_of(con: &mut redis::Connection, keys: usize, delay_us: u64) {
    for i in 0..keys {
        redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg("v")
            .query::<()>(con)
            .unwrap();
    }
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("rdb-key-save-delay")
        .arg(delay_us)
        .query::<()>(con)
        .unwrap();
}
