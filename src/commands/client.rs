//! CLIENT subcommands: ID SETNAME GETNAME LIST INFO KILL PAUSE UNPAUSE REPLY NO-EVICT, and
//! the client-side caching ones (TRACKING CACHING GETREDIR TRACKINGINFO; the tracking
//! itself is server/tracking.rs).

use super::connection::validate_client_name;
use super::flags::*;
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::tracking::{prefixes_overlap, ClientRef, TrackingOptions};
use crate::server::{Client, PauseKind, ReplyMode, Server};
use crate::util::numbers::parse_i64;

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "id",
        client_id,
        2,
        NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "5.0.0",
        "Returns the unique client ID of the connection.",
    ),
    CommandSpec::new(
        "setname",
        client_setname,
        3,
        NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "2.6.9",
        "Sets the connection name.",
    ),
    CommandSpec::new(
        "getname",
        client_getname,
        2,
        NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "2.6.9",
        "Returns the name of the connection.",
    ),
    CommandSpec::new(
        "list",
        client_list,
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "2.4.0",
        "Lists open connections.",
    ),
    CommandSpec::new(
        "info",
        client_info,
        2,
        NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "6.2.0",
        "Returns information about the connection.",
    ),
    CommandSpec::new(
        "kill",
        client_kill,
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "2.4.0",
        "Terminates open connections.",
    ),
    CommandSpec::new(
        "pause",
        client_pause,
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "2.9.50",
        "Suspends commands processing.",
    ),
    CommandSpec::new(
        "unpause",
        client_unpause,
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "6.2.0",
        "Resumes processing commands from paused clients.",
    ),
    CommandSpec::new(
        "reply",
        client_reply,
        3,
        NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "3.2.0",
        "Instructs the server whether to reply to commands.",
    ),
    CommandSpec::new(
        "unblock",
        crate::server::blocking::client_unblock,
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "5.0.0",
        "Unblocks a client blocked by a blocking command from a different connection.",
    ),
    CommandSpec::new(
        "tracking",
        client_tracking,
        -3,
        NOSCRIPT | LOADING | STALE | SENTINEL,
        Keys::NONE,
        "connection",
        "6.0.0",
        "Enable or disable server assisted client side caching support",
    ),
    CommandSpec::new(
        "caching",
        client_caching,
        3,
        NOSCRIPT | LOADING | STALE | SENTINEL,
        Keys::NONE,
        "connection",
        "6.0.0",
        "Instruct the server about tracking or not keys in the next request",
    ),
    CommandSpec::new(
        "getredir",
        client_getredir,
        2,
        NOSCRIPT | LOADING | STALE | SENTINEL,
        Keys::NONE,
        "connection",
        "6.0.0",
        "Get tracking notifications redirection client ID if any",
    ),
    CommandSpec::new(
        "trackinginfo",
        client_trackinginfo,
        2,
        NOSCRIPT | LOADING | STALE | SENTINEL,
        Keys::NONE,
        "connection",
        "6.2.0",
        "Return information about server assisted client side caching for the current connection",
    ),
    CommandSpec::new(
        "no-evict",
        client_no_evict,
        3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "connection",
        "7.0.0",
        "Sets the client eviction mode of the connection.",
    ),
    CommandSpec::new(
        "help",
        client_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "connection",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
    ),
];

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "client",
    container_handler,
    -2,
    0,
    Keys::NONE,
    "connection",
    "2.4.0",
    "A container for client connection commands.",
)
.with_subcommands(SUBCOMMANDS)];

fn client_id(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(c.id as i64);
    Ok(())
}

fn client_setname(_srv: &mut Server, c: &mut Client) -> CommandResult {
    // A copy: MONITOR and SLOWLOG show the request's arguments after the call.
    let name = c.argv[2].clone();
    validate_client_name(&name)?;
    c.name = if name.is_empty() { None } else { Some(name) };
    c.reply.ok();
    Ok(())
}

fn client_getname(_srv: &mut Server, c: &mut Client) -> CommandResult {
    match &c.name {
        Some(n) => {
            let n = n.clone();
            c.reply.bulk(&n)
        }
        None => c.reply.null(),
    }
    Ok(())
}

/// The client types CLIENT LIST/KILL TYPE filter on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Master,
    Replica,
    Pubsub,
}

