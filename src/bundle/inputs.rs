//! The run's inputs in the bundle: catalogue, suites, target profile and attestations as the
//! run read them (masked, so a literal secret never lands), each attestation's evidence files
//! with their pinned and actual hashes, and `inputs/index.json` saying where each came from.
//! A profile names its secrets by reference only; the files those references point at are
//! never copied.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::manifest::digest_file;
use super::mask::Mask;
use super::tree::Tree;
use super::{BundleError, check_dir};
use crate::model::inputs::{InputRole, InputSource};

#[derive(Serialize)]
struct Index {
    files: Vec<IndexedFile>,
    evidence: Vec<IndexedEvidence>,
}

#[derive(Serialize)]
struct IndexedFile {
    role: &'static str,
    /// The path the run read it from (`<embedded>/…` for shipped files).
    source: String,
    /// Where it is in the bundle.
    path: String,
    /// Whether masking changed it (it held a secret value).
    masked: bool,
}

#[derive(Serialize)]
struct IndexedEvidence {
    /// The attestations file that names it, in the bundle.
    attestations: String,
    /// As written there (relative to it).
    file: String,
    declared_sha256: String,
    /// What the file hashes to now; absent when it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    matches: bool,
    /// Its copy in the bundle, or why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<String>,
}

fn folder(role: InputRole) -> &'static str {
    match role {
        InputRole::Catalogue => "catalogue",
        InputRole::Suite => "suites",
        InputRole::Target => "target",
        InputRole::Attestations => "attestations",
    }
}

/// A bundle path under `dir` for `name`, not yet taken.
fn unique(taken: &mut BTreeSet<String>, dir: &str, name: &str) -> String {
    let name = check_dir(name);
    let mut path = format!("{dir}/{name}");
    let mut n = 2;
    while !taken.insert(path.clone()) {
        path = format!("{dir}/{n}-{name}");
        n += 1;
    }
    path
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "input".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Writes every input under `inputs/`.
pub(super) fn write(tree: &Tree, mask: &Mask, sources: &[InputSource]) -> Result<(), BundleError> {
    let mut taken = BTreeSet::new();
    let mut index = Index {
        files: Vec::new(),
        evidence: Vec::new(),
    };
    for source in sources {
        let dir = format!("inputs/{}", folder(source.role));
        let path = unique(&mut taken, &dir, &file_name(&source.file.path));
        let text = mask.text(&source.file.text);
        tree.bytes(&path, text.as_bytes())?;
        index.files.push(IndexedFile {
            role: folder(source.role),
            source: source.file.path.display().to_string(),
            path: path.clone(),
            masked: text != source.file.text,
        });
        let base = source.file.path.parent().unwrap_or(Path::new(""));
        for (file, declared) in &source.evidence {
            index
                .evidence
                .push(evidence(tree, &mut taken, &path, base, file, declared));
        }
    }
    tree.json("inputs/index.json", &index)
}

/// Copies one attestation's evidence file, with its hashes.
fn evidence(
    tree: &Tree,
    taken: &mut BTreeSet<String>,
    attestations: &str,
    base: &Path,
    file: &str,
    declared: &str,
) -> IndexedEvidence {
    let on_disk = base.join(file);
    let mut record = IndexedEvidence {
        attestations: attestations.to_string(),
        file: file.to_string(),
        declared_sha256: declared.to_ascii_lowercase(),
        sha256: None,
        size: None,
        matches: false,
        path: None,
        missing: None,
    };
    // Hashed as copied, so the hash listed is that of the bundle's copy.
    let path = unique(taken, "inputs/attestations/evidence", &file_name(&on_disk));
    match tree
        .copy(&on_disk, &path)
        .and_then(|copy| digest_file(&copy))
    {
        Ok((sha256, size)) => {
            record.matches = sha256 == record.declared_sha256;
            record.sha256 = Some(sha256);
            record.size = Some(size);
            record.path = Some(path);
        }
        Err(e) => {
            tree.remove(&path);
            record.missing = Some(format!("{}: {e}", on_disk.display()));
        }
    }
    record
}
