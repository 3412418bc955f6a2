//! Incremental request parser: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
//! inline requests (`GET k\n`), resumable across reads, as Redis's processMultibulkBuffer
//! and processInlineBuffer. The parser remembers how many arguments and bytes it still
//! expects, so a request split at any byte boundary parses the same.

use std::fmt;
use std::ops::Range;

use crate::util::split_args::{is_c_space, split_args};

/// An inline request or a multibulk count/length line longer than this is refused.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// Clients that have not authenticated may send at most this many arguments...
const UNAUTH_MAX_MULTIBULK: i64 = 10;
/// ...each at most this long.
const UNAUTH_MAX_BULK: i64 = 16384;

/// A malformed request. `Display` gives the text after `Protocol error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    TooBigInlineRequest,
    UnbalancedQuotes,
    TooBigMultibulkCount,
    InvalidMultibulkLength,
    UnauthenticatedMultibulkLength,
    TooBigBulkCount,
    ExpectedDollar(u8),
    InvalidBulkLength,
    UnauthenticatedBulkLength,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::TooBigInlineRequest => f.write_str("too big inline request"),
            ProtocolError::UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
            ProtocolError::TooBigMultibulkCount => f.write_str("too big mbulk count string"),
            ProtocolError::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            ProtocolError::UnauthenticatedMultibulkLength => {
                f.write_str("unauthenticated multibulk length")
            }
            ProtocolError::TooBigBulkCount => f.write_str("too big bulk count string"),
            ProtocolError::ExpectedDollar(c) => write!(f, "expected '$', got '{}'", *c as char),
            ProtocolError::InvalidBulkLength => f.write_str("invalid bulk length"),
            ProtocolError::UnauthenticatedBulkLength => f.write_str("unauthenticated bulk length"),
        }
    }
}

/// Limits that depend on configuration and on the client.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// `proto-max-bulk-len`.
    pub max_bulk_len: i64,
    /// Unauthenticated clients get much tighter limits, so they cannot make us allocate.
    pub authenticated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between requests.
    Idle,
    /// Inside a multibulk request: `remaining` arguments still to read, and the length of
    /// the next bulk if its `$<len>` line has been read already.
    Multibulk {
        remaining: i64,
        bulk_len: Option<usize>,
    },
}

/// The parser for one connection.
///
/// Argument buffers are reused: `argv` keeps the buffers of the previous request (given
/// back with [`RequestParser::recycle`]) and the next request is copied into them, so a
/// pipeline of requests of one shape parses without allocating.
#[derive(Debug)]
pub struct RequestParser {
    state: State,
    /// The arguments of the request being parsed; complete when `parse` returns true.
    /// While a multibulk request is in progress, only `argv[..filled]` belong to it: the
    /// slots after it hold buffers of an earlier request, waiting to be overwritten.
    pub argv: Vec<Vec<u8>>,
    /// Arguments of the multibulk request in progress already copied into `argv`.
    filled: usize,
    /// Argument buffers left over when a request had fewer arguments than the one before.
    spare: Vec<Vec<u8>>,
}

