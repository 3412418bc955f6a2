//! Replication commands (Redis's `replication.c` commands): REPLICAOF/SLAVEOF, SYNC,
//! PSYNC, REPLCONF, WAIT, ROLE and FAILOVER (whose logic is in
//! `crate::replication::failover`). The state they act on lives in `crate::replication`.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::replication::master::ReplicaState;
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;

/// The replication family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "replicaof",
        replicaof,
        3,
        ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING,
        Keys::NONE,
        "server",
        "5.0.0",
        "Configure a server as replica of another, or promote it to a master.",
    ),
    CommandSpec::new(
        "slaveof",
        replicaof,
        3,
        ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING,
        Keys::NONE,
        "server",
        "1.0.0",
        "Sets a Redis server as a replica of another, or promotes it to being a master.",
    ),
    CommandSpec::new(
        "psync",
        psync,
        -3,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
        Keys::NONE,
        "server",
        "2.8.0",
        "An internal command used in replication.",
    ),
    CommandSpec::new(
        "sync",
        sync,
        1,
        ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
        Keys::NONE,
        "server",
        "1.0.0",
        "An internal command used in replication.",
    ),
    CommandSpec::new(
        "replconf",
        replconf,
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY,
        Keys::NONE,
        "server",
        "3.0.0",
        "An internal command for configuring the replication stream.",
    ),
    CommandSpec::new(
        "wait",
        wait,
        3,
        NOSCRIPT,
        Keys::NONE,
        "generic",
        "3.0.0",
        "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
    ),
    CommandSpec::new(
        "role",
        role,
        1,
        NOSCRIPT | LOADING | STALE | FAST,
        Keys::NONE,
        "server",
        "2.8.12",
        "Returns the replication role.",
    ),
    CommandSpec::new(
        "failover",
        crate::replication::failover::failover_command,
        -1,
        ADMIN | NOSCRIPT | STALE,
        Keys::NONE,
        "server",
        "6.2.0",
        "Start a coordinated failover between this server and one of its replicas.",
    ),
];

