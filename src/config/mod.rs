//! Server configuration: `redis.conf` syntax, `--option value` command lines,
//! `CONFIG GET`, `CONFIG SET` and `CONFIG REWRITE`, all driven by one directive table
//! ([`table::TABLE`]) in the manner of Redis's `config.c`.
//!
//! * [`parse`]: line splitting and quoting (Redis's `sdssplitargs`), number and memory
//!   formats.
//! * [`table`]: one row per directive: name, alias, flags, type, how to reach its field.
//! * [`rewrite`]: CONFIG REWRITE, keeping the user's comments and order.
//!
//! Directives of Redis 7.0 that ferrodis does not implement are accepted, kept (CONFIG
//! GET shows them), logged once as ignored and listed in [`Config::ignored`]. A name
//! Redis 7.0 does not know either is a fatal error, as in Redis.
//!
//! Two deliberate differences from Redis: the default `bind` is `127.0.0.1` (Redis binds
//! every interface), and loading `dir` does not `chdir`: the path is checked and stored
//! absolute, and the server changes directory to it.

pub mod parse;
pub mod rewrite;
pub mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::util::glob::glob_match;
use parse::{c_strtoll_full, parse_i64_strict, parse_memory, parse_octal, split_args, trim_line};
use table::{
    Directive, Kind, NumUnit, PassiveStyle, Special, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED,
};

/// The Redis version quoted in fatal config errors (the version we are compatible with).
pub const REDIS_VERSION: &str = "7.0.15";

/// Most `bind` addresses Redis accepts.
const MAX_BIND_ADDRESSES: usize = 16;

/// Deepest chain of `include`s followed before giving up (a file including itself).
const MAX_INCLUDE_DEPTH: usize = 16;

/// Declares a config enum with its Redis names, in Redis's order.
macro_rules! config_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The names accepted in the config, in the order Redis lists them.
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The config spelling of this value.
            pub fn as_str(self) -> &'static str {
                Self::NAMES[self.index()]
            }

            /// Same as [`Self::as_str`].
            pub fn name(self) -> &'static str {
                self.as_str()
            }

            /// Position in [`Self::NAMES`].
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }

            /// The value at position `i` of [`Self::NAMES`] (the first one if out of range).
            pub fn from_index(i: usize) -> Self {
                Self::ALL.get(i).copied().unwrap_or(Self::ALL[0])
            }

            /// Parses a config spelling, case-insensitively.
            pub fn parse(s: &[u8]) -> Option<Self> {
                Self::NAMES
                    .iter()
                    .position(|n| s.eq_ignore_ascii_case(n.as_bytes()))
                    .map(Self::from_index)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

config_enum!(
    /// `loglevel`.
    LogLevel {
        Debug = "debug",
        Verbose = "verbose",
        Notice = "notice",
        Warning = "warning",
        /// Log nothing (Redis 7.2's addition).
        Nothing = "nothing",
    }
);

impl LogLevel {
    /// The `log` crate filter this level corresponds to.
    pub fn to_level_filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Debug => log::LevelFilter::Trace,
            LogLevel::Verbose => log::LevelFilter::Debug,
            LogLevel::Notice => log::LevelFilter::Info,
            LogLevel::Warning => log::LevelFilter::Warn,
            LogLevel::Nothing => log::LevelFilter::Off,
        }
    }
}

config_enum!(
    /// `acl-pubsub-default`: the channels a new user (or selector) starts with.
    AclPubsubDefault {
        ResetChannels = "resetchannels",
        AllChannels = "allchannels",
    }
);

/// A `user <name> <rules...>` line of the config file, applied when the server starts
/// (the command table is needed to check its rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDirective {
    /// The name and the rules.
    pub args: Vec<Vec<u8>>,
    /// The file and line it came from, for start-up errors.
    pub origin: String,
    pub line: usize,
}

config_enum!(
    /// `appendfsync`.
    AppendFsync {
        Everysec = "everysec",
        Always = "always",
        No = "no",
    }
);

config_enum!(
    /// `maxmemory-policy`.
    MaxmemoryPolicy {
        VolatileLru = "volatile-lru",
        VolatileLfu = "volatile-lfu",
        VolatileRandom = "volatile-random",
        VolatileTtl = "volatile-ttl",
        AllkeysLru = "allkeys-lru",
        AllkeysLfu = "allkeys-lfu",
        AllkeysRandom = "allkeys-random",
        NoEviction = "noeviction",
    }
);

config_enum!(
    /// `propagation-error-behavior`: what a replica (or the AOF loader) does when a
    /// command its master sent (or the file holds) fails.
    PropagationErrorBehavior {
        Ignore = "ignore",
        Panic = "panic",
        PanicOnReplicas = "panic-on-replicas",
    }
);

config_enum!(
    /// `oom-score-adj`: whether the server sets its own score for the kernel's OOM
    /// killer from `oom-score-adj-values`, added to the score it started with
    /// (`yes`, `relative`) or as is (`absolute`). As in Redis, `relative` is stored as
    /// `yes`, its first spelling.
    OomScoreAdj {
        No = "no",
        Yes = "yes",
        Relative = "relative",
        Absolute = "absolute",
    }
);

config_enum!(
    /// `repl-diskless-load`.
    ReplDisklessLoad {
        Disabled = "disabled",
        OnEmptyDb = "on-empty-db",
        Swapdb = "swapdb",
    }
);

/// One class of `client-output-buffer-limit`. Zero means "no limit".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObufLimit {
    /// Disconnect as soon as the output buffer exceeds this many bytes.
    pub hard_bytes: u64,
    /// Disconnect when the buffer stays above this many bytes...
    pub soft_bytes: u64,
    /// ...for this many seconds.
    pub soft_seconds: u64,
}

/// `client-output-buffer-limit` for the three client classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOutputBufferLimits {
    pub normal: ObufLimit,
    /// Replicas (`replica` or `slave` in the config).
    pub replica: ObufLimit,
    pub pubsub: ObufLimit,
}

impl Default for ClientOutputBufferLimits {
    fn default() -> Self {
        ClientOutputBufferLimits {
            normal: ObufLimit {
                hard_bytes: 0,
                soft_bytes: 0,
                soft_seconds: 0,
            },
            replica: ObufLimit {
                hard_bytes: 256 * 1024 * 1024,
                soft_bytes: 64 * 1024 * 1024,
                soft_seconds: 60,
            },
            pubsub: ObufLimit {
                hard_bytes: 32 * 1024 * 1024,
                soft_bytes: 8 * 1024 * 1024,
                soft_seconds: 60,
            },
        }
    }
}

/// Keyspace notification classes (`notify-keyspace-events`), Redis's bit values.
pub mod notify {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const KEYEVENT: u32 = 1 << 1;
    pub const GENERIC: u32 = 1 << 2;
    pub const STRING: u32 = 1 << 3;
    pub const LIST: u32 = 1 << 4;
    pub const SET: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const ZSET: u32 = 1 << 7;
    pub const EXPIRED: u32 = 1 << 8;
    pub const EVICTED: u32 = 1 << 9;
    pub const STREAM: u32 = 1 << 10;
    pub const KEY_MISS: u32 = 1 << 11;
    pub const MODULE: u32 = 1 << 13;
    pub const NEW: u32 = 1 << 14;
    /// What `A` stands for (note: not `m` nor `n`).
    pub const ALL: u32 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /// Parses a class string such as `"KEA"`; `None` on an unknown character.
    pub fn parse(classes: &[u8]) -> Option<u32> {
        classes.iter().try_fold(0u32, |flags, c| {
            let bit = match c {
                b'A' => ALL,
                b'g' => GENERIC,
                b'$' => STRING,
                b'l' => LIST,
                b's' => SET,
                b'h' => HASH,
                b'z' => ZSET,
                b'x' => EXPIRED,
                b'e' => EVICTED,
                b'K' => KEYSPACE,
                b'E' => KEYEVENT,
                b't' => STREAM,
                b'm' => KEY_MISS,
                b'd' => MODULE,
                b'n' => NEW,
                _ => return None,
            };
            Some(flags | bit)
        })
    }

    /// Formats flags in Redis's canonical order (`AKE`, `gxE`, ...).
    pub fn to_string(flags: u32) -> String {
        let mut s = String::new();
        if flags & ALL == ALL {
            s.push('A');
        } else {
            let classes = [
                (GENERIC, 'g'),
                (STRING, '$'),
                (LIST, 'l'),
                (SET, 's'),
                (HASH, 'h'),
                (ZSET, 'z'),
                (EXPIRED, 'x'),
                (EVICTED, 'e'),
                (STREAM, 't'),
                (MODULE, 'd'),
                (NEW, 'n'),
            ];
            s.extend(
                classes
                    .iter()
                    .filter(|(b, _)| flags & b != 0)
                    .map(|(_, c)| c),
            );
        }
        if flags & ALL == ALL && flags & NEW != 0 {
            s.push('n');
        }
        for (b, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
            if flags & b != 0 {
                s.push(c);
            }
        }
        s
    }
}