/// Spare argument buffers kept per connection, and the largest one kept.
const SPARE_BUFFERS: usize = 32;
const SPARE_MAX_CAPACITY: usize = 4096;
/// Slots of the argument table kept between requests (MSET of 500 pairs fits).
const SPARE_ARGV_CAPACITY: usize = 1024;

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    /// The arguments of the multibulk request in progress read so far: their count
    /// and total length (a client's memory counts them, as Redis counts the argv it
    /// builds while the rest of a big request arrives).
    pub fn partial_args(&self) -> (usize, usize) {
        if !matches!(self.state, State::Multibulk { .. }) {
            return (0, 0);
        }
        let args = self.argv.get(..self.filled).unwrap_or(&[]);
        (args.len(), args.iter().map(Vec::len).sum())
    }

    pub fn new() -> RequestParser {
        RequestParser {
            state: State::Idle,
            argv: Vec::new(),
            filled: 0,
            spare: Vec::new(),
        }
    }

    /// Takes back the arguments of an executed request, to copy the next request into
    /// the same buffers: swaps `argv` with `self.argv` (which the caller had swapped
    /// out to run the request), so neither vector is freed. Buffers grown past
    /// `SPARE_MAX_CAPACITY` (a big value) are released rather than kept for the life of
    /// the connection.
    #[inline]
    pub fn recycle(&mut self, argv: &mut Vec<Vec<u8>>) {
        std::mem::swap(&mut self.argv, argv);
        if self.argv.len() > SPARE_BUFFERS {
            self.argv.truncate(SPARE_BUFFERS);
        }
        // One request with very many arguments must not leave its argument table
        // allocated for the life of the connection.
        if self.argv.capacity() > SPARE_ARGV_CAPACITY {
            self.argv.shrink_to(SPARE_BUFFERS);
        }
        for arg in self.argv.iter_mut() {
            if arg.capacity() > SPARE_MAX_CAPACITY {
                *arg = Vec::new();
            }
        }
    }

    /// Whether a request has been started but not finished.
    pub fn in_progress(&self) -> bool {
        self.state != State::Idle
    }

    /// The length of the bulk argument whose `$<len>` line has been read and whose bytes
    /// (starting where parsing stopped) are still arriving, if any.
    pub fn pending_bulk_len(&self) -> Option<usize> {
        match self.state {
            State::Multibulk { bulk_len, .. } => bulk_len,
            State::Idle => None,
        }
    }

    /// Parses one request from `buf[*pos..]`, advancing `*pos` past what it consumed.
    /// Returns `Ok(true)` with the request in `self.argv` (at least one argument),
    /// `Ok(false)` when more bytes are needed, or the protocol error that must close the
    /// connection. Empty requests (`*0`, `*-1`, blank inline lines) are skipped.
    pub fn parse(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        limits: ParseLimits,
    ) -> Result<bool, ProtocolError> {
        loop {
            if self.state == State::Idle {
                let Some(&first) = buf.get(*pos) else {
                    return Ok(false);
                };
                if first != b'*' {
                    match self.parse_inline(buf, pos)? {
                        None => return Ok(false),
                        Some(false) => continue,
                        Some(true) => return Ok(true),
                    }
                }
                match self.start_multibulk(buf, pos, limits)? {
                    None => return Ok(false),
                    Some(0) => continue,
                    Some(_) => {}
                }
            }
            return self.parse_bulks(buf, pos, limits);
        }
    }

    /// Reads `*<count>\r\n`. Returns the count (0 for an empty request), or None if the
    /// line is incomplete.
    fn start_multibulk(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        limits: ParseLimits,
    ) -> Result<Option<i64>, ProtocolError> {
        let (count, next) = match fast_len(buf, *pos + 1) {
            Some((n, next)) => (n as i64, next),
            None => {
                let Some(nl) = find_cr(buf, *pos) else {
                    if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtocolError::TooBigMultibulkCount);
                    }
                    return Ok(None);
                };
                if nl + 1 >= buf.len() {
                    return Ok(None); // need the '\n' after '\r'
                }
                let count =
                    parse_len(&buf[*pos + 1..nl]).ok_or(ProtocolError::InvalidMultibulkLength)?;
                (count, nl + 2)
            }
        };
        if count > 1024 * 1024 * 1024 {
            return Err(ProtocolError::InvalidMultibulkLength);
        }
        if !limits.authenticated && count > UNAUTH_MAX_MULTIBULK {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        *pos = next;
        if count <= 0 {
            return Ok(Some(0));
        }
        self.filled = 0;
        self.state = State::Multibulk {
            remaining: count,
            bulk_len: None,
        };
        Ok(Some(count))
    }

    /// Reads as many `$<len>\r\n<data>\r\n` items as are complete. Returns true when the
    /// whole request has been read (it is then in `argv`, and the state is idle).
    fn parse_bulks(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        limits: ParseLimits,
    ) -> Result<bool, ProtocolError> {
        let State::Multibulk {
            mut remaining,
            mut bulk_len,
        } = self.state
        else {
            return Ok(true);
        };
        let mut p = *pos;
        while remaining > 0 {
            let len = match bulk_len {
                Some(len) => len,
                None => {
                    let fast = match buf.get(p) {
                        Some(b'$') => fast_len(buf, p + 1),
                        _ => None,
                    };
                    let (len, next) = match fast {
                        Some((len, next))
                            if (len as i64) <= limits.max_bulk_len
                                && (limits.authenticated || len as i64 <= UNAUTH_MAX_BULK) =>
                        {
                            (len, next)
                        }
                        _ => match bulk_len_line(buf, p, limits)? {
                            Some(found) => found,
                            None => break,
                        },
                    };
                    p = next;
                    len
                }
            };
            if buf.len() - p < len + 2 {
                bulk_len = Some(len);
                break;
            }
            self.push_arg(&buf[p..p + len]);
            p += len + 2;
            bulk_len = None;
            remaining -= 1;
        }
        *pos = p;
        if remaining > 0 {
            self.state = State::Multibulk {
                remaining,
                bulk_len,
            };
            return Ok(false);
        }
        self.state = State::Idle;
        self.finish_argv();
        Ok(true)
    }

    /// Copies the next argument of the request in progress into `argv`, reusing the
    /// buffer already in its slot (or a spare one).
    #[inline(always)]
    fn push_arg(&mut self, data: &[u8]) {
        match self.argv.get_mut(self.filled) {
            Some(slot) => {
                slot.clear();
                slot.extend_from_slice(data);
            }
            None => self.push_new_arg(data),
        }
        self.filled += 1;
    }

    /// `push_arg` when `argv` has no slot to reuse: takes a spare buffer or a new one.
    #[inline(never)]
    fn push_new_arg(&mut self, data: &[u8]) {
        let mut arg = self.spare.pop().unwrap_or_default();
        arg.clear();
        arg.extend_from_slice(data);
        self.argv.push(arg);
    }

    /// Ends a request of `filled` arguments: the buffers of the slots after them go to
    /// the spare list, so `argv` holds exactly the request.
    #[inline]
    fn finish_argv(&mut self) {
        while self.argv.len() > self.filled {
            if let Some(arg) = self.argv.pop() {
                if self.spare.len() < SPARE_BUFFERS
                    && arg.capacity() > 0
                    && arg.capacity() <= SPARE_MAX_CAPACITY
                {
                    self.spare.push(arg);
                }
            }
        }
    }

    /// Reads one inline line. Returns None if the line is incomplete, Some(false) for a
    /// blank line, Some(true) with the arguments in `self.argv`.
    fn parse_inline(&mut self, buf: &[u8], pos: &mut usize) -> Result<Option<bool>, ProtocolError> {
        let rest = &buf[*pos..];
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigInlineRequest);
            }
            return Ok(None);
        };
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if memchr::memchr2(b'"', b'\'', line).is_some() {
            self.argv = split_args(line, false).ok_or(ProtocolError::UnbalancedQuotes)?;
        } else {
            self.split_unquoted(line);
        }
        *pos += nl + 1;
        Ok(Some(!self.argv.is_empty()))
    }

    /// Splits an inline line without quotes into `argv` exactly as `split_args` would,
    /// reusing the argument buffers: tokens end at space, tab, CR or LF, and any C
    /// whitespace separates them.
    fn split_unquoted(&mut self, line: &[u8]) {
        self.filled = 0;
        let mut i = 0;
        loop {
            while i < line.len() && is_c_space(line[i]) {
                i += 1;
            }
            if i >= line.len() {
                break;
            }
            let start = i;
            while i < line.len() && !matches!(line[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            self.push_arg(&line[start..i]);
        }
        self.finish_argv();
    }
}

/// Reads the `$<len>\r\n` line at `buf[p..]` in the general case (the fast path did not
/// apply): checks it as Redis does and returns the length and the position after the
/// line, None if the line is incomplete, or the protocol error.
fn bulk_len_line(
    buf: &[u8],
    p: usize,
    limits: ParseLimits,
) -> Result<Option<(usize, usize)>, ProtocolError> {
    let Some(nl) = find_cr(buf, p) else {
        if buf.len() - p > PROTO_INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigBulkCount);
        }
        return Ok(None);
    };
    if nl + 1 >= buf.len() {
        return Ok(None);
    }
    if buf[p] != b'$' {
        return Err(ProtocolError::ExpectedDollar(buf[p]));
    }
    let len = parse_len(&buf[p + 1..nl]).ok_or(ProtocolError::InvalidBulkLength)?;
    if len < 0 || len > limits.max_bulk_len {
        return Err(ProtocolError::InvalidBulkLength);
    }
    if !limits.authenticated && len > UNAUTH_MAX_BULK {
        return Err(ProtocolError::UnauthenticatedBulkLength);
    }
    Ok(Some((len as usize, nl + 2)))
}

