//! The directive table: one row per config directive, as Redis's `static_configs[]`.
//!
//! A row names the directive (and its alias), carries its flags and says how to read and
//! write it on [`Config`]. Defaults are not stored here: they are whatever
//! `Config::default()` holds, so the struct and the table cannot disagree.
//!
//! Three families of rows:
//! * typed rows (`Bool`, `Num`, `Str`, `Enum`, `Special`) drive real fields;
//! * `Passive` rows are Redis 7.0 directives ferrodis accepts, shows in CONFIG GET,
//!   stores and rewrites, but does not act on (they are logged as ignored);
//! * file-only keywords (`include`, `rename-command`, `user`, ...) live in the loader.

use super::{
    AclPubsubDefault, AppendFsync, Config, LogLevel, MaxmemoryPolicy, OomScoreAdj,
    PropagationErrorBehavior, ReplDisklessLoad, ValueError,
};

/// Cannot be changed with CONFIG SET.
pub const IMMUTABLE: u8 = 1;
/// Takes several arguments (`save 3600 1 300 100`, `bind a b`).
pub const MULTI_ARG: u8 = 1 << 1;
/// CONFIG SET needs `enable-protected-configs`.
pub const PROTECTED: u8 = 1 << 2;
/// Holds a secret (redact it in logs, slowlog, MONITOR).
pub const SENSITIVE: u8 = 1 << 3;
/// Only shown by CONFIG GET when asked for by its exact name.
pub const HIDDEN: u8 = 1 << 4;

/// How a numeric directive reads and prints its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumUnit {
    /// Plain signed decimal (`string2ll`).
    Int,
    /// Byte count with optional k/kb/m/mb/g/gb unit; printed in bytes.
    Memory,
    /// Octal permission bits.
    Octal,
}

/// Directives with hand-written parsing and formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Save,
    Bind,
    ReplicaOf,
    ClientOutputBufferLimit,
    NotifyKeyspaceEvents,
    Dir,
    LatencyTrackingInfoPercentiles,
    MaxmemoryClients,
    OomScoreAdjValues,
}

/// Extra validation of a string value (e.g. "must be a bare file name").
pub type ValueCheck = fn(&[u8]) -> Result<(), ValueError>;

/// The type of a directive and how to reach its field.
pub enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    Num {
        unit: NumUnit,
        min: i128,
        max: i128,
        get: fn(&Config) -> i128,
        set: fn(&mut Config, i128),
    },
    Str {
        /// An empty value stores "unset" (`None`).
        empty_is_none: bool,
        check: Option<ValueCheck>,
        get: fn(&Config) -> Option<Vec<u8>>,
        set: fn(&mut Config, Option<Vec<u8>>),
    },
    Enum {
        names: &'static [&'static str],
        get: fn(&Config) -> usize,
        set: fn(&mut Config, usize),
    },
    Special(Special),
    /// Accepted and kept, not acted upon. `default` is Redis 7.0's CONFIG GET output.
    Passive {
        default: &'static str,
        style: PassiveStyle,
    },
}

/// How much an accepted-but-ignored directive's value is checked and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassiveStyle {
    /// Kept as written.
    Text,
    /// `yes`/`no`, stored lower-case.
    Bool,
    /// A memory amount (stored in bytes) or a percentage such as `10%`.
    Memory,
}

/// One row of the table.
pub struct Directive {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u8,
    pub kind: Kind,
}

impl Directive {
    /// Whether the row carries `flag`.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Whether the row is accepted but not implemented.
    pub fn is_passive(&self) -> bool {
        matches!(self.kind, Kind::Passive { .. })
    }
}

macro_rules! boolean {
    ($name:literal, $alias:expr, $flags:expr, $field:ident) => {
        Directive {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
        }
    };
}

macro_rules! number {
    ($name:literal, $alias:expr, $flags:expr, $unit:ident, $min:expr, $max:expr, $field:ident: $ty:ty) => {
        Directive {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Num {
                unit: NumUnit::$unit,
                min: $min as i128,
                max: $max as i128,
                get: |c| c.$field as i128,
                set: |c, v| c.$field = v as $ty,
            },
        }
    };
}

