//! Durations as whole milliseconds in JSON (`duration_ms`, `elapsed_ms`).

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Writes a duration as whole milliseconds.
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Reads whole milliseconds back into a duration.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}
