//! INFO: the text of each section, with Redis 7.0's section headers, field names, field
//! order and CRLF line ends, since monitoring tools and client libraries parse it.
//!
//! Also the process measurements INFO and MEMORY share: allocator statistics from
//! jemalloc, the resident set size from `/proc`, and CPU times from `getrusage`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use super::{Client, Server};
use crate::commands::connection::REDIS_COMPAT_VERSION;
use crate::util::time;

/// Sections `INFO` and `INFO default` print.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections an INFO request asked for.
#[derive(Debug, Clone, Default)]
pub struct InfoRequest {
    /// `all` or `everything` was given: every section.
    all: bool,
    /// Lower-cased section names given (defaults expanded).
    names: BTreeSet<String>,
}

impl InfoRequest {
    /// Parses INFO's arguments (after the command name), as Redis's genInfoSectionDict:
    /// none means the default sections; `default`, `all` and `everything` are keywords;
    /// other names are matched case-insensitively.
    pub fn parse(args: &[Vec<u8>]) -> InfoRequest {
        let mut req = InfoRequest::default();
        if args.is_empty() {
            req.add_defaults();
            return req;
        }
        for arg in args {
            let name = String::from_utf8_lossy(arg).to_ascii_lowercase();
            match name.as_str() {
                "default" => req.add_defaults(),
                "all" | "everything" => req.all = true,
                _ => {
                    req.names.insert(name);
                }
            }
        }
        req
    }

    fn add_defaults(&mut self) {
        for s in DEFAULT_SECTIONS {
            self.names.insert((*s).to_string());
        }
    }

    /// Whether section `name` (or its alias) is to be printed.
    fn wants(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }
}

/// Builds the INFO text for `req`. `caller` is the client running the command (taken out
/// of the client table while it executes), so its buffers count in the clients section.
pub fn generate(srv: &Server, caller: Option<&Client>, req: &InfoRequest) -> String {
    let mut out = InfoText::default();
    if req.wants("server") {
        server_section(&mut out, srv);
    }
    if req.wants("clients") {
        clients_section(&mut out, srv, caller);
    }
    if req.wants("memory") {
        memory_section(&mut out, srv, caller);
    }
    if req.wants("persistence") {
        persistence_section(&mut out, srv);
    }
    if req.wants("stats") {
        stats_section(&mut out, srv);
    }
    if req.wants("replication") {
        replication_section(&mut out, srv);
    }
    if req.wants("cpu") {
        cpu_section(&mut out);
    }
    if req.wants("module_list") || req.wants("modules") {
        out.header("Modules");
    }
    if req.wants("commandstats") {
        commandstats_section(&mut out, srv);
    }
    if req.wants("errorstats") {
        errorstats_section(&mut out, srv);
    }
    if req.wants("latencystats") {
        latencystats_section(&mut out, srv);
    }
    if req.wants("cluster") {
        out.header("Cluster");
        out.field("cluster_enabled", 0);
    }
    if req.wants("keyspace") {
        keyspace_section(&mut out, srv);
    }
    out.text
}

/// The text being built: sections are separated by an empty line.
#[derive(Default)]
struct InfoText {
    text: String,
    sections: usize,
}

impl InfoText {
    /// Starts a section with its `# Name` line.
    fn header(&mut self, name: &str) {
        if self.sections > 0 {
            self.text.push_str("\r\n");
        }
        self.sections += 1;
        let _ = write!(self.text, "# {}\r\n", name);
    }

    /// Appends `name:value`.
    fn field(&mut self, name: &str, value: impl std::fmt::Display) {
        let _ = write!(self.text, "{}:{}\r\n", name, value);
    }

    /// Appends `name:value` with the value printed with two decimals.
    fn field2(&mut self, name: &str, value: f64) {
        let _ = write!(self.text, "{}:{:.2}\r\n", name, value);
    }
}

