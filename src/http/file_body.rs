//! A file's bytes as a request carries them: held whole (a committed fixture, a small generated
//! file) or generated chunk by chunk while they are sent, so that a file over a vendor's size
//! limit is never whole in memory. Either way its size, SHA-256 and first bytes are known
//! before it is sent: templates compare a download with them, and the recorded evidence keeps
//! them instead of the bytes.

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;
use sha2::{Digest, Sha256};

/// How many bytes a generated body yields at a time.
const CHUNK: usize = 64 * 1024;
/// How many first bytes the evidence shows.
const HEAD: usize = 16;

/// A file's content with its size, SHA-256 and first bytes.
#[derive(Clone)]
pub struct FileBody {
    content: Content,
    size: u64,
    sha256: String,
    head: Bytes,
}

#[derive(Clone)]
enum Content {
    Held(Bytes),
    Generated(Arc<Generator>),
}

/// Deterministic bytes, `size` in all: `magic`, then filler. Each chunk of filler comes from
/// a small generator seeded with the SHA-256 of `seed/chunk`, so that a chunk is made alone
/// and quickly (a digest per 32 bytes made a 10 MiB file slow).
struct Generator {
    magic: Vec<u8>,
    seed: String,
    size: u64,
}

impl Generator {
    /// Chunk `n`: bytes `n * CHUNK ..` up to the size, the magic over the first ones.
    fn chunk(&self, n: u64) -> Bytes {
        let start = n.saturating_mul(CHUNK as u64);
        let len = usize::try_from(self.size.saturating_sub(start).min(CHUNK as u64)).unwrap_or(0);
        let digest = Sha256::digest(format!("{}/{n}", self.seed).as_bytes());
        let mut word = [0u8; 8];
        word.copy_from_slice(&digest[..8]);
        // xorshift64*: never zero once seeded with a non-zero state.
        let mut state = u64::from_le_bytes(word) | 1;
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        out.truncate(len);
        if n == 0 {
            let m = self.magic.len().min(len);
            out[..m].copy_from_slice(&self.magic[..m]);
        }
        Bytes::from(out)
    }

    fn chunks(self: Arc<Self>) -> impl Iterator<Item = Bytes> + Send + Sync + Unpin + 'static {
        let count = self.size.div_ceil(CHUNK as u64);
        (0..count).map(move |n| self.chunk(n))
    }
}

impl FileBody {
    /// Bytes held whole.
    pub fn held(bytes: Bytes) -> FileBody {
        FileBody {
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            head: bytes.slice(..bytes.len().min(HEAD)),
            content: Content::Held(bytes),
        }
    }

    /// `size` deterministic bytes starting with `magic` (cut to `size`), generated from `seed`
    /// each time they are sent. Computing the digest reads them once, a chunk at a time: call
    /// it off the async threads for large sizes.
    pub fn generated(magic: &[u8], seed: String, size: u64) -> FileBody {
        let magic = magic[..magic.len().min(usize::try_from(size).unwrap_or(usize::MAX))].to_vec();
        let generator = Arc::new(Generator { magic, seed, size });
        let mut digest = Sha256::new();
        for c in Arc::clone(&generator).chunks() {
            digest.update(&c);
        }
        FileBody {
            size,
            sha256: hex::encode(digest.finalize()),
            head: {
                let first = generator.chunk(0);
                first.slice(..first.len().min(HEAD))
            },
            content: Content::Generated(generator),
        }
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Its SHA-256, lower-case hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// A request body that yields the bytes: the held bytes, or a fresh stream each time it
    /// is asked for (a retried request sends the same bytes again).
    pub fn to_body(&self) -> reqwest::Body {
        match &self.content {
            Content::Held(b) => reqwest::Body::from(b.clone()),
            Content::Generated(g) => reqwest::Body::wrap(Chunks(Arc::clone(g).chunks())),
        }
    }

    /// One line for the evidence: size, SHA-256 and the first bytes in hex.
    pub fn summary(&self) -> String {
        let head: Vec<String> = self.head.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{} bytes, sha256 {}, starts {}",
            self.size,
            self.sha256,
            head.join(" ")
        )
    }
}

/// A request body that yields an iterator's chunks as they are asked for.
struct Chunks<I>(I);

impl<I: Iterator<Item = Bytes> + Unpin> http_body::Body for Chunks<I> {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.next().map(|c| Ok(Frame::data(c))))
    }
}

impl fmt::Debug for FileBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn collect(g: Arc<Generator>) -> Vec<u8> {
        g.chunks().flat_map(|c| c.to_vec()).collect()
    }

    #[test]
    fn generated_bytes_start_with_the_magic_and_have_the_size_and_digest_said() {
        let size = 3 * CHUNK as u64 + 17;
        let body = FileBody::generated(b"%PDF-1.7\n", "run/scan.pdf".into(), size);
        let Content::Generated(g) = &body.content else {
            panic!("generated content")
        };
        let bytes = collect(Arc::clone(g));
        assert_eq!(bytes.len() as u64, size);
        assert!(bytes.starts_with(b"%PDF-1.7\n"));
        assert_eq!(body.sha256(), hex::encode(Sha256::digest(&bytes)));
        assert!(
            body.summary()
                .starts_with(&format!("{size} bytes, sha256 "))
        );
        assert!(
            body.summary()
                .contains("starts 25 50 44 46 2d 31 2e 37 0a "),
            "{}",
            body.summary()
        );
    }

    #[test]
    fn a_size_shorter_than_the_magic_cuts_it() {
        let body = FileBody::generated(b"\x89PNG\r\n\x1a\n", "x".into(), 3);
        assert_eq!(body.len(), 3);
        assert_eq!(body.sha256(), hex::encode(Sha256::digest(b"\x89PN")));
    }

    #[tokio::test]
    async fn the_stream_yields_the_bytes_in_bounded_chunks() {
        let g = Arc::new(Generator {
            magic: b"MZ".to_vec(),
            seed: "s".into(),
            size: 2 * CHUNK as u64 + 1,
        });
        let sizes: Vec<usize> = futures_util::stream::iter(Arc::clone(&g).chunks())
            .map(|c| c.len())
            .collect()
            .await;
        assert_eq!(sizes, vec![CHUNK, CHUNK, 1]);
    }
}
