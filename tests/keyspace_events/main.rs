//! Keyspace notifications (`notify-keyspace-events`) against the real binary: which
//! events each command publishes, in which order, on which channels.
//!
//! Every scenario runs on ferrodis and, when it is installed, on a real redis-server,
//! and both must publish exactly the expected messages: the expectations are Redis
//! 7.0's, not ours. One module per command family.

#[path = "../common/mod.rs"]
mod common;

mod core;
mod generic;
mod hashes;
mod lists;
mod sets;
mod strings;
mod zsets;

use std::time::Duration;

use common::{start_redis_server, TestServer};

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
    let mut con = server.conn();
    run(&mut con, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    run(&mut con, &["FLUSHALL"]);
    for args in setup {
        run(&mut con, args);
    }
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
    for args in commands {
        run(&mut con, args);
    }
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
            let got = record_events(redis, classes, setup, commands);
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
