//! Value encodings: what a key can hold, and the compact forms each type uses.

pub mod small_bytes;
pub mod value;

pub use small_bytes::SmallBytes;
pub use value::{Object, Value, ValueType};
