//! Gathers every input of a run (catalogue, suites, target, attestations), validates them
//! together and reports every problem at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::attest::AttestationFile;
use super::diag::{Diagnostic, Diagnostics, ReadError, SourceFile, read_source};
use super::load::{self, FileKind, embedded};
use super::probe::ProbeCatalog;
use super::resolve::ResolvedTarget;
use super::standard::Catalogue;
use super::suite::Check;
use super::target::TargetProfile;
use super::validate;

/// Where the inputs come from; `None` means the shipped ones.
#[derive(Debug, Clone, Default)]
pub struct InputPaths {
    pub standard: Option<PathBuf>,
    pub suites_dir: Option<PathBuf>,
    /// Individual suite files; used when `suites_dir` is not set and this is not empty.
    pub suite_files: Vec<PathBuf>,
    /// Suite files read with the shipped suites (or those of `suites_dir`), each in place of
    /// the one of the same file name: `validate suites/privacy.yaml` checks that file with the
    /// suites it refers to.
    pub suite_overrides: Vec<PathBuf>,
    pub target: Option<PathBuf>,
    pub attestations: Vec<PathBuf>,
    /// Loading to validate, not to run: files a run reads but that may not exist yet (a CA
    /// written when the vendor's test server starts) are warnings, not errors.
    pub validating: bool,
}

/// Inputs that loaded and validated.
#[derive(Debug)]
pub struct Inputs {
    pub catalogue: Catalogue,
    /// Shared with the plan, so a run holds each check once.
    pub checks: Vec<Arc<Check>>,
    pub target: Option<(TargetProfile, Arc<SourceFile>)>,
    /// The target profile resolved (secrets read, URLs parsed), once, when it loaded.
    pub resolved: Option<ResolvedTarget>,
    pub attestations: Vec<(AttestationFile, Arc<SourceFile>)>,
    /// Problems that do not stop the inputs from loading (an attestation for a requirement
    /// the catalogue does not hold): printed, and reported where they matter.
    pub warnings: Vec<Diagnostic>,
    /// Every file read, as read, in the order read: what the evidence bundle keeps of the
    /// run's inputs.
    pub sources: Vec<InputSource>,
}

/// The part a file plays in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRole {
    Catalogue,
    Suite,
    Target,
    Attestations,
}

/// A file a run read, with the evidence files it names (attestations only).
#[derive(Debug, Clone)]
pub struct InputSource {
    pub role: InputRole,
    pub file: Arc<SourceFile>,
    /// Each evidence file as written in the attestations (relative to them) and its pinned
    /// SHA-256.
    pub evidence: Vec<(String, String)>,
}

impl InputSource {
    fn new(role: InputRole, file: &Arc<SourceFile>) -> InputSource {
        InputSource {
            role,
            file: Arc::clone(file),
            evidence: Vec::new(),
        }
    }
}

/// Loading failed: unreadable files, or diagnostics.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl From<ReadError> for LoadError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => LoadError::Io(e),
            ReadError::Text(d) => LoadError::Invalid(Diagnostics(vec![*d])),
        }
    }
}

fn embedded_source(name: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        path: Path::new("<embedded>").join(name),
        text: text.to_string(),
    })
}

/// Suite sources: every `*.yaml` of `dir` (sorted), the given files, or the shipped ones; then
/// each override in place of the source of its file name, or after them.
fn suite_sources(
    dir: Option<&Path>,
    files: &[PathBuf],
    overrides: &[PathBuf],
) -> Result<Vec<Arc<SourceFile>>, LoadError> {
    let mut sources = base_suite_sources(dir, files)?;
    if overrides.is_empty() {
        return Ok(sources);
    }
    sources.retain(|s| {
        !overrides
            .iter()
            .any(|o| o.file_name() == s.path.file_name())
    });
    for o in overrides {
        sources.push(read_source(o).map_err(LoadError::from)?);
    }
    Ok(sources)
}

