//! `vvcheck validate`: check YAML inputs without running anything. A suite file given is read
//! with the shipped suites, in place of the shipped file of its name, so that what it refers
//! to in the others resolves.

use std::fmt::Write;

use super::args::ValidateArgs;
use super::out;
use crate::model::inputs::{self, InputPaths, LoadError};
use crate::model::load::FileKind;
use crate::verdict::exit;

/// Validates the given files (kinds told from content), cross-checked together.
pub fn validate(args: ValidateArgs) -> i32 {
    let mut paths = InputPaths {
        standard: args.suites.standard.clone(),
        suites_dir: args.suites.suites.clone(),
        validating: true,
        ..Default::default()
    };
    let mut targets = Vec::new();
    let mut failed = false;
    let mut report = String::new();
    for file in &args.files {
        match inputs::classify(file) {
            Ok((kind, _)) => {
                let _ = writeln!(report, "{}: {}", file.display(), kind.as_str());
                match kind {
                    FileKind::Standard => paths.standard = Some(file.clone()),
                    FileKind::Suite => paths.suite_overrides.push(file.clone()),
                    FileKind::Target => targets.push(file.clone()),
                    FileKind::Attestations => paths.attestations.push(file.clone()),
                }
            }
            Err(e) => {
                out::load_error(&e);
                failed = true;
            }
        }
    }
    if failed {
        return exit::INVALID;
    }
    // Each target is checked against the same suites; without one, the suites alone.
    let runs: Vec<Option<std::path::PathBuf>> = if targets.is_empty() {
        vec![None]
    } else {
        targets.into_iter().map(Some).collect()
    };
    for target in runs {
        let p = InputPaths {
            target,
            ..paths.clone()
        };
        match inputs::load(&p, &crate::probes::registry::Registry) {
            Ok(loaded) => {
                let target_warnings = loaded.resolved.iter().flat_map(|t| &t.warnings);
                for w in target_warnings.chain(&loaded.warnings) {
                    eprintln!("{w}");
                }
                let _ = writeln!(
                    report,
                    "ok: {} checks, {} requirements (edition {}){}{}",
                    loaded.checks.len(),
                    loaded.catalogue.requirements.len(),
                    loaded.catalogue.edition,
                    loaded
                        .target
                        .as_ref()
                        .map_or(String::new(), |(t, src)| format!(
                            ", target `{}` ({})",
                            t.name,
                            src.path.display()
                        )),
                    if loaded.attestations.is_empty() {
                        String::new()
                    } else {
                        format!(", {} attestation file(s)", loaded.attestations.len())
                    },
                );
            }
            Err(e @ (LoadError::Invalid(_) | LoadError::Io(_))) => {
                out::load_error(&e);
                failed = true;
            }
        }
    }
    out::stdout(&report);
    if failed { exit::INVALID } else { exit::OK }
}
