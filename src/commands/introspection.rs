//! MONITOR, SLOWLOG and LATENCY: watching what the server does.

use super::client::reply_help;
use super::flags::*;
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::AppendFsync;
use crate::server::latency::DoctorSettings;
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;

const SLOWLOG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "get",
        slowlog_get,
        -2,
        ADMIN | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.2.12",
        "Returns the slow log's entries.",
    ),
    CommandSpec::new(
        "len",
        slowlog_len,
        2,
        ADMIN | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.2.12",
        "Returns the number of entries in the slow log.",
    ),
    CommandSpec::new(
        "reset",
        slowlog_reset,
        2,
        ADMIN | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.2.12",
        "Clears all entries from the slow log.",
    ),
    CommandSpec::new(
        "help",
        slowlog_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "6.2.0",
        "Show helpful text about the different subcommands",
    ),
];

const LATENCY_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "latest",
        latency_latest,
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns the latest latency samples for all events.",
    ),
    CommandSpec::new(
        "history",
        latency_history,
        3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns timestamp-latency samples for an event.",
    ),
    CommandSpec::new(
        "reset",
        latency_reset,
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Resets the latency data for one or more events.",
    ),
    CommandSpec::new(
        "histogram",
        latency_histogram,
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "7.0.0",
        "Return the cumulative distribution of latencies of a subset of commands or all.",
    )
    .with_complexity(
        "O(N) where N is the number of commands with latency information being retrieved.",
    ),
    CommandSpec::new(
        "graph",
        latency_graph,
        3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Return a latency graph for the event.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "doctor",
        latency_doctor,
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Return a human readable latency analysis report.",
    )
    .with_complexity("O(1)"),
    CommandSpec::new(
        "help",
        latency_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "2.8.13",
        "Returns helpful text about the different subcommands.",
    ),
];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "monitor",
        monitor,
        1,
        ADMIN | NOSCRIPT | LOADING | STALE,
        Keys::NONE,
        "server",
        "1.0.0",
        "Listens for all requests received by the server in real-time.",
    ),
    CommandSpec::new(
        "slowlog",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "server",
        "2.2.12",
        "A container for slow log commands.",
    )
    .with_subcommands(SLOWLOG_SUBCOMMANDS),
    CommandSpec::new(
        "latency",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "server",
        "2.8.13",
        "A container for latency diagnostics commands.",
    )
    .with_subcommands(LATENCY_SUBCOMMANDS),
];

