//! Persistence: the RDB format (`rdb`), and later the snapshot thread and the AOF.

pub mod rdb;
