//! The replica's side of the handshake, as bytes: the requests it sends (PING, AUTH,
//! REPLCONF, PSYNC) and the parsing of the master's one-line answers and of the RDB
//! payload header. Pure functions, so the state machine in `replica.rs` stays about
//! sockets and states.

use crate::protocol::encode_command;

/// A reply the handshake still waits for, in the order the requests were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// PING: `+PONG`, or an authentication error (the master is alive all the same).
    Pong,
    /// AUTH: must be `+OK`.
    Auth,
    /// REPLCONF listening-port: an error is not fatal.
    Port,
    /// REPLCONF ip-address: an error is not fatal.
    Ip,
    /// REPLCONF capa: an error is not fatal.
    Capa,
    /// PSYNC: `+FULLRESYNC` or `+CONTINUE`.
    Psync,
}

/// The master's answer to PSYNC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsyncReply {
    /// `+FULLRESYNC <replid> <offset>`: an RDB follows.
    Full { replid: String, offset: i64 },
    /// `+CONTINUE [<replid>]`: the stream continues (maybe under a new id).
    Continue { replid: Option<String> },
    /// `-NOMASTERLINK` / `-LOADING`: try again later.
    TryLater(String),
    /// Anything else.
    Error(String),
}

/// How the RDB payload is delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadHeader {
    /// `$<len>`: that many bytes.
    Length(u64),
    /// `$EOF:<40 chars>`: until the same 40 characters.
    Eof([u8; 40]),
}

/// Takes one line (without its CR LF) from the front of `buf`, if a whole one is there.
pub fn take_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let end = memchr::memchr(b'\n', buf)?;
    let mut line: Vec<u8> = buf.drain(..=end).collect();
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(line)
}

/// The requests sent after the master answered PING: AUTH (with `masteruser` if set)
/// when `masterauth` is set, REPLCONF listening-port, REPLCONF ip-address when
/// announced, REPLCONF capa eof capa psync2; and the replies they expect.
pub fn after_ping_requests(
    masteruser: Option<&str>,
    masterauth: Option<&[u8]>,
    port: u16,
    announce_ip: Option<&str>,
) -> (Vec<u8>, Vec<Expect>) {
    let mut out = Vec::new();
    let mut expect = Vec::new();
    if let Some(pass) = masterauth {
        match masteruser {
            Some(user) => encode_command(&mut out, &[&b"AUTH"[..], user.as_bytes(), pass]),
            None => encode_command(&mut out, &[&b"AUTH"[..], pass]),
        }
        expect.push(Expect::Auth);
    }
    let port = port.to_string();
    encode_command(
        &mut out,
        &[&b"REPLCONF"[..], b"listening-port", port.as_bytes()],
    );
    expect.push(Expect::Port);
    if let Some(ip) = announce_ip {
        encode_command(&mut out, &[&b"REPLCONF"[..], b"ip-address", ip.as_bytes()]);
        expect.push(Expect::Ip);
    }
    encode_command(
        &mut out,
        &[&b"REPLCONF"[..], b"capa", b"eof", b"capa", b"psync2"],
    );
    expect.push(Expect::Capa);
    (out, expect)
}

/// `PSYNC <replid> <offset>`, or `PSYNC ? -1` without a history to continue; with
/// `failover`, a `FAILOVER` argument asks the master to become our replica.
pub fn psync_request(history: Option<(&str, i64)>, failover: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let next = history.map(|(_, next)| next.to_string());
    let (id, next) = match (history, &next) {
        (Some((id, _)), Some(next)) => (id.as_bytes(), next.as_bytes()),
        _ => (&b"?"[..], &b"-1"[..]),
    };
    if failover {
        encode_command(&mut out, &[&b"PSYNC"[..], id, next, b"FAILOVER"]);
    } else {
        encode_command(&mut out, &[&b"PSYNC"[..], id, next]);
    }
    out
}

/// Whether the answer to PING lets the handshake go on: `+PONG`, or an error that only
/// says we must authenticate first.
pub fn pong_acceptable(line: &[u8]) -> bool {
    line.first() != Some(&b'-')
        || line.starts_with(b"-NOAUTH")
        || line.starts_with(b"-NOPERM")
        || line.starts_with(b"-ERR operation not permitted")
}

