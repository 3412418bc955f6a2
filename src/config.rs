//! TEMPORARY lead scaffolding: replaced by the full config table (helper) shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
    Nothing,
}
impl LogLevel {
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Nothing => "nothing",
        }
    }
}
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    pub bind: Vec<String>,
    pub protected_mode: bool,
    pub tcp_backlog: i32,
    pub unixsocket: Option<String>,
    pub unixsocketperm: u32,
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub daemonize: bool,
    pub pidfile: Option<String>,
    pub loglevel: LogLevel,
    pub logfile: String,
    pub databases: usize,
    pub dir: String,
    pub dbfilename: String,
    pub requirepass: Option<Vec<u8>>,
    pub maxclients: u64,
    pub maxmemory: u64,
    pub hz: u32,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    pub activerehashing: bool,
    pub active_expire_effort: u32,
    pub config_file: Option<std::path::PathBuf>,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    pub latency_monitor_threshold: u64,
}
impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            protected_mode: true,
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
            dir: ".".into(),
            dbfilename: "dump.rdb".into(),
            requirepass: None,
            maxclients: 10000,
            maxmemory: 0,
            hz: 10,
            proto_max_bulk_len: 512 << 20,
            client_query_buffer_limit: 1 << 30,
            activerehashing: true,
            active_expire_effort: 1,
            config_file: None,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
        }
    }
}
#[derive(Debug)]
pub struct ConfigError(pub String);
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl Config {
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let mut i = 0;
        while i < args.len() {
            let name = args[i].trim_start_matches("--").to_string();
            let val = args.get(i + 1).cloned().unwrap_or_default();
            match name.as_str() {
                "port" => c.port = val.parse().map_err(|_| ConfigError("port".into()))?,
                "requirepass" => c.requirepass = Some(val.into_bytes()),
                "protected-mode" => c.protected_mode = val == "yes",
                "logfile" => c.logfile = val,
                "dir" => c.dir = val,
                _ => {}
            }
            i += 2;
        }
        Ok(c)
    }
}
