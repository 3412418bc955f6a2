//! Keyspace notifications (`notify-keyspace-events`) against the real binary: which
//! events each command publishes, in which order, on which channels.
//!
//! Every scenario runs on ferrodis and, when it is installed, on a real redis-server,
//! and both must publish exactly the expected messages: the expectations are Redis
//! 7.0's, not ours. One module per command family. Besides the plain scenario
//! ([`Servers::check`]), the harness serves blocked clients ([`check_served`]) and
//! records a RESP3 client subscribed to its own keys ([`Servers::check_self_subscribed`]),
//! which shows where each event comes relative to the command's reply.

#[path = "../common/mod.rs"]
mod common;

mod core;
mod generic;
mod hashes;
mod keymiss;
mod lists;
mod sets;
mod strings;
mod zsets;

use std::thread;
use std::time::Duration;

use common::{ask, query, start_redis_server, wait_until, TestServer};

/// The channel the recording ends on: published after the scenario's commands, so
/// every event they caused has arrived before it (one connection delivers in order).
const END_CHANNEL: &str = "__keyevent@0__:~end-of-scenario~";

/// Runs `commands` on `server` and returns the messages published on the keyspace and
/// keyevent channels meanwhile, as (channel, message) pairs in arrival order.
///
/// The database is flushed and `setup` runs first with notifications off; then
/// `notify-keyspace-events` is set to `classes` while a second connection listens to
/// `__key*__:*`. Replies and errors of the commands are ignored: the events are what
/// is checked (a command that fails must publish nothing, which the events show).
pub fn record_events(
    server: &TestServer,
    classes: &str,
    setup: &[&[&str]],
    commands: &[&[&str]],
) -> Vec<(String, String)> {
    record_events_with(
        server,
        classes,
        |con| setup.iter().for_each(|args| run(con, args)),
        |con, ()| commands.iter().for_each(|args| run(con, args)),
    )
}

