//! The wire: RESP2/RESP3 request parsing and reply encoding.

pub mod parser;
pub mod reply;

/// Appends `argv` as a RESP multibulk request (`*<n>\r\n$<len>\r\n<arg>\r\n...`) to
/// `out`: the form the AOF and the replication stream carry commands in.
pub fn encode_command(out: &mut Vec<u8>, argv: &[impl AsRef<[u8]>]) {
    // One reservation for the whole request: each header is at most 1 + 20 + 2 bytes.
    let payload: usize = argv.iter().map(|a| a.as_ref().len() + 25).sum();
    out.reserve(payload + 23);
    push_header(out, b'*', argv.len());
    for arg in argv {
        let arg = arg.as_ref();
        push_header(out, b'$', arg.len());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends `<prefix><n>\r\n`; the one- and two-digit counts of typical commands are
/// written without the general integer formatter.
#[inline(always)]
fn push_header(out: &mut Vec<u8>, prefix: u8, n: usize) {
    if n < 10 {
        out.extend_from_slice(&[prefix, b'0' + n as u8, b'\r', b'\n']);
    } else if n < 100 {
        out.extend_from_slice(&[
            prefix,
            b'0' + (n / 10) as u8,
            b'0' + (n % 10) as u8,
            b'\r',
            b'\n',
        ]);
    } else {
        let mut num = crate::types::value::itoa_buf::Buffer::new();
        out.push(prefix);
        out.extend_from_slice(num.format(n as i64));
        out.extend_from_slice(b"\r\n");
    }
}

pub use parser::{peek_request, ParseLimits, ProtocolError, RequestParser};
pub use reply::ReplyBuf;

#[cfg(test)]
mod tests {
    use super::encode_command;

    #[test]
    fn length_headers_at_digit_boundaries() {
        for n in [0usize, 9, 10, 99, 100, 12345] {
            let arg = vec![b'a'; n];
            let argv: Vec<&[u8]> = std::iter::repeat_n(&arg[..], n.min(11)).collect();
            let mut out = Vec::new();
            encode_command(&mut out, &argv);
            let mut want = format!("*{}\r\n", argv.len()).into_bytes();
            for a in &argv {
                want.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                want.extend_from_slice(a);
                want.extend_from_slice(b"\r\n");
            }
            assert_eq!(out, want, "argument length {n}");
        }
    }

    #[test]
    fn encodes_commands_as_redis_does() {
        let mut out = Vec::new();
        encode_command(&mut out, &[b"SET".to_vec(), b"k".to_vec(), b"".to_vec()]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        out.clear();
        let long = vec![b'x'; 12345];
        encode_command(&mut out, &[&b"GET"[..], &long]);
        assert!(out.starts_with(b"*2\r\n$3\r\nGET\r\n$12345\r\nxxx"));
    }
}
