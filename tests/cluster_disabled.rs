//! CLUSTER, READONLY, READWRITE and ASKING on a standalone server: every command and
//! subcommand answers the "cluster support disabled" error after the usual arity and
//! subcommand checks, and COMMAND INFO / DOCS / LIST / COUNT describe them as
//! redis-server 7.0.15 started without `cluster-enabled yes` does (bytes captured from
//! it). The same checks also run on a real redis-server when one is installed.

mod common;

use common::{ask, check, start_redis_server, RawConn, TestServer};

const DISABLED: &[u8] = b"-ERR This instance has cluster support disabled\r\n";

/// The header of COMMAND INFO cluster, up to the length of its subcommand array (Redis
/// lists the subcommands in its hash table's order, which changes from run to run).
const CONTAINER_INFO_HEAD: &[u8] =
    b"*1\r\n*10\r\n$7\r\ncluster\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*27\r\n";

/// COMMAND INFO <name> of every cluster command, as redis-server 7.0.15 answers it.
const INFO_REPLIES: &[(&str, &[u8])] = &[
    (
        "cluster|addslots",
        b"*1\r\n*10\r\n$16\r\ncluster|addslots\r\n:-3\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|addslotsrange",
        b"*1\r\n*10\r\n$21\r\ncluster|addslotsrange\r\n:-4\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|bumpepoch",
        b"*1\r\n*10\r\n$17\r\ncluster|bumpepoch\r\n:2\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|count-failure-reports",
        b"*1\r\n*10\r\n$29\r\ncluster|count-failure-reports\r\n:3\r\n*2\r\n+admin\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|countkeysinslot",
        b"*1\r\n*10\r\n$23\r\ncluster|countkeysinslot\r\n:3\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|delslots",
        b"*1\r\n*10\r\n$16\r\ncluster|delslots\r\n:-3\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|delslotsrange",
        b"*1\r\n*10\r\n$21\r\ncluster|delslotsrange\r\n:-4\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|failover",
        b"*1\r\n*10\r\n$16\r\ncluster|failover\r\n:-2\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|flushslots",
        b"*1\r\n*10\r\n$18\r\ncluster|flushslots\r\n:2\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|forget",
        b"*1\r\n*10\r\n$14\r\ncluster|forget\r\n:3\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|getkeysinslot",
        b"*1\r\n*10\r\n$21\r\ncluster|getkeysinslot\r\n:4\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|help",
        b"*1\r\n*10\r\n$12\r\ncluster|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|info",
        b"*1\r\n*10\r\n$12\r\ncluster|info\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|keyslot",
        b"*1\r\n*10\r\n$15\r\ncluster|keyslot\r\n:3\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|links",
        b"*1\r\n*10\r\n$13\r\ncluster|links\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|meet",
        b"*1\r\n*10\r\n$12\r\ncluster|meet\r\n:-4\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|myid",
        b"*1\r\n*10\r\n$12\r\ncluster|myid\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|nodes",
        b"*1\r\n*10\r\n$13\r\ncluster|nodes\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|replicas",
        b"*1\r\n*10\r\n$16\r\ncluster|replicas\r\n:3\r\n*2\r\n+admin\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|replicate",
        b"*1\r\n*10\r\n$17\r\ncluster|replicate\r\n:3\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|reset",
        b"*1\r\n*10\r\n$13\r\ncluster|reset\r\n:-2\r\n*3\r\n+admin\r\n+noscript\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|saveconfig",
        b"*1\r\n*10\r\n$18\r\ncluster|saveconfig\r\n:2\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|set-config-epoch",
        b"*1\r\n*10\r\n$24\r\ncluster|set-config-epoch\r\n:3\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|setslot",
        b"*1\r\n*10\r\n$15\r\ncluster|setslot\r\n:-4\r\n*3\r\n+admin\r\n+stale\r\n+no_async_loading\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|shards",
        b"*1\r\n*10\r\n$14\r\ncluster|shards\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|slaves",
        b"*1\r\n*10\r\n$14\r\ncluster|slaves\r\n:3\r\n*2\r\n+admin\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "cluster|slots",
        b"*1\r\n*10\r\n$13\r\ncluster|slots\r\n:2\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n",
    ),
    (
        "readonly",
        b"*1\r\n*10\r\n$8\r\nreadonly\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "readwrite",
        b"*1\r\n*10\r\n$9\r\nreadwrite\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n",
    ),
    (
        "asking",
        b"*1\r\n*10\r\n$6\r\nasking\r\n:1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n",
    ),
];

