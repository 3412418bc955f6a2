//! The thresholds at which small collections leave their compact encodings, read from
//! the `*-max-listpack-*` / `set-max-intset-entries` / `list-*` directives.

use crate::config::Config;

/// Encoding thresholds, copied out of the config so type code does not need a `Config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingLimits {
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub set_max_listpack_entries: usize,
    pub set_max_listpack_value: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    /// Positive: entries per list node; negative: -1..-5 = 4/8/16/32/64 KiB per node.
    pub list_max_listpack_size: i64,
    pub list_compress_depth: usize,
}

impl Default for EncodingLimits {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        EncodingLimits {
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
        }
    }
}

impl EncodingLimits {
    /// The limits the config sets now.
    pub fn from_config(config: &Config) -> EncodingLimits {
        let clamp = |v: u64| v.min(usize::MAX as u64) as usize;
        EncodingLimits {
            hash_max_listpack_entries: clamp(config.hash_max_listpack_entries),
            hash_max_listpack_value: clamp(config.hash_max_listpack_value),
            set_max_intset_entries: clamp(config.set_max_intset_entries),
            set_max_listpack_entries: clamp(config.set_max_listpack_entries),
            set_max_listpack_value: clamp(config.set_max_listpack_value),
            zset_max_listpack_entries: clamp(config.zset_max_listpack_entries),
            zset_max_listpack_value: clamp(config.zset_max_listpack_value),
            list_max_listpack_size: config.list_max_listpack_size,
            list_compress_depth: clamp(config.list_compress_depth),
        }
    }
}
