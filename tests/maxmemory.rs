//! maxmemory and maxmemory-policy: keys are evicted by policy to stay under the limit,
//! or commands that may grow memory are refused with Redis's -OOM error.

mod common;

use common::{ask, check, query, start_redis_server, TestServer};

/// Field `name` of `INFO section`, as a number.
fn info_u64(con: &mut redis::Connection, section: &str, name: &str) -> u64 {
    let text: String = query(con, &["INFO", section]);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("INFO {section} has no {name}"))
        .trim()
        .parse()
        .unwrap()
}

/// Writes keys `{prefix}{i}` for i in `range`, 100-byte values, `ttl` seconds if any,
/// in pipelined batches.
fn fill(
    con: &mut redis::Connection,
    prefix: &str,
    range: std::ops::Range<usize>,
    ttl: Option<u64>,
) {
    let value = "v".repeat(100);
    let keys: Vec<usize> = range.collect();
    for batch in keys.chunks(500) {
        let mut pipe = redis::pipe();
        for i in batch {
            let key = format!("{prefix}{i}");
            match ttl {
                Some(secs) => pipe.cmd("SET").arg(&key).arg(&value).arg("EX").arg(secs),
                None => pipe.cmd("SET").arg(&key).arg(&value),
            };
        }
        let _: Vec<redis::Value> = pipe.query(con).unwrap();
    }
}

/// Counts the keys `{prefix}{i}` for i in `range` that exist.
fn surviving(con: &mut redis::Connection, prefix: &str, range: std::ops::Range<usize>) -> usize {
    let keys: Vec<String> = range.map(|i| format!("{prefix}{i}")).collect();
    let mut n = 0;
    for batch in keys.chunks(500) {
        let found: usize = redis::cmd("EXISTS").arg(batch).query(con).unwrap();
        n += found;
    }
    n
}

/// ferrodis started with `args`, then a real redis-server with the same ones when one
/// is installed, each with its name for failure messages.
fn ferrodis_and_redis(args: &[&str]) -> Vec<(TestServer, &'static str)> {
    let mut servers = vec![(TestServer::start_with(args), "ferrodis")];
    servers.extend(start_redis_server(args).map(|r| (r, "redis-server")));
    servers
}

/// CONFIG SET of each `(name, value)` pair.
fn config_set(con: &mut redis::Connection, pairs: &[(&str, &str)]) {
    for (name, value) in pairs {
        let _: () = query(con, &["CONFIG", "SET", name, value]);
    }
}

/// Sets maxmemory to the memory in use now plus `headroom` bytes.
fn limit_to_current_plus(con: &mut redis::Connection, headroom: u64) -> u64 {
    let limit = info_u64(con, "memory", "used_memory") + headroom;
    let _: () = query(con, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    limit
}

#[test]
fn noeviction_refuses_writes_that_may_grow_memory_but_not_reads_or_deletes() {
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "k", 0..2000, None);
    limit_to_current_plus(&mut con, 1 << 20);
    const UNDER_USAGE: &str = "is smaller than the current memory usage";
    assert!(!server.log_contents().contains(UNDER_USAGE));
    // Keep writing until the limit is reached: then SET is refused, as Redis words it.
    let big = "x".repeat(10_000);
    let mut refused = None;
    for i in 0..1000 {
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("big{i}"))
            .arg(&big)
            .query(&mut con);
        if let Err(e) = r {
            refused = Some(e.to_string());
            break;
        }
    }
    let refused = refused.expect("writes past maxmemory were refused");
    assert!(
        refused.contains("command not allowed when used memory > 'maxmemory'"),
        "{refused}"
    );
    // Far over the limit from here on (the estimate of memory in use may move by some
    // kilobytes as the totals are sampled again).
    let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory", "1"]);
    // As Redis, a limit set under the memory in use is worth a warning in the log.
    assert!(server.log_contents().contains(&format!(
        "WARNING: the new maxmemory value set via CONFIG SET (1) {UNDER_USAGE}"
    )));
    let mut raw = server.raw();
    check(
        &mut raw,
        &["SET", "one", "more"],
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    );
    check(
        &mut raw,
        &["GET", "k1"],
        format!("$100\r\n{}\r\n", "v".repeat(100)).as_bytes(),
    );
    // Queuing in MULTI is refused too, and EXEC then aborts; DISCARD always works.
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(
        &mut raw,
        &["SET", "x", "1"],
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    );
    check(
        &mut raw,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    check(&mut raw, &["MULTI"], b"+OK\r\n");
    check(
        &mut raw,
        &["GET", "k1"],
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    );
    check(&mut raw, &["DISCARD"], b"+OK\r\n");
    // DEL frees memory and is never refused; nothing was evicted.
    check(&mut raw, &["DEL", "k1"], b":1\r\n");
    assert_eq!(info_u64(&mut con, "stats", "evicted_keys"), 0);
    let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory", "0"]);
    check(&mut raw, &["SET", "one", "more"], b"+OK\r\n");
}