/// Subcommand name and arity (negative: at least), as Redis declares them.
const SUBCOMMANDS: &[(&str, i32)] = &[
    ("addslots", -3),
    ("addslotsrange", -4),
    ("bumpepoch", 2),
    ("count-failure-reports", 3),
    ("countkeysinslot", 3),
    ("delslots", -3),
    ("delslotsrange", -4),
    ("failover", -2),
    ("flushslots", 2),
    ("forget", 3),
    ("getkeysinslot", 4),
    ("help", 2),
    ("info", 2),
    ("keyslot", 3),
    ("links", 2),
    ("meet", -4),
    ("myid", 2),
    ("nodes", 2),
    ("replicas", 3),
    ("replicate", 3),
    ("reset", -2),
    ("saveconfig", 2),
    ("set-config-epoch", 3),
    ("setslot", -4),
    ("shards", 2),
    ("slaves", 3),
    ("slots", 2),
];

/// COMMAND DOCS <name> of the cluster commands that take no arguments and have no
/// history or doc flags, as redis-server 7.0.15 answers it.
const DOCS_REPLIES: &[(&str, &[u8])] = &[
    (
        "cluster|bumpepoch",
        b"*2\r\n$17\r\ncluster|bumpepoch\r\n*8\r\n$7\r\nsummary\r\n$32\r\nAdvance the cluster config epoch\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|flushslots",
        b"*2\r\n$18\r\ncluster|flushslots\r\n*8\r\n$7\r\nsummary\r\n$37\r\nDelete a node's own slots information\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|help",
        b"*2\r\n$12\r\ncluster|help\r\n*8\r\n$7\r\nsummary\r\n$49\r\nShow helpful text about the different subcommands\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|info",
        b"*2\r\n$12\r\ncluster|info\r\n*8\r\n$7\r\nsummary\r\n$44\r\nProvides info about Redis Cluster node state\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|links",
        b"*2\r\n$13\r\ncluster|links\r\n*8\r\n$7\r\nsummary\r\n$65\r\nReturns a list of all TCP links to and from peer nodes in cluster\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$49\r\nO(N) where N is the total number of Cluster nodes\r\n",
    ),
    (
        "cluster|myid",
        b"*2\r\n$12\r\ncluster|myid\r\n*8\r\n$7\r\nsummary\r\n$18\r\nReturn the node id\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|nodes",
        b"*2\r\n$13\r\ncluster|nodes\r\n*8\r\n$7\r\nsummary\r\n$31\r\nGet Cluster config for the node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$49\r\nO(N) where N is the total number of Cluster nodes\r\n",
    ),
    (
        "cluster|saveconfig",
        b"*2\r\n$18\r\ncluster|saveconfig\r\n*8\r\n$7\r\nsummary\r\n$45\r\nForces the node to save cluster state on disk\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "cluster|shards",
        b"*2\r\n$14\r\ncluster|shards\r\n*8\r\n$7\r\nsummary\r\n$43\r\nGet array of cluster slots to node mappings\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$49\r\nO(N) where N is the total number of cluster nodes\r\n",
    ),
    (
        "readonly",
        b"*2\r\n$8\r\nreadonly\r\n*8\r\n$7\r\nsummary\r\n$63\r\nEnables read queries for a connection to a cluster replica node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "readwrite",
        b"*2\r\n$9\r\nreadwrite\r\n*8\r\n$7\r\nsummary\r\n$64\r\nDisables read queries for a connection to a cluster replica node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
    (
        "asking",
        b"*2\r\n$6\r\nasking\r\n*8\r\n$7\r\nsummary\r\n$46\r\nSent by cluster clients after an -ASK redirect\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    ),
];

/// A request of `argc` arguments starting with `head`, padded with placeholder words.
fn request<'a>(head: &[&'a str], argc: usize) -> Vec<&'a str> {
    let mut args = head.to_vec();
    args.resize(argc, "1");
    args
}