/// The suites before any override: see [`suite_sources`].
fn base_suite_sources(
    dir: Option<&Path>,
    files: &[PathBuf],
) -> Result<Vec<Arc<SourceFile>>, LoadError> {
    if dir.is_none() && !files.is_empty() {
        return files
            .iter()
            .map(|p| read_source(p).map_err(LoadError::from))
            .collect();
    }
    let Some(dir) = dir else {
        return Ok(embedded::SUITES
            .iter()
            .map(|(n, t)| embedded_source(&format!("suites/{n}"), t))
            .collect());
    };
    let entries = std::fs::read_dir(dir)
        .map_err(|e| LoadError::Io(format!("{}: cannot read suites folder: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .filter(|p| p.file_name().is_some_and(|n| n != "standard.yaml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(LoadError::Io(format!(
            "{}: no suite files (*.yaml) found",
            dir.display()
        )));
    }
    paths
        .iter()
        .map(|p| read_source(p).map_err(LoadError::from))
        .collect()
}

/// Loads and validates everything a run needs; probe steps are read with `probes`.
pub fn load(paths: &InputPaths, probes: &dyn ProbeCatalog) -> Result<Inputs, LoadError> {
    let mut diags = Diagnostics::default();
    let mut sources = Vec::new();
    let standard_src = match &paths.standard {
        Some(p) => read_source(p).map_err(LoadError::from)?,
        None => embedded_source(
            &format!("suites/{}", embedded::STANDARD.0),
            embedded::STANDARD.1,
        ),
    };
    sources.push(InputSource::new(InputRole::Catalogue, &standard_src));
    let catalogue =
        load::parse(&standard_src).and_then(|root| load::catalogue(&standard_src, &root));
    let mut checks = Vec::new();
    for src in suite_sources(
        paths.suites_dir.as_deref(),
        &paths.suite_files,
        &paths.suite_overrides,
    )? {
        sources.push(InputSource::new(InputRole::Suite, &src));
        match load::parse(&src).and_then(|root| load::suite(&src, root, probes)) {
            Ok(c) => checks.extend(c.into_iter().map(Arc::new)),
            Err(d) => diags.0.extend(d.0),
        }
    }
    let target = match &paths.target {
        Some(p) => {
            let src = read_source(p).map_err(LoadError::from)?;
            sources.push(InputSource::new(InputRole::Target, &src));
            match load::parse(&src).and_then(|root| load::target(&src, &root)) {
                Ok(t) => Some((t, src)),
                Err(d) => {
                    diags.0.extend(d.0);
                    None
                }
            }
        }
        None => None,
    };
    let mut attestations = Vec::new();
    for p in &paths.attestations {
        let src = read_source(p).map_err(LoadError::from)?;
        let mut source = InputSource::new(InputRole::Attestations, &src);
        match load::parse(&src).and_then(|root| load::attestations(&src, &root)) {
            Ok(mut a) => {
                validate::attest::evidence(&mut a, &src, &mut diags);
                source.evidence = a
                    .attestations
                    .iter()
                    .flat_map(|at| at.evidence.iter())
                    .chain(a.waivers.iter().flat_map(|w| w.evidence.iter()))
                    .map(|e| (e.file.clone(), e.sha256.clone()))
                    .collect();
                sources.push(source);
                attestations.push((a, src));
            }
            Err(d) => diags.0.extend(d.0),
        }
    }
    let catalogue = match catalogue {
        Ok(c) => c,
        Err(d) => {
            diags.0.extend(d.0);
            return Err(LoadError::Invalid(diags));
        }
    };
    let mut inputs = Inputs {
        catalogue,
        checks,
        target,
        resolved: None,
        attestations,
        warnings: Vec::new(),
        sources,
    };
    let mut warnings = Vec::new();
    cross_check(&inputs, &mut diags, &mut warnings);
    inputs.warnings = warnings;
    if let Some((profile, src)) = &inputs.target {
        match ResolvedTarget::resolve(profile, src, paths.validating) {
            Ok(t) => inputs.resolved = Some(t),
            Err(d) => diags.0.extend(d.0),
        }
    }
    if diags.is_empty() {
        Ok(inputs)
    } else {
        Err(LoadError::Invalid(diags))
    }
}

/// Every validation that spans files; what does not stop a run goes to `warnings`.
pub fn cross_check(inputs: &Inputs, diags: &mut Diagnostics, warnings: &mut Vec<Diagnostic>) {
    let actors = inputs
        .target
        .as_ref()
        .map(|(profile, _)| validate::ActorAttributes::of(profile));
    validate::suites(&inputs.catalogue, &inputs.checks, actors.as_ref(), diags);
    if let Some((profile, src)) = &inputs.target {
        validate::target(profile, src, diags);
        validate::requirement_refs(&inputs.catalogue, profile.not_applicable.keys(), src, diags);
        validate::suites_against_target(&inputs.checks, profile, src, diags);
    }
    for (file, src) in &inputs.attestations {
        validate::attest::entries(&inputs.catalogue, file, src, diags, warnings);
    }
}

/// Reads one file and tells its kind, for `vvcheck validate FILE…`.
pub fn classify(path: &Path) -> Result<(FileKind, Arc<SourceFile>), LoadError> {
    let src = read_source(path).map_err(LoadError::from)?;
    let root = load::parse(&src).map_err(LoadError::Invalid)?;
    match load::detect_kind(&root) {
        Some(kind) => Ok((kind, src)),
        None => Err(LoadError::Invalid(Diagnostics(vec![
            Diagnostic::new(&src, root.loc, "cannot tell what kind of file this is")
                .hint("a suite is a list of checks; a target profile has `base_url`; a catalogue has `edition`; attestations have `attestations:`"),
        ]))),
    }
}