/// Replaces the characters that would break INFO's line format (`#`, `:`, CR, LF) with
/// `_`, as Redis does for command names and error codes.
pub fn safe_info_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '#' | ':' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn server_section(out: &mut InfoText, srv: &Server) {
    let now_us = time::now_us();
    let uptime = (now_us / 1000 - srv.start_ms).max(0) / 1000;
    out.header("Server");
    out.field("redis_version", REDIS_COMPAT_VERSION);
    out.field("ferrodis_version", env!("CARGO_PKG_VERSION"));
    out.field("redis_git_sha1", "00000000");
    out.field("redis_git_dirty", 0);
    out.field("redis_build_id", build_id());
    out.field("redis_mode", "standalone");
    out.field("os", os_name());
    out.field("arch_bits", usize::BITS);
    out.field("monotonic_clock", "POSIX clock_gettime");
    out.field("multiplexing_api", "epoll");
    out.field("atomicvar_api", "c11-builtin");
    out.field("gcc_version", "0.0.0");
    out.field("process_id", std::process::id());
    out.field("process_supervised", "no");
    out.field("run_id", &srv.run_id);
    out.field("tcp_port", srv.config.port);
    out.field("server_time_usec", now_us);
    out.field("uptime_in_seconds", uptime);
    out.field("uptime_in_days", uptime / 86400);
    out.field("hz", srv.config.hz);
    out.field("configured_hz", srv.config.hz);
    out.field("lru_clock", time::lru_clock(now_us / 1000));
    out.field("executable", executable());
    let config_file = srv
        .config
        .config_file
        .as_ref()
        .map(|p| absolute(p).display().to_string())
        .unwrap_or_default();
    out.field("config_file", config_file);
    out.field("io_threads_active", 0);
    if let Some(ms) = srv.shutdown_in_ms() {
        out.field("shutdown_in_milliseconds", ms);
    }
}

/// A stable 16-hex-digit id of this build (Redis prints a hash of its build).
fn build_id() -> String {
    let crc = crc::Crc::<u64>::new(&crc::CRC_64_REDIS);
    let id = concat!(env!("CARGO_PKG_NAME"), "-", env!("CARGO_PKG_VERSION"));
    format!("{:x}", crc.checksum(id.as_bytes()))
}

/// `sysname release machine`, as uname(2) gives them (read from /proc).
fn os_name() -> &'static str {
    static OS: OnceLock<String> = OnceLock::new();
    OS.get_or_init(|| {
        let read = |path: &str, default: &str| {
            std::fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| default.to_string())
        };
        format!(
            "{} {} {}",
            read("/proc/sys/kernel/ostype", "Linux"),
            read("/proc/sys/kernel/osrelease", ""),
            std::env::consts::ARCH
        )
    })
}

/// Absolute path of the running binary.
fn executable() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// `p` made absolute against the current directory.
fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Largest query buffer and largest pending output among the clients. A replica's
/// pending output includes the part of the shared replication stream it has yet to
/// be sent, as Redis 7 counts it.
fn client_buffer_peaks(srv: &Server, caller: Option<&Client>) -> (usize, usize) {
    let mut max_in = 0;
    let mut max_out = 0;
    let others = srv.clients.iter().filter_map(|(_, slot)| slot.as_deref());
    for c in others.chain(caller) {
        max_in = max_in.max(c.query.len().max(c.query_peak));
        max_out = max_out.max(srv.replica_output_pending(c));
    }
    (max_in, max_out)
}

fn clients_section(out: &mut InfoText, srv: &Server, caller: Option<&Client>) {
    let (max_in, max_out) = client_buffer_peaks(srv, caller);
    out.header("Clients");
    // Replicas are not counted here (INFO replication lists them), as in Redis.
    let replicas = srv.repl.replicas.len();
    out.field(
        "connected_clients",
        srv.client_count().saturating_sub(replicas),
    );
    out.field("cluster_connections", 0);
    out.field("maxclients", srv.config.maxclients);
    out.field("client_recent_max_input_buffer", max_in);
    out.field("client_recent_max_output_buffer", max_out);
    out.field("blocked_clients", srv.blocked_client_count());
    out.field("tracking_clients", srv.tracking.client_count());
    out.field("clients_in_timeout_table", srv.blocking_timeouts());
}

