//! Keyspace events of the hashes commands.
