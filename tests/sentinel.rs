//! Redis Sentinel (real `redis-server --sentinel`, when installed) watching a ferrodis
//! master and two ferrodis replicas, as the high-availability setups built on the
//! tutorial's master + replicas do: the sentinels find the replicas through INFO and
//! each other through pub/sub hello messages on the monitored servers, and when the
//! master dies they promote a replica (REPLICAOF NO ONE) and point the other one at
//! it, with the data intact.

mod common;

use std::time::Duration;

use common::repl::{info, info_i64, master, replica_of, wait_synced};
use common::{query, start_sentinel, wait_until, TestServer};

const DEADLINE: Duration = Duration::from_secs(60);

/// A field of SENTINEL MASTER's flat name/value reply.
fn master_field(sentinel: &TestServer, field: &str) -> String {
    let mut con = sentinel.conn();
    let flat: Vec<String> = query(&mut con, &["SENTINEL", "MASTER", "mymaster"]);
    flat.chunks(2)
        .find(|kv| kv[0] == field)
        .map(|kv| kv[1].clone())
        .unwrap_or_default()
}

#[test]
fn sentinels_fail_over_a_ferrodis_master_to_a_ferrodis_replica() {
    let mut m = master(&[]);
    let r1 = replica_of(m.port, &["--replica-priority", "10"]);
    let r2 = replica_of(m.port, &["--replica-priority", "20"]);
    wait_synced(&m, &[&r1, &r2]);
    let conf = format!(
        "sentinel monitor mymaster 127.0.0.1 {} 2\n\
         sentinel down-after-milliseconds mymaster 1000\n\
         sentinel failover-timeout mymaster 20000\n",
        m.port
    );
    let Some(s1) = start_sentinel(&conf) else {
        return;
    };
    let Some(s2) = start_sentinel(&conf) else {
        return;
    };
    // The replicas come from INFO replication, the other sentinel from the hello
    // messages both publish on the monitored servers' __sentinel__:hello channel.
    let discovered = wait_until(DEADLINE, || {
        [&s1, &s2].iter().all(|s| {
            master_field(s, "num-slaves") == "2" && master_field(s, "num-other-sentinels") == "1"
        })
    });
    assert!(
        discovered,
        "sentinels did not discover the replicas and each other: {} / {}",
        master_field(&s1, "num-slaves"),
        master_field(&s1, "num-other-sentinels")
    );
    let mut con = m.conn();
    let _: () = query(&mut con, &["SET", "before", "failover"]);
    wait_synced(&m, &[&r1, &r2]);

    m.kill();
    // The replica with the better (lower) priority is promoted.
    let promoted = wait_until(DEADLINE, || {
        let mut con = s1.conn();
        let addr: Vec<String> = query(
            &mut con,
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        );
        addr.get(1) == Some(&r1.port.to_string())
    });
    assert!(promoted, "no failover to the first replica");
    assert_eq!(info(&r1, "replication", "role"), "master");
    let mut con = r1.conn();
    let value: String = query(&mut con, &["GET", "before"]);
    assert_eq!(value, "failover");
    // The other replica is reconfigured to follow the new master, and does.
    let follows = wait_until(DEADLINE, || {
        info_i64(&r2, "replication", "master_port") == r1.port as i64
            && info(&r2, "replication", "master_link_status") == "up"
    });
    assert!(follows, "the second replica does not follow the new master");
    let _: () = query(&mut con, &["SET", "after", "yes"]);
    wait_synced(&r1, &[&r2]);
    let mut con2 = r2.conn();
    let after: String = query(&mut con2, &["GET", "after"]);
    assert_eq!(after, "yes");
}
