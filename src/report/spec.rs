//! The solution specification: the recommended requirements a solution meets, under the five
//! domain headings, as Ontario Health's public solution pages list them ("Recommended
//! requirements met"). A requirement is met when its verdict is `pass` or `attested`; a waiver
//! or a not-applicable declaration is not meeting it. Drawn from a run report alone, so it can
//! be made from any `results.json`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::outcome::{Domain, Level, RunReport, SCHEMA_VERSION, Verdict};

/// Why a file could not be read as a run's `results.json`.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file is not JSON, or not a run report.
    #[error("not a vvcheck results.json: {0}")]
    Json(#[from] serde_json::Error),
    /// A layout this version cannot read.
    #[error(
        "results.json has schema_version {found}; this vvcheck reads schema_version {SCHEMA_VERSION}"
    )]
    Schema {
        /// The version the file declares.
        found: u64,
    },
}

/// Reads a run report from the text of a `results.json`, refusing another layout version
/// before anything else is read (its keys may mean something else).
pub fn read_results(text: &str) -> Result<RunReport, ResultsError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let found = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ResultsError::Schema { found });
    }
    Ok(serde_json::from_value(value)?)
}

/// The recommended requirements a run found met, by domain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SolutionSpec {
    pub target: String,
    pub base_url: String,
    pub edition: String,
    pub tool_version: String,
    pub started_at: String,
    /// Why the run does not stand for the whole catalogue, when it does not: the list may then
    /// miss requirements the solution meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// Every domain, in the standard's order, even one with nothing met.
    pub domains: Vec<DomainSpec>,
}

/// One domain heading of the specification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DomainSpec {
    pub domain: Domain,
    /// How many recommended requirements of the domain the run judged.
    pub recommended: usize,
    /// The ones met, in catalogue order.
    pub met: Vec<MetRequirement>,
}

/// A recommended requirement the solution meets, and how that was shown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetRequirement {
    pub id: String,
    pub title: String,
    /// `pass` (a check showed it) or `attested`.
    pub verdict: Verdict,
}

/// Whether a verdict means the requirement is met.
pub fn meets(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Pass | Verdict::Attested)
}

/// The heading a public solution page uses for `domain`.
pub fn heading(domain: Domain) -> &'static str {
    match domain {
        Domain::Privacy => "Privacy",
        Domain::Security => "Security",
        Domain::Technology => "Technology",
        Domain::Accessibility => "Accessibility",
        Domain::Functionality => "Functionality",
    }
}

impl SolutionSpec {
    /// The specification `report` shows.
    pub fn of(report: &RunReport) -> SolutionSpec {
        let partial = report.overall.partial.clone().or_else(|| {
            report
                .partition
                .as_ref()
                .map(|p| format!("partition {p} of the plan"))
        });
        let domains = Domain::ALL
            .into_iter()
            .map(|domain| {
                let recommended = report
                    .requirements
                    .iter()
                    .filter(|r| r.domain == domain && r.level == Level::Recommended);
                DomainSpec {
                    domain,
                    recommended: recommended.clone().count(),
                    met: recommended
                        .filter(|r| meets(r.verdict))
                        .map(|r| MetRequirement {
                            id: r.id.to_string(),
                            title: r.title.clone(),
                            verdict: r.verdict,
                        })
                        .collect(),
                }
            })
            .collect();
        SolutionSpec {
            target: report.target.clone(),
            base_url: report.base_url.clone(),
            edition: report.edition.clone(),
            tool_version: report.tool_version.clone(),
            started_at: report.started_at.clone(),
            partial,
            domains,
        }
    }

    /// The specification as Markdown, one heading per domain.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Solution specification: {}\n", md(&self.target));
        let _ = writeln!(
            out,
            "Recommended requirements met, as shown by a vvcheck {} run against {} on {} (edition {}). \
             Met means the verdict was `pass` or `attested`; waived and not-applicable requirements are not met.\n",
            md(&self.tool_version),
            md(&self.base_url),
            md(&self.started_at),
            md(&self.edition)
        );
        if let Some(partial) = &self.partial {
            let _ = writeln!(
                out,
                "**Partial run** ({}): requirements outside it are not listed.\n",
                md(partial)
            );
        }
        let _ = writeln!(out, "## Recommended requirements met\n");
        for d in &self.domains {
            let _ = writeln!(
                out,
                "### {} ({} of {})\n",
                heading(d.domain),
                d.met.len(),
                d.recommended
            );
            if d.met.is_empty() {
                let _ = writeln!(out, "None.\n");
                continue;
            }
            for m in &d.met {
                let how = if m.verdict == Verdict::Attested {
                    " (attested)"
                } else {
                    ""
                };
                let _ = writeln!(out, "- {}: {}{how}", md(&m.id), md(&m.title));
            }
            out.push('\n');
        }
        out
    }
}

/// Text made inert in Markdown: no markup, no HTML, one line.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Level;

    fn report() -> RunReport {
        let mut r = crate::report::fixture::report();
        for (id, verdict) in [
            ("PRV-02", Verdict::Pass),
            ("PRV-09", Verdict::Attested),
            ("ACC-1.4.3", Verdict::Waived),
            ("TEC-02", Verdict::NotApplicable),
            ("SEC-14", Verdict::Manual),
        ] {
            let rv = r
                .requirements
                .iter_mut()
                .find(|x| x.id.as_str() == id)
                .expect("in the fixture");
            rv.level = Level::Recommended;
            rv.verdict = verdict;
        }
        r
    }

    #[test]
    fn pass_and_attested_meet_a_recommended_requirement_waived_and_not_applicable_do_not() {
        let spec = SolutionSpec::of(&report());
        let met: Vec<(&str, &str)> = spec
            .domains
            .iter()
            .flat_map(|d| {
                d.met
                    .iter()
                    .map(move |m| (heading(d.domain), m.id.as_str()))
            })
            .collect();
        assert_eq!(met, [("Privacy", "PRV-02"), ("Privacy", "PRV-09")]);
        let counts: Vec<usize> = spec.domains.iter().map(|d| d.recommended).collect();
        assert_eq!(counts, [2, 1, 1, 1, 0], "every domain is listed");
        assert_eq!(spec.partial.as_deref(), Some("partition 1/2 of the plan"));
        let md = spec.markdown();
        assert!(md.contains("### Privacy (2 of 2)\n\n- PRV-02: No PHI in URLs\n- PRV-09: Records are retained per policy (attested)\n"), "{md}");
        assert!(md.contains("### Functionality (0 of 0)\n\nNone.\n"), "{md}");
    }

    #[test]
    fn a_file_of_another_layout_or_no_json_is_refused() {
        let good = serde_json::to_string(&report()).expect("serialises");
        assert!(read_results(&good).is_ok());
        let other = good.replacen("\"schema_version\":1", "\"schema_version\":7", 1);
        assert!(
            matches!(read_results(&other), Err(ResultsError::Schema { found: 7 })),
            "{other:.40}"
        );
        assert!(matches!(read_results("{"), Err(ResultsError::Json(_))));
        assert!(matches!(
            read_results("{\"schema_version\":1}"),
            Err(ResultsError::Json(_))
        ));
    }
}
