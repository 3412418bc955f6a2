//! Incremental request parser: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
//! inline requests (`GET k\n`), resumable across reads, as Redis's processMultibulkBuffer
//! and processInlineBuffer. The parser remembers how many arguments and bytes it still
//! expects, so a request split at any byte boundary parses the same.

use std::fmt;

use crate::util::split_args::split_args;

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
#[derive(Debug)]
pub struct RequestParser {
    state: State,
    /// The arguments of the request being parsed; complete when `parse` returns true.
    pub argv: Vec<Vec<u8>>,
    /// Argument buffers of finished requests, reused so that parsing a request does not
    /// allocate once per argument.
    spare: Vec<Vec<u8>>,
}

/// Spare argument buffers kept per connection, and the largest one kept.
const SPARE_BUFFERS: usize = 16;
const SPARE_MAX_CAPACITY: usize = 4096;

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    pub fn new() -> RequestParser {
        RequestParser {
            state: State::Idle,
            argv: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Takes back the arguments of an executed request: small buffers are kept for the
    /// next requests, and `argv` is left empty (with its capacity) for reuse.
    pub fn recycle(&mut self, argv: &mut Vec<Vec<u8>>) {
        for arg in argv.drain(..) {
            if self.spare.len() < SPARE_BUFFERS
                && arg.capacity() > 0
                && arg.capacity() <= SPARE_MAX_CAPACITY
            {
                self.spare.push(arg);
            }
        }
    }

    /// Whether a request has been started but not finished.
    pub fn in_progress(&self) -> bool {
        self.state != State::Idle
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
                if *pos >= buf.len() {
                    return Ok(false);
                }
                self.argv.clear();
                if buf[*pos] == b'*' {
                    match self.start_multibulk(buf, pos, limits)? {
                        None => return Ok(false),
                        Some(0) => continue,
                        Some(_) => {}
                    }
                } else {
                    match self.parse_inline(buf, pos)? {
                        None => return Ok(false),
                        Some(false) => continue,
                        Some(true) => return Ok(true),
                    }
                }
            }
            if self.parse_bulks(buf, pos, limits)? {
                self.state = State::Idle;
                return Ok(true);
            }
            return Ok(false);
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
        let Some(nl) = find_cr(buf, *pos) else {
            if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigMultibulkCount);
            }
            return Ok(None);
        };
        if nl + 1 >= buf.len() {
            return Ok(None); // need the '\n' after '\r'
        }
        let count = parse_len(&buf[*pos + 1..nl]).ok_or(ProtocolError::InvalidMultibulkLength)?;
        if count > 1024 * 1024 * 1024 {
            return Err(ProtocolError::InvalidMultibulkLength);
        }
        if !limits.authenticated && count > UNAUTH_MAX_MULTIBULK {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        *pos = nl + 2;
        if count <= 0 {
            return Ok(Some(0));
        }
        self.argv.reserve(count.min(1024) as usize);
        self.state = State::Multibulk {
            remaining: count,
            bulk_len: None,
        };
        Ok(Some(count))
    }

    /// Reads as many `$<len>\r\n<data>\r\n` items as are complete. Returns true when the
    /// whole request has been read.
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
        while remaining > 0 {
            let len = match bulk_len {
                Some(len) => len,
                None => {
                    let Some(nl) = find_cr(buf, *pos) else {
                        if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
                            return Err(ProtocolError::TooBigBulkCount);
                        }
                        break;
                    };
                    if nl + 1 >= buf.len() {
                        break;
                    }
                    if buf[*pos] != b'$' {
                        return Err(ProtocolError::ExpectedDollar(buf[*pos]));
                    }
                    let len =
                        parse_len(&buf[*pos + 1..nl]).ok_or(ProtocolError::InvalidBulkLength)?;
                    if len < 0 || len > limits.max_bulk_len {
                        return Err(ProtocolError::InvalidBulkLength);
                    }
                    if !limits.authenticated && len > UNAUTH_MAX_BULK {
                        return Err(ProtocolError::UnauthenticatedBulkLength);
                    }
                    *pos = nl + 2;
                    bulk_len = Some(len as usize);
                    len as usize
                }
            };
            if buf.len() - *pos < len + 2 {
                break;
            }
            let mut arg = self.spare.pop().unwrap_or_default();
            arg.clear();
            arg.extend_from_slice(&buf[*pos..*pos + len]);
            self.argv.push(arg);
            *pos += len + 2;
            bulk_len = None;
            remaining -= 1;
        }
        self.state = State::Multibulk {
            remaining,
            bulk_len,
        };
        Ok(remaining == 0)
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
        let args = split_args(line, false).ok_or(ProtocolError::UnbalancedQuotes)?;
        *pos += nl + 1;
        if args.is_empty() {
            return Ok(Some(false));
        }
        self.argv = args;
        Ok(Some(true))
    }
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

/// Parses a length as Redis's string2ll: optional '-', digits, nothing else.
fn parse_len(digits: &[u8]) -> Option<i64> {
    let (neg, d) = match digits.first() {
        Some(b'-') => (true, &digits[1..]),
        _ => (false, digits),
    };
    if d.is_empty() || d.len() > 19 {
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
}
