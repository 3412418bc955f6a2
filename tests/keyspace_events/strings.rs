//! Keyspace events of the strings commands.
