//! ferrodis: a Redis-compatible database server.
//!
//! One thread runs an event loop that owns every client and the keyspace, as in Redis;
//! helper threads get frozen snapshots or plain bytes. See `DESIGN.md` in the shared
//! folder for the map. To embed a server in another program, build a [`config::Config`]
//! and call [`start`].

pub mod commands;
pub mod config;
pub mod db;
pub mod persistence;
pub mod protocol;
pub mod server;
pub mod types;
pub mod util;

pub use server::Server;

/// Runs a server with `config` on the current thread until it shuts down.
pub fn start(config: config::Config) -> Result<(), server::StartError> {
    let mut srv = Server::new(config)?;
    srv.install_signal_handlers();
    srv.run();
    Ok(())
}