/// [`record_events`] for scenarios that plain arguments cannot describe: `prepare`
/// runs after the flush, with notifications off, and hands what it found to `act`,
/// whose events are recorded.
pub fn record_events_with<T>(
    server: &TestServer,
    classes: &str,
    prepare: impl FnOnce(&mut redis::Connection) -> T,
    act: impl FnOnce(&mut redis::Connection, T),
) -> Vec<(String, String)> {
    let mut con = server.conn();
    run(&mut con, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    run(&mut con, &["FLUSHALL"]);
    let prepared = prepare(&mut con);
    let mut listener = server.conn();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut pubsub = listener.as_pubsub();
    pubsub.psubscribe("__key*__:*").expect("PSUBSCRIBE");
    run(
        &mut con,
        &["CONFIG", "SET", "notify-keyspace-events", classes],
    );
    act(&mut con, prepared);
    run(&mut con, &["PUBLISH", END_CHANNEL, "end"]);
    let mut events = Vec::new();
    loop {
        let msg = pubsub
            .get_message()
            .unwrap_or_else(|e| panic!("no end of scenario; events so far {events:?}: {e}"));
        let channel = msg.get_channel_name().to_string();
        if channel == END_CHANNEL {
            break;
        }
        let payload: Vec<u8> = msg.get_payload().expect("payload");
        events.push((channel, String::from_utf8_lossy(&payload).into_owned()));
    }
    drop(pubsub);
    run(&mut con, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    events
}

/// Sends one command, ignoring its reply or error.
fn run(con: &mut redis::Connection, args: &[&str]) {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    let _: redis::RedisResult<redis::Value> = cmd.query(con);
}

/// A ferrodis server and, when installed, a real redis-server, to run scenarios on
/// both.
pub struct Servers {
    ferrodis: TestServer,
    redis: Option<TestServer>,
}

impl Servers {
    /// Both servers, with DEBUG enabled (scenarios may use DEBUG SLEEP and the like).
    pub fn start() -> Servers {
        let args = ["--enable-debug-command", "yes"];
        Servers {
            ferrodis: TestServer::start_with(&args),
            redis: start_redis_server(&args),
        }
    }

    /// Checks that `commands` publish exactly `expected` (see [`record_events`]) on
    /// ferrodis and, when installed, on redis-server.
    pub fn check(
        &self,
        classes: &str,
        setup: &[&[&str]],
        commands: &[&[&str]],
        expected: &[(String, String)],
    ) {
        let got = record_events(&self.ferrodis, classes, setup, commands);
        assert_eq!(
            got, expected,
            "ferrodis: events of {commands:?} (setup {setup:?}, classes {classes})"
        );
        if let Some(redis) = &self.redis {
            let mut got = record_events(redis, classes, setup, commands);
            if got != expected {
                // The reference is checked, not tested: a scenario that depends on a
                // key expiring (DEBUG SLEEP) gets a second run before we call the
                // expectation wrong. (Seen once in many runs under load.)
                eprintln!("redis-server: unexpected events {got:?}; running the scenario again");
                got = record_events(redis, classes, setup, commands);
            }
            assert_eq!(
                got, expected,
                "redis-server: events of {commands:?} (setup {setup:?}, classes {classes}): the expectation is wrong"
            );
        }
    }
}

/// The messages of events published with the `K` and `E` flags both on: for each
/// (database, event, key), the event on the key's keyspace channel, then the key on
/// the event's keyevent channel (Redis's order).
pub fn ke(events: &[(usize, &str, &str)]) -> Vec<(String, String)> {
    events
        .iter()
        .flat_map(|&(db, event, key)| {
            [
                (format!("__keyspace@{db}__:{key}"), event.to_string()),
                (format!("__keyevent@{db}__:{event}"), key.to_string()),
            ]
        })
        .collect()
}

/// [`ke`] for events of database 0.
pub fn ke0(events: &[(&str, &str)]) -> Vec<(String, String)> {
    let with_db: Vec<(usize, &str, &str)> = events.iter().map(|&(e, k)| (0, e, k)).collect();
    ke(&with_db)
}

/// A blocked client's reply as text (see [`flat`]), or its error.
pub type Reply = Result<String, String>;

/// Runs [`record_events`] on `server` while the commands `blocked` wait, each on its
/// own connection, blocked in that order on an empty dataset before `setup` runs (so
/// `setup` must not feed their keys). Returns the events and the blocked clients' replies (elements
/// joined by spaces, nested arrays in brackets; errors as `Err`).
pub fn record_served(
    server: &TestServer,
    classes: &str,
    blocked: &[&[&str]],
    setup: &[&[&str]],
    commands: &[&[&str]],
) -> (Vec<(String, String)>, Vec<Reply>) {
    let mut admin = server.conn();
    // Nothing left by the previous scenario may serve them at once.
    let _: () = query(&mut admin, &["FLUSHALL"]);
    let waiters: Vec<_> = blocked
        .iter()
        .enumerate()
        .map(|(i, args)| {
            let mut con = server.conn();
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let waiter = thread::spawn(move || {
                let mut cmd = redis::cmd(&args[0]);
                for a in &args[1..] {
                    cmd.arg(a);
                }
                cmd.query::<redis::Value>(&mut con)
                    .map(|v| flat(&v))
                    .map_err(|e| e.to_string())
            });
            // The next one blocks only once this one waits: the queue order is known.
            let waiting = wait_until(Duration::from_secs(10), || {
                let info: String = query(&mut admin, &["INFO", "clients"]);
                info.contains(&format!("blocked_clients:{}\r", i + 1))
            });
            assert!(waiting, "{blocked:?} did not block");
            waiter
        })
        .collect();
    let events = record_events(server, classes, setup, commands);
    let replies = waiters
        .into_iter()
        .map(|w| w.join().expect("blocked client thread"))
        .collect();
    (events, replies)
}

/// A reply as text: bulk strings as they are, arrays as their elements joined by
/// spaces, nested arrays in brackets.
pub fn flat(v: &redis::Value) -> String {
    match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        redis::Value::Array(items) => items
            .iter()
            .map(|i| match i {
                redis::Value::Array(_) => format!("[{}]", flat(i)),
                _ => flat(i),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => format!("{other:?}"),
    }
}

/// Checks a served blocking scenario (see [`record_served`]) on both servers: the
/// events and the replies the blocked clients got.
pub fn check_served(
    s: &Servers,
    classes: &str,
    blocked: &[&[&str]],
    setup: &[&[&str]],
    commands: &[&[&str]],
    expected: &[(String, String)],
    replies: &[Result<&str, &str>],
) {
    let servers = std::iter::once(("ferrodis", &s.ferrodis))
        .chain(s.redis.as_ref().map(|r| ("redis-server", r)));
    for (name, server) in servers {
        let (events, got) = record_served(server, classes, blocked, setup, commands);
        assert_eq!(
            events, expected,
            "{name}: events of {commands:?} serving {blocked:?}"
        );
        assert_eq!(got.len(), replies.len());
        for (got, want) in got.iter().zip(replies) {
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{name}: reply to {blocked:?}"),
                (Err(g), Err(w)) => assert!(g.contains(w), "{name}: {g} for {blocked:?}"),
                _ => panic!("{name}: {blocked:?} got {got:?}, expected {want:?}"),
            }
        }
    }
}

/// What a RESP3 client subscribed to the keyspace channels of database 0 receives
/// while it runs `commands` itself, with every class on: its replies (as their bytes
/// less the final CRLF) and the events pushed to it (as `event <name>`), in the order
/// the server wrote them. Shows where each command publishes relative to its reply.
pub fn self_subscribed_frames(
    server: &TestServer,
    setup: &[&[&str]],
    commands: &[&[&str]],
) -> Vec<String> {
    let mut con = server.raw();
    ask(&mut con, &["HELLO", "3"]);
    ask(&mut con, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    ask(&mut con, &["FLUSHALL"]);
    for args in setup {
        ask(&mut con, args);
    }
    ask(&mut con, &["PSUBSCRIBE", "__keyspace@0__:*"]);
    ask(&mut con, &["CONFIG", "SET", "notify-keyspace-events", "KA"]);
    for args in commands {
        con.send_cmd(args);
    }
    // A RESP3 subscriber may run any command; PING's reply ends the recording.
    con.send_cmd(&["PING"]);
    let mut frames = Vec::new();
    loop {
        let frame = con.read_reply();
        if frame == b"+PONG\r\n" {
            return frames;
        }
        let text = String::from_utf8_lossy(&frame).into_owned();
        let text = text.strip_suffix("\r\n").unwrap_or(&text);
        if text.starts_with('>') {
            // A pmessage push: the event name is its last line.
            let event = text.rsplit("\r\n").next().unwrap_or_default();
            frames.push(format!("event {event}"));
        } else {
            frames.push(text.escape_default().to_string());
        }
    }
}

impl Servers {
    /// Checks [`self_subscribed_frames`] against `expected` on both servers.
    pub fn check_self_subscribed(
        &self,
        setup: &[&[&str]],
        commands: &[&[&str]],
        expected: &[&str],
    ) {
        let got = self_subscribed_frames(&self.ferrodis, setup, commands);
        assert_eq!(got, expected, "ferrodis: frames of {commands:?}");
        if let Some(redis) = &self.redis {
            let got = self_subscribed_frames(redis, setup, commands);
            assert_eq!(
                got, expected,
                "redis-server: frames of {commands:?}: the expectation is wrong"
            );
        }
    }
}
