//! Keyspace events of the zsets commands.