/// Memory figures shared by INFO memory, MEMORY STATS and MEMORY DOCTOR.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryReport {
    /// Bytes the allocator handed out (INFO used_memory).
    pub used: u64,
    pub peak: u64,
    pub startup: u64,
    /// jemalloc's allocated total, its thread caches included.
    pub allocator_allocated: u64,
    /// Bytes in active allocator pages.
    pub allocator_active: u64,
    /// Bytes in physically resident allocator pages.
    pub allocator_resident: u64,
    /// Resident set size of the process.
    pub rss: u64,
    /// Query and reply buffers of normal clients.
    pub clients_normal: u64,
    /// Query and reply buffers of replicas, and the part of the replication buffer
    /// beyond the backlog's size (stream they have not been sent yet).
    pub clients_slaves: u64,
    /// The replication buffer up to the backlog's size.
    pub repl_backlog: u64,
    /// The whole replication buffer (backlog and replicas' stream, held once).
    pub repl_buffers: u64,
    /// Hash table overhead of every database.
    pub db_overhead: u64,
    pub keys: u64,
}

impl MemoryReport {
    /// Everything that is not the dataset itself.
    pub fn overhead(&self) -> u64 {
        self.startup
            + self.clients_normal
            + self.clients_slaves
            + self.repl_backlog
            + self.db_overhead
    }

    pub fn dataset(&self) -> u64 {
        self.used.saturating_sub(self.overhead())
    }

    /// Share of the memory grown since start-up that the dataset accounts for.
    pub fn dataset_perc(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup);
        if net == 0 {
            0.0
        } else {
            self.dataset() as f64 * 100.0 / net as f64
        }
    }

    pub fn peak_perc(&self) -> f64 {
        if self.peak == 0 {
            0.0
        } else {
            self.used as f64 * 100.0 / self.peak as f64
        }
    }

    pub fn allocator_frag(&self) -> f64 {
        ratio(self.allocator_active, self.allocator_allocated)
    }

    pub fn allocator_rss(&self) -> f64 {
        ratio(self.allocator_resident, self.allocator_active)
    }

    pub fn rss_extra(&self) -> f64 {
        ratio(self.rss, self.allocator_resident)
    }

    /// RSS over used memory (INFO mem_fragmentation_ratio).
    pub fn total_frag(&self) -> f64 {
        ratio(self.rss, self.used)
    }
}

/// `a / b`, or 0 when `b` is 0.
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Signed difference `a - b`, as Redis prints the *_bytes overheads.
pub fn diff(a: u64, b: u64) -> i64 {
    a as i64 - b as i64
}

/// Highest allocated byte count seen so far.
static PEAK_MEMORY: AtomicU64 = AtomicU64::new(0);
/// Allocated bytes when the first sample was taken (start-up, before any dataset).
static STARTUP_MEMORY: AtomicU64 = AtomicU64::new(0);

/// What jemalloc says of the memory it manages. It caches its statistics until its
/// epoch is advanced, so [`allocator_stats`] advances it first.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllocatorStats {
    /// What the program holds, as Redis's used_memory counts it: `allocated` without
    /// the freed blocks jemalloc's per-thread caches keep for reuse. Those move by whole
    /// batches when a cache is refilled or flushed; left in, they made the figure jump
    /// by kilobytes no key or buffer held, and maxmemory, which follows the main
    /// thread's allocations between samples, disagree with INFO by that much.
    pub used: u64,
    /// jemalloc's own allocated total, caches included (INFO allocator_allocated).
    pub allocated: u64,
    pub active: u64,
    pub resident: u64,
}

