//! The wire: RESP2/RESP3 request parsing and reply encoding.

pub mod parser;
pub mod reply;

pub use parser::{ParseLimits, ProtocolError, RequestParser};
pub use reply::ReplyBuf;
