//! `vvcheck list requirements|checks|probes|flaws`.

use std::fmt::Write;

use serde_json::json;

use super::args::{Format, ListArgs, ListWhat};
use super::out;
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
        Format::Table => specs.fold(String::new(), |mut s, p| {
            let params = if p.params.is_empty() {
                "-".to_string()
            } else {
                p.params.join(",")
            };
            let _ = writeln!(s, "{:<12} {:<44} {}", p.name, params, p.about);
            s
        }),
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
    let loaded = match inputs::load(&paths, &crate::probes::registry::Registry) {
        Ok(l) => l,
        Err(e) => return out::load_error(&e),
    };
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
            let mut s = format!(
                "{:<11} {:<14} {:<12} {:<10} {:<7} {:>6}  {}\n",
                "ID", "DOMAIN", "LEVEL", "PROVENANCE", "VERIFY", "CHECKS", "TITLE"
            );
            for r in &loaded.catalogue.requirements {
                let n = loaded
                    .checks
                    .iter()
                    .filter(|c| c.requirements.iter().any(|q| q.as_str() == r.id.as_str()))
                    .count();
                let verify = format!("{:?}", r.verification).to_lowercase();
                let _ = writeln!(
                    s,
                    "{:<11} {:<14} {:<12} {:<10} {:<7} {:>6}  {}",
                    r.id,
                    r.domain,
                    r.level,
                    r.provenance.as_str(),
                    verify,
                    n,
                    r.title
                );
            }
            s
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
            let mut s = format!(
                "{:<44} {:<12} {:<24} {}\n",
                "ID", "REQUIREMENT", "TAGS", "TITLE"
            );
            for c in &loaded.checks {
                let reqs: Vec<&str> = c.requirements.iter().map(|r| r.as_str()).collect();
                let _ = writeln!(
                    s,
                    "{:<44} {:<12} {:<24} {}",
                    c.id.as_str(),
                    reqs.join(","),
                    c.tags.join(","),
                    c.title
                );
            }
            s
        }
        (ListWhat::Flaws | ListWhat::Probes, _) => unreachable!("handled above"),
    };
    out::stdout(&text);
    exit::OK
}
