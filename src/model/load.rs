//! Reading input files: YAML text → located tree → typed values, every error located.

use std::sync::Arc;

use serde::Deserialize;

use super::attest::{Attestation, AttestationFile, Waiver};
use super::diag::{Diagnostic, Diagnostics, SourceFile};
use super::located::Located;
use super::probe::ProbeCatalog;
use super::standard::Catalogue;
use super::suite::{Check, Step, StepDef, StepKind};
use super::target::{Actor, AuthScheme, Operation, TargetProfile};
use super::text;
use super::yaml::{self, Node, NodeKind};

/// What a YAML input file is, told from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Standard,
    Suite,
    Target,
    Attestations,
}

impl FileKind {
    /// Human name.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Standard => "standard catalogue",
            FileKind::Suite => "suite",
            FileKind::Target => "target profile",
            FileKind::Attestations => "attestations",
        }
    }
}

/// The catalogue and suites shipped inside the binary.
pub mod embedded {
    /// `suites/standard.yaml`.
    pub const STANDARD: (&str, &str) =
        ("standard.yaml", include_str!("../../suites/standard.yaml"));
    /// The shipped suites, one per domain.
    pub const SUITES: &[(&str, &str)] = &[
        (
            "accessibility.yaml",
            include_str!("../../suites/accessibility.yaml"),
        ),
        (
            "functionality.yaml",
            include_str!("../../suites/functionality.yaml"),
        ),
        ("privacy.yaml", include_str!("../../suites/privacy.yaml")),
        ("security.yaml", include_str!("../../suites/security.yaml")),
        (
            "technology.yaml",
            include_str!("../../suites/technology.yaml"),
        ),
    ];
}

/// Parses a file into its tree; a syntax error is a diagnostic, and so is a NUL byte, which
/// the parser would take for the end of the document.
pub fn parse(src: &Arc<SourceFile>) -> Result<Node, Diagnostics> {
    if let Err(e) = text::no_nul(&src.text) {
        return Err(Diagnostics(vec![
            Diagnostic::new(src, e.loc, e.message).hint(e.hint),
        ]));
    }
    yaml::parse(&src.text).map_err(|e| Diagnostics(vec![Diagnostic::syntax(src, e)]))
}

/// Tells the kind of a parsed file from its shape.
pub fn detect_kind(root: &Node) -> Option<FileKind> {
    match &root.kind {
        NodeKind::Seq(items) => items
            .first()
            .is_none_or(|i| i.get("steps").is_some() || i.get("requirements").is_some())
            .then_some(FileKind::Suite),
        NodeKind::Map(_) => {
            if root.get("edition").is_some()
                || (root.get("requirements").is_some() && root.get("base_url").is_none())
            {
                Some(FileKind::Standard)
            } else if root.get("attestations").is_some() || root.get("waivers").is_some() {
                Some(FileKind::Attestations)
            } else if root.get("base_url").is_some()
                || root.get("operations").is_some()
                || root.get("actors").is_some()
            {
                Some(FileKind::Target)
            } else if root.get("checks").is_some() {
                Some(FileKind::Suite)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Checks every entry of a collection on its own: each value of the mapping (or each item of
/// the list) under `key`, as a `T`. Returns the errors, with their full key path.
fn part_errors<'a, T: Deserialize<'a>>(node: &'a Node, key: &str) -> Vec<yaml::DeError> {
    let Some(collection) = node.get(key) else {
        return Vec::new();
    };
    let entries: Vec<(String, &Node)> = match &collection.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or("?").to_string(), v))
            .collect(),
        NodeKind::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("[{i}]"), v))
            .collect(),
        _ => return Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|(name, value)| {
            yaml::from_node::<T>(value).err().map(|mut e| {
                e.path.insert(0, name);
                e.path.insert(0, key.to_string());
                e
            })
        })
        .collect()
}

/// When a whole value fails, the errors of its parts checked one by one (so that a second bad
/// operation or step is reported too), plus the whole's own error if no part explains it.
fn all_errors(
    src: &Arc<SourceFile>,
    whole: yaml::DeError,
    parts: Vec<yaml::DeError>,
) -> Diagnostics {
    let mut errors = parts;
    if !errors
        .iter()
        .any(|e| e.loc == whole.loc && e.message == whole.message)
    {
        errors.insert(0, whole);
    }
    errors.sort_by_key(|e| e.loc.map(|l| (l.line, l.column)));
    Diagnostics(
        errors
            .into_iter()
            .map(|e| Diagnostic::from_de(src, e))
            .collect(),
    )
}

fn typed<'a, T: Deserialize<'a>>(src: &Arc<SourceFile>, node: &'a Node) -> Result<T, Diagnostics> {
    yaml::from_node(node).map_err(|e| Diagnostics(vec![Diagnostic::from_de(src, e)]))
}

/// Loads the requirement catalogue.
pub fn catalogue(src: &Arc<SourceFile>, root: &Node) -> Result<Catalogue, Diagnostics> {
    let cat: Catalogue = typed(src, root)?;
    let mut diags = Diagnostics::default();
    let mut seen = std::collections::HashSet::new();
    if let Some(NodeKind::Seq(items)) = root.get("requirements").map(|n| &n.kind) {
        for (req, node) in cat.requirements.iter().zip(items) {
            if !seen.insert(req.id.0.clone()) {
                let loc = node.get("id").map_or(node.loc, |n| n.loc);
                diags.push(Diagnostic::new(
                    src,
                    loc,
                    format!("requirement `{}` is listed twice", req.id),
                ));
            }
        }
    }
    if cat.requirements.is_empty() {
        diags.push(Diagnostic::new(
            src,
            root.loc,
            "the catalogue lists no requirements",
        ));
    }
    if diags.is_empty() {
        Ok(cat)
    } else {
        Err(diags)
    }
}

