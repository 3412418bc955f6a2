//! `ReplyBuf`: encodes replies into a client's output buffer in RESP2 or RESP3.
//!
//! Commands describe their reply in RESP3 terms (map, set, double, null, push...);
//! for a RESP2 client the encoder writes the RESP2 shape Redis uses for each: maps and
//! sets become flat arrays, doubles become bulk strings, null becomes `$-1`.

use crate::commands::error::CommandError;
use crate::types::value::itoa_buf;

/// The reply bytes a client has not been sent yet, and the protocol it speaks.
#[derive(Debug, Default)]
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    /// 2 or 3, as chosen by HELLO.
    pub resp: u8,
}

/// The room a new client's reply buffer starts with.
pub const INITIAL_CAPACITY: usize = 1024;

impl ReplyBuf {
    pub fn new() -> ReplyBuf {
        ReplyBuf {
            buf: Vec::with_capacity(INITIAL_CAPACITY),
            resp: 2,
        }
    }

    pub fn is_resp3(&self) -> bool {
        self.resp >= 3
    }

    fn line(&mut self, prefix: u8, n: i64) {
        let mut b = itoa_buf::Buffer::new();
        self.buf.push(prefix);
        self.buf.extend_from_slice(b.format(n));
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `+OK` style status reply. `s` must not contain CR or LF.
    pub fn simple(&mut self, s: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// An error reply. CR/LF inside the text are replaced by spaces, as Redis does.
    pub fn error(&mut self, err: &CommandError) {
        let text = err.to_string();
        self.error_text(&text);
    }

    /// An error reply from its full text (code first).
    pub fn error_text(&mut self, text: &str) {
        self.buf.push(b'-');
        for &c in text.as_bytes() {
            self.buf
                .push(if c == b'\r' || c == b'\n' { b' ' } else { c });
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn int(&mut self, n: i64) {
        self.line(b':', n);
    }

    pub fn bulk(&mut self, data: &[u8]) {
        self.line(b'$', data.len() as i64);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `n` (as GET of an integer value).
    pub fn bulk_int(&mut self, n: i64) {
        let mut b = itoa_buf::Buffer::new();
        let digits = b.format(n);
        self.line(b'$', digits.len() as i64);
        self.buf.extend_from_slice(digits);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// The null bulk string (RESP2 `$-1`, RESP3 `_`).
    pub fn null(&mut self) {
        if self.is_resp3() {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// The null array (RESP2 `*-1`, RESP3 `_`), e.g. a timed-out blocking pop.
    pub fn null_array(&mut self) {
        if self.is_resp3() {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    pub fn array_len(&mut self, n: usize) {
        self.line(b'*', n as i64);
    }

    /// A map header: RESP3 `%n`, RESP2 an array of 2n items.
    pub fn map_len(&mut self, n: usize) {
        if self.is_resp3() {
            self.line(b'%', n as i64);
        } else {
            self.line(b'*', 2 * n as i64);
        }
    }

    /// A set header: RESP3 `~n`, RESP2 an array.
    pub fn set_len(&mut self, n: usize) {
        if self.is_resp3() {
            self.line(b'~', n as i64);
        } else {
            self.line(b'*', n as i64);
        }
    }

    /// A push header (RESP3 `>n`; RESP2 an array), for pub/sub and invalidation messages.
    pub fn push_len(&mut self, n: usize) {
        if self.is_resp3() {
            self.line(b'>', n as i64);
        } else {
            self.line(b'*', n as i64);
        }
    }

    /// A boolean: RESP3 `#t`/`#f`, RESP2 `:1`/`:0`.
    pub fn boolean(&mut self, b: bool) {
        if self.is_resp3() {
            self.buf
                .extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(b as i64);
        }
    }

    /// A double: RESP3 `,<repr>`, RESP2 a bulk string of the same text. `text` is the
    /// already-formatted number (see `util::numbers`), so both forms agree with Redis.
    pub fn double_text(&mut self, text: &[u8]) {
        if self.is_resp3() {
            self.buf.push(b',');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// A big number: RESP3 `(digits`, RESP2 a bulk string.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.is_resp3() {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(digits);
        }
    }

    /// A verbatim string: RESP3 `=len\r\ntxt:...`, RESP2 a bulk string (as INFO replies).
    pub fn verbatim(&mut self, format: &[u8; 3], text: &[u8]) {
        if self.is_resp3() {
            self.line(b'=', text.len() as i64 + 4);
            self.buf.extend_from_slice(format);
            self.buf.push(b':');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Appends pre-encoded RESP bytes.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_shapes() {
        let mut r = ReplyBuf::new();
        r.map_len(1);
        r.null();
        r.boolean(true);
        r.double_text(b"1.5");
        assert_eq!(r.buf, b"*2\r\n$-1\r\n:1\r\n$3\r\n1.5\r\n");
        let mut r = ReplyBuf::new();
        r.resp = 3;
        r.map_len(1);
        r.null();
        r.boolean(true);
        r.double_text(b"1.5");
        assert_eq!(r.buf, b"%1\r\n_\r\n#t\r\n,1.5\r\n");
    }

    #[test]
    fn errors_have_no_newlines() {
        let mut r = ReplyBuf::new();
        r.error_text("ERR a\r\nb");
        assert_eq!(r.buf, b"-ERR a  b\r\n");
    }
}
