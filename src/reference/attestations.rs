//! The reference server's own attestations (`fixtures/attestations/reference.yaml`) and the
//! evidence files they pin, inside the binary so that `vvcheck demo` can load them anywhere.

use std::io;
use std::path::{Path, PathBuf};

/// The attestations file, as shipped.
const FILE: &str = include_str!("../../fixtures/attestations/reference.yaml");

/// The evidence files it names, by their path relative to it.
const EVIDENCE: &[(&str, &str)] = &[
    (
        "evidence/encryption-at-rest.md",
        include_str!("../../fixtures/attestations/evidence/encryption-at-rest.md"),
    ),
    (
        "evidence/privacy-impact-assessment.md",
        include_str!("../../fixtures/attestations/evidence/privacy-impact-assessment.md"),
    ),
    (
        "evidence/data-residency.md",
        include_str!("../../fixtures/attestations/evidence/data-residency.md"),
    ),
];

/// Writes the attestations file and its evidence under `dir/attestations/`; returns the
/// file's path.
pub fn write(dir: &Path) -> io::Result<PathBuf> {
    let root = dir.join("attestations");
    for (name, text) in EVIDENCE {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    let file = root.join("reference.yaml");
    std::fs::write(&file, FILE)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::inputs::{InputPaths, load};
    use crate::outcome::SignoffKind;

    #[test]
    fn the_shipped_attestations_load_and_their_evidence_hashes_match() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(dir.path()).expect("written");
        let paths = InputPaths {
            attestations: vec![file],
            ..InputPaths::default()
        };
        let inputs = load(&paths, &crate::probes::registry::Registry).expect("loads");
        assert!(inputs.warnings.is_empty(), "{:?}", inputs.warnings);
        let (file, _) = &inputs.attestations[0];
        let ids: Vec<&str> = file
            .attestations
            .iter()
            .map(|a| a.requirement.as_str())
            .collect();
        assert_eq!(ids, ["SEC-14", "PRV-06", "PRV-07", "FUN-2.1.12"]);
        assert!(
            file.attestations
                .iter()
                .all(|a| a.kind == SignoffKind::Vendor)
        );
        let sizes: Vec<u64> = file
            .attestations
            .iter()
            .flat_map(|a| a.evidence.iter().map(|e| e.size))
            .collect();
        assert_eq!(sizes.len(), EVIDENCE.len());
        assert!(sizes.iter().all(|&s| s > 0), "{sizes:?}");
    }
}
