//! The run's spill file: recorded bodies larger than [`INLINE_LIMIT`] are appended to one
//! temporary file and referenced by offset, so a run's memory does not grow with the bodies the
//! target sends back. The file lives as long as the [`Spill`] (the run's outcome keeps it).

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::sync::Mutex;

use tempfile::NamedTempFile;

use crate::outcome::{Body, SpillRef};

/// Bodies up to this many bytes stay in memory.
pub const INLINE_LIMIT: usize = 4 * 1024;

/// Bodies are kept up to this many bytes; the rest is cut and said so.
pub const KEEP_LIMIT: usize = 1024 * 1024;

/// One append-only temporary file of bodies.
#[derive(Debug)]
pub struct Spill {
    file: Mutex<NamedTempFile>,
}

impl Spill {
    /// A new, empty spill file in the system's temporary folder.
    pub fn new() -> std::io::Result<Spill> {
        Ok(Spill {
            file: Mutex::new(
                tempfile::Builder::new()
                    .prefix("vvcheck-bodies-")
                    .tempfile()?,
            ),
        })
    }

    /// Keeps `text` (already redacted): in memory when small, else in the file. A body that
    /// cannot be written stays in memory, cut at [`INLINE_LIMIT`] and marked so.
    pub fn keep(&self, text: String) -> Body {
        let text = cut(text, KEEP_LIMIT);
        if text.len() <= INLINE_LIMIT {
            return Body::Inline(text);
        }
        match self.append(&text) {
            Ok(spilled) => Body::Spilled { spilled },
            Err(e) => Body::Inline(format!("{} [spill file: {e}]", cut(text, INLINE_LIMIT))),
        }
    }

    fn append(&self, text: &str) -> std::io::Result<SpillRef> {
        let mut guard = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("spill file lock poisoned"))?;
        let path = guard.path().to_path_buf();
        let file: &mut File = guard.as_file_mut();
        let offset = file.seek(SeekFrom::End(0))?;
        file.write_all(text.as_bytes())?;
        Ok(SpillRef {
            file: path,
            offset,
            len: text.len() as u64,
        })
    }
}

/// `text` cut to at most `limit` bytes (on a character boundary), with how much was cut.
pub fn cut(text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_bodies_stay_in_memory_and_large_ones_read_back_whole() {
        let spill = Spill::new().expect("temp file");
        assert_eq!(spill.keep("short".into()), Body::Inline("short".into()));
        let big: String = "é".repeat(INLINE_LIMIT);
        let kept = spill.keep(big.clone());
        assert!(matches!(kept, Body::Spilled { .. }), "{kept:?}");
        let second = spill.keep("x".repeat(INLINE_LIMIT + 1));
        assert_eq!(kept.text(), big, "read back from its offset");
        assert_eq!(second.text().len(), INLINE_LIMIT + 1);
    }

    #[test]
    fn a_cut_says_how_much_was_left_out() {
        assert_eq!(cut("aéb".into(), 2), "a… [3 more bytes]");
        assert_eq!(cut("abc".into(), 3), "abc");
    }
}