/// `-ERR wrong number of arguments for '<name>' command`
fn arity_error(name: &str) -> Vec<u8> {
    format!("-ERR wrong number of arguments for '{name}' command\r\n").into_bytes()
}

/// Our server, then a real redis-server when installed.
fn servers() -> Vec<TestServer> {
    let mut all = vec![TestServer::start()];
    all.extend(start_redis_server(&[]));
    all
}

/// Every subcommand with a valid argument count, and with one too many (or too few).
fn run_every_subcommand(c: &mut RawConn) {
    for &(sub, arity) in SUBCOMMANDS {
        let upper = sub.to_uppercase();
        let full = format!("cluster|{sub}");
        let argc = arity.unsigned_abs() as usize;
        check(c, &request(&["CLUSTER", &upper], argc), DISABLED);
        check(c, &request(&["cluster", sub], argc), DISABLED);
        if arity > 0 {
            let bad = request(&["CLUSTER", &upper], argc + 1);
            check(c, &bad, &arity_error(&full));
        } else {
            // At least |arity|: more arguments are fine, fewer are refused.
            check(c, &request(&["CLUSTER", &upper], argc + 2), DISABLED);
            if argc > 2 {
                check(
                    c,
                    &request(&["CLUSTER", sub], argc - 1),
                    &arity_error(&full),
                );
            }
        }
    }
}

/// The container's own errors and the three top-level commands.
fn run_container_and_connection_commands(c: &mut RawConn) {
    check(c, &["CLUSTER"], &arity_error("cluster"));
    check(
        c,
        &["CLUSTER", "NOSUCH"],
        b"-ERR unknown subcommand 'NOSUCH'. Try CLUSTER HELP.\r\n",
    );
    check(
        c,
        &["cluster", "nosuch", "a", "b"],
        b"-ERR unknown subcommand 'nosuch'. Try CLUSTER HELP.\r\n",
    );
    check(c, &["CLUSTER", "HELP"], DISABLED);
    check(c, &["CLUSTER", "HELP", "x"], &arity_error("cluster|help"));
    check(c, &["CLUSTER", "KEYSLOT"], &arity_error("cluster|keyslot"));
    check(
        c,
        &["CLUSTER", "KEYSLOT", "a", "b"],
        &arity_error("cluster|keyslot"),
    );
    for name in ["READONLY", "READWRITE", "ASKING"] {
        check(c, &[name], DISABLED);
        check(c, &[name, "x"], &arity_error(&name.to_lowercase()));
    }
    // The connection stays usable and nothing changed its state.
    check(c, &["PING"], b"+PONG\r\n");
}