/// Samples jemalloc's statistics; zeros if it cannot say.
pub fn allocator_stats() -> AllocatorStats {
    use tikv_jemalloc_ctl::{epoch, stats, Access, AsName};
    if epoch::advance().is_err() {
        return AllocatorStats::default();
    }
    // Every arena's caches together (MALLCTL_ARENAS_ALL is arena 4096).
    let cached: usize = b"stats.arenas.4096.tcache_bytes\0"
        .name()
        .read()
        .unwrap_or(0);
    let allocated = stats::allocated::read().unwrap_or(0) as u64;
    AllocatorStats {
        used: allocated.saturating_sub(cached as u64),
        allocated,
        active: stats::active::read().unwrap_or(0) as u64,
        resident: stats::resident::read().unwrap_or(0) as u64,
    }
}

/// Records the start-up memory footprint; the first call wins. The server calls it once
/// it is ready, before loading data.
pub fn record_startup_memory() {
    let used = allocator_stats().used;
    let _ = STARTUP_MEMORY.compare_exchange(0, used, Ordering::Relaxed, Ordering::Relaxed);
    PEAK_MEMORY.fetch_max(used, Ordering::Relaxed);
}

/// Samples the allocator and updates the peak (the cron may call this to track peaks
/// between INFO calls).
pub fn sample_used_memory() -> u64 {
    let used = allocator_stats().used;
    PEAK_MEMORY.fetch_max(used, Ordering::Relaxed);
    used
}

/// CONFIG RESETSTAT: the peak starts again from the current usage.
pub fn reset_peak_memory() {
    PEAK_MEMORY.store(allocator_stats().used, Ordering::Relaxed);
}

/// Resident set size of this process in bytes (VmRSS of /proc/self/status), 0 if unknown.
pub fn process_rss() -> u64 {
    proc_kb_field("/proc/self/status", "VmRSS:")
}

/// Physical memory of the machine (MemTotal of /proc/meminfo), 0 if unknown.
pub fn total_system_memory() -> u64 {
    proc_kb_field("/proc/meminfo", "MemTotal:")
}

/// The `<field> <n> kB` line of a /proc file, in bytes; 0 if the file or line is missing.
fn proc_kb_field(path: &str, field: &str) -> u64 {
    let Ok(text) = std::fs::read_to_string(path) else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// Bytes held by the query and reply buffers of every client.
/// Query and reply buffers of the clients that are (`replicas`) or are not replicas.
fn clients_memory(srv: &Server, caller: Option<&Client>, replicas: bool) -> u64 {
    let others = srv.clients.iter().filter_map(|(_, slot)| slot.as_deref());
    others
        .chain(caller)
        .filter(|c| c.replica.is_some() == replicas)
        .map(|c| (c.query.capacity() + c.reply.buf.capacity()) as u64)
        .sum()
}

/// Takes every memory measurement at once.
pub fn memory_report(srv: &Server, caller: Option<&Client>) -> MemoryReport {
    let stats = allocator_stats();
    let used = stats.used;
    PEAK_MEMORY.fetch_max(used, Ordering::Relaxed);
    let _ = STARTUP_MEMORY.compare_exchange(0, used, Ordering::Relaxed, Ordering::Relaxed);
    // The replication buffer is the backlog's and the replicas' at once. As Redis
    // splits it: up to the backlog's size it is the backlog's, the rest (while
    // replicas are attached) the replicas' output.
    let (repl_buffers, backlog_size) = srv
        .repl
        .backlog
        .as_ref()
        .map_or((0, 0), |b| (b.mem(), b.size()));
    let repl_split = if !srv.repl.replicas.is_empty() && repl_buffers > backlog_size {
        (backlog_size as u64, (repl_buffers - backlog_size) as u64)
    } else {
        (repl_buffers as u64, 0)
    };
    MemoryReport {
        used,
        peak: PEAK_MEMORY.load(Ordering::Relaxed),
        startup: STARTUP_MEMORY.load(Ordering::Relaxed).min(used),
        allocator_allocated: stats.allocated,
        allocator_active: stats.active,
        allocator_resident: stats.resident,
        rss: process_rss(),
        clients_normal: clients_memory(srv, caller, false),
        clients_slaves: clients_memory(srv, caller, true) + repl_split.1,
        repl_backlog: repl_split.0,
        repl_buffers: repl_buffers as u64,
        db_overhead: srv
            .dbs
            .iter()
            .map(|db| (db.dict.mem_overhead() + db.expires.mem_overhead()) as u64)
            .sum(),
        keys: srv.dbs.iter().map(|db| db.len() as u64).sum(),
    }
}

/// Formats a byte count as Redis's bytesToHuman: `943B`, `1.50K`, `2.00M`...
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1 << 10, "K"),
        (1 << 20, "M"),
        (1 << 30, "G"),
        (1 << 40, "T"),
        (1 << 50, "P"),
    ];
    if n < 1024 {
        return format!("{}B", n);
    }
    for (i, (unit, suffix)) in UNITS.iter().enumerate() {
        let next = UNITS.get(i + 1).map_or(1u64 << 60, |u| u.0);
        if n < next {
            return format!("{:.2}{}", n as f64 / *unit as f64, suffix);
        }
    }
    format!("{}B", n)
}

