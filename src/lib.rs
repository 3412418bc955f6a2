//! ferrodis: a Redis-compatible database server.
//!
//! One thread runs an event loop that owns every client and the keyspace, as in Redis;
//! helper threads get frozen snapshots or plain bytes. See `DESIGN.md` in the shared
//! folder for the map. To embed a server in another program, build a [`config::Config`]
//! and call [`start`].

pub mod acl;
pub mod commands;
pub mod config;
pub mod db;
pub mod persistence;
pub mod protocol;
pub mod replication;
pub mod scripting;
pub mod server;
pub mod types;
pub mod util;

pub use server::Server;

/// Why an embedded server could not start.
#[derive(Debug)]
pub enum EmbedError {
    /// Listening sockets, the event loop or the pidfile failed.
    Start(server::StartError),
    /// The dump in `dir`/`dbfilename` could not be loaded (the file is left untouched).
    Load(persistence::load::LoadError),
}

impl std::fmt::Display for EmbedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmbedError::Start(e) => write!(f, "{e}"),
            EmbedError::Load(e) => write!(f, "Fatal error loading the DB: {e}"),
        }
    }
}

impl std::error::Error for EmbedError {}

/// Runs a server with `config` on the current thread until it shuts down: loads the dump
/// if there is one, then serves. Unlike the binary it does not change the process's
/// working directory, so give `dir` as an absolute path when embedding.
pub fn start(config: config::Config) -> Result<(), EmbedError> {
    let mut srv = Server::new(config).map_err(EmbedError::Start)?;
    srv.install_signal_handlers();
    // An interrupted load (SIGTERM while loading) still runs the loop, which carries
    // out the pending shutdown without saving.
    srv.load_data_at_startup().map_err(EmbedError::Load)?;
    srv.run();
    Ok(())
}