/// Arguments [`peek_request`] walks to find where a request ends; past this it reports
/// only the key.
const PEEK_MAX_ARGS: usize = 64;

/// A glance at the multibulk request that starts at `buf[at..]`, without parsing it:
/// where in `buf` its second argument is (the first key of most commands) and, for
/// requests of at most
/// [`PEEK_MAX_ARGS`] arguments, the position right after it. None for anything else
/// (an inline or incomplete request, fewer than two arguments, a line the fast path
/// does not read). Only for hints such as prefetching the key's bucket: the real parse
/// checks everything.
pub fn peek_request(buf: &[u8], at: usize) -> Option<(Range<usize>, Option<usize>)> {
    if *buf.get(at)? != b'*' {
        return None;
    }
    let (count, mut pos) = fast_len(buf, at + 1)?;
    if count < 2 {
        return None;
    }
    let mut key = 0..0;
    for i in 0..count {
        if *buf.get(pos)? != b'$' {
            return None;
        }
        let (len, start) = fast_len(buf, pos + 1)?;
        let end = start.checked_add(len)?;
        if end.checked_add(2)? > buf.len() {
            return None;
        }
        pos = end + 2;
        if i == 1 {
            key = start..end;
            if count > PEEK_MAX_ARGS {
                return Some((key, None));
            }
        }
    }
    Some((key, Some(pos)))
}

