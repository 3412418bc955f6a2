//! Keyspace events of the generic commands.
