//! Tests of the JUnit writer: the file is parsed back and compared with what the fixture
//! implies, and the default flavour is validated with xmllint against `junit-10.xsd`
//! (`tests/common/junit_schema.rs`).

use std::collections::HashSet;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::*;
use crate::report::fixture;

fn parse(xml: &str) -> Report {
    Report::deserialize_from_str(xml).expect("the JUnit parses back")
}

fn default_xml() -> String {
    junit_xml(&fixture::report(), JunitFlavor::Default).expect("serialises")
}

fn all_cases(report: &Report) -> Vec<(&TestSuite, &TestCase)> {
    report
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter().map(move |c| (s, c)))
        .collect()
}

fn case<'a>(report: &'a Report, name: &str) -> &'a TestCase {
    all_cases(report)
        .into_iter()
        .map(|(_, c)| c)
        .find(|c| c.name.as_str() == name)
        .unwrap_or_else(|| panic!("no testcase named {name:?}"))
}

/// The schema check the integration tests use too: skipped with a notice when the schema or
/// xmllint is missing, a failure then under `CI=true`.
#[path = "../../tests/common/junit_schema.rs"]
mod junit_schema;

/// Validates `xml` against `junit-10.xsd` (see [`junit_schema`]).
fn assert_valid_against_xsd(xml: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).expect("written");
    junit_schema::assert_valid(&file, "the JUnit written from the fixture");
}

#[test]
fn default_flavor_validates_against_the_jenkins_schema() {
    let xml = default_xml();
    assert!(
        !xml.contains("disabled="),
        "junit-10.xsd has no disabled attribute"
    );
    assert_valid_against_xsd(&xml);
}

#[test]
fn one_suite_per_domain_with_testcases_in_report_order() {
    let report = parse(&default_xml());
    assert_eq!(report.name.as_str(), "vvcheck");
    let names: Vec<_> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "privacy",
            "security",
            "technology",
            "accessibility",
            "functionality"
        ]
    );
    assert_eq!(report.tests, 13);
    assert_eq!(report.failures, 1);
    assert_eq!(report.errors, 1);
    let security = &report.test_suites[1];
    assert_eq!(security.tests, 5);
    assert_eq!(security.extra.get("skipped").map(|v| v.as_str()), Some("1"));
    assert_eq!(
        security.extra.get("hostname").map(|v| v.as_str()),
        Some("vendor.example")
    );
    assert_eq!(security.extra.get("id").map(|v| v.as_str()), Some("1"));
}