/// The server configuration. Fields are public and typed; defaults are Redis 7.0's
/// except `bind` (`127.0.0.1`). Names follow the directives (`-` becomes `_`).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    // --- network
    /// Addresses to listen on; a leading `-` marks an address that may be unavailable
    /// (see [`Config::bind_addresses`]). Empty: no TCP listener.
    pub bind: Vec<String>,
    pub protected_mode: bool,
    /// 0 disables the TCP listener.
    pub port: u16,
    pub tcp_backlog: i32,
    pub unixsocket: Option<String>,
    /// Permission bits of the unix socket (0 = leave the default).
    pub unixsocketperm: u32,
    /// Close idle clients after this many seconds (0 = never).
    pub timeout: u64,
    pub tcp_keepalive: u64,
    // --- general
    pub daemonize: bool,
    pub pidfile: Option<String>,
    pub loglevel: LogLevel,
    /// Empty: log to standard output.
    pub logfile: String,
    pub databases: usize,
    pub always_show_logo: bool,
    // --- snapshotting
    /// `save <seconds> <changes>` points; empty disables automatic snapshots.
    pub save_points: Vec<(u64, u64)>,
    pub stop_writes_on_bgsave_error: bool,
    pub rdbcompression: bool,
    pub rdbchecksum: bool,
    pub dbfilename: String,
    pub rdb_del_sync_files: bool,
    /// Working directory, absolute. Loading it does not change directory: the server does.
    pub dir: String,
    // --- replication
    /// `replicaof <host> <port>`; `None` for a master.
    pub replicaof: Option<(String, u16)>,
    pub masterauth: Option<Vec<u8>>,
    pub masteruser: Option<String>,
    pub replica_serve_stale_data: bool,
    pub replica_read_only: bool,
    pub repl_diskless_sync: bool,
    pub repl_diskless_sync_delay: u64,
    pub repl_diskless_sync_max_replicas: u64,
    pub repl_diskless_load: ReplDisklessLoad,
    pub propagation_error_behavior: PropagationErrorBehavior,
    pub oom_score_adj: OomScoreAdj,
    /// `oom-score-adj-values`: the scores of a master, a replica and (in Redis) a
    /// forked child, in that order.
    pub oom_score_adj_values: [i32; 3],
    pub repl_ping_replica_period: u64,
    pub repl_timeout: u64,
    pub repl_disable_tcp_nodelay: bool,
    pub repl_backlog_size: u64,
    pub repl_backlog_ttl: u64,
    /// Seconds a shutdown waits for lagging replicas (0: it does not wait).
    pub shutdown_timeout: u64,
    /// Microseconds the snapshot thread sleeps after each key it writes (a testing
    /// knob that makes saves slow on purpose; 0 or negative: none).
    pub rdb_key_save_delay: i64,
    /// Microseconds the loader sleeps after each key it reads (a testing knob, as
    /// Redis's key-load-delay: negative -N sleeps 1 us every N keys; 0: none).
    pub key_load_delay: i64,
    /// Bytes of an RDB loaded between two rounds of serving clients.
    pub loading_process_events_interval_bytes: i64,
    pub replica_priority: u64,
    pub replica_announce_ip: Option<String>,
    /// The local address a replica's link to its master is made from
    /// (`bind-source-addr`); the system picks one when unset.
    pub bind_source_addr: Option<String>,
    pub replica_announce_port: u16,
    pub min_replicas_to_write: u64,
    pub min_replicas_max_lag: u64,
    pub replica_lazy_flush: bool,
    // --- security
    pub requirepass: Option<Vec<u8>>,
    // --- clients and memory
    pub maxclients: u64,
    /// Bytes; 0 = no limit.
    pub maxmemory: u64,
    /// `maxmemory-clients`: what all normal and pub/sub clients together may use
    /// before the largest are closed (see [`Config::client_eviction_limit`]).
    pub maxmemory_clients: MemoryOrPercent,
    pub maxmemory_policy: MaxmemoryPolicy,
    pub maxmemory_samples: u64,
    /// `maxmemory-eviction-tenacity`, 0..=100: how long one eviction pass may run.
    pub maxmemory_eviction_tenacity: u32,
    pub lazyfree_lazy_eviction: bool,
    /// A replica leaves eviction to its master (the DELs it propagates).
    pub replica_ignore_maxmemory: bool,
    pub lazyfree_lazy_expire: bool,
    pub lazyfree_lazy_server_del: bool,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    // --- append only file
    pub appendonly: bool,
    pub appendfilename: String,
    pub appenddirname: String,
    pub appendfsync: AppendFsync,
    pub no_appendfsync_on_rewrite: bool,
    pub auto_aof_rewrite_percentage: u64,
    pub auto_aof_rewrite_min_size: u64,
    pub aof_load_truncated: bool,
    pub aof_use_rdb_preamble: bool,
    pub aof_timestamp_enabled: bool,
    // --- slow log, latency monitor, notifications
    /// Microseconds; -1 disables the slow log, 0 logs every command.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    /// Milliseconds; 0 disables the latency monitor.
    pub latency_monitor_threshold: u64,
    /// Keyspace notification classes, [`notify`] bit flags (0 = off).
    pub notify_keyspace_events: u32,
    // --- advanced
    /// Cron frequency, always within 1..=500.
    pub hz: u32,
    pub dynamic_hz: bool,
    /// `busy-poll-us` (ferrodis's own): how long a busy event loop polls without
    /// sleeping after a batch of events; 0 turns it off (see server::busy_poll).
    pub busy_poll_us: u64,
    /// `aclfile`: where ACL LOAD/SAVE read and write users ("" for none).
    pub aclfile: String,
    pub acllog_max_len: u64,
    pub acl_pubsub_default: AclPubsubDefault,
    /// `user` lines, in file order.
    pub users: Vec<UserDirective>,
    /// `tracking-table-max-keys`: keys remembered for client-side caching before the
    /// oldest are invalidated to make room (0: no limit).
    pub tracking_table_max_keys: u64,
    /// Milliseconds a script may run before other clients are answered -BUSY and
    /// SCRIPT KILL may stop it (0: never).
    pub busy_reply_threshold: i64,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    pub client_output_buffer_limit: ClientOutputBufferLimits,
    pub hash_max_listpack_entries: u64,
    /// Size limits of a stream's nodes (0: no limit of that kind).
    pub stream_node_max_bytes: u64,
    pub stream_node_max_entries: u64,
    pub hash_max_listpack_value: u64,
    pub list_max_listpack_size: i64,
    pub list_compress_depth: u64,
    pub set_max_intset_entries: u64,
    pub set_max_listpack_entries: u64,
    pub set_max_listpack_value: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub hll_sparse_max_bytes: u64,
    pub activerehashing: bool,
    /// `latency-tracking`: per-command latency histograms.
    pub latency_tracking: bool,
    /// `latency-tracking-info-percentiles`: the percentiles INFO latencystats prints.
    pub latency_tracking_info_percentiles: Vec<f64>,
    pub active_expire_effort: u32,
    pub lfu_log_factor: u64,
    pub lfu_decay_time: u64,
    // --- bookkeeping
    /// Absolute path of the config file the server was started with (CONFIG REWRITE
    /// target); `None` when started without one.
    pub config_file: Option<PathBuf>,
    /// Directives that were accepted but are not implemented, each listed once.
    pub ignored: Vec<String>,
    /// Values of the accepted-but-ignored Redis directives that differ from the default.
    passive: BTreeMap<&'static str, Vec<String>>,
    /// Whether a `save` line was already read during loading (the first one replaces
    /// the default save points, later ones add to them).
    save_loaded: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: vec!["127.0.0.1".to_string()],
            protected_mode: true,
            port: 6379,
            tcp_backlog: 511,
            unixsocket: None,
            unixsocketperm: 0,
            timeout: 0,
            tcp_keepalive: 300,
            daemonize: false,
            pidfile: None,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            databases: 16,
            always_show_logo: false,
            save_points: vec![(3600, 1), (300, 100), (60, 10000)],
            stop_writes_on_bgsave_error: true,
            rdbcompression: true,
            rdbchecksum: true,
            dbfilename: "dump.rdb".to_string(),
            rdb_del_sync_files: false,
            dir: std::env::current_dir()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_else(|_| ".".to_string()),
            replicaof: None,
            masterauth: None,
            masteruser: None,
            replica_serve_stale_data: true,
            replica_read_only: true,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            repl_diskless_sync_max_replicas: 0,
            repl_diskless_load: ReplDisklessLoad::Disabled,
            propagation_error_behavior: PropagationErrorBehavior::Ignore,
            oom_score_adj: OomScoreAdj::No,
            oom_score_adj_values: [0, 200, 800],
            repl_ping_replica_period: 10,
            repl_timeout: 60,
            repl_disable_tcp_nodelay: false,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            shutdown_timeout: 10,
            rdb_key_save_delay: 0,
            key_load_delay: 0,
            loading_process_events_interval_bytes: 2 * 1024 * 1024,
            replica_priority: 100,
            replica_announce_ip: None,
            bind_source_addr: None,
            replica_announce_port: 0,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            replica_lazy_flush: false,
            requirepass: None,
            maxclients: 10000,
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            lazyfree_lazy_eviction: false,
            replica_ignore_maxmemory: true,
            lazyfree_lazy_expire: false,
            lazyfree_lazy_server_del: false,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            appendonly: false,
            appendfilename: "appendonly.aof".to_string(),
            appenddirname: "appendonlydir".to_string(),
            appendfsync: AppendFsync::Everysec,
            no_appendfsync_on_rewrite: false,
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 * 1024 * 1024,
            aof_load_truncated: true,
            aof_use_rdb_preamble: true,
            aof_timestamp_enabled: false,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            notify_keyspace_events: 0,
            hz: 10,
            busy_poll_us: 200,
            aclfile: String::new(),
            acllog_max_len: 128,
            acl_pubsub_default: AclPubsubDefault::ResetChannels,
            users: Vec::new(),
            tracking_table_max_keys: 1_000_000,
            busy_reply_threshold: 5000,
            dynamic_hz: true,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            client_output_buffer_limit: ClientOutputBufferLimits::default(),
            hash_max_listpack_entries: 512,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            hash_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            hll_sparse_max_bytes: 3000,
            activerehashing: true,
            latency_tracking: true,
            maxmemory_clients: MemoryOrPercent::Bytes(0),
            latency_tracking_info_percentiles: vec![50.0, 99.0, 99.9],
            active_expire_effort: 1,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            config_file: None,
            ignored: Vec::new(),
            passive: BTreeMap::new(),
            save_loaded: false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Why a value or a line was refused. `Display` is Redis's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// A known directive with the wrong number of values.
    WrongArgCount,
    /// Unknown directive, or a file-only keyword with the wrong number of values.
    BadDirective,
    UnbalancedQuotes,
    NotYesNo,
    NotInteger,
    NotMemory,
    /// Not a memory amount nor a percentage.
    NotMemoryOrPercent,
    /// A percentage above 100.
    PercentTooHigh,
    NotOctal,
    /// Outside `min..=max` (printed in octal for octal directives).
    OutOfRange {
        min: i128,
        max: i128,
        octal: bool,
    },
    /// Not one of the enumeration's names.
    NotOneOf(&'static [&'static str]),
    InvalidSave,
    InvalidMasterPort,
    ObufArgCount,
    ObufClass,
    ObufValue,
    TooManyBindAddresses,
    NotifyClass,
    /// `dir` is not a usable directory; holds the system's reason.
    Dir(String),
    /// A directive-specific fixed message (file name checks).
    Invalid(&'static str),
    /// CONFIG SET on an immutable directive.
    Immutable,
    /// CONFIG SET on a protected directive while `enable-protected-configs` forbids it.
    Protected,
    /// The same directive twice in one CONFIG SET.
    Duplicate,
    /// `sentinel <...>` lines outside sentinel mode.
    SentinelDirective,
    /// `include` chains nested deeper than we follow.
    IncludeTooDeep,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValueError::*;
        match self {
            WrongArgCount => f.write_str("wrong number of arguments"),
            BadDirective => f.write_str("Bad directive or wrong number of arguments"),
            UnbalancedQuotes => f.write_str("Unbalanced quotes in configuration line"),
            NotYesNo => f.write_str("argument must be 'yes' or 'no'"),
            NotInteger => f.write_str("argument couldn't be parsed into an integer"),
            NotMemory => f.write_str("argument must be a memory value"),
            NotMemoryOrPercent => f.write_str("argument must be a memory or percent value"),
            PercentTooHigh => f.write_str("percentage argument must be less or equal to 100"),
            NotOctal => f.write_str("argument couldn't be parsed as an octal number"),
            OutOfRange {
                min,
                max,
                octal: true,
            } => write!(f, "argument must be between {min:o} and {max:o} inclusive"),
            OutOfRange { min, max, .. } => {
                write!(f, "argument must be between {min} and {max} inclusive")
            }
            NotOneOf(names) => write!(
                f,
                "argument(s) must be one of the following: {}",
                names.join(", ")
            ),
            InvalidSave => f.write_str("Invalid save parameters"),
            InvalidMasterPort => f.write_str("Invalid master port"),
            ObufArgCount => f.write_str("Wrong number of arguments in buffer limit configuration."),
            ObufClass => {
                f.write_str("Invalid client class specified in buffer limit configuration.")
            }
            ObufValue => f.write_str(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            ),
            TooManyBindAddresses => f.write_str("Too many bind addresses specified."),
            NotifyClass => f.write_str("Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
            Dir(reason) => f.write_str(reason),
            Invalid(msg) => f.write_str(msg),
            Immutable => f.write_str("can't set immutable config"),
            Protected => f.write_str("can't set protected config"),
            Duplicate => f.write_str("duplicate parameter"),
            SentinelDirective => f.write_str("sentinel directive while not in sentinel mode"),
            IncludeTooDeep => f.write_str("include nesting too deep (does a file include itself?)"),
        }
    }
}