/// The allocator's name and version, as INFO mem_allocator prints it.
pub fn allocator_name() -> String {
    match tikv_jemalloc_ctl::version::read() {
        Ok(v) => format!("jemalloc-{}", v.split('-').next().unwrap_or(v)),
        Err(_) => "jemalloc".to_string(),
    }
}

fn memory_section(out: &mut InfoText, srv: &Server, caller: Option<&Client>) {
    let m = memory_report(srv, caller);
    let maxmemory = srv.config.maxmemory;
    let policy = srv.config.maxmemory_policy.as_str();
    out.header("Memory");
    out.field("used_memory", m.used);
    out.field("used_memory_human", bytes_to_human(m.used));
    out.field("used_memory_rss", m.rss);
    out.field("used_memory_rss_human", bytes_to_human(m.rss));
    out.field("used_memory_peak", m.peak);
    out.field("used_memory_peak_human", bytes_to_human(m.peak));
    let _ = write!(out.text, "used_memory_peak_perc:{:.2}%\r\n", m.peak_perc());
    out.field("used_memory_overhead", m.overhead());
    out.field("used_memory_startup", m.startup);
    out.field("used_memory_dataset", m.dataset());
    let _ = write!(
        out.text,
        "used_memory_dataset_perc:{:.2}%\r\n",
        m.dataset_perc()
    );
    out.field("allocator_allocated", m.allocator_allocated);
    out.field("allocator_active", m.allocator_active);
    out.field("allocator_resident", m.allocator_resident);
    let system = total_system_memory();
    out.field("total_system_memory", system);
    out.field("total_system_memory_human", bytes_to_human(system));
    let lua = srv.scripting.vm_memory();
    let scripts = srv.scripting.cache_memory();
    let functions = &srv.scripting.functions;
    let (vm_functions, libraries) = (functions.vm_memory(), functions.libraries_memory());
    out.field("used_memory_lua", lua);
    out.field("used_memory_vm_eval", lua);
    out.field("used_memory_lua_human", bytes_to_human(lua as u64));
    out.field("used_memory_scripts_eval", scripts);
    out.field("number_of_cached_scripts", srv.scripting.len());
    out.field("number_of_functions", functions.function_count());
    out.field("number_of_libraries", functions.library_count());
    out.field("used_memory_vm_functions", vm_functions);
    out.field("used_memory_vm_total", lua + vm_functions);
    out.field(
        "used_memory_vm_total_human",
        bytes_to_human((lua + vm_functions) as u64),
    );
    out.field("used_memory_functions", libraries);
    out.field("used_memory_scripts", scripts + libraries);
    out.field(
        "used_memory_scripts_human",
        bytes_to_human((scripts + libraries) as u64),
    );
    out.field("maxmemory", maxmemory);
    out.field("maxmemory_human", bytes_to_human(maxmemory));
    out.field("maxmemory_policy", policy);
    out.field2("allocator_frag_ratio", m.allocator_frag());
    out.field(
        "allocator_frag_bytes",
        diff(m.allocator_active, m.allocator_allocated),
    );
    out.field2("allocator_rss_ratio", m.allocator_rss());
    out.field(
        "allocator_rss_bytes",
        diff(m.allocator_resident, m.allocator_active),
    );
    out.field2("rss_overhead_ratio", m.rss_extra());
    out.field("rss_overhead_bytes", diff(m.rss, m.allocator_resident));
    out.field2("mem_fragmentation_ratio", m.total_frag());
    out.field("mem_fragmentation_bytes", diff(m.rss, m.used));
    out.field(
        "mem_not_counted_for_evict",
        srv.memory_not_counted_for_evict(),
    );
    out.field("mem_replication_backlog", m.repl_backlog);
    out.field("mem_total_replication_buffers", m.repl_buffers);
    out.field("mem_clients_slaves", m.clients_slaves);
    out.field("mem_clients_normal", m.clients_normal);
    out.field("mem_cluster_links", 0);
    out.field("mem_aof_buffer", srv.aof.buf.capacity());
    out.field("mem_allocator", allocator_name());
    out.field("active_defrag_running", 0);
    out.field(
        "lazyfree_pending_objects",
        super::bio::lazyfree_pending_objects(),
    );
    out.field("lazyfreed_objects", super::bio::lazyfreed_objects());
}

