//! A file's bytes as a request carries them: held whole (a committed fixture, a small generated
//! file) or generated chunk by chunk while they are sent, so that a file over a vendor's size
//! limit is never whole in memory. Either way its size, SHA-256 and first bytes are known
//! before it is sent: templates compare a download with them, and the recorded evidence keeps
//! them instead of the bytes.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
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

/// Deterministic bytes: `magic`, then SHA-256 blocks of `seed/counter`, `size` in all.
struct Generator {
    magic: Vec<u8>,
    seed: String,
    size: u64,
}

impl Generator {
    /// The bytes from `start`, at most `len` of them.
    fn chunk(&self, start: u64, len: usize) -> Bytes {
        let end = self.size.min(start.saturating_add(len as u64));
        let mut out = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
        let mut at = start;
        while at < end {
            let magic_len = self.magic.len() as u64;
            if at < magic_len {
                let from = usize::try_from(at).unwrap_or(0);
                let to = usize::try_from(magic_len.min(end)).unwrap_or(from);
                out.extend_from_slice(&self.magic[from..to]);
                at = magic_len.min(end);
                continue;
            }
            let offset = at - magic_len;
            let block = Sha256::digest(format!("{}/{}", self.seed, offset / 32).as_bytes());
            let from = usize::try_from(offset % 32).unwrap_or(0);
            let take = usize::try_from((end - at).min(32 - offset % 32)).unwrap_or(0);
            out.extend_from_slice(&block[from..from + take]);
            at += take as u64;
        }
        Bytes::from(out)
    }

    fn chunks(self: Arc<Self>) -> impl Iterator<Item = Bytes> + Send + 'static {
        let mut at = 0u64;
        std::iter::from_fn(move || {
            (at < self.size).then(|| {
                let c = self.chunk(at, CHUNK);
                at += c.len() as u64;
                c
            })
        })
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
            head: generator.chunk(0, HEAD),
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
            Content::Generated(g) => reqwest::Body::wrap_stream(futures_util::stream::iter(
                Arc::clone(g).chunks().map(Ok::<_, Infallible>),
            )),
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
