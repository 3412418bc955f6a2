//! CLUSTER, READONLY, READWRITE and ASKING on a server without cluster mode.
//!
//! ferrodis runs standalone only, like a redis-server started without
//! `cluster-enabled yes`. Such a server still has these commands in its table (so
//! COMMAND LIST / INFO / DOCS / COUNT show them, and cluster-aware clients can probe
//! for them), but every one of them answers the same error once the dispatcher has
//! checked the arity and resolved the subcommand.

use super::flags::*;
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::{Client, Server};

/// The reply of every cluster command on a standalone server (text after `-`).
const CLUSTER_DISABLED: &str = "This instance has cluster support disabled";

/// Handler shared by every row of this family: cluster mode does not exist here.
fn cluster_disabled(_srv: &mut Server, _c: &mut Client) -> CommandResult {
    Err(CommandError::Err(CLUSTER_DISABLED))
}

/// A keyless row of the "cluster" doc group, answered by [`cluster_disabled`].
const fn row(
    name: &'static str,
    arity: i32,
    flags: u32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
) -> CommandSpec {
    CommandSpec::new(
        name,
        cluster_disabled,
        arity,
        flags,
        Keys::NONE,
        "cluster",
        since,
        summary,
    )
    .with_complexity(complexity)
}

/// Flags of the subcommands that change the cluster's layout.
const LAYOUT: u32 = NO_ASYNC_LOADING | ADMIN | STALE;

/// CLUSTER's subcommands, with the arity, flags and docs Redis 7.0 declares for them.
const CLUSTER_SUBCOMMANDS: &[CommandSpec] = &[
    row(
        "addslots",
        -3,
        LAYOUT,
        "3.0.0",
        "Assign new hash slots to receiving node",
        "O(N) where N is the total number of hash slot arguments",
    ),
    row(
        "addslotsrange",
        -4,
        LAYOUT,
        "7.0.0",
        "Assign new hash slots to receiving node",
        "O(N) where N is the total number of the slots between the start slot and end slot arguments.",
    ),
    row(
        "bumpepoch",
        2,
        LAYOUT,
        "3.0.0",
        "Advance the cluster config epoch",
        "O(1)",
    ),
    row(
        "count-failure-reports",
        3,
        ADMIN | STALE,
        "3.0.0",
        "Return the number of failure reports active for a given node",
        "O(N) where N is the number of failure reports",
    ),
    row(
        "countkeysinslot",
        3,
        STALE,
        "3.0.0",
        "Return the number of local keys in the specified hash slot",
        "O(1)",
    ),
    row(
        "delslots",
        -3,
        LAYOUT,
        "3.0.0",
        "Set hash slots as unbound in receiving node",
        "O(N) where N is the total number of hash slot arguments",
    ),
    row(
        "delslotsrange",
        -4,
        LAYOUT,
        "7.0.0",
        "Set hash slots as unbound in receiving node",
        "O(N) where N is the total number of the slots between the start slot and end slot arguments.",
    ),
    row(
        "failover",
        -2,
        LAYOUT,
        "3.0.0",
        "Forces a replica to perform a manual failover of its master.",
        "O(1)",
    ),
    row(
        "flushslots",
        2,
        LAYOUT,
        "3.0.0",
        "Delete a node's own slots information",
        "O(1)",
    ),
    row(
        "forget",
        3,
        LAYOUT,
        "3.0.0",
        "Remove a node from the nodes table",
        "O(1)",
    ),
    row(
        "getkeysinslot",
        4,
        STALE,
        "3.0.0",
        "Return local key names in the specified hash slot",
        "O(log(N)) where N is the number of requested keys",
    ),
    row(
        "help",
        2,
        LOADING | STALE,
        "5.0.0",
        "Show helpful text about the different subcommands",
        "O(1)",
    ),
    row(
        "info",
        2,
        STALE,
        "3.0.0",
        "Provides info about Redis Cluster node state",
        "O(1)",
    ),
    row(
        "keyslot",
        3,
        STALE,
        "3.0.0",
        "Returns the hash slot of the specified key",
        "O(N) where N is the number of bytes in the key",
    ),
    row(
        "links",
        2,
        STALE,
        "7.0.0",
        "Returns a list of all TCP links to and from peer nodes in cluster",
        "O(N) where N is the total number of Cluster nodes",
    ),
    row(
        "meet",
        -4,
        LAYOUT,
        "3.0.0",
        "Force a node cluster to handshake with another node",
        "O(1)",
    ),
    row(
        "myid",
        2,
        STALE,
        "3.0.0",
        "Return the node id",
        "O(1)",
    ),
    row(
        "nodes",
        2,
        STALE,
        "3.0.0",
        "Get Cluster config for the node",
        "O(N) where N is the total number of Cluster nodes",
    ),
    row(
        "replicas",
        3,
        ADMIN | STALE,
        "5.0.0",
        "List replica nodes of the specified master node",
        "O(1)",
    ),
    row(
        "replicate",
        3,
        LAYOUT,
        "3.0.0",
        "Reconfigure a node as a replica of the specified master node",
        "O(1)",
    ),
    row(
        "reset",
        -2,
        ADMIN | STALE | NOSCRIPT,
        "3.0.0",
        "Reset a Redis Cluster node",
        "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.",
    ),
    row(
        "saveconfig",
        2,
        LAYOUT,
        "3.0.0",
        "Forces the node to save cluster state on disk",
        "O(1)",
    ),
    row(
        "set-config-epoch",
        3,
        LAYOUT,
        "3.0.0",
        "Set the configuration epoch in a new node",
        "O(1)",
    ),
    row(
        "setslot",
        -4,
        LAYOUT,
        "3.0.0",
        "Bind a hash slot to a specific node",
        "O(1)",
    ),
    row(
        "shards",
        2,
        STALE,
        "7.0.0",
        "Get array of cluster slots to node mappings",
        "O(N) where N is the total number of cluster nodes",
    ),
    row(
        "slaves",
        3,
        ADMIN | STALE,
        "3.0.0",
        "List replica nodes of the specified master node",
        "O(1)",
    ),
    row(
        "slots",
        2,
        STALE,
        "3.0.0",
        "Get array of Cluster slot to node mappings",
        "O(N) where N is the total number of Cluster nodes",
    ),
];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "cluster",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "cluster",
        "3.0.0",
        "A container for cluster commands",
    )
    .with_complexity("Depends on subcommand.")
    .with_subcommands(CLUSTER_SUBCOMMANDS),
    row(
        "readonly",
        1,
        FAST | LOADING | STALE,
        "3.0.0",
        "Enables read queries for a connection to a cluster replica node",
        "O(1)",
    ),
    row(
        "readwrite",
        1,
        FAST | LOADING | STALE,
        "3.0.0",
        "Disables read queries for a connection to a cluster replica node",
        "O(1)",
    ),
    row(
        "asking",
        1,
        FAST,
        "3.0.0",
        "Sent by cluster clients after an -ASK redirect",
        "O(1)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_keyless_and_in_the_cluster_group() {
        let subs = COMMANDS.iter().flat_map(|c| c.subcommands.iter());
        for spec in COMMANDS.iter().chain(subs) {
            assert_eq!(spec.group, "cluster", "{}", spec.name);
            assert!(spec.keys.first <= 0, "{} has keys", spec.name);
        }
        assert_eq!(CLUSTER_SUBCOMMANDS.len(), 27);
    }
}
