//! The Lua debugger (Redis's LDB). After `SCRIPT DEBUG YES` or `SYNC`, the client's next
//! EVAL runs under a line hook that stops at the first line and then wherever the
//! client asks: it talks to the client directly on its socket, with blocking I/O, from
//! inside the hook, as Redis does. What the debugger says goes out as arrays of status
//! lines; the client's commands come in as RESP arrays. The session ends with an
//! `<endsession>` line, the EVAL's own reply, and the connection closing.
//!
//! Redis runs a YES session in a forked child, so the server goes on serving and the
//! dataset changes vanish with the child. We have no fork: a YES session runs in the
//! server like a SYNC one (other clients wait), and the server puts the dataset back
//! as it was afterwards (see `Server::eval_debug_session`).

use std::ffi::{c_int, CStr};
use std::io;
use std::mem;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use mlua::{ffi, Lua, MultiValue, Table, Value, VmState};

use super::binding::Binding;
use super::environment::{self, raise};
use crate::util::numbers::{atoi, format_g};
use crate::util::repr::append_repr;

/// How a client's next EVAL is debugged (SCRIPT DEBUG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebugMode {
    /// YES: the dataset changes are rolled back when the session ends.
    RollBack,
    /// SYNC: the changes stay.
    Sync,
}

/// Breakpoints a session can hold (Redis's limit).
const MAX_BREAKPOINTS: usize = 64;
/// Default length at which logged replies and values are cut.
const DEFAULT_MAXLEN: usize = 256;
/// How long a write to the debugging client may wait for room.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest command the client may send the debugger.
const MAX_INPUT: usize = 1 << 20;
/// Lua instructions between two checks for a script that runs too long unattended.
const COUNT_EVERY: u32 = 100_000;
/// Nesting of tables beyond which a value dump stops (Redis's LUA_MINSTACK / 2).
const MAX_VALUE_DEPTH: usize = 10;

/// The state of the one debugging session that can run at a time.
pub struct Session {
    fd: RawFd,
    /// The script's source, one entry per line.
    lines: Vec<Vec<u8>>,
    /// Lines not yet sent to the client.
    logs: Vec<Vec<u8>>,
    /// Stop at the next line whatever the breakpoints.
    step: bool,
    /// Stop at the next line because the script called `redis.breakpoint()`.
    lua_breakpoint: bool,
    breakpoints: Vec<i32>,
    current_line: i32,
    /// Logged replies and values are cut at this length (0: never).
    maxlen: usize,
    maxlen_hint_sent: bool,
    /// Bytes read from the client and not yet parsed.
    input: Vec<u8>,
}