/// MONITOR: from now on this client receives every command the server executes.
fn monitor(srv: &mut Server, c: &mut Client) -> CommandResult {
    // Inside EXEC a client expects one reply per command: it cannot become a monitor.
    if c.deny_blocking() {
        return Err(CommandError::Err(
            "MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    if !c.monitor {
        c.monitor = true;
        srv.monitors.push(c.token);
    }
    c.reply.ok();
    Ok(())
}

fn slowlog_get(srv: &mut Server, c: &mut Client) -> CommandResult {
    let count = match c.argc() {
        2 => 10,
        3 => match parse_i64(&c.argv[2]) {
            Some(-1) => usize::MAX,
            Some(n) if n >= 0 => n as usize,
            _ => {
                return Err(CommandError::Err(
                    "count should be greater than or equal to -1",
                ))
            }
        },
        _ => return Err(CommandError::WrongArity("slowlog|get".into())),
    };
    let n = count.min(srv.slowlog.entries.len());
    c.reply.array_len(n);
    for e in srv.slowlog.entries.iter().take(n) {
        c.reply.array_len(6);
        c.reply.int(e.id as i64);
        c.reply.int(e.time);
        c.reply.int(e.duration_us as i64);
        c.reply.array_len(e.argv.len());
        for a in &e.argv {
            c.reply.bulk(a);
        }
        c.reply.bulk(e.client_addr.as_bytes());
        c.reply.bulk(&e.client_name);
    }
    Ok(())
}

fn slowlog_len(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(srv.slowlog.entries.len() as i64);
    Ok(())
}

fn slowlog_reset(srv: &mut Server, c: &mut Client) -> CommandResult {
    srv.slowlog.reset();
    c.reply.ok();
    Ok(())
}

fn slowlog_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

fn latency_latest(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(srv.latency.events.len());
    for (name, ev) in &srv.latency.events {
        let last = ev.samples.last().copied();
        c.reply.array_len(4);
        c.reply.bulk(name.as_bytes());
        c.reply.int(last.map_or(0, |s| s.time));
        c.reply.int(last.map_or(0, |s| s.latency_ms as i64));
        c.reply.int(ev.max_ms as i64);
    }
    Ok(())
}

fn latency_history(srv: &mut Server, c: &mut Client) -> CommandResult {
    let name = String::from_utf8_lossy(&c.argv[2]).into_owned();
    match srv.latency.events.get(&name) {
        None => c.reply.array_len(0),
        Some(ev) => {
            c.reply.array_len(ev.samples.len());
            for s in &ev.samples {
                c.reply.array_len(2);
                c.reply.int(s.time);
                c.reply.int(s.latency_ms as i64);
            }
        }
    }
    Ok(())
}

fn latency_reset(srv: &mut Server, c: &mut Client) -> CommandResult {
    let names: Vec<String> = c.argv[2..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let n = srv.latency.reset(&names);
    c.reply.int(n as i64);
    Ok(())
}

/// LATENCY HISTOGRAM [command ...]: for each named command (a container names itself
/// and its subcommands; `config|get` names one subcommand; unknown names are skipped)
/// or, without names, for every command, that has latency samples: a map of `calls`
/// and `histogram_usec` (cumulative counts by power-of-two bucket, in microseconds).
fn latency_histogram(srv: &mut Server, c: &mut Client) -> CommandResult {
    let table = &srv.commands;
    let mut ids: Vec<usize> = Vec::new();
    if c.argc() == 2 {
        for id in table.top_level() {
            ids.push(id);
            ids.extend(table.subcommands_of(id));
        }
    } else {
        for name in &c.argv[2..] {
            let found = match name.iter().position(|&b| b == b'|') {
                Some(bar) => table
                    .lookup(&name[..bar])
                    .and_then(|p| table.lookup_sub(p, &name[bar + 1..])),
                None => table.lookup(name),
            };
            if let Some(id) = found {
                ids.push(id);
                if table.parent[id].is_none() {
                    ids.extend(table.subcommands_of(id));
                }
            }
        }
    }
    ids.retain(|&id| srv.cmd_stats[id].latency.is_some());
    c.reply.map_len(ids.len());
    for id in ids {
        let Some(h) = srv.cmd_stats[id].latency.as_deref() else {
            continue;
        };
        c.reply.bulk(srv.commands.full_names[id].as_bytes());
        c.reply.map_len(2);
        c.reply.bulk(b"calls");
        c.reply.int(h.total() as i64);
        c.reply.bulk(b"histogram_usec");
        let cdf = h.cumulative_usec();
        c.reply.map_len(cdf.len());
        for (usec, count) in cdf {
            c.reply.int(usec as i64);
            c.reply.int(count as i64);
        }
    }
    Ok(())
}

/// LATENCY GRAPH <event>: the event's samples as an ASCII sparkline (verbatim text), or
/// `ERR No samples available for event '<event>'`.
fn latency_graph(srv: &mut Server, c: &mut Client) -> CommandResult {
    let name = String::from_utf8_lossy(&c.argv[2]).into_owned();
    match srv.latency.graph(&name, srv.now_ms / 1000) {
        Some(text) => {
            c.reply.verbatim(b"txt", text.as_bytes());
            Ok(())
        }
        None => Err(CommandError::Raw(format!(
            "ERR No samples available for event '{}'",
            name.replace(['\r', '\n'], " ")
        ))),
    }
}

/// LATENCY DOCTOR: a human-readable analysis of the recorded events (verbatim text).
fn latency_doctor(srv: &mut Server, c: &mut Client) -> CommandResult {
    let settings = DoctorSettings {
        latency_monitor_threshold_ms: srv.config.latency_monitor_threshold,
        slowlog_log_slower_than_us: srv.config.slowlog_log_slower_than,
        hz: srv.config.hz,
        appendfsync_always: srv.config.appendfsync == AppendFsync::Always,
    };
    let report = srv.latency.doctor(&settings, srv.now_ms / 1000);
    c.reply.verbatim(b"txt", report.as_bytes());
    Ok(())
}

fn latency_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

/// Formats one MONITOR line: `+<secs>.<usecs> [<db> <addr>] "arg" ...`.
pub fn monitor_line(now_us: i64, db: usize, addr: &str, argv: &[Vec<u8>]) -> Vec<u8> {
    let mut line = format!(
        "+{}.{:06} [{} {}]",
        now_us / 1_000_000,
        now_us % 1_000_000,
        db,
        addr
    )
    .into_bytes();
    for a in argv {
        line.push(b' ');
        crate::util::repr::append_repr(&mut line, a);
    }
    line.extend_from_slice(b"\r\n");
    line
}