#[test]
fn allkeys_policies_keep_memory_under_the_limit() {
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
        let server = TestServer::start();
        let mut con = server.conn();
        let limit = limit_to_current_plus(&mut con, 2 << 20);
        let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory-policy", policy]);
        fill(&mut con, "k", 0..60_000, None);
        let used = info_u64(&mut con, "memory", "used_memory");
        assert!(
            used <= limit + (limit / 20),
            "{policy}: used {used} > limit {limit}"
        );
        let evicted = info_u64(&mut con, "stats", "evicted_keys");
        let left: u64 = query(&mut con, &["DBSIZE"]);
        assert!(evicted > 10_000, "{policy}: evicted {evicted}");
        assert_eq!(
            left + evicted,
            60_000,
            "{policy}: every key is there or was evicted"
        );
    }
}

#[test]
fn volatile_policies_evict_only_keys_with_a_ttl_then_refuse() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let server = TestServer::start();
        let mut con = server.conn();
        fill(&mut con, "keep", 0..3000, None);
        limit_to_current_plus(&mut con, 1 << 20);
        let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory-policy", policy]);
        fill(&mut con, "vol", 0..20_000, Some(100_000));
        assert!(info_u64(&mut con, "stats", "evicted_keys") > 0, "{policy}");
        assert_eq!(surviving(&mut con, "keep", 0..3000), 3000, "{policy}");
        // Once no key with a TTL is left, writes are refused.
        let mut refused = false;
        for i in 0..20_000 {
            let r: redis::RedisResult<()> = redis::cmd("SET")
                .arg(format!("more{i}"))
                .arg("v".repeat(100))
                .query(&mut con);
            if r.is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused, "{policy}: writes go on with nothing left to evict");
        assert_eq!(surviving(&mut con, "keep", 0..3000), 3000, "{policy}");
    }
}

/// FLUSHALL hands the old dict to the lazy-free thread; memory the main thread's own
/// counters never saw freed must not keep counting against the limit. Found by Redis's
/// unit/maxmemory: a SETEX right after FLUSHALL was refused with -OOM, the dataset empty.
#[test]
fn memory_freed_by_flushall_counts_at_once() {
    for policy in ["volatile-ttl", "allkeys-lru"] {
        let server = TestServer::start();
        let mut con = server.conn();
        limit_to_current_plus(&mut con, 1 << 20);
        let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory-policy", policy]);
        for round in 0..5 {
            // Up to the limit, evicting, and in the same batch the flush and one more
            // write: the memory estimate was just taken, with the full dataset in it.
            let value = "v".repeat(100);
            let mut pipe = redis::pipe();
            for i in 0..20_000 {
                pipe.cmd("SET")
                    .arg(format!("k{i}"))
                    .arg(&value)
                    .arg("EX")
                    .arg(1000);
            }
            pipe.cmd("FLUSHALL");
            pipe.cmd("SET")
                .arg("after")
                .arg("flush")
                .arg("EX")
                .arg(1000);
            let replies: Vec<redis::RedisResult<redis::Value>> = pipe
                .query::<Vec<redis::Value>>(&mut con)
                .map(|v| v.into_iter().map(Ok).collect())
                .unwrap_or_else(|e| vec![Err(e)]);
            assert!(
                replies.iter().all(|r| r.is_ok()),
                "{policy} round {round}: {:?}",
                replies.iter().find(|r| r.is_err())
            );
            assert!(info_u64(&mut con, "stats", "evicted_keys") > 0, "{policy}");
            let left: u64 = query(&mut con, &["DBSIZE"]);
            assert_eq!(left, 1, "{policy} round {round}");
        }
    }
}

