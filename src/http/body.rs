//! Reading a response body as a stream: the first [`KEEP_LIMIT`] bytes are kept in memory, the
//! whole body is counted and hashed, and a body larger than [`MAX_RESPONSE_BYTES`] is refused,
//! so that what a hostile server sends costs bounded memory. Bodies are read as sent: the client
//! asks for no compression and decompresses none, so a compressed bomb costs its wire size.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

use super::spill::KEEP_LIMIT;

/// The largest response body read; a larger one is a transport error (a hostile or broken
/// server must not keep a check reading for ever).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A body of which only the first [`KEEP_LIMIT`] bytes were kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// How many bytes the whole body had.
    pub size: u64,
    /// The SHA-256 of the whole body, in hex.
    pub sha256: String,
}

impl Cut {
    /// Why `what` (an expectation on the body) cannot be decided from the part kept.
    pub fn undecided(&self, what: &str) -> String {
        format!(
            "the body was {} bytes; only the first {} MiB was kept, so {what} cannot be decided",
            self.size,
            KEEP_LIMIT / (1024 * 1024)
        )
    }
}

/// A body as read: the part kept, and the whole one's size and digest when it was cut.
pub(super) struct Read {
    pub(super) kept: Bytes,
    pub(super) cut: Option<Cut>,
}

/// Why a body could not be read.
pub(super) enum BodyError {
    Transport(reqwest::Error),
    TooLarge,
    /// Nothing arrived for this long while the body was read.
    Stalled(Duration),
}

/// Reads `resp`'s body, waiting at most `stall` for each piece of it (the client's request
/// timeout bounds the whole).
pub(super) async fn read(resp: &mut reqwest::Response, stall: Duration) -> Result<Read, BodyError> {
    // A declared length over the limit is refused before a byte is read.
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut kept = BytesMut::new();
    let mut hash = Sha256::new();
    let mut size: usize = 0;
    loop {
        let chunk = match tokio::time::timeout(stall, resp.chunk()).await {
            Err(_) => return Err(BodyError::Stalled(stall)),
            Ok(Err(e)) => return Err(BodyError::Transport(e)),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(c))) => c,
        };
        size += chunk.len();
        if size > MAX_RESPONSE_BYTES {
            return Err(BodyError::TooLarge);
        }
        hash.update(&chunk);
        let room = KEEP_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    let cut = (size > kept.len()).then(|| Cut {
        size: size as u64,
        sha256: hex::encode(hash.finalize()),
    });
    Ok(Read {
        kept: kept.freeze(),
        cut,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_expectation_says_how_much_was_kept() {
        let cut = Cut {
            size: 50_000_000,
            sha256: String::new(),
        };
        assert_eq!(
            cut.undecided("`body_contains`"),
            "the body was 50000000 bytes; only the first 1 MiB was kept, so `body_contains` cannot be decided"
        );
    }
}
