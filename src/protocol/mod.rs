//! The wire: RESP2/RESP3 request parsing and reply encoding.

pub mod parser;
pub mod reply;

/// Appends `argv` as a RESP multibulk request (`*<n>\r\n$<len>\r\n<arg>\r\n...`) to
/// `out`: the form the AOF and the replication stream carry commands in.
pub fn encode_command(out: &mut Vec<u8>, argv: &[impl AsRef<[u8]>]) {
    let mut num = crate::types::value::itoa_buf::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(num.format(argv.len() as i64));
    out.extend_from_slice(b"\r\n");
    for arg in argv {
        let arg = arg.as_ref();
        out.push(b'$');
        out.extend_from_slice(num.format(arg.len() as i64));
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

pub use parser::{ParseLimits, ProtocolError, RequestParser};
pub use reply::ReplyBuf;

#[cfg(test)]
mod tests {
    use super::encode_command;

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
