//! TEMPORARY lead scaffolding (the numbers helper replaces this file).
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    crate::types::value::canonical_i64(b)
}
