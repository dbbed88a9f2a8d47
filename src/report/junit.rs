//! JUnit XML: one `<testsuite>` per domain and one `<testcase>` per check, each named after the
//! requirement it verifies; requirements that no check decides (manual, attested, waived,
//! not applicable) are skipped testcases so that nothing goes silently missing.
//!
//! The default flavour validates against the Jenkins xUnit schema (`junit-10.xsd`); the extended
//! flavour adds testcase `<properties>` in the Xray-for-Jira convention.

use std::collections::HashMap;
use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite, XmlString,
};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

use super::ReportError;
use super::text::{
    join_ids, one_line, reason_text, requirement_list, requirements_without_checks, verdict_reason,
};
use crate::model::standard::Domain;
use crate::outcome::{CheckResult, CheckStatus, RequirementVerdict, RunReport};

/// Which JUnit dialect to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JunitFlavor {
    /// Valid against the Jenkins xUnit `junit-10.xsd`: no testcase-level properties.
    #[default]
    Default,
    /// Adds testcase `<properties>` (`requirements`, `tags`, `test_description`, `level`,
    /// `provenance`, `edition`) for requirement-tracing tools such as Xray.
    Extended,
}

/// `type` of a `<failure>`: the target does not conform.
const FAILURE_TYPE: &str = "non-conformance";
/// `type` of an `<error>`: the harness could not carry the check out.
const ERROR_TYPE: &str = "harness-error";

/// One testcase before it is filed into its domain's suite.
struct Case {
    domain: Domain,
    /// Check id or requirement id, appended to the name when two names collide.
    key: String,
    case: TestCase,
}

/// Renders `report` as JUnit XML.
pub fn junit_xml(report: &RunReport, flavor: JunitFlavor) -> Result<String, ReportError> {
    let mut cases: Vec<Case> = report
        .checks
        .iter()
        .map(|check| check_case(report, check, flavor))
        .chain(
            requirements_without_checks(report)
                .into_iter()
                .map(|rv| requirement_case(report, rv, flavor)),
        )
        .collect();
    make_names_unique(&mut cases);

    let mut junit = Report::new("vvcheck");
    junit.set_time(report.duration);
    let mut suite_id = 0usize;
    for domain in Domain::ALL {
        let members: Vec<TestCase> = cases
            .iter()
            .filter(|c| c.domain == domain)
            .map(|c| c.case.clone())
            .collect();
        if members.is_empty() {
            continue;
        }
        junit.add_test_suite(suite(report, domain, suite_id, members));
        suite_id += 1;
    }
    let xml = junit.to_string()?;
    drop_disabled_counts(&xml)
}

/// The suite of one domain, with the run's properties.
fn suite(report: &RunReport, domain: Domain, id: usize, cases: Vec<TestCase>) -> TestSuite {
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.status, TestCaseStatus::Skipped { .. }))
        .count();
    let time: Duration = cases.iter().filter_map(|c| c.time).sum();
    let mut suite = TestSuite::new(domain.as_str());
    suite.set_time(time);
    for (name, value) in [
        ("skipped", skipped.to_string()),
        ("timestamp", report.started_at.clone()),
        ("hostname", target_host(&report.base_url)),
        ("id", id.to_string()),
        ("package", format!("vvcheck.{domain}")),
    ] {
        suite.extra.insert(xml(name), xml(&value));
    }
    suite.add_properties(suite_properties(report));
    suite.add_test_cases(cases);
    suite
}

/// Suite-level properties: what was tested, against which edition, with which tool.
fn suite_properties(report: &RunReport) -> Vec<Property> {
    let mut props = vec![
        ("standard.edition", report.edition.clone()),
        ("target", report.target.clone()),
        ("target.base_url", report.base_url.clone()),
        ("vvcheck.version", report.tool_version.clone()),
        ("insecure", report.insecure.to_string()),
        ("overall", report.overall.standing.label().to_string()),
    ];
    if let Some(proxy) = &report.proxy {
        props.push(("proxy", proxy.clone()));
    }
    if let Some(partition) = &report.partition {
        props.push(("partition", partition.clone()));
    }
    if let Some(cause) = &report.interrupted {
        props.push(("interrupted", cause.clone()));
    }
    props
        .into_iter()
        .map(|(name, value)| Property::new(xml(name), xml(&one_line(&value))))
        .collect()
}

/// The host the run was aimed at; the suite's `hostname` attribute.
fn target_host(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string())
}

/// The testcase of one check.
fn check_case(report: &RunReport, check: &CheckResult, flavor: JunitFlavor) -> Case {
    let name = format!("[{}] {}", requirement_list(check), one_line(&check.title));
    let message = xml(&one_line(&check.message));
    let finding = finding_lines(check).join("\n");
    let status = match check.status {
        CheckStatus::Pass => TestCaseStatus::success(),
        CheckStatus::Fail | CheckStatus::Error => {
            let (kind, ty) = if check.status == CheckStatus::Fail {
                (NonSuccessKind::Failure, FAILURE_TYPE)
            } else {
                (NonSuccessKind::Error, ERROR_TYPE)
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(message).set_type(ty);
            if !finding.is_empty() {
                status.set_description(xml(&finding));
            }
            status
        }
        CheckStatus::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(message);
            status
        }
    };
    let mut case = TestCase::new(xml(&name), status);
    case.set_classname(xml(&check.classname));
    case.set_time(check.duration);
    case.set_system_out(xml(&check_output(check)));
    if flavor == JunitFlavor::Extended {
        case.add_properties(tracing_properties(
            report,
            &requirement_list(check),
            &check.tags.join(","),
            &check.title,
            check.level.as_str(),
            check.provenance.as_str(),
        ));
    }
    Case {
        domain: check.domain,
        key: check.id.clone(),
        case,
    }
}