impl Session {
    /// A session with `fd` for the script `source`, which stops at its first line.
    pub fn new(fd: RawFd, source: &[u8]) -> Session {
        let mut end = source.len();
        while end > 0 && matches!(source[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Session {
            fd,
            lines: source[..end]
                .split(|&b| b == b'\n')
                .map(<[u8]>::to_vec)
                .collect(),
            logs: Vec::new(),
            step: true,
            lua_breakpoint: false,
            breakpoints: Vec::new(),
            current_line: 0,
            maxlen: DEFAULT_MAXLEN,
            maxlen_hint_sent: false,
            input: Vec::new(),
        }
    }

    /// Whether commands and replies are logged: the session stops at every line.
    pub fn stepping(&self) -> bool {
        self.step
    }

    pub fn log(&mut self, line: impl Into<Vec<u8>>) {
        self.logs.push(line.into());
    }

    /// Logs `line` cut at `maxlen`, with a hint about `maxlen` the first time.
    fn log_with_maxlen(&mut self, mut line: Vec<u8>) {
        let cut = self.maxlen != 0 && line.len() > self.maxlen;
        if cut {
            line.truncate(self.maxlen);
            line.extend_from_slice(b" ...");
        }
        self.log(line);
        if cut && !self.maxlen_hint_sent {
            self.maxlen_hint_sent = true;
            self.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
        }
    }

    /// Logs a command's reply (RESP) in readable form.
    pub fn log_reply(&mut self, reply: &[u8]) {
        let mut line = b"<reply> ".to_vec();
        reply_to_human(&mut line, reply);
        self.log_with_maxlen(line);
    }

    /// Sends the pending lines as one array of status replies (newlines become spaces).
    /// A failed write is not reported: the next read finds the client gone.
    pub fn send_logs(&mut self) {
        let mut out = format!("*{}\r\n", self.logs.len()).into_bytes();
        for line in self.logs.drain(..) {
            out.push(b'+');
            out.extend(
                line.iter()
                    .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
            );
            out.extend_from_slice(b"\r\n");
        }
        let _ = write_all(self.fd, &out);
    }

    fn source_line(&self, line: i32) -> &[u8] {
        match usize::try_from(line - 1)
            .ok()
            .and_then(|i| self.lines.get(i))
        {
            Some(text) => text,
            None => b"<out of range source code line>",
        }
    }

    fn is_breakpoint(&self, line: i32) -> bool {
        self.breakpoints.contains(&line)
    }

    /// Logs source line `line`, marked when it is the current one or a breakpoint.
    fn log_source_line(&mut self, line: i32) {
        let prefix = match (line == self.current_line, self.is_breakpoint(line)) {
            (true, true) => "->#",
            (true, false) => "-> ",
            (false, true) => "  #",
            (false, false) => "   ",
        };
        let mut out = format!("{prefix}{line:<3} ").into_bytes();
        out.extend_from_slice(self.source_line(line));
        self.log(out);
    }

    /// Logs the lines within `context` of `around` (every line if `around` is 0).
    fn list(&mut self, around: i32, context: i32) {
        for line in 1..=self.lines.len() as i32 {
            if around == 0 || (around - line).abs() <= context {
                self.log_source_line(line);
            }
        }
    }

    /// The `break` command.
    fn breakpoint_command(&mut self, args: &[Vec<u8>]) {
        if args.is_empty() {
            if self.breakpoints.is_empty() {
                self.log("No breakpoints set. Use 'b <line>' to add one.");
            } else {
                self.log(format!("{} breakpoints set:", self.breakpoints.len()));
                for line in self.breakpoints.clone() {
                    self.log_source_line(line);
                }
            }
            return;
        }
        for arg in args {
            let Some(line) = crate::util::numbers::parse_i64(arg) else {
                let mut out = b"Invalid argument:'".to_vec();
                out.extend_from_slice(arg);
                out.push(b'\'');
                self.log(out);
                continue;
            };
            let line = line.clamp(i32::MIN as i64 + 1, i32::MAX as i64) as i32;
            if line == 0 {
                self.breakpoints.clear();
                self.log("All breakpoints removed.");
            } else if line > 0 {
                if self.breakpoints.len() == MAX_BREAKPOINTS {
                    self.log("Too many breakpoints set.");
                } else if line as usize <= self.lines.len() && !self.is_breakpoint(line) {
                    self.breakpoints.push(line);
                    self.list(line, 1);
                } else {
                    self.log("Wrong line number.");
                }
            } else if let Some(i) = self.breakpoints.iter().position(|&b| b == -line) {
                self.breakpoints.remove(i);
                self.log("Breakpoint removed.");
            } else {
                self.log("No breakpoint in the specified line.");
            }
        }
    }

    /// The `maxlen` command.
    fn maxlen_command(&mut self, args: &[Vec<u8>]) {
        if let Some(arg) = args.first() {
            let value = atoi(arg);
            self.maxlen_hint_sent = true;
            self.maxlen = match value {
                0 => 0,
                v if v <= 60 => 60,
                v => v as usize,
            };
        }
        if self.maxlen != 0 {
            self.log(format!(
                "<value> replies are truncated at {} bytes.",
                self.maxlen
            ));
        } else {
            self.log("<value> replies are unlimited.");
        }
    }

    /// The next complete command in `input`: Ok(None) while more must be read.
    fn parse_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, ()> {
        let parsed = parse_forgiving(&self.input);
        if let Ok(Some(_)) = parsed {
            self.input.clear();
        }
        parsed
    }
}

/// What ended the reading of the client's commands.
enum ReplEnd {
    /// Run on (`step` or `continue`).
    Resume,
    /// The client is gone: the script runs to its end unattended.
    Disconnected,
}

/// Parses one command as Redis's debugger does: a RESP array of 1 to 1024 bulk
/// strings of 1 to 1024 bytes, anything before the `*` skipped.
fn parse_forgiving(buf: &[u8]) -> Result<Option<Vec<Vec<u8>>>, ()> {
    if buf.is_empty() {
        return Ok(None);
    }
    let Some(star) = memchr::memchr(b'*', buf) else {
        return Err(());
    };
    let mut p = star + 1;
    let Some(count_end) = find_crlf(buf, p) else {
        return Ok(None);
    };
    let count = atoi(&buf[p..count_end]) as i64;
    if !(1..=1024).contains(&count) {
        return Err(());
    }
    p = count_end + 2;
    let mut argv = Vec::with_capacity(count as usize);
    while argv.len() < count as usize {
        if p >= buf.len() {
            return Ok(None);
        }
        if buf[p] != b'$' {
            return Err(());
        }
        let Some(len_end) = find_crlf(buf, p + 1) else {
            return Ok(None);
        };
        let len = atoi(&buf[p + 1..len_end]) as i64;
        if !(1..=1024).contains(&len) {
            return Err(());
        }
        let start = len_end + 2;
        let end = start + len as usize;
        if end + 2 > buf.len() {
            return Ok(None);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(());
        }
        argv.push(buf[start..end].to_vec());
        p = end + 2;
    }
    Ok(Some(argv))
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| from + i)
}

/// Writes all of `buf` to `fd`, waiting up to `SEND_TIMEOUT` for room.
fn write_all(fd: RawFd, mut buf: &[u8]) -> io::Result<()> {
    let deadline = Instant::now() + SEND_TIMEOUT;
    while !buf.is_empty() {
        // SAFETY: writes from a live slice of `buf.len()` bytes to a descriptor we
        // hold open for the whole session.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n > 0 {
            buf = &buf[n as usize..];
            continue;
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::Interrupted => continue,
            io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                wait_for(fd, libc::POLLOUT, left.as_millis().max(1) as c_int)?;
            }
            _ if n == 0 => return Err(io::ErrorKind::WriteZero.into()),
            _ => return Err(err),
        }
    }
    Ok(())
}

