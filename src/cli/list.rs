//! `vvcheck list requirements|checks|probes|flaws`.

use std::fmt::Write;

use serde_json::json;

use super::args::{Format, ListArgs, ListWhat};
use super::out;
use super::table::{self, Align};
use crate::model::inputs::{self, InputPaths};
use crate::probes::registry::PROBES;
use crate::reference::Flaw;
use crate::verdict::exit;

/// The probes of the registry, as a table or JSON.
fn probes(format: Format) -> String {
    let specs = PROBES.iter().map(|p| &p.spec);
    match format {
        Format::Json => {
            let probes: Vec<_> = specs
                .map(|p| json!({"name": p.name, "params": p.params, "about": p.about}))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&probes).unwrap_or_default()
            )
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = specs
                .map(|p| {
                    let params = if p.params.is_empty() {
                        "-".to_string()
                    } else {
                        p.params.join(",")
                    };
                    vec![p.name.to_string(), params, p.about.to_string()]
                })
                .collect();
            table::render(
                &[
                    ("probe", table::Align::Left),
                    ("parameters", table::Align::Left),
                    ("verifies", table::Align::Left),
                ],
                &rows,
            )
        }
    }
}

/// Lists what was asked, as a table or JSON.
pub fn list(args: ListArgs) -> i32 {
    if args.what == ListWhat::Probes {
        out::stdout(&probes(args.format));
        return exit::OK;
    }
    if args.what == ListWhat::Flaws {
        let text = match args.format {
            Format::Json => {
                let flaws: Vec<_> = Flaw::ALL.iter().map(|f| json!({"name": f.name(), "requirements": f.requirements(), "description": f.description()})).collect();
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&flaws).unwrap_or_default()
                )
            }
            Format::Table => Flaw::ALL.iter().fold(String::new(), |mut s, f| {
                let reqs = if f.requirements().is_empty() {
                    "-".to_string()
                } else {
                    f.requirements().join(",")
                };
                let _ = writeln!(s, "{:<20} {:<10} {}", f.name(), reqs, f.description());
                s
            }),
        };
        out::stdout(&text);
        return exit::OK;
    }
    let paths = InputPaths {
        standard: args.suites.standard.clone(),
        suites_dir: args.suites.suites.clone(),
        ..Default::default()
    };
    let mut loaded = match inputs::load(&paths, &crate::probes::registry::Registry) {
        Ok(l) => l,
        Err(e) => return out::load_error(&e),
    };
    if !args.requirement.is_empty() {
        let wanted: Vec<String> = args
            .requirement
            .iter()
            .map(|r| r.to_ascii_uppercase())
            .collect();
        if let Some(unknown) = wanted.iter().find(|w| {
            !loaded
                .catalogue
                .requirements
                .iter()
                .any(|r| r.id.as_str() == w.as_str())
        }) {
            eprintln!("error: unknown requirement `{unknown}` (see `vvcheck list requirements`)");
            return exit::INVALID;
        }
        let verifies = |c: &crate::model::suite::Check| {
            c.requirements
                .iter()
                .any(|r| wanted.iter().any(|w| w == r.as_str()))
        };
        loaded.checks.retain(|c| verifies(c));
        loaded
            .catalogue
            .requirements
            .retain(|r| wanted.iter().any(|w| w == r.id.as_str()));
    }
    let text = match (args.what, args.format) {
        (ListWhat::Requirements, Format::Json) => {
            let reqs: Vec<_> = loaded
                .catalogue
                .requirements
                .iter()
                .map(|r| {
                    let checks: Vec<&str> = loaded.checks.iter().filter(|c| c.requirements.iter().any(|q| q.as_str() == r.id.as_str())).map(|c| c.id.as_str()).collect();
                    json!({"id": r.id, "domain": r.domain, "level": r.level, "provenance": r.provenance, "verification": r.verification, "section": r.section, "title": r.title, "text": r.text, "checks": checks})
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(
                    &json!({"edition": loaded.catalogue.edition, "requirements": reqs})
                )
                .unwrap_or_default()
            )
        }
        (ListWhat::Requirements, Format::Table) => {
            let rows: Vec<Vec<String>> = loaded
                .catalogue
                .requirements
                .iter()
                .map(|r| {
                    let n = loaded
                        .checks
                        .iter()
                        .filter(|c| c.requirements.iter().any(|q| q.as_str() == r.id.as_str()))
                        .count();
                    vec![
                        r.id.to_string(),
                        r.domain.to_string(),
                        r.level.to_string(),
                        r.provenance.as_str().to_string(),
                        format!("{:?}", r.verification).to_lowercase(),
                        n.to_string(),
                        r.title.clone(),
                    ]
                })
                .collect();
            table::render(
                &[
                    ("ID", Align::Left),
                    ("DOMAIN", Align::Left),
                    ("LEVEL", Align::Left),
                    ("PROVENANCE", Align::Left),
                    ("VERIFY", Align::Left),
                    ("CHECKS", Align::Right),
                    ("TITLE", Align::Left),
                ],
                &rows,
            )
        }
        (ListWhat::Checks, Format::Json) => {
            let checks: Vec<_> = loaded
                .checks
                .iter()
                .map(|c| json!({"id": c.id.as_str(), "title": c.title, "requirements": c.requirements.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "tags": c.tags, "needs": c.needs.iter().map(|n| n.as_str()).collect::<Vec<_>>()}))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&checks).unwrap_or_default()
            )
        }
        (ListWhat::Checks, Format::Table) => {
            let rows: Vec<Vec<String>> = loaded
                .checks
                .iter()
                .map(|c| {
                    let reqs: Vec<&str> = c.requirements.iter().map(|r| r.as_str()).collect();
                    vec![
                        c.id.to_string(),
                        reqs.join(","),
                        c.tags.join(","),
                        c.title.clone(),
                    ]
                })
                .collect();
            table::render(
                &[
                    ("ID", Align::Left),
                    ("REQUIREMENT", Align::Left),
                    ("TAGS", Align::Left),
                    ("TITLE", Align::Left),
                ],
                &rows,
            )
        }
        (ListWhat::Flaws | ListWhat::Probes, _) => unreachable!("handled above"),
    };
    out::stdout(&text);
    exit::OK
}
