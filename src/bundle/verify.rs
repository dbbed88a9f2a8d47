//! `vvcheck verify-bundle`: a bundle re-hashed against its manifest. Every listed file must be
//! there with its hash and size, no other file may be, and the root hash must be that of the
//! list.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::MANIFEST_FILE;
use super::manifest::{Manifest, digest_file, files_under, root_hash};

/// What is wrong with one file of a bundle, or with its manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The file's hash or size is not what the manifest says.
    Changed(String),
    /// The manifest lists it; the bundle has no such file.
    Missing(String),
    /// The bundle has it; the manifest does not list it.
    Extra(String),
    /// The root hash is not that of the manifest's list.
    Root { listed: String, computed: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Changed(p) => write!(f, "changed: {p}"),
            Problem::Missing(p) => write!(f, "missing: {p}"),
            Problem::Extra(p) => write!(f, "extra: {p}"),
            Problem::Root { listed, computed } => write!(
                f,
                "root hash: {MANIFEST_FILE} says {listed}, its file list hashes to {computed}"
            ),
        }
    }
}

/// What verifying a bundle found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Files the manifest lists.
    pub files: usize,
    /// The root hash the manifest states.
    pub root: String,
    /// Empty when the bundle is whole.
    pub problems: Vec<Problem>,
}

/// The manifest could not be read: nothing can be verified.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct VerifyError {
    pub path: PathBuf,
    pub reason: String,
}

/// Re-hashes the bundle at `dir` against its manifest.
pub fn verify(dir: &Path) -> Result<Verification, VerifyError> {
    let path = dir.join(MANIFEST_FILE);
    let unreadable = |reason: String| VerifyError {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| unreadable(format!("not a manifest: {e}")))?;
    if manifest.format != super::FORMAT || manifest.algorithm != "sha256" {
        return Err(unreadable(format!(
            "format {} ({}), this vvcheck reads {} (sha256)",
            manifest.format,
            manifest.algorithm,
            super::FORMAT
        )));
    }
    let mut listed = BTreeMap::new();
    for entry in &manifest.files {
        if !inside(&entry.path) {
            return Err(unreadable(format!(
                "lists `{}`, which is not a path inside the bundle",
                entry.path
            )));
        }
        if listed.insert(entry.path.as_str(), entry).is_some() {
            return Err(unreadable(format!("lists `{}` twice", entry.path)));
        }
    }
    let on_disk = files_under(dir).map_err(|e| VerifyError {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut problems = Vec::new();
    for rel in on_disk.iter().filter(|r| *r != MANIFEST_FILE) {
        match listed.remove(rel.as_str()) {
            None => problems.push(Problem::Extra(rel.clone())),
            Some(entry) => {
                let file = dir.join(rel);
                let is_file = std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file());
                let same = is_file
                    && digest_file(&file)
                        .is_ok_and(|(sha, size)| sha == entry.sha256 && size == entry.size);
                if !same {
                    problems.push(Problem::Changed(rel.clone()));
                }
            }
        }
    }
    problems.extend(listed.keys().map(|p| Problem::Missing(p.to_string())));
    let computed = root_hash(&manifest.files);
    if computed != manifest.root {
        problems.push(Problem::Root {
            listed: manifest.root.clone(),
            computed,
        });
    }
    problems.sort_by_key(|p| p.to_string());
    Ok(Verification {
        files: manifest.files.len(),
        root: manifest.root,
        problems,
    })
}

/// Whether a listed path stays inside the bundle: relative, `/`-separated, no `.` or `..`.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path != MANIFEST_FILE
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::manifest::Entry;

    fn bundle(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut entries = Vec::new();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
            std::fs::write(&path, text).expect("written");
            let (sha256, size) = digest_file(&path).expect("hashed");
            entries.push(Entry {
                path: rel.to_string(),
                sha256,
                size,
            });
        }
        let manifest = Manifest::new(entries);
        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            serde_json::to_string(&manifest).expect("serialises"),
        )
        .expect("written");
        dir
    }

    #[test]
    fn a_whole_bundle_has_no_problems() {
        let dir = bundle(&[("a.txt", "a"), ("checks/x/exchanges.http", "GET /")]);
        let v = verify(dir.path()).expect("readable");
        assert_eq!(v.files, 2);
        assert!(v.problems.is_empty(), "{:?}", v.problems);
    }

    #[test]
    fn changed_missing_and_extra_files_are_each_named() {
        let dir = bundle(&[("a.txt", "a"), ("b.txt", "b"), ("c/d.txt", "d")]);
        std::fs::write(dir.path().join("a.txt"), "A").expect("written");
        std::fs::remove_file(dir.path().join("b.txt")).expect("removed");
        std::fs::write(dir.path().join("c/e.txt"), "e").expect("written");
        let v = verify(dir.path()).expect("readable");
        let lines: Vec<String> = v.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            ["changed: a.txt", "extra: c/e.txt", "missing: b.txt"]
        );
    }

    #[test]
    fn an_edited_list_breaks_the_root_hash() {
        let dir = bundle(&[("a.txt", "a")]);
        let path = dir.path().join(MANIFEST_FILE);
        let mut m: Manifest =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("parses");
        std::fs::write(dir.path().join("a.txt"), "A").expect("written");
        let (sha256, _) = digest_file(&dir.path().join("a.txt")).expect("hashed");
        m.files[0].sha256 = sha256;
        std::fs::write(&path, serde_json::to_string(&m).expect("serialises")).expect("written");
        let v = verify(dir.path()).expect("readable");
        assert!(
            matches!(v.problems.as_slice(), [Problem::Root { .. }]),
            "{:?}",
            v.problems
        );
    }

    #[test]
    fn an_unreadable_manifest_or_one_pointing_outside_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(verify(dir.path()).is_err(), "no manifest");
        std::fs::write(dir.path().join(MANIFEST_FILE), "{").expect("written");
        assert!(verify(dir.path()).is_err(), "not JSON");
        for bad in ["../x", "/etc/passwd", "a/./b", ""] {
            let m = Manifest::new(vec![Entry {
                path: bad.into(),
                sha256: "00".into(),
                size: 0,
            }]);
            std::fs::write(
                dir.path().join(MANIFEST_FILE),
                serde_json::to_string(&m).expect("serialises"),
            )
            .expect("written");
            assert!(verify(dir.path()).is_err(), "{bad}");
        }
    }
}