/// Reads what the client sent, waiting for it as long as it takes (the server waits
/// for the person at the debugger). 0 when the client is gone.
fn read_some(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: reads into a live, writable slice of `buf.len()` bytes from a
        // descriptor we hold open for the whole session.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::Interrupted => continue,
            io::ErrorKind::WouldBlock => wait_for(fd, libc::POLLIN, -1)?,
            _ => return Err(err),
        }
    }
}

/// Waits until `fd` is ready for `events` or `timeout_ms` passes (-1: no limit).
fn wait_for(fd: RawFd, events: libc::c_short, timeout_ms: c_int) -> io::Result<()> {
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: polls one pollfd that lives on this stack frame for the whole call.
    let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    Ok(())
}

/// Appends a readable form of the RESP reply at the start of `reply` to `out` and
/// returns the bytes it spans (as Redis's ldbRedisProtocolToHuman).
fn reply_to_human(out: &mut Vec<u8>, reply: &[u8]) -> usize {
    let Some(&kind) = reply.first() else {
        return 0;
    };
    let Some(eol) = find_crlf(reply, 1) else {
        out.extend_from_slice(reply);
        return reply.len();
    };
    let header = &reply[1..eol];
    let mut p = eol + 2;
    let mut items = |out: &mut Vec<u8>, count: i64, pairs: bool, sep: &[u8]| {
        for i in 0..count.max(0) {
            p += reply_to_human(out, &reply[p.min(reply.len())..]);
            if pairs {
                out.extend_from_slice(b" => ");
                p += reply_to_human(out, &reply[p.min(reply.len())..]);
            }
            if i != count - 1 {
                out.extend_from_slice(sep);
            }
        }
        p
    };
    match kind {
        b':' => out.extend_from_slice(header),
        b'$' => {
            let len = atoi(header) as i64;
            if len < 0 {
                out.extend_from_slice(b"NULL");
            } else {
                let end = (p + len as usize).min(reply.len());
                append_repr(out, &reply[p..end]);
                p = end + 2;
            }
        }
        b'+' | b'-' => append_repr(out, &reply[..eol]),
        b'*' => {
            let count = atoi(header) as i64;
            if count < 0 {
                out.extend_from_slice(b"NULL");
            } else {
                out.push(b'[');
                p = items(out, count, false, b",");
                out.push(b']');
            }
        }
        b'~' => {
            out.extend_from_slice(b"~(");
            p = items(out, atoi(header) as i64, false, b",");
            out.push(b')');
        }
        b'%' => {
            out.push(b'{');
            p = items(out, atoi(header) as i64, true, b",");
            out.push(b'}');
        }
        b'_' => out.extend_from_slice(b"(null)"),
        b'#' => out.extend_from_slice(if header == b"t" { b"#true" } else { b"#false" }),
        b',' => {
            out.extend_from_slice(b"(double) ");
            out.extend_from_slice(header);
        }
        _ => out.extend_from_slice(&reply[..eol]),
    }
    p.min(reply.len())
}

/// Appends a readable form of a Lua value (as Redis's ldbCatStackValue).
fn append_value(out: &mut Vec<u8>, value: &Value, depth: usize) {
    if depth == MAX_VALUE_DEPTH {
        out.extend_from_slice(b"<max recursion level reached! Nested table?>");
        return;
    }
    match value {
        Value::String(s) => append_repr(out, &s.as_bytes()),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(n) => out.extend_from_slice(format_g(*n as f64, 6).as_bytes()),
        Value::Number(n) => out.extend_from_slice(format_g(*n, 6).as_bytes()),
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Table(t) => append_table(out, t, depth + 1),
        other => {
            let kind = match other {
                Value::Function(_) => "function",
                Value::Thread(_) => "thread",
                Value::LightUserData(_) => "light-userdata",
                _ => "userdata",
            };
            out.extend_from_slice(format!("\"{kind}@{:p}\"", other.to_pointer()).as_bytes());
        }
    }
}