/// A `String` field where "" is a legitimate value.
macro_rules! string {
    ($name:literal, $flags:expr, $check:expr, $field:ident) => {
        Directive {
            name: $name,
            alias: None,
            flags: $flags,
            kind: Kind::Str {
                empty_is_none: false,
                check: $check,
                get: |c| Some(c.$field.as_bytes().to_vec()),
                set: |c, v| c.$field = lossy(v.unwrap_or_default()),
            },
        }
    };
}

/// An `Option<String>` field where "" means unset.
macro_rules! opt_string {
    ($name:literal, $alias:expr, $flags:expr, $field:ident) => {
        Directive {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                empty_is_none: true,
                check: None,
                get: |c| c.$field.as_ref().map(|s| s.as_bytes().to_vec()),
                set: |c, v| c.$field = v.map(lossy),
            },
        }
    };
}

/// An `Option<Vec<u8>>` field (binary-safe secret) where "" means unset.
macro_rules! opt_bytes {
    ($name:literal, $flags:expr, $field:ident) => {
        Directive {
            name: $name,
            alias: None,
            flags: $flags,
            kind: Kind::Str {
                empty_is_none: true,
                check: None,
                get: |c| c.$field.clone(),
                set: |c, v| c.$field = v,
            },
        }
    };
}

macro_rules! enumeration {
    ($name:literal, $flags:expr, $ty:ident, $field:ident) => {
        Directive {
            name: $name,
            alias: None,
            flags: $flags,
            kind: Kind::Enum {
                names: $ty::NAMES,
                get: |c| c.$field.index(),
                set: |c, i| c.$field = $ty::from_index(i),
            },
        }
    };
}

macro_rules! special {
    ($name:literal, $alias:expr, $flags:expr, $which:ident) => {
        Directive {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Special(Special::$which),
        }
    };
}

macro_rules! passive {
    ($name:literal, $alias:expr, $flags:expr, bool $default:literal) => {
        passive!(@row $name, $alias, $flags, Bool, $default)
    };
    ($name:literal, $alias:expr, $flags:expr, mem $default:literal) => {
        passive!(@row $name, $alias, $flags, Memory, $default)
    };
    ($name:literal, $alias:expr, $flags:expr, $default:literal) => {
        passive!(@row $name, $alias, $flags, Text, $default)
    };
    (@row $name:literal, $alias:expr, $flags:expr, $style:ident, $default:literal) => {
        Directive {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Passive {
                default: $default,
                style: PassiveStyle::$style,
            },
        }
    };
}