fn persistence_section(out: &mut InfoText, srv: &Server) {
    out.header("Persistence");
    let (rdb_fields, loading_fields) = crate::persistence::info_persistence_fields(srv);
    for (name, value) in rdb_fields {
        out.field(name, value);
    }
    let (aof_fields, aof_enabled_fields) = crate::persistence::aof::info_fields(srv);
    for (name, value) in aof_fields {
        out.field(name, value);
    }
    out.field("module_fork_in_progress", 0);
    out.field("module_fork_last_cow_size", 0);
    for (name, value) in aof_enabled_fields {
        out.field(name, value);
    }
    for (name, value) in loading_fields {
        out.field(name, value);
    }
}

fn stats_section(out: &mut InfoText, srv: &Server) {
    let s = &srv.stats;
    let expired: u64 = srv.dbs.iter().map(|db| db.expired_count).sum();
    out.header("Stats");
    out.field("total_connections_received", s.total_connections_received);
    out.field("total_commands_processed", s.total_commands_processed);
    out.field("instantaneous_ops_per_sec", s.ops_metric.per_second());
    out.field("total_net_input_bytes", s.total_net_input_bytes);
    out.field("total_net_output_bytes", s.total_net_output_bytes);
    let rs = &srv.repl.stats;
    out.field("total_net_repl_input_bytes", rs.net_repl_input_bytes);
    out.field("total_net_repl_output_bytes", rs.net_repl_output_bytes);
    out.field2(
        "instantaneous_input_kbps",
        s.net_input_metric.per_second() as f64 / 1024.0,
    );
    out.field2(
        "instantaneous_output_kbps",
        s.net_output_metric.per_second() as f64 / 1024.0,
    );
    out.field("instantaneous_input_repl_kbps", "0.00");
    out.field("instantaneous_output_repl_kbps", "0.00");
    out.field("rejected_connections", s.rejected_connections);
    out.field("sync_full", rs.sync_full);
    out.field("sync_partial_ok", rs.sync_partial_ok);
    out.field("sync_partial_err", rs.sync_partial_err);
    out.field("expired_keys", expired);
    out.field(
        "expired_stale_perc",
        format!("{:.2}", s.expired_stale_perc * 100.0),
    );
    out.field(
        "expired_time_cap_reached_count",
        s.expired_time_cap_reached_count,
    );
    out.field(
        "expire_cycle_cpu_milliseconds",
        s.expire_cycle_time_us / 1000,
    );
    out.field("evicted_keys", s.evicted_keys);
    out.field("evicted_clients", s.evicted_clients);
    let (total_ms, current_ms) = srv.evictor.exceeded_ms();
    out.field("total_eviction_exceeded_time", total_ms);
    out.field("current_eviction_exceeded_time", current_ms);
    out.field("keyspace_hits", s.keyspace_hits);
    out.field("keyspace_misses", s.keyspace_misses);
    out.field("pubsub_channels", srv.pubsub.channel_count());
    out.field("pubsub_patterns", srv.pubsub.pattern_count());
    out.field("pubsubshard_channels", srv.pubsub.shard_channel_count());
    for (name, value) in crate::persistence::info_stats_fields(srv) {
        out.field(name, value);
    }
    out.field("migrate_cached_sockets", srv.migrate_sockets.len());
    out.field("slave_expires_tracked_keys", srv.repl.local_expires.len());
    out.field("active_defrag_hits", 0);
    out.field("active_defrag_misses", 0);
    out.field("active_defrag_key_hits", 0);
    out.field("active_defrag_key_misses", 0);
    out.field("total_active_defrag_time", 0);
    out.field("current_active_defrag_time", 0);
    out.field("tracking_total_keys", srv.tracking.total_keys());
    out.field("tracking_total_items", srv.tracking.total_items());
    out.field("tracking_total_prefixes", srv.tracking.total_prefixes());
    out.field("unexpected_error_replies", s.unexpected_error_replies);
    out.field("total_error_replies", s.total_error_replies);
    out.field("dump_payload_sanitizations", 0);
    out.field("total_reads_processed", s.io_reads_processed);
    out.field("total_writes_processed", s.io_writes_processed);
    out.field("io_threaded_reads_processed", 0);
    out.field("io_threaded_writes_processed", 0);
    out.field("reply_buffer_shrinks", 0);
    out.field("reply_buffer_expands", 0);
}

