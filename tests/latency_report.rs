//! LATENCY GRAPH and LATENCY DOCTOR: the graph's exact bytes (computed from the samples
//! LATENCY HISTORY reports), its errors, the doctor's report, their reply types, and
//! the same checks against a real redis-server 7.0 when one is installed.

mod common;

use std::time::Duration;

use common::{ask, now_ms, show, start_redis_server, wait_until, RawConn, TestServer};

const MONITOR_ARGS: &[&str] = &[
    "--latency-monitor-threshold",
    "1",
    "--enable-debug-command",
    "yes",
];

fn now_s() -> i64 {
    now_ms() / 1000
}

/// A ferrodis and (when installed) a real redis-server, both with the latency monitor
/// on and the same samples made by `produce_samples`, with a connection to each.
fn servers_with_samples(
    sleeps_ms: &[u64],
) -> (TestServer, Option<TestServer>, RawConn, Option<RawConn>) {
    let srv = TestServer::start_with(MONITOR_ARGS);
    let mut c = srv.raw();
    let redis = start_redis_server(MONITOR_ARGS);
    let mut r = redis.as_ref().map(|r| r.raw());
    {
        let mut conns: Vec<&mut RawConn> = vec![&mut c];
        if let Some(r) = r.as_mut() {
            conns.push(r);
        }
        produce_samples(&mut conns, sleeps_ms);
    }
    (srv, redis, c, r)
}

/// Runs `DEBUG SLEEP` for each of `sleeps_ms` on every connection, one per wall-clock
/// second (so each becomes its own sample), waiting for the next second in between.
fn produce_samples(conns: &mut [&mut RawConn], sleeps_ms: &[u64]) {
    for (i, ms) in sleeps_ms.iter().enumerate() {
        let secs = format!("{:.3}", *ms as f64 / 1000.0);
        for c in conns.iter_mut() {
            assert_eq!(show(&ask(c, &["DEBUG", "SLEEP", &secs])), show(b"+OK\r\n"));
        }
        if i + 1 < sleeps_ms.len() {
            let second = now_s();
            assert!(wait_until(Duration::from_secs(3), || now_s() > second));
        }
    }
}

/// Parses a RESP2 LATENCY HISTORY reply into (time, latency) pairs.
fn history(conn: &mut RawConn, event: &str) -> Vec<(i64, u64)> {
    let reply = ask(conn, &["LATENCY", "HISTORY", event]);
    let text = String::from_utf8(reply).unwrap();
    let ints: Vec<i64> = text
        .split("\r\n")
        .filter_map(|l| l.strip_prefix(':'))
        .map(|n| n.parse().unwrap())
        .collect();
    ints.chunks(2).map(|p| (p[0], p[1] as u64)).collect()
}

/// The graph Redis draws for `samples` (oldest first) at `now` (at most 80 samples):
/// header, dashes, four rows of `_o#`/`|` cells, a blank line, the age labels.
fn expected_graph(event: &str, samples: &[(i64, u64)], all_time_high: u64, now: i64) -> String {
    let min = samples.iter().map(|s| s.1).min().unwrap();
    let max = samples.iter().map(|s| s.1).max().unwrap();
    let range = (max - min).max(1);
    let mut out =
        format!("{event} - high {max} ms, low {min} ms (all time high {all_time_high} ms)\n");
    out.push_str(&"-".repeat(80));
    out.push('\n');
    let levels: Vec<i64> = samples
        .iter()
        .map(|s| (((s.1 - min) * 12 / range) as i64).min(11))
        .collect();
    for row in (0..4).rev() {
        for l in &levels {
            out.push(match l - 3 * row {
                i if i < 0 => ' ',
                i if i < 3 => b"_o#"[i as usize] as char,
                _ => '|',
            });
        }
        out.push('\n');
    }
    out.push_str(&" ".repeat(samples.len()));
    out.push('\n');
    let labels: Vec<String> = samples
        .iter()
        .map(|s| {
            let age = now - s.0;
            match age {
                a if a < 60 => format!("{a}s"),
                a if a < 3600 => format!("{}m", a / 60),
                a => format!("{}h", a / 3600),
            }
        })
        .collect();
    let depth = labels.iter().map(|l| l.len()).max().unwrap();
    for d in 0..depth {
        for l in &labels {
            out.push(l.as_bytes().get(d).map_or(' ', |&b| b as char));
        }
        out.push('\n');
    }
    out
}

/// Asks LATENCY GRAPH `event` in RESP2 and asserts it is the bulk string of
/// [`expected_graph`] for the server's history, at some second the request spanned.
fn assert_graph(conn: &mut RawConn, event: &str, who: &str) -> String {
    let samples = history(conn, event);
    assert!(!samples.is_empty(), "{who}: no samples");
    let high = samples.iter().map(|s| s.1).max().unwrap();
    let before = now_s();
    let got = ask(conn, &["LATENCY", "GRAPH", event]);
    let after = now_s();
    let candidates: Vec<Vec<u8>> = (before..=after)
        .map(|now| {
            let g = expected_graph(event, &samples, high, now);
            format!("${}\r\n{g}\r\n", g.len()).into_bytes()
        })
        .collect();
    assert!(
        candidates.contains(&got),
        "{who}: LATENCY GRAPH\n{}\nexpected one of\n{}",
        show(&got),
        candidates
            .iter()
            .map(|c| show(c))
            .collect::<Vec<_>>()
            .join("\n")
    );
    String::from_utf8(got).unwrap()
}