/// Converts stored bytes to a `String`, replacing invalid UTF-8.
fn lossy(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Rejects a value containing a `/` (Redis's `pathIsBaseName`).
fn is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/')
}

/// `dbfilename` must be a bare file name.
fn check_dbfilename(v: &[u8]) -> Result<(), ValueError> {
    if is_base_name(v) {
        Ok(())
    } else {
        Err(ValueError::Invalid(
            "dbfilename can't be a path, just a filename",
        ))
    }
}

/// `appendfilename` must be a non-empty bare file name.
fn check_appendfilename(v: &[u8]) -> Result<(), ValueError> {
    if v.is_empty() {
        Err(ValueError::Invalid("appendfilename can't be empty"))
    } else if !is_base_name(v) {
        Err(ValueError::Invalid(
            "appendfilename can't be a path, just a filename",
        ))
    } else {
        Ok(())
    }
}

/// `appenddirname` must be a non-empty bare directory name.
fn check_appenddirname(v: &[u8]) -> Result<(), ValueError> {
    if v.is_empty() {
        Err(ValueError::Invalid("appenddirname can't be empty"))
    } else if !is_base_name(v) {
        Err(ValueError::Invalid(
            "appenddirname can't be a path, just a dirname",
        ))
    } else {
        Ok(())
    }
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const LONG_MAX: i64 = i64::MAX;
const MB: i64 = 1024 * 1024;
const N: Option<&str> = None;

/// Every directive ferrodis knows, grouped like the sections of redis.conf. The order is
/// also the order CONFIG REWRITE appends new lines in.
pub static TABLE: &[Directive] = &[
    // --- network
    special!("bind", N, MULTI_ARG, Bind),
    boolean!("protected-mode", N, 0, protected_mode),
    number!("port", N, 0, Int, 0, 65535, port: u16),
    number!("tcp-backlog", N, IMMUTABLE, Int, 0, INT_MAX, tcp_backlog: i32),
    opt_string!("unixsocket", N, IMMUTABLE, unixsocket),
    number!("unixsocketperm", N, IMMUTABLE, Octal, 0, 0o777, unixsocketperm: u32),
    number!("timeout", N, 0, Int, 0, INT_MAX, timeout: u64),
    number!("tcp-keepalive", N, 0, Int, 0, INT_MAX, tcp_keepalive: u64),
    // --- general
    boolean!("daemonize", N, IMMUTABLE, daemonize),
    opt_string!("pidfile", N, IMMUTABLE, pidfile),
    enumeration!("loglevel", 0, LogLevel, loglevel),
    string!("logfile", IMMUTABLE, None, logfile),
    number!("databases", N, IMMUTABLE, Int, 1, INT_MAX, databases: usize),
    boolean!("always-show-logo", N, IMMUTABLE, always_show_logo),
    // --- snapshotting
    special!("save", N, MULTI_ARG, Save),
    boolean!(
        "stop-writes-on-bgsave-error",
        N,
        0,
        stop_writes_on_bgsave_error
    ),
    boolean!("rdbcompression", N, 0, rdbcompression),
    boolean!("rdbchecksum", N, IMMUTABLE, rdbchecksum),
    string!("dbfilename", PROTECTED, Some(check_dbfilename), dbfilename),
    boolean!("rdb-del-sync-files", N, 0, rdb_del_sync_files),
    special!("dir", N, PROTECTED, Dir),
    // --- replication
    special!(
        "replicaof",
        Some("slaveof"),
        IMMUTABLE | MULTI_ARG,
        ReplicaOf
    ),
    opt_bytes!("masterauth", SENSITIVE, masterauth),
    opt_string!("masteruser", N, SENSITIVE, masteruser),
    boolean!(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        0,
        replica_serve_stale_data
    ),
    boolean!(
        "replica-read-only",
        Some("slave-read-only"),
        0,
        replica_read_only
    ),
    boolean!("repl-diskless-sync", N, 0, repl_diskless_sync),
    number!("repl-diskless-sync-delay", N, 0, Int, 0, INT_MAX, repl_diskless_sync_delay: u64),
    number!("repl-diskless-sync-max-replicas", N, 0, Int, 0, INT_MAX, repl_diskless_sync_max_replicas: u64),
    enumeration!(
        "repl-diskless-load",
        0,
        ReplDisklessLoad,
        repl_diskless_load
    ),
    number!("repl-ping-replica-period", Some("repl-ping-slave-period"), 0, Int, 1, INT_MAX, repl_ping_replica_period: u64),
    number!("repl-timeout", N, 0, Int, 1, INT_MAX, repl_timeout: u64),
    boolean!("repl-disable-tcp-nodelay", N, 0, repl_disable_tcp_nodelay),
    number!("repl-backlog-size", N, 0, Memory, 1, i64::MAX, repl_backlog_size: u64),
    number!("repl-backlog-ttl", N, 0, Int, 0, LONG_MAX, repl_backlog_ttl: u64),
    number!("replica-priority", Some("slave-priority"), 0, Int, 0, INT_MAX, replica_priority: u64),
    opt_string!(
        "replica-announce-ip",
        Some("slave-announce-ip"),
        0,
        replica_announce_ip
    ),
    number!("replica-announce-port", Some("slave-announce-port"), 0, Int, 0, 65535, replica_announce_port: u16),
    opt_string!("bind-source-addr", N, 0, bind_source_addr),
    number!("min-replicas-to-write", Some("min-slaves-to-write"), 0, Int, 0, INT_MAX, min_replicas_to_write: u64),
    number!("min-replicas-max-lag", Some("min-slaves-max-lag"), 0, Int, 0, INT_MAX, min_replicas_max_lag: u64),
    boolean!(
        "replica-lazy-flush",
        Some("slave-lazy-flush"),
        0,
        replica_lazy_flush
    ),
    // --- security
    opt_bytes!("requirepass", SENSITIVE, requirepass),
    // --- clients
    number!("maxclients", N, 0, Int, 1, u32::MAX, maxclients: u64),
    // --- memory management
    number!("maxmemory", N, 0, Memory, 0, u64::MAX, maxmemory: u64),
    enumeration!("maxmemory-policy", 0, MaxmemoryPolicy, maxmemory_policy),
    number!("maxmemory-samples", N, 0, Int, 1, INT_MAX, maxmemory_samples: u64),
    // --- lazy freeing
    boolean!("lazyfree-lazy-eviction", N, 0, lazyfree_lazy_eviction),
    boolean!("lazyfree-lazy-expire", N, 0, lazyfree_lazy_expire),
    boolean!("lazyfree-lazy-server-del", N, 0, lazyfree_lazy_server_del),
    boolean!("lazyfree-lazy-user-del", N, 0, lazyfree_lazy_user_del),
    boolean!("lazyfree-lazy-user-flush", N, 0, lazyfree_lazy_user_flush),
    // --- append only file
    boolean!("appendonly", N, 0, appendonly),
    string!(
        "appendfilename",
        IMMUTABLE,
        Some(check_appendfilename),
        appendfilename
    ),
    string!(
        "appenddirname",
        IMMUTABLE,
        Some(check_appenddirname),
        appenddirname
    ),
    enumeration!("appendfsync", 0, AppendFsync, appendfsync),
    boolean!("no-appendfsync-on-rewrite", N, 0, no_appendfsync_on_rewrite),
    number!("auto-aof-rewrite-percentage", N, 0, Int, 0, INT_MAX, auto_aof_rewrite_percentage: u64),
    number!("auto-aof-rewrite-min-size", N, 0, Memory, 0, i64::MAX, auto_aof_rewrite_min_size: u64),
    boolean!("aof-load-truncated", N, 0, aof_load_truncated),
    boolean!("aof-use-rdb-preamble", N, 0, aof_use_rdb_preamble),
    boolean!("aof-timestamp-enabled", N, 0, aof_timestamp_enabled),
    // --- slow log and latency monitor
    number!("slowlog-log-slower-than", N, 0, Int, -1, i64::MAX, slowlog_log_slower_than: i64),
    number!("slowlog-max-len", N, 0, Int, 0, LONG_MAX, slowlog_max_len: u64),
    number!("latency-monitor-threshold", N, 0, Int, 0, i64::MAX, latency_monitor_threshold: u64),
    // --- event notification
    special!("notify-keyspace-events", N, 0, NotifyKeyspaceEvents),
    // --- advanced
    number!("hash-max-listpack-entries", Some("hash-max-ziplist-entries"), 0, Int, 0, LONG_MAX, hash_max_listpack_entries: u64),
    number!("hash-max-listpack-value", Some("hash-max-ziplist-value"), 0, Memory, 0, LONG_MAX, hash_max_listpack_value: u64),
    number!("list-max-listpack-size", Some("list-max-ziplist-size"), 0, Int, INT_MIN, INT_MAX, list_max_listpack_size: i64),
    number!("list-compress-depth", N, 0, Int, 0, INT_MAX, list_compress_depth: u64),
    number!("set-max-intset-entries", N, 0, Int, 0, LONG_MAX, set_max_intset_entries: u64),
    number!("set-max-listpack-entries", N, 0, Int, 0, LONG_MAX, set_max_listpack_entries: u64),
    number!("set-max-listpack-value", N, 0, Memory, 0, LONG_MAX, set_max_listpack_value: u64),
    number!("zset-max-listpack-entries", Some("zset-max-ziplist-entries"), 0, Int, 0, LONG_MAX, zset_max_listpack_entries: u64),
    number!("zset-max-listpack-value", Some("zset-max-ziplist-value"), 0, Memory, 0, LONG_MAX, zset_max_listpack_value: u64),
    number!("hll-sparse-max-bytes", N, 0, Memory, 0, LONG_MAX, hll_sparse_max_bytes: u64),
    boolean!("activerehashing", N, 0, activerehashing),
    special!(
        "client-output-buffer-limit",
        N,
        MULTI_ARG,
        ClientOutputBufferLimit
    ),
    number!("client-query-buffer-limit", N, 0, Memory, MB, LONG_MAX, client_query_buffer_limit: u64),
    number!("proto-max-bulk-len", N, 0, Memory, MB, LONG_MAX, proto_max_bulk_len: u64),
    number!("busy-poll-us", N, 0, Int, 0, 1000, busy_poll_us: u64),
    Directive {
        name: "hz",
        alias: None,
        flags: 0,
        kind: Kind::Num {
            unit: NumUnit::Int,
            min: 0,
            max: INT_MAX as i128,
            get: |c| i128::from(c.hz),
            // Out-of-range values are accepted and clamped to 1..=500, as Redis does.
            set: |c, v| c.hz = v.clamp(1, 500) as u32,
        },
    },
    boolean!("dynamic-hz", N, 0, dynamic_hz),
    number!("active-expire-effort", N, 0, Int, 1, 10, active_expire_effort: u32),
    number!("lfu-log-factor", N, 0, Int, 0, INT_MAX, lfu_log_factor: u64),
    number!("lfu-decay-time", N, 0, Int, 0, INT_MAX, lfu_decay_time: u64),
    // --- Redis 7.0 directives accepted and ignored (values are Redis 7.0's defaults)
    passive!("syslog-enabled", N, IMMUTABLE, bool "no"),
    passive!("syslog-ident", N, IMMUTABLE, "redis"),
    passive!("syslog-facility", N, IMMUTABLE, "local0"),
    passive!("set-proc-title", N, IMMUTABLE, bool "yes"),
    passive!(
        "proc-title-template",
        N,
        0,
        "{title} {listen-addr} {server-mode}"
    ),
    passive!("supervised", N, IMMUTABLE, "no"),
    passive!("io-threads", N, IMMUTABLE, "1"),
    passive!("io-threads-do-reads", N, IMMUTABLE, bool "no"),
    string!("aclfile", IMMUTABLE, None, aclfile),
    number!("acllog-max-len", N, 0, Int, 0, LONG_MAX, acllog_max_len: u64),
    enumeration!(
        "acl-pubsub-default",
        0,
        AclPubsubDefault,
        acl_pubsub_default
    ),
    passive!("enable-protected-configs", N, IMMUTABLE, "no"),
    passive!("enable-debug-command", N, IMMUTABLE, "no"),
    passive!("enable-module-command", N, IMMUTABLE, "no"),
    passive!("ignore-warnings", N, 0, ""),
    passive!("crash-log-enabled", N, 0, bool "yes"),
    passive!("crash-memcheck-enabled", N, 0, bool "yes"),
    passive!("use-exit-on-panic", N, HIDDEN, bool "no"),
    passive!("disable-thp", N, IMMUTABLE, bool "yes"),
    Directive {
        name: "oom-score-adj",
        alias: None,
        flags: 0,
        kind: Kind::Enum {
            names: OomScoreAdj::NAMES,
            get: |c| c.oom_score_adj.index(),
            // `relative` is `yes` under another name, and reads back as `yes`.
            set: |c, i| {
                c.oom_score_adj = match OomScoreAdj::from_index(i) {
                    OomScoreAdj::Relative => OomScoreAdj::Yes,
                    v => v,
                }
            },
        },
    },
    special!("oom-score-adj-values", N, MULTI_ARG, OomScoreAdjValues),
    passive!("server_cpulist", N, IMMUTABLE, ""),
    passive!("bio_cpulist", N, IMMUTABLE, ""),
    passive!("aof_rewrite_cpulist", N, IMMUTABLE, ""),
    passive!("bgsave_cpulist", N, IMMUTABLE, ""),
    passive!("socket-mark-id", N, IMMUTABLE, "0"),
    number!("shutdown-timeout", N, 0, Int, 0, INT_MAX, shutdown_timeout: u64),
    passive!("shutdown-on-sigint", N, MULTI_ARG, "default"),
    passive!("shutdown-on-sigterm", N, MULTI_ARG, "default"),
    passive!("rdb-save-incremental-fsync", N, 0, bool "yes"),
    passive!("aof-rewrite-incremental-fsync", N, 0, bool "yes"),
    passive!("aof-disable-auto-gc", N, 0, bool "no"),
    boolean!(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        0,
        replica_ignore_maxmemory
    ),
    passive!("replica-announced", N, 0, bool "yes"),
    passive!("replica-ignore-disk-write-errors", N, 0, bool "no"),
    enumeration!(
        "propagation-error-behavior",
        0,
        PropagationErrorBehavior,
        propagation_error_behavior
    ),
    number!(
        "maxmemory-eviction-tenacity",
        N,
        0,
        Int,
        0,
        100,
        maxmemory_eviction_tenacity: u32
    ),
    special!("maxmemory-clients", N, 0, MaxmemoryClients),
    passive!("jemalloc-bg-thread", N, 0, bool "yes"),
    passive!("activedefrag", N, 0, bool "no"),
    passive!("active-defrag-ignore-bytes", N, 0, mem "104857600"),
    passive!("active-defrag-threshold-lower", N, 0, "10"),
    passive!("active-defrag-threshold-upper", N, 0, "100"),
    passive!("active-defrag-cycle-min", N, 0, "1"),
    passive!("active-defrag-cycle-max", N, 0, "25"),
    passive!("active-defrag-max-scan-fields", N, 0, "1000"),
    number!("busy-reply-threshold", Some("lua-time-limit"), 0, Int, 0, LONG_MAX, busy_reply_threshold: i64),
    number!("stream-node-max-bytes", N, 0, Memory, 0, i64::MAX, stream_node_max_bytes: u64),
    number!("stream-node-max-entries", N, 0, Int, 0, i64::MAX, stream_node_max_entries: u64),
    number!("tracking-table-max-keys", N, 0, Int, 0, LONG_MAX, tracking_table_max_keys: u64),
    boolean!("latency-tracking", N, 0, latency_tracking),
    special!(
        "latency-tracking-info-percentiles",
        N,
        MULTI_ARG,
        LatencyTrackingInfoPercentiles
    ),
    passive!("sanitize-dump-payload", N, 0, "no"),
    passive!("cluster-enabled", N, IMMUTABLE, bool "no"),
    passive!("cluster-config-file", N, IMMUTABLE, "nodes.conf"),
    passive!("cluster-node-timeout", N, 0, "15000"),
    passive!("cluster-port", N, IMMUTABLE, "0"),
    passive!(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        0,
        "10"
    ),
    passive!("cluster-migration-barrier", N, 0, "1"),
    passive!("cluster-allow-replica-migration", N, 0, bool "yes"),
    passive!("cluster-require-full-coverage", N, 0, bool "yes"),
    passive!("cluster-replica-no-failover", Some("cluster-slave-no-failover"), 0, bool "no"),
    passive!("cluster-allow-reads-when-down", N, 0, bool "no"),
    passive!("cluster-allow-pubsubshard-when-down", N, 0, bool "yes"),
    passive!("cluster-link-sendbuf-limit", N, 0, mem "0"),
    passive!("cluster-announce-ip", N, 0, ""),
    passive!("cluster-announce-hostname", N, 0, ""),
    passive!("cluster-announce-port", N, 0, "0"),
    passive!("cluster-announce-bus-port", N, 0, "0"),
    passive!("cluster-announce-tls-port", N, 0, "0"),
    passive!("cluster-preferred-endpoint-type", N, 0, "ip"),
    passive!("tls-port", N, 0, "0"),
    passive!("tls-cert-file", N, 0, ""),
    passive!("tls-key-file", N, 0, ""),
    passive!("tls-key-file-pass", N, 0, ""),
    passive!("tls-client-cert-file", N, 0, ""),
    passive!("tls-client-key-file", N, 0, ""),
    passive!("tls-client-key-file-pass", N, 0, ""),
    passive!("tls-dh-params-file", N, 0, ""),
    passive!("tls-ca-cert-file", N, 0, ""),
    passive!("tls-ca-cert-dir", N, 0, ""),
    passive!("tls-auth-clients", N, 0, "yes"),
    passive!("tls-replication", N, 0, bool "no"),
    passive!("tls-cluster", N, 0, bool "no"),
    passive!("tls-protocols", N, 0, ""),
    passive!("tls-ciphers", N, 0, ""),
    passive!("tls-ciphersuites", N, 0, ""),
    passive!("tls-prefer-server-ciphers", N, 0, bool "no"),
    passive!("tls-session-caching", N, 0, bool "yes"),
    passive!("tls-session-cache-size", N, 0, "20480"),
    passive!("tls-session-cache-timeout", N, 0, "300"),
    // Redis 7.2: accepted in files written for it, but not listed by CONFIG GET * as
    // Redis 7.0 has no such parameter.
    passive!("locale-collate", N, IMMUTABLE | HIDDEN, ""),
    number!("rdb-key-save-delay", N, HIDDEN, Int, INT_MIN, INT_MAX, rdb_key_save_delay: i64),
    number!("key-load-delay", N, HIDDEN, Int, INT_MIN, INT_MAX, key_load_delay: i64),
    passive!("watchdog-period", N, HIDDEN, "0"),
    number!(
        "loading-process-events-interval-bytes",
        N,
        HIDDEN,
        Int,
        1024,
        INT_MAX,
        loading_process_events_interval_bytes: i64
    ),
];

/// Keywords only meaningful in a config file, handled by the loader itself.
pub const FILE_ONLY_KEYWORDS: &[&str] = &[
    "include",
    "rename-command",
    "user",
    "loadmodule",
    "sentinel",
];

/// Old directives Redis 7.0 still swallows silently (with exactly one value).
pub const DEPRECATED: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// Finds a directive by name or alias, case-insensitively. Returns the row and the
/// name it was found under (the alias when the alias was used), lower-case.
pub fn lookup(name: &[u8]) -> Option<(&'static Directive, &'static str)> {
    TABLE.iter().find_map(|d| {
        if name.eq_ignore_ascii_case(d.name.as_bytes()) {
            Some((d, d.name))
        } else {
            d.alias
                .filter(|a| name.eq_ignore_ascii_case(a.as_bytes()))
                .map(|a| (d, a))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_aliases_are_unique_and_lower_case() {
        let mut seen = HashSet::new();
        for d in TABLE {
            for n in std::iter::once(d.name).chain(d.alias) {
                assert_eq!(n, n.to_ascii_lowercase());
                assert!(seen.insert(n), "duplicate directive name {n}");
            }
        }
        for k in FILE_ONLY_KEYWORDS.iter().chain(DEPRECATED) {
            assert!(!seen.contains(k), "{k} is both a keyword and a directive");
        }
    }

    #[test]
    fn lookup_is_case_insensitive_and_reports_alias() {
        let (d, n) = lookup(b"SLAVE-read-ONLY").unwrap();
        assert_eq!((d.name, n), ("replica-read-only", "slave-read-only"));
        let (d, n) = lookup(b"Port").unwrap();
        assert_eq!((d.name, n), ("port", "port"));
        assert!(lookup(b"no-such-thing").is_none());
    }

    const REDIS_7_0_DIRECTIVES: &[&str] = &[
        "acl-pubsub-default",
        "aclfile",
        "acllog-max-len",
        "active-defrag-cycle-max",
        "active-defrag-cycle-min",
        "active-defrag-ignore-bytes",
        "active-defrag-max-scan-fields",
        "active-defrag-threshold-lower",
        "active-defrag-threshold-upper",
        "active-expire-effort",
        "activedefrag",
        "activerehashing",
        "always-show-logo",
        "aof-disable-auto-gc",
        "aof-load-truncated",
        "aof-rewrite-incremental-fsync",
        "aof-timestamp-enabled",
        "aof-use-rdb-preamble",
        "aof_rewrite_cpulist",
        "appenddirname",
        "appendfilename",
        "appendfsync",
        "appendonly",
        "auto-aof-rewrite-min-size",
        "auto-aof-rewrite-percentage",
        "bgsave_cpulist",
        "bind",
        "bind-source-addr",
        "bio_cpulist",
        "busy-reply-threshold",
        "client-output-buffer-limit",
        "client-query-buffer-limit",
        "cluster-allow-pubsubshard-when-down",
        "cluster-allow-reads-when-down",
        "cluster-allow-replica-migration",
        "cluster-announce-bus-port",
        "cluster-announce-hostname",
        "cluster-announce-ip",
        "cluster-announce-port",
        "cluster-announce-tls-port",
        "cluster-config-file",
        "cluster-enabled",
        "cluster-link-sendbuf-limit",
        "cluster-migration-barrier",
        "cluster-node-timeout",
        "cluster-port",
        "cluster-preferred-endpoint-type",
        "cluster-replica-no-failover",
        "cluster-replica-validity-factor",
        "cluster-require-full-coverage",
        "cluster-slave-no-failover",
        "cluster-slave-validity-factor",
        "crash-log-enabled",
        "crash-memcheck-enabled",
        "daemonize",
        "databases",
        "dbfilename",
        "dir",
        "disable-thp",
        "dynamic-hz",
        "enable-debug-command",
        "enable-module-command",
        "enable-protected-configs",
        "hash-max-listpack-entries",
        "hash-max-listpack-value",
        "hash-max-ziplist-entries",
        "hash-max-ziplist-value",
        "hll-sparse-max-bytes",
        "hz",
        "ignore-warnings",
        "io-threads",
        "io-threads-do-reads",
        "jemalloc-bg-thread",
        "key-load-delay",
        "latency-monitor-threshold",
        "latency-tracking",
        "latency-tracking-info-percentiles",
        "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire",
        "lazyfree-lazy-server-del",
        "lazyfree-lazy-user-del",
        "lazyfree-lazy-user-flush",
        "lfu-decay-time",
        "lfu-log-factor",
        "list-compress-depth",
        "list-max-listpack-size",
        "list-max-ziplist-size",
        "loading-process-events-interval-bytes",
        "logfile",
        "loglevel",
        "lua-time-limit",
        "masterauth",
        "masteruser",
        "maxclients",
        "maxmemory",
        "maxmemory-clients",
        "maxmemory-eviction-tenacity",
        "maxmemory-policy",
        "maxmemory-samples",
        "min-replicas-max-lag",
        "min-replicas-to-write",
        "min-slaves-max-lag",
        "min-slaves-to-write",
        "no-appendfsync-on-rewrite",
        "notify-keyspace-events",
        "oom-score-adj",
        "oom-score-adj-values",
        "pidfile",
        "port",
        "proc-title-template",
        "propagation-error-behavior",
        "protected-mode",
        "proto-max-bulk-len",
        "rdb-del-sync-files",
        "rdb-key-save-delay",
        "rdb-save-incremental-fsync",
        "rdbchecksum",
        "rdbcompression",
        "repl-backlog-size",
        "repl-backlog-ttl",
        "repl-disable-tcp-nodelay",
        "repl-diskless-load",
        "repl-diskless-sync",
        "repl-diskless-sync-delay",
        "repl-diskless-sync-max-replicas",
        "repl-ping-replica-period",
        "repl-ping-slave-period",
        "repl-timeout",
        "replica-announce-ip",
        "replica-announce-port",
        "replica-announced",
        "replica-ignore-disk-write-errors",
        "replica-ignore-maxmemory",
        "replica-lazy-flush",
        "replica-priority",
        "replica-read-only",
        "replica-serve-stale-data",
        "replicaof",
        "requirepass",
        "sanitize-dump-payload",
        "save",
        "server_cpulist",
        "set-max-intset-entries",
        "set-proc-title",
        "shutdown-on-sigint",
        "shutdown-on-sigterm",
        "shutdown-timeout",
        "slave-announce-ip",
        "slave-announce-port",
        "slave-ignore-maxmemory",
        "slave-lazy-flush",
        "slave-priority",
        "slave-read-only",
        "slave-serve-stale-data",
        "slaveof",
        "slowlog-log-slower-than",
        "slowlog-max-len",
        "socket-mark-id",
        "stop-writes-on-bgsave-error",
        "stream-node-max-bytes",
        "stream-node-max-entries",
        "supervised",
        "syslog-enabled",
        "syslog-facility",
        "syslog-ident",
        "tcp-backlog",
        "tcp-keepalive",
        "timeout",
        "tls-auth-clients",
        "tls-ca-cert-dir",
        "tls-ca-cert-file",
        "tls-cert-file",
        "tls-ciphers",
        "tls-ciphersuites",
        "tls-client-cert-file",
        "tls-client-key-file",
        "tls-client-key-file-pass",
        "tls-cluster",
        "tls-dh-params-file",
        "tls-key-file",
        "tls-key-file-pass",
        "tls-port",
        "tls-prefer-server-ciphers",
        "tls-protocols",
        "tls-replication",
        "tls-session-cache-size",
        "tls-session-cache-timeout",
        "tls-session-caching",
        "tracking-table-max-keys",
        "unixsocket",
        "unixsocketperm",
        "use-exit-on-panic",
        "watchdog-period",
        "zset-max-listpack-entries",
        "zset-max-listpack-value",
        "zset-max-ziplist-entries",
        "zset-max-ziplist-value",
    ];

    #[test]
    fn every_redis_7_0_directive_is_known() {
        for name in REDIS_7_0_DIRECTIVES {
            assert!(
                lookup(name.as_bytes()).is_some(),
                "{name} missing from the table"
            );
        }
    }

    #[test]
    fn passive_bool_defaults_are_yes_or_no() {
        for d in TABLE {
            if let Kind::Passive {
                default,
                style: PassiveStyle::Bool,
            } = d.kind
            {
                assert!(default == "yes" || default == "no", "{}", d.name);
            }
        }
    }
}
