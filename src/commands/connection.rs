//! Connection commands: PING ECHO QUIT SELECT AUTH HELLO RESET.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::client::redact;
use crate::server::{Client, ReplyMode, Server};
use crate::util::numbers::parse_i64;

/// The Redis version we report to clients (HELLO, INFO redis_version): tools decide
/// which features to use from it, and we implement 7.0's behaviour.
pub const REDIS_COMPAT_VERSION: &str = "7.0.15";

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "ping",
        ping,
        -1,
        FAST | SENTINEL,
        Keys::NONE,
        "connection",
        "1.0.0",
        "Returns the server's liveliness response.",
    ),
    CommandSpec::new(
        "echo",
        echo,
        2,
        FAST | LOADING | STALE,
        Keys::NONE,
        "connection",
        "1.0.0",
        "Returns the given string.",
    ),
    CommandSpec::new(
        "quit",
        quit,
        -1,
        ALLOW_BUSY | NOSCRIPT | NO_AUTH | FAST | LOADING | STALE,
        Keys::NONE,
        "connection",
        "1.0.0",
        "Closes the connection.",
    ),
    CommandSpec::new(
        "select",
        select,
        2,
        LOADING | STALE | FAST,
        Keys::NONE,
        "connection",
        "1.0.0",
        "Changes the selected database.",
    ),
    CommandSpec::new(
        "auth",
        auth,
        -2,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        Keys::NONE,
        "connection",
        "1.0.0",
        "Authenticates the connection.",
    ),
    CommandSpec::new(
        "hello",
        hello,
        -1,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SENTINEL,
        Keys::NONE,
        "connection",
        "6.0.0",
        "Handshakes with the Redis server.",
    ),
    CommandSpec::new(
        "reset",
        reset,
        1,
        NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        Keys::NONE,
        "connection",
        "6.2.0",
        "Resets the connection.",
    ),
];

/// PING [message]
fn ping(_srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.in_pubsub() && !c.reply.is_resp3() {
        // On a RESP2 connection that carries messages, the answer looks like one.
        c.reply.array_len(2);
        c.reply.bulk(b"pong");
        c.reply.bulk(c.argv.get(1).map_or(&b""[..], Vec::as_slice));
        return Ok(());
    }
    match c.argc() {
        1 => c.reply.simple("PONG"),
        // The arguments stay intact: MONITOR and SLOWLOG show them after the call.
        2 => c.reply.bulk(&c.argv[1]),
        _ => return Err(CommandError::WrongArity("ping".into())),
    }
    Ok(())
}

/// ECHO message
fn echo(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.bulk(&c.argv[1]);
    Ok(())
}

/// QUIT: replies OK and closes once the reply is written.
fn quit(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.ok();
    c.close_after_reply = true;
    Ok(())
}

/// SELECT index
fn select(srv: &mut Server, c: &mut Client) -> CommandResult {
    let idx = super::keys::parse_i32_arg(&c.argv[1])?;
    if idx < 0 || idx as usize >= srv.dbs.len() {
        return Err(CommandError::DbIndexOutOfRange);
    }
    c.db = idx as usize;
    c.reply.ok();
    Ok(())
}

/// Logs `c` in as `user` if `pass` is right (Redis's ACLAuthenticateUser); a failure
/// goes to the ACL log and gives the error AUTH and HELLO reply with.
fn authenticate(
    srv: &mut Server,
    c: &mut Client,
    user: &[u8],
    pass: &[u8],
) -> Result<(), CommandError> {
    match srv.acl.authenticate(user, pass) {
        Some(id) => {
            c.authenticated = true;
            c.user = Some(id);
            Ok(())
        }
        None => {
            let context = super::acl::log_context(c);
            let object = c.argv[0].clone();
            srv.acl_log(
                c,
                crate::acl::LogReason::Auth,
                context,
                object,
                user.to_vec(),
            );
            log::debug!("AUTH failed for client id={}", c.id);
            Err(CommandError::WrongPass)
        }
    }
}

/// AUTH [username] password
fn auth(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 3 {
        return Err(CommandError::Syntax);
    }
    let first = redact(&mut c.argv[1]);
    let (user, pass) = match c.argc() {
        2 => {
            if srv.acl.default_user().nopass {
                return Err(CommandError::AuthNotConfigured);
            }
            (b"default".to_vec(), first)
        }
        _ => (first, redact(&mut c.argv[2])),
    };
    authenticate(srv, c, &user, &pass)?;
    c.reply.ok();
    Ok(())
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut proto = c.reply.resp.max(2) as i64;
    let mut i = 1;
    if c.argc() >= 2 {
        proto = parse_i64(&c.argv[1]).ok_or(CommandError::Err(
            "Protocol version is not an integer or out of range",
        ))?;
        i = 2;
        if !(2..=3).contains(&proto) {
            return Err(CommandError::NoProto);
        }
    }
    let mut setname = None;
    while i < c.argc() {
        let more = c.argc() - i - 1;
        let opt = &c.argv[i];
        if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
            let (user, pass) = (redact(&mut c.argv[i + 1]), redact(&mut c.argv[i + 2]));
            authenticate(srv, c, &user, &pass)?;
            i += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
            let name = c.argv[i + 1].clone();
            validate_client_name(&name)?;
            setname = Some(name);
            i += 2;
        } else {
            return Err(CommandError::Raw(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if !c.authenticated {
        return Err(CommandError::Raw(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time".into(),
        ));
    }
    if let Some(name) = setname {
        c.name = if name.is_empty() { None } else { Some(name) };
    }
    c.reply.resp = proto as u8;
    c.reply.map_len(7);
    c.reply.bulk(b"server");
    c.reply.bulk(b"redis");
    c.reply.bulk(b"version");
    c.reply.bulk(REDIS_COMPAT_VERSION.as_bytes());
    c.reply.bulk(b"proto");
    c.reply.int(proto);
    c.reply.bulk(b"id");
    c.reply.int(c.id as i64);
    c.reply.bulk(b"mode");
    c.reply.bulk(b"standalone");
    c.reply.bulk(b"role");
    c.reply.bulk(srv.role_name().as_bytes());
    c.reply.bulk(b"modules");
    c.reply.array_len(0);
    Ok(())
}

/// Client names may not contain spaces, newlines or other special characters.
pub fn validate_client_name(name: &[u8]) -> Result<(), CommandError> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(CommandError::Err(
            "Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

/// RESET: back to a fresh connection's state.
fn reset(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.discard_transaction(c);
    c.db = 0;
    c.reply.resp = 2;
    c.name = None;
    c.reply_mode = ReplyMode::On;
    c.no_evict = false;
    if c.monitor {
        c.monitor = false;
        srv.monitors.retain(|&t| t != c.token);
    }
    srv.pubsub_forget_client(c);
    srv.tracking_disable(c);
    c.user = Some(crate::acl::DEFAULT_USER);
    c.authenticated = !srv.auth_required();
    c.reply.simple("RESET");
    Ok(())
}