fn replication_section(out: &mut InfoText, srv: &Server) {
    out.header("Replication");
    for (name, value) in srv.repl_info_fields() {
        out.field(&name, value);
    }
}

/// User and system CPU time of one `getrusage` target, as `(sys, user)` timevals.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTimes {
    pub sys: (i64, i64),
    pub user: (i64, i64),
}

impl CpuTimes {
    /// `sec.usec` with six digits, as Redis prints CPU times.
    fn fmt_tv(tv: (i64, i64)) -> String {
        format!("{}.{:06}", tv.0, tv.1)
    }
}

/// CPU times of `who` (RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD); zeros on failure.
pub fn rusage(who: libc::c_int) -> CpuTimes {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes into the rusage struct we own and pass by pointer;
    // the struct is zero-initialised, so it is valid even if the call fails.
    let (rc, ru) = unsafe { (libc::getrusage(who, ru.as_mut_ptr()), ru.assume_init()) };
    if rc != 0 {
        return CpuTimes::default();
    }
    CpuTimes {
        sys: (ru.ru_stime.tv_sec, ru.ru_stime.tv_usec),
        user: (ru.ru_utime.tv_sec, ru.ru_utime.tv_usec),
    }
}

fn cpu_section(out: &mut InfoText) {
    let me = rusage(libc::RUSAGE_SELF);
    let children = rusage(libc::RUSAGE_CHILDREN);
    let main = rusage(libc::RUSAGE_THREAD);
    out.header("CPU");
    out.field("used_cpu_sys", CpuTimes::fmt_tv(me.sys));
    out.field("used_cpu_user", CpuTimes::fmt_tv(me.user));
    out.field("used_cpu_sys_children", CpuTimes::fmt_tv(children.sys));
    out.field("used_cpu_user_children", CpuTimes::fmt_tv(children.user));
    out.field("used_cpu_sys_main_thread", CpuTimes::fmt_tv(main.sys));
    out.field("used_cpu_user_main_thread", CpuTimes::fmt_tv(main.user));
}

