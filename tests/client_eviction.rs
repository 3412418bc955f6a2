//! Client eviction (`maxmemory-clients`) and the normal class of
//! `client-output-buffer-limit`, against the real binary: which clients go, in what
//! order, which are spared, what CLIENT LIST and INFO show, and the same scenarios
//! against redis-server 7.0 where it is installed.

mod common;

use std::io::Write;
use std::time::Duration;

use common::{start_redis_server, wait_until, RawConn, TestServer};

/// A server on `port` driven through a control connection that is never evicted.
struct Control {
    con: redis::Connection,
    port: u16,
}

impl Control {
    fn new(port: u16, con: redis::Connection) -> Control {
        let mut control = Control { con, port };
        control.cmd(&["CLIENT", "SETNAME", "control"]);
        control.cmd(&["CLIENT", "NO-EVICT", "on"]);
        control
    }

    fn cmd(&mut self, args: &[&str]) -> redis::Value {
        let mut c = redis::cmd(args[0]);
        for a in &args[1..] {
            c.arg(*a);
        }
        c.query(&mut self.con)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    /// CLIENT LIST field `field` of the client named `name`, if it is connected.
    fn client_field(&mut self, name: &str, field: &str) -> Option<u64> {
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query(&mut self.con)
            .unwrap();
        let line = list
            .lines()
            .find(|l| l.contains(&format!(" name={name} ")))?;
        let value = line
            .split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{field}=")))?;
        Some(value.parse().unwrap())
    }

    fn connected(&mut self, name: &str) -> bool {
        self.client_field(name, "id").is_some()
    }

    fn evicted_clients(&mut self) -> u64 {
        let info: String = redis::cmd("INFO")
            .arg("stats")
            .query(&mut self.con)
            .unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("evicted_clients:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// A named client that has sent `bytes` of a request's big argument and waits for
    /// the rest, once the server holds all of them.
    fn client_holding(&mut self, name: &str, bytes: usize) -> RawConn {
        let mut raw = RawConn::connect(self.port);
        raw.send_cmd(&["CLIENT", "SETNAME", name]);
        raw.expect(b"+OK\r\n");
        let mut partial = format!("*2\r\n${}\r\n", bytes + 10).into_bytes();
        partial.resize(partial.len() + bytes, b'v');
        raw.send(&partial);
        let held = wait_until(Duration::from_secs(10), || {
            self.client_field(name, "qbuf")
                .is_some_and(|q| q >= bytes as u64)
        });
        assert!(held, "{name} never held its {bytes} bytes");
        raw
    }
}

fn ferrodis() -> (TestServer, Control) {
    let srv = TestServer::start();
    let control = Control::new(srv.port, srv.conn());
    (srv, control)
}

#[test]
fn config_takes_bytes_or_a_percentage_of_maxmemory() {
    let (_srv, mut ctl) = ferrodis();
    let get = |ctl: &mut Control| -> Vec<String> {
        redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory-clients")
            .query(&mut ctl.con)
            .unwrap()
    };
    assert_eq!(get(&mut ctl), ["maxmemory-clients", "0"]);
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", "1mb"]);
    assert_eq!(get(&mut ctl), ["maxmemory-clients", "1048576"]);
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", "7%"]);
    assert_eq!(get(&mut ctl), ["maxmemory-clients", "7%"]);
    let err = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-clients")
        .arg("101%")
        .query::<()>(&mut ctl.con)
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("percentage argument must be less or equal to 100"));
}

/// Sends `bytes` bytes of a big argument that is never finished; write errors (the
/// server closed the connection) are ignored.
fn send_partial_argument(raw: &RawConn, bytes: usize) {
    let mut partial = format!("*2\r\n${}\r\n", bytes + 10).into_bytes();
    partial.resize(partial.len() + bytes, b'v');
    let _ = raw.stream().write_all(&partial);
}

/// The client scenarios, run against a server on `port` (ours or Redis's).
fn eviction_scenarios(port: u16, con: redis::Connection) {
    let mut ctl = Control::new(port, con);
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", "3000000"]);

    // A query buffer over the limit: that client goes, a small one stays.
    let _small = ctl.client_holding("small", 1000);
    let before = ctl.evicted_clients();
    let mut big = RawConn::connect(port);
    big.send_cmd(&["CLIENT", "SETNAME", "big"]);
    big.expect(b"+OK\r\n");
    send_partial_argument(&big, 3_500_000);
    assert!(wait_until(Duration::from_secs(10), || !ctl.connected("big")));
    big.expect_closed();
    assert!(ctl.connected("small"));
    assert_eq!(ctl.evicted_clients(), before + 1);

    // The arguments already read of a request still arriving count (argv-mem), and
    // can get their client evicted.
    let before = ctl.evicted_clients();
    let mut many = RawConn::connect(port);
    many.send_cmd(&["CLIENT", "SETNAME", "many"]);
    many.expect(b"+OK\r\n");
    let args = |n: usize| {
        let mut bytes = Vec::new();
        for _ in 0..n {
            bytes.extend_from_slice(b"$1000\r\n");
            bytes.resize(bytes.len() + 1000, b'a');
            bytes.extend_from_slice(b"\r\n");
        }
        bytes
    };
    let mut first = b"*5000\r\n".to_vec();
    first.extend(args(1000));
    many.stream().write_all(&first).unwrap();
    assert!(wait_until(Duration::from_secs(10), || {
        ctl.client_field("many", "argv-mem") == Some(1_000_000)
    }));
    assert!(ctl.client_field("many", "tot-mem").unwrap() > 1_000_000);
    let _ = many.stream().write_all(&args(2500));
    assert!(wait_until(Duration::from_secs(10), || !ctl.connected("many")));
    assert_eq!(ctl.evicted_clients(), before + 1);

    // A spared client stays even over the limit on its own.
    let mut spared = RawConn::connect(port);
    spared.send_cmd(&["CLIENT", "SETNAME", "spared"]);
    spared.expect(b"+OK\r\n");
    spared.send_cmd(&["CLIENT", "NO-EVICT", "on"]);
    spared.expect(b"+OK\r\n");
    send_partial_argument(&spared, 3_100_000);
    assert!(wait_until(Duration::from_secs(10), || {
        ctl.client_field("spared", "tot-mem")
            .is_some_and(|m| m > 3_000_000)
    }));
    std::thread::sleep(Duration::from_millis(300));
    assert!(ctl.connected("spared"), "a NO-EVICT client was evicted");
    // While the total stays over the limit, any client that stops being spared goes.
    let before = ctl.evicted_clients();
    let mut flipper = RawConn::connect(port);
    flipper.send_cmd(&["CLIENT", "NO-EVICT", "on"]);
    flipper.expect(b"+OK\r\n");
    flipper.send_cmd(&["CLIENT", "NO-EVICT", "off"]);
    // Its +OK may or may not get out before it is closed.
    let mut rest = Vec::new();
    let ended = std::io::Read::read_to_end(&mut flipper.stream(), &mut rest);
    if let Err(e) = ended {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset,
            "not closed: {e}"
        );
    }
    assert!(rest.is_empty() || rest == b"+OK\r\n", "{rest:?}");
    assert!(ctl.connected("spared"));
    assert_eq!(ctl.evicted_clients(), before + 1);
}

#[test]
fn the_largest_clients_go_first_and_only_until_under_the_limit() {
    let (_srv, mut ctl) = ferrodis();
    let sizes = [("c100k", 100_000), ("c400k", 400_000), ("c900k", 900_000)];
    let mut conns = Vec::new();
    for (name, bytes) in sizes {
        conns.push(ctl.client_holding(name, bytes));
    }
    let mem = |ctl: &mut Control, name: &str| ctl.client_field(name, "tot-mem").unwrap();
    // A big argument is given room for itself only, not a doubled buffer.
    let m900 = mem(&mut ctl, "c900k");
    assert!((900_000..1_000_000).contains(&m900), "tot-mem {m900}");
    let total = mem(&mut ctl, "c100k") + mem(&mut ctl, "c400k") + m900 + mem(&mut ctl, "control");
    // Room for all but the largest: only that one goes.
    let limit = total - m900 + 50_000;
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", &limit.to_string()]);
    assert!(!ctl.connected("c900k"));
    assert!(ctl.connected("c400k") && ctl.connected("c100k"));
    // Room for the smallest only.
    let limit = mem(&mut ctl, "c100k") + mem(&mut ctl, "control") + 50_000;
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", &limit.to_string()]);
    assert!(!ctl.connected("c400k"));
    assert!(ctl.connected("c100k"));
    assert_eq!(ctl.evicted_clients(), 2);
}

#[test]
fn output_and_queued_transactions_count_and_no_evict_spares() {
    let (srv, mut ctl) = ferrodis();
    ctl.cmd(&["CONFIG", "SET", "maxmemory-clients", "2000000"]);
    ctl.cmd(&["SET", "big", &"x".repeat(200_000)]);

    // Replies it does not read: it goes before its memory passes the limit.
    let mut reader = RawConn::connect(srv.port);
    reader.send_cmd(&["CLIENT", "SETNAME", "reader"]);
    reader.expect(b"+OK\r\n");
    let _ = reader
        .stream()
        .set_write_timeout(Some(Duration::from_millis(100)));
    let mut gets = Vec::new();
    for _ in 0..40 {
        gets.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
    }
    let mut seen_max = 0;
    let gone = wait_until(Duration::from_secs(20), || {
        if let Some(m) = ctl.client_field("reader", "tot-mem") {
            seen_max = seen_max.max(m);
            let _ = reader.stream().write_all(&gets);
            false
        } else {
            true
        }
    });
    assert!(gone, "the client that never reads was not evicted");
    assert!(seen_max < 2_000_000 + 200_100, "seen {seen_max}");

    // Queued MULTI commands show in multi-mem and count.
    let mut queuer = RawConn::connect(srv.port);
    queuer.send_cmd(&["CLIENT", "SETNAME", "queuer"]);
    queuer.expect(b"+OK\r\n");
    queuer.send_cmd(&["MULTI"]);
    queuer.expect(b"+OK\r\n");
    let value = "q".repeat(300_000);
    queuer.send_cmd(&["SET", "k", &value]);
    queuer.expect(b"+QUEUED\r\n");
    let _ = queuer
        .stream()
        .set_write_timeout(Some(Duration::from_millis(500)));
    let multi_mem = ctl.client_field("queuer", "multi-mem").unwrap();
    assert!(multi_mem >= 300_000, "multi-mem {multi_mem}");
    for _ in 0..10 {
        let _ = queuer
            .stream()
            .write_all(&common::encode_command(&["SET", "k", &value]));
    }
    assert!(wait_until(Duration::from_secs(10), || !ctl.connected("queuer")));

    // A spared client alone over the limit: nothing can be done but say so.
    let mut spared = RawConn::connect(srv.port);
    spared.send_cmd(&["CLIENT", "SETNAME", "spared"]);
    spared.expect(b"+OK\r\n");
    spared.send_cmd(&["CLIENT", "NO-EVICT", "on"]);
    spared.expect(b"+OK\r\n");
    send_partial_argument(&spared, 2_500_000);
    assert!(wait_until(Duration::from_secs(5), || srv
        .log_contents()
        .contains(
            "Over client maxmemory after evicting all evictable clients"
        )));
    assert!(ctl.connected("spared"));
}

#[test]
fn a_normal_client_over_its_output_limit_is_closed() {
    let srv = TestServer::start_with(&["--client-output-buffer-limit", "normal 1mb 0 0"]);
    let mut con = srv.conn();
    redis::cmd("SET")
        .arg("big")
        .arg("x".repeat(600_000))
        .query::<()>(&mut con)
        .unwrap();
    // One reply under the limit is fine.
    let v: Vec<u8> = redis::cmd("GET").arg("big").query(&mut con).unwrap();
    assert_eq!(v.len(), 600_000);
    // Two pipelined replies not read yet are over it.
    let mut raw = srv.raw();
    raw.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
    let log_says_so = wait_until(Duration::from_secs(5), || {
        srv.log_contents()
            .contains("scheduled to be closed ASAP for overcoming of output buffer limits")
    });
    assert!(log_says_so);
    // Whatever was written before the close, the connection ends.
    let closed = wait_until(Duration::from_secs(5), || {
        let mut buf = [0u8; 65536];
        matches!(
            std::io::Read::read(&mut raw.stream(), &mut buf),
            Ok(0) | Err(_)
        )
    });
    assert!(closed);
}

#[test]
fn the_scenarios_match_real_redis() {
    let srv = TestServer::start();
    eviction_scenarios(srv.port, srv.conn());
    if let Some(redis) = start_redis_server(&[]) {
        eviction_scenarios(redis.port, redis.conn());
    }
}

/// The `omem` of `name`'s line in CLIENT LIST, or None once that client is gone.
fn omem_of(con: &mut redis::Connection, name: &str) -> Option<u64> {
    let list: String = redis::cmd("CLIENT").arg("LIST").query(con).unwrap();
    let line = list
        .lines()
        .find(|l| l.contains(&format!(" name={name} ")))?;
    let field = line.split(' ').find_map(|f| f.strip_prefix("omem="))?;
    Some(field.parse().unwrap())
}

/// CLIENT LIST shows a slow subscriber's pending output as `omem`, the figure the
/// limit is checked against, and a soft limit runs out in the cron too: a subscriber
/// left over it when its channel falls silent is closed after the limit's seconds,
/// as Redis's clientsCron closes it (it used to stay until the next message).
#[test]
fn a_subscriber_over_its_soft_limit_is_closed_after_the_traffic_stops() {
    let srv = TestServer::start_with(&["--client-output-buffer-limit", "pubsub 0 256kb 1"]);
    let mut con = srv.conn();
    let mut sub = srv.raw();
    sub.send_cmd(&["CLIENT", "SETNAME", "slow"]);
    sub.expect(b"+OK\r\n");
    sub.send_cmd(&["SUBSCRIBE", "ch"]);
    sub.expect(b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    // Publish until the socket's buffers are full and the output waits in ours.
    let message = "x".repeat(256 * 1024);
    let over = wait_until(Duration::from_secs(20), || {
        let _: i64 = redis::cmd("PUBLISH")
            .arg("ch")
            .arg(&message)
            .query(&mut con)
            .unwrap();
        omem_of(&mut con, "slow").is_some_and(|m| m >= 256 * 1024)
    });
    assert!(over, "omem never showed the subscriber's pending output");
    // No more traffic: the cron closes it once the second has passed.
    let closed = wait_until(Duration::from_secs(10), || {
        omem_of(&mut con, "slow").is_none()
    });
    assert!(
        closed,
        "the subscriber over its soft limit is still connected"
    );
    assert!(srv
        .log_contents()
        .contains("scheduled to be closed ASAP for overcoming of output buffer limits"));
}
