//! Keyspace events of the sets commands.