/// The skipped testcase of a requirement that no check in this report decides.
fn requirement_case(report: &RunReport, rv: &RequirementVerdict, flavor: JunitFlavor) -> Case {
    let name = format!("[{}] {}", rv.id, one_line(&rv.title));
    let mut status = TestCaseStatus::skipped();
    status.set_message(xml(&verdict_reason(rv)));
    let mut case = TestCase::new(xml(&name), status);
    case.set_classname(xml(&format!("{}.{}", rv.domain, rv.id)));
    let out = [
        format!("requirement: {}", rv.id),
        format!("level: {}", rv.level),
        format!("provenance: {}", rv.provenance.as_str()),
        format!("verdict: {}", rv.verdict),
        "checks: none".to_string(),
        String::new(),
        reason_text(rv),
    ];
    case.set_system_out(xml(&out.join("\n")));
    if flavor == JunitFlavor::Extended {
        case.add_properties(tracing_properties(
            report,
            rv.id.as_str(),
            "",
            &rv.text,
            rv.level.as_str(),
            rv.provenance.as_str(),
        ));
    }
    Case {
        domain: rv.domain,
        key: rv.id.to_string(),
        case,
    }
}

/// The finding: the details lines (or the one-line message when there are none), then the
/// suite step it came from.
fn finding_lines(check: &CheckResult) -> Vec<String> {
    let mut lines = if check.details.is_empty() {
        let message = one_line(&check.message);
        if message.is_empty() {
            Vec::new()
        } else {
            vec![message]
        }
    } else {
        check.details.clone()
    };
    lines.extend(super::console::location_line(check));
    lines
}

/// `<system-out>` of a check: what it verifies, the finding, then the exchanges it recorded.
fn check_output(check: &CheckResult) -> String {
    let mut lines = vec![
        format!("requirements: {}", join_ids(&check.requirements, ", ")),
        format!("level: {}", check.level),
        format!("provenance: {}", check.provenance.as_str()),
        format!("check: {}", check.id),
        format!("tags: {}", check.tags.join(", ")),
        format!("status: {}", check.status),
    ];
    let finding = finding_lines(check);
    if !finding.is_empty() {
        lines.push(String::new());
        lines.extend(finding);
    }
    if !check.exchanges.is_empty() {
        lines.push(String::new());
        lines.push("exchanges:".to_string());
        lines.extend(check.exchanges.iter().map(|e| format!("  {e}")));
    }
    lines.join("\n")
}

/// Testcase properties of the extended flavour (Xray-for-Jira names first).
fn tracing_properties(
    report: &RunReport,
    requirements: &str,
    tags: &str,
    description: &str,
    level: &str,
    provenance: &str,
) -> Vec<Property> {
    [
        ("requirements", requirements),
        ("tags", tags),
        ("test_description", description),
        ("level", level),
        ("provenance", provenance),
        ("edition", report.edition.as_str()),
    ]
    .into_iter()
    .map(|(name, value)| Property::new(xml(name), xml(&one_line(value))))
    .collect()
}

/// GitLab keeps one testcase per name and classname: where two collide, every one of them gets
/// ` (<check id>)` appended, and a counter if even that is not enough.
fn make_names_unique(cases: &mut [Case]) {
    let pair = |c: &Case| {
        (
            c.case.name.to_string(),
            c.case.classname.as_ref().map(|s| s.to_string()),
        )
    };
    let mut seen: HashMap<_, usize> = HashMap::new();
    for c in cases.iter() {
        *seen.entry(pair(c)).or_default() += 1;
    }
    for c in cases.iter_mut() {
        if seen.get(&pair(c)).is_some_and(|n| *n > 1) {
            c.case.name = xml(&format!("{} ({})", c.case.name.as_str(), c.key));
        }
    }
    let mut used: HashMap<_, usize> = HashMap::new();
    for c in cases.iter_mut() {
        let n = used.entry(pair(c)).or_default();
        *n += 1;
        if *n > 1 {
            c.case.name = xml(&format!("{} #{n}", c.case.name.as_str()));
        }
    }
}

/// Text safe for XML 1.0: quick-junit strips ANSI escapes and C0 controls; this also drops the
/// two non-characters it lets through. Escaping itself is quick-xml's job.
fn xml(text: &str) -> XmlString {
    XmlString::new(text.replace(['\u{fffe}', '\u{ffff}'], ""))
}

/// quick-junit writes `disabled="N"` on every `<testsuite>`, an attribute `junit-10.xsd` does
/// not allow (and vvcheck never disables a check); this removes it and leaves the rest as is.
fn drop_disabled_counts(input: &str) -> Result<String, ReportError> {
    let mut reader = Reader::from_str(input);
    let mut writer = Writer::new(Vec::with_capacity(input.len()));
    let fail = |e: &dyn std::fmt::Display| ReportError::Xml(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| fail(&e))?;
        let event = match event {
            Event::Eof => break,
            Event::Start(start) if start.name().as_ref() == b"testsuite" => {
                let mut kept = BytesStart::new("testsuite");
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| fail(&e))?;
                    if attr.key.as_ref() != b"disabled" {
                        kept.push_attribute(attr);
                    }
                }
                Event::Start(kept)
            }
            other => other,
        };
        writer.write_event(event).map_err(|e| fail(&e))?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| fail(&e))
}

#[cfg(test)]
#[path = "junit_tests.rs"]
mod tests;