/// INFO's used_memory and the figure eviction works from agree to within a command's
/// worth: Redis's unit/maxmemory fills to 4 KB under the limit, writes as many keys
/// again and expects used_memory under limit + 4 KB. It was up to 13 KB over, from the
/// freed blocks jemalloc's thread caches hold, which INFO counted and eviction did not,
/// and 50 KB over on a new server, from what the bio threads allocated after the last
/// sample.
#[test]
fn used_memory_stays_within_4k_of_the_limit_while_evicting() {
    let server = TestServer::start();
    let mut con = server.conn();
    for round in 0..2 {
        for policy in [
            "volatile-lru",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
        ] {
            let _: () = query(&mut con, &["FLUSHALL"]);
            let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory", "0"]);
            let limit = limit_to_current_plus(&mut con, 100 * 1024);
            let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory-policy", policy]);
            let mut n = 0;
            loop {
                let key = format!("key:{n}");
                if n % 2 == 1 {
                    let _: () = query(&mut con, &["SETEX", &key, "10000", "x"]);
                } else {
                    let _: () = query(&mut con, &["SET", &key, "x"]);
                }
                n += 1;
                if info_u64(&mut con, "memory", "used_memory") + 4096 > limit {
                    break;
                }
            }
            assert!(n > 10, "{policy}: only {n} keys fit in 100 KB");
            for j in 0..n {
                let _: redis::RedisResult<()> = redis::cmd("SETEX")
                    .arg(format!("foo:{j}"))
                    .arg(10000)
                    .arg("x")
                    .query(&mut con);
            }
            let used = info_u64(&mut con, "memory", "used_memory");
            assert!(
                used < limit + 4096,
                "{policy} round {round}: used_memory {used} is {} over the limit after {n} \
                 keys and as many writes; {}",
                used as i64 - limit as i64,
                query::<String>(&mut con, &["INFO", "memory"])
            );
        }
    }
}

/// The setup of Redis's "client tracking don't cause eviction feedback loop": 300 keys
/// with 1000-byte names, each read by ten RESP3 clients with tracking on, so each
/// eviction queues an invalidation message of ~1 KB to each of them. Returns the
/// trackers and `used_memory` then.
fn tracked_long_keys(
    server: &TestServer,
    con: &mut redis::Connection,
) -> (Vec<common::RawConn>, u64) {
    config_set(
        con,
        &[
            ("latency-tracking", "no"),
            ("maxmemory-policy", "allkeys-lru"),
            ("maxmemory-eviction-tenacity", "100"),
        ],
    );
    let mut trackers: Vec<_> = (0..10).map(|_| server.raw()).collect();
    for t in &mut trackers {
        ask(t, &["HELLO", "3"]);
        check(t, &["CLIENT", "TRACKING", "on"], b"+OK\r\n");
    }
    for j in 0..300 {
        let key = format!("{j}{}", "x".repeat(1000));
        let _: () = query(con, &["SET", &key, "x"]);
        for t in &mut trackers {
            check(t, &["GET", &key], b"$1\r\nx\r\n");
        }
    }
    let used = info_u64(con, "memory", "used_memory");
    (trackers, used)
}

/// Checks that `evicted` keys (10 to 50) were evicted, 200 to 300 are left, and every
/// tracker was told about each evicted key.
fn assert_no_feedback(
    con: &mut redis::Connection,
    trackers: &mut [common::RawConn],
    evicted: u64,
    who: &str,
) {
    let left: u64 = query(con, &["DBSIZE"]);
    assert!((200..=300).contains(&left), "{who}: {left} keys left");
    assert!(
        (10..=50).contains(&evicted),
        "{who}: {evicted} keys evicted"
    );
    for t in trackers {
        for _ in 0..evicted {
            let push = t.read_reply();
            assert!(push.starts_with(b">2\r\n$10\r\ninvalidate\r\n"), "{who}");
        }
    }
}