/// REPLICAOF host port | NO ONE.
fn replicaof(srv: &mut Server, c: &mut Client) -> CommandResult {
    if srv.repl.failover.active() {
        return Err(CommandError::Err(
            "REPLICAOF not allowed while failing over.",
        ));
    }
    if c.arg(1).eq_ignore_ascii_case(b"no") && c.arg(2).eq_ignore_ascii_case(b"one") {
        if srv.repl.is_replica() {
            srv.repl_unset_master();
            log::info!(
                "MASTER MODE enabled (user request from 'id={} addr={}')",
                c.id,
                c.addr
            );
        }
        c.reply.ok();
        return Ok(());
    }
    if c.replica.as_ref().is_some_and(|r| r.attached()) {
        return Err(CommandError::Err(
            "Command is not valid when client is a replica.",
        ));
    }
    let port = parse_i64(c.arg(2))
        .filter(|p| (0..=65535).contains(p))
        .ok_or(CommandError::Err("Invalid master port"))? as u16;
    let host = String::from_utf8_lossy(c.arg(1)).into_owned();
    if let Some(side) = &srv.repl.replica {
        if side.host.eq_ignore_ascii_case(&host) && side.port == port {
            log::info!("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            c.reply.simple("OK Already connected to specified master");
            return Ok(());
        }
    }
    srv.repl_set_master(host.clone(), port);
    log::info!(
        "REPLICAOF {}:{} enabled (user request from 'id={} addr={}')",
        host,
        port,
        c.id,
        c.addr
    );
    c.reply.ok();
    Ok(())
}

/// PSYNC replid offset.
fn psync(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.failover_sync_checks(c)?;
    let replid = c.argv[1].clone();
    let offset = c.argv[2].clone();
    srv.repl_sync_request(c, Some((&replid, &offset)))
}

/// SYNC: the pre-PSYNC full synchronisation (redis-cli --rdb and --replica use it).
fn sync(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.failover_sync_checks(c)?;
    srv.repl_sync_request(c, None)
}

/// REPLCONF option value [option value ...]: listening-port, ip-address, capa, ack,
/// getack, rdb-only, rdb-filter-only. ACK and GETACK never reply.
fn replconf(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    let mut i = 1;
    while i < c.argc() {
        let opt = c.argv[i].to_ascii_lowercase();
        let val = c.argv[i + 1].clone();
        match opt.as_slice() {
            b"listening-port" => {
                let port = parse_i64(&val).ok_or(CommandError::NotInteger)?;
                Server::replica_info(c).listening_port = port.clamp(0, 65535) as u16;
            }
            b"ip-address" => {
                if val.len() >= 256 {
                    return Err(CommandError::Raw(format!(
                        "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                        val.len()
                    )));
                }
                Server::replica_info(c).announced_ip =
                    Some(String::from_utf8_lossy(&val).into_owned());
            }
            b"capa" => {
                let r = Server::replica_info(c);
                if val.eq_ignore_ascii_case(b"eof") {
                    r.capa_eof = true;
                } else if val.eq_ignore_ascii_case(b"psync2") {
                    r.capa_psync2 = true;
                }
            }
            b"ack" => {
                if let Some(offset) = parse_i64(&val) {
                    srv.repl_ack(c, offset);
                }
                return Ok(());
            }
            b"getack" => {
                if c.is_master {
                    if let Some(side) = srv.repl.replica.as_mut() {
                        side.ack_now = true;
                    }
                }
                return Ok(());
            }
            b"rdb-only" => {
                let v = parse_i64(&val).ok_or(CommandError::NotInteger)?;
                if !(0..=1).contains(&v) {
                    return Err(CommandError::Err(
                        "value is out of range, value must between 0 and 1",
                    ));
                }
                Server::replica_info(c).rdb_only = v == 1;
            }
            b"rdb-filter-only" => {
                // What the RDB keeps besides its header: nothing ("", redis-cli
                // --replica) or the functions (redis-cli --functions-rdb).
                let filters = crate::util::split_args::split_args(&val, false)
                    .ok_or(CommandError::Err("Missing rdb-filter-only values"))?;
                let mut functions = false;
                for f in &filters {
                    if f.eq_ignore_ascii_case(b"functions") {
                        functions = true;
                    } else {
                        return Err(CommandError::Raw(format!(
                            "ERR Unsupported rdb-filter-only option: {}",
                            String::from_utf8_lossy(f)
                        )));
                    }
                }
                Server::replica_info(c).rdb_filter = Some(functions);
            }
            _ => {
                return Err(CommandError::Raw(format!(
                    "ERR Unrecognized REPLCONF option: {}",
                    String::from_utf8_lossy(&c.argv[i])
                )))
            }
        }
        i += 2;
    }
    c.reply.ok();
    Ok(())
}

/// WAIT numreplicas timeout: blocks until that many replicas acknowledged the stream up
/// to this client's last command (`woff`), or the timeout (ms, 0 = forever) passes;
/// replies the count. Inside EXEC it never blocks.
fn wait(srv: &mut Server, c: &mut Client) -> CommandResult {
    if srv.repl.is_replica() {
        return Err(CommandError::Err("WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."));
    }
    let numreplicas = parse_i64(c.arg(1)).ok_or(CommandError::NotInteger)?;
    let timeout = parse_i64(c.arg(2)).ok_or(CommandError::Err(
        "timeout is not an integer or out of range",
    ))?;
    if timeout < 0 {
        return Err(CommandError::Err("timeout is negative"));
    }
    let offset = c.woff;
    let acks = srv.count_acks(offset);
    if acks >= numreplicas || c.deny_blocking() {
        c.reply.int(acks);
        return Ok(());
    }
    c.wait_blocked = true;
    srv.repl.waiters.push(crate::replication::Waiter {
        token: c.token,
        client_id: c.id,
        offset,
        numreplicas,
        deadline_ms: (timeout > 0).then(|| crate::util::time::now_ms() + timeout),
    });
    srv.repl.get_ack = true;
    Ok(())
}

/// ROLE: `master offset [[ip port offset]...]` or `slave host port state offset`.
fn role(srv: &mut Server, c: &mut Client) -> CommandResult {
    if let Some(side) = &srv.repl.replica {
        c.reply.array_len(5);
        c.reply.bulk(b"slave");
        c.reply.bulk(side.host.as_bytes());
        c.reply.int(side.port as i64);
        c.reply.bulk(side.state.role_name().as_bytes());
        let offset = if side.master_token.is_some() {
            srv.repl.master_repl_offset
        } else {
            -1
        };
        c.reply.int(offset);
        return Ok(());
    }
    let mut rows = Vec::new();
    for &token in &srv.repl.replicas {
        let Some(Some(other)) = srv.clients.get(token) else {
            continue;
        };
        let Some(r) = other.replica.as_ref() else {
            continue;
        };
        if r.state != ReplicaState::Online {
            continue;
        }
        let ip = r
            .announced_ip
            .clone()
            .unwrap_or_else(|| peer_ip(&other.addr));
        rows.push((ip, r.listening_port, r.ack_off));
    }
    c.reply.array_len(3);
    c.reply.bulk(b"master");
    c.reply.int(srv.repl.master_repl_offset);
    c.reply.array_len(rows.len());
    for (ip, port, off) in rows {
        c.reply.array_len(3);
        c.reply.bulk(ip.as_bytes());
        c.reply.bulk(port.to_string().as_bytes());
        c.reply.bulk(off.to_string().as_bytes());
    }
    Ok(())
}

/// The IP part of an "ip:port" peer address.
pub fn peer_ip(addr: &str) -> String {
    addr.rsplit_once(':')
        .map_or(addr, |(ip, _)| ip)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}