fn parse_client_type(name: &[u8]) -> Result<ClientType, CommandError> {
    let lower = name.to_ascii_lowercase();
    match lower.as_slice() {
        b"normal" => Ok(ClientType::Normal),
        b"master" => Ok(ClientType::Master),
        b"replica" | b"slave" => Ok(ClientType::Replica),
        b"pubsub" => Ok(ClientType::Pubsub),
        _ => Err(CommandError::Raw(format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(name)
        ))),
    }
}

fn client_type_of(c: &Client) -> ClientType {
    if c.is_master {
        ClientType::Master
    } else if c.monitor || c.replica.as_ref().is_some_and(|r| r.attached()) {
        ClientType::Replica
    } else if c.in_pubsub() {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

/// One CLIENT LIST line (without the newline), with Redis 7.0's fields.
pub fn client_info_line(srv: &Server, c: &Client) -> String {
    let now_s = srv.now_ms / 1000;
    let mut flags = String::new();
    if c.monitor {
        flags.push('O');
    }
    if c.replica.as_ref().is_some_and(|r| r.attached()) {
        flags.push('S');
    }
    if c.is_master {
        flags.push('M');
    }
    if c.in_pubsub() {
        flags.push('P');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if c.is_blocked() {
        flags.push('b');
    }
    if let Some(t) = c.tracking.as_ref() {
        flags.push('t');
        if t.broken_redirect {
            flags.push('R');
        }
        if t.bcast {
            flags.push('B');
        }
    }
    if srv.tx.watches.is_dirty(c.id) {
        flags.push('d');
    }
    if c.close_after_reply {
        flags.push('c');
    }
    if c.close_asap {
        flags.push('A');
    }
    if c.conn.is_unix() {
        flags.push('U');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let events = if c.write_registered { "rw" } else { "r" };
    let cmd = c
        .last_cmd
        .map(|id| srv.commands.full_names[id].as_str())
        .unwrap_or("NULL");
    // Like Redis, the whole query buffer: the request being executed is only
    // trimmed from it once the read batch has been processed.
    let qbuf = c.query.len();
    let qfree = c.query.capacity() - c.query.len();
    // A client held back by CLIENT PAUSE keeps its request aside, still to run.
    let argv = c.paused_argv.as_deref().unwrap_or(&c.argv);
    // With the arguments read so far of a request still arriving.
    let argv_mem: usize = argv.iter().map(|a| a.len()).sum::<usize>() + c.parser.partial_args().1;
    // All the pending output is `omem`, the figure client-output-buffer-limit is
    // checked against (as Redis checks its reply list's size): Redis's fixed 16 KB
    // reply buffer (`obl`, always 0 here) has no counterpart in our one growing
    // buffer, and `oll` counts the pending output in Redis's list blocks.
    let omem = srv.replica_output_pending(c);
    let oll = omem.div_ceil(crate::server::client::REPLY_CHUNK_BYTES);
    let tot = srv.client_memory(c);
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl=0 oll={} omem={} tot-mem={} events={} cmd={} user={} redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.conn.raw_fd(),
        String::from_utf8_lossy(c.name.as_deref().unwrap_or(b"")),
        now_s - c.created_ms / 1000,
        now_s - c.last_interaction_ms / 1000,
        flags,
        c.db,
        c.subscriptions.as_ref().map_or(0, |s| s.channel_count()),
        c.subscriptions.as_ref().map_or(0, |s| s.pattern_count()),
        c.subscriptions.as_ref().map_or(0, |s| s.shard_channel_count()),
        c.multi.as_ref().map_or(-1, |m| m.commands.len() as i64),
        qbuf,
        qfree,
        argv_mem,
        crate::server::client_evict::multi_memory(c),
        c.reply.buf.capacity(),
        c.reply.buf.len(),
        oll,
        omem,
        tot,
        events,
        cmd,
        // Internal clients (our master's link) run as no user, as Redis names them.
        c.user.map_or(std::borrow::Cow::Borrowed("(superuser)"), |u| {
            String::from_utf8_lossy(srv.acl.name_of(u))
        }),
        c.reply.resp.max(2),
    )
}

fn client_list(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut type_filter = None;
    let mut id_filter: Option<Vec<u64>> = None;
    if c.argc() == 4 && c.argv[2].eq_ignore_ascii_case(b"type") {
        type_filter = Some(parse_client_type(&c.argv[3])?);
    } else if c.argc() > 3 && c.argv[2].eq_ignore_ascii_case(b"id") {
        let mut ids = Vec::new();
        for a in &c.argv[3..] {
            match parse_i64(a) {
                Some(n) if n > 0 => ids.push(n as u64),
                _ => return Err(CommandError::Err("Invalid client ID")),
            }
        }
        id_filter = Some(ids);
    } else if c.argc() != 2 {
        return Err(CommandError::Syntax);
    }
    let mut out = String::new();
    let mut emit = |srv: &Server, other: &Client| {
        if type_filter.is_some_and(|t| client_type_of(other) != t) {
            return;
        }
        if id_filter
            .as_ref()
            .is_some_and(|ids| !ids.contains(&other.id))
        {
            return;
        }
        out.push_str(&client_info_line(srv, other));
        out.push('\n');
    };
    // Oldest first, as Redis lists them (it appends each new client to its list); the
    // slab's order is not that once a freed slot is reused. Tools such as Redis's own
    // tests take the line after their first connection's for the next one they made.
    let mut listed: Vec<&Client> = srv
        .clients
        .iter()
        .filter_map(|(token, slot)| match slot {
            Some(other) => Some(&**other),
            None if token == c.token => Some(&*c),
            None => None,
        })
        .collect();
    listed.sort_unstable_by_key(|other| other.id);
    for other in listed {
        emit(srv, other);
    }
    c.reply.verbatim(b"txt", out.as_bytes());
    Ok(())
}

fn client_info(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut line = client_info_line(srv, c);
    line.push('\n');
    c.reply.verbatim(b"txt", line.as_bytes());
    Ok(())
}

/// Filters of the new-style CLIENT KILL.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    ctype: Option<ClientType>,
    addr: Option<String>,
    laddr: Option<String>,
    user: Option<crate::acl::UserId>,
    skipme: bool,
}

impl KillFilter {
    fn matches(&self, other: &Client) -> bool {
        self.id.is_none_or(|id| other.id == id)
            && self.ctype.is_none_or(|t| client_type_of(other) == t)
            && self.addr.as_ref().is_none_or(|a| &other.addr == a)
            && self.user.is_none_or(|u| other.user == Some(u))
            && self.laddr.as_ref().is_none_or(|a| &other.laddr == a)
    }
}

fn client_kill(srv: &mut Server, c: &mut Client) -> CommandResult {
    // Old form: CLIENT KILL addr:port -> OK or "No such client".
    if c.argc() == 3 {
        let addr = String::from_utf8_lossy(&c.argv[2]).into_owned();
        let filter = KillFilter {
            addr: Some(addr),
            ..KillFilter::default()
        };
        let killed = kill_matching(srv, c, &filter);
        if killed == 0 {
            return Err(CommandError::Err("No such client"));
        }
        c.reply.ok();
        return Ok(());
    }
    let mut filter = KillFilter {
        skipme: true,
        ..KillFilter::default()
    };
    let mut i = 2;
    while i < c.argc() {
        if i + 1 >= c.argc() {
            return Err(CommandError::Syntax);
        }
        let opt = c.argv[i].to_ascii_lowercase();
        let val = &c.argv[i + 1];
        match opt.as_slice() {
            b"id" => match parse_i64(val) {
                Some(n) if n > 0 => filter.id = Some(n as u64),
                _ => return Err(CommandError::Err("client-id should be greater than 0")),
            },
            b"type" => filter.ctype = Some(parse_client_type(val)?),
            b"addr" => filter.addr = Some(String::from_utf8_lossy(val).into_owned()),
            b"laddr" => filter.laddr = Some(String::from_utf8_lossy(val).into_owned()),
            b"user" => match srv.acl.find(val) {
                Some(user) => filter.user = Some(user),
                None => {
                    return Err(CommandError::Raw(format!(
                        "ERR No such user '{}'",
                        String::from_utf8_lossy(val)
                    )))
                }
            },
            b"skipme" => {
                if val.eq_ignore_ascii_case(b"yes") {
                    filter.skipme = true;
                } else if val.eq_ignore_ascii_case(b"no") {
                    filter.skipme = false;
                } else {
                    return Err(CommandError::Syntax);
                }
            }
            _ => return Err(CommandError::Syntax),
        }
        i += 2;
    }
    let killed = kill_matching(srv, c, &filter);
    c.reply.int(killed as i64);
    Ok(())
}

/// Closes every client matching `filter`; the caller itself closes after its reply.
fn kill_matching(srv: &mut Server, c: &mut Client, filter: &KillFilter) -> usize {
    let victims: Vec<usize> = srv
        .clients
        .iter()
        .filter_map(|(token, slot)| slot.as_ref().map(|o| (token, o)))
        .filter(|(_, o)| filter.matches(o))
        .map(|(token, _)| token)
        .collect();
    let mut killed = victims.len();
    for token in victims {
        srv.close_client(token);
    }
    if !filter.skipme && filter.matches(c) {
        c.close_after_reply = true;
        killed += 1;
    }
    killed
}

fn client_pause(srv: &mut Server, c: &mut Client) -> CommandResult {
    let ms = parse_i64(&c.argv[2])
        .filter(|&n| n >= 0)
        .ok_or(CommandError::Err(
            "timeout is not an integer or out of range",
        ))?;
    let kind = match c.argc() {
        3 => PauseKind::All,
        4 if c.argv[3].eq_ignore_ascii_case(b"all") => PauseKind::All,
        4 if c.argv[3].eq_ignore_ascii_case(b"write") => PauseKind::Write,
        _ => return Err(CommandError::Syntax),
    };
    srv.pause_clients(srv.now_ms + ms, kind);
    c.reply.ok();
    Ok(())
}

fn client_unpause(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.unpause_clients();
    c.reply.ok();
    Ok(())
}

fn client_reply(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let mode = c.argv[2].to_ascii_lowercase();
    match mode.as_slice() {
        b"on" => {
            c.reply_mode = ReplyMode::On;
            c.reply.ok();
        }
        b"off" => c.reply_mode = ReplyMode::Off,
        b"skip" => {
            if c.reply_mode == ReplyMode::On {
                c.reply_mode = ReplyMode::SkipNext;
            }
        }
        _ => return Err(CommandError::Syntax),
    }
    Ok(())
}

fn client_no_evict(_srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argv[2].eq_ignore_ascii_case(b"on") {
        c.no_evict = true;
    } else if c.argv[2].eq_ignore_ascii_case(b"off") {
        c.no_evict = false;
    } else {
        return Err(CommandError::Syntax);
    }
    c.reply.ok();
    Ok(())
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP],
/// with Redis's checks in Redis's order.
fn client_tracking(srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut opts = TrackingOptions::default();
    let mut redirect_given = false;
    let mut j = 3;
    while j < c.argc() {
        let more = j + 1 < c.argc();
        let arg = c.argv[j].to_ascii_lowercase();
        match arg.as_slice() {
            b"redirect" if more => {
                j += 1;
                if redirect_given {
                    return Err(CommandError::Err(
                        "A client can only redirect to a single other client",
                    ));
                }
                let id = parse_i64(&c.argv[j]).ok_or(CommandError::NotInteger)?;
                redirect_given = true;
                // Must exist now, though it may leave later (the redirect then breaks).
                let target = if id == c.id as i64 {
                    Some(ClientRef::of(c))
                } else {
                    srv.clients
                        .iter()
                        .filter_map(|(_, slot)| slot.as_deref())
                        .find(|o| o.id as i64 == id)
                        .map(ClientRef::of)
                };
                if target.is_none() {
                    return Err(CommandError::Err(
                        "The client ID you want redirect to does not exist",
                    ));
                }
                opts.redirect = target;
            }
            b"bcast" => opts.bcast = true,
            b"optin" => opts.optin = true,
            b"optout" => opts.optout = true,
            b"noloop" => opts.noloop = true,
            b"prefix" if more => {
                j += 1;
                opts.prefixes.push(c.argv[j].clone());
            }
            _ => return Err(CommandError::Syntax),
        }
        j += 1;
    }
    if c.argv[2].eq_ignore_ascii_case(b"off") {
        srv.tracking_disable(c);
        c.reply.ok();
        return Ok(());
    }
    if !c.argv[2].eq_ignore_ascii_case(b"on") {
        return Err(CommandError::Syntax);
    }
    if !opts.bcast && !opts.prefixes.is_empty() {
        return Err(CommandError::Err(
            "PREFIX option requires BCAST mode to be enabled",
        ));
    }
    if let Some(t) = c.tracking.as_ref() {
        if t.bcast != opts.bcast {
            return Err(CommandError::Err(
                "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
            ));
        }
    }
    if opts.bcast && (opts.optin || opts.optout) {
        return Err(CommandError::Err(
            "OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if opts.optin && opts.optout {
        return Err(CommandError::Err(
            "You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if let Some(t) = c.tracking.as_ref() {
        if (opts.optin && t.optout) || (opts.optout && t.optin) {
            return Err(CommandError::Err(
                "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
            ));
        }
    }
    if opts.bcast {
        check_prefix_collisions(c, &opts.prefixes)?;
    }
    srv.tracking_enable(c, opts);
    c.reply.ok();
    Ok(())
}

/// Refuses BCAST prefixes that overlap one another or one the client already has,
/// naming both as Redis does.
fn check_prefix_collisions(c: &Client, prefixes: &[Vec<u8>]) -> CommandResult {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (i, p) in prefixes.iter().enumerate() {
        let existing = c.tracking.as_ref().map(|t| &t.prefixes);
        if let Some(old) = existing
            .into_iter()
            .flatten()
            .find(|old| prefixes_overlap(old, p))
        {
            return Err(CommandError::Raw(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(old)
            )));
        }
        if let Some(other) = prefixes[i + 1..].iter().find(|q| prefixes_overlap(p, q)) {
            return Err(CommandError::Raw(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(other)
            )));
        }
    }
    Ok(())
}

/// CLIENT CACHING YES|NO: whether the next command's reads count (OPTIN / OPTOUT).
fn client_caching(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(t) = c.tracking.as_mut() else {
        return Err(CommandError::Err(
            "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
        ));
    };
    if c.argv[2].eq_ignore_ascii_case(b"yes") {
        if !t.optin {
            return Err(CommandError::Err(
                "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if c.argv[2].eq_ignore_ascii_case(b"no") {
        if !t.optout {
            return Err(CommandError::Err(
                "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(CommandError::Syntax);
    }
    t.caching = true;
    c.reply.ok();
    Ok(())
}

/// The id invalidations are redirected to: 0 for none, -1 when tracking is off.
fn redirect_id(c: &Client) -> i64 {
    match c.tracking.as_ref() {
        Some(t) => t.redirect.map_or(0, |r| r.id as i64),
        None => -1,
    }
}

fn client_getredir(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let id = redirect_id(c);
    c.reply.int(id);
    Ok(())
}

/// CLIENT TRACKINGINFO: flags, redirect and prefixes, as a map.
fn client_trackinginfo(_srv: &mut Server, c: &mut Client) -> CommandResult {
    let mut flags: Vec<&[u8]> = Vec::new();
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    match c.tracking.as_ref() {
        None => flags.push(b"off"),
        Some(t) => {
            flags.push(b"on");
            if t.bcast {
                flags.push(b"bcast");
            }
            if t.optin {
                flags.push(b"optin");
                if t.caching {
                    flags.push(b"caching-yes");
                }
            }
            if t.optout {
                flags.push(b"optout");
                if t.caching {
                    flags.push(b"caching-no");
                }
            }
            if t.noloop {
                flags.push(b"noloop");
            }
            if t.broken_redirect {
                flags.push(b"broken_redirect");
            }
            prefixes = t.prefixes.iter().cloned().collect();
        }
    }
    let redirect = redirect_id(c);
    c.reply.map_len(3);
    c.reply.bulk(b"flags");
    c.reply.set_len(flags.len());
    for f in flags {
        c.reply.bulk(f);
    }
    c.reply.bulk(b"redirect");
    c.reply.int(redirect);
    c.reply.bulk(b"prefixes");
    c.reply.array_len(prefixes.len());
    for p in &prefixes {
        c.reply.bulk(p);
    }
    Ok(())
}

const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
];

fn client_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(c, HELP);
    Ok(())
}

/// Replies a HELP text as an array of status lines, as Redis's addReplyHelp.
pub fn reply_help(c: &mut Client, lines: &[&str]) {
    c.reply.array_len(lines.len());
    for l in lines {
        c.reply.simple(l);
    }
}
