//! The folder a bundle is written into: files by their `/`-separated path inside it, made with
//! their folders, errors naming the file.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::BundleError;

/// The folder a bundle is being written into.
pub(super) struct Tree {
    pub(super) root: PathBuf,
}

impl Tree {
    pub(super) fn create(&self, rel: &str) -> Result<(PathBuf, BufWriter<File>), BundleError> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(BundleError::io(parent))?;
        }
        let file = File::create(&path).map_err(BundleError::io(&path))?;
        Ok((path, BufWriter::new(file)))
    }

    /// Writes the file `rel` (a `/`-separated path) with `render`.
    pub(super) fn file(
        &self,
        rel: &str,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), BundleError> {
        let (path, mut w) = self.create(rel)?;
        render(&mut w)
            .and_then(|()| w.flush())
            .map_err(BundleError::io(path))
    }

    /// Writes `bytes` as the file `rel`.
    pub(super) fn bytes(&self, rel: &str, bytes: &[u8]) -> Result<(), BundleError> {
        self.file(rel, |w| w.write_all(bytes))
    }

    /// Writes `value` as pretty JSON in the file `rel`.
    pub(super) fn json(&self, rel: &str, value: &impl Serialize) -> Result<(), BundleError> {
        let (path, mut w) = self.create(rel)?;
        serde_json::to_writer_pretty(&mut w, value)
            .map_err(|e| BundleError::Json(rel.to_string(), e))?;
        w.write_all(b"\n")
            .and_then(|()| w.flush())
            .map_err(BundleError::io(path))
    }

    /// Copies the file `from` to `rel`; returns the copy's path.
    pub(super) fn copy(&self, from: &Path, rel: &str) -> io::Result<PathBuf> {
        let to = self.root.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(from, &to)?;
        Ok(to)
    }

    /// Removes `rel` if it is there (a copy that failed half-way).
    pub(super) fn remove(&self, rel: &str) {
        let _ = fs::remove_file(self.root.join(rel));
    }
}
