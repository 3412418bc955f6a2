//! Keyspace events of the lists commands.