fn commandstats_section(out: &mut InfoText, srv: &Server) {
    out.header("Commandstats");
    for (id, st) in srv.cmd_stats.iter().enumerate() {
        if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
            continue;
        }
        // Redis divides in single precision; doing the same gives the same digits.
        let per_call = if st.calls == 0 {
            0.0
        } else {
            (st.usec as f32 / st.calls as f32) as f64
        };
        let _ = write!(
            out.text,
            "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
            safe_info_name(&srv.commands.full_names[id]),
            st.calls,
            st.usec,
            per_call,
            st.rejected_calls,
            st.failed_calls
        );
    }
}

/// `latency_percentiles_usec_<command>:p50=...,p99=...` for every command with latency
/// samples, at the percentiles of `latency-tracking-info-percentiles`.
fn latencystats_section(out: &mut InfoText, srv: &Server) {
    out.header("Latencystats");
    if !srv.config.latency_tracking {
        return;
    }
    let percentiles = &srv.config.latency_tracking_info_percentiles;
    for (id, st) in srv.cmd_stats.iter().enumerate() {
        let Some(h) = st.latency.as_deref() else {
            continue;
        };
        let _ = write!(
            out.text,
            "latency_percentiles_usec_{}:",
            safe_info_name(&srv.commands.full_names[id])
        );
        for (j, &p) in percentiles.iter().enumerate() {
            let label = crate::config::format_percentile(p);
            let usec = h.value_at_percentile(p) as f64 / 1000.0;
            let sep = if j + 1 < percentiles.len() { "," } else { "" };
            let _ = write!(out.text, "p{label}={usec:.3}{sep}");
        }
        out.text.push_str("\r\n");
    }
}

fn errorstats_section(out: &mut InfoText, srv: &Server) {
    out.header("Errorstats");
    for (code, count) in &srv.stats.errors {
        let _ = write!(
            out.text,
            "errorstat_{}:count={}\r\n",
            safe_info_name(code),
            count
        );
    }
}

fn keyspace_section(out: &mut InfoText, srv: &Server) {
    out.header("Keyspace");
    for (i, db) in srv.dbs.iter().enumerate() {
        let keys = db.dict.len();
        let expires = db.expires.len();
        if keys > 0 || expires > 0 {
            let _ = write!(
                out.text,
                "db{}:keys={},expires={},avg_ttl={}\r\n",
                i, keys, expires, db.avg_ttl
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_match_redis() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(965816), "943.18K");
        assert_eq!(bytes_to_human(12353536), "11.78M");
        assert_eq!(bytes_to_human(25276063744), "23.54G");
    }

    #[test]
    fn section_names_are_case_insensitive_and_keywords_expand() {
        let req = InfoRequest::parse(&[b"SeRvEr".to_vec()]);
        assert!(req.wants("server"));
        assert!(!req.wants("clients"));
        let req = InfoRequest::parse(&[]);
        assert!(req.wants("keyspace") && req.wants("errorstats"));
        assert!(!req.wants("commandstats"));
        let req = InfoRequest::parse(&[b"default".to_vec(), b"commandstats".to_vec()]);
        assert!(req.wants("commandstats") && req.wants("server"));
        let req = InfoRequest::parse(&[b"everything".to_vec()]);
        assert!(req.wants("commandstats") && req.wants("latencystats"));
    }

    #[test]
    fn unsafe_characters_are_replaced() {
        assert_eq!(safe_info_name("a:b#c\r\nd"), "a_b_c__d");
        assert_eq!(safe_info_name("config|get"), "config|get");
    }

    #[test]
    fn rusage_reports_some_cpu() {
        let me = rusage(libc::RUSAGE_SELF);
        assert!(me.user.0 >= 0 && (0..1_000_000).contains(&me.user.1));
        assert_eq!(CpuTimes::fmt_tv((3, 42)), "3.000042");
    }
}