#[test]
fn testcases_are_named_after_their_requirements() {
    let report = parse(&default_xml());
    let got: Vec<(String, String)> = all_cases(&report)
        .into_iter()
        .map(|(_, c)| {
            (
                c.name.to_string(),
                c.classname
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("[PRV-01] Notifications carry no PHI", "privacy.PRV-01"),
        ("[PRV-02,SEC-06] No PHI in URLs", "privacy.PRV-02"),
        (
            "[PRV-05] Privacy notice is shown before first use",
            "privacy.PRV-05",
        ),
        ("[PRV-09] Records are retained per policy", "privacy.PRV-09"),
        (
            "[SEC-05] Another patient's message is readable",
            "security.SEC-05",
        ),
        ("[SEC-01] Legacy TLS refused", "security.SEC-01"),
        (
            "[SEC-07] Security headers present (sec.headers.hsts)",
            "security.SEC-07",
        ),
        (
            "[SEC-07] Security headers present (sec.headers.csp)",
            "security.SEC-07",
        ),
        ("[SEC-14] PHI is encrypted at rest", "security.SEC-14"),
        (
            "[TEC-02] Mobile app supports current OS versions",
            "technology.TEC-02",
        ),
        (
            "[ACC-1.4.3] Text contrast is at least 4.5:1",
            "accessibility.ACC-1.4.3",
        ),
        ("[FUN-03] Attachment round trip", "functionality.FUN-03"),
        (
            "[FUN-01] Patient can send a message",
            "functionality.FUN-01",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, c)| ((*n).to_string(), (*c).to_string()))
        .collect();
    assert_eq!(got, expected);
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "name+classname pairs repeat");
}

#[test]
fn names_stay_unique_even_when_ids_repeat() {
    let mut report = fixture::report();
    let mut twin = report.checks[4].clone();
    twin.status = CheckStatus::Pass;
    report.checks.push(twin);
    let parsed = parse(&junit_xml(&report, JunitFlavor::Default).expect("serialises"));
    let pairs: Vec<_> = all_cases(&parsed)
        .into_iter()
        .map(|(_, c)| (c.name.to_string(), c.classname.clone()))
        .collect();
    let unique: HashSet<_> = pairs.iter().collect();
    assert_eq!(unique.len(), pairs.len(), "{pairs:#?}");
}

#[test]
fn statuses_map_to_failure_error_and_skipped() {
    let report = parse(&default_xml());
    assert!(matches!(
        case(&report, "[PRV-01] Notifications carry no PHI").status,
        TestCaseStatus::Success { .. }
    ));
    match &case(&report, "[SEC-05] Another patient's message is readable").status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            ty,
            description,
            ..
        } => {
            assert_eq!(
                message.as_deref(),
                Some("expected 403/404 without content, got 200 OK")
            );
            assert_eq!(ty.as_deref(), Some("non-conformance"));
            let text = description.as_deref().unwrap_or_default();
            assert!(text.contains("GET /api/messages/42 as patient_b"), "{text}");
            assert!(text.contains("evidence: checks/"), "{text}");
            assert!(
                text.ends_with("at suites/security.yaml:24:7"),
                "the finding names its step: {text}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    match &case(&report, "[SEC-01] Legacy TLS refused").status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            message,
            ty,
            ..
        } => {
            assert!(
                message
                    .as_deref()
                    .unwrap_or_default()
                    .contains("connection reset")
            );
            assert_eq!(ty.as_deref(), Some("harness-error"));
        }
        other => panic!("expected an error, got {other:?}"),
    }
    let skipped = |name: &str| match &case(&report, name).status {
        TestCaseStatus::Skipped { message, .. } => {
            message.as_deref().unwrap_or_default().to_string()
        }
        other => panic!("expected {name} skipped, got {other:?}"),
    };
    assert_eq!(
        skipped("[FUN-03] Attachment round trip"),
        "prerequisite `sec.access.cross-patient` did not pass (fail)"
    );
    assert_eq!(
        skipped("[SEC-14] PHI is encrypted at rest"),
        "manual: needs an attestation (see --attestations)"
    );
    assert_eq!(
        skipped("[PRV-09] Records are retained per policy"),
        "attested: A. Reviewer (Acme Health, CISO), 2025-01-10: retention policy v3"
    );
    assert_eq!(
        skipped("[ACC-1.4.3] Text contrast is at least 4.5:1"),
        "waived: waiver W-2025-03 until 2025-12-31: contrast fix scheduled"
    );
    assert_eq!(
        skipped("[TEC-02] Mobile app supports current OS versions"),
        "not-applicable: target has no mobile app"
    );
}

#[test]
fn time_is_the_check_duration() {
    let report = parse(&default_xml());
    let cross = case(&report, "[SEC-05] Another patient's message is readable");
    assert_eq!(cross.time, Some(std::time::Duration::from_millis(310)));
}

#[test]
fn system_out_carries_the_trace_and_the_finding() {
    let report = parse(&default_xml());
    let cross = case(&report, "[SEC-05] Another patient's message is readable");
    let out = cross.system_out.as_ref().expect("system-out").to_string();
    for needle in [
        "requirements: SEC-05",
        "level: mandatory",
        "provenance: confirmed",
        "check: sec.access.cross-patient",
        "tags: access, idor",
        "\"Zoë Tremblay\" canary in body",
        "GET https://vendor.example:8443/api/messages/42 as patient_b → 200 OK",
    ] {
        assert!(out.contains(needle), "system-out lacks {needle:?}:\n{out}");
    }
    let manual = case(&report, "[SEC-14] PHI is encrypted at rest");
    let out = manual.system_out.as_ref().expect("system-out").to_string();
    assert!(
        out.contains("requirement: SEC-14") && out.contains("verdict: manual"),
        "{out}"
    );
}

#[test]
fn suites_carry_the_run_properties() {
    let report = parse(&default_xml());
    for suite in &report.test_suites {
        let props: Vec<(String, String)> = suite
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.value.to_string()))
            .collect();
        let expected = [
            ("standard.edition", "2024-05"),
            ("target", "staging"),
            ("target.base_url", "https://vendor.example:8443/api"),
            ("vvcheck.version", "0.1.0"),
            ("insecure", "true"),
            ("overall", "incomplete"),
            ("partition", "1/2"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        assert_eq!(props, expected, "suite {}", suite.name.as_str());
    }
    assert!(
        all_cases(&report)
            .iter()
            .all(|(_, c)| c.properties.is_empty()),
        "default flavour must not have testcase properties"
    );
}