/// Parses the answer to PSYNC.
pub fn parse_psync_reply(line: &[u8]) -> PsyncReply {
    let text = String::from_utf8_lossy(line).into_owned();
    if let Some(rest) = text.strip_prefix("+FULLRESYNC") {
        let mut parts = rest.split_whitespace();
        let replid = parts.next().unwrap_or("").to_string();
        let offset = parts.next().and_then(|o| o.parse().ok());
        return match offset {
            Some(offset) if replid.len() == 40 => PsyncReply::Full { replid, offset },
            _ => PsyncReply::Error(format!(
                "Master replied with wrong +FULLRESYNC syntax: {text}"
            )),
        };
    }
    if let Some(rest) = text.strip_prefix("+CONTINUE") {
        let id = rest.trim();
        let replid = (id.len() == 40).then(|| id.to_string());
        return PsyncReply::Continue { replid };
    }
    if text.starts_with("-NOMASTERLINK") || text.starts_with("-LOADING") {
        return PsyncReply::TryLater(text);
    }
    PsyncReply::Error(text)
}

/// Parses the line announcing the RDB payload (`$<len>` or `$EOF:<mark>`).
pub fn parse_payload_header(line: &[u8]) -> Result<PayloadHeader, String> {
    let text = String::from_utf8_lossy(line);
    let Some(rest) = line.strip_prefix(b"$") else {
        return Err(format!(
            "Bad protocol from MASTER, the first byte is not '$' (we received '{text}'), are you sure the host and port are right?"
        ));
    };
    if let Some(mark) = rest.strip_prefix(b"EOF:") {
        let mark: [u8; 40] = mark
            .try_into()
            .map_err(|_| format!("Bad EOF mark from MASTER: '{text}'"))?;
        return Ok(PayloadHeader::Eof(mark));
    }
    crate::util::numbers::parse_u64(rest)
        .map(PayloadHeader::Length)
        .ok_or_else(|| format!("Bad payload length from MASTER: '{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_taken_whole() {
        let mut buf = b"+PONG\r\n+OK\npart".to_vec();
        assert_eq!(take_line(&mut buf).unwrap(), b"+PONG");
        assert_eq!(take_line(&mut buf).unwrap(), b"+OK");
        assert_eq!(take_line(&mut buf), None);
        assert_eq!(buf, b"part");
    }

    #[test]
    fn the_handshake_sends_what_redis_sends() {
        let (out, expect) = after_ping_requests(None, Some(b"pw"), 6380, None);
        assert_eq!(
            out,
            b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6380\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n"
        );
        assert_eq!(expect, [Expect::Auth, Expect::Port, Expect::Capa]);
        let (_, expect) = after_ping_requests(Some("u"), Some(b"pw"), 1, Some("10.0.0.1"));
        assert_eq!(
            expect,
            [Expect::Auth, Expect::Port, Expect::Ip, Expect::Capa]
        );
        assert_eq!(
            psync_request(None, false),
            b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n"
        );
        assert_eq!(
            psync_request(Some(("ab", 7)), true),
            b"*4\r\n$5\r\nPSYNC\r\n$2\r\nab\r\n$1\r\n7\r\n$8\r\nFAILOVER\r\n"
        );
    }

    #[test]
    fn psync_replies() {
        let id = "a".repeat(40);
        assert_eq!(
            parse_psync_reply(format!("+FULLRESYNC {id} 123").as_bytes()),
            PsyncReply::Full {
                replid: id.clone(),
                offset: 123
            }
        );
        assert_eq!(
            parse_psync_reply(format!("+CONTINUE {id}").as_bytes()),
            PsyncReply::Continue { replid: Some(id) }
        );
        assert_eq!(
            parse_psync_reply(b"+CONTINUE"),
            PsyncReply::Continue { replid: None }
        );
        assert!(matches!(
            parse_psync_reply(b"-NOMASTERLINK Can't SYNC"),
            PsyncReply::TryLater(_)
        ));
        assert!(matches!(parse_psync_reply(b"-ERR x"), PsyncReply::Error(_)));
        assert!(pong_acceptable(b"+PONG") && pong_acceptable(b"-NOAUTH Authentication required."));
        assert!(!pong_acceptable(b"-ERR unknown"));
    }

    #[test]
    fn payload_headers() {
        assert_eq!(parse_payload_header(b"$42"), Ok(PayloadHeader::Length(42)));
        let mark = [b'x'; 40];
        let mut line = b"$EOF:".to_vec();
        line.extend_from_slice(&mark);
        assert_eq!(parse_payload_header(&line), Ok(PayloadHeader::Eof(mark)));
        assert!(parse_payload_header(b"+OK").is_err());
        assert!(parse_payload_header(b"$EOF:short").is_err());
    }
}