/// A table as `{a; b}` when its keys are 1, 2, ... in iteration order, else as
/// `{[k]=v; ...}`.
fn append_table(out: &mut Vec<u8>, table: &Table, depth: usize) {
    let mut as_array = Vec::new();
    let mut as_map = Vec::new();
    let mut is_array = true;
    let mut expected = 1.0;
    for pair in table.pairs::<Value, Value>() {
        let Ok((k, v)) = pair else { break };
        let index = match k {
            Value::Integer(n) => Some(n as f64),
            Value::Number(n) => Some(n),
            _ => None,
        };
        if index != Some(expected) {
            is_array = false;
        }
        if !as_array.is_empty() {
            as_array.extend_from_slice(b"; ");
            as_map.extend_from_slice(b"; ");
        }
        append_value(&mut as_array, &v, depth);
        as_map.push(b'[');
        append_value(&mut as_map, &k, depth);
        as_map.extend_from_slice(b"]=");
        append_value(&mut as_map, &v, depth);
        expected += 1.0;
    }
    out.push(b'{');
    out.extend_from_slice(if is_array { &as_array } else { &as_map });
    out.push(b'}');
}

/// The line hook of a debugged script (Redis's luaLdbLineHook).
pub fn line_hook(
    binding: std::rc::Rc<Binding>,
) -> impl Fn(&Lua, &mlua::debug::Debug) -> mlua::Result<VmState> {
    move |lua, debug| {
        let source = debug.source();
        if !source.short_src.is_some_and(|s| s.contains("user_script")) {
            return Ok(VmState::Continue);
        }
        let line = debug.current_line().map_or(0, |l| l as i32);
        let counting = matches!(debug.event(), mlua::debug::DebugEvent::Count);
        let (stop, timeout) = {
            let mut guard = binding.ldb.borrow_mut();
            let Some(s) = guard.as_mut() else {
                return Ok(VmState::Continue);
            };
            s.current_line = line;
            let bp = s.is_breakpoint(line) || s.lua_breakpoint;
            let mut timeout = false;
            if counting && !s.step && !bp {
                let limit = binding
                    .with_server(|srv, _| {
                        let ms = srv.config.busy_reply_threshold;
                        let started = srv.scripting.running.as_ref().map(|r| r.started);
                        (if ms > 0 { ms as u64 } else { 5000 }, started)
                    })
                    .unwrap_or((5000, None));
                let elapsed = limit.1.map_or(0, |t| t.elapsed().as_millis() as u64);
                if elapsed < limit.0 {
                    return Ok(VmState::Continue);
                }
                timeout = true;
                s.step = true;
            }
            if !(s.step || bp) {
                return Ok(VmState::Continue);
            }
            let reason = if bp {
                if s.lua_breakpoint {
                    "redis.breakpoint() called"
                } else {
                    "break point"
                }
            } else if timeout {
                "timeout reached, infinite loop?"
            } else {
                "step over"
            };
            s.step = false;
            s.lua_breakpoint = false;
            s.log(format!("* Stopped at {line}, stop reason = {reason}"));
            s.log_source_line(line);
            s.send_logs();
            (true, timeout)
        };
        if stop {
            if let ReplEnd::Disconnected = repl(lua, &binding)? {
                if timeout {
                    return Err(raise(
                        "ERR timeout during Lua debugging with client closing connection",
                    ));
                }
            }
            binding.with_server(|srv, _| {
                if let Some(run) = srv.scripting.running.as_mut() {
                    run.started = Instant::now();
                }
            });
        }
        Ok(VmState::Continue)
    }
}

/// Installs the hook that makes the running script debugged.
pub fn watch_lines(lua: &Lua, binding: &std::rc::Rc<Binding>) -> mlua::Result<()> {
    lua.set_hook(
        mlua::HookTriggers::EVERY_LINE.every_nth_instruction(COUNT_EVERY),
        line_hook(std::rc::Rc::clone(binding)),
    )
}