#[test]
fn graph_of_unknown_event_and_arity_errors() {
    let srv = TestServer::start_with(MONITOR_ARGS);
    let mut c = srv.raw();
    let redis = start_redis_server(MONITOR_ARGS);
    let mut r = redis.as_ref().map(|r| r.raw());
    for args in [
        &["LATENCY", "GRAPH", "nosuch"][..],
        &["LATENCY", "GRAPH"],
        &["LATENCY", "GRAPH", "a", "b"],
        &["LATENCY", "DOCTOR", "x"],
    ] {
        let got = ask(&mut c, args);
        if let Some(r) = r.as_mut() {
            assert_eq!(show(&got), show(&ask(r, args)), "{args:?}");
        }
        let want = match (args[1], args.len()) {
            ("GRAPH", 3) => "-ERR No samples available for event 'nosuch'\r\n".to_string(),
            _ => format!(
                "-ERR wrong number of arguments for 'latency|{}' command\r\n",
                args[1].to_lowercase()
            ),
        };
        assert_eq!(show(&got), show(want.as_bytes()), "{args:?}");
    }
}

#[test]
fn graph_draws_the_samples_like_redis() {
    let (_srv, _redis, mut c, mut r) = servers_with_samples(&[20, 150, 60, 60]);
    let ours = assert_graph(&mut c, "command", "ferrodis");
    assert!(ours.contains("command - high 1"), "{ours}");
    if let Some(r) = r.as_mut() {
        assert_graph(r, "command", "redis-server");
    }
    // RESP3: a verbatim string of format txt, the same text.
    let mut conns: Vec<&mut RawConn> = vec![&mut c];
    if let Some(r) = r.as_mut() {
        conns.push(r);
    }
    for conn in conns {
        ask(conn, &["HELLO", "3"]);
        let got = ask(conn, &["LATENCY", "GRAPH", "command"]);
        let text = String::from_utf8(got).unwrap();
        let (head, body) = text.split_once("\r\n").unwrap();
        let len: usize = head.strip_prefix('=').unwrap().parse().unwrap();
        assert!(body.starts_with("txt:command - high "), "{text}");
        assert_eq!(body.len(), len + 2, "{text}");
    }
}

#[test]
fn graph_with_equal_samples_sits_on_the_bottom_row() {
    let srv = TestServer::start_with(MONITOR_ARGS);
    let mut c = srv.raw();
    produce_samples(&mut [&mut c], &[30]);
    let g = assert_graph(&mut c, "command", "ferrodis");
    let body: Vec<&str> = g.split('\n').collect();
    // "$len\r", the header, dashes, three empty rows, the bottom row with `_`.
    assert_eq!(&body[3..7], &[" ", " ", " ", "_"], "{g}");
}

/// The text of a LATENCY DOCTOR reply, checking its type: a bulk string in RESP2, a
/// verbatim `txt` string in RESP3.
fn doctor(conn: &mut RawConn, resp3: bool) -> String {
    let got = String::from_utf8(ask(conn, &["LATENCY", "DOCTOR"])).unwrap();
    let (head, body) = got.split_once("\r\n").unwrap();
    let body = body.strip_suffix("\r\n").unwrap();
    if resp3 {
        let len: usize = head.strip_prefix('=').unwrap().parse().unwrap();
        assert_eq!(len, body.len(), "{got}");
        body.strip_prefix("txt:").unwrap().to_string()
    } else {
        let len: usize = head.strip_prefix('$').unwrap().parse().unwrap();
        assert_eq!(len, body.len(), "{got}");
        body.to_string()
    }
}

#[test]
fn doctor_without_samples() {
    let off = TestServer::start();
    let text = doctor(&mut off.raw(), false);
    assert!(text.contains("disabled"), "{text}");
    assert!(text.contains("latency-monitor-threshold"), "{text}");

    let on = TestServer::start_with(MONITOR_ARGS);
    let mut c = on.raw();
    let text = doctor(&mut c, false);
    assert!(text.starts_with("No latency spike"), "{text}");
    ask(&mut c, &["HELLO", "3"]);
    assert_eq!(doctor(&mut c, true), text);
}

#[test]
fn doctor_reports_each_event_with_its_figures() {
    let (_srv, _redis, mut c, mut r) = servers_with_samples(&[40, 100]);
    let samples = history(&mut c, "command");
    let n = samples.len() as u64;
    let avg = samples.iter().map(|s| s.1).sum::<u64>() / n;
    let mad = samples.iter().map(|s| s.1.abs_diff(avg)).sum::<u64>() / n;
    let worst = samples.iter().map(|s| s.1).max().unwrap();
    let text = doctor(&mut c, false);
    let line =
        format!("1. command: {n} spikes, average {avg} ms, mean deviation {mad} ms, one every ");
    assert!(text.contains(&line), "{line}\n{text}");
    assert!(
        text.contains(&format!("; worst ever {worst} ms.\n")),
        "{text}"
    );
    // The default slow log threshold (10 ms) is above the monitor's: advice to lower it.
    assert!(text.contains("slowlog-log-slower-than 1000"), "{text}");
    assert!(text.contains("SLOWLOG GET"), "{text}");
    ask(&mut c, &["HELLO", "3"]);
    assert!(doctor(&mut c, true).contains(&line));
    // Redis answers the same reply types.
    if let Some(r) = r.as_mut() {
        assert!(doctor(r, false).contains("1. command: "));
        ask(r, &["HELLO", "3"]);
        assert!(doctor(r, true).contains("1. command: "));
    }
}
