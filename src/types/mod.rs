//! Value encodings: what a key can hold, and the compact forms each type uses.
//!
//! Every collection type (`List`, `Hash`, `Set`, `ZSet`) keeps its encoding private and
//! offers the same small surface to the rest of the server (RDB, DUMP, digest, MEMORY):
//! a constructor from decoded RDB contents taking the [`EncodingLimits`], `len`,
//! `encoding_name` (OBJECT ENCODING's word), `for_each` over its contents in the order
//! the RDB and the digest need, and `heap_size`. Commands use the richer API of each
//! type's module.

pub mod hash;
pub mod hll;
pub mod limits;
pub mod list;
pub mod set;
pub mod small_bytes;
pub mod stream;
pub mod value;
pub mod zset;

pub use hash::Hash;
pub use limits::EncodingLimits;
pub use list::List;
pub use set::Set;
pub use small_bytes::SmallBytes;
pub use stream::Stream;
pub use value::{Object, Value, ValueType};
pub use zset::ZSet;