/// Reads and runs the client's debugger commands until one resumes the script.
fn repl(lua: &Lua, binding: &Binding) -> mlua::Result<ReplEnd> {
    loop {
        let argv = loop {
            let mut guard = binding.ldb.borrow_mut();
            let s = guard.as_mut().expect("a debugging session");
            match s.parse_command() {
                Ok(Some(argv)) => break argv,
                Err(()) => return Err(raise("ERR protocol error")),
                Ok(None) => {}
            }
            let mut buf = [0u8; 1024];
            match read_some(s.fd, &mut buf) {
                Ok(n) if n > 0 => s.input.extend_from_slice(&buf[..n]),
                _ => {
                    s.step = false;
                    s.breakpoints.clear();
                    return Ok(ReplEnd::Disconnected);
                }
            }
            if s.input.len() > MAX_INPUT {
                s.input = Vec::new();
                return Err(raise("ERR max client buffer reached"));
            }
        };
        let name = argv[0].to_ascii_lowercase();
        let args = &argv[1..];
        let with = |f: &mut dyn FnMut(&mut Session)| {
            let mut guard = binding.ldb.borrow_mut();
            let s = guard.as_mut().expect("a debugging session");
            f(s);
            s.send_logs();
        };
        match name.as_slice() {
            b"h" | b"help" => with(&mut |s| {
                for line in HELP {
                    s.log(*line);
                }
            }),
            b"s" | b"step" | b"n" | b"next" => {
                if let Some(s) = binding.ldb.borrow_mut().as_mut() {
                    s.step = true;
                }
                return Ok(ReplEnd::Resume);
            }
            b"c" | b"continue" => return Ok(ReplEnd::Resume),
            b"t" | b"trace" => {
                let frames = stack_frames(lua);
                with(&mut |s| trace(s, &frames));
            }
            b"m" | b"maxlen" => with(&mut |s| s.maxlen_command(args)),
            b"b" | b"break" => with(&mut |s| s.breakpoint_command(args)),
            b"e" | b"eval" => {
                let line = eval_fragment(lua, binding, args);
                with(&mut |s| s.log_with_maxlen(line.clone()));
            }
            b"a" | b"abort" => return Err(raise("ERR script aborted for user request")),
            b"r" | b"redis" if !args.is_empty() => {
                run_redis_command(lua, binding, args);
                with(&mut |_| {});
            }
            b"p" | b"print" => {
                let lines = if args.len() == 1 {
                    vec![print_variable(lua, binding, &args[0])]
                } else {
                    print_locals(lua)
                };
                with(&mut |s| {
                    for line in &lines {
                        if line.starts_with(b"<value> ") {
                            s.log_with_maxlen(line.clone());
                        } else {
                            s.log(line.clone());
                        }
                    }
                });
            }
            b"l" | b"list" => with(&mut |s| {
                let mut around = s.current_line;
                if let Some(n) = args.first().map(|a| atoi(a)).filter(|&n| n > 0) {
                    around = n;
                }
                let context = args.get(1).map_or(5, |a| atoi(a));
                s.list(around, context);
            }),
            b"w" | b"whole" => with(&mut |s| s.list(1, 1_000_000)),
            _ => with(&mut |s| {
                s.log("<error> Unknown Redis Lua debugger command or wrong number of arguments.")
            }),
        }
    }
}

/// The debugger's help, as Redis words it (redis-cli users read it as Redis's).
const HELP: &[&str] = &[
    "Redis Lua debugger help:",
    "[h]elp               Show this help.",
    "[s]tep               Run current line and stop again.",
    "[n]ext               Alias for step.",
    "[c]ontinue           Run till next breakpoint.",
    "[l]ist               List source code around current line.",
    "[l]ist [line]        List source code around [line].",
    "                     line = 0 means: current position.",
    "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
    "                     to show before/after [line].",
    "[w]hole              List all source code. Alias for 'list 1 1000000'.",
    "[p]rint              Show all the local variables.",
    "[p]rint <var>        Show the value of the specified variable.",
    "                     Can also show global vars KEYS and ARGV.",
    "[b]reak              Show all breakpoints.",
    "[b]reak <line>       Add a breakpoint to the specified line.",
    "[b]reak -<line>      Remove breakpoint from the specified line.",
    "[b]reak 0            Remove all breakpoints.",
    "[t]race              Show a backtrace.",
    "[e]val <code>        Execute some Lua code (in a different callframe).",
    "[r]edis <cmd>        Execute a Redis command.",
    "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
    "                     Specifying zero as <len> means unlimited.",
    "[a]bort              Stop the execution of the script. In sync",
    "                     mode dataset changes will be retained.",
    "",
    "Debugger functions you can call from Lua scripts:",
    "redis.debug()        Produce logs in the debugger console.",
    "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
    "                     next line of code.",
];

/// One frame of the script's call stack: whether it is the script's code, the name it
/// was called by, and its current line.
struct Frame {
    in_script: bool,
    name: Option<String>,
    line: i32,
}

