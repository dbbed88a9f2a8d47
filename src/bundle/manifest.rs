//! The bundle's manifest: every file's relative path, SHA-256 and size, and one root hash over
//! them all, so that a single value pins the whole bundle.

use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What `format` says in every manifest this version writes.
pub const FORMAT: &str = "vvcheck-evidence-bundle/1";

/// The manifest: `manifest.json` at the bundle's root (which it does not list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// Always `sha256`.
    pub algorithm: String,
    /// [`root_hash`] of `files`.
    pub root: String,
    /// Sorted by path (byte order).
    pub files: Vec<Entry>,
}

/// One file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the bundle, `/`-separated.
    pub path: String,
    /// Lower-case hex.
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    /// The manifest of `files`, sorted, with its root hash.
    pub fn new(mut files: Vec<Entry>) -> Manifest {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            format: FORMAT.to_string(),
            algorithm: "sha256".to_string(),
            root: root_hash(&files),
            files,
        }
    }
}

/// SHA-256 (lower-case hex) over `path\0sha256\n` of every file, sorted by path in byte order.
pub fn root_hash(files: &[Entry]) -> String {
    let mut sorted: Vec<&Entry> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let mut h = Sha256::new();
    for e in sorted {
        h.update(e.path.as_bytes());
        h.update([0]);
        h.update(e.sha256.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The SHA-256 and size of what `read` yields, each chunk also handed to `also` (the secret
/// scan) as it passes.
pub(super) fn digest(
    mut read: impl Read,
    mut also: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = read.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        also(&buf[..n])?;
        size += n as u64;
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Everything under `root` that is not a folder (links included, not followed), as sorted
/// `/`-separated relative paths.
pub(super) fn files_under(root: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                stack.push((entry.path(), format!("{rel}/")));
            } else {
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The SHA-256 and size of a file.
pub(super) fn digest_file(path: &Path) -> io::Result<(String, u64)> {
    digest(std::fs::File::open(path)?, |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, sha256: &str) -> Entry {
        Entry {
            path: path.into(),
            sha256: sha256.into(),
            size: 1,
        }
    }

    #[test]
    fn the_root_hash_is_sha256_of_the_sorted_lines() {
        let files = vec![entry("b/x", "22"), entry("a", "11")];
        let expected = hex::encode(Sha256::digest(b"a\x0011\nb/x\x0022\n"));
        assert_eq!(root_hash(&files), expected);
        let m = Manifest::new(files);
        assert_eq!(m.root, expected);
        assert_eq!(m.files[0].path, "a", "sorted");
    }

    #[test]
    fn the_root_hash_changes_with_any_file_and_not_with_order() {
        let a = vec![entry("a", "11"), entry("b", "22")];
        let reordered = vec![entry("b", "22"), entry("a", "11")];
        let changed = vec![entry("a", "11"), entry("b", "23")];
        let renamed = vec![entry("a", "11"), entry("c", "22")];
        assert_eq!(root_hash(&a), root_hash(&reordered));
        assert_ne!(root_hash(&a), root_hash(&changed));
        assert_ne!(root_hash(&a), root_hash(&renamed));
        assert_ne!(root_hash(&a), root_hash(&a[..1]));
    }

    #[test]
    fn a_digest_is_the_files_sha256_and_size() {
        let mut seen = Vec::new();
        let (sha, size) = digest(&b"hello"[..], |c| {
            seen.extend_from_slice(c);
            Ok(())
        })
        .expect("reads");
        assert_eq!(
            sha,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(size, 5);
        assert_eq!(seen, b"hello");
    }
}