impl std::error::Error for ValueError {}

/// A fatal error while loading the configuration (file, stdin or command line).
#[derive(Debug)]
pub enum ConfigError {
    /// A line was refused. `origin` is the file path (or a label in parentheses for the
    /// command line and stdin), `line` is 1-based, `text` the trimmed line.
    Line {
        origin: String,
        line: usize,
        text: String,
        reason: ValueError,
    },
    /// A config file (or an included one) could not be read.
    Open { path: PathBuf, source: io::Error },
    /// Standard input could not be read (config file `-`).
    Stdin(io::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Line {
                origin,
                line,
                text,
                reason,
            } => write!(
                f,
                "*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n\
                 Reading the configuration file {origin}, at line {line}\n\
                 >>> '{text}'\n\
                 {reason}"
            ),
            ConfigError::Open { path, source } => write!(
                f,
                "Fatal error, can't open config file '{}': {}",
                path.display(),
                strerror(source)
            ),
            ConfigError::Stdin(e) => {
                write!(
                    f,
                    "Fatal error, can't read config from stdin: {}",
                    strerror(e)
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why the server failed to put an accepted CONFIG SET value into effect (reported by
/// the server through [`ConfigSetError::ApplyFailed`] after it rolled back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyFailure {
    /// New `port` could not be listened on.
    Listen,
    /// New `bind` addresses could not be bound.
    Bind,
    /// `appendonly yes` could not start the AOF.
    AppendOnly,
    /// `dir` could not be entered.
    Chdir,
    /// `/proc/self/oom_score_adj` could not be read or written.
    OomScoreAdj,
}

impl fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApplyFailure::Listen => "Unable to listen on this port. Check server logs.",
            ApplyFailure::Bind => "Failed to bind to specified addresses.",
            ApplyFailure::AppendOnly => "Unable to turn on AOF. Check server logs.",
            ApplyFailure::Chdir => "No such file or directory",
            ApplyFailure::OomScoreAdj => "Failed to set current oom_score_adj. Check server logs.",
        })
    }
}

/// `oom-score-adj-values`: three scores, each within -2000..=2000 (Redis's range: the
/// sum with a relative base is clamped to the kernel's -1000..=1000 when applied).
fn parse_oom_score_adj_values(values: &[Vec<u8>]) -> Result<[i32; 3], ValueError> {
    if values.len() != 3 {
        return Err(ValueError::WrongArgCount);
    }
    let mut scores = [0i32; 3];
    for (score, v) in scores.iter_mut().zip(values) {
        *score = crate::util::numbers::parse_i64(v)
            .filter(|n| (-2000..=2000).contains(n))
            .ok_or(ValueError::Invalid(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
            ))? as i32;
    }
    // Kept anyway, as Redis keeps them: a privileged process may lower its score.
    if scores[1] < scores[0] || scores[2] < scores[1] {
        log::warn!(
            "The oom-score-adj-values configuration may not work for non-privileged processes! Please consult the documentation."
        );
    }
    Ok(scores)
}

/// The three scores as CONFIG GET and CONFIG REWRITE write them.
pub fn oom_score_adj_values_text(scores: &[i32; 3]) -> String {
    format!("{} {} {}", scores[0], scores[1], scores[2])
}

/// A refused CONFIG SET. `Display` is the error reply without the leading `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSetError {
    /// `ERR Unknown option or number of arguments for CONFIG SET - '<name>'`
    UnknownOption(String),
    /// `ERR CONFIG SET failed (possibly related to argument '<name>') - <reason>`
    Failed { name: String, reason: ValueError },
    /// Same text, for a value the server could not apply (after rolling back).
    ApplyFailed { name: String, reason: ApplyFailure },
}

impl fmt::Display for ConfigSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSetError::UnknownOption(name) => write!(
                f,
                "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
            ),
            ConfigSetError::Failed { name, reason } => write!(
                f,
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
            ),
            ConfigSetError::ApplyFailed { name, reason } => write!(
                f,
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
            ),
        }
    }
}

impl std::error::Error for ConfigSetError {}

/// A failed CONFIG REWRITE. `Display` is the error reply without the leading `-`.
#[derive(Debug)]
pub enum ConfigRewriteError {
    /// `ERR The server is running without a config file`
    NoConfigFile,
    /// `ERR Rewriting config file: <reason>`
    Io(io::Error),
}

impl fmt::Display for ConfigRewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigRewriteError::NoConfigFile => {
                f.write_str("ERR The server is running without a config file")
            }
            ConfigRewriteError::Io(e) => write!(f, "ERR Rewriting config file: {}", strerror(e)),
        }
    }
}

impl std::error::Error for ConfigRewriteError {}

/// The C `strerror` text of an I/O error (Rust's message without "(os error N)").
fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(cut) => s[..cut].to_string(),
        None => s,
    }
}

/// Lossy UTF-8 view of bytes, for messages and string fields.
fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------------------------------
// Loading: files, stdin, command line
// ---------------------------------------------------------------------------------------

/// Where a value being set comes from: loading (file, stdin, command line) or CONFIG SET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetMode {
    Load,
    ConfigSet,
}

impl Config {
    /// Parses argv (without the program name) like `redis-server`: an optional config
    /// file first (anything not starting with `-`; `-` as first or last argument reads
    /// the config from stdin), then `--name value...` options, each applied as the line
    /// `name value...` after the file, so they override it. `--save` with no value means
    /// `save ""`. Handle `-v`/`--help` before calling this.
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        let mut rest = args;
        if let Some(first) = args.first() {
            if !first.starts_with('-') {
                let path = std::path::absolute(first).unwrap_or_else(|_| PathBuf::from(first));
                cfg.config_file = Some(path);
                rest = &args[1..];
            }
        }
        let (options, from_stdin) = options_from_args(rest, rest.len() == args.len());
        if let Some(path) = cfg.config_file.clone() {
            cfg.load_file(&path)?;
        }
        if from_stdin {
            let mut text = Vec::new();
            io::stdin()
                .read_to_end(&mut text)
                .map_err(ConfigError::Stdin)?;
            log::warn!("Reading config from stdin");
            cfg.apply_bytes(&text, "(standard input)", 0)?;
        }
        if !options.is_empty() {
            cfg.apply_str(&options, "(command line arguments)")?;
        }
        Ok(cfg)
    }

    /// Reads and applies a config file (`include`s are followed in place). Errors name
    /// the file and line. Does not set [`Config::config_file`].
    pub fn load_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        self.load_file_at_depth(path, 0)
    }

    /// Applies config text (several lines). `origin` names it in error messages.
    pub fn apply_str(&mut self, text: &str, origin: &str) -> Result<(), ConfigError> {
        self.apply_bytes(text.as_bytes(), origin, 0)
    }

    /// Reads one file and applies it; `depth` counts enclosing `include`s.
    fn load_file_at_depth(&mut self, path: &Path, depth: usize) -> Result<(), ConfigError> {
        let text = std::fs::read(path).map_err(|source| ConfigError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        self.apply_bytes(&text, &path.display().to_string(), depth)
    }

    /// Applies config text line by line, stopping at the first bad line.
    fn apply_bytes(&mut self, text: &[u8], origin: &str, depth: usize) -> Result<(), ConfigError> {
        for (index, raw) in text.split(|&b| b == b'\n').enumerate() {
            let line = trim_line(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            match self.apply_line(line, origin, index + 1, depth) {
                Ok(()) => {}
                Err(LineError::Nested(inner)) => return Err(*inner),
                Err(LineError::Reason(reason)) => {
                    return Err(ConfigError::Line {
                        origin: origin.to_string(),
                        line: index + 1,
                        text: lossy(line),
                        reason,
                    })
                }
            }
        }
        Ok(())
    }

    /// Applies one non-empty, non-comment line.
    fn apply_line(
        &mut self,
        line: &[u8],
        origin: &str,
        lineno: usize,
        depth: usize,
    ) -> Result<(), LineError> {
        let mut args = split_args(line, true).ok_or(ValueError::UnbalancedQuotes)?;
        // ACL rules start with `#` (password hashes), which must not begin a comment.
        if args
            .first()
            .is_some_and(|f| f.eq_ignore_ascii_case(b"user"))
        {
            args = split_args(line, false).ok_or(ValueError::UnbalancedQuotes)?;
        }
        let Some(first) = args.first() else {
            return Ok(());
        };
        let name = first.to_ascii_lowercase();
        if let Some((d, _)) = table::lookup(&name) {
            return Ok(self.apply_loaded_directive(d, &args, origin, lineno)?);
        }
        self.apply_keyword(&name, &args, origin, lineno, depth)
    }

    /// Applies a table directive read while loading.
    fn apply_loaded_directive(
        &mut self,
        d: &'static Directive,
        args: &[Vec<u8>],
        origin: &str,
        lineno: usize,
    ) -> Result<(), ValueError> {
        let multi = d.has(MULTI_ARG);
        if !multi && args.len() != 2 {
            return Err(ValueError::WrongArgCount);
        }
        if multi && args.len() == 2 && !args[1].is_empty() {
            // `--save "900 1"` arrives as one quoted value: split it again.
            let values = split_args(&args[1], false).ok_or(ValueError::UnbalancedQuotes)?;
            self.set_values(d, &values, SetMode::Load)?;
        } else {
            self.set_values(d, &args[1..], SetMode::Load)?;
        }
        if d.is_passive() {
            self.note_ignored(d.name, origin, lineno);
        }
        Ok(())
    }

    /// Handles the keywords that are not table directives (include, rename-command,
    /// user, loadmodule, sentinel, deprecated names); anything else is a bad directive.
    fn apply_keyword(
        &mut self,
        name: &[u8],
        args: &[Vec<u8>],
        origin: &str,
        lineno: usize,
        depth: usize,
    ) -> Result<(), LineError> {
        let argc = args.len();
        match name {
            b"include" if argc == 2 => self.include(&args[1], depth),
            b"rename-command" if argc == 3 => {
                self.note_ignored("rename-command", origin, lineno);
                Ok(())
            }
            b"user" if argc >= 2 => {
                self.users.push(UserDirective {
                    args: args[1..].to_vec(),
                    origin: origin.to_string(),
                    line: lineno,
                });
                Ok(())
            }
            b"loadmodule" if argc >= 2 => {
                self.note_ignored(&lossy(name), origin, lineno);
                Ok(())
            }
            b"sentinel" if argc == 1 => Ok(()),
            b"sentinel" => Err(ValueError::SentinelDirective.into()),
            _ if argc == 2 && table::DEPRECATED.iter().any(|d| d.as_bytes() == name) => {
                self.note_ignored(&lossy(name), origin, lineno);
                Ok(())
            }
            _ => Err(ValueError::BadDirective.into()),
        }
    }

    /// Records (and logs, the first time) a directive that is accepted but ignored.
    fn note_ignored(&mut self, name: &str, origin: &str, lineno: usize) {
        if !self.ignored.iter().any(|n| n == name) {
            log::warn!(
                "{origin}:{lineno}: '{name}' is accepted for compatibility but not implemented by ferrodis; ignored"
            );
            self.ignored.push(name.to_string());
        }
    }

    /// Processes `include <path>`: a glob pattern includes every match (none is fine),
    /// a plain path must exist. Relative paths are relative to the current directory.
    fn include(&mut self, path: &[u8], depth: usize) -> Result<(), LineError> {
        if depth + 1 > MAX_INCLUDE_DEPTH {
            return Err(ValueError::IncludeTooDeep.into());
        }
        let path_str = lossy(path);
        let files = if path.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            expand_glob(&path_str)
        } else {
            vec![PathBuf::from(&path_str)]
        };
        for file in files {
            self.load_file_at_depth(&file, depth + 1)
                .map_err(|e| LineError::Nested(Box::new(e)))?;
        }
        Ok(())
    }
}