/// The Lua call stack, innermost frame first, from the frame the hook interrupted.
fn stack_frames(lua: &Lua) -> Vec<Frame> {
    let mut frames = Vec::new();
    // SAFETY: the closure only queries the debug API of the state it is handed, with
    // a zeroed lua_Debug (plain integers and pointers) it owns, and pushes nothing.
    let done = unsafe {
        lua.exec_raw::<()>((), |state| {
            let mut level = first_script_level(state);
            let mut ar: ffi::lua_Debug = mem::zeroed();
            while ffi::lua_getstack(state, level, &mut ar) != 0 {
                ffi::lua_getinfo(state, c"Snl".as_ptr(), &mut ar);
                let src = CStr::from_ptr(ar.short_src.as_ptr()).to_string_lossy();
                let name = (!ar.name.is_null())
                    .then(|| CStr::from_ptr(ar.name).to_string_lossy().into_owned());
                frames.push(Frame {
                    in_script: src.contains("user_script"),
                    name,
                    line: ar.currentline,
                });
                level += 1;
            }
        })
    };
    if done.is_err() {
        frames.clear();
    }
    frames
}

/// The stack level, as seen from a C function the hook called, of the Lua function
/// the hook interrupted: the first level that is not C code.
///
/// # Safety
/// `state` must be a live state whose stack may be inspected.
unsafe fn first_script_level(state: *mut ffi::lua_State) -> c_int {
    let mut ar: ffi::lua_Debug = mem::zeroed();
    let mut level = 0;
    while ffi::lua_getstack(state, level, &mut ar) != 0 {
        ffi::lua_getinfo(state, c"S".as_ptr(), &mut ar);
        if !ar.what.is_null() && CStr::from_ptr(ar.what).to_bytes() != b"C" {
            return level;
        }
        level += 1;
    }
    0
}

/// The `trace` command.
fn trace(s: &mut Session, frames: &[Frame]) {
    if frames.is_empty() {
        s.log("<error> Can't retrieve Lua stack.");
        return;
    }
    for (i, frame) in frames.iter().enumerate().filter(|(_, f)| f.in_script) {
        let place = if i == 0 { "In" } else { "From" };
        let name = frame.name.as_deref().unwrap_or("top level");
        s.log(format!("{place} {name}:"));
        s.log_source_line(frame.line);
    }
}

/// The local variables of the frames from the interrupted one outwards (all of them
/// if `all_levels`, else only that one's), as (name, value) pairs.
fn locals(lua: &Lua, all_levels: bool) -> Vec<(String, Value)> {
    // SAFETY: the closure walks the debug API of the state it is handed; lua_getlocal
    // pushes each local's value, which is left on the stack (after its name) for
    // exec_raw to return. It checks the stack has room before each push.
    let values = unsafe {
        lua.exec_raw::<MultiValue>((), |state| {
            let mut level = first_script_level(state);
            let mut ar: ffi::lua_Debug = mem::zeroed();
            while ffi::lua_getstack(state, level, &mut ar) != 0 {
                let mut i = 1;
                loop {
                    if ffi::lua_checkstack(state, 2) == 0 {
                        return;
                    }
                    let name = ffi::lua_getlocal(state, &ar, i);
                    if name.is_null() {
                        break;
                    }
                    ffi::lua_pushstring(state, name);
                    ffi::lua_insert(state, -2);
                    i += 1;
                }
                if !all_levels {
                    break;
                }
                level += 1;
            }
        })
    };
    let mut out = Vec::new();
    let mut it = values.into_iter().flatten();
    while let (Some(name), Some(value)) = (it.next(), it.next()) {
        if let Value::String(name) = name {
            out.push((name.to_string_lossy(), value));
        }
    }
    out
}

/// `print` without a name: the interrupted frame's locals.
fn print_locals(lua: &Lua) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for (name, value) in locals(lua, false) {
        if name.contains("(*temporary)") {
            continue;
        }
        let mut line = format!("<value> {name} = ").into_bytes();
        append_value(&mut line, &value, 0);
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(b"No local variables in the current context.".to_vec());
    }
    lines
}

/// `print <name>`: the innermost local of that name, or the global KEYS or ARGV.
fn print_variable(lua: &Lua, binding: &Binding, name: &[u8]) -> Vec<u8> {
    let mut line = b"<value> ".to_vec();
    let found = locals(lua, true)
        .into_iter()
        .find(|(n, _)| n.as_bytes() == name);
    if let Some((_, value)) = found {
        append_value(&mut line, &value, 0);
    } else if name == b"KEYS" || name == b"ARGV" {
        let value: Value = binding
            .globals
            .raw_get(String::from_utf8_lossy(name).as_ref())
            .unwrap_or(Value::Nil);
        append_value(&mut line, &value, 0);
    } else {
        return b"No such variable.".to_vec();
    }
    line
}