/// The common case of a count or length line, read in one pass: `buf[at..]` is 1 to 18
/// decimal digits without a leading zero (or a lone `0`), then `\r` and at least one
/// more byte (the `\n`, which Redis skips unchecked). Returns the value and the position
/// after the line; None for anything else (incomplete, negative, malformed, too long),
/// which the caller hands to the general path with its exact errors.
#[inline(always)]
fn fast_len(buf: &[u8], at: usize) -> Option<(usize, usize)> {
    let digits = buf.get(at..)?;
    // One or two digits cover the counts and lengths of most requests.
    match *digits {
        [d @ b'0'..=b'9', b'\r', _, ..] => return Some(((d - b'0') as usize, at + 3)),
        [d1 @ b'1'..=b'9', d2 @ b'0'..=b'9', b'\r', _, ..] => {
            return Some(((d1 - b'0') as usize * 10 + (d2 - b'0') as usize, at + 4))
        }
        _ => {}
    }
    let mut n: usize = 0;
    let mut i = 0;
    while let Some(&c) = digits.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n * 10 + d as usize;
        i += 1;
        if i > 18 {
            return None;
        }
    }
    let valid = i > 0
        && (digits[0] != b'0' || i == 1)
        && digits.get(i) == Some(&b'\r')
        && i + 1 < digits.len();
    valid.then_some((n, at + i + 2))
}

/// Position of the next `\r` at or after `from`.
/// Count and length lines are a few bytes long: a plain scan of the first bytes beats
/// setting up a vectorised search; longer (malformed) lines fall back to `memchr`.
fn find_cr(buf: &[u8], from: usize) -> Option<usize> {
    const SHORT: usize = 24;
    let rest = &buf[from..];
    let head = &rest[..rest.len().min(SHORT)];
    if let Some(i) = head.iter().position(|&c| c == b'\r') {
        return Some(from + i);
    }
    if rest.len() <= SHORT {
        return None;
    }
    memchr::memchr(b'\r', &rest[SHORT..]).map(|i| from + SHORT + i)
}