/// Why a line failed: its own reason, or an included file's error, which must reach
/// the caller unchanged (it names the included file and line).
enum LineError {
    Reason(ValueError),
    Nested(Box<ConfigError>),
}

impl From<ValueError> for LineError {
    fn from(reason: ValueError) -> Self {
        LineError::Reason(reason)
    }
}

/// Builds the option lines Redis appends after the config file from `--name value`
/// arguments; `first_is_argv1` says whether `args[0]` is the first argument overall
/// (for the stdin `-` rule). Returns the text and whether to read stdin.
fn options_from_args(args: &[String], first_is_argv1: bool) -> (String, bool) {
    let mut options = String::new();
    let mut from_stdin = false;
    let mut handled_last = true;
    let last = args.len().saturating_sub(1);
    for (j, arg) in args.iter().enumerate() {
        if arg == "-" && ((j == 0 && first_is_argv1) || j == last) {
            from_stdin = true;
        } else if handled_last && arg.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&arg[2..]);
            options.push(' ');
            let words = split_args(arg.as_bytes(), false).map_or(0, |v| v.len());
            if words == 1 {
                handled_last = false;
                let next_is_option = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
                if arg.eq_ignore_ascii_case("--save") && (next_is_option || j == last) {
                    options.push_str("\"\"");
                    handled_last = true;
                } else if arg.eq_ignore_ascii_case("--sentinel") && next_is_option {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            options.push_str(&parse::repr(arg.as_bytes()));
            options.push(' ');
            handled_last = true;
        }
    }
    (options, from_stdin)
}

/// Expands an `include` glob (wildcards allowed in any path component) into the
/// matching files, sorted, like glob(3); no match gives an empty list.
fn expand_glob(pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let mut candidates = vec![if absolute {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    }];
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in components.iter().enumerate() {
        let is_last = i + 1 == components.len();
        let mut next = Vec::new();
        for base in &candidates {
            if !comp.contains(['*', '?', '[']) {
                next.push(base.join(comp));
                continue;
            }
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || comp.starts_with('.'))
                .filter(|n| glob_match(comp.as_bytes(), n.as_bytes(), false))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| base.join(n)));
        }
        candidates = next;
        if is_last {
            candidates.retain(|p| p.exists());
        }
    }
    candidates
}

// ---------------------------------------------------------------------------------------
// Setting values (shared by loading and CONFIG SET)
// ---------------------------------------------------------------------------------------

/// Why `activedefrag yes` is refused. There is no active defragmentation, and Redis
/// built without its patched jemalloc refuses the same value with these words (the
/// Debian/Ubuntu package does, in a config file and in CONFIG SET), so clients and
/// scripts see one answer.
const NO_ACTIVE_DEFRAG: &str = "Active defragmentation cannot be enabled: it requires a \
    Redis server compiled with a modified Jemalloc like the one shipped by default with \
    the Redis source distribution";

/// The flags of `shutdown-on-sigint` or `shutdown-on-sigterm`: at least one, each a
/// known one, read back once each in Redis's order (it keeps them as bits).
fn shutdown_flags(values: &[String]) -> Result<Vec<String>, ValueError> {
    const FLAGS: &[&str] = &["default", "save", "nosave", "now", "force"];
    let mut set = [false; FLAGS.len()];
    for v in values {
        let i = FLAGS
            .iter()
            .position(|f| v.eq_ignore_ascii_case(f))
            .ok_or(ValueError::NotOneOf(FLAGS))?;
        set[i] = true;
    }
    if values.is_empty() {
        return Err(ValueError::NotOneOf(FLAGS));
    }
    Ok(FLAGS
        .iter()
        .zip(set)
        .filter(|(_, on)| *on)
        .map(|(f, _)| f.to_string())
        .collect())
}

impl Config {
    /// Validates `values` for directive `d` and stores them; on error nothing changes.
    fn set_values(
        &mut self,
        d: &'static Directive,
        values: &[Vec<u8>],
        mode: SetMode,
    ) -> Result<(), ValueError> {
        let single = || -> Result<&[u8], ValueError> {
            match values {
                [v] => Ok(v.as_slice()),
                _ => Err(ValueError::WrongArgCount),
            }
        };
        match &d.kind {
            Kind::Bool { set, .. } => {
                let v = parse_yes_no(single()?)?;
                set(self, v);
            }
            Kind::Num {
                unit,
                min,
                max,
                set,
                ..
            } => {
                let v = parse_number(*unit, single()?)?;
                if v < *min || v > *max {
                    return Err(ValueError::OutOfRange {
                        min: *min,
                        max: *max,
                        octal: *unit == NumUnit::Octal,
                    });
                }
                set(self, v);
            }
            Kind::Str {
                empty_is_none,
                check,
                set,
                ..
            } => {
                let v = single()?;
                if let Some(check) = check {
                    check(v)?;
                }
                let stored = if *empty_is_none && v.is_empty() {
                    None
                } else {
                    Some(v.to_vec())
                };
                set(self, stored);
            }
            Kind::Enum { names, set, .. } => {
                let v = single()?;
                let i = names
                    .iter()
                    .position(|n| v.eq_ignore_ascii_case(n.as_bytes()))
                    .ok_or(ValueError::NotOneOf(names))?;
                set(self, i);
            }
            Kind::Special(which) => self.set_special(*which, values, mode)?,
            Kind::Passive { default, style } => {
                let stored: Vec<String> = match style {
                    PassiveStyle::Bool => vec![yes_no(parse_yes_no(single()?)?).to_string()],
                    PassiveStyle::Memory => vec![normalize_memory_or_percent(single()?)?],
                    PassiveStyle::Text => values.iter().map(|v| lossy(v)).collect(),
                };
                let stored = if d.name.starts_with("shutdown-on-sig") {
                    shutdown_flags(&stored)?
                } else {
                    stored
                };
                if d.name == "activedefrag" && stored == ["yes"] {
                    return Err(ValueError::Invalid(NO_ACTIVE_DEFRAG));
                }
                if stored.join(" ") == *default {
                    self.passive.remove(d.name);
                } else {
                    self.passive.insert(d.name, stored);
                }
            }
        }
        Ok(())
    }

    /// Sets one of the hand-written directives.
    fn set_special(
        &mut self,
        which: Special,
        values: &[Vec<u8>],
        mode: SetMode,
    ) -> Result<(), ValueError> {
        match which {
            Special::Save => self.set_save(values, mode),
            Special::Bind => {
                if values.len() > MAX_BIND_ADDRESSES {
                    return Err(ValueError::TooManyBindAddresses);
                }
                self.bind = match values {
                    [only] if only.is_empty() => Vec::new(),
                    _ => values.iter().map(|v| lossy(v)).collect(),
                };
                Ok(())
            }
            Special::ReplicaOf => {
                let [host, port] = values else {
                    return Err(ValueError::WrongArgCount);
                };
                if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
                    self.replicaof = None;
                    return Ok(());
                }
                let port = c_strtoll_full(port, 10)
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or(ValueError::InvalidMasterPort)?;
                self.replicaof = Some((lossy(host), port));
                Ok(())
            }
            Special::ClientOutputBufferLimit => self.set_obuf_limits(values),
            Special::NotifyKeyspaceEvents => {
                let [classes] = values else {
                    return Err(ValueError::WrongArgCount);
                };
                self.notify_keyspace_events =
                    notify::parse(classes).ok_or(ValueError::NotifyClass)?;
                Ok(())
            }
            Special::Dir => {
                let [dir] = values else {
                    return Err(ValueError::WrongArgCount);
                };
                self.dir = resolve_dir(&lossy(dir))?;
                Ok(())
            }
            Special::OomScoreAdjValues => {
                self.oom_score_adj_values = parse_oom_score_adj_values(values)?;
                Ok(())
            }
            Special::MaxmemoryClients => {
                let [v] = values else {
                    return Err(ValueError::WrongArgCount);
                };
                self.maxmemory_clients = parse_memory_or_percent(v)?;
                Ok(())
            }
            Special::LatencyTrackingInfoPercentiles => {
                // A single empty argument means no percentiles.
                if let [only] = values {
                    if only.is_empty() {
                        self.latency_tracking_info_percentiles = Vec::new();
                        return Ok(());
                    }
                }
                let mut percentiles = Vec::with_capacity(values.len());
                for v in values {
                    let p = crate::util::numbers::parse_f64(v).ok_or(ValueError::Invalid(
                        "Invalid latency-tracking-info-percentiles parameters",
                    ))?;
                    if !(0.0..=100.0).contains(&p) {
                        return Err(ValueError::Invalid(
                            "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
                        ));
                    }
                    percentiles.push(p);
                }
                self.latency_tracking_info_percentiles = percentiles;
                Ok(())
            }
        }
    }

    /// `save`: pairs of seconds (>= 1) and changes (>= 0), or `""` for none. While
    /// loading, the first `save` line replaces the defaults and later ones add points;
    /// CONFIG SET replaces them all.
    fn set_save(&mut self, values: &[Vec<u8>], mode: SetMode) -> Result<(), ValueError> {
        let values = match values {
            // A lone "" clears every save point, even those of earlier lines (as Redis).
            [only] if only.is_empty() => {
                self.save_points.clear();
                self.save_loaded = true;
                &[][..]
            }
            _ => values,
        };
        if !values.len().is_multiple_of(2) {
            return Err(ValueError::InvalidSave);
        }
        let mut points = Vec::with_capacity(values.len() / 2);
        for pair in values.chunks(2) {
            let secs = c_strtoll_full(&pair[0], 10).filter(|s| *s >= 1);
            let changes = c_strtoll_full(&pair[1], 10).filter(|c| *c >= 0);
            match (secs, changes) {
                (Some(s), Some(c)) => points.push((s.unsigned_abs(), c.unsigned_abs())),
                _ => return Err(ValueError::InvalidSave),
            }
        }
        let replace = match mode {
            SetMode::ConfigSet => true,
            SetMode::Load => !std::mem::replace(&mut self.save_loaded, true),
        };
        if replace {
            self.save_points.clear();
        }
        self.save_points.extend(points);
        Ok(())
    }

    /// `client-output-buffer-limit <class> <hard> <soft> <seconds>...`: all groups are
    /// checked before any is stored.
    fn set_obuf_limits(&mut self, values: &[Vec<u8>]) -> Result<(), ValueError> {
        if !values.len().is_multiple_of(4) {
            return Err(ValueError::ObufArgCount);
        }
        let mut limits = self.client_output_buffer_limit;
        for group in values.chunks(4) {
            let class = group[0].to_ascii_lowercase();
            let hard = parse_memory(&group[1]);
            let soft = parse_memory(&group[2]);
            let secs = c_strtoll_full(&group[3], 10).filter(|s| *s >= 0);
            let slot = match class.as_slice() {
                b"normal" => &mut limits.normal,
                b"replica" | b"slave" => &mut limits.replica,
                b"pubsub" => &mut limits.pubsub,
                _ => return Err(ValueError::ObufClass),
            };
            match (hard, soft, secs) {
                (Some(hard_bytes), Some(soft_bytes), Some(s)) => {
                    *slot = ObufLimit {
                        hard_bytes,
                        soft_bytes,
                        soft_seconds: s.unsigned_abs(),
                    }
                }
                _ => return Err(ValueError::ObufValue),
            }
        }
        self.client_output_buffer_limit = limits;
        Ok(())
    }
}