/// The `eval` command: runs the fragment as an expression if it compiles as one, else
/// as statements, and returns the log line of its result.
fn eval_fragment(lua: &Lua, binding: &Binding, args: &[Vec<u8>]) -> Vec<u8> {
    let code = args.join(&b' ');
    let mut expression = b"return ".to_vec();
    expression.extend_from_slice(&code);
    let compile = |text: &[u8]| {
        lua.load(text)
            .set_name("@ldb_eval")
            .set_mode(mlua::chunk::ChunkMode::Text)
            .set_environment(binding.globals.clone())
            .into_function()
    };
    let function = match compile(&expression).or_else(|_| compile(&code)) {
        Ok(f) => f,
        Err(e) => return error_line(&e),
    };
    match function.call::<Value>(()) {
        Ok(value) => {
            let mut line = b"<retval> ".to_vec();
            append_value(&mut line, &value, 0);
            line
        }
        Err(e) => error_line(&e),
    }
}

/// `<error>` and the Lua error's message, without the traceback mlua adds.
fn error_line(e: &mlua::Error) -> Vec<u8> {
    let message = environment::error_message(e);
    let message = message.split("\nstack traceback:").next().unwrap_or("");
    format!("<error> {message}").into_bytes()
}

/// The `redis` command: calls `redis.call` with the arguments while stepping, so that
/// the command and its reply are logged as a script's are.
fn run_redis_command(lua: &Lua, binding: &Binding, args: &[Vec<u8>]) {
    let call = lua
        .named_registry_value::<Table>(environment::API_KEY)
        .and_then(|redis| redis.raw_get::<mlua::Function>("call"));
    let Ok(call) = call else { return };
    let Ok(args) = args
        .iter()
        .map(|a| lua.create_string(a).map(Value::String))
        .collect::<mlua::Result<MultiValue>>()
    else {
        return;
    };
    set_step(binding, true);
    let _ = call.call::<Value>(args);
    set_step(binding, false);
}

fn set_step(binding: &Binding, step: bool) {
    if let Some(s) = binding.ldb.borrow_mut().as_mut() {
        s.step = step;
    }
}

/// `redis.breakpoint()`: stops at the next line when a session runs; true if so.
pub fn lua_breakpoint(binding: &Binding) -> bool {
    match binding.ldb.borrow_mut().as_mut() {
        Some(s) => {
            s.lua_breakpoint = true;
            true
        }
        None => false,
    }
}

/// `redis.debug(...)`: logs its arguments when a session runs.
pub fn lua_debug(binding: &Binding, args: &MultiValue) {
    if let Some(s) = binding.ldb.borrow_mut().as_mut() {
        let mut line = format!("<debug> line {}: ", s.current_line).into_bytes();
        for (i, value) in args.iter().enumerate() {
            if i > 0 {
                line.extend_from_slice(b", ");
            }
            append_value(&mut line, value, 0);
        }
        s.log(line);
    }
}