/// Parses a length as Redis's string2ll: optional '-', then `0` alone or digits without
/// a leading zero, nothing else, within i64.
fn parse_len(digits: &[u8]) -> Option<i64> {
    let (neg, d) = match digits.first() {
        Some(b'-') => (true, &digits[1..]),
        _ => (false, digits),
    };
    if d.is_empty() || d.len() > 19 || (d[0] == b'0' && (d.len() > 1 || neg)) {
        return None;
    }
    let mut n: i64 = 0;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((c - b'0') as i64)?;
    }
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ParseLimits = ParseLimits {
        max_bulk_len: 512 * 1024 * 1024,
        authenticated: true,
    };

    #[test]
    fn peek_finds_the_first_key_and_the_next_request() {
        let buf = b"*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n";
        let (key, after) = peek_request(buf, 0).unwrap();
        assert_eq!(&buf[key], b"key:1");
        let after = after.unwrap();
        assert_eq!(&buf[after..after + 4], b"*2\r\n");
        let (key, end) = peek_request(buf, after).unwrap();
        assert_eq!((&buf[key], end), (&b"k2"[..], Some(buf.len())));
        // The real parser agrees on where the first request ends.
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(buf, &mut pos, LIMITS), Ok(true));
        assert_eq!(pos, after);
    }

    #[test]
    fn peek_gives_up_on_what_it_does_not_read() {
        // End of buffer, inline requests, a lone command, incomplete requests.
        assert_eq!(peek_request(b"", 0), None);
        assert_eq!(peek_request(b"GET k\r\n", 0), None);
        assert_eq!(peek_request(b"*1\r\n$4\r\nPING\r\n", 0), None);
        assert_eq!(peek_request(b"*2\r\n$3\r\nGET\r\n$5\r\nke", 0), None);
        assert_eq!(peek_request(b"*2\r\n$3\r\nGET\r\n", 0), None);
        assert_eq!(peek_request(b"*2\r\n$03\r\nGET\r\n$1\r\nk\r\n", 0), None);
        // A long request: the key, but not its end.
        let mut long = b"*100\r\n$4\r\nMSET\r\n$1\r\nk\r\n".to_vec();
        for _ in 0..98 {
            long.extend_from_slice(b"$1\r\nv\r\n");
        }
        assert_eq!(peek_request(&long, 0), Some((20..21, None)));
        assert_eq!(&long[20..21], b"k");
    }

    /// Parses every complete request in `input`, feeding it in chunks of `step` bytes.
    fn parse_all(input: &[u8], step: usize) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut p = RequestParser::new();
        let mut buf = Vec::new();
        let mut pos = 0;
        let mut out = Vec::new();
        for chunk in input.chunks(step.max(1)) {
            buf.extend_from_slice(chunk);
            while p.parse(&buf, &mut pos, LIMITS)? {
                out.push(std::mem::take(&mut p.argv));
            }
        }
        Ok(out)
    }

    fn strs(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_split_at_every_byte() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*1\r\n$4\r\nPING\r\n";
        for step in 1..input.len() {
            let got = parse_all(input, step).unwrap();
            assert_eq!(got, vec![strs(&["SET", "k", "hello"]), strs(&["PING"])]);
        }
    }

    #[test]
    fn inline_with_quotes_and_line_ends() {
        let got = parse_all(b"set k1 v1\nset \"a b\" 'c'\r\n\r\nping\r\n", 3).unwrap();
        assert_eq!(
            got,
            vec![
                strs(&["set", "k1", "v1"]),
                strs(&["set", "a b", "c"]),
                strs(&["ping"])
            ]
        );
    }

    #[test]
    fn empty_multibulk_is_skipped() {
        let got = parse_all(b"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", 100).unwrap();
        assert_eq!(got, vec![strs(&["PING"])]);
    }

    #[test]
    fn protocol_errors() {
        let cases: &[(&[u8], ProtocolError)] = &[
            (b"*abc\r\n", ProtocolError::InvalidMultibulkLength),
            (b"*1\r\n:1\r\n", ProtocolError::ExpectedDollar(b':')),
            (b"*1\r\n$-5\r\n", ProtocolError::InvalidBulkLength),
            (b"*1\r\n$x\r\n", ProtocolError::InvalidBulkLength),
            (b"set \"a\n", ProtocolError::UnbalancedQuotes),
            (b"*2000000000\r\n", ProtocolError::InvalidMultibulkLength),
        ];
        for (input, want) in cases {
            assert_eq!(parse_all(input, 100).unwrap_err(), *want);
        }
        assert_eq!(
            parse_all(&vec![b'a'; PROTO_INLINE_MAX_SIZE + 10], 100_000).unwrap_err(),
            ProtocolError::TooBigInlineRequest
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let mut p = RequestParser::new();
        let limits = ParseLimits {
            authenticated: false,
            ..LIMITS
        };
        let mut pos = 0;
        assert_eq!(
            p.parse(b"*11\r\n", &mut pos, limits),
            Err(ProtocolError::UnauthenticatedMultibulkLength)
        );
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(
            p.parse(b"*1\r\n$20000\r\n", &mut pos, limits),
            Err(ProtocolError::UnauthenticatedBulkLength)
        );
    }

    /// Parses `input` in one go with one parser that gets each request's buffers back,
    /// as the server does.
    fn parse_recycling(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut p = RequestParser::new();
        let mut pos = 0;
        let mut out = Vec::new();
        while p.parse(input, &mut pos, LIMITS).unwrap() {
            let mut argv = Vec::new();
            std::mem::swap(&mut argv, &mut p.argv);
            out.push(argv.clone());
            p.recycle(&mut argv);
        }
        out
    }

    #[test]
    fn reused_buffers_hold_only_the_current_request() {
        let input = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n\
            *2\r\n$3\r\nGET\r\n$1\r\nk\r\nset  a\tbb  \r\n*3\r\n$3\r\nDEL\r\n$0\r\n\r\n$2\r\nxy\r\n\
            \"quoted\" x\nPING\n*1\r\n$4\r\nPING\r\n";
        let want = vec![
            strs(&["SET", "key", "value"]),
            strs(&["PING"]),
            strs(&["GET", "k"]),
            strs(&["set", "a", "bb"]),
            strs(&["DEL", "", "xy"]),
            strs(&["quoted", "x"]),
            strs(&["PING"]),
            strs(&["PING"]),
        ];
        assert_eq!(parse_recycling(input), want);
        for step in 1..input.len() {
            assert_eq!(parse_all(input, step).unwrap(), want);
        }
    }

    #[test]
    fn big_buffers_are_not_kept() {
        let mut p = RequestParser::new();
        p.recycle(&mut vec![
            vec![0u8; SPARE_MAX_CAPACITY + 1],
            Vec::with_capacity(8),
        ]);
        assert_eq!(p.argv[0].capacity(), 0);
        assert!(p.argv[1].capacity() >= 8);
    }

    #[test]
    fn lengths_follow_string2ll() {
        // Leading zeros and "-0" are not numbers for Redis.
        let cases: &[(&[u8], ProtocolError)] = &[
            (b"*01\r\n", ProtocolError::InvalidMultibulkLength),
            (b"*-0\r\n", ProtocolError::InvalidMultibulkLength),
            (b"*1\r\n$01\r\nx\r\n", ProtocolError::InvalidBulkLength),
            (b"*1\r\n$1x\r\nx\r\n", ProtocolError::InvalidBulkLength),
            (b"*1\r\n$\r\n", ProtocolError::InvalidBulkLength),
            (b"*\r\n", ProtocolError::InvalidMultibulkLength),
            (
                b"*1\r\n$99999999999999999999\r\n",
                ProtocolError::InvalidBulkLength,
            ),
            (b"*1\r\n$600000000\r\n", ProtocolError::InvalidBulkLength),
        ];
        for (input, want) in cases {
            assert_eq!(parse_all(input, 100).unwrap_err(), *want, "{:?}", input);
        }
        assert_eq!(
            parse_all(b"*1\r\n$0\r\n\r\n", 1).unwrap(),
            vec![strs(&[""])]
        );
        // An incomplete line waits for more bytes, whatever it holds so far.
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(b"*1\r\n$1x", &mut pos, LIMITS), Ok(false));
        assert_eq!(p.parse(b"*1\r\n$12\r", &mut pos, LIMITS), Ok(false));
    }

    proptest::proptest! {
        /// Unquoted inline lines split by the reusing fast path exactly as split_args.
        #[test]
        fn unquoted_inline_matches_split_args(
            line in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'\t', 0x0b, 0x0c, b'\r', b'a', b'b', 0, 0xff]),
                0..40,
            )
        ) {
            let mut input = line.clone();
            input.push(b'\n');
            let mut trimmed = &line[..];
            if trimmed.last() == Some(&b'\r') {
                trimmed = &trimmed[..trimmed.len() - 1];
            }
            let want = split_args(trimmed, false).unwrap();
            let mut p = RequestParser::new();
            p.recycle(&mut strs(&["old", "buffers", "x", "y"]));
            let mut pos = 0;
            let got = p.parse(&input, &mut pos, LIMITS).unwrap();
            if want.is_empty() {
                proptest::prop_assert!(!got);
            } else {
                proptest::prop_assert!(got);
                proptest::prop_assert_eq!(&p.argv, &want);
            }
            proptest::prop_assert_eq!(pos, input.len());
        }
    }
}