/// Parses `yes`/`no`, case-insensitively.
fn parse_yes_no(v: &[u8]) -> Result<bool, ValueError> {
    if v.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else if v.eq_ignore_ascii_case(b"no") {
        Ok(false)
    } else {
        Err(ValueError::NotYesNo)
    }
}

/// A memory amount as a byte count, or a percentage (`10%`) kept as written.
fn normalize_memory_or_percent(v: &[u8]) -> Result<String, ValueError> {
    parse_memory_or_percent(v).map(|m| m.to_string())
}

/// A memory amount (`1mb`, `4096`) or a percentage of `maxmemory` (`0%`..`100%`).
fn parse_memory_or_percent(v: &[u8]) -> Result<MemoryOrPercent, ValueError> {
    if let Some(bytes) = parse_memory(v) {
        return Ok(MemoryOrPercent::Bytes(bytes));
    }
    match v.strip_suffix(b"%").and_then(parse_i64_strict) {
        Some(p) if p > 100 => Err(ValueError::PercentTooHigh),
        Some(p) if p >= 0 => Ok(MemoryOrPercent::Percent(p as u8)),
        _ => Err(ValueError::NotMemoryOrPercent),
    }
}

/// A directive's value that is a byte count or a percentage of `maxmemory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryOrPercent {
    Bytes(u64),
    /// 0 to 100.
    Percent(u8),
}

impl std::fmt::Display for MemoryOrPercent {
    /// CONFIG GET's text: the byte count, or the percentage with its `%`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MemoryOrPercent::Bytes(n) => write!(f, "{n}"),
            MemoryOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl Config {
    /// The `maxmemory-clients` limit in bytes, or None when client eviction is off
    /// (0, or a percentage without `maxmemory`). Never under 128 KiB, so that a bad
    /// setting cannot cut every connection off (Redis's getClientEvictionLimit).
    pub fn client_eviction_limit(&self) -> Option<u64> {
        const FLOOR: u64 = 128 * 1024;
        let bytes = match self.maxmemory_clients {
            MemoryOrPercent::Bytes(0) | MemoryOrPercent::Percent(0) => return None,
            MemoryOrPercent::Bytes(n) => n,
            MemoryOrPercent::Percent(_) if self.maxmemory == 0 => return None,
            MemoryOrPercent::Percent(p) => (self.maxmemory as f64 * p as f64 / 100.0) as u64,
        };
        Some(bytes.max(FLOOR))
    }
}

/// Parses a numeric directive's value in its unit (bounds are checked by the caller).
fn parse_number(unit: NumUnit, v: &[u8]) -> Result<i128, ValueError> {
    match unit {
        NumUnit::Int => parse_i64_strict(v)
            .map(i128::from)
            .ok_or(ValueError::NotInteger),
        NumUnit::Memory => parse_memory(v).map(i128::from).ok_or(ValueError::NotMemory),
        NumUnit::Octal => parse_octal(v).map(i128::from).ok_or(ValueError::NotOctal),
    }
}

/// Checks that `dir` is an existing directory and returns its absolute, canonical form.
fn resolve_dir(dir: &str) -> Result<String, ValueError> {
    let path = std::fs::canonicalize(dir).map_err(|e| ValueError::Dir(strerror(&e)))?;
    if !path.is_dir() {
        return Err(ValueError::Dir("Not a directory".to_string()));
    }
    Ok(path.to_string_lossy().into_owned())
}

// ---------------------------------------------------------------------------------------
// CONFIG GET / CONFIG SET
// ---------------------------------------------------------------------------------------

impl Config {
    /// CONFIG GET for one pattern: every `(name, value)` whose name (or alias) matches
    /// the Redis glob `pattern`, case-insensitively. A pattern without `*`, `?` or `[`
    /// is an exact lookup that answers under the name as given (hidden directives
    /// included). Values are formatted as Redis prints them.
    pub fn get_matching(&self, pattern: &[u8]) -> Vec<(String, String)> {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            return table::lookup(pattern)
                .map(|(d, _)| vec![(lossy(pattern), self.value_of(d))])
                .unwrap_or_default();
        }
        let mut out = Vec::new();
        for d in table::TABLE.iter().filter(|d| !d.has(HIDDEN)) {
            for name in std::iter::once(d.name).chain(d.alias) {
                if glob_match(pattern, name.as_bytes(), true) {
                    out.push((name.to_string(), self.value_of(d)));
                }
            }
        }
        out
    }

    /// CONFIG GET with several patterns: the union of [`Config::get_matching`], each
    /// name once, in first-match order.
    pub fn get_many(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for p in patterns {
            for (name, value) in self.get_matching(p) {
                if !out.iter().any(|(n, _)| *n == name) {
                    out.push((name, value));
                }
            }
        }
        out
    }

    /// The CONFIG GET value of one directive by exact name or alias.
    pub fn get(&self, name: &str) -> Option<String> {
        table::lookup(name.as_bytes()).map(|(d, _)| self.value_of(d))
    }

    /// Formats a directive's current value as CONFIG GET prints it.
    fn value_of(&self, d: &Directive) -> String {
        match &d.kind {
            Kind::Bool { get, .. } => yes_no(get(self)).to_string(),
            Kind::Num { unit, get, .. } => match unit {
                NumUnit::Octal => format!("{:o}", get(self)),
                _ => get(self).to_string(),
            },
            Kind::Str { get, .. } => get(self).map(|v| lossy(&v)).unwrap_or_default(),
            Kind::Enum { names, get, .. } => {
                names.get(get(self)).copied().unwrap_or("").to_string()
            }
            Kind::Special(which) => self.special_value(*which),
            Kind::Passive { default, .. } => self
                .passive
                .get(d.name)
                .map(|v| v.join(" "))
                .unwrap_or_else(|| (*default).to_string()),
        }
    }

    /// CONFIG GET text of a hand-written directive.
    fn special_value(&self, which: Special) -> String {
        match which {
            Special::Save => self
                .save_points
                .iter()
                .map(|(s, c)| format!("{s} {c}"))
                .collect::<Vec<_>>()
                .join(" "),
            Special::Bind => self.bind.join(" "),
            Special::ReplicaOf => self
                .replicaof
                .as_ref()
                .map(|(h, p)| format!("{h} {p}"))
                .unwrap_or_default(),
            Special::ClientOutputBufferLimit => {
                let l = &self.client_output_buffer_limit;
                [
                    ("normal", l.normal),
                    ("slave", l.replica),
                    ("pubsub", l.pubsub),
                ]
                .iter()
                .map(|(n, o)| format!("{n} {} {} {}", o.hard_bytes, o.soft_bytes, o.soft_seconds))
                .collect::<Vec<_>>()
                .join(" ")
            }
            Special::NotifyKeyspaceEvents => notify::to_string(self.notify_keyspace_events),
            Special::Dir => self.dir.clone(),
            Special::MaxmemoryClients => self.maxmemory_clients.to_string(),
            Special::OomScoreAdjValues => oom_score_adj_values_text(&self.oom_score_adj_values),
            Special::LatencyTrackingInfoPercentiles => self
                .latency_tracking_info_percentiles
                .iter()
                .map(|&p| format_percentile(p))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// CONFIG SET from a client that is not on a local connection: see
    /// [`Config::set_from_client`].
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, ConfigSetError> {
        self.set_from_client(pairs, false)
    }

    /// CONFIG SET `name value [name value ...]`, atomically: every name is checked
    /// (unknown, immutable, protected, duplicate) before anything changes, then values
    /// are set in order and, if one is refused, all are rolled back. Returns the
    /// canonical names whose value actually changed; the server then applies them
    /// (listen on a new `port`, rebind, chdir to `dir`, start or stop the AOF, resize
    /// the backlog...) and reports a failure with [`ConfigSetError::ApplyFailed`] after
    /// restoring a clone of the previous config. `client_is_local` matters only when
    /// `enable-protected-configs` is `local`.
    pub fn set_from_client(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        client_is_local: bool,
    ) -> Result<Vec<&'static str>, ConfigSetError> {
        let resolved = self.resolve_set_names(pairs, client_is_local)?;
        let before = self.clone();
        let mut changed = Vec::new();
        for SetRequest {
            directive: d,
            used_name,
            value,
        } in resolved
        {
            let old = self.value_of(d);
            let values: Vec<Vec<u8>> = if d.has(MULTI_ARG) {
                split_on_spaces(value)
            } else {
                vec![value.to_vec()]
            };
            if let Err(reason) = self.set_values(d, &values, SetMode::ConfigSet) {
                *self = before;
                return Err(ConfigSetError::Failed {
                    name: used_name.to_string(),
                    reason,
                });
            }
            if d.is_passive() {
                log::warn!(
                    "CONFIG SET {}: accepted but not implemented by ferrodis",
                    d.name
                );
            }
            if self.value_of(d) != old && !changed.contains(&d.name) {
                changed.push(d.name);
            }
        }
        Ok(changed)
    }

    /// First CONFIG SET pass: maps each name to its directive, refusing unknown,
    /// immutable, protected and repeated ones (the first problem in order wins).
    fn resolve_set_names<'a>(
        &self,
        pairs: &[(&'a [u8], &'a [u8])],
        client_is_local: bool,
    ) -> Result<Vec<SetRequest<'a>>, ConfigSetError> {
        let mut resolved: Vec<SetRequest<'a>> = Vec::new();
        for &(name, value) in pairs {
            let (d, used_name) =
                table::lookup(name).ok_or_else(|| ConfigSetError::UnknownOption(lossy(name)))?;
            let refuse = |reason| ConfigSetError::Failed {
                name: lossy(name),
                reason,
            };
            if d.has(IMMUTABLE) {
                return Err(refuse(ValueError::Immutable));
            }
            if d.has(PROTECTED) && !self.protected_configs_allowed(client_is_local) {
                return Err(refuse(ValueError::Protected));
            }
            if resolved.iter().any(|r| std::ptr::eq(r.directive, d)) {
                return Err(refuse(ValueError::Duplicate));
            }
            resolved.push(SetRequest {
                directive: d,
                used_name,
                value,
            });
        }
        Ok(resolved)
    }

    /// Whether `enable-protected-configs` lets this client change `dir`/`dbfilename`.
    fn protected_configs_allowed(&self, client_is_local: bool) -> bool {
        match self.get("enable-protected-configs").as_deref() {
            Some("yes") => true,
            Some("local") => client_is_local,
            _ => false,
        }
    }

    /// The `bind` addresses without their `-` prefix, each with whether it is optional
    /// (a `-` address that cannot be bound is skipped instead of failing startup).
    pub fn bind_addresses(&self) -> Vec<(&str, bool)> {
        self.bind
            .iter()
            .map(|a| match a.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (a.as_str(), false),
            })
            .collect()
    }
}

