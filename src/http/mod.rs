//! HTTP client, authentication flows and transcript capture.

mod exchange;

pub use exchange::{Exchange, reason};