/// Inside MULTI the commands queue and fail at EXEC; an unknown subcommand aborts it.
fn run_in_transaction(c: &mut RawConn) {
    check(c, &["MULTI"], b"+OK\r\n");
    check(c, &["READONLY"], b"+QUEUED\r\n");
    check(c, &["CLUSTER", "INFO"], b"+QUEUED\r\n");
    check(c, &["ASKING"], b"+QUEUED\r\n");
    let mut want = b"*3\r\n".to_vec();
    for _ in 0..3 {
        want.extend_from_slice(DISABLED);
    }
    check(c, &["EXEC"], &want);
    check(c, &["MULTI"], b"+OK\r\n");
    check(
        c,
        &["CLUSTER", "NOSUCH"],
        b"-ERR unknown subcommand 'NOSUCH'. Try CLUSTER HELP.\r\n",
    );
    check(
        c,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
}

/// COMMAND INFO of each command and subcommand, and of the container.
fn run_command_info(c: &mut RawConn) {
    for &(name, want) in INFO_REPLIES {
        check(c, &["COMMAND", "INFO", name], want);
        check(c, &["COMMAND", "INFO", &name.to_uppercase()], want);
    }
    let got = ask(c, &["COMMAND", "INFO", "cluster"]);
    assert!(
        got.starts_with(CONTAINER_INFO_HEAD),
        "COMMAND INFO cluster: {}",
        String::from_utf8_lossy(&got)
    );
    // The rest is the 27 subcommand entries, in any order.
    let rest = &got[CONTAINER_INFO_HEAD.len()..];
    let mut total = 0;
    for &(name, want) in INFO_REPLIES
        .iter()
        .filter(|(n, _)| n.starts_with("cluster|"))
    {
        let entry = &want[b"*1\r\n".len()..];
        assert!(
            rest.windows(entry.len()).any(|w| w == entry),
            "COMMAND INFO cluster lacks {name}: {}",
            String::from_utf8_lossy(rest)
        );
        total += entry.len();
    }
    assert_eq!(rest.len(), total, "COMMAND INFO cluster has extra bytes");
}

/// COMMAND DOCS of the argument-less commands, byte for byte.
fn run_command_docs(c: &mut RawConn) {
    for &(name, want) in DOCS_REPLIES {
        check(c, &["COMMAND", "DOCS", name], want);
    }
}

/// The names COMMAND LIST gives.
fn command_list(c: &mut RawConn) -> Vec<String> {
    let reply = String::from_utf8(ask(c, &["COMMAND", "LIST"])).unwrap();
    // *N, then $len and the name for each entry.
    reply
        .split("\r\n")
        .skip(2)
        .step_by(2)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect()
}

/// COMMAND LIST names every command and subcommand; COMMAND COUNT counts them.
fn run_command_list_and_count(c: &mut RawConn) {
    let names = command_list(c);
    for want in ["cluster", "readonly", "readwrite", "asking"]
        .into_iter()
        .map(String::from)
        .chain(SUBCOMMANDS.iter().map(|(s, _)| format!("cluster|{s}")))
    {
        assert!(names.contains(&want), "COMMAND LIST lacks {want}");
    }
    let top = names.iter().filter(|n| !n.contains('|')).count();
    check(c, &["COMMAND", "COUNT"], format!(":{top}\r\n").as_bytes());
    let pattern = ask(c, &["COMMAND", "LIST", "FILTERBY", "PATTERN", "cluster*"]);
    assert!(pattern.starts_with(b"*28\r\n"), "{pattern:?}");
    let connection = String::from_utf8(ask(
        c,
        &["COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"],
    ))
    .unwrap();
    for name in ["readonly", "readwrite", "asking"] {
        assert!(
            connection.contains(&format!("\r\n{name}\r\n")),
            "{name} not @connection"
        );
    }
    let info = String::from_utf8(ask(c, &["INFO", "cluster"])).unwrap();
    assert!(
        info.contains("# Cluster\r\ncluster_enabled:0\r\n"),
        "{info}"
    );
}

#[test]
fn subcommands_answer_cluster_disabled() {
    for server in servers() {
        run_every_subcommand(&mut server.raw());
    }
}

#[test]
fn container_and_connection_commands_answer_like_redis() {
    for server in servers() {
        let mut c = server.raw();
        run_container_and_connection_commands(&mut c);
        run_in_transaction(&mut c);
    }
}

#[test]
fn command_info_and_docs_match_redis() {
    for server in servers() {
        let mut c = server.raw();
        run_command_info(&mut c);
        run_command_docs(&mut c);
    }
}

#[test]
fn command_list_and_count_include_cluster_commands() {
    for server in servers() {
        run_command_list_and_count(&mut server.raw());
    }
}

#[test]
fn resp3_clients_get_the_same_errors() {
    for server in servers() {
        let mut c = server.raw();
        assert!(ask(&mut c, &["HELLO", "3"]).starts_with(b"%"));
        check(&mut c, &["CLUSTER", "SLOTS"], DISABLED);
        check(&mut c, &["READWRITE"], DISABLED);
    }
}