/// Redis's unit/maxmemory "client tracking don't cause eviction feedback loop": each
/// eviction sends an invalidation message to every client that read the key. Those
/// messages must not count as memory the eviction has to free, nor the room their
/// buffers keep once sent: ferrodis evicted every key where Redis evicts ~37. Runs on
/// both servers.
#[test]
fn tracking_invalidations_do_not_feed_eviction() {
    for (server, who) in ferrodis_and_redis(&[]) {
        let mut con = server.conn();
        let (mut trackers, used) = tracked_long_keys(&server, &mut con);
        let limit = (used - 40_000).to_string();
        let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory", &limit]);
        let evicted = info_u64(&mut con, "stats", "evicted_keys");
        assert_no_feedback(&mut con, &mut trackers, evicted, who);
    }
}

/// The same with the limit and a pause sent as one pipeline: the pause's own eviction
/// pass queues the invalidation messages (~400 KB for the ten trackers), and the cron,
/// due when the pause ends and run before the round's output is written, used to
/// evict for them too: all keys but one went. Eviction is no longer the cron's job.
/// On ferrodis only: Redis's cron does not evict either, and a command right behind
/// in a pipeline would see the messages queued, in Redis as here.
#[test]
fn the_cron_does_not_evict_for_invalidations_queued_before_it() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut con = server.conn();
    let (mut trackers, used) = tracked_long_keys(&server, &mut con);
    let limit = (used - 40_000).to_string();
    let _: ((), ()) = redis::pipe()
        .cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg(&limit)
        .cmd("DEBUG")
        .arg("SLEEP")
        .arg("0.2")
        .query(&mut con)
        .unwrap();
    let evicted = info_u64(&mut con, "stats", "evicted_keys");
    assert_no_feedback(&mut con, &mut trackers, evicted, "ferrodis");
}

/// Redis's unit/maxmemory "Don't rehash if used memory exceeds maxmemory after rehash":
/// a full keyspace table (4096 keys in 4096 buckets) does not grow to 8192 buckets when
/// those would go past the limit; no key is evicted to pay for them. On both servers.
#[test]
fn a_full_keyspace_table_waits_rather_than_grow_past_the_limit() {
    for (server, who) in ferrodis_and_redis(&["--enable-debug-command", "yes"]) {
        let mut con = server.conn();
        config_set(
            &mut con,
            &[
                ("latency-tracking", "no"),
                ("maxmemory", "0"),
                ("maxmemory-policy", "allkeys-random"),
            ],
        );
        let mut pipe = redis::pipe();
        for j in 0..4096 {
            pipe.cmd("SET").arg(j.to_string()).arg("A").ignore();
        }
        let _: () = pipe.query(&mut con).unwrap();
        limit_to_current_plus(&mut con, 10 * 1024);
        let _: () = query(&mut con, &["SET", "k1", "v1"]);
        let _: () = query(&mut con, &["SET", "k2", "v2"]);
        let keys: u64 = query(&mut con, &["DBSIZE"]);
        assert_eq!(keys, 4098, "{who}");
        assert_eq!(info_u64(&mut con, "stats", "evicted_keys"), 0, "{who}");
        // The table did not start growing (the rehash, once started, allocates the new
        // buckets step by step, and the cron's steps would evict keys later).
        let stats: String = query(&mut con, &["DEBUG", "HTSTATS", "0"]);
        assert!(stats.contains("table size: 4096"), "{who}: {stats}");
        assert!(!stats.contains("table size: 8192"), "{who}: {stats}");
    }
}

#[test]
fn volatile_ttl_evicts_the_keys_that_expire_soonest_first() {
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "soon", 0..10_000, Some(1_000));
    fill(&mut con, "late", 0..10_000, Some(1_000_000));
    let limit = info_u64(&mut con, "memory", "used_memory") - (1 << 20);
    let _: () = query(
        &mut con,
        &["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
    );
    let _: () = query(
        &mut con,
        &["CONFIG", "SET", "maxmemory", &limit.to_string()],
    );
    // A write makes the server evict down to the limit.
    let _: () = query(&mut con, &["SET", "trigger", "1"]);
    let soon = surviving(&mut con, "soon", 0..10_000);
    let late = surviving(&mut con, "late", 0..10_000);
    assert!(soon < 10_000, "nothing was evicted");
    // Sampling is approximate: most evictions hit the keys that expire sooner.
    assert!(
        10_000 - late < (10_000 - soon) / 4,
        "soon left {soon}, late left {late}"
    );
}