impl crate::server::Server {
    /// Runs the EVAL of client `c` in a debugging session (Redis's
    /// evalGenericCommandWithDebugging), then closes the connection after its reply.
    /// In `RollBack` mode the databases are put back as they were: a copy-on-write
    /// copy of their dicts is kept meanwhile, and what the script does is neither
    /// propagated nor announced.
    pub fn eval_debug_session(
        &mut self,
        c: &mut crate::server::Client,
        ro: bool,
        mode: DebugMode,
    ) -> crate::commands::CommandResult {
        if self.tx.pending.is_some() {
            // Inside MULTI the script's writes would be propagated with the
            // transaction's: too tangled to undo, so refused (the next EVAL outside a
            // transaction is debugged).
            return Err(crate::commands::CommandError::Err(
                "A Lua debugging session cannot run inside MULTI",
            ));
        }
        c.lua_debug = None;
        c.close_after_reply = true;
        let fd = c.conn.raw_fd();
        // Replies not yet written go first: from now on the session writes itself.
        let _ = write_all(fd, &c.reply.buf[c.sent..]);
        c.reply.buf.clear();
        c.sent = 0;
        let rollback = mode == DebugMode::RollBack;
        let saved: Option<Vec<_>> = rollback.then(|| {
            self.dbs
                .iter()
                .map(|db| (db.dict.clone(), db.expires.clone()))
                .collect()
        });
        let dirty = self.dirty;
        log::warn!(
            "Lua debugging session started ({})",
            if rollback {
                "its changes will be rolled back; other clients wait meanwhile"
            } else {
                "synchronous"
            }
        );
        let lua = self.scripting.lua().clone();
        let binding = Binding::of(&lua);
        if let Ok(binding) = &binding {
            *binding.ldb.borrow_mut() = Some(Session::new(fd, &c.argv[1]));
            if let Err(e) = watch_lines(&lua, binding) {
                log::warn!("Cannot debug the script: {e}");
            }
        }
        self.scripting.rolling_back = rollback;
        let result = self.eval_script(c, false, ro);
        self.scripting.rolling_back = false;
        if let Ok(binding) = &binding {
            if let Some(mut session) = binding.ldb.borrow_mut().take() {
                session.log("<endsession>");
                session.send_logs();
            }
            if let Err(e) = super::run::watch_runs(&lua, binding) {
                log::warn!("Cannot watch the running time of scripts any more: {e}");
            }
        }
        if let Some(saved) = saved {
            for (db, (dict, expires)) in self.dbs.iter_mut().zip(saved) {
                db.dict = dict;
                db.expires = expires;
                db.ready_keys.clear();
                db.expired_to_propagate.clear();
                db.key_events.clear();
            }
            self.dirty = dirty;
        }
        log::warn!("Lua debugging session ended");
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgiving_parser_takes_whole_commands_only() {
        assert_eq!(parse_forgiving(b""), Ok(None));
        assert_eq!(parse_forgiving(b"*1\r\n$1\r\n"), Ok(None));
        assert_eq!(
            parse_forgiving(b"junk*2\r\n$1\r\np\r\n$3\r\nabc\r\n"),
            Ok(Some(vec![b"p".to_vec(), b"abc".to_vec()]))
        );
        assert_eq!(parse_forgiving(b"step\r\n"), Err(()));
        assert_eq!(parse_forgiving(b"*0\r\n"), Err(()));
        assert_eq!(parse_forgiving(b"*1\r\n$0\r\n\r\n"), Err(()));
        assert_eq!(parse_forgiving(b"*1\r\n$1\r\nxy\r\n"), Err(()));
    }

    #[test]
    fn replies_read_as_redis_shows_them() {
        let human = |r: &[u8]| {
            let mut out = Vec::new();
            let used = reply_to_human(&mut out, r);
            assert_eq!(used, r.len(), "{}", String::from_utf8_lossy(r));
            String::from_utf8(out).unwrap()
        };
        assert_eq!(human(b":12\r\n"), "12");
        assert_eq!(human(b"$-1\r\n"), "NULL");
        assert_eq!(human(b"$3\r\na\nb\r\n"), "\"a\\nb\"");
        assert_eq!(human(b"+OK\r\n"), "\"+OK\"");
        assert_eq!(human(b"-ERR no\r\n"), "\"-ERR no\"");
        assert_eq!(human(b"*2\r\n:1\r\n*1\r\n$1\r\nx\r\n"), "[1,[\"x\"]]");
        assert_eq!(human(b"*-1\r\n"), "NULL");
        assert_eq!(
            human(b"%1\r\n$1\r\nk\r\n,1.5\r\n"),
            "{\"k\" => (double) 1.5}"
        );
        assert_eq!(human(b"~1\r\n#t\r\n"), "~(#true)");
        assert_eq!(human(b"_\r\n"), "(null)");
    }

    #[test]
    fn source_lines_and_breakpoints() {
        let mut s = Session::new(-1, b"local a = 1\nreturn a\n\n");
        assert_eq!(s.lines.len(), 2);
        s.current_line = 2;
        s.breakpoint_command(&[b"2".to_vec(), b"9".to_vec(), b"x".to_vec()]);
        let logs: Vec<String> = s
            .logs
            .drain(..)
            .map(|l| String::from_utf8(l).unwrap())
            .collect();
        assert_eq!(
            logs,
            [
                "   1   local a = 1",
                "->#2   return a",
                "Wrong line number.",
                "Invalid argument:'x'"
            ]
        );
        s.breakpoint_command(&[b"-2".to_vec(), b"-2".to_vec()]);
        assert_eq!(s.logs[0], b"Breakpoint removed.");
        assert_eq!(s.logs[1], b"No breakpoint in the specified line.");
    }

    #[test]
    fn maxlen_cuts_with_one_hint() {
        let mut s = Session::new(-1, b"return 1");
        s.maxlen_command(&[b"10".to_vec()]);
        assert_eq!(s.maxlen, 60);
        s.logs.clear();
        s.maxlen_hint_sent = false;
        s.log_with_maxlen(vec![b'x'; 70]);
        s.log_with_maxlen(vec![b'y'; 70]);
        assert_eq!(s.logs.len(), 3);
        assert_eq!(s.logs[0].len(), 64);
        assert!(s.logs[1].starts_with(b"<hint>"));
    }
}
