//! Small exact helpers shared by commands and persistence.

pub mod bits;
pub mod connect;
pub mod digest;
pub mod geohash;
pub mod glob;
pub mod hash_table_stats;
pub mod hdr;
pub mod lcs;
pub mod numbers;
pub mod repr;
pub mod rng;
pub mod sched;
pub mod sha256;
pub mod split_args;
pub mod time;