fn not_a_suite(src: &Arc<SourceFile>, loc: yaml::Loc) -> Diagnostics {
    Diagnostics(vec![
        Diagnostic::new(src, loc, "a suite is a list of checks")
            .hint("start each check with `- id: …`"),
    ])
}

/// Turns the steps of a check as written into steps ready to run: exactly one of `call:` or
/// `probe:`, and a probe's `with:` read as that probe's typed parameters.
fn compile_steps(
    src: &Arc<SourceFile>,
    item: &Node,
    check: &mut Check,
    probes: &dyn ProbeCatalog,
    diags: &mut Diagnostics,
) {
    let written_nodes: &[Node] = match item.get("steps").map(|n| &n.kind) {
        Some(NodeKind::Seq(nodes)) => nodes,
        _ => &[],
    };
    let written = std::mem::take(&mut check.written_steps);
    check.steps.reserve_exact(written.len());
    for (i, def) in written.into_iter().enumerate() {
        let loc = def.loc;
        let def = def.value;
        let kind = match (def.call, def.probe) {
            (Some(operation), None) => StepKind::Call {
                operation,
                inputs: def.with,
            },
            (None, Some(name)) => {
                let Some(spec) = probes.spec(&name) else {
                    diags.push(Diagnostic::unknown(src, "probe", &name, probes.names()));
                    continue;
                };
                let with = written_nodes.get(i).and_then(|n| n.get("with"));
                match (spec.parse)(with) {
                    Ok(params) => StepKind::Probe { name, params },
                    Err(mut e) => {
                        // Without `with:`, a missing parameter is the step's to point at.
                        if e.loc.is_none_or(|l| l.line == 0) {
                            e.loc = Some(loc);
                        }
                        e.path
                            .splice(0..0, [format!("steps[{i}]"), "with".to_string()]);
                        let mut d = Diagnostic::from_de(src, e);
                        d.message = format!("probe `{}`: {}", spec.name, d.message);
                        diags.push(d);
                        continue;
                    }
                }
            }
            _ => {
                diags.push(Diagnostic::new(
                    src,
                    loc,
                    "a step has exactly one of `call:` or `probe:`",
                ));
                continue;
            }
        };
        check.steps.push(Located {
            value: Step {
                kind,
                actor: def.actor,
                credentials: def.credentials,
                expect: def.expect.map(Box::new),
                save: def.save,
                if_mapped: def.if_mapped,
                when_declared: def.when_declared,
            },
            loc,
        });
    }
}

/// Loads a suite: every check is read on its own, so one bad check does not hide another.
///
/// The tree is taken by value and each check's nodes are dropped once it is read, so a large
/// suite never holds its whole tree and all its checks at once.
pub fn suite(
    src: &Arc<SourceFile>,
    root: Node,
    probes: &dyn ProbeCatalog,
) -> Result<Vec<Check>, Diagnostics> {
    let root_loc = root.loc;
    let items = match root.kind {
        NodeKind::Seq(items) => items,
        NodeKind::Map(entries) => match entries
            .into_iter()
            .find(|(k, _)| k.as_str() == Some("checks"))
        {
            Some((
                _,
                Node {
                    kind: NodeKind::Seq(items),
                    ..
                },
            )) => items,
            _ => return Err(not_a_suite(src, root_loc)),
        },
        _ => return Err(not_a_suite(src, root_loc)),
    };
    if items.is_empty() {
        return Err(Diagnostics(vec![
            Diagnostic::new(src, root_loc, "the suite has no checks")
                .hint("add at least one `- id: …` entry"),
        ]));
    }
    let mut diags = Diagnostics::default();
    let mut checks = Vec::with_capacity(items.len());
    for item in items {
        let item = &item;
        match yaml::from_node::<Check>(item) {
            Ok(mut c) => {
                c.source = Some(Arc::clone(src));
                if c.written_steps.is_empty() {
                    diags.push(Diagnostic::new(
                        src,
                        c.id.loc,
                        format!("check `{}` has no steps", c.id),
                    ));
                }
                if c.requirements.is_empty() {
                    diags.push(Diagnostic::new(
                        src,
                        c.id.loc,
                        format!("check `{}` names no requirement", c.id),
                    ));
                }
                compile_steps(src, item, &mut c, probes, &mut diags);
                checks.push(c);
            }
            Err(e) => diags
                .0
                .extend(all_errors(src, e, part_errors::<StepDef>(item, "steps")).0),
        }
    }
    if diags.is_empty() {
        Ok(checks)
    } else {
        Err(diags)
    }
}

/// Loads a target profile; every bad auth scheme, actor and operation is reported.
pub fn target(src: &Arc<SourceFile>, root: &Node) -> Result<TargetProfile, Diagnostics> {
    yaml::from_node(root).map_err(|e| {
        let mut parts = part_errors::<AuthScheme>(root, "auth");
        parts.extend(part_errors::<Actor>(root, "actors"));
        parts.extend(part_errors::<Operation>(root, "operations"));
        all_errors(src, e, parts)
    })
}

/// Loads an attestations file.
/// Loads an attestations file; every bad attestation and waiver is reported.
pub fn attestations(src: &Arc<SourceFile>, root: &Node) -> Result<AttestationFile, Diagnostics> {
    yaml::from_node(root).map_err(|e| {
        let mut parts = part_errors::<Attestation>(root, "attestations");
        parts.extend(part_errors::<Waiver>(root, "waivers"));
        all_errors(src, e, parts)
    })
}
