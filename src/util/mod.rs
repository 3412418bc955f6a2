//! Small exact helpers shared by commands and persistence.

pub mod glob;
pub mod numbers;
pub mod repr;
pub mod split_args;
pub mod time;
