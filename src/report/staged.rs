//! Report files written the safe way: into a temporary file beside the final one, through a
//! writer that watches every byte for secret values, and moved into place only when every
//! report of the run came out clean. A run that is killed, or a report that would hold a
//! secret, leaves no file behind, and never half a file.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use tempfile::NamedTempFile;

use super::ReportError;

/// Watches what passes through for any of a set of values, also across write boundaries. All
/// values are looked for in one pass (Aho-Corasick), so the cost does not grow with how many
/// secret forms a run knows.
pub(crate) struct SecretScan<W> {
    inner: W,
    /// `None` when there is nothing to look for.
    secrets: Option<AhoCorasick>,
    /// The last bytes written, as long as the longest secret less one.
    tail: Vec<u8>,
    keep: usize,
    found: bool,
}

impl<W: Write> SecretScan<W> {
    /// Values under 4 bytes are not credible secrets and would match ordinary text. Fails (and
    /// nothing is written) if the values cannot be searched for.
    pub(crate) fn new(inner: W, secrets: &[String]) -> Result<SecretScan<W>, ReportError> {
        let secrets: Vec<&str> = secrets
            .iter()
            .map(String::as_str)
            .filter(|s| s.len() >= 4)
            .collect();
        let keep = secrets.iter().map(|s| s.len()).max().unwrap_or(1) - 1;
        let automaton = if secrets.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&secrets).map_err(|e| ReportError::Scan(e.to_string()))?)
        };
        Ok(SecretScan {
            inner,
            secrets: automaton,
            tail: Vec::new(),
            keep,
            found: false,
        })
    }

    /// A scan of `inner` for the same values, without preparing them again: for checking
    /// many files with one set of secrets.
    pub(crate) fn reuse<V: Write>(&self, inner: V) -> SecretScan<V> {
        SecretScan {
            inner,
            secrets: self.secrets.clone(),
            tail: Vec::new(),
            keep: self.keep,
            found: false,
        }
    }

    /// Whether a secret went through, and the writer.
    pub(crate) fn finish(self) -> (bool, W) {
        (self.found, self.inner)
    }
}

impl<W: Write> Write for SecretScan<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let (false, Some(secrets)) = (self.found, &self.secrets) {
            // Only the bytes a match could span: the tail of what came before, and this write.
            let mut seen = std::mem::take(&mut self.tail);
            seen.extend_from_slice(&buf[..n]);
            self.found = secrets.is_match(&seen);
            let from = seen.len().saturating_sub(self.keep);
            self.tail = seen.split_off(from);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A report being written: its final path and the temporary file it is written into.
pub(crate) struct Staged {
    path: PathBuf,
    file: NamedTempFile,
}

/// Writes one report with `render` into a temporary file in `dir`; `Ok(None)` when a secret
/// went through (the temporary file is then removed).
pub(crate) fn stage(
    dir: &Path,
    name: &str,
    secrets: &[String],
    render: impl FnOnce(&mut dyn Write) -> Result<(), ReportError>,
) -> Result<Option<Staged>, ReportError> {
    let path = dir.join(name);
    let write_error = |source| ReportError::Write {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let file = NamedTempFile::new_in(dir).map_err(write_error)?;
    let mut scan = SecretScan::new(BufWriter::new(file), secrets)?;
    render(&mut scan)?;
    scan.flush().map_err(write_error)?;
    let (leaked, writer) = scan.finish();
    let file = writer
        .into_inner()
        .map_err(|e| write_error(e.into_error()))?;
    Ok((!leaked).then_some(Staged { path, file }))
}

impl Staged {
    /// Moves the report into place; returns its path.
    pub(crate) fn commit(self) -> Result<PathBuf, ReportError> {
        let Staged { path, file } = self;
        file.persist(&path).map_err(|e| ReportError::Write {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(chunks: &[&str], secrets: &[&str]) -> bool {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        let mut scan = SecretScan::new(Vec::new(), &secrets).expect("searchable");
        for c in chunks {
            scan.write_all(c.as_bytes()).expect("writes");
        }
        let (found, out) = scan.finish();
        assert_eq!(
            out,
            chunks.concat().into_bytes(),
            "passes everything through"
        );
        found
    }

    #[test]
    fn sees_a_secret_inside_one_write_and_across_writes() {
        assert!(scanned(&["x hunter2-pw y"], &["hunter2-pw"]));
        assert!(scanned(&["x hun", "ter", "2-pw y"], &["hunter2-pw"]));
        assert!(scanned(
            &["h", "u", "n", "t", "e", "r", "2"],
            &["abcd", "hunter2"]
        ));
        assert!(!scanned(&["x hunter2 y"], &["hunter2-pw"]));
        assert!(
            !scanned(&["abc"], &["abc"]),
            "values under 4 bytes are not secrets"
        );
    }

    #[test]
    fn a_leaking_report_leaves_no_file_and_a_clean_one_lands_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = vec!["s3cret-value".to_string()];
        let leaked = stage(dir.path(), "a.json", &secrets, |w| {
            w.write_all(b"{\"x\": \"s3cret-value\"}")
                .map_err(|source| ReportError::Write {
                    path: "a.json".into(),
                    source,
                })
        })
        .expect("staged");
        assert!(leaked.is_none());
        let clean = stage(dir.path(), "b.json", &secrets, |w| {
            w.write_all(b"{}").map_err(|source| ReportError::Write {
                path: "b.json".into(),
                source,
            })
        })
        .expect("staged")
        .expect("clean");
        assert!(
            !dir.path().join("b.json").exists(),
            "not in place before commit"
        );
        let path = clean.commit().expect("committed");
        assert_eq!(fs::read_to_string(path).expect("readable"), "{}");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("listable")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["b.json"], "no temporary file is left behind");
    }
}