#[test]
fn extended_flavor_adds_xray_properties() {
    let xml = junit_xml(&fixture::report(), JunitFlavor::Extended).expect("serialises");
    let report = parse(&xml);
    let url = case(&report, "[PRV-02,SEC-06] No PHI in URLs");
    let props: Vec<(String, String)> = url
        .properties
        .iter()
        .map(|p| (p.name.to_string(), p.value.to_string()))
        .collect();
    let expected = [
        ("requirements", "PRV-02,SEC-06"),
        ("tags", "phi,url"),
        ("test_description", "No PHI in URLs"),
        ("level", "recommended"),
        ("provenance", "inferred"),
        ("edition", "2024-05"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    assert_eq!(props, expected);
    assert!(
        all_cases(&report)
            .iter()
            .all(|(_, c)| !c.properties.is_empty()),
        "every testcase has properties in the extended flavour"
    );
    let manual = case(&report, "[SEC-14] PHI is encrypted at rest");
    assert!(
        manual
            .properties
            .iter()
            .any(|p| p.name.as_str() == "requirements" && p.value.as_str() == "SEC-14")
    );
    assert!(
        manual
            .properties
            .iter()
            .any(|p| p.name.as_str() == "test_description"
                && p.value
                    .as_str()
                    .ends_with("the requirement as the catalogue words it.")),
        "a requirement without a check is described by its catalogue text"
    );
}

#[test]
fn hostile_text_is_escaped_or_dropped() {
    let mut report = fixture::report();
    let hostile = "<script>alert(1)</script> ]]> & \"q\" 'a' \u{1b}[31mred\u{1b}[0m \u{0}\u{7}\u{b}\u{fffe}\u{ffff}end";
    let cross = &mut report.checks[2];
    cross.title = hostile.to_string();
    cross.message = format!("line one\nline two {hostile}");
    cross.details = vec![hostile.to_string(), "<![CDATA[ x ]]>".to_string()];
    cross.tags = vec![hostile.to_string()];
    report.target = hostile.to_string();
    for flavor in [JunitFlavor::Default, JunitFlavor::Extended] {
        let xml = junit_xml(&report, flavor).expect("serialises");
        assert!(!xml.contains("<script>"), "unescaped markup");
        assert!(!xml.contains("]]>"), "unescaped CDATA end");
        assert!(!xml.contains("<![CDATA["), "unescaped CDATA start");
        assert!(
            !xml.chars().any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')),
            "a character XML 1.0 forbids is left"
        );
        let parsed = parse(&xml);
        let clean = "<script>alert(1)</script> ]]> & \"q\" 'a' red end";
        let found = all_cases(&parsed)
            .into_iter()
            .any(|(_, c)| c.name.as_str() == format!("[SEC-05] {clean}"));
        assert!(
            found,
            "the title round-trips without the control characters"
        );
        let message = all_cases(&parsed)
            .into_iter()
            .find_map(|(_, c)| match &c.status {
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    message,
                    ..
                } => message.as_ref().map(|m| m.to_string()),
                _ => None,
            })
            .expect("the failure has a message");
        assert!(
            message.starts_with("line one line two <script>"),
            "{message}"
        );
        if flavor == JunitFlavor::Default {
            assert_valid_against_xsd(&xml);
        }
    }
}

#[test]
fn empty_report_is_still_valid() {
    let mut report = fixture::report();
    report.checks.clear();
    report.requirements.clear();
    let xml = junit_xml(&report, JunitFlavor::Default).expect("serialises");
    assert!(parse(&xml).test_suites.is_empty());
    assert_valid_against_xsd(&xml);
}

#[test]
fn a_check_without_requirements_is_filed_under_its_id() {
    let mut report = fixture::report();
    let (id, title, domain) = {
        let c = &report.checks[0];
        (c.id.clone(), c.title.clone(), c.domain)
    };
    report.checks[0] = fixture::check(&id, &title, domain, &[]);
    let parsed = parse(&junit_xml(&report, JunitFlavor::Default).expect("serialises"));
    let case = case(
        &parsed,
        "[prv.notification.no-phi] Notifications carry no PHI",
    );
    assert_eq!(
        case.classname.as_ref().map(|c| c.as_str()),
        Some("privacy.prv.notification.no-phi")
    );
}