#[test]
fn lfu_counts_accesses_and_evictions_are_propagated() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut con = server.conn();
    let _: () = query(
        &mut con,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
    );
    let _: () = query(&mut con, &["SET", "hot", "1"]);
    let fresh: u64 = query(&mut con, &["OBJECT", "FREQ", "hot"]);
    for _ in 0..200 {
        let _: String = query(&mut con, &["GET", "hot"]);
    }
    let counted: u64 = query(&mut con, &["OBJECT", "FREQ", "hot"]);
    assert!(
        counted > fresh,
        "OBJECT FREQ {fresh} -> {counted} after 200 reads"
    );

    fill(&mut con, "k", 0..2000, None);
    limit_to_current_plus(&mut con, 256 << 10);
    fill(&mut con, "more", 0..5000, None);
    let evicted = info_u64(&mut con, "stats", "evicted_keys");
    assert!(evicted > 0);
    // The frequently read key is kept over the ones written once.
    let hot: u64 = query(&mut con, &["EXISTS", "hot"]);
    assert_eq!(hot, 1);
    // Each eviction reached the AOF as a DEL.
    let dir = server.dir.path().join("appendonlydir");
    let aof: Vec<u8> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incr.aof"))
        .flat_map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let dels = aof.windows(9).filter(|w| w == b"$3\r\nDEL\r\n").count() as u64;
    assert_eq!(dels, evicted);
}

#[test]
fn a_replica_evicts_only_with_replica_ignore_maxmemory_no() {
    use common::repl::{master, replica_of, wait_synced};
    let m = master(&[]);
    let r = replica_of(m.port, &[]);
    let mut mcon = m.conn();
    fill(&mut mcon, "k", 0..5000, None);
    wait_synced(&m, &[&r]);
    let mut rcon = r.conn();
    let _: () = query(
        &mut rcon,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-random"],
    );
    let _: () = query(&mut rcon, &["CONFIG", "SET", "maxmemory", "1"]);
    // By default the replica leaves its dataset to its master.
    let _: String = query(&mut rcon, &["PING"]);
    let size: u64 = query(&mut rcon, &["DBSIZE"]);
    assert_eq!(size, 5000);
    assert_eq!(info_u64(&mut rcon, "stats", "evicted_keys"), 0);
    let _: () = query(
        &mut rcon,
        &["CONFIG", "SET", "replica-ignore-maxmemory", "no"],
    );
    let _: String = query(&mut rcon, &["PING"]);
    assert!(common::wait_until(
        std::time::Duration::from_secs(10),
        || info_u64(&mut rcon, "stats", "evicted_keys") > 0
    ));
    // The master still has everything.
    let size: u64 = query(&mut mcon, &["DBSIZE"]);
    assert_eq!(size, 5000);
}

#[test]
fn nothing_is_evicted_during_a_pause() {
    // As Redis: CLIENT PAUSE keeps the dataset still, evictions included.
    let server = TestServer::start();
    let mut con = server.conn();
    fill(&mut con, "k", 0..2000, None);
    let _: () = query(
        &mut con,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-random"],
    );
    let _: () = query(&mut con, &["CLIENT", "PAUSE", "100000", "WRITE"]);
    let _: () = query(&mut con, &["CONFIG", "SET", "maxmemory", "1"]);
    for _ in 0..5 {
        let _: String = query(&mut con, &["GET", "k1"]);
    }
    assert_eq!(info_u64(&mut con, "stats", "evicted_keys"), 0);
    let _: () = query(&mut con, &["CLIENT", "UNPAUSE"]);
    let _: u64 = query(&mut con, &["DBSIZE"]);
    assert!(info_u64(&mut con, "stats", "evicted_keys") > 0);
}
