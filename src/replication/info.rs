//! What replication reports: the `# Replication` section of INFO and the replication
//! fields saved in an RDB.

use super::master;
use super::replica::LinkState;
use crate::server::Server;
use crate::util::time;

impl Server {
    /// The replication fields to save in an RDB: our id, our offset, and the database
    /// the stream has selected (the master client's on a replica).
    pub fn repl_save_info(&self) -> (String, i64, i64) {
        let db = match &self.repl.replica {
            Some(side) => side
                .master_token
                .and_then(|(t, _)| self.clients.get(t)?.as_ref())
                .map_or(side.cached_db, |c| c.db) as i64,
            None => self.repl.slaveseldb.max(0),
        };
        (self.repl.replid.clone(), self.repl.master_repl_offset, db)
    }

    /// The `# Replication` section of INFO, as Redis 7.0 prints it: `(name, value)`.
    pub fn repl_info_fields(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, v: String| out.push((k.to_string(), v));
        let now = time::now_ms();
        match &self.repl.replica {
            Some(side) => {
                add("role", "slave".into());
                add("master_host", side.host.clone());
                add("master_port", side.port.to_string());
                let up = side.state == LinkState::Connected;
                add("master_link_status", if up { "up" } else { "down" }.into());
                let master = side
                    .master_token
                    .and_then(|(t, _)| self.clients.get(t)?.as_ref());
                add(
                    "master_last_io_seconds_ago",
                    master
                        .map_or(-1, |c| (now - c.last_interaction_ms) / 1000)
                        .to_string(),
                );
                add(
                    "master_sync_in_progress",
                    ((side.state == LinkState::Transfer) as u8).to_string(),
                );
                let pending =
                    master.map_or(0, |c| c.query.len() - c.repl_applied.min(c.query.len()));
                let offset = self.repl.master_repl_offset;
                add(
                    "slave_read_repl_offset",
                    (offset + pending as i64).to_string(),
                );
                add("slave_repl_offset", offset.to_string());
                if side.state == LinkState::Transfer {
                    let size = side.transfer_size;
                    let read = side.transfer_read as i64;
                    let perc = if size > 0 {
                        read as f64 * 100.0 / size as f64
                    } else {
                        0.0
                    };
                    add("master_sync_total_bytes", size.to_string());
                    add("master_sync_read_bytes", read.to_string());
                    add("master_sync_left_bytes", (size - read).to_string());
                    add("master_sync_perc", format!("{perc:.2}"));
                    add(
                        "master_sync_last_io_seconds_ago",
                        ((now - side.last_io_ms) / 1000).to_string(),
                    );
                }
                if !up {
                    let since = if side.down_since_ms > 0 {
                        (now - side.down_since_ms) / 1000
                    } else {
                        -1
                    };
                    add("master_link_down_since_seconds", since.to_string());
                }
                add("slave_priority", self.config.replica_priority.to_string());
                add(
                    "slave_read_only",
                    (self.config.replica_read_only as u8).to_string(),
                );
                add("replica_announced", "1".into());
            }
            None => add("role", "master".into()),
        }
        add("connected_slaves", self.repl.replicas.len().to_string());
        if self.config.min_replicas_to_write > 0 && self.config.min_replicas_max_lag > 0 {
            add(
                "min_slaves_good_slaves",
                self.good_replica_count().to_string(),
            );
        }
        let mut i = 0;
        for &token in &self.repl.replicas {
            let Some(Some(c)) = self.clients.get(token) else {
                continue;
            };
            let Some(r) = c.replica.as_ref() else {
                continue;
            };
            let lag = if r.state == master::ReplicaState::Online {
                (now - r.ack_time_ms) / 1000
            } else {
                0
            };
            let ip = r
                .announced_ip
                .clone()
                .unwrap_or_else(|| crate::commands::replication_cmds::peer_ip(&c.addr));
            add(
                &format!("slave{i}"),
                format!(
                    "ip={},port={},state={},offset={},lag={}",
                    ip,
                    r.listening_port,
                    r.state.name(),
                    r.ack_off,
                    lag
                ),
            );
            i += 1;
        }
        add(
            "master_failover_state",
            self.repl.failover.state.name().into(),
        );
        add("master_replid", self.repl.replid.clone());
        add("master_replid2", self.repl.replid2.clone());
        add(
            "master_repl_offset",
            self.repl.master_repl_offset.to_string(),
        );
        add(
            "second_repl_offset",
            self.repl.second_replid_offset.to_string(),
        );
        let b = self.repl.backlog.as_ref();
        add("repl_backlog_active", (b.is_some() as u8).to_string());
        add(
            "repl_backlog_size",
            self.config.repl_backlog_size.to_string(),
        );
        add(
            "repl_backlog_first_byte_offset",
            b.map_or(0, |b| b.first_offset()).to_string(),
        );
        add(
            "repl_backlog_histlen",
            b.map_or(0, |b| b.histlen()).to_string(),
        );
        out
    }
}