/// One validated `name value` pair of a CONFIG SET.
struct SetRequest<'a> {
    directive: &'static Directive,
    /// The name it was found under (alias or canonical), lower-case.
    used_name: &'static str,
    value: &'a [u8],
}

/// Whether a directive holds a secret (redact its value in logs, slowlog, MONITOR).
pub fn is_sensitive(name: &[u8]) -> bool {
    table::lookup(name).is_some_and(|(d, _)| d.has(table::SENSITIVE))
}

/// Splits a CONFIG SET value of a multi-argument directive on single spaces, as Redis
/// does (`""` gives no values; two spaces give an empty value).
fn split_on_spaces(v: &[u8]) -> Vec<Vec<u8>> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(|&b| b == b' ').map(<[u8]>::to_vec).collect()
}

/// `yes` or `no`.
fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A percentile as Redis prints it: C's `%f`, trailing zeros and point trimmed
/// (`99.9`, `50`).
pub fn format_percentile(p: f64) -> String {
    let text = format!("{p:.6}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Applies `text` to a default config.
    fn load(text: &str) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        c.apply_str(text, "test.conf")?;
        Ok(c)
    }

    /// The reason a one-line config is refused.
    fn reason(text: &str) -> ValueError {
        match load(text) {
            Err(ConfigError::Line { reason, .. }) => reason,
            other => panic!("{text:?} should fail, got {other:?}"),
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<Vec<&'static str>, ConfigSetError> {
        let pairs: Vec<(&[u8], &[u8])> = pairs
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        c.set(&pairs)
    }

    #[test]
    fn defaults_are_redis_defaults_except_bind() {
        let c = Config::default();
        assert_eq!(c.port, 6379);
        assert_eq!(c.bind, ["127.0.0.1"]);
        assert_eq!(c.save_points, [(3600, 1), (300, 100), (60, 10000)]);
        assert_eq!(c.get("save").unwrap(), "3600 1 300 100 60 10000");
        assert_eq!(c.get("maxmemory-policy").unwrap(), "noeviction");
        assert_eq!(c.get("client-query-buffer-limit").unwrap(), "1073741824");
        assert_eq!(
            c.get("client-output-buffer-limit").unwrap(),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(c.get("io-threads").unwrap(), "1");
        assert!(c.ignored.is_empty());
    }

    #[test]
    fn typed_values_quoting_and_case() {
        let c = load(concat!(
            "# a comment\n",
            "   \n",
            "PORT 7000\n",
            "  Bind 127.0.0.1 -::1  \n",
            "requirepass \"p@ss w\\x30rd\\n\"\n",
            "masterauth 'it\\'s'\n",
            "loglevel WARNING\n",
            "appendfsync Always\n",
            "daemonize YES\n",
            "unixsocket /tmp/r.sock\n",
            "unixsocketperm 700\n",
            "slaveof 10.0.0.1 6380\n",
            "hash-max-ziplist-entries 77\n",
            "notify-keyspace-events KEA\n",
        ))
        .unwrap();
        assert_eq!(c.port, 7000);
        assert_eq!(c.bind, ["127.0.0.1", "-::1"]);
        assert_eq!(c.bind_addresses(), [("127.0.0.1", false), ("::1", true)]);
        assert_eq!(c.requirepass.as_deref(), Some(&b"p@ss w0rd\n"[..]));
        assert_eq!(c.masterauth.as_deref(), Some(&b"it's"[..]));
        assert_eq!(c.loglevel, LogLevel::Warning);
        assert_eq!(c.appendfsync, AppendFsync::Always);
        assert!(c.daemonize);
        assert_eq!(c.unixsocket.as_deref(), Some("/tmp/r.sock"));
        assert_eq!(c.unixsocketperm, 0o700);
        assert_eq!(c.get("unixsocketperm").unwrap(), "700");
        assert_eq!(c.replicaof, Some(("10.0.0.1".to_string(), 6380)));
        assert_eq!(c.hash_max_listpack_entries, 77);
        assert_eq!(c.get("notify-keyspace-events").unwrap(), "AKE");
        assert_eq!(
            c.notify_keyspace_events,
            notify::ALL | notify::KEYSPACE | notify::KEYEVENT
        );
    }

    #[test]
    fn inline_comments_after_the_first_value() {
        let c = load("requirepass 123456 # password\nport 7001 #the port\n").unwrap();
        assert_eq!(c.requirepass.as_deref(), Some(&b"123456"[..]));
        assert_eq!(c.port, 7001);
        let c = load("requirepass \"#x\"\n").unwrap();
        assert_eq!(c.requirepass.as_deref(), Some(&b"#x"[..]));
        let c = load("save 900 1 # don't \"forget\n").unwrap();
        assert_eq!(c.save_points, [(900, 1)]);
    }

    #[test]
    fn memory_units() {
        let c = load("maxmemory 1k\nrepl-backlog-size 1kb\nproto-max-bulk-len 2mb\n").unwrap();
        assert_eq!(c.maxmemory, 1000);
        assert_eq!(c.repl_backlog_size, 1024);
        assert_eq!(c.proto_max_bulk_len, 2 * 1024 * 1024);
        let c = load("maxmemory 1M\nclient-query-buffer-limit 1GB\n").unwrap();
        assert_eq!(c.maxmemory, 1_000_000);
        assert_eq!(c.client_query_buffer_limit, 1 << 30);
        let c = load("maxmemory 3g\nhash-max-listpack-value 1KB\n").unwrap();
        assert_eq!(c.maxmemory, 3_000_000_000);
        assert_eq!(c.hash_max_listpack_value, 1024);
        let c =
            load("client-output-buffer-limit replica 512mb 128mb 30 pubsub 1gb 1k 0\n").unwrap();
        let l = c.client_output_buffer_limit;
        assert_eq!(
            (
                l.replica.hard_bytes,
                l.replica.soft_bytes,
                l.replica.soft_seconds
            ),
            (512 << 20, 128 << 20, 30)
        );
        assert_eq!((l.pubsub.hard_bytes, l.pubsub.soft_bytes), (1 << 30, 1000));
        assert_eq!(l.normal, ClientOutputBufferLimits::default().normal);
    }

    #[test]
    fn save_lines_replace_the_default_then_accumulate() {
        let c = load("save 900 1\nsave 300 10\n").unwrap();
        assert_eq!(c.save_points, [(900, 1), (300, 10)]);
        let c = load("save \"\"\n").unwrap();
        assert!(c.save_points.is_empty());
        assert_eq!(c.get("save").unwrap(), "");
        let c = load("save 3600 1 300 100\n").unwrap();
        assert_eq!(c.save_points, [(3600, 1), (300, 100)]);
        let c = load("save \"60 5 10 1\"\n").unwrap();
        assert_eq!(c.save_points, [(60, 5), (10, 1)]);
        let c = load("save 900 1\nsave \"\"\n").unwrap();
        assert!(
            c.save_points.is_empty(),
            "an empty save line clears earlier ones"
        );
        let c = load("save \"\"\nsave 900 1\n").unwrap();
        assert_eq!(c.save_points, [(900, 1)]);
    }

    #[test]
    fn bad_values_are_refused_with_redis_reasons() {
        use ValueError::*;
        let cases: &[(&str, ValueError)] = &[
            ("port abc", NotInteger),
            (
                "port 70000",
                OutOfRange {
                    min: 0,
                    max: 65535,
                    octal: false,
                },
            ),
            ("port 007", NotInteger),
            ("port", WrongArgCount),
            ("port 1 2", WrongArgCount),
            ("maxmemory 10x", NotMemory),
            ("maxmemory -1", NotMemory),
            ("daemonize maybe", NotYesNo),
            ("loglevel loud", NotOneOf(LogLevel::NAMES)),
            ("unixsocketperm 999", NotOctal),
            (
                "unixsocketperm 1000",
                OutOfRange {
                    min: 0,
                    max: 0o777,
                    octal: true,
                },
            ),
            (
                "databases 0",
                OutOfRange {
                    min: 1,
                    max: i128::from(i32::MAX),
                    octal: false,
                },
            ),
            ("save 10", InvalidSave),
            ("save 0 1", InvalidSave),
            ("save 10 -1", InvalidSave),
            ("save 1x 2", InvalidSave),
            ("replicaof host 99999", InvalidMasterPort),
            ("replicaof host", WrongArgCount),
            ("client-output-buffer-limit normal 1 2", ObufArgCount),
            ("client-output-buffer-limit master 1 2 3", ObufClass),
            ("client-output-buffer-limit normal 1 2 x", ObufValue),
            ("notify-keyspace-events Q", NotifyClass),
            (
                "dbfilename a/b.rdb",
                Invalid("dbfilename can't be a path, just a filename"),
            ),
            (
                "appendfilename \"\"",
                Invalid("appendfilename can't be empty"),
            ),
            (
                "dir /definitely/not/here",
                Dir("No such file or directory".into()),
            ),
            ("requirepass \"abc", UnbalancedQuotes),
            ("requirepass \"abc\"def", UnbalancedQuotes),
            ("no-such-directive 1", BadDirective),
            ("rename-command CONFIG", BadDirective),
            ("sentinel monitor m 127.0.0.1 6379 2", SentinelDirective),
            ("syslog-enabled perhaps", NotYesNo),
        ];
        for (line, expected) in cases {
            assert_eq!(&reason(line), expected, "{line}");
        }
        let bind17 = format!("bind {}", vec!["127.0.0.1"; 17].join(" "));
        assert_eq!(reason(&bind17), TooManyBindAddresses);
    }

    #[test]
    fn error_names_file_line_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.conf");
        fs::write(&path, "# header\nport 6380\n\n  maxmemory 12parsecs  \n").unwrap();
        let err = Config::default().load_file(&path).unwrap_err();
        let ConfigError::Line {
            origin,
            line,
            text,
            reason,
        } = &err
        else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(origin, &path.display().to_string());
        assert_eq!(*line, 4);
        assert_eq!(text, "maxmemory 12parsecs");
        assert_eq!(reason, &ValueError::NotMemory);
        assert_eq!(
            err.to_string(),
            format!(
                "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n\
                 Reading the configuration file {}, at line 4\n\
                 >>> 'maxmemory 12parsecs'\n\
                 argument must be a memory value",
                path.display()
            )
        );
        let missing = dir.path().join("missing.conf");
        let err = Config::default().load_file(&missing).unwrap_err();
        assert!(matches!(err, ConfigError::Open { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "Fatal error, can't open config file '{}': No such file or directory",
                missing.display()
            )
        );
    }

    /// A relative spelling of `abs`, as seen from the current directory.
    fn relative_from_cwd(abs: &Path) -> String {
        let cwd = std::env::current_dir().unwrap();
        let ups = cwd.components().count() - 1;
        format!(
            "{}{}",
            "../".repeat(ups),
            abs.display().to_string().trim_start_matches('/')
        )
    }

    #[test]
    fn include_in_place_relative_and_glob() {
        let dir = tempfile::tempdir().unwrap();
        let inc = dir.path().join("inc.conf");
        fs::write(&inc, "port 7100\nmaxmemory 1mb\n").unwrap();
        let confd = dir.path().join("conf.d");
        fs::create_dir(&confd).unwrap();
        fs::write(confd.join("a.conf"), "hz 20\n").unwrap();
        fs::write(confd.join("b.conf"), "hz 30\ntimeout 5\n").unwrap();
        fs::write(confd.join("skip.txt"), "hz 99\n").unwrap();
        let main = dir.path().join("main.conf");
        fs::write(
            &main,
            format!(
                "port 7000\ninclude {}\nmaxmemory 2mb\ninclude {}/*.conf\ninclude {}/nothing-*.conf\n",
                relative_from_cwd(&inc),
                confd.display(),
                confd.display()
            ),
        )
        .unwrap();
        let mut c = Config::default();
        c.load_file(&main).unwrap();
        assert_eq!(c.port, 7100, "included after port 7000");
        assert_eq!(c.maxmemory, 2 * 1024 * 1024, "line after include wins");
        assert_eq!(c.hz, 30, "glob matches load in sorted order");
        assert_eq!(c.timeout, 5);
    }

    #[test]
    fn include_errors_name_the_included_file() {
        let dir = tempfile::tempdir().unwrap();
        let inc = dir.path().join("inc.conf");
        fs::write(&inc, "\nport high\n").unwrap();
        let err = load(&format!("include {}\n", inc.display())).unwrap_err();
        match err {
            ConfigError::Line { origin, line, .. } => {
                assert_eq!(origin, inc.display().to_string());
                assert_eq!(line, 2);
            }
            other => panic!("{other:?}"),
        }
        let err = load(&format!("include {}/missing.conf\n", dir.path().display())).unwrap_err();
        assert!(matches!(err, ConfigError::Open { .. }), "{err:?}");
        let selfinc = dir.path().join("self.conf");
        fs::write(&selfinc, format!("include {}\n", selfinc.display())).unwrap();
        let err = Config::default().load_file(&selfinc).unwrap_err();
        assert!(
            matches!(
                &err,
                ConfigError::Line {
                    reason: ValueError::IncludeTooDeep,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn unimplemented_redis_directives_are_accepted_and_listed_once() {
        let c = load(concat!(
            "io-threads 4\n",
            "io-threads 2\n",
            "rename-command FLUSHALL \"\"\n",
            "user default on nopass ~* &* +@all\n",
            "activedefrag no\n",
            "jemalloc-bg-thread yes\n",
            "list-max-ziplist-entries 512\n",
            "sentinel\n",
        ))
        .unwrap();
        assert_eq!(
            c.ignored,
            [
                "io-threads",
                "rename-command",
                "activedefrag",
                "jemalloc-bg-thread",
                "list-max-ziplist-entries"
            ]
        );
        assert_eq!(c.users.len(), 1, "user lines are kept for the ACL");
        assert_eq!(c.get("io-threads").unwrap(), "2");
        assert_eq!(c.get("activedefrag").unwrap(), "no");
    }

    #[test]
    fn activedefrag_yes_is_refused_as_redis_without_defrag_refuses_it() {
        let err = load("activedefrag yes\n").unwrap_err().to_string();
        assert!(
            err.contains("Active defragmentation cannot be enabled"),
            "{err}"
        );
        let mut c = Config::default();
        let err = set(&mut c, &[("activedefrag", "yes")]).unwrap_err();
        assert!(
            format!("{err:?}").contains("Active defragmentation"),
            "{err:?}"
        );
        assert_eq!(c.get("activedefrag").unwrap(), "no");
        set(&mut c, &[("activedefrag", "no")]).unwrap();
    }

    #[test]
    fn command_line_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.conf");
        fs::write(&path, "port 6390\nsave 900 1\nmaxmemory 1mb\n").unwrap();
        let c = Config::from_args(&args(&[
            path.to_str().unwrap(),
            "--port",
            "7000",
            "--save",
            "60 5",
            "--bind",
            "127.0.0.1 ::1",
            "--requirepass",
            "--weird",
        ]))
        .unwrap();
        assert_eq!(c.config_file.as_deref(), Some(path.as_path()));
        assert_eq!(c.port, 7000);
        assert_eq!(
            c.save_points,
            [(900, 1), (60, 5)],
            "as Redis: later save lines add"
        );
        assert_eq!(c.bind, ["127.0.0.1", "::1"]);
        assert_eq!(c.maxmemory, 1024 * 1024);
        assert_eq!(c.requirepass.as_deref(), Some(&b"--weird"[..]));
    }

    #[test]
    fn command_line_multi_value_forms() {
        let c = Config::from_args(&args(&["--save", "900", "1", "--save", "300", "10"])).unwrap();
        assert_eq!(c.save_points, [(900, 1), (300, 10)]);
        assert!(c.config_file.is_none());
        let c = Config::from_args(&args(&["--save", "--port", "7001"])).unwrap();
        assert!(c.save_points.is_empty());
        assert_eq!(c.port, 7001);
        let c = Config::from_args(&args(&["--port", "7002", "--save"])).unwrap();
        assert!(c.save_points.is_empty());
        let c = Config::from_args(&args(&["--save", ""])).unwrap();
        assert!(c.save_points.is_empty());
        let c = Config::from_args(&args(&["--port 7003", "--loglevel", "debug"])).unwrap();
        assert_eq!((c.port, c.loglevel), (7003, LogLevel::Debug));
        let c = Config::from_args(&args(&["--requirepass", "a b\"c"])).unwrap();
        assert_eq!(c.requirepass.as_deref(), Some(&b"a b\"c"[..]));
        assert_eq!(Config::from_args(&[]).unwrap(), Config::default());
    }

    #[test]
    fn command_line_errors_quote_the_generated_line() {
        let err = Config::from_args(&args(&["--port", "70000"])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(">>> 'port \"70000\"'"), "{text}");
        assert!(
            text.ends_with("argument must be between 0 and 65535 inclusive"),
            "{text}"
        );
        let err = Config::from_args(&args(&["--foo", "bar"])).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("Bad directive or wrong number of arguments"));
    }

    #[test]
    fn stock_debian_redis_conf_loads() {
        let path = Path::new("/etc/redis/redis.conf");
        if !path.exists() {
            println!("note: {} absent, skipping", path.display());
            return;
        }
        if !Path::new("/var/lib/redis").is_dir() {
            println!("note: /var/lib/redis absent (the file's dir), skipping");
            return;
        }
        let c = Config::from_args(&args(&[path.to_str().unwrap()])).unwrap();
        assert!(c.daemonize);
        assert_eq!(c.pidfile.as_deref(), Some("/run/redis/redis-server.pid"));
        assert_eq!(c.logfile, "/var/log/redis/redis-server.log");
        assert_eq!(c.dir, "/var/lib/redis");
        assert_eq!(c.bind, ["127.0.0.1", "-::1"]);
        assert!(c.ignored.iter().any(|n| n == "jemalloc-bg-thread"));
    }

    #[test]
    fn project_redis_conf_loads_with_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("redis.conf");
        let mut c = Config::default();
        c.load_file(&path).unwrap();
        let expected = Config::default();
        assert_eq!(c.get_matching(b"*"), expected.get_matching(b"*"));
        assert!(
            c.ignored.is_empty(),
            "sample config uses only implemented directives"
        );
    }

    #[test]
    fn get_matching_patterns() {
        let c = Config::default();
        let names = |p: &str| -> Vec<String> {
            c.get_matching(p.as_bytes())
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(
            names("*max*listpack*"),
            [
                "hash-max-listpack-entries",
                "hash-max-listpack-value",
                "list-max-listpack-size",
                "set-max-listpack-entries",
                "set-max-listpack-value",
                "zset-max-listpack-entries",
                "zset-max-listpack-value"
            ]
        );
        assert_eq!(
            c.get_matching(b"MAXMEMORY"),
            [("MAXMEMORY".to_string(), "0".to_string())]
        );
        assert_eq!(names("slaveof"), ["slaveof"]);
        assert_eq!(
            names("repl*-ping-*"),
            ["repl-ping-replica-period", "repl-ping-slave-period"]
        );
        assert_eq!(names("p?rt"), ["port"]);
        assert_eq!(names("[pq]ort"), ["port"]);
        assert!(names("nothing-like-this*").is_empty());
        assert!(names("watchdog*").is_empty(), "hidden from patterns");
        assert_eq!(
            names("watchdog-period"),
            ["watchdog-period"],
            "but not from exact names"
        );
        assert!(names("no-such-config").is_empty());
        let all = names("*");
        assert!(all.contains(&"tls-port".to_string()) && all.contains(&"bind".to_string()));
        let many = c.get_many(&[b"port", b"po*", b"hz"]);
        assert_eq!(
            many,
            [
                ("port".to_string(), "6379".to_string()),
                ("hz".to_string(), "10".to_string())
            ]
        );
    }

    #[test]
    fn set_applies_and_reports_changes() {
        let mut c = Config::default();
        let changed = set(
            &mut c,
            &[("maxmemory", "10mb"), ("hz", "20"), ("port", "6379")],
        )
        .unwrap();
        assert_eq!(
            changed,
            ["maxmemory", "hz"],
            "unchanged port is not reported"
        );
        assert_eq!(c.maxmemory, 10 * 1024 * 1024);
        assert_eq!(c.get("maxmemory").unwrap(), "10485760");
        set(&mut c, &[("save", "900 1  300 2")]).unwrap_err();
        set(&mut c, &[("save", "900 1 300 2")]).unwrap();
        assert_eq!(c.save_points, [(900, 1), (300, 2)]);
        set(&mut c, &[("save", "")]).unwrap();
        assert!(c.save_points.is_empty());
        set(&mut c, &[("hz", "1000")]).unwrap();
        assert_eq!(c.get("hz").unwrap(), "500");
        set(
            &mut c,
            &[("SLAVE-READ-ONLY", "no"), ("appendfsync", "Always")],
        )
        .unwrap();
        assert!(!c.replica_read_only);
        assert_eq!(c.get("appendfsync").unwrap(), "always");
        set(&mut c, &[("notify-keyspace-events", "KEA")]).unwrap();
        assert_eq!(c.get("notify-keyspace-events").unwrap(), "AKE");
        set(
            &mut c,
            &[("client-output-buffer-limit", "replica 1mb 2kb 3")],
        )
        .unwrap();
        assert_eq!(
            c.get("client-output-buffer-limit").unwrap(),
            "normal 0 0 0 slave 1048576 2048 3 pubsub 33554432 8388608 60"
        );
        set(&mut c, &[("bind", "")]).unwrap();
        assert!(c.bind.is_empty());
        set(&mut c, &[("requirepass", "")]).unwrap();
        assert_eq!(c.requirepass, None);
        set(&mut c, &[("maxmemory-clients", "10%")]).unwrap();
        assert_eq!(
            set(&mut c, &[("maxmemory-clients", "101%")]).unwrap_err().to_string(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"
        );
        assert_eq!(
            set(&mut c, &[("maxmemory-clients", "-5%")]).unwrap_err().to_string(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"
        );
        assert_eq!(c.get("maxmemory-clients").unwrap(), "10%");
    }

    #[test]
    fn set_error_texts_match_redis() {
        let mut c = Config::default();
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("foo", "1")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (
                &[("port", "abc")],
                "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
            ),
            (
                &[("Databases", "3")],
                "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config",
            ),
            (
                &[("maxmemory", "1x")],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            ),
            (
                &[("maxmemory", "10mb"), ("hz", "20"), ("foo", "1")],
                "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
            ),
            (
                &[("maxmemory", "1"), ("maxmemory", "2")],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
            ),
            (
                &[("SLAVE-READ-ONLY", "maybe")],
                "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'",
            ),
            (
                &[("dir", "/tmp")],
                "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
            ),
            (
                &[("maxmemory-policy", "foo")],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
            ),
            (
                &[("slowlog-log-slower-than", "-2")],
                "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive",
            ),
            (
                &[("proto-max-bulk-len", "100")],
                "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive",
            ),
            (
                &[("replicaof", "a 1")],
                "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config",
            ),
            (
                &[("io-threads", "2")],
                "ERR CONFIG SET failed (possibly related to argument 'io-threads') - can't set immutable config",
            ),
        ];
        for (pairs, text) in cases {
            let err = set(&mut c, pairs).unwrap_err();
            assert_eq!(err.to_string(), *text, "{pairs:?}");
        }
        assert_eq!(c, Config::default(), "failed CONFIG SETs change nothing");
        let e = ConfigSetError::ApplyFailed {
            name: "port".into(),
            reason: ApplyFailure::Listen,
        };
        assert_eq!(
            e.to_string(),
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
        );
    }

    #[test]
    fn set_is_atomic() {
        let mut c = Config::default();
        let before = c.clone();
        let err = set(
            &mut c,
            &[
                ("maxmemory", "5"),
                ("save", "1 2"),
                ("maxmemory-policy", "bad"),
            ],
        )
        .unwrap_err();
        assert!(
            matches!(err, ConfigSetError::Failed { ref name, .. } if name == "maxmemory-policy")
        );
        assert_eq!(c, before);
        assert_eq!(c.maxmemory, 0);
    }

    #[test]
    fn protected_configs_follow_enable_protected_configs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_string();
        let mut c = load("enable-protected-configs local\n").unwrap();
        let pairs: [(&[u8], &[u8]); 1] = [(b"dir", d.as_bytes())];
        assert!(c.set_from_client(&pairs, false).is_err());
        assert_eq!(c.set_from_client(&pairs, true).unwrap(), ["dir"]);
        assert_eq!(Path::new(&c.dir), fs::canonicalize(dir.path()).unwrap());
        let mut c = load("enable-protected-configs yes\n").unwrap();
        let err = set(&mut c, &[("dir", "/no/such/dir")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        let err = set(&mut c, &[("dbfilename", "a/b")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
        );
    }

    #[test]
    fn sensitive_directives() {
        assert!(is_sensitive(b"requirepass"));
        assert!(is_sensitive(b"MASTERAUTH"));
        assert!(!is_sensitive(b"port"));
    }

    #[test]
    fn rewrite_without_config_file() {
        let err = Config::default().rewrite(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ERR The server is running without a config file"
        );
    }

    #[test]
    fn rewrite_keeps_comments_and_order_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("redis.conf");
        let original = format!(
            concat!(
                "# My server\n",
                "port 6380 # inline note\n",
                "\n",
                "\n",
                "# persistence\n",
                "save 900 1\n",
                "save 300 10\n",
                "save 60 10000\n",
                "dir {dir}\n",
                "rename-command FLUSHALL \"\"\n",
                "totally-unknown 1\n",
                "hash-max-ziplist-entries 100\n",
                "maxmemory 2mb\n",
                "maxmemory 3mb\n",
                "io-threads 4\n",
            ),
            dir = dir.path().display()
        );
        fs::write(&path, original.replace("totally-unknown 1\n", "")).unwrap();
        let mut c = Config::from_args(&args(&[path.to_str().unwrap()])).unwrap();
        set(
            &mut c,
            &[
                ("port", "7777"),
                ("save", "100 1"),
                ("maxmemory", "64mb"),
                ("appendonly", "yes"),
                ("requirepass", "s3 cret"),
                ("hash-max-listpack-entries", "200"),
            ],
        )
        .unwrap();
        // Add a line the loader would refuse, to see it commented out.
        let with_unknown = fs::read_to_string(&path).unwrap() + "totally-unknown 1\n";
        fs::write(&path, with_unknown).unwrap();
        c.rewrite(None).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let canonical_dir = fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            &lines[..9],
            &[
                "# My server",
                "port 7777",
                "",
                "# persistence",
                "save 100 1",
                "",
                &format!("dir \"{}\"", canonical_dir.display()),
                "rename-command FLUSHALL \"\"",
                "hash-max-listpack-entries 200",
            ]
        );
        assert_eq!(lines[9], "maxmemory 64mb");
        assert_eq!(lines[10], "", "duplicate maxmemory line blanked");
        assert_eq!(lines[11], "io-threads 4");
        assert_eq!(lines[12], "# ??? totally-unknown 1");
        assert_eq!(lines[13], "", "a blank line sets the generated part apart");
        let tail = &lines[14..];
        assert_eq!(tail[0], rewrite::SIGNATURE);
        assert!(tail.contains(&"appendonly yes"), "{tail:?}");
        assert!(tail.contains(&"requirepass \"s3 cret\""), "{tail:?}");
        assert!(!text.contains("maxmemory-policy"), "defaults stay absent");
        assert_eq!(text.matches(rewrite::SIGNATURE).count(), 1);

        // Reloading the rewritten file gives back the same values.
        let mut back = Config::from_args(&args(&[path.to_str().unwrap()])).unwrap();
        back.ignored.clone_from(&c.ignored);
        assert_eq!(back.get_matching(b"*"), c.get_matching(b"*"));

        // A second rewrite with no changes leaves the file as it is.
        back.rewrite(None).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn rewrite_of_missing_file_writes_non_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.conf");
        let mut c = Config {
            config_file: Some(path.clone()),
            ..Config::default()
        };
        set(
            &mut c,
            &[("maxmemory", "1000"), ("jemalloc-bg-thread", "no")],
        )
        .unwrap();
        c.rewrite(None).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let expected_start = format!("{}\n", rewrite::SIGNATURE);
        assert!(text.starts_with(&expected_start), "{text}");
        for line in [
            "maxmemory 1000",
            "jemalloc-bg-thread no",
            "save 3600 1",
            "save 300 100",
            "save 60 10000",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in {text}"
            );
        }
        assert!(text.contains("\ndir \""));
        let mut back = Config::default();
        back.load_file(&path).unwrap();
        back.config_file = Some(path);
        back.ignored.clear();
        let mut expect = c.clone();
        expect.ignored.clear();
        assert_eq!(back.get_matching(b"*"), expect.get_matching(b"*"));
    }

    #[test]
    fn rewrite_formats_special_directives() {
        let mut c = load(concat!(
            "save \"\"\n",
            "bind 10.0.0.1 -::1\n",
            "replicaof 10.0.0.2 6390\n",
            "client-output-buffer-limit pubsub 64mb 16mb 90\n",
            "notify-keyspace-events Ex\n",
            "unixsocketperm 755\n",
            "oom-score-adj-values 1 2 3\n",
            "proc-title-template \"{title} x\"\n",
            "stream-node-max-bytes 8kb\n",
            "maxmemory-clients 5%\n",
            "hz 0\n",
        ))
        .unwrap();
        assert_eq!(c.get("stream-node-max-bytes").unwrap(), "8192");
        assert_eq!(c.get("maxmemory-clients").unwrap(), "5%");
        assert_eq!(c.hz, 1, "hz is clamped to 1..=500");
        c.requirepass = Some(b"\x01\"".to_vec());
        let text = c.rewrite_content(b"");
        for line in [
            "save \"\"",
            "bind 10.0.0.1 -::1",
            "replicaof 10.0.0.2 6390",
            "client-output-buffer-limit pubsub 64mb 16mb 90",
            "notify-keyspace-events \"xE\"",
            "unixsocketperm 755",
            "oom-score-adj-values 1 2 3",
            "proc-title-template \"{title} x\"",
            "requirepass \"\\x01\\\"\"",
            "stream-node-max-bytes 8kb",
            "maxmemory-clients 5%",
            "hz 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(!text.contains("client-output-buffer-limit normal"));
        let mut back = Config::default();
        back.apply_str(&text, "rewritten").unwrap();
        back.ignored.clone_from(&c.ignored);
        assert_eq!(back, c);
    }
}
